/*
 * frameworks.c: loads the career-cluster, crosswalk, O*NET element and
 * SOC title tables (frameworks.h).  Each file is read whole and cut in
 * place; the tables point into those buffers and are searched by bsearch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "listing.h"
#include "frameworks.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define FIELDS_MAX	4
#define CODE_MAX	64	/* bytes of a cluster code */

struct entry {
	const char	*key;
	const char	*val;
	size_t		 line;
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
};

struct frameworks {
	char		*buf[4];	/* file contents, cut into strings */
	struct cluster	 cl[FW_CLUSTERS_MAX];
	int		 ncl;
	size_t		 ncross;
	struct table	 comp;		/* element id (no "onet:") -> name */
	struct table	 occ;		/* SOC code -> title */
};

/* The file being parsed, for messages. */
struct src {
	const char	*path;
	char		*p;		/* next unread byte */
	size_t		 line;		/* number of the line last returned */
	char		*err;
	size_t		 errlen;
};

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
		return errf(err, errlen, MENTOR_EIO, "%s: %s", path,
		    strerror(errno));
	for (;;) {
		if (len == cap) {
			if (cap == FW_FILE_MAX + 1)
				break;	/* too big: judged below */
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > FW_FILE_MAX + 1)
				cap = FW_FILE_MAX + 1;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				rc = errf(err, errlen, MENTOR_ENOMEM,
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
		rc = errf(err, errlen, MENTOR_EIO, "%s: read error", path);
		goto fail;
	}
	if (len > FW_FILE_MAX) {
		rc = errf(err, errlen, MENTOR_ETOOBIG,
		    "%s: larger than %u bytes", path, FW_FILE_MAX);
		goto fail;
	}
	if (memchr(buf, '\0', len) != NULL) {
		rc = errf(err, errlen, MENTOR_EINVAL, "%s: holds a NUL byte",
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
				return errf(s->err, s->errlen, MENTOR_EINVAL,
				    "%s line %zu: %zu fields, expected %zu",
				    s->path, s->line, i + 1, nf);
			break;
		}
		if (i + 1 == nf)
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: more than %zu fields", s->path,
			    s->line, nf);
		*end = '\0';
		p = end + 1;
	}
	for (i = 0; i < nf; i++) {
		if (f[i][0] == '\0')
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: field %zu is empty", s->path,
			    s->line, i + 1);
		for (p = (char *)f[i]; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return errf(s->err, s->errlen, MENTOR_EINVAL,
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
		return errf(s->err, s->errlen, MENTOR_EINVAL,
		    "%s: no header line", s->path);
	for (i = 0; i < nf; i++)
		if (strcmp(f[i], want[i]) != 0)
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: header field %zu is \"%.40s\", "
			    "expected \"%s\"", s->path, s->line, i + 1, f[i],
			    want[i]);
	return 0;
}

static int
table_add(struct table *t, const char *key, const char *val, size_t line)
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
	t->e[t->n].key = key;
	t->e[t->n].val = val;
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
			return errf(err, errlen, MENTOR_EINVAL,
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

static const char *
table_get(const struct table *t, const char *key)
{
	const struct entry *e;

	if (key == NULL || t->n == 0)
		return NULL;
	e = bsearch(key, t->e, t->n, sizeof(t->e[0]), key_cmp);
	return e != NULL ? e->val : NULL;
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
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: not a cluster code "
			    "([a-z0-9-], at most %d bytes)", s->path, s->line,
			    CODE_MAX);
		if ((i = cluster_find(fw, f[0])) >= 0)
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: duplicate \"%s\" (first on "
			    "line %zu)", s->path, s->line, f[0],
			    fw->cl[i].line);
		if (strcmp(f[1], "16") != 0 && strcmp(f[1], "14") != 0)
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: framework: must be 16 or 14",
			    s->path, s->line);
		if (fw->ncl == FW_CLUSTERS_MAX)
			return errf(s->err, s->errlen, MENTOR_ETOOBIG,
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
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code16: \"%.64s\" is not a "
			    "16-cluster code of clusters.tsv", s->path,
			    s->line, f[0]);
		b = cluster_find(fw, f[1]);
		if (b < 0 || fw->cl[b].framework != 14)
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code14: \"%.64s\" is not a "
			    "2024 (14-cluster) code of clusters.tsv", s->path,
			    s->line, f[1]);
		if (fw->cl[a].mask & (UINT32_C(1) << b))
			return errf(s->err, s->errlen, MENTOR_EINVAL,
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
	static const char *const hdr[] = { "id", "name", "kind" };
	char id[COMPETENCY_ID_MAX + 8];
	const char *f[3];
	int rc;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 3)) == 1) {
		snprintf(id, sizeof(id), "onet:%.*s", COMPETENCY_ID_MAX, f[0]);
		if (strlen(f[0]) > COMPETENCY_ID_MAX || !competency_id_valid(id))
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: id: not an O*NET element id "
			    "(\"2.A.1.a\")", s->path, s->line);
		if ((rc = table_add(&fw->comp, f[0], f[1], s->line)) != 0)
			return errf(s->err, s->errlen, rc, "%s: out of memory",
			    s->path);
	}
	if (rc < 0)
		return rc;
	return table_sort(&fw->comp, s->path, "id", s->err, s->errlen);
}

static int
load_soc(struct frameworks *fw, struct src *s)
{
	static const char *const hdr[] = { "code", "title" };
	const char *f[2];
	int rc;

	if ((rc = header(s, hdr, NELEM(hdr))) != 0)
		return rc;
	while ((rc = next_row(s, f, 2)) == 1) {
		if (!soc_code_ok(f[0]))
			return errf(s->err, s->errlen, MENTOR_EINVAL,
			    "%s line %zu: code: not NN-NNNN or NN-NNNN.NN",
			    s->path, s->line);
		if ((rc = table_add(&fw->occ, f[0], f[1], s->line)) != 0)
			return errf(s->err, s->errlen, rc, "%s: out of memory",
			    s->path);
	}
	if (rc < 0)
		return rc;
	return table_sort(&fw->occ, s->path, "code", s->err, s->errlen);
}

/* In load order: the crosswalk refers to the clusters. */
static const struct {
	const char	*name;
	int		(*load)(struct frameworks *, struct src *);
} files[] = {
	{ "clusters.tsv",	load_clusters },
	{ "crosswalk.tsv",	load_crosswalk },
	{ "onet-elements.tsv",	load_elements },
	{ "soc.tsv",		load_soc },
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
		return errf(err, errlen, MENTOR_EINVAL, "fw_load: no directory");
	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return errf(err, errlen, MENTOR_ENOMEM, "out of memory");
	for (i = 0; i < NELEM(files); i++) {
		n = snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = errf(err, errlen, MENTOR_EINVAL,
			    "%s: path too long", files[i].name);
			goto fail;
		}
		if ((rc = read_file(path, &fw->buf[i], err, errlen)) != 0)
			goto fail;
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
	free(fw);
}

const char *
fw_competency_name(const struct frameworks *fw, const char *id)
{
	if (fw == NULL || id == NULL || strncmp(id, "onet:", 5) != 0)
		return NULL;
	return table_get(&fw->comp, id + 5);
}

const char *
fw_occupation_title(const struct frameworks *fw, const char *code)
{
	const char *t;
	char detailed[8];

	if (fw == NULL || code == NULL)
		return NULL;
	if ((t = table_get(&fw->occ, code)) != NULL)
		return t;
	if (strlen(code) != 10 || !soc_code_ok(code))
		return NULL;
	memcpy(detailed, code, 7);
	detailed[7] = '\0';
	return table_get(&fw->occ, detailed);
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
