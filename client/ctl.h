/*
 * ctl.h: what mentorctl's command files share: the connection to the
 * node, the command table entry, output helpers and exit codes.
 */
#ifndef MENTOR_CTL_H
#define MENTOR_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Exit codes (mentorctl(1)). */
#define EX_OK		0
#define EX_FAIL		1	/* the node refused or the operation failed */
#define EX_USAGE	2	/* bad command line */
#define EX_NODE		3	/* no node, node not running or not answering */

struct ctl {
	char		 dir[4096];
	const char	*connect;	/* --connect: a school's student socket */
	const char	*keyfile;	/* --key: the student's key file */
	int		 json;
	int		 timeout_ms;
	void		*zctx;
	void		*sock;
	json_t		*details;	/* of the last error reply, or NULL */
};

#define CTL_OPTS_MAX	8

/* A command's arguments, parsed by mentorctl.c from its table entry. */
struct ctl_args {
	int		 argc;		/* positional arguments */
	char		**argv;
	const char	*opt[CTL_OPTS_MAX];	/* by index in ctl_cmd.opts:
					 * value, "" for a flag, NULL absent */
};

struct ctl_cmd {
	const char	*name;		/* "status", "listing post" */
	int		(*fn)(struct ctl *, const struct ctl_args *);
	int		 min_args, max_args;	/* positional */
	const char	*opts[CTL_OPTS_MAX + 1]; /* "top=" takes a value,
					 * "force" is a flag; NULL ends */
	const char	*usage;		/* arguments, for the usage line */
	const char	*help;		/* one paragraph */
};

/*
 * ctl_call: sends cmd with args (consumed; may be NULL) and an optional
 * data frame, waits for the reply.  On success returns EX_OK with *result
 * (new reference) and, if rdata is not NULL, the reply's data frame
 * (malloc'd; NULL when none).  On failure prints "mentorctl: ..." and
 * returns the exit code to use; the node's error details, when it sent
 * any, are left in c->details (owned by c).
 */
int	ctl_call(struct ctl *, const char *cmd, json_t *args,
	    const uint8_t *data, size_t datalen, json_t **result,
	    uint8_t **rdata, size_t *rdatalen);

/*
 * ctl_run: ctl_call, then prints the result: as JSON with --json, else
 * "VERB VALUE" where VALUE is the result's string member key.
 */
int	ctl_run(struct ctl *, const char *cmd, json_t *args, const char *verb,
	    const char *key);

/* ctl_err: prints "mentorctl: ..." to stderr and returns code. */
int	ctl_err(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* ctl_str: member k of o if it is a string, else "" (never NULL). */
const char *ctl_str(const json_t *o, const char *k);

/* ctl_print_json: prints j as one JSON value on stdout. */
void	ctl_print_json(const json_t *j);

/* ctl_read_file: reads path ("-" = stdin) whole; *buf malloc'd, NUL-ended. */
int	ctl_read_file(const char *path, size_t max, char **buf, size_t *len);

/* Command groups (one file each). */
extern const struct ctl_cmd ctl_node_cmds[];
extern const struct ctl_cmd ctl_listing_cmds[];
extern const struct ctl_cmd ctl_student_cmds[];
extern const struct ctl_cmd ctl_match_cmds[];
extern const struct ctl_cmd ctl_peer_cmds[];
extern const struct ctl_cmd ctl_apps_cmds[];
extern const struct ctl_cmd ctl_credential_cmds[];
extern const struct ctl_cmd ctl_framework_cmds[];

#endif
