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
	json_t *args;

	/* peer add NODE_ID: the peer dials in; peer add ENDPOINT NODE_ID. */
	if (a->argc == 1)
		args = json_pack("{s:s}", "node_id", a->argv[0]);
	else
		args = json_pack("{s:s,s:s}", "endpoint", a->argv[0],
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

/* limited_line: what the peer sent or asked beyond its limits, if any. */
static void
limited_line(const json_t *e)
{
	const json_t *l = json_object_get(e, "limited");

	if (num(e, "throttled_valid") + num(l, "announce") + num(l, "recon") +
	    num(l, "want") + num(l, "relay") + num(l, "ack") +
	    num(l, "ping") == 0)
		return;
	printf("  %-12s %lld records, %lld announced ids, %lld reconciliation "
	    "messages,\n  %-12s %lld records asked for, %lld to relay, %lld "
	    "ACKs, %lld PINGs\n", "over limits:", num(e, "throttled_valid"),
	    num(l, "announce"), num(l, "recon"), "", num(l, "want"),
	    num(l, "relay"), num(l, "ack"), num(l, "ping"));
}

/*
 * sync_line: the synchronisation under way with the peer, if any: the
 * rounds of its reconciliation, then the records fetched of those it
 * found missing, the rate so far and the time left at that rate.
 */
static void
sync_line(const json_t *e)
{
	const json_t *s = json_object_get(e, "sync");
	const char *state = ctl_str(s, "state");
	long long ms = num(s, "ms"), got = num(s, "delivered"),
	    all = num(s, "to_fetch"), r = num(s, "rounds");
	char left[48] = "", dur[32];
	double rate;

	if (strcmp(state, "reconciling") == 0)
		printf("  %-12s comparing record sets, %lld %s so far (%s)\n",
		    "syncing:", r, ctl_plural(r, "round", "rounds"),
		    ctl_duration(dur, sizeof(dur), ms / 1000));
	if (strcmp(state, "fetching") != 0 || all <= 0)
		return;
	if (got > all)		/* a peer may send more than asked */
		got = all;
	rate = ms > 0 ? (double)got * 1000.0 / (double)ms : 0;
	if (rate > 0 && got < all)
		snprintf(left, sizeof(left), ", about %s left",
		    ctl_duration(dur, sizeof(dur), (long long)((double)(all -
		    got) / rate + 0.5)));
	printf("  %-12s fetched %lld of %lld %s (%lld%%), %.0f/s%s\n",
	    "syncing:", got, all, ctl_plural(all, "record", "records"),
	    got * 100 / all, rate, left);
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
		printf("%s  %s%s\n", ctl_str(e, "node_id"),
		    json_is_true(json_object_get(e, "connected")) ?
		    "connected" : "not connected",
		    json_is_true(json_object_get(e, "hub")) ? ", hub" : "");
		if (!json_is_true(json_object_get(e, "connected")))
			printf("  %-12s %s\n", "why:", ctl_str(e, "status"));
		printf("  %-12s %s\n  %-12s %s (%s)\n  %-12s %s\n"
		    "  %-12s %lld in, %lld out; %lld invalid, %lld untrusted\n",
		    "endpoint:", *ctl_str(e, "endpoint") ?
		    ctl_str(e, "endpoint") : "none (it dials in)",
		    "name:", *ctl_str(e, "name") ? ctl_str(e, "name") : "?",
		    *ctl_str(e, "role") ? ctl_str(e, "role") : "?",
		    "last seen:", *ctl_str(e, "last_contact") ?
		    ctl_str(e, "last_contact") : "never",
		    "records:", num(t, "records_in"), num(t, "records_out"),
		    num(e, "invalid"), num(e, "untrusted"));
		sync_line(e);
		limited_line(e);
	}
	printf("%zu %s\n", json_array_size(r),
	    ctl_plural((long long)json_array_size(r), "peer", "peers"));
	json_decref(r);
	return EX_OK;
}

/*
 * skipped: the peers a sync cannot reach, from peer.list, as
 * {node_id, name, skipped: why, last_contact} objects.
 */
static json_t *
skipped_peers(const json_t *peers)
{
	json_t *out = json_array(), *e;
	const char *why;
	size_t i;

	json_array_foreach(peers, i, e) {
		if (json_is_true(json_object_get(e, "suspended")))
			why = "suspended after invalid records";
		else if (!json_is_true(json_object_get(e, "connected")))
			why = "not connected";
		else
			continue;
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s}",
		    "node_id", ctl_str(e, "node_id"), "name", ctl_str(e, "name"),
		    "skipped", why, "last_contact", ctl_str(e, "last_contact")));
	}
	return out;
}

static void
print_synced(const json_t *e)
{
	char sent[32], recv[32];
	long long r = num(e, "rounds"), in = num(e, "records_in");

	printf("%.16s  %s%lld %s, %s sent, %s received, %lld %s in, %lld "
	    "out\n", ctl_str(e, "node_id"), json_is_true(json_object_get(e,
	    "failed")) ? "FAILED: " : "", r, ctl_plural(r, "round", "rounds"),
	    ctl_bytes(sent, sizeof(sent), (unsigned long long)num(e,
	    "bytes_sent")), ctl_bytes(recv, sizeof(recv),
	    (unsigned long long)num(e, "bytes_received")), in,
	    ctl_plural(in, "record", "records"), num(e, "records_out"));
}

static int
peer_refused(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "peer.refused", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		json_array_foreach(r, i, e)
			printf("%s  from %s, %lld times, last %s\n",
			    ctl_str(e, "curve_key"), ctl_str(e, "address"),
			    num(e, "count"), ctl_str(e, "last"));
	json_decref(r);
	return EX_OK;
}

static int
sync_cmd(struct ctl *c, const struct ctl_args *a)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct ctl_progress pr;
	json_t *r, *st = NULL, *e, *out, *skip;
	char when[40];
	long long gen, started;
	time_t deadline;
	size_t i, ndone, npeers;
	int rc, fails = 0, ok = 0;

	(void)a;
	if ((rc = ctl_call(c, "peer.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	npeers = json_array_size(r);
	skip = skipped_peers(r);
	json_decref(r);
	if ((rc = ctl_call(c, "sync.start", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK) {
		json_decref(skip);
		return rc;
	}
	gen = num(r, "generation");
	started = num(r, "peers");
	json_decref(r);
	ctl_progress_begin(&pr, c, "syncing", "peers",
	    (unsigned long long)started);
	deadline = time(NULL) + c->timeout_ms / 1000;
	for (;;) {
		json_decref(st);
		if ((rc = ctl_call(c, "sync.status", json_pack("{s:I}",
		    "generation", (json_int_t)gen), NULL, 0, &st, NULL,
		    NULL)) != EX_OK) {
			ctl_progress_end(&pr);
			json_decref(skip);
			return rc;
		}
		if (json_is_true(json_object_get(st, "done")))
			break;
		ndone = 0;
		json_array_foreach(json_object_get(st, "peers"), i, e)
			ndone += json_is_true(json_object_get(e, "done"));
		ctl_progress_update(&pr, ndone);
		if (time(NULL) >= deadline) {
			ctl_progress_end(&pr);
			json_decref(st);
			json_decref(skip);
			return ctl_err(EX_FAIL, "sync: not finished within %d "
			    "s (--timeout SEC waits longer)",
			    c->timeout_ms / 1000);
		}
		nanosleep(&ts, NULL);
	}
	ctl_progress_end(&pr);
	out = json_array();
	json_array_foreach(json_object_get(st, "peers"), i, e) {
		if (json_is_true(json_object_get(e, "failed")))
			fails++;
		else
			ok++;
		json_object_del(e, "done");
		json_array_append(out, e);
	}
	if (c->json) {
		/* Reconciled peers first, then the skipped ones. */
		json_array_extend(out, skip);
		ctl_print_json(out);
	} else {
		json_array_foreach(out, i, e)
			print_synced(e);
		json_array_foreach(skip, i, e) {
			printf("%.16s  skipped: %s", ctl_str(e, "node_id"),
			    ctl_str(e, "skipped"));
			if (*ctl_str(e, "name"))
				printf(" (%s", ctl_str(e, "name"));
			else
				printf(" (name not known yet");
			printf(", last seen %s)\n", *ctl_str(e,
			    "last_contact") ? ctl_date(when, sizeof(when),
			    ctl_str(e, "last_contact")) : "never");
		}
	}
	json_decref(out);
	json_decref(st);
	if (fails) {
		json_decref(skip);
		return ctl_err(EX_FAIL, "sync failed with %d %s", fails,
		    ctl_plural(fails, "peer", "peers"));
	}
	if (ok == 0) {
		rc = npeers == 0 ? ctl_err(EX_FAIL, "sync: this node has no "
		    "peers (link one with mentorctl peer add)") :
		    ctl_err(EX_FAIL, "sync: reconciled with no peer (%zu "
		    "skipped)", json_array_size(skip));
		json_decref(skip);
		return rc;
	}
	json_decref(skip);
	return EX_OK;
}

/* cert list: the certificates between this node and its peers. */
static void
cert_lines(const json_t *list, const char *who, const char *none)
{
	const json_t *e;
	size_t i;

	if (json_array_size(list) == 0)
		printf("  %s\n", none);
	json_array_foreach(list, i, e)
		printf("  %s  %s (%s)\n    %-10s %s\n    %-10s %s%s\n",
		    ctl_str(e, who),
		    *ctl_str(e, "name") ? ctl_str(e, "name") : "?",
		    ctl_str(e, "organization"), "issued:",
		    ctl_str(e, "created"), "expires:", ctl_str(e, "expires"),
		    json_is_true(json_object_get(e, "live")) ? "" :
		    " (no longer valid)");
}

static int
cert_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "cert.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	printf("issued by this node:\n");
	cert_lines(json_object_get(r, "issued"), "subject",
	    strcmp(ctl_str(r, "role"), "hub") == 0 ? "none yet" :
	    "none (only hubs issue certificates)");
	printf("issued about this node:\n");
	cert_lines(json_object_get(r, "received"), "issuer", "none");
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_peer_cmds[] = {
	{ "peer add", peer_add, 1, 2, { "organization=", "hub", NULL },
	  "[ENDPOINT] NODE_ID [--organization NAME] [--hub]",
	  "Links this node with the node NODE_ID listening at ENDPOINT "
	  "(tcp://HOST:PORT).  Without ENDPOINT the peer dials in: this node "
	  "admits its key and everything flows over the connection it makes "
	  "(a school with no inbound port).  Both sides must add each other.  The peer's "
	  "records are trusted from then on; a hub also certifies the peer "
	  "(as NAME) so that the hub's other peers accept its listings.  "
	  "--hub marks the peer as a hub whose certificates this node "
	  "honours; without it, certificates the peer signs count for "
	  "nothing here, whatever role it claims." },
	{ "peer list", peer_list, 0, 0, { NULL }, "",
	  "Shows each peer: connected or, if not, why (never reached, "
	  "refused by its ZAP handler, stopped answering), last contact, and "
	  "records exchanged." },
	{ "peer refused", peer_refused, 0, 0, { NULL }, "",
	  "Lists the latest connections this node refused because no peer "
	  "has their key: CURVE key, address, how often and when." },
	{ "peer remove", peer_remove, 1, 1, { NULL }, "NODE_ID",
	  "Unlinks a peer: its connections are refused from now on." },
	{ "cert list", cert_list, 0, 0, { NULL }, "",
	  "Shows the certificates between this node and its peers: those "
	  "it issued as a hub (one per direct peer, renewed while linked) "
	  "and those its peers issued about it, each with its organization, "
	  "dates, and whether it is still valid." },
	{ "sync", sync_cmd, 0, 0, { NULL }, "",
	  "Reconciles with every connected peer now, waits until done (at "
	  "most --timeout SEC, 60 by default), and prints per peer the round "
	  "trips, bytes sent and received, and records in and out, then "
	  "each peer it skipped and why (not connected, suspended).  Exits "
	  "1 when a reconciliation failed or none took place." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
