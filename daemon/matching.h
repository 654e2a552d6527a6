/*
 * matching.h: the node's matcher: the career frameworks, and the
 * in-memory listing index (match.h) built from the store at start and
 * kept current by watching records.c.
 */
#ifndef MENTOR_MATCHING_H
#define MENTOR_MATCHING_H

#include <stddef.h>

struct node;

/*
 * matching_open: loads the frameworks (conf data_dir, else $MENTORD_DATA,
 * else beside the executable) and indexes every live listing.  A node
 * without framework data still matches, with ids instead of names; that is
 * logged as a warning.
 */
int	matching_open(struct node *, char *err, size_t errlen);
void	matching_close(struct node *);

/* matching_data_dir: where the frameworks were found ("" if nowhere). */
const char *matching_data_dir(const struct node *);

#endif
