/*
 * cmd_hours.c: attendance of a placement (SPEC.md 13.9 "hours" and
 * "hours-answer"): the school logs a day's hours, the employer confirms
 * or disputes each entry, both list them with the same totals.  The
 * rules live in placement.c, run alike by the sender and the recipient.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "application.h"
#include "cmd.h"
#include "mentor.h"
#include "node.h"
#include "placement.h"
#include "store.h"
#include "util.h"

/* arg_minutes: "minutes" (an integer) or "hours" (2.5, "2.5", "2:30"). */
static int
arg_minutes(struct cmd_ctx *c, long long *out)
{
	json_t *h = json_object_get(c->req->args, "hours");
	json_t *m = json_object_get(c->req->args, "minutes");
	double x;
	int v;

	if (h && m)
		return cmd_fail(c, MENTOR_EINVAL, "give hours or minutes, "
		    "not both");
	if (m)
		return arg_int(c, "minutes", 1, 1, 24 * 60, out);
	if (h == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "hours: missing (or give "
		    "minutes)");
	if (json_is_string(h) && plc_hours_parse(json_string_value(h),
	    &v) == 0) {
		*out = v;
		return 0;
	}
	if (json_is_number(h)) {
		x = json_number_value(h) * 60;
		if (isfinite(x) && x >= 0.5 && x < 24 * 60 + 0.5) {
			*out = (long long)floor(x + 0.5);
			return 0;
		}
	}
	return cmd_fail(c, MENTOR_EINVAL, "hours: must be a number of hours "
	    "from 0.02 to 24, like 2, 2.5 or 2:30");
}

/* hours.log {id, date, hours | minutes, activity} (school side) */
int
cmd_hours_log(struct cmd_ctx *c)
{
	const char *id, *date, *activity;
	uint8_t eid[16];
	char ehex[33], mid[33];
	long long minutes = 0;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = arg_str(c, "date", 1, &date)) != 0 ||
	    (rc = arg_minutes(c, &minutes)) != 0 ||
	    (rc = arg_str(c, "activity", 1, &activity)) != 0)
		return rc;
	randombytes_buf(eid, sizeof(eid));
	hex_encode(ehex, eid, sizeof(eid));
	if ((rc = placement_send(c, id, json_pack("{s:s,s:s,s:s,s:I,s:s}",
	    "type", "hours", "entry", ehex, "date", date, "minutes",
	    (json_int_t)minutes, "activity", activity), mid)) != 0)
		return rc;
	c->result = json_pack("{s:s,s:s,s:s,s:s,s:I}", "id", id, "message",
	    mid, "entry", ehex, "date", date, "minutes", (json_int_t)minutes);
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* The answers a person may type, and what they mean on the wire. */
static const struct {
	const char	*word, *status;
} answers[] = {
	{ "confirm",	"confirmed" },
	{ "confirmed",	"confirmed" },
	{ "dispute",	"disputed" },
	{ "disputed",	"disputed" },
};

/* hours.answer {id, entry, status: confirm|dispute, note?} (employer) */
int
cmd_hours_answer(struct cmd_ctx *c)
{
	const char *id, *entry, *word, *note = NULL, *status = NULL;
	char mid[33];
	size_t i;
	int rc;

	if (c->node->conf.role != ROLE_EMPLOYER)
		return cmd_fail(c, MENTOR_EPERM, "attendance is confirmed or "
		    "disputed by the employer, on its node; this node is a %s",
		    node_role_name(c->node->conf.role));
	if ((rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = arg_str(c, "entry", 1, &entry)) != 0 ||
	    (rc = arg_str(c, "status", 1, &word)) != 0 ||
	    (rc = arg_str(c, "note", 0, &note)) != 0)
		return rc;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		if (strcmp(word, answers[i].word) == 0)
			status = answers[i].status;
	if (status == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "status: \"%.40s\" is not "
		    "confirm or dispute", word);
	if ((rc = placement_send(c, id, json_pack("{s:s,s:s,s:s,s:s*}",
	    "type", "hours-answer", "entry", entry, "status", status, "note",
	    note), mid)) != 0)
		return rc;
	c->result = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "message", mid,
	    "entry", entry, "status", status);
	return c->result ? 0 : MENTOR_ENOMEM;
}

struct list_arg {
	const uint8_t	*app;
	json_t		*entry;
	char		 side;
};

static int
list_fn(struct store_txn *t, void *arg)
{
	struct list_arg *a = arg;

	return placement_entry(t, a->app, &a->entry, &a->side);
}

/* hours.list {id}: the placement's attendance and its totals. */
int
cmd_hours_list(struct cmd_ctx *c)
{
	struct list_arg a;
	uint8_t app[16];
	const char *id, *student;
	const json_t *pl;
	json_t *r = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	a.app = app;
	if ((rc = arg_str(c, "id", 1, &id)) != 0)
		return rc;
	if (hex_decode(app, sizeof(app), id) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "id: \"%.80s\" is not an "
		    "application id (32 hex digits)", id);
	rc = store_read(c->node->store, list_fn, &a);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no application %s on this node", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	student = json_string_value(json_object_get(a.entry, "student"));
	if (c->student && (a.side != 's' || student == NULL ||
	    strcmp(student, c->student) != 0)) {
		rc = cmd_fail(c, MENTOR_ENOTFOUND, "no application %s on this "
		    "node", id);
		goto out;
	}
	pl = json_object_get(a.entry, "placement");
	if (!json_is_object(pl)) {
		rc = cmd_fail(c, MENTOR_ENOTFOUND, "application %s has no "
		    "placement: it was not accepted", id);
		goto out;
	}
	if ((r = placement_hours(pl)) == NULL ||
	    json_object_set_new(r, "id", json_string(id)) != 0 ||
	    json_object_set_new(r, "side", json_string(a.side == 's' ?
	    "school" : "employer")) != 0 ||
	    json_object_set(r, "state", json_object_get(pl, "state")) != 0 ||
	    (json_object_get(pl, "start") && json_object_set(r, "start",
	    json_object_get(pl, "start")) != 0) ||
	    (json_object_get(pl, "end") && json_object_set(r, "end",
	    json_object_get(pl, "end")) != 0) ||
	    (json_object_get(a.entry, "title") && json_object_set(r,
	    "title", json_object_get(a.entry, "title")) != 0)) {
		json_decref(r);
		rc = MENTOR_ENOMEM;
		goto out;
	}
	c->result = r;
out:
	json_decref(a.entry);
	return rc;
}
