/*
 * match.c: the listing index and the ranking of one student (match.h).
 *
 * Layout.  A listing lives in a slot.  What the filters and the cheap
 * bounds read sits in one 64-byte struct hot per slot; competencies,
 * occupations and list positions sit in a shared uint32_t pool; the
 * address and title in struct cold.  Competency ids, occupation codes and
 * cluster codes are interned, so ranking touches only integers and
 * per-student tables indexed by those ids.  Every listing is in a
 * posting list per occupation and per cluster bit (its own clusters and
 * their crosswalk pairs), and in one spatial list: the virtual listings,
 * or a 0.25-degree grid cell.  List entries (struct post) repeat the
 * modality, grid cell, start date and a summary of the requirements.
 *
 * Ranking visits listings in tiers of decreasing upper bound and stops as
 * soon as a tier cannot reach the k-th best score found so far:
 *   1. listings sharing an occupation with positive closeness to a goal,
 *      by closeness 15, 12, 9, 6, 3 (bound 70 + min(30, 15 + closeness));
 *   2. listings in a matching cluster (bound 85);
 *   3. every other listing that could pass the filters: the virtual ones
 *      and those in grid cells near the student (bound 70).
 * A list entry is passed over, without touching the listing, when its
 * modality or cell rules it out, or when its bound (lower if it surely
 * lacks a requirement) is below the k-th best score, or equal to it with
 * the k-th best at distance 0 and starting earlier (a tie it would lose).
 * A visited listing gets the filters, then its exact career and logistics
 * terms, and its competency terms only if it can still enter the top.
 * Nothing is dropped that a full scan would have returned, so the result
 * is the full scan's (tests/unit/test_match.c checks it against one).
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "frameworks.h"
#include "jscan.h"
#include "match.h"

#define EARTH_R		6371.0
#define RAD		(3.14159265358979323846 / 180.0)
#define DEG		(180.0 / 3.14159265358979323846)
#define NONE_DAY	INT32_MAX
#define AGE_MAX		LISTING_MIN_AGE_MAX
#define CL_MAX		32		/* cluster bits of the index */
#define SLOTS_MAX	(UINT32_C(1) << 31)
#define IDS_MAX		(UINT32_C(1) << 28)	/* interned ids: 3 bits for a level */
#define BBOX_MARGIN	0.01		/* degrees, against rounding */

/* Grid of located listings: cells of CELL_DEG degrees; cell 0 = virtual. */
#define CELL_DEG	0.25
#define NLAT		720
#define NLON		1440

/* hot.flags */
#define M_IN_PERSON	0x01
#define M_VIRTUAL	0x02
#define M_HYBRID	0x04
#define M_LOCATED	(M_IN_PERSON | M_HYBRID)
#define F_FULL		0x10	/* marked by mi_set_full */
#define F_BODY_FULL	0x20	/* the body says "full": true */
#define F_ANY_FULL	(F_FULL | F_BODY_FULL)

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Per slot, one cache line.  A free slot has no modality bit, so every
 * student's modality test refuses it.
 */
struct hot {
	int64_t		expires_ms;
	double		lat, lon;	/* degrees; 0 when virtual */
	double		coslat;		/* cos(lat * RAD) */
	uint64_t	rbloom;		/* bit id & 63 of each requirement > 0 */
	uint32_t	cmask;		/* own clusters and their crosswalk pairs */
	int32_t		start;		/* days, NONE_DAY when absent */
	int32_t		end;		/* days, NONE_DAY when absent */
	uint32_t	pool;		/* offset of this slot's pool items */
	uint8_t		nocc, nreq, ndev;
	uint8_t		min_age;
	uint8_t		flags;		/* M_*, F_FULL, F_BODY_FULL */
	uint8_t		gmax;		/* growth if the student knew nothing */
	uint8_t		ncl;		/* popcount(cmask) */
	uint8_t		pad;
};

/*
 * Pool items of a slot, from hot.pool:
 *   occupation ids [nocc], requires [nreq], develops [ndev] (id << 3 |
 *   level), then list positions: in occ_post of each occupation [nocc],
 *   in cl_post of each bit of cmask, lowest first [ncl].
 */
#define POOL_N(h)	(2u * (h)->nocc + (h)->nreq + (h)->ndev + (h)->ncl)

_Static_assert(sizeof(struct hot) == 64, "struct hot is one cache line");

struct cold {
	uint8_t		addr[MATCH_ADDR_LEN];
	char		*title;
	uint32_t	own;		/* own cluster bits */
	uint32_t	cell;		/* spatial list */
	uint32_t	spos;		/* position in it */
};

/*
 * A list entry: the slot with its modality, grid cell, start date and a
 * summary of its requirements, so that listings of the wrong modality,
 * far away, surely lacking readiness or unable to win a tie are passed
 * over without reading their struct hot.
 */
struct post {
	uint32_t	slot;
	int32_t		start;		/* as hot.start */
	uint32_t	rbloom;		/* hot.rbloom, folded: bit id & 31 */
	uint16_t	mod_row;	/* modality << 12 | grid row */
	uint16_t	nreq_col;	/* min(nreq, 7) << 13 | grid column */
};

#define FOLD(b)		((uint32_t)(b) | (uint32_t)((b) >> 32))

struct pvec {
	struct post	*v;
	uint32_t	n, cap;
};

/* Interned strings: id <-> string. */
struct strtab {
	char		**s;
	uint32_t	n, cap;
	uint32_t	*ht;		/* id + 1, 0 empty */
	uint32_t	htcap;		/* power of two */
	size_t		bytes;
};

struct match_index {
	const struct frameworks *fw;

	struct hot	*hot;		/* 64-byte aligned */
	struct cold	*cold;
	uint32_t	nslots, cap;
	uint32_t	*freel;		/* free slots; capacity cap */
	uint32_t	nfree;
	size_t		live;

	uint32_t	*pool;
	size_t		pool_n, pool_cap, pool_dead;

	struct strtab	comp, occ;
	struct pvec	*occ_post;	/* per occupation id */
	uint32_t	occ_post_cap;

	int		ncl;
	char		*cl_code[CL_MAX];
	uint32_t	cl_mask[CL_MAX];
	struct pvec	cl_post[CL_MAX];

	struct pvec	*cells;		/* cell 0: virtual listings */
	uint32_t	*cell_key;
	uint32_t	ncells, cells_cap;
	uint32_t	*cmap;		/* cell key -> cell + 1 */
	uint32_t	cmap_cap;

	uint32_t	*amap;		/* address -> slot + 1 */
	uint32_t	amap_cap;

	size_t		title_bytes;
	char		*scratch;	/* mi_put's copy of a body */
	size_t		scratch_cap;
};

struct match_student {
	int32_t		today;
	uint8_t		modmask;
	uint8_t		chosen;		/* modalities the student chose */
	int		has_loc;
	double		lat, lon, coslat;
	double		maxd;
	double		dlat, dlon;	/* bounding box half-sides, degrees */
	int		lon_all;	/* no longitude limit */
	uint32_t	smask;		/* goal cluster bits */
	uint64_t	hasbloom;	/* bit id & 63 of each level > 0 */
	uint32_t	hasfold;	/* FOLD(hasbloom) */
	int		a0, a1;		/* grid rows of the box */
	int		o0, ospan;	/* its columns: o0 (0..NLON-1) + ospan */
	int32_t		turn[AGE_MAX + 1];	/* day of each birthday */
	uint8_t		*lvl;		/* per competency id */
	uint32_t	ncomp;
	uint8_t		*occpts;	/* closeness per occupation id */
	uint32_t	nocc;
	uint32_t	*occ_by_pts;	/* ids with pts > 0, by pts descending */
	uint32_t	npts[5];	/* how many of pts 15, 12, 9, 6, 3 */
	char		(*goal_occ)[11];
	size_t		ngoal_occ;
	char		**goal_cl;
	uint32_t	*goal_cl_bit;
	size_t		ngoal_cl;
};

static int	pool_reserve(struct match_index *, size_t);

/* Small helpers. */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t
str_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return mix64(h);
}

static uint64_t
addr_hash(const uint8_t *a)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return mix64(x ^ mix64(y));
}

static int
popcount32(uint32_t x)
{
	int n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

/* lowbit: the index of the lowest set bit of x != 0. */
static int
lowbit(uint32_t x)
{
	int b = 0;

	while (!(x & 1)) {
		x >>= 1;
		b++;
	}
	return b;
}

static int
pvec_reserve(struct pvec *v)
{
	uint32_t ncap;
	struct post *nv;

	if (v->n < v->cap)
		return 0;
	if (v->cap >= UINT32_MAX / 4)
		return MENTOR_ETOOBIG;
	ncap = v->cap == 0 ? 4 : v->cap * 2;
	if ((nv = realloc(v->v, (size_t)ncap * sizeof(*nv))) == NULL)
		return MENTOR_ENOMEM;
	v->v = nv;
	v->cap = ncap;
	return 0;
}

/* Interning. */

static int
strtab_find(const struct strtab *t, const char *s)
{
	uint32_t i, m;

	if (t->htcap == 0)
		return -1;
	m = t->htcap - 1;
	for (i = (uint32_t)str_hash(s) & m; t->ht[i] != 0; i = (i + 1) & m)
		if (strcmp(t->s[t->ht[i] - 1], s) == 0)
			return (int)(t->ht[i] - 1);
	return -1;
}

static int
strtab_grow(struct strtab *t)
{
	uint32_t ncap, i, j, m, *nht;
	char **ns;

	if (t->n == t->cap) {
		ncap = t->cap == 0 ? 64 : t->cap * 2;
		if ((ns = realloc(t->s, (size_t)ncap * sizeof(*ns))) == NULL)
			return MENTOR_ENOMEM;
		t->s = ns;
		t->cap = ncap;
	}
	if ((uint64_t)(t->n + 1) * 2 > t->htcap) {
		ncap = t->htcap == 0 ? 128 : t->htcap * 2;
		if ((nht = calloc(ncap, sizeof(*nht))) == NULL)
			return MENTOR_ENOMEM;
		m = ncap - 1;
		for (i = 0; i < t->n; i++) {
			for (j = (uint32_t)str_hash(t->s[i]) & m; nht[j] != 0;
			    j = (j + 1) & m)
				;
			nht[j] = i + 1;
		}
		free(t->ht);
		t->ht = nht;
		t->htcap = ncap;
	}
	return 0;
}

/* strtab_intern: the id of s, adding it when new.  Negative on error. */
static int64_t
strtab_intern(struct strtab *t, const char *s)
{
	uint32_t i, m;
	size_t len;
	char *c;
	int rc;

	if ((rc = strtab_find(t, s)) >= 0)
		return rc;
	if (t->n >= IDS_MAX)
		return MENTOR_ETOOBIG;
	if ((rc = strtab_grow(t)) != 0)
		return rc;
	len = strlen(s);
	if ((c = malloc(len + 1)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(c, s, len + 1);
	m = t->htcap - 1;
	for (i = (uint32_t)str_hash(s) & m; t->ht[i] != 0; i = (i + 1) & m)
		;
	t->ht[i] = t->n + 1;
	t->s[t->n] = c;
	t->bytes += len + 1;
	return t->n++;
}

static void
strtab_free(struct strtab *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->ht);
}

/* cluster_bit: the index bit of a cluster code, -1 when not interned. */
static int
cluster_bit(const struct match_index *mi, const char *code)
{
	int i;

	for (i = 0; i < mi->ncl; i++)
		if (strcmp(mi->cl_code[i], code) == 0)
			return i;
	return -1;
}

/*
 * cluster_intern: the bit of code, adding it (matching itself only) when
 * new; -1 when all CL_MAX bits are taken, so that code matches nothing.
 * The frameworks' clusters were interned first, by mi_new.
 */
static int
cluster_intern(struct match_index *mi, const char *code)
{
	int b;

	if ((b = cluster_bit(mi, code)) >= 0)
		return b;
	if (mi->ncl == CL_MAX)
		return -1;
	if ((mi->cl_code[mi->ncl] = strdup(code)) == NULL)
		return MENTOR_ENOMEM;
	mi->cl_mask[mi->ncl] = UINT32_C(1) << mi->ncl;
	return mi->ncl++;
}

/* Addresses. */

static int64_t
addr_find(const struct match_index *mi, const uint8_t *addr)
{
	uint32_t i, m;

	if (mi->amap_cap == 0)
		return -1;
	m = mi->amap_cap - 1;
	for (i = (uint32_t)addr_hash(addr) & m; mi->amap[i] != 0;
	    i = (i + 1) & m)
		if (memcmp(mi->cold[mi->amap[i] - 1].addr, addr,
		    MATCH_ADDR_LEN) == 0)
			return mi->amap[i] - 1;
	return -1;
}

static void
amap_insert(struct match_index *mi, uint32_t slot)
{
	uint32_t i, m = mi->amap_cap - 1;

	for (i = (uint32_t)addr_hash(mi->cold[slot].addr) & m;
	    mi->amap[i] != 0; i = (i + 1) & m)
		;
	mi->amap[i] = slot + 1;
}

/* amap_reserve: room for one more address at load <= 1/2. */
static int
amap_reserve(struct match_index *mi)
{
	uint32_t ncap, *old = mi->amap, oldcap = mi->amap_cap, i;

	if ((uint64_t)(mi->live + 1) * 2 <= mi->amap_cap)
		return 0;
	ncap = mi->amap_cap == 0 ? 1024 : mi->amap_cap * 2;
	if ((mi->amap = calloc(ncap, sizeof(*mi->amap))) == NULL) {
		mi->amap = old;
		return MENTOR_ENOMEM;
	}
	mi->amap_cap = ncap;
	for (i = 0; i < oldcap; i++)
		if (old[i] != 0)
			amap_insert(mi, old[i] - 1);
	free(old);
	return 0;
}

/* amap_remove: linear-probing deletion by backward shift. */
static void
amap_remove(struct match_index *mi, uint32_t slot)
{
	uint32_t i, j, k, m = mi->amap_cap - 1;

	for (i = (uint32_t)addr_hash(mi->cold[slot].addr) & m;
	    mi->amap[i] != slot + 1; i = (i + 1) & m)
		;
	for (j = i;;) {
		mi->amap[i] = 0;
		for (;;) {
			j = (j + 1) & m;
			if (mi->amap[j] == 0)
				return;
			k = (uint32_t)addr_hash(mi->cold[mi->amap[j] - 1].addr)
			    & m;
			/* Move j back to i unless its home k lies in (i, j]. */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		mi->amap[i] = mi->amap[j];
		i = j;
	}
}

/* The grid. */

/* cell_of: the grid row and column of a point. */
static void
cell_of(double lat, double lon, int *row, int *col)
{
	int a = (int)floor((lat + 90.0) / CELL_DEG);
	int o = (int)floor((lon + 180.0) / CELL_DEG);

	*row = a < 0 ? 0 : a >= NLAT ? NLAT - 1 : a;
	*col = o < 0 ? 0 : o >= NLON ? NLON - 1 : o;
}

static uint32_t
cell_key(double lat, double lon)
{
	int a, o;

	cell_of(lat, lon, &a, &o);
	return (uint32_t)a * NLON + (uint32_t)o + 1;
}

static int64_t
cell_find(const struct match_index *mi, uint32_t key)
{
	uint32_t i, m;

	if (key == 0)
		return 0;
	if (mi->cmap_cap == 0)
		return -1;
	m = mi->cmap_cap - 1;
	for (i = (uint32_t)mix64(key) & m; mi->cmap[i] != 0; i = (i + 1) & m)
		if (mi->cell_key[mi->cmap[i] - 1] == key)
			return mi->cmap[i] - 1;
	return -1;
}

/* cell_get: the spatial list for key, created empty when new. */
static int64_t
cell_get(struct match_index *mi, uint32_t key)
{
	uint32_t ncap, i, m, *nk, *nmap;
	struct pvec *nc;
	int64_t c;

	if ((c = cell_find(mi, key)) >= 0)
		return c;
	if (mi->ncells == mi->cells_cap) {
		ncap = mi->cells_cap * 2;
		if ((nc = realloc(mi->cells, ncap * sizeof(*nc))) == NULL)
			return MENTOR_ENOMEM;
		mi->cells = nc;
		if ((nk = realloc(mi->cell_key, ncap * sizeof(*nk))) == NULL)
			return MENTOR_ENOMEM;
		mi->cell_key = nk;
		mi->cells_cap = ncap;
	}
	if ((uint64_t)mi->ncells * 2 >= mi->cmap_cap) {
		ncap = mi->cmap_cap == 0 ? 256 : mi->cmap_cap * 2;
		if ((nmap = calloc(ncap, sizeof(*nmap))) == NULL)
			return MENTOR_ENOMEM;
		m = ncap - 1;
		for (c = 1; c < mi->ncells; c++) {
			for (i = (uint32_t)mix64(mi->cell_key[c]) & m;
			    nmap[i] != 0; i = (i + 1) & m)
				;
			nmap[i] = (uint32_t)c + 1;
		}
		free(mi->cmap);
		mi->cmap = nmap;
		mi->cmap_cap = ncap;
	}
	m = mi->cmap_cap - 1;
	for (i = (uint32_t)mix64(key) & m; mi->cmap[i] != 0; i = (i + 1) & m)
		;
	c = mi->ncells++;
	mi->cmap[i] = (uint32_t)c + 1;
	mi->cell_key[c] = key;
	memset(&mi->cells[c], 0, sizeof(mi->cells[c]));
	return c;
}

/* Index. */

struct match_index *
mi_new(const struct frameworks *fw)
{
	struct match_index *mi;
	const char *code;
	int i, n;
	uint32_t m;

	if ((mi = calloc(1, sizeof(*mi))) == NULL)
		return NULL;
	mi->fw = fw;
	mi->cells_cap = 16;
	if ((mi->cells = calloc(mi->cells_cap, sizeof(*mi->cells))) == NULL ||
	    (mi->cell_key = calloc(mi->cells_cap,
	    sizeof(*mi->cell_key))) == NULL)
		goto fail;
	mi->ncells = 1;		/* the virtual listings */
	if (pool_reserve(mi, 1) != 0)
		goto fail;
	/* The frameworks' clusters keep their indices as index bits. */
	n = fw_cluster_count(fw);
	for (i = 0; i < n && i < CL_MAX; i++) {
		code = fw_cluster_code(fw, i);
		if ((mi->cl_code[i] = strdup(code)) == NULL)
			goto fail;
		mi->ncl++;
	}
	for (i = 0; i < mi->ncl; i++) {
		m = fw_cluster_mask(fw, mi->cl_code[i]);
		mi->cl_mask[i] = m | UINT32_C(1) << i;
	}
	return mi;
fail:
	mi_free(mi);
	return NULL;
}

void
mi_free(struct match_index *mi)
{
	uint32_t i;
	int c;

	if (mi == NULL)
		return;
	for (i = 0; i < mi->nslots; i++)
		free(mi->cold[i].title);
	free(mi->hot);
	free(mi->cold);
	free(mi->freel);
	free(mi->pool);
	for (i = 0; i < mi->occ_post_cap; i++)
		free(mi->occ_post[i].v);
	free(mi->occ_post);
	strtab_free(&mi->comp);
	strtab_free(&mi->occ);
	for (c = 0; c < CL_MAX; c++) {
		free(mi->cl_code[c]);
		free(mi->cl_post[c].v);
	}
	for (i = 0; i < mi->ncells; i++)
		free(mi->cells[i].v);
	free(mi->cells);
	free(mi->cell_key);
	free(mi->cmap);
	free(mi->amap);
	free(mi->scratch);
	free(mi);
}

size_t
mi_count(const struct match_index *mi)
{
	return mi == NULL ? 0 : mi->live;
}

size_t
mi_memory(const struct match_index *mi)
{
	size_t b, i;

	if (mi == NULL)
		return 0;
	b = sizeof(*mi);
	b += (size_t)mi->cap * (sizeof(struct hot) + sizeof(struct cold) +
	    sizeof(uint32_t));
	b += mi->title_bytes;
	b += mi->pool_cap * sizeof(uint32_t);
	b += (size_t)mi->comp.cap * sizeof(char *) + mi->comp.bytes +
	    (size_t)mi->comp.htcap * sizeof(uint32_t);
	b += (size_t)mi->occ.cap * sizeof(char *) + mi->occ.bytes +
	    (size_t)mi->occ.htcap * sizeof(uint32_t);
	b += (size_t)mi->occ_post_cap * sizeof(struct pvec);
	for (i = 0; i < mi->occ_post_cap; i++)
		b += (size_t)mi->occ_post[i].cap * sizeof(struct post);
	for (i = 0; i < CL_MAX; i++)
		b += (size_t)mi->cl_post[i].cap * sizeof(struct post);
	b += (size_t)mi->cells_cap * (sizeof(struct pvec) + sizeof(uint32_t));
	for (i = 0; i < mi->ncells; i++)
		b += (size_t)mi->cells[i].cap * sizeof(struct post);
	b += (size_t)mi->cmap_cap * sizeof(uint32_t);
	b += (size_t)mi->amap_cap * sizeof(uint32_t);
	b += mi->scratch_cap;
	return b;
}

/*
 * Listing bodies are read by a small strict JSON reader rather than
 * jansson: rebuilding the index of a million listings at start-up is
 * dominated by parsing, and jansson builds a tree that would be thrown
 * away at once.  The reader works on a private copy of the body, decodes
 * strings in place (a decoded string is never longer than its encoding,
 * so the closing quote has room for the NUL) and keeps pointers into it.
 * It accepts RFC 8259 JSON (UTF-8 checked; no "\u0000"; nesting at most
 * JP_DEPTH), checks the fields the matcher uses as listing.c does, refuses
 * a repeated field among them, and skips any other field.
 */
#define JP_DEPTH	32
#define JP_NUM_MAX	64	/* bytes of a number the matcher converts */

struct item {
	const char	*id;
	int		 level;
};

struct parsed {
	const char	*title;
	int		 mod;
	double		 lat, lon;
	int		 has_loc;
	int32_t		 start, end;
	int		 min_age;
	int		 full;
	const char	*cl[LISTING_CLUSTERS_MAX];
	size_t		 ncl;
	const char	*occ[LISTING_OCCUPATIONS_MAX];
	size_t		 nocc;
	struct item	 req[LISTING_COMPETENCIES_MAX];
	size_t		 nreq;
	struct item	 dev[LISTING_COMPETENCIES_MAX];
	size_t		 ndev;
};

struct jp {
	char		*p, *end;
};

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* jp_lit: consumes c (after white space) when it comes next. */
static int
jp_lit(struct jp *j, char c)
{
	jp_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return 1;
	}
	return 0;
}

/* jp_hex4: jscan's, over chars. */
static int
jp_hex4(const char *s, const char *end, uint32_t *v)
{
	return jscan_hex4((const unsigned char *)s, (const unsigned char *)end,
	    v);
}

/* utf8_len: the length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, const unsigned char *end)
{
	uint32_t cp;

	return s[0] < 0x80 ? 1 : jscan_utf8(s, end, &cp);
}

/* jp_string: the string that comes next, decoded in place. */
static int
jp_string(struct jp *j, char **out)
{
	char *r, *w, *start;
	uint32_t cp, lo;
	size_t n;

	jp_ws(j);
	if (j->p >= j->end || *j->p != '"')
		return MENTOR_EINVAL;
	start = r = w = j->p + 1;
	for (;;) {
		if (r >= j->end)
			return MENTOR_EINVAL;
		if (*r == '"')
			break;
		if ((unsigned char)*r < 0x20)
			return MENTOR_EINVAL;
		if ((unsigned char)*r < 0x80 && *r != '\\') {
			*w++ = *r++;
			continue;
		}
		if (*r != '\\') {
			if ((n = utf8_len((unsigned char *)r,
			    (unsigned char *)j->end)) == 0)
				return MENTOR_EINVAL;
			memmove(w, r, n);
			w += n;
			r += n;
			continue;
		}
		if (++r >= j->end)
			return MENTOR_EINVAL;
		switch (*r++) {
		case '"':	*w++ = '"'; continue;
		case '\\':	*w++ = '\\'; continue;
		case '/':	*w++ = '/'; continue;
		case 'b':	*w++ = '\b'; continue;
		case 'f':	*w++ = '\f'; continue;
		case 'n':	*w++ = '\n'; continue;
		case 'r':	*w++ = '\r'; continue;
		case 't':	*w++ = '\t'; continue;
		case 'u':	break;
		default:	return MENTOR_EINVAL;
		}
		if (jp_hex4(r, j->end, &cp) != 0)
			return MENTOR_EINVAL;
		r += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return MENTOR_EINVAL;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (j->end - r < 6 || r[0] != '\\' || r[1] != 'u' ||
			    jp_hex4(r + 2, j->end, &lo) != 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return MENTOR_EINVAL;
			r += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp == 0)
			return MENTOR_EINVAL;
		if (cp < 0x80)
			*w++ = (char)cp;
		else if (cp < 0x800) {
			*w++ = (char)(0xc0 | cp >> 6);
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xe0 | cp >> 12);
			*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*w++ = (char)(0xf0 | cp >> 18);
			*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
			*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	j->p = r + 1;
	*w = '\0';
	*out = start;
	return 0;
}

/*
 * jp_number: the number that comes next: its text at *s (n bytes) and
 * whether it is an integer (no fraction, no exponent).
 */
static int
jp_number(struct jp *j, const char **s, size_t *n, int *integer)
{
	char *p;

	jp_ws(j);
	p = j->p;
	*integer = 1;
	if (p < j->end && *p == '-')
		p++;
	if (p < j->end && *p == '0')
		p++;
	else if (p < j->end && *p >= '1' && *p <= '9')
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	else
		return MENTOR_EINVAL;
	if (p < j->end && *p == '.') {
		*integer = 0;
		if (++p >= j->end || *p < '0' || *p > '9')
			return MENTOR_EINVAL;
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		*integer = 0;
		if (++p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return MENTOR_EINVAL;
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	*s = j->p;
	*n = (size_t)(p - j->p);
	j->p = p;
	return 0;
}

/* jp_int: an integer from lo to hi. */
static int
jp_int(struct jp *j, int lo, int hi, int *out)
{
	const char *s;
	size_t n, i;
	int integer, neg;
	long v = 0;

	if (jp_number(j, &s, &n, &integer) != 0 || !integer)
		return MENTOR_EINVAL;
	neg = s[0] == '-';
	if (n - (size_t)neg > 9)
		return MENTOR_EINVAL;
	for (i = (size_t)neg; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return MENTOR_EINVAL;
	*out = (int)v;
	return 0;
}

/* jp_real: a number from -lim to lim. */
static int
jp_real(struct jp *j, double lim, double *out)
{
	char buf[JP_NUM_MAX + 1], *e, point;
	const char *s;
	size_t n, i;
	int integer;

	if (jp_number(j, &s, &n, &integer) != 0 || n > JP_NUM_MAX)
		return MENTOR_EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* strtod follows the locale's decimal point. */
	point = localeconv()->decimal_point[0];
	if (point != '.' && point != '\0')
		for (i = 0; i < n; i++)
			if (buf[i] == '.')
				buf[i] = point;
	*out = strtod(buf, &e);
	if (*e != '\0' || !(*out >= -lim && *out <= lim))
		return MENTOR_EINVAL;
	return 0;
}

/* jp_skip: any value, nested at most depth more levels. */
static int
jp_skip(struct jp *j, int depth)
{
	const char *s;
	char *str;
	size_t n;
	int integer;

	jp_ws(j);
	if (j->p >= j->end)
		return MENTOR_EINVAL;
	switch (*j->p) {
	case '"':
		return jp_string(j, &str);
	case '{':
	case '[':
		if (depth == 0)
			return MENTOR_EINVAL;
		if (*j->p++ == '{') {
			if (jp_lit(j, '}'))
				return 0;
			do {
				if (jp_string(j, &str) != 0 || !jp_lit(j, ':') ||
				    jp_skip(j, depth - 1) != 0)
					return MENTOR_EINVAL;
			} while (jp_lit(j, ','));
			return jp_lit(j, '}') ? 0 : MENTOR_EINVAL;
		}
		if (jp_lit(j, ']'))
			return 0;
		do {
			if (jp_skip(j, depth - 1) != 0)
				return MENTOR_EINVAL;
		} while (jp_lit(j, ','));
		return jp_lit(j, ']') ? 0 : MENTOR_EINVAL;
	case 't':
	case 'f':
	case 'n':
		n = *j->p == 'f' ? 5 : 4;
		if ((size_t)(j->end - j->p) < n ||
		    memcmp(j->p, *j->p == 't' ? "true" : *j->p == 'f' ?
		    "false" : "null", n) != 0)
			return MENTOR_EINVAL;
		j->p += n;
		return 0;
	default:
		return jp_number(j, &s, &n, &integer);
	}
}

/* jp_strings: an array of at most max distinct strings passing valid. */
static int
jp_strings(struct jp *j, const char **out, size_t max, size_t *n,
    int (*valid)(const char *))
{
	char *s;
	size_t i;

	*n = 0;
	if (!jp_lit(j, '['))
		return MENTOR_EINVAL;
	if (jp_lit(j, ']'))
		return 0;
	do {
		if (*n == max || jp_string(j, &s) != 0 || !valid(s))
			return MENTOR_EINVAL;
		for (i = 0; i < *n; i++)
			if (strcmp(out[i], s) == 0)
				return MENTOR_EINVAL;
		out[(*n)++] = s;
	} while (jp_lit(j, ','));
	return jp_lit(j, ']') ? 0 : MENTOR_EINVAL;
}

/* jp_items: [{"competency": ID, "level": 0..4}], ids distinct. */
static int
jp_items(struct jp *j, struct item *out, size_t *n)
{
	char *key, *id;
	size_t i;
	int level, seen;

	*n = 0;
	if (!jp_lit(j, '['))
		return MENTOR_EINVAL;
	if (jp_lit(j, ']'))
		return 0;
	do {
		if (*n == LISTING_COMPETENCIES_MAX || !jp_lit(j, '{'))
			return MENTOR_EINVAL;
		seen = 0;
		id = NULL;
		level = 0;
		if (!jp_lit(j, '}'))
			do {
				if (jp_string(j, &key) != 0 || !jp_lit(j, ':'))
					return MENTOR_EINVAL;
				if (strcmp(key, "competency") == 0) {
					if ((seen & 1) || jp_string(j, &id) != 0 ||
					    !competency_id_valid(id))
						return MENTOR_EINVAL;
					seen |= 1;
				} else if (strcmp(key, "level") == 0) {
					if ((seen & 2) || jp_int(j, 0,
					    LEVEL_MAX, &level) != 0)
						return MENTOR_EINVAL;
					seen |= 2;
				} else if (jp_skip(j, JP_DEPTH) != 0)
					return MENTOR_EINVAL;
			} while (jp_lit(j, ','));
		if (seen != 3 || !jp_lit(j, '}'))
			return MENTOR_EINVAL;
		for (i = 0; i < *n; i++)
			if (strcmp(out[i].id, id) == 0)
				return MENTOR_EINVAL;
		out[*n].id = id;
		out[*n].level = level;
		(*n)++;
	} while (jp_lit(j, ','));
	return jp_lit(j, ']') ? 0 : MENTOR_EINVAL;
}

static int
jp_location(struct jp *j, struct parsed *p)
{
	char *key;
	int seen = 0;

	if (!jp_lit(j, '{'))
		return MENTOR_EINVAL;
	if (!jp_lit(j, '}'))
		do {
			if (jp_string(j, &key) != 0 || !jp_lit(j, ':'))
				return MENTOR_EINVAL;
			if (strcmp(key, "lat") == 0) {
				if ((seen & 1) || jp_real(j, 90.0, &p->lat) != 0)
					return MENTOR_EINVAL;
				seen |= 1;
			} else if (strcmp(key, "lon") == 0) {
				if ((seen & 2) ||
				    jp_real(j, 180.0, &p->lon) != 0)
					return MENTOR_EINVAL;
				seen |= 2;
			} else if (jp_skip(j, JP_DEPTH) != 0)
				return MENTOR_EINVAL;
		} while (jp_lit(j, ','));
	if (seen != 3 || !jp_lit(j, '}'))
		return MENTOR_EINVAL;
	p->has_loc = 1;
	return 0;
}

/* jp_bool: true (1) or false (0). */
static int
jp_bool(struct jp *j, int *out)
{
	jp_ws(j);
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
		j->p += 4;
		*out = 1;
		return 0;
	}
	if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
		j->p += 5;
		*out = 0;
		return 0;
	}
	return MENTOR_EINVAL;
}

static int
jp_date(struct jp *j, int32_t *day)
{
	char *s;

	if (jp_string(j, &s) != 0 || date_parse(s, day) != 0)
		return MENTOR_EINVAL;
	return 0;
}

/* The body fields the matcher reads, in no particular order. */
enum {
	B_TITLE, B_MODALITY, B_LOCATION, B_CLUSTERS, B_OCCUPATIONS,
	B_REQUIRES, B_DEVELOPS, B_START, B_END, B_MIN_AGE, B_FULL,
};

static const char *const body_keys[] = {
	"title", "modality", "location", "clusters", "occupations",
	"requires", "develops", "start", "end", "min_age", "full",
};

/* parse_body: reads the body in buf (len bytes, changed in place). */
static int
parse_body(char *buf, size_t len, struct parsed *p)
{
	struct jp j = { buf, buf + len };
	char *key, *s;
	unsigned seen = 0;
	int k, rc;

	memset(p, 0, sizeof(*p));
	p->start = p->end = NONE_DAY;
	if (!jp_lit(&j, '{'))
		return MENTOR_EINVAL;
	if (!jp_lit(&j, '}'))
		do {
			if (jp_string(&j, &key) != 0 || !jp_lit(&j, ':'))
				return MENTOR_EINVAL;
			for (k = 0; k < (int)NELEM(body_keys); k++)
				if (strcmp(key, body_keys[k]) == 0)
					break;
			if (k < (int)NELEM(body_keys)) {
				if (seen & (1u << k))
					return MENTOR_EINVAL;
				seen |= 1u << k;
			}
			switch (k) {
			case B_TITLE:
				if ((rc = jp_string(&j, &s)) == 0)
					p->title = s;
				if (rc == 0 && s[0] == '\0')
					rc = MENTOR_EINVAL;
				break;
			case B_MODALITY:
				if ((rc = jp_string(&j, &s)) != 0)
					break;
				p->mod = strcmp(s, "in_person") == 0 ?
				    M_IN_PERSON : strcmp(s, "virtual") == 0 ?
				    M_VIRTUAL : strcmp(s, "hybrid") == 0 ?
				    M_HYBRID : 0;
				rc = p->mod == 0 ? MENTOR_EINVAL : 0;
				break;
			case B_LOCATION:
				rc = jp_location(&j, p);
				break;
			case B_CLUSTERS:
				rc = jp_strings(&j, p->cl, LISTING_CLUSTERS_MAX,
				    &p->ncl, cluster_code_valid);
				break;
			case B_OCCUPATIONS:
				rc = jp_strings(&j, p->occ,
				    LISTING_OCCUPATIONS_MAX, &p->nocc,
				    occupation_code_valid);
				break;
			case B_REQUIRES:
				rc = jp_items(&j, p->req, &p->nreq);
				break;
			case B_DEVELOPS:
				rc = jp_items(&j, p->dev, &p->ndev);
				break;
			case B_START:
				rc = jp_date(&j, &p->start);
				break;
			case B_END:
				rc = jp_date(&j, &p->end);
				break;
			case B_MIN_AGE:
				rc = jp_int(&j, 0, AGE_MAX, &p->min_age);
				break;
			case B_FULL:
				rc = jp_bool(&j, &p->full);
				break;
			default:
				rc = jp_skip(&j, JP_DEPTH);
			}
			if (rc != 0)
				return MENTOR_EINVAL;
		} while (jp_lit(&j, ','));
	if (!jp_lit(&j, '}'))
		return MENTOR_EINVAL;
	jp_ws(&j);
	if (j.p != j.end || p->title == NULL || p->mod == 0 ||
	    (p->mod != M_VIRTUAL && !p->has_loc) ||
	    (p->start != NONE_DAY && p->end != NONE_DAY && p->end < p->start))
		return MENTOR_EINVAL;
	if (p->mod == M_VIRTUAL)
		p->lat = p->lon = 0.0;
	return 0;
}

/* get_coord: a student's "lat" or "lon", from -lim to lim. */
static int
get_coord(const json_t *loc, const char *key, double lim, double *out)
{
	const json_t *v = json_object_get(loc, key);

	if (!json_is_number(v))
		return MENTOR_EINVAL;
	*out = json_number_value(v);
	if (!(*out >= -lim && *out <= lim))
		return MENTOR_EINVAL;
	return 0;
}

/* pvec_remove: swap-removes position pos; returns the slot moved there. */
static uint32_t
pvec_remove(struct pvec *v, uint32_t pos)
{
	v->v[pos] = v->v[--v->n];
	return pos < v->n ? v->v[pos].slot : UINT32_MAX;
}

/*
 * set_pos: the pool position entry of slot for list (occupation id occ,
 * or cluster bit cl when occ is UINT32_MAX) becomes pos.
 */
static void
set_pos(struct match_index *mi, uint32_t slot, uint32_t occ, int cl,
    uint32_t pos)
{
	const struct hot *h = &mi->hot[slot];
	uint32_t *p = mi->pool + h->pool, *pos_occ, *pos_cl, i;

	pos_occ = p + h->nocc + h->nreq + h->ndev;
	pos_cl = pos_occ + h->nocc;
	if (occ != UINT32_MAX) {
		for (i = 0; i < h->nocc; i++)
			if (p[i] == occ) {
				pos_occ[i] = pos;
				return;
			}
		return;
	}
	pos_cl[popcount32(h->cmask & ((UINT32_C(1) << cl) - 1))] = pos;
}

/* unlink: takes slot out of every list; its pool items become garbage. */
static void
unlink_slot(struct match_index *mi, uint32_t slot)
{
	const struct hot *h = &mi->hot[slot];
	const struct cold *c = &mi->cold[slot];
	const uint32_t *occ = mi->pool + h->pool;
	const uint32_t *pos_occ = occ + h->nocc + h->nreq + h->ndev;
	const uint32_t *pos_cl = pos_occ + h->nocc;
	uint32_t i, moved, m;
	int b;

	/* Moving another slot's entry changes only that slot's pool items. */
	for (i = 0; i < h->nocc; i++) {
		moved = pvec_remove(&mi->occ_post[occ[i]], pos_occ[i]);
		if (moved != UINT32_MAX)
			set_pos(mi, moved, occ[i], 0, pos_occ[i]);
	}
	for (m = h->cmask, i = 0; m != 0; m &= m - 1, i++) {
		b = lowbit(m);
		moved = pvec_remove(&mi->cl_post[b], pos_cl[i]);
		if (moved != UINT32_MAX)
			set_pos(mi, moved, UINT32_MAX, b, pos_cl[i]);
	}
	moved = pvec_remove(&mi->cells[c->cell], c->spos);
	if (moved != UINT32_MAX)
		mi->cold[moved].spos = c->spos;
	mi->pool_dead += POOL_N(h);
}

/* compact: rewrites the pool without garbage.  Best effort. */
static void
compact(struct match_index *mi)
{
	uint32_t *np, s;
	size_t n = 0, k, need = mi->pool_n - mi->pool_dead;
	struct hot *h;

	if (mi->pool_dead < 4096 || mi->pool_dead < mi->pool_n / 2)
		return;
	if ((np = malloc((need + need / 4 + 16) * sizeof(*np))) == NULL)
		return;
	for (s = 0; s < mi->nslots; s++) {
		h = &mi->hot[s];
		if ((h->flags & (M_VIRTUAL | M_LOCATED)) == 0)
			continue;
		k = POOL_N(h);
		memcpy(np + n, mi->pool + h->pool, k * sizeof(*np));
		h->pool = (uint32_t)n;
		n += k;
	}
	free(mi->pool);
	mi->pool = np;
	mi->pool_n = n;
	mi->pool_cap = need + need / 4 + 16;
	mi->pool_dead = 0;
}

static int
pool_reserve(struct match_index *mi, size_t more)
{
	size_t ncap;
	uint32_t *np;

	if (mi->pool_cap - mi->pool_n >= more)
		return 0;
	if (mi->pool_n + more > UINT32_MAX) {
		compact(mi);
		if (mi->pool_n + more > UINT32_MAX)
			return MENTOR_ETOOBIG;
		if (mi->pool_cap - mi->pool_n >= more)
			return 0;
	}
	ncap = mi->pool_cap == 0 ? 4096 : mi->pool_cap * 2;
	while (ncap - mi->pool_n < more)
		ncap *= 2;
	if (ncap > (size_t)UINT32_MAX + 1)
		ncap = (size_t)UINT32_MAX + 1;
	if ((np = realloc(mi->pool, ncap * sizeof(*np))) == NULL)
		return MENTOR_ENOMEM;
	mi->pool = np;
	mi->pool_cap = ncap;
	return 0;
}

/* slots_reserve: room for one more slot (and its free-list entry). */
static int
slots_reserve(struct match_index *mi)
{
	struct hot *nh;
	struct cold *nc;
	uint32_t *nf, ncap;

	if (mi->nfree > 0 || mi->nslots < mi->cap)
		return 0;
	if (mi->cap >= SLOTS_MAX)
		return MENTOR_ETOOBIG;
	ncap = mi->cap == 0 ? 1024 : mi->cap * 2;
	if ((nh = aligned_alloc(64, (size_t)ncap * sizeof(*nh))) == NULL)
		return MENTOR_ENOMEM;
	if ((nc = realloc(mi->cold, (size_t)ncap * sizeof(*nc))) == NULL) {
		free(nh);
		return MENTOR_ENOMEM;
	}
	mi->cold = nc;
	if ((nf = realloc(mi->freel, (size_t)ncap * sizeof(*nf))) == NULL) {
		free(nh);
		return MENTOR_ENOMEM;
	}
	mi->freel = nf;
	if (mi->nslots > 0)
		memcpy(nh, mi->hot, (size_t)mi->nslots * sizeof(*nh));
	free(mi->hot);
	mi->hot = nh;
	mi->cap = ncap;
	return 0;
}

static int
occ_post_reserve(struct match_index *mi, uint32_t n)
{
	uint32_t ncap;
	struct pvec *nv;

	if (n <= mi->occ_post_cap)
		return 0;
	ncap = mi->occ_post_cap == 0 ? 256 : mi->occ_post_cap;
	while (ncap < n)
		ncap *= 2;
	if ((nv = realloc(mi->occ_post, (size_t)ncap * sizeof(*nv))) == NULL)
		return MENTOR_ENOMEM;
	memset(nv + mi->occ_post_cap, 0,
	    (size_t)(ncap - mi->occ_post_cap) * sizeof(*nv));
	mi->occ_post = nv;
	mi->occ_post_cap = ncap;
	return 0;
}

/*
 * canon_items: replaces each id by the one the frameworks match it as
 * (a CASE item's exactMatchOf O*NET element) and merges the ids that
 * become equal, keeping the higher level.
 */
static size_t
canon_items(const struct frameworks *fw, struct item *it, size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		it[i].id = fw_canonical(fw, it[i].id);
		for (j = 0; j < k && strcmp(it[j].id, it[i].id) != 0; j++)
			;
		if (j < k) {
			if (it[i].level > it[j].level)
				it[j].level = it[i].level;
			continue;
		}
		it[k++] = it[i];
	}
	return k;
}

int
mi_put(struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN],
    const uint8_t *body, size_t body_len, int64_t expires_ms)
{
	struct parsed p;
	struct hot *h, nh;
	struct cold *c;
	struct post e;
	uint32_t occ[LISTING_OCCUPATIONS_MAX], item, slot, *pp, k, i;
	uint32_t comp_req[LISTING_COMPETENCIES_MAX];
	uint32_t comp_dev[LISTING_COMPETENCIES_MAX];
	uint32_t own = 0, cmask = 0, m;
	uint64_t rbloom = 0;
	int64_t id, existing, cell;
	size_t title_len, npool;
	char *title = NULL;
	int rc, b, gsum = 0, old_full = 0, row, col;

	if (mi == NULL || addr == NULL || body == NULL)
		return MENTOR_EINVAL;
	if (body_len > LISTING_BODY_MAX)
		return MENTOR_EINVAL;
	if (mi->scratch_cap < body_len + 1) {
		free(mi->scratch);
		mi->scratch_cap = 0;
		if ((mi->scratch = malloc(body_len + 1024)) == NULL)
			return MENTOR_ENOMEM;
		mi->scratch_cap = body_len + 1024;
	}
	memcpy(mi->scratch, body, body_len);
	if ((rc = parse_body(mi->scratch, body_len, &p)) != 0)
		return rc;
	p.nreq = canon_items(mi->fw, p.req, p.nreq);
	p.ndev = canon_items(mi->fw, p.dev, p.ndev);

	/* Intern: new ids are harmless if a later step fails. */
	for (i = 0; i < p.nocc; i++) {
		if ((id = strtab_intern(&mi->occ, p.occ[i])) < 0) {
			rc = (int)id;
			goto fail;
		}
		occ[i] = (uint32_t)id;
	}
	for (i = 0; i < p.nreq; i++) {
		if ((id = strtab_intern(&mi->comp, p.req[i].id)) < 0) {
			rc = (int)id;
			goto fail;
		}
		comp_req[i] = (uint32_t)id;
		if (p.req[i].level > 0)
			rbloom |= UINT64_C(1) << (id & 63);
	}
	for (i = 0; i < p.ndev; i++) {
		if ((id = strtab_intern(&mi->comp, p.dev[i].id)) < 0) {
			rc = (int)id;
			goto fail;
		}
		comp_dev[i] = (uint32_t)id;
		gsum += p.dev[i].level;
	}
	for (i = 0; i < p.ncl; i++) {
		if ((b = cluster_intern(mi, p.cl[i])) == MENTOR_ENOMEM) {
			rc = b;
			goto fail;
		}
		if (b >= 0) {
			own |= UINT32_C(1) << b;
			cmask |= mi->cl_mask[b];
		}
	}

	/* Reserve everything the commit below needs. */
	title_len = strlen(p.title);
	if ((title = malloc(title_len + 1)) == NULL)
		goto nomem;
	memcpy(title, p.title, title_len + 1);
	npool = 2 * p.nocc + p.nreq + p.ndev + (size_t)popcount32(cmask);
	if ((rc = pool_reserve(mi, npool)) != 0 ||
	    (rc = occ_post_reserve(mi, mi->occ.n)) != 0)
		goto fail;
	for (i = 0; i < p.nocc; i++)
		if ((rc = pvec_reserve(&mi->occ_post[occ[i]])) != 0)
			goto fail;
	for (m = cmask; m != 0; m &= m - 1)
		if ((rc = pvec_reserve(&mi->cl_post[lowbit(m)])) != 0)
			goto fail;
	cell = p.mod == M_VIRTUAL ? 0 : cell_get(mi, cell_key(p.lat, p.lon));
	if (cell < 0) {
		rc = (int)cell;
		goto fail;
	}
	if ((rc = pvec_reserve(&mi->cells[cell])) != 0)
		goto fail;
	existing = addr_find(mi, addr);
	if (existing < 0 && ((rc = slots_reserve(mi)) != 0 ||
	    (rc = amap_reserve(mi)) != 0))
		goto fail;

	/* Commit: nothing below fails. */
	if (existing >= 0) {
		slot = (uint32_t)existing;
		old_full = mi->hot[slot].flags & F_FULL;
		unlink_slot(mi, slot);
		mi->title_bytes -= strlen(mi->cold[slot].title) + 1;
		free(mi->cold[slot].title);
	} else {
		slot = mi->nfree > 0 ? mi->freel[--mi->nfree] : mi->nslots++;
		memcpy(mi->cold[slot].addr, addr, MATCH_ADDR_LEN);
		amap_insert(mi, slot);
		mi->live++;
	}
	memset(&nh, 0, sizeof(nh));
	nh.expires_ms = expires_ms;
	nh.lat = p.lat;
	nh.lon = p.lon;
	nh.coslat = cos(p.lat * RAD);
	nh.rbloom = rbloom;
	nh.cmask = cmask;
	nh.start = p.start;
	nh.end = p.end;
	nh.pool = (uint32_t)mi->pool_n;
	nh.nocc = (uint8_t)p.nocc;
	nh.nreq = (uint8_t)p.nreq;
	nh.ndev = (uint8_t)p.ndev;
	nh.min_age = (uint8_t)p.min_age;
	nh.flags = (uint8_t)(p.mod | old_full | (p.full ? F_BODY_FULL : 0));
	nh.gmax = (uint8_t)(gsum >= 4 ? 20 : 5 * gsum);
	nh.ncl = (uint8_t)popcount32(cmask);
	h = &mi->hot[slot];
	*h = nh;
	c = &mi->cold[slot];
	c->title = title;
	mi->title_bytes += title_len + 1;
	title = NULL;
	c->own = own;
	c->cell = (uint32_t)cell;
	e.slot = slot;
	e.start = p.start;
	row = col = 0;
	if (p.mod != M_VIRTUAL)
		cell_of(p.lat, p.lon, &row, &col);
	e.rbloom = FOLD(rbloom);
	e.mod_row = (uint16_t)(p.mod << 12 | row);
	e.nreq_col = (uint16_t)((p.nreq < 7 ? p.nreq : 7) << 13 | col);
	c->spos = mi->cells[cell].n;
	mi->cells[cell].v[mi->cells[cell].n++] = e;

	pp = mi->pool + mi->pool_n;
	mi->pool_n += npool;
	k = 0;
	for (i = 0; i < p.nocc; i++)
		pp[k++] = occ[i];
	for (i = 0; i < p.nreq; i++)
		pp[k++] = comp_req[i] << 3 | (uint32_t)p.req[i].level;
	for (i = 0; i < p.ndev; i++)
		pp[k++] = comp_dev[i] << 3 | (uint32_t)p.dev[i].level;
	for (i = 0; i < p.nocc; i++) {
		item = mi->occ_post[occ[i]].n;
		mi->occ_post[occ[i]].v[mi->occ_post[occ[i]].n++] = e;
		pp[k++] = item;
	}
	for (m = cmask; m != 0; m &= m - 1) {
		b = lowbit(m);
		item = mi->cl_post[b].n;
		mi->cl_post[b].v[mi->cl_post[b].n++] = e;
		pp[k++] = item;
	}
	compact(mi);
	return 0;
nomem:
	rc = MENTOR_ENOMEM;
fail:
	free(title);
	return rc;
}

int
mi_del(struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN])
{
	int64_t s;
	uint32_t slot;

	if (mi == NULL || addr == NULL)
		return MENTOR_EINVAL;
	if ((s = addr_find(mi, addr)) < 0)
		return MENTOR_ENOTFOUND;
	slot = (uint32_t)s;
	unlink_slot(mi, slot);
	amap_remove(mi, slot);
	mi->title_bytes -= strlen(mi->cold[slot].title) + 1;
	free(mi->cold[slot].title);
	memset(&mi->cold[slot], 0, sizeof(mi->cold[slot]));
	memset(&mi->hot[slot], 0, sizeof(mi->hot[slot]));
	mi->freel[mi->nfree++] = slot;
	mi->live--;
	compact(mi);
	return 0;
}

int
mi_set_full(struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN],
    int full)
{
	int64_t s;

	if (mi == NULL || addr == NULL)
		return MENTOR_EINVAL;
	if ((s = addr_find(mi, addr)) < 0)
		return MENTOR_ENOTFOUND;
	if (full)
		mi->hot[s].flags |= F_FULL;
	else
		mi->hot[s].flags &= (uint8_t)~F_FULL;
	return 0;
}

const char *
match_title(const struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN])
{
	int64_t s;

	if (mi == NULL || addr == NULL || (s = addr_find(mi, addr)) < 0)
		return NULL;
	return mi->cold[s].title;
}

/* Students. */

/*
 * closeness: occupation points of two O*NET-SOC codes (NN-NNNN.NN): same
 * code 15, detailed SOC (7 characters) 12, broad group (6) 9, minor group
 * (5) 6, major group (2) 3.
 */
static int
closeness(const char *a, const char *b)
{
	if (memcmp(a, b, 2) != 0)
		return 0;
	if (memcmp(a, b, 5) != 0)
		return 3;
	if (a[5] != b[5])
		return 6;
	if (a[6] != b[6])
		return 9;
	if (strcmp(a + 7, b + 7) != 0)
		return 12;
	return 15;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * grid_box: the grid rows a0..a1 and columns o0..o0 + ospan (modulo NLON)
 * that the bounding box touches.  A point inside the box lies at least
 * BBOX_MARGIN inside these cells' union, so rounding cannot drop it.
 */
static void
grid_box(struct match_student *ms)
{
	int64_t a0, a1, o0, o1;

	a0 = (int64_t)floor((ms->lat - ms->dlat + 90.0) / CELL_DEG);
	a1 = (int64_t)floor((ms->lat + ms->dlat + 90.0) / CELL_DEG);
	ms->a0 = a0 < 0 ? 0 : a0 >= NLAT ? NLAT - 1 : (int)a0;
	ms->a1 = a1 < 0 ? 0 : a1 >= NLAT ? NLAT - 1 : (int)a1;
	ms->o0 = 0;
	ms->ospan = NLON - 1;
	if (ms->lon_all)
		return;
	o0 = (int64_t)floor((ms->lon - ms->dlon + 180.0) / CELL_DEG);
	o1 = (int64_t)floor((ms->lon + ms->dlon + 180.0) / CELL_DEG);
	if (o1 - o0 >= NLON - 1)
		return;
	ms->o0 = (int)(((o0 % NLON) + NLON) % NLON);
	ms->ospan = (int)(o1 - o0);
}

/* birthdays: turn[a] is the day the student turns a. */
static int
birthdays(struct match_student *ms, const char *bd)
{
	int32_t day;
	int y, m, d, a;

	if (bd == NULL) {
		/* Unknown age: a minor, kept from every minimum age. */
		ms->turn[0] = INT32_MIN;
		for (a = 1; a <= AGE_MAX; a++)
			ms->turn[a] = INT32_MAX;
		return 0;
	}
	if (strlen(bd) != 10 || date_parse(bd, &day) != 0)
		return MENTOR_EINVAL;
	y = (bd[0] - '0') * 1000 + (bd[1] - '0') * 100 + (bd[2] - '0') * 10 +
	    (bd[3] - '0');
	m = (bd[5] - '0') * 10 + (bd[6] - '0');
	d = (bd[8] - '0') * 10 + (bd[9] - '0');
	for (a = 0; a <= AGE_MAX; a++) {
		if (m == 2 && d == 29 && !is_leap(y + a))
			ms->turn[a] = days_from_civil(y + a, 3, 1);
		else
			ms->turn[a] = days_from_civil(y + a, (unsigned)m,
			    (unsigned)d);
	}
	return 0;
}

static int
student_goals(const struct match_index *mi, struct match_student *ms,
    const json_t *goals)
{
	const json_t *cl = NULL, *oc = NULL, *v;
	const char *s;
	size_t i, n;
	uint32_t id, lv, fill[5];
	int b, pts;

	if (goals != NULL) {
		if (!json_is_object(goals))
			return MENTOR_EINVAL;
		cl = json_object_get(goals, "clusters");
		oc = json_object_get(goals, "occupations");
		if ((cl != NULL && !json_is_array(cl)) ||
		    (oc != NULL && !json_is_array(oc)))
			return MENTOR_EINVAL;
	}
	n = json_array_size(cl);
	if (n > 0) {
		if ((ms->goal_cl = calloc(n, sizeof(*ms->goal_cl))) == NULL ||
		    (ms->goal_cl_bit = calloc(n,
		    sizeof(*ms->goal_cl_bit))) == NULL)
			return MENTOR_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s = json_string_value(json_array_get(cl, i));
		if (s == NULL || !cluster_code_valid(s))
			return MENTOR_EINVAL;
		if ((ms->goal_cl[i] = strdup(s)) == NULL)
			return MENTOR_ENOMEM;
		ms->ngoal_cl++;
		if ((b = cluster_bit(mi, s)) >= 0) {
			ms->goal_cl_bit[i] = UINT32_C(1) << b;
			ms->smask |= UINT32_C(1) << b;
		}
	}
	n = json_array_size(oc);
	if (n > 0 && (ms->goal_occ = calloc(n, sizeof(*ms->goal_occ))) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < n; i++) {
		v = json_array_get(oc, i);
		s = json_string_value(v);
		if (s == NULL || !occupation_code_valid(s))
			return MENTOR_EINVAL;
		memcpy(ms->goal_occ[i], s, 11);
		ms->ngoal_occ++;
	}
	ms->nocc = mi->occ.n;
	if ((ms->occpts = calloc(ms->nocc + 1, 1)) == NULL ||
	    (ms->occ_by_pts = calloc(ms->nocc + 1, sizeof(uint32_t))) == NULL)
		return MENTOR_ENOMEM;
	for (id = 0; id < ms->nocc && ms->ngoal_occ > 0; id++) {
		for (i = 0, pts = 0; i < ms->ngoal_occ; i++) {
			b = closeness(ms->goal_occ[i], mi->occ.s[id]);
			if (b > pts)
				pts = b;
		}
		ms->occpts[id] = (uint8_t)pts;
		if (pts > 0)
			ms->npts[(15 - pts) / 3]++;
	}
	for (lv = 0, n = 0; lv < 5; lv++) {
		fill[lv] = (uint32_t)n;
		n += ms->npts[lv];
	}
	for (id = 0; id < ms->nocc; id++)
		if (ms->occpts[id] > 0)
			ms->occ_by_pts[fill[(15 - ms->occpts[id]) / 3]++] = id;
	return 0;
}

int
ms_compile(const struct match_index *mi, const json_t *st, int32_t today,
    struct match_student **out)
{
	struct match_student *ms;
	const json_t *v, *loc, *lv;
	const char *key, *s;
	double ang;
	size_t i;
	int64_t id;
	int rc = MENTOR_EINVAL;

	if (mi == NULL || out == NULL || !json_is_object(st))
		return MENTOR_EINVAL;
	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return MENTOR_ENOMEM;
	ms->today = today;
	if ((rc = birthdays(ms, json_string_value(json_object_get(st,
	    "birth_date")))) != 0)
		goto fail;
	rc = MENTOR_EINVAL;

	if ((v = json_object_get(st, "modality")) == NULL)
		ms->modmask = M_IN_PERSON | M_VIRTUAL | M_HYBRID;
	else if (!json_is_array(v))
		goto fail;
	for (i = 0; i < json_array_size(v); i++) {
		if ((s = json_string_value(json_array_get(v, i))) == NULL)
			goto fail;
		if (strcmp(s, "in_person") == 0)
			ms->modmask |= M_IN_PERSON;
		else if (strcmp(s, "virtual") == 0)
			ms->modmask |= M_VIRTUAL;
		else if (strcmp(s, "hybrid") == 0)
			ms->modmask |= M_HYBRID;
		else
			goto fail;
	}

	if ((loc = json_object_get(st, "location")) != NULL) {
		if (!json_is_object(loc) ||
		    get_coord(loc, "lat", 90.0, &ms->lat) != 0 ||
		    get_coord(loc, "lon", 180.0, &ms->lon) != 0)
			goto fail;
		ms->has_loc = 1;
		ms->coslat = cos(ms->lat * RAD);
	}
	/* Without a location only virtual listings can be offered; the
	 * explanations still speak of what the student chose. */
	ms->chosen = ms->modmask;
	if (!ms->has_loc)
		ms->modmask &= M_VIRTUAL;
	if ((v = json_object_get(st, "max_distance_km")) == NULL)
		ms->maxd = 50;
	else if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
	    !isfinite(json_number_value(v)))
		goto fail;
	else
		ms->maxd = json_number_value(v);
	/*
	 * A box that holds every point within maxd (the spherical cap's
	 * latitude and longitude extent), padded against rounding.
	 */
	ang = ms->maxd / EARTH_R;
	ms->dlat = ang * DEG + BBOX_MARGIN;
	ms->lon_all = 1;
	ms->dlon = 360.0;
	if (ang < 1.5 && fabs(ms->lat) + ms->dlat < 89.0) {
		ms->dlon = asin(sin(ang) / cos(ms->lat * RAD)) * DEG +
		    BBOX_MARGIN;
		ms->lon_all = !(ms->dlon < 180.0);
	}
	grid_box(ms);

	ms->ncomp = mi->comp.n;
	if ((ms->lvl = calloc(ms->ncomp + 1, 1)) == NULL)
		goto nomem;
	if ((v = json_object_get(st, "competencies")) != NULL) {
		if (!json_is_object(v))
			goto fail;
		json_object_foreach((json_t *)v, key, lv) {
			if (!json_is_integer(lv) || json_integer_value(lv) < 0 ||
			    json_integer_value(lv) > LEVEL_MAX)
				goto fail;
			if ((id = strtab_find(&mi->comp,
			    fw_canonical(mi->fw, key))) >= 0 &&
			    json_integer_value(lv) > ms->lvl[id]) {
				ms->lvl[id] = (uint8_t)json_integer_value(lv);
				ms->hasbloom |= UINT64_C(1) << (id & 63);
			}
		}
	}
	ms->hasfold = FOLD(ms->hasbloom);
	if ((rc = student_goals(mi, ms, json_object_get(st, "goals"))) != 0)
		goto fail;
	*out = ms;
	return 0;
nomem:
	rc = MENTOR_ENOMEM;
fail:
	ms_free(ms);
	return rc;
}

void
ms_free(struct match_student *ms)
{
	size_t i;

	if (ms == NULL)
		return;
	free(ms->lvl);
	free(ms->occpts);
	free(ms->occ_by_pts);
	free(ms->goal_occ);
	for (i = 0; i < ms->ngoal_cl; i++)
		free(ms->goal_cl[i]);
	free(ms->goal_cl);
	free(ms->goal_cl_bit);
	free(ms);
}

/* Ranking. */

/* credit[required][student]: 12 x min(student / required, 1). */
static const uint8_t credit[LEVEL_MAX + 1][LEVEL_MAX + 1] = {
	{ 12, 12, 12, 12, 12 },
	{ 0, 12, 12, 12, 12 },
	{ 0, 6, 12, 12, 12 },
	{ 0, 4, 8, 12, 12 },
	{ 0, 3, 6, 9, 12 },
};

/*
 * rmiss[n]: readiness when one of n requirements earns nothing and the
 * others full credit, (80 x 12 (n - 1) + 12 n) / (24 n): the bound when
 * the student surely lacks one.
 */
static const uint8_t rmiss[LISTING_COMPETENCIES_MAX + 1] = {
	40, 0, 20, 27, 30, 32, 33, 34, 35, 36, 36, 36, 37, 37, 37, 37,
	38, 38, 38, 38, 38, 38, 38, 38, 38, 38, 38, 39, 39, 39, 39, 39,
	39,
};

/* rmiss7[min(n, 7)]: rmiss[n], or its largest value from 7 on. */
static const uint8_t rmiss7[8] = { 40, 0, 20, 27, 30, 32, 33, 39 };

/*
 * haversine: great-circle km from the student (1) to a listing (2), with
 * the cosines of both latitudes precomputed.
 */
static double
haversine(double lat1, double lon1, double cos1, double lat2, double lon2,
    double cos2)
{
	double dp = (lat2 - lat1) * RAD, dl = (lon2 - lon1) * RAD;
	double s1 = sin(dp * 0.5), s2 = sin(dl * 0.5);
	double a = s1 * s1 + cos1 * cos2 * s2 * s2;

	if (a > 1.0)
		a = 1.0;
	return 2.0 * EARTH_R * asin(sqrt(a));
}

static int
logistics(double d, double maxd)
{
	double v;

	if (maxd <= 0.0)
		return 10;
	v = floor(10.0 * (1.0 - d / maxd) + 0.5);
	return v < 0.0 ? 0 : v > 10.0 ? 10 : (int)v;
}

struct cand {
	int		score;
	uint8_t		r, g, c, l;
	int32_t		start;
	uint32_t	slot;
	double		dist;		/* -1 virtual */
	double		dkey;		/* 0 virtual */
};

struct rank {
	const struct match_index *mi;
	const struct match_student *ms;
	int64_t		now;
	uint64_t	*seen;
	struct cand	*heap;		/* worst at the root */
	size_t		n, k;
	int		thr;		/* prune bounds below this */
	int		wzero;		/* the k-th best is at distance 0 */
	int32_t		wstart;		/* and starts then */
};

/* better: a ranks before b. */
static int
better(const struct match_index *mi, const struct cand *a,
    const struct cand *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	if (a->dkey != b->dkey)
		return a->dkey < b->dkey;
	if (a->start != b->start)
		return a->start < b->start;
	return memcmp(mi->cold[a->slot].addr, mi->cold[b->slot].addr,
	    MATCH_ADDR_LEN) < 0;
}

static void
sift_down(struct rank *r, size_t i)
{
	struct cand t;
	size_t w, c;

	for (;;) {
		w = i;
		c = 2 * i + 1;
		if (c < r->n && better(r->mi, &r->heap[w], &r->heap[c]))
			w = c;
		if (c + 1 < r->n && better(r->mi, &r->heap[w], &r->heap[c + 1]))
			w = c + 1;
		if (w == i)
			return;
		t = r->heap[i];
		r->heap[i] = r->heap[w];
		r->heap[w] = t;
		i = w;
	}
}

static void
offer(struct rank *r, const struct cand *c)
{
	struct cand t;
	size_t i, p;

	if (r->n < r->k) {
		i = r->n++;
		r->heap[i] = *c;
		while (i > 0) {
			p = (i - 1) / 2;
			if (!better(r->mi, &r->heap[p], &r->heap[i]))
				break;
			t = r->heap[p];
			r->heap[p] = r->heap[i];
			r->heap[i] = t;
			i = p;
		}
	} else {
		if (!better(r->mi, c, &r->heap[0]))
			return;
		r->heap[0] = *c;
		sift_down(r, 0);
	}
	if (r->n == r->k) {
		r->thr = r->heap[0].score;
		r->wzero = r->heap[0].dkey == 0.0;
		r->wstart = r->heap[0].start;
	}
}

/*
 * hopeless: a listing whose score is at most bound, starting on start,
 * cannot enter the top: either bound is below the k-th best score, or it
 * can at best tie, and the k-th best is at distance 0 (no listing is
 * nearer) and starts earlier.  The k-th best only improves, so a listing
 * once hopeless stays so.
 */
static int
hopeless(const struct rank *r, int bound, int32_t start)
{
	return bound < r->thr ||
	    (bound == r->thr && r->wzero && start > r->wstart);
}

/*
 * visit: filters, bounds and scores one slot, at most once per ranking.
 * The cheap filters come first, then the exact career and logistics
 * terms with an upper bound for the other two (readiness 40, or less when
 * the student surely lacks a requirement; the listing's growth if the
 * student knew nothing), and the competency terms only for listings that
 * can still reach the k-th best.
 */
static void
visit(struct rank *r, uint32_t slot)
{
	const struct match_student *ms = r->ms;
	const struct hot *h = &r->mi->hot[slot];
	const uint32_t *p;
	struct cand c;
	double d, dl;
	uint32_t i, it, cid, s, sum, gap;
	int32_t day;
	int career, logi, op, rmax, bound;

	if (r->seen[slot >> 6] & (UINT64_C(1) << (slot & 63)))
		return;
	r->seen[slot >> 6] |= UINT64_C(1) << (slot & 63);
	if ((h->flags & ms->modmask) == 0 || (h->flags & F_ANY_FULL) ||
	    r->now >= h->expires_ms || h->end < ms->today)
		return;
	day = h->start == NONE_DAY ? ms->today : h->start;
	if (day < ms->turn[h->min_age])
		return;
	if (h->flags & M_VIRTUAL) {
		logi = 10;
		c.dist = -1.0;
		c.dkey = 0.0;
	} else {
		if (fabs(h->lat - ms->lat) > ms->dlat)
			return;
		if (!ms->lon_all) {
			dl = fabs(h->lon - ms->lon);
			if (dl > 180.0)
				dl = 360.0 - dl;
			if (dl > ms->dlon)
				return;
		}
		d = haversine(ms->lat, ms->lon, ms->coslat, h->lat, h->lon,
		    h->coslat);
		if (d > ms->maxd)
			return;
		logi = logistics(d, ms->maxd);
		c.dist = c.dkey = d;
	}
	p = r->mi->pool + h->pool;
	op = 0;
	for (i = 0; i < h->nocc; i++)
		if (p[i] < ms->nocc && ms->occpts[p[i]] > op)
			op = ms->occpts[p[i]];
	career = ((h->cmask & ms->smask) ? 15 : 0) + op;
	if (career > 30)
		career = 30;
	rmax = (h->rbloom & ~ms->hasbloom) ? rmiss[h->nreq] : 40;
	bound = rmax + h->gmax + career + logi;
	if (bound < r->thr)
		return;
	if (bound == r->thr) {
		/* At best a tie: it must win on distance, start, address. */
		c.score = bound;
		c.start = h->start;
		c.slot = slot;
		if (!better(r->mi, &c, &r->heap[0]))
			return;
	}
	p += h->nocc;
	if (h->nreq == 0)
		c.r = 40;
	else {
		for (i = 0, sum = 0; i < h->nreq; i++) {
			it = p[i];
			cid = it >> 3;
			s = cid < ms->ncomp ? ms->lvl[cid] : 0;
			sum += credit[it & 7][s];
		}
		c.r = (uint8_t)((80 * sum + 12u * h->nreq) / (24u * h->nreq));
	}
	p += h->nreq;
	for (i = 0, gap = 0; i < h->ndev; i++) {
		it = p[i];
		cid = it >> 3;
		s = cid < ms->ncomp ? ms->lvl[cid] : 0;
		if (s < (it & 7))
			gap += (it & 7) - s;
	}
	c.g = (uint8_t)(gap >= 4 ? 20 : 5 * gap);
	c.c = (uint8_t)career;
	c.l = (uint8_t)logi;
	c.score = c.r + c.g + c.c + c.l;
	if (c.score < r->thr)
		return;
	c.start = h->start;
	c.slot = slot;
	offer(r, &c);
}

/*
 * scan: the entries of a list that the student's modalities and grid box
 * admit and that are not hopeless, while bound (on the score of every
 * listing in the list not yet visited) can still reach the top.  Returns
 * 1 when it stopped for that reason.
 */
static int
scan(struct rank *r, const struct pvec *v, int bound)
{
	const struct match_student *ms = r->ms;
	const struct post *e, *end;
	int row, col, rb;

	if (v->n == 0)
		return bound < r->thr;
	for (e = v->v, end = v->v + v->n; e < end; e++) {
		if (bound < r->thr)
			return 1;
		if (((e->mod_row >> 12) & ms->modmask) == 0)
			continue;
		if (!(e->mod_row & (M_VIRTUAL << 12))) {
			row = e->mod_row & 0xfff;
			if (row < ms->a0 || row > ms->a1)
				continue;
			col = (e->nreq_col & 0x1fff) - ms->o0;
			if (col < 0)
				col += NLON;
			if (col > ms->ospan)
				continue;
		}
		rb = (e->rbloom & ~ms->hasfold) ? rmiss7[e->nreq_col >> 13] : 40;
		if (hopeless(r, bound - 40 + rb, e->start))
			continue;
		visit(r, e->slot);
	}
	return bound < r->thr;
}

/* visit_near: the grid cells that the student's box touches. */
static void
visit_near(struct rank *r)
{
	const struct match_index *mi = r->mi;
	const struct match_student *ms = r->ms;
	int64_t cell;
	uint64_t cells;
	uint32_t c, key;
	int a, o, rel;

	cells = (uint64_t)(ms->a1 - ms->a0 + 1) * (uint64_t)(ms->ospan + 1);
	if (cells >= mi->ncells) {
		for (c = 1; c < mi->ncells; c++) {
			a = (int)((mi->cell_key[c] - 1) / NLON);
			o = (int)((mi->cell_key[c] - 1) % NLON);
			rel = o - ms->o0;
			if (rel < 0)
				rel += NLON;
			if (a < ms->a0 || a > ms->a1 || rel > ms->ospan)
				continue;
			scan(r, &mi->cells[c], 70);
		}
		return;
	}
	for (a = ms->a0; a <= ms->a1; a++)
		for (rel = 0; rel <= ms->ospan; rel++) {
			o = (ms->o0 + rel) % NLON;
			key = (uint32_t)a * NLON + (uint32_t)o + 1;
			if ((cell = cell_find(mi, key)) > 0)
				scan(r, &mi->cells[cell], 70);
		}
}

/* sort_cands: the final heap, best first (a heap-sort: worst goes last). */
static void
sort_cands(const struct match_index *mi, struct cand *v, size_t n)
{
	struct rank r;
	struct cand t;

	memset(&r, 0, sizeof(r));
	r.mi = mi;
	r.heap = v;
	r.n = n;
	while (r.n > 1) {
		t = v[0];
		v[0] = v[r.n - 1];
		v[r.n - 1] = t;
		r.n--;
		sift_down(&r, 0);
	}
}

int
match_rank(const struct match_index *mi, const struct match_student *ms,
    int64_t now_ms, size_t top, struct match_hit *out, size_t *nout)
{
	struct rank r;
	struct match_hit *o;
	const uint32_t *ids;
	uint32_t lv, j, m;
	int pts, cl;
	size_t i;

	if (mi == NULL || ms == NULL || nout == NULL ||
	    (out == NULL && top > 0))
		return MENTOR_EINVAL;
	*nout = 0;
	memset(&r, 0, sizeof(r));
	r.k = top < mi->live ? top : mi->live;
	if (r.k == 0 || ms->modmask == 0)
		return 0;
	r.mi = mi;
	r.ms = ms;
	r.now = now_ms;
	r.thr = -1;
	if ((r.heap = malloc(r.k * sizeof(*r.heap))) == NULL ||
	    (r.seen = calloc(((size_t)mi->nslots + 63) / 64,
	    sizeof(*r.seen))) == NULL) {
		free(r.heap);
		return MENTOR_ENOMEM;
	}

	/* 1: shared or close occupations, closest first. */
	cl = ms->smask != 0 ? 15 : 0;
	ids = ms->occ_by_pts;
	for (lv = 0; lv < 5; lv++) {
		pts = 15 - 3 * (int)lv;
		for (j = 0; j < ms->npts[lv]; j++, ids++)
			if (*ids < mi->occ_post_cap &&
			    scan(&r, &mi->occ_post[*ids],
			    70 + (pts + cl > 30 ? 30 : pts + cl)))
				goto done;
	}
	/* 2: the student's clusters. */
	for (m = ms->smask; m != 0; m &= m - 1)
		if (scan(&r, &mi->cl_post[lowbit(m)], 85))
			goto done;
	/* 3: no career points: whatever could pass the filters. */
	if (70 < r.thr)
		goto done;
	if (ms->modmask & M_VIRTUAL)
		scan(&r, &mi->cells[0], 70);
	if (ms->modmask & M_LOCATED)
		visit_near(&r);
done:
	sort_cands(mi, r.heap, r.n);
	for (i = 0; i < r.n; i++) {
		o = &out[i];
		memcpy(o->addr, mi->cold[r.heap[i].slot].addr, MATCH_ADDR_LEN);
		o->score = r.heap[i].score;
		o->readiness = r.heap[i].r;
		o->growth = r.heap[i].g;
		o->career = r.heap[i].c;
		o->logistics = r.heap[i].l;
		o->distance_km = r.heap[i].dist;
	}
	*nout = r.n;
	free(r.heap);
	free(r.seen);
	return 0;
}

/* Reasons. */

static int add(json_t *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * add: appends a sentence to a.  Names come from data files and listing
 * bodies; bytes that are not UTF-8 (or a character cut by the length
 * limit) become '?' so that the sentence is always a valid JSON string.
 */
static int
add(json_t *a, const char *fmt, ...)
{
	char buf[512];
	unsigned char *p, *end;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p = (unsigned char *)buf;
	end = p + strlen(buf);
	while (p < end) {
		if ((n = utf8_len(p, end)) == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return json_array_append_new(a, json_string(buf)) == 0 ? 0 :
	    MENTOR_ENOMEM;
}

static const char *
comp_name(const struct match_index *mi, uint32_t cid)
{
	const char *id = mi->comp.s[cid], *n;

	return (n = fw_competency_name(mi->fw, id)) != NULL ? n : id;
}

static const char *
occ_title(const struct match_index *mi, const char *code)
{
	const char *t = fw_occupation_title(mi->fw, code);

	return t != NULL ? t : code;
}

static const char *
cluster_title(const struct match_index *mi, const char *code)
{
	const char *t = fw_cluster_name(mi->fw, code);

	return t != NULL ? t : code;
}

static int
explain_career(const struct match_index *mi, const struct match_student *ms,
    const struct hot *h, const struct cold *c, const uint32_t *occ, json_t *a)
{
	static const char *const how[] = { "same major group",
	    "same minor group", "same broad group" };
	const char *goal = NULL;
	uint32_t gb, m;
	size_t g, i;
	int best = 0, pts, b;

	for (g = 0; g < ms->ngoal_occ; g++)
		for (i = 0; i < h->nocc; i++) {
			if (occ[i] >= ms->nocc)
				continue;
			pts = closeness(ms->goal_occ[g], mi->occ.s[occ[i]]);
			if (pts > best) {
				best = pts;
				goal = ms->goal_occ[g];
			}
		}
	if (best >= 12 && add(a, "Matches your goal: %s",
	    occ_title(mi, goal)) != 0)
		return MENTOR_ENOMEM;
	if (best > 0 && best < 12 && add(a, "Close to your goal: %s (%s)",
	    occ_title(mi, goal), how[best / 3 - 1]) != 0)
		return MENTOR_ENOMEM;
	if ((h->cmask & ms->smask) == 0)
		return 0;
	for (g = 0; g < ms->ngoal_cl; g++) {
		gb = ms->goal_cl_bit[g];
		if ((h->cmask & gb) == 0)
			continue;
		if (c->own & gb)
			return add(a, "In your career cluster: %s",
			    cluster_title(mi, ms->goal_cl[g]));
		/* Through the crosswalk: name the listing's own cluster. */
		for (m = c->own; m != 0; m &= m - 1) {
			b = lowbit(m);
			if (mi->cl_mask[b] & gb)
				return add(a, "In your career cluster: %s "
				    "(listed as %s)",
				    cluster_title(mi, ms->goal_cl[g]),
				    cluster_title(mi, mi->cl_code[b]));
		}
	}
	return 0;
}

int
match_explain(const struct match_index *mi, const struct match_student *ms,
    const struct match_hit *hit, json_t **reasons)
{
	const struct hot *h;
	const struct cold *c;
	const uint32_t *p, *req, *dev;
	json_t *a;
	double d;
	uint32_t i, cid, s, lvl, met;
	int64_t slot;

	if (mi == NULL || ms == NULL || hit == NULL || reasons == NULL)
		return MENTOR_EINVAL;
	if ((slot = addr_find(mi, hit->addr)) < 0)
		return MENTOR_ENOTFOUND;
	h = &mi->hot[slot];
	c = &mi->cold[slot];
	p = mi->pool + h->pool;
	req = p + h->nocc;
	dev = req + h->nreq;
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;

	for (i = 0, met = 0; i < h->nreq; i++) {
		cid = req[i] >> 3;
		s = cid < ms->ncomp ? ms->lvl[cid] : 0;
		if (s >= (req[i] & 7))
			met++;
	}
	if (h->nreq == 0) {
		if (add(a, "No skills required") != 0)
			goto nomem;
	} else if (add(a, "You meet %u of %u required skill%s", met,
	    (unsigned)h->nreq, h->nreq == 1 ? "" : "s") != 0)
		goto nomem;
	for (i = 0; i < h->nreq; i++) {
		cid = req[i] >> 3;
		lvl = req[i] & 7;
		s = cid < ms->ncomp ? ms->lvl[cid] : 0;
		if (s < lvl && add(a, "Needs %s at level %u (you are at %u)",
		    comp_name(mi, cid), lvl, s) != 0)
			goto nomem;
	}
	for (i = 0; i < h->ndev; i++) {
		cid = dev[i] >> 3;
		lvl = dev[i] & 7;
		s = cid < ms->ncomp ? ms->lvl[cid] : 0;
		if (s < lvl && add(a, "Develops %s to level %u (you are at %u)",
		    comp_name(mi, cid), lvl, s) != 0)
			goto nomem;
	}
	if (explain_career(mi, ms, h, c, p, a) != 0)
		goto nomem;
	if (h->flags & M_VIRTUAL) {
		if (add(a, "Virtual: no travel needed") != 0)
			goto nomem;
	} else if (ms->has_loc) {
		d = haversine(ms->lat, ms->lon, ms->coslat, h->lat, h->lon,
		    h->coslat);
		if (d < 1.0) {
			if (add(a, "Less than 1 km away%s",
			    (h->flags & M_HYBRID) ? " (hybrid)" : "") != 0)
				goto nomem;
		} else if (add(a, "%.0f km away%s", floor(d + 0.5),
		    (h->flags & M_HYBRID) ? " (hybrid)" : "") != 0)
			goto nomem;
	}
	*reasons = a;
	return 0;
nomem:
	json_decref(a);
	return MENTOR_ENOMEM;
}

static int
add_modalities(json_t *a, uint8_t listing, uint8_t student)
{
	static const struct {
		uint8_t		 bit;
		const char	*name;
	} names[] = { { M_IN_PERSON, "in person" }, { M_VIRTUAL, "virtual" },
	    { M_HYBRID, "hybrid" } };
	char list[64] = "";
	const char *what = "?";
	size_t i;

	for (i = 0; i < NELEM(names); i++) {
		if (listing & names[i].bit)
			what = names[i].name;
		if (student & names[i].bit)
			snprintf(list + strlen(list), sizeof(list) -
			    strlen(list), "%s%s", list[0] ? ", " : "",
			    names[i].name);
	}
	return add(a, "It is %s; you chose %s", what, list[0] ? list :
	    "none");
}

int
match_check(const struct match_index *mi, const struct match_student *ms,
    const uint8_t addr[MATCH_ADDR_LEN], int64_t now_ms,
    struct match_hit *hit, json_t **why_not)
{
	const struct hot *h;
	const uint32_t *p;
	json_t *a;
	char date[11];
	double d = -1.0;
	uint32_t i, it, cid, s, sum, gap;
	int32_t day;
	int64_t slot;
	int op, career;

	if (mi == NULL || ms == NULL || hit == NULL || why_not == NULL)
		return MENTOR_EINVAL;
	if ((slot = addr_find(mi, addr)) < 0)
		return MENTOR_ENOTFOUND;
	h = &mi->hot[slot];
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	memset(hit, 0, sizeof(*hit));
	memcpy(hit->addr, addr, MATCH_ADDR_LEN);
	hit->distance_km = -1.0;
	if (now_ms >= h->expires_ms && add(a, "It has expired") != 0)
		goto nomem;
	if ((h->flags & F_ANY_FULL) && add(a, "It is full: every place is "
	    "taken") != 0)
		goto nomem;
	if (h->end != NONE_DAY && h->end < ms->today) {
		date_format(date, h->end);
		if (add(a, "It ended on %s", date) != 0)
			goto nomem;
	}
	day = h->start == NONE_DAY ? ms->today : h->start;
	if (day < ms->turn[h->min_age] && add(a, "You must be %u or older%s",
	    (unsigned)h->min_age, h->start == NONE_DAY ? "" :
	    " on the start date") != 0)
		goto nomem;
	if ((h->flags & ms->chosen) == 0 &&
	    add_modalities(a, h->flags, ms->chosen) != 0)
		goto nomem;
	if (!(h->flags & M_VIRTUAL)) {
		if (!ms->has_loc) {
			if (add(a, "It takes place in person and your "
			    "profile has no location") != 0)
				goto nomem;
		} else {
			d = haversine(ms->lat, ms->lon, ms->coslat, h->lat,
			    h->lon, h->coslat);
			hit->distance_km = d;
			if (d > ms->maxd && add(a, "It is %.0f km (%.0f mi) "
			    "away; you travel up to %.0f km (%.0f mi)",
			    floor(d + 0.5), floor(d / 1.609344 + 0.5),
			    ms->maxd, floor(ms->maxd / 1.609344 + 0.5)) != 0)
				goto nomem;
		}
	}
	/* The score as visit() computes it, whether or not it passes. */
	p = mi->pool + h->pool;
	for (i = 0, op = 0; i < h->nocc; i++)
		if (p[i] < ms->nocc && ms->occpts[p[i]] > op)
			op = ms->occpts[p[i]];
	career = ((h->cmask & ms->smask) ? 15 : 0) + op;
	hit->career = career > 30 ? 30 : career;
	p += h->nocc;
	if (h->nreq == 0)
		hit->readiness = 40;
	else {
		for (i = 0, sum = 0; i < h->nreq; i++) {
			it = p[i];
			cid = it >> 3;
			s = cid < ms->ncomp ? ms->lvl[cid] : 0;
			sum += credit[it & 7][s];
		}
		hit->readiness = (int)((80 * sum + 12u * h->nreq) /
		    (24u * h->nreq));
	}
	p += h->nreq;
	for (i = 0, gap = 0; i < h->ndev; i++) {
		it = p[i];
		cid = it >> 3;
		s = cid < ms->ncomp ? ms->lvl[cid] : 0;
		if (s < (it & 7))
			gap += (it & 7) - s;
	}
	hit->growth = gap >= 4 ? 20 : 5 * (int)gap;
	if (h->flags & M_VIRTUAL)
		hit->logistics = 10;
	else if (d >= 0 && d <= ms->maxd)
		hit->logistics = logistics(d, ms->maxd);
	hit->score = hit->readiness + hit->growth + hit->career +
	    hit->logistics;
	*why_not = a;
	return 0;
nomem:
	json_decref(a);
	return MENTOR_ENOMEM;
}

static const char *const level_words[LEVEL_MAX + 1] = { "none", "beginning",
    "developing", "proficient", "advanced" };

/* level_phrase: "developing (2 of 4)"; "none yet" for 0. */
static void
level_phrase(char *out, size_t len, uint32_t lvl)
{
	if (lvl == 0)
		snprintf(out, len, "none yet");
	else
		snprintf(out, len, "%s (%u of %d)", level_words[lvl <= LEVEL_MAX ?
		    lvl : LEVEL_MAX], lvl, LEVEL_MAX);
}

/* detail: appends {"kind", "text", fields...}; fields consumed. */
static int
detail(json_t *a, const char *kind, json_t *fields, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
detail(json_t *a, const char *kind, json_t *fields, const char *fmt, ...)
{
	json_t *tmp, *text;
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* add() makes the text valid UTF-8. */
	if (fields == NULL || (tmp = json_array()) == NULL) {
		json_decref(fields);
		return MENTOR_ENOMEM;
	}
	if (add(tmp, "%s", buf) != 0) {
		json_decref(tmp);
		json_decref(fields);
		return MENTOR_ENOMEM;
	}
	text = json_array_get(tmp, 0);
	json_object_set_new(fields, "kind", json_string(kind));
	json_object_set(fields, "text", text);
	json_decref(tmp);
	return json_array_append_new(a, fields) == 0 ? 0 : MENTOR_ENOMEM;
}

int
match_explain_detail(const struct match_index *mi,
    const struct match_student *ms, const struct match_hit *hit,
    json_t **reasons)
{
	static const struct {
		const char	*prefix;
		const char	*kind;
	} career[] = { { "Matches your goal: ", "goal" },
	    { "Close to your goal: ", "close" },
	    { "In your career cluster: ", "cluster" } };
	const struct hot *h;
	const struct cold *c;
	const uint32_t *p, *req, *dev;
	char want[48], have[48];
	json_t *a, *tmp = NULL, *v;
	const char *s, *kind;
	double d;
	uint32_t i, k, cid, lv, lvl, met;
	int64_t slot;
	size_t j;

	if (mi == NULL || ms == NULL || hit == NULL || reasons == NULL)
		return MENTOR_EINVAL;
	if ((slot = addr_find(mi, hit->addr)) < 0)
		return MENTOR_ENOTFOUND;
	h = &mi->hot[slot];
	c = &mi->cold[slot];
	p = mi->pool + h->pool;
	req = p + h->nocc;
	dev = req + h->nreq;
	if ((a = json_array()) == NULL)
		return MENTOR_ENOMEM;
	for (i = 0, met = 0; i < h->nreq; i++) {
		cid = req[i] >> 3;
		lv = cid < ms->ncomp ? ms->lvl[cid] : 0;
		if (lv >= (req[i] & 7))
			met++;
	}
	if (h->nreq == 0) {
		if (detail(a, "none_required", json_object(),
		    "No skills required") != 0)
			goto nomem;
	} else if (detail(a, "meet", json_pack("{s:i,s:i}", "met", (int)met,
	    "of", (int)h->nreq), "You meet %u of %u required skill%s", met,
	    (unsigned)h->nreq, h->nreq == 1 ? "" : "s") != 0)
		goto nomem;
	for (k = 0; k < 2; k++) {
		const uint32_t *items = k == 0 ? req : dev;
		uint32_t n = k == 0 ? h->nreq : h->ndev;

		for (i = 0; i < n; i++) {
			cid = items[i] >> 3;
			lvl = items[i] & 7;
			lv = cid < ms->ncomp ? ms->lvl[cid] : 0;
			if (lv >= lvl)
				continue;
			level_phrase(want, sizeof(want), lvl);
			level_phrase(have, sizeof(have), lv);
			if (detail(a, k == 0 ? "needs" : "develops",
			    json_pack("{s:s,s:s,s:i,s:i,s:i}", "competency",
			    mi->comp.s[cid], "skill", comp_name(mi, cid),
			    "level", (int)lvl, "have", (int)lv, "of",
			    LEVEL_MAX), k == 0 ? "Needs %s at %s; you are at %s" :
			    "Develops %s to %s; you are at %s",
			    comp_name(mi, cid), want, have) != 0)
				goto nomem;
		}
	}
	if ((tmp = json_array()) == NULL ||
	    explain_career(mi, ms, h, c, p, tmp) != 0)
		goto nomem;
	json_array_foreach(tmp, j, v) {
		s = json_string_value(v);
		kind = "career";
		for (k = 0; k < NELEM(career); k++)
			if (strncmp(s, career[k].prefix,
			    strlen(career[k].prefix)) == 0)
				kind = career[k].kind;
		if (detail(a, kind, json_object(), "%s", s) != 0)
			goto nomem;
	}
	json_decref(tmp);
	tmp = NULL;
	if (h->flags & M_VIRTUAL) {
		if (detail(a, "virtual", json_object(),
		    "Virtual: no travel needed") != 0)
			goto nomem;
	} else if (ms->has_loc) {
		d = haversine(ms->lat, ms->lon, ms->coslat, h->lat, h->lon,
		    h->coslat);
		v = json_pack("{s:f,s:f,s:b}", "km", floor(d * 10 + 0.5) / 10,
		    "mi", floor(d / 1.609344 * 10 + 0.5) / 10, "hybrid",
		    (h->flags & M_HYBRID) != 0);
		if (d < 1.0 ? detail(a, "distance", v, "Less than 1 km "
		    "(0.6 mi) away%s", (h->flags & M_HYBRID) ? " (hybrid)" :
		    "") != 0 : detail(a, "distance", v, "%.0f km (%.0f mi) "
		    "away%s", floor(d + 0.5), floor(d / 1.609344 + 0.5),
		    (h->flags & M_HYBRID) ? " (hybrid)" : "") != 0)
			goto nomem;
	}
	*reasons = a;
	return 0;
nomem:
	json_decref(tmp);
	json_decref(a);
	return MENTOR_ENOMEM;
}
