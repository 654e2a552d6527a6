/*
 * replay.c: runs a libFuzzer harness over saved inputs without libFuzzer,
 * so that `make test` replays every corpus.  Arguments are files or
 * directories (their regular files, in sorted order); a crash is the
 * failure, anything else exits 0.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* replay_file: feeds one file to the harness; -1 when it cannot be read. */
static int
replay_file(const char *path)
{
	uint8_t *buf = NULL, *nb;
	size_t len = 0, cap = 0, got;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	f = NULL;
	/* Exactly len bytes, so that a sanitizer sees any overread. */
	if ((nb = realloc(buf, len ? len : 1)) == NULL)
		goto fail;
	buf = nb;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;

fail:
	perror(path);
	if (f != NULL)
		fclose(f);
	free(buf);
	return -1;
}

static int
regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
main(int argc, char **argv)
{
	struct dirent **ents;
	struct stat st;
	char path[4096];
	long n = 0;
	int i, j, nents, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]) == 0)
				n++;
			else
				bad = 1;
			continue;
		}
		if ((nents = scandir(argv[i], &ents, NULL, alphasort)) < 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		for (j = 0; j < nents; j++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    ents[j]->d_name);
			if (regular(path)) {
				if (replay_file(path) == 0)
					n++;
				else
					bad = 1;
			}
			free(ents[j]);
		}
		free(ents);
	}
	printf("replayed %ld inputs\n", n);
	return bad;
}
