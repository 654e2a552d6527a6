/*
 * bench_frameworks.c: loading the full O*NET tables at start (ms, memory)
 * and occupation search, on the shipped data (run from the repository
 * root).  Prints a small table; the best of 5 loads is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "frameworks.h"
#include "mentor.h"

#define DATA	"contrib/data"
#define RUNS	5
#define QUERIES	200

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(void)
{
	static const char *const q[] = { "welder", "cna", "nurse", "software",
	    "electrician", "truck driver" };
	struct frameworks *fw = NULL;
	struct fw_hit hits[10];
	char err[FW_ERR_MAX];
	double t, best = 1e9;
	size_t i, n = 0;

	for (i = 0; i < RUNS; i++) {
		t = now_ms();
		if (fw_load(&fw, DATA, err, sizeof(err)) != 0) {
			fprintf(stderr, "bench_frameworks: %s\n", err);
			return 1;
		}
		t = now_ms() - t;
		if (t < best)
			best = t;
		if (i + 1 < RUNS)
			fw_free(fw);
	}
	printf("| what | figure |\n|---|---|\n");
	printf("| loading the full O*NET tables at start (%zu elements, %zu "
	    "occupations, %zu alternate titles, %zu level rows) | %.1f ms, "
	    "%.1f MiB |\n", fw_competency_count(fw), fw_occupation_count(fw),
	    fw_alt_title_count(fw), fw_level_count(fw), best,
	    fw_memory(fw) / 1048576.0);
	t = now_ms();
	for (i = 0; i < QUERIES; i++)
		n += fw_occupation_search(fw, q[i % 6], hits, 10);
	t = now_ms() - t;
	printf("| occupation search, top 10 (mean of %d queries) | %.2f ms "
	    "|\n", QUERIES, t / QUERIES);
	fw_free(fw);
	return n > 0 ? 0 : 1;
}
