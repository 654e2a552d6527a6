/*
 * fakepeer.c: a test peer that speaks the peer protocol with the keys of
 * a node directory (which need not run) and sends records a node must
 * refuse.  After sending it pings and waits for the pong, so that the
 * node has handled everything before the test looks.
 *   fakepeer DIR ENDPOINT NODE_ID push FILE     records of an export stream
 *   fakepeer DIR ENDPOINT NODE_ID expired       an expired listing of DIR
 *   fakepeer DIR ENDPOINT NODE_ID forge FILE    FILE's first record, its
 *                                               signature made by DIR's key
 *   fakepeer DIR ENDPOINT NODE_ID garbage       malformed messages
 * Exits 0 when the node answered the ping, 1 when not (refused link).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "mentor.h"
#include "peermsg.h"
#include "record.h"
#include "util.h"

static uint8_t sk[64], pk[32];

static size_t
slurp(const char *path, uint8_t **buf)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 1 << 20, r;

	if (f == NULL || (*buf = malloc(cap)) == NULL)
		exit(2);
	while ((r = fread(*buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap && (*buf = realloc(*buf, cap *= 2)) == NULL)
			exit(2);
	}
	fclose(f);
	return n;
}

static void
send_push(void *s, const uint8_t *frames, size_t len)
{
	uint8_t *msg = malloc(PM_HDR_LEN + len);

	pm_header(msg, PM_PUSH, 0);
	memcpy(msg + PM_HDR_LEN, frames, len);
	zmq_send(s, msg, PM_HDR_LEN + len, 0);
	free(msg);
}

static void
push_one(void *s, const uint8_t *rec, size_t len)
{
	uint8_t *f = malloc(4 + len);

	put_be32(f, (uint32_t)len);
	memcpy(f + 4, rec, len);
	send_push(s, f, 4 + len);
	free(f);
}

int
main(int argc, char **argv)
{
	uint8_t server[32], cpk[32], csk[32], *buf, rec[4096];
	struct pm_hello h = { 2, "fakepeer", "" };
	uint8_t ping[512];
	char path[4096];
	const char *body = "{\"capacity\":1,\"kind\":\"project\","
	    "\"modality\":\"virtual\",\"organization\":\"Fake\","
	    "\"title\":\"Expired\"}";
	size_t len, n;
	uint64_t now;
	int fd, tmo = 5000, zero = 0;
	void *ctx, *s;
	zmq_msg_t m;

	if (argc < 5 || sodium_init() < 0)
		return 2;
	snprintf(path, sizeof(path), "%s/sign.key", argv[1]);
	if ((fd = open(path, O_RDONLY)) == -1 || read(fd, sk, 64) != 64)
		return 2;
	close(fd);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	if (crypto_sign_ed25519_sk_to_curve25519(csk, sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(cpk, pk) != 0)
		return 2;
	if (hex_decode(server, 32, argv[3]) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(server, server) != 0)
		return 2;
	ctx = zmq_ctx_new();
	s = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 32);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csk, 32);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_connect(s, argv[2]);
	now = (uint64_t)now_ms();
	if (strcmp(argv[4], "push") == 0 && argc == 6) {
		len = slurp(argv[5], &buf);
		if (len >= XS_HDR_LEN)
			send_push(s, buf + XS_HDR_LEN, len - XS_HDR_LEN);
	} else if (strcmp(argv[4], "expired") == 0) {
		if (rec_build(rec, sizeof(rec), &len, REC_LISTING,
		    now - 2 * 86400000ULL, now - 86400000ULL, "expired", 7,
		    (const uint8_t *)body, strlen(body), sk) != 0)
			return 2;
		push_one(s, rec, len);
	} else if (strcmp(argv[4], "forge") == 0 && argc == 6) {
		len = slurp(argv[5], &buf);
		n = get_be32(buf + XS_HDR_LEN);
		memcpy(rec, buf + XS_HDR_LEN + 4, n);
		/* Keep the author field, sign with our own key. */
		crypto_sign_detached(rec + n - 64, NULL, rec, n - 64, sk);
		push_one(s, rec, n);
	} else if (strcmp(argv[4], "garbage") == 0) {
		zmq_send(s, "\x01\x03\x00\x00\x00\x00\x00\x00\x00\x09xx", 12, 0);
		zmq_send(s, "\x07garbage", 8, 0);
		zmq_send(s, "\x01\x04\x00\x00\x00\x01\xff\xff\xff", 9, 0);
	} else
		return 2;
	n = pm_hello_encode(ping, sizeof(ping), PM_PING, 1, &h);
	zmq_send(s, ping, n, 0);
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) == -1) {
		fprintf(stderr, "fakepeer: no answer\n");
		return 1;
	}
	printf("answered: type %d\n", ((uint8_t *)zmq_msg_data(&m))[1]);
	zmq_msg_close(&m);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return 0;
}
