/*
 * rotate.c: key rotation (rotate.h, SPEC.md 2.8): publishing our own and
 * following the others'.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "apps.h"
#include "body.h"
#include "log.h"
#include "mentor.h"
#include "migrate.h"
#include "node.h"
#include "peer.h"
#include "records.h"
#include "rotate.h"
#include "store.h"
#include "util.h"

/*
 * DB_AUX: the key this node rotated from, while its listings wait to be
 * signed again by the new key (rotate_resign, at the next start).
 */
#define RESIGN_KEY	"R:resign"
#define RESIGN_KLEN	(sizeof(RESIGN_KEY) - 1)

/* A rotation seen: followed from the loop, outside the watchers. */
struct follow {
	struct node	*node;
	uint8_t		 old[REC_KEY_LEN];
	uint8_t		 key[REC_KEY_LEN];
};

/* trusted_direct: whether key is in the trust list; *hub its mark. */
static int
trusted_direct(struct node *n, const char *hex, int *hub, char *note,
    size_t notelen)
{
	json_t *list = NULL, *e;
	size_t i;
	int found = 0;

	if (records_trust_list(n->records, &list) != 0)
		return 0;
	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(json_object_get(e, "node_id")) ?
		    json_string_value(json_object_get(e, "node_id")) : "",
		    hex) == 0) {
			*hub = json_is_true(json_object_get(e, "hub"));
			snprintf(note, notelen, "%s", json_string_value(
			    json_object_get(e, "note")) ? json_string_value(
			    json_object_get(e, "note")) : "");
			found = 1;
			break;
		}
	json_decref(list);
	return found;
}

static void
on_follow(evutil_socket_t fd, short what, void *arg)
{
	struct follow *f = arg;
	struct node *n = f->node;
	char old[2 * REC_KEY_LEN + 1], key[2 * REC_KEY_LEN + 1], err[256];
	char note[256];
	int rc, hub = 0;

	size_t moved;

	(void)fd;
	(void)what;
	hex_encode(old, f->old, REC_KEY_LEN);
	hex_encode(key, f->key, REC_KEY_LEN);
	if ((rc = apps_follow_rotation(n, f->old, f->key, &moved)) != 0)
		log_warn("rotation: the applications exchanged with %.16s "
		    "could not follow it: %s", old, mentor_strerror(rc));
	else if (moved > 0)
		log_info("rotation: %zu application%s exchanged with %.16s "
		    "now go on with %.16s", moved, moved == 1 ? "" : "s",
		    old, key);
	rc = peers_rotate(n->peers, f->old, f->key, err, sizeof(err));
	if (rc == 0)
		log_info("rotation: peer %.16s is now %.16s", old, key);
	else if (rc != MENTOR_ENOTFOUND)
		log_warn("rotation: peer %.16s: %s", old, err);
	else if (trusted_direct(n, old, &hub, note, sizeof(note))) {
		if ((rc = records_trust_add(n->records, f->key, note, hub)) ==
		    0)
			rc = records_trust_remove(n->records, f->old);
		if (rc != 0)
			log_warn("rotation: trust in %.16s: %s", key,
			    mentor_strerror(rc));
		else
			log_info("rotation: trusted %.16s is now %.16s", old,
			    key);
	}
	free(f);
}

static void
on_change(void *arg, const struct records_change *ch)
{
	struct node *n = arg;
	const struct rec *r = ch->stored;
	struct timeval now = { 0, 0 };
	struct follow *f;
	json_t *j;
	const char *hex;

	if (r == NULL || r->kind != REC_ROTATION ||
	    memcmp(r->author, n->sign_pk, REC_KEY_LEN) == 0)
		return;
	/* body_check passed before it was stored: new_key is valid. */
	j = json_loadb((const char *)r->body, r->body_len, 0, NULL);
	hex = json_string_value(json_object_get(j, "new_key"));
	if (hex == NULL || (f = calloc(1, sizeof(*f))) == NULL) {
		json_decref(j);
		return;
	}
	f->node = n;
	memcpy(f->old, r->author, REC_KEY_LEN);
	if (hex_decode(f->key, REC_KEY_LEN, hex) != 0 ||
	    event_base_once(n->base, -1, EV_TIMEOUT, on_follow, f, &now) != 0)
		free(f);
	json_decref(j);
}

int
rotate_open(struct node *n)
{
	return records_watch(n->records, on_change, n);
}

static int
resign_mark_fn(struct store_txn *t, void *arg)
{
	return store_put(t, DB_AUX, RESIGN_KEY, RESIGN_KLEN, arg, REC_KEY_LEN);
}

/* One of the old key's live listings, to sign again. */
struct resign_item {
	char		 ref[REC_REF_MAX + 1];
	uint8_t		 addr[REC_ADDR_LEN];	/* the old key's */
	uint8_t		*body;
	size_t		 body_len;
	int64_t		 expires;
};

struct resign_arg {
	uint8_t			 old[REC_KEY_LEN];
	struct resign_item	*it;
	size_t			 n, cap;
	int			 found;
};

static int
resign_get_fn(struct store_txn *t, void *arg)
{
	struct resign_arg *a = arg;
	const void *v;
	size_t vlen;

	if (store_get(t, DB_AUX, RESIGN_KEY, RESIGN_KLEN, &v, &vlen) != 0 ||
	    vlen != REC_KEY_LEN)
		return 0;
	memcpy(a->old, v, REC_KEY_LEN);
	a->found = 1;
	return 0;
}

static int
resign_each(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	struct resign_arg *a = arg;
	struct resign_item *it;
	void *x;

	if (memcmp(r->author, a->old, REC_KEY_LEN) != 0)
		return 0;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		if ((x = realloc(a->it, a->cap * sizeof(*a->it))) == NULL)
			return MENTOR_ENOMEM;
		a->it = x;
	}
	it = &a->it[a->n];
	if ((it->body = malloc(r->body_len ? r->body_len : 1)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(it->body, r->body, r->body_len);
	it->body_len = r->body_len;
	snprintf(it->ref, sizeof(it->ref), "%.*s", (int)r->ref_len, r->ref);
	memcpy(it->addr, addr, REC_ADDR_LEN);
	it->expires = (int64_t)r->expires_at;
	a->n++;
	return 0;
}

/*
 * The places taken on the old listing count on the new one, and a place
 * given back later on the old one is given back on the new one ('f': the
 * address it moved to, placement.c seat_free).
 */
struct seats {
	const uint8_t	*from, *to;
};

static int
seats_fn(struct store_txn *t, void *arg)
{
	struct seats *s = arg;
	uint8_t k[APPS_KEY_MAX];
	const void *v;
	size_t vlen, klen;
	uint8_t count[8];

	int rc;

	klen = apps_aux_key(k, 'f', s->from, REC_ADDR_LEN);
	if ((rc = store_put(t, DB_AUX, k, klen, s->to, REC_ADDR_LEN)) != 0)
		return rc;
	klen = apps_aux_key(k, 'n', s->to, REC_ADDR_LEN);
	if (store_get(t, DB_AUX, k, klen, &v, &vlen) == 0)
		return 0;	/* counted already */
	klen = apps_aux_key(k, 'n', s->from, REC_ADDR_LEN);
	if (store_get(t, DB_AUX, k, klen, &v, &vlen) != 0 || vlen != 8)
		return 0;	/* none taken */
	memcpy(count, v, sizeof(count));
	klen = apps_aux_key(k, 'n', s->to, REC_ADDR_LEN);
	return store_put(t, DB_AUX, k, klen, count, sizeof(count));
}

static int
resign_done_fn(struct store_txn *t, void *arg)
{
	int rc = store_del(t, DB_AUX, RESIGN_KEY, RESIGN_KLEN);

	(void)arg;
	return rc == MENTOR_ENOTFOUND ? 0 : rc;
}

int
rotate_resign(struct node *n)
{
	struct resign_arg a;
	struct seats st;
	uint8_t naddr[REC_ADDR_LEN], *cur;
	char err[256], hex[2 * REC_KEY_LEN + 1];
	size_t i, len, done = 0, had = 0, failed = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = store_read(n->store, resign_get_fn, &a)) != 0)
		return rc;
	if (!a.found || memcmp(a.old, n->sign_pk, REC_KEY_LEN) == 0)
		return 0;	/* nothing waits, or not restarted yet */
	if ((rc = records_foreach_live(n->records, resign_each, &a)) != 0)
		goto out;
	for (i = 0; i < a.n; i++) {
		rec_addr(naddr, n->sign_pk, a.it[i].ref, strlen(a.it[i].ref));
		if (records_current(n->records, naddr, &cur, &len) == 0) {
			free(cur);
			had++;
			continue;
		}
		st.from = a.it[i].addr;
		st.to = naddr;
		if ((rc = store_write(n->store, seats_fn, &st)) != 0 ||
		    (rc = records_publish(n->records, REC_LISTING, a.it[i].ref,
		    a.it[i].body, a.it[i].body_len, a.it[i].expires, naddr,
		    err, sizeof(err))) != 0) {
			log_warn("rotation: a listing of the old key could not "
			    "be signed by the new one: %s", rc == MENTOR_ESTORE ?
			    "store failed" : err);
			failed++;
			continue;
		}
		done++;
	}
	hex_encode(hex, a.old, REC_KEY_LEN);
	log_info("rotation: %zu live listing%s of the old key %.16s signed "
	    "again by the new key (%zu already were, %zu failed)", done,
	    done == 1 ? "" : "s", hex, had, failed);
	rc = failed == 0 ? store_write(n->store, resign_done_fn, NULL) : 0;
out:
	for (i = 0; i < a.n; i++)
		free(a.it[i].body);
	free(a.it);
	return rc;
}

/* put_secret: writes DIR/NAME.new (0600, synced), for a rename. */
static int
put_secret(const char *dir, const char *name, const uint8_t *b, size_t len,
    char *err, size_t errlen)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s.new", dir, name);
	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || write(fd, b, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		(void)unlink(path);
		return MENTOR_EIO;
	}
	return close(fd) == 0 ? 0 : MENTOR_EIO;
}

/* swap: DIR/NAME.new over DIR/NAME. */
static int
swap(const char *dir, const char *name, char *err, size_t errlen)
{
	char from[4096], to[4096];

	snprintf(from, sizeof(from), "%s/%s.new", dir, name);
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	if (rename(from, to) != 0) {
		snprintf(err, errlen, "%s: %s (the new key is in %s)", to,
		    strerror(errno), from);
		return MENTOR_EIO;
	}
	return 0;
}

int
rotate_key(struct node *n, char new_hex[65], char *err, size_t errlen)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t ckey[64], proof[64], addr[REC_ADDR_LEN];
	uint8_t author[REC_KEY_LEN];
	char phex[2 * 64 + 1], ref[REC_REF_MAX + 1];
	int64_t created, expires;
	unsigned kind;
	json_t *j;
	char *body = NULL;
	int rc;

	rec_addr(addr, n->sign_pk, REC_ROT_REF, sizeof(REC_ROT_REF) - 1);
	if (records_addr_info(n->records, addr, &kind, author, ref,
	    sizeof(ref), &created, &expires) == 0 && kind == REC_ROTATION) {
		snprintf(err, errlen, "this node's key has already been "
		    "rotated: restart mentord to use the new one");
		return MENTOR_EEXIST;
	}
	crypto_sign_keypair(pk, sk);
	hex_encode(new_hex, pk, sizeof(pk));
	if (body_rotation_proof(proof, n->sign_pk, pk, sk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(ckey, sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(ckey + 32, pk) != 0) {
		snprintf(err, errlen, "cannot derive the new keys");
		rc = MENTOR_EINVAL;
		goto out;
	}
	hex_encode(phex, proof, sizeof(proof));
	/* Canonical form (SPEC.md 2): compact, keys sorted. */
	j = json_pack("{s:s,s:s}", "new_key", new_hex, "proof", phex);
	body = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (body == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	/* The new keys are safe on disk before the old key gives way. */
	if ((rc = put_secret(n->dir, "sign.key", sk, sizeof(sk), err,
	    errlen)) != 0 || (rc = put_secret(n->dir, "curve.key", ckey,
	    sizeof(ckey), err, errlen)) != 0)
		goto out;
	rc = records_publish(n->records, REC_ROTATION, REC_ROT_REF,
	    (const uint8_t *)body, strlen(body),
	    now_ms() + REC_MAX_LIFE_MS - 60000, addr, err, errlen);
	if (rc != 0)
		goto out;
	if ((rc = migrate_set_node(n, pk)) != 0 ||
	    (rc = store_write(n->store, resign_mark_fn, n->sign_pk)) != 0) {
		snprintf(err, errlen, "store: cannot record the new key: %s "
		    "(it is in sign.key.new)", mentor_strerror(rc));
		rc = MENTOR_EIO;
		goto out;
	}
	if ((rc = swap(n->dir, "sign.key", err, errlen)) != 0 ||
	    (rc = swap(n->dir, "curve.key", err, errlen)) != 0)
		goto out;
	log_info("rotation: this node's key %.16s is now %.16s; restart to "
	    "use it", n->id_hex, new_hex);
out:
	if (rc != 0 && rc != MENTOR_EIO) {
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/sign.key.new", n->dir);
		(void)unlink(p);
		snprintf(p, sizeof(p), "%s/curve.key.new", n->dir);
		(void)unlink(p);
	}
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(ckey, sizeof(ckey));
	free(body);
	return rc;
}
