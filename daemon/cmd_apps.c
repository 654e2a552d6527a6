/*
 * cmd_apps.c: the commands of consent, the audit log, and applications
 * (SPEC.md section 13); the engine they share is apps.c.
 * A school applies for a student: the node checks the consent gate,
 * builds an application holding only what the listing needs, seals it to
 * the listing author's key and publishes it as a record; every disclosure
 * is appended to a hash-chained audit log.  The employer's node opens the
 * applications sealed to it, and its accept or decline travels back the
 * same way.  The employer's node is the authority on capacity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "application.h"
#include "apps.h"
#include "cmd.h"
#include "listing.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "outbox.h"
#include "peer.h"
#include "placement.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "students.h"
#include "util.h"

#define APP_LIFE_MS	(90LL * 86400 * 1000)
#define KEY_MAX		APPS_KEY_MAX
#define GUARDIAN_MAX	200

struct audit_walk {
	json_t		*list;		/* audit list: entries */
	uint8_t		 prev[32];
	uint64_t	 seq;
	uint64_t	 bad;		/* first broken seq, 0 if none */
	char		 why[128];
};

static int
audit_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct audit_walk *w = arg;
	const uint8_t *k = key;
	uint8_t hash[32], want[32];
	crypto_generichash_state h;
	const char *hx, *px;
	json_t *e;
	char *s;
	int ok;

	if (klen < 1 || k[0] != 'a')
		return 1;	/* past the audit entries */
	if (klen != 9)
		return 0;
	w->seq++;
	e = json_loadb(val, vlen, 0, NULL);
	if (w->list) {
		if (e)
			json_array_append(w->list, e);
		json_decref(e);
		return 0;
	}
	hx = json_string_value(json_object_get(e, "hash"));
	px = json_string_value(json_object_get(e, "prev"));
	ok = e && hx && px && get_be64(k + 1) == w->seq &&
	    json_integer_value(json_object_get(e, "seq")) ==
	    (json_int_t)w->seq && hex_decode(want, 32, hx) == 0 &&
	    hex_decode(hash, 32, px) == 0 &&
	    memcmp(hash, w->prev, 32) == 0;
	if (ok) {
		json_object_del(e, "hash");
		s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
		crypto_generichash_init(&h, NULL, 0, 32);
		crypto_generichash_update(&h, w->prev, 32);
		crypto_generichash_update(&h, (const uint8_t *)s,
		    s ? strlen(s) : 0);
		crypto_generichash_final(&h, hash, 32);
		free(s);
		ok = memcmp(hash, want, 32) == 0;
	}
	json_decref(e);
	if (!ok) {
		w->bad = w->seq;
		snprintf(w->why, sizeof(w->why), "entry %llu does not chain: "
		    "altered, removed or inserted", (unsigned long long)w->seq);
		return 1;
	}
	memcpy(w->prev, want, 32);
	return 0;
}

static int
audit_walk_fn(struct store_txn *t, void *arg)
{
	struct audit_walk *w = arg;
	const void *v;
	size_t vlen;
	int rc;

	rc = store_iter(t, DB_AUX, "a", 1, audit_each, w);
	if (rc < 0)
		return rc;
	if (w->list || w->bad)
		return 0;
	/* The head must name the last entry: truncation shows. */
	rc = store_get(t, DB_AUX, "A", 1, &v, &vlen);
	if (rc == MENTOR_ENOTFOUND && w->seq == 0)
		return 0;
	if (rc != 0 || vlen != 40 || get_be64(v) != w->seq ||
	    memcmp((const uint8_t *)v + 8, w->prev, 32) != 0) {
		w->bad = w->seq + 1;
		snprintf(w->why, sizeof(w->why), "the log ends before its "
		    "recorded head: entries were removed");
	}
	return 0;
}

int
cmd_audit_list(struct cmd_ctx *c)
{
	struct audit_walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	if ((w.list = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(c->node->store, audit_walk_fn, &w)) != 0) {
		json_decref(w.list);
		return cmd_fail(c, rc, "store failed");
	}
	c->result = w.list;
	return 0;
}

int
cmd_audit_verify(struct cmd_ctx *c)
{
	struct audit_walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	if ((rc = store_read(c->node->store, audit_walk_fn, &w)) != 0)
		return cmd_fail(c, rc, "store failed");
	if (w.bad)
		return cmd_fail(c, MENTOR_EINVAL, "audit log broken at entry "
		    "%llu: %s", (unsigned long long)w.bad, w.why);
	c->result = json_pack("{s:b,s:I}", "ok", 1, "entries",
	    (json_int_t)w.seq);
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* ---- consent ------------------------------------------------------------ */

struct consent_arg {
	struct node	*node;
	const char	*student;
	json_t		*entry;		/* consent to add, or NULL: revoke */
	size_t		 changed;
	json_t		*list;
};

/* consent_current: whether c is in force today and covers scope. */
static int
consent_current(const json_t *c, const char *scope, int32_t today)
{
	const char *exp = json_string_value(json_object_get(c, "expires"));
	json_t *sc = json_object_get(c, "scope"), *v;
	int32_t d;
	size_t i;

	if (!json_is_null(json_object_get(c, "revoked")) &&
	    json_object_get(c, "revoked") != NULL)
		return 0;
	if (exp && (date_parse(exp, &d) != 0 || d < today))
		return 0;
	json_array_foreach(sc, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v),
		    scope) == 0)
			return 1;
	return 0;
}

static int
consent_fn(struct store_txn *t, void *arg)
{
	struct consent_arg *a = arg;
	uint8_t k[KEY_MAX];
	size_t klen = apps_aux_key(k, 'c', a->student, strlen(a->student)), i;
	json_t *arr = NULL, *e;
	char ps[33];
	int rc;

	a->changed = 0;
	if (!apps_student_exists(t, a->student))
		return MENTOR_ENOTFOUND;
	rc = apps_get_json(t, k, klen, &arr);
	if (rc == MENTOR_ENOTFOUND)
		arr = json_array();
	else if (rc != 0)
		return rc;
	if (a->entry) {
		json_array_append(arr, a->entry);
		a->changed = 1;
	} else {
		json_array_foreach(arr, i, e)
			if (json_object_get(e, "revoked") == NULL ||
			    json_is_null(json_object_get(e, "revoked"))) {
				json_object_set_new(e, "revoked",
				    json_integer(now_ms()));
				a->changed++;
			}
	}
	rc = apps_put_json(t, k, klen, arr);
	json_decref(arr);
	if (rc != 0 || a->changed == 0)
		return rc;
	apps_pseudonym_hex(a->node, a->student, ps);
	return apps_audit_append(t, json_pack("{s:s,s:s,s:O?}", "action",
	    a->entry ? "consent" : "consent-revoked", "student", ps, "scope",
	    a->entry ? json_object_get(a->entry, "scope") : NULL));
}

int
cmd_consent_add(struct cmd_ctx *c)
{
	struct consent_arg a;
	const char *student, *guardian, *expires = NULL;
	json_t *scope = json_object_get(c->req->args, "scope"), *v;
	int32_t d;
	size_t i;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &student)) != 0 ||
	    (rc = arg_str(c, "guardian", 1, &guardian)) != 0 ||
	    (rc = arg_str(c, "expires", 0, &expires)) != 0)
		return rc;
	if (strlen(guardian) == 0 || strlen(guardian) > GUARDIAN_MAX)
		return cmd_fail(c, MENTOR_EINVAL, "guardian: 1 to %d bytes",
		    GUARDIAN_MAX);
	if (expires && (date_parse(expires, &d) != 0 ||
	    d < (int32_t)(now_ms() / 86400000)))
		return cmd_fail(c, MENTOR_EINVAL, "expires: a date "
		    "(YYYY-MM-DD), today or later");
	if (scope == NULL)
		scope = json_pack("[s]", "apply");
	else if (!json_is_array(scope) || json_array_size(scope) == 0)
		return cmd_fail(c, MENTOR_EINVAL, "scope: a list of apply, "
		    "under13");
	else
		json_incref(scope);
	json_array_foreach(scope, i, v)
		if (!json_is_string(v) || (strcmp(json_string_value(v),
		    "apply") != 0 && strcmp(json_string_value(v),
		    "under13") != 0)) {
			json_decref(scope);
			return cmd_fail(c, MENTOR_EINVAL, "scope[%zu]: apply or "
			    "under13", i);
		}
	memset(&a, 0, sizeof(a));
	a.node = c->node;
	a.student = student;
	a.entry = json_pack("{s:s,s:I,s:s?,s:o,s:n}", "guardian", guardian,
	    "recorded", (json_int_t)now_ms(), "expires", expires, "scope",
	    scope, "revoked");
	if (a.entry == NULL)
		return MENTOR_ENOMEM;
	rc = store_write(c->node->store, consent_fn, &a);
	if (rc == 0)
		c->result = json_pack("{s:s,s:O}", "student", student,
		    "consent", a.entry);
	json_decref(a.entry);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", student);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_consent_revoke(struct cmd_ctx *c)
{
	struct consent_arg a;
	const char *student;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &student)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.node = c->node;
	a.student = student;
	rc = store_write(c->node->store, consent_fn, &a);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", student);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = json_pack("{s:s,s:I}", "student", student, "revoked",
	    (json_int_t)a.changed);
	return c->result ? 0 : MENTOR_ENOMEM;
}

static int
consent_list_each(const void *key, size_t klen, const void *val,
    size_t vlen, void *arg)
{
	struct consent_arg *a = arg;
	const uint8_t *k = key;
	json_t *arr, *e;
	size_t i;

	if (klen < 2 || k[0] != 'c')
		return 1;
	if (a->student && (klen - 1 != strlen(a->student) ||
	    memcmp(k + 1, a->student, klen - 1) != 0))
		return 0;
	if ((arr = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	json_array_foreach(arr, i, e) {
		json_object_set_new(e, "student", json_stringn((const char *)
		    k + 1, klen - 1));
		json_object_set_new(e, "current", json_boolean(
		    consent_current(e, "apply", (int32_t)(now_ms() /
		    86400000)) || consent_current(e, "under13", (int32_t)
		    (now_ms() / 86400000))));
		json_array_append(a->list, e);
	}
	json_decref(arr);
	return 0;
}

static int
consent_list_fn(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "c", 1, consent_list_each, arg);

	return rc < 0 ? rc : 0;
}

int
cmd_consent_list(struct cmd_ctx *c)
{
	struct consent_arg a;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 0, &a.student)) != 0)
		return rc;
	if ((a.list = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(c->node->store, consent_list_fn, &a)) != 0) {
		json_decref(a.list);
		return cmd_fail(c, rc, "store failed");
	}
	c->result = a.list;
	return 0;
}

/* ---- applying (school side) ------------------------------------------- */

/* age_on: whole years from born to day (both "YYYY-MM-DD"). */
static int
age_on(const char *born, const char *day)
{
	int by, bm, bd, y, m, d;

	if (sscanf(born, "%4d-%2d-%2d", &by, &bm, &bd) != 3 ||
	    sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	return y - by - (m < bm || (m == bm && d < bd));
}

struct gate_arg {
	const char	*student;
	int		 age;
	int		 has_apply, has_under13;
	const char	*guardian;	/* of the consent that applies */
	char		 guardian_buf[GUARDIAN_MAX + 1];
};

static int
gate_fn(struct store_txn *t, void *arg)
{
	struct gate_arg *g = arg;
	uint8_t k[KEY_MAX];
	size_t klen = apps_aux_key(k, 'c', g->student, strlen(g->student)), i;
	int32_t today = (int32_t)(now_ms() / 86400000);
	json_t *arr, *e;
	int rc;

	if ((rc = apps_get_json(t, k, klen, &arr)) != 0)
		return rc == MENTOR_ENOTFOUND ? 0 : rc;
	json_array_foreach(arr, i, e) {
		if (consent_current(e, "apply", today))
			g->has_apply = 1;
		if (consent_current(e, "under13", today))
			g->has_under13 = 1;
		if (consent_current(e, "apply", today) ||
		    consent_current(e, "under13", today))
			snprintf(g->guardian_buf, sizeof(g->guardian_buf),
			    "%s", json_string_value(json_object_get(e,
			    "guardian")));
	}
	json_decref(arr);
	return 0;
}

/*
 * first_name: the first word of name, at most outlen - 1 bytes, cut on a
 * UTF-8 character boundary.
 */
static void
first_name(char *out, size_t outlen, const char *name)
{
	size_t n = strcspn(name, " ");

	if (n > outlen - 1) {
		n = outlen - 1;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, name, n);
	out[n] = '\0';
}

/* copy_levels: the student's levels on the competencies of list. */
static void
copy_levels(json_t *out, const json_t *student_comps, const json_t *list)
{
	const char *id;
	json_t *e, *lv;
	size_t i;

	json_array_foreach(list, i, e) {
		id = json_string_value(json_object_get(e, "competency"));
		if (id == NULL)
			continue;
		lv = json_object_get(student_comps, id);
		json_object_set_new(out, id, json_integer(lv ?
		    json_integer_value(lv) : 0));
	}
}

struct apply_arg {
	struct node	*node;
	const char	*student;
	const char	*app_hex;
	json_t		*entry;		/* 's' entry */
	json_t		*audit;		/* consumed */
	const char	*listing_hex;
	int		 dup;
	char		 dup_id[33];
	const uint8_t	*rec;		/* the signed application record */
	size_t		 reclen;
};

static int
dup_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct apply_arg *a = arg;
	const uint8_t *k = key;
	json_t *e;
	const char *st;
	int same;

	if (klen < 1 || k[0] != 's')
		return 1;
	if ((e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	st = json_string_value(json_object_get(e, "status"));
	same = json_is_string(json_object_get(e, "student")) &&
	    strcmp(json_string_value(json_object_get(e, "student")),
	    a->student) == 0 && strcmp(json_string_value(json_object_get(e,
	    "listing")), a->listing_hex) == 0 && st &&
	    strcmp(st, "declined") != 0;
	if (same) {
		a->dup = 1;
		snprintf(a->dup_id, sizeof(a->dup_id), "%s",
		    json_string_value(json_object_get(e, "id")));
	}
	json_decref(e);
	return same;
}

static int
dup_fn(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "s", 1, dup_each, arg);

	return rc < 0 ? rc : 0;
}

/*
 * apply_fn: the whole application in one transaction: the duplicate
 * check, the school's entry, the audit entry of the disclosure and the
 * sealed record queued in the outbox, which publishes it after the commit.
 */
static int
apply_fn(struct store_txn *t, void *arg)
{
	struct apply_arg *a = arg;
	uint8_t k[KEY_MAX], app[APP_ID_LEN], ps[16];
	json_t *audit;
	int rc;

	a->dup = 0;
	if ((rc = dup_fn(t, a)) != 0)
		return rc;
	if (a->dup)
		return MENTOR_EEXIST;
	hex_decode(app, sizeof(app), a->app_hex);
	if ((rc = apps_put_json(t, k, apps_aux_key(k, 's', app, sizeof(app)),
	    a->entry)) != 0)
		return rc;
	apps_pseudonym(a->node, a->student, ps);
	if ((rc = store_put(t, DB_AUX, k, apps_aux_key(k, 'p', ps, sizeof(ps)),
	    a->student, strlen(a->student))) != 0)
		return rc;
	/* The log keeps its own copy: this function may run twice. */
	if ((audit = json_deep_copy(a->audit)) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = apps_audit_append(t, audit)) != 0)
		return rc;
	return outbox_put(t, a->rec, a->reclen);
}

int
cmd_apply(struct cmd_ctx *c)
{
	struct node *n = c->node;
	struct gate_arg g;
	struct apply_arg aa;
	const char *sid, *lid, *message = NULL, *name, *title, *start,
	    *born;
	uint8_t addr[REC_ADDR_LEN], *rbuf = NULL, app[APP_ID_LEN];
	uint8_t *sealed = NULL, *rec = NULL;
	char app_hex[2 * APP_ID_LEN + 1], ref[64], author_hex[65], ps[33];
	char today[11], err[256], first[101];
	json_t *student = NULL, *body = NULL, *plain = NULL, *comps, *fields;
	json_t *contact;
	size_t rlen, slen, reclen = 0;
	struct rec r;
	char *ptext = NULL;
	int rc, min_age;

	memset(&aa, 0, sizeof(aa));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_student(c, "student", &sid)) != 0 ||
	    (rc = arg_str(c, "listing", 1, &lid)) != 0 ||
	    (rc = arg_str(c, "message", 0, &message)) != 0)
		return rc;
	if (message && strlen(message) > APP_MSG_MAX)
		return cmd_fail(c, MENTOR_EINVAL, "message: at most %d bytes",
		    APP_MSG_MAX);
	if (hex_decode(addr, sizeof(addr), lid) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "listing: \"%.80s\" is not "
		    "a listing id (32 hex digits)", lid);
	if ((rc = student_load(n, sid, &student)) != 0)
		return cmd_fail(c, rc, rc == MENTOR_ENOTFOUND ? "no student "
		    "\"%.64s\"" : "store failed (%.64s)", sid);
	rc = records_current(n->records, addr, &rbuf, &rlen);
	if (rc != 0) {
		rc = cmd_fail(c, MENTOR_ENOTFOUND, rc == MENTOR_EWITHDRAWN ?
		    "listing %s was withdrawn" : "no live listing %s", lid);
		goto out;
	}
	if (rec_decode(&r, rbuf, rlen) != 0 || r.kind != REC_LISTING ||
	    (body = json_loadb((const char *)r.body, r.body_len, 0,
	    NULL)) == NULL) {
		rc = cmd_fail(c, MENTOR_ENOTFOUND, "%s is not a listing", lid);
		goto out;
	}
	title = json_string_value(json_object_get(body, "title"));
	if (records_rotated(n->records, r.author)) {
		rc = cmd_fail(c, MENTOR_EPERM, "listing %s (%s) takes no more "
		    "applications: its employer's node changed its key (SPEC "
		    "2.8), so nobody could open them; look for the listings "
		    "it posts under its new key", lid, title);
		goto out;
	}
	if (json_is_true(json_object_get(body, "full"))) {
		rc = cmd_fail(c, MENTOR_EFULL, "listing %s (%s) is full: its "
		    "places are all taken", lid, title);
		goto out;
	}
	/* Age, then the guardian's consent. */
	date_format(today, (int32_t)(now_ms() / 86400000));
	start = json_string_value(json_object_get(body, "start"));
	min_age = (int)json_integer_value(json_object_get(body, "min_age"));
	memset(&g, 0, sizeof(g));
	g.student = sid;
	/* No birth date on file: a minor of unknown age (17 here). */
	born = json_string_value(json_object_get(student, "birth_date"));
	g.age = born ? age_on(born, today) : 17;
	if (min_age > 0 && born == NULL) {
		rc = cmd_fail(c, MENTOR_EPERM, "student %s has no birth date "
		    "on file: listings with a minimum age need one", sid);
		goto out;
	}
	if (min_age > 0 && age_on(born, start ? start : today) < min_age) {
		rc = cmd_fail(c, MENTOR_EPERM, "student %s is too young for "
		    "this listing (minimum age %d on %s)", sid, min_age,
		    start ? start : today);
		goto out;
	}
	if ((rc = store_read(n->store, gate_fn, &g)) != 0) {
		rc = cmd_fail(c, rc, "store failed");
		goto out;
	}
	if (g.age < 13 && !g.has_under13) {
		rc = cmd_fail(c, MENTOR_ECONSENT, "student %s is under 13: "
		    "applying needs a guardian consent that covers under-13s "
		    "(mentorctl consent %s --guardian NAME --scope under13)",
		    sid, sid);
		goto out;
	}
	if (g.age < 18 && !g.has_apply && !g.has_under13) {
		rc = cmd_fail(c, MENTOR_ECONSENT, "student %s is under 18 and "
		    "has no current guardian consent on record (mentorctl "
		    "consent %s --guardian NAME)", sid, sid);
		goto out;
	}
	aa.student = sid;
	aa.listing_hex = lid;
	if ((rc = store_read(n->store, dup_fn, &aa)) != 0)
		goto out;
	if (aa.dup) {
		rc = cmd_fail(c, MENTOR_EEXIST, "student %s already applied "
		    "to %s (application %s)", sid, lid, aa.dup_id);
		goto out;
	}
	/* Only what the listing needs; never birth date, location, name. */
	name = json_string_value(json_object_get(student, "name"));
	name += strspn(name, " ");
	first_name(first, sizeof(first), name);
	randombytes_buf(app, sizeof(app));
	hex_encode(app_hex, app, sizeof(app));
	hex_encode(author_hex, r.author, REC_KEY_LEN);
	apps_pseudonym_hex(n, sid, ps);
	comps = json_object();
	copy_levels(comps, json_object_get(student, "competencies"),
	    json_object_get(body, "requires"));
	copy_levels(comps, json_object_get(student, "competencies"),
	    json_object_get(body, "develops"));
	plain = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:O*,s:o,s:O,s:s*,"
	    "s:{s:b},s:I}", "v", 1, "application", app_hex, "listing", lid,
	    "school", n->id_hex, "school_name", n->conf.name,
	    "student_ref", ps, "first_name", first,
	    "grade", json_object_get(student, "grade"),
	    "competencies", comps, "goals", json_object_get(student, "goals"),
	    "message", message, "consent", "guardian", g.guardian_buf[0] != 0,
	    "created", (json_int_t)now_ms());
	if (plain && (contact = apps_contact(n)) != NULL)
		json_object_set_new(plain, "contact", contact);
	if (plain == NULL ||
	    (ptext = json_dumps(plain, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	/* What the employer will check, checked here first. */
	{
		json_t *chk = NULL;

		rc = app_parse((uint8_t *)ptext, strlen(ptext), &chk, err,
		    sizeof(err));
		json_decref(chk);
		if (rc != 0) {
			rc = cmd_fail(c, rc, "the application would be "
			    "refused: %s", err);
			goto out;
		}
	}
	if ((rc = app_seal((uint8_t *)ptext, strlen(ptext), r.author,
	    &sealed, &slen)) != 0) {
		rc = cmd_fail(c, rc, "cannot seal the application");
		goto out;
	}
	snprintf(ref, sizeof(ref), "%s%s", REC_APP_PREFIX, app_hex);
	if ((rc = records_build(n->records, REC_APPLICATION, ref, sealed,
	    slen, now_ms() + APP_LIFE_MS, &rec, &reclen, err,
	    sizeof(err))) != 0) {
		rc = cmd_fail(c, rc, "cannot build the application: %s", err);
		goto out;
	}
	aa.rec = rec;
	aa.reclen = reclen;
	fields = json_pack("[s,s,s,s]", "first_name", "competencies", "goals",
	    "consent");
	if (json_object_get(student, "grade"))
		json_array_append_new(fields, json_string("grade"));
	if (message)
		json_array_append_new(fields, json_string("message"));
	aa.node = n;
	aa.app_hex = app_hex;
	aa.entry = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:O*,s:O*,s:O*,"
	    "s:O*}", "id", app_hex,
	    "listing", lid, "title", title ? title : "", "student", sid,
	    "employer", author_hex, "status", "pending",
	    "created", (json_int_t)now_ms(),
	    "kind", json_object_get(body, "kind"),
	    "organization", json_object_get(body, "organization"),
	    "start", json_object_get(body, "start"),
	    "end", json_object_get(body, "end"));
	aa.audit = json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:s}", "action",
	    "disclose", "student", ps, "fields", fields, "to", author_hex,
	    "listing", lid, "application", app_hex, "consent",
	    g.guardian_buf[0] ? "guardian consent on record" :
	    "adult: none needed");
	rc = aa.entry && aa.audit ? store_write(n->store, apply_fn, &aa) :
	    MENTOR_ENOMEM;
	if (rc == MENTOR_EEXIST) {
		rc = cmd_fail(c, rc, "student %s already applied to %s "
		    "(application %s)", sid, lid, aa.dup_id);
		goto out;
	}
	if (rc != 0) {
		rc = cmd_fail(c, rc, "store failed; the application was not "
		    "sent");
		goto out;
	}
	/* Committed with its audit entry: now it may leave, to the employer
	 * only (a directed record, SPEC 12.6: noted for delivery as it is
	 * stored). */
	if (outbox_flush(n) > 0)
		log_warn("apply: application %s queued; it is sent when the "
		    "store takes it", app_hex);
	log_info("apply: application %s sent to %.16s", app_hex, author_hex);
	c->result = json_pack("{s:s,s:s,s:s}", "id", app_hex, "listing", lid,
	    "status", "pending");
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	free(rec);
	json_decref(aa.entry);
	json_decref(aa.audit);
	if (ptext) {
		sodium_memzero(ptext, strlen(ptext));
		free(ptext);
	}
	free(sealed);
	json_decref(plain);
	json_decref(body);
	json_decref(student);
	free(rbuf);
	return rc;
}

/* ---- answering (employer side) ---------------------------------------- */

struct answer_arg {
	const uint8_t	*app;
	uint8_t		*laddr;		/* the entry's listing */
	int		 accept;
	long long	 capacity;
	uint64_t	 count;		/* accepted before this one */
	json_t		*entry;
	int		 full;		/* this accept filled the listing */
	const uint8_t	*ans;		/* the signed answer record */
	size_t		 anslen;
	const uint8_t	*fullrec;	/* the listing marked full, or NULL */
	size_t		 fulllen;
};

static int
answer_check_fn(struct store_txn *t, void *arg)
{
	struct answer_arg *a = arg;
	uint8_t k[KEY_MAX];
	const void *v;
	const char *lid;
	size_t vlen;
	int rc;

	if ((rc = apps_get_json(t, k, apps_aux_key(k, 'e', a->app, APP_ID_LEN),
	    &a->entry)) != 0)
		return rc;
	/*
	 * a->laddr: the entry's listing or, when this node signed it again
	 * with a new key since (rotate.c), that one; the places it has taken.
	 */
	a->count = 0;
	lid = json_string_value(json_object_get(a->entry, "listing"));
	if (lid == NULL || hex_decode(a->laddr, REC_ADDR_LEN, lid) != 0)
		return 0;
	if (store_get(t, DB_AUX, k, apps_aux_key(k, 'f', a->laddr,
	    REC_ADDR_LEN), &v, &vlen) == 0 && vlen == REC_ADDR_LEN)
		memcpy(a->laddr, v, REC_ADDR_LEN);
	if (store_get(t, DB_AUX, k, apps_aux_key(k, 'n', a->laddr,
	    REC_ADDR_LEN), &v, &vlen) == 0 && vlen == 8)
		a->count = get_be64(v);
	return 0;
}

/*
 * answer_store_fn: the whole answer in one transaction: the status, the
 * accepted count, the sealed answer and (when this accept fills the
 * listing) its new version marked full, both queued in the outbox.
 */
static int
answer_store_fn(struct store_txn *t, void *arg)
{
	struct answer_arg *a = arg;
	uint8_t k[KEY_MAX], cnt[8];
	const void *v;
	size_t vlen;
	uint64_t count = 0;
	json_t *cur;
	const char *st;
	int rc, pending;

	/* Re-checked inside the transaction that records the answer. */
	if ((rc = apps_get_json(t, k, apps_aux_key(k, 'e', a->app, APP_ID_LEN),
	    &cur)) != 0)
		return rc;
	st = json_string_value(json_object_get(cur, "status"));
	pending = st != NULL && strcmp(st, "pending") == 0;
	json_decref(cur);
	if (!pending)
		return MENTOR_EINVAL;
	if (store_get(t, DB_AUX, k, apps_aux_key(k, 'n', a->laddr, REC_ADDR_LEN),
	    &v, &vlen) == 0 && vlen == 8)
		count = get_be64(v);
	if (a->accept) {
		if ((long long)count >= a->capacity)
			return MENTOR_EFULL;
		put_be64(cnt, count + 1);
		if ((rc = store_put(t, DB_AUX, k, apps_aux_key(k, 'n', a->laddr,
		    REC_ADDR_LEN), cnt, sizeof(cnt))) != 0)
			return rc;
		a->full = (long long)count + 1 >= a->capacity;
	}
	if ((rc = apps_put_json(t, k, apps_aux_key(k, 'e', a->app, APP_ID_LEN),
	    a->entry)) != 0)
		return rc;
	if ((rc = outbox_put(t, a->ans, a->anslen)) != 0)
		return rc;
	if (a->full && a->fullrec == NULL)
		log_warn("a listing filled up without its full version built");
	if (a->full && a->fullrec != NULL)
		return outbox_put(t, a->fullrec, a->fulllen);
	return 0;
}


static int
answer(struct cmd_ctx *c, int accept)
{
	struct node *n = c->node;
	struct answer_arg a;
	uint8_t app[APP_ID_LEN], laddr[REC_ADDR_LEN], school[REC_KEY_LEN];
	uint8_t chk[REC_ADDR_LEN];
	uint8_t *buf = NULL, *sealed = NULL, *ans = NULL, *fullrec = NULL;
	const char *id, *st, *lid, *note = NULL;
	char ref[64], err[256], *ptext = NULL;
	json_t *body = NULL, *plain = NULL, *contact;
	size_t len, slen;
	struct rec r;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = arg_str(c, "note", 0, &note)) != 0)
		return rc;
	if (hex_decode(app, sizeof(app), id) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "id: \"%.80s\" is not an "
		    "application id (32 hex digits)", id);
	if (note && (note[0] == '\0' || strlen(note) > ANSWER_NOTE_MAX))
		return cmd_fail(c, MENTOR_EINVAL, "note: 1 to %d bytes",
		    ANSWER_NOTE_MAX);
	a.app = app;
	a.accept = accept;
	/* First read: the entry and its listing. */
	a.laddr = laddr;
	memset(laddr, 0, sizeof(laddr));
	rc = store_read(n->store, answer_check_fn, &a);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no application %s received by this "
		    "node", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	st = json_string_value(json_object_get(a.entry, "status"));
	lid = json_string_value(json_object_get(a.entry, "listing"));
	if (st == NULL || strcmp(st, "pending") != 0) {
		rc = cmd_fail(c, MENTOR_EINVAL, "application %s was %s "
		    "already", id, st ? st : "answered");
		goto out;
	}
	/* laddr: set by answer_check_fn (the listing now, after a rotation) */
	if (lid == NULL || hex_decode(chk, sizeof(chk), lid) != 0 ||
	    hex_decode(school, sizeof(school), json_string_value(
	    json_object_get(a.entry, "school"))) != 0) {
		rc = cmd_fail(c, MENTOR_ESTORE, "application %s is corrupt",
		    id);
		goto out;
	}
	if (accept) {
		if (records_current(n->records, laddr, &buf, &len) != 0 ||
		    rec_decode(&r, buf, len) != 0 ||
		    (body = json_loadb((const char *)r.body, r.body_len, 0,
		    NULL)) == NULL) {
			rc = cmd_fail(c, MENTOR_ENOTFOUND, "listing %s is no "
			    "longer live; the application can only be "
			    "declined", lid);
			goto out;
		}
		a.capacity = json_integer_value(json_object_get(body,
		    "capacity"));
	}
	/* The answer travels back, sealed to the school. */
	plain = json_pack("{s:i,s:s,s:s,s:s,s:s*}", "v", 1, "application", id,
	    "listing", lid, "status", accept ? "accepted" : "declined",
	    "note", note);
	if (plain && accept && (contact = apps_contact(n)) != NULL)
		json_object_set_new(plain, "contact", contact);
	if (plain == NULL || (ptext = json_dumps(plain, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	snprintf(ref, sizeof(ref), "%s%s", REC_ANS_PREFIX, id);
	err[0] = '\0';
	if ((rc = app_seal((uint8_t *)ptext, strlen(ptext), school, &sealed,
	    &slen)) != 0 || (rc = records_build(n->records, REC_ANSWER, ref,
	    sealed, slen, now_ms() + APP_LIFE_MS, &ans, &a.anslen, err,
	    sizeof(err))) != 0) {
		rc = cmd_fail(c, rc, "cannot build the answer: %s", err);
		goto out;
	}
	a.ans = ans;
	/* Nothing else writes between this read and the write below. */
	if (accept && (long long)a.count + 1 >= a.capacity &&
	    apps_listing_full(n, laddr, 1, &fullrec, &a.fulllen) == 0)
		a.fullrec = fullrec;
	json_object_set_new(a.entry, "status", json_string(accept ?
	    "accepted" : "declined"));
	json_object_set_new(a.entry, "answered", json_integer(now_ms()));
	if (accept)
		json_object_set_new(a.entry, "placement", placement_new(body,
		    "employer", now_ms()));
	if (note)
		json_object_set_new(a.entry, "note", json_string(note));
	rc = store_write(n->store, answer_store_fn, &a);
	if (rc == MENTOR_EFULL) {
		rc = cmd_fail(c, rc, "listing %s is full: %lld of %lld places "
		    "taken", lid, a.capacity, a.capacity);
		goto out;
	}
	if (rc == MENTOR_EINVAL) {
		rc = cmd_fail(c, rc, "application %s was answered already",
		    id);
		goto out;
	}
	if (rc != 0) {
		rc = cmd_fail(c, rc, "store failed; nothing was answered");
		goto out;
	}
	/* Directed: the answer travels to the school only (SPEC 12.6). */
	if (outbox_flush(n) > 0)
		log_warn("answer to %s queued; it is sent when the store "
		    "takes it", id);
	if (a.full && a.fullrec != NULL)
		log_info("listing %s is now full", lid);
	c->result = json_pack("{s:s,s:s,s:s}", "id", id, "listing", lid,
	    "status", accept ? "accepted" : "declined");
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	free(ptext);
	free(sealed);
	free(ans);
	free(fullrec);
	free(buf);
	json_decref(plain);
	json_decref(body);
	json_decref(a.entry);
	return rc;
}

int
cmd_application_accept(struct cmd_ctx *c)
{
	return answer(c, 1);
}

int
cmd_application_decline(struct cmd_ctx *c)
{
	return answer(c, 0);
}

/* ---- listing applications ------------------------------------------- */

struct list_arg {
	json_t		*list;
	const char	*id;		/* show: this one only */
	json_t		*found;
	char		 side;
	const char	*student;	/* a student's own: theirs only */
	int		 placements;	/* list: accepted ones only */
};

static int
list_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct list_arg *a = arg;
	const uint8_t *k = key;
	char hex[2 * APP_ID_LEN + 1];
	json_t *e, *o;

	if (klen < 1 || k[0] != (uint8_t)a->side)
		return 1;
	if (klen != 1 + APP_ID_LEN)
		return 0;
	hex_encode(hex, k + 1, APP_ID_LEN);
	if (a->id && strcmp(a->id, hex) != 0)
		return 0;
	if ((e = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	if (a->student && (!json_is_string(json_object_get(e, "student")) ||
	    strcmp(json_string_value(json_object_get(e, "student")),
	    a->student) != 0)) {
		json_decref(e);
		return 0;
	}
	if (a->id) {
		json_object_set_new(e, "side", json_string(a->side == 's' ?
		    "sent" : "received"));
		json_object_set_new(e, "id", json_string(hex));
		a->found = e;
		return 1;
	}
	if (a->placements && !json_is_object(json_object_get(e,
	    "placement"))) {
		json_decref(e);
		return 0;
	}
	o = json_pack("{s:s,s:O,s:O,s:s,s:O?,s:O?,s:O?,s:O*,s:O*,s:O*}", "id",
	    hex, "listing", json_object_get(e, "listing"),
	    "status", json_object_get(e, "status"),
	    "side", a->side == 's' ? "sent" : "received",
	    "title", json_object_get(e, "title"),
	    "student", json_object_get(e, "student"),
	    "school_name", json_object_get(e, "school_name"),
	    "note", json_object_get(e, "note"),
	    "placement", json_object_get(json_object_get(e, "placement"),
	    "state"),
	    "first_name", json_object_get(e, "first_name"));
	json_decref(e);
	if (o)
		json_array_append_new(a->list, o);
	return 0;
}

static int
list_fn(struct store_txn *t, void *arg)
{
	struct list_arg *a = arg;
	int rc;

	a->side = 's';
	if ((rc = store_iter(t, DB_AUX, "s", 1, list_each, a)) < 0)
		return rc;
	if (a->found || a->student)
		return 0;	/* a student sees only what was sent */
	a->side = 'e';
	rc = store_iter(t, DB_AUX, "e", 1, list_each, a);
	return rc < 0 ? rc : 0;
}

/*
 * set_delivery: "delivery": "delivered" once the recipient acknowledged
 * what this node sent (the application, or its answer), else "pending".
 */
static void
set_delivery(struct cmd_ctx *c, json_t *e)
{
	const char *side = json_string_value(json_object_get(e, "side"));
	const char *id = json_string_value(json_object_get(e, "id"));
	char ref[REC_APP_REF_LEN + 1];
	int st;

	if (side == NULL || id == NULL)
		return;
	snprintf(ref, sizeof(ref), "%s%s", strcmp(side, "sent") == 0 ?
	    REC_APP_PREFIX : REC_ANS_PREFIX, id);
	if ((st = peers_delivery(c->node->peers, ref)) >= 0)
		json_object_set_new(e, "delivery", json_string(st ?
		    "delivered" : "pending"));
}

int
cmd_application_list(struct cmd_ctx *c)
{
	json_t *e;
	size_t i;
	struct list_arg a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.student = c->student;
	if ((rc = arg_bool(c, "placements", &a.placements)) != 0)
		return rc;
	if ((a.list = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(c->node->store, list_fn, &a)) != 0) {
		json_decref(a.list);
		return cmd_fail(c, rc, "store failed");
	}
	json_array_foreach(a.list, i, e)
		set_delivery(c, e);
	c->result = a.list;
	return 0;
}

int
cmd_application_show(struct cmd_ctx *c)
{
	struct list_arg a;
	int rc, names = 0;

	memset(&a, 0, sizeof(a));
	a.student = c->student;
	if ((rc = arg_str(c, "id", 1, &a.id)) != 0 ||
	    (rc = arg_bool(c, "names", &names)) != 0)
		return rc;
	if ((rc = store_read(c->node->store, list_fn, &a)) != 0)
		return cmd_fail(c, rc, "store failed");
	if (a.found == NULL)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no application %.80s",
		    a.id);
	set_delivery(c, a.found);
	c->result = a.found;
	if (names)
		json_object_set_new(c->result, "names", cmd_names_for(c->node,
		    c->result));
	return 0;
}


/* ---- after the answer: withdrawal and the placement (SPEC 13.9) ------ */

/* send_msg: sends msg (consumed) about application id; result {id,message}. */
static int
send_msg(struct cmd_ctx *c, const char *id, json_t *msg)
{
	char mid[33];
	int rc;

	if (msg == NULL)
		return MENTOR_ENOMEM;
	if ((rc = placement_send(c, id, msg, mid)) != 0)
		return rc;
	c->result = json_pack("{s:s,s:s}", "id", id, "message", mid);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_application_withdraw(struct cmd_ctx *c)
{
	const char *id, *note = NULL;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = arg_str(c, "note", 0, &note)) != 0)
		return rc;
	return send_msg(c, id, json_pack("{s:s,s:s*}", "type", "withdraw",
	    "note", note));
}

int
cmd_placement_state(struct cmd_ctx *c)
{
	const char *id, *state, *note = NULL;
	int rc;

	if ((rc = arg_str(c, "id", 1, &id)) != 0 ||
	    (rc = arg_str(c, "state", 1, &state)) != 0 ||
	    (rc = arg_str(c, "note", 0, &note)) != 0)
		return rc;
	return send_msg(c, id, json_pack("{s:s,s:s,s:s*}", "type", "state",
	    "state", state, "note", note));
}
