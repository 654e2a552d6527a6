/*
 * peermsg.c: encode and decode peer messages.  Every length is checked
 * before it is used; nothing is allocated.
 */
#include <string.h>

#include "mentor.h"
#include "peermsg.h"
#include "record.h"
#include "util.h"

void
pm_header(uint8_t out[PM_HDR_LEN], unsigned type, uint32_t session)
{
	out[0] = PM_VERSION;
	out[1] = (uint8_t)type;
	put_be32(out + 2, session);
}

size_t
pm_hello_encode(uint8_t *out, size_t cap, unsigned type, uint32_t session,
    const struct pm_hello *h)
{
	size_t nl = strlen(h->name), el = strlen(h->endpoint), n;

	if (nl > PM_NAME_MAX || el > PM_EP_MAX)
		return 0;
	n = PM_HDR_LEN + 1 + 1 + nl + 2 + el;
	if (n > cap)
		return 0;
	pm_header(out, type, session);
	out[6] = h->role;
	out[7] = (uint8_t)nl;
	memcpy(out + 8, h->name, nl);
	out[8 + nl] = (uint8_t)(el >> 8);
	out[9 + nl] = (uint8_t)el;
	memcpy(out + 10 + nl, h->endpoint, el);
	return n;
}

/* text: copies n printable bytes into out (n + 1 bytes), or fails. */
static int
text(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return MENTOR_EPROTO;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int
hello(struct pm *m, const uint8_t *p, size_t len)
{
	size_t nl, el;

	if (len < 2)
		return MENTOR_EPROTO;
	m->hello.role = p[0];
	nl = p[1];
	if (nl > PM_NAME_MAX || len < 2 + nl + 2)
		return MENTOR_EPROTO;
	if (text(m->hello.name, p + 2, nl) != 0)
		return MENTOR_EPROTO;
	el = (size_t)p[2 + nl] << 8 | p[3 + nl];
	if (el > PM_EP_MAX || len != 4 + nl + el)
		return MENTOR_EPROTO;
	return text(m->hello.endpoint, p + 4 + nl, el);
}

/* frames: the body must be whole export frames, nothing else. */
static int
frames(struct pm *m, const uint8_t *p, size_t len)
{
	const uint8_t *rec;
	size_t off = 0, reclen;
	int rc;

	m->body = p;
	m->body_len = len;
	m->nrecords = 0;
	while ((rc = xs_next(p, len, &off, &rec, &reclen)) == 1)
		m->nrecords++;
	return rc == 0 ? 0 : MENTOR_EPROTO;
}

int
pm_decode(struct pm *m, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (len > PM_MAX)
		return MENTOR_ETOOBIG;
	if (len < PM_HDR_LEN)
		return MENTOR_EPROTO;
	if (buf[0] != PM_VERSION)
		return MENTOR_EVERSION;
	m->type = buf[1];
	m->session = get_be32(buf + 2);
	p = buf + PM_HDR_LEN;
	n = len - PM_HDR_LEN;
	switch (m->type) {
	case PM_PING:
	case PM_PONG:
		return hello(m, p, n);
	case PM_PUSH:
		return frames(m, p, n);
	case PM_RECON:
	case PM_RECON_REPLY:
		if (n == 0)
			return MENTOR_EPROTO;
		m->body = p;
		m->body_len = n;
		return 0;
	case PM_WANT:
		if (n < 2)
			return MENTOR_EPROTO;
		m->nids = (size_t)p[0] << 8 | p[1];
		if (m->nids == 0 || m->nids > PM_WANT_MAX ||
		    n != 2 + m->nids * REC_ID_LEN)
			return MENTOR_EPROTO;
		m->ids = p + 2;
		return 0;
	case PM_RECORDS:
		if (n < 1 || p[0] > 1)
			return MENTOR_EPROTO;
		m->more = p[0];
		return frames(m, p + 1, n - 1);
	case PM_DELIVER:	/* recipient(32), then exactly one frame */
		if (n < REC_KEY_LEN)
			return MENTOR_EPROTO;
		m->to = p;
		if (frames(m, p + REC_KEY_LEN, n - REC_KEY_LEN) != 0 ||
		    m->nrecords != 1)
			return MENTOR_EPROTO;
		return 0;
	case PM_ACK:
		if (n != PM_ACK_LEN)
			return MENTOR_EPROTO;
		m->ack = p;
		return 0;
	case PM_ANNOUNCE:
		if (n < 2)
			return MENTOR_EPROTO;
		m->nann = (size_t)p[0] << 8 | p[1];
		if (m->nann == 0 || m->nann > PM_ANN_MAX ||
		    n != 2 + m->nann * PM_ANN_LEN)
			return MENTOR_EPROTO;
		m->ann = p + 2;
		return 0;
	}
	return MENTOR_EPROTO;
}
