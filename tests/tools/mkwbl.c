/*
 * mkwbl.c: builds and signs the credential of a work-based learning
 * experience for tests, with the code a school node issues it with
 * (protocol/wblcred.c): the issuer becomes the did:key of a key made from
 * SEED (64 hex digits).
 *   mkwbl SEED EXPERIENCE.json OUT.json
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "credential.h"
#include "util.h"
#include "wblcred.h"

int
main(int argc, char **argv)
{
	uint8_t seed[32], pk[32], sk[64];
	char did[CRED_DID_MAX], err[256];
	json_t *exp, *cred = NULL;

	if (argc != 4 || sodium_init() < 0 ||
	    hex_decode(seed, sizeof(seed), argv[1]) != 0) {
		fprintf(stderr, "usage: mkwbl SEED-HEX EXPERIENCE.json "
		    "OUT.json\n");
		return 2;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	if ((exp = json_load_file(argv[2], 0, NULL)) == NULL) {
		fprintf(stderr, "mkwbl: %s: not JSON\n", argv[2]);
		return 1;
	}
	cred_did_key(did, pk);
	json_object_set_new(json_object_get(exp, "issuer"), "id",
	    json_string(did));
	if (wblcred_build(exp, &cred, err, sizeof(err)) != 0) {
		fprintf(stderr, "mkwbl: %s\n", err);
		return 1;
	}
	if (wblcred_sign(cred, sk, "2026-01-01T00:00:00Z") != 0 ||
	    json_dump_file(cred, argv[3], JSON_INDENT(2)) != 0) {
		fprintf(stderr, "mkwbl: cannot sign or write\n");
		return 1;
	}
	json_decref(cred);
	json_decref(exp);
	return 0;
}
