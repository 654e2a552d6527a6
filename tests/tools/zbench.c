/*
 * zbench.c: load for the client API, beside wrk for the web: C clients
 * (threads, one REQ socket each) send the same command for a while and
 * the latency of every request is kept.
 *   zbench ENDPOINT CLIENTS SECONDS CMD ARGS-JSON
 * Prints "requests N errors N p50_ms X p99_ms X rps X".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zmq.h>

#include "mentor.h"
#include "msg.h"
#include "util.h"

#define MAX_CLIENTS	256
#define MAX_SAMPLES	(1u << 20)

struct client {
	pthread_t	 t;
	void		*ctx;
	const char	*ep;
	const uint8_t	*req;
	size_t		 reqlen;
	int64_t		 until;
	double		*lat;		/* ms */
	size_t		 n, errors;
};

static void *
run(void *arg)
{
	struct client *c = arg;
	void *s = zmq_socket(c->ctx, ZMQ_REQ);
	int zero = 0, tmo = 30000;
	zmq_msg_t m;

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (zmq_connect(s, c->ep) != 0) {
		c->errors++;
		zmq_close(s);
		return NULL;
	}
	while (mono_ms() < c->until && c->n < MAX_SAMPLES) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if (zmq_send(s, c->req, c->reqlen, 0) == -1) {
			c->errors++;
			break;
		}
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) == -1) {
			zmq_msg_close(&m);
			c->errors++;
			break;
		}
		/* {"ok":true...} after the version byte */
		if (zmq_msg_size(&m) < 10 || memcmp((char *)zmq_msg_data(&m) +
		    1, "{\"ok\":true", 10) != 0)
			c->errors++;
		while (zmq_msg_more(&m)) {
			zmq_msg_close(&m);
			zmq_msg_init(&m);
			zmq_msg_recv(&m, s, 0);
		}
		zmq_msg_close(&m);
		clock_gettime(CLOCK_MONOTONIC, &b);
		c->lat[c->n++] = (double)(b.tv_sec - a.tv_sec) * 1e3 +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	zmq_close(s);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static struct client cl[MAX_CLIENTS];
	json_t *args;
	uint8_t *req;
	size_t reqlen, i, total = 0, errors = 0, k;
	double *all;
	int n, secs;
	void *ctx;
	int64_t start;

	if (argc != 6 || (n = atoi(argv[2])) < 1 || n > MAX_CLIENTS ||
	    (secs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: zbench ENDPOINT CLIENTS SECONDS CMD "
		    "ARGS-JSON\n");
		return 2;
	}
	if ((args = json_loads(argv[5], 0, NULL)) == NULL ||
	    msg_req_encode(argv[4], args, &req, &reqlen) != 0) {
		fprintf(stderr, "zbench: bad arguments\n");
		return 2;
	}
	ctx = zmq_ctx_new();
	start = mono_ms();
	for (i = 0; i < (size_t)n; i++) {
		cl[i].ctx = ctx;
		cl[i].ep = argv[1];
		cl[i].req = req;
		cl[i].reqlen = reqlen;
		cl[i].until = start + secs * 1000LL;
		if ((cl[i].lat = malloc(MAX_SAMPLES * sizeof(double))) ==
		    NULL)
			return 1;
		pthread_create(&cl[i].t, NULL, run, &cl[i]);
	}
	for (i = 0; i < (size_t)n; i++) {
		pthread_join(cl[i].t, NULL);
		total += cl[i].n;
		errors += cl[i].errors;
	}
	if ((all = malloc((total + 1) * sizeof(double))) == NULL)
		return 1;
	for (i = 0, k = 0; i < (size_t)n; i++) {
		memcpy(all + k, cl[i].lat, cl[i].n * sizeof(double));
		k += cl[i].n;
		free(cl[i].lat);
	}
	qsort(all, total, sizeof(double), cmp);
	printf("requests %zu errors %zu p50_ms %.2f p99_ms %.2f rps %.0f\n",
	    total, errors, total ? all[total / 2] : 0.0,
	    total ? all[total * 99 / 100] : 0.0,
	    (double)total / ((double)(mono_ms() - start) / 1000.0));
	free(all);
	free(req);
	json_decref(args);
	zmq_ctx_term(ctx);
	return errors > 0;
}
