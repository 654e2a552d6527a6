/*
 * fuzz_store.c: store_check (the structure check of a data.mdb, run before
 * LMDB maps the file) on arbitrary bytes: any file gives a verdict, never
 * a crash, and a file that passes the deep check also passes the quick one.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mentor.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], file[96];
	struct store_check_report rep;
	char err[512];
	FILE *f;
	int deep;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-store.XXXXXX");
		if (mkdtemp(dir) == NULL)
			return 0;
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
	}
	if ((f = fopen(file, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	deep = store_check(dir, 1, &rep, NULL, NULL, err, sizeof(err));
	if (deep != 0 && deep != MENTOR_ESTORE)
		abort();
	if (deep == MENTOR_ESTORE && (rep.problems == 0 || err[0] == '\0'))
		abort();	/* damage is always named */
	if (deep == 0 && store_check(dir, 0, &rep, NULL, NULL, err,
	    sizeof(err)) != 0)
		abort();
	return 0;
}
