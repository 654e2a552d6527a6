/*
 * cmd_report.c: report.wbl, the work-based learning report a school owes
 * (issue 11): per school year (July 1 to June 30), the students with at
 * least one completed placement, by grade and by career cluster; the
 * confirmed hours; placements by kind and by employer; and the Perkins V
 * secondary indicator 5S3 (CTE concentrators who completed work-based
 * learning).  Counts only, and every cell about fewer than
 * REPORT_MIN_CELL students is suppressed, as state reports do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "util.h"

#define REPORT_MIN_CELL	10	/* smaller cells are suppressed */
#define REPORT_YEARS_MAX 100	/* school years in one report */

struct rep {
	int32_t		 from, to;	/* days, inclusive */
	json_t		*students;	/* id -> {grade, clusters, conc} */
	json_t		*years;		/* "2025-26" -> struct year (json) */
	char		*err;
	size_t		 errlen;
};

/*
 * school_year: "2025-26" for a day from 2025-07-01 to 2026-06-30; the
 * year it starts in *start.
 */
#define YEAR_KEY	16	/* "2025-26" and room */

static void
school_year(int32_t day, char out[YEAR_KEY], int *start)
{
	char d[11];
	int y, m;

	date_format(d, day);
	y = atoi(d);
	m = atoi(d + 5);
	if (m < 7)
		y--;
	*start = y;
	snprintf(out, YEAR_KEY, "%04d-%02d", y, (y + 1) % 100);
}

/* year: the per-year accumulator (created on first use). */
static json_t *
year(struct rep *r, int32_t day)
{
	char key[YEAR_KEY];
	json_t *y;
	int start;

	school_year(day, key, &start);
	if ((y = json_object_get(r->years, key)) != NULL)
		return y;
	if (json_object_size(r->years) >= REPORT_YEARS_MAX)
		return NULL;
	y = json_pack("{s:i,s:{},s:I,s:{},s:{},s:{},s:{}}", "start", start,
	    "completed", "minutes", (json_int_t)0, "hours_students",
	    "kinds", "employers", "kind_students");
	if (y == NULL || json_object_set_new(r->years, key, y) != 0)
		return NULL;
	json_object_set_new(y, "employer_students", json_object());
	return y;
}

static int
students_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct rep *r = arg;
	json_t *s, *e;

	if ((s = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	e = json_pack("{s:O?,s:O?,s:b}", "grade", json_object_get(s, "grade"),
	    "clusters", json_object_get(json_object_get(s, "goals"),
	    "clusters"), "concentrator", json_is_true(json_object_get(s,
	    "concentrator")));
	json_decref(s);
	if (e == NULL || json_object_setn_new(r->students, key, klen, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

/* completed_day: when a completed placement was completed. */
static int
completed_day(const json_t *pl, int32_t *day)
{
	const json_t *h;
	json_int_t at = -1;
	size_t i;

	json_array_foreach(json_object_get(pl, "history"), i, h)
		if (json_is_string(json_object_get(h, "state")) &&
		    strcmp(json_string_value(json_object_get(h, "state")),
		    "completed") == 0 && json_is_integer(json_object_get(h,
		    "at")))
			at = json_integer_value(json_object_get(h, "at"));
	if (at >= 0) {
		*day = (int32_t)(at / 86400000);
		return 0;
	}
	if (json_is_string(json_object_get(pl, "end")) &&
	    date_parse(json_string_value(json_object_get(pl, "end")), day) ==
	    0)
		return 0;
	if (json_is_string(json_object_get(pl, "start")) &&
	    date_parse(json_string_value(json_object_get(pl, "start")),
	    day) == 0)
		return 0;
	return -1;
}

/* add_student: marks student in the set obj[name] (an object as a set). */
static void
add_student(json_t *obj, const char *name, const char *student)
{
	json_t *set = json_object_get(obj, name);

	if (set == NULL) {
		json_object_set_new(obj, name, json_object());
		set = json_object_get(obj, name);
	}
	json_object_set_new(set, student, json_true());
}

static int
apps_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct rep *r = arg;
	const uint8_t *k = key;
	const json_t *pl, *h;
	const char *student, *state, *kind, *emp;
	json_t *e, *y, *n;
	int32_t day;
	size_t i;

	if (klen < 1 || k[0] != 's')
		return 1;
	if ((e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	pl = json_object_get(e, "placement");
	student = json_string_value(json_object_get(e, "student"));
	/* Only students on the roster: the deleted leave no trace. */
	if (!json_is_object(pl) || student == NULL ||
	    json_object_get(r->students, student) == NULL) {
		json_decref(e);
		return 0;
	}
	/* Confirmed hours count in the year of their date. */
	json_array_foreach(json_object_get(pl, "hours"), i, h) {
		if (!json_is_string(json_object_get(h, "status")) ||
		    strcmp(json_string_value(json_object_get(h, "status")),
		    "confirmed") != 0 || !json_is_integer(json_object_get(h,
		    "minutes")) || !json_is_string(json_object_get(h,
		    "date")) || date_parse(json_string_value(json_object_get(h,
		    "date")), &day) != 0 || day < r->from || day > r->to)
			continue;
		if ((y = year(r, day)) == NULL)
			goto nomem;
		n = json_object_get(y, "minutes");
		json_integer_set(n, json_integer_value(n) +
		    json_integer_value(json_object_get(h, "minutes")));
		json_object_set_new(json_object_get(y, "hours_students"),
		    student, json_true());
	}
	state = json_string_value(json_object_get(pl, "state"));
	if (state != NULL && strcmp(state, "completed") == 0 &&
	    completed_day(pl, &day) == 0 && day >= r->from && day <= r->to) {
		if ((y = year(r, day)) == NULL)
			goto nomem;
		json_object_set_new(json_object_get(y, "completed"), student,
		    json_true());
		kind = json_string_value(json_object_get(pl, "kind"));
		emp = json_string_value(json_object_get(pl, "employer_name"));
		kind = kind ? kind : "unknown";
		emp = emp ? emp : "unknown";
		n = json_object_get(json_object_get(y, "kinds"), kind);
		json_object_set_new(json_object_get(y, "kinds"), kind,
		    json_integer(json_integer_value(n) + 1));
		n = json_object_get(json_object_get(y, "employers"), emp);
		json_object_set_new(json_object_get(y, "employers"), emp,
		    json_integer(json_integer_value(n) + 1));
		add_student(json_object_get(y, "kind_students"), kind,
		    student);
		add_student(json_object_get(y, "employer_students"), emp,
		    student);
	}
	json_decref(e);
	return 0;
nomem:
	json_decref(e);
	return MENTOR_ENOMEM;
}

static int
report_fn(struct store_txn *t, void *arg)
{
	struct rep *r = arg;
	int rc;

	if ((rc = store_iter(t, DB_STUDENTS, NULL, 0, students_each, r)) < 0 ||
	    (rc = store_iter(t, DB_AUX, "s", 1, apps_each, r)) < 0)
		return rc;
	return 0;
}

/*
 * cell: {count, total, share}, or {suppressed: true} when the group has
 * fewer than REPORT_MIN_CELL students or the count is 1 to 9.
 */
static json_t *
cell(json_t *o, long long count, long long total)
{
	if (total < REPORT_MIN_CELL || (count > 0 && count < REPORT_MIN_CELL)) {
		json_object_set_new(o, "suppressed", json_true());
		return o;
	}
	json_object_set_new(o, "count", json_integer(count));
	json_object_set_new(o, "total", json_integer(total));
	/* Four decimals, rounded half up. */
	json_object_set_new(o, "share", json_real((double)((count * 20000 +
	    total) / (2 * total)) / 10000.0));
	return o;
}

/* group_cmp: groups sorted by their name (grades as numbers). */
static int
group_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	if (lx != ly && x[0] >= '0' && x[0] <= '9' && y[0] >= '0' &&
	    y[0] <= '9')
		return lx < ly ? -1 : 1;
	return strcmp(x, y);
}

/*
 * by_group: [{KEYNAME: group, cell}] for each group the students fall in
 * (grade: one; clusters: each of theirs), sorted.  what picks it.
 */
static json_t *
by_group(struct rep *r, json_t *done, int clusters)
{
	json_t *tot = json_object(), *cnt = json_object(), *out = json_array();
	json_t *s, *g, *v;
	const char *id, *k, **keys = NULL;
	char buf[24];
	size_t i, n = 0;

	if (tot == NULL || cnt == NULL || out == NULL)
		goto fail;
	json_object_foreach(r->students, id, s) {
		int did = json_object_get(done, id) != NULL;

		if (clusters) {
			json_array_foreach(json_object_get(s, "clusters"), i,
			    g) {
				if (!json_is_string(g))
					continue;
				k = json_string_value(g);
				json_object_set_new(tot, k, json_integer(
				    json_integer_value(json_object_get(tot,
				    k)) + 1));
				json_object_set_new(cnt, k, json_integer(
				    json_integer_value(json_object_get(cnt,
				    k)) + did));
			}
			continue;
		}
		g = json_object_get(s, "grade");
		if (json_is_integer(g))
			snprintf(buf, sizeof(buf), "%lld", (long long)
			    json_integer_value(g));
		else
			snprintf(buf, sizeof(buf), "unknown");
		json_object_set_new(tot, buf, json_integer(json_integer_value(
		    json_object_get(tot, buf)) + 1));
		json_object_set_new(cnt, buf, json_integer(json_integer_value(
		    json_object_get(cnt, buf)) + did));
	}
	if ((keys = calloc(json_object_size(tot) + 1, sizeof(*keys))) == NULL)
		goto fail;
	json_object_foreach(tot, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), group_cmp);
	for (i = 0; i < n; i++) {
		json_t *o;

		if (!clusters && strcmp(keys[i], "unknown") != 0)
			o = json_pack("{s:i}", "grade", atoi(keys[i]));
		else
			o = json_pack("{s:s}", clusters ? "cluster" : "grade",
			    keys[i]);
		if (o == NULL || json_array_append_new(out, cell(o,
		    json_integer_value(json_object_get(cnt, keys[i])),
		    json_integer_value(json_object_get(tot, keys[i])))) != 0)
			goto fail;
	}
	free(keys);
	json_decref(tot);
	json_decref(cnt);
	return out;
fail:
	free(keys);
	json_decref(tot);
	json_decref(cnt);
	json_decref(out);
	return NULL;
}

/* placements: [{NAME: x, placements, students}] by kind or employer. */
static json_t *
placements(json_t *counts, json_t *students, const char *name)
{
	json_t *out = json_array(), *v, *o;
	const char *k, **keys;
	size_t i, n = 0, st;

	if (out == NULL || (keys = calloc(json_object_size(counts) + 1,
	    sizeof(*keys))) == NULL) {
		json_decref(out);
		return NULL;
	}
	json_object_foreach(counts, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), group_cmp);
	for (i = 0; i < n; i++) {
		st = json_object_size(json_object_get(students, keys[i]));
		o = json_pack("{s:s}", name, keys[i]);
		if (o != NULL && st < REPORT_MIN_CELL)
			json_object_set_new(o, "suppressed", json_true());
		else if (o != NULL) {
			json_object_set(o, "placements", json_object_get(
			    counts, keys[i]));
			json_object_set_new(o, "students",
			    json_integer((json_int_t)st));
		}
		json_array_append_new(out, o);
	}
	free(keys);
	return out;
}

/* one_year: the report of one school year from its accumulator y. */
static json_t *
one_year(struct rep *r, const char *key, json_t *y)
{
	json_t *o, *done = json_object_get(y, "completed"), *s, *x;
	char from[24], to[24];
	long long conc = 0, concdone = 0, hs, all;
	const char *id;
	int start = (int)json_integer_value(json_object_get(y, "start"));

	json_object_foreach(r->students, id, s)
		if (json_is_true(json_object_get(s, "concentrator"))) {
			conc++;
			concdone += json_object_get(done, id) != NULL;
		}
	snprintf(from, sizeof(from), "%04d-07-01", start);
	snprintf(to, sizeof(to), "%04d-06-30", start + 1);
	all = (long long)json_object_size(r->students);
	hs = (long long)json_object_size(json_object_get(y,
	    "hours_students"));
	o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:{},s:o,s:o,s:o}",
	    "year", key, "start", from, "end", to,
	    "completed", cell(json_object(), (long long)json_object_size(done),
	    all),
	    "by_grade", by_group(r, done, 0),
	    "by_cluster", by_group(r, done, 1),
	    "hours",
	    "by_kind", placements(json_object_get(y, "kinds"),
	    json_object_get(y, "kind_students"), "kind"),
	    "by_employer", placements(json_object_get(y, "employers"),
	    json_object_get(y, "employer_students"), "employer"),
	    "perkins_5s3", cell(json_object(), concdone, conc));
	if (o == NULL)
		return NULL;
	x = json_object_get(o, "hours");
	if (hs < REPORT_MIN_CELL)
		json_object_set_new(x, "suppressed", json_true());
	else {
		json_object_set(x, "minutes", json_object_get(y, "minutes"));
		json_object_set_new(x, "hours", json_integer(json_integer_value(
		    json_object_get(y, "minutes")) / 60));
		json_object_set_new(x, "students", json_integer(hs));
	}
	return o;
}

int
cmd_report_wbl(struct cmd_ctx *c)
{
	struct rep r;
	const char *from = NULL, *to = NULL, *k, **keys = NULL;
	json_t *y, *list = NULL;
	size_t i, n = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	r.from = INT32_MIN;
	r.to = INT32_MAX;
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "from", 0, &from)) != 0 ||
	    (rc = arg_str(c, "to", 0, &to)) != 0)
		return rc;
	if (from && date_parse(from, &r.from) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "from: \"%.40s\" is not a "
		    "date (YYYY-MM-DD)", from);
	if (to && date_parse(to, &r.to) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "to: \"%.40s\" is not a "
		    "date (YYYY-MM-DD)", to);
	if (r.from > r.to)
		return cmd_fail(c, MENTOR_EINVAL, "from: after to");
	if ((r.students = json_object()) == NULL ||
	    (r.years = json_object()) == NULL ||
	    (list = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = store_read(c->node->store, report_fn, &r)) != 0) {
		rc = cmd_fail(c, rc, rc == MENTOR_ENOMEM ? "out of memory" :
		    "store failed");
		goto out;
	}
	if ((keys = calloc(json_object_size(r.years) + 1, sizeof(*keys))) ==
	    NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	json_object_foreach(r.years, k, y)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), group_cmp);
	for (i = 0; i < n; i++)
		if ((y = one_year(&r, keys[i], json_object_get(r.years,
		    keys[i]))) == NULL || json_array_append_new(list, y) != 0) {
			rc = MENTOR_ENOMEM;
			goto out;
		}
	c->result = json_pack("{s:s*,s:s*,s:i,s:I,s:O}", "from", from, "to",
	    to, "suppressed_below", REPORT_MIN_CELL, "students",
	    (json_int_t)json_object_size(r.students), "years", list);
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	free(keys);
	json_decref(list);
	json_decref(r.students);
	json_decref(r.years);
	return rc;
}
