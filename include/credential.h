/*
 * credential.h: verifiable credentials as Open Badges 3.0 uses them: the
 * JSON Canonicalization Scheme (RFC 8785), did:key identifiers for Ed25519
 * keys, and Data Integrity proofs with the eddsa-jcs-2022 cryptosuite
 * (W3C vc-di-eddsa).  Pure: no I/O.  protocol/SPEC.md section 14.
 */
#ifndef MENTOR_CREDENTIAL_H
#define MENTOR_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CRED_VC_CONTEXT	"https://www.w3.org/ns/credentials/v2"
#define CRED_OB_CONTEXT	\
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define CRED_SUITE	"eddsa-jcs-2022"
#define CRED_DID_MAX	64	/* "did:key:z6Mk..." is 56 bytes */
#define CRED_MAX_DEPTH	32	/* nesting accepted by cred_jcs */

/*
 * cred_jcs: the RFC 8785 canonical form of v: object members sorted by
 * their names' UTF-16 code units, no whitespace, strings escaped as the
 * RFC says.  *out is malloc'd and NUL-terminated (owned by the caller).
 * Numbers must be integral within +-2^53, written as integers or as
 * reals like 42.0 (both canonicalize to "42", as ES6 spells them);
 * MENTOR_EINVAL otherwise: a fraction has several spellings that only a
 * full ES6 number formatter reproduces, and no field here needs one.
 * MENTOR_ETOOBIG
 * past CRED_MAX_DEPTH levels, MENTOR_ENOMEM.
 */
int	cred_jcs(const json_t *v, char **out, size_t *len);

/*
 * cred_b58_encode: base58btc of in (Bitcoin alphabet) into out, NUL-ended.
 * MENTOR_ETOOBIG when out is too small (2 * inlen + 1 always suffices).
 * cred_b58_decode: the inverse, into out (at most outcap bytes, length in
 * *outlen).  MENTOR_EINVAL on a character outside the alphabet,
 * MENTOR_ETOOBIG when it does not fit.  Both take at most 128 input bytes.
 */
int	cred_b58_encode(char *out, size_t outlen, const uint8_t *in,
	    size_t inlen);
int	cred_b58_decode(uint8_t *out, size_t outcap, size_t *outlen,
	    const char *in);

/*
 * cred_did_key: "did:key:z" + base58btc(0xed 0x01 || pk) into out
 * (CRED_DID_MAX bytes).  cred_did_key_parse: the Ed25519 key of such a DID,
 * with or without a "#fragment" (which, when present, must repeat the
 * multibase value).  MENTOR_EINVAL when it is anything else.
 */
void	cred_did_key(char out[CRED_DID_MAX], const uint8_t pk[32]);
int	cred_did_key_parse(const char *did, uint8_t pk[32]);

/*
 * cred_sign: adds an eddsa-jcs-2022 DataIntegrityProof to doc (an object
 * without "proof"), signed with sk (libsodium's 64-byte Ed25519 secret
 * key); the verification method is the did:key of the key's public half,
 * created is "YYYY-MM-DDTHH:MM:SSZ".  MENTOR_EINVAL (doc has a proof or
 * cannot be canonicalized), MENTOR_ENOMEM.
 */
int	cred_sign(json_t *doc, const uint8_t sk[64], const char *created);

/*
 * cred_verify_proof: checks doc's eddsa-jcs-2022 proof (an object, or an
 * array holding exactly one, as Open Badges' schema wants): its shape, that
 * its @context (when present) is the document's, that the verification
 * method is a did:key, and the signature over SHA-256(JCS(proof without
 * proofValue)) || SHA-256(JCS(doc without proof)).  The signer's key goes
 * to pk (may be NULL).  MENTOR_EINVAL (malformed, err says what) or
 * MENTOR_ESIG (does not verify).
 */
int	cred_verify_proof(const json_t *doc, uint8_t pk[32], char *err,
	    size_t errlen);

/*
 * cred_verify_ob3: cred_verify_proof plus the Open Badges 3.0 rules a
 * consumer relies on: both contexts, types VerifiableCredential and
 * OpenBadgeCredential (or AchievementCredential), issuer (a string or an
 * object with an id) that is the proof's did:key, validFrom (and
 * validUntil after it, if present), credentialSubject with an achievement
 * that has id, type, name, description and criteria.  now_ms: 0 skips the
 * validity period check.  Errors as cred_verify_proof, plus
 * MENTOR_EEXPIRED / MENTOR_EFUTURE for the validity period.
 */
int	cred_verify_ob3(const json_t *doc, int64_t now_ms, char *err,
	    size_t errlen);

#endif
