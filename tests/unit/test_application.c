/*
 * test_application.c: sealing, opening and the plaintext validators of
 * protocol/application.c, through include/application.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mentor.h"
#include "application.h"

static uint8_t pk[32], sk[64], pk2[32], sk2[64];

/* A whole application, every optional field present. */
static const char good_app[] =
    "{\"v\":1,\"application\":\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b\","
    "\"listing\":\"1a42b1ff8960499fe35878c1bfae6e7b\","
    "\"school\":\"ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614"
    "ac8737d1\",\"school_name\":\"Lincoln High School\","
    "\"student_ref\":\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\","
    "\"first_name\":\"Maya\",\"grade\":11,"
    "\"competencies\":{\"onet:2.B.3.h\":2,\"onet:2.B.3.m\":1},"
    "\"goals\":{\"clusters\":[\"manufacturing\"],"
    "\"occupations\":[\"51-4121.00\"]},"
    "\"message\":\"I have taken two welding classes.\\nThank you!\","
    "\"consent\":{\"guardian\":true},\"created\":1795950000000}";

static const char good_answer[] =
    "{\"v\":1,\"application\":\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b\","
    "\"listing\":\"1a42b1ff8960499fe35878c1bfae6e7b\","
    "\"status\":\"accepted\",\"note\":\"See you on 10 January.\"}";

static int
setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(seed, 0x01, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	memset(seed, 0x03, sizeof(seed));
	crypto_sign_seed_keypair(pk2, sk2, seed);
	return 0;
}

static json_t *
jload(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &e);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, s);
	return j;
}

/* parse_obj: p (app_parse or answer_parse) over the compact text of o. */
static int
parse_obj(int (*p)(const uint8_t *, size_t, json_t **, char *, size_t),
    const json_t *o, char *err, size_t errlen)
{
	char *s = json_dumps(o, JSON_COMPACT);
	json_t *out = NULL;
	int rc;

	assert_non_null(s);
	rc = p((const uint8_t *)s, strlen(s), &out, err, errlen);
	if (rc == 0)
		assert_non_null(out);
	else
		assert_null(out);
	json_decref(out);
	free(s);
	return rc;
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- sealing ---- */

static void
test_seal_open(void **state)
{
	static const char msg[] = "{\"v\":1}";
	uint8_t *box, *box2, *plain;
	size_t n, n2, pn;

	(void)state;
	assert_int_equal(app_seal((const uint8_t *)msg, strlen(msg), pk, &box,
	    &n), 0);
	assert_int_equal(n, strlen(msg) + APP_SEAL_OVERHEAD);
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), 0);
	assert_int_equal(pn, strlen(msg));
	assert_memory_equal(plain, msg, pn);
	assert_int_equal(plain[pn], '\0');
	free(plain);

	/* Randomized: the same plaintext seals differently every time. */
	assert_int_equal(app_seal((const uint8_t *)msg, strlen(msg), pk,
	    &box2, &n2), 0);
	assert_int_equal(n2, n);
	assert_memory_not_equal(box, box2, n);
	assert_int_equal(app_open(box2, n2, pk, sk, &plain, &pn), 0);
	assert_memory_equal(plain, msg, pn);
	free(plain);
	free(box2);
	free(box);

	/* Nothing at all seals and opens too; parsing is what refuses it. */
	assert_int_equal(app_seal(NULL, 0, pk, &box, &n), 0);
	assert_int_equal(n, APP_SEAL_OVERHEAD);
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), 0);
	assert_int_equal(pn, 0);
	assert_int_equal(plain[0], '\0');
	free(plain);
	free(box);
}

static void
test_open_wrong_key(void **state)
{
	static const char msg[] = "for the employer only";
	uint8_t *box, *plain = (uint8_t *)"x";
	size_t n, pn = 7;

	(void)state;
	assert_int_equal(app_seal((const uint8_t *)msg, strlen(msg), pk, &box,
	    &n), 0);
	assert_int_equal(app_open(box, n, pk2, sk2, &plain, &pn), MENTOR_ESIG);
	assert_null(plain);
	assert_int_equal(pn, 0);
	/* The right public key with another secret key. */
	assert_int_equal(app_open(box, n, pk, sk2, &plain, &pn), MENTOR_ESIG);
	assert_int_equal(app_open(box, n, pk2, sk, &plain, &pn), MENTOR_ESIG);
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), 0);
	free(plain);
	free(box);
}

static void
test_open_tampered(void **state)
{
	static const char msg[] = "{\"status\":\"declined\"}";
	uint8_t *box, *plain;
	size_t n, pn, i;
	int b;

	(void)state;
	assert_int_equal(app_seal((const uint8_t *)msg, strlen(msg), pk, &box,
	    &n), 0);
	/* Any bit flipped anywhere: the ephemeral key, the tag, the text. */
	for (i = 0; i < n; i++)
		for (b = 0; b < 8; b++) {
			box[i] ^= (uint8_t)(1 << b);
			if (app_open(box, n, pk, sk, &plain, &pn) !=
			    MENTOR_ESIG)
				fail_msg("opened with bit %d of byte %zu "
				    "flipped", b, i);
			assert_null(plain);
			box[i] ^= (uint8_t)(1 << b);
		}
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), 0);
	free(plain);
	free(box);
}

static void
test_open_truncated(void **state)
{
	static const char msg[] = "{\"v\":1,\"status\":\"accepted\"}";
	uint8_t *box, *plain, *longer;
	size_t n, pn, i;

	(void)state;
	assert_int_equal(app_seal((const uint8_t *)msg, strlen(msg), pk, &box,
	    &n), 0);
	/* Every proper prefix, shorter than the overhead or not. */
	for (i = 0; i < n; i++) {
		assert_int_equal(app_open(box, i, pk, sk, &plain, &pn),
		    MENTOR_ESIG);
		assert_null(plain);
	}
	/* And one byte too many. */
	longer = malloc(n + 1);
	assert_non_null(longer);
	memcpy(longer, box, n);
	longer[n] = 0;
	assert_int_equal(app_open(longer, n + 1, pk, sk, &plain, &pn),
	    MENTOR_ESIG);
	free(longer);
	assert_int_equal(app_open(NULL, 0, pk, sk, &plain, &pn), MENTOR_ESIG);
	free(box);
}

static void
test_seal_limits(void **state)
{
	uint8_t *big, *box = (uint8_t *)"x", *plain;
	uint8_t bad_pk[32];
	size_t n = 9, pn;

	(void)state;
	big = calloc(1, APP_SEALED_MAX + 1);
	assert_non_null(big);
	assert_int_equal(app_seal(big, APP_PLAIN_MAX + 1, pk, &box, &n),
	    MENTOR_ETOOBIG);
	assert_null(box);
	assert_int_equal(n, 0);
	assert_int_equal(app_seal(big, APP_PLAIN_MAX, pk, &box, &n), 0);
	assert_int_equal(n, APP_SEALED_MAX);
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), 0);
	assert_int_equal(pn, APP_PLAIN_MAX);
	free(plain);
	free(box);
	/* Too big to be ours: refused without trying. */
	assert_int_equal(app_open(big, APP_SEALED_MAX + 1, pk, sk, &plain,
	    &pn), MENTOR_ETOOBIG);
	assert_null(plain);
	free(big);

	assert_int_equal(app_seal(NULL, 3, pk, &box, &n), MENTOR_EINVAL);
	/* Keys that do not convert: a small-order point, and garbage. */
	memset(bad_pk, 0, sizeof(bad_pk));
	bad_pk[0] = 1;				/* the identity */
	assert_int_equal(app_seal((const uint8_t *)"x", 1, bad_pk, &box, &n),
	    MENTOR_EINVAL);
	assert_null(box);
	memset(bad_pk, 0xff, sizeof(bad_pk));
	assert_int_equal(app_seal((const uint8_t *)"x", 1, bad_pk, &box, &n),
	    MENTOR_EINVAL);
}

/* ---- the application plaintext ---- */

static void
test_app_good(void **state)
{
	char err[APP_ERR_MAX];
	uint8_t *box, *plain;
	size_t n, pn;
	json_t *out, *o;
	const char *opt[] = { "grade", "message" };
	size_t i;

	(void)state;
	assert_int_equal(app_parse((const uint8_t *)good_app,
	    strlen(good_app), &out, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(json_string_value(json_object_get(out,
	    "first_name")), "Maya");
	assert_true(json_is_true(json_object_get(json_object_get(out,
	    "consent"), "guardian")));
	json_decref(out);

	/* Through a sealed box and back, as the employer's node sees it. */
	assert_int_equal(app_seal((const uint8_t *)good_app, strlen(good_app),
	    pk, &box, &n), 0);
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), 0);
	assert_int_equal(app_parse(plain, pn, &out, err, sizeof(err)), 0);
	json_decref(out);
	free(plain);
	free(box);

	/* Optional fields may go; empty lists and objects are fine. */
	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		o = jload(good_app);
		json_object_del(o, opt[i]);
		if (parse_obj(app_parse, o, err, sizeof(err)) != 0)
			fail_msg("without %s: %s", opt[i], err);
		json_decref(o);
	}
	o = jload(good_app);
	json_object_del(o, "grade");
	json_object_del(o, "message");
	json_object_set_new(o, "competencies", json_object());
	json_object_set_new(o, "goals", jload("{\"occupations\":[],"
	    "\"clusters\":[]}"));
	json_object_set_new(o, "consent", jload("{\"guardian\":false}"));
	json_object_set_new(o, "grade", json_integer(0));
	json_object_set_new(o, "created", json_integer(0));
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)), 0);
	json_object_set_new(o, "grade", json_integer(13));
	json_object_set_new(o, "message", json_string("x\ty\r\nz"));
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)), 0);
	json_decref(o);

	/* White space and key order do not matter. */
	o = jload(good_app);
	{
		char *s = json_dumps(o, JSON_INDENT(3) | JSON_SORT_KEYS);

		assert_int_equal(app_parse((const uint8_t *)s, strlen(s), &out,
		    err, sizeof(err)), 0);
		json_decref(out);
		free(s);
	}
	json_decref(o);
}

/* Edits of good_app (value NULL: delete) and the message they must give. */
static const struct {
	const char	*field;
	const char	*value;
	const char	*want;
} bad_app[] = {
	{ "foo", "1", "foo: unknown field" },
	{ "birth_date", "\"2010-06-15\"", "birth_date: unknown field" },
	{ "name", "\"Maya Lopez\"", "name: unknown field" },
	{ "last_name", "\"Lopez\"", "last_name: unknown field" },
	{ "location", "{\"lat\":41.88,\"lon\":-87.63}",
	    "location: unknown field" },
	{ "", "1", "\"\": unknown field" },
	{ "First_name", "\"x\"", "First_name: unknown field" },
	{ "v", NULL, "v: missing" },
	{ "v", "2", "v: must be 1" },
	{ "v", "\"1\"", "v: must be 1" },
	{ "v", "1.0", "v: must be 1" },
	{ "application", NULL, "application: missing" },
	{ "application", "\"7A1C9E04B3D2F6A85E0B1C2D3E4F5A6B\"",
	    "application: must be 32 lowercase hex digits" },
	{ "application", "\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6\"",
	    "application: must be 32 lowercase hex digits" },
	{ "application", "\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6bc\"",
	    "application: must be 32 lowercase hex digits" },
	{ "application", "\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6g\"",
	    "application: must be 32 lowercase hex digits" },
	{ "application", "\"\"", "application: must be 32 lowercase hex" },
	{ "application", "7", "application: must be a string" },
	{ "listing", NULL, "listing: missing" },
	{ "listing", "\"weld-shadow-2027\"",
	    "listing: must be 32 lowercase hex digits" },
	{ "listing", "[\"1a42b1ff8960499fe35878c1bfae6e7b\"]",
	    "listing: must be a string" },
	{ "school", NULL, "school: missing" },
	{ "school", "\"ed4928c628d1c2c6eae90338905995612959273a5c63f93636c1461"
	    "4ac8737d\"", "school: must be 64 lowercase hex digits" },
	{ "school", "\"1a42b1ff8960499fe35878c1bfae6e7b\"",
	    "school: must be 64 lowercase hex digits" },
	{ "school", "\"ed4928c628d1c2c6eae90338905995612959273a5c63f93636c1461"
	    "4ac8737d \"", "school: must be 64 lowercase hex digits" },
	{ "school", "null", "school: must be a string" },
	{ "school_name", NULL, "school_name: missing" },
	{ "school_name", "\"\"", "school_name: must not be empty" },
	{ "school_name", "\"a\\nb\"", "school_name: contains a control" },
	{ "school_name", "3", "school_name: must be a string" },
	{ "student_ref", NULL, "student_ref: missing" },
	{ "student_ref", "\"S1001\"",
	    "student_ref: must be 32 lowercase hex digits" },
	{ "student_ref", "{}", "student_ref: must be a string" },
	{ "first_name", NULL, "first_name: missing" },
	{ "first_name", "\"\"", "first_name: must not be empty" },
	{ "first_name", "\"Ma\\tya\"", "first_name: contains a control" },
	{ "first_name", "\"Ma\\u0085ya\"", "first_name: contains a control" },
	{ "first_name", "true", "first_name: must be a string" },
	{ "grade", "14", "grade: must be an integer 0 to 13" },
	{ "grade", "-1", "grade: must be an integer 0 to 13" },
	{ "grade", "11.0", "grade: must be an integer 0 to 13" },
	{ "grade", "\"11\"", "grade: must be an integer 0 to 13" },
	{ "grade", "null", "grade: must be an integer 0 to 13" },
	{ "competencies", NULL, "competencies: missing" },
	{ "competencies", "[]", "competencies: must be an object" },
	{ "competencies", "{\"onet:2.B.3.h\":7}",
	    "competencies.onet:2.B.3.h: must be 0 to 4" },
	{ "competencies", "{\"onet:2.B.3.h\":-1}",
	    "competencies.onet:2.B.3.h: must be 0 to 4" },
	{ "competencies", "{\"onet:2.B.3.h\":\"2\"}",
	    "competencies.onet:2.B.3.h: must be an integer" },
	{ "competencies", "{\"onet:2.B.3.h\":2.5}",
	    "competencies.onet:2.B.3.h: must be an integer" },
	{ "competencies", "{\"welding\":2}",
	    "competencies: malformed competency id \"welding\"" },
	{ "competencies", "{\"onet:2.B.3.h\":2,\"onet:B.3\":1}",
	    "competencies: malformed competency id \"onet:B.3\"" },
	{ "goals", NULL, "goals: missing" },
	{ "goals", "[]", "goals: must be an object" },
	{ "goals", "{\"clusters\":[]}", "goals.occupations: missing" },
	{ "goals", "{\"occupations\":[]}", "goals.clusters: missing" },
	{ "goals", "{\"clusters\":[],\"occupations\":[],\"x\":1}",
	    "goals.x: unknown field" },
	{ "goals", "{\"clusters\":\"stem\",\"occupations\":[]}",
	    "goals.clusters: must be an array" },
	{ "goals", "{\"clusters\":[\"widgets\"],\"occupations\":[]}",
	    "goals.clusters[0]: unknown career cluster \"widgets\"" },
	{ "goals", "{\"clusters\":[\"stem\",\"stem\"],\"occupations\":[]}",
	    "goals.clusters[1]: duplicate \"stem\"" },
	{ "goals", "{\"clusters\":[],\"occupations\":[\"51-4121\"]}",
	    "goals.occupations[0]: not an O*NET-SOC code" },
	{ "goals", "{\"clusters\":[],\"occupations\":[51]}",
	    "goals.occupations[0]: must be a string" },
	{ "message", "\"\"", "message: must not be empty" },
	{ "message", "\"bell\\u0007\"", "message: contains a control" },
	{ "message", "[]", "message: must be a string" },
	{ "consent", NULL, "consent: missing" },
	{ "consent", "true", "consent: must be an object" },
	{ "consent", "{}", "consent.guardian: missing" },
	{ "consent", "{\"guardian\":\"yes\"}",
	    "consent.guardian: must be true or false" },
	{ "consent", "{\"guardian\":1}",
	    "consent.guardian: must be true or false" },
	{ "consent", "{\"guardian\":true,\"name\":\"Ana Lopez\"}",
	    "consent.name: unknown field" },
	{ "created", NULL, "created: missing" },
	{ "created", "-1", "created: must be a non-negative integer" },
	{ "created", "1.5e12", "created: must be a non-negative integer" },
	{ "created", "\"2026-11-29\"", "created: must be a non-negative" },
};

static void
test_app_bad(void **state)
{
	char err[APP_ERR_MAX];
	json_t *o;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_app) / sizeof(bad_app[0]); i++) {
		o = jload(good_app);
		if (bad_app[i].value == NULL)
			json_object_del(o, bad_app[i].field);
		else
			json_object_set_new(o, bad_app[i].field,
			    jload(bad_app[i].value));
		memset(err, 0, sizeof(err));
		rc = parse_obj(app_parse, o, err, sizeof(err));
		if (rc != MENTOR_EINVAL || strncmp(err, bad_app[i].want,
		    strlen(bad_app[i].want)) != 0)
			fail_msg("bad_app[%zu] %s: rc %d, err \"%s\", want "
			    "\"%s\"", i, bad_app[i].field, rc, err,
			    bad_app[i].want);
		json_decref(o);
	}
}

/* Lengths and counts at their limit, and one over. */
static void
test_app_limits(void **state)
{
	static const struct {
		const char	*field;
		size_t		 max;
		int		 multiline;
		const char	*want;
	} t[] = {
		{ "first_name", APP_NAME_MAX, 0,
		    "first_name: longer than 100 bytes" },
		{ "school_name", APP_SCHOOL_NAME_MAX, 0,
		    "school_name: longer than 200 bytes" },
		{ "message", APP_MSG_MAX, 1,
		    "message: longer than 2000 bytes" },
	};
	char err[APP_ERR_MAX], id[32];
	json_t *o, *c, *a;
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		o = jload(good_app);
		s = repeat('a', t[i].max);
		if (t[i].multiline)
			s[1] = '\n';
		json_object_set_new(o, t[i].field, json_string(s));
		assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)), 0);
		free(s);
		s = repeat('a', t[i].max + 1);
		json_object_set_new(o, t[i].field, json_string(s));
		assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)),
		    MENTOR_EINVAL);
		assert_string_equal(err, t[i].want);
		free(s);
		json_decref(o);
	}
	/* Multi-byte characters count in bytes. */
	o = jload(good_app);
	s = malloc(2 * 51 + 1);
	assert_non_null(s);
	for (i = 0; i < 51; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[102] = '\0';
	json_object_set_new(o, "first_name", json_string(s));
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "first_name: longer than 100 bytes");
	s[100] = '\0';
	json_object_set_new(o, "first_name", json_string(s));
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)), 0);
	free(s);

	c = json_object();
	for (i = 0; i < APP_COMPETENCIES_MAX; i++) {
		snprintf(id, sizeof(id), "onet:2.A.%zu", i);
		json_object_set_new(c, id, json_integer((json_int_t)(i % 5)));
	}
	json_object_set(o, "competencies", c);
	if (parse_obj(app_parse, o, err, sizeof(err)) != 0)
		fail_msg("64 competencies: %s", err);
	json_object_set_new(c, "onet:9.Z", json_integer(1));
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "competencies: more than 64 entries");
	json_decref(c);
	json_object_set_new(o, "competencies", json_object());

	a = json_array();
	for (i = 0; i < APP_OCCUPATIONS_MAX + 1; i++) {
		snprintf(id, sizeof(id), "11-%04zu.00", i);
		json_array_append_new(a, json_string(id));
	}
	json_object_set_new(o, "goals", json_pack("{s:[],s:o}", "clusters",
	    "occupations", a));
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "goals.occupations: more than 32 entries");
	json_array_remove(a, 0);
	assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)), 0);
	json_decref(o);
}

/* Input that is not one JSON object, and the order of the checks. */
static void
test_app_not_object(void **state)
{
	static const struct {
		const char	*text;
		size_t		 len;		/* 0: strlen */
		const char	*want;
	} t[] = {
		{ "", 0, "application: not JSON" },
		{ "[]", 0, "application: must be an object" },
		{ "\"x\"", 0, "application: not JSON" },
		{ "{} {}", 0, "application: not JSON" },
		{ "{\"v\":1,\"v\":1}", 0, "application: not JSON" },
		{ "{\"first_name\":\"a\\u0000b\"}", 0, "application: not JSON" },
		{ "{\"v\":1}\0", 8, "application: not JSON" },
		/* jansson alone passes this one (SPEC.md 2: never JSON). */
		{ "{\"v\":1\0}", 8, "application: not JSON: a NUL byte at "
		  "offset 6" },
		{ "{\"v\":1,", 0, "application: not JSON" },
		{ "{\"first_name\":\"\xff\"}", 0, "application: not JSON" },
		{ "{}", 0, "v: missing" },
		/* Unknown fields come first, then the table order. */
		{ "{\"v\":2,\"dob\":1}", 0, "dob: unknown field" },
		{ "{\"created\":-1,\"v\":2}", 0, "v: must be 1" },
	};
	char err[APP_ERR_MAX], *big;
	json_t *out = (json_t *)&out;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = app_parse((const uint8_t *)t[i].text, t[i].len ? t[i].len :
		    strlen(t[i].text), &out, err, sizeof(err));
		if (rc != MENTOR_EINVAL || strncmp(err, t[i].want,
		    strlen(t[i].want)) != 0)
			fail_msg("t[%zu]: rc %d, err \"%s\", want \"%s\"", i,
			    rc, err, t[i].want);
		assert_null(out);
	}
	big = repeat(' ', APP_PLAIN_MAX + 1);
	memcpy(big, good_app, strlen(good_app));
	assert_int_equal(app_parse((const uint8_t *)big, APP_PLAIN_MAX + 1,
	    &out, err, sizeof(err)), MENTOR_ETOOBIG);
	assert_null(out);
	assert_int_equal(answer_parse((const uint8_t *)big, APP_PLAIN_MAX + 1,
	    &out, err, sizeof(err)), MENTOR_ETOOBIG);
	/* The same bytes within the limit are fine: trailing space. */
	assert_int_equal(app_parse((const uint8_t *)big, APP_PLAIN_MAX, &out,
	    err, sizeof(err)), 0);
	json_decref(out);
	free(big);
	assert_int_equal(app_parse(NULL, 0, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_int_equal(app_parse(NULL, 5, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	/* A small err buffer is cut, never overrun; none at all is fine. */
	assert_int_equal(app_parse((const uint8_t *)"{\"dob\":1}", 9, &out,
	    err, 4), MENTOR_EINVAL);
	assert_string_equal(err, "dob");
	assert_int_equal(app_parse((const uint8_t *)"{\"dob\":1}", 9, &out,
	    NULL, 0), MENTOR_EINVAL);
	/* Long hostile keys are shortened and made printable. */
	big = repeat('k', 1000);
	big[0] = '\x01';
	{
		json_t *o = jload(good_app);

		json_object_set_new(o, big, json_true());
		assert_int_equal(parse_obj(app_parse, o, err, sizeof(err)),
		    MENTOR_EINVAL);
		assert_int_equal(strncmp(err, "?kkk", 4), 0);
		assert_non_null(strstr(err, "kkk...: unknown field"));
		json_decref(o);
	}
	free(big);
}

/* ---- the answer plaintext ---- */

static void
test_answer(void **state)
{
	static const struct {
		const char	*field;
		const char	*value;
		const char	*want;		/* NULL: accepted */
	} t[] = {
		{ "note", NULL, NULL },
		{ "status", "\"declined\"", NULL },
		{ "note", "\"Line one\\nline two\"", NULL },
		{ "x", "1", "x: unknown field" },
		{ "first_name", "\"Maya\"", "first_name: unknown field" },
		{ "v", NULL, "v: missing" },
		{ "v", "0", "v: must be 1" },
		{ "application", NULL, "application: missing" },
		{ "application", "\"@app:7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b\"",
		    "application: must be 32 lowercase hex digits" },
		{ "listing", NULL, "listing: missing" },
		{ "listing", "\"1A42B1FF8960499FE35878C1BFAE6E7B\"",
		    "listing: must be 32 lowercase hex digits" },
		{ "status", NULL, "status: missing" },
		{ "status", "\"pending\"",
		    "status: unknown status \"pending\" (accepted, declined)" },
		{ "status", "\"Accepted\"", "status: unknown status" },
		{ "status", "true", "status: must be a string" },
		{ "note", "\"\"", "note: must not be empty" },
		{ "note", "5", "note: must be a string" },
		{ "note", "\"a\\u001bb\"", "note: contains a control" },
	};
	char err[APP_ERR_MAX], *s;
	uint8_t *box, *plain;
	size_t i, n, pn;
	json_t *o, *out;
	int rc;

	(void)state;
	assert_int_equal(answer_parse((const uint8_t *)good_answer,
	    strlen(good_answer), &out, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(out, "status")),
	    "accepted");
	json_decref(out);
	/* Sealed back to the school. */
	assert_int_equal(app_seal((const uint8_t *)good_answer,
	    strlen(good_answer), pk2, &box, &n), 0);
	assert_int_equal(app_open(box, n, pk, sk, &plain, &pn), MENTOR_ESIG);
	assert_int_equal(app_open(box, n, pk2, sk2, &plain, &pn), 0);
	assert_int_equal(answer_parse(plain, pn, &out, err, sizeof(err)), 0);
	json_decref(out);
	/* An answer is not an application, nor the reverse. */
	assert_int_equal(app_parse(plain, pn, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "status: unknown field");
	assert_int_equal(answer_parse((const uint8_t *)good_app,
	    strlen(good_app), &out, err, sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "school: unknown field");
	free(plain);
	free(box);

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		o = jload(good_answer);
		if (t[i].value == NULL)
			json_object_del(o, t[i].field);
		else
			json_object_set_new(o, t[i].field, jload(t[i].value));
		memset(err, 0, sizeof(err));
		rc = parse_obj(answer_parse, o, err, sizeof(err));
		if (t[i].want == NULL ? rc != 0 : (rc != MENTOR_EINVAL ||
		    strncmp(err, t[i].want, strlen(t[i].want)) != 0))
			fail_msg("t[%zu] %s: rc %d, err \"%s\", want \"%s\"",
			    i, t[i].field, rc, err,
			    t[i].want ? t[i].want : "OK");
		json_decref(o);
	}
	o = jload(good_answer);
	s = repeat('n', ANSWER_NOTE_MAX);
	json_object_set_new(o, "note", json_string(s));
	assert_int_equal(parse_obj(answer_parse, o, err, sizeof(err)), 0);
	free(s);
	s = repeat('n', ANSWER_NOTE_MAX + 1);
	json_object_set_new(o, "note", json_string(s));
	assert_int_equal(parse_obj(answer_parse, o, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "note: longer than 500 bytes");
	free(s);
	json_decref(o);
	assert_int_equal(answer_parse((const uint8_t *)"[1]", 3, &out, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "answer: must be an object");
}

/* ---- placement messages: tests/vectors/placement.txt ---- */

static void
test_placement_vectors(void **state)
{
	FILE *f = fopen("tests/vectors/placement.txt", "r");
	char line[8192], err[APP_ERR_MAX], *msg, *plain, *tab;
	json_t *out;
	int n = 0, rc;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		if (strcmp(line, "ok") == 0) {
			plain = tab + 1;
			rc = plc_parse((uint8_t *)plain, strlen(plain), &out,
			    err, sizeof(err));
			if (rc != 0)
				fail_msg("refused %s: %s", plain, err);
			json_decref(out);
		} else {
			assert_string_equal(line, "err");
			msg = tab + 1;
			tab = strchr(msg, '\t');
			assert_non_null(tab);
			*tab = '\0';
			plain = tab + 1;
			rc = plc_parse((uint8_t *)plain, strlen(plain), &out,
			    err, sizeof(err));
			assert_int_equal(rc, MENTOR_EINVAL);
			assert_null(out);
			assert_string_equal(err, msg);
		}
		n++;
	}
	fclose(f);
	assert_true(n >= 18);
	/* A NUL after a number, which jansson alone would pass. */
	rc = plc_parse((const uint8_t *)"{\"type\":\"hours\",\"v\":1\0}",
	    23, &out, err, sizeof(err));
	assert_int_equal(rc, MENTOR_EINVAL);
	assert_null(out);
	assert_string_equal(err, "message: not JSON: a NUL byte at offset 21");
}

/* The coordinator's and the employer's contact ride on the application
 * and the answer; nothing else new does. */
static void
test_contact(void **state)
{
	static const char *ans = "{\"application\":\"7a1c9e04b3d2f6a85e0b1c2d"
	    "3e4f5a6b\",\"listing\":\"1a42b1ff8960499fe35878c1bfae6e7b\","
	    "\"status\":\"accepted\",\"v\":1,\"contact\":{\"name\":"
	    "\"Dana Kowalski\",\"phone\":\"555-0100\"}}";
	static const char *bad = "{\"application\":\"7a1c9e04b3d2f6a85e0b1c2d"
	    "3e4f5a6b\",\"listing\":\"1a42b1ff8960499fe35878c1bfae6e7b\","
	    "\"status\":\"accepted\",\"v\":1,\"contact\":{\"phone\":"
	    "\"555-0100\"}}";
	static const char *extra = "{\"application\":\"7a1c9e04b3d2f6a85e0b1"
	    "c2d3e4f5a6b\",\"listing\":\"1a42b1ff8960499fe35878c1bfae6e7b\","
	    "\"status\":\"accepted\",\"v\":1,\"contact\":{\"name\":"
	    "\"D\",\"address\":\"1 Main St\"}}";
	char err[APP_ERR_MAX];
	json_t *out;

	(void)state;
	assert_int_equal(answer_parse((uint8_t *)ans, strlen(ans), &out, err,
	    sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    out, "contact"), "phone")), "555-0100");
	json_decref(out);
	assert_int_equal(answer_parse((uint8_t *)bad, strlen(bad), &out, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "contact.name: missing");
	assert_int_equal(answer_parse((uint8_t *)extra, strlen(extra), &out,
	    err, sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "contact.address: unknown field");
}

/* Placement messages are sealed and opened like applications. */
static void
test_placement_sealed(void **state)
{
	static const char *m = "{\"application\":\"7a1c9e04b3d2f6a85e0b1c2d"
	    "3e4f5a6b\",\"created\":1,\"id\":\"00112233445566778899aabbc"
	    "cddeeff\",\"state\":\"completed\",\"type\":\"state\","
	    "\"v\":1}";
	uint8_t kp[32], ks[64], *box, *plain;
	size_t blen, plen;
	char err[APP_ERR_MAX];
	json_t *out;

	(void)state;
	crypto_sign_keypair(kp, ks);
	assert_int_equal(app_seal((const uint8_t *)m, strlen(m), kp, &box,
	    &blen), 0);
	assert_int_equal(app_open(box, blen, kp, ks, &plain, &plen), 0);
	assert_int_equal(plc_parse(plain, plen, &out, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(out, "state")),
	    "completed");
	json_decref(out);
	free(plain);
	free(box);
}

/* Hours as people write them become whole minutes; the rest is refused. */
static void
test_hours_parse(void **state)
{
	static const struct {
		const char	*in;
		int		 minutes;	/* -1: refused */
	} cases[] = {
		{ "2", 120 }, { "2.5", 150 }, { "0.75", 45 }, { ".5", 30 },
		{ "2.", 120 }, { "1.33", 80 }, { "0.0083", -1 },
		{ "0.0084", 1 }, { "0.008", -1 }, { "24", 1440 },
		{ "24.0001", 1440 }, { "24.01", -1 }, { "25", -1 }, { "0", -1 }, { "0.00", -1 },
		{ "1.23456", -1 }, { "2:30", 150 }, { "0:01", 1 },
		{ "24:00", 1440 }, { "24:01", -1 }, { "2:60", -1 },
		{ "2:5", -1 }, { ":30", -1 }, { "", -1 }, { ".", -1 },
		{ "-1", -1 }, { "+1", -1 }, { "1e2", -1 }, { "2.5h", -1 },
		{ " 2", -1 }, { "0024", 1440 }, { "100", -1 },
	};
	size_t i;
	int m;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = -7;
		if (cases[i].minutes < 0) {
			assert_int_equal(plc_hours_parse(cases[i].in, &m),
			    MENTOR_EINVAL);
			assert_int_equal(m, -7);
		} else {
			assert_int_equal(plc_hours_parse(cases[i].in, &m), 0);
			assert_int_equal(m, cases[i].minutes);
		}
	}
	assert_int_equal(plc_hours_parse(NULL, &m), MENTOR_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_open_wrong_key),
		cmocka_unit_test(test_open_tampered),
		cmocka_unit_test(test_open_truncated),
		cmocka_unit_test(test_seal_limits),
		cmocka_unit_test(test_app_good),
		cmocka_unit_test(test_app_bad),
		cmocka_unit_test(test_app_limits),
		cmocka_unit_test(test_app_not_object),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_placement_vectors),
		cmocka_unit_test(test_contact),
		cmocka_unit_test(test_placement_sealed),
		cmocka_unit_test(test_hours_parse),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
