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

#define STUDENT_KEY_ID_MAX	64

/*
 * apps_student_for_key: the student a CURVE public key was issued to (id
 * into out).  MENTOR_ENOTFOUND when none (never issued, or revoked).
 */
int	apps_student_for_key(struct node *, const uint8_t key[32], char *out,
	    size_t outlen);

/* apps_open: watches records for applications and answers. */
int	apps_open(struct node *, char *err, size_t errlen);

/*
 * apps_student_forget: inside a transaction deleting a student: removes
 * the student's consents, pseudonym mapping and school-side applications,
 * and appends a pseudonymous "delete" entry to the audit log.
 */
int	apps_student_forget(struct store_txn *, struct node *, const char *id);

#endif
