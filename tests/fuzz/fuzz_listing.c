/*
 * fuzz_listing.c: libFuzzer harness for listing validation.  The input is
 * parsed as a posted listing object and, as raw bytes, as a record body;
 * whatever listing_parse accepts must give a body that checks and encodes
 * the same way again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mentor.h"
#include "listing.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NOW	1796000000000LL	/* 2026-11-30T00:53:20Z */
#define FUZZ_MAX	(1u << 20)

/* roundtrip: the invariants of an accepted listing's body. */
static void
roundtrip(const json_t *body)
{
	char err[LISTING_ERR_MAX], *enc, *enc2;
	json_error_t jerr;
	json_t *again;
	size_t len, len2;

	if ((enc = listing_body_encode(body, &len)) == NULL)
		return;
	if (listing_body_check((const uint8_t *)enc, len, err,
	    sizeof(err)) != 0)
		abort();
	/* Canonical bytes are a fixed point of decode + encode. */
	if ((again = json_loadb(enc, len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		abort();
	if ((enc2 = listing_body_encode(again, &len2)) != NULL) {
		if (len != len2 || memcmp(enc, enc2, len) != 0)
			abort();
		free(enc2);
	}
	json_decref(again);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listing_in in;
	char err[LISTING_ERR_MAX];
	json_error_t jerr;
	json_t *obj;
	int rc;

	if (size > FUZZ_MAX)
		return 0;
	(void)listing_body_check(data, size, err, sizeof(err));
	obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (obj == NULL)
		return 0;
	rc = listing_parse(obj, FUZZ_NOW, &in, err, sizeof(err));
	if (rc == 0) {
		if (in.body == NULL || strlen(in.ref) > LISTING_REF_MAX ||
		    (in.expires_ms != 0 && in.expires_ms <= FUZZ_NOW))
			abort();
		roundtrip(in.body);
		listing_in_clear(&in);
	} else if (in.body != NULL || err[0] == '\0')
		abort();
	json_decref(obj);
	return 0;
}
