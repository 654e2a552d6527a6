/*
 * util.h: small pure helpers shared by every part: hex, dates, safe
 * string copies.  No I/O, no allocation.
 */
#ifndef MENTOR_UTIL_H
#define MENTOR_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * hex_encode: writes 2*len lowercase hex digits and a NUL to out, which must
 * hold 2*len+1 bytes.
 */
void	hex_encode(char *out, const uint8_t *in, size_t len);

/*
 * hex_decode: decodes exactly 2*outlen hex digits (either case) from the
 * NUL-terminated string in into out.  Returns 0, or MENTOR_EINVAL when in
 * has another length or a non-hex character.
 */
int	hex_decode(uint8_t *out, size_t outlen, const char *in);

/*
 * date_parse: parses "YYYY-MM-DD" (midnight UTC) into *days since
 * 1970-01-01.  Returns 0 or MENTOR_EINVAL (bad form, month or day).
 */
int	date_parse(const char *s, int32_t *days);

/*
 * time_parse: parses "YYYY-MM-DDTHH:MM:SSZ" (or a bare date, taken as
 * midnight UTC) into *ms since the epoch.  Returns 0 or MENTOR_EINVAL.
 */
int	time_parse(const char *s, int64_t *ms);

/* date_format: "YYYY-MM-DD" of days since the epoch; out holds 11 bytes. */
void	date_format(char *out, int32_t days);

/* time_format: "YYYY-MM-DDTHH:MM:SSZ" of ms; out holds 21 bytes. */
void	time_format(char *out, int64_t ms);

/* days_from_civil: days since 1970-01-01 of a proleptic Gregorian date. */
int32_t	days_from_civil(int y, unsigned m, unsigned d);

/*
 * mentor_errf: formats a message into err as snprintf would (when err is
 * not NULL and errlen > 0) and returns code, so that a caller can write
 * "return mentor_errf(err, errlen, MENTOR_EINVAL, ...)".
 */
int	mentor_errf(char *err, size_t errlen, int code, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* now_ms: the wall clock in ms since the epoch (CLOCK_REALTIME). */
int64_t	now_ms(void);

/* mono_ms: a monotonic clock in ms, for deadlines and intervals. */
int64_t	mono_ms(void);

/* Big-endian loads and stores. */
static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static inline uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, (uint32_t)v);
}

static inline uint64_t
get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

#endif
