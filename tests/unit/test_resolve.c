/*
 * test_resolve.c: friendly roster values (daemon/resolve.c) against the
 * shipped data, and against a small data directory made here for the
 * cases the shipped data lacks (a name shared by a skill and a knowledge
 * area, a name shared by two knowledge areas, a broken zip.tsv).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mentor.h"
#include "resolve.h"

static void
test_shipped(void **state)
{
	struct student_resolver sr;
	struct resolve *r;
	char err[256];
	double lat, lon;

	(void)state;
	assert_int_equal(resolve_open(&r, "contrib/data", err, sizeof(err)),
	    0);
	/* Clusters: code or name, either framework, any case, & or and. */
	assert_string_equal(resolve_cluster(r, "manufacturing"),
	    "manufacturing");
	assert_string_equal(resolve_cluster(r, "MANUFACTURING"),
	    "manufacturing");
	assert_string_equal(resolve_cluster(r, "Advanced Manufacturing"),
	    "advanced-manufacturing");
	assert_string_equal(resolve_cluster(r, "Healthcare & Human Services"),
	    "healthcare-human-services");
	assert_string_equal(resolve_cluster(r,
	    "arts, a/v technology and communications"),
	    "arts-av-technology-communications");
	assert_null(resolve_cluster(r, "Manufactoring"));
	assert_null(resolve_cluster(r, ""));
	assert_null(resolve_cluster(r, "&&"));
	/* Elements: id with or without onet:, any case, or name. */
	assert_string_equal(resolve_competency(r, "2.A.1.a"), "onet:2.A.1.a");
	assert_string_equal(resolve_competency(r, "onet:2.a.1.A"),
	    "onet:2.A.1.a");
	assert_string_equal(resolve_competency(r, "ONET:2.B.3.h"),
	    "onet:2.B.3.h");
	assert_string_equal(resolve_competency(r, "reading comprehension"),
	    "onet:2.A.1.a");
	assert_string_equal(resolve_competency(r, "Critical Thinking"),
	    "onet:2.A.2.a");
	assert_null(resolve_competency(r, "9.Z.9.z"));
	assert_null(resolve_competency(r, "onet:Reading Comprehension"));
	assert_null(resolve_competency(r, "Weldng"));
	/* ZIP codes from the Census table (its own spot checks). */
	assert_int_equal(resolve_zip_count(r), 33791);
	assert_int_equal(resolve_zip(r, "00601", &lat, &lon), 0);
	assert_true(lat == 18.180555 && lon == -66.749961);
	assert_int_equal(resolve_zip(r, "54301", &lat, &lon), 0);
	assert_true(lat == 44.480778 && lon == -88.016063);
	assert_int_equal(resolve_zip(r, "99999", &lat, &lon),
	    MENTOR_ENOTFOUND);
	assert_int_equal(resolve_zip(r, "6061", &lat, &lon),
	    MENTOR_ENOTFOUND);
	resolve_resolver(r, &sr);
	assert_non_null(sr.cluster);
	assert_non_null(sr.competency);
	assert_non_null(sr.zip);
	resolve_free(r);
}

static char dir[] = "/tmp/test_resolve.XXXXXX";

static void
put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
copy(const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp contrib/data/%s %s/", name, dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_made(void **state)
{
	struct student_resolver sr;
	struct resolve *r;
	char err[256];
	double lat, lon;

	(void)state;
	assert_non_null(mkdtemp(dir));
	copy("clusters.tsv");
	copy("crosswalk.tsv");
	copy("soc.tsv");
	put("onet-elements.tsv", "# made for this test\n"
	    "id\tname\tkind\tdescription\n"
	    "2.A.1.e\tMathematics\tskill\tmade for this test\n"
	    "2.C.4.a\tMathematics\tknowledge\tmade for this test\n"
	    "2.C.9.a\tShared Name\tknowledge\tmade for this test\n"
	    "2.C.9.b\tShared Name\tknowledge\tmade for this test\n");
	/* Without zip.tsv: ZIP codes are unknown, the rest works. */
	assert_int_equal(resolve_open(&r, dir, err, sizeof(err)), 0);
	assert_string_equal(resolve_competency(r, "mathematics"),
	    "onet:2.A.1.e");
	assert_string_equal(resolve_competency(r, "2.c.4.a"),
	    "onet:2.C.4.a");
	assert_null(resolve_competency(r, "shared name"));
	assert_string_equal(resolve_competency(r, "2.C.9.b"),
	    "onet:2.C.9.b");
	assert_int_equal(resolve_zip_count(r), 0);
	resolve_resolver(r, &sr);
	assert_null(sr.zip);
	resolve_free(r);

	put("zip.tsv", "GEOID\tINTPTLAT\tINTPTLONG\n"
	    "02134\t42.358786\t-71.129581\n00601\t18.180555\t-66.749961\n");
	assert_int_equal(resolve_open(&r, dir, err, sizeof(err)), 0);
	assert_int_equal(resolve_zip_count(r), 2);
	assert_int_equal(resolve_zip(r, "02134", &lat, &lon), 0);
	assert_true(lat == 42.358786);
	resolve_free(r);

	put("zip.tsv", "GEOID\tINTPTLAT\tINTPTLONG\n02134\t142.0\t-71.1\n");
	assert_int_equal(resolve_open(&r, dir, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "zip.tsv line 2: INTPTLAT"));
	put("zip.tsv", "ZIP\tLAT\tLON\n");
	assert_int_equal(resolve_open(&r, dir, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "zip.tsv line 1: header"));

	/* Nothing: only exact codes pass, through student.c's fallbacks. */
	assert_int_equal(resolve_open(&r, "", err, sizeof(err)), 0);
	assert_null(resolve_cluster(r, "manufacturing"));
	resolve_resolver(r, &sr);
	assert_null(sr.cluster);
	assert_null(sr.competency);
	resolve_free(r);

	snprintf(err, sizeof(err), "rm -rf %s", dir);
	assert_int_equal(system(err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_made),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
