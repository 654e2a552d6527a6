/*
 * cmd_node.c: commands about the node itself: status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static long long
num(const json_t *r, const char *key)
{
	return (long long)json_integer_value(json_object_get(r, key));
}

/* count: "12 listings". */
static void
count(const json_t *r, const char *label, const char *key, const char *one,
    const char *many)
{
	long long n = num(r, key);

	printf("%-12s%lld %s\n", label, n, ctl_plural(n, one, many));
}

/* ago: "3 min ago" from an RFC 3339 UTC time, into buf. */
static const char *
ago(char *buf, size_t len, const char *iso)
{
	struct tm tm;
	char d[32];
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return "";
	tm.tm_year -= 1900;
	tm.tm_mon--;
	t = timegm(&tm);
	snprintf(buf, len, " (%s ago)", ctl_duration(d, sizeof(d),
	    (long long)(time(NULL) - t)));
	return buf;
}

static int
status(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *w, *e, *sy;
	char b1[64], b2[64], b3[64];
	long long used, map, got, all;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "status", NULL, NULL, 0, &r, NULL, NULL)) != 0)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	printf("%-12s%s (%s %s)\n", "node:", ctl_str(r, "name"),
	    ctl_article(ctl_str(r, "role")), ctl_str(r, "role"));
	printf("%-12s%s\n", "node id:", ctl_str(r, "node_id"));
	printf("%-12s%s\n", "listen:", *ctl_str(r, "listen") ?
	    ctl_str(r, "listen") : "(not listening)");
	count(r, "listings:", "listings", "listing", "listings");
	count(r, "students:", "students", "student", "students");
	printf("%-12s%lld connected of %lld\n", "peers:",
	    num(r, "peers_connected"), num(r, "peers"));
	printf("%-12s%s%s\n", "last sync:", *ctl_str(r, "last_sync") ?
	    ctl_date(b1, sizeof(b1), ctl_str(r, "last_sync")) : "never",
	    *ctl_str(r, "last_sync") ? ago(b2, sizeof(b2), ctl_str(r,
	    "last_sync")) : "");
	sy = json_object_get(r, "syncing");
	got = num(sy, "delivered");
	all = num(sy, "to_fetch");
	if (got > all)		/* a peer may send more than asked */
		got = all;
	if (num(sy, "peers") > 0 && all > 0)
		printf("%-12swith %lld %s: fetched %lld of %lld records "
		    "(%lld%%)\n", "syncing:", num(sy, "peers"),
		    ctl_plural(num(sy, "peers"), "peer", "peers"), got, all,
		    got * 100 / all);
	else if (num(sy, "peers") > 0)
		printf("%-12swith %lld %s: comparing record sets\n",
		    "syncing:", num(sy, "peers"),
		    ctl_plural(num(sy, "peers"), "peer", "peers"));
	count(r, "trusted:", "trusted", "node", "nodes");
	count(r, "records:", "records", "signed record", "signed records");
	used = num(r, "store_bytes");
	map = num(r, "store_map_bytes");
	printf("%-12s%s used of a %s map (%lld%%), %s free on disk\n",
	    "store:", ctl_bytes(b1, sizeof(b1), (unsigned long long)used),
	    ctl_bytes(b2, sizeof(b2), (unsigned long long)map),
	    map > 0 ? used * 100 / map : 0, ctl_bytes(b3, sizeof(b3),
	    (unsigned long long)num(r, "disk_free_bytes")));
	if (*ctl_str(r, "cert_expires"))
		printf("%-12s%s\n", "cert until:", ctl_date(b1, sizeof(b1),
		    ctl_str(r, "cert_expires")));
	printf("%-12s%s\n", "uptime:", ctl_duration(b1, sizeof(b1),
	    num(r, "uptime_s")));
	printf("%-12s%s\n", "version:", ctl_str(r, "version"));
	w = json_object_get(r, "warnings");
	if (json_array_size(w) == 0)
		printf("%-12s%s\n", "health:", "ok");
	else {
		printf("%-12s%zu %s\n", "health:", json_array_size(w),
		    ctl_plural((long long)json_array_size(w), "warning",
		    "warnings"));
		json_array_foreach(w, i, e)
			printf("  warning: %s\n", json_string_value(e));
	}
	json_decref(r);
	return EX_OK;
}

/*
 * backup: pulls the node's backup stream into FILE (new, mode 0600),
 * removed again if anything fails.
 */
static int
backup(struct ctl *c, const struct ctl_args *a)
{
	struct ctl_progress pr;
	json_t *r;
	uint8_t *data = NULL;
	size_t len;
	unsigned long long total = 0, est;
	char sess[64], b[32];
	int fd, rc, done = 0;

	if ((rc = ctl_call(c, "status", NULL, NULL, 0, &r, NULL, NULL)) != 0)
		return rc;
	est = (unsigned long long)num(r, "store_bytes");
	json_decref(r);
	if ((fd = open(a->argv[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return ctl_err(EX_FAIL, "%s: %s%s", a->argv[0],
		    strerror(errno), errno == EEXIST ?
		    " (refusing to overwrite)" : "");
	if ((rc = ctl_call(c, "backup.start", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		goto fail;
	snprintf(sess, sizeof(sess), "%s", ctl_str(r, "session"));
	json_decref(r);
	ctl_progress_begin(&pr, c, "backing up", "bytes", est);
	while (!done) {
		if ((rc = ctl_call(c, "backup.next", json_pack("{s:s}",
		    "session", sess), NULL, 0, &r, &data, &len)) != EX_OK)
			break;
		done = json_is_true(json_object_get(r, "done"));
		json_decref(r);
		if (data && len > 0 && write(fd, data, len) != (ssize_t)len)
			rc = ctl_err(EX_FAIL, "%s: %s", a->argv[0],
			    strerror(errno));
		free(data);
		data = NULL;
		total += len;
		ctl_progress_update(&pr, total < est ? total : est);
		if (rc != EX_OK)
			break;
	}
	ctl_progress_end(&pr);
	if (rc == EX_OK && fsync(fd) != 0)
		rc = ctl_err(EX_FAIL, "%s: %s", a->argv[0], strerror(errno));
	if (rc != EX_OK)
		goto fail;
	close(fd);
	if (c->json) {
		r = json_pack("{s:s,s:I}", "file", a->argv[0], "bytes",
		    (json_int_t)total);
		ctl_print_json(r);
		json_decref(r);
	} else
		printf("wrote a backup of %s to %s\n", ctl_bytes(b,
		    sizeof(b), total), a->argv[0]);
	return EX_OK;
fail:
	close(fd);
	unlink(a->argv[0]);	/* never leave half a backup */
	return rc;
}

static int
rotate_key(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "node.rotate", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("rotated: %s\n     is now %s\nrestart mentord to use "
		    "the new key: it then signs this node's live listings "
		    "again;\npeers and trusting nodes follow the rotation\n",
		    ctl_str(r, "old"), ctl_str(r, "new"));
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_node_cmds[] = {
	{ "status", status, 0, 0, { NULL }, "",
	  "Shows the node's name, role, id, and how many listings, students "
	  "and peers it holds; then its health: peers connected, the last "
	  "reconciliation, store and disk use, the certificate from its hub, "
	  "and a warning for each thing that needs the operator (a "
	  "certificate about to expire, a disconnected or suspended peer, a "
	  "store that cannot grow, a nearly full disk, missing reference "
	  "data)." },
	{ "backup", backup, 1, 1, { NULL }, "FILE",
	  "Writes a consistent copy of the running node to FILE (which must "
	  "not exist; mode 0600): its configuration, its secret keys, its "
	  "imported CASE frameworks and a compacted copy of its store as it was when the backup began, "
	  "while the node goes on serving.  Restore it with mentord restore "
	  "-d DIR FILE.  Keep it as safe as the node's keys." },
	{ "node rotate-key", rotate_key, 0, 0, { NULL }, "",
	  "Replaces the node's signing key (after a compromise): publishes a "
	  "rotation signed by the old key naming a new one, and writes the "
	  "new key for the next start.  Peers and nodes that trust the old "
	  "key move to the new one; every later record of the old key is "
	  "refused.  Restart mentord to use the new key: at that start it "
	  "signs the old key's live listings again with the new one "
	  "(SPEC.md 2.8)." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
