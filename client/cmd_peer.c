/*
 * cmd_peer.c: peer add/list/remove and sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

static long long
num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static int
peer_add(struct ctl *c, const struct ctl_args *a)
{
	json_t *args = json_pack("{s:s,s:s}", "endpoint", a->argv[0],
	    "node_id", a->argv[1]);

	if (a->opt[0])
		json_object_set_new(args, "organization",
		    json_string(a->opt[0]));
	if (a->opt[1])
		json_object_set_new(args, "hub", json_true());
	return ctl_run(c, "peer.add", args, "added peer", "node_id");
}

static int
peer_remove(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "peer.remove", json_pack("{s:s}", "node_id",
	    a->argv[0]), "removed peer", "node_id");
}

static int
peer_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e, *t;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "peer.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	json_array_foreach(r, i, e) {
		t = json_object_get(e, "totals");
		printf("%s  %s%s\n  %-12s %s\n  %-12s %s (%s)\n  %-12s %s\n"
		    "  %-12s %lld in, %lld out; %lld invalid, %lld untrusted\n",
		    ctl_str(e, "node_id"),
		    json_is_true(json_object_get(e, "connected")) ?
		    "connected" : "not connected",
		    json_is_true(json_object_get(e, "hub")) ? ", hub" : "",
		    "endpoint:", ctl_str(e, "endpoint"),
		    "name:", *ctl_str(e, "name") ? ctl_str(e, "name") : "?",
		    *ctl_str(e, "role") ? ctl_str(e, "role") : "?",
		    "last seen:", *ctl_str(e, "last_contact") ?
		    ctl_str(e, "last_contact") : "never",
		    "records:", num(t, "records_in"), num(t, "records_out"),
		    num(e, "invalid"), num(e, "untrusted"));
	}
	printf("%zu peer%s\n", json_array_size(r),
	    json_array_size(r) == 1 ? "" : "s");
	json_decref(r);
	return EX_OK;
}

static int
sync_cmd(struct ctl *c, const struct ctl_args *a)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	json_t *r, *st = NULL, *e, *out;
	long long gen;
	time_t deadline;
	size_t i;
	int rc, fails = 0;

	(void)a;
	if ((rc = ctl_call(c, "sync.start", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	gen = num(r, "generation");
	json_decref(r);
	deadline = time(NULL) + c->timeout_ms / 1000;
	for (;;) {
		json_decref(st);
		if ((rc = ctl_call(c, "sync.status", json_pack("{s:I}",
		    "generation", (json_int_t)gen), NULL, 0, &st, NULL,
		    NULL)) != EX_OK)
			return rc;
		if (json_is_true(json_object_get(st, "done")))
			break;
		if (time(NULL) >= deadline) {
			json_decref(st);
			return ctl_err(EX_FAIL, "sync: not finished within %d "
			    "s", c->timeout_ms / 1000);
		}
		nanosleep(&ts, NULL);
	}
	out = json_array();
	json_array_foreach(json_object_get(st, "peers"), i, e) {
		if (json_is_true(json_object_get(e, "failed")))
			fails++;
		json_object_del(e, "done");
		json_array_append(out, e);
	}
	if (c->json)
		ctl_print_json(out);
	else {
		if (json_array_size(out) == 0)
			printf("no connected peers\n");
		json_array_foreach(out, i, e)
			printf("%.16s  %s%lld rounds, %lld B sent, %lld B "
			    "received, %lld records in, %lld out\n",
			    ctl_str(e, "node_id"), json_is_true(json_object_get(e,
			    "failed")) ? "FAILED: " : "", num(e, "rounds"),
			    num(e, "bytes_sent"), num(e, "bytes_received"),
			    num(e, "records_in"), num(e, "records_out"));
	}
	json_decref(out);
	json_decref(st);
	if (fails)
		return ctl_err(EX_FAIL, "sync failed with %d peer%s", fails,
		    fails == 1 ? "" : "s");
	return EX_OK;
}

const struct ctl_cmd ctl_peer_cmds[] = {
	{ "peer add", peer_add, 2, 2, { "organization=", "hub", NULL },
	  "ENDPOINT NODE_ID [--organization NAME] [--hub]",
	  "Links this node with the node NODE_ID listening at ENDPOINT "
	  "(tcp://HOST:PORT).  Both sides must add each other.  The peer's "
	  "records are trusted from then on; a hub also certifies the peer "
	  "(as NAME) so that the hub's other peers accept its listings.  "
	  "--hub marks the peer as a hub whose certificates this node "
	  "honours; without it, certificates the peer signs count for "
	  "nothing here, whatever role it claims." },
	{ "peer list", peer_list, 0, 0, { NULL }, "",
	  "Shows each peer: connected or not, last contact, and records "
	  "exchanged." },
	{ "peer remove", peer_remove, 1, 1, { NULL }, "NODE_ID",
	  "Unlinks a peer: its connections are refused from now on." },
	{ "sync", sync_cmd, 0, 0, { NULL }, "",
	  "Reconciles with every connected peer now, waits until done, and "
	  "prints per peer the round trips, bytes sent and received, and "
	  "records in and out." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
