/*
 * outbox.h: records a user action publishes, kept in the store in the same
 * transaction as the action itself and published after it commits, until
 * published.  A crash at any point leaves either nothing of the action or
 * all of it with its records still to send; nothing leaves the node before
 * the action (and its audit entry) is committed.
 *
 * Store layout (DB_AUX):
 *   'o' seq(8)  -> a signed record (bytes as signed), waiting to be
 *                  accepted into the node's records (which pushes it)
 *   'O'         -> the next seq(8)
 */
#ifndef MENTOR_OUTBOX_H
#define MENTOR_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct store_txn;

/*
 * outbox_put: inside the caller's write transaction, queues a copy of
 * the signed record rec.  0 or the store's error.
 */
int	outbox_put(struct store_txn *, const uint8_t *rec, size_t len);

/*
 * outbox_flush: publishes every queued record (records_accept) and
 * removes those done.  A record already held counts as done; one refused
 * for good (expired, superseded) is dropped with a warning; on a store
 * failure the rest wait for the next flush.  Returns how many wait.
 */
size_t	outbox_flush(struct node *);

/*
 * outbox_open: flushes once the event loop runs, then every few seconds
 * while records wait.  outbox_close: stops that.  0 or MENTOR_ENOMEM.
 */
int	outbox_open(struct node *);
void	outbox_close(struct node *);

#endif
