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

/* The small files; alt-titles.tsv (optional) is left out of copies. */
static const char *const names[] = {
	"clusters.tsv", "crosswalk.tsv", "onet-elements.tsv", "soc.tsv",
	"subclusters.tsv",
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
	/* O*NET 29.2: 35 skills, 33 knowledge, 52 abilities; 1,016
	 * O*NET-SOC occupations.  Clusters: 16 + 14, 79 pathways + 72
	 * sub-clusters; the 7 sourced crosswalk pairs. */
	assert_int_equal(fw_cluster_count(fw), 30);
	assert_int_equal(fw_crosswalk_count(fw), 7);
	assert_int_equal(fw_competency_count(fw), 120);
	assert_int_equal(fw_occupation_count(fw), 1016);
	assert_int_equal(fw_alt_title_count(fw), 59999);
	/* O*NET 29.0 Skills and Knowledge ratings of 879 occupations (35
	 * + 33 each: its 61,530 and 58,014 rows, IM and LV) and the 35
	 * skills of Software Developers from O*NET 30.x. */
	assert_int_equal(fw_has_levels(fw), 1);
	assert_int_equal(fw_level_count(fw), 879 * (35 + 33) + 35);
	assert_true(fw_memory(fw) > 2000000);
	fw_free(fw);
}

/* rated: the IM and LV of element id for occupation code, as loaded. */
static void
rated(const struct frameworks *fw, const char *code, const char *id,
    double im, double lv)
{
	const struct fw_level *l;
	size_t i, n;

	n = fw_occupation_levels(fw, code, &l);
	for (i = 0; i < n; i++)
		if (strcmp(l[i].element->id, id) == 0)
			break;
	if (i == n)
		fail_msg("%s %s: not rated", code, id);
	if (l[i].im < im - 0.001 || l[i].im > im + 0.001 ||
	    l[i].lv < lv - 0.001 || l[i].lv > lv + 0.001)
		fail_msg("%s %s: IM %.2f LV %.2f, expected %.2f %.2f", code, id,
		    l[i].im, l[i].lv, im, lv);
}

/*
 * Spot values of the shipped ratings against their sources
 * (contrib/data/SOURCES.md), each also printed by a second, independent
 * copy of O*NET's files: Chief Executives' skills as in O*NET 30.x's
 * Skills.txt (rows of 08/2023, the same in both releases), their
 * knowledge as in another public copy of Knowledge.txt, and Farm Equipment
 * Mechanics as in O*NET 30.1's data dictionary example.
 */
static void
test_shipped_ratings(void **state)
{
	struct frameworks *fw = NULL;
	const struct fw_level *l;
	char err[FW_ERR_MAX];

	(void)state;
	assert_int_equal(fw_load(&fw, DATA, err, sizeof(err)), 0);
	rated(fw, "11-1011.00", "2.A.1.a", 4.12, 4.62);
	rated(fw, "11-1011.00", "2.B.5.d", 4.25, 5.25);
	rated(fw, "11-1011.03", "2.A.1.e", 2.88, 3.12);
	rated(fw, "11-1011.00", "2.C.1.a", 4.78, 6.50);
	rated(fw, "11-1011.00", "2.C.1.b", 2.42, 2.69);
	rated(fw, "11-1011.00", "2.C.10", 2.26, 2.32);
	rated(fw, "49-3041.00", "2.A.1.a", 3.00, 2.88);
	rated(fw, "49-3041.00", "2.A.1.d", 3.12, 3.00);
	rated(fw, "51-4121.00", "2.B.3.m", 3.12, 3.00);
	rated(fw, "51-4121.00", "2.C.2.a", 3.49, 3.36);
	/* Skills and knowledge; Software Developers: skills only (30.x);
	 * EMTs: none (no ratings in O*NET 29.0). */
	assert_int_equal(fw_occupation_levels(fw, "51-4121.00", &l), 68);
	assert_int_equal(fw_occupation_levels(fw, "15-1252.00", &l), 35);
	assert_int_equal(fw_occupation_levels(fw, "29-2042.00", &l), 0);
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
	/* A detailed SOC code: the title of its ".00" occupation. */
	assert_string_equal(fw_occupation_title(fw, "51-4121"),
	    "Welders, Cutters, Solderers, and Brazers");
	assert_null(fw_occupation_title(fw, "51-4120"));
	/* An O*NET-SOC code absent from the file: its detailed SOC title. */
	assert_string_equal(fw_occupation_title(fw, "51-4121.06"),
	    "Welders, Cutters, Solderers, and Brazers");
	assert_null(fw_occupation_title(fw, "99-9999.00"));
	assert_null(fw_occupation_title(fw, "51-4121.0"));
	assert_null(fw_occupation_title(fw, NULL));

	assert_string_equal(fw_occupation_description(fw, "51-4121.00"),
	    "Use hand-welding, flame-cutting, hand-soldering, or brazing "
	    "equipment to weld or join metal components or to fill holes, "
	    "indentations, or seams of fabricated metal products.");

	assert_string_equal(fw_cluster_name(fw, "manufacturing"),
	    "Manufacturing");
	assert_string_equal(fw_cluster_name(fw, "advanced-manufacturing"),
	    "Advanced Manufacturing");
	assert_null(fw_cluster_name(fw, "widgets"));
	fw_free(fw);
}

static void
test_lookup(void **state)
{
	struct frameworks *fw = NULL;
	const struct fw_element *el;
	char err[FW_ERR_MAX];
	int i;

	(void)state;
	assert_int_equal(fw_load(&fw, DATA, err, sizeof(err)), 0);
	el = fw_element_lookup(fw, "reading COMPREHENSION");
	assert_non_null(el);
	assert_string_equal(el->id, "2.A.1.a");
	assert_string_equal(el->kind, "skill");
	assert_string_equal(el->description,
	    "Understanding written sentences and paragraphs in work-related "
	    "documents.");
	assert_ptr_equal(fw_element_lookup(fw, "onet:2.A.1.a"), el);
	assert_ptr_equal(fw_element_lookup(fw, "2.A.1.a"), el);
	assert_ptr_equal(fw_element(fw, "onet:2.A.1.a"), el);
	el = fw_element_lookup(fw, "oral comprehension");
	assert_non_null(el);
	assert_string_equal(el->id, "1.A.1.a.1");
	assert_string_equal(el->kind, "ability");
	el = fw_element_lookup(fw, "Mechanical");
	assert_non_null(el);
	assert_string_equal(el->kind, "knowledge");
	assert_null(fw_element_lookup(fw, "reading"));
	assert_null(fw_element_lookup(fw, NULL));
	assert_string_equal(fw_element_at(fw, 0)->id, "1.A.1.a.1");
	assert_null(fw_element_at(fw, 120));

	assert_int_equal(fw_cluster_lookup(fw, "ADVANCED manufacturing"),
	    fw_cluster_index(fw, "advanced-manufacturing"));
	assert_int_equal(fw_cluster_lookup(fw, "arts, entertainment, & "
	    "design"), fw_cluster_index(fw, "arts-entertainment-design"));
	assert_int_equal(fw_cluster_lookup(fw, "Finance"),
	    fw_cluster_index(fw, "finance"));
	assert_int_equal(fw_cluster_lookup(fw, "widgets"), -1);

	/* 79 pathways and 72 sub-clusters. */
	{
		size_t n16 = 0, n14 = 0;

		for (i = 0; i < fw_cluster_count(fw); i++) {
			if (fw_cluster_framework(fw, fw_cluster_code(fw, i)) ==
			    16)
				n16 += fw_subcluster_count(fw, i);
			else
				n14 += fw_subcluster_count(fw, i);
		}
		assert_int_equal(n16, 79);
		assert_int_equal(n14, 72);
	}
	i = fw_cluster_index(fw, "energy-natural-resources");
	assert_int_equal(fw_subcluster_count(fw, i), 6);
	assert_string_equal(fw_subcluster_name(fw, i, 0),
	    "Clean & Alternative Energy");
	assert_null(fw_subcluster_name(fw, i, 6));
	assert_null(fw_subcluster_name(fw, 99, 0));
	fw_free(fw);
}

static void
test_search(void **state)
{
	struct frameworks *fw = NULL;
	struct fw_hit h[FW_SEARCH_MAX];
	char err[FW_ERR_MAX];
	json_t *j;
	size_t n, i;

	(void)state;
	assert_int_equal(fw_load(&fw, DATA, err, sizeof(err)), 0);
	/* "welder": an alternate title of several occupations. */
	n = fw_occupation_search(fw, "welder", h, 10);
	assert_true(n >= 3);
	for (i = 0; i < n && strcmp(h[i].code, "51-4121.00") != 0; i++)
		;
	assert_true(i < n);
	/* "CNA" in any case: the three occupations that list it. */
	n = fw_occupation_search(fw, "cna", h, 10);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].matched, "CNA");
	assert_int_equal(h[0].score, 6);
	/* Whole title first, and before the same alternate title. */
	n = fw_occupation_search(fw, "nursing assistants", h, 5);
	assert_true(n >= 1);
	assert_string_equal(h[0].code, "31-1131.00");
	assert_null(h[0].matched);
	/* Every word must start a word of the title: prefix, any order. */
	n = fw_occupation_search(fw, "braz weld", h, 5);
	assert_true(n >= 2);
	assert_string_equal(h[0].code, "51-4121.00");
	assert_int_equal(fw_occupation_search(fw, "elder", h, 5) > 0 &&
	    strcmp(h[0].code, "51-4121.00") == 0, 0);
	/* A code prefix. */
	n = fw_occupation_search(fw, "51-412", h, 10);
	assert_true(n >= 2);
	assert_int_equal(h[0].score, 8);
	/* Top N is honoured, best first. */
	assert_int_equal(fw_occupation_search(fw, "a", h, 4), 4);
	for (i = 1; i < 4; i++)
		assert_true(h[i - 1].score >= h[i].score);
	assert_int_equal(fw_occupation_search(fw, "", h, 5), 0);
	assert_int_equal(fw_occupation_search(fw, "  ,, ", h, 5), 0);
	assert_int_equal(fw_occupation_search(fw, "zzzzqqq", h, 5), 0);
	assert_int_equal(fw_occupation_search(NULL, "weld", h, 5), 0);

	j = fw_search_json(fw, "cna", 2);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 0), "matched")), "CNA");
	json_decref(j);

	/* Ratings shipped for 51-4121.00 (35 skills, 33 knowledge areas),
	 * none for 29-2042.00 (no ratings in O*NET 29.0). */
	j = fw_occupation_json(fw, "51-4121.00");
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "levels")), 68);
	assert_true(json_array_size(json_object_get(j,
	    "alternate_titles")) > 10);
	json_decref(j);
	j = fw_occupation_json(fw, "29-2042.00");
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "levels")));
	json_decref(j);
	{
		const struct fw_level *lv;
		size_t k, nl = fw_occupation_levels(fw, "51-4121.00", &lv);

		/* Quality Control Analysis: IM 3.12, LV 3.00 (O*NET). */
		for (k = 0; k < nl && strcmp(lv[k].element->id, "2.B.3.m");
		    k++)
			;
		assert_true(k < nl);
		assert_true(lv[k].im > 3.11 && lv[k].im < 3.13);
		assert_true(lv[k].lv > 2.99 && lv[k].lv < 3.01);
		assert_int_equal(fw_lv_level(lv[k].lv), 2);
	}
	assert_null(fw_occupation_json(fw, "99-9999.00"));
	fw_free(fw);
}

static void
test_lv_level(void **state)
{
	(void)state;
	assert_int_equal(fw_lv_level(-1), 0);
	assert_int_equal(fw_lv_level(0), 0);
	assert_int_equal(fw_lv_level(0.87), 0);
	assert_int_equal(fw_lv_level(0.88), 1);
	assert_int_equal(fw_lv_level(2.62), 1);
	assert_int_equal(fw_lv_level(2.63), 2);
	assert_int_equal(fw_lv_level(4.37), 2);
	assert_int_equal(fw_lv_level(4.38), 3);
	assert_int_equal(fw_lv_level(6.12), 3);
	assert_int_equal(fw_lv_level(6.13), 4);
	assert_int_equal(fw_lv_level(7), 4);
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
	/* No sourced crosswalk entry for manufacturing: each only itself. */
	assert_int_equal(m16, bit16);
	assert_int_equal(m14, bit14);
	assert_int_equal(fw_cluster_mask(fw, "stem"), UINT32_C(1) << istem);
	assert_int_equal(fw_cluster_mask(fw, "widgets"), 0);
	/* Health Science and Human Services were combined. */
	assert_int_equal(fw_cluster_mask(fw, "healthcare-human-services"),
	    (UINT32_C(1) << fw_cluster_index(fw, "healthcare-human-services")) |
	    (UINT32_C(1) << fw_cluster_index(fw, "health-science")) |
	    (UINT32_C(1) << fw_cluster_index(fw, "human-services")));
	assert_int_equal(fw_cluster_mask(fw, "information-technology"),
	    (UINT32_C(1) << fw_cluster_index(fw, "information-technology")) |
	    (UINT32_C(1) << fw_cluster_index(fw, "digital-technology")));
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
	    "# titles\ncode\ttitle\tdescription\n11-0000\tManagement\tM\n\n"
	    "11-100\tTop\tT\n",
	    MENTOR_EINVAL, "soc.tsv line 5: code: not NN-NNNN or NN-NNNN.NN");
	expect_error("soc.tsv", "code\ttitle\tdescription\r\n11-0000\tA\ta\r\n11-0000\tB\tb\r\n",
	    MENTOR_EINVAL, "soc.tsv line 3: code: duplicate \"11-0000\" "
	    "(first on line 2)");
	expect_error("soc.tsv", "code\ttitle\tdescription\n11-0000\n",
	    MENTOR_EINVAL, "soc.tsv line 2: 1 fields, expected 3");
	expect_error("soc.tsv", "code\ttitle\tdescription\n11-0000\tA\tB\tC\n",
	    MENTOR_EINVAL, "soc.tsv line 2: more than 3 fields");
	expect_error("soc.tsv", "code\ttitle\tdescription\n11-0000\t\tB\n",
	    MENTOR_EINVAL, "soc.tsv line 2: field 2 is empty");
	expect_error("soc.tsv", "code\tname\tdescription\n", MENTOR_EINVAL,
	    "soc.tsv line 1: header field 2 is \"name\", expected \"title\"");
	expect_error("soc.tsv", "# nothing\n", MENTOR_EINVAL,
	    "soc.tsv: no header line");
	expect_error("onet-elements.tsv", "id\tname\tkind\tdescription\n"
	    "2.A.1.a\tReading\tskill\tR\nA.2\tX\tskill\tX\n",
	    MENTOR_EINVAL, "onet-elements.tsv line 3: id: not an O*NET");
	expect_error("onet-elements.tsv", "id\tname\tkind\tdescription\n"
	    "2.A.1.a\tReading\tskill\tR\n2.A.1.a\tX\tskill\tX\n",
	    MENTOR_EINVAL, "onet-elements.tsv line 3: id: duplicate");
	expect_error("onet-elements.tsv", "id\tname\tkind\tdescription\n"
	    "2.A.1.a\tReading\ttalent\tR\n", MENTOR_EINVAL,
	    "onet-elements.tsv line 2: kind: must be skill, knowledge or "
	    "ability");
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
	expect_error("soc.tsv", "code\ttitle\tdescription\n11-0000\tA\x01 B\tC\n",
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
	spit(dir, "onet-elements.tsv", "id\tname\tkind\tdescription\n");
	spit(dir, "soc.tsv", "code\ttitle\tdescription\n"
	    "51-4121\tWelders\tWeld.\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), 0);
	assert_int_equal(fw_cluster_count(fw), 2);
	assert_int_equal(fw_cluster_mask(fw, "manufacturing"), 3);
	assert_string_equal(fw_cluster_name(fw, "advanced-manufacturing"),
	    "Advanced Manufacturing");
	assert_int_equal(fw_competency_count(fw), 0);
	assert_null(fw_competency_name(fw, "onet:2.A.1.a"));
	assert_string_equal(fw_occupation_title(fw, "51-4121.00"), "Welders");
	assert_int_equal(fw_has_levels(fw), 0);
	assert_int_equal(fw_subcluster_count(fw, 0), 0);
	fw_free(fw);
	rm_dir(dir);
}

/*
 * Level data: a synthetic onet-levels.tsv (made-up numbers for this test
 * only, not O*NET's) over two real element ids.
 */
static void
test_levels(void **state)
{
	struct frameworks *fw = NULL;
	const struct fw_level *lv;
	char dir[64], err[FW_ERR_MAX], path[128];
	json_t *j, *l;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_fw.XXXXXX");
	assert_non_null(mkdtemp(dir));
	spit(dir, "clusters.tsv", "code\tframework\tname\n"
	    "manufacturing\t16\tManufacturing\n");
	spit(dir, "crosswalk.tsv", "code16\tcode14\n");
	spit(dir, "onet-elements.tsv", "id\tname\tkind\tdescription\n"
	    "2.A.1.a\tReading Comprehension\tskill\tReading.\n"
	    "2.B.3.h\tOperation and Control\tskill\tControlling.\n");
	spit(dir, "soc.tsv", "code\ttitle\tdescription\n"
	    "51-4121.00\tWelders\tWeld.\n11-1011.00\tChiefs\tLead.\n");
	spit(dir, "onet-levels.tsv", "code\telement\tim\tlv\n"
	    "51-4121.00\t2.B.3.h\t4.00\t5.25\n"
	    "51-4121.00\t2.A.1.a\t3.00\t-\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), 0);
	assert_int_equal(fw_has_levels(fw), 1);
	assert_int_equal(fw_level_count(fw), 2);
	assert_int_equal(fw_occupation_levels(fw, "51-4121.00", &lv), 2);
	assert_string_equal(lv[0].element->id, "2.A.1.a");
	assert_true(lv[0].lv < 0);
	assert_true(lv[1].im > 3.99 && lv[1].im < 4.01);
	assert_int_equal(fw_lv_level(lv[1].lv), 3);
	assert_int_equal(fw_occupation_levels(fw, "11-1011.00", &lv), 0);
	assert_null(lv);
	j = fw_occupation_json(fw, "51-4121.00");
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "levels")), 2);
	l = json_array_get(json_object_get(j, "levels"), 1);
	assert_string_equal(json_string_value(json_object_get(l,
	    "competency")), "onet:2.B.3.h");
	assert_int_equal(json_integer_value(json_object_get(l, "level")), 3);
	json_decref(j);
	fw_free(fw);
	fw = NULL;

	spit(dir, "onet-levels.tsv", "code\telement\tim\tlv\n"
	    "51-4121.00\t2.B.3.h\t4.00\t8\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "onet-levels.tsv line 2: lv: must be 0 "
	    "to 7"));
	spit(dir, "onet-levels.tsv", "code\telement\tim\tlv\n"
	    "51-4121.00\t2.B.3.h\t4\t5\n51-4121.00\t2.B.3.h\t4\t5\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "line 3: duplicate occupation and "
	    "element (first on line 2)"));
	spit(dir, "onet-levels.tsv", "code\telement\tim\tlv\n"
	    "51-4121.00\t9.Z\t4\t5\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "element: \"9.Z\" is not in"));
	assert_null(fw);
	spit(dir, "alt-titles.tsv", "code\ttitle\n99-9999.00\tX\n");
	unlink(strcat(strcpy(path, dir), "/onet-levels.tsv"));
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "alt-titles.tsv line 2: code: "
	    "\"99-9999.00\" is not in soc.tsv"));
	unlink(strcat(strcpy(path, dir), "/alt-titles.tsv"));
	spit(dir, "subclusters.tsv", "cluster\tname\nwidgets\tX\n");
	assert_int_equal(fw_load(&fw, dir, err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "subclusters.tsv line 2: cluster: "
	    "\"widgets\" is not a code"));
	unlink(strcat(strcpy(path, dir), "/subclusters.tsv"));
	rm_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_counts),
		cmocka_unit_test(test_shipped_ratings),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_lv_level),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_clusters),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_too_many_clusters),
		cmocka_unit_test(test_minimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
