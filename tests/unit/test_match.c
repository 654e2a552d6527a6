/*
 * test_match.c: the matcher (daemon/match.c through daemon/match.h): each
 * hard filter, each score term on hand-computed examples, the reasons,
 * the order, and the optimized ranking against a plain reference
 * implementation (below) on random data; then the sample data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "student.h"
#include "frameworks.h"
#include "match.h"

#define DATA	"contrib/data"
#define DAY_MS	(86400 * (int64_t)1000)

static struct frameworks *fw;
static int32_t today;		/* 2026-12-01 */
static int64_t now;		/* noon that day */

static int
setup(void **state)
{
	char err[FW_ERR_MAX];

	(void)state;
	if (fw_load(&fw, DATA, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (date_parse("2026-12-01", &today) != 0)
		return -1;
	now = (int64_t)today * DAY_MS + DAY_MS / 2;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fw_free(fw);
	return 0;
}

static int32_t
day(const char *s)
{
	int32_t d;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static void
mkaddr(uint8_t a[MATCH_ADDR_LEN], unsigned id)
{
	memset(a, 0, MATCH_ADDR_LEN);
	a[0] = (uint8_t)(id >> 8);
	a[1] = (uint8_t)id;
	a[15] = 0x5a;
}

static unsigned
addr_id(const uint8_t a[MATCH_ADDR_LEN])
{
	return (unsigned)a[0] << 8 | a[1];
}

static json_t *
jload(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, s);
	return j;
}

/* A virtual project with no requirements: a listing every student sees. */
static json_t *
base(void)
{
	return jload("{\"kind\":\"project\",\"title\":\"T\","
	    "\"organization\":\"O\",\"capacity\":1,\"modality\":\"virtual\"}");
}

static void
set(json_t *o, const char *key, json_t *v)
{
	assert_int_equal(json_object_set_new(o, key, v), 0);
}

static json_t *
loc(double lat, double lon)
{
	return json_pack("{s:f,s:f}", "lat", lat, "lon", lon);
}

/* put: indexes body (consumed) at address id, expiring far ahead. */
static void
put_exp(struct match_index *mi, unsigned id, json_t *body, int64_t exp)
{
	uint8_t a[MATCH_ADDR_LEN];
	char *s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	assert_non_null(s);
	mkaddr(a, id);
	rc = mi_put(mi, a, (const uint8_t *)s, strlen(s), exp);
	if (rc != 0)
		fail_msg("mi_put %u: %d: %s", id, rc, s);
	free(s);
	json_decref(body);
}

static void
put(struct match_index *mi, unsigned id, json_t *body)
{
	put_exp(mi, id, body, now + 30 * DAY_MS);
}

/* A student born 2010-06-15 in Chicago, 30 km, every modality. */
static json_t *
student(void)
{
	return jload("{\"id\":\"S1\",\"name\":\"N\","
	    "\"birth_date\":\"2010-06-15\",\"competencies\":{},"
	    "\"goals\":{\"clusters\":[],\"occupations\":[]},"
	    "\"location\":{\"lat\":41.88,\"lon\":-87.63},"
	    "\"max_distance_km\":30,"
	    "\"modality\":[\"in_person\",\"virtual\",\"hybrid\"]}");
}

/* rank: compiles st (consumed) and ranks it; returns the number of hits. */
static size_t
rank_at(const struct match_index *mi, json_t *st, int32_t td, int64_t nw,
    size_t top, struct match_hit *hits)
{
	struct match_student *ms = NULL;
	size_t n = 0;

	assert_int_equal(ms_compile(mi, st, td, &ms), 0);
	assert_int_equal(match_rank(mi, ms, nw, top, hits, &n), 0);
	ms_free(ms);
	json_decref(st);
	return n;
}

static size_t
rank(const struct match_index *mi, json_t *st, size_t top,
    struct match_hit *hits)
{
	return rank_at(mi, st, today, now, top, hits);
}

/* has: whether id is among the n hits. */
static int
has(const struct match_hit *hits, size_t n, unsigned id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr_id(hits[i].addr) == id)
			return 1;
	return 0;
}

/* one: the single hit for listing body (consumed) and student st. */
static struct match_hit
one(const struct frameworks *f, json_t *body, json_t *st)
{
	struct match_index *mi = mi_new(f);
	struct match_hit h[2];
	size_t n;

	assert_non_null(mi);
	put(mi, 1, body);
	n = rank(mi, st, 2, h);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].score, h[0].readiness + h[0].growth +
	    h[0].career + h[0].logistics);
	mi_free(mi);
	return h[0];
}

/* ---- the reference: the rules of match.h, written plainly ---- */

static double
ref_haversine(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = 3.14159265358979323846 / 180.0;
	double dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
	double a = sin(dp * 0.5) * sin(dp * 0.5) +
	    cos(lat1 * rad) * cos(lat2 * rad) * sin(dl * 0.5) * sin(dl * 0.5);

	if (a > 1.0)
		a = 1.0;
	return 2.0 * 6371.0 * asin(sqrt(a));
}

/* civil: Howard Hinnant's civil_from_days. */
static void
civil(int32_t z, int *y, int *m, int *d)
{
	long zz = (long)z + 719468, era, doe, yoe, doy, mp;

	era = (zz >= 0 ? zz : zz - 146096) / 146097;
	doe = zz - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* age on day: whole years since birth; before the birthday, one less. */
static int
ref_age(const char *birth, int32_t on)
{
	int by, bm, bd, y, m, d, age;

	assert_int_equal(sscanf(birth, "%d-%d-%d", &by, &bm, &bd), 3);
	civil(on, &y, &m, &d);
	age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

static int
ref_level(const json_t *st, const char *id)
{
	const json_t *v = json_object_get(json_object_get(st,
	    "competencies"), id);

	return v == NULL ? 0 : (int)json_integer_value(v);
}

static int
ref_cluster_match(const struct frameworks *f, const char *lc,
    const char *sc)
{
	int i;

	if (strcmp(lc, sc) == 0)
		return 1;
	if (f == NULL || (i = fw_cluster_index(f, sc)) < 0)
		return 0;
	return (fw_cluster_mask(f, lc) >> i) & 1;
}

static int
ref_closeness(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 15;
	if (strncmp(a, b, 7) == 0)
		return 12;
	if (strncmp(a, b, 6) == 0)
		return 9;
	if (strncmp(a, b, 5) == 0)
		return 6;
	if (strncmp(a, b, 2) == 0)
		return 3;
	return 0;
}

struct ref_listing {
	uint8_t	 addr[MATCH_ADDR_LEN];
	json_t	*body;
	int64_t	 exp;
	int	 full;
};

struct ref_hit {
	struct match_hit h;
	int32_t start;
};

/* ref_score: 1 with *out filled when l passes the filters for st. */
static int
ref_score(const struct frameworks *f, const struct ref_listing *l,
    const json_t *st, int32_t td, int64_t nw, struct ref_hit *out)
{
	const json_t *b = l->body, *sl, *v, *a, *goals;
	const char *mod = json_string_value(json_object_get(b, "modality"));
	int32_t start = INT32_MAX, end = INT32_MAX;
	double d = -1, maxd;
	size_t i, j, n;
	int ok, r, s, num, best, cl, gap;

	if (l->full || nw >= l->exp)
		return 0;
	if ((v = json_object_get(b, "start")) != NULL)
		start = day(json_string_value(v));
	if ((v = json_object_get(b, "end")) != NULL)
		end = day(json_string_value(v));
	if (end < td)
		return 0;
	if (ref_age(json_string_value(json_object_get(st, "birth_date")),
	    start == INT32_MAX ? td : start) <
	    json_integer_value(json_object_get(b, "min_age")))
		return 0;
	ok = 0;
	json_array_foreach(json_object_get(st, "modality"), i, v)
		if (strcmp(json_string_value(v), mod) == 0)
			ok = 1;
	if (!ok)
		return 0;
	maxd = json_number_value(json_object_get(st, "max_distance_km"));
	if (strcmp(mod, "virtual") != 0) {
		if ((sl = json_object_get(st, "location")) == NULL)
			return 0;
		v = json_object_get(b, "location");
		d = ref_haversine(
		    json_number_value(json_object_get(sl, "lat")),
		    json_number_value(json_object_get(sl, "lon")),
		    json_number_value(json_object_get(v, "lat")),
		    json_number_value(json_object_get(v, "lon")));
		if (d > maxd)
			return 0;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->h.addr, l->addr, MATCH_ADDR_LEN);
	out->start = start;
	out->h.distance_km = d;

	/* readiness: 40 x mean of min(s/r, 1), half up, in twelfths. */
	a = json_object_get(b, "requires");
	n = json_array_size(a);
	num = 0;
	json_array_foreach(a, i, v) {
		r = (int)json_integer_value(json_object_get(v, "level"));
		s = ref_level(st, json_string_value(json_object_get(v,
		    "competency")));
		num += r == 0 || s >= r ? 12 : 12 * s / r;
	}
	out->h.readiness = n == 0 ? 40 :
	    (int)((2 * 40 * num + 12 * (int)n) / (2 * 12 * (int)n));

	gap = 0;
	json_array_foreach(json_object_get(b, "develops"), i, v) {
		r = (int)json_integer_value(json_object_get(v, "level"));
		s = ref_level(st, json_string_value(json_object_get(v,
		    "competency")));
		if (s < r)
			gap += r - s;
	}
	out->h.growth = 5 * gap > 20 ? 20 : 5 * gap;

	goals = json_object_get(st, "goals");
	cl = 0;
	json_array_foreach(json_object_get(b, "clusters"), i, v) {
		const json_t *w;

		json_array_foreach(json_object_get(goals, "clusters"), j, w)
			if (ref_cluster_match(f, json_string_value(v),
			    json_string_value(w)))
				cl = 15;
	}
	best = 0;
	json_array_foreach(json_object_get(b, "occupations"), i, v) {
		const json_t *w;

		json_array_foreach(json_object_get(goals, "occupations"), j, w)
			if (ref_closeness(json_string_value(v),
			    json_string_value(w)) > best)
				best = ref_closeness(json_string_value(v),
				    json_string_value(w));
	}
	out->h.career = cl + best > 30 ? 30 : cl + best;

	if (d < 0 || maxd == 0)
		out->h.logistics = 10;
	else
		out->h.logistics = (int)floor(10.0 * (1.0 - d / maxd) + 0.5);
	out->h.score = out->h.readiness + out->h.growth + out->h.career +
	    out->h.logistics;
	return 1;
}

static int
ref_cmp(const void *x, const void *y)
{
	const struct ref_hit *a = x, *b = y;
	double da = a->h.distance_km < 0 ? 0 : a->h.distance_km;
	double db = b->h.distance_km < 0 ? 0 : b->h.distance_km;

	if (a->h.score != b->h.score)
		return a->h.score > b->h.score ? -1 : 1;
	if (da != db)
		return da < db ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return memcmp(a->h.addr, b->h.addr, MATCH_ADDR_LEN);
}

/* ref_rank: scores every listing, sorts them all, keeps the first top. */
static size_t
ref_rank(const struct frameworks *f, const struct ref_listing *ls, size_t n,
    const json_t *st, int32_t td, int64_t nw, size_t top,
    struct match_hit *out)
{
	struct ref_hit *all = calloc(n + 1, sizeof(*all));
	size_t i, k = 0;

	assert_non_null(all);
	for (i = 0; i < n; i++)
		if (ls[i].body != NULL &&
		    ref_score(f, &ls[i], st, td, nw, &all[k]))
			k++;
	qsort(all, k, sizeof(*all), ref_cmp);
	if (k > top)
		k = top;
	for (i = 0; i < k; i++)
		out[i] = all[i].h;
	free(all);
	return k;
}

static void
same_hits(const struct match_hit *a, size_t na, const struct match_hit *b,
    size_t nb, const char *what)
{
	size_t i;

	if (na != nb)
		fail_msg("%s: %zu hits, reference %zu", what, na, nb);
	for (i = 0; i < na; i++) {
		if (memcmp(a[i].addr, b[i].addr, MATCH_ADDR_LEN) != 0 ||
		    a[i].score != b[i].score ||
		    a[i].readiness != b[i].readiness ||
		    a[i].growth != b[i].growth || a[i].career != b[i].career ||
		    a[i].logistics != b[i].logistics ||
		    a[i].distance_km != b[i].distance_km)
			fail_msg("%s: hit %zu: listing %u score %d (%d %d %d "
			    "%d) %.17g km; reference listing %u score %d (%d "
			    "%d %d %d) %.17g km", what, i, addr_id(a[i].addr),
			    a[i].score, a[i].readiness, a[i].growth,
			    a[i].career, a[i].logistics, a[i].distance_km,
			    addr_id(b[i].addr), b[i].score, b[i].readiness,
			    b[i].growth, b[i].career, b[i].logistics,
			    b[i].distance_km);
	}
}

/* ---- filters ---- */

static void
test_filter_expired_full(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	uint8_t a[MATCH_ADDR_LEN];
	size_t n;

	(void)state;
	put_exp(mi, 1, base(), now);		/* expires right now */
	put_exp(mi, 2, base(), now + 1);
	put_exp(mi, 3, base(), INT64_MAX);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 2);
	assert_false(has(h, n, 1));
	mkaddr(a, 3);
	assert_int_equal(mi_set_full(mi, a, 1), 0);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 2));
	assert_int_equal(mi_set_full(mi, a, 0), 0);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 2);
	mkaddr(a, 9);
	assert_int_equal(mi_set_full(mi, a, 1), MENTOR_ENOTFOUND);
	/* One ms later, listing 2 is gone too. */
	n = rank_at(mi, student(), today, now + 1, 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 3));
	mi_free(mi);
}

/* "full": true in the body filters a listing out, as the mark does. */
static void
test_filter_body_full(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	uint8_t a[MATCH_ADDR_LEN];
	json_t *b;
	size_t n;

	(void)state;
	mkaddr(a, 1);
	b = base();
	set(b, "full", json_true());
	put(mi, 1, b);
	put(mi, 2, base());
	assert_int_equal(mi_count(mi), 2);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 2));
	/* Clearing a mark that was never set does not override the body. */
	assert_int_equal(mi_set_full(mi, a, 0), 0);
	assert_int_equal(rank(mi, student(), 4, h), 1);
	/* Still known to the index: its title, its explanation. */
	assert_string_equal(match_title(mi, a), "T");

	/* A new version saying false, or nothing, brings it back. */
	b = base();
	set(b, "full", json_false());
	put(mi, 1, b);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 2);
	assert_true(has(h, n, 1));
	b = base();
	set(b, "full", json_true());
	put(mi, 1, b);
	assert_int_equal(rank(mi, student(), 4, h), 1);
	put(mi, 1, base());
	assert_int_equal(rank(mi, student(), 4, h), 2);

	/* The mark outlives a new version without "full"; both may hold. */
	assert_int_equal(mi_set_full(mi, a, 1), 0);
	put(mi, 1, base());
	assert_int_equal(rank(mi, student(), 4, h), 1);
	b = base();
	set(b, "full", json_true());
	put(mi, 1, b);
	assert_int_equal(mi_set_full(mi, a, 0), 0);
	assert_int_equal(rank(mi, student(), 4, h), 1);
	put(mi, 1, base());
	assert_int_equal(rank(mi, student(), 4, h), 2);

	/* In person and matching on career: filtered on every path. */
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.63));
	set(b, "occupations", jload("[\"51-4121.00\"]"));
	set(b, "clusters", jload("[\"manufacturing\"]"));
	set(b, "full", json_true());
	put(mi, 3, json_incref(b));
	n = rank(mi, jload("{\"id\":\"S1\",\"name\":\"N\","
	    "\"birth_date\":\"2010-06-15\",\"competencies\":{},"
	    "\"goals\":{\"clusters\":[\"manufacturing\"],"
	    "\"occupations\":[\"51-4121.00\"]},"
	    "\"location\":{\"lat\":41.88,\"lon\":-87.63},"
	    "\"max_distance_km\":30,"
	    "\"modality\":[\"in_person\",\"virtual\",\"hybrid\"]}"), 4, h);
	assert_int_equal(n, 2);
	assert_false(has(h, n, 3));
	assert_int_equal(json_object_del(b, "full"), 0);
	put(mi, 3, b);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 3);
	assert_true(has(h, n, 3));
	mi_free(mi);
}

static void
test_filter_end(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	json_t *b;
	size_t n;

	(void)state;
	b = base();
	set(b, "end", json_string("2026-11-30"));	/* yesterday */
	put(mi, 1, b);
	b = base();
	set(b, "end", json_string("2026-12-01"));	/* today */
	put(mi, 2, b);
	b = base();
	set(b, "start", json_string("2026-10-01"));	/* started, open */
	set(b, "end", json_string("2027-01-01"));
	put(mi, 3, b);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 2);
	assert_true(has(h, n, 2));
	assert_true(has(h, n, 3));
	mi_free(mi);
}

static void
test_filter_age(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[8];
	json_t *b, *st;
	size_t n;

	(void)state;
	/* The student (born 2010-06-15) turns 16 on 2026-06-15. */
	b = base();
	set(b, "start", json_string("2026-06-15"));
	set(b, "min_age", json_integer(16));
	put(mi, 1, b);
	b = base();
	set(b, "start", json_string("2026-06-14"));
	set(b, "min_age", json_integer(16));
	put(mi, 2, b);
	/* No start: judged today (2026-12-01), at 16. */
	b = base();
	set(b, "min_age", json_integer(16));
	put(mi, 3, b);
	b = base();
	set(b, "min_age", json_integer(17));
	put(mi, 4, b);
	/* A start next summer: 17 by then. */
	b = base();
	set(b, "start", json_string("2027-06-15"));
	set(b, "min_age", json_integer(17));
	put(mi, 5, b);
	n = rank(mi, student(), 8, h);
	assert_int_equal(n, 3);
	assert_true(has(h, n, 1));
	assert_true(has(h, n, 3));
	assert_true(has(h, n, 5));

	/* Born on 29 February: a year older on 1 March in common years. */
	mi_free(mi);
	mi = mi_new(fw);
	b = base();
	set(b, "start", json_string("2026-02-28"));
	set(b, "min_age", json_integer(18));
	put(mi, 1, b);
	b = base();
	set(b, "start", json_string("2026-03-01"));
	set(b, "min_age", json_integer(18));
	put(mi, 2, b);
	b = base();
	set(b, "start", json_string("2024-02-29"));
	set(b, "min_age", json_integer(16));
	put(mi, 3, b);
	b = base();
	set(b, "start", json_string("2024-02-28"));
	set(b, "min_age", json_integer(16));
	put(mi, 4, b);
	st = student();
	set(st, "birth_date", json_string("2008-02-29"));
	n = rank(mi, st, 8, h);
	assert_int_equal(n, 2);
	assert_true(has(h, n, 2));
	assert_true(has(h, n, 3));
	mi_free(mi);
}

/* No birth date on file: a minor of unknown age, kept from every listing
 * with a minimum age until a date is known. */
static void
test_filter_age_unknown(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[8];
	json_t *b, *st;
	size_t n;

	(void)state;
	put(mi, 1, base());
	b = base();
	set(b, "min_age", json_integer(0));
	put(mi, 2, b);
	b = base();
	set(b, "min_age", json_integer(1));
	put(mi, 3, b);
	b = base();
	set(b, "start", json_string("2030-01-01"));
	set(b, "min_age", json_integer(14));
	put(mi, 4, b);
	st = student();
	json_object_del(st, "birth_date");
	n = rank(mi, st, 8, h);
	assert_int_equal(n, 2);
	assert_true(has(h, n, 1));
	assert_true(has(h, n, 2));
	/* Once the date is known, the same listings are judged by it. */
	n = rank(mi, student(), 8, h);
	assert_int_equal(n, 4);
	mi_free(mi);
}

static void
test_filter_modality(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	json_t *b, *st;
	size_t n;

	(void)state;
	put(mi, 1, base());
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.63));
	put(mi, 2, b);
	b = base();
	set(b, "modality", json_string("hybrid"));
	set(b, "location", loc(41.88, -87.63));
	put(mi, 3, b);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 3);
	st = student();
	set(st, "modality", json_pack("[s]", "virtual"));
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 1));
	st = student();
	set(st, "modality", json_pack("[ss]", "hybrid", "in_person"));
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 2);
	assert_false(has(h, n, 1));
	st = student();
	set(st, "modality", json_pack("[s]", "hybrid"));
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 3));
	mi_free(mi);
}

static void
test_filter_distance(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	json_t *b, *st;
	double d;
	size_t n;

	(void)state;
	/* One degree of latitude north: 6371 x pi / 180 km. */
	d = ref_haversine(41.0, -87.63, 42.0, -87.63);
	assert_true(fabs(d - 111.19492664) < 1e-6);
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(42.0, -87.63));
	put(mi, 1, b);
	b = base();
	set(b, "modality", json_string("hybrid"));
	set(b, "location", loc(42.0, -87.63));
	put(mi, 2, b);
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(d));	/* exactly: inside */
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 2);
	assert_true(h[0].distance_km == d);
	assert_int_equal(h[0].logistics, 0);
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(nextafter(d, 0)));
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 0);
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(111.2));
	assert_int_equal(rank(mi, st, 4, h), 2);
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(111.19));
	assert_int_equal(rank(mi, st, 4, h), 0);

	/* Across the antimeridian: 0.5 degrees of longitude at the equator. */
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(0.0, 179.75));
	put(mi, 3, b);
	st = student();
	set(st, "location", loc(0.0, -179.75));
	set(st, "max_distance_km", json_integer(56));
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 3));
	assert_true(fabs(h[0].distance_km - 55.597) < 0.001);
	st = student();
	set(st, "location", loc(0.0, -179.75));
	set(st, "max_distance_km", json_integer(55));
	assert_int_equal(rank(mi, st, 4, h), 0);
	mi_free(mi);
}

static void
test_filter_no_location(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	json_t *b, *st;
	size_t n;

	(void)state;
	put(mi, 1, base());
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.63));
	put(mi, 2, b);
	b = base();
	set(b, "modality", json_string("hybrid"));
	set(b, "location", loc(41.88, -87.63));
	put(mi, 3, b);
	st = student();
	json_object_del(st, "location");
	set(st, "max_distance_km", json_integer(20000));
	n = rank(mi, st, 4, h);
	assert_int_equal(n, 1);
	assert_true(has(h, n, 1));
	assert_true(h[0].distance_km == -1);
	/* And with no virtual in its modalities, nothing at all. */
	st = student();
	json_object_del(st, "location");
	set(st, "modality", json_pack("[ss]", "in_person", "hybrid"));
	assert_int_equal(rank(mi, st, 4, h), 0);
	mi_free(mi);
}

/* ---- score terms ---- */

static json_t *
items(const char *a, int la, const char *b, int lb, const char *c, int lc,
    const char *d, int ld)
{
	json_t *arr = json_array();
	const char *id[4] = { a, b, c, d };
	int lv[4] = { la, lb, lc, ld }, i;

	for (i = 0; i < 4 && id[i] != NULL; i++)
		json_array_append_new(arr, json_pack("{s:s,s:i}",
		    "competency", id[i], "level", lv[i]));
	return arr;
}

static void
test_score_readiness(void **state)
{
	struct match_hit h;
	json_t *b, *st;

	(void)state;
	h = one(fw, base(), student());
	assert_int_equal(h.readiness, 40);	/* no requirements */
	/* Credits 1/2, 1, 1 (level 0 is met): 40 x 5/6 = 33.3 -> 33. */
	b = base();
	set(b, "requires", items("onet:2.A.1.a", 2, "onet:2.A.1.b", 3,
	    "x:other", 0, NULL, 0));
	st = student();
	set(st, "competencies", json_pack("{s:i,s:i}", "onet:2.A.1.a", 1,
	    "onet:2.A.1.b", 4));
	h = one(fw, b, st);
	assert_int_equal(h.readiness, 33);
	/* Credits 1/4, 0, 0, 0: 40 x 1/16 = 2.5 -> 3 (half up). */
	b = base();
	set(b, "requires", items("onet:2.A.1.a", 4, "onet:2.A.1.b", 1,
	    "onet:2.A.1.c", 1, "onet:2.A.1.d", 1));
	st = student();
	set(st, "competencies", json_pack("{s:i}", "onet:2.A.1.a", 1));
	h = one(fw, b, st);
	assert_int_equal(h.readiness, 3);
	/* Credits 1/3, 5/12... : 1/3 and 3/4 -> 40 x 13/24 = 21.67 -> 22. */
	b = base();
	set(b, "requires", items("onet:2.A.1.a", 3, "onet:2.A.1.b", 4,
	    NULL, 0, NULL, 0));
	st = student();
	set(st, "competencies", json_pack("{s:i,s:i}", "onet:2.A.1.a", 1,
	    "onet:2.A.1.b", 3));
	h = one(fw, b, st);
	assert_int_equal(h.readiness, 22);
	/* Nothing met: 0. */
	b = base();
	set(b, "requires", items("onet:2.A.1.a", 3, NULL, 0, NULL, 0, NULL,
	    0));
	h = one(fw, b, student());
	assert_int_equal(h.readiness, 0);
}

static void
test_score_growth(void **state)
{
	struct match_hit h;
	json_t *b, *st;

	(void)state;
	h = one(fw, base(), student());
	assert_int_equal(h.growth, 0);
	b = base();
	set(b, "develops", items("onet:2.B.3.m", 3, NULL, 0, NULL, 0, NULL,
	    0));
	st = student();
	set(st, "competencies", json_pack("{s:i}", "onet:2.B.3.m", 2));
	h = one(fw, b, st);
	assert_int_equal(h.growth, 5);
	/* Gaps 1 + 2, the student above the third target: 15. */
	b = base();
	set(b, "develops", items("onet:2.B.3.m", 3, "onet:2.B.3.c", 2,
	    "onet:2.A.1.a", 1, NULL, 0));
	st = student();
	set(st, "competencies", json_pack("{s:i,s:i}", "onet:2.B.3.m", 2,
	    "onet:2.A.1.a", 4));
	h = one(fw, b, st);
	assert_int_equal(h.growth, 15);
	/* Gaps 1 + 4 = 5: 25, at most 20. */
	b = base();
	set(b, "develops", items("onet:2.B.3.m", 3, "x:new", 4, NULL, 0,
	    NULL, 0));
	st = student();
	set(st, "competencies", json_pack("{s:i}", "onet:2.B.3.m", 2));
	h = one(fw, b, st);
	assert_int_equal(h.growth, 20);
}

static json_t *
career_student(void)
{
	json_t *st = student();

	set(st, "goals", json_pack("{s:[ss],s:[s]}", "clusters",
	    "manufacturing", "information-technology", "occupations",
	    "51-4121.00"));
	return st;
}

static int
career_of(const struct frameworks *f, const char *cluster, const char *occ)
{
	json_t *b = base();

	if (cluster != NULL)
		set(b, "clusters", json_pack("[s]", cluster));
	if (occ != NULL)
		set(b, "occupations", json_pack("[s]", occ));
	return one(f, b, career_student()).career;
}

static void
test_score_career(void **state)
{
	(void)state;
	assert_int_equal(career_of(fw, NULL, NULL), 0);
	assert_int_equal(career_of(fw, "manufacturing", NULL), 15);
	/* Through the crosswalk (Information Technology was renamed Digital
	 * Technology); manufacturing has no sourced counterpart. */
	assert_int_equal(career_of(fw, "digital-technology", NULL), 15);
	assert_int_equal(career_of(NULL, "digital-technology", NULL), 0);
	assert_int_equal(career_of(fw, "advanced-manufacturing", NULL), 0);
	assert_int_equal(career_of(NULL, "manufacturing", NULL), 15);
	assert_int_equal(career_of(fw, "stem", NULL), 0);
	assert_int_equal(career_of(fw, "finance", NULL), 0);
	assert_int_equal(career_of(fw, NULL, "51-4121.00"), 15);
	assert_int_equal(career_of(fw, NULL, "51-4121.01"), 12);
	assert_int_equal(career_of(fw, NULL, "51-4122.00"), 9);
	assert_int_equal(career_of(fw, NULL, "51-4111.00"), 6);
	assert_int_equal(career_of(fw, NULL, "51-2041.00"), 3);
	assert_int_equal(career_of(fw, NULL, "47-2111.00"), 0);
	assert_int_equal(career_of(fw, "manufacturing", "51-4121.00"), 30);
	assert_int_equal(career_of(fw, "digital-technology", "51-4122.00"),
	    24);
	/* The best pair counts, and a goal of the 2024 framework. */
	{
		json_t *b = base(), *st = student();

		set(b, "clusters", json_pack("[ss]", "finance",
		    "information-technology"));
		set(b, "occupations", json_pack("[ss]", "51-2041.00",
		    "15-1252.00"));
		set(st, "goals", json_pack("{s:[s],s:[ss]}", "clusters",
		    "digital-technology", "occupations", "51-4121.00",
		    "15-1252.00"));
		assert_int_equal(one(fw, b, st).career, 30);
	}
}

static void
test_score_logistics(void **state)
{
	struct match_hit h;
	json_t *b, *st;
	double d = ref_haversine(41.0, -87.63, 42.0, -87.63);

	(void)state;
	h = one(fw, base(), student());
	assert_int_equal(h.logistics, 10);
	assert_true(h.distance_km == -1);
	/* Half the way: 5. */
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(42.0, -87.63));
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(2 * d));
	h = one(fw, b, st);
	assert_int_equal(h.logistics, 5);
	assert_true(h.distance_km == d);
	/* 0.74 of the way: 2.6 -> 3; 0.76: 2.4 -> 2. */
	b = base();
	set(b, "modality", json_string("hybrid"));
	set(b, "location", loc(42.0, -87.63));
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(d / 0.74));
	assert_int_equal(one(fw, b, st).logistics, 3);
	b = base();
	set(b, "modality", json_string("hybrid"));
	set(b, "location", loc(42.0, -87.63));
	st = student();
	set(st, "location", loc(41.0, -87.63));
	set(st, "max_distance_km", json_real(d / 0.76));
	assert_int_equal(one(fw, b, st).logistics, 2);
	/* max_distance_km 0: only the very spot, which gets 10. */
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.63));
	st = student();
	set(st, "max_distance_km", json_integer(0));
	h = one(fw, b, st);
	assert_int_equal(h.logistics, 10);
	assert_true(h.distance_km == 0);
}

/* ---- reasons ---- */

static void
expect_reasons(const struct frameworks *f, json_t *body, json_t *st,
    const char *const *want)
{
	struct match_index *mi = mi_new(f);
	struct match_student *ms = NULL;
	struct match_hit h;
	json_t *r;
	size_t n, i;

	put(mi, 1, body);
	assert_int_equal(ms_compile(mi, st, today, &ms), 0);
	assert_int_equal(match_rank(mi, ms, now, 1, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(match_explain(mi, ms, &h, &r), 0);
	for (i = 0; want[i] != NULL; i++) {
		if (i >= json_array_size(r))
			fail_msg("reason %zu missing: \"%s\"", i, want[i]);
		if (strcmp(json_string_value(json_array_get(r, i)),
		    want[i]) != 0)
			fail_msg("reason %zu: \"%s\", want \"%s\"", i,
			    json_string_value(json_array_get(r, i)), want[i]);
	}
	if (json_array_size(r) != i)
		fail_msg("%zu reasons, want %zu: extra \"%s\"",
		    json_array_size(r), i,
		    json_string_value(json_array_get(r, i)));
	json_decref(r);
	ms_free(ms);
	json_decref(st);
	mi_free(mi);
}

/* match_explain_detail: kinds, fields, levels as words, km and miles. */
static void
test_reasons_detail(void **state)
{
	static const char *const want[][2] = {
	    { "meet", "You meet 1 of 3 required skills" },
	    { "needs", "Needs Active Listening at developing (2 of 4); you "
	      "are at beginning (1 of 4)" },
	    { "needs", "Needs x:none at beginning (1 of 4); you are at none "
	      "yet" },
	    { "develops", "Develops Quality Control Analysis to proficient "
	      "(3 of 4); you are at developing (2 of 4)" },
	    { "goal", "Matches your goal: Welders, Cutters, Solderers, and "
	      "Brazers" },
	    { "cluster", "In your career cluster: Manufacturing" },
	    { "distance", "4 km (2 mi) away" } };
	struct match_index *mi = mi_new(fw);
	struct match_student *ms = NULL;
	struct match_hit h;
	json_t *b, *st, *r, *e;
	size_t n, i;

	(void)state;
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.582));
	set(b, "requires", items("onet:2.A.1.b", 2, "x:none", 1,
	    "onet:2.A.1.c", 3, NULL, 0));
	set(b, "develops", items("onet:2.B.3.m", 3, NULL, 0, NULL, 0, NULL,
	    0));
	set(b, "clusters", json_pack("[s]", "manufacturing"));
	set(b, "occupations", json_pack("[ss]", "51-2041.00", "51-4121.00"));
	st = career_student();
	set(st, "competencies", json_pack("{s:i,s:i,s:i}", "onet:2.A.1.b", 1,
	    "onet:2.A.1.c", 3, "onet:2.B.3.m", 2));
	put(mi, 1, b);
	assert_int_equal(ms_compile(mi, st, today, &ms), 0);
	assert_int_equal(match_rank(mi, ms, now, 1, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(match_explain_detail(mi, ms, &h, &r), 0);
	assert_int_equal(json_array_size(r), sizeof(want) / sizeof(want[0]));
	json_array_foreach(r, i, e) {
		assert_string_equal(json_string_value(json_object_get(e,
		    "kind")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(e,
		    "text")), want[i][1]);
	}
	e = json_array_get(r, 1);
	assert_int_equal(json_integer_value(json_object_get(e, "level")), 2);
	assert_int_equal(json_integer_value(json_object_get(e, "have")), 1);
	assert_string_equal(json_string_value(json_object_get(e,
	    "competency")), "onet:2.A.1.b");
	e = json_array_get(r, 6);
	assert_true(json_real_value(json_object_get(e, "mi")) > 2.0 &&
	    json_real_value(json_object_get(e, "mi")) < 3.0);
	json_decref(r);
	ms_free(ms);
	json_decref(st);
	mi_free(mi);
}

/*
 * A student without a location who chose in person: an in-person listing
 * is not offered because of the missing location, and why_not says so
 * (not "you chose none": the student's choice stands).
 */
static void
test_why_not_unlocated(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_student *ms = NULL;
	struct match_hit h;
	uint8_t a[MATCH_ADDR_LEN];
	json_t *b, *st, *why = NULL;
	char *s;

	(void)state;
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.63));
	put(mi, 7, b);
	st = student();
	json_object_del(st, "location");
	set(st, "modality", json_pack("[s]", "in_person"));
	assert_int_equal(ms_compile(mi, st, today, &ms), 0);
	mkaddr(a, 7);
	assert_int_equal(match_check(mi, ms, a, now, &h, &why), 0);
	s = json_dumps(why, JSON_COMPACT);
	assert_non_null(strstr(s, "your profile has no location"));
	assert_null(strstr(s, "you chose none"));
	free(s);
	json_decref(why);
	ms_free(ms);
	/* Who chose only virtual hears about the format. */
	set(st, "modality", json_pack("[s]", "virtual"));
	assert_int_equal(ms_compile(mi, st, today, &ms), 0);
	assert_int_equal(match_check(mi, ms, a, now, &h, &why), 0);
	s = json_dumps(why, JSON_COMPACT);
	assert_non_null(strstr(s, "It is in person; you chose virtual"));
	free(s);
	json_decref(why);
	ms_free(ms);
	json_decref(st);
	mi_free(mi);
}

static void
test_reasons(void **state)
{
	json_t *b, *st;

	(void)state;
	b = base();
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(41.88, -87.582));	/* ~4 km east */
	set(b, "requires", items("onet:2.A.1.b", 2, "onet:2.A.1.a", 1,
	    "onet:2.A.1.c", 3, NULL, 0));
	set(b, "develops", items("onet:2.B.3.m", 3, "onet:2.A.1.a", 2,
	    NULL, 0, NULL, 0));
	set(b, "clusters", json_pack("[s]", "manufacturing"));
	set(b, "occupations", json_pack("[ss]", "51-2041.00", "51-4121.00"));
	st = career_student();
	set(st, "competencies", json_pack("{s:i,s:i,s:i,s:i}",
	    "onet:2.A.1.b", 1, "onet:2.A.1.a", 2, "onet:2.A.1.c", 3,
	    "onet:2.B.3.m", 2));
	expect_reasons(fw, b, st, (const char *const[]){
	    "You meet 2 of 3 required skills",
	    "Needs Active Listening at level 2 (you are at 1)",
	    "Develops Quality Control Analysis to level 3 (you are at 2)",
	    "Matches your goal: Welders, Cutters, Solderers, and Brazers",
	    "In your career cluster: Manufacturing",
	    "4 km away", NULL });

	/* Unknown ids and codes show as themselves; crosswalk; virtual. */
	b = base();
	set(b, "requires", items("x:forklift", 2, NULL, 0, NULL, 0, NULL, 0));
	set(b, "develops", items("x:forklift", 3, NULL, 0, NULL, 0, NULL, 0));
	set(b, "clusters", json_pack("[s]", "digital-technology"));
	set(b, "occupations", json_pack("[s]", "51-4122.00"));
	expect_reasons(fw, b, career_student(), (const char *const[]){
	    "You meet 0 of 1 required skill",
	    "Needs x:forklift at level 2 (you are at 0)",
	    "Develops x:forklift to level 3 (you are at 0)",
	    "Close to your goal: Welders, Cutters, Solderers, and Brazers "
	    "(same broad group)",
	    "In your career cluster: Information Technology (listed as "
	    "Digital Technology)",
	    "Virtual: no travel needed", NULL });

	/* Without frameworks: ids and codes. */
	b = base();
	set(b, "requires", items("onet:2.A.1.b", 0, NULL, 0, NULL, 0, NULL,
	    0));
	set(b, "clusters", json_pack("[s]", "manufacturing"));
	set(b, "occupations", json_pack("[s]", "51-2041.00"));
	expect_reasons(NULL, b, career_student(), (const char *const[]){
	    "You meet 1 of 1 required skill",
	    "Close to your goal: 51-4121.00 (same major group)",
	    "In your career cluster: manufacturing",
	    "Virtual: no travel needed", NULL });

	b = base();
	set(b, "modality", json_string("hybrid"));
	set(b, "location", loc(41.883, -87.63));
	set(b, "occupations", json_pack("[s]", "51-4111.00"));
	expect_reasons(fw, b, career_student(), (const char *const[]){
	    "No skills required",
	    "Close to your goal: Welders, Cutters, Solderers, and Brazers "
	    "(same minor group)",
	    "Less than 1 km away (hybrid)", NULL });
}

static void
test_explain_gone(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_student *ms = NULL;
	struct match_hit h;
	json_t *r = NULL, *st;
	size_t n;

	(void)state;
	put(mi, 1, base());
	st = student();
	assert_int_equal(ms_compile(mi, st, today, &ms), 0);
	json_decref(st);
	assert_int_equal(match_rank(mi, ms, now, 1, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mi_del(mi, h.addr), 0);
	assert_int_equal(match_explain(mi, ms, &h, &r), MENTOR_ENOTFOUND);
	assert_null(r);
	ms_free(ms);
	mi_free(mi);
}

/* ---- order ---- */

static void
test_tie_break(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[8];
	json_t *b, *st;
	size_t n;

	(void)state;
	/* All score 100: no requirements, growth 20, career 30. */
#define TIE(id, mod, lat, start) do {					\
	b = base();							\
	set(b, "develops", items("onet:2.B.3.m", 4, NULL, 0, NULL, 0,	\
	    NULL, 0));							\
	set(b, "clusters", json_pack("[s]", "manufacturing"));		\
	set(b, "occupations", json_pack("[s]", "51-4121.00"));		\
	set(b, "modality", json_string(mod));				\
	if ((lat) != 0)							\
		set(b, "location", loc(lat, -87.63));			\
	if ((start) != NULL)						\
		set(b, "start", json_string(start));			\
	put(mi, id, b);							\
} while (0)
	TIE(7, "in_person", 41.90, "2027-01-01");	/* ~2.2 km */
	TIE(6, "in_person", 41.89, "2027-03-01");	/* ~1.1 km */
	TIE(5, "virtual", 0, NULL);
	TIE(4, "virtual", 0, NULL);
	TIE(3, "virtual", 0, "2027-01-10");
	TIE(2, "virtual", 0, "2027-01-05");
	TIE(1, "hybrid", 41.89, "2027-01-01");		/* same spot as 6 */
#undef TIE
	st = career_student();
	set(st, "max_distance_km", json_integer(1000));
	n = rank(mi, st, 8, h);
	assert_int_equal(n, 7);
	assert_int_equal(h[0].score, 100);
	assert_int_equal(h[6].score, 100);
	assert_int_equal(addr_id(h[0].addr), 2);
	assert_int_equal(addr_id(h[1].addr), 3);
	assert_int_equal(addr_id(h[2].addr), 4);
	assert_int_equal(addr_id(h[3].addr), 5);
	assert_int_equal(addr_id(h[4].addr), 1);	/* same km, earlier */
	assert_int_equal(addr_id(h[5].addr), 6);
	assert_int_equal(addr_id(h[6].addr), 7);
	/* top 3 is a prefix of the whole order. */
	st = career_student();
	set(st, "max_distance_km", json_integer(1000));
	n = rank(mi, st, 3, h);
	assert_int_equal(n, 3);
	assert_int_equal(addr_id(h[2].addr), 4);
	mi_free(mi);
}

/* ---- random data against the reference ---- */

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

static const char *const r_comp[] = {
	"onet:2.A.1.a", "onet:2.A.1.b", "onet:2.B.3.m", "onet:2.B.3.h",
	"onet:2.C.3.e", "x:forklift", "onet:2.A.2.a", "x:cad",
};
static const char *const r_occ[] = {
	"51-4121.00", "51-4121.06", "51-4122.00", "51-4111.00", "51-2041.00",
	"51-4041.00", "47-2111.00", "47-2031.00", "15-1252.00", "15-1253.00",
	"29-1141.00", "29-1141.03", "31-1131.00", "13-2011.00",
};
static const char *const r_cl[] = {
	"manufacturing", "advanced-manufacturing", "stem", "digital-technology",
	"information-technology", "health-science", "healthcare-human-services",
	"human-services", "education", "finance", "construction",
};
static const char *const r_dates[] = {
	"2026-06-01", "2026-11-30", "2026-12-01", "2026-12-02", "2027-01-10",
	"2027-03-01", "2027-06-15", "2027-06-16", "2028-02-29",
};

static json_t *
rnd_strings(const char *const *from, size_t n, size_t max)
{
	json_t *a = json_array();
	size_t k = rnd((uint32_t)max + 1), i, j;
	int dup;

	for (i = 0; i < k; i++) {
		const char *s = from[rnd((uint32_t)n)];

		dup = 0;
		for (j = 0; j < json_array_size(a); j++)
			if (strcmp(json_string_value(json_array_get(a, j)),
			    s) == 0)
				dup = 1;
		if (!dup)
			json_array_append_new(a, json_string(s));
	}
	return a;
}

static json_t *
rnd_items(void)
{
	json_t *a = json_array(), *ids = rnd_strings(r_comp, 8, 4);
	size_t i;

	for (i = 0; i < json_array_size(ids); i++)
		json_array_append_new(a, json_pack("{s:O,s:i}", "competency",
		    json_array_get(ids, i), "level", (int)rnd(5)));
	json_decref(ids);
	return a;
}

/*
 * Coordinates on a coarse lattice near (41.9, -87.6), so ties happen; or,
 * when wide, anywhere on the globe (poles and the antimeridian included).
 */
static int wide;

static double
rnd_coord(double c)
{
	if (wide)
		return c > 0 ? -90.0 + rnd(1801) * 0.1 : -180.0 +
		    rnd(3601) * 0.1;
	return c + ((int)rnd(41) - 20) * 0.02;
}

static json_t *
rnd_listing(void)
{
	static const char *const mods[] = { "in_person", "virtual", "hybrid" };
	json_t *b = base();
	int m = (int)rnd(3), s, e;

	set(b, "modality", json_string(mods[m]));
	if (m != 1 || rnd(4) == 0)
		set(b, "location", loc(rnd_coord(41.9), rnd_coord(-87.6)));
	if (rnd(3) != 0)
		set(b, "clusters", rnd_strings(r_cl, 11, 3));
	if (rnd(4) != 0)
		set(b, "occupations", rnd_strings(r_occ, 14, 3));
	if (rnd(4) != 0)
		set(b, "requires", rnd_items());
	if (rnd(4) != 0)
		set(b, "develops", rnd_items());
	s = (int)rnd(12) - 3;
	e = (int)rnd(12) - 3;
	if (s >= 0)
		set(b, "start", json_string(r_dates[s]));
	if (e >= 0 && (s < 0 || e >= s))
		set(b, "end", json_string(r_dates[e]));
	if (rnd(2))
		set(b, "min_age", json_integer(rnd(6) == 0 ? 0 :
		    14 + (int)rnd(5)));
	return b;
}

static json_t *
rnd_student(void)
{
	static const char *const births[] = {
		"2008-02-29", "2010-06-15", "2010-12-01", "2010-12-02",
		"2009-03-01", "2011-01-10", "2012-06-16", "2006-05-05",
	};
	static const char *const mods[] = { "in_person", "virtual", "hybrid" };
	json_t *st = student(), *c = json_object(), *ids, *m;
	size_t i;

	set(st, "birth_date", json_string(births[rnd(8)]));
	ids = rnd_strings(r_comp, 8, 6);
	for (i = 0; i < json_array_size(ids); i++)
		json_object_set_new(c, json_string_value(json_array_get(ids,
		    i)), json_integer(rnd(5)));
	json_decref(ids);
	set(st, "competencies", c);
	set(st, "goals", json_pack("{s:o,s:o}", "clusters",
	    rnd_strings(r_cl, 11, 2), "occupations",
	    rnd_strings(r_occ, 14, 3)));
	if (rnd(6) == 0)
		json_object_del(st, "location");
	else
		set(st, "location", loc(rnd_coord(41.9), rnd_coord(-87.6)));
	switch (wide ? 6 + rnd(2) : rnd(6)) {
	case 0:
		set(st, "max_distance_km", json_integer(0));
		break;
	case 6:
		set(st, "max_distance_km", json_integer(rnd(20001)));
		break;
	case 7:
		set(st, "max_distance_km", json_integer(rnd(3000)));
		break;
	case 1:
		set(st, "max_distance_km", json_real(rnd(10000) / 100.0));
		break;
	default:
		set(st, "max_distance_km", json_integer(rnd(60)));
	}
	m = rnd_strings(mods, 3, 3);
	if (json_array_size(m) == 0)
		json_array_append_new(m, json_string("virtual"));
	set(st, "modality", m);
	return st;
}

/*
 * equivalence: nl random listings, churned (replaced, deleted, marked
 * full) between rounds; every round ranks random students with random
 * top against the reference.
 */
static void
equivalence(const struct frameworks *f, size_t nl, int rounds)
{
	struct match_index *mi = mi_new(f);
	struct ref_listing *ls = calloc(nl, sizeof(*ls));
	struct match_hit *got = calloc(nl + 1, sizeof(*got));
	struct match_hit *want = calloc(nl + 1, sizeof(*want));
	struct match_student *ms;
	int32_t td;
	int64_t nw;
	size_t i, j, top, ng, nwant;
	char what[64], *s;
	json_t *st;
	int r;

	assert_non_null(mi);
	for (r = 0; r < rounds; r++) {
		/* Churn: about a fifth of the addresses change each round. */
		for (i = 0; i < nl; i++) {
			if (r > 0 && rnd(5) != 0)
				continue;
			if (ls[i].body != NULL && rnd(4) == 0) {
				assert_int_equal(mi_del(mi, ls[i].addr), 0);
				json_decref(ls[i].body);
				ls[i].body = NULL;
				continue;
			}
			if (ls[i].body != NULL && rnd(4) == 0) {
				ls[i].full = !ls[i].full;
				assert_int_equal(mi_set_full(mi, ls[i].addr,
				    ls[i].full), 0);
				continue;
			}
			/* Half the time a new address: drop the old one. */
			if (ls[i].body != NULL && rnd(2) == 0) {
				assert_int_equal(mi_del(mi, ls[i].addr), 0);
				mkaddr(ls[i].addr, (unsigned)i);
				ls[i].addr[2] = (uint8_t)rnd(256);
				ls[i].addr[15] = 0;
			} else if (ls[i].body == NULL) {
				mkaddr(ls[i].addr, (unsigned)i);
				ls[i].addr[2] = (uint8_t)rnd(256);
				ls[i].addr[15] = 0;
			}
			json_decref(ls[i].body);
			ls[i].body = rnd_listing();
			ls[i].exp = now + ((int64_t)rnd(5) - 1) * DAY_MS / 2;
			s = json_dumps(ls[i].body, JSON_COMPACT);
			assert_int_equal(mi_put(mi, ls[i].addr,
			    (const uint8_t *)s, strlen(s), ls[i].exp), 0);
			free(s);
			if (ls[i].full)
				assert_int_equal(mi_set_full(mi, ls[i].addr,
				    1), 0);
		}
		for (i = 0, j = 0; i < nl; i++)
			j += ls[i].body != NULL;
		assert_int_equal(mi_count(mi), j);
		for (j = 0; j < 12; j++) {
			st = rnd_student();
			td = today + (int32_t)rnd(3) - 1;
			nw = now + ((int64_t)rnd(3) - 1) * DAY_MS / 2;
			top = rnd(4) == 0 ? nl : 1 + rnd(12);
			ms = NULL;
			assert_int_equal(ms_compile(mi, st, td, &ms), 0);
			assert_int_equal(match_rank(mi, ms, nw, top, got, &ng),
			    0);
			nwant = ref_rank(f, ls, nl, st, td, nw, top, want);
			snprintf(what, sizeof(what), "round %d student %zu "
			    "top %zu", r, j, top);
			same_hits(got, ng, want, nwant, what);
			ms_free(ms);
			json_decref(st);
		}
	}
	for (i = 0; i < nl; i++)
		json_decref(ls[i].body);
	free(ls);
	free(got);
	free(want);
	mi_free(mi);
}

static void
test_equivalence_small(void **state)
{
	(void)state;
	equivalence(fw, 60, 40);
	equivalence(NULL, 60, 20);
}

static void
test_equivalence_large(void **state)
{
	(void)state;
	equivalence(fw, 3000, 8);
}

static void
test_equivalence_wide(void **state)
{
	(void)state;
	wide = 1;
	equivalence(fw, 2000, 4);
	wide = 0;
}

static void
test_determinism(void **state)
{
	struct match_index *a = mi_new(fw), *b = mi_new(fw);
	struct match_hit ha[50], hb[50], hc[50];
	json_t *bodies[300];
	char *s[300];
	uint8_t ad[MATCH_ADDR_LEN];
	size_t i, na, nb, nc;
	int k;

	(void)state;
	rng = 42;
	for (i = 0; i < 300; i++) {
		bodies[i] = rnd_listing();
		s[i] = json_dumps(bodies[i], JSON_COMPACT);
	}
	/* a: in order; b: reversed, with a round of deletes and re-puts. */
	for (i = 0; i < 300; i++) {
		mkaddr(ad, (unsigned)i);
		assert_int_equal(mi_put(a, ad, (const uint8_t *)s[i],
		    strlen(s[i]), INT64_MAX), 0);
		mkaddr(ad, (unsigned)(299 - i));
		assert_int_equal(mi_put(b, ad, (const uint8_t *)s[299 - i],
		    strlen(s[299 - i]), INT64_MAX), 0);
	}
	for (i = 0; i < 300; i += 3) {
		mkaddr(ad, (unsigned)i);
		assert_int_equal(mi_del(b, ad), 0);
	}
	for (i = 0; i < 300; i += 3) {
		mkaddr(ad, (unsigned)i);
		assert_int_equal(mi_put(b, ad, (const uint8_t *)s[i],
		    strlen(s[i]), INT64_MAX), 0);
	}
	for (k = 0; k < 20; k++) {
		json_t *st = rnd_student();

		na = rank(a, json_incref(st), 50, ha);
		nb = rank(b, json_incref(st), 50, hb);
		nc = rank(a, st, 50, hc);
		same_hits(ha, na, hb, nb, "insertion order");
		same_hits(ha, na, hc, nc, "second run");
	}
	for (i = 0; i < 300; i++) {
		json_decref(bodies[i]);
		free(s[i]);
	}
	mi_free(a);
	mi_free(b);
}

/* ---- index maintenance ---- */

static void
test_put_replace_del(void **state)
{
	struct match_index *mi = mi_new(fw);
	struct match_hit h[4];
	uint8_t a[MATCH_ADDR_LEN];
	json_t *b;
	size_t m0, n;

	(void)state;
	assert_int_equal(mi_count(mi), 0);
	m0 = mi_memory(mi);
	assert_true(m0 > 0);
	b = base();
	set(b, "title", json_string("One"));
	put(mi, 1, b);
	assert_int_equal(mi_count(mi), 1);
	assert_true(mi_memory(mi) > m0);
	mkaddr(a, 1);
	assert_string_equal(match_title(mi, a), "One");
	assert_int_equal(rank(mi, student(), 4, h), 1);

	/* Replace: far away and in person now; the count stays 1. */
	b = base();
	set(b, "title", json_string("Two"));
	set(b, "modality", json_string("in_person"));
	set(b, "location", loc(40.0, -80.0));
	put(mi, 1, b);
	assert_int_equal(mi_count(mi), 1);
	assert_string_equal(match_title(mi, a), "Two");
	assert_int_equal(rank(mi, student(), 4, h), 0);

	/* A replaced listing keeps its full mark. */
	assert_int_equal(mi_set_full(mi, a, 1), 0);
	b = base();
	set(b, "title", json_string("Three"));
	put(mi, 1, b);
	assert_int_equal(rank(mi, student(), 4, h), 0);
	assert_int_equal(mi_set_full(mi, a, 0), 0);
	n = rank(mi, student(), 4, h);
	assert_int_equal(n, 1);

	assert_int_equal(mi_del(mi, a), 0);
	assert_int_equal(mi_count(mi), 0);
	assert_null(match_title(mi, a));
	assert_int_equal(mi_del(mi, a), MENTOR_ENOTFOUND);
	assert_int_equal(mi_set_full(mi, a, 1), MENTOR_ENOTFOUND);
	assert_int_equal(rank(mi, student(), 4, h), 0);
	mi_free(mi);
	mi_free(NULL);
	ms_free(NULL);
}

static void
test_put_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[1,2]",
		"{\"modality\":\"virtual\"}",
		"{\"title\":\"\",\"modality\":\"virtual\"}",
		"{\"title\":\"T\",\"modality\":\"remote\"}",
		"{\"title\":\"T\",\"modality\":\"in_person\"}",
		"{\"title\":\"T\",\"modality\":\"hybrid\","
		    "\"location\":{\"lat\":91,\"lon\":0}}",
		"{\"title\":\"T\",\"modality\":\"virtual\","
		    "\"requires\":[{\"competency\":\"onet:2.A.1.a\","
		    "\"level\":5}]}",
		"{\"title\":\"T\",\"modality\":\"virtual\","
		    "\"requires\":[{\"competency\":\"bad id\",\"level\":1}]}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"develops\":["
		    "{\"competency\":\"x:a\",\"level\":1},"
		    "{\"competency\":\"x:a\",\"level\":2}]}",
		"{\"title\":\"T\",\"modality\":\"virtual\","
		    "\"occupations\":[\"51-4121\"]}",
		"{\"title\":\"T\",\"modality\":\"virtual\","
		    "\"clusters\":[\"widgets\"]}",
		"{\"title\":\"T\",\"modality\":\"virtual\","
		    "\"start\":\"2027-02-30\"}",
		"{\"title\":\"T\",\"modality\":\"virtual\","
		    "\"start\":\"2027-02-10\",\"end\":\"2027-02-01\"}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"min_age\":100}",
		"{\"title\":\"T\",\"title\":\"U\",\"modality\":\"virtual\"}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"full\":1}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"full\":\"true\"}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"full\":null}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"full\":tru}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"full\":truex}",
		"{\"title\":\"T\",\"modality\":\"virtual\",\"full\":true,"
		    "\"full\":false}",
	};
	struct match_index *mi = mi_new(fw);
	uint8_t a[MATCH_ADDR_LEN];
	size_t i;

	(void)state;
	put(mi, 1, base());
	mkaddr(a, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mi_put(mi, a, (const uint8_t *)bad[i], strlen(bad[i]),
		    INT64_MAX) != MENTOR_EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
	/* The listing held there is untouched. */
	assert_int_equal(mi_count(mi), 1);
	assert_string_equal(match_title(mi, a), "T");
	assert_int_equal(mi_put(NULL, a, (const uint8_t *)"{}", 2, 0),
	    MENTOR_EINVAL);
	mi_free(mi);
}

static void
test_compile_invalid(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"birth_date\":\"2010-02-30\"}",
		"{\"birth_date\":\"2010-01-01\",\"modality\":[\"bus\"]}",
		"{\"birth_date\":\"2010-01-01\",\"competencies\":{\"x:a\":9}}",
		"{\"birth_date\":\"2010-01-01\",\"max_distance_km\":-1}",
		"{\"birth_date\":\"2010-01-01\",\"location\":{\"lat\":1}}",
		("{\"birth_date\":\"2010-01-01\",\"goals\":{\"occupations\":"
		    "[\"51\"]}}"),
	};
	struct match_index *mi = mi_new(fw);
	struct match_student *ms = NULL;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = jload(bad[i]);
		if (ms_compile(mi, j, today, &ms) != MENTOR_EINVAL)
			fail_msg("compiled: %s", bad[i]);
		assert_null(ms);
		json_decref(j);
	}
	/* A bare birth date is enough: the defaults of student_parse. */
	j = jload("{\"birth_date\":\"2010-01-01\"}");
	assert_int_equal(ms_compile(mi, j, today, &ms), 0);
	ms_free(ms);
	json_decref(j);
	mi_free(mi);
}

/* ---- the body reader against jansson ---- */

static int
ref_strings(const json_t *o, const char *key, size_t max,
    int (*valid)(const char *))
{
	const json_t *a = json_object_get(o, key), *v, *w;
	size_t i, j;

	if (a == NULL)
		return 1;
	if (!json_is_array(a) || json_array_size(a) > max)
		return 0;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !valid(json_string_value(v)))
			return 0;
		for (j = 0; j < i; j++) {
			w = json_array_get(a, j);
			if (strcmp(json_string_value(v),
			    json_string_value(w)) == 0)
				return 0;
		}
	}
	return 1;
}

static int
ref_items(const json_t *o, const char *key)
{
	const json_t *a = json_object_get(o, key), *v, *c, *l;
	size_t i, j;

	if (a == NULL)
		return 1;
	if (!json_is_array(a) || json_array_size(a) > LISTING_COMPETENCIES_MAX)
		return 0;
	json_array_foreach(a, i, v) {
		c = json_object_get(v, "competency");
		l = json_object_get(v, "level");
		if (!json_is_string(c) || !competency_id_valid(
		    json_string_value(c)) || !json_is_integer(l) ||
		    json_integer_value(l) < 0 || json_integer_value(l) > 4)
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(json_string_value(c), json_string_value(
			    json_object_get(json_array_get(a, j),
			    "competency"))) == 0)
				return 0;
	}
	return 1;
}

static int
ref_coord(const json_t *loc, const char *key, double lim)
{
	const json_t *v = json_object_get(loc, key);

	return json_is_number(v) && json_number_value(v) >= -lim &&
	    json_number_value(v) <= lim;
}

static int
ref_date(const json_t *o, const char *key, int32_t *d)
{
	const json_t *v = json_object_get(o, key);

	*d = INT32_MAX;
	return v == NULL || (json_is_string(v) &&
	    date_parse(json_string_value(v), d) == 0);
}

/* ref_body_ok: what mi_put accepts, judged on jansson's parse. */
static int
ref_body_ok(const json_t *o)
{
	const json_t *t, *m, *loc, *a, *f;
	int32_t start, end;

	if (!json_is_object(o))
		return 0;
	f = json_object_get(o, "full");
	if (f != NULL && !json_is_boolean(f))
		return 0;
	t = json_object_get(o, "title");
	m = json_object_get(o, "modality");
	loc = json_object_get(o, "location");
	a = json_object_get(o, "min_age");
	if (!json_is_string(t) || json_string_length(t) == 0 ||
	    !json_is_string(m) || !modality_valid(json_string_value(m)))
		return 0;
	if (loc != NULL && (!json_is_object(loc) ||
	    !ref_coord(loc, "lat", 90) || !ref_coord(loc, "lon", 180)))
		return 0;
	if (loc == NULL && strcmp(json_string_value(m), "virtual") != 0)
		return 0;
	if (!ref_strings(o, "clusters", LISTING_CLUSTERS_MAX,
	    cluster_code_valid) || !ref_strings(o, "occupations",
	    LISTING_OCCUPATIONS_MAX, occupation_code_valid) ||
	    !ref_items(o, "requires") || !ref_items(o, "develops") ||
	    !ref_date(o, "start", &start) || !ref_date(o, "end", &end))
		return 0;
	if (start != INT32_MAX && end != INT32_MAX && end < start)
		return 0;
	if (a != NULL && (!json_is_integer(a) || json_integer_value(a) < 0 ||
	    json_integer_value(a) > 99))
		return 0;
	return 1;
}

/* reader_case: mi_put and jansson agree on body (len bytes). */
static void
reader_case(struct match_index *mi, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	uint8_t a[MATCH_ADDR_LEN];
	int want = o != NULL && ref_body_ok(o), got;
	const char *title;

	mkaddr(a, 7);
	(void)mi_del(mi, a);
	got = mi_put(mi, a, (const uint8_t *)body, len, INT64_MAX) == 0;
	if (want && !got)
		fail_msg("mi_put refused a listing: %.*s", (int)len, body);
	if (got && !want && (o != NULL || (strstr(jerr.text, "duplicate") ==
	    NULL && strstr(jerr.text, "overflow") == NULL &&
	    strstr(jerr.text, "too big") == NULL)))
		fail_msg("mi_put accepted (jansson: %s): %.*s",
		    o != NULL ? "parsed" : jerr.text, (int)len, body);
	if (want) {
		title = match_title(mi, a);
		assert_non_null(title);
		assert_string_equal(title, json_string_value(
		    json_object_get(o, "title")));
	}
	json_decref(o);
}

static void
test_body_reader(void **state)
{
	/* JSON string bodies, escapes and all. */
	static const char *const titles[] = {
		"Caf\\u00e9 \\\"quoted\\\" back\\\\slash / tab\\t",
		"snow \\u2603 and \\ud83d\\ude00", "\\u00e9t\\u00e9 caf\\u00e9",
	};
	static const char pick[] = "\"\\{}[],:0123456789-+.eEtrufalsn u"
	    "\x01\x7f\x80\xc3\xa9\xed\xa0\xf4\x90 ";
	static const size_t flags[] = {
		JSON_COMPACT, JSON_COMPACT | JSON_SORT_KEYS,
		JSON_INDENT(2), JSON_COMPACT | JSON_ENSURE_ASCII,
		JSON_INDENT(1) | JSON_ENSURE_ASCII | JSON_SORT_KEYS,
	};
	struct match_index *mi = mi_new(fw);
	char *s, buf[8192];
	json_t *b, *t;
	size_t i, k, len, m;
	int it;

	(void)state;
	rng = 7;
	/* Valid bodies in every layout jansson writes. */
	for (it = 0; it < 400; it++) {
		b = rnd_listing();
		if (it % 3 == 0) {
			char q[128];

			snprintf(q, sizeof(q), "\"%s\"", titles[(it / 3) % 3]);
			t = json_loads(q, JSON_DECODE_ANY, NULL);
			assert_non_null(t);
			set(b, "title", t);
		}
		s = json_dumps(b, flags[it % 5]);
		reader_case(mi, s, strlen(s));
		free(s);
		json_decref(b);
	}
	/* Mutated bodies: both refuse, or both accept the same listing. */
	for (it = 0; it < 30000; it++) {
		b = rnd_listing();
		s = json_dumps(b, it & 1 ? JSON_COMPACT : JSON_INDENT(1) |
		    JSON_ENSURE_ASCII);
		json_decref(b);
		len = strlen(s);
		assert_true(len < sizeof(buf) - 16);
		memcpy(buf, s, len);
		free(s);
		for (m = 1 + rnd(3), k = 0; k < m && len > 0; k++) {
			i = rnd((uint32_t)len);
			switch (rnd(4)) {
			case 0:
				buf[i] = pick[rnd(sizeof(pick) - 1)];
				break;
			case 1:
				memmove(buf + i, buf + i + 1, len - i - 1);
				len--;
				break;
			case 2:
				memmove(buf + i + 1, buf + i, len - i);
				buf[i] = pick[rnd(sizeof(pick) - 1)];
				len++;
				break;
			default:
				len = i;
			}
		}
		reader_case(mi, buf, len);
	}
	/* Nesting: JP_DEPTH levels in a field it skips, and NUL bytes. */
	len = (size_t)snprintf(buf, sizeof(buf),
	    "{\"title\":\"T\",\"modality\":\"virtual\",\"x\":");
	for (i = 0; i < 40; i++)
		buf[len++] = '[';
	for (i = 0; i < 40; i++)
		buf[len++] = ']';
	buf[len++] = '}';
	assert_int_equal(mi_put(mi, (const uint8_t *)"0123456789abcdef",
	    (const uint8_t *)buf, len, INT64_MAX), MENTOR_EINVAL);
	assert_int_equal(mi_put(mi, (const uint8_t *)"0123456789abcdef",
	    (const uint8_t *)"{\"title\":\"T\0\",\"modality\":\"virtual\"}",
	    36, INT64_MAX), MENTOR_EINVAL);
	mi_free(mi);
}

/* ---- the sample data ---- */

struct sample {
	struct match_index *mi;
	json_t	*listings;	/* as in the file */
	json_t	*students;	/* normalized */
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
sample_load(struct sample *s)
{
	struct listing_in in;
	char err[256], *buf, *body;
	uint8_t a[MATCH_ADDR_LEN];
	size_t len, i;
	json_t *l;

	s->mi = mi_new(fw);
	s->listings = jload(buf = slurp(DATA "/sample/listings.json", &len));
	free(buf);
	json_array_foreach(s->listings, i, l) {
		if (listing_parse(l, now, &in, err, sizeof(err)) != 0)
			fail_msg("sample listing %zu: %s", i, err);
		body = listing_body_encode(in.body, &len);
		assert_non_null(body);
		mkaddr(a, (unsigned)i);
		assert_int_equal(mi_put(s->mi, a, (const uint8_t *)body, len,
		    INT64_MAX), 0);
		free(body);
		listing_in_clear(&in);
	}
	buf = slurp(DATA "/sample/students.json", &len);
	if (student_parse_array(buf, len, &s->students, err,
	    sizeof(err)) != 0)
		fail_msg("sample students: %s", err);
	free(buf);
}

static void
sample_free(struct sample *s)
{
	mi_free(s->mi);
	json_decref(s->listings);
	json_decref(s->students);
}

static const json_t *
sample_student(const struct sample *s, const char *id)
{
	const json_t *st;
	size_t i;

	json_array_foreach(s->students, i, st)
		if (strcmp(json_string_value(json_object_get(st, "id")),
		    id) == 0)
			return st;
	fail_msg("no sample student %s", id);
	return NULL;
}

static const char *
ref_of(const struct sample *s, const struct match_hit *h)
{
	return json_string_value(json_object_get(json_array_get(s->listings,
	    addr_id(h->addr)), "ref"));
}

static size_t
sample_rank(const struct sample *s, const char *id, struct match_hit *h,
    size_t top)
{
	return rank(s->mi, json_deep_copy(sample_student(s, id)), top, h);
}

static void
test_sample(void **state)
{
	struct sample s;
	struct match_hit h[64];
	const json_t *st, *l;
	size_t n, i, j, nv;
	int32_t start;
	const char *id;

	(void)state;
	sample_load(&s);
	assert_int_equal(mi_count(s.mi), json_array_size(s.listings));

	/* A welding student in Chicago: the two welding listings first. */
	n = sample_rank(&s, "S1001", h, 5);
	assert_true(n >= 2);
	assert_string_equal(ref_of(&s, &h[0]),
	    "lmf-welding-preapprenticeship-2027");
	assert_string_equal(ref_of(&s, &h[1]), "lmf-weld-shadow-2027");
	assert_int_equal(h[1].readiness, 40);
	assert_int_equal(h[1].growth, 10);
	assert_int_equal(h[1].career, 30);
	assert_int_equal(h[1].logistics, 9);

	/* Nursing near the hospital. */
	n = sample_rank(&s, "S1003", h, 3);
	assert_true(n >= 1);
	assert_true(strstr(ref_of(&s, &h[0]), "nurs") != NULL);

	/*
	 * Software near the Loop: the internship (career 30, 5 km) among
	 * the top three, with two virtual software projects (career 24).
	 */
	n = sample_rank(&s, "S1002", h, 3);
	assert_int_equal(n, 3);
	for (i = 0, j = 0; i < n; i++)
		if (strcmp(ref_of(&s, &h[i]),
		    "ldw-software-internship-2027") == 0)
			j = 1;
	assert_true(j);

	/*
	 * Rural students far from every employer: only virtual listings,
	 * and some; those without virtual in their modalities get nothing.
	 */
	for (i = 21; i <= 30; i++) {
		char sid[8];

		snprintf(sid, sizeof(sid), "S10%02zu", i);
		n = sample_rank(&s, sid, h, 64);
		assert_true(n > 0);
		for (j = 0; j < n; j++)
			if (h[j].distance_km != -1)
				fail_msg("%s got in-person %s", sid,
				    ref_of(&s, &h[j]));
	}

	/* Nobody gets a listing they are too young for, or too far away. */
	nv = 0;
	json_array_foreach(s.students, i, st) {
		id = json_string_value(json_object_get(st, "id"));
		n = sample_rank(&s, id, h, 64);
		for (j = 0; j < n; j++) {
			const json_t *v;

			l = json_array_get(s.listings, addr_id(h[j].addr));
			v = json_object_get(l, "start");
			start = v != NULL ? day(json_string_value(v)) : today;
			if (ref_age(json_string_value(json_object_get(st,
			    "birth_date")), start) <
			    json_integer_value(json_object_get(l, "min_age")))
				fail_msg("%s is too young for %s", id,
				    json_string_value(json_object_get(l,
				    "ref")));
			if (h[j].distance_km > json_number_value(
			    json_object_get(st, "max_distance_km")))
				fail_msg("%s: %s too far", id,
				    json_string_value(json_object_get(l,
				    "ref")));
			nv++;
		}
	}
	assert_true(nv > 100);

	/* S1010 turns 14 on 2027-05-06: no 14+ listing starting before. */
	n = sample_rank(&s, "S1010", h, 64);
	assert_true(n > 0);
	for (j = 0; j < n; j++)
		assert_string_not_equal(ref_of(&s, &h[j]),
		    "ldw-web-project-2027");
	for (j = 0, i = 0; j < n; j++)
		if (strcmp(ref_of(&s, &h[j]), "ncs-game-jam-2027") == 0)
			i = 1;
	assert_true(i);
	sample_free(&s);
}

static void
test_sample_reasons(void **state)
{
	struct sample s;
	struct match_student *ms = NULL;
	struct match_hit h[4];
	json_t *r;
	size_t n;

	(void)state;
	sample_load(&s);
	assert_int_equal(ms_compile(s.mi, sample_student(&s, "S1001"), today,
	    &ms), 0);
	assert_int_equal(match_rank(s.mi, ms, now, 2, h, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(match_explain(s.mi, ms, &h[1], &r), 0);
	assert_string_equal(json_string_value(json_array_get(r, 0)),
	    "You meet 1 of 1 required skill");
	assert_string_equal(json_string_value(json_array_get(r, 1)),
	    "Develops Quality Control Analysis to level 3 (you are at 2)");
	assert_string_equal(json_string_value(json_array_get(r, 2)),
	    "Develops Equipment Selection to level 2 (you are at 1)");
	assert_string_equal(json_string_value(json_array_get(r, 3)),
	    "Matches your goal: Welders, Cutters, Solderers, and Brazers");
	assert_string_equal(json_string_value(json_array_get(r, 4)),
	    "In your career cluster: Manufacturing");
	assert_string_equal(json_string_value(json_array_get(r, 5)),
	    "3 km away");
	assert_int_equal(json_array_size(r), 6);
	assert_string_equal(match_title(s.mi, h[1].addr),
	    "Structural welding job shadow");
	json_decref(r);
	ms_free(ms);
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_expired_full),
		cmocka_unit_test(test_filter_body_full),
		cmocka_unit_test(test_filter_end),
		cmocka_unit_test(test_filter_age),
		cmocka_unit_test(test_filter_age_unknown),
		cmocka_unit_test(test_filter_modality),
		cmocka_unit_test(test_filter_distance),
		cmocka_unit_test(test_filter_no_location),
		cmocka_unit_test(test_score_readiness),
		cmocka_unit_test(test_score_growth),
		cmocka_unit_test(test_score_career),
		cmocka_unit_test(test_score_logistics),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_reasons_detail),
		cmocka_unit_test(test_why_not_unlocated),
		cmocka_unit_test(test_explain_gone),
		cmocka_unit_test(test_tie_break),
		cmocka_unit_test(test_equivalence_small),
		cmocka_unit_test(test_equivalence_large),
		cmocka_unit_test(test_equivalence_wide),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_put_replace_del),
		cmocka_unit_test(test_put_invalid),
		cmocka_unit_test(test_body_reader),
		cmocka_unit_test(test_compile_invalid),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_sample_reasons),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
