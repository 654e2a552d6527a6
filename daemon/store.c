/*
 * store.c: the LMDB environment, its named databases, and the transaction
 * wrappers that grow the map when it fills instead of failing.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>

#include <lmdb.h>

#include "log.h"
#include "mentor.h"
#include "store.h"
#include "util.h"

#define MAP_INITIAL	(64ULL << 20)
#define MAP_MAX		(1ULL << 40)
#define WRITE_RETRIES	8

static const char *const dbnames[DB_COUNT] = {
	"meta", "records", "addr", "expiry", "trust", "peers", "students",
	"aux",
};

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[DB_COUNT];
	size_t		 mapsize;
	char		 path[PATH_MAX];
	int		 copying;	/* a backup reads the map: no remap */
	uint32_t	 schema;	/* version found at open */
};

struct store_txn {
	struct store	*st;
	MDB_txn		*txn;
	int		 full;	/* a put hit MDB_MAP_FULL */
};

static int
txn_begin(struct store *st, unsigned flags, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_begin(st->env, NULL, flags, txn);
	if (rc == MDB_MAP_RESIZED) {
		/* Another process grew the map: adopt its size. */
		if (mdb_env_set_mapsize(st->env, 0) == 0)
			rc = mdb_txn_begin(st->env, NULL, flags, txn);
	}
	if (rc != 0) {
		log_err("store: begin transaction: %s", mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	return 0;
}

static int
schema_check(struct store *st, int create, char *err, size_t errlen)
{
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v;
	uint8_t buf[4];
	uint32_t ver;
	int rc, i;

	if (txn_begin(st, 0, &txn))
		goto fail_txn;
	for (i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, dbnames[i], MDB_CREATE, &st->dbi[i]);
		if (rc != 0) {
			snprintf(err, errlen, "store: open %s: %s",
			    dbnames[i], mdb_strerror(rc));
			mdb_txn_abort(txn);
			return MENTOR_ESTORE;
		}
	}
	rc = mdb_get(txn, st->dbi[DB_META], &k, &v);
	if (rc == MDB_NOTFOUND) {
		if (!create) {
			snprintf(err, errlen, "store: no schema version "
			    "recorded (not a mentord store?)");
			mdb_txn_abort(txn);
			return MENTOR_ESTORE;
		}
		put_be32(buf, STORE_SCHEMA);
		st->schema = STORE_SCHEMA;
		v.mv_size = 4;
		v.mv_data = buf;
		rc = mdb_put(txn, st->dbi[DB_META], &k, &v, 0);
	} else if (rc == 0) {
		if (v.mv_size != 4) {
			snprintf(err, errlen, "store: schema record corrupt");
			mdb_txn_abort(txn);
			return MENTOR_ESTORE;
		}
		ver = get_be32(v.mv_data);
		if (ver == 0) {
			snprintf(err, errlen, "store: schema version 0 is "
			    "not valid");
			mdb_txn_abort(txn);
			return MENTOR_ESTORE;
		}
		if (ver > STORE_SCHEMA) {
			snprintf(err, errlen, "store: schema version %u was "
			    "written by a newer mentord; this one (%s) "
			    "understands versions up to %u: run the newer "
			    "mentord, or restore a backup made for this one",
			    ver, MENTOR_VERSION, STORE_SCHEMA);
			mdb_txn_abort(txn);
			return MENTOR_EVERSION;
		}
		/* Older versions are migrated by store_migrate (migrate.c). */
		st->schema = ver;
	}
	if (rc != 0) {
		snprintf(err, errlen, "store: %s", mdb_strerror(rc));
		mdb_txn_abort(txn);
		return MENTOR_ESTORE;
	}
	if ((rc = mdb_txn_commit(txn)) != 0) {
		snprintf(err, errlen, "store: commit: %s", mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	return 0;
fail_txn:
	snprintf(err, errlen, "store: cannot begin a transaction");
	return MENTOR_ESTORE;
}

int
store_open(struct store **sp, const char *path, int create, char *err,
    size_t errlen)
{
	struct store *st;
	MDB_envinfo info;
	int rc, dead = 0;

	*sp = NULL;
	if (create && mkdir(path, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "store: mkdir %s: %s", path,
		    strerror(errno));
		return MENTOR_ESTORE;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return MENTOR_ENOMEM;
	if (strlen(path) >= sizeof(st->path) - 32) {
		free(st);
		snprintf(err, errlen, "store: %s: path too long", path);
		return MENTOR_ESTORE;
	}
	snprintf(st->path, sizeof(st->path), "%s", path);
	if ((rc = mdb_env_create(&st->env)) != 0)
		goto fail_mdb;
	if ((rc = mdb_env_set_maxdbs(st->env, DB_COUNT)) != 0)
		goto fail_mdb;
	if ((rc = mdb_env_set_mapsize(st->env, MAP_INITIAL)) != 0)
		goto fail_mdb;
	if ((rc = mdb_env_open(st->env, path, MDB_NOTLS, 0600)) != 0)
		goto fail_mdb;
	/* A map grown in an earlier run is larger than MAP_INITIAL. */
	mdb_env_info(st->env, &info);
	st->mapsize = info.me_mapsize;
	if ((rc = mdb_reader_check(st->env, &dead)) != 0)
		goto fail_mdb;
	if (dead > 0)
		log_info("store: cleared %d stale reader slot(s)", dead);
	if ((rc = schema_check(st, create, err, errlen)) != 0) {
		mdb_env_close(st->env);
		free(st);
		return rc;
	}
	*sp = st;
	return 0;
fail_mdb:
	snprintf(err, errlen, "store: %s: %s", path, mdb_strerror(rc));
	if (st->env)
		mdb_env_close(st->env);
	free(st);
	return MENTOR_ESTORE;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	mdb_env_close(st->env);
	free(st);
}

int
store_read(struct store *st, store_fn fn, void *arg)
{
	struct store_txn t = { st, NULL, 0 };
	int rc;

	if (txn_begin(st, MDB_RDONLY, &t.txn))
		return MENTOR_ESTORE;
	rc = fn(&t, arg);
	mdb_txn_abort(t.txn);
	return rc;
}

static int
grow(struct store *st)
{
	size_t next = st->mapsize * 2;
	int rc;

	if (next > MAP_MAX)
		return MENTOR_ESTORE;
	if (st->copying) {
		log_warn("store: map full while a backup reads it; not grown");
		return MENTOR_ESTORE;
	}
	if ((rc = mdb_env_set_mapsize(st->env, next)) != 0) {
		log_err("store: grow map to %zu MiB: %s", next >> 20,
		    mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	log_info("store: map grown to %zu MiB", next >> 20);
	st->mapsize = next;
	return 0;
}

int
store_write(struct store *st, store_fn fn, void *arg)
{
	struct store_txn t;
	int rc, mrc, tries;

	for (tries = 0; tries < WRITE_RETRIES; tries++) {
		t.st = st;
		t.full = 0;
		if (txn_begin(st, 0, &t.txn))
			return MENTOR_ESTORE;
		rc = fn(&t, arg);
		if (t.full) {
			mdb_txn_abort(t.txn);
			if (grow(st))
				return MENTOR_ESTORE;
			continue;
		}
		if (rc != 0) {
			mdb_txn_abort(t.txn);
			return rc;
		}
		mrc = mdb_txn_commit(t.txn);
		if (mrc == MDB_MAP_FULL) {
			if (grow(st))
				return MENTOR_ESTORE;
			continue;
		}
		if (mrc != 0) {
			log_err("store: commit: %s", mdb_strerror(mrc));
			return MENTOR_ESTORE;
		}
		return 0;
	}
	log_err("store: map still full after growing %d times", tries);
	return MENTOR_ESTORE;
}

int
store_get(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void **val, size_t *vlen)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc;

	rc = mdb_get(t->txn, t->st->dbi[db], &k, &v);
	if (rc == MDB_NOTFOUND)
		return MENTOR_ENOTFOUND;
	if (rc != 0) {
		log_err("store: get %s: %s", dbnames[db], mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

int
store_put(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int rc;

	rc = mdb_put(t->txn, t->st->dbi[db], &k, &v, 0);
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL) {
		t->full = 1;
		return MENTOR_ESTORE;
	}
	if (rc != 0) {
		log_err("store: put %s: %s", dbnames[db], mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	return 0;
}

int
store_del(struct store_txn *t, enum store_db db, const void *key,
    size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc;

	rc = mdb_del(t->txn, t->st->dbi[db], &k, NULL);
	if (rc == MDB_NOTFOUND)
		return MENTOR_ENOTFOUND;
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL) {
		t->full = 1;
		return MENTOR_ESTORE;
	}
	if (rc != 0) {
		log_err("store: del %s: %s", dbnames[db], mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	return 0;
}

int
store_iter(struct store_txn *t, enum store_db db, const void *start,
    size_t slen, store_iter_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k = { slen, (void *)start }, v;
	int rc, r;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)) != 0) {
		log_err("store: cursor %s: %s", dbnames[db], mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	rc = mdb_cursor_get(c, &k, &v, start ? MDB_SET_RANGE : MDB_FIRST);
	r = 0;
	while (rc == 0) {
		if ((r = fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size,
		    arg)) != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (r != 0)
		return r;
	if (rc != MDB_NOTFOUND) {
		log_err("store: iterate %s: %s", dbnames[db], mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	return 0;
}

size_t
store_count(struct store_txn *t, enum store_db db)
{
	MDB_stat ms;

	if (mdb_stat(t->txn, t->st->dbi[db], &ms) != 0)
		return 0;
	return ms.ms_entries;
}

void
store_stat(struct store *st, uint64_t *used, uint64_t *mapsize)
{
	MDB_envinfo info;
	MDB_stat ms;

	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &ms);
	*used = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize;
	*mapsize = info.me_mapsize;
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/*
 * store_compact: writes a compacting copy (only live pages: the bytes of
 * deleted data do not survive) beside the store, then swaps it in.  The
 * caller must hold no transaction.  On failure before the swap the store
 * is untouched; a failure to reopen after it is fatal (MENTOR_ESTORE).
 */
int
store_compact(struct store *st, uint64_t *before, uint64_t *after,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX + 16], from[PATH_MAX + 32], to[PATH_MAX + 16];
	int rc, fd;

	if (st->copying) {
		snprintf(err, errlen, "store: a backup is running; compact "
		    "after it");
		return MENTOR_EBUSY;
	}
	snprintf(tmp, sizeof(tmp), "%s/compact.tmp", st->path);
	snprintf(from, sizeof(from), "%s/data.mdb", tmp);
	snprintf(to, sizeof(to), "%s/data.mdb", st->path);
	*before = (uint64_t)file_size(to);
	unlink(from);
	rmdir(tmp);
	if (mkdir(tmp, 0700) == -1) {
		snprintf(err, errlen, "store: %s: %s", tmp, strerror(errno));
		return MENTOR_ESTORE;
	}
	if ((rc = mdb_env_copy2(st->env, tmp, MDB_CP_COMPACT)) != 0) {
		snprintf(err, errlen, "store: compacting copy: %s",
		    mdb_strerror(rc));
		unlink(from);
		rmdir(tmp);
		return MENTOR_ESTORE;
	}
	if ((fd = open(from, O_RDONLY)) == -1 || fsync(fd) == -1) {
		snprintf(err, errlen, "store: %s: %s", from, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(from);
		rmdir(tmp);
		return MENTOR_ESTORE;
	}
	close(fd);
	mdb_env_close(st->env);
	st->env = NULL;
	rc = rename(from, to);
	rmdir(tmp);
	if (rc == -1)
		log_err("store: swap in the compacted copy: %s",
		    strerror(errno));
	/* Reopen whichever file is in place now. */
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, DB_COUNT)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, st->mapsize)) != 0 ||
	    (rc = mdb_env_open(st->env, st->path, MDB_NOTLS, 0600)) != 0) {
		snprintf(err, errlen, "store: reopen after compacting: %s",
		    mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	if ((rc = schema_check(st, 0, err, errlen)) != 0)
		return rc;
	*after = (uint64_t)file_size(to);
	return 0;
}

/* ---- backups and schema versions (used by backup.c, migrate.c) ---- */

void
store_copy_begin(struct store *st)
{
	st->copying = 1;
}

void
store_copy_end(struct store *st)
{
	st->copying = 0;
}

int
store_copy_fd(struct store *st, int fd, char *err, size_t errlen)
{
	int rc;

	if ((rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) != 0) {
		snprintf(err, errlen, "store: copy: %s", mdb_strerror(rc));
		return MENTOR_ESTORE;
	}
	return 0;
}

uint32_t
store_schema(const struct store *st)
{
	return st->schema;
}

int
store_schema_set(struct store_txn *t, uint32_t version)
{
	uint8_t buf[4];

	put_be32(buf, version);
	if (store_put(t, DB_META, "schema", 6, buf, sizeof(buf)) != 0)
		return MENTOR_ESTORE;
	t->st->schema = version;
	return 0;
}
