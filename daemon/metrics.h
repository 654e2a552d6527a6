/*
 * metrics.h: the node's counters in the Prometheus text exposition format
 * (version 0.0.4), served on [metrics] listen (HOST:PORT, off unless set)
 * at /metrics by libevent's evhttp.  Counts only: no student data, no
 * names, no ids.  The counters live in struct metrics (node->metrics);
 * every metrics_* call is a no-op when it is NULL (unit tests, tools).
 */
#ifndef MENTOR_METRICS_H
#define MENTOR_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct evbuffer;

/*
 * metrics_open: allocates node->metrics and, when conf.metrics_listen is
 * set, binds the HTTP listener on node->base.  MENTOR_EINVAL (not
 * HOST:PORT), MENTOR_EIO (cannot bind; err says why), MENTOR_ENOMEM.
 */
int	metrics_open(struct node *, char *err, size_t errlen);
/* metrics_close: stops the listener and frees node->metrics. */
void	metrics_close(struct node *);

/* metrics_record: one verdict of records_accept* (0 = stored). */
void	metrics_record(struct node *, int code);
/*
 * metrics_api: one client API request: cmd is the table's name (static) or
 * NULL for an unknown command, rc its result, seconds its duration.
 */
void	metrics_api(struct node *, const char *cmd, int rc, double seconds);
/* Web request handlers, the handler label of the web counters. */
enum metrics_web {
	METRICS_WEB_PAGE = 0,	/* static pages */
	METRICS_WEB_API,	/* /api/v1/ commands */
	METRICS_WEB_AUTH,	/* /api/v1/auth/ sign-in, sessions */
	METRICS_WEB_METRICS,	/* /metrics */
	METRICS_WEB_N
};
/*
 * metrics_web: one answered web request: handler (enum metrics_web),
 * the HTTP status sent (0: none sent), seconds to answer.
 */
void	metrics_web(struct node *, int handler, int status, double seconds);
/* metrics_clock: a monotonic clock in seconds, for metrics_api/_web. */
double	metrics_clock(void);

/*
 * metrics_render: appends the whole exposition to out (for /metrics here
 * and on the web listener).  0, MENTOR_ENOMEM or MENTOR_ESTORE.
 */
int	metrics_render(struct node *, struct evbuffer *out);

#endif
