/*
 * msg.c: encode and decode client API header frames.  Every length is
 * checked before the JSON parser sees the bytes; jansson itself bounds
 * nesting depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "msg.h"

static int
seterr(char *err, size_t errlen, int code, const char *what)
{
	if (errlen > 0) {
		strncpy(err, what, errlen - 1);
		err[errlen - 1] = '\0';
	}
	return code;
}

static json_t *
parse_body(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;

	j = json_loadb((const char *)buf + 1, len - 1,
	    JSON_REJECT_DUPLICATES, &je);
	if (j == NULL && errlen > 0)
		snprintf(err, errlen, "not JSON: %s at byte %d", je.text,
		    je.position);
	return j;
}

int
msg_req_decode(struct msg_req *r, const uint8_t *buf, size_t len, char *err,
    size_t errlen)
{
	json_t *j, *cmd, *args;
	const char *name;
	size_t n;
	const char *key;
	json_t *val;

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return seterr(err, errlen, MENTOR_ETRUNC, "empty request");
	if (buf[0] != MSG_VERSION)
		return seterr(err, errlen, MENTOR_EVERSION,
		    "unsupported request version");
	if (len > MENTOR_API_HDR_MAX)
		return seterr(err, errlen, MENTOR_ETOOBIG,
		    "request header over 1 MiB");
	if ((j = parse_body(buf, len, err, errlen)) == NULL)
		return MENTOR_EINVAL;
	if (!json_is_object(j)) {
		json_decref(j);
		return seterr(err, errlen, MENTOR_EINVAL,
		    "request is not a JSON object");
	}
	json_object_foreach(j, key, val) {
		if (strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0) {
			json_decref(j);
			return seterr(err, errlen, MENTOR_EINVAL,
			    "request has an unknown member");
		}
	}
	cmd = json_object_get(j, "cmd");
	if (!json_is_string(cmd)) {
		json_decref(j);
		return seterr(err, errlen, MENTOR_EINVAL,
		    "request has no \"cmd\" string");
	}
	name = json_string_value(cmd);
	n = json_string_length(cmd);
	if (n == 0 || n > MSG_CMD_MAX || strlen(name) != n) {
		json_decref(j);
		return seterr(err, errlen, MENTOR_EINVAL,
		    "request \"cmd\" is empty or too long");
	}
	args = json_object_get(j, "args");
	if (args != NULL && !json_is_object(args)) {
		json_decref(j);
		return seterr(err, errlen, MENTOR_EINVAL,
		    "request \"args\" is not an object");
	}
	memcpy(r->cmd, name, n + 1);
	r->args = args ? json_incref(args) : json_object();
	json_decref(j);
	if (r->args == NULL)
		return MENTOR_ENOMEM;
	return 0;
}

void
msg_req_clear(struct msg_req *r)
{
	json_decref(r->args);
	r->args = NULL;
}

/* frame: a version byte followed by the compact JSON of j. */
static int
frame(json_t *j, uint8_t **out, size_t *len)
{
	char *s;
	size_t n;

	if (j == NULL)
		return MENTOR_ENOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (s == NULL)
		return MENTOR_ENOMEM;
	n = strlen(s);
	if ((*out = malloc(n + 1)) == NULL) {
		free(s);
		return MENTOR_ENOMEM;
	}
	(*out)[0] = MSG_VERSION;
	memcpy(*out + 1, s, n);
	*len = n + 1;
	free(s);
	return 0;
}

int
msg_req_encode(const char *cmd, const json_t *args, uint8_t **out,
    size_t *len)
{
	json_t *j;

	if (args)
		j = json_pack("{s:s,s:O}", "cmd", cmd, "args", (json_t *)args);
	else
		j = json_pack("{s:s,s:o}", "cmd", cmd, "args", json_object());
	return frame(j, out, len);
}

int
msg_resp_encode(int code, const char *message, const json_t *result,
    uint8_t **out, size_t *len)
{
	json_t *j;

	if (code == 0)
		j = json_pack("{s:b,s:O}", "ok", 1, "result",
		    result ? (json_t *)result : json_null());
	else
		j = json_pack("{s:b,s:{s:i,s:s,s:s,s:O*}}", "ok", 0, "error",
		    "code", code, "name", mentor_errname(code), "message",
		    message ? message : mentor_strerror(code), "details",
		    (json_t *)result);
	return frame(j, out, len);
}

int
msg_resp_decode(const uint8_t *buf, size_t len, int *code, json_t **result,
    char *message, size_t msglen)
{
	json_t *j, *ok, *e, *c, *m;

	*result = NULL;
	*code = 0;
	if (len == 0)
		return seterr(message, msglen, MENTOR_EPROTO, "empty reply");
	if (buf[0] != MSG_VERSION)
		return seterr(message, msglen, MENTOR_EVERSION,
		    "reply has an unsupported version");
	if ((j = parse_body(buf, len, message, msglen)) == NULL)
		return MENTOR_EPROTO;
	ok = json_object_get(j, "ok");
	if (json_is_true(ok)) {
		*result = json_incref(json_object_get(j, "result"));
		if (*result == NULL)
			*result = json_null();
		json_decref(j);
		return 0;
	}
	e = json_object_get(j, "error");
	c = json_object_get(e, "code");
	m = json_object_get(e, "message");
	if (!json_is_false(ok) || !json_is_integer(c) || !json_is_string(m) ||
	    json_integer_value(c) >= 0 ||
	    json_integer_value(c) < MENTOR_ERR_MIN - 1000) {
		json_decref(j);
		return seterr(message, msglen, MENTOR_EPROTO,
		    "reply is not of the documented shape");
	}
	*code = (int)json_integer_value(c);
	seterr(message, msglen, 0, json_string_value(m));
	*result = json_incref(json_object_get(e, "details"));
	json_decref(j);
	return 0;
}
