/*
 * test_recon.c: unit tests for protocol/recon.c through recon.h: the set
 * against a brute-force model, whole reconciliations against the true set
 * differences, malformed messages, and a replay of tests/vectors/recon.txt
 * (run with cwd = the repository root).
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

#include "mentor.h"
#include "recon.h"
#include "util.h"

#define VECTORS	"tests/vectors/recon.txt"
#define T0	1796000000000ULL
#define YEAR	31536000000ULL

struct it {
	uint64_t	ts;
	uint8_t		id[32];
};

static uint64_t rng;

/* rnd: splitmix64, so that every run sees the same sets. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rnd_id(uint8_t id[32])
{
	uint64_t v;
	int i;

	for (i = 0; i < 4; i++) {
		v = rnd();
		memcpy(id + 8 * i, &v, 8);
	}
}

static int
it_cmp(const void *a, const void *b)
{
	const struct it *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return memcmp(x->id, y->id, 32);
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/*
 * brute_fp: the fingerprint of SPEC.md 11.3 computed from scratch: a
 * byte-wise little-endian sum with carry, the count as a varint, SHA-256.
 */
static void
brute_fp(const struct it *v, size_t n, uint8_t fp[RECON_FP_LEN])
{
	uint8_t buf[42], dig[10], h[32];
	unsigned t, carry;
	size_t i, k, nd = 0;
	uint64_t c = n;
	int b;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < n; i++) {
		carry = 0;
		for (b = 0; b < 32; b++) {
			t = buf[b] + v[i].id[b] + carry;
			buf[b] = (uint8_t)t;
			carry = t >> 8;
		}
	}
	do {
		dig[nd++] = c & 0x7f;
		c >>= 7;
	} while (c);
	for (k = 0; k < nd; k++)
		buf[32 + k] = dig[nd - 1 - k] | (k + 1 < nd ? 0x80 : 0);
	crypto_hash_sha256(h, buf, 32 + nd);
	memcpy(fp, h, RECON_FP_LEN);
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* ---- the set ---- */

static void
test_rset_basic(void **state)
{
	struct rset *s;
	uint8_t a[32], b[32], fp[16], bfp[16], id[32];
	struct it v[2];
	uint64_t ts;

	(void)state;
	rset_free(NULL);
	assert_non_null(s = rset_new());
	assert_int_equal(rset_count(s), 0);
	assert_true(rset_memory(s) > 0);
	assert_int_equal(rset_fingerprint(s, 0, 0, fp), 0);
	brute_fp(NULL, 0, bfp);
	assert_memory_equal(fp, bfp, 16);
	assert_int_equal(rset_fingerprint(s, 0, 1, fp), MENTOR_EINVAL);
	assert_int_equal(rset_at(s, 0, &ts, id), MENTOR_ENOTFOUND);

	memset(a, 0x11, 32);
	memset(b, 0x22, 32);
	assert_int_equal(rset_add(s, T0, a), 0);
	assert_int_equal(rset_add(s, T0, a), MENTOR_EEXIST);
	assert_int_equal(rset_add(s, T0 + 1, a), 0);	/* another ts */
	assert_int_equal(rset_add(s, T0, b), 0);
	assert_int_equal(rset_add(s, UINT64_MAX, b), MENTOR_EINVAL);
	assert_int_equal(rset_count(s), 3);
	assert_int_equal(rset_check(s), 0);

	assert_int_equal(rset_at(s, 1, &ts, id), 0);
	assert_true(ts == T0);
	assert_memory_equal(id, b, 32);
	assert_int_equal(rset_rank(s, T0, b), 1);
	assert_int_equal(rset_rank(s, T0 + 1, b), 3);
	assert_int_equal(rset_rank(s, 0, a), 0);

	assert_int_equal(rset_del(s, T0 + 2, a), MENTOR_ENOTFOUND);
	assert_int_equal(rset_del(s, UINT64_MAX, a), MENTOR_ENOTFOUND);
	assert_int_equal(rset_del(s, T0 + 1, a), 0);
	assert_int_equal(rset_del(s, T0 + 1, a), MENTOR_ENOTFOUND);
	assert_int_equal(rset_count(s), 2);

	v[0].ts = T0;
	memcpy(v[0].id, a, 32);
	v[1].ts = T0;
	memcpy(v[1].id, b, 32);
	assert_int_equal(rset_fingerprint(s, 0, 2, fp), 0);
	brute_fp(v, 2, bfp);
	assert_memory_equal(fp, bfp, 16);
	assert_int_equal(rset_fingerprint(s, 1, 2, fp), 0);
	brute_fp(v + 1, 1, bfp);
	assert_memory_equal(fp, bfp, 16);
	assert_int_equal(rset_fingerprint(s, 2, 1, fp), MENTOR_EINVAL);
	assert_int_equal(rset_check(s), 0);
	rset_free(s);
}

/*
 * check_model: the set against the sorted model: invariants, count, items
 * at random ranks, ranks of random keys, and fingerprints of random ranges
 * (short, long and whole) against brute_fp.
 */
static void
check_model(const struct rset *s, struct it *m, size_t n)
{
	uint8_t fp[16], bfp[16], id[32];
	uint64_t ts;
	size_t i, lo, hi, r, want;
	struct it key;

	qsort(m, n, sizeof(*m), it_cmp);
	assert_int_equal(rset_check(s), 0);
	assert_int_equal(rset_count(s), n);
	assert_int_equal(rset_fingerprint(s, 0, n, fp), 0);
	brute_fp(m, n, bfp);
	assert_memory_equal(fp, bfp, 16);
	for (i = 0; i < 12 && n > 0; i++) {
		lo = rnd() % (n + 1);
		if (i % 3 == 0)
			hi = lo + rnd() % 40;
		else
			hi = lo + rnd() % (n - lo + 1);
		if (hi > n)
			hi = n;
		assert_int_equal(rset_fingerprint(s, lo, hi, fp), 0);
		brute_fp(m + lo, hi - lo, bfp);
		assert_memory_equal(fp, bfp, 16);

		r = rnd() % n;
		assert_int_equal(rset_at(s, r, &ts, id), 0);
		assert_true(ts == m[r].ts);
		assert_memory_equal(id, m[r].id, 32);

		key = m[rnd() % n];
		key.id[31] ^= 1;
		want = 0;
		for (hi = n; want < hi;) {
			lo = want + (hi - want) / 2;
			if (it_cmp(&m[lo], &key) < 0)
				want = lo + 1;
			else
				hi = lo;
		}
		assert_int_equal(rset_rank(s, key.ts, key.id), want);
	}
}

/*
 * Random adds and deletes against an unsorted model array, with a small
 * pool of timestamps for part of the items (equal ts, ordered by id), up
 * to 40,000 items (two inner levels) and back down to none: leaf and node
 * splits, merges, refills and root collapses.
 */
static void
test_rset_random(void **state)
{
	struct rset *s;
	struct it *m, x;
	size_t n = 0, cap = 50000, op, k;
	uint64_t pool[8];

	(void)state;
	rng = 1;
	for (k = 0; k < 8; k++)
		pool[k] = T0 + rnd() % YEAR;
	assert_non_null(m = malloc(cap * sizeof(*m)));
	assert_non_null(s = rset_new());
	for (op = 1; op <= 60000; op++) {
		if (rnd() % 100 < 85 && n < cap) {
			x.ts = rnd() % 10 < 3 ? pool[rnd() % 8] :
			    T0 + rnd() % YEAR;
			rnd_id(x.id);
			assert_int_equal(rset_add(s, x.ts, x.id), 0);
			m[n++] = x;
		} else if (n > 0) {
			k = rnd() % n;
			assert_int_equal(rset_del(s, m[k].ts, m[k].id), 0);
			assert_int_equal(rset_del(s, m[k].ts, m[k].id),
			    MENTOR_ENOTFOUND);
			m[k] = m[--n];
		}
		if (n > 0 && op % 97 == 0) {
			k = rnd() % n;
			assert_int_equal(rset_add(s, m[k].ts, m[k].id),
			    MENTOR_EEXIST);
		}
		if (op % 3000 == 0)
			check_model(s, m, n);
	}
	while (n > 0) {
		k = rnd() % n;
		assert_int_equal(rset_del(s, m[k].ts, m[k].id), 0);
		m[k] = m[--n];
		if (n % 2500 == 0 || n < 5)
			check_model(s, m, n);
	}
	assert_int_equal(rset_count(s), 0);
	for (k = 0; k < 1000; k++) {
		m[k].ts = T0 + k;
		rnd_id(m[k].id);
		assert_int_equal(rset_add(s, m[k].ts, m[k].id), 0);
	}
	check_model(s, m, 1000);
	rset_free(s);
	free(m);
}

/*
 * A sorted load packs the set densely; a descending one and deletes of
 * every other item afterwards keep it consistent.
 */
static void
test_rset_sorted(void **state)
{
	struct rset *s;
	struct it *m;
	size_t n = 200000, i, j;

	(void)state;
	rng = 2;
	assert_non_null(m = malloc(n * sizeof(*m)));
	for (i = 0; i < n; i++) {
		m[i].ts = T0 + rnd() % YEAR;
		rnd_id(m[i].id);
	}
	qsort(m, n, sizeof(*m), it_cmp);
	assert_non_null(s = rset_new());
	for (i = 0; i < n; i++)
		assert_int_equal(rset_add(s, m[i].ts, m[i].id), 0);
	/* 40 bytes an item, and a little for the inner nodes. */
	assert_true(rset_memory(s) < n * 41 + 65536);
	check_model(s, m, n);
	for (i = 0, j = 0; i < n; i++) {
		if (i % 2)
			assert_int_equal(rset_del(s, m[i].ts, m[i].id), 0);
		else
			m[j++] = m[i];
	}
	check_model(s, m, j);
	rset_free(s);

	assert_non_null(s = rset_new());
	for (i = j; i-- > 0;)
		assert_int_equal(rset_add(s, m[i].ts, m[i].id), 0);
	check_model(s, m, j);
	rset_free(s);
	free(m);
}

/* ---- reconciliation ---- */

struct pair {
	struct rset	*a, *b;
	uint8_t		(*aonly)[32], (*bonly)[32];
	size_t		 na, nb;
};

/*
 * pair_make: common items on both sides and na, nb on one side only.
 * Flavour 0: ts spread over a year, random ids.  Flavour 1: three
 * timestamps and ids that share 30 bytes (long bound prefixes).
 */
static void
pair_make(struct pair *p, size_t common, size_t na, size_t nb, int flavour)
{
	size_t n = common + na + nb, i;
	struct it x;

	memset(p, 0, sizeof(*p));
	assert_non_null(p->a = rset_new());
	assert_non_null(p->b = rset_new());
	assert_non_null(p->aonly = malloc((na + 1) * 32));
	assert_non_null(p->bonly = malloc((nb + 1) * 32));
	for (i = 0; i < n; i++) {
		if (flavour == 0) {
			x.ts = T0 + rnd() % YEAR;
			rnd_id(x.id);
		} else {
			x.ts = T0 + rnd() % 3;
			memset(x.id, 0x5c, 30);
			x.id[30] = (uint8_t)(i >> 8);
			x.id[31] = (uint8_t)i;
		}
		if (i < common) {
			assert_int_equal(rset_add(p->a, x.ts, x.id), 0);
			assert_int_equal(rset_add(p->b, x.ts, x.id), 0);
		} else if (i < common + na) {
			assert_int_equal(rset_add(p->a, x.ts, x.id), 0);
			memcpy(p->aonly[p->na++], x.id, 32);
		} else {
			assert_int_equal(rset_add(p->b, x.ts, x.id), 0);
			memcpy(p->bonly[p->nb++], x.id, 32);
		}
	}
	qsort(p->aonly, p->na, 32, id_cmp);
	qsort(p->bonly, p->nb, 32, id_cmp);
}

static void
pair_free(struct pair *p)
{
	rset_free(p->a);
	rset_free(p->b);
	free(p->aonly);
	free(p->bonly);
}

/* same_ids: the n ids equal the sorted list want, as sets. */
static void
same_ids(const uint8_t (*got)[32], size_t n, uint8_t (*want)[32],
    size_t nwant)
{
	uint8_t (*v)[32];

	assert_int_equal(n, nwant);
	if (n == 0)
		return;
	assert_non_null(v = malloc(n * 32));
	memcpy(v, got, n * 32);
	qsort(v, n, 32, id_cmp);
	assert_memory_equal(v, want, n * 32);
	free(v);
}

/*
 * reconcile: a whole session from a's side against b with both frame
 * limits at frame; every message within it; have and need exactly the
 * differences.  Returns the rounds.
 */
static unsigned
reconcile(struct pair *p, size_t frame)
{
	struct recon *r;
	const uint8_t (*ids)[32];
	uint8_t *m, *rep;
	size_t ml, rl, lim = frame ? frame : RECON_FRAME_DEFAULT;
	size_t sent = 0, recv = 0, s2, r2, n;
	unsigned rounds, k = 0;

	assert_int_equal(recon_new(&r, p->a, frame), 0);
	assert_int_equal(recon_initiate(r, &m, &ml), 0);
	assert_non_null(m);
	while (m != NULL) {
		assert_true(ml <= lim);
		sent += ml;
		assert_int_equal(recon_respond(p->b, frame, m, ml, &rep, &rl),
		    0);
		free(m);
		assert_true(rl >= 1 && rl <= lim);
		recv += rl;
		assert_int_equal(recon_step(r, rep, rl, &m, &ml), 0);
		free(rep);
		assert_true(++k < 100000);
	}
	assert_int_equal(ml, 0);
	assert_true(recon_done(r));
	recon_stats(r, &rounds, &s2, &r2);
	assert_int_equal(rounds, k);
	assert_int_equal(s2, sent);
	assert_int_equal(r2, recv);
	n = recon_have(r, &ids);
	same_ids(ids, n, p->aonly, p->na);
	n = recon_need(r, &ids);
	same_ids(ids, n, p->bonly, p->nb);
	recon_free(r);
	return rounds;
}

static void
test_recon_cases(void **state)
{
	static const struct {
		size_t common, na, nb;
		int flavour;
		unsigned maxrounds;
	} cs[] = {
		{ 0, 0, 0, 0, 1 },		/* both empty */
		{ 1000, 0, 0, 0, 1 },		/* identical */
		{ 1, 0, 0, 0, 1 },
		{ 0, 300, 400, 0, 3 },		/* disjoint */
		{ 0, 500, 0, 0, 2 },		/* responder empty */
		{ 0, 0, 500, 0, 2 },		/* initiator empty */
		{ 0, 0, 20000, 0, 3 },
		{ 0, 20000, 0, 0, 2 },
		{ 2000, 0, 50, 0, 4 },		/* subset */
		{ 2000, 50, 0, 0, 4 },		/* superset */
		{ 5000, 1, 0, 0, 4 },
		{ 5000, 0, 1, 0, 4 },
		{ 1, 1, 1, 0, 2 },
		{ 16, 1, 0, 0, 2 },
		{ 17, 0, 1, 0, 3 },
		{ 20000, 100, 100, 1, 5 },	/* equal ts, long prefixes */
		{ 30000, 3000, 3000, 1, 8 },
		{ 50000, 50, 50, 0, 4 },
		{ 48000, 1000, 1000, 0, 5 },
	};
	struct pair p;
	unsigned rounds;
	size_t i;

	(void)state;
	rng = 3;
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		pair_make(&p, cs[i].common, cs[i].na, cs[i].nb,
		    cs[i].flavour);
		rounds = reconcile(&p, 0);
		if (rounds > cs[i].maxrounds)
			fail_msg("case %zu: %u rounds", i, rounds);
		pair_free(&p);
	}
}

/* Random sizes from 0 to 50,000 and random overlaps. */
static void
test_recon_random(void **state)
{
	struct pair p;
	size_t i, common, na, nb;

	(void)state;
	rng = 4;
	for (i = 0; i < 24; i++) {
		common = rnd() % (i < 12 ? 300 : 40000);
		na = rnd() % 4 == 0 ? 0 : rnd() % (1 + common / 4 + 20);
		nb = rnd() % 4 == 0 ? 0 : rnd() % (1 + common / 4 + 20);
		pair_make(&p, common, na, nb, (int)(i % 3 == 2));
		reconcile(&p, 0);
		pair_free(&p);
	}
}

/* The smallest frames still converge, in more rounds. */
static void
test_recon_small_frame(void **state)
{
	struct pair p;
	unsigned big, small;

	(void)state;
	rng = 5;
	pair_make(&p, 20000, 300, 300, 0);
	big = reconcile(&p, 0);
	small = reconcile(&p, RECON_FRAME_MIN);
	assert_true(small > big);
	assert_true(reconcile(&p, 4096) <= small);
	pair_free(&p);

	pair_make(&p, 0, 0, 5000, 0);		/* Diffs too big: splits */
	reconcile(&p, RECON_FRAME_MIN);
	pair_free(&p);
	pair_make(&p, 0, 5000, 0, 0);
	reconcile(&p, RECON_FRAME_MIN);
	pair_free(&p);
	pair_make(&p, 3000, 400, 400, 1);
	reconcile(&p, RECON_FRAME_MIN);
	pair_free(&p);
}

/*
 * Random pairs at random small frames: answers withdrawn at the frame
 * limit, deferred runs, and the fallback to one Fingerprint.
 */
static void
test_recon_frames_random(void **state)
{
	struct pair p;
	size_t i, common, na, nb, frame;

	(void)state;
	rng = 10;
	for (i = 0; i < 16; i++) {
		common = rnd() % 20000;
		na = rnd() % (1 + common / 8 + 50);
		nb = rnd() % (1 + common / 8 + 50);
		frame = RECON_FRAME_MIN + rnd() % 16384;
		pair_make(&p, common, na, nb, (int)(i % 4 == 3));
		reconcile(&p, frame);
		pair_free(&p);
	}
}

/* ---- malformed input ---- */

/* msg: hex to bytes in buf; returns the length. */
static size_t
msg(uint8_t *buf, const char *hex)
{
	size_t n = strlen(hex) / 2;

	assert_int_equal(hex_decode(buf, n, hex), 0);
	return n;
}

static size_t
put_varint(uint8_t *p, uint64_t v)
{
	uint8_t d[10];
	size_t n = 0, i;

	do {
		d[n++] = v & 0x7f;
		v >>= 7;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = d[n - 1 - i] | (i + 1 < n ? 0x80 : 0);
	return n;
}

static void
expect_respond(const struct rset *s, const uint8_t *in, size_t n, int want)
{
	uint8_t *out = (uint8_t *)1;
	size_t outlen = 1;

	assert_int_equal(recon_respond(s, 0, in, n, &out, &outlen), want);
	if (want != 0) {
		assert_null(out);
		assert_int_equal(outlen, 0);
	} else {
		assert_non_null(out);
		free(out);
	}
}

static struct rset *
small_set(size_t n)
{
	struct rset *s;
	uint8_t id[32];
	size_t i;

	assert_non_null(s = rset_new());
	for (i = 0; i < n; i++) {
		rnd_id(id);
		assert_int_equal(rset_add(s, T0 + i * 1000, id), 0);
	}
	return s;
}

static void
test_respond_bad(void **state)
{
	static const struct {
		const char *hex;
		int want;
	} cs[] = {
		{ "", MENTOR_EPROTO },
		{ "61", MENTOR_EVERSION },
		{ "6e000001", MENTOR_EVERSION },
		{ "6d", 0 },				/* no ranges */
		{ "6d000000", 0 },			/* Skip to infinity */
		{ "6d00", MENTOR_EPROTO },
		{ "6d0000", MENTOR_EPROTO },
		{ "6d00000100", MENTOR_EPROTO },	/* short fingerprint */
		{ "6d000004", MENTOR_EPROTO },		/* unknown mode */
		{ "6d000003000000", MENTOR_EPROTO },	/* a Diff */
		{ "6d80010000", MENTOR_EPROTO },	/* varint not minimal */
		{ "6dffffffffffffffffffff010000", MENTOR_EPROTO }, /* > 64 bits */
		{ "6d010000", MENTOR_EPROTO },		/* bound (0, ""): empty */
		{ "6d000100", MENTOR_EPROTO },		/* infinity + prefix */
		{ "6d000000000000", MENTOR_EPROTO },	/* after infinity */
		{ "6d876901050001010300", MENTOR_EPROTO }, /* decreasing */
		{ "6d876901050001010500", MENTOR_EPROTO }, /* equal */
		{ "6d8769010500010000", MENTOR_EPROTO }, /* below, no prefix */
		{ "6d87690105000102050300000000", 0 },	/* increasing, Skips */
		{ "6d876901", MENTOR_EPROTO },		/* prefix cut */
		{ "6d000002a08080808000", MENTOR_EPROTO }, /* 2^40 ids */
		{ "6d000002ffffffffffffffffff7f", MENTOR_EPROTO },
		{ "6d00000201", MENTOR_EPROTO },	/* 1 id, no bytes */
	};
	uint8_t buf[600], *out;
	size_t i, n, outlen;
	struct rset *s;

	(void)state;
	rng = 6;
	s = small_set(300);
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		n = msg(buf, cs[i].hex);
		if (recon_respond(s, 0, buf, n, &out, &outlen) != cs[i].want)
			fail_msg("case %zu (%s)", i, cs[i].hex);
		if (cs[i].want == 0)
			free(out);
		else
			assert_null(out);
	}

	/* Id prefixes: 32 bytes at most. */
	n = msg(buf, "6d0121");
	memset(buf + n, 0xaa, 33);
	n += 33;
	buf[n++] = 0;
	expect_respond(s, buf, n, MENTOR_EPROTO);
	buf[2] = 0x20;
	expect_respond(s, buf, n, MENTOR_EPROTO); /* mode 0xaa 0x00 */
	buf[35] = 0;
	expect_respond(s, buf, n - 1, 0);	/* 32 bytes, then Skip */
	expect_respond(s, buf, n, MENTOR_EPROTO); /* then half a bound */

	/* Counts against the bytes there; trailing bytes. */
	n = msg(buf, "6d00000202");
	memset(buf + n, 0x42, 32);
	expect_respond(s, buf, n + 32, MENTOR_EPROTO);	/* 2 ids, 1 sent */
	buf[4] = 1;
	expect_respond(s, buf, n + 32, 0);
	buf[n + 32] = 0;
	expect_respond(s, buf, n + 33, MENTOR_EPROTO);
	n = msg(buf, "6d000001");
	memset(buf + n, 0, 16);
	expect_respond(s, buf, n + 16, 0);
	buf[n + 16] = 0xff;
	expect_respond(s, buf, n + 17, MENTOR_EPROTO);
	expect_respond(s, buf, n + 15, MENTOR_EPROTO);

	/* Timestamps: 2^64-2 is the largest, 2^64-1 overflows. */
	n = 1;
	buf[0] = RECON_VERSION;
	n += put_varint(buf + n, UINT64_MAX);	/* ts 2^64-2 */
	buf[n++] = 0;
	buf[n++] = 0;
	expect_respond(s, buf, n, 0);
	n += put_varint(buf + n, 2);		/* ts 2^64-1 */
	buf[n++] = 0;
	buf[n++] = 0;
	expect_respond(s, buf, n, MENTOR_EPROTO);

	/* Over the frame limit. */
	assert_int_equal(recon_respond(s, RECON_FRAME_MIN, buf,
	    RECON_FRAME_MIN + 1, &out, &outlen), MENTOR_ETOOBIG);
	assert_int_equal(recon_respond(s, RECON_FRAME_MIN - 1, buf, 1, &out,
	    &outlen), MENTOR_EINVAL);
	assert_null(out);
	rset_free(s);
}

/*
 * Every proper prefix of real messages either decodes (it ends between
 * ranges) or is refused; flipping bytes never crashes; an IdList for the
 * whole range against a large set is answered within the frame.
 */
static void
test_respond_fuzzish(void **state)
{
	struct pair p;
	struct recon *r;
	uint8_t *m, *rep, *m2, *out, *cp;
	size_t ml, rl, m2l, outlen, i, k;
	int e;

	(void)state;
	rng = 7;
	pair_make(&p, 3000, 40, 40, 0);
	assert_int_equal(recon_new(&r, p.a, 0), 0);
	assert_int_equal(recon_initiate(r, &m, &ml), 0);
	assert_int_equal(recon_respond(p.b, 0, m, ml, &rep, &rl), 0);
	assert_int_equal(recon_step(r, rep, rl, &m2, &m2l), 0);
	assert_non_null(m2);
	assert_non_null(cp = malloc(m2l));
	for (i = 0; i < m2l; i++) {
		e = recon_respond(p.b, 0, m2, i, &out, &outlen);
		assert_true(e == 0 || e == MENTOR_EPROTO);
		if (e == 0)
			free(out);
		assert_true(i > 0 || e == MENTOR_EPROTO);
	}
	assert_int_equal(recon_respond(p.b, 0, m2, m2l - 1, &out, &outlen),
	    MENTOR_EPROTO);
	for (k = 0; k < 2000; k++) {
		memcpy(cp, m2, m2l);
		cp[rnd() % m2l] ^= (uint8_t)(1 + rnd() % 255);
		e = recon_respond(p.b, 0, cp, m2l, &out, &outlen);
		if (e == 0)
			free(out);
	}
	free(cp);
	free(m);
	free(rep);
	free(m2);
	recon_free(r);
	pair_free(&p);

	/* An empty list for everything: more than a frame of Diff. */
	pair_make(&p, 0, 0, 30000, 0);
	{
		uint8_t in[] = { RECON_VERSION, 0, 0, RECON_IDLIST, 0 };

		assert_int_equal(recon_respond(p.b, RECON_FRAME_MIN, in,
		    sizeof(in), &out, &outlen), 0);
		assert_true(outlen <= RECON_FRAME_MIN);
		free(out);
		assert_int_equal(recon_respond(p.b, 0, in, sizeof(in), &out,
		    &outlen), 0);
		assert_true(outlen <= RECON_FRAME_DEFAULT);
		free(out);
	}
	pair_free(&p);
}

static void
test_step_bad(void **state)
{
	struct rset *s, *t;
	struct recon *r;
	const uint8_t (*ids)[32];
	uint8_t buf[64], *m, *rep;
	size_t n, ml, rl;

	(void)state;
	rng = 8;
	s = small_set(100);
	assert_int_equal(recon_new(&r, s, RECON_FRAME_MIN - 1), MENTOR_EINVAL);
	assert_null(r);
	assert_int_equal(recon_new(&r, s, 0), 0);
	n = msg(buf, "6d");
	assert_int_equal(recon_step(r, buf, n, &m, &ml), MENTOR_EINVAL);
	assert_int_equal(recon_initiate(r, &m, &ml), 0);
	free(m);
	assert_int_equal(recon_initiate(r, &m, &ml), MENTOR_EINVAL);
	assert_null(m);

	n = msg(buf, "61");
	assert_int_equal(recon_step(r, buf, n, &m, &ml), MENTOR_EVERSION);
	assert_int_equal(recon_step(r, buf, 0, &m, &ml), MENTOR_EPROTO);
	/* Diff: 0 ids, 5 bits, but we hold 100 items in the range. */
	n = msg(buf, "6d000003000500");
	assert_int_equal(recon_step(r, buf, n, &m, &ml), MENTOR_EPROTO);
	/* Unused bits set. */
	n = msg(buf, "6d0000030003ff");
	assert_int_equal(recon_step(r, buf, n, &m, &ml), MENTOR_EPROTO);
	/* An IdList that adds to have, then a bad Diff: nothing kept. */
	n = 1;
	buf[0] = RECON_VERSION;
	n += put_varint(buf + n, T0 + 50000 + 1);
	n += msg(buf + n, "0002000000030005");
	buf[n++] = 0;
	assert_int_equal(recon_step(r, buf, n, &m, &ml), MENTOR_EPROTO);
	assert_null(m);
	assert_int_equal(recon_have(r, &ids), 0);
	assert_int_equal(recon_need(r, &ids), 0);
	/* The same with a right Diff: 100 bits, none set. */
	n = 1;
	n += put_varint(buf + n, T0 + 50000 + 1);
	n += msg(buf + n, "000200000003003200000000000000");
	assert_int_equal(recon_step(r, buf, n, &m, &ml), 0);
	assert_null(m);
	assert_int_equal(ml, 0);
	assert_int_equal(recon_have(r, &ids), 50);
	assert_int_equal(recon_need(r, &ids), 0);
	assert_true(recon_done(r));
	n = msg(buf, "6d");
	assert_int_equal(recon_step(r, buf, n, &m, &ml), MENTOR_EINVAL);
	recon_stats(r, NULL, NULL, NULL);
	recon_free(r);
	recon_free(NULL);

	/* A reply over our frame limit. */
	t = small_set(20000);
	assert_int_equal(recon_new(&r, s, RECON_FRAME_MIN), 0);
	assert_int_equal(recon_initiate(r, &m, &ml), 0);
	assert_int_equal(recon_respond(t, 0, m, ml, &rep, &rl), 0);
	free(m);
	{
		uint8_t *big;

		assert_non_null(big = calloc(1, RECON_FRAME_MIN + 1));
		memcpy(big, rep, rl < RECON_FRAME_MIN ? rl : RECON_FRAME_MIN);
		assert_int_equal(recon_step(r, big, RECON_FRAME_MIN + 1, &m,
		    &ml), MENTOR_ETOOBIG);
		free(big);
	}
	free(rep);
	recon_free(r);
	rset_free(t);
	rset_free(s);
}

/* The responder keeps no state: the same message, the same reply. */
static void
test_stateless(void **state)
{
	struct pair p;
	uint8_t *m, *r1, *r2;
	size_t ml, l1, l2;
	struct recon *r;

	(void)state;
	rng = 9;
	pair_make(&p, 5000, 20, 20, 0);
	assert_int_equal(recon_new(&r, p.a, 0), 0);
	assert_int_equal(recon_initiate(r, &m, &ml), 0);
	assert_int_equal(recon_respond(p.b, 0, m, ml, &r1, &l1), 0);
	assert_int_equal(recon_respond(p.b, 0, m, ml, &r2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(r1, r2, l1);
	free(m);
	free(r1);
	free(r2);
	recon_free(r);
	pair_free(&p);
}

/* ---- vectors ---- */

struct vec {
	char		 name[64];
	struct rset	*a, *b;
	struct it	 ia[256], ib[256];
	size_t		 limit;		/* frame limit L; 0: the default */
	size_t		 na, nb;
	char		 afp[33], bfp[33];
	char		*msgs[16];	/* "i" and "r" lines, in order */
	char		 kinds[16];
	size_t		 nmsg;
	uint8_t		 have[64][32], need[64][32];
	size_t		 nhave, nneed;
};

static void
vec_reset(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->nmsg; i++)
		free(v->msgs[i]);
	rset_free(v->a);
	rset_free(v->b);
	memset(v, 0, sizeof(*v));
	assert_non_null(v->a = rset_new());
	assert_non_null(v->b = rset_new());
}

static void
vec_check_fp(const char *hex, struct rset *s, struct it *items, size_t n)
{
	uint8_t fp[16], want[16], bfp[16];

	assert_int_equal(hex_decode(want, 16, hex), 0);
	assert_int_equal(rset_fingerprint(s, 0, rset_count(s), fp), 0);
	assert_memory_equal(fp, want, 16);
	brute_fp(items, n, bfp);
	assert_memory_equal(bfp, want, 16);
}

static void
vec_run(struct vec *v)
{
	struct recon *r;
	const uint8_t (*ids)[32];
	uint8_t *m, *rep, *want;
	size_t ml, rl, k = 0, n, wl;

	vec_check_fp(v->afp, v->a, v->ia, v->na);
	vec_check_fp(v->bfp, v->b, v->ib, v->nb);
	assert_int_equal(recon_new(&r, v->a, v->limit), 0);
	assert_int_equal(recon_initiate(r, &m, &ml), 0);
	assert_non_null(want = malloc(RECON_FRAME_DEFAULT));
	while (m != NULL) {
		assert_true(k + 1 < v->nmsg);
		assert_int_equal(v->kinds[k], 'i');
		wl = strlen(v->msgs[k]) / 2;
		assert_int_equal(hex_decode(want, wl, v->msgs[k]), 0);
		if (ml != wl || memcmp(m, want, ml) != 0)
			fail_msg("%s: message %zu differs", v->name, k);
		k++;
		if (v->limit != 0 && ml > v->limit)
			fail_msg("%s: message %zu over the limit", v->name, k);
		assert_int_equal(recon_respond(v->b, v->limit, m, ml, &rep,
		    &rl), 0);
		free(m);
		assert_int_equal(v->kinds[k], 'r');
		wl = strlen(v->msgs[k]) / 2;
		assert_int_equal(hex_decode(want, wl, v->msgs[k]), 0);
		if (rl != wl || memcmp(rep, want, rl) != 0)
			fail_msg("%s: reply %zu differs", v->name, k);
		if (v->limit != 0 && rl > v->limit)
			fail_msg("%s: reply %zu over the limit", v->name, k);
		k++;
		assert_int_equal(recon_step(r, rep, rl, &m, &ml), 0);
		free(rep);
	}
	assert_int_equal(k, v->nmsg);
	free(want);
	qsort(v->have, v->nhave, 32, id_cmp);
	qsort(v->need, v->nneed, 32, id_cmp);
	n = recon_have(r, &ids);
	same_ids(ids, n, v->have, v->nhave);
	n = recon_need(r, &ids);
	same_ids(ids, n, v->need, v->nneed);
	recon_free(r);
}

static void
vec_item(struct vec *v, const char *val, int side)
{
	unsigned long long ts;
	char hex[65];
	struct it x;

	assert_int_equal(sscanf(val, "%llu %64s", &ts, hex), 2);
	x.ts = ts;
	assert_int_equal(hex_decode(x.id, 32, hex), 0);
	if (side & 1) {
		assert_true(v->na < 256);
		assert_int_equal(rset_add(v->a, x.ts, x.id), 0);
		v->ia[v->na++] = x;
	}
	if (side & 2) {
		assert_true(v->nb < 256);
		assert_int_equal(rset_add(v->b, x.ts, x.id), 0);
		v->ib[v->nb++] = x;
	}
}

static void
test_vectors(void **state)
{
	static struct vec v;
	char *line = NULL, *val;
	size_t cap = 0, len, nvec = 0, nlimited = 0;
	FILE *f;

	(void)state;
	assert_non_null(f = fopen(VECTORS, "r"));
	vec_reset(&v);
	for (;;) {
		ssize_t got = getline(&line, &cap, f);

		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		if (got <= 0) {
			if (v.name[0] != '\0') {
				vec_run(&v);
				nvec++;
				nlimited += v.limit != 0;
			}
			vec_reset(&v);
			if (got < 0)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		assert_non_null(val = strstr(line, ": "));
		*val = '\0';
		val += 2;
		len = strlen(val);
		if (strcmp(line, "name") == 0)
			snprintf(v.name, sizeof(v.name), "%s", val);
		else if (strcmp(line, "limit") == 0) {
			v.limit = strtoul(val, NULL, 10);
			assert_true(v.limit >= RECON_FRAME_MIN);
		}
		else if (strcmp(line, "ab") == 0)
			vec_item(&v, val, 3);
		else if (strcmp(line, "a") == 0)
			vec_item(&v, val, 1);
		else if (strcmp(line, "b") == 0)
			vec_item(&v, val, 2);
		else if (strcmp(line, "a-fp") == 0 && len == 32)
			memcpy(v.afp, val, 33);
		else if (strcmp(line, "b-fp") == 0 && len == 32)
			memcpy(v.bfp, val, 33);
		else if (strcmp(line, "i") == 0 || strcmp(line, "r") == 0) {
			assert_true(v.nmsg < 16);
			v.kinds[v.nmsg] = line[0];
			assert_non_null(v.msgs[v.nmsg++] = strdup(val));
		} else if (strcmp(line, "have") == 0) {
			assert_true(v.nhave < 64);
			assert_int_equal(hex_decode(v.have[v.nhave++], 32, val),
			    0);
		} else if (strcmp(line, "need") == 0) {
			assert_true(v.nneed < 64);
			assert_int_equal(hex_decode(v.need[v.nneed++], 32, val),
			    0);
		} else
			fail_msg("unknown key %s", line);
	}
	free(line);
	fclose(f);
	rset_free(v.a);
	rset_free(v.b);
	assert_true(nvec >= 11);
	assert_true(nlimited >= 1);	/* frame-limit-defer: 11.7 */
}

/* The fingerprint of the empty set is SHA-256 of 33 zero bytes, cut. */
static void
test_fp_known(void **state)
{
	struct rset *s;
	uint8_t fp[16], zero[33], h[32], id[32];

	(void)state;
	memset(zero, 0, sizeof(zero));
	crypto_hash_sha256(h, zero, sizeof(zero));
	assert_non_null(s = rset_new());
	assert_int_equal(rset_fingerprint(s, 0, 0, fp), 0);
	assert_memory_equal(fp, h, 16);
	/* 2^256-1 + 1 wraps to 0: SHA-256(0^32 || 0x02). */
	memset(id, 0xff, 32);
	assert_int_equal(rset_add(s, T0, id), 0);
	memset(id, 0, 32);
	id[0] = 1;
	assert_int_equal(rset_add(s, T0, id), 0);
	zero[32] = 2;
	crypto_hash_sha256(h, zero, sizeof(zero));
	assert_int_equal(rset_fingerprint(s, 0, 2, fp), 0);
	assert_memory_equal(fp, h, 16);
	rset_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rset_basic),
		cmocka_unit_test(test_rset_random),
		cmocka_unit_test(test_rset_sorted),
		cmocka_unit_test(test_fp_known),
		cmocka_unit_test(test_recon_cases),
		cmocka_unit_test(test_recon_random),
		cmocka_unit_test(test_recon_small_frame),
		cmocka_unit_test(test_recon_frames_random),
		cmocka_unit_test(test_respond_bad),
		cmocka_unit_test(test_respond_fuzzish),
		cmocka_unit_test(test_step_bad),
		cmocka_unit_test(test_stateless),
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
