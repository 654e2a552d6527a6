/*
 * fuzz_conf.c: mentord.conf (conf_load, over libinih) from arbitrary
 * bytes: any content gives a configuration or an error naming a line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mentor.h"
#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct conf c;
	char err[512];
	FILE *f;

	if (path[0] == '\0') {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz-conf.XXXXXX");
		if ((fd = mkstemp(path)) == -1)
			return 0;
		close(fd);
	}
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (conf_load(&c, path, err, sizeof(err)) == 0 &&
	    (c.name[0] == '\0' || c.role == 0))
		abort();	/* a loaded configuration is complete */
	return 0;
}
