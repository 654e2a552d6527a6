/*
 * test_cmd.c: the command layer's dispatch and permission checks
 * (daemon/cmd.c), through cmd.h: who may call what, and the refusals
 * that happen before any handler runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "mentor.h"
#include "node.h"

static struct node fake;

static int
run(enum cmd_who who, const char *student, const char *name,
    const char *args, char *err)
{
	struct msg_req req;
	struct cmd_ctx c;
	int rc;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	req.args = json_loads(args, 0, NULL);
	c.node = &fake;
	c.req = &req;
	c.who = who;
	c.student = student;
	rc = cmd_exec(&c, name);
	if (err)
		strcpy(err, c.err);
	json_decref(c.result);
	free(c.out);
	json_decref(req.args);
	return rc;
}

static void
test_unknown_command(void **state)
{
	char err[MSG_ERR_MAX];

	(void)state;
	assert_int_equal(run(CMD_WHO_OPERATOR, NULL, "no.such", "{}", err),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "unknown command \"no.such\""));
}

/* Every role is refused what its flags do not allow, before the handler. */
static void
test_refusals(void **state)
{
	static const struct {
		enum cmd_who	 who;
		const char	*cmd;
	} no[] = {
		{ CMD_WHO_STUDENT, "student.list" },
		{ CMD_WHO_STUDENT, "student.import" },
		{ CMD_WHO_STUDENT, "consent.add" },
		{ CMD_WHO_STUDENT, "audit.list" },
		{ CMD_WHO_STUDENT, "listing.post" },
		{ CMD_WHO_STUDENT, "application.accept" },
		{ CMD_WHO_STUDENT, "peer.add" },
		{ CMD_WHO_STUDENT, "status" },
		{ CMD_WHO_COORDINATOR, "listing.post" },
		{ CMD_WHO_COORDINATOR, "application.accept" },
		{ CMD_WHO_COORDINATOR, "peer.add" },
		{ CMD_WHO_COORDINATOR, "trust.add" },
		{ CMD_WHO_COORDINATOR, "store.compact" },
		{ CMD_WHO_COORDINATOR, "records.import" },
		{ CMD_WHO_EMPLOYER, "student.list" },
		{ CMD_WHO_EMPLOYER, "student.show" },
		{ CMD_WHO_EMPLOYER, "consent.add" },
		{ CMD_WHO_EMPLOYER, "match" },
		{ CMD_WHO_EMPLOYER, "apply" },
		{ CMD_WHO_EMPLOYER, "audit.verify" },
		{ CMD_WHO_EMPLOYER, "student.key" },
	};
	char err[MSG_ERR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(run(no[i].who, no[i].who == CMD_WHO_STUDENT ?
		    "S1" : NULL, no[i].cmd, "{}", err), MENTOR_EPERM);
		assert_non_null(strstr(err, no[i].cmd));
	}
}

static void
test_allowed_table(void **state)
{
	(void)state;
	assert_true(cmd_allowed(cmd_find("match"), CMD_WHO_STUDENT));
	assert_true(cmd_allowed(cmd_find("apply"), CMD_WHO_STUDENT));
	assert_true(cmd_allowed(cmd_find("listing.post"), CMD_WHO_EMPLOYER));
	assert_true(cmd_allowed(cmd_find("consent.add"),
	    CMD_WHO_COORDINATOR));
	assert_true(cmd_allowed(cmd_find("store.compact"), CMD_WHO_ADMIN));
	assert_true(cmd_allowed(cmd_find("store.compact"),
	    CMD_WHO_OPERATOR));
	assert_false(cmd_allowed(cmd_find("store.compact"),
	    CMD_WHO_STUDENT));
	assert_null(cmd_find("nothing"));
}

/* A student session without its student id is refused outright. */
static void
test_student_needs_id(void **state)
{
	(void)state;
	assert_int_equal(run(CMD_WHO_STUDENT, NULL, "match",
	    "{\"student\":\"S1\"}", NULL), MENTOR_EPERM);
}

/* The data frame: only where the command takes one, and bounded. */
static void
test_data_frame(void **state)
{
	struct msg_req req;
	struct cmd_ctx c;
	static const uint8_t d[4] = "abc";

	(void)state;
	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	req.args = json_object();
	c.node = &fake;
	c.req = &req;
	c.data = d;
	c.datalen = sizeof(d);
	assert_int_equal(cmd_exec(&c, "ping"), MENTOR_EPROTO);
	assert_non_null(strstr(c.err, "takes no data frame"));
	c.datalen = (size_t)MENTOR_API_DATA_MAX + 1;
	assert_int_equal(cmd_exec(&c, "records.import"), MENTOR_ETOOBIG);
	json_decref(req.args);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_allowed_table),
		cmocka_unit_test(test_student_needs_id),
		cmocka_unit_test(test_data_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
