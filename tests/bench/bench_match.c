/*
 * bench_match.c: ranking latency of the matcher (daemon/match.h) over
 * synthetic listings: 10k, 100k and 1M listings, 200 students, top 10,
 * one thread; index build time and memory at 1M.  The same data goes to
 * tests/bench/match_peer.py, a plain numpy implementation of the same
 * scoring, whose latency and agreement with our rankings share the table.
 *
 * Run from the repository root (tests/bench/run.sh does):
 *   build/tests/bench_match [-n LISTINGS] [-s STUDENTS] [--no-peer] [-v]
 * (-v: one line per student and size on stderr: latency, hits, profile)
 * MATCH_PEER (default "/usr/bin/python3 tests/bench/match_peer.py") is the
 * peer command; it gets the data directory as its last argument.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mentor.h"
#include "util.h"
#include "listing.h"
#include "frameworks.h"
#include "match.h"

#define SEED		UINT64_C(0x6d656e746f726421)	/* "mentord!" */
#define DATA		"contrib/data"
#define TOP		10
#define NSIZES		3
#define MAXITEMS	3	/* occupations, requires, develops per listing */
#define NCOMP_MAX	128
#define NOCC_MAX	1024
#define PROFILE		12	/* competencies typical of a major group */
#define DAY_MS		(86400 * (int64_t)1000)

static const size_t sizes[NSIZES] = { 10000, 100000, 1000000 };

/* ---- the synthetic world ---- */

static char	comp[NCOMP_MAX][16];	/* "2.A.1.a" (no "onet:") */
static int	ncomp;
static char	occ[NOCC_MAX][11];	/* O*NET-SOC codes */
static int	nocc;
static int	profile[100][PROFILE];	/* per SOC major group */
static int32_t	today;
static int64_t	now;

/* SOC major group -> cluster codes of both frameworks. */
static const struct {
	int		 major;
	const char	*c16, *c14;
} majors[] = {
	{ 11, "business-management-administration", "management-entrepreneurship" },
	{ 13, "finance", "financial-services" },
	{ 15, "information-technology", "digital-technology" },
	{ 17, "stem", "advanced-manufacturing" },
	{ 19, "stem", "energy-natural-resources" },
	{ 21, "human-services", "healthcare-human-services" },
	{ 23, "law-public-safety-corrections-security", "public-service-safety" },
	{ 25, "education-training", "education" },
	{ 27, "arts-av-technology-communications", "arts-entertainment-design" },
	{ 29, "health-science", "healthcare-human-services" },
	{ 31, "health-science", "healthcare-human-services" },
	{ 33, "law-public-safety-corrections-security", "public-service-safety" },
	{ 35, "hospitality-tourism", "hospitality-events-tourism" },
	{ 37, "hospitality-tourism", "hospitality-events-tourism" },
	{ 39, "human-services", "healthcare-human-services" },
	{ 41, "marketing", "marketing-sales" },
	{ 43, "business-management-administration", "management-entrepreneurship" },
	{ 45, "agriculture-food-natural-resources", "agriculture" },
	{ 47, "architecture-construction", "construction" },
	{ 49, "transportation-distribution-logistics", "supply-chain-transportation" },
	{ 51, "manufacturing", "advanced-manufacturing" },
	{ 53, "transportation-distribution-logistics", "supply-chain-transportation" },
};

#define NMAJORS	(sizeof(majors) / sizeof(majors[0]))

static const char *const all_clusters[] = {
	"agriculture-food-natural-resources", "architecture-construction",
	"arts-av-technology-communications",
	"business-management-administration", "education-training", "finance",
	"government-public-administration", "health-science",
	"hospitality-tourism", "human-services", "information-technology",
	"law-public-safety-corrections-security", "manufacturing", "marketing",
	"stem", "transportation-distribution-logistics",
	"advanced-manufacturing", "agriculture", "arts-entertainment-design",
	"construction", "digital-technology", "education",
	"energy-natural-resources", "financial-services",
	"healthcare-human-services", "hospitality-events-tourism",
	"management-entrepreneurship", "marketing-sales",
	"public-service-safety", "supply-chain-transportation",
};

/* Metro areas and their share of located listings (percent). */
static const struct {
	double	lat, lon;
	int	weight;
} metros[] = {
	{ 41.88, -87.63, 20 },	/* Chicago */
	{ 40.71, -74.01, 18 },	/* New York */
	{ 34.05, -118.24, 14 },	/* Los Angeles */
	{ 29.76, -95.37, 10 },	/* Houston */
	{ 33.75, -84.39, 8 },	/* Atlanta */
	{ 39.74, -104.99, 7 },	/* Denver */
	{ 47.61, -122.33, 7 },	/* Seattle */
	{ 33.45, -112.07, 6 },	/* Phoenix */
	{ 44.98, -93.27, 5 },	/* Minneapolis */
	{ 40.70, -89.59, 5 },	/* Peoria */
};

#define NMETROS	(sizeof(metros) / sizeof(metros[0]))

struct prng {
	uint64_t s;
};

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t
rnd(struct prng *p, uint32_t n)
{
	return (uint32_t)((splitmix(&p->s) >> 32) % n);
}

static double
unif(struct prng *p)
{
	return (double)(splitmix(&p->s) >> 11) / 9007199254740992.0;
}

/* gauss: approximately normal (the sum of four uniforms), sd 1. */
static double
gauss(struct prng *p)
{
	return (unif(p) + unif(p) + unif(p) + unif(p) - 2.0) * 1.7320508;
}

static int
major_index(int major)
{
	size_t i;

	for (i = 0; i < NMAJORS; i++)
		if (majors[i].major == major)
			return (int)i;
	return -1;
}

static int
occ_major(int o)
{
	return (occ[o][0] - '0') * 10 + (occ[o][1] - '0');
}

/* Reads the competency ids and O*NET-SOC codes of the shipped data. */
static int
load_world(void)
{
	char line[512], *tab;
	FILE *f;
	struct prng p = { SEED ^ 1 };
	int m, i, j, k, dup;

	if ((f = fopen(DATA "/onet-elements.tsv", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL && ncomp < NCOMP_MAX) {
		if (line[0] < '0' || line[0] > '9' ||
		    (tab = strchr(line, '\t')) == NULL ||
		    (size_t)(tab - line) >= sizeof(comp[0]))
			continue;
		memcpy(comp[ncomp++], line, (size_t)(tab - line));
	}
	fclose(f);
	if ((f = fopen(DATA "/soc.tsv", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL && nocc < NOCC_MAX) {
		if ((tab = strchr(line, '\t')) == NULL || tab - line != 10)
			continue;
		*tab = '\0';
		if (major_index((line[0] - '0') * 10 + (line[1] - '0')) < 0)
			continue;
		memcpy(occ[nocc++], line, 11);
	}
	fclose(f);
	if (ncomp < PROFILE || nocc == 0)
		return -1;
	for (m = 0; m < 100; m++)
		for (i = 0; i < PROFILE; i++)
			do {
				k = (int)rnd(&p, (uint32_t)ncomp);
				for (j = 0, dup = 0; j < i; j++)
					dup |= profile[m][j] == k;
				profile[m][i] = k;
			} while (dup);
	return 0;
}

/* One synthetic listing, in the form the peer loads. */
struct lrow {
	int64_t		expires;
	uint8_t		full, mod, min_age, nocc, nreq, ndev;
	int32_t		start, end;		/* INT32_MAX: none */
	double		lat, lon;
	uint64_t	cmask;
	int32_t		occ[MAXITEMS];		/* NNNNNNNN, -1 pad */
	int16_t		req[MAXITEMS], dev[MAXITEMS];	/* comp index */
	uint8_t		req_lvl[MAXITEMS], dev_lvl[MAXITEMS];
	uint64_t	addr_hi, addr_lo;
};

static int32_t
occ_int(int o)
{
	const char *s = occ[o];

	return (int32_t)atoi(s) * 1000000 + atoi(s + 3) * 100 + atoi(s + 8);
}

static int
pick_comp(struct prng *p, int major, int16_t *have, int n)
{
	int c, i, dup;

	do {
		c = rnd(p, 5) != 0 ? profile[major][rnd(p, PROFILE)] :
		    (int)rnd(p, (uint32_t)ncomp);
		for (i = 0, dup = 0; i < n; i++)
			dup |= have[i] == c;
	} while (dup);
	return c;
}

static void
addr_of(size_t i, uint8_t addr[MATCH_ADDR_LEN], struct lrow *r)
{
	uint64_t s = SEED ^ (uint64_t)i, h = splitmix(&s);

	put_be64(addr, h);
	put_be32(addr + 8, (uint32_t)i);
	put_be32(addr + 12, 0);
	r->addr_hi = h;
	r->addr_lo = (uint64_t)i << 32;
}

/*
 * gen_listing: listing i of the synthetic set (the same i gives the same
 * listing, so smaller sets are prefixes of larger ones): its body in buf
 * and its row in *r.  Returns the body length.
 */
static size_t
gen_listing(const struct frameworks *fw, size_t i, char *buf, size_t len,
    struct lrow *r, uint8_t addr[MATCH_ADDR_LEN])
{
	static const char *const kinds[] = { "mentorship", "job_shadow",
	    "internship", "apprenticeship", "project" };
	static const int ages[] = { 0, 0, 0, 0, 14, 14, 14, 16, 16, 18 };
	struct prng p = { SEED + (uint64_t)i * UINT64_C(0x2545f4914f6cdd1d) };
	const char *cl[2];
	char d1[11], d2[11];
	size_t off;
	int o, mj, k, n, ncl, m, w, j;
	double sc;

	memset(r, 0, sizeof(*r));
	addr_of(i, addr, r);
	o = (int)rnd(&p, (uint32_t)nocc);
	mj = major_index(occ_major(o));
	r->occ[0] = occ_int(o);
	r->nocc = 1;
	n = (int)rnd(&p, 3);
	for (k = 0; k < n; k++) {
		int o2, dup, t;

		do {
			o2 = (int)rnd(&p, (uint32_t)nocc);
			if (rnd(&p, 5) < 3)	/* mostly the same major group */
				for (t = 0; t < 50 && occ_major(o2) !=
				    occ_major(o); t++)
					o2 = (int)rnd(&p, (uint32_t)nocc);
			for (j = 0, dup = 0; j < r->nocc; j++)
				dup |= r->occ[j] == occ_int(o2);
		} while (dup);
		r->occ[r->nocc++] = occ_int(o2);
	}
	for (k = r->nocc; k < MAXITEMS; k++)
		r->occ[k] = -1;
	cl[0] = rnd(&p, 2) ? majors[mj].c16 : majors[mj].c14;
	ncl = 1;
	if (rnd(&p, 10) < 3) {
		cl[1] = all_clusters[rnd(&p, 30)];
		if (strcmp(cl[1], cl[0]) != 0)
			ncl = 2;
	}
	for (k = 0; k < ncl; k++)
		r->cmask |= fw_cluster_mask(fw, cl[k]);
	r->nreq = (uint8_t)(1 + rnd(&p, 3));
	for (k = 0; k < MAXITEMS; k++)
		r->req[k] = r->dev[k] = -1;
	for (k = 0; k < r->nreq; k++) {
		r->req[k] = (int16_t)pick_comp(&p, majors[mj].major, r->req, k);
		r->req_lvl[k] = (uint8_t)(1 + rnd(&p, 3));
	}
	r->ndev = (uint8_t)(1 + rnd(&p, 3));
	for (k = 0; k < r->ndev; k++) {
		r->dev[k] = (int16_t)pick_comp(&p, majors[mj].major, r->dev, k);
		r->dev_lvl[k] = (uint8_t)(2 + rnd(&p, 3));
	}
	k = (int)rnd(&p, 6);
	r->mod = k < 2 ? 2 : k < 5 ? 1 : 4;	/* 1/3 virtual, 1/6 hybrid */
	if (r->mod != 2) {
		w = (int)rnd(&p, 100);
		for (m = 0; m < (int)NMETROS - 1 && w >= metros[m].weight; m++)
			w -= metros[m].weight;
		sc = 25.0 / 111.0;	/* about 25 km */
		r->lat = metros[m].lat + gauss(&p) * sc;
		r->lon = metros[m].lon + gauss(&p) * sc /
		    cos(metros[m].lat * 3.14159265358979 / 180.0);
	}
	r->start = r->end = INT32_MAX;
	k = (int)rnd(&p, 100);
	if (k < 70) {
		r->start = today - 30 + (int32_t)rnd(&p, 330);
		r->end = r->start + 5 + (int32_t)rnd(&p, 115);
	} else if (k < 73) {
		r->end = today - 1 - (int32_t)rnd(&p, 30);
		r->start = r->end - 5 - (int32_t)rnd(&p, 60);
	}
	r->min_age = (uint8_t)ages[rnd(&p, 10)];
	r->expires = rnd(&p, 50) == 0 ? now - (int64_t)rnd(&p, 1000000) :
	    now + DAY_MS + (int64_t)rnd(&p, 399) * DAY_MS;
	r->full = rnd(&p, 33) == 0;

	off = (size_t)snprintf(buf, len, "{\"capacity\":%u,\"clusters\":[",
	    1 + rnd(&p, 4));
	for (k = 0; k < ncl; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"%s\"",
		    k ? "," : "", cl[k]);
	off += (size_t)snprintf(buf + off, len - off, "],\"develops\":[");
	for (k = 0; k < r->ndev; k++)
		off += (size_t)snprintf(buf + off, len - off,
		    "%s{\"competency\":\"onet:%s\",\"level\":%d}", k ? "," : "",
		    comp[r->dev[k]], r->dev_lvl[k]);
	off += (size_t)snprintf(buf + off, len - off, "]");
	if (r->end != INT32_MAX) {
		date_format(d2, r->end);
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"end\":\"%s\"", d2);
	}
	off += (size_t)snprintf(buf + off, len - off, ",\"kind\":\"%s\"",
	    kinds[rnd(&p, 5)]);
	if (r->mod != 2)
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"location\":{\"lat\":%.17g,\"lon\":%.17g}", r->lat,
		    r->lon);
	if (r->min_age > 0)
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"min_age\":%d", r->min_age);
	off += (size_t)snprintf(buf + off, len - off,
	    ",\"modality\":\"%s\",\"occupations\":[",
	    r->mod == 1 ? "in_person" : r->mod == 2 ? "virtual" : "hybrid");
	for (k = 0; k < r->nocc; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"%02d-%04d.%02d\"",
		    k ? "," : "", r->occ[k] / 1000000, r->occ[k] / 100 % 10000,
		    r->occ[k] % 100);
	off += (size_t)snprintf(buf + off, len - off,
	    "],\"organization\":\"Employer %zu\",\"requires\":[", i % 9973);
	for (k = 0; k < r->nreq; k++)
		off += (size_t)snprintf(buf + off, len - off,
		    "%s{\"competency\":\"onet:%s\",\"level\":%d}", k ? "," : "",
		    comp[r->req[k]], r->req_lvl[k]);
	off += (size_t)snprintf(buf + off, len - off, "]");
	if (r->start != INT32_MAX) {
		date_format(d1, r->start);
		off += (size_t)snprintf(buf + off, len - off,
		    ",\"start\":\"%s\"", d1);
	}
	off += (size_t)snprintf(buf + off, len - off,
	    ",\"title\":\"Opportunity %zu\"}", i);
	return off;
}

/* One synthetic student, in the form the peer loads. */
struct srow {
	int32_t		by, bm, bd;
	uint8_t		has_loc, modmask;
	double		lat, lon, maxd;
	uint64_t	smask;
	int32_t		goal[MAXITEMS];
	uint8_t		lvl[NCOMP_MAX];
};

static json_t *
gen_student(const struct frameworks *fw, int i, struct srow *s)
{
	static const char *const mods[][3] = {
		{ "in_person", "virtual", "hybrid" },
		{ "in_person", "virtual", NULL },
		{ "virtual", NULL, NULL },
		{ "in_person", "hybrid", NULL },
	};
	struct prng p = { SEED ^ (UINT64_C(0xabcdef) + (uint64_t)i * 7919) };
	json_t *st, *comps, *cls, *occs, *mod;
	char bd[11], id[24];
	int o, mj, k, n, m, w, c, mi;
	int32_t birth;
	double sc;

	memset(s, 0, sizeof(*s));
	o = (int)rnd(&p, (uint32_t)nocc);
	mj = major_index(occ_major(o));
	birth = today - 14 * 365 - (int32_t)rnd(&p, 5 * 365);
	date_format(bd, birth);
	s->by = atoi(bd);
	s->bm = atoi(bd + 5);
	s->bd = atoi(bd + 8);
	comps = json_object();
	n = 4 + (int)rnd(&p, 5);
	for (k = 0; k < n; k++) {
		c = rnd(&p, 4) ? profile[majors[mj].major][rnd(&p, PROFILE)] :
		    (int)rnd(&p, (uint32_t)ncomp);
		s->lvl[c] = (uint8_t)(1 + rnd(&p, 4));
		snprintf(id, sizeof(id), "onet:%s", comp[c]);
		json_object_set_new(comps, id, json_integer(s->lvl[c]));
	}
	cls = json_array();
	occs = json_array();
	for (k = 0; k < MAXITEMS; k++)
		s->goal[k] = -1;
	if (rnd(&p, 20) != 0) {
		const char *c1 = rnd(&p, 2) ? majors[mj].c16 : majors[mj].c14;

		json_array_append_new(cls, json_string(c1));
		s->smask |= UINT64_C(1) << fw_cluster_index(fw, c1);
		if (rnd(&p, 4) == 0) {
			const char *c2 = all_clusters[rnd(&p, 30)];

			if (strcmp(c1, c2) != 0) {
				json_array_append_new(cls, json_string(c2));
				s->smask |= UINT64_C(1) <<
				    fw_cluster_index(fw, c2);
			}
		}
		n = rnd(&p, 10) == 0 ? 0 : 1 + (int)rnd(&p, 3);
		for (k = 0, m = 0; k < n; k++) {
			int o2 = k == 0 ? o : (int)rnd(&p, (uint32_t)nocc), j,
			    dup;

			for (j = 0; j < 50 && occ_major(o2) != occ_major(o);
			    j++)
				o2 = (int)rnd(&p, (uint32_t)nocc);
			for (j = 0, dup = 0; j < m; j++)
				dup |= s->goal[j] == occ_int(o2);
			if (dup)
				continue;
			s->goal[m++] = occ_int(o2);
			json_array_append_new(occs, json_string(occ[o2]));
		}
	}
	mi = (int)rnd(&p, 20);
	mod = json_array();
	k = mi < 10 ? 0 : mi < 15 ? 1 : mi < 18 ? 2 : 3;
	for (n = 0; n < 3 && mods[k][n] != NULL; n++) {
		json_array_append_new(mod, json_string(mods[k][n]));
		s->modmask |= strcmp(mods[k][n], "in_person") == 0 ? 1 :
		    strcmp(mods[k][n], "virtual") == 0 ? 2 : 4;
	}
	s->maxd = 10 + rnd(&p, 51);
	st = json_pack("{s:s,s:s,s:s,s:o,s:{s:o,s:o},s:i,s:o}",
	    "id", "S", "name", "N", "birth_date", bd, "competencies", comps,
	    "goals", "clusters", cls, "occupations", occs,
	    "max_distance_km", (int)s->maxd, "modality", mod);
	w = (int)rnd(&p, 100);
	if (w < 85) {
		w = (int)rnd(&p, 100);
		for (m = 0; m < (int)NMETROS - 1 && w >= metros[m].weight; m++)
			w -= metros[m].weight;
		sc = 20.0 / 111.0;
		s->lat = metros[m].lat + gauss(&p) * sc;
		s->lon = metros[m].lon + gauss(&p) * sc /
		    cos(metros[m].lat * 3.14159265358979 / 180.0);
		s->has_loc = 1;
	} else if (w < 95) {
		/* Rural: the plains, far from every metro above. */
		s->lat = 43.0 + unif(&p) * 4.0;
		s->lon = -103.0 + unif(&p) * 4.0;
		s->has_loc = 1;
	}
	if (s->has_loc)
		json_object_set_new(st, "location", json_pack("{s:f,s:f}",
		    "lat", s->lat, "lon", s->lon));
	return st;
}

/* ---- measuring ---- */

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double q)
{
	size_t i;

	qsort(v, n, sizeof(*v), dbl_cmp);
	i = (size_t)ceil(q * (double)n) - 1;
	return v[i >= n ? n - 1 : i];
}

static int
write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(p, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static const char *const lfiles[] = {
	"expires.i64", "full.u8", "mod.u8", "min_age.u8", "start.i32",
	"end.i32", "lat.f64", "lon.f64", "cmask.u64", "occ.i32", "req.i16",
	"req_lvl.u8", "dev.i16", "dev_lvl.u8", "addr_hi.u64", "addr_lo.u64",
};

/* Listing columns for the peer, appended chunk by chunk. */
static FILE *lcol[sizeof(lfiles) / sizeof(lfiles[0])];

static int
dump_open(const char *dir)
{
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(lfiles) / sizeof(lfiles[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lfiles[i]);
		if ((lcol[i] = fopen(path, "wb")) == NULL)
			return -1;
	}
	return 0;
}

static void
dump_row(const struct lrow *r)
{
	fwrite(&r->expires, 8, 1, lcol[0]);
	fwrite(&r->full, 1, 1, lcol[1]);
	fwrite(&r->mod, 1, 1, lcol[2]);
	fwrite(&r->min_age, 1, 1, lcol[3]);
	fwrite(&r->start, 4, 1, lcol[4]);
	fwrite(&r->end, 4, 1, lcol[5]);
	fwrite(&r->lat, 8, 1, lcol[6]);
	fwrite(&r->lon, 8, 1, lcol[7]);
	fwrite(&r->cmask, 8, 1, lcol[8]);
	fwrite(r->occ, 4, MAXITEMS, lcol[9]);
	fwrite(r->req, 2, MAXITEMS, lcol[10]);
	fwrite(r->req_lvl, 1, MAXITEMS, lcol[11]);
	fwrite(r->dev, 2, MAXITEMS, lcol[12]);
	fwrite(r->dev_lvl, 1, MAXITEMS, lcol[13]);
	fwrite(&r->addr_hi, 8, 1, lcol[14]);
	fwrite(&r->addr_lo, 8, 1, lcol[15]);
}

static int
dump_close(void)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(lfiles) / sizeof(lfiles[0]); i++)
		if (lcol[i] != NULL && fclose(lcol[i]) != 0)
			rc = -1;
	return rc;
}

static void
rm_dir(const char *dir)
{
	char path[512];
	size_t i;
	static const char *const other[] = { "meta.txt", "students.bin",
	    "ours.i64", "peer.txt" };

	for (i = 0; i < sizeof(lfiles) / sizeof(lfiles[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lfiles[i]);
		unlink(path);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, other[i]);
		unlink(path);
	}
	rmdir(dir);
}

struct result {
	double	p50, p99, mean;
	double	build_s;
	size_t	memory;
	size_t	hits;		/* over all students */
	double	peer_p50, peer_p99;
	int	agree, peer_ok;
};

int
main(int argc, char **argv)
{
	struct frameworks *fw = NULL;
	struct match_index *mi;
	struct match_student *ms;
	struct match_hit hits[TOP];
	struct result res[NSIZES];
	struct lrow row;
	struct srow *srows;
	json_t **students;
	uint8_t addr[MATCH_ADDR_LEN];
	char err[FW_ERR_MAX], dir[64], body[4096], cmd[1024], line[256];
	const char *peer;
	double t0, *lat, gen_s;
	int64_t *ours;
	size_t nstud = 200, maxn = sizes[NSIZES - 1], si, i, j, n, len, k;
	int use_peer = 1, rc, a, nsizes = NSIZES, verbose = 0;
	FILE *f;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--no-peer") == 0)
			use_peer = 0;
		else if (strcmp(argv[a], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[a], "-s") == 0 && a + 1 < argc)
			nstud = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc) {
			maxn = strtoul(argv[++a], NULL, 10);
			for (nsizes = 0; nsizes < NSIZES &&
			    sizes[nsizes] <= maxn; nsizes++)
				;
		} else {
			fprintf(stderr, "usage: bench_match [-n LISTINGS] "
			    "[-s STUDENTS] [--no-peer] [-v]\n");
			return 2;
		}
	}
	if (nsizes == 0 || nstud == 0)
		return 2;
	maxn = sizes[nsizes - 1];
	if ((rc = fw_load(&fw, DATA, err, sizeof(err))) != 0) {
		fprintf(stderr, "bench_match: %s (run from the repository "
		    "root)\n", err);
		return 1;
	}
	if (load_world() != 0) {
		fprintf(stderr, "bench_match: cannot read %s\n", DATA);
		return 1;
	}
	if (date_parse("2026-12-01", &today) != 0)
		return 1;
	now = (int64_t)today * DAY_MS + 13 * 3600 * (int64_t)1000;

	snprintf(dir, sizeof(dir), "/tmp/bench_match.XXXXXX");
	if (use_peer && (mkdtemp(dir) == NULL || dump_open(dir) != 0)) {
		fprintf(stderr, "bench_match: %s: %s; no peer\n", dir,
		    strerror(errno));
		use_peer = 0;
	}
	srows = calloc(nstud, sizeof(*srows));
	students = calloc(nstud, sizeof(*students));
	ours = malloc((size_t)nsizes * nstud * TOP * sizeof(*ours));
	lat = calloc(nstud, sizeof(*lat));
	if (srows == NULL || students == NULL || ours == NULL || lat == NULL)
		return 1;
	for (i = 0; i < nstud; i++)
		students[i] = gen_student(fw, (int)i, &srows[i]);

	memset(res, 0, sizeof(res));
	for (si = 0; si < (size_t)nsizes; si++) {
		n = sizes[si];
		if ((mi = mi_new(fw)) == NULL)
			return 1;
		gen_s = 0;
		res[si].build_s = 0;
		for (i = 0; i < n; i++) {
			t0 = mono();
			len = gen_listing(fw, i, body, sizeof(body), &row, addr);
			gen_s += mono() - t0;
			t0 = mono();
			if ((rc = mi_put(mi, addr, (const uint8_t *)body, len,
			    row.expires)) != 0) {
				fprintf(stderr, "bench_match: mi_put %zu: %s: "
				    "%s\n", i, mentor_strerror(rc), body);
				return 1;
			}
			if (row.full && mi_set_full(mi, addr, 1) != 0)
				return 1;
			res[si].build_s += mono() - t0;
			if (use_peer && si == (size_t)nsizes - 1)
				dump_row(&row);
		}
		res[si].memory = mi_memory(mi);

		/* A warm-up pass, then one timed pass. */
		for (k = 0; k < 2; k++)
			for (i = 0; i < nstud; i++) {
				t0 = mono();
				if (ms_compile(mi, students[i], today,
				    &ms) != 0 ||
				    match_rank(mi, ms, now, TOP, hits, &j) != 0)
					return 1;
				lat[i] = (mono() - t0) * 1e3;
				ms_free(ms);
				if (k == 0)
					continue;
				res[si].hits += j;
				if (verbose)
					fprintf(stderr, "%zu student %zu: %.3f ms, "
					    "%zu hits, best %d, k-th %d, loc %d, "
					    "mod %d, maxd %.0f, clusters %s, "
					    "goal %d\n", n, i, lat[i], j,
					    j ? hits[0].score : -1,
					    j ? hits[j - 1].score : -1,
					    srows[i].has_loc, srows[i].modmask,
					    srows[i].maxd,
					    srows[i].smask ? "yes" : "no",
					    srows[i].goal[0]);
				for (a = 0; a < TOP; a++)
					ours[(si * nstud + i) * TOP + a] =
					    a < (int)j ?
					    (int64_t)get_be32(hits[a].addr +
					    8) : -1;
			}
		for (i = 0, res[si].mean = 0; i < nstud; i++)
			res[si].mean += lat[i] / (double)nstud;
		res[si].p50 = pct(lat, nstud, 0.50);
		res[si].p99 = pct(lat, nstud, 0.99);
		mi_free(mi);
		fprintf(stderr, "bench_match: %zu listings: built in %.2f s "
		    "(+%.2f s generating), ranked\n", n, res[si].build_s,
		    gen_s);
	}

	if (use_peer) {
		struct {
			int32_t by, bm, bd;
			uint8_t has_loc, modmask, pad[2];
			double lat, lon, maxd;
			uint64_t smask;
			int32_t goal[MAXITEMS];
			uint8_t lvl[NCOMP_MAX];
		} *sb = calloc(nstud, sizeof(*sb));

		if (sb == NULL || dump_close() != 0)
			return 1;
		for (i = 0; i < nstud; i++) {
			sb[i].by = srows[i].by;
			sb[i].bm = srows[i].bm;
			sb[i].bd = srows[i].bd;
			sb[i].has_loc = srows[i].has_loc;
			sb[i].modmask = srows[i].modmask;
			sb[i].lat = srows[i].lat;
			sb[i].lon = srows[i].lon;
			sb[i].maxd = srows[i].maxd;
			sb[i].smask = srows[i].smask;
			memcpy(sb[i].goal, srows[i].goal, sizeof(sb[i].goal));
			memcpy(sb[i].lvl, srows[i].lvl, sizeof(sb[i].lvl));
		}
		snprintf(line, sizeof(line), "listings %zu\nstudents %zu\n"
		    "top %d\ntoday %d\nnow %lld\nncomp %d\nmaxitems %d\n"
		    "student_size %zu\nsizes", maxn, nstud, TOP, (int)today,
		    (long long)now, NCOMP_MAX, MAXITEMS, sizeof(*sb));
		{
			char meta[512];
			size_t off = (size_t)snprintf(meta, sizeof(meta),
			    "%s", line);

			for (si = 0; si < (size_t)nsizes; si++)
				off += (size_t)snprintf(meta + off,
				    sizeof(meta) - off, " %zu", sizes[si]);
			snprintf(meta + off, sizeof(meta) - off, "\n");
			if (write_file(dir, "meta.txt", meta,
			    strlen(meta)) != 0 ||
			    write_file(dir, "students.bin", sb,
			    nstud * sizeof(*sb)) != 0 ||
			    write_file(dir, "ours.i64", ours, (size_t)nsizes *
			    nstud * TOP * sizeof(*ours)) != 0)
				return 1;
		}
		free(sb);
		peer = getenv("MATCH_PEER");
		if (peer == NULL)
			peer = "/usr/bin/python3 tests/bench/match_peer.py";
		snprintf(cmd, sizeof(cmd), "%s %s", peer, dir);
		fprintf(stderr, "bench_match: running the numpy peer\n");
		if ((f = popen(cmd, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL) {
				size_t sz;
				double p50, p99;
				int agree;

				if (sscanf(line, "peer %zu %lf %lf %d", &sz,
				    &p50, &p99, &agree) != 4)
					continue;
				for (si = 0; si < (size_t)nsizes; si++)
					if (sizes[si] == sz) {
						res[si].peer_p50 = p50;
						res[si].peer_p99 = p99;
						res[si].agree = agree;
						res[si].peer_ok = 1;
					}
			}
			pclose(f);
		}
		rm_dir(dir);
	}

	printf("Matching: rank one student (ms_compile + match_rank, top %d) "
	    "for %zu synthetic students, one thread; numpy: the same filters "
	    "and score, vectorized (tests/bench/match_peer.py)\n\n", TOP,
	    nstud);
	printf("| listings | p50 ms | p99 ms | numpy p50 ms | numpy p99 ms | "
	    "p50 speed-up | same top %d as numpy |\n", TOP);
	printf("|---|---|---|---|---|---|---|\n");
	for (si = 0; si < (size_t)nsizes; si++) {
		if (res[si].peer_ok)
			printf("| %zu | %.3f | %.3f | %.1f | %.1f | %.0fx | "
			    "%d/%zu |\n", sizes[si], res[si].p50, res[si].p99,
			    res[si].peer_p50, res[si].peer_p99,
			    res[si].peer_p50 / res[si].p50, res[si].agree,
			    nstud);
		else
			printf("| %zu | %.3f | %.3f | n/a | n/a | - | - |\n",
			    sizes[si], res[si].p50, res[si].p99);
	}
	si = (size_t)nsizes - 1;
	printf("\nIndex build: %zu listings by mi_put from JSON bodies in "
	    "%.2f s (%.1f us each); mi_memory %.1f MiB (%.0f bytes a "
	    "listing).  Goals: p50 <= 0.3 ms at 100000 listings, <= 3 ms at "
	    "1000000.\n", sizes[si], res[si].build_s, res[si].build_s * 1e6 /
	    (double)sizes[si], res[si].memory / 1048576.0,
	    (double)res[si].memory / (double)sizes[si]);
	for (i = 0; i < nstud; i++)
		json_decref(students[i]);
	free(students);
	free(srows);
	free(ours);
	free(lat);
	fw_free(fw);
	return 0;
}
