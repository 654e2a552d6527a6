/*
 * jscan.c: a JSON reader over bytes that accepts what jansson accepts
 * (see jscan.h), for checks that must not pay for a tree.  The rules
 * follow jansson 2.14's lexer (load.c) and its UTF-8 checks (utf8.c).
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "jscan.h"

void
jscan_init(struct jscan *j, const void *buf, size_t len)
{
	j->p = buf;
	j->end = j->p + len;
}

static void
ws(struct jscan *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
	    *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

int
jscan_lit(struct jscan *j, char c)
{
	ws(j);
	if (j->p < j->end && *j->p == (unsigned char)c) {
		j->p++;
		return 1;
	}
	return 0;
}

int
jscan_end(struct jscan *j)
{
	ws(j);
	return j->p == j->end;
}

int
jscan_hex4(const unsigned char *s, const unsigned char *end, uint32_t *v)
{
	int i, c;

	if (end - s < 4)
		return -1;
	for (*v = 0, i = 0; i < 4; i++) {
		c = s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | (uint32_t)c;
	}
	return 0;
}

/*
 * jscan_utf8: the code point of the valid UTF-8 sequence at s and its
 * length, 0 if invalid (jansson: no overlong form, no surrogate, nothing
 * above U+10FFFF).
 */
size_t
jscan_utf8(const unsigned char *s, const unsigned char *end, uint32_t *cp)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && *cp < 0x10000) ||
	    *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static unsigned
cp_flags(uint32_t cp)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return JSCAN_TNR;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return JSCAN_CTRL;
	return 0;
}

/* put: appends the n bytes at s to the decoded string; -1 if no room. */
static int
put(char *buf, size_t cap, size_t *w, const void *s, size_t n)
{
	if (buf != NULL) {
		if (cap - *w <= n)	/* and the NUL */
			return -1;
		memcpy(buf + *w, s, n);
	}
	*w += n;
	return 0;
}

static size_t
utf8_encode(uint32_t cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

int
jscan_string(struct jscan *j, char *buf, size_t cap, size_t *n,
    unsigned *flags)
{
	const unsigned char *r, *run, *end = j->end;
	unsigned char enc[4];
	uint32_t cp, lo;
	size_t w = 0, k;
	unsigned f = 0;

	*n = 0;
	*flags = 0;
	if (buf != NULL && cap == 0)
		return MENTOR_EINVAL;
	ws(j);
	if (j->p >= end || *j->p != '"')
		return MENTOR_EINVAL;
	r = j->p + 1;
	for (;;) {
		/* A run of plain printable ASCII, copied at once. */
		for (run = r; r < end && *r >= 0x20 && *r < 0x7f &&
		    *r != '"' && *r != '\\'; r++)
			;
		if (r > run && put(buf, cap, &w, run, (size_t)(r - run)) != 0)
			return MENTOR_EINVAL;
		if (r >= end)
			return MENTOR_EINVAL;
		if (*r == '"')
			break;
		if (*r < 0x20)
			return MENTOR_EINVAL;	/* raw control character */
		if (*r == 0x7f) {
			f |= JSCAN_CTRL;
			if (put(buf, cap, &w, r++, 1) != 0)
				return MENTOR_EINVAL;
			continue;
		}
		if (*r != '\\') {
			if ((k = jscan_utf8(r, end, &cp)) == 0)
				return MENTOR_EINVAL;
			f |= cp_flags(cp);
			if (put(buf, cap, &w, r, k) != 0)
				return MENTOR_EINVAL;
			r += k;
			continue;
		}
		if (++r >= end)
			return MENTOR_EINVAL;
		switch (*r++) {
		case '"':	cp = '"'; break;
		case '\\':	cp = '\\'; break;
		case '/':	cp = '/'; break;
		case 'b':	cp = '\b'; break;
		case 'f':	cp = '\f'; break;
		case 'n':	cp = '\n'; break;
		case 'r':	cp = '\r'; break;
		case 't':	cp = '\t'; break;
		case 'u':
			if (jscan_hex4(r, end, &cp) != 0)
				return MENTOR_EINVAL;
			r += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return MENTOR_EINVAL;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - r < 6 || r[0] != '\\' ||
				    r[1] != 'u' || jscan_hex4(r + 2, end, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return MENTOR_EINVAL;
				r += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			/* jansson: no NUL in a key, nor in a value. */
			if (cp == 0)
				return MENTOR_EINVAL;
			break;
		default:
			return MENTOR_EINVAL;
		}
		f |= cp_flags(cp);
		if (put(buf, cap, &w, enc, utf8_encode(cp, enc)) != 0)
			return MENTOR_EINVAL;
	}
	j->p = r + 1;
	if (buf != NULL)
		buf[w] = '\0';
	*n = w;
	*flags = f;
	return 0;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* to_double: strtod of the n bytes at s, as jansson's jsonp_strtod. */
static int
to_double(const unsigned char *s, size_t n, double *out)
{
	char inl[JSCAN_NUM_INLINE + 1], *buf = inl, *e, point;
	size_t i;
	int rc = 0;

	if (n > JSCAN_NUM_INLINE && (buf = malloc(n + 1)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* strtod reads the locale's decimal point; jansson swaps it in. */
	point = localeconv()->decimal_point[0];
	if (point != '.' && point != '\0')
		for (i = 0; i < n; i++)
			if (buf[i] == '.')
				buf[i] = point;
	errno = 0;
	*out = strtod(buf, &e);
	if (*e != '\0' || ((*out == HUGE_VAL || *out == -HUGE_VAL) &&
	    errno == ERANGE))
		rc = MENTOR_EINVAL;
	if (buf != inl)
		free(buf);
	return rc;
}

/*
 * nul_after: jansson's lexer reads one byte past a number or a word and
 * puts it back; a NUL put back reads as "nothing buffered", so that byte
 * is skipped.  Its verdicts are the network's (SPEC.md 2), so do the same.
 */
static void
nul_after(struct jscan *j)
{
	if (j->p < j->end && *j->p == '\0')
		j->p++;
}

int
jscan_number(struct jscan *j, struct jscan_num *out)
{
	const unsigned char *s, *p, *end = j->end;
	uint64_t v = 0, lim;
	int neg = 0;

	memset(out, 0, sizeof(*out));
	ws(j);
	s = p = j->p;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p < end && *p == '0') {
		if (++p < end && is_digit(*p))
			return MENTOR_EINVAL;	/* a leading zero */
	} else if (p < end && is_digit(*p)) {
		while (p < end && is_digit(*p))
			p++;
	} else
		return MENTOR_EINVAL;
	if (p >= end || (*p != '.' && *p != 'e' && *p != 'E')) {
		/* An integer: strtoll's range, ERANGE refused. */
		lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		for (j->p = s + neg; j->p < p; j->p++) {
			if (v > (lim - (uint64_t)(*j->p - '0')) / 10)
				return MENTOR_EINVAL;
			v = v * 10 + (uint64_t)(*j->p - '0');
		}
		out->integer = 1;
		out->i = neg ? (int64_t)(0 - v) : (int64_t)v;
		if (neg && v == (uint64_t)INT64_MAX + 1)
			out->i = INT64_MIN;
		out->d = (double)out->i;
		nul_after(j);
		return 0;
	}
	if (*p == '.') {
		if (++p >= end || !is_digit(*p))
			return MENTOR_EINVAL;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return MENTOR_EINVAL;
		while (p < end && is_digit(*p))
			p++;
	}
	j->p = p;
	nul_after(j);
	return to_double(s, (size_t)(p - s), &out->d);
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
jscan_bool(struct jscan *j, int *out)
{
	size_t n;

	ws(j);
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0)
		n = 4, *out = 1;
	else if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0)
		n = 5, *out = 0;
	else
		return MENTOR_EINVAL;
	/* jansson reads a whole run of letters as one word. */
	if (j->end - j->p > (ptrdiff_t)n && is_alpha(j->p[n]))
		return MENTOR_EINVAL;
	j->p += n;
	nul_after(j);
	return 0;
}
