/*
 * fuzz_match.c: the matcher's own reader of listing bodies (mi_put) on
 * arbitrary bytes; what it accepts is then ranked and explained for a
 * fixed student, and replaced and deleted, to exercise the index.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "match.h"
#include "mentor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char student_json[] =
    "{\"id\":\"S1\",\"name\":\"F\",\"birth_date\":\"2010-01-01\","
    "\"competencies\":{\"onet:2.B.3.h\":2},\"goals\":{\"clusters\":"
    "[\"manufacturing\"],\"occupations\":[\"51-4121.00\"]},"
    "\"location\":{\"lat\":41.8,\"lon\":-87.6},\"max_distance_km\":50,"
    "\"modality\":[\"in_person\",\"virtual\",\"hybrid\"]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t addr[MATCH_ADDR_LEN] = { 1 };
	struct match_index *mi;
	struct match_student *ms = NULL;
	struct match_hit hits[4];
	size_t n = 0, i;
	json_t *st, *reasons;

	if ((mi = mi_new(NULL)) == NULL)
		return 0;
	if (mi_put(mi, addr, data, size, INT64_MAX) == 0) {
		st = json_loads(student_json, 0, NULL);
		if (st && ms_compile(mi, st, 20800, &ms) == 0 &&
		    match_rank(mi, ms, 1796000000000LL, 4, hits, &n) == 0)
			for (i = 0; i < n; i++)
				if (match_explain(mi, ms, &hits[i],
				    &reasons) == 0)
					json_decref(reasons);
		ms_free(ms);
		json_decref(st);
		mi_put(mi, addr, data, size, INT64_MAX);
		mi_del(mi, addr);
	}
	mi_free(mi);
	return 0;
}
