/*
 * jobposting.h: listings as schema.org JobPosting JSON-LD, both ways.
 * Pure functions: no I/O.
 *
 * Export writes the schema.org properties a job board or search engine
 * reads (title, description, hiringOrganization, employmentType,
 * totalJobOpenings, jobStartDate, validThrough, jobLocation /
 * jobLocationType, occupationalCategory as O*NET-SOC CategoryCodes, skills
 * as DefinedTerms), types apprenticeships and internships also as
 * WorkBasedProgram, and keeps every listing field losslessly under the
 * "mentord:" prefix ("urn:mentord:") so that importing the export gives
 * the same listing back.
 */
#ifndef MENTOR_JOBPOSTING_H
#define MENTOR_JOBPOSTING_H

#include <stddef.h>

#include <jansson.h>

#define JOBPOSTING_FILE_MAX	(8u << 20)
#define JOBPOSTING_MAX		10000	/* postings in one document */

/*
 * A name for a competency ("onet:2.A.1.a") when what is 'c', or for an
 * O*NET-SOC occupation when what is 'o'; NULL when unknown.
 */
typedef const char *(*jobposting_name_fn)(void *arg, int what,
    const char *id);

/*
 * jobposting_from_listing: the JobPosting object (new reference) of a
 * listing object (the listing fields, optionally with "id" and "created"
 * as `listing show` gives them); names (may be NULL) adds the names of
 * occupations and skills.  NULL when out of memory or not an object.
 */
json_t	*jobposting_from_listing(const json_t *listing,
	    jobposting_name_fn names, void *arg);

/*
 * jobposting_to_listings: reads JSON-LD (one JobPosting object, an array
 * of them, or an object with "@graph") and sets *out to an array of
 * listing objects, one per JobPosting node, ready for `listing post`
 * (which validates them).  Returns 0; MENTOR_EINVAL with a message naming
 * the posting and member ("posting 2: title: missing"); MENTOR_ETOOBIG;
 * MENTOR_ENOMEM.  Defaults for what a foreign posting does not say, and
 * how schema.org properties are read, are in mentord-formats(5).
 */
int	jobposting_to_listings(const char *buf, size_t len, json_t **out,
	    char *err, size_t errlen);

#endif
