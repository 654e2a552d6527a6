/*
 * student.c: validation and normalization of student objects, from a JSON
 * array or the CSV form.  A CSV line becomes the same JSON object a user
 * would write, so both forms share one set of rules and messages.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <strings.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "student.h"
#include "check.h"
#include "csv.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
new_value(json_t *v, json_t **val)
{
	if ((*val = v) == NULL)
		return MENTOR_ENOMEM;
	return 0;
}

/* Field checks: v is NULL when absent; *val receives the normalized value. */
typedef int (*check_fn)(const char *, const json_t *, json_t **, char *,
    size_t);

static int
check_id(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	const char *s;
	size_t i, n;
	int rc;

	if ((rc = chk_string(v, name, &s, &n, err, errlen)) != 0)
		return rc;
	if (n < 1 || n > STUDENT_ID_MAX)
		return chk_errf(err, errlen, "%s: must be 1 to %d bytes", name,
		    STUDENT_ID_MAX);
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '.' && c != '_' &&
		    c != '-')
			return chk_errf(err, errlen, "%s: only A-Z, a-z, 0-9, "
			    "'.', '_' and '-' allowed", name);
	}
	return new_value(json_stringn(s, n), val);
}

static int
check_name(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	int rc;

	if ((rc = chk_text(v, name, STUDENT_NAME_MAX, 0, err, errlen)) != 0)
		return rc;
	return new_value(json_deep_copy(v), val);
}

static int
check_birth_date(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	int32_t days;
	int rc;

	if ((rc = chk_date(v, name, &days, err, errlen)) != 0)
		return rc;
	if (days < days_from_civil(STUDENT_BIRTH_YEAR_MIN, 1, 1) ||
	    days >= days_from_civil(STUDENT_BIRTH_YEAR_MAX + 1, 1, 1))
		return chk_errf(err, errlen, "%s: year must be %d to %d", name,
		    STUDENT_BIRTH_YEAR_MIN, STUDENT_BIRTH_YEAR_MAX);
	return new_value(json_deep_copy(v), val);
}

static int
check_grade(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	int rc;

	if ((rc = chk_grade(v, name, STUDENT_GRADE_MAX, err, errlen)) != 0)
		return rc;
	return new_value(json_integer(json_integer_value(v)), val);
}

static int
check_competencies(const char *name, const json_t *v, json_t **val,
    char *err, size_t errlen)
{
	int rc;

	if (v == NULL)
		return new_value(json_object(), val);
	if ((rc = chk_competency_levels(v, name, STUDENT_COMPETENCIES_MAX,
	    err, errlen)) != 0)
		return rc;
	/* Every value is an integer now: a copy is the normal form. */
	return new_value(json_deep_copy(v), val);
}

static int
check_goals(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	static const char *const keys[] = { "clusters", "occupations" };
	json_t *goals, *f, *a;
	size_t i;
	int rc;

	if (v != NULL && (rc = chk_goals(v, name, STUDENT_CLUSTERS_MAX,
	    STUDENT_OCCUPATIONS_MAX, 0, err, errlen)) != 0)
		return rc;
	/* Normalized: both lists, empty when absent. */
	if ((goals = json_object()) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < NELEM(keys); i++) {
		f = v == NULL ? NULL : json_object_get(v, keys[i]);
		a = f == NULL ? json_array() : json_deep_copy(f);
		if (a == NULL || json_object_set_new(goals, keys[i], a) != 0) {
			json_decref(goals);
			return MENTOR_ENOMEM;
		}
	}
	*val = goals;
	return 0;
}

static int
check_location(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	return location_parse(v, name, val, err, errlen);
}

static int
check_distance(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	double d;

	if (v == NULL)
		return new_value(json_integer(STUDENT_DISTANCE_DEFAULT), val);
	if (!json_is_number(v))
		return chk_errf(err, errlen, "%s: must be a number", name);
	d = json_number_value(v);
	if (!(d >= 0 && d <= STUDENT_DISTANCE_MAX))
		return chk_errf(err, errlen, "%s: must be 0 to %d", name,
		    STUDENT_DISTANCE_MAX);
	if (d == floor(d))
		return new_value(json_integer((json_int_t)d), val);
	return new_value(json_real(d), val);
}

static int
check_modality(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	int rc;

	if (v == NULL)
		return new_value(json_pack("[sss]", "in_person", "virtual",
		    "hybrid"), val);
	if (json_is_array(v) && json_array_size(v) == 0)
		return chk_errf(err, errlen, "%s: must not be empty", name);
	if ((rc = chk_string_list(v, name, 3, modality_valid,
	    "unknown modality", " (in_person, virtual, hybrid)", err,
	    errlen)) != 0)
		return rc;
	return new_value(json_deep_copy(v), val);
}

static int
check_school(const char *name, const json_t *v, json_t **val, char *err,
    size_t errlen)
{
	int rc;

	if ((rc = chk_text(v, name, STUDENT_SCHOOL_MAX, 0, err, errlen)) != 0)
		return rc;
	return new_value(json_deep_copy(v), val);
}

static int
check_concentrator(const char *name, const json_t *v, json_t **val,
    char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return mentor_errf(err, errlen, MENTOR_EINVAL, "%s: must be "
		    "true or false", name);
	return new_value(json_incref((json_t *)v), val);
}

#define F_REQUIRED	0x1	/* "FIELD: missing" when absent */
#define F_ABSENT	0x2	/* check called when absent: fills a default */

/* The fields, in the order they are checked; FLD_* index them. */
enum { FLD_ID, FLD_NAME, FLD_BIRTH, FLD_GRADE, FLD_COMPETENCIES,
    FLD_GOALS, FLD_LOCATION, FLD_DIST, FLD_MODALITY, FLD_SCHOOL,
    FLD_CONCENTRATOR };
static const struct field {
	const char	*name;
	check_fn	 check;
	int		 flags;
} fields[] = {
	[FLD_ID] = { "id",			check_id,	F_REQUIRED },
	[FLD_NAME] = { "name",			check_name,	F_REQUIRED },
	[FLD_BIRTH] = { "birth_date",		check_birth_date, 0 },
	[FLD_GRADE] = { "grade",		check_grade,	0 },
	[FLD_COMPETENCIES] = { "competencies",	check_competencies,
	    F_ABSENT },
	[FLD_GOALS] = { "goals",		check_goals,	F_ABSENT },
	[FLD_LOCATION] = { "location",		check_location,	0 },
	[FLD_DIST] = { "max_distance_km",	check_distance,	F_ABSENT },
	[FLD_MODALITY] = { "modality",		check_modality,	F_ABSENT },
	[FLD_SCHOOL] = { "school",		check_school,	0 },
	[FLD_CONCENTRATOR] = { "concentrator",	check_concentrator, 0 },
};

static int
field_known(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(fields); i++)
		if (strcmp(fields[i].name, name) == 0)
			return 1;
	return 0;
}

int
student_parse(const json_t *obj, json_t **out, char *err, size_t errlen)
{
	char q[CHK_QUOTE_SIZE];
	const struct field *f;
	const char *key;
	json_t *v, *val, *norm = NULL;
	size_t i;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!json_is_object(obj))
		return chk_errf(err, errlen, "student: must be an object");
	json_object_foreach((json_t *)obj, key, v) {
		if (!field_known(key))
			return chk_errf(err, errlen, "%s: unknown field",
			    chk_keyname(q, key));
	}
	if ((norm = json_object()) == NULL)
		goto nomem;
	for (i = 0; i < NELEM(fields); i++) {
		f = &fields[i];
		v = json_object_get(obj, f->name);
		if (v == NULL && (f->flags & F_REQUIRED)) {
			rc = chk_errf(err, errlen, "%s: missing", f->name);
			goto fail;
		}
		if (v == NULL && !(f->flags & F_ABSENT))
			continue;
		val = NULL;
		if ((rc = f->check(f->name, v, &val, err, errlen)) != 0) {
			if (rc == MENTOR_ENOMEM)
				goto nomem;
			goto fail;
		}
		if (json_object_set_new(norm, f->name, val) != 0)
			goto nomem;
	}
	*out = norm;
	return 0;
nomem:
	chk_errf(err, errlen, "student: out of memory");
	rc = MENTOR_ENOMEM;
fail:
	json_decref(norm);
	return rc;
}

/* item_label: "item 3 (S1003)" or, without a usable id, "item 3". */
static void
item_label(char *out, size_t outlen, size_t idx, const json_t *item)
{
	char q[CHK_QUOTE_SIZE];
	const json_t *id = json_object_get(item, "id");

	if (json_is_string(id) && json_string_length(id) > 0)
		snprintf(out, outlen, "item %zu (%s)", idx,
		    chk_quote(q, json_string_value(id), strlen(
		    json_string_value(id))));
	else
		snprintf(out, outlen, "item %zu", idx);
}

int
student_parse_array(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	char label[64], inner[STUDENT_ERR_MAX];
	json_error_t jerr;
	json_t *doc, *arr = NULL, *ids = NULL, *norm, *prev;
	const char *id;
	size_t i;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return chk_errf(err, errlen, "not valid JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
	if (!json_is_array(doc)) {
		rc = chk_errf(err, errlen, "not a JSON array of students");
		goto fail;
	}
	if (json_array_size(doc) > STUDENT_ITEMS_MAX) {
		chk_errf(err, errlen, "more than %d students",
		    STUDENT_ITEMS_MAX);
		rc = MENTOR_ETOOBIG;
		goto fail;
	}
	if ((arr = json_array()) == NULL || (ids = json_object()) == NULL)
		goto nomem;
	for (i = 0; i < json_array_size(doc); i++) {
		item_label(label, sizeof(label), i + 1,
		    json_array_get(doc, i));
		rc = student_parse(json_array_get(doc, i), &norm, inner,
		    sizeof(inner));
		if (rc == MENTOR_ENOMEM)
			goto nomem;
		if (rc != 0) {
			chk_errf(err, errlen, "%s: %s", label, inner);
			goto fail;
		}
		id = json_string_value(json_object_get(norm, "id"));
		if ((prev = json_object_get(ids, id)) != NULL) {
			json_decref(norm);
			rc = chk_errf(err, errlen, "%s: id: duplicate of item %"
			    JSON_INTEGER_FORMAT, label,
			    json_integer_value(prev));
			goto fail;
		}
		if (json_object_set_new(ids, id,
		    json_integer((json_int_t)i + 1)) != 0) {
			json_decref(norm);
			goto nomem;
		}
		if (json_array_append_new(arr, norm) != 0)
			goto nomem;
	}
	json_decref(ids);
	json_decref(doc);
	*out = arr;
	return 0;
nomem:
	chk_errf(err, errlen, "out of memory");
	rc = MENTOR_ENOMEM;
fail:
	json_decref(ids);
	json_decref(arr);
	json_decref(doc);
	return rc;
}


/* ---- compact JSON, as json_dumps(JSON_COMPACT) writes it ---------------- */

/* buf_room: *buf can take n more bytes and a NUL. */
static int
buf_room(char **buf, size_t *len, size_t *size, size_t n)
{
	size_t want;
	char *p;

	if (n > SIZE_MAX / 2 - *len - 1)
		return MENTOR_ENOMEM;
	if (*len + n + 1 <= *size)
		return 0;
	want = *size < 256 ? 256 : *size;
	while (want < *len + n + 1)
		want *= 2;
	if ((p = realloc(*buf, want)) == NULL)
		return MENTOR_ENOMEM;
	*buf = p;
	*size = want;
	return 0;
}

static inline int
buf_put(char **buf, size_t *len, size_t *size, const char *s, size_t n)
{
	/* Room already, the usual case, without the call (callers may
	 * have stepped *len past a NUL, to *size or beyond). */
	if ((*len >= *size || *size - *len <= n) &&
	    buf_room(buf, len, size, n) != 0)
		return MENTOR_ENOMEM;
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Eight bytes at a time: a word's bytes that are below 0x80 and equal
 * to v (or below v, for hasless) have their high bit set in the result;
 * only whether any is set is exact. */
#define BYTES_ONES	0x0101010101010101ULL
#define BYTES_HIGHS	0x8080808080808080ULL
#define haszero(w)	(((w) - BYTES_ONES) & ~(w) & BYTES_HIGHS)
#define hasbyte(w, v)	haszero((w) ^ (BYTES_ONES * (v)))
#define hasless(w, v)	(((w) - BYTES_ONES * (v)) & ~(w) & BYTES_HIGHS)

/* needs_escape: a byte of s is below 0x20, '"' or '\\'. */
static int
needs_escape(const char *s, size_t n)
{
	uint64_t w = BYTES_ONES * 'a';
	size_t i = 0;

	if (n < 8) {
		memcpy(&w, s, n);	/* the rest stays 'a' */
		return (hasless(w, 0x20) | hasbyte(w, '"') |
		    hasbyte(w, '\\')) != 0;
	}
	/* Whole words, the last one overlapping the one before. */
	for (;; i += 8) {
		if (i > n - 8)
			i = n - 8;
		memcpy(&w, s + i, 8);
		if (hasless(w, 0x20) | hasbyte(w, '"') | hasbyte(w, '\\'))
			return 1;
		if (i == n - 8)
			return 0;
	}
}

/* json_str_append: a JSON string, escaped as jansson's dump_string does
 * without JSON_ENSURE_ASCII and JSON_ESCAPE_SLASH. */
static int
json_str_append(const char *s, size_t n, char **buf, size_t *len,
    size_t *size)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;
	char *o;

	if (!needs_escape(s, n)) {	/* the common case */
		if ((*len >= *size || *size - *len <= n + 2) &&
		    buf_room(buf, len, size, n + 2) != 0)
			return MENTOR_ENOMEM;
		o = *buf + *len;
		*o++ = '"';
		memcpy(o, s, n);
		o += n;
		*o++ = '"';
		*o = '\0';
		*len = (size_t)(o - *buf);
		return 0;
	}
	/* At worst every byte becomes \u00XX. */
	if (n > SIZE_MAX / 8 || buf_room(buf, len, size, 6 * n + 2) != 0)
		return MENTOR_ENOMEM;
	o = *buf + *len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	*o++ = '"';
	*o = '\0';
	*len = (size_t)(o - *buf);
	return 0;
}

/*
 * student_g17: what snprintf(out, size, "%.17g", d) writes, for normal
 * doubles from 1e-10 to 1e16 (lat, lon, distances), without printf's
 * arbitrary-precision arithmetic: d * 10^k is the 53-bit mantissa times
 * 5^k (exact in 128 bits) shifted by the binary exponent, rounded to 17
 * digits half to even as glibc does.  Returns the length, or 0 for a
 * double out of that range (the caller then uses snprintf).
 */
size_t
student_g17(char *out, size_t size, double d)
{
	static const uint64_t p5[28] = { 1ULL, 5ULL, 25ULL, 125ULL, 625ULL,
	    3125ULL, 15625ULL, 78125ULL, 390625ULL, 1953125ULL, 9765625ULL,
	    48828125ULL, 244140625ULL, 1220703125ULL, 6103515625ULL,
	    30517578125ULL, 152587890625ULL, 762939453125ULL,
	    3814697265625ULL, 19073486328125ULL, 95367431640625ULL,
	    476837158203125ULL, 2384185791015625ULL, 11920928955078125ULL,
	    59604644775390625ULL, 298023223876953125ULL,
	    1490116119384765625ULL, 7450580596923828125ULL };
	const uint64_t lo = 10000000000000000ULL, hi = 100000000000000000ULL;
	unsigned __int128 v, t = 0, q = 0, rem, half;
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	uint64_t bits, m, r;
	uint32_t h, l;
	char dig[17], *o = out;
	int be, e, x, k, sh, tries, i, last;

	memcpy(&bits, &d, sizeof(bits));
	be = (int)(bits >> 52 & 0x7ff);
	if (be == 0 || be == 0x7ff || size < 32)
		return 0;	/* zero, subnormal, infinite, NaN */
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	e = be - 1075;		/* |d| = m * 2^e */
	/* log10(2^(be-1023)) rounded down; the loop corrects it by one */
	x = (int)floor((be - 1023) * 0.30102999566398120);
	for (tries = 0; tries < 4; tries++) {
		k = 16 - x;	/* 17 digits: |d| * 10^k in [10^16, 10^17) */
		if (k < 0 || k > 27)
			return 0;
		v = (unsigned __int128)m * p5[k];	/* < 2^116 */
		sh = e + k;
		if (sh >= 0) {
			if (sh > 10)
				return 0;
			t = q = v << sh;
		} else {
			if (-sh > 120)
				return 0;
			t = q = v >> -sh;
			rem = v - (q << -sh);
			half = (unsigned __int128)1 << (-sh - 1);
			if (rem > half || (rem == half && (q & 1)))
				q++;
		}
		/* log10 guessed x; the truncated digits say if it was right */
		if (t >= hi)
			x++;
		else if (t < lo)
			x--;
		else
			break;
	}
	if (tries == 4)
		return 0;
	if (q == hi) {		/* 99...9|5 rounded up: 10^(x+1) */
		q = lo;
		x++;
	}
	if (x > 16)
		return 0;	/* printf would write an exponent */
	/* 17 digits: 9 and 8 of them, two at a time in 32 bits */
	r = (uint64_t)q;
	for (i = 0, h = (uint32_t)(r / 100000000), l = (uint32_t)(r %
	    100000000); i < 4; i++) {
		memcpy(dig + 15 - 2 * i, pairs + 2 * (l % 100), 2);
		memcpy(dig + 7 - 2 * i, pairs + 2 * (h % 100), 2);
		l /= 100;
		h /= 100;
	}
	dig[0] = (char)('0' + h);
	for (last = 16; last > 0 && dig[last] == '0'; last--)
		;	/* %g drops trailing zeros */
	if (bits >> 63)
		*o++ = '-';
	if (x < -4) {		/* d.ddde-XX */
		*o++ = dig[0];
		if (last > 0) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)last);
			o += last;
		}
		*o++ = 'e';
		*o++ = '-';
		if (-x >= 100)
			*o++ = (char)('0' + -x / 100);
		*o++ = (char)('0' + -x / 10 % 10);
		*o++ = (char)('0' + -x % 10);
	} else if (x < 0) {	/* 0.000ddd */
		*o++ = '0';
		*o++ = '.';
		for (i = x + 1; i < 0; i++)
			*o++ = '0';
		memcpy(o, dig, (size_t)last + 1);
		o += last + 1;
	} else {		/* ddd.ddd */
		memcpy(o, dig, (size_t)x + 1);
		o += x + 1;
		if (last > x) {
			*o++ = '.';
			memcpy(o, dig + x + 1, (size_t)(last - x));
			o += last - x;
		}
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* json_real_text: jansson's jsonp_dtostr at precision 17: "%.17g", a
 * ".0" when it reads as an integer, no '+' nor leading zeros in the
 * exponent. */
static size_t
json_real_text(char *out, size_t size, double d)
{
	char *e, *from;
	int n;

	if ((n = (int)student_g17(out, size, d)) == 0)
		n = snprintf(out, size, "%.17g", d);
	if (n < 0 || (size_t)n + 3 > size)
		return 0;
	if (strchr(out, '.') == NULL && strchr(out, 'e') == NULL) {
		memcpy(out + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(out, 'e')) != NULL) {
		e++;
		from = e + 1;
		if (*e == '-')
			e++;
		while (*from == '0')
			from++;
		if (from != e) {
			memmove(e, from, (size_t)(out + n - from) + 1);
			n -= (int)(from - e);
		}
	}
	return (size_t)n;
}

static int
json_append(const json_t *v, char **buf, size_t *len, size_t *size)
{
	char num[64], *p;
	const char *key;
	void *it;
	json_t *e;
	size_t i, n;
	unsigned long long u;
	json_int_t k;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (buf_put(buf, len, size, "{", 1) != 0)
			return MENTOR_ENOMEM;
		for (it = json_object_iter((json_t *)v), i = 0; it != NULL;
		    it = json_object_iter_next((json_t *)v, it), i++) {
			key = json_object_iter_key(it);
			if ((i > 0 && buf_put(buf, len, size, ",", 1) != 0) ||
			    json_str_append(key, json_object_iter_key_len(it),
			    buf, len, size) != 0 ||
			    buf_put(buf, len, size, ":", 1) != 0 ||
			    json_append(json_object_iter_value(it), buf, len,
			    size) != 0)
				return MENTOR_ENOMEM;
		}
		return buf_put(buf, len, size, "}", 1);
	case JSON_ARRAY:
		if (buf_put(buf, len, size, "[", 1) != 0)
			return MENTOR_ENOMEM;
		for (i = 0; i < json_array_size(v); i++) {
			e = json_array_get(v, i);
			if ((i > 0 && buf_put(buf, len, size, ",", 1) != 0) ||
			    json_append(e, buf, len, size) != 0)
				return MENTOR_ENOMEM;
		}
		return buf_put(buf, len, size, "]", 1);
	case JSON_STRING:
		return json_str_append(json_string_value(v),
		    json_string_length(v), buf, len, size);
	case JSON_INTEGER:
		k = json_integer_value(v);
		u = k < 0 ? 0ULL - (unsigned long long)k :
		    (unsigned long long)k;
		p = num + sizeof(num);
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u > 0);
		if (k < 0)
			*--p = '-';
		return buf_put(buf, len, size, p, (size_t)(num +
		    sizeof(num) - p));
	case JSON_REAL:
		if ((n = json_real_text(num, sizeof(num),
		    json_real_value(v))) == 0)
			return MENTOR_ENOMEM;
		return buf_put(buf, len, size, num, n);
	case JSON_TRUE:
		return buf_put(buf, len, size, "true", 4);
	case JSON_FALSE:
		return buf_put(buf, len, size, "false", 5);
	default:
		return buf_put(buf, len, size, "null", 4);
	}
}

int
student_json_append(const json_t *v, char **buf, size_t *len, size_t *size)
{
	return json_append(v, buf, len, size);
}

/* ---- batches ------------------------------------------------------------ */

/* batch_item: the JSON at [start, b->enclen) and id are item line. */
static int
batch_item(struct student_batch *b, size_t start, const char *id,
    size_t idlen, size_t line)
{
	struct student_item *it;
	size_t idoff;
	void *p;

	if (b->count == b->itemsize) {
		if (b->itemsize > SIZE_MAX / 2 / sizeof(*it) ||
		    (p = realloc(b->items, (b->itemsize ? 2 * b->itemsize :
		    256) * sizeof(*it))) == NULL)
			return MENTOR_ENOMEM;
		b->items = p;
		b->itemsize = b->itemsize ? 2 * b->itemsize : 256;
	}
	idoff = b->enclen + 1;	/* after the JSON's NUL */
	b->enclen++;
	if (buf_put(&b->enc, &b->enclen, &b->encsize, id, idlen) != 0)
		return MENTOR_ENOMEM;
	b->enclen++;
	it = &b->items[b->count++];
	it->off = start;
	it->len = idoff - start - 1;
	it->idoff = idoff;
	it->idlen = idlen;
	it->line = line;
	return 0;
}

int
student_batch_add(struct student_batch *b, const json_t *student,
    size_t line)
{
	const json_t *id = json_object_get(student, "id");
	size_t start = b->enclen;

	if (!json_is_string(id))
		return MENTOR_EINVAL;
	if (student_json_append(student, &b->enc, &b->enclen,
	    &b->encsize) != 0 || batch_item(b, start, json_string_value(id),
	    json_string_length(id), line) != 0) {
		b->enclen = start;
		return MENTOR_ENOMEM;
	}
	return 0;
}

const char *
student_batch_json(const struct student_batch *b, size_t i, size_t *len)
{
	assert(i < b->count);
	if (len != NULL)
		*len = b->items[i].len;
	return b->enc + b->items[i].off;
}

const char *
student_batch_id(const struct student_batch *b, size_t i, size_t *len)
{
	assert(i < b->count);
	if (len != NULL)
		*len = b->items[i].idlen;
	return b->enc + b->items[i].idoff;
}

json_t *
student_batch_get(const struct student_batch *b, size_t i)
{
	size_t len;
	const char *s = student_batch_json(b, i, &len);

	return json_loadb(s, len, 0, NULL);
}

/* ---- rosters ------------------------------------------------------------ */

#define WARN_LINES	10	/* lines listed in a warning */
#define VALUE_MAX	80	/* bytes of a cell echoed in an error */

/*
 * text_hash: a hash of n bytes taken eight at a time (a roster hashes
 * each id, cluster and skill it holds; byte-at-a-time FNV was a tenth of
 * the whole import).
 */
static uint64_t
text_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* id_cmp: the order LMDB keeps keys in (bytes, then the shorter first). */
static int
id_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c != 0 ? c : (an > bn) - (an < bn);
}

/*
 * The ids seen so far, with the line of each (duplicates are refused).
 * Rosters mostly list students in id order: while each id is greater
 * than the one before, it cannot be a duplicate, and one comparison with
 * the last says so.  The first id out of order builds an open-addressing
 * table over them all, used from then on.  The ids are kept one after
 * another in keys.
 */
struct idset {
	struct ident {
		uint64_t	 hash;	/* set once the table exists */
		size_t		 off, len;	/* in keys */
		size_t		 line;
	}		*ent;
	size_t		 n, entsize;
	uint32_t	*tab;		/* index in ent + 1; 0: empty */
	size_t		 cap;		/* 0 while the ids are in order */
	char		*keys;
	size_t		 klen, ksize;
};

/* idset_slot: the slot of id in the table, or the empty one where it
 * would go. */
static uint32_t *
idset_slot(const struct idset *set, const char *id, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (set->cap - 1);
	const struct ident *e;

	for (;; i = (i + 1) & (set->cap - 1)) {
		if (set->tab[i] == 0)
			return &set->tab[i];
		e = &set->ent[set->tab[i] - 1];
		if (e->hash == h && e->len == n &&
		    memcmp(set->keys + e->off, id, n) == 0)
			return &set->tab[i];
	}
}

/* idset_table: a table of cap slots (a power of two, over twice the ids)
 * holding every id.  0 or MENTOR_ENOMEM. */
static int
idset_table(struct idset *set, size_t cap)
{
	struct ident *e;
	uint32_t *tab;
	size_t i;

	if (cap > UINT32_MAX || (tab = calloc(cap, sizeof(*tab))) == NULL)
		return MENTOR_ENOMEM;
	if (set->cap == 0)
		for (i = 0; i < set->n; i++)
			set->ent[i].hash = text_hash(set->keys +
			    set->ent[i].off, set->ent[i].len);
	free(set->tab);
	set->tab = tab;
	set->cap = cap;
	for (i = 0; i < set->n; i++) {
		e = &set->ent[i];
		*idset_slot(set, set->keys + e->off, e->len, e->hash) =
		    (uint32_t)(i + 1);
	}
	return 0;
}

/* idset_in_order: id is greater than every id in set. */
static int
idset_in_order(const struct idset *set, const char *id, size_t n)
{
	const struct ident *last;

	if (set->n == 0)
		return 1;
	last = &set->ent[set->n - 1];
	return id_cmp(id, n, set->keys + last->off, last->len) > 0;
}

/* idset_line: *line gets the line of id, 0 when not seen.  0 or
 * MENTOR_ENOMEM. */
static int
idset_line(struct idset *set, const char *id, size_t n, size_t *line)
{
	const struct ident *last;
	uint32_t *sl;
	size_t cap;

	*line = 0;
	if (set->n == 0 || (set->cap == 0 && idset_in_order(set, id, n)))
		return 0;
	last = &set->ent[set->n - 1];
	if (set->cap == 0 && n == last->len &&
	    memcmp(id, set->keys + last->off, n) == 0) {
		*line = last->line;	/* the row just added */
		return 0;
	}
	if (set->cap == 0) {
		for (cap = 1024; cap < 2 * set->n + 2; cap *= 2)
			;
		if (idset_table(set, cap) != 0)
			return MENTOR_ENOMEM;
	}
	sl = idset_slot(set, id, n, text_hash(id, n));
	if (*sl != 0)
		*line = set->ent[*sl - 1].line;
	return 0;
}

/* idset_add: id (not in set) at line > 0.  0 or MENTOR_ENOMEM. */
static int
idset_add(struct idset *set, const char *id, size_t n, size_t line)
{
	struct ident *e;
	size_t cap;
	void *p;

	if (set->n == set->entsize) {
		cap = set->entsize ? 2 * set->entsize : 1024;
		if (cap >= UINT32_MAX || (p = realloc(set->ent, cap *
		    sizeof(*e))) == NULL)
			return MENTOR_ENOMEM;
		set->ent = p;
		set->entsize = cap;
	}
	if (set->cap == 0 && !idset_in_order(set, id, n)) {
		for (cap = 1024; cap < 2 * set->n + 2; cap *= 2)
			;
		if (idset_table(set, cap) != 0)
			return MENTOR_ENOMEM;
	}
	if (set->cap > 0 && set->n + 1 > set->cap / 2 &&
	    idset_table(set, 2 * set->cap) != 0)
		return MENTOR_ENOMEM;
	if (buf_put(&set->keys, &set->klen, &set->ksize, id, n) != 0)
		return MENTOR_ENOMEM;
	e = &set->ent[set->n];
	e->off = set->klen - n;
	e->len = n;
	e->line = line;
	e->hash = 0;
	if (set->cap > 0) {
		e->hash = text_hash(id, n);
		*idset_slot(set, id, n, e->hash) = (uint32_t)(set->n + 1);
	}
	set->n++;
	return 0;
}

static void
idset_clear(struct idset *set)
{
	free(set->ent);
	free(set->tab);
	free(set->keys);
	memset(set, 0, sizeof(*set));
}

/*
 * What the resolver said of each cluster and skill text seen so far:
 * rosters repeat a few dozen of them over every row.  Bounded: past
 * MEMO_MAX texts the resolver is asked again.
 */
#define MEMO_MAX	8192
enum { MEMO_CLUSTER, MEMO_COMPETENCY, MEMO_CLUSTERS_CELL,
    MEMO_COMPETENCIES_CELL };
struct memo {
	struct memo_slot {
		uint64_t	 hash;
		size_t		 off, len;	/* the text in buf */
		size_t		 val, vlen;	/* the answer in buf, 0: none */
		int		 used;
		int		 kind;
	}		*slot;		/* 2 * MEMO_MAX */
	size_t		 n;
	char		*buf;
	size_t		 len, size;
};

static struct memo_slot *
memo_find(const struct memo *m, int kind, const char *key, size_t n,
    uint64_t *hash)
{
	uint64_t h = text_hash(key, n) ^ (uint64_t)(kind + 1) *
	    0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)h & (2 * MEMO_MAX - 1);
	struct memo_slot *sl;

	*hash = h;
	for (;; i = (i + 1) & (2 * MEMO_MAX - 1)) {
		sl = &m->slot[i];
		if (!sl->used || (sl->hash == h && sl->len == n &&
		    sl->kind == kind && memcmp(m->buf + sl->off, key,
		    n) == 0))
			return sl;
	}
}

/*
 * memo_get: the answer remembered for the n bytes at key, in *val
 * (NUL-terminated; NULL: unknown) and *vlen; 1 when remembered, else 0.
 * *val lives until the next memo_put.
 */
static int
memo_get(const struct memo *m, int kind, const char *key, size_t n,
    const char **val, size_t *vlen)
{
	struct memo_slot *sl;
	uint64_t h;

	if (m->slot == NULL)
		return 0;
	sl = memo_find(m, kind, key, n, &h);
	if (!sl->used)
		return 0;
	*val = sl->val ? m->buf + sl->val : NULL;
	*vlen = sl->vlen;
	return 1;
}

/* memo_putn: remembers the vlen bytes at val (val may be NULL: no
 * answer) for the n bytes at key; when out of memory or full, nothing is
 * remembered (the answer is worked out again). */
static void
memo_putn(struct memo *m, int kind, const char *key, size_t n,
    const char *val, size_t vlen)
{
	struct memo_slot *sl;
	size_t off, voff = 0;
	uint64_t h;

	if (m->n >= MEMO_MAX || (m->slot == NULL && (m->slot = calloc(2 *
	    MEMO_MAX, sizeof(*m->slot))) == NULL))
		return;
	if (m->len == 0 && buf_put(&m->buf, &m->len, &m->size, "", 0) != 0)
		return;
	m->len++;	/* offset 0 means "no answer" */
	off = m->len;
	if (buf_put(&m->buf, &m->len, &m->size, key, n) != 0)
		return;
	m->len++;
	if (val != NULL) {
		voff = m->len;
		if (buf_put(&m->buf, &m->len, &m->size, val, vlen) != 0)
			return;
		m->len++;
	} else
		vlen = 0;
	sl = memo_find(m, kind, key, n, &h);
	sl->kind = kind;
	sl->hash = h;
	sl->off = off;
	sl->len = n;
	sl->val = voff;
	sl->vlen = vlen;
	sl->used = 1;
	m->n++;
}

/* memo_put: memo_putn of a NUL-terminated answer (or none). */
static void
memo_put(struct memo *m, int kind, const char *key, size_t n,
    const char *val)
{
	memo_putn(m, kind, key, n, val, val != NULL ? strlen(val) : 0);
}

static void
memo_clear(struct memo *m)
{
	free(m->slot);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

/*
 * The location each ZIP code of a roster was encoded to, by its five
 * digits (rosters repeat ZIP codes, and each took a binary search of the
 * table and two number conversions): zipref[z] is 0 when not asked yet,
 * 1 when the table lacks z, else 2 + the offset in zipenc of a length
 * byte and then {"lat":..,"lon":..}.
 */
#define ZIP_CODES	100000
struct zipmemo {
	uint32_t	*ref;
	char		*enc;
	size_t		 len, size;
};

static void
zipmemo_clear(struct zipmemo *z)
{
	free(z->ref);
	free(z->enc);
	memset(z, 0, sizeof(*z));
}

struct student_roster {
	const struct student_resolver *res;
	int32_t			 today;
	int32_t			 birth_min, birth_end; /* days: years allowed */
	struct student_batch	 b;
	struct idset		 ids;	/* id -> line of its row */
	struct memo		 memo;	/* resolved clusters and skills */
	struct memo		 cells;	/* whole cells of them, encoded */
	struct zipmemo		 zips;	/* encoded ZIP code locations */
	json_t			*warns;	/* message -> its warning object */
	char			*defenc; /* each field's default, encoded */
	size_t			 defoff[NELEM(fields)], deflen[NELEM(fields)];
	size_t			 deflen_all, defsize;
	char			*rowbuf; /* the row's fields, encoded */
	size_t			 rowlen, rowsize;
	size_t			 rows;
	student_sink_fn		 sink;	/* good rows, when set */
	void			*sinkarg;
};

void
student_batch_clear(struct student_batch *b)
{
	free(b->enc);
	free(b->items);
	json_decref(b->deletes);
	json_decref(b->errors);
	json_decref(b->warnings);
	json_decref(b->update_only);
	memset(b, 0, sizeof(*b));
}

static int
batch_init(struct student_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->deletes = json_array();
	b->errors = json_array();
	b->warnings = json_array();
	b->update_only = json_object();
	if (b->deletes == NULL ||
	    b->errors == NULL || b->warnings == NULL ||
	    b->update_only == NULL) {
		student_batch_clear(b);
		return MENTOR_ENOMEM;
	}
	return 0;
}

/*
 * roster_defaults: the defaults student_parse fills in (goals too),
 * encoded once; rows copy their bytes.
 */
static int
roster_defaults(struct student_roster *r)
{
	char err[STUDENT_ERR_MAX];
	json_t *v;
	size_t i;
	int rc;

	for (i = 0; i < NELEM(fields); i++) {
		if (!(fields[i].flags & F_ABSENT))
			continue;
		if (fields[i].check(fields[i].name, NULL, &v, err,
		    sizeof(err)) != 0)
			return MENTOR_ENOMEM;
		r->defoff[i] = r->deflen_all;
		rc = student_json_append(v, &r->defenc, &r->deflen_all,
		    &r->defsize);
		json_decref(v);
		if (rc != 0)
			return rc;
		r->deflen[i] = r->deflen_all - r->defoff[i];
	}
	return 0;
}

int
student_roster_new(struct student_roster **out,
    const struct student_resolver *res, int32_t today)
{
	struct student_roster *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MENTOR_ENOMEM;
	r->res = res;
	r->today = today;
	r->birth_min = days_from_civil(STUDENT_BIRTH_YEAR_MIN, 1, 1);
	r->birth_end = days_from_civil(STUDENT_BIRTH_YEAR_MAX + 1, 1, 1);
	if (batch_init(&r->b) != 0 ||
	    (r->warns = json_object()) == NULL ||
	    roster_defaults(r) != 0) {
		student_roster_free(r);
		return MENTOR_ENOMEM;
	}
	*out = r;
	return 0;
}

void
student_roster_free(struct student_roster *r)
{
	if (r == NULL)
		return;
	student_batch_clear(&r->b);
	idset_clear(&r->ids);
	memo_clear(&r->memo);
	memo_clear(&r->cells);
	zipmemo_clear(&r->zips);
	json_decref(r->warns);
	free(r->defenc);
	free(r->rowbuf);
	free(r);
}

int
student_roster_update_only(struct student_roster *r, const char *id,
    size_t len)
{
	size_t line;

	if (idset_line(&r->ids, id, len, &line) != 0)
		return MENTOR_ENOMEM;
	if (line == 0)
		return 0;
	return json_object_setn_new(r->b.update_only, id, len,
	    json_true()) == 0 ? 0 : MENTOR_ENOMEM;
}

void
student_roster_sink(struct student_roster *r, student_sink_fn fn, void *arg)
{
	r->sink = fn;
	r->sinkarg = arg;
}

void
student_roster_given(struct student_roster *r, unsigned given)
{
	r->b.given |= given;
}

int
student_roster_finish(struct student_roster *r, struct student_batch *out)
{
	*out = r->b;
	idset_clear(&r->ids);
	json_object_clear(r->warns);
	r->rows = 0;
	return batch_init(&r->b);
}

/* utf8_cut: the longest prefix of s (at most max bytes) that ends on a
 * character boundary. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static int
verror(struct student_roster *r, const char *file, size_t line,
    const char *column, const char *value, size_t vlen, const char *fmt,
    va_list ap)
{
	char msg[STUDENT_ERR_MAX];
	json_t *e;

	r->b.error_count++;
	if (json_array_size(r->b.errors) >= STUDENT_ERRORS_MAX)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (value == NULL || !csv_utf8_valid(value, vlen))
		value = "", vlen = 0;
	e = json_pack("{s:I,s:s,s:s#,s:s}", "line", (json_int_t)line,
	    "column", column ? column : "", "value", value,
	    (int)utf8_cut(value, vlen, VALUE_MAX), "message", msg);
	if (e == NULL)
		return MENTOR_ENOMEM;
	if (file != NULL && json_object_set_new(e, "file",
	    json_string(file)) != 0) {
		json_decref(e);
		return MENTOR_ENOMEM;
	}
	return json_array_append_new(r->b.errors, e) == 0 ? 0 : MENTOR_ENOMEM;
}

int
student_roster_error(struct student_roster *r, const char *file,
    size_t line, const char *column, const char *value, size_t vlen,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(r, file, line, column, value, vlen, fmt, ap);
	va_end(ap);
	return rc;
}

int
student_roster_warn(struct student_roster *r, const char *file,
    size_t line, const char *fmt, ...)
{
	char msg[STUDENT_ERR_MAX];
	json_t *w, *lines;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((w = json_object_get(r->warns, msg)) == NULL) {
		w = json_pack("{s:s,s:i}", "message", msg, "count", 0);
		if (w == NULL || (file != NULL && json_object_set_new(w,
		    "file", json_string(file)) != 0) ||
		    json_object_set(r->warns, msg, w) != 0 ||
		    json_array_append_new(r->b.warnings, w) != 0)
			return MENTOR_ENOMEM;
	}
	json_object_set_new(w, "count", json_integer(json_integer_value(
	    json_object_get(w, "count")) + 1));
	if (line == 0)
		return 0;
	if ((lines = json_object_get(w, "lines")) == NULL) {
		if ((lines = json_array()) == NULL ||
		    json_object_set_new(w, "lines", lines) != 0)
			return MENTOR_ENOMEM;
	}
	if (json_array_size(lines) < WARN_LINES &&
	    json_array_append_new(lines, json_integer((json_int_t)line)) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

void
student_batch_error_text(const struct student_batch *b, size_t i, char *err,
    size_t errlen)
{
	const json_t *e = json_array_get(b->errors, i);
	const char *file, *col, *msg;
	char where[96];
	json_int_t line;

	if (e == NULL) {
		snprintf(err, errlen, "no error %zu", i);
		return;
	}
	file = json_string_value(json_object_get(e, "file"));
	col = json_string_value(json_object_get(e, "column"));
	msg = json_string_value(json_object_get(e, "message"));
	line = json_integer_value(json_object_get(e, "line"));
	if (line > 0)
		snprintf(where, sizeof(where), "%s%sline %" JSON_INTEGER_FORMAT
		    ": ", file ? file : "", file ? " " : "", line);
	else
		snprintf(where, sizeof(where), "%s%s", file ? file : "",
		    file ? ": " : "");
	/* A message that names its own path ("modality[1]: ...") as is. */
	if (col == NULL || col[0] == '\0' || (strncmp(msg, col,
	    strlen(col)) == 0 && (msg[strlen(col)] == '[' ||
	    msg[strlen(col)] == '.')))
		snprintf(err, errlen, "%s%s", where, msg);
	else
		snprintf(err, errlen, "%s%s: %s", where, col, msg);
}

/* One row being checked. */
struct row {
	struct student_roster	*r;
	const char		*file;
	size_t			 line;
	struct student_cell	 c[SC_NCOLS];
	const unsigned char	*has;
	const char *const	*names;
	/* The checked fields, in the order they were set, encoded in
	 * r->rowbuf: no jansson object per row. */
	struct {
		size_t		 field;	/* in fields[] */
		size_t		 off, len;
	}			 set[NELEM(fields)];
	size_t			 nset;
	unsigned		 setmask;	/* 1 << field, for each set */
	const char		*id;	/* the good id, in its cell */
	size_t			 idlen;
	int			 place;	/* modality wants a place */
	int			 bad;
};

/* field_of: the index of name in fields[]. */
static size_t
field_of(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(fields); i++)
		if (strcmp(fields[i].name, name) == 0)
			return i;
	abort();	/* a name of our own: a bug */
}

static int
row_has(const struct row *x, size_t field)
{
	return (x->setmask >> field) & 1;
}

/* row_begin / row_end: a field's encoded value is appended to r->rowbuf
 * between them. */
static size_t
row_begin(struct row *x)
{
	return x->r->rowlen;
}

static void
row_end(struct row *x, size_t field, size_t start)
{
	assert(!row_has(x, field) && x->nset < NELEM(fields));
	_Static_assert(NELEM(fields) <= 32, "a bit for each field");
	x->setmask |= 1u << field;
	x->set[x->nset].field = field;
	x->set[x->nset].off = start;
	x->set[x->nset].len = x->r->rowlen - start;
	x->nset++;
}

/* row_put: the field takes the encoding of val (consumed). */
static int
row_put(struct row *x, size_t field, json_t *val)
{
	size_t start = row_begin(x);
	int rc;

	if (val == NULL)
		return MENTOR_ENOMEM;
	rc = student_json_append(val, &x->r->rowbuf, &x->r->rowlen,
	    &x->r->rowsize);
	json_decref(val);
	if (rc != 0)
		return rc;
	row_end(x, field, start);
	return 0;
}

/* row_put_text: the field takes the string s (already checked). */
static int
row_put_text(struct row *x, size_t field, const char *s, size_t n)
{
	size_t start = row_begin(x);

	if (json_str_append(s, n, &x->r->rowbuf, &x->r->rowlen,
	    &x->r->rowsize) != 0)
		return MENTOR_ENOMEM;
	row_end(x, field, start);
	return 0;
}

/* row_raw: appends JSON text to the field being written. */
static int
row_raw(struct row *x, const char *s, size_t n)
{
	return buf_put(&x->r->rowbuf, &x->r->rowlen, &x->r->rowsize, s, n);
}

static int
row_err(struct row *x, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
row_err(struct row *x, int col, const char *fmt, ...)
{
	va_list ap;
	int rc;

	x->bad = 1;
	va_start(ap, fmt);
	rc = verror(x->r, x->file, x->line, x->names[col], x->c[col].p,
	    x->c[col].n, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * row_check_err: a check's message "PATH: why" about column col, with
 * the path dropped when it is the field itself.
 */
static int
row_check_err(struct row *x, int col, const char *path, const char *msg)
{
	size_t n = strlen(path);
	const char *m = msg;

	/* "modality[1]: duplicate ..." -> "duplicate ...": the cell says
	 * which item. */
	if (strncmp(m, path, n) == 0) {
		m += n;
		if (*m == '[')
			m += strcspn(m, "]") + (m[strcspn(m, "]")] == ']');
		if (strncmp(m, ": ", 2) == 0)
			return row_err(x, col, "%s", m + 2);
	}
	return row_err(x, col, "%s", msg);
}

/* wants_place: a modality list includes in_person or hybrid (the
 * default does). */
static int
wants_place(const json_t *m)
{
	const json_t *v;
	size_t i;

	json_array_foreach(m, i, v)
		if (strcmp(json_string_value(v), "virtual") != 0)
			return 1;
	return 0;
}

/* row_set: checks v (consumed) with the field check of name; kept in the
 * raw object when good. */
static int
row_set(struct row *x, int col, const char *name, json_t *v)
{
	char err[STUDENT_ERR_MAX];
	size_t field = field_of(name);
	json_t *val = NULL;
	int rc;

	if (v == NULL)
		return MENTOR_ENOMEM;
	rc = fields[field].check(name, v, &val, err, sizeof(err));
	json_decref(v);
	if (rc == MENTOR_ENOMEM)
		return rc;
	if (rc != 0)
		return row_check_err(x, col, name, err);
	if (fields[field].check == check_modality)
		x->place = wants_place(val);
	/* Normalized values, encoded: the row needs no second pass. */
	return row_put(x, field, val);
}

/*
 * text_ok: s passes chk_text(max, single line), so that it can be
 * written without making a JSON string to check (what fails goes the
 * slow way, for its message).
 */
static int
text_ok(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f))
			return 0;
	}
	return 1;
}

static json_t *
cell_str(const struct student_cell *c)
{
	return json_stringn(c->p ? c->p : "", c->n);
}

/* cell_eq: the cell is s, ignoring ASCII case. */
static int
cell_eq(const struct student_cell *c, const char *s)
{
	return c->n == strlen(s) && strncasecmp(c->p, s, c->n) == 0;
}

/*
 * cell_number: a JSON number for a numeric cell, else the cell as a
 * string, so that the field's check says "must be a number".
 */
static json_t *
cell_number(const struct student_cell *c)
{
	char tmp[64], *end;
	size_t i;
	double d;
	int integral = 1;

	if (c->n == 0 || c->n >= sizeof(tmp))
		return cell_str(c);
	for (i = 0; i < c->n; i++) {
		char ch = c->p[i];

		if (ch == '-' && i == 0)
			continue;
		if (ch >= '0' && ch <= '9')
			continue;
		if (ch == '.' || ch == 'e' || ch == 'E' || ch == '+' ||
		    ch == '-') {
			integral = 0;
			continue;
		}
		return cell_str(c);
	}
	memcpy(tmp, c->p, c->n);
	tmp[c->n] = '\0';
	if (integral && c->n <= 15 && !(c->n == 1 && tmp[0] == '-'))
		return json_integer(strtoll(tmp, NULL, 10));
	errno = 0;
	d = strtod(tmp, &end);
	if (*end != '\0' || end == tmp || errno == ERANGE || !isfinite(d))
		return cell_str(c);
	return json_real(d);
}

static inline int
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* trim: the cell without surrounding spaces and tabs. */
static inline struct student_cell
trim(struct student_cell c)
{
	if (c.n > 0 && !is_space(c.p[0]) && !is_space(c.p[c.n - 1]))
		return c;	/* the usual case */
	while (c.n > 0 && is_space(c.p[0])) {
		c.p++;
		c.n--;
	}
	while (c.n > 0 && is_space(c.p[c.n - 1]))
		c.n--;
	return c;
}

/*
 * cell_items: the items of a list cell, split at ';' or '|' (not at ','
 * as cluster names hold commas), trimmed, empty ones dropped.  Returns
 * the count (at most max; *over is set when there were more).
 */
/* item_end: the first ';' or '|' of the n bytes at s, n when none;
 * eight bytes at a time. */
static size_t
item_end(const char *s, size_t n)
{
	uint64_t w, m;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		if ((m = hasbyte(w, ';') | hasbyte(w, '|')) == 0)
			continue;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* The lowest bit set is the first byte that matched. */
		return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
		break;
#endif
	}
	for (; i < n && s[i] != ';' && s[i] != '|'; i++)
		;
	return i;
}

static size_t
cell_items(const struct student_cell *c, struct student_cell *items,
    size_t max, int *over)
{
	size_t i, start = 0, k = 0;
	struct student_cell it;

	*over = 0;
	for (i = 0; i <= c->n; i++) {
		i += item_end(c->p + i, c->n - i);
		it.p = c->p + start;
		it.n = i - start;
		start = i + 1;
		it = trim(it);
		if (it.n == 0)
			continue;
		if (k == max) {
			*over = 1;
			break;
		}
		items[k++] = it;
	}
	return k;
}

/* A NUL-terminated copy of a cell (cut to size-1 bytes). */
static const char *
cell_cstr(char *buf, size_t size, const struct student_cell *c)
{
	size_t n = c->n < size - 1 ? c->n : size - 1;

	if (n > 0)
		memcpy(buf, c->p, n);
	buf[n] = '\0';
	return buf;
}

static int
row_name(struct row *x)
{
	const struct student_cell *f = &x->c[SC_FIRST], *l = &x->c[SC_LAST],
	    *c = &x->c[SC_NAME];
	char buf[STUDENT_NAME_MAX + 1], *s;
	json_t *v;
	size_t n;
	int col = SC_NAME;

	if (c->n > 0 || !(x->has[SC_FIRST] || x->has[SC_LAST])) {
		if (text_ok(c->p, c->n, STUDENT_NAME_MAX))
			return row_put_text(x, FLD_NAME, c->p, c->n);
		return row_set(x, SC_NAME, "name", cell_str(c));
	}
	/* "First Last", or the one that is there. */
	n = f->n + (f->n > 0 && l->n > 0) + l->n;
	if (n <= STUDENT_NAME_MAX) {
		memcpy(buf, f->p ? f->p : "", f->n);
		if (f->n > 0 && l->n > 0)
			buf[f->n] = ' ';
		memcpy(buf + n - l->n, l->p ? l->p : "", l->n);
		if (text_ok(buf, n, STUDENT_NAME_MAX))
			return row_put_text(x, FLD_NAME, buf, n);
	}
	if (f->n == 0 && l->n == 0)
		col = x->has[SC_FIRST] ? SC_FIRST : SC_LAST;
	if ((s = malloc(f->n + l->n + 2)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(s, f->p ? f->p : "", f->n);
	s[f->n] = ' ';
	memcpy(s + f->n + (f->n > 0), l->p ? l->p : "", l->n);
	v = json_stringn(s, f->n + (f->n > 0) + l->n);
	free(s);
	if (f->n > 0 && l->n == 0 && v != NULL)
		json_string_setn(v, f->p, f->n);
	return row_set(x, col, "name", v);
}

static int
row_birth(struct row *x)
{
	const struct student_cell *c = &x->c[SC_BIRTH];
	char d[11];
	int32_t days;
	int rc;

	if (c->n == 0 && !x->has[SC_BIRTH])
		return 0;	/* the input has none: one warning, elsewhere */
	if (c->n == 0)
		return student_roster_warn(x->r, x->file, x->line, "no birth "
		    "date: imported as a minor of unknown age (not shown "
		    "listings with a minimum age; applying needs a guardian's "
		    "consent)");
	/* check_birth_date's rules; what fails goes its way, for the
	 * message. */
	if (c->n == 10 && date_parse(cell_cstr(d, sizeof(d), c), &days) ==
	    0 && days >= x->r->birth_min && days < x->r->birth_end) {
		if ((rc = row_put_text(x, FLD_BIRTH, c->p, c->n)) != 0)
			return rc;
		if (x->r->today > 0 && days > x->r->today)
			return row_err(x, SC_BIRTH, "in the future");
		return 0;
	} else if ((rc = row_set(x, SC_BIRTH, "birth_date",
	    cell_str(c))) != 0 || !row_has(x, FLD_BIRTH))
		return rc;
	if (x->r->today > 0 && date_parse(cell_cstr(d, sizeof(d), c),
	    &days) == 0 && days > x->r->today)
		return row_err(x, SC_BIRTH, "in the future");
	return 0;
}

static int
row_grade(struct row *x)
{
	const struct student_cell *c = &x->c[SC_GRADE];

	size_t start;
	int g;

	if (c->n == 0)
		return 0;
	if (cell_eq(c, "k") || cell_eq(c, "kg"))
		return row_set(x, SC_GRADE, "grade", json_integer(0));
	/* One or two digits within range: check_grade would agree. */
	if (c->n <= 2 && c->p[0] >= '0' && c->p[0] <= '9' && (c->n == 1 ||
	    (c->p[1] >= '0' && c->p[1] <= '9'))) {
		g = c->n == 1 ? c->p[0] - '0' : (c->p[0] - '0') * 10 +
		    c->p[1] - '0';
		if (g <= STUDENT_GRADE_MAX) {
			char txt[2] = { (char)('0' + g / 10),
			    (char)('0' + g % 10) };

			start = row_begin(x);
			if (row_raw(x, txt + (g < 10), g < 10 ? 1 : 2) != 0)
				return MENTOR_ENOMEM;
			row_end(x, FLD_GRADE, start);
			return 0;
		}
	}
	return row_set(x, SC_GRADE, "grade", cell_number(c));
}

/* zip_key: "02134", "2134" (a spreadsheet dropped the zero) or "02134-
 * 1234" as the 5 digits; 0 when the cell is no ZIP code. */
static int
zip_key(const struct student_cell *c, char out[6])
{
	size_t n = c->n, i;

	if (n == 10 && c->p[5] == '-')
		n = 5;
	if (n < 3 || n > 5)
		return 0;
	for (i = 0; i < n; i++)
		if (c->p[i] < '0' || c->p[i] > '9')
			return 0;
	memset(out, '0', 5 - n);
	memcpy(out + 5 - n, c->p, n);
	out[5] = '\0';
	if (c->n == 10)
		for (i = 6; i < 10; i++)
			if (c->p[i] < '0' || c->p[i] > '9')
				return 0;
	return 1;
}

/*
 * zip_location: *enc and *n get the location ZIP code zip (5 digits)
 * encodes to, {"lat":la,"lon":lo} as json_real would write them (valid
 * until the next call).  0, MENTOR_ENOTFOUND or MENTOR_ENOMEM.
 */
static int
zip_location(struct student_roster *r, const char *zip, const char **enc,
    size_t *n)
{
	const struct student_resolver *res = r->res;
	struct zipmemo *z = &r->zips;
	char num[64], txt[160];
	size_t k, len = 0, i;
	double la, lo;

	for (i = 0, k = 0; i < 5; i++)
		k = k * 10 + (size_t)(zip[i] - '0');
	if (z->ref == NULL && (z->ref = calloc(ZIP_CODES,
	    sizeof(*z->ref))) == NULL)
		return MENTOR_ENOMEM;
	if (z->ref[k] == 1)
		return MENTOR_ENOTFOUND;
	if (z->ref[k] == 0) {
		if (res->zip(res->arg, zip, &la, &lo) != 0) {
			z->ref[k] = 1;
			return MENTOR_ENOTFOUND;
		}
		memcpy(txt, "{\"lat\":", 7);
		len = 7;
		if ((i = json_real_text(num, sizeof(num), la)) == 0)
			return MENTOR_ENOMEM;
		memcpy(txt + len, num, i);
		len += i;
		memcpy(txt + len, ",\"lon\":", 7);
		len += 7;
		if ((i = json_real_text(num, sizeof(num), lo)) == 0)
			return MENTOR_ENOMEM;
		memcpy(txt + len, num, i);
		len += i;
		txt[len++] = '}';
		/* A length byte, then the text (at most 7+63+7+63+1). */
		_Static_assert(sizeof(txt) < 256, "a length is one byte");
		if (z->len + len + 1 >= UINT32_MAX - 2 ||
		    buf_room(&z->enc, &z->len, &z->size, len + 1) != 0)
			return MENTOR_ENOMEM;
		z->ref[k] = (uint32_t)z->len + 2;
		z->enc[z->len] = (char)len;
		memcpy(z->enc + z->len + 1, txt, len);
		z->len += len + 1;
	}
	*enc = z->enc + z->ref[k] - 2 + 1;
	*n = (unsigned char)z->enc[z->ref[k] - 2];
	return 0;
}

static int
row_location(struct row *x)
{
	char err[STUDENT_ERR_MAX], zip[6];
	const struct student_cell *lat = &x->c[SC_LAT], *lon = &x->c[SC_LON],
	    *z = &x->c[SC_ZIP];
	const struct student_resolver *res = x->r->res;
	json_t *loc, *val = NULL;
	const char *enc;
	size_t start, n;
	int rc, unknown;

	unknown = cell_eq(lat, "unknown") || cell_eq(z, "unknown") ||
	    cell_eq(lat, "location_unknown") || cell_eq(z, "location_unknown");
	if (x->c[SC_NOLOC].n > 0) {
		if (cell_eq(&x->c[SC_NOLOC], "true") ||
		    cell_eq(&x->c[SC_NOLOC], "yes") ||
		    cell_eq(&x->c[SC_NOLOC], "1") ||
		    cell_eq(&x->c[SC_NOLOC], "x"))
			unknown = 1;
		else if (!cell_eq(&x->c[SC_NOLOC], "false") &&
		    !cell_eq(&x->c[SC_NOLOC], "no") &&
		    !cell_eq(&x->c[SC_NOLOC], "0"))
			return row_err(x, SC_NOLOC, "must be true or false "
			    "(or yes, no, 1, 0, x, empty)");
	}
	if (!unknown && (lat->n > 0 || lon->n > 0)) {
		if ((loc = json_object()) == NULL)
			return MENTOR_ENOMEM;
		if ((lat->n > 0 && json_object_set_new(loc, "lat",
		    cell_number(lat)) != 0) || (lon->n > 0 &&
		    json_object_set_new(loc, "lon", cell_number(lon)) != 0)) {
			json_decref(loc);
			return MENTOR_ENOMEM;
		}
		rc = location_parse(loc, "location", &val, err, sizeof(err));
		json_decref(loc);
		if (rc == 0)
			return row_put(x, FLD_LOCATION, val);
		if (rc == MENTOR_ENOMEM)
			return rc;
		if (strncmp(err, "location.lon", 12) == 0)
			return row_check_err(x, SC_LON, "location.lon", err);
		if (strncmp(err, "location.lat", 12) == 0)
			return row_check_err(x, SC_LAT, "location.lat", err);
		return row_err(x, SC_LAT, "%s", err);
	}
	if (!unknown && z->n > 0) {
		if (!zip_key(z, zip))
			return row_err(x, SC_ZIP, "not a US ZIP code (5 "
			    "digits, or ZIP+4 as 12345-6789)");
		if (res == NULL || res->zip == NULL)
			return row_err(x, SC_ZIP, "no ZIP code table is "
			    "installed on this node: give lat and lon");
		if ((rc = zip_location(x->r, zip, &enc, &n)) ==
		    MENTOR_ENOTFOUND)
			return row_err(x, SC_ZIP, "unknown ZIP code (not in "
			    "the Census ZCTA table): give lat and lon");
		if (rc != 0)
			return rc;
		start = row_begin(x);
		if (row_raw(x, enc, n) != 0)
			return MENTOR_ENOMEM;
		row_end(x, FLD_LOCATION, start);
		return 0;
	}
	return 0;
}

/* modality_word: "In person", "in-person", "IN_PERSON" -> in_person. */
static json_t *
modality_word(const struct student_cell *c)
{
	static const char *const words[] = { "in_person", "virtual",
	    "hybrid" };
	char buf[16];
	size_t i;

	if (c->n >= sizeof(buf))
		return cell_str(c);
	for (i = 0; i < c->n; i++) {
		char ch = c->p[i];

		buf[i] = ch == ' ' || ch == '-' ? '_' :
		    (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	buf[c->n] = '\0';
	for (i = 0; i < NELEM(words); i++)
		if (strcmp(buf, words[i]) == 0)
			return json_string(words[i]);
	if (strcmp(buf, "online") == 0 || strcmp(buf, "remote") == 0)
		return json_string("virtual");
	return cell_str(c);
}

static int
row_modality(struct row *x)
{
	struct student_cell items[8];
	json_t *a;
	size_t i, n;
	int over;

	if (x->c[SC_MODALITY].n == 0)
		return 0;
	n = cell_items(&x->c[SC_MODALITY], items, NELEM(items), &over);
	if (over)
		return row_err(x, SC_MODALITY, "more than 3 modalities "
		    "(in_person, virtual, hybrid)");
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, modality_word(&items[i])) != 0) {
			json_decref(a);
			return MENTOR_ENOMEM;
		}
	return row_set(x, SC_MODALITY, "modality", a);
}

/* The clusters of a row: distinct codes, in the order given. */
struct codes {
	char	 code[STUDENT_CLUSTERS_MAX][256];
	size_t	 len[STUDENT_CLUSTERS_MAX];
	size_t	 n;
};

static int
row_clusters(struct row *x, struct codes *out)
{
	struct student_cell items[STUDENT_CLUSTERS_MAX];
	const struct student_resolver *res = x->r->res;
	char buf[256], q[CHK_QUOTE_SIZE];
	const char *code;
	size_t i, j, n, k, clen;
	int over, rc = 0;

	out->n = 0;
	n = cell_items(&x->c[SC_CLUSTERS], items, NELEM(items), &over);
	if (over)
		return row_err(x, SC_CLUSTERS, "more than %d clusters",
		    STUDENT_CLUSTERS_MAX);
	for (i = 0; i < n && rc == 0; i++) {
		/* As the resolver sees it: cut to sizeof(buf) - 1 bytes. */
		k = items[i].n < sizeof(buf) - 1 ? items[i].n : sizeof(buf) - 1;
		if (!memo_get(&x->r->memo, MEMO_CLUSTER, items[i].p, k, &code,
		    &clen)) {
			cell_cstr(buf, sizeof(buf), &items[i]);
			code = res && res->cluster ? res->cluster(res->arg,
			    buf) : cluster_code_valid(buf) ? buf : NULL;
			clen = code ? strlen(code) : 0;
			memo_put(&x->r->memo, MEMO_CLUSTER, buf, k, code);
		}
		if (code == NULL) {
			rc = row_err(x, SC_CLUSTERS, "unknown career cluster "
			    "\"%s\" (a code or a name of either framework, "
			    "e.g. manufacturing or Advanced Manufacturing)",
			    chk_quote(q, items[i].p, items[i].n));
			continue;
		}
		if (clen >= sizeof(out->code[0]))
			clen = sizeof(out->code[0]) - 1;	/* codes are short */
		for (j = 0; j < out->n; j++)
			if (out->len[j] == clen &&
			    memcmp(out->code[j], code, clen) == 0)
				break;
		if (j < out->n)
			continue;	/* a code and its name: one cluster */
		memcpy(out->code[out->n], code, clen);
		out->code[out->n][clen] = '\0';
		out->len[out->n++] = clen;
	}
	return rc;
}

/*
 * A list cell of clusters or competencies that was good once encodes the
 * same again (the resolver does not change during a roster): rosters
 * repeat a few combinations over all their rows.  Cells of up to
 * CELL_MEMO_MAX bytes are remembered with their encoding, until the memo
 * holds CELL_MEMO_BYTES (or MEMO_MAX cells).
 */
#define CELL_MEMO_MAX	256
#define CELL_MEMO_BYTES	(4 * 1024 * 1024)

static int
cell_memo_get(struct row *x, int kind, const struct student_cell *c,
    const char **enc, size_t *n)
{
	return c->n <= CELL_MEMO_MAX && memo_get(&x->r->cells, kind, c->p,
	    c->n, enc, n) && *enc != NULL;
}

/* cell_memo_put: the cell encodes to the row's bytes from start on. */
static void
cell_memo_put(struct row *x, int kind, const struct student_cell *c,
    size_t start)
{
	if (c->n <= CELL_MEMO_MAX && x->r->cells.len < CELL_MEMO_BYTES)
		memo_putn(&x->r->cells, kind, c->p, c->n, x->r->rowbuf + start,
		    x->r->rowlen - start);
}

/* row_occupations: *out gets the checked list, or NULL when bad. */
static int
row_occupations(struct row *x, json_t **out)
{
	struct student_cell items[STUDENT_OCCUPATIONS_MAX + 1];
	char err[STUDENT_ERR_MAX];
	json_t *a, *g;
	size_t i, n;
	int over, rc;

	*out = NULL;
	n = cell_items(&x->c[SC_OCCUPATIONS], items, NELEM(items), &over);
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, cell_str(&items[i])) != 0) {
			json_decref(a);
			return MENTOR_ENOMEM;
		}
	if ((g = json_pack("{s:O}", "occupations", a)) == NULL) {
		json_decref(a);
		return MENTOR_ENOMEM;
	}
	rc = chk_goals(g, "goals", STUDENT_CLUSTERS_MAX,
	    STUDENT_OCCUPATIONS_MAX, 0, err, sizeof(err));
	json_decref(g);
	if (rc != 0) {
		json_decref(a);
		return row_check_err(x, SC_OCCUPATIONS, "goals.occupations",
		    err);
	}
	*out = a;
	return 0;
}

static int
row_goals(struct row *x)
{
	const struct student_cell *c = &x->c[SC_CLUSTERS];
	struct codes cl;
	json_t *occ = NULL;
	const char *enc = NULL;
	size_t i, start, cstart, enclen = 0, errs;
	int rc = 0, good = 0;

	if (c->n == 0 && x->c[SC_OCCUPATIONS].n == 0)
		return 0;
	cl.n = 0;
	if (c->n > 0 && !cell_memo_get(x, MEMO_CLUSTERS_CELL, c, &enc,
	    &enclen)) {
		errs = x->r->b.error_count;
		if ((rc = row_clusters(x, &cl)) != 0)
			goto out;
		good = x->r->b.error_count == errs;
	}
	if (x->c[SC_OCCUPATIONS].n > 0 && (rc = row_occupations(x, &occ)) != 0)
		goto out;
	/* Normalized: both lists, in this order, empty when absent. */
	start = row_begin(x);
	if ((rc = row_raw(x, "{\"clusters\":[", 13)) != 0)
		goto out;
	cstart = x->r->rowlen;
	if (enc != NULL && (rc = row_raw(x, enc, enclen)) != 0)
		goto out;
	for (i = 0; i < cl.n; i++)
		if ((i > 0 && (rc = row_raw(x, ",", 1)) != 0) ||
		    (rc = json_str_append(cl.code[i], cl.len[i],
		    &x->r->rowbuf, &x->r->rowlen, &x->r->rowsize)) != 0)
			goto out;
	if (good)
		cell_memo_put(x, MEMO_CLUSTERS_CELL, c, cstart);
	if ((rc = row_raw(x, "],\"occupations\":", 16)) != 0 ||
	    (occ == NULL && (rc = row_raw(x, "[]", 2)) != 0) ||
	    (occ != NULL && (rc = student_json_append(occ, &x->r->rowbuf,
	    &x->r->rowlen, &x->r->rowsize)) != 0) ||
	    (rc = row_raw(x, "}", 1)) != 0)
		goto out;
	row_end(x, FLD_GOALS, start);
out:
	json_decref(occ);
	return rc;
}

/* level_word: the level names of the contract, any case, as numbers. */
static json_t *
level_value(const struct student_cell *c)
{
	static const char *const words[] = { "none", "beginning",
	    "developing", "proficient", "advanced" };
	size_t i;

	for (i = 0; i < NELEM(words); i++)
		if (cell_eq(c, words[i]))
			return json_integer((json_int_t)i);
	return cell_number(c);
}

/* competency_key: the competency id an item's key stands for. */
static const char *
competency_key(const struct student_resolver *res, const char *key,
    char *buf, size_t size)
{
	const char *id;

	if (res && res->competency && (id = res->competency(res->arg, key)))
		return id;
	if (competency_id_valid(key))
		return key;
	/* A bare O*NET element id: "2.B.3.h". */
	if (key[0] >= '0' && key[0] <= '9' && strchr(key, '.') != NULL) {
		if (strlen(key) + 6 > size)
			return NULL;
		snprintf(buf, size, "onet:%.*s", (int)(size - 6), key);
		if (competency_id_valid(buf))
			return buf;
	}
	return NULL;
}

static int
row_competencies(struct row *x)
{
	struct student_cell items[STUDENT_COMPETENCIES_MAX + 1], lv, k;
	char key[COMPETENCY_ID_MAX + 128], buf[COMPETENCY_ID_MAX + 8];
	char err[STUDENT_ERR_MAX], path[COMPETENCY_ID_MAX + 16];
	char q[CHK_QUOTE_SIZE], num[2];
	/* The row's competencies so far: ids and levels, in order. */
	char ids[STUDENT_COMPETENCIES_MAX][COMPETENCY_ID_MAX + 8];
	json_int_t level[STUDENT_COMPETENCIES_MAX];
	size_t idlen[STUDENT_COMPETENCIES_MAX];
	const struct student_cell *c = &x->c[SC_COMPETENCIES];
	const char *id, *eq, *enc;
	json_t *n;
	size_t i, j, cnt, got = 0, start, kn, idn, enclen, errs;
	int over, rc = 0;

	if (cell_memo_get(x, MEMO_COMPETENCIES_CELL, c, &enc, &enclen)) {
		start = row_begin(x);
		if (row_raw(x, enc, enclen) != 0)
			return MENTOR_ENOMEM;
		row_end(x, FLD_COMPETENCIES, start);
		return 0;
	}
	errs = x->r->b.error_count;
	cnt = cell_items(c, items, NELEM(items), &over);
	if (over || cnt > STUDENT_COMPETENCIES_MAX)
		return row_err(x, SC_COMPETENCIES, "more than %d competencies",
		    STUDENT_COMPETENCIES_MAX);
	for (i = 0; i < cnt && rc == 0; i++) {
		eq = memchr(items[i].p, '=', items[i].n);
		if (eq == NULL) {
			rc = row_err(x, SC_COMPETENCIES, "\"%s\" is not "
			    "skill=level", chk_quote(q, items[i].p,
			    items[i].n));
			continue;
		}
		k.p = items[i].p;
		k.n = (size_t)(eq - items[i].p);
		k = trim(k);
		lv.p = eq + 1;
		lv.n = items[i].n - (size_t)(eq - items[i].p) - 1;
		lv = trim(lv);
		/* As the resolver sees it: cut to sizeof(key) - 1 bytes. */
		kn = k.n < sizeof(key) - 1 ? k.n : sizeof(key) - 1;
		if (!memo_get(&x->r->memo, MEMO_COMPETENCY, k.p, kn, &id,
		    &idn)) {
			cell_cstr(key, sizeof(key), &k);
			id = competency_key(x->r->res, key, buf, sizeof(buf));
			idn = id ? strlen(id) : 0;
			memo_put(&x->r->memo, MEMO_COMPETENCY, key, kn, id);
		}
		/* Ids are at most COMPETENCY_ID_MAX (competency_id_valid). */
		if (id == NULL || idn >= sizeof(ids[0])) {
			rc = row_err(x, SC_COMPETENCIES, "unknown skill \"%s\" "
			    "(an O*NET element id such as 2.B.3.h or "
			    "onet:2.B.3.h, its name, or prefix:id)",
			    chk_quote(q, k.p, k.n));
			continue;
		}
		for (j = 0; j < got; j++)
			if (idlen[j] == idn && memcmp(ids[j], id, idn) == 0)
				break;
		if (j < got) {
			rc = row_err(x, SC_COMPETENCIES, "duplicate \"%s\"",
			    id);
			continue;
		}
		if (lv.n == 1 && lv.p[0] >= '0' && lv.p[0] <= '0' +
		    LEVEL_MAX) {
			level[got] = lv.p[0] - '0';	/* the usual case */
			idlen[got] = idn;
			memcpy(ids[got++], id, idn + 1);
			continue;
		}
		if ((n = level_value(&lv)) == NULL) {
			rc = MENTOR_ENOMEM;
			break;
		}
		if (chk_int_max(n, "", LEVEL_MAX, NULL, 0) != 0) {
			snprintf(path, sizeof(path), "%.80s", id);
			chk_int_max(n, path, LEVEL_MAX, err, sizeof(err));
			json_decref(n);
			rc = row_err(x, SC_COMPETENCIES, "%s (levels 0 to 4, "
			    "or none, beginning, developing, proficient, "
			    "advanced)", err);
			continue;
		}
		level[got] = json_integer_value(n);
		idlen[got] = idn;
		memcpy(ids[got++], id, idn + 1);
		json_decref(n);
	}
	if (rc != 0)
		return rc;
	/* {"id":level,...}, as the object of them would be written */
	start = row_begin(x);
	if (row_raw(x, "{", 1) != 0)
		return MENTOR_ENOMEM;
	for (i = 0; i < got; i++) {
		/* ":level", one digit */
		_Static_assert(LEVEL_MAX < 10, "a level is one digit");
		num[0] = ':';
		num[1] = (char)('0' + level[i]);
		if ((i > 0 && row_raw(x, ",", 1) != 0) ||
		    json_str_append(ids[i], idlen[i], &x->r->rowbuf,
		    &x->r->rowlen, &x->r->rowsize) != 0 ||
		    row_raw(x, num, 2) != 0)
			return MENTOR_ENOMEM;
	}
	if (row_raw(x, "}", 1) != 0)
		return MENTOR_ENOMEM;
	if (x->r->b.error_count == errs)
		cell_memo_put(x, MEMO_COMPETENCIES_CELL, c, start);
	row_end(x, FLD_COMPETENCIES, start);
	return 0;
}

static int
row_action(struct row *x, int *del)
{
	static const char *const dels[] = { "delete", "remove", "drop", "d" };
	static const char *const ups[] = { "upsert", "add", "update", "a",
	    "u", "keep" };
	const struct student_cell *c = &x->c[SC_ACTION];
	size_t i;

	*del = 0;
	if (c->n == 0)
		return 0;
	for (i = 0; i < NELEM(dels); i++)
		if (cell_eq(c, dels[i])) {
			*del = 1;
			return 0;
		}
	for (i = 0; i < NELEM(ups); i++)
		if (cell_eq(c, ups[i]))
			return 0;
	return row_err(x, SC_ACTION, "must be empty (add or update) or delete");
}


/*
 * row_finish: the normalized student of a good row into the batch: its
 * checked fields in the order they were set, then the defaults of those
 * it lacks in the order of fields[] (what student_parse would make of the
 * raw row; the keys' order differs from student_parse's, and nothing
 * needs it, but it is the order stored students have).
 */
static int
row_finish(struct row *x)
{
#define KEY(s)	{ s, sizeof(s) - 1 }
	static const struct {
		const char	*s;
		size_t		 n;
	} keys[] = { [FLD_ID] = KEY(",\"id\":"),
	    [FLD_NAME] = KEY(",\"name\":"),
	    [FLD_BIRTH] = KEY(",\"birth_date\":"),
	    [FLD_GRADE] = KEY(",\"grade\":"),
	    [FLD_COMPETENCIES] = KEY(",\"competencies\":"),
	    [FLD_GOALS] = KEY(",\"goals\":"),
	    [FLD_LOCATION] = KEY(",\"location\":"),
	    [FLD_DIST] = KEY(",\"max_distance_km\":"),
	    [FLD_MODALITY] = KEY(",\"modality\":"),
	    [FLD_SCHOOL] = KEY(",\"school\":"),
	    [FLD_CONCENTRATOR] = KEY(",\"concentrator\":") };
#undef KEY
	struct student_roster *r = x->r;
	struct student_batch *b = &r->b;
	size_t start = b->enclen, i, n = 0, need = 2, f, len;
	unsigned absent = 0;
	const char *from;
	char *o;
	int rc;

	_Static_assert(NELEM(keys) == NELEM(fields), "a key for each field");

	/* The defaults this row lacks; then the room for all at once. */
	for (i = 0; i < NELEM(fields); i++)
		if ((fields[i].flags & F_ABSENT) && !row_has(x, i)) {
			absent |= 1u << i;
			need += keys[i].n + r->deflen[i];
		}
	for (i = 0; i < x->nset; i++)
		need += keys[x->set[i].field].n + x->set[i].len;
	if (buf_room(&b->enc, &b->enclen, &b->encsize, need) != 0)
		return MENTOR_ENOMEM;
	/* Each field ",\"name\":" (the first without its comma), its
	 * value; then the defaults in the order of fields[]. */
	o = b->enc + b->enclen;
	*o++ = '{';
	for (i = 0; i < x->nset + NELEM(fields); i++) {
		if (i < x->nset) {
			f = x->set[i].field;
			from = r->rowbuf + x->set[i].off;
			len = x->set[i].len;
		} else if (absent & 1u << (f = i - x->nset)) {
			from = r->defenc + r->defoff[f];
			len = r->deflen[f];
		} else
			continue;
		memcpy(o, keys[f].s + (n == 0), keys[f].n - (n == 0));
		o += keys[f].n - (n == 0);
		memcpy(o, from, len);
		o += len;
		n++;
	}
	*o++ = '}';
	*o = '\0';
	b->enclen = (size_t)(o - b->enc);
	if (batch_item(b, start, x->id, x->idlen, x->line) != 0)
		goto nomem;
	if (r->sink == NULL)
		return 0;
	/* Handed on, not kept: the next row reuses the same bytes. */
	b->count--;
	rc = b->error_count > 0 ? 0 : r->sink(r->sinkarg, b->enc +
	    b->items[b->count].idoff, x->idlen, b->enc + start,
	    b->items[b->count].len, x->line, b->given);
	b->enclen = start;
	return rc;
nomem:
	b->enclen = start;
	return MENTOR_ENOMEM;
}

/* row_id: the id, as check_id takes it; others go its way, for the
 * message. */
static int
row_id(struct row *x)
{
	const struct student_cell *c = &x->c[SC_ID];
	size_t i;
	int rc;

	for (i = 0; i < c->n && c->n <= STUDENT_ID_MAX; i++) {
		char ch = c->p[i];

		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '.' && ch != '_' &&
		    ch != '-')
			break;
	}
	if (c->n == 0 || c->n > STUDENT_ID_MAX || i < c->n) {
		if ((rc = row_set(x, SC_ID, "id", cell_str(c))) != 0 ||
		    !row_has(x, FLD_ID))
			return rc;
	} else if ((rc = row_put_text(x, FLD_ID, c->p, c->n)) != 0)
		return rc;
	x->id = c->p;
	x->idlen = c->n;
	return 0;
}

/* row_concentrator: yes/no (true, false, 1, 0, x; empty: not said). */
static int
row_concentrator(struct row *x)
{
	const struct student_cell *c = &x->c[SC_CONCENTRATOR];

	if (c->n == 0)
		return 0;
	if (cell_eq(c, "yes") || cell_eq(c, "true") || cell_eq(c, "1") ||
	    cell_eq(c, "x") || cell_eq(c, "y"))
		return row_set(x, SC_CONCENTRATOR, "concentrator",
		    json_true());
	if (cell_eq(c, "no") || cell_eq(c, "false") || cell_eq(c, "0") ||
	    cell_eq(c, "n"))
		return row_set(x, SC_CONCENTRATOR, "concentrator",
		    json_false());
	return row_err(x, SC_CONCENTRATOR, "must be yes or no (or true, "
	    "false, 1, 0, x, empty)");
}

int
student_roster_row(struct student_roster *r, const char *file, size_t line,
    const struct student_cell cells[SC_NCOLS],
    const unsigned char has[SC_NCOLS], const char *const names[SC_NCOLS])
{
	struct row x;
	size_t i, prev = 0;
	int rc, del;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.file = file;
	x.line = line;
	x.has = has;
	x.names = names;
	x.place = 1;	/* the default modality wants a place */
	r->rowlen = 0;
	for (i = 0; i < SC_NCOLS; i++)
		x.c[i] = has[i] ? trim(cells[i]) : (struct student_cell){ "",
		    0 };
	if ((rc = row_action(&x, &del)) != 0 || (rc = row_id(&x)) != 0)
		return rc;
	if (!del) {
		if (++r->rows == STUDENT_ITEMS_MAX + 1) {
			x.bad = 1;
			if ((rc = student_roster_error(r, file, line, NULL,
			    NULL, 0, "more than %d students",
			    STUDENT_ITEMS_MAX)) != 0)
				return rc;
		}
		if ((rc = row_name(&x)) != 0 || (rc = row_birth(&x)) != 0 ||
		    (rc = row_grade(&x)) != 0 ||
		    (rc = row_location(&x)) != 0 ||
		    (x.c[SC_DIST].n > 0 && (rc = row_set(&x, SC_DIST,
		    "max_distance_km", cell_number(&x.c[SC_DIST])))) != 0 ||
		    (rc = row_modality(&x)) != 0 ||
		    (rc = row_goals(&x)) != 0 ||
		    (rc = row_competencies(&x)) != 0)
			return rc;
		if (x.c[SC_SCHOOL].n > 0 && text_ok(x.c[SC_SCHOOL].p,
		    x.c[SC_SCHOOL].n, STUDENT_SCHOOL_MAX))
			rc = row_put_text(&x, FLD_SCHOOL,
			    x.c[SC_SCHOOL].p, x.c[SC_SCHOOL].n);
		else if (x.c[SC_SCHOOL].n > 0)
			rc = row_set(&x, SC_SCHOOL, "school",
			    cell_str(&x.c[SC_SCHOOL]));
		if (rc != 0)
			return rc;
		if ((rc = row_concentrator(&x)) != 0)
			return rc;
	}
	/* Every row with a good id counts for duplicates, bad or not. */
	if (x.id != NULL && idset_line(&r->ids, x.id, x.idlen, &prev) != 0)
		return MENTOR_ENOMEM;
	if (prev > 0)
		return row_err(&x, SC_ID, "duplicate of line %zu", prev);
	/* A line is never 0: rows start after the header. */
	if (x.id != NULL && (rc = idset_add(&r->ids, x.id, x.idlen,
	    line > 0 ? line : 1)) != 0)
		return rc;
	if (x.bad)
		return 0;
	if (del)
		return json_array_append_new(r->b.deletes, json_stringn(x.id,
		    x.idlen)) == 0 ? 0 : MENTOR_ENOMEM;
	if ((has[SC_LAT] || has[SC_ZIP] || has[SC_NOLOC]) &&
	    !row_has(&x, FLD_LOCATION) && x.place &&
	    (rc = student_roster_warn(r, file, line, "no location: in-person "
	    "and hybrid listings will not be matched (give lat and lon, or "
	    "zip)")) != 0)
		return rc;
	return row_finish(&x);
}

/* ---- the CSV form --------------------------------------------------------- */

/* Header names of each column: the first is the one messages use. */
static const struct column {
	int		 col;
	unsigned	 given;
	const char	*names[6];
} columns[] = {
	{ SC_ID, 0, { "id", "student_id", "studentid", "sourcedid",
	    "student_number", NULL } },
	{ SC_NAME, STUDENT_F_NAME, { "name", "full_name", "student_name",
	    NULL } },
	{ SC_FIRST, STUDENT_F_NAME, { "first_name", "given_name",
	    "givenname", "first", NULL } },
	{ SC_LAST, STUDENT_F_NAME, { "last_name", "family_name",
	    "familyname", "last", "surname", NULL } },
	{ SC_BIRTH, STUDENT_F_BIRTH, { "birth_date", "birthdate", "dob",
	    "date_of_birth", NULL } },
	{ SC_GRADE, STUDENT_F_GRADE, { "grade", "grade_level", "grades",
	    NULL } },
	{ SC_LAT, STUDENT_F_LOCATION, { "lat", "latitude", NULL } },
	{ SC_LON, STUDENT_F_LOCATION, { "lon", "lng", "long", "longitude",
	    NULL } },
	{ SC_ZIP, STUDENT_F_LOCATION, { "zip", "zip_code", "zipcode",
	    "postal_code", NULL } },
	{ SC_DIST, STUDENT_F_DIST, { "max_distance_km", "distance_km",
	    NULL } },
	{ SC_MODALITY, STUDENT_F_MODALITY, { "modality", NULL } },
	{ SC_CLUSTERS, STUDENT_F_CLUSTERS, { "clusters", "cluster",
	    "career_clusters", NULL } },
	{ SC_OCCUPATIONS, STUDENT_F_OCCUPATIONS, { "occupations",
	    "occupation", NULL } },
	{ SC_COMPETENCIES, STUDENT_F_COMPETENCIES, { "competencies",
	    "skills", NULL } },
	{ SC_SCHOOL, STUDENT_F_SCHOOL, { "school", "school_name", NULL } },
	{ SC_ACTION, 0, { "action", NULL } },
	{ SC_NOLOC, 0, { "location_unknown", NULL } },
	{ SC_CONCENTRATOR, STUDENT_F_CONCENTRATOR, { "concentrator",
	    "cte_concentrator", NULL } },
};

/* header_key: lower case, spaces and '-' as '_', trimmed; "" if too long. */
static void
header_key(char *out, size_t size, const struct csv_field *f)
{
	struct student_cell c = trim((struct student_cell){ f->p, f->n });
	size_t i;

	if (c.n >= size) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < c.n; i++) {
		char ch = c.p[i];

		out[i] = ch == ' ' || ch == '-' ? '_' :
		    (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	out[c.n] = '\0';
}

struct header {
	int		 pos[SC_NCOLS];		/* field index, -1 if none */
	unsigned char	 has[SC_NCOLS];
	const char	*names[SC_NCOLS];
	size_t		 nfields;
	int		 fatal;		/* rows cannot be read */
};

static int
read_header(struct student_roster *r, const struct csv_field *f, size_t nf,
    struct header *h)
{
	char key[64], q[CHK_QUOTE_SIZE];
	json_t *unknown;
	const char *sep = "";
	char list[STUDENT_ERR_MAX - 64];
	size_t i, j, k, off = 0;
	int rc = 0, found;

	for (i = 0; i < SC_NCOLS; i++) {
		h->pos[i] = -1;
		h->has[i] = 0;
	}
	for (i = 0; i < NELEM(columns); i++)
		h->names[columns[i].col] = columns[i].names[0];
	h->nfields = nf;
	h->fatal = 0;
	if ((unknown = json_array()) == NULL)
		return MENTOR_ENOMEM;
	list[0] = '\0';
	for (i = 0; i < nf; i++) {
		header_key(key, sizeof(key), &f[i]);
		found = 0;
		for (j = 0; j < NELEM(columns) && !found; j++)
			for (k = 0; columns[j].names[k] && !found; k++)
				if (strcmp(key, columns[j].names[k]) == 0)
					found = 1;
		if (!found) {
			if (f[i].n == 0)
				continue;	/* a trailing comma */
			json_array_append_new(unknown, json_stringn(f[i].p,
			    utf8_cut(f[i].p, f[i].n, VALUE_MAX)));
			if (off < sizeof(list) - 1)
				off += (size_t)snprintf(list + off,
				    sizeof(list) - off, "%s%s", sep,
				    chk_quote(q, f[i].p, f[i].n));
			sep = ", ";
			continue;
		}
		j--;
		if (h->pos[columns[j].col] >= 0) {
			rc = student_roster_error(r, NULL, 1,
			    columns[j].names[0], f[i].p, f[i].n, "column "
			    "given twice (also field %d)",
			    h->pos[columns[j].col] + 1);
			if (rc != 0)
				break;
			continue;
		}
		h->pos[columns[j].col] = (int)i;
		h->has[columns[j].col] = 1;
		student_roster_given(r, columns[j].given);
	}
	if (rc == 0 && (h->pos[SC_ID] < 0 || (h->pos[SC_NAME] < 0 &&
	    h->pos[SC_FIRST] < 0 && h->pos[SC_LAST] < 0 &&
	    h->pos[SC_ACTION] < 0)))
		h->fatal = 1;
	if (rc == 0 && h->pos[SC_ID] < 0)
		rc = student_roster_error(r, NULL, 1, "id", NULL, 0, "missing "
		    "column id (header names: id, name or first_name and "
		    "last_name, birth_date, grade, lat and lon or zip, "
		    "max_distance_km, modality, clusters, occupations, "
		    "competencies, school, action)");
	if (rc == 0 && h->pos[SC_NAME] < 0 && h->pos[SC_FIRST] < 0 &&
	    h->pos[SC_LAST] < 0 && h->pos[SC_ACTION] < 0)
		rc = student_roster_error(r, NULL, 1, "name", NULL, 0,
		    "missing column name (or first_name and last_name)");
	if (rc == 0 && (h->pos[SC_LAT] < 0) != (h->pos[SC_LON] < 0))
		rc = student_roster_error(r, NULL, 1, h->pos[SC_LAT] < 0 ?
		    "lat" : "lon", NULL, 0, "lat and lon go together");
	if (rc == 0 && json_array_size(unknown) > 0) {
		rc = student_roster_warn(r, NULL, 1, "unknown columns "
		    "ignored: %s", list);
		if (rc == 0)
			json_object_set(json_array_get(r->b.warnings,
			    json_array_size(r->b.warnings) - 1), "columns",
			    unknown);
	}
	json_decref(unknown);
	return rc;
}

int
student_roster_csv(const char *buf, size_t len,
    const struct student_resolver *res, int32_t today,
    struct student_batch *out)
{
	return student_roster_csv_each(buf, len, res, today, NULL, NULL, out);
}

int
student_roster_csv_each(const char *buf, size_t len,
    const struct student_resolver *res, int32_t today, student_sink_fn fn,
    void *arg, struct student_batch *out)
{
	struct student_cell cells[SC_NCOLS];
	struct student_roster *r = NULL;
	const struct csv_field *f;
	struct csv_reader rd;
	struct header h;
	char err[CSV_ERR_MAX];
	size_t line, nf, i, blank;
	int rc, header = 0;

	if ((rc = student_roster_new(&r, res, today)) != 0)
		return rc;
	student_roster_sink(r, fn, arg);
	csv_init(&rd, buf, len, ',');
	for (;;) {
		rc = csv_next(&rd, &line, &f, &nf, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc == MENTOR_ENOMEM)
			goto fail;
		if (rc < 0) {
			if (student_roster_error(r, NULL, line, NULL, NULL, 0,
			    "%s", err) != 0)
				goto nomem;
			if (!header)
				header = -1;	/* the header was bad */
			continue;
		}
		for (i = 0, blank = 1; i < nf && blank; i++)
			if (trim((struct student_cell){ f[i].p, f[i].n }).n)
				blank = 0;
		if (blank)
			continue;
		if (header == 0) {
			header = 1;
			if (read_header(r, f, nf, &h) != 0)
				goto nomem;
			if (h.fatal)
				header = -1;	/* rows would only add noise */
			continue;
		}
		if (header < 0)
			continue;
		if (nf > h.nfields && !(nf == h.nfields + 1 &&
		    f[nf - 1].n == 0)) {
			if (student_roster_error(r, NULL, line, NULL, NULL, 0,
			    "%zu fields, the header has %zu", nf,
			    h.nfields) != 0)
				goto nomem;
			continue;
		}
		for (i = 0; i < SC_NCOLS; i++) {
			cells[i].p = "";
			cells[i].n = 0;
			if (h.pos[i] >= 0 && (size_t)h.pos[i] < nf) {
				cells[i].p = f[h.pos[i]].p;
				cells[i].n = f[h.pos[i]].n;
			}
		}
		if ((rc = student_roster_row(r, NULL, line, cells, h.has,
		    h.names)) != 0)
			goto fail;
	}
	if (header == 0 && student_roster_error(r, NULL, 1, NULL, NULL, 0,
	    "missing header (id,name,birth_date,...)") != 0)
		goto nomem;
	/* Said once, and only when some row adds or updates a student. */
	if (header > 0 && r->rows > 0 && h.pos[SC_BIRTH] < 0 &&
	    student_roster_warn(r, NULL, 0, "no birth_date column: new "
	    "students are imported as minors of unknown age; birth dates on "
	    "file are kept") != 0)
		goto nomem;
	if (header > 0 && r->rows > 0 && h.pos[SC_LAT] < 0 &&
	    h.pos[SC_ZIP] < 0 && h.pos[SC_NOLOC] < 0 && student_roster_warn(r, NULL, 0, "no "
	    "location columns (lat and lon, or zip): new students see only "
	    "virtual listings; locations on file are kept") != 0)
		goto nomem;
	csv_free(&rd);
	rc = student_roster_finish(r, out);
	student_roster_free(r);
	return rc;
nomem:
	rc = MENTOR_ENOMEM;
fail:
	csv_free(&rd);
	student_roster_free(r);
	return rc;
}

int
student_parse_csv(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	struct student_batch b;
	json_t *arr;
	size_t i;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((rc = student_roster_csv(buf, len, NULL, 0, &b)) != 0) {
		chk_errf(err, errlen, "out of memory");
		return rc;
	}
	if (b.error_count > 0) {
		student_batch_error_text(&b, 0, err, errlen);
		rc = strstr(err, "longer than") != NULL ||
		    strstr(err, "more than 100000") != NULL ?
		    MENTOR_ETOOBIG : MENTOR_EINVAL;
	} else if (json_array_size(b.deletes) > 0) {
		chk_errf(err, errlen, "action: delete is not allowed here");
		rc = MENTOR_EINVAL;
	} else if ((arr = json_array()) == NULL)
		rc = MENTOR_ENOMEM;
	else {
		for (i = 0; i < b.count && rc == 0; i++)
			if (json_array_append_new(arr, student_batch_get(&b,
			    i)) != 0)
				rc = MENTOR_ENOMEM;
		if (rc == 0)
			*out = arr;
		else {
			json_decref(arr);
			chk_errf(err, errlen, "out of memory");
		}
	}
	student_batch_clear(&b);
	return rc;
}
