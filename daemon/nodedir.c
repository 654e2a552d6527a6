/*
 * nodedir.c: where a node lives and whether a daemon runs there; shared by
 * mentord and mentorctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "mentor.h"
#include "node.h"

int
node_default_dir(char *out, size_t outlen)
{
	const char *home;
	int n;

	if ((home = getenv("MENTORD_HOME")) != NULL && *home != '\0')
		n = snprintf(out, outlen, "%s", home);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		n = snprintf(out, outlen, "%s/.local/state/mentord", home);
	else
		return MENTOR_ENOTFOUND;
	return n < 0 || (size_t)n >= outlen ? MENTOR_ETOOBIG : 0;
}

int
node_lock_probe(const char *dir)
{
	char path[PATH_MAX];
	int fd, held;

	snprintf(path, sizeof(path), "%s/mentord.conf", dir);
	if (access(path, F_OK) == -1)
		return MENTOR_ENOTFOUND;
	snprintf(path, sizeof(path), "%s/mentord.lock", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;	/* never started: nobody holds it */
	held = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

int
node_api_endpoint(const char *dir, char *out, size_t outlen)
{
	int n;

	/* sun_path holds 108 bytes including the NUL. */
	n = snprintf(out, outlen, "ipc://%s/api.sock", dir);
	if (n < 0 || (size_t)n >= outlen || (size_t)n - 6 >= 108)
		return MENTOR_ETOOBIG;
	return 0;
}
