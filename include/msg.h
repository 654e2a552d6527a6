/*
 * msg.h: the client API messages between mentorctl and mentord
 * (protocol/SPEC.md, section 10).  A message is one or two ZeroMQ frames:
 * a header frame (a version byte, then one JSON object) and an optional
 * binary data frame.
 */
#ifndef MENTOR_MSG_H
#define MENTOR_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define MSG_VERSION	1
#define MSG_CMD_MAX	32
#define MSG_ERR_MAX	512

struct msg_req {
	char	 cmd[MSG_CMD_MAX + 1];
	json_t	*args;		/* owned; an object, never NULL after decode */
};

/*
 * msg_req_decode: parses a request header frame.  On success fills r
 * (release with msg_req_clear).  Errors: MENTOR_ETRUNC (empty),
 * MENTOR_EVERSION, MENTOR_ETOOBIG (> MENTOR_API_HDR_MAX), MENTOR_EINVAL
 * (not a JSON object of the documented shape); err says which.
 */
int	msg_req_decode(struct msg_req *r, const uint8_t *buf, size_t len,
	    char *err, size_t errlen);
void	msg_req_clear(struct msg_req *r);

/*
 * msg_req_encode: a request header frame for cmd with args (may be NULL;
 * not consumed).  *out is malloc'd, owned by the caller.  0 or ENOMEM.
 */
int	msg_req_encode(const char *cmd, const json_t *args, uint8_t **out,
	    size_t *len);

/*
 * msg_resp_encode: a response header frame.  code 0: {"ok":true,
 * "result":result}; otherwise {"ok":false,"error":{"code","name",
 * "message"}}, with "details": result when result is not NULL (e.g. every
 * error of a roster).  result may be NULL (null); it is not consumed.
 */
int	msg_resp_encode(int code, const char *message, const json_t *result,
	    uint8_t **out, size_t *len);

/*
 * msg_resp_decode: parses a response header frame.  Returns 0 when it
 * parsed; then *code is the node's verdict (0 or MENTOR_E*), *result a new
 * reference (on an error reply: its details, or NULL) and message the
 * node's error text.
 * A malformed frame gives MENTOR_EPROTO/EVERSION with err set.
 */
int	msg_resp_decode(const uint8_t *buf, size_t len, int *code,
	    json_t **result, char *message, size_t msglen);

#endif
