/*
 * peer.h: federation: the listening socket (CURVE, admitted by a ZAP
 * handler that knows only the peers the operator added), one outgoing
 * connection per peer, heartbeats, pushing new records, and anti-entropy
 * by range-based set reconciliation (protocol/SPEC.md sections 11, 12).
 *
 * Store layout: DB_PEERS  node key(32) -> JSON {"endpoint","added","org"}
 */
#ifndef MENTOR_PEER_H
#define MENTOR_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct node;
struct peers;

/* peers_open: binds the ZAP handler, then the listener, connects peers. */
int	peers_open(struct peers **, struct node *, char *err, size_t errlen);
void	peers_close(struct peers *);

/* peers_count: peers added (for status). */
size_t	peers_count(const struct peers *);

#endif
