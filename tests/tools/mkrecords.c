/*
 * mkrecords.c: writes an export stream of N signed listings made with the
 * signing key of a node directory, for benchmarks and tests.
 *   mkrecords DIR N OUT [FIRST]   (refs bench-FIRST .. bench-FIRST+N-1)
 *   mkrecords --verify-rate FILE  raw crypto_sign_verify_detached rate over
 *                                 the records of FILE, one core
 *   mkrecords --verify-rate-all FILE  the same on every online core (one
 *                                 thread per core, each a share of FILE)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "mentor.h"
#include "record.h"
#include "util.h"

/* One thread's share of the records: [from, to). */
struct share {
	const uint8_t	**recs;
	size_t		 *lens, from, to;
	int		  bad;
};

static void *
verify_share(void *arg)
{
	struct share *sh = arg;
	struct rec rc;
	size_t i;

	for (i = sh->from; i < sh->to; i++)
		if (rec_decode(&rc, sh->recs[i], sh->lens[i]) != 0 ||
		    crypto_sign_verify_detached(rc.sig, sh->recs[i],
		    sh->lens[i] - REC_SIG_LEN, rc.author) != 0)
			sh->bad = 1;
	return NULL;
}

/*
 * verify_rate: verifies every record of the stream at path on nthreads
 * threads (the records split in equal shares) and prints verifies/s.
 */
static int
verify_rate(const char *path, long nthreads)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t len, off = XS_HDR_LEN, n = 0, cap = 1 << 26, r, ncap = 1 << 16;
	const uint8_t *rec, **recs;
	size_t reclen, *lens;
	struct share sh[64];
	pthread_t th[64];
	struct timespec a, b;
	long t;
	double s;

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	if (f == NULL || sodium_init() < 0 || (buf = malloc(cap)) == NULL)
		return 1;
	for (len = 0; (r = fread(buf + len, 1, cap - len, f)) > 0;) {
		len += r;
		if (len == cap && (buf = realloc(buf, cap *= 2)) == NULL)
			return 1;
	}
	fclose(f);
	recs = malloc(ncap * sizeof(*recs));
	lens = malloc(ncap * sizeof(*lens));
	while (recs && lens && xs_next(buf, len, &off, &rec, &reclen) == 1) {
		if (n == ncap) {
			ncap *= 2;
			recs = realloc(recs, ncap * sizeof(*recs));
			lens = realloc(lens, ncap * sizeof(*lens));
			if (recs == NULL || lens == NULL)
				return 1;
		}
		recs[n] = rec;
		lens[n++] = reclen;
	}
	if (recs == NULL || lens == NULL || n == 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (t = 0; t < nthreads; t++) {
		sh[t].recs = recs;
		sh[t].lens = lens;
		sh[t].from = n * (size_t)t / (size_t)nthreads;
		sh[t].to = n * (size_t)(t + 1) / (size_t)nthreads;
		sh[t].bad = 0;
		if (t > 0 && pthread_create(&th[t], NULL, verify_share,
		    &sh[t]) != 0)
			return 1;
	}
	verify_share(&sh[0]);
	for (t = 1; t < nthreads; t++)
		pthread_join(th[t], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (t = 0; t < nthreads; t++)
		if (sh[t].bad)
			return 1;
	s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%.0f\n", n / s);
	free(recs);
	free(lens);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const kinds[] = { "mentorship", "job_shadow",
	    "internship", "apprenticeship", "project" };
	uint8_t sk[64], rec[4096], hdr[XS_HDR_LEN], len4[4];
	char path[4096], ref[32], body[1024];
	unsigned long n, i, first;
	uint64_t now;
	size_t len;
	FILE *f;
	int fd;

	if (argc == 3 && strcmp(argv[1], "--verify-rate") == 0)
		return verify_rate(argv[2], 1);
	if (argc == 3 && strcmp(argv[1], "--verify-rate-all") == 0)
		return verify_rate(argv[2], sysconf(_SC_NPROCESSORS_ONLN));
	if (argc < 4 || sodium_init() < 0) {
		fprintf(stderr, "usage: mkrecords DIR N OUT [FIRST]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/sign.key", argv[1]);
	if ((fd = open(path, O_RDONLY)) == -1 || read(fd, sk, 64) != 64) {
		fprintf(stderr, "mkrecords: %s: cannot read\n", path);
		return 1;
	}
	close(fd);
	n = strtoul(argv[2], NULL, 10);
	first = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
	if ((f = fopen(argv[3], "wb")) == NULL)
		return 1;
	xs_header_write(hdr);
	fwrite(hdr, 1, sizeof(hdr), f);
	now = (uint64_t)now_ms();
	for (i = first; i < first + n; i++) {
		snprintf(ref, sizeof(ref), "bench-%lu", i);
		snprintf(body, sizeof(body), "{\"capacity\":%lu,"
		    "\"clusters\":[\"manufacturing\"],\"description\":\"A "
		    "synthetic listing for benchmarks, about as long as a real "
		    "one.\",\"kind\":\"%s\",\"modality\":\"virtual\","
		    "\"occupations\":[\"51-4121.00\"],\"organization\":"
		    "\"Benchmark Industries\",\"requires\":[{\"competency\":"
		    "\"onet:2.B.3.h\",\"level\":%lu}],\"title\":\"Synthetic "
		    "opportunity %lu\"}", i % 9 + 1, kinds[i % 5], i % 4 + 1, i);
		/* Spread creation times over the past day. */
		if (rec_build(rec, sizeof(rec), &len, REC_LISTING,
		    now - 86400000ULL + (i * 7919) % 86000000ULL,
		    now + 100ULL * 86400000ULL, ref, strlen(ref),
		    (const uint8_t *)body, strlen(body), sk) != 0)
			return 1;
		put_be32(len4, (uint32_t)len);
		fwrite(len4, 1, 4, f);
		fwrite(rec, 1, len, f);
	}
	return fclose(f) == 0 ? 0 : 1;
}
