/*
 * util.c: error names, hex and calendar helpers.  Pure functions only, so
 * that protocol/ stays free of I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mentor.h"
#include "util.h"

static const struct {
	const char	*name;
	const char	*text;
} errtab[] = {
	{ "OK", "success" },
	{ "EINVAL", "invalid input" },
	{ "ENOMEM", "out of memory" },
	{ "EIO", "input/output error" },
	{ "ENOTFOUND", "not found" },
	{ "EEXIST", "already exists" },
	{ "ETOOBIG", "too big" },
	{ "ETRUNC", "truncated" },
	{ "EVERSION", "unsupported version" },
	{ "ESIG", "bad signature" },
	{ "EEXPIRED", "expired" },
	{ "EFUTURE", "dated in the future" },
	{ "ESTALE", "older than the version held" },
	{ "EUNTRUSTED", "author not trusted" },
	{ "EWITHDRAWN", "withdrawn" },
	{ "EBUSY", "in use" },
	{ "ESTORE", "store failure" },
	{ "EPROTO", "protocol error" },
	{ "EPERM", "not permitted" },
	{ "EFULL", "capacity reached" },
	{ "ECONSENT", "no consent" },
	{ "EDUP", "duplicate" },
	{ "EUNAVAIL", "not reachable" },
	{ "ETIMEOUT", "timed out" },
};

const char *
mentor_strerror(int code)
{
	if (code > 0 || code < MENTOR_ERR_MIN)
		return "unknown error";
	return errtab[-code].text;
}

const char *
mentor_errname(int code)
{
	if (code > 0 || code < MENTOR_ERR_MIN)
		return "EUNKNOWN";
	return errtab[-code].name;
}

void
hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(uint8_t *out, size_t outlen, const char *in)
{
	size_t i;
	int hi, lo;

	if (strlen(in) != 2 * outlen)
		return MENTOR_EINVAL;
	for (i = 0; i < outlen; i++) {
		hi = hexval((unsigned char)in[2 * i]);
		lo = hexval((unsigned char)in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return MENTOR_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Howard Hinnant's days_from_civil; exact for the whole int range used. */
int32_t
days_from_civil(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

static void
civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	int era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* digits: parses exactly n decimal digits at s. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
parse_ymd(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) ||
	    s[7] != '-' || digits(s + 8, 2, d))
		return MENTOR_EINVAL;
	if (*y < 1900 || *y > 9999 || *m < 1 || *m > 12 || *d < 1)
		return MENTOR_EINVAL;
	if (*d > mdays[*m - 1] + (*m == 2 && leap(*y)))
		return MENTOR_EINVAL;
	return 0;
}

int
date_parse(const char *s, int32_t *days)
{
	int y, m, d;

	if (strlen(s) != 10 || parse_ymd(s, &y, &m, &d))
		return MENTOR_EINVAL;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

int
time_parse(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec;
	size_t n = strlen(s);

	if (n == 10) {
		if (parse_ymd(s, &y, &mo, &d))
			return MENTOR_EINVAL;
		h = mi = sec = 0;
	} else if (n == 20) {
		if (parse_ymd(s, &y, &mo, &d) || s[10] != 'T' ||
		    digits(s + 11, 2, &h) || s[13] != ':' ||
		    digits(s + 14, 2, &mi) || s[16] != ':' ||
		    digits(s + 17, 2, &sec) || s[19] != 'Z')
			return MENTOR_EINVAL;
		if (h > 23 || mi > 59 || sec > 59)
			return MENTOR_EINVAL;
	} else
		return MENTOR_EINVAL;
	*ms = ((int64_t)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec) * 1000;
	return 0;
}

/* put: writes v as exactly n decimal digits (v is taken modulo 10^n). */
static char *
put(char *p, unsigned v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

void
date_format(char *out, int32_t days)
{
	int y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	out = put(out, (unsigned)y, 4);
	*out++ = '-';
	out = put(out, m, 2);
	*out++ = '-';
	out = put(out, d, 2);
	*out = '\0';
}

void
time_format(char *out, int64_t ms)
{
	/* Floor division: a time before 1970 rounds down, not up. */
	int64_t s = ms / 1000 - (ms % 1000 < 0);
	int32_t days = (int32_t)(s / 86400);
	int64_t rem = s % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	date_format(out, days);
	out[10] = 'T';
	put(out + 11, (unsigned)(rem / 3600), 2);
	out[13] = ':';
	put(out + 14, (unsigned)(rem / 60 % 60), 2);
	out[16] = ':';
	put(out + 17, (unsigned)(rem % 60), 2);
	out[19] = 'Z';
	out[20] = '\0';
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
mentor_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
