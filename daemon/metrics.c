/*
 * metrics.c: counters and the /metrics endpoint (Prometheus text format).
 * Gauges are read when rendered (store, records, peers); counters are
 * kept here, bumped by records.c (verdicts) and cmd.c (API requests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "log.h"
#include "mentor.h"
#include "metrics.h"
#include "node.h"
#include "peer.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define API_CMDS_MAX	64	/* distinct command names counted */

/* Refusal reasons: the label of each verdict code (others: "other"). */
static const struct {
	int		 code;
	const char	*reason;
} reasons[] = {
	{ MENTOR_EDUP,		"duplicate" },
	{ MENTOR_ESTALE,	"stale" },
	{ MENTOR_EWITHDRAWN,	"withdrawn" },
	{ MENTOR_EEXPIRED,	"expired" },
	{ MENTOR_EFUTURE,	"future" },
	{ MENTOR_EUNTRUSTED,	"untrusted" },
	{ MENTOR_ESIG,		"signature" },
	{ MENTOR_EINVAL,	"invalid" },
	{ MENTOR_ETRUNC,	"invalid" },
	{ MENTOR_EVERSION,	"version" },
	{ MENTOR_ETOOBIG,	"too_big" },
	{ MENTOR_ESTORE,	"store" },
};
#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))

/* Request duration buckets, seconds (le="..."). */
static const double buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10,
};
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

/* HTTP statuses the web sends, the code label (others: "other"). */
static const int web_codes[] = {
	200, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500,
};
#define NCODES		(sizeof(web_codes) / sizeof(web_codes[0]))

static const char *const web_handlers[METRICS_WEB_N] = {
	"page", "api", "auth", "metrics",
};

struct histogram {
	uint64_t	 n[NBUCKETS + 1];	/* last: +Inf */
	double		 sum;
	uint64_t	 count;
};

struct api_count {
	const char	*cmd;		/* the command table's string */
	uint64_t	 ok, err;
};

struct metrics {
	struct evhttp	*http;
	uint64_t	 stored;
	uint64_t	 refused[NREASONS + 1];	/* last: other */
	struct api_count api[API_CMDS_MAX + 1];	/* last: unknown */
	size_t		 napi;
	struct histogram api_hist;
	uint64_t	 web[METRICS_WEB_N][NCODES + 1];	/* last: other */
	struct histogram web_hist[METRICS_WEB_N];
};

static void
observe(struct histogram *h, double seconds)
{
	size_t i;

	for (i = 0; i < NBUCKETS && seconds > buckets[i]; i++)
		;
	h->n[i]++;
	h->sum += seconds;
	h->count++;
}

double
metrics_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
metrics_record(struct node *n, int code)
{
	struct metrics *m = n ? n->metrics : NULL;
	size_t i;

	if (m == NULL)
		return;
	if (code == 0) {
		m->stored++;
		return;
	}
	for (i = 0; i < NREASONS && reasons[i].code != code; i++)
		;
	m->refused[i]++;
}

void
metrics_api(struct node *n, const char *cmd, int rc, double seconds)
{
	struct metrics *m = n ? n->metrics : NULL;
	struct api_count *a = NULL;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; cmd && i < m->napi; i++)
		if (m->api[i].cmd == cmd || strcmp(m->api[i].cmd, cmd) == 0) {
			a = &m->api[i];
			break;
		}
	if (a == NULL && cmd && m->napi < API_CMDS_MAX) {
		a = &m->api[m->napi++];
		a->cmd = cmd;
	}
	if (a == NULL)
		a = &m->api[API_CMDS_MAX];	/* unknown commands */
	if (rc == 0)
		a->ok++;
	else
		a->err++;
	observe(&m->api_hist, seconds);
}

void
metrics_web(struct node *n, int handler, int status, double seconds)
{
	struct metrics *m = n ? n->metrics : NULL;
	size_t i;

	if (m == NULL || handler < 0 || handler >= METRICS_WEB_N)
		return;
	for (i = 0; i < NCODES && web_codes[i] != status; i++)
		;
	m->web[handler][i]++;
	observe(&m->web_hist[handler], seconds);
}

struct counts {
	size_t	students, records;
};

static int
count_fn(struct store_txn *t, void *arg)
{
	struct counts *k = arg;

	k->students = store_count(t, DB_STUDENTS);
	k->records = store_count(t, DB_RECORDS);
	return 0;
}

/* family: the # HELP and # TYPE lines of one metric. */
static void
family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
gauge(struct evbuffer *b, const char *name, const char *help, double v)
{
	family(b, name, "gauge", help);
	evbuffer_add_printf(b, "%s %.15g\n", name, v);
}

static void
counter(struct evbuffer *b, const char *name, const char *help, uint64_t v)
{
	family(b, name, "counter", help);
	evbuffer_add_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

/*
 * histogram_lines: the _bucket, _sum and _count lines of one histogram
 * (h NULL: all zero); label is "" or one 'NAME="VALUE"'.
 */
static void
histogram_lines(struct evbuffer *b, const char *name, const char *label,
    const struct histogram *h)
{
	const char *comma = *label ? "," : "", *lb = *label ? "{" : "",
	    *rb = *label ? "}" : "";
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i <= NBUCKETS; i++) {
		cum += h ? h->n[i] : 0;
		if (i < NBUCKETS)
			evbuffer_add_printf(b, "%s_bucket{%s%sle=\"%g\"} "
			    "%llu\n", name, label, comma, buckets[i],
			    (unsigned long long)cum);
		else
			evbuffer_add_printf(b, "%s_bucket{%s%sle=\"+Inf\"} "
			    "%llu\n", name, label, comma,
			    (unsigned long long)cum);
	}
	evbuffer_add_printf(b, "%s_sum%s%s%s %.9f\n%s_count%s%s%s %llu\n",
	    name, lb, label, rb, h ? h->sum : 0.0, name, lb, label,
	    rb, (unsigned long long)(h ? h->count : 0));
}

int
metrics_render(struct node *n, struct evbuffer *b)
{
	struct metrics *m = n->metrics;
	struct peers_health h;
	struct counts k = { 0, 0 };
	uint64_t used = 0, mapsize = 0;
	size_t i;
	int rc;

	if ((rc = store_read(n->store, count_fn, &k)) != 0)
		return rc;
	store_stat(n->store, &used, &mapsize);
	peers_health(n->peers, &h);

	family(b, "mentord_build_info", "gauge",
	    "Version and role of this node (always 1).");
	evbuffer_add_printf(b, "mentord_build_info{version=\"%s\",role=\"%s\"}"
	    " 1\n", MENTOR_VERSION, node_role_name(n->conf.role));
	gauge(b, "mentord_start_time_seconds", "When the node started, in "
	    "seconds since 1970.", (double)n->started_ms / 1000.0);
	gauge(b, "mentord_listings", "Live listings held (own and federated).",
	    (double)records_live_listings(n->records));
	gauge(b, "mentord_students", "Students on this node (count only).",
	    (double)k.students);
	gauge(b, "mentord_records", "Signed records in the store.",
	    (double)k.records);
	gauge(b, "mentord_peers", "Peers added.", (double)h.peers);
	gauge(b, "mentord_peers_connected", "Peers connected now.",
	    (double)h.connected);
	gauge(b, "mentord_peers_suspended", "Peers suspended for invalid "
	    "records.", (double)h.suspended);
	gauge(b, "mentord_last_sync_time_seconds", "End of the newest "
	    "reconciliation, seconds since 1970 (0: never).",
	    (double)h.last_sync_ms / 1000.0);
	gauge(b, "mentord_certificate_expiry_time_seconds", "Earliest expiry "
	    "of this node's certificates from hubs, seconds since 1970 (0: "
	    "none).", (double)h.cert_expires_ms / 1000.0);

	counter(b, "mentord_records_stored_total", "Records stored (from "
	    "peers, imports and this node).", m ? m->stored : 0);
	family(b, "mentord_records_refused_total", "counter",
	    "Records refused, by reason.");
	for (i = 0; i <= NREASONS; i++) {
		/* "invalid" has two codes: print each label once. */
		size_t j;
		uint64_t v = m ? m->refused[i] : 0;

		if (i < NREASONS) {
			for (j = 0; j < i && strcmp(reasons[j].reason,
			    reasons[i].reason) != 0; j++)
				;
			if (j < i)
				continue;
			for (j = i + 1; j < NREASONS; j++)
				if (strcmp(reasons[j].reason,
				    reasons[i].reason) == 0 && m)
					v += m->refused[j];
		}
		evbuffer_add_printf(b, "mentord_records_refused_total"
		    "{reason=\"%s\"} %llu\n", i < NREASONS ? reasons[i].reason :
		    "other", (unsigned long long)v);
	}
	family(b, "mentord_peer_records_total", "counter", "Records received "
	    "from and sent to peers by reconciliation.");
	evbuffer_add_printf(b, "mentord_peer_records_total{direction="
	    "\"in\"} %llu\nmentord_peer_records_total{direction=\"out\"} "
	    "%llu\n", (unsigned long long)h.records_in,
	    (unsigned long long)h.records_out);
	family(b, "mentord_peer_records_refused_total", "counter",
	    "Records from peers refused as invalid or untrusted.");
	evbuffer_add_printf(b, "mentord_peer_records_refused_total{reason="
	    "\"invalid\"} %llu\nmentord_peer_records_refused_total{reason="
	    "\"untrusted\"} %llu\n", (unsigned long long)h.invalid,
	    (unsigned long long)h.untrusted);
	counter(b, "mentord_peer_records_throttled_total", "Valid records "
	    "from peers beyond their per-peer limits (they waited behind "
	    "other peers' records).", h.throttled_valid);
	family(b, "mentord_peer_requests_limited_total", "counter",
	    "Requests from peers beyond their per-peer limits, by kind: ids "
	    "announced, reconciliation messages, records asked for, "
	    "directed records to relay, acknowledgements, PINGs.");
	evbuffer_add_printf(b, "mentord_peer_requests_limited_total{kind="
	    "\"announce\"} %llu\nmentord_peer_requests_limited_total{kind="
	    "\"recon\"} %llu\nmentord_peer_requests_limited_total{kind="
	    "\"want\"} %llu\nmentord_peer_requests_limited_total{kind="
	    "\"relay\"} %llu\nmentord_peer_requests_limited_total{kind="
	    "\"ack\"} %llu\nmentord_peer_requests_limited_total{kind="
	    "\"ping\"} %llu\n", (unsigned long long)h.limited_announce,
	    (unsigned long long)h.limited_recon,
	    (unsigned long long)h.limited_want,
	    (unsigned long long)h.limited_relay,
	    (unsigned long long)h.limited_ack,
	    (unsigned long long)h.limited_ping);
	family(b, "mentord_reconciliations_total", "counter",
	    "Reconciliations with peers that ended, by result.");
	evbuffer_add_printf(b, "mentord_reconciliations_total{result=\"ok\"} "
	    "%llu\nmentord_reconciliations_total{result=\"failed\"} %llu\n",
	    (unsigned long long)(h.syncs - h.sync_failures),
	    (unsigned long long)h.sync_failures);
	counter(b, "mentord_reconciliation_rounds_total", "Round trips of "
	    "reconciliations.", h.rounds);
	family(b, "mentord_reconciliation_bytes_total", "counter",
	    "Bytes of reconciliation and record transfer with peers.");
	evbuffer_add_printf(b, "mentord_reconciliation_bytes_total{direction="
	    "\"sent\"} %llu\nmentord_reconciliation_bytes_total{direction="
	    "\"received\"} %llu\n", (unsigned long long)h.bytes_sent,
	    (unsigned long long)h.bytes_received);

	family(b, "mentord_api_requests_total", "counter",
	    "Client API requests, by command and result.");
	for (i = 0; m && i <= API_CMDS_MAX; i++) {
		const struct api_count *a = &m->api[i];

		if (i == m->napi)
			i = API_CMDS_MAX;	/* then the unknown ones */
		if (i == API_CMDS_MAX && a->ok + a->err == 0)
			break;
		evbuffer_add_printf(b, "mentord_api_requests_total{command="
		    "\"%s\",result=\"ok\"} %llu\n"
		    "mentord_api_requests_total{command=\"%s\",result="
		    "\"error\"} %llu\n", a->cmd ? a->cmd : "unknown",
		    (unsigned long long)a->ok, a->cmd ? a->cmd : "unknown",
		    (unsigned long long)a->err);
	}
	family(b, "mentord_api_request_duration_seconds", "histogram",
	    "Time to answer a client API request.");
	histogram_lines(b, "mentord_api_request_duration_seconds", "",
	    m ? &m->api_hist : NULL);

	family(b, "mentord_web_requests_total", "counter",
	    "Web requests answered, by handler and HTTP status.");
	for (i = 0; i < METRICS_WEB_N; i++) {
		size_t j;

		for (j = 0; j <= NCODES; j++) {
			uint64_t v = m ? m->web[i][j] : 0;
			char code[16];

			/* Every handler's 200 always; the others once seen. */
			if (v == 0 && j != 0)
				continue;
			if (j < NCODES)
				snprintf(code, sizeof(code), "%d",
				    web_codes[j]);
			else
				snprintf(code, sizeof(code), "other");
			evbuffer_add_printf(b, "mentord_web_requests_total{"
			    "handler=\"%s\",code=\"%s\"} %llu\n",
			    web_handlers[i], code, (unsigned long long)v);
		}
	}
	family(b, "mentord_web_request_duration_seconds", "histogram",
	    "Time to answer a web request, by handler.");
	for (i = 0; i < METRICS_WEB_N; i++) {
		char label[32];

		snprintf(label, sizeof(label), "handler=\"%s\"",
		    web_handlers[i]);
		histogram_lines(b, "mentord_web_request_duration_seconds",
		    label, m ? &m->web_hist[i] : NULL);
	}

	gauge(b, "mentord_store_used_bytes", "Bytes of the LMDB map in use.",
	    (double)used);
	gauge(b, "mentord_store_map_bytes", "Size of the LMDB map (it grows "
	    "by doubling up to 1 TiB).", (double)mapsize);
	gauge(b, "mentord_store_map_used_ratio", "Used bytes over the map "
	    "size.", mapsize ? (double)used / (double)mapsize : 0);
	return 0;
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct node *n = arg;
	struct evbuffer *b;
	const char *uri = evhttp_request_get_uri(req);

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, "only GET");
		return;
	}
	if (uri == NULL || (strcmp(uri, "/metrics") != 0 &&
	    strncmp(uri, "/metrics?", 9) != 0)) {
		evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if (metrics_render(n, b) != 0) {
		evbuffer_free(b);
		evhttp_send_error(req, HTTP_INTERNAL, "store failed");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

/* split_hostport: "127.0.0.1:9464" or "[::1]:9464" into host and port. */
static int
split_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	size_t hl;
	long p;

	if (colon == NULL)
		return MENTOR_EINVAL;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= hostlen)
		return MENTOR_EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return MENTOR_EINVAL;
	*port = (int)p;
	return 0;
}

int
metrics_open(struct node *n, char *err, size_t errlen)
{
	struct metrics *m;
	char host[256];
	int port;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return MENTOR_ENOMEM;
	n->metrics = m;
	if (n->conf.metrics_listen[0] == '\0')
		return 0;
	if (split_hostport(n->conf.metrics_listen, host, sizeof(host),
	    &port) != 0) {
		snprintf(err, errlen, "[metrics] listen: \"%s\" is not "
		    "HOST:PORT", n->conf.metrics_listen);
		return MENTOR_EINVAL;
	}
	if ((m->http = evhttp_new(n->base)) == NULL)
		return MENTOR_ENOMEM;
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_timeout(m->http, 10);
	evhttp_set_gencb(m->http, on_request, n);
	if (evhttp_bind_socket(m->http, host, (uint16_t)port) != 0) {
		snprintf(err, errlen, "[metrics] listen: cannot listen on %s",
		    n->conf.metrics_listen);
		return MENTOR_EIO;
	}
	log_info("metrics on http://%s/metrics", n->conf.metrics_listen);
	if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
	    strcmp(host, "localhost") != 0)
		log_warn("metrics: %s is not a loopback address; anyone who "
		    "reaches it sees this node's counts", host);
	return 0;
}

void
metrics_close(struct node *n)
{
	if (n->metrics == NULL)
		return;
	if (n->metrics->http)
		evhttp_free(n->metrics->http);
	free(n->metrics);
	n->metrics = NULL;
}
