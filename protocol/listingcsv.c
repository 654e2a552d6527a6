/*
 * listingcsv.c: the listing CSV template (listingcsv.h), read with the
 * RFC 4180 reader of csv.c; columns are found by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "listingcsv.h"
#include "mentor.h"
#include "util.h"

#define NCOLS		17

enum { C_REF, C_KIND, C_TITLE, C_ORG, C_DESC, C_CLUSTERS, C_OCC, C_REQ,
    C_DEV, C_CAP, C_MOD, C_LAT, C_LON, C_START, C_END, C_MINAGE, C_EXPIRES };

static const char *const cols[NCOLS] = { "ref", "kind", "title",
    "organization", "description", "clusters", "occupations", "requires",
    "develops", "capacity", "modality", "lat", "lon", "start", "end",
    "min_age", "expires" };

struct rd {
	const char	*cell[NCOLS];	/* "" for a column the file lacks */
	size_t		 line;
	char		*err;
	size_t		 errlen;
};

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
			return mentor_errf(r->err, r->errlen, MENTOR_EINVAL,
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
			return mentor_errf(r->err, r->errlen, MENTOR_EINVAL,
			    "line %zu: lat, lon: both numbers, or both empty",
			    r->line);
		}
		json_object_set_new(l, "location", json_pack("{s:f, s:f}",
		    "lat", lat, "lon", lon));
	}
	*out = l;
	return 0;
}

/* column: the template column a header cell names (any case), or -1. */
static int
column(const char *name)
{
	size_t i;

	for (i = 0; i < NCOLS; i++)
		if (strcasecmp(name, cols[i]) == 0)
			return (int)i;
	return -1;
}

int
listing_csv_parse(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	struct csv_reader cr;
	const struct csv_field *f;
	struct rd r;
	json_t *a = NULL, *l = NULL;
	int map[CSV_FIELDS_MAX], have[NCOLS];
	char cerr[CSV_ERR_MAX];
	size_t i, nf, ncols, line, nrows = 0;
	int rc, c;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > LISTING_CSV_MAX)
		return mentor_errf(err, errlen, MENTOR_ETOOBIG, "larger than %u bytes",
		    LISTING_CSV_MAX);
	memset(&r, 0, sizeof(r));
	r.err = err;
	r.errlen = errlen;
	csv_init(&cr, buf, len, ',');
	/* The header names the columns, in any order. */
	if ((rc = csv_next(&cr, &line, &f, &nf, cerr, sizeof(cerr))) <= 0) {
		csv_free(&cr);
		return rc < 0 ? mentor_errf(err, errlen, rc, "line %zu: %s", line,
		    cerr) : mentor_errf(err, errlen, MENTOR_EINVAL, "line 1: header: "
		    "missing (expected the columns " LISTING_CSV_HEADER ")");
	}
	memset(have, 0, sizeof(have));
	for (i = 0; i < nf; i++) {
		if ((c = column(f[i].p)) < 0) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL, "line 1: header: "
			    "unknown column \"%.40s\" (the columns are "
			    LISTING_CSV_HEADER ")", f[i].p);
			goto out;
		}
		if (have[c]++) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL, "line 1: header: "
			    "column %s twice", cols[c]);
			goto out;
		}
		map[i] = c;
	}
	ncols = nf;
	if (!have[C_KIND] || !have[C_TITLE]) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "line 1: header: needs "
		    "at least the columns kind and title (all of them: "
		    LISTING_CSV_HEADER ")");
		goto out;
	}
	if ((a = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	while ((rc = csv_next(&cr, &line, &f, &nf, cerr,
	    sizeof(cerr))) != 0) {
		if (rc < 0) {
			rc = mentor_errf(err, errlen, rc, "line %zu: %s", line, cerr);
			break;
		}
		if (nf == 1 && f[0].n == 0)
			continue;	/* an empty line */
		if (nf != ncols) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL, "line %zu: %zu "
			    "fields, the header has %zu", line, nf, ncols);
			break;
		}
		if (++nrows > LISTING_CSV_ROWS_MAX) {
			rc = mentor_errf(err, errlen, MENTOR_ETOOBIG, "more than %d "
			    "listings", LISTING_CSV_ROWS_MAX);
			break;
		}
		for (i = 0; i < NCOLS; i++)
			r.cell[i] = "";
		for (i = 0; i < nf; i++)
			r.cell[map[i]] = f[i].p;
		r.line = line;
		if ((rc = row(&r, &l)) != 0)
			break;
		json_array_append_new(a, l);
	}
	if (rc == 0 && nrows == 0)
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "no listing after the "
		    "header line");
out:
	csv_free(&cr);
	if (rc != 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}
