/*
 * test_jobposting.c: listings <-> schema.org JobPosting JSON-LD
 * (protocol/jobposting.c): golden files (tests/data/jsonld: X.in ->
 * X.out, compared byte for byte; REGEN=1 rewrites them on purpose), the
 * round trip, and refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jobposting.h"
#include "mentor.h"

#define DIR	"tests/data/jsonld/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* golden: j as text must equal the file (or is written with REGEN=1). */
static void
golden(const json_t *j, const char *path)
{
	char *got = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(10)), *want;
	FILE *f;

	assert_non_null(got);
	if (getenv("REGEN") != NULL) {
		f = fopen(path, "wb");
		assert_non_null(f);
		fprintf(f, "%s\n", got);
		fclose(f);
	}
	want = slurp(path, NULL);
	if (strlen(want) != strlen(got) + 1 ||
	    strncmp(want, got, strlen(got)) != 0)
		fail_msg("%s differs from the output (REGEN=1 to rewrite):\n%s",
		    path, got);
	free(got);
	free(want);
}

static const char *
names(void *arg, int what, const char *id)
{
	(void)arg;
	if (what == 'o' && strcmp(id, "51-4121.00") == 0)
		return "Welders, Cutters, Solderers, and Brazers";
	if (what == 'c' && strcmp(id, "onet:2.B.3.h") == 0)
		return "Operation and Control";
	return NULL;
}

static void
test_export_golden(void **state)
{
	json_t *in, *out, *l;
	size_t i;

	(void)state;
	in = json_load_file(DIR "listings.in.json", 0, NULL);
	assert_non_null(in);
	out = json_array();
	json_array_foreach(in, i, l)
		json_array_append_new(out, jobposting_from_listing(l, names,
		    NULL));
	golden(out, DIR "listings.out.jsonld");
	json_decref(out);
	json_decref(in);
	assert_null(jobposting_from_listing(json_null(), NULL, NULL));
}

static void
test_round_trip(void **state)
{
	json_t *in, *out, *back, *l;
	char *text, err[256];
	size_t i;

	(void)state;
	in = json_load_file(DIR "listings.in.json", 0, NULL);
	out = json_array();
	json_array_foreach(in, i, l)
		json_array_append_new(out, jobposting_from_listing(l, NULL,
		    NULL));
	text = json_dumps(out, 0);
	assert_int_equal(jobposting_to_listings(text, strlen(text), &back,
	    err, sizeof(err)), 0);
	assert_int_equal(json_array_size(back), json_array_size(in));
	json_array_foreach(in, i, l) {
		json_object_del(l, "id");
		json_object_del(l, "created");
		if (!json_equal(l, json_array_get(back, i)))
			fail_msg("listing %zu changed:\n%s\n%s", i,
			    json_dumps(l, JSON_SORT_KEYS), json_dumps(
			    json_array_get(back, i), JSON_SORT_KEYS));
	}
	free(text);
	json_decref(back);
	json_decref(out);
	json_decref(in);
}

static void
test_import_golden(void **state)
{
	char *buf, err[256];
	json_t *out = NULL;
	size_t len;

	(void)state;
	buf = slurp(DIR "foreign.in.jsonld", &len);
	if (jobposting_to_listings(buf, len, &out, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	golden(out, DIR "foreign.out.json");
	json_decref(out);
	free(buf);
}

static void
expect_bad(const char *text, const char *want)
{
	char err[256];
	json_t *out = NULL;

	assert_int_equal(jobposting_to_listings(text, strlen(text), &out, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_null(out);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
test_bad(void **state)
{
	(void)state;
	expect_bad("", "not JSON");
	expect_bad("{\"@type\":\"Organization\"}", "no JobPosting");
	expect_bad("[{\"@type\":\"JobPosting\"}]", "posting 1: title: missing");
	expect_bad("{\"@type\":\"JobPosting\",\"title\":\"T\"}",
	    "posting 1: hiringOrganization: missing");
	expect_bad("[{\"@type\":\"JobPosting\",\"title\":\"T\","
	    "\"hiringOrganization\":\"O\",\"employmentType\":\"INTERN\"},"
	    "{\"@type\":\"JobPosting\",\"title\":\"T\","
	    "\"hiringOrganization\":\"O\"}]", "posting 2: kind: cannot tell");
	expect_bad("{\"@type\":\"JobPosting\",\"a\":1,\"a\":2}", "duplicate");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_golden),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_import_golden),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
