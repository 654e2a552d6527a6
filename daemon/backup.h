/*
 * backup.h: online backups of a running node and restores into a stopped
 * or new directory.  A backup file is one stream:
 *
 *   "MNTBAK" 0x00 0x01		magic and format version (8 bytes)
 *   u32 big-endian		length of the manifest (at most 1 MiB)
 *   manifest			JSON: format, node_id, name, role, mentord,
 *				schema, created, files {name: hex bytes} with
 *				mentord.conf, sign.key and curve.key, and
 *				frameworks {ID: hex of frameworks/ID.json}
 *   store			LMDB compacting copy of the store (data.mdb),
 *				made in one read transaction
 *   "MNTBEND" 0x00		trailer magic (8 bytes)
 *   u64 big-endian		length of the store part
 *   BLAKE2b-256		of every byte before it
 *
 * It holds the node's secret keys: it is written with mode 0600.
 */
#ifndef MENTOR_BACKUP_H
#define MENTOR_BACKUP_H

#include <stddef.h>

struct node;
struct cmd_ctx;

/*
 * API commands (client side: mentorctl backup).  backup.start begins a
 * stream and returns {"session"}; backup.next {"session"} returns the next
 * chunk as the reply's data frame (possibly empty while the copy catches
 * up) and {"done": true} with the last one.  One backup at a time
 * (MENTOR_EBUSY); a session idle for 60 s is abandoned.
 */
int	cmd_backup_start(struct cmd_ctx *);
int	cmd_backup_next(struct cmd_ctx *);

/* backup_close: abandons a running backup (at shutdown). */
void	backup_close(struct node *);

/*
 * backup_file: writes a backup of the open node to path (created, mode
 * 0600; refused if it exists), synchronously.  Used before migrating the
 * store.  0, or MENTOR_EIO / MENTOR_ESTORE with err set.
 */
int	backup_file(struct node *, const char *path, char *err, size_t errlen);

/*
 * backup_restore: restores the backup in file into dir, which must hold
 * no running node.  A new dir gets the backup's configuration, keys and
 * store.  A dir that holds a node keeps its configuration; it must be the
 * same node (same signing key) unless force is set; its store is kept as
 * store.before-restore-TIME.  The file is checked whole (magic, lengths,
 * hash) and the store opened before anything in dir changes.  0, or
 * MENTOR_EINVAL (not a backup, damaged), MENTOR_EBUSY (node running),
 * MENTOR_EEXIST (another node), MENTOR_EIO, MENTOR_ESTORE, with err set.
 */
int	backup_restore(const char *dir, const char *file, int force,
	    char *err, size_t errlen);

#endif
