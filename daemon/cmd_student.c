/*
 * cmd_student.c: student import/list/show/delete and students' own keys.  Students live only in
 * the school node's store (DB_STUDENTS: id -> normalized JSON); they are
 * never federated and never logged.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "apps.h"
#include "cmd.h"
#include "evidence.h"
#include "log.h"
#include "matching.h"
#include "bundle.h"
#include "resolve.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "student.h"
#include "students.h"
#include "util.h"

#define IDS_MAX		1000	/* ids listed per kind in a reply */

/*
 * The fields a roster may leave out (STUDENT_F_* not in its given set),
 * kept from the stored student.  An optional field the row holds anyway
 * (a birth date from a OneRoster delta) is the row's.
 */
static const struct keep {
	unsigned	 given;
	const char	*field;		/* top-level, or in goals */
	int		 in_goals;
	int		 optional;	/* absent from rows that lack it */
} keeps[] = {
	{ STUDENT_F_NAME,		"name",			0, 0 },
	{ STUDENT_F_BIRTH,		"birth_date",		0, 1 },
	{ STUDENT_F_GRADE,		"grade",		0, 1 },
	{ STUDENT_F_LOCATION,		"location",		0, 1 },
	{ STUDENT_F_DIST,		"max_distance_km",	0, 0 },
	{ STUDENT_F_MODALITY,		"modality",		0, 0 },
	{ STUDENT_F_COMPETENCIES,	"competencies",		0, 0 },
	{ STUDENT_F_SCHOOL,		"school",		0, 1 },
	{ STUDENT_F_CONCENTRATOR,	"concentrator",		0, 1 },
	{ STUDENT_F_CLUSTERS,		"clusters",		1, 0 },
	{ STUDENT_F_OCCUPATIONS,	"occupations",		1, 0 },
};

struct import_arg {
	struct node		*node;
	struct student_batch	*b;
	/* A CSV roster is read inside the transaction, each good row
	 * stored as it is read (student_roster_csv_each). */
	const char		*csv;
	size_t			 csvlen;
	const struct student_resolver *sr;
	int32_t			 today;
	struct store_txn	*t;
	unsigned		 given;
	size_t			 rows;	/* good rows (all in b for others) */
	int			 append;	/* the ids so far were past the
					 * last on file (store_append) */
	int			 dry_run;
	size_t			 created, updated, unchanged, deleted,
				 skipped;
	json_t			*ids;	/* {"created":[],"updated":[],...} */
	json_t			*missing;	/* deletes of unknown ids */
	const json_t		*update_only;	/* b's, or NULL while a
					 * reader thread fills b */
};

/* merge: s takes, for every field the roster leaves out, the stored one. */
static int
merge(json_t *s, const json_t *old, unsigned given)
{
	const json_t *from, *v;
	json_t *to;
	size_t i;

	for (i = 0; i < sizeof(keeps) / sizeof(keeps[0]); i++) {
		if (given & keeps[i].given)
			continue;
		from = keeps[i].in_goals ? json_object_get(old, "goals") : old;
		to = keeps[i].in_goals ? json_object_get(s, "goals") : s;
		if (to == NULL || (keeps[i].optional &&
		    json_object_get(to, keeps[i].field) != NULL))
			continue;
		if ((v = json_object_get(from, keeps[i].field)) == NULL) {
			json_object_del(to, keeps[i].field);
			continue;
		}
		if (json_object_set_new(to, keeps[i].field,
		    json_deep_copy(v)) != 0)
			return MENTOR_ENOMEM;
	}
	return 0;
}

static void
note_id(struct import_arg *a, const char *kind, const char *id)
{
	json_t *l = json_object_get(a->ids, kind);

	if (l != NULL && json_array_size(l) < IDS_MAX)
		json_array_append_new(l, json_string(id));
}

/*
 * import_one: a student of the roster (its id, and enc: encoded as it is
 * stored) against the one on file.  An unchanged student is one memcmp;
 * only a student that differs is decoded, merged with what is on file
 * and compared field by field.
 */
static int
import_one(struct store_txn *t, struct import_arg *a, const char *id,
    size_t idlen, const char *enc, size_t len)
{
	const void *v;
	size_t vlen;
	json_t *s = NULL, *old = NULL;
	char *merged = NULL;
	int rc;

	/* Rosters come sorted by id, and a first import finds each past the
	 * last on file: stored without a search, nor a look first. */
	if (a->append && !a->dry_run) {
		if ((rc = store_append(t, DB_STUDENTS, id, idlen, enc,
		    len)) != MENTOR_EEXIST) {
			if (rc == 0) {
				a->created++;
				note_id(a, "created", id);
			}
			return rc;
		}
		a->append = 0;	/* one out of order: look each up */
	}
	rc = store_get(t, DB_STUDENTS, id, idlen, &v, &vlen);
	if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	if (rc == MENTOR_ENOTFOUND) {
		if (a->update_only != NULL &&
		    json_object_getn(a->update_only, id, idlen) != NULL) {
			a->skipped++;	/* not a student we know */
			return 0;
		}
		a->created++;
		note_id(a, "created", id);
		/* Only the profile: consents, applications, keys stay. */
		return a->dry_run ? 0 : store_put(t, DB_STUDENTS, id, idlen,
		    enc, len);
	}
	if (vlen == len && memcmp(v, enc, len) == 0) {
		a->unchanged++;
		note_id(a, "unchanged", id);
		return 0;
	}
	if ((s = json_loadb(enc, len, 0, NULL)) == NULL)
		return MENTOR_ENOMEM;
	if ((old = json_loadb(v, vlen, 0, NULL)) == NULL) {
		rc = MENTOR_ESTORE;
		goto out;
	}
	if ((rc = merge(s, old, a->given)) != 0)
		goto out;
	if (json_equal(s, old)) {
		a->unchanged++;
		note_id(a, "unchanged", id);
		goto out;
	}
	a->updated++;
	note_id(a, "updated", id);
	if (a->dry_run)
		goto out;
	if ((merged = json_dumps(s, JSON_COMPACT)) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	rc = store_put(t, DB_STUDENTS, id, idlen, merged, strlen(merged));
out:
	free(merged);
	json_decref(old);
	json_decref(s);
	return rc;
}

/* import_start: the counts and lists of a run of the transaction. */
static void
import_start(struct import_arg *a)
{
	a->created = a->updated = a->unchanged = a->deleted = 0;
	a->skipped = 0;
	a->rows = 0;
	/* Not for a delta's update-only students, which must be on file. */
	a->update_only = a->b->update_only;
	a->append = json_object_size(a->b->update_only) == 0;
	json_object_clear(a->ids);
	json_array_clear(a->missing);
	json_object_set_new(a->ids, "created", json_array());
	json_object_set_new(a->ids, "updated", json_array());
	json_object_set_new(a->ids, "unchanged", json_array());
	json_object_set_new(a->ids, "deleted", json_array());
}

/* import_deletes: the rows marked for deletion, after the others. */
static int
import_deletes(struct store_txn *t, struct import_arg *a)
{
	json_t *ids = json_object_get(a->ids, "deleted"), *s;
	const char *id;
	const void *v;
	size_t i, vlen;
	int rc;

	json_array_foreach(a->b->deletes, i, s) {
		id = json_string_value(s);
		rc = store_get(t, DB_STUDENTS, id, strlen(id), &v, &vlen);
		if (rc == MENTOR_ENOTFOUND) {
			if (json_array_size(a->missing) < IDS_MAX)
				json_array_append_new(a->missing,
				    json_string(id));
			continue;
		}
		if (rc != 0)
			return rc;
		a->deleted++;
		if (json_array_size(ids) < IDS_MAX)
			json_array_append_new(ids, json_string(id));
		if (a->dry_run)
			continue;
		if ((rc = store_del(t, DB_STUDENTS, id, strlen(id))) != 0 ||
		    (rc = apps_student_forget(t, a->node, id)) != 0)
			return rc;
	}
	return 0;
}

static int
import_fn(struct store_txn *t, void *arg)
{
	struct import_arg *a = arg;
	const char *id, *enc;
	size_t i, idlen, len;
	int rc;

	import_start(a);
	a->given = a->b->given;
	a->rows = a->b->count;
	for (i = 0; i < a->b->count; i++) {
		id = student_batch_id(a->b, i, &idlen);
		enc = student_batch_json(a->b, i, &len);
		if ((rc = import_one(t, a, id, idlen, enc, len)) != 0)
			return rc;
	}
	return import_deletes(t, a);
}

/* csv_row: a good row of a CSV roster, compared and stored as it is
 * read (student_sink_fn). */
static int
csv_row(void *arg, const char *id, size_t idlen, const char *json,
    size_t len, size_t line, unsigned given)
{
	struct import_arg *a = arg;

	(void)line;
	a->given = given;
	a->rows++;
	return import_one(a->t, a, id, idlen, json, len);
}

/*
 * A large CSV roster is read and checked on a second thread while this
 * one stores the rows read so far, across two cores: the reader hands
 * good rows over in chunks of about CHUNK_BYTES, NCHUNK of them in
 * turn.  The transaction stays on this thread; the reader touches only
 * the file, the resolver (read-only) and a batch of its own.  The reader
 * thread is started at the first large roster and kept, waiting for the
 * next (its time is the node's, whoever counts it).
 */
#define PIPE_MIN	(1024 * 1024)	/* smaller files: one thread */
#define CHUNK_BYTES	(128 * 1024)
#define NCHUNK		4

struct chunk_row {
	size_t		 idoff, idlen, off, len;
	unsigned	 given;
};

struct chunk {
	char		*buf;
	size_t		 len, size;
	struct chunk_row *rows;
	size_t		 n, cap;
	int		 ready;		/* handed to the storing thread */
};

struct pipe {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct chunk	 c[NCHUNK];
	size_t		 fill;		/* the chunk the reader fills */
	int		 done;		/* the reader returned rc */
	int		 stop;		/* the storing thread gave up */
	int		 rc;
	struct import_arg *a;
	struct student_batch b;		/* the reader's */
};

/* chunk_add: the row joins chunk c (the reader's). */
static int
chunk_add(struct chunk *c, const char *id, size_t idlen, const char *json,
    size_t len, unsigned given)
{
	size_t want = c->len + idlen + len + 2;
	void *q;

	if (want > c->size) {
		want = want < 2 * c->size ? 2 * c->size : want;
		if ((q = realloc(c->buf, want)) == NULL)
			return MENTOR_ENOMEM;
		c->buf = q;
		c->size = want;
	}
	if (c->n == c->cap) {
		if ((q = reallocarray(c->rows, c->cap ? 2 * c->cap : 1024,
		    sizeof(*c->rows))) == NULL)
			return MENTOR_ENOMEM;
		c->rows = q;
		c->cap = c->cap ? 2 * c->cap : 1024;
	}
	c->rows[c->n].idoff = c->len;
	c->rows[c->n].idlen = idlen;
	/* Each NUL-terminated, as the batch keeps them. */
	memcpy(c->buf + c->len, id, idlen);
	c->buf[c->len + idlen] = '\0';
	c->len += idlen + 1;
	c->rows[c->n].off = c->len;
	c->rows[c->n].len = len;
	memcpy(c->buf + c->len, json, len);
	c->buf[c->len + len] = '\0';
	c->len += len + 1;
	c->rows[c->n++].given = given;
	return 0;
}

/* pipe_hand: the reader hands its chunk over and waits for the next one
 * to be free.  MENTOR_EBUSY when the storing thread stopped. */
static int
pipe_hand(struct pipe *p)
{
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	p->c[p->fill].ready = 1;
	p->fill = (p->fill + 1) % NCHUNK;
	pthread_cond_broadcast(&p->cv);
	while (p->c[p->fill].ready && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->stop)
		rc = MENTOR_EBUSY;
	pthread_mutex_unlock(&p->mu);
	p->c[p->fill].len = p->c[p->fill].n = 0;
	return rc;
}

/* pipe_row: a good row of the reader (student_sink_fn). */
static int
pipe_row(void *arg, const char *id, size_t idlen, const char *json,
    size_t len, size_t line, unsigned given)
{
	struct pipe *p = arg;
	struct chunk *c = &p->c[p->fill];
	int rc;

	(void)line;
	if ((rc = chunk_add(c, id, idlen, json, len, given)) != 0)
		return rc;
	return c->len >= CHUNK_BYTES ? pipe_hand(p) : 0;
}

static void
pipe_read(struct pipe *p)
{
	struct import_arg *a = p->a;
	int rc;

	rc = student_roster_csv_each(a->csv, a->csvlen, a->sr, a->today,
	    pipe_row, p, &p->b);
	if (rc == 0 && p->c[p->fill].n > 0)
		rc = pipe_hand(p);	/* the last rows */
	pthread_mutex_lock(&p->mu);
	p->done = 1;
	p->rc = rc;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The reader thread and the roster it reads (NULL: none). */
static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 started;
	struct pipe	*job;
} reader = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
    NULL };

static void *
reader_main(void *arg)
{
	struct pipe *p;

	(void)arg;
	pthread_mutex_lock(&reader.mu);
	for (;;) {
		while (reader.job == NULL)
			pthread_cond_wait(&reader.cv, &reader.mu);
		p = reader.job;
		pthread_mutex_unlock(&reader.mu);
		pipe_read(p);
		pthread_mutex_lock(&reader.mu);
		reader.job = NULL;	/* p is not touched from here on */
		pthread_cond_broadcast(&reader.cv);
	}
	return NULL;
}

/* reader_start: p to the reader thread (started if need be): 0, or -1
 * when there is no thread to read it. */
static int
reader_start(struct pipe *p)
{
	pthread_t th;
	int rc = 0;

	pthread_mutex_lock(&reader.mu);
	if (reader.job != NULL)
		rc = -1;	/* busy (one import at a time): not here */
	else if (!reader.started) {
		if (pthread_create(&th, NULL, reader_main, NULL) == 0) {
			pthread_detach(th);
			reader.started = 1;
		} else
			rc = -1;
	}
	if (rc == 0) {
		reader.job = p;
		pthread_cond_broadcast(&reader.cv);
	}
	pthread_mutex_unlock(&reader.mu);
	return rc;
}

/* reader_wait: until the reader thread is done with its roster. */
static void
reader_wait(void)
{
	pthread_mutex_lock(&reader.mu);
	while (reader.job != NULL)
		pthread_cond_wait(&reader.cv, &reader.mu);
	pthread_mutex_unlock(&reader.mu);
}

/* pipe_store: this thread's part: each chunk's rows compared and stored
 * in turn, until the reader is done. */
static int
pipe_store(struct store_txn *t, struct pipe *p)
{
	struct import_arg *a = p->a;
	struct chunk *c;
	size_t take = 0, i;
	int rc = 0;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->c[take].ready && !p->done)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->c[take].ready) {	/* done, nothing left */
			pthread_mutex_unlock(&p->mu);
			return 0;
		}
		pthread_mutex_unlock(&p->mu);
		c = &p->c[take];
		for (i = 0; i < c->n && rc == 0; i++) {
			a->given = c->rows[i].given;
			a->rows++;
			rc = import_one(t, a, c->buf + c->rows[i].idoff,
			    c->rows[i].idlen, c->buf + c->rows[i].off,
			    c->rows[i].len);
		}
		pthread_mutex_lock(&p->mu);
		c->ready = 0;
		if (rc != 0)
			p->stop = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (rc != 0)
			return rc;
		take = (take + 1) % NCHUNK;
	}
}

/*
 * csv_pipe: csv_fn's work on two threads.  Returns 1 when the reader
 * thread could not be started (csv_fn then reads on this one), else
 * what csv_fn returns.
 */
static int
csv_pipe(struct store_txn *t, struct import_arg *a)
{
	struct pipe *p;
	size_t i;
	int rc;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return MENTOR_ENOMEM;
	p->a = a;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	/* import_one may not look at b while the reader fills p->b; a CSV
	 * roster has no update-only students. */
	a->update_only = NULL;
	if (reader_start(p) != 0) {
		rc = 1;
		goto out;
	}
	rc = pipe_store(t, p);
	reader_wait();
	student_batch_clear(a->b);
	*a->b = p->b;		/* the errors and warnings, the deletes */
	memset(&p->b, 0, sizeof(p->b));
	a->update_only = a->b->update_only;
	if (rc == 0)
		rc = p->rc;
out:
	for (i = 0; i < NCHUNK; i++) {
		free(p->c[i].buf);
		free(p->c[i].rows);
	}
	student_batch_clear(&p->b);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return rc;
}

/*
 * csv_fn: a CSV roster read in the transaction: nothing is held but the
 * rows being read, and no row is read twice.  Any error in the file makes
 * it return MENTOR_EINVAL, so that nothing is stored (store_write aborts);
 * rows are all checked all the same, for the reply to name every error.
 * Run again from the start when the map had to grow.
 */
static int
csv_fn(struct store_txn *t, void *arg)
{
	struct import_arg *a = arg;
	int rc = 1;

	import_start(a);
	student_batch_clear(a->b);
	a->t = t;
	if (a->csvlen >= PIPE_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		rc = csv_pipe(t, a);
	if (rc == 1)
		rc = student_roster_csv_each(a->csv, a->csvlen, a->sr,
		    a->today, csv_row, a, a->b);
	if (rc != 0)
		return rc;
	if (a->b->error_count > 0)
		return MENTOR_EINVAL;
	return import_deletes(t, a);
}

/* json_batch: a JSON array of students as a batch (it replaces whole
 * students, as the contract says). */
static int
json_batch(struct cmd_ctx *c, int32_t today, struct student_batch *b)
{
	char err[STUDENT_ERR_MAX];
	json_t *arr = NULL, *s, *e;
	const char *bd;
	int32_t born;
	size_t i, nobirth = 0;
	int rc;

	memset(b, 0, sizeof(*b));
	b->given = ~0u;
	if ((b->deletes = json_array()) == NULL ||
	    (b->errors = json_array()) == NULL ||
	    (b->warnings = json_array()) == NULL)
		return MENTOR_ENOMEM;
	rc = student_parse_array((const char *)c->data, c->datalen, &arr,
	    err, sizeof(err));
	if (rc == MENTOR_ENOMEM)
		return rc;
	if (rc != 0) {
		b->error_count = 1;
		e = json_pack("{s:i,s:s,s:s,s:s}", "line", 0, "column", "",
		    "value", "", "message", err);
		return json_array_append_new(b->errors, e) == 0 ? 0 :
		    MENTOR_ENOMEM;
	}
	json_array_foreach(arr, i, s) {
		if ((rc = student_batch_add(b, s, i + 1)) != 0) {
			json_decref(arr);
			return rc;
		}
		bd = json_string_value(json_object_get(s, "birth_date"));
		if (bd == NULL)
			nobirth++;
		if (bd != NULL && date_parse(bd, &born) == 0 && born > today) {
			snprintf(err, sizeof(err), "item %zu (%s): birth_date: "
			    "in the future", i + 1, json_string_value(
			    json_object_get(s, "id")));
			if (b->error_count++ < STUDENT_ERRORS_MAX)
				json_array_append_new(b->errors, json_pack(
				    "{s:I,s:s,s:s,s:s}", "line", (json_int_t)i +
				    1, "column", "", "value", bd, "message",
				    err));
		}
	}
	if (nobirth > 0)
		json_array_append_new(b->warnings, json_pack("{s:s,s:I}",
		    "message", "no birth date: imported as a minor of unknown "
		    "age (not shown listings with a minimum age; applying "
		    "needs a guardian's consent)", "count",
		    (json_int_t)nobirth));
	json_decref(arr);
	return 0;
}

/* details: what a refused roster reply carries (error.details). */
static json_t *
details(const struct student_batch *b)
{
	return json_pack("{s:O,s:O,s:I}", "errors", b->errors, "warnings",
	    b->warnings, "error_count", (json_int_t)b->error_count);
}

int
cmd_student_import(struct cmd_ctx *c)
{
	struct student_resolver sr;
	struct student_batch b;
	struct import_arg a;
	struct resolve *res = NULL;
	const struct resolve *shared;
	const char *fmt = NULL;
	char first[MSG_ERR_MAX - 96];
	int32_t today = (int32_t)(now_ms() / 86400000);
	int rc, dry = 0;

	memset(&b, 0, sizeof(b));
	memset(&a, 0, sizeof(a));
	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "format", 1, &fmt)) != 0 ||
	    (rc = arg_bool(c, "dry_run", &dry)) != 0)
		return rc;
	if (c->data == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "student.import needs the "
		    "file as a data frame");
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0 &&
	    strcmp(fmt, "oneroster") != 0)
		return cmd_fail(c, MENTOR_EINVAL, "format: csv, json or "
		    "oneroster");
	/*
	 * The node's resolver, loaded once (a tenth of a 100,000-row
	 * import when it was loaded per import); without a data directory,
	 * one that knows nothing, so that exact codes pass.  When the
	 * node's cannot be loaded, loading it here says why.
	 */
	shared = matching_data_dir(c->node)[0] == '\0' ? NULL :
	    matching_resolve(c->node, c->err, sizeof(c->err));
	if (shared == NULL && (rc = resolve_open(&res,
	    matching_data_dir(c->node), c->err, sizeof(c->err))) != 0)
		return cmd_fail(c, rc, "reference data: %s", c->err);
	resolve_resolver(shared ? shared : res, &sr);
	a.node = c->node;
	a.b = &b;
	a.dry_run = dry;
	if ((a.ids = json_object()) == NULL ||
	    (a.missing = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if (strcmp(fmt, "csv") == 0) {
		/* Read, checked and stored in one pass (csv_fn). */
		a.csv = (const char *)c->data;
		a.csvlen = c->datalen;
		a.sr = &sr;
		a.today = today;
		rc = dry ? store_read(c->node->store, csv_fn, &a) :
		    store_write(c->node->store, csv_fn, &a);
		if (rc != 0 && b.error_count == 0) {
			rc = cmd_fail(c, rc, rc == MENTOR_ENOMEM ? "out of "
			    "memory" : "store failed; nothing was imported");
			goto out;
		}
	} else {
		if (strcmp(fmt, "oneroster") == 0)
			rc = oneroster_read(c->data, c->datalen, &sr, today,
			    &b);
		else
			rc = json_batch(c, today, &b);
		if (rc != 0) {
			rc = cmd_fail(c, rc, "out of memory");
			goto out;
		}
	}
	if (b.error_count > 0) {
		student_batch_error_text(&b, 0, first, sizeof(first));
		c->details = details(&b);
		rc = cmd_fail(c, MENTOR_EINVAL, "%zu error%s, nothing was "
		    "imported; the first: %s", b.error_count,
		    b.error_count == 1 ? "" : "s", first);
		goto out;
	}
	if (strcmp(fmt, "csv") != 0) {
		rc = dry ? store_read(c->node->store, import_fn, &a) :
		    store_write(c->node->store, import_fn, &a);
		if (rc != 0) {
			rc = cmd_fail(c, rc, "store failed; nothing was "
			    "imported");
			goto out;
		}
	}
	if (json_array_size(a.missing) > 0)
		json_array_append_new(b.warnings, json_pack("{s:s,s:I,s:O}",
		    "message", "delete: no such student (nothing to delete)",
		    "count", (json_int_t)json_array_size(a.missing), "ids",
		    a.missing));
	if (a.skipped > 0)
		json_array_append_new(b.warnings, json_pack("{s:s,s:I}",
		    "message", "users of a delta without a student role, not "
		    "on file: skipped", "count", (json_int_t)a.skipped));
	c->result = json_pack("{s:I,s:I,s:I,s:I,s:I,s:b,s:O,s:O}",
	    "imported", (json_int_t)(a.rows - a.skipped),
	    "created", (json_int_t)a.created,
	    "updated", (json_int_t)a.updated,
	    "unchanged", (json_int_t)a.unchanged,
	    "deleted", (json_int_t)a.deleted,
	    "dry_run", dry, "ids", a.ids, "warnings", b.warnings);
	if (!dry)
		log_info("students: %zu imported (%zu new, %zu updated), %zu "
		    "deleted", a.rows, a.created,
		    a.updated, a.deleted);
	rc = c->result ? 0 : MENTOR_ENOMEM;
out:
	json_decref(a.ids);
	json_decref(a.missing);
	student_batch_clear(&b);
	resolve_free(res);
	return rc;
}

static int
list_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	json_t *list = arg, *s, *e;

	(void)key;
	(void)klen;
	if ((s = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	e = json_pack("{s:O,s:O,s:O?,s:O?}", "id", json_object_get(s, "id"),
	    "name", json_object_get(s, "name"),
	    "grade", json_object_get(s, "grade"),
	    "birth_date", json_object_get(s, "birth_date"));
	json_decref(s);
	if (e == NULL || json_array_append_new(list, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

static int
list_fn(struct store_txn *t, void *arg)
{
	return store_iter(t, DB_STUDENTS, NULL, 0, list_each, arg);
}

int
cmd_student_list(struct cmd_ctx *c)
{
	int rc;

	if ((rc = cmd_school_only(c)) != 0)
		return rc;
	if ((c->result = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(c->node->store, list_fn, c->result)) != 0)
		return cmd_fail(c, rc, "store failed");
	return 0;
}

struct del_arg {
	const char	*id;
	struct node	*node;
};

static int
evidence_fn(struct store_txn *t, void *arg)
{
	json_t *s = arg, *ev;

	ev = evidence_get(t, json_string_value(json_object_get(s, "id")));
	if (ev == NULL)
		return MENTOR_ESTORE;
	return json_object_set_new(s, "evidence", ev) == 0 ? 0 :
	    MENTOR_ENOMEM;
}

/* evidence_add: the student's evidence per competency (evidence.h). */
static int
evidence_add(struct cmd_ctx *c)
{
	int rc;

	if ((rc = store_read(c->node->store, evidence_fn, c->result)) != 0) {
		json_decref(c->result);
		c->result = NULL;
		return cmd_fail(c, rc, "store failed");
	}
	return 0;
}

int
cmd_student_show(struct cmd_ctx *c)
{
	const char *id;
	int rc, names = 0;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_student(c, "id", &id)) != 0)
		return rc;
	if ((rc = arg_bool(c, "names", &names)) != 0)
		return rc;
	rc = student_load(c->node, id, &c->result);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	if ((rc = evidence_add(c)) != 0)
		return rc;
	/* For pages: the names of the codes, beside them. */
	if (names)
		json_object_set_new(c->result, "names", cmd_names_for(c->node,
		    c->result));
	return 0;
}

static int
delete_fn(struct store_txn *t, void *arg)
{
	struct del_arg *g = arg;
	int rc;

	if ((rc = store_del(t, DB_STUDENTS, g->id, strlen(g->id))) != 0)
		return rc;
	/* Consents, applications; the audit log keeps a pseudonym. */
	return apps_student_forget(t, g->node, g->id);
}

int
cmd_student_delete(struct cmd_ctx *c)
{
	struct del_arg g = { NULL, c->node };
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "id", 1, &g.id)) != 0)
		return rc;
	if (strlen(g.id) == 0 || strlen(g.id) > STUDENT_ID_MAX)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no student \"%.64s\"",
		    g.id);
	rc = store_write(c->node->store, delete_fn, &g);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", g.id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	log_info("students: one deleted");
	c->result = json_pack("{s:s}", "id", g.id);
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* ---- students' own keys --------------------------------------------- */

int
cmd_student_key(struct cmd_ctx *c)
{
	struct node *n = c->node;
	const char *student;
	uint8_t pk[32], sk[32];
	char pkh[65], skh[65], srv[65];
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &student)) != 0)
		return rc;
	crypto_box_keypair(pk, sk);
	rc = apps_key_add(n, pk, student);
	if (rc == MENTOR_ENOTFOUND) {
		sodium_memzero(sk, sizeof(sk));
		return cmd_fail(c, rc, "no student \"%.64s\"", student);
	}
	if (rc != 0) {
		sodium_memzero(sk, sizeof(sk));
		return cmd_fail(c, rc, "store failed");
	}
	hex_encode(pkh, pk, 32);
	hex_encode(skh, sk, 32);
	hex_encode(srv, n->curve_pk, 32);
	sodium_memzero(sk, sizeof(sk));
	/* The secret leaves the node once, to be handed to the student. */
	c->result = json_pack("{s:s,s:s,s:s,s:s,s:s}", "student", student,
	    "public_key", pkh, "secret_key", skh, "server_key", srv,
	    "endpoint", n->conf.student_listen);
	sodium_memzero(skh, sizeof(skh));
	log_info("students: a key was issued");
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_student_key_revoke(struct cmd_ctx *c)
{
	const char *student;
	size_t n = 0;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &student)) != 0)
		return rc;
	rc = apps_key_revoke(c->node, student, &n);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = json_pack("{s:s,s:I}", "student", student, "revoked",
	    (json_int_t)n);
	return c->result ? 0 : MENTOR_ENOMEM;
}


/*
 * student.update: the fields a student may change about themselves
 * (career goals and the formats they accept); a coordinator may change
 * them too.  The profile is validated whole again, and the change is an
 * audit entry (pseudonymous, with the fields changed and who changed
 * them) so the coordinator sees it.
 */
struct update_arg {
	struct node	*node;
	const char	*id;
	json_t		*args;
	const char	*by;
	json_t		*result;	/* the new profile; owned */
	char		*err;
	size_t		 errlen;
};

static int
update_fn(struct store_txn *t, void *arg)
{
	static const char *const fields[] = { "goals", "modality" };
	struct update_arg *a = arg;
	json_t *old, *merged = NULL, *norm = NULL, *changed;
	const void *v;
	char ps[33], *enc = NULL;
	size_t vlen, i;
	int rc;

	if ((rc = store_get(t, DB_STUDENTS, a->id, strlen(a->id), &v,
	    &vlen)) != 0)
		return rc;
	if ((old = json_loadb(v, vlen, 0, NULL)) == NULL)
		return MENTOR_ESTORE;
	if ((merged = json_deep_copy(old)) == NULL ||
	    (changed = json_array()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *nv = json_object_get(a->args, fields[i]);

		if (nv == NULL)
			continue;
		json_object_set(merged, fields[i], nv);
		json_array_append_new(changed, json_string(fields[i]));
	}
	if ((rc = student_parse(merged, &norm, a->err, a->errlen)) != 0) {
		json_decref(changed);
		goto out;
	}
	if ((enc = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(changed);
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if ((rc = store_put(t, DB_STUDENTS, a->id, strlen(a->id), enc,
	    strlen(enc))) != 0) {
		json_decref(changed);
		goto out;
	}
	apps_pseudonym_hex(a->node, a->id, ps);
	rc = apps_audit_append(t, json_pack("{s:s,s:s,s:o,s:s}", "action",
	    "student-update", "student", ps, "fields", changed, "by", a->by));
	if (rc == 0) {
		json_decref(a->result);
		a->result = json_incref(norm);
	}
out:
	free(enc);
	json_decref(norm);
	json_decref(merged);
	json_decref(old);
	return rc;
}

int
cmd_student_update(struct cmd_ctx *c)
{
	struct update_arg a;
	const char *id, *k;
	char by[128];
	json_t *v;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_student(c, "student", &id)) != 0)
		return rc;
	json_object_foreach(c->req->args, k, v)
		if (strcmp(k, "student") != 0 && strcmp(k, "goals") != 0 &&
		    strcmp(k, "modality") != 0)
			return cmd_fail(c, MENTOR_EINVAL, "%.40s: only goals "
			    "and modality can be changed here", k);
	if (json_object_get(c->req->args, "goals") == NULL &&
	    json_object_get(c->req->args, "modality") == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "goals: give goals or "
		    "modality to change");
	snprintf(by, sizeof(by), "%s%s%.64s", cmd_who_name(c->who),
	    c->user && c->who != CMD_WHO_STUDENT ? " " : "",
	    c->user && c->who != CMD_WHO_STUDENT ? c->user : "");
	memset(&a, 0, sizeof(a));
	a.node = c->node;
	a.id = id;
	a.args = c->req->args;
	a.by = by;
	a.err = c->err;
	a.errlen = sizeof(c->err);
	rc = store_write(c->node->store, update_fn, &a);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", id);
	if (rc == MENTOR_EINVAL)
		return rc;	/* student_parse wrote "FIELD: why" */
	if (rc != 0) {
		json_decref(a.result);
		return cmd_fail(c, rc, "store failed");
	}
	c->result = a.result;
	return 0;
}
