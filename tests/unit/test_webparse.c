/*
 * test_webparse.c: web_head_scan (daemon/web_parse.c), which tells the
 * web listener where each reply it sends begins and ends, and whether the
 * security headers still have to be added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mentor.h"
#include "web_parse.h"

static int
scan(const char *s, struct web_head *h)
{
	return web_head_scan(s, strlen(s), h);
}

static void
test_head_ours(void **state)
{
	struct web_head h;

	(void)state;
	assert_int_equal(scan("HTTP/1.1 200 OK\r\nContent-Security-Policy: "
	    "default-src 'self'\r\nContent-Length: 42\r\nDate: x\r\n\r\n",
	    &h), 0);
	assert_int_equal(h.status, 200);
	assert_int_equal(h.has_csp, 1);
	assert_int_equal(h.content_length, 42);
	/* Header names are case-insensitive; spaces before the value. */
	assert_int_equal(scan("HTTP/1.0 404 Not Found\r\ncontent-length:   "
	    "7\r\ncontent-security-policy: x\r\n\r\n", &h), 0);
	assert_int_equal(h.status, 404);
	assert_int_equal(h.has_csp, 1);
	assert_int_equal(h.content_length, 7);
}

static void
test_head_libevent(void **state)
{
	struct web_head h;

	(void)state;
	/* What evhttp_send_error writes: no CSP. */
	assert_int_equal(scan("HTTP/1.1 400 Bad Request\r\nContent-Type: "
	    "text/html\r\nConnection: close\r\nContent-Length: 94\r\n\r\n",
	    &h), 0);
	assert_int_equal(h.status, 400);
	assert_int_equal(h.has_csp, 0);
	assert_int_equal(h.content_length, 94);
	/* Without a length (HTTP/1.0, or HEAD): -1. */
	assert_int_equal(scan("HTTP/1.0 501 Not Implemented\r\nConnection: "
	    "close\r\n\r\n", &h), 0);
	assert_int_equal(h.content_length, -1);
	assert_int_equal(scan("HTTP/1.1 100 Continue\r\n\r\n", &h), 0);
	assert_int_equal(h.status, 100);
	/* A header merely containing the name is not the header. */
	assert_int_equal(scan("HTTP/1.1 200 OK\r\nX-Content-Security-Policy: "
	    "x\r\nContent-Lengthy: 3\r\n\r\n", &h), 0);
	assert_int_equal(h.has_csp, 0);
	assert_int_equal(h.content_length, -1);
}

static void
test_head_refused(void **state)
{
	static const char *bad[] = {
		"",
		"HTTP/1.1 200 OK\r\n",			/* no blank line */
		"HTTP/1.1 200 OK\r\n\r\nbody",		/* bytes after it */
		"HTTP/1.1 099 Odd\r\n\r\n",		/* status under 100 */
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTX/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1 200 OK\rX: y\r\n\r\n",	/* bare CR */
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n",	/* two lengths */
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n"
		    "\r\n",
	};
	struct web_head h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(scan(bad[i], &h), MENTOR_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_ours),
		cmocka_unit_test(test_head_libevent),
		cmocka_unit_test(test_head_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
