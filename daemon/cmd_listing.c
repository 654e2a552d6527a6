/*
 * cmd_listing.c: listing post/list/show/withdraw, records export/import
 * and trust: the client API side of the signed-record rules in records.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cmd.h"
#include "listing.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "records.h"
#include "util.h"

#define POST_MAX	1000	/* listings in one post */
#define EXPORT_CHUNK	(4u << 20)
#define DAY_MS		(86400LL * 1000)

/*
 * make_ref: a ref for a listing posted without one, derived from title and
 * organization so that posting the same listing again makes a new version
 * rather than a duplicate: slug(title) "-" 8 hex digits.
 */
static void
make_ref(char out[LISTING_REF_MAX + 1], const json_t *body)
{
	const char *title = json_string_value(json_object_get(body, "title"));
	const char *org = json_string_value(json_object_get(body,
	    "organization"));
	crypto_generichash_state h;
	uint8_t d[4];
	char hex[9];
	size_t n = 0;
	int dash = 1;

	for (; title && *title && n < 48; title++) {
		if (isalnum((unsigned char)*title) &&
		    (unsigned char)*title < 0x80) {
			out[n++] = (char)tolower((unsigned char)*title);
			dash = 0;
		} else if (!dash) {
			out[n++] = '-';
			dash = 1;
		}
	}
	if (n == 0)
		out[n++] = 'l';
	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	crypto_generichash_update(&h, (const uint8_t *)org, strlen(org));
	crypto_generichash_update(&h, (const uint8_t *)"", 1);
	title = json_string_value(json_object_get(body, "title"));
	crypto_generichash_update(&h, (const uint8_t *)title, strlen(title));
	crypto_generichash_final(&h, d, sizeof(d));
	hex_encode(hex, d, sizeof(d));
	if (out[n - 1] != '-')
		out[n++] = '-';
	memcpy(out + n, hex, 9);
}

/* default_expiry: the day after `end`, else 180 days; at most 400 days. */
static int64_t
default_expiry(const json_t *body, int64_t now)
{
	const char *end = json_string_value(json_object_get(body, "end"));
	int64_t e = now + 180 * DAY_MS, max = now + 400 * DAY_MS;

	if (end && time_parse(end, &e) == 0)
		e += DAY_MS;
	return e > max ? max : e;
}

static int
post_one(struct cmd_ctx *c, const json_t *obj, size_t i, size_t n,
    int64_t now, struct listing_in *in, uint8_t **buf, size_t *len)
{
	char err[LISTING_ERR_MAX], where[32] = "";
	json_t *errors = NULL;
	char *body;
	size_t blen;
	int rc;

	if (n > 1)
		snprintf(where, sizeof(where), "listing %zu: ", i + 1);
	/* Every field error at once, for a form to show them all. */
	if ((rc = listing_parse_all(obj, now, in, &errors, err,
	    sizeof(err))) != 0) {
		if (errors && n > 1) {
			json_t *e;
			size_t k;
			char m[LISTING_ERR_MAX + 32];

			json_array_foreach(errors, k, e) {
				snprintf(m, sizeof(m), "%s%s", where,
				    json_string_value(json_object_get(e,
				    "message")));
				json_object_set_new(e, "message",
				    json_string(m));
				json_object_set_new(e, "listing",
				    json_integer((json_int_t)i + 1));
			}
		}
		json_decref(c->details);
		c->details = errors ? json_pack("{s:o}", "fields", errors) :
		    NULL;
		return cmd_fail(c, rc, "%s%s", where, err);
	}
	if (in->ref[0] == '\0')
		make_ref(in->ref, in->body);
	if (in->expires_ms == 0) {
		in->expires_ms = default_expiry(in->body, now);
		if (in->expires_ms <= now)
			return cmd_fail(c, MENTOR_EINVAL, "%send: in the past",
			    where);
	}
	if ((body = listing_body_encode(in->body, &blen)) == NULL)
		return MENTOR_ENOMEM;
	rc = records_build(c->node->records, REC_LISTING, in->ref,
	    (const uint8_t *)body, blen, in->expires_ms, buf, len, err,
	    sizeof(err));
	free(body);
	if (rc != 0)
		return cmd_fail(c, rc, "%s%s", where, err);
	return 0;
}

/*
 * post_doc: the listings of a post: the data frame (a listing object or an
 * array of them, as JSON) when there is one, else args.listings.  Returns
 * a new reference, or NULL with c->err set.
 */
static json_t *
post_doc(struct cmd_ctx *c)
{
	json_error_t je;
	json_t *doc, *arr;

	if (c->data == NULL) {
		/* "listings": many, or "listing": one (the web's form). */
		arr = json_object_get(c->req->args, "listings");
		if (arr != NULL)
			return json_incref(arr);
		arr = json_array();
		if (json_object_get(c->req->args, "listing") != NULL)
			json_array_append(arr, json_object_get(c->req->args,
			    "listing"));
		return arr;
	}
	doc = json_loadb((const char *)c->data, c->datalen,
	    JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		cmd_fail(c, MENTOR_EINVAL, "line %d, column %d: %s", je.line,
		    je.column, je.text);
		return NULL;
	}
	if (!json_is_object(doc))
		return doc;
	arr = json_array();
	json_array_append_new(arr, doc);
	return arr;
}

int
cmd_listing_post(struct cmd_ctx *c)
{
	json_t *arr, *ids;
	struct listing_in *in = NULL;
	struct records_verdict *v = NULL;
	uint8_t **bufs = NULL, addr[REC_ADDR_LEN];
	size_t *lens = NULL, n, i, j;
	char hex[2 * REC_ADDR_LEN + 1];
	int64_t now = now_ms();
	int rc = MENTOR_ENOMEM, dry = 0;

	if ((rc = arg_bool(c, "dry_run", &dry)) != 0)
		return rc;
	rc = MENTOR_ENOMEM;
	if ((arr = post_doc(c)) == NULL)
		return MENTOR_EINVAL;
	if (!json_is_array(arr) || (n = json_array_size(arr)) == 0) {
		json_decref(arr);
		return cmd_fail(c, MENTOR_EINVAL, "listings: expected a "
		    "listing object or a non-empty array of them");
	}
	if (n > POST_MAX) {
		json_decref(arr);
		return cmd_fail(c, MENTOR_ETOOBIG, "listings: at most %d in "
		    "one post", POST_MAX);
	}
	in = calloc(n, sizeof(*in));
	bufs = calloc(n, sizeof(*bufs));
	lens = calloc(n, sizeof(*lens));
	v = calloc(n, sizeof(*v));
	if (!in || !bufs || !lens || !v)
		goto out;
	/* All or nothing: everything is validated and signed first. */
	for (i = 0; i < n; i++) {
		rc = post_one(c, json_array_get(arr, i), i, n, now, &in[i],
		    &bufs[i], &lens[i]);
		if (rc != 0)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(in[i].ref, in[j].ref) == 0) {
				rc = cmd_fail(c, MENTOR_EINVAL, "listing %zu: "
				    "ref: \"%s\" also used by listing %zu",
				    i + 1, in[i].ref, j + 1);
				goto out;
			}
	}
	if (dry) {
		/* Validated and signed, not stored: what would be posted. */
		rc = MENTOR_ENOMEM;
		if ((ids = json_array()) == NULL)
			goto out;
		c->result = json_pack("{s:b,s:b,s:o}", "dry_run", 1, "valid",
		    1, "listings", ids);
		for (i = 0; i < n; i++) {
			char when[32];

			time_format(when, in[i].expires_ms);
			rec_addr(addr, c->node->sign_pk, in[i].ref,
			    strlen(in[i].ref));
			hex_encode(hex, addr, sizeof(addr));
			json_array_append_new(ids, json_pack("{s:s,s:s,s:s,"
			    "s:O}", "id", hex, "ref", in[i].ref, "expires",
			    when, "preview", in[i].body));
		}
		rc = c->result ? 0 : MENTOR_ENOMEM;
		goto out;
	}
	rc = records_accept_batch(c->node->records,
	    (const uint8_t *const *)bufs, lens, n, v);
	if (rc != 0) {
		rc = cmd_fail(c, rc, "store failed; nothing was posted");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (v[i].code != 0 && v[i].code != MENTOR_EDUP)
			log_err("listing post: %s", v[i].why);
	if ((ids = json_array()) == NULL)
		goto out;
	c->result = json_pack("{s:o}", "ids", ids);
	for (i = 0; i < n; i++) {
		rec_addr(addr, c->node->sign_pk, in[i].ref,
		    strlen(in[i].ref));
		hex_encode(hex, addr, sizeof(addr));
		json_array_append_new(ids, json_string(hex));
	}
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	for (i = 0; in && bufs && i < n; i++) {
		listing_in_clear(&in[i]);
		free(bufs[i]);
	}
	free(in);
	free(bufs);
	free(lens);
	free(v);
	json_decref(arr);
	return rc;
}

/*
 * listing_json: the listing object of a stored record: its body plus
 * ref, expires and what the node knows (id, author, version).  full adds
 * the record id and creation time.
 */
static json_t *
listing_json(const uint8_t addr[REC_ADDR_LEN], const struct rec *r, int full)
{
	char hex[2 * REC_ID_LEN + 1], ts[21];
	uint8_t id[REC_ID_LEN];
	json_t *j;

	j = json_loadb((const char *)r->body, r->body_len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	hex_encode(hex, addr, REC_ADDR_LEN);
	json_object_set_new(j, "id", json_string(hex));
	json_object_set_new(j, "ref", json_stringn(r->ref, r->ref_len));
	hex_encode(hex, r->author, REC_KEY_LEN);
	json_object_set_new(j, "author", json_string(hex));
	time_format(ts, (int64_t)r->expires_at);
	json_object_set_new(j, "expires", json_string(ts));
	json_object_set_new(j, "version", json_integer((json_int_t)
	    r->created_at));
	if (full) {
		time_format(ts, (int64_t)r->created_at);
		json_object_set_new(j, "created", json_string(ts));
		rec_id(id, r->bytes, r->len);
		hex_encode(hex, id, REC_ID_LEN);
		json_object_set_new(j, "record_id", json_string(hex));
	}
	return j;
}

struct list_arg {
	json_t		*list;
	const uint8_t	*author;	/* only this author's, or NULL */
};

static int
list_each(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	struct list_arg *la = arg;
	json_t *list = la->list, *full, *e;
	static const char *const keep[] = { "id", "ref", "title", "kind",
	    "organization", "author", "modality", "capacity", "expires",
	    "full" };
	size_t i;

	if (la->author && memcmp(r->author, la->author, REC_KEY_LEN) != 0)
		return 0;
	if ((full = listing_json(addr, r, 0)) == NULL)
		return 0;
	e = json_object();
	for (i = 0; e && i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_get(full, keep[i]))
			json_object_set(e, keep[i],
			    json_object_get(full, keep[i]));
	json_decref(full);
	if (e == NULL || json_array_append_new(list, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

int
cmd_listing_list(struct cmd_ctx *c)
{
	struct list_arg la = { NULL, NULL };
	int rc, mine = 0;

	if ((rc = arg_bool(c, "mine", &mine)) != 0)
		return rc;
	if ((c->result = json_array()) == NULL)
		return MENTOR_ENOMEM;
	la.list = c->result;
	la.author = mine ? c->node->sign_pk : NULL;
	rc = records_foreach_live(c->node->records, list_each, &la);
	if (rc != 0)
		return cmd_fail(c, rc, "cannot read listings");
	return 0;
}

static int
missing(struct cmd_ctx *c, int rc, const char *id)
{
	if (rc == MENTOR_EWITHDRAWN)
		return cmd_fail(c, MENTOR_ENOTFOUND, "listing %s was "
		    "withdrawn", id);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no live listing %s", id);
	return cmd_fail(c, rc, "cannot read listing %s", id);
}

/*
 * show_fit: for a student (the caller, or "student" named by staff), the
 * listing's fit and, when the student would not be offered it, why not.
 */
static int
show_fit(struct cmd_ctx *c, const uint8_t addr[REC_ADDR_LEN])
{
	struct cmd_fit *f;
	const char *sid;
	json_t *fit;
	int rc;

	if (c->who != CMD_WHO_STUDENT &&
	    json_object_get(c->req->args, "student") == NULL)
		return 0;
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_student(c, "student", &sid)) != 0 ||
	    (rc = cmd_fit_open(c, sid, &f)) != 0)
		return rc;
	fit = cmd_fit_json(f, addr);
	cmd_fit_close(f);
	if (fit == NULL)
		return MENTOR_ENOMEM;
	json_object_set(c->result, "why_not", json_object_get(fit,
	    "why_not"));
	json_object_set_new(c->result, "fit", fit);
	return 0;
}

int
cmd_listing_show(struct cmd_ctx *c)
{
	uint8_t addr[REC_ADDR_LEN], *buf;
	const char *id;
	struct rec r;
	size_t len;
	int rc;

	if ((rc = arg_hex(c, "id", "listing id", addr, REC_ADDR_LEN)) != 0)
		return rc;
	arg_str(c, "id", 1, &id);
	rc = records_current(c->node->records, addr, &buf, &len);
	if (rc != 0)
		return missing(c, rc, id);
	if (rec_decode(&r, buf, len) != 0 || r.kind != REC_LISTING) {
		free(buf);
		return cmd_fail(c, MENTOR_ENOTFOUND, "%s is not a listing",
		    id);
	}
	c->result = listing_json(addr, &r, 1);
	free(buf);
	if (c->result == NULL)
		return MENTOR_ENOMEM;
	return show_fit(c, addr);
}

int
cmd_listing_withdraw(struct cmd_ctx *c)
{
	uint8_t addr[REC_ADDR_LEN], out[REC_ADDR_LEN], *buf;
	uint8_t author[REC_KEY_LEN];
	char ref[REC_REF_MAX + 1], err[256];
	const char *id;
	int64_t created, expires;
	unsigned kind;
	size_t len;
	int rc;

	if ((rc = arg_hex(c, "id", "listing id", addr, REC_ADDR_LEN)) != 0)
		return rc;
	arg_str(c, "id", 1, &id);
	rc = records_current(c->node->records, addr, &buf, &len);
	if (rc != 0)
		return missing(c, rc, id);
	free(buf);
	rc = records_addr_info(c->node->records, addr, &kind, author, ref,
	    sizeof(ref), &created, &expires);
	if (rc != 0)
		return missing(c, rc, id);
	if (kind != REC_LISTING)
		return cmd_fail(c, MENTOR_ENOTFOUND, "%s is not a listing", id);
	if (sodium_memcmp(author, c->node->sign_pk, REC_KEY_LEN) != 0)
		return cmd_fail(c, MENTOR_EPERM, "listing %s was posted by "
		    "another node; only its author can withdraw it", id);
	/* Kept until the withdrawn version would have expired. */
	rc = records_publish(c->node->records, REC_WITHDRAWAL, ref, NULL, 0,
	    expires, out, err, sizeof(err));
	if (rc != 0)
		return cmd_fail(c, rc, "withdraw %s: %s", id, err);
	c->result = json_pack("{s:s}", "id", id);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_records_export(struct cmd_ctx *c)
{
	uint8_t after[REC_ID_LEN], last[REC_ID_LEN];
	char hex[2 * REC_ID_LEN + 1];
	const char *s = NULL;
	int more = 0, rc;

	if ((rc = arg_str(c, "after", 0, &s)) != 0)
		return rc;
	if (s && hex_decode(after, sizeof(after), s) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "after: expected a record "
		    "id (64 hex digits)");
	rc = records_export(c->node->records, s ? after : NULL, EXPORT_CHUNK,
	    &c->out, &c->outlen, &more, last);
	if (rc != 0)
		return cmd_fail(c, rc, "export failed");
	hex_encode(hex, last, sizeof(last));
	c->result = json_pack("{s:b,s:s}", "more", more, "last", hex);
	if (c->out == NULL) {
		/* An empty chunk still sends a data frame. */
		c->out = malloc(1);
		c->outlen = 0;
	}
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_records_import(struct cmd_ctx *c)
{
	const uint8_t **bufs = NULL, *rec;
	struct records_verdict *v = NULL;
	size_t *lens = NULL, n = 0, cap = 0, off = 0, reclen, i;
	json_t *errors;
	long long first = 0;
	char hex[2 * REC_ID_LEN + 1];
	uint8_t id[REC_ID_LEN];
	struct rec r;
	size_t acc = 0, dup = 0, rej = 0;
	int rc, xr;

	if ((rc = arg_int(c, "first", 0, 0, 1LL << 40, &first)) != 0)
		return rc;
	if (c->data == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "records.import needs a "
		    "data frame of export frames");
	/*
	 * Count the whole frames first: a frame that holds no record can be
	 * as short as 5 octets, and every one is numbered and answered.
	 */
	while ((xr = xs_next(c->data, c->datalen, &off, &rec, &reclen)) == 1)
		cap++;
	bufs = calloc(cap ? cap : 1, sizeof(*bufs));
	lens = calloc(cap ? cap : 1, sizeof(*lens));
	if (!bufs || !lens) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	for (off = 0; n < cap; n++)
		xs_next(c->data, c->datalen, &off, &bufs[n], &lens[n]);
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	/* The order of SPEC.md 4.7, as for peers: trust before signature. */
	if (n > 0 && (rc = records_accept_untrusted(c->node->records, bufs,
	    lens, n, v)) != 0) {
		rc = cmd_fail(c, rc, "store failed; nothing was imported");
		goto out;
	}
	if ((errors = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (v[i].code == 0) {
			acc++;
			continue;
		}
		if (v[i].code == MENTOR_EDUP) {
			dup++;
			continue;
		}
		rej++;
		/* The id of every frame that decodes (SPEC.md 10.3). */
		hex[0] = '\0';
		if (rec_decode(&r, bufs[i], lens[i]) == 0) {
			rec_id(id, bufs[i], lens[i]);
			hex_encode(hex, id, REC_ID_LEN);
		}
		json_array_append_new(errors, json_pack("{s:I,s:s,s:s,s:s}",
		    "record", (json_int_t)(first + (long long)i + 1),
		    "id", hex, "error", mentor_errname(v[i].code), "reason",
		    v[i].why));
	}
	if (xr < 0) {
		/* The framing broke: what follows cannot be resynchronised. */
		rej++;
		json_array_append_new(errors, json_pack("{s:I,s:s,s:s,s:s}",
		    "record", (json_int_t)(first + (long long)n + 1), "id", "",
		    "error", mentor_errname(xr), "reason", xr == MENTOR_ETRUNC ?
		    "stream ends inside this record" :
		    "bad record length; the rest of the stream is unreadable"));
	}
	c->result = json_pack("{s:I,s:I,s:I,s:I,s:o}",
	    "accepted", (json_int_t)acc, "duplicates", (json_int_t)dup,
	    "rejected", (json_int_t)rej, "records", (json_int_t)(n +
	    (xr < 0)), "errors", errors);
	rc = c->result ? 0 : MENTOR_ENOMEM;
	if (acc > 0 || rej > 0)
		log_info("import: %zu accepted, %zu duplicate, %zu rejected",
		    acc, dup, rej);
out:
	free(bufs);
	free(lens);
	free(v);
	return rc;
}

int
cmd_trust_add(struct cmd_ctx *c)
{
	uint8_t key[REC_KEY_LEN];
	const char *note = NULL, *id;
	int rc, hub = 0;

	if ((rc = arg_hex(c, "node_id", "node id", key, REC_KEY_LEN)) != 0 ||
	    (rc = arg_str(c, "note", 0, &note)) != 0 ||
	    (rc = arg_bool(c, "hub", &hub)) != 0)
		return rc;
	if (note && strlen(note) > 200)
		return cmd_fail(c, MENTOR_EINVAL, "note: at most 200 bytes");
	if (sodium_memcmp(key, c->node->sign_pk, REC_KEY_LEN) == 0)
		return cmd_fail(c, MENTOR_EINVAL, "node_id: that is this "
		    "node; it always trusts itself");
	if ((rc = records_trust_add(c->node->records, key, note, hub)) != 0)
		return cmd_fail(c, rc, "store failed");
	arg_str(c, "node_id", 1, &id);
	c->result = json_pack("{s:s,s:b}", "node_id", id, "hub", hub);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_trust_remove(struct cmd_ctx *c)
{
	uint8_t key[REC_KEY_LEN];
	const char *id;
	int rc;

	if ((rc = arg_hex(c, "node_id", "node id", key, REC_KEY_LEN)) != 0)
		return rc;
	arg_str(c, "node_id", 1, &id);
	rc = records_trust_remove(c->node->records, key);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "%s is not trusted", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = json_pack("{s:s}", "node_id", id);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_trust_list(struct cmd_ctx *c)
{
	int rc;

	if ((rc = records_trust_list(c->node->records, &c->result)) != 0)
		return cmd_fail(c, rc, "store failed");
	return 0;
}

/*
 * listing.search: the live listings a person browses: filters on kind,
 * cluster, modality and words of the title, organization and
 * description; for a student (the caller, or "student" named by staff)
 * each listing's fit, the ones the student would be offered first by
 * score, and max_km on the distance from the student's location.
 */
#define SEARCH_DEFAULT	50
#define SEARCH_MAX	500

struct search_arg {
	struct cmd_ctx	*c;
	const char	*q, *kind, *cluster, *modality;
	long long	 max_km;
	struct cmd_fit	*fit;
	json_t		*hits;
	size_t		 total;
};

/* contains: whether s holds q, ignoring ASCII case. */
static int
contains(const char *s, const char *q)
{
	size_t n = strlen(q);

	if (s == NULL)
		return 0;
	for (; *s; s++)
		if (strncasecmp(s, q, n) == 0)
			return 1;
	return 0;
}

static int
in_list(const json_t *a, const char *v)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), v) == 0)
			return 1;
	return 0;
}

static int
search_each(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	static const char *const keep[] = { "id", "title", "kind",
	    "organization", "modality", "clusters", "occupations", "start",
	    "end", "capacity", "min_age", "description" };
	struct search_arg *s = arg;
	json_t *full, *e, *fit = NULL, *d;
	size_t i;

	if ((full = listing_json(addr, r, 0)) == NULL)
		return 0;
	if ((s->kind && strcmp(s->kind, json_string_value(json_object_get(
	    full, "kind")) ? json_string_value(json_object_get(full,
	    "kind")) : "") != 0) ||
	    (s->modality && strcmp(s->modality, json_string_value(
	    json_object_get(full, "modality")) ? json_string_value(
	    json_object_get(full, "modality")) : "") != 0) ||
	    (s->cluster && !in_list(json_object_get(full, "clusters"),
	    s->cluster)) ||
	    (s->q && !contains(json_string_value(json_object_get(full,
	    "title")), s->q) && !contains(json_string_value(
	    json_object_get(full, "organization")), s->q) &&
	    !contains(json_string_value(json_object_get(full,
	    "description")), s->q))) {
		json_decref(full);
		return 0;
	}
	if (s->fit) {
		if ((fit = cmd_fit_json(s->fit, addr)) == NULL) {
			json_decref(full);
			return MENTOR_ENOMEM;
		}
		d = json_object_get(fit, "distance_km");
		if (s->max_km >= 0 && d && json_real_value(d) > s->max_km) {
			json_decref(fit);
			json_decref(full);
			return 0;
		}
	}
	e = json_object();
	for (i = 0; e && i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_get(full, keep[i]))
			json_object_set(e, keep[i],
			    json_object_get(full, keep[i]));
	json_decref(full);
	if (e && fit)
		json_object_set_new(e, "fit", fit);
	else
		json_decref(fit);
	s->total++;
	if (e == NULL || json_array_append_new(s->hits, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

static int
by_fit(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_t *fx = json_object_get(x, "fit"), *fy = json_object_get(y, "fit");
	int mx = json_is_true(json_object_get(fx, "matched"));
	int my = json_is_true(json_object_get(fy, "matched"));
	json_int_t sx = json_integer_value(json_object_get(fx, "score"));
	json_int_t sy = json_integer_value(json_object_get(fy, "score"));
	const char *tx = json_string_value(json_object_get(x, "title"));
	const char *ty = json_string_value(json_object_get(y, "title"));

	if (mx != my)
		return my - mx;
	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(tx ? tx : "", ty ? ty : "");
}

int
cmd_listing_search(struct cmd_ctx *c)
{
	struct search_arg s;
	const char *sid = NULL;
	long long limit = SEARCH_DEFAULT, offset = 0;
	json_t **v = NULL, *page;
	size_t i, n;
	int rc;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.max_km = -1;
	if ((rc = arg_str(c, "q", 0, &s.q)) != 0 ||
	    (rc = arg_str(c, "kind", 0, &s.kind)) != 0 ||
	    (rc = arg_str(c, "cluster", 0, &s.cluster)) != 0 ||
	    (rc = arg_str(c, "modality", 0, &s.modality)) != 0 ||
	    (rc = arg_int(c, "max_km", 0, 0, 20000, &s.max_km)) != 0 ||
	    (rc = arg_int(c, "limit", 0, 1, SEARCH_MAX, &limit)) != 0 ||
	    (rc = arg_int(c, "offset", 0, 0, 1 << 30, &offset)) != 0)
		return rc;
	if (s.q && *s.q == '\0')
		s.q = NULL;
	if (s.kind && *s.kind == '\0')
		s.kind = NULL;
	if (s.cluster && *s.cluster == '\0')
		s.cluster = NULL;
	if (s.modality && *s.modality == '\0')
		s.modality = NULL;
	if (c->who == CMD_WHO_STUDENT ||
	    json_object_get(c->req->args, "student") != NULL) {
		if ((rc = cmd_school_only(c)) != 0 ||
		    (rc = arg_student(c, "student", &sid)) != 0 ||
		    (rc = cmd_fit_open(c, sid, &s.fit)) != 0)
			return rc;
	} else if (s.max_km >= 0)
		return cmd_fail(c, MENTOR_EINVAL, "max_km: needs a student "
		    "(the distance is from the student's location)");
	if ((s.hits = json_array()) == NULL) {
		cmd_fit_close(s.fit);
		return MENTOR_ENOMEM;
	}
	rc = records_foreach_live(c->node->records, search_each, &s);
	cmd_fit_close(s.fit);
	if (rc != 0) {
		json_decref(s.hits);
		return cmd_fail(c, rc, "cannot read listings");
	}
	n = json_array_size(s.hits);
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
		json_decref(s.hits);
		return MENTOR_ENOMEM;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(s.hits, i);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_fit);
	page = json_array();
	for (i = (size_t)offset; page && i < n && i < (size_t)(offset +
	    limit); i++)
		json_array_append(page, v[i]);
	free(v);
	json_decref(s.hits);
	if (page == NULL)
		return MENTOR_ENOMEM;
	c->result = json_pack("{s:I,s:o}", "total", (json_int_t)s.total,
	    "listings", page);
	if (c->result && sid)
		json_object_set_new(c->result, "student", json_string(sid));
	return c->result ? 0 : MENTOR_ENOMEM;
}
