/*
 * test_peermsg.c: the peer messages DELIVER, ACK (protocol/SPEC.md 12.6)
 * and ANNOUNCE (12.3) against tests/vectors/peermsg.txt, and the ACK
 * signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mentor.h"
#include "peermsg.h"
#include "record.h"

static size_t
unhex(uint8_t *out, size_t cap, const char *s)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && s[0] != '\n' && n < cap) {
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void
test_vectors(void **state)
{
	static uint8_t buf[4096];
	uint8_t in[sizeof(PM_ACK_CONTEXT) - 1 + 64];
	char line[8192], *f1, *f2;
	struct pm m;
	size_t n;
	int cases = 0, type;
	FILE *f = fopen("tests/vectors/peermsg.txt", "r");

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_non_null(f1 = strchr(line, '\t'));
		*f1++ = '\0';
		if (strcmp(line, "ok") == 0) {
			assert_non_null(f2 = strchr(f1, '\t'));
			*f2++ = '\0';
			type = atoi(f1);
			n = unhex(buf, sizeof(buf), f2);
			assert_int_equal(pm_decode(&m, buf, n), 0);
			assert_int_equal(m.type, type);
			if (type == PM_DELIVER) {
				assert_ptr_equal(m.to, buf + PM_HDR_LEN);
				assert_int_equal(m.nrecords, 1);
			} else if (type == PM_ANNOUNCE) {
				assert_ptr_equal(m.ann, buf + PM_HDR_LEN + 2);
				assert_int_equal(m.nann, 1);
				assert_int_equal(m.ann[8], 0x55);
			} else
				assert_ptr_equal(m.ack, buf + PM_HDR_LEN);
		} else if (strcmp(line, "err") == 0) {
			n = unhex(buf, sizeof(buf), f1);
			assert_int_equal(pm_decode(&m, buf, n), MENTOR_EPROTO);
		} else if (strcmp(line, "ack") == 0) {
			n = unhex(buf, sizeof(buf), f1);
			assert_int_equal(pm_decode(&m, buf, n), 0);
			memcpy(in, PM_ACK_CONTEXT, sizeof(PM_ACK_CONTEXT) - 1);
			memcpy(in + sizeof(PM_ACK_CONTEXT) - 1, m.ack, 64);
			assert_int_equal(crypto_sign_verify_detached(m.ack + 96,
			    in, sizeof(in), m.ack + 64), 0);
			/* Any other id: the signature no longer holds. */
			in[sizeof(PM_ACK_CONTEXT) - 1] ^= 1;
			assert_int_not_equal(crypto_sign_verify_detached(
			    m.ack + 96, in, sizeof(in), m.ack + 64), 0);
		} else
			fail_msg("unknown line kind %s", line);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 13);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
