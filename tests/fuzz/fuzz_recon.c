/*
 * fuzz_recon.c: libFuzzer harness for set reconciliation (recon.h).  The
 * input is given to a responder holding a fixed set (default and smallest
 * frames), and to an initiator holding another set as the reply to its
 * first message; while the initiator answers, a few more rounds are played
 * honestly, so that a fuzzed reply drives real sessions.
 *
 * Built with -DFUZZ_RECON_SEEDS it writes its seed corpus instead, from the
 * same sets (valid messages of whole sessions, and broken ones):
 *   cc -std=c11 -D_DEFAULT_SOURCE -DFUZZ_RECON_SEEDS -Iinclude \
 *       -o /tmp/recon_seeds tests/fuzz/fuzz_recon.c protocol/recon.c \
 *       protocol/util.c -lsodium
 *   /tmp/recon_seeds tests/fuzz/corpus/recon
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "recon.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define T0	1796000000000ULL

static struct rset *sa, *sb;	/* initiator's, responder's */

/* item: the i-th item: three to a timestamp, ids from a counter. */
static void
item(uint32_t i, uint64_t *ts, uint8_t id[32])
{
	uint8_t n[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16),
	    (uint8_t)(i >> 8), (uint8_t)i };

	crypto_generichash(id, 32, n, sizeof(n), NULL, 0);
	*ts = T0 + (uint64_t)(i / 3) * 7919;
}

/*
 * sets: the responder holds items 0..399; the initiator the same but every
 * ninth, and items 400..439.  Built once.
 */
static void
sets(void)
{
	uint8_t id[32];
	uint64_t ts;
	uint32_t i;

	if (sa != NULL)
		return;
	if (sodium_init() < 0 || (sa = rset_new()) == NULL ||
	    (sb = rset_new()) == NULL)
		abort();
	for (i = 0; i < 440; i++) {
		item(i, &ts, id);
		if (i < 400 && rset_add(sb, ts, id) != 0)
			abort();
		if ((i >= 400 || i % 9 != 0) && rset_add(sa, ts, id) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	const uint8_t (*ids)[32];
	struct recon *r;
	uint8_t *out, *rep;
	size_t outlen, replen;
	unsigned k;
	int e;

	sets();
	if (recon_respond(sb, 0, p, n, &out, &outlen) == 0)
		free(out);
	if (recon_respond(sb, RECON_FRAME_MIN, p, n, &out, &outlen) == 0)
		free(out);

	if (recon_new(&r, sa, 0) != 0)
		return 0;
	if (recon_initiate(r, &out, &outlen) != 0) {
		recon_free(r);
		return 0;
	}
	free(out);
	e = recon_step(r, p, n, &out, &outlen);
	for (k = 0; e == 0 && out != NULL && k < 6; k++) {
		e = recon_respond(sb, 0, out, outlen, &rep, &replen);
		free(out);
		out = NULL;
		if (e != 0)
			break;
		e = recon_step(r, rep, replen, &out, &outlen);
		free(rep);
	}
	free(out);
	(void)recon_have(r, &ids);
	(void)recon_need(r, &ids);
	recon_free(r);
	return 0;
}

#ifdef FUZZ_RECON_SEEDS
#include <stdio.h>

static const char *dir;

static void
seed(const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/*
 * session: writes the messages of a session between sa and sb, of every
 * round up to last, and keeps the initiator's second message.
 */
static void
session(const char *tag, size_t frame, int last, uint8_t **keep,
    size_t *keeplen)
{
	struct recon *r;
	uint8_t *m, *rep;
	size_t ml, rl;
	char name[64];
	int k = 1;

	if (recon_new(&r, sa, frame) != 0 || recon_initiate(r, &m, &ml) != 0)
		abort();
	while (m != NULL) {
		if (recon_respond(sb, frame, m, ml, &rep, &rl) != 0)
			abort();
		if (k <= last) {
			snprintf(name, sizeof(name), "%s-i%d", tag, k);
			seed(name, m, ml);
			snprintf(name, sizeof(name), "%s-r%d", tag, k);
			seed(name, rep, rl);
		}
		if (k == 2 && keep != NULL) {
			*keep = m;
			*keeplen = ml;
		} else
			free(m);
		if (recon_step(r, rep, rl, &m, &ml) != 0)
			abort();
		free(rep);
		k++;
	}
	recon_free(r);
}

int
main(int argc, char **argv)
{
	static const uint8_t bad_version[] = { 0x61, 0, 0, 1 };
	static const uint8_t decreasing[] = { RECON_VERSION, 0x87, 0x69, 1,
	    5, 0, 1, 1, 3, 0 };
	static const uint8_t huge_count[] = { RECON_VERSION, 0, 0, 2, 0xa0,
	    0x80, 0x80, 0x80, 0x80, 0 };
	static const uint8_t diff_bits[] = { RECON_VERSION, 0, 0, 3, 0, 3,
	    0xff };
	uint8_t *m2 = NULL, *buf;
	size_t m2l = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	sets();
	session("s", 0, 99, &m2, &m2l);
	session("small", RECON_FRAME_MIN, 2, NULL, NULL);
	seed("bad-version", bad_version, sizeof(bad_version));
	seed("bad-decreasing", decreasing, sizeof(decreasing));
	seed("bad-huge-count", huge_count, sizeof(huge_count));
	seed("bad-diff-bits", diff_bits, sizeof(diff_bits));
	if (m2 != NULL) {
		seed("bad-truncated", m2, m2l - 1);
		if ((buf = malloc(m2l + 1)) == NULL)
			abort();
		memcpy(buf, m2, m2l);
		buf[m2l] = 0;
		seed("bad-trailing", buf, m2l + 1);
		free(buf);
		free(m2);
	}
	return 0;
}
#endif
