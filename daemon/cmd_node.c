/*
 * cmd_node.c: commands about the node itself: ping, status.
 */
#include <jansson.h>

#include "cmd.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "records.h"
#include "rotate.h"
#include "store.h"
#include "util.h"

/*
 * node.rotate: a new signing key for this node (rotate.h); the
 * operator's socket only, like backup: it writes the node's secret keys.
 */
int
cmd_node_rotate_key(struct cmd_ctx *c)
{
	char hex[2 * REC_KEY_LEN + 1], err[MSG_ERR_MAX];
	int rc;

	if (c->who != CMD_WHO_OPERATOR)
		return cmd_fail(c, MENTOR_EPERM, "node rotate-key: only on the "
		    "node's own socket");
	if ((rc = rotate_key(c->node, hex, err, sizeof(err))) != 0)
		return cmd_fail(c, rc, "%s", err);
	c->result = json_pack("{s:s,s:s,s:b}", "old", c->node->id_hex, "new",
	    hex, "restart", 1);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_ping(struct cmd_ctx *c)
{
	c->result = json_pack("{s:s}", "pong", c->node->id_hex);
	return c->result ? 0 : MENTOR_ENOMEM;
}

struct counts {
	size_t	students, peers, trusted, records;
};

static int
count_fn(struct store_txn *t, void *arg)
{
	struct counts *k = arg;

	k->students = store_count(t, DB_STUDENTS);
	k->peers = store_count(t, DB_PEERS);
	k->trusted = store_count(t, DB_TRUST);
	k->records = store_count(t, DB_RECORDS);
	return 0;
}

int
cmd_status(struct cmd_ctx *c)
{
	struct node *n = c->node;
	struct counts k = { 0, 0, 0, 0 };
	uint64_t used, mapsize;
	int rc;

	if ((rc = store_read(n->store, count_fn, &k)) != 0)
		return cmd_fail(c, rc, "store: cannot read counts");
	store_stat(n->store, &used, &mapsize);
	c->result = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:s,s:s}",
	    "name", n->conf.name,
	    "role", node_role_name(n->conf.role),
	    "node_id", n->id_hex,
	    "listen", n->conf.listen,
	    "listings", (json_int_t)records_live_listings(n->records),
	    "students", (json_int_t)k.students,
	    "peers", (json_int_t)k.peers,
	    "trusted", (json_int_t)k.trusted,
	    "records", (json_int_t)k.records,
	    "store_bytes", (json_int_t)used,
	    "uptime_s", (json_int_t)((now_ms() - n->started_ms) / 1000),
	    "version", MENTOR_VERSION,
	    "dir", n->dir);
	if (c->result && ops_status_health(n, c->result) != 0)
		return MENTOR_ENOMEM;
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_store_compact(struct cmd_ctx *c)
{
	uint64_t before, after;
	char err[256];
	int rc;

	if ((rc = store_compact(c->node->store, &before, &after, err,
	    sizeof(err))) != 0)
		return cmd_fail(c, rc, "%s", err);
	log_info("store: compacted from %llu to %llu bytes",
	    (unsigned long long)before, (unsigned long long)after);
	c->result = json_pack("{s:I,s:I}", "bytes_before", (json_int_t)before,
	    "bytes_after", (json_int_t)after);
	return c->result ? 0 : MENTOR_ENOMEM;
}
