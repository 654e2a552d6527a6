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

/* contact: who to reach about a placement; name required. */
static int
check_contact(const char *name, const json_t *v, char *err, size_t errlen)
{
	static const char *const keys[] = { "name", "email", "phone" };
	char path[64];
	const json_t *f;
	size_t i;
	int rc;

	if ((rc = chk_object(v, name, keys, NELEM(keys), err, errlen)) != 0)
		return rc;
	if (json_object_get(v, "name") == NULL)
		return chk_errf(err, errlen, "%s.name: missing", name);
	for (i = 0; i < NELEM(keys); i++) {
		if ((f = json_object_get(v, keys[i])) == NULL)
			continue;
		snprintf(path, sizeof(path), "%s.%s", name, keys[i]);
		if ((rc = chk_text(f, path, PLC_CONTACT_MAX, 0, err,
		    errlen)) != 0)
			return rc;
	}
	return 0;
}

static int
check_type(const char *name, const json_t *v, char *err, size_t errlen)
{
	(void)name;
	(void)v;
	(void)err;
	(void)errlen;
	return 0;	/* chosen before the table: plc_parse */
}

/* A message type named in a refusal: 1 to 32 of a-z, 0-9 and '-'. */
static int
check_type_token(const char *name, const json_t *v, char *err,
    size_t errlen)
{
	const char *s = json_string_value(v);
	size_t i, n;

	if (s == NULL || (n = json_string_length(v)) < 1 || n > 32)
		return chk_errf(err, errlen, "%s: must be a message type (1 to "
		    "32 of a-z, 0-9, -)", name);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return chk_errf(err, errlen, "%s: must be a message "
			    "type (1 to 32 of a-z, 0-9, -)", name);
	return 0;
}

static int
state_valid(const char *s)
{
	return strcmp(s, "scheduled") == 0 || strcmp(s, "active") == 0 ||
	    strcmp(s, "completed") == 0 || strcmp(s, "cancelled") == 0;
}

static int
check_state(const char *name, const json_t *v, char *err, size_t errlen)
{
	const char *s;

	return chk_choice(v, name, state_valid, "unknown state",
	    " (scheduled, active, completed, cancelled)", &s, err, errlen);
}

static int
check_date(const char *name, const json_t *v, char *err, size_t errlen)
{
	int32_t d;

	return chk_date(v, name, &d, err, errlen);
}

static int
check_minutes(const char *name, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 24 * 60)
		return chk_errf(err, errlen, "%s: must be an integer from 1 "
		    "to 1440 (minutes in a day)", name);
	return 0;
}

static int
check_activity(const char *name, const json_t *v, char *err, size_t errlen)
{
	return chk_text(v, name, PLC_TEXT_MAX, 1, err, errlen);
}

static int
hours_status_valid(const char *s)
{
	return strcmp(s, "confirmed") == 0 || strcmp(s, "disputed") == 0;
}

static int
check_hours_status(const char *name, const json_t *v, char *err,
    size_t errlen)
{
	const char *s;

	return chk_choice(v, name, hours_status_valid, "unknown status",
	    " (confirmed, disputed)", &s, err, errlen);
}

static int
stage_valid(const char *s)
{
	return strcmp(s, "midpoint") == 0 || strcmp(s, "final") == 0;
}

static int
check_stage(const char *name, const json_t *v, char *err, size_t errlen)
{
	const char *s;

	return chk_choice(v, name, stage_valid, "unknown stage",
	    " (midpoint, final)", &s, err, errlen);
}

static int
check_assessor(const char *name, const json_t *v, char *err, size_t errlen)
{
	static const char *const keys[] = { "name", "organization" };
	char path[64];
	const json_t *f;
	size_t i;
	int rc;

	if ((rc = chk_object(v, name, keys, NELEM(keys), err, errlen)) != 0)
		return rc;
	for (i = 0; i < NELEM(keys); i++) {
		snprintf(path, sizeof(path), "%s.%s", name, keys[i]);
		if ((f = json_object_get(v, keys[i])) == NULL)
			return chk_errf(err, errlen, "%s: missing", path);
		if ((rc = chk_text(f, path, PLC_CONTACT_MAX, 0, err,
		    errlen)) != 0)
			return rc;
	}
	return 0;
}

/* ratings: [{competency, level 0..4, comment?}], distinct competencies. */
static int
check_ratings(const char *name, const json_t *v, char *err, size_t errlen)
{
	static const char *const keys[] = { "competency", "level",
	    "comment" };
	char path[64], cpath[80], q[CHK_QUOTE_SIZE];
	const json_t *r, *f, *o;
	const char *id;
	size_t i, j, n;
	int rc;

	if (!json_is_array(v))
		return chk_errf(err, errlen, "%s: must be an array", name);
	if (json_array_size(v) == 0)
		return chk_errf(err, errlen, "%s: must not be empty", name);
	if (json_array_size(v) > PLC_RATINGS_MAX)
		return chk_errf(err, errlen, "%s: more than %d entries", name,
		    PLC_RATINGS_MAX);
	json_array_foreach(v, i, r) {
		snprintf(path, sizeof(path), "%s[%zu]", name, i);
		if ((rc = chk_object(r, path, keys, NELEM(keys), err,
		    errlen)) != 0)
			return rc;
		if ((f = json_object_get(r, "competency")) == NULL)
			return chk_errf(err, errlen, "%s.competency: missing",
			    path);
		snprintf(cpath, sizeof(cpath), "%s.competency", path);
		if ((rc = chk_string(f, cpath, &id, &n, err, errlen)) != 0)
			return rc;
		if (!competency_id_valid(id))
			return chk_errf(err, errlen, "%s.competency: not a "
			    "competency id: \"%s\"", path,
			    chk_quote(q, id, n));
		for (j = 0; j < i; j++) {
			o = json_object_get(json_array_get(v, j),
			    "competency");
			if (strcmp(json_string_value(o), id) == 0)
				return chk_errf(err, errlen, "%s.competency: "
				    "duplicate \"%s\"", path,
				    chk_quote(q, id, n));
		}
		f = json_object_get(r, "level");
		if (f == NULL)
			return chk_errf(err, errlen, "%s.level: missing", path);
		if (!json_is_integer(f) || json_integer_value(f) < 0 ||
		    json_integer_value(f) > 4)
			return chk_errf(err, errlen, "%s.level: must be 0 to 4",
			    path);
		if ((f = json_object_get(r, "comment")) != NULL) {
			snprintf(path, sizeof(path), "%s[%zu].comment", name,
			    i);
			if ((rc = chk_text(f, path, PLC_TEXT_MAX, 1, err,
			    errlen)) != 0)
				return rc;
		}
	}
	return 0;
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
	{ "contact",		check_contact,		0 },
};

/* SPEC.md 13.2. */
static const struct field answer_fields[] = {
	{ "v",			check_v,		1 },
	{ "application",	check_hex32,		1 },
	{ "listing",		check_hex32,		1 },
	{ "status",		check_status,		1 },
	{ "note",		check_note,		0 },
	{ "contact",		check_contact,		0 },
};

/* SPEC.md 13.5: placement messages, one table per type. */
#define PLC_COMMON \
	{ "v",			check_v,		1 }, \
	{ "type",		check_type,		1 }, \
	{ "application",	check_hex32,		1 }, \
	{ "id",			check_hex32,		1 }, \
	{ "created",		check_created,		1 }

static const struct field withdraw_fields[] = {
	PLC_COMMON,
	{ "note",		check_note,		0 },
};

static const struct field state_fields[] = {
	PLC_COMMON,
	{ "state",		check_state,		1 },
	{ "note",		check_note,		0 },
};

static const struct field hours_fields[] = {
	PLC_COMMON,
	{ "entry",		check_hex32,		1 },
	{ "date",		check_date,		1 },
	{ "minutes",		check_minutes,		1 },
	{ "activity",		check_activity,		1 },
};

static const struct field hours_answer_fields[] = {
	PLC_COMMON,
	{ "entry",		check_hex32,		1 },
	{ "status",		check_hours_status,	1 },
	{ "note",		check_note,		0 },
};

static const struct field evaluation_fields[] = {
	PLC_COMMON,
	{ "evaluation",		check_hex32,		1 },
	{ "listing",		check_hex32,		1 },
	{ "stage",		check_stage,		1 },
	{ "assessor",		check_assessor,		1 },
	{ "ratings",		check_ratings,		1 },
};

static const struct field refusal_fields[] = {
	PLC_COMMON,
	{ "refused",		check_hex32,		1 },
	{ "refused_type",	check_type_token,	1 },
	{ "reason",		check_note,		1 },
	{ "entry",		check_hex32,		0 },
};

static const struct {
	const char		*type;
	const struct field	*fields;
	size_t			 n;
} plc_types[] = {
	{ "withdraw",	withdraw_fields,	NELEM(withdraw_fields) },
	{ "state",	state_fields,		NELEM(state_fields) },
	{ "hours",	hours_fields,		NELEM(hours_fields) },
	{ "hours-answer", hours_answer_fields,	NELEM(hours_answer_fields) },
	{ "evaluation",	evaluation_fields,	NELEM(evaluation_fields) },
	{ "refusal",	refusal_fields,		NELEM(refusal_fields) },
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
	const uint8_t *nul;
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
	/* jansson would pass a NUL after a number or a literal: not JSON. */
	if (len > 0 && (nul = memchr(plain, 0, len)) != NULL)
		return chk_errf(err, errlen, "%s: not JSON: a NUL byte at "
		    "offset %zu", what, (size_t)(nul - plain));
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

int
plc_parse(const uint8_t *plain, size_t len, json_t **out, char *err,
    size_t errlen)
{
	char q[CHK_QUOTE_SIZE];
	json_t *peek;
	const char *type;
	size_t i;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > APP_PLAIN_MAX) {
		chk_errf(err, errlen, "message: larger than %d bytes",
		    APP_PLAIN_MAX);
		return MENTOR_ETOOBIG;
	}
	/* The type picks the table; parse() then checks everything. */
	peek = json_loadb(len > 0 && plain ? (const char *)plain : "", len,
	    JSON_REJECT_DUPLICATES, NULL);
	type = json_string_value(json_object_get(peek, "type"));
	for (i = 0; type && i < NELEM(plc_types); i++)
		if (strcmp(type, plc_types[i].type) == 0)
			break;
	if (peek == NULL || !json_is_object(peek) || type == NULL ||
	    i == NELEM(plc_types)) {
		if (peek && json_is_object(peek)) {
			if (json_object_get(peek, "type") == NULL)
				chk_errf(err, errlen, "type: missing");
			else if (type == NULL)
				chk_errf(err, errlen, "type: must be a string");
			else
				chk_errf(err, errlen, "type: unknown type "
				    "\"%s\" (withdraw, state, hours, "
				    "hours-answer, evaluation, refusal)",
				    chk_quote(q, type, strlen(type)));
			json_decref(peek);
			return MENTOR_EINVAL;
		}
		json_decref(peek);
		/* Not an object: let parse() say why, as for the others. */
		return parse(plain, len, withdraw_fields,
		    NELEM(withdraw_fields), "message", out, err, errlen);
	}
	json_decref(peek);
	return parse(plain, len, plc_types[i].fields, plc_types[i].n,
	    "message", out, err, errlen);
}

int
plc_hours_parse(const char *s, int *minutes)
{
	long long h = 0, frac = 0, scale = 1, m;
	int digits = 0, decimals = 0;

	if (s == NULL)
		return MENTOR_EINVAL;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if ((h = h * 10 + (*s - '0')) > 24)
			return MENTOR_EINVAL;
	if (*s == ':') {
		/* H:MM, the minutes two digits below 60 */
		if (digits == 0 || s[1] < '0' || s[1] > '5' || s[2] < '0' ||
		    s[2] > '9' || s[3] != '\0')
			return MENTOR_EINVAL;
		m = h * 60 + (s[1] - '0') * 10 + (s[2] - '0');
	} else {
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, decimals++) {
				if (decimals == PLC_HOURS_DECIMALS)
					return MENTOR_EINVAL;
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
		if (*s != '\0' || digits + decimals == 0)
			return MENTOR_EINVAL;
		/* round half up: (frac * 60 + scale / 2) / scale */
		m = h * 60 + (frac * 60 + scale / 2) / scale;
	}
	if (m < 1 || m > 24 * 60)
		return MENTOR_EINVAL;
	*minutes = (int)m;
	return 0;
}
