/*
 * recon.h: range-based set reconciliation (protocol/SPEC.md section 11) of
 * the records two nodes hold, as (created_at, record id) items.  Traffic
 * grows with the difference between the sets, not with their size.
 *
 * Pure: no I/O, no clock, no global state.  The daemon carries the byte
 * strings made here in ZeroMQ frames.  Callers must have called
 * sodium_init() once (fingerprints use SHA-256).
 *
 * Two parts:
 *   struct rset   an ordered set of items with fingerprints kept up to date
 *                 on every add and delete, so that the fingerprint of any
 *                 range costs O(log n) and a reconciliation never rescans
 *                 the set;
 *   struct recon  one reconciliation as the initiator.  The responder side
 *                 is recon_respond(), which keeps no state between messages.
 *
 * The rset given to a recon (or to recon_respond) MUST NOT change while
 * the session runs: the initiator recomputes its ranges from the set on
 * every step, and a set that changed in between makes it refuse a reply
 * (MENTOR_EPROTO) or report wrong results.  The daemon either snapshots
 * the set or runs a whole session in one turn of its loop.
 */
#ifndef MENTOR_RECON_H
#define MENTOR_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "mentor.h"

#define RECON_ID_LEN		32
#define RECON_FP_LEN		16
#define RECON_VERSION		0x6D	/* first byte of every message */
#define RECON_FRAME_DEFAULT	512000	/* 500 KiB */
#define RECON_FRAME_MIN		2048
#define RECON_BRANCH		16	/* subranges of a split */
#define RECON_IDLIST_MAX	16	/* items up to which a range is listed */

/* Range modes (SPEC.md 11.5). */
enum recon_mode {
	RECON_SKIP = 0,
	RECON_FINGERPRINT = 1,
	RECON_IDLIST = 2,
	RECON_DIFF = 3
};

/*
 * The ordered set.  Items are ordered by ts, then by id (memcmp).  The set
 * holds at most one item per (ts, id); it does not check that an id is
 * unique across timestamps (a record's id fixes its created_at).
 */
struct rset;

/* rset_new: an empty set; NULL when out of memory.  Free with rset_free. */
struct rset	*rset_new(void);

/* rset_free: frees the set and everything in it; NULL is a no-op. */
void		 rset_free(struct rset *s);

/*
 * rset_add: adds the item (ts, id).  O(256 + log n); adding in ascending
 * order (a bulk load) packs the set densely.  Returns 0, MENTOR_EEXIST
 * (already there; the set is unchanged), MENTOR_EINVAL (ts is UINT64_MAX,
 * which is reserved for the infinite bound) or MENTOR_ENOMEM (the set is
 * unchanged).
 */
int		 rset_add(struct rset *s, uint64_t ts, const uint8_t id[32]);

/* rset_del: removes (ts, id).  Returns 0 or MENTOR_ENOTFOUND. */
int		 rset_del(struct rset *s, uint64_t ts, const uint8_t id[32]);

/* rset_count: the number of items, O(1). */
size_t		 rset_count(const struct rset *s);

/* rset_memory: bytes allocated for the set. */
size_t		 rset_memory(const struct rset *s);

/*
 * rset_fingerprint: the fingerprint (SPEC.md 11.3) of the items of rank
 * from (inclusive) to to (exclusive), 0 <= from <= to <= count; O(log n).
 * Returns 0 or MENTOR_EINVAL (bad ranks).
 */
int		 rset_fingerprint(const struct rset *s, size_t from, size_t to,
		    uint8_t fp[RECON_FP_LEN]);

/*
 * rset_at: the item of rank i (0-based) into *ts and id.  Returns 0 or
 * MENTOR_ENOTFOUND (i >= count).
 */
int		 rset_at(const struct rset *s, size_t i, uint64_t *ts,
		    uint8_t id[32]);

/* rset_rank: the number of items that order before (ts, id). */
size_t		 rset_rank(const struct rset *s, uint64_t ts,
		    const uint8_t id[32]);

/*
 * rset_check: verifies every internal invariant (order, counts, sums,
 * separators, links) in O(n), for tests.  Returns 0 or MENTOR_EINVAL.
 */
int		 rset_check(const struct rset *s);

/*
 * One session, as the initiator:
 *
 *	recon_new(&r, set, 0);
 *	recon_initiate(r, &msg, &len);
 *	while (msg != NULL) {
 *		send msg; free(msg); receive reply;
 *		recon_step(r, reply, replylen, &msg, &len);
 *	}
 *	recon_have(r, &ids) ... push them; recon_need(r, &ids) ... fetch them
 *	recon_free(r);
 *
 * An error from recon_step leaves the results as they were before the
 * call; the session should then be abandoned.  A dishonest peer can make
 * the results wrong (claim to lack or hold anything) and can keep a
 * session going: the caller bounds the rounds and checks what it fetches.
 */
struct recon;

/*
 * recon_new: a session over set, whose messages are at most frame_limit
 * bytes (0: RECON_FRAME_DEFAULT).  The session keeps a pointer to set, which
 * must outlive it unchanged.  Returns 0, MENTOR_EINVAL (frame_limit below
 * RECON_FRAME_MIN) or MENTOR_ENOMEM.  *rp is NULL on error.
 */
int		 recon_new(struct recon **rp, const struct rset *set,
		    size_t frame_limit);

/* recon_free: frees the session and its results; NULL is a no-op. */
void		 recon_free(struct recon *r);

/*
 * recon_initiate: the first message (the fingerprint of the whole set).
 * *out is malloc'd; the caller frees it.  Returns 0, MENTOR_EINVAL (called
 * twice) or MENTOR_ENOMEM; *out is NULL and *outlen 0 on error.
 */
int		 recon_initiate(struct recon *r, uint8_t **out, size_t *outlen);

/*
 * recon_respond: the responder's reply to one message in (of inlen bytes),
 * computed from set; stateless.  *out (malloc'd, at most frame_limit bytes,
 * never empty) is the caller's to free.  frame_limit 0 means
 * RECON_FRAME_DEFAULT.  Errors, with *out NULL, *outlen 0 and nothing left
 * allocated:
 *   MENTOR_EINVAL    frame_limit below RECON_FRAME_MIN
 *   MENTOR_ETOOBIG   inlen > frame_limit
 *   MENTOR_EVERSION  the first byte is not RECON_VERSION (the daemon may
 *                    answer with the single byte RECON_VERSION)
 *   MENTOR_EPROTO    empty, truncated, a bad varint, a bound not above the
 *                    previous one, an unknown mode, a count larger than
 *                    the bytes left, a Diff range (only responders send
 *                    them), or unused bitmap bits set
 *   MENTOR_ENOMEM
 * The work is O(inlen * log n + frame_limit), whatever the input.
 */
int		 recon_respond(const struct rset *set, size_t frame_limit,
		    const uint8_t *in, size_t inlen, uint8_t **out,
		    size_t *outlen);

/*
 * recon_step: consumes the responder's reply in and makes the next message
 * into *out (malloc'd, the caller frees it), or sets *out NULL and
 * *outlen 0 when the reconciliation is complete.  Errors (with *out NULL):
 * MENTOR_EINVAL (not after recon_initiate, or after completion),
 * MENTOR_ETOOBIG, MENTOR_EVERSION, MENTOR_EPROTO as for recon_respond
 * (except that Diff ranges are allowed; a Diff whose bit count is not the
 * number of our items in its range is MENTOR_EPROTO), MENTOR_ENOMEM.
 */
int		 recon_step(struct recon *r, const uint8_t *in, size_t inlen,
		    uint8_t **out, size_t *outlen);

/* recon_done: 1 once recon_step has reported completion, else 0. */
int		 recon_done(const struct recon *r);

/*
 * recon_have, recon_need: the ids we hold that the peer lacks (to push),
 * and the ids the peer holds that we lack (to fetch).  They accumulate
 * during the session (in the order found) and are complete once
 * recon_done(), when each list is sorted by id without repeats.  *ids
 * points into the session (valid until the next recon_step or recon_free);
 * returns the number of ids.
 */
size_t		 recon_have(const struct recon *r, const uint8_t (**ids)[32]);
size_t		 recon_need(const struct recon *r, const uint8_t (**ids)[32]);

/*
 * recon_stats: rounds (replies consumed, i.e. round trips), bytes sent
 * (every message made, the first included) and bytes received (every
 * reply consumed).  Any pointer may be NULL.
 */
void		 recon_stats(const struct recon *r, unsigned *rounds,
		    size_t *sent, size_t *received);

#endif
