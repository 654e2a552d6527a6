/*
 * matching.c: glue between the store and the pure matcher: finds the
 * framework data, builds the listing index at start, applies every change
 * records.c reports, and answers the `match` command.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "frameworks.h"
#include "log.h"
#include "match.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "records.h"
#include "util.h"

#ifndef MENTOR_DATADIR
#define MENTOR_DATADIR "/usr/local/share/mentord/data"
#endif

#define TOP_DEFAULT	10
#define TOP_MAX		100

struct matcher {
	struct frameworks	*fw;
	struct match_index	*mi;
	char			 dir[PATH_MAX];
};

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

	if (mi_put(m->mi, addr, r->body, r->body_len,
	    (int64_t)r->expires_at) != 0)
		log_warn("matching: listing body not indexable");
	return 0;
}

static void
on_change(void *arg, const struct records_change *ch)
{
	struct matcher *m = arg;

	if (ch->rec && ch->rec->kind == REC_LISTING)
		index_one(m, ch->addr, ch->rec);
	else
		mi_del(m->mi, ch->addr);
}

int
matching_open(struct node *n, char *err, size_t errlen)
{
	struct matcher *m;
	int64_t t0;
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return MENTOR_ENOMEM;
	if (find_data(n, m->dir, sizeof(m->dir)) == 0) {
		if ((rc = fw_load(&m->fw, m->dir, err, errlen)) != 0) {
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
	free(m);
	n->matcher = NULL;
}

const char *
matching_data_dir(const struct node *n)
{
	return n->matcher ? n->matcher->dir : "";
}

int
cmd_match(struct cmd_ctx *c)
{
	struct matcher *m = c->node->matcher;
	struct match_student *ms = NULL;
	struct match_hit *hits = NULL;
	const char *id, *title;
	long long top = TOP_DEFAULT;
	json_t *student = NULL, *list, *reasons, *e;
	char hex[2 * REC_ADDR_LEN + 1];
	size_t nhits = 0, i;
	int64_t now = now_ms();
	int rc;

	if ((rc = cmd_school_only(c)) != 0)
		return rc;
	if ((rc = arg_student(c, "student", &id)) != 0 ||
	    (rc = arg_int(c, "top", 0, 1, TOP_MAX, &top)) != 0)
		return rc;
	rc = student_load(c->node, id, &student);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	rc = ms_compile(m->mi, student, (int32_t)(now / 86400000), &ms);
	if (rc != 0) {
		rc = cmd_fail(c, rc, "student %.64s: profile cannot be "
		    "matched", id);
		goto out;
	}
	if ((hits = calloc((size_t)top, sizeof(*hits))) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = match_rank(m->mi, ms, now, (size_t)top, hits,
	    &nhits)) != 0) {
		rc = cmd_fail(c, rc, "matching failed");
		goto out;
	}
	if ((list = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	c->result = json_pack("{s:s,s:o}", "student", id, "matches", list);
	for (i = 0; i < nhits; i++) {
		hex_encode(hex, hits[i].addr, REC_ADDR_LEN);
		title = match_title(m->mi, hits[i].addr);
		if (match_explain(m->mi, ms, &hits[i], &reasons) != 0)
			reasons = json_array();
		e = json_pack("{s:s,s:s,s:i,s:{s:i,s:i,s:i,s:i},s:o}",
		    "listing", hex, "title", title ? title : "",
		    "score", hits[i].score,
		    "terms", "readiness", hits[i].readiness,
		    "growth", hits[i].growth, "career", hits[i].career,
		    "logistics", hits[i].logistics, "reasons", reasons);
		if (e && hits[i].distance_km >= 0)
			json_object_set_new(e, "distance_km",
			    json_real(hits[i].distance_km));
		json_array_append_new(list, e);
	}
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	free(hits);
	ms_free(ms);
	json_decref(student);
	return rc;
}
