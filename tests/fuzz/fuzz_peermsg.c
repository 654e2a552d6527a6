/*
 * fuzz_peermsg.c: peer messages (protocol/peermsg.c) from arbitrary bytes:
 * decoding must never read out of bounds, and what decodes must be
 * consistent (frames that parse, ids inside the message).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "peermsg.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm m;
	const uint8_t *rec;
	size_t off = 0, reclen, n = 0;
	uint8_t out[PM_HDR_LEN + 4 + PM_NAME_MAX + PM_EP_MAX];

	if (pm_decode(&m, data, size) != 0)
		return 0;
	switch (m.type) {
	case PM_PING:
	case PM_PONG:
		/* What decodes re-encodes to the same bytes. */
		if (pm_hello_encode(out, sizeof(out), m.type, m.session,
		    &m.hello) != size || memcmp(out, data, size) != 0)
			abort();
		break;
	case PM_PUSH:
	case PM_RECORDS:
		while (xs_next(m.body, m.body_len, &off, &rec, &reclen) == 1)
			n++;
		if (n != m.nrecords || off != m.body_len)
			abort();
		break;
	case PM_WANT:
		if (m.ids + m.nids * REC_ID_LEN != data + size)
			abort();
		break;
	case PM_DELIVER:	/* the recipient, then exactly one frame */
		if (m.to != data + PM_HDR_LEN || m.body != m.to + REC_KEY_LEN ||
		    m.body + m.body_len != data + size || m.nrecords != 1 ||
		    xs_next(m.body, m.body_len, &off, &rec, &reclen) != 1 ||
		    off != m.body_len)
			abort();
		break;
	case PM_ACK:
		if (m.ack != data + PM_HDR_LEN || size != PM_HDR_LEN +
		    PM_ACK_LEN)
			abort();
		break;
	case PM_ANNOUNCE:
		if (m.nann == 0 || m.nann > PM_ANN_MAX ||
		    m.ann + m.nann * PM_ANN_LEN != data + size)
			abort();
		break;
	}
	return 0;
}
