/*
 * csv.c: the RFC 4180 reader of csv.h.  One pass over the buffer per
 * record; unquoted bytes are copied into one scratch buffer allocated
 * once, big enough for the largest record allowed, so field pointers stay
 * put while a record is read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__) && !defined(CSV_NO_FAST)
#include <emmintrin.h>
#define CSV_FAST	1
#endif

#include "mentor.h"
#include "csv.h"

#define SCRATCH_SIZE	(CSV_RECORD_MAX + CSV_FIELDS_MAX + 1)

void
csv_init(struct csv_reader *r, const char *buf, size_t len, char sep)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->line = 1;
	r->sep = sep;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

void
csv_free(struct csv_reader *r)
{
	free(r->scratch);
	r->scratch = NULL;
	r->cap = 0;
}

int
csv_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, extra;
	uint32_t cp, min;

	while (i < n) {
		unsigned char c = s[i];
		uint64_t w;

		/* ASCII, eight bytes at a time */
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			extra = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			extra = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			extra = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i <= extra)
			return 0;
		for (k = 1; k <= extra; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += extra + 1;
	}
	return 1;
}

/*
 * plain_run: how many of the n bytes at s come before the first sep,
 * quote, CR or LF (n when none): eight at a time, as most of a record is
 * ordinary bytes.  A word's bytes equal to v have their high bit set in
 * haszero(w ^ v * ONES) when they are the first such; whether any is set
 * is exact.
 */
#define ONES		0x0101010101010101ULL
#define HIGHS		0x8080808080808080ULL
#define haszero(w)	(((w) - ONES) & ~(w) & HIGHS)

static size_t
plain_run(const char *s, size_t n, char sep)
{
	const uint64_t vs = ONES * (unsigned char)sep, vq = ONES * '"',
	    vr = ONES * '\r', vn = ONES * '\n';
	uint64_t w, m;
	size_t i = 0;
	char c;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		m = haszero(w ^ vs) | haszero(w ^ vq) | haszero(w ^ vr) |
		    haszero(w ^ vn);
		if (m == 0)
			continue;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* The lowest bit set is the first byte that matched. */
		return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
		break;
#endif
	}
	for (; i < n; i++) {
		c = s[i];
		if (c == sep || c == '"' || c == '\r' || c == '\n')
			break;
	}
	return i;
}

static size_t
count_lines(const char *p, size_t n)
{
	size_t k = 0;
	const char *e = p + n, *nl;

	while (p < e && (nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p = nl + 1;
	}
	return k;
}

/*
 * skip_line: after a malformed record that started at start, moves past
 * the end of the physical line at i (or to the end of the buffer).
 */
static void
skip_line(struct csv_reader *r, size_t start, size_t i)
{
	const char *nl;

	if (i < r->len && (nl = memchr(r->buf + i, '\n', r->len - i)) != NULL)
		i = (size_t)(nl - r->buf) + 1;
	else
		i = r->len;
	r->line += count_lines(r->buf + start, i - start);
	r->pos = i;
}

static int
fail(struct csv_reader *r, size_t start, size_t i, int code, char *err,
    size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
	skip_line(r, start, i);
	return code;
}

#ifdef CSV_FAST
/*
 * The ordinary record, read sixteen bytes at a time: struct scan finds
 * the separators, quotes, CRs and LFs of a block at once (one bit each)
 * and notes whether any byte seen had its high bit set or was NUL.
 */
struct scan {
	const char	*b;
	size_t		 len;
	size_t		 base;		/* the block's first byte */
	unsigned	 mask;		/* its special bytes */
	unsigned	 hi, nul;	/* any in the blocks seen */
	__m128i		 vs, vq, vr, vn;
};

static int
scan_load(struct scan *s, size_t i)
{
	__m128i v, m;

	if (i > s->len || s->len - i < 16)
		return 0;	/* near the end: the general path */
	v = _mm_loadu_si128((const __m128i *)(const void *)(s->b + i));
	m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, s->vs),
	    _mm_cmpeq_epi8(v, s->vq)), _mm_or_si128(_mm_cmpeq_epi8(v,
	    s->vr), _mm_cmpeq_epi8(v, s->vn)));
	s->base = i;
	s->mask = (unsigned)_mm_movemask_epi8(m);
	s->hi |= (unsigned)_mm_movemask_epi8(v);
	s->nul |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_setzero_si128()));
	return 1;
}

/* scan_next: the first special byte at or after i (i >= s->base), or
 * SIZE_MAX when too near the end of the buffer to say. */
static size_t
scan_next(struct scan *s, size_t i)
{
	unsigned m;

	for (;;) {
		if (i - s->base < 16) {
			m = s->mask & (~0u << (i - s->base));
			if (m != 0)
				return s->base + (size_t)__builtin_ctz(m);
			i = s->base + 16;
		}
		if (!scan_load(s, i))
			return SIZE_MAX;
	}
}

/*
 * fast_record: reads the record at r->pos, as csv_next would, when it is
 * an ordinary one: each field unquoted, or quoted with no doubled quote
 * and no line break inside, and ending at a separator or the line break;
 * no NUL, valid UTF-8, within the limits, not within 16 bytes of the end
 * of the buffer.  Returns its field count, or 0 for any other record
 * (csv_next's general path then reads it, with its errors), with nothing
 * changed.
 */
static size_t
fast_record(struct csv_reader *r)
{
	const char *b = r->buf;
	size_t start = r->pos, i = start, nf = 0, k, cs, ce, end, next;
	struct scan s;
	int quoted;

	if (r->sep == '"' || r->sep == '\r' || r->sep == '\n')
		return 0;
	s.b = b;
	s.len = r->len;
	s.hi = s.nul = 0;
	s.vs = _mm_set1_epi8(r->sep);
	s.vq = _mm_set1_epi8('"');
	s.vr = _mm_set1_epi8('\r');
	s.vn = _mm_set1_epi8('\n');
	if (!scan_load(&s, start))
		return 0;
	for (;;) {
		if (nf == CSV_FIELDS_MAX || i >= r->len)
			return 0;
		quoted = b[i] == '"';
		if (quoted) {
			/* Separators and CRs are text up to the quote. */
			for (k = cs = i + 1;; k++) {
				if ((k = scan_next(&s, k)) == SIZE_MAX ||
				    b[k] == '\n')
					return 0;
				if (b[k] == '"')
					break;
			}
			ce = k;
			i = k + 1;
			if (i >= r->len || b[i] == '"')
				return 0;	/* a doubled quote */
		} else {
			for (k = cs = i;; k++) {
				if ((k = scan_next(&s, k)) == SIZE_MAX ||
				    b[k] == '"')
					return 0;
				/* A CR alone is text. */
				if (b[k] != '\r' || (k + 1 < r->len &&
				    b[k + 1] == '\n'))
					break;
			}
			ce = i = k;
		}
		/* Offsets until the record is whole, as csv_next does. */
		r->f[nf].p = (const char *)(uintptr_t)(cs - start);
		r->f[nf].n = ce - cs;
		r->f[nf].quoted = quoted;
		nf++;
		if (b[i] == r->sep) {
			i++;
			continue;
		}
		if (b[i] == '\n') {
			end = i;
			next = i + 1;
			break;
		}
		if (b[i] == '\r' && i + 1 < r->len && b[i + 1] == '\n') {
			end = i;
			next = i + 2;
			break;
		}
		return 0;	/* text after a closing quote */
	}
	if (end - start >= CSV_RECORD_MAX || s.nul != 0 ||
	    (s.hi != 0 && !csv_utf8_valid(b + start, end - start)))
		return 0;
	/* The record copied at once; each field ends in a NUL where its
	 * separator, closing quote or line break was. */
	memcpy(r->scratch, b + start, end - start);
	for (k = 0; k < nf; k++) {
		cs = (size_t)(uintptr_t)r->f[k].p;
		r->scratch[cs + r->f[k].n] = '\0';
		r->f[k].p = r->scratch + cs;
	}
	r->line++;
	r->pos = next;
	return nf;
}
#endif

int
csv_next(struct csv_reader *r, size_t *line,
    const struct csv_field **fields, size_t *nfields, char *err,
    size_t errlen)
{
	const char *b = r->buf;
	size_t start = r->pos, i = r->pos, end = 0, nf = 0, out = 0, fstart, k;
	size_t lim;
	const char *bad, *q;
	int quoted, done = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	*line = r->line;
	if (r->pos >= r->len)
		return 0;
	if (r->scratch == NULL) {
		if ((r->scratch = malloc(SCRATCH_SIZE)) == NULL)
			return MENTOR_ENOMEM;
		r->cap = SCRATCH_SIZE;
	}
#ifdef CSV_FAST
	if ((nf = fast_record(r)) > 0) {
		*fields = r->f;
		*nfields = nf;
		return 1;
	}
#endif
	while (!done) {
		if (nf == CSV_FIELDS_MAX)
			return fail(r, start, i, MENTOR_EINVAL, err, errlen,
			    "more than 256 fields");
		fstart = out;
		quoted = 0;
		if (i < r->len && b[i] == '"') {
			quoted = 1;
			i++;
			/* Up to each quote at once: separators and line
			 * breaks are text here. */
			lim = r->len - start > CSV_RECORD_MAX ? start +
			    CSV_RECORD_MAX + 1 : r->len;
			for (;;) {
				q = i < lim ? memchr(b + i, '"', lim - i) :
				    NULL;
				k = q != NULL ? (size_t)(q - b) : i > lim ? i :
				    lim;
				memcpy(r->scratch + out, b + i, k - i);
				out += k - i;
				i = k;
				if (q == NULL && i - start > CSV_RECORD_MAX)
					return fail(r, start, i, MENTOR_ETOOBIG,
					    err, errlen, "longer than 65536 "
					    "bytes");
				if (q == NULL) {
					/* The rest of the buffer is lost. */
					r->line += count_lines(b + start,
					    r->len - start);
					r->pos = r->len;
					if (err != NULL && errlen > 0)
						snprintf(err, errlen, "quoted "
						    "field not closed");
					return MENTOR_EINVAL;
				}
				if (i + 1 < r->len && b[i + 1] == '"') {
					r->scratch[out++] = '"';
					i += 2;
					continue;
				}
				i++;
				break;
			}
		}
		lim = r->len - start > CSV_RECORD_MAX ? start +
		    CSV_RECORD_MAX + 1 : r->len;
		for (;;) {
			/* A run of ordinary bytes, copied at once; the byte
			 * after it is judged below. */
			k = i + plain_run(b + i, lim - i, r->sep);
			if (k > i && quoted)
				return fail(r, start, i, MENTOR_EINVAL, err,
				    errlen, "text after a closing quote");
			memcpy(r->scratch + out, b + i, k - i);
			out += k - i;
			i = k;
			if (i - start > CSV_RECORD_MAX)
				return fail(r, start, i, MENTOR_ETOOBIG, err,
				    errlen, "longer than 65536 bytes");
			if (i >= r->len) {
				end = i;
				done = 1;
				break;
			}
			if (b[i] == r->sep) {
				i++;
				break;
			}
			if (b[i] == '\n' || (b[i] == '\r' && i + 1 < r->len &&
			    b[i + 1] == '\n')) {
				end = i;
				i += b[i] == '\r' ? 2 : 1;
				done = 1;
				break;
			}
			if (quoted)
				return fail(r, start, i, MENTOR_EINVAL, err,
				    errlen, "text after a closing quote");
			if (b[i] == '"')
				return fail(r, start, i, MENTOR_EINVAL, err,
				    errlen, "a quote inside an unquoted field "
				    "(quote the whole field and double the "
				    "quote)");
			r->scratch[out++] = b[i++];
		}
		r->scratch[out++] = '\0';
		r->f[nf].n = out - 1 - fstart;
		r->f[nf].quoted = quoted;
		/* p is set below: offsets until the record is whole. */
		r->f[nf].p = (const char *)(uintptr_t)fstart;
		nf++;
	}
	r->line += count_lines(b + start, i - start);
	r->pos = i;
	bad = memchr(b + start, '\0', end - start) != NULL ? "contains a NUL byte" :
	    !csv_utf8_valid(b + start, end - start) ? "not valid UTF-8" : NULL;
	if (bad != NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", bad);
		return MENTOR_EINVAL;
	}
	for (k = 0; k < nf; k++)
		r->f[k].p = r->scratch + (size_t)(uintptr_t)r->f[k].p;
	*fields = r->f;
	*nfields = nf;
	return 1;
}
