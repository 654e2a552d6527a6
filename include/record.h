/*
 * record.h: the signed record that federates between nodes, and the export
 * stream that carries records in files.  The wire format is specified in
 * protocol/SPEC.md sections 1 to 6; this header is its C binding.
 *
 * Everything here is pure: no I/O, no allocation, no clock reads (callers
 * pass now_ms), no global state.  A struct rec is a view into bytes owned by
 * the caller; it is valid only while those bytes are.  Callers must have
 * called sodium_init() once before using the signing and hashing functions.
 */
#ifndef MENTOR_RECORD_H
#define MENTOR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "mentor.h"

#define REC_MAGIC0	0x4D		/* 'M' */
#define REC_MAGIC1	0x52		/* 'R' */
#define REC_VERSION	1
#define REC_MAX_SIZE	65536		/* whole record, with signature */
#define REC_REF_MAX	80
#define REC_KEY_LEN	32
#define REC_SIG_LEN	64
#define REC_ID_LEN	32
#define REC_ADDR_LEN	16
#define REC_HDR_FIXED	53		/* bytes before ref */
/* Everything but ref and body: 121 bytes. */
#define REC_OVERHEAD	(REC_HDR_FIXED + 4 + REC_SIG_LEN)
#define REC_FUTURE_MS	(5 * 60 * 1000)
#define REC_MAX_LIFE_MS	(400LL * 86400 * 1000)

/* User refs (listings, withdrawals): a limit of the listing layer. */
#define REC_USER_REF_MAX 64
#define REC_NODE_REF	"@node"
#define REC_CERT_PREFIX	"@cert:"	/* + 64 lowercase hex: the subject */
#define REC_CERT_REF_LEN 70
/*
 * Applications and answers (SPEC.md 2.5, 2.6): the prefix and 32 lowercase
 * hex digits, the application id; an answer carries the id it answers.
 */
#define REC_APP_PREFIX	"@app:"
#define REC_ANS_PREFIX	"@ans:"
#define REC_APP_REF_LEN	37
/*
 * Placement messages (SPEC.md 2.7): "@plc:", the application id and the
 * message id, 32 lowercase hex digits each.
 */
#define REC_PLC_PREFIX	"@plc:"
#define REC_PLC_REF_LEN	69
/*
 * Key rotation (SPEC.md 2.8): ref "@rotate"; the body names the new key
 * and carries its proof, an Ed25519 signature by the new key over
 * REC_ROT_PROOF_TAG || old key || new key.
 */
#define REC_ROT_REF		"@rotate"
#define REC_ROT_PROOF_TAG	"mentord-rotate-key-v1"

enum rec_kind {
	REC_LISTING = 1,
	REC_WITHDRAWAL = 2,
	REC_NODE = 3,
	REC_CERTIFICATE = 4,
	REC_APPLICATION = 5,	/* body: a sealed box, not JSON */
	REC_ANSWER = 6,		/* body: a sealed box, not JSON */
	REC_PLACEMENT = 7,	/* body: a sealed box, not JSON */
	REC_ROTATION = 8	/* the author's key is replaced (SPEC 2.8) */
};

/*
 * rec_kind_directed: 1 for the kinds that travel only toward their
 * recipient and are not reconciled (SPEC.md 12.6): applications, answers
 * and placement messages.
 */
#define rec_kind_directed(k) ((k) == REC_APPLICATION || (k) == REC_ANSWER || \
	(k) == REC_PLACEMENT)

/* A view into the caller's bytes: no allocation. */
struct rec {
	const uint8_t	*bytes;		/* the whole record */
	size_t		 len;
	uint8_t		 version;
	uint8_t		 kind;		/* enum rec_kind */
	const uint8_t	*author;	/* REC_KEY_LEN bytes */
	uint64_t	 created_at;	/* ms since the epoch */
	uint64_t	 expires_at;	/* ms, > created_at */
	const char	*ref;		/* not NUL-terminated */
	size_t		 ref_len;
	const uint8_t	*body;		/* not parsed: UTF-8 JSON, or a
					   sealed box (applications,
					   answers) */
	size_t		 body_len;
	const uint8_t	*sig;		/* REC_SIG_LEN bytes */
};

/*
 * rec_decode: structural check of the len bytes at buf, filling *r with
 * pointers into buf.  Does not verify the signature or look at the clock.
 * Fields are checked in the order of SPEC.md 1.3; the first failure wins:
 *   MENTOR_ETOOBIG   len > REC_MAX_SIZE, or the declared size is over it
 *   MENTOR_ETRUNC    buf ends inside a field or before the declared end
 *   MENTOR_EINVAL    bad magic, unknown kind, expires_at <= created_at,
 *                    ref_len 0 or > REC_REF_MAX, a byte outside the ref
 *                    charset, a ref not allowed for the kind, or bytes
 *                    after the signature
 *   MENTOR_EVERSION  magic right, version != REC_VERSION
 * Never reads outside [buf, buf + len).  *r is undefined on error.
 */
int	rec_decode(struct rec *r, const uint8_t *buf, size_t len);

/*
 * rec_verify: checks the Ed25519 signature of a decoded record over bytes
 * [0, len - REC_SIG_LEN) with its author key.  Returns 0 or MENTOR_ESIG.
 */
int	rec_verify(const struct rec *r);

/* rec_id: BLAKE2b-256 of the len bytes at buf (the whole signed record). */
void	rec_id(uint8_t id[REC_ID_LEN], const uint8_t *buf, size_t len);

/*
 * rec_addr: the listing address id, BLAKE2b-128 of author || ref.  Stable
 * across the versions of one address; printed as 32 lowercase hex digits.
 */
void	rec_addr(uint8_t addr[REC_ADDR_LEN],
	    const uint8_t author[REC_KEY_LEN], const char *ref, size_t ref_len);

/*
 * rec_size: the encoded size of a record with this ref and body, or 0 when
 * ref_len is 0 or over REC_REF_MAX, or the total is over REC_MAX_SIZE.
 */
size_t	rec_size(size_t ref_len, size_t body_len);

/*
 * rec_build: encodes a record into out (cap bytes) and signs it with sk, an
 * Ed25519 secret key in libsodium's 64-byte form (the author is its public
 * half, sk + 32).  Sets *outlen to the record's size.  Validates the fields
 * as rec_decode does and returns the same MENTOR_EINVAL / MENTOR_ETOOBIG;
 * also MENTOR_ETOOBIG when cap is smaller than the record (*outlen is then
 * set to the size needed).  body may be NULL when body_len is 0.  out must
 * not overlap ref or body.  On error nothing useful is in out.
 */
int	rec_build(uint8_t *out, size_t cap, size_t *outlen, unsigned kind,
	    uint64_t created_at, uint64_t expires_at, const char *ref,
	    size_t ref_len, const uint8_t *body, size_t body_len,
	    const uint8_t sk[64]);

/*
 * rec_check_time: the clock rules of SPEC.md 4.4, in this order:
 *   MENTOR_EINVAL    expires_at - created_at > REC_MAX_LIFE_MS
 *   MENTOR_EEXPIRED  now_ms >= expires_at
 *   MENTOR_EFUTURE   created_at > now_ms + REC_FUTURE_MS
 *   MENTOR_EINVAL    expires_at > now_ms + REC_MAX_LIFE_MS
 * Returns 0 when none applies.
 */
int	rec_check_time(const struct rec *r, uint64_t now_ms);

/*
 * rec_cmp_version: orders two versions of one address by created_at, then
 * by id (the lower id wins a tie).  Returns > 0 when a is the newer
 * (winning) version, < 0 when b is, 0 when the ids are equal.  Kind-blind:
 * use rec_cmp_state when one side may be a withdrawal.
 */
int	rec_cmp_version(uint64_t a_created, const uint8_t a_id[REC_ID_LEN],
	    uint64_t b_created, const uint8_t b_id[REC_ID_LEN]);

/*
 * rec_cmp_state: rec_cmp_version for records sharing a listing address,
 * where a withdrawal beats every listing with created_at <= its own (so on
 * a tie of created_at the withdrawal wins whatever the ids).  Same return
 * convention.
 */
int	rec_cmp_state(unsigned a_kind, uint64_t a_created,
	    const uint8_t a_id[REC_ID_LEN], unsigned b_kind, uint64_t b_created,
	    const uint8_t b_id[REC_ID_LEN]);

/*
 * rec_open: rec_decode, rec_verify, rec_check_time, in that order; returns
 * the first error.  On 0, *r describes a record that may be acted upon.
 */
int	rec_open(struct rec *r, const uint8_t *buf, size_t len,
	    uint64_t now_ms);

/*
 * rec_kind_name: "listing", "withdrawal", "node", "certificate",
 * "application", "answer", or NULL for any other kind.
 */
const char *rec_kind_name(unsigned kind);

/* rec_kind_parse: the enum rec_kind of name, or MENTOR_EINVAL. */
int	rec_kind_parse(const char *name);

/*
 * Export stream (SPEC.md section 5):
 *   stream = header *frame
 *   header = "MNTX" version(1)
 *   frame  = length(4, big-endian, 1..REC_MAX_SIZE) record(length)
 */
#define XS_MAGIC	"MNTX"
#define XS_VERSION	1
#define XS_HDR_LEN	5
#define XS_FRAME_HDR	4

/*
 * xs_header_check: checks the stream header at buf.  Returns 0,
 * MENTOR_ETRUNC (len < XS_HDR_LEN), MENTOR_EINVAL (bad magic) or
 * MENTOR_EVERSION (magic right, unknown version).  The first frame starts
 * at XS_HDR_LEN.
 */
int	xs_header_check(const uint8_t *buf, size_t len);

/* xs_header_write: writes the XS_HDR_LEN header bytes. */
void	xs_header_write(uint8_t out[XS_HDR_LEN]);

/*
 * xs_frame_write: writes the 4-byte frame length for a record of reclen
 * bytes; the caller writes the record after it.
 */
void	xs_frame_write(uint8_t out[XS_FRAME_HDR], size_t reclen);

/*
 * xs_next: reads the frame at *off in the len bytes at buf.  Returns 1 and
 * sets *rec, *reclen (pointing into buf) and advances *off past the frame;
 * returns 0 at the clean end (*off == len).  Errors leave *off unchanged:
 *   MENTOR_ETRUNC    the frame (length or record) is cut short
 *   MENTOR_EINVAL    frame length 0, or *off > len
 *   MENTOR_ETOOBIG   frame length > REC_MAX_SIZE
 * After any error the stream cannot be resynchronised: stop reading.
 * The record itself is not checked: pass it to rec_open.
 */
int	xs_next(const uint8_t *buf, size_t len, size_t *off,
	    const uint8_t **rec, size_t *reclen);

#endif
