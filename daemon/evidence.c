/*
 * evidence.c: the school's evaluations and each student's evidence per
 * competency (evidence.h), and applying an evaluation to a profile.  The
 * commands over them are in cmd_evidence.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "application.h"
#include "apps.h"
#include "credential.h"
#include "evidence.h"
#include "frameworks.h"
#include "mentor.h"
#include "matching.h"
#include "node.h"
#include "placement.h"
#include "store.h"
#include "student.h"
#include "util.h"
#include "wblcred.h"

static int
put_json(struct store_txn *t, char prefix, const void *id, size_t len,
    const json_t *j)
{
	uint8_t k[APPS_KEY_MAX];

	return apps_put_json(t, k, apps_aux_key(k, prefix, id, len), j);
}

int
evidence_evaluation(struct store_txn *t, const uint8_t id[16], json_t **out)
{
	uint8_t k[APPS_KEY_MAX];

	return apps_get_json(t, k, apps_aux_key(k, 'v', id, 16), out);
}

json_t *
evidence_get(struct store_txn *t, const char *student)
{
	uint8_t k[APPS_KEY_MAX];
	json_t *e = NULL;
	int rc;

	if (strlen(student) > STUDENT_ID_MAX)
		return json_object();
	rc = apps_get_json(t, k, apps_aux_key(k, 'E', student,
	    strlen(student)), &e);
	if (rc == MENTOR_ENOTFOUND)
		return json_object();
	if (rc != 0)
		return NULL;
	if (!json_is_object(e)) {
		json_decref(e);
		return NULL;
	}
	return e;
}

int
evidence_receive(struct store_txn *t, struct node *n, const char *student,
    const json_t *msg, int64_t received_ms, char *err, size_t errlen)
{
	uint8_t id[16], k[APPS_KEY_MAX];
	const char *type, *hex;
	const void *v;
	size_t vlen;
	json_t *e;
	int rc;

	type = json_string_value(json_object_get(msg, "type"));
	hex = json_string_value(json_object_get(msg, "evaluation"));
	if (type == NULL || strcmp(type, "evaluation") != 0 || hex == NULL ||
	    hex_decode(id, sizeof(id), hex) != 0)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "not an "
		    "evaluation message");
	if (strlen(student) == 0 || strlen(student) > STUDENT_ID_MAX ||
	    !apps_student_exists(t, student))
		return mentor_errf(err, errlen, MENTOR_ENOTFOUND, "the "
		    "evaluation's student is not on this node");
	rc = store_get(t, DB_AUX, k, apps_aux_key(k, 'v', id, sizeof(id)), &v,
	    &vlen);
	if (rc == 0)
		return mentor_errf(err, errlen, MENTOR_EEXIST, "evaluation "
		    "%s: already received", hex);
	if (rc != MENTOR_ENOTFOUND)
		return rc;
	if ((e = json_deep_copy(msg)) == NULL ||
	    json_object_set_new(e, "student", json_string(student)) != 0 ||
	    json_object_set_new(e, "received", json_integer(received_ms)) !=
	    0 || json_object_set_new(e, "applied", json_null()) != 0) {
		json_decref(e);
		return MENTOR_ENOMEM;
	}
	rc = put_json(t, 'v', id, sizeof(id), e);
	json_decref(e);
	if (rc != 0)
		return rc;
	if (n->conf.apply_evaluations == EVIDENCE_AUTO_RAISE)
		return evidence_apply(t, n, id, EVIDENCE_RAISE, "automatic",
		    NULL, err, errlen);
	return 0;
}

struct recv_arg {
	struct node	*node;
	const char	*student;
	json_t		*msg;
	char		*err;
	size_t		 errlen;
};

static int
recv_fn(struct store_txn *t, void *arg)
{
	struct recv_arg *a = arg;

	return evidence_receive(t, a->node, a->student, a->msg, now_ms(),
	    a->err, a->errlen);
}

int
evidence_receive_plain(struct node *n, const char *student,
    const uint8_t *plain, size_t len, char *err, size_t errlen)
{
	struct recv_arg a = { n, student, NULL, err, errlen };
	int rc;

	if ((rc = plc_parse(plain, len, &a.msg, err, errlen)) != 0)
		return rc;
	rc = store_write(n->store, recv_fn, &a);
	json_decref(a.msg);
	return rc;
}

/* evidence_item: one piece of evidence for a rating of evaluation e. */
static json_t *
evidence_item(const json_t *e, const json_t *rating)
{
	char day[11];
	json_t *as = json_object_get(e, "assessor");

	date_format(day, (int32_t)(json_integer_value(json_object_get(e,
	    "created")) / 86400000));
	return json_pack("{s:O,s:O,s:{s:O,s:O},s:s,s:O,s:O}",
	    "level", json_object_get(rating, "level"),
	    "evaluation", json_object_get(e, "evaluation"),
	    "assessor", "name", json_object_get(as, "name"),
	    "organization", json_object_get(as, "organization"),
	    "date", day,
	    "application", json_object_get(e, "application"),
	    "stage", json_object_get(e, "stage"));
}

int
evidence_apply(struct store_txn *t, struct node *n, const uint8_t id[16],
    enum evidence_mode mode, const char *by, json_t **changes, char *err,
    size_t errlen)
{
	json_t *e = NULL, *st = NULL, *norm = NULL, *ev = NULL, *ch = NULL;
	json_t *comps, *r, *list, *changed;
	const char *student, *cid;
	const void *v;
	char ps[33], hex[33], *enc = NULL;
	size_t vlen, i;
	json_int_t level, old;
	int rc;

	hex_encode(hex, id, 16);
	if ((rc = evidence_evaluation(t, id, &e)) != 0) {
		if (rc == MENTOR_ENOTFOUND)
			mentor_errf(err, errlen, rc, "no evaluation %s", hex);
		return rc;
	}
	if (!json_is_null(json_object_get(e, "applied")) &&
	    json_object_get(e, "applied") != NULL) {
		rc = mentor_errf(err, errlen, MENTOR_EEXIST, "evaluation %s: "
		    "already applied", hex);
		goto out;
	}
	if ((student = json_string_value(json_object_get(e, "student"))) ==
	    NULL || strlen(student) == 0 || strlen(student) >
	    STUDENT_ID_MAX) {
		rc = mentor_errf(err, errlen, MENTOR_ENOTFOUND, "evaluation "
		    "%s: no student on this node", hex);
		goto out;
	}
	if ((rc = store_get(t, DB_STUDENTS, student, strlen(student), &v,
	    &vlen)) != 0) {
		if (rc == MENTOR_ENOTFOUND)
			mentor_errf(err, errlen, rc, "evaluation %s: its "
			    "student is no longer on this node", hex);
		goto out;
	}
	if ((st = json_loadb(v, vlen, 0, NULL)) == NULL) {
		rc = MENTOR_ESTORE;
		goto out;
	}
	if ((comps = json_object_get(st, "competencies")) == NULL) {
		json_object_set_new(st, "competencies", json_object());
		comps = json_object_get(st, "competencies");
	}
	if ((ev = evidence_get(t, student)) == NULL ||
	    (ch = json_array()) == NULL || (changed = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	json_array_foreach(json_object_get(e, "ratings"), i, r) {
		if ((cid = json_string_value(json_object_get(r,
		    "competency"))) == NULL)
			continue;
		level = json_integer_value(json_object_get(r, "level"));
		old = json_integer_value(json_object_get(comps, cid));
		if ((list = json_object_get(ev, cid)) == NULL) {
			json_object_set_new(ev, cid, json_array());
			list = json_object_get(ev, cid);
		}
		if (json_array_append_new(list, evidence_item(e, r)) != 0) {
			json_decref(changed);
			rc = MENTOR_ENOMEM;
			goto out;
		}
		if (level == old && json_object_get(comps, cid) != NULL)
			continue;
		if (mode == EVIDENCE_RAISE && level <= old)
			continue;
		json_array_append_new(ch, json_pack("{s:s,s:I,s:I}",
		    "competency", cid, "from", old, "to", level));
		json_array_append_new(changed, json_string(cid));
		json_object_set_new(comps, cid, json_integer(level));
	}
	if ((rc = student_parse(st, &norm, err, errlen)) != 0) {
		json_decref(changed);
		goto out;
	}
	if ((enc = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(changed);
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = store_put(t, DB_STUDENTS, student, strlen(student), enc,
	    strlen(enc))) != 0 ||
	    (rc = put_json(t, 'E', student, strlen(student), ev)) != 0) {
		json_decref(changed);
		goto out;
	}
	json_object_set_new(e, "applied", json_integer(now_ms()));
	json_object_set_new(e, "applied_by", json_string(by));
	json_object_set_new(e, "applied_mode", json_string(mode ==
	    EVIDENCE_RAISE ? "raise" : "set"));
	if ((rc = put_json(t, 'v', id, 16, e)) != 0) {
		json_decref(changed);
		goto out;
	}
	apps_pseudonym_hex(n, student, ps);
	if ((rc = apps_audit_append(t, json_pack("{s:s,s:s,s:s,s:o,s:s}",
	    "action", "evaluation-applied", "student", ps, "evaluation", hex,
	    "competencies", changed, "by", by))) != 0)
		goto out;
	if (changes != NULL) {
		*changes = ch;
		ch = NULL;
	}
out:
	free(enc);
	json_decref(ch);
	json_decref(ev);
	json_decref(norm);
	json_decref(st);
	json_decref(e);
	return rc;
}

/* forget: keys of 'v' and 'b' entries about one student. */
struct forget_arg {
	const char	*student;
	uint8_t		(*keys)[17];
	size_t		 n, cap;
	char		 prefix;
};

static int
forget_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct forget_arg *f = arg;
	const uint8_t *k = key;
	json_t *e;
	void *p;
	int mine;

	if (klen < 1 || k[0] != (uint8_t)f->prefix)
		return 1;
	if (klen != 17 || (e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	mine = json_is_string(json_object_get(e, "student")) &&
	    strcmp(json_string_value(json_object_get(e, "student")),
	    f->student) == 0;
	json_decref(e);
	if (!mine)
		return 0;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		if ((p = realloc(f->keys, f->cap * sizeof(*f->keys))) == NULL)
			return MENTOR_ENOMEM;
		f->keys = p;
	}
	memcpy(f->keys[f->n++], k, klen);
	return 0;
}

int
evidence_forget(struct store_txn *t, const char *student)
{
	static const char prefixes[] = { 'v', 'b' };
	struct forget_arg f;
	uint8_t k[APPS_KEY_MAX];
	size_t i, j;
	int rc;

	if (strlen(student) > STUDENT_ID_MAX)
		return 0;
	rc = store_del(t, DB_AUX, k, apps_aux_key(k, 'E', student,
	    strlen(student)));
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	for (j = 0; j < sizeof(prefixes); j++) {
		memset(&f, 0, sizeof(f));
		f.student = student;
		f.prefix = prefixes[j];
		rc = store_iter(t, DB_AUX, &f.prefix, 1, forget_each, &f);
		for (i = 0; rc >= 0 && i < f.n; i++)
			rc = store_del(t, DB_AUX, f.keys[i], sizeof(f.keys[i]));
		free(f.keys);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- credentials ---------------------------------------------------- */

static const char *
wbl_level_word(json_int_t level)
{
	static const char *const words[] = { "none", "beginning",
	    "developing", "proficient", "advanced" };

	return level >= 0 && level <= 4 ? words[level] : "?";
}

/* uuid: "urn:uuid:" and 16 bytes in the 8-4-4-4-12 form. */
static void
uuid_urn(char out[46], const uint8_t b[16])
{
	char h[33];

	hex_encode(h, b, 16);
	snprintf(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8,
	    h + 12, h + 16, h + 20);
}

/* competency_url: where an alignment points (wblcred.h). */
static void
competency_url(char *out, size_t len, const char *id)
{
	if (strncmp(id, "onet:", 5) == 0)
		snprintf(out, len, "https://www.onetonline.org/find/"
		    "descriptor/result/%s", id + 5);
	else if (strncmp(id, "case:", 5) == 0)
		snprintf(out, len, "urn:uuid:%s", id + 5);
	else
		snprintf(out, len, "urn:mentord:competency:%s", id);
}

struct app_evals {
	const char	*app;		/* 32 hex */
	json_t		*list;		/* the evaluations, key order */
};

static int
app_evals_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct app_evals *a = arg;
	const uint8_t *k = key;
	json_t *e;

	if (klen < 1 || k[0] != 'v')
		return 1;
	if (klen != 17 || (e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	if (json_is_string(json_object_get(e, "application")) &&
	    strcmp(json_string_value(json_object_get(e, "application")),
	    a->app) == 0)
		return json_array_append_new(a->list, e) == 0 ? 0 :
		    MENTOR_ENOMEM;
	json_decref(e);
	return 0;
}

static int
by_created(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x,
	    "created"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y,
	    "created"));

	return a < b ? -1 : a > b;
}

/*
 * experience: what wblcred_build needs, from the placement (entry), the
 * student and the evaluations of the application (oldest first: a later
 * rating of a competency replaces an earlier one).
 */
static json_t *
experience(struct node *n, const json_t *entry, const json_t *student,
    json_t *evals)
{
	const json_t *pl = json_object_get(entry, "placement"), *h, *r, *e;
	json_t *exp, *comps, *evs, *best, *sorted[WBLCRED_EVIDENCE_MAX];
	const struct frameworks *fw = matching_frameworks(n);
	const char *cid, *name;
	char did[CRED_DID_MAX], urn[46], ach[46], url[256], now[21];
	char nm[256], narr[2048], day[11];
	uint8_t rnd[16], lid[16];
	json_int_t minutes = 0;
	size_t i, j, ns, off;
	const char *k;

	json_array_foreach(json_object_get(pl, "hours"), i, h)
		if (json_is_string(json_object_get(h, "status")) &&
		    strcmp(json_string_value(json_object_get(h, "status")),
		    "confirmed") == 0 &&
		    json_is_integer(json_object_get(h, "minutes")))
			minutes += json_integer_value(json_object_get(h,
			    "minutes"));
	ns = json_array_size(evals) < WBLCRED_EVIDENCE_MAX ?
	    json_array_size(evals) : WBLCRED_EVIDENCE_MAX;
	for (i = 0; i < ns; i++)
		sorted[i] = json_array_get(evals, i);
	qsort(sorted, ns, sizeof(sorted[0]), by_created);
	if ((best = json_object()) == NULL || (comps = json_array()) == NULL ||
	    (evs = json_array()) == NULL)
		return NULL;
	for (i = 0; i < ns; i++) {
		e = sorted[i];
		date_format(day, (int32_t)(json_integer_value(json_object_get(
		    e, "created")) / 86400000));
		off = (size_t)snprintf(narr, sizeof(narr), "%s evaluation "
		    "on %s:", json_string_value(json_object_get(e, "stage")),
		    day);
		json_array_foreach(json_object_get(e, "ratings"), j, r) {
			cid = json_string_value(json_object_get(r,
			    "competency"));
			json_object_set(best, cid, json_object_get(r,
			    "level"));
			name = fw ? fw_competency_name(fw, cid) : NULL;
			if (off < sizeof(narr))
				off += (size_t)snprintf(narr + off,
				    sizeof(narr) - off, "%s %s %s (%lld of 4)",
				    j ? ";" : "", name ? name : cid,
				    wbl_level_word(json_integer_value(
				    json_object_get(r, "level"))), (long long)
				    json_integer_value(json_object_get(r,
				    "level")));
		}
		if (off < sizeof(narr))
			snprintf(narr + off, sizeof(narr) - off, ".");
		snprintf(nm, sizeof(nm), "%s evaluation by %s, %s",
		    strcmp(json_string_value(json_object_get(e, "stage")),
		    "final") == 0 ? "Final" : "Midpoint",
		    json_string_value(json_object_get(json_object_get(e,
		    "assessor"), "name")), json_string_value(json_object_get(
		    json_object_get(e, "assessor"), "organization")));
		if (hex_decode(lid, 16, json_string_value(json_object_get(e,
		    "evaluation"))) != 0)
			continue;
		uuid_urn(urn, lid);
		json_array_append_new(evs, json_pack("{s:s,s:s,s:s}", "id",
		    urn, "name", nm, "narrative", narr));
	}
	json_object_foreach(best, k, r) {
		name = fw ? fw_competency_name(fw, k) : NULL;
		competency_url(url, sizeof(url), k);
		json_array_append_new(comps, json_pack("{s:s,s:s,s:O,s:s}",
		    "id", k, "name", name ? name : k, "level", r, "url", url));
	}
	json_decref(best);
	cred_did_key(did, n->sign_pk);
	randombytes_buf(rnd, sizeof(rnd));
	rnd[6] = (rnd[6] & 0x0f) | 0x40;	/* a version 4 UUID */
	rnd[8] = (rnd[8] & 0x3f) | 0x80;
	uuid_urn(urn, rnd);
	/* The achievement is the listing's experience, one URI per listing. */
	memset(lid, 0, sizeof(lid));
	(void)hex_decode(lid, 16, json_string_value(json_object_get(entry,
	    "listing")) ? json_string_value(json_object_get(entry,
	    "listing")) : "");
	uuid_urn(ach, lid);
	time_format(now, now_ms());
	exp = json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:O,s:O,s:O,s:O,s:O,s:I,"
	    "s:o,s:o}",
	    "id", urn, "achievement", ach,
	    "issuer", "id", did, "name", n->conf.name,
	    "valid_from", now,
	    "student", json_object_get(student, "name"),
	    "kind", json_object_get(pl, "kind"),
	    "title", json_object_get(entry, "title"),
	    "employer", json_object_get(pl, "employer_name"),
	    "start", json_object_get(pl, "start"),
	    "minutes", minutes,
	    "competencies", comps, "evidence", evs);
	if (exp != NULL && json_object_get(pl, "end") != NULL)
		json_object_set(exp, "end", json_object_get(pl, "end"));
	return exp;
}

int
evidence_credential_get(struct store_txn *t, const uint8_t app[16],
    json_t **out)
{
	uint8_t k[APPS_KEY_MAX];

	return apps_get_json(t, k, apps_aux_key(k, 'b', app, 16), out);
}

int
evidence_credential_issue(struct store_txn *t, struct node *n,
    const uint8_t app[16], const char *by, json_t **out, char *err,
    size_t errlen)
{
	struct app_evals ae;
	uint8_t k[APPS_KEY_MAX];
	json_t *entry = NULL, *st = NULL, *exp = NULL, *cred = NULL, *b = NULL;
	const json_t *pl;
	const char *student, *state;
	char hex[33], ps[33], now[21];
	const void *v;
	size_t vlen;
	int rc;

	hex_encode(hex, app, 16);
	memset(&ae, 0, sizeof(ae));
	ae.app = hex;
	if ((rc = store_get(t, DB_AUX, k, apps_aux_key(k, 'b', app, 16), &v,
	    &vlen)) == 0)
		return mentor_errf(err, errlen, MENTOR_EEXIST, "application "
		    "%s: a credential was already issued (credential show)",
		    hex);
	if (rc != MENTOR_ENOTFOUND)
		return rc;
	if ((rc = apps_get_json(t, k, apps_aux_key(k, 's', app, 16),
	    &entry)) != 0) {
		if (rc == MENTOR_ENOTFOUND)
			mentor_errf(err, errlen, rc, "no application %s on "
			    "this node", hex);
		return rc;
	}
	pl = json_object_get(entry, "placement");
	state = json_string_value(json_object_get(pl, "state"));
	if (!json_is_object(pl) || state == NULL) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "application %s: "
		    "no placement (it was not accepted)", hex);
		goto out;
	}
	if (strcmp(state, "completed") != 0) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "application %s: "
		    "the placement is %.20s; credentials are issued for "
		    "completed placements", hex, state);
		goto out;
	}
	student = json_string_value(json_object_get(entry, "student"));
	if (student == NULL || strlen(student) == 0 || strlen(student) >
	    STUDENT_ID_MAX || (rc = store_get(t, DB_STUDENTS, student,
	    strlen(student), &v, &vlen)) != 0) {
		rc = mentor_errf(err, errlen, MENTOR_ENOTFOUND, "application "
		    "%s: its student is no longer on this node", hex);
		goto out;
	}
	if ((st = json_loadb(v, vlen, 0, NULL)) == NULL) {
		rc = MENTOR_ESTORE;
		goto out;
	}
	if ((ae.list = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = store_iter(t, DB_AUX, "v", 1, app_evals_each, &ae)) < 0)
		goto out;
	if ((exp = experience(n, entry, st, ae.list)) == NULL) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "application %s: "
		    "the placement lacks its kind, title, employer or start",
		    hex);
		goto out;
	}
	if ((rc = wblcred_build(exp, &cred, err, errlen)) != 0)
		goto out;
	time_format(now, now_ms());
	if ((rc = wblcred_sign(cred, n->sign_sk, now)) != 0)
		goto out;
	if ((b = json_pack("{s:s,s:s,s:I,s:s,s:O}", "application", hex,
	    "student", student, "issued", (json_int_t)now_ms(), "issued_by",
	    by, "credential", cred)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = apps_put_json(t, k, apps_aux_key(k, 'b', app, 16), b)) != 0)
		goto out;
	apps_pseudonym_hex(n, student, ps);
	if ((rc = apps_audit_append(t, json_pack("{s:s,s:s,s:s,s:s}",
	    "action", "credential-issued", "student", ps, "application", hex,
	    "by", by))) != 0)
		goto out;
	if (out != NULL) {
		*out = b;
		b = NULL;
	}
out:
	json_decref(b);
	json_decref(cred);
	json_decref(exp);
	json_decref(ae.list);
	json_decref(st);
	json_decref(entry);
	return rc < 0 ? rc : 0;
}

/* ---- the placement message "evaluation" (placement.h) ---------------- */

int
evidence_plc_apply(struct plc_ctx *p)
{
	json_t *pl = json_object_get(p->entry, "placement"), *list, *e;
	const char *st, *evid, *student, *lst;
	uint8_t id[16], k[APPS_KEY_MAX];
	const void *v;
	size_t vlen;
	int rc;

	if (!json_is_object(pl))
		return mentor_errf(p->err, sizeof(p->err), MENTOR_EINVAL,
		    "application %s has no placement: it was not accepted",
		    p->app_hex);
	st = json_string_value(json_object_get(pl, "state"));
	if (st != NULL && strcmp(st, "cancelled") == 0)
		return mentor_errf(p->err, sizeof(p->err), MENTOR_EINVAL,
		    "the placement is cancelled");
	lst = json_string_value(json_object_get(p->entry, "listing"));
	if (lst == NULL || strcmp(lst, json_string_value(json_object_get(
	    p->msg, "listing"))) != 0)
		return mentor_errf(p->err, sizeof(p->err), MENTOR_EINVAL,
		    "the evaluation is about another listing than the "
		    "application's");
	evid = json_string_value(json_object_get(p->msg, "evaluation"));
	if (hex_decode(id, sizeof(id), evid) != 0)
		return mentor_errf(p->err, sizeof(p->err), MENTOR_EINVAL,
		    "evaluation: not an id");
	if ((list = json_object_get(pl, "evaluations")) == NULL) {
		json_object_set_new(pl, "evaluations", json_array());
		list = json_object_get(pl, "evaluations");
	}
	if (p->side == 's') {
		student = json_string_value(json_object_get(p->entry,
		    "student"));
		rc = evidence_receive(p->txn, p->node, student ? student : "",
		    p->msg, p->now, p->err, sizeof(p->err));
		/* Refusals are EINVAL for the transport: logged, dropped. */
		if (rc == MENTOR_EEXIST || rc == MENTOR_ENOTFOUND)
			return MENTOR_EINVAL;
		if (rc != 0)
			return rc;
	} else {
		/* The employer keeps what it sent, with no student in it. */
		rc = store_get(p->txn, DB_AUX, k, apps_aux_key(k, 'v', id,
		    sizeof(id)), &v, &vlen);
		if (rc == 0)
			return mentor_errf(p->err, sizeof(p->err),
			    MENTOR_EINVAL, "evaluation %s: already sent", evid);
		if (rc != MENTOR_ENOTFOUND)
			return rc;
		if ((e = json_deep_copy(p->msg)) == NULL ||
		    json_object_set_new(e, "sent", json_integer(p->now)) != 0) {
			json_decref(e);
			return MENTOR_ENOMEM;
		}
		rc = put_json(p->txn, 'v', id, sizeof(id), e);
		json_decref(e);
		if (rc != 0)
			return rc;
	}
	return json_array_append_new(list, json_string(evid)) == 0 ? 0 :
	    MENTOR_ENOMEM;
}
