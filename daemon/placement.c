/*
 * placement.c: placement messages between a school and an employer (see
 * placement.h, SPEC.md 13.9): the table of message types, sending,
 * receiving, and the seat a withdrawal frees.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "application.h"
#include "apps.h"
#include "cmd.h"
#include "evidence.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "outbox.h"
#include "placement.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define KEY_MAX		APPS_KEY_MAX
#define PLC_LIFE_MS	(90LL * 86400 * 1000)
#define HISTORY_MAX	64	/* state changes kept per placement */
#define HOURS_MAX	1000	/* attendance entries per placement */
#define DAY_MS		86400000LL
#define SKEW_MS		300000LL	/* the clock allowance of SPEC 4.4 */

typedef int (*plc_fn)(struct plc_ctx *);

static int	apply_withdraw(struct plc_ctx *);
static int	apply_state(struct plc_ctx *);
static int	apply_hours(struct plc_ctx *);
static int	apply_hours_answer(struct plc_ctx *);
static int	apply_refusal(struct plc_ctx *);

/*
 * The message types: who may send each ('s' school, 'e' employer, 0
 * either) and how it changes the entry on both nodes.  A type without a
 * function is refused as not handled by this node.
 */
static const struct plc_type {
	const char	*type;
	char		 sent_by;
	plc_fn		 fn;
} plc_types[] = {
	{ "withdraw",		's',	apply_withdraw },
	{ "state",		0,	apply_state },
	{ "hours",		's',	apply_hours },
	{ "hours-answer",	'e',	apply_hours_answer },
	{ "evaluation",		'e',	evidence_plc_apply },
	{ "refusal",		0,	apply_refusal },
};

static const struct plc_type *
plc_type(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(plc_types) / sizeof(plc_types[0]); i++)
		if (type && strcmp(plc_types[i].type, type) == 0)
			return &plc_types[i];
	return NULL;
}

static const char *
side_name(char side)
{
	return side == 's' ? "school" : "employer";
}

static int
refuse(struct plc_ctx *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct plc_ctx *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return MENTOR_EINVAL;
}

json_t *
placement_new(const json_t *listing, const char *by, int64_t now)
{
	const char *start = json_string_value(json_object_get(listing,
	    "start"));
	char today[11];
	json_t *p;

	date_format(today, (int32_t)(now / 86400000));
	p = json_pack("{s:s,s:s,s:O*,s:O*,s:O*,s:[{s:s,s:s,s:I}],s:[],s:[]}",
	    "state", "scheduled", "start", start ? start : today,
	    "end", json_object_get(listing, "end"),
	    "kind", json_object_get(listing, "kind"),
	    "employer_name", json_object_get(listing, "organization"),
	    "history", "state", "scheduled", "by", by, "at", (json_int_t)now,
	    "hours", "evaluations");
	return p;
}

/* history_add: appends a state change to the placement's history. */
static int
history_add(json_t *pl, const char *state, char by, const json_t *note,
    int64_t at)
{
	json_t *h = json_object_get(pl, "history"), *e;

	if (!json_is_array(h)) {
		if (json_object_set_new(pl, "history", json_array()) != 0)
			return MENTOR_ENOMEM;
		h = json_object_get(pl, "history");
	}
	if (json_array_size(h) >= HISTORY_MAX)
		json_array_remove(h, 1);	/* keep the first */
	e = json_pack("{s:s,s:s,s:I,s:O*}", "state", state, "by",
	    side_name(by), "at", (json_int_t)at, "note", note);
	if (e == NULL || json_array_append_new(h, e) != 0 ||
	    json_object_set_new(pl, "state", json_string(state)) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

/*
 * seat_free: on the employer, an accepted application withdrawn or its
 * placement cancelled: one place less taken, and the listing queued to be
 * republished not full.
 */
static int
seat_free(struct plc_ctx *p)
{
	uint8_t k[KEY_MAX], laddr[REC_ADDR_LEN], cnt[8];
	const char *lid = json_string_value(json_object_get(p->entry,
	    "listing"));
	const void *v;
	size_t vlen;
	uint64_t count = 0;
	int rc;

	if (lid == NULL || hex_decode(laddr, sizeof(laddr), lid) != 0)
		return MENTOR_ESTORE;
	/* Signed again by a new key since (rotate.c): the place is its. */
	if (store_get(p->txn, DB_AUX, k, apps_aux_key(k, 'f', laddr,
	    REC_ADDR_LEN), &v, &vlen) == 0 && vlen == REC_ADDR_LEN)
		memcpy(laddr, v, REC_ADDR_LEN);
	if (store_get(p->txn, DB_AUX, k, apps_aux_key(k, 'n', laddr,
	    REC_ADDR_LEN), &v, &vlen) == 0 && vlen == 8)
		count = get_be64(v);
	put_be64(cnt, count > 0 ? count - 1 : 0);
	if ((rc = store_put(p->txn, DB_AUX, k, apps_aux_key(k, 'n', laddr,
	    REC_ADDR_LEN), cnt, sizeof(cnt))) != 0)
		return rc;
	p->seat_freed = 1;
	return store_put(p->txn, DB_AUX, k, apps_aux_key(k, 'r', laddr,
	    REC_ADDR_LEN), "", 0);
}

/*
 * withdraw: the school takes back an application, pending or accepted.
 * An accepted one's placement is cancelled and, on the employer, its
 * seat freed.
 */
static int
apply_withdraw(struct plc_ctx *p)
{
	const char *st = json_string_value(json_object_get(p->entry,
	    "status"));
	const json_t *note = json_object_get(p->msg, "note");
	json_t *pl = json_object_get(p->entry, "placement");
	const char *plst = json_string_value(json_object_get(pl, "state"));
	int accepted, rc;

	if (st == NULL || (strcmp(st, "pending") != 0 &&
	    strcmp(st, "accepted") != 0))
		return refuse(p, "application %s is %s; only a pending or "
		    "accepted application can be withdrawn", p->app_hex,
		    st ? st : "in no known state");
	accepted = strcmp(st, "accepted") == 0;
	if (plst && strcmp(plst, "completed") == 0)
		return refuse(p, "the placement of application %s is "
		    "completed; it cannot be withdrawn", p->app_hex);
	/* Cancelled before: its seat was freed then (apply_state). */
	if (plst && strcmp(plst, "cancelled") == 0) {
		accepted = 0;
		pl = NULL;
	}
	if (json_object_set_new(p->entry, "status",
	    json_string("withdrawn")) != 0 ||
	    json_object_set_new(p->entry, "withdrawn",
	    json_integer(p->now)) != 0 ||
	    (note && json_object_set(p->entry, "withdraw_note",
	    (json_t *)note) != 0))
		return MENTOR_ENOMEM;
	if (pl && (rc = history_add(pl, "cancelled", p->from, note,
	    p->now)) != 0)
		return rc;
	if (accepted && p->side == 'e')
		return seat_free(p);
	return 0;
}

/* The moves a placement's state may make; completed and cancelled end it. */
static const struct {
	const char	*from, *to;
} moves[] = {
	{ "scheduled",	"active" },
	{ "scheduled",	"completed" },
	{ "scheduled",	"cancelled" },
	{ "active",	"completed" },
	{ "active",	"cancelled" },
};

static int
apply_state(struct plc_ctx *p)
{
	json_t *pl = json_object_get(p->entry, "placement");
	const char *to = json_string_value(json_object_get(p->msg, "state"));
	const char *cur;
	size_t i;
	int rc;

	if (!json_is_object(pl))
		return refuse(p, "application %s has no placement: it was "
		    "not accepted", p->app_hex);
	cur = json_string_value(json_object_get(pl, "state"));
	if (cur == NULL)
		return MENTOR_ESTORE;
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (strcmp(moves[i].from, cur) == 0 &&
		    strcmp(moves[i].to, to) == 0)
			break;
	if (i == sizeof(moves) / sizeof(moves[0]))
		return refuse(p, "the placement is %s; it cannot become %s",
		    cur, to);
	if ((rc = history_add(pl, to, p->from, json_object_get(p->msg,
	    "note"), p->now)) != 0)
		return rc;
	/* A cancelled placement gives its seat back, as a withdrawal does. */
	if (strcmp(to, "cancelled") == 0 && p->side == 'e')
		return seat_free(p);
	return 0;
}

/* ---- attendance (SPEC 13.9 "hours", "hours-answer") ------------------ */

/*
 * The minutes one student already has on one date, over every placement
 * this node keeps for them: on the school the entries naming the same
 * student, on the employer those from the same school with the same
 * student_ref.  The application being changed is counted from the caller
 * (its stored copy may be older).
 */
struct day_arg {
	char		 side;
	const char	*app_hex;	/* skipped */
	const char	*who;		/* student, or student_ref */
	const char	*school;	/* employer side */
	const char	*date;
	long long	 minutes;
};

/* hours_refused: an entry the other party's node refused (a refusal). */
static int
hours_refused(const json_t *e)
{
	const char *st = json_string_value(json_object_get(e, "status"));

	return st != NULL && strcmp(st, "refused") == 0;
}

static long long
day_minutes(const json_t *entry, const char *date)
{
	const json_t *h = json_object_get(json_object_get(entry, "placement"),
	    "hours"), *e;
	long long sum = 0;
	size_t i;

	json_array_foreach(h, i, e)
		if (json_is_string(json_object_get(e, "date")) &&
		    strcmp(json_string_value(json_object_get(e, "date")),
		    date) == 0 && !hours_refused(e))
			sum += json_integer_value(json_object_get(e,
			    "minutes"));
	return sum;
}

static int
day_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct day_arg *a = arg;
	const uint8_t *k = key;
	char hex[2 * APP_ID_LEN + 1];
	const char *who, *school;
	json_t *e;

	if (klen < 1 || k[0] != (uint8_t)a->side)
		return 1;
	if (klen != 1 + APP_ID_LEN)
		return 0;
	hex_encode(hex, k + 1, APP_ID_LEN);
	if (strcmp(hex, a->app_hex) == 0 ||
	    (e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	who = json_string_value(json_object_get(e, a->side == 's' ?
	    "student" : "student_ref"));
	school = json_string_value(json_object_get(e, "school"));
	if (who && strcmp(who, a->who) == 0 && (a->side == 's' ||
	    (school && strcmp(school, a->school) == 0)))
		a->minutes += day_minutes(e, a->date);
	json_decref(e);
	return 0;
}

/* hours_find: the attendance entry with id hex in hours, or NULL. */
static json_t *
hours_find(const json_t *hours, const char *hex)
{
	json_t *e;
	size_t i;

	json_array_foreach(hours, i, e)
		if (json_is_string(json_object_get(e, "entry")) &&
		    strcmp(json_string_value(json_object_get(e, "entry")),
		    hex) == 0)
			return e;
	return NULL;
}

/*
 * hours: the school logs a day's attendance.  Refused unless the
 * placement is scheduled or active, the date has begun (the recipient
 * allows the clock skew of SPEC 4.4) and lies within the placement's
 * dates, and the student's minutes on that date stay within a day.
 */
static int
apply_hours(struct plc_ctx *p)
{
	json_t *pl = json_object_get(p->entry, "placement"), *hours, *e;
	const char *date = json_string_value(json_object_get(p->msg, "date"));
	const char *eid = json_string_value(json_object_get(p->msg, "entry"));
	const char *st, *start, *end;
	long long minutes = json_integer_value(json_object_get(p->msg,
	    "minutes")), sum;
	int64_t now = p->now + (p->side != p->from ? SKEW_MS : 0);
	struct day_arg d;
	char today[11];
	int32_t day;
	int rc;

	if (!json_is_object(pl))
		return refuse(p, "application %s has no placement: it was "
		    "not accepted", p->app_hex);
	st = json_string_value(json_object_get(pl, "state"));
	if (st == NULL || (strcmp(st, "scheduled") != 0 &&
	    strcmp(st, "active") != 0))
		return refuse(p, "the placement is %s; hours are logged only "
		    "while it is scheduled or active", st ? st : "unknown");
	if (date_parse(date, &day) != 0)
		return MENTOR_EINVAL;	/* plc_parse checked it */
	date_format(today, (int32_t)(now / DAY_MS));
	if (day > now / DAY_MS)
		return refuse(p, "date %s is in the future (today is %s, UTC)",
		    date, today);
	start = json_string_value(json_object_get(pl, "start"));
	end = json_string_value(json_object_get(pl, "end"));
	if (start && strcmp(date, start) < 0)
		return refuse(p, "date %s is before the placement starts "
		    "(%s)", date, start);
	if (end && strcmp(date, end) > 0)
		return refuse(p, "date %s is after the placement ends (%s)",
		    date, end);
	hours = json_object_get(pl, "hours");
	if (!json_is_array(hours)) {
		if (json_object_set_new(pl, "hours", json_array()) != 0)
			return MENTOR_ENOMEM;
		hours = json_object_get(pl, "hours");
	}
	if (hours_find(hours, eid) != NULL)
		return refuse(p, "attendance entry %s is already logged", eid);
	if (json_array_size(hours) >= HOURS_MAX)
		return refuse(p, "the placement already has %d attendance "
		    "entries, the most a placement keeps", HOURS_MAX);
	/* The day's sum, over all of the student's placements here. */
	memset(&d, 0, sizeof(d));
	d.side = p->side;
	d.app_hex = p->app_hex;
	d.who = json_string_value(json_object_get(p->entry, p->side == 's' ?
	    "student" : "student_ref"));
	d.school = json_string_value(json_object_get(p->entry, "school"));
	d.date = date;
	if (d.who && (p->side == 's' || d.school)) {
		rc = store_iter(p->txn, DB_AUX, p->side == 's' ? "s" : "e", 1,
		    day_each, &d);
		if (rc < 0)
			return rc;
	}
	sum = d.minutes + day_minutes(p->entry, date);
	if (sum + minutes > 24 * 60)
		return refuse(p, "the student's hours on %s would add up to "
		    "%lld h %02lld min (%lld h %02lld min already logged); a "
		    "day holds 24 hours", date, (sum + minutes) / 60,
		    (sum + minutes) % 60, sum / 60, sum % 60);
	e = json_pack("{s:s,s:s,s:I,s:O,s:s,s:O}", "entry", eid, "date", date,
	    "minutes", (json_int_t)minutes, "activity",
	    json_object_get(p->msg, "activity"), "status", "logged",
	    "logged_at", json_object_get(p->msg, "created"));
	if (e == NULL || json_array_append_new(hours, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

/*
 * hours-answer: the employer confirms or disputes one entry, once.  A
 * placement that ended keeps taking answers to the hours logged before.
 */
static int
apply_hours_answer(struct plc_ctx *p)
{
	json_t *pl = json_object_get(p->entry, "placement"), *e;
	const char *eid = json_string_value(json_object_get(p->msg, "entry"));
	const char *st;
	const json_t *note = json_object_get(p->msg, "note");

	if (!json_is_object(pl))
		return refuse(p, "application %s has no placement: it was "
		    "not accepted", p->app_hex);
	if ((e = hours_find(json_object_get(pl, "hours"), eid)) == NULL)
		return refuse(p, "application %s has no attendance entry %s",
		    p->app_hex, eid);
	st = json_string_value(json_object_get(e, "status"));
	if (st == NULL || strcmp(st, "logged") != 0)
		return refuse(p, "attendance entry %s is already %s", eid,
		    st ? st : "answered");
	if (json_object_set(e, "status", json_object_get(p->msg,
	    "status")) != 0 || json_object_set(e, "answered_at",
	    json_object_get(p->msg, "created")) != 0 ||
	    (note && json_object_set(e, "note", (json_t *)note) != 0))
		return MENTOR_ENOMEM;
	return 0;
}

/*
 * refusal: the other party's node refused a message this node sent (its
 * rules, applied to its own copy, ruled it out).  Kept in the entry
 * ("refused_by_other": [{id, type, reason, at}], the latest REFUSED_MAX)
 * for `placement show`; a refused attendance entry becomes "refused" and
 * leaves the totals, so both nodes count the same hours.  Other refused
 * changes are only reported: the people agree on what to do.
 */
#define REFUSED_MAX	32	/* refusals kept per application */

/*
 * refusal_keep: {id, type, reason, at} joins the list named key in entry,
 * which keeps the latest REFUSED_MAX.  0 or MENTOR_ENOMEM.
 */
static int
refusal_keep(json_t *entry, const char *key, const json_t *id,
    const char *type, const char *reason, int64_t at)
{
	json_t *list, *r;

	if (!json_is_array(list = json_object_get(entry, key)) &&
	    ((list = json_array()) == NULL ||
	    json_object_set_new(entry, key, list) != 0))
		return MENTOR_ENOMEM;
	while (json_array_size(list) >= REFUSED_MAX)
		json_array_remove(list, 0);
	r = json_pack("{s:O,s:s,s:s,s:I}", "id", id, "type", type, "reason",
	    reason, "at", (json_int_t)at);
	return r != NULL && json_array_append_new(list, r) == 0 ? 0 :
	    MENTOR_ENOMEM;
}

static int
apply_refusal(struct plc_ctx *p)
{
	const char *rtype = json_string_value(json_object_get(p->msg,
	    "refused_type"));
	const char *eid = json_string_value(json_object_get(p->msg, "entry"));
	const json_t *reason = json_object_get(p->msg, "reason");
	json_t *e;
	int rc;

	if ((rc = refusal_keep(p->entry, "refused_by_other",
	    json_object_get(p->msg, "refused"), rtype,
	    json_string_value(reason), p->now)) != 0)
		return rc;
	if (strcmp(rtype, "hours") != 0 || eid == NULL)
		return 0;
	e = hours_find(json_object_get(json_object_get(p->entry,
	    "placement"), "hours"), eid);
	if (e == NULL)
		return 0;	/* reported above; nothing to mark */
	if (json_object_set_new(e, "status", json_string("refused")) != 0 ||
	    json_object_set(e, "note", (json_t *)reason) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

/* by_date: entries by date, then time logged, then entry id. */
static int
by_date(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *dx = json_string_value(json_object_get(x, "date"));
	const char *dy = json_string_value(json_object_get(y, "date"));
	json_int_t tx = json_integer_value(json_object_get(x, "logged_at"));
	json_int_t ty = json_integer_value(json_object_get(y, "logged_at"));
	int c = strcmp(dx ? dx : "", dy ? dy : "");

	if (c != 0)
		return c;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	/* The same everywhere, whatever order the entries arrived in. */
	dx = json_string_value(json_object_get(x, "entry"));
	dy = json_string_value(json_object_get(y, "entry"));
	return strcmp(dx ? dx : "", dy ? dy : "");
}

json_t *
placement_hours(const json_t *placement)
{
	static const char *const names[] = { "logged", "confirmed",
	    "disputed", "pending", "refused" };
	const json_t *hours = json_object_get(placement, "hours");
	json_t **v = NULL, *out = NULL, *entries, *totals, *e;
	long long n[5] = { 0 }, m[5] = { 0 };
	const char *st;
	size_t i, k, len = json_array_size(hours);

	if (len > 0 && (v = calloc(len, sizeof(*v))) == NULL)
		return NULL;
	json_array_foreach(hours, i, e) {
		v[i] = e;
		st = json_string_value(json_object_get(e, "status"));
		k = st == NULL ? 3 : strcmp(st, "confirmed") == 0 ? 1 :
		    strcmp(st, "disputed") == 0 ? 2 :
		    strcmp(st, "refused") == 0 ? 4 : 3;
		/* A refused entry is not on the other node: not logged. */
		if (k != 4) {
			n[0]++;
			m[0] += json_integer_value(json_object_get(e,
			    "minutes"));
		}
		n[k]++;
		m[k] += json_integer_value(json_object_get(e, "minutes"));
	}
	if (len > 1)
		qsort(v, len, sizeof(*v), by_date);
	if ((entries = json_array()) == NULL || (totals = json_object()) ==
	    NULL) {
		json_decref(entries);
		goto out;
	}
	out = json_pack("{s:o,s:o}", "entries", entries, "totals", totals);
	if (out == NULL)
		goto out;
	for (i = 0; i < len; i++)
		if (json_array_append(entries, v[i]) != 0)
			goto fail;
	for (k = 0; k < 5; k++)
		if (json_object_set_new(totals, names[k], json_pack("{s:I,s:I}",
		    "entries", (json_int_t)n[k], "minutes",
		    (json_int_t)m[k])) != 0)
			goto fail;
	goto out;
fail:
	json_decref(out);
	out = NULL;
out:
	free(v);
	return out;
}

/* ---- the entry of an application, on either side ------------------- */

/*
 * placement_entry: the entry of app on this node, and the side it is on.
 */
int
placement_entry(struct store_txn *t, const uint8_t *app, json_t **entry,
    char *side)
{
	uint8_t k[KEY_MAX];
	int rc;

	*side = 's';
	if ((rc = apps_get_json(t, k, apps_aux_key(k, 's', app, APP_ID_LEN),
	    entry)) != MENTOR_ENOTFOUND)
		return rc;
	*side = 'e';
	return apps_get_json(t, k, apps_aux_key(k, 'e', app, APP_ID_LEN),
	    entry);
}

/* other_party: the key of the other side of entry, seen from side. */
static int
other_party(const json_t *entry, char side, uint8_t to[REC_KEY_LEN])
{
	const char *hex = json_string_value(json_object_get(entry,
	    side == 's' ? "employer" : "school"));

	return hex && hex_decode(to, REC_KEY_LEN, hex) == 0 ? 0 :
	    MENTOR_ESTORE;
}

/* ref_app: the application id in a placement record's ref. */
static int
ref_app(const struct rec *r, uint8_t app[APP_ID_LEN], char hex[33])
{
	size_t pl = sizeof(REC_PLC_PREFIX) - 1;

	if (r->kind != REC_PLACEMENT || r->ref_len != REC_PLC_REF_LEN)
		return MENTOR_EINVAL;
	memcpy(hex, r->ref + pl, 32);
	hex[32] = '\0';
	return hex_decode(app, APP_ID_LEN, hex);
}

int
placement_recipient(struct store_txn *t, const struct rec *r,
    uint8_t to[REC_KEY_LEN])
{
	uint8_t app[APP_ID_LEN];
	char hex[33], side;
	json_t *e;
	int rc;

	if ((rc = ref_app(r, app, hex)) != 0)
		return rc;
	if ((rc = placement_entry(t, app, &e, &side)) != 0)
		return rc;
	rc = other_party(e, side, to);
	json_decref(e);
	return rc;
}

/* run: checks who sent the type and applies it to p->entry. */
static int
run(struct plc_ctx *p)
{
	const char *type = json_string_value(json_object_get(p->msg, "type"));
	const struct plc_type *pt = plc_type(type);

	if (pt == NULL)
		return refuse(p, "unknown message type");
	if (pt->sent_by && pt->sent_by != p->from)
		return refuse(p, "only the %s sends %s", side_name(pt->sent_by),
		    type);
	if (pt->fn == NULL)
		return refuse(p, "this node does not handle %s yet", type);
	return pt->fn(p);
}

/*
 * completed_hook: after a placement's entry is written: on the school,
 * a placement that just became completed gets its credential (SPEC 14.5)
 * in the same transaction.  One that cannot be issued yet (no rating, an
 * incomplete entry) is left to `credential issue`; only store errors
 * fail the message.
 */
static int
completed_hook(struct plc_ctx *p)
{
	const char *type = json_string_value(json_object_get(p->msg, "type"));
	const char *st = json_string_value(json_object_get(p->msg, "state"));
	char err[256];
	int rc;

	if (p->side != 's' || type == NULL || strcmp(type, "state") != 0 ||
	    st == NULL || strcmp(st, "completed") != 0)
		return 0;
	rc = evidence_credential_issue(p->txn, p->node, p->app, "automatic",
	    NULL, err, sizeof(err));
	if (rc == 0)
		log_info("placement of application %s completed: credential "
		    "issued", p->app_hex);
	else if (rc == MENTOR_EINVAL || rc == MENTOR_EEXIST ||
	    rc == MENTOR_ENOTFOUND)
		log_info("placement of application %s completed: no credential "
		    "issued automatically (credential issue tells why)",
		    p->app_hex);
	return rc == MENTOR_ENOMEM || rc == MENTOR_ESTORE ? rc : 0;
}

/* ---- receiving ------------------------------------------------------- */

/*
 * note_refusal: keeps why a message from the other party was refused in
 * the application's entry ("refused": [{id, type, reason, at}], the
 * latest REFUSED_MAX), read afresh: a refused message changes nothing
 * else.
 */
static int
note_refusal(struct store_txn *t, const uint8_t *app, char side,
    const json_t *msg, const char *why, int64_t now)
{
	uint8_t k[KEY_MAX];
	size_t klen = apps_aux_key(k, side, app, APP_ID_LEN);
	json_t *e;
	int rc;

	if ((rc = apps_get_json(t, k, klen, &e)) != 0)
		return rc == MENTOR_ENOTFOUND ? 0 : rc;
	rc = refusal_keep(e, "refused", json_object_get(msg, "id"),
	    json_string_value(json_object_get(msg, "type")), why, now);
	if (rc == 0)
		rc = apps_put_json(t, k, klen, e);
	json_decref(e);
	return rc;
}

/*
 * send_refusal: tells the other party's node, at key to, that its message
 * msg was refused and why (SPEC 13.9 "refusal"), from the transaction that
 * notes the refusal: queued in the outbox, sent once it commits.  Never
 * for a refusal.  Only store errors fail the transaction; a refusal that
 * cannot be built is logged (no content) and the other side learns
 * nothing, as before refusals were sent.
 */
static int
send_refusal(struct node *n, struct store_txn *t, const char *app_hex,
    const uint8_t to[REC_KEY_LEN], const json_t *msg, const char *why)
{
	const char *type = json_string_value(json_object_get(msg, "type"));
	uint8_t id[16], *sealed = NULL, *rec = NULL;
	char idhex[33], ref[REC_REF_MAX + 1], err[256], *ptext = NULL;
	json_t *out, *chk = NULL;
	int64_t now = now_ms();
	size_t slen = 0, cap, reclen;
	int rc = MENTOR_ENOMEM;

	if (type == NULL || strcmp(type, "refusal") == 0)
		return 0;
	randombytes_buf(id, sizeof(id));
	hex_encode(idhex, id, sizeof(id));
	out = json_pack("{s:i,s:s,s:s,s:s,s:I,s:O,s:s,s:s}", "v", 1, "type",
	    "refusal", "application", app_hex, "id", idhex, "created",
	    (json_int_t)now, "refused", json_object_get(msg, "id"),
	    "refused_type", type, "reason", why);
	if (out != NULL && json_object_get(msg, "entry") != NULL &&
	    json_object_set(out, "entry", json_object_get(msg, "entry")) != 0)
		goto done;
	if (out == NULL || (ptext = json_dumps(out, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL)
		goto done;
	if ((rc = plc_parse((uint8_t *)ptext, strlen(ptext), &chk, err,
	    sizeof(err))) != 0)
		goto done;
	snprintf(ref, sizeof(ref), "%s%s%s", REC_PLC_PREFIX, app_hex, idhex);
	if ((rc = app_seal((uint8_t *)ptext, strlen(ptext), to, &sealed,
	    &slen)) != 0)
		goto done;
	rc = MENTOR_ENOMEM;
	if ((cap = rec_size(strlen(ref), slen)) == 0 ||
	    (rec = malloc(cap)) == NULL)
		goto done;
	if ((rc = rec_build(rec, cap, &reclen, REC_PLACEMENT, (uint64_t)now,
	    (uint64_t)(now + PLC_LIFE_MS), ref, strlen(ref), sealed, slen,
	    n->sign_sk)) != 0)
		goto done;
	rc = outbox_put(t, rec, reclen);
	if (rc != 0)
		rc = rc == MENTOR_ENOMEM ? rc : MENTOR_ESTORE;
	goto free;
done:
	log_warn("placement: the refusal of a %s message about application "
	    "%s could not be made: %s", type, app_hex, mentor_strerror(rc));
	rc = 0;
free:
	json_decref(out);
	json_decref(chk);
	free(ptext);
	free(sealed);
	free(rec);
	return rc;
}

int
placement_recv(struct node *n, struct store_txn *t, const struct rec *r,
    const uint8_t *plain, size_t plen)
{
	struct plc_ctx p;
	uint8_t app[APP_ID_LEN], k[KEY_MAX], other[REC_KEY_LEN];
	char hex[33], author[65], err[256];
	json_t *msg = NULL, *entry = NULL;
	const char *mapp;
	int rc = 0;

	hex_encode(author, r->author, REC_KEY_LEN);
	if (ref_app(r, app, hex) != 0)
		return 0;	/* rec_decode checked it */
	if (plc_parse(plain, plen, &msg, err, sizeof(err)) != 0) {
		log_warn("placement message from %.16s refused: %s", author,
		    err);
		return 0;
	}
	mapp = json_string_value(json_object_get(msg, "application"));
	if (strcmp(mapp, hex) != 0) {
		log_warn("placement message from %.16s refused: its content "
		    "names another application", author);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	if ((rc = placement_entry(t, app, &entry, &p.side)) != 0) {
		if (rc == MENTOR_ENOTFOUND)
			log_warn("placement message from %.16s refused: no "
			    "such application on this node", author);
		rc = rc == MENTOR_ENOTFOUND ? 0 : rc;
		goto out;
	}
	if (other_party(entry, p.side, other) != 0 ||
	    memcmp(other, r->author, REC_KEY_LEN) != 0) {
		log_warn("placement message from %.16s refused: it is not "
		    "the other party of that application", author);
		goto out;
	}
	p.node = n;
	p.txn = t;
	p.from = p.side == 's' ? 'e' : 's';
	p.app = app;
	p.app_hex = hex;
	p.msg = msg;
	p.entry = entry;
	p.now = now_ms();
	if ((rc = run(&p)) != 0) {
		if (rc == MENTOR_EINVAL) {
			/* The reason may hold a student's dates: it goes in
			 * the entry, for `placement show`, not in the log. */
			rc = note_refusal(t, app, p.side, msg, p.err, p.now);
			if (rc == 0)
				rc = send_refusal(n, t, hex, r->author, msg,
				    p.err);
			log_warn("placement message (%s) from %.16s about "
			    "application %s refused; `mentorctl placement "
			    "show` says why", json_string_value(
			    json_object_get(msg, "type")), author, hex);
		}
		goto out;
	}
	rc = apps_put_json(t, k, apps_aux_key(k, p.side, app, APP_ID_LEN),
	    entry);
	if (rc == 0)
		rc = completed_hook(&p);
	if (rc == 0)
		log_info("placement message (%s) received from %.16s",
		    json_string_value(json_object_get(msg, "type")), author);
out:
	json_decref(entry);
	json_decref(msg);
	return rc;
}

/* ---- sending ---------------------------------------------------------- */

struct entry_arg {
	const uint8_t	*app;
	json_t		*entry;
	char		 side;
};

static int
entry_fn(struct store_txn *t, void *arg)
{
	struct entry_arg *a = arg;

	return placement_entry(t, a->app, &a->entry, &a->side);
}

struct send_arg {
	struct plc_ctx	 p;
	const uint8_t	*rec;
	size_t		 reclen;
	const char	*type;
};

static int
send_fn(struct store_txn *t, void *arg)
{
	struct send_arg *a = arg;
	uint8_t k[KEY_MAX];
	char ps[33];
	json_t *e, *audit;
	const char *student;
	int rc;

	/* Re-read inside the transaction: what the checks saw is current. */
	if ((rc = apps_get_json(t, k, apps_aux_key(k, a->p.side, a->p.app,
	    APP_ID_LEN), &e)) != 0)
		return rc;
	json_decref(a->p.entry);
	a->p.entry = e;
	a->p.txn = t;
	a->p.err[0] = '\0';
	if ((rc = run(&a->p)) != 0)
		return rc;
	if ((rc = apps_put_json(t, k, apps_aux_key(k, a->p.side, a->p.app,
	    APP_ID_LEN), e)) != 0 || (rc = completed_hook(&a->p)) != 0)
		return rc;
	/* What goes to the employer about a student is a disclosure. */
	if (a->p.side == 's') {
		student = json_string_value(json_object_get(e, "student"));
		apps_pseudonym_hex(a->p.node, student ? student : "", ps);
		audit = json_pack("{s:s,s:s,s:s,s:s,s:O}", "action",
		    "placement-message", "type", a->type, "student", ps,
		    "application", a->p.app_hex, "to", json_object_get(e,
		    "employer"));
		if ((rc = apps_audit_append(t, audit)) != 0)
			return rc;
	}
	return outbox_put(t, a->rec, a->reclen);
}

int
placement_send(struct cmd_ctx *c, const char *app_hex, json_t *msg,
    char id_out[33])
{
	struct node *n = c->node;
	struct send_arg a;
	uint8_t app[APP_ID_LEN], id[16], to[REC_KEY_LEN];
	uint8_t *sealed = NULL, *rec = NULL;
	char ref[REC_REF_MAX + 1], err[256], *ptext = NULL;
	json_t *chk = NULL;
	size_t slen, reclen;
	int rc;

	memset(&a, 0, sizeof(a));
	if (hex_decode(app, sizeof(app), app_hex) != 0) {
		rc = cmd_fail(c, MENTOR_EINVAL, "id: \"%.80s\" is not an "
		    "application id (32 hex digits)", app_hex);
		goto out;
	}
	randombytes_buf(id, sizeof(id));
	hex_encode(id_out, id, sizeof(id));
	a.p.now = now_ms();
	if (json_object_set_new(msg, "v", json_integer(1)) != 0 ||
	    json_object_set_new(msg, "application",
	    json_string(app_hex)) != 0 ||
	    json_object_set_new(msg, "id", json_string(id_out)) != 0 ||
	    json_object_set_new(msg, "created",
	    json_integer(a.p.now)) != 0 ||
	    (ptext = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = plc_parse((uint8_t *)ptext, strlen(ptext), &chk, err,
	    sizeof(err))) != 0) {
		rc = cmd_fail(c, rc, "%s", err);
		goto out;
	}
	/* First read: whose application, and may this node send that? */
	a.p.node = n;
	a.p.app = app;
	a.p.app_hex = app_hex;
	a.p.msg = chk;
	a.type = json_string_value(json_object_get(chk, "type"));
	{
		struct entry_arg ea = { app, NULL, 0 };

		rc = store_read(n->store, entry_fn, &ea);
		a.p.entry = ea.entry;
		a.p.side = ea.side;
	}
	if (rc == MENTOR_ENOTFOUND) {
		rc = cmd_fail(c, rc, "no application %s on this node",
		    app_hex);
		goto out;
	}
	if (rc != 0) {
		rc = cmd_fail(c, rc, "store failed");
		goto out;
	}
	a.p.from = a.p.side;
	if (c->student && (a.p.side != 's' || !json_is_string(
	    json_object_get(a.p.entry, "student")) || strcmp(c->student,
	    json_string_value(json_object_get(a.p.entry, "student"))) != 0)) {
		rc = cmd_fail(c, MENTOR_ENOTFOUND, "no application %s on "
		    "this node", app_hex);
		goto out;
	}
	if (other_party(a.p.entry, a.p.side, to) != 0) {
		rc = cmd_fail(c, MENTOR_ESTORE, "application %s is corrupt",
		    app_hex);
		goto out;
	}
	snprintf(ref, sizeof(ref), "%s%s%s", REC_PLC_PREFIX, app_hex, id_out);
	if ((rc = app_seal((uint8_t *)ptext, strlen(ptext), to, &sealed,
	    &slen)) != 0 || (rc = records_build(n->records, REC_PLACEMENT,
	    ref, sealed, slen, a.p.now + PLC_LIFE_MS, &rec, &reclen, err,
	    sizeof(err))) != 0) {
		rc = cmd_fail(c, rc, "cannot build the message");
		goto out;
	}
	a.rec = rec;
	a.reclen = reclen;
	rc = store_write(n->store, send_fn, &a);
	if (rc == MENTOR_EINVAL) {
		rc = cmd_fail(c, rc, "%s", a.p.err);
		goto out;
	}
	if (rc != 0) {
		rc = cmd_fail(c, rc, "store failed; nothing was sent");
		goto out;
	}
	if (outbox_flush(n) > 0)
		log_warn("placement message queued; it is sent when the store "
		    "takes it");
	/* The employer cancelled a placement: its listing is not full. */
	if (a.p.seat_freed)
		placement_relist(n);
out:
	json_decref(a.p.entry);
	json_decref(chk);
	json_decref(msg);
	free(ptext);
	free(sealed);
	free(rec);
	return rc;
}

/* ---- a seat freed: the listing republished, not full ------------------ */

struct relist_arg {
	uint8_t		(*addrs)[REC_ADDR_LEN];
	size_t		 n, cap;
	const uint8_t	*addr;		/* relist_done */
	const uint8_t	*rec;		/* relist_done: NULL if none */
	size_t		 reclen;
};

static int
relist_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct relist_arg *a = arg;
	const uint8_t *k = key;
	void *x;

	(void)val;
	(void)vlen;
	if (klen < 1 || k[0] != 'r')
		return 1;
	if (klen != 1 + REC_ADDR_LEN)
		return 0;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 8;
		if ((x = realloc(a->addrs, a->cap * REC_ADDR_LEN)) == NULL)
			return MENTOR_ENOMEM;
		a->addrs = x;
	}
	memcpy(a->addrs[a->n++], k + 1, REC_ADDR_LEN);
	return 0;
}

static int
relist_scan(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "r", 1, relist_each, arg);

	return rc == 1 ? 0 : rc;
}

static int
relist_done(struct store_txn *t, void *arg)
{
	struct relist_arg *a = arg;
	uint8_t k[KEY_MAX];
	int rc;

	if (a->rec && (rc = outbox_put(t, a->rec, a->reclen)) != 0)
		return rc;
	rc = store_del(t, DB_AUX, k, apps_aux_key(k, 'r', a->addr,
	    REC_ADDR_LEN));
	return rc == MENTOR_ENOTFOUND ? 0 : rc;
}

void
placement_relist(struct node *n)
{
	struct relist_arg a;
	uint8_t *rec;
	size_t i, len;
	int rc;

	memset(&a, 0, sizeof(a));
	if (store_read(n->store, relist_scan, &a) != 0) {
		free(a.addrs);
		return;
	}
	for (i = 0; i < a.n; i++) {
		rec = NULL;
		rc = apps_listing_full(n, a.addrs[i], 0, &rec, &len);
		if (rc != 0 && rc != MENTOR_ENOTFOUND) {
			log_warn("a listing with a seat freed could not be "
			    "republished: %s", mentor_strerror(rc));
			continue;
		}
		a.addr = a.addrs[i];
		a.rec = rec;
		a.reclen = len;
		if (store_write(n->store, relist_done, &a) != 0)
			log_warn("a listing with a seat freed stays to be "
			    "republished");
		else if (rec)
			log_info("a seat was freed (a withdrawal or a "
			    "cancelled placement): listing republished as "
			    "not full");
		free(rec);
	}
	free(a.addrs);
	if (a.n > 0)
		outbox_flush(n);
}

static void
on_relist(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	placement_relist(arg);
	outbox_flush(arg);	/* a refusal a received message caused */
}

/* on_change: a message from the other party may have freed a seat; the
 * listing is republished from the loop, not inside this callback (a seat
 * the employer's own message frees is republished by placement_send). */
static void
on_change(void *arg, const struct records_change *ch)
{
	struct node *n = arg;
	struct timeval now = { 0, 0 };

	if (ch->stored && ch->stored->kind == REC_PLACEMENT &&
	    memcmp(ch->stored->author, n->sign_pk, REC_KEY_LEN) != 0 &&
	    event_base_once(n->base, -1, EV_TIMEOUT, on_relist, n,
	    &now) != 0)
		log_warn("placement: cannot schedule republishing");
}

int
placement_open(struct node *n, char *err, size_t errlen)
{
	if (records_watch(n->records, on_change, n) != 0) {
		snprintf(err, errlen, "placement: cannot watch records");
		return MENTOR_ETOOBIG;
	}
	placement_relist(n);
	return 0;
}
