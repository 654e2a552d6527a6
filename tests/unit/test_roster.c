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
#include <math.h>
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

/* Values at the edges of the rows' quick checks (lengths, years, grades,
 * levels, ids, control characters, reals): the same outcome as the
 * field checks give. */
static void
test_boundaries(void **state)
{
	(void)state;
	csv_case("boundaries.csv");
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

/*
 * Past the roster's bounds on remembered skill texts (8,192) and through
 * every growth of its id set: each row still resolved, a duplicate still
 * named with its first line, an unknown skill still reported, all in one
 * run.
 */
static void
test_large_roster(void **state)
{
	enum { N = 20000 };
	const char *ct = resolve_competency(res, "Critical Thinking");
	char *csv, want[128];
	const char *js;
	struct student_batch b;
	size_t len = 0, size = (size_t)N * 96 + 256, i;
	char err[256];

	(void)state;
	assert_non_null(ct);
	csv = malloc(size);
	assert_non_null(csv);
	len += (size_t)snprintf(csv + len, size - len,
	    "id,name,competencies\n");
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(csv + len, size - len,
		    "S%05zu,Name %zu,ex:s%zu=1;Critical Thinking=2\n", i, i, i);
	len += (size_t)snprintf(csv + len, size - len,
	    "S00000,Again,\nS%05d,Last,Not A Skill=1\n", N);
	assert_int_equal(student_roster_csv(csv, len, &sr, today, &b), 0);
	assert_int_equal(b.count, N);
	assert_int_equal(b.error_count, 2);
	student_batch_error_text(&b, 0, err, sizeof(err));
	snprintf(want, sizeof(want), "line %d: id: duplicate of line 2",
	    N + 2);
	assert_string_equal(err, want);
	student_batch_error_text(&b, 1, err, sizeof(err));
	snprintf(want, sizeof(want), "line %d: competencies: unknown skill "
	    "\"Not A Skill\"", N + 3);
	assert_non_null(strstr(err, want));
	for (i = 0; i < N; i += N / 4 - 1) {
		js = student_batch_json(&b, i, NULL);
		snprintf(want, sizeof(want), "\"competencies\":{\"ex:s%zu\":1,"
		    "\"%s\":2}", i, ct);
		assert_non_null(strstr(js, want));
		snprintf(want, sizeof(want), "S%05zu", i);
		assert_string_equal(student_batch_id(&b, i, NULL), want);
		assert_int_equal(b.items[i].line, i + 2);
	}
	student_batch_clear(&b);
	free(csv);
}

/*
 * Ids in order need no table; the first out of order builds one over all
 * seen, which then grows: duplicates are named with their first line
 * whichever way they come (right after, out of order, after the growth).
 */
static void
test_ids_order(void **state)
{
	enum { N = 3000 };
	struct student_batch b;
	size_t len = 0, size = (size_t)N * 3 * 32 + 256, i;
	char *csv, err[256], want[128];

	(void)state;
	csv = malloc(size);
	assert_non_null(csv);
	len += (size_t)snprintf(csv + len, size - len, "id,name\n");
	for (i = 0; i < N; i++)		/* lines 2 .. N+1, in order */
		len += (size_t)snprintf(csv + len, size - len, "B%05zu,x\n",
		    i);
	/* line N+2: the one just before again */
	len += (size_t)snprintf(csv + len, size - len, "B%05d,x\n", N - 1);
	for (i = 0; i < N; i++)		/* lines N+3 .., descending */
		len += (size_t)snprintf(csv + len, size - len, "A%05zu,x\n",
		    N - 1 - i);
	/* line 2N+3 and 2N+4: one of each half again */
	len += (size_t)snprintf(csv + len, size - len, "B00007,x\nA00000,x\n");
	assert_int_equal(student_roster_csv(csv, len, &sr, today, &b), 0);
	assert_int_equal(b.count, 2 * N);
	assert_int_equal(b.error_count, 3);
	student_batch_error_text(&b, 0, err, sizeof(err));
	snprintf(want, sizeof(want), "line %d: id: duplicate of line %d",
	    N + 2, N + 1);
	assert_string_equal(err, want);
	student_batch_error_text(&b, 1, err, sizeof(err));
	snprintf(want, sizeof(want), "line %d: id: duplicate of line 9",
	    2 * N + 3);
	assert_string_equal(err, want);
	student_batch_error_text(&b, 2, err, sizeof(err));
	snprintf(want, sizeof(want), "line %d: id: duplicate of line %d",
	    2 * N + 4, 2 * N + 2);
	assert_string_equal(err, want);
	student_batch_clear(&b);
	free(csv);
}

/* What a sink saw: each row's line, id and JSON, one a line. */
struct seen {
	char	 text[4096];
	size_t	 len, calls, fail_at;
	unsigned given;
};

static int
sink(void *arg, const char *id, size_t idlen, const char *json, size_t len,
    size_t line, unsigned given)
{
	struct seen *s = arg;

	if (++s->calls == s->fail_at)
		return MENTOR_ESTORE;
	assert_int_equal(strlen(id), idlen);
	assert_int_equal(strlen(json), len);
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len,
	    "%zu %s %s\n", line, id, json);
	s->given = given;
	return 0;
}

/*
 * Rows handed to a sink as they are read are the rows the batch would
 * hold, byte for byte; after the first error none is handed on (but all
 * are checked); a sink's failure stops the reading at once.
 */
static void
test_sink(void **state)
{
	static const char good[] = "id,name,grade,clusters\n"
	    "S1,Ann,9,Manufacturing\nS2,\"Bo, Jr.\",10,\nS0,Cy,k,\n"
	    "S3,Di,,information-technology;Manufacturing\n";
	static const char bad[] = "id,name,grade\nS1,Ann,9\nS2,Bo,99\n"
	    "S3,Cy,10\nS4,Di,x\n";
	struct student_batch b, e;
	struct seen seen;
	char want[4096];
	size_t i, n = 0;

	(void)state;
	assert_int_equal(student_roster_csv(good, sizeof(good) - 1, &sr,
	    today, &b), 0);
	assert_int_equal(b.error_count, 0);
	for (i = 0; i < b.count; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n,
		    "%zu %s %s\n", b.items[i].line, student_batch_id(&b, i,
		    NULL), student_batch_json(&b, i, NULL));
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(student_roster_csv_each(good, sizeof(good) - 1, &sr,
	    today, sink, &seen, &e), 0);
	assert_int_equal(seen.calls, 4);
	assert_string_equal(seen.text, want);
	assert_int_equal(seen.given, b.given);
	assert_int_equal(e.count, 0);
	assert_int_equal(e.error_count, 0);
	student_batch_clear(&e);
	student_batch_clear(&b);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(student_roster_csv_each(bad, sizeof(bad) - 1, &sr,
	    today, sink, &seen, &e), 0);
	assert_int_equal(seen.calls, 1);	/* S1, before the first error */
	assert_int_equal(e.error_count, 2);	/* S2's and S4's, both */
	student_batch_clear(&e);

	memset(&seen, 0, sizeof(seen));
	seen.fail_at = 2;
	assert_int_equal(student_roster_csv_each(good, sizeof(good) - 1, &sr,
	    today, sink, &seen, &e), MENTOR_ESTORE);
	assert_int_equal(seen.calls, 2);
}

/* g17_is: student_g17 writes what printf does, or declines (0). */
static int
g17_is(double d, int must)
{
	char want[64], got[64];
	size_t n;

	snprintf(want, sizeof(want), "%.17g", d);
	if ((n = student_g17(got, sizeof(got), d)) == 0) {
		if (must)
			fail_msg("%s: declined", want);
		return 0;
	}
	if (n != strlen(got) || strcmp(want, got) != 0)
		fail_msg("%%.17g of %a: want %s, got %s", d, want, got);
	return 1;
}

/* splitmix64: a fixed pseudo-random sequence, the same every run. */
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The reals of stored students are written without printf, byte for
 * byte as printf writes them: ties, carries, powers of ten, randoms. */
static void
test_g17(void **state)
{
	static const double fixed[] = { 1.0 + 1.0 / 131072, 41.922747,
	    -87.647153, 0.1, 0.5, 50, 1e-5, 1e-4, 0.00012345, 9.5e-5,
	    1.5e-10, 1e15, 1e16 - 1, 9999999999999998.0, 123456.75,
	    0.30000000000000004, 18.180555, -66.749961, 179.99999999999997,
	    -0.0001, 2.5, 1e-7, 2e-11 };
	uint64_t seed = 42, bits;
	double d;
	size_t i;
	int p, took = 0;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		g17_is(fixed[i], 1);
	for (p = -10; p <= 15; p++) {	/* both sides of each power of 10 */
		d = pow(10, p);
		g17_is(d, 1);
		g17_is(nextafter(d, 0), 1);
		g17_is(nextafter(d, INFINITY), 1);
		g17_is(-d, 1);
	}
	for (i = 0; i < 200000; i++) {	/* latitudes and longitudes */
		d = (double)(next_rand(&seed) >> 11) / 9007199254740992.0;
		g17_is(d * 360 - 180, 1);
		g17_is(round(d * 360e6) / 1e6 - 180, 1);
	}
	for (i = 0; i < 200000; i++) {	/* any bits: taken or declined */
		bits = next_rand(&seed);
		memcpy(&d, &bits, sizeof(d));
		took += g17_is(d, 0);
	}
	assert_true(took > 0);
	assert_int_equal(student_g17((char[64]){ 0 }, 64, 0.0), 0);
	assert_int_equal(student_g17((char[64]){ 0 }, 64, 1e300), 0);
}

/* student_json_append writes json_dumps(JSON_COMPACT)'s bytes. */
static void
test_json_append(void **state)
{
	static const char doc[] = "{\"id\":\"S-1\",\"name\":\"Zo\\u00eb "
	    "\\\"Q\\\" \\\\ \\/ \\u0001\\u001f\\t\\n\\r\\b\\f \\u007f "
	    "\\u4e2d \\ud83d\\ude00\",\"n\":[0,-1,9223372036854775807,"
	    "-9223372036854775808,1.5,-0.0,0.0,1e300,-2.5e-300,1e-5,"
	    "123456789012345680000.0,41.922747,true,false,null],"
	    "\"o\":{},\"a\":[],\"x\":{\"b\":{\"c\":[{}]}},\"k\\u0001\":1}";
	json_error_t jerr;
	json_t *v;
	char *want, *got = NULL;
	size_t len = 0, size = 0;

	(void)state;
	v = json_loads(doc, JSON_ALLOW_NUL, &jerr);
	if (v == NULL)
		fail_msg("%s", jerr.text);
	want = json_dumps(v, JSON_COMPACT);
	assert_non_null(want);
	assert_int_equal(student_json_append(v, &got, &len, &size), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	assert_int_equal(got[len], '\0');
	free(want);
	free(got);
	json_decref(v);

	/* Strings of every length to 40 with one byte to escape (or a
	 * harmless one) at every place: the check reads words. */
	{
		static const char bytes[] = { '"', '\\', '\n', 0x01, 0x1f,
		    ' ', 0x7f, 'z' };
		char str[41];
		size_t n, at, k;

		for (n = 0; n <= 40; n++)
			for (at = 0; at < (n ? n : 1); at++)
				for (k = 0; k < sizeof(bytes); k++) {
					memset(str, 'x', n);
					if (n > 0)
						str[at] = bytes[k];
					v = json_stringn(str, n);
					assert_non_null(v);
					want = json_dumps(v, JSON_COMPACT |
					    JSON_ENCODE_ANY);
					got = NULL;
					len = size = 0;
					assert_int_equal(student_json_append(v,
					    &got, &len, &size), 0);
					assert_int_equal(len, strlen(want));
					assert_memory_equal(got, want, len);
					free(want);
					free(got);
					json_decref(v);
				}
	}
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
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_oneroster_11),
		cmocka_unit_test(test_oneroster_12),
		cmocka_unit_test(test_oneroster_12_delta),
		cmocka_unit_test(test_bundle_bad),
		cmocka_unit_test(test_no_resolver),
		cmocka_unit_test(test_large_roster),
		cmocka_unit_test(test_ids_order),
		cmocka_unit_test(test_sink),
		cmocka_unit_test(test_g17),
		cmocka_unit_test(test_json_append),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
