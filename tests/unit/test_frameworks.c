/*
 * test_frameworks.c: loading the shipped data files (contrib/data, run
 * from the repository root) and refusing bad ones with the file and line
 * named (daemon/frameworks.c, through daemon/frameworks.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mentor.h"
#include "frameworks.h"

#define DATA	"contrib/data"

static const char *const names[] = {
	"clusters.tsv", "crosswalk.tsv", "onet-elements.tsv", "soc.tsv",
};

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
spit(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/*
 * bad_dir: a temporary copy of the shipped data with file name's content
 * replaced by text (NULL: the file is left out).
 */
static void
bad_dir(char *dir, size_t len, const char *name, const char *text)
{
	char src[256];
	char *buf;
	size_t i;

	snprintf(dir, len, "/tmp/test_fw.XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i], name) == 0) {
			if (text != NULL)
				spit(dir, name, text);
			continue;
		}
		snprintf(src, sizeof(src), DATA "/%s", names[i]);
		buf = slurp(src);
		spit(dir, names[i], buf);
		free(buf);
	}
}

static void
rm_dir(const char *dir)
{
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* expect_error: loading with name replaced fails with rc and want in err. */
static void
expect_error(const char *name, const char *text, int rc, const char *want)
{
	struct frameworks *fw = NULL;
	char dir[64], err[FW_ERR_MAX];

	bad_dir(dir, sizeof(dir), name, text);
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), rc);
	assert_null(fw);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	rm_dir(dir);
}

static void
test_shipped_counts(void **state)
{
	struct frameworks *fw = NULL;
	char err[FW_ERR_MAX];

	(void)state;
	assert_int_equal(fw_load(&fw, DATA, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(fw_cluster_count(fw), 30);
	assert_int_equal(fw_crosswalk_count(fw), 21);
	assert_int_equal(fw_competency_count(fw), 68);
	assert_int_equal(fw_occupation_count(fw), 730);
	fw_free(fw);
}

static void
test_names(void **state)
{
	struct frameworks *fw = NULL;
	char err[FW_ERR_MAX];

	(void)state;
	assert_int_equal(fw_load(&fw, DATA, err, sizeof(err)), 0);
	assert_string_equal(fw_competency_name(fw, "onet:2.A.1.a"),
	    "Reading Comprehension");
	assert_string_equal(fw_competency_name(fw, "onet:2.B.3.m"),
	    "Quality Control Analysis");
	assert_string_equal(fw_competency_name(fw, "onet:2.C.10"),
	    "Transportation");
	assert_null(fw_competency_name(fw, "2.A.1.a"));
	assert_null(fw_competency_name(fw, "onet:9.Z.9"));
	assert_null(fw_competency_name(fw, "ccss:2.A.1.a"));
	assert_null(fw_competency_name(fw, NULL));

	assert_string_equal(fw_occupation_title(fw, "51-4121.00"),
	    "Welders, Cutters, Solderers, and Brazers");
	assert_string_equal(fw_occupation_title(fw, "51-4120"),
	    "Welding, Soldering, and Brazing Workers");
	/* An O*NET-SOC code absent from the file: its detailed SOC title. */
	assert_string_equal(fw_occupation_title(fw, "51-4121.06"),
	    "Welders, Cutters, Solderers, and Brazers");
	assert_null(fw_occupation_title(fw, "99-9999.00"));
	assert_null(fw_occupation_title(fw, "51-4121.0"));
	assert_null(fw_occupation_title(fw, NULL));

	assert_string_equal(fw_cluster_name(fw, "manufacturing"),
	    "Manufacturing");
	assert_string_equal(fw_cluster_name(fw, "advanced-manufacturing"),
	    "Advanced Manufacturing");
	assert_null(fw_cluster_name(fw, "widgets"));
	fw_free(fw);
}

static void
test_clusters(void **state)
{
	struct frameworks *fw = NULL;
	char err[FW_ERR_MAX];
	uint32_t m16, m14, bit16, bit14;
	int i16, i14, istem, i;

	(void)state;
	assert_int_equal(fw_load(&fw, DATA, err, sizeof(err)), 0);
	i16 = fw_cluster_index(fw, "manufacturing");
	i14 = fw_cluster_index(fw, "advanced-manufacturing");
	istem = fw_cluster_index(fw, "stem");
	assert_int_equal(i16, 12);
	assert_int_equal(i14, 16);
	assert_int_equal(fw_cluster_index(fw, "agriculture-food-natural-"
	    "resources"), 0);
	assert_int_equal(fw_cluster_index(fw, "supply-chain-transportation"),
	    29);
	assert_int_equal(fw_cluster_index(fw, "widgets"), -1);
	assert_int_equal(fw_cluster_framework(fw, "manufacturing"), 16);
	assert_int_equal(fw_cluster_framework(fw, "advanced-manufacturing"),
	    14);
	assert_int_equal(fw_cluster_framework(fw, "widgets"), 0);
	bit16 = UINT32_C(1) << i16;
	bit14 = UINT32_C(1) << i14;
	m16 = fw_cluster_mask(fw, "manufacturing");
	m14 = fw_cluster_mask(fw, "advanced-manufacturing");
	assert_int_equal(m16, bit16 | bit14);
	/* advanced-manufacturing received pathways of manufacturing and stem. */
	assert_int_equal(m14, bit14 | bit16 | (UINT32_C(1) << istem));
	assert_int_equal(fw_cluster_mask(fw, "widgets"), 0);
	/* finance <-> financial-services only. */
	assert_int_equal(fw_cluster_mask(fw, "finance"),
	    (UINT32_C(1) << fw_cluster_index(fw, "finance")) |
	    (UINT32_C(1) << fw_cluster_index(fw, "financial-services")));
	/* The relation is symmetric over every pair. */
	for (i = 0; i < fw_cluster_count(fw); i++) {
		const char *a = fw_cluster_code(fw, i);
		int j;

		assert_non_null(a);
		assert_int_equal(fw_cluster_index(fw, a), i);
		for (j = 0; j < fw_cluster_count(fw); j++) {
			const char *b = fw_cluster_code(fw, j);

			assert_int_equal(!!(fw_cluster_mask(fw, a) &
			    (UINT32_C(1) << j)), !!(fw_cluster_mask(fw, b) &
			    (UINT32_C(1) << i)));
		}
	}
	assert_null(fw_cluster_code(fw, 30));
	assert_null(fw_cluster_code(fw, -1));
	fw_free(fw);
}

static void
test_null(void **state)
{
	(void)state;
	fw_free(NULL);
	assert_null(fw_competency_name(NULL, "onet:2.A.1.a"));
	assert_null(fw_occupation_title(NULL, "51-4121.00"));
	assert_null(fw_cluster_name(NULL, "manufacturing"));
	assert_int_equal(fw_cluster_index(NULL, "manufacturing"), -1);
	assert_int_equal(fw_cluster_mask(NULL, "manufacturing"), 0);
	assert_int_equal(fw_cluster_count(NULL), 0);
}

static void
test_missing(void **state)
{
	struct frameworks *fw = NULL;
	char err[FW_ERR_MAX];

	(void)state;
	expect_error("soc.tsv", NULL, MENTOR_EIO, "/soc.tsv: No such file");
	assert_int_equal(fw_load(&fw, "/nonexistent-dir", err, sizeof(err)),
	    MENTOR_EIO);
	assert_string_equal(err,
	    "/nonexistent-dir/clusters.tsv: No such file or directory");
	assert_null(fw);
}

static void
test_bad_lines(void **state)
{
	(void)state;
	/* Comments and blank lines count as lines. */
	expect_error("soc.tsv",
	    "# titles\ncode\ttitle\n11-0000\tManagement\n\n11-100\tTop\n",
	    MENTOR_EINVAL, "soc.tsv line 5: code: not NN-NNNN or NN-NNNN.NN");
	expect_error("soc.tsv", "code\ttitle\r\n11-0000\tA\r\n11-0000\tB\r\n",
	    MENTOR_EINVAL, "soc.tsv line 3: code: duplicate \"11-0000\" "
	    "(first on line 2)");
	expect_error("soc.tsv", "code\ttitle\n11-0000\n", MENTOR_EINVAL,
	    "soc.tsv line 2: 1 fields, expected 2");
	expect_error("soc.tsv", "code\ttitle\n11-0000\tA\tB\n", MENTOR_EINVAL,
	    "soc.tsv line 2: more than 2 fields");
	expect_error("soc.tsv", "code\ttitle\n11-0000\t\n", MENTOR_EINVAL,
	    "soc.tsv line 2: field 2 is empty");
	expect_error("soc.tsv", "code\tname\n", MENTOR_EINVAL,
	    "soc.tsv line 1: header field 2 is \"name\", expected \"title\"");
	expect_error("soc.tsv", "# nothing\n", MENTOR_EINVAL,
	    "soc.tsv: no header line");
	expect_error("onet-elements.tsv",
	    "id\tname\tkind\n2.A.1.a\tReading\tskill\nA.2\tX\tskill\n",
	    MENTOR_EINVAL, "onet-elements.tsv line 3: id: not an O*NET");
	expect_error("onet-elements.tsv",
	    "id\tname\tkind\n2.A.1.a\tReading\tskill\n2.A.1.a\tX\tskill\n",
	    MENTOR_EINVAL, "onet-elements.tsv line 3: id: duplicate");
	expect_error("clusters.tsv",
	    "code\tframework\tname\nfinance\t16\tFinance\nfinance\t16\tF\n",
	    MENTOR_EINVAL, "clusters.tsv line 3: code: duplicate \"finance\"");
	expect_error("clusters.tsv",
	    "code\tframework\tname\nfinance\t15\tFinance\n",
	    MENTOR_EINVAL, "clusters.tsv line 2: framework: must be 16 or 14");
	expect_error("clusters.tsv",
	    "code\tframework\tname\nFinance!\t16\tFinance\n",
	    MENTOR_EINVAL, "clusters.tsv line 2: code: not a cluster code");
	expect_error("crosswalk.tsv",
	    "# c\ncode16\tcode14\nfinance\tfinancial-services\n"
	    "finance\twidgets\n", MENTOR_EINVAL,
	    "crosswalk.tsv line 4: code14: \"widgets\" is not a 2024");
	expect_error("crosswalk.tsv",
	    "code16\tcode14\nfinancial-services\tfinance\n", MENTOR_EINVAL,
	    "crosswalk.tsv line 2: code16: \"financial-services\" is not a "
	    "16-cluster code");
	expect_error("crosswalk.tsv",
	    "code16\tcode14\nfinance\tfinancial-services\n"
	    "finance\tfinancial-services\n", MENTOR_EINVAL,
	    "crosswalk.tsv line 3: duplicate pair");
	expect_error("soc.tsv", "code\ttitle\n11-0000\tA\x01 B\n",
	    MENTOR_EINVAL, "soc.tsv line 2: control character in field 2");
}

static void
test_too_many_clusters(void **state)
{
	char buf[4096];
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(buf, sizeof(buf), "code\tframework\tname\n");
	for (i = 0; i < 33; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "c%d\t16\tCluster %d\n", i, i);
	expect_error("clusters.tsv", buf, MENTOR_ETOOBIG,
	    "clusters.tsv line 34: more than 32 clusters");
}

/* A valid minimal set, written from scratch (no header quirks). */
static void
test_minimal(void **state)
{
	struct frameworks *fw = NULL;
	char dir[64], err[FW_ERR_MAX];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_fw.XXXXXX");
	assert_non_null(mkdtemp(dir));
	spit(dir, "clusters.tsv", "code\tframework\tname\n"
	    "manufacturing\t16\tManufacturing\n"
	    "advanced-manufacturing\t14\tAdvanced Manufacturing");
	spit(dir, "crosswalk.tsv", "code16\tcode14\n"
	    "manufacturing\tadvanced-manufacturing\n");
	spit(dir, "onet-elements.tsv", "id\tname\tkind\n");
	spit(dir, "soc.tsv", "code\ttitle\n51-4121\tWelders\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), 0);
	assert_int_equal(fw_cluster_count(fw), 2);
	assert_int_equal(fw_cluster_mask(fw, "manufacturing"), 3);
	assert_string_equal(fw_cluster_name(fw, "advanced-manufacturing"),
	    "Advanced Manufacturing");
	assert_int_equal(fw_competency_count(fw), 0);
	assert_null(fw_competency_name(fw, "onet:2.A.1.a"));
	assert_string_equal(fw_occupation_title(fw, "51-4121.00"), "Welders");
	fw_free(fw);
	rm_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_counts),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_clusters),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_too_many_clusters),
		cmocka_unit_test(test_minimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
