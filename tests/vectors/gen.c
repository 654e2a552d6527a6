/*
 * gen.c: regenerates tests/vectors/records.txt, and optionally the seed
 * corpus of tests/fuzz/corpus/record, from fixed Ed25519 seeds.  Ed25519
 * signatures are deterministic, so the output is the same on every run.
 * Each vector's verdict is stated here and checked against rec_open, and
 * for records that pass it, the body verdict against body_check (SPEC.md
 * 4.7 "body"); a disagreement aborts the run.  From the repository root:
 *
 *   cc -std=c11 -D_DEFAULT_SOURCE -Iinclude -Iprotocol -o /tmp/gen \
 *       tests/vectors/gen.c protocol/record.c protocol/util.c \
 *       protocol/body.c protocol/listing.c protocol/check.c \
 *       -lsodium -ljansson
 *   /tmp/gen > tests/vectors/records.txt
 *   /tmp/gen -c tests/fuzz/corpus/record > /dev/null   (rewrites the seeds)
 *   /tmp/gen -a                                        (SPEC.md 8 dump)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "body.h"
#include "mentor.h"
#include "record.h"
#include "util.h"

#define NOW		1796000000000ULL	/* 2026-11-30T00:53:20Z */
#define DAY		86400000ULL
#define L_CREATED	1795900000000ULL
#define L_EXPIRES	1803859200000ULL	/* 2027-03-01T00:00:00Z */
#define REF		"weld-shadow-2027"
#define APP_ID		"7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b"
#define APP_CREATED	1795950000000ULL
#define ANS_CREATED	1795980000000ULL
#define PLC_MSG_ID	"0c5d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"
#define PLC_CREATED	1795990000000ULL
#define APP_LIFE	(90 * DAY)
#define SEALED_LEN	160	/* a sealed box of 112 octets of plaintext */

static const char listing_body[] =
    "{\"capacity\":2,\"clusters\":[\"manufacturing\"],\"description\":"
    "\"Two days in a structural welding shop.\",\"develops\":[{\"competency\":"
    "\"onet:2.B.3.m\",\"level\":3}],\"end\":\"2027-03-01\",\"kind\":"
    "\"job_shadow\",\"location\":{\"lat\":41.88,\"lon\":-87.63},\"min_age\":16,"
    "\"modality\":\"in_person\",\"occupations\":[\"51-4121.00\"],"
    "\"organization\":\"Acme Fabrication\",\"requires\":[{\"competency\":"
    "\"onet:2.B.3.h\",\"level\":2}],\"start\":\"2027-01-10\",\"title\":"
    "\"Welding shop job shadow\"}";

static const char listing_body_v2[] =
    "{\"capacity\":3,\"clusters\":[\"manufacturing\"],\"description\":"
    "\"Two days in a structural welding shop.\",\"develops\":[{\"competency\":"
    "\"onet:2.B.3.m\",\"level\":3}],\"end\":\"2027-03-01\",\"kind\":"
    "\"job_shadow\",\"location\":{\"lat\":41.88,\"lon\":-87.63},\"min_age\":16,"
    "\"modality\":\"in_person\",\"occupations\":[\"51-4121.00\"],"
    "\"organization\":\"Acme Fabrication\",\"requires\":[{\"competency\":"
    "\"onet:2.B.3.h\",\"level\":2}],\"start\":\"2027-01-10\",\"title\":"
    "\"Welding shop job shadow\"}";

static const char bad_json_body[] = "{\"title\":\"Broken\",";

struct key {
	uint8_t	pk[32];
	uint8_t	sk[64];
};

static struct key employer, hub, school;
static uint8_t school_curve[32];	/* derived from the school's key */
static uint8_t other_curve[32];		/* a CURVE key of nobody's */
static const char *corpus_dir;

/*
 * The body_check message the next emit() expects, as a prefix (for "not
 * JSON" the parser's own words follow, and they are not normative).
 */
static const char *expect_why;

/* Every vector that fits a frame, for one stream seed that has them all. */
static uint8_t all_buf[4 * REC_MAX_SIZE];
static size_t all_len;

static void
die(const char *what)
{
	fprintf(stderr, "gen: %s\n", what);
	exit(1);
}

/*
 * opaque: stands in for a sealed box.  Real ones are randomized; the record
 * layer never looks inside, so fixed bytes make a reproducible vector.
 */
static void
opaque(uint8_t *out, size_t n, uint8_t salt)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(i * 37 + salt);
}

static void
key_seed(struct key *k, uint8_t fill)
{
	uint8_t seed[32];

	memset(seed, fill, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
}

/*
 * raw: encodes without any validation, for the malformed vectors, and signs
 * with k.  ref_len is written as given (may disagree with the ref bytes).
 */
static size_t
raw(uint8_t *out, uint8_t version, uint8_t kind, const struct key *k,
    uint64_t created, uint64_t expires, const char *ref, size_t ref_len,
    const char *body, size_t body_len)
{
	size_t off = 0;

	out[off++] = REC_MAGIC0;
	out[off++] = REC_MAGIC1;
	out[off++] = version;
	out[off++] = kind;
	memcpy(out + off, k->pk, 32);
	off += 32;
	put_be64(out + off, created);
	off += 8;
	put_be64(out + off, expires);
	off += 8;
	out[off++] = (uint8_t)ref_len;
	memcpy(out + off, ref, ref_len);
	off += ref_len;
	put_be32(out + off, (uint32_t)body_len);
	off += 4;
	memcpy(out + off, body, body_len);
	off += body_len;
	crypto_sign_detached(out + off, NULL, out, off, k->sk);
	return off + 64;
}

static size_t
build(uint8_t *out, unsigned kind, const struct key *k, uint64_t created,
    uint64_t expires, const char *ref, const char *body)
{
	size_t n;

	if (rec_build(out, REC_MAX_SIZE, &n, kind, created, expires, ref,
	    strlen(ref), (const uint8_t *)body, strlen(body), k->sk) != 0)
		die("rec_build failed");
	return n;
}

static size_t
build_bin(uint8_t *out, unsigned kind, const struct key *k, uint64_t created,
    uint64_t expires, const char *ref, const uint8_t *body, size_t body_len)
{
	size_t n;

	if (rec_build(out, REC_MAX_SIZE, &n, kind, created, expires, ref,
	    strlen(ref), body, body_len, k->sk) != 0)
		die("rec_build failed");
	return n;
}

static void
hexline(const char *tag, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%s", tag);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void
write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	FILE *f;

	if (corpus_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", corpus_dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0)
		die(path);
}

/*
 * emit: prints one vector block.  The record is p[0..n) followed by
 * fill_n bytes of fill (the `fill:` directive).  verdict is what rec_open
 * must return at now; flags: 1 = body_check refuses the record with the
 * message expect_why, 2 = seed corpus.
 */
static void
emit(const char *name, const char *comment, uint64_t now, const uint8_t *p,
    size_t n, size_t fill_n, int verdict, int flags)
{
	static uint8_t buf[2 * REC_MAX_SIZE];
	uint8_t id[REC_ID_LEN], addr[REC_ADDR_LEN];
	struct rec r;
	int rc;

	if (n + fill_n > sizeof(buf))
		die("vector too large");
	memcpy(buf, p, n);
	memset(buf + n, 0, fill_n);
	rc = rec_open(&r, buf, n + fill_n, now);
	if (rc != verdict) {
		fprintf(stderr, "gen: %s: rec_open says %s, expected %s\n",
		    name, mentor_errname(rc), mentor_errname(verdict));
		exit(1);
	}
	if (rc == 0) {
		char why[BODY_ERR_MAX];

		rc = body_check(&r, why, sizeof(why));
		if ((rc != 0) != ((flags & 1) != 0) || (rc != 0 &&
		    rc != MENTOR_EINVAL) || (rc != 0 && (expect_why == NULL ||
		    strncmp(why, expect_why, strlen(expect_why)) != 0))) {
			fprintf(stderr, "gen: %s: body_check says %s \"%s\"\n",
			    name, mentor_errname(rc), why);
			exit(1);
		}
	}
	printf("# %s\n", comment);
	printf("name: %s\n", name);
	printf("now: %llu\n", (unsigned long long)now);
	hexline("hex: ", p, n);
	if (fill_n > 0)
		printf("fill: 00 %zu\n", fill_n);
	if (rec_decode(&r, buf, n + fill_n) == 0) {
		rec_id(id, buf, n + fill_n);
		hexline("id: ", id, sizeof(id));
		if (r.kind == REC_LISTING || r.kind == REC_WITHDRAWAL) {
			rec_addr(addr, r.author, r.ref, r.ref_len);
			hexline("addr: ", addr, sizeof(addr));
		}
	} else
		printf("id: -\n");
	if (flags & 1)
		printf("body: bad\nwhy: %s\n", expect_why);
	expect_why = NULL;
	printf("verdict: %s\n\n", mentor_errname(verdict));
	if (n + fill_n <= REC_MAX_SIZE && n + fill_n > 0 &&
	    all_len + XS_FRAME_HDR + n + fill_n <= sizeof(all_buf)) {
		xs_frame_write(all_buf + all_len, n + fill_n);
		memcpy(all_buf + all_len + XS_FRAME_HDR, buf, n + fill_n);
		all_len += XS_FRAME_HDR + n + fill_n;
	}
	if (flags & 2) {
		char file[128];

		snprintf(file, sizeof(file), "seed-%s", name);
		write_file(file, buf, n + fill_n);
	}
}

/* stream: writes an export stream of the given records to the corpus. */
static void
stream(const char *name, const uint8_t *const *recs, const size_t *lens,
    size_t nrec, size_t cut)
{
	static uint8_t buf[8 * REC_MAX_SIZE];
	size_t off = XS_HDR_LEN, i;

	xs_header_write(buf);
	for (i = 0; i < nrec; i++) {
		xs_frame_write(buf + off, lens[i]);
		memcpy(buf + off + XS_FRAME_HDR, recs[i], lens[i]);
		off += XS_FRAME_HDR + lens[i];
	}
	write_file(name, buf, off - cut);
}

/* variant: listing_body with its first `from` replaced by `to`. */
static const char *
variant(const char *from, const char *to)
{
	static char out[16384];
	const char *p = strstr(listing_body, from);

	if (p == NULL || sizeof(listing_body) + strlen(to) >= sizeof(out))
		die("variant");
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - listing_body),
	    listing_body, to, p + strlen(from));
	return out;
}

/*
 * body_vec: the employer's listing with body b, valid at the record layer;
 * why is body_check's message (a prefix of it), or NULL for a good body.
 */
static void
body_vec(const char *name, const char *comment, const char *b,
    const char *why)
{
	static uint8_t t[REC_MAX_SIZE];
	size_t n;

	n = build(t, REC_LISTING, &employer, L_CREATED, L_EXPIRES, REF, b);
	expect_why = why;
	emit(name, comment, NOW, t, n, 0, 0, why != NULL);
}

/* nested: a JSON value of depth levels of arrays around a string. */
static const char *
nested(size_t depth)
{
	static char out[8192];
	size_t i;

	if (2 * depth + 3 > sizeof(out))
		die("nested");
	for (i = 0; i < depth; i++) {
		out[i] = '[';
		out[depth + i + 2] = ']';
	}
	out[depth] = '"';
	out[depth + 1] = '"';
	out[2 * depth + 2] = '\0';
	return out;
}

/* annotate: the worked example of SPEC.md section 8. */
static void
annotate(const uint8_t *p, size_t n)
{
	static const struct {
		size_t	len;
		const char *what;
	} f[] = {
		{ 2, "magic \"MR\"" }, { 1, "version 1" },
		{ 1, "kind 1 (listing)" }, { 32, "author" },
		{ 8, "created_at" }, { 8, "expires_at" }, { 1, "ref_len" },
	};
	uint8_t id[REC_ID_LEN], addr[REC_ADDR_LEN];
	size_t off = 0, i, j, len, body_len;
	char t[32];

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		printf("%04zx  ", off);
		for (j = 0; j < f[i].len; j++)
			printf("%02x", p[off + j]);
		printf("  %s", f[i].what);
		if (f[i].len == 1 && off == REC_HDR_FIXED - 1)
			printf(" = %u", p[off]);
		if (f[i].len == 8) {
			time_format(t, (int64_t)get_be64(p + off));
			printf(" = %llu = %s",
			    (unsigned long long)get_be64(p + off), t);
		}
		printf("\n");
		off += f[i].len;
	}
	len = p[REC_HDR_FIXED - 1];
	printf("%04zx  ", off);
	for (j = 0; j < len; j++)
		printf("%02x", p[off + j]);
	printf("  ref \"%.*s\"\n", (int)len, (const char *)p + off);
	off += len;
	body_len = get_be32(p + off);
	printf("%04zx  %02x%02x%02x%02x  body_len = %zu\n", off, p[off],
	    p[off + 1], p[off + 2], p[off + 3], body_len);
	off += 4;
	for (i = 0; i < body_len; i += 32) {
		printf("%04zx  ", off + i);
		for (j = i; j < body_len && j < i + 32; j++)
			printf("%02x", p[off + j]);
		printf("\n");
	}
	printf("      body: %.*s\n", (int)body_len, (const char *)p + off);
	off += body_len;
	for (i = 0; i < 64; i += 32) {
		printf("%04zx  ", off + i);
		for (j = i; j < i + 32; j++)
			printf("%02x", p[off + j]);
		printf("%s\n", i == 0 ? "  signature" : "");
	}
	rec_id(id, p, n);
	hexline("id   ", id, sizeof(id));
	rec_addr(addr, p + 4, (const char *)p + REC_HDR_FIXED, len);
	hexline("addr ", addr, sizeof(addr));
	hexline("employer pk ", employer.pk, 32);
}

/*
 * body_vectors: listings whose signature and clock are fine and whose body
 * tests one rule of SPEC.md 2 and 2.1 each.
 */
static void
body_vectors(void)
{
	static const char *const dev =
	    "{\"competency\":\"onet:2.B.3.m\",\"level\":3}";
	static char b[8192];
	char id[128];

	/* Competency ids (2.1). */
	body_vec("body-competency-ids", "competency ids: an O*NET element id "
	    "of five runs, and another prefix", variant(dev,
	    "{\"competency\":\"onet:1.A.1.a.1\",\"level\":3},"
	    "{\"competency\":\"ccss:HSA-REI.B.3\",\"level\":1}"), NULL);
	body_vec("body-competency-prefix-case", "a competency prefix in upper "
	    "case", variant("onet:2.B.3.m", "ONET:2.B.3.m"),
	    "listing body: develops[0].competency: malformed competency id");
	snprintf(id, sizeof(id), "%.15s:%.64s", "abcdefghijklmnopqrstuvwxyz",
	    "0123456789012345678901234567890123456789012345678901234567890123");
	snprintf(b, sizeof(b), "{\"competency\":\"%s\",\"level\":3}", id);
	body_vec("body-competency-80", "a competency id of 80 octets: a "
	    "15-octet prefix and a 64-octet rest", variant(dev, b), NULL);
	snprintf(id, sizeof(id), "%.16s:%.64s", "abcdefghijklmnopqrstuvwxyz",
	    "0123456789012345678901234567890123456789012345678901234567890123");
	snprintf(b, sizeof(b), "{\"competency\":\"%s\",\"level\":3}", id);
	body_vec("body-competency-81", "a competency id of 81 octets: each "
	    "part within its limit, the whole over 80", variant(dev, b),
	    "listing body: develops[0].competency: malformed competency id");
	body_vec("body-competency-onet-letters-first", "an O*NET element id "
	    "must start with digits", variant("onet:2.B.3.m", "onet:B.2.3.m"),
	    "listing body: develops[0].competency: malformed competency id");
	body_vec("body-competency-onet-mixed-run", "an O*NET element id run "
	    "is digits or letters, not both", variant("onet:2.B.3.m",
	    "onet:2.B3.m"),
	    "listing body: develops[0].competency: malformed competency id");

	/* Text fields (2.1). */
	body_vec("body-description-empty", "an empty description",
	    variant("Two days in a structural welding shop.", ""),
	    "listing body: description: must not be empty");
	body_vec("body-description-multiline", "tab, CR and LF are allowed in "
	    "a description", variant("Two days in a structural welding shop.",
	    "Two days.\\n\\tSafety first.\\r\\n"), NULL);
	body_vec("body-description-del", "DEL is a control character",
	    variant("Two days in a", "Two\\u007fdays in a"),
	    "listing body: description: contains a control character");
	body_vec("body-title-tab", "a tab in the title",
	    variant("Welding shop", "Welding\\tshop"),
	    "listing body: title: contains a control character");
	body_vec("body-organization-c1", "U+0085 (a C1 control) in the "
	    "organization", variant("Acme Fabrication", "Acme\xc2\x85"),
	    "listing body: organization: contains a control character");

	/* Repeated entries (2.1). */
	body_vec("body-clusters-duplicate", "a cluster code twice",
	    variant("[\"manufacturing\"]",
	    "[\"manufacturing\",\"manufacturing\"]"),
	    "listing body: clusters[1]: duplicate \"manufacturing\"");
	body_vec("body-occupations-duplicate", "an occupation code twice",
	    variant("[\"51-4121.00\"]", "[\"51-4121.00\",\"51-4121.00\"]"),
	    "listing body: occupations[1]: duplicate \"51-4121.00\"");

	/* Cluster codes and integers (2.1). */
	body_vec("body-cluster-2024", "a code of the 2024 framework",
	    variant("[\"manufacturing\"]", "[\"advanced-manufacturing\"]"),
	    NULL);
	body_vec("body-cluster-unknown", "a cluster code in neither framework",
	    variant("[\"manufacturing\"]", "[\"welding\"]"),
	    "listing body: clusters[0]: unknown career cluster \"welding\"");
	body_vec("body-capacity-fraction", "2.0 is not an integer",
	    variant("\"capacity\":2", "\"capacity\":2.0"),
	    "listing body: capacity: must be an integer");
	body_vec("body-capacity-exponent", "1e1 is not an integer",
	    variant("\"capacity\":2", "\"capacity\":1e1"),
	    "listing body: capacity: must be an integer");
	body_vec("body-min-age-minus-zero", "-0 is the integer 0",
	    variant("\"min_age\":16", "\"min_age\":-0"), NULL);
	body_vec("body-capacity-over-int64", "an integer beyond 64 bits: the "
	    "body is not JSON", variant("\"capacity\":2",
	    "\"capacity\":99999999999999999999"),
	    "listing body: body: not JSON");

	/* The order of the checks (2.1). */
	body_vec("body-order-unknown-first", "an unknown field is reported "
	    "before a missing one", variant("\"title\":", "\"salary\":"),
	    "listing body: salary: unknown field");
	body_vec("body-order-header-field", "expires belongs in the header",
	    variant("\"end\":", "\"expires\":\"2027-03-01\",\"end\":"),
	    "listing body: expires: not allowed in a record body");
	snprintf(b, sizeof(b), "%s", variant("\"capacity\":2",
	    "\"capacity\":0"));
	memcpy(strstr(b, "in_person"), "in_perso!", 9);
	body_vec("body-order-table", "capacity 0 and a bad modality: capacity "
	    "comes first in the table", b,
	    "listing body: capacity: must be at least 1");

	/* JSON (2, 7). */
	body_vec("body-json-nul", "\\u0000 in a string",
	    variant("Welding shop", "Welding\\u0000shop"),
	    "listing body: body: not JSON");
	{
		/* A raw NUL after a number: jansson would pass it. */
		static uint8_t t[REC_MAX_SIZE], nb[sizeof(listing_body) + 1];
		const char *p = strstr(listing_body, "\"capacity\":2") + 12;
		size_t at = (size_t)(p - listing_body), n;

		memcpy(nb, listing_body, at);
		nb[at] = '\0';
		memcpy(nb + at + 1, p, strlen(p));
		n = build_bin(t, REC_LISTING, &employer, L_CREATED, L_EXPIRES,
		    REF, nb, sizeof(listing_body));
		expect_why = "listing body: body: not JSON";
		emit("body-json-nul-byte", "a NUL byte after a number (not in "
		    "a string): not JSON", NOW, t, n, 0, 0, 1);
	}
	body_vec("body-json-lone-surrogate", "a lone surrogate \\ud800",
	    variant("Welding shop", "Welding \\ud800"),
	    "listing body: body: not JSON");
	body_vec("body-json-surrogate-pair", "a surrogate pair is one "
	    "character (U+1F525)", variant("Welding shop",
	    "Welding \\ud83d\\udd25"), NULL);
	body_vec("body-json-duplicate-key", "a key twice",
	    variant("\"capacity\":2", "\"capacity\":2,\"capacity\":2"),
	    "listing body: body: not JSON");
	body_vec("body-json-depth-2048", "a string at depth 2048 (the object "
	    "is 1, then 2046 arrays): parsed, then refused as a field",
	    variant("\"Two days in a structural welding shop.\"",
	    nested(2046)), "listing body: description: must be a string");
	body_vec("body-json-depth-2049", "a string at depth 2049: not JSON",
	    variant("\"Two days in a structural welding shop.\"",
	    nested(2047)), "listing body: body: not JSON");
}

/* node_vectors: the user ref of withdrawals and node bodies (1.4, 2.3). */
static void
node_vectors(void)
{
	static uint8_t t[REC_MAX_SIZE];
	char ref[REC_USER_REF_MAX + 2], body[512], curve[65];
	size_t n, i;

	memset(ref, 'w', sizeof(ref));
	ref[REC_USER_REF_MAX + 1] = '\0';
	n = build(t, REC_WITHDRAWAL, &employer, L_CREATED + 90000000,
	    L_EXPIRES, ref, "");
	expect_why = "withdrawal ref is not a user ref";
	emit("withdrawal-long-ref", "a withdrawal's ref is a user ref: at "
	    "most 64 octets", NOW, t, n, 0, 0, 1);
	hex_encode(curve, other_curve, 32);
	snprintf(body, sizeof(body), "{\"curve_key\":\"%s\",\"endpoint\":"
	    "\"tcp://192.0.2.10:7701\",\"name\":\"Lincoln High School\","
	    "\"role\":\"school\"}", curve);
	n = build(t, REC_NODE, &school, 1795000000000ULL,
	    1795000000000ULL + 365 * DAY, REC_NODE_REF, body);
	expect_why = "node body: curve_key: not the key derived";
	emit("node-curve-key-other", "a node record whose curve_key is not "
	    "derived from its author", NOW, t, n, 0, 0, 1);
	hex_encode(curve, school_curve, 32);
	for (i = 0; curve[i]; i++)
		if (curve[i] >= 'a' && curve[i] <= 'f')
			curve[i] = (char)(curve[i] - 'a' + 'A');
	snprintf(body, sizeof(body), "{\"curve_key\":\"%s\",\"endpoint\":"
	    "\"tcp://192.0.2.10:7701\",\"name\":\"Lincoln High School\","
	    "\"role\":\"school\"}", curve);
	n = build(t, REC_NODE, &school, 1795000000000ULL,
	    1795000000000ULL + 365 * DAY, REC_NODE_REF, body);
	expect_why = "node body: curve_key: not the key derived";
	emit("node-curve-key-upper", "the right curve_key in upper-case hex",
	    NOW, t, n, 0, 0, 1);
}

/*
 * rotation_vectors: key rotation (SPEC.md 2.8): the employer's key moves
 * to the key of seed 0x05; the proof is signed by that key.
 */
static void
rotation_vectors(void)
{
	static uint8_t t[REC_MAX_SIZE];
	struct key next, wrong;
	uint8_t proof[64];
	char body[512], nhex[65], phex[129], up[65];
	size_t n, i;
	const uint64_t created = 1795600000000ULL;

	key_seed(&next, 0x05);
	key_seed(&wrong, 0x06);
	hex_encode(nhex, next.pk, 32);
	if (body_rotation_proof(proof, employer.pk, next.pk, next.sk) != 0)
		die("rotation proof");
	hex_encode(phex, proof, 64);
	snprintf(body, sizeof(body), "{\"new_key\":\"%s\",\"proof\":\"%s\"}",
	    nhex, phex);
	n = build(t, REC_ROTATION, &employer, created, created + 365 * DAY,
	    REC_ROT_REF, body);
	emit("valid-rotation", "the employer's key rotates to the key of "
	    "seed 0x05 (kind 7, ref @rotate)", NOW, t, n, 0, 0, 2);

	if (body_rotation_proof(proof, employer.pk, next.pk, wrong.sk) != 0)
		die("rotation proof");
	hex_encode(phex, proof, 64);
	snprintf(body, sizeof(body), "{\"new_key\":\"%s\",\"proof\":\"%s\"}",
	    nhex, phex);
	n = build(t, REC_ROTATION, &employer, created, created + 365 * DAY,
	    REC_ROT_REF, body);
	expect_why = "rotation body: proof: not signed by new_key";
	emit("rotation-proof-other-key", "the proof is signed by another key "
	    "than new_key (seed 0x06)", NOW, t, n, 0, 0, 1);

	hex_encode(up, employer.pk, 32);
	snprintf(body, sizeof(body), "{\"new_key\":\"%s\",\"proof\":\"%s\"}",
	    up, phex);
	n = build(t, REC_ROTATION, &employer, created, created + 365 * DAY,
	    REC_ROT_REF, body);
	expect_why = "rotation body: new_key: the author's own key";
	emit("rotation-own-key", "a key cannot rotate to itself", NOW, t, n,
	    0, 0, 1);

	memcpy(up, nhex, sizeof(up));
	for (i = 0; up[i]; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] = (char)(up[i] - 'a' + 'A');
	snprintf(body, sizeof(body), "{\"new_key\":\"%s\",\"proof\":\"%s\"}",
	    up, phex);
	n = build(t, REC_ROTATION, &employer, created, created + 365 * DAY,
	    REC_ROT_REF, body);
	expect_why = "rotation body: new_key: lowercase hex";
	emit("rotation-upper-hex", "new_key in upper-case hex", NOW, t, n, 0,
	    0, 1);

	n = raw(t, REC_VERSION, REC_ROTATION, &employer, created,
	    created + 365 * DAY, "@rotate:x", 9, body, strlen(body));
	emit("rotation-bad-ref", "a rotation's ref is exactly @rotate", NOW,
	    t, n, 0, MENTOR_EINVAL, 2);
}

/*
 * strict_vectors: signatures that lenient Ed25519 verifiers accept and
 * SPEC.md 1.5 refuses.
 */
static void
strict_vectors(const uint8_t *l1, size_t nl1)
{
	/* The group order L, little-endian. */
	static const uint8_t order[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
		0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	};
	static uint8_t t[REC_MAX_SIZE];
	uint8_t *s;
	unsigned carry = 0, v;
	size_t i, n;

	memcpy(t, l1, nl1);
	s = t + nl1 - 32;
	for (i = 0; i < 32; i++) {
		v = s[i] + order[i] + carry;
		s[i] = (uint8_t)v;
		carry = v >> 8;
	}
	emit("sig-noncanonical-s", "valid-listing with S + L for S: the same "
	    "signature modulo L, refused because S is not below L", NOW, t,
	    nl1, 0, MENTOR_ESIG, 2);

	/*
	 * Author and R the identity point (order 1), S zero: [S]B = R + [k]A
	 * holds for every message, so a verifier without the small-order
	 * checks accepts this forgery.
	 */
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_EXPIRES, REF,
	    strlen(REF), listing_body, strlen(listing_body));
	memset(t + 4, 0, 32);
	t[4] = 0x01;
	memset(t + n - 64, 0, 64);
	t[n - 64] = 0x01;
	emit("sig-small-order-key", "the listing of valid-listing by the "
	    "identity point (a small-order key), R the identity, S zero",
	    NOW, t, n, 0, MENTOR_ESIG, 2);
}

int
main(int argc, char **argv)
{
	static uint8_t l1[REC_MAX_SIZE], l2[REC_MAX_SIZE], wd[REC_MAX_SIZE],
	    nd[REC_MAX_SIZE], ct[REC_MAX_SIZE], bj[REC_MAX_SIZE],
	    ap[REC_MAX_SIZE], an[REC_MAX_SIZE], t[REC_MAX_SIZE],
	    pl[REC_MAX_SIZE];
	const uint8_t *recs[6];
	uint8_t sealed[SEALED_LEN];
	size_t nl1, nl2, nwd, nnd, nct, nbj, nap, nan, npl, n, lens[6];
	char body[512], ref[REC_REF_MAX + 2], hex[65], curve[65];
	uint8_t curve_sk[32], seed[32];

	if (sodium_init() < 0)
		die("sodium_init");
	all_len = XS_HDR_LEN;
	key_seed(&employer, 0x01);
	key_seed(&hub, 0x02);
	key_seed(&school, 0x03);
	memset(seed, 0x04, sizeof(seed));
	crypto_box_seed_keypair(other_curve, curve_sk, seed);
	if (crypto_sign_ed25519_pk_to_curve25519(school_curve, school.pk) != 0)
		die("no X25519 form of the school key");

	nl1 = build(l1, REC_LISTING, &employer, L_CREATED, L_EXPIRES, REF,
	    listing_body);
	if (argc == 2 && strcmp(argv[1], "-a") == 0) {
		annotate(l1, nl1);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		corpus_dir = argv[2];
	else if (argc != 1)
		die("usage: gen [-a | -c corpus-dir]");

	nl2 = build(l2, REC_LISTING, &employer, L_CREATED + 50000000,
	    L_EXPIRES, REF, listing_body_v2);
	nwd = build(wd, REC_WITHDRAWAL, &employer, L_CREATED + 90000000,
	    L_EXPIRES, REF, "");
	hex_encode(curve, school_curve, 32);
	snprintf(body, sizeof(body), "{\"curve_key\":\"%s\",\"endpoint\":"
	    "\"tcp://192.0.2.10:7701\",\"name\":\"Lincoln High School\","
	    "\"role\":\"school\"}", curve);
	nnd = build(nd, REC_NODE, &school, 1795000000000ULL,
	    1795000000000ULL + 365 * DAY, REC_NODE_REF, body);
	hex_encode(hex, employer.pk, 32);
	snprintf(ref, sizeof(ref), "%s%s", REC_CERT_PREFIX, hex);
	snprintf(body, sizeof(body), "{\"organization\":\"Acme Fabrication\","
	    "\"role\":\"employer\",\"subject\":\"%s\"}", hex);
	nct = build(ct, REC_CERTIFICATE, &hub, 1795500000000ULL,
	    1795500000000ULL + 365 * DAY, ref, body);
	nbj = build(bj, REC_LISTING, &employer, L_CREATED, L_EXPIRES,
	    "broken-json", bad_json_body);
	opaque(sealed, sizeof(sealed), 0x5a);
	nap = build_bin(ap, REC_APPLICATION, &school, APP_CREATED,
	    APP_CREATED + APP_LIFE, REC_APP_PREFIX APP_ID, sealed,
	    sizeof(sealed));
	opaque(sealed, sizeof(sealed), 0xa5);
	nan = build_bin(an, REC_ANSWER, &employer, ANS_CREATED,
	    ANS_CREATED + APP_LIFE, REC_ANS_PREFIX APP_ID, sealed, 96);
	opaque(sealed, sizeof(sealed), 0x3c);
	npl = build_bin(pl, REC_PLACEMENT, &employer, PLC_CREATED,
	    PLC_CREATED + APP_LIFE, REC_PLC_PREFIX APP_ID PLC_MSG_ID, sealed,
	    120);
	opaque(sealed, sizeof(sealed), 0xa5);	/* as the vectors below had */

	printf("# records.txt: test vectors for protocol/SPEC.md (records).\n"
	    "# Generated by tests/vectors/gen.c; do not edit.  Regenerate with\n"
	    "#   cc -std=c11 -D_DEFAULT_SOURCE -Iinclude -o /tmp/gen "
	    "tests/vectors/gen.c \\\n"
	    "#       build/libmentorproto.a $(pkg-config --libs libsodium "
	    "jansson libzip) -lm\n"
	    "#   /tmp/gen > tests/vectors/records.txt\n"
	    "#\n"
	    "# Keys: crypto_sign_seed_keypair with a 32-byte seed of all 0x01\n"
	    "# (employer), 0x02 (hub), 0x03 (school).  The school's CURVE key is\n"
	    "# derived from its Ed25519 key (SPEC.md 2.3); \"another CURVE key\"\n"
	    "# is crypto_box_seed_keypair of all 0x04.  A vector without body:\n"
	    "# that passes rec_open also passes body_check.\n"
	    "#\n"
	    "# Format: blocks separated by blank lines; lines starting with '#'\n"
	    "# are comments.  Fields, one per line, \"key: value\":\n"
	    "#   name:    the vector's name\n"
	    "#   now:     the receiver's clock, ms since the epoch\n"
	    "#   hex:     the input bytes, lowercase hex\n"
	    "#   fill:    optional, \"BB N\": N more bytes of value 0xBB follow\n"
	    "#            the hex bytes (keeps oversize inputs short)\n"
	    "#   id:      BLAKE2b-256 of the input when it decodes "
	    "structurally,\n"
	    "#            else \"-\"\n"
	    "#   addr:    listings and withdrawals that decode: the listing\n"
	    "#            address id (BLAKE2b-128 of author || ref)\n"
	    "#   body:    \"bad\": the record passes rec_open but breaks the\n"
	    "#            rules of its kind (SPEC.md 2, 4.7 \"body\"): EINVAL\n"
	    "#   why:     with body: bad, how body_check's message begins\n"
	    "#            (informative; the verdict EINVAL is what must match)\n"
	    "#   verdict: OK or the first error rec_open returns at now\n"
	    "#\n"
	    "# employer pk: ");
	hexline("", employer.pk, 32);
	printf("# hub pk:      ");
	hexline("", hub.pk, 32);
	printf("# school pk:   ");
	hexline("", school.pk, 32);
	printf("\n");

	emit("valid-listing", "a listing (SPEC.md section 8)", NOW, l1, nl1,
	    0, 0, 2);
	emit("valid-listing-v2", "a newer version of the same address "
	    "(capacity 3)", NOW, l2, nl2, 0, 0, 2);
	emit("valid-withdrawal", "withdraws the address of valid-listing; "
	    "empty body; expires with the versions", NOW, wd, nwd, 0, 0, 2);
	emit("valid-node", "the school's node record", NOW, nd, nnd, 0, 0, 2);
	emit("valid-certificate", "the hub certifies the employer key", NOW,
	    ct, nct, 0, 0, 2);
	expect_why = "listing body: body: not JSON";
	emit("listing-bad-json", "valid signature, malformed JSON body: OK "
	    "here, the listing validator refuses it with EINVAL", NOW, bj, nbj,
	    0, 0, 3);
	emit("valid-application", "the school applies: ref @app:ID, body a "
	    "sealed box (fixed opaque bytes here)", NOW, ap, nap, 0, 0, 2);
	emit("valid-answer", "the employer answers application ID: ref "
	    "@ans:ID, body a sealed box (fixed opaque bytes here)", NOW, an,
	    nan, 0, 0, 2);
	emit("valid-placement", "the employer's placement message about "
	    "application ID: ref @plc:ID MSGID, body a sealed box (fixed "
	    "opaque bytes here)", NOW, pl, npl, 0, 0, 2);

	body_vectors();
	node_vectors();
	rotation_vectors();

	memcpy(t, l1, nl1);
	t[REC_HDR_FIXED + strlen(REF) + 4 + 10] ^= 0x01;
	emit("bad-sig-body", "valid-listing with one bit flipped in the body",
	    NOW, t, nl1, 0, MENTOR_ESIG, 2);
	memcpy(t, l1, nl1);
	t[nl1 - 64] ^= 0x01;
	emit("bad-sig-signature", "valid-listing with one bit flipped in the "
	    "signature", NOW, t, nl1, 0, MENTOR_ESIG, 0);
	memcpy(t, l1, nl1);
	memcpy(t + 4, hub.pk, 32);
	emit("bad-sig-author", "valid-listing with the author replaced by the "
	    "hub key", NOW, t, nl1, 0, MENTOR_ESIG, 0);
	strict_vectors(l1, nl1);

	emit("truncated", "valid-listing without its last byte", NOW, l1,
	    nl1 - 1, 0, MENTOR_ETRUNC, 2);
	emit("truncated-header", "the first 10 bytes of valid-listing", NOW,
	    l1, 10, 0, MENTOR_ETRUNC, 0);
	emit("empty", "no bytes at all", NOW, l1, 0, 0, MENTOR_ETRUNC, 0);
	memcpy(t, l1, nl1);
	t[nl1] = 0;
	emit("trailing-byte", "valid-listing followed by one zero byte", NOW,
	    t, nl1 + 1, 0, MENTOR_EINVAL, 2);

	/* A header declaring ref "x" and a body that makes 65537 in all. */
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_EXPIRES, "x", 1,
	    "", 0) - 64;
	put_be32(t + n - 4, REC_MAX_SIZE + 1 - REC_OVERHEAD - 1);
	emit("oversize", "65537 bytes: a listing header declaring body_len "
	    "65415, then zeros", NOW, t, n, REC_MAX_SIZE + 1 - n,
	    MENTOR_ETOOBIG, 0);
	emit("oversize-declared", "only the header of the oversize vector: "
	    "the declared size is over the limit", NOW, t, n, 0,
	    MENTOR_ETOOBIG, 2);

	memcpy(t, l1, nl1);
	t[1] = 'X';
	emit("bad-magic", "valid-listing with magic \"MX\"", NOW, t, nl1, 0,
	    MENTOR_EINVAL, 0);
	n = raw(t, 2, REC_LISTING, &employer, L_CREATED, L_EXPIRES, REF,
	    strlen(REF), listing_body, strlen(listing_body));
	emit("unknown-version", "valid-listing with version 2, re-signed", NOW,
	    t, n, 0, MENTOR_EVERSION, 2);
	n = raw(t, 1, 9, &employer, L_CREATED, L_EXPIRES, REF, strlen(REF),
	    listing_body, strlen(listing_body));
	emit("unknown-kind", "valid-listing with kind 9, re-signed", NOW, t,
	    n, 0, MENTOR_EINVAL, 2);
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_EXPIRES, "", 0,
	    listing_body, strlen(listing_body));
	emit("ref-len-0", "valid-listing with an empty ref, re-signed", NOW, t,
	    n, 0, MENTOR_EINVAL, 0);
	memset(ref, 'a', REC_REF_MAX + 1);
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_EXPIRES, ref,
	    REC_REF_MAX + 1, listing_body, strlen(listing_body));
	emit("ref-len-81", "a ref of 81 bytes, re-signed", NOW, t, n, 0,
	    MENTOR_EINVAL, 0);
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_EXPIRES,
	    "Weld-shadow-2027", strlen(REF), listing_body,
	    strlen(listing_body));
	emit("bad-ref-char", "ref \"Weld-shadow-2027\" (upper case), "
	    "re-signed", NOW, t, n, 0, MENTOR_EINVAL, 2);
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_EXPIRES, "@node",
	    5, listing_body, strlen(listing_body));
	emit("listing-reserved-ref", "a listing may not use a ref starting "
	    "with '@'", NOW, t, n, 0, MENTOR_EINVAL, 0);
	n = raw(t, 1, REC_NODE, &school, 1795000000000ULL,
	    1795000000000ULL + 365 * DAY, "node", 4, "{}", 2);
	emit("node-wrong-ref", "a node record must use ref \"@node\"", NOW, t,
	    n, 0, MENTOR_EINVAL, 0);
	n = raw(t, 1, REC_APPLICATION, &school, APP_CREATED,
	    APP_CREATED + APP_LIFE, REC_ANS_PREFIX APP_ID, REC_APP_REF_LEN,
	    (const char *)sealed, 96);
	emit("application-wrong-ref", "an application must use ref "
	    "\"@app:\" and 32 lowercase hex digits, not an answer's", NOW,
	    t, n, 0, MENTOR_EINVAL, 2);
	n = raw(t, 1, REC_PLACEMENT, &employer, PLC_CREATED,
	    PLC_CREATED + APP_LIFE, REC_PLC_PREFIX APP_ID, REC_APP_REF_LEN,
	    (const char *)sealed, 96);
	emit("placement-short-ref", "a placement message's ref needs the "
	    "message id after the application id", NOW, t, n, 0,
	    MENTOR_EINVAL, 2);
	n = raw(t, 1, REC_LISTING, &employer, L_CREATED, L_CREATED, REF,
	    strlen(REF), listing_body, strlen(listing_body));
	emit("expires-at-created", "expires_at equal to created_at, "
	    "re-signed", NOW, t, n, 0, MENTOR_EINVAL, 0);

	emit("expired", "valid-listing when now == expires_at", L_EXPIRES, l1,
	    nl1, 0, MENTOR_EEXPIRED, 0);
	emit("expired-not-yet", "valid-listing 1 ms before it expires",
	    L_EXPIRES - 1, l1, nl1, 0, 0, 0);
	n = build(t, REC_LISTING, &employer, NOW + REC_FUTURE_MS,
	    NOW + 30 * DAY, REF, listing_body);
	emit("future-edge", "created_at == now + 300000: accepted", NOW, t, n,
	    0, 0, 0);
	n = build(t, REC_LISTING, &employer, NOW + REC_FUTURE_MS + 1,
	    NOW + 30 * DAY, REF, listing_body);
	emit("future", "created_at == now + 300001", NOW, t, n, 0,
	    MENTOR_EFUTURE, 2);
	n = build(t, REC_LISTING, &employer, NOW - DAY,
	    NOW - DAY + REC_MAX_LIFE_MS, REF, listing_body);
	emit("lifetime-400d", "expires_at - created_at == 400 days: accepted",
	    NOW, t, n, 0, 0, 0);
	n = build(t, REC_LISTING, &employer, NOW - DAY,
	    NOW - DAY + REC_MAX_LIFE_MS + 1, REF, listing_body);
	emit("lifetime-over-400d", "expires_at - created_at == 400 days + 1 "
	    "ms", NOW, t, n, 0, MENTOR_EINVAL, 0);
	n = build(t, REC_LISTING, &employer, NOW + 60000,
	    NOW + 60000 + REC_MAX_LIFE_MS, REF, listing_body);
	emit("expires-beyond-400d-from-now", "created 1 min ahead with a "
	    "400-day life: expires more than 400 days after now", NOW, t, n, 0,
	    MENTOR_EINVAL, 0);

	recs[0] = l1, lens[0] = nl1;
	recs[1] = wd, lens[1] = nwd;
	recs[2] = nd, lens[2] = nnd;
	recs[3] = ct, lens[3] = nct;
	stream("seed-stream-valid", recs, lens, 4, 0);
	stream("seed-stream-cut", recs, lens, 2, 7);
	stream("seed-stream-empty", recs, lens, 0, 0);
	recs[0] = l2, lens[0] = nl2;
	recs[1] = bj, lens[1] = nbj;
	recs[2] = ap, lens[2] = nap;
	recs[3] = an, lens[3] = nan;
	stream("seed-stream-mixed", recs, lens, 4, 0);
	xs_header_write(all_buf);
	write_file("seed-stream-vectors", all_buf, all_len);
	write_file("seed-stream-zero-frame",
	    (const uint8_t *)"MNTX\x01\0\0\0\0", 9);
	write_file("seed-stream-version-2", (const uint8_t *)"MNTX\x02", 5);
	return 0;
}
