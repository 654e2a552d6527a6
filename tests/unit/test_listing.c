/*
 * test_listing.c: listing validation, the canonical body and the shared
 * predicates (protocol/listing.c), through include/listing.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"

#define DAY_MS	(86400 * (int64_t)1000)

/* CONTRACT.md's example; "now" is 90 days before its expiry. */
static const char example[] =
    "{\"ref\": \"weld-shadow-2027\", \"kind\": \"job_shadow\","
    " \"title\": \"Welding shop job shadow\","
    " \"organization\": \"Acme Fabrication\","
    " \"description\": \"Two days in a structural welding shop.\","
    " \"clusters\": [\"manufacturing\"], \"occupations\": [\"51-4121.00\"],"
    " \"requires\": [{\"competency\": \"onet:2.B.3.h\", \"level\": 2}],"
    " \"develops\": [{\"competency\": \"onet:2.B.3.m\", \"level\": 3}],"
    " \"capacity\": 2, \"modality\": \"in_person\","
    " \"location\": {\"lat\": 41.88, \"lon\": -87.63},"
    " \"start\": \"2027-01-10\", \"end\": \"2027-03-01\", \"min_age\": 16,"
    " \"expires\": \"2027-03-01T00:00:00Z\"}";

static const char example_body[] =
    "{\"capacity\":2,\"clusters\":[\"manufacturing\"],"
    "\"description\":\"Two days in a structural welding shop.\","
    "\"develops\":[{\"competency\":\"onet:2.B.3.m\",\"level\":3}],"
    "\"end\":\"2027-03-01\",\"kind\":\"job_shadow\","
    "\"location\":{\"lat\":41.880000000000003,\"lon\":-87.629999999999995},"
    "\"min_age\":16,\"modality\":\"in_person\","
    "\"occupations\":[\"51-4121.00\"],"
    "\"organization\":\"Acme Fabrication\","
    "\"requires\":[{\"competency\":\"onet:2.B.3.h\",\"level\":2}],"
    "\"start\":\"2027-01-10\",\"title\":\"Welding shop job shadow\"}";

static int64_t
fixed_now(void)
{
	int64_t ms;

	assert_int_equal(time_parse("2026-12-01T00:00:00Z", &ms), 0);
	return ms;
}

static json_t *
load(const char *s)
{
	json_error_t jerr;
	json_t *j;

	j = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (j == NULL)
		fail_msg("bad test JSON %s: %s", s, jerr.text);
	return j;
}

static void
test_example(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], *enc;
	json_t *obj;
	int64_t exp;
	size_t len;

	(void)state;
	obj = load(example);
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	assert_string_equal(in.ref, "weld-shadow-2027");
	assert_int_equal(time_parse("2027-03-01T00:00:00Z", &exp), 0);
	assert_true(in.expires_ms == exp);
	assert_null(json_object_get(in.body, "ref"));
	assert_null(json_object_get(in.body, "expires"));
	assert_true(json_is_integer(json_object_get(in.body, "capacity")));
	assert_true(json_is_real(json_object_get(json_object_get(in.body,
	    "location"), "lat")));
	enc = listing_body_encode(in.body, &len);
	assert_non_null(enc);
	assert_string_equal(enc, example_body);
	assert_int_equal(len, strlen(example_body));
	/* The canonical body is a valid record body, and encodes the same. */
	assert_int_equal(listing_body_check((uint8_t *)enc, len, err,
	    sizeof(err)), 0);
	free(enc);
	listing_in_clear(&in);
	assert_null(in.body);
	listing_in_clear(NULL);
	json_decref(obj);
}

/* The example with expires a month from the real clock. */
static void
test_example_real_now(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], t[21];
	json_t *obj;
	int64_t now = now_ms();

	(void)state;
	obj = load(example);
	time_format(t, now + 30 * DAY_MS);
	json_object_set_new(obj, "expires", json_string(t));
	assert_int_equal(listing_parse(obj, now, &in, err, sizeof(err)), 0);
	assert_true(in.expires_ms / 1000 == (now + 30 * DAY_MS) / 1000);
	listing_in_clear(&in);
	json_decref(obj);
}

/* Valid variants: each edits the example (NULL value: delete the field). */
static const struct {
	const char	*field;
	const char	*value;
} good[] = {
	{ "ref", NULL },
	{ "expires", NULL },
	{ "expires", "\"2027-03-01\"" },
	{ "expires", "\"2027-12-31T23:59:59Z\"" },
	{ "expires", "\"2028-01-05\"" },		/* now + 400 days */
	{ "expires", "\"2026-12-01T00:00:01Z\"" },
	{ "description", NULL },
	{ "description", "\"line one\\nline two\\ttabbed\"" },
	{ "clusters", NULL },
	{ "clusters", "[]" },
	{ "clusters", "[\"manufacturing\", \"advanced-manufacturing\"]" },
	{ "occupations", NULL },
	{ "requires", NULL },
	{ "requires", "[{\"competency\": \"esco:skill.S1-2_x\", \"level\": 0},"
	    " {\"level\": 4, \"competency\": \"onet:1.A.1.a.1\"}]" },
	{ "develops", NULL },
	{ "capacity", "1" },
	{ "capacity", "10000" },
	{ "modality", "\"hybrid\"" },
	{ "location", "{\"lat\": -90, \"lon\": 180}" },
	{ "start", NULL },
	{ "end", NULL },
	{ "end", "\"2027-01-10\"" },
	{ "min_age", NULL },
	{ "min_age", "0" },
	{ "min_age", "99" },
	{ "full", "true" },
	{ "full", "false" },
	{ "ref", "\"a\"" },
	{ "ref", "\"0123456789012345678901234567890123456789012345678901234567"
	    "890123\"" },
	{ "ref", "\"x.y_z-1\"" },
	{ "title", "\"Soldadura: d\\u00eda de observaci\\u00f3n\"" },
};

static void
test_good_variants(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX];
	json_t *obj;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		obj = load(example);
		if (good[i].value == NULL)
			json_object_del(obj, good[i].field);
		else
			json_object_set_new(obj, good[i].field,
			    load(good[i].value));
		if (listing_parse(obj, fixed_now(), &in, err,
		    sizeof(err)) != 0)
			fail_msg("good[%zu] %s: %s", i, good[i].field, err);
		if (strcmp(good[i].field, "ref") == 0 && good[i].value == NULL)
			assert_string_equal(in.ref, "");
		if (strcmp(good[i].field, "expires") == 0 &&
		    good[i].value == NULL)
			assert_true(in.expires_ms == 0);
		listing_in_clear(&in);
		json_decref(obj);
	}
}

static void
test_virtual(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX];
	json_t *obj;

	(void)state;
	obj = load(example);
	json_object_set_new(obj, "modality", json_string("virtual"));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	listing_in_clear(&in);
	json_object_del(obj, "location");
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	assert_null(json_object_get(in.body, "location"));
	listing_in_clear(&in);
	json_decref(obj);
}

static void
test_integer_location(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], *enc;
	json_t *obj;

	(void)state;
	obj = load(example);
	json_object_set_new(obj, "location", load("{\"lat\": 41, \"lon\": -87}"));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	enc = listing_body_encode(in.body, NULL);
	assert_non_null(strstr(enc, "\"location\":{\"lat\":41.0,\"lon\":-87.0}"));
	free(enc);
	listing_in_clear(&in);
	json_decref(obj);
}

static char *
repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(pl + n + sl + 1);

	assert_non_null(s);
	memcpy(s, prefix, pl);
	memset(s + pl, c, n);
	memcpy(s + pl + n, suffix, sl + 1);
	return s;
}

static const char many_clusters[] = "[\"finance\", \"stem\", \"marketing\","
    " \"agriculture\", \"education\", \"construction\", \"digital-technology\","
    " \"health-science\", \"manufacturing\"]";

/* Bad values: the message must begin with want. */
static const struct {
	const char	*field;
	const char	*value;		/* JSON text; NULL: delete */
	const char	*want;
} bad[] = {
	{ "foo", "1", "foo: unknown field" },
	{ "Title", "\"x\"", "Title: unknown field" },
	{ "", "\"x\"", "\"\": unknown field" },
	{ "ref", "5", "ref: must be a string" },
	{ "ref", "\"\"", "ref: must be 1 to 64 bytes" },
	{ "ref", "\"Weld\"", "ref: only a-z, 0-9" },
	{ "ref", "\"a b\"", "ref: only a-z, 0-9" },
	{ "ref", "\"a/b\"", "ref: only a-z, 0-9" },
	{ "ref", "\".hidden\"", "ref: must not start with" },
	{ "ref", "\"-x\"", "ref: must not start with" },
	{ "kind", NULL, "kind: missing" },
	{ "kind", "3", "kind: must be a string" },
	{ "kind", "\"mentoring\"", "kind: unknown kind \"mentoring\"" },
	{ "kind", "\"Job_Shadow\"", "kind: unknown kind" },
	{ "title", NULL, "title: missing" },
	{ "title", "7", "title: must be a string" },
	{ "title", "null", "title: must be a string" },
	{ "title", "\"\"", "title: must not be empty" },
	{ "title", "\"a\\nb\"", "title: contains a control character" },
	{ "title", "\"a\\u007fb\"", "title: contains a control character" },
	{ "title", "\"a\\u0085b\"", "title: contains a control character" },
	{ "organization", NULL, "organization: missing" },
	{ "organization", "[]", "organization: must be a string" },
	{ "organization", "\"\"", "organization: must not be empty" },
	{ "organization", "\"\\t\"", "organization: contains a control" },
	{ "description", "{}", "description: must be a string" },
	{ "description", "\"\"", "description: must not be empty" },
	{ "description", "\"a\\u0000b\"", "description: contains a NUL" },
	{ "kind", "\"project\\u0000x\"", "kind: contains a NUL" },
	{ "description", "\"bell\\u0007\"", "description: contains a control" },
	{ "clusters", "\"manufacturing\"", "clusters: must be an array" },
	{ "clusters", "[\"manufacture\"]",
	    "clusters[0]: unknown career cluster \"manufacture\"" },
	{ "clusters", "[\"stem\", \"STEM\"]",
	    "clusters[1]: unknown career cluster \"STEM\"" },
	{ "clusters", "[1]", "clusters[0]: must be a string" },
	{ "clusters", "[\"stem\", \"finance\", \"stem\"]",
	    "clusters[2]: duplicate \"stem\"" },
	{ "clusters", many_clusters, "clusters: more than 8 entries" },
	{ "occupations", "{}", "occupations: must be an array" },
	{ "occupations", "[\"51-4121.00\", \"51-4121\"]",
	    "occupations[1]: not an O*NET-SOC code (NN-NNNN.NN)" },
	{ "occupations", "[\"51_4121.00\"]",
	    "occupations[0]: not an O*NET-SOC code (NN-NNNN.NN)" },
	{ "occupations", "[\"5a-4121.00\"]",
	    "occupations[0]: not an O*NET-SOC code (NN-NNNN.NN)" },
	{ "occupations", "[\"51-4121.00 \"]",
	    "occupations[0]: not an O*NET-SOC code (NN-NNNN.NN)" },
	{ "occupations", "[\"51-4121.00\", \"51-4121.00\"]",
	    "occupations[1]: duplicate \"51-4121.00\"" },
	{ "occupations", "[null]", "occupations[0]: must be a string" },
	{ "requires", "{}", "requires: must be an array" },
	{ "requires", "[1]", "requires[0]: must be an object" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\"}]",
	    "requires[0].level: missing" },
	{ "requires", "[{\"level\": 1}]", "requires[0].competency: missing" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\", \"level\": 1},"
	    " {\"competency\": \"onet:2.A.1.b\", \"level\": 1},"
	    " {\"competency\": \"onet:2.A.1.c\", \"level\": 5}]",
	    "requires[2].level: must be 0 to 4" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\", \"level\": -1}]",
	    "requires[0].level: must be 0 to 4" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\", \"level\": 2.0}]",
	    "requires[0].level: must be an integer" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\", \"level\": \"2\"}]",
	    "requires[0].level: must be an integer" },
	{ "requires", "[{\"competency\": \"reading\", \"level\": 2}]",
	    "requires[0].competency: malformed competency id \"reading\"" },
	{ "requires", "[{\"competency\": \"onet:A.2\", \"level\": 2}]",
	    "requires[0].competency: malformed competency id" },
	{ "requires", "[{\"competency\": 7, \"level\": 2}]",
	    "requires[0].competency: must be a string" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\", \"level\": 2,"
	    " \"note\": 1}]", "requires[0].note: unknown field" },
	{ "requires", "[{\"competency\": \"onet:2.A.1.a\", \"level\": 2},"
	    " {\"competency\": \"onet:2.A.1.a\", \"level\": 3}]",
	    "requires[1].competency: duplicate \"onet:2.A.1.a\"" },
	{ "develops", "\"onet:2.A.1.a\"", "develops: must be an array" },
	{ "develops", "[{\"competency\": \"onet:2.A.1.a\", \"level\": 9}]",
	    "develops[0].level: must be 0 to 4" },
	{ "develops", "[{\"competency\": \"onet:2.A.1.a\", \"level\": 1},"
	    " {\"competency\": \"Onet:2.A.1.a\", \"level\": 1}]",
	    "develops[1].competency: malformed competency id" },
	{ "capacity", NULL, "capacity: missing" },
	{ "capacity", "0", "capacity: must be at least 1" },
	{ "capacity", "-3", "capacity: must be at least 1" },
	{ "capacity", "10001", "capacity: must be at most 10000" },
	{ "capacity", "2.5", "capacity: must be an integer" },
	{ "capacity", "2.0", "capacity: must be an integer" },
	{ "capacity", "\"2\"", "capacity: must be an integer" },
	{ "capacity", "true", "capacity: must be an integer" },
	{ "modality", NULL, "modality: missing" },
	{ "modality", "\"remote\"", "modality: unknown modality \"remote\"" },
	{ "modality", "[\"virtual\"]", "modality: must be a string" },
	{ "location", NULL, "location: required unless modality is virtual" },
	{ "location", "\"Chicago\"", "location: must be an object" },
	{ "location", "{\"lat\": 91, \"lon\": 0}",
	    "location.lat: must be -90 to 90" },
	{ "location", "{\"lat\": -90.5, \"lon\": 0}",
	    "location.lat: must be -90 to 90" },
	{ "location", "{\"lat\": 0, \"lon\": 180.01}",
	    "location.lon: must be -180 to 180" },
	{ "location", "{\"lat\": 1}", "location.lon: missing" },
	{ "location", "{\"lon\": 1}", "location.lat: missing" },
	{ "location", "{\"lat\": \"1\", \"lon\": 2}",
	    "location.lat: must be a number" },
	{ "location", "{\"lat\": 1, \"lon\": 2, \"alt\": 3}",
	    "location.alt: unknown field" },
	{ "location", "{\"lat\": 1, \"lon\": 2, \"\": 3}",
	    "location.\"\": unknown field" },
	{ "start", "\"2027-02-30\"", "start: not a date (YYYY-MM-DD)" },
	{ "start", "\"2027/01/10\"", "start: not a date (YYYY-MM-DD)" },
	{ "start", "\"2027-01-10T00:00:00Z\"", "start: not a date" },
	{ "start", "20270110", "start: must be a string" },
	{ "end", "\"2027-01-09\"", "end: before start" },
	{ "end", "\"soon\"", "end: not a date (YYYY-MM-DD)" },
	{ "min_age", "100", "min_age: must be 0 to 99" },
	{ "min_age", "-1", "min_age: must be 0 to 99" },
	{ "min_age", "16.5", "min_age: must be an integer" },
	{ "min_age", "\"16\"", "min_age: must be an integer" },
	{ "full", "1", "full: must be true or false" },
	{ "full", "0", "full: must be true or false" },
	{ "full", "\"true\"", "full: must be true or false" },
	{ "full", "null", "full: must be true or false" },
	{ "full", "{}", "full: must be true or false" },
	{ "expires", "\"2020-01-01T00:00:00Z\"", "expires: in the past" },
	{ "expires", "\"2026-12-01T00:00:00Z\"", "expires: in the past" },
	{ "expires", "\"2028-01-05T00:00:01Z\"",
	    "expires: more than 400 days ahead" },
	{ "expires", "\"2028-01-06\"", "expires: more than 400 days ahead" },
	{ "expires", "\"tomorrow\"", "expires: not a time" },
	{ "expires", "\"2027-03-01T25:00:00Z\"", "expires: not a time" },
	{ "expires", "1798761600000", "expires: must be a string" },
};

static void
test_bad_values(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX];
	json_t *obj;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		obj = load(example);
		if (bad[i].value == NULL)
			json_object_del(obj, bad[i].field);
		else
			json_object_set_new(obj, bad[i].field,
			    load(bad[i].value));
		memset(err, 0, sizeof(err));
		rc = listing_parse(obj, fixed_now(), &in, err, sizeof(err));
		if (rc != MENTOR_EINVAL ||
		    strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("bad[%zu] %s: rc %d, err \"%s\", want \"%s\"",
			    i, bad[i].field, rc, err, bad[i].want);
		assert_null(in.body);
		json_decref(obj);
	}
}

/* Values too long to spell out in the table. */
static void
test_bad_lengths(void **state)
{
	static const struct {
		const char	*field;
		char		 c;
		size_t		 n;
		const char	*want;
	} t[] = {
		{ "ref", 'a', 65, "ref: must be 1 to 64 bytes" },
		{ "title", 'a', 201, "title: longer than 200 bytes" },
		{ "organization", 'a', 201,
		    "organization: longer than 200 bytes" },
		{ "description", 'a', 4001,
		    "description: longer than 4000 bytes" },
	};
	struct listing_in in;
	char err[LISTING_ERR_MAX], *s;
	json_t *obj;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		obj = load(example);
		s = repeat("", t[i].c, t[i].n - 1, "");
		json_object_set_new(obj, t[i].field, json_string(s));
		assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
		    sizeof(err)), 0);
		listing_in_clear(&in);
		free(s);
		s = repeat("", t[i].c, t[i].n, "");
		json_object_set_new(obj, t[i].field, json_string(s));
		assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
		    sizeof(err)), MENTOR_EINVAL);
		assert_string_equal(err, t[i].want);
		free(s);
		json_decref(obj);
	}
}

static void
test_bad_counts(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], code[16], id[32];
	json_t *obj, *a, *it;
	int i;

	(void)state;
	obj = load(example);
	a = json_array();
	for (i = 0; i < 17; i++) {
		snprintf(code, sizeof(code), "11-%04d.00", i);
		json_array_append_new(a, json_string(code));
	}
	json_object_set_new(obj, "occupations", a);
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "occupations: more than 16 entries");
	json_array_remove(a, 0);
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	listing_in_clear(&in);

	a = json_array();
	for (i = 0; i < 33; i++) {
		snprintf(id, sizeof(id), "onet:2.A.%d", i);
		it = json_pack("{s:s,s:i}", "competency", id, "level", 1);
		json_array_append_new(a, it);
	}
	json_object_set_new(obj, "develops", a);
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "develops: more than 32 entries");
	json_array_remove(a, 0);
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	listing_in_clear(&in);
	json_decref(obj);
}

/* The first problem in the documented order is the one reported. */
static void
test_order(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX];
	json_t *obj;

	(void)state;
	obj = load(example);
	json_object_set_new(obj, "capacity", json_integer(0));
	json_object_set_new(obj, "title", json_string(""));
	json_object_set_new(obj, "kind", json_string("x"));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "kind: unknown kind \"x\" (mentorship, "
	    "job_shadow, internship, apprenticeship, project)");
	json_object_set_new(obj, "titel", json_string("x"));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "titel: unknown field");
	json_decref(obj);

	obj = load("[1]");
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "listing: must be an object");
	json_decref(obj);
	assert_int_equal(listing_parse(NULL, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
}

/* listing_parse_all: every problem, in listing_parse's order. */
static void
test_all_errors(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX];
	json_t *obj, *errors, *e;
	const char *want[] = { "titel", "kind", "title", "requires[0].level",
	    "capacity" };
	size_t i;

	(void)state;
	obj = load(example);
	json_object_set_new(obj, "capacity", json_integer(0));
	json_object_set_new(obj, "title", json_string(""));
	json_object_set_new(obj, "kind", json_string("x"));
	json_object_set_new(obj, "titel", json_string("x"));
	json_object_set_new(obj, "requires", load("[{\"competency\":"
	    "\"onet:2.B.3.h\",\"level\":9}]"));
	assert_int_equal(listing_parse_all(obj, fixed_now(), &in, &errors,
	    err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(errors);
	assert_null(in.body);
	assert_int_equal(json_array_size(errors), 5);
	json_array_foreach(errors, i, e) {
		assert_string_equal(json_string_value(json_object_get(e,
		    "field")), want[i]);
		assert_true(strncmp(json_string_value(json_object_get(e,
		    "message")), want[i], strlen(want[i])) == 0);
	}
	/* The message is the one listing_parse gives: the first. */
	assert_string_equal(err, "titel: unknown field");
	json_decref(errors);

	/* A good listing: no errors array, the same body as listing_parse. */
	json_decref(obj);
	obj = load(example);
	assert_int_equal(listing_parse_all(obj, fixed_now(), &in, &errors,
	    err, sizeof(err)), 0);
	assert_null(errors);
	assert_non_null(in.body);
	listing_in_clear(&in);
	json_decref(obj);

	obj = load("[1]");
	assert_int_equal(listing_parse_all(obj, fixed_now(), &in, &errors,
	    err, sizeof(err)), MENTOR_EINVAL);
	assert_int_equal(json_array_size(errors), 1);
	json_decref(errors);
	json_decref(obj);
}

/* Untrusted bytes in messages are shortened and made printable. */
static void
test_quoting(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], *s;
	json_t *obj;

	(void)state;
	obj = load(example);
	s = repeat("x\n", 'y', 1000, "");
	json_object_set_new(obj, "kind", json_string(s));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "\"x?yyy"));
	assert_non_null(strstr(err, "yyy...\""));
	assert_true(strlen(err) < 200);
	json_object_set_new(obj, "kind", json_string("project"));
	json_object_set_new(obj, s, json_true());
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_int_equal(strncmp(err, "x?yyy", 5), 0);
	free(s);
	/* A small err buffer is cut, never overrun. */
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err, 4),
	    MENTOR_EINVAL);
	assert_string_equal(err, "x?y");
	json_decref(obj);
}

static void
test_body_check(void **state)
{
	static const struct {
		const char	*body;
		int		 rc;
		const char	*want;
	} t[] = {
		{ example_body, 0, "" },
		/* Bodies are not judged against the clock. */
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"modality\":\"virtual\","
		  "\"start\":\"1999-01-01\"}", 0, "" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"modality\":\"virtual\",\"ref\":\"a\"}",
		  MENTOR_EINVAL, "ref: not allowed in a record body" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"modality\":\"virtual\","
		  "\"expires\":\"2027-01-01\"}",
		  MENTOR_EINVAL, "expires: not allowed in a record body" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":0,\"modality\":\"virtual\"}",
		  MENTOR_EINVAL, "capacity: must be at least 1" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"modality\":\"virtual\",\"x\":1}",
		  MENTOR_EINVAL, "x: unknown field" },
		{ "{\"kind\":\"project\",\"kind\":\"project\"}",
		  MENTOR_EINVAL, "body: not JSON" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"modality\":\"hybrid\",\"location\":"
		  "{\"lat\":1,\"lat\":2,\"lon\":3}}",
		  MENTOR_EINVAL, "body: not JSON" },
		{ "[]", MENTOR_EINVAL, "listing: must be an object" },
		{ "", MENTOR_EINVAL, "body: not JSON" },
		{ "{} x", MENTOR_EINVAL, "body: not JSON" },
		{ "{}", MENTOR_EINVAL, "kind: missing" },
		{ "\"x\"", MENTOR_EINVAL, "body: not JSON" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"full\":true,\"modality\":\"virtual\"}", 0,
		  "" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"full\":false,\"modality\":\"virtual\"}", 0,
		  "" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"full\":\"yes\",\"modality\":\"virtual\"}",
		  MENTOR_EINVAL, "full: must be true or false" },
		{ "{\"kind\":\"project\",\"title\":\"t\",\"organization\":\"o\","
		  "\"capacity\":1,\"full\":true,\"full\":false,"
		  "\"modality\":\"virtual\"}", MENTOR_EINVAL, "body: not JSON" },
	};
	char err[LISTING_ERR_MAX], *big;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = listing_body_check((const uint8_t *)t[i].body,
		    strlen(t[i].body), err, sizeof(err));
		if (rc != t[i].rc || strncmp(err, t[i].want,
		    strlen(t[i].want)) != 0)
			fail_msg("body[%zu]: rc %d, err \"%s\", want \"%s\"",
			    i, rc, err, t[i].want);
	}
	/* Raw NUL bytes inside are not JSON. */
	assert_int_equal(listing_body_check((const uint8_t *)"{}\0", 3, err,
	    sizeof(err)), MENTOR_EINVAL);
	big = repeat("", ' ', LISTING_BODY_MAX + 1, "");
	assert_int_equal(listing_body_check((uint8_t *)big, strlen(big), err,
	    sizeof(err)), MENTOR_ETOOBIG);
	free(big);
}

/* "full" is optional, boolean, and carried into the body as given. */
static void
test_full(void **state)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], *enc;
	json_t *obj;

	(void)state;
	obj = load(example);
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	assert_null(json_object_get(in.body, "full"));
	listing_in_clear(&in);

	json_object_set_new(obj, "full", json_true());
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	assert_true(json_is_true(json_object_get(in.body, "full")));
	enc = listing_body_encode(in.body, NULL);
	assert_non_null(strstr(enc, ",\"full\":true,\"kind\":"));
	assert_int_equal(listing_body_check((const uint8_t *)enc, strlen(enc),
	    err, sizeof(err)), 0);
	free(enc);
	listing_in_clear(&in);

	json_object_set_new(obj, "full", json_false());
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), 0);
	assert_true(json_is_false(json_object_get(in.body, "full")));
	listing_in_clear(&in);

	json_object_set_new(obj, "full", json_integer(1));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "full: must be true or false");
	assert_null(in.body);
	/* Checked after min_age, before expires. */
	json_object_set_new(obj, "min_age", json_integer(100));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "min_age: must be 0 to 99");
	json_object_set_new(obj, "min_age", json_integer(16));
	json_object_set_new(obj, "expires", json_string("soon"));
	assert_int_equal(listing_parse(obj, fixed_now(), &in, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "full: must be true or false");
	json_decref(obj);
}

static void
test_competency_ids(void **state)
{
	static const struct {
		const char	*id;
		int		 ok;
	} t[] = {
		{ "onet:2.A.1.a", 1 },
		{ "onet:2.C.3.b", 1 },
		{ "onet:1.A.1.a.1", 1 },
		{ "onet:2.B.3.h", 1 },
		{ "onet:4.A.2.a.4", 1 },
		{ "onet:2", 1 },
		{ "onet:12.AB.3", 1 },
		{ "esco:S1.2_3-x", 1 },
		{ "x:1", 1 },
		{ "a-b_c9:Z", 1 },
		{ "abcdefghijklmnop:x", 1 },		/* 16-byte prefix */
		{ "local:A-._z", 1 },
		{ "", 0 },
		{ "onet", 0 },
		{ ":2.A", 0 },
		{ "onet:", 0 },
		{ "Onet:2.A.1.a", 0 },
		{ "1x:a", 0 },
		{ "-x:a", 0 },
		{ "a.b:c", 0 },
		{ "abcdefghijklmnopq:x", 0 },		/* 17-byte prefix */
		{ "onet:A.1", 0 },
		{ "onet:2..A", 0 },
		{ "onet:2.A.", 0 },
		{ "onet:.2.A", 0 },
		{ "onet:2A", 0 },
		{ "onet:2.A1", 0 },
		{ "onet:2.A-1", 0 },
		{ "onet:2.A_1", 0 },
		{ "x:a b", 0 },
		{ "x:a:b", 0 },
		{ "x:a/b", 0 },
		{ "x:\xc3\xa9", 0 },
		{ " onet:2.A", 0 },
		{ "onet:2.A ", 0 },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (competency_id_valid(t[i].id) != t[i].ok)
			fail_msg("competency_id_valid(\"%s\") != %d", t[i].id,
			    t[i].ok);
	assert_int_equal(competency_id_valid(NULL), 0);
	/* rest: at most 64; whole: at most 80. */
	snprintf(buf, sizeof(buf), "x:%064d", 0);
	assert_int_equal(competency_id_valid(buf), 1);
	snprintf(buf, sizeof(buf), "x:%065d", 0);
	assert_int_equal(competency_id_valid(buf), 0);
	snprintf(buf, sizeof(buf), "abcdefghijklmno:%064d", 0);	/* 80 */
	assert_int_equal(competency_id_valid(buf), 1);
	snprintf(buf, sizeof(buf), "abcdefghijklmnop:%064d", 0);	/* 81 */
	assert_int_equal(competency_id_valid(buf), 0);
}

static void
test_predicates(void **state)
{
	(void)state;
	assert_int_equal(cluster_framework("manufacturing"), 16);
	assert_int_equal(cluster_framework("stem"), 16);
	assert_int_equal(cluster_framework("transportation-distribution-"
	    "logistics"), 16);
	assert_int_equal(cluster_framework("advanced-manufacturing"), 14);
	assert_int_equal(cluster_framework("supply-chain-transportation"), 14);
	assert_int_equal(cluster_framework("Manufacturing"), 0);
	assert_int_equal(cluster_framework(""), 0);
	assert_int_equal(cluster_framework(NULL), 0);
	assert_int_equal(cluster_code_valid("finance"), 1);
	assert_int_equal(cluster_code_valid("financial-services"), 1);
	assert_int_equal(cluster_code_valid("financ"), 0);

	assert_int_equal(occupation_code_valid("51-4121.00"), 1);
	assert_int_equal(occupation_code_valid("00-0000.00"), 1);
	assert_int_equal(occupation_code_valid("51-4121.0"), 0);
	assert_int_equal(occupation_code_valid("51-4121.000"), 0);
	assert_int_equal(occupation_code_valid("514121.00"), 0);
	assert_int_equal(occupation_code_valid("51-4121-00"), 0);
	assert_int_equal(occupation_code_valid("ab-cdef.gh"), 0);
	assert_int_equal(occupation_code_valid(NULL), 0);

	assert_int_equal(listing_kind_valid("apprenticeship"), 1);
	assert_int_equal(listing_kind_valid("job shadow"), 0);
	assert_int_equal(modality_valid("in_person"), 1);
	assert_int_equal(modality_valid("in-person"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_example_real_now),
		cmocka_unit_test(test_good_variants),
		cmocka_unit_test(test_virtual),
		cmocka_unit_test(test_integer_location),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_bad_counts),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_body_check),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_competency_ids),
		cmocka_unit_test(test_predicates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
