/*
 * test_ops.c: the operator pieces that need no running node: a backup is
 * refused to everyone but the node's own socket (it holds the keys), the
 * names request checks its argument, journald detection from the
 * environment, the metrics counters' bookkeeping entry points, and the
 * health warnings of status, from figures.
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

#define MIN	(60LL * 1000)
#define DAY	(86400LL * 1000)

/* healthy: a node in good health, now = 100 days after 1970. */
static struct ops_health
healthy(void)
{
	struct ops_health h;

	memset(&h, 0, sizeof(h));
	h.now = 100 * DAY;
	h.started = h.now - 60 * MIN;
	h.peers = h.connected = 2;
	h.last_sync = h.now - MIN;
	h.sync_every = MIN;
	h.cert_expires = h.now + 200 * DAY;
	h.cert_hub = "Region Hub";
	h.used = 10 << 20;
	h.mapsize = 64 << 20;
	h.map_max = 1ULL << 40;
	h.disk_avail = 50ULL << 30;
	h.disk_total = 100ULL << 30;
	return h;
}

/* warnings: the warnings for h, joined by " | " into buf. */
static const char *
warnings(const struct ops_health *h, char *buf, size_t len)
{
	json_t *w = json_array(), *v;
	size_t i;

	assert_non_null(w);
	buf[0] = '\0';
	ops_health_warn(h, w);
	json_array_foreach(w, i, v)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i ? " | " : "", json_string_value(v));
	json_decref(w);
	return buf;
}

static void
test_health_warnings(void **state)
{
	struct ops_health h;
	char b[2048];

	(void)state;
	h = healthy();
	assert_string_equal(warnings(&h, b, sizeof(b)), "");

	/* A certificate: 30 days' notice, then expired. */
	h.cert_expires = h.now + 10 * DAY;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)),
	    "certificate from hub Region Hub expires on 1970-04-21 00:00 UTC"));
	assert_non_null(strstr(b, "(in 10 days)"));
	h.cert_expires = h.now - DAY;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)), "expired on"));
	h.cert_expires = 0;
	assert_string_equal(warnings(&h, b, sizeof(b)), "");

	/* The last reconciliation: late after 3 rounds and a minute. */
	h = healthy();
	h.last_sync = h.now - 4 * MIN + 1;
	assert_string_equal(warnings(&h, b, sizeof(b)), "");
	h.last_sync = h.now - 12 * MIN;
	assert_string_equal(warnings(&h, b, sizeof(b)), "last reconciliation "
	    "12 min ago, though peers are connected and it runs every 60 s "
	    "(mentorctl peer list; mentorctl sync)");
	h.last_sync = 0;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)),
	    "no reconciliation since the node started 60 min ago"));
	h.started = h.now - MIN;
	assert_string_equal(warnings(&h, b, sizeof(b)), "");
	h.last_sync = h.now - 3 * DAY;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)), "3 days ago"));
	h.sync_every = 0;		/* auto_sync = no: the operator syncs */
	assert_string_equal(warnings(&h, b, sizeof(b)), "");
	h.sync_every = MIN;
	h.connected = 0;		/* said once, as peers not connected */
	assert_string_equal(warnings(&h, b, sizeof(b)),
	    "2 of 2 peers not connected (mentorctl peer list)");

	/* The map: 90% used matters when it cannot double. */
	h = healthy();
	h.used = h.mapsize * 9 / 10 + 1;	/* 90%, room on disk */
	assert_string_equal(warnings(&h, b, sizeof(b)), "");
	h.disk_avail = 32 << 20;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)), "store: 90% of "
	    "the LMDB map in use and 32 MiB free on disk, too little"));
	h = healthy();
	h.mapsize = h.map_max;
	h.used = h.mapsize / 16 * 15;		/* 93.75% */
	assert_non_null(strstr(warnings(&h, b, sizeof(b)), "store: 93% of "
	    "the LMDB map in use, and the map is at its largest (1024 GiB)"));
	h = healthy();
	h.disk_avail = h.disk_total / 100 * 4;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)), "disk: only"));

	h = healthy();
	h.suspended = 1;
	h.no_frameworks = 1;
	assert_string_equal(warnings(&h, b, sizeof(b)), "1 peer suspended "
	    "for sending invalid records | no reference data: matching shows "
	    "codes, not names (see data_dir in mentord(8))");

	/* Applications refused for an untrusted sender: for a day. */
	h = healthy();
	h.refused_directed = 3;
	h.refused_at = h.now - 5 * 60 * 1000;
	memset(h.refused_author, 'a', 64);
	h.refused_author[64] = '\0';
	assert_string_equal(warnings(&h, b, sizeof(b)), "3 applications or "
	    "messages addressed to this node refused, the last 5 min ago: "
	    "the sender is not trusted here (to take them: mentorctl trust add aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaa, or trust add --hub the hub that certifies "
	    "it)");
	h.refused_directed = 1;
	assert_non_null(strstr(warnings(&h, b, sizeof(b)), "1 application "
	    "or message addressed"));
	h.refused_at = h.now - 86400LL * 1000;	/* a day later: said enough */
	assert_string_equal(warnings(&h, b, sizeof(b)), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_operator_only),
		cmocka_unit_test(test_names_args),
		cmocka_unit_test(test_journal_detection),
		cmocka_unit_test(test_metrics_without_counters),
		cmocka_unit_test(test_health_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
