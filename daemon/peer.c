/*
 * peer.c: links between nodes over ZeroMQ with CURVE.  Every node binds a
 * ROUTER (if it has a listen endpoint) and connects one DEALER to each
 * peer it added with an endpoint.  Requests travel on the DEALER, answers
 * come back on it; the ROUTER answers what arrives from peers.  A peer
 * added without an endpoint dials in: this node's requests to it go out on
 * the ROUTER, addressed by the routing id of its connection, and it answers
 * them on its DEALER, so everything flows both ways on its one connection
 * (SPEC.md 12.1).  The ZAP handler admits only the CURVE keys of added
 * peers and is bound before the listener, so a node never accepts a
 * connection it cannot authenticate.
 *
 * ZMQ_FD is edge-triggered: each socket's callback drains it while
 * ZMQ_EVENTS says POLLIN; because a send can consume the edge, every send
 * re-arms the socket's event with event_active().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>
#include <zmq.h>

#include "apps.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "peer.h"
#include "peermsg.h"
#include "recon.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define PEERS_MAX	256
#define ZAP_EP		"inproc://zeromq.zap.01"
#define BATCH		64		/* messages per callback */
#define FRAME_LIMIT	(500u << 10)	/* reconciliation message budget */
#define CHUNK		(4u << 20)	/* records per PUSH / RECORDS */
#define INVALID_MAX	50		/* faults before suspension (peer_fault) */
#define SUSPEND_MS	(10 * 60 * 1000)
#define SYNC_STALL_MS	15000
#define WANT_WINDOW	4		/* WANTs in flight */
/*
 * Limits on what one peer can make this node hold or do (SPEC.md 11.9,
 * 12.4).  Answers to a peer go through the ROUTER, whose queue to each
 * peer holds at most ROUTER_HWM messages of at most REPLY_CHUNK bytes;
 * when it is full, the peer's WANTs wait (at most WANT_PENDING of them)
 * until it reads.  Records that arrive wait in a per-peer inbox of at
 * most INBOX_MAX bytes and are verified SLICE records at a time on every
 * core, off the event loop, SLICES_MAX slices at once (on_inbox), and
 * stored up to GROUP_MAX verified slices a transaction (slices_store); past
 * INBOX_DEFER bytes queued, what a peer announces is fetched later, by
 * reconciliation once its inbox is empty.
 */
#define ROUTER_HWM	8
#define REPLY_CHUNK	(1u << 20)
#define WANT_PENDING	4		/* WANTs of one peer being answered */
#define RESUME_MS	20		/* retry a peer's parked answers */
#define INBOX_MAX	(16u << 20)
#define INBOX_DEFER	(INBOX_MAX / 2)
#define WANT_ROOM	(INBOX_MAX / 2)	/* inbox bytes that stop WANTs */
#define SLICE		1024		/* records per slice */
#define SLICES_MAX	12		/* slices verifying or waiting */
#define GROUP_MAX	8		/* verified slices a transaction */
/*
 * Per-peer limits on valid traffic (SPEC.md 12.4): for each kind of thing
 * a peer sends or asks of this node, token buckets of items and bytes a
 * second ([peer] limit_*_per_s and limit_burst_s in mentord.conf; 0: no
 * limit).  The defaults are far above what an honest peer needs; those
 * on records and WANTs give way when no other peer is waiting (lim_info).
 */
#define LIMIT_RECORDS	2000
#define LIMIT_BYTES	(4 << 20)
#define LIMIT_BURST_S	2
#define LIMIT_ANNOUNCE	10000		/* ids announced */
#define LIMIT_RECON	50		/* reconciliation messages */
#define LIMIT_WANT	5000		/* records asked for (WANT) */
#define LIMIT_WANT_BYTES (16 << 20)	/* ... and their bytes */
#define LIMIT_RELAY	200		/* DELIVERs relayed for others */
#define LIMIT_RELAY_BYTES (1 << 20)	/* ... and their bytes */
#define LIMIT_ACK	400		/* ACKs (each a signature check) */
#define LIMIT_PING	20		/* PINGs: twice the shortest heartbeat */
#define CONTEND_MS	100	/* a peer served this recently is waiting */
#define ROUNDS_BASE	64		/* reconciliation rounds, plus ... */
#define ROUNDS_PER_IDS	8000		/* ... one per this many items held */
#define NEED_MAX	(1u << 18)	/* ids fetched per session */
#define UNTRUSTED_MAX	1000		/* untrusted pushed records a minute */
#define UNTRUSTED_WIN_MS 60000
#define THROTTLE_MS	60000		/* then its PUSHes are dropped */
#define CERT_LIFE_MS	(365LL * 86400 * 1000)
#define CERT_RENEW_MS	(30LL * 86400 * 1000)	/* and at every start */
#define REFUSED_MAX	16		/* refused keys remembered */
/*
 * Directed records (SPEC.md 12.6): a relay holds at most HELD_MAX of them
 * and HELD_BYTES in all, each until its recipient's ACK passes or HELD_MS; a copy that comes
 * back within REFWD_MS (a loop between hubs) is not forwarded again.
 */
#define HELD_MAX	4096
#define HELD_BYTES	(64u << 20)
#define HELD_MS		(24LL * 3600 * 1000)
#define REFWD_MS	1000
#define ACKS_SEEN	256
#define PEND_ACK_MAX	256
#define DLV_PREFIX	"dlv:"	/* DB_AUX: "dlv:" id -> to(32) state(1) ref */
#define DLV_KEY_LEN	(4 + REC_ID_LEN)
/*
 * Announce, then fetch (SPEC.md 12.3): new records are announced by id;
 * an id asked of one peer is not asked of another for FETCH_WAIT_MS.
 */
#define ASKED_MAX	4096
#define FETCH_WAIT_MS	2000
#define RID_MAX		256

enum sync_state { SYNC_IDLE, SYNC_RECON, SYNC_FETCH };

/* A WANT being answered: sorted, distinct ids; the reply's routing id. */
struct want_job {
	uint8_t		(*ids)[REC_ID_LEN];
	size_t		 n, pos;
	uint32_t	 session;
	uint8_t		 rid[RID_MAX];
	size_t		 rid_len;
	int		 on_dealer;	/* the WANT came on our DEALER */
};

/*
 * Where a request arrived, hence where its answer goes: the ROUTER (with
 * the routing id of the asking connection) or the peer's DEALER (rid NULL).
 */
struct chan {
	void		*sock;
	struct event	*ev;
	const uint8_t	*rid;
	size_t		 rid_len;
};

/* A directed record this node relays (not its sender or recipient). */
struct held {
	uint8_t		 id[REC_ID_LEN];
	uint8_t		 to[REC_KEY_LEN];
	uint8_t		*msg;		/* the whole DELIVER message */
	size_t		 len;
	int64_t		 since, fwd;	/* fwd: last forwarded, 0: never */
};

struct seen {
	uint8_t		 id[REC_ID_LEN];
	int64_t		 at;
};

/* A connection the ZAP handler refused (peer refused). */
struct refused {
	uint8_t		curve[32];
	char		address[64];
	int64_t		first, last;
	uint64_t	count;
};

/* A PUSH or RECORDS message waiting to be verified, SLICE at a time. */
struct inwork {
	struct inwork	*next;
	zmq_msg_t	 msg;
	uint8_t		 type;
	uint32_t	 session;
	int		 more;
	const uint8_t	**bufs;
	size_t		*lens;
	uint8_t		(*ids)[REC_ID_LEN];	/* hashed once, here */
	size_t		 n, pos, bytes;
	size_t		 taken;		/* records handed to slices */
	uint64_t	 seq;		/* unique: names it to a slice */
};

/*
 * A slice of an inbox message being verified on the verify threads; up to
 * SLICES_MAX wait in a queue and are stored in the order taken.  It holds
 * its own reference to the message's bytes, so a suspension or removal of
 * the peer meanwhile frees nothing it reads.
 */
struct slice {
	struct slice		*next;
	uint8_t			 key[REC_KEY_LEN];	/* the peer */
	uint64_t		 seq;			/* its inwork */
	zmq_msg_t		 hold;
	const uint8_t		**bufs;
	size_t			*lens, k;
	uint8_t			(*ids)[REC_ID_LEN];
	struct records_verdict	*v;
	struct records_batch	*rb;
	int			 pushed;
	int			 certs;	/* holds certificates: the next
					 * slice waits until it is stored */
	int			 checked;	/* on the spot */
};

/*
 * A token bucket: level in thousandths of a token, filled at a rate a
 * second up to a burst; a slice taken may leave it in debt (no lower than
 * minus the burst), and a peer in debt is over its limit.
 */
struct bucket {
	int64_t		level;
	int64_t		at;		/* last filled, ms; 0: never */
};

/* What a peer's limits count (lim_info). */
enum lim_kind { LIM_RECORDS, LIM_ANNOUNCE, LIM_RECON, LIM_WANT, LIM_RELAY,
	LIM_ACK, LIM_PING, LIM_KINDS };

/* One peer's limit of one kind: items and bytes. */
struct limit {
	struct bucket	 items, bytes;
	int		 over;		/* at the last take */
	uint64_t	 beyond;	/* items taken late, deferred, dropped */
	struct log_rl	 rl;
};

/* A RECON answered later, when the peer is within its limit again. */
struct recon_later {
	uint8_t		*msg;		/* the whole message; NULL: none */
	size_t		 len;
	uint8_t		 rid[RID_MAX];	/* on the ROUTER; 0: our DEALER */
	size_t		 rid_len;
};

struct sync_stats {
	uint64_t	syncs, failures;	/* in totals only */
	unsigned	rounds;
	uint64_t	bytes_sent, bytes_received;
	uint64_t	records_in, records_out;
	uint64_t	ms;		/* duration of the last sync */
};

/*
 * What arrived from a peer, for measuring what a record costs (peer list):
 * whole messages' bytes by type (index 0: malformed; a WANT of a
 * reconciliation apart from one after an ANNOUNCE), the records in
 * PUSH, RECORDS and DELIVER and their own bytes, those of them this node
 * already held (or that repeated within a message), and those refused
 * because their author is not trusted here.
 */
#define RX_WANT_RECON	(PM_ANNOUNCE + 1)	/* WANTs of a reconciliation */

struct rx_stats {
	uint64_t	bytes[RX_WANT_RECON + 1];
	uint64_t	records, record_bytes;
	uint64_t	duplicates, duplicate_bytes;
	uint64_t	untrusted_bytes;	/* refused: author not trusted */
};

struct peer {
	uint8_t		 key[REC_KEY_LEN];
	char		 hex[2 * REC_KEY_LEN + 1];
	uint8_t		 curve_pk[32];
	char		 endpoint[NODE_EP_MAX];
	char		 org[PM_NAME_MAX + 1];
	void		*dealer;
	struct event	*ev;
	void		*mon;		/* events of the DEALER (why not linked) */
	struct event	*mon_ev;
	int		 reached;	/* TCP connected since the link was made */
	int		 refused;	/* its ZAP handler refused this node */
	uint8_t		 rid[RID_MAX];	/* its connection to our ROUTER */
	size_t		 rid_len;
	struct peers	*ps;
	int64_t		 last_rx;	/* anything from the peer */
	int64_t		 dealer_rx;	/* anything on our request link */
	int64_t		 dealer_since;	/* when our link was (re)made */
	int		 connected;	/* our link answers */
	struct pm_hello	 hello;
	int		 have_hello;
	uint64_t	 invalid, untrusted;
	uint8_t		 pushed_fp[16];	/* the ids pushed last (push_ids) */
	uint64_t	 push_skipped;	/* records not pushed again */
	uint64_t	 certs_ignored;	/* certificates it sent, by non-hubs */
	uint64_t	 dropped;	/* messages dropped by the limits */
	int64_t		 suspended_until;
	struct log_rl	 rl;		/* its faults in the log */
	struct log_rl	 rl_untrusted;
	int64_t		 untrusted_since, throttled_until;
	uint64_t	 untrusted_recent;
	struct want_job	 jobs[WANT_PENDING];
	size_t		 njobs;
	struct inwork	*in_head, *in_tail;
	size_t		 in_bytes;
	int		 ann_later;	/* announced while its inbox was full */
	struct limit	 lim[LIM_KINDS];
	struct recon_later recon_later;
	int64_t		 want_at;	/* its WANTs last answered */
	int		 resync;	/* the last session stopped at NEED_MAX */
	uint64_t	 delivered;	/* records in RECORDS this session */
	/* The current or last synchronisation this node started. */
	enum sync_state	 state;
	uint32_t	 session;
	struct recon	*rc;
	uint8_t		(*need)[REC_ID_LEN];
	size_t		 nneed, needpos;
	unsigned	 inflight;	/* WANTs not yet fully answered */
	unsigned	 queued;	/* their RECORDS in the inbox */
	int64_t		 sync_started, last_sync, last_step;
	unsigned	 gen;		/* generation of the last finished sync */
	unsigned	 gen_running;
	int		 sync_failed;
	struct sync_stats st, total;
	struct rx_stats	 rx;
};

struct peers {
	struct node	*node;
	void		*zap, *router;
	struct event	*zap_ev, *router_ev, *tick, *flush;
	struct event	*resume, *inbox, *slice_ev;
	size_t		 rr;		/* next peer whose inbox is served */
	struct slice	*sl_head, *sl_tail;	/* being verified, in order */
	size_t		 nslices;
	int		 slice_pipe[2];	/* the verify threads say: done */
	int64_t		 lim_rate[LIM_KINDS][2];	/* items, bytes a s */
	int64_t		 lim_burst_s;
	uint64_t	 seq;
	struct log_rl	 rl_zap, rl_student;
	struct log_rl	 rl_directed;	/* directed records refused here */
	uint64_t	 refused_directed;	/* ... how many */
	int64_t		 refused_at;		/* ... the last one */
	uint8_t		 refused_author[REC_KEY_LEN];	/* ... its author */
	uint64_t	 refused_gen;	/* records_trust_gen then */
	struct refused	 refused[REFUSED_MAX];
	size_t		 nrefused;
	unsigned	 mon_seq;
	struct held	*held;		/* directed records relayed */
	size_t		 nheld, held_bytes;
	struct seen	 acks[ACKS_SEEN];
	size_t		 nacks;
	uint8_t		 pend[PEND_ACK_MAX][REC_ID_LEN]; /* ack once stored */
	size_t		 npend;
	int		 retry_now;
	int64_t		 last_retry;
	uint64_t	 held_dropped;
	struct seen	 asked[ASKED_MAX];	/* ids fetched after ANNOUNCE */
	size_t		 nasked, asked_next;
	struct peer	*p[PEERS_MAX];
	size_t		 n;
	struct rset	*set;
	uint32_t	 next_session;
	unsigned	 gen;
	int64_t		 heartbeat_ms, sync_ms, last_node_rec, last_certs;
	struct buf {
		uint8_t	*b;
		size_t	 len, cap;
	}		 push;		/* announced to every peer */
	struct buf	 relay;		/* from origin: to the others */
	struct peer	*origin;	/* set while accepting its records */
	/*
	 * Ids refused as untrusted, not fetched again (a reconciliation
	 * finds them missing every time) until whom this node trusts may
	 * have changed (untrusted_gen != records_trust_gen).  An open-
	 * addressing table of UNTRUSTED_IDS slots; ids are hashes, so their
	 * first bytes index it; an all-zero slot is empty.
	 */
	uint8_t		(*untrusted_ids)[REC_ID_LEN];
	size_t		 nuntrusted;
	uint64_t	 untrusted_gen;
	uint64_t	 untrusted_skipped;	/* WANTs not sent for them */
};

#define UNTRUSTED_IDS	(1u << 16)	/* slots; filled to half at most */

/* is_directed: applications and answers travel only toward (12.6). */
static int
is_directed(unsigned kind)
{
	return rec_kind_directed(kind);
}

static struct peer *
find_key(struct peers *ps, const uint8_t *key)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (memcmp(ps->p[i]->key, key, REC_KEY_LEN) == 0)
			return ps->p[i];
	return NULL;
}

static struct peer *
find_curve(struct peers *ps, const uint8_t *curve)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (sodium_memcmp(ps->p[i]->curve_pk, curve, 32) == 0)
			return ps->p[i];
	return NULL;
}

static struct peer *
find_hex(struct peers *ps, const char *hex)
{
	size_t i;

	for (i = 0; hex && i < ps->n; i++)
		if (strcmp(ps->p[i]->hex, hex) == 0)
			return ps->p[i];
	return NULL;
}

/* zsend: one frame (more: ZMQ_SNDMORE) and re-arm the socket's event. */
static int
zsend(void *sock, struct event *ev, const void *buf, size_t len, int more)
{
	int rc;

	rc = zmq_send(sock, buf, len, ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0));
	event_active(ev, EV_READ, 0);
	return rc == -1 ? MENTOR_EUNAVAIL : 0;
}

/* has_link: this node can send requests to p. */
static int
has_link(const struct peer *p)
{
	return p->dealer != NULL || (p->rid_len > 0 && p->ps->router != NULL);
}

/*
 * to_peer: a request on the peer's link: our DEALER to it, or, for a peer
 * that dials in, the ROUTER addressed to its connection.  With
 * ZMQ_ROUTER_MANDATORY a connection that is gone or full fails here.
 */
static int
to_peer(struct peer *p, const void *buf, size_t len)
{
	struct peers *ps = p->ps;

	if (p->dealer != NULL) {
		p->st.bytes_sent += len;
		return zsend(p->dealer, p->ev, buf, len, 0);
	}
	if (!has_link(p))
		return MENTOR_EUNAVAIL;
	if (zmq_send(ps->router, p->rid, p->rid_len, ZMQ_DONTWAIT |
	    ZMQ_SNDMORE) == -1) {
		event_active(ps->router_ev, EV_READ, 0);
		return MENTOR_EUNAVAIL;
	}
	p->st.bytes_sent += len;
	return zsend(ps->router, ps->router_ev, buf, len, 0);
}

static void
my_hello(struct peers *ps, struct pm_hello *h)
{
	struct node *n = ps->node;

	memset(h, 0, sizeof(*h));
	h->role = (uint8_t)n->conf.role;
	snprintf(h->name, sizeof(h->name), "%s", n->conf.name);
	snprintf(h->endpoint, sizeof(h->endpoint), "%s", n->conf.listen);
}

struct buf;
static void send_buf(struct peers *, struct buf *, struct peer *);
struct pm;
static void on_announce(struct peers *, struct peer *, const struct pm *);
static int recon_resume(struct peers *, struct peer *);
static void sync_end(struct peer *, int);
static void want_next(struct peer *);

/* ---- faults, limits ------------------------------------------------- */

static void
inbox_purge(struct peer *p)
{
	struct inwork *w;

	while ((w = p->in_head) != NULL) {
		p->in_head = w->next;
		zmq_msg_close(&w->msg);
		free(w->bufs);
		free(w->lens);
		free(w->ids);
		free(w);
	}
	p->in_tail = NULL;
	p->in_bytes = 0;
}

static void
recon_later_free(struct recon_later *rl)
{
	free(rl->msg);
	rl->msg = NULL;
}

/* jobs_purge: drops the peer's requests waiting to be answered. */
static void
jobs_purge(struct peer *p)
{
	size_t i;

	for (i = 0; i < p->njobs; i++)
		free(p->jobs[i].ids);
	p->njobs = 0;
	recon_later_free(&p->recon_later);
}

/*
 * peer_fault: the peer broke the protocol or a limit (SPEC.md 12.4).
 * Counted; logged at most LOG_RL_BURST times a minute per peer; past
 * INVALID_MAX the peer is disconnected and refused for SUSPEND_MS, and
 * whatever it left queued here is dropped.
 */
static void
peer_fault(struct peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
peer_fault(struct peer *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	p->invalid++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_ratelimited(&p->rl, LOG_WARN, "peer %.16s: %s", p->hex, msg);
	if (p->invalid < INVALID_MAX || p->suspended_until != 0)
		return;
	log_warn("peer %.16s: %llu faults; disconnected for %d min", p->hex,
	    (unsigned long long)p->invalid, SUSPEND_MS / 60000);
	p->suspended_until = now_ms() + SUSPEND_MS;
	if (p->dealer)
		zmq_disconnect(p->dealer, p->endpoint);
	p->rid_len = 0;
	if (p->state != SYNC_IDLE)
		sync_end(p, 1);
	inbox_purge(p);
	jobs_purge(p);
}

/* ---- receiving records from a peer ---------------------------------- */

/*
 * slice_verdicts: counts what happened to n records from peer p (v from
 * records_batch_end); returns how many were stored.  A peer that keeps
 * pushing what this node refuses is throttled.
 */
/* untrusted_slot: where id is, or the empty slot it would take. */
static size_t
untrusted_slot(const struct peers *ps, const uint8_t *id)
{
	static const uint8_t zero[REC_ID_LEN];
	size_t i = (size_t)get_be64(id) & (UNTRUSTED_IDS - 1);

	while (memcmp(ps->untrusted_ids[i], id, REC_ID_LEN) != 0 &&
	    memcmp(ps->untrusted_ids[i], zero, REC_ID_LEN) != 0)
		i = (i + 1) & (UNTRUSTED_IDS - 1);
	return i;
}

/* untrusted_fresh: forgets the ids when whom we trust may have changed. */
static void
untrusted_fresh(struct peers *ps)
{
	uint64_t gen = records_trust_gen(ps->node->records);

	if (ps->untrusted_gen == gen || ps->untrusted_ids == NULL)
		return;
	memset(ps->untrusted_ids, 0, UNTRUSTED_IDS * REC_ID_LEN);
	ps->nuntrusted = 0;
	ps->untrusted_gen = gen;
}

/* untrusted_note: id was refused as untrusted (remembered if room). */
static void
untrusted_note(struct peers *ps, const uint8_t *id)
{
	size_t i;

	untrusted_fresh(ps);
	if (ps->untrusted_ids == NULL && (ps->untrusted_ids =
	    calloc(UNTRUSTED_IDS, REC_ID_LEN)) == NULL)
		return;
	if (ps->nuntrusted >= UNTRUSTED_IDS / 2)
		return;	/* full: those past it are fetched again */
	i = untrusted_slot(ps, id);
	if (memcmp(ps->untrusted_ids[i], id, REC_ID_LEN) != 0) {
		memcpy(ps->untrusted_ids[i], id, REC_ID_LEN);
		ps->nuntrusted++;
	}
}

/* untrusted_known: id was refused as untrusted, and trust is the same. */
static int
untrusted_known(struct peers *ps, const uint8_t *id)
{
	untrusted_fresh(ps);
	if (ps->untrusted_ids == NULL || ps->nuntrusted == 0)
		return 0;
	return memcmp(ps->untrusted_ids[untrusted_slot(ps, id)], id,
	    REC_ID_LEN) == 0;
}

/* directed_refused: notes one for status (its author, if it decodes). */
static void
directed_refused(struct peers *ps, const uint8_t *rec, size_t len)
{
	uint64_t gen = records_trust_gen(ps->node->records);
	struct rec r;

	/* Counted afresh once whom this node trusts has changed. */
	if (gen != ps->refused_gen)
		ps->refused_directed = 0;
	ps->refused_gen = gen;
	ps->refused_directed++;
	ps->refused_at = now_ms();
	if (rec_decode(&r, rec, len) == 0)
		memcpy(ps->refused_author, r.author, REC_KEY_LEN);
}

static size_t
slice_verdicts(struct peer *p, const struct records_verdict *v,
    const uint8_t *const *bufs, const size_t *lens, size_t n, int pushed)
{
	size_t i, stored = 0, untrusted = 0;
	int64_t now;

	for (i = 0; i < n && p->suspended_until == 0; i++) {
		switch (v[i].code) {
		case 0:
			stored++;
			break;
		case MENTOR_EDUP:
			p->rx.duplicates++;
			p->rx.duplicate_bytes += lens[i];
			break;
		case MENTOR_ESTALE:
		case MENTOR_EWITHDRAWN:
		case MENTOR_EEXPIRED:
			break;	/* races of honest peers */
		case MENTOR_EUNTRUSTED:
			p->untrusted++;
			p->rx.untrusted_bytes += lens[i];
			untrusted++;
			untrusted_note(p->ps, v[i].id);
			/*
			 * One addressed to this node is somebody's
			 * application or answer, not noise: the operator
			 * is told, with what would let it in.
			 */
			if (lens[i] > 3 && is_directed(bufs[i][3])) {
				directed_refused(p->ps, bufs[i], lens[i]);
				log_ratelimited(&p->ps->rl_directed, LOG_WARN,
				    "refused %s %s addressed to this node: %s "
				    "(to take them: mentorctl trust add that "
				    "key, or trust add --hub the hub that "
				    "certifies it)", bufs[i][3] == REC_PLACEMENT ?
				    "a" : "an", rec_kind_name(bufs[i][3]),
				    v[i].why);
			} else
				log_ratelimited(&p->rl_untrusted, LOG_DEBUG,
				    "peer %.16s: %s", p->hex, v[i].why);
			break;
		default:
			peer_fault(p, "invalid record: %s", v[i].why);
		}
	}
	now = now_ms();
	if (pushed && untrusted > 0) {
		if (now - p->untrusted_since > UNTRUSTED_WIN_MS) {
			p->untrusted_since = now;
			p->untrusted_recent = 0;
		}
		p->untrusted_recent += untrusted;
		if (p->untrusted_recent > UNTRUSTED_MAX &&
		    p->throttled_until <= now) {
			p->throttled_until = now + THROTTLE_MS;
			log_info("peer %.16s: over %d untrusted records in a "
			    "minute; its pushes are dropped for %d s", p->hex,
			    UNTRUSTED_MAX, THROTTLE_MS / 1000);
		}
	}
	return stored;
}

struct rec_ix {
	uint8_t	id[REC_ID_LEN];
	size_t	i;
};

static int
rec_ix_cmp(const void *a, const void *b)
{
	const struct rec_ix *x = a, *y = b;
	int c = memcmp(x->id, y->id, REC_ID_LEN);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * inbox_distinct: the ids of a message's records (into ids, when it is
 * not NULL: records_batch_begin takes them instead of hashing again), and
 * drops repeats of the same bytes, keeping the order of first copies: a
 * repeat costs a hash, never a signature check.  Returns the new count.
 */
static size_t
inbox_distinct(const uint8_t **bufs, size_t *lens,
    uint8_t (*ids)[REC_ID_LEN], size_t n)
{
	struct rec_ix *ix;
	uint8_t *keep;
	size_t i, k;

	if (ids != NULL) {
		for (i = 0; i < n; i++)
			rec_id(ids[i], bufs[i], lens[i]);
		/* An answer to a WANT comes in id order: no repeat. */
		for (i = 1; i < n && memcmp(ids[i - 1], ids[i],
		    REC_ID_LEN) < 0; i++)
			;
		if (i >= n)
			return n;
	}
	if (n < 2 || (ix = malloc(n * sizeof(*ix))) == NULL)
		return n;
	if ((keep = calloc(n, 1)) == NULL) {
		free(ix);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (ids != NULL)
			memcpy(ix[i].id, ids[i], REC_ID_LEN);
		else
			rec_id(ix[i].id, bufs[i], lens[i]);
		ix[i].i = i;
	}
	qsort(ix, n, sizeof(*ix), rec_ix_cmp);
	for (i = 0; i < n; i++)
		keep[ix[i].i] = i == 0 || memcmp(ix[i].id, ix[i - 1].id,
		    REC_ID_LEN) != 0;
	for (i = k = 0; i < n; i++)
		if (keep[i]) {
			bufs[k] = bufs[i];
			lens[k] = lens[i];
			if (ids != NULL && k != i)
				memcpy(ids[k], ids[i], REC_ID_LEN);
			k++;
		}
	free(keep);
	free(ix);
	return k;
}

/*
 * inbox_add: queues a PUSH or RECORDS message (taken from *msg) for
 * verification.  Certificates and node records go first so that the
 * listings they vouch for are judged after them.  Returns 0, or
 * MENTOR_ETOOBIG when the peer's inbox is full (the message is dropped).
 */
static int
inbox_add(struct peers *ps, struct peer *p, zmq_msg_t *msg,
    const struct pm *m)
{
	struct inwork *w;
	const uint8_t *body, *rec;
	size_t off, reclen, k = 0, boff;
	int pass;

	if (p->in_bytes + m->body_len > INBOX_MAX) {
		p->dropped++;
		return MENTOR_ETOOBIG;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return MENTOR_ENOMEM;
	boff = (size_t)(m->body - (const uint8_t *)zmq_msg_data(msg));
	zmq_msg_init(&w->msg);
	zmq_msg_move(&w->msg, msg);
	/* Small messages live inside the zmq_msg_t: find the body again. */
	body = (const uint8_t *)zmq_msg_data(&w->msg) + boff;
	w->type = m->type;
	w->session = m->session;
	w->more = m->more;
	w->bytes = m->body_len;
	if (m->nrecords > 0 &&
	    ((w->bufs = calloc(m->nrecords, sizeof(*w->bufs))) == NULL ||
	    (w->lens = calloc(m->nrecords, sizeof(*w->lens))) == NULL)) {
		zmq_msg_close(&w->msg);
		free(w->bufs);
		free(w);
		return MENTOR_ENOMEM;
	}
	for (pass = 0; pass < 2; pass++) {
		off = 0;
		while (k < m->nrecords && xs_next(body, m->body_len, &off, &rec,
		    &reclen) == 1) {
			int first = reclen > 3 && (rec[3] == REC_NODE ||
			    rec[3] == REC_CERTIFICATE);

			/* Directed records come only by DELIVER (12.6). */
			if (pass == 0 && m->type != PM_DELIVER && reclen > 3 &&
			    is_directed(rec[3])) {
				p->dropped++;
				continue;
			}
			if (pass == 1 && m->type != PM_DELIVER && reclen > 3 &&
			    is_directed(rec[3]))
				continue;
			if (first == (pass == 0)) {
				w->bufs[k] = rec;
				w->lens[k] = reclen;
				k++;
			}
		}
	}
	for (off = 0; off < k; off++)	/* less the first copies, below */
		p->rx.duplicate_bytes += w->lens[off];
	/* Without room for the ids, records_batch_begin hashes them. */
	if (k > 0)
		w->ids = malloc(k * sizeof(*w->ids));
	w->n = inbox_distinct(w->bufs, w->lens, w->ids, k);
	p->rx.duplicates += k - w->n;
	for (off = 0; off < w->n; off++)
		p->rx.duplicate_bytes -= w->lens[off];
	w->seq = ++ps->seq;
	if (p->in_tail)
		p->in_tail->next = w;
	else
		p->in_head = w;
	p->in_tail = w;
	p->in_bytes += w->bytes;
	if (!evtimer_pending(ps->inbox, NULL)) {
		struct timeval zero = { 0, 0 };

		evtimer_add(ps->inbox, &zero);
	}
	return 0;
}

/*
 * inbox_done: a RECORDS message of the running fetch fully handled makes
 * room in the inbox for the next WANT's answer (want_next).
 */
static void
inbox_done(struct peer *p, const struct inwork *w)
{
	if (p->state != SYNC_FETCH)
		return;
	if (w->type == PM_RECORDS && w->session == p->session &&
	    p->queued > 0)
		p->queued--;
	want_next(p);
}

static void
inbox_arm(struct peers *ps)
{
	struct timeval zero = { 0, 0 };
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->p[i]->in_head) {
			evtimer_add(ps->inbox, &zero);
			return;
		}
}

/*
 * inbox_reap: frees p's oldest messages while they are fully handled.
 * Each is freed before inbox_done moves the fetch on: that may end in a
 * fault that purges the whole inbox (peer_fault).
 */
static void
inbox_reap(struct peer *p)
{
	struct inwork *w, done;

	while ((w = p->in_head) != NULL && w->pos >= w->n) {
		p->in_head = w->next;
		if (p->in_head == NULL)
			p->in_tail = NULL;
		p->in_bytes -= w->bytes;
		memset(&done, 0, sizeof(done));
		done.type = w->type;
		done.session = w->session;
		zmq_msg_close(&w->msg);
		free(w->bufs);
		free(w->lens);
		free(w->ids);
		free(w);
		inbox_done(p, &done);
	}
}

/* inbox_advance: k more records of p's oldest message are done. */
static void
inbox_advance(struct peer *p, struct inwork *w, size_t k, size_t stored)
{
	w->pos += k;
	if (w->type == PM_RECORDS) {
		p->st.records_in += stored;
		p->delivered += k;
		p->last_step = now_ms();
	} else
		p->total.records_in += stored;
	inbox_reap(p);
}

/* inbox_next: p's oldest message with records not yet taken, or NULL. */
static struct inwork *
inbox_next(struct peer *p)
{
	struct inwork *w;

	for (w = p->in_head; w != NULL; w = w->next)
		if (w->taken < w->n)
			return w;
	return NULL;
}

/* ---- limits on valid traffic (SPEC.md 12.4) -------------------------- */

static void
bucket_fill(struct bucket *b, int64_t rate, int64_t burst, int64_t now)
{
	if (b->at == 0 || now < b->at) {
		b->level = burst * 1000;
		b->at = now;
		return;
	}
	b->level += rate * (now - b->at);	/* a second is 1000 ms */
	b->at = now;
	if (b->level > burst * 1000)
		b->level = burst * 1000;
}

static void
bucket_take(struct bucket *b, int64_t n, int64_t burst)
{
	b->level -= n * 1000;
	if (b->level < -burst * 1000)
		b->level = -burst * 1000;
}

/*
 * What each kind of limit counts and what happens beyond it (SPEC.md
 * 12.4).  Records and WANTs are work a peer waits for: beyond its limit
 * it is served after the peers within theirs, at full speed when none is
 * waiting.  What it announces is fetched by reconciliation instead, its
 * reconciliation messages are answered later (one kept, older ones
 * dropped), directed records it sends to be relayed and ACKs are dropped
 * (their senders retry, and a record delivered again is acknowledged
 * again), and PINGs are not answered.
 */
static const struct {
	const char	*name;		/* peer list "limited", /metrics */
	const char	*items;		/* for the log */
	const char	*then;
} lim_info[LIM_KINDS] = {
	{ "records", "records", "its records now wait behind other peers'" },
	{ "announce", "announced ids", "what it announces is fetched by "
	  "reconciliation instead" },
	{ "recon", "reconciliation messages", "they are answered later" },
	{ "want", "records asked for", "its WANTs are answered after other "
	  "peers'" },
	{ "relay", "directed records to relay", "they are dropped (their "
	  "senders retry)" },
	{ "ack", "acknowledgements", "they are dropped unchecked (the records "
	  "they acknowledge are delivered again)" },
	{ "ping", "PINGs", "they are not answered" },
};

/* lim_over: p has used up its items or its bytes of kind k for now. */
static int
lim_over(struct peers *ps, struct peer *p, enum lim_kind k, int64_t now)
{
	struct limit *l = &p->lim[k];
	const int64_t *rate = ps->lim_rate[k];
	int over = 0;

	if (rate[0] > 0) {
		bucket_fill(&l->items, rate[0], rate[0] * ps->lim_burst_s, now);
		over |= l->items.level < 0;
	}
	if (rate[1] > 0) {
		bucket_fill(&l->bytes, rate[1], rate[1] * ps->lim_burst_s, now);
		over |= l->bytes.level < 0;
	}
	return over;
}

/*
 * lim_note: n items of p's of kind k were (over: 1) beyond its limit, or
 * (over: 0) within it.  Beyond, they are counted, and logged (rate-limited)
 * when p goes over.
 */
static void
lim_note(struct peers *ps, struct peer *p, enum lim_kind k, size_t n,
    int over)
{
	struct limit *l = &p->lim[k];
	const int64_t *rate = ps->lim_rate[k];
	char r[48] = "", b[32] = "";

	if (over) {
		l->beyond += n;
		if (rate[0] > 0)
			snprintf(r, sizeof(r), "%lld %s", (long long)rate[0],
			    lim_info[k].items);
		if (rate[1] > 0)
			snprintf(b, sizeof(b), "%s%lld bytes", rate[0] > 0 ?
			    " and " : "", (long long)rate[1]);
		if (!l->over)
			log_ratelimited(&l->rl, LOG_INFO, "peer %.16s: over "
			    "its limits of %s%s a second; %s", p->hex, r, b,
			    lim_info[k].then);
	}
	l->over = over;
}

/* lim_take: n items of bytes bytes of p's of kind k are taken (lim_note). */
static void
lim_take(struct peers *ps, struct peer *p, enum lim_kind k, size_t n,
    size_t bytes, int over)
{
	struct limit *l = &p->lim[k];
	const int64_t *rate = ps->lim_rate[k];

	if (rate[0] > 0)
		bucket_take(&l->items, (int64_t)n, rate[0] * ps->lim_burst_s);
	if (rate[1] > 0)
		bucket_take(&l->bytes, (int64_t)bytes,
		    rate[1] * ps->lim_burst_s);
	lim_note(ps, p, k, n, over);
}

/* limit_over, limit_take: the limits on records a peer delivers. */
static int
limit_over(struct peers *ps, struct peer *p, int64_t now)
{
	return lim_over(ps, p, LIM_RECORDS, now);
}

static void
limit_take(struct peers *ps, struct peer *p, size_t k, size_t bytes,
    int over)
{
	lim_take(ps, p, LIM_RECORDS, k, bytes, over);
}

/*
 * inbox_pick: the peer whose records are verified next, and its message:
 * peers in turn, those within their limits first; a peer over its limit
 * is served only when no other has records waiting (so a bootstrap runs
 * at full speed on an otherwise idle node).  *over says which it was.
 */
static struct peer *
inbox_pick(struct peers *ps, struct inwork **wp, int *over)
{
	struct peer *p, *late = NULL;
	struct inwork *w, *latew = NULL;
	size_t i, latei = 0;
	int64_t now = now_ms();

	for (i = 0; i < ps->n; i++) {
		p = ps->p[(ps->rr + i) % ps->n];
		if ((w = inbox_next(p)) == NULL)
			continue;
		if (!limit_over(ps, p, now)) {
			ps->rr = (ps->rr + i + 1) % ps->n;
			*wp = w;
			*over = 0;
			return p;
		}
		if (late == NULL) {
			late = p;
			latew = w;
			latei = i;
		}
	}
	if (late != NULL) {
		ps->rr = (ps->rr + latei + 1) % ps->n;
		*over = 1;
	}
	*wp = latew;
	return late;
}

/* ---- verifying what peers sent ---------------------------------------- */

static void
slice_free(struct slice *sl)
{
	if (sl == NULL)
		return;
	records_batch_free(sl->rb);	/* waits for the threads on it */
	zmq_msg_close(&sl->hold);
	free(sl->bufs);
	free(sl->lens);
	free(sl->ids);
	free(sl->v);
	free(sl);
}

/*
 * slice_finish: on the loop, once the oldest slice is stored (slices_store):
 * relays what passed, counts the verdicts and moves the inbox on.
 */
static void
slice_finish(struct peers *ps)
{
	struct slice *sl = ps->sl_head;
	struct peer *p;
	uint64_t ignored;
	size_t stored;

	if ((ps->sl_head = sl->next) == NULL)
		ps->sl_tail = NULL;
	ps->nslices--;
	p = find_key(ps, sl->key);
	ignored = records_certs_ignored(ps->node->records);
	ps->origin = p;
	records_batch_finish(sl->rb);	/* store errors are in the verdicts */
	sl->rb = NULL;
	ps->origin = NULL;
	send_buf(ps, &ps->relay, p);
	if (p != NULL) {
		p->certs_ignored += records_certs_ignored(ps->node->records) -
		    ignored;
		stored = slice_verdicts(p, sl->v, sl->bufs, sl->lens, sl->k,
		    sl->pushed);
		if (p->in_head != NULL && p->in_head->seq == sl->seq)
			inbox_advance(p, p->in_head, sl->k, stored);
	}
	slice_free(sl);
}

/*
 * slices_store: stores the verified slices at the head of the queue,
 * GROUP_MAX a transaction: a group commit, since each transaction writes
 * every page it touches (a bootstrap's records land all over the address
 * and expiry trees: the page cache dirtied a record was 38 KB with one
 * transaction a slice, 24 KB with two, 4.6 KB with eight).  Fewer than
 * GROUP_MAX wait while a slice behind them is still being verified: its
 * signal comes back here.
 */
static void
slices_store(struct peers *ps)
{
	struct records_batch *rbs[GROUP_MAX];
	struct slice *sl;
	size_t k;

	for (;;) {
		for (k = 0, sl = ps->sl_head; sl != NULL && k < GROUP_MAX &&
		    (sl->checked || records_batch_checked(sl->rb));
		    sl = sl->next)
			rbs[k++] = sl->rb;
		if (k == 0 || (k < GROUP_MAX && sl != NULL))
			return;
		records_batches_store(rbs, k);
		while (k-- > 0)
			slice_finish(ps);
	}
}

/* slices_finish: stores what is verified and looks at the inbox again. */
static void
slices_finish(struct peers *ps)
{
	slices_store(ps);
	inbox_arm(ps);
}

static void
on_slice_done(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	slices_finish(ps);
}

/*
 * slice_take: the next slice of one peer's messages (inbox_pick).  Its
 * records already held, repeated or by untrusted authors are sorted out
 * here (a hash and a lookup each); their signatures and bodies are checked
 * on the verify threads while the loop goes on; slices_finish stores them.
 * So verifying never holds the loop for long.  Returns 0 when a slice was
 * taken (or a message dropped), -1 when no peer has records waiting.
 */
static int
slice_take(struct peers *ps)
{
	struct inwork *w;
	struct peer *p;
	struct slice *sl;
	size_t i, k, bytes = 0;
	int over;

	if ((p = inbox_pick(ps, &w, &over)) == NULL)
		return -1;
	k = w->n - w->taken < SLICE ? w->n - w->taken : SLICE;
	if ((sl = calloc(1, sizeof(*sl))) != NULL)
		zmq_msg_init(&sl->hold);
	if (sl == NULL ||
	    (sl->bufs = calloc(k, sizeof(*sl->bufs))) == NULL ||
	    (sl->lens = calloc(k, sizeof(*sl->lens))) == NULL ||
	    (sl->v = calloc(k, sizeof(*sl->v))) == NULL)
		goto fail;
	/* The copy shares the message's bytes (not those of a tiny one). */
	zmq_msg_copy(&sl->hold, &w->msg);
	memcpy(sl->key, p->key, REC_KEY_LEN);
	sl->seq = w->seq;
	sl->k = k;
	sl->pushed = w->type == PM_PUSH;
	memcpy(sl->bufs, w->bufs + w->taken, k * sizeof(*sl->bufs));
	memcpy(sl->lens, w->lens + w->taken, k * sizeof(*sl->lens));
	if (w->ids != NULL && (sl->ids = malloc(k * sizeof(*sl->ids))) != NULL)
		memcpy(sl->ids, w->ids + w->taken, k * sizeof(*sl->ids));
	for (i = 0; i < k; i++) {
		bytes += sl->lens[i];
		sl->certs |= sl->lens[i] > 3 &&
		    sl->bufs[i][3] == REC_CERTIFICATE;
	}
	if (records_batch_begin(ps->node->records, sl->bufs, sl->lens,
	    (const uint8_t (*)[REC_ID_LEN])sl->ids, k, sl->v, 1,
	    &sl->rb) != 0)
		goto fail;
	w->taken += k;
	limit_take(ps, p, k, bytes, over);
	sl->checked = records_batch_submit(sl->rb, ps->slice_pipe[1]) != 0;
	if (ps->sl_tail)
		ps->sl_tail->next = sl;
	else
		ps->sl_head = sl;
	ps->sl_tail = sl;
	ps->nslices++;
	return 0;
fail:
	/*
	 * Out of memory or the store failed: drop the rest of the message
	 * (once the slices taken from it are stored).
	 */
	slice_free(sl);
	log_warn("peer %.16s: cannot verify a message now; dropped", p->hex);
	p->dropped++;
	w->pos += w->n - w->taken;
	w->taken = w->n;
	if (w == p->in_head && w->pos >= w->n)
		inbox_reap(p);
	return 0;
}

/*
 * on_inbox: keeps SLICES_MAX slices verifying, peers in turn (a slice
 * holding certificates is stored before the next is taken: they may vouch
 * for its authors), and stores those verified on the spot.
 */
static void
on_inbox(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;
	struct slice *sl;
	size_t i;
	int certs;

	(void)fd;
	(void)what;
	for (i = 0; i < ps->n; i++)	/* messages with nothing to verify */
		inbox_reap(ps->p[i]);
	for (;;) {
		for (certs = 0, sl = ps->sl_head; sl != NULL; sl = sl->next)
			certs |= sl->certs;
		if (ps->nslices >= SLICES_MAX || certs ||
		    slice_take(ps) != 0)
			break;
		/* Verified on the spot: store it now, in its turn. */
		slices_store(ps);
	}
}

/* ---- the synchronisation this node starts (initiator) ---------------- */

static void
sync_end(struct peer *p, int failed)
{
	recon_free(p->rc);
	p->rc = NULL;
	free(p->need);
	p->need = NULL;
	p->nneed = p->needpos = 0;
	p->inflight = p->queued = 0;
	p->state = SYNC_IDLE;
	p->sync_failed = failed;
	p->st.ms = (uint64_t)(now_ms() - p->sync_started);
	p->gen = p->gen_running;
	p->last_sync = now_ms();
	p->total.syncs++;
	p->total.failures += failed != 0;
	p->total.rounds += p->st.rounds;
	p->total.bytes_sent += p->st.bytes_sent;
	p->total.bytes_received += p->st.bytes_received;
	p->total.records_in += p->st.records_in;
	p->total.records_out += p->st.records_out;
	log_debug("peer %.16s: sync %s: %u rounds, %llu B out, %llu B in, "
	    "%llu records in, %llu out", p->hex, failed ? "failed" : "done",
	    p->st.rounds, (unsigned long long)p->st.bytes_sent,
	    (unsigned long long)p->st.bytes_received,
	    (unsigned long long)p->st.records_in,
	    (unsigned long long)p->st.records_out);
}

static int
send_framed(struct peer *p, unsigned type, const uint8_t *body, size_t len,
    int more)
{
	uint8_t *msg;
	size_t n = PM_HDR_LEN + (type == PM_RECORDS) + len;
	int rc;

	if ((msg = malloc(n)) == NULL)
		return MENTOR_ENOMEM;
	pm_header(msg, type, p->session);
	if (type == PM_RECORDS)
		msg[PM_HDR_LEN] = (uint8_t)more;
	if (len)
		memcpy(msg + n - len, body, len);
	rc = to_peer(p, msg, n);
	free(msg);
	return rc;
}

/*
 * push_ids: sends the records the peer lacks, in chunks.  The very same
 * list as the last reconciliation pushed is not pushed again: the peer
 * refused those records (their authors are not trusted there) or lost
 * them, and its own reconciliation fetches what it wants.
 */
static void
push_ids(struct peers *ps, struct peer *p, const uint8_t (*ids)[REC_ID_LEN],
    size_t n)
{
	uint8_t *out, fp[16];
	size_t len, used, found, pos = 0;

	if (n == 0)
		return;
	crypto_generichash(fp, sizeof(fp), (const uint8_t *)ids,
	    n * REC_ID_LEN, NULL, 0);
	if (memcmp(fp, p->pushed_fp, sizeof(fp)) == 0) {
		p->push_skipped += n;
		return;
	}
	memcpy(p->pushed_fp, fp, sizeof(fp));

	while (pos < n) {
		if (records_fetch(ps->node->records, ids + pos, n - pos, CHUNK,
		    &out, &len, &used, &found) != 0 || used == 0)
			return;
		if (found > 0 && send_framed(p, PM_PUSH, out, len, 0) == 0)
			p->st.records_out += found;
		free(out);
		pos += used;
	}
}

/*
 * want_next: keeps up to WANT_WINDOW requests for missing records in
 * flight, so the peer prepares the next batches while this node verifies
 * the last ones.  A WANT counts until its answer has arrived, not until
 * that answer is stored, so the verify threads never wait for the round
 * trip; the receiver still paces the transfer: no WANT while the peer's
 * inbox holds WANT_ROOM bytes.  The fetch ends when every answer is
 * handled.
 */
static void
want_next(struct peer *p)
{
	uint8_t *msg;
	size_t k, n;
	int rc;

	while (p->inflight < WANT_WINDOW && p->needpos < p->nneed &&
	    p->in_bytes < WANT_ROOM) {
		k = p->nneed - p->needpos;
		if (k > PM_WANT_MAX)
			k = PM_WANT_MAX;
		n = PM_HDR_LEN + 2 + k * REC_ID_LEN;
		if ((msg = malloc(n)) == NULL) {
			sync_end(p, 1);
			return;
		}
		pm_header(msg, PM_WANT, p->session);
		msg[6] = (uint8_t)(k >> 8);
		msg[7] = (uint8_t)k;
		memcpy(msg + 8, p->need[p->needpos], k * REC_ID_LEN);
		p->needpos += k;
		p->inflight++;
		rc = to_peer(p, msg, n);
		free(msg);
		if (rc != 0) {
			sync_end(p, 1);
			return;
		}
	}
	if (p->inflight > 0 || p->queued > 0 || p->needpos < p->nneed)
		return;
	/* Claiming many records and delivering few is a fault. */
	if (p->nneed >= 1024 && p->delivered < p->nneed / 2) {
		size_t asked = p->nneed;

		sync_end(p, 1);
		peer_fault(p, "claimed %zu records it lacks here, delivered "
		    "%llu", asked, (unsigned long long)p->delivered);
		return;
	}
	sync_end(p, 0);
}

static void
sync_start(struct peers *ps, struct peer *p)
{
	uint8_t *body = NULL, *msg;
	size_t len = 0;

	if (p->state != SYNC_IDLE || !has_link(p) ||
	    p->suspended_until > now_ms())
		return;
	memset(&p->st, 0, sizeof(p->st));
	p->delivered = 0;
	p->session = ++ps->next_session;
	p->gen_running = ps->gen;
	p->sync_started = p->last_step = now_ms();
	if (recon_new(&p->rc, ps->set, FRAME_LIMIT) != 0 ||
	    recon_initiate(p->rc, &body, &len) != 0) {
		sync_end(p, 1);
		return;
	}
	if ((msg = malloc(PM_HDR_LEN + len)) == NULL) {
		free(body);
		sync_end(p, 1);
		return;
	}
	pm_header(msg, PM_RECON, p->session);
	memcpy(msg + PM_HDR_LEN, body, len);
	free(body);
	p->state = SYNC_RECON;
	if (to_peer(p, msg, PM_HDR_LEN + len) != 0)
		sync_end(p, 1);
	free(msg);
}

static void
on_recon_reply(struct peers *ps, struct peer *p, const struct pm *m)
{
	const uint8_t (*ids)[REC_ID_LEN];
	uint8_t *out = NULL, *msg;
	size_t outlen = 0, n, i, k;

	if (p->state != SYNC_RECON || m->session != p->session)
		return;		/* stale */
	p->st.rounds++;
	p->last_step = now_ms();
	/*
	 * The set may have changed since the session began (records arrive
	 * between rounds); recon recomputes its ranges each step, so the
	 * worst case is a refused reply or a stale have/need list, put right
	 * by pushes and the next sync.  Hence no count against the peer.
	 */
	if (recon_step(p->rc, m->body, m->body_len, &out, &outlen) != 0) {
		log_info("peer %.16s: reconciliation reply refused; will "
		    "retry", p->hex);
		sync_end(p, 1);
		return;
	}
	/*
	 * Bounds (SPEC.md 11.9): an honest session settles within
	 * ROUNDS_BASE rounds plus one per ROUNDS_PER_IDS items held here (a
	 * peer that holds nothing makes us list all of ours); past that the
	 * peer is not settling, which is a fault.  A session that finds more
	 * than NEED_MAX ids to fetch stops there, fetches them, and the next
	 * session goes on from what then is held.
	 */
	if (p->st.rounds > ROUNDS_BASE + rset_count(ps->set) /
	    ROUNDS_PER_IDS) {
		free(out);
		peer_fault(p, "reconciliation not settled after %u rounds",
		    p->st.rounds);
		if (p->state != SYNC_IDLE)
			sync_end(p, 1);
		return;
	}
	p->resync = 0;
	if (out != NULL && recon_need(p->rc, &ids) >= NEED_MAX) {
		free(out);
		out = NULL;
		p->resync = 1;
	}
	if (out != NULL) {
		if ((msg = malloc(PM_HDR_LEN + outlen)) == NULL) {
			free(out);
			sync_end(p, 1);
			return;
		}
		pm_header(msg, PM_RECON, p->session);
		memcpy(msg + PM_HDR_LEN, out, outlen);
		if (to_peer(p, msg, PM_HDR_LEN + outlen) != 0)
			sync_end(p, 1);
		free(msg);
		free(out);
		return;
	}
	/* Reconciled: push what the peer lacks, fetch what we lack. */
	n = recon_have(p->rc, &ids);
	push_ids(ps, p, ids, n);
	n = recon_need(p->rc, &ids);
	if (n > NEED_MAX)
		n = NEED_MAX;
	if (n > 0 && (p->need = malloc(n * REC_ID_LEN)) == NULL) {
		sync_end(p, 1);
		return;
	}
	/* Not what this node refused as untrusted and would refuse again. */
	for (i = k = 0; i < n; i++)
		if (untrusted_known(ps, ids[i]))
			ps->untrusted_skipped++;
		else
			memcpy(p->need[k++], ids[i], REC_ID_LEN);
	n = k;
	p->nneed = n;
	p->needpos = 0;
	p->state = SYNC_FETCH;
	want_next(p);
}

static void
on_records(struct peers *ps, struct peer *p, zmq_msg_t *msg,
    const struct pm *m)
{
	if (m->session == 0) {	/* records fetched after an ANNOUNCE */
		if (p->throttled_until > now_ms())
			p->dropped++;
		else
			inbox_add(ps, p, msg, m);
		return;
	}
	if (p->state != SYNC_FETCH || m->session != p->session)
		return;
	p->last_step = now_ms();
	if (!m->more && p->inflight > 0)
		p->inflight--;		/* answered */
	if (inbox_add(ps, p, msg, m) == 0)
		p->queued++;
	else
		/*
		 * Dropped: the next session fetches them again.  The peer
		 * delivered them (this node's inbox was full, not its claim
		 * false): they count against "claimed, delivered few".
		 */
		p->delivered += m->nrecords;
	want_next(p);
}

/* ---- answering what peers send (responder) ------------------------- */

/* reply: an answer on the channel its request came on. */
static void
reply(const struct chan *ch, const void *buf, size_t len)
{
	if (ch->rid == NULL)
		zsend(ch->sock, ch->ev, buf, len, 0);
	else if (zsend(ch->sock, ch->ev, ch->rid, ch->rid_len, 1) == 0)
		zsend(ch->sock, ch->ev, buf, len, 0);
}

/* writable: the socket would take a message now. */
static int
writable(void *sock)
{
	int events;
	size_t sz = sizeof(events);

	if (zmq_getsockopt(sock, ZMQ_EVENTS, &events, &sz) == -1)
		return 0;
	return (events & ZMQ_POLLOUT) != 0;
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, REC_ID_LEN);
}

/*
 * want_contended: another peer within its WANT limit is being answered
 * (it was served in the last CONTEND_MS); then a peer beyond its limit
 * waits.
 */
static int
want_contended(struct peers *ps, const struct peer *p, int64_t now)
{
	struct peer *q;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		q = ps->p[i];
		if (q != p && q->want_at != 0 && now - q->want_at < CONTEND_MS &&
		    !lim_over(ps, q, LIM_WANT, now))
			return 1;
	}
	return 0;
}

/*
 * job_run: answers a WANT as far as the peer's queue allows.  On the
 * ROUTER the routing frame goes first: with ZMQ_ROUTER_MANDATORY it fails
 * with EAGAIN while the queue to that peer is full, before any record is
 * read; on our DEALER (a WANT from a peer this node dialed) ZMQ_EVENTS
 * says whether the queue has room.  Returns 1 when the job is finished (or
 * cannot go on), 0 when it must wait.
 */
static int
job_run(struct peers *ps, struct peer *p, struct want_job *j)
{
	uint8_t *out = NULL, *msg, last[PM_HDR_LEN + 1] = { 0 };
	size_t len = 0, used = 0, found, n;
	void *sock = j->on_dealer ? p->dealer : ps->router;
	struct event *ev = j->on_dealer ? p->ev : ps->router_ev;
	int64_t now = now_ms();
	int over;

	if (sock == NULL)
		return 1;
	while (j->pos < j->n) {
		/* Beyond its limit, it waits while others are answered. */
		if ((over = lim_over(ps, p, LIM_WANT, now)) &&
		    want_contended(ps, p, now))
			return 0;
		if (j->on_dealer) {
			if (!writable(sock)) {
				event_active(ev, EV_READ, 0);
				return 0;
			}
		} else if (zmq_send(sock, j->rid, j->rid_len, ZMQ_DONTWAIT |
		    ZMQ_SNDMORE) == -1) {
			event_active(ev, EV_READ, 0);
			return zmq_errno() == EAGAIN ? 0 : 1;
		}
		if (records_fetch(ps->node->records,
		    (const uint8_t (*)[REC_ID_LEN])j->ids[j->pos],
		    j->n - j->pos, REPLY_CHUNK, &out, &len, &used,
		    &found) != 0 || used == 0) {
			out = NULL;
			len = 0;
			used = j->n - j->pos;	/* give up on the rest */
		}
		j->pos += used;
		lim_take(ps, p, LIM_WANT, used, len, over);
		p->want_at = now;
		n = PM_HDR_LEN + 1 + len;
		if ((msg = malloc(n)) == NULL) {
			free(out);
			/* The routing frame is out: end with a valid answer. */
			pm_header(last, PM_RECORDS, j->session);
			zsend(sock, ev, last, sizeof(last), 0);
			return 1;
		}
		pm_header(msg, PM_RECORDS, j->session);
		msg[PM_HDR_LEN] = j->pos < j->n;
		if (len)
			memcpy(msg + PM_HDR_LEN + 1, out, len);
		zsend(sock, ev, msg, n, 0);
		free(msg);
		free(out);
		out = NULL;
	}
	return 1;
}

/* jobs_run: runs p's parked WANTs in order; 1 when some still wait. */
static int
jobs_run(struct peers *ps, struct peer *p)
{
	while (p->njobs > 0) {
		if (!job_run(ps, p, &p->jobs[0]))
			return 1;
		free(p->jobs[0].ids);
		memmove(&p->jobs[0], &p->jobs[1], (p->njobs - 1) *
		    sizeof(p->jobs[0]));
		p->njobs--;
	}
	return 0;
}

static void
resume_arm(struct peers *ps)
{
	struct timeval tv = { 0, RESUME_MS * 1000 };

	if (!evtimer_pending(ps->resume, NULL))
		evtimer_add(ps->resume, &tv);
}

/* on_resume: retries the answers parked while a peer's queue was full. */
static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;
	size_t i;
	int waiting = 0;

	(void)fd;
	(void)what;
	for (i = 0; i < ps->n; i++) {
		waiting |= jobs_run(ps, ps->p[i]);
		waiting |= recon_resume(ps, ps->p[i]);
	}
	if (waiting)
		resume_arm(ps);
}

/* recon_answer: answers a reconciliation message (section 11). */
static void
recon_answer(struct peers *ps, struct peer *p, const struct chan *ch,
    const struct pm *m)
{
	uint8_t *out, *msg;
	size_t n, outlen;
	int rc;

	rc = recon_respond(ps->set, FRAME_LIMIT, m->body, m->body_len, &out,
	    &outlen);
	if (rc != 0) {
		peer_fault(p, "bad reconciliation message: %s",
		    mentor_strerror(rc));
		return;
	}
	if ((n = PM_HDR_LEN + outlen) <= PM_MAX &&
	    (msg = malloc(n)) != NULL) {
		pm_header(msg, PM_RECON_REPLY, m->session);
		memcpy(msg + PM_HDR_LEN, out, outlen);
		reply(ch, msg, n);
		free(msg);
	}
	free(out);
}

/*
 * on_recon: a reconciliation message, answered now or, beyond the peer's
 * limit, once it is within it again (recon_resume).  An honest initiator
 * waits for each answer before it sends the next, so one is kept: a
 * newer one replaces it, dropped.
 */
static void
on_recon(struct peers *ps, struct peer *p, const struct chan *ch,
    zmq_msg_t *body, const struct pm *m)
{
	struct recon_later *rl = &p->recon_later;

	if (!lim_over(ps, p, LIM_RECON, now_ms())) {
		lim_take(ps, p, LIM_RECON, 1, m->body_len, 0);
		recon_answer(ps, p, ch, m);
		return;
	}
	lim_note(ps, p, LIM_RECON, 1, 1);
	if (rl->msg != NULL)
		p->dropped++;
	recon_later_free(rl);
	if (ch->rid_len > sizeof(rl->rid) ||
	    (rl->msg = malloc(zmq_msg_size(body))) == NULL)
		return;
	rl->len = zmq_msg_size(body);
	memcpy(rl->msg, zmq_msg_data(body), rl->len);
	rl->rid_len = ch->rid != NULL ? ch->rid_len : 0;
	if (rl->rid_len)
		memcpy(rl->rid, ch->rid, rl->rid_len);
	resume_arm(ps);
}

/*
 * recon_resume: answers p's deferred reconciliation message once p is
 * within its limit; 1 when it still waits.
 */
static int
recon_resume(struct peers *ps, struct peer *p)
{
	struct recon_later *rl = &p->recon_later;
	struct chan ch;
	struct pm m;

	if (rl->msg == NULL)
		return 0;
	if (lim_over(ps, p, LIM_RECON, now_ms()))
		return 1;
	memset(&ch, 0, sizeof(ch));
	if (rl->rid_len) {
		ch.sock = ps->router;
		ch.ev = ps->router_ev;
		ch.rid = rl->rid;
		ch.rid_len = rl->rid_len;
	} else {
		ch.sock = p->dealer;
		ch.ev = p->ev;
	}
	if (ch.sock != NULL && pm_decode(&m, rl->msg, rl->len) == 0) {
		lim_take(ps, p, LIM_RECON, 1, m.body_len, 0);
		recon_answer(ps, p, &ch, &m);
	}
	recon_later_free(rl);
	return 0;
}

/*
 * answer_want: queues a WANT (its ids sorted, repeats dropped) behind the
 * peer's earlier ones and answers as far as the peer reads.  WANTs of a
 * session the peer has since abandoned are dropped; more than
 * WANT_PENDING unanswered is a fault.
 */
static void
answer_want(struct peers *ps, struct peer *p, const struct chan *ch,
    const struct pm *m)
{
	struct want_job *j;
	size_t i, k;

	for (i = k = 0; i < p->njobs; i++) {
		if (m->session != 0 && p->jobs[i].session != 0 &&
		    p->jobs[i].session != m->session) {
			free(p->jobs[i].ids);
			continue;
		}
		p->jobs[k++] = p->jobs[i];
	}
	p->njobs = k;
	if (p->njobs == WANT_PENDING && m->session == 0) {
		p->dropped++;	/* fetched later by reconciliation */
		return;
	}
	if (p->njobs == WANT_PENDING) {
		p->dropped++;
		peer_fault(p, "more than %d WANTs unanswered while it does "
		    "not read the answers", WANT_PENDING);
		return;
	}
	if (ch->rid_len > sizeof(j->rid))
		return;
	j = &p->jobs[p->njobs];
	memset(j, 0, sizeof(*j));
	if ((j->ids = malloc(m->nids * REC_ID_LEN)) == NULL)
		return;
	memcpy(j->ids, m->ids, m->nids * REC_ID_LEN);
	qsort(j->ids, m->nids, REC_ID_LEN, id_cmp);
	for (i = k = 0; i < m->nids; i++)
		if (k == 0 || memcmp(j->ids[k - 1], j->ids[i],
		    REC_ID_LEN) != 0)
			memcpy(j->ids[k++], j->ids[i], REC_ID_LEN);
	j->n = k;
	j->session = m->session;
	j->rid_len = ch->rid_len;
	if (ch->rid_len)
		memcpy(j->rid, ch->rid, ch->rid_len);
	j->on_dealer = ch->rid == NULL;
	p->njobs++;
	if (jobs_run(ps, p))
		resume_arm(ps);
}

/* ---- directed records: applications, answers (SPEC.md 12.6) ---------- */

/*
 * route: sends a DELIVER or ACK toward key: to that peer when it is one
 * (connected or not: then nothing now), else to every connected peer
 * marked as a hub but skip.  Returns how many peers it went to.
 */
static size_t
route(struct peers *ps, const uint8_t key[REC_KEY_LEN], const uint8_t *msg,
    size_t len, const struct peer *skip)
{
	struct peer *p;
	size_t i, sent = 0;

	if ((p = find_key(ps, key)) != NULL)
		return p->connected && p->suspended_until == 0 &&
		    to_peer(p, msg, len) == 0;
	for (i = 0; i < ps->n; i++) {
		p = ps->p[i];
		if (p == skip || !p->connected || p->suspended_until != 0 ||
		    !records_trust_hub(ps->node->records, p->key))
			continue;
		if (to_peer(p, msg, len) == 0)
			sent++;
	}
	return sent;
}

/* deliver_msg: a DELIVER of rec to key; malloc'd, NULL on ENOMEM. */
static uint8_t *
deliver_msg(const uint8_t key[REC_KEY_LEN], const uint8_t *rec, size_t len,
    size_t *outlen)
{
	uint8_t *msg;

	*outlen = PM_HDR_LEN + REC_KEY_LEN + 4 + len;
	if ((msg = malloc(*outlen)) == NULL)
		return NULL;
	pm_header(msg, PM_DELIVER, 0);
	memcpy(msg + PM_HDR_LEN, key, REC_KEY_LEN);
	put_be32(msg + PM_HDR_LEN + REC_KEY_LEN, (uint32_t)len);
	memcpy(msg + PM_HDR_LEN + REC_KEY_LEN + 4, rec, len);
	return msg;
}

/* ack_msg_input: what an ACK signs: the context, the id, the sender. */
static void
ack_input(uint8_t out[sizeof(PM_ACK_CONTEXT) - 1 + 2 * 32],
    const uint8_t *id, const uint8_t *sender)
{
	memcpy(out, PM_ACK_CONTEXT, sizeof(PM_ACK_CONTEXT) - 1);
	memcpy(out + sizeof(PM_ACK_CONTEXT) - 1, id, REC_ID_LEN);
	memcpy(out + sizeof(PM_ACK_CONTEXT) - 1 + REC_ID_LEN, sender,
	    REC_KEY_LEN);
}

/* ack_seen: 1 when the ACK of id passed here within REFWD_MS; notes it. */
static int
ack_seen(struct peers *ps, const uint8_t *id)
{
	int64_t now = now_ms();
	size_t i, oldest = 0;

	for (i = 0; i < ps->nacks; i++) {
		if (memcmp(ps->acks[i].id, id, REC_ID_LEN) == 0) {
			if (now - ps->acks[i].at < REFWD_MS)
				return 1;
			ps->acks[i].at = now;
			return 0;
		}
		if (ps->acks[i].at < ps->acks[oldest].at)
			oldest = i;
	}
	i = ps->nacks < ACKS_SEEN ? ps->nacks++ : oldest;
	memcpy(ps->acks[i].id, id, REC_ID_LEN);
	ps->acks[i].at = now;
	return 0;
}

/* send_ack: this node, the recipient, holds record id by sender. */
static void
send_ack(struct peers *ps, const uint8_t *id, const uint8_t *sender)
{
	uint8_t msg[PM_HDR_LEN + PM_ACK_LEN], *a = msg + PM_HDR_LEN;
	uint8_t in[sizeof(PM_ACK_CONTEXT) - 1 + 2 * 32];

	pm_header(msg, PM_ACK, 0);
	memcpy(a, id, REC_ID_LEN);
	memcpy(a + 32, sender, REC_KEY_LEN);
	memcpy(a + 64, ps->node->sign_pk, REC_KEY_LEN);
	ack_input(in, id, sender);
	crypto_sign_detached(a + 96, NULL, in, sizeof(in), ps->node->sign_sk);
	ack_seen(ps, id);
	route(ps, sender, msg, sizeof(msg), NULL);
}

static struct held *
held_find(struct peers *ps, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < ps->nheld; i++)
		if (memcmp(ps->held[i].id, id, REC_ID_LEN) == 0)
			return &ps->held[i];
	return NULL;
}

static void
held_drop(struct peers *ps, struct held *h)
{
	ps->held_bytes -= h->len;
	free(h->msg);
	*h = ps->held[--ps->nheld];
}

/* dlv_*: the directed records this node sent, until acknowledged. */
struct dlv_put {
	uint8_t		 key[DLV_KEY_LEN];
	uint8_t		 to[REC_KEY_LEN];
	const char	*ref;
	size_t		 ref_len;
	int		 mark;		/* only mark delivered, if it is to */
	int		 changed;
};

static int
dlv_put_fn(struct store_txn *t, void *arg)
{
	struct dlv_put *a = arg;
	const void *v;
	size_t vlen;
	uint8_t *val;
	int rc;

	if (a->mark) {
		if (store_get(t, DB_AUX, a->key, DLV_KEY_LEN, &v, &vlen) != 0 ||
		    vlen < REC_KEY_LEN + 1 || memcmp(v, a->to,
		    REC_KEY_LEN) != 0 || ((const uint8_t *)v)[REC_KEY_LEN])
			return 0;
		if ((val = malloc(vlen)) == NULL)
			return MENTOR_ENOMEM;
		memcpy(val, v, vlen);
		val[REC_KEY_LEN] = 1;
		rc = store_put(t, DB_AUX, a->key, DLV_KEY_LEN, val, vlen);
		free(val);
		a->changed = rc == 0;
		return rc;
	}
	if ((val = malloc(REC_KEY_LEN + 1 + a->ref_len)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(val, a->to, REC_KEY_LEN);
	val[REC_KEY_LEN] = 0;
	memcpy(val + REC_KEY_LEN + 1, a->ref, a->ref_len);
	rc = store_put(t, DB_AUX, a->key, DLV_KEY_LEN, val, REC_KEY_LEN + 1 +
	    a->ref_len);
	free(val);
	return rc;
}

static void
dlv_key(uint8_t key[DLV_KEY_LEN], const uint8_t *id)
{
	memcpy(key, DLV_PREFIX, 4);
	memcpy(key + 4, id, REC_ID_LEN);
}

/* Pending ones, for the retry; or the state of one ref. */
struct dlv_scan {
	uint8_t		(*ids)[REC_ID_LEN];
	uint8_t		(*to)[REC_KEY_LEN];
	size_t		 n, cap;
	const char	*ref;		/* look for this one */
	int		 state;		/* -1: unknown */
};

static int
dlv_scan_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct dlv_scan *a = arg;
	const uint8_t *v = val;
	void *x;

	if (klen < 4 || memcmp(key, DLV_PREFIX, 4) != 0)
		return 1;	/* past the prefix */
	if (klen != DLV_KEY_LEN || vlen < REC_KEY_LEN + 1)
		return 0;
	if (a->ref != NULL) {
		if (vlen - REC_KEY_LEN - 1 == strlen(a->ref) &&
		    memcmp(v + REC_KEY_LEN + 1, a->ref, strlen(a->ref)) == 0) {
			a->state = v[REC_KEY_LEN];
			return 1;
		}
		return 0;
	}
	if (v[REC_KEY_LEN] != 0)
		return 0;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		if ((x = realloc(a->ids, a->cap * REC_ID_LEN)) == NULL)
			return MENTOR_ENOMEM;
		a->ids = x;
		if ((x = realloc(a->to, a->cap * REC_KEY_LEN)) == NULL)
			return MENTOR_ENOMEM;
		a->to = x;
	}
	memcpy(a->ids[a->n], (const uint8_t *)key + 4, REC_ID_LEN);
	memcpy(a->to[a->n], v, REC_KEY_LEN);
	a->n++;
	return 0;
}

static int
dlv_scan_fn(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, DLV_PREFIX, 4, dlv_scan_each, arg);

	return rc == 1 ? 0 : rc;
}

/* send_own: sends one of this node's directed records toward to. */
static void
send_own(struct peers *ps, const uint8_t *id, const uint8_t *to)
{
	uint8_t *out = NULL, *msg;
	size_t len, used, found, mlen;

	if (records_fetch(ps->node->records,
	    (const uint8_t (*)[REC_ID_LEN])id, 1, PM_MAX, &out, &len, &used,
	    &found) != 0 || found != 1 || len < 4) {
		free(out);
		return;
	}
	if ((msg = deliver_msg(to, out + 4, len - 4, &mlen)) != NULL)
		route(ps, to, msg, mlen, NULL);
	free(msg);
	free(out);
}

/* directed_retry: resends what was not acknowledged; retries relays. */
static void
directed_retry(struct peers *ps)
{
	struct dlv_scan sc;
	int64_t now = now_ms();
	size_t i;

	memset(&sc, 0, sizeof(sc));
	sc.state = -1;
	if (store_read(ps->node->store, dlv_scan_fn, &sc) == 0)
		for (i = 0; i < sc.n; i++)
			send_own(ps, sc.ids[i], sc.to[i]);
	free(sc.ids);
	free(sc.to);
	for (i = 0; i < ps->nheld; ) {
		struct held *h = &ps->held[i];

		if (now - h->since > HELD_MS) {
			held_drop(ps, h);
			continue;
		}
		if (h->fwd == 0 && route(ps, h->to, h->msg, h->len, NULL) > 0)
			h->fwd = now;
		i++;
	}
	ps->last_retry = now;
}

int
peers_note_own(struct store_txn *t, const struct rec *r,
    const uint8_t to[REC_KEY_LEN])
{
	struct dlv_put put;
	uint8_t id[REC_ID_LEN];

	memset(&put, 0, sizeof(put));
	rec_id(id, r->bytes, r->len);
	dlv_key(put.key, id);
	memcpy(put.to, to, REC_KEY_LEN);
	put.ref = r->ref;
	put.ref_len = r->ref_len;
	return dlv_put_fn(t, &put);
}

/*
 * own_directed: this node just stored its own directed record, noted for
 * delivery in the same transaction (peers_note_own): send it now.
 */
static void
own_directed(struct peers *ps)
{
	ps->retry_now = 1;	/* sent at the end of this loop turn */
	event_active(ps->flush, EV_TIMEOUT, 0);
}

/*
 * on_deliver: a directed record.  For this node: stored through the inbox
 * like a push, then acknowledged (at once when already held).  For
 * another: checked, held and forwarded toward its recipient.
 */
static void
on_deliver(struct peers *ps, struct peer *p, zmq_msg_t *body,
    const struct pm *m)
{
	const uint8_t *rec;
	size_t off = 0, reclen, len, used, found;
	uint8_t id[REC_ID_LEN], *out = NULL;
	struct rec r;
	struct held *h, *nh;
	int64_t now = now_ms();

	if (xs_next(m->body, m->body_len, &off, &rec, &reclen) != 1 ||
	    rec_decode(&r, rec, reclen) != 0 || !is_directed(r.kind)) {
		peer_fault(p, "DELIVER of something not a directed record");
		return;
	}
	rec_id(id, rec, reclen);
	if (memcmp(m->to, ps->node->sign_pk, REC_KEY_LEN) == 0) {
		if (records_fetch(ps->node->records,
		    (const uint8_t (*)[REC_ID_LEN])id, 1, PM_MAX, &out, &len,
		    &used, &found) == 0 && found == 1) {
			free(out);
			send_ack(ps, id, r.author);
			return;
		}
		free(out);
		if (ps->npend < PEND_ACK_MAX)
			memcpy(ps->pend[ps->npend++], id, REC_ID_LEN);
		inbox_add(ps, p, body, m);
		return;
	}
	if (memcmp(r.author, ps->node->sign_pk, REC_KEY_LEN) == 0)
		return;		/* our own, come back */
	if ((h = held_find(ps, id)) != NULL && now - h->fwd < REFWD_MS)
		return;		/* a loop: already on its way */
	/* The cheap refusals first: its limit, then room; then the check. */
	if (lim_over(ps, p, LIM_RELAY, now)) {
		p->dropped++;
		lim_note(ps, p, LIM_RELAY, 1, 1);
		return;
	}
	if (h == NULL && (ps->nheld == HELD_MAX || ps->held_bytes +
	    zmq_msg_size(body) > HELD_BYTES)) {
		ps->held_dropped++;
		p->dropped++;
		log_ratelimited(&p->rl, LOG_INFO, "peer %.16s: %zu directed "
		    "records held for others; one more dropped (its sender "
		    "retries)", p->hex, ps->nheld);
		return;
	}
	lim_take(ps, p, LIM_RELAY, 1, zmq_msg_size(body), 0);
	if (h == NULL) {
		if (rec_verify(&r) != 0) {
			peer_fault(p, "DELIVER of a record with a bad "
			    "signature");
			return;
		}
		if (ps->nheld % 64 == 0) {
			if ((nh = realloc(ps->held, (ps->nheld + 64) *
			    sizeof(*nh))) == NULL)
				return;
			ps->held = nh;
		}
		h = &ps->held[ps->nheld];
		memset(h, 0, sizeof(*h));
		if ((h->msg = malloc(zmq_msg_size(body))) == NULL)
			return;
		ps->nheld++;
		memcpy(h->id, id, REC_ID_LEN);
		memcpy(h->to, m->to, REC_KEY_LEN);
		h->len = zmq_msg_size(body);
		memcpy(h->msg, zmq_msg_data(body), h->len);
		ps->held_bytes += h->len;
		h->since = now;
	}
	if (route(ps, h->to, h->msg, h->len, p) > 0)
		h->fwd = now;
}

/*
 * on_ack: the recipient signed that it holds a directed record.  A relay
 * drops its copy and passes the ACK on toward the sender; the sender
 * notes the record delivered.
 */
static void
on_ack(struct peers *ps, struct peer *p, zmq_msg_t *body, const struct pm *m)
{
	const uint8_t *id = m->ack, *sender = m->ack + 32, *to = m->ack + 64;
	uint8_t in[sizeof(PM_ACK_CONTEXT) - 1 + 2 * 32];
	struct dlv_put put;
	struct held *h;
	char hex[65];
	int64_t now = now_ms();

	/* Beyond its limit an ACK costs no signature check (SPEC.md 12.4). */
	if (lim_over(ps, p, LIM_ACK, now)) {
		p->dropped++;
		lim_note(ps, p, LIM_ACK, 1, 1);
		return;
	}
	lim_take(ps, p, LIM_ACK, 1, 0, 0);
	ack_input(in, id, sender);
	if (crypto_sign_verify_detached(m->ack + 96, in, sizeof(in), to) != 0) {
		peer_fault(p, "ACK with a bad signature");
		return;
	}
	if (ack_seen(ps, id))
		return;
	if ((h = held_find(ps, id)) != NULL &&
	    memcmp(h->to, to, REC_KEY_LEN) == 0)
		held_drop(ps, h);
	if (memcmp(sender, ps->node->sign_pk, REC_KEY_LEN) != 0) {
		route(ps, sender, zmq_msg_data(body), zmq_msg_size(body), p);
		return;
	}
	memset(&put, 0, sizeof(put));
	dlv_key(put.key, id);
	memcpy(put.to, to, REC_KEY_LEN);
	put.mark = 1;
	if (store_write(ps->node->store, dlv_put_fn, &put) == 0 &&
	    put.changed) {
		hex_encode(hex, to, REC_KEY_LEN);
		log_info("peer: a directed record was delivered to %.16s",
		    hex);
	}
}

int
peers_delivery(struct peers *ps, const char *ref)
{
	struct dlv_scan sc;

	memset(&sc, 0, sizeof(sc));
	sc.ref = ref;
	sc.state = -1;
	if (ps == NULL || store_read(ps->node->store, dlv_scan_fn, &sc) != 0)
		return -1;
	return sc.state;
}

/* rx_count: counts a decoded message from p (struct rx_stats). */
static void
rx_count(struct peer *p, const struct pm *m, size_t size)
{
	const uint8_t *rec;
	size_t off = 0, reclen;

	if (m->type == PM_WANT && m->session != 0)
		p->rx.bytes[RX_WANT_RECON] += size;
	else if (m->type < sizeof(p->rx.bytes) / sizeof(p->rx.bytes[0]))
		p->rx.bytes[m->type] += size;
	if (m->type != PM_PUSH && m->type != PM_RECORDS &&
	    m->type != PM_DELIVER)
		return;
	while (xs_next(m->body, m->body_len, &off, &rec, &reclen) == 1) {
		p->rx.records++;
		p->rx.record_bytes += reclen;
	}
}

/*
 * link_up: p's link answered (the first message on it, or the first after
 * it fell silent): connected from now on, its synchronisation and the
 * directed records waiting for it start now, not a heartbeat or two later.
 */
static void
link_up(struct peers *ps, struct peer *p)
{
	p->connected = 1;
	log_info("peer %.16s (%s) connected", p->hex,
	    p->have_hello ? p->hello.name : "?");
	ps->retry_now = 1;
	if (!ps->node->conf.no_auto_sync)
		sync_start(ps, p);
}

/*
 * on_msg: a message from peer p on channel ch: our ROUTER (ch->rid set)
 * or our DEALER to p.  Requests (PING, PUSH, RECON, WANT) are answered on
 * the channel they came on; answers (PONG, RECON_REPLY, RECORDS) count
 * only on p's request link (our DEALER, or the ROUTER for a peer that
 * dials in), elsewhere they are a fault.
 */
static void
on_msg(struct peers *ps, struct peer *p, const struct chan *ch,
    zmq_msg_t *body)
{
	struct pm m;
	uint8_t buf[PM_HDR_LEN + 4 + PM_NAME_MAX + PM_EP_MAX];
	struct pm_hello h;
	size_t n;
	int rc, link = ch->rid == NULL || p->dealer == NULL;

	p->last_rx = now_ms();
	if (link) {
		p->dealer_rx = p->last_rx;
		p->st.bytes_received += zmq_msg_size(body);
	}
	if ((rc = pm_decode(&m, zmq_msg_data(body), zmq_msg_size(body))) != 0) {
		p->rx.bytes[0] += zmq_msg_size(body);
		peer_fault(p, "malformed message: %s", mentor_strerror(rc));
		return;
	}
	rx_count(p, &m, zmq_msg_size(body));
	if (link && !p->connected)
		link_up(ps, p);
	/*
	 * While answers to its WANTs wait for it to read, its reconciliation
	 * requests are not worked on (their answers could not be queued).
	 * PINGs are: a PONG is small and, like every answer, dropped by the
	 * ROUTER when the queue to the peer is full.
	 */
	if (p->njobs > 0 && m.type == PM_RECON) {
		p->dropped++;
		return;
	}
	switch (m.type) {
	case PM_PING:
		p->hello = m.hello;
		p->have_hello = 1;
		if (lim_over(ps, p, LIM_PING, p->last_rx)) {
			lim_note(ps, p, LIM_PING, 1, 1);
			break;
		}
		lim_take(ps, p, LIM_PING, 1, 0, 0);
		my_hello(ps, &h);
		if ((n = pm_hello_encode(buf, sizeof(buf), PM_PONG, m.session,
		    &h)) != 0)
			reply(ch, buf, n);
		break;
	case PM_PUSH:
		if (p->throttled_until > now_ms())
			p->dropped++;
		else
			inbox_add(ps, p, body, &m);
		break;
	case PM_RECON:
		on_recon(ps, p, ch, body, &m);
		break;
	case PM_WANT:
		answer_want(ps, p, ch, &m);
		break;
	case PM_DELIVER:	/* bounded by HELD_*, not by the push throttle */
		on_deliver(ps, p, body, &m);
		break;
	case PM_ACK:
		on_ack(ps, p, body, &m);
		break;
	case PM_ANNOUNCE:
		on_announce(ps, p, &m);
		break;
	case PM_PONG:
	case PM_RECON_REPLY:
	case PM_RECORDS:
		if (!link) {	/* answers belong on our own connection */
			peer_fault(p, "answer of type %u on the wrong "
			    "connection", m.type);
			break;
		}
		if (m.type == PM_PONG) {
			p->hello = m.hello;
			p->have_hello = 1;
		} else if (m.type == PM_RECON_REPLY)
			on_recon_reply(ps, p, &m);
		else
			on_records(ps, p, body, &m);
		break;
	default:
		peer_fault(p, "message of type %u", m.type);
	}
}

static void
on_router_msg(struct peers *ps, zmq_msg_t *rid, zmq_msg_t *body)
{
	const char *uid = zmq_msg_gets(body, "User-Id");
	struct peer *p = find_hex(ps, uid);
	struct chan ch;

	if (p == NULL || p->suspended_until > now_ms())
		return;		/* removed or suspended since it connected */
	if (zmq_msg_size(rid) > RID_MAX)
		return;
	/* A peer that dials in: its latest connection carries our requests. */
	if (p->dealer == NULL && (p->rid_len != zmq_msg_size(rid) ||
	    memcmp(p->rid, zmq_msg_data(rid), p->rid_len) != 0)) {
		p->rid_len = zmq_msg_size(rid);
		memcpy(p->rid, zmq_msg_data(rid), p->rid_len);
		if (p->state != SYNC_IDLE)
			sync_end(p, 1);	/* its answers went to the old one */
	}
	ch.sock = ps->router;
	ch.ev = ps->router_ev;
	ch.rid = zmq_msg_data(rid);
	ch.rid_len = zmq_msg_size(rid);
	on_msg(ps, p, &ch, body);
}

static void
on_dealer_msg(struct peers *ps, struct peer *p, zmq_msg_t *msg)
{
	struct chan ch = { p->dealer, p->ev, NULL, 0 };

	if (p->suspended_until > now_ms())
		return;
	on_msg(ps, p, &ch, msg);
}

/* ---- sockets on the event loop -------------------------------------- */

static int
readable(void *sock)
{
	int events;
	size_t sz = sizeof(events);

	if (zmq_getsockopt(sock, ZMQ_EVENTS, &events, &sz) == -1)
		return 0;
	return (events & ZMQ_POLLIN) != 0;
}

/* drain_rest: discards the remaining frames of a message. */
static void
drain_rest(void *sock)
{
	zmq_msg_t m;

	while (1) {
		int more;
		size_t sz = sizeof(more);

		if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == -1 ||
		    !more)
			return;
		zmq_msg_init(&m);
		zmq_msg_recv(&m, sock, ZMQ_DONTWAIT);
		zmq_msg_close(&m);
	}
}

static void
on_router(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;
	zmq_msg_t rid, body;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < BATCH && readable(ps->router); i++) {
		zmq_msg_init(&rid);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&rid, ps->router, ZMQ_DONTWAIT) != -1 &&
		    zmq_msg_more(&rid) &&
		    zmq_msg_recv(&body, ps->router, ZMQ_DONTWAIT) != -1) {
			if (!zmq_msg_more(&body))
				on_router_msg(ps, &rid, &body);
			drain_rest(ps->router);
		}
		zmq_msg_close(&rid);
		zmq_msg_close(&body);
	}
	if (i == BATCH)
		event_active(ps->router_ev, EV_READ, 0);
}

static void
on_dealer(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	zmq_msg_t m;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < BATCH && p->dealer && readable(p->dealer); i++) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, p->dealer, ZMQ_DONTWAIT) != -1) {
			if (!zmq_msg_more(&m))
				on_dealer_msg(p->ps, p, &m);
			if (p->dealer)
				drain_rest(p->dealer);
		}
		zmq_msg_close(&m);
	}
	if (i == BATCH)
		event_active(p->ev, EV_READ, 0);
}

/*
 * zap_refused: remembers (the latest REFUSED_MAX) and logs, rate-limited,
 * the CURVE key and address of a connection the ZAP handler refused, so
 * that the operator can tell who tried (peer refused).
 */
static void
zap_refused(struct peers *ps, const uint8_t curve[32], const void *addr,
    size_t addrlen)
{
	struct refused *r = NULL;
	char hex[65];
	size_t i, oldest = 0;
	int64_t now = now_ms();

	for (i = 0; i < ps->nrefused; i++) {
		if (memcmp(ps->refused[i].curve, curve, 32) == 0) {
			r = &ps->refused[i];
			break;
		}
		if (ps->refused[i].last < ps->refused[oldest].last)
			oldest = i;
	}
	if (r == NULL) {
		r = ps->nrefused < REFUSED_MAX ? &ps->refused[ps->nrefused++] :
		    &ps->refused[oldest];
		memset(r, 0, sizeof(*r));
		memcpy(r->curve, curve, 32);
		r->first = now;
	}
	if (addrlen >= sizeof(r->address))
		addrlen = sizeof(r->address) - 1;
	for (i = 0; i < addrlen; i++) {
		char c = ((const char *)addr)[i];

		r->address[i] = c > ' ' && c < 127 ? c : '?';
	}
	r->address[addrlen] = '\0';
	r->last = now;
	r->count++;
	hex_encode(hex, curve, 32);
	log_ratelimited(&ps->rl_zap, LOG_INFO, "peer: refused a connection "
	    "from %s, CURVE key %s: no peer has that key (peer refused)",
	    r->address[0] ? r->address : "?", hex);
}

/*
 * ZAP (RFC 27): admit a CURVE client whose key belongs to an added,
 * unsuspended peer; its User-Id becomes the peer's node id.
 */
static void
on_zap(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;
	zmq_msg_t f[7];
	char status[4] = "400", uid[2 * REC_KEY_LEN + 1] = "";
	struct peer *p;
	int i, n, more, ok;
	size_t sz;

	(void)fd;
	(void)what;
	while (readable(ps->zap)) {
		for (n = 0, more = 1; more; n++) {
			zmq_msg_t *m = &f[n < 7 ? n : 6];

			if (n >= 7)
				zmq_msg_close(m);
			zmq_msg_init(m);
			if (zmq_msg_recv(m, ps->zap, ZMQ_DONTWAIT) == -1) {
				zmq_msg_close(m);
				return;
			}
			sz = sizeof(more);
			zmq_getsockopt(ps->zap, ZMQ_RCVMORE, &more, &sz);
		}
		ok = n == 7 && zmq_msg_size(&f[5]) == 5 &&
		    memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
		    zmq_msg_size(&f[6]) == 32;
		p = NULL;
		if (ok && zmq_msg_size(&f[2]) == 7 &&
		    memcmp(zmq_msg_data(&f[2]), "student", 7) == 0) {
			/* A student's key, on the students' socket only. */
			char sid[STUDENT_KEY_ID_MAX + 1];

			if (apps_student_for_key(ps->node, zmq_msg_data(&f[6]),
			    sid, sizeof(sid)) == 0) {
				memcpy(status, "200", 4);
				hex_encode(uid, zmq_msg_data(&f[6]), 32);
			} else
				log_ratelimited(&ps->rl_student, LOG_INFO,
				    "api: refused a student key that was "
				    "never issued or was revoked");
		} else if (ok && (p = find_curve(ps, zmq_msg_data(&f[6]))) &&
		    p->suspended_until <= now_ms()) {
			memcpy(status, "200", 4);
			memcpy(uid, p->hex, sizeof(uid));
		} else {
			p = NULL;
			if (ok)
				zap_refused(ps, zmq_msg_data(&f[6]),
				    zmq_msg_data(&f[3]), zmq_msg_size(&f[3]));
			else
				log_ratelimited(&ps->rl_zap, LOG_INFO, "peer: "
				    "refused a connection without a CURVE "
				    "key");
		}
		zsend(ps->zap, ps->zap_ev, "1.0", 3, 1);
		zsend(ps->zap, ps->zap_ev, zmq_msg_data(&f[1]),
		    n > 1 ? zmq_msg_size(&f[1]) : 0, 1);
		zsend(ps->zap, ps->zap_ev, status, 3, 1);
		zsend(ps->zap, ps->zap_ev, status[0] == '2' ? "OK" : "denied",
		    status[0] == '2' ? 2 : 6, 1);
		zsend(ps->zap, ps->zap_ev, uid, strlen(uid), 1);
		zsend(ps->zap, ps->zap_ev, "", 0, 0);
		for (i = 0; i < n && i < 7; i++)
			zmq_msg_close(&f[i]);
	}
}

static struct event *
watch_socket(struct peers *ps, void *sock, event_callback_fn fn, void *arg)
{
	struct event *ev;
	int fd;
	size_t sz = sizeof(fd);

	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &sz) == -1)
		return NULL;
	ev = event_new(ps->node->base, fd, EV_READ | EV_PERSIST, fn, arg);
	if (ev == NULL || event_add(ev, NULL) == -1) {
		if (ev)
			event_free(ev);
		return NULL;
	}
	event_active(ev, EV_READ, 0);
	return ev;
}

static void
socket_limits(void *s)
{
	int zero = 0, hwm = 1000, ivl = 100, ivlmax = 5000;
	int64_t max = PM_MAX;

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof(max));
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	/* Reconnection backs off from 100 ms to 5 s. */
	zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &ivlmax, sizeof(ivlmax));
}

/*
 * ping_now: a PING on p's link as soon as its handshake succeeded, so that
 * the link is up (and its synchronisation starts) a round trip after the
 * connection, not at the next heartbeat.  Best effort: if libzmq has not
 * attached the link yet, the heartbeat's PING does it.
 */
static void
ping_now(struct peer *p)
{
	uint8_t buf[PM_HDR_LEN + 4 + PM_NAME_MAX + PM_EP_MAX];
	struct pm_hello h;
	size_t n;

	my_hello(p->ps, &h);
	if ((n = pm_hello_encode(buf, sizeof(buf), PM_PING, 0, &h)))
		to_peer(p, buf, n);
}

/*
 * on_monitor: events of a peer's DEALER, for peer list: whether TCP ever
 * connected and whether the peer's ZAP handler refused this node; and
 * the first PING once it may be sent.
 */
static void
on_monitor(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	zmq_msg_t m;
	uint16_t ev;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < BATCH && p->mon && readable(p->mon); i++) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, p->mon, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&m);
			break;
		}
		if (zmq_msg_more(&m) && zmq_msg_size(&m) >= 6) {
			memcpy(&ev, zmq_msg_data(&m), 2);
			if (ev == ZMQ_EVENT_CONNECTED)
				p->reached = 1;
			else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
				p->refused = 1;
			else if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
				p->refused = 0;
				ping_now(p);
			}
		}
		zmq_msg_close(&m);
		drain_rest(p->mon);
	}
	if (i == BATCH)
		event_active(p->mon_ev, EV_READ, 0);
}

static void
monitor_stop(struct peer *p)
{
	if (p->mon_ev)
		event_free(p->mon_ev);
	if (p->mon)
		zmq_close(p->mon);
	p->mon_ev = NULL;
	p->mon = NULL;
}

/* monitor_start: best effort; without it peer list knows less. */
static void
monitor_start(struct peers *ps, struct peer *p)
{
	char ep[64];

	snprintf(ep, sizeof(ep), "inproc://peer-monitor-%u", ++ps->mon_seq);
	if (zmq_socket_monitor(p->dealer, ep, ZMQ_EVENT_CONNECTED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	    ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == -1 ||
	    (p->mon = zmq_socket(ps->node->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(p->mon, ep) == -1 ||
	    (p->mon_ev = watch_socket(ps, p->mon, on_monitor, p)) == NULL)
		monitor_stop(p);
}

static int
peer_connect(struct peers *ps, struct peer *p)
{
	struct node *n = ps->node;

	int one = 1;

	p->reached = p->refused = 0;
	if (p->endpoint[0] == '\0')
		return 0;	/* it dials in */
	if ((p->dealer = zmq_socket(n->zctx, ZMQ_DEALER)) == NULL)
		return MENTOR_EIO;
	socket_limits(p->dealer);
	/* Queue nothing for a peer that is not connected. */
	zmq_setsockopt(p->dealer, ZMQ_IMMEDIATE, &one, sizeof(one));
	zmq_setsockopt(p->dealer, ZMQ_CURVE_SERVERKEY, p->curve_pk, 32);
	zmq_setsockopt(p->dealer, ZMQ_CURVE_PUBLICKEY, n->curve_pk, 32);
	zmq_setsockopt(p->dealer, ZMQ_CURVE_SECRETKEY, n->curve_sk, 32);
	monitor_start(ps, p);
	if (zmq_connect(p->dealer, p->endpoint) == -1) {
		log_warn("peer %.16s: connect %s: %s", p->hex, p->endpoint,
		    zmq_strerror(zmq_errno()));
		monitor_stop(p);
		zmq_close(p->dealer);
		p->dealer = NULL;
		return MENTOR_EINVAL;
	}
	if ((p->ev = watch_socket(ps, p->dealer, on_dealer, p)) == NULL) {
		monitor_stop(p);
		zmq_close(p->dealer);
		p->dealer = NULL;
		return MENTOR_EIO;
	}
	p->dealer_since = now_ms();
	return 0;
}

/*
 * peer_reconnect: a fresh outgoing link.  libzmq retries a connection the
 * peer's ZAP handler refused only unreliably (the peer may add this node
 * after this node added it), so a link that never answers is remade.
 */
static void
peer_reconnect(struct peers *ps, struct peer *p)
{
	if (p->state != SYNC_IDLE)
		sync_end(p, 1);
	monitor_stop(p);
	if (p->ev)
		event_free(p->ev);
	if (p->dealer)
		zmq_close(p->dealer);
	p->ev = NULL;
	p->dealer = NULL;
	peer_connect(ps, p);
}

static void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	monitor_stop(p);
	if (p->ev)
		event_free(p->ev);
	if (p->dealer)
		zmq_close(p->dealer);
	recon_free(p->rc);
	free(p->need);
	inbox_purge(p);
	jobs_purge(p);
	free(p);
}

static struct peer *
peer_new(struct peers *ps, const uint8_t key[REC_KEY_LEN],
    const char *endpoint, const char *org)
{
	struct peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->ps = ps;
	memcpy(p->key, key, REC_KEY_LEN);
	hex_encode(p->hex, key, REC_KEY_LEN);
	if (crypto_sign_ed25519_pk_to_curve25519(p->curve_pk, key) != 0) {
		free(p);
		return NULL;
	}
	snprintf(p->endpoint, sizeof(p->endpoint), "%s", endpoint);
	snprintf(p->org, sizeof(p->org), "%s", org ? org : "");
	return p;
}

/* ---- timers ------------------------------------------------------- */

static void publish_node_record(struct peers *ps);
static int certify(struct peers *, const struct peer *, int64_t, char *,
    size_t);

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;
	uint8_t buf[PM_HDR_LEN + 4 + PM_NAME_MAX + PM_EP_MAX];
	struct pm_hello h;
	struct timeval tv;
	int64_t now = now_ms();
	size_t i, n;
	int was;

	(void)fd;
	(void)what;
	my_hello(ps, &h);
	for (i = 0; i < ps->n; i++) {
		struct peer *p = ps->p[i];

		if (p->suspended_until && p->suspended_until <= now) {
			p->suspended_until = 0;
			p->invalid = 0;
			if (p->dealer)
				zmq_connect(p->dealer, p->endpoint);
		}
		if ((n = pm_hello_encode(buf, sizeof(buf), PM_PING, 0, &h)))
			to_peer(p, buf, n);
		was = p->connected;
		p->connected = p->dealer_rx && now - p->dealer_rx <
		    3 * ps->heartbeat_ms;
		/*
		 * Remake a link that never answered since it was made, or
		 * that has been silent for ten heartbeats; a link that is
		 * merely slow is left alone.
		 */
		if (!p->connected && p->suspended_until == 0 &&
		    p->endpoint[0] != '\0' &&
		    now - p->dealer_since > 5 * ps->heartbeat_ms &&
		    (p->dealer_rx < p->dealer_since ||
		    now - p->dealer_rx > 10 * ps->heartbeat_ms)) {
			log_debug("peer %.16s: no answer on our link; "
			    "reconnecting", p->hex);
			peer_reconnect(ps, p);
		}
		if (p->connected && !was) {
			link_up(ps, p);
			continue;
		} else if (!p->connected && was)
			log_info("peer %.16s disconnected", p->hex);
		/* Its records waiting here (limits) are not its stall. */
		if (p->state != SYNC_IDLE && now - p->last_step >
		    SYNC_STALL_MS && p->in_head == NULL)
			sync_end(p, 1);
		if (p->connected && !ps->node->conf.no_auto_sync &&
		    (!was || now - p->last_sync >= ps->sync_ms ||
		    (p->resync && p->state == SYNC_IDLE &&
		    p->st.records_in > 0) ||
		    (p->ann_later && p->state == SYNC_IDLE &&
		    p->in_bytes < INBOX_DEFER / 2))) {
			p->ann_later = 0;
			sync_start(ps, p);
		}
	}
	if (ps->retry_now || now - ps->last_retry >= ps->sync_ms) {
		ps->retry_now = 0;
		directed_retry(ps);
	}
	if (now - ps->last_node_rec > 86400LL * 1000)
		publish_node_record(ps);
	/* A hub renews its peers' certificates long before they lapse. */
	if (ps->node->conf.role == ROLE_HUB && now - ps->last_certs >
	    CERT_RENEW_MS) {
		char err[256];

		for (i = 0; i < ps->n; i++)
			if (certify(ps, ps->p[i], CERT_LIFE_MS, err,
			    sizeof(err)) != 0)
				log_warn("peer: cannot renew the certificate "
				    "of %.16s: %s", ps->p[i]->hex, err);
		ps->last_certs = now;
	}
	tv.tv_sec = ps->heartbeat_ms / 1000;
	tv.tv_usec = (ps->heartbeat_ms % 1000) * 1000;
	evtimer_add(ps->tick, &tv);
}

/*
 * send_pushed: [peer] propagate = push: the records in b in full to the
 * connected peers but skip, as before ANNOUNCE (SPEC.md 12.3), so that
 * what announcing saves can be measured on the same federation.
 */
static void
send_pushed(struct peers *ps, struct buf *b, struct peer *skip)
{
	uint8_t (*ids)[REC_ID_LEN];
	size_t i, n = b->len / PM_ANN_LEN;

	if (n == 0 || (ids = malloc(n * REC_ID_LEN)) == NULL)
		return;
	for (i = 0; i < n; i++)
		memcpy(ids[i], b->b + i * PM_ANN_LEN + 8, REC_ID_LEN);
	for (i = 0; i < ps->n; i++)
		if (ps->p[i] != skip && ps->p[i]->connected &&
		    ps->p[i]->suspended_until == 0)
			push_ids(ps, ps->p[i], (const uint8_t (*)[REC_ID_LEN])
			    ids, n);
	free(ids);
}

/*
 * send_buf: announces the records in b (created_at, id entries) to the
 * connected peers but skip, in ANNOUNCE messages of at most PM_ANN_MAX
 * entries; each peer fetches what it lacks with WANT.  Empties b.
 */
static void
send_buf(struct peers *ps, struct buf *b, struct peer *skip)
{
	uint8_t msg[PM_HDR_LEN + 2 + PM_ANN_MAX * PM_ANN_LEN];
	size_t i, k, off, n;

	if (ps->node->conf.propagate_push) {
		send_pushed(ps, b, skip);
		b->len = 0;
		return;
	}
	for (off = 0; off < b->len; off += k * PM_ANN_LEN) {
		k = (b->len - off) / PM_ANN_LEN;
		if (k > PM_ANN_MAX)
			k = PM_ANN_MAX;
		if (k == 0)
			break;
		pm_header(msg, PM_ANNOUNCE, 0);
		msg[PM_HDR_LEN] = (uint8_t)(k >> 8);
		msg[PM_HDR_LEN + 1] = (uint8_t)k;
		memcpy(msg + PM_HDR_LEN + 2, b->b + off, k * PM_ANN_LEN);
		n = PM_HDR_LEN + 2 + k * PM_ANN_LEN;
		for (i = 0; i < ps->n; i++)
			if (ps->p[i] != skip && ps->p[i]->connected &&
			    ps->p[i]->suspended_until == 0)
				to_peer(ps->p[i], msg, n);
	}
	b->len = 0;
}

/* asked: 1 when id was fetched from some peer in the last FETCH_WAIT_MS. */
static int
asked(struct peers *ps, const uint8_t *id, int64_t now)
{
	size_t i;

	for (i = 0; i < ps->nasked; i++)
		if (memcmp(ps->asked[i].id, id, REC_ID_LEN) == 0)
			return now - ps->asked[i].at < FETCH_WAIT_MS;
	return 0;
}

static void
asked_note(struct peers *ps, const uint8_t *id, int64_t now)
{
	struct seen *s = &ps->asked[ps->asked_next];

	memcpy(s->id, id, REC_ID_LEN);
	s->at = now;
	ps->asked_next = (ps->asked_next + 1) % ASKED_MAX;
	if (ps->nasked < ASKED_MAX)
		ps->nasked++;
}

/* held_public: the public set holds (ts, id). */
static int
held_public(struct peers *ps, uint64_t ts, const uint8_t *id)
{
	size_t r = rset_rank(ps->set, ts, id);
	uint64_t t;
	uint8_t x[REC_ID_LEN];

	return r < rset_count(ps->set) && rset_at(ps->set, r, &t, x) == 0 &&
	    t == ts && memcmp(x, id, REC_ID_LEN) == 0;
}

/*
 * on_announce: asks p (one WANT, session 0) for the announced records
 * this node neither holds nor asked another peer for just now.
 */
static void
on_announce(struct peers *ps, struct peer *p, const struct pm *m)
{
	uint8_t msg[PM_HDR_LEN + 2 + PM_WANT_MAX * REC_ID_LEN];
	const uint8_t *e;
	int64_t now = now_ms();
	size_t i, k = 0;

	/*
	 * Its records wait already: fetch these later, by reconciliation
	 * once they are in (on_tick), rather than drop them at the door.
	 */
	if (p->in_bytes >= INBOX_DEFER) {
		p->ann_later = 1;
		return;
	}
	/* Beyond its limit: not looked at; reconciliation fetches them. */
	if (lim_over(ps, p, LIM_ANNOUNCE, now)) {
		p->ann_later = 1;
		lim_note(ps, p, LIM_ANNOUNCE, m->nann, 1);
		return;
	}
	lim_take(ps, p, LIM_ANNOUNCE, m->nann, m->nann * PM_ANN_LEN, 0);
	for (i = 0; i < m->nann && k < PM_WANT_MAX; i++) {
		e = m->ann + i * PM_ANN_LEN;
		if (held_public(ps, get_be64(e), e + 8) ||
		    asked(ps, e + 8, now))
			continue;
		memcpy(msg + PM_HDR_LEN + 2 + k * REC_ID_LEN, e + 8,
		    REC_ID_LEN);
		k++;
	}
	if (k == 0)
		return;
	pm_header(msg, PM_WANT, 0);
	msg[PM_HDR_LEN] = (uint8_t)(k >> 8);
	msg[PM_HDR_LEN + 1] = (uint8_t)k;
	if (to_peer(p, msg, PM_HDR_LEN + 2 + k * REC_ID_LEN) != 0)
		return;
	for (i = 0; i < k; i++)
		asked_note(ps, msg + PM_HDR_LEN + 2 + i * REC_ID_LEN, now);
}

/* on_flush: sends the records stored during this loop turn to peers. */
static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct peers *ps = arg;

	(void)fd;
	(void)what;
	send_buf(ps, &ps->push, NULL);
	if (ps->retry_now) {
		ps->retry_now = 0;
		directed_retry(ps);
	}
}

static int
buf_append(struct buf *b, const uint8_t *rec, size_t len)
{
	size_t need = b->len + len, cap;
	uint8_t *p;

	if (need > b->cap) {
		cap = b->cap ? b->cap * 2 : 1 << 16;
		while (cap < need)
			cap *= 2;
		if ((p = realloc(b->b, cap)) == NULL)
			return MENTOR_ENOMEM;
		b->b = p;
		b->cap = cap;
	}
	memcpy(b->b + b->len, rec, len);
	b->len = need;
	return 0;
}

/*
 * on_change: keeps the reconciliation set current and queues every stored
 * public record for announcing (created_at, id) to the peers: records
 * from a peer are announced to the others right after their batch; the
 * node's own at the end of the loop turn.
 */
static void
on_change(void *arg, const struct records_change *ch)
{
	struct peers *ps = arg;
	struct buf *b = ps->origin ? &ps->relay : &ps->push;
	uint8_t ann[PM_ANN_LEN];

	if (ch->removed_id)
		rset_del(ps->set, ch->removed_ts, ch->removed_id);
	if (ch->stored == NULL)
		return;
	/* Directed records: never offered, pushed or relayed to all. */
	if (is_directed(ch->stored->kind)) {
		size_t i;

		if (memcmp(ch->stored->author, ps->node->sign_pk,
		    REC_KEY_LEN) == 0 && ps->origin == NULL) {
			own_directed(ps);
			return;
		}
		for (i = 0; i < ps->npend; i++)
			if (memcmp(ps->pend[i], ch->stored_id,
			    REC_ID_LEN) == 0) {
				memmove(ps->pend[i], ps->pend[i + 1],
				    (ps->npend - i - 1) * REC_ID_LEN);
				ps->npend--;
				send_ack(ps, ch->stored_id,
				    ch->stored->author);
				break;
			}
		return;
	}
	rset_add(ps->set, ch->stored->created_at, ch->stored_id);
	put_be64(ann, ch->stored->created_at);
	memcpy(ann + 8, ch->stored_id, REC_ID_LEN);
	if (buf_append(b, ann, sizeof(ann)) != 0)
		log_warn("peer: out of memory queueing an announcement");
	if (b == &ps->push)
		event_active(ps->flush, EV_TIMEOUT, 0);
}

static int
set_add(void *arg, uint64_t ts, const uint8_t *id)
{
	return rset_add(arg, ts, id) == MENTOR_ENOMEM ? MENTOR_ENOMEM : 0;
}

/* ---- certificates and the node record -------------------------------- */

static void
publish_node_record(struct peers *ps)
{
	struct node *n = ps->node;
	char hex[65], err[256];
	uint8_t addr[REC_ADDR_LEN];
	json_t *j;
	char *s;

	hex_encode(hex, n->curve_pk, 32);
	j = json_pack("{s:s,s:s,s:s,s:s}", "name", n->conf.name, "role",
	    node_role_name(n->conf.role), "endpoint", n->conf.listen,
	    "curve_key", hex);
	s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (s == NULL)
		return;
	if (records_publish(n->records, REC_NODE, REC_NODE_REF,
	    (uint8_t *)s, strlen(s), now_ms() + 30LL * 86400 * 1000, addr,
	    err, sizeof(err)) != 0)
		log_warn("peer: cannot publish the node record: %s", err);
	else
		ps->last_node_rec = now_ms();
	free(s);
}

/*
 * certify: a hub vouches for a direct peer (life: expires_ms from now);
 * a short life revokes an earlier certificate (SPEC.md 2.4).
 */
static int
certify(struct peers *ps, const struct peer *p, int64_t life_ms, char *err,
    size_t errlen)
{
	char ref[REC_CERT_REF_LEN + 1];
	uint8_t addr[REC_ADDR_LEN];
	json_t *j;
	char *s;
	int rc;

	if (ps->node->conf.role != ROLE_HUB)
		return 0;
	snprintf(ref, sizeof(ref), "%s%s", REC_CERT_PREFIX, p->hex);
	j = json_pack("{s:s,s:s,s:s}", "subject", p->hex, "organization",
	    p->org[0] ? p->org : p->hex, "role", "employer");
	s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (s == NULL)
		return MENTOR_ENOMEM;
	rc = records_publish(ps->node->records, REC_CERTIFICATE, ref,
	    (uint8_t *)s, strlen(s), now_ms() + life_ms, addr, err, errlen);
	free(s);
	return rc;
}

/* ---- the peer table in the store ------------------------------------- */

struct load_arg {
	struct peers	*ps;
	int		 rc;
};

static int
load_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct load_arg *a = arg;
	struct peers *ps = a->ps;
	struct peer *p;
	json_t *j;

	if (klen != REC_KEY_LEN || ps->n == PEERS_MAX)
		return 0;
	j = json_loadb(val, vlen, 0, NULL);
	p = peer_new(ps, key, json_string_value(json_object_get(j,
	    "endpoint")) ? json_string_value(json_object_get(j, "endpoint")) :
	    "", json_string_value(json_object_get(j, "org")));
	json_decref(j);
	if (p == NULL)
		return MENTOR_ENOMEM;
	ps->p[ps->n++] = p;
	return 0;
}

static int
load_fn(struct store_txn *t, void *arg)
{
	return store_iter(t, DB_PEERS, NULL, 0, load_each, arg);
}

int
peers_open(struct peers **psp, struct node *n, char *err, size_t errlen)
{
	struct peers *ps;
	struct load_arg la;
	struct timeval zero = { 0, 0 };
	int one = 1, hwm;
	size_t i;

	*psp = NULL;
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return MENTOR_ENOMEM;
	ps->node = n;
	ps->slice_pipe[0] = ps->slice_pipe[1] = -1;
	ps->heartbeat_ms = n->conf.heartbeat_ms ? n->conf.heartbeat_ms : 2000;
	ps->sync_ms = (n->conf.sync_s ? n->conf.sync_s : 60) * 1000LL;
	for (i = 0; i < LIM_KINDS; i++) {
		const struct conf *c = &n->conf;
		const int conf[LIM_KINDS][2] = {
			{ c->limit_records, c->limit_bytes },
			{ c->limit_announce, 0 },
			{ c->limit_recon, 0 },
			{ c->limit_want, c->limit_want_bytes },
			{ c->limit_relay, c->limit_relay_bytes },
			{ c->limit_ack, 0 },
			{ c->limit_ping, 0 },
		};
		static const int64_t dflt[LIM_KINDS][2] = {
			{ LIMIT_RECORDS, LIMIT_BYTES },
			{ LIMIT_ANNOUNCE, 0 },
			{ LIMIT_RECON, 0 },
			{ LIMIT_WANT, LIMIT_WANT_BYTES },
			{ LIMIT_RELAY, LIMIT_RELAY_BYTES },
			{ LIMIT_ACK, 0 },
			{ LIMIT_PING, 0 },
		};

		ps->lim_rate[i][0] = conf[i][0] >= 0 ? conf[i][0] : dflt[i][0];
		ps->lim_rate[i][1] = conf[i][1] >= 0 ? conf[i][1] : dflt[i][1];
	}
	ps->lim_burst_s = n->conf.limit_burst_s > 0 ?
	    n->conf.limit_burst_s : LIMIT_BURST_S;
	if ((ps->set = rset_new()) == NULL ||
	    records_each_id(n->records, set_add, ps->set) != 0) {
		snprintf(err, errlen, "peer: cannot build the reconciliation "
		    "set");
		goto fail;
	}
	la.ps = ps;
	la.rc = 0;
	if (store_read(n->store, load_fn, &la) != 0) {
		snprintf(err, errlen, "peer: cannot read the peer table");
		goto fail;
	}
	/* The ZAP handler first: no listener without authentication. */
	if ((ps->zap = zmq_socket(n->zctx, ZMQ_REP)) == NULL ||
	    zmq_bind(ps->zap, ZAP_EP) == -1 ||
	    (ps->zap_ev = watch_socket(ps, ps->zap, on_zap, ps)) == NULL) {
		snprintf(err, errlen, "peer: ZAP handler: %s",
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (n->conf.listen[0]) {
		if ((ps->router = zmq_socket(n->zctx, ZMQ_ROUTER)) == NULL)
			goto fail_zmq;
		socket_limits(ps->router);
		/* Answers wait in our queue, not libzmq's (answer_want). */
		hwm = ROUTER_HWM;
		zmq_setsockopt(ps->router, ZMQ_SNDHWM, &hwm, sizeof(hwm));
		zmq_setsockopt(ps->router, ZMQ_ROUTER_MANDATORY, &one,
		    sizeof(one));
		zmq_setsockopt(ps->router, ZMQ_CURVE_SERVER, &one,
		    sizeof(one));
		zmq_setsockopt(ps->router, ZMQ_CURVE_SECRETKEY, n->curve_sk,
		    32);
		zmq_setsockopt(ps->router, ZMQ_ZAP_DOMAIN, "mentord", 7);
		if (zmq_bind(ps->router, n->conf.listen) == -1)
			goto fail_zmq;
		if ((ps->router_ev = watch_socket(ps, ps->router, on_router,
		    ps)) == NULL)
			goto fail_zmq;
	}
	for (i = 0; i < ps->n; i++)
		peer_connect(ps, ps->p[i]);
	if ((ps->tick = evtimer_new(n->base, on_tick, ps)) == NULL ||
	    (ps->flush = event_new(n->base, -1, 0, on_flush, ps)) == NULL ||
	    (ps->resume = evtimer_new(n->base, on_resume, ps)) == NULL ||
	    (ps->inbox = evtimer_new(n->base, on_inbox, ps)) == NULL ||
	    pipe(ps->slice_pipe) == -1 ||
	    fcntl(ps->slice_pipe[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(ps->slice_pipe[1], F_SETFL, O_NONBLOCK) == -1 ||
	    (ps->slice_ev = event_new(n->base, ps->slice_pipe[0],
	    EV_READ | EV_PERSIST, on_slice_done, ps)) == NULL ||
	    event_add(ps->slice_ev, NULL) == -1 ||
	    records_watch(n->records, on_change, ps) != 0) {
		snprintf(err, errlen, "peer: cannot set up timers");
		goto fail;
	}
	publish_node_record(ps);
	evtimer_add(ps->tick, &zero);
	if (n->conf.listen[0])
		log_info("peer: listening on %s (CURVE)", n->conf.listen);
	*psp = ps;
	n->peers = ps;
	return 0;
fail_zmq:
	snprintf(err, errlen, "peer: %s: %s", n->conf.listen,
	    zmq_strerror(zmq_errno()));
fail:
	peers_close(ps);
	return MENTOR_EIO;
}

void
peers_close(struct peers *ps)
{
	struct slice *sl;
	size_t i;

	if (ps == NULL)
		return;
	while ((sl = ps->sl_head) != NULL) {	/* dropped: none stored */
		ps->sl_head = sl->next;
		slice_free(sl);
	}
	ps->sl_tail = NULL;
	ps->nslices = 0;
	if (ps->slice_ev)
		event_free(ps->slice_ev);
	if (ps->slice_pipe[0] != -1)
		close(ps->slice_pipe[0]);
	if (ps->slice_pipe[1] != -1)
		close(ps->slice_pipe[1]);
	for (i = 0; i < ps->n; i++)
		peer_free(ps->p[i]);
	if (ps->tick)
		event_free(ps->tick);
	if (ps->flush)
		event_free(ps->flush);
	if (ps->resume)
		event_free(ps->resume);
	if (ps->inbox)
		event_free(ps->inbox);
	if (ps->router_ev)
		event_free(ps->router_ev);
	if (ps->zap_ev)
		event_free(ps->zap_ev);
	if (ps->router)
		zmq_close(ps->router);
	if (ps->zap)
		zmq_close(ps->zap);
	rset_free(ps->set);
	while (ps->nheld > 0)
		held_drop(ps, &ps->held[ps->nheld - 1]);
	free(ps->held);
	free(ps->push.b);
	free(ps->relay.b);
	free(ps->untrusted_ids);
	if (ps->node->peers == ps)
		ps->node->peers = NULL;
	free(ps);
}

size_t
peers_count(const struct peers *ps)
{
	return ps ? ps->n : 0;
}

void
peers_health(const struct peers *ps, struct peers_health *h)
{
	char ref[REC_CERT_REF_LEN + 1];
	uint8_t addr[REC_ADDR_LEN], author[REC_KEY_LEN];
	int64_t created, expires;
	unsigned kind;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (ps == NULL)
		return;
	/* Not once whom this node trusts has changed since: maybe fixed. */
	if (ps->refused_gen == records_trust_gen(ps->node->records)) {
		h->refused_directed = ps->refused_directed;
		h->refused_at = ps->refused_at;
	}
	if (h->refused_at)
		hex_encode(h->refused_author, ps->refused_author,
		    REC_KEY_LEN);
	snprintf(ref, sizeof(ref), "%s%s", REC_CERT_PREFIX, ps->node->id_hex);
	for (i = 0; i < ps->n; i++) {
		const struct peer *p = ps->p[i];

		h->peers++;
		h->connected += p->connected != 0;
		h->suspended += p->suspended_until > now_ms();
		if (p->last_sync > h->last_sync_ms)
			h->last_sync_ms = p->last_sync;
		h->syncs += p->total.syncs;
		h->sync_failures += p->total.failures;
		h->syncing += p->state != SYNC_IDLE;
		if (p->state == SYNC_FETCH) {
			h->to_fetch += p->nneed;
			h->delivered += p->delivered;
		}
		h->rounds += p->total.rounds;
		h->bytes_sent += p->total.bytes_sent;
		h->bytes_received += p->total.bytes_received;
		h->records_in += p->total.records_in;
		h->records_out += p->total.records_out;
		h->invalid += p->invalid;
		h->untrusted += p->untrusted;
		h->throttled_valid += p->lim[LIM_RECORDS].beyond;
		h->limited_announce += p->lim[LIM_ANNOUNCE].beyond;
		h->limited_recon += p->lim[LIM_RECON].beyond;
		h->limited_want += p->lim[LIM_WANT].beyond;
		h->limited_relay += p->lim[LIM_RELAY].beyond;
		h->limited_ack += p->lim[LIM_ACK].beyond;
		h->limited_ping += p->lim[LIM_PING].beyond;
		if (!p->have_hello || p->hello.role != ROLE_HUB)
			continue;
		/* The certificate this hub issued about us, if any. */
		rec_addr(addr, p->key, ref, strlen(ref));
		if (records_addr_info(ps->node->records, addr, &kind, author,
		    NULL, 0, &created, &expires) != 0 ||
		    kind != REC_CERTIFICATE)
			continue;
		if (h->cert_expires_ms == 0 || expires < h->cert_expires_ms) {
			h->cert_expires_ms = expires;
			snprintf(h->cert_hub, sizeof(h->cert_hub), "%s",
			    p->hello.name);
		}
	}
}

/* ---- the operator's operations (the commands are in cmd_peer.c) ------- */

struct peer_put {
	const uint8_t	*key;
	json_t		*val;
	int		 del;
};

static int
peer_put_fn(struct store_txn *t, void *arg)
{
	struct peer_put *a = arg;
	char *s;
	int rc;

	if (a->del)
		return store_del(t, DB_PEERS, a->key, REC_KEY_LEN);
	if ((s = json_dumps(a->val, JSON_COMPACT)) == NULL)
		return MENTOR_ENOMEM;
	rc = store_put(t, DB_PEERS, a->key, REC_KEY_LEN, s, strlen(s));
	free(s);
	return rc;
}

int
peers_add(struct peers *ps, const uint8_t key[REC_KEY_LEN], const char *ep,
    const char *org, int hub, char *err, size_t errlen)
{
	struct peer_put put;
	struct peer *p;
	char cerr[256];
	int rc;

	if (memcmp(key, ps->node->sign_pk, REC_KEY_LEN) == 0) {
		snprintf(err, errlen, "node_id: that is this node");
		return MENTOR_EINVAL;
	}
	if (find_key(ps, key)) {
		snprintf(err, errlen, "already a peer (peer remove it first "
		    "to change its endpoint)");
		return MENTOR_EEXIST;
	}
	if (ps->n == PEERS_MAX) {
		snprintf(err, errlen, "at most %d peers", PEERS_MAX);
		return MENTOR_ETOOBIG;
	}
	if ((p = peer_new(ps, key, ep, org)) == NULL) {
		snprintf(err, errlen, "node_id: not a valid Ed25519 public "
		    "key");
		return MENTOR_EINVAL;
	}
	put.key = key;
	put.del = 0;
	put.val = json_pack("{s:s,s:I,s:s}", "endpoint", ep, "added",
	    (json_int_t)now_ms(), "org", org ? org : "");
	rc = put.val ? store_write(ps->node->store, peer_put_fn, &put) :
	    MENTOR_ENOMEM;
	json_decref(put.val);
	/* A hub mark set earlier with trust add --hub stays. */
	if (rc == 0)
		rc = records_trust_add(ps->node->records, key, "peer", hub ||
		    records_trust_hub(ps->node->records, key));
	if (rc != 0) {
		peer_free(p);
		snprintf(err, errlen, "store failed");
		return rc;
	}
	ps->p[ps->n++] = p;
	if ((rc = certify(ps, p, CERT_LIFE_MS, cerr, sizeof(cerr))) != 0)
		log_warn("peer: cannot certify %.16s: %s", p->hex, cerr);
	peer_connect(ps, p);
	if (ep[0])
		log_info("peer %.16s added at %s%s", p->hex, ep, hub ?
		    " (hub)" : "");
	else
		log_info("peer %.16s added; it dials in%s", p->hex, hub ?
		    " (hub)" : "");
	return 0;
}

int
peers_rotate(struct peers *ps, const uint8_t old[REC_KEY_LEN],
    const uint8_t key[REC_KEY_LEN], char *err, size_t errlen)
{
	char ep[NODE_EP_MAX], org[PM_NAME_MAX + 1];
	struct peer *p;
	int hub, rc;

	if ((p = find_key(ps, old)) == NULL)
		return MENTOR_ENOTFOUND;
	snprintf(ep, sizeof(ep), "%s", p->endpoint);
	snprintf(org, sizeof(org), "%s", p->org);
	hub = records_trust_hub(ps->node->records, old);
	if ((rc = peers_remove(ps, old)) != 0) {
		snprintf(err, errlen, "cannot remove the old key: %s",
		    mentor_strerror(rc));
		return rc;
	}
	return peers_add(ps, key, ep, org[0] ? org : NULL, hub, err, errlen);
}

int
peers_remove(struct peers *ps, const uint8_t key[REC_KEY_LEN])
{
	struct peer_put put;
	struct peer *p;
	char err[256];
	size_t i;
	int rc;

	if ((p = find_key(ps, key)) == NULL)
		return MENTOR_ENOTFOUND;
	put.key = key;
	put.del = 1;
	put.val = NULL;
	if ((rc = store_write(ps->node->store, peer_put_fn, &put)) != 0)
		return rc;
	rc = records_trust_remove(ps->node->records, key);
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		log_warn("peer: cannot drop trust in %.16s", p->hex);
	/* A short-lived newer certificate revokes the old one. */
	if (certify(ps, p, 1000, err, sizeof(err)) != 0)
		log_warn("peer: cannot revoke the certificate of %.16s: %s",
		    p->hex, err);
	for (i = 0; i < ps->n; i++)
		if (ps->p[i] == p) {
			ps->p[i] = ps->p[--ps->n];
			break;
		}
	peer_free(p);
	return 0;
}

static json_t *
stats_json(const struct sync_stats *s)
{
	return json_pack("{s:i,s:I,s:I,s:I,s:I,s:I}", "rounds", (int)s->rounds,
	    "ms", (json_int_t)s->ms,
	    "bytes_sent", (json_int_t)s->bytes_sent,
	    "bytes_received", (json_int_t)s->bytes_received,
	    "records_in", (json_int_t)s->records_in,
	    "records_out", (json_int_t)s->records_out);
}

/*
 * sync_json: the synchronisation this node is running with p, for
 * progress: its state, how long it has run, its rounds, the records it
 * found to fetch, those delivered and those stored so far.
 */
static json_t *
sync_json(const struct peer *p)
{
	static const char *const names[] = {
		[SYNC_IDLE] = "idle",
		[SYNC_RECON] = "reconciling",
		[SYNC_FETCH] = "fetching",
	};
	int run = p->state != SYNC_IDLE;

	return json_pack("{s:s,s:I,s:i,s:I,s:I,s:I}", "state",
	    names[p->state], "ms", (json_int_t)(run ? now_ms() -
	    p->sync_started : 0), "rounds", run ? (int)p->st.rounds : 0,
	    "to_fetch", (json_int_t)(p->state == SYNC_FETCH ? p->nneed : 0),
	    "delivered", (json_int_t)(run ? p->delivered : 0),
	    "stored", (json_int_t)(run ? p->st.records_in : 0));
}

/* limited_json: p's requests beyond its limits, by kind (not records). */
static json_t *
limited_json(const struct peer *p)
{
	json_t *o = json_object();
	size_t k;

	for (k = LIM_RECORDS + 1; o != NULL && k < LIM_KINDS; k++)
		json_object_set_new(o, lim_info[k].name,
		    json_integer((json_int_t)p->lim[k].beyond));
	return o;
}

/* The names of the message types in peer list's "received" (0: malformed). */
static const char *const rx_names[RX_WANT_RECON + 1] = {
	[0] = "malformed",
	[PM_PING] = "ping",
	[PM_PONG] = "pong",
	[PM_PUSH] = "push",
	[PM_RECON] = "recon",
	[PM_RECON_REPLY] = "recon_reply",
	[PM_WANT] = "want",
	[PM_RECORDS] = "records",
	[PM_DELIVER] = "deliver",
	[PM_ACK] = "ack",
	[PM_ANNOUNCE] = "announce",
	[RX_WANT_RECON] = "want_recon",
};

/* rx_json: what arrived from a peer (struct rx_stats). */
static json_t *
rx_json(const struct rx_stats *rx)
{
	json_t *by, *j;
	size_t i;

	if ((by = json_object()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(rx_names) / sizeof(rx_names[0]); i++)
		if (json_object_set_new(by, rx_names[i],
		    json_integer((json_int_t)rx->bytes[i])) != 0) {
			json_decref(by);
			return NULL;
		}
	j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}",
	    "records", (json_int_t)rx->records,
	    "record_bytes", (json_int_t)rx->record_bytes,
	    "duplicates", (json_int_t)rx->duplicates,
	    "duplicate_bytes", (json_int_t)rx->duplicate_bytes,
	    "untrusted_bytes", (json_int_t)rx->untrusted_bytes,
	    "bytes", by);
	return j;
}

/* ago: "3 min ago" and the like. */
static void
ago(char *out, size_t outlen, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 120)
		snprintf(out, outlen, "%lld s ago", (long long)s);
	else if (s < 2 * 3600)
		snprintf(out, outlen, "%lld min ago", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(out, outlen, "%lld h ago", (long long)(s / 3600));
	else
		snprintf(out, outlen, "%lld days ago", (long long)(s / 86400));
}

/* peer_status: why a peer is (not) connected, in words (peer list). */
static void
peer_status(const struct peer *p, char *out, size_t outlen)
{
	char when[32];
	int64_t now = now_ms();

	if (p->suspended_until > now)
		snprintf(out, outlen, "suspended after %llu faults",
		    (unsigned long long)p->invalid);
	else if (p->connected)
		snprintf(out, outlen, "connected");
	else if (p->last_rx) {
		ago(when, sizeof(when), now - p->last_rx);
		snprintf(out, outlen, "stopped answering %s", when);
	} else if (p->endpoint[0] == '\0')
		snprintf(out, outlen, "never reached: waiting for it to dial "
		    "in (it must add this node with this node's endpoint)");
	else if (p->refused)
		snprintf(out, outlen, "refused by its ZAP handler: waiting "
		    "for the other side to add this node");
	else if (p->reached)
		snprintf(out, outlen, "reached, no answer yet");
	else
		snprintf(out, outlen, "never reached");
}

json_t *
peers_refused(const struct peers *ps)
{
	char hex[65], first[21], last[21];
	json_t *list, *e;
	size_t i;

	if ((list = json_array()) == NULL)
		return NULL;
	for (i = 0; i < ps->nrefused; i++) {
		const struct refused *r = &ps->refused[i];

		hex_encode(hex, r->curve, 32);
		time_format(first, r->first);
		time_format(last, r->last);
		e = json_pack("{s:s,s:s,s:s,s:s,s:I}", "curve_key", hex,
		    "address", r->address, "first", first, "last", last,
		    "count", (json_int_t)r->count);
		if (e == NULL || json_array_append_new(list, e) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

json_t *
peers_list(const struct peers *ps)
{
	char ts[21] = "";
	json_t *list, *e;
	size_t i;

	if ((list = json_array()) == NULL)
		return NULL;
	for (i = 0; i < ps->n; i++) {
		struct peer *p = ps->p[i];
		char why[160];

		if (p->last_rx)
			time_format(ts, p->last_rx > p->dealer_rx ? p->last_rx :
			    p->dealer_rx);
		peer_status(p, why, sizeof(why));
		e = json_pack("{s:s,s:s,s:b,s:b,s:s,s:s,s:s,s:I,s:I,s:I,s:I,"
		    "s:I,s:b,s:b,s:I,s:o}",
		    "node_id", p->hex, "endpoint", p->endpoint,
		    "connected", p->connected,
		    "hub", records_trust_hub(ps->node->records, p->key),
		    "name", p->have_hello ? p->hello.name : "",
		    "role", p->have_hello ? node_role_name(p->hello.role) : "",
		    "last_contact", p->last_rx ? ts : "",
		    "invalid", (json_int_t)p->invalid,
		    "untrusted", (json_int_t)p->untrusted,
		    "ignored_certificates", (json_int_t)p->certs_ignored,
		    "dropped", (json_int_t)p->dropped,
		    "queued", (json_int_t)p->in_bytes,
		    "suspended", p->suspended_until != 0,
		    "throttled", p->throttled_until > now_ms(),
		    "throttled_valid", (json_int_t)p->lim[LIM_RECORDS].beyond,
		    "totals", stats_json(&p->total));
		if (e != NULL) {
			json_t *t = json_object_get(e, "totals");

			/* Sessions this node started with it, and failed. */
			json_object_set_new(t, "syncs",
			    json_integer((json_int_t)p->total.syncs));
			json_object_set_new(t, "failures",
			    json_integer((json_int_t)p->total.failures));
			json_object_set_new(e, "sync", sync_json(p));
			json_object_set_new(e, "limited", limited_json(p));
			json_object_set_new(e, "status", json_string(why));
			json_object_set_new(e, "dials_in",
			    json_boolean(p->endpoint[0] == '\0'));
			json_object_set_new(e, "received", rx_json(&p->rx));
		}
		if (e == NULL || json_array_append_new(list, e) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

size_t
peers_sync_start(struct peers *ps, unsigned *gen)
{
	size_t i, started = 0;

	ps->gen++;
	for (i = 0; i < ps->n; i++) {
		struct peer *p = ps->p[i];

		if (!p->connected)
			continue;
		if (p->state != SYNC_IDLE)
			sync_end(p, 1);	/* restart under the new generation */
		sync_start(ps, p);
		started++;
	}
	*gen = ps->gen;
	return started;
}

json_t *
peers_sync_status(const struct peers *ps, unsigned gen)
{
	json_t *list, *e;
	size_t i;
	int done = 1;

	if ((list = json_array()) == NULL)
		return NULL;
	for (i = 0; i < ps->n; i++) {
		struct peer *p = ps->p[i];
		int finished = p->gen >= gen && p->state == SYNC_IDLE;

		if (!p->connected && !finished)
			continue;	/* not part of this sync */
		if (!finished)
			done = 0;
		e = stats_json(&p->st);
		json_object_set_new(e, "node_id", json_string(p->hex));
		json_object_set_new(e, "done", json_boolean(finished));
		json_object_set_new(e, "failed", json_boolean(finished &&
		    p->sync_failed));
		json_array_append_new(list, e);
	}
	return json_pack("{s:b,s:o}", "done", done, "peers", list);
}
