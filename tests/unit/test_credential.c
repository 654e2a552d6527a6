/*
 * test_credential.c: RFC 8785 canonical JSON, base58btc, did:key and the
 * eddsa-jcs-2022 proof (protocol/credential.c), replaying the W3C test
 * vectors in tests/vectors/eddsa-jcs-2022/ byte for byte, and the Open
 * Badges 3.0 checks of cred_verify_ob3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "credential.h"
#include "mentor.h"
#include "util.h"

#define VEC	"tests/vectors/eddsa-jcs-2022/"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}

static json_t *
load(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	assert_non_null(j);
	return j;
}

/* The W3C key pair: the private multibase is 0x80 0x26 || 32-byte seed. */
static void
vector_key(uint8_t pk[32], uint8_t sk[64])
{
	json_t *kp = load(VEC "keyPair.json");
	uint8_t raw[40];
	char did[CRED_DID_MAX];
	size_t n;

	assert_int_equal(cred_b58_decode(raw, sizeof(raw), &n,
	    json_string_value(json_object_get(kp, "privateKeyMultibase")) + 1),
	    0);
	assert_int_equal(n, 34);
	assert_int_equal(raw[0], 0x80);
	assert_int_equal(raw[1], 0x26);
	crypto_sign_seed_keypair(pk, sk, raw + 2);
	cred_did_key(did, pk);
	assert_string_equal(did + 8, json_string_value(json_object_get(kp,
	    "publicKeyMultibase")));
	json_decref(kp);
}

static void
test_vector_canonical_document(void **state)
{
	json_t *doc = load(VEC "unsigned.json");
	char *want = slurp(VEC "canonDocJCS.txt"), *got;
	size_t n;

	(void)state;
	assert_int_equal(cred_jcs(doc, &got, &n), 0);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
	free(want);
	json_decref(doc);
}

static void
test_vector_sign(void **state)
{
	json_t *doc = load(VEC "unsigned.json"), *signed_doc =
	    load(VEC "signedJCS.json"), *cfg;
	char *sig = slurp(VEC "sigBTC58JCS.txt");
	char *pcanon = slurp(VEC "proofCanonJCS.txt");
	char *combined = slurp(VEC "combinedHashJCS.txt"), *s, hex[129];
	uint8_t pk[32], sk[64], h[64];
	size_t n;

	(void)state;
	vector_key(pk, sk);
	assert_int_equal(cred_sign(doc, sk, "2023-02-24T23:36:38Z"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    doc, "proof"), "proofValue")), sig);
	assert_true(json_equal(doc, signed_doc));
	/* The intermediate values, for anyone reimplementing this. */
	cfg = json_deep_copy(json_object_get(doc, "proof"));
	json_object_del(cfg, "proofValue");
	assert_int_equal(cred_jcs(cfg, &s, &n), 0);
	assert_string_equal(s, pcanon);
	crypto_hash_sha256(h, (uint8_t *)s, n);
	free(s);
	json_object_del(doc, "proof");
	assert_int_equal(cred_jcs(doc, &s, &n), 0);
	crypto_hash_sha256(h + 32, (uint8_t *)s, n);
	free(s);
	hex_encode(hex, h, 64);
	assert_string_equal(hex, combined);
	json_decref(cfg);
	json_decref(doc);
	json_decref(signed_doc);
	free(sig);
	free(pcanon);
	free(combined);
}

static void
test_vector_verify(void **state)
{
	json_t *doc = load(VEC "signedJCS.json");
	uint8_t pk[32], want[32], sk[64];
	char err[256], *pv;

	(void)state;
	vector_key(want, sk);
	assert_int_equal(cred_verify_proof(doc, pk, err, sizeof(err)), 0);
	assert_memory_equal(pk, want, 32);
	/* Any change to the document breaks it. */
	json_object_set_new(doc, "name", json_string("Alumni Credentia1"));
	assert_int_equal(cred_verify_proof(doc, NULL, err, sizeof(err)),
	    MENTOR_ESIG);
	json_decref(doc);
	/* So does one changed digit of the signature. */
	doc = load(VEC "signedJCS.json");
	pv = strdup(json_string_value(json_object_get(json_object_get(doc,
	    "proof"), "proofValue")));
	pv[10] = pv[10] == 'a' ? 'b' : 'a';
	json_object_set_new(json_object_get(doc, "proof"), "proofValue",
	    json_string(pv));
	assert_int_not_equal(cred_verify_proof(doc, NULL, err, sizeof(err)),
	    0);
	free(pv);
	json_decref(doc);
}

/* RFC 8785 section 3.2.3: members sorted by UTF-16 code units. */
static void
test_jcs_order_and_escapes(void **state)
{
	json_t *j = json_loads("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage "
	    "Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":"
	    "\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":"
	    "\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}",
	    0, NULL);
	const char *want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\","
	    "\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With "
	    "Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":"
	    "\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet "
	    "With Dagesh\"}";
	char *s;

	(void)state;
	assert_non_null(j);
	assert_int_equal(cred_jcs(j, &s, NULL), 0);
	assert_string_equal(s, want);
	free(s);
	json_decref(j);
	j = json_pack("[s,s,b,n,I]", "a\"b\\c\x01\x1f/\x7f\t\n", "\xc3\xa9",
	    1, (json_int_t)-42);
	assert_int_equal(cred_jcs(j, &s, NULL), 0);
	assert_string_equal(s, "[\"a\\\"b\\\\c\\u0001\\u001f/\x7f\\t\\n\","
	    "\"\xc3\xa9\",true,null,-42]");
	free(s);
	json_decref(j);
	/* Fractions are refused rather than spelled differently. */
	j = json_pack("{s:f}", "x", 1.5);
	assert_int_equal(cred_jcs(j, &s, NULL), MENTOR_EINVAL);
	json_decref(j);
	/* Integral reals are spelled as ES6 does: the integer. */
	j = json_loads("[42.0,-0.0,1e3,-9007199254740992.0,36.00]", 0, NULL);
	assert_non_null(j);
	assert_int_equal(cred_jcs(j, &s, NULL), 0);
	assert_string_equal(s, "[42,0,1000,-9007199254740992,36]");
	free(s);
	json_decref(j);
	/* ...within +-2^53 only. */
	j = json_loads("[18014398509481984.0]", 0, NULL);
	assert_non_null(j);
	assert_int_equal(cred_jcs(j, &s, NULL), MENTOR_EINVAL);
	json_decref(j);
	j = json_loads("[1e300]", 0, NULL);
	assert_non_null(j);
	assert_int_equal(cred_jcs(j, &s, NULL), MENTOR_EINVAL);
	json_decref(j);
}

static void
test_jcs_depth(void **state)
{
	json_t *root = json_array(), *cur = root, *next;
	char *s;
	int i;

	(void)state;
	for (i = 0; i < CRED_MAX_DEPTH + 5; i++) {
		next = json_array();
		json_array_append_new(cur, next);
		cur = next;
	}
	assert_int_equal(cred_jcs(root, &s, NULL), MENTOR_ETOOBIG);
	json_decref(root);
}

static void
test_base58(void **state)
{
	static const uint8_t in[] = { 0, 0, 1, 2, 255, 254, 0, 9 };
	uint8_t out[16];
	char enc[32];
	size_t n;

	(void)state;
	assert_int_equal(cred_b58_encode(enc, sizeof(enc), in, sizeof(in)), 0);
	assert_memory_equal(enc, "11", 2);
	assert_int_equal(cred_b58_decode(out, sizeof(out), &n, enc), 0);
	assert_int_equal(n, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
	assert_int_equal(cred_b58_decode(out, sizeof(out), &n, "abc0"),
	    MENTOR_EINVAL);	/* 0 is not base58 */
	assert_int_equal(cred_b58_decode(out, sizeof(out), &n, "abcl"),
	    MENTOR_EINVAL);	/* nor is l */
	assert_int_equal(cred_b58_encode(enc, 4, in, sizeof(in)),
	    MENTOR_ETOOBIG);
}

static void
test_did_key(void **state)
{
	uint8_t pk[32], sk[64], back[32];
	char did[CRED_DID_MAX], frag[2 * CRED_DID_MAX];

	(void)state;
	crypto_sign_keypair(pk, sk);
	cred_did_key(did, pk);
	assert_memory_equal(did, "did:key:z6Mk", 12);
	assert_int_equal(cred_did_key_parse(did, back), 0);
	assert_memory_equal(back, pk, 32);
	snprintf(frag, sizeof(frag), "%s#%s", did, did + 8);
	assert_int_equal(cred_did_key_parse(frag, back), 0);
	snprintf(frag, sizeof(frag), "%s#key-1", did);
	assert_int_equal(cred_did_key_parse(frag, back), MENTOR_EINVAL);
	assert_int_equal(cred_did_key_parse("did:web:example.com", back),
	    MENTOR_EINVAL);
	assert_int_equal(cred_did_key_parse("did:key:zQ3s", back),
	    MENTOR_EINVAL);
}

static json_t *
ob3(const uint8_t pk[32])
{
	char did[CRED_DID_MAX];

	cred_did_key(did, pk);
	return json_pack("{s:[s,s],s:s,s:[s,s],s:{s:s,s:[s],s:s},s:s,s:s,"
	    "s:{s:[s],s:{s:s,s:[s],s:s,s:s,s:{s:s}}}}",
	    "@context", CRED_VC_CONTEXT, CRED_OB_CONTEXT,
	    "id", "urn:uuid:0b0c6c7e-4b0e-4c1a-9d3e-2a8b7c6d5e4f",
	    "type", "VerifiableCredential", "OpenBadgeCredential",
	    "issuer", "id", did, "type", "Profile", "name", "Lincoln High",
	    "validFrom", "2027-03-01T00:00:00Z", "name", "Job shadow",
	    "credentialSubject", "type", "AchievementSubject", "achievement",
	    "id", "urn:uuid:5d9a2c1e-0f3b-4e7a-8c6d-1b2a3c4d5e6f", "type",
	    "Achievement", "name", "Welding shop job shadow", "description",
	    "Two days in a structural welding shop.", "criteria", "narrative",
	    "Completed 16 hours.");
}

static void
test_ob3(void **state)
{
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	json_t *c;
	char err[256], did[CRED_DID_MAX];
	int64_t now = 1900000000000LL;	/* 2030 */

	(void)state;
	crypto_sign_keypair(pk, sk);
	c = ob3(pk);
	assert_int_equal(cred_verify_ob3(c, now, err, sizeof(err)),
	    MENTOR_EINVAL);	/* unsigned */
	assert_non_null(strstr(err, "proof"));
	assert_int_equal(cred_sign(c, sk, "2027-03-01T00:00:00Z"), 0);
	assert_int_equal(cred_verify_ob3(c, now, err, sizeof(err)), 0);
	assert_int_equal(cred_verify_ob3(c, 1700000000000LL, err,
	    sizeof(err)), MENTOR_EFUTURE);
	assert_int_equal(cred_sign(c, sk, "2027-03-01T00:00:00Z"),
	    MENTOR_EINVAL);	/* signed twice */
	/* A bit flip anywhere in the content. */
	json_object_set_new(json_object_get(json_object_get(c,
	    "credentialSubject"), "achievement"), "name",
	    json_string("Welding shop job shadoW"));
	assert_int_equal(cred_verify_ob3(c, now, err, sizeof(err)),
	    MENTOR_ESIG);
	json_decref(c);
	/* Signed by a key that is not the issuer's. */
	crypto_sign_keypair(pk2, sk2);
	c = ob3(pk);
	assert_int_equal(cred_sign(c, sk2, "2027-03-01T00:00:00Z"), 0);
	assert_int_equal(cred_verify_ob3(c, now, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "issuer"));
	json_decref(c);
	/* A required member missing is named. */
	c = ob3(pk);
	json_object_del(json_object_get(json_object_get(c,
	    "credentialSubject"), "achievement"), "criteria");
	assert_int_equal(cred_sign(c, sk, "2027-03-01T00:00:00Z"), 0);
	assert_int_equal(cred_verify_ob3(c, now, err, sizeof(err)),
	    MENTOR_EINVAL);
	assert_non_null(strstr(err, "achievement.criteria"));
	json_decref(c);
	cred_did_key(did, pk);
	(void)did;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_canonical_document),
		cmocka_unit_test(test_vector_sign),
		cmocka_unit_test(test_vector_verify),
		cmocka_unit_test(test_jcs_order_and_escapes),
		cmocka_unit_test(test_jcs_depth),
		cmocka_unit_test(test_base58),
		cmocka_unit_test(test_did_key),
		cmocka_unit_test(test_ob3),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
