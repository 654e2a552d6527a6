/*
 * fuzz_roster.c: libFuzzer harness for the RFC 4180 reader (csv.h) and
 * the CSV roster (student_roster_csv) over arbitrary bytes.  The reader
 * must hand back NUL-terminated fields of the stated length and move on
 * after every bad record; every student a roster yields must be accepted
 * again by student_parse unchanged, and handed to a sink as it is read
 * (student_roster_csv_each) the same rows must come, none after an
 * error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "mentor.h"
#include "csv.h"
#include "student.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 20)

/* A resolver with one of each, so that the friendly paths run too. */
static const char *
cluster(void *arg, const char *s)
{
	(void)arg;
	return strcasecmp(s, "Manufacturing") == 0 ? "manufacturing" : NULL;
}

static const char *
competency(void *arg, const char *s)
{
	(void)arg;
	return strcasecmp(s, "reading comprehension") == 0 ||
	    strcasecmp(s, "2.A.1.a") == 0 ? "onet:2.A.1.a" : NULL;
}

static int
zip(void *arg, const char *z, double *lat, double *lon)
{
	(void)arg;
	if (strcmp(z, "60614") != 0)
		return MENTOR_ENOTFOUND;
	*lat = 41.922747;
	*lon = -87.647153;
	return 0;
}

static const struct student_resolver res = { NULL, cluster, competency,
    zip };

static void
check_batch(const struct student_batch *b)
{
	char err[STUDENT_ERR_MAX];
	json_t *again, *s;
	size_t i;
	char *enc;

	if (b->error_count < json_array_size(b->errors))
		abort();
	for (i = 0; i < b->count; i++) {
		if ((s = student_batch_get(b, i)) == NULL)
			abort();
		/* Stored as jansson would write it, and still valid. */
		enc = json_dumps(s, JSON_COMPACT);
		if (enc == NULL || strcmp(enc, student_batch_json(b, i,
		    NULL)) != 0 || strcmp(json_string_value(json_object_get(s,
		    "id")), student_batch_id(b, i, NULL)) != 0)
			abort();
		free(enc);
		if (student_parse(s, &again, err, sizeof(err)) != 0)
			abort();
		if (!json_equal(again, s))
			abort();
		json_decref(again);
		json_decref(s);
	}
	for (i = 0; i < b->error_count && i < json_array_size(b->errors); i++)
		student_batch_error_text(b, i, err, sizeof(err));
}

/* The rows a sink was handed, to compare with the batch's. */
struct seen {
	const struct student_batch *b;
	size_t	 n;
};

static int
sink(void *arg, const char *id, size_t idlen, const char *json, size_t len,
    size_t line, unsigned given)
{
	struct seen *s = arg;
	const struct student_batch *b = s->b;
	size_t i = s->n++, n;

	/* The same rows as the batch, while no error was found. */
	if (i >= b->count || b->items[i].line != line ||
	    strcmp(student_batch_id(b, i, &n), id) != 0 || n != idlen ||
	    strcmp(student_batch_json(b, i, &n), json) != 0 || n != len ||
	    (given & ~b->given) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct csv_field *f;
	struct student_batch b;
	struct csv_reader r;
	char err[CSV_ERR_MAX];
	size_t line, nf, i, last = 0;
	int rc;

	if (size > FUZZ_MAX)
		return 0;
	csv_init(&r, (const char *)data, size, size > 0 && data[0] == '\t' ?
	    '\t' : ',');
	while ((rc = csv_next(&r, &line, &f, &nf, err, sizeof(err))) != 0) {
		if (rc == MENTOR_ENOMEM)
			break;
		if (line < last || (rc < 0 && err[0] == '\0'))
			abort();
		last = line;
		if (rc < 0)
			continue;
		if (nf < 1 || nf > CSV_FIELDS_MAX)
			abort();
		for (i = 0; i < nf; i++)
			if (strlen(f[i].p) != f[i].n)
				abort();
	}
	csv_free(&r);
	if (student_roster_csv((const char *)data, size, &res, 20000,
	    &b) == 0) {
		struct student_batch e;
		struct seen seen = { &b, 0 };

		check_batch(&b);
		/* Handed on as read: the same rows, none after an error. */
		if (student_roster_csv_each((const char *)data, size, &res,
		    20000, sink, &seen, &e) == 0) {
			if (e.count != 0 || e.error_count != b.error_count ||
			    (b.error_count == 0 && seen.n != b.count) ||
			    seen.n > b.count)
				abort();
			student_batch_clear(&e);
		}
		student_batch_clear(&b);
	}
	return 0;
}
