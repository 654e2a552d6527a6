/*
 * test_csv.c: the RFC 4180 reader (protocol/csv.c): quoting, line ends,
 * the BOM, line numbers across quoted line breaks, and every malformed
 * record reported and skipped so that reading goes on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mentor.h"
#include "csv.h"

/* rec: the next record as "line|f1|f2|..." or "line!error" or "eof". */
static const char *
rec(struct csv_reader *r, char *out, size_t outlen)
{
	const struct csv_field *f;
	char err[CSV_ERR_MAX];
	size_t line, n, i, off;
	int rc;

	rc = csv_next(r, &line, &f, &n, err, sizeof(err));
	if (rc == 0)
		return "eof";
	if (rc < 0) {
		snprintf(out, outlen, "%zu!%s", line, err);
		return out;
	}
	off = (size_t)snprintf(out, outlen, "%zu", line);
	for (i = 0; i < n && off < outlen; i++) {
		assert_int_equal(strlen(f[i].p), f[i].n);
		off += (size_t)snprintf(out + off, outlen - off, "|%s%s",
		    f[i].quoted ? "q:" : "", f[i].p);
	}
	return out;
}

static void
expect(const char *in, size_t len, char sep, const char *const *want)
{
	struct csv_reader r;
	char buf[512];
	size_t i;

	csv_init(&r, in, len, sep);
	for (i = 0; want[i] != NULL; i++) {
		const char *got = rec(&r, buf, sizeof(buf));

		if (strcmp(got, want[i]) != 0)
			fail_msg("record %zu: got \"%s\", want \"%s\"", i, got,
			    want[i]);
	}
	assert_string_equal(rec(&r, buf, sizeof(buf)), "eof");
	assert_string_equal(rec(&r, buf, sizeof(buf)), "eof");
	csv_free(&r);
}

#define EXPECT(in, ...) do {						\
	static const char *const w_[] = { __VA_ARGS__, NULL };		\
	expect(in, sizeof(in) - 1, ',', w_);				\
} while (0)

static void
test_plain(void **state)
{
	(void)state;
	EXPECT("a,b,c\n1,2,3\n", "1|a|b|c", "2|1|2|3");
	EXPECT("a,b\r\n1,2\r\n", "1|a|b", "2|1|2");
	EXPECT("a,b\n1,2", "1|a|b", "2|1|2");
	EXPECT("\xef\xbb\xbf" "id,name\n", "1|id|name");
	EXPECT(",,\n", "1|||");
	EXPECT("a\n\nb\n", "1|a", "2|", "3|b");
	{
		static const char *const none[] = { NULL };

		expect("", 0, ',', none);
		expect("\xef\xbb\xbf", 3, ',', none);
	}
}

static void
test_quoted(void **state)
{
	(void)state;
	EXPECT("1,\"O'Brien, Sean\",x\n", "1|1|q:O'Brien, Sean|x");
	EXPECT("\"say \"\"hi\"\"\",\"\"\n", "1|q:say \"hi\"|q:");
	/* Line breaks inside quotes count: "last" is on line 5. */
	EXPECT("a,\"two\nlines\",b\r\n\"x\r\ny\"\nlast\n",
	    "1|a|q:two\nlines|b", "3|q:x\r\ny", "5|last");
	EXPECT("\"a\",\"b\"", "1|q:a|q:b");
	EXPECT("\"Zoë\",\"Müller\"\n", "1|q:Zoë|q:Müller");
	EXPECT("x\ty,z\n", "1|x\ty|z");
}

static void
test_tsv(void **state)
{
	static const char in[] = "id\tname\n2.A.1.a\tReading, and\n";
	static const char *const want[] = { "1|id|name",
	    "2|2.A.1.a|Reading, and", NULL };

	(void)state;
	expect(in, sizeof(in) - 1, '\t', want);
}

/* Each bad record is named by its line, skipped, and reading goes on. */
static void
test_bad(void **state)
{
	(void)state;
	EXPECT("a,b\nx,say \"hi\",y\nc,d\n", "1|a|b",
	    "2!a quote inside an unquoted field (quote the whole field and "
	    "double the quote)", "3|c|d");
	EXPECT("\"ab\"c,d\ne\n", "1!text after a closing quote", "2|e");
	EXPECT("a\n\"open,\nb\nc\n", "1|a", "2!quoted field not closed");
	EXPECT("a\nb\xff\nc\n", "1|a", "2!not valid UTF-8", "3|c");
	EXPECT("a\nb\xc0\xaf\nc\n", "1|a", "2!not valid UTF-8", "3|c");
	EXPECT("a\n\"q\nb\xed\xa0\x80\"\nc\n", "1|a", "2!not valid UTF-8",
	    "4|c");
	{
		static const char in[] = "a\nb\0c\nd\n";
		static const char *const want[] = { "1|a",
		    "2!contains a NUL byte", "3|d", NULL };

		expect(in, sizeof(in) - 1, ',', want);
	}
}

static void
test_limits(void **state)
{
	struct csv_reader r;
	char buf[256], *in;
	size_t n, i;

	(void)state;
	/* 256 fields pass, 257 do not. */
	n = 2 * CSV_FIELDS_MAX + 2;
	in = malloc(2 * n + 8);
	assert_non_null(in);
	for (i = 0; i < CSV_FIELDS_MAX; i++)
		memcpy(in + 2 * i, "x,", 2);
	in[2 * CSV_FIELDS_MAX - 1] = '\n';
	memcpy(in + 2 * CSV_FIELDS_MAX, in, 2 * CSV_FIELDS_MAX);
	memcpy(in + 4 * CSV_FIELDS_MAX - 1, ",x\nok\n", 6);
	csv_init(&r, in, 4 * CSV_FIELDS_MAX + 5, ',');
	assert_int_equal(strncmp(rec(&r, buf, sizeof(buf)), "1|x|x", 5), 0);
	assert_string_equal(rec(&r, buf, sizeof(buf)),
	    "2!more than 256 fields");
	assert_string_equal(rec(&r, buf, sizeof(buf)), "3|ok");
	csv_free(&r);
	free(in);

	/* A record over CSV_RECORD_MAX bytes: ETOOBIG, then the next. */
	n = CSV_RECORD_MAX + 1;
	in = malloc(n + 16);
	assert_non_null(in);
	memset(in, 'a', n);
	memcpy(in + n, "\nnext\n", 6);
	{
		const struct csv_field *f;
		char err[CSV_ERR_MAX];
		size_t line, nf;

		csv_init(&r, in, n + 6, ',');
		assert_int_equal(csv_next(&r, &line, &f, &nf, err,
		    sizeof(err)), MENTOR_ETOOBIG);
		assert_string_equal(err, "longer than 65536 bytes");
		assert_int_equal(csv_next(&r, &line, &f, &nf, err,
		    sizeof(err)), 1);
		assert_int_equal(line, 2);
		assert_string_equal(f[0].p, "next");
		csv_free(&r);
	}
	/* Exactly the limit is fine. */
	in[CSV_RECORD_MAX] = '\n';
	csv_init(&r, in, CSV_RECORD_MAX + 1, ',');
	{
		const struct csv_field *f;
		char err[CSV_ERR_MAX];
		size_t line, nf;

		assert_int_equal(csv_next(&r, &line, &f, &nf, err,
		    sizeof(err)), 1);
		assert_int_equal(f[0].n, CSV_RECORD_MAX);
	}
	csv_free(&r);
	free(in);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(csv_utf8_valid("", 0));
	assert_true(csv_utf8_valid("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80",
	    13));
	assert_false(csv_utf8_valid("\xc3", 1));
	assert_false(csv_utf8_valid("\xe0\x80\x80", 3));	/* overlong */
	assert_false(csv_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(csv_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_tsv),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
