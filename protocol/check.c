/*
 * check.c: value checks and message helpers shared by the validators of
 * protocol/.  The messages are part of the contract (tests assert them),
 * so a change here changes every validator's wording at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "check.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int
chk_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return MENTOR_EINVAL;
}

const char *
chk_quote(char *out, const char *s, size_t n)
{
	size_t i, m = n > CHK_QUOTE_MAX ? CHK_QUOTE_MAX : n;

	for (i = 0; i < m; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (m < n) {
		memcpy(out + m, "...", 3);
		m += 3;
	}
	out[m] = '\0';
	return out;
}

const char *
chk_keyname(char *out, const char *key)
{
	if (key[0] == '\0')
		return "\"\"";
	return chk_quote(out, key, strlen(key));
}

int
chk_string(const json_t *v, const char *path, const char **s, size_t *n,
    char *err, size_t errlen)
{
	*s = "";
	*n = 0;
	if (!json_is_string(v))
		return chk_errf(err, errlen, "%s: must be a string", path);
	*s = json_string_value(v);
	*n = json_string_length(v);
	if (strlen(*s) != *n)
		return chk_errf(err, errlen, "%s: contains a NUL character",
		    path);
	return 0;
}

int
chk_choice(const json_t *v, const char *path, int (*pred)(const char *),
    const char *what, const char *hint, const char **s, char *err,
    size_t errlen)
{
	char q[CHK_QUOTE_SIZE];
	size_t n;
	int rc;

	if ((rc = chk_string(v, path, s, &n, err, errlen)) != 0)
		return rc;
	if (!pred(*s))
		return chk_errf(err, errlen, "%s: %s \"%s\"%s", path, what,
		    chk_quote(q, *s, n), hint);
	return 0;
}

int
chk_text(const json_t *v, const char *path, size_t max, int multiline,
    char *err, size_t errlen)
{
	const char *s;
	size_t i, n;
	int rc;

	if ((rc = chk_string(v, path, &s, &n, err, errlen)) != 0)
		return rc;
	if (n == 0)
		return chk_errf(err, errlen, "%s: must not be empty", path);
	if (n > max)
		return chk_errf(err, errlen, "%s: longer than %zu bytes", path,
		    max);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (multiline && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		/* C1 controls are U+0080..U+009F: 0xc2 0x80..0x9f. */
		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f))
			return chk_errf(err, errlen,
			    "%s: contains a control character", path);
	}
	return 0;
}

int
chk_date(const json_t *v, const char *path, int32_t *days, char *err,
    size_t errlen)
{
	const char *s;
	size_t n;
	int rc;

	if ((rc = chk_string(v, path, &s, &n, err, errlen)) != 0)
		return rc;
	if (date_parse(s, days) != 0)
		return chk_errf(err, errlen, "%s: not a date (YYYY-MM-DD)",
		    path);
	return 0;
}

int
chk_int(const json_t *v, const char *path, json_int_t *iv, char *err,
    size_t errlen)
{
	*iv = 0;
	if (!json_is_integer(v))
		return chk_errf(err, errlen, "%s: must be an integer", path);
	*iv = json_integer_value(v);
	return 0;
}

int
chk_int_max(const json_t *v, const char *path, int max, char *err,
    size_t errlen)
{
	json_int_t iv;
	int rc;

	if ((rc = chk_int(v, path, &iv, err, errlen)) != 0)
		return rc;
	if (iv < 0 || iv > max)
		return chk_errf(err, errlen, "%s: must be 0 to %d", path, max);
	return 0;
}

int
chk_grade(const json_t *v, const char *path, int max, char *err,
    size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return chk_errf(err, errlen, "%s: must be an integer 0 to %d",
		    path, max);
	return 0;
}

int
chk_object(const json_t *v, const char *path, const char *const *names,
    size_t n, char *err, size_t errlen)
{
	char q[CHK_QUOTE_SIZE];
	const char *key;
	json_t *f;
	size_t i;

	if (!json_is_object(v))
		return chk_errf(err, errlen, "%s: must be an object", path);
	json_object_foreach((json_t *)v, key, f) {
		for (i = 0; i < n; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (i == n)
			return chk_errf(err, errlen, "%s.%s: unknown field",
			    path, chk_keyname(q, key));
	}
	return 0;
}

int
chk_string_list(const json_t *v, const char *path, size_t max,
    int (*pred)(const char *), const char *what, const char *hint,
    char *err, size_t errlen)
{
	char sub[96], q[CHK_QUOTE_SIZE];
	const char *s;
	size_t i, j;
	int rc;

	if (!json_is_array(v))
		return chk_errf(err, errlen, "%s: must be an array", path);
	if (json_array_size(v) > max)
		return chk_errf(err, errlen, "%s: more than %zu entries", path,
		    max);
	for (i = 0; i < json_array_size(v); i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if ((rc = chk_choice(json_array_get(v, i), sub, pred, what,
		    hint, &s, err, errlen)) != 0)
			return rc;
		/* Earlier elements have passed chk_choice: no NULL here. */
		for (j = 0; j < i; j++)
			if (strcmp(s, json_string_value(
			    json_array_get(v, j))) == 0)
				return chk_errf(err, errlen,
				    "%s: duplicate \"%s\"", sub,
				    chk_quote(q, s, strlen(s)));
	}
	return 0;
}

int
chk_clusters(const json_t *v, const char *path, size_t max, char *err,
    size_t errlen)
{
	return chk_string_list(v, path, max, cluster_code_valid,
	    "unknown career cluster", "", err, errlen);
}

int
chk_occupations(const json_t *v, const char *path, size_t max, char *err,
    size_t errlen)
{
	return chk_string_list(v, path, max, occupation_code_valid,
	    "not an O*NET-SOC code (NN-NNNN.NN):", "", err, errlen);
}

int
chk_goals(const json_t *v, const char *path, size_t clusters_max,
    size_t occupations_max, int required, char *err, size_t errlen)
{
	static const char *const keys[] = { "clusters", "occupations" };
	static int (*const checks[])(const json_t *, const char *, size_t,
	    char *, size_t) = { chk_clusters, chk_occupations };
	const size_t max[] = { clusters_max, occupations_max };
	char sub[96];
	const json_t *f;
	size_t i;
	int rc;

	if ((rc = chk_object(v, path, keys, NELEM(keys), err, errlen)) != 0)
		return rc;
	for (i = 0; i < NELEM(keys); i++) {
		snprintf(sub, sizeof(sub), "%s.%s", path, keys[i]);
		if ((f = json_object_get(v, keys[i])) == NULL) {
			if (required)
				return chk_errf(err, errlen, "%s: missing",
				    sub);
			continue;
		}
		if ((rc = checks[i](f, sub, max[i], err, errlen)) != 0)
			return rc;
	}
	return 0;
}

int
chk_competency_levels(const json_t *v, const char *path, size_t max,
    char *err, size_t errlen)
{
	char q[CHK_QUOTE_SIZE];
	const char *key;
	json_t *lv;

	if (!json_is_object(v))
		return chk_errf(err, errlen, "%s: must be an object", path);
	if (json_object_size(v) > max)
		return chk_errf(err, errlen, "%s: more than %zu entries", path,
		    max);
	json_object_foreach((json_t *)v, key, lv) {
		if (!competency_id_valid(key))
			return chk_errf(err, errlen,
			    "%s: malformed competency id \"%s\"", path,
			    chk_quote(q, key, strlen(key)));
		if (!json_is_integer(lv))
			return chk_errf(err, errlen,
			    "%s.%s: must be an integer", path, key);
		if (json_integer_value(lv) < 0 ||
		    json_integer_value(lv) > LEVEL_MAX)
			return chk_errf(err, errlen, "%s.%s: must be 0 to %d",
			    path, key, LEVEL_MAX);
	}
	return 0;
}
