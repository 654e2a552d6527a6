/*
 * cmd.h: the client API's command handlers and the helpers they share.
 * api.c owns the command table and the socket; each cmd_*.c file holds the
 * handlers of one command group.  A handler validates its arguments with
 * the arg_* helpers, does its work, and either sets ctx->result (and
 * optionally ctx->out) and returns 0, or returns cmd_fail(ctx, code, ...).
 */
#ifndef MENTOR_CMD_H
#define MENTOR_CMD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "msg.h"

struct node;

struct cmd_ctx {
	struct node		*node;
	const struct msg_req	*req;
	const uint8_t		*data;		/* request data frame, or NULL */
	size_t			 datalen;
	json_t			*result;	/* set by the handler; owned */
	uint8_t			*out;		/* reply data frame; malloc'd */
	size_t			 outlen;
	char			 err[MSG_ERR_MAX];
	const char		*student;	/* a student's own connection:
						 * their id; NULL for the
						 * node's operator */
};

/* Flags of a command table entry. */
#define CMD_DATA	0x01	/* takes a data frame */
#define CMD_STUDENT	0x02	/* allowed on a student's own connection */

typedef int (*cmd_fn)(struct cmd_ctx *);

struct cmd_entry {
	const char	*name;
	cmd_fn		 fn;
	unsigned	 flags;
};

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
 * arg_student: the student argument name.  On a student's connection it
 * is that student (naming another is refused with MENTOR_EPERM).
 */
int	arg_student(struct cmd_ctx *, const char *name, const char **out);
/*
 * arg_hex: a required argument of exactly len bytes in hex; otherwise
 * fails with 'NAME: "VALUE" is not a WHAT (2*len hex digits)'.
 */
int	arg_hex(struct cmd_ctx *, const char *name, const char *what,
	    uint8_t *out, size_t len);

/*
 * student_load: the normalized student object with this id (a new
 * reference).  MENTOR_ENOTFOUND or MENTOR_ESTORE.
 */
int	student_load(struct node *, const char *id, json_t **out);

/* Handlers, by group. */
int	cmd_status(struct cmd_ctx *);
int	cmd_ping(struct cmd_ctx *);
int	cmd_listing_post(struct cmd_ctx *);
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

#endif
