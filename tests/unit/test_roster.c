/*
 * test_roster.c: rosters as schools export them, against golden files:
 * each tests/data/rosters/NAME (a CSV file or a OneRoster directory) is
 * read with the shipped reference data (contrib/data) and today fixed at
 * 2026-12-01, and the outcome (students, deletions, every error, the
 * warnings, the fields set) must equal NAME.out byte for byte.
 * `make regen-rosters` rewrites the .out files on purpose
 * (ROSTER_REGEN=1); review the diff before committing it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "mentor.h"
#include "bundle.h"
#include "oneroster.h"
#include "resolve.h"
#include "student.h"
#include "util.h"

#define DIR	"tests/data/rosters"

static struct resolve *res;
static struct student_resolver sr;
static int32_t today;

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (resolve_open(&res, "contrib/data", err, sizeof(err)) != 0) {
		fprintf(stderr, "resolve_open: %s\n", err);
		return -1;
	}
	resolve_resolver(res, &sr);
	today = days_from_civil(2026, 12, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	resolve_free(res);
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The outcome of a batch as the golden files hold it. */
static char *
render(const struct student_batch *b)
{
	static const struct { unsigned bit; const char *name; } g[] = {
		{ STUDENT_F_NAME, "name" }, { STUDENT_F_BIRTH, "birth_date" },
		{ STUDENT_F_GRADE, "grade" },
		{ STUDENT_F_LOCATION, "location" },
		{ STUDENT_F_DIST, "max_distance_km" },
		{ STUDENT_F_MODALITY, "modality" },
		{ STUDENT_F_CLUSTERS, "clusters" },
		{ STUDENT_F_OCCUPATIONS, "occupations" },
		{ STUDENT_F_COMPETENCIES, "competencies" },
		{ STUDENT_F_SCHOOL, "school" },
	};
	json_t *o, *given, *st, *s;
	size_t i;
	char *out, *enc;

	given = json_array();
	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (b->given & g[i].bit)
			json_array_append_new(given, json_string(g[i].name));
	st = json_array();
	for (i = 0; i < b->count; i++) {
		/* What the node stores is what jansson would write. */
		s = student_batch_get(b, i);
		assert_non_null(s);
		enc = json_dumps(s, JSON_COMPACT);
		assert_non_null(enc);
		assert_string_equal(enc, student_batch_json(b, i, NULL));
		free(enc);
		json_array_append_new(st, json_pack("{s:I,s:o}", "line",
		    (json_int_t)b->items[i].line, "student", s));
	}
	o = json_pack("{s:o,s:O,s:O,s:I,s:O,s:o,s:O}", "students", st,
	    "deletes", b->deletes, "errors", b->errors, "error_count",
	    (json_int_t)b->error_count, "warnings", b->warnings, "given",
	    given, "update_only", b->update_only);
	assert_non_null(o);
	out = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(10));
	json_decref(o);
	assert_non_null(out);
	return out;
}

static void
golden(const char *name, const struct student_batch *b)
{
	char path[512], *want, *got;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.out", DIR, name);
	got = render(b);
	if (getenv("ROSTER_REGEN") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", got);
		fclose(f);
	}
	want = slurp(path, &len);
	if (want == NULL)
		fail_msg("%s: missing (make regen-rosters)", path);
	if (len != strlen(got) + 1 || memcmp(want, got, len - 1) != 0) {
		fprintf(stderr, "%s: differs; got:\n%s\n", path, got);
		fail_msg("%s differs", name);
	}
	free(want);
	free(got);
}

static void
csv_case(const char *name)
{
	struct student_batch b;
	char path[512], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", DIR, name);
	buf = slurp(path, &len);
	assert_non_null(buf);
	assert_int_equal(student_roster_csv(buf, len, &sr, today, &b), 0);
	golden(name, &b);
	student_batch_clear(&b);
	free(buf);
}

static const char *const or_files[] = { "manifest.csv", "users.csv",
    "roles.csv", "demographics.csv", "orgs.csv" };
#define NOR	(sizeof(or_files) / sizeof(or_files[0]))

/*
 * A OneRoster directory: read as files, and again as the zip mentorctl
 * makes of it, with the same outcome.
 */
static void
oneroster_case(const char *name)
{
	struct oneroster_file files[NOR];
	const char *names[NOR], *data[NOR];
	struct student_batch b;
	char path[512], *bufs[NOR];
	size_t lens[NOR], i, n = 0;
	uint8_t *zip;
	size_t ziplen;

	for (i = 0; i < NOR; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", DIR, name,
		    or_files[i]);
		if ((bufs[n] = slurp(path, &lens[n])) == NULL)
			continue;
		files[n].name = names[n] = or_files[i];
		files[n].data = data[n] = bufs[n];
		files[n].len = lens[n];
		n++;
	}
	assert_true(n > 0);
	assert_int_equal(oneroster_parse(files, n, &sr, today, &b), 0);
	golden(name, &b);
	student_batch_clear(&b);

	assert_int_equal(bundle_zip(names, data, lens, n, &zip, &ziplen), 0);
	assert_int_equal(oneroster_read(zip, ziplen, &sr, today, &b), 0);
	golden(name, &b);
	student_batch_clear(&b);
	free(zip);
	for (i = 0; i < n; i++)
		free(bufs[i]);
}

static void
test_sis_export(void **state)
{
	(void)state;
	csv_case("sis-export.csv");
}

static void
test_spreadsheet(void **state)
{
	(void)state;
	csv_case("spreadsheet.csv");
}

static void
test_actions(void **state)
{
	(void)state;
	csv_case("actions.csv");
}

static void
test_contract(void **state)
{
	(void)state;
	csv_case("contract.csv");
}

static void
test_bad_rows(void **state)
{
	(void)state;
	csv_case("bad-rows.csv");
}

static void
test_bad_header(void **state)
{
	(void)state;
	csv_case("bad-header.csv");
}

static void
test_oneroster_11(void **state)
{
	(void)state;
	oneroster_case("oneroster-1.1");
}

static void
test_oneroster_12(void **state)
{
	(void)state;
	oneroster_case("oneroster-1.2");
}

static void
test_oneroster_12_delta(void **state)
{
	(void)state;
	oneroster_case("oneroster-1.2-delta");
}

/* Whatever the bytes, a bundle is a batch with an error, never a crash. */
static void
test_bundle_bad(void **state)
{
	static const char *const nm[] = { "orgs.csv" };
	static const char *const dt[] = { "sourcedId,name\n" };
	const size_t ln[] = { 15 };
	struct student_batch b;
	uint8_t *zip;
	size_t len;

	(void)state;
	assert_int_equal(oneroster_read((const uint8_t *)"PK\3\4junk", 9, &sr,
	    today, &b), 0);
	assert_int_equal(b.error_count, 1);
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_array_get(b.errors, 0), "message")), "not a zip archive"));
	student_batch_clear(&b);
	/* A zip without users.csv. */
	assert_int_equal(bundle_zip(nm, dt, ln, 1, &zip, &len), 0);
	assert_int_equal(oneroster_read(zip, len, &sr, today, &b), 0);
	assert_int_equal(b.error_count, 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(b.errors, 0), "file")), "users.csv");
	student_batch_clear(&b);
	free(zip);
}

/* Without reference data only exact codes pass, and a zip cannot. */
static void
test_no_resolver(void **state)
{
	static const char csv[] = "id,name,clusters,competencies,zip\n"
	    "S1,A B,manufacturing,onet:2.A.1.a=1;2.B.3.h=2,\n"
	    "S2,C D,Manufacturing,,\n"
	    "S3,E F,,Critical Thinking=2,\n"
	    "S4,G H,,,60614\n";
	struct student_batch b;
	char err[256];
	json_t *s;

	(void)state;
	assert_int_equal(student_roster_csv(csv, sizeof(csv) - 1, NULL, 0,
	    &b), 0);
	assert_int_equal(b.error_count, 3);
	student_batch_error_text(&b, 0, err, sizeof(err));
	assert_non_null(strstr(err, "line 3: clusters: unknown career "
	    "cluster \"Manufacturing\""));
	student_batch_error_text(&b, 1, err, sizeof(err));
	assert_non_null(strstr(err, "line 4: competencies: unknown skill"));
	student_batch_error_text(&b, 2, err, sizeof(err));
	assert_non_null(strstr(err, "line 5: zip: no ZIP code table"));
	s = student_batch_get(&b, 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    s, "competencies"), "onet:2.B.3.h")), 2);
	json_decref(s);
	student_batch_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sis_export),
		cmocka_unit_test(test_spreadsheet),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_contract),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_oneroster_11),
		cmocka_unit_test(test_oneroster_12),
		cmocka_unit_test(test_oneroster_12_delta),
		cmocka_unit_test(test_bundle_bad),
		cmocka_unit_test(test_no_resolver),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
