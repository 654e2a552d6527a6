/*
 * cmd_dashboard.c: the coordinator's dashboard in one call: students and
 * how far they got (with matches, applied, accepted), live listings by
 * cluster and format, peers and their last contact, and consents that
 * end within 30 days.  Counts only: no student data leaves this node.
 */
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "cmd.h"
#include "match.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "peer.h"
#include "records.h"
#include "store.h"
#include "students.h"
#include "util.h"

#define MATCH_CHECK_MAX	5000	/* students checked for a match */
#define SOON_DAYS	30

struct dash {
	struct node	*node;
	json_t		*ids;		/* student ids */
	json_t		*applied;	/* {student: true} */
	json_t		*accepted;
	json_t		*expiring;	/* [{"student","expires"}] */
	int32_t		 today;
	json_t		*clusters;	/* {code: n} */
	json_t		*formats;	/* {modality: n} */
	size_t		 listings;
};

static int
ids_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct dash *d = arg;

	(void)val;
	(void)vlen;
	return json_array_append_new(d->ids, json_stringn(key, klen)) == 0 ?
	    0 : MENTOR_ENOMEM;
}

/* apps_each: school-side applications ('s'; apps.h). */
static int
apps_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct dash *d = arg;
	const char *st, *sid;
	json_t *a;

	if (klen < 1 || ((const char *)key)[0] != 's')
		return 1;
	if ((a = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	sid = json_string_value(json_object_get(a, "student"));
	st = json_string_value(json_object_get(a, "status"));
	if (sid) {
		json_object_set_new(d->applied, sid, json_true());
		if (st && strcmp(st, "accepted") == 0)
			json_object_set_new(d->accepted, sid, json_true());
	}
	json_decref(a);
	return 0;
}

/* consents_each: 'c' student id -> consents; those ending soon. */
static int
consents_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct dash *d = arg;
	json_t *list, *c, *rev;
	const char *exp;
	int32_t day;
	size_t i;

	if (klen < 1 || ((const char *)key)[0] != 'c')
		return 1;
	if ((list = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	json_array_foreach(list, i, c) {
		exp = json_string_value(json_object_get(c, "expires"));
		rev = json_object_get(c, "revoked");
		if (exp == NULL || (rev && !json_is_null(rev)) ||
		    date_parse(exp, &day) != 0 || day < d->today ||
		    day > d->today + SOON_DAYS)
			continue;
		json_array_append_new(d->expiring, json_pack("{s:s%,s:s}",
		    "student", (const char *)key + 1, klen - 1, "expires",
		    exp));
	}
	json_decref(list);
	return 0;
}

static int
read_tx(struct store_txn *t, void *arg)
{
	int rc;

	if ((rc = store_iter(t, DB_STUDENTS, NULL, 0, ids_each, arg)) < 0 ||
	    (rc = store_iter(t, DB_AUX, "s", 1, apps_each, arg)) < 0 ||
	    (rc = store_iter(t, DB_AUX, "c", 1, consents_each, arg)) < 0)
		return rc;
	return 0;
}

static void
bump(json_t *o, const char *k)
{
	json_object_set_new(o, k, json_integer(json_integer_value(
	    json_object_get(o, k)) + 1));
}

static int
listing_each(void *arg, const uint8_t addr[16], const struct rec *r)
{
	struct dash *d = arg;
	json_t *b, *v;
	size_t i;

	(void)addr;
	if ((b = json_loadb((const char *)r->body, r->body_len, 0, NULL)) ==
	    NULL)
		return 0;
	d->listings++;
	json_array_foreach(json_object_get(b, "clusters"), i, v)
		if (json_is_string(v))
			bump(d->clusters, json_string_value(v));
	if (json_is_string(json_object_get(b, "modality")))
		bump(d->formats, json_string_value(json_object_get(b,
		    "modality")));
	json_decref(b);
	return 0;
}

/* with_match: how many of the students have at least one match. */
static size_t
with_match(struct cmd_ctx *c, json_t *ids, size_t *checked)
{
	struct match_index *mi = matching_index(c->node);
	struct match_student *ms;
	struct match_hit hit;
	json_t *st, *v;
	int64_t now = now_ms();
	size_t i, n = 0, got;

	*checked = 0;
	if (mi == NULL)
		return 0;
	json_array_foreach(ids, i, v) {
		if (*checked == MATCH_CHECK_MAX)
			break;
		if (student_load(c->node, json_string_value(v), &st) != 0)
			continue;
		if (ms_compile(mi, st, (int32_t)(now / 86400000), &ms) == 0) {
			if (match_rank(mi, ms, now, 1, &hit, &got) == 0 &&
			    got > 0)
				n++;
			ms_free(ms);
		}
		json_decref(st);
		(*checked)++;
	}
	return n;
}

int
cmd_dashboard(struct cmd_ctx *c)
{
	struct dash d;
	json_t *peers, *p, *plist;
	size_t i, checked, matched, connected = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	d.node = c->node;
	d.today = (int32_t)(now_ms() / 86400000);
	d.ids = json_array();
	d.applied = json_object();
	d.accepted = json_object();
	d.expiring = json_array();
	d.clusters = json_object();
	d.formats = json_object();
	rc = MENTOR_ENOMEM;
	if (!d.ids || !d.applied || !d.accepted || !d.expiring ||
	    !d.clusters || !d.formats)
		goto out;
	if (c->node->conf.role == ROLE_SCHOOL &&
	    (rc = store_read(c->node->store, read_tx, &d)) != 0) {
		rc = cmd_fail(c, rc, "cannot read the store");
		goto out;
	}
	if ((rc = records_foreach_live(c->node->records, listing_each,
	    &d)) != 0) {
		rc = cmd_fail(c, rc, "cannot read listings");
		goto out;
	}
	matched = with_match(c, d.ids, &checked);
	plist = json_array();
	peers = c->node->peers ? peers_list(c->node->peers) : json_array();
	json_array_foreach(peers, i, p) {
		if (json_is_true(json_object_get(p, "connected")))
			connected++;
		json_array_append_new(plist, json_pack("{s:O?,s:O?,s:O?,s:O?,"
		    "s:O?}", "node_id", json_object_get(p, "node_id"), "name",
		    json_object_get(p, "name"), "role", json_object_get(p,
		    "role"), "connected", json_object_get(p, "connected"),
		    "last_contact", json_object_get(p, "last_contact")));
	}
	json_decref(peers);
	c->result = json_pack("{s:s,s:{s:I,s:I,s:I,s:I,s:I},"
	    "s:{s:I,s:o,s:o},s:{s:I,s:I,s:o},s:o}",
	    "role", node_role_name(c->node->conf.role),
	    "students", "total", (json_int_t)json_array_size(d.ids),
	    "with_matches", (json_int_t)matched, "checked",
	    (json_int_t)checked, "applied",
	    (json_int_t)json_object_size(d.applied), "accepted",
	    (json_int_t)json_object_size(d.accepted),
	    "listings", "live", (json_int_t)d.listings, "by_cluster",
	    json_incref(d.clusters), "by_format", json_incref(d.formats),
	    "peers", "total", (json_int_t)json_array_size(plist),
	    "connected", (json_int_t)connected, "list", plist,
	    "consents_expiring", json_incref(d.expiring));
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	json_decref(d.ids);
	json_decref(d.applied);
	json_decref(d.accepted);
	json_decref(d.expiring);
	json_decref(d.clusters);
	json_decref(d.formats);
	return rc;
}
