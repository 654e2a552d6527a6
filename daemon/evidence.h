/*
 * evidence.h: what a school node knows its students have shown: the
 * employers' evaluations (SPEC.md 13.9, type "evaluation"), each student's
 * evidence per competency, and applying an evaluation to the student's
 * competency levels, which matching reads at once (it loads the student
 * from the store for every request).
 *
 * Store layout (DB_AUX):
 *   'v' evaluation id(16) -> the evaluation message as received, plus
 *                            "student" (school side), "received": ms,
 *                            "applied": ms or null, "applied_by"
 *   'E' student id        -> {competency id: [{"level", "evaluation",
 *                            "assessor": {name, organization}, "date",
 *                            "application", "stage"}, ...]}
 *   'b' application id(16) -> {"student", "issued": ms, "credential": the
 *                            signed Open Badges 3.0 credential} (the
 *                            node's copy; 'c' is taken by consents)
 * Nothing here is logged: it is all student data.
 */
#ifndef MENTOR_EVIDENCE_H
#define MENTOR_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct node;
struct plc_ctx;
struct store_txn;

/* conf.apply_evaluations ([placements] apply_evaluations). */
#define EVIDENCE_AUTO_NO	0	/* "no": the coordinator applies */
#define EVIDENCE_AUTO_RAISE	1	/* "raise": raises on receipt */

/* How an evaluation changes levels. */
enum evidence_mode {
	EVIDENCE_SET = 0,	/* each rated level becomes the student's */
	EVIDENCE_RAISE		/* only ratings above the current level */
};

/*
 * evidence_receive: inside a write transaction, keeps msg (an evaluation
 * message as plc_parse returns it; not consumed) for student, received at
 * received_ms.  When the node's [placements] apply_evaluations is
 * "raise", the raises are applied at once (by "automatic").
 * MENTOR_EINVAL (msg is not an evaluation; err says why), MENTOR_EEXIST
 * (this evaluation id is already kept), MENTOR_ENOTFOUND (no such
 * student), MENTOR_ENOMEM, or the store's error.
 */
int	evidence_receive(struct store_txn *, struct node *,
	    const char *student, const json_t *msg, int64_t received_ms,
	    char *err, size_t errlen);

/*
 * evidence_receive_plain: evidence_receive in a transaction of its own,
 * from a plaintext (plc_parse checks it first).  The entry point of
 * tests and of callers outside a transaction.
 */
int	evidence_receive_plain(struct node *, const char *student,
	    const uint8_t *plain, size_t len, char *err, size_t errlen);

/*
 * evidence_apply: inside a write transaction, applies evaluation id to its
 * student's profile as mode says, appends the evidence (every rating),
 * marks the evaluation applied and writes an audit entry naming by.
 * *changes (may be NULL) gets a new array [{"competency", "from", "to"}]
 * of the levels that changed.  MENTOR_ENOTFOUND (no such evaluation, or
 * its student is gone), MENTOR_EEXIST (already applied), MENTOR_EINVAL
 * (the new profile would not be valid; err says why), MENTOR_ENOMEM, or
 * the store's error.
 */
int	evidence_apply(struct store_txn *, struct node *, const uint8_t id[16],
	    enum evidence_mode mode, const char *by, json_t **changes,
	    char *err, size_t errlen);

/*
 * evidence_get: the student's evidence object ('E'), a new reference; an
 * empty object when there is none.  NULL when out of memory or the store
 * failed.
 */
json_t	*evidence_get(struct store_txn *, const char *student);

/*
 * evidence_evaluation: the stored evaluation id (a new reference) in *out.
 * MENTOR_ENOTFOUND, MENTOR_ESTORE (not JSON).
 */
int	evidence_evaluation(struct store_txn *, const uint8_t id[16],
	    json_t **out);

/*
 * evidence_credential_issue: inside a write transaction, issues the Open
 * Badges 3.0 credential of application app's completed placement (the
 * school side's 's' entry): the listing's kind and title, the employer,
 * the confirmed hours, the competencies its evaluations rated (the latest
 * rating of each) as alignments and the evaluations as evidence; signed
 * with the node's key (wblcred.h, SPEC 14.5).  Keeps it under 'b' + app
 * and writes a "credential-issued" audit entry naming by.  *out (may be
 * NULL) gets the new 'b' entry.  MENTOR_ENOTFOUND (no such application,
 * or its student is gone), MENTOR_EINVAL (no placement, not completed, or
 * incomplete; err says which), MENTOR_EEXIST (already issued),
 * MENTOR_ENOMEM, or the store's error.
 */
int	evidence_credential_issue(struct store_txn *, struct node *,
	    const uint8_t app[16], const char *by, json_t **out, char *err,
	    size_t errlen);

/*
 * evidence_credential_get: the 'b' entry of app (a new reference).
 * MENTOR_ENOTFOUND, MENTOR_ESTORE.
 */
int	evidence_credential_get(struct store_txn *, const uint8_t app[16],
	    json_t **out);

/*
 * evidence_forget: inside a transaction deleting a student: removes their
 * evidence, the evaluations about them and the node's copies of their
 * credentials (those already handed out stay with the student).
 */
int	evidence_forget(struct store_txn *, const char *student);

/*
 * evidence_plc_apply: the placement message "evaluation" (placement.c's
 * table), on either side, inside the transaction that stores or sends
 * it: the school keeps it as evidence_receive does (the student's own
 * evaluation; applied at once when the node says so), the employer keeps
 * what it sent (no student in it); both add its id to the placement's
 * "evaluations".  MENTOR_EINVAL with p->err (no placement, cancelled,
 * another listing, already kept, the student gone) or the store's error.
 */
int	evidence_plc_apply(struct plc_ctx *);

#endif
