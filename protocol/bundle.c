/*
 * bundle.c: OneRoster bundles as zip archives in memory (bundle.h), with
 * libzip reading from and writing to buffers: no temporary files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zip.h>

#include "bundle.h"
#include "mentor.h"
#include "oneroster.h"

static const char *const wanted[] = { "manifest.csv", "users.csv",
    "roles.csv", "demographics.csv", "orgs.csv" };
#define NWANTED	(sizeof(wanted) / sizeof(wanted[0]))

/* bad: a batch holding one error about the bundle itself. */
static int
bad(struct student_batch *out, const char *fmt, const char *arg)
{
	struct student_roster *r;
	int rc;

	if ((rc = student_roster_new(&r, NULL, 0)) != 0)
		return rc;
	rc = student_roster_error(r, "bundle", 0, NULL, NULL, 0, fmt, arg);
	if (rc == 0)
		rc = student_roster_finish(r, out);
	student_roster_free(r);
	return rc;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
oneroster_read(const uint8_t *buf, size_t len,
    const struct student_resolver *res, int32_t today,
    struct student_batch *out)
{
	struct oneroster_file files[NWANTED];
	char *data[NWANTED] = { NULL };
	zip_source_t *src;
	zip_error_t ze;
	zip_file_t *zf;
	zip_stat_t st;
	zip_t *za;
	zip_int64_t n, i, got;
	const char *name;
	size_t k, nfiles = 0;
	zip_uint64_t total = 0;
	int rc = 0;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(buf, len, 0, &ze)) == NULL) {
		zip_error_fini(&ze);
		return MENTOR_ENOMEM;
	}
	if ((za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		zip_source_free(src);
		rc = bad(out, "not a zip archive (%s)", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	n = zip_get_num_entries(za, 0);
	if (n > BUNDLE_ENTRIES_MAX) {
		rc = bad(out, "%s", "more than 4096 entries in the archive");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((name = zip_get_name(za, (zip_uint64_t)i, 0)) == NULL)
			continue;
		for (k = 0; k < NWANTED; k++)
			if (strcasecmp(base_name(name), wanted[k]) == 0)
				break;
		if (k == NWANTED || strncmp(name, "__MACOSX/", 9) == 0)
			continue;
		if (data[k] != NULL) {
			rc = bad(out, "two files named %s in the archive",
			    wanted[k]);
			goto out;
		}
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 ||
		    !(st.valid & ZIP_STAT_SIZE)) {
			rc = bad(out, "%s: cannot be read", wanted[k]);
			goto out;
		}
		if (st.size > BUNDLE_FILE_MAX) {
			rc = bad(out, "%s: over 64 MiB", wanted[k]);
			goto out;
		}
		if ((total += st.size) > BUNDLE_TOTAL_MAX) {
			rc = bad(out, "%s", "the files add up to over 128 MiB");
			goto out;
		}
		if ((data[k] = malloc(st.size + 1)) == NULL) {
			rc = MENTOR_ENOMEM;
			goto out;
		}
		if ((zf = zip_fopen_index(za, (zip_uint64_t)i, 0)) == NULL) {
			rc = bad(out, "%s: cannot be read (encrypted, or an "
			    "unknown compression)", wanted[k]);
			goto out;
		}
		got = zip_fread(zf, data[k], st.size);
		zip_fclose(zf);
		if (got < 0 || (zip_uint64_t)got != st.size) {
			rc = bad(out, "%s: damaged in the archive", wanted[k]);
			goto out;
		}
		files[nfiles].name = wanted[k];
		files[nfiles].data = data[k];
		files[nfiles].len = st.size;
		nfiles++;
	}
	rc = oneroster_parse(files, nfiles, res, today, out);
out:
	zip_discard(za);
	for (k = 0; k < NWANTED; k++)
		free(data[k]);
	return rc;
}

int
bundle_zip(const char *const *names, const char *const *data,
    const size_t *lens, size_t n, uint8_t **out, size_t *outlen)
{
	zip_source_t *src, *fs;
	zip_error_t ze;
	zip_stat_t st;
	zip_t *za;
	size_t i;
	int rc = MENTOR_EIO;

	*out = NULL;
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL) {
		zip_error_fini(&ze);
		return MENTOR_ENOMEM;
	}
	zip_source_keep(src);	/* it outlives the archive: the output */
	if ((za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL) {
		zip_error_fini(&ze);
		zip_source_free(src);
		zip_source_free(src);
		return MENTOR_EIO;
	}
	zip_error_fini(&ze);
	for (i = 0; i < n; i++) {
		if ((fs = zip_source_buffer(za, data[i], lens[i], 0)) == NULL)
			goto fail;
		if (zip_file_add(za, names[i], fs, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(fs);
			goto fail;
		}
	}
	if (zip_close(za) != 0)
		goto fail;
	za = NULL;
	if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
		goto done;
	if ((*out = malloc(st.size > 0 ? st.size : 1)) == NULL) {
		rc = MENTOR_ENOMEM;
		zip_source_close(src);
		goto done;
	}
	if (zip_source_read(src, *out, st.size) == (zip_int64_t)st.size) {
		*outlen = st.size;
		rc = 0;
	} else {
		free(*out);
		*out = NULL;
	}
	zip_source_close(src);
	goto done;
fail:
	zip_discard(za);
done:
	zip_source_free(src);
	return rc;
}
