/*
 * fuzz_listingbody.c: differential libFuzzer harness for a listing body
 * from a peer: the fast check over the bytes (listing_body_fast, jscan)
 * must give the verdict of the jansson path (listing_body_check_json) on
 * every input, both ways, and listing_body_check must give the jansson
 * path's code and message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "listing.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(64u << 10)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LISTING_ERR_MAX], err2[LISTING_ERR_MAX];
	int fast, rc, rc2;

	if (size > FUZZ_MAX)
		return 0;
	fast = listing_body_fast(data, size);
	rc = listing_body_check_json(data, size, err, sizeof(err));
	if (rc == MENTOR_ENOMEM)
		return 0;
	if (fast != (rc == 0))
		abort();
	rc2 = listing_body_check(data, size, err2, sizeof(err2));
	if (rc2 != rc || strcmp(err, err2) != 0)
		abort();
	return 0;
}
