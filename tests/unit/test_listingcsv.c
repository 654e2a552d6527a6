/*
 * test_listingcsv.c: the listing CSV template (protocol/listingcsv.c):
 * the sample spreadsheet gives the same listings as the sample JSON,
 * RFC 4180 quoting, and refusals naming the line and column.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "listingcsv.h"
#include "mentor.h"

#define HDR	LISTING_CSV_HEADER "\n"

static json_t *
parse_ok(const char *text)
{
	char err[256];
	json_t *out = NULL;

	if (listing_csv_parse(text, strlen(text), &out, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return out;
}

static void
test_sample(void **state)
{
	json_t *csv, *js, *l, *want;
	char *buf, err[256];
	size_t len, i, n = 0;
	FILE *f;

	(void)state;
	f = fopen("contrib/data/sample/listings.csv", "rb");
	assert_non_null(f);
	buf = malloc(1 << 20);
	len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	assert_int_equal(listing_csv_parse(buf, len, &csv, err, sizeof(err)),
	    0);
	free(buf);
	js = json_load_file("contrib/data/sample/listings.json", 0, NULL);
	assert_non_null(js);
	assert_int_equal(json_array_size(csv), 3);
	json_array_foreach(csv, i, l) {
		size_t k;

		json_array_foreach(js, k, want)
			if (json_equal(json_object_get(want, "ref"),
			    json_object_get(l, "ref"))) {
				if (!json_equal(want, l))
					fail_msg("row %zu differs:\n%s\n%s",
					    i + 1, json_dumps(l,
					    JSON_SORT_KEYS), json_dumps(want,
					    JSON_SORT_KEYS));
				n++;
			}
	}
	assert_int_equal(n, 3);
	json_decref(csv);
	json_decref(js);
}

static void
test_quoting(void **state)
{
	json_t *a;

	(void)state;
	a = parse_ok("\xEF\xBB\xBF" LISTING_CSV_HEADER "\r\n"
	    ",project,\"Say \"\"hi\"\"\",\"A, B\",\"two\r\nlines\",,,,,"
	    "2,virtual,,,,,,\r\n\r\n");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "title")), "Say \"hi\"");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "organization")), "A, B");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "description")), "two\r\nlines");
	assert_null(json_object_get(json_array_get(a, 0), "ref"));
	assert_null(json_object_get(json_array_get(a, 0), "location"));
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(a, 0), "capacity")), 2);
	json_decref(a);
}

/* Columns by name, in any order and case; absent columns are empty. */
static void
test_any_order(void **state)
{
	json_t *a;

	(void)state;
	a = parse_ok("Title,KIND,capacity,Modality\n"
	    "Welding shadow,job_shadow,2,virtual\n");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "kind")), "job_shadow");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "title")), "Welding shadow");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(a, 0), "capacity")), 2);
	assert_null(json_object_get(json_array_get(a, 0), "organization"));
	json_decref(a);
}

static void
expect_bad(const char *text, const char *want)
{
	char err[256];
	json_t *out = NULL;

	assert_int_not_equal(listing_csv_parse(text, strlen(text), &out, err,
	    sizeof(err)), 0);
	assert_null(out);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
test_bad(void **state)
{
	(void)state;
	expect_bad("", "line 1: header: missing");
	expect_bad("ref,kind\n", "line 1: header: needs at least the columns "
	    "kind and title");
	expect_bad("kind,title,homeroom\n", "line 1: header: unknown column "
	    "\"homeroom\"");
	expect_bad("kind,title,Kind\n", "line 1: header: column kind twice");
	expect_bad(HDR, "no listing after the header");
	expect_bad(HDR "a,b\n", "line 2: 2 fields, the header has 17");
	expect_bad(HDR ",project,T,O,,,,,,two,virtual,,,,,,\n",
	    "line 2: capacity: not an integer");
	expect_bad(HDR ",project,T,O,,,,onet:2.A.1.a,,1,virtual,,,,,,\n",
	    "line 2: requires: not id=level;id=level");
	expect_bad(HDR ",project,T,O,,a;;b,,,,1,virtual,,,,,,\n",
	    "line 2: clusters: an empty item");
	expect_bad(HDR ",project,T,O,,,,,,1,in_person,41.8,,,,,\n",
	    "line 2: lat, lon: both numbers, or both empty");
	expect_bad(HDR ",project,\"T,O\n", "line 2: quoted field not closed");
	expect_bad(HDR ",project,\"T\"x,O,,,,,,1,virtual,,,,,,\n",
	    "line 2: text after a closing quote");
	expect_bad(HDR ",project,T\"x,O,,,,,,1,virtual,,,,,,\n",
	    "line 2: a quote inside an unquoted field");
	expect_bad(HDR ",project,T,O,,,,,,1,virtual,,,,,,,\n",
	    "line 2: 18 fields, the header has 17");
	/* Line numbers count the lines inside quoted fields. */
	expect_bad(HDR ",project,\"a\nb\",O,,,,,,1,virtual,,,,,,\n"
	    ",project,T,O,,,,,,x,virtual,,,,,,\n", "line 4: capacity");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_any_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
