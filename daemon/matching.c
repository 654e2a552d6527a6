/*
 * matching.c: glue between the store and the pure matcher: finds the
 * framework data, builds the listing index at start, applies every change
 * records.c reports.  The `match` command is in cmd_match.c.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "frameworks.h"
#include "log.h"
#include "match.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "records.h"
#include "resolve.h"
#include "util.h"

#ifndef MENTOR_DATADIR
#define MENTOR_DATADIR "/usr/local/share/mentord/data"
#endif

/*
 * Whether an author has rotated its key, remembered for the few authors
 * seen last: listings arrive author after author, and a rotation is rare.
 */
#define ROT_MEMO	64

struct rot_memo {
	uint8_t	key[REC_KEY_LEN];
	int	rotated;
};

struct matcher {
	struct node		*node;
	struct frameworks	*fw;
	struct match_index	*mi;
	struct resolve		*res;	/* opened on first use; NULL before */
	struct rot_memo		 memo[ROT_MEMO];
	size_t			 nmemo, next;
	char			 dir[PATH_MAX];
};

/* rotated: whether author's key rotated (its listings take no more). */
static int
rotated(struct matcher *m, const uint8_t *author)
{
	struct rot_memo *e;
	size_t i;

	for (i = 0; i < m->nmemo; i++)
		if (memcmp(m->memo[i].key, author, REC_KEY_LEN) == 0)
			return m->memo[i].rotated;
	if (m->nmemo < ROT_MEMO)
		e = &m->memo[m->nmemo++];
	else {
		e = &m->memo[m->next];
		m->next = (m->next + 1) % ROT_MEMO;
	}
	memcpy(e->key, author, REC_KEY_LEN);
	e->rotated = records_rotated(m->node->records, author);
	return e->rotated;
}

/* A rotation stored: its author's listings leave the index. */
struct unindex {
	struct matcher	*m;
	uint8_t		 author[REC_KEY_LEN];
};

static int
unindex_one(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	struct unindex *u = arg;

	if (memcmp(r->author, u->author, REC_KEY_LEN) == 0)
		mi_del(u->m->mi, addr);
	return 0;
}

static void
on_rotation(evutil_socket_t fd, short what, void *arg)
{
	struct unindex *u = arg;

	(void)fd;
	(void)what;
	if (records_foreach_live(u->m->node->records, unindex_one, u) != 0)
		log_warn("matching: the listings of a rotated key stay "
		    "indexed until restart");
	free(u);
}

static int
is_data_dir(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/clusters.tsv", dir);
	return access(p, R_OK) == 0;
}

/* find_data: the first candidate directory that holds clusters.tsv. */
static int
find_data(const struct node *n, char *out, size_t outlen)
{
	char exe[PATH_MAX - 32], *slash;
	const char *env;
	ssize_t len;

	if (n->conf.data_dir[0]) {
		snprintf(out, outlen, "%s", n->conf.data_dir);
		return is_data_dir(out) ? 0 : MENTOR_ENOTFOUND;
	}
	if ((env = getenv("MENTORD_DATA")) != NULL && *env) {
		snprintf(out, outlen, "%s", env);
		return is_data_dir(out) ? 0 : MENTOR_ENOTFOUND;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		snprintf(out, outlen, "%s/../contrib/data", exe);
		if (is_data_dir(out))
			return 0;
		snprintf(out, outlen, "%s/../share/mentord/data", exe);
		if (is_data_dir(out))
			return 0;
	}
	snprintf(out, outlen, "%s", MENTOR_DATADIR);
	return is_data_dir(out) ? 0 : MENTOR_ENOTFOUND;
}

static int
index_one(void *arg, const uint8_t addr[REC_ADDR_LEN], const struct rec *r)
{
	struct matcher *m = arg;

	/* Nobody holds a rotated key to open applications to these. */
	if (rotated(m, r->author))
		return 0;
	if (mi_put(m->mi, addr, r->body, r->body_len,
	    (int64_t)r->expires_at) != 0)
		log_warn("matching: listing body not indexable");
	return 0;
}

static void
on_change(void *arg, const struct records_change *ch)
{
	struct matcher *m = arg;
	struct timeval now = { 0, 0 };
	struct unindex *u;
	size_t i;

	if (ch->stored && ch->stored->kind == REC_ROTATION) {
		for (i = 0; i < m->nmemo; i++)
			if (memcmp(m->memo[i].key, ch->stored->author,
			    REC_KEY_LEN) == 0)
				m->memo[i].rotated = 1;
		/* Outside the watchers: it reads the store. */
		if ((u = calloc(1, sizeof(*u))) == NULL)
			return;
		u->m = m;
		memcpy(u->author, ch->stored->author, REC_KEY_LEN);
		if (event_base_once(m->node->base, -1, EV_TIMEOUT, on_rotation,
		    u, &now) != 0)
			free(u);
		return;
	}
	if (ch->rec && ch->rec->kind == REC_LISTING)
		index_one(m, ch->addr, ch->rec);
	else
		mi_del(m->mi, ch->addr);
}

/*
 * add_case: adds the CASE frameworks the operator imported (DIR/frameworks/
 * *.json, written by cmd_framework.c) to fw.
 */
static int
add_case(const struct node *n, struct frameworks *fw, char *err,
    size_t errlen)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300], e[256];
	struct dirent *de;
	json_error_t je;
	json_t *j;
	size_t len;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/frameworks", n->dir);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((j = json_load_file(path, 0, &je)) == NULL) {
			snprintf(err, errlen, "%s: %s", path, je.text);
			rc = MENTOR_EINVAL;
			break;
		}
		if ((rc = fw_case_add(fw, j, e, sizeof(e))) != 0)
			snprintf(err, errlen, "%s: %s", path, e);
		json_decref(j);
	}
	closedir(d);
	return rc;
}

int
matching_reload(struct node *n, char *err, size_t errlen)
{
	struct matcher *m = n->matcher, old;
	int rc;

	if (m == NULL || m->dir[0] == '\0') {
		snprintf(err, errlen, "this node has no framework data (set "
		    "data_dir in mentord.conf)");
		return MENTOR_ENOTFOUND;
	}
	old = *m;
	if ((rc = fw_load(&m->fw, m->dir, err, errlen)) != 0) {
		*m = old;
		return rc;
	}
	if ((rc = add_case(n, m->fw, err, errlen)) != 0)
		goto fail;
	if ((m->mi = mi_new(m->fw)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto fail;
	}
	if ((rc = records_foreach_live(n->records, index_one, m)) != 0) {
		snprintf(err, errlen, "matching: cannot rebuild the index: %s",
		    mentor_strerror(rc));
		mi_free(m->mi);
		goto fail;
	}
	mi_free(old.mi);
	fw_free(old.fw);
	return 0;
fail:
	fw_free(m->fw);
	*m = old;
	return rc;
}

int
matching_open(struct node *n, char *err, size_t errlen)
{
	struct matcher *m;
	int64_t t0;
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return MENTOR_ENOMEM;
	m->node = n;
	if (find_data(n, m->dir, sizeof(m->dir)) == 0) {
		if ((rc = fw_load(&m->fw, m->dir, err, errlen)) != 0) {
			free(m);
			return rc;
		}
		if ((rc = add_case(n, m->fw, err, errlen)) != 0) {
			fw_free(m->fw);
			free(m);
			return rc;
		}
	} else {
		log_warn("matching: no framework data found (last tried %s); "
		    "set data_dir in mentord.conf", m->dir);
		m->dir[0] = '\0';
	}
	if ((m->mi = mi_new(m->fw)) == NULL) {
		fw_free(m->fw);
		free(m);
		return MENTOR_ENOMEM;
	}
	t0 = mono_ms();
	rc = records_foreach_live(n->records, index_one, m);
	if (rc == 0)
		rc = records_watch(n->records, on_change, m);
	if (rc != 0) {
		snprintf(err, errlen, "matching: cannot build the index: %s",
		    mentor_strerror(rc));
		mi_free(m->mi);
		fw_free(m->fw);
		free(m);
		return rc;
	}
	log_info("matching: %zu listings indexed in %lld ms (%zu KiB)",
	    mi_count(m->mi), (long long)(mono_ms() - t0),
	    mi_memory(m->mi) / 1024);
	n->matcher = m;
	return 0;
}

void
matching_close(struct node *n)
{
	struct matcher *m = n->matcher;

	if (m == NULL)
		return;
	mi_free(m->mi);
	fw_free(m->fw);
	resolve_free(m->res);
	free(m);
	n->matcher = NULL;
}

const struct resolve *
matching_resolve(struct node *n, char *err, size_t errlen)
{
	struct matcher *m = n->matcher;

	if (m == NULL || m->dir[0] == '\0') {
		snprintf(err, errlen, "this node has no reference data (set "
		    "data_dir in mentord.conf)");
		return NULL;
	}
	if (m->res == NULL && resolve_open(&m->res, m->dir, err, errlen) != 0)
		m->res = NULL;
	return m->res;
}

const char *
matching_data_dir(const struct node *n)
{
	return n->matcher ? n->matcher->dir : "";
}

struct match_index *
matching_index(const struct node *n)
{
	return n->matcher ? n->matcher->mi : NULL;
}

const struct frameworks *
matching_frameworks(const struct node *n)
{
	return n->matcher ? n->matcher->fw : NULL;
}
