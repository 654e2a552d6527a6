/*
 * fuzz_jobposting.c: the JobPosting JSON-LD reader (jobposting_to_listings)
 * on arbitrary bytes; what it accepts is exported again.
 */
#include <stddef.h>
#include <stdint.h>

#include "jobposting.h"
#include "mentor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *out = NULL, *l;
	char err[256];
	size_t i;

	if (jobposting_to_listings((const char *)data, size, &out, err,
	    sizeof(err)) != 0)
		return 0;
	json_array_foreach(out, i, l)
		json_decref(jobposting_from_listing(l, NULL, NULL));
	json_decref(out);
	return 0;
}
