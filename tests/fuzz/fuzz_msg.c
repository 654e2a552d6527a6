/*
 * fuzz_msg.c: libFuzzer harness for the client API header frames.  The
 * input is decoded as a request and as a reply; whatever decodes must
 * encode again to a frame that decodes to the same thing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mentor.h"
#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* request: decode, check the documented shape, re-encode, compare. */
static void
request(const uint8_t *data, size_t size)
{
	struct msg_req r, r2;
	char err[256];
	uint8_t *buf;
	size_t len, n;
	int rc;

	memset(err, 'x', sizeof(err));
	if ((rc = msg_req_decode(&r, data, size, err, sizeof(err))) != 0) {
		if (r.args != NULL || (rc != MENTOR_ENOMEM &&
		    memchr(err, '\0', sizeof(err)) == NULL))
			abort();
		msg_req_clear(&r);
		return;
	}
	n = strlen(r.cmd);
	if (n == 0 || n > MSG_CMD_MAX || !json_is_object(r.args))
		abort();
	if (msg_req_encode(r.cmd, r.args, &buf, &len) == 0) {
		if (msg_req_decode(&r2, buf, len, err, sizeof(err)) != 0)
			abort();
		if (strcmp(r.cmd, r2.cmd) != 0 || !json_equal(r.args, r2.args))
			abort();
		msg_req_clear(&r2);
		free(buf);
	}
	msg_req_clear(&r);
}

/* reply: the same for msg_resp_decode / msg_resp_encode. */
static void
reply(const uint8_t *data, size_t size)
{
	char msg[MSG_ERR_MAX], msg2[MSG_ERR_MAX];
	json_t *result, *result2;
	uint8_t *buf;
	size_t len;
	int rc, code, code2;

	rc = msg_resp_decode(data, size, &code, &result, msg, sizeof(msg));
	if (rc != 0) {
		if (result != NULL || (rc != MENTOR_EPROTO &&
		    rc != MENTOR_EVERSION))
			abort();
		return;
	}
	if ((code == 0) != (result != NULL) || code > 0)
		abort();
	/* A message cut at the buffer may end inside a UTF-8 sequence. */
	if (code != 0 && strlen(msg) >= sizeof(msg) - 4)
		return;
	if (msg_resp_encode(code, msg, result, &buf, &len) == 0) {
		if (msg_resp_decode(buf, len, &code2, &result2, msg2,
		    sizeof(msg2)) != 0 || code2 != code)
			abort();
		if (code == 0 && !json_equal(result, result2))
			abort();
		if (code != 0 && strcmp(msg, msg2) != 0)
			abort();
		json_decref(result2);
		free(buf);
	}
	json_decref(result);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	request(data, size);
	reply(data, size);
	return 0;
}
