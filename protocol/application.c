/*
 * application.c: sealing and opening the bodies of application and answer
 * records, and the strict validation of their plaintexts (SPEC.md 13).
 * Each plaintext is described by a field table, checked in table order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "listing.h"
#include "application.h"
#include "check.h"

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

/* Value checks shared by the fields (others: check.h). */

/* hex_check: exactly digits lowercase hex digits. */
static int
hex_check(const json_t *v, const char *path, size_t digits, char *err,
    size_t errlen)
{
	const char *s;
	size_t i, n;
	int rc;

	if ((rc = chk_string(v, path, &s, &n, err, errlen)) != 0)
		return rc;
	if (n != digits)
		return chk_errf(err, errlen,
		    "%s: must be %zu lowercase hex digits", path, digits);
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return chk_errf(err, errlen,
			    "%s: must be %zu lowercase hex digits", path,
			    digits);
	return 0;
}

/* The fields.  Each check gets a present value. */

typedef int (*check_fn)(const char *, const json_t *, char *, size_t);

static int
check_v(const char *name, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return chk_errf(err, errlen, "%s: must be 1", name);
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
	return chk_text(v, name, APP_SCHOOL_NAME_MAX, 0, err, errlen);
}

static int
check_first_name(const char *name, const json_t *v, char *err, size_t errlen)
{
	return chk_text(v, name, APP_NAME_MAX, 0, err, errlen);
}

static int
check_grade(const char *name, const json_t *v, char *err, size_t errlen)
{
	return chk_grade(v, name, APP_GRADE_MAX, err, errlen);
}

static int
check_competencies(const char *name, const json_t *v, char *err,
    size_t errlen)
{
	return chk_competency_levels(v, name, APP_COMPETENCIES_MAX, err,
	    errlen);
}

static int
check_goals(const char *name, const json_t *v, char *err, size_t errlen)
{
	return chk_goals(v, name, APP_CLUSTERS_MAX, APP_OCCUPATIONS_MAX, 1,
	    err, errlen);
}

static int
check_message(const char *name, const json_t *v, char *err, size_t errlen)
{
	return chk_text(v, name, APP_MSG_MAX, 1, err, errlen);
}

static int
check_consent(const char *name, const json_t *v, char *err, size_t errlen)
{
	static const char *const keys[] = { "guardian" };
	const json_t *g;
	int rc;

	if ((rc = chk_object(v, name, keys, NELEM(keys), err, errlen)) != 0)
		return rc;
	if ((g = json_object_get(v, "guardian")) == NULL)
		return chk_errf(err, errlen, "%s.guardian: missing", name);
	if (!json_is_boolean(g))
		return chk_errf(err, errlen,
		    "%s.guardian: must be true or false", name);
	return 0;
}

static int
check_created(const char *name, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return chk_errf(err, errlen,
		    "%s: must be a non-negative integer (ms)", name);
	return 0;
}

static int
status_valid(const char *s)
{
	return strcmp(s, "accepted") == 0 || strcmp(s, "declined") == 0;
}

static int
check_status(const char *name, const json_t *v, char *err, size_t errlen)
{
	const char *s;

	return chk_choice(v, name, status_valid, "unknown status",
	    " (accepted, declined)", &s, err, errlen);
}

static int
check_note(const char *name, const json_t *v, char *err, size_t errlen)
{
	return chk_text(v, name, ANSWER_NOTE_MAX, 1, err, errlen);
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
	char q[CHK_QUOTE_SIZE];
	json_error_t jerr;
	const char *key;
	json_t *obj, *v;
	size_t i;
	int rc;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (plain == NULL && len > 0)
		return chk_errf(err, errlen, "%s: no input", what);
	if (len > APP_PLAIN_MAX) {
		chk_errf(err, errlen, "%s: larger than %d bytes", what,
		    APP_PLAIN_MAX);
		return MENTOR_ETOOBIG;
	}
	/* json_loadb wants a valid pointer even for no bytes. */
	obj = json_loadb(len > 0 ? (const char *)plain : "", len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		if (json_error_code(&jerr) == json_error_out_of_memory) {
			chk_errf(err, errlen, "%s: out of memory", what);
			return MENTOR_ENOMEM;
		}
		return chk_errf(err, errlen, "%s: not JSON: %s (line %d, "
		    "column %d)", what, jerr.text, jerr.line, jerr.column);
	}
	if (!json_is_object(obj)) {
		rc = chk_errf(err, errlen, "%s: must be an object", what);
		goto fail;
	}
	json_object_foreach(obj, key, v) {
		for (i = 0; i < nfields; i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == nfields) {
			rc = chk_errf(err, errlen, "%s: unknown field",
			    chk_keyname(q, key));
			goto fail;
		}
	}
	for (i = 0; i < nfields; i++) {
		if ((v = json_object_get(obj, fields[i].name)) == NULL) {
			if (!fields[i].required)
				continue;
			rc = chk_errf(err, errlen, "%s: missing",
			    fields[i].name);
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
