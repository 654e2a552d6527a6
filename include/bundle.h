/*
 * bundle.h: a OneRoster CSV bundle as mentorctl sends it, a zip archive
 * in memory (libzip), read into students (oneroster.h).  Only the files
 * OneRoster rosters need are extracted, each within a size limit, so a
 * zip bomb costs nothing but an error.
 */
#ifndef MENTOR_BUNDLE_H
#define MENTOR_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "student.h"

#define BUNDLE_FILE_MAX		(64u << 20)	/* bytes of one file */
#define BUNDLE_TOTAL_MAX	(128u << 20)	/* bytes of all of them */
#define BUNDLE_ENTRIES_MAX	4096		/* entries in the zip */

/*
 * oneroster_read: reads the zip archive of len bytes at buf (files may
 * sit in one folder) and its OneRoster files into *out, as
 * oneroster_parse does; a broken archive is an error in out->errors
 * ("bundle: not a zip archive").  Returns 0 (out set; clear it with
 * student_batch_clear) or MENTOR_ENOMEM.
 */
int	oneroster_read(const uint8_t *buf, size_t len,
	    const struct student_resolver *res, int32_t today,
	    struct student_batch *out);

/*
 * bundle_zip: a zip archive (stored, not compressed) of the n files
 * names[i] with contents data[i], lens[i], for mentorctl to send a
 * directory.  *out is malloc'd, owned by the caller.  Returns 0,
 * MENTOR_ENOMEM or MENTOR_EIO (libzip failed).
 */
int	bundle_zip(const char *const *names, const char *const *data,
	    const size_t *lens, size_t n, uint8_t **out, size_t *outlen);

#endif
