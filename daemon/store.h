/*
 * store.h: the node's persistent state.  store.c is the only file that
 * touches LMDB; every other module reads and writes through the
 * transaction callbacks below, with keys and values it encodes itself.
 *
 * Ownership: values returned by store_get/store_iter point into the LMDB
 * map and are valid only until the transaction callback returns.
 */
#ifndef MENTOR_STORE_H
#define MENTOR_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA	2	/* migrate.h lists the versions */

/* The named databases.  Key and value layouts are documented beside the
 * module that owns each one. */
enum store_db {
	DB_META,	/* "schema" -> u32; other node-wide settings */
	DB_RECORDS,	/* record id(32) -> signed record bytes (records.c) */
	DB_ADDR,	/* author(32) ref -> current version (records.c) */
	DB_EXPIRY,	/* expires_at(8) id(32) -> "" (records.c) */
	DB_TRUST,	/* key(32) -> JSON (records.c) */
	DB_PEERS,	/* key(32) -> JSON (peer.c) */
	DB_STUDENTS,	/* student id -> JSON (students.c) */
	DB_AUX,		/* free-form, per module prefix */
	DB_COUNT
};

struct store;
struct store_txn;

/*
 * store_open: opens (creating if create is set) the store in directory
 * path, checks the schema version and clears stale reader slots.
 * Returns 0, MENTOR_ESTORE (message in err), MENTOR_EVERSION (schema newer
 * than this program) or MENTOR_ENOMEM.
 */
int	store_open(struct store **sp, const char *path, int create, char *err,
	    size_t errlen);
void	store_close(struct store *);

/*
 * store_read / store_write: run fn inside a read-only or read-write
 * transaction.  store_write commits when fn returns 0 and aborts otherwise.
 * When the map fills, store_write aborts, grows the map and runs fn again,
 * so fn must have no effect outside the transaction before it returns.
 * Returns fn's result, or MENTOR_ESTORE when the transaction itself fails.
 */
typedef int (*store_fn)(struct store_txn *, void *arg);
int	store_read(struct store *, store_fn fn, void *arg);
int	store_write(struct store *, store_fn fn, void *arg);

/*
 * store_why: after store_write (or store_compact) failed with
 * MENTOR_ESTORE, a sentence for the operator naming the cause and the
 * store's directory (the disk is full, the map reached its limit, an I/O
 * error); NULL when the last write succeeded or failed for another
 * reason.  Valid until the next write.
 */
const char *store_why(const struct store *);

/*
 * store_fault: a fault point.  In the test build (-DMENTOR_FAULT) the
 * operation numbered $MENTOR_FAULT_AT fails: store_fault returns the errno
 * (or LMDB code) to fail with, 0 otherwise.  In other builds it is 0.
 */
#ifdef MENTOR_FAULT
int	store_fault(const char *what);
#else
#define store_fault(what)	0
#endif

/* store_get: 0 and the value, or MENTOR_ENOTFOUND. */
int	store_get(struct store_txn *, enum store_db, const void *key,
	    size_t klen, const void **val, size_t *vlen);
/* store_put: insert or replace.  0 or MENTOR_ESTORE. */
int	store_put(struct store_txn *, enum store_db, const void *key,
	    size_t klen, const void *val, size_t vlen);
/*
 * store_append: store_put of a key greater than every key in db, without
 * searching for its place (LMDB's MDB_APPEND), for keys that come
 * sorted.  0, MENTOR_EEXIST when key is not greater than the last key
 * (nothing is done: store_get and store_put it), or MENTOR_ESTORE.
 */
int	store_append(struct store_txn *, enum store_db, const void *key,
	    size_t klen, const void *val, size_t vlen);
/* store_del: 0, or MENTOR_ENOTFOUND when there was no such key. */
int	store_del(struct store_txn *, enum store_db, const void *key,
	    size_t klen);

/*
 * store_iter: calls fn for each key >= start (all keys if start is NULL)
 * in key order until fn returns non-zero; returns that value, 0 at the
 * end, or MENTOR_ESTORE.  fn must not modify db itself (collect the keys
 * and delete them afterwards); other databases it may change.
 */
typedef int (*store_iter_fn)(const void *key, size_t klen, const void *val,
    size_t vlen, void *arg);
int	store_iter(struct store_txn *, enum store_db, const void *start,
	    size_t slen, store_iter_fn fn, void *arg);

/* store_count: number of entries in db. */
size_t	store_count(struct store_txn *, enum store_db);

/*
 * store_compact: rewrites the store with only its live pages (so no bytes
 * of deleted data remain in the file) and swaps the copy in.  No
 * transaction may be open.  *before and *after are the file sizes.
 * MENTOR_ESTORE with err set on failure.
 */
int	store_compact(struct store *, uint64_t *before, uint64_t *after,
	    char *err, size_t errlen);

/*
 * store_check: checks the structure of the store in directory path by
 * reading its data.mdb with pread (never through a map, so a damaged file
 * cannot crash the caller): the meta pages, the file's size against the
 * last page they name (pages past the end must be free), the free-page and
 * main trees, and each database's root page.  With deep set it walks every
 * page of every tree: headers, node bounds, key order, depth, page and
 * entry counts against each tree's record, overflow runs, and that every
 * page is used exactly once.  No daemon may be writing the store.
 * Each problem is passed to say (when not NULL; at most 20) and counted in
 * rep; err names the first.  Returns 0 when sound, MENTOR_ESTORE when
 * damaged, MENTOR_ENOTFOUND (no data.mdb), MENTOR_EIO or MENTOR_ENOMEM.
 */
struct store_check_report {
	uint64_t	file_size;
	unsigned	psize;
	uint64_t	last_page;
	uint64_t	txnid;
	uint64_t	tree_pages;	/* branch, leaf and overflow pages */
	uint64_t	overflow_pages;	/* of which overflow */
	uint64_t	free_pages;
	uint64_t	entries;	/* in the named databases */
	uint64_t	short_by;	/* bytes the file lacks (free tail) */
	uint64_t	leaked;		/* pages in no tree and not free */
	unsigned	problems;
};
typedef void (*store_problem_fn)(void *arg, const char *what);
int	store_check(const char *path, int deep,
	    struct store_check_report *rep, store_problem_fn say, void *arg,
	    char *err, size_t errlen);

/*
 * store_stat: bytes of the map in use and the map size, for status.  The
 * map doubles when full, up to STORE_MAP_MAX.
 */
#define STORE_MAP_MAX	(1ULL << 40)
void	store_stat(struct store *, uint64_t *used, uint64_t *mapsize);

/*
 * Backups (backup.c).  store_copy_fd writes a compacting copy of the
 * store (LMDB's data.mdb format) to fd from one read transaction, so it is
 * consistent while writers go on; any thread may call it.  Between
 * store_copy_begin and store_copy_end (on the thread that writes) the map
 * is not grown: a write that would need it fails with MENTOR_ESTORE.
 * store_compact must not run meanwhile.
 */
void	store_copy_begin(struct store *);
void	store_copy_end(struct store *);
int	store_copy_fd(struct store *, int fd, char *err, size_t errlen);

/*
 * Schema versions (migrate.c).  store_open accepts a store of an older
 * schema (1 .. STORE_SCHEMA) and refuses a newer one with MENTOR_EVERSION
 * and a message saying so; store_schema is the version found.
 * store_schema_set records version inside a write transaction.
 */
uint32_t store_schema(const struct store *);
int	store_schema_set(struct store_txn *, uint32_t version);

#endif
