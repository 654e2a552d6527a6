/*
 * application.h: the sealed contents of application and answer records
 * (protocol/SPEC.md sections 2.5, 2.6 and 13): sealing to a node's key,
 * opening, and strict validation of the two plaintexts.  Pure: no I/O, no
 * clock, no global state.  Callers must have called sodium_init() once.
 */
#ifndef MENTOR_APPLICATION_H
#define MENTOR_APPLICATION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mentor.h"

#define APP_ID_LEN		16	/* octets; 32 lowercase hex in text */
#define APP_MSG_MAX		2000	/* message text bytes */
#define APP_PLAIN_MAX		16384	/* plaintext bytes, either kind */
#define APP_SEAL_OVERHEAD	48	/* crypto_box_SEALBYTES */
/* A record body that could hold a sealed plaintext: relays check this. */
#define APP_SEALED_MIN		(APP_SEAL_OVERHEAD + 2)	/* "{}" */
#define APP_SEALED_MAX		(APP_SEAL_OVERHEAD + APP_PLAIN_MAX)
#define APP_NAME_MAX		100	/* first_name bytes */
#define APP_SCHOOL_NAME_MAX	200	/* school_name bytes */
#define APP_COMPETENCIES_MAX	64	/* at most the listing's 32 + 32 */
#define APP_CLUSTERS_MAX	16	/* goals.clusters */
#define APP_OCCUPATIONS_MAX	32	/* goals.occupations */
#define APP_GRADE_MAX		13
#define ANSWER_NOTE_MAX		500	/* note bytes */
#define APP_ERR_MAX		256	/* enough for any message below */
#define PLC_CONTACT_MAX		200	/* contact and assessor fields */
#define PLC_TEXT_MAX		1000	/* activity, rating comment */
#define PLC_RATINGS_MAX		64	/* an evaluation's ratings */

/*
 * app_seal: seals the len bytes at plain to the node whose Ed25519 public
 * key (its NODE_ID) is recipient_ed25519_pk: crypto_box_seal to the X25519
 * key crypto_sign_ed25519_pk_to_curve25519 derives from it.  The output is
 * len + APP_SEAL_OVERHEAD bytes and randomized (a fresh ephemeral key each
 * time).  *out is malloc'd, owned by the caller (free); *outlen its size.
 *
 * Returns 0; MENTOR_ETOOBIG (len > APP_PLAIN_MAX); MENTOR_EINVAL (the key
 * is not a usable Ed25519 public key, or plain is NULL with len > 0);
 * MENTOR_ENOMEM.  On error *out is NULL and *outlen 0.
 */
int	app_seal(const uint8_t *plain, size_t len,
	    const uint8_t recipient_ed25519_pk[32], uint8_t **out,
	    size_t *outlen);

/*
 * app_open: opens a sealed box made by app_seal for the node whose Ed25519
 * key pair is my_ed25519_pk / my_ed25519_sk (libsodium's 64-byte secret
 * key).  The converted X25519 secret key is wiped before returning.
 *
 * *plain is malloc'd with one more byte, a NUL, after the *plainlen bytes
 * of plaintext (which may themselves hold NULs); the caller frees it.
 *
 * Returns 0; MENTOR_ESIG when the box cannot be opened: sealed to another
 * key, altered, cut short (including len < APP_SEAL_OVERHEAD), or the key
 * pair is unusable; MENTOR_ETOOBIG (len > APP_SEALED_MAX, not tried);
 * MENTOR_ENOMEM.  On error *plain is NULL and *plainlen 0.
 */
int	app_open(const uint8_t *sealed, size_t len,
	    const uint8_t my_ed25519_pk[32], const uint8_t my_ed25519_sk[64],
	    uint8_t **plain, size_t *plainlen);

/*
 * app_parse: validates the plaintext of an application (SPEC.md 13.1), one
 * JSON object (UTF-8; duplicate keys and "\u0000" refused):
 *   v		  required; the integer 1
 *   application  required; 32 lowercase hex: the application id
 *   listing	  required; 32 lowercase hex: the listing ID applied to
 *   school	  required; 64 lowercase hex: the school's NODE_ID
 *   school_name  required; 1..APP_SCHOOL_NAME_MAX bytes, no control chars
 *   student_ref  required; 32 lowercase hex: the school's pseudonym
 *   first_name	  required; 1..APP_NAME_MAX bytes, no control characters
 *   grade	  optional; integer 0..APP_GRADE_MAX
 *   competencies required; {competency id: level 0..4}, at most
 *		  APP_COMPETENCIES_MAX, ids as competency_id_valid
 *   goals	  required; {"clusters": [...], "occupations": [...]}, both
 *		  arrays required, distinct codes, at most APP_CLUSTERS_MAX
 *		  and APP_OCCUPATIONS_MAX (cluster_code_valid,
 *		  occupation_code_valid)
 *   message	  optional; 1..APP_MSG_MAX bytes; tab, CR and LF allowed,
 *		  no other control characters
 *   consent	  required; {"guardian": true or false}
 *   created	  required; integer ms since the epoch, >= 0
 * and nothing else: any other key (birth_date, name, location, ...) is
 * refused as an unknown field.  Unknown fields are looked for first (in
 * the object's order), then the fields in the order above; the first
 * problem is reported as "FIELD: why" ("goals.clusters[1]: duplicate
 * \"stem\"", "competencies.onet:2.A.1.a: must be 0 to 4").
 *
 * On success *out is the parsed object (new reference, caller releases
 * with json_decref); on error *out is NULL.  Returns 0, MENTOR_EINVAL
 * (message in err), MENTOR_ETOOBIG (len > APP_PLAIN_MAX) or
 * MENTOR_ENOMEM.  err is always NUL-terminated when errlen > 0;
 * APP_ERR_MAX bytes suffice.  Checking the fields against the record that
 * carried them (ref, author) is the caller's business (SPEC.md 13.3).
 */
int	app_parse(const uint8_t *plain, size_t len, json_t **out, char *err,
	    size_t errlen);

/*
 * answer_parse: validates the plaintext of an answer (SPEC.md 13.2), as
 * app_parse does:
 *   v		  required; the integer 1
 *   application  required; 32 lowercase hex: the application answered
 *   listing	  required; 32 lowercase hex: its listing ID
 *   status	  required; "accepted" or "declined"
 *   note	  optional; 1..ANSWER_NOTE_MAX bytes; tab, CR and LF allowed
 * and nothing else.  Same returns, ownership and messages as app_parse.
 */
int	answer_parse(const uint8_t *plain, size_t len, json_t **out,
	    char *err, size_t errlen);

/*
 * Both plaintexts above may also carry
 *   contact	  optional; {"name", "email"?, "phone"?}, each 1..
 *		  PLC_CONTACT_MAX bytes, no control characters: the school
 *		  coordinator (application) or the employer's contact person
 *		  (answer) for the placement.
 *
 * plc_parse: validates the plaintext of a placement message (SPEC.md
 * 13.5), sealed between the school and the employer of one application.
 * Every message has
 *   v		  required; 1
 *   type	  required; withdraw | state | hours | hours-answer |
 *		  evaluation, which chooses the other fields:
 *   application  required; 32 lowercase hex: the application it is about
 *   id		  required; 32 lowercase hex: this message's own id
 *   created	  required; integer ms since the epoch, >= 0
 * withdraw:	  note?
 * state:	  state (scheduled|active|completed|cancelled), note?
 * hours:	  entry (32 hex), date (YYYY-MM-DD), minutes (1..1440),
 *		  activity (1..PLC_TEXT_MAX bytes, tab/CR/LF allowed)
 * hours-answer:  entry, status (confirmed|disputed), note?
 * evaluation:	  evaluation (32 hex), listing (32 hex), stage
 *		  (midpoint|final), assessor {name, organization},
 *		  ratings [{competency, level 0..4, comment?}] 1..
 *		  PLC_RATINGS_MAX, distinct competencies
 * and nothing else.  Same returns, ownership and messages as app_parse;
 * an unknown or missing type is "type: ...".  Rules that need a clock or
 * the placement (dates, who may send which type) are the caller's.
 */
int	plc_parse(const uint8_t *plain, size_t len, json_t **out, char *err,
	    size_t errlen);

/*
 * plc_hours_parse: hours as a person writes them, "2", "2.5", "0.75" (at
 * most PLC_HOURS_DECIMALS decimals) or "2:30", into whole minutes, rounded
 * to the nearest minute.  0; MENTOR_EINVAL when s is not such a number or
 * the minutes are not 1 to 1440 (a day).
 */
#define PLC_HOURS_DECIMALS	4
int	plc_hours_parse(const char *s, int *minutes);

#endif
