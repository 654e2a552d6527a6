/*
 * jobposting.c: listing <-> schema.org JobPosting JSON-LD (jobposting.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobposting.h"
#include "listing.h"
#include "mentor.h"
#include "util.h"

#define ONET_SOC_SET	"https://www.onetcenter.org/taxonomy.html"
#define ONET_TERM_SET	"https://www.onetcenter.org/content.html"

/* set: o[k] = v (consumed) unless v is NULL; 0 or -1. */
static int
set(json_t *o, const char *k, json_t *v)
{
	return v == NULL ? 0 : json_object_set_new(o, k, v);
}

static json_t *
copy(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v != NULL ? json_deep_copy(v) : NULL;
}

static json_t *
terms(const json_t *items, jobposting_name_fn names, void *arg)
{
	json_t *a = json_array(), *it, *t;
	const char *id, *n;
	size_t i;

	json_array_foreach(items, i, it) {
		if ((id = json_string_value(json_object_get(it,
		    "competency"))) == NULL)
			continue;
		t = json_pack("{s:s, s:s}", "@type", "DefinedTerm", "termCode",
		    id);
		if (t != NULL && strncmp(id, "onet:", 5) == 0)
			set(t, "inDefinedTermSet", json_string(ONET_TERM_SET));
		if (t != NULL && names != NULL &&
		    (n = names(arg, 'c', id)) != NULL)
			set(t, "name", json_string(n));
		json_array_append_new(a, t);
	}
	return a;
}

json_t *
jobposting_from_listing(const json_t *l, jobposting_name_fn names, void *arg)
{
	json_t *j, *occ, *o, *v, *loc, *m;
	const char *kind, *mod, *s, *n;
	size_t i;
	int wbp;

	if (!json_is_object(l))
		return NULL;
	kind = json_string_value(json_object_get(l, "kind"));
	mod = json_string_value(json_object_get(l, "modality"));
	wbp = kind != NULL && (strcmp(kind, "apprenticeship") == 0 ||
	    strcmp(kind, "internship") == 0);
	j = json_pack("{s:[s,{s:s}]}", "@context", "https://schema.org",
	    "mentord", "urn:mentord:");
	if (j == NULL)
		return NULL;
	set(j, "@type", wbp ? json_pack("[ss]", "JobPosting",
	    "WorkBasedProgram") : json_string("JobPosting"));
	if ((s = json_string_value(json_object_get(l, "id"))) != NULL)
		set(j, "identifier", json_pack("{s:s, s:s, s:s}", "@type",
		    "PropertyValue", "propertyID", "mentord:listing", "value",
		    s));
	set(j, "title", copy(l, "title"));
	if (wbp)
		set(j, "name", copy(l, "title"));
	set(j, "description", json_object_get(l, "description") ?
	    copy(l, "description") : copy(l, "title"));
	if ((s = json_string_value(json_object_get(l, "organization"))) !=
	    NULL)
		set(j, "hiringOrganization", json_pack("{s:s, s:s}", "@type",
		    "Organization", "name", s));
	set(j, "employmentType", json_string(kind != NULL &&
	    strcmp(kind, "internship") == 0 ? "INTERN" : "OTHER"));
	set(j, "totalJobOpenings", copy(l, "capacity"));
	if (wbp)
		set(j, "maximumEnrollment", copy(l, "capacity"));
	set(j, "jobStartDate", copy(l, "start"));
	if (wbp) {
		set(j, "startDate", copy(l, "start"));
		set(j, "endDate", copy(l, "end"));
	}
	set(j, "validThrough", copy(l, "expires"));
	if ((s = json_string_value(json_object_get(l, "created"))) != NULL)
		set(j, "datePosted", json_stringn(s, 10));
	if (mod != NULL && strcmp(mod, "in_person") != 0)
		set(j, "jobLocationType", json_string("TELECOMMUTE"));
	loc = json_object_get(l, "location");
	if (json_is_object(loc))
		set(j, "jobLocation", json_pack("{s:s, s:{s:s, s:O, s:O}}",
		    "@type", "Place", "geo", "@type", "GeoCoordinates",
		    "latitude", json_object_get(loc, "lat"), "longitude",
		    json_object_get(loc, "lon")));
	if ((occ = json_object_get(l, "occupations")) != NULL &&
	    json_array_size(occ) > 0) {
		set(j, "occupationalCategory", (v = json_array()));
		json_array_foreach(occ, i, o) {
			if ((s = json_string_value(o)) == NULL)
				continue;
			m = json_pack("{s:s, s:s, s:s}", "@type",
			    "CategoryCode", "codeValue", s, "inCodeSet",
			    ONET_SOC_SET);
			if (m != NULL && names != NULL &&
			    (n = names(arg, 'o', s)) != NULL)
				set(m, "name", json_string(n));
			json_array_append_new(v, m);
		}
	}
	if (json_array_size(json_object_get(l, "requires")) > 0)
		set(j, "skills", terms(json_object_get(l, "requires"), names,
		    arg));
	/* The listing itself, losslessly. */
	set(j, "mentord:ref", copy(l, "ref"));
	set(j, "mentord:description", copy(l, "description"));
	set(j, "mentord:kind", copy(l, "kind"));
	set(j, "mentord:modality", copy(l, "modality"));
	set(j, "mentord:capacity", copy(l, "capacity"));
	set(j, "mentord:clusters", copy(l, "clusters"));
	set(j, "mentord:occupations", copy(l, "occupations"));
	set(j, "mentord:requires", copy(l, "requires"));
	set(j, "mentord:develops", copy(l, "develops"));
	set(j, "mentord:location", copy(l, "location"));
	set(j, "mentord:start", copy(l, "start"));
	set(j, "mentord:end", copy(l, "end"));
	set(j, "mentord:minAge", copy(l, "min_age"));
	set(j, "mentord:expires", copy(l, "expires"));
	return j;
}

/* ---- import ---- */

/* has_type: node's @type is t or an array holding t. */
static int
has_type(const json_t *node, const char *t)
{
	const json_t *ty = json_object_get(node, "@type"), *e;
	const char *s;
	size_t i;

	if ((s = json_string_value(ty)) != NULL)
		return strcmp(s, t) == 0 || (strncmp(s, "schema:", 7) == 0 &&
		    strcmp(s + 7, t) == 0);
	json_array_foreach(ty, i, e)
		if ((s = json_string_value(e)) != NULL && (strcmp(s, t) == 0 ||
		    (strncmp(s, "schema:", 7) == 0 && strcmp(s + 7, t) == 0)))
			return 1;
	return 0;
}

/* text: a string member, or the "name" / "@value" of an object member. */
static const char *
text(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v))
		v = json_object_get(v, "@value") ? json_object_get(v,
		    "@value") : json_object_get(v, "name");
	return json_string_value(v);
}

static int
number(const json_t *v, double *out)
{
	char *end;
	const char *s;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if ((s = json_string_value(v)) == NULL || *s == '\0')
		return -1;
	*out = strtod(s, &end);
	return *end == '\0' ? 0 : -1;
}

/* soc: the O*NET-SOC code at the start of s ("51-4121.00 Welders"). */
static json_t *
soc(const char *s)
{
	char code[11];
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < 7; i++)
		if (i == 2 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			return NULL;
	memcpy(code, s, 7);
	if (s[7] == '.' && s[8] >= '0' && s[8] <= '9' && s[9] >= '0' &&
	    s[9] <= '9') {
		memcpy(code + 7, s + 7, 3);
		code[10] = '\0';
	} else
		memcpy(code + 7, ".00", 4);
	return json_string(code);
}

static int
occupations(const json_t *p, json_t *l)
{
	const json_t *v = json_object_get(p, "occupationalCategory"), *e;
	json_t *a, *c;
	size_t i;

	if (v == NULL)
		return 0;
	if (!json_is_array(v)) {
		a = json_array();
		json_array_append(a, (json_t *)v);
	} else
		a = json_incref((json_t *)v);
	set(l, "occupations", json_array());
	json_array_foreach(a, i, e) {
		c = soc(json_is_object(e) ? json_string_value(
		    json_object_get(e, "codeValue")) : json_string_value(e));
		if (c != NULL)
			json_array_append_new(json_object_get(l,
			    "occupations"), c);
	}
	json_decref(a);
	if (json_array_size(json_object_get(l, "occupations")) == 0)
		json_object_del(l, "occupations");
	return 0;
}

/* skills: DefinedTerms with a competency-id termCode, required at 1. */
static void
skills(const json_t *p, json_t *l)
{
	const json_t *v = json_object_get(p, "skills"), *e;
	const char *id;
	json_t *a = json_array();
	size_t i;

	json_array_foreach(json_is_array(v) ? v : NULL, i, e)
		if ((id = json_string_value(json_object_get(e, "termCode"))) !=
		    NULL && strlen(id) <= COMPETENCY_ID_MAX &&
		    competency_id_valid(id))
			json_array_append_new(a, json_pack("{s:s, s:i}",
			    "competency", id, "level", 1));
	if (json_object_get(v, "termCode") != NULL &&
	    (id = json_string_value(json_object_get(v, "termCode"))) != NULL &&
	    strlen(id) <= COMPETENCY_ID_MAX && competency_id_valid(id))
		json_array_append_new(a, json_pack("{s:s, s:i}", "competency",
		    id, "level", 1));
	if (json_array_size(a) > 0)
		set(l, "requires", a);
	else
		json_decref(a);
}

/* date: the YYYY-MM-DD at the start of a date or date-time string. */
static json_t *
date(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && strlen(s) >= 10 ? json_stringn(s, 10) : NULL;
}

static int
one(const json_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
	static const struct {
		const char	*from, *to;
	} lossless[] = {
		{ "mentord:ref", "ref" }, { "mentord:kind", "kind" },
		{ "mentord:description", "description" },
		{ "mentord:modality", "modality" },
		{ "mentord:capacity", "capacity" },
		{ "mentord:clusters", "clusters" },
		{ "mentord:occupations", "occupations" },
		{ "mentord:requires", "requires" },
		{ "mentord:develops", "develops" },
		{ "mentord:location", "location" },
		{ "mentord:start", "start" }, { "mentord:end", "end" },
		{ "mentord:minAge", "min_age" },
		{ "mentord:expires", "expires" },
	};
	const json_t *loc, *geo, *v;
	const char *s, *et;
	json_t *l;
	double lat, lon;
	size_t i;
	int remote;

	if ((l = json_object()) == NULL)
		return MENTOR_ENOMEM;
	if ((s = text(p, "title")) == NULL && (s = text(p, "name")) == NULL) {
		json_decref(l);
		return mentor_errf(err, errlen, MENTOR_EINVAL, "posting %zu: title: "
		    "missing", n);
	}
	set(l, "title", json_string(s));
	if ((s = text(p, "hiringOrganization")) == NULL) {
		json_decref(l);
		return mentor_errf(err, errlen, MENTOR_EINVAL, "posting %zu: "
		    "hiringOrganization: missing (its name is the listing's "
		    "organization)", n);
	}
	set(l, "organization", json_string(s));
	if ((s = text(p, "description")) != NULL)
		set(l, "description", json_string(s));
	et = text(p, "employmentType");
	if (et != NULL && strcmp(et, "INTERN") == 0)
		set(l, "kind", json_string("internship"));
	else if (has_type(p, "WorkBasedProgram"))
		set(l, "kind", json_string("apprenticeship"));
	v = json_object_get(p, "totalJobOpenings");
	set(l, "capacity", json_is_integer(v) ? json_incref((json_t *)v) :
	    json_integer(1));
	loc = json_object_get(p, "jobLocation");
	if (json_is_array(loc))
		loc = json_array_get(loc, 0);
	geo = json_object_get(loc, "geo");
	if (json_is_object(geo) && number(json_object_get(geo, "latitude"),
	    &lat) == 0 && number(json_object_get(geo, "longitude"),
	    &lon) == 0)
		set(l, "location", json_pack("{s:f, s:f}", "lat", lat, "lon",
		    lon));
	s = text(p, "jobLocationType");
	remote = s != NULL && strcmp(s, "TELECOMMUTE") == 0;
	set(l, "modality", json_string(!remote ? "in_person" :
	    json_object_get(l, "location") ? "hybrid" : "virtual"));
	set(l, "start", date(json_object_get(p, "jobStartDate")));
	if ((s = text(p, "validThrough")) != NULL)
		set(l, "expires", strlen(s) == 10 ?
		    json_sprintf("%sT00:00:00Z", s) : json_string(s));
	occupations(p, l);
	skills(p, l);
	/* Our own export: its description was filled in for schema.org. */
	if (json_object_get(p, "mentord:kind") != NULL)
		json_object_del(l, "description");
	for (i = 0; i < sizeof(lossless) / sizeof(lossless[0]); i++)
		if ((v = json_object_get(p, lossless[i].from)) != NULL)
			set(l, lossless[i].to, json_deep_copy(v));
	if (json_object_get(l, "kind") == NULL) {
		json_decref(l);
		return mentor_errf(err, errlen, MENTOR_EINVAL, "posting %zu: kind: "
		    "cannot tell (give \"mentord:kind\", employmentType "
		    "INTERN, or @type WorkBasedProgram)", n);
	}
	*out = l;
	return 0;
}

int
jobposting_to_listings(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	json_t *doc, *nodes, *a, *node, *l = NULL;
	json_error_t je;
	size_t i, n = 0;
	int rc = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > JOBPOSTING_FILE_MAX)
		return mentor_errf(err, errlen, MENTOR_ETOOBIG, "larger than %u bytes",
		    JOBPOSTING_FILE_MAX);
	if ((doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "not JSON: line %d: %s",
		    je.line, je.text);
	if (json_is_object(doc) && json_is_array(json_object_get(doc,
	    "@graph")))
		nodes = json_object_get(doc, "@graph");
	else
		nodes = doc;
	if ((a = json_array()) == NULL) {
		json_decref(doc);
		return MENTOR_ENOMEM;
	}
	for (i = 0; i < (json_is_array(nodes) ? json_array_size(nodes) : 1);
	    i++) {
		node = json_is_array(nodes) ? json_array_get(nodes, i) : nodes;
		if (!json_is_object(node) || !has_type(node, "JobPosting"))
			continue;
		if (++n > JOBPOSTING_MAX) {
			rc = mentor_errf(err, errlen, MENTOR_ETOOBIG, "more than %d "
			    "postings", JOBPOSTING_MAX);
			break;
		}
		if ((rc = one(node, n, &l, err, errlen)) != 0)
			break;
		json_array_append_new(a, l);
	}
	if (rc == 0 && n == 0)
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "no JobPosting in the "
		    "document (an object with \"@type\": \"JobPosting\")");
	json_decref(doc);
	if (rc != 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}
