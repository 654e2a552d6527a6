/*
 * cmd_listing.c: listing post/list/show/withdraw, records export/import
 * and trust: the client API side of the signed-record rules in records.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
list_each(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	json_t *list = arg, *full, *e;
	static const char *const keep[] = { "id", "ref", "title", "kind",
	    "organization", "author", "modality", "capacity", "expires" };
	size_t i;

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
	int rc;

	if ((c->result = json_array()) == NULL)
		return MENTOR_ENOMEM;
	rc = records_foreach_live(c->node->records, list_each, c->result);
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
	return c->result ? 0 : MENTOR_ENOMEM;
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
