/*
 * oneroster.h: students from a 1EdTech OneRoster 1.1 or 1.2 CSV bundle,
 * read into the roster rules of student.h.  Pure: the caller hands over
 * the files' contents (from a directory or a zip: daemon/bundle.h).
 *
 * Mapping (files are found by name; columns by header name, any order):
 *   manifest.csv	 oneroster.version (1.1 or 1.2; guessed from users.csv
 *			 when absent) and file.users etc.: bulk, delta or
 *			 absent
 *   users.csv		 students only: 1.1 role = student; 1.2 a roles.csv
 *			 row with role = student.  id = sourcedId; name =
 *			 preferredGivenName or givenName, then
 *			 preferredFamilyName or familyName; grade = the
 *			 highest of grades (KG -> 0, 01..13; PK, TK and the
 *			 like -> none, with a warning); status tobedeleted
 *			 -> the student is deleted; of several rows for one
 *			 sourcedId the latest dateLastModified wins
 *   roles.csv		 (1.2) userSourcedId, role, roleType, orgSourcedId
 *   demographics.csv	 birthDate by sourcedId (a student without one is
 *			 imported with a warning: a minor of unknown age)
 *   orgs.csv		 school = name of the student's org: 1.2
 *			 primaryOrgSourcedId, else the primary role's org;
 *			 1.1 the first of orgSourcedIds that is a school
 * A delta bundle changes only what it holds: fields it does not carry are
 * kept on file.
 */
#ifndef MENTOR_ONEROSTER_H
#define MENTOR_ONEROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "student.h"

#define ONEROSTER_FILES_MAX	32

struct oneroster_file {
	const char	*name;		/* "users.csv" (a path's last part) */
	const char	*data;
	size_t		 len;
};

/*
 * oneroster_parse: reads the bundle's n files into *out (see
 * student_roster_csv: every error with its file, line and column; the
 * caller stores nothing unless out->error_count is 0).  Files other than
 * those above are ignored.  Returns 0 (out set; clear it with
 * student_batch_clear) or MENTOR_ENOMEM.
 */
int	oneroster_parse(const struct oneroster_file *files, size_t n,
	    const struct student_resolver *res, int32_t today,
	    struct student_batch *out);

#endif
