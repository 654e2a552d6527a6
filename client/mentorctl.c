/*
 * mentorctl.c: the command line client.  Global options, then a command
 * found in the table; arity and --help are handled here, in one place.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "ctl.h"
#include "frameworks.h"
#include "mentor.h"
#include "node.h"

static const struct ctl_cmd *const groups[] = {
	ctl_node_cmds,
	ctl_listing_cmds,
	ctl_student_cmds,
	ctl_match_cmds,
	ctl_peer_cmds,
	ctl_apps_cmds,
	ctl_credential_cmds,
	ctl_framework_cmds,
};

static void
usage(FILE *f)
{
	const struct ctl_cmd *c;
	size_t g;

	fprintf(f, "usage: mentorctl [-d DIR] [--json] [--timeout SEC] "
	    "COMMAND [ARGS]\n"
	    "       mentorctl --key FILE [--connect ENDPOINT] [--json] "
	    "COMMAND [ARGS]   (a student)\n\ncommands:\n");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (c = groups[g]; c->name; c++)
			fprintf(f, "  %s %s\n", c->name, c->usage);
	fprintf(f, "\n`mentorctl COMMAND --help` explains a command; see "
	    "mentorctl(1).\n");
}

static void
cmd_usage(FILE *f, const struct ctl_cmd *c)
{
	fprintf(f, "usage: mentorctl %s %s\n", c->name, c->usage);
}

/* find: the entry whose name is argv[0] or "argv[0] argv[1]". */
static const struct ctl_cmd *
find(int argc, char **argv, int *used)
{
	const struct ctl_cmd *c;
	char two[128];
	size_t g;

	snprintf(two, sizeof(two), "%s %s", argv[0], argc > 1 ? argv[1] : "");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (c = groups[g]; c->name; c++) {
			if (argc > 1 && strcmp(c->name, two) == 0) {
				*used = 2;
				return c;
			}
			if (strcmp(c->name, argv[0]) == 0) {
				*used = 1;
				return c;
			}
		}
	return NULL;
}

/* group_exists: whether some command starts with "word ". */
static int
group_exists(const char *word)
{
	const struct ctl_cmd *c;
	size_t g, n = strlen(word);

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (c = groups[g]; c->name; c++)
			if (strncmp(c->name, word, n) == 0 &&
			    c->name[n] == ' ')
				return 1;
	return 0;
}

/*
 * parse_args: splits argv into positional arguments and the command's own
 * options (--name VALUE, --name=VALUE, --flag); "--" ends the options.
 * Prints the error and returns EX_USAGE on an unknown or incomplete one.
 */
static int
parse_args(const struct ctl_cmd *c, int argc, char **argv, struct ctl_args *a)
{
	const char *eq, *o;
	size_t n;
	int i, k, takes, dashdash = 0;

	memset(a, 0, sizeof(*a));
	if ((a->argv = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return ctl_err(EX_FAIL, "out of memory");
	for (i = 0; i < argc; i++) {
		if (dashdash || argv[i][0] != '-' || argv[i][1] == '\0') {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (argv[i][1] != '-')
			return ctl_err(EX_USAGE, "%s: unknown option \"%s\"",
			    c->name, argv[i]);
		eq = strchr(argv[i], '=');
		n = eq ? (size_t)(eq - argv[i] - 2) : strlen(argv[i] + 2);
		for (k = 0; (o = c->opts[k]) != NULL; k++) {
			takes = o[strlen(o) - 1] == '=';
			if (strlen(o) - (size_t)takes == n &&
			    strncmp(o, argv[i] + 2, n) == 0)
				break;
		}
		if (o == NULL)
			return ctl_err(EX_USAGE, "%s: unknown option \"%.*s\"",
			    c->name, (int)n + 2, argv[i]);
		if (!takes) {
			if (eq)
				return ctl_err(EX_USAGE, "%s: --%s takes no "
				    "value", c->name, o);
			a->opt[k] = "";
		} else if (eq)
			a->opt[k] = eq + 1;
		else if (i + 1 < argc)
			a->opt[k] = argv[++i];
		else
			return ctl_err(EX_USAGE, "%s: --%.*s needs a value",
			    c->name, (int)n, argv[i] + 2);
	}
	if (a->argc < c->min_args || a->argc > c->max_args) {
		cmd_usage(stderr, c);
		return ctl_err(EX_USAGE, "%s: expected %s", c->name,
		    c->min_args == c->max_args && c->min_args == 0 ?
		    "no arguments" : "other arguments (see --help)");
	}
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl c;
	const struct ctl_cmd *cmd;
	const char *d = NULL;
	char *end;
	long t;
	struct ctl_args args;
	int ch, used, i, rc;

	memset(&c, 0, sizeof(c));
	c.timeout_ms = 60000;
	/* '+': stop at the command; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+d:jt:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': d = optarg; break;
		case 'j': c.json = 1; break;
		case 'c': c.connect = optarg; break;
		case 'k': c.keyfile = optarg; break;
		case 't':
			t = strtol(optarg, &end, 10);
			if (*end != '\0' || t < 1 || t > 86400)
				return ctl_err(EX_USAGE, "--timeout: seconds, "
				    "1 to 86400");
			c.timeout_ms = (int)t * 1000;
			break;
		case 'V':
			printf("mentorctl %s\n%s", MENTOR_VERSION,
			    FW_ATTRIBUTION);
			return EX_OK;
		case 'h': usage(stdout); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((cmd = find(argc, argv, &used)) == NULL) {
		if (group_exists(argv[0]))
			return ctl_err(EX_USAGE, "%s: unknown subcommand "
			    "\"%s\" (see mentorctl --help)", argv[0],
			    argc > 1 ? argv[1] : "");
		return ctl_err(EX_USAGE, "unknown command \"%s\" (see "
		    "mentorctl --help)", argv[0]);
	}
	argc -= used;
	argv += used;
	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cmd_usage(stdout, cmd);
			printf("\n%s\n", cmd->help);
			return EX_OK;
		}
	if ((rc = parse_args(cmd, argc, argv, &args)) != EX_OK) {
		free(args.argv);
		return rc;
	}
	if (d) {
		if (strlen(d) >= sizeof(c.dir)) {
			free(args.argv);
			return ctl_err(EX_USAGE, "-d: path too long");
		}
		snprintf(c.dir, sizeof(c.dir), "%s", d);
	} else if (node_default_dir(c.dir, sizeof(c.dir)) != 0) {
		free(args.argv);
		return ctl_err(EX_USAGE, "no -d DIR, no $MENTORD_HOME and no "
		    "$HOME");
	}
	if (sodium_init() < 0) {
		free(args.argv);
		return ctl_err(EX_FAIL, "libsodium failed to initialise");
	}
	rc = cmd->fn(&c, &args);
	free(args.argv);
	json_decref(c.details);
	if (c.sock)
		zmq_close(c.sock);
	if (c.zctx)
		zmq_ctx_term(c.zctx);
	return rc;
}
