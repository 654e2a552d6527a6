/*
 * fuzz_webparse.c: the web's hand-written parsers (web_parse.c) from
 * arbitrary bytes.  The first byte picks the parser; the rest is the
 * input.  Checks the promises of web_parse.h: bounded output, a static
 * path never leaves the root, a query string becomes an object.  A
 * first byte 0xff picks the response-head scanner.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mentor.h"
#include "web_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[80], err[256], path[4096];
	struct web_head wh;
	json_t *o;
	size_t n;

	if (size < 1 || size > 16384)
		return 0;
	if (data[0] == 0xff) {
		if (web_head_scan((const char *)data + 1, size - 1, &wh) == 0 &&
		    (wh.status < 100 || wh.status > 999 ||
		    wh.content_length < -1))
			abort();
		return 0;
	}
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		if (web_cookie_get(s, "mentord_session", out, sizeof(out)) ==
		    0 && strlen(out) >= sizeof(out))
			abort();
		break;
	case 1:
		if (web_query_args(s, &o, err, sizeof(err)) == 0) {
			if (!json_is_object(o))
				abort();
			json_decref(o);
		} else if (o != NULL)
			abort();
		break;
	case 2:
		if (web_static_path(s, path, sizeof(path)) == 0) {
			n = strlen(path);
			if (n == 0 || path[0] == '/' || strstr(path, "..") ||
			    strstr(path, "//") || strchr(path, '%') ||
			    path[n - 1] == '/')
				abort();
		}
		break;
	case 3:
		if (web_error_field(s, out, sizeof(out)) &&
		    (strlen(out) == 0 || strncmp(s, out, strlen(out)) != 0))
			abort();
		break;
	default:
		(void)web_origin_same(s, "127.0.0.1:8080");
		(void)web_content_type(s);
		break;
	}
	free(s);
	return 0;
}
