/*
 * cmd.h: the command layer.  cmd.c owns the command table, dispatch,
 * permission checks and the argument helpers; each cmd_<group>.c file
 * holds the handlers of one group.  Transports (api.c: the ZeroMQ client
 * API; http.c: the web) build a struct cmd_ctx saying who is calling and
 * call cmd_exec; they never call a handler directly, so a handler written
 * once is reachable from every transport with the same checks.
 *
 * A handler validates its arguments with the arg_* helpers, does its
 * work, and either sets ctx->result (and optionally ctx->out) and returns
 * 0, or returns cmd_fail(ctx, code, ...).  Handlers call the engines
 * (records, apps, peers, matching, students, store); engines never call
 * handlers.
 */
#ifndef MENTOR_CMD_H
#define MENTOR_CMD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "msg.h"

struct node;

/* Who is calling; set by the transport before cmd_exec. */
enum cmd_who {
	CMD_WHO_OPERATOR = 0,	/* the node's own ipc socket: everything */
	CMD_WHO_ADMIN,		/* a web administrator: everything */
	CMD_WHO_COORDINATOR,	/* a school's staff */
	CMD_WHO_EMPLOYER,	/* an employer's staff */
	CMD_WHO_STUDENT		/* one student: their own data only */
};

struct cmd_ctx {
	struct node		*node;
	enum cmd_who		 who;
	const struct msg_req	*req;
	const uint8_t		*data;		/* request data frame, or NULL */
	size_t			 datalen;
	json_t			*result;	/* set by the handler; owned */
	uint8_t			*out;		/* reply data frame; malloc'd */
	size_t			 outlen;
	char			 err[MSG_ERR_MAX];
	const char		*student;	/* CMD_WHO_STUDENT: their id;
						 * NULL otherwise */
	const char		*user;		/* web account or token name
						 * for the audit log; NULL */
	json_t			*details;	/* on failure, optional: what
						 * the transport sends as the
						 * error's details; owned */
};

/*
 * Flags of a command table entry.  The operator and web administrators
 * may call every command; the others only those flagged for them.
 */
#define CMD_DATA	0x01	/* takes a data frame */
#define CMD_STUDENT	0x02	/* allowed to a student (own data only) */
#define CMD_COORDINATOR	0x04	/* allowed to a school's coordinator */
#define CMD_EMPLOYER	0x08	/* allowed to an employer's staff */
#define CMD_STAFF	(CMD_COORDINATOR | CMD_EMPLOYER)

typedef int (*cmd_fn)(struct cmd_ctx *);

struct cmd_entry {
	const char	*name;
	cmd_fn		 fn;
	unsigned	 flags;
};

/*
 * cmd_exec: runs command name for c (node, who, student, req, data set by
 * the transport).  Checks, in order: the command exists (MENTOR_EINVAL),
 * c->who may call it (MENTOR_EPERM), a data frame only where the command
 * takes one (MENTOR_EPROTO) and within MENTOR_API_DATA_MAX
 * (MENTOR_ETOOBIG).  Then the handler's verdict.  On failure c->err says
 * why, c->out is released and NULL, and c->result is the handler's
 * c->details (NULL when it set none), for the transport to send as the
 * error's details (SPEC 10: every error of a roster).
 */
int	cmd_exec(struct cmd_ctx *, const char *name);

/* cmd_find: the table entry of name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

/* cmd_allowed: whether who may call the entry. */
int	cmd_allowed(const struct cmd_entry *, enum cmd_who who);

/* cmd_who_name: "operator", "student", ... */
const char *cmd_who_name(enum cmd_who who);

/* cmd_fail: formats the error message into ctx->err and returns code. */
int	cmd_fail(struct cmd_ctx *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* cmd_school_only: MENTOR_EPERM (with the message) unless a school node. */
int	cmd_school_only(struct cmd_ctx *);

/*
 * arg_str / arg_int / arg_bool: fetch argument name.  When it is absent,
 * required arguments fail with "NAME: missing", optional ones leave *out
 * unchanged and return 0.  A value of the wrong type fails with
 * "NAME: must be a string" and the like.  Strings point into the request.
 */
int	arg_str(struct cmd_ctx *, const char *name, int required,
	    const char **out);
int	arg_int(struct cmd_ctx *, const char *name, int required,
	    long long min, long long max, long long *out);
int	arg_bool(struct cmd_ctx *, const char *name, int *out);
/*
 * arg_student: the student argument name.  For CMD_WHO_STUDENT it is that
 * student (naming another is refused with MENTOR_EPERM).
 */
int	arg_student(struct cmd_ctx *, const char *name, const char **out);
/*
 * arg_hex: a required argument of exactly len bytes in hex; otherwise
 * fails with 'NAME: "VALUE" is not a WHAT (2*len hex digits)'.
 */
int	arg_hex(struct cmd_ctx *, const char *name, const char *what,
	    uint8_t *out, size_t len);

/*
 * cmd_fit_*: how listings fit one student, for listing.show and
 * listing.search.  open compiles student id against the matcher (errors
 * through cmd_fail: MENTOR_ENOTFOUND, MENTOR_EIO); json gives a new
 * {"matched", "score", "terms", "reasons", "why_not", "distance_km",
 * "distance_mi"} for the listing at addr (match_check, match_explain);
 * close takes NULL.
 */
struct cmd_fit;
int	 cmd_fit_open(struct cmd_ctx *, const char *student,
	    struct cmd_fit **out);
json_t	*cmd_fit_json(struct cmd_fit *, const uint8_t addr[16]);
void	 cmd_fit_close(struct cmd_fit *);

/*
 * cmd_names_for: {code: name} for the codes in obj that the node can name:
 * the keys of "competencies", "goals".clusters/occupations, "clusters",
 * "occupations", the competencies of "requires"/"develops", and
 * "listing".  A new reference, NULL when out of memory.
 */
json_t	*cmd_names_for(struct node *, const json_t *obj);

/* Handlers, by group. */
int	cmd_status(struct cmd_ctx *);
int	cmd_node_rotate_key(struct cmd_ctx *);
int	cmd_ping(struct cmd_ctx *);
int	cmd_listing_post(struct cmd_ctx *);
int	cmd_application_withdraw(struct cmd_ctx *);
int	cmd_placement_state(struct cmd_ctx *);
int	cmd_hours_log(struct cmd_ctx *);	/* cmd_hours.c */
int	cmd_hours_answer(struct cmd_ctx *);
int	cmd_hours_list(struct cmd_ctx *);
int	cmd_listing_list(struct cmd_ctx *);
int	cmd_listing_show(struct cmd_ctx *);
int	cmd_listing_withdraw(struct cmd_ctx *);
int	cmd_records_export(struct cmd_ctx *);
int	cmd_records_import(struct cmd_ctx *);
int	cmd_trust_add(struct cmd_ctx *);
int	cmd_trust_list(struct cmd_ctx *);
int	cmd_trust_remove(struct cmd_ctx *);
int	cmd_student_import(struct cmd_ctx *);
int	cmd_student_list(struct cmd_ctx *);
int	cmd_student_show(struct cmd_ctx *);
int	cmd_student_delete(struct cmd_ctx *);
int	cmd_match(struct cmd_ctx *);
int	cmd_peer_add(struct cmd_ctx *);
int	cmd_peer_list(struct cmd_ctx *);
int	cmd_peer_remove(struct cmd_ctx *);
int	cmd_peer_refused(struct cmd_ctx *);
int	cmd_cert_list(struct cmd_ctx *);		/* cmd_cert.c */
int	cmd_sync_start(struct cmd_ctx *);
int	cmd_sync_status(struct cmd_ctx *);
int	cmd_consent_add(struct cmd_ctx *);
int	cmd_consent_list(struct cmd_ctx *);
int	cmd_consent_revoke(struct cmd_ctx *);
int	cmd_apply(struct cmd_ctx *);
int	cmd_application_list(struct cmd_ctx *);
int	cmd_application_show(struct cmd_ctx *);
int	cmd_application_accept(struct cmd_ctx *);
int	cmd_application_decline(struct cmd_ctx *);
int	cmd_audit_list(struct cmd_ctx *);
int	cmd_audit_verify(struct cmd_ctx *);
int	cmd_store_compact(struct cmd_ctx *);
int	cmd_student_key(struct cmd_ctx *);
int	cmd_student_key_revoke(struct cmd_ctx *);
int	cmd_occupation_search(struct cmd_ctx *);
int	cmd_occupation_show(struct cmd_ctx *);
int	cmd_cluster_list(struct cmd_ctx *);
int	cmd_zip_lookup(struct cmd_ctx *);
int	cmd_framework_search(struct cmd_ctx *);
int	cmd_pathway(struct cmd_ctx *);
int	cmd_listing_suggest(struct cmd_ctx *);
int	cmd_listing_export(struct cmd_ctx *);
int	cmd_framework_import(struct cmd_ctx *);
int	cmd_framework_list(struct cmd_ctx *);
int	cmd_framework_show(struct cmd_ctx *);
int	cmd_framework_remove(struct cmd_ctx *);
int	cmd_names(struct cmd_ctx *);		/* cmd_ops.c */
/*
 * ops_status_health: adds to a status result the health fields
 * (peers_connected, last_sync, store_map_bytes, disk_free_bytes,
 * cert_expires, warnings).  0 or MENTOR_ENOMEM.
 */
int	ops_status_health(struct node *, json_t *status);
/* The figures ops_status_health judges (times in ms since 1970). */
struct ops_health {
	int64_t		 now, started;
	size_t		 peers, connected, suspended;
	int64_t		 last_sync;	/* end of the newest; 0: never */
	int64_t		 sync_every;	/* ms; 0: auto_sync = no */
	int64_t		 cert_expires;	/* 0: no certificate */
	const char	*cert_hub;
	uint64_t	 used, mapsize, map_max, disk_avail, disk_total;
	int		 no_frameworks;
	uint64_t	 refused_directed;	/* addressed here, untrusted */
	int64_t		 refused_at;		/* the last one; 0: none */
	char		 refused_author[65];	/* its author, hex */
};
/* ops_health_warn: appends one sentence per warning to arr. */
void	ops_health_warn(const struct ops_health *, json_t *arr);
int	cmd_student_update(struct cmd_ctx *);
int	cmd_listing_search(struct cmd_ctx *);
int	cmd_dashboard(struct cmd_ctx *);
int	cmd_web_user_add(struct cmd_ctx *);
int	cmd_web_user_list(struct cmd_ctx *);
int	cmd_web_user_remove(struct cmd_ctx *);
int	cmd_web_user_passwd(struct cmd_ctx *);
int	cmd_web_code(struct cmd_ctx *);
int	cmd_web_code_revoke(struct cmd_ctx *);
int	cmd_web_token_add(struct cmd_ctx *);
int	cmd_web_token_revoke(struct cmd_ctx *);
int	cmd_web_token_list(struct cmd_ctx *);
int	cmd_evaluation_list(struct cmd_ctx *);		/* cmd_evidence.c */
int	cmd_evaluation_show(struct cmd_ctx *);
int	cmd_evaluation_apply(struct cmd_ctx *);
int	cmd_evaluation_send(struct cmd_ctx *);
int	cmd_credential_issue(struct cmd_ctx *);
int	cmd_credential_show(struct cmd_ctx *);
int	cmd_report_wbl(struct cmd_ctx *);		/* cmd_report.c */

#endif
