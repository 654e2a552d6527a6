/*
 * wblcred.c: the Open Badges 3.0 credential of a work-based learning
 * experience (wblcred.h, SPEC.md 14.5), built from what the school node
 * knows of a completed placement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "mentor.h"
#include "util.h"
#include "wblcred.h"

/* The listing kinds (SPEC 2, listing.c) as words for people. */
static const struct {
	const char	*kind, *word;
} kinds[] = {
	{ "job_shadow",		"Job shadow" },
	{ "mentorship",		"Mentorship" },
	{ "internship",		"Internship" },
	{ "apprenticeship",	"Apprenticeship" },
	{ "project",		"Project" },
};

static const char *const levels[] = { "none", "beginning", "developing",
	"proficient", "advanced" };

static const char *
kind_word(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].word;
	return "Work-based learning";
}

static int
need_str(const json_t *o, const char *k, const char *path, const char **out,
    char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, k);

	if (v == NULL)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "%s%s: missing",
		    path, k);
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return mentor_errf(err, errlen, MENTOR_EINVAL, "%s%s: must be "
		    "a non-empty string", path, k);
	*out = json_string_value(v);
	return 0;
}

/* hours: "16 hours", "16 hours 30 minutes", "45 minutes". */
static void
hours(char *buf, size_t len, long long minutes)
{
	long long h = minutes / 60, m = minutes % 60;

	if (h > 0 && m > 0)
		snprintf(buf, len, "%lld hour%s %lld minute%s", h,
		    h == 1 ? "" : "s", m, m == 1 ? "" : "s");
	else if (h > 0)
		snprintf(buf, len, "%lld hour%s", h, h == 1 ? "" : "s");
	else
		snprintf(buf, len, "%lld minute%s", m, m == 1 ? "" : "s");
}

static json_t *
alignment(const json_t *c, char *err, size_t errlen, size_t i, int *rc)
{
	const char *id, *name, *url;
	json_t *a;
	char path[48];
	long long level;
	int onet;

	snprintf(path, sizeof(path), "competencies[%zu].", i);
	if ((*rc = need_str(c, "id", path, &id, err, errlen)) != 0 ||
	    (*rc = need_str(c, "name", path, &name, err, errlen)) != 0 ||
	    (*rc = need_str(c, "url", path, &url, err, errlen)) != 0)
		return NULL;
	if (!json_is_integer(json_object_get(c, "level")) ||
	    (level = json_integer_value(json_object_get(c, "level"))) < 0 ||
	    level > 4) {
		*rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%slevel: must "
		    "be an integer 0 to 4", path);
		return NULL;
	}
	onet = strncmp(id, "onet:", 5) == 0;
	if (!onet && strncmp(id, "case:", 5) != 0) {
		*rc = mentor_errf(err, errlen, MENTOR_EINVAL, "%sid: \"%.64s\" "
		    "is neither onet: nor case:", path, id);
		return NULL;
	}
	a = json_pack("{s:[s],s:s,s:s,s:s,s:s,s:s,s:s}",
	    "type", "Alignment",
	    "targetName", name,
	    "targetCode", id + 5,
	    "targetFramework", onet ? "O*NET Content Model" :
	    "CASE competency framework",
	    "targetUrl", url,
	    "targetType", onet ? "ext:ONETElement" : "CFItem",
	    "targetDescription", levels[level]);
	if (a == NULL)
		*rc = MENTOR_ENOMEM;
	return a;
}

static json_t *
evidence(const json_t *e, char *err, size_t errlen, size_t i, int *rc)
{
	const char *id, *name, *narr;
	char path[48];
	json_t *o;

	snprintf(path, sizeof(path), "evidence[%zu].", i);
	if ((*rc = need_str(e, "id", path, &id, err, errlen)) != 0 ||
	    (*rc = need_str(e, "name", path, &name, err, errlen)) != 0 ||
	    (*rc = need_str(e, "narrative", path, &narr, err, errlen)) != 0)
		return NULL;
	o = json_pack("{s:s,s:[s],s:s,s:s,s:s}", "id", id, "type", "Evidence",
	    "name", name, "narrative", narr, "genre", "Employer evaluation");
	if (o == NULL)
		*rc = MENTOR_ENOMEM;
	return o;
}

int
wblcred_build(const json_t *exp, json_t **out, char *err, size_t errlen)
{
	const char *id, *ach, *did, *iname, *from, *student, *kind, *title;
	const char *employer, *start, *end = NULL;
	const json_t *iss, *comps, *evs, *x;
	json_t *cred = NULL, *al = NULL, *ev = NULL, *o;
	char name[512], desc[1024], crit[1024], hrs[64], dt[32], dte[32];
	int32_t day;
	long long minutes;
	size_t i;
	int rc;

	if (!json_is_object(exp))
		return mentor_errf(err, errlen, MENTOR_EINVAL, "not an object");
	iss = json_object_get(exp, "issuer");
	if ((rc = need_str(exp, "id", "", &id, err, errlen)) != 0 ||
	    (rc = need_str(exp, "achievement", "", &ach, err, errlen)) != 0 ||
	    (rc = need_str(iss, "id", "issuer.", &did, err, errlen)) != 0 ||
	    (rc = need_str(iss, "name", "issuer.", &iname, err, errlen)) != 0 ||
	    (rc = need_str(exp, "valid_from", "", &from, err, errlen)) != 0 ||
	    (rc = need_str(exp, "student", "", &student, err, errlen)) != 0 ||
	    (rc = need_str(exp, "kind", "", &kind, err, errlen)) != 0 ||
	    (rc = need_str(exp, "title", "", &title, err, errlen)) != 0 ||
	    (rc = need_str(exp, "employer", "", &employer, err, errlen)) != 0 ||
	    (rc = need_str(exp, "start", "", &start, err, errlen)) != 0)
		return rc;
	if (json_object_get(exp, "end") != NULL &&
	    (rc = need_str(exp, "end", "", &end, err, errlen)) != 0)
		return rc;
	if (date_parse(start, &day) != 0)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "start: not a "
		    "date (YYYY-MM-DD)");
	if (end != NULL && date_parse(end, &day) != 0)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "end: not a "
		    "date (YYYY-MM-DD)");
	if (!json_is_integer(json_object_get(exp, "minutes")) ||
	    (minutes = json_integer_value(json_object_get(exp, "minutes"))) <
	    0 || minutes > 1000000000LL)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "minutes: must "
		    "be an integer 0 or more");
	comps = json_object_get(exp, "competencies");
	evs = json_object_get(exp, "evidence");
	if ((comps && !json_is_array(comps)) ||
	    json_array_size(comps) > WBLCRED_COMPETENCIES_MAX)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "competencies: "
		    "must be an array of at most %d", WBLCRED_COMPETENCIES_MAX);
	if ((evs && !json_is_array(evs)) ||
	    json_array_size(evs) > WBLCRED_EVIDENCE_MAX)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "evidence: "
		    "must be an array of at most %d", WBLCRED_EVIDENCE_MAX);
	if ((al = json_array()) == NULL || (ev = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto fail;
	}
	json_array_foreach(comps, i, x)
		if ((o = alignment(x, err, errlen, i, &rc)) == NULL ||
		    json_array_append_new(al, o) != 0)
			goto fail;
	json_array_foreach(evs, i, x)
		if ((o = evidence(x, err, errlen, i, &rc)) == NULL ||
		    json_array_append_new(ev, o) != 0)
			goto fail;
	hours(hrs, sizeof(hrs), minutes);
	snprintf(name, sizeof(name), "%s: %s", kind_word(kind), title);
	snprintf(desc, sizeof(desc), "%s with %s, from %s%s%s: %s confirmed "
	    "by the employer.", kind_word(kind), employer, start,
	    end ? " to " : "", end ? end : "", hrs);
	snprintf(crit, sizeof(crit), "Completed the %s \"%s\" with %s "
	    "(%s confirmed)%s.", kind_word(kind), title, employer, hrs,
	    json_array_size(al) > 0 ? " and was evaluated by the employer "
	    "on the aligned competencies" : "");
	snprintf(dt, sizeof(dt), "%sT00:00:00Z", start);
	snprintf(dte, sizeof(dte), "%sT00:00:00Z", end ? end : "");
	cred = json_pack("{s:[s,s],s:s,s:[s,s],s:{s:s,s:[s],s:s},s:s,s:s,"
	    "s:{s:[s],s:[{s:s,s:b,s:s,s:s}],s:s,s:{s:s,s:[s],s:s,s:s,s:s,"
	    "s:{s:s},s:[s]}}}",
	    "@context", CRED_VC_CONTEXT, CRED_OB_CONTEXT,
	    "id", id,
	    "type", "VerifiableCredential", "OpenBadgeCredential",
	    "issuer", "id", did, "type", "Profile", "name", iname,
	    "validFrom", from,
	    "name", name,
	    "credentialSubject",
	    "type", "AchievementSubject",
	    "identifier", "type", "IdentityObject", "hashed", 0,
	    "identityHash", student, "identityType", "name",
	    "activityStartDate", dt,
	    "achievement", "id", ach, "type", "Achievement",
	    "achievementType", "Fieldwork", "name", title,
	    "description", desc, "criteria", "narrative", crit,
	    "tag", kind);
	if (cred == NULL) {
		rc = MENTOR_ENOMEM;
		goto fail;
	}
	o = json_object_get(cred, "credentialSubject");
	if (end != NULL)
		json_object_set_new(o, "activityEndDate", json_string(dte));
	if (json_array_size(al) > 0)
		json_object_set(json_object_get(o, "achievement"),
		    "alignment", al);
	if (json_array_size(ev) > 0)
		json_object_set(cred, "evidence", ev);
	json_decref(al);
	json_decref(ev);
	*out = cred;
	return 0;
fail:
	json_decref(al);
	json_decref(ev);
	json_decref(cred);
	return rc;
}

int
wblcred_sign(json_t *cred, const unsigned char sk[64], const char *created)
{
	json_t *p;
	int rc;

	if ((rc = cred_sign(cred, sk, created)) != 0)
		return rc;
	/* Open Badges' schema wants a proof set: one proof in an array. */
	if ((p = json_pack("[O]", json_object_get(cred, "proof"))) == NULL)
		return MENTOR_ENOMEM;
	return json_object_set_new(cred, "proof", p) == 0 ? 0 :
	    MENTOR_ENOMEM;
}
