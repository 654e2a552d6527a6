/*
 * body.h: the kind rules of a record that has passed rec_open (SPEC.md
 * section 2 and 4.7 "body"): the user ref limit and the body of each kind.
 * Pure: no I/O, no clock, no store; the same verdict on every node.
 */
#ifndef MENTOR_BODY_H
#define MENTOR_BODY_H

#include <stddef.h>

#include "record.h"

#define BODY_ERR_MAX	320	/* enough for any message of body_check */
#define BODY_JSON_DEPTH	2048	/* nesting of a JSON body (SPEC.md 2) */

/*
 * body_check: checks r (decoded, normally by rec_open) against the rules
 * of its kind:
 *   listing      ref at most REC_USER_REF_MAX octets, body as
 *                listing_body_check (listing.h)
 *   withdrawal   ref at most REC_USER_REF_MAX octets, empty body
 *   node         a JSON object: name (1..200 octets), role (school,
 *                employer, hub), curve_key (64 lowercase hex digits,
 *                the X25519 key crypto_sign_ed25519_pk_to_curve25519
 *                derives from the author); other members are ignored
 *   certificate  a JSON object: role, organization (1..200 octets),
 *                subject (equal to the hex of the ref); others ignored
 *   application, answer: APP_SEALED_MIN to APP_SEALED_MAX octets, opaque
 *   rotation     a JSON object: new_key (64 lowercase hex digits, not the
 *                author), proof (128 lowercase hex digits, a valid
 *                body_rotation_proof by new_key); others ignored
 * Checked in that order within a kind; the first failure is reported in
 * err ("listing body: title: missing"), which is always NUL-terminated
 * when errlen > 0.  Returns 0, MENTOR_EINVAL, or MENTOR_ENOMEM.
 */
int	body_check(const struct rec *r, char *err, size_t errlen);

/*
 * body_rotation_proof: with new_sk (64-octet Ed25519 secret key of
 * new_key), signs REC_ROT_PROOF_TAG || old_key || new_key into out (0 or
 * MENTOR_EINVAL); with new_sk NULL, verifies out against new_key (0 or
 * MENTOR_ESIG).
 */
int	body_rotation_proof(uint8_t out[64], const uint8_t *old_key,
	    const uint8_t *new_key, const uint8_t *new_sk);

#endif
