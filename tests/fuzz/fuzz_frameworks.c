/*
 * fuzz_frameworks.c: the framework data loader (fw_load) with one of its
 * seven TSV files replaced by arbitrary bytes (the first byte picks which);
 * the four required others are the shipped ones and the optional ones
 * (subclusters, alternate titles, levels) are left out, to keep each run
 * fast.  Run from the repository root.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frameworks.h"
#include "mentor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const files[] = { "clusters.tsv", "crosswalk.tsv",
    "onet-elements.tsv", "soc.tsv", "subclusters.tsv", "alt-titles.tsv",
    "onet-levels.tsv" };
#define NREQUIRED	4
#define NFILES		(sizeof(files) / sizeof(files[0]))

static int
copy(const char *from, const char *to, const uint8_t *data, size_t size)
{
	char buf[65536];
	size_t n;
	FILE *in = NULL, *out;

	if ((out = fopen(to, "wb")) == NULL)
		return -1;
	if (from == NULL)
		fwrite(data, 1, size, out);
	else if ((in = fopen(from, "rb")) != NULL) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(in);
	}
	fclose(out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	char from[256], to[256], err[512];
	struct frameworks *fw = NULL;
	size_t i, pick;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-fw.XXXXXX");
		if (mkdtemp(dir) == NULL)
			return 0;
	}
	if (size == 0)
		return 0;
	pick = data[0] % NFILES;
	for (i = 0; i < NFILES; i++) {
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		snprintf(from, sizeof(from), "contrib/data/%s", files[i]);
		if (i == pick || i < NREQUIRED)
			copy(i == pick ? NULL : from, to, data + 1, size - 1);
		else
			unlink(to);
	}
	if (fw_load(&fw, dir, err, sizeof(err)) == 0)
		fw_free(fw);
	return 0;
}
