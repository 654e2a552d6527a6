/*
 * http.c: the web listener (http.h).  Static pages from the web root and
 * the JSON API /api/v1/: sign-in endpoints handled here, every other
 * name run through cmd_exec with the caller's role.  Every response
 * carries the security headers; every POST is checked for a cross-site
 * origin, and a session's POST for its CSRF token.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "cmd.h"
#include "http.h"
#include "log.h"
#include "mentor.h"
#include "msg.h"
#include "node.h"
#include "util.h"
#include "web_auth.h"
#include "web_parse.h"

#ifndef MENTOR_WEBDIR
#define MENTOR_WEBDIR "/usr/local/share/mentord/web"
#endif

#define COOKIE		"mentord_session"
#define HEADERS_MAX	16384
#define TIMEOUT_S	60
#define THROTTLE_MS	(15LL * 60 * 1000)
#define FAILS_ACCOUNT	5
#define FAILS_ADDR	20

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; " \
	"form-action 'self'"

struct http {
	struct node		*node;
	struct evhttp		*eh;
	SSL_CTX			*ssl;
	struct web_throttle	*thr;
	char			 root[PATH_MAX];	/* realpath; "" none */
};

/* One API request being answered. */
struct req {
	struct http		*h;
	struct evhttp_request	*r;
	struct web_principal	 p;
	int			 signed_in;
};

/* ---- replies ---------------------------------------------------------- */

static void
add_headers(struct http *h, struct evhttp_request *r, int api)
{
	struct evkeyvalq *o = evhttp_request_get_output_headers(r);

	evhttp_add_header(o, "Content-Security-Policy", CSP);
	evhttp_add_header(o, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(o, "Referrer-Policy", "no-referrer");
	evhttp_add_header(o, "X-Frame-Options", "DENY");
	evhttp_add_header(o, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(o, "Cache-Control", api ? "no-store" : "no-cache");
	if (h->ssl)
		evhttp_add_header(o, "Strict-Transport-Security",
		    "max-age=31536000");
}

static void
send_json(struct evhttp_request *r, int status, json_t *body)
{
	struct evbuffer *b;
	char *s;

	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s == NULL || (b = evbuffer_new()) == NULL) {
		free(s);
		evhttp_send_error(r, 500, NULL);
		return;
	}
	evbuffer_add(b, s, strlen(s));
	free(s);
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Content-Type", "application/json; charset=utf-8");
	evhttp_send_reply(r, status, NULL, b);
	evbuffer_free(b);
}

static const struct {
	int	code;
	int	status;
} statuses[] = {
	{ MENTOR_EINVAL,	400 },
	{ MENTOR_EPROTO,	400 },
	{ MENTOR_ETRUNC,	400 },
	{ MENTOR_EVERSION,	400 },
	{ MENTOR_EEXPIRED,	400 },
	{ MENTOR_EFUTURE,	400 },
	{ MENTOR_EPERM,		403 },
	{ MENTOR_ECONSENT,	403 },
	{ MENTOR_EUNTRUSTED,	403 },
	{ MENTOR_ENOTFOUND,	404 },
	{ MENTOR_EEXIST,	409 },
	{ MENTOR_EDUP,		409 },
	{ MENTOR_EFULL,		409 },
	{ MENTOR_ESTALE,	409 },
	{ MENTOR_EWITHDRAWN,	409 },
	{ MENTOR_ETOOBIG,	413 },
};

static int
status_of(int code)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code)
			return statuses[i].status;
	return 500;
}

/*
 * send_err: {"ok":false,"error":{...}} with status (0: from code).
 * details (consumed, may be NULL) is the command's error details (SPEC
 * 10.1); a "fields" list in them (every field error of a listing) is
 * also the error's "fields".
 */
static void
send_err(struct evhttp_request *r, int status, int code, const char *msg,
    json_t *details)
{
	json_t *fields = json_incref(json_object_get(details, "fields"));

	char field[128];
	json_t *e;

	e = json_pack("{s:i,s:s,s:s}", "code", code, "name",
	    mentor_errname(code), "message", msg ? msg : mentor_strerror(code));
	if (e == NULL) {
		json_decref(fields);
		json_decref(details);
		evhttp_send_error(r, 500, NULL);
		return;
	}
	/* Only a refused value names a field; "cmd: not allowed" does not. */
	if (msg && code == MENTOR_EINVAL &&
	    web_error_field(msg, field, sizeof(field)))
		json_object_set_new(e, "field", json_string(field));
	if (fields)
		json_object_set_new(e, "fields", fields);
	if (details)
		json_object_set_new(e, "details", details);
	send_json(r, status ? status : status_of(code),
	    json_pack("{s:b,s:o}", "ok", 0, "error", e));
}

static void
send_ok(struct evhttp_request *r, json_t *result)
{
	send_json(r, 200, json_pack("{s:b,s:o}", "ok", 1, "result",
	    result ? result : json_null()));
}

/* ---- static files ----------------------------------------------------- */

static void
serve_static(struct http *h, struct evhttp_request *r, const char *path)
{
	char rel[PATH_MAX], full[PATH_MAX * 2], real[PATH_MAX];
	const char *type;
	struct evbuffer *b;
	struct stat sb;
	size_t rl;
	int fd;

	if (evhttp_request_get_command(r) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(r) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(r),
		    "Allow", "GET, HEAD");
		evhttp_send_error(r, 405, NULL);
		return;
	}
	if (h->root[0] == '\0' ||
	    web_static_path(path, rel, sizeof(rel)) != 0 ||
	    (type = web_content_type(rel)) == NULL)
		goto notfound;
	snprintf(full, sizeof(full), "%s/%s", h->root, rel);
	/*
	 * web_static_path allows no "..", but a symbolic link inside the
	 * root could still point out of it: the resolved path must stay in.
	 */
	rl = strlen(h->root);
	if (realpath(full, real) == NULL || strncmp(real, h->root, rl) != 0 ||
	    real[rl] != '/')
		goto notfound;
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		goto notfound;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (b = evbuffer_new()) == NULL) {
		close(fd);
		goto notfound;
	}
	if (sb.st_size > 0 && evbuffer_add_file(b, fd, 0, sb.st_size) != 0) {
		evbuffer_free(b);
		evhttp_send_error(r, 500, NULL);
		return;
	}
	if (sb.st_size == 0)
		close(fd);
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Content-Type", type);
	evhttp_send_reply(r, 200, NULL, b);
	evbuffer_free(b);
	return;
notfound:
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Content-Type", "text/plain; charset=utf-8");
	b = evbuffer_new();
	if (b)
		evbuffer_add_printf(b, "Not found\n");
	evhttp_send_reply(r, 404, NULL, b);
	if (b)
		evbuffer_free(b);
}

/* ---- the caller ------------------------------------------------------- */

static const char *
header(struct evhttp_request *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r), name);
}

/* client_addr: the peer's address, or the proxy's X-Forwarded-For. */
static void
client_addr(struct http *h, struct evhttp_request *r, char *out, size_t len)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(r);
	const char *xff, *last;
	char *addr = NULL;
	ev_uint16_t port;
	size_t n;

	snprintf(out, len, "?");
	if (h->node->conf.web_behind_proxy &&
	    (xff = header(r, "X-Forwarded-For")) != NULL) {
		/* The proxy appends the address it saw: the last entry. */
		last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		n = strcspn(last, " ");
		if (n > 0 && n < len && n < 64) {
			memcpy(out, last, n);
			out[n] = '\0';
			return;
		}
	}
	if (conn) {
		evhttp_connection_get_peer(conn, &addr, &port);
		if (addr)
			snprintf(out, len, "%s", addr);
	}
}

/* find_principal: 1 when the request carries a valid session or token. */
static int
find_principal(struct req *q)
{
	char tok[WEB_SECRET_HEX];
	const char *a, *c;

	if ((a = header(q->r, "Authorization")) != NULL) {
		if (strncasecmp(a, "Bearer ", 7) != 0)
			return 0;
		return web_bearer_check(q->h->node, a + 7, &q->p) == 0;
	}
	if ((c = header(q->r, "Cookie")) == NULL ||
	    web_cookie_get(c, COOKIE, tok, sizeof(tok)) != 0)
		return 0;
	return web_session_check(q->h->node, tok, &q->p) == 0;
}

static json_t *
principal_json(const struct web_principal *p)
{
	json_t *j;

	j = json_pack("{s:s,s:s}", "who", web_role_name(p->role), "name",
	    p->name);
	if (j == NULL)
		return NULL;
	if (p->role == WEB_ROLE_STUDENT)
		json_object_set_new(j, "student", json_string(p->student));
	if (!p->bearer)
		json_object_set_new(j, "csrf", json_string(p->csrf));
	return j;
}

static void
set_cookie(struct req *q, const char *tok)
{
	char v[256];

	if (tok)
		snprintf(v, sizeof(v), COOKIE "=%s; HttpOnly; "
		    "SameSite=Strict; Path=/%s", tok,
		    q->h->ssl ? "; Secure" : "");
	else
		snprintf(v, sizeof(v), COOKIE "=; HttpOnly; "
		    "SameSite=Strict; Path=/; Max-Age=0%s",
		    q->h->ssl ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(q->r),
	    "Set-Cookie", v);
}

/* ---- request bodies --------------------------------------------------- */

/* media_type: whether the Content-Type's media type is type. */
static int
media_type(struct evhttp_request *r, const char *type)
{
	const char *ct = header(r, "Content-Type");
	size_t n = strlen(type);

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' ||
	    ct[n] == ';' || ct[n] == ' ');
}

/*
 * body_json: the request body as a JSON object (new reference); an
 * empty body is {}.  Sends the error reply itself and returns -1.
 */
static int
body_json(struct evhttp_request *r, json_t **out)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r);
	size_t len = evbuffer_get_length(in);
	json_error_t je;
	char msg[256];
	const char *p;

	*out = NULL;
	if (len > MENTOR_API_HDR_MAX) {
		send_err(r, 0, MENTOR_ETOOBIG, "request over 1 MiB", NULL);
		return -1;
	}
	if (len == 0) {
		*out = json_object();
		return 0;
	}
	p = (const char *)evbuffer_pullup(in, -1);
	*out = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
	if (*out == NULL || !json_is_object(*out)) {
		snprintf(msg, sizeof(msg), "the request body must be a JSON "
		    "object%s%s", *out ? "" : ": ", *out ? "" : je.text);
		json_decref(*out);
		*out = NULL;
		send_err(r, 0, MENTOR_EINVAL, msg, NULL);
		return -1;
	}
	return 0;
}

/* ---- /api/v1/auth/... -------------------------------------------------- */

static int
role_who(int role)
{
	switch (role) {
	case WEB_ROLE_ADMIN: return CMD_WHO_ADMIN;
	case WEB_ROLE_COORDINATOR: return CMD_WHO_COORDINATOR;
	case WEB_ROLE_EMPLOYER: return CMD_WHO_EMPLOYER;
	default: return CMD_WHO_STUDENT;
	}
}

static void
throttled(struct evhttp_request *r, int secs)
{
	char v[32];

	snprintf(v, sizeof(v), "%d", secs);
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Retry-After", v);
	send_err(r, 429, MENTOR_EPERM, "too many failed sign-ins; try again "
	    "later", NULL);
}

static void
start_session(struct req *q)
{
	char tok[WEB_SECRET_HEX];

	if (web_session_new(q->h->node, &q->p, tok) != 0) {
		send_err(q->r, 0, MENTOR_ESTORE, NULL, NULL);
		return;
	}
	set_cookie(q, tok);
	sodium_memzero(tok, sizeof(tok));
	send_ok(q->r, principal_json(&q->p));
}

static void
auth_signin(struct req *q, json_t *args)
{
	const char *user, *pw, *code;
	char addr[80], ka[128], ku[128];
	int64_t now = now_ms();
	int secs, role;

	client_addr(q->h, q->r, addr, sizeof(addr));
	memset(&q->p, 0, sizeof(q->p));
	code = json_string_value(json_object_get(args, "code"));
	user = json_string_value(json_object_get(args, "user"));
	pw = json_string_value(json_object_get(args, "password"));
	if (code) {
		snprintf(ka, sizeof(ka), "c:%s", addr);
		if ((secs = web_throttle_check(q->h->thr, ka, FAILS_ADDR,
		    THROTTLE_MS, now)) > 0) {
			throttled(q->r, secs);
			return;
		}
		if (web_code_check(q->h->node, code, q->p.student,
		    sizeof(q->p.student)) != 0) {
			web_throttle_fail(q->h->thr, ka, THROTTLE_MS, now);
			send_err(q->r, 401, MENTOR_EPERM, "code: this sign-in "
			    "code is not valid; ask your coordinator for a "
			    "new one", NULL);
			return;
		}
		q->p.role = WEB_ROLE_STUDENT;
		snprintf(q->p.name, sizeof(q->p.name), "%s", q->p.student);
		start_session(q);
		return;
	}
	if (user == NULL || pw == NULL) {
		send_err(q->r, 0, MENTOR_EINVAL, "user: give a name and a "
		    "password, or a sign-in code", NULL);
		return;
	}
	snprintf(ka, sizeof(ka), "a:%s", addr);
	snprintf(ku, sizeof(ku), "u:%.64s", user);
	if ((secs = web_throttle_check(q->h->thr, ku, FAILS_ACCOUNT,
	    THROTTLE_MS, now)) > 0 || (secs = web_throttle_check(q->h->thr,
	    ka, FAILS_ADDR, THROTTLE_MS, now)) > 0) {
		throttled(q->r, secs);
		return;
	}
	if (web_check_password(q->h->node, user, pw, &role) != 0) {
		web_throttle_fail(q->h->thr, ku, THROTTLE_MS, now);
		web_throttle_fail(q->h->thr, ka, THROTTLE_MS, now);
		log_info("web: failed sign-in for \"%.64s\" from %s", user,
		    addr);
		send_err(q->r, 401, MENTOR_EPERM, "password: wrong name or "
		    "password", NULL);
		return;
	}
	web_throttle_clear(q->h->thr, ku);
	q->p.role = role;
	snprintf(q->p.name, sizeof(q->p.name), "%s", user);
	start_session(q);
}

static void
auth_setup(struct req *q, json_t *args)
{
	const char *tok, *pw;
	char user[WEB_NAME_MAX + 1], err[256];
	int rc, role;

	tok = json_string_value(json_object_get(args, "token"));
	pw = json_string_value(json_object_get(args, "password"));
	if (tok == NULL || pw == NULL) {
		send_err(q->r, 0, MENTOR_EINVAL, "password: missing", NULL);
		return;
	}
	if ((rc = web_setup(q->h->node, tok, pw, user, sizeof(user), err,
	    sizeof(err))) != 0) {
		send_err(q->r, 0, rc, err, NULL);
		return;
	}
	memset(&q->p, 0, sizeof(q->p));
	if (web_check_password(q->h->node, user, pw, &role) != 0) {
		send_err(q->r, 0, MENTOR_ESTORE, NULL, NULL);
		return;
	}
	q->p.role = role;
	snprintf(q->p.name, sizeof(q->p.name), "%s", user);
	start_session(q);
}

static void
auth_password(struct req *q, json_t *args)
{
	const char *old, *pw;
	char ku[128], err[256], setup[WEB_SECRET_HEX];
	int64_t now = now_ms();
	int rc, role, secs;

	if (q->p.role == WEB_ROLE_STUDENT || q->p.bearer) {
		send_err(q->r, 0, MENTOR_EPERM, "only staff accounts have "
		    "passwords", NULL);
		return;
	}
	old = json_string_value(json_object_get(args, "old"));
	pw = json_string_value(json_object_get(args, "new"));
	if (old == NULL || pw == NULL) {
		send_err(q->r, 0, MENTOR_EINVAL, old ? "new: missing" :
		    "old: missing", NULL);
		return;
	}
	snprintf(ku, sizeof(ku), "u:%s", q->p.name);
	if ((secs = web_throttle_check(q->h->thr, ku, FAILS_ACCOUNT,
	    THROTTLE_MS, now)) > 0) {
		throttled(q->r, secs);
		return;
	}
	if (web_check_password(q->h->node, q->p.name, old, &role) != 0) {
		web_throttle_fail(q->h->thr, ku, THROTTLE_MS, now);
		send_err(q->r, 403, MENTOR_EPERM, "old: wrong password", NULL);
		return;
	}
	/* Every session of the account ends; this one is made anew. */
	if ((rc = web_user_passwd(q->h->node, q->p.name, pw, setup, err,
	    sizeof(err))) != 0) {
		send_err(q->r, 0, rc, rc == MENTOR_EINVAL ? "new: at least "
		    "10 characters" : err, NULL);
		return;
	}
	start_session(q);
}

static void
auth_signout(struct req *q, int all)
{
	size_t n = 0;

	if (q->p.bearer) {
		send_err(q->r, 0, MENTOR_EPERM, "an API token has no "
		    "session; revoke it with mentorctl web token revoke",
		    NULL);
		return;
	}
	if (all)
		(void)web_session_end_all(q->h->node, q->p.role,
		    q->p.role == WEB_ROLE_STUDENT ? q->p.student : q->p.name,
		    &n);
	else
		(void)web_session_end(q->h->node, &q->p);
	set_cookie(q, NULL);
	send_ok(q->r, json_pack("{s:I}", "ended", (json_int_t)(all ? n : 1)));
}

/* ---- commands --------------------------------------------------------- */

static int
command_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= MSG_CMD_MAX && strspn(s,
	    "abcdefghijklmnopqrstuvwxyz.") == n;
}

static void
run_command(struct req *q, const char *name)
{
	const struct cmd_entry *ce;
	struct evbuffer *in = evhttp_request_get_input_buffer(q->r);
	struct msg_req mr;
	struct cmd_ctx c;
	struct evbuffer *b;
	const char *query;
	char err[256];
	int rc;

	if (!command_name_ok(name) || (ce = cmd_find(name)) == NULL) {
		send_err(q->r, 404, MENTOR_ENOTFOUND, "no such command",
		    NULL);
		return;
	}
	memset(&mr, 0, sizeof(mr));
	memset(&c, 0, sizeof(c));
	snprintf(mr.cmd, sizeof(mr.cmd), "%s", name);
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(q->r));
	/*
	 * A command that takes a file takes it as the body, its arguments
	 * in the query string; a JSON body without a query string is the
	 * arguments object, as for every other command.
	 */
	if ((ce->flags & CMD_DATA) && !(media_type(q->r, "application/json") &&
	    (query == NULL || *query == '\0'))) {
		if (!media_type(q->r, "text/csv") &&
		    !media_type(q->r, "application/json") &&
		    !media_type(q->r, "application/octet-stream")) {
			send_err(q->r, 415, MENTOR_EINVAL, "Content-Type: "
			    "text/csv, application/json or "
			    "application/octet-stream", NULL);
			return;
		}
		rc = web_query_args(query, &mr.args, err, sizeof(err));
		if (rc != 0) {
			send_err(q->r, 0, rc, err, NULL);
			return;
		}
		c.datalen = evbuffer_get_length(in);
		c.data = c.datalen ? evbuffer_pullup(in, -1) : NULL;
	} else {
		if (!media_type(q->r, "application/json")) {
			send_err(q->r, 415, MENTOR_EINVAL, "Content-Type: "
			    "application/json", NULL);
			return;
		}
		if (body_json(q->r, &mr.args) != 0)
			return;
	}
	c.node = q->h->node;
	c.req = &mr;
	c.who = role_who(q->p.role);
	c.student = q->p.role == WEB_ROLE_STUDENT ? q->p.student : NULL;
	c.user = q->p.name;
	rc = cmd_exec(&c, name);
	if (rc != 0) {
		/* cmd_exec leaves the error's details in result. */
		send_err(q->r, 0, rc, c.err[0] ? c.err : NULL, c.result);
		c.result = NULL;
	}
	else if (c.out) {
		/* A command that answers with data: the data is the body. */
		if ((b = evbuffer_new()) != NULL) {
			evbuffer_add(b, c.out, c.outlen);
			evhttp_add_header(evhttp_request_get_output_headers(
			    q->r), "Content-Type", "application/octet-stream");
			evhttp_send_reply(q->r, 200, NULL, b);
			evbuffer_free(b);
		} else
			evhttp_send_error(q->r, 500, NULL);
		json_decref(c.result);
	} else
		send_ok(q->r, c.result);
	c.result = NULL;
	free(c.out);
	msg_req_clear(&mr);
}

/* cross_site: whether the browser says the request comes from elsewhere. */
static int
cross_site(struct evhttp_request *r)
{
	const char *o = header(r, "Origin"), *s = header(r, "Sec-Fetch-Site");

	if (s && strcmp(s, "same-origin") != 0 && strcmp(s, "none") != 0)
		return 1;
	return o != NULL && !web_origin_same(o, header(r, "Host"));
}

static void
serve_api(struct http *h, struct evhttp_request *r, const char *path)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(r);
	const char *name = path + strlen("/api/v1/"), *csrf;
	struct req q;
	json_t *args = NULL;

	memset(&q, 0, sizeof(q));
	q.h = h;
	q.r = r;
	if (strncmp(path, "/api/v1/", 8) != 0) {
		send_err(r, 404, MENTOR_ENOTFOUND, "this node speaks API "
		    "version 1: /api/v1/", NULL);
		return;
	}
	q.signed_in = find_principal(&q);
	if (strcmp(name, "auth/me") == 0 && m == EVHTTP_REQ_GET) {
		if (!q.signed_in)
			send_err(r, 401, MENTOR_EPERM, "not signed in", NULL);
		else
			send_ok(r, principal_json(&q.p));
		return;
	}
	if (m != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(r),
		    "Allow", "POST");
		send_err(r, 405, MENTOR_EINVAL, "use POST", NULL);
		return;
	}
	if (cross_site(r)) {
		send_err(r, 403, MENTOR_EPERM, "cross-site request refused",
		    NULL);
		return;
	}
	if (strcmp(name, "auth/signin") == 0 ||
	    strcmp(name, "auth/setup") == 0) {
		if (!media_type(r, "application/json")) {
			send_err(r, 415, MENTOR_EINVAL, "Content-Type: "
			    "application/json", NULL);
			return;
		}
		if (body_json(r, &args) != 0)
			return;
		if (name[5] == 's' && name[6] == 'i')
			auth_signin(&q, args);
		else
			auth_setup(&q, args);
		json_decref(args);
		return;
	}
	if (!q.signed_in) {
		send_err(r, 401, MENTOR_EPERM, "not signed in", NULL);
		return;
	}
	if (!q.p.bearer && ((csrf = header(r, "X-CSRF-Token")) == NULL ||
	    strlen(csrf) != 64 || sodium_memcmp(csrf, q.p.csrf, 64) != 0)) {
		send_err(r, 403, MENTOR_EPERM, "missing or wrong "
		    "X-CSRF-Token", NULL);
		return;
	}
	if (strcmp(name, "auth/signout") == 0)
		auth_signout(&q, 0);
	else if (strcmp(name, "auth/signout-all") == 0)
		auth_signout(&q, 1);
	else if (strcmp(name, "auth/password") == 0) {
		if (!media_type(r, "application/json")) {
			send_err(r, 415, MENTOR_EINVAL, "Content-Type: "
			    "application/json", NULL);
			return;
		}
		if (body_json(r, &args) != 0)
			return;
		auth_password(&q, args);
		json_decref(args);
	} else
		run_command(&q, name);
}

static void
on_request(struct evhttp_request *r, void *arg)
{
	struct http *h = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r);
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	int api = path && strncmp(path, "/api/", 5) == 0;

	add_headers(h, r, api);
	if (path == NULL || *path != '/') {
		evhttp_send_error(r, 400, NULL);
		return;
	}
	if (api)
		serve_api(h, r, path);
	else
		serve_static(h, r, path);
}

/* ---- set-up ----------------------------------------------------------- */

/* split_listen: "HOST:PORT" or "[V6]:PORT" into host and port. */
static int
split_listen(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	size_t n;

	if (!node_web_listen_valid(s) || *s == '\0' || colon == NULL)
		return -1;
	n = (size_t)(colon - s);
	if (*s == '[') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = (unsigned)strtoul(colon + 1, NULL, 10);
	return 0;
}

/* loopback_only: 1 when every address host resolves to is a loopback. */
static int
loopback_only(const char *host)
{
	struct addrinfo hints, *res, *ai;
	int ok = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *a = (void *)ai->ai_addr;

			if ((ntohl(a->sin_addr.s_addr) >> 24) != 127)
				ok = 0;
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *a = (void *)ai->ai_addr;

			if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
				ok = 0;
		} else
			ok = 0;
	}
	freeaddrinfo(res);
	return ok;
}

static struct bufferevent *
tls_bev(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

static int
tls_open(struct http *h, char *err, size_t errlen)
{
	const struct conf *c = &h->node->conf;
	unsigned long e;

	if ((h->ssl = SSL_CTX_new(TLS_server_method())) == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(h->ssl, TLS1_2_VERSION);
	SSL_CTX_set_options(h->ssl, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(h->ssl, c->web_tls_cert) !=
	    1) {
		e = ERR_get_error();
		snprintf(err, errlen, "web: tls_cert %s: %s", c->web_tls_cert,
		    ERR_reason_error_string(e) ? ERR_reason_error_string(e) :
		    "cannot read");
		return MENTOR_EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(h->ssl, c->web_tls_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(h->ssl) !=
	    1) {
		e = ERR_get_error();
		snprintf(err, errlen, "web: tls_key %s: %s", c->web_tls_key,
		    ERR_reason_error_string(e) ? ERR_reason_error_string(e) :
		    "cannot read");
		return MENTOR_EINVAL;
	}
	evhttp_set_bevcb(h->eh, tls_bev, h->ssl);
	return 0;
fail:
	snprintf(err, errlen, "web: cannot set up TLS");
	return MENTOR_EIO;
}

static int
is_web_root(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/index.html", dir);
	return access(p, R_OK) == 0;
}

/* find_root: [web] root, else web/ beside the build tree, else share/. */
static void
find_root(struct http *h)
{
	char exe[PATH_MAX - 32], cand[PATH_MAX], *slash;
	ssize_t len;

	cand[0] = '\0';
	if (h->node->conf.web_root[0])
		snprintf(cand, sizeof(cand), "%s", h->node->conf.web_root);
	else {
		len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (len > 0) {
			exe[len] = '\0';
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';
			snprintf(cand, sizeof(cand), "%s/../web", exe);
			if (!is_web_root(cand))
				snprintf(cand, sizeof(cand),
				    "%s/../share/mentord/web", exe);
		}
		if (!is_web_root(cand))
			snprintf(cand, sizeof(cand), "%s", MENTOR_WEBDIR);
	}
	if (realpath(cand, h->root) == NULL) {
		h->root[0] = '\0';
		log_warn("web: no web root (%s): the pages are off, the API "
		    "is on", cand);
	}
}

int
http_open(struct http **hp, struct node *n, char *err, size_t errlen)
{
	const struct conf *c = &n->conf;
	char host[NODE_EP_MAX];
	unsigned port;
	struct http *h;
	int rc = MENTOR_EINVAL;

	*hp = NULL;
	if (c->web_listen[0] == '\0')
		return 0;
	if (split_listen(c->web_listen, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "web: listen: expected HOST:PORT, got "
		    "\"%s\"", c->web_listen);
		return MENTOR_EINVAL;
	}
	if (!c->web_tls_cert[0] != !c->web_tls_key[0]) {
		snprintf(err, errlen, "web: tls_cert and tls_key go together");
		return MENTOR_EINVAL;
	}
	if (!c->web_tls_cert[0] && !c->web_behind_proxy &&
	    !loopback_only(host)) {
		snprintf(err, errlen, "web: refusing to serve %s without TLS: "
		    "set tls_cert and tls_key, or behind_proxy = yes when a "
		    "reverse proxy on this machine does TLS (mentord(8))",
		    c->web_listen);
		return MENTOR_EPERM;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return MENTOR_ENOMEM;
	h->node = n;
	if (web_throttle_new(&h->thr) != 0 ||
	    (h->eh = evhttp_new(n->base)) == NULL) {
		rc = MENTOR_ENOMEM;
		snprintf(err, errlen, "web: out of memory");
		goto fail;
	}
	if (c->web_tls_cert[0] && (rc = tls_open(h, err, errlen)) != 0)
		goto fail;
	evhttp_set_max_headers_size(h->eh, HEADERS_MAX);
	evhttp_set_max_body_size(h->eh, MENTOR_API_DATA_MAX);
	evhttp_set_timeout(h->eh, TIMEOUT_S);
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->eh, on_request, h);
	if (evhttp_bind_socket_with_handle(h->eh, host, (ev_uint16_t)port) ==
	    NULL) {
		snprintf(err, errlen, "web: cannot listen on %s: %s",
		    c->web_listen, strerror(errno));
		rc = MENTOR_EIO;
		goto fail;
	}
	find_root(h);
	log_info("web: %s://%s/ (pages from %s)", h->ssl ? "https" : "http",
	    c->web_listen, h->root[0] ? h->root : "nowhere");
	*hp = h;
	return 0;
fail:
	http_close(h);
	return rc;
}

void
http_close(struct http *h)
{
	if (h == NULL)
		return;
	if (h->eh)
		evhttp_free(h->eh);
	if (h->ssl)
		SSL_CTX_free(h->ssl);
	web_throttle_free(h->thr);
	free(h);
}

void
http_base_url(const struct node *n, char *out, size_t outlen)
{
	const struct conf *c = &n->conf;

	if (c->web_listen[0] == '\0') {
		snprintf(out, outlen, "%s", "");
		return;
	}
	snprintf(out, outlen, "%s://%s", c->web_tls_cert[0] ? "https" :
	    "http", c->web_listen);
}
