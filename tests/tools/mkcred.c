/*
 * mkcred.c: signs a credential for tests, as a node would: the issuer
 * becomes the did:key of a key made from SEED (64 hex digits) and an
 * eddsa-jcs-2022 proof is added.
 *   mkcred SEED IN.json OUT.json
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "credential.h"
#include "util.h"

int
main(int argc, char **argv)
{
	uint8_t seed[32], pk[32], sk[64];
	char did[CRED_DID_MAX];
	json_t *doc, *iss;

	if (argc != 4 || sodium_init() < 0 ||
	    hex_decode(seed, sizeof(seed), argv[1]) != 0) {
		fprintf(stderr, "usage: mkcred SEED-HEX IN.json OUT.json\n");
		return 2;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	if ((doc = json_load_file(argv[2], 0, NULL)) == NULL) {
		fprintf(stderr, "mkcred: %s: not JSON\n", argv[2]);
		return 1;
	}
	cred_did_key(did, pk);
	iss = json_object_get(doc, "issuer");
	if (json_is_object(iss))
		json_object_set_new(iss, "id", json_string(did));
	else
		json_object_set_new(doc, "issuer", json_string(did));
	if (cred_sign(doc, sk, "2026-01-01T00:00:00Z") != 0) {
		fprintf(stderr, "mkcred: cannot sign\n");
		return 1;
	}
	/* Open Badges' schema wants a proof set: one proof in an array. */
	json_object_set_new(doc, "proof", json_pack("[O]",
	    json_object_get(doc, "proof")));
	if (json_dump_file(doc, argv[3], JSON_INDENT(2)) != 0) {
		fprintf(stderr, "mkcred: cannot sign\n");
		return 1;
	}
	json_decref(doc);
	return 0;
}
