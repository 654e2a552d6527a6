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
	const char	*help;		/* one paragraph; its first sentence
					 * is the summary unless mentorctl.c's
					 * summaries table has one */
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
 * ctl_call_handed: ctl_call with a data frame zmq sends from where it is,
 * not copied (a mapped file of megabytes): data is handed over, and
 * ffn(data, hint) is called once zmq is done with it (after it was sent,
 * at the latest when the context ends, also on any failure).  No reply
 * data frame.
 */
int	ctl_call_handed(struct ctl *, const char *cmd, json_t *args,
	    void *data, size_t datalen, void (*ffn)(void *data, void *hint),
	    void *hint, json_t **result);

/*
 * ctl_run: ctl_call, then prints the result: as JSON with --json, else
 * "VERB VALUE" where VALUE is the result's string member key.
 */
int	ctl_run(struct ctl *, const char *cmd, json_t *args, const char *verb,
	    const char *key);

/*
 * ctl_err: prints "mentorctl: ..." to stderr and returns code; prints
 * nothing while ctl_quiet is set (calls whose failure is cosmetic).
 */
extern int ctl_quiet;
int	ctl_err(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* ctl_str: member k of o if it is a string, else "" (never NULL). */
const char *ctl_str(const json_t *o, const char *k);

/*
 * ctl_print_posted: prints the reply of listing.post (r, consumed): as
 * JSON with --json, else "posted ID" a line.  Returns EX_OK.
 */
int	ctl_print_posted(struct ctl *, json_t *r);

/* ctl_print_json: prints j as one JSON value on stdout. */
void	ctl_print_json(const json_t *j);

/* ctl_read_file: reads path ("-" = stdin) whole; *buf malloc'd, NUL-ended. */
int	ctl_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Human output (ui.c).  ctl_plural: one or many by n.  ctl_article: "a" or
 * "an" for word.  ctl_duration: "45 s", "12 min 3 s", "3 h 12 min",
 * "2 d 5 h".  ctl_bytes: "512 B", "1.5 MiB".  ctl_date: an RFC 3339 UTC
 * time as "2026-11-30 09:13 UTC" (other strings unchanged).  Each returns
 * buf.
 */
const char *ctl_plural(long long n, const char *one, const char *many);
const char *ctl_article(const char *word);
char	*ctl_duration(char *buf, size_t len, long long seconds);
char	*ctl_bytes(char *buf, size_t len, unsigned long long bytes);
char	*ctl_date(char *buf, size_t len, const char *iso);

/*
 * ctl_names: the names the node knows for the codes in j (its strings
 * and object keys: competencies, occupations, clusters, listing ids,
 * node ids), as a new object {CODE: NAME}; an empty one when the node
 * cannot say.  Never NULL unless out of memory.  ctl_name: the name of
 * code in names, else code itself.
 */
json_t	*ctl_names(struct ctl *, const json_t *j);
const char *ctl_name(const json_t *names, const char *code);

/*
 * A progress line on stderr: "WHAT: DONE of TOTAL UNIT (P%), R/s, T left",
 * redrawn at most five times a second, only when stderr is a terminal and
 * --json is off, erased by ctl_progress_end.  total 0 = unknown.
 * Use: ctl_progress_begin(&p, c, "importing", "records", n); then
 * ctl_progress_update(&p, done) as work is done; ctl_progress_end(&p).
 */
struct ctl_progress {
	int			 on, drawn;
	const char		*what, *unit;
	unsigned long long	 total, done;
	long long		 t0, last;
};
void	ctl_progress_begin(struct ctl_progress *, const struct ctl *,
	    const char *what, const char *unit, unsigned long long total);
void	ctl_progress_update(struct ctl_progress *, unsigned long long done);
void	ctl_progress_end(struct ctl_progress *);

/* Command groups (one file each). */
extern const struct ctl_cmd ctl_node_cmds[];
extern const struct ctl_cmd ctl_listing_cmds[];
extern const struct ctl_cmd ctl_student_cmds[];
extern const struct ctl_cmd ctl_match_cmds[];
extern const struct ctl_cmd ctl_peer_cmds[];
extern const struct ctl_cmd ctl_apps_cmds[];
extern const struct ctl_cmd ctl_hours_cmds[];
extern const struct ctl_cmd ctl_credential_cmds[];
extern const struct ctl_cmd ctl_framework_cmds[];
extern const struct ctl_cmd ctl_web_cmds[];
extern const struct ctl_cmd ctl_evidence_cmds[];
extern const struct ctl_cmd ctl_report_cmds[];

/* ctl_level_word: "none", "beginning", ... "advanced" for 0..4. */
const char *ctl_level_word(long long level);

#endif
