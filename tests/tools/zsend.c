/*
 * zsend.c: a test tool that sends arbitrary frames to a ZeroMQ endpoint
 * and prints the reply, to check that the node answers bad requests.
 *   zsend [--dealer] ENDPOINT FRAME...
 * FRAME: str:TEXT | req:TEXT (version byte 1, then TEXT) | hex:HEX |
 *        rand:N (N random bytes) | zero:N | pad:N (version 1, N-1 spaces)
 * Prints each reply frame (the first as text after its version byte, the
 * rest as sizes); exits 0 on a reply within 5 s, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "util.h"

static int
frame(const char *spec, uint8_t **buf, size_t *len)
{
	size_t n;

	if (strncmp(spec, "str:", 4) == 0) {
		*len = strlen(spec + 4);
		*buf = (uint8_t *)strdup(spec + 4);
	} else if (strncmp(spec, "req:", 4) == 0) {
		*len = strlen(spec + 4) + 1;
		if ((*buf = malloc(*len + 1)) == NULL)
			return -1;
		(*buf)[0] = 1;
		memcpy(*buf + 1, spec + 4, *len);
	} else if (strncmp(spec, "pad:", 4) == 0) {
		n = strtoul(spec + 4, NULL, 10);
		if (n == 0 || (*buf = malloc(n)) == NULL)
			return -1;
		memset(*buf, ' ', n);
		(*buf)[0] = 1;
		*len = n;
	} else if (strncmp(spec, "hex:", 4) == 0) {
		*len = strlen(spec + 4) / 2;
		*buf = malloc(*len + 1);
		if (hex_decode(*buf, *len, spec + 4) != 0)
			return -1;
	} else if (strncmp(spec, "rand:", 5) == 0 ||
	    strncmp(spec, "zero:", 5) == 0) {
		n = strtoul(spec + 5, NULL, 10);
		*buf = calloc(1, n + 1);
		*len = n;
		if (spec[0] == 'r')
			randombytes_buf(*buf, n);
	} else
		return -1;
	return *buf ? 0 : -1;
}

int
main(int argc, char **argv)
{
	void *ctx, *s;
	uint8_t *buf;
	size_t len, i;
	int a = 1, type = ZMQ_REQ, tmo = 5000, zero = 0, more, nf = 0;
	zmq_msg_t m;

	if (argc > 1 && strcmp(argv[1], "--dealer") == 0) {
		type = ZMQ_DEALER;
		a++;
	}
	if (argc - a < 1 || sodium_init() < 0) {
		fprintf(stderr, "usage: zsend [--dealer] ENDPOINT FRAME...\n");
		return 2;
	}
	ctx = zmq_ctx_new();
	s = zmq_socket(ctx, type);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(s, argv[a]) == -1) {
		fprintf(stderr, "zsend: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	for (i = (size_t)a + 1; i < (size_t)argc; i++) {
		if (frame(argv[i], &buf, &len) != 0) {
			fprintf(stderr, "zsend: bad frame %s\n", argv[i]);
			return 2;
		}
		zmq_send(s, buf, len, i + 1 < (size_t)argc ? ZMQ_SNDMORE : 0);
		free(buf);
	}
	if (argc - a == 1)
		zmq_send(s, "", 0, 0);
	do {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) == -1) {
			fprintf(stderr, "zsend: no reply: %s\n",
			    zmq_strerror(zmq_errno()));
			return 1;
		}
		more = zmq_msg_more(&m);
		if (nf++ == 0 && zmq_msg_size(&m) > 0)
			printf("%.*s\n", (int)zmq_msg_size(&m) - 1,
			    (char *)zmq_msg_data(&m) + 1);
		else
			printf("[frame of %zu bytes]\n", zmq_msg_size(&m));
		zmq_msg_close(&m);
	} while (more);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return 0;
}
