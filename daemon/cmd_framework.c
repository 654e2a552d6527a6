/*
 * cmd_framework.c: the reference data as commands: occupation search and
 * profiles, the cluster frameworks, a student's skill gaps toward their
 * goal occupations (pathway) and O*NET-based requires/develops for a
 * listing that has occupations but no skills (listing.suggest), and the
 * CASE frameworks the operator imports (framework.*), kept as
 * DIR/frameworks/DOCID.json (case.h's object) and loaded by matching.c.
 * pathway and listing.suggest need O*NET's level data (onet-levels.tsv)
 * and say so plainly when it is not installed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "case.h"
#include "cmd.h"
#include "resolve.h"
#include "frameworks.h"
#include "jobposting.h"
#include "listing.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "records.h"
#include "students.h"
#include "util.h"

/* O*NET's "important" threshold on the 1-5 importance scale. */
#define IM_IMPORTANT	3.0
#define SUGGEST_REQUIRES 3
#define SUGGEST_DEVELOPS 5
#define SUGGEST_REQ_MAX	2	/* a learner is asked for at most level 2 */

static const char no_levels[] = "the O*NET level data is not installed "
    "(onet-levels.tsv, built by contrib/onet/build from O*NET's Skills.txt, "
    "Knowledge.txt and Abilities.txt; see contrib/data/SOURCES.md)";

static int
need_fw(struct cmd_ctx *c, const struct frameworks **fw)
{
	if ((*fw = matching_frameworks(c->node)) == NULL)
		return cmd_fail(c, MENTOR_ENOTFOUND, "this node has no "
		    "framework data (set data_dir in mentord.conf)");
	return 0;
}

int
cmd_occupation_search(struct cmd_ctx *c)
{
	const struct frameworks *fw;
	const char *q;
	long long top = 10;
	int rc;

	if ((rc = need_fw(c, &fw)) != 0 ||
	    (rc = arg_str(c, "query", 1, &q)) != 0 ||
	    (rc = arg_int(c, "top", 0, 1, FW_SEARCH_MAX, &top)) != 0)
		return rc;
	c->result = fw_search_json(fw, q, (size_t)top);
	return c->result != NULL ? 0 : MENTOR_ENOMEM;
}

/*
 * match_rank: how well name matches the lower-case query q: 3 when name
 * starts with it, 2 when a word of name does, 1 when it is inside name,
 * 0 when it is not there.  Case is ignored (ASCII).
 */
static int
match_rank(const char *name, const char *q)
{
	size_t n = strlen(q), i;

	if (n == 0)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (strncasecmp(name + i, q, n) == 0)
			return i == 0 ? 3 : !isalnum((unsigned char)name[i - 1]) ?
			    2 : 1;
	return 0;
}

struct search_hit {
	const char	*code, *name, *kind;
	int		 rank;
};

static int
hit_cmp(const void *a, const void *b)
{
	const struct search_hit *x = a, *y = b;

	if (x->rank != y->rank)
		return y->rank - x->rank;
	return strcmp(x->name, y->name);
}

/*
 * framework.search {q, kind: skill | cluster | occupation, top}: the
 * type-ahead of the listing form: [{code, name, kind?}], best first.
 */
int
cmd_framework_search(struct cmd_ctx *c)
{
	const struct frameworks *fw;
	const struct fw_element *e;
	const char *q, *kind = "skill";
	char code[64];
	struct search_hit *h = NULL;
	json_t *occ, *o;
	long long top = 10;
	size_t i, n = 0, cap;
	int rc, r;

	if ((rc = need_fw(c, &fw)) != 0 ||
	    (rc = arg_str(c, "q", 1, &q)) != 0 ||
	    (rc = arg_str(c, "kind", 0, &kind)) != 0 ||
	    (rc = arg_int(c, "top", 0, 1, FW_SEARCH_MAX, &top)) != 0)
		return rc;
	if (strcmp(kind, "occupation") == 0) {
		if ((occ = fw_search_json(fw, q, (size_t)top)) == NULL)
			return MENTOR_ENOMEM;
		json_array_foreach(occ, i, o)
			json_object_set(o, "name", json_object_get(o, "title"));
		c->result = occ;
		return 0;
	}
	if (strcmp(kind, "skill") != 0 && strcmp(kind, "cluster") != 0)
		return cmd_fail(c, MENTOR_EINVAL, "kind: skill, cluster or "
		    "occupation, not \"%.20s\"", kind);
	cap = strcmp(kind, "skill") == 0 ? fw_competency_count(fw) :
	    (size_t)fw_cluster_count(fw);
	if ((h = calloc(cap + 1, sizeof(*h))) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < cap; i++) {
		if (strcmp(kind, "skill") == 0) {
			if ((e = fw_element_at(fw, i)) == NULL)
				continue;
			r = match_rank(e->name, q);
			if (r == 0 && strncasecmp(e->id, q, strlen(q)) == 0)
				r = 3;	/* "2.B.3" finds its elements */
			if (r > 0)
				h[n++] = (struct search_hit){ e->id, e->name, e->kind,
				    r };
		} else {
			const char *cc = fw_cluster_code(fw, (int)i);
			const char *cn = fw_cluster_name(fw, cc);

			r = match_rank(cn ? cn : cc, q);
			if (r == 0 && strncasecmp(cc, q, strlen(q)) == 0)
				r = 3;
			if (r > 0)
				h[n++] = (struct search_hit){ cc, cn ? cn : cc,
				    fw_cluster_framework(fw, cc) == 16 ?
				    "16 clusters" : "2024 framework", r };
		}
	}
	qsort(h, n, sizeof(*h), hit_cmp);
	if ((c->result = json_array()) == NULL) {
		free(h);
		return MENTOR_ENOMEM;
	}
	for (i = 0; i < n && i < (size_t)top; i++) {
		if (strcmp(kind, "skill") == 0)
			snprintf(code, sizeof(code), "onet:%s", h[i].code);
		else
			snprintf(code, sizeof(code), "%s", h[i].code);
		json_array_append_new(c->result, json_pack("{s:s,s:s,s:s}",
		    "code", code, "name", h[i].name, "kind", h[i].kind));
	}
	free(h);
	return 0;
}

int
cmd_occupation_show(struct cmd_ctx *c)
{
	const struct frameworks *fw;
	const char *code;
	int rc;

	if ((rc = need_fw(c, &fw)) != 0 ||
	    (rc = arg_str(c, "code", 1, &code)) != 0)
		return rc;
	if ((c->result = fw_occupation_json(fw, code)) == NULL)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no O*NET-SOC occupation "
		    "\"%.16s\"", code);
	return 0;
}

int
cmd_cluster_list(struct cmd_ctx *c)
{
	const struct frameworks *fw;
	json_t *a, *o, *subs, *cw;
	const char *code;
	uint32_t m;
	size_t j;
	int rc, i, k;

	if ((rc = need_fw(c, &fw)) != 0)
		return rc;
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < fw_cluster_count(fw); i++) {
		code = fw_cluster_code(fw, i);
		subs = json_array();
		cw = json_array();
		for (j = 0; j < fw_subcluster_count(fw, i); j++)
			json_array_append_new(subs,
			    json_string(fw_subcluster_name(fw, i, j)));
		m = fw_cluster_mask(fw, code);
		for (k = 0; k < fw_cluster_count(fw); k++)
			if (k != i && (m & (UINT32_C(1) << k)))
				json_array_append_new(cw,
				    json_string(fw_cluster_code(fw, k)));
		o = json_pack("{s:s, s:i, s:s, s:o, s:o}", "code", code,
		    "framework", fw_cluster_framework(fw, code), "name",
		    fw_cluster_name(fw, code), "subclusters", subs,
		    "crosswalk", cw);
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return MENTOR_ENOMEM;
		}
	}
	c->result = a;
	return 0;
}

/* ---- pathway ---- */

struct gap {
	const struct fw_level	*l;
	int			 need, have;
	json_t			*listings;
};

struct gaps {
	struct gap	*g;
	size_t		 n;
	int		 rc;
};

/* develops_to: the level body's develops lists for id, or -1. */
static int
develops_to(json_t *body, const char *id)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(body, "develops"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "competency")) ?
		    json_string_value(json_object_get(e, "competency")) : "",
		    id) == 0)
			return (int)json_integer_value(json_object_get(e,
			    "level"));
	return -1;
}

static int
gap_listing(void *arg, const uint8_t addr[REC_ADDR_LEN],
    const struct rec *r)
{
	struct gaps *gs = arg;
	char id[COMPETENCY_ID_MAX + 8], hex[2 * REC_ADDR_LEN + 1];
	json_t *body, *e;
	size_t i;
	int to;

	body = json_loadb((const char *)r->body, r->body_len, 0, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	hex_encode(hex, addr, REC_ADDR_LEN);
	for (i = 0; i < gs->n; i++) {
		snprintf(id, sizeof(id), "onet:%s", gs->g[i].l->element->id);
		if ((to = develops_to(body, id)) <= gs->g[i].have)
			continue;
		e = json_pack("{s:s, s:s?, s:i}", "listing", hex, "title",
		    json_string_value(json_object_get(body, "title")),
		    "level", to);
		if (e == NULL ||
		    json_array_append_new(gs->g[i].listings, e) != 0) {
			gs->rc = MENTOR_ENOMEM;
			break;
		}
	}
	json_decref(body);
	return gs->rc;
}

static int
trainable(const struct fw_level *l)
{
	return l->im >= IM_IMPORTANT && l->lv >= 0 &&
	    strcmp(l->element->kind, "ability") != 0;
}

/* pathway_one: the gaps of student st toward occupation code. */
static json_t *
pathway_one(struct cmd_ctx *c, const struct frameworks *fw, json_t *st,
    const char *code)
{
	const struct fw_level *lv;
	char id[COMPETENCY_ID_MAX + 8];
	struct gaps gs = { NULL, 0, 0 };
	json_t *o = NULL, *arr, *e;
	size_t n, i;
	int need, have;

	n = fw_occupation_levels(fw, code, &lv);
	if ((gs.g = calloc(n + 1, sizeof(*gs.g))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!trainable(&lv[i]))
			continue;
		snprintf(id, sizeof(id), "onet:%s", lv[i].element->id);
		need = fw_lv_level(lv[i].lv);
		have = (int)json_integer_value(json_object_get(
		    json_object_get(st, "competencies"), id));
		if (have >= need)
			continue;
		gs.g[gs.n].l = &lv[i];
		gs.g[gs.n].need = need;
		gs.g[gs.n].have = have;
		if ((gs.g[gs.n].listings = json_array()) == NULL)
			goto fail;
		gs.n++;
	}
	if (gs.n > 0 && (records_foreach_live(c->node->records, gap_listing,
	    &gs) != 0 || gs.rc != 0))
		goto fail;
	o = json_pack("{s:s, s:s?, s:b, s:[]}", "occupation", code, "title",
	    fw_occupation_title(fw, code), "rated", n > 0, "gaps");
	if (o == NULL)
		goto fail;
	arr = json_object_get(o, "gaps");
	for (i = 0; i < gs.n; i++) {
		snprintf(id, sizeof(id), "onet:%s", gs.g[i].l->element->id);
		e = json_pack("{s:s, s:s, s:s, s:f, s:f, s:i, s:i, s:O}",
		    "competency", id, "name", gs.g[i].l->element->name,
		    "kind", gs.g[i].l->element->kind, "im", gs.g[i].l->im,
		    "lv", gs.g[i].l->lv, "need", gs.g[i].need, "have",
		    gs.g[i].have, "listings", gs.g[i].listings);
		if (e == NULL || json_array_append_new(arr, e) != 0) {
			json_decref(o);
			o = NULL;
			goto fail;
		}
	}
fail:
	for (i = 0; i < gs.n; i++)
		json_decref(gs.g[i].listings);
	free(gs.g);
	return o;
}

int
cmd_pathway(struct cmd_ctx *c)
{
	const struct frameworks *fw;
	const char *id;
	json_t *st = NULL, *occ, *arr, *one;
	size_t i;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_student(c, "student", &id)) != 0 ||
	    (rc = need_fw(c, &fw)) != 0)
		return rc;
	if (!fw_has_levels(fw))
		return cmd_fail(c, MENTOR_ENOTFOUND, "pathway: %s", no_levels);
	if ((rc = student_load(c->node, id, &st)) != 0)
		return cmd_fail(c, rc, rc == MENTOR_ENOTFOUND ? "no student "
		    "%s" : "cannot read student %s", id);
	occ = json_object_get(json_object_get(st, "goals"), "occupations");
	if ((c->result = json_pack("{s:s, s:[]}", "student", id,
	    "occupations")) == NULL) {
		json_decref(st);
		return MENTOR_ENOMEM;
	}
	arr = json_object_get(c->result, "occupations");
	json_array_foreach(occ, i, one) {
		json_t *p = pathway_one(c, fw, st, json_string_value(one));

		if (p == NULL || json_array_append_new(arr, p) != 0) {
			json_decref(st);
			json_decref(c->result);
			c->result = NULL;
			return MENTOR_ENOMEM;
		}
	}
	json_decref(st);
	return 0;
}

/* ---- listing.suggest ---- */

struct pick {
	const struct fw_level	*l;
};

static int
pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->l->im != y->l->im)
		return x->l->im > y->l->im ? -1 : 1;
	if (x->l->lv != y->l->lv)
		return x->l->lv > y->l->lv ? -1 : 1;
	return strcmp(x->l->element->id, y->l->element->id);
}

/*
 * suggest_one: requires (the most important basic skills, 2.A, at most
 * level 2) and develops (the most important other skills and knowledge,
 * at the occupation's level) for the first occupation of the listing O*NET
 * rates.  NULL when none is rated.
 */
static json_t *
suggest_one(const struct frameworks *fw, json_t *listing)
{
	const struct fw_level *lv = NULL;
	struct pick *p;
	json_t *occ, *o, *req, *dev, *e;
	const char *code = NULL;
	char id[COMPETENCY_ID_MAX + 8];
	size_t n = 0, np = 0, i, nreq = 0, ndev = 0;
	int level;

	json_array_foreach(json_object_get(listing, "occupations"), i, occ)
		if ((n = fw_occupation_levels(fw, json_string_value(occ),
		    &lv)) > 0) {
			code = json_string_value(occ);
			break;
		}
	if (n == 0)
		return NULL;
	if ((p = calloc(n, sizeof(*p))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (trainable(&lv[i]) && fw_lv_level(lv[i].lv) > 0)
			p[np++].l = &lv[i];
	qsort(p, np, sizeof(*p), pick_cmp);
	o = json_pack("{s:s, s:[], s:[]}", "from", code, "requires",
	    "develops");
	req = json_object_get(o, "requires");
	dev = json_object_get(o, "develops");
	for (i = 0; o != NULL && i < np; i++) {
		snprintf(id, sizeof(id), "onet:%s", p[i].l->element->id);
		level = fw_lv_level(p[i].l->lv);
		if (strncmp(p[i].l->element->id, "2.A.", 4) == 0) {
			if (nreq == SUGGEST_REQUIRES)
				continue;
			if (level > SUGGEST_REQ_MAX)
				level = SUGGEST_REQ_MAX;
			e = json_pack("{s:s, s:i}", "competency", id, "level",
			    level);
			nreq++;
			json_array_append_new(req, e);
		} else if (ndev < SUGGEST_DEVELOPS) {
			e = json_pack("{s:s, s:i}", "competency", id, "level",
			    level);
			ndev++;
			json_array_append_new(dev, e);
		}
	}
	free(p);
	return o;
}

int
cmd_listing_suggest(struct cmd_ctx *c)
{
	const struct frameworks *fw;
	json_t *in, *arr, *l, *s;
	json_error_t je;
	size_t i;
	int rc;

	if ((rc = need_fw(c, &fw)) != 0)
		return rc;
	/* The web form sends its listing as the "listing" argument. */
	if (c->data == NULL && (in = json_object_get(c->req->args,
	    "listing")) != NULL) {
		if (!json_is_object(in))
			return cmd_fail(c, MENTOR_EINVAL, "listing: must be a "
			    "listing object");
		json_incref(in);
	} else if (c->data == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "listing.suggest needs the "
		    "listing file as a data frame, or a listing argument");
	else if ((in = json_loadb((const char *)c->data, c->datalen, 0,
	    &je)) == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "line %d: %s", je.line,
		    je.text);
	if (!json_is_object(in) && !json_is_array(in)) {
		json_decref(in);
		return cmd_fail(c, MENTOR_EINVAL, "must be a listing object "
		    "or an array of them");
	}
	if (!fw_has_levels(fw)) {
		json_decref(in);
		return cmd_fail(c, MENTOR_ENOTFOUND, "listing suggest: %s",
		    no_levels);
	}
	arr = json_array();
	for (i = 0; i < (json_is_array(in) ? json_array_size(in) : 1); i++) {
		l = json_is_array(in) ? json_array_get(in, i) : in;
		if (!json_is_object(l) || json_object_get(l, "requires") ||
		    json_object_get(l, "develops"))
			s = json_null();
		else if ((s = suggest_one(fw, l)) == NULL)
			s = json_null();
		json_array_append_new(arr, s);
	}
	json_decref(in);
	c->result = json_pack("{s:o}", "suggestions", arr);
	return c->result != NULL ? 0 : MENTOR_ENOMEM;
}

/* ---- CASE frameworks ---- */

static int
fw_path(struct cmd_ctx *c, const char *id, char *out, size_t outlen)
{
	if (!case_id_ok(id))
		return cmd_fail(c, MENTOR_EINVAL, "id: \"%.70s\" is not a "
		    "CASE document identifier", id);
	snprintf(out, outlen, "%s/frameworks/%s.json", c->node->dir, id);
	return 0;
}

/* put_file: writes text to path through a temporary file; NULL removes. */
static int
put_file(const char *path, const char *text)
{
	char tmp[PATH_MAX + 400];
	FILE *f;
	int ok;

	if (text == NULL)
		return unlink(path) == 0 || errno == ENOENT ? 0 : MENTOR_EIO;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "wb")) == NULL)
		return MENTOR_EIO;
	ok = fputs(text, f) >= 0;
	ok = fflush(f) == 0 && ok;
	ok = fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return MENTOR_EIO;
	}
	return 0;
}

static char *
get_file(const char *path)
{
	json_t *j = json_load_file(path, 0, NULL);
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

/*
 * swap: replaces (text) or removes (NULL) the framework file at path and
 * reloads the matcher; on failure puts the old file back.
 */
static int
swap(struct cmd_ctx *c, const char *path, const char *text)
{
	char err[MSG_ERR_MAX], e2[64];
	char *old = get_file(path);
	int rc;

	if ((rc = put_file(path, text)) != 0) {
		free(old);
		return cmd_fail(c, rc, "cannot write %s", path);
	}
	if ((rc = matching_reload(c->node, err, sizeof(err))) != 0) {
		put_file(path, old);
		matching_reload(c->node, e2, sizeof(e2));
		free(old);
		return cmd_fail(c, rc, "%s", err);
	}
	free(old);
	return 0;
}

int
cmd_framework_import(struct cmd_ctx *c)
{
	char path[PATH_MAX + 200], dir[PATH_MAX + 16];
	json_t *fw = NULL;
	char *text = NULL;
	int rc;

	if (c->data == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "framework.import needs the "
		    "CFPackage as a data frame");
	if ((rc = case_parse((const char *)c->data, c->datalen, &fw, c->err,
	    sizeof(c->err))) != 0)
		return rc;
	if ((rc = fw_path(c, json_string_value(json_object_get(fw, "id")),
	    path, sizeof(path))) != 0)
		goto done;
	snprintf(dir, sizeof(dir), "%s/frameworks", c->node->dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = cmd_fail(c, MENTOR_EIO, "cannot create %s", dir);
		goto done;
	}
	if ((text = json_dumps(fw, JSON_COMPACT)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto done;
	}
	if ((rc = swap(c, path, text)) != 0)
		goto done;
	c->result = json_pack("{s:O, s:O, s:i, s:i}", "id",
	    json_object_get(fw, "id"), "title", json_object_get(fw, "title"),
	    "items", (int)json_array_size(json_object_get(fw, "items")),
	    "exact_matches",
	    (int)json_array_size(json_object_get(fw, "exact")));
	rc = c->result != NULL ? 0 : MENTOR_ENOMEM;
done:
	free(text);
	json_decref(fw);
	return rc;
}

int
cmd_framework_list(struct cmd_ctx *c)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300];
	struct dirent *de;
	json_t *a, *j;
	size_t len;
	DIR *d;

	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	snprintf(dir, sizeof(dir), "%s/frameworks", c->node->dir);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (de->d_name[0] == '.' || len < 6 ||
			    strcmp(de->d_name + len - 5, ".json") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if ((j = json_load_file(path, 0, NULL)) == NULL)
				continue;
			json_array_append_new(a, json_pack("{s:O, s:O, s:i, "
			    "s:i}", "id", json_object_get(j, "id"), "title",
			    json_object_get(j, "title"), "items",
			    (int)json_array_size(json_object_get(j, "items")),
			    "exact_matches", (int)json_array_size(
			    json_object_get(j, "exact"))));
			json_decref(j);
		}
		closedir(d);
	}
	c->result = a;
	return 0;
}

int
cmd_framework_show(struct cmd_ctx *c)
{
	char path[PATH_MAX + 200];
	const char *id;
	int rc;

	if ((rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = fw_path(c, id, path, sizeof(path))) != 0)
		return rc;
	if ((c->result = json_load_file(path, 0, NULL)) == NULL)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no framework %s", id);
	return 0;
}

int
cmd_framework_remove(struct cmd_ctx *c)
{
	char path[PATH_MAX + 200];
	const char *id;
	int rc;

	if ((rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = fw_path(c, id, path, sizeof(path))) != 0)
		return rc;
	if (access(path, F_OK) != 0)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no framework %s", id);
	if ((rc = swap(c, path, NULL)) != 0)
		return rc;
	c->result = json_pack("{s:s}", "id", id);
	return c->result != NULL ? 0 : MENTOR_ENOMEM;
}

/* ---- listing.export: schema.org JobPosting JSON-LD ---- */

static const char *
jp_name(void *arg, int what, const char *id)
{
	const struct frameworks *fw = arg;

	return what == 'c' ? fw_competency_name(fw, id) :
	    fw_occupation_title(fw, id);
}

struct export_arg {
	const struct frameworks	*fw;
	json_t			*out;
	int			 rc;
};

static int
export_one(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	struct export_arg *a = arg;
	char hex[2 * REC_ADDR_LEN + 1], ts[21];
	json_t *l, *jp;

	l = json_loadb((const char *)r->body, r->body_len, 0, NULL);
	if (!json_is_object(l)) {
		json_decref(l);
		return 0;
	}
	hex_encode(hex, addr, REC_ADDR_LEN);
	json_object_set_new(l, "id", json_string(hex));
	json_object_set_new(l, "ref", json_stringn(r->ref, r->ref_len));
	time_format(ts, (int64_t)r->expires_at);
	json_object_set_new(l, "expires", json_string(ts));
	time_format(ts, (int64_t)r->created_at);
	json_object_set_new(l, "created", json_string(ts));
	jp = jobposting_from_listing(l, a->fw != NULL ? jp_name : NULL,
	    (void *)a->fw);
	json_decref(l);
	if (jp == NULL || json_array_append_new(a->out, jp) != 0) {
		a->rc = MENTOR_ENOMEM;
		return a->rc;
	}
	return 0;
}

int
cmd_listing_export(struct cmd_ctx *c)
{
	struct export_arg a;
	const char *fmt = "jsonld";
	int rc;

	if ((rc = arg_str(c, "format", 0, &fmt)) != 0)
		return rc;
	if (strcmp(fmt, "jsonld") != 0)
		return cmd_fail(c, MENTOR_EINVAL, "format: only \"jsonld\"");
	a.fw = matching_frameworks(c->node);
	a.rc = 0;
	if ((a.out = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = records_foreach_live(c->node->records, export_one,
	    &a)) != 0 || a.rc != 0) {
		json_decref(a.out);
		return rc != 0 ? rc : a.rc;
	}
	c->result = a.out;
	return 0;
}

int
cmd_zip_lookup(struct cmd_ctx *c)
{
	const struct resolve *res;
	const char *zip;
	double lat, lon;
	size_t i;
	int rc;

	if ((rc = arg_str(c, "zip", 1, &zip)) != 0)
		return rc;
	for (i = 0; zip[i] >= '0' && zip[i] <= '9'; i++)
		;
	if (i != 5 || zip[5] != '\0')
		return cmd_fail(c, MENTOR_EINVAL, "zip: a US ZIP code is 5 "
		    "digits, not \"%.20s\"", zip);
	if ((res = matching_resolve(c->node, c->err, sizeof(c->err))) == NULL)
		return MENTOR_ENOTFOUND;
	if (resolve_zip_count(res) == 0)
		return cmd_fail(c, MENTOR_ENOTFOUND, "this node has no ZIP "
		    "code table (zip.tsv in its data directory)");
	if (resolve_zip(res, zip, &lat, &lon) != 0)
		return cmd_fail(c, MENTOR_ENOTFOUND, "zip: %s is not in the "
		    "Census Bureau's table of ZIP code areas (2021); give "
		    "lat and lon instead", zip);
	c->result = json_pack("{s:s,s:f,s:f}", "zip", zip, "lat", lat, "lon",
	    lon);
	return c->result ? 0 : MENTOR_ENOMEM;
}
