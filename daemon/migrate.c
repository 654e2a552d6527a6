/*
 * migrate.c: schema migrations of the store, one function per step, run
 * by a new mentord on start after a backup (migrate.h lists the versions).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "backup.h"
#include "log.h"
#include "mentor.h"
#include "migrate.h"
#include "node.h"
#include "store.h"
#include "util.h"

#define META_NODE	"node"

/* 1 -> 2: record which node the store belongs to. */
static int
to_2(struct store_txn *t, struct node *n)
{
	return store_put(t, DB_META, META_NODE, strlen(META_NODE), n->sign_pk,
	    sizeof(n->sign_pk));
}

/* steps[v - 1] takes a store from version v to v + 1. */
static int (*const steps[])(struct store_txn *, struct node *) = {
	to_2,
};

struct mig {
	struct node	*n;
	uint32_t	 from;
	int		 other;		/* the store names another node */
};

static int
migrate_fn(struct store_txn *t, void *arg)
{
	struct mig *m = arg;
	const void *v;
	size_t vlen;
	uint32_t ver;
	int rc;

	for (ver = m->from; ver < STORE_SCHEMA; ver++)
		if ((rc = steps[ver - 1](t, m->n)) != 0)
			return rc;
	if (m->from < STORE_SCHEMA &&
	    (rc = store_schema_set(t, STORE_SCHEMA)) != 0)
		return rc;
	rc = store_get(t, DB_META, META_NODE, strlen(META_NODE), &v, &vlen);
	if (rc == MENTOR_ENOTFOUND)	/* a store made by node_init */
		return store_put(t, DB_META, META_NODE, strlen(META_NODE),
		    m->n->sign_pk, sizeof(m->n->sign_pk));
	if (rc != 0)
		return rc;
	if (vlen != sizeof(m->n->sign_pk) || sodium_memcmp(v, m->n->sign_pk,
	    vlen) != 0) {
		m->other = 1;
		return MENTOR_EEXIST;	/* aborts: nothing written */
	}
	return 0;
}

static int
set_node_fn(struct store_txn *t, void *arg)
{
	return store_put(t, DB_META, META_NODE, strlen(META_NODE), arg, 32);
}

int
migrate_set_node(struct node *n, const unsigned char key[32])
{
	return store_write(n->store, set_node_fn, (void *)key);
}

int
migrate_store(struct node *n, char *err, size_t errlen)
{
	struct mig m = { n, store_schema(n->store), 0 };
	char path[PATH_MAX + 64];
	int rc;

	if (m.from < 1 || m.from > STORE_SCHEMA ||
	    sizeof(steps) / sizeof(steps[0]) != STORE_SCHEMA - 1) {
		snprintf(err, errlen, "store: no migration from schema %u",
		    m.from);
		return MENTOR_ESTORE;
	}
	if (m.from < STORE_SCHEMA) {
		snprintf(path, sizeof(path), "%s/backup-schema-%u-%lld.mntb",
		    n->dir, m.from, (long long)time(NULL));
		if ((rc = backup_file(n, path, err, errlen)) != 0)
			return rc;
		log_info("store: schema %u is older than %u; backed up to %s",
		    m.from, STORE_SCHEMA, path);
	}
	rc = store_write(n->store, migrate_fn, &m);
	if (m.other) {
		snprintf(err, errlen, "%s/store belongs to another node than "
		    "the keys in %s (restored into the wrong directory?)",
		    n->dir, n->dir);
		return MENTOR_EEXIST;
	}
	if (rc != 0) {
		snprintf(err, errlen, "store: migration from schema %u failed "
		    "(%s); the store is unchanged", m.from,
		    mentor_strerror(rc));
		return rc;
	}
	if (m.from < STORE_SCHEMA)
		log_info("store: migrated from schema %u to %u", m.from,
		    STORE_SCHEMA);
	return 0;
}
