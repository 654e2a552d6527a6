/*
 * listing.c: validation of listing objects and their canonical body.
 * Every rule lives in the field table below, in the order the fields are
 * checked; the first failure is reported as "FIELD: why".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "util.h"
#include "jscan.h"
#include "listing.h"
#include "check.h"

#define DAY_MS		(86400 * (int64_t)1000)

static const char *const kinds[] = {
	"mentorship", "job_shadow", "internship", "apprenticeship", "project",
};

static const char *const modalities[] = {
	"in_person", "virtual", "hybrid",
};

static const struct {
	const char	*code;
	int		 framework;
} clusters[] = {
	{ "agriculture-food-natural-resources", 16 },
	{ "architecture-construction", 16 },
	{ "arts-av-technology-communications", 16 },
	{ "business-management-administration", 16 },
	{ "education-training", 16 },
	{ "finance", 16 },
	{ "government-public-administration", 16 },
	{ "health-science", 16 },
	{ "hospitality-tourism", 16 },
	{ "human-services", 16 },
	{ "information-technology", 16 },
	{ "law-public-safety-corrections-security", 16 },
	{ "manufacturing", 16 },
	{ "marketing", 16 },
	{ "stem", 16 },
	{ "transportation-distribution-logistics", 16 },
	{ "advanced-manufacturing", 14 },
	{ "agriculture", 14 },
	{ "arts-entertainment-design", 14 },
	{ "construction", 14 },
	{ "digital-technology", 14 },
	{ "education", 14 },
	{ "energy-natural-resources", 14 },
	{ "financial-services", 14 },
	{ "healthcare-human-services", 14 },
	{ "hospitality-events-tourism", 14 },
	{ "management-entrepreneurship", 14 },
	{ "marketing-sales", 14 },
	{ "public-service-safety", 14 },
	{ "supply-chain-transportation", 14 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Validation state shared by the field checks of one object. */
struct vctx {
	char			*err;
	size_t			 errlen;
	int64_t			 now_ms;
	int			 header;	/* ref and expires allowed */
	struct listing_in	*out;		/* header values go here */
	const char		*modality;	/* set once modality passed */
	int			 has_start;
	int32_t			 start;
	json_t			*errors;	/* collect every error here
						 * instead of stopping at the
						 * first; NULL to stop */
	char			 first[LISTING_ERR_MAX];
};

/*
 * collect: after a failed check, with c->errors set, records the message
 * in c->err as {"field","message"} (the field is the text before ": ")
 * and keeps the first message.  Returns 0 to go on, or rc to stop.
 */
static int
collect(struct vctx *c, int rc)
{
	const char *colon;
	json_t *e;

	if (c->errors == NULL || rc != MENTOR_EINVAL || c->errlen == 0)
		return rc;
	if (c->first[0] == '\0')
		snprintf(c->first, sizeof(c->first), "%s", c->err);
	colon = strstr(c->err, ": ");
	e = json_pack("{s:s%,s:s}", "field", c->err, colon ?
	    (size_t)(colon - c->err) : 0, "message", c->err);
	if (e == NULL || json_array_append_new(c->errors, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

static int
in_table(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return 1;
	return 0;
}

int
listing_kind_valid(const char *s)
{
	return in_table(kinds, NELEM(kinds), s);
}

int
modality_valid(const char *s)
{
	return in_table(modalities, NELEM(modalities), s);
}

int
cluster_framework(const char *code)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < NELEM(clusters); i++)
		if (strcmp(clusters[i].code, code) == 0)
			return clusters[i].framework;
	return 0;
}

int
cluster_code_valid(const char *s)
{
	return cluster_framework(s) != 0;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
occupation_code_valid(const char *s)
{
	static const char pat[] = "NN-NNNN.NN";
	size_t i;

	if (s == NULL || strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'N' ? !is_digit((unsigned char)s[i]) :
		    s[i] != pat[i])
			return 0;
	}
	return 1;
}

/* An O*NET element id: "2.A.1.a", runs of digits or letters, digits first. */
static int
onet_element_valid(const char *s)
{
	size_t i, run = 0;
	int kind = 0, first = 1;	/* kind: 1 digits, 2 letters */

	for (i = 0;; i++) {
		int c = (unsigned char)s[i];

		if (c == '.' || c == '\0') {
			if (run == 0 || (first && kind != 1))
				return 0;
			if (c == '\0')
				return 1;
			first = 0;
			run = 0;
			kind = 0;
			continue;
		}
		if (is_digit(c)) {
			if (kind == 2)
				return 0;
			kind = 1;
		} else if (is_alpha(c)) {
			if (kind == 1)
				return 0;
			kind = 2;
		} else
			return 0;
		run++;
	}
}

int
competency_id_valid(const char *s)
{
	const char *colon, *rest;
	size_t i, plen, rlen;

	if (s == NULL || (colon = strchr(s, ':')) == NULL)
		return 0;
	plen = (size_t)(colon - s);
	if (plen < 1 || plen > 16 || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 1; i < plen; i++) {
		int c = (unsigned char)s[i];

		if (!(c >= 'a' && c <= 'z') && !is_digit(c) && c != '_' &&
		    c != '-')
			return 0;
	}
	rest = colon + 1;
	rlen = strlen(rest);
	if (rlen < 1 || rlen > 64 || plen + 1 + rlen > COMPETENCY_ID_MAX)
		return 0;
	for (i = 0; i < rlen; i++) {
		int c = (unsigned char)rest[i];

		if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '_' &&
		    c != '-')
			return 0;
	}
	if (plen == 4 && memcmp(s, "onet", 4) == 0)
		return onet_element_valid(rest);
	return 1;
}

static int
number_range(const json_t *v, const char *path, double lo, double hi,
    double *dv, char *err, size_t errlen)
{
	*dv = 0;
	if (!json_is_number(v))
		return chk_errf(err, errlen, "%s: must be a number", path);
	*dv = json_number_value(v);
	if (!(*dv >= lo && *dv <= hi))
		return chk_errf(err, errlen, "%s: must be %g to %g", path, lo,
		    hi);
	return 0;
}

int
location_parse(const json_t *v, const char *path, json_t **out, char *err,
    size_t errlen)
{
	static const char *const names[] = { "lat", "lon" };
	static const double lim[] = { 90, 180 };
	char sub[96];
	json_t *val, *loc = NULL, *r;
	double d;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = chk_object(v, path, names, NELEM(names), err,
	    errlen)) != 0)
		return rc;
	if ((loc = json_object()) == NULL)
		goto nomem;
	for (i = 0; i < NELEM(names); i++) {
		snprintf(sub, sizeof(sub), "%s.%s", path, names[i]);
		if ((val = json_object_get(v, names[i])) == NULL) {
			rc = chk_errf(err, errlen, "%s: missing", sub);
			goto fail;
		}
		if ((rc = number_range(val, sub, -lim[i], lim[i], &d, err,
		    errlen)) != 0)
			goto fail;
		if ((r = json_real(d)) == NULL ||
		    json_object_set_new(loc, names[i], r) != 0)
			goto nomem;
	}
	*out = loc;
	return 0;
nomem:
	chk_errf(err, errlen, "%s: out of memory", path);
	rc = MENTOR_ENOMEM;
fail:
	json_decref(loc);
	return rc;
}

/*
 * The field checks.  Each gets the value (NULL only for F_ABSENT fields
 * that are absent) and may set *val to the body's value; when it leaves
 * *val NULL a copy of the input goes into the body.
 */
typedef int (*check_fn)(struct vctx *, const char *, const json_t *,
    json_t **);

static int
check_ref(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	const char *s;
	size_t i, n;
	int rc;

	(void)val;
	if ((rc = chk_string(v, name, &s, &n, c->err, c->errlen)) != 0)
		return rc;
	if (n < 1 || n > LISTING_REF_MAX)
		return chk_errf(c->err, c->errlen, "%s: must be 1 to %d bytes",
		    name, LISTING_REF_MAX);
	if (s[0] == '.' || s[0] == '-')
		return chk_errf(c->err, c->errlen,
		    "%s: must not start with '.' or '-'", name);
	for (i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];

		if (!(ch >= 'a' && ch <= 'z') && !is_digit(ch) && ch != '.' &&
		    ch != '_' && ch != '-')
			return chk_errf(c->err, c->errlen,
			    "%s: only a-z, 0-9, '.', '_' and '-' allowed",
			    name);
	}
	memcpy(c->out->ref, s, n + 1);
	return 0;
}

static int
check_kind(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	const char *s;

	(void)val;
	return chk_choice(v, name, listing_kind_valid, "unknown kind",
	    " (mentorship, job_shadow, internship, apprenticeship, project)",
	    &s, c->err, c->errlen);
}

static int
check_text(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	(void)val;
	return chk_text(v, name, LISTING_TEXT_MAX, 0, c->err, c->errlen);
}

static int
check_desc(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	(void)val;
	return chk_text(v, name, LISTING_DESC_MAX, 1, c->err, c->errlen);
}

static int
check_clusters(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	(void)val;
	return chk_clusters(v, name, LISTING_CLUSTERS_MAX, c->err, c->errlen);
}

static int
check_occupations(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	(void)val;
	return chk_occupations(v, name, LISTING_OCCUPATIONS_MAX, c->err,
	    c->errlen);
}

/*
 * check_competencies: [{"competency": ID, "level": 0..4}], at most
 * LISTING_COMPETENCIES_MAX, no competency twice.
 */
static int
check_competencies(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	static const char *const keys[] = { "competency", "level" };
	char path[64], sub[80], q[CHK_QUOTE_SIZE];
	const char *s, *t;
	json_t *item, *f;
	size_t i, j, n;
	int rc;

	(void)val;
	if (!json_is_array(v))
		return chk_errf(c->err, c->errlen, "%s: must be an array",
		    name);
	if (json_array_size(v) > LISTING_COMPETENCIES_MAX)
		return chk_errf(c->err, c->errlen, "%s: more than %d entries",
		    name, LISTING_COMPETENCIES_MAX);
	for (i = 0; i < json_array_size(v); i++) {
		item = json_array_get(v, i);
		snprintf(path, sizeof(path), "%s[%zu]", name, i);
		if ((rc = chk_object(item, path, keys, NELEM(keys), c->err,
		    c->errlen)) != 0)
			return rc;
		snprintf(sub, sizeof(sub), "%s.competency", path);
		if ((f = json_object_get(item, "competency")) == NULL)
			return chk_errf(c->err, c->errlen, "%s: missing", sub);
		if ((rc = chk_string(f, sub, &s, &n, c->err, c->errlen)) != 0)
			return rc;
		if (!competency_id_valid(s))
			return chk_errf(c->err, c->errlen,
			    "%s: malformed competency id \"%s\"", sub,
			    chk_quote(q, s, n));
		for (j = 0; j < i; j++) {
			t = json_string_value(json_object_get(
			    json_array_get(v, j), "competency"));
			if (strcmp(s, t) == 0)
				return chk_errf(c->err, c->errlen,
				    "%s: duplicate \"%s\"", sub,
				    chk_quote(q, s, n));
		}
		snprintf(sub, sizeof(sub), "%s.level", path);
		if ((f = json_object_get(item, "level")) == NULL)
			return chk_errf(c->err, c->errlen, "%s: missing", sub);
		if ((rc = chk_int_max(f, sub, LEVEL_MAX, c->err,
		    c->errlen)) != 0)
			return rc;
	}
	return 0;
}

static int
check_capacity(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	json_int_t iv;
	int rc;

	(void)val;
	if ((rc = chk_int(v, name, &iv, c->err, c->errlen)) != 0)
		return rc;
	if (iv < 1)
		return chk_errf(c->err, c->errlen, "%s: must be at least 1",
		    name);
	if (iv > LISTING_CAPACITY_MAX)
		return chk_errf(c->err, c->errlen, "%s: must be at most %d",
		    name, LISTING_CAPACITY_MAX);
	return 0;
}

static int
check_modality(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	const char *s;
	int rc;

	(void)val;
	if ((rc = chk_choice(v, name, modality_valid, "unknown modality",
	    " (in_person, virtual, hybrid)", &s, c->err, c->errlen)) != 0)
		return rc;
	c->modality = s;
	return 0;
}

/* Called when absent too: required unless the modality is virtual. */
static int
check_location(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	if (v == NULL) {
		if (c->modality != NULL && strcmp(c->modality, "virtual") == 0)
			return 0;
		return chk_errf(c->err, c->errlen,
		    "%s: required unless modality is virtual", name);
	}
	return location_parse(v, name, val, c->err, c->errlen);
}

static int
check_start(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	int rc;

	(void)val;
	if ((rc = chk_date(v, name, &c->start, c->err, c->errlen)) != 0)
		return rc;
	c->has_start = 1;
	return 0;
}

static int
check_end(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	int32_t end;
	int rc;

	(void)val;
	if ((rc = chk_date(v, name, &end, c->err, c->errlen)) != 0)
		return rc;
	if (c->has_start && end < c->start)
		return chk_errf(c->err, c->errlen, "%s: before start", name);
	return 0;
}

static int
check_min_age(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	(void)val;
	return chk_int_max(v, name, LISTING_MIN_AGE_MAX, c->err, c->errlen);
}

/* full: the author's mark that accepted applications fill the capacity. */
static int
check_full(struct vctx *c, const char *name, const json_t *v, json_t **val)
{
	(void)val;
	if (!json_is_boolean(v))
		return chk_errf(c->err, c->errlen, "%s: must be true or false",
		    name);
	return 0;
}

static int
check_expires(struct vctx *c, const char *name, const json_t *v,
    json_t **val)
{
	const char *s;
	size_t n;
	int64_t ms;
	int rc;

	(void)val;
	if ((rc = chk_string(v, name, &s, &n, c->err, c->errlen)) != 0)
		return rc;
	if (time_parse(s, &ms) != 0)
		return chk_errf(c->err, c->errlen,
		    "%s: not a time (YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)",
		    name);
	if (ms <= c->now_ms)
		return chk_errf(c->err, c->errlen, "%s: in the past", name);
	if (ms > c->now_ms + LISTING_EXPIRES_MAX_DAYS * DAY_MS)
		return chk_errf(c->err, c->errlen,
		    "%s: more than %d days ahead", name,
		    LISTING_EXPIRES_MAX_DAYS);
	c->out->expires_ms = ms;
	return 0;
}

/*
 * The fast path of listing_body_check (a record from a peer): the same
 * rules read straight from the bytes with jscan, no tree.  It only says
 * yes or no; a no goes to the jansson path, which says why.  Fields come
 * in any order, so the rules between fields (location unless the
 * modality is virtual, end not before start) are applied at the end.
 */
struct fctx {
	unsigned	seen;		/* bits of fields[] */
	int		virtual;
	int32_t		start, end;
};

typedef int (*fast_fn)(struct fctx *, struct jscan *);

/* Longer than any kind, modality, cluster, occupation code or date. */
#define WORD_MAX	64
#define LIST_MAX	(LISTING_OCCUPATIONS_MAX > LISTING_CLUSTERS_MAX ? \
			    LISTING_OCCUPATIONS_MAX : LISTING_CLUSTERS_MAX)

static int
fast_word(struct jscan *j, char *buf, size_t cap)
{
	unsigned fl;
	size_t n;

	return jscan_string(j, buf, cap, &n, &fl);
}

static int
fast_kind(struct fctx *c, struct jscan *j)
{
	char w[WORD_MAX];

	(void)c;
	if (fast_word(j, w, sizeof(w)) != 0 || !listing_kind_valid(w))
		return MENTOR_EINVAL;
	return 0;
}

/* fast_textn: chk_text's rules: 1 to max bytes, no control character. */
static int
fast_textn(struct jscan *j, size_t max, unsigned bad)
{
	unsigned fl;
	size_t n;

	if (jscan_string(j, NULL, 0, &n, &fl) != 0 || n < 1 || n > max ||
	    (fl & bad) != 0)
		return MENTOR_EINVAL;
	return 0;
}

static int
fast_text(struct fctx *c, struct jscan *j)
{
	(void)c;
	return fast_textn(j, LISTING_TEXT_MAX, JSCAN_CTRL | JSCAN_TNR);
}

static int
fast_desc(struct fctx *c, struct jscan *j)
{
	(void)c;
	return fast_textn(j, LISTING_DESC_MAX, JSCAN_CTRL);
}

/* fast_list: chk_string_list: at most max distinct strings passing pred. */
static int
fast_list(struct jscan *j, size_t max, int (*pred)(const char *))
{
	char w[LIST_MAX][WORD_MAX];
	size_t n = 0, i;

	if (!jscan_lit(j, '['))
		return MENTOR_EINVAL;
	if (jscan_lit(j, ']'))
		return 0;
	do {
		if (n == max || fast_word(j, w[n], sizeof(w[n])) != 0 ||
		    !pred(w[n]))
			return MENTOR_EINVAL;
		for (i = 0; i < n; i++)
			if (strcmp(w[i], w[n]) == 0)
				return MENTOR_EINVAL;
		n++;
	} while (jscan_lit(j, ','));
	return jscan_lit(j, ']') ? 0 : MENTOR_EINVAL;
}

static int
fast_clusters(struct fctx *c, struct jscan *j)
{
	(void)c;
	return fast_list(j, LISTING_CLUSTERS_MAX, cluster_code_valid);
}

static int
fast_occupations(struct fctx *c, struct jscan *j)
{
	(void)c;
	return fast_list(j, LISTING_OCCUPATIONS_MAX, occupation_code_valid);
}

/* fast_int: an integer from lo to hi. */
static int
fast_int(struct jscan *j, int64_t lo, int64_t hi)
{
	struct jscan_num v;

	if (jscan_number(j, &v) != 0 || !v.integer || v.i < lo || v.i > hi)
		return MENTOR_EINVAL;
	return 0;
}

/* fast_competencies: check_competencies from the bytes. */
static int
fast_competencies(struct fctx *c, struct jscan *j)
{
	char id[LISTING_COMPETENCIES_MAX][COMPETENCY_ID_MAX + 1], key[16];
	size_t n = 0, i;
	unsigned seen, bit;

	(void)c;
	if (!jscan_lit(j, '['))
		return MENTOR_EINVAL;
	if (jscan_lit(j, ']'))
		return 0;
	do {
		if (n == LISTING_COMPETENCIES_MAX || !jscan_lit(j, '{'))
			return MENTOR_EINVAL;
		seen = 0;
		if (!jscan_lit(j, '}'))
			do {
				if (fast_word(j, key, sizeof(key)) != 0 ||
				    !jscan_lit(j, ':'))
					return MENTOR_EINVAL;
				bit = strcmp(key, "competency") == 0 ? 1 :
				    strcmp(key, "level") == 0 ? 2 : 0;
				if (bit == 0 || (seen & bit))
					return MENTOR_EINVAL;
				seen |= bit;
				if (bit == 1 ? fast_word(j, id[n],
				    sizeof(id[n])) != 0 ||
				    !competency_id_valid(id[n]) :
				    fast_int(j, 0, LEVEL_MAX) != 0)
					return MENTOR_EINVAL;
			} while (jscan_lit(j, ','));
		if (seen != 3 || !jscan_lit(j, '}'))
			return MENTOR_EINVAL;
		for (i = 0; i < n; i++)
			if (strcmp(id[i], id[n]) == 0)
				return MENTOR_EINVAL;
		n++;
	} while (jscan_lit(j, ','));
	return jscan_lit(j, ']') ? 0 : MENTOR_EINVAL;
}

static int
fast_capacity(struct fctx *c, struct jscan *j)
{
	(void)c;
	return fast_int(j, 1, LISTING_CAPACITY_MAX);
}

static int
fast_modality(struct fctx *c, struct jscan *j)
{
	char w[WORD_MAX];

	if (fast_word(j, w, sizeof(w)) != 0 || !modality_valid(w))
		return MENTOR_EINVAL;
	c->virtual = strcmp(w, "virtual") == 0;
	return 0;
}

/* fast_location: location_parse: {"lat": -90..90, "lon": -180..180}. */
static int
fast_location(struct fctx *c, struct jscan *j)
{
	struct jscan_num v;
	char key[8];
	unsigned seen = 0, bit;

	(void)c;
	if (!jscan_lit(j, '{'))
		return MENTOR_EINVAL;
	if (!jscan_lit(j, '}'))
		do {
			if (fast_word(j, key, sizeof(key)) != 0 ||
			    !jscan_lit(j, ':'))
				return MENTOR_EINVAL;
			bit = strcmp(key, "lat") == 0 ? 1 :
			    strcmp(key, "lon") == 0 ? 2 : 0;
			if (bit == 0 || (seen & bit) ||
			    jscan_number(j, &v) != 0 ||
			    !(v.d >= (bit == 1 ? -90.0 : -180.0) &&
			    v.d <= (bit == 1 ? 90.0 : 180.0)))
				return MENTOR_EINVAL;
			seen |= bit;
		} while (jscan_lit(j, ','));
	return seen == 3 && jscan_lit(j, '}') ? 0 : MENTOR_EINVAL;
}

static int
fast_date(struct jscan *j, int32_t *day)
{
	char w[WORD_MAX];

	if (fast_word(j, w, sizeof(w)) != 0 || date_parse(w, day) != 0)
		return MENTOR_EINVAL;
	return 0;
}

static int
fast_start(struct fctx *c, struct jscan *j)
{
	return fast_date(j, &c->start);
}

static int
fast_end(struct fctx *c, struct jscan *j)
{
	return fast_date(j, &c->end);
}

static int
fast_min_age(struct fctx *c, struct jscan *j)
{
	(void)c;
	return fast_int(j, 0, LISTING_MIN_AGE_MAX);
}

static int
fast_full(struct fctx *c, struct jscan *j)
{
	int b;

	(void)c;
	return jscan_bool(j, &b);
}

#define F_REQUIRED	0x1	/* "FIELD: missing" when absent */
#define F_HEADER	0x2	/* record header, not body; not in bodies */
#define F_ABSENT	0x4	/* check is called when absent too */

/* The fields, in the order they are checked. */
static const struct field {
	const char	*name;
	check_fn	 check;
	int		 flags;
	fast_fn		 fast;		/* NULL: not in a body */
} fields[] = {
	{ "ref",	check_ref,	F_HEADER,	NULL },
	{ "kind",	check_kind,	F_REQUIRED,	fast_kind },
	{ "title",	check_text,	F_REQUIRED,	fast_text },
	{ "organization", check_text,	F_REQUIRED,	fast_text },
	{ "description", check_desc,	0,		fast_desc },
	{ "clusters",	check_clusters,	0,		fast_clusters },
	{ "occupations", check_occupations, 0,		fast_occupations },
	{ "requires",	check_competencies, 0,		fast_competencies },
	{ "develops",	check_competencies, 0,		fast_competencies },
	{ "capacity",	check_capacity,	F_REQUIRED,	fast_capacity },
	{ "modality",	check_modality,	F_REQUIRED,	fast_modality },
	{ "location",	check_location,	F_ABSENT,	fast_location },
	{ "start",	check_start,	0,		fast_start },
	{ "end",	check_end,	0,		fast_end },
	{ "min_age",	check_min_age,	0,		fast_min_age },
	{ "full",	check_full,	0,		fast_full },
	{ "expires",	check_expires,	F_HEADER,	NULL },
};

#define FIELD_BIT(name)	(1u << (field_find(name) - fields))

static const struct field *
field_find(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(fields); i++)
		if (fields[i].name[0] == name[0] &&
		    strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/*
 * validate: runs the field table over obj and, when bodyp is not NULL,
 * builds the body.  On failure nothing is left allocated.
 */
static int
validate(struct vctx *c, const json_t *obj, json_t **bodyp)
{
	char q[CHK_QUOTE_SIZE];
	const struct field *f;
	const char *key;
	json_t *v, *val, *body = NULL;
	size_t i;
	int rc;

	if (!json_is_object(obj))
		return chk_errf(c->err, c->errlen,
		    "listing: must be an object");
	json_object_foreach((json_t *)obj, key, v) {
		if ((f = field_find(key)) == NULL)
			rc = chk_errf(c->err, c->errlen, "%s: unknown field",
			    chk_keyname(q, key));
		else if ((f->flags & F_HEADER) && !c->header)
			rc = chk_errf(c->err, c->errlen,
			    "%s: not allowed in a record body", key);
		else
			continue;
		if ((rc = collect(c, rc)) != 0)
			return rc;
	}
	/* Only checking (a record from a peer): no body to build. */
	if (bodyp != NULL && (body = json_object()) == NULL)
		goto nomem;
	for (i = 0; i < NELEM(fields); i++) {
		f = &fields[i];
		v = json_object_get(obj, f->name);
		if (v == NULL && (f->flags & F_REQUIRED)) {
			rc = chk_errf(c->err, c->errlen, "%s: missing",
			    f->name);
			if ((rc = collect(c, rc)) != 0)
				goto fail;
			continue;
		}
		if (v == NULL && !(f->flags & F_ABSENT))
			continue;
		val = NULL;
		if ((rc = f->check(c, f->name, v, &val)) != 0) {
			json_decref(val);
			if ((rc = collect(c, rc)) != 0)
				goto fail;
			continue;
		}
		if ((f->flags & F_HEADER) || body == NULL) {
			json_decref(val);
			continue;
		}
		if (val == NULL && v != NULL &&
		    (val = json_deep_copy(v)) == NULL)
			goto nomem;
		if (val != NULL && json_object_set_new(body, f->name, val) != 0)
			goto nomem;
	}
	if (c->errors != NULL && json_array_size(c->errors) > 0) {
		/* All or nothing: the first problem is the message. */
		snprintf(c->err, c->errlen, "%s", c->first);
		rc = MENTOR_EINVAL;
		goto fail;
	}
	if (bodyp != NULL)
		*bodyp = body;
	else
		json_decref(body);
	return 0;
nomem:
	chk_errf(c->err, c->errlen, "listing: out of memory");
	rc = MENTOR_ENOMEM;
fail:
	json_decref(body);
	return rc;
}

int
listing_parse(const json_t *obj, int64_t now_ms, struct listing_in *out,
    char *err, size_t errlen)
{
	return listing_parse_all(obj, now_ms, out, NULL, err, errlen);
}

int
listing_parse_all(const json_t *obj, int64_t now_ms, struct listing_in *out,
    json_t **errors, char *err, size_t errlen)
{
	struct vctx c;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	c.now_ms = now_ms;
	c.header = 1;
	c.out = out;
	if (errors != NULL && (*errors = c.errors = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = validate(&c, obj, &out->body)) != 0)
		memset(out, 0, sizeof(*out));
	if (errors != NULL && (rc != MENTOR_EINVAL ||
	    json_array_size(*errors) == 0)) {
		if (rc == MENTOR_EINVAL && err != NULL && errlen > 0) {
			/* A stop before any field (not an object). */
			json_array_append_new(*errors, json_pack("{s:s,s:s}",
			    "field", "listing", "message", err));
		} else {
			json_decref(*errors);
			*errors = NULL;
		}
	}
	return rc;
}

void
listing_in_clear(struct listing_in *out)
{
	if (out == NULL)
		return;
	json_decref(out->body);
	memset(out, 0, sizeof(*out));
}

int
listing_body_fast(const uint8_t *body, size_t len)
{
	const struct field *f;
	struct fctx c;
	struct jscan j;
	char key[16];
	unsigned fl, bit, need = 0;
	size_t i, n;

	if (len > LISTING_BODY_MAX || memchr(body, 0, len) != NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	jscan_init(&j, body, len);
	if (!jscan_lit(&j, '{'))
		return 0;
	if (!jscan_lit(&j, '}'))
		do {
			if (jscan_string(&j, key, sizeof(key), &n, &fl) != 0 ||
			    !jscan_lit(&j, ':') ||
			    (f = field_find(key)) == NULL || f->fast == NULL)
				return 0;
			bit = 1u << (f - fields);
			if ((c.seen & bit) != 0 || f->fast(&c, &j) != 0)
				return 0;
			c.seen |= bit;
		} while (jscan_lit(&j, ','));
	if (!jscan_lit(&j, '}') || !jscan_end(&j))
		return 0;
	for (i = 0; i < NELEM(fields); i++)
		if (fields[i].flags & F_REQUIRED)
			need |= 1u << i;
	if ((c.seen & need) != need)
		return 0;
	if (!(c.seen & FIELD_BIT("location")) && !c.virtual)
		return 0;
	if ((c.seen & FIELD_BIT("start")) && (c.seen & FIELD_BIT("end")) &&
	    c.end < c.start)
		return 0;
	return 1;
}

int
listing_body_check(const uint8_t *body, size_t len, char *err, size_t errlen)
{
	if (len <= LISTING_BODY_MAX && listing_body_fast(body, len)) {
		if (err != NULL && errlen > 0)
			err[0] = '\0';
		return 0;
	}
	return listing_body_check_json(body, len, err, errlen);
}

int
listing_body_check_json(const uint8_t *body, size_t len, char *err,
    size_t errlen)
{
	struct listing_in dummy;
	struct vctx c;
	json_error_t jerr;
	const uint8_t *nul;
	json_t *obj;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > LISTING_BODY_MAX) {
		chk_errf(err, errlen, "body: larger than %u bytes",
		    LISTING_BODY_MAX);
		return MENTOR_ETOOBIG;
	}
	/* jansson would pass a NUL after a number or a literal: not JSON. */
	if ((nul = memchr(body, 0, len)) != NULL)
		return chk_errf(err, errlen, "body: not JSON: a NUL byte at "
		    "offset %zu", (size_t)(nul - body));
	obj = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (obj == NULL)
		return chk_errf(err, errlen, "body: not JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
	memset(&dummy, 0, sizeof(dummy));
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	c.out = &dummy;
	rc = validate(&c, obj, NULL);
	json_decref(obj);
	return rc;
}

char *
listing_body_encode(const json_t *body, size_t *len)
{
	char *s;

	if ((s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return NULL;
	if (len != NULL)
		*len = strlen(s);
	return s;
}
