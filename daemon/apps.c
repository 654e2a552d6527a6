/*
 * apps.c: the applications engine (SPEC.md section 13): the store layout
 * of consents, applications and students' keys, the hash-chained audit
 * log, opening the applications and answers sealed to this node as they
 * arrive, and forgetting a student.  The commands (consent, apply,
 * application, audit) are in cmd_apps.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "application.h"
#include "apps.h"
#include "evidence.h"
#include "listing.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "peer.h"
#include "placement.h"
#include "record.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define KEY_MAX		APPS_KEY_MAX

/* ---- small store helpers ------------------------------------------- */

size_t
apps_aux_key(uint8_t *k, char prefix, const void *id, size_t len)
{
	k[0] = (uint8_t)prefix;
	memcpy(k + 1, id, len);
	return 1 + len;
}

int
apps_get_json(struct store_txn *t, const uint8_t *k, size_t klen, json_t **out)
{
	const void *v;
	size_t vlen;
	int rc;

	if ((rc = store_get(t, DB_AUX, k, klen, &v, &vlen)) != 0)
		return rc;
	*out = json_loadb(v, vlen, 0, NULL);
	return *out ? 0 : MENTOR_ESTORE;
}

int
apps_put_json(struct store_txn *t, const uint8_t *k, size_t klen, const json_t *j)
{
	char *s;
	int rc;

	if ((s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return MENTOR_ENOMEM;
	rc = store_put(t, DB_AUX, k, klen, s, strlen(s));
	free(s);
	return rc;
}

/* pseudonym: a stable id for a student that only this node can link. */
void
apps_pseudonym(const struct node *n, const char *id, uint8_t out[16])
{
	crypto_generichash(out, 16, (const uint8_t *)id, strlen(id),
	    n->sign_sk, 32);
}

void
apps_pseudonym_hex(const struct node *n, const char *id, char out[33])
{
	uint8_t p[16];

	apps_pseudonym(n, id, p);
	hex_encode(out, p, sizeof(p));
}

/* ---- the audit log ---------------------------------------------------- */

/*
 * audit_append: adds entry (consumed) with its sequence number, time,
 * the previous entry's hash and its own: hash = BLAKE2b-256(prev hash ||
 * the entry's canonical JSON without "hash").
 */
int
apps_audit_append(struct store_txn *t, json_t *entry)
{
	uint8_t head[40], prev[32], hash[32], k[9];
	char hex[65], *s;
	const void *v;
	size_t vlen;
	uint64_t seq = 0;
	crypto_generichash_state h;
	int rc;

	memset(prev, 0, sizeof(prev));
	if ((rc = store_get(t, DB_AUX, "A", 1, &v, &vlen)) == 0 &&
	    vlen == sizeof(head)) {
		seq = get_be64(v);
		memcpy(prev, (const uint8_t *)v + 8, 32);
	} else if (rc != 0 && rc != MENTOR_ENOTFOUND) {
		json_decref(entry);
		return rc;
	}
	seq++;
	hex_encode(hex, prev, 32);
	json_object_set_new(entry, "seq", json_integer((json_int_t)seq));
	json_object_set_new(entry, "ts", json_integer(now_ms()));
	json_object_set_new(entry, "prev", json_string(hex));
	if ((s = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(entry);
		return MENTOR_ENOMEM;
	}
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, prev, 32);
	crypto_generichash_update(&h, (const uint8_t *)s, strlen(s));
	crypto_generichash_final(&h, hash, 32);
	free(s);
	hex_encode(hex, hash, 32);
	json_object_set_new(entry, "hash", json_string(hex));
	k[0] = 'a';
	put_be64(k + 1, seq);
	rc = apps_put_json(t, k, sizeof(k), entry);
	json_decref(entry);
	if (rc != 0)
		return rc;
	put_be64(head, seq);
	memcpy(head + 8, hash, 32);
	return store_put(t, DB_AUX, "A", 1, head, sizeof(head));
}

/* ---- students ------------------------------------------------------ */

int
apps_student_exists(struct store_txn *t, const char *id)
{
	const void *v;
	size_t vlen;

	return store_get(t, DB_STUDENTS, id, strlen(id), &v, &vlen) == 0;
}

/* ---- receiving applications and answers ------------------------------- */

struct recv_arg {
	const uint8_t	*app;		/* APP_ID_LEN */
	json_t		*entry;
	const char	*author_hex;	/* answer: must be the employer */
	const char	*status;
	const char	*note;		/* answer: the employer's note, or NULL */
	json_t		*contact;	/* answer: the employer's contact */
	int		 stored;
};

static int
recv_app_fn(struct store_txn *t, void *arg)
{
	struct recv_arg *a = arg;
	uint8_t k[KEY_MAX];
	size_t klen = apps_aux_key(k, 'e', a->app, APP_ID_LEN);
	const void *v;
	size_t vlen;

	a->stored = 0;
	if (store_get(t, DB_AUX, k, klen, &v, &vlen) == 0)
		return 0;	/* delivered before */
	a->stored = 1;
	return apps_put_json(t, k, klen, a->entry);
}

static int
recv_answer_fn(struct store_txn *t, void *arg)
{
	struct recv_arg *a = arg;
	uint8_t k[KEY_MAX];
	size_t klen = apps_aux_key(k, 's', a->app, APP_ID_LEN);
	const char *emp, *st;
	json_t *e;
	int rc;

	a->stored = 0;
	if ((rc = apps_get_json(t, k, klen, &e)) != 0)
		return rc == MENTOR_ENOTFOUND ? 0 : rc;
	emp = json_string_value(json_object_get(e, "employer"));
	st = json_string_value(json_object_get(e, "status"));
	if (emp == NULL || strcmp(emp, a->author_hex) != 0 || st == NULL ||
	    strcmp(st, "pending") != 0) {
		json_decref(e);
		return 0;	/* not its employer, or answered already */
	}
	json_object_set_new(e, "status", json_string(a->status));
	if (a->note)
		json_object_set_new(e, "note", json_string(a->note));
	if (a->contact)
		json_object_set(e, "employer_contact", a->contact);
	json_object_set_new(e, "answered", json_integer(now_ms()));
	if (strcmp(a->status, "accepted") == 0)
		json_object_set_new(e, "placement", placement_new(e,
		    "employer", now_ms()));
	rc = apps_put_json(t, k, klen, e);
	json_decref(e);
	a->stored = rc == 0;
	return rc;
}

/* ref_names: the record's ref is prefix + the application id hex. */
static int
ref_names(const struct rec *r, const char *prefix, const char *hex)
{
	size_t pl = strlen(prefix);

	return hex && r->ref_len == pl + strlen(hex) &&
	    memcmp(r->ref, prefix, pl) == 0 &&
	    memcmp(r->ref + pl, hex, strlen(hex)) == 0;
}

static int	recipient_txn(struct store_txn *, const struct rec *,
		    uint8_t [REC_KEY_LEN]);

/*
 * recv_hook: every record stored passes here, inside the transaction that
 * stores it (records_hook), so an application or answer sealed to this
 * node is recorded with the record or, if that fails, neither is and the
 * sender's next try delivers both.  Our own are noted for delivery in the
 * same transaction, so a crash cannot leave one stored and never sent.
 * The rest are relayed unread.
 */
static int
recv_hook(void *arg, struct store_txn *t, const struct rec *r)
{
	struct node *n = arg;
	struct recv_arg ra;
	uint8_t *plain = NULL, app[APP_ID_LEN], laddr[REC_ADDR_LEN];
	uint8_t lauthor[REC_KEY_LEN];
	char author_hex[65], err[256];
	json_t *j = NULL;
	const char *school, *lid;
	size_t plen;
	int rc = 0;

	if (!rec_kind_directed(r->kind))
		return 0;
	if (memcmp(r->author, n->sign_pk, REC_KEY_LEN) == 0) {
		if ((r->kind == REC_PLACEMENT ? placement_recipient(t, r,
		    lauthor) : recipient_txn(t, r, lauthor)) != 0) {
			log_warn("a directed record of ours names no "
			    "recipient; it is not sent");
			return 0;
		}
		return peers_note_own(t, r, lauthor);
	}
	if (app_open(r->body, r->body_len, n->sign_pk, n->sign_sk, &plain,
	    &plen) != 0)
		return 0;	/* sealed to another node */
	if (r->kind == REC_PLACEMENT) {
		rc = placement_recv(n, t, r, plain, plen);
		goto out;
	}
	hex_encode(author_hex, r->author, REC_KEY_LEN);
	memset(&ra, 0, sizeof(ra));
	if (r->kind == REC_APPLICATION) {
		if (app_parse(plain, plen, &j, err, sizeof(err)) != 0) {
			log_warn("application from %.16s refused: %s",
			    author_hex, err);
			goto out;
		}
		school = json_string_value(json_object_get(j, "school"));
		lid = json_string_value(json_object_get(j, "listing"));
		/* The sealed box is anonymous: the record's signature is
		 * what says which school sent it. */
		if (strcmp(school, author_hex) != 0 ||
		    hex_decode(laddr, sizeof(laddr), lid) != 0 ||
		    records_addr_author(t, laddr, lauthor) != 0 ||
		    memcmp(lauthor, n->sign_pk, REC_KEY_LEN) != 0) {
			log_warn("application from %.16s refused: not for a "
			    "listing of this node, or not signed by its "
			    "school", author_hex);
			goto out;
		}
		if (!ref_names(r, REC_APP_PREFIX, json_string_value(
		    json_object_get(j, "application")))) {
			log_warn("application from %.16s refused: its content "
			    "names another application", author_hex);
			goto out;
		}
		hex_decode(app, sizeof(app), json_string_value(
		    json_object_get(j, "application")));
		json_object_set_new(j, "status", json_string("pending"));
		json_object_set_new(j, "received", json_integer(now_ms()));
		ra.app = app;
		ra.entry = j;
		if ((rc = recv_app_fn(t, &ra)) == 0 && ra.stored)
			log_info("application received from %.16s",
			    author_hex);
	} else {
		if (answer_parse(plain, plen, &j, err, sizeof(err)) != 0) {
			log_warn("answer from %.16s refused: %s", author_hex,
			    err);
			goto out;
		}
		if (!ref_names(r, REC_ANS_PREFIX, json_string_value(
		    json_object_get(j, "application")))) {
			log_warn("answer from %.16s refused: its content "
			    "names another application", author_hex);
			goto out;
		}
		hex_decode(app, sizeof(app), json_string_value(
		    json_object_get(j, "application")));
		ra.app = app;
		ra.author_hex = author_hex;
		ra.status = json_string_value(json_object_get(j, "status"));
		ra.note = json_string_value(json_object_get(j, "note"));
		ra.contact = json_object_get(j, "contact");
		if ((rc = recv_answer_fn(t, &ra)) == 0 && ra.stored)
			log_info("answer received from %.16s: %s",
			    author_hex, ra.status);
	}
out:
	json_decref(j);
	if (plain) {
		sodium_memzero(plain, plen);
		free(plain);
	}
	return rc;
}

int
apps_open(struct node *n, char *err, size_t errlen)
{
	if (records_hook(n->records, recv_hook, n) != 0) {
		snprintf(err, errlen, "apps: cannot hook into records");
		return MENTOR_ETOOBIG;
	}
	return 0;
}

/* ---- students' own keys --------------------------------------------- */

struct key_arg {
	const uint8_t	*key;
	const char	*student;
	char		*out;
	size_t		 outlen;
	uint8_t		(*del)[33];
	size_t		 n, cap;
};

static int
key_get_fn(struct store_txn *t, void *arg)
{
	struct key_arg *a = arg;
	uint8_t k[KEY_MAX];
	const char *id;
	json_t *j;
	int rc;

	if ((rc = apps_get_json(t, k, apps_aux_key(k, 'k', a->key, 32), &j)) != 0)
		return rc;
	id = json_string_value(json_object_get(j, "student"));
	rc = id && apps_student_exists(t, id) ? 0 : MENTOR_ENOTFOUND;
	if (rc == 0)
		snprintf(a->out, a->outlen, "%s", id);
	json_decref(j);
	return rc;
}

int
apps_student_for_key(struct node *n, const uint8_t key[32], char *out,
    size_t outlen)
{
	struct key_arg a;

	memset(&a, 0, sizeof(a));
	a.key = key;
	a.out = out;
	a.outlen = outlen;
	return store_read(n->store, key_get_fn, &a);
}

static int
key_put_fn(struct store_txn *t, void *arg)
{
	struct key_arg *a = arg;
	uint8_t k[KEY_MAX];
	json_t *j;
	int rc;

	if (!apps_student_exists(t, a->student))
		return MENTOR_ENOTFOUND;
	j = json_pack("{s:s,s:I}", "student", a->student, "created",
	    (json_int_t)now_ms());
	if (j == NULL)
		return MENTOR_ENOMEM;
	rc = apps_put_json(t, k, apps_aux_key(k, 'k', a->key, 32), j);
	json_decref(j);
	return rc;
}

int
apps_key_add(struct node *n, const uint8_t key[32], const char *student)
{
	struct key_arg a;

	memset(&a, 0, sizeof(a));
	a.key = key;
	a.student = student;
	return store_write(n->store, key_put_fn, &a);
}

static int
key_del_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct key_arg *a = arg;
	const uint8_t *k = key;
	json_t *j;
	const char *id;
	void *p;
	int mine;

	if (klen < 1 || k[0] != 'k')
		return 1;
	if (klen != 33 || (j = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	id = json_string_value(json_object_get(j, "student"));
	mine = id && strcmp(id, a->student) == 0;
	json_decref(j);
	if (!mine)
		return 0;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		if ((p = realloc(a->del, a->cap * sizeof(*a->del))) == NULL)
			return MENTOR_ENOMEM;
		a->del = p;
	}
	memcpy(a->del[a->n++], k, 33);
	return 0;
}

static int
key_revoke_txn(struct store_txn *t, struct key_arg *a)
{
	size_t i;
	int rc;

	a->n = 0;
	if ((rc = store_iter(t, DB_AUX, "k", 1, key_del_each, a)) < 0)
		return rc;
	for (i = 0; i < a->n; i++)
		if ((rc = store_del(t, DB_AUX, a->del[i], 33)) != 0)
			return rc;
	return 0;
}

static int
key_revoke_fn(struct store_txn *t, void *arg)
{
	return key_revoke_txn(t, arg);
}

int
apps_key_revoke(struct node *n, const char *student, size_t *revoked)
{
	struct key_arg a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.student = student;
	rc = store_write(n->store, key_revoke_fn, &a);
	free(a.del);
	*revoked = a.n;
	return rc;
}

/* ---- a rotated key (SPEC.md 4.8) --------------------------------------- */

/*
 * The keys of the application entries of one side (prefix 's' or 'e')
 * whose field has the value given (store_iter with entry_match_each).
 */
struct entry_match {
	char		 prefix;
	const char	*field;
	const char	*value;
	uint8_t		(*keys)[1 + APP_ID_LEN];
	size_t		 n, cap;
};

static int
entry_match_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct entry_match *f = arg;
	const uint8_t *k = key;
	json_t *e;
	const char *who;
	int match;
	void *p;

	if (klen < 1 || k[0] != (uint8_t)f->prefix)
		return 1;
	if (klen != 1 + APP_ID_LEN || (e = json_loadb(val, vlen, 0,
	    NULL)) == NULL)
		return 0;
	who = json_string_value(json_object_get(e, f->field));
	match = who != NULL && strcmp(who, f->value) == 0;
	json_decref(e);
	if (!match)
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

struct rotated_arg {
	char		 old[2 * REC_KEY_LEN + 1], new[2 * REC_KEY_LEN + 1];
	size_t		 changed;
};

static int
rotated_fn(struct store_txn *t, void *arg)
{
	static const struct {
		char		 prefix;
		const char	*field;
	} sides[] = { { 's', "employer" }, { 'e', "school" } };
	struct rotated_arg *a = arg;
	struct entry_match f;
	json_t *e;
	size_t i, j;
	int rc = 0;

	a->changed = 0;
	for (j = 0; j < sizeof(sides) / sizeof(sides[0]) && rc == 0; j++) {
		memset(&f, 0, sizeof(f));
		f.prefix = sides[j].prefix;
		f.field = sides[j].field;
		f.value = a->old;
		if ((rc = store_iter(t, DB_AUX, &f.prefix, 1, entry_match_each,
		    &f)) == 1)
			rc = 0;
		for (i = 0; i < f.n && rc == 0; i++) {
			if ((rc = apps_get_json(t, f.keys[i], sizeof(f.keys[i]),
			    &e)) != 0)
				break;
			if (json_object_set_new(e, f.field, json_string(
			    a->new)) != 0)
				rc = MENTOR_ENOMEM;
			else
				rc = apps_put_json(t, f.keys[i],
				    sizeof(f.keys[i]), e);
			json_decref(e);
			a->changed++;
		}
		free(f.keys);
	}
	return rc;
}

int
apps_follow_rotation(struct node *n, const uint8_t old[REC_KEY_LEN],
    const uint8_t new[REC_KEY_LEN], size_t *changed)
{
	struct rotated_arg a;
	int rc;

	hex_encode(a.old, old, REC_KEY_LEN);
	hex_encode(a.new, new, REC_KEY_LEN);
	rc = store_write(n->store, rotated_fn, &a);
	*changed = rc == 0 ? a.changed : 0;
	return rc;
}

/* ---- forgetting a student ------------------------------------------- */

int
apps_student_forget(struct store_txn *t, struct node *n, const char *id)
{
	struct entry_match f = { 's', "student", id, NULL, 0, 0 };
	uint8_t k[KEY_MAX], ps[16];
	char pshex[33];
	size_t i;
	int rc;

	rc = store_del(t, DB_AUX, k, apps_aux_key(k, 'c', id, strlen(id)));
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	apps_pseudonym(n, id, ps);
	rc = store_del(t, DB_AUX, k, apps_aux_key(k, 'p', ps, sizeof(ps)));
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	if ((rc = store_iter(t, DB_AUX, "s", 1, entry_match_each, &f)) < 0) {
		free(f.keys);
		return rc;
	}
	for (i = 0; i < f.n; i++)
		if ((rc = store_del(t, DB_AUX, f.keys[i],
		    sizeof(f.keys[i]))) != 0) {
			free(f.keys);
			return rc;
		}
	free(f.keys);
	{
		struct key_arg ka;

		memset(&ka, 0, sizeof(ka));
		ka.student = id;
		rc = key_revoke_txn(t, &ka);
		free(ka.del);
		if (rc != 0)
			return rc;
	}
	/* Evaluations, evidence, the node's copies of credentials. */
	if ((rc = evidence_forget(t, id)) != 0)
		return rc;
	hex_encode(pshex, ps, sizeof(ps));
	/* Only the pseudonym stays: nothing links it to a person now. */
	return apps_audit_append(t, json_pack("{s:s,s:s,s:I}", "action",
	    "student-deleted", "student", pshex, "applications",
	    (json_int_t)f.n));
}

struct recipient_arg {
	const uint8_t	*app;
	char		 side;		/* 's' school, 'e' employer */
	uint8_t		*to;
};

static int
recipient_fn(struct store_txn *t, void *arg)
{
	struct recipient_arg *a = arg;
	uint8_t k[KEY_MAX];
	const char *hex;
	json_t *e;
	int rc;

	if ((rc = apps_get_json(t, k, apps_aux_key(k, a->side, a->app,
	    APP_ID_LEN), &e)) != 0)
		return rc;
	hex = json_string_value(json_object_get(e, a->side == 's' ?
	    "employer" : "school"));
	rc = hex && hex_decode(a->to, REC_KEY_LEN, hex) == 0 ? 0 :
	    MENTOR_ESTORE;
	json_decref(e);
	return rc;
}

/*
 * recipient_txn: inside t, the node our directed record r goes to: for
 * our application the listing's author ('s' entry), for our answer the
 * school ('e' entry).  MENTOR_EINVAL, MENTOR_ENOTFOUND or the store's.
 */
static int
recipient_txn(struct store_txn *t, const struct rec *r,
    uint8_t to[REC_KEY_LEN])
{
	struct recipient_arg a;
	uint8_t app[APP_ID_LEN];
	const char *prefix = r->kind == REC_APPLICATION ? REC_APP_PREFIX :
	    REC_ANS_PREFIX;
	char hex[2 * APP_ID_LEN + 1];
	size_t pl = strlen(prefix);

	if ((r->kind != REC_APPLICATION && r->kind != REC_ANSWER) ||
	    r->ref_len != pl + 2 * APP_ID_LEN ||
	    memcmp(r->ref, prefix, pl) != 0)
		return MENTOR_EINVAL;
	memcpy(hex, r->ref + pl, 2 * APP_ID_LEN);
	hex[2 * APP_ID_LEN] = '\0';
	if (hex_decode(app, sizeof(app), hex) != 0)
		return MENTOR_EINVAL;
	a.app = app;
	a.side = r->kind == REC_APPLICATION ? 's' : 'e';
	a.to = to;
	return recipient_fn(t, &a);
}

int
apps_listing_full(struct node *n, const uint8_t laddr[REC_ADDR_LEN], int full,
    uint8_t **out, size_t *outlen)
{
	uint8_t *buf;
	char ref[REC_REF_MAX + 1], err[256];
	size_t len, blen;
	struct rec r;
	json_t *body;
	char *enc;
	int rc;

	*out = NULL;
	if ((rc = records_current(n->records, laddr, &buf, &len)) != 0)
		return rc;
	rc = MENTOR_EINVAL;
	if (rec_decode(&r, buf, len) == 0 &&
	    memcmp(r.author, n->sign_pk, REC_KEY_LEN) == 0 &&
	    (body = json_loadb((const char *)r.body, r.body_len, 0,
	    NULL)) != NULL) {
		rc = 0;
		if (json_is_true(json_object_get(body, "full")) == !!full)
			goto done;	/* already so */
		if (full)
			json_object_set_new(body, "full", json_true());
		else
			json_object_del(body, "full");
		snprintf(ref, sizeof(ref), "%.*s", (int)r.ref_len, r.ref);
		rc = MENTOR_ENOMEM;
		if ((enc = listing_body_encode(body, &blen)) != NULL) {
			rc = records_build(n->records, REC_LISTING, ref,
			    (uint8_t *)enc, blen, (int64_t)r.expires_at, out,
			    outlen, err, sizeof(err));
			if (rc != 0)
				log_warn("cannot build a new version of a "
				    "listing: %s", err);
			free(enc);
		}
done:
		json_decref(body);
	}
	free(buf);
	return rc;
}

json_t *
apps_contact(const struct node *n)
{
	const struct conf *c = &n->conf;

	if (c->contact_name[0] == '\0')
		return NULL;
	return json_pack("{s:s,s:s*,s:s*}", "name", c->contact_name,
	    "email", c->contact_email[0] ? c->contact_email : NULL,
	    "phone", c->contact_phone[0] ? c->contact_phone : NULL);
}
