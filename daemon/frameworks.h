/*
 * frameworks.h: the reference data the matcher explains itself with:
 * career clusters of both frameworks and their crosswalk, O*NET element
 * names and O*NET-SOC occupation titles, loaded from the TSV files of a
 * data directory (contrib/data, or share/mentord/data once installed).
 *
 * Files (tab-separated; lines starting with '#' are comments; blank lines
 * are skipped; the first other line is the header, checked exactly; lines
 * may end in LF or CRLF):
 *   clusters.tsv	 code framework name	(framework 16 or 14; <= 32 rows)
 *   crosswalk.tsv	 code16 code14		(both codes from clusters.tsv)
 *   onet-elements.tsv	 id name kind		(id "2.A.1.a": known as
 *						 competency "onet:2.A.1.a")
 *   soc.tsv		 code title		(NN-NNNN or NN-NNNN.NN)
 * No code appears twice in one file.
 *
 * A loaded struct frameworks is immutable: every function below may be
 * called from any thread.  Returned strings belong to it and live until
 * fw_free().
 */
#ifndef MENTOR_FRAMEWORKS_H
#define MENTOR_FRAMEWORKS_H

#include <stddef.h>
#include <stdint.h>

#define FW_CLUSTERS_MAX	32	/* a cluster mask is a uint32_t */
#define FW_FILE_MAX	(16u << 20)	/* bytes per data file */
#define FW_ERR_MAX	512

struct frameworks;

/*
 * fw_load: reads the four files from dir and sets *out to a new struct
 * frameworks that the caller releases with fw_free().
 *
 * Returns 0; MENTOR_EIO when a file cannot be read ("DIR/soc.tsv: No such
 * file or directory"); MENTOR_EINVAL for bad content, naming the file and
 * the line ("DIR/soc.tsv line 12: code: not NN-NNNN or NN-NNNN.NN");
 * MENTOR_ETOOBIG for a file over FW_FILE_MAX or more than FW_CLUSTERS_MAX
 * clusters; MENTOR_ENOMEM.  err (FW_ERR_MAX bytes suffice) is always
 * NUL-terminated when errlen > 0; *out is only set on success.
 */
int	fw_load(struct frameworks **out, const char *dir, char *err,
	    size_t errlen);

/* fw_free: releases fw and every string it returned.  NULL is fine. */
void	fw_free(struct frameworks *fw);

/*
 * fw_competency_name: the name of a competency id ("onet:2.A.1.a" ->
 * "Reading Comprehension"), or NULL when unknown (other frameworks).
 */
const char *fw_competency_name(const struct frameworks *fw, const char *id);

/*
 * fw_occupation_title: the title of an O*NET-SOC code ("51-4121.00"); for
 * a code absent from soc.tsv, the title of its detailed SOC occupation
 * (the first 7 characters, "51-4121"); NULL when neither is known.
 */
const char *fw_occupation_title(const struct frameworks *fw,
	    const char *code);

/* fw_cluster_name: "manufacturing" -> "Manufacturing"; NULL if unknown. */
const char *fw_cluster_name(const struct frameworks *fw, const char *code);

/*
 * fw_cluster_index: the row of code in clusters.tsv, 0 for the first
 * cluster (0..29 with the shipped data); -1 when unknown.
 */
int	fw_cluster_index(const struct frameworks *fw, const char *code);

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

/* Counts of what was loaded, for tests and the status of the node. */
size_t	fw_competency_count(const struct frameworks *fw);
size_t	fw_occupation_count(const struct frameworks *fw);	/* soc.tsv rows */
size_t	fw_crosswalk_count(const struct frameworks *fw);

#endif
