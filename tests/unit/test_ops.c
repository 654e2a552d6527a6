/*
 * test_ops.c: the operator pieces that need no running node: a backup is
 * refused to everyone but the node's own socket (it holds the keys), the
 * names request checks its argument, journald detection from the
 * environment, and the metrics counters' bookkeeping entry points.
 */
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

#include "cmd.h"
#include "log.h"
#include "mentor.h"
#include "metrics.h"
#include "node.h"

static struct node fake;

static int
run(enum cmd_who who, const char *name, const char *args, char *err)
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
	rc = cmd_exec(&c, name);
	strcpy(err, c.err);
	json_decref(c.result);
	free(c.out);
	json_decref(req.args);
	return rc;
}

static void
test_backup_operator_only(void **state)
{
	char err[MSG_ERR_MAX];

	(void)state;
	assert_int_equal(run(CMD_WHO_ADMIN, "backup.start", "{}", err),
	    MENTOR_EPERM);
	assert_non_null(strstr(err, "own socket"));
	assert_int_equal(run(CMD_WHO_ADMIN, "backup.next",
	    "{\"session\":\"x\"}", err), MENTOR_EPERM);
	assert_int_equal(run(CMD_WHO_COORDINATOR, "backup.start", "{}", err),
	    MENTOR_EPERM);
	/* The operator gets as far as the session check. */
	assert_int_equal(run(CMD_WHO_OPERATOR, "backup.next",
	    "{\"session\":\"x\"}", err), MENTOR_ENOTFOUND);
	assert_non_null(strstr(err, "no such backup session"));
}

static void
test_names_args(void **state)
{
	char err[MSG_ERR_MAX];

	(void)state;
	assert_int_equal(run(CMD_WHO_OPERATOR, "names", "{}", err),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "codes"));
	assert_int_equal(run(CMD_WHO_OPERATOR, "names",
	    "{\"codes\":[\"a\",7]}", err), MENTOR_EINVAL);
	assert_non_null(strstr(err, "item 2"));
	/* No frameworks loaded: the code is simply not named. */
	assert_int_equal(run(CMD_WHO_OPERATOR, "names",
	    "{\"codes\":[\"onet:2.A.1.a\"]}", err), 0);
}

static void
test_journal_detection(void **state)
{
	struct stat st;
	char js[64];

	(void)state;
	unsetenv("JOURNAL_STREAM");
	unsetenv("INVOCATION_ID");
	assert_int_equal(log_under_journal(), 0);
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	assert_int_equal(log_under_journal(), 1);
	setenv("JOURNAL_STREAM", "1:2", 1);
	assert_int_equal(log_under_journal(), 0);
	setenv("JOURNAL_STREAM", "garbage", 1);
	assert_int_equal(log_under_journal(), 0);
	unsetenv("JOURNAL_STREAM");
	setenv("INVOCATION_ID", "abc", 1);
	assert_int_equal(log_under_journal(), !isatty(STDERR_FILENO));
	unsetenv("INVOCATION_ID");
}

static void
test_metrics_without_counters(void **state)
{
	(void)state;
	/* A node without metrics (tools, tests) counts nothing, safely. */
	metrics_record(&fake, 0);
	metrics_record(&fake, MENTOR_EDUP);
	metrics_api(&fake, "ping", 0, 0.001);
	metrics_api(NULL, NULL, -1, 1.0);
	metrics_web(&fake, METRICS_WEB_API, 200, 0.001);
	metrics_web(NULL, -1, 0, 1.0);
	assert_true(metrics_clock() > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_operator_only),
		cmocka_unit_test(test_names_args),
		cmocka_unit_test(test_journal_detection),
		cmocka_unit_test(test_metrics_without_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
