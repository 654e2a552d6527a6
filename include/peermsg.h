/*
 * peermsg.h: the messages between peers (protocol/SPEC.md section 12).
 * One ZeroMQ frame each: a 6-byte header (version, type, session) and a
 * type-specific body.  Records inside are carried exactly as signed, in
 * export-stream frames (section 5); decoding here checks the framing only,
 * records.c verifies each record.
 */
#ifndef MENTOR_PEERMSG_H
#define MENTOR_PEERMSG_H

#include <stddef.h>
#include <stdint.h>

#define PM_VERSION	1
#define PM_HDR_LEN	6
#define PM_MAX		(8u << 20)	/* a whole message */
#define PM_WANT_MAX	1024		/* ids in one WANT */
#define PM_NAME_MAX	100
#define PM_EP_MAX	255

enum pm_type {
	PM_PING = 1,		/* hello: who I am */
	PM_PONG = 2,		/* hello back */
	PM_PUSH = 3,		/* records, unasked */
	PM_RECON = 4,		/* set reconciliation, initiator -> responder */
	PM_RECON_REPLY = 5,	/* responder -> initiator */
	PM_WANT = 6,		/* record ids asked for */
	PM_RECORDS = 7,		/* the records asked for */
	PM_DELIVER = 8,		/* a directed record, toward its recipient */
	PM_ACK = 9,		/* the recipient holds it, toward the sender */
	PM_ANNOUNCE = 10	/* ids of records just stored: fetch by WANT */
};

#define PM_ANN_LEN	40	/* created_at(8) id(32) */
#define PM_ANN_MAX	1024	/* entries in one ANNOUNCE */

#define PM_ACK_LEN	160	/* id(32) sender(32) recipient(32) sig(64) */
#define PM_ACK_CONTEXT	"mentord-ack-v1"	/* signed with id, sender */

struct pm_hello {
	uint8_t		role;			/* node_role */
	char		name[PM_NAME_MAX + 1];
	char		endpoint[PM_EP_MAX + 1];
};

/* A decoded message: pointers into the caller's buffer. */
struct pm {
	uint8_t		 type;
	uint32_t	 session;
	struct pm_hello	 hello;		/* PING, PONG */
	const uint8_t	*body;		/* PUSH, RECORDS: frames; RECON*: */
	size_t		 body_len;	/*   the reconciliation message */
	size_t		 nrecords;	/* PUSH, RECORDS: frames in body */
	const uint8_t	*ids;		/* WANT: nids * 32 bytes */
	size_t		 nids;
	uint8_t		 more;		/* RECORDS: more to come for the WANT */
	const uint8_t	*to;		/* DELIVER: the recipient's key */
	const uint8_t	*ack;		/* ACK: PM_ACK_LEN bytes */
	const uint8_t	*ann;		/* ANNOUNCE: nann * PM_ANN_LEN bytes */
	size_t		 nann;
};

/*
 * pm_decode: checks and decodes one message.  Returns 0, MENTOR_EVERSION,
 * MENTOR_ETOOBIG (over PM_MAX) or MENTOR_EPROTO (anything malformed:
 * unknown type, truncated, bad framing, trailing bytes).  Never reads
 * outside [buf, buf + len).
 */
int	pm_decode(struct pm *m, const uint8_t *buf, size_t len);

/* pm_header: writes the 6-byte header. */
void	pm_header(uint8_t out[PM_HDR_LEN], unsigned type, uint32_t session);

/*
 * pm_hello_encode: a PING or PONG into out (cap bytes, at least
 * PM_HDR_LEN + 4 + PM_NAME_MAX + PM_EP_MAX).  Returns its length, or 0
 * when a string is too long.
 */
size_t	pm_hello_encode(uint8_t *out, size_t cap, unsigned type,
	    uint32_t session, const struct pm_hello *h);

#endif
