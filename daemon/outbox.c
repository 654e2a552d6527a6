/*
 * outbox.c: the records of a user action, published after the action's
 * transaction commits (see outbox.h).  Publishing is idempotent: a record
 * accepted before a crash is a duplicate when it is published again.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "mentor.h"
#include "node.h"
#include "outbox.h"
#include "records.h"
#include "store.h"
#include "util.h"

#define OUTBOX_BATCH	64
#define OUTBOX_RETRY_S	2

struct outbox_item {
	uint8_t		 key[9];
	uint8_t		*rec;
	size_t		 len;
};

struct outbox_batch {
	struct outbox_item	 it[OUTBOX_BATCH];
	size_t			 n;
	size_t			 done;	/* items [0, done) to remove */
};

int
outbox_put(struct store_txn *t, const uint8_t *rec, size_t len)
{
	uint8_t k[9], next[8];
	const void *v;
	size_t vlen;
	uint64_t seq = 1;
	int rc;

	rc = store_get(t, DB_AUX, "O", 1, &v, &vlen);
	if (rc == 0 && vlen == 8)
		seq = get_be64(v);
	else if (rc != 0 && rc != MENTOR_ENOTFOUND)
		return rc;
	k[0] = 'o';
	put_be64(k + 1, seq);
	put_be64(next, seq + 1);
	if ((rc = store_put(t, DB_AUX, k, sizeof(k), rec, len)) != 0)
		return rc;
	return store_put(t, DB_AUX, "O", 1, next, sizeof(next));
}

static int
collect_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct outbox_batch *b = arg;
	struct outbox_item *it;

	if (klen != 9 || ((const uint8_t *)key)[0] != 'o')
		return 1;
	if (b->n == OUTBOX_BATCH)
		return 1;
	it = &b->it[b->n];
	if ((it->rec = malloc(vlen ? vlen : 1)) == NULL)
		return MENTOR_ENOMEM;
	memcpy(it->key, key, 9);
	memcpy(it->rec, val, vlen);
	it->len = vlen;
	b->n++;
	return 0;
}

static int
collect_fn(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_AUX, "o", 1, collect_each, arg);

	return rc < 0 ? rc : 0;
}

static int
remove_fn(struct store_txn *t, void *arg)
{
	struct outbox_batch *b = arg;
	size_t i;
	int rc;

	for (i = 0; i < b->done; i++)
		if ((rc = store_del(t, DB_AUX, b->it[i].key, 9)) != 0 &&
		    rc != MENTOR_ENOTFOUND)
			return rc;
	return 0;
}

/* publish: 0 done (published, held already, or refused for good). */
static int
publish(struct node *n, const struct outbox_item *it)
{
	struct records_verdict v;
	int rc;

	if ((rc = store_fault("publish")) != 0)
		return MENTOR_ESTORE;
	rc = records_accept(n->records, it->rec, it->len, &v);
	if (rc == 0 || rc == MENTOR_EDUP)
		return 0;
	if (rc == MENTOR_ESTORE || rc == MENTOR_ENOMEM)
		return rc;
	log_warn("outbox: a queued record was refused, dropped: %s", v.why);
	return 0;
}

size_t
outbox_flush(struct node *n)
{
	struct outbox_batch b;
	size_t i, left = 0;
	int rc, more = 1;

	while (more) {
		memset(&b, 0, sizeof(b));
		if ((rc = store_read(n->store, collect_fn, &b)) != 0) {
			left = 1;
			goto out;
		}
		more = b.n == OUTBOX_BATCH;
		for (i = 0; i < b.n; i++) {
			if (publish(n, &b.it[i]) != 0)
				break;
			b.done++;
		}
		if (b.done > 0 && store_write(n->store, remove_fn, &b) != 0)
			log_warn("outbox: published records stay queued; they "
			    "are duplicates when sent again");
		left = b.n - b.done;
		if (b.done < b.n)
			more = 0;
out:
		for (i = 0; i < b.n; i++)
			free(b.it[i].rec);
	}
	return left;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;
	struct timeval tv = { OUTBOX_RETRY_S, 0 };
	size_t left;

	(void)fd;
	(void)what;
	if ((left = outbox_flush(n)) > 0)
		log_info("outbox: %zu record(s) wait to be published", left);
	evtimer_add(n->outbox_ev, &tv);
}

int
outbox_open(struct node *n)
{
	struct timeval now = { 0, 0 };

	if ((n->outbox_ev = evtimer_new(n->base, on_tick, n)) == NULL)
		return MENTOR_ENOMEM;
	evtimer_add(n->outbox_ev, &now);
	return 0;
}

void
outbox_close(struct node *n)
{
	if (n->outbox_ev != NULL)
		event_free(n->outbox_ev);
	n->outbox_ev = NULL;
}
