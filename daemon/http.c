/*
 * http.c: the web listener (http.h).  Static pages from the web root and
 * the JSON API /api/v1/: sign-in endpoints handled here, every other
 * name run through cmd_exec with the caller's role; /metrics for a
 * loopback caller or a metrics or admin API token.  Every response
 * carries the security headers (also libevent's own error pages:
 * out_cb); every POST is checked for a cross-site origin, and a session's
 * POST for its CSRF token.  Passwords are checked on a worker thread
 * (pw_*), off the event loop.
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
#include <pthread.h>
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
#include "metrics.h"
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
	char			 secure[768];	/* the security headers as
						 * header lines, for replies
						 * libevent makes itself */
	struct out_state	*out;		/* per fd, for out_cb */
	size_t			 nout;
	int			 out_busy;
	/* The password checker thread (pw_*): jobs in, results back. */
	pthread_t		 pw_thread;
	int			 pw_started;
	pthread_mutex_t		 pw_mu;
	pthread_cond_t		 pw_cv;
	struct pw_job		*pw_todo, *pw_done;	/* under pw_mu */
	size_t			 pw_queued;		/* on the loop */
	int			 pw_quit;		/* under pw_mu */
	int			 pw_pipe[2];
	struct event		*pw_ev;
};

/* One API request being answered. */
struct req {
	struct http		*h;
	struct evhttp_request	*r;
	struct web_principal	 p;
	int			 signed_in;
	int			 ended;		/* a session cookie that no
						 * longer works */
};

/* ---- replies ---------------------------------------------------------- */

/*
 * The status of the reply just sent, for the web counters.  Sending may
 * free the request at once (a TLS write completes and evhttp is done with
 * it), so on_request cannot ask the request afterwards; every reply goes
 * through reply(), on the one loop thread.
 */
static int sent_status;

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

/*
 * reply: every reply of ours goes out here, never through
 * evhttp_send_error (which drops the headers set so far).  b (may be
 * NULL; kept by the caller) is the body; its length is always stated,
 * except to HEAD and CONNECT, which get the headers alone.  out_cb
 * relies on both: a reply of ours carries the CSP and exactly the body
 * its Content-Length says, or none.
 */
static void
reply(struct evhttp_request *r, int status, struct evbuffer *b)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(r);
	struct evkeyvalq *o = evhttp_request_get_output_headers(r);
	char len[32];

	sent_status = status;
	if (m == EVHTTP_REQ_HEAD || m == EVHTTP_REQ_CONNECT) {
		evhttp_remove_header(o, "Content-Length");
		evhttp_send_reply(r, status, NULL, NULL);
		return;
	}
	snprintf(len, sizeof(len), "%zu", b ? evbuffer_get_length(b) : 0);
	evhttp_remove_header(o, "Content-Length");
	evhttp_add_header(o, "Content-Length", len);
	evhttp_send_reply(r, status, NULL, b);
}

/* send_text: a short plain-text reply (static pages' errors). */
static void
send_text(struct evhttp_request *r, int status, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	evhttp_remove_header(evhttp_request_get_output_headers(r),
	    "Content-Type");
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Content-Type", "text/plain; charset=utf-8");
	if (b)
		evbuffer_add_printf(b, "%s\n", text);
	reply(r, status, b);
	if (b)
		evbuffer_free(b);
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
		send_text(r, 500, "The server is out of memory; try again.");
		return;
	}
	evbuffer_add(b, s, strlen(s));
	free(s);
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Content-Type", "application/json; charset=utf-8");
	reply(r, status, b);
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
		send_text(r, 500, "The server is out of memory; try again.");
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
		send_text(r, 405, "This address is a page: it can only be "
		    "read (GET), not sent to.");
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
		send_text(r, 500, "This page cannot be read right now.");
		return;
	}
	if (sb.st_size == 0)
		close(fd);
	evhttp_add_header(evhttp_request_get_output_headers(r),
	    "Content-Type", type);
	reply(r, 200, b);
	evbuffer_free(b);
	return;
notfound:
	send_text(r, 404, "Not found");
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
	    web_cookie_get(c, COOKIE, tok, sizeof(tok)) != 0 || *tok == '\0')
		return 0;
	if (web_session_check(q->h->node, tok, &q->p) == 0)
		return 1;
	q->ended = 1;
	return 0;
}

/* not_signed_in: 401, in words that say what to do. */
static void
not_signed_in(struct req *q)
{
	send_err(q->r, 401, MENTOR_EPERM, q->ended ? "not signed in: your "
	    "session has ended (unused for too long, open for too long, or "
	    "signed out); please sign in again" : "not signed in: please "
	    "sign in first", NULL);
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

/*
 * ---- passwords off the loop -----------------------------------------
 *
 * Checking a password costs about 0.1 s of Argon2id: on the loop, every
 * other request would wait.  A sign-in reads the account's hash on the
 * loop (web_password_lookup), hands the check to one worker thread, and
 * is answered when the result comes back through a pipe; the loop goes
 * on serving meanwhile.  The worker touches only its job (the hash and a
 * copy of the password), never the store, libevent or the request.
 * One thread: sign-ins are checked one after another, and at most
 * PW_QUEUE_MAX wait; beyond that the answer is "busy, try again".  A
 * failure is counted by the throttle when the job is queued (so that
 * many guesses in flight at once count) and taken back on success.
 */
#define PW_QUEUE_MAX	32

struct pw_job {
	struct pw_job		*next;
	struct http		*h;
	struct evhttp_request	*r;
	struct web_pwcheck	 chk;
	char			*pw;		/* wiped and freed */
	char			 user[WEB_NAME_MAX + 1];
	char			 addr[80], ka[128], ku[128];
	int			 ok;
	/* A password change (auth/password): the new one, then its hash. */
	char			*newpw;		/* wiped and freed */
	char			 newhash[WEB_HASH_MAX];
	char			 err[256];
	int			 rc;
	struct web_principal	 p;
};

static void
pw_job_free(struct pw_job *j)
{
	if (j == NULL)
		return;
	if (j->pw) {
		sodium_memzero(j->pw, strlen(j->pw));
		free(j->pw);
	}
	if (j->newpw) {
		sodium_memzero(j->newpw, strlen(j->newpw));
		free(j->newpw);
	}
	sodium_memzero(&j->chk, sizeof(j->chk));
	sodium_memzero(j->newhash, sizeof(j->newhash));
	sodium_memzero(&j->p, sizeof(j->p));
	free(j);
}

static void *
pw_main(void *arg)
{
	struct http *h = arg;
	struct pw_job *j, **t;

	pthread_mutex_lock(&h->pw_mu);
	for (;;) {
		while (!h->pw_quit && h->pw_todo == NULL)
			pthread_cond_wait(&h->pw_cv, &h->pw_mu);
		if (h->pw_quit)
			break;
		j = h->pw_todo;
		h->pw_todo = j->next;
		pthread_mutex_unlock(&h->pw_mu);
		j->ok = web_password_verify(&j->chk, j->pw) == 0;
		if (j->ok && j->newpw)
			j->rc = web_password_make(j->newpw, j->newhash,
			    j->err, sizeof(j->err));
		pthread_mutex_lock(&h->pw_mu);
		/* Results keep their order: append. */
		j->next = NULL;
		for (t = &h->pw_done; *t; t = &(*t)->next)
			;
		*t = j;
		/* A full pipe already says there are results. */
		if (write(h->pw_pipe[1], "", 1) == -1)
			j = NULL;
	}
	pthread_mutex_unlock(&h->pw_mu);
	return NULL;
}

static void pw_finish(struct pw_job *);
static void pw_changed(struct pw_job *);

/* pw_ready: on the loop, the worker's results. */
static void
pw_ready(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	struct pw_job *j, *next;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&h->pw_mu);
	j = h->pw_done;
	h->pw_done = NULL;
	pthread_mutex_unlock(&h->pw_mu);
	for (; j; j = next) {
		next = j->next;
		h->pw_queued--;
		if (j->newpw)
			pw_changed(j);
		else
			pw_finish(j);
		pw_job_free(j);
	}
}

static int
pw_start(struct http *h)
{
	int fl;

	h->pw_pipe[0] = h->pw_pipe[1] = -1;
	if (pthread_mutex_init(&h->pw_mu, NULL) != 0)
		return MENTOR_ENOMEM;
	if (pthread_cond_init(&h->pw_cv, NULL) != 0) {
		pthread_mutex_destroy(&h->pw_mu);
		return MENTOR_ENOMEM;
	}
	h->pw_started = 1;	/* the mutex and condition exist */
	if (pipe(h->pw_pipe) != 0)
		return MENTOR_EIO;
	for (fl = 0; fl < 2; fl++)
		if (fcntl(h->pw_pipe[fl], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(h->pw_pipe[fl], F_SETFD, FD_CLOEXEC) == -1)
			return MENTOR_EIO;
	if ((h->pw_ev = event_new(h->node->base, h->pw_pipe[0],
	    EV_READ | EV_PERSIST, pw_ready, h)) == NULL ||
	    event_add(h->pw_ev, NULL) != 0)
		return MENTOR_ENOMEM;
	if (pthread_create(&h->pw_thread, NULL, pw_main, h) != 0)
		return MENTOR_ENOMEM;
	h->pw_started = 2;	/* and the thread runs */
	return 0;
}

static void
pw_stop(struct http *h)
{
	struct pw_job *j, *next;

	if (h->pw_started == 0)
		return;
	if (h->pw_started == 2) {
		pthread_mutex_lock(&h->pw_mu);
		h->pw_quit = 1;
		pthread_cond_signal(&h->pw_cv);
		pthread_mutex_unlock(&h->pw_mu);
		pthread_join(h->pw_thread, NULL);
	}
	/* Unanswered sign-ins go with their connections (evhttp_free). */
	for (j = h->pw_todo; j; j = next) {
		next = j->next;
		pw_job_free(j);
	}
	for (j = h->pw_done; j; j = next) {
		next = j->next;
		pw_job_free(j);
	}
	if (h->pw_ev)
		event_free(h->pw_ev);
	if (h->pw_pipe[0] != -1)
		close(h->pw_pipe[0]);
	if (h->pw_pipe[1] != -1)
		close(h->pw_pipe[1]);
	pthread_cond_destroy(&h->pw_cv);
	pthread_mutex_destroy(&h->pw_mu);
}

/* pw_busy: 1 (and the 503 sent) when too many checks wait already. */
static int
pw_busy(struct req *q)
{
	if (q->h->pw_queued < PW_QUEUE_MAX)
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(q->r),
	    "Retry-After", "2");
	send_err(q->r, 503, MENTOR_EBUSY, "many people are signing in right "
	    "now; please try again in a few seconds", NULL);
	return 1;
}

static void
pw_queue(struct http *h, struct pw_job *j)
{
	struct pw_job **t;

	h->pw_queued++;
	pthread_mutex_lock(&h->pw_mu);
	for (t = &h->pw_todo; *t; t = &(*t)->next)
		;
	*t = j;
	pthread_cond_signal(&h->pw_cv);
	pthread_mutex_unlock(&h->pw_mu);
}

static void
auth_signin(struct req *q, json_t *args)
{
	const char *user, *pw, *code;
	char addr[80], ka[128], ku[128];
	struct pw_job *j;
	int64_t now = now_ms();
	int secs;

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
	if (pw_busy(q))
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->pw = strdup(pw)) == NULL) {
		free(j);
		send_err(q->r, 0, MENTOR_ENOMEM, NULL, NULL);
		return;
	}
	j->h = q->h;
	j->r = q->r;
	snprintf(j->user, sizeof(j->user), "%s", user);
	snprintf(j->addr, sizeof(j->addr), "%s", addr);
	snprintf(j->ka, sizeof(j->ka), "%s", ka);
	snprintf(j->ku, sizeof(j->ku), "%s", ku);
	(void)web_password_lookup(q->h->node, user, &j->chk);
	/* Counted now, taken back on success (see above). */
	web_throttle_fail(q->h->thr, ku, THROTTLE_MS, now);
	web_throttle_fail(q->h->thr, ka, THROTTLE_MS, now);
	pw_queue(q->h, j);
}

/* pw_finish: on the loop, answers a sign-in whose password was checked. */
static void
pw_finish(struct pw_job *j)
{
	struct req q;

	memset(&q, 0, sizeof(q));
	q.h = j->h;
	q.r = j->r;
	if (!j->ok) {
		log_info("web: failed sign-in for \"%.64s\" from %s",
		    j->user, j->addr);
		send_err(q.r, 401, MENTOR_EPERM, "password: wrong name or "
		    "password", NULL);
		return;
	}
	web_throttle_clear(q.h->thr, j->ku);
	web_throttle_forgive(q.h->thr, j->ka);
	q.p.role = j->chk.role;
	snprintf(q.p.name, sizeof(q.p.name), "%s", j->user);
	start_session(&q);
}

static void
auth_setup(struct req *q, json_t *args)
{
	const char *tok, *pw;
	char user[WEB_NAME_MAX + 1], err[256];
	struct web_pwcheck chk;
	int rc;

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
	/* The password was just set: its role, without a second check. */
	if (web_password_lookup(q->h->node, user, &chk) != 0 || !chk.found) {
		send_err(q->r, 0, MENTOR_ESTORE, NULL, NULL);
		return;
	}
	q->p.role = chk.role;
	snprintf(q->p.name, sizeof(q->p.name), "%s", user);
	start_session(q);
}

static void
auth_password(struct req *q, json_t *args)
{
	const char *old, *pw;
	char ku[128];
	struct pw_job *j;
	int64_t now = now_ms();
	int secs;

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
	if (pw_busy(q))
		return;
	/* Both passwords on the worker: the old one checked, the new hashed. */
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->pw = strdup(old)) == NULL || (j->newpw = strdup(pw)) == NULL) {
		if (j)
			free(j->pw);
		free(j);
		send_err(q->r, 0, MENTOR_ENOMEM, NULL, NULL);
		return;
	}
	j->h = q->h;
	j->r = q->r;
	j->p = q->p;
	snprintf(j->ku, sizeof(j->ku), "%s", ku);
	(void)web_password_lookup(q->h->node, q->p.name, &j->chk);
	web_throttle_fail(q->h->thr, ku, THROTTLE_MS, now);
	pw_queue(q->h, j);
}

/* pw_changed: on the loop, a password change whose old one was checked. */
static void
pw_changed(struct pw_job *j)
{
	struct req q;
	char err[256];
	int rc;

	memset(&q, 0, sizeof(q));
	q.h = j->h;
	q.r = j->r;
	q.p = j->p;
	if (!j->ok) {
		send_err(q.r, 403, MENTOR_EPERM, "old: wrong password", NULL);
		return;
	}
	web_throttle_forgive(q.h->thr, j->ku);
	if (j->rc != 0) {
		send_err(q.r, 0, j->rc, j->rc == MENTOR_EINVAL ? "new: at "
		    "least 10 characters" : j->err, NULL);
		return;
	}
	/* Every session of the account ends; this one is made anew. */
	if ((rc = web_user_set_hash(q.h->node, q.p.name, j->newhash, err,
	    sizeof(err))) != 0) {
		send_err(q.r, 0, rc, err, NULL);
		return;
	}
	start_session(&q);
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
			reply(q->r, 200, b);
			evbuffer_free(b);
		} else
			send_text(q->r, 500, "The server is out of memory; "
			    "try again.");
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
	if (q.signed_in && q.p.role == WEB_ROLE_METRICS) {
		send_err(r, 403, MENTOR_EPERM, "a metrics token reads /metrics "
		    "and nothing else", NULL);
		return;
	}
	if (strcmp(name, "auth/me") == 0 && m == EVHTTP_REQ_GET) {
		if (!q.signed_in)
			not_signed_in(&q);
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
		not_signed_in(&q);
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

/* ---- /metrics ---------------------------------------------------------- */

/* loopback_peer: whether the connection comes from 127/8 or ::1. */
static int
loopback_peer(struct evhttp_request *r)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(r);
	struct in6_addr a6;
	struct in_addr a4;
	char *addr = NULL;
	ev_uint16_t port;

	if (conn == NULL)
		return 0;
	evhttp_connection_get_peer(conn, &addr, &port);
	if (addr == NULL)
		return 0;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}


/*
 * serve_metrics: the exposition (metrics.h) to a caller on this machine
 * or one with an API token of role metrics or admin.  Behind a proxy
 * every caller looks local, so there only a token counts.
 */
static void
serve_metrics(struct http *h, struct evhttp_request *r)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(r);
	struct evkeyvalq *o = evhttp_request_get_output_headers(r);
	struct web_principal p;
	struct evbuffer *b;
	const char *a = header(r, "Authorization");

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(o, "Allow", "GET, HEAD");
		send_text(r, 405, "use GET");
		return;
	}
	if (a != NULL) {
		if (strncasecmp(a, "Bearer ", 7) != 0 ||
		    web_bearer_check(h->node, a + 7, &p) != 0) {
			evhttp_add_header(o, "WWW-Authenticate",
			    "Bearer realm=\"mentord metrics\"");
			send_text(r, 401, "unknown or revoked token");
			return;
		}
		if (p.role != WEB_ROLE_METRICS && p.role != WEB_ROLE_ADMIN) {
			send_text(r, 403, "/metrics needs a metrics or an "
			    "admin token");
			return;
		}
	} else if (h->node->conf.web_behind_proxy || !loopback_peer(r)) {
		evhttp_add_header(o, "WWW-Authenticate",
		    "Bearer realm=\"mentord metrics\"");
		send_text(r, 401, "/metrics: from this machine, or with a "
		    "token (mentorctl web token add NAME --role metrics)");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		send_text(r, 500, "The server is out of memory; try again.");
		return;
	}
	if (metrics_render(h->node, b) != 0) {
		evbuffer_free(b);
		send_text(r, 500, "the store cannot be read");
		return;
	}
	evhttp_add_header(o, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	reply(r, 200, b);
	evbuffer_free(b);
}

/* handler_of: the metrics label of a request for path. */
static int
handler_of(const char *path)
{
	if (path == NULL)
		return METRICS_WEB_PAGE;
	if (strcmp(path, "/metrics") == 0)
		return METRICS_WEB_METRICS;
	if (strncmp(path, "/api/v1/auth/", 13) == 0)
		return METRICS_WEB_AUTH;
	if (strncmp(path, "/api/", 5) == 0)
		return METRICS_WEB_API;
	return METRICS_WEB_PAGE;
}

static void
on_request(struct evhttp_request *r, void *arg)
{
	struct http *h = arg;
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r);
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	int kind = handler_of(path);
	double t0 = metrics_clock();

	add_headers(h, r, kind != METRICS_WEB_PAGE);
	sent_status = 0;
	if (path == NULL || *path != '/')
		send_text(r, 400, "This address is not one the server "
		    "understands.");
	else if (kind == METRICS_WEB_METRICS)
		serve_metrics(h, r);
	else if (kind == METRICS_WEB_PAGE)
		serve_static(h, r, path);
	else
		serve_api(h, r, path);
	/* r may be gone: only what was noted before sending is used. */
	metrics_web(h->node, kind, sent_status, metrics_clock() - t0);
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

/*
 * ---- the security headers on libevent's own replies --------------------
 *
 * libevent 2.1 answers some requests without calling us: a bad request
 * line or header, headers or a body over the limits, an Expect it does
 * not know.  It builds those replies itself (evhttp_send_error, which
 * also drops any headers set before), and 2.1 has no hook for them.  So
 * a callback on every connection's output buffer reads the replies as
 * libevent writes them: a head that lacks the CSP is one of libevent's,
 * and gets the security headers before its blank line, before anything
 * of it is sent (libevent writes a reply whole, in one turn of the loop,
 * and the socket is written in a later one).  Replies of ours always
 * carry the CSP and exactly the body their Content-Length says, or none
 * (reply()), so the callback knows where the next head starts; an
 * interim "100 Continue" has no body.  The state is per file descriptor
 * (bounded by the process's open files, nothing to free per connection)
 * and starts afresh whenever the buffer was empty, as on a new
 * connection.
 */
#define HEAD_MAX	(HEADERS_MAX + 4096)

struct out_state {
	size_t		 scanned;	/* bytes at the front already read */
	size_t		 body;		/* body bytes still to come */
	int		 pass;		/* read nothing more */
};

/* The one web listener of the process, for out_cb. */
static struct http *out_http;

static struct out_state *
out_state(struct http *h, int fd)
{
	struct out_state *p;
	size_t n;

	if (fd < 0)
		return NULL;
	if ((size_t)fd >= h->nout) {
		n = h->nout ? h->nout : 64;
		while (n <= (size_t)fd)
			n *= 2;
		if ((p = reallocarray(h->out, n, sizeof(*p))) == NULL)
			return NULL;
		memset(p + h->nout, 0, (n - h->nout) * sizeof(*p));
		h->out = p;
		h->nout = n;
	}
	return &h->out[fd];
}

static void
out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http *h = out_http;
	struct out_state *st;
	struct evbuffer_ptr at, e;
	struct evbuffer *tmp;
	struct web_head wh;
	size_t len, n, extra;
	char *head;
	int thawed;

	if (h == NULL || h->out_busy || (st = out_state(h,
	    bufferevent_getfd(arg))) == NULL)
		return;
	if (info->orig_size == 0)
		memset(st, 0, sizeof(*st));
	else if (info->n_deleted > st->scanned)
		st->pass = 1;		/* sent unread: cannot happen */
	else
		st->scanned -= info->n_deleted;
	while (!st->pass && (len = evbuffer_get_length(buf)) > st->scanned) {
		if (st->body > 0) {
			n = len - st->scanned < st->body ? len - st->scanned :
			    st->body;
			st->scanned += n;
			st->body -= n;
			continue;
		}
		if (evbuffer_ptr_set(buf, &at, st->scanned,
		    EVBUFFER_PTR_SET) != 0)
			break;
		e = evbuffer_search(buf, "\r\n\r\n", 4, &at);
		if (e.pos == -1) {
			/* The rest of the head comes with the next add. */
			if (len - st->scanned > HEAD_MAX)
				st->pass = 1;
			break;
		}
		n = (size_t)e.pos + 4;
		if (n - st->scanned > HEAD_MAX || (head = (char *)
		    evbuffer_pullup(buf, (ev_ssize_t)n)) == NULL ||
		    web_head_scan(head + st->scanned, n - st->scanned,
		    &wh) != 0) {
			st->pass = 1;
			break;
		}
		extra = 0;
		if (wh.status >= 200 && !wh.has_csp &&
		    (tmp = evbuffer_new()) != NULL) {
			/*
			 * One of libevent's own: add the headers.  A socket
			 * bufferevent freezes its output's front between
			 * writes; it is thawed for the change and frozen
			 * again as it was.
			 */
			h->out_busy = 1;
			extra = strlen(h->secure);
			thawed = 0;
			if (evbuffer_remove_buffer(buf, tmp, n - 2) !=
			    (int)(n - 2)) {
				evbuffer_unfreeze(buf, 1);
				thawed = 1;
			}
			if ((thawed && evbuffer_remove_buffer(buf, tmp,
			    n - 2) != (int)(n - 2)) || evbuffer_add(tmp,
			    h->secure, extra) != 0 ||
			    evbuffer_prepend_buffer(buf, tmp) != 0)
				st->pass = 1;
			if (thawed)
				evbuffer_freeze(buf, 1);
			h->out_busy = 0;
			evbuffer_free(tmp);
		}
		st->scanned = n + extra;
		if (wh.status < 200)
			continue;
		if (wh.content_length >= 0)
			st->body = (size_t)wh.content_length;
		else if (!wh.has_csp)
			st->pass = 1;		/* to the end: libevent closes */
	}
}

/* conn_bev: a new connection's bufferevent (TLS or not), guarded. */
static struct bufferevent *
conn_bev(struct event_base *base, void *arg)
{
	struct http *h = arg;
	struct bufferevent *bev;
	SSL *ssl;

	if (h->ssl) {
		if ((ssl = SSL_new(h->ssl)) == NULL)
			return NULL;
		bev = bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev && evbuffer_add_cb(bufferevent_get_output(bev), out_cb,
	    bev) == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	return bev;
}

/* secure_lines: the security headers as header lines, for out_cb. */
static void
secure_lines(struct http *h)
{
	snprintf(h->secure, sizeof(h->secure),
	    "Content-Security-Policy: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Cross-Origin-Opener-Policy: same-origin\r\n"
	    "Cache-Control: no-store\r\n%s", CSP, h->ssl ?
	    "Strict-Transport-Security: max-age=31536000\r\n" : "");
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
	/* Every method reaches on_request, which answers 405 itself. */
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	if ((rc = pw_start(h)) != 0) {
		snprintf(err, errlen, "web: cannot start the password "
		    "checker: %s", mentor_strerror(rc));
		goto fail;
	}
	secure_lines(h);
	out_http = h;
	evhttp_set_bevcb(h->eh, conn_bev, h);
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
	pw_stop(h);
	if (h->eh)
		evhttp_free(h->eh);
	if (out_http == h)
		out_http = NULL;
	free(h->out);
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
