/*
 * bench_records.c: importing signed listings into an empty node, beside the
 * raw Ed25519 verify rate of this machine measured in the same run.
 *   bench_records [N]     (default 100000)
 * Prints a table: records signed/s, raw crypto_sign_verify_detached/s
 * (single core), records imported/s through records_accept_batch (decode,
 * verify, clock, trust, body validation, version rules, LMDB commit; 5000
 * records a transaction, about what mentorctl sends in one 4 MiB chunk), the
 * ratio to the raw rate, and store bytes per record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "listing.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define BATCH	5000

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const kinds[] = { "mentorship", "job_shadow",
    "internship", "apprenticeship", "project" };
static const char *const clusters[] = { "manufacturing", "health-science",
    "information-technology", "digital-technology", "construction" };

/* make_body: a realistic listing body, about 500 bytes. */
static char *
make_body(size_t i, int64_t now, size_t *len)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX], title[96];
	json_t *o;
	char *s;

	snprintf(title, sizeof(title), "Synthetic opportunity number %zu", i);
	o = json_pack("{s:s,s:s,s:s,s:s,s:[s],s:[s],"
	    "s:[{s:s,s:i}],s:[{s:s,s:i}],s:i,s:s,s:{s:f,s:f},s:s,s:s,s:i}",
	    "kind", kinds[i % 5], "title", title,
	    "organization", "Benchmark Industries",
	    "description", "A listing made for the import benchmark, with a "
	    "description of typical length for a job shadow or internship.",
	    "clusters", clusters[i % 5], "occupations", "51-4121.00",
	    "requires", "competency", "onet:2.B.3.h", "level", (int)(i % 4) + 1,
	    "develops", "competency", "onet:2.B.3.m", "level", 3,
	    "capacity", (int)(i % 9) + 1, "modality", "in_person",
	    "location", "lat", 41.0 + (double)(i % 100) / 100, "lon", -87.5,
	    "start", "2027-02-01", "end", "2027-05-01", "min_age", 16);
	if (o == NULL || listing_parse(o, now, &in, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: bad synthetic listing: %s\n", err);
		exit(1);
	}
	json_decref(o);
	s = listing_body_encode(in.body, len);
	listing_in_clear(&in);
	return s;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, i, j;
	uint8_t **recs, pk[32], sk[64];
	size_t *lens;
	struct records_verdict *v;
	struct node node;
	char dir[] = "/tmp/mentord-bench.XXXXXX", path[64], err[256];
	char ref[32], cmd[128];
	int64_t now = now_ms();
	double t0, t_sign, t_verify, t_import;
	uint64_t used, mapsize;
	struct rec r;
	size_t bad = 0;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	crypto_sign_keypair(pk, sk);
	recs = calloc(n, sizeof(*recs));
	lens = calloc(n, sizeof(*lens));
	v = calloc(BATCH, sizeof(*v));

	/* Sign. */
	t0 = secs();
	for (i = 0; i < n; i++) {
		size_t blen, cap;
		char *body = make_body(i, now, &blen);

		snprintf(ref, sizeof(ref), "bench-%zu", i);
		cap = rec_size(strlen(ref), blen);
		recs[i] = malloc(cap);
		if (rec_build(recs[i], cap, &lens[i], REC_LISTING,
		    (uint64_t)now - 1000, (uint64_t)now + 86400000ULL * 100,
		    ref, strlen(ref), (uint8_t *)body, blen, sk) != 0)
			return 1;
		free(body);
	}
	t_sign = secs() - t0;

	/* The physical limit: bare signature checks, one core. */
	t0 = secs();
	for (i = 0; i < n; i++) {
		rec_decode(&r, recs[i], lens[i]);
		if (crypto_sign_verify_detached(r.sig, recs[i],
		    lens[i] - REC_SIG_LEN, r.author) != 0)
			bad++;
	}
	t_verify = secs() - t0;

	/* Ours: an empty node importing them in batches. */
	memset(&node, 0, sizeof(node));
	memcpy(node.sign_pk, pk, 32);	/* the node trusts itself */
	memcpy(node.sign_sk, sk, 64);
	snprintf(path, sizeof(path), "%s/store", dir);
	if (store_open(&node.store, path, 1, err, sizeof(err)) != 0 ||
	    records_open(&node.records, &node, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	t0 = secs();
	for (i = 0; i < n; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;

		if (records_accept_batch(node.records,
		    (const uint8_t *const *)recs + i, lens + i, k, v) != 0)
			return 1;
		for (j = 0; j < k; j++)
			if (v[j].code != 0)
				bad++;
	}
	t_import = secs() - t0;
	store_stat(node.store, &used, &mapsize);

	for (i = 0, j = 0; i < n; i++)
		j += lens[i];
	printf("Import of %zu signed listings (avg %zu bytes) into an empty "
	    "node\n\n", n, j / n);
	printf("| measure | rate | note |\n|---|---|---|\n");
	printf("| sign (rec_build) | %.0f records/s | |\n", n / t_sign);
	printf("| raw crypto_sign_verify_detached, one core | %.0f "
	    "verifies/s | the physical limit, same records |\n",
	    n / t_verify);
	printf("| import (records_accept_batch, %d a txn, checks on 2 "
	    "threads) | %.0f records/s | %.0f%% of the one-core raw verify "
	    "rate (goal >= 70%%) |\n", BATCH, n / t_import,
	    100.0 * t_verify / t_import);
	printf("| store size | %.0f bytes/record | LMDB pages in use |\n",
	    (double)used / n);
	if (bad)
		printf("\nERROR: %zu records failed\n", bad);
	records_close(node.records);
	store_close(node.store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	for (i = 0; i < n; i++)
		free(recs[i]);
	free(recs);
	free(lens);
	free(v);
	return bad != 0;
}
