/*
 * fuzz_oneroster.c: libFuzzer harness for OneRoster bundles.  An input
 * starting with "PK" goes whole through the zip reader (oneroster_read);
 * any other is cut at 0x1e bytes into manifest.csv, users.csv, roles.csv,
 * demographics.csv and orgs.csv for oneroster_parse.  Every student
 * must be accepted again by student_parse unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mentor.h"
#include "bundle.h"
#include "oneroster.h"
#include "student.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 20)

static const char *const names[] = { "manifest.csv", "users.csv",
    "roles.csv", "demographics.csv", "orgs.csv" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oneroster_file files[5];
	struct student_batch b;
	char err[STUDENT_ERR_MAX];
	const uint8_t *p = data, *end = data + size, *sep;
	json_t *again;
	size_t n = 0, i;
	int rc;

	if (size > FUZZ_MAX)
		return 0;
	if (size >= 2 && data[0] == 'P' && data[1] == 'K')
		rc = oneroster_read(data, size, NULL, 20000, &b);
	else {
		while (n < 5 && p <= end) {
			sep = memchr(p, 0x1e, (size_t)(end - p));
			if (sep == NULL)
				sep = end;
			files[n].name = names[n];
			files[n].data = (const char *)p;
			files[n].len = (size_t)(sep - p);
			n++;
			p = sep + 1;
		}
		rc = oneroster_parse(files, n, NULL, 20000, &b);
	}
	if (rc != 0)
		return 0;
	if (b.error_count < json_array_size(b.errors))
		abort();
	for (i = 0; i < b.count; i++) {
		json_t *s = student_batch_get(&b, i);
		char *enc;

		if (s == NULL)
			abort();
		/* Stored as jansson would write it, and still valid. */
		enc = json_dumps(s, JSON_COMPACT);
		if (enc == NULL || strcmp(enc, student_batch_json(&b, i,
		    NULL)) != 0)
			abort();
		free(enc);
		if (student_parse(s, &again, err, sizeof(err)) != 0 ||
		    !json_equal(again, s))
			abort();
		json_decref(again);
		json_decref(s);
	}
	student_batch_clear(&b);
	return 0;
}
