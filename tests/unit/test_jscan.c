/*
 * test_jscan.c: the JSON reader of the listing fast check (protocol/
 * jscan.c), through jscan.h: the edges where jansson accepts or refuses
 * (fuzz_listingbody holds the two to the same verdicts on whole bodies).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mentor.h"
#include "jscan.h"

static int
num(const char *s, struct jscan_num *v)
{
	struct jscan j;

	jscan_init(&j, s, strlen(s));
	return jscan_number(&j, v);
}

static void
test_numbers(void **state)
{
	struct jscan_num v;

	(void)state;
	assert_int_equal(num("9223372036854775807", &v), 0);
	assert_true(v.integer);
	assert_true(v.i == INT64_MAX);
	assert_int_equal(num("-9223372036854775808", &v), 0);
	assert_true(v.i == INT64_MIN);
	assert_int_equal(num("9223372036854775808", &v), MENTOR_EINVAL);
	assert_int_equal(num("-9223372036854775809", &v), MENTOR_EINVAL);
	assert_int_equal(num("-0", &v), 0);
	assert_true(v.integer && v.i == 0);
	assert_int_equal(num("2.5E+1", &v), 0);
	assert_false(v.integer);
	assert_true(v.d == 25.0);
	assert_int_equal(num("1e400", &v), MENTOR_EINVAL);	/* overflow */
	assert_int_equal(num("-1e400", &v), MENTOR_EINVAL);
	assert_int_equal(num("1e-400", &v), 0);		/* underflow: 0 */
	assert_true(v.d == 0.0);
	assert_int_equal(num("01", &v), MENTOR_EINVAL);
	assert_int_equal(num("-", &v), MENTOR_EINVAL);
	assert_int_equal(num("1.", &v), MENTOR_EINVAL);
	assert_int_equal(num(".5", &v), MENTOR_EINVAL);
	assert_int_equal(num("1e", &v), MENTOR_EINVAL);
	assert_int_equal(num("+1", &v), MENTOR_EINVAL);
	/* Longer than the inline buffer: copied, still exact. */
	assert_int_equal(num("0.00000000000000000000000000000000000000000000"
	    "000000000000000000000000000000000000000000000000000000000025e2",
	    &v), 0);
	assert_true(v.d > 0 && v.d < 1e-90);
}

static int
str(const char *s, size_t len, char *buf, size_t cap, size_t *n,
    unsigned *fl)
{
	struct jscan j;

	jscan_init(&j, s, len);
	return jscan_string(&j, buf, cap, n, fl);
}

static void
test_strings(void **state)
{
	char buf[16];
	size_t n;
	unsigned fl;

	(void)state;
	assert_int_equal(str("\"a\\u0062\\/\\ud83d\\ude00\"", 24, buf,
	    sizeof(buf), &n, &fl), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(buf, "ab/\xf0\x9f\x98\x80", 8);
	assert_int_equal(fl, 0);
	assert_int_equal(str("\"a\\tb\"", 6, NULL, 0, &n, &fl), 0);
	assert_int_equal(fl, JSCAN_TNR);
	assert_int_equal(str("\"\\u0085\"", 8, NULL, 0, &n, &fl), 0);
	assert_int_equal(fl, JSCAN_CTRL);
	assert_int_equal(str("\"\x7f\"", 3, NULL, 0, &n, &fl), 0);
	assert_int_equal(fl, JSCAN_CTRL);
	assert_int_equal(str("\"\xc2\xa0\"", 4, NULL, 0, &n, &fl), 0);
	assert_int_equal(fl, 0);
	assert_int_equal(n, 2);
	/* Refused as jansson refuses them. */
	assert_int_equal(str("\"\\u0000\"", 8, NULL, 0, &n, &fl),
	    MENTOR_EINVAL);
	assert_int_equal(str("\"\\ud83d\"", 8, NULL, 0, &n, &fl),
	    MENTOR_EINVAL);
	assert_int_equal(str("\"\\ude00\"", 8, NULL, 0, &n, &fl),
	    MENTOR_EINVAL);
	assert_int_equal(str("\"a\nb\"", 5, NULL, 0, &n, &fl), MENTOR_EINVAL);
	assert_int_equal(str("\"\xc0\xaf\"", 4, NULL, 0, &n, &fl),
	    MENTOR_EINVAL);
	assert_int_equal(str("\"\xed\xa0\x80\"", 5, NULL, 0, &n, &fl),
	    MENTOR_EINVAL);
	assert_int_equal(str("\"\\x\"", 4, NULL, 0, &n, &fl), MENTOR_EINVAL);
	assert_int_equal(str("\"abc", 4, NULL, 0, &n, &fl), MENTOR_EINVAL);
	/* Longer than the caller's buffer (with its NUL): refused. */
	assert_int_equal(str("\"0123456789abcde\"", 17, buf, sizeof(buf), &n,
	    &fl), 0);
	assert_int_equal(str("\"0123456789abcdef\"", 18, buf, sizeof(buf),
	    &n, &fl), MENTOR_EINVAL);
}

static void
test_words(void **state)
{
	struct jscan j;
	int b;

	(void)state;
	jscan_init(&j, " true ,", 7);
	assert_int_equal(jscan_bool(&j, &b), 0);
	assert_int_equal(b, 1);
	assert_true(jscan_lit(&j, ','));
	assert_true(jscan_end(&j));
	jscan_init(&j, "truex", 5);
	assert_int_equal(jscan_bool(&j, &b), MENTOR_EINVAL);
	jscan_init(&j, "null", 4);
	assert_int_equal(jscan_bool(&j, &b), MENTOR_EINVAL);
	/* jansson's quirk: one NUL right after a word or number is skipped. */
	jscan_init(&j, "false\0,", 7);
	assert_int_equal(jscan_bool(&j, &b), 0);
	assert_int_equal(b, 0);
	assert_true(jscan_lit(&j, ','));
	jscan_init(&j, "12\0\0", 4);
	{
		struct jscan_num v;

		assert_int_equal(jscan_number(&j, &v), 0);
		assert_false(jscan_end(&j));	/* the second NUL stays */
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
