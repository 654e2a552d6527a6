/*
 * test_record.c: unit tests for protocol/record.c through record.h, and a
 * replay of tests/vectors/records.txt (run with cwd = the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "body.h"
#include "mentor.h"
#include "record.h"
#include "util.h"

#define VECTORS	"tests/vectors/records.txt"
#define T0	1796000000000ULL
#define DAY	86400000ULL

static uint8_t pk[32], sk[64], pk2[32], sk2[64];
static uint8_t buf[2 * REC_MAX_SIZE];
static uint8_t body_big[REC_MAX_SIZE];

static int
setup(void **state)
{
	uint8_t seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(seed, 0x01, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	memset(seed, 0x02, sizeof(seed));
	crypto_sign_seed_keypair(pk2, sk2, seed);
	return 0;
}

/* mk: a listing at T0 - 1 day, valid for 30 days, with ref and body. */
static size_t
mk(uint8_t *out, unsigned kind, const char *ref, const char *body)
{
	size_t n;

	assert_int_equal(rec_build(out, REC_MAX_SIZE, &n, kind, T0 - DAY,
	    T0 + 30 * DAY, ref, strlen(ref), (const uint8_t *)body,
	    strlen(body), sk), 0);
	assert_int_equal(n, rec_size(strlen(ref), strlen(body)));
	return n;
}

/* resign: re-signs a record in place after a test changed its bytes. */
static void
resign(uint8_t *p, size_t n)
{
	crypto_sign_detached(p + n - REC_SIG_LEN, NULL, p, n - REC_SIG_LEN,
	    sk);
}

static void
test_roundtrip(void **state)
{
	const char *body = "{\"title\":\"Welding\"}";
	uint8_t id1[REC_ID_LEN], id2[REC_ID_LEN];
	struct rec r;
	size_t n;

	(void)state;
	n = mk(buf, REC_LISTING, "weld-1", body);
	assert_int_equal(n, REC_OVERHEAD + 6 + strlen(body));
	assert_int_equal(rec_decode(&r, buf, n), 0);
	assert_ptr_equal(r.bytes, buf);
	assert_int_equal(r.len, n);
	assert_int_equal(r.version, REC_VERSION);
	assert_int_equal(r.kind, REC_LISTING);
	assert_memory_equal(r.author, pk, 32);
	assert_true(r.created_at == T0 - DAY);
	assert_true(r.expires_at == T0 + 30 * DAY);
	assert_int_equal(r.ref_len, 6);
	assert_memory_equal(r.ref, "weld-1", 6);
	assert_int_equal(r.body_len, strlen(body));
	assert_memory_equal(r.body, body, strlen(body));
	assert_ptr_equal(r.sig, buf + n - REC_SIG_LEN);
	assert_int_equal(rec_verify(&r), 0);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_true(crypto_sign_verify_detached(r.sig, buf, n - 64, pk) == 0);

	/* Deterministic signatures: same inputs, same bytes, same id. */
	rec_id(id1, buf, n);
	n = mk(buf + REC_MAX_SIZE, REC_LISTING, "weld-1", body);
	rec_id(id2, buf + REC_MAX_SIZE, n);
	assert_memory_equal(id1, id2, REC_ID_LEN);
	crypto_generichash(id2, sizeof(id2), buf, n, NULL, 0);
	assert_memory_equal(id1, id2, REC_ID_LEN);
}

static void
test_every_kind(void **state)
{
	char ref[REC_CERT_REF_LEN + 1];
	struct rec r;
	size_t n;

	(void)state;
	n = mk(buf, REC_WITHDRAWAL, "weld-1", "");
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.body_len, 0);
	assert_int_equal(r.kind, REC_WITHDRAWAL);
	n = mk(buf, REC_NODE, "@node", "{}");
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	memcpy(ref, REC_CERT_PREFIX, 6);
	hex_encode(ref + 6, pk2, 32);
	n = mk(buf, REC_CERTIFICATE, ref, "{}");
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.ref_len, REC_CERT_REF_LEN);
}

/* Applications and answers carry a binary body that the codec passes on. */
static void
test_application_kinds(void **state)
{
	static const char id[] = "00112233445566778899aabbccddeeff";
	uint8_t box[200];
	char ref[REC_APP_REF_LEN + 1];
	struct rec r;
	size_t n, i;

	(void)state;
	assert_int_equal(sizeof(REC_APP_PREFIX) - 1 + 32, REC_APP_REF_LEN);
	assert_int_equal(sizeof(REC_ANS_PREFIX) - 1 + 32, REC_APP_REF_LEN);
	/* NUL and 0xff octets included: nothing reads it as text. */
	for (i = 0; i < sizeof(box); i++)
		box[i] = (uint8_t)(255 - i);
	snprintf(ref, sizeof(ref), "%s%s", REC_APP_PREFIX, id);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_APPLICATION,
	    T0 - DAY, T0 + 89 * DAY, ref, strlen(ref), box, sizeof(box), sk),
	    0);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.kind, REC_APPLICATION);
	assert_int_equal(r.ref_len, REC_APP_REF_LEN);
	assert_memory_equal(r.ref, ref, REC_APP_REF_LEN);
	assert_int_equal(r.body_len, sizeof(box));
	assert_memory_equal(r.body, box, sizeof(box));
	/* The same ref is not an answer's, nor a listing's. */
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_ANSWER, T0 - DAY,
	    T0 + DAY, ref, strlen(ref), box, sizeof(box), sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING,
	    T0 - DAY, T0 + DAY, ref, strlen(ref), NULL, 0, sk), MENTOR_EINVAL);

	snprintf(ref, sizeof(ref), "%s%s", REC_ANS_PREFIX, id);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_ANSWER, T0 - DAY,
	    T0 + 89 * DAY, ref, strlen(ref), box, 48, sk), 0);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.kind, REC_ANSWER);
	assert_int_equal(r.body_len, 48);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_APPLICATION,
	    T0 - DAY, T0 + DAY, ref, strlen(ref), box, 48, sk),
	    MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_WITHDRAWAL,
	    T0 - DAY, T0 + DAY, ref, strlen(ref), NULL, 0, sk),
	    MENTOR_EINVAL);
}

static void
test_ref_rules(void **state)
{
	static const struct {
		unsigned kind;
		const char *ref;
		int rc;
	} t[] = {
		{ REC_LISTING, "a", 0 },
		{ REC_LISTING, "a@b.c_d:e-9", 0 },
		{ REC_LISTING, "@a", MENTOR_EINVAL },
		{ REC_LISTING, "A", MENTOR_EINVAL },
		{ REC_LISTING, "a b", MENTOR_EINVAL },
		{ REC_LISTING, "a/b", MENTOR_EINVAL },
		{ REC_LISTING, "caf\xc3\xa9", MENTOR_EINVAL },
		{ REC_WITHDRAWAL, "@node", MENTOR_EINVAL },
		{ REC_WITHDRAWAL, "x", 0 },
		{ REC_NODE, "@node", 0 },
		{ REC_NODE, "@nodes", MENTOR_EINVAL },
		{ REC_NODE, "node", MENTOR_EINVAL },
		{ REC_NODE, "@nod", MENTOR_EINVAL },
		{ REC_CERTIFICATE, "@cert:", MENTOR_EINVAL },
		{ REC_CERTIFICATE, "@node", MENTOR_EINVAL },
		{ REC_CERTIFICATE, "@cert:8A88E3DD7409F195FD52DB2D3CBA5D72"
		    "CA6709BF1D94121BF3748801B40F6F5C", MENTOR_EINVAL },
		{ REC_CERTIFICATE, "@cert:8a88e3dd7409f195fd52db2d3cba5d72"
		    "ca6709bf1d94121bf3748801b40f6f5", MENTOR_EINVAL },
		{ REC_CERTIFICATE, "@cert:8a88e3dd7409f195fd52db2d3cba5d72"
		    "ca6709bf1d94121bf3748801b40f6f5g", MENTOR_EINVAL },
		{ REC_CERTIFICATE, "@cert:8a88e3dd7409f195fd52db2d3cba5d72"
		    "ca6709bf1d94121bf3748801b40f6f5c", 0 },
		{ REC_CERTIFICATE, "xcert:8a88e3dd7409f195fd52db2d3cba5d72"
		    "ca6709bf1d94121bf3748801b40f6f5c", MENTOR_EINVAL },
		{ REC_APPLICATION, "@app:0123456789abcdef0123456789abcdef", 0 },
		{ REC_APPLICATION, "@app:0123456789ABCDEF0123456789abcdef",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "@app:0123456789abcdef0123456789abcde",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "@app:0123456789abcdef0123456789abcdef0",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "@app:0123456789abcdef0123456789abcdeg",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "@app-0123456789abcdef0123456789abcdef",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "@ans:0123456789abcdef0123456789abcdef",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "app:0123456789abcdef0123456789abcdef0",
		    MENTOR_EINVAL },
		{ REC_APPLICATION, "@node", MENTOR_EINVAL },
		{ REC_APPLICATION, "@app:", MENTOR_EINVAL },
		{ REC_PLACEMENT, "@plc:0123456789abcdef0123456789abcdef"
		    "fedcba9876543210fedcba9876543210", 0 },
		{ REC_PLACEMENT, "@plc:0123456789abcdef0123456789abcdef",
		    MENTOR_EINVAL },
		{ REC_PLACEMENT, "@app:0123456789abcdef0123456789abcdef"
		    "fedcba9876543210fedcba9876543210", MENTOR_EINVAL },
		{ REC_PLACEMENT, "@plc:0123456789abcdef0123456789abcdef"
		    "fedcba9876543210fedcba987654321G", MENTOR_EINVAL },
		{ REC_ANSWER, "@ans:0123456789abcdef0123456789abcdef", 0 },
		{ REC_ANSWER, "@app:0123456789abcdef0123456789abcdef",
		    MENTOR_EINVAL },
		{ REC_ANSWER, "@ans:0123456789abcdef0123456789abcdeF",
		    MENTOR_EINVAL },
		{ REC_ANSWER, "@ans:0123456789abcdef:0123456789abcde",
		    MENTOR_EINVAL },
		{ REC_ANSWER, "weld-1", MENTOR_EINVAL },
		{ REC_LISTING, "@app:0123456789abcdef0123456789abcdef",
		    MENTOR_EINVAL },
		{ REC_WITHDRAWAL, "@ans:0123456789abcdef0123456789abcdef",
		    MENTOR_EINVAL },
	};
	struct rec r;
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = strlen(t[i].ref);
		assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, t[i].kind,
		    T0, T0 + DAY, t[i].ref, len, (const uint8_t *)"{}", 2, sk),
		    t[i].rc);
		if (t[i].rc != 0) {
			/* The decoder refuses the same bytes, signed or not. */
			buf[3] = (uint8_t)t[i].kind;
			memcpy(buf + 4, pk, 32);
			put_be64(buf + 36, T0);
			put_be64(buf + 44, T0 + DAY);
			buf[52] = (uint8_t)len;
			memcpy(buf + 53, t[i].ref, len);
			put_be32(buf + 53 + len, 0);
			n = REC_OVERHEAD + len;
			buf[0] = REC_MAGIC0, buf[1] = REC_MAGIC1, buf[2] = 1;
			resign(buf, n);
		}
		assert_int_equal(rec_decode(&r, buf, n), t[i].rc);
	}
}

static void
test_ref_charset(void **state)
{
	struct rec r;
	size_t n;
	int c, ok;

	(void)state;
	n = mk(buf, REC_LISTING, "abc", "");
	for (c = 0; c < 256; c++) {
		buf[REC_HDR_FIXED + 1] = (uint8_t)c;
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("._:@-", c) != NULL;
		if (c == 0)
			ok = 0;
		assert_int_equal(rec_decode(&r, buf, n),
		    ok ? 0 : MENTOR_EINVAL);
	}
}

static void
test_ref_bounds(void **state)
{
	char ref[REC_REF_MAX + 1];
	struct rec r;
	size_t n;

	(void)state;
	memset(ref, 'r', sizeof(ref));
	assert_int_equal(rec_size(0, 0), 0);
	assert_int_equal(rec_size(1, 0), REC_OVERHEAD + 1);
	assert_int_equal(rec_size(REC_REF_MAX, 0), REC_OVERHEAD + REC_REF_MAX);
	assert_int_equal(rec_size(REC_REF_MAX + 1, 0), 0);

	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 + DAY, ref, 1, NULL, 0, sk), 0);
	assert_int_equal(n, REC_OVERHEAD + 1);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.ref_len, 1);

	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 + DAY, ref, REC_REF_MAX, NULL, 0, sk), 0);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.ref_len, REC_REF_MAX);

	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 + DAY, ref, REC_REF_MAX + 1, NULL, 0, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 + DAY, ref, 0, NULL, 0, sk), MENTOR_EINVAL);

	/* ref_len 81 and 0 on the wire, with enough bytes behind them. */
	n = mk(buf, REC_LISTING, "abc", "");
	memset(buf + n, 'r', 200);
	buf[52] = REC_REF_MAX + 1;
	assert_int_equal(rec_decode(&r, buf, n + 200), MENTOR_EINVAL);
	buf[52] = 0;
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
	buf[52] = 255;
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
}

static void
test_size_limits(void **state)
{
	size_t n, maxbody = REC_MAX_SIZE - REC_OVERHEAD - 1;
	struct rec r;

	(void)state;
	memset(body_big, ' ', sizeof(body_big));
	assert_int_equal(rec_size(1, maxbody), REC_MAX_SIZE);
	assert_int_equal(rec_size(1, maxbody + 1), 0);
	assert_int_equal(rec_size(1, SIZE_MAX), 0);
	assert_int_equal(rec_size(REC_REF_MAX, SIZE_MAX - 10), 0);

	/* Exactly REC_MAX_SIZE: accepted. */
	assert_int_equal(rec_build(buf, sizeof(buf), &n, REC_LISTING, T0,
	    T0 + DAY, "x", 1, body_big, maxbody, sk), 0);
	assert_int_equal(n, REC_MAX_SIZE);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	assert_int_equal(r.body_len, maxbody);

	/* One more byte: refused by the builder and the decoder. */
	assert_int_equal(rec_build(buf, sizeof(buf), &n, REC_LISTING, T0,
	    T0 + DAY, "x", 1, body_big, maxbody + 1, sk), MENTOR_ETOOBIG);
	put_be32(buf + REC_HDR_FIXED + 1, (uint32_t)maxbody + 1);
	assert_int_equal(rec_decode(&r, buf, REC_MAX_SIZE + 1),
	    MENTOR_ETOOBIG);
	/* The declared size alone is enough to refuse it. */
	assert_int_equal(rec_decode(&r, buf, REC_HDR_FIXED + 5),
	    MENTOR_ETOOBIG);
	put_be32(buf + REC_HDR_FIXED + 1, UINT32_MAX);
	assert_int_equal(rec_decode(&r, buf, REC_HDR_FIXED + 5),
	    MENTOR_ETOOBIG);
	/* Any input over the limit, whatever it holds. */
	memset(buf, 0, REC_MAX_SIZE + 1);
	assert_int_equal(rec_decode(&r, buf, REC_MAX_SIZE + 1),
	    MENTOR_ETOOBIG);

	/* Output buffer too small: ETOOBIG and the size needed. */
	assert_int_equal(rec_build(buf, REC_OVERHEAD + 1, &n, REC_LISTING, T0,
	    T0 + DAY, "xy", 2, NULL, 0, sk), MENTOR_ETOOBIG);
	assert_int_equal(n, REC_OVERHEAD + 2);
	assert_int_equal(rec_build(buf, REC_OVERHEAD + 2, &n, REC_LISTING, T0,
	    T0 + DAY, "xy", 2, NULL, 0, sk), 0);
}

static void
test_build_errors(void **state)
{
	size_t n;

	(void)state;
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, 0, T0, T0 + 1, "a",
	    1, NULL, 0, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, 7, T0, T0 + 1, "a",
	    1, NULL, 0, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, 255, T0, T0 + 1, "a",
	    1, NULL, 0, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0, T0,
	    "a", 1, NULL, 0, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 - 1, "a", 1, NULL, 0, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 + 1, "a", 1, NULL, 3, sk), MENTOR_EINVAL);
	assert_int_equal(rec_build(buf, REC_MAX_SIZE, &n, REC_LISTING, T0,
	    T0 + 1, "a", 1, NULL, 0, sk), 0);
}

static void
test_decode_errors(void **state)
{
	struct rec r;
	size_t n, i;

	(void)state;
	n = mk(buf, REC_LISTING, "weld-1", "{\"a\":1}");

	/* Every proper prefix is truncated, never anything else. */
	for (i = 0; i < n; i++)
		assert_int_equal(rec_decode(&r, buf, i), MENTOR_ETRUNC);
	assert_int_equal(rec_decode(&r, buf, n), 0);
	buf[n] = 0;
	assert_int_equal(rec_decode(&r, buf, n + 1), MENTOR_EINVAL);

	buf[0] = 'X';
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
	buf[0] = REC_MAGIC0, buf[1] = 'r';
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
	assert_int_equal(rec_decode(&r, buf, 2), MENTOR_EINVAL);
	buf[1] = REC_MAGIC1;

	buf[2] = 0;
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EVERSION);
	buf[2] = 2;
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EVERSION);
	assert_int_equal(rec_decode(&r, buf, 3), MENTOR_EVERSION);
	buf[2] = 1;

	for (i = 0; i < 256; i++) {
		buf[3] = (uint8_t)i;
		/* Kinds 3 to 6 are known but refuse a user ref. */
		assert_int_equal(rec_decode(&r, buf, n),
		    i == REC_LISTING || i == REC_WITHDRAWAL ? 0 :
		    MENTOR_EINVAL);
	}
	buf[3] = REC_LISTING;
	assert_int_equal(rec_decode(&r, buf, n), 0);

	put_be64(buf + 44, T0 - DAY);		/* expires == created */
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
	put_be64(buf + 44, 0);
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
	put_be64(buf + 44, T0 - DAY + 1);
	assert_int_equal(rec_decode(&r, buf, n), 0);
	/* ... and checked before the rest is even there. */
	put_be64(buf + 44, 0);
	assert_int_equal(rec_decode(&r, buf, REC_HDR_FIXED), MENTOR_EINVAL);
	put_be64(buf + 44, T0 + 30 * DAY);

	/* body_len one more or one less than the bytes. */
	put_be32(buf + REC_HDR_FIXED + 6, 8);
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_ETRUNC);
	put_be32(buf + REC_HDR_FIXED + 6, 6);
	assert_int_equal(rec_decode(&r, buf, n), MENTOR_EINVAL);
	put_be32(buf + REC_HDR_FIXED + 6, 7);
	assert_int_equal(rec_decode(&r, buf, n), 0);
}

/* Flipping any bit of a record must make rec_open fail. */
static void
test_bitflips(void **state)
{
	struct rec r;
	size_t n, i;
	int b, rc;

	(void)state;
	n = mk(buf, REC_LISTING, "weld-1", "{\"a\":1}");
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++) {
			buf[i] ^= (uint8_t)(1 << b);
			rc = rec_open(&r, buf, n, T0);
			assert_true(rc < 0);
			buf[i] ^= (uint8_t)(1 << b);
		}
	}
	assert_int_equal(rec_open(&r, buf, n, T0), 0);

	/* Another author's key over the same bytes. */
	memcpy(buf + 4, pk2, 32);
	assert_int_equal(rec_open(&r, buf, n, T0), MENTOR_ESIG);
	/* Re-signed by the right key, changed bytes verify again. */
	memcpy(buf + 4, pk, 32);
	buf[REC_HDR_FIXED + 6 + 4 + 5] = '2';
	assert_int_equal(rec_open(&r, buf, n, T0), MENTOR_ESIG);
	resign(buf, n);
	assert_int_equal(rec_open(&r, buf, n, T0), 0);
}

static void
test_open_order(void **state)
{
	struct rec r;
	size_t n;

	(void)state;
	/* A bad signature wins over the clock. */
	n = mk(buf, REC_LISTING, "weld-1", "");
	buf[n - 1] ^= 0x80;
	assert_int_equal(rec_open(&r, buf, n, T0 + 365 * DAY), MENTOR_ESIG);
	buf[n - 1] ^= 0x80;
	assert_int_equal(rec_open(&r, buf, n, T0 + 365 * DAY),
	    MENTOR_EEXPIRED);
	/* A structural error wins over the signature. */
	buf[2] = 9;
	assert_int_equal(rec_open(&r, buf, n, T0), MENTOR_EVERSION);
}

static void
test_cmp_version(void **state)
{
	uint8_t lo[REC_ID_LEN], hi[REC_ID_LEN];

	(void)state;
	memset(lo, 0x10, sizeof(lo));
	memset(hi, 0x10, sizeof(hi));
	hi[31] = 0x11;
	/* Newer created_at wins, whatever the ids. */
	assert_true(rec_cmp_version(T0 + 1, hi, T0, lo) > 0);
	assert_true(rec_cmp_version(T0, lo, T0 + 1, hi) < 0);
	assert_true(rec_cmp_version(UINT64_MAX, hi, 0, lo) > 0);
	/* Tie: the lower id wins. */
	assert_true(rec_cmp_version(T0, lo, T0, hi) > 0);
	assert_true(rec_cmp_version(T0, hi, T0, lo) < 0);
	/* Same id. */
	assert_int_equal(rec_cmp_version(T0, lo, T0, lo), 0);
	/* The first byte decides before the last. */
	lo[0] = 0x00;
	hi[0] = 0x20;
	hi[31] = 0x00;
	assert_true(rec_cmp_version(T0, lo, T0, hi) > 0);
}

static void
test_cmp_state(void **state)
{
	uint8_t lo[REC_ID_LEN], hi[REC_ID_LEN];

	(void)state;
	memset(lo, 0x00, sizeof(lo));
	memset(hi, 0xff, sizeof(hi));
	/* A withdrawal beats a listing of the same instant, even a lower id. */
	assert_true(rec_cmp_state(REC_WITHDRAWAL, T0, hi, REC_LISTING, T0,
	    lo) > 0);
	assert_true(rec_cmp_state(REC_LISTING, T0, lo, REC_WITHDRAWAL, T0,
	    hi) < 0);
	/* ... and every older listing. */
	assert_true(rec_cmp_state(REC_WITHDRAWAL, T0, hi, REC_LISTING,
	    T0 - 1, lo) > 0);
	/* A strictly newer listing revives the address. */
	assert_true(rec_cmp_state(REC_LISTING, T0 + 1, hi, REC_WITHDRAWAL,
	    T0, lo) > 0);
	/* Same kind: as rec_cmp_version. */
	assert_true(rec_cmp_state(REC_WITHDRAWAL, T0, lo, REC_WITHDRAWAL, T0,
	    hi) > 0);
	assert_true(rec_cmp_state(REC_LISTING, T0, hi, REC_LISTING, T0,
	    lo) < 0);
	assert_int_equal(rec_cmp_state(REC_LISTING, T0, lo, REC_LISTING, T0,
	    lo), 0);
}

static void
test_check_time(void **state)
{
	struct rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.created_at = T0;
	r.expires_at = T0 + 10 * DAY;
	assert_int_equal(rec_check_time(&r, T0), 0);
	assert_int_equal(rec_check_time(&r, r.expires_at - 1), 0);
	assert_int_equal(rec_check_time(&r, r.expires_at), MENTOR_EEXPIRED);
	assert_int_equal(rec_check_time(&r, UINT64_MAX), MENTOR_EEXPIRED);

	/* Future limit: now + 300000 is fine, one ms more is not. */
	assert_int_equal(rec_check_time(&r, T0 - REC_FUTURE_MS), 0);
	assert_int_equal(rec_check_time(&r, T0 - REC_FUTURE_MS - 1),
	    MENTOR_EFUTURE);
	assert_int_equal(rec_check_time(&r, 0), MENTOR_EFUTURE);

	/* Lifetime: 400 days exactly is fine. */
	r.expires_at = T0 + REC_MAX_LIFE_MS;
	assert_int_equal(rec_check_time(&r, T0), 0);
	r.expires_at++;
	assert_int_equal(rec_check_time(&r, T0), MENTOR_EINVAL);
	/* ... also when the clock says expired: it is never valid. */
	assert_int_equal(rec_check_time(&r, UINT64_MAX), MENTOR_EINVAL);

	/* Expiry more than 400 days after now (created slightly ahead). */
	r.created_at = T0 + 1000;
	r.expires_at = T0 + 1000 + REC_MAX_LIFE_MS;
	assert_int_equal(rec_check_time(&r, T0 + 1000), 0);
	assert_int_equal(rec_check_time(&r, T0), MENTOR_EINVAL);

	/* Extremes do not wrap. */
	r.created_at = UINT64_MAX - 1;
	r.expires_at = UINT64_MAX;
	assert_int_equal(rec_check_time(&r, 0), MENTOR_EFUTURE);
	assert_int_equal(rec_check_time(&r, UINT64_MAX - 2), 0);
	r.created_at = 0;
	r.expires_at = 1;
	assert_int_equal(rec_check_time(&r, 0), 0);
	assert_int_equal(rec_check_time(&r, 1), MENTOR_EEXPIRED);
}

static void
test_kind_names(void **state)
{
	unsigned k;

	(void)state;
	for (k = REC_LISTING; k <= REC_ROTATION; k++)
		assert_int_equal(rec_kind_parse(rec_kind_name(k)), (int)k);
	assert_string_equal(rec_kind_name(REC_LISTING), "listing");
	assert_string_equal(rec_kind_name(REC_WITHDRAWAL), "withdrawal");
	assert_string_equal(rec_kind_name(REC_NODE), "node");
	assert_string_equal(rec_kind_name(REC_CERTIFICATE), "certificate");
	assert_string_equal(rec_kind_name(REC_APPLICATION), "application");
	assert_string_equal(rec_kind_name(REC_ANSWER), "answer");
	assert_int_equal(REC_APPLICATION, 5);
	assert_int_equal(REC_ANSWER, 6);
	assert_string_equal(rec_kind_name(REC_PLACEMENT), "placement");
	assert_int_equal(REC_PLACEMENT, 7);
	assert_string_equal(rec_kind_name(REC_ROTATION), "rotation");
	assert_int_equal(REC_ROTATION, 8);
	assert_null(rec_kind_name(0));
	assert_null(rec_kind_name(9));
	assert_null(rec_kind_name(255));
	assert_int_equal(rec_kind_parse("answers"), MENTOR_EINVAL);
	assert_int_equal(rec_kind_parse("Listing"), MENTOR_EINVAL);
	assert_int_equal(rec_kind_parse(""), MENTOR_EINVAL);
	assert_int_equal(rec_kind_parse(NULL), MENTOR_EINVAL);
}

static void
test_addr(void **state)
{
	uint8_t a1[REC_ADDR_LEN], a2[REC_ADDR_LEN], cat[32 + 6];
	char hex[2 * REC_ADDR_LEN + 1];

	(void)state;
	rec_addr(a1, pk, "weld-1", 6);
	memcpy(cat, pk, 32);
	memcpy(cat + 32, "weld-1", 6);
	crypto_generichash(a2, sizeof(a2), cat, sizeof(cat), NULL, 0);
	assert_memory_equal(a1, a2, REC_ADDR_LEN);
	hex_encode(hex, a1, sizeof(a1));
	assert_int_equal(strlen(hex), 32);
	rec_addr(a2, pk, "weld-2", 6);
	assert_memory_not_equal(a1, a2, REC_ADDR_LEN);
	rec_addr(a2, pk2, "weld-1", 6);
	assert_memory_not_equal(a1, a2, REC_ADDR_LEN);
}

static void
test_xs_header(void **state)
{
	uint8_t h[XS_HDR_LEN + 1];
	size_t i;

	(void)state;
	xs_header_write(h);
	assert_memory_equal(h, "MNTX\x01", 5);
	assert_int_equal(xs_header_check(h, XS_HDR_LEN), 0);
	/* Trailing bytes are frames, not the header's business. */
	assert_int_equal(xs_header_check(h, XS_HDR_LEN + 1), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(xs_header_check(h, i), MENTOR_ETRUNC);
	assert_int_equal(xs_header_check(h, 4), MENTOR_ETRUNC);
	h[4] = 2;
	assert_int_equal(xs_header_check(h, 5), MENTOR_EVERSION);
	h[4] = 0;
	assert_int_equal(xs_header_check(h, 5), MENTOR_EVERSION);
	h[4] = 1;
	h[3] = 'x';
	assert_int_equal(xs_header_check(h, 5), MENTOR_EINVAL);
	assert_int_equal(xs_header_check(h, 4), MENTOR_EINVAL);
	assert_int_equal(xs_header_check((const uint8_t *)"MR\x01\x01\0", 5),
	    MENTOR_EINVAL);
}

static void
test_xs_next(void **state)
{
	const uint8_t *rec;
	struct rec r;
	size_t off, len, reclen, n1, n2, cut;
	int got;

	(void)state;
	xs_header_write(buf);
	len = XS_HDR_LEN;
	n1 = mk(buf + len + 4, REC_LISTING, "a", "{}");
	xs_frame_write(buf + len, n1);
	len += 4 + n1;
	n2 = mk(buf + len + 4, REC_WITHDRAWAL, "a", "");
	xs_frame_write(buf + len, n2);
	len += 4 + n2;

	assert_int_equal(xs_header_check(buf, len), 0);
	off = XS_HDR_LEN;
	got = 0;
	while (xs_next(buf, len, &off, &rec, &reclen) == 1) {
		assert_int_equal(rec_open(&r, rec, reclen, T0), 0);
		got++;
	}
	assert_int_equal(got, 2);
	assert_int_equal(off, len);
	assert_int_equal(xs_next(buf, len, &off, &rec, &reclen), 0);
	/* An empty stream: the header alone. */
	off = XS_HDR_LEN;
	assert_int_equal(xs_next(buf, XS_HDR_LEN, &off, &rec, &reclen), 0);

	/* Cut anywhere inside the second frame: ETRUNC, off unchanged. */
	for (cut = 1; cut < 4 + n2; cut++) {
		off = XS_HDR_LEN + 4 + n1;
		assert_int_equal(xs_next(buf, len - cut, &off, &rec, &reclen),
		    MENTOR_ETRUNC);
		assert_int_equal(off, XS_HDR_LEN + 4 + n1);
	}

	/* Zero length and over-long length frames. */
	off = XS_HDR_LEN;
	put_be32(buf + off, 0);
	assert_int_equal(xs_next(buf, len, &off, &rec, &reclen),
	    MENTOR_EINVAL);
	assert_int_equal(off, XS_HDR_LEN);
	put_be32(buf + off, REC_MAX_SIZE + 1);
	assert_int_equal(xs_next(buf, len, &off, &rec, &reclen),
	    MENTOR_ETOOBIG);
	put_be32(buf + off, UINT32_MAX);
	assert_int_equal(xs_next(buf, len, &off, &rec, &reclen),
	    MENTOR_ETOOBIG);
	/* The biggest frame is fine when its bytes are there. */
	put_be32(buf + off, REC_MAX_SIZE);
	assert_int_equal(xs_next(buf, off + 4 + REC_MAX_SIZE, &off, &rec,
	    &reclen), 1);
	assert_int_equal(reclen, REC_MAX_SIZE);
	assert_int_equal(off, XS_HDR_LEN + 4 + REC_MAX_SIZE);
	off = XS_HDR_LEN;
	assert_int_equal(xs_next(buf, off + 3 + REC_MAX_SIZE, &off, &rec,
	    &reclen), MENTOR_ETRUNC);

	/* An offset past the end is a caller error. */
	off = 10;
	assert_int_equal(xs_next(buf, 9, &off, &rec, &reclen), MENTOR_EINVAL);
}

/* The vectors: every one replayed through rec_open at its `now`. */
struct vec {
	char		name[80];
	uint64_t	now;
	size_t		len;
	char		id[80];
	char		addr[80];
	char		verdict[32];
	char		why[160];
	int		bad_body, have_hex, have_now;
};

/*
 * strict_check: the vectors of SPEC.md 1.5 fail only for the strict rules:
 * sig-noncanonical-s verifies once S is reduced modulo L (what a lenient
 * verifier does), and the key of sig-small-order-key is of small order.
 */
static void
strict_check(const struct vec *v)
{
	uint8_t t[REC_MAX_SIZE], wide[64];
	struct rec r;

	if (strcmp(v->name, "sig-noncanonical-s") == 0) {
		memcpy(t, buf, v->len);
		memset(wide, 0, sizeof(wide));
		memcpy(wide, t + v->len - 32, 32);
		assert_true(t[v->len - 1] >= 0x10);	/* S >= 2^252 */
		crypto_core_ed25519_scalar_reduce(t + v->len - 32, wide);
		assert_int_equal(rec_open(&r, t, v->len, v->now), 0);
	} else if (strcmp(v->name, "sig-small-order-key") == 0) {
		assert_int_equal(rec_decode(&r, buf, v->len), 0);
		assert_int_equal(crypto_core_ed25519_is_valid_point(r.author),
		    0);
		assert_true(sodium_is_zero(r.sig + 32, 32));
	}
}

static void
vec_check(const struct vec *v)
{
	uint8_t id[REC_ID_LEN], addr[REC_ADDR_LEN];
	char hex[2 * REC_ID_LEN + 1];
	struct rec r;
	int rc;

	if (!v->have_hex || !v->have_now || v->verdict[0] == '\0' ||
	    v->id[0] == '\0')
		fail_msg("vector %s: missing field", v->name);
	rc = rec_open(&r, buf, v->len, v->now);
	if (strcmp(mentor_errname(rc), v->verdict) != 0)
		fail_msg("vector %s: rec_open gives %s, expected %s", v->name,
		    mentor_errname(rc), v->verdict);
	if (strcmp(v->id, "-") == 0) {
		if (rec_decode(&r, buf, v->len) == 0)
			fail_msg("vector %s: decodes but has no id", v->name);
	} else {
		assert_int_equal(rec_decode(&r, buf, v->len), 0);
		rec_id(id, buf, v->len);
		hex_encode(hex, id, sizeof(id));
		if (strcmp(hex, v->id) != 0)
			fail_msg("vector %s: id %s, expected %s", v->name, hex,
			    v->id);
	}
	if (v->addr[0] != '\0') {
		assert_int_equal(rec_decode(&r, buf, v->len), 0);
		rec_addr(addr, r.author, r.ref, r.ref_len);
		hex_encode(hex, addr, sizeof(addr));
		if (strcmp(hex, v->addr) != 0)
			fail_msg("vector %s: addr %s, expected %s", v->name,
			    hex, v->addr);
	}
	strict_check(v);
	if (rc != 0) {
		if (v->bad_body)
			fail_msg("vector %s: body: on a refused record",
			    v->name);
		return;
	}
	/* Past rec_open: the kind rules (SPEC.md 4.7 "body"). */
	{
		char why[BODY_ERR_MAX];

		rc = body_check(&r, why, sizeof(why));
		if (!v->bad_body && rc != 0)
			fail_msg("vector %s: body_check refuses it: %s",
			    v->name, why);
		if (v->bad_body && (rc != MENTOR_EINVAL || v->why[0] == '\0' ||
		    strncmp(why, v->why, strlen(v->why)) != 0))
			fail_msg("vector %s: body_check gives %s \"%s\", "
			    "expected EINVAL \"%s...\"", v->name,
			    mentor_errname(rc), why, v->why);
	}
}

static void
test_vectors(void **state)
{
	static const char *const must[] = {
		"valid-listing", "valid-withdrawal", "valid-node",
		"valid-certificate", "bad-sig-body", "bad-sig-signature",
		"truncated", "truncated-header", "oversize", "unknown-version",
		"bad-magic", "unknown-kind", "ref-len-0", "bad-ref-char",
		"expired", "future", "lifetime-over-400d", "listing-bad-json",
		"valid-application", "valid-answer", "application-wrong-ref",
		"sig-noncanonical-s", "sig-small-order-key",
		"body-competency-81", "body-competency-onet-letters-first",
		"body-description-empty", "body-title-tab",
		"body-description-multiline", "body-clusters-duplicate",
		"body-occupations-duplicate", "body-cluster-2024",
		"body-capacity-fraction", "body-capacity-exponent",
		"body-order-unknown-first", "body-order-table", "body-json-nul",
		"body-json-lone-surrogate", "body-json-depth-2048",
		"body-json-depth-2049", "withdrawal-long-ref",
		"node-curve-key-other",
	};
	char *line = NULL, *v, *end;
	size_t cap = 0, nvec = 0, i, nfound = 0, hexlen, nfill;
	unsigned fb;
	ssize_t got;
	struct vec cur;
	FILE *f;
	int inblock = 0, lineno = 0;
	char names[128][80];

	(void)state;
	if ((f = fopen(VECTORS, "r")) == NULL)
		fail_msg("cannot open %s (run from the repository root)",
		    VECTORS);
	memset(&cur, 0, sizeof(cur));
	for (;;) {
		got = getline(&line, &cap, f);
		lineno++;
		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		/* A blank line or the end of the file ends a block. */
		if (got <= 0) {
			if (inblock) {
				vec_check(&cur);
				if (nvec < 128)
					snprintf(names[nvec], 80, "%s",
					    cur.name);
				nvec++;
				memset(&cur, 0, sizeof(cur));
				inblock = 0;
			}
			if (got < 0)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		if ((v = strstr(line, ": ")) == NULL) {
			/* "hex:" with nothing after it: an empty input. */
			if (strcmp(line, "hex:") != 0)
				fail_msg("%s:%d: no ': '", VECTORS, lineno);
			v = line + 4;
		} else {
			*v = '\0';
			v += 2;
		}
		inblock = 1;
		if (strcmp(line, "name") == 0)
			snprintf(cur.name, sizeof(cur.name), "%s", v);
		else if (strcmp(line, "now") == 0) {
			cur.now = strtoull(v, &end, 10);
			assert_true(*end == '\0' && end != v);
			cur.have_now = 1;
		} else if (strcmp(line, "hex") == 0) {
			hexlen = strlen(v);
			assert_true(hexlen % 2 == 0);
			assert_true(hexlen / 2 <= sizeof(buf));
			assert_int_equal(hex_decode(buf, hexlen / 2, v), 0);
			cur.len = hexlen / 2;
			cur.have_hex = 1;
		} else if (strcmp(line, "fill") == 0) {
			assert_true(cur.have_hex);
			assert_int_equal(sscanf(v, "%2x %zu", &fb, &nfill), 2);
			assert_true(nfill <= sizeof(buf) - cur.len);
			memset(buf + cur.len, (int)fb, nfill);
			cur.len += nfill;
		} else if (strcmp(line, "id") == 0)
			snprintf(cur.id, sizeof(cur.id), "%s", v);
		else if (strcmp(line, "addr") == 0)
			snprintf(cur.addr, sizeof(cur.addr), "%s", v);
		else if (strcmp(line, "verdict") == 0)
			snprintf(cur.verdict, sizeof(cur.verdict), "%s", v);
		else if (strcmp(line, "body") == 0)
			cur.bad_body = strcmp(v, "bad") == 0;
		else if (strcmp(line, "why") == 0)
			snprintf(cur.why, sizeof(cur.why), "%s", v);
		else
			fail_msg("%s:%d: unknown field %s", VECTORS, lineno,
			    line);
	}
	free(line);
	fclose(f);
	assert_true(nvec >= 60 && nvec <= 128);
	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		size_t j;

		for (j = 0; j < nvec; j++)
			if (strcmp(names[j], must[i]) == 0)
				break;
		if (j == nvec)
			fail_msg("vector %s missing", must[i]);
		nfound++;
	}
	assert_int_equal(nfound, sizeof(must) / sizeof(must[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_application_kinds),
		cmocka_unit_test(test_ref_rules),
		cmocka_unit_test(test_ref_charset),
		cmocka_unit_test(test_ref_bounds),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_bitflips),
		cmocka_unit_test(test_open_order),
		cmocka_unit_test(test_cmp_version),
		cmocka_unit_test(test_cmp_state),
		cmocka_unit_test(test_check_time),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_xs_header),
		cmocka_unit_test(test_xs_next),
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
