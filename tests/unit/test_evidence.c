/*
 * test_evidence.c: evaluations and evidence on a school node
 * (daemon/evidence.c, daemon/cmd_evidence.c) over a real store in a
 * temporary directory: an evaluation is kept, listed and shown, applying
 * it changes the stored levels that matching reads and records the
 * evidence and an audit entry, a node set to apply raises does so on
 * receipt, students see only their own, and deleting a student removes
 * it all.
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
#include "credential.h"
#include "cmd.h"
#include "evidence.h"
#include "mentor.h"
#include "node.h"
#include "placement.h"
#include "store.h"
#include "students.h"
#include "util.h"

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
setup(void **state)
{
	struct fixture *f;
	char path[128], err[256];

	if (sodium_init() < 0 || (f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if ((f->n = calloc(1, sizeof(*f->n))) == NULL)
		return -1;
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_evidence.XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/store", f->tmp);
	if (store_open(&f->n->store, path, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	crypto_sign_keypair(f->n->sign_pk, f->n->sign_sk);
	f->n->conf.role = ROLE_SCHOOL;
	snprintf(f->n->conf.name, sizeof(f->n->conf.name), "Lincoln High");
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

struct put_arg {
	const char	*id, *json;
};

static int
put_fn(struct store_txn *t, void *arg)
{
	struct put_arg *p = arg;

	return store_put(t, DB_STUDENTS, p->id, strlen(p->id), p->json,
	    strlen(p->json));
}

/* put_student: a normalized student as student import stores it. */
static void
put_student(struct fixture *f, const char *id, const char *comps)
{
	char buf[1024];
	struct put_arg p = { id, buf };

	snprintf(buf, sizeof(buf), "{\"competencies\":%s,\"goals\":"
	    "{\"clusters\":[],\"occupations\":[]},\"id\":\"%s\","
	    "\"max_distance_km\":50,\"modality\":[\"in_person\",\"virtual\","
	    "\"hybrid\"],\"name\":\"Student %s\"}", comps, id, id);
	assert_int_equal(store_write(f->n->store, put_fn, &p), 0);
}

/* eval: an evaluation plaintext (SPEC 13.9) rating two competencies. */
static int
receive(struct fixture *f, const char *student, const char *evid,
    int m, int h, char *err)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "{\"application\":"
	    "\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b\",\"assessor\":{\"name\":"
	    "\"Dana Kowalski\",\"organization\":\"Lakeshore Metal "
	    "Fabricators\"},\"created\":1798000000000,\"evaluation\":\"%s\","
	    "\"id\":\"00112233445566778899aabbccddee04\",\"listing\":"
	    "\"1a42b1ff8960499fe35878c1bfae6e7b\",\"ratings\":[{\"competency\":"
	    "\"onet:2.B.3.m\",\"level\":%d,\"comment\":\"Checks every weld.\"},"
	    "{\"competency\":\"onet:2.B.3.h\",\"level\":%d}],\"stage\":"
	    "\"final\",\"type\":\"evaluation\",\"v\":1}", evid, m, h);
	return evidence_receive_plain(f->n, student, (const uint8_t *)buf,
	    strlen(buf), err, 256);
}

static int
run(struct fixture *f, enum cmd_who who, const char *student,
    const char *name, const char *args, json_t **result, char *err)
{
	struct msg_req req;
	struct cmd_ctx c;
	int rc;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	req.args = json_loads(args, 0, NULL);
	assert_non_null(req.args);
	c.node = f->n;
	c.req = &req;
	c.who = who;
	c.student = student;
	c.user = who == CMD_WHO_COORDINATOR ? "pat" : NULL;
	rc = cmd_exec(&c, name);
	if (err)
		strcpy(err, c.err);
	if (result)
		*result = c.result;
	else
		json_decref(c.result);
	free(c.out);
	json_decref(req.args);
	return rc;
}

static long long
level_of(struct fixture *f, const char *student, const char *comp)
{
	json_t *s, *v;
	long long l;

	assert_int_equal(student_load(f->n, student, &s), 0);
	v = json_object_get(json_object_get(s, "competencies"), comp);
	l = v ? (long long)json_integer_value(v) : -1;
	json_decref(s);
	return l;
}

#define EV1 "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define EV2 "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"

static void
test_receive_and_apply(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	json_t *r, *e, *a;
	size_t i;
	int found = 0;

	put_student(f, "S1", "{\"onet:2.B.3.m\":1}");
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), 0);
	/* Kept, not applied: the levels are as they were. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.list",
	    "{}", &r, err), 0);
	assert_int_equal(json_array_size(r), 1);
	e = json_array_get(r, 0);
	assert_string_equal(json_string_value(json_object_get(e,
	    "evaluation")), EV1);
	assert_string_equal(json_string_value(json_object_get(e, "student")),
	    "S1");
	assert_true(json_is_null(json_object_get(e, "applied")));
	assert_int_equal(json_integer_value(json_object_get(e, "ratings")), 2);
	json_decref(r);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.m"), 1);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.h"), -1);

	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.show",
	    "{\"id\":\"" EV1 "\"}", &r, err), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "ratings"), 0), "comment")),
	    "Checks every weld.");
	json_decref(r);

	/* Applied: both levels change, matching's copy at once. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.apply",
	    "{\"id\":\"" EV1 "\"}", &r, err), 0);
	assert_int_equal(json_array_size(json_object_get(r, "changes")), 2);
	e = json_array_get(json_object_get(r, "changes"), 0);
	assert_string_equal(json_string_value(json_object_get(e,
	    "competency")), "onet:2.B.3.m");
	assert_int_equal(json_integer_value(json_object_get(e, "from")), 1);
	assert_int_equal(json_integer_value(json_object_get(e, "to")), 3);
	json_decref(r);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.m"), 3);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.h"), 2);

	/* student.show carries the evidence. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "student.show",
	    "{\"id\":\"S1\"}", &r, err), 0);
	e = json_array_get(json_object_get(json_object_get(r, "evidence"),
	    "onet:2.B.3.m"), 0);
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "level")), 3);
	assert_string_equal(json_string_value(json_object_get(e,
	    "evaluation")), EV1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    e, "assessor"), "organization")), "Lakeshore Metal Fabricators");
	assert_string_equal(json_string_value(json_object_get(e, "date")),
	    "2026-12-23");
	assert_string_equal(json_string_value(json_object_get(e, "stage")),
	    "final");
	assert_string_equal(json_string_value(json_object_get(e,
	    "application")), "7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b");
	json_decref(r);

	/* The audit log says who applied what, pseudonymously. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "audit.list", "{}",
	    &r, err), 0);
	a = json_is_array(r) ? r : json_object_get(r, "entries");
	json_array_foreach(a, i, e)
		if (json_string_value(json_object_get(e, "action")) &&
		    strcmp(json_string_value(json_object_get(e, "action")),
		    "evaluation-applied") == 0) {
			found = 1;
			assert_string_equal(json_string_value(json_object_get(
			    e, "evaluation")), EV1);
			assert_string_equal(json_string_value(json_object_get(
			    e, "by")), "coordinator pat");
			assert_string_not_equal(json_string_value(
			    json_object_get(e, "student")), "S1");
			assert_int_equal(json_array_size(json_object_get(e,
			    "competencies")), 2);
		}
	json_decref(r);
	assert_true(found);

	/* Once only. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.apply",
	    "{\"id\":\"" EV1 "\"}", NULL, err), MENTOR_EEXIST);
	assert_non_null(strstr(err, "already applied"));
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.apply",
	    "{\"id\":\"" EV2 "\"}", NULL, err), MENTOR_ENOTFOUND);
	assert_non_null(strstr(err, "no evaluation " EV2));
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.apply",
	    "{\"id\":\"xyz\"}", NULL, err), MENTOR_EINVAL);
}

/* Apply sets the rated level, also a lower one: the coordinator chose. */
static void
test_apply_sets_lower(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];

	put_student(f, "S1", "{\"onet:2.B.3.m\":4,\"onet:2.B.3.h\":1}");
	assert_int_equal(receive(f, "S1", EV1, 2, 3, err), 0);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.apply",
	    "{\"id\":\"" EV1 "\"}", NULL, err), 0);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.m"), 2);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.h"), 3);
}

static void
test_receive_refusals(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	const char *state_msg = "{\"application\":"
	    "\"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b\",\"created\":1,\"id\":"
	    "\"00112233445566778899aabbccddee01\",\"state\":\"active\","
	    "\"type\":\"state\",\"v\":1}";

	put_student(f, "S1", "{}");
	assert_int_equal(receive(f, "NOBODY", EV1, 3, 2, err),
	    MENTOR_ENOTFOUND);
	assert_int_equal(receive(f, "S1", EV1, 5, 2, err), MENTOR_EINVAL);
	assert_non_null(strstr(err, "ratings[0].level"));
	assert_int_equal(evidence_receive_plain(f->n, "S1", (const uint8_t *)
	    state_msg, strlen(state_msg), err, sizeof(err)), MENTOR_EINVAL);
	assert_non_null(strstr(err, "not an evaluation"));
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), 0);
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), MENTOR_EEXIST);
	/* Nothing half-stored by the refusals: one evaluation. */
	{
		json_t *r;

		assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL,
		    "evaluation.list", "{}", &r, err), 0);
		assert_int_equal(json_array_size(r), 1);
		json_decref(r);
	}
}

/* [placements] apply_evaluations = raise: raises only, on receipt. */
static void
test_auto_raise(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	json_t *r;

	f->n->conf.apply_evaluations = EVIDENCE_AUTO_RAISE;
	put_student(f, "S1", "{\"onet:2.B.3.m\":4,\"onet:2.B.3.h\":1}");
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), 0);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.m"), 4);
	assert_int_equal(level_of(f, "S1", "onet:2.B.3.h"), 2);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.show",
	    "{\"id\":\"" EV1 "\"}", &r, err), 0);
	assert_true(json_is_integer(json_object_get(r, "applied")));
	assert_string_equal(json_string_value(json_object_get(r,
	    "applied_by")), "automatic");
	json_decref(r);
	/* Both ratings are evidence, the lower one too. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "student.show",
	    "{\"id\":\"S1\"}", &r, err), 0);
	assert_int_equal(json_object_size(json_object_get(r, "evidence")), 2);
	json_decref(r);
}

static void
test_students_own_only(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	json_t *r;

	put_student(f, "S1", "{}");
	put_student(f, "S2", "{}");
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), 0);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S1", "evaluation.show",
	    "{\"id\":\"" EV1 "\"}", NULL, err), 0);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S2", "evaluation.show",
	    "{\"id\":\"" EV1 "\"}", NULL, err), MENTOR_ENOTFOUND);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S2", "evaluation.list",
	    "{}", &r, err), 0);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S2", "evaluation.list",
	    "{\"student\":\"S1\"}", NULL, err), MENTOR_EPERM);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S1", "evaluation.apply",
	    "{\"id\":\"" EV1 "\"}", NULL, err), MENTOR_EPERM);
	assert_int_equal(run(f, CMD_WHO_EMPLOYER, NULL, "evaluation.list",
	    "{}", NULL, err), MENTOR_EPERM);
}

static void
test_delete_forgets(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];
	json_t *r;

	put_student(f, "S1", "{}");
	put_student(f, "S2", "{}");
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), 0);
	assert_int_equal(receive(f, "S2", EV2, 1, 1, err), 0);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.apply",
	    "{\"id\":\"" EV1 "\"}", NULL, err), 0);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "student.delete",
	    "{\"id\":\"S1\"}", NULL, err), 0);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.show",
	    "{\"id\":\"" EV1 "\"}", NULL, err), MENTOR_ENOTFOUND);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.list",
	    "{}", &r, err), 0);
	assert_int_equal(json_array_size(r), 1);	/* S2's stays */
	json_decref(r);
	/* Imported again under the same id: no evidence comes back. */
	put_student(f, "S1", "{}");
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "student.show",
	    "{\"id\":\"S1\"}", &r, err), 0);
	assert_int_equal(json_object_size(json_object_get(r, "evidence")), 0);
	json_decref(r);
}

#define APP "7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b"

struct entry_arg {
	const char	*json;
};

static int
entry_fn(struct store_txn *t, void *arg)
{
	struct entry_arg *e = arg;
	uint8_t k[APPS_KEY_MAX], app[16];
	json_t *j = json_loads(e->json, 0, NULL);
	int rc;

	assert_non_null(j);
	assert_int_equal(hex_decode(app, 16, APP), 0);
	rc = apps_put_json(t, k, apps_aux_key(k, 's', app, 16), j);
	json_decref(j);
	return rc;
}

/*
 * put_placement: the school side's entry of application APP for S1 with
 * a placement in state st (PLACEMENT.md): 600 + 360 confirmed minutes,
 * 120 disputed, 60 only logged: 16 confirmed hours.
 */
static void
put_placement(struct fixture *f, const char *st)
{
	char buf[2048];
	struct entry_arg e = { buf };

	snprintf(buf, sizeof(buf), "{\"id\":\"" APP "\",\"listing\":"
	    "\"1a42b1ff8960499fe35878c1bfae6e7b\",\"title\":\"Welding shop "
	    "job shadow\",\"student\":\"S1\",\"status\":\"accepted\","
	    "\"placement\":{\"state\":\"%s\",\"start\":\"2026-11-02\","
	    "\"end\":\"2026-11-20\",\"kind\":\"job_shadow\","
	    "\"employer_name\":\"Lakeshore Metal Fabricators\","
	    "\"history\":[],\"hours\":["
	    "{\"entry\":\"01\",\"date\":\"2026-11-02\",\"minutes\":600,"
	    "\"activity\":\"a\",\"status\":\"confirmed\",\"logged_at\":1},"
	    "{\"entry\":\"02\",\"date\":\"2026-11-03\",\"minutes\":360,"
	    "\"activity\":\"b\",\"status\":\"confirmed\",\"logged_at\":1},"
	    "{\"entry\":\"03\",\"date\":\"2026-11-04\",\"minutes\":120,"
	    "\"activity\":\"c\",\"status\":\"disputed\",\"logged_at\":1},"
	    "{\"entry\":\"04\",\"date\":\"2026-11-05\",\"minutes\":60,"
	    "\"activity\":\"d\",\"status\":\"logged\",\"logged_at\":1}],"
	    "\"evaluations\":[]}}", st);
	assert_int_equal(store_write(f->n->store, entry_fn, &e), 0);
}

static void
test_credential_issue(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX], did[CRED_DID_MAX], *s, *p;
	json_t *r, *cred, *ach, *al, *flip;

	put_student(f, "S1", "{\"onet:2.B.3.m\":1}");
	put_placement(f, "completed");
	assert_int_equal(receive(f, "S1", EV1, 3, 2, err), 0);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.issue",
	    "{\"application\":\"" APP "\"}", &r, err), 0);
	cred = json_object_get(r, "credential");
	assert_non_null(cred);
	assert_string_equal(json_string_value(json_object_get(r, "student")),
	    "S1");
	/* It verifies as Open Badges 3.0, issued by the node's did:key. */
	assert_int_equal(cred_verify_ob3(cred, 0, err, sizeof(err)), 0);
	cred_did_key(did, f->n->sign_pk);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    cred, "issuer"), "id")), did);
	assert_string_equal(json_string_value(json_object_get(cred, "name")),
	    "Job shadow: Welding shop job shadow");
	ach = json_object_get(json_object_get(cred, "credentialSubject"),
	    "achievement");
	assert_non_null(strstr(json_string_value(json_object_get(ach,
	    "description")), "Lakeshore Metal Fabricators"));
	assert_non_null(strstr(json_string_value(json_object_get(ach,
	    "description")), "16 hours confirmed"));
	assert_non_null(strstr(json_string_value(json_object_get(ach,
	    "description")), "from 2026-11-02 to 2026-11-20"));
	al = json_object_get(ach, "alignment");
	assert_int_equal(json_array_size(al), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    al, 0), "targetCode")), "2.B.3.m");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    al, 0), "targetUrl")),
	    "https://www.onetonline.org/find/descriptor/result/2.B.3.m");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    al, 0), "targetDescription")), "proficient");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    al, 1), "targetDescription")), "developing");
	assert_int_equal(json_array_size(json_object_get(cred, "evidence")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(cred, "evidence"), 0), "name")),
	    "Final evaluation by Dana Kowalski, Lakeshore Metal Fabricators");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(cred, "credentialSubject"),
	    "identifier"), 0), "identityHash")), "Student S1");

	/* One changed byte of the signed content: refused. */
	s = json_dumps(cred, JSON_COMPACT);
	p = strstr(s, "16 hours");
	p[1] ^= 0x01;		/* "16" -> "17" */
	flip = json_loads(s, 0, NULL);
	assert_non_null(flip);
	assert_int_equal(cred_verify_ob3(flip, 0, err, sizeof(err)),
	    MENTOR_ESIG);
	json_decref(flip);
	free(s);
	json_decref(r);

	/* Once; shown to the coordinator and to S1, not to S2. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.issue",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_EEXIST);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.show",
	    "{\"application\":\"" APP "\"}", &r, err), 0);
	assert_int_equal(cred_verify_ob3(json_object_get(r, "credential"), 0,
	    err, sizeof(err)), 0);
	json_decref(r);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S1", "credential.show",
	    "{\"application\":\"" APP "\"}", NULL, err), 0);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S2", "credential.show",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_ENOTFOUND);
	assert_int_equal(run(f, CMD_WHO_STUDENT, "S1", "credential.issue",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_EPERM);

	/* The node's copy goes with the student. */
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "student.delete",
	    "{\"id\":\"S1\"}", NULL, err), 0);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.show",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_ENOTFOUND);
}

static void
test_credential_refusals(void **state)
{
	struct fixture *f = *state;
	char err[MSG_ERR_MAX];

	put_student(f, "S1", "{}");
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.issue",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_ENOTFOUND);
	assert_non_null(strstr(err, "no application " APP));
	put_placement(f, "active");
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.issue",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_EINVAL);
	assert_non_null(strstr(err, "the placement is active"));
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "credential.show",
	    "{\"application\":\"" APP "\"}", NULL, err), MENTOR_ENOTFOUND);
	/* Completed, without evaluations: no alignments, still valid. */
	put_placement(f, "completed");
	{
		json_t *r;

		assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL,
		    "credential.issue", "{\"application\":\"" APP "\"}", &r,
		    err), 0);
		assert_int_equal(cred_verify_ob3(json_object_get(r,
		    "credential"), 0, err, sizeof(err)), 0);
		assert_null(json_object_get(json_object_get(json_object_get(
		    json_object_get(r, "credential"), "credentialSubject"),
		    "achievement"), "alignment"));
		json_decref(r);
	}
}

/* ---- the placement message (evidence_plc_apply) -------------------- */

struct plc_arg {
	struct plc_ctx	*p;
	int		 rc;
};

static int
plc_fn(struct store_txn *t, void *arg)
{
	struct plc_arg *a = arg;

	a->p->txn = t;
	a->rc = evidence_plc_apply(a->p);
	return 0;	/* keep what it did, to look at it */
}

static int
plc_run(struct fixture *f, char side, json_t *entry, const char *listing,
    const char *evid, char *err)
{
	char buf[1024];
	struct plc_ctx p;
	struct plc_arg a = { &p, 0 };
	json_t *msg;

	snprintf(buf, sizeof(buf), "{\"application\":\"" APP "\","
	    "\"assessor\":{\"name\":\"Dana\",\"organization\":\"Acme\"},"
	    "\"created\":1798000000000,\"evaluation\":\"%s\",\"id\":"
	    "\"00112233445566778899aabbccddee04\",\"listing\":\"%s\","
	    "\"ratings\":[{\"competency\":\"onet:2.B.3.m\",\"level\":3}],"
	    "\"stage\":\"final\",\"type\":\"evaluation\",\"v\":1}", evid,
	    listing);
	msg = json_loads(buf, 0, NULL);
	assert_non_null(msg);
	memset(&p, 0, sizeof(p));
	p.node = f->n;
	p.side = side;
	p.from = 'e';
	p.app_hex = APP;
	p.msg = msg;
	p.entry = entry;
	p.now = 1798000000000LL;
	assert_int_equal(store_write(f->n->store, plc_fn, &a), 0);
	strcpy(err, p.err);
	json_decref(msg);
	return a.rc;
}

#define LST "1a42b1ff8960499fe35878c1bfae6e7b"

static void
test_plc_apply(void **state)
{
	struct fixture *f = *state;
	char err[256];
	json_t *entry, *r;

	put_student(f, "S1", "{}");
	entry = json_pack("{s:s,s:s,s:s}", "id", APP, "listing", LST,
	    "student", "S1");
	assert_int_equal(plc_run(f, 's', entry, LST, EV1, err),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "no placement"));
	json_object_set_new(entry, "placement", json_pack("{s:s,s:[]}",
	    "state", "cancelled", "evaluations"));
	assert_int_equal(plc_run(f, 's', entry, LST, EV1, err),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "cancelled"));
	json_object_set_new(json_object_get(entry, "placement"), "state",
	    json_string("active"));
	assert_int_equal(plc_run(f, 's', entry,
	    "ffffffffffffffffffffffffffffffff", EV1, err), MENTOR_EINVAL);
	assert_non_null(strstr(err, "another listing"));
	/* Kept on the school for its student, listed on the placement. */
	assert_int_equal(plc_run(f, 's', entry, LST, EV1, err), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_object_get(entry, "placement"), "evaluations"), 0)), EV1);
	assert_int_equal(run(f, CMD_WHO_COORDINATOR, NULL, "evaluation.show",
	    "{\"id\":\"" EV1 "\"}", &r, err), 0);
	assert_string_equal(json_string_value(json_object_get(r, "student")),
	    "S1");
	json_decref(r);
	/* Twice: refused (EINVAL: the transport logs and drops it). */
	assert_int_equal(plc_run(f, 's', entry, LST, EV1, err),
	    MENTOR_EINVAL);
	assert_int_equal(json_array_size(json_object_get(json_object_get(
	    entry, "placement"), "evaluations")), 1);
	/* The student deleted meanwhile: refused, nothing kept. */
	json_object_set_new(entry, "student", json_string("GONE"));
	assert_int_equal(plc_run(f, 's', entry, LST, EV2, err),
	    MENTOR_EINVAL);
	/* On the employer: kept without a student. */
	assert_int_equal(plc_run(f, 'e', entry, LST, EV2, err), 0);
	json_decref(entry);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_receive_and_apply, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_apply_sets_lower, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_receive_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auto_raise, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_students_own_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_forgets, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_credential_issue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_credential_refusals,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_plc_apply, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
