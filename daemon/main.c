/*
 * main.c: mentord's command line: `mentord init ...` creates a node,
 * `mentord -d DIR` runs one in the foreground until SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>
#include <zmq.h>

#include "api.h"
#include "frameworks.h"
#include "apps.h"
#include "backup.h"
#include "http.h"
#include "log.h"
#include "mentor.h"
#include "metrics.h"
#include "rotate.h"
#include "migrate.h"
#include "matching.h"
#include "node.h"
#include "outbox.h"
#include "peer.h"
#include "placement.h"
#include "records.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mentord init -d DIR --name NAME --role school|employer|hub "
	    "[--listen ENDPOINT]\n"
	    "               [--web-listen HOST:PORT]\n"
	    "       mentord [-d DIR] [--verbose] [--log-level LEVEL]\n"
	    "       mentord restore -d DIR [--force] FILE\n"
	    "       mentord check [-d DIR] [--quick]\n"
	    "       mentord --version\n"
	    "DIR defaults to $MENTORD_HOME, else ~/.local/state/mentord.\n"
	    "See mentord(8).\n");
}

static int
resolve_dir(const char *opt, char *dir, size_t len)
{
	if (opt) {
		if (strlen(opt) >= len) {
			fprintf(stderr, "mentord: -d: path too long\n");
			return -1;
		}
		snprintf(dir, len, "%s", opt);
		return 0;
	}
	if (node_default_dir(dir, len) != 0) {
		fprintf(stderr, "mentord: no -d DIR, no $MENTORD_HOME and no "
		    "$HOME\n");
		return -1;
	}
	return 0;
}

static int
do_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "listen", required_argument, NULL, 'l' },
		{ "web-listen", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *d = NULL, *name = NULL, *role = NULL, *listen = "";
	const char *web = NULL;
	char dir[PATH_MAX], err[512];
	int ch, r, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:n:r:l:w:h", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd': d = optarg; break;
		case 'n': name = optarg; break;
		case 'r': role = optarg; break;
		case 'l': listen = optarg; break;
		case 'w': web = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || name == NULL || role == NULL) {
		fprintf(stderr, "mentord: init needs --name and --role\n");
		usage(stderr);
		return 2;
	}
	if ((r = node_role_parse(role)) < 0) {
		fprintf(stderr, "mentord: --role: expected school, employer "
		    "or hub, got \"%s\"\n", role);
		return 2;
	}
	if (resolve_dir(d, dir, sizeof(dir)) != 0)
		return 2;
	if ((rc = node_init(dir, name, r, listen, web, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "mentord: %s\n", err);
		return 1;
	}
	printf("created %s node \"%s\" in %s\n", role, name, dir);
	return 0;
}

static int
do_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *d = NULL;
	char dir[PATH_MAX], err[512];
	int ch, force = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': d = optarg; break;
		case 'f': force = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mentord: restore needs one backup FILE\n");
		usage(stderr);
		return 2;
	}
	if (resolve_dir(d, dir, sizeof(dir)) != 0)
		return 2;
	if (backup_restore(dir, argv[optind], force, err, sizeof(err)) != 0) {
		fprintf(stderr, "mentord: restore: %s\n", err);
		return 1;
	}
	printf("restored %s into %s\n", argv[optind], dir);
	return 0;
}

static void
check_say(void *arg, const char *what)
{
	(void)arg;
	printf("  %s\n", what);
}

/*
 * do_check: `mentord check`: the store's structure, read from the file
 * (store_check), while no daemon runs.  Exit 0 sound, 1 damaged or
 * unreadable, 2 usage.
 */
static int
do_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_check_report rep;
	const char *d = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 8], err[512];
	int ch, quick = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': d = optarg; break;
		case 'q': quick = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (resolve_dir(d, dir, sizeof(dir)) != 0)
		return 2;
	if ((rc = node_lock_probe(dir)) == MENTOR_ENOTFOUND) {
		fprintf(stderr, "mentord: %s holds no node\n", dir);
		return 1;
	}
	if (rc == 1) {
		fprintf(stderr, "mentord: a mentord is running on %s; stop it "
		    "first (it rewrites pages while they are read)\n", dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/store", dir);
	printf("checking %s/data.mdb%s\n", path, quick ? " (quick)" : "");
	rc = store_check(path, !quick, &rep, check_say, NULL, err,
	    sizeof(err));
	if (rc != 0 && rc != MENTOR_ESTORE) {
		fprintf(stderr, "mentord: %s\n", err);
		return 1;
	}
	printf("%llu bytes, %u-byte pages, pages 0-%llu, transaction %llu\n"
	    "%llu tree pages, %llu free pages, %llu entries\n",
	    (unsigned long long)rep.file_size, rep.psize,
	    (unsigned long long)rep.last_page, (unsigned long long)rep.txnid,
	    (unsigned long long)rep.tree_pages,
	    (unsigned long long)rep.free_pages,
	    (unsigned long long)rep.entries);
	if (rc == 0) {
		printf("store is sound\n");
		return 0;
	}
	printf("store is DAMAGED: %u problem(s)\n", rep.problems);
	fprintf(stderr, "mentord: %s\nmentord: restore the store from a "
	    "backup (see \"Recovery\" in mentord(8))\n", err);
	return 1;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct node *n = arg;

	(void)what;
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopbreak(n->base);
}

static int
run(const char *dir, int verbose, int level)
{
	struct node n;
	struct event *sigterm = NULL, *sigint = NULL;
	char err[512];
	int rc;

	/* Until the configuration is read: its default level. */
	log_init("mentord", level < 0 ? LOG_INFO : level);
	if ((rc = node_open(&n, dir, err, sizeof(err))) != 0) {
		log_err("%s", err);
		return 1;
	}
	if (level < 0)
		level = verbose ? LOG_DEBUG : n.conf.log_level;
	log_init("mentord", level);
	signal(SIGPIPE, SIG_IGN);
	rc = 1;
	if ((n.base = event_base_new()) == NULL) {
		log_err("cannot create the event loop");
		goto out;
	}
	if ((n.zctx = zmq_ctx_new()) == NULL) {
		log_err("cannot create a ZeroMQ context");
		goto out;
	}
	if (migrate_store(&n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (metrics_open(&n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (records_open(&n.records, &n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (matching_open(&n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (apps_open(&n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (peers_open(&n.peers, &n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (rotate_open(&n) != 0) {
		log_err("cannot follow key rotations");
		goto out;
	}
	if (rotate_resign(&n) != 0)
		log_warn("rotation: the old key's listings are not signed "
		    "again yet (tried again at the next start)");
	if (api_open(&n.api, &n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (http_open(&n.http, &n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	if (outbox_open(&n) != 0) {
		log_err("cannot start the outbox");
		goto out;
	}
	if (placement_open(&n, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out;
	}
	sigterm = evsignal_new(n.base, SIGTERM, on_signal, &n);
	sigint = evsignal_new(n.base, SIGINT, on_signal, &n);
	if (!sigterm || !sigint || evsignal_add(sigterm, NULL) ||
	    evsignal_add(sigint, NULL)) {
		log_err("cannot install signal handlers");
		goto out;
	}
	log_info("node \"%s\" (%s) %s started in %s", n.conf.name,
	    node_role_name(n.conf.role), n.id_hex, n.dir);
	if (event_base_dispatch(n.base) == -1) {
		log_err("event loop failed");
		goto out;
	}
	rc = 0;
	log_info("stopped");
out:
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	outbox_close(&n);
	http_close(n.http);
	api_close(n.api);
	backup_close(&n);
	metrics_close(&n);
	peers_close(n.peers);
	matching_close(&n);
	records_close(n.records);
	if (n.zctx)
		zmq_ctx_term(n.zctx);
	if (n.base)
		event_base_free(n.base);
	node_close(&n);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *d = NULL;
	char dir[PATH_MAX];
	int ch, verbose = 0, level = -1;

	if (sodium_init() < 0) {
		fprintf(stderr, "mentord: libsodium failed to initialise\n");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return do_init(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "restore") == 0)
		return do_restore(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return do_check(argc - 1, argv + 1);
	while ((ch = getopt_long(argc, argv, "d:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': d = optarg; break;
		case 'v': verbose = 1; break;
		case 'L':
			if ((level = log_level_parse(optarg)) < 0) {
				fprintf(stderr, "mentord: --log-level: "
				    "error, warn, info or debug\n");
				return 2;
			}
			break;
		case 'V':
			printf("mentord %s\n%s", MENTOR_VERSION, FW_ATTRIBUTION);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mentord: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	if (resolve_dir(d, dir, sizeof(dir)) != 0)
		return 2;
	return run(dir, verbose, level);
}
