/*
 * bench_recon.c: set reconciliation (SPEC.md section 11) in process, no
 * sockets: round trips, bytes each way and time for sets in sync and for
 * scattered differences, beside the naive exchange of every id.
 *   bench_recon [-q]     (-q: skip the 1,000,000-item rows)
 * Items have ms timestamps spread over a year and random ids.  Both sides
 * use the default frame limit (RECON_FRAME_DEFAULT).  Set building is
 * timed apart from the reconciliation; every result is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "mentor.h"
#include "recon.h"

#define T0	1796000000000ULL
#define YEAR	31536000000ULL

struct it {
	uint64_t	ts;
	uint8_t		id[32];
	int		side;		/* 3 both, 1 initiator, 2 responder */
};

static uint64_t rng = 42;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
it_cmp(const void *a, const void *b)
{
	const struct it *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return memcmp(x->id, y->id, 32);
}

static _Noreturn void
die(const char *what, int e)
{
	fprintf(stderr, "bench_recon: %s: %s\n", what, mentor_strerror(e));
	exit(1);
}

/*
 * make: n items on both sides plus d/2 only on each, scattered at random
 * ranks; returns them sorted.
 */
static struct it *
make(size_t n, size_t d)
{
	struct it *v;
	size_t i, k;

	if ((v = malloc((n + d / 2) * sizeof(*v))) == NULL)
		die("malloc", MENTOR_ENOMEM);
	for (i = 0; i < n + d / 2; i++) {
		v[i].ts = T0 + rnd() % YEAR;
		for (k = 0; k < 4; k++) {
			uint64_t x = rnd();

			memcpy(v[i].id + 8 * k, &x, 8);
		}
		v[i].side = 3;
	}
	for (i = 0; i < d; i++) {
		do
			k = rnd() % (n + d / 2);
		while (v[k].side != 3);
		v[k].side = i < d / 2 ? 1 : 2;
	}
	qsort(v, n + d / 2, sizeof(*v), it_cmp);
	return v;
}

/* build: the set of one side, added in order (the bulk load). */
static struct rset *
build(const struct it *v, size_t n, int side, double *t)
{
	struct rset *s;
	double t0 = ms();
	size_t i;
	int e;

	if ((s = rset_new()) == NULL)
		die("rset_new", MENTOR_ENOMEM);
	for (i = 0; i < n; i++) {
		if ((v[i].side & side) && (e = rset_add(s, v[i].ts,
		    v[i].id)) != 0)
			die("rset_add", e);
	}
	if (t != NULL)
		*t = ms() - t0;
	return s;
}

static void
row(const char *what, size_t n, size_t d)
{
	struct it *v = make(n, d);
	struct rset *a, *b;
	struct recon *r;
	const uint8_t (*ids)[32];
	uint8_t *m, *rep;
	size_t ml, rl, sent, recv, nhave, nneed, tot = n + d / 2;
	unsigned rounds;
	double t0, t, tb;
	int e;

	a = build(v, tot, 1, &tb);
	b = build(v, tot, 2, NULL);
	t0 = ms();
	if ((e = recon_new(&r, a, 0)) != 0 ||
	    (e = recon_initiate(r, &m, &ml)) != 0)
		die("initiate", e);
	while (m != NULL) {
		if ((e = recon_respond(b, 0, m, ml, &rep, &rl)) != 0)
			die("respond", e);
		free(m);
		if ((e = recon_step(r, rep, rl, &m, &ml)) != 0)
			die("step", e);
		free(rep);
	}
	t = ms() - t0;
	recon_stats(r, &rounds, &sent, &recv);
	nhave = recon_have(r, &ids);
	nneed = recon_need(r, &ids);
	if (nhave != d / 2 || nneed != d - d / 2)
		fprintf(stderr, "bench_recon: %s: have %zu need %zu, "
		    "expected %zu each\n", what, nhave, nneed, d / 2);
	printf("| %s | %zu | %zu | %u | %zu | %zu | %.1f KiB | %.1f KiB | "
	    "%.1f | %.0f | %.1f MiB |\n", what, n, d, rounds, sent, recv,
	    (sent + recv) / 1024.0, 32.0 * n / 1024, t, tb,
	    rset_memory(a) / 1048576.0);
	recon_free(r);
	rset_free(a);
	rset_free(b);
	free(v);
}

int
main(int argc, char **argv)
{
	int quick = argc > 1 && strcmp(argv[1], "-q") == 0;

	if (sodium_init() < 0)
		die("sodium_init", MENTOR_EIO);
	printf("Range-based set reconciliation, in process (frame limit %d "
	    "bytes, split %d ways, lists up to %d ids)\n\n", RECON_FRAME_DEFAULT,
	    RECON_BRANCH, RECON_IDLIST_MAX);
	printf("| case | items | differences | round trips | bytes sent | "
	    "bytes received | total | naive id list (32 B x n) | ms | "
	    "build ms (one side, sorted load) | set memory |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
	row("in sync", 100000, 0);
	if (!quick)
		row("in sync", 1000000, 0);
	row("scattered", 100000, 100);
	row("scattered", 100000, 1000);
	row("scattered", 100000, 10000);
	if (!quick) {
		row("scattered", 1000000, 100);
		row("scattered", 1000000, 1000);
	}
	return 0;
}
