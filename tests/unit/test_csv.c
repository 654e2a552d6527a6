/*
 * test_csv.c: the RFC 4180 reader (protocol/csv.c): quoting, line ends,
 * the BOM, line numbers across quoted line breaks, and every malformed
 * record reported and skipped so that reading goes on; and, beside the
 * byte-at-a-time reader it replaced, the same records from random input.
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

/*
 * The reader scans words, not bytes.  Beside it, the byte-at-a-time
 * reader it replaced, as the oracle: one record of it into *o.
 */
struct ref {
	int	 rc;
	size_t	 line, nf, pos, next_line;
	char	 fields[CSV_RECORD_MAX + 3 * CSV_FIELDS_MAX]; /* each field, q:
				 * when quoted, then NUL */
	char	 err[CSV_ERR_MAX];
};

static size_t
ref_lines(const char *p, size_t n)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

static void
ref_next(const char *b, size_t len, char sep, size_t *pos, size_t *line,
    struct ref *o)
{
	size_t start = *pos, i = *pos, end = 0, off = 0;
	int quoted, done = 0;
	const char *bad = NULL;

	memset(o, 0, sizeof(*o));
	o->line = *line;
	if (i >= len)
		return;		/* rc 0 */
	while (!done) {
		if (o->nf == CSV_FIELDS_MAX) {
			bad = "more than 256 fields";
			goto skip;
		}
		quoted = 0;
		if (i < len && b[i] == '"') {
			quoted = 1;
			o->fields[off++] = 'q';
			o->fields[off++] = ':';
			for (i++;; i++) {
				if (i - start > CSV_RECORD_MAX) {
					o->rc = MENTOR_ETOOBIG;
					bad = "longer than 65536 bytes";
					goto skip;
				}
				if (i >= len) {
					*line += ref_lines(b + start,
					    len - start);
					*pos = len;
					o->rc = MENTOR_EINVAL;
					snprintf(o->err, sizeof(o->err),
					    "quoted field not closed");
					goto out;
				}
				if (b[i] == '"' && i + 1 < len &&
				    b[i + 1] == '"') {
					o->fields[off++] = '"';
					i++;
				} else if (b[i] == '"') {
					i++;
					break;
				} else
					o->fields[off++] = b[i];
			}
		}
		for (;; i++) {
			if (i - start > CSV_RECORD_MAX) {
				o->rc = MENTOR_ETOOBIG;
				bad = "longer than 65536 bytes";
				goto skip;
			}
			if (i >= len) {
				end = i;
				done = 1;
				break;
			}
			if (b[i] == sep) {
				i++;
				break;
			}
			if (b[i] == '\n' || (b[i] == '\r' && i + 1 < len &&
			    b[i + 1] == '\n')) {
				end = i;
				i += b[i] == '\r' ? 2 : 1;
				done = 1;
				break;
			}
			if (quoted) {
				bad = "text after a closing quote";
				goto skip;
			}
			if (b[i] == '"') {
				bad = "a quote inside an unquoted field "
				    "(quote the whole field and double the "
				    "quote)";
				goto skip;
			}
			o->fields[off++] = b[i];
		}
		o->fields[off++] = '\0';
		o->nf++;
	}
	*line += ref_lines(b + start, i - start);
	*pos = i;
	bad = memchr(b + start, '\0', end - start) != NULL ?
	    "contains a NUL byte" : !csv_utf8_valid(b + start, end - start) ?
	    "not valid UTF-8" : NULL;
	o->rc = bad ? MENTOR_EINVAL : 1;
	if (bad)
		snprintf(o->err, sizeof(o->err), "%s", bad);
	goto out;
skip:
	if (o->rc == 0)
		o->rc = MENTOR_EINVAL;
	snprintf(o->err, sizeof(o->err), "%s", bad);
	while (i < len && b[i] != '\n')
		i++;
	i += i < len;
	*line += ref_lines(b + start, i - start);
	*pos = i;
out:
	o->pos = *pos;
	o->next_line = *line;
}

/* splitmix64, the same sequence every run */
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* same_as_ref: the reader and the oracle agree on every record of b. */
static void
same_as_ref(const char *b, size_t len, char sep)
{
	const struct csv_field *f;
	struct csv_reader r;
	static struct ref o;
	static char got[sizeof(o.fields)];
	char err[CSV_ERR_MAX];
	size_t line, nf, pos = 0, rline = 1, i, off;
	int rc;

	if (len >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	csv_init(&r, b, len, sep);
	do {
		ref_next(b, len, sep, &pos, &rline, &o);
		rc = csv_next(&r, &line, &f, &nf, err, sizeof(err));
		assert_int_equal(rc, o.rc);
		assert_int_equal(line, o.line);
		if (rc == 0)
			break;
		assert_int_equal(r.pos, o.pos);
		assert_int_equal(r.line, o.next_line);
		if (rc < 0) {
			assert_string_equal(err, o.err);
			continue;
		}
		assert_int_equal(nf, o.nf);
		for (i = 0, off = 0; i < nf; i++) {
			assert_int_equal(strlen(f[i].p), f[i].n);
			if (f[i].quoted) {
				memcpy(got + off, "q:", 2);
				off += 2;
			}
			memcpy(got + off, f[i].p, f[i].n + 1);
			off += f[i].n + 1;
		}
		assert_memory_equal(got, o.fields, off);
	} while (rc != 0);
	csv_free(&r);
}

/*
 * Random records of separators, quotes, CR, LF, NUL, UTF-8 and runs of
 * plain bytes of every length, at every alignment: read as the byte-at-
 * a-time reader read them.  Then records around the length limit.
 */
static void
test_words(void **state)
{
	static const char *const bits[] = { ",", "\"", "\"\"", "\r", "\n",
	    "\r\n", "\t", ";", "\xc3\xa9", "\xe1\xbb\x85", "\xff", "x",
	    " ", "\0", "ab", "abcdefg", "abcdefghijklmnop" };
	uint64_t seed = 42;
	char *b;
	size_t n, k, i, len, size = CSV_RECORD_MAX + 4096;

	(void)state;
	b = malloc(size);
	assert_non_null(b);
	for (k = 0; k < 20000; k++) {
		/* an offset, so words fall across every alignment */
		len = next_rand(&seed) % 16;
		memset(b, 'p', len);
		n = next_rand(&seed) % 40;
		for (i = 0; i < n; i++) {
			const char *x = bits[next_rand(&seed) %
			    (sizeof(bits) / sizeof(bits[0]))];
			size_t xl = x[0] == '\0' ? 1 : strlen(x);

			memcpy(b + len, x, xl);
			len += xl;
		}
		same_as_ref(b, len, k % 4 == 0 ? '\t' : ',');
	}
	for (k = 0; k < 64; k++) {
		/* around CSV_RECORD_MAX, quoted or not, a break somewhere */
		len = CSV_RECORD_MAX - 32 + next_rand(&seed) % 64;
		memset(b, 'a', len);
		if (k & 1)
			b[0] = '"';
		if (k & 2)
			b[len - 1 - next_rand(&seed) % 8] = '"';
		if (k & 4)
			b[next_rand(&seed) % len] = '\n';
		if (k & 8)
			b[len++] = '"';
		memcpy(b + len, "\nnext,x\n", 8);
		same_as_ref(b, len + 8, ',');
	}
	free(b);
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
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
