/*
 * cmd_match.c: the `match` command: a student's ranked listings with the
 * reasons for each (the matcher itself is match.c; its index matching.c).
 */
#include <math.h>
#include <stdlib.h>

#include "cmd.h"
#include "match.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "students.h"
#include "util.h"

#define TOP_DEFAULT	10
#define TOP_MAX		100

int
cmd_match(struct cmd_ctx *c)
{
	struct match_index *mi = matching_index(c->node);
	struct match_student *ms = NULL;
	struct match_hit *hits = NULL;
	const char *id, *title;
	long long top = TOP_DEFAULT;
	json_t *student = NULL, *list, *reasons, *e;
	char hex[2 * REC_ADDR_LEN + 1];
	size_t nhits = 0, i;
	int64_t now = now_ms();
	int rc;

	if ((rc = cmd_school_only(c)) != 0)
		return rc;
	if (mi == NULL)
		return cmd_fail(c, MENTOR_EIO, "the matcher is not running");
	if ((rc = arg_student(c, "student", &id)) != 0 ||
	    (rc = arg_int(c, "top", 0, 1, TOP_MAX, &top)) != 0)
		return rc;
	rc = student_load(c->node, id, &student);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	rc = ms_compile(mi, student, (int32_t)(now / 86400000), &ms);
	if (rc != 0) {
		rc = cmd_fail(c, rc, "student %.64s: profile cannot be "
		    "matched", id);
		goto out;
	}
	if ((hits = calloc((size_t)top, sizeof(*hits))) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = match_rank(mi, ms, now, (size_t)top, hits,
	    &nhits)) != 0) {
		rc = cmd_fail(c, rc, "matching failed");
		goto out;
	}
	if ((list = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	c->result = json_pack("{s:s,s:o}", "student", id, "matches", list);
	for (i = 0; i < nhits; i++) {
		hex_encode(hex, hits[i].addr, REC_ADDR_LEN);
		title = match_title(mi, hits[i].addr);
		if (match_explain_detail(mi, ms, &hits[i], &reasons) != 0)
			reasons = json_array();
		e = json_pack("{s:s,s:s,s:i,s:{s:i,s:i,s:i,s:i},s:o}",
		    "listing", hex, "title", title ? title : "",
		    "score", hits[i].score,
		    "terms", "readiness", hits[i].readiness,
		    "growth", hits[i].growth, "career", hits[i].career,
		    "logistics", hits[i].logistics, "reasons", reasons);
		if (e && hits[i].distance_km >= 0)
			json_object_set_new(e, "distance_km",
			    json_real(hits[i].distance_km));
		json_array_append_new(list, e);
	}
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	free(hits);
	ms_free(ms);
	json_decref(student);
	return rc;
}

struct cmd_fit {
	struct match_index	*mi;
	struct match_student	*ms;
	json_t			*student;
	int64_t			 now;
};

int
cmd_fit_open(struct cmd_ctx *c, const char *id, struct cmd_fit **out)
{
	struct cmd_fit *f;
	int rc;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return MENTOR_ENOMEM;
	f->now = now_ms();
	if ((f->mi = matching_index(c->node)) == NULL) {
		free(f);
		return cmd_fail(c, MENTOR_EIO, "the matcher is not running");
	}
	rc = student_load(c->node, id, &f->student);
	if (rc == MENTOR_ENOTFOUND)
		rc = cmd_fail(c, rc, "student: no student \"%.64s\"", id);
	else if (rc != 0)
		rc = cmd_fail(c, rc, "store failed");
	else if ((rc = ms_compile(f->mi, f->student,
	    (int32_t)(f->now / 86400000), &f->ms)) != 0)
		rc = cmd_fail(c, rc, "student %.64s: profile cannot be "
		    "matched", id);
	if (rc != 0) {
		cmd_fit_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

void
cmd_fit_close(struct cmd_fit *f)
{
	if (f == NULL)
		return;
	ms_free(f->ms);
	json_decref(f->student);
	free(f);
}

json_t *
cmd_fit_json(struct cmd_fit *f, const uint8_t addr[REC_ADDR_LEN])
{
	struct match_hit hit;
	json_t *why_not, *reasons = NULL, *j;

	if (match_check(f->mi, f->ms, addr, f->now, &hit, &why_not) != 0)
		return json_pack("{s:b,s:[s]}", "matched", 0, "why_not",
		    "It is not open to students now");
	if (json_array_size(why_not) == 0 &&
	    match_explain_detail(f->mi, f->ms, &hit, &reasons) != 0)
		reasons = NULL;
	j = json_pack("{s:b,s:i,s:{s:i,s:i,s:i,s:i},s:o,s:o}",
	    "matched", json_array_size(why_not) == 0, "score", hit.score,
	    "terms", "readiness", hit.readiness, "growth", hit.growth,
	    "career", hit.career, "logistics", hit.logistics,
	    "why_not", why_not, "reasons", reasons ? reasons : json_array());
	if (j && hit.distance_km >= 0) {
		json_object_set_new(j, "distance_km",
		    json_real(floor(hit.distance_km * 10 + 0.5) / 10));
		json_object_set_new(j, "distance_mi",
		    json_real(floor(hit.distance_km / 1.609344 * 10 + 0.5) /
		    10));
	}
	return j;
}
