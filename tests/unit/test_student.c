/*
 * test_student.c: student objects from JSON and CSV (protocol/student.c),
 * through include/student.h.
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
#include "student.h"

/* CONTRACT.md's example, and its normalized form. */
static const char example[] =
    "{\"id\": \"S1001\", \"name\": \"Ana Ruiz\", \"birth_date\": \"2010-04-02\","
    " \"grade\": 11,"
    " \"competencies\": {\"onet:2.B.3.h\": 3, \"onet:2.A.1.a\": 2},"
    " \"goals\": {\"clusters\": [\"manufacturing\"],"
    " \"occupations\": [\"51-4121.00\"]},"
    " \"location\": {\"lat\": 41.85, \"lon\": -87.65},"
    " \"max_distance_km\": 30, \"modality\": [\"in_person\", \"virtual\"]}";

#define HEADER STUDENT_CSV_HEADER "\n"
#define ROW1 "S1001,Ana Ruiz,2010-04-02,11,41.85,-87.65,30," \
	"in_person;virtual,manufacturing,51-4121.00," \
	"onet:2.B.3.h=3;onet:2.A.1.a=2"
#define ROW2 "S1002,Ben Okafor,2009-11-20,,,,,,,,"
#define ROW3 "S1003,Chloe Li,2011-01-05,9,40,-88,12.5,virtual,stem;finance,,"

static const char minimal_norm[] =
    "{\"id\": \"S1002\", \"name\": \"Ben Okafor\","
    " \"birth_date\": \"2009-11-20\", \"competencies\": {},"
    " \"goals\": {\"clusters\": [], \"occupations\": []},"
    " \"max_distance_km\": 50,"
    " \"modality\": [\"in_person\", \"virtual\", \"hybrid\"]}";

static json_t sentinel_storage;
#define SENTINEL (&sentinel_storage)

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
assert_json(const json_t *got, const char *want)
{
	json_t *w = load(want);
	char *g;

	if (!json_equal((json_t *)got, w)) {
		g = json_dumps(got, JSON_SORT_KEYS);
		fail_msg("got %s\nwant %s", g, want);
	}
	json_decref(w);
}

static void
test_example(void **state)
{
	char err[STUDENT_ERR_MAX];
	json_t *obj, *out = NULL;

	(void)state;
	obj = load(example);
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)), 0);
	assert_json(out, example);
	assert_true(json_is_integer(json_object_get(out, "max_distance_km")));
	json_decref(out);
	json_decref(obj);
}

static void
test_defaults(void **state)
{
	char err[STUDENT_ERR_MAX];
	json_t *obj, *out = NULL;

	(void)state;
	obj = load("{\"id\": \"S1002\", \"name\": \"Ben Okafor\","
	    " \"birth_date\": \"2009-11-20\"}");
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)), 0);
	assert_json(out, minimal_norm);
	json_decref(out);
	json_decref(obj);

	/* Partial goals are completed; integral reals become integers. */
	obj = load("{\"id\": \"a.b_c-D\", \"name\": \"X\","
	    " \"birth_date\": \"1900-01-01\", \"goals\": {\"occupations\":"
	    " [\"11-1011.00\"]}, \"max_distance_km\": 12.0,"
	    " \"location\": {\"lat\": 1, \"lon\": 2}, \"grade\": 0,"
	    " \"modality\": [\"hybrid\"]}");
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)), 0);
	assert_json(out, "{\"id\": \"a.b_c-D\", \"name\": \"X\","
	    " \"birth_date\": \"1900-01-01\", \"competencies\": {},"
	    " \"goals\": {\"clusters\": [], \"occupations\": [\"11-1011.00\"]},"
	    " \"max_distance_km\": 12, \"grade\": 0,"
	    " \"location\": {\"lat\": 1.0, \"lon\": 2.0},"
	    " \"modality\": [\"hybrid\"]}");
	json_decref(out);
	json_decref(obj);

	obj = load("{\"id\": \"x\", \"name\": \"X\", \"birth_date\":"
	    " \"2100-12-31\", \"max_distance_km\": 0.5}");
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)), 0);
	assert_true(json_is_real(json_object_get(out, "max_distance_km")));
	json_decref(out);
	json_decref(obj);
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

static const char many_clusters[] = "{\"clusters\": [\"agriculture-food-"
    "natural-resources\", \"architecture-construction\", \"arts-av-"
    "technology-communications\", \"business-management-administration\","
    " \"education-training\", \"finance\", \"government-public-"
    "administration\", \"health-science\", \"hospitality-tourism\","
    " \"human-services\", \"information-technology\", \"law-public-safety-"
    "corrections-security\", \"manufacturing\", \"marketing\", \"stem\","
    " \"transportation-distribution-logistics\", \"agriculture\"]}";

static const struct {
	const char	*field;
	const char	*value;		/* NULL: delete */
	const char	*want;
} bad[] = {
	{ "nickname", "\"Ani\"", "nickname: unknown field" },
	{ "", "\"Ani\"", "\"\": unknown field" },
	{ "id", NULL, "id: missing" },
	{ "id", "1001", "id: must be a string" },
	{ "id", "\"\"", "id: must be 1 to 64 bytes" },
	{ "id", "\"S 1001\"", "id: only A-Z, a-z, 0-9" },
	{ "id", "\"S/1001\"", "id: only A-Z, a-z, 0-9" },
	{ "id", "\"S\\u00e9\"", "id: only A-Z, a-z, 0-9" },
	{ "name", NULL, "name: missing" },
	{ "name", "[\"Ana\"]", "name: must be a string" },
	{ "name", "\"\"", "name: must not be empty" },
	{ "name", "\"Ana\\tRuiz\"", "name: contains a control character" },
	{ "name", "\"Ana\\u0000\"", "name: contains a NUL character" },
	{ "birth_date", "20100402", "birth_date: must be a string" },
	{ "birth_date", "\"2010-13-01\"", "birth_date: not a date (YYYY-MM-DD)" },
	{ "birth_date", "\"2010-02-29\"", "birth_date: not a date (YYYY-MM-DD)" },
	{ "birth_date", "\"2010/04/02\"", "birth_date: not a date (YYYY-MM-DD)" },
	{ "birth_date", "\"1899-12-31\"", "birth_date: not a date" },
	{ "birth_date", "\"2101-01-01\"", "birth_date: year must be 1900 to 2100" },
	{ "grade", "14", "grade: must be an integer 0 to 13" },
	{ "grade", "-1", "grade: must be an integer 0 to 13" },
	{ "grade", "11.0", "grade: must be an integer 0 to 13" },
	{ "grade", "\"11\"", "grade: must be an integer 0 to 13" },
	{ "grade", "null", "grade: must be an integer 0 to 13" },
	{ "competencies", "[]", "competencies: must be an object" },
	{ "competencies", "{\"reading\": 2}",
	    "competencies: malformed competency id \"reading\"" },
	{ "competencies", "{\"onet:2.A.1.a\": 5}",
	    "competencies.onet:2.A.1.a: must be 0 to 4" },
	{ "competencies", "{\"onet:2.A.1.a\": -1}",
	    "competencies.onet:2.A.1.a: must be 0 to 4" },
	{ "competencies", "{\"onet:2.A.1.a\": \"2\"}",
	    "competencies.onet:2.A.1.a: must be an integer" },
	{ "competencies", "{\"onet:2.A.1.a\": 2.5}",
	    "competencies.onet:2.A.1.a: must be an integer" },
	{ "goals", "[]", "goals: must be an object" },
	{ "goals", "{\"dreams\": []}", "goals.dreams: unknown field" },
	{ "goals", "{\"clusters\": \"stem\"}", "goals.clusters: must be an array" },
	{ "goals", "{\"clusters\": [\"science\"]}",
	    "goals.clusters[0]: unknown career cluster \"science\"" },
	{ "goals", "{\"clusters\": [\"stem\", \"stem\"]}",
	    "goals.clusters[1]: duplicate \"stem\"" },
	{ "goals", many_clusters, "goals.clusters: more than 16 entries" },
	{ "goals", "{\"occupations\": [\"51-4121.00\", \"514121\"]}",
	    "goals.occupations[1]: not an O*NET-SOC code (NN-NNNN.NN)" },
	{ "goals", "{\"occupations\": [5]}",
	    "goals.occupations[0]: must be a string" },
	{ "location", "\"Chicago\"", "location: must be an object" },
	{ "location", "{\"lat\": 100, \"lon\": 0}",
	    "location.lat: must be -90 to 90" },
	{ "location", "{\"lat\": 10, \"lon\": -200}",
	    "location.lon: must be -180 to 180" },
	{ "location", "{\"lat\": 10}", "location.lon: missing" },
	{ "location", "{\"lat\": 10, \"lon\": 1, \"z\": 0}",
	    "location.z: unknown field" },
	{ "max_distance_km", "-1", "max_distance_km: must be 0 to 20000" },
	{ "max_distance_km", "20000.5", "max_distance_km: must be 0 to 20000" },
	{ "max_distance_km", "\"30\"", "max_distance_km: must be a number" },
	{ "modality", "[]", "modality: must not be empty" },
	{ "modality", "\"virtual\"", "modality: must be an array" },
	{ "modality", "[\"remote\"]", "modality[0]: unknown modality" },
	{ "modality", "[\"virtual\", \"virtual\"]",
	    "modality[1]: duplicate \"virtual\"" },
	{ "modality", "[\"virtual\", 1]", "modality[1]: must be a string" },
};

static void
test_bad_values(void **state)
{
	char err[STUDENT_ERR_MAX];
	json_t *obj, *out;
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
		out = SENTINEL;
		memset(err, 0, sizeof(err));
		rc = student_parse(obj, &out, err, sizeof(err));
		if (rc != MENTOR_EINVAL ||
		    strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("bad[%zu] %s: rc %d, err \"%s\", want \"%s\"",
			    i, bad[i].field, rc, err, bad[i].want);
		assert_ptr_equal(out, SENTINEL);
		json_decref(obj);
	}
}

static void
test_bad_sizes(void **state)
{
	char err[STUDENT_ERR_MAX], key[32], *s;
	json_t *obj, *out = NULL, *c, *a;
	int i;

	(void)state;
	obj = load(example);
	s = repeat('a', 65);
	json_object_set_new(obj, "id", json_string(s));
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "id: must be 1 to 64 bytes");
	s[64] = '\0';
	json_object_set_new(obj, "id", json_string(s));
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)), 0);
	json_decref(out);
	free(s);

	s = repeat('n', 201);
	json_object_set_new(obj, "name", json_string(s));
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "name: longer than 200 bytes");
	free(s);
	json_object_set_new(obj, "name", json_string("Ana"));

	c = json_object();
	for (i = 0; i < 257; i++) {
		snprintf(key, sizeof(key), "x:c%d", i);
		json_object_set_new(c, key, json_integer(1));
	}
	json_object_set_new(obj, "competencies", c);
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "competencies: more than 256 entries");
	json_object_del(c, "x:c0");
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)), 0);
	json_decref(out);

	a = json_array();
	for (i = 0; i < 33; i++) {
		snprintf(key, sizeof(key), "11-%04d.00", i);
		json_array_append_new(a, json_string(key));
	}
	json_object_set_new(obj, "goals", json_pack("{s:o}", "occupations", a));
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "goals.occupations: more than 32 entries");
	json_decref(obj);

	obj = load("[]");
	assert_int_equal(student_parse(obj, &out, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "student: must be an object");
	json_decref(obj);
}

static void
test_array(void **state)
{
	char err[STUDENT_ERR_MAX];
	json_t *out = NULL;
	const char *doc;

	(void)state;
	doc = "[{\"id\": \"S1001\", \"name\": \"A\", \"birth_date\": \"2010-04-02\"},"
	    " {\"id\": \"S1002\", \"name\": \"B\", \"birth_date\": \"2010-04-03\"}]";
	assert_int_equal(student_parse_array(doc, strlen(doc), &out, err,
	    sizeof(err)), 0);
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(out, 1), "id")), "S1002");
	assert_non_null(json_object_get(json_array_get(out, 0), "modality"));
	json_decref(out);

	out = NULL;
	assert_int_equal(student_parse_array("[]", 2, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

static void
test_array_bad(void **state)
{
	static const struct {
		const char	*doc;
		const char	*want;
	} t[] = {
		{ "[{\"id\": \"S1001\", \"name\": \"A\", \"birth_date\": \"2010-04-02\"},"
		  " {\"id\": \"S1002\", \"name\": \"B\", \"birth_date\": \"2010-04-03\"},"
		  " {\"id\": \"S1003\", \"name\": \"C\", \"birth_date\": \"2010-04-31\"}]",
		  "item 3 (S1003): birth_date: not a date (YYYY-MM-DD)" },
		{ "[{\"id\": \"S1001\", \"name\": \"A\", \"birth_date\": \"2010-04-02\"},"
		  " {\"id\": \"S1001\", \"name\": \"B\", \"birth_date\": \"2010-04-03\"}]",
		  "item 2 (S1001): id: duplicate of item 1" },
		{ "[{\"name\": \"A\", \"birth_date\": \"2010-04-02\"}]",
		  "item 1: id: missing" },
		{ "[{\"id\": 5, \"name\": \"A\", \"birth_date\": \"2010-04-02\"}]",
		  "item 1: id: must be a string" },
		{ "[{\"id\": \"S 1\", \"name\": \"A\"}]",
		  "item 1 (S 1): id: only" },
		{ "[1]", "item 1: student: must be an object" },
		{ "{\"id\": \"S1001\"}", "not a JSON array of students" },
		{ "[{\"id\": \"S1\", \"id\": \"S2\"}]", "not valid JSON" },
		{ "[", "not valid JSON" },
		{ "", "not valid JSON" },
		{ "[] []", "not valid JSON" },
	};
	char err[STUDENT_ERR_MAX];
	json_t *out;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		out = SENTINEL;
		rc = student_parse_array(t[i].doc, strlen(t[i].doc), &out, err,
		    sizeof(err));
		if (rc != MENTOR_EINVAL || strncmp(err, t[i].want,
		    strlen(t[i].want)) != 0)
			fail_msg("array[%zu]: rc %d, err \"%s\", want \"%s\"",
			    i, rc, err, t[i].want);
		assert_ptr_equal(out, SENTINEL);
	}
}

static void
test_csv(void **state)
{
	static const char csv[] = HEADER ROW1 "\n" ROW2 "\n" ROW3 "\n";
	char err[STUDENT_ERR_MAX];
	json_t *out = NULL;

	(void)state;
	assert_int_equal(student_parse_csv(csv, strlen(csv), &out, err,
	    sizeof(err)), 0);
	assert_int_equal(json_array_size(out), 3);
	assert_json(json_array_get(out, 0), example);
	assert_json(json_array_get(out, 1), minimal_norm);
	assert_json(json_array_get(out, 2), "{\"id\": \"S1003\","
	    " \"name\": \"Chloe Li\", \"birth_date\": \"2011-01-05\","
	    " \"grade\": 9, \"competencies\": {},"
	    " \"goals\": {\"clusters\": [\"stem\", \"finance\"],"
	    " \"occupations\": []},"
	    " \"location\": {\"lat\": 40.0, \"lon\": -88.0},"
	    " \"max_distance_km\": 12.5, \"modality\": [\"virtual\"]}");
	json_decref(out);
}

/* CRLF, a BOM, no final line end, trailing empty lines. */
static void
test_csv_forms(void **state)
{
	static const char *const ok[] = {
		STUDENT_CSV_HEADER "\r\n" ROW1 "\r\n" ROW2 "\r\n",
		"\xef\xbb\xbf" STUDENT_CSV_HEADER "\n" ROW1 "\n" ROW2 "\n",
		STUDENT_CSV_HEADER "\n" ROW1 "\n" ROW2,
		STUDENT_CSV_HEADER "\n" ROW1 "\n" ROW2 "\n\n\r\n\n",
		STUDENT_CSV_HEADER "\r\n" ROW1 "\r\n" ROW2 "\r\n\r\n",
	};
	char err[STUDENT_ERR_MAX];
	json_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		out = NULL;
		if (student_parse_csv(ok[i], strlen(ok[i]), &out, err,
		    sizeof(err)) != 0)
			fail_msg("ok[%zu]: %s", i, err);
		assert_int_equal(json_array_size(out), 2);
		assert_json(json_array_get(out, 0), example);
		json_decref(out);
	}
	out = NULL;
	assert_int_equal(student_parse_csv(HEADER, strlen(HEADER), &out, err,
	    sizeof(err)), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	out = NULL;
	assert_int_equal(student_parse_csv(STUDENT_CSV_HEADER,
	    strlen(STUDENT_CSV_HEADER), &out, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
}

static const struct {
	const char	*csv;
	int		 rc;
	const char	*want;
} csv_bad[] = {
	{ HEADER ROW1 "\n" ROW2 "\n" "S1004,Dan,2010-01-01,14,,,,,,,\n" ROW3 "\n",
	    MENTOR_EINVAL, "line 4: grade: must be an integer 0 to 13" },
	{ HEADER ROW1 "\n" ROW2 "\n" "S1004,Dan,2010-01-01,eleven,,,,,,,\n",
	    MENTOR_EINVAL, "line 4: grade: must be an integer 0 to 13" },
	{ HEADER "S1004,Dan,2010-01-01,11.5,,,,,,,\n",
	    MENTOR_EINVAL, "line 2: grade: must be an integer 0 to 13" },
	{ HEADER ROW1 "\n" "S1004,Dan,2010-02-30,,,,,,,,\n",
	    MENTOR_EINVAL, "line 3: birth_date: not a date (YYYY-MM-DD)" },
	{ HEADER ",Dan,2010-01-01,,,,,,,,\n",
	    MENTOR_EINVAL, "line 2: id: must be 1 to 64 bytes" },
	{ HEADER "S1,,2010-01-01,,,,,,,,\n",
	    MENTOR_EINVAL, "line 2: name: must not be empty" },
	{ HEADER "S1,Dan,2010-01-01,,41.5,,,,,,\n",
	    MENTOR_EINVAL, "line 2: lon: missing" },
	{ HEADER "S1,Dan,2010-01-01,,,-87,,,,,\n",
	    MENTOR_EINVAL, "line 2: lat: missing" },
	{ HEADER "S1,Dan,2010-01-01,,91,0,,,,,\n",
	    MENTOR_EINVAL, "line 2: lat: must be -90 to 90" },
	{ HEADER "S1,Dan,2010-01-01,,north,0,,,,,\n",
	    MENTOR_EINVAL, "line 2: lat: must be a number" },
	{ HEADER "S1,Dan,2010-01-01,,1,nan,,,,,\n",
	    MENTOR_EINVAL, "line 2: lon: must be a number" },
	{ HEADER "S1,Dan,2010-01-01,,1,1e999,,,,,\n",
	    MENTOR_EINVAL, "line 2: lon: must be a number" },
	{ HEADER "S1,Dan,2010-01-01,,,,far,,,,\n",
	    MENTOR_EINVAL, "line 2: max_distance_km: must be a number" },
	{ HEADER "S1,Dan,2010-01-01,,,,-5,,,,\n",
	    MENTOR_EINVAL, "line 2: max_distance_km: must be 0 to 20000" },
	{ HEADER "S1,Dan,2010-01-01,,,,,teleport,,,\n",
	    MENTOR_EINVAL, "line 2: modality: unknown modality \"teleport\"" },
	{ HEADER "S1,Dan,2010-01-01,,,,,virtual;virtual,,,\n",
	    MENTOR_EINVAL, "line 2: modality: duplicate \"virtual\"" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,stem;science,,\n",
	    MENTOR_EINVAL,
	    "line 2: clusters: unknown career cluster \"science\"" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,51-4121,\n",
	    MENTOR_EINVAL,
	    "line 2: occupations: not an O*NET-SOC code (NN-NNNN.NN)" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,reading=2\n",
	    MENTOR_EINVAL,
	    "line 2: competencies: unknown skill \"reading\"" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,onet:2.A.1.a\n",
	    MENTOR_EINVAL,
	    "line 2: competencies: \"onet:2.A.1.a\" is not skill=level" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,onet:2.A.1.a=7\n",
	    MENTOR_EINVAL, "line 2: competencies: onet:2.A.1.a: must be 0 to 4" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,onet:2.A.1.a=\n",
	    MENTOR_EINVAL,
	    "line 2: competencies: onet:2.A.1.a: must be an integer" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,onet:2.A.1.a=high\n",
	    MENTOR_EINVAL,
	    "line 2: competencies: onet:2.A.1.a: must be an integer" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,x:a=1;x:a=2\n",
	    MENTOR_EINVAL, "line 2: competencies: duplicate \"x:a\"" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,=1\n",
	    MENTOR_EINVAL, "line 2: competencies: unknown skill" },
	{ HEADER ROW1 "\n" "S1001,Dan,2010-01-01,,,,,,,,\n",
	    MENTOR_EINVAL, "line 3: id: duplicate of line 2" },
	{ "id,name,birth_date,grade\n" ROW1 "\n",
	    MENTOR_EINVAL, "line 2: 11 fields, the header has 4" },
	{ "", MENTOR_EINVAL, "line 1: missing header" },
	{ HEADER "S1\n", MENTOR_EINVAL, "line 2: name: must not be empty" },
	{ HEADER "S1,D\xffn,2010-01-01,,,,,,,,\n",
	    MENTOR_EINVAL, "line 2: not valid UTF-8" },
	{ HEADER "S1,D\xc0\xafn,2010-01-01,,,,,,,,\n",
	    MENTOR_EINVAL, "line 2: not valid UTF-8" },
	{ HEADER "S1,Dan,2010-01-01,,,,,,,,,nickname\n",
	    MENTOR_EINVAL, "line 2: 12 fields, the header has 11" },
};

static void
test_csv_bad(void **state)
{
	char err[STUDENT_ERR_MAX];
	json_t *out;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(csv_bad) / sizeof(csv_bad[0]); i++) {
		out = SENTINEL;
		memset(err, 0, sizeof(err));
		rc = student_parse_csv(csv_bad[i].csv, strlen(csv_bad[i].csv),
		    &out, err, sizeof(err));
		if (rc != csv_bad[i].rc || strncmp(err, csv_bad[i].want,
		    strlen(csv_bad[i].want)) != 0)
			fail_msg("csv_bad[%zu]: rc %d, err \"%s\", want \"%s\"",
			    i, rc, err, csv_bad[i].want);
		assert_ptr_equal(out, SENTINEL);
	}
}

static void
test_csv_limits(void **state)
{
	static const char pre[] = HEADER "S1,";
	static const char post[] = ",2010-01-01,,,,,,,,\n";
	char err[STUDENT_ERR_MAX], *buf;
	json_t *out = SENTINEL;
	size_t n = STUDENT_CSV_LINE_MAX;

	(void)state;
	/* A line one byte over the limit. */
	buf = malloc(sizeof(pre) + n + sizeof(post));
	assert_non_null(buf);
	strcpy(buf, pre);
	memset(buf + strlen(pre), 'a', n);
	strcpy(buf + strlen(pre) + n, post);
	assert_int_equal(student_parse_csv(buf, strlen(buf), &out, err,
	    sizeof(err)), MENTOR_ETOOBIG);
	assert_string_equal(err, "line 2: longer than 65536 bytes");
	assert_ptr_equal(out, SENTINEL);
	free(buf);

	/* A NUL byte inside. */
	buf = strdup(HEADER "S1,Dan,2010-01-01,,,,,,,,\n");
	assert_non_null(buf);
	buf[strlen(HEADER) + 4] = '\0';
	assert_int_equal(student_parse_csv(buf, strlen(HEADER) + 26, &out,
	    err, sizeof(err)), MENTOR_EINVAL);
	assert_string_equal(err, "line 2: contains a NUL byte");
	free(buf);
}

/* More than STUDENT_ITEMS_MAX students, in either form. */
static void
test_item_limit(void **state)
{
	char err[STUDENT_ERR_MAX], *buf, *p;
	json_t *out = SENTINEL;
	size_t i, n = STUDENT_ITEMS_MAX + 1;

	(void)state;
	buf = malloc(2 * n + 2);
	assert_non_null(buf);
	p = buf;
	*p++ = '[';
	for (i = 0; i < n; i++) {
		*p++ = '1';
		*p++ = i + 1 < n ? ',' : ']';
	}
	assert_int_equal(student_parse_array(buf, (size_t)(p - buf), &out,
	    err, sizeof(err)), MENTOR_ETOOBIG);
	assert_string_equal(err, "more than 100000 students");
	assert_ptr_equal(out, SENTINEL);
	free(buf);

	buf = malloc(strlen(HEADER) + n * 40);
	assert_non_null(buf);
	p = buf + sprintf(buf, "%s", HEADER);
	for (i = 0; i < n; i++)
		p += sprintf(p, "S%zu,N,2010-01-01,,,,,,,,\n", i);
	assert_int_equal(student_parse_csv(buf, (size_t)(p - buf), &out, err,
	    sizeof(err)), MENTOR_ETOOBIG);
	assert_string_equal(err, "line 100002: more than 100000 students");
	assert_ptr_equal(out, SENTINEL);
	/* Exactly the limit is fine. */
	p[-1] = '\0';
	*strrchr(buf, '\n') = '\0';
	out = NULL;
	assert_int_equal(student_parse_csv(buf, strlen(buf), &out, err,
	    sizeof(err)), 0);
	assert_int_equal(json_array_size(out), STUDENT_ITEMS_MAX);
	json_decref(out);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_array_bad),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_forms),
		cmocka_unit_test(test_csv_bad),
		cmocka_unit_test(test_csv_limits),
		cmocka_unit_test(test_item_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
