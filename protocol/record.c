/*
 * record.c: encoding, decoding, signing and ordering of signed records, and
 * the export stream framing.  See protocol/SPEC.md; the order of the checks
 * in rec_decode is part of the spec (it decides which error a peer sees).
 */
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "record.h"
#include "util.h"

/* Offsets of the fixed header fields. */
#define OFF_VERSION	2
#define OFF_KIND	3
#define OFF_AUTHOR	4
#define OFF_CREATED	36
#define OFF_EXPIRES	44
#define OFF_REFLEN	52

#define KIND_LAST	REC_ROTATION

static const char *const kind_names[] = {
	NULL, "listing", "withdrawal", "node", "certificate", "application",
	"answer", "placement", "rotation"
};

_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == KIND_LAST + 1,
    "a name for every kind");

static int
kind_ok(unsigned kind)
{
	return kind >= REC_LISTING && kind <= KIND_LAST;
}

static int
ref_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	    c == '_' || c == ':' || c == '@' || c == '-';
}

static int
lowerhex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* prefixed_hex: ref is exactly prefix followed by lowercase hex digits. */
static int
prefixed_hex(const char *ref, size_t len, const char *prefix, size_t want)
{
	size_t i, plen = strlen(prefix);

	if (len != want || memcmp(ref, prefix, plen) != 0)
		return MENTOR_EINVAL;
	for (i = plen; i < len; i++)
		if (!lowerhex((unsigned char)ref[i]))
			return MENTOR_EINVAL;
	return 0;
}

/*
 * ref_check: the charset, then the form the kind requires.  The caller has
 * checked 1 <= len <= REC_REF_MAX.  Listings and withdrawals share one
 * address space that must never meet the reserved '@' names.
 */
static int
ref_check(unsigned kind, const char *ref, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!ref_char_ok((unsigned char)ref[i]))
			return MENTOR_EINVAL;
	switch (kind) {
	case REC_LISTING:
	case REC_WITHDRAWAL:
		if (ref[0] == '@')
			return MENTOR_EINVAL;
		break;
	case REC_NODE:
		if (len != sizeof(REC_NODE_REF) - 1 ||
		    memcmp(ref, REC_NODE_REF, len) != 0)
			return MENTOR_EINVAL;
		break;
	case REC_ROTATION:
		if (len != sizeof(REC_ROT_REF) - 1 ||
		    memcmp(ref, REC_ROT_REF, len) != 0)
			return MENTOR_EINVAL;
		break;
	case REC_CERTIFICATE:
		return prefixed_hex(ref, len, REC_CERT_PREFIX,
		    REC_CERT_REF_LEN);
	case REC_APPLICATION:
		return prefixed_hex(ref, len, REC_APP_PREFIX, REC_APP_REF_LEN);
	case REC_ANSWER:
		return prefixed_hex(ref, len, REC_ANS_PREFIX, REC_APP_REF_LEN);
	case REC_PLACEMENT:
		return prefixed_hex(ref, len, REC_PLC_PREFIX, REC_PLC_REF_LEN);
	default:
		return MENTOR_EINVAL;
	}
	return 0;
}

size_t
rec_size(size_t ref_len, size_t body_len)
{
	if (ref_len == 0 || ref_len > REC_REF_MAX)
		return 0;
	/* Checked before adding so that a huge body_len cannot wrap. */
	if (body_len > REC_MAX_SIZE - REC_OVERHEAD - ref_len)
		return 0;
	return REC_OVERHEAD + ref_len + body_len;
}

int
rec_decode(struct rec *r, const uint8_t *buf, size_t len)
{
	size_t need, total;
	uint32_t body_len;

	if (len > REC_MAX_SIZE)
		return MENTOR_ETOOBIG;
	if (len < 2)
		return MENTOR_ETRUNC;
	if (buf[0] != REC_MAGIC0 || buf[1] != REC_MAGIC1)
		return MENTOR_EINVAL;
	if (len < OFF_VERSION + 1)
		return MENTOR_ETRUNC;
	if (buf[OFF_VERSION] != REC_VERSION)
		return MENTOR_EVERSION;
	if (len < OFF_KIND + 1)
		return MENTOR_ETRUNC;
	if (!kind_ok(buf[OFF_KIND]))
		return MENTOR_EINVAL;
	/* author, created_at, expires_at and ref_len: the rest of the header */
	if (len < REC_HDR_FIXED)
		return MENTOR_ETRUNC;
	memset(r, 0, sizeof(*r));
	r->bytes = buf;
	r->len = len;
	r->version = buf[OFF_VERSION];
	r->kind = buf[OFF_KIND];
	r->author = buf + OFF_AUTHOR;
	r->created_at = get_be64(buf + OFF_CREATED);
	r->expires_at = get_be64(buf + OFF_EXPIRES);
	if (r->expires_at <= r->created_at)
		return MENTOR_EINVAL;
	r->ref_len = buf[OFF_REFLEN];
	if (r->ref_len == 0 || r->ref_len > REC_REF_MAX)
		return MENTOR_EINVAL;
	need = REC_HDR_FIXED + r->ref_len;
	if (len < need)
		return MENTOR_ETRUNC;
	r->ref = (const char *)buf + REC_HDR_FIXED;
	if (ref_check(r->kind, r->ref, r->ref_len) != 0)
		return MENTOR_EINVAL;
	if (len < need + 4)
		return MENTOR_ETRUNC;
	body_len = get_be32(buf + need);
	total = rec_size(r->ref_len, body_len);
	if (total == 0)
		return MENTOR_ETOOBIG;
	if (len < total)
		return MENTOR_ETRUNC;
	if (len > total)
		return MENTOR_EINVAL;
	r->body = buf + need + 4;
	r->body_len = body_len;
	r->sig = r->body + body_len;
	return 0;
}

int
rec_verify(const struct rec *r)
{
	if (r->len < REC_SIG_LEN)
		return MENTOR_ESIG;
	if (crypto_sign_verify_detached(r->sig, r->bytes, r->len - REC_SIG_LEN,
	    r->author) != 0)
		return MENTOR_ESIG;
	return 0;
}

void
rec_id(uint8_t id[REC_ID_LEN], const uint8_t *buf, size_t len)
{
	crypto_generichash(id, REC_ID_LEN, buf, len, NULL, 0);
}

void
rec_addr(uint8_t addr[REC_ADDR_LEN], const uint8_t author[REC_KEY_LEN],
    const char *ref, size_t ref_len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, REC_ADDR_LEN);
	crypto_generichash_update(&st, author, REC_KEY_LEN);
	crypto_generichash_update(&st, (const unsigned char *)ref, ref_len);
	crypto_generichash_final(&st, addr, REC_ADDR_LEN);
}

int
rec_build(uint8_t *out, size_t cap, size_t *outlen, unsigned kind,
    uint64_t created_at, uint64_t expires_at, const char *ref, size_t ref_len,
    const uint8_t *body, size_t body_len, const uint8_t sk[64])
{
	size_t total, off;

	*outlen = 0;
	if (!kind_ok(kind) || expires_at <= created_at)
		return MENTOR_EINVAL;
	if (ref_len == 0 || ref_len > REC_REF_MAX)
		return MENTOR_EINVAL;
	if (ref_check(kind, ref, ref_len) != 0)
		return MENTOR_EINVAL;
	if (body_len > 0 && body == NULL)
		return MENTOR_EINVAL;
	if ((total = rec_size(ref_len, body_len)) == 0)
		return MENTOR_ETOOBIG;
	if (cap < total) {
		*outlen = total;
		return MENTOR_ETOOBIG;
	}
	out[0] = REC_MAGIC0;
	out[1] = REC_MAGIC1;
	out[OFF_VERSION] = REC_VERSION;
	out[OFF_KIND] = (uint8_t)kind;
	memcpy(out + OFF_AUTHOR, sk + 32, REC_KEY_LEN);
	put_be64(out + OFF_CREATED, created_at);
	put_be64(out + OFF_EXPIRES, expires_at);
	out[OFF_REFLEN] = (uint8_t)ref_len;
	off = REC_HDR_FIXED;
	memcpy(out + off, ref, ref_len);
	off += ref_len;
	put_be32(out + off, (uint32_t)body_len);
	off += 4;
	if (body_len > 0)
		memcpy(out + off, body, body_len);
	off += body_len;
	if (crypto_sign_detached(out + off, NULL, out, off, sk) != 0)
		return MENTOR_EINVAL;
	*outlen = total;
	return 0;
}

int
rec_check_time(const struct rec *r, uint64_t now_ms)
{
	/* Written as differences so that no sum can wrap. */
	if (r->expires_at - r->created_at > (uint64_t)REC_MAX_LIFE_MS)
		return MENTOR_EINVAL;
	if (now_ms >= r->expires_at)
		return MENTOR_EEXPIRED;
	if (r->created_at > now_ms &&
	    r->created_at - now_ms > (uint64_t)REC_FUTURE_MS)
		return MENTOR_EFUTURE;
	if (r->expires_at - now_ms > (uint64_t)REC_MAX_LIFE_MS)
		return MENTOR_EINVAL;
	return 0;
}

int
rec_cmp_version(uint64_t a_created, const uint8_t a_id[REC_ID_LEN],
    uint64_t b_created, const uint8_t b_id[REC_ID_LEN])
{
	int c;

	if (a_created != b_created)
		return a_created > b_created ? 1 : -1;
	c = memcmp(a_id, b_id, REC_ID_LEN);
	return c < 0 ? 1 : c > 0 ? -1 : 0;
}

int
rec_cmp_state(unsigned a_kind, uint64_t a_created,
    const uint8_t a_id[REC_ID_LEN], unsigned b_kind, uint64_t b_created,
    const uint8_t b_id[REC_ID_LEN])
{
	int aw = a_kind == REC_WITHDRAWAL, bw = b_kind == REC_WITHDRAWAL;

	if (a_created == b_created && aw != bw)
		return aw ? 1 : -1;
	return rec_cmp_version(a_created, a_id, b_created, b_id);
}

int
rec_open(struct rec *r, const uint8_t *buf, size_t len, uint64_t now_ms)
{
	int rc;

	if ((rc = rec_decode(r, buf, len)) != 0)
		return rc;
	if ((rc = rec_verify(r)) != 0)
		return rc;
	return rec_check_time(r, now_ms);
}

const char *
rec_kind_name(unsigned kind)
{
	return kind_ok(kind) ? kind_names[kind] : NULL;
}

int
rec_kind_parse(const char *name)
{
	unsigned k;

	if (name == NULL)
		return MENTOR_EINVAL;
	for (k = REC_LISTING; k <= KIND_LAST; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return (int)k;
	return MENTOR_EINVAL;
}

int
xs_header_check(const uint8_t *buf, size_t len)
{
	if (len < sizeof(XS_MAGIC) - 1)
		return MENTOR_ETRUNC;
	if (memcmp(buf, XS_MAGIC, sizeof(XS_MAGIC) - 1) != 0)
		return MENTOR_EINVAL;
	if (len < XS_HDR_LEN)
		return MENTOR_ETRUNC;
	if (buf[XS_HDR_LEN - 1] != XS_VERSION)
		return MENTOR_EVERSION;
	return 0;
}

void
xs_header_write(uint8_t out[XS_HDR_LEN])
{
	memcpy(out, XS_MAGIC, XS_HDR_LEN - 1);
	out[XS_HDR_LEN - 1] = XS_VERSION;
}

void
xs_frame_write(uint8_t out[XS_FRAME_HDR], size_t reclen)
{
	put_be32(out, (uint32_t)reclen);
}

int
xs_next(const uint8_t *buf, size_t len, size_t *off, const uint8_t **rec,
    size_t *reclen)
{
	size_t o = *off;
	uint32_t n;

	if (o > len)
		return MENTOR_EINVAL;
	if (o == len)
		return 0;
	if (len - o < XS_FRAME_HDR)
		return MENTOR_ETRUNC;
	n = get_be32(buf + o);
	if (n == 0)
		return MENTOR_EINVAL;
	if (n > REC_MAX_SIZE)
		return MENTOR_ETOOBIG;
	if (len - o - XS_FRAME_HDR < n)
		return MENTOR_ETRUNC;
	*rec = buf + o + XS_FRAME_HDR;
	*reclen = n;
	*off = o + XS_FRAME_HDR + n;
	return 1;
}
