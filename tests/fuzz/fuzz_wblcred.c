/*
 * fuzz_wblcred.c: libFuzzer harness for the work-based learning
 * credential builder (protocol/wblcred.c): any JSON as the experience;
 * what it builds must be signable with a fixed key and verify as Open
 * Badges 3.0 (wblcred_build must refuse anything that would not).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "credential.h"
#include "mentor.h"
#include "wblcred.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 16)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pk[32], sk[64];
	static int init;
	char err[256], did[CRED_DID_MAX];
	json_t *exp, *cred = NULL;

	if (!init) {
		uint8_t seed[32];

		if (sodium_init() < 0)
			abort();
		memset(seed, 7, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		init = 1;
	}
	if (size > FUZZ_MAX)
		return 0;
	exp = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (exp == NULL)
		return 0;
	/* The node always signs as its own did:key. */
	cred_did_key(did, pk);
	if (json_is_object(json_object_get(exp, "issuer")))
		json_object_set_new(json_object_get(exp, "issuer"), "id",
		    json_string(did));
	if (wblcred_build(exp, &cred, err, sizeof(err)) == 0) {
		if (wblcred_sign(cred, sk, "2026-01-01T00:00:00Z") == 0 &&
		    json_is_string(json_object_get(cred, "validFrom")) &&
		    cred_verify_proof(cred, NULL, err, sizeof(err)) != 0)
			abort();
		json_decref(cred);
	}
	json_decref(exp);
	return 0;
}
