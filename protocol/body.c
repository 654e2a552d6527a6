/*
 * body.c: the per-kind rules on a record's ref and body, applied after
 * the signature and the clock (SPEC.md 4.7).  The verdict here must be the
 * same on every node, so nothing in it depends on local state.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "application.h"
#include "body.h"
#include "check.h"
#include "listing.h"
#include "mentor.h"
#include "util.h"

/*
 * jansson refuses JSON nested deeper than JSON_PARSER_MAX_DEPTH; SPEC.md 2
 * states the number, so a jansson built with another limit (or none)
 * would give other verdicts than its peers.
 */
#if !defined(JSON_PARSER_MAX_DEPTH) || JSON_PARSER_MAX_DEPTH != BODY_JSON_DEPTH
#error "jansson's JSON_PARSER_MAX_DEPTH must be 2048 (SPEC.md section 2)"
#endif

static int
text_ok(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) >= 1 &&
	    json_string_length(v) <= max &&
	    strlen(json_string_value(v)) == json_string_length(v);
}

static int
role_ok(const json_t *v)
{
	const char *s = json_string_value(v);

	return s && (strcmp(s, "school") == 0 || strcmp(s, "employer") == 0 ||
	    strcmp(s, "hub") == 0);
}

/* identity_check: node and certificate bodies (SPEC.md 2.3, 2.4). */
static int
identity_check(const struct rec *r, const json_t *j, char *err, size_t len)
{
	char want[2 * REC_KEY_LEN + 1];
	uint8_t key[REC_KEY_LEN];
	const char *hex;

	if (!json_is_object(j))
		return chk_errf(err, len, "not a JSON object");
	if (!text_ok(json_object_get(j, "name"), 200) && r->kind == REC_NODE)
		return chk_errf(err, len, "name: missing");
	if (!role_ok(json_object_get(j, "role")))
		return chk_errf(err, len, "role: school, employer or hub");
	if (r->kind == REC_NODE) {
		/*
		 * Peers derive the transport key from the NODE_ID (12.1) and
		 * never read this one: it must be that key, so that no
		 * reader can be misled by it.
		 */
		hex = json_string_value(json_object_get(j, "curve_key"));
		if (hex == NULL || strlen(hex) != 2 * REC_KEY_LEN)
			return chk_errf(err, len, "curve_key: 64 hex digits");
		if (crypto_sign_ed25519_pk_to_curve25519(key, r->author) != 0)
			return chk_errf(err, len, "curve_key: the author key "
			    "has no X25519 form");
		hex_encode(want, key, sizeof(key));
		if (strcmp(hex, want) != 0)
			return chk_errf(err, len, "curve_key: not the key "
			    "derived from the author");
		return 0;
	}
	if (!text_ok(json_object_get(j, "organization"), 200))
		return chk_errf(err, len, "organization: missing");
	hex = json_string_value(json_object_get(j, "subject"));
	if (hex == NULL || strlen(hex) != 2 * REC_KEY_LEN ||
	    r->ref_len != REC_CERT_REF_LEN ||
	    memcmp(hex, r->ref + strlen(REC_CERT_PREFIX), 2 * REC_KEY_LEN) != 0)
		return chk_errf(err, len, "subject: differs from the ref");
	return 0;
}

int
body_rotation_proof(uint8_t out[64], const uint8_t *old_key,
    const uint8_t *new_key, const uint8_t *new_sk)
{
	uint8_t m[sizeof(REC_ROT_PROOF_TAG) - 1 + 2 * REC_KEY_LEN];
	size_t tl = sizeof(REC_ROT_PROOF_TAG) - 1;

	memcpy(m, REC_ROT_PROOF_TAG, tl);
	memcpy(m + tl, old_key, REC_KEY_LEN);
	memcpy(m + tl + REC_KEY_LEN, new_key, REC_KEY_LEN);
	if (new_sk != NULL)
		return crypto_sign_detached(out, NULL, m, sizeof(m), new_sk) ==
		    0 ? 0 : MENTOR_EINVAL;
	return crypto_sign_verify_detached(out, m, sizeof(m), new_key) == 0 ?
	    0 : MENTOR_ESIG;
}

/* rotation_check: the body of a key rotation (SPEC.md 2.8). */
static int
rotation_check(const struct rec *r, const json_t *j, char *err, size_t len)
{
	uint8_t key[REC_KEY_LEN], proof[64];
	const char *hex, *phex;
	char low[2 * 64 + 1];

	if (!json_is_object(j))
		return chk_errf(err, len, "not a JSON object");
	hex = json_string_value(json_object_get(j, "new_key"));
	if (hex == NULL || strlen(hex) != 2 * REC_KEY_LEN ||
	    hex_decode(key, sizeof(key), hex) != 0)
		return chk_errf(err, len, "new_key: 64 hex digits");
	hex_encode(low, key, sizeof(key));
	if (strcmp(low, hex) != 0)
		return chk_errf(err, len, "new_key: lowercase hex");
	if (memcmp(key, r->author, REC_KEY_LEN) == 0)
		return chk_errf(err, len, "new_key: the author's own key");
	phex = json_string_value(json_object_get(j, "proof"));
	if (phex == NULL || strlen(phex) != 2 * sizeof(proof) ||
	    hex_decode(proof, sizeof(proof), phex) != 0)
		return chk_errf(err, len, "proof: 128 hex digits");
	hex_encode(low, proof, sizeof(proof));
	if (strcmp(low, phex) != 0)
		return chk_errf(err, len, "proof: lowercase hex");
	if (body_rotation_proof(proof, r->author, key, NULL) != 0)
		return chk_errf(err, len, "proof: not signed by new_key");
	return 0;
}

/*
 * json_body: r's body as JSON, or NULL.  A NUL byte is never JSON text
 * (SPEC.md 2), though jansson would pass one after a number or a literal.
 */
static json_t *
json_body(const struct rec *r)
{
	if (memchr(r->body, 0, r->body_len) != NULL)
		return NULL;
	return json_loadb((const char *)r->body, r->body_len,
	    JSON_REJECT_DUPLICATES, NULL);
}

int
body_check(const struct rec *r, char *err, size_t errlen)
{
	char sub[BODY_ERR_MAX - 32];
	json_t *j;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	switch (r->kind) {
	case REC_LISTING:
	case REC_WITHDRAWAL:
		/* The decoder already refused '@' (SPEC.md 1.4). */
		if (r->ref_len > REC_USER_REF_MAX)
			return chk_errf(err, errlen, "%s ref is not a user ref",
			    rec_kind_name(r->kind));
		if (r->kind == REC_WITHDRAWAL) {
			if (r->body_len != 0)
				return chk_errf(err, errlen,
				    "withdrawal has a body");
			return 0;
		}
		rc = listing_body_check(r->body, r->body_len, sub,
		    sizeof(sub));
		if (rc != 0)
			chk_errf(err, errlen, "listing body: %s", sub);
		return rc;
	case REC_APPLICATION:
	case REC_ANSWER:
	case REC_PLACEMENT:
		/* A sealed box: opaque to every node but its recipient. */
		if (r->body_len < APP_SEALED_MIN || r->body_len > APP_SEALED_MAX)
			return chk_errf(err, errlen, "%s body is not a sealed "
			    "box of %d to %d bytes", rec_kind_name(r->kind),
			    APP_SEALED_MIN, APP_SEALED_MAX);
		return 0;
	case REC_NODE:
	case REC_CERTIFICATE:
		j = json_body(r);
		rc = identity_check(r, j, sub, sizeof(sub));
		json_decref(j);
		if (rc != 0)
			chk_errf(err, errlen, "%s body: %s",
			    rec_kind_name(r->kind), sub);
		return rc;
	case REC_ROTATION:
		j = json_body(r);
		rc = rotation_check(r, j, sub, sizeof(sub));
		json_decref(j);
		if (rc != 0)
			chk_errf(err, errlen, "rotation body: %s", sub);
		return rc;
	}
	return chk_errf(err, errlen, "unknown kind");
}
