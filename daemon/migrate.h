/*
 * migrate.h: brings the store of an opened node to this program's schema
 * version (STORE_SCHEMA) before anything else reads it.
 *
 * Versions:
 *   1  the first release
 *   2  DB_META "node" holds the node's signing key (32 bytes): a store
 *      restored or copied under another node's directory is refused
 */
#ifndef MENTOR_MIGRATE_H
#define MENTOR_MIGRATE_H

#include <stddef.h>

struct node;

/*
 * migrate_store: when the store is older than STORE_SCHEMA, first writes
 * a backup to DIR/backup-schema-OLD-TIME.mntb (backup.h), then runs each
 * step in one write transaction (all or nothing) and records the new
 * version.  Then checks that the store belongs to this node (recording it
 * in a new store).  0; MENTOR_EEXIST (the store is another node's),
 * MENTOR_EIO or MENTOR_ESTORE, with err saying what and where.
 */
int	migrate_store(struct node *, char *err, size_t errlen);

/*
 * migrate_set_node: records key as the key the store belongs to (after a
 * key rotation, rotate.h).  0 or the store's error.
 */
int	migrate_set_node(struct node *, const unsigned char key[32]);

#endif
