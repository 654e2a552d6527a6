/*
 * mkrecords.c: writes an export stream of N signed listings made with the
 * signing key of a node directory, for benchmarks and tests.
 *   mkrecords DIR N OUT [FIRST]   (refs bench-FIRST .. bench-FIRST+N-1)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "mentor.h"
#include "record.h"
#include "util.h"

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
