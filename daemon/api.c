/*
 * api.c: the client API's ZeroMQ transport.  Requests arrive on a ROUTER
 * socket (the operator's ipc socket, and optionally the students' CURVE
 * socket); each is decoded (protocol/msg.c), run through the command
 * layer (cmd.c) as the caller it came from, and answered with one reply.  Nothing a client sends can
 * stop the loop: a malformed request gets an error reply.
 *
 * ZMQ_FD is edge-triggered: the read callback drains the socket while
 * ZMQ_EVENTS reports POLLIN, and because sending can consume the edge, the
 * loop re-checks ZMQ_EVENTS after each reply.  After a bounded batch it
 * yields to the event loop and re-arms itself with event_active().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "api.h"
#include "apps.h"
#include "cmd.h"
#include "log.h"
#include "mentor.h"
#include "msg.h"
#include "node.h"
#include "util.h"

#define API_BATCH	64	/* requests per callback before yielding */
#define API_MAX_FRAMES	8	/* identity, delimiter, header, data, slack */


/* One listening socket: the owner's ipc socket or the students' one. */
struct api_ep {
	struct api	*api;
	void		*sock;
	struct event	*ev;
	int		 student;	/* CURVE, student keys only */
};

struct api {
	struct node	*node;
	struct api_ep	 ep[2];
	int		 nep;
	char		 path[PATH_MAX + 16];
};

/* reply: sends the envelope (routing frames) and the response frames. */
static void
reply(struct api_ep *a, zmq_msg_t *env, int nenv, const uint8_t *hdr,
    size_t hdrlen, const uint8_t *data, size_t datalen)
{
	int i;

	for (i = 0; i < nenv; i++) {
		if (zmq_send(a->sock, zmq_msg_data(&env[i]),
		    zmq_msg_size(&env[i]), ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1)
			goto fail;
	}
	if (zmq_send(a->sock, hdr, hdrlen,
	    (data ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) == -1)
		goto fail;
	if (data && zmq_send(a->sock, data, datalen, ZMQ_DONTWAIT) == -1)
		goto fail;
	return;
fail:
	/* The client went away or is not reading: its loss. */
	log_debug("api: reply dropped: %s", zmq_strerror(zmq_errno()));
}

static void
handle(struct api_ep *a, zmq_msg_t *env, int nenv, zmq_msg_t *body,
    int nbody)
{
	struct cmd_ctx c;
	struct msg_req req;
	uint8_t *hdr = NULL, key[32];
	char student[STUDENT_KEY_ID_MAX + 1];
	const char *uid;
	size_t hdrlen;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&req, 0, sizeof(req));
	c.node = a->api->node;
	c.req = &req;
	c.who = CMD_WHO_OPERATOR;
	if (a->student) {
		/* Checked on every request: a revoked key stops working. */
		uid = nbody > 0 ? zmq_msg_gets(&body[0], "User-Id") : NULL;
		if (uid == NULL || hex_decode(key, sizeof(key), uid) != 0 ||
		    apps_student_for_key(c.node, key, student,
		    sizeof(student)) != 0) {
			rc = cmd_fail(&c, MENTOR_EPERM, "this student key was "
			    "revoked");
			goto out;
		}
		c.who = CMD_WHO_STUDENT;
		c.student = student;
	}
	if (nbody < 1 || nbody > 2) {
		rc = cmd_fail(&c, MENTOR_EPROTO, "a request has one or two "
		    "frames after the envelope, not %d", nbody);
		goto out;
	}
	rc = msg_req_decode(&req, zmq_msg_data(&body[0]),
	    zmq_msg_size(&body[0]), c.err, sizeof(c.err));
	if (rc != 0)
		goto out;
	if (nbody == 2) {
		c.data = zmq_msg_data(&body[1]);
		c.datalen = zmq_msg_size(&body[1]);
	}
	log_debug("api: %s", req.cmd);
	rc = cmd_exec(&c, req.cmd);
out:
	if (rc != 0)
		log_debug("api: %s: %s", req.cmd[0] ? req.cmd : "?",
		    mentor_errname(rc));
	if (msg_resp_encode(rc, c.err[0] ? c.err : NULL, c.result, &hdr,
	    &hdrlen) == 0)
		reply(a, env, nenv, hdr, hdrlen, c.out, c.outlen);
	free(hdr);
	free(c.out);
	json_decref(c.result);
	msg_req_clear(&req);
}

/*
 * recv_one: reads one whole multipart message.  The envelope is the
 * routing id plus, from REQ clients, the empty delimiter.  Returns 1 when
 * a message was read, 0 when none was waiting.
 */
static int
recv_one(struct api_ep *a)
{
	zmq_msg_t f[API_MAX_FRAMES], extra;
	int n = 0, more = 1, nenv, i, dropped = 0;
	size_t sz = sizeof(more);

	while (more) {
		zmq_msg_t *m = n < API_MAX_FRAMES ? &f[n] : &extra;

		zmq_msg_init(m);
		if (zmq_msg_recv(m, a->sock, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(m);
			if (n == 0)
				return 0;
			/* A ROUTER delivers whole messages; cannot happen. */
			log_warn("api: partial message: %s",
			    zmq_strerror(zmq_errno()));
			goto done;
		}
		if (m == &extra) {
			/* Keep draining the message, drop what is over. */
			zmq_msg_close(m);
			dropped = 1;
		} else
			n++;
		if (zmq_getsockopt(a->sock, ZMQ_RCVMORE, &more, &sz) == -1)
			more = 0;
	}
	nenv = 1;
	if (n > 1 && zmq_msg_size(&f[1]) == 0)
		nenv = 2;
	handle(a, f, nenv, f + nenv, dropped ? API_MAX_FRAMES : n - nenv);
done:
	for (i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return 1;
}

static void
api_on_event(evutil_socket_t fd, short what, void *arg)
{
	struct api_ep *a = arg;
	int events, handled = 0;
	size_t sz;

	(void)fd;
	(void)what;
	for (;;) {
		sz = sizeof(events);
		if (zmq_getsockopt(a->sock, ZMQ_EVENTS, &events, &sz) == -1) {
			log_err("api: ZMQ_EVENTS: %s",
			    zmq_strerror(zmq_errno()));
			return;
		}
		if (!(events & ZMQ_POLLIN))
			return;
		if (handled++ == API_BATCH) {
			event_active(a->ev, EV_READ, 0);
			return;
		}
		if (!recv_one(a))
			return;
	}
}

static int
ep_open(struct api *a, void *sock, int student, char *err, size_t errlen)
{
	struct api_ep *e = &a->ep[a->nep];
	int fd;
	size_t sz = sizeof(fd);

	e->api = a;
	e->sock = sock;
	e->student = student;
	a->nep++;
	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &sz) == -1 ||
	    (e->ev = event_new(a->node->base, fd, EV_READ | EV_PERSIST,
	    api_on_event, e)) == NULL || event_add(e->ev, NULL) == -1) {
		snprintf(err, errlen, "api: cannot register with event loop");
		return MENTOR_EIO;
	}
	/* Anything queued before the first edge must still be read. */
	event_active(e->ev, EV_READ, 0);
	return 0;
}

static void *
socket_new(struct node *n)
{
	int zero = 0, hwm = 1000;
	int64_t maxmsg = MENTOR_API_HDR_MAX + MENTOR_API_DATA_MAX;
	void *s;

	if ((s = zmq_socket(n->zctx, ZMQ_ROUTER)) == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	return s;
}

int
api_open(struct api **ap, struct node *n, char *err, size_t errlen)
{
	struct api *a;
	char ep[PATH_MAX + 16];
	void *s;
	int one = 1, rc;

	*ap = NULL;
	if (node_api_endpoint(n->dir, ep, sizeof(ep)) != 0) {
		snprintf(err, errlen, "%s: path too long for the API socket "
		    "(at most 95 bytes)", n->dir);
		return MENTOR_ETOOBIG;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return MENTOR_ENOMEM;
	a->node = n;
	snprintf(a->path, sizeof(a->path), "%s", ep + 6);
	/* A socket file left by a killed daemon; the lock says we own it. */
	unlink(a->path);
	if ((s = socket_new(n)) == NULL)
		goto fail_zmq;
	if (zmq_bind(s, ep) == -1) {
		zmq_close(s);
		goto fail_zmq;
	}
	if ((rc = ep_open(a, s, 0, err, errlen)) != 0)
		goto fail;
	if (n->conf.student_listen[0]) {
		/*
		 * Students reach their school over CURVE with a key the
		 * operator issued; the node's ZAP handler (bound before this,
		 * in peer.c) admits only those keys, in domain "student".
		 */
		snprintf(ep, sizeof(ep), "%s", n->conf.student_listen);
		if ((s = socket_new(n)) == NULL)
			goto fail_zmq;
		zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof(one));
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, n->curve_sk, 32);
		zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "student", 7);
		if (zmq_bind(s, ep) == -1) {
			zmq_close(s);
			goto fail_zmq;
		}
		if ((rc = ep_open(a, s, 1, err, errlen)) != 0)
			goto fail;
		log_info("api: students connect on %s (CURVE)", ep);
	}
	*ap = a;
	return 0;
fail_zmq:
	snprintf(err, errlen, "api: %s: %s", ep, zmq_strerror(zmq_errno()));
	rc = MENTOR_EIO;
fail:
	api_close(a);
	return rc;
}

void
api_close(struct api *a)
{
	int i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nep; i++) {
		if (a->ep[i].ev)
			event_free(a->ep[i].ev);
		if (a->ep[i].sock)
			zmq_close(a->ep[i].sock);
	}
	unlink(a->path);
	free(a);
}
