/*
 * fuzz_credential.c: libFuzzer harness for credential verification: any
 * bytes go through the JSON parser, RFC 8785 canonicalization, did:key
 * and base58 decoding and the Open Badges 3.0 checks; whatever
 * canonicalizes must canonicalize to the same bytes again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credential.h"
#include "mentor.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 20)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *again;
	char err[256], *c1, *c2;
	uint8_t pk[32];
	size_t n1, n2;

	if (size > FUZZ_MAX)
		return 0;
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, NULL);
	if (doc == NULL)
		return 0;
	(void)cred_verify_ob3(doc, 1900000000000LL, err, sizeof(err));
	(void)cred_verify_proof(doc, pk, err, sizeof(err));
	if (json_is_string(doc))
		(void)cred_did_key_parse(json_string_value(doc), pk);
	if (cred_jcs(doc, &c1, &n1) == 0) {
		again = json_loadb(c1, n1, JSON_DECODE_ANY, NULL);
		if (again == NULL || cred_jcs(again, &c2, &n2) != 0)
			abort();
		if (n1 != n2 || memcmp(c1, c2, n1) != 0)
			abort();
		free(c2);
		json_decref(again);
		free(c1);
	}
	json_decref(doc);
	return 0;
}
