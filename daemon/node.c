/*
 * node.c: creating a node directory and opening it: keys, configuration,
 * the single-daemon lock and the store.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>
#include <sodium.h>

#include "log.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "util.h"

static const char *const roles[] = { NULL, "school", "employer", "hub" };

int
node_role_parse(const char *s)
{
	int i;

	for (i = ROLE_SCHOOL; i <= ROLE_HUB; i++)
		if (strcmp(s, roles[i]) == 0)
			return i;
	return MENTOR_EINVAL;
}

const char *
node_role_name(int role)
{
	return role >= ROLE_SCHOOL && role <= ROLE_HUB ? roles[role] : "?";
}

/* write_secret: creates path (must not exist) with mode 0600 and fsyncs. */
static int
write_file(const char *path, const void *buf, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	int fd;
	ssize_t w;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MENTOR_EIO;
	}
	w = write(fd, buf, len);
	if (w < 0 || (size_t)w != len || fsync(fd) == -1) {
		snprintf(err, errlen, "%s: write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return MENTOR_EIO;
	}
	close(fd);
	return 0;
}

static int
read_secret(const char *dir, const char *name, uint8_t *buf, size_t len,
    char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat sb;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MENTOR_EIO;
	}
	if (fstat(fd, &sb) == -1 || (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: readable by others; chmod 600 %s",
		    path, path);
		close(fd);
		return MENTOR_EPERM;
	}
	r = read(fd, buf, len + 1);
	close(fd);
	if (r < 0 || (size_t)r != len) {
		snprintf(err, errlen, "%s: not a key file (%zd bytes, "
		    "expected %zu)", path, r, len);
		return MENTOR_EINVAL;
	}
	return 0;
}

/* mkdir_parents: creates the missing parents of path (mode 0700). */
static void
mkdir_parents(const char *path)
{
	char p[PATH_MAX];
	size_t i;

	snprintf(p, sizeof(p), "%s", path);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return;
		p[i] = '/';
	}
}

static int
dir_holds_node(const char *dir)
{
	static const char *const marks[] = { "mentord.conf", "sign.key",
	    "curve.key", "store" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, marks[i]);
		if (access(path, F_OK) == 0)
			return 1;
	}
	return 0;
}

static int
name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > NODE_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
node_web_listen_valid(const char *s)
{
	const char *colon;
	char *end;
	long port;

	if (*s == '\0')
		return 1;
	if (strlen(s) >= NODE_EP_MAX || strpbrk(s, " \t\n\r/"))
		return 0;
	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL || colon == s + 1)
			return 0;
		colon++;
	} else if ((colon = strrchr(s, ':')) == NULL || colon == s ||
	    memchr(s, ':', (size_t)(colon - s)) != NULL)
		return 0;
	port = strtol(colon + 1, &end, 10);
	return colon[1] != '\0' && *end == '\0' && port >= 1 &&
	    port <= 65535;
}

int
node_init(const char *dir, const char *name, int role, const char *listen,
    const char *web_listen, char *err, size_t errlen)
{
	uint8_t spk[crypto_sign_PUBLICKEYBYTES], ssk[crypto_sign_SECRETKEYBYTES];
	uint8_t ckey[64];
	char path[PATH_MAX], conf[1024];
	struct store *st;
	int rc, n;

	if (!name_valid(name)) {
		snprintf(err, errlen, "--name: 1 to %d printable characters",
		    NODE_NAME_MAX);
		return MENTOR_EINVAL;
	}
	if (listen && *listen && (strncmp(listen, "tcp://", 6) != 0 ||
	    strlen(listen) >= NODE_EP_MAX || strpbrk(listen, " \t\n\r"))) {
		snprintf(err, errlen, "--listen: expected tcp://HOST:PORT, "
		    "got \"%s\"", listen);
		return MENTOR_EINVAL;
	}
	if (web_listen == NULL)
		web_listen = NODE_WEB_DEFAULT;
	if (!node_web_listen_valid(web_listen)) {
		snprintf(err, errlen, "--web-listen: expected HOST:PORT, "
		    "got \"%s\"", web_listen);
		return MENTOR_EINVAL;
	}
	if (strlen(dir) + 32 >= PATH_MAX) {
		snprintf(err, errlen, "%s: path too long", dir);
		return MENTOR_EINVAL;
	}
	if (mkdir(dir, 0700) == -1 && errno == ENOENT)
		mkdir_parents(dir);	/* ~/.local/state may not exist yet */
	if (mkdir(dir, 0700) == -1) {
		if (errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return MENTOR_EIO;
		}
		if (dir_holds_node(dir)) {
			snprintf(err, errlen, "%s already holds a node; "
			    "refusing to touch it", dir);
			return MENTOR_EEXIST;
		}
		if (chmod(dir, 0700) == -1) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return MENTOR_EIO;
		}
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return MENTOR_EIO;
	}
	crypto_sign_keypair(spk, ssk);
	/*
	 * The CURVE (X25519) transport keys are derived from the signing
	 * key, so a peer needs only the NODE_ID to connect: secret first,
	 * then public.
	 */
	if (crypto_sign_ed25519_sk_to_curve25519(ckey, ssk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(ckey + 32, spk) != 0) {
		snprintf(err, errlen, "cannot derive the CURVE keys");
		sodium_memzero(ssk, sizeof(ssk));
		return MENTOR_EIO;
	}
	snprintf(path, sizeof(path), "%s/sign.key", dir);
	rc = write_file(path, ssk, sizeof(ssk), 0600, err, errlen);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/curve.key", dir);
		rc = write_file(path, ckey, sizeof(ckey), 0600, err, errlen);
	}
	sodium_memzero(ssk, sizeof(ssk));
	sodium_memzero(ckey, sizeof(ckey));
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/store", dir);
	if ((rc = store_open(&st, path, 1, err, errlen)) != 0)
		return rc;
	store_close(st);
	n = snprintf(conf, sizeof(conf),
	    "# mentord node configuration (see mentord(8))\n"
	    "[node]\n"
	    "name = %s\n"
	    "role = %s\n"
	    "listen = %s\n"
	    "\n"
	    "[log]\n"
	    "level = info\n"
	    "\n"
	    "[web]\n"
	    "listen = %s\n",
	    name, node_role_name(role), listen ? listen : "", web_listen);
	if (n < 0 || (size_t)n >= sizeof(conf)) {
		snprintf(err, errlen, "configuration too long");
		return MENTOR_ETOOBIG;
	}
	/* The configuration is written last: it marks a complete node. */
	snprintf(path, sizeof(path), "%s/mentord.conf", dir);
	return write_file(path, conf, (size_t)n, 0600, err, errlen);
}

struct conf_parse {
	struct conf	*c;
	char		 bad[128];
};

/* conf_int: a decimal integer in [min, max], or -1. */
static int
conf_int(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	return (int)v;
}

/*
 * conf_contact: one key of [contact]: 1 to 200 bytes without control
 * characters (SPEC 13.9); 0, or -1.
 */
static int
conf_contact(struct conf *c, const char *key, const char *value)
{
	char *dst;
	size_t i, n = strlen(value);

	if (strcmp(key, "name") == 0)
		dst = c->contact_name;
	else if (strcmp(key, "email") == 0)
		dst = c->contact_email;
	else if (strcmp(key, "phone") == 0)
		dst = c->contact_phone;
	else
		return -1;
	if (n == 0 || n > 200)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return -1;
	memcpy(dst, value, n + 1);
	return 0;
}

/* conf_web: one key of [web]; 0, or -1 for a bad value or unknown key. */
static int
conf_web(struct conf *c, const char *key, const char *value)
{
	static const struct {
		const char	*key;
		size_t		 off;
		size_t		 len;
	} paths[] = {
		{ "tls_cert", offsetof(struct conf, web_tls_cert),
		  sizeof(((struct conf *)0)->web_tls_cert) },
		{ "tls_key", offsetof(struct conf, web_tls_key),
		  sizeof(((struct conf *)0)->web_tls_key) },
		{ "root", offsetof(struct conf, web_root),
		  sizeof(((struct conf *)0)->web_root) },
	};
	static const struct {
		const char	*key;
		size_t		 off;
	} secs[] = {
		{ "session_idle_student_s",
		  offsetof(struct conf, web_idle_student_s) },
		{ "session_idle_staff_s",
		  offsetof(struct conf, web_idle_staff_s) },
		{ "session_max_s", offsetof(struct conf, web_session_max_s) },
	};
	size_t i;
	int v;

	if (strcmp(key, "listen") == 0) {
		if (!node_web_listen_valid(value))
			return -1;
		snprintf(c->web_listen, sizeof(c->web_listen), "%s", value);
		return 0;
	}
	/* Session lengths: 1 second (for tests) to 30 days. */
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		if (strcmp(key, secs[i].key) == 0) {
			if ((v = conf_int(value, 1, 30 * 86400)) < 0)
				return -1;
			*(int *)((char *)c + secs[i].off) = v;
			return 0;
		}
	if (strcmp(key, "behind_proxy") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return -1;
		c->web_behind_proxy = strcmp(value, "yes") == 0;
		return 0;
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(key, paths[i].key) == 0) {
			if (strlen(value) >= paths[i].len)
				return -1;
			snprintf((char *)c + paths[i].off, paths[i].len, "%s",
			    value);
			return 0;
		}
	return -1;
}

/*
 * The per-peer limits of [peer] (peer.c, SPEC.md 12.4): each a count a
 * second up to its most, 0 for none; -1 until set (the default).
 */
static const struct {
	const char	*key;
	size_t		 off;
	int		 most;
} conf_limits[] = {
	{ "limit_records_per_s", offsetof(struct conf, limit_records),
	  100000000 },
	{ "limit_bytes_per_s", offsetof(struct conf, limit_bytes),
	  2000000000 },
	{ "limit_announce_per_s", offsetof(struct conf, limit_announce),
	  100000000 },
	{ "limit_recon_per_s", offsetof(struct conf, limit_recon), 1000000 },
	{ "limit_want_per_s", offsetof(struct conf, limit_want), 100000000 },
	{ "limit_want_bytes_per_s", offsetof(struct conf, limit_want_bytes),
	  2000000000 },
	{ "limit_relay_per_s", offsetof(struct conf, limit_relay), 1000000 },
	{ "limit_relay_bytes_per_s", offsetof(struct conf, limit_relay_bytes),
	  2000000000 },
	{ "limit_ack_per_s", offsetof(struct conf, limit_ack), 1000000 },
	{ "limit_ping_per_s", offsetof(struct conf, limit_ping), 1000000 },
};

/* conf_limit: 0 when key is a limit and was set, -1 bad value, 1 not one. */
static int
conf_limit(struct conf *c, const char *key, const char *value)
{
	size_t i;
	int v;

	for (i = 0; i < sizeof(conf_limits) / sizeof(conf_limits[0]); i++)
		if (strcmp(key, conf_limits[i].key) == 0) {
			if ((v = conf_int(value, 0, conf_limits[i].most)) < 0)
				return -1;
			*(int *)((char *)c + conf_limits[i].off) = v;
			return 0;
		}
	return 1;
}

static int
conf_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct conf_parse *p = arg;
	struct conf *c = p->c;
	int v;

	if (strcmp(section, "node") == 0 && strcmp(key, "name") == 0) {
		if (!name_valid(value))
			goto bad;
		snprintf(c->name, sizeof(c->name), "%s", value);
	} else if (strcmp(section, "node") == 0 && strcmp(key, "role") == 0) {
		if ((v = node_role_parse(value)) < 0)
			goto bad;
		c->role = v;
	} else if (strcmp(section, "node") == 0 &&
	    strcmp(key, "listen") == 0) {
		if (*value && strncmp(value, "tcp://", 6) != 0)
			goto bad;
		if (strlen(value) >= sizeof(c->listen))
			goto bad;
		snprintf(c->listen, sizeof(c->listen), "%s", value);
	} else if (strcmp(section, "node") == 0 &&
	    strcmp(key, "data_dir") == 0) {
		if (strlen(value) >= sizeof(c->data_dir))
			goto bad;
		snprintf(c->data_dir, sizeof(c->data_dir), "%s", value);
	} else if (strcmp(section, "peer") == 0 &&
	    strcmp(key, "heartbeat_ms") == 0) {
		if ((v = conf_int(value, 100, 600000)) < 0)
			goto bad;
		c->heartbeat_ms = v;
	} else if (strcmp(section, "peer") == 0 &&
	    strcmp(key, "sync_interval_s") == 0) {
		if ((v = conf_int(value, 1, 86400)) < 0)
			goto bad;
		c->sync_s = v;
	} else if (strcmp(section, "peer") == 0 &&
	    strcmp(key, "auto_sync") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			goto bad;
		c->no_auto_sync = strcmp(value, "no") == 0;
	} else if (strcmp(section, "peer") == 0 &&
	    strcmp(key, "propagate") == 0) {
		if (strcmp(value, "announce") != 0 &&
		    strcmp(value, "push") != 0)
			goto bad;
		c->propagate_push = strcmp(value, "push") == 0;
	} else if (strcmp(section, "peer") == 0 &&
	    (v = conf_limit(c, key, value)) != 1) {
		if (v < 0)
			goto bad;
	} else if (strcmp(section, "peer") == 0 &&
	    strcmp(key, "limit_burst_s") == 0) {
		if ((v = conf_int(value, 1, 3600)) < 0)
			goto bad;
		c->limit_burst_s = v;
	} else if (strcmp(section, "api") == 0 &&
	    strcmp(key, "student_listen") == 0) {
		if ((*value && strncmp(value, "tcp://", 6) != 0) ||
		    strlen(value) >= sizeof(c->student_listen))
			goto bad;
		snprintf(c->student_listen, sizeof(c->student_listen), "%s",
		    value);
	} else if (strcmp(section, "metrics") == 0 &&
	    strcmp(key, "listen") == 0) {
		if (strlen(value) >= sizeof(c->metrics_listen))
			goto bad;
		snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s",
		    value);
	} else if (strcmp(section, "web") == 0) {
		if (conf_web(c, key, value) != 0)
			goto bad;
	} else if (strcmp(section, "contact") == 0) {
		if (conf_contact(c, key, value) != 0)
			goto bad;
	} else if (strcmp(section, "placements") == 0 &&
	    strcmp(key, "apply_evaluations") == 0) {
		if (strcmp(value, "raise") != 0 && strcmp(value, "no") != 0)
			goto bad;
		c->apply_evaluations = strcmp(value, "raise") == 0;
	} else if (strcmp(section, "log") == 0 && strcmp(key, "level") == 0) {
		if ((v = log_level_parse(value)) < 0)
			goto bad;
		c->log_level = v;
	} else {
		snprintf(p->bad, sizeof(p->bad), "unknown key \"%s\" in "
		    "[%s]", key, section);
		return 0;
	}
	return 1;
bad:
	snprintf(p->bad, sizeof(p->bad), "bad value for %s.%s", section, key);
	return 0;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	struct conf_parse p;
	size_t i;
	int line;

	memset(c, 0, sizeof(*c));
	c->log_level = LOG_INFO;
	for (i = 0; i < sizeof(conf_limits) / sizeof(conf_limits[0]); i++)
		*(int *)((char *)c + conf_limits[i].off) = -1;
	p.c = c;
	p.bad[0] = '\0';
	line = ini_parse(path, conf_handler, &p);
	if (line == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MENTOR_EIO;
	}
	if (line != 0) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
		    p.bad[0] ? p.bad : "syntax error");
		return MENTOR_EINVAL;
	}
	if (c->name[0] == '\0' || c->role == 0) {
		snprintf(err, errlen, "%s: [node] needs name and role", path);
		return MENTOR_EINVAL;
	}
	return 0;
}

static int
lock_dir(struct node *n, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], pid[32];
	ssize_t r;
	int fd, tries;

	snprintf(path, sizeof(path), "%s/mentord.lock", n->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MENTOR_EIO;
	}
	/*
	 * mentorctl probes the lock with a momentary shared lock; a start
	 * that collides with a probe waits it out (up to a second) before
	 * concluding that another daemon runs here.
	 */
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) == -1 && tries < 50;
	    tries++)
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	if (tries == 50) {
		r = read(fd, pid, sizeof(pid) - 1);
		pid[r > 0 ? r : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen, "%s is in use by another mentord "
		    "(pid %s)", n->dir, pid[0] ? pid : "unknown");
		close(fd);
		return MENTOR_EBUSY;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return MENTOR_EIO;
	}
	n->lockfd = fd;
	return 0;
}

int
node_open(struct node *n, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint8_t ckey[64];
	struct stat sb;
	int rc;

	memset(n, 0, sizeof(*n));
	n->lockfd = -1;
	if (strlen(dir) + 32 >= sizeof(n->dir)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return MENTOR_EINVAL;
	}
	snprintf(n->dir, sizeof(n->dir), "%s", dir);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: no such node directory (create "
		    "one with: mentord init -d %s --name NAME --role ROLE)",
		    dir, dir);
		return MENTOR_ENOTFOUND;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: accessible by others (mode %03o); "
		    "chmod 700 %s", dir, sb.st_mode & 0777, dir);
		return MENTOR_EPERM;
	}
	snprintf(path, sizeof(path), "%s/mentord.conf", dir);
	if (access(path, F_OK) == -1) {
		snprintf(err, errlen, "%s holds no node (no mentord.conf)",
		    dir);
		return MENTOR_ENOTFOUND;
	}
	if ((rc = lock_dir(n, err, errlen)) != 0)
		return rc;
	if ((rc = conf_load(&n->conf, path, err, errlen)) != 0)
		goto fail;
	if ((rc = read_secret(dir, "sign.key", n->sign_sk,
	    sizeof(n->sign_sk), err, errlen)) != 0)
		goto fail;
	crypto_sign_ed25519_sk_to_pk(n->sign_pk, n->sign_sk);
	if ((rc = read_secret(dir, "curve.key", ckey, sizeof(ckey), err,
	    errlen)) != 0)
		goto fail;
	memcpy(n->curve_sk, ckey, 32);
	memcpy(n->curve_pk, ckey + 32, 32);
	sodium_memzero(ckey, sizeof(ckey));
	{
		uint8_t want[32];

		if (crypto_sign_ed25519_pk_to_curve25519(want,
		    n->sign_pk) != 0 || sodium_memcmp(want, n->curve_pk,
		    32) != 0) {
			snprintf(err, errlen, "%s/curve.key does not belong "
			    "to sign.key", dir);
			rc = MENTOR_EINVAL;
			goto fail;
		}
	}
	hex_encode(n->id_hex, n->sign_pk, sizeof(n->sign_pk));
	snprintf(path, sizeof(path), "%s/store", dir);
	if ((rc = store_open(&n->store, path, 0, err, errlen)) != 0)
		goto fail;
	n->started_ms = now_ms();
	return 0;
fail:
	node_close(n);
	return rc;
}

void
node_close(struct node *n)
{
	store_close(n->store);
	n->store = NULL;
	sodium_memzero(n->sign_sk, sizeof(n->sign_sk));
	sodium_memzero(n->curve_sk, sizeof(n->curve_sk));
	if (n->lockfd != -1)
		close(n->lockfd);
	n->lockfd = -1;
}
