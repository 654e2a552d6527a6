/*
 * application.c: sealing and opening the bodies of application and answer
 * records, and the strict validation of their plaintexts (SPEC.md 13).
 * Each plaintext is described by a field table, checked in table order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "listing.h"
#include "application.h"

#define QUOTE_MAX	40	/* bytes of a bad value echoed in a message */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

_Static_assert(APP_SEAL_OVERHEAD == crypto_box_SEALBYTES,
    "APP_SEAL_OVERHEAD is the sealed-box overhead");

int
app_seal(const uint8_t *plain, size_t len,
    const uint8_t recipient_ed25519_pk[32], uint8_t **out, size_t *outlen)
{
	static const uint8_t empty[1];
	uint8_t xpk[crypto_box_PUBLICKEYBYTES], *box;

	*out = NULL;
	*outlen = 0;
	if (plain == NULL && len > 0)
		return MENTOR_EINVAL;
	if (len > APP_PLAIN_MAX)
		return MENTOR_ETOOBIG;
	if (crypto_sign_ed25519_pk_to_curve25519(xpk,
	    recipient_ed25519_pk) != 0)
		return MENTOR_EINVAL;
	if ((box = malloc(len + crypto_box_SEALBYTES)) == NULL)
		return MENTOR_ENOMEM;
	if (crypto_box_seal(box, len > 0 ? plain : empty,
	    (unsigned long long)len, xpk) != 0) {
		free(box);
		return MENTOR_EINVAL;
	}
	*out = box;
	*outlen = len + crypto_box_SEALBYTES;
	return 0;
}

int
app_open(const uint8_t *sealed, size_t len, const uint8_t my_ed25519_pk[32],
    const uint8_t my_ed25519_sk[64], uint8_t **plain, size_t *plainlen)
{
	uint8_t xpk[crypto_box_PUBLICKEYBYTES], xsk[crypto_box_SECRETKEYBYTES];
	uint8_t *p = NULL;
	size_t n;
	int rc;

	*plain = NULL;
	*plainlen = 0;
	if (len > APP_SEALED_MAX)
		return MENTOR_ETOOBIG;
	if (sealed == NULL || len < crypto_box_SEALBYTES)
		return MENTOR_ESIG;
	n = len - crypto_box_SEALBYTES;
	if (crypto_sign_ed25519_pk_to_curve25519(xpk, my_ed25519_pk) != 0)
		return MENTOR_ESIG;
	if (crypto_sign_ed25519_sk_to_curve25519(xsk, my_ed25519_sk) != 0) {
		rc = MENTOR_ESIG;
		goto done;
	}
	if ((p = malloc(n + 1)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto done;
	}
	if (crypto_box_seal_open(p, sealed, (unsigned long long)len, xpk,
	    xsk) != 0) {
		free(p);
		p = NULL;
		rc = MENTOR_ESIG;
		goto done;
	}
	p[n] = '\0';
	*plain = p;
	*plainlen = n;
	rc = 0;
done:
	sodium_memzero(xsk, sizeof(xsk));
	return rc;
}

/* Messages. */

static int errf(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return MENTOR_EINVAL;
}

/*
 * quote: a short printable rendering of untrusted bytes for a message:
 * non-printable bytes become '?', and long values are cut with "...".
 * out holds QUOTE_MAX + 4 bytes.
 */
static const char *
quote(char *out, const char *s, size_t n)
{
	size_t i, m = n > QUOTE_MAX ? QUOTE_MAX : n;

	for (i = 0; i < m; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (m < n) {
		memcpy(out + m, "...", 3);
		m += 3;
	}
	out[m] = '\0';
	return out;
}

/* keyname: an untrusted object key as a message names it. */
static const char *
keyname(char *out, const char *key)
{
	if (key[0] == '\0')
		return "\"\"";
	return quote(out, key, strlen(key));
}

/* Value checks shared by the fields. */

/* get_string: a JSON string; jansson refuses NULs as loaded here. */
static int
get_string(const json_t *v, const char *path, const char **s, size_t *n,
    char *err, size_t errlen)
{
	*s = "";
	*n = 0;
	if (!json_is_string(v))
		return errf(err, errlen, "%s: must be a string", path);
	*s = json_string_value(v);
	*n = json_string_length(v);
	if (strlen(*s) != *n)
		return errf(err, errlen, "%s: contains a NUL character", path);
	return 0;
}

/*
 * text_check: a non-empty string of at most max bytes without control
 * characters (C0, DEL, C1); multiline admits tab, CR and LF.
 */
static int
text_check(const json_t *v, const char *path, size_t max, int multiline,
    char *err, size_t errlen)
{
	const char *s;
	size_t i, n;
	int rc;

	if ((rc = get_string(v, path, &s, &n, err, errlen)) != 0)
		return rc;
	if (n == 0)
		return errf(err, errlen, "%s: must not be empty", path);
	if (n > max)
		return errf(err, errlen, "%s: longer than %zu bytes", path,
		    max);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (multiline && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f))
			return errf(err, errlen,
			    "%s: contains a control character", path);
	}
	return 0;
}

/* hex_check: exactly digits lowercase hex digits. */
static int
hex_check(const json_t *v, const char *path, size_t digits, char *err,
    size_t errlen)
{
	const char *s;
	size_t i, n;
	int rc;

	if ((rc = get_string(v, path, &s, &n, err, errlen)) != 0)
		return rc;
	if (n != digits)
		return errf(err, errlen, "%s: must be %zu lowercase hex digits",
		    path, digits);
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return errf(err, errlen,
			    "%s: must be %zu lowercase hex digits", path,
			    digits);
	return 0;
}

/* only_keys: every key of the object v is one of names. */
static int
only_keys(const json_t *v, const char *path, const char *const *names,
    size_t n, char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4];
	const char *key;
	json_t *f;
	size_t i;

	json_object_foreach((json_t *)v, key, f) {
		for (i = 0; i < n; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (i == n)
			return errf(err, errlen, "%s.%s: unknown field", path,
			    keyname(q, key));
	}
	return 0;
}

/*
 * string_list: an array of at most max distinct strings passing pred; a
 * bad one is reported as "PATH[i]: WHAT \"value\"".
 */
static int
string_list(const json_t *v, const char *path, size_t max,
    int (*pred)(const char *), const char *what, char *err, size_t errlen)
{
	char sub[96], q[QUOTE_MAX + 4];
	const char *s;
	size_t i, j, n;
	int rc;

	if (!json_is_array(v))
		return errf(err, errlen, "%s: must be an array", path);
	if (json_array_size(v) > max)
		return errf(err, errlen, "%s: more than %zu entries", path,
		    max);
	for (i = 0; i < json_array_size(v); i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if ((rc = get_string(json_array_get(v, i), sub, &s, &n, err,
		    errlen)) != 0)
			return rc;
		if (!pred(s))
			return errf(err, errlen, "%s: %s \"%s\"", sub, what,
			    quote(q, s, n));
		for (j = 0; j < i; j++)
			if (strcmp(s, json_string_value(
			    json_array_get(v, j))) == 0)
				return errf(err, errlen,
				    "%s: duplicate \"%s\"", sub,
				    quote(q, s, n));
	}
	return 0;
}

/* The fields.  Each check gets a present value. */

typedef int (*check_fn)(const char *, const json_t *, char *, size_t);

static int
check_v(const char *name, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return errf(err, errlen, "%s: must be 1", name);
	return 0;
}

static int
check_hex32(const char *name, const json_t *v, char *err, size_t errlen)
{
	return hex_check(v, name, 2 * APP_ID_LEN, err, errlen);
}

static int
check_hex64(const char *name, const json_t *v, char *err, size_t errlen)
{
	return hex_check(v, name, 64, err, errlen);
}

static int
check_school_name(const char *name, const json_t *v, char *err,
    size_t errlen)
{
	return text_check(v, name, APP_SCHOOL_NAME_MAX, 0, err, errlen);
}

static int
check_first_name(const char *name, const json_t *v, char *err, size_t errlen)
{
	return text_check(v, name, APP_NAME_MAX, 0, err, errlen);
}

static int
check_grade(const char *name, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > APP_GRADE_MAX)
		return errf(err, errlen, "%s: must be an integer 0 to %d", name,
		    APP_GRADE_MAX);
	return 0;
}

static int
check_competencies(const char *name, const json_t *v, char *err,
    size_t errlen)
{
	char q[QUOTE_MAX + 4];
	const char *key;
	json_t *lv;

	if (!json_is_object(v))
		return errf(err, errlen, "%s: must be an object", name);
	if (json_object_size(v) > APP_COMPETENCIES_MAX)
		return errf(err, errlen, "%s: more than %d entries", name,
		    APP_COMPETENCIES_MAX);
	json_object_foreach((json_t *)v, key, lv) {
		/* A valid id is short and printable: safe to echo whole. */
		if (!competency_id_valid(key))
			return errf(err, errlen,
			    "%s: malformed competency id \"%s\"", name,
			    quote(q, key, strlen(key)));
		if (!json_is_integer(lv))
			return errf(err, errlen, "%s.%s: must be an integer",
			    name, key);
		if (json_integer_value(lv) < 0 ||
		    json_integer_value(lv) > LEVEL_MAX)
			return errf(err, errlen, "%s.%s: must be 0 to %d",
			    name, key, LEVEL_MAX);
	}
	return 0;
}

static int
check_goals(const char *name, const json_t *v, char *err, size_t errlen)
{
	static const char *const keys[] = { "clusters", "occupations" };
	static const struct {
		size_t		 max;
		int		(*pred)(const char *);
		const char	*what;
	} lists[] = {
		{ APP_CLUSTERS_MAX, cluster_code_valid,
		    "unknown career cluster" },
		{ APP_OCCUPATIONS_MAX, occupation_code_valid,
		    "not an O*NET-SOC code (NN-NNNN.NN):" },
	};
	char path[64];
	const json_t *f;
	size_t i;
	int rc;

	if (!json_is_object(v))
		return errf(err, errlen, "%s: must be an object", name);
	if ((rc = only_keys(v, name, keys, NELEM(keys), err, errlen)) != 0)
		return rc;
	for (i = 0; i < NELEM(keys); i++) {
		snprintf(path, sizeof(path), "%s.%s", name, keys[i]);
		if ((f = json_object_get(v, keys[i])) == NULL)
			return errf(err, errlen, "%s: missing", path);
		if ((rc = string_list(f, path, lists[i].max, lists[i].pred,
		    lists[i].what, err, errlen)) != 0)
			return rc;
	}
	return 0;
}

static int
check_message(const char *name, const json_t *v, char *err, size_t errlen)
{
	return text_check(v, name, APP_MSG_MAX, 1, err, errlen);
}

static int
check_consent(const char *name, const json_t *v, char *err, size_t errlen)
{
	static const char *const keys[] = { "guardian" };
	const json_t *g;
	int rc;

	if (!json_is_object(v))
		return errf(err, errlen, "%s: must be an object", name);
	if ((rc = only_keys(v, name, keys, NELEM(keys), err, errlen)) != 0)
		return rc;
	if ((g = json_object_get(v, "guardian")) == NULL)
		return errf(err, errlen, "%s.guardian: missing", name);
	if (!json_is_boolean(g))
		return errf(err, errlen, "%s.guardian: must be true or false",
		    name);
	return 0;
}

static int
check_created(const char *name, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return errf(err, errlen,
		    "%s: must be a non-negative integer (ms)", name);
	return 0;
}

static int
check_status(const char *name, const json_t *v, char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4];
	const char *s;
	size_t n;
	int rc;

	if ((rc = get_string(v, name, &s, &n, err, errlen)) != 0)
		return rc;
	if (strcmp(s, "accepted") != 0 && strcmp(s, "declined") != 0)
		return errf(err, errlen, "%s: unknown status \"%s\" "
		    "(accepted, declined)", name, quote(q, s, n));
	return 0;
}

static int
check_note(const char *name, const json_t *v, char *err, size_t errlen)
{
	return text_check(v, name, ANSWER_NOTE_MAX, 1, err, errlen);
}

struct field {
	const char	*name;
	check_fn	 check;
	int		 required;
};

/* SPEC.md 13.1, in the order the fields are checked. */
static const struct field app_fields[] = {
	{ "v",			check_v,		1 },
	{ "application",	check_hex32,		1 },
	{ "listing",		check_hex32,		1 },
	{ "school",		check_hex64,		1 },
	{ "school_name",	check_school_name,	1 },
	{ "student_ref",	check_hex32,		1 },
	{ "first_name",		check_first_name,	1 },
	{ "grade",		check_grade,		0 },
	{ "competencies",	check_competencies,	1 },
	{ "goals",		check_goals,		1 },
	{ "message",		check_message,		0 },
	{ "consent",		check_consent,		1 },
	{ "created",		check_created,		1 },
};

/* SPEC.md 13.2. */
static const struct field answer_fields[] = {
	{ "v",			check_v,		1 },
	{ "application",	check_hex32,		1 },
	{ "listing",		check_hex32,		1 },
	{ "status",		check_status,		1 },
	{ "note",		check_note,		0 },
};

/*
 * parse: loads one JSON object from the len bytes at plain and runs the
 * field table over it: unknown fields first, then each field in order.
 */
static int
parse(const uint8_t *plain, size_t len, const struct field *fields,
    size_t nfields, const char *what, json_t **out, char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4];
	json_error_t jerr;
	const char *key;
	json_t *obj, *v;
	size_t i;
	int rc;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (plain == NULL && len > 0)
		return errf(err, errlen, "%s: no input", what);
	if (len > APP_PLAIN_MAX) {
		errf(err, errlen, "%s: larger than %d bytes", what,
		    APP_PLAIN_MAX);
		return MENTOR_ETOOBIG;
	}
	/* json_loadb wants a valid pointer even for no bytes. */
	obj = json_loadb(len > 0 ? (const char *)plain : "", len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		if (json_error_code(&jerr) == json_error_out_of_memory) {
			errf(err, errlen, "%s: out of memory", what);
			return MENTOR_ENOMEM;
		}
		return errf(err, errlen, "%s: not JSON: %s (line %d, column "
		    "%d)", what, jerr.text, jerr.line, jerr.column);
	}
	if (!json_is_object(obj)) {
		rc = errf(err, errlen, "%s: must be an object", what);
		goto fail;
	}
	json_object_foreach(obj, key, v) {
		for (i = 0; i < nfields; i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == nfields) {
			rc = errf(err, errlen, "%s: unknown field",
			    keyname(q, key));
			goto fail;
		}
	}
	for (i = 0; i < nfields; i++) {
		if ((v = json_object_get(obj, fields[i].name)) == NULL) {
			if (!fields[i].required)
				continue;
			rc = errf(err, errlen, "%s: missing", fields[i].name);
			goto fail;
		}
		if ((rc = fields[i].check(fields[i].name, v, err,
		    errlen)) != 0)
			goto fail;
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return rc;
}

int
app_parse(const uint8_t *plain, size_t len, json_t **out, char *err,
    size_t errlen)
{
	return parse(plain, len, app_fields, NELEM(app_fields), "application",
	    out, err, errlen);
}

int
answer_parse(const uint8_t *plain, size_t len, json_t **out, char *err,
    size_t errlen)
{
	return parse(plain, len, answer_fields, NELEM(answer_fields),
	    "answer", out, err, errlen);
}
