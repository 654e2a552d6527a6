/*
 * cmd.c: the command layer: the table of every command, dispatch with its
 * permission checks, and the argument helpers the handlers share.  It
 * knows no transport: api.c (ZeroMQ) and http.c (the web) call cmd_exec.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "cmd.h"
#include "log.h"
#include "mentor.h"
#include "metrics.h"
#include "node.h"
#include "store.h"
#include "util.h"

/*
 * The command table.  Flags name who besides the operator and web
 * administrators may call a command (cmd.h); a student is further
 * confined to their own data by arg_student.
 */
static const struct cmd_entry cmds[] = {
	{ "ping",		cmd_ping,	CMD_STUDENT | CMD_STAFF },
	{ "dashboard",		cmd_dashboard,	CMD_STAFF },
	{ "status",		cmd_status,	CMD_STAFF },
	{ "node.rotate",		cmd_node_rotate_key, 0 },
	{ "listing.post",	cmd_listing_post, CMD_DATA | CMD_EMPLOYER },
	{ "listing.list",	cmd_listing_list, CMD_STAFF },
	{ "listing.show",	cmd_listing_show, CMD_STUDENT | CMD_STAFF },
	{ "listing.search",	cmd_listing_search, CMD_STUDENT | CMD_STAFF },
	{ "listing.withdraw",	cmd_listing_withdraw, CMD_EMPLOYER },
	{ "records.export",	cmd_records_export, 0 },
	{ "records.import",	cmd_records_import, CMD_DATA },
	{ "trust.add",		cmd_trust_add,	0 },
	{ "trust.list",		cmd_trust_list,	CMD_STAFF },
	{ "trust.remove",	cmd_trust_remove, 0 },
	{ "student.import",	cmd_student_import, CMD_DATA | CMD_COORDINATOR },
	{ "student.list",	cmd_student_list, CMD_COORDINATOR },
	{ "student.show",	cmd_student_show, CMD_STUDENT | CMD_COORDINATOR },
	{ "student.update",	cmd_student_update, CMD_STUDENT | CMD_COORDINATOR },
	{ "student.delete",	cmd_student_delete, CMD_COORDINATOR },
	{ "match",		cmd_match,	CMD_STUDENT | CMD_COORDINATOR },
	{ "peer.add",		cmd_peer_add,	0 },
	{ "peer.list",		cmd_peer_list,	CMD_STAFF },
	{ "peer.remove",	cmd_peer_remove, 0 },
	{ "peer.refused",	cmd_peer_refused, CMD_STAFF },
	{ "cert.list",		cmd_cert_list,	CMD_STAFF },
	{ "sync.start",		cmd_sync_start,	0 },
	{ "sync.status",	cmd_sync_status, CMD_STAFF },
	{ "consent.add",	cmd_consent_add, CMD_COORDINATOR },
	{ "consent.list",	cmd_consent_list, CMD_COORDINATOR },
	{ "consent.revoke",	cmd_consent_revoke, CMD_COORDINATOR },
	{ "apply",		cmd_apply,	CMD_STUDENT | CMD_COORDINATOR },
	{ "application.list",	cmd_application_list, CMD_STUDENT | CMD_STAFF },
	{ "application.show",	cmd_application_show, CMD_STUDENT | CMD_STAFF },
	{ "application.accept",	cmd_application_accept, CMD_EMPLOYER },
	{ "application.decline", cmd_application_decline, CMD_EMPLOYER },
	{ "application.withdraw", cmd_application_withdraw,
	    CMD_STUDENT | CMD_COORDINATOR },
	{ "placement.state",	cmd_placement_state, CMD_STAFF },
	{ "hours.log",		cmd_hours_log,	CMD_STUDENT | CMD_COORDINATOR },
	{ "hours.answer",	cmd_hours_answer, CMD_EMPLOYER },
	{ "hours.list",		cmd_hours_list,	CMD_STUDENT | CMD_STAFF },
	{ "audit.list",		cmd_audit_list,	CMD_COORDINATOR },
	{ "audit.verify",	cmd_audit_verify, CMD_COORDINATOR },
	{ "store.compact",	cmd_store_compact, 0 },
	{ "student.key",	cmd_student_key, CMD_COORDINATOR },
	{ "student.key.revoke",	cmd_student_key_revoke, CMD_COORDINATOR },
	{ "occupation.search",	cmd_occupation_search, CMD_STUDENT | CMD_STAFF },
	{ "occupation.show",	cmd_occupation_show, CMD_STUDENT | CMD_STAFF },
	{ "cluster.list",	cmd_cluster_list, CMD_STUDENT | CMD_STAFF },
	{ "zip.lookup",		cmd_zip_lookup,	CMD_STUDENT | CMD_STAFF },
	{ "framework.search",	cmd_framework_search, CMD_STUDENT | CMD_STAFF },
	{ "pathway",		cmd_pathway,	CMD_STUDENT | CMD_COORDINATOR },
	{ "listing.suggest",	cmd_listing_suggest, CMD_DATA | CMD_EMPLOYER },
	{ "listing.export",	cmd_listing_export, CMD_STAFF },
	{ "framework.import",	cmd_framework_import, CMD_DATA },
	{ "framework.list",	cmd_framework_list, CMD_STAFF },
	{ "framework.show",	cmd_framework_show, CMD_STAFF },
	{ "framework.remove",	cmd_framework_remove, 0 },
	{ "names",		cmd_names,	CMD_STUDENT | CMD_STAFF },
	{ "backup.start",	cmd_backup_start, 0 },
	{ "backup.next",	cmd_backup_next, 0 },
	{ "web.user.add",	cmd_web_user_add, 0 },
	{ "web.user.list",	cmd_web_user_list, 0 },
	{ "web.user.remove",	cmd_web_user_remove, 0 },
	{ "web.user.passwd",	cmd_web_user_passwd, 0 },
	{ "web.code",		cmd_web_code,	CMD_COORDINATOR },
	{ "web.code.revoke",	cmd_web_code_revoke, CMD_COORDINATOR },
	{ "web.token.add",	cmd_web_token_add, 0 },
	{ "web.token.revoke",	cmd_web_token_revoke, 0 },
	{ "web.token.list",	cmd_web_token_list, 0 },
	{ "evaluation.list",	cmd_evaluation_list, CMD_STUDENT | CMD_COORDINATOR },
	{ "evaluation.show",	cmd_evaluation_show, CMD_STUDENT | CMD_COORDINATOR },
	{ "evaluation.apply",	cmd_evaluation_apply, CMD_COORDINATOR },
	{ "evaluation.send",	cmd_evaluation_send, CMD_EMPLOYER },
	{ "credential.issue",	cmd_credential_issue, CMD_COORDINATOR },
	{ "credential.show",	cmd_credential_show, CMD_STUDENT | CMD_COORDINATOR },
	{ "report.wbl",		cmd_report_wbl,	CMD_COORDINATOR },
};

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
cmd_fail(struct cmd_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	const char *why;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	/* The store knows why it failed (a full disk, and where). */
	if (code == MENTOR_ESTORE && c->node != NULL &&
	    (why = store_why(c->node->store)) != NULL &&
	    strstr(c->err, why) == NULL && (len = strlen(c->err)) <
	    sizeof(c->err) - 3)
		snprintf(c->err + len, sizeof(c->err) - len, ": %s", why);
	return code;
}

int
cmd_school_only(struct cmd_ctx *c)
{
	if (c->node->conf.role != ROLE_SCHOOL)
		return cmd_fail(c, MENTOR_EPERM, "students live on school "
		    "nodes; this node is %s %s",
		    c->node->conf.role == ROLE_EMPLOYER ? "an" : "a",
		    node_role_name(c->node->conf.role));
	return 0;
}

int
arg_str(struct cmd_ctx *c, const char *name, int required, const char **out)
{
	json_t *v = json_object_get(c->req->args, name);

	if (v == NULL) {
		if (required)
			return cmd_fail(c, MENTOR_EINVAL, "%s: missing", name);
		return 0;
	}
	if (!json_is_string(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be a string",
		    name);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: contains a NUL byte",
		    name);
	*out = json_string_value(v);
	return 0;
}

int
arg_int(struct cmd_ctx *c, const char *name, int required, long long min,
    long long max, long long *out)
{
	json_t *v = json_object_get(c->req->args, name);
	long long x;

	if (v == NULL) {
		if (required)
			return cmd_fail(c, MENTOR_EINVAL, "%s: missing", name);
		return 0;
	}
	if (!json_is_integer(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be an integer",
		    name);
	x = json_integer_value(v);
	if (x < min || x > max)
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be %lld to %lld",
		    name, min, max);
	*out = x;
	return 0;
}

int
arg_bool(struct cmd_ctx *c, const char *name, int *out)
{
	json_t *v = json_object_get(c->req->args, name);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be true or false",
		    name);
	*out = json_is_true(v);
	return 0;
}

int
arg_student(struct cmd_ctx *c, const char *name, const char **out)
{
	const char *s = NULL;
	int rc;

	if (c->who != CMD_WHO_STUDENT)
		return arg_str(c, name, 1, out);
	if ((rc = arg_str(c, name, 0, &s)) != 0)
		return rc;
	if (s && strcmp(s, c->student) != 0)
		return cmd_fail(c, MENTOR_EPERM, "a student key gives access "
		    "to its own student only");
	*out = c->student;
	return 0;
}

int
arg_hex(struct cmd_ctx *c, const char *name, const char *what, uint8_t *out,
    size_t len)
{
	const char *s;
	int rc;

	if ((rc = arg_str(c, name, 1, &s)) != 0)
		return rc;
	if (hex_decode(out, len, s) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "%s: \"%.80s\" is not a %s "
		    "(%zu hex digits)", name, s, what, 2 * len);
	return 0;
}

static const char *who_names[] = {
	"operator", "admin", "coordinator", "employer", "student"
};

const char *
cmd_who_name(enum cmd_who who)
{
	if ((unsigned)who >= sizeof(who_names) / sizeof(who_names[0]))
		return "?";
	return who_names[who];
}

int
cmd_allowed(const struct cmd_entry *ce, enum cmd_who who)
{
	switch (who) {
	case CMD_WHO_OPERATOR:
	case CMD_WHO_ADMIN:
		return 1;
	case CMD_WHO_COORDINATOR:
		return (ce->flags & CMD_COORDINATOR) != 0;
	case CMD_WHO_EMPLOYER:
		return (ce->flags & CMD_EMPLOYER) != 0;
	case CMD_WHO_STUDENT:
		return (ce->flags & CMD_STUDENT) != 0;
	}
	return 0;
}

int
cmd_exec(struct cmd_ctx *c, const char *name)
{
	const struct cmd_entry *ce;
	double t0 = metrics_clock();
	int rc;

	if ((ce = cmd_find(name)) == NULL) {
		rc = cmd_fail(c, MENTOR_EINVAL, "unknown command \"%.32s\"",
		    name);
		goto out;
	}
	if (c->who == CMD_WHO_STUDENT && c->student == NULL) {
		rc = cmd_fail(c, MENTOR_EPERM, "no student");
		goto out;
	}
	if (!cmd_allowed(ce, c->who)) {
		rc = c->who == CMD_WHO_STUDENT ? cmd_fail(c, MENTOR_EPERM,
		    "%s: not allowed with a student key", name) :
		    cmd_fail(c, MENTOR_EPERM, "%s: not allowed to a%s %s",
		    name, c->who == CMD_WHO_ADMIN ? "n" : "",
		    cmd_who_name(c->who));
		goto out;
	}
	if (c->data != NULL && !(ce->flags & CMD_DATA)) {
		rc = cmd_fail(c, MENTOR_EPROTO, "%s takes no data frame",
		    name);
		goto out;
	}
	if (c->datalen > MENTOR_API_DATA_MAX) {
		rc = cmd_fail(c, MENTOR_ETOOBIG, "data frame over %u bytes",
		    MENTOR_API_DATA_MAX);
		goto out;
	}
	rc = ce->fn(c);
out:
	if (rc != 0) {
		json_decref(c->result);
		c->result = c->details;	/* sent as error.details, if any */
		c->details = NULL;
		free(c->out);
		c->out = NULL;
		c->outlen = 0;
	}
	json_decref(c->details);
	c->details = NULL;
	metrics_api(c->node, ce ? ce->name : NULL, rc, metrics_clock() - t0);
	return rc;
}
