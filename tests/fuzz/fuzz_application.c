/*
 * fuzz_application.c: libFuzzer harness for the application, answer and
 * placement message plaintext validators and for app_open.  The input is tried as a
 * plaintext of either kind and as a sealed box for a fixed key pair; what
 * opens is parsed too, and what parses is sealed and opened again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "application.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The employer key of tests/vectors: seed 32 x 0x01. */
static uint8_t pk[32], sk[64];
static int ready;

/* roundtrip: a plaintext that parsed must survive sealing and opening. */
static void
roundtrip(const uint8_t *p, size_t n)
{
	uint8_t *box, *plain;
	size_t blen, plen;

	if (app_seal(p, n, pk, &box, &blen) != 0)
		abort();
	if (app_open(box, blen, pk, sk, &plain, &plen) != 0 || plen != n ||
	    memcmp(plain, p, n) != 0 || plain[n] != '\0')
		abort();
	free(plain);
	free(box);
}

/* parse: both validators; each must leave *out NULL when it refuses. */
static void
parse(const uint8_t *p, size_t n)
{
	char err[APP_ERR_MAX];
	json_t *out;
	int ok = 0;

	if (app_parse(p, n, &out, err, sizeof(err)) == 0) {
		if (out == NULL)
			abort();
		json_decref(out);
		ok = 1;
	} else if (out != NULL || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (answer_parse(p, n, &out, err, sizeof(err)) == 0) {
		if (out == NULL || ok)
			abort();	/* no text is both */
		json_decref(out);
		ok = 1;
	} else if (out != NULL)
		abort();
	if (plc_parse(p, n, &out, err, sizeof(err)) == 0) {
		if (out == NULL || ok)
			abort();	/* a message has "type" and "id" */
		json_decref(out);
		ok = 1;
	} else if (out != NULL || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (ok)
		roundtrip(p, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t seed[32], *plain;
	size_t plen;
	int rc;

	if (!ready) {
		if (sodium_init() < 0)
			return 0;
		memset(seed, 0x01, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = 1;
	}
	parse(data, size);
	rc = app_open(data, size, pk, sk, &plain, &plen);
	if (rc == 0) {
		if (plen + APP_SEAL_OVERHEAD != size || plain[plen] != '\0')
			abort();
		parse(plain, plen);
		free(plain);
	} else if (rc != MENTOR_ESIG && rc != MENTOR_ETOOBIG &&
	    rc != MENTOR_ENOMEM)
		abort();
	return 0;
}
