/*
 * api.c: the client API socket and its command table.  Requests arrive on
 * a ROUTER socket; each is decoded (protocol/msg.c), dispatched through
 * the table below and answered with one reply.  Nothing a client sends can
 * stop the loop: a malformed request gets an error reply.
 *
 * ZMQ_FD is edge-triggered: the read callback drains the socket while
 * ZMQ_EVENTS reports POLLIN, and because sending can consume the edge, the
 * loop re-checks ZMQ_EVENTS after each reply.  After a bounded batch it
 * yields to the event loop and re-arms itself with event_active().
 */
#include <stdarg.h>
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

static const struct cmd_entry cmds[] = {
	{ "ping",		cmd_ping,		CMD_STUDENT },
	{ "status",		cmd_status,		0 },
	{ "listing.post",	cmd_listing_post,	0 },
	{ "listing.list",	cmd_listing_list,	0 },
	{ "listing.show",	cmd_listing_show,	CMD_STUDENT },
	{ "listing.withdraw",	cmd_listing_withdraw,	0 },
	{ "records.export",	cmd_records_export,	0 },
	{ "records.import",	cmd_records_import,	CMD_DATA },
	{ "trust.add",		cmd_trust_add,		0 },
	{ "trust.list",		cmd_trust_list,		0 },
	{ "trust.remove",	cmd_trust_remove,	0 },
	{ "student.import",	cmd_student_import,	CMD_DATA },
	{ "student.list",	cmd_student_list,	0 },
	{ "student.show",	cmd_student_show,	CMD_STUDENT },
	{ "student.delete",	cmd_student_delete,	0 },
	{ "match",		cmd_match,		CMD_STUDENT },
	{ "peer.add",		cmd_peer_add,		0 },
	{ "peer.list",		cmd_peer_list,		0 },
	{ "peer.remove",	cmd_peer_remove,	0 },
	{ "sync.start",		cmd_sync_start,		0 },
	{ "sync.status",	cmd_sync_status,	0 },
	{ "consent.add",	cmd_consent_add,	0 },
	{ "consent.list",	cmd_consent_list,	0 },
	{ "consent.revoke",	cmd_consent_revoke,	0 },
	{ "apply",		cmd_apply,		CMD_STUDENT },
	{ "application.list",	cmd_application_list,	CMD_STUDENT },
	{ "application.show",	cmd_application_show,	CMD_STUDENT },
	{ "application.accept",	cmd_application_accept,	0 },
	{ "application.decline", cmd_application_decline, 0 },
	{ "audit.list",		cmd_audit_list,		0 },
	{ "audit.verify",	cmd_audit_verify,	0 },
	{ "store.compact",	cmd_store_compact,	0 },
	{ "student.key",	cmd_student_key,	0 },
	{ "student.key.revoke",	cmd_student_key_revoke,	0 },
};

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

int
api_endpoint(const char *dir, char *out, size_t outlen)
{
	int n;

	/* sun_path holds 108 bytes including the NUL. */
	n = snprintf(out, outlen, "ipc://%s/api.sock", dir);
	if (n < 0 || (size_t)n >= outlen || (size_t)n - 6 >= 108)
		return MENTOR_ETOOBIG;
	return 0;
}

static const struct cmd_entry *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
cmd_fail(struct cmd_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code;
}

int
cmd_school_only(struct cmd_ctx *c)
{
	if (c->node->conf.role != ROLE_SCHOOL)
		return cmd_fail(c, MENTOR_EPERM, "students live on school "
		    "nodes; this node is a %s",
		    node_role_name(c->node->conf.role));
	return 0;
}

int
arg_str(struct cmd_ctx *c, const char *name, int required, const char **out)
{
	json_t *v = json_object_get(c->req->args, name);

	if (v == NULL) {
		if (required)
			return cmd_fail(c, MENTOR_EINVAL, "%s: missing", name);
		return 0;
	}
	if (!json_is_string(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be a string",
		    name);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: contains a NUL byte",
		    name);
	*out = json_string_value(v);
	return 0;
}

int
arg_int(struct cmd_ctx *c, const char *name, int required, long long min,
    long long max, long long *out)
{
	json_t *v = json_object_get(c->req->args, name);
	long long x;

	if (v == NULL) {
		if (required)
			return cmd_fail(c, MENTOR_EINVAL, "%s: missing", name);
		return 0;
	}
	if (!json_is_integer(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be an integer",
		    name);
	x = json_integer_value(v);
	if (x < min || x > max)
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be %lld to %lld",
		    name, min, max);
	*out = x;
	return 0;
}

int
arg_bool(struct cmd_ctx *c, const char *name, int *out)
{
	json_t *v = json_object_get(c->req->args, name);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return cmd_fail(c, MENTOR_EINVAL, "%s: must be true or false",
		    name);
	*out = json_is_true(v);
	return 0;
}

int
arg_student(struct cmd_ctx *c, const char *name, const char **out)
{
	const char *s = NULL;
	int rc;

	if (c->student == NULL)
		return arg_str(c, name, 1, out);
	if ((rc = arg_str(c, name, 0, &s)) != 0)
		return rc;
	if (s && strcmp(s, c->student) != 0)
		return cmd_fail(c, MENTOR_EPERM, "a student key gives access "
		    "to its own student only");
	*out = c->student;
	return 0;
}

int
arg_hex(struct cmd_ctx *c, const char *name, const char *what, uint8_t *out,
    size_t len)
{
	const char *s;
	int rc;

	if ((rc = arg_str(c, name, 1, &s)) != 0)
		return rc;
	if (hex_decode(out, len, s) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "%s: \"%.80s\" is not a %s "
		    "(%zu hex digits)", name, s, what, 2 * len);
	return 0;
}

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
	const struct cmd_entry *ce;
	uint8_t *hdr = NULL, key[32];
	char student[STUDENT_KEY_ID_MAX + 1];
	const char *uid;
	size_t hdrlen;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&req, 0, sizeof(req));
	c.node = a->api->node;
	c.req = &req;
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
	if ((ce = cmd_find(req.cmd)) == NULL) {
		rc = cmd_fail(&c, MENTOR_EINVAL, "unknown command \"%s\"",
		    req.cmd);
		goto out;
	}
	if (c.student && !(ce->flags & CMD_STUDENT)) {
		rc = cmd_fail(&c, MENTOR_EPERM, "%s: not allowed with a "
		    "student key", req.cmd);
		goto out;
	}
	if (nbody == 2) {
		if (!(ce->flags & CMD_DATA)) {
			rc = cmd_fail(&c, MENTOR_EPROTO, "%s takes no data "
			    "frame", req.cmd);
			goto out;
		}
		c.data = zmq_msg_data(&body[1]);
		c.datalen = zmq_msg_size(&body[1]);
		if (c.datalen > MENTOR_API_DATA_MAX) {
			rc = cmd_fail(&c, MENTOR_ETOOBIG, "data frame over "
			    "%u bytes", MENTOR_API_DATA_MAX);
			goto out;
		}
	}
	log_debug("api: %s", req.cmd);
	rc = ce->fn(&c);
out:
	if (rc != 0) {
		log_debug("api: %s: %s", req.cmd[0] ? req.cmd : "?",
		    mentor_errname(rc));
		json_decref(c.result);
		c.result = NULL;
		free(c.out);
		c.out = NULL;
	}
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
	if (api_endpoint(n->dir, ep, sizeof(ep)) != 0) {
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
