/*
 * listing.h: validation of listing objects (CONTRACT.md "Listing object")
 * and their split into a signed record's header fields (ref, expires) and
 * its canonical body.  Pure functions: no I/O, no clock.
 */
#ifndef MENTOR_LISTING_H
#define MENTOR_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define LISTING_REF_MAX		64
#define LISTING_ERR_MAX		256

/* Limits beyond the contract; the messages name them. */
#define LISTING_TEXT_MAX	200	/* title, organization (bytes) */
#define LISTING_DESC_MAX	4000	/* description (bytes) */
#define LISTING_CLUSTERS_MAX	8
#define LISTING_OCCUPATIONS_MAX	16
#define LISTING_COMPETENCIES_MAX 32	/* requires, develops: each */
#define LISTING_CAPACITY_MAX	10000
#define LISTING_MIN_AGE_MAX	99
#define LISTING_EXPIRES_MAX_DAYS 400
#define LISTING_BODY_MAX	(1u << 20)	/* listing_body_check input */
#define COMPETENCY_ID_MAX	80
#define LEVEL_MAX		4

struct listing_in {
	char	 ref[LISTING_REF_MAX + 1];	/* "" when absent: caller makes one */
	int64_t	 expires_ms;			/* 0 when absent: caller's default */
	json_t	*body;				/* owned: canonical body object */
};

/*
 * listing_parse: validates the listing object obj (as posted by a user) and
 * fills *out.  now_ms is the present time, against which expires is judged:
 * it must be later than now_ms and at most 400 days after it.
 *
 * Fields are checked in this order, and the first problem is reported:
 * top-level type; unknown fields (in the object's order); then ref, kind,
 * title, organization, description, clusters, occupations, requires,
 * develops, capacity, modality, location, start, end, min_age, full,
 * expires.
 *
 * "full" is optional, true or false ("full: must be true or false"): true
 * says that the accepted applications fill the capacity, so schools stop
 * offering the listing (SPEC.md 13.5).  Only the listing's author sets
 * it, in a new version of the listing; it travels in the body like any
 * other field, and false is kept as given (it means the same as absent).
 *
 * out->body is a new object holding every field but ref and expires, with
 * values as validated (integers stay integers, lat/lon become reals).  The
 * caller owns it; release with listing_in_clear().  On failure *out holds
 * nothing that needs releasing (body is NULL).
 *
 * Returns 0; MENTOR_EINVAL with "FIELD: why" in err (paths for nested
 * fields: "requires[2].level: must be 0 to 4"); MENTOR_ENOMEM.  err is
 * always NUL-terminated when errlen > 0; LISTING_ERR_MAX bytes suffice.
 */
int	listing_parse(const json_t *obj, int64_t now_ms, struct listing_in *out,
	    char *err, size_t errlen);

/*
 * listing_parse_all: listing_parse that goes on after a problem and
 * reports every one: on MENTOR_EINVAL, *errors is a new array (owned by
 * the caller) of {"field": "requires[2].level", "message": "requires[2].
 * level: must be 0 to 4"} in the order of listing_parse, and err holds
 * the first message, as listing_parse would.  Otherwise *errors is NULL.
 * Nothing is kept on failure (all or nothing, as listing_parse).
 */
int	listing_parse_all(const json_t *obj, int64_t now_ms,
	    struct listing_in *out, json_t **errors, char *err, size_t errlen);

/* listing_in_clear: releases out->body and zeroes *out.  NULL is fine. */
void	listing_in_clear(struct listing_in *out);

/*
 * listing_body_check: validates the body bytes of a record from a peer.
 * They must be one JSON object (duplicate keys refused, at most
 * LISTING_BODY_MAX bytes) that passes the listing_parse rules, without ref
 * and expires (which belong in the record header and are refused here) and
 * without any check relative to the present time.
 *
 * Returns 0, MENTOR_EINVAL (message in err), MENTOR_ETOOBIG (over
 * LISTING_BODY_MAX) or MENTOR_ENOMEM.
 */
int	listing_body_check(const uint8_t *body, size_t len, char *err,
	    size_t errlen);

/*
 * listing_body_fast: the verdict of listing_body_check without jansson
 * and without a message: 1 when it would return 0, else 0 (also when out
 * of memory).  listing_body_check tries it first and asks
 * listing_body_check_json, which says why, only when it says no.
 * tests/fuzz/fuzz_listingbody.c holds the two to the same verdicts.
 */
int	listing_body_fast(const uint8_t *body, size_t len);

/* listing_body_check_json: listing_body_check by jansson alone. */
int	listing_body_check_json(const uint8_t *body, size_t len, char *err,
	    size_t errlen);

/*
 * listing_body_encode: the canonical bytes of body (compact, sorted keys,
 * no trailing newline).  Returns a malloc'd NUL-terminated string that the
 * caller frees, its length in *len (if len is not NULL), or NULL when out of
 * memory.
 */
char	*listing_body_encode(const json_t *body, size_t *len);

/*
 * Predicates shared with student.c and the matcher: each returns 1 when s
 * (NUL-terminated) is well-formed, else 0.
 *   listing_kind_valid:	one of the contract's kinds
 *   cluster_code_valid:	a career cluster code of either framework
 *   competency_id_valid:	"prefix:rest"; prefix [a-z][a-z0-9_-]{0,15}; rest
 *				1..64 of [A-Za-z0-9._-]; whole id <= 80 bytes;
 *				for prefix "onet" the rest is an O*NET element
 *				id: dot-separated runs of digits or of letters,
 *				the first one digits ("2.A.1.a", "1.A.1.a.1")
 *   occupation_code_valid:	an O*NET-SOC code "NN-NNNN.NN"
 *   modality_valid:		in_person, virtual or hybrid
 */
int	listing_kind_valid(const char *s);
int	cluster_code_valid(const char *s);
int	competency_id_valid(const char *s);
int	occupation_code_valid(const char *s);
int	modality_valid(const char *s);

/*
 * cluster_framework: 16 for a code of the 16-cluster framework, 14 for one
 * of the 2024 framework, 0 for anything else.
 */
int	cluster_framework(const char *code);

/*
 * location_parse: validates {"lat": -90..90, "lon": -180..180} (integers
 * or reals, no other keys) found at path (e.g. "location") and sets *out to
 * a new object with both as reals, owned by the caller.  Returns 0,
 * MENTOR_EINVAL ("location.lat: must be -90 to 90") or MENTOR_ENOMEM.
 * Shared with student.c.
 */
int	location_parse(const json_t *v, const char *path, json_t **out,
	    char *err, size_t errlen);

#endif
