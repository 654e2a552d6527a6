/*
 * fuzz_student.c: libFuzzer harness for student imports.  The first byte
 * picks the form of the rest: even for a JSON array, odd for CSV.  Every
 * normalized student must be accepted again unchanged.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "mentor.h"
#include "student.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 20)

static void
check_normalized(const json_t *arr)
{
	char err[STUDENT_ERR_MAX];
	json_t *again;
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		if (student_parse(json_array_get(arr, i), &again, err,
		    sizeof(err)) != 0)
			abort();
		if (!json_equal(again, json_array_get(arr, i)))
			abort();
		json_decref(again);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[STUDENT_ERR_MAX];
	json_t *out = NULL;
	int rc;

	if (size < 1 || size > FUZZ_MAX)
		return 0;
	if (data[0] & 1)
		rc = student_parse_csv((const char *)data + 1, size - 1, &out,
		    err, sizeof(err));
	else
		rc = student_parse_array((const char *)data + 1, size - 1,
		    &out, err, sizeof(err));
	if (rc == 0) {
		if (!json_is_array(out))
			abort();
		check_normalized(out);
		json_decref(out);
	} else if (out != NULL || err[0] == '\0')
		abort();
	return 0;
}
