/*
 * records.h: the node's set of signed records and the rules every node
 * applies to it (protocol/SPEC.md section 4): signature first, trust,
 * versions, withdrawals, expiry at the same instant everywhere.  Every
 * record enters the node through records_accept*; nothing else writes
 * DB_RECORDS, DB_ADDR or DB_EXPIRY.
 *
 * Store layouts (all integers big-endian):
 *   DB_RECORDS  id(32)                  -> signed record bytes
 *   DB_ADDR     addr(16)                -> kind(1) created(8) expires(8)
 *                                          id(32) author(32) ref_len(1) ref
 *      The current version of an address.  It outlives its record (a ghost,
 *      kind kept, id still naming the expired version) until created + 400
 *      days, so that an older version can never come back after expiry.
 *   DB_EXPIRY   when(8) tag(1) key(32)  -> ""
 *      tag 0: the record with id key expires at when;
 *      tag 1: the address key[0..16) may be forgotten at when.
 *   DB_TRUST    author(32)              -> JSON {"since": ms, "note": str,
 *                                          "hub": bool}
 */
#ifndef MENTOR_RECORDS_H
#define MENTOR_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "record.h"

struct node;
struct records;

/*
 * A change, for subscribers (matcher, federation).  One event per stored
 * record, and one per record that left the store by expiry.
 */
struct records_change {
	const uint8_t	*addr;		/* REC_ADDR_LEN: the address affected */
	const struct rec *rec;		/* the address's live listing now, or
					 * NULL when it has none */
	const struct rec *stored;	/* the record just stored (any kind),
					 * or NULL */
	const uint8_t	*stored_id;	/* its id */
	const uint8_t	*removed_id;	/* a record that left the store
					 * (superseded or expired), or NULL */
	uint64_t	 removed_ts;	/* its created_at */
};
typedef void (*records_watch_fn)(void *arg, const struct records_change *);

/* Per-record outcome of an import or a batch accept. */
struct records_verdict {
	int	code;			/* 0 accepted, MENTOR_EDUP, or error */
	char	why[200];		/* reason when code != 0 */
	uint8_t	id[REC_ID_LEN];		/* record id (zero if undecodable) */
};

int	records_open(struct records **, struct node *, char *err, size_t errlen);
void	records_close(struct records *);

/*
 * records_hook: fn runs inside the transaction that stores each new
 * record, after its bytes are put, so that what the record means to this
 * node (an application received, an answer) commits with it or not at
 * all.  fn returns 0, or an error that aborts the whole batch (nothing of
 * it is stored; the sender tries again).  One hook; MENTOR_ETOOBIG if set.
 */
struct store_txn;
typedef int (*records_hook_fn)(void *arg, struct store_txn *,
    const struct rec *);
int	records_hook(struct records *, records_hook_fn fn, void *arg);

/*
 * records_addr_author: inside a transaction, the author of the address
 * (also a withdrawn or expired one).  0 or MENTOR_ENOTFOUND.
 */
int	records_addr_author(struct store_txn *, const uint8_t addr[REC_ADDR_LEN],
	    uint8_t author[REC_KEY_LEN]);

/* records_watch: adds a subscriber (at most 8). 0 or MENTOR_ETOOBIG. */
int	records_watch(struct records *, records_watch_fn fn, void *arg);

/*
 * records_accept_batch: verifies and stores n records (bytes as signed) in
 * one transaction.  v[i] tells what happened to each: 0 stored, MENTOR_EDUP
 * already held, or the reason it was refused.  A record failing any check
 * is never stored.  Returns 0 or MENTOR_ESTORE/ENOMEM when the batch as a
 * whole could not be written (then nothing was stored).
 */
int	records_accept_batch(struct records *, const uint8_t *const *bufs,
	    const size_t *lens, size_t n, struct records_verdict *v);

/*
 * records_accept_untrusted: as records_accept_batch, for records from
 * peers: a record whose author (read from its header) this node does not
 * trust is refused with MENTOR_EUNTRUSTED before its signature is checked,
 * so untrusted records cost a hash each (SPEC.md 12.4).  In both calls a
 * repeat of bytes earlier in the same batch is MENTOR_EDUP without a
 * signature check.
 */
int	records_accept_untrusted(struct records *, const uint8_t *const *bufs,
	    const size_t *lens, size_t n, struct records_verdict *v);

/*
 * records_accept_untrusted in three steps, so that the signature checks
 * can run off the event loop:
 *   records_batch_begin   (the loop's thread) reads the store: records
 *                         already held, repeats, and, with trust_first,
 *                         untrusted authors; bufs, lens, ids and v must
 *                         stay valid until the batch ends or is freed;
 *                         ids, when not NULL, are the records' rec_id
 *                         already computed by the caller (not hashed
 *                         again; a wrong one stores a record under a
 *                         false id, so only the hash of bufs[i] will do);
 *   records_batch_check   (any one thread) signatures, clock and bodies,
 *                         on every core (the node's verify threads, one
 *                         per online core, and the caller's); returns
 *                         when done; touches nothing but the batch and
 *                         the records;
 *   records_batch_submit  (the loop's thread) instead of check: queues the
 *                         batch for the verify threads and returns at
 *                         once: 0, and one byte is written to fd when it
 *                         is checked; or 1: it was checked on the spot
 *                         (small, or no thread could start), nothing is
 *                         written.  Batches are checked in the order
 *                         submitted, each by all the threads together;
 *   records_batch_checked 1 once a submitted batch is checked (any
 *                         thread);
 *   records_batch_end     (the loop's thread, once checked) stores,
 *                         notifies, frees the batch; returns as
 *                         records_accept_batch.  It is
 *   records_batches_store (the loop's thread, all n checked) stores n
 *                         batches in one transaction, in order, each
 *                         record judged as if the batches were stored
 *                         one after the other (a group commit: fewer,
 *                         larger writes); returns the store's code, also
 *                         kept in each batch for
 *   records_batch_finish  then, for each batch in the same order:
 *                         verdicts, notifications, free; returns as
 *                         records_batch_end.  One store failure fails
 *                         every batch of the group (nothing is stored).
 * Batches begun while another is not yet ended see the store as it was
 * (store_one judges duplicates, trust and versions again when storing,
 * but a certificate in the earlier batch does not yet vouch in the
 * later's trust_first).  records_batch_free drops a batch that will not
 * be ended (NULL: no-op); one submitted is first taken back from the
 * threads (waiting for the records they are checking).  begin returns 0,
 * MENTOR_ENOMEM or the store's error (*out NULL).
 */
struct records_batch;
int	records_batch_begin(struct records *, const uint8_t *const *bufs,
	    const size_t *lens, const uint8_t (*ids)[REC_ID_LEN], size_t n,
	    struct records_verdict *v, int trust_first,
	    struct records_batch **out);
void	records_batch_check(struct records_batch *);
int	records_batch_submit(struct records_batch *, int fd);
int	records_batch_checked(struct records_batch *);
int	records_batch_end(struct records_batch *);
int	records_batches_store(struct records_batch *const *rbs, size_t n);
int	records_batch_finish(struct records_batch *);
void	records_batch_free(struct records_batch *);

/*
 * records_certs_ignored: certificates stored since start whose author is
 * not a key the operator marked as a hub (they vouch for nobody).
 */
uint64_t records_certs_ignored(const struct records *);

/* records_accept: one record; returns its verdict code. */
int	records_accept(struct records *, const uint8_t *buf, size_t len,
	    struct records_verdict *v);

/*
 * records_publish: builds, signs (with the node's key) and accepts a
 * record of this node.  created_at is max(now, current version + 1 ms) so
 * a new version always wins.  expires_ms 0 means the kind's default.
 * On success addr receives the address.
 */
int	records_publish(struct records *, unsigned kind, const char *ref,
	    const uint8_t *body, size_t body_len, int64_t expires_ms,
	    uint8_t addr[REC_ADDR_LEN], char *err, size_t errlen);

/*
 * records_build: builds and signs a record of this node without storing
 * it (for batches: pass the results to records_accept_batch).  *buf is
 * malloc'd, owned by the caller.
 */
int	records_build(struct records *, unsigned kind, const char *ref,
	    const uint8_t *body, size_t body_len, int64_t expires_ms,
	    uint8_t **buf, size_t *len, char *err, size_t errlen);

/*
 * records_addr_info: what the node knows of an address, also when its
 * record was withdrawn or expired: the kind of its current version, the
 * author, the ref and times.  MENTOR_ENOTFOUND when never seen (or
 * forgotten 400 days after its last version).
 */
int	records_addr_info(struct records *, const uint8_t addr[REC_ADDR_LEN],
	    unsigned *kind, uint8_t author[REC_KEY_LEN], char *ref,
	    size_t reflen, int64_t *created, int64_t *expires);

/*
 * records_current: the live record at addr, copied into a malloc'd buffer
 * the caller frees.  MENTOR_ENOTFOUND when there is none (never posted,
 * withdrawn or expired); MENTOR_EWITHDRAWN when withdrawn.
 */
int	records_current(struct records *, const uint8_t addr[REC_ADDR_LEN],
	    uint8_t **buf, size_t *len);

/*
 * records_foreach_live: calls fn for each live listing (kind listing, not
 * expired), in address order, until fn returns non-zero.
 */
typedef int (*records_each_fn)(void *arg, const uint8_t addr[REC_ADDR_LEN],
    const struct rec *);
int	records_foreach_live(struct records *, records_each_fn, void *arg);

/*
 * records_export: appends export frames (length + bytes) of every stored,
 * unexpired record with id > after (all when after is NULL), in id order,
 * to *out until about max_bytes; *more is set when records remain, and
 * last receives the id of the last record written.
 */
int	records_export(struct records *, const uint8_t *after, size_t max_bytes,
	    uint8_t **out, size_t *outlen, int *more, uint8_t last[REC_ID_LEN]);

/*
 * records_fetch: export frames of the stored, unexpired records among ids
 * (missing ones are skipped), up to about max_bytes.  *used says how many
 * ids were looked at (the rest did not fit), *found how many were written.
 * *out is malloc'd (NULL when nothing was found).
 */
int	records_fetch(struct records *, const uint8_t (*ids)[REC_ID_LEN],
	    size_t n, size_t max_bytes, uint8_t **out, size_t *outlen,
	    size_t *used, size_t *found);

/*
 * records_each_id: (created_at, id) of every stored, unexpired record but
 * applications and answers (directed, not reconciled: SPEC.md 12.6).
 */
typedef int (*records_id_fn)(void *arg, uint64_t ts, const uint8_t *id);
int	records_each_id(struct records *, records_id_fn fn, void *arg);

/*
 * Trust: direct trust in an author key, set by the operator.  hub marks
 * the key as a hub whose certificates this node honours (SPEC.md 4.6);
 * adding again replaces note and mark.  records_trust_hub: 1 when the key
 * is trusted directly and marked as a hub.
 */
int	records_trust_add(struct records *, const uint8_t key[REC_KEY_LEN],
	    const char *note, int hub);
int	records_trust_hub(struct records *, const uint8_t key[REC_KEY_LEN]);
int	records_trust_remove(struct records *, const uint8_t key[REC_KEY_LEN]);
int	records_trust_list(struct records *, json_t **out);
int	records_trusted(struct records *, const uint8_t key[REC_KEY_LEN]);

/*
 * records_rotated: 1 when key has published a rotation (SPEC.md 2.8): it
 * publishes nothing more, and its listings take no applications (nobody
 * holds its key to open them); 0 otherwise (or the store failed).
 */
int	records_rotated(struct records *, const uint8_t key[REC_KEY_LEN]);

/*
 * records_trust_gen: a number that changes whenever whom this node trusts
 * may have changed (trust added or removed, a certificate or a rotation
 * stored): a record refused as untrusted before may be taken now.
 */
uint64_t records_trust_gen(const struct records *);

/* records_live_listings: how many live listings the node holds. */
size_t	records_live_listings(struct records *);

/* records_sweep: drops what expired by now; returns how many records. */
size_t	records_sweep(struct records *, int64_t now);

#endif
