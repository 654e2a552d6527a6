/*
 * frameworks.c: loads the career-cluster, crosswalk, O*NET element,
 * occupation, alternate-title and level tables (frameworks.h).  Each file
 * is read whole and cut in place; the tables point into those buffers and
 * are searched by bsearch (codes, ids) or scanned (names, titles).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "frameworks.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define FIELDS_MAX	4
#define CODE_MAX	64	/* bytes of a cluster code */
#define NFILES		7
#define QWORDS_MAX	8	/* words of a search query */
#define QWORD_MAX	64	/* bytes of one query word */

/* A row of a keyed table: key and up to three values. */
struct entry {
	const char	*key;
	const char	*v[3];
	size_t		 line;
	size_t		 lvl, nlvl;	/* occupations: their levels */
	struct fw_element el;		/* elements: the public view */
};

struct table {
	struct entry	*e;
	size_t		 n, cap;
};

struct cluster {
	const char	*code;
	const char	*name;
	int		 framework;
	uint32_t	 mask;
	size_t		 line;
	size_t		 sub, nsub;	/* its rows of fw->sub */
};

struct alt {
	uint32_t	 occ;		/* index into fw->occ */
	const char	*title;
};

struct lvrow {
	uint32_t	 occ;
	struct fw_level	 l;
	size_t		 line;
};

struct frameworks {
	char		*buf[NFILES];	/* file contents, cut into strings */
	size_t		 bufsz;
	struct cluster	 cl[FW_CLUSTERS_MAX];
	int		 ncl;
	size_t		 ncross;
	const char	**sub;		/* sub-cluster names by cluster */
	size_t		 nsub;
	struct table	 comp;		/* element id (no "onet:") */
	struct table	 occ;		/* SOC code -> title, description */
	struct alt	*alt;
	size_t		 nalt, altcap;
	char		*altlc;		/* alt titles lower-cased, each
					 * ended by '\n', in alt order */
	size_t		*altoff;	/* alt i starts at altlc + altoff[i] */
	struct lvrow	*lv;
	size_t		 nlv, lvcap;
	struct fw_level	*levels;	/* lv[].l, in occupation order */
	int		 has_levels;
	struct table	 caseit;	/* "case:ID" -> name, code */
	struct table	 alias;		/* exactMatchOf: from -> to */
	char		**strs;		/* copies the two above point to */
	size_t		 nstrs, strcap;
	size_t		 norder;	/* alias insertion order */
	size_t		 ngen;		/* fw_case_add calls */
};

/* The file being parsed, for messages. */
struct src {
	const char	*path;
	char		*p;		/* next unread byte */
	size_t		 line;		/* number of the line last returned */
	char		*err;
	size_t		 errlen;
};

/*
 * read_file: the whole file at path, NUL-terminated, in a new buffer.
 * A NUL byte inside the file is refused, as it would cut a field.
 */
static int
read_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, got;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return mentor_errf(err, errlen, MENTOR_EIO, "%s: %s", path,
		    strerror(errno));
	for (;;) {
		if (len == cap) {
			if (cap == FW_FILE_MAX + 1)
				break;	/* too big: judged below */
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > FW_FILE_MAX + 1)
				cap = FW_FILE_MAX + 1;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				rc = mentor_errf(err, errlen, MENTOR_ENOMEM,
				    "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		if ((got = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += got;
	}
	if (ferror(f)) {
		rc = mentor_errf(err, errlen, MENTOR_EIO, "%s: read error", path);
		goto fail;
	}
	if (len > FW_FILE_MAX) {
		rc = mentor_errf(err, errlen, MENTOR_ETOOBIG,
		    "%s: larger than %u bytes", path, FW_FILE_MAX);
		goto fail;
	}
	if (memchr(buf, '\0', len) != NULL) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%s: holds a NUL byte",
		    path);
		goto fail;
	}
	buf[len] = '\0';
	fclose(f);
	*out = buf;
	return 0;
fail:
	free(buf);
	fclose(f);
	return rc;
}

/*
 * next_row: cuts the next line that is neither blank nor a comment into
 * exactly nf tab-separated fields.  Returns 1 with f[] set, 0 at the end
 * of the file, or MENTOR_EINVAL.
 */
static int
next_row(struct src *s, const char **f, size_t nf)
{
	char *line, *end, *p;
	size_t i, n;

	for (;;) {
		if (*s->p == '\0')
			return 0;
		line = s->p;
		if ((end = strchr(line, '\n')) != NULL) {
			*end = '\0';
			s->p = end + 1;
		} else
			s->p = line + strlen(line);
		s->line++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		break;
	}
	for (i = 0, p = line; i < nf; i++) {
		f[i] = p;
		if ((end = strchr(p, '\t')) == NULL) {
			if (i + 1 != nf)
				return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
				    "%s line %zu: %zu fields, expected %zu",
				    s->path, s->line, i + 1, nf);
			break;
		}
		if (i + 1 == nf)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: more than %zu fields", s->path,
			    s->line, nf);
		*end = '\0';
		p = end + 1;
	}
	for (i = 0; i < nf; i++) {
		if (f[i][0] == '\0')
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: field %zu is empty", s->path,
			    s->line, i + 1);
		for (p = (char *)f[i]; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
				    "%s line %zu: control character in "
				    "field %zu", s->path, s->line, i + 1);
	}
	return 1;
}

/* header: the first row must be exactly the names in want. */
static int
header(struct src *s, const char *const *want, size_t nf)
{
	const char *f[FIELDS_MAX];
	size_t i;
	int rc;

	if ((rc = next_row(s, f, nf)) < 0)
		return rc;
	if (rc == 0)
		return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
		    "%s: no header line", s->path);
	for (i = 0; i < nf; i++)
		if (strcmp(f[i], want[i]) != 0)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: header field %zu is \"%.40s\", "
			    "expected \"%s\"", s->path, s->line, i + 1, f[i],
			    want[i]);
	return 0;
}

static int
table_add(struct table *t, const char *key, const char *v0, const char *v1,
    const char *v2, size_t line)
{
	struct entry *ne;
	size_t ncap;

	if (t->n == t->cap) {
		ncap = t->cap == 0 ? 256 : t->cap * 2;
		if ((ne = realloc(t->e, ncap * sizeof(*ne))) == NULL)
			return MENTOR_ENOMEM;
		t->e = ne;
		t->cap = ncap;
	}
	memset(&t->e[t->n], 0, sizeof(t->e[0]));
	t->e[t->n].key = key;
	t->e[t->n].v[0] = v0;
	t->e[t->n].v[1] = v1;
	t->e[t->n].v[2] = v2;
	t->e[t->n].line = line;
	t->n++;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* table_sort: sorts t by key and refuses a key that appears twice. */
static int
table_sort(struct table *t, const char *path, const char *what, char *err,
    size_t errlen)
{
	size_t i;

	if (t->n > 1)
		qsort(t->e, t->n, sizeof(t->e[0]), entry_cmp);
	for (i = 1; i < t->n; i++)
		if (strcmp(t->e[i - 1].key, t->e[i].key) == 0)
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "%s line %zu: %s: duplicate \"%s\" (first on "
			    "line %zu)", path, t->e[i].line, what,
			    t->e[i].key, t->e[i - 1].line);
	return 0;
}

static int
key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entry *)elem)->key);
}

static const struct entry *
table_get(const struct table *t, const char *key)
{
	if (key == NULL || t->n == 0)
		return NULL;
	return bsearch(key, t->e, t->n, sizeof(t->e[0]), key_cmp);
}

static int
cluster_find(const struct frameworks *fw, const char *code)
{
	int i;

	if (fw == NULL || code == NULL)
		return -1;
	for (i = 0; i < fw->ncl; i++)
		if (strcmp(fw->cl[i].code, code) == 0)
			return i;
	return -1;
}

static int
cluster_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return i > 0 && i <= CODE_MAX;
}

/* A SOC code "NN-NNNN" or an O*NET-SOC code "NN-NNNN.NN". */
static int
soc_code_ok(const char *s)
{
	static const char pat[] = "NN-NNNN.NN";
	size_t i, n = strlen(s);

	if (n != 7 && n != 10)
		return 0;
	for (i = 0; i < n; i++) {
		if (pat[i] == 'N' ? !(s[i] >= '0' && s[i] <= '9') :
		    s[i] != pat[i])
			return 0;
	}
	return 1;
}

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 256 : *cap * 2;
	if ((np = realloc(*p, ncap * size)) == NULL)
		return MENTOR_ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
oom(struct src *s)
{
	return mentor_errf(s->err, s->errlen, MENTOR_ENOMEM, "%s: out of memory",
	    s->path);
}

static int
load_clusters(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "code", "framework", "name" };
	const char *f[3];
	struct cluster *c;
	int rc, i;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 3)) == 1) {
		if (!cluster_code_ok(f[0]))
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: not a cluster code "
			    "([a-z0-9-], at most %d bytes)", s->path, s->line,
			    CODE_MAX);
		if ((i = cluster_find(fw, f[0])) >= 0)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: duplicate \"%s\" (first on "
			    "line %zu)", s->path, s->line, f[0],
			    fw->cl[i].line);
		if (strcmp(f[1], "16") != 0 && strcmp(f[1], "14") != 0)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: framework: must be 16 or 14",
			    s->path, s->line);
		if (fw->ncl == FW_CLUSTERS_MAX)
			return mentor_errf(s->err, s->errlen, MENTOR_ETOOBIG,
			    "%s line %zu: more than %d clusters", s->path,
			    s->line, FW_CLUSTERS_MAX);
		c = &fw->cl[fw->ncl];
		c->code = f[0];
		c->framework = f[1][1] == '6' ? 16 : 14;
		c->name = f[2];
		c->line = s->line;
		c->mask = UINT32_C(1) << fw->ncl;
		fw->ncl++;
	}
	return rc;
}

static int
load_crosswalk(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "code16", "code14" };
	const char *f[2];
	int rc, a, b;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 2)) == 1) {
		a = cluster_find(fw, f[0]);
		if (a < 0 || fw->cl[a].framework != 16)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code16: \"%.64s\" is not a "
			    "16-cluster code of clusters.tsv", s->path,
			    s->line, f[0]);
		b = cluster_find(fw, f[1]);
		if (b < 0 || fw->cl[b].framework != 14)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code14: \"%.64s\" is not a "
			    "2024 (14-cluster) code of clusters.tsv", s->path,
			    s->line, f[1]);
		if (fw->cl[a].mask & (UINT32_C(1) << b))
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: duplicate pair", s->path, s->line);
		fw->cl[a].mask |= UINT32_C(1) << b;
		fw->cl[b].mask |= UINT32_C(1) << a;
		fw->ncross++;
	}
	return rc;
}

static int
load_elements(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "id", "name", "kind",
	    "description" };
	char id[COMPETENCY_ID_MAX + 8];
	const char *f[4];
	struct entry *e;
	size_t i;
	int rc;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 4)) == 1) {
		snprintf(id, sizeof(id), "onet:%.*s", COMPETENCY_ID_MAX, f[0]);
		if (strlen(f[0]) > COMPETENCY_ID_MAX || !competency_id_valid(id))
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: id: not an O*NET element id "
			    "(\"2.A.1.a\")", s->path, s->line);
		if (strcmp(f[2], "skill") != 0 &&
		    strcmp(f[2], "knowledge") != 0 &&
		    strcmp(f[2], "ability") != 0)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: kind: must be skill, knowledge or "
			    "ability", s->path, s->line);
		if (table_add(&fw->comp, f[0], f[1], f[2], f[3], s->line) != 0)
			return oom(s);
	}
	if (rc < 0)
		return rc;
	if ((rc = table_sort(&fw->comp, s->path, "id", s->err,
	    s->errlen)) != 0)
		return rc;
	for (i = 0; i < fw->comp.n; i++) {
		e = &fw->comp.e[i];
		e->el.id = e->key;
		e->el.name = e->v[0];
		e->el.kind = e->v[1];
		e->el.description = e->v[2];
	}
	return 0;
}

static int
load_soc(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "code", "title", "description" };
	const char *f[3];
	int rc;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 3)) == 1) {
		if (!soc_code_ok(f[0]))
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: not NN-NNNN or NN-NNNN.NN",
			    s->path, s->line);
		if (fw->occ.n >= UINT32_MAX)
			return mentor_errf(s->err, s->errlen, MENTOR_ETOOBIG,
			    "%s line %zu: too many rows", s->path, s->line);
		if (table_add(&fw->occ, f[0], f[1], f[2], NULL, s->line) != 0)
			return oom(s);
	}
	if (rc < 0)
		return rc;
	return table_sort(&fw->occ, s->path, "code", s->err, s->errlen);
}

static int
load_subclusters(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "cluster", "name" };
	const char *f[2];
	const char **tmp = NULL;
	int *owner = NULL, rc, i;
	size_t n = 0, cap = 0, ocap = 0, j, k;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 2)) == 1) {
		if ((i = cluster_find(fw, f[0])) < 0) {
			rc = mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: cluster: \"%.64s\" is not a code of "
			    "clusters.tsv", s->path, s->line, f[0]);
			goto fail;
		}
		for (j = 0; j < n; j++)
			if (owner[j] == i && strcmp(tmp[j], f[1]) == 0) {
				rc = mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
				    "%s line %zu: name: duplicate \"%.64s\"",
				    s->path, s->line, f[1]);
				goto fail;
			}
		if (grow((void **)&tmp, &cap, n, sizeof(*tmp)) != 0 ||
		    grow((void **)&owner, &ocap, n, sizeof(*owner)) != 0) {
			rc = oom(s);
			goto fail;
		}
		tmp[n] = f[1];
		owner[n] = i;
		n++;
	}
	if (rc < 0)
		goto fail;
	/* Group by cluster, keeping file order within each. */
	if ((fw->sub = calloc(n + 1, sizeof(*fw->sub))) == NULL) {
		rc = oom(s);
		goto fail;
	}
	for (i = 0, k = 0; i < fw->ncl; i++) {
		fw->cl[i].sub = k;
		for (j = 0; j < n; j++)
			if (owner[j] == i)
				fw->sub[k++] = tmp[j];
		fw->cl[i].nsub = k - fw->cl[i].sub;
	}
	fw->nsub = n;
	rc = 0;
fail:
	free(tmp);
	free(owner);
	return rc;
}

static int
alt_cmp(const void *a, const void *b)
{
	const struct alt *x = a, *y = b;

	return x->occ < y->occ ? -1 : x->occ > y->occ;
}

/*
 * alt_index: one lower-cased text of every alternate title, so that a
 * search can find candidates with strstr instead of scoring every title.
 */
static int
alt_index(struct frameworks *fw, struct src *s)
{
	size_t i, k, len, total = 0;
	const char *t;

	for (i = 0; i < fw->nalt; i++)
		total += strlen(fw->alt[i].title) + 1;
	if ((fw->altlc = malloc(total + 1)) == NULL ||
	    (fw->altoff = calloc(fw->nalt + 1, sizeof(*fw->altoff))) == NULL)
		return oom(s);
	for (i = 0, k = 0; i < fw->nalt; i++) {
		fw->altoff[i] = k;
		for (t = fw->alt[i].title, len = 0; t[len] != '\0'; len++)
			fw->altlc[k++] = (char)((t[len] >= 'A' && t[len] <= 'Z') ?
			    t[len] + 'a' - 'A' : t[len]);
		fw->altlc[k++] = '\n';
	}
	fw->altoff[fw->nalt] = k;
	fw->altlc[k] = '\0';
	fw->bufsz += total + 1 + (fw->nalt + 1) * sizeof(*fw->altoff);
	return 0;
}

static int
load_alt(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "code", "title" };
	const struct entry *e;
	const char *f[2];
	int rc;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 2)) == 1) {
		if ((e = table_get(&fw->occ, f[0])) == NULL)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: \"%.16s\" is not in soc.tsv",
			    s->path, s->line, f[0]);
		if (grow((void **)&fw->alt, &fw->altcap, fw->nalt,
		    sizeof(*fw->alt)) != 0)
			return oom(s);
		fw->alt[fw->nalt].occ = (uint32_t)(e - fw->occ.e);
		fw->alt[fw->nalt].title = f[1];
		fw->nalt++;
	}
	if (rc < 0)
		return rc;
	/* Stable enough: equal keys keep no meaning beyond the occupation. */
	if (fw->nalt > 1)
		qsort(fw->alt, fw->nalt, sizeof(*fw->alt), alt_cmp);
	return alt_index(fw, s);
}

/* rating: "-" (absent: -1) or a decimal number in [lo, hi]. */
static int
rating(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (strcmp(s, "-") == 0) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int
lv_cmp(const void *a, const void *b)
{
	const struct lvrow *x = a, *y = b;
	int c;

	if (x->occ != y->occ)
		return x->occ < y->occ ? -1 : 1;
	if ((c = strcmp(x->l.element->id, y->l.element->id)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
load_levels(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "code", "element", "im", "lv" };
	const struct entry *o, *e;
	struct lvrow *r;
	const char *f[4];
	size_t i, j;
	int rc;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 4)) == 1) {
		if ((o = table_get(&fw->occ, f[0])) == NULL)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: \"%.16s\" is not in soc.tsv",
			    s->path, s->line, f[0]);
		if ((e = table_get(&fw->comp, f[1])) == NULL)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: element: \"%.32s\" is not in "
			    "onet-elements.tsv", s->path, s->line, f[1]);
		if (grow((void **)&fw->lv, &fw->lvcap, fw->nlv,
		    sizeof(*fw->lv)) != 0)
			return oom(s);
		r = &fw->lv[fw->nlv];
		r->occ = (uint32_t)(o - fw->occ.e);
		r->l.element = &e->el;
		r->line = s->line;
		if (rating(f[2], 1, 5, &r->l.im) != 0)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: im: must be 1 to 5 or \"-\"",
			    s->path, s->line);
		if (rating(f[3], 0, 7, &r->l.lv) != 0)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: lv: must be 0 to 7 or \"-\"",
			    s->path, s->line);
		fw->nlv++;
	}
	if (rc < 0)
		return rc;
	if (fw->nlv > 1)
		qsort(fw->lv, fw->nlv, sizeof(*fw->lv), lv_cmp);
	for (i = 1; i < fw->nlv; i++)
		if (lv_cmp(&fw->lv[i - 1], &fw->lv[i]) != 0 &&
		    fw->lv[i - 1].occ == fw->lv[i].occ &&
		    fw->lv[i - 1].l.element == fw->lv[i].l.element)
			return mentor_errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: duplicate occupation and element "
			    "(first on line %zu)", s->path, fw->lv[i].line,
			    fw->lv[i - 1].line);
	if ((fw->levels = calloc(fw->nlv + 1, sizeof(*fw->levels))) == NULL)
		return oom(s);
	for (i = 0; i < fw->nlv; i = j) {
		fw->occ.e[fw->lv[i].occ].lvl = i;
		for (j = i; j < fw->nlv && fw->lv[j].occ == fw->lv[i].occ; j++)
			fw->levels[j] = fw->lv[j].l;
		fw->occ.e[fw->lv[i].occ].nlvl = j - i;
	}
	fw->has_levels = 1;
	return 0;
}

/* In load order: later files refer to earlier ones. */
static const struct {
	const char	*name;
	int		(*load)(struct frameworks *, struct src *);
	int		 optional;
} files[NFILES] = {
	{ "clusters.tsv",	load_clusters,		0 },
	{ "crosswalk.tsv",	load_crosswalk,		0 },
	{ "onet-elements.tsv",	load_elements,		0 },
	{ "soc.tsv",		load_soc,		0 },
	{ "subclusters.tsv",	load_subclusters,	1 },
	{ "alt-titles.tsv",	load_alt,		1 },
	{ "onet-levels.tsv",	load_levels,		1 },
};

int
fw_load(struct frameworks **out, const char *dir, char *err, size_t errlen)
{
	struct frameworks *fw;
	struct src s;
	char path[4096];
	size_t i;
	int rc, n;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || dir == NULL)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "fw_load: no directory");
	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return mentor_errf(err, errlen, MENTOR_ENOMEM, "out of memory");
	for (i = 0; i < NELEM(files); i++) {
		n = snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = mentor_errf(err, errlen, MENTOR_EINVAL,
			    "%s: path too long", files[i].name);
			goto fail;
		}
		if (files[i].optional && access(path, F_OK) != 0 &&
		    errno == ENOENT)
			continue;
		if ((rc = read_file(path, &fw->buf[i], err, errlen)) != 0)
			goto fail;
		fw->bufsz += strlen(fw->buf[i]) + 1;
		memset(&s, 0, sizeof(s));
		s.path = path;
		s.p = fw->buf[i];
		s.err = err;
		s.errlen = errlen;
		if ((rc = files[i].load(fw, &s)) != 0)
			goto fail;
	}
	*out = fw;
	return 0;
fail:
	fw_free(fw);
	return rc;
}

void
fw_free(struct frameworks *fw)
{
	size_t i;

	if (fw == NULL)
		return;
	for (i = 0; i < NELEM(fw->buf); i++)
		free(fw->buf[i]);
	free(fw->comp.e);
	free(fw->occ.e);
	free(fw->sub);
	free(fw->alt);
	free(fw->altlc);
	free(fw->altoff);
	free(fw->lv);
	free(fw->levels);
	free(fw->caseit.e);
	free(fw->alias.e);
	for (i = 0; i < fw->nstrs; i++)
		free(fw->strs[i]);
	free(fw->strs);
	free(fw);
}

/* keep: a copy of s that lives as long as fw; NULL when out of memory. */
static const char *
keep(struct frameworks *fw, const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	if (grow((void **)&fw->strs, &fw->strcap, fw->nstrs,
	    sizeof(*fw->strs)) != 0 || (c = strdup(s)) == NULL)
		return NULL;
	fw->strs[fw->nstrs++] = c;
	return c;
}

int
fw_case_add(struct frameworks *fw, const json_t *framework, char *err,
    size_t errlen)
{
	const json_t *items, *exact, *it, *pair;
	const char *id, *name, *code, *from, *to;
	size_t i, j, gen;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	items = json_object_get(framework, "items");
	exact = json_object_get(framework, "exact");
	if (fw == NULL || !json_is_array(items) || !json_is_array(exact))
		return mentor_errf(err, errlen, MENTOR_EINVAL, "not a framework "
		    "object");
	json_array_foreach(items, i, it) {
		id = json_string_value(json_object_get(it, "id"));
		name = json_string_value(json_object_get(it, "name"));
		if (id == NULL || name == NULL || strncmp(id, "case:", 5) != 0)
			return mentor_errf(err, errlen, MENTOR_EINVAL, "items[%zu]: "
			    "not a CASE item", i);
	}
	json_array_foreach(exact, i, pair) {
		if (json_string_value(json_array_get(pair, 0)) == NULL ||
		    json_string_value(json_array_get(pair, 1)) == NULL)
			return mentor_errf(err, errlen, MENTOR_EINVAL, "exact[%zu]: "
			    "not a pair of ids", i);
	}
	gen = ++fw->ngen;
	json_array_foreach(items, i, it) {
		code = json_string_value(json_object_get(it, "code"));
		if ((id = keep(fw, json_string_value(json_object_get(it,
		    "id")))) == NULL || (name = keep(fw, json_string_value(
		    json_object_get(it, "name")))) == NULL ||
		    (code != NULL && (code = keep(fw, code)) == NULL) ||
		    table_add(&fw->caseit, id, name, code, NULL,
		    (gen << 32) + i + 1) != 0) {
			rc = mentor_errf(err, errlen, MENTOR_ENOMEM, "out of memory");
			goto undo;
		}
	}
	if ((rc = table_sort(&fw->caseit, "CASE items", "id", err,
	    errlen)) != 0)
		goto undo;
	json_array_foreach(exact, i, pair) {
		from = keep(fw, json_string_value(json_array_get(pair, 0)));
		to = keep(fw, json_string_value(json_array_get(pair, 1)));
		/* An O*NET target sorts first: it is the one kept. */
		if (from == NULL || to == NULL || table_add(&fw->alias, from,
		    to, NULL, NULL, (strncmp(to, "onet:", 5) == 0 ? 0 :
		    (size_t)1 << 40) + ++fw->norder) != 0)
			return mentor_errf(err, errlen, MENTOR_ENOMEM, "out of memory");
	}
	if (fw->alias.n > 1)
		qsort(fw->alias.e, fw->alias.n, sizeof(fw->alias.e[0]),
		    entry_cmp);
	for (i = 0, j = 0; i < fw->alias.n; i++)
		if (j == 0 || strcmp(fw->alias.e[j - 1].key,
		    fw->alias.e[i].key) != 0)
			fw->alias.e[j++] = fw->alias.e[i];
	fw->alias.n = j;
	return 0;
undo:
	/* Take this object's items out again: the table stays usable. */
	for (i = 0, j = 0; i < fw->caseit.n; i++)
		if (fw->caseit.e[i].line >> 32 != gen)
			fw->caseit.e[j++] = fw->caseit.e[i];
	fw->caseit.n = j;
	if (j > 1)
		qsort(fw->caseit.e, j, sizeof(fw->caseit.e[0]), entry_cmp);
	return rc;
}

const char *
fw_canonical(const struct frameworks *fw, const char *id)
{
	const struct entry *e;
	int hops;

	if (fw == NULL || id == NULL)
		return id;
	for (hops = 0; hops < 8; hops++) {
		if ((e = table_get(&fw->alias, id)) == NULL)
			break;
		id = e->v[0];
	}
	return id;
}

size_t
fw_case_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->caseit.n;
}

size_t
fw_alias_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->alias.n;
}

const struct fw_element *
fw_element(const struct frameworks *fw, const char *id)
{
	const struct entry *e;

	if (fw == NULL || id == NULL || strncmp(id, "onet:", 5) != 0)
		return NULL;
	return (e = table_get(&fw->comp, id + 5)) != NULL ? &e->el : NULL;
}

const char *
fw_competency_name(const struct frameworks *fw, const char *id)
{
	const struct fw_element *el;
	const struct entry *e;

	if (fw != NULL && id != NULL && strncmp(id, "case:", 5) == 0)
		return (e = table_get(&fw->caseit, id)) != NULL ? e->v[0] :
		    NULL;
	el = fw_element(fw, id);
	return el != NULL ? el->name : NULL;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* Equal in any (ASCII) case, "&" being the same as "and". */
static int
same_name(const char *a, const char *b)
{
	for (;;) {
		if (*a == '&' && strncmp(b, "and", 3) == 0 && b[3] != '\0') {
			a++;
			b += 3;
			continue;
		}
		if (*b == '&' && strncmp(a, "and", 3) == 0 && a[3] != '\0') {
			a += 3;
			b++;
			continue;
		}
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

const struct fw_element *
fw_element_lookup(const struct frameworks *fw, const char *s)
{
	const struct entry *e;
	size_t i;

	if (fw == NULL || s == NULL)
		return NULL;
	if (strncmp(s, "onet:", 5) == 0)
		s += 5;
	if ((e = table_get(&fw->comp, s)) != NULL)
		return &e->el;
	for (i = 0; i < fw->comp.n; i++)
		if (same_name(fw->comp.e[i].el.name, s))
			return &fw->comp.e[i].el;
	return NULL;
}

const struct fw_element *
fw_element_at(const struct frameworks *fw, size_t i)
{
	if (fw == NULL || i >= fw->comp.n)
		return NULL;
	return &fw->comp.e[i].el;
}

/* occ_find: the row of code, else of its detailed SOC occupation. */
static const struct entry *
occ_find(const struct frameworks *fw, const char *code)
{
	const struct entry *e;
	char alt[11];
	size_t n;

	if (fw == NULL || code == NULL)
		return NULL;
	if ((e = table_get(&fw->occ, code)) != NULL)
		return e;
	n = strlen(code);
	if ((n != 10 && n != 7) || !soc_code_ok(code))
		return NULL;
	memcpy(alt, code, 7);
	alt[7] = '\0';
	if ((e = table_get(&fw->occ, alt)) != NULL)
		return e;
	memcpy(alt + 7, ".00", 4);
	return table_get(&fw->occ, alt);
}

const char *
fw_occupation_title(const struct frameworks *fw, const char *code)
{
	const struct entry *e = occ_find(fw, code);

	return e != NULL ? e->v[0] : NULL;
}

const char *
fw_occupation_description(const struct frameworks *fw, const char *code)
{
	const struct entry *e = occ_find(fw, code);

	return e != NULL ? e->v[1] : NULL;
}

/* The words of a query, lower-cased. */
struct query {
	char	w[QWORDS_MAX][QWORD_MAX];
	size_t	len[QWORDS_MAX];
	size_t	n;
	char	whole[QWORDS_MAX * QWORD_MAX];	/* words joined by ' ' */
};

static int
wordch(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

static void
query_parse(struct query *q, const char *s)
{
	size_t k, off = 0;

	memset(q, 0, sizeof(*q));
	while (*s != '\0' && q->n < QWORDS_MAX) {
		while (*s != '\0' && !wordch((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		for (k = 0; wordch((unsigned char)*s); s++)
			if (k + 1 < QWORD_MAX)
				q->w[q->n][k++] = (char)lower((unsigned char)*s);
		q->len[q->n] = k;
		if (off > 0)
			q->whole[off++] = ' ';
		memcpy(q->whole + off, q->w[q->n], k);
		off += k;
		q->n++;
	}
}

/*
 * title_score: 0 unless every query word starts a word of t; then 3 when
 * t's words are exactly the query's, 2 when the first query word starts
 * t, 1 otherwise.
 */
static int
title_score(const struct query *q, const char *t)
{
	const char *p, *first = NULL;
	size_t i, k, nw = 0, exact = 1;
	unsigned found = 0;

	for (p = t; *p != '\0';) {
		while (*p != '\0' && !wordch((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (first == NULL)
			first = p;
		for (i = 0; i < q->n; i++) {
			for (k = 0; k < q->len[i] && p[k] != '\0' &&
			    lower((unsigned char)p[k]) == q->w[i][k]; k++)
				;
			if (k == q->len[i])
				found |= 1u << i;
		}
		for (k = 0; wordch((unsigned char)p[k]); k++)
			;
		if (nw >= q->n || k != q->len[nw] ||
		    (found & (1u << nw)) == 0)
			exact = 0;
		nw++;
		p += k;
	}
	if (found != (1u << q->n) - 1)
		return 0;
	if (exact && nw == q->n)
		return 3;
	if (first != NULL && strncasecmp(first, q->w[0], q->len[0]) == 0)
		return 2;
	return 1;
}

struct cand {
	int		 score;
	const char	*matched;
};

/* hit_better: a ranks before b. */
static int
hit_better(const struct fw_hit *a, const struct fw_hit *b)
{
	size_t la, lb;

	if (a->score != b->score)
		return a->score > b->score;
	la = strlen(a->matched != NULL ? a->matched : a->title);
	lb = strlen(b->matched != NULL ? b->matched : b->title);
	if (la != lb)
		return la < lb;
	return strcmp(a->code, b->code) < 0;
}

size_t
fw_occupation_search(const struct frameworks *fw, const char *query,
    struct fw_hit *hits, size_t max)
{
	struct query q;
	struct cand *c;
	struct fw_hit h;
	size_t i, j, n = 0, qlen, lo, hi, mid;
	const char *p;
	int sc;

	if (fw == NULL || query == NULL || hits == NULL || max == 0 ||
	    fw->occ.n == 0)
		return 0;
	if (max > FW_SEARCH_MAX)
		max = FW_SEARCH_MAX;
	query_parse(&q, query);
	qlen = strlen(query);
	if (q.n == 0)
		return 0;
	if ((c = calloc(fw->occ.n, sizeof(*c))) == NULL)
		return 0;
	for (i = 0; i < fw->occ.n; i++) {
		if (qlen >= 2 && strncmp(fw->occ.e[i].key, query, qlen) == 0)
			c[i].score = 8;
		else if ((sc = title_score(&q, fw->occ.e[i].v[0])) > 0)
			c[i].score = sc * 2 + 1;
	}
	/* Only the titles that hold the first word can match. */
	for (p = fw->altlc; p != NULL && (p = strstr(p, q.w[0])) != NULL;) {
		lo = 0;
		hi = fw->nalt;
		while (hi - lo > 1) {		/* the alt holding p */
			mid = lo + (hi - lo) / 2;
			if (fw->altoff[mid] <= (size_t)(p - fw->altlc))
				lo = mid;
			else
				hi = mid;
		}
		i = lo;
		p = fw->altlc + fw->altoff[i + 1];
		j = fw->alt[i].occ;
		if ((sc = title_score(&q, fw->alt[i].title)) > 0 &&
		    sc * 2 > c[j].score) {
			c[j].score = sc * 2;
			c[j].matched = fw->alt[i].title;
		}
	}
	for (i = 0; i < fw->occ.n; i++) {
		if (c[i].score == 0)
			continue;
		h.code = fw->occ.e[i].key;
		h.title = fw->occ.e[i].v[0];
		h.matched = c[i].matched;
		h.score = c[i].score;
		if (n == max && !hit_better(&h, &hits[n - 1]))
			continue;
		j = n < max ? n++ : n - 1;
		for (; j > 0 && hit_better(&h, &hits[j - 1]); j--)
			hits[j] = hits[j - 1];
		hits[j] = h;
	}
	free(c);
	return n;
}

int
fw_has_levels(const struct frameworks *fw)
{
	return fw != NULL && fw->has_levels;
}

size_t
fw_occupation_levels(const struct frameworks *fw, const char *code,
    const struct fw_level **out)
{
	const struct entry *e;

	if (out != NULL)
		*out = NULL;
	if (!fw_has_levels(fw) || out == NULL ||
	    (e = table_get(&fw->occ, code)) == NULL || e->nlvl == 0)
		return 0;
	*out = &fw->levels[e->lvl];
	return e->nlvl;
}

int
fw_lv_level(double lv)
{
	double v;

	if (!(lv > 0))
		return 0;
	v = floor(lv * 4.0 / 7.0 + 0.5);
	return v > 4 ? 4 : (int)v;
}

/* Two decimals, as O*NET publishes them. */
static json_t *
rating_json(double v)
{
	return v < 0 ? json_null() : json_real(floor(v * 100 + 0.5) / 100);
}

json_t *
fw_occupation_json(const struct frameworks *fw, const char *code)
{
	const struct entry *e;
	const struct fw_level *lv;
	json_t *o, *alts, *levels, *l;
	char id[COMPETENCY_ID_MAX + 8];
	size_t i, n;
	uint32_t oi;

	if (fw == NULL || code == NULL ||
	    (e = table_get(&fw->occ, code)) == NULL)
		return NULL;
	oi = (uint32_t)(e - fw->occ.e);
	if ((o = json_pack("{s:s, s:s, s:s}", "code", e->key, "title",
	    e->v[0], "description", e->v[1])) == NULL)
		return NULL;
	if ((alts = json_array()) == NULL ||
	    json_object_set_new(o, "alternate_titles", alts) != 0)
		goto fail;
	for (i = 0; i < fw->nalt; i++)
		if (fw->alt[i].occ == oi &&
		    json_array_append_new(alts,
		    json_string(fw->alt[i].title)) != 0)
			goto fail;
	if (!fw->has_levels || e->nlvl == 0) {
		if (json_object_set_new(o, "levels", json_null()) != 0)
			goto fail;
		return o;
	}
	if ((levels = json_array()) == NULL ||
	    json_object_set_new(o, "levels", levels) != 0)
		goto fail;
	n = fw_occupation_levels(fw, code, &lv);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "onet:%s", lv[i].element->id);
		l = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
		    "competency", id, "name", lv[i].element->name,
		    "kind", lv[i].element->kind, "im", rating_json(lv[i].im),
		    "lv", rating_json(lv[i].lv), "level", lv[i].lv < 0 ?
		    json_null() : json_integer(fw_lv_level(lv[i].lv)));
		if (l == NULL || json_array_append_new(levels, l) != 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *
fw_search_json(const struct frameworks *fw, const char *query, size_t max)
{
	struct fw_hit hits[FW_SEARCH_MAX];
	json_t *a, *h;
	size_t i, n;

	if ((a = json_array()) == NULL)
		return NULL;
	n = fw_occupation_search(fw, query, hits, max);
	for (i = 0; i < n; i++) {
		h = json_pack("{s:s, s:s}", "code", hits[i].code, "title",
		    hits[i].title);
		if (h == NULL || (hits[i].matched != NULL &&
		    json_object_set_new(h, "matched",
		    json_string(hits[i].matched)) != 0) ||
		    json_array_append_new(a, h) != 0) {
			json_decref(h);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

const char *
fw_cluster_name(const struct frameworks *fw, const char *code)
{
	int i = cluster_find(fw, code);

	return i < 0 ? NULL : fw->cl[i].name;
}

int
fw_cluster_index(const struct frameworks *fw, const char *code)
{
	return cluster_find(fw, code);
}

int
fw_cluster_lookup(const struct frameworks *fw, const char *s)
{
	int i;

	if (fw == NULL || s == NULL)
		return -1;
	for (i = 0; i < fw->ncl; i++)
		if (same_name(fw->cl[i].code, s) ||
		    same_name(fw->cl[i].name, s))
			return i;
	return -1;
}

uint32_t
fw_cluster_mask(const struct frameworks *fw, const char *code)
{
	int i = cluster_find(fw, code);

	return i < 0 ? 0 : fw->cl[i].mask;
}

int
fw_cluster_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->ncl;
}

const char *
fw_cluster_code(const struct frameworks *fw, int i)
{
	if (fw == NULL || i < 0 || i >= fw->ncl)
		return NULL;
	return fw->cl[i].code;
}

int
fw_cluster_framework(const struct frameworks *fw, const char *code)
{
	int i = cluster_find(fw, code);

	return i < 0 ? 0 : fw->cl[i].framework;
}

size_t
fw_subcluster_count(const struct frameworks *fw, int i)
{
	if (fw == NULL || i < 0 || i >= fw->ncl || fw->sub == NULL)
		return 0;
	return fw->cl[i].nsub;
}

const char *
fw_subcluster_name(const struct frameworks *fw, int i, size_t j)
{
	if (j >= fw_subcluster_count(fw, i))
		return NULL;
	return fw->sub[fw->cl[i].sub + j];
}

size_t
fw_competency_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->comp.n;
}

size_t
fw_occupation_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->occ.n;
}

size_t
fw_crosswalk_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->ncross;
}

size_t
fw_alt_title_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->nalt;
}

size_t
fw_level_count(const struct frameworks *fw)
{
	return fw == NULL ? 0 : fw->nlv;
}

size_t
fw_memory(const struct frameworks *fw)
{
	if (fw == NULL)
		return 0;
	return sizeof(*fw) + fw->bufsz +
	    (fw->comp.cap + fw->occ.cap) * sizeof(struct entry) +
	    (fw->nsub + 1) * sizeof(*fw->sub) +
	    fw->altcap * sizeof(*fw->alt) + fw->lvcap * sizeof(*fw->lv) +
	    (fw->nlv + 1) * sizeof(*fw->levels);
}
