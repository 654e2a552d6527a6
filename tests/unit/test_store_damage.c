/*
 * test_store_damage.c: a damaged data.mdb is refused by store_open with a
 * message saying what is wrong, and never crashes the process that opens
 * it (store_check, the structure check LMDB lacks).  Each damaged store is
 * opened in a child process, so a SIGBUS or SIGSEGV fails the test instead
 * of ending it.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mentor.h"
#include "store.h"
#include "util.h"

#define PAGE		4096

struct fixture {
	char		 tmp[64];
	char		 path[96];	/* tmp/store */
	char		 file[128];	/* tmp/store/data.mdb */
	uint8_t		*orig;		/* the sound file */
	size_t		 len;
	struct store_check_report rep;
};

static void
rm_tree(const char *path)
{
	char sub[512];
	struct dirent *e;
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* A fixed-seed generator: every run damages the same bytes. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
rand_below(size_t n)
{
	return (size_t)(rand64() % n);
}

static void
garbage(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rand64();
}

struct fill {
	int	 from, to;
};

/* Students of ~300 bytes, records of 40 bytes to 9 KiB (overflow pages). */
static int
fill_fn(struct store_txn *t, void *arg)
{
	struct fill *a = arg;
	char k[32], v[9000];
	size_t vlen;
	int i, rc;

	for (i = a->from; i < a->to; i++) {
		snprintf(k, sizeof(k), "S%06d", i);
		memset(v, 'a' + i % 26, 300);
		if ((rc = store_put(t, DB_STUDENTS, k, strlen(k), v, 300)) != 0)
			return rc;
		vlen = (size_t)(i % 50 == 0 ? 5000 + i % 4000 : 40 + i % 200);
		memset(v, 'A' + i % 26, vlen);
		if ((rc = store_put(t, DB_RECORDS, k, strlen(k), v, vlen)) != 0)
			return rc;
		if (i % 3 == 0 && (rc = store_put(t, DB_AUX, k, strlen(k), "x",
		    1)) != 0)
			return rc;
	}
	return 0;
}

static int
del_fn(struct store_txn *t, void *arg)
{
	struct fill *a = arg;
	char k[32];
	int i;

	for (i = a->from; i < a->to; i += 7) {
		snprintf(k, sizeof(k), "S%06d", i);
		store_del(t, DB_STUDENTS, k, strlen(k));
	}
	return 0;
}

static uint8_t *
slurp(const char *file, size_t *len)
{
	struct stat sb;
	uint8_t *b;
	int fd;

	if ((fd = open(file, O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		return NULL;
	b = malloc((size_t)sb.st_size);
	if (b && read(fd, b, (size_t)sb.st_size) != sb.st_size) {
		free(b);
		b = NULL;
	}
	close(fd);
	*len = (size_t)sb.st_size;
	return b;
}

/* put_bytes: writes n bytes of b at off in the store's file. */
static void
put_bytes(struct fixture *f, const uint8_t *b, size_t off, size_t n)
{
	int fd = open(f->file, O_WRONLY);

	assert_true(fd != -1);
	assert_int_equal(pwrite(fd, b, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static void
put_file(struct fixture *f, const uint8_t *b, size_t len)
{
	int fd = open(f->file, O_WRONLY | O_TRUNC);

	assert_true(fd != -1);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

/* A store of about 5 MiB, written in many transactions with deletions. */
static int
setup(void **state)
{
	struct fixture *f;
	struct store *st;
	struct fill a;
	char err[256];
	int i;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_damage.XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store", f->tmp);
	snprintf(f->file, sizeof(f->file), "%s/data.mdb", f->path);
	if (store_open(&st, f->path, 1, err, sizeof(err)) != 0)
		return -1;
	for (i = 0; i < 7000; i += 1000) {
		a.from = i;
		a.to = i + 1000;
		if (store_write(st, fill_fn, &a) != 0 ||
		    store_write(st, del_fn, &a) != 0)
			return -1;
	}
	store_close(st);
	if (store_check(f->path, 1, &f->rep, NULL, NULL, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "the sound store fails its check: %s\n", err);
		return -1;
	}
	if ((f->orig = slurp(f->file, &f->len)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	rm_tree(f->tmp);
	free(f->orig);
	free(f);
	return 0;
}

struct counted {
	size_t	n;
};

static int
count_each(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	const uint8_t *p = v;
	volatile uint8_t sum = 0;
	size_t i;

	(void)k;
	(void)kl;
	for (i = 0; i < vl; i++)	/* touch every byte, as a reader does */
		sum ^= p[i];
	((struct counted *)arg)->n++;
	return 0;
}

static int
walk_fn(struct store_txn *t, void *arg)
{
	struct counted c;
	int db, *bad = arg;

	for (db = 0; db < DB_COUNT; db++) {
		c.n = 0;
		if (store_iter(t, db, NULL, 0, count_each, &c) != 0 ||
		    c.n != store_count(t, db))
			(*bad)++;
	}
	return 0;
}

/*
 * try_open: in a child, opens the store and, if it opens, reads every
 * value of every database.  Returns 0 opened and consistent, 1 refused
 * (err filled from the child), 2 opened with wrong counts; fails the test
 * if the child dies of a signal.
 */
static int
try_open(struct fixture *f, char *err, size_t errlen)
{
	int pfd[2], status, bad = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	if ((pid = fork()) == 0) {
		struct store *st;
		char e[512] = "";

		close(pfd[0]);
		/* cmocka's handlers would carry on the tests in here. */
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		if (store_open(&st, f->path, 0, e, sizeof(e)) != 0) {
			(void)!write(pfd[1], e, strlen(e));
			_exit(1);
		}
		store_read(st, walk_fn, &bad);
		_exit(bad ? 2 : 0);
	}
	close(pfd[1]);
	r = read(pfd[0], err, errlen - 1);
	err[r > 0 ? r : 0] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("opening the damaged store died of signal %d",
		    WTERMSIG(status));
	return WEXITSTATUS(status);
}

static void
test_sound(void **state)
{
	struct fixture *f = *state;
	char err[512];

	assert_true(f->len > 4 * 1024 * 1024 + PAGE);
	assert_int_equal(try_open(f, err, sizeof(err)), 0);
	assert_int_equal(f->rep.problems, 0);
	assert_int_equal(f->rep.leaked, 0);
}

/* The file cut in half: SIGBUS at start before the check. */
static void
test_cut_in_half(void **state)
{
	struct fixture *f = *state;
	struct store_check_report rep;
	char err[512];

	put_file(f, f->orig, f->len / 2);
	assert_int_equal(try_open(f, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "store damaged"));
	assert_non_null(strstr(err, "cut short"));
	assert_non_null(strstr(err, "backup"));
	assert_int_equal(store_check(f->path, 0, &rep, NULL, NULL, err,
	    sizeof(err)), MENTOR_ESTORE);
	assert_non_null(strstr(err, "cut short"));
	put_file(f, f->orig, f->len);
	assert_int_equal(try_open(f, err, sizeof(err)), 0);
}

/*
 * Random bytes over a meta page: refused.  Over the last page and the page
 * at 4 MiB: refused when in use (test_every_page tells which), never a
 * crash (there were a SIGBUS and a SIGSEGV).
 */
static void
test_garbage_pages(void **state)
{
	struct fixture *f = *state;
	size_t offs[] = { 0, PAGE, 4 * 1024 * 1024, f->len - PAGE };
	uint8_t *b = malloc(f->len);
	char err[512];
	size_t i;
	int r;

	assert_non_null(b);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memcpy(b, f->orig, f->len);
		garbage(b + offs[i], PAGE);
		put_file(f, b, f->len);
		r = try_open(f, err, sizeof(err));
		if (i < 2) {
			assert_int_equal(r, 1);
			assert_non_null(strstr(err, "store damaged"));
			assert_non_null(strstr(err, "meta page"));
		} else
			assert_int_not_equal(r, 2);
	}
	put_file(f, f->orig, f->len);
	free(b);
}

/*
 * Every page in turn overwritten with random bytes: the store is refused
 * exactly when the page was in use (a tree page), and opens sound when
 * the page was free.
 */
static void
test_every_page(void **state)
{
	struct fixture *f = *state;
	size_t pages = f->len / PAGE, p, refused = 0, opened = 0;
	uint8_t *b = malloc(f->len);
	char err[512];
	int r;

	assert_non_null(b);
	memcpy(b, f->orig, f->len);
	for (p = 2; p < pages; p++) {
		garbage(b + p * PAGE, PAGE);
		put_bytes(f, b + p * PAGE, p * PAGE, PAGE);
		r = try_open(f, err, sizeof(err));
		if (r == 1)
			refused++;
		else if (r == 0)
			opened++;
		else
			fail_msg("page %zu: opened with wrong counts", p);
		put_bytes(f, f->orig + p * PAGE, p * PAGE, PAGE);
	}
	/* Only the first page of an overflow run has a header to check. */
	assert_true(refused <= f->rep.tree_pages);
	assert_true(refused >= f->rep.tree_pages - f->rep.overflow_pages);
	assert_int_equal(refused + opened, pages - 2);
	put_file(f, f->orig, f->len);
	free(b);
}

/*
 * A few bytes at random offsets (headers, node pointers, keys, values):
 * never a crash; when the store opens, every database reads back as many
 * entries as it counts.
 */
static void
test_random_bytes(void **state)
{
	struct fixture *f = *state;
	uint8_t *b = malloc(f->len);
	char err[512];
	size_t off, n;
	int i, r, refused = 0;

	assert_non_null(b);
	for (i = 0; i < 300; i++) {
		off = 2 * PAGE + (size_t)rand_below(f->len - 2 * PAGE - 64);
		n = 1 + (size_t)rand_below(32);
		garbage(b, n);
		put_bytes(f, b, off, n);
		r = try_open(f, err, sizeof(err));
		put_bytes(f, f->orig + off, off, n);
		if (r == 2)
			fail_msg("%zu bytes at %zu: opened with wrong counts",
			    n, off);
		refused += r == 1;
	}
	print_message("random bytes: %d of 300 damaged stores refused\n",
	    refused);
	put_file(f, f->orig, f->len);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sound),
		cmocka_unit_test(test_cut_in_half),
		cmocka_unit_test(test_garbage_pages),
		cmocka_unit_test(test_every_page),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
