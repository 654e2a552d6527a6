/*
 * recon.c: range-based set reconciliation (SPEC.md section 11): the item
 * set as a counted B+tree whose nodes keep the count and the id sum of each
 * child, the message codec, and the two sides of the algorithm.  No I/O.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mentor.h"
#include "recon.h"

/*
 * Tree shape.  Leaves hold up to LEAF_MAX items in order and are linked
 * left to right; inner nodes hold up to NODE_MAX children with, for each,
 * its item count, the sum of its ids mod 2^256 and (from the second child
 * on) a separator key: no item of child i-1 is >= key[i], no item of child
 * i is < key[i].  A node that falls below its MIN on a delete is merged
 * with, or refilled from, a sibling under the same parent.  An add past the
 * last item splits the rightmost nodes unevenly, so that a sorted load
 * leaves full nodes behind.
 */
#define LEAF_MAX	256
#define LEAF_MIN	64
#define NODE_MAX	64
#define NODE_MIN	16
#define MAX_HEIGHT	24	/* far above any reachable height */

/* Up to this many items a range is summed item by item. */
#define SCAN_MAX	512

/* Largest encodings (SPEC.md 11.4). */
#define VARINT_MAX	10
#define BOUND_MAX	(VARINT_MAX + 1 + RECON_ID_LEN)
/* What the frame rule (11.7) may append: a Skip, then a Fingerprint to
 * the infinite bound. */
#define REST_MAX	(BOUND_MAX + 1 + 2 + 1 + RECON_FP_LEN)

struct item {
	uint64_t	 ts;
	uint8_t		 id[RECON_ID_LEN];
};

struct sum {
	uint64_t	 w[4];		/* little-endian limbs */
};

struct leaf {
	struct leaf	*next;
	unsigned	 n;
	struct item	 it[LEAF_MAX];
};

struct node {
	unsigned	 n;
	void		*child[NODE_MAX];
	size_t		 cnt[NODE_MAX];
	struct sum	 sum[NODE_MAX];
	struct item	 key[NODE_MAX];	/* key[0] unused */
};

struct rset {
	void		*root;		/* a leaf when height is 0 */
	unsigned	 height;	/* inner levels above the leaves */
	size_t		 count;
	struct sum	 sum;
	size_t		 nleaf, nnode;
};

/* A range's upper bound: an item key whose id is zero after len bytes. */
struct bound {
	struct item	 k;
	unsigned	 len;		/* 0..32 */
	int		 inf;		/* k is (UINT64_MAX, 0...) */
};

/* The inner nodes on the way from the root to a leaf. */
struct path {
	struct node	*node[MAX_HEIGHT];
	unsigned	 idx[MAX_HEIGHT];
};

struct cursor {
	const struct leaf *lf;
	unsigned	 i;
};

struct ids {
	uint8_t		(*v)[RECON_ID_LEN];
	size_t		 n, cap;
};

struct recon {
	const struct rset *set;
	size_t		 limit;
	int		 state;		/* 0 new, 1 waiting for a reply, 2 done */
	struct ids	 have, need;
	unsigned	 rounds;
	size_t		 sent, received;
};

/* ---- 256-bit sums and fingerprints ---- */

static uint64_t
ld64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	    (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	    (uint64_t)p[7] << 56;
}

static void
st64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
sum_add(struct sum *s, const struct sum *b)
{
	uint64_t c = 0, t;
	int i;

	for (i = 0; i < 4; i++) {
		t = s->w[i] + b->w[i];
		s->w[i] = t + c;
		c = (t < b->w[i]) | (s->w[i] < t);
	}
}

static void
sum_sub(struct sum *s, const struct sum *b)
{
	uint64_t c = 0, t, lt;
	int i;

	for (i = 0; i < 4; i++) {
		lt = s->w[i] < b->w[i];
		t = s->w[i] - b->w[i];
		s->w[i] = t - c;
		c = lt | (t < c);
	}
}

static void
sum_of_id(struct sum *s, const uint8_t *id)
{
	int i;

	for (i = 0; i < 4; i++)
		s->w[i] = ld64(id + 8 * i);
}

static void
sum_add_id(struct sum *s, const uint8_t *id)
{
	struct sum x;

	sum_of_id(&x, id);
	sum_add(s, &x);
}

static void
sum_sub_id(struct sum *s, const uint8_t *id)
{
	struct sum x;

	sum_of_id(&x, id);
	sum_sub(s, &x);
}

static size_t
varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >>= 7)
		n++;
	return n;
}

/* varint_put: base 128, most significant digit first (SPEC.md 11.4). */
static size_t
varint_put(uint8_t *p, uint64_t v)
{
	size_t n = varint_len(v), i;

	for (i = n; i-- > 0;) {
		p[i] = (uint8_t)((v & 0x7f) | (i == n - 1 ? 0 : 0x80));
		v >>= 7;
	}
	return n;
}

/* fp_make: SHA-256(sum as 32 bytes LE || varint(count)), first 16 bytes. */
static void
fp_make(uint8_t fp[RECON_FP_LEN], const struct sum *s, uint64_t count)
{
	uint8_t buf[32 + VARINT_MAX], h[crypto_hash_sha256_BYTES];
	size_t n;
	int i;

	for (i = 0; i < 4; i++)
		st64(buf + 8 * i, s->w[i]);
	n = 32 + varint_put(buf + 32, count);
	crypto_hash_sha256(h, buf, n);
	memcpy(fp, h, RECON_FP_LEN);
}

/* ---- the tree ---- */

static int
key_cmp(const struct item *a, const struct item *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->id, b->id, RECON_ID_LEN);
}

/* node_find: the index of the child of nd whose range holds x. */
static unsigned
node_find(const struct node *nd, const struct item *x)
{
	unsigned lo = 1, hi = nd->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key_cmp(&nd->key[mid], x) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* leaf_lower: the first position in lf whose item is >= x. */
static unsigned
leaf_lower(const struct leaf *lf, const struct item *x)
{
	unsigned lo = 0, hi = lf->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key_cmp(&lf->it[mid], x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct leaf *
descend(const struct rset *s, const struct item *x, struct path *pa)
{
	void *p = s->root;
	struct node *nd;
	unsigned d, i;

	for (d = 0; d < s->height; d++) {
		nd = p;
		i = node_find(nd, x);
		pa->node[d] = nd;
		pa->idx[d] = i;
		p = nd->child[i];
	}
	return p;
}

static void
leaf_total(const struct leaf *lf, size_t *cnt, struct sum *sum)
{
	unsigned i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < lf->n; i++)
		sum_add_id(sum, lf->it[i].id);
	*cnt = lf->n;
}

static void
node_total(const struct node *nd, size_t *cnt, struct sum *sum)
{
	unsigned i;

	memset(sum, 0, sizeof(*sum));
	*cnt = 0;
	for (i = 0; i < nd->n; i++) {
		*cnt += nd->cnt[i];
		sum_add(sum, &nd->sum[i]);
	}
}

static void
leaf_insert(struct leaf *lf, unsigned pos, const struct item *x)
{
	memmove(lf->it + pos + 1, lf->it + pos,
	    (lf->n - pos) * sizeof(lf->it[0]));
	lf->it[pos] = *x;
	lf->n++;
}

/* ents_move: moves n entries of nd from index from to index to. */
static void
ents_move(struct node *nd, unsigned to, unsigned from, unsigned n)
{
	memmove(nd->child + to, nd->child + from, n * sizeof(nd->child[0]));
	memmove(nd->cnt + to, nd->cnt + from, n * sizeof(nd->cnt[0]));
	memmove(nd->sum + to, nd->sum + from, n * sizeof(nd->sum[0]));
	memmove(nd->key + to, nd->key + from, n * sizeof(nd->key[0]));
}

static void
ent_copy(struct node *dst, unsigned di, const struct node *src, unsigned si)
{
	dst->child[di] = src->child[si];
	dst->cnt[di] = src->cnt[si];
	dst->sum[di] = src->sum[si];
	dst->key[di] = src->key[si];
}

static void
node_insert(struct node *nd, unsigned at, void *child, size_t cnt,
    const struct sum *sum, const struct item *key)
{
	ents_move(nd, at + 1, at, nd->n - at);
	nd->child[at] = child;
	nd->cnt[at] = cnt;
	nd->sum[at] = *sum;
	nd->key[at] = *key;
	nd->n++;
}

static void
node_remove(struct node *nd, unsigned at)
{
	ents_move(nd, at, at + 1, nd->n - at - 1);
	nd->n--;
}

struct rset *
rset_new(void)
{
	struct rset *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->root = calloc(1, sizeof(struct leaf))) == NULL) {
		free(s);
		return NULL;
	}
	s->nleaf = 1;
	return s;
}

void
rset_free(struct rset *s)
{
	struct node *stk[MAX_HEIGHT];
	unsigned at[MAX_HEIGHT], d = 0;
	void *child;

	if (s == NULL)
		return;
	if (s->height == 0) {
		free(s->root);
		free(s);
		return;
	}
	stk[0] = s->root;
	at[0] = 0;
	for (;;) {
		if (at[d] == stk[d]->n) {
			free(stk[d]);
			if (d == 0)
				break;
			d--;
			continue;
		}
		child = stk[d]->child[at[d]++];
		if (d + 1 == s->height)
			free(child);
		else {
			d++;
			stk[d] = child;
			at[d] = 0;
		}
	}
	free(s);
}

size_t
rset_count(const struct rset *s)
{
	return s->count;
}

size_t
rset_memory(const struct rset *s)
{
	return sizeof(*s) + s->nleaf * sizeof(struct leaf) +
	    s->nnode * sizeof(struct node);
}

/*
 * add_split: adds x at pos of the full leaf lf: splits it and every full
 * ancestor, and grows a new root when the root splits.  All the memory is
 * taken first, so that ENOMEM leaves the set as it was.
 */
static int
add_split(struct rset *s, struct path *pa, struct leaf *lf, unsigned pos,
    const struct item *x)
{
	struct node *fresh[MAX_HEIGHT + 1], *nd, *nn;
	struct leaf *nl;
	struct sum lsum, rsum;
	struct item sep;
	size_t lcnt, rcnt;
	unsigned nsplit = 0, nalloc, k, d, e, i, half;
	void *right;
	int append;

	for (d = s->height; d-- > 0;) {
		if (pa->node[d]->n < NODE_MAX)
			break;
		nsplit++;
	}
	nalloc = nsplit + (nsplit == s->height);
	if (s->height + 1 >= MAX_HEIGHT)
		return MENTOR_ENOMEM;
	if ((nl = malloc(sizeof(*nl))) == NULL)
		return MENTOR_ENOMEM;
	for (k = 0; k < nalloc; k++) {
		if ((fresh[k] = malloc(sizeof(struct node))) == NULL) {
			while (k-- > 0)
				free(fresh[k]);
			free(nl);
			return MENTOR_ENOMEM;
		}
	}
	k = 0;

	append = lf->next == NULL && pos == lf->n;
	if (append) {
		nl->n = 1;
		nl->it[0] = *x;
	} else {
		half = LEAF_MAX / 2;
		nl->n = lf->n - half;
		memcpy(nl->it, lf->it + half, nl->n * sizeof(nl->it[0]));
		lf->n = half;
		if (pos <= half)
			leaf_insert(lf, pos, x);
		else
			leaf_insert(nl, pos - half, x);
	}
	nl->next = lf->next;
	lf->next = nl;
	s->nleaf++;
	leaf_total(lf, &lcnt, &lsum);
	leaf_total(nl, &rcnt, &rsum);
	sep = nl->it[0];
	right = nl;

	for (d = s->height; d-- > 0;) {
		nd = pa->node[d];
		i = pa->idx[d];
		nd->cnt[i] = lcnt;
		nd->sum[i] = lsum;
		if (nd->n < NODE_MAX) {
			node_insert(nd, i + 1, right, rcnt, &rsum, &sep);
			for (e = d; e-- > 0;) {
				pa->node[e]->cnt[pa->idx[e]]++;
				sum_add_id(&pa->node[e]->sum[pa->idx[e]], x->id);
			}
			goto done;
		}
		nn = fresh[k++];
		s->nnode++;
		nn->n = 0;
		if (append)
			node_insert(nn, 0, right, rcnt, &rsum, &sep);
		else {
			half = NODE_MAX / 2;
			nn->n = nd->n - half;
			for (e = 0; e < nn->n; e++)
				ent_copy(nn, e, nd, half + e);
			nd->n = half;
			if (i + 1 <= half)
				node_insert(nd, i + 1, right, rcnt, &rsum, &sep);
			else
				node_insert(nn, i + 1 - half, right, rcnt,
				    &rsum, &sep);
		}
		node_total(nd, &lcnt, &lsum);
		node_total(nn, &rcnt, &rsum);
		sep = nn->key[0];
		right = nn;
	}
	nd = fresh[k++];
	s->nnode++;
	nd->n = 2;
	nd->child[0] = s->root;
	nd->cnt[0] = lcnt;
	nd->sum[0] = lsum;
	nd->child[1] = right;
	nd->cnt[1] = rcnt;
	nd->sum[1] = rsum;
	nd->key[1] = sep;
	s->root = nd;
	s->height++;
done:
	s->count++;
	sum_add_id(&s->sum, x->id);
	return 0;
}

int
rset_add(struct rset *s, uint64_t ts, const uint8_t id[32])
{
	struct path pa;
	struct item x;
	struct leaf *lf;
	unsigned pos, d;

	if (ts == UINT64_MAX)
		return MENTOR_EINVAL;
	x.ts = ts;
	memcpy(x.id, id, RECON_ID_LEN);
	lf = descend(s, &x, &pa);
	pos = leaf_lower(lf, &x);
	if (pos < lf->n && key_cmp(&lf->it[pos], &x) == 0)
		return MENTOR_EEXIST;
	if (lf->n == LEAF_MAX)
		return add_split(s, &pa, lf, pos, &x);
	leaf_insert(lf, pos, &x);
	for (d = 0; d < s->height; d++) {
		pa.node[d]->cnt[pa.idx[d]]++;
		sum_add_id(&pa.node[d]->sum[pa.idx[d]], id);
	}
	s->count++;
	sum_add_id(&s->sum, id);
	return 0;
}

/* fix_leaves: children j and j+1 of par are leaves, one underfull. */
static void
fix_leaves(struct rset *s, struct node *par, unsigned j)
{
	struct leaf *l = par->child[j], *r = par->child[j + 1];
	unsigned want, k;

	if (l->n + r->n <= LEAF_MAX) {
		memcpy(l->it + l->n, r->it, r->n * sizeof(r->it[0]));
		l->n += r->n;
		l->next = r->next;
		par->cnt[j] += par->cnt[j + 1];
		sum_add(&par->sum[j], &par->sum[j + 1]);
		node_remove(par, j + 1);
		free(r);
		s->nleaf--;
		return;
	}
	want = (l->n + r->n) / 2;
	if (l->n < want) {
		k = want - l->n;
		memcpy(l->it + l->n, r->it, k * sizeof(r->it[0]));
		memmove(r->it, r->it + k, (r->n - k) * sizeof(r->it[0]));
		l->n += k;
		r->n -= k;
	} else {
		k = l->n - want;
		memmove(r->it + k, r->it, r->n * sizeof(r->it[0]));
		memcpy(r->it, l->it + l->n - k, k * sizeof(r->it[0]));
		l->n -= k;
		r->n += k;
	}
	leaf_total(l, &par->cnt[j], &par->sum[j]);
	leaf_total(r, &par->cnt[j + 1], &par->sum[j + 1]);
	par->key[j + 1] = r->it[0];
}

/* fix_nodes: children j and j+1 of par are inner nodes, one underfull. */
static void
fix_nodes(struct rset *s, struct node *par, unsigned j)
{
	struct node *l = par->child[j], *r = par->child[j + 1];
	struct item sep = par->key[j + 1];
	unsigned want, k, t;

	if (l->n + r->n <= NODE_MAX) {
		for (t = 0; t < r->n; t++)
			ent_copy(l, l->n + t, r, t);
		l->key[l->n] = sep;
		l->n += r->n;
		par->cnt[j] += par->cnt[j + 1];
		sum_add(&par->sum[j], &par->sum[j + 1]);
		node_remove(par, j + 1);
		free(r);
		s->nnode--;
		return;
	}
	want = (l->n + r->n) / 2;
	if (l->n < want) {
		k = want - l->n;
		for (t = 0; t < k; t++)
			ent_copy(l, l->n + t, r, t);
		l->key[l->n] = sep;
		par->key[j + 1] = r->key[k];
		ents_move(r, 0, k, r->n - k);
		l->n += k;
		r->n -= k;
	} else {
		k = l->n - want;
		ents_move(r, k, 0, r->n);
		r->key[k] = sep;
		for (t = 0; t < k; t++)
			ent_copy(r, t, l, l->n - k + t);
		par->key[j + 1] = l->key[l->n - k];
		l->n -= k;
		r->n += k;
	}
	node_total(l, &par->cnt[j], &par->sum[j]);
	node_total(r, &par->cnt[j + 1], &par->sum[j + 1]);
}

/*
 * rebalance: after a delete, refills or merges the underfull nodes on the
 * path, bottom up, and drops a root left with one child.  A node with no
 * sibling (only on the rightmost edge after a sorted load) stays underfull.
 */
static void
rebalance(struct rset *s, struct path *pa)
{
	struct node *par, *old;
	unsigned d, i, n, min;
	void *child;

	for (d = s->height; d > 0; d--) {
		par = pa->node[d - 1];
		i = pa->idx[d - 1];
		child = par->child[i];
		if (d == s->height) {
			n = ((struct leaf *)child)->n;
			min = LEAF_MIN;
		} else {
			n = ((struct node *)child)->n;
			min = NODE_MIN;
		}
		if (n >= min)
			break;
		if (par->n < 2)
			continue;
		if (d == s->height)
			fix_leaves(s, par, i > 0 ? i - 1 : 0);
		else
			fix_nodes(s, par, i > 0 ? i - 1 : 0);
	}
	while (s->height > 0 && ((struct node *)s->root)->n == 1) {
		old = s->root;
		s->root = old->child[0];
		s->height--;
		free(old);
		s->nnode--;
	}
}

int
rset_del(struct rset *s, uint64_t ts, const uint8_t id[32])
{
	struct path pa;
	struct item x;
	struct leaf *lf;
	unsigned pos, d;

	if (ts == UINT64_MAX)
		return MENTOR_ENOTFOUND;
	x.ts = ts;
	memcpy(x.id, id, RECON_ID_LEN);
	lf = descend(s, &x, &pa);
	pos = leaf_lower(lf, &x);
	if (pos == lf->n || key_cmp(&lf->it[pos], &x) != 0)
		return MENTOR_ENOTFOUND;
	memmove(lf->it + pos, lf->it + pos + 1,
	    (lf->n - pos - 1) * sizeof(lf->it[0]));
	lf->n--;
	for (d = 0; d < s->height; d++) {
		pa.node[d]->cnt[pa.idx[d]]--;
		sum_sub_id(&pa.node[d]->sum[pa.idx[d]], id);
	}
	s->count--;
	sum_sub_id(&s->sum, id);
	rebalance(s, &pa);
	return 0;
}

/* rank_of: the number of items that order before x; O(log n). */
static size_t
rank_of(const struct rset *s, const struct item *x)
{
	const struct node *nd;
	const void *p = s->root;
	size_t r = 0;
	unsigned d, i, c;

	for (d = 0; d < s->height; d++) {
		nd = p;
		i = node_find(nd, x);
		for (c = 0; c < i; c++)
			r += nd->cnt[c];
		p = nd->child[i];
	}
	return r + leaf_lower(p, x);
}

/* seek: places cu on the item of rank r (r == count: past the end). */
static void
seek(const struct rset *s, size_t r, struct cursor *cu)
{
	const struct node *nd;
	const void *p = s->root;
	unsigned d, c;

	for (d = 0; d < s->height; d++) {
		nd = p;
		for (c = 0; c + 1 < nd->n && r >= nd->cnt[c]; c++)
			r -= nd->cnt[c];
		p = nd->child[c];
	}
	cu->lf = p;
	cu->i = (unsigned)r;
}

static const struct item *
cur_peek(struct cursor *cu)
{
	while (cu->lf != NULL && cu->i >= cu->lf->n) {
		cu->lf = cu->lf->next;
		cu->i = 0;
	}
	return cu->lf != NULL ? &cu->lf->it[cu->i] : NULL;
}

static const struct item *
cur_next(struct cursor *cu)
{
	const struct item *it;

	if ((it = cur_peek(cu)) != NULL)
		cu->i++;
	return it;
}

/*
 * prefix: the sum of the ids of the first r items.  Each level adds the
 * smaller side: the children before the path, or the subtree's total less
 * the children from the path on.
 */
static void
prefix(const struct rset *s, size_t r, struct sum *acc)
{
	const struct node *nd;
	const struct leaf *lf;
	const void *p = s->root;
	struct sum tot = s->sum, x;
	unsigned d, c, t;

	if (r >= s->count) {
		*acc = s->sum;
		return;
	}
	memset(acc, 0, sizeof(*acc));
	for (d = 0; d < s->height; d++) {
		nd = p;
		for (c = 0; c + 1 < nd->n && r >= nd->cnt[c]; c++)
			r -= nd->cnt[c];
		if (2 * c <= nd->n) {
			for (t = 0; t < c; t++)
				sum_add(acc, &nd->sum[t]);
		} else {
			x = tot;
			for (t = c; t < nd->n; t++)
				sum_sub(&x, &nd->sum[t]);
			sum_add(acc, &x);
		}
		tot = nd->sum[c];
		p = nd->child[c];
	}
	lf = p;
	if (2 * r <= lf->n) {
		for (t = 0; t < r; t++)
			sum_add_id(acc, lf->it[t].id);
	} else {
		x = tot;
		for (t = (unsigned)r; t < lf->n; t++)
			sum_sub_id(&x, lf->it[t].id);
		sum_add(acc, &x);
	}
}

/* range_sum: the sum of the ids of ranks lo..hi-1. */
static void
range_sum(const struct rset *s, size_t lo, size_t hi, struct sum *out)
{
	struct cursor cu;
	struct sum b;
	size_t k;

	if (lo == 0 && hi == s->count) {
		*out = s->sum;
		return;
	}
	if (hi - lo <= SCAN_MAX) {
		memset(out, 0, sizeof(*out));
		seek(s, lo, &cu);
		for (k = lo; k < hi; k++)
			sum_add_id(out, cur_next(&cu)->id);
		return;
	}
	prefix(s, hi, out);
	prefix(s, lo, &b);
	sum_sub(out, &b);
}

int
rset_fingerprint(const struct rset *s, size_t from, size_t to,
    uint8_t fp[RECON_FP_LEN])
{
	struct sum sum;

	if (from > to || to > s->count)
		return MENTOR_EINVAL;
	range_sum(s, from, to, &sum);
	fp_make(fp, &sum, to - from);
	return 0;
}

int
rset_at(const struct rset *s, size_t i, uint64_t *ts, uint8_t id[32])
{
	struct cursor cu;
	const struct item *it;

	if (i >= s->count)
		return MENTOR_ENOTFOUND;
	seek(s, i, &cu);
	it = cur_next(&cu);
	*ts = it->ts;
	memcpy(id, it->id, RECON_ID_LEN);
	return 0;
}

size_t
rset_rank(const struct rset *s, uint64_t ts, const uint8_t id[32])
{
	struct item x;

	x.ts = ts;
	memcpy(x.id, id, RECON_ID_LEN);
	return rank_of(s, &x);
}

/*
 * rset_check: walks the tree depth first with an explicit stack, checking
 * each entry against its child, the leaf chain against the walk, the order
 * of the items, and that each item routes back to its own leaf.
 */
int
rset_check(const struct rset *s)
{
	const struct node *stk[MAX_HEIGHT], *nd;
	const struct leaf *lf, *expect = NULL;
	const struct item *last = NULL;
	const void *child;
	struct path pa;
	struct sum sum, tsum;
	size_t cnt, tcnt = 0, nleaf = 0, nnode = 0;
	unsigned at[MAX_HEIGHT], d = 0, i;
	int first = 1;

	memset(&tsum, 0, sizeof(tsum));
	if (s->height == 0) {
		lf = s->root;
		if (lf->next != NULL || lf->n > LEAF_MAX)
			return MENTOR_EINVAL;
		for (i = 0; i < lf->n; i++) {
			if (i > 0 && key_cmp(&lf->it[i - 1], &lf->it[i]) >= 0)
				return MENTOR_EINVAL;
		}
		leaf_total(lf, &cnt, &sum);
		if (cnt != s->count || memcmp(&sum, &s->sum, sizeof(sum)) ||
		    s->nleaf != 1 || s->nnode != 0)
			return MENTOR_EINVAL;
		return 0;
	}
	stk[0] = s->root;
	at[0] = 0;
	nnode = 1;
	nd = s->root;
	if (nd->n < 2)
		return MENTOR_EINVAL;
	for (i = 0; i < nd->n; i++) {
		tcnt += nd->cnt[i];
		sum_add(&tsum, &nd->sum[i]);
	}
	if (tcnt != s->count || memcmp(&tsum, &s->sum, sizeof(tsum)))
		return MENTOR_EINVAL;
	for (;;) {
		nd = stk[d];
		if (nd->n < 1 || nd->n > NODE_MAX)
			return MENTOR_EINVAL;
		if (at[d] == nd->n) {
			if (d == 0)
				break;
			d--;
			continue;
		}
		i = at[d]++;
		child = nd->child[i];
		if (i > 0 && last != NULL && key_cmp(last, &nd->key[i]) >= 0)
			return MENTOR_EINVAL;
		if (d + 1 < s->height) {
			node_total(child, &cnt, &sum);
			if (cnt != nd->cnt[i] ||
			    memcmp(&sum, &nd->sum[i], sizeof(sum)))
				return MENTOR_EINVAL;
			stk[++d] = child;
			at[d] = 0;
			nnode++;
			continue;
		}
		lf = child;
		nleaf++;
		if (lf->n > LEAF_MAX || (!first && lf != expect))
			return MENTOR_EINVAL;
		first = 0;
		expect = lf->next;
		leaf_total(lf, &cnt, &sum);
		if (cnt != nd->cnt[i] || memcmp(&sum, &nd->sum[i], sizeof(sum)))
			return MENTOR_EINVAL;
		for (i = 0; i < lf->n; i++) {
			if (last != NULL && key_cmp(last, &lf->it[i]) >= 0)
				return MENTOR_EINVAL;
			last = &lf->it[i];
			if (descend(s, last, &pa) != lf ||
			    leaf_lower(lf, last) != i)
				return MENTOR_EINVAL;
		}
	}
	if (expect != NULL || nleaf != s->nleaf || nnode != s->nnode)
		return MENTOR_EINVAL;
	return 0;
}

/* ---- output ---- */

struct out {
	uint8_t		*buf;
	size_t		 len, cap, limit;
	uint64_t	 last_ts;	/* of the last finite bound written */
	struct bound	 upto;		/* where the ranges written end */
	size_t		 ranges;	/* non-Skip ranges written */
	int		 err;		/* sticky MENTOR_ENOMEM */
};

struct mark {
	size_t		 len, ranges;
	uint64_t	 last_ts;
	struct bound	 upto;
};

static int
bound_cmp(const struct bound *a, const struct bound *b)
{
	return key_cmp(&a->k, &b->k);
}

static void
bound_inf(struct bound *b)
{
	memset(b, 0, sizeof(*b));
	b->k.ts = UINT64_MAX;
	b->inf = 1;
}

/* bound_between: the shortest bound above a and at or below b (a < b). */
static void
bound_between(struct bound *o, const struct item *a, const struct item *b)
{
	unsigned p;

	memset(o, 0, sizeof(*o));
	o->k.ts = b->ts;
	if (a->ts != b->ts)
		return;
	for (p = 0; p < RECON_ID_LEN - 1 && a->id[p] == b->id[p]; p++)
		;
	o->len = p + 1;
	memcpy(o->k.id, b->id, o->len);
}

static int
out_init(struct out *o, size_t limit)
{
	memset(o, 0, sizeof(*o));
	o->cap = limit < 4096 ? limit : 4096;
	if ((o->buf = malloc(o->cap)) == NULL)
		return MENTOR_ENOMEM;
	o->limit = limit;
	o->buf[o->len++] = RECON_VERSION;
	return 0;
}

static int
out_room(struct out *o, size_t n)
{
	uint8_t *nb;
	size_t cap;

	if (o->err)
		return -1;
	if (n <= o->cap - o->len)
		return 0;
	if (n > SIZE_MAX / 2 - o->len)
		goto fail;
	cap = o->cap * 2;
	if (cap < o->len + n)
		cap = o->len + n;
	if ((nb = realloc(o->buf, cap)) == NULL)
		goto fail;
	o->buf = nb;
	o->cap = cap;
	return 0;
fail:
	o->err = MENTOR_ENOMEM;
	return -1;
}

static void
out_bytes(struct out *o, const void *p, size_t n)
{
	if (out_room(o, n) == 0) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
	}
}

static void
out_varint(struct out *o, uint64_t v)
{
	if (out_room(o, VARINT_MAX) == 0)
		o->len += varint_put(o->buf + o->len, v);
}

static void
out_bound(struct out *o, const struct bound *b)
{
	if (b->inf) {
		out_varint(o, 0);
		out_varint(o, 0);
		return;
	}
	out_varint(o, b->k.ts - o->last_ts + 1);
	o->last_ts = b->k.ts;
	out_varint(o, b->len);
	out_bytes(o, b->k.id, b->len);
}

/* out_range: the bound and mode of a range that ends at hi. */
static void
out_range(struct out *o, const struct bound *hi, int mode)
{
	out_bound(o, hi);
	out_varint(o, (uint64_t)mode);
	o->upto = *hi;
	if (mode != RECON_SKIP)
		o->ranges++;
}

/* out_start: a Skip up to lo, unless the ranges written end there. */
static void
out_start(struct out *o, const struct bound *lo)
{
	if (bound_cmp(&o->upto, lo) < 0)
		out_range(o, lo, RECON_SKIP);
}

static void
out_mark(const struct out *o, struct mark *m)
{
	m->len = o->len;
	m->ranges = o->ranges;
	m->last_ts = o->last_ts;
	m->upto = o->upto;
}

static void
out_reset(struct out *o, const struct mark *m)
{
	o->len = m->len;
	o->ranges = m->ranges;
	o->last_ts = m->last_ts;
	o->upto = m->upto;
}

/* ---- input ---- */

struct dec {
	const uint8_t	*p, *end;
	uint64_t	 last_ts;
	struct bound	 lo;		/* lower bound of the next range */
	int		 initiator;	/* Diff ranges allowed */
};

struct range {
	struct bound	 lo, hi;
	int		 mode;
	const uint8_t	*fp;
	const uint8_t	*ids;
	size_t		 nids;
	const uint8_t	*bits;
	size_t		 nbits;
};

static void
dec_init(struct dec *d, const uint8_t *in, size_t inlen, int initiator)
{
	memset(d, 0, sizeof(*d));
	d->p = in + 1;
	d->end = in + inlen;
	d->initiator = initiator;
}

/* dec_varint: a minimal varint of at most 64 bits, or MENTOR_EPROTO. */
static int
dec_varint(struct dec *d, uint64_t *v)
{
	uint64_t x = 0;
	uint8_t b;

	if (d->p == d->end || *d->p == 0x80)
		return MENTOR_EPROTO;
	do {
		if (d->p == d->end || x > (UINT64_MAX >> 7))
			return MENTOR_EPROTO;
		b = *d->p++;
		x = x << 7 | (b & 0x7f);
	} while (b & 0x80);
	*v = x;
	return 0;
}

/* dec_count: a count of n-byte elements that the bytes left can hold. */
static int
dec_count(struct dec *d, size_t elem, size_t *n)
{
	uint64_t v;

	if (dec_varint(d, &v) != 0 || v > (uint64_t)(d->end - d->p) / elem)
		return MENTOR_EPROTO;
	*n = (size_t)v;
	return 0;
}

/*
 * dec_next: the next range into *rg.  Returns 1, 0 at the end of the
 * message, or MENTOR_EPROTO.  Every length is checked against the bytes
 * left before it is used.
 */
static int
dec_next(struct dec *d, struct range *rg)
{
	struct bound *hi = &rg->hi;
	uint64_t v, len, mode;
	size_t nb;

	if (d->p == d->end)
		return 0;
	memset(rg, 0, sizeof(*rg));
	rg->lo = d->lo;
	if (dec_varint(d, &v) != 0 || dec_varint(d, &len) != 0)
		return MENTOR_EPROTO;
	if (v == 0) {
		if (len != 0)
			return MENTOR_EPROTO;
		bound_inf(hi);
	} else {
		if (v - 1 > UINT64_MAX - 1 - d->last_ts || len > RECON_ID_LEN ||
		    len > (uint64_t)(d->end - d->p))
			return MENTOR_EPROTO;
		hi->k.ts = d->last_ts + (v - 1);
		hi->len = (unsigned)len;
		memcpy(hi->k.id, d->p, hi->len);
		d->p += hi->len;
	}
	if (bound_cmp(hi, &d->lo) <= 0)
		return MENTOR_EPROTO;
	if (!hi->inf)
		d->last_ts = hi->k.ts;
	if (dec_varint(d, &mode) != 0)
		return MENTOR_EPROTO;
	switch (mode) {
	case RECON_SKIP:
		break;
	case RECON_FINGERPRINT:
		if ((size_t)(d->end - d->p) < RECON_FP_LEN)
			return MENTOR_EPROTO;
		rg->fp = d->p;
		d->p += RECON_FP_LEN;
		break;
	case RECON_DIFF:
	case RECON_IDLIST:
		if (mode == RECON_DIFF && !d->initiator)
			return MENTOR_EPROTO;
		if (dec_count(d, RECON_ID_LEN, &rg->nids) != 0)
			return MENTOR_EPROTO;
		rg->ids = d->p;
		d->p += rg->nids * RECON_ID_LEN;
		if (mode == RECON_IDLIST)
			break;
		if (dec_varint(d, &v) != 0)
			return MENTOR_EPROTO;
		nb = (size_t)(d->end - d->p);
		if (v / 8 + (v % 8 != 0) > nb)
			return MENTOR_EPROTO;
		rg->nbits = (size_t)v;
		nb = rg->nbits / 8 + (rg->nbits % 8 != 0);
		if (rg->nbits % 8 != 0 && d->p[nb - 1] >> (rg->nbits % 8))
			return MENTOR_EPROTO;
		rg->bits = d->p;
		d->p += nb;
		break;
	default:
		return MENTOR_EPROTO;
	}
	rg->mode = (int)mode;
	d->lo = *hi;
	return 1;
}

/* ---- the algorithm ---- */

struct ctx {
	const struct rset *set;
	struct recon	*r;		/* NULL on the responder */
	struct out	 o;
	int		 cut;		/* the frame rule ended the message */
};

static int
ids_push(struct ids *v, const uint8_t *id)
{
	uint8_t (*nv)[RECON_ID_LEN];
	size_t cap;

	if (v->n == v->cap) {
		cap = v->cap ? 2 * v->cap : 64;
		if (cap > SIZE_MAX / RECON_ID_LEN)
			return MENTOR_ENOMEM;
		if ((nv = realloc(v->v, cap * RECON_ID_LEN)) == NULL)
			return MENTOR_ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	memcpy(v->v[v->n++], id, RECON_ID_LEN);
	return 0;
}

static int
ids_cmp(const void *a, const void *b)
{
	return memcmp(a, b, RECON_ID_LEN);
}

struct ref {
	const uint8_t	*id;
	size_t		 i;
};

static int
ref_cmp(const void *a, const void *b)
{
	return memcmp(((const struct ref *)a)->id,
	    ((const struct ref *)b)->id, RECON_ID_LEN);
}

/*
 * match: for the nids ids at ids (a peer's list for a range) and our items
 * of rank lo..hi-1: sets seen[i] when we hold the i-th id, and appends to
 * mine the ids we hold that the list lacks.  O((nids + hi - lo) log nids).
 */
static int
match(const struct rset *s, size_t lo, size_t hi, const uint8_t *ids,
    size_t nids, uint8_t *seen, struct ids *mine)
{
	struct ref *refs = NULL, key, *f;
	const struct item *it;
	struct cursor cu;
	size_t i;
	int e = 0;

	if (nids > 0) {
		if ((refs = calloc(nids, sizeof(*refs))) == NULL)
			return MENTOR_ENOMEM;
		for (i = 0; i < nids; i++) {
			refs[i].id = ids + i * RECON_ID_LEN;
			refs[i].i = i;
		}
		qsort(refs, nids, sizeof(*refs), ref_cmp);
	}
	seek(s, lo, &cu);
	for (i = lo; i < hi; i++) {
		it = cur_next(&cu);
		key.id = it->id;
		f = nids > 0 ? bsearch(&key, refs, nids, sizeof(*refs),
		    ref_cmp) : NULL;
		if (f != NULL)
			seen[f->i] = 1;
		else if ((e = ids_push(mine, it->id)) != 0)
			break;
	}
	free(refs);
	return e;
}

static void
put_fp(struct out *o, const struct bound *hi, const struct sum *sum,
    size_t n)
{
	uint8_t fp[RECON_FP_LEN];

	fp_make(fp, sum, n);
	out_range(o, hi, RECON_FINGERPRINT);
	out_bytes(o, fp, sizeof(fp));
}

static void
put_idlist(struct ctx *c, size_t lo, size_t hi, const struct bound *upper)
{
	const struct item *it;
	struct cursor cu;
	size_t i;

	out_range(&c->o, upper, RECON_IDLIST);
	out_varint(&c->o, hi - lo);
	seek(c->set, lo, &cu);
	for (i = lo; i < hi; i++) {
		it = cur_next(&cu);
		out_bytes(&c->o, it->id, RECON_ID_LEN);
	}
}

/*
 * put_split: the m = hi - lo >= 2 items of a range as min(m, RECON_BRANCH)
 * Fingerprint subranges of nearly equal counts (the first m % B one item
 * larger), each ending at the shortest bound after its last item; the last
 * one ends at upper.
 */
static void
put_split(struct ctx *c, size_t lo, size_t hi, const struct bound *upper)
{
	const struct rset *s = c->set;
	const struct item *a = NULL, *b;
	struct cursor cu;
	struct bound bd;
	struct sum sum, prev, pe;
	size_t m = hi - lo, nb, base, extra, k, t, at = lo;
	size_t bi;

	if (m < 2) {			/* nothing to split: list it */
		put_idlist(c, lo, hi, upper);
		return;
	}
	nb = m < RECON_BRANCH ? m : RECON_BRANCH;
	base = m / nb;
	extra = m % nb;
	if (m <= SCAN_MAX) {
		seek(s, lo, &cu);
		for (bi = 0; bi < nb; bi++) {
			k = base + (bi < extra);
			memset(&sum, 0, sizeof(sum));
			for (t = 0; t < k; t++) {
				a = cur_next(&cu);
				sum_add_id(&sum, a->id);
			}
			if (bi + 1 < nb) {
				b = cur_peek(&cu);
				bound_between(&bd, a, b);
				put_fp(&c->o, &bd, &sum, k);
			} else
				put_fp(&c->o, upper, &sum, k);
		}
		return;
	}
	prefix(s, lo, &prev);
	for (bi = 0; bi < nb; bi++) {
		k = base + (bi < extra);
		prefix(s, at + k, &pe);
		sum = pe;
		sum_sub(&sum, &prev);
		if (bi + 1 < nb) {
			seek(s, at + k - 1, &cu);
			a = cur_next(&cu);
			b = cur_next(&cu);
			bound_between(&bd, a, b);
			put_fp(&c->o, &bd, &sum, k);
		} else
			put_fp(&c->o, upper, &sum, k);
		prev = pe;
		at += k;
	}
}

/* fp_matches: our fingerprint of ranks lo..hi-1 is fp. */
static int
fp_matches(const struct rset *s, size_t lo, size_t hi, const uint8_t *fp)
{
	uint8_t own[RECON_FP_LEN];
	struct sum sum;

	range_sum(s, lo, hi, &sum);
	fp_make(own, &sum, hi - lo);
	return memcmp(own, fp, RECON_FP_LEN) == 0;
}

/*
 * fit: the frame rule (SPEC.md 11.7).  When what was written since m leaves
 * less than REST_MAX bytes of the frame, it is taken back and the reply
 * goes on deferring (see reply()).
 */
static void
fit(struct ctx *c, const struct mark *m)
{
	if (c->o.len <= c->o.limit - REST_MAX)
		return;
	out_reset(&c->o, m);
	c->cut = 1;
}

/*
 * on_idlist_responder: the initiator listed its nids ids of the range; we
 * answer with a Diff, or split the range when the Diff could not fit in a
 * message of its own (the initiator then lists smaller ranges).
 */
static int
on_idlist_responder(struct ctx *c, const struct range *rg, size_t lo,
    size_t hi)
{
	struct ids mine = { NULL, 0, 0 };
	struct mark mk;
	uint8_t *seen = NULL, byte;
	size_t m = hi - lo, room, need, i, j;
	int e = 0;

	room = c->o.limit - 1 - REST_MAX;
	need = 2 * (BOUND_MAX + 1) + 2 * VARINT_MAX + rg->nids / 8 + 1;
	if (m > rg->nids && (m - rg->nids) > room / RECON_ID_LEN)
		goto split;
	if (rg->nids > 0 && (seen = calloc(rg->nids, 1)) == NULL)
		return MENTOR_ENOMEM;
	if ((e = match(c->set, lo, hi, rg->ids, rg->nids, seen, &mine)) != 0)
		goto done;
	if ((need > room || mine.n > (room - need) / RECON_ID_LEN) && m >= 2)
		goto split;
	out_mark(&c->o, &mk);
	out_start(&c->o, &rg->lo);
	out_range(&c->o, &rg->hi, RECON_DIFF);
	out_varint(&c->o, mine.n);
	if (mine.n > 0)
		out_bytes(&c->o, mine.v, mine.n * RECON_ID_LEN);
	out_varint(&c->o, rg->nids);
	/* Bit i (LSB first) set: we lack the initiator's i-th id. */
	for (i = 0; i < rg->nids; i += 8) {
		byte = 0;
		for (j = i; j < i + 8 && j < rg->nids; j++) {
			if (!seen[j])
				byte |= (uint8_t)(1u << (j - i));
		}
		out_bytes(&c->o, &byte, 1);
	}
	fit(c, &mk);
	goto done;
split:
	out_mark(&c->o, &mk);
	out_start(&c->o, &rg->lo);
	put_split(c, lo, hi, &rg->hi);
	fit(c, &mk);
done:
	free(seen);
	free(mine.v);
	return e;
}

/* on_idlist_initiator: the responder listed its ids of the range. */
static int
on_idlist_initiator(struct ctx *c, const struct range *rg, size_t lo,
    size_t hi)
{
	uint8_t *seen = NULL;
	size_t i;
	int e;

	if (rg->nids > 0 && (seen = calloc(rg->nids, 1)) == NULL)
		return MENTOR_ENOMEM;
	e = match(c->set, lo, hi, rg->ids, rg->nids, seen, &c->r->have);
	for (i = 0; e == 0 && i < rg->nids; i++) {
		if (!seen[i])
			e = ids_push(&c->r->need, rg->ids + i * RECON_ID_LEN);
	}
	free(seen);
	return e;
}

/* on_diff: the responder's answer to our list of the range. */
static int
on_diff(struct ctx *c, const struct range *rg, size_t lo, size_t hi)
{
	const struct item *it;
	struct cursor cu;
	size_t i;
	int e;

	if (rg->nbits != hi - lo)
		return MENTOR_EPROTO;
	seek(c->set, lo, &cu);
	for (i = 0; i < rg->nbits; i++) {
		it = cur_next(&cu);
		if (rg->bits[i / 8] >> (i % 8) & 1 &&
		    (e = ids_push(&c->r->have, it->id)) != 0)
			return e;
	}
	for (i = 0; i < rg->nids; i++) {
		if ((e = ids_push(&c->r->need, rg->ids + i * RECON_ID_LEN)))
			return e;
	}
	return 0;
}

static int
on_fingerprint(struct ctx *c, const struct range *rg, size_t lo, size_t hi)
{
	struct mark mk;

	if (fp_matches(c->set, lo, hi, rg->fp))
		return 0;
	out_mark(&c->o, &mk);
	out_start(&c->o, &rg->lo);
	if (hi - lo <= RECON_IDLIST_MAX)
		put_idlist(c, lo, hi, &rg->hi);
	else
		put_split(c, lo, hi, &rg->hi);
	fit(c, &mk);
	return 0;
}

/*
 * defer: one Fingerprint of our items of ranks lo..hi-1 for the input
 * ranges from blo to bhi that were not answered.  When even that does not
 * fit, a Fingerprint from blo to the infinite bound ends the reply instead
 * (REST_MAX bytes were kept for it) and 1 is returned.
 */
static int
defer(struct ctx *c, const struct bound *blo, size_t lo,
    const struct bound *bhi, size_t hi)
{
	struct mark mk;
	struct bound inf;
	struct sum sum;

	out_mark(&c->o, &mk);
	out_start(&c->o, blo);
	range_sum(c->set, lo, hi, &sum);
	put_fp(&c->o, bhi, &sum, hi - lo);
	if (c->o.len <= c->o.limit - REST_MAX)
		return 0;
	out_reset(&c->o, &mk);
	out_start(&c->o, blo);
	bound_inf(&inf);
	range_sum(c->set, lo, c->set->count, &sum);
	put_fp(&c->o, &inf, &sum, c->set->count - lo);
	return 1;
}

/*
 * reply: both sides' answer to a message.  The whole message is checked
 * first, so that a bad one is refused before anything is done.  Then each
 * range is answered in order until an answer does not fit the frame; from
 * there on the reply defers: it keeps the input's Skips (and ranges whose
 * fingerprints match) as Skips, so that what the initiator has settled
 * stays settled, and covers each run of other ranges with one Fingerprint,
 * which the other side will split again.
 */
static int
reply(struct ctx *c, const uint8_t *in, size_t inlen)
{
	struct dec d;
	struct range rg;
	struct bound run_lo, last;
	size_t lo = 0, hi, run_rank = 0;
	int e, run = 0;

	if (inlen > c->o.limit)
		return MENTOR_ETOOBIG;
	if (inlen == 0)
		return MENTOR_EPROTO;
	if (in[0] != RECON_VERSION)
		return MENTOR_EVERSION;
	dec_init(&d, in, inlen, c->r != NULL);
	while ((e = dec_next(&d, &rg)) > 0)
		;
	if (e < 0)
		return e;
	dec_init(&d, in, inlen, c->r != NULL);
	while (dec_next(&d, &rg) > 0) {
		hi = rank_of(c->set, &rg.hi.k);
		last = rg.hi;
		if (c->cut) {
			if (rg.mode == RECON_SKIP ||
			    (rg.mode == RECON_FINGERPRINT &&
			    fp_matches(c->set, lo, hi, rg.fp))) {
				if (run && defer(c, &run_lo, run_rank, &rg.lo,
				    lo))
					return c->o.err;
				run = 0;
			} else if (!run) {
				run = 1;
				run_lo = rg.lo;
				run_rank = lo;
			}
			lo = hi;
			continue;
		}
		switch (rg.mode) {
		case RECON_FINGERPRINT:
			e = on_fingerprint(c, &rg, lo, hi);
			break;
		case RECON_IDLIST:
			if (c->r == NULL)
				e = on_idlist_responder(c, &rg, lo, hi);
			else
				e = on_idlist_initiator(c, &rg, lo, hi);
			break;
		case RECON_DIFF:
			e = on_diff(c, &rg, lo, hi);
			break;
		default:
			break;
		}
		if (e != 0)
			return e;
		if (c->o.err)
			return c->o.err;
		if (c->cut) {
			run = 1;
			run_lo = rg.lo;
			run_rank = lo;
		}
		lo = hi;
	}
	if (run)
		(void)defer(c, &run_lo, run_rank, &last, lo);
	return c->o.err;
}

/*
 * ids_settle: sorts v by id and drops repeats.  An honest exchange has
 * none unless the frame rule fell back to a Fingerprint to infinity
 * (SPEC.md 11.7), which may have a range listed twice.
 */
static void
ids_settle(struct ids *v)
{
	size_t i, k;

	if (v->n < 2)
		return;
	qsort(v->v, v->n, RECON_ID_LEN, ids_cmp);
	for (i = 1, k = 1; i < v->n; i++) {
		if (memcmp(v->v[i], v->v[k - 1], RECON_ID_LEN) != 0)
			memmove(v->v[k++], v->v[i], RECON_ID_LEN);
	}
	v->n = k;
}

static size_t
frame_limit(size_t limit)
{
	return limit == 0 ? RECON_FRAME_DEFAULT : limit;
}

int
recon_respond(const struct rset *set, size_t limit, const uint8_t *in,
    size_t inlen, uint8_t **out, size_t *outlen)
{
	struct ctx c;
	int e;

	*out = NULL;
	*outlen = 0;
	limit = frame_limit(limit);
	if (limit < RECON_FRAME_MIN)
		return MENTOR_EINVAL;
	memset(&c, 0, sizeof(c));
	c.set = set;
	if (inlen > limit)
		return MENTOR_ETOOBIG;
	if ((e = out_init(&c.o, limit)) != 0)
		return e;
	if ((e = reply(&c, in, inlen)) != 0) {
		free(c.o.buf);
		return e;
	}
	*out = c.o.buf;
	*outlen = c.o.len;
	return 0;
}

int
recon_new(struct recon **rp, const struct rset *set, size_t limit)
{
	struct recon *r;

	*rp = NULL;
	limit = frame_limit(limit);
	if (limit < RECON_FRAME_MIN)
		return MENTOR_EINVAL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MENTOR_ENOMEM;
	r->set = set;
	r->limit = limit;
	*rp = r;
	return 0;
}

void
recon_free(struct recon *r)
{
	if (r == NULL)
		return;
	free(r->have.v);
	free(r->need.v);
	free(r);
}

int
recon_initiate(struct recon *r, uint8_t **out, size_t *outlen)
{
	struct out o;
	struct bound inf;
	int e;

	*out = NULL;
	*outlen = 0;
	if (r->state != 0)
		return MENTOR_EINVAL;
	if ((e = out_init(&o, r->limit)) != 0)
		return e;
	bound_inf(&inf);
	put_fp(&o, &inf, &r->set->sum, r->set->count);
	if (o.err) {
		free(o.buf);
		return o.err;
	}
	r->state = 1;
	r->sent += o.len;
	*out = o.buf;
	*outlen = o.len;
	return 0;
}

int
recon_step(struct recon *r, const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen)
{
	struct ctx c;
	size_t nhave = r->have.n, nneed = r->need.n;
	int e;

	*out = NULL;
	*outlen = 0;
	if (r->state != 1)
		return MENTOR_EINVAL;
	memset(&c, 0, sizeof(c));
	c.set = r->set;
	c.r = r;
	if (inlen > r->limit)
		return MENTOR_ETOOBIG;
	if ((e = out_init(&c.o, r->limit)) != 0)
		return e;
	if ((e = reply(&c, in, inlen)) != 0) {
		free(c.o.buf);
		r->have.n = nhave;
		r->need.n = nneed;
		return e;
	}
	r->rounds++;
	r->received += inlen;
	if (c.o.ranges == 0) {
		free(c.o.buf);
		ids_settle(&r->have);
		ids_settle(&r->need);
		r->state = 2;
		return 0;
	}
	r->sent += c.o.len;
	*out = c.o.buf;
	*outlen = c.o.len;
	return 0;
}

int
recon_done(const struct recon *r)
{
	return r->state == 2;
}

size_t
recon_have(const struct recon *r, const uint8_t (**ids)[32])
{
	*ids = (const uint8_t (*)[32])r->have.v;
	return r->have.n;
}

size_t
recon_need(const struct recon *r, const uint8_t (**ids)[32])
{
	*ids = (const uint8_t (*)[32])r->need.v;
	return r->need.n;
}

void
recon_stats(const struct recon *r, unsigned *rounds, size_t *sent,
    size_t *received)
{
	if (rounds != NULL)
		*rounds = r->rounds;
	if (sent != NULL)
		*sent = r->sent;
	if (received != NULL)
		*received = r->received;
}
