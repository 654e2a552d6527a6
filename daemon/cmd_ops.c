/*
 * cmd_ops.c: client API commands for operators: names, the human names
 * of the codes that mentorctl shows (competencies, occupations,
 * clusters, listing ids, this node's id), and the health part of status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cmd.h"
#include "frameworks.h"
#include "match.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "peer.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define CERT_WARN_MS	(30LL * 86400 * 1000)	/* warn this long before */
#define DISK_WARN_PCT	5			/* free space under this */
#define REFUSED_WARN_MS	(86400LL * 1000)	/* a refused application */
#define SYNC_DEFAULT_S	60	/* [peer] sync_interval_s, as peer.c */
#define SYNC_GRACE_MS	60000	/* a late reconciliation, beyond 3 rounds */

#define NAMES_MAX	1000	/* codes in one request */

/* title: the title of a live listing by its 32-hex id, or NULL. */
static const char *
title(const struct node *n, const char *hex)
{
	const struct match_index *mi = matching_index(n);
	uint8_t addr[REC_ADDR_LEN];

	if (mi == NULL || strlen(hex) != 2 * REC_ADDR_LEN ||
	    hex_decode(addr, sizeof(addr), hex) != 0)
		return NULL;
	return match_title(mi, addr);
}

/* name_of: the name of one code, as cmd_names finds it, or NULL. */
static const char *
name_of(struct node *n, const char *code)
{
	const struct frameworks *fw = matching_frameworks(n);
	const char *name;

	if (strcmp(code, n->id_hex) == 0)
		return n->conf.name;
	if ((name = title(n, code)) != NULL || fw == NULL)
		return name;
	if ((name = fw_competency_name(fw, code)) == NULL &&
	    (name = fw_cluster_name(fw, code)) == NULL)
		name = fw_occupation_title(fw, code);
	return name;
}

static void
add_name(struct node *n, json_t *names, const char *code)
{
	const char *name;

	if (code && json_object_get(names, code) == NULL &&
	    (name = name_of(n, code)) != NULL)
		json_object_set_new(names, code, json_string(name));
}

json_t *
cmd_names_for(struct node *n, const json_t *obj)
{
	static const char *const lists[] = { "clusters", "occupations" };
	static const char *const items[] = { "requires", "develops" };
	const json_t *goals = json_object_get(obj, "goals"), *v, *comps;
	const char *k;
	json_t *names;
	size_t i, j;

	if ((names = json_object()) == NULL)
		return NULL;
	comps = json_object_get(obj, "competencies");
	json_object_foreach((json_t *)comps, k, v)
		add_name(n, names, k);
	for (i = 0; i < 2; i++) {
		json_array_foreach(json_object_get(goals, lists[i]), j, v)
			add_name(n, names, json_string_value(v));
		json_array_foreach(json_object_get(obj, lists[i]), j, v)
			add_name(n, names, json_string_value(v));
		json_array_foreach(json_object_get(obj, items[i]), j, v)
			add_name(n, names, json_string_value(
			    json_object_get(v, "competency")));
	}
	add_name(n, names, json_string_value(json_object_get(obj, "listing")));
	return names;
}

/*
 * cmd_names: {"codes": [CODE...]} -> {CODE: NAME} for the codes the node
 * knows; unknown codes are left out.
 */
int
cmd_names(struct cmd_ctx *c)
{
	json_t *codes = json_object_get(c->req->args, "codes"), *v;
	const char *code, *name;
	size_t i;

	if (!json_is_array(codes))
		return cmd_fail(c, MENTOR_EINVAL, "codes: expected an array "
		    "of strings");
	if (json_array_size(codes) > NAMES_MAX)
		return cmd_fail(c, MENTOR_ETOOBIG, "codes: at most %d",
		    NAMES_MAX);
	if ((c->result = json_object()) == NULL)
		return MENTOR_ENOMEM;
	json_array_foreach(codes, i, v) {
		if ((code = json_string_value(v)) == NULL)
			return cmd_fail(c, MENTOR_EINVAL, "codes: item %zu: "
			    "must be a string", i + 1);
		name = name_of(c->node, code);
		if (name && json_object_set_new(c->result, code,
		    json_string(name)) != 0)
			return MENTOR_ENOMEM;
	}
	return 0;
}

/* warn: appends one formatted warning to the array. */
static void
warn(json_t *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(json_t *arr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(buf));
}

/* ago: "45 s", "12 min", "5 h" or "3 days" for a span of ms. */
static void
ago(char *out, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 120)
		snprintf(out, len, "%lld s", (long long)s);
	else if (s < 7200)
		snprintf(out, len, "%lld min", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(out, len, "%lld h", (long long)(s / 3600));
	else
		snprintf(out, len, "%lld days", (long long)(s / 86400));
}

void
ops_health_warn(const struct ops_health *h, json_t *w)
{
	char cert[24] = "", span[32];
	int64_t late;

	if (h->cert_expires) {
		time_format(cert, h->cert_expires);
		/* "2027-11-30T09:39:00Z" as "2027-11-30 09:39 UTC" */
		cert[10] = ' ';
		memcpy(cert + 16, " UTC", 5);
	}
	if (h->cert_expires && h->cert_expires <= h->now)
		warn(w, "this node's certificate from hub %s expired on %s; "
		    "its listings are no longer relayed", h->cert_hub, cert);
	else if (h->cert_expires && h->cert_expires - h->now < CERT_WARN_MS)
		warn(w, "this node's certificate from hub %s expires on %s "
		    "(in %lld days); the hub renews it when connected",
		    h->cert_hub, cert,
		    (long long)((h->cert_expires - h->now) / 86400000));
	if (h->peers > h->connected)
		warn(w, "%zu of %zu peers not connected (mentorctl peer list)",
		    h->peers - h->connected, h->peers);
	if (h->suspended)
		warn(w, "%zu peer%s suspended for sending invalid records",
		    h->suspended, h->suspended == 1 ? "" : "s");
	/*
	 * Connected peers reconcile every sync_every: three missed rounds
	 * and a minute more mean reconciliation is stuck or failing.
	 */
	late = 3 * h->sync_every + SYNC_GRACE_MS;
	if (h->connected && h->sync_every) {
		if (h->last_sync && h->now - h->last_sync > late) {
			ago(span, sizeof(span), h->now - h->last_sync);
			warn(w, "last reconciliation %s ago, though peers are "
			    "connected and it runs every %lld s (mentorctl "
			    "peer list; mentorctl sync)", span,
			    (long long)(h->sync_every / 1000));
		} else if (!h->last_sync && h->now - h->started > late) {
			ago(span, sizeof(span), h->now - h->started);
			warn(w, "no reconciliation since the node started %s "
			    "ago, though peers are connected (mentorctl peer "
			    "list; mentorctl sync)", span);
		}
	}
	/*
	 * The map doubles when full: it needs that much more disk, and it
	 * cannot grow past map_max.
	 */
	if (h->mapsize && h->used * 10 >= h->mapsize * 9 &&
	    h->mapsize >= h->map_max)
		warn(w, "store: %llu%% of the LMDB map in use, and the map is "
		    "at its largest (%llu GiB); compact the store (mentorctl "
		    "store compact)",
		    (unsigned long long)(h->used * 100 / h->mapsize),
		    (unsigned long long)(h->map_max >> 30));
	else if (h->mapsize && h->used * 10 >= h->mapsize * 9 &&
	    h->disk_total && h->disk_avail < h->mapsize)
		warn(w, "store: %llu%% of the LMDB map in use and %llu MiB "
		    "free on disk, too little to grow it (%llu MiB more)",
		    (unsigned long long)(h->used * 100 / h->mapsize),
		    (unsigned long long)(h->disk_avail >> 20),
		    (unsigned long long)(h->mapsize >> 20));
	else if (h->disk_total &&
	    h->disk_avail * 100 < h->disk_total * DISK_WARN_PCT)
		warn(w, "disk: only %llu MiB (%llu%%) free where the store "
		    "lives", (unsigned long long)(h->disk_avail >> 20),
		    (unsigned long long)(h->disk_avail * 100 / h->disk_total));
	if (h->no_frameworks)
		warn(w, "no reference data: matching shows codes, not names "
		    "(see data_dir in mentord(8))");
	/*
	 * Applications (or answers, placement messages) refused because
	 * their sender is not trusted here: nobody else will tell the
	 * operator, and the student waits.  Said for a day after the last,
	 * unless whom the node trusts has changed since (peers_health).
	 */
	if (h->refused_directed && h->now - h->refused_at < REFUSED_WARN_MS) {
		ago(span, sizeof(span), h->now - h->refused_at);
		warn(w, "%llu %s addressed to this node refused, the last %s "
		    "ago: the sender is not trusted here (to take them: "
		    "mentorctl trust add %s, or trust add --hub the hub that "
		    "certifies it)",
		    (unsigned long long)h->refused_directed,
		    h->refused_directed == 1 ? "application or message" :
		    "applications or messages", span, h->refused_author);
	}
}

int
ops_status_health(struct node *n, json_t *st)
{
	struct peers_health ph;
	struct ops_health h;
	struct statvfs vfs;
	char last[21] = "", cert[21] = "";
	json_t *w;

	if ((w = json_array()) == NULL)
		return MENTOR_ENOMEM;
	memset(&h, 0, sizeof(h));
	peers_health(n->peers, &ph);
	store_stat(n->store, &h.used, &h.mapsize);
	if (statvfs(n->dir, &vfs) == 0) {
		h.disk_avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		h.disk_total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	}
	h.now = now_ms();
	h.started = n->started_ms;
	h.peers = ph.peers;
	h.connected = ph.connected;
	h.suspended = ph.suspended;
	h.last_sync = ph.last_sync_ms;
	h.sync_every = n->conf.no_auto_sync ? 0 :
	    (n->conf.sync_s ? n->conf.sync_s : SYNC_DEFAULT_S) * 1000LL;
	h.cert_expires = ph.cert_expires_ms;
	h.cert_hub = ph.cert_hub;
	h.map_max = STORE_MAP_MAX;
	h.no_frameworks = matching_frameworks(n) == NULL;
	h.refused_directed = ph.refused_directed;
	h.refused_at = ph.refused_at;
	snprintf(h.refused_author, sizeof(h.refused_author), "%s",
	    ph.refused_author);
	ops_health_warn(&h, w);
	if (ph.last_sync_ms)
		time_format(last, ph.last_sync_ms);
	if (ph.cert_expires_ms)
		time_format(cert, ph.cert_expires_ms);
	if (json_object_set_new(st, "peers_connected",
	    json_integer((json_int_t)ph.connected)) != 0 ||
	    json_object_set_new(st, "last_sync", json_string(last)) != 0 ||
	    json_object_set_new(st, "store_map_bytes",
	    json_integer((json_int_t)h.mapsize)) != 0 ||
	    json_object_set_new(st, "disk_free_bytes",
	    json_integer((json_int_t)h.disk_avail)) != 0 ||
	    json_object_set_new(st, "cert_expires", json_string(cert)) != 0 ||
	    json_object_set_new(st, "syncing", json_pack("{s:I,s:I,s:I}",
	    "peers", (json_int_t)ph.syncing, "to_fetch",
	    (json_int_t)ph.to_fetch, "delivered",
	    (json_int_t)ph.delivered)) != 0 ||
	    json_object_set_new(st, "warnings", w) != 0)
		return MENTOR_ENOMEM;
	return 0;
}
