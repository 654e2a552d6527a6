/*
 * cmd_evidence.c: evaluation list/show/apply on a school node (the
 * evaluations employers sent about its students, and applying one to a
 * student's competency levels).  evidence.c does the work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apps.h"
#include "cmd.h"
#include "evidence.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "placement.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define EVAL_LIST_MAX	10000	/* evaluations listed in one reply */

/* who_by: "coordinator NAME" for the audit log. */
static void
who_by(const struct cmd_ctx *c, char *by, size_t len)
{
	snprintf(by, len, "%s%s%.64s", cmd_who_name(c->who),
	    c->user && c->who != CMD_WHO_STUDENT ? " " : "",
	    c->user && c->who != CMD_WHO_STUDENT ? c->user : "");
}

struct elist_arg {
	const char	*student;	/* NULL: all */
	json_t		*list;
};

static int
elist_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct elist_arg *a = arg;
	const uint8_t *k = key;
	const char *st;
	json_t *e, *s;

	if (klen < 1 || k[0] != 'v')
		return 1;
	if (klen != 17 || (e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	st = json_string_value(json_object_get(e, "student"));
	if (st == NULL || (a->student && strcmp(st, a->student) != 0)) {
		json_decref(e);
		return 0;
	}
	s = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:I,s:O,s:O}",
	    "evaluation", json_object_get(e, "evaluation"),
	    "student", json_object_get(e, "student"),
	    "application", json_object_get(e, "application"),
	    "stage", json_object_get(e, "stage"),
	    "assessor", json_object_get(e, "assessor"),
	    "created", json_object_get(e, "created"),
	    "ratings", (json_int_t)json_array_size(json_object_get(e,
	    "ratings")),
	    "received", json_object_get(e, "received"),
	    "applied", json_object_get(e, "applied"));
	json_decref(e);
	if (s == NULL || json_array_append_new(a->list, s) != 0)
		return MENTOR_ENOMEM;
	return json_array_size(a->list) >= EVAL_LIST_MAX;
}

static int
elist_fn(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "v", 1, elist_each, arg);

	return rc < 0 ? rc : 0;
}

int
cmd_evaluation_list(struct cmd_ctx *c)
{
	struct elist_arg a = { NULL, NULL };
	int rc;

	if ((rc = cmd_school_only(c)) != 0)
		return rc;
	if (c->who == CMD_WHO_STUDENT) {
		if ((rc = arg_student(c, "student", &a.student)) != 0)
			return rc;
	} else if ((rc = arg_str(c, "student", 0, &a.student)) != 0)
		return rc;
	if ((a.list = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(c->node->store, elist_fn, &a)) != 0) {
		json_decref(a.list);
		return cmd_fail(c, rc, "store failed");
	}
	c->result = a.list;
	return 0;
}

struct eget_arg {
	uint8_t		 id[16];
	json_t		*e;
};

static int
eget_fn(struct store_txn *t, void *arg)
{
	struct eget_arg *a = arg;

	return evidence_evaluation(t, a->id, &a->e);
}

int
cmd_evaluation_show(struct cmd_ctx *c)
{
	struct eget_arg a;
	char hex[33];
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_hex(c, "id", "well-formed evaluation id", a.id, sizeof(a.id))) != 0)
		return rc;
	hex_encode(hex, a.id, sizeof(a.id));
	rc = store_read(c->node->store, eget_fn, &a);
	/* A student sees their own only; others do not exist for them. */
	if (rc == 0 && c->who == CMD_WHO_STUDENT && (c->student == NULL ||
	    strcmp(json_string_value(json_object_get(a.e, "student")) ?
	    json_string_value(json_object_get(a.e, "student")) : "",
	    c->student) != 0)) {
		json_decref(a.e);
		rc = MENTOR_ENOTFOUND;
	}
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no evaluation %s", hex);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = a.e;
	return 0;
}

struct eapply_arg {
	struct node	*node;
	uint8_t		 id[16];
	const char	*by;
	json_t		*changes;
	char		*err;
	size_t		 errlen;
};

static int
eapply_fn(struct store_txn *t, void *arg)
{
	struct eapply_arg *a = arg;

	json_decref(a->changes);
	a->changes = NULL;
	return evidence_apply(t, a->node, a->id, EVIDENCE_SET, a->by,
	    &a->changes, a->err, a->errlen);
}

int
cmd_evaluation_apply(struct cmd_ctx *c)
{
	struct eapply_arg a;
	char by[128], hex[33];
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_hex(c, "id", "well-formed evaluation id", a.id, sizeof(a.id))) != 0)
		return rc;
	hex_encode(hex, a.id, sizeof(a.id));
	who_by(c, by, sizeof(by));
	a.node = c->node;
	a.by = by;
	a.err = c->err;
	a.errlen = sizeof(c->err);
	c->err[0] = '\0';
	rc = store_write(c->node->store, eapply_fn, &a);
	if (rc != 0) {
		json_decref(a.changes);
		if (c->err[0] != '\0' && rc != MENTOR_ESTORE)
			return rc;
		return cmd_fail(c, rc, "store failed; nothing was applied");
	}
	log_info("evaluations: one applied (%zu levels changed)",
	    json_array_size(a.changes));
	c->result = json_pack("{s:s,s:o}", "evaluation", hex, "changes",
	    a.changes);
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* ---- credentials ---------------------------------------------------- */

struct cissue_arg {
	struct node	*node;
	uint8_t		 app[16];
	const char	*by;
	json_t		*out;
	char		*err;
	size_t		 errlen;
};

static int
cissue_fn(struct store_txn *t, void *arg)
{
	struct cissue_arg *a = arg;

	json_decref(a->out);
	a->out = NULL;
	return evidence_credential_issue(t, a->node, a->app, a->by, &a->out,
	    a->err, a->errlen);
}

int
cmd_credential_issue(struct cmd_ctx *c)
{
	struct cissue_arg a;
	char by[128];
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_hex(c, "application", "well-formed application id", a.app,
	    sizeof(a.app))) != 0)
		return rc;
	who_by(c, by, sizeof(by));
	a.node = c->node;
	a.by = by;
	a.err = c->err;
	a.errlen = sizeof(c->err);
	c->err[0] = '\0';
	rc = store_write(c->node->store, cissue_fn, &a);
	if (rc != 0) {
		json_decref(a.out);
		if (c->err[0] != '\0' && rc != MENTOR_ESTORE)
			return rc;
		return cmd_fail(c, rc, "store failed; nothing was issued");
	}
	log_info("credentials: one issued");
	c->result = a.out;
	return 0;
}

struct cget_arg {
	uint8_t		 app[16];
	json_t		*b;
};

static int
cget_fn(struct store_txn *t, void *arg)
{
	struct cget_arg *a = arg;

	return evidence_credential_get(t, a->app, &a->b);
}

int
cmd_credential_show(struct cmd_ctx *c)
{
	struct cget_arg a;
	const char *st;
	char hex[33];
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_hex(c, "application", "well-formed application id", a.app,
	    sizeof(a.app))) != 0)
		return rc;
	hex_encode(hex, a.app, sizeof(a.app));
	rc = store_read(c->node->store, cget_fn, &a);
	/* A student fetches their own only; others do not exist for them. */
	if (rc == 0 && c->who == CMD_WHO_STUDENT) {
		st = json_string_value(json_object_get(a.b, "student"));
		if (c->student == NULL || st == NULL ||
		    strcmp(st, c->student) != 0) {
			json_decref(a.b);
			rc = MENTOR_ENOTFOUND;
		}
	}
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no credential for application %s", hex);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = a.b;
	return 0;
}

/* ---- sending (the employer) ------------------------------------------ */

struct eentry_arg {
	uint8_t		 app[16];
	json_t		*e;
};

static int
eentry_fn(struct store_txn *t, void *arg)
{
	struct eentry_arg *a = arg;
	uint8_t k[APPS_KEY_MAX];

	return apps_get_json(t, k, apps_aux_key(k, 'e', a->app, 16), &a->e);
}

/* in_list: whether competency id is one of list's {"competency"} items. */
static int
in_list(const json_t *list, const char *id)
{
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(json_object_get(e, "competency")) ?
		    json_string_value(json_object_get(e, "competency")) : "",
		    id) == 0)
			return 1;
	return 0;
}

/*
 * rated_on_listing: each rating names a competency the listing requires
 * or develops (the issue's rule), checked while the node still holds the
 * listing; one it no longer holds cannot be checked and is not held
 * against the employer.
 */
static int
rated_on_listing(struct cmd_ctx *c, const char *lid, const json_t *ratings)
{
	uint8_t laddr[REC_ADDR_LEN], *buf = NULL;
	const char *id;
	const json_t *r;
	json_t *body;
	struct rec rec;
	size_t len, i;
	int rc = 0;

	if (lid == NULL || hex_decode(laddr, sizeof(laddr), lid) != 0 ||
	    records_current(c->node->records, laddr, &buf, &len) != 0)
		return 0;
	if (rec_decode(&rec, buf, len) != 0 || (body = json_loadb(
	    (const char *)rec.body, rec.body_len, 0, NULL)) == NULL) {
		free(buf);
		return 0;
	}
	json_array_foreach(ratings, i, r) {
		id = json_string_value(json_object_get(r, "competency"));
		if (id == NULL || in_list(json_object_get(body, "requires"),
		    id) || in_list(json_object_get(body, "develops"), id))
			continue;	/* a missing id: plc_parse names it */
		rc = cmd_fail(c, MENTOR_EINVAL, "ratings[%zu].competency: "
		    "\"%.80s\" is not one the listing requires or develops; "
		    "rate those (mentorctl listing show %s)", i, id, lid);
		break;
	}
	json_decref(body);
	free(buf);
	return rc;
}

/*
 * evaluation.send (employer): {"application", "stage", "assessor":
 * {"name", "organization"}, "ratings": [{"competency", "level",
 * "comment"?}]}: the evaluation of the student of an accepted
 * application, sealed to the school (SPEC 13.9).
 */
int
cmd_evaluation_send(struct cmd_ctx *c)
{
	struct eentry_arg a;
	const char *app = NULL, *stage = NULL;
	uint8_t evid[16];
	char hex[33], mid[33];
	json_t *msg;
	int rc;

	memset(&a, 0, sizeof(a));
	if (c->node->conf.role != ROLE_EMPLOYER)
		return cmd_fail(c, MENTOR_EPERM, "evaluations are sent by the "
		    "employer's node");
	if ((rc = arg_hex(c, "application", "well-formed application id",
	    a.app, sizeof(a.app))) != 0 ||
	    (rc = arg_str(c, "application", 1, &app)) != 0 ||
	    (rc = arg_str(c, "stage", 1, &stage)) != 0)
		return rc;
	rc = store_read(c->node->store, eentry_fn, &a);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no application %.32s received here",
		    app);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	if ((rc = rated_on_listing(c, json_string_value(json_object_get(a.e,
	    "listing")), json_object_get(c->req->args, "ratings"))) != 0) {
		json_decref(a.e);
		return rc;
	}
	randombytes_buf(evid, sizeof(evid));
	hex_encode(hex, evid, sizeof(evid));
	msg = json_pack("{s:s,s:s,s:O*,s:s,s:O*,s:O*}", "type", "evaluation",
	    "evaluation", hex, "listing", json_object_get(a.e, "listing"),
	    "stage", stage, "assessor", json_object_get(c->req->args,
	    "assessor"), "ratings", json_object_get(c->req->args, "ratings"));
	json_decref(a.e);
	if (msg == NULL)
		return MENTOR_ENOMEM;
	/* A missing member is named by plc_parse, as the school would. */
	if ((rc = placement_send(c, app, msg, mid)) != 0)
		return rc;
	c->result = json_pack("{s:s,s:s,s:s}", "application", app,
	    "evaluation", hex, "message", mid);
	return c->result ? 0 : MENTOR_ENOMEM;
}
