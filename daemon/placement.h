/*
 * placement.h: what happens between a school and an employer after an
 * application (SPEC.md 13.9): withdrawals, the placement's state,
 * attendance and evaluations.  Each is a placement message, sealed to the
 * other party and carried by a directed record of kind REC_PLACEMENT.
 *
 * Both nodes keep the placement inside the application's entry (DB_AUX
 * 's' + id on the school, 'e' + id on the employer) as "placement":
 *   {"state", "start", "end"?, "kind", "employer_name", "history": [...],
 *    "hours": [...], "evaluations": [...]}
 * created when the employer accepts.  One table (placement.c) says, for
 * each message type, which side may send it and how it changes the
 * entry; the sender runs it on its own entry and the recipient on its
 * own, so both end with the same state.
 */
#ifndef MENTOR_PLACEMENT_H
#define MENTOR_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct cmd_ctx;
struct node;
struct rec;
struct store_txn;

/* What a message type's function sees. */
struct plc_ctx {
	struct node	*node;
	struct store_txn *txn;
	char		 side;		/* this node: 's' school, 'e' employer */
	char		 from;		/* the message's sender side */
	const uint8_t	*app;		/* APP_ID_LEN bytes */
	const char	*app_hex;
	const json_t	*msg;		/* the parsed message */
	json_t		*entry;		/* the application entry; written
					 * back by the caller on success */
	int64_t		 now;		/* ms */
	int		 seat_freed;	/* a listing to republish not full */
	char		 err[256];	/* why refused: plain words */
};

/*
 * placement_new: the "placement" object of an application accepted now:
 * state scheduled, start/end/kind/employer_name from the listing body
 * (start defaults to today).  A new reference, NULL when out of memory.
 */
json_t	*placement_new(const json_t *listing, const char *by, int64_t now);

/*
 * placement_send: sends message msg (consumed; "type" and its fields set
 * by the caller) about application app_hex from this node.  Fills in v,
 * application, id and created, checks it as the recipient will
 * (plc_parse), seals it to the other party and, in one transaction, runs
 * the type's change on this node's entry, appends an audit entry and
 * queues the record in the outbox.  The message id into id_out.  Errors
 * through cmd_fail, in words for the person who asked.
 */
int	placement_send(struct cmd_ctx *, const char *app_hex, json_t *msg,
	    char id_out[33]);

/*
 * placement_recv: inside the transaction storing r, a placement record
 * from another node whose box opened to plain: checked (SPEC.md 13.9:
 * the application is on this node, the sender is its other party and may
 * send the type, the type's own rules) and applied.  A refused message is
 * logged without student data and dropped (returns 0); only store errors
 * are returned.
 */
int	placement_recv(struct node *, struct store_txn *, const struct rec *r,
	    const uint8_t *plain, size_t plen);

/*
 * placement_recipient: inside t, the other party of our own placement
 * record r.  0, MENTOR_EINVAL or MENTOR_ENOTFOUND.
 */
int	placement_recipient(struct store_txn *, const struct rec *r,
	    uint8_t to[32]);

/*
 * placement_relist: republishes, not full, every listing of ours a
 * withdrawal freed a seat of (queued by placement_recv).  Called after
 * records are stored and at start.
 */
void	placement_relist(struct node *);

/*
 * placement_entry: inside t, the entry of application app on this node (a
 * new reference into *entry) and the side it is on: 's' (we are its
 * school) or 'e' (its employer).  0, MENTOR_ENOTFOUND or MENTOR_ESTORE.
 */
int	placement_entry(struct store_txn *, const uint8_t *app, json_t **entry,
	    char *side);

/*
 * placement_hours: the attendance of a placement object as hours.list
 * gives it: {"entries": [...] sorted by date then time logged, "totals":
 * {"logged", "confirmed", "disputed", "pending"}: each {"entries",
 * "minutes"}}, "logged" counting every entry and "pending" those not yet
 * answered.  A new reference; NULL when out of memory.
 */
json_t	*placement_hours(const json_t *placement);

/* placement_open: watches stored records to run placement_relist. */
int	placement_open(struct node *, char *err, size_t errlen);

#endif
