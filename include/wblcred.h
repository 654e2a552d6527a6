/*
 * wblcred.h: the Open Badges 3.0 credential of one work-based learning
 * experience (SPEC.md 14.5): what a school node issues when a placement
 * is completed.  Pure: no I/O, no clock, no key; credential.h signs it.
 */
#ifndef MENTOR_WBLCRED_H
#define MENTOR_WBLCRED_H

#include <stddef.h>

#include <jansson.h>

#define WBLCRED_COMPETENCIES_MAX	128
#define WBLCRED_EVIDENCE_MAX		64

/*
 * wblcred_build: a new unsigned OpenBadgeCredential (*out, owned by the
 * caller) from the experience exp, an object with
 *   id		  string, required: the credential's URI (urn:uuid:...)
 *   achievement  string, required: the achievement's URI
 *   issuer	  {"id": did:key, "name"}, both required
 *   valid_from	  string, required: "YYYY-MM-DDTHH:MM:SSZ"
 *   student	  string, required: the student's name (the subject's
 *		  identifier, unhashed: the student carries the credential)
 *   kind	  string, required: the listing's kind (job_shadow, ...)
 *   title	  string, required: the listing's title
 *   employer	  string, required: the employer's name
 *   start, end	  strings "YYYY-MM-DD"; start required, end optional
 *   minutes	  integer >= 0, required: confirmed minutes
 *   competencies [{"id", "name", "level" 0..4, "url"}], 0..
 *		  WBLCRED_COMPETENCIES_MAX: the alignments ("onet:X" are
 *		  O*NET Content Model elements, "case:X" CASE items)
 *   evidence	  [{"id", "name", "narrative"}], 0..WBLCRED_EVIDENCE_MAX:
 *		  the employer's evaluations, as Evidence
 * Returns 0, MENTOR_EINVAL ("FIELD: why" in err) or MENTOR_ENOMEM.
 */
int	wblcred_build(const json_t *exp, json_t **out, char *err,
	    size_t errlen);

/*
 * wblcred_sign: signs cred (from wblcred_build) with sk (libsodium's
 * 64-byte Ed25519 secret key; the issuer must be its did:key) at created
 * ("YYYY-MM-DDTHH:MM:SSZ"), the proof as a one-member array as Open
 * Badges' schema wants.  0, MENTOR_EINVAL or MENTOR_ENOMEM.
 */
int	wblcred_sign(json_t *cred, const unsigned char sk[64],
	    const char *created);

#endif
