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

#include "ctl.h"

#define STUDENT_FILE_MAX	(16u << 20)

/* format_of: "csv" or "json", by --format, the file name, or content. */
static const char *
format_of(const char *opt, const char *path, const char *buf)
{
	size_t n = strlen(path);

	if (opt)
		return opt;
	if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
		return "csv";
	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		return "json";
	buf += strspn(buf, " \t\r\n");
	return *buf == '[' ? "json" : "csv";
}

static int
student_import(struct ctl *c, const struct ctl_args *a)
{
	const char *fmt;
	json_t *r;
	char *buf;
	size_t len;
	int rc;

	if (a->opt[0] && strcmp(a->opt[0], "csv") != 0 &&
	    strcmp(a->opt[0], "json") != 0)
		return ctl_err(EX_USAGE, "student import: --format: csv or "
		    "json");
	if ((rc = ctl_read_file(a->argv[0], STUDENT_FILE_MAX, &buf,
	    &len)) != 0)
		return rc;
	fmt = format_of(a->opt[0], a->argv[0], buf);
	rc = ctl_call(c, "student.import", json_pack("{s:s}", "format", fmt),
	    (const uint8_t *)buf, len, &r, NULL, NULL);
	free(buf);
	if (rc != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("imported %lld students (%lld new, %lld updated)\n",
		    (long long)json_integer_value(json_object_get(r,
		    "imported")),
		    (long long)json_integer_value(json_object_get(r,
		    "created")),
		    (long long)json_integer_value(json_object_get(r,
		    "updated")));
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
		printf("%zu student%s\n", json_array_size(r),
		    json_array_size(r) == 1 ? "" : "s");
	}
	json_decref(r);
	return EX_OK;
}

static int
student_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *v, *goals;
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
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("\n%-16s", "goal jobs:");
	json_array_foreach(json_object_get(goals, "occupations"), i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("\ncompetencies:\n");
	json_object_foreach(json_object_get(r, "competencies"), k, v)
		printf("  %-20s level %lld\n", k,
		    (long long)json_integer_value(v));
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
			printf("revoked %lld key(s) of %s\n", (long long)
			    json_integer_value(json_object_get(r, "revoked")),
			    a->argv[0]);
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
	{ "student import", student_import, 1, 1, { "format=", NULL },
	  "FILE [--format csv|json]",
	  "Imports students from a JSON array or a CSV file (by extension, "
	  "else by content).  All or nothing: one bad row imports nothing, "
	  "and the error names the line (or item) and the field.  A student "
	  "whose id exists is replaced." },
	{ "student list", student_list, 0, 0, { NULL }, "",
	  "Lists the students on this node." },
	{ "student show", student_show, 1, 1, { NULL }, "ID",
	  "Shows one student's profile." },
	{ "student delete", student_delete, 1, 1, { NULL }, "ID",
	  "Deletes a student and every record of them from the store." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
