/*
 * resolve.c: lookup tables for the friendly values of rosters (resolve.h).
 * Cluster and element names come from the frameworks (frameworks.h); ZIP
 * codes from zip.tsv (Census ZCTA internal points).  Lookups are binary
 * searches over sorted arrays, so a 100,000-row roster stays fast.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frameworks.h"
#include "mentor.h"
#include "util.h"
#include "resolve.h"

#define ZIP_FILE_MAX	(8u << 20)

struct named {
	char		*key;	/* normalized name or id */
	const char	*id;	/* canonical: points into ids[] or fw */
	int		 rank;	/* 0 a skill; 1 other kinds */
};

struct zipent {
	uint32_t	 zip;
	double		 lat, lon;
};

struct resolve {
	struct frameworks	*fw;
	struct named		*cl;	/* cluster keys: codes and names */
	size_t			 ncl;
	struct named		*el;	/* element keys: names and ids */
	size_t			 nel;
	char			**ids;	/* "onet:ID" strings */
	size_t			 nids;
	struct zipent		*zip;
	size_t			 nzip;
};

/*
 * name_key: s lower-cased with only letters and digits kept ('&' as
 * "and"; bytes over 0x7f kept as they are).  out holds 2 * strlen + 1.
 */
static void
name_key(char *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			*out++ = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80)
			*out++ = (char)c;
		else if (c == '&') {
			memcpy(out, "and", 3);
			out += 3;
		}
	}
	*out = '\0';
}

/* id_key: an element id lower-cased: "2.B.3.h" -> "2.b.3.h". */
static void
id_key(char *out, const char *s)
{
	for (; *s; s++)
		*out++ = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	*out = '\0';
}

static int
named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : x->rank - y->rank;
}

static int
named_add(struct named **a, size_t *n, size_t *cap, const char *key,
    const char *id, int rank)
{
	struct named *na;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((na = realloc(*a, *cap * sizeof(**a))) == NULL)
			return MENTOR_ENOMEM;
		*a = na;
	}
	if (((*a)[*n].key = strdup(key)) == NULL)
		return MENTOR_ENOMEM;
	(*a)[*n].id = id;
	(*a)[*n].rank = rank;
	(*n)++;
	return 0;
}

/*
 * named_find: the id of key.  With several entries (sorted by rank), the
 * first wins when it outranks the second; otherwise the key is ambiguous
 * unless all of them name one id.
 */
static const char *
named_find(const struct named *a, size_t n, const char *key)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(a[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n || strcmp(a[lo].key, key) != 0)
		return NULL;
	if (lo + 1 < n && strcmp(a[lo + 1].key, key) == 0 &&
	    a[lo + 1].rank == a[lo].rank && strcmp(a[lo + 1].id, a[lo].id) != 0)
		return NULL;
	return a[lo].id;
}

static int
read_file(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return MENTOR_EIO;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return MENTOR_EIO;
	}
	if ((size_t)n > max) {
		fclose(f);
		return MENTOR_ETOOBIG;
	}
	if ((*buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return MENTOR_ENOMEM;
	}
	if (fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		free(*buf);
		fclose(f);
		return MENTOR_EIO;
	}
	fclose(f);
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/*
 * split: the tab-separated fields of line (modified in place), at most
 * max; returns their count.  A CR before the line end is dropped.
 */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0, len = strlen(line);

	if (len > 0 && line[len - 1] == '\r')
		line[len - 1] = '\0';
	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

/* col_of: the index of name among the n header fields, -1 if absent. */
static int
col_of(char **f, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(f[i], name) == 0)
			return (int)i;
	return -1;
}

#define TSV_COLS	16

static int
load_clusters(struct resolve *r)
{
	char key[2 * RESOLVE_NAME_MAX + 1];
	const char *code, *name;
	size_t cap = 0;
	int i, rc;

	for (i = 0; i < fw_cluster_count(r->fw); i++) {
		code = fw_cluster_code(r->fw, i);
		name = fw_cluster_name(r->fw, code);
		if (strlen(code) > RESOLVE_NAME_MAX)
			continue;
		name_key(key, code);
		if ((rc = named_add(&r->cl, &r->ncl, &cap, key, code, 0)) != 0)
			return rc;
		if (name == NULL || strlen(name) > RESOLVE_NAME_MAX)
			continue;
		name_key(key, name);
		if ((rc = named_add(&r->cl, &r->ncl, &cap, key, code, 0)) != 0)
			return rc;
	}
	if (r->ncl > 0)
		qsort(r->cl, r->ncl, sizeof(r->cl[0]), named_cmp);
	return 0;
}

/*
 * load_elements: the names and ids of the frameworks' O*NET elements
 * (fw_element_at), keyed for lookups without case or punctuation.
 */
static int
load_elements(struct resolve *r)
{
	char key[2 * RESOLVE_NAME_MAX + 8];
	const struct fw_element *e;
	size_t i, n, cap = 0;
	char **nids;
	int rc, rank;

	n = fw_competency_count(r->fw);
	if (n == 0)
		return 0;
	if ((nids = calloc(n, sizeof(*nids))) == NULL)
		return MENTOR_ENOMEM;
	r->ids = nids;
	for (i = 0; i < n; i++) {
		if ((e = fw_element_at(r->fw, i)) == NULL ||
		    strlen(e->id) > 64 || strlen(e->name) > RESOLVE_NAME_MAX)
			continue;
		if ((r->ids[r->nids] = malloc(strlen(e->id) + 6)) == NULL)
			return MENTOR_ENOMEM;
		snprintf(r->ids[r->nids], strlen(e->id) + 6, "onet:%s", e->id);
		r->nids++;
		rank = e->kind == NULL || strcmp(e->kind, "skill") != 0;
		id_key(key, e->id);
		if ((rc = named_add(&r->el, &r->nel, &cap, key,
		    r->ids[r->nids - 1], 0)) != 0)
			return rc;
		name_key(key, e->name);
		if (key[0] != '\0' && (rc = named_add(&r->el, &r->nel, &cap,
		    key, r->ids[r->nids - 1], rank)) != 0)
			return rc;
	}
	if (r->nel > 0)
		qsort(r->el, r->nel, sizeof(r->el[0]), named_cmp);
	return 0;
}

static int
zip_cmp(const void *a, const void *b)
{
	const struct zipent *x = a, *y = b;

	return x->zip < y->zip ? -1 : x->zip > y->zip;
}

/* parse_zip: exactly 5 digits. */
static int
parse_zip(const char *s, uint32_t *out)
{
	size_t i;

	if (strlen(s) != 5)
		return -1;
	*out = 0;
	for (i = 0; i < 5; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (uint32_t)(s[i] - '0');
	}
	return 0;
}

static int
load_zip(struct resolve *r, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX], *buf = NULL, *line, *next, *f[TSV_COLS], *end;
	size_t len, n, cap = 0, lineno = 0;
	int cz = -1, cla = -1, clo = -1, rc = 0, header = 1;
	struct zipent *nz, e;

	snprintf(path, sizeof(path), "%s/zip.tsv", dir);
	rc = read_file(path, ZIP_FILE_MAX, &buf, &len);
	if (rc == MENTOR_EIO && errno == ENOENT)
		return 0;	/* no table: ZIP codes stay unknown */
	if (rc != 0)
		return mentor_errf(err, errlen, rc, "%s: %s", path,
		    rc == MENTOR_EIO ? strerror(errno) : mentor_strerror(rc));
	for (line = buf; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0' || line[0] == '\r')
			continue;
		n = split(line, f, TSV_COLS);
		if (header) {
			header = 0;
			cz = col_of(f, n, "GEOID");
			cla = col_of(f, n, "INTPTLAT");
			clo = col_of(f, n, "INTPTLONG");
			if (cz < 0 || cla < 0 || clo < 0) {
				rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%s line "
				    "%zu: header must have GEOID, INTPTLAT and "
				    "INTPTLONG", path, lineno);
				goto out;
			}
			continue;
		}
		if ((size_t)cz >= n || (size_t)cla >= n || (size_t)clo >= n ||
		    parse_zip(f[cz], &e.zip) != 0) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%s line %zu: "
			    "not GEOID (5 digits), INTPTLAT, INTPTLONG", path,
			    lineno);
			goto out;
		}
		e.lat = strtod(f[cla], &end);
		if (*end != '\0' || !(e.lat >= -90 && e.lat <= 90)) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%s line %zu: "
			    "INTPTLAT: not a latitude", path, lineno);
			goto out;
		}
		e.lon = strtod(f[clo], &end);
		if (*end != '\0' || !(e.lon >= -180 && e.lon <= 180)) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%s line %zu: "
			    "INTPTLONG: not a longitude", path, lineno);
			goto out;
		}
		if (r->nzip == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((nz = realloc(r->zip, cap * sizeof(*nz))) == NULL) {
				rc = MENTOR_ENOMEM;
				goto out;
			}
			r->zip = nz;
		}
		r->zip[r->nzip++] = e;
	}
	if (r->nzip > 0)
		qsort(r->zip, r->nzip, sizeof(r->zip[0]), zip_cmp);
out:
	free(buf);
	return rc;
}

int
resolve_open(struct resolve **out, const char *dir, char *err, size_t errlen)
{
	struct resolve *r;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MENTOR_ENOMEM;
	if (dir != NULL && dir[0] != '\0') {
		if ((rc = fw_load(&r->fw, dir, err, errlen)) != 0 ||
		    (rc = load_clusters(r)) != 0 ||
		    (rc = load_elements(r)) != 0 ||
		    (rc = load_zip(r, dir, err, errlen)) != 0) {
			resolve_free(r);
			return rc;
		}
	}
	*out = r;
	return 0;
}

void
resolve_free(struct resolve *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ncl; i++)
		free(r->cl[i].key);
	for (i = 0; i < r->nel; i++)
		free(r->el[i].key);
	for (i = 0; i < r->nids; i++)
		free(r->ids[i]);
	free(r->cl);
	free(r->el);
	free(r->ids);
	free(r->zip);
	fw_free(r->fw);
	free(r);
}

const char *
resolve_cluster(const struct resolve *r, const char *s)
{
	char key[2 * RESOLVE_NAME_MAX + 1];

	if (r == NULL || strlen(s) > RESOLVE_NAME_MAX)
		return NULL;
	name_key(key, s);
	return key[0] ? named_find(r->cl, r->ncl, key) : NULL;
}

const char *
resolve_competency(const struct resolve *r, const char *s)
{
	char key[2 * RESOLVE_NAME_MAX + 1];
	const char *id;

	if (r == NULL || strlen(s) > RESOLVE_NAME_MAX)
		return NULL;
	if (strncasecmp(s, "onet:", 5) == 0) {
		id_key(key, s + 5);
		return named_find(r->el, r->nel, key);
	}
	id_key(key, s);
	if ((id = named_find(r->el, r->nel, key)) != NULL)
		return id;
	name_key(key, s);
	return key[0] ? named_find(r->el, r->nel, key) : NULL;
}

int
resolve_zip(const struct resolve *r, const char *zip, double *lat,
    double *lon)
{
	size_t lo = 0, hi, mid;
	uint32_t z;

	if (r == NULL || parse_zip(zip, &z) != 0)
		return MENTOR_ENOTFOUND;
	hi = r->nzip;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->zip[mid].zip < z)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->nzip || r->zip[lo].zip != z)
		return MENTOR_ENOTFOUND;
	*lat = r->zip[lo].lat;
	*lon = r->zip[lo].lon;
	return 0;
}

size_t
resolve_zip_count(const struct resolve *r)
{
	return r ? r->nzip : 0;
}

static const char *
res_cluster(void *arg, const char *s)
{
	return resolve_cluster(arg, s);
}

static const char *
res_competency(void *arg, const char *s)
{
	return resolve_competency(arg, s);
}

static int
res_zip(void *arg, const char *zip, double *lat, double *lon)
{
	return resolve_zip(arg, zip, lat, lon);
}

void
resolve_resolver(const struct resolve *r, struct student_resolver *out)
{
	memset(out, 0, sizeof(*out));
	out->arg = (void *)r;	/* lookups only read it */
	if (r->fw != NULL) {
		out->cluster = res_cluster;
		out->competency = res_competency;
	}
	if (r->nzip > 0)
		out->zip = res_zip;
}
