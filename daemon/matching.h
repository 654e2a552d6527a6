/*
 * matching.h: the node's matcher: the career frameworks, and the
 * in-memory listing index (match.h) built from the store at start and
 * kept current by watching records.c.
 */
#ifndef MENTOR_MATCHING_H
#define MENTOR_MATCHING_H

#include <stddef.h>

struct node;
struct match_index;
struct frameworks;

/*
 * matching_open: loads the frameworks (conf data_dir, else $MENTORD_DATA,
 * else beside the executable) and indexes every live listing.  A node
 * without framework data still matches, with ids instead of names; that is
 * logged as a warning.
 */
int	matching_open(struct node *, char *err, size_t errlen);

/*
 * matching_reload: reloads the frameworks with the CASE frameworks of
 * DIR/frameworks/ and rebuilds the index over them; on failure (message in
 * err) the node keeps the old ones.  MENTOR_ENOTFOUND when the node has no
 * framework data.
 */
int	matching_reload(struct node *, char *err, size_t errlen);
void	matching_close(struct node *);

/*
 * matching_index / matching_frameworks: the live listing index and the
 * loaded frameworks, owned by the matcher (valid until matching_close);
 * NULL before matching_open.
 */
struct match_index *matching_index(const struct node *);
const struct frameworks *matching_frameworks(const struct node *);

/*
 * matching_resolve: the resolver of friendly values (resolve.h) for the
 * node's data directory, loaded on first use and kept until
 * matching_close; NULL with err set when there is no data directory or
 * it cannot be loaded.
 */
struct resolve;
const struct resolve *matching_resolve(struct node *, char *err,
	    size_t errlen);

/* matching_data_dir: where the frameworks were found ("" if nowhere). */
const char *matching_data_dir(const struct node *);

struct frameworks;
/* matching_fw: the loaded frameworks (names of codes), NULL if none. */
const struct frameworks *matching_fw(const struct node *);
/* matching_title: the title of a live listing by its 32-hex id, or NULL. */
const char *matching_title(const struct node *, const char *hex);

#endif
