/*
 * student.c: validation and normalization of student objects, from a JSON
 * array or the CSV form.  A CSV line becomes the same JSON object a user
 * would write, so both forms share one set of rules and messages.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "student.h"
#include "check.h"

#define CSV_COLUMNS	11
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

#define F_REQUIRED	0x1	/* "FIELD: missing" when absent */
#define F_ABSENT	0x2	/* check called when absent: fills a default */

/* The fields, in the order they are checked. */
static const struct field {
	const char	*name;
	check_fn	 check;
	int		 flags;
} fields[] = {
	{ "id",			check_id,		F_REQUIRED },
	{ "name",		check_name,		F_REQUIRED },
	{ "birth_date",		check_birth_date,	F_REQUIRED },
	{ "grade",		check_grade,		0 },
	{ "competencies",	check_competencies,	F_ABSENT },
	{ "goals",		check_goals,		F_ABSENT },
	{ "location",		check_location,		0 },
	{ "max_distance_km",	check_distance,		F_ABSENT },
	{ "modality",		check_modality,		F_ABSENT },
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

/* utf8_valid: well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, extra;
	uint32_t cp, min;

	while (i < n) {
		unsigned char c = s[i];

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

/* A cell of a CSV line: not NUL-terminated. */
struct cell {
	const char	*p;
	size_t		 n;
};

/*
 * cell_number: a JSON number for a numeric cell, else the cell as a
 * string, so that student_parse reports it as "must be a number" in its
 * place in the field order.
 */
static json_t *
cell_number(const struct cell *c)
{
	char tmp[64], *end;
	size_t i;
	double d;
	int integral = 1;

	if (c->n == 0 || c->n >= sizeof(tmp))
		return json_stringn(c->p, c->n);
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
		return json_stringn(c->p, c->n);
	}
	memcpy(tmp, c->p, c->n);
	tmp[c->n] = '\0';
	if (integral && c->n <= 15 && !(c->n == 1 && tmp[0] == '-'))
		return json_integer(strtoll(tmp, NULL, 10));
	errno = 0;
	d = strtod(tmp, &end);
	if (*end != '\0' || end == tmp || errno == ERANGE || !isfinite(d))
		return json_stringn(c->p, c->n);
	return json_real(d);
}

/* cell_list: a ';'-separated cell as an array of strings; NULL: ENOMEM. */
static json_t *
cell_list(const struct cell *c)
{
	json_t *a;
	size_t i, start = 0;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i <= c->n; i++) {
		if (i < c->n && c->p[i] != ';')
			continue;
		if (i > start && json_array_append_new(a,
		    json_stringn(c->p + start, i - start)) != 0) {
			json_decref(a);
			return NULL;
		}
		start = i + 1;
	}
	return a;
}

/* cell_competencies: "id=level;id=level" into *out (an object). */
static int
cell_competencies(const struct cell *c, json_t **out, char *err,
    size_t errlen)
{
	char q[CHK_QUOTE_SIZE], key[COMPETENCY_ID_MAX + 2];
	const char *item, *eq;
	struct cell lv;
	json_t *obj, *n;
	size_t i, start = 0, len, klen;

	if ((obj = json_object()) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i <= c->n; i++) {
		if (i < c->n && c->p[i] != ';')
			continue;
		item = c->p + start;
		len = i - start;
		start = i + 1;
		if (len == 0)
			continue;
		if ((eq = memchr(item, '=', len)) == NULL) {
			chk_errf(err, errlen, "competencies: \"%s\" is not "
			    "id=level", chk_quote(q, item, len));
			goto fail;
		}
		klen = (size_t)(eq - item);
		if (klen == 0 || klen > COMPETENCY_ID_MAX) {
			chk_errf(err, errlen, "competencies: malformed "
			    "competency id \"%s\"", chk_quote(q, item, klen));
			goto fail;
		}
		memcpy(key, item, klen);
		key[klen] = '\0';
		if (json_object_get(obj, key) != NULL) {
			chk_errf(err, errlen, "competencies: duplicate \"%s\"",
			    chk_quote(q, key, klen));
			goto fail;
		}
		lv.p = eq + 1;
		lv.n = len - klen - 1;
		if ((n = cell_number(&lv)) == NULL ||
		    json_object_set_new(obj, key, n) != 0) {
			json_decref(obj);
			return MENTOR_ENOMEM;
		}
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return MENTOR_EINVAL;
}

/* set: obj[key] = v, consuming v; ENOMEM when v is NULL. */
static int
set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

/*
 * csv_row: the student object a line of cells stands for, before
 * validation.  Cell order is that of STUDENT_CSV_HEADER.
 */
static int
csv_row(const struct cell *cells, json_t **out, char *err, size_t errlen)
{
	enum { ID, NAME, BIRTH, GRADE, LAT, LON, DIST, MODALITY, CLUSTERS,
	    OCCUPATIONS, COMPETENCIES };
	json_t *o, *loc = NULL, *goals = NULL, *comp = NULL;
	int rc;

	if ((o = json_object()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = set(o, "id", json_stringn(cells[ID].p, cells[ID].n))) ||
	    (rc = set(o, "name", json_stringn(cells[NAME].p,
	    cells[NAME].n))) ||
	    (rc = set(o, "birth_date", json_stringn(cells[BIRTH].p,
	    cells[BIRTH].n))))
		goto fail;
	if (cells[GRADE].n > 0 &&
	    (rc = set(o, "grade", cell_number(&cells[GRADE]))))
		goto fail;
	if (cells[LAT].n > 0 || cells[LON].n > 0) {
		if ((loc = json_object()) == NULL) {
			rc = MENTOR_ENOMEM;
			goto fail;
		}
		/* One without the other: student_parse says which. */
		if ((cells[LAT].n > 0 &&
		    (rc = set(loc, "lat", cell_number(&cells[LAT])))) ||
		    (cells[LON].n > 0 &&
		    (rc = set(loc, "lon", cell_number(&cells[LON])))))
			goto fail;
		rc = set(o, "location", loc);
		loc = NULL;
		if (rc)
			goto fail;
	}
	if (cells[DIST].n > 0 &&
	    (rc = set(o, "max_distance_km", cell_number(&cells[DIST]))))
		goto fail;
	if (cells[MODALITY].n > 0 &&
	    (rc = set(o, "modality", cell_list(&cells[MODALITY]))))
		goto fail;
	if (cells[CLUSTERS].n > 0 || cells[OCCUPATIONS].n > 0) {
		if ((goals = json_object()) == NULL) {
			rc = MENTOR_ENOMEM;
			goto fail;
		}
		if ((cells[CLUSTERS].n > 0 && (rc = set(goals, "clusters",
		    cell_list(&cells[CLUSTERS])))) ||
		    (cells[OCCUPATIONS].n > 0 && (rc = set(goals,
		    "occupations", cell_list(&cells[OCCUPATIONS])))))
			goto fail;
		rc = set(o, "goals", goals);
		goals = NULL;
		if (rc)
			goto fail;
	}
	if ((rc = cell_competencies(&cells[COMPETENCIES], &comp, err,
	    errlen)) != 0)
		goto fail;
	if ((rc = set(o, "competencies", comp)) != 0)
		goto fail;
	*out = o;
	return 0;
fail:
	json_decref(goals);
	json_decref(loc);
	json_decref(o);
	return rc;
}

/*
 * csv_path: the CSV column for a student_parse message about a nested
 * field: "goals.clusters[0]: ..." is about column clusters,
 * "location.lat: ..." about lat.
 */
static const char *
csv_path(const char *msg)
{
	if (strncmp(msg, "goals.", 6) == 0)
		return msg + 6;
	if (strncmp(msg, "location.", 9) == 0)
		return msg + 9;
	return msg;
}

int
student_parse_csv(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	struct cell cells[CSV_COLUMNS];
	char inner[STUDENT_ERR_MAX];
	const char *p, *end, *nl, *line;
	json_t *arr = NULL, *ids = NULL, *row, *norm, *prev;
	size_t lineno = 0, n, i, ncells, first_empty = 0, count = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	p = buf;
	end = buf + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if ((arr = json_array()) == NULL || (ids = json_object()) == NULL)
		goto nomem;
	while (p < end) {
		lineno++;
		line = p;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - line);
		p = nl < end ? nl + 1 : end;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > STUDENT_CSV_LINE_MAX) {
			chk_errf(err, errlen, "line %zu: longer than %d bytes",
			    lineno, STUDENT_CSV_LINE_MAX);
			rc = MENTOR_ETOOBIG;
			goto fail;
		}
		if (memchr(line, '\0', n) != NULL) {
			rc = chk_errf(err, errlen,
			    "line %zu: contains a NUL byte", lineno);
			goto fail;
		}
		if (!utf8_valid((const unsigned char *)line, n)) {
			rc = chk_errf(err, errlen, "line %zu: not valid UTF-8",
			    lineno);
			goto fail;
		}
		if (lineno == 1) {
			if (n != strlen(STUDENT_CSV_HEADER) ||
			    memcmp(line, STUDENT_CSV_HEADER, n) != 0) {
				rc = chk_errf(err, errlen,
				    "line 1: header must be %s",
				    STUDENT_CSV_HEADER);
				goto fail;
			}
			continue;
		}
		/* Empty lines are only allowed at the end. */
		if (n == 0) {
			if (first_empty == 0)
				first_empty = lineno;
			continue;
		}
		if (first_empty != 0) {
			rc = chk_errf(err, errlen, "line %zu: empty line",
			    first_empty);
			goto fail;
		}
		if (++count > STUDENT_ITEMS_MAX) {
			chk_errf(err, errlen, "line %zu: more than %d students",
			    lineno, STUDENT_ITEMS_MAX);
			rc = MENTOR_ETOOBIG;
			goto fail;
		}
		if (memchr(line, '"', n) != NULL) {
			rc = chk_errf(err, errlen,
			    "line %zu: quoted fields are not supported",
			    lineno);
			goto fail;
		}
		ncells = 0;
		cells[0].p = line;
		for (i = 0; i <= n; i++) {
			if (i < n && line[i] != ',')
				continue;
			if (ncells < CSV_COLUMNS)
				cells[ncells].n = (size_t)(line + i -
				    cells[ncells].p);
			ncells++;
			if (ncells < CSV_COLUMNS)
				cells[ncells].p = line + i + 1;
		}
		if (ncells != CSV_COLUMNS) {
			rc = chk_errf(err, errlen,
			    "line %zu: expected %d fields, found %zu", lineno,
			    CSV_COLUMNS, ncells);
			goto fail;
		}
		row = NULL;
		if ((rc = csv_row(cells, &row, inner, sizeof(inner))) != 0) {
			if (rc == MENTOR_ENOMEM)
				goto nomem;
			chk_errf(err, errlen, "line %zu: %s", lineno, inner);
			goto fail;
		}
		rc = student_parse(row, &norm, inner, sizeof(inner));
		json_decref(row);
		if (rc == MENTOR_ENOMEM)
			goto nomem;
		if (rc != 0) {
			chk_errf(err, errlen, "line %zu: %s", lineno,
			    csv_path(inner));
			goto fail;
		}
		prev = json_object_get(ids, json_string_value(
		    json_object_get(norm, "id")));
		if (prev != NULL) {
			json_decref(norm);
			rc = chk_errf(err, errlen, "line %zu: id: duplicate of "
			    "line %" JSON_INTEGER_FORMAT, lineno,
			    json_integer_value(prev));
			goto fail;
		}
		if (json_object_set_new(ids, json_string_value(
		    json_object_get(norm, "id")),
		    json_integer((json_int_t)lineno)) != 0) {
			json_decref(norm);
			goto nomem;
		}
		if (json_array_append_new(arr, norm) != 0)
			goto nomem;
	}
	if (lineno == 0) {
		rc = chk_errf(err, errlen, "line 1: missing header");
		goto fail;
	}
	json_decref(ids);
	*out = arr;
	return 0;
nomem:
	chk_errf(err, errlen, "out of memory");
	rc = MENTOR_ENOMEM;
fail:
	json_decref(ids);
	json_decref(arr);
	return rc;
}
