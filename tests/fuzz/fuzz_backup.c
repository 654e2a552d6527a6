/*
 * fuzz_backup.c: mentord restore (backup_restore) from arbitrary bytes:
 * any file is restored whole into a new directory or refused with a
 * message, and a refused one leaves no store behind.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "mentor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* wipe: removes the restore target (known names, one level of files). */
static void
wipe(const char *dir)
{
	static const char *const names[] = { "store/data.mdb",
	    "store/lock.mdb", "store", "store.restore/data.mdb",
	    "store.restore/lock.mdb", "store.restore", "mentord.conf",
	    "sign.key", "curve.key" };
	char p[256], q[600];
	struct dirent *e;
	size_t i;
	DIR *d;

	snprintf(p, sizeof(p), "%s/frameworks", dir);
	if ((d = opendir(p)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			snprintf(q, sizeof(q), "%s/%s", p, e->d_name);
			unlink(q);
		}
		closedir(d);
		rmdir(p);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (unlink(p) == -1)
			rmdir(p);
	}
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tmp[64], file[96], dir[96];
	char err[512], p[160];
	FILE *f;
	int rc;

	if (tmp[0] == '\0') {
		snprintf(tmp, sizeof(tmp), "/tmp/fuzz-backup.XXXXXX");
		if (mkdtemp(tmp) == NULL)
			return 0;
		snprintf(file, sizeof(file), "%s/in.mntb", tmp);
		snprintf(dir, sizeof(dir), "%s/node", tmp);
	}
	if ((f = fopen(file, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	err[0] = '\0';
	rc = backup_restore(dir, file, 0, err, sizeof(err));
	if (rc != 0 && err[0] == '\0')
		abort();	/* a refusal says why */
	snprintf(p, sizeof(p), "%s/store", dir);
	if (rc != 0 && access(p, F_OK) == 0)
		abort();	/* nothing restored half-way */
	wipe(dir);
	unlink(file);
	return 0;
}
