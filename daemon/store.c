/*
 * store.c: the LMDB environment, its named databases, and the transaction
 * wrappers that grow the map when it fills instead of failing.
 */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <dirent.h>

#include <lmdb.h>

#include "log.h"
#include "mentor.h"
#include "store.h"
#include "util.h"

#define MAP_INITIAL	(64ULL << 20)
#define MAP_MAX		STORE_MAP_MAX
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
	char		 why[PATH_MAX + 160];	/* last write failure */
};

struct store_txn {
	struct store	*st;
	MDB_txn		*txn;
	int		 full;	/* a put hit MDB_MAP_FULL */
	/* store_append's cursor on appdb, kept at the last key from one
	 * append to the next (a bulk load does not search from the root
	 * for each key); LMDB frees it with the transaction.  Any other
	 * write closes it first, as it may move what is last. */
	MDB_cursor	*app;
	enum store_db	 appdb;
};

/* ---- failures: what the operator is told -------------------------- */

/*
 * store_explain: turns a failed write's LMDB or errno code into a sentence
 * naming the cause and the directory, kept for store_why.  LMDB reports a
 * short write (a full disk) as EIO, so EIO with almost no space left is a
 * full disk too.
 */
static void
store_explain(struct store *st, int mrc, const char *during)
{
	struct statvfs sv;
	unsigned long long avail = ~0ULL;

	if (statvfs(st->path, &sv) == 0)
		avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (mrc == MDB_MAP_FULL)
		snprintf(st->why, sizeof(st->why), "the store in %s is full: "
		    "it reached its size limit of %llu GiB", st->path,
		    (unsigned long long)(MAP_MAX >> 30));
	else if (mrc == ENOSPC || mrc == EDQUOT ||
	    (mrc == EIO && avail < (4ULL << 20)))
		snprintf(st->why, sizeof(st->why), "the disk is full: no space "
		    "left for the store in %s (%llu KiB free); free some space "
		    "and retry", st->path, avail >> 10);
	else if (mrc == MDB_PANIC)
		snprintf(st->why, sizeof(st->why), "the store in %s stopped "
		    "writing after an earlier write error: restart mentord",
		    st->path);
	else if (mrc == EIO)
		snprintf(st->why, sizeof(st->why), "I/O error writing the "
		    "store in %s: the disk may be failing (see the system "
		    "log)", st->path);
	else
		snprintf(st->why, sizeof(st->why), "%s in %s: %s", during,
		    st->path, mdb_strerror(mrc));
	log_err("store: %s: %s", during, st->why);
}

const char *
store_why(const struct store *st)
{
	return st != NULL && st->why[0] != '\0' ? st->why : NULL;
}

#ifdef MENTOR_FAULT
/*
 * store_fault: the test build's fault points.  Operation number
 * $MENTOR_FAULT_AT (counting from 1, in this process) fails with
 * $MENTOR_FAULT_ERR: EIO (the default), ENOSPC or MAP_FULL; with
 * $MENTOR_FAULT_PERSIST set, every operation after it fails too.  With
 * CRASH the process kills itself (SIGKILL) there instead; that mode also
 * counts the points just after each commit ("committed").  Each point is
 * logged at debug level, so a test can count them.
 */
int
store_fault(const char *what)
{
	static long at = -1, n;
	static int err, persist, crash;
	const char *e;

	if (at < 0) {
		e = getenv("MENTOR_FAULT_AT");
		at = e ? strtol(e, NULL, 10) : 0;
		e = getenv("MENTOR_FAULT_ERR");
		err = e == NULL || strcmp(e, "EIO") == 0 ? EIO :
		    strcmp(e, "ENOSPC") == 0 ? ENOSPC : MDB_MAP_FULL;
		crash = e != NULL && strcmp(e, "CRASH") == 0;
		persist = getenv("MENTOR_FAULT_PERSIST") != NULL;
	}
	if (!crash && strcmp(what, "committed") == 0)
		return 0;
	n++;
	if (crash) {
		log_debug("fault point %ld: %s", n, what);
		if (n == at) {
			log_info("fault: crashing at point %ld (%s)", n, what);
			raise(SIGKILL);
		}
		return 0;
	}
	log_debug("fault point %ld: %s", n, what);
	if (at > 0 && (n == at || (persist && n > at))) {
		log_info("fault: injecting %s at point %ld (%s)",
		    err == MDB_MAP_FULL ? "MAP_FULL" : strerror(err), n, what);
		return err;
	}
	return 0;
}
#endif

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

/* ---- structure check ------------------------------------------------ */

/*
 * LMDB keeps no checksums and follows page numbers and offsets in the file
 * as it finds them, so a damaged data.mdb makes it read outside the file
 * (SIGBUS) or the map (SIGSEGV).  The check below reads the file with
 * pread, never through a map, and follows LMDB 0.9's on-disk layout: two
 * meta pages (the one with the higher transaction id is current), then
 * B+tree pages.  Every page up to the meta's last page is a meta page,
 * belongs to exactly one tree, or is listed once in the free-page tree.
 * Words are the native size_t, as LMDB writes them.
 */
#define LM_W		sizeof(size_t)
#define LM_HDR		(LM_W + 8)	/* pgno, pad, flags, lower, upper */
#define LM_MAGIC	0xBEEFC0DEu
#define LM_VERSION	1
#define LM_P_BRANCH	0x01
#define LM_P_LEAF	0x02
#define LM_P_OVERFLOW	0x04
#define LM_P_META	0x08
#define LM_P_LEAF2	0x20
#define LM_F_BIGDATA	0x01
#define LM_F_SUBDATA	0x02
#define LM_F_DUPDATA	0x04
#define LM_NODE		8		/* lo, hi, flags, ksize */
#define LM_DBSIZE	(8 + 5 * LM_W)
#define LM_M_DBS	(LM_HDR + 8 + 2 * LM_W)
#define LM_M_LAST	(LM_M_DBS + 2 * LM_DBSIZE)
#define LM_INVALID	((uint64_t)(size_t)~(size_t)0)
#define LM_MAXDEPTH	32
#define LM_MAXPROBLEMS	20

struct lm_db {
	unsigned	 pad, flags, depth;
	uint64_t	 branch, leaf, overflow, entries, root;
};

struct lm_meta {
	unsigned	 magic, version, psize;
	struct lm_db	 db[2];		/* free pages, main */
	uint64_t	 last_pg, txnid;
};

struct chk {
	int		 fd;
	const char	*file;
	uint64_t	 fsize;
	uint64_t	 fpages;	/* whole pages in the file */
	unsigned	 psize;
	struct lm_meta	 m;
	int		 deep;
	uint8_t		*seen;		/* a bit per page, deep only */
	uint8_t		*page;
	uint8_t		*buf;		/* an overflow value being read */
	struct store_check_report *rep;
	store_problem_fn say;
	void		*arg;
	char		*err;
	size_t		 errlen;
};

static uint64_t
lm_word(const uint8_t *p, size_t w)
{
	uint64_t v;
	uint32_t v32;
	uint16_t v16;

	if (w == 8) {
		memcpy(&v, p, 8);
		return v;
	}
	if (w == 4) {
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v16, p, 2);
	return v16;
}

static void
lm_db_read(struct lm_db *d, const uint8_t *p)
{
	d->pad = (unsigned)lm_word(p, 4);
	d->flags = (unsigned)lm_word(p + 4, 2);
	d->depth = (unsigned)lm_word(p + 6, 2);
	d->branch = lm_word(p + 8, LM_W);
	d->leaf = lm_word(p + 8 + LM_W, LM_W);
	d->overflow = lm_word(p + 8 + 2 * LM_W, LM_W);
	d->entries = lm_word(p + 8 + 3 * LM_W, LM_W);
	d->root = lm_word(p + 8 + 4 * LM_W, LM_W);
}

static void
chk_problem(struct chk *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
chk_problem(struct chk *c, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->rep->problems++ == 0)
		snprintf(c->err, c->errlen, "%s: %s", c->file, line);
	if (c->say && c->rep->problems <= LM_MAXPROBLEMS)
		c->say(c->arg, line);
}

/* chk_read: reads len bytes at off; 0, or -1 with the problem noted. */
static int
chk_read(struct chk *c, void *buf, size_t len, uint64_t off)
{
	ssize_t r;
	size_t got = 0;

	if (off > c->fsize || len > c->fsize - off) {
		chk_problem(c, "offset %llu is beyond the end of the file "
		    "(%llu bytes)", (unsigned long long)off,
		    (unsigned long long)c->fsize);
		return -1;
	}
	while (got < len) {
		r = pread(c->fd, (uint8_t *)buf + got, len - got,
		    (off_t)(off + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			chk_problem(c, "read at offset %llu: %s",
			    (unsigned long long)(off + got),
			    r == 0 ? "end of file" : strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

/*
 * chk_claim: marks page pgno (and the n-1 after it) as used; a page out
 * of range, beyond the file or claimed twice is a problem.
 */
static int
chk_claim(struct chk *c, uint64_t pgno, uint64_t n, const char *what)
{
	uint64_t i;

	if (pgno < 2 || n == 0 || pgno > c->m.last_pg ||
	    n - 1 > c->m.last_pg - pgno) {
		chk_problem(c, "%s: page %llu (+%llu) is outside pages 2 to "
		    "%llu", what, (unsigned long long)pgno,
		    (unsigned long long)(n - 1),
		    (unsigned long long)c->m.last_pg);
		return -1;
	}
	for (i = pgno; i < pgno + n; i++) {
		if (c->seen[i >> 3] & (1u << (i & 7))) {
			chk_problem(c, "%s: page %llu is used twice", what,
			    (unsigned long long)i);
			return -1;
		}
		c->seen[i >> 3] |= (uint8_t)(1u << (i & 7));
	}
	return 0;
}

static int
chk_page(struct chk *c, uint64_t pgno, const char *what)
{
	if (pgno >= c->fpages) {
		chk_problem(c, "%s: page %llu is beyond the end of the file "
		    "(%llu pages): the file was cut short", what,
		    (unsigned long long)pgno, (unsigned long long)c->fpages);
		return -1;
	}
	if (chk_read(c, c->page, c->psize, pgno * c->psize) != 0)
		return -1;
	if (lm_word(c->page, LM_W) != pgno) {
		chk_problem(c, "%s: page %llu says it is page %llu", what,
		    (unsigned long long)pgno,
		    (unsigned long long)lm_word(c->page, LM_W));
		return -1;
	}
	return 0;
}

/* chk_value: the value of a leaf node (read from overflow pages if big). */
static int
chk_value(struct chk *c, const uint8_t *node, const char *what,
    const uint8_t **val, size_t *vlen, uint64_t *ovpages)
{
	unsigned flags = (unsigned)lm_word(node + 4, 2);
	unsigned ksize = (unsigned)lm_word(node + 6, 2);
	size_t dsize = (size_t)(lm_word(node, 2) | lm_word(node + 2, 2) << 16);
	uint64_t ov, n;

	*ovpages = 0;
	if (!(flags & LM_F_BIGDATA)) {
		*val = node + LM_NODE + ksize;
		*vlen = dsize;
		return 0;
	}
	ov = lm_word(node + LM_NODE + ksize, LM_W);
	n = (LM_HDR - 1 + (uint64_t)dsize) / c->psize + 1;
	if (chk_claim(c, ov, n, what) != 0 || ov + n > c->fpages) {
		if (ov + n > c->fpages && ov <= c->m.last_pg)
			chk_problem(c, "%s: overflow pages %llu-%llu are "
			    "beyond the end of the file", what,
			    (unsigned long long)ov,
			    (unsigned long long)(ov + n - 1));
		return -1;
	}
	free(c->buf);
	if ((c->buf = malloc(LM_HDR + dsize)) == NULL)
		return MENTOR_ENOMEM;
	if (chk_read(c, c->buf, LM_HDR + dsize, ov * c->psize) != 0)
		return -1;
	if (lm_word(c->buf, LM_W) != ov ||
	    !(lm_word(c->buf + LM_W + 2, 2) & LM_P_OVERFLOW) ||
	    lm_word(c->buf + LM_W + 4, 4) != n) {
		chk_problem(c, "%s: page %llu is not the overflow run of %llu "
		    "pages its node says", what, (unsigned long long)ov,
		    (unsigned long long)n);
		return -1;
	}
	*val = c->buf + LM_HDR;
	*vlen = dsize;
	*ovpages = n;
	return 0;
}

static int
key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    int intkey)
{
	int r;

	if (intkey && alen == LM_W && blen == LM_W) {
		uint64_t x = lm_word(a, LM_W), y = lm_word(b, LM_W);

		return x < y ? -1 : x > y;
	}
	r = memcmp(a, b, alen < blen ? alen : blen);
	return r ? r : (alen < blen ? -1 : alen > blen);
}

struct chk_tree {
	const char	*name;
	struct lm_db	 db;
	int		 kind;		/* 0 named, 1 free pages, 2 main */
};

static int chk_tree(struct chk *, const struct chk_tree *,
    struct chk_tree *sub, size_t *nsub, size_t maxsub);

/*
 * chk_leaf_value: what a leaf's value means in the free-page tree (a list
 * of free pages) and the main tree (a named database's root record).
 */
static int
chk_leaf_value(struct chk *c, const struct chk_tree *t, const uint8_t *node,
    unsigned ksize, struct chk_tree *sub, size_t *nsub, size_t maxsub,
    uint64_t *ovpages)
{
	const uint8_t *v;
	size_t vlen, i;
	unsigned flags = (unsigned)lm_word(node + 4, 2);
	uint64_t count, pg;
	int rc;

	if (flags & LM_F_DUPDATA) {
		chk_problem(c, "%s: a node with duplicates (mentord makes "
		    "none)", t->name);
		return -1;
	}
	if ((rc = chk_value(c, node, t->name, &v, &vlen, ovpages)) != 0)
		return rc;
	if (t->kind == 1) {
		if (vlen < LM_W || vlen % LM_W != 0 ||
		    (count = lm_word(v, LM_W)) > vlen / LM_W - 1) {
			chk_problem(c, "free-page list of %zu bytes is "
			    "malformed", vlen);
			return -1;
		}
		for (i = 1; i <= count; i++) {
			pg = lm_word(v + i * LM_W, LM_W);
			if (chk_claim(c, pg, 1, "free-page list") != 0)
				return -1;
		}
		c->rep->free_pages += count;
		return 0;
	}
	if (t->kind == 2 && (flags & LM_F_SUBDATA)) {
		if (vlen != LM_DBSIZE || *nsub >= maxsub) {
			chk_problem(c, "main tree: database record %.*s is "
			    "malformed", (int)(ksize < 32 ? ksize : 32),
			    (const char *)node + LM_NODE);
			return -1;
		}
		sub[*nsub].kind = 0;
		sub[*nsub].name = NULL;
		lm_db_read(&sub[*nsub].db, v);
		(*nsub)++;
	}
	return 0;
}

/*
 * chk_tree: walks one B+tree breadth-first from its root, checking every
 * page's header, node offsets, key order within the page and depth, and
 * counting pages and entries against the tree's record.  Named databases
 * found in the main tree are returned in sub.
 */
static int
chk_tree(struct chk *c, const struct chk_tree *t, struct chk_tree *sub,
    size_t *nsub, size_t maxsub)
{
	uint64_t *lvl = NULL, *next = NULL, nlvl, nnext, i, cap;
	uint64_t branch = 0, leaf = 0, over = 0, entries = 0, ovp;
	unsigned depth, flags, lower, upper, nkeys, k, off, ksize;
	const uint8_t *prev = NULL, *key;
	size_t prevlen = 0, dsize;
	uint8_t prevbuf[512];
	int rc = 0, intkey = t->kind == 1;

	if (t->db.root == LM_INVALID) {
		if (t->db.entries != 0 || t->db.depth != 0)
			chk_problem(c, "%s: empty tree records %llu entries",
			    t->name, (unsigned long long)t->db.entries);
		return 0;
	}
	if (t->db.depth == 0 || t->db.depth > LM_MAXDEPTH) {
		chk_problem(c, "%s: depth %u is impossible", t->name,
		    t->db.depth);
		return -1;
	}
	cap = 64;
	if ((lvl = malloc(cap * sizeof(*lvl))) == NULL ||
	    (next = malloc(cap * sizeof(*next))) == NULL) {
		free(lvl);
		return MENTOR_ENOMEM;
	}
	lvl[0] = t->db.root;
	nlvl = 1;
	for (depth = 1; nlvl > 0; depth++) {
		nnext = 0;
		for (i = 0; i < nlvl; i++) {
			if (chk_claim(c, lvl[i], 1, t->name) != 0 ||
			    chk_page(c, lvl[i], t->name) != 0) {
				rc = -1;
				goto out;
			}
			flags = (unsigned)lm_word(c->page + LM_W + 2, 2);
			lower = (unsigned)lm_word(c->page + LM_W + 4, 2);
			upper = (unsigned)lm_word(c->page + LM_W + 6, 2);
			if ((flags & (LM_P_BRANCH | LM_P_LEAF | LM_P_OVERFLOW |
			    LM_P_META | LM_P_LEAF2)) != (depth < t->db.depth ?
			    LM_P_BRANCH : LM_P_LEAF)) {
				chk_problem(c, "%s: page %llu has flags 0x%x, "
				    "expected a %s page", t->name,
				    (unsigned long long)lvl[i], flags,
				    depth < t->db.depth ? "branch" : "leaf");
				rc = -1;
				goto out;
			}
			if (lower < LM_HDR || (lower - LM_HDR) % 2 != 0 ||
			    lower > upper || upper > c->psize) {
				chk_problem(c, "%s: page %llu has free-space "
				    "bounds %u-%u", t->name,
				    (unsigned long long)lvl[i], lower, upper);
				rc = -1;
				goto out;
			}
			nkeys = (lower - LM_HDR) / 2;
			if (nkeys == 0 || (depth < t->db.depth && nkeys < 2 &&
			    lvl[i] != t->db.root)) {
				chk_problem(c, "%s: page %llu holds %u keys",
				    t->name, (unsigned long long)lvl[i], nkeys);
				rc = -1;
				goto out;
			}
			if (depth < t->db.depth)
				branch++;
			else
				leaf++;
			prev = NULL;
			for (k = 0; k < nkeys; k++) {
				off = (unsigned)lm_word(c->page + LM_HDR + 2 * k,
				    2);
				if (off < upper || off > c->psize - LM_NODE) {
					chk_problem(c, "%s: page %llu node %u "
					    "at offset %u is outside the page's "
					    "nodes", t->name,
					    (unsigned long long)lvl[i], k, off);
					rc = -1;
					goto out;
				}
				ksize = (unsigned)lm_word(c->page + off + 6, 2);
				dsize = (size_t)(lm_word(c->page + off, 2) |
				    lm_word(c->page + off + 2, 2) << 16);
				if (depth < t->db.depth)
					dsize = 0;
				else if (lm_word(c->page + off + 4, 2) &
				    LM_F_BIGDATA)
					dsize = LM_W;
				if ((size_t)off + LM_NODE + ksize + dsize >
				    c->psize) {
					chk_problem(c, "%s: page %llu node %u "
					    "runs past the page", t->name,
					    (unsigned long long)lvl[i], k);
					rc = -1;
					goto out;
				}
				key = c->page + off + LM_NODE;
				/* A branch page's first key is not used. */
				if (prev != NULL && key_cmp(prev, prevlen, key,
				    ksize, intkey) >= 0) {
					chk_problem(c, "%s: page %llu keys %u "
					    "and %u are out of order", t->name,
					    (unsigned long long)lvl[i], k - 1,
					    k);
					rc = -1;
					goto out;
				}
				if (!(depth < t->db.depth && k == 0) &&
				    ksize <= sizeof(prevbuf)) {
					memcpy(prevbuf, key, ksize);
					prev = prevbuf;
					prevlen = ksize;
				} else
					prev = NULL;
				if (depth < t->db.depth) {
					if (nnext == cap) {
						uint64_t *a, *b;

						cap *= 2;
						a = realloc(lvl, cap *
						    sizeof(*lvl));
						if (a)
							lvl = a;
						b = realloc(next, cap *
						    sizeof(*next));
						if (b)
							next = b;
						if (a == NULL || b == NULL) {
							rc = MENTOR_ENOMEM;
							goto out;
						}
					}
					next[nnext++] = lm_word(c->page + off,
					    2) | lm_word(c->page + off + 2, 2)
					    << 16 | (LM_W == 8 ?
					    lm_word(c->page + off + 4, 2) <<
					    32 : 0);
					continue;
				}
				entries++;
				if (!c->deep && t->kind == 0)
					continue;
				/* Big values are read into c->buf; c->page
				 * stays put. */
				rc = chk_leaf_value(c, t, c->page + off, ksize,
				    sub, nsub, maxsub, &ovp);
				if (rc != 0)
					goto out;
				over += ovp;
				if (t->kind == 2 && *nsub > 0 &&
				    sub[*nsub - 1].name == NULL) {
					char *nm = malloc(ksize + 1);

					if (nm == NULL) {
						rc = MENTOR_ENOMEM;
						goto out;
					}
					memcpy(nm, key, ksize);
					nm[ksize] = '\0';
					sub[*nsub - 1].name = nm;
				}
			}
		}
		memcpy(lvl, next, nnext * sizeof(*lvl));
		nlvl = nnext;
		if (nnext > 0 && depth >= t->db.depth) {
			chk_problem(c, "%s: deeper than its recorded depth %u",
			    t->name, t->db.depth);
			rc = -1;
			goto out;
		}
	}
	if (branch != t->db.branch || leaf != t->db.leaf ||
	    entries != t->db.entries ||
	    ((c->deep || t->kind != 0) && over != t->db.overflow)) {
		chk_problem(c, "%s: holds %llu entries in %llu branch, %llu "
		    "leaf and %llu overflow pages; its record says %llu in "
		    "%llu, %llu and %llu", t->name,
		    (unsigned long long)entries, (unsigned long long)branch,
		    (unsigned long long)leaf, (unsigned long long)over,
		    (unsigned long long)t->db.entries,
		    (unsigned long long)t->db.branch,
		    (unsigned long long)t->db.leaf,
		    (unsigned long long)t->db.overflow);
		rc = -1;
	}
	c->rep->tree_pages += branch + leaf + over;
	c->rep->overflow_pages += over;
	if (t->kind == 0)
		c->rep->entries += entries;
out:
	free(lvl);
	free(next);
	return rc;
}

/* chk_meta: reads and validates meta page i (0 or 1). */
static int
chk_meta(struct chk *c, unsigned i, unsigned psize, struct lm_meta *m)
{
	uint8_t b[LM_M_LAST + 2 * sizeof(uint64_t)];
	unsigned flags;

	if (chk_read(c, b, LM_M_LAST + 2 * LM_W, (uint64_t)i * psize) != 0)
		return -1;
	flags = (unsigned)lm_word(b + LM_W + 2, 2);
	m->magic = (unsigned)lm_word(b + LM_HDR, 4);
	m->version = (unsigned)lm_word(b + LM_HDR + 4, 4);
	lm_db_read(&m->db[0], b + LM_M_DBS);
	lm_db_read(&m->db[1], b + LM_M_DBS + LM_DBSIZE);
	m->psize = m->db[0].pad;
	m->last_pg = lm_word(b + LM_M_LAST, LM_W);
	m->txnid = lm_word(b + LM_M_LAST + LM_W, LM_W);
	if (!(flags & LM_P_META) || m->magic != LM_MAGIC) {
		chk_problem(c, "meta page %u is not an LMDB meta page (not a "
		    "store, or its first pages are damaged)", i);
		return -1;
	}
	if (m->version != LM_VERSION) {
		chk_problem(c, "meta page %u has format version %u, not %u",
		    i, m->version, LM_VERSION);
		return -1;
	}
	if (m->psize < 512 || m->psize > 65536 ||
	    (m->psize & (m->psize - 1)) != 0) {
		chk_problem(c, "meta page %u has page size %u", i, m->psize);
		return -1;
	}
	return 0;
}

/*
 * chk_metas: picks the current meta page and checks the file's size
 * against it.  Pages past the file's end are allowed only when the
 * free-page tree lists them (LMDB does not write freed tail pages).
 */
static int
chk_metas(struct chk *c)
{
	struct lm_meta m0, m1;
	unsigned long long need;

	if (c->fsize < 2 * 512) {
		chk_problem(c, "the file is %llu bytes, too short for a store",
		    (unsigned long long)c->fsize);
		return -1;
	}
	if (chk_meta(c, 0, 0, &m0) != 0)
		return -1;
	if (chk_meta(c, 1, m0.psize, &m1) != 0)
		return -1;
	if (m1.psize != m0.psize) {
		chk_problem(c, "the meta pages disagree on the page size (%u, "
		    "%u)", m0.psize, m1.psize);
		return -1;
	}
	c->m = m1.txnid > m0.txnid ? m1 : m0;
	c->psize = c->m.psize;
	c->fpages = c->fsize / c->psize;
	c->rep->psize = c->psize;
	c->rep->last_page = c->m.last_pg;
	c->rep->txnid = c->m.txnid;
	if (c->m.last_pg < 1 || c->m.last_pg > (UINT64_MAX / c->psize) - 1) {
		chk_problem(c, "the meta page's last page %llu is impossible",
		    (unsigned long long)c->m.last_pg);
		return -1;
	}
	/* LMDB leaves at most a few freed tail pages unwritten. */
	if (c->m.last_pg >= c->fpages &&
	    c->m.last_pg - c->fpages > c->fpages + 1024) {
		chk_problem(c, "the file ends at page %llu but the store uses "
		    "pages up to %llu: the file was cut short",
		    (unsigned long long)c->fpages,
		    (unsigned long long)c->m.last_pg);
		return -1;
	}
	need = (unsigned long long)(c->m.last_pg + 1) * c->psize;
	if (c->fsize < need)
		c->rep->short_by = need - c->fsize;
	return 0;
}

static int
chk_root(struct chk *c, const struct chk_tree *t)
{
	unsigned flags;

	if (t->db.root == LM_INVALID)
		return 0;
	if (chk_page(c, t->db.root, t->name) != 0)
		return -1;
	flags = (unsigned)lm_word(c->page + LM_W + 2, 2);
	if ((flags & (LM_P_BRANCH | LM_P_LEAF)) != (t->db.depth > 1 ?
	    LM_P_BRANCH : LM_P_LEAF)) {
		chk_problem(c, "%s: its root page %llu has flags 0x%x", t->name,
		    (unsigned long long)t->db.root, flags);
		return -1;
	}
	return 0;
}

int
store_check(const char *path, int deep, struct store_check_report *rep,
    store_problem_fn say, void *arg, char *err, size_t errlen)
{
	struct chk c;
	struct chk_tree t, sub[DB_COUNT + 8];
	char file[PATH_MAX + 16];
	struct stat sb;
	size_t nsub = 0, i;
	uint64_t pg, first = 0;
	int rc = MENTOR_ESTORE;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	memset(sub, 0, sizeof(sub));
	snprintf(file, sizeof(file), "%s/data.mdb", path);
	c.file = file;
	c.deep = deep;
	c.rep = rep;
	c.say = say;
	c.arg = arg;
	c.err = err;
	c.errlen = errlen;
	if ((c.fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return errno == ENOENT ? MENTOR_ENOTFOUND : MENTOR_EIO;
	}
	if (fstat(c.fd, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		close(c.fd);
		return MENTOR_EIO;
	}
	c.fsize = rep->file_size = (uint64_t)sb.st_size;
	if (chk_metas(&c) != 0)
		goto out;
	rc = MENTOR_ENOMEM;
	if ((c.page = malloc(c.psize)) == NULL ||
	    (c.seen = calloc((size_t)(c.m.last_pg >> 3) + 1, 1)) == NULL)
		goto out;
	c.seen[0] |= 3;		/* the meta pages */
	t.kind = 1;
	t.name = "free-page tree";
	t.db = c.m.db[0];
	if ((rc = chk_tree(&c, &t, NULL, NULL, 0)) < -1)
		goto out;
	t.kind = 2;
	t.name = "main tree";
	t.db = c.m.db[1];
	if ((rc = chk_tree(&c, &t, sub, &nsub, sizeof(sub) /
	    sizeof(sub[0]))) < -1)
		goto out;
	/* Pages past the end of the file must all be free. */
	for (pg = c.fpages; pg <= c.m.last_pg; pg++)
		if (!(c.seen[pg >> 3] & (1u << (pg & 7)))) {
			chk_problem(&c, "the file ends at page %llu but the "
			    "store uses pages up to %llu: the file was cut "
			    "short", (unsigned long long)c.fpages,
			    (unsigned long long)c.m.last_pg);
			break;
		}
	for (i = 0; i < nsub; i++) {
		if (sub[i].name == NULL)
			sub[i].name = "?";
		if ((rc = deep ? chk_tree(&c, &sub[i], NULL, NULL, 0) :
		    chk_root(&c, &sub[i])) < -1)
			goto out;
		if (!deep)
			rep->entries += sub[i].db.entries;
	}
	if (deep && rep->problems == 0) {
		for (pg = 2; pg <= c.m.last_pg; pg++)
			if (!(c.seen[pg >> 3] & (1u << (pg & 7))) &&
			    rep->leaked++ == 0)
				first = pg;
		if (rep->leaked > 0)
			chk_problem(&c, "%llu pages (the first is %llu) are "
			    "in no tree and not free", (unsigned long long)
			    rep->leaked, (unsigned long long)first);
	}
	rc = rep->problems ? MENTOR_ESTORE : 0;
out:
	for (i = 0; i < nsub; i++)
		if (sub[i].name && strcmp(sub[i].name, "?") != 0)
			free((char *)sub[i].name);
	free(c.buf);
	free(c.seen);
	free(c.page);
	close(c.fd);
	return rc;
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

/* ---- compaction leftovers ------------------------------------------- */

/*
 * compact_leftovers: removes path/compact.tmp and what it holds: a copy of
 * the store (with every student) that a crash during store_compact left.
 */
static void
compact_leftovers(const char *path, int crashed)
{
	char tmp[PATH_MAX + 16], f[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;

	snprintf(tmp, sizeof(tmp), "%s/compact.tmp", path);
	if ((d = opendir(tmp)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(f, sizeof(f), "%s/%s", tmp, e->d_name);
		if (unlink(f) == -1)
			log_err("store: remove %s: %s", f, strerror(errno));
	}
	closedir(d);
	if (rmdir(tmp) == -1)
		log_err("store: remove %s: %s", tmp, strerror(errno));
	else if (crashed)
		log_info("store: removed the copy an interrupted compaction "
		    "left in %s", tmp);
}

/* sync_dir: makes a rename in dir durable. */
static void
sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * store_open_check: LMDB trusts its file, so the whole structure is
 * checked before LMDB maps it (about 3 ms per 10 MB of store): a damaged
 * store is refused with what is wrong and what to do instead of crashing
 * the daemon later.  A missing or empty data.mdb is a new store.
 */
static int
store_open_check(const char *path, char *err, size_t errlen)
{
	struct store_check_report rep;
	char why[400];
	int rc;

	rc = store_check(path, 1, &rep, NULL, NULL, why, sizeof(why));
	if (rc == 0 || rc == MENTOR_ENOTFOUND)
		return 0;
	if (rc == MENTOR_ESTORE && rep.file_size == 0)
		return 0;
	if (rc == MENTOR_ESTORE) {
		snprintf(err, errlen, "store damaged: %s (%u problem%s; "
		    "`mentord check` lists them).  Restore the store from a "
		    "backup: see \"Recovery\" in mentord(8)", why, rep.problems,
		    rep.problems == 1 ? "" : "s");
		log_err("store: %s", why);
	} else
		snprintf(err, errlen, "store: %s", why);
	return rc == MENTOR_ESTORE || rc == MENTOR_EIO ? MENTOR_ESTORE : rc;
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
	compact_leftovers(path, 1);
	if ((rc = store_open_check(path, err, errlen)) != 0) {
		free(st);
		return rc;
	}
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
	struct store_txn t = { st, NULL, 0, NULL, DB_META };
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

	st->why[0] = '\0';
	for (tries = 0; tries < WRITE_RETRIES; tries++) {
		t.st = st;
		t.full = 0;
		t.app = NULL;
		mrc = mdb_txn_begin(st->env, NULL, 0, &t.txn);
		if (mrc == MDB_MAP_RESIZED &&
		    mdb_env_set_mapsize(st->env, 0) == 0)
			mrc = mdb_txn_begin(st->env, NULL, 0, &t.txn);
		if (mrc != 0) {
			store_explain(st, mrc, "begin a transaction");
			return MENTOR_ESTORE;
		}
		rc = fn(&t, arg);
		if (t.full) {
			mdb_txn_abort(t.txn);
			if (grow(st))
				goto full;
			continue;
		}
		if (rc != 0) {
			mdb_txn_abort(t.txn);
			return rc;
		}
		if ((mrc = store_fault("commit")) != 0)
			mdb_txn_abort(t.txn);
		else
			mrc = mdb_txn_commit(t.txn);
		if (mrc == MDB_MAP_FULL) {
			if (grow(st))
				goto full;
			continue;
		}
		if (mrc != 0) {
			store_explain(st, mrc, "commit");
			return MENTOR_ESTORE;
		}
		(void)store_fault("committed");
		return 0;
	}
full:
	if (st->copying) {
		snprintf(st->why, sizeof(st->why), "the store in %s needs "
		    "more room while a backup reads it: retry when the backup "
		    "ends", st->path);
		log_err("store: grow the map: %s", st->why);
	} else
		store_explain(st, MDB_MAP_FULL, "grow the map");
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

/* app_close: store_append's cursor closed, before any other write. */
static void
app_close(struct store_txn *t)
{
	if (t->app != NULL) {
		mdb_cursor_close(t->app);
		t->app = NULL;
	}
}

/* write_rc: what an LMDB write's rc means to the caller (a full map marked). */
static int
write_rc(struct store_txn *t, int rc, enum store_db db)
{
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL) {
		t->full = 1;
		return MENTOR_ESTORE;
	}
	if (rc != 0) {
		store_explain(t->st, rc, dbnames[db]);
		return MENTOR_ESTORE;
	}
	return 0;
}

int
store_put(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int rc;

	app_close(t);
	if ((rc = store_fault("put")) == 0)
		rc = mdb_put(t->txn, t->st->dbi[db], &k, &v, 0);
	return write_rc(t, rc, db);
}

int
store_append(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int rc;

	if (t->app != NULL && t->appdb != db)
		app_close(t);
	if ((rc = store_fault("put")) == 0 && t->app == NULL &&
	    (rc = mdb_cursor_open(t->txn, t->st->dbi[db], &t->app)) == 0)
		t->appdb = db;
	if (rc == 0)
		rc = mdb_cursor_put(t->app, &k, &v, MDB_APPEND);
	if (rc == MDB_KEYEXIST)
		return MENTOR_EEXIST;
	return write_rc(t, rc, db);
}

int
store_del(struct store_txn *t, enum store_db db, const void *key,
    size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc;

	app_close(t);
	if ((rc = store_fault("del")) == 0)
		rc = mdb_del(t->txn, t->st->dbi[db], &k, NULL);
	if (rc == MDB_NOTFOUND)
		return MENTOR_ENOTFOUND;
	return write_rc(t, rc, db);
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
 * deleted data do not survive) beside the store, mode 0600 from the start,
 * then swaps it in with rename.  The caller must hold no transaction.  On
 * failure before the swap the store is untouched and the copy removed; a
 * copy left by a crash is removed by the next store_open.  A failure to
 * reopen after the swap is fatal (MENTOR_ESTORE).
 */
int
store_compact(struct store *st, uint64_t *before, uint64_t *after,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX + 16], from[PATH_MAX + 32], to[PATH_MAX + 16];
	const char *step;
	int rc, fd = -1;

	if (st->copying) {
		snprintf(err, errlen, "store: a backup is running; compact "
		    "after it");
		return MENTOR_EBUSY;
	}
	st->why[0] = '\0';
	snprintf(tmp, sizeof(tmp), "%s/compact.tmp", st->path);
	snprintf(from, sizeof(from), "%s/data.mdb", tmp);
	snprintf(to, sizeof(to), "%s/data.mdb", st->path);
	*before = (uint64_t)file_size(to);
	compact_leftovers(st->path, 1);
	if (mkdir(tmp, 0700) == -1) {
		snprintf(err, errlen, "store: %s: %s", tmp, strerror(errno));
		return MENTOR_ESTORE;
	}
	step = "compacting copy";
	if ((fd = open(from, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		rc = errno;
		goto fail;
	}
	if ((rc = store_fault("compact copy")) != 0 ||
	    (rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) != 0)
		goto fail;
	step = "sync the compacted copy";
	if ((rc = store_fault("compact sync")) != 0 ||
	    (fsync(fd) == -1 && (rc = errno) != 0))
		goto fail;
	close(fd);
	fd = -1;
	step = "swap in the compacted copy";
	if ((rc = store_fault("compact rename")) != 0)
		goto fail;
	mdb_env_close(st->env);
	st->env = NULL;
	if (rename(from, to) == -1)
		log_err("store: swap in the compacted copy: %s",
		    strerror(errno));
	else
		sync_dir(st->path);
	(void)store_fault("committed");
	rmdir(tmp);
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
fail:
	if (fd != -1)
		close(fd);
	compact_leftovers(st->path, 0);
	store_explain(st, rc, step);
	snprintf(err, errlen, "store: %s failed, the store is unchanged: %s",
	    step, st->why);
	return MENTOR_ESTORE;
}

/* ---- backups and schema versions (used by backup.c, migrate.c) ---- */

/*
 * store_copy_begin: a backup is about to read the map, which cannot be
 * remapped (grown) until it ends: a map over half used is grown now, so
 * that writes meanwhile (say, an import) have room.
 */
void
store_copy_begin(struct store *st)
{
	MDB_envinfo info;
	MDB_stat stat;

	if (mdb_env_info(st->env, &info) == 0 &&
	    mdb_env_stat(st->env, &stat) == 0 &&
	    (info.me_last_pgno + 1) * (size_t)stat.ms_psize >
	    st->mapsize / 2)
		(void)grow(st);
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
