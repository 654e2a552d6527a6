/*
 * resolve.h: the friendly values of a roster turned into canonical ones:
 * career clusters by code or name of either framework, O*NET elements by
 * id or name, US ZIP codes into coordinates.  Built from the data
 * directory (contrib/data): the frameworks (frameworks.h) for clusters
 * and elements, zip.tsv for ZIP codes.
 * Immutable once open; every lookup may run on any thread.
 */
#ifndef MENTOR_RESOLVE_H
#define MENTOR_RESOLVE_H

#include <stddef.h>

#include "student.h"

#define RESOLVE_NAME_MAX	200	/* bytes of a value looked up */

struct resolve;

/*
 * resolve_open: loads the tables from dir and sets *out to a new resolver
 * (free with resolve_free).  dir NULL or "" gives a resolver that knows
 * nothing (only exact codes then pass).  A missing zip.tsv leaves ZIP
 * codes unknown (resolve_resolver sets no zip function).
 *
 * Returns 0; MENTOR_EIO, MENTOR_EINVAL or MENTOR_ETOOBIG from the
 * frameworks (fw_load) or a malformed zip.tsv (err names the file and the
 * line); MENTOR_ENOMEM.
 */
int	resolve_open(struct resolve **out, const char *dir, char *err,
	    size_t errlen);
void	resolve_free(struct resolve *r);

/*
 * resolve_cluster: the cluster code s stands for: a code or a name of
 * either framework, compared without case and without punctuation ("&"
 * counts as "and"), so "Advanced Manufacturing", "advanced-manufacturing"
 * and "ADVANCED MANUFACTURING" are one.  NULL when unknown.  The string
 * belongs to r.
 */
const char *resolve_cluster(const struct resolve *r, const char *s);

/*
 * resolve_competency: "onet:ID" for an O*NET element id ("2.B.3.h",
 * "onet:2.b.3.h") or name ("critical thinking") known to the frameworks;
 * a name shared by several elements means the skill when one is a skill,
 * else nothing.  NULL when unknown.  The string belongs to r.
 */
const char *resolve_competency(const struct resolve *r, const char *s);

/*
 * resolve_zip: the internal point of the ZCTA of a 5-digit ZIP code.
 * Returns 0, or MENTOR_ENOTFOUND (also without a ZIP table).
 */
int	resolve_zip(const struct resolve *r, const char *zip, double *lat,
	    double *lon);

/* resolve_zip_count: ZIP codes loaded (0 without zip.tsv). */
size_t	resolve_zip_count(const struct resolve *r);

/* resolve_resolver: the student_resolver (student.h) backed by r. */
void	resolve_resolver(const struct resolve *r,
	    struct student_resolver *out);

#endif
