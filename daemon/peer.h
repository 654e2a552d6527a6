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

/*
 * peers_health: what status and /metrics report of federation: counts,
 * totals since start, the newest reconciliation, and the earliest expiry
 * of the certificates this node holds from hub peers (0: none).
 */
struct peers_health {
	size_t		 peers, connected, suspended;
	int64_t		 last_sync_ms;		/* 0: never */
	uint64_t	 syncs, sync_failures, rounds;
	uint64_t	 bytes_sent, bytes_received, records_in, records_out;
	uint64_t	 invalid, untrusted;
	uint64_t	 throttled_valid;	/* records beyond the limits */
	uint64_t	 limited_announce, limited_recon;  /* requests beyond */
	uint64_t	 limited_want, limited_relay;	   /* them */
	uint64_t	 limited_ack, limited_ping;
	size_t		 syncing;		/* syncs under way */
	/* Directed records addressed here, refused as untrusted. */
	uint64_t	 refused_directed;
	int64_t		 refused_at;		/* the last one; 0: none */
	char		 refused_author[65];	/* its author, hex */
	uint64_t	 to_fetch, delivered;	/* ... their fetches */
	int64_t		 cert_expires_ms;	/* 0: no certificate */
	char		 cert_hub[101];		/* name of that hub */
};
void	peers_health(const struct peers *, struct peers_health *);

/*
 * peers_add: links with node key listening at endpoint (checked by the
 * caller: tcp://HOST:PORT), or, when endpoint is "", admits the key and
 * waits for the peer to dial in; org may be NULL.  Stores the peer, trusts its
 * records (hub: also honours its certificates, SPEC.md 4.6; a mark set
 * earlier with trust add --hub stays), certifies it when this node is a
 * hub, and connects.  Errors,
 * with err saying why: MENTOR_EINVAL (this node's own key, or not an
 * Ed25519 key), MENTOR_EEXIST (already a peer), MENTOR_ETOOBIG (too many
 * peers), or the store's error.
 */
int	peers_add(struct peers *, const uint8_t key[32], const char *endpoint,
	    const char *org, int hub, char *err, size_t errlen);

/*
 * peers_remove: forgets the peer, stops trusting it and revokes its
 * certificate.  MENTOR_ENOTFOUND or the store's error.
 */
int	peers_remove(struct peers *, const uint8_t key[32]);

/*
 * peers_rotate: the peer old rotated its key to key (SPEC.md 2.7): the
 * same link (endpoint, organization, hub mark) with the new key, as
 * peers_remove then peers_add.  MENTOR_ENOTFOUND when old is no peer;
 * otherwise as peers_add, err saying why.
 */
int	peers_rotate(struct peers *, const uint8_t old[32], const uint8_t key[32],
	    char *err, size_t errlen);

/*
 * peers_refused: the latest connections the ZAP handler refused:
 * [{"curve_key","address","first","last","count"}], a new reference;
 * NULL when out of memory.
 */
json_t	*peers_refused(const struct peers *);

/*
 * peers_list: [{"node_id","endpoint","dials_in","connected","status",
 * "hub","name","role",
 * "last_contact","invalid","untrusted","ignored_certificates","dropped",
 * "queued","suspended","throttled","totals"}], a new reference; NULL when
 * out of memory.  "queued": bytes of its messages not yet verified.
 */
json_t	*peers_list(const struct peers *);

/*
 * peers_note_own: inside the transaction storing this node's own directed
 * record r (application, answer), notes it for delivery to `to`: it is
 * sent toward to (SPEC.md 12.6) and resent until to acknowledges it.
 */
struct store_txn;
struct rec;
int	peers_note_own(struct store_txn *, const struct rec *r,
	    const uint8_t to[32]);

/*
 * peers_delivery: for this node's own directed record with that ref
 * ("@app:..." / "@ans:..."): 1 acknowledged by its recipient, 0 pending,
 * -1 unknown (not sent through peers_direct_to).
 */
int	peers_delivery(struct peers *, const char *ref);

/*
 * peers_sync_start: starts reconciling with every connected peer under a
 * new generation (into *gen); returns how many peers were started.
 */
size_t	peers_sync_start(struct peers *, unsigned *gen);

/*
 * peers_sync_status: {"done", "peers":[{"node_id","done","failed",
 * "rounds",...}]} for generation gen; a new reference or NULL (ENOMEM).
 */
json_t	*peers_sync_status(const struct peers *, unsigned gen);

#endif
