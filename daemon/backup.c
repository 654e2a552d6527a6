/*
 * backup.c: online backups (a thread runs LMDB's compacting copy into a
 * pipe; the client pulls the stream in chunks) and restores (backup.h has
 * the format).  The copy holds one read transaction, so writers go on and
 * the backup is the store as it was when the copy began.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "backup.h"
#include "case.h"
#include "cmd.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "util.h"

#define BK_MAGIC	"MNTBAK\0\1"
#define BK_END		"MNTBEND"	/* and its NUL: 8 bytes */
#define BK_MAGIC_LEN	8
#define BK_TRAILER_LEN	(8 + 8 + 32)
#define BK_MANIFEST_MAX	(64u << 20)	/* frameworks in hex */
#define BK_CHUNK	(4u << 20)
#define BK_IDLE_S	60
#define BK_FILE_MAX	(64u << 10)	/* conf and key files */
#define BK_FW_MAX	(16u << 20)	/* one imported CASE framework */
#define BK_FW_COUNT	64

static const char *const bk_files[] = { "mentord.conf", "sign.key",
    "curve.key" };
#define BK_NFILES	(sizeof(bk_files) / sizeof(bk_files[0]))

struct backup {
	struct node		*node;
	pthread_t		 thread;
	int			 joined;
	int			 rfd, wfd;
	int			 phase;		/* 0 head, 1 store, 2 end */
	uint8_t			*head;
	size_t			 headlen;
	uint64_t		 storelen;
	crypto_generichash_state h;
	int			 copy_rc;
	char			 copy_err[256];
	struct event		*idle;
	char			 session[33];
};

static struct backup *cur;	/* one node per process, one backup */

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* read_upto: reads dir/name whole (at most max bytes) into *buf. */
static int
read_upto(const char *dir, const char *name, size_t max, uint8_t **buf,
    size_t *len)
{
	char path[PATH_MAX + 96];
	struct stat st;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY)) == -1)
		return MENTOR_EIO;
	if (fstat(fd, &st) == -1 || (size_t)st.st_size > max ||
	    (*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return MENTOR_EIO;
	}
	r = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size) {
		free(*buf);
		return MENTOR_EIO;
	}
	*len = (size_t)r;
	return 0;
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* read_small: reads dir/name whole (at most BK_FILE_MAX) into *buf. */
static int
read_small(const char *dir, const char *name, uint8_t **buf, size_t *len)
{
	return read_upto(dir, name, BK_FILE_MAX, buf, len);
}

/*
 * add_frameworks: the CASE frameworks imported into DIR/frameworks, as
 * manifest member "frameworks": {ID: hex of ID.json}.
 */
static int
add_frameworks(struct node *n, json_t *m, char *err, size_t errlen)
{
	char dir[PATH_MAX + 16], id[80], *hex;
	struct dirent *e;
	json_t *fws;
	uint8_t *buf;
	size_t len, k, count = 0;
	DIR *d;
	int rc = 0;

	if ((fws = json_object()) == NULL ||
	    json_object_set_new(m, "frameworks", fws) != 0)
		return MENTOR_ENOMEM;
	snprintf(dir, sizeof(dir), "%s/frameworks", n->dir);
	if ((d = opendir(dir)) == NULL)
		return 0;	/* none imported */
	while (rc == 0 && (e = readdir(d)) != NULL) {
		k = strlen(e->d_name);
		if (k < 6 || k - 5 >= sizeof(id) ||
		    strcmp(e->d_name + k - 5, ".json") != 0)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(k - 5), e->d_name);
		if (!case_id_ok(id))
			continue;
		if (++count > BK_FW_COUNT ||
		    read_upto(dir, e->d_name, BK_FW_MAX, &buf, &len) != 0) {
			snprintf(err, errlen, "%s/%s: cannot back it up", dir,
			    e->d_name);
			rc = MENTOR_EIO;
			break;
		}
		if ((hex = malloc(2 * len + 1)) == NULL) {
			free(buf);
			rc = MENTOR_ENOMEM;
			break;
		}
		hex_encode(hex, buf, len);
		free(buf);
		if (json_object_set_new(fws, id, json_string(hex)) != 0)
			rc = MENTOR_ENOMEM;
		free(hex);
	}
	closedir(d);
	return rc;
}

/* make_head: the magic, the manifest's length and the manifest. */
static int
make_head(struct node *n, uint8_t **out, size_t *outlen, char *err,
    size_t errlen)
{
	json_t *m, *files;
	uint8_t *buf;
	char ts[21], *hex, *s;
	size_t i, len, slen;
	int rc;

	time_format(ts, now_ms());
	files = json_object();
	m = json_pack("{s:i,s:s,s:s,s:s,s:s,s:i,s:s,s:o}", "format", 1,
	    "node_id", n->id_hex, "name", n->conf.name, "role",
	    node_role_name(n->conf.role), "mentord", MENTOR_VERSION,
	    "schema", (int)store_schema(n->store), "created", ts, "files",
	    files);
	if (m == NULL)
		return MENTOR_ENOMEM;
	for (i = 0; i < BK_NFILES; i++) {
		if (read_small(n->dir, bk_files[i], &buf, &len) != 0) {
			snprintf(err, errlen, "%s/%s: %s", n->dir, bk_files[i],
			    strerror(errno));
			json_decref(m);
			return MENTOR_EIO;
		}
		hex = malloc(2 * len + 1);
		if (hex)
			hex_encode(hex, buf, len);
		sodium_memzero(buf, len);
		free(buf);
		if (hex == NULL || json_object_set_new(files, bk_files[i],
		    json_string(hex)) != 0) {
			free(hex);
			json_decref(m);
			return MENTOR_ENOMEM;
		}
		sodium_memzero(hex, 2 * len);
		free(hex);
	}
	if ((rc = add_frameworks(n, m, err, errlen)) != 0) {
		json_decref(m);
		return rc;
	}
	s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(m);
	if (s == NULL)
		return MENTOR_ENOMEM;
	slen = strlen(s);
	if ((*out = malloc(BK_MAGIC_LEN + 4 + slen)) == NULL) {
		sodium_memzero(s, slen);
		free(s);
		return MENTOR_ENOMEM;
	}
	memcpy(*out, BK_MAGIC, BK_MAGIC_LEN);
	put_be(*out + BK_MAGIC_LEN, slen, 4);
	memcpy(*out + BK_MAGIC_LEN + 4, s, slen);
	*outlen = BK_MAGIC_LEN + 4 + slen;
	sodium_memzero(s, slen);
	free(s);
	return 0;
}

/* trailer: the end magic, the store's length, the hash of all before. */
static void
trailer(crypto_generichash_state *h, uint64_t storelen,
    uint8_t out[BK_TRAILER_LEN])
{
	memcpy(out, BK_END, 8);
	put_be(out + 8, storelen, 8);
	crypto_generichash_update(h, out, 16);
	crypto_generichash_final(h, out + 16, 32);
}

/* ---- the online backup: a copy thread and a pulled stream ------------ */

static void *
copy_main(void *arg)
{
	struct backup *b = arg;

	b->copy_rc = store_copy_fd(b->node->store, b->wfd, b->copy_err,
	    sizeof(b->copy_err));
	close(b->wfd);		/* the reader sees the end */
	return NULL;
}

static void
session_free(struct backup *b)
{
	if (b == NULL)
		return;
	if (b->rfd != -1)
		close(b->rfd);	/* a copy still writing gets EPIPE and ends */
	if (!b->joined)
		pthread_join(b->thread, NULL);
	store_copy_end(b->node->store);
	if (b->idle)
		event_free(b->idle);
	if (b->head) {
		sodium_memzero(b->head, b->headlen);
		free(b->head);
	}
	if (cur == b)
		cur = NULL;
	free(b);
}

static void
on_idle(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_warn("backup: abandoned after %d s without the client", BK_IDLE_S);
	session_free(arg);
}

void
backup_close(struct node *n)
{
	(void)n;
	session_free(cur);
}

int
cmd_backup_start(struct cmd_ctx *c)
{
	struct node *n = c->node;
	struct backup *b;
	struct timeval tv = { BK_IDLE_S, 0 };
	uint8_t rnd[16];
	int p[2], rc;

	/* The stream holds the node's secret keys: never over the web. */
	if (c->who != CMD_WHO_OPERATOR)
		return cmd_fail(c, MENTOR_EPERM, "backup: only on the node's "
		    "own socket (a backup holds the node's keys)");
	if (cur)
		return cmd_fail(c, MENTOR_EBUSY, "a backup is already "
		    "running");
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return MENTOR_ENOMEM;
	b->node = n;
	b->rfd = b->wfd = -1;
	b->joined = 1;
	if ((rc = make_head(n, &b->head, &b->headlen, c->err,
	    sizeof(c->err))) != 0) {
		free(b);
		return rc;
	}
	crypto_generichash_init(&b->h, NULL, 0, 32);
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(b->session, rnd, sizeof(rnd));
	if (pipe(p) == -1) {
		free(b->head);
		free(b);
		return cmd_fail(c, MENTOR_EIO, "pipe: %s", strerror(errno));
	}
	b->rfd = p[0];
	b->wfd = p[1];
	fcntl(b->rfd, F_SETFL, fcntl(b->rfd, F_GETFL) | O_NONBLOCK);
	fcntl(b->rfd, F_SETFD, FD_CLOEXEC);
	fcntl(b->wfd, F_SETFD, FD_CLOEXEC);
	store_copy_begin(n->store);
	if (pthread_create(&b->thread, NULL, copy_main, b) != 0) {
		close(b->wfd);
		session_free(b);
		return cmd_fail(c, MENTOR_EIO, "cannot start the copy");
	}
	b->joined = 0;
	cur = b;
	if ((b->idle = evtimer_new(n->base, on_idle, b)) != NULL)
		evtimer_add(b->idle, &tv);
	log_info("backup: started");
	c->result = json_pack("{s:s}", "session", b->session);
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* pull: up to BK_CHUNK bytes of the copy into out; 1 at its end. */
static int
pull(struct backup *b, uint8_t *out, size_t *len)
{
	struct pollfd pfd = { b->rfd, POLLIN, 0 };
	ssize_t r;

	*len = 0;
	/* Wait a little for the first bytes, never long: the loop serves. */
	if (poll(&pfd, 1, 200) <= 0)
		return 0;
	while (*len < BK_CHUNK) {
		r = read(b->rfd, out + *len, BK_CHUNK - *len);
		if (r > 0)
			*len += (size_t)r;
		else if (r == 0)
			return 1;
		else if (errno == EINTR)
			continue;
		else
			return 0;	/* EAGAIN: send what we have */
	}
	return 0;
}

int
cmd_backup_next(struct cmd_ctx *c)
{
	struct backup *b = cur;
	struct timeval tv = { BK_IDLE_S, 0 };
	const char *sess;
	uint8_t *out;
	size_t len = 0;
	int rc, end, done = 0;

	if (c->who != CMD_WHO_OPERATOR)
		return cmd_fail(c, MENTOR_EPERM, "backup: only on the node's "
		    "own socket");
	if ((rc = arg_str(c, "session", 1, &sess)) != 0)
		return rc;
	if (b == NULL || strcmp(sess, b->session) != 0)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no such backup session "
		    "(abandoned after %d s idle?)", BK_IDLE_S);
	if (b->idle)
		evtimer_add(b->idle, &tv);
	if ((out = malloc(BK_CHUNK > BK_TRAILER_LEN ? BK_CHUNK :
	    BK_TRAILER_LEN)) == NULL)
		return MENTOR_ENOMEM;
	if (b->phase == 0) {
		free(out);
		out = b->head;
		len = b->headlen;
		b->head = NULL;
		b->phase = 1;
	} else if (b->phase == 1) {
		end = pull(b, out, &len);
		b->storelen += len;
		if (end) {
			pthread_join(b->thread, NULL);
			b->joined = 1;
			if (b->copy_rc != 0) {
				free(out);
				rc = cmd_fail(c, MENTOR_ESTORE, "backup: %s",
				    b->copy_err);
				session_free(b);
				return rc;
			}
			b->phase = 2;
		}
	} else {
		trailer(&b->h, b->storelen, out);
		len = BK_TRAILER_LEN;
		done = 1;
	}
	if (!done)
		crypto_generichash_update(&b->h, out, len);
	c->out = out;
	c->outlen = len;
	c->result = json_pack("{s:b}", "done", done);
	if (done) {
		log_info("backup: done, %llu bytes of store",
		    (unsigned long long)b->storelen);
		session_free(b);
	}
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* ---- a backup to a file, synchronously (before a migration) --------- */

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
backup_file(struct node *n, const char *path, char *err, size_t errlen)
{
	crypto_generichash_state h;
	uint8_t *head = NULL, *buf = NULL, tr[BK_TRAILER_LEN];
	size_t headlen;
	off_t end;
	ssize_t r;
	int fd, rc;

	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MENTOR_EIO;
	}
	if ((rc = make_head(n, &head, &headlen, err, errlen)) != 0)
		goto fail;
	rc = MENTOR_EIO;
	if (write_all(fd, head, headlen) != 0)
		goto fail_errno;
	if ((rc = store_copy_fd(n->store, fd, err, errlen)) != 0)
		goto fail;
	rc = MENTOR_EIO;
	/* The hash covers the file as written: read it back. */
	if ((end = lseek(fd, 0, SEEK_END)) == -1 ||
	    lseek(fd, 0, SEEK_SET) == -1 || (buf = malloc(1 << 20)) == NULL)
		goto fail_errno;
	crypto_generichash_init(&h, NULL, 0, 32);
	while ((r = read(fd, buf, 1 << 20)) > 0)
		crypto_generichash_update(&h, buf, (size_t)r);
	if (r < 0)
		goto fail_errno;
	trailer(&h, (uint64_t)end - headlen, tr);
	if (write_all(fd, tr, sizeof(tr)) != 0 || fsync(fd) != 0)
		goto fail_errno;
	free(buf);
	sodium_memzero(head, headlen);
	free(head);
	close(fd);
	return 0;
fail_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
fail:
	free(buf);
	if (head) {
		sodium_memzero(head, headlen);
		free(head);
	}
	close(fd);
	unlink(path);
	return rc;
}

/* ---- restore ---------------------------------------------------------- */

/* copy_range: len bytes of in from its offset to out, hashed on the way. */
static int
copy_range(int in, int out, uint64_t len, crypto_generichash_state *h)
{
	uint8_t *buf;
	ssize_t r;
	size_t want;

	if ((buf = malloc(1 << 20)) == NULL)
		return -1;
	while (len > 0) {
		want = len > (1 << 20) ? (1 << 20) : (size_t)len;
		if ((r = read(in, buf, want)) <= 0) {
			free(buf);
			return -1;
		}
		crypto_generichash_update(h, buf, (size_t)r);
		if (out != -1 && write_all(out, buf, (size_t)r) != 0) {
			free(buf);
			return -1;
		}
		len -= (uint64_t)r;
	}
	free(buf);
	return 0;
}

static int
write_new(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[PATH_MAX + 64];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	rc = write_all(fd, buf, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

/* file_hex: member name of files as bytes (malloc'd). */
static int
file_hex(const json_t *files, const char *name, uint8_t **out, size_t *len)
{
	const char *h = json_string_value(json_object_get(files, name));
	size_t n;

	*out = NULL;
	if (h == NULL || (n = strlen(h)) % 2 != 0 || n / 2 > BK_FILE_MAX ||
	    (*out = malloc(n / 2 + 1)) == NULL)
		return -1;
	*len = n / 2;
	if (*len > 0 && hex_decode(*out, *len, h) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * restore_frameworks: the manifest's CASE frameworks into DIR/frameworks;
 * when keep is set, files already there stay.  Ids are checked, so a
 * crafted backup cannot name a path outside that directory.
 */
static int
restore_frameworks(const char *dir, const json_t *man, int keep, char *err,
    size_t errlen)
{
	const json_t *fws = json_object_get(man, "frameworks");
	char sub[PATH_MAX + 16], name[96], path[PATH_MAX + 128];
	const char *id, *h;
	json_t *v;
	uint8_t *buf;
	size_t n;

	if (fws == NULL || json_object_size(fws) == 0)
		return 0;
	if (!json_is_object(fws) || json_object_size(fws) > BK_FW_COUNT) {
		snprintf(err, errlen, "damaged backup (frameworks)");
		return MENTOR_EINVAL;
	}
	json_object_foreach((json_t *)fws, id, v) {
		h = json_string_value(v);
		if (!case_id_ok(id) || h == NULL || (n = strlen(h)) % 2 != 0 ||
		    n / 2 > BK_FW_MAX) {
			snprintf(err, errlen, "damaged backup (framework "
			    "\"%.70s\")", id);
			return MENTOR_EINVAL;
		}
	}
	snprintf(sub, sizeof(sub), "%s/frameworks", dir);
	if (mkdir(sub, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", sub, strerror(errno));
		return MENTOR_EIO;
	}
	json_object_foreach((json_t *)fws, id, v) {
		h = json_string_value(v);
		n = strlen(h) / 2;
		snprintf(name, sizeof(name), "%s.json", id);
		snprintf(path, sizeof(path), "%s/%s", sub, name);
		if (keep && access(path, F_OK) == 0)
			continue;
		if ((buf = malloc(n + 1)) == NULL)
			return MENTOR_ENOMEM;
		if ((n > 0 && hex_decode(buf, n, h) != 0) ||
		    write_new(sub, name, buf, n) != 0) {
			free(buf);
			snprintf(err, errlen, "%s: cannot restore it", path);
			return MENTOR_EIO;
		}
		free(buf);
	}
	return 0;
}

int
backup_restore(const char *dir, const char *file, int force, char *err,
    size_t errlen)
{
	crypto_generichash_state h;
	struct stat st;
	struct store *s = NULL;
	json_t *man = NULL, *files;
	uint8_t head[BK_MAGIC_LEN + 4], tr[BK_TRAILER_LEN], sum[32];
	uint8_t *mbuf = NULL, *fb = NULL, *have = NULL;
	char tmp[PATH_MAX + 32], path[PATH_MAX + 64], old[PATH_MAX + 64];
	size_t mlen, fblen, havelen, i;
	uint64_t storelen;
	int in, out = -1, rc = MENTOR_EINVAL, existing;

	if ((in = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return MENTOR_EIO;
	}
	crypto_generichash_init(&h, NULL, 0, 32);
	if (fstat(in, &st) == -1 || st.st_size < (off_t)(sizeof(head) +
	    BK_TRAILER_LEN) || read(in, head, sizeof(head)) !=
	    (ssize_t)sizeof(head) || memcmp(head, BK_MAGIC, BK_MAGIC_LEN) != 0) {
		snprintf(err, errlen, "%s: not a mentord backup", file);
		goto out;
	}
	crypto_generichash_update(&h, head, sizeof(head));
	mlen = (size_t)get_be(head + BK_MAGIC_LEN, 4);
	if (mlen > BK_MANIFEST_MAX || (off_t)(sizeof(head) + mlen +
	    BK_TRAILER_LEN) > st.st_size || (mbuf = malloc(mlen + 1)) ==
	    NULL || read(in, mbuf, mlen) != (ssize_t)mlen) {
		snprintf(err, errlen, "%s: damaged backup (manifest)", file);
		goto out;
	}
	crypto_generichash_update(&h, mbuf, mlen);
	man = json_loadb((char *)mbuf, mlen, 0, NULL);
	files = json_object_get(man, "files");
	if (!json_is_object(files) || json_integer_value(json_object_get(man,
	    "format")) != 1) {
		snprintf(err, errlen, "%s: damaged backup (manifest is not "
		    "format 1)", file);
		goto out;
	}
	storelen = (uint64_t)st.st_size - sizeof(head) - mlen -
	    BK_TRAILER_LEN;
	/* The node must be stopped; a node there must be this one. */
	rc = node_lock_probe(dir);
	if (rc == 1) {
		snprintf(err, errlen, "the node in %s is running: stop it "
		    "first", dir);
		rc = MENTOR_EBUSY;
		goto out;
	}
	existing = rc == 0;
	if (file_hex(files, "sign.key", &fb, &fblen) != 0) {
		snprintf(err, errlen, "%s: damaged backup (no sign.key)", file);
		rc = MENTOR_EINVAL;
		goto out;
	}
	if (existing && !force && (read_small(dir, "sign.key", &have,
	    &havelen) != 0 || havelen != fblen ||
	    sodium_memcmp(have, fb, fblen) != 0)) {
		snprintf(err, errlen, "%s holds another node than the backup "
		    "(%.16s...); give --force to replace its store anyway",
		    dir, json_string_value(json_object_get(man, "node_id")));
		rc = MENTOR_EEXIST;
		goto out;
	}
	if (!existing && mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		rc = MENTOR_EIO;
		goto out;
	}
	/* The store goes to a new directory first, checked, then swapped. */
	snprintf(tmp, sizeof(tmp), "%s/store.restore", dir);
	snprintf(path, sizeof(path), "%s/data.mdb", tmp);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", tmp);
	unlink(path);
	rmdir(tmp);
	snprintf(path, sizeof(path), "%s/data.mdb", tmp);
	rc = MENTOR_EIO;
	if (mkdir(tmp, 0700) == -1 || (out = open(path, O_WRONLY |
	    O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1 ||
	    copy_range(in, out, storelen, &h) != 0 || fsync(out) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out_tmp;
	}
	close(out);
	out = -1;
	if (read(in, tr, sizeof(tr)) != (ssize_t)sizeof(tr) ||
	    memcmp(tr, BK_END, 8) != 0 || get_be(tr + 8, 8) != storelen) {
		snprintf(err, errlen, "%s: damaged backup (no trailer: "
		    "truncated?)", file);
		rc = MENTOR_EINVAL;
		goto out_tmp;
	}
	crypto_generichash_update(&h, tr, 16);
	crypto_generichash_final(&h, sum, sizeof(sum));
	if (sodium_memcmp(sum, tr + 16, 32) != 0) {
		snprintf(err, errlen, "%s: damaged backup (hash mismatch)",
		    file);
		rc = MENTOR_EINVAL;
		goto out_tmp;
	}
	if ((rc = store_open(&s, tmp, 0, err, errlen)) != 0)
		goto out_tmp;
	store_close(s);
	/* Configuration and keys: a new directory takes the backup's. */
	for (i = 0; i < BK_NFILES; i++) {
		free(fb);
		fb = NULL;
		snprintf(path, sizeof(path), "%s/%s", dir, bk_files[i]);
		if (existing && !force && access(path, F_OK) == 0)
			continue;
		if (file_hex(files, bk_files[i], &fb, &fblen) != 0 ||
		    write_new(dir, bk_files[i], fb, fblen) != 0) {
			snprintf(err, errlen, "%s: cannot write %s", dir,
			    bk_files[i]);
			rc = MENTOR_EIO;
			goto out_tmp;
		}
		sodium_memzero(fb, fblen);
	}
	if ((rc = restore_frameworks(dir, man, existing && !force, err,
	    errlen)) != 0)
		goto out_tmp;
	snprintf(path, sizeof(path), "%s/store", dir);
	snprintf(old, sizeof(old), "%s/store.before-restore-%lld", dir,
	    (long long)time(NULL));
	if (access(path, F_OK) == 0 && rename(path, old) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = MENTOR_EIO;
		goto out_tmp;
	}
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		rename(old, path);
		rc = MENTOR_EIO;
		goto out_tmp;
	}
	rc = 0;
	goto out;
out_tmp:
	if (out != -1)
		close(out);
	out = -1;
	snprintf(path, sizeof(path), "%s/data.mdb", tmp);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", tmp);
	unlink(path);
	rmdir(tmp);
out:
	if (fb) {
		sodium_memzero(fb, fblen);
		free(fb);
	}
	if (have) {
		sodium_memzero(have, havelen);
		free(have);
	}
	if (mbuf) {
		sodium_memzero(mbuf, mlen);
		free(mbuf);
	}
	json_decref(man);
	close(in);
	return rc;
}
