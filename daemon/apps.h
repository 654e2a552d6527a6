/*
 * apps.h: guardian consent, the disclosure audit log, and applications:
 * a school's sealed applications and an employer's answers (SPEC.md 13).
 *
 * Store layout (DB_AUX, one prefix byte per kind of entry):
 *   'c' student id          -> JSON array of consents
 *   'p' pseudonym(16)       -> student id (removed when the student is)
 *   'a' seq(8)              -> audit entry JSON, hash-chained
 *   'A'                     -> seq(8) hash(32) of the last audit entry
 *   's' application id(16)  -> school side: JSON {id, listing, title,
 *                              student, employer, status, created, ...}
 *   'e' application id(16)  -> employer side: the opened application plus
 *                              status, record, received
 *   'n' listing addr(16)    -> employer side: accepted count(8)
 *   'k' curve key(32)       -> JSON {"student","created"}: a student's key
 */
#ifndef MENTOR_APPS_H
#define MENTOR_APPS_H

#include <stddef.h>

struct node;
struct store_txn;

#include <stdint.h>

#include <jansson.h>

#define STUDENT_KEY_ID_MAX	64
#define APPS_KEY_MAX		(1 + 64 + 1)	/* longest DB_AUX key */

/* apps_aux_key: prefix || id into k (APPS_KEY_MAX bytes); its length. */
size_t	apps_aux_key(uint8_t *k, char prefix, const void *id, size_t len);

/*
 * apps_get_json / apps_put_json: a DB_AUX value as JSON.  get: *out a new
 * reference; MENTOR_ENOTFOUND, MENTOR_ESTORE (not JSON).  put: j is not
 * consumed; MENTOR_ENOMEM or the store's error.
 */
int	apps_get_json(struct store_txn *, const uint8_t *k, size_t klen,
	    json_t **out);
int	apps_put_json(struct store_txn *, const uint8_t *k, size_t klen,
	    const json_t *j);

/*
 * apps_pseudonym(_hex): a stable id for a student that only this node can
 * link back (keyed BLAKE2b of the id under the node's secret).
 */
void	apps_pseudonym(const struct node *, const char *id, uint8_t out[16]);
void	apps_pseudonym_hex(const struct node *, const char *id, char out[33]);

/*
 * apps_audit_append: appends entry (consumed, also on error) to the
 * hash-chained audit log with its sequence number, time and hashes.
 */
int	apps_audit_append(struct store_txn *, json_t *entry);

/* apps_student_exists: whether a student with this id is stored. */
int	apps_student_exists(struct store_txn *, const char *id);

/*
 * apps_key_add: records key as student's own CURVE key.
 * MENTOR_ENOTFOUND (no such student) or the store's error.
 * apps_key_revoke: removes every key of student (count in *revoked).
 */
int	apps_key_add(struct node *, const uint8_t key[32], const char *student);
int	apps_key_revoke(struct node *, const char *student, size_t *revoked);

/*
 * apps_student_for_key: the student a CURVE public key was issued to (id
 * into out).  MENTOR_ENOTFOUND when none (never issued, or revoked).
 */
int	apps_student_for_key(struct node *, const uint8_t key[32], char *out,
	    size_t outlen);


/*
 * apps_listing_full: a new version of our listing at laddr marked full
 * (full 1) or not (full 0), signed but not stored (*out malloc'd); *out
 * NULL when it is so already.  0, MENTOR_ENOTFOUND (no live listing),
 * MENTOR_EINVAL (not ours, unreadable) or the signer's error.
 */
int	apps_listing_full(struct node *, const uint8_t laddr[16], int full,
	    uint8_t **out, size_t *outlen);

/*
 * apps_contact: the node's [contact] as {"name","email"?,"phone"?}, a new
 * reference; NULL when no name is configured (or out of memory).
 */
json_t	*apps_contact(const struct node *);

/* apps_open: watches records for applications and answers. */
int	apps_open(struct node *, char *err, size_t errlen);

/*
 * apps_student_forget: inside a transaction deleting a student: removes
 * the student's consents, pseudonym mapping and school-side applications,
 * and appends a pseudonymous "delete" entry to the audit log.
 */
int	apps_student_forget(struct store_txn *, struct node *, const char *id);

/*
 * apps_follow_rotation: key old rotated to new (SPEC.md 4.8 step 6): the
 * applications this node exchanges with old (its applications to old's
 * listings, the ones old's school sent it) go on with new: later messages
 * go to new, sealed to it, and are taken from new.  *changed: how many.
 * 0 or the store's error.
 */
int	apps_follow_rotation(struct node *, const uint8_t old[32],
	    const uint8_t new[32], size_t *changed);

#endif
