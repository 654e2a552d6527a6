/*
 * fuzz_listingcsv.c: the listing CSV template reader (listing_csv_parse)
 * on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "listingcsv.h"
#include "mentor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *out = NULL;
	char err[256];

	if (listing_csv_parse((const char *)data, size, &out, err,
	    sizeof(err)) == 0)
		json_decref(out);
	return 0;
}
