/*
 * cmd_student.c: student import/list/show/delete.  The file is sent to
 * the node as it is; the node validates it (all or nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <pthread.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "bundle.h"
#include "ctl.h"

#define STUDENT_FILE_MAX	(16u << 20)
#ifndef MAP_POPULATE
#define MAP_POPULATE	0	/* Linux's: the pages mapped at once */
#endif

/* The files of a OneRoster bundle that a directory's import sends. */
static const char *const bundle_files[] = { "manifest.csv", "users.csv",
    "roles.csv", "demographics.csv", "orgs.csv" };
#define NBUNDLE	(sizeof(bundle_files) / sizeof(bundle_files[0]))

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcasecmp(s + n - k, suffix) == 0;
}

/* format_of: by --format, a directory or .zip, the file name, content
 * (len bytes at buf). */
static const char *
format_of(const char *opt, const char *path, const char *buf, size_t len,
    int isdir)
{
	size_t i;

	if (opt)
		return opt;
	if (isdir || ends_with(path, ".zip"))
		return "oneroster";
	if (ends_with(path, ".csv"))
		return "csv";
	if (ends_with(path, ".json"))
		return "json";
	for (i = 0; i < len && strchr(" \t\r\n", buf[i]) != NULL &&
	    buf[i] != '\0'; i++)
		;
	return i < len && buf[i] == '[' ? "json" : "csv";
}

/*
 * map_file: a regular file mapped whole (*map set, unmap with munmap),
 * for it is sent as it is: no copy read into fresh memory first.  Other
 * files (a pipe, "-") are read; *map is then NULL and *buf malloc'd.
 */
static int
map_file(const char *path, char **buf, size_t *len, void **map)
{
	struct stat st;
	void *p;
	int fd;

	*map = NULL;
	if (strcmp(path, "-") == 0 || (fd = open(path, O_RDONLY)) == -1)
		return ctl_read_file(path, STUDENT_FILE_MAX, buf, len);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return ctl_read_file(path, STUDENT_FILE_MAX, buf, len);
	}
	if ((uintmax_t)st.st_size > STUDENT_FILE_MAX) {
		close(fd);
		return ctl_err(EX_FAIL, "%s: larger than %u bytes", path,
		    STUDENT_FILE_MAX);
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE |
	    MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return ctl_read_file(path, STUDENT_FILE_MAX, buf, len);
	*map = p;
	*buf = p;
	*len = (size_t)st.st_size;
	return EX_OK;
}

/* unmap: a mapped file zmq is done with (ctl_call_handed); hint is its
 * length. */
static void
unmap(void *data, void *hint)
{
	munmap(data, (size_t)(uintptr_t)hint);
}

/* read_bundle: the OneRoster files of directory dir, as one zip. */
static int
read_bundle(const char *dir, char **out, size_t *outlen)
{
	char path[4096], *data[NBUNDLE] = { NULL };
	const char *names[NBUNDLE], *cdata[NBUNDLE];
	size_t lens[NBUNDLE], i, n = 0;
	uint8_t *zip = NULL;
	int rc = EX_OK;

	for (i = 0; i < NBUNDLE; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, bundle_files[i]);
		if (access(path, R_OK) != 0)
			continue;
		if ((rc = ctl_read_file(path, STUDENT_FILE_MAX, &data[n],
		    &lens[n])) != EX_OK)
			goto out;
		names[n] = bundle_files[i];
		cdata[n] = data[n];
		n++;
	}
	if (n == 0) {
		rc = ctl_err(EX_FAIL, "%s: no OneRoster files (users.csv, "
		    "demographics.csv, orgs.csv, manifest.csv)", dir);
		goto out;
	}
	if (bundle_zip(names, cdata, lens, n, &zip, outlen) != 0) {
		rc = ctl_err(EX_FAIL, "%s: cannot pack the files", dir);
		goto out;
	}
	*out = (char *)zip;
out:
	for (i = 0; i < n; i++)
		free(data[i]);
	return rc;
}

/* Progress while the node works: elapsed seconds on a terminal. */
struct progress {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 done, shown;
	const char	*what;
	int		 dry;
	size_t		 rows;
	size_t		 bytes;
};

static void *
progress_run(void *arg)
{
	struct progress *p = arg;
	struct timespec until;
	time_t t0 = time(NULL);

	pthread_mutex_lock(&p->mu);
	while (!p->done) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&p->cv, &p->mu, &until);
		if (p->done || time(NULL) - t0 < 2)
			continue;
		fprintf(stderr, "\rmentorctl: importing %s (about %zu rows, "
		    "%.1f MB): the node is checking%s, %lds ", p->what,
		    p->rows, p->bytes / 1e6, p->dry ? "" : " and storing",
		    (long)(time(NULL) - t0));
		p->shown = 1;
	}
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* print_warnings: each warning once, with its count and first lines. */
static void
print_warnings(const json_t *ws)
{
	const json_t *w, *l;
	size_t i, j;
	json_int_t count;

	json_array_foreach(ws, i, w) {
		count = json_integer_value(json_object_get(w, "count"));
		fprintf(stderr, "mentorctl: warning: ");
		if (json_is_string(json_object_get(w, "file")))
			fprintf(stderr, "%s ", ctl_str(w, "file"));
		if (json_array_size(json_object_get(w, "lines")) > 0) {
			fprintf(stderr, "line%s ", count > 1 ? "s" : "");
			json_array_foreach(json_object_get(w, "lines"), j, l)
				fprintf(stderr, "%s%lld", j ? ", " : "",
				    (long long)json_integer_value(l));
			if ((size_t)count > json_array_size(json_object_get(w,
			    "lines")))
				fprintf(stderr, " and %lld more",
				    (long long)count - (long long)
				    json_array_size(json_object_get(w,
				    "lines")));
			fprintf(stderr, ": ");
		} else if (count > 1)
			fprintf(stderr, "(%lld times) ", (long long)count);
		fprintf(stderr, "%s\n", ctl_str(w, "message"));
	}
}

/* print_errors: every error the node listed, one a line. */
static void
print_errors(const json_t *d)
{
	const json_t *e, *errs = json_object_get(d, "errors");
	json_int_t total = json_integer_value(json_object_get(d,
	    "error_count"));
	size_t i;

	json_array_foreach(errs, i, e) {
		fprintf(stderr, "  ");
		if (json_is_string(json_object_get(e, "file")))
			fprintf(stderr, "%s ", ctl_str(e, "file"));
		if (json_integer_value(json_object_get(e, "line")) > 0)
			fprintf(stderr, "line %lld: ", (long long)
			    json_integer_value(json_object_get(e, "line")));
		if (ctl_str(e, "column")[0])
			fprintf(stderr, "%s: ", ctl_str(e, "column"));
		fprintf(stderr, "%s", ctl_str(e, "message"));
		if (ctl_str(e, "value")[0])
			fprintf(stderr, " (was \"%s\")", ctl_str(e, "value"));
		fputc('\n', stderr);
	}
	if ((size_t)total > json_array_size(errs))
		fprintf(stderr, "  ... and %lld more errors\n", (long long)total -
		    (long long)json_array_size(errs));
}

static void
print_ids(const char *label, const json_t *ids, json_int_t count)
{
	const json_t *v;
	size_t i;

	if (count == 0)
		return;
	printf("  %s (%lld):", label, (long long)count);
	json_array_foreach(ids, i, v) {
		if (i == 20) {
			printf(" ...");
			break;
		}
		printf(" %s", json_string_value(v));
	}
	printf("\n");
}

static int
student_import(struct ctl *c, const struct ctl_args *a)
{
	struct progress p;
	pthread_t th;
	struct stat st;
	const char *fmt;
	json_t *r, *ids;
	char *buf = NULL;
	void *map = NULL;
	size_t len, i;
	int rc, isdir, dry = a->opt[1] != NULL, thr = 0;

	if (a->opt[0] && strcmp(a->opt[0], "csv") != 0 &&
	    strcmp(a->opt[0], "json") != 0 &&
	    strcmp(a->opt[0], "oneroster") != 0)
		return ctl_err(EX_USAGE, "student import: --format: csv, json "
		    "or oneroster");
	isdir = stat(a->argv[0], &st) == 0 && S_ISDIR(st.st_mode);
	if (isdir)
		rc = read_bundle(a->argv[0], &buf, &len);
	else
		rc = map_file(a->argv[0], &buf, &len, &map);
	if (rc != EX_OK)
		return rc;
	fmt = format_of(a->opt[0], a->argv[0], buf, len, isdir);
	memset(&p, 0, sizeof(p));
	if (!c->json && isatty(STDERR_FILENO)) {
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.cv, NULL);
		p.what = a->argv[0];
		p.bytes = len;
		for (i = 0; i < len && !isdir; i++)
			p.rows += buf[i] == '\n';
		p.rows -= p.rows > 0;	/* the header */
		p.dry = dry;
		thr = pthread_create(&th, NULL, progress_run, &p) == 0;
	}
	/* A mapped file is sent from the map (zmq unmaps it when sent): no
	 * copy of megabytes into a message first. */
	if (map != NULL)
		rc = ctl_call_handed(c, "student.import", json_pack("{s:s,s:b}",
		    "format", fmt, "dry_run", dry), map, len, unmap,
		    (void *)(uintptr_t)len, &r);
	else
		rc = ctl_call(c, "student.import", json_pack("{s:s,s:b}",
		    "format", fmt, "dry_run", dry), (const uint8_t *)buf, len,
		    &r, NULL, NULL);
	if (thr) {
		pthread_mutex_lock(&p.mu);
		p.done = 1;
		pthread_cond_signal(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(th, NULL);
	}
	if (map == NULL)	/* else zmq's now, and unmapped by it */
		free(buf);
	if (rc != EX_OK) {
		if (c->details != NULL && c->json)
			ctl_print_json(c->details);
		else if (c->details != NULL) {
			print_errors(c->details);
			print_warnings(json_object_get(c->details, "warnings"));
		}
		return rc;
	}
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	print_warnings(json_object_get(r, "warnings"));
	printf("%s %lld students (%lld new, %lld updated, %lld unchanged), "
	    "%lld deleted\n", dry ? "dry run: would import" : "imported",
	    (long long)json_integer_value(json_object_get(r, "imported")),
	    (long long)json_integer_value(json_object_get(r, "created")),
	    (long long)json_integer_value(json_object_get(r, "updated")),
	    (long long)json_integer_value(json_object_get(r, "unchanged")),
	    (long long)json_integer_value(json_object_get(r, "deleted")));
	if (dry) {
		ids = json_object_get(r, "ids");
		print_ids("new", json_object_get(ids, "created"),
		    json_integer_value(json_object_get(r, "created")));
		print_ids("updated", json_object_get(ids, "updated"),
		    json_integer_value(json_object_get(r, "updated")));
		print_ids("deleted", json_object_get(ids, "deleted"),
		    json_integer_value(json_object_get(r, "deleted")));
	}
	json_decref(r);
	return EX_OK;
}

static int
student_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "student.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else {
		if (json_array_size(r) > 0)
			printf("%-12s  %-5s  %s\n", "ID", "GRADE", "NAME");
		json_array_foreach(r, i, e) {
			json_t *g = json_object_get(e, "grade");
			char grade[24] = "-";

			if (json_is_integer(g))
				snprintf(grade, sizeof(grade), "%lld",
				    (long long)json_integer_value(g));
			printf("%-12s  %-5s  %s\n", ctl_str(e, "id"), grade,
			    ctl_str(e, "name"));
		}
		printf("%zu %s\n", json_array_size(r), ctl_plural((long long)
		    json_array_size(r), "student", "students"));
	}
	json_decref(r);
	return EX_OK;
}

static int
student_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *v, *goals, *nm;
	const char *k;
	size_t i;
	int rc;

	if ((rc = ctl_call(c, "student.show", json_pack("{s:s}", "id",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	nm = ctl_names(c, r);
	printf("%-16s%s\n", "id:", ctl_str(r, "id"));
	printf("%-16s%s\n", "name:", ctl_str(r, "name"));
	printf("%-16s%s\n", "birth date:", ctl_str(r, "birth_date"));
	if ((v = json_object_get(r, "grade")) != NULL)
		printf("%-16s%lld\n", "grade:",
		    (long long)json_integer_value(v));
	if ((v = json_object_get(r, "location")) != NULL)
		printf("%-16s%.4f, %.4f (within %g km)\n", "location:",
		    json_number_value(json_object_get(v, "lat")),
		    json_number_value(json_object_get(v, "lon")),
		    json_number_value(json_object_get(r, "max_distance_km")));
	printf("%-16s", "modality:");
	json_array_foreach(json_object_get(r, "modality"), i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("\n");
	goals = json_object_get(r, "goals");
	printf("%-16s", "goal clusters:");
	json_array_foreach(json_object_get(goals, "clusters"), i, v)
		printf("%s%s", i ? ", " : "", ctl_name(nm,
		    json_string_value(v)));
	printf("\n%-16s", "goal jobs:");
	json_array_foreach(json_object_get(goals, "occupations"), i, v)
		printf("%s%s", i ? ", " : "", ctl_name(nm,
		    json_string_value(v)));
	printf("\ncompetencies:\n");
	json_object_foreach(json_object_get(r, "competencies"), k, v)
		printf("  %-32s level %lld\n", ctl_name(nm, k),
		    (long long)json_integer_value(v));
	if (json_object_size(json_object_get(r, "evidence")) > 0)
		printf("evidence:\n");
	json_object_foreach(json_object_get(r, "evidence"), k, v) {
		json_t *e;

		printf("  %s\n", ctl_name(nm, k));
		json_array_foreach(v, i, e)
			printf("    %s: %s evaluation by %s, %s, %s\n",
			    ctl_level_word(json_integer_value(
			    json_object_get(e, "level"))), ctl_str(e, "stage"),
			    ctl_str(json_object_get(e, "assessor"), "name"),
			    ctl_str(json_object_get(e, "assessor"),
			    "organization"), ctl_str(e, "date"));
	}
	json_decref(nm);
	json_decref(r);
	return EX_OK;
}

static int
student_delete(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "student.delete", json_pack("{s:s}", "id",
	    a->argv[0]), "deleted student", "id");
}

static int
student_key(struct ctl *c, const struct ctl_args *a)
{
	char path[4096];
	json_t *r;
	FILE *f;
	int rc, fd;

	if (a->opt[1]) {
		if ((rc = ctl_call(c, "student.key.revoke", json_pack("{s:s}",
		    "student", a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
			return rc;
		if (c->json)
			ctl_print_json(r);
		else
			printf("revoked %lld %s of %s\n", (long long)
			    json_integer_value(json_object_get(r, "revoked")),
			    ctl_plural(json_integer_value(json_object_get(r,
			    "revoked")), "key", "keys"), a->argv[0]);
		json_decref(r);
		return EX_OK;
	}
	snprintf(path, sizeof(path), "%s", a->opt[0] ? a->opt[0] : "");
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "%s.mentorkey", a->argv[0]);
	/* Made before the key exists, so a key is never issued unwritten. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return ctl_err(EX_FAIL, "%s: %s", path, strerror(errno));
	if ((rc = ctl_call(c, "student.key", json_pack("{s:s}", "student",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK) {
		close(fd);
		unlink(path);
		return rc;
	}
	f = fdopen(fd, "w");
	fprintf(f, "# mentord student key for %s: keep it secret.\n"
	    "# Use: mentorctl --key %s [--connect ENDPOINT] match %s\n"
	    "student = %s\nendpoint = %s\nserver_key = %s\n"
	    "public_key = %s\nsecret_key = %s\n", ctl_str(r, "student"), path,
	    ctl_str(r, "student"), ctl_str(r, "student"), ctl_str(r, "endpoint"),
	    ctl_str(r, "server_key"), ctl_str(r, "public_key"), ctl_str(r, "secret_key"));
	if (fclose(f) != 0) {
		unlink(path);
		json_decref(r);
		return ctl_err(EX_FAIL, "%s: %s", path, strerror(errno));
	}
	if (c->json) {
		json_object_del(r, "secret_key");
		json_object_set_new(r, "file", json_string(path));
		ctl_print_json(r);
	} else
		printf("wrote the key of %s to %s (give it to the student; "
		    "revoke with --revoke)\n", a->argv[0], path);
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_student_cmds[] = {
	{ "student key", student_key, 1, 1, { "out=", "revoke", NULL },
	  "STUDENT [--out FILE] | STUDENT --revoke",
	  "Issues a CURVE key bound to STUDENT and writes it to FILE "
	  "(default STUDENT.mentorkey, mode 0600).  With it, the student's "
	  "own mentorctl (--key FILE) reaches the school's student socket "
	  "([api] student_listen) and may only see their own profile, run "
	  "match for themselves, apply, and see their own applications.  "
	  "--revoke cuts every key of the student at once." },
	{ "student import", student_import, 1, 1, { "format=", "dry-run",
	  NULL },
	  "FILE|DIR [--format csv|json|oneroster] [--dry-run]",
	  "Imports students from a CSV roster (RFC 4180: quoted fields, "
	  "columns by header name in any order), a JSON array, or a "
	  "OneRoster 1.1/1.2 CSV bundle (a directory or a .zip).  All or "
	  "nothing: every error of the file is listed (line, column, value, "
	  "what is allowed) and nothing is stored.  A student whose id "
	  "exists is updated in place: columns the file lacks keep their "
	  "values, and consents, applications and keys stay.  A row with "
	  "action=delete (OneRoster: status tobedeleted) deletes the "
	  "student.  --dry-run reports what would change (new, updated, "
	  "unchanged, deleted, with ids) and stores nothing." },
	{ "student list", student_list, 0, 0, { NULL }, "",
	  "Lists the students on this node." },
	{ "student show", student_show, 1, 1, { NULL }, "ID",
	  "Shows one student's profile." },
	{ "student delete", student_delete, 1, 1, { NULL }, "ID",
	  "Deletes a student and every record of them from the store." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
