/*
 * test_store.c: the LMDB wrapper (daemon/store.c) through store.h: open
 * and schema checks, the transaction callbacks, iteration, and the map
 * growth that store_write does on its own.  Each test has its own store in
 * a fresh temporary directory.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mentor.h"
#include "store.h"
#include "util.h"

#define MIB		(1024 * 1024)
#define MAP_INITIAL	(64ULL * MIB)	/* store.c's first map size */

struct fixture {
	char		 tmp[64];	/* the mkdtemp directory */
	char		 path[96];	/* tmp/store */
	struct store	*st;
};

/* rm_tree: removes path and everything under it (no symlinks followed). */
static void
rm_tree(const char *path)
{
	char sub[512];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static int
setup(void **state)
{
	struct fixture *f;
	char err[256];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->tmp) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/store", f->tmp);
	if (store_open(&f->st, f->path, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		rm_tree(f->tmp);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	rm_tree(f->tmp);
	free(f);
	return 0;
}

static void
reopen(struct fixture *f)
{
	char err[256];

	store_close(f->st);
	f->st = NULL;
	if (store_open(&f->st, f->path, 0, err, sizeof(err)) != 0)
		fail_msg("reopen: %s", err);
}

/* A key-value pair and the database it goes to, for the callbacks. */
struct kv {
	enum store_db	 db;
	const char	*k;
	const char	*v;	/* NULL: delete */
};

struct kvs {
	const struct kv	*kv;
	size_t		 n;
	int		 ret;	/* what fn returns after a clean run */
	int		 calls;
};

static int
apply_fn(struct store_txn *t, void *arg)
{
	struct kvs *a = arg;
	size_t i;
	int rc;

	a->calls++;
	for (i = 0; i < a->n; i++) {
		if (a->kv[i].v != NULL)
			rc = store_put(t, a->kv[i].db, a->kv[i].k,
			    strlen(a->kv[i].k), a->kv[i].v,
			    strlen(a->kv[i].v));
		else
			rc = store_del(t, a->kv[i].db, a->kv[i].k,
			    strlen(a->kv[i].k));
		if (rc != 0)
			return rc;
	}
	return a->ret;
}

static int
apply(struct store *st, const struct kv *kv, size_t n, int ret)
{
	struct kvs a = { kv, n, ret, 0 };

	return store_write(st, apply_fn, &a);
}

/* A lookup run in a read transaction: value copied out, or the error. */
struct lookup {
	enum store_db	 db;
	const char	*k;
	char		 v[256];
	size_t		 vlen;
	size_t		 count;
};

static int
lookup_fn(struct store_txn *t, void *arg)
{
	struct lookup *l = arg;
	const void *v;
	size_t vlen;
	int rc;

	l->count = store_count(t, l->db);
	l->v[0] = '\0';
	if ((rc = store_get(t, l->db, l->k, strlen(l->k), &v, &vlen)) != 0)
		return rc;
	assert_true(vlen < sizeof(l->v));
	memcpy(l->v, v, vlen);
	l->v[vlen] = '\0';
	l->vlen = vlen;
	return 0;
}

/* get: the value of k in db ("" if absent) and its status. */
static int
get(struct store *st, enum store_db db, const char *k, char *out,
    size_t outlen)
{
	struct lookup l;
	size_t n;
	int rc;

	memset(&l, 0, sizeof(l));
	l.db = db;
	l.k = k;
	rc = store_read(st, lookup_fn, &l);
	n = strlen(l.v);
	assert_true(n < outlen);
	memcpy(out, l.v, n + 1);
	return rc;
}

static size_t
count(struct store *st, enum store_db db)
{
	struct lookup l;

	memset(&l, 0, sizeof(l));
	l.db = db;
	l.k = "\xff\xff-none";
	(void)store_read(st, lookup_fn, &l);
	return l.count;
}

static void
test_open_create(void **state)
{
	struct fixture *f = *state;
	uint64_t used, mapsize;
	char v[64];
	struct stat sb;

	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	store_stat(f->st, &used, &mapsize);
	assert_true(mapsize == MAP_INITIAL);
	assert_true(used > 0 && used < mapsize);
	/* A new store holds its schema version and nothing else. */
	assert_int_equal(count(f->st, DB_META), 1);
	assert_int_equal(get(f->st, DB_META, "schema", v, sizeof(v)), 0);
	assert_int_equal(count(f->st, DB_RECORDS), 0);
	assert_int_equal(count(f->st, DB_AUX), 0);
	/* Opening again, with or without create, is fine. */
	reopen(f);
	assert_int_equal(count(f->st, DB_META), 1);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(&f->st, f->path, 1, v, sizeof(v)), 0);
	assert_int_equal(count(f->st, DB_META), 1);
	store_close(NULL);
}

static void
test_open_missing(void **state)
{
	struct fixture *f = *state;
	struct store *st = (struct store *)&st;
	char path[160], err[256];

	snprintf(path, sizeof(path), "%s/never", f->tmp);
	err[0] = '\0';
	assert_int_equal(store_open(&st, path, 0, err, sizeof(err)),
	    MENTOR_ESTORE);
	assert_null(st);
	assert_true(strlen(err) > 0);

	/* A directory that exists but holds no store. */
	assert_int_equal(mkdir(path, 0700), 0);
	err[0] = '\0';
	st = (struct store *)&st;
	assert_int_equal(store_open(&st, path, 0, err, sizeof(err)),
	    MENTOR_ESTORE);
	assert_null(st);
	assert_non_null(strstr(err, "schema"));

	/* create cannot make missing parents. */
	snprintf(path, sizeof(path), "%s/no/such/dir", f->tmp);
	assert_int_equal(store_open(&st, path, 1, err, sizeof(err)),
	    MENTOR_ESTORE);
	assert_null(st);
}

static void
test_crud(void **state)
{
	static const struct kv put1[] = {
		{ DB_AUX, "k1", "aux-one" },
		{ DB_AUX, "k2", "aux-two" },
		{ DB_PEERS, "k1", "peer-one" },
		{ DB_TRUST, "t", "" },
		{ DB_STUDENTS, "s1", "{\"name\":\"x\"}" },
	};
	static const struct kv put2[] = {
		{ DB_AUX, "k1", "aux-one-b" },	/* replace */
		{ DB_AUX, "k3", "aux-three" },
		{ DB_PEERS, "k1", NULL },	/* delete */
	};
	static const struct kv del_missing[] = {
		{ DB_AUX, "k3", NULL },
		{ DB_PEERS, "k1", NULL },	/* already gone */
	};
	struct fixture *f = *state;
	char v[256];

	assert_int_equal(apply(f->st, put1, 5, 0), 0);
	assert_int_equal(get(f->st, DB_AUX, "k1", v, sizeof(v)), 0);
	assert_string_equal(v, "aux-one");
	assert_int_equal(get(f->st, DB_PEERS, "k1", v, sizeof(v)), 0);
	assert_string_equal(v, "peer-one");
	/* The same key in another database is another entry. */
	assert_int_equal(get(f->st, DB_RECORDS, "k1", v, sizeof(v)),
	    MENTOR_ENOTFOUND);
	assert_int_equal(get(f->st, DB_AUX, "k", v, sizeof(v)),
	    MENTOR_ENOTFOUND);
	assert_int_equal(get(f->st, DB_AUX, "k10", v, sizeof(v)),
	    MENTOR_ENOTFOUND);
	/* An empty value is a value. */
	assert_int_equal(get(f->st, DB_TRUST, "t", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(count(f->st, DB_AUX), 2);
	assert_int_equal(count(f->st, DB_PEERS), 1);
	assert_int_equal(count(f->st, DB_TRUST), 1);
	assert_int_equal(count(f->st, DB_STUDENTS), 1);
	assert_int_equal(count(f->st, DB_META), 1);

	assert_int_equal(apply(f->st, put2, 3, 0), 0);
	assert_int_equal(get(f->st, DB_AUX, "k1", v, sizeof(v)), 0);
	assert_string_equal(v, "aux-one-b");
	assert_int_equal(get(f->st, DB_PEERS, "k1", v, sizeof(v)),
	    MENTOR_ENOTFOUND);
	assert_int_equal(count(f->st, DB_AUX), 3);
	assert_int_equal(count(f->st, DB_PEERS), 0);

	/* A delete of a missing key fails and takes the transaction. */
	assert_int_equal(apply(f->st, del_missing, 2, 0), MENTOR_ENOTFOUND);
	assert_int_equal(get(f->st, DB_AUX, "k3", v, sizeof(v)), 0);
	assert_string_equal(v, "aux-three");
	assert_int_equal(count(f->st, DB_AUX), 3);

	/* Survives close and reopen. */
	reopen(f);
	assert_int_equal(get(f->st, DB_AUX, "k1", v, sizeof(v)), 0);
	assert_string_equal(v, "aux-one-b");
	assert_int_equal(get(f->st, DB_STUDENTS, "s1", v, sizeof(v)), 0);
	assert_string_equal(v, "{\"name\":\"x\"}");
	assert_int_equal(count(f->st, DB_AUX), 3);
}

static void
test_write_abort(void **state)
{
	static const struct kv kv[] = {
		{ DB_AUX, "a", "1" },
		{ DB_RECORDS, "b", "2" },
		{ DB_META, "schema", "clobbered" },
	};
	struct fixture *f = *state;
	struct kvs a = { kv, 3, MENTOR_EINVAL, 0 };
	char v[64];

	/* fn fails after its puts: none of them is kept. */
	assert_int_equal(store_write(f->st, apply_fn, &a), MENTOR_EINVAL);
	assert_int_equal(a.calls, 1);
	assert_int_equal(count(f->st, DB_AUX), 0);
	assert_int_equal(count(f->st, DB_RECORDS), 0);
	assert_int_equal(get(f->st, DB_META, "schema", v, sizeof(v)), 0);
	assert_int_equal(strlen(v), 0);	/* 4 binary bytes, not the text */
	/* Any non-zero value aborts and is passed through, positive too. */
	a.ret = 7;
	assert_int_equal(store_write(f->st, apply_fn, &a), 7);
	assert_int_equal(count(f->st, DB_AUX), 0);
	a.ret = MENTOR_EDUP;
	assert_int_equal(store_write(f->st, apply_fn, &a), MENTOR_EDUP);
	assert_int_equal(count(f->st, DB_RECORDS), 0);
	/* And the store still opens: the schema was not clobbered. */
	reopen(f);
	a.ret = 0;
	a.n = 2;
	assert_int_equal(store_write(f->st, apply_fn, &a), 0);
	assert_int_equal(count(f->st, DB_AUX), 1);
	assert_int_equal(count(f->st, DB_RECORDS), 1);
}

static int
put_in_read_fn(struct store_txn *t, void *arg)
{
	int *rc = arg;

	rc[0] = store_put(t, DB_AUX, "x", 1, "y", 1);
	rc[1] = store_del(t, DB_META, "schema", 6);
	return 42;
}

static void
test_read_only(void **state)
{
	struct fixture *f = *state;
	int rc[2] = { 0, 0 };

	/* store_read returns fn's value; writes in it are refused. */
	assert_int_equal(store_read(f->st, put_in_read_fn, rc), 42);
	assert_int_equal(rc[0], MENTOR_ESTORE);
	assert_int_equal(rc[1], MENTOR_ESTORE);
	assert_int_equal(count(f->st, DB_AUX), 0);
	assert_int_equal(count(f->st, DB_META), 1);
}

struct walk {
	char	 seen[16][16];
	size_t	 n;
	char	 stop[16];	/* key at which to stop, "" for none */
	int	 stopval;
};

static int
walk_fn(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct walk *w = arg;

	assert_true(klen < 16 && w->n < 16);
	memcpy(w->seen[w->n], key, klen);
	w->seen[w->n][klen] = '\0';
	/* The value of each key is the key in capitals. */
	assert_int_equal(vlen, klen);
	assert_true(((const char *)val)[0] == w->seen[w->n][0] - 32);
	w->n++;
	if (w->stop[0] != '\0' && strcmp(w->stop, w->seen[w->n - 1]) == 0)
		return w->stopval;
	return 0;
}

struct walk_arg {
	struct walk	*w;
	const char	*start;
	enum store_db	 db;
};

static int
walk_txn(struct store_txn *t, void *arg)
{
	struct walk_arg *a = arg;

	return store_iter(t, a->db, a->start, a->start ? strlen(a->start) : 0,
	    walk_fn, a->w);
}

static int
walk(struct store *st, enum store_db db, const char *start, const char *stop,
    int stopval, struct walk *w)
{
	struct walk_arg a = { w, start, db };

	memset(w, 0, sizeof(*w));
	snprintf(w->stop, sizeof(w->stop), "%s", stop ? stop : "");
	w->stopval = stopval;
	return store_read(st, walk_txn, &a);
}

static void
test_iter(void **state)
{
	/* Inserted out of order; also in DB_PEERS, which must not show. */
	static const struct kv kv[] = {
		{ DB_AUX, "d", "D" }, { DB_AUX, "b", "B" },
		{ DB_AUX, "e", "E" }, { DB_AUX, "a", "A" },
		{ DB_AUX, "c", "C" }, { DB_AUX, "cc", "CC" },
		{ DB_PEERS, "bb", "BB" },
	};
	struct fixture *f = *state;
	struct walk w;

	/* An empty database: no calls, 0. */
	assert_int_equal(walk(f->st, DB_AUX, NULL, NULL, 0, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(walk(f->st, DB_AUX, "a", NULL, 0, &w), 0);
	assert_int_equal(w.n, 0);

	assert_int_equal(apply(f->st, kv, 7, 0), 0);
	assert_int_equal(walk(f->st, DB_AUX, NULL, NULL, 0, &w), 0);
	assert_int_equal(w.n, 6);
	assert_string_equal(w.seen[0], "a");
	assert_string_equal(w.seen[1], "b");
	assert_string_equal(w.seen[2], "c");
	assert_string_equal(w.seen[3], "cc");
	assert_string_equal(w.seen[4], "d");
	assert_string_equal(w.seen[5], "e");

	/* A start key present: from it on. */
	assert_int_equal(walk(f->st, DB_AUX, "c", NULL, 0, &w), 0);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.seen[0], "c");
	assert_string_equal(w.seen[3], "e");
	/* Absent: from the next key. */
	assert_int_equal(walk(f->st, DB_AUX, "bb", NULL, 0, &w), 0);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.seen[0], "c");
	assert_int_equal(walk(f->st, DB_AUX, "ca", NULL, 0, &w), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.seen[0], "cc");
	/* Past the last key: nothing. */
	assert_int_equal(walk(f->st, DB_AUX, "z", NULL, 0, &w), 0);
	assert_int_equal(w.n, 0);

	/* fn stops the walk; its value comes back, whatever the sign. */
	assert_int_equal(walk(f->st, DB_AUX, NULL, "c", 42, &w), 42);
	assert_int_equal(w.n, 3);
	assert_int_equal(walk(f->st, DB_AUX, "b", "cc", -5, &w), -5);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.seen[0], "b");
	assert_int_equal(walk(f->st, DB_AUX, NULL, "e", 1, &w), 1);
	assert_int_equal(w.n, 6);
	assert_int_equal(walk(f->st, DB_AUX, NULL, "a", 1, &w), 1);
	assert_int_equal(w.n, 1);

	assert_int_equal(walk(f->st, DB_PEERS, NULL, NULL, 0, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.seen[0], "bb");
}

/* Binary big-endian keys iterate in numeric order. */
static int
be_put_fn(struct store_txn *t, void *arg)
{
	static const uint64_t vals[] = { 300, 1, 1ULL << 40, 256, 0, 255 };
	uint8_t k[8];
	size_t i;
	int rc;

	(void)arg;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		put_be64(k, vals[i]);
		if ((rc = store_put(t, DB_EXPIRY, k, 8, "", 0)) != 0)
			return rc;
	}
	return 0;
}

struct be_walk {
	uint64_t	seen[8];
	size_t		n;
};

static int
be_walk_fn(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct be_walk *w = arg;

	(void)val;
	assert_int_equal(klen, 8);
	assert_int_equal(vlen, 0);
	assert_true(w->n < 8);
	w->seen[w->n++] = get_be64(key);
	return 0;
}

static int
be_walk_txn(struct store_txn *t, void *arg)
{
	uint8_t start[8];

	put_be64(start, 256);
	return store_iter(t, DB_EXPIRY, start, 8, be_walk_fn, arg);
}

static void
test_iter_binary(void **state)
{
	struct fixture *f = *state;
	struct be_walk w;

	memset(&w, 0, sizeof(w));
	assert_int_equal(store_write(f->st, be_put_fn, NULL), 0);
	assert_int_equal(store_read(f->st, be_walk_txn, &w), 0);
	assert_int_equal(w.n, 3);
	assert_true(w.seen[0] == 256);
	assert_true(w.seen[1] == 300);
	assert_true(w.seen[2] == 1ULL << 40);
}

/* Map growth: values of 64 KiB in transactions of varying size. */
#define BIG_VAL		(64 * 1024)

struct fill {
	uint32_t	first, n;	/* keys first .. first + n - 1 */
	int		calls;
	uint8_t		*val;
};

static void
fill_value(uint8_t *v, uint32_t i)
{
	memset(v, (int)(i * 31 + 7) & 0xff, BIG_VAL);
	put_be32(v, i);
	put_be32(v + BIG_VAL - 4, ~i);
}

static int
fill_fn(struct store_txn *t, void *arg)
{
	struct fill *a = arg;
	uint8_t k[4];
	uint32_t i;
	int rc;

	a->calls++;
	for (i = a->first; i < a->first + a->n; i++) {
		put_be32(k, i);
		fill_value(a->val, i);
		if ((rc = store_put(t, DB_AUX, k, 4, a->val, BIG_VAL)) != 0)
			return rc;
	}
	return 0;
}

struct check {
	uint8_t		*val;
	uint32_t	 n, checked;
	size_t		 count;
};

static int
check_fn(struct store_txn *t, void *arg)
{
	struct check *c = arg;
	const void *v;
	size_t vlen;
	uint8_t k[4];
	uint32_t i;

	c->count = store_count(t, DB_AUX);
	for (i = 0; i < c->n; i += 97) {
		put_be32(k, i);
		if (store_get(t, DB_AUX, k, 4, &v, &vlen) != 0)
			return MENTOR_ENOTFOUND;
		fill_value(c->val, i);
		if (vlen != BIG_VAL || memcmp(v, c->val, BIG_VAL) != 0)
			return MENTOR_EINVAL;
		c->checked++;
	}
	return 0;
}

static void
test_map_growth(void **state)
{
	/* 96 MiB at once (over the 64 MiB map), then 4 x 26 MiB: 200 MiB. */
	static const uint32_t txn_vals[] = { 1536, 416, 416, 416, 416 };
	struct fixture *f = *state;
	struct fill a;
	struct check c;
	uint64_t used, mapsize;
	uint32_t total = 0;
	size_t i;
	int calls = 0;

	memset(&a, 0, sizeof(a));
	a.val = malloc(BIG_VAL);
	assert_non_null(a.val);
	for (i = 0; i < sizeof(txn_vals) / sizeof(txn_vals[0]); i++) {
		a.first = total;
		a.n = txn_vals[i];
		a.calls = 0;
		assert_int_equal(store_write(f->st, fill_fn, &a), 0);
		calls += a.calls;
		total += txn_vals[i];
	}
	assert_int_equal(total * (uint64_t)BIG_VAL, 200ULL * MIB);
	store_stat(f->st, &used, &mapsize);
	/* The map filled at least twice (64 -> 128 -> 256 MiB) and fn ran
	 * again each time. */
	assert_true(mapsize >= 256ULL * MIB);
	assert_true(used > 200ULL * MIB && used <= mapsize);
	assert_true(calls >= (int)(sizeof(txn_vals) / sizeof(txn_vals[0])) +
	    2);

	memset(&c, 0, sizeof(c));
	c.val = a.val;
	c.n = total;
	assert_int_equal(store_read(f->st, check_fn, &c), 0);
	assert_int_equal(c.count, total);

	/* After reopen: all there, and the store grows again as needed. */
	reopen(f);
	store_stat(f->st, &used, &mapsize);
	assert_true(mapsize >= used);
	c.checked = 0;
	assert_int_equal(store_read(f->st, check_fn, &c), 0);
	assert_int_equal(c.count, total);
	assert_true(c.checked > 30);
	a.first = total;
	a.n = 64;
	assert_int_equal(store_write(f->st, fill_fn, &a), 0);
	c.n = total + 64;
	assert_int_equal(store_read(f->st, check_fn, &c), 0);
	assert_int_equal(c.count, total + 64);
	free(a.val);
}

/* Schema: a version written by a newer or older program, or corrupt. */
static int
schema_fn(struct store_txn *t, void *arg)
{
	const uint8_t *v = arg;

	/* v[0] is the length, then the bytes. */
	return store_put(t, DB_META, "schema", 6, v + 1, v[0]);
}

static void
test_schema(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	uint8_t v[6];
	char err[256];

	/* Newer: EVERSION, with or without create, and the message says. */
	v[0] = 4;
	put_be32(v + 1, STORE_SCHEMA + 1);
	assert_int_equal(store_write(f->st, schema_fn, v), 0);
	store_close(f->st);
	f->st = NULL;
	err[0] = '\0';
	assert_int_equal(store_open(&st, f->path, 0, err, sizeof(err)),
	    MENTOR_EVERSION);
	assert_null(st);
	assert_non_null(strstr(err, "schema"));
	assert_int_equal(store_open(&st, f->path, 1, err, sizeof(err)),
	    MENTOR_EVERSION);
	assert_null(st);
}

static void
test_schema_older_or_corrupt(void **state)
{
	static const uint8_t bad[][6] = {
		{ 4, 0, 0, 0, 0, 0 },		/* version 0: older */
		{ 3, 0, 0, 1, 0, 0 },		/* 3 bytes */
		{ 5, 0, 0, 0, 1, 0 },		/* 5 bytes */
		{ 0, 0, 0, 0, 0, 0 },		/* empty */
	};
	struct fixture *f = *state;
	struct store *st;
	char err[256], sub[160];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/s%zu", f->tmp, i);
		assert_int_equal(store_open(&st, sub, 1, err, sizeof(err)),
		    0);
		assert_int_equal(store_write(st, schema_fn, (void *)bad[i]),
		    0);
		store_close(st);
		err[0] = '\0';
		assert_int_equal(store_open(&st, sub, 0, err, sizeof(err)),
		    MENTOR_ESTORE);
		assert_null(st);
		assert_true(strlen(err) > 0);
		/* create does not paper over it. */
		assert_int_equal(store_open(&st, sub, 1, err, sizeof(err)),
		    MENTOR_ESTORE);
	}
	/* The fixture's store, untouched, still opens. */
	reopen(f);
	assert_int_equal(count(f->st, DB_META), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_create, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_abort, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_iter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iter_binary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_map_growth, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_older_or_corrupt,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
