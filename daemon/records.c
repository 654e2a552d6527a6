/*
 * records.c: the accept pipeline for signed records and the expiry sweep.
 * Order of checks (SPEC.md 4.7): decode, duplicate, trust, signature,
 * clock, kind rules (body), version, for records from peers and imports
 * (records_accept_untrusted); records_accept_batch, for the node's own
 * records, judges trust after the body (its own key always passes).  Only a
 * record that passes all of them is written, together with its address
 * and expiry index entries, in one transaction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <pthread.h>
#include <sodium.h>

#include "application.h"
#include "body.h"
#include "listing.h"
#include "log.h"
#include "metrics.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define WATCH_MAX	8
#define PARALLEL_MIN	64	/* records before the verify threads help */
#define CHECK_CHUNK	16	/* records a verify thread takes at a time */
#define VPOOL_MAX	64	/* verify threads at most */
#define ADDR_FIXED	82	/* DB_ADDR value bytes before ref */
#define EXP_KEY_LEN	41
#define SWEEP_MAX_MS	(3600 * 1000)
#define DEFAULT_LIFE_MS	(180LL * 86400 * 1000)

/*
 * The verify threads: one per online core, started with the first batch
 * worth sharing.  Batches wait in a queue (head: the oldest with records
 * not yet handed out); each thread takes CHECK_CHUNK records of the oldest
 * at a time, so that every core works on one batch, and on the next one
 * while the event loop stores the last.
 */
struct vpool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* a batch queued, or stop */
	pthread_cond_t		 done;		/* a batch fully checked */
	struct records_batch	*head, *tail;
	pthread_t		 th[VPOOL_MAX];
	int			 nth, stop, tried;
};

struct records {
	struct node	*node;
	struct vpool	 pool;
	struct event	*timer;
	size_t		 live;		/* live listings */
	uint64_t	 certs_ignored;	/* certificates by non-hubs */
	uint64_t	 trust_gen;	/* records_trust_gen */
	struct log_rl	 rl_cert;
	struct {
		records_watch_fn fn;
		void		*arg;
	} watch[WATCH_MAX];
	int		 nwatch;
	records_hook_fn	 hook;		/* in the storing transaction */
	void		*hook_arg;
};

/* A decoded DB_ADDR value. */
struct addr_val {
	uint8_t		kind;
	uint64_t	created, expires;
	uint8_t		id[REC_ID_LEN];
	uint8_t		author[REC_KEY_LEN];
	size_t		ref_len;
	char		ref[REC_REF_MAX];
};

static int
addr_get(struct store_txn *t, const uint8_t addr[REC_ADDR_LEN],
    struct addr_val *a)
{
	const uint8_t *v;
	size_t vlen;
	int rc;

	if ((rc = store_get(t, DB_ADDR, addr, REC_ADDR_LEN,
	    (const void **)&v, &vlen)) != 0)
		return rc;
	if (vlen < ADDR_FIXED || vlen != ADDR_FIXED + (size_t)v[81] ||
	    v[81] > REC_REF_MAX) {
		log_err("records: address entry corrupt");
		return MENTOR_ESTORE;
	}
	a->kind = v[0];
	a->created = get_be64(v + 1);
	a->expires = get_be64(v + 9);
	memcpy(a->id, v + 17, REC_ID_LEN);
	memcpy(a->author, v + 49, REC_KEY_LEN);
	a->ref_len = v[81];
	memcpy(a->ref, v + ADDR_FIXED, a->ref_len);
	return 0;
}

static int
addr_put(struct store_txn *t, const uint8_t addr[REC_ADDR_LEN],
    const struct rec *r, const uint8_t id[REC_ID_LEN])
{
	uint8_t v[ADDR_FIXED + REC_REF_MAX];

	v[0] = r->kind;
	put_be64(v + 1, r->created_at);
	put_be64(v + 9, r->expires_at);
	memcpy(v + 17, id, REC_ID_LEN);
	memcpy(v + 49, r->author, REC_KEY_LEN);
	v[81] = (uint8_t)r->ref_len;
	memcpy(v + ADDR_FIXED, r->ref, r->ref_len);
	return store_put(t, DB_ADDR, addr, REC_ADDR_LEN, v,
	    ADDR_FIXED + r->ref_len);
}

static void
exp_key(uint8_t k[EXP_KEY_LEN], uint64_t when, int tag, const uint8_t *key,
    size_t klen)
{
	memset(k, 0, EXP_KEY_LEN);
	put_be64(k, when);
	k[8] = (uint8_t)tag;
	memcpy(k + 9, key, klen);
}

/*
 * marked_hub: whether a DB_TRUST value says the operator marked the key as
 * a hub (trust add --hub, peer add --hub).  A role claimed in a node
 * record counts for nothing (SPEC.md 4.6).
 */
static int
marked_hub(const void *val, size_t vlen)
{
	json_t *j;
	int hub;

	j = json_loadb(val, vlen, 0, NULL);
	hub = json_is_true(json_object_get(j, "hub"));
	json_decref(j);
	return hub;
}

/* hub_txn: key is trusted directly and marked as a hub. */
static int
hub_txn(struct store_txn *t, const uint8_t key[REC_KEY_LEN])
{
	const void *v;
	size_t vlen;

	return store_get(t, DB_TRUST, key, REC_KEY_LEN, &v, &vlen) == 0 &&
	    marked_hub(v, vlen);
}

/* certified: a live certificate for subject, issued by issuer. */
static int
certified(struct store_txn *t, const uint8_t issuer[REC_KEY_LEN],
    const uint8_t subject[REC_KEY_LEN], int64_t now)
{
	char ref[REC_CERT_REF_LEN + 1];
	uint8_t addr[REC_ADDR_LEN];
	struct addr_val a;
	const void *v;
	size_t vlen;

	memcpy(ref, REC_CERT_PREFIX, strlen(REC_CERT_PREFIX));
	hex_encode(ref + strlen(REC_CERT_PREFIX), subject, REC_KEY_LEN);
	rec_addr(addr, issuer, ref, REC_CERT_REF_LEN);
	if (addr_get(t, addr, &a) != 0 || a.kind != REC_CERTIFICATE ||
	    (int64_t)a.expires <= now)
		return 0;
	return store_get(t, DB_RECORDS, a.id, REC_ID_LEN, &v, &vlen) == 0;
}

struct cert_walk {
	struct store_txn	*t;
	const uint8_t		*subject;
	int64_t			 now;
};

static int
cert_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct cert_walk *w = arg;

	if (klen != REC_KEY_LEN)
		return 0;
	return certified(w->t, key, w->subject, w->now) &&
	    marked_hub(val, vlen);
}

/*
 * trusted_txn: the author has not rotated its key (SPEC.md 2.8) and is
 * this node, trusted directly by the operator,
 * or certified by a key the operator trusts directly and marked as a hub
 * (one level: a certificate from a certified key does not count).
 */
static int
trusted_txn(struct records *rs, struct store_txn *t, const uint8_t *key)
{
	struct cert_walk w = { t, key, now_ms() };
	struct addr_val rot;
	uint8_t addr[REC_ADDR_LEN];
	const void *v;
	size_t vlen;

	/* A rotated key publishes nothing more, ours included (2.7). */
	rec_addr(addr, key, REC_ROT_REF, sizeof(REC_ROT_REF) - 1);
	if (addr_get(t, addr, &rot) == 0 && rot.kind == REC_ROTATION)
		return 0;
	if (sodium_memcmp(key, rs->node->sign_pk, REC_KEY_LEN) == 0)
		return 1;
	if (store_get(t, DB_TRUST, key, REC_KEY_LEN, &v, &vlen) == 0)
		return 1;
	return store_iter(t, DB_TRUST, NULL, 0, cert_each, &w) == 1;
}

static int
verdict(struct records_verdict *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
verdict(struct records_verdict *v, int code, const char *fmt, ...)
{
	va_list ap;

	v->code = code;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	return code;
}

/* kind_check: the per-kind rules on ref and body (SPEC.md section 2). */
static int
kind_check(const struct rec *r, struct records_verdict *v)
{
	char err[BODY_ERR_MAX];
	int rc;

	if ((rc = body_check(r, err, sizeof(err))) != 0)
		return verdict(v, rc, "%s", err);
	return 0;
}

/* One record that passed rec_open, inside the batch transaction. */
struct pending {
	struct rec	rec;
	uint8_t		addr[REC_ADDR_LEN];
	int		skip;	/* refused before the transaction */
	int		was_live, is_live, changed;
	int		cert_ignored;	/* a certificate by a non-hub */
	int		repeat;		/* a copy of the bytes of p[first] */
	size_t		first;
	int		replaced;	/* old_id/old_ts left the store */
	uint8_t		old_id[REC_ID_LEN];
	uint64_t	old_ts;
};

struct batch {
	struct records		*rs;
	const uint8_t *const	*bufs;
	const size_t		*lens;
	const uint8_t		(*ids)[REC_ID_LEN];	/* or NULL */
	size_t			 n;
	struct records_verdict	*v;
	struct pending		*p;
	int64_t			 now;
	long			 live_delta;
	int			 trust_first;	/* records_accept_untrusted */
	/*
	 * The last author's trust in this transaction, while only listings
	 * were stored after it was looked up (any other kind may change
	 * trust: a certificate, a rotation, what a hook makes of them).
	 */
	uint8_t			 tr_key[REC_KEY_LEN];
	int			 tr_known, tr_val;
};

/* author_trusted: trusted_txn for r's author, through the batch's memo. */
static int
author_trusted(struct batch *b, struct store_txn *t, const struct rec *r)
{
	if (!b->tr_known ||
	    memcmp(b->tr_key, r->author, REC_KEY_LEN) != 0) {
		b->tr_val = trusted_txn(b->rs, t, r->author);
		memcpy(b->tr_key, r->author, REC_KEY_LEN);
		b->tr_known = 1;
	}
	return b->tr_val;
}

static int
store_one(struct batch *b, struct store_txn *t, size_t i)
{
	struct pending *p = &b->p[i];
	struct rec *r = &p->rec;
	struct records_verdict *v = &b->v[i];
	struct addr_val cur;
	uint8_t k[EXP_KEY_LEN];
	const void *val;
	size_t vlen;
	char when[21];
	int rc, cmp, have;

	rc = store_get(t, DB_RECORDS, v->id, REC_ID_LEN, &val, &vlen);
	if (rc == 0)
		return verdict(v, MENTOR_EDUP, "already held");
	if (rc != MENTOR_ENOTFOUND)
		return rc;
	if (!author_trusted(b, t, r)) {
		char hex[2 * REC_KEY_LEN + 1];

		hex_encode(hex, r->author, REC_KEY_LEN);
		return verdict(v, MENTOR_EUNTRUSTED, "author %s is not "
		    "trusted by this node", hex);
	}
	if (r->kind != REC_LISTING)
		b->tr_known = 0;	/* it may change trust once stored */
	/* Stored and relayed, but vouching for nobody (SPEC.md 4.6). */
	if (r->kind == REC_CERTIFICATE && sodium_memcmp(r->author,
	    b->rs->node->sign_pk, REC_KEY_LEN) != 0 &&
	    !hub_txn(t, r->author))
		p->cert_ignored = 1;
	rec_addr(p->addr, r->author, r->ref, r->ref_len);
	rc = addr_get(t, p->addr, &cur);
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	have = rc == 0;
	if (have) {
		cmp = rec_cmp_state(r->kind, r->created_at, v->id, cur.kind,
		    cur.created, cur.id);
		if (cmp <= 0) {
			time_format(when, (int64_t)cur.created);
			if (cur.kind == REC_WITHDRAWAL)
				return verdict(v, MENTOR_EWITHDRAWN,
				    "withdrawn at %s", when);
			return verdict(v, MENTOR_ESTALE, "older than the "
			    "version held (created %s)", when);
		}
		/* Replace: the superseded record and its index entries go. */
		/* Counted while its record is held, expired or not. */
		p->was_live = cur.kind == REC_LISTING &&
		    store_get(t, DB_RECORDS, cur.id, REC_ID_LEN, &val,
		    &vlen) == 0;
		rc = store_del(t, DB_RECORDS, cur.id, REC_ID_LEN);
		if (rc != 0 && rc != MENTOR_ENOTFOUND)
			return rc;
		if (rc == 0) {
			p->replaced = 1;
			memcpy(p->old_id, cur.id, REC_ID_LEN);
			p->old_ts = cur.created;
		}
		exp_key(k, cur.expires, 0, cur.id, REC_ID_LEN);
		if ((rc = store_del(t, DB_EXPIRY, k, sizeof(k))) != 0 &&
		    rc != MENTOR_ENOTFOUND)
			return rc;
		exp_key(k, cur.created + REC_MAX_LIFE_MS, 1, p->addr,
		    REC_ADDR_LEN);
		if ((rc = store_del(t, DB_EXPIRY, k, sizeof(k))) != 0 &&
		    rc != MENTOR_ENOTFOUND)
			return rc;
	}
	/*
	 * A reconciliation fetches what it lacks in id order: appended,
	 * the records fill their pages instead of splitting them in two.
	 */
	rc = store_append(t, DB_RECORDS, v->id, REC_ID_LEN, r->bytes, r->len);
	if (rc == MENTOR_EEXIST)
		rc = store_put(t, DB_RECORDS, v->id, REC_ID_LEN, r->bytes,
		    r->len);
	if (rc != 0)
		return rc;
	if ((rc = addr_put(t, p->addr, r, v->id)) != 0)
		return rc;
	exp_key(k, r->expires_at, 0, v->id, REC_ID_LEN);
	if ((rc = store_put(t, DB_EXPIRY, k, sizeof(k), "", 0)) != 0)
		return rc;
	exp_key(k, r->created_at + REC_MAX_LIFE_MS, 1, p->addr, REC_ADDR_LEN);
	if ((rc = store_put(t, DB_EXPIRY, k, sizeof(k), "", 0)) != 0)
		return rc;
	p->is_live = r->kind == REC_LISTING;
	p->changed = 1;
	b->live_delta += p->is_live - p->was_live;
	v->code = 0;
	v->why[0] = '\0';
	/* What the record means to this node commits with it, or neither. */
	if (b->rs->hook != NULL &&
	    (rc = b->rs->hook(b->rs->hook_arg, t, r)) != 0)
		return rc == MENTOR_ENOMEM ? rc : MENTOR_ESTORE;
	return 0;
}

static int
batch_fn(struct store_txn *t, void *arg)
{
	struct batch *b = arg;
	size_t i;
	int rc;

	/* This may run more than once (map growth): start clean. */
	b->live_delta = 0;
	b->tr_known = 0;
	for (i = 0; i < b->n; i++) {
		b->p[i].changed = b->p[i].was_live = b->p[i].is_live = 0;
		b->p[i].replaced = b->p[i].cert_ignored = 0;
		if (b->p[i].skip)
			continue;
		rc = store_one(b, t, i);
		if (rc == MENTOR_ESTORE || rc == MENTOR_ENOMEM)
			return rc;
	}
	return 0;
}

static void schedule(struct records *);

static void
notify(struct records *rs, const struct records_change *ch)
{
	int i;

	for (i = 0; i < rs->nwatch; i++)
		rs->watch[i].fn(rs->watch[i].arg, ch);
}

/* precheck: signature, clock and body of records [from, to): no store. */
static void
precheck(struct batch *b, size_t from, size_t to)
{
	struct records_verdict *v;
	size_t i;
	int rc;

	for (i = from; i < to; i++) {
		v = &b->v[i];
		if (b->p[i].skip)
			continue;	/* already held: verified when stored */
		rc = rec_open(&b->p[i].rec, b->bufs[i], b->lens[i],
		    (uint64_t)b->now);
		if (rc == 0)
			rc = kind_check(&b->p[i].rec, v);
		else {
			/* Not a record: it has no id to speak of. */
			memset(v->id, 0, sizeof(v->id));
			verdict(v, rc, "%s", mentor_strerror(rc));
		}
		b->p[i].skip = rc != 0;
	}
}

/* An author's trust, looked up once per batch. */
struct author_memo {
	const uint8_t	*key;
	int		 trusted;
};

struct id_ix {
	uint8_t	id[REC_ID_LEN];
	size_t	i;
};

static int
id_ix_cmp(const void *a, const void *b)
{
	const struct id_ix *x = a, *y = b;
	int c = memcmp(x->id, y->id, REC_ID_LEN);

	if (c == 0)	/* the first copy keeps its verdict */
		c = x->i < y->i ? -1 : x->i > y->i;
	return c;
}

/*
 * repeats: marks the second and later copies of the same bytes in the
 * batch, which would be refused as already held anyway: they cost a hash
 * and a sort, never a signature check.
 */
static int
repeats(struct batch *b)
{
	struct id_ix *ix;
	size_t i, f = 0;

	if (b->n < 2)
		return 0;
	/* Fetched records come in id order: no repeat, nothing to sort. */
	for (i = 1; i < b->n && memcmp(b->v[i - 1].id, b->v[i].id,
	    REC_ID_LEN) < 0; i++)
		;
	if (i == b->n)
		return 0;
	if ((ix = malloc(b->n * sizeof(*ix))) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < b->n; i++) {
		memcpy(ix[i].id, b->v[i].id, REC_ID_LEN);
		ix[i].i = i;
	}
	qsort(ix, b->n, sizeof(*ix), id_ix_cmp);
	for (i = 1; i < b->n; i++) {
		if (memcmp(ix[i].id, ix[i - 1].id, REC_ID_LEN) != 0)
			f = i;	/* the first copy of a run of equal ids */
		if (b->lens[ix[i].i] <= REC_MAX_SIZE &&
		    b->lens[ix[i - 1].i] <= REC_MAX_SIZE &&
		    memcmp(ix[i].id, ix[i - 1].id, REC_ID_LEN) == 0 &&
		    !b->p[ix[i].i].skip) {
			verdict(&b->v[ix[i].i], MENTOR_EDUP, "already held");
			b->p[ix[i].i].skip = 1;
			b->p[ix[i].i].repeat = 1;
			b->p[ix[i].i].first = ix[f].i;
		}
	}
	free(ix);
	return 0;
}

/*
 * certified_in_batch: a certificate for key, by a marked hub, travels in
 * the same batch (it will be verified and stored before the listings it
 * vouches for, which store_one then judges properly).
 */
static int
certified_in_batch(struct batch *b, struct store_txn *t,
    const uint8_t *key)
{
	char hex[2 * REC_KEY_LEN + 1];
	struct rec r;
	size_t i, pl = strlen(REC_CERT_PREFIX);

	hex_encode(hex, key, REC_KEY_LEN);
	for (i = 0; i < b->n; i++)
		if (b->lens[i] > 3 && b->bufs[i][3] == REC_CERTIFICATE &&
		    rec_decode(&r, b->bufs[i], b->lens[i]) == 0 &&
		    r.ref_len == REC_CERT_REF_LEN &&
		    memcmp(r.ref + pl, hex, 2 * REC_KEY_LEN) == 0 &&
		    hub_txn(t, r.author))
			return 1;
	return 0;
}

/*
 * untrusted_first: refuses, before any signature check, the records whose
 * author (read from the header) this node does not trust.  The authors
 * are few, so each is judged once per batch (at most AUTHORS_MEMO; past
 * that, per record).
 */
#define AUTHORS_MEMO	16
static void
untrusted_first(struct batch *b, struct store_txn *t)
{
	struct author_memo memo[AUTHORS_MEMO];
	char hex[2 * REC_KEY_LEN + 1];
	size_t i, k, nmemo = 0;
	struct rec r;
	int trusted;

	for (i = 0; i < b->n; i++) {
		if (b->p[i].skip || rec_decode(&r, b->bufs[i],
		    b->lens[i]) != 0)
			continue;	/* precheck names the problem */
		for (k = 0; k < nmemo; k++)
			if (memcmp(memo[k].key, r.author, REC_KEY_LEN) == 0)
				break;
		if (k < nmemo)
			trusted = memo[k].trusted;
		else {
			trusted = trusted_txn(b->rs, t, r.author) ||
			    certified_in_batch(b, t, r.author);
			if (nmemo < AUTHORS_MEMO) {
				memo[nmemo].key = r.author;
				memo[nmemo++].trusted = trusted;
			}
		}
		if (!trusted) {
			hex_encode(hex, r.author, REC_KEY_LEN);
			verdict(&b->v[i], MENTOR_EUNTRUSTED, "author %s is "
			    "not trusted by this node", hex);
			b->p[i].skip = 1;
		}
	}
}

/*
 * held_fn: marks the records whose exact bytes are already stored.  Their
 * id is the hash of those bytes, so they were verified when stored; a
 * relayed duplicate then costs a hash and a lookup, not a signature check.
 */
static int
held_fn(struct store_txn *t, void *arg)
{
	struct batch *b = arg;
	const void *val;
	size_t i, vlen;
	int rc;

	for (i = 0; i < b->n; i++) {
		memset(&b->v[i], 0, sizeof(b->v[i]));
		b->p[i].skip = b->p[i].repeat = 0;
		if (b->lens[i] > REC_MAX_SIZE)
			continue;
		if (b->ids != NULL)
			memcpy(b->v[i].id, b->ids[i], REC_ID_LEN);
		else
			rec_id(b->v[i].id, b->bufs[i], b->lens[i]);
		if (store_get(t, DB_RECORDS, b->v[i].id, REC_ID_LEN, &val,
		    &vlen) == 0) {
			verdict(&b->v[i], MENTOR_EDUP, "already held");
			b->p[i].skip = 1;
		}
	}
	if ((rc = repeats(b)) != 0)
		return rc;
	if (b->trust_first)
		untrusted_first(b, t);
	return 0;
}

/* A batch between records_batch_begin and records_batch_end. */
struct records_batch {
	struct batch		 b;
	/* Under rs->pool.mu while the verify threads hold it: */
	struct records_batch	*next;		/* in the pool's queue */
	size_t			 handed;	/* records handed to threads */
	size_t			 left;		/* records not yet checked */
	int			 queued, checked;
	int			 fd;		/* told when checked; -1 */
	int			 store_rc;	/* records_batches_store */
};

/* pool_take: the next chunk of the oldest batch; NULL if none. */
static struct records_batch *
pool_take(struct vpool *vp, size_t *from, size_t *to)
{
	struct records_batch *rb = vp->head;

	if (rb == NULL)
		return NULL;
	*from = rb->handed;
	*to = rb->b.n - *from > CHECK_CHUNK ? *from + CHECK_CHUNK : rb->b.n;
	rb->handed = *to;
	if (rb->handed == rb->b.n) {
		vp->head = rb->next;
		if (vp->head == NULL)
			vp->tail = NULL;
		rb->next = NULL;
		rb->queued = 0;
	}
	return rb;
}

/* pool_done: under the lock, k more records of rb are checked. */
static void
pool_done(struct vpool *vp, struct records_batch *rb, size_t k)
{
	ssize_t r;

	rb->left -= k;
	if (rb->left > 0 || rb->handed < rb->b.n)
		return;
	rb->checked = 1;
	pthread_cond_broadcast(&vp->done);
	if (rb->fd != -1)
		do
			r = write(rb->fd, "x", 1);
		while (r == -1 && errno == EINTR);
}

static void *
pool_run(void *arg)
{
	struct vpool *vp = arg;
	struct records_batch *rb;
	size_t from, to;

	pthread_mutex_lock(&vp->mu);
	while (!vp->stop) {
		if ((rb = pool_take(vp, &from, &to)) == NULL) {
			pthread_cond_wait(&vp->work, &vp->mu);
			continue;
		}
		pthread_mutex_unlock(&vp->mu);
		precheck(&rb->b, from, to);
		pthread_mutex_lock(&vp->mu);
		pool_done(vp, rb, to - from);
	}
	pthread_mutex_unlock(&vp->mu);
	return NULL;
}

/*
 * pool_start: under the lock, the verify threads, once: as many as
 * online cores.  Returns how many run (0: check on the caller's thread).
 */
static int
pool_start(struct vpool *vp)
{
	long n;

	if (vp->tried)
		return vp->nth;
	vp->tried = 1;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > VPOOL_MAX)
		n = VPOOL_MAX;
	while (vp->nth < n &&
	    pthread_create(&vp->th[vp->nth], NULL, pool_run, vp) == 0)
		vp->nth++;
	if (vp->nth == 0)
		log_warn("records: no verify thread; checking on the loop");
	return vp->nth;
}

/* pool_queue: under the lock, rb joins the queue (0), or 1 if no pool. */
static int
pool_queue(struct vpool *vp, struct records_batch *rb, int fd)
{
	rb->fd = fd;
	rb->handed = 0;
	rb->left = rb->b.n;
	if (rb->b.n == 0) {
		rb->checked = 1;
		return 1;
	}
	if (pool_start(vp) == 0)
		return 1;
	rb->queued = 1;
	if (vp->tail)
		vp->tail->next = rb;
	else
		vp->head = rb;
	vp->tail = rb;
	pthread_cond_broadcast(&vp->work);
	return 0;
}

/* pool_unqueue: under the lock, rb leaves the queue (if in it). */
static void
pool_unqueue(struct vpool *vp, struct records_batch *rb)
{
	struct records_batch **pp;

	if (!rb->queued)
		return;
	rb->queued = 0;
	for (pp = &vp->head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == rb) {
			*pp = rb->next;
			break;
		}
	rb->next = NULL;
	vp->tail = NULL;
	for (pp = &vp->head; *pp != NULL; pp = &(*pp)->next)
		vp->tail = *pp;
}

/*
 * pool_cancel: under the lock, takes rb's records not yet handed out back
 * from the queue and waits for those being checked.
 */
static void
pool_cancel(struct vpool *vp, struct records_batch *rb)
{
	if (rb->queued) {
		pool_unqueue(vp, rb);
		rb->left -= rb->b.n - rb->handed;
		rb->handed = rb->b.n;
	}
	while (rb->left > 0)
		pthread_cond_wait(&vp->done, &vp->mu);
}

static void
pool_stop(struct vpool *vp)
{
	int i;

	pthread_mutex_lock(&vp->mu);
	vp->stop = 1;
	pthread_cond_broadcast(&vp->work);
	pthread_mutex_unlock(&vp->mu);
	for (i = 0; i < vp->nth; i++)
		pthread_join(vp->th[i], NULL);
	vp->nth = 0;
}

int
records_batch_begin(struct records *rs, const uint8_t *const *bufs,
    const size_t *lens, const uint8_t (*ids)[REC_ID_LEN], size_t n,
    struct records_verdict *v, int trust_first, struct records_batch **out)
{
	struct records_batch *rb;
	struct batch *b;
	int rc;

	*out = NULL;
	if ((rb = calloc(1, sizeof(*rb))) == NULL)
		return MENTOR_ENOMEM;
	rb->fd = -1;
	b = &rb->b;
	if ((b->p = calloc(n ? n : 1, sizeof(*b->p))) == NULL) {
		free(rb);
		return MENTOR_ENOMEM;
	}
	b->trust_first = trust_first;
	b->rs = rs;
	b->bufs = bufs;
	b->lens = lens;
	b->ids = ids;
	b->n = n;
	b->v = v;
	b->now = now_ms();
	if ((rc = store_read(rs->node->store, held_fn, b)) != 0) {
		records_batch_free(rb);
		return rc;
	}
	*out = rb;
	return 0;
}

/*
 * records_batch_check: every core on it: the verify threads, and this
 * thread too until no chunk is left to hand out.
 */
void
records_batch_check(struct records_batch *rb)
{
	struct vpool *vp = &rb->b.rs->pool;
	size_t from, to;

	if (rb->b.n < PARALLEL_MIN) {
		precheck(&rb->b, 0, rb->b.n);
		rb->checked = 1;
		return;
	}
	pthread_mutex_lock(&vp->mu);
	if (pool_queue(vp, rb, -1) != 0) {
		pthread_mutex_unlock(&vp->mu);
		precheck(&rb->b, 0, rb->b.n);
		rb->checked = 1;
		return;
	}
	while (rb->handed < rb->b.n) {
		/* Only its own chunks: older batches are the threads' job. */
		from = rb->handed;
		to = rb->b.n - from > CHECK_CHUNK ? from + CHECK_CHUNK :
		    rb->b.n;
		rb->handed = to;
		if (to == rb->b.n)
			pool_unqueue(vp, rb);
		pthread_mutex_unlock(&vp->mu);
		precheck(&rb->b, from, to);
		pthread_mutex_lock(&vp->mu);
		pool_done(vp, rb, to - from);
	}
	while (!rb->checked)
		pthread_cond_wait(&vp->done, &vp->mu);
	pthread_mutex_unlock(&vp->mu);
}

int
records_batch_submit(struct records_batch *rb, int fd)
{
	struct vpool *vp = &rb->b.rs->pool;
	int rc;

	if (rb->b.n < PARALLEL_MIN / 4) {
		precheck(&rb->b, 0, rb->b.n);
		rb->checked = 1;
		return 1;
	}
	pthread_mutex_lock(&vp->mu);
	rc = pool_queue(vp, rb, fd);
	pthread_mutex_unlock(&vp->mu);
	if (rc != 0) {
		precheck(&rb->b, 0, rb->b.n);
		rb->checked = 1;
	}
	return rc;
}

int
records_batch_checked(struct records_batch *rb)
{
	struct vpool *vp = &rb->b.rs->pool;
	int done;

	pthread_mutex_lock(&vp->mu);
	done = rb->checked;
	pthread_mutex_unlock(&vp->mu);
	return done;
}

void
records_batch_free(struct records_batch *rb)
{
	struct vpool *vp;

	if (rb == NULL)
		return;
	vp = &rb->b.rs->pool;
	pthread_mutex_lock(&vp->mu);
	pool_cancel(vp, rb);
	pthread_mutex_unlock(&vp->mu);
	free(rb->b.p);
	free(rb);
}

/* Batches stored in one transaction (records_batches_store). */
struct group {
	struct records_batch *const	*rbs;
	size_t				 n;
};

static int
group_fn(struct store_txn *t, void *arg)
{
	struct group *g = arg;
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++)
		if ((rc = batch_fn(t, &g->rbs[i]->b)) != 0)
			return rc;
	return 0;
}

int
records_batches_store(struct records_batch *const *rbs, size_t n)
{
	struct group g = { rbs, 0 };
	size_t i, k, todo = 0;
	int rc;

	for (k = 0; k < n; k++) {
		rbs[k]->store_rc = 0;
		for (i = 0; i < rbs[k]->b.n; i++)
			todo += !rbs[k]->b.p[i].skip;
	}
	if (todo == 0)
		return 0;
	g.n = n;
	rc = store_write(rbs[0]->b.rs->node->store, group_fn, &g);
	for (k = 0; k < n; k++)
		rbs[k]->store_rc = rc;
	return rc;
}

int
records_batch_end(struct records_batch *rb)
{
	records_batches_store(&rb, 1);
	return records_batch_finish(rb);
}

int
records_batch_finish(struct records_batch *rb)
{
	struct batch *b = &rb->b;
	struct records *rs = b->rs;
	struct records_verdict *v = b->v;
	size_t i, n = b->n;
	int rc = rb->store_rc;

	if (rc == 0) {
		/*
		 * A copy of refused bytes is refused alike, not "already
		 * held" (SPEC.md 10.3: every frame is answered); it still
		 * cost no second check.
		 */
		for (i = 0; i < n; i++)
			if (b->p[i].repeat && v[b->p[i].first].code != 0 &&
			    v[b->p[i].first].code != MENTOR_EDUP)
				v[i] = v[b->p[i].first];
		rs->live += b->live_delta;
		for (i = 0; i < n; i++)
			metrics_record(rs->node, v[i].code);
		for (i = 0; i < n; i++) {
			struct pending *p = &b->p[i];
			struct records_change ch = { p->addr,
			    p->is_live ? &p->rec : NULL, &p->rec, v[i].id,
			    p->replaced ? p->old_id : NULL, p->old_ts };

			if (p->changed && (p->rec.kind == REC_CERTIFICATE ||
			    p->rec.kind == REC_ROTATION))
				rs->trust_gen++;
			if (p->changed)
				notify(rs, &ch);
			if (p->changed && p->cert_ignored) {
				char hex[2 * REC_KEY_LEN + 1];

				rs->certs_ignored++;
				hex_encode(hex, p->rec.author, REC_KEY_LEN);
				log_ratelimited(&rs->rl_cert, LOG_INFO,
				    "records: a certificate by %.16s, not a "
				    "hub this node's operator marked, vouches "
				    "for nobody here", hex);
			}
		}
		schedule(rs);
	} else {
		for (i = 0; i < n; i++)
			if (!b->p[i].skip)
				verdict(&v[i], rc, "store failed");
	}
	records_batch_free(rb);
	return rc;
}

static int
accept_batch(struct records *rs, const uint8_t *const *bufs,
    const size_t *lens, size_t n, struct records_verdict *v, int trust_first)
{
	struct records_batch *rb;
	int rc;

	if ((rc = records_batch_begin(rs, bufs, lens, NULL, n, v,
	    trust_first, &rb)) != 0)
		return rc;
	records_batch_check(rb);
	return records_batch_end(rb);
}

int
records_accept_batch(struct records *rs, const uint8_t *const *bufs,
    const size_t *lens, size_t n, struct records_verdict *v)
{
	return accept_batch(rs, bufs, lens, n, v, 0);
}

int
records_accept_untrusted(struct records *rs, const uint8_t *const *bufs,
    const size_t *lens, size_t n, struct records_verdict *v)
{
	return accept_batch(rs, bufs, lens, n, v, 1);
}

uint64_t
records_certs_ignored(const struct records *rs)
{
	return rs->certs_ignored;
}

int
records_accept(struct records *rs, const uint8_t *buf, size_t len,
    struct records_verdict *v)
{
	int rc;

	rc = records_accept_batch(rs, &buf, &len, 1, v);
	return rc != 0 ? rc : v->code;
}

struct cur_arg {
	const uint8_t	*addr;
	struct addr_val	 a;
	uint8_t		*buf;
	size_t		 len;
	int64_t		 now;
};

static int
current_fn(struct store_txn *t, void *arg)
{
	struct cur_arg *c = arg;
	const void *v;
	size_t vlen;
	int rc;

	if ((rc = addr_get(t, c->addr, &c->a)) != 0)
		return rc;
	if (c->buf == NULL)
		return 0;	/* the address only */
	if (c->a.kind == REC_WITHDRAWAL)
		return MENTOR_EWITHDRAWN;
	if ((int64_t)c->a.expires <= c->now)
		return MENTOR_ENOTFOUND;
	if ((rc = store_get(t, DB_RECORDS, c->a.id, REC_ID_LEN, &v,
	    &vlen)) != 0)
		return rc;
	free(c->buf);
	if ((c->buf = malloc(vlen)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(c->buf, v, vlen);
	c->len = vlen;
	return 0;
}

int
records_current(struct records *rs, const uint8_t addr[REC_ADDR_LEN],
    uint8_t **buf, size_t *len)
{
	struct cur_arg c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.addr = addr;
	c.now = now_ms();
	/* A non-NULL buf asks for the bytes; current_fn replaces it. */
	if ((c.buf = malloc(1)) == NULL)
		return MENTOR_ENOMEM;
	rc = store_read(rs->node->store, current_fn, &c);
	if (rc != 0) {
		free(c.buf);
		return rc;
	}
	*buf = c.buf;
	*len = c.len;
	return 0;
}

int
records_build(struct records *rs, unsigned kind, const char *ref,
    const uint8_t *body, size_t body_len, int64_t expires_ms, uint8_t **buf,
    size_t *len, char *err, size_t errlen)
{
	struct node *n = rs->node;
	struct cur_arg c;
	uint8_t addr[REC_ADDR_LEN], *out;
	size_t cap, ref_len = strlen(ref);
	uint64_t created;
	int rc;

	memset(&c, 0, sizeof(c));
	rec_addr(addr, n->sign_pk, ref, ref_len);
	c.addr = addr;
	rc = store_read(n->store, current_fn, &c);
	if (rc != 0 && rc != MENTOR_ENOTFOUND) {
		snprintf(err, errlen, "store: %s", mentor_strerror(rc));
		return rc;
	}
	created = (uint64_t)now_ms();
	/* A new version must win even within the same millisecond. */
	if (rc == 0 && c.a.created >= created)
		created = c.a.created + 1;
	if (expires_ms == 0)
		expires_ms = (int64_t)created + DEFAULT_LIFE_MS;
	if ((uint64_t)expires_ms <= created) {
		snprintf(err, errlen, "expires: must be after now");
		return MENTOR_EINVAL;
	}
	if ((cap = rec_size(ref_len, body_len)) == 0) {
		snprintf(err, errlen, "record over %d bytes", REC_MAX_SIZE);
		return MENTOR_ETOOBIG;
	}
	if ((out = malloc(cap)) == NULL)
		return MENTOR_ENOMEM;
	rc = rec_build(out, cap, len, kind, created, (uint64_t)expires_ms,
	    ref, ref_len, body, body_len, n->sign_sk);
	if (rc != 0) {
		snprintf(err, errlen, "cannot build record: %s",
		    mentor_strerror(rc));
		free(out);
		return rc;
	}
	*buf = out;
	return 0;
}

int
records_publish(struct records *rs, unsigned kind, const char *ref,
    const uint8_t *body, size_t body_len, int64_t expires_ms,
    uint8_t addr[REC_ADDR_LEN], char *err, size_t errlen)
{
	struct records_verdict v;
	uint8_t *out;
	size_t len;
	int rc;

	rc = records_build(rs, kind, ref, body, body_len, expires_ms, &out,
	    &len, err, errlen);
	if (rc != 0)
		return rc;
	rec_addr(addr, rs->node->sign_pk, ref, strlen(ref));
	rc = records_accept(rs, out, len, &v);
	free(out);
	if (rc != 0)
		snprintf(err, errlen, "%s", v.why);
	return rc;
}

int
records_hook(struct records *rs, records_hook_fn fn, void *arg)
{
	if (rs->hook != NULL)
		return MENTOR_ETOOBIG;
	rs->hook = fn;
	rs->hook_arg = arg;
	return 0;
}

int
records_addr_author(struct store_txn *t, const uint8_t addr[REC_ADDR_LEN],
    uint8_t author[REC_KEY_LEN])
{
	struct addr_val a;
	int rc;

	if ((rc = addr_get(t, addr, &a)) != 0)
		return rc;
	memcpy(author, a.author, REC_KEY_LEN);
	return 0;
}

/* records_addr_info: the address entry (even a ghost): kind, author, ref. */
int
records_addr_info(struct records *rs, const uint8_t addr[REC_ADDR_LEN],
    unsigned *kind, uint8_t author[REC_KEY_LEN], char *ref, size_t reflen,
    int64_t *created, int64_t *expires)
{
	struct cur_arg c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.addr = addr;
	if ((rc = store_read(rs->node->store, current_fn, &c)) != 0)
		return rc;
	*kind = c.a.kind;
	memcpy(author, c.a.author, REC_KEY_LEN);
	snprintf(ref, reflen, "%.*s", (int)c.a.ref_len, c.a.ref);
	*created = (int64_t)c.a.created;
	*expires = (int64_t)c.a.expires;
	return 0;
}

struct live_arg {
	records_each_fn	 fn;
	void		*arg;
	struct store_txn *t;
	int64_t		 now;
	size_t		 count;
};

static int
live_fn(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct live_arg *l = arg;
	const uint8_t *v = val;
	const void *rb;
	size_t rlen;
	struct rec r;

	if (klen != REC_ADDR_LEN || vlen < ADDR_FIXED)
		return 0;
	if (v[0] != REC_LISTING)
		return 0;
	if (store_get(l->t, DB_RECORDS, v + 17, REC_ID_LEN, &rb, &rlen) != 0)
		return 0;
	/* The count includes expired listings the sweep has yet to drop. */
	l->count++;
	if (l->fn == NULL || (int64_t)get_be64(v + 9) <= l->now)
		return 0;
	/* Verified when stored: decode only. */
	if (rec_decode(&r, rb, rlen) != 0) {
		log_err("records: stored record does not decode");
		return 0;
	}
	return l->fn(l->arg, key, &r);
}

static int
foreach_fn(struct store_txn *t, void *arg)
{
	struct live_arg *l = arg;

	l->t = t;
	return store_iter(t, DB_ADDR, NULL, 0, live_fn, l);
}

int
records_foreach_live(struct records *rs, records_each_fn fn, void *arg)
{
	struct live_arg l = { fn, arg, NULL, now_ms(), 0 };

	return store_read(rs->node->store, foreach_fn, &l);
}

struct export_arg {
	const uint8_t	*after;
	size_t		 max;
	uint8_t		*out;
	size_t		 len, cap;
	int		 more;
	uint8_t		 last[REC_ID_LEN];
	int64_t		 now;
};

static int
export_fn(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct export_arg *e = arg;
	uint8_t *p;
	size_t need;

	if (klen != REC_ID_LEN || vlen < REC_HDR_FIXED)
		return 0;
	if (e->after && memcmp(key, e->after, REC_ID_LEN) == 0)
		return 0;
	if ((int64_t)get_be64((const uint8_t *)val + 44) <= e->now)
		return 0;	/* expired, not yet swept */
	if (e->len > 0 && e->len + 4 + vlen > e->max) {
		e->more = 1;
		return 1;
	}
	need = e->len + 4 + vlen;
	if (need > e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 1 << 16;

		while (ncap < need)
			ncap *= 2;
		if ((p = realloc(e->out, ncap)) == NULL)
			return MENTOR_ENOMEM;
		e->out = p;
		e->cap = ncap;
	}
	put_be32(e->out + e->len, (uint32_t)vlen);
	memcpy(e->out + e->len + 4, val, vlen);
	e->len = need;
	memcpy(e->last, key, REC_ID_LEN);
	return 0;
}

static int
export_txn(struct store_txn *t, void *arg)
{
	struct export_arg *e = arg;

	return store_iter(t, DB_RECORDS, e->after, e->after ? REC_ID_LEN : 0,
	    export_fn, e);
}

int
records_export(struct records *rs, const uint8_t *after, size_t max_bytes,
    uint8_t **out, size_t *outlen, int *more, uint8_t last[REC_ID_LEN])
{
	struct export_arg e;
	int rc;

	memset(&e, 0, sizeof(e));
	e.after = after;
	e.max = max_bytes;
	e.now = now_ms();
	rc = store_read(rs->node->store, export_txn, &e);
	if (rc < 0) {
		free(e.out);
		return rc;
	}
	*out = e.out;
	*outlen = e.len;
	*more = e.more;
	memcpy(last, e.last, REC_ID_LEN);
	return 0;
}

struct trust_arg {
	const uint8_t	*key;
	const char	*note;
	json_t		*list;
	int64_t		 now;
	int		 hub;
};

static int
trust_add_fn(struct store_txn *t, void *arg)
{
	struct trust_arg *a = arg;
	json_t *j;
	char *s;
	int rc;

	j = json_pack("{s:I,s:s,s:b}", "since", (json_int_t)a->now, "note",
	    a->note ? a->note : "", "hub", a->hub);
	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return MENTOR_ENOMEM;
	}
	json_decref(j);
	rc = store_put(t, DB_TRUST, a->key, REC_KEY_LEN, s, strlen(s));
	free(s);
	return rc;
}

int
records_trust_add(struct records *rs, const uint8_t key[REC_KEY_LEN],
    const char *note, int hub)
{
	struct trust_arg a = { key, note, NULL, now_ms(), hub != 0 };

	rs->trust_gen++;
	return store_write(rs->node->store, trust_add_fn, &a);
}

static int
trust_del_fn(struct store_txn *t, void *arg)
{
	struct trust_arg *a = arg;

	return store_del(t, DB_TRUST, a->key, REC_KEY_LEN);
}

int
records_trust_remove(struct records *rs, const uint8_t key[REC_KEY_LEN])
{
	struct trust_arg a = { key, NULL, NULL, 0, 0 };

	rs->trust_gen++;
	return store_write(rs->node->store, trust_del_fn, &a);
}

uint64_t
records_trust_gen(const struct records *rs)
{
	return rs->trust_gen;
}

static int
trust_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct trust_arg *a = arg;
	char hex[2 * REC_KEY_LEN + 1];
	json_t *j, *e;

	if (klen != REC_KEY_LEN)
		return 0;
	hex_encode(hex, key, REC_KEY_LEN);
	j = json_loadb(val, vlen, 0, NULL);
	e = json_pack("{s:s,s:O?,s:O?,s:b}", "node_id", hex,
	    "since", json_object_get(j, "since"),
	    "note", json_object_get(j, "note"),
	    "hub", json_is_true(json_object_get(j, "hub")));
	json_decref(j);
	if (e == NULL || json_array_append_new(a->list, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

static int
trust_list_fn(struct store_txn *t, void *arg)
{
	return store_iter(t, DB_TRUST, NULL, 0, trust_each, arg);
}

int
records_trust_list(struct records *rs, json_t **out)
{
	struct trust_arg a = { NULL, NULL, json_array(), 0, 0 };
	int rc;

	if (a.list == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(rs->node->store, trust_list_fn, &a)) != 0) {
		json_decref(a.list);
		return rc;
	}
	*out = a.list;
	return 0;
}

struct trusted_arg {
	struct records	*rs;
	const uint8_t	*key;
};

static int
trusted_fn(struct store_txn *t, void *arg)
{
	struct trusted_arg *a = arg;

	return trusted_txn(a->rs, t, a->key);
}

int
records_trusted(struct records *rs, const uint8_t key[REC_KEY_LEN])
{
	struct trusted_arg a = { rs, key };

	return store_read(rs->node->store, trusted_fn, &a) == 1;
}

static int
rotated_fn(struct store_txn *t, void *arg)
{
	const uint8_t *key = arg;
	struct addr_val rot;
	uint8_t addr[REC_ADDR_LEN];

	rec_addr(addr, key, REC_ROT_REF, sizeof(REC_ROT_REF) - 1);
	return addr_get(t, addr, &rot) == 0 && rot.kind == REC_ROTATION;
}

int
records_rotated(struct records *rs, const uint8_t key[REC_KEY_LEN])
{
	return store_read(rs->node->store, rotated_fn, (void *)key) == 1;
}

static int
hub_fn(struct store_txn *t, void *arg)
{
	struct trusted_arg *a = arg;

	return hub_txn(t, a->key);
}

int
records_trust_hub(struct records *rs, const uint8_t key[REC_KEY_LEN])
{
	struct trusted_arg a = { rs, key };

	return store_read(rs->node->store, hub_fn, &a) == 1;
}

size_t
records_live_listings(struct records *rs)
{
	return rs ? rs->live : 0;
}

int
records_watch(struct records *rs, records_watch_fn fn, void *arg)
{
	if (rs->nwatch == WATCH_MAX)
		return MENTOR_ETOOBIG;
	rs->watch[rs->nwatch].fn = fn;
	rs->watch[rs->nwatch].arg = arg;
	rs->nwatch++;
	return 0;
}

/*
 * The sweep: every DB_EXPIRY key with when <= now is due.  Keys are
 * collected first (store_iter forbids changing the database it walks).
 */
#define SWEEP_BATCH	4096

struct sweep_arg {
	struct records	*rs;
	int64_t		 now;
	uint8_t		(*keys)[EXP_KEY_LEN];
	size_t		 nkeys;
	size_t		 records;
	struct gone {
		uint8_t	 addr[REC_ADDR_LEN];
		uint8_t	 id[REC_ID_LEN];
		uint64_t ts;
		int	 live;		/* it was the address's live listing */
	}		*gone;		/* records that left the store */
	size_t		 ngone;
	uint64_t	 next;			/* first key not due, or 0 */
};

static int
sweep_collect(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct sweep_arg *s = arg;

	(void)val;
	(void)vlen;
	if (klen != EXP_KEY_LEN)
		return 0;
	if ((int64_t)get_be64(key) > s->now) {
		s->next = get_be64(key);
		return 1;
	}
	if (s->nkeys == SWEEP_BATCH)
		return 1;
	memcpy(s->keys[s->nkeys++], key, EXP_KEY_LEN);
	return 0;
}

/* sweep_record: drops record id; notes a live listing that leaves. */
static int
sweep_record(struct sweep_arg *s, struct store_txn *t, const uint8_t *id)
{
	const void *v;
	size_t vlen;
	struct rec r;
	struct addr_val a;
	int rc;

	rc = store_get(t, DB_RECORDS, id, REC_ID_LEN, &v, &vlen);
	if (rc == MENTOR_ENOTFOUND)
		return 0;	/* superseded earlier */
	if (rc != 0)
		return rc;
	if (rec_decode(&r, v, vlen) == 0 && s->ngone < SWEEP_BATCH) {
		struct gone *g = &s->gone[s->ngone++];

		rec_addr(g->addr, r.author, r.ref, r.ref_len);
		memcpy(g->id, id, REC_ID_LEN);
		g->ts = r.created_at;
		g->live = r.kind == REC_LISTING && addr_get(t, g->addr,
		    &a) == 0 && memcmp(a.id, id, REC_ID_LEN) == 0;
	}
	if ((rc = store_del(t, DB_RECORDS, id, REC_ID_LEN)) != 0)
		return rc;
	s->records++;
	return 0;
}

static int
sweep_fn(struct store_txn *t, void *arg)
{
	struct sweep_arg *s = arg;
	struct addr_val a;
	const uint8_t *k;
	size_t i;
	int rc;

	s->nkeys = s->records = s->ngone = 0;
	s->next = 0;
	rc = store_iter(t, DB_EXPIRY, NULL, 0, sweep_collect, s);
	if (rc < 0)
		return rc;
	for (i = 0; i < s->nkeys; i++) {
		k = s->keys[i];
		if ((rc = store_del(t, DB_EXPIRY, k, EXP_KEY_LEN)) != 0)
			return rc;
		if (k[8] == 1) {
			/* The address outlived every version: forget it. */
			rc = addr_get(t, k + 9, &a);
			if (rc == 0 && (int64_t)(a.created +
			    REC_MAX_LIFE_MS) <= s->now)
				rc = store_del(t, DB_ADDR, k + 9,
				    REC_ADDR_LEN);
			if (rc != 0 && rc != MENTOR_ENOTFOUND)
				return rc;
			continue;
		}
		if ((rc = sweep_record(s, t, k + 9)) != 0)
			return rc;
	}
	return 0;
}

size_t
records_sweep(struct records *rs, int64_t now)
{
	struct sweep_arg s;
	size_t total = 0;
	int rc;

	size_t i;

	memset(&s, 0, sizeof(s));
	s.rs = rs;
	s.now = now;
	s.keys = malloc(SWEEP_BATCH * sizeof(*s.keys));
	s.gone = malloc(SWEEP_BATCH * sizeof(*s.gone));
	if (s.keys == NULL || s.gone == NULL)
		goto out;
	do {
		rc = store_write(rs->node->store, sweep_fn, &s);
		if (rc != 0) {
			log_err("records: expiry sweep failed: %s",
			    mentor_strerror(rc));
			break;
		}
		total += s.records;
		for (i = 0; i < s.ngone; i++) {
			struct gone *g = &s.gone[i];
			struct records_change ch = { g->addr, NULL, NULL, NULL,
			    g->id, g->ts };

			if (g->live && rs->live > 0)
				rs->live--;
			notify(rs, &ch);
		}
	} while (s.nkeys == SWEEP_BATCH);
out:
	free(s.keys);
	free(s.gone);
	return total;
}

/* first_expiry: the earliest DB_EXPIRY time, or 0 when empty. */
static int
first_fn(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	(void)val;
	(void)vlen;
	if (klen == EXP_KEY_LEN)
		*(uint64_t *)arg = get_be64(key);
	return 1;
}

static int
first_txn(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_EXPIRY, NULL, 0, first_fn, arg);

	return rc < 0 ? rc : 0;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct records *rs = arg;
	size_t n;

	(void)fd;
	(void)what;
	n = records_sweep(rs, now_ms());
	if (n > 0)
		log_info("records: %zu expired", n);
	schedule(rs);
}

/* schedule: arms the timer for the next expiry (at most an hour away). */
static void
schedule(struct records *rs)
{
	uint64_t first = 0;
	int64_t now, wait;
	struct timeval tv;

	if (rs->timer == NULL)
		return;
	if (store_read(rs->node->store, first_txn, &first) != 0)
		first = 0;
	now = now_ms();
	wait = first == 0 ? SWEEP_MAX_MS : (int64_t)first - now;
	if (wait < 0)
		wait = 0;
	if (wait > SWEEP_MAX_MS)
		wait = SWEEP_MAX_MS;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(rs->timer, &tv);
}

int
records_open(struct records **rsp, struct node *n, char *err, size_t errlen)
{
	struct records *rs;
	struct live_arg l = { NULL, NULL, NULL, 0, 0 };
	int rc;

	*rsp = NULL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return MENTOR_ENOMEM;
	rs->node = n;
	pthread_mutex_init(&rs->pool.mu, NULL);
	pthread_cond_init(&rs->pool.work, NULL);
	pthread_cond_init(&rs->pool.done, NULL);
	l.now = now_ms();
	if ((rc = store_read(n->store, foreach_fn, &l)) != 0) {
		snprintf(err, errlen, "records: cannot read the store: %s",
		    mentor_strerror(rc));
		records_close(rs);
		return rc;
	}
	rs->live = l.count;
	if (n->base != NULL) {
		if ((rs->timer = evtimer_new(n->base, on_timer, rs)) == NULL) {
			snprintf(err, errlen, "records: cannot create timer");
			records_close(rs);
			return MENTOR_ENOMEM;
		}
		/* What expired while the node was down goes now. */
		struct timeval zero = { 0, 0 };

		evtimer_add(rs->timer, &zero);
	}
	*rsp = rs;
	return 0;
}

void
records_close(struct records *rs)
{
	if (rs == NULL)
		return;
	if (rs->timer)
		event_free(rs->timer);
	pool_stop(&rs->pool);
	pthread_cond_destroy(&rs->pool.done);
	pthread_cond_destroy(&rs->pool.work);
	pthread_mutex_destroy(&rs->pool.mu);
	free(rs);
}

struct fetch_arg {
	const uint8_t	(*ids)[REC_ID_LEN];
	size_t		 n, max, used, len, cap, found;
	uint8_t		*out;
	int64_t		 now;
};

static int
fetch_fn(struct store_txn *t, void *arg)
{
	struct fetch_arg *f = arg;
	const void *v;
	size_t vlen, need;
	uint8_t *p;

	for (f->used = 0; f->used < f->n; f->used++) {
		if (store_get(t, DB_RECORDS, f->ids[f->used], REC_ID_LEN, &v,
		    &vlen) != 0 || vlen < REC_HDR_FIXED)
			continue;
		if ((int64_t)get_be64((const uint8_t *)v + 44) <= f->now)
			continue;
		if (f->len > 0 && f->len + 4 + vlen > f->max)
			break;
		need = f->len + 4 + vlen;
		if (need > f->cap) {
			size_t ncap = f->cap ? f->cap * 2 : 1 << 16;

			while (ncap < need)
				ncap *= 2;
			if ((p = realloc(f->out, ncap)) == NULL)
				return MENTOR_ENOMEM;
			f->out = p;
			f->cap = ncap;
		}
		put_be32(f->out + f->len, (uint32_t)vlen);
		memcpy(f->out + f->len + 4, v, vlen);
		f->len = need;
		f->found++;
	}
	return 0;
}

int
records_fetch(struct records *rs, const uint8_t (*ids)[REC_ID_LEN],
    size_t n, size_t max_bytes, uint8_t **out, size_t *outlen, size_t *used,
    size_t *found)
{
	struct fetch_arg f;
	int rc;

	memset(&f, 0, sizeof(f));
	f.ids = ids;
	f.n = n;
	f.max = max_bytes;
	f.now = now_ms();
	if ((rc = store_read(rs->node->store, fetch_fn, &f)) != 0) {
		free(f.out);
		return rc;
	}
	*out = f.out;
	*outlen = f.len;
	*used = f.used;
	*found = f.found;
	return 0;
}

struct ids_arg {
	records_id_fn	 fn;
	void		*arg;
	int64_t		 now;
};

static int
ids_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct ids_arg *a = arg;
	const uint8_t *v = val;

	if (klen != REC_ID_LEN || vlen < REC_HDR_FIXED)
		return 0;
	if ((int64_t)get_be64(v + 44) <= a->now)
		return 0;
	/* Directed records are not part of the public set (SPEC.md 12.6). */
	if (rec_kind_directed(v[3]))
		return 0;
	return a->fn(a->arg, get_be64(v + 36), key);
}

static int
ids_fn(struct store_txn *t, void *arg)
{
	return store_iter(t, DB_RECORDS, NULL, 0, ids_each, arg);
}

int
records_each_id(struct records *rs, records_id_fn fn, void *arg)
{
	struct ids_arg a = { fn, arg, now_ms() };

	return store_read(rs->node->store, ids_fn, &a);
}
