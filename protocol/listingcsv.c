/*
 * listingcsv.c: the listing CSV template (listingcsv.h), with a small
 * RFC 4180 field reader.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listingcsv.h"
#include "mentor.h"

#define NCOLS		17
#define CELL_MAX	8192

enum { C_REF, C_KIND, C_TITLE, C_ORG, C_DESC, C_CLUSTERS, C_OCC, C_REQ,
    C_DEV, C_CAP, C_MOD, C_LAT, C_LON, C_START, C_END, C_MINAGE, C_EXPIRES };

static const char *const cols[NCOLS] = { "ref", "kind", "title",
    "organization", "description", "clusters", "occupations", "requires",
    "develops", "capacity", "modality", "lat", "lon", "start", "end",
    "min_age", "expires" };

static int errf(char *, size_t, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static int
errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

struct rd {
	const char	*p, *end;
	size_t		 line;		/* line of the record being read */
	size_t		 next_line;	/* line where the next record starts */
	char		*cell[NCOLS];
	size_t		 ncell;
	char		*err;
	size_t		 errlen;
};

/*
 * record: reads one record into rd->cell (malloc'd strings); 1 with a
 * record, 0 at the end, or an error.  A field may be quoted; a quote
 * inside a quoted field is doubled; a bare quote elsewhere is refused.
 */
static int
record(struct rd *r)
{
	char buf[CELL_MAX + 1];
	size_t n;
	int quoted;

	r->ncell = 0;
	r->line = r->next_line;
	if (r->p >= r->end)
		return 0;
	for (;;) {
		n = 0;
		quoted = 0;
		if (r->p < r->end && *r->p == '"') {
			quoted = 1;
			r->p++;
		}
		for (;;) {
			if (r->p >= r->end) {
				if (quoted)
					return errf(r->err, r->errlen,
					    MENTOR_EINVAL, "line %zu: a quoted "
					    "field is not closed", r->line);
				break;
			}
			if (quoted && *r->p == '"') {
				if (r->p + 1 < r->end && r->p[1] == '"') {
					r->p++;
				} else {
					r->p++;
					quoted = 0;
					if (r->p < r->end && *r->p != ',' &&
					    *r->p != '\n' && *r->p != '\r')
						return errf(r->err, r->errlen,
						    MENTOR_EINVAL, "line %zu: "
						    "text after a closing "
						    "quote", r->next_line);
					continue;
				}
			} else if (!quoted && (*r->p == ',' || *r->p == '\n' ||
			    *r->p == '\r'))
				break;
			else if (!quoted && *r->p == '"')
				return errf(r->err, r->errlen, MENTOR_EINVAL,
				    "line %zu: a quote inside an unquoted "
				    "field (quote the whole field)",
				    r->next_line);
			if (*r->p == '\n')
				r->next_line++;
			if (*r->p == '\0')
				return errf(r->err, r->errlen, MENTOR_EINVAL,
				    "line %zu: a NUL byte", r->next_line);
			if (n == CELL_MAX)
				return errf(r->err, r->errlen, MENTOR_ETOOBIG,
				    "line %zu: a field over %d bytes",
				    r->next_line, CELL_MAX);
			buf[n++] = *r->p++;
		}
		if (r->ncell == NCOLS)
			return errf(r->err, r->errlen, MENTOR_EINVAL,
			    "line %zu: more than %d fields", r->line, NCOLS);
		buf[n] = '\0';
		if ((r->cell[r->ncell++] = strdup(buf)) == NULL)
			return MENTOR_ENOMEM;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '\r')
			r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->next_line++;
		return 1;
	}
}

static void
cells_free(struct rd *r)
{
	size_t i;

	for (i = 0; i < r->ncell; i++)
		free(r->cell[i]);
	r->ncell = 0;
}

static int
integer(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0 ? 0 : -1;
}

static int
real(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 ? 0 : -1;
}

/* list: "a;b;c" as a JSON array of strings (empty items refused). */
static json_t *
list(const char *s)
{
	json_t *a = json_array();
	const char *q;

	while (a != NULL) {
		q = strchr(s, ';');
		if ((q ? (size_t)(q - s) : strlen(s)) == 0 ||
		    json_array_append_new(a, json_stringn(s, q ? (size_t)(q -
		    s) : strlen(s))) != 0) {
			json_decref(a);
			return NULL;
		}
		if (q == NULL)
			break;
		s = q + 1;
	}
	return a;
}

/* items: "id=level;id=level" as [{"competency","level"}]. */
static json_t *
items(const char *s)
{
	json_t *names = list(s), *a, *e;
	const char *t, *eq;
	long long lv;
	size_t i;

	if (names == NULL || (a = json_array()) == NULL) {
		json_decref(names);
		return NULL;
	}
	json_array_foreach(names, i, e) {
		t = json_string_value(e);
		if ((eq = strrchr(t, '=')) == NULL || eq == t ||
		    integer(eq + 1, &lv) != 0 || json_array_append_new(a,
		    json_pack("{s:s%, s:I}", "competency", t, (size_t)(eq - t),
		    "level", (json_int_t)lv)) != 0) {
			json_decref(a);
			a = NULL;
			break;
		}
	}
	json_decref(names);
	return a;
}

static int
row(struct rd *r, json_t **out)
{
	json_t *l = json_object(), *v;
	long long n;
	double lat, lon;
	size_t i;

	if (l == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < NCOLS; i++) {
		const char *c = r->cell[i];

		if (*c == '\0' || i == C_LAT || i == C_LON)
			continue;
		switch (i) {
		case C_CLUSTERS:
		case C_OCC:
			v = list(c);
			break;
		case C_REQ:
		case C_DEV:
			v = items(c);
			break;
		case C_CAP:
		case C_MINAGE:
			v = integer(c, &n) == 0 ? json_integer(n) : NULL;
			break;
		default:
			v = json_string(c);
		}
		if (v == NULL) {
			json_decref(l);
			return errf(r->err, r->errlen, MENTOR_EINVAL,
			    "line %zu: %s: %s", r->line, cols[i],
			    i == C_REQ || i == C_DEV ? "not id=level;id=level" :
			    i == C_CAP || i == C_MINAGE ? "not an integer" :
			    i == C_CLUSTERS || i == C_OCC ? "an empty item in "
			    "the list" : "not valid UTF-8 text");
		}
		json_object_set_new(l, cols[i], v);
	}
	if (*r->cell[C_LAT] != '\0' || *r->cell[C_LON] != '\0') {
		if (real(r->cell[C_LAT], &lat) != 0 ||
		    real(r->cell[C_LON], &lon) != 0) {
			json_decref(l);
			return errf(r->err, r->errlen, MENTOR_EINVAL,
			    "line %zu: lat, lon: both numbers, or both empty",
			    r->line);
		}
		json_object_set_new(l, "location", json_pack("{s:f, s:f}",
		    "lat", lat, "lon", lon));
	}
	*out = l;
	return 0;
}

int
listing_csv_parse(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	struct rd r;
	json_t *a, *l = NULL;
	size_t i, nrows = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > LISTING_CSV_MAX)
		return errf(err, errlen, MENTOR_ETOOBIG, "larger than %u bytes",
		    LISTING_CSV_MAX);
	memset(&r, 0, sizeof(r));
	r.p = buf;
	r.end = buf + len;
	r.next_line = 1;
	r.err = err;
	r.errlen = errlen;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3;
	if ((rc = record(&r)) <= 0) {
		cells_free(&r);
		return rc < 0 ? rc : errf(err, errlen, MENTOR_EINVAL,
		    "line 1: header: missing (expected " LISTING_CSV_HEADER
		    ")");
	}
	for (i = 0; i < NCOLS; i++)
		if (i >= r.ncell || strcmp(r.cell[i], cols[i]) != 0)
			break;
	if (i < NCOLS || r.ncell != NCOLS) {
		cells_free(&r);
		return errf(err, errlen, MENTOR_EINVAL, "line 1: header: "
		    "expected " LISTING_CSV_HEADER);
	}
	cells_free(&r);
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	while ((rc = record(&r)) == 1) {
		if (r.ncell == 1 && r.cell[0][0] == '\0') {
			cells_free(&r);
			continue;	/* an empty line */
		}
		if (r.ncell != NCOLS) {
			rc = errf(err, errlen, MENTOR_EINVAL, "line %zu: %zu "
			    "fields, expected %d", r.line, r.ncell, NCOLS);
			break;
		}
		if (++nrows > LISTING_CSV_ROWS_MAX) {
			rc = errf(err, errlen, MENTOR_ETOOBIG, "more than %d "
			    "listings", LISTING_CSV_ROWS_MAX);
			break;
		}
		if ((rc = row(&r, &l)) != 0)
			break;
		cells_free(&r);
		json_array_append_new(a, l);
	}
	cells_free(&r);
	if (rc == 0 && nrows == 0)
		rc = errf(err, errlen, MENTOR_EINVAL, "no listing after the "
		    "header line");
	if (rc != 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}
