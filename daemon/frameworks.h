/*
 * frameworks.h: the reference data the matcher explains itself with:
 * career clusters of both frameworks, their pathways and sub-clusters and
 * their crosswalk; O*NET Skills, Knowledge and Abilities elements, the
 * O*NET-SOC occupations with their alternate titles and, when installed,
 * each occupation's importance (IM) and level (LV) on each element.  All
 * is loaded from the TSV files of a data directory (contrib/data, or
 * share/mentord/data once installed); contrib/onet/build makes the O*NET
 * tables from an O*NET text release.
 *
 * Files (tab-separated; lines starting with '#' are comments; blank lines
 * are skipped; the first other line is the header, checked exactly; lines
 * may end in LF or CRLF):
 *   clusters.tsv	 code framework name	(framework 16 or 14; <= 32 rows)
 *   crosswalk.tsv	 code16 code14		(both codes from clusters.tsv)
 *   onet-elements.tsv	 id name kind description
 *					(id "2.A.1.a": known as competency
 *					 "onet:2.A.1.a"; kind skill,
 *					 knowledge or ability)
 *   soc.tsv		 code title description	(NN-NNNN or NN-NNNN.NN)
 * and, optional (absent means none):
 *   subclusters.tsv	 cluster name		(a pathway or sub-cluster)
 *   alt-titles.tsv	 code title		(code from soc.tsv)
 *   onet-levels.tsv	 code element im lv	(im 1-5, lv 0-7 or "-")
 * No code appears twice in one file (nor a code/element pair).
 *
 * A loaded struct frameworks is immutable: every function below may be
 * called from any thread.  Returned strings and structs belong to it and
 * live until fw_free().
 */
#ifndef MENTOR_FRAMEWORKS_H
#define MENTOR_FRAMEWORKS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define FW_CLUSTERS_MAX	32	/* a cluster mask is a uint32_t */
#define FW_FILE_MAX	(16u << 20)	/* bytes per data file */
#define FW_ERR_MAX	512
#define FW_SEARCH_MAX	100	/* hits of one occupation search */

/* O*NET's required attribution (CC BY 4.0), printed by --version. */
#define FW_ATTRIBUTION \
	"This product includes information from the O*NET 29.2 Database\n" \
	"(ratings from the O*NET 29.0 and 30.x Databases) by the U.S. " \
	"Department\nof Labor, Employment and Training Administration " \
	"(USDOL/ETA).\nUsed under the CC BY 4.0 license. O*NET(R) is a " \
	"trademark of USDOL/ETA.\n"

struct frameworks;

/*
 * fw_load: reads the files from dir and sets *out to a new struct
 * frameworks that the caller releases with fw_free().
 *
 * Returns 0; MENTOR_EIO when a required file cannot be read
 * ("DIR/soc.tsv: No such file or directory"); MENTOR_EINVAL for bad
 * content, naming the file and the line ("DIR/soc.tsv line 12: code: not
 * NN-NNNN or NN-NNNN.NN"); MENTOR_ETOOBIG for a file over FW_FILE_MAX or
 * more than FW_CLUSTERS_MAX clusters; MENTOR_ENOMEM.  err (FW_ERR_MAX
 * bytes suffice) is always NUL-terminated when errlen > 0; *out is only
 * set on success.
 */
int	fw_load(struct frameworks **out, const char *dir, char *err,
	    size_t errlen);

/* fw_free: releases fw and every string it returned.  NULL is fine. */
void	fw_free(struct frameworks *fw);

/*
 * fw_case_add: adds the competencies of a CASE framework object (case.h:
 * {"id","title","items":[{"id":"case:..","name","code"?}],"exact":
 * [[FROM,TO]]}) to fw: their names, and each exactMatchOf as an alias
 * (an O*NET target wins over a CASE one; otherwise the first one).  Only
 * for a fw not yet shared with another thread or an index.  Returns 0,
 * MENTOR_EINVAL (an item already known: "case:ID: in two frameworks";
 * a malformed object) or MENTOR_ENOMEM; on error fw names and matches
 * what it did before.
 */
int	fw_case_add(struct frameworks *fw, const json_t *framework, char *err,
	    size_t errlen);

/*
 * fw_canonical: the competency id matching treats id as: its exactMatchOf
 * target, followed at most 8 times ("case:X" -> "onet:2.A.1.a"), or id
 * itself.  The result is id or a string owned by fw.
 */
const char *fw_canonical(const struct frameworks *fw, const char *id);

/* fw_case_count: CASE items added by fw_case_add; fw_alias_count: aliases. */
size_t	fw_case_count(const struct frameworks *fw);
size_t	fw_alias_count(const struct frameworks *fw);

/* An O*NET element (a row of onet-elements.tsv). */
struct fw_element {
	const char	*id;		/* "2.A.1.a" (no "onet:") */
	const char	*name;		/* "Reading Comprehension" */
	const char	*kind;		/* "skill", "knowledge", "ability" */
	const char	*description;
};

/*
 * fw_competency_name: the name of a competency id ("onet:2.A.1.a" ->
 * "Reading Comprehension", or a CASE item's fullStatement), or NULL when
 * unknown (other frameworks).
 */
const char *fw_competency_name(const struct frameworks *fw, const char *id);

/* fw_element: the element of a competency id "onet:..."; NULL if unknown. */
const struct fw_element *fw_element(const struct frameworks *fw,
	    const char *id);

/*
 * fw_element_lookup: the element named s, in any case ("reading
 * comprehension"), or whose id is s with or without "onet:"; NULL if none.
 */
const struct fw_element *fw_element_lookup(const struct frameworks *fw,
	    const char *s);

/* fw_element_at: element i in id order (0 <= i < fw_competency_count). */
const struct fw_element *fw_element_at(const struct frameworks *fw,
	    size_t i);

/*
 * fw_occupation_title: the title of an O*NET-SOC code ("51-4121.00"); for
 * a code absent from soc.tsv, the title of its detailed SOC occupation
 * (the first 7 characters, "51-4121", or "51-4121.00"); NULL when neither
 * is known.
 */
const char *fw_occupation_title(const struct frameworks *fw,
	    const char *code);

/* fw_occupation_description: as fw_occupation_title, its description. */
const char *fw_occupation_description(const struct frameworks *fw,
	    const char *code);

/* One occupation found by fw_occupation_search. */
struct fw_hit {
	const char	*code;
	const char	*title;
	const char	*matched;	/* the alternate title that matched,
					 * or NULL for the title itself */
	int		 score;		/* higher is better */
};

/*
 * fw_occupation_search: the occupations whose title or an alternate title
 * holds every word of query as the start of one of its words, in any case
 * ("weld" finds Welders, Cutters, Solderers, and Brazers; "cna" finds
 * Nursing Assistants), or whose code starts with query ("51-41").  Best
 * first: the whole title, then a title starting with the query, then any
 * word match; the occupation's own title before an alternate one; then the
 * shorter title, then the code.  Writes at most max (<= FW_SEARCH_MAX)
 * hits, one per occupation, and returns their number; 0 for an empty
 * query.
 */
size_t	fw_occupation_search(const struct frameworks *fw, const char *query,
	    struct fw_hit *hits, size_t max);

/* An occupation's ratings on one element; absent ratings are -1. */
struct fw_level {
	const struct fw_element	*element;
	double			 im;	/* importance 1-5 */
	double			 lv;	/* level 0-7 */
};

/* fw_has_levels: 1 when onet-levels.tsv was loaded, else 0. */
int	fw_has_levels(const struct frameworks *fw);

/*
 * fw_occupation_levels: sets *out to the ratings of occupation code (in
 * element id order) and returns their number; 0 (and *out NULL) when the
 * occupation or the level data is unknown.
 */
size_t	fw_occupation_levels(const struct frameworks *fw, const char *code,
	    const struct fw_level **out);

/*
 * fw_lv_level: an O*NET level (LV, 0-7) on mentord's 0-4 scale:
 * round(lv * 4 / 7), clamped; so LV below 0.875 is 0 (none), up to 2.625
 * is 1 (beginning), up to 4.375 is 2 (developing), up to 6.125 is 3
 * (proficient), above is 4 (advanced).
 */
int	fw_lv_level(double lv);

/*
 * fw_occupation_json: {"code","title","description","alternate_titles":
 * [...],"levels":[{"competency","name","kind","im","lv","level"}]} or, when
 * there are no ratings of this occupation (or none at all), "levels":null;
 * NULL when the code is unknown or out of memory.  A new reference.
 */
json_t	*fw_occupation_json(const struct frameworks *fw, const char *code);

/*
 * fw_search_json: [{"code","title","matched"?}] of fw_occupation_search
 * with at most max hits; NULL only when out of memory.  A new reference.
 */
json_t	*fw_search_json(const struct frameworks *fw, const char *query,
	    size_t max);

/* fw_cluster_name: "manufacturing" -> "Manufacturing"; NULL if unknown. */
const char *fw_cluster_name(const struct frameworks *fw, const char *code);

/*
 * fw_cluster_index: the row of code in clusters.tsv, 0 for the first
 * cluster (0..29 with the shipped data); -1 when unknown.
 */
int	fw_cluster_index(const struct frameworks *fw, const char *code);

/*
 * fw_cluster_lookup: like fw_cluster_index, but s may also be the code or
 * the name in any case ("Advanced Manufacturing"); "&" and "and" are the
 * same ("Arts, Entertainment & Design").
 */
int	fw_cluster_lookup(const struct frameworks *fw, const char *s);

/*
 * fw_cluster_mask: bit fw_cluster_index(code) together with the bit of
 * every code the crosswalk pairs code with (in either direction); 0 when
 * code is unknown.  Two clusters "match" when one's mask holds the
 * other's bit (the relation is symmetric).
 */
uint32_t fw_cluster_mask(const struct frameworks *fw, const char *code);

/* fw_cluster_count: the number of clusters (30 with the shipped data). */
int	fw_cluster_count(const struct frameworks *fw);

/*
 * fw_cluster_code: the code of cluster index i (0 <= i <
 * fw_cluster_count), or NULL when i is out of range.
 */
const char *fw_cluster_code(const struct frameworks *fw, int i);

/* fw_cluster_framework: 16 or 14 for a known code, 0 when unknown. */
int	fw_cluster_framework(const struct frameworks *fw, const char *code);

/*
 * fw_subcluster_count / fw_subcluster_name: the pathways (16-cluster
 * framework) or sub-clusters (2024 framework) of cluster index i, in file
 * order; 0 / NULL when out of range.
 */
size_t	fw_subcluster_count(const struct frameworks *fw, int i);
const char *fw_subcluster_name(const struct frameworks *fw, int i, size_t j);

/* Counts of what was loaded, for tests and the status of the node. */
size_t	fw_competency_count(const struct frameworks *fw);
size_t	fw_occupation_count(const struct frameworks *fw);	/* soc.tsv rows */
size_t	fw_crosswalk_count(const struct frameworks *fw);
size_t	fw_alt_title_count(const struct frameworks *fw);
size_t	fw_level_count(const struct frameworks *fw);	/* onet-levels rows */

/* fw_memory: bytes held by fw (buffers and tables), for `make bench`. */
size_t	fw_memory(const struct frameworks *fw);

#endif
