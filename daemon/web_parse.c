/*
 * web_parse.c: cookie, query string, static path and error-field parsing
 * for the web listener (web_parse.h).  Pure functions over untrusted
 * bytes, fuzzed by tests/fuzz/fuzz_webparse.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mentor.h"
#include "web_parse.h"

#define QUERY_MAX	8192
#define QUERY_KEYS	64

int
web_cookie_get(const char *h, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name), vlen;
	const char *v, *end;

	while (h && *h) {
		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		end = h + strcspn(h, ";");
		if ((size_t)(end - h) > nlen && strncmp(h, name, nlen) == 0 &&
		    h[nlen] == '=') {
			v = h + nlen + 1;
			vlen = (size_t)(end - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (vlen >= outlen)
				return MENTOR_ETOOBIG;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		h = end;
	}
	return MENTOR_ENOTFOUND;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* decode: percent-decodes [s, s + len) into out (len + 1 bytes). */
static int
decode(const char *s, size_t len, char *out)
{
	size_t i, n = 0;
	int a, b;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			out[n++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				return -1;
			a = hexval((unsigned char)s[i + 1]);
			b = hexval((unsigned char)s[i + 2]);
			if (a < 0 || b < 0 || (a == 0 && b == 0))
				return -1;
			out[n++] = (char)(a << 4 | b);
			i += 2;
		} else
			out[n++] = s[i];
	}
	out[n] = '\0';
	return 0;
}

static json_t *
query_value(const char *v)
{
	char *end;
	long long x;

	if (strcmp(v, "true") == 0)
		return json_true();
	if (strcmp(v, "false") == 0)
		return json_false();
	if (*v && (isdigit((unsigned char)*v) || (*v == '-' &&
	    isdigit((unsigned char)v[1]))) && strlen(v) < 19) {
		errno = 0;
		x = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0')
			return json_integer(x);
	}
	return json_string(v);
}

int
web_query_args(const char *q, json_t **out, char *err, size_t errlen)
{
	char key[QUERY_MAX + 1], val[QUERY_MAX + 1];
	const char *p, *end, *eq;
	json_t *o, *v;
	size_t nkeys = 0;

	*out = NULL;
	if ((o = json_object()) == NULL)
		return MENTOR_ENOMEM;
	if (q == NULL)
		q = "";
	if (strlen(q) > QUERY_MAX) {
		snprintf(err, errlen, "query string over %d bytes", QUERY_MAX);
		json_decref(o);
		return MENTOR_ETOOBIG;
	}
	for (p = q; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (end == p)
			continue;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			eq = end;
		if (eq == p || decode(p, (size_t)(eq - p), key) != 0 ||
		    decode(eq < end ? eq + 1 : end, eq < end ?
		    (size_t)(end - eq - 1) : 0, val) != 0) {
			snprintf(err, errlen, "query string: bad parameter "
			    "\"%.*s\"", (int)((end - p) > 40 ? 40 : end - p),
			    p);
			json_decref(o);
			return MENTOR_EINVAL;
		}
		if (json_object_get(o, key) != NULL) {
			snprintf(err, errlen, "query string: \"%.40s\" given "
			    "twice", key);
			json_decref(o);
			return MENTOR_EINVAL;
		}
		if (++nkeys > QUERY_KEYS) {
			snprintf(err, errlen, "query string: over %d "
			    "parameters", QUERY_KEYS);
			json_decref(o);
			return MENTOR_ETOOBIG;
		}
		/* jansson refuses invalid UTF-8 in keys and strings. */
		if ((v = query_value(val)) == NULL ||
		    json_object_set_new(o, key, v) != 0) {
			snprintf(err, errlen, "query string: \"%.40s\" is not "
			    "UTF-8", key);
			json_decref(o);
			return MENTOR_EINVAL;
		}
	}
	*out = o;
	return 0;
}

static const char *const pages[] = { "student", "employer", "coordinator",
    "hub" };

int
web_static_path(const char *path, char *out, size_t outlen)
{
	const char *p, *seg;
	size_t i, n;

	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
		snprintf(out, outlen, "index.html");
		return 0;
	}
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (path[0] == '/' && strcmp(path + 1, pages[i]) == 0) {
			if ((size_t)snprintf(out, outlen, "%s.html",
			    pages[i]) >= outlen)
				return MENTOR_ENOTFOUND;
			return 0;
		}
	if (strncmp(path, "/static/", 8) != 0)
		return MENTOR_ENOTFOUND;
	n = strlen(path);
	if (n - 1 >= outlen || path[n - 1] == '/' || strstr(path, ".."))
		return MENTOR_ENOTFOUND;
	for (seg = path + 8; *seg; seg = *p ? p + 1 : p) {
		p = seg + strcspn(seg, "/");
		if (p == seg || *seg == '.')
			return MENTOR_ENOTFOUND;
		for (; seg < p; seg++)
			if (!isalnum((unsigned char)*seg) &&
			    !strchr("._-", *seg))
				return MENTOR_ENOTFOUND;
	}
	memcpy(out, path + 1, n);	/* with the NUL */
	return 0;
}

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ ".html",	"text/html; charset=utf-8" },
	{ ".css",	"text/css; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".json",	"application/json; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".jpg",	"image/jpeg" },
	{ ".ico",	"image/x-icon" },
	{ ".woff2",	"font/woff2" },
	{ ".txt",	"text/plain; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
};

const char *
web_content_type(const char *file)
{
	size_t i, n = strlen(file), e;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e = strlen(types[i].ext);
		if (n > e && strcmp(file + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

int
web_error_field(const char *msg, char *out, size_t outlen)
{
	size_t n = strspn(msg, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]");

	if (n == 0 || n >= outlen || msg[n] != ':' || msg[n + 1] != ' ')
		return 0;
	memcpy(out, msg, n);
	out[n] = '\0';
	return 1;
}

int
web_origin_same(const char *origin, const char *host)
{
	const char *h = strstr(origin, "://");

	if (h == NULL || host == NULL || *host == '\0')
		return 0;
	if (strncmp(origin, "http://", 7) != 0 &&
	    strncmp(origin, "https://", 8) != 0)
		return 0;
	h += 3;
	return strcasecmp(h, host) == 0;
}

/* hdr_is: whether the header line [p, p + n) is named name. */
static int
hdr_is(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && p[k] == ':' && strncasecmp(p, name, k) == 0;
}

int
web_head_scan(const char *head, size_t len, struct web_head *out)
{
	const char *p = head, *end = head + len, *eol, *v;
	long long cl = -1;
	size_t n;
	int i;

	memset(out, 0, sizeof(*out));
	out->content_length = -1;
	/* "HTTP/d.d SSS ...\r\n" */
	if (len < 17 || memcmp(p, "HTTP/", 5) != 0 || !isdigit((unsigned char)
	    p[5]) || p[6] != '.' || !isdigit((unsigned char)p[7]) ||
	    p[8] != ' ')
		return MENTOR_EINVAL;
	for (i = 9; i < 12; i++) {
		if (!isdigit((unsigned char)p[i]))
			return MENTOR_EINVAL;
		out->status = out->status * 10 + (p[i] - '0');
	}
	if (out->status < 100 || (p[12] != ' ' && p[12] != '\r'))
		return MENTOR_EINVAL;
	for (;;) {
		if ((eol = memchr(p, '\r', (size_t)(end - p))) == NULL ||
		    eol + 1 >= end || eol[1] != '\n')
			return MENTOR_EINVAL;
		n = (size_t)(eol - p);
		if (n == 0)
			break;		/* the blank line ends the head */
		if (p != head && hdr_is(p, n, "Content-Security-Policy"))
			out->has_csp = 1;
		else if (p != head && hdr_is(p, n, "Content-Length")) {
			v = p + strlen("Content-Length:");
			while (v < eol && *v == ' ')
				v++;
			if (v == eol || cl != -1)
				return MENTOR_EINVAL;
			for (cl = 0; v < eol; v++) {
				if (!isdigit((unsigned char)*v) ||
				    cl > (1LL << 50))
					return MENTOR_EINVAL;
				cl = cl * 10 + (*v - '0');
			}
		}
		p = eol + 2;
	}
	if (eol + 2 != end)
		return MENTOR_EINVAL;
	out->content_length = cl;
	return 0;
}
