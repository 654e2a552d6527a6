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

static int	group_exists(const char *);

static const struct ctl_cmd *const groups[] = {
	ctl_node_cmds,
	ctl_listing_cmds,
	ctl_student_cmds,
	ctl_match_cmds,
	ctl_peer_cmds,
	ctl_apps_cmds,
	ctl_hours_cmds,
	ctl_credential_cmds,
	ctl_framework_cmds,
	ctl_web_cmds,
	ctl_evidence_cmds,
	ctl_report_cmds,
};

/*
 * One line per command for the command lists.  Kept here rather than in
 * the group tables so that a new command needs no entry: it falls back to
 * the first sentence of its help.
 */
static const struct {
	const char	*name, *summary;
} summaries[] = {
	{ "status",		"the node's name, role, counts, health and uptime" },
	{ "listing post",	"sign and publish listings from a JSON file" },
	{ "listing list",	"list the live listings this node holds" },
	{ "listing show",	"show one listing in full" },
	{ "listing withdraw",	"withdraw one of this node's listings everywhere" },
	{ "records export",	"write every signed record as an export stream" },
	{ "records import",	"verify and store the records of an export stream" },
	{ "trust add",		"accept the records signed by a node" },
	{ "trust list",		"list the node ids this node trusts" },
	{ "trust remove",	"stop accepting a node's new records" },
	{ "student key",	"issue or revoke a student's own access key" },
	{ "student import",	"import students from a CSV or JSON roster" },
	{ "student list",	"list the students on this node" },
	{ "student show",	"show one student's profile" },
	{ "student delete",	"delete a student and every record of them" },
	{ "match",		"rank the live listings for a student" },
	{ "peer add",		"link this node with another node" },
	{ "peer list",		"show each peer, connected or not, and its traffic" },
	{ "peer remove",	"unlink a peer" },
	{ "sync",		"reconcile with every connected peer now" },
	{ "consent list",	"list guardian consents on record" },
	{ "consent revoke",	"revoke a student's current consents" },
	{ "consent",		"record a guardian's consent for a student" },
	{ "apply",		"send a student's sealed application to a listing" },
	{ "application list",	"applications sent and received, with status" },
	{ "application show",	"show one application in full" },
	{ "application accept",	"accept a received application" },
	{ "application decline",	"decline a received application" },
	{ "application withdraw",	"withdraw a student's application" },
	{ "placement list",	"accepted applications and their placements" },
	{ "placement show",	"show one placement in full" },
	{ "placement state",	"move a placement on: active, completed, cancelled" },
	{ "hours log",		"log a day's attendance on a placement (school)" },
	{ "hours answer",	"confirm or dispute an attendance entry (employer)" },
	{ "hours list",		"a placement's attendance and its totals" },
	{ "audit list",		"the hash-chained disclosure log" },
	{ "audit verify",	"check the audit log's hash chain" },
	{ "store compact",	"rewrite the store with only its live data" },
	{ "backup",		"write a consistent copy of the running node" },
	{ "node rotate-key",	"replace the node's signing key after a compromise" },
	{ "listing export",	"print the live listings as schema.org JSON-LD" },
	{ "listing import",	"post listings from a CSV template or JSON-LD" },
	{ "listing suggest",	"suggest competencies for listings from O*NET" },
	{ "framework import",	"import a CASE competency framework" },
	{ "framework list",	"list the imported CASE frameworks" },
	{ "framework show",	"show an imported framework's competencies" },
	{ "framework remove",	"remove an imported CASE framework" },
	{ "occupation search",	"find O*NET-SOC occupations by title or code" },
	{ "occupation show",	"show an occupation and its skill levels" },
	{ "cluster list",	"the career clusters of both frameworks" },
	{ "pathway",		"skills a student lacks for their goals, and where" },
	{ "credential verify",	"check an Open Badges 3.0 credential, offline" },
};

/* summary: the command's one-line summary, into buf. */
static const char *
summary(const struct ctl_cmd *c, char *buf, size_t len)
{
	const char *h = c->help, *e;
	size_t i, n;

	for (i = 0; i < sizeof(summaries) / sizeof(summaries[0]); i++)
		if (strcmp(summaries[i].name, c->name) == 0)
			return summaries[i].summary;
	/* The first sentence (up to ".  " or the final "."), at most 56. */
	e = strstr(h, ".  ");
	n = e ? (size_t)(e - h) : strlen(h);
	if (n > 0 && h[n - 1] == '.')
		n--;
	if (n > 56) {
		n = 53;
		while (n > 0 && h[n] != ' ')
			n--;
		snprintf(buf, len, "%.*s...", (int)n, h);
	} else
		snprintf(buf, len, "%.*s", (int)n, h);
	return buf;
}

/*
 * list: one line per command whose name is word or starts "word ",
 * leaving out skip.
 */
static void
list(FILE *f, const char *word, const struct ctl_cmd *skip)
{
	const struct ctl_cmd *c;
	char buf[512];
	size_t g, n = word ? strlen(word) : 0;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (c = groups[g]; c->name; c++)
			if (c != skip && (word == NULL || (strncmp(c->name, word, n) == 0 &&
			    (c->name[n] == ' ' || c->name[n] == '\0'))))
				fprintf(f, "  %-20s %s\n", c->name,
				    summary(c, buf, sizeof(buf)));
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: mentorctl [-d DIR] [--json] [--timeout SEC] "
	    "COMMAND [ARGS]\n"
	    "       mentorctl --key FILE [--connect ENDPOINT] [--json] "
	    "COMMAND [ARGS]\n\n"
	    "DIR defaults to $MENTORD_HOME, else ~/.local/state/mentord; "
	    "--timeout defaults\nto 60 s; the second form is a student's "
	    "own connection (student key).\n\ncommands:\n");
	list(f, NULL, NULL);
	fprintf(f, "\n`mentorctl COMMAND --help` explains a command; "
	    "`mentorctl GROUP` lists a group's\ncommands (`mentorctl listing`); "
	    "see mentorctl(1).\n");
}

static void
cmd_usage(FILE *f, const struct ctl_cmd *c)
{
	fprintf(f, "usage: mentorctl %s %s\n", c->name, c->usage);
}

/* wrap: prints text as lines of at most 72 columns. */
static void
wrap(FILE *f, const char *text)
{
	const char *p = text, *sp;
	size_t col = 0, w;

	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		sp = strchr(p, ' ');
		w = sp ? (size_t)(sp - p) : strlen(p);
		if (col > 0 && col + 1 + w > 72) {
			fputc('\n', f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, p);
		col += w;
		p += w;
	}
	fputc('\n', f);
}

static void
cmd_help(const struct ctl_cmd *c)
{
	const char *sp = strchr(c->name, ' ');

	cmd_usage(stdout, c);
	fputc('\n', stdout);
	wrap(stdout, c->help);
	if (sp == NULL && group_exists(c->name)) {
		printf("\nsee also:\n");
		list(stdout, c->name, c);
	}
}

/*
 * find: the entry whose name is the longest match of argv[0], "argv[0]
 * argv[1]" or "argv[0] argv[1] argv[2]".
 */
static const struct ctl_cmd *
find(int argc, char **argv, int *used)
{
	const struct ctl_cmd *c;
	char words[3][192];
	size_t g;
	int w;

	snprintf(words[0], sizeof(words[0]), "%s", argv[0]);
	for (w = 1; w < 3; w++)
		if (snprintf(words[w], sizeof(words[w]), "%.80s %.80s",
		    words[w - 1], argc > w ? argv[w] : "") < 0)
			words[w][0] = '\0';
	for (w = argc < 3 ? argc - 1 : 2; w >= 0; w--)
		for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
			for (c = groups[g]; c->name; c++)
				if (strcmp(c->name, words[w]) == 0) {
					*used = w + 1;
					return c;
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
	int ch, used, i, rc, help;

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
	/* "help [COMMAND...]" is "COMMAND --help". */
	help = strcmp(argv[0], "help") == 0;
	if (help) {
		argc--;
		argv++;
		if (argc == 0) {
			usage(stdout);
			return EX_OK;
		}
	}
	if ((cmd = find(argc, argv, &used)) == NULL) {
		if (!group_exists(argv[0]))
			return ctl_err(EX_USAGE, "unknown command \"%s\" (see "
			    "mentorctl --help)", argv[0]);
		if (help || (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0))) {
			printf("usage: mentorctl %s SUBCOMMAND [ARGS]\n\n"
			    "%s commands:\n", argv[0], argv[0]);
			list(stdout, argv[0], NULL);
			printf("\n`mentorctl %s SUBCOMMAND --help` explains "
			    "one.\n", argv[0]);
			return EX_OK;
		}
		if (argc == 1)
			ctl_err(EX_USAGE, "%s: which one?", argv[0]);
		else
			ctl_err(EX_USAGE, "%s: unknown subcommand \"%s\"",
			    argv[0], argv[1]);
		fprintf(stderr, "%s commands:\n", argv[0]);
		list(stderr, argv[0], NULL);
		return EX_USAGE;
	}
	argc -= used;
	argv += used;
	if (help) {
		cmd_help(cmd);
		return EX_OK;
	}
	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cmd_help(cmd);
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
