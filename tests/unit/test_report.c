/*
 * test_report.c: report.wbl (daemon/cmd_report.c) on a known data set
 * (tests/data/wbl/: 64 students and their placements) against the figures
 * tests/data/wbl/make.py computes independently: school years July to
 * June, completions by grade and cluster, confirmed hours, placements by
 * kind and employer, Perkins V 5S3, and cells under 10 suppressed.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "apps.h"
#include "cmd.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "student.h"
#include "util.h"

#define DATA	"tests/data/wbl/"

struct fixture {
	char		 tmp[64];
	struct node	*n;
};

static void
rm_tree(const char *path)
{
	char sub[512];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static int
load_fn(struct store_txn *t, void *arg)
{
	json_t *students = json_load_file(DATA "students.json", 0, NULL);
	json_t *apps = json_load_file(DATA "apps.json", 0, NULL), *s;
	uint8_t k[APPS_KEY_MAX], id[16];
	const char *sid;
	char *enc;
	size_t i;
	int rc = 0;

	(void)arg;
	if (students == NULL || apps == NULL)
		return MENTOR_EIO;
	json_array_foreach(students, i, s) {
		sid = json_string_value(json_object_get(s, "id"));
		enc = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
		rc = store_put(t, DB_STUDENTS, sid, strlen(sid), enc,
		    strlen(enc));
		free(enc);
		if (rc != 0)
			goto out;
	}
	json_array_foreach(apps, i, s) {
		if (hex_decode(id, 16, json_string_value(json_object_get(s,
		    "key"))) != 0) {
			rc = MENTOR_EINVAL;
			goto out;
		}
		if ((rc = apps_put_json(t, k, apps_aux_key(k, 's', id, 16),
		    json_object_get(s, "entry"))) != 0)
			goto out;
	}
out:
	json_decref(students);
	json_decref(apps);
	return rc;
}

static int
setup(void **state)
{
	struct fixture *f;
	char path[128], err[256];

	if (sodium_init() < 0 || (f = calloc(1, sizeof(*f))) == NULL ||
	    (f->n = calloc(1, sizeof(*f->n))) == NULL)
		return -1;
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_report.XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/store", f->tmp);
	if (store_open(&f->n->store, path, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	crypto_sign_keypair(f->n->sign_pk, f->n->sign_sk);
	f->n->conf.role = ROLE_SCHOOL;
	if (store_write(f->n->store, load_fn, NULL) != 0) {
		fprintf(stderr, "cannot load " DATA "\n");
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->n->store);
	rm_tree(f->tmp);
	free(f->n);
	free(f);
	return 0;
}

static int
run(struct fixture *f, enum cmd_who who, const char *args, json_t **result,
    char *err)
{
	struct msg_req req;
	struct cmd_ctx c;
	int rc;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	req.args = json_loads(args, 0, NULL);
	c.node = f->n;
	c.req = &req;
	c.who = who;
	c.student = who == CMD_WHO_STUDENT ? "W001" : NULL;
	rc = cmd_exec(&c, "report.wbl");
	strcpy(err, c.err);
	if (result)
		*result = c.result;
	else
		json_decref(c.result);
	free(c.out);
	json_decref(req.args);
	return rc;
}

/* same: r equals the expected file; on a difference, prints both. */
static void
same(json_t *r, const char *file)
{
	json_t *want = json_load_file(file, 0, NULL);
	char *a, *b;

	assert_non_null(want);
	if (!json_equal(r, want)) {
		a = json_dumps(r, JSON_SORT_KEYS | JSON_INDENT(1));
		b = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));
		fprintf(stderr, "got:\n%s\nwant (%s):\n%s\n", a, file, b);
		free(a);
		free(b);
	}
	assert_true(json_equal(r, want));
	json_decref(want);
}

static void
test_known_figures(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	json_t *r, *y;

	assert_int_equal(run(f, CMD_WHO_COORDINATOR, "{}", &r, err), 0);
	same(r, DATA "expected.json");
	/* A few figures spelled out, so that a wrong make.py shows too. */
	y = json_array_get(json_object_get(r, "years"), 0);
	assert_string_equal(json_string_value(json_object_get(y, "year")),
	    "2025-26");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(y,
	    "completed"), "count")), 39);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(y,
	    "hours"), "minutes")), 13560);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(y,
	    "perkins_5s3"), "count")), 20);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(y,
	    "perkins_5s3"), "total")), 32);
	/* Grade 12: 9 of 16 completed, a small cell: suppressed. */
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(y, "by_grade"), 3), "suppressed")));
	assert_null(json_object_get(json_array_get(json_object_get(y,
	    "by_grade"), 3), "count"));
	json_decref(r);
}

static void
test_period(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	json_t *r;

	assert_int_equal(run(f, CMD_WHO_COORDINATOR,
	    "{\"from\":\"2026-07-01\",\"to\":\"2027-06-30\"}", &r, err), 0);
	same(r, DATA "expected-2026.json");
	json_decref(r);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR,
	    "{\"from\":\"2030-01-01\"}", &r, err), 0);
	assert_int_equal(json_array_size(json_object_get(r, "years")), 0);
	json_decref(r);
}

static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];

	assert_int_equal(run(f, CMD_WHO_COORDINATOR, "{\"from\":\"2026-13-01\"}",
	    NULL, err), MENTOR_EINVAL);
	assert_non_null(strstr(err, "from: \"2026-13-01\" is not a date"));
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, "{\"from\":\"2027-01-01\","
	    "\"to\":\"2026-01-01\"}", NULL, err), MENTOR_EINVAL);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "{}", NULL, err),
	    MENTOR_EPERM);
	assert_int_equal(run(f, CMD_WHO_EMPLOYER, "{}", NULL, err),
	    MENTOR_EPERM);
}

/* The roster's concentrator column and the student field behind 5S3. */
static void
test_concentrator_column(void **state)
{
	const char *csv = "id,name,concentrator\nA1,Ana,yes\nA2,Ben,no\n"
	    "A3,Cy,\nA4,Di,X\n";
	char err[STUDENT_ERR_MAX];
	json_t *arr = NULL, *s;

	(void)state;
	assert_int_equal(student_parse_csv(csv, strlen(csv), &arr, err,
	    sizeof(err)), 0);
	assert_int_equal(json_array_size(arr), 4);
	assert_true(json_is_true(json_object_get(json_array_get(arr, 0),
	    "concentrator")));
	assert_true(json_is_false(json_object_get(json_array_get(arr, 1),
	    "concentrator")));
	assert_null(json_object_get(json_array_get(arr, 2), "concentrator"));
	assert_true(json_is_true(json_object_get(json_array_get(arr, 3),
	    "concentrator")));
	json_decref(arr);
	csv = "id,name,cte_concentrator\nA1,Ana,maybe\n";
	assert_int_equal(student_parse_csv(csv, strlen(csv), &arr, err,
	    sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "must be yes or no"));
	/* The JSON form takes a boolean only. */
	s = json_loads("{\"id\":\"A1\",\"name\":\"Ana\","
	    "\"concentrator\":\"yes\"}", 0, NULL);
	assert_int_equal(student_parse(s, &arr, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_string_equal(err, "concentrator: must be true or false");
	json_decref(s);
	s = json_loads("{\"id\":\"A1\",\"name\":\"Ana\","
	    "\"concentrator\":true}", 0, NULL);
	assert_int_equal(student_parse(s, &arr, err, sizeof(err)), 0);
	assert_true(json_is_true(json_object_get(arr, "concentrator")));
	json_decref(arr);
	json_decref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_figures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_period, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test(test_concentrator_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
