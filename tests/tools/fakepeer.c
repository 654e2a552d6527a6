/*
 * fakepeer.c: a test peer that speaks the peer protocol with the keys of
 * a node directory (which need not run) and sends records a node must
 * refuse.  After sending it pings and waits for the pong, so that the
 * node has handled everything before the test looks.
 *   fakepeer DIR ENDPOINT NODE_ID push FILE     records of an export stream
 *   fakepeer DIR ENDPOINT NODE_ID expired       an expired listing of DIR
 *   fakepeer DIR ENDPOINT NODE_ID forge FILE    FILE's first record, its
 *                                               signature made by DIR's key
 *   fakepeer DIR ENDPOINT NODE_ID garbage [N]   malformed messages (N of
 *                                               them, else three kinds)
 * and, as the hostile peers of issue 14:
 *   fakepeer DIR ENDPOINT NODE_ID escalate      a node record of DIR
 *       claiming role hub, a certificate for a fresh key and a listing by
 *       that key; prints "listing ID" of the latter
 *   fakepeer DIR ENDPOINT NODE_ID wantflood RECORD_ID COUNT COPIES
 *       COUNT WANTs of COPIES copies of RECORD_ID, never reading the
 *       answers (held open 2 s); exits 0 without a ping
 *   fakepeer DIR ENDPOINT NODE_ID untrusted PUSHES COPIES DISTINCT
 *       PUSHES messages, each DISTINCT listings by a fresh key (that
 *       nobody trusts) repeated COPIES times
 *   fakepeer DIR ENDPOINT NODE_ID trusted N     N distinct listings of DIR
 *       in PUSHes of nearly 8 MiB (a message's limit)
 *   fakepeer DIR ENDPOINT - reconflood SECONDS  listens at ENDPOINT as DIR
 *       and answers every reconciliation message with fingerprints that
 *       never match (the session never settles), every WANT with nothing
 *   fakepeer DIR ENDPOINT - reconflood SECONDS N  the same, but answers
 *       from a fresh set of N random ids: it claims N records it never
 *       delivers
 * and, as the peers flooding valid requests of issue 12 (each for
 * SECONDS, answering the node's PINGs, printing what the node answered):
 *   fakepeer DIR ENDPOINT NODE_ID announce SECONDS   an ANNOUNCE of 1024
 *       fresh ids every 5 ms; prints "sent N wanted M": ids announced and
 *       ids the node asked for (the node must add DIR dialing in)
 *   fakepeer DIR ENDPOINT NODE_ID recons SECONDS     a RECON every ms;
 *       prints "sent N answered M"
 *   fakepeer DIR ENDPOINT NODE_ID deliver SECONDS N [bad]  N applications
 *       by DIR to a key nobody has, spread over SECONDS, for the node to
 *       relay (bad: each with a broken signature); prints "sent N"
 *   fakepeer DIR ENDPOINT NODE_ID wants FILE SECONDS COUNT MS
 *       WANTs of COUNT ids of records of FILE (an export), 4 in flight,
 *       at most one every MS ms (0: as fast as answered); prints
 *       "records N wants M slowest_ms L"
 *   fakepeer DIR ENDPOINT NODE_ID acks SECONDS N   N ACKs with good
 *       signatures by DIR (for fresh ids and senders nobody has), spread
 *       over SECONDS; prints "sent N"
 *   fakepeer DIR ENDPOINT NODE_ID pings SECONDS    a PING every ms;
 *       prints "sent N answered M"
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
#include "recon.h"
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

static const char *lbody = "{\"capacity\":1,\"kind\":\"project\","
    "\"modality\":\"virtual\",\"organization\":\"Fake\","
    "\"title\":\"Stranger %zu\"}";

/* frames_add: appends one export frame of rec to *buf. */
static void
frames_add(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *rec,
    size_t n)
{
	while (*len + 4 + n > *cap)
		if ((*buf = realloc(*buf, *cap = *cap ? *cap * 2 : 1 << 20)) ==
		    NULL)
			exit(2);
	put_be32(*buf + *len, (uint32_t)n);
	memcpy(*buf + *len + 4, rec, n);
	*len += 4 + n;
}

/* listing_by: a listing numbered i signed by key sk; returns its size. */
static size_t
listing_by(uint8_t *rec, size_t cap, const uint8_t *key, size_t i,
    uint64_t now)
{
	char b[256], ref[32];
	size_t len;

	snprintf(b, sizeof(b), lbody, i);
	snprintf(ref, sizeof(ref), "stranger-%zu", i);
	if (rec_build(rec, cap, &len, REC_LISTING, now - 1000,
	    now + 86400000ULL, ref, strlen(ref), (const uint8_t *)b,
	    strlen(b), key) != 0)
		exit(2);
	return len;
}

static void
escalate(void *s, uint64_t now)
{
	uint8_t fsk[64], fpk[32], rec[4096], addr[REC_ADDR_LEN], cpk[32];
	uint8_t *buf = NULL;
	char hex[65], chex[65], ahex[33], body[512], ref[80];
	size_t len = 0, cap = 0, n;

	crypto_sign_keypair(fpk, fsk);
	hex_encode(hex, fpk, 32);
	if (crypto_sign_ed25519_pk_to_curve25519(cpk, pk) != 0)
		exit(2);
	hex_encode(chex, cpk, 32);
	snprintf(body, sizeof(body), "{\"curve_key\":\"%s\",\"endpoint\":"
	    "\"tcp://127.0.0.1:9\",\"name\":\"Totally a hub\",\"role\":"
	    "\"hub\"}", chex);
	if (rec_build(rec, sizeof(rec), &n, REC_NODE, now, now + 86400000ULL,
	    REC_NODE_REF, strlen(REC_NODE_REF), (uint8_t *)body, strlen(body),
	    sk) != 0)
		exit(2);
	frames_add(&buf, &len, &cap, rec, n);
	snprintf(ref, sizeof(ref), "%s%s", REC_CERT_PREFIX, hex);
	snprintf(body, sizeof(body), "{\"organization\":\"Stranger\","
	    "\"role\":\"employer\",\"subject\":\"%s\"}", hex);
	if (rec_build(rec, sizeof(rec), &n, REC_CERTIFICATE, now,
	    now + 86400000ULL, ref, strlen(ref), (uint8_t *)body,
	    strlen(body), sk) != 0)
		exit(2);
	frames_add(&buf, &len, &cap, rec, n);
	n = listing_by(rec, sizeof(rec), fsk, 0, now);
	frames_add(&buf, &len, &cap, rec, n);
	send_push(s, buf, len);
	rec_addr(addr, fpk, "stranger-0", 10);
	hex_encode(ahex, addr, REC_ADDR_LEN);
	printf("listing %s\n", ahex);
	fflush(stdout);
	free(buf);
}

static int
wantflood(void *s, const char *idhex, long count, long copies)
{
	uint8_t id[REC_ID_LEN], *msg;
	size_t n;
	long i;

	if (hex_decode(id, sizeof(id), idhex) != 0 || copies < 1 ||
	    copies > PM_WANT_MAX)
		return 2;
	n = PM_HDR_LEN + 2 + (size_t)copies * REC_ID_LEN;
	if ((msg = malloc(n)) == NULL)
		return 2;
	pm_header(msg, PM_WANT, 7);
	msg[6] = (uint8_t)(copies >> 8);
	msg[7] = (uint8_t)copies;
	for (i = 0; i < copies; i++)
		memcpy(msg + 8 + i * REC_ID_LEN, id, REC_ID_LEN);
	for (i = 0; i < count; i++)
		zmq_send(s, msg, n, 0);
	free(msg);
	sleep(2);
	return 0;
}

static void
untrusted(void *s, long pushes, long copies, long distinct, uint64_t now)
{
	uint8_t fsk[64], fpk[32], rec[4096], *buf = NULL;
	size_t len, cap = 0, n;
	long p, c, d;

	crypto_sign_keypair(fpk, fsk);
	for (p = 0; p < pushes; p++) {
		len = 0;
		for (d = 0; d < distinct; d++) {
			n = listing_by(rec, sizeof(rec), fsk,
			    (size_t)(p * distinct + d), now);
			for (c = 0; c < copies; c++)
				frames_add(&buf, &len, &cap, rec, n);
		}
		send_push(s, buf, len);
	}
	free(buf);
}

static void
trusted(void *s, long count, uint64_t now)
{
	uint8_t rec[4096], *buf = NULL;
	size_t len = 0, cap = 0, n;
	long i;

	for (i = 0; i < count; i++) {
		n = listing_by(rec, sizeof(rec), sk, (size_t)i, now);
		/* Below PM_MAX: CURVE's framing adds a few bytes. */
		if (PM_HDR_LEN + len + 4 + n > PM_MAX - (64u << 10)) {
			send_push(s, buf, len);
			len = 0;
		}
		frames_add(&buf, &len, &cap, rec, n);
	}
	if (len)
		send_push(s, buf, len);
	free(buf);
}

static int
varint(const uint8_t *b, size_t len, size_t *off, uint64_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 10 && *off < len; i++) {
		uint8_t c = b[(*off)++];

		*v = (*v << 7) | (c & 0x7f);
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

/*
 * liar_reply: answers a reconciliation message (SPEC.md 11.5) range for
 * range with the same bounds and a random Fingerprint for every range
 * that is not a Skip: nothing ever matches, so an initiator that does not
 * bound its rounds goes on for ever.  *out is malloc'd; its length.
 */
static size_t
liar_reply(const uint8_t *b, size_t len, uint8_t **out)
{
	size_t off = 1, start, n = 1;
	uint64_t code, plen, mode, cnt, nbits;

	if ((*out = malloc(len + 17 * len)) == NULL)
		exit(2);
	(*out)[0] = 0x6D;
	while (off < len) {
		start = off;
		if (varint(b, len, &off, &code) || varint(b, len, &off, &plen) ||
		    plen > 32 || off + plen > len)
			break;
		off += plen;
		memcpy(*out + n, b + start, off - start);	/* the bound */
		n += off - start;
		if (varint(b, len, &off, &mode))
			break;
		if (mode == 1)
			off += 16;
		else if (mode == 2 || mode == 3) {
			if (varint(b, len, &off, &cnt))
				break;
			off += cnt * 32;
			if (mode == 3) {
				if (varint(b, len, &off, &nbits))
					break;
				off += (nbits + 7) / 8;
			}
		}
		if (mode == 0)
			(*out)[n++] = 0;
		else {
			(*out)[n++] = 1;
			randombytes_buf(*out + n, 16);
			n += 16;
		}
	}
	return n;
}

/* claim_reply: an honest answer from a fresh set of n random items. */
static size_t
claim_reply(const uint8_t *b, size_t len, long n, uint8_t **out)
{
	struct rset *set = rset_new();
	uint8_t id[32];
	size_t outlen;
	long i;

	for (i = 0; i < n; i++) {
		randombytes_buf(id, sizeof(id));
		rset_add(set, 1 + randombytes_uniform(1u << 30), id);
	}
	if (recon_respond(set, 0, b, len, out, &outlen) != 0) {
		*out = malloc(1);
		**out = 0x6D;
		outlen = 1;
	}
	rset_free(set);
	return outlen;
}

static int
reconflood(void *ctx, const char *ep, const uint8_t csk[32], long seconds,
    long claim)
{
	int one = 1, tmo = 200;
	void *r = zmq_socket(ctx, ZMQ_ROUTER);
	struct pm_hello h = { 2, "fakepeer", "" };
	uint8_t buf[512], *out, *msg;
	size_t n, outlen;
	int64_t end = now_ms() + seconds * 1000;
	zmq_msg_t rid, m;
	struct pm pm;

	zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, csk, 32);
	zmq_setsockopt(r, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (zmq_bind(r, ep) != 0)
		return 2;
	while (now_ms() < end) {
		zmq_msg_init(&rid);
		zmq_msg_init(&m);
		if (zmq_msg_recv(&rid, r, 0) == -1 ||
		    zmq_msg_recv(&m, r, 0) == -1 ||
		    pm_decode(&pm, zmq_msg_data(&m), zmq_msg_size(&m)) != 0)
			goto next;
		zmq_send(r, zmq_msg_data(&rid), zmq_msg_size(&rid), ZMQ_SNDMORE);
		if (pm.type == PM_PING) {
			n = pm_hello_encode(buf, sizeof(buf), PM_PONG,
			    pm.session, &h);
			zmq_send(r, buf, n, 0);
		} else if (pm.type == PM_RECON) {
			outlen = claim ? claim_reply(pm.body, pm.body_len, claim,
			    &out) : liar_reply(pm.body, pm.body_len, &out);
			msg = malloc(PM_HDR_LEN + outlen);
			pm_header(msg, PM_RECON_REPLY, pm.session);
			memcpy(msg + PM_HDR_LEN, out, outlen);
			zmq_send(r, msg, PM_HDR_LEN + outlen, 0);
			free(msg);
			free(out);
		} else {	/* WANT: none of them */
			pm_header(buf, PM_RECORDS, pm.session);
			buf[PM_HDR_LEN] = 0;
			zmq_send(r, buf, PM_HDR_LEN + 1, 0);
		}
next:
		zmq_msg_close(&rid);
		zmq_msg_close(&m);
	}
	zmq_close(r);
	return 0;
}

/*
 * pong_or: reads what the node sent within ms, answering PINGs; returns
 * the first other message's type (its bytes in *m), or -1.
 */
static int
pong_or(void *s, zmq_msg_t *m, int ms)
{
	struct pm_hello h = { 2, "fakepeer", "" };
	uint8_t buf[512];
	size_t n;
	struct pm pm;
	zmq_pollitem_t it = { s, 0, ZMQ_POLLIN, 0 };

	for (;;) {
		if (zmq_poll(&it, 1, ms) <= 0)
			return -1;
		if (zmq_msg_recv(m, s, ZMQ_DONTWAIT) == -1)
			return -1;
		if (pm_decode(&pm, zmq_msg_data(m), zmq_msg_size(m)) != 0)
			continue;
		if (pm.type != PM_PING)
			return pm.type;
		n = pm_hello_encode(buf, sizeof(buf), PM_PONG, pm.session, &h);
		zmq_send(s, buf, n, 0);
	}
}

static int
announce(void *s, long seconds)
{
	uint8_t msg[PM_HDR_LEN + 2 + PM_ANN_MAX * PM_ANN_LEN], *e;
	int64_t end = now_ms() + seconds * 1000, next = 0;
	unsigned long long sent = 0, wanted = 0;
	zmq_msg_t m;
	size_t i;

	pm_header(msg, PM_ANNOUNCE, 0);
	msg[PM_HDR_LEN] = PM_ANN_MAX >> 8;
	msg[PM_HDR_LEN + 1] = PM_ANN_MAX & 0xff;
	zmq_msg_init(&m);
	while (now_ms() < end) {
		if (now_ms() >= next) {
			for (i = 0; i < PM_ANN_MAX; i++) {
				e = msg + PM_HDR_LEN + 2 + i * PM_ANN_LEN;
				put_be64(e, (uint64_t)now_ms() - 1000);
				randombytes_buf(e + 8, REC_ID_LEN);
			}
			if (zmq_send(s, msg, sizeof(msg), ZMQ_DONTWAIT) ==
			    (int)sizeof(msg))
				sent += PM_ANN_MAX;
			next = now_ms() + 5;
		}
		if (pong_or(s, &m, 1) == PM_WANT)
			wanted += (zmq_msg_size(&m) - PM_HDR_LEN - 2) /
			    REC_ID_LEN;
	}
	zmq_msg_close(&m);
	printf("sent %llu wanted %llu\n", sent, wanted);
	return 0;
}

static int
recons(void *s, long seconds)
{
	struct rset *set = rset_new();
	struct recon *r = NULL;
	uint8_t *out = NULL, *msg;
	size_t outlen = 0;
	int64_t end = now_ms() + seconds * 1000, next = 0;
	unsigned long long sent = 0, answered = 0;
	zmq_msg_t m;

	if (set == NULL || recon_new(&r, set, 0) != 0 ||
	    recon_initiate(r, &out, &outlen) != 0 ||
	    (msg = malloc(PM_HDR_LEN + outlen)) == NULL)
		return 2;
	pm_header(msg, PM_RECON, 9);
	memcpy(msg + PM_HDR_LEN, out, outlen);
	zmq_msg_init(&m);
	while (now_ms() < end) {
		if (now_ms() >= next) {
			if (zmq_send(s, msg, PM_HDR_LEN + outlen,
			    ZMQ_DONTWAIT) != -1)
				sent++;
			next = now_ms() + 1;
		}
		if (pong_or(s, &m, 1) == PM_RECON_REPLY)
			answered++;
	}
	zmq_msg_close(&m);
	printf("sent %llu answered %llu\n", sent, answered);
	free(msg);
	free(out);
	recon_free(r);
	rset_free(set);
	return 0;
}

static int
deliver(void *s, long seconds, long count, int bad, uint64_t now)
{
	uint8_t rec[4096], to[REC_KEY_LEN], *msg, nonce[16];
	char ref[REC_APP_REF_LEN + 1], hex[33];
	const char *body = "sealed";
	int64_t start = now_ms();
	size_t n;
	long i;
	zmq_msg_t m;

	randombytes_buf(to, sizeof(to));
	if ((msg = malloc(PM_HDR_LEN + REC_KEY_LEN + 4 + sizeof(rec))) == NULL)
		return 2;
	zmq_msg_init(&m);
	for (i = 0; i < count; i++) {
		randombytes_buf(nonce, sizeof(nonce));
		hex_encode(hex, nonce, sizeof(nonce));
		snprintf(ref, sizeof(ref), "%s%s", REC_APP_PREFIX, hex);
		if (rec_build(rec, sizeof(rec), &n, REC_APPLICATION, now - 1000,
		    now + 86400000ULL, ref, strlen(ref), (const uint8_t *)body,
		    strlen(body), sk) != 0)
			return 2;
		if (bad)
			rec[n - 1] ^= 1;	/* the signature's last byte */
		pm_header(msg, PM_DELIVER, 0);
		memcpy(msg + PM_HDR_LEN, to, REC_KEY_LEN);
		put_be32(msg + PM_HDR_LEN + REC_KEY_LEN, (uint32_t)n);
		memcpy(msg + PM_HDR_LEN + REC_KEY_LEN + 4, rec, n);
		zmq_send(s, msg, PM_HDR_LEN + REC_KEY_LEN + 4 + n, 0);
		/* Spread over the seconds given. */
		while (now_ms() - start < (int64_t)((i + 1) * seconds * 1000 /
		    count))
			pong_or(s, &m, 1);
	}
	zmq_msg_close(&m);
	free(msg);
	printf("sent %ld\n", count);
	return 0;
}

static int
wants(void *s, const char *path, long seconds, long count, long ms)
{
	uint8_t *buf, (*ids)[REC_ID_LEN], *msg;
	size_t len, off = XS_HDR_LEN, nids = 0, next_id = 0, n;
	int64_t end = now_ms() + seconds * 1000, next = 0, sent_at[4], slow = 0;
	unsigned long long records = 0, answered = 0;
	unsigned inflight = 0;
	struct pm pm;
	zmq_msg_t m;
	long i;

	len = slurp(path, &buf);
	if ((ids = malloc(len / 64 * REC_ID_LEN + REC_ID_LEN)) == NULL ||
	    count < 1 || count > PM_WANT_MAX)
		return 2;
	while (off + 4 <= len) {
		n = get_be32(buf + off);
		if (off + 4 + n > len)
			break;
		rec_id(ids[nids++], buf + off + 4, n);
		off += 4 + n;
	}
	if (nids == 0 || (msg = malloc(PM_HDR_LEN + 2 +
	    (size_t)count * REC_ID_LEN)) == NULL)
		return 2;
	zmq_msg_init(&m);
	while (now_ms() < end) {
		if (inflight < 4 && now_ms() >= next) {
			pm_header(msg, PM_WANT, 11);
			msg[PM_HDR_LEN] = (uint8_t)(count >> 8);
			msg[PM_HDR_LEN + 1] = (uint8_t)count;
			for (i = 0; i < count; i++) {
				memcpy(msg + PM_HDR_LEN + 2 + i * REC_ID_LEN,
				    ids[next_id], REC_ID_LEN);
				next_id = (next_id + 1) % nids;
			}
			zmq_send(s, msg, PM_HDR_LEN + 2 + count * REC_ID_LEN, 0);
			sent_at[inflight++] = now_ms();
			next = now_ms() + ms;
		}
		if (pong_or(s, &m, 1) != PM_RECORDS ||
		    pm_decode(&pm, zmq_msg_data(&m), zmq_msg_size(&m)) != 0)
			continue;
		records += pm.nrecords;
		if (pm.more || inflight == 0)
			continue;
		answered++;
		if (now_ms() - sent_at[0] > slow)
			slow = now_ms() - sent_at[0];
		memmove(sent_at, sent_at + 1, --inflight * sizeof(sent_at[0]));
	}
	zmq_msg_close(&m);
	printf("records %llu wants %llu slowest_ms %lld\n", records, answered,
	    (long long)slow);
	free(msg);
	free(ids);
	free(buf);
	return 0;
}

static int
acks(void *s, long seconds, long count)
{
	uint8_t msg[PM_HDR_LEN + PM_ACK_LEN], *a = msg + PM_HDR_LEN;
	uint8_t in[sizeof(PM_ACK_CONTEXT) - 1 + 64];
	int64_t start = now_ms();
	long i;
	zmq_msg_t m;

	zmq_msg_init(&m);
	pm_header(msg, PM_ACK, 0);
	for (i = 0; i < count; i++) {
		randombytes_buf(a, 64);		/* the id, the sender */
		memcpy(a + 64, pk, 32);		/* the recipient: DIR */
		memcpy(in, PM_ACK_CONTEXT, sizeof(PM_ACK_CONTEXT) - 1);
		memcpy(in + sizeof(PM_ACK_CONTEXT) - 1, a, 64);
		crypto_sign_detached(a + 96, NULL, in, sizeof(in), sk);
		zmq_send(s, msg, sizeof(msg), 0);
		while (now_ms() - start < (int64_t)((i + 1) * seconds * 1000 /
		    count))
			pong_or(s, &m, 1);
	}
	zmq_msg_close(&m);
	printf("sent %ld\n", count);
	return 0;
}

static int
pings(void *s, long seconds)
{
	struct pm_hello h = { 2, "fakepeer", "" };
	uint8_t ping[512];
	size_t n = pm_hello_encode(ping, sizeof(ping), PM_PING, 1, &h);
	int64_t end = now_ms() + seconds * 1000, next = 0;
	unsigned long long sent = 0, answered = 0;
	zmq_msg_t m;

	zmq_msg_init(&m);
	while (now_ms() < end) {
		if (now_ms() >= next) {
			if (zmq_send(s, ping, n, ZMQ_DONTWAIT) != -1)
				sent++;
			next = now_ms() + 1;
		}
		if (pong_or(s, &m, 1) == PM_PONG)
			answered++;
	}
	/* The PONGs still on their way. */
	while (pong_or(s, &m, 200) == PM_PONG)
		answered++;
	zmq_msg_close(&m);
	printf("sent %llu answered %llu\n", sent, answered);
	return 0;
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
	ctx = zmq_ctx_new();
	if (strcmp(argv[4], "reconflood") == 0 && (argc == 6 || argc == 7)) {
		n = (size_t)reconflood(ctx, argv[2], csk, atol(argv[5]),
		    argc == 7 ? atol(argv[6]) : 0);
		zmq_ctx_term(ctx);
		return (int)n;
	}
	if (hex_decode(server, 32, argv[3]) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(server, server) != 0)
		return 2;
	s = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 32);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csk, 32);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (strcmp(argv[4], "wantflood") == 0) {
		/* Read nothing: let the answers pile up at the node. */
		int hwm = 1, rcvbuf = 65536;

		zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
		zmq_setsockopt(s, ZMQ_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
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
	} else if (strcmp(argv[4], "garbage") == 0 && argc == 6) {
		long i;

		for (i = 0; i < atol(argv[5]); i++)
			zmq_send(s, "\x07garbage", 8, 0);
	} else if (strcmp(argv[4], "garbage") == 0) {
		zmq_send(s, "\x01\x03\x00\x00\x00\x00\x00\x00\x00\x09xx", 12, 0);
		zmq_send(s, "\x07garbage", 8, 0);
		zmq_send(s, "\x01\x04\x00\x00\x00\x01\xff\xff\xff", 9, 0);
	} else if (strcmp(argv[4], "escalate") == 0) {
		escalate(s, now);
	} else if (strcmp(argv[4], "wantflood") == 0 && argc == 8) {
		n = (size_t)wantflood(s, argv[5], atol(argv[6]), atol(argv[7]));
		zmq_close(s);
		zmq_ctx_term(ctx);
		return (int)n;
	} else if (strcmp(argv[4], "untrusted") == 0 && argc == 8) {
		untrusted(s, atol(argv[5]), atol(argv[6]), atol(argv[7]), now);
	} else if (strcmp(argv[4], "trusted") == 0 && argc == 6) {
		trusted(s, atol(argv[5]), now);
	} else if ((strcmp(argv[4], "acks") == 0 && argc == 7) ||
	    (strcmp(argv[4], "pings") == 0 && argc == 6)) {
		n = (size_t)(argv[4][1] == 'c' ? acks(s, atol(argv[5]),
		    atol(argv[6])) : pings(s, atol(argv[5])));
		fflush(stdout);
		zmq_close(s);
		zmq_ctx_term(ctx);
		return (int)n;
	} else if ((strcmp(argv[4], "announce") == 0 && argc == 6) ||
	    (strcmp(argv[4], "recons") == 0 && argc == 6) ||
	    (strcmp(argv[4], "deliver") == 0 && (argc == 7 || argc == 8)) ||
	    (strcmp(argv[4], "wants") == 0 && argc == 9)) {
		if (argv[4][0] == 'a')
			n = (size_t)announce(s, atol(argv[5]));
		else if (argv[4][0] == 'r')
			n = (size_t)recons(s, atol(argv[5]));
		else if (argv[4][0] == 'd')
			n = (size_t)deliver(s, atol(argv[5]), atol(argv[6]),
			    argc == 8 && strcmp(argv[7], "bad") == 0, now);
		else
			n = (size_t)wants(s, argv[5], atol(argv[6]),
			    atol(argv[7]), atol(argv[8]));
		fflush(stdout);
		zmq_close(s);
		zmq_ctx_term(ctx);
		return (int)n;
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
