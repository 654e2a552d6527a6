/*
 * rotate.h: key rotation (SPEC.md 2.8).  rotate_key replaces this node's
 * signing key: a rotation record signed by the old key names the new one,
 * and the new keys are written to sign.key and curve.key for the next
 * start.  rotate_open makes the node follow the rotations of others: a
 * peer or a directly trusted key that rotates is replaced by its new key,
 * with the same link and marks.  The refusal of every later record of a
 * rotated key is records.c's trust check.
 */
#ifndef MENTOR_ROTATE_H
#define MENTOR_ROTATE_H

#include <stddef.h>

struct node;

/* rotate_open: subscribes to stored records.  0 or MENTOR_ETOOBIG. */
int	rotate_open(struct node *);

/*
 * rotate_key: a new Ed25519 key pair; publishes the rotation from the
 * current key; writes the new sign.key and curve.key (mode 0600, by
 * rename).  new_hex gets the new NODE_ID.  MENTOR_EEXIST when this node's
 * key has already rotated (restart it), MENTOR_EIO when the key files
 * cannot be written (err names them; nothing was published), or the
 * error of publishing.
 */
int	rotate_key(struct node *, char new_hex[65], char *err,
	    size_t errlen);

/*
 * rotate_resign: at the start after a rotation of this node's key, signs
 * again with the new key each live listing of the old one (same ref, body
 * and expiry; the places taken on it count on the new one), so that
 * schools offer them again (SPEC.md 4.8 step 5).  Done once: a listing
 * the new key holds already is left alone, and the mark is cleared when
 * none failed.  0, or the store's error.
 */
int	rotate_resign(struct node *);

#endif
