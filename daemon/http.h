/*
 * http.h: the web listener: libevent's evhttp on the node's loop, HTTPS
 * through OpenSSL bufferevents when [web] tls_cert/tls_key are set.  It
 * serves the pages from the web root and the JSON API under /api/v1/,
 * which signs callers in (web_auth.h) and runs commands through cmd_exec
 * with the caller's role; it never calls a handler directly.  It starts
 * one thread of its own, which checks passwords (Argon2id) off the loop;
 * nothing else runs there.
 */
#ifndef MENTOR_HTTP_H
#define MENTOR_HTTP_H

#include <stddef.h>

struct node;
struct http;

/*
 * http_open: binds [web] listen (nothing to do when it is empty).
 * Refuses (MENTOR_EPERM) a non-loopback address without TLS unless
 * behind_proxy = yes; MENTOR_EINVAL for a bad certificate or key,
 * MENTOR_EIO when the address cannot be bound or the password thread
 * cannot start.  err says which.  Only one web listener per process.
 */
int	http_open(struct http **, struct node *, char *err, size_t errlen);
void	http_close(struct http *);

/*
 * http_base_url: "http://HOST:PORT" or "https://..." for [web] listen
 * (for set-up links and sign-in URLs).  "" when the web is off.
 */
void	http_base_url(const struct node *, char *out, size_t outlen);

#endif
