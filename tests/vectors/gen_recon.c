/*
 * gen_recon.c: writes tests/vectors/recon.txt, the set reconciliation
 * vectors of SPEC.md section 11.10: small sets, their fingerprints and every
 * message of a whole session between them, made by protocol/recon.c.
 *
 *   cc -std=c11 -D_DEFAULT_SOURCE -Iinclude -o /tmp/gen_recon \
 *       tests/vectors/gen_recon.c protocol/recon.c protocol/util.c -lsodium
 *   /tmp/gen_recon > tests/vectors/recon.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "recon.h"
#include "util.h"

#define T0	1796000000000ULL	/* 2026-11-30T00:53:20Z */
#define MAXN	256

enum { A = 1, B = 2, AB = 3 };

struct vitem {
	uint64_t	ts;
	uint8_t		id[32];
	int		side;
};

static struct vitem items[MAXN];
static size_t nitems;
static size_t limit;	/* the frame limit L of the next vector; 0: default */

static _Noreturn void
die(const char *what, int e)
{
	fprintf(stderr, "gen_recon: %s: %s\n", what, mentor_strerror(e));
	exit(1);
}

/* id_of: BLAKE2b-256 of the tag and the big-endian 32-bit counter i. */
static void
id_of(uint8_t id[32], const char *tag, uint32_t i)
{
	crypto_generichash_state st;
	uint8_t n[4];

	put_be32(n, i);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)tag, strlen(tag));
	crypto_generichash_update(&st, n, sizeof(n));
	crypto_generichash_final(&st, id, 32);
}

static void
add(uint64_t ts, const uint8_t id[32], int side)
{
	if (nitems == MAXN)
		die("too many items", MENTOR_EFULL);
	items[nitems].ts = ts;
	memcpy(items[nitems].id, id, 32);
	items[nitems].side = side;
	nitems++;
}

/* addn: n items on side, tag-derived ids, ts T0 + k * step. */
static void
addn(const char *tag, uint32_t from, uint32_t n, uint64_t step, int side)
{
	uint8_t id[32];
	uint32_t i;

	for (i = from; i < from + n; i++) {
		id_of(id, tag, i);
		add(T0 + (uint64_t)i * step + (id[0] & 0x3f), id, side);
	}
}

static int
item_cmp(const void *a, const void *b)
{
	const struct vitem *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return memcmp(x->id, y->id, 32);
}

static void
hexline(const char *key, const uint8_t *p, size_t n)
{
	char *h;

	if ((h = malloc(2 * n + 1)) == NULL)
		die("hex", MENTOR_ENOMEM);
	hex_encode(h, p, n);
	printf("%s: %s\n", key, h);
	free(h);
}

static void
fpline(const char *key, const struct rset *s)
{
	uint8_t fp[RECON_FP_LEN];
	int e;

	if ((e = rset_fingerprint(s, 0, rset_count(s), fp)) != 0)
		die("fingerprint", e);
	hexline(key, fp, sizeof(fp));
}

/*
 * session: runs a whole session between sa and sb with frame limit lim,
 * printing its messages when print is set; returns how many there were.
 * Every message must fit the limit.
 */
static size_t
session(struct rset *sa, struct rset *sb, size_t lim, int print,
    struct recon **rp)
{
	struct recon *r;
	uint8_t *m, *rep;
	size_t ml, rl, n = 0, max = lim ? lim : RECON_FRAME_DEFAULT;
	int e;

	if ((e = recon_new(&r, sa, lim)) != 0 ||
	    (e = recon_initiate(r, &m, &ml)) != 0)
		die("initiate", e);
	while (m != NULL) {
		if (print)
			hexline("i", m, ml);
		if ((e = recon_respond(sb, lim, m, ml, &rep, &rl)) != 0)
			die("respond", e);
		free(m);
		if (print)
			hexline("r", rep, rl);
		if (ml > max || rl > max)
			die("a message over the frame limit", MENTOR_ETOOBIG);
		if ((e = recon_step(r, rep, rl, &m, &ml)) != 0)
			die("step", e);
		free(rep);
		n += 2;
	}
	*rp = r;
	return n;
}

/* emit: prints the vector made of the items added since the last one. */
static void
emit(const char *name, const char *comment)
{
	static const char *sides[] = { "", "a", "b", "ab" };
	struct rset *sa, *sb;
	struct recon *r;
	const uint8_t (*ids)[32];
	char h[65];
	size_t n, i;
	int e;

	qsort(items, nitems, sizeof(items[0]), item_cmp);
	if ((sa = rset_new()) == NULL || (sb = rset_new()) == NULL)
		die("rset_new", MENTOR_ENOMEM);
	printf("# %s\nname: %s\n", comment, name);
	if (limit != 0)
		printf("limit: %zu\n", limit);
	for (i = 0; i < nitems; i++) {
		hex_encode(h, items[i].id, 32);
		printf("%s: %llu %s\n", sides[items[i].side],
		    (unsigned long long)items[i].ts, h);
		if ((items[i].side & A) &&
		    (e = rset_add(sa, items[i].ts, items[i].id)) != 0)
			die("rset_add", e);
		if ((items[i].side & B) &&
		    (e = rset_add(sb, items[i].ts, items[i].id)) != 0)
			die("rset_add", e);
	}
	fpline("a-fp", sa);
	fpline("b-fp", sb);
	if (limit != 0) {
		/* The limit must matter: more round trips than by default. */
		n = session(sa, sb, 0, 0, &r);
		recon_free(r);
		if (session(sa, sb, limit, 0, &r) <= n)
			die("the frame limit changes nothing", MENTOR_EINVAL);
		recon_free(r);
	}
	session(sa, sb, limit, 1, &r);
	n = recon_have(r, &ids);
	for (i = 0; i < n; i++)
		hexline("have", ids[i], 32);
	n = recon_need(r, &ids);
	for (i = 0; i < n; i++)
		hexline("need", ids[i], 32);
	printf("\n");
	recon_free(r);
	rset_free(sa);
	rset_free(sb);
	nitems = 0;
	limit = 0;
}

int
main(void)
{
	uint8_t id[32];
	uint32_t i;

	if (sodium_init() < 0)
		die("sodium_init", MENTOR_EIO);
	printf(
"# recon.txt: set reconciliation vectors for protocol/SPEC.md section 11.\n"
"# Generated by tests/vectors/gen_recon.c; do not edit.  Regenerate with\n"
"#   cc -std=c11 -D_DEFAULT_SOURCE -Iinclude -o /tmp/gen_recon \\\n"
"#       tests/vectors/gen_recon.c protocol/recon.c protocol/util.c -lsodium\n"
"#   /tmp/gen_recon > tests/vectors/recon.txt\n"
"#\n"
"# Format: blocks separated by blank lines; '#' lines are comments.\n"
"#   name:  the vector's name\n"
"#   ab:    TS ID, an item both sides hold (TS decimal ms, ID 64 hex)\n"
"#   a:     TS ID, an item only the initiator holds\n"
"#   b:     TS ID, an item only the responder holds\n"
"#          (items are listed in item order, 11.2)\n"
"#   a-fp:  the fingerprint (11.3) of the initiator's whole set\n"
"#   b-fp:  the same for the responder\n"
"#   i:     a message of the initiator, in order, the first one first\n"
"#   r:     the responder's reply to the i: line before it\n"
"#   have:  an id the initiator holds and the responder lacks\n"
"#   need:  an id the responder holds and the initiator lacks\n"
"#   limit: the frame limit L of both sides (11.7); absent: the default,\n"
"#          512000\n"
"# After the last r:\n"
"# the initiator has nothing left to send.  have and need are sets:\n"
"# their order is the reference implementation's, not a requirement.\n"
"\n");

	emit("empty", "both sets empty: one round trip, a 1-byte reply");

	addn("equal", 0, 3, 1000, AB);
	emit("equal-3", "the same three items on both sides");

	addn("one", 0, 3, 60000, B);
	emit("initiator-empty-3",
	    "the initiator holds nothing; the responder lists its 3 ids");

	addn("one", 0, 3, 60000, A);
	emit("responder-empty-3",
	    "the responder holds nothing and lists no ids");

	addn("small", 0, 10, 3600000, AB);
	addn("small", 10, 2, 3600000, A);
	addn("small", 12, 2, 3600000, B);
	emit("small-diff",
	    "12 items each, 2 only on each side: the responder lists its ids");

	addn("split", 0, 36, 86400000, AB);
	addn("split", 36, 4, 86400000, A);
	addn("split", 40, 4, 86400000, B);
	emit("split-40",
	    "40 items each, 4 only on each side: the responder splits the "
	    "range into\n# 16, the initiator lists the subranges that differ "
	    "and gets Diffs");

	addn("empty-side", 0, 40, 3600000, B);
	emit("initiator-empty-40",
	    "the initiator holds nothing, the responder 40 items: empty "
	    "lists answered\n# by Diffs that carry every id");

	for (i = 0; i < 40; i++) {
		memset(id, 0xAA, 31);
		id[31] = (uint8_t)(i * 5);
		add(T0, id, i < 30 ? AB : (i < 35 ? A : B));
	}
	emit("same-ts-prefix",
	    "40 items with one timestamp whose ids share 31 bytes: every "
	    "bound carries\n# a 32-byte id prefix");

	memset(id, 0xff, 32);
	add(T0, id, AB);
	memset(id, 0, 32);
	id[0] = 1;
	add(T0 + 1, id, AB);
	emit("sum-wraps",
	    "ids 2^256-1 and 1 (little-endian): their sum wraps to 0, so "
	    "the\n# fingerprint is SHA-256(32 zero bytes || 0x02)");

	memset(id, 0x11, 32);
	add(0, id, AB);
	memset(id, 0x22, 32);
	add(UINT64_MAX - 1, id, A);
	memset(id, 0x33, 32);
	add((uint64_t)1 << 63, id, B);
	for (i = 0; i < 20; i++) {
		id_of(id, "far", i);
		add(T0 + i, id, AB);
	}
	emit("ts-extremes",
	    "timestamps 0 and 2^64-2 beside ordinary ones: 10-byte "
	    "timestamp varints");

	addn("defer", 0, 128, 60000, AB);
	addn("defer-a", 0, 16, 480000, A);
	addn("defer-b", 0, 16, 480000, B);
	limit = RECON_FRAME_MIN;
	emit("frame-limit-defer",
	    "144 items each, 16 only on each side, spread out, with L = 2048:\n"
	    "# the initiator's answer to the 16-way split would list every "
	    "part,\n# so it defers (11.7) and the session takes more round "
	    "trips");
	return 0;
}
