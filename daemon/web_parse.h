/*
 * web_parse.h: the few parts of HTTP that mentord parses by hand: a
 * cookie out of a Cookie header, a query string into command arguments,
 * a static path into a file under the web root, the field an error
 * message names, and an Origin against the Host.  No I/O; every function
 * takes untrusted bytes and bounds what it writes.
 */
#ifndef MENTOR_WEB_PARSE_H
#define MENTOR_WEB_PARSE_H

#include <stddef.h>

#include <jansson.h>

/*
 * web_cookie_get: the value of cookie name in a Cookie header
 * ("a=1; b=2").  0 and the value in out; MENTOR_ENOTFOUND when absent;
 * MENTOR_ETOOBIG when the value does not fit outlen (with its NUL).
 */
int	web_cookie_get(const char *header, const char *name, char *out,
	    size_t outlen);

/*
 * web_query_args: a query string ("student=S1&dry_run=1") as a JSON
 * object (new reference in *out): %XX and '+' decoded; "true"/"false"
 * become booleans, decimal integers integers, anything else a string.
 * MENTOR_EINVAL (err says which key) for a bad escape, a NUL byte, an
 * empty or repeated key; MENTOR_ETOOBIG over 64 keys or 8 KiB.
 */
int	web_query_args(const char *query, json_t **out, char *err,
	    size_t errlen);

/*
 * web_static_path: maps a request path to a file name relative to the
 * web root: "/" -> "index.html", "/student" -> "student.html" (also
 * employer, coordinator, hub), "/static/X" -> "static/X" where X is made
 * of [A-Za-z0-9._-] segments that do not start with a dot and no "..".  Anything
 * else (percent escapes, "..", "//", other characters) is MENTOR_ENOTFOUND.
 */
int	web_static_path(const char *path, char *out, size_t outlen);

/* web_content_type: the Content-Type for a file name, NULL if unknown. */
const char *web_content_type(const char *file);

/*
 * web_error_field: when msg starts with "NAME: " where NAME is a field
 * path ([A-Za-z0-9_.[\]] characters, up to outlen - 1), writes NAME and
 * returns 1; else 0.
 */
int	web_error_field(const char *msg, char *out, size_t outlen);

/*
 * web_origin_same: 1 when origin ("https://host:port") names host (the
 * Host header), whatever the scheme; 0 otherwise ("null" included).
 */
int	web_origin_same(const char *origin, const char *host);

/* What the web listener needs to know of a response head it sends. */
struct web_head {
	int		 status;		/* 100 to 999 */
	int		 has_csp;		/* Content-Security-Policy */
	long long	 content_length;	/* -1 when absent */
};

/*
 * web_head_scan: an HTTP/1.x response head of exactly len bytes (the
 * status line, the header lines, and the blank line that ends it, every
 * line ending in CRLF).  0 and *out filled, or MENTOR_EINVAL when it is
 * not such a head (a bad status line, a bare CR, a bad or repeated
 * Content-Length, bytes after the blank line).
 */
int	web_head_scan(const char *head, size_t len, struct web_head *out);

#endif
