/*
 * fuzz_record.c: libFuzzer harness for the record decoder, the body rules
 * and the export stream reader.  The input is tried both as one record and as a stream.
 */
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "body.h"
#include "mentor.h"
#include "record.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The vectors' clock, so that the seed records are live. */
#define FUZZ_NOW	1796000000000ULL

/*
 * one: everything that may be done with a record, as a node would: open
 * it, and look at the decoded parts whatever the verdict of the signature,
 * the body included (body_check, which a node runs only on signed records).
 */
static void
one(const uint8_t *p, size_t n)
{
	uint8_t id[REC_ID_LEN], addr[REC_ADDR_LEN];
	char err[BODY_ERR_MAX];
	struct rec r;

	(void)rec_open(&r, p, n, FUZZ_NOW);
	if (rec_decode(&r, p, n) != 0)
		return;
	(void)rec_check_time(&r, FUZZ_NOW);
	(void)rec_check_time(&r, r.created_at);
	(void)rec_check_time(&r, r.expires_at - 1);
	(void)rec_kind_name(r.kind);
	rec_id(id, p, n);
	rec_addr(addr, r.author, r.ref, r.ref_len);
	(void)rec_cmp_state(r.kind, r.created_at, id, REC_WITHDRAWAL,
	    r.created_at, id);
	(void)body_check(&r, err, sizeof(err));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rec;
	size_t off, reclen;

	if (sodium_init() < 0)
		return 0;
	one(data, size);
	if (xs_header_check(data, size) != 0)
		return 0;
	off = XS_HDR_LEN;
	while (xs_next(data, size, &off, &rec, &reclen) == 1)
		one(rec, reclen);
	return 0;
}
