/*
 * conn.c: mentorctl's connection to its node: find the node, say plainly
 * when it is not running, send one request and wait for its reply.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>
#include <sodium.h>
#include <zmq.h>

#include "ctl.h"
#include "mentor.h"
#include "msg.h"
#include "node.h"
#include "util.h"

int ctl_quiet;

int
ctl_err(int code, const char *fmt, ...)
{
	va_list ap;

	if (ctl_quiet)
		return code;
	fputs("mentorctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

const char *
ctl_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

int
ctl_run(struct ctl *c, const char *cmd, json_t *args, const char *verb,
    const char *key)
{
	json_t *r;
	int rc;

	if ((rc = ctl_call(c, cmd, args, NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("%s %s\n", verb, ctl_str(r, key));
	json_decref(r);
	return EX_OK;
}

void
ctl_print_json(const json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', stdout);
}

int
ctl_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f;
	char *b = NULL, *nb;
	size_t n = 0, cap = 0, r;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return ctl_err(EX_FAIL, "%s: %s", path, strerror(errno));
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(b, cap + 1)) == NULL) {
				free(b);
				if (f != stdin)
					fclose(f);
				return ctl_err(EX_FAIL, "out of memory");
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n > max) {
			free(b);
			if (f != stdin)
				fclose(f);
			return ctl_err(EX_FAIL, "%s: larger than %zu bytes",
			    path, max);
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		if (f != stdin)
			fclose(f);
		return ctl_err(EX_FAIL, "%s: read error", path);
	}
	if (f != stdin)
		fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return EX_OK;
}

struct keyfile {
	char	endpoint[256];
	char	server[65], pub[65], sec[65];
};

static int
key_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct keyfile *k = arg;

	(void)section;
	if (strcmp(name, "endpoint") == 0)
		snprintf(k->endpoint, sizeof(k->endpoint), "%s", value);
	else if (strcmp(name, "server_key") == 0)
		snprintf(k->server, sizeof(k->server), "%s", value);
	else if (strcmp(name, "public_key") == 0)
		snprintf(k->pub, sizeof(k->pub), "%s", value);
	else if (strcmp(name, "secret_key") == 0)
		snprintf(k->sec, sizeof(k->sec), "%s", value);
	return 1;
}

/*
 * student_connect: a student's connection to their school's student
 * socket over CURVE, with the keys of a key file from `student key`.
 */
static int
student_connect(struct ctl *c)
{
	struct keyfile k;
	uint8_t srv[32], pub[32], sec[32];
	const char *ep;
	int zero = 0, rc;

	memset(&k, 0, sizeof(k));
	if ((rc = ini_parse(c->keyfile, key_handler, &k)) != 0)
		return ctl_err(EX_USAGE, "%s: %s", c->keyfile, rc < 0 ?
		    strerror(errno) : "not a student key file");
	if (hex_decode(srv, 32, k.server) != 0 ||
	    hex_decode(pub, 32, k.pub) != 0 ||
	    hex_decode(sec, 32, k.sec) != 0)
		return ctl_err(EX_USAGE, "%s: not a student key file (keys "
		    "missing)", c->keyfile);
	ep = c->connect ? c->connect : k.endpoint;
	if (*ep == '\0')
		return ctl_err(EX_USAGE, "no endpoint: give --connect "
		    "tcp://HOST:PORT");
	if ((c->zctx = zmq_ctx_new()) == NULL ||
	    (c->sock = zmq_socket(c->zctx, ZMQ_REQ)) == NULL)
		return ctl_err(EX_FAIL, "zmq: %s", zmq_strerror(zmq_errno()));
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(c->sock, ZMQ_RCVTIMEO, &c->timeout_ms,
	    sizeof(c->timeout_ms));
	zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &c->timeout_ms,
	    sizeof(c->timeout_ms));
	zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, srv, 32);
	zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, pub, 32);
	zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, sec, 32);
	sodium_memzero(sec, sizeof(sec));
	sodium_memzero(k.sec, sizeof(k.sec));
	if (zmq_connect(c->sock, ep) == -1)
		return ctl_err(EX_NODE, "%s: %s", ep,
		    zmq_strerror(zmq_errno()));
	return EX_OK;
}

static int
ctl_connect(struct ctl *c)
{
	char ep[4200];
	int zero = 0, rc;

	if (c->keyfile || c->connect) {
		if (c->keyfile == NULL)
			return ctl_err(EX_USAGE, "--connect needs --key FILE");
		return student_connect(c);
	}
	rc = node_lock_probe(c->dir);
	if (rc == MENTOR_ENOTFOUND)
		return ctl_err(EX_NODE, "no node in %s (create one with: "
		    "mentord init -d %s --name NAME --role ROLE)", c->dir,
		    c->dir);
	if (rc == 0)
		return ctl_err(EX_NODE, "the node in %s is not running "
		    "(start it with: mentord -d %s)", c->dir, c->dir);
	if (node_api_endpoint(c->dir, ep, sizeof(ep)) != 0)
		return ctl_err(EX_NODE, "%s: path too long for the API "
		    "socket", c->dir);
	if ((c->zctx = zmq_ctx_new()) == NULL ||
	    (c->sock = zmq_socket(c->zctx, ZMQ_REQ)) == NULL)
		return ctl_err(EX_FAIL, "zmq: %s", zmq_strerror(zmq_errno()));
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(c->sock, ZMQ_RCVTIMEO, &c->timeout_ms,
	    sizeof(c->timeout_ms));
	zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &c->timeout_ms,
	    sizeof(c->timeout_ms));
	if (zmq_connect(c->sock, ep) == -1)
		return ctl_err(EX_NODE, "%s: %s", ep,
		    zmq_strerror(zmq_errno()));
	return EX_OK;
}

static int
no_answer(struct ctl *c)
{
	return ctl_err(EX_NODE, "the node did not answer within %d s%s",
	    c->timeout_ms / 1000, c->keyfile ? " (is the key still valid, and "
	    "the endpoint right?)" : "");
}

/*
 * await_reply: waits up to the timeout for a frame of the reply.  On a
 * node's local socket the node's lock is looked at every WAIT_SLICE_MS: a
 * free lock means the daemon died or stopped without answering, and
 * waiting longer would be in vain; a reply it sent before has
 * WAIT_LAST_MS more to arrive.  Returns 0 when a frame is there (or the
 * receive is to report an error), else EX_NODE with the error printed.
 */
#define WAIT_SLICE_MS	100
#define WAIT_LAST_MS	250

static int
await_reply(struct ctl *c)
{
	zmq_pollitem_t it = { c->sock, 0, ZMQ_POLLIN, 0 };
	int64_t end = mono_ms() + c->timeout_ms, left;
	int r;

	if (c->keyfile != NULL || c->connect != NULL)
		return 0;	/* no lock to look at: RCVTIMEO decides */
	while ((left = end - mono_ms()) > 0) {
		r = zmq_poll(&it, 1, left < WAIT_SLICE_MS ? (long)left :
		    WAIT_SLICE_MS);
		if (r > 0 || (r == -1 && zmq_errno() != EINTR))
			return 0;
		if (r == 0 && node_lock_probe(c->dir) == 0) {
			if (zmq_poll(&it, 1, WAIT_LAST_MS) > 0)
				return 0;
			return ctl_err(EX_NODE, "the node in %s stopped "
			    "before answering (whether the command was "
			    "carried out is unknown)", c->dir);
		}
	}
	return no_answer(c);
}

static int
recv_frame(struct ctl *c, zmq_msg_t *m)
{
	int rc;

	if ((rc = await_reply(c)) != EX_OK)
		return rc;
	zmq_msg_init(m);
	if (zmq_msg_recv(m, c->sock, 0) == -1) {
		zmq_msg_close(m);
		if (zmq_errno() == EAGAIN)
			return no_answer(c);
		return ctl_err(EX_NODE, "receive: %s",
		    zmq_strerror(zmq_errno()));
	}
	return EX_OK;
}

/*
 * call: ctl_call, the data frame either copied (data) or handed over
 * (zc: a message made with zmq_msg_init_data, always consumed).
 */
static int
call(struct ctl *c, const char *cmd, json_t *args, const uint8_t *data,
    size_t datalen, zmq_msg_t *zc, json_t **result, uint8_t **rdata,
    size_t *rdatalen)
{
	zmq_msg_t hdr, body;
	uint8_t *req = NULL;
	size_t reqlen;
	char msg[MSG_ERR_MAX];
	int rc, code, more, hasdata = data != NULL || zc != NULL;

	*result = NULL;
	if (rdata)
		*rdata = NULL;
	if (c->sock == NULL && (rc = ctl_connect(c)) != EX_OK) {
		json_decref(args);
		if (zc != NULL)
			zmq_msg_close(zc);
		return rc;
	}
	rc = msg_req_encode(cmd, args, &req, &reqlen);
	json_decref(args);
	if (rc != 0) {
		if (zc != NULL)
			zmq_msg_close(zc);
		return ctl_err(EX_FAIL, "out of memory");
	}
	rc = zmq_send(c->sock, req, reqlen, hasdata ? ZMQ_SNDMORE : 0);
	free(req);
	if (rc != -1 && zc != NULL)
		rc = zmq_msg_send(zc, c->sock, 0);
	else if (rc != -1 && data != NULL)
		rc = zmq_send(c->sock, data, datalen, 0);
	if (rc == -1) {
		/* A message zmq did not take is still ours to close. */
		if (zc != NULL)
			zmq_msg_close(zc);
		return ctl_err(EX_NODE, "send: %s",
		    zmq_strerror(zmq_errno()));
	}
	if ((rc = recv_frame(c, &hdr)) != EX_OK)
		return rc;
	more = zmq_msg_more(&hdr);
	rc = msg_resp_decode(zmq_msg_data(&hdr), zmq_msg_size(&hdr), &code,
	    result, msg, sizeof(msg));
	zmq_msg_close(&hdr);
	if (more) {
		if ((rc == 0 ? recv_frame(c, &body) : EX_FAIL) != EX_OK)
			goto fail;
		if (rdata) {
			*rdatalen = zmq_msg_size(&body);
			if ((*rdata = malloc(*rdatalen + 1)) == NULL) {
				zmq_msg_close(&body);
				goto fail;
			}
			memcpy(*rdata, zmq_msg_data(&body), *rdatalen);
		}
		zmq_msg_close(&body);
	}
	if (rc != 0)
		return ctl_err(EX_FAIL, "bad reply from the node: %s", msg);
	if (code != 0) {
		/* The error's details, for the caller that wants them. */
		json_decref(c->details);
		c->details = *result;
		*result = NULL;
		return ctl_err(EX_FAIL, "%s", msg);
	}
	return EX_OK;
fail:
	json_decref(*result);
	*result = NULL;
	if (rdata) {
		free(*rdata);
		*rdata = NULL;
	}
	return rc != 0 ? ctl_err(EX_FAIL, "bad reply from the node: %s", msg) :
	    ctl_err(EX_FAIL, "out of memory");
}

int
ctl_call(struct ctl *c, const char *cmd, json_t *args, const uint8_t *data,
    size_t datalen, json_t **result, uint8_t **rdata, size_t *rdatalen)
{
	return call(c, cmd, args, data, datalen, NULL, result, rdata,
	    rdatalen);
}

int
ctl_call_handed(struct ctl *c, const char *cmd, json_t *args, void *data,
    size_t datalen, void (*ffn)(void *data, void *hint), void *hint,
    json_t **result)
{
	zmq_msg_t m;

	if (zmq_msg_init_data(&m, data, datalen, ffn, hint) == -1) {
		ffn(data, hint);
		json_decref(args);
		*result = NULL;
		return ctl_err(EX_FAIL, "out of memory");
	}
	return call(c, cmd, args, NULL, 0, &m, result, NULL, NULL);
}
