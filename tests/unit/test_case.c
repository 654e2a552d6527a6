/*
 * test_case.c: the CASE CFPackage reader (daemon/case.c) on OpenSALT's
 * fixtures and on bad packages, and CASE items in the frameworks:
 * names and exactMatchOf equivalences (fw_case_add, fw_canonical).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "case.h"
#include "frameworks.h"
#include "mentor.h"

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
	*len = (size_t)n;
	return buf;
}

static json_t *
parse_file(const char *name)
{
	char path[256], err[256];
	json_t *fw = NULL;
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "tests/data/case/%s", name);
	buf = slurp(path, &len);
	if (case_parse(buf, len, &fw, err, sizeof(err)) != 0)
		fail_msg("%s: %s", name, err);
	free(buf);
	return fw;
}

static void
test_opensalt(void **state)
{
	json_t *fw, *it;

	(void)state;
	fw = parse_file("opensalt-test-Ordering.json");
	assert_string_equal(json_string_value(json_object_get(fw, "id")),
	    "a33fc64e-5c40-11e7-82c4-3d54268aa9ee");
	assert_string_equal(json_string_value(json_object_get(fw, "title")),
	    "ACT Holistic Framework, Math");
	assert_int_equal(json_array_size(json_object_get(fw, "items")), 28);
	assert_int_equal(json_array_size(json_object_get(fw, "exact")), 0);
	it = json_array_get(json_object_get(fw, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "id")),
	    "case:3d8cdec5-83d6-49b4-9300-91a824c59758");
	assert_string_equal(json_string_value(json_object_get(it, "code")),
	    "H.A.MATH.GM");
	json_decref(fw);

	fw = parse_file("opensalt-test-SmartLevelFramework.json");
	assert_int_equal(json_array_size(json_object_get(fw, "items")), 14);
	json_decref(fw);

	fw = parse_file("opensalt-test-Utf8TestFramework.json");
	it = json_array_get(json_object_get(fw, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "name")),
	    "Item \xf0\x9d\x91\x91 1");
	assert_null(json_object_get(it, "code"));
	json_decref(fw);
}

static void
test_exact(void **state)
{
	json_t *fw, *x;

	(void)state;
	fw = parse_file("welding-exactmatch.json");
	x = json_object_get(fw, "exact");
	assert_int_equal(json_array_size(x), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_array_get(x, 0), 0)),
	    "case:c0000000-0000-4000-8000-000000000001");
	assert_string_equal(json_string_value(json_array_get(
	    json_array_get(x, 0), 1)), "onet:2.B.3.h");
	assert_string_equal(json_string_value(json_array_get(
	    json_array_get(x, 1), 1)), "onet:2.B.3.m");
	json_decref(fw);
}

static void
expect_bad(const char *text, int rc, const char *want)
{
	char err[256];
	json_t *fw = NULL;

	assert_int_equal(case_parse(text, strlen(text), &fw, err,
	    sizeof(err)), rc);
	assert_null(fw);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

#define DOC	"\"CFDocument\":{\"identifier\":\"d1\",\"title\":\"T\"}"

static void
test_bad(void **state)
{
	(void)state;
	expect_bad("", MENTOR_EINVAL, "not JSON: line 1");
	expect_bad("[]", MENTOR_EINVAL, "not a CFPackage");
	expect_bad("{}", MENTOR_EINVAL, "CFDocument: missing");
	expect_bad("{\"CFDocument\":{\"title\":\"T\"}}", MENTOR_EINVAL,
	    "CFDocument.identifier: missing");
	expect_bad("{\"CFDocument\":{\"identifier\":\"../etc\",\"title\":"
	    "\"T\"}}", MENTOR_EINVAL, "CFDocument.identifier: not an "
	    "identifier");
	expect_bad("{\"CFDocument\":{\"identifier\":\"d1\"}}", MENTOR_EINVAL,
	    "CFDocument.title: missing");
	expect_bad("{" DOC "}", MENTOR_EINVAL, "CFItems: missing");
	expect_bad("{" DOC ",\"CFItems\":{}}", MENTOR_EINVAL,
	    "CFItems: must be an array");
	expect_bad("{" DOC ",\"CFItems\":[{\"fullStatement\":\"x\"}]}",
	    MENTOR_EINVAL, "CFItems[0].identifier: missing");
	expect_bad("{" DOC ",\"CFItems\":[{\"identifier\":\"a b\","
	    "\"fullStatement\":\"x\"}]}", MENTOR_EINVAL,
	    "CFItems[0].identifier: \"a b\" is not an identifier");
	expect_bad("{" DOC ",\"CFItems\":[{\"identifier\":\"i1\"}]}",
	    MENTOR_EINVAL, "CFItems[0].fullStatement: missing");
	expect_bad("{" DOC ",\"CFItems\":[{\"identifier\":\"i1\","
	    "\"fullStatement\":\"x\"},{\"identifier\":\"i1\","
	    "\"fullStatement\":\"y\"}]}", MENTOR_EINVAL,
	    "CFItems[1].identifier: \"i1\" appears twice");
	expect_bad("{" DOC ",\"CFItems\":[],\"CFAssociations\":[{"
	    "\"associationType\":\"exactMatchOf\",\"originNodeURI\":{"
	    "\"identifier\":\"zz\"},\"destinationNodeURI\":{\"identifier\":"
	    "\"i2\"}}]}", MENTOR_EINVAL,
	    "CFAssociations[0].originNodeURI: not an item of this package");
	expect_bad("{" DOC ",\"CFItems\":[{\"identifier\":\"i1\","
	    "\"fullStatement\":\"x\"}],\"CFAssociations\":[{"
	    "\"associationType\":\"exactMatchOf\",\"originNodeURI\":{"
	    "\"identifier\":\"i1\"},\"destinationNodeURI\":{}}]}",
	    MENTOR_EINVAL, "CFAssociations[0].destinationNodeURI: no usable");
	expect_bad("{" DOC ",\"CFItems\":[],\"x\":1,\"x\":2}", MENTOR_EINVAL,
	    "duplicate");
}

static void
test_frameworks(void **state)
{
	struct frameworks *fw = NULL;
	char err[FW_ERR_MAX];
	json_t *c;

	(void)state;
	assert_int_equal(fw_load(&fw, "contrib/data", err, sizeof(err)), 0);
	c = parse_file("welding-exactmatch.json");
	assert_int_equal(fw_case_add(fw, c, err, sizeof(err)), 0);
	assert_int_equal(fw_case_count(fw), 3);
	assert_int_equal(fw_alias_count(fw), 2);
	assert_string_equal(fw_competency_name(fw,
	    "case:c0000000-0000-4000-8000-000000000003"),
	    "Read welding symbols on blueprints");
	assert_string_equal(fw_canonical(fw,
	    "case:c0000000-0000-4000-8000-000000000001"), "onet:2.B.3.h");
	assert_string_equal(fw_canonical(fw,
	    "case:c0000000-0000-4000-8000-000000000003"),
	    "case:c0000000-0000-4000-8000-000000000003");
	assert_string_equal(fw_canonical(fw, "onet:2.A.1.a"), "onet:2.A.1.a");
	assert_null(fw_competency_name(fw, "case:nope"));
	/* The same items again: refused, naming one. */
	assert_int_equal(fw_case_add(fw, c, err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "duplicate"));
	json_decref(c);
	/* A cycle of aliases ends. */
	c = json_pack("{s:s, s:s, s:[{s:s,s:s},{s:s,s:s}], s:[[ss],[ss]]}",
	    "id", "d", "title", "t", "items", "id", "case:a", "name", "A",
	    "id", "case:b", "name", "B", "exact", "case:a", "case:b",
	    "case:b", "case:a");
	assert_int_equal(fw_case_add(fw, c, err, sizeof(err)), 0);
	assert_non_null(fw_canonical(fw, "case:a"));
	json_decref(c);
	c = json_object();
	assert_int_equal(fw_case_add(fw, c, err, sizeof(err)), MENTOR_EINVAL);
	json_decref(c);
	fw_free(fw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opensalt),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_frameworks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
