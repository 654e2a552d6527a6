/*
 * web_auth.c: staff accounts, set-up links, sign-in codes, API tokens,
 * sessions and the sign-in throttle (web_auth.h has the store layout).
 * Secrets are stored only as keyed hashes; comparisons of secrets happen
 * by hash lookup, and passwords through crypto_pwhash_str_verify.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "node.h"
#include "store.h"
#include "util.h"
#include "web_auth.h"

#define KEY_MAX		(2 + 128)
#define THROTTLE_SLOTS	1024

/* Letters and digits a person cannot confuse: no 0/O, 1/I/L, 5/S, 2/Z. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRTUVWXY346789";
#define CODE_ALPHABET_LEN	(sizeof(code_alphabet) - 1)

static const char *const role_names[] = { NULL, "admin", "coordinator",
    "employer", "student", "metrics" };

int
web_role_parse(const char *s)
{
	int i;

	for (i = WEB_ROLE_ADMIN; i <= WEB_ROLE_METRICS; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return MENTOR_EINVAL;
}

const char *
web_role_name(int role)
{
	return role >= WEB_ROLE_ADMIN && role <= WEB_ROLE_METRICS ?
	    role_names[role] : "?";
}

int
web_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > WEB_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._@-", s[i]))
			return 0;
	return 1;
}

/* ---- keys and hashes ------------------------------------------------- */

static void
secret_hash(const struct node *n, const void *s, size_t len, uint8_t out[32])
{
	uint8_t key[32];

	crypto_generichash(key, sizeof(key),
	    (const uint8_t *)"mentord web secrets v1", 22, n->sign_sk, 32);
	crypto_generichash(out, 32, s, len, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
}

/* hex_secret_hash: H of the raw bytes of a 64-hex-digit secret. */
static int
hex_secret_hash(const struct node *n, const char *hex, uint8_t out[32])
{
	uint8_t raw[32];

	if (strlen(hex) != 64 || hex_decode(raw, sizeof(raw), hex) != 0)
		return MENTOR_EPERM;
	secret_hash(n, raw, sizeof(raw), out);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

static void
new_secret(char hex[WEB_SECRET_HEX], uint8_t raw[32])
{
	randombytes_buf(raw, 32);
	hex_encode(hex, raw, 32);
}

static size_t
wkey(uint8_t *k, char kind, const void *id, size_t len)
{
	k[0] = 'w';
	k[1] = (uint8_t)kind;
	memcpy(k + 2, id, len);
	return 2 + len;
}

static int
get_json(struct store_txn *t, const uint8_t *k, size_t klen, json_t **out)
{
	const void *v;
	size_t vlen;
	int rc;

	if ((rc = store_get(t, DB_AUX, k, klen, &v, &vlen)) != 0)
		return rc;
	*out = json_loadb(v, vlen, 0, NULL);
	return *out ? 0 : MENTOR_ESTORE;
}

static int
put_json(struct store_txn *t, const uint8_t *k, size_t klen, const json_t *j)
{
	char *s;
	int rc;

	if ((s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return MENTOR_ENOMEM;
	rc = store_put(t, DB_AUX, k, klen, s, strlen(s));
	free(s);
	return rc;
}

static int
password_ok(const char *pw, char *err, size_t errlen)
{
	size_t n = strlen(pw);

	if (n < WEB_PASSWORD_MIN || n > WEB_PASSWORD_MAX) {
		snprintf(err, errlen, "password: %d to %d characters",
		    WEB_PASSWORD_MIN, WEB_PASSWORD_MAX);
		return MENTOR_EINVAL;
	}
	return 0;
}

static int
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

/* ---- sessions (shared by removal paths) ------------------------------ */

/* How long sessions last: [web] session_* or the defaults. */
struct sess_limits {
	int64_t		 idle_student, idle_staff, max;	/* ms */
};

struct sess_sweep {
	int		 role;		/* 0: any */
	const char	*name;		/* NULL: any */
	int64_t		 now;		/* > 0: also the expired ones */
	struct sess_limits lim;		/* with now */
	uint8_t		(*keys)[2 + 32];
	size_t		 n, cap;
};

static void
sess_limits(const struct node *n, struct sess_limits *l)
{
	const struct conf *c = &n->conf;

	l->idle_student = c->web_idle_student_s ?
	    c->web_idle_student_s * 1000LL : WEB_IDLE_STUDENT_MS;
	l->idle_staff = c->web_idle_staff_s ? c->web_idle_staff_s * 1000LL :
	    WEB_IDLE_STAFF_MS;
	l->max = c->web_session_max_s ? c->web_session_max_s * 1000LL :
	    WEB_ABSOLUTE_MS;
}

static int64_t
sess_idle(const json_t *s, const struct sess_limits *l)
{
	const char *role = json_string_value(json_object_get(s, "role"));

	return role && strcmp(role, "student") == 0 ? l->idle_student :
	    l->idle_staff;
}

/* session_expired: idle too long, or older than the absolute limit. */
static int
session_expired(const json_t *s, const struct sess_limits *l, int64_t now)
{
	int64_t created = json_integer_value(json_object_get(s, "created"));
	int64_t seen = json_integer_value(json_object_get(s, "seen"));

	return now - created >= l->max || now - seen >= sess_idle(s, l);
}

static int
sweep_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct sess_sweep *w = arg;
	const uint8_t *k = key;
	json_t *s;
	int hit = 0;
	void *p;

	if (klen < 2 || k[0] != 'w' || k[1] != 's')
		return 1;
	if (klen != 2 + 32)
		return 0;
	if ((s = json_loadb(val, vlen, 0, NULL)) == NULL)
		hit = 1;
	else {
		if (w->name && web_role_parse(json_string_value(
		    json_object_get(s, "role")) ? json_string_value(
		    json_object_get(s, "role")) : "") == w->role &&
		    json_is_string(json_object_get(s, "name")) &&
		    strcmp(json_string_value(json_object_get(s, "name")),
		    w->name) == 0)
			hit = 1;
		if (w->now > 0 && session_expired(s, &w->lim, w->now))
			hit = 1;
		json_decref(s);
	}
	if (!hit)
		return 0;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		if ((p = realloc(w->keys, w->cap * sizeof(*w->keys))) == NULL)
			return MENTOR_ENOMEM;
		w->keys = p;
	}
	memcpy(w->keys[w->n++], key, klen);
	return 0;
}

/* sessions_sweep: deletes the sessions w selects; inside a write txn. */
static int
sessions_sweep(struct store_txn *t, struct sess_sweep *w)
{
	size_t i;
	int rc;

	w->n = 0;
	rc = store_iter(t, DB_AUX, "ws", 2, sweep_each, w);
	if (rc < 0)
		return rc;
	for (i = 0; i < w->n; i++)
		if ((rc = store_del(t, DB_AUX, w->keys[i], 2 + 32)) != 0)
			return rc;
	return 0;
}

/* ---- staff accounts -------------------------------------------------- */

struct user_op {
	struct node	*node;
	const char	*name;
	int		 role;
	const char	*hash;		/* "" for a pending account */
	const uint8_t	*setup;		/* H(setup token) or NULL */
	int		 create;
	int64_t		 now;
	struct sess_sweep sweep;
};

static int
setup_put(struct store_txn *t, const struct user_op *o)
{
	uint8_t k[KEY_MAX];
	json_t *j;
	int rc;

	j = json_pack("{s:s,s:I}", "user", o->name, "expires",
	    (json_int_t)(o->now + WEB_SETUP_MS));
	if (j == NULL)
		return MENTOR_ENOMEM;
	rc = put_json(t, k, wkey(k, 'k', o->setup, 32), j);
	json_decref(j);
	return rc;
}

static int
user_put_tx(struct store_txn *t, void *arg)
{
	struct user_op *o = arg;
	uint8_t k[KEY_MAX];
	size_t klen = wkey(k, 'u', o->name, strlen(o->name));
	json_t *j, *old = NULL;
	int rc;

	rc = get_json(t, k, klen, &old);
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	if (o->create && rc == 0) {
		json_decref(old);
		return MENTOR_EEXIST;
	}
	if (!o->create && rc == MENTOR_ENOTFOUND)
		return MENTOR_ENOTFOUND;
	if (old)
		o->role = web_role_parse(json_string_value(json_object_get(
		    old, "role")) ? json_string_value(json_object_get(old,
		    "role")) : "");
	j = json_pack("{s:s,s:s,s:I}", "role", web_role_name(o->role),
	    "hash", o->hash, "created", old ? json_integer_value(
	    json_object_get(old, "created")) : (json_int_t)o->now);
	json_decref(old);
	if (j == NULL)
		return MENTOR_ENOMEM;
	rc = put_json(t, k, klen, j);
	json_decref(j);
	if (rc == 0 && o->setup)
		rc = setup_put(t, o);
	if (rc == 0 && !o->create) {
		o->sweep.role = o->role;
		o->sweep.name = o->name;
		rc = sessions_sweep(t, &o->sweep);
	}
	return rc;
}

static int
user_put(struct node *n, const char *name, int role, const char *password,
    int hashed, int create, char setup[WEB_SECRET_HEX], char *err,
    size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	uint8_t raw[32], h[32];
	struct user_op o;
	int rc;

	if (!web_name_valid(name)) {
		snprintf(err, errlen, "name: 1 to %d letters, digits or "
		    "._@-", WEB_NAME_MAX);
		return MENTOR_EINVAL;
	}
	if (create && (role < WEB_ROLE_ADMIN || role > WEB_ROLE_EMPLOYER)) {
		snprintf(err, errlen, "role: admin, coordinator or employer");
		return MENTOR_EINVAL;
	}
	memset(&o, 0, sizeof(o));
	if (password && hashed) {
		/* Made by web_password_make. */
		if (strlen(password) >= sizeof(hash) ||
		    strncmp(password, "$argon2id$", 10) != 0) {
			snprintf(err, errlen, "password: not a password hash");
			return MENTOR_EINVAL;
		}
		snprintf(hash, sizeof(hash), "%s", password);
	} else if (password) {
		if ((rc = password_ok(password, err, errlen)) != 0)
			return rc;
		if ((rc = password_hash(password, hash)) != 0)
			return rc;
	} else {
		new_secret(setup, raw);
		secret_hash(n, raw, sizeof(raw), h);
		sodium_memzero(raw, sizeof(raw));
		o.setup = h;
	}
	o.node = n;
	o.name = name;
	o.role = role;
	o.hash = hash;
	o.create = create;
	o.now = now_ms();
	rc = store_write(n->store, user_put_tx, &o);
	free(o.sweep.keys);
	sodium_memzero(hash, sizeof(hash));
	if (rc == MENTOR_EEXIST)
		snprintf(err, errlen, "%s: an account of that name exists",
		    name);
	else if (rc == MENTOR_ENOTFOUND)
		snprintf(err, errlen, "%s: no such account", name);
	else if (rc != 0)
		snprintf(err, errlen, "%s", mentor_strerror(rc));
	return rc;
}

int
web_user_add(struct node *n, const char *name, int role, const char *password,
    char setup[WEB_SECRET_HEX], char *err, size_t errlen)
{
	return user_put(n, name, role, password, 0, 1, setup, err, errlen);
}

int
web_user_passwd(struct node *n, const char *name, const char *password,
    char setup[WEB_SECRET_HEX], char *err, size_t errlen)
{
	return user_put(n, name, 0, password, 0, 0, setup, err, errlen);
}

int
web_user_set_hash(struct node *n, const char *name, const char *hash,
    char *err, size_t errlen)
{
	char setup[WEB_SECRET_HEX];

	return user_put(n, name, 0, hash, 1, 0, setup, err, errlen);
}

int
web_password_make(const char *password, char hash[WEB_HASH_MAX], char *err,
    size_t errlen)
{
	int rc;

	if ((rc = password_ok(password, err, errlen)) != 0)
		return rc;
	if ((rc = password_hash(password, hash)) != 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

static int
user_list_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	const uint8_t *k = key;
	json_t *j, *e;
	const char *h;

	if (klen < 2 || k[0] != 'w' || k[1] != 'u')
		return 1;
	if ((j = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	h = json_string_value(json_object_get(j, "hash"));
	e = json_pack("{s:s%,s:O,s:b,s:O}", "name", (const char *)k + 2,
	    klen - 2, "role", json_object_get(j, "role"), "pending",
	    h == NULL || *h == '\0', "created", json_object_get(j,
	    "created"));
	json_decref(j);
	if (e == NULL)
		return MENTOR_ENOMEM;
	return json_array_append_new(arg, e) == 0 ? 0 : MENTOR_ENOMEM;
}

static int
user_list_tx(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "wu", 2, user_list_each, arg);

	return rc < 0 ? rc : 0;
}

int
web_user_list(struct node *n, json_t **out)
{
	int rc;

	if ((*out = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(n->store, user_list_tx, *out)) != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

struct setup_sweep {
	const char	*user;
	uint8_t		(*keys)[2 + 32];
	size_t		 n, cap;
};

static int
setup_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct setup_sweep *w = arg;
	const uint8_t *k = key;
	json_t *j;
	const char *u;
	int hit;
	void *p;

	if (klen < 2 || k[0] != 'w' || k[1] != 'k')
		return 1;
	if (klen != 2 + 32 || (j = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	u = json_string_value(json_object_get(j, "user"));
	hit = u && strcmp(u, w->user) == 0;
	json_decref(j);
	if (!hit)
		return 0;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4;
		if ((p = realloc(w->keys, w->cap * sizeof(*w->keys))) == NULL)
			return MENTOR_ENOMEM;
		w->keys = p;
	}
	memcpy(w->keys[w->n++], key, klen);
	return 0;
}

struct user_rm {
	const char		*name;
	struct sess_sweep	 sweep;
	struct setup_sweep	 setup;
};

static int
user_remove_tx(struct store_txn *t, void *arg)
{
	struct user_rm *r = arg;
	uint8_t k[KEY_MAX];
	json_t *old;
	size_t i;
	int rc;

	if ((rc = get_json(t, k, wkey(k, 'u', r->name, strlen(r->name)),
	    &old)) != 0)
		return rc;
	r->sweep.role = web_role_parse(json_string_value(json_object_get(old,
	    "role")) ? json_string_value(json_object_get(old, "role")) : "");
	json_decref(old);
	if ((rc = store_del(t, DB_AUX, k, 2 + strlen(r->name))) != 0)
		return rc;
	r->sweep.name = r->name;
	if ((rc = sessions_sweep(t, &r->sweep)) != 0)
		return rc;
	r->setup.n = 0;
	r->setup.user = r->name;
	if ((rc = store_iter(t, DB_AUX, "wk", 2, setup_each, &r->setup)) < 0)
		return rc;
	for (i = 0; i < r->setup.n; i++)
		if ((rc = store_del(t, DB_AUX, r->setup.keys[i], 34)) != 0)
			return rc;
	return 0;
}

int
web_user_remove(struct node *n, const char *name)
{
	struct user_rm r;
	int rc;

	if (!web_name_valid(name))
		return MENTOR_ENOTFOUND;
	memset(&r, 0, sizeof(r));
	r.name = name;
	rc = store_write(n->store, user_remove_tx, &r);
	free(r.sweep.keys);
	free(r.setup.keys);
	return rc;
}

struct setup_use {
	struct node	*node;
	uint8_t		 h[32];
	const char	*hash;
	char		 user[WEB_NAME_MAX + 1];
	int64_t		 now;
	struct sess_sweep sweep;
};

static int
setup_tx(struct store_txn *t, void *arg)
{
	struct setup_use *s = arg;
	uint8_t k[KEY_MAX];
	json_t *j, *u;
	const char *name;
	size_t klen;
	int rc;

	if ((rc = get_json(t, k, wkey(k, 'k', s->h, 32), &j)) != 0)
		return rc == MENTOR_ENOTFOUND ? MENTOR_EPERM : rc;
	if ((rc = store_del(t, DB_AUX, k, 34)) != 0) {
		json_decref(j);
		return rc;
	}
	name = json_string_value(json_object_get(j, "user"));
	if (name == NULL || !web_name_valid(name) ||
	    json_integer_value(json_object_get(j, "expires")) < s->now) {
		json_decref(j);
		return MENTOR_EPERM;
	}
	snprintf(s->user, sizeof(s->user), "%s", name);
	json_decref(j);
	klen = wkey(k, 'u', s->user, strlen(s->user));
	if ((rc = get_json(t, k, klen, &u)) != 0)
		return rc == MENTOR_ENOTFOUND ? MENTOR_EPERM : rc;
	json_object_set_new(u, "hash", json_string(s->hash));
	rc = put_json(t, k, klen, u);
	s->sweep.role = web_role_parse(json_string_value(json_object_get(u,
	    "role")) ? json_string_value(json_object_get(u, "role")) : "");
	json_decref(u);
	s->sweep.name = s->user;
	if (rc == 0)
		rc = sessions_sweep(t, &s->sweep);
	return rc;
}

int
web_setup(struct node *n, const char *token, const char *password,
    char *user, size_t userlen, char *err, size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES];
	struct setup_use s;
	int rc;

	memset(&s, 0, sizeof(s));
	if (hex_secret_hash(n, token, s.h) != 0)
		goto refused;
	if ((rc = password_ok(password, err, errlen)) != 0)
		return rc;
	if ((rc = password_hash(password, hash)) != 0)
		return rc;
	s.node = n;
	s.hash = hash;
	s.now = now_ms();
	rc = store_write(n->store, setup_tx, &s);
	free(s.sweep.keys);
	sodium_memzero(hash, sizeof(hash));
	if (rc == 0) {
		snprintf(user, userlen, "%s", s.user);
		return 0;
	}
	if (rc != MENTOR_EPERM) {
		snprintf(err, errlen, "%s", mentor_strerror(rc));
		return rc;
	}
refused:
	snprintf(err, errlen, "this set-up link is not valid any more; ask "
	    "the node's operator for a new one");
	return MENTOR_EPERM;
}

struct pw_get {
	const char	*name;
	char		 hash[crypto_pwhash_STRBYTES];
	int		 role;
};

static int
pw_get_tx(struct store_txn *t, void *arg)
{
	struct pw_get *g = arg;
	uint8_t k[KEY_MAX];
	json_t *j;
	const char *h, *r;
	int rc;

	if ((rc = get_json(t, k, wkey(k, 'u', g->name, strlen(g->name)),
	    &j)) != 0)
		return rc;
	h = json_string_value(json_object_get(j, "hash"));
	r = json_string_value(json_object_get(j, "role"));
	if (h && r && strlen(h) < sizeof(g->hash)) {
		snprintf(g->hash, sizeof(g->hash), "%s", h);
		g->role = web_role_parse(r);
	}
	json_decref(j);
	return 0;
}

_Static_assert(WEB_HASH_MAX == crypto_pwhash_STRBYTES, "WEB_HASH_MAX");

int
web_password_lookup(struct node *n, const char *name, struct web_pwcheck *c)
{
	struct pw_get g;

	memset(c, 0, sizeof(*c));
	memset(&g, 0, sizeof(g));
	g.name = name;
	if (web_name_valid(name) && store_read(n->store, pw_get_tx,
	    &g) == 0 && g.hash[0] != '\0' && g.role > 0) {
		memcpy(c->hash, g.hash, sizeof(c->hash));
		c->role = g.role;
		c->found = 1;
	}
	return 0;
}

int
web_password_verify(const struct web_pwcheck *c, const char *password)
{
	/* The hash of a random password, made once per thread. */
	static _Thread_local char dummy[crypto_pwhash_STRBYTES];
	size_t plen = strlen(password);
	char pw[33];
	uint8_t r[16];

	if (!c->found) {
		if (dummy[0] == '\0') {
			randombytes_buf(r, sizeof(r));
			hex_encode(pw, r, sizeof(r));
			if (password_hash(pw, dummy) != 0)
				dummy[0] = '\0';
		}
		/* The same work as a real check; the answer is no. */
		if (dummy[0] && crypto_pwhash_str_verify(dummy, password,
		    plen) == 0)
			return MENTOR_EPERM;
		return MENTOR_EPERM;
	}
	if (plen > WEB_PASSWORD_MAX ||
	    crypto_pwhash_str_verify(c->hash, password, plen) != 0)
		return MENTOR_EPERM;
	return 0;
}

int
web_check_password(struct node *n, const char *name, const char *password,
    int *role)
{
	/* The Argon2id hash of a random password, made once per process. */
	static char dummy[crypto_pwhash_STRBYTES];
	struct pw_get g;
	size_t plen = strlen(password);
	int found;

	memset(&g, 0, sizeof(g));
	g.name = name;
	found = web_name_valid(name) && store_read(n->store, pw_get_tx,
	    &g) == 0 && g.hash[0] != '\0' && g.role > 0;
	if (!found) {
		if (dummy[0] == '\0') {
			char pw[33];
			uint8_t r[16];

			randombytes_buf(r, sizeof(r));
			hex_encode(pw, r, sizeof(r));
			if (password_hash(pw, dummy) != 0)
				dummy[0] = '\0';
		}
		/* The same work as a real check; the answer is no. */
		if (dummy[0] && crypto_pwhash_str_verify(dummy, password,
		    plen) == 0)
			return MENTOR_EPERM;
		return MENTOR_EPERM;
	}
	if (plen > WEB_PASSWORD_MAX ||
	    crypto_pwhash_str_verify(g.hash, password, plen) != 0)
		return MENTOR_EPERM;
	*role = g.role;
	return 0;
}

/* ---- students' sign-in codes ---------------------------------------- */

/* code_normalize: upper case, dashes and spaces dropped; 0 or -1. */
static int
code_normalize(const char *in, char out[WEB_CODE_LEN + 1])
{
	size_t n = 0;
	int ch;

	for (; *in; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		ch = toupper((unsigned char)*in);
		if (n == WEB_CODE_LEN || strchr(code_alphabet, ch) == NULL ||
		    ch == '\0')
			return -1;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n == WEB_CODE_LEN ? 0 : -1;
}

struct code_op {
	struct node	*node;
	const char	*student;
	uint8_t		 h[32];		/* H(new code); unused for revoke */
	int		 issue;
	struct sess_sweep sweep;
};

static int
code_tx(struct store_txn *t, void *arg)
{
	struct code_op *o = arg;
	uint8_t k[KEY_MAX];
	const void *v;
	size_t vlen, slen = strlen(o->student);
	int rc;

	if (o->issue) {
		if ((rc = store_get(t, DB_STUDENTS, o->student, slen, &v,
		    &vlen)) != 0)
			return rc;
	}
	rc = store_get(t, DB_AUX, k, wkey(k, 'C', o->student, slen), &v,
	    &vlen);
	if (rc == 0 && vlen == 32) {
		uint8_t old[KEY_MAX];

		wkey(old, 'c', v, 32);
		if ((rc = store_del(t, DB_AUX, old, 34)) != 0 &&
		    rc != MENTOR_ENOTFOUND)
			return rc;
	} else if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	o->sweep.role = WEB_ROLE_STUDENT;
	o->sweep.name = o->student;
	if ((rc = sessions_sweep(t, &o->sweep)) != 0)
		return rc;
	if (!o->issue) {
		rc = store_del(t, DB_AUX, k, 2 + slen);
		return rc == MENTOR_ENOTFOUND ? 0 : rc;
	}
	if ((rc = store_put(t, DB_AUX, k, 2 + slen, o->h, 32)) != 0)
		return rc;
	return store_put(t, DB_AUX, k, wkey(k, 'c', o->h, 32), o->student,
	    slen);
}

int
web_code_issue(struct node *n, const char *student,
    char code[WEB_CODE_LEN + 1])
{
	struct code_op o;
	size_t i;
	int rc;

	if (strlen(student) == 0 || strlen(student) > WEB_STUDENT_MAX)
		return MENTOR_ENOTFOUND;
	for (i = 0; i < WEB_CODE_LEN; i++)
		code[i] = code_alphabet[randombytes_uniform(
		    CODE_ALPHABET_LEN)];
	code[WEB_CODE_LEN] = '\0';
	memset(&o, 0, sizeof(o));
	o.node = n;
	o.student = student;
	o.issue = 1;
	secret_hash(n, code, WEB_CODE_LEN, o.h);
	rc = store_write(n->store, code_tx, &o);
	free(o.sweep.keys);
	return rc;
}

int
web_code_revoke(struct node *n, const char *student)
{
	struct code_op o;
	int rc;

	if (strlen(student) == 0 || strlen(student) > WEB_STUDENT_MAX)
		return MENTOR_ENOTFOUND;
	memset(&o, 0, sizeof(o));
	o.node = n;
	o.student = student;
	rc = store_write(n->store, code_tx, &o);
	free(o.sweep.keys);
	return rc;
}

struct code_get {
	uint8_t		 h[32];
	char		*student;
	size_t		 len;
};

static int
code_get_tx(struct store_txn *t, void *arg)
{
	struct code_get *g = arg;
	uint8_t k[KEY_MAX];
	const void *v;
	size_t vlen;
	int rc;

	if ((rc = store_get(t, DB_AUX, k, wkey(k, 'c', g->h, 32), &v,
	    &vlen)) != 0)
		return rc;
	if (vlen == 0 || vlen >= g->len)
		return MENTOR_ESTORE;
	memcpy(g->student, v, vlen);
	g->student[vlen] = '\0';
	return 0;
}

int
web_code_check(struct node *n, const char *code, char *student,
    size_t studentlen)
{
	char norm[WEB_CODE_LEN + 1];
	struct code_get g;

	if (code_normalize(code, norm) != 0)
		return MENTOR_EPERM;
	secret_hash(n, norm, WEB_CODE_LEN, g.h);
	g.student = student;
	g.len = studentlen;
	return store_read(n->store, code_get_tx, &g) == 0 ? 0 : MENTOR_EPERM;
}

/* ---- API tokens ------------------------------------------------------ */

struct token_op {
	const char	*name;
	int		 role;
	uint8_t		 h[32];
	int64_t		 now;
};

static int
token_add_tx(struct store_txn *t, void *arg)
{
	struct token_op *o = arg;
	uint8_t k[KEY_MAX];
	const void *v;
	size_t vlen, klen = wkey(k, 'T', o->name, strlen(o->name));
	json_t *j;
	int rc;

	if ((rc = store_get(t, DB_AUX, k, klen, &v, &vlen)) == 0)
		return MENTOR_EEXIST;
	if (rc != MENTOR_ENOTFOUND)
		return rc;
	if ((rc = store_put(t, DB_AUX, k, klen, o->h, 32)) != 0)
		return rc;
	j = json_pack("{s:s,s:s,s:I}", "name", o->name, "role",
	    web_role_name(o->role), "created", (json_int_t)o->now);
	if (j == NULL)
		return MENTOR_ENOMEM;
	rc = put_json(t, k, wkey(k, 't', o->h, 32), j);
	json_decref(j);
	return rc;
}

int
web_token_add(struct node *n, const char *name, int role,
    char tok[WEB_SECRET_HEX])
{
	struct token_op o;
	uint8_t raw[32];

	if (!web_name_valid(name) || role < WEB_ROLE_ADMIN ||
	    (role > WEB_ROLE_EMPLOYER && role != WEB_ROLE_METRICS))
		return MENTOR_EINVAL;
	memset(&o, 0, sizeof(o));
	new_secret(tok, raw);
	secret_hash(n, raw, sizeof(raw), o.h);
	sodium_memzero(raw, sizeof(raw));
	o.name = name;
	o.role = role;
	o.now = now_ms();
	return store_write(n->store, token_add_tx, &o);
}

static int
token_revoke_tx(struct store_txn *t, void *arg)
{
	struct token_op *o = arg;
	uint8_t k[KEY_MAX], h[KEY_MAX];
	const void *v;
	size_t vlen, klen = wkey(k, 'T', o->name, strlen(o->name));
	int rc;

	if ((rc = store_get(t, DB_AUX, k, klen, &v, &vlen)) != 0)
		return rc;
	if (vlen == 32) {
		wkey(h, 't', v, 32);
		if ((rc = store_del(t, DB_AUX, h, 34)) != 0 &&
		    rc != MENTOR_ENOTFOUND)
			return rc;
	}
	return store_del(t, DB_AUX, k, klen);
}

int
web_token_revoke(struct node *n, const char *name)
{
	struct token_op o;

	if (!web_name_valid(name))
		return MENTOR_ENOTFOUND;
	memset(&o, 0, sizeof(o));
	o.name = name;
	return store_write(n->store, token_revoke_tx, &o);
}

static int
token_list_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	const uint8_t *k = key;
	json_t *j;

	if (klen < 2 || k[0] != 'w' || k[1] != 't')
		return 1;
	if ((j = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	return json_array_append_new(arg, j) == 0 ? 0 : MENTOR_ENOMEM;
}

static int
token_list_tx(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "wt", 2, token_list_each, arg);

	return rc < 0 ? rc : 0;
}

int
web_token_list(struct node *n, json_t **out)
{
	int rc;

	if ((*out = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(n->store, token_list_tx, *out)) != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

struct bearer_get {
	uint8_t			 h[32];
	struct web_principal	*p;
};

static int
bearer_tx(struct store_txn *t, void *arg)
{
	struct bearer_get *g = arg;
	uint8_t k[KEY_MAX];
	const char *name, *role;
	json_t *j;
	int rc;

	if ((rc = get_json(t, k, wkey(k, 't', g->h, 32), &j)) != 0)
		return rc;
	name = json_string_value(json_object_get(j, "name"));
	role = json_string_value(json_object_get(j, "role"));
	rc = MENTOR_ESTORE;
	if (name && role && web_name_valid(name) &&
	    (g->p->role = web_role_parse(role)) > 0) {
		snprintf(g->p->name, sizeof(g->p->name), "%s", name);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

int
web_bearer_check(struct node *n, const char *tok, struct web_principal *p)
{
	struct bearer_get g;

	memset(p, 0, sizeof(*p));
	if (hex_secret_hash(n, tok, g.h) != 0)
		return MENTOR_EPERM;
	g.p = p;
	if (store_read(n->store, bearer_tx, &g) != 0) {
		memset(p, 0, sizeof(*p));
		return MENTOR_EPERM;
	}
	p->bearer = 1;
	return 0;
}

/* ---- sessions -------------------------------------------------------- */

struct sess_op {
	struct web_principal	*p;
	int64_t			 now;
	struct sess_sweep	 sweep;
	int			 touch;		/* refresh "seen" */
};

static int
session_new_tx(struct store_txn *t, void *arg)
{
	struct sess_op *o = arg;
	uint8_t k[KEY_MAX];
	json_t *j;
	int rc;

	/* Creating a session is also when old ones are cleared away. */
	o->sweep.now = o->now;
	if ((rc = sessions_sweep(t, &o->sweep)) != 0)
		return rc;
	j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "role",
	    web_role_name(o->p->role), "name", o->p->name, "student",
	    o->p->student, "csrf", o->p->csrf, "created", (json_int_t)o->now,
	    "seen", (json_int_t)o->now);
	if (j == NULL)
		return MENTOR_ENOMEM;
	rc = put_json(t, k, wkey(k, 's', o->p->sid, 32), j);
	json_decref(j);
	return rc;
}

int
web_session_new(struct node *n, struct web_principal *p,
    char tok[WEB_SECRET_HEX])
{
	struct sess_op o;
	uint8_t raw[32];
	int rc;

	new_secret(tok, raw);
	secret_hash(n, raw, sizeof(raw), p->sid);
	sodium_memzero(raw, sizeof(raw));
	randombytes_buf(raw, sizeof(raw));
	hex_encode(p->csrf, raw, sizeof(raw));
	memset(&o, 0, sizeof(o));
	o.p = p;
	o.now = now_ms();
	sess_limits(n, &o.sweep.lim);
	rc = store_write(n->store, session_new_tx, &o);
	free(o.sweep.keys);
	return rc;
}

static int
session_get_tx(struct store_txn *t, void *arg)
{
	struct sess_op *o = arg;
	uint8_t k[KEY_MAX];
	const char *role, *name, *student, *csrf;
	size_t klen = wkey(k, 's', o->p->sid, 32);
	int64_t idle;
	json_t *j;
	int rc;

	if ((rc = get_json(t, k, klen, &j)) != 0)
		return rc;
	role = json_string_value(json_object_get(j, "role"));
	name = json_string_value(json_object_get(j, "name"));
	student = json_string_value(json_object_get(j, "student"));
	csrf = json_string_value(json_object_get(j, "csrf"));
	rc = MENTOR_EPERM;
	if (session_expired(j, &o->sweep.lim, o->now) || !role || !name ||
	    !student ||
	    !csrf || strlen(csrf) != 64 || strlen(name) > WEB_NAME_MAX ||
	    strlen(student) > WEB_STUDENT_MAX ||
	    (o->p->role = web_role_parse(role)) <= 0)
		goto out;
	snprintf(o->p->name, sizeof(o->p->name), "%s", name);
	snprintf(o->p->student, sizeof(o->p->student), "%s", student);
	snprintf(o->p->csrf, sizeof(o->p->csrf), "%s", csrf);
	rc = 0;
	/*
	 * Writing "seen" on every request would make every read a write:
	 * once a minute, or a tenth of the idle limit when that is shorter.
	 */
	idle = sess_idle(j, &o->sweep.lim) / 10;
	o->touch = o->now - json_integer_value(json_object_get(j, "seen")) >=
	    (idle < 60 * 1000 ? idle : 60 * 1000);
out:
	json_decref(j);
	return rc;
}

static int
session_touch_tx(struct store_txn *t, void *arg)
{
	struct sess_op *o = arg;
	uint8_t k[KEY_MAX];
	size_t klen = wkey(k, 's', o->p->sid, 32);
	json_t *j;
	int rc;

	if ((rc = get_json(t, k, klen, &j)) != 0)
		return rc;
	json_object_set_new(j, "seen", json_integer(o->now));
	rc = put_json(t, k, klen, j);
	json_decref(j);
	return rc;
}

int
web_session_check(struct node *n, const char *tok, struct web_principal *p)
{
	struct sess_op o;

	memset(p, 0, sizeof(*p));
	if (hex_secret_hash(n, tok, p->sid) != 0)
		return MENTOR_EPERM;
	memset(&o, 0, sizeof(o));
	o.p = p;
	o.now = now_ms();
	sess_limits(n, &o.sweep.lim);
	if (store_read(n->store, session_get_tx, &o) != 0) {
		memset(p, 0, sizeof(*p));
		return MENTOR_EPERM;
	}
	if (o.touch)
		(void)store_write(n->store, session_touch_tx, &o);
	return 0;
}

static int
session_end_tx(struct store_txn *t, void *arg)
{
	const struct web_principal *p = arg;
	uint8_t k[KEY_MAX];
	int rc = store_del(t, DB_AUX, k, wkey(k, 's', p->sid, 32));

	return rc == MENTOR_ENOTFOUND ? 0 : rc;
}

int
web_session_end(struct node *n, const struct web_principal *p)
{
	return store_write(n->store, session_end_tx, (void *)p);
}

static int
session_end_all_tx(struct store_txn *t, void *arg)
{
	return sessions_sweep(t, arg);
}

int
web_session_end_all(struct node *n, int role, const char *name, size_t *cnt)
{
	struct sess_sweep w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.role = role;
	w.name = name;
	rc = store_write(n->store, session_end_all_tx, &w);
	*cnt = rc == 0 ? w.n : 0;
	free(w.keys);
	return rc;
}

/* ---- the throttle ---------------------------------------------------- */

struct throttle_slot {
	char	 key[WEB_NAME_MAX + 48];
	int	 fails;
	int64_t	 first;		/* start of the window */
	int64_t	 last;		/* last failure, for eviction */
};

struct web_throttle {
	struct throttle_slot slot[THROTTLE_SLOTS];
};

int
web_throttle_new(struct web_throttle **tp)
{
	*tp = calloc(1, sizeof(**tp));
	return *tp ? 0 : MENTOR_ENOMEM;
}

void
web_throttle_free(struct web_throttle *t)
{
	free(t);
}

static struct throttle_slot *
slot_find(struct web_throttle *t, const char *key)
{
	size_t i;

	for (i = 0; i < THROTTLE_SLOTS; i++)
		if (t->slot[i].key[0] && strcmp(t->slot[i].key, key) == 0)
			return &t->slot[i];
	return NULL;
}

int
web_throttle_check(struct web_throttle *t, const char *key, int limit,
    int64_t window_ms, int64_t now)
{
	struct throttle_slot *s = slot_find(t, key);

	if (s == NULL || now - s->first >= window_ms) {
		if (s)
			s->key[0] = '\0';
		return 0;
	}
	if (s->fails < limit)
		return 0;
	return (int)((s->first + window_ms - now) / 1000) + 1;
}

void
web_throttle_fail(struct web_throttle *t, const char *key, int64_t window_ms,
    int64_t now)
{
	struct throttle_slot *s = slot_find(t, key), *old;
	size_t i;

	if (s && now - s->first >= window_ms)
		s->key[0] = '\0';
	if (s == NULL || s->key[0] == '\0') {
		old = &t->slot[0];
		for (i = 0; i < THROTTLE_SLOTS; i++) {
			if (t->slot[i].key[0] == '\0' ||
			    now - t->slot[i].first >= window_ms) {
				old = &t->slot[i];
				break;
			}
			if (t->slot[i].last < old->last)
				old = &t->slot[i];
		}
		s = old;
		memset(s, 0, sizeof(*s));
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->first = now;
	}
	s->fails++;
	s->last = now;
}

void
web_throttle_clear(struct web_throttle *t, const char *key)
{
	struct throttle_slot *s = slot_find(t, key);

	if (s)
		s->key[0] = '\0';
}

void
web_throttle_forgive(struct web_throttle *t, const char *key)
{
	struct throttle_slot *s = slot_find(t, key);

	if (s && s->fails > 0)
		s->fails--;
}
