/*
 * cmd_hours.c: hours log/answer/list, the attendance of a placement
 * (SPEC.md 13.9): the school logs, the employer confirms or disputes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* hm: minutes as "7 h 30 min" into buf. */
static const char *
hm(char *buf, size_t len, long long m)
{
	snprintf(buf, len, "%lld h %02lld min", m / 60, m % 60);
	return buf;
}

/* one_line: s with control characters (newlines, tabs) as spaces. */
static void
print_line(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static int
call(struct ctl *c, const char *cmd, json_t *args, json_t **r)
{
	int rc;

	if ((rc = ctl_call(c, cmd, args, NULL, 0, r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(*r);
		json_decref(*r);
		*r = NULL;
	}
	return EX_OK;
}

static int
hours_log(struct ctl *c, const struct ctl_args *a)
{
	json_t *args, *r;
	char b[32];
	int rc;

	if (a->opt[0] == NULL)
		return ctl_err(EX_USAGE, "hours log: --date YYYY-MM-DD is "
		    "required");
	if ((a->opt[1] == NULL) == (a->opt[2] == NULL))
		return ctl_err(EX_USAGE, "hours log: give --hours H or "
		    "--minutes M (one of them)");
	if (a->opt[3] == NULL)
		return ctl_err(EX_USAGE, "hours log: --activity TEXT is "
		    "required");
	args = json_pack("{s:s,s:s,s:s}", "id", a->argv[0], "date",
	    a->opt[0], "activity", a->opt[3]);
	if (args == NULL)
		return ctl_err(EX_FAIL, "out of memory");
	if (a->opt[1])
		json_object_set_new(args, "hours", json_string(a->opt[1]));
	else {
		char *end;
		long long m = strtoll(a->opt[2], &end, 10);

		if (*a->opt[2] == '\0' || *end != '\0') {
			json_decref(args);
			return ctl_err(EX_USAGE, "hours log: --minutes: \"%s\" "
			    "is not a whole number", a->opt[2]);
		}
		json_object_set_new(args, "minutes", json_integer(m));
	}
	if ((rc = call(c, "hours.log", args, &r)) != EX_OK || r == NULL)
		return rc;
	printf("logged %s on %s: entry %s; the employer is told\n",
	    hm(b, sizeof(b), json_integer_value(json_object_get(r,
	    "minutes"))), ctl_str(r, "date"), ctl_str(r, "entry"));
	json_decref(r);
	return EX_OK;
}

static int
hours_answer(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	int rc;

	if ((rc = call(c, "hours.answer", json_pack("{s:s,s:s,s:s,s:s*}",
	    "id", a->argv[0], "entry", a->argv[1], "status", a->argv[2],
	    "note", a->opt[0]), &r)) != EX_OK || r == NULL)
		return rc;
	printf("entry %s %s; the school is told\n", ctl_str(r, "entry"),
	    ctl_str(r, "status"));
	json_decref(r);
	return EX_OK;
}

static int
hours_list(struct ctl *c, const struct ctl_args *a)
{
	static const struct {
		const char	*key, *label;
	} totals[] = {
		{ "logged",	"logged" },
		{ "confirmed",	"confirmed" },
		{ "disputed",	"disputed" },
		{ "pending",	"awaiting an answer" },
	};
	json_t *r, *e, *t;
	char b[32];
	size_t i;
	int rc;

	if ((rc = call(c, "hours.list", json_pack("{s:s}", "id",
	    a->argv[0]), &r)) != EX_OK || r == NULL)
		return rc;
	printf("placement %s (%s side): %s, from %s to %s\n",
	    ctl_str(r, "id"), ctl_str(r, "side"), ctl_str(r, "state"),
	    ctl_str(r, "start"), *ctl_str(r, "end") ? ctl_str(r, "end") :
	    "(open)");
	if (json_array_size(json_object_get(r, "entries")) > 0)
		printf("%-10s  %-13s  %-9s  %-32s  %s\n", "DATE", "HOURS",
		    "STATUS", "ENTRY", "ACTIVITY");
	json_array_foreach(json_object_get(r, "entries"), i, e) {
		printf("%-10s  %-13s  %-9s  %-32s  ", ctl_str(e, "date"),
		    hm(b, sizeof(b), json_integer_value(json_object_get(e,
		    "minutes"))), ctl_str(e, "status"), ctl_str(e, "entry"));
		print_line(ctl_str(e, "activity"));
		putchar('\n');
		if (*ctl_str(e, "note")) {
			printf("%12snote: ", "");
			print_line(ctl_str(e, "note"));
			putchar('\n');
		}
	}
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		long long n;

		t = json_object_get(json_object_get(r, "totals"),
		    totals[i].key);
		n = json_integer_value(json_object_get(t, "entries"));
		printf("%s%s %s (%lld %s)", i ? "; " : "", totals[i].label,
		    hm(b, sizeof(b), json_integer_value(json_object_get(t,
		    "minutes"))), n, ctl_plural(n, "entry", "entries"));
	}
	/* Entries the employer's node refused: not counted above. */
	t = json_object_get(json_object_get(r, "totals"), "refused");
	if (json_integer_value(json_object_get(t, "entries")) > 0)
		printf("; refused by the employer's node %s (%lld %s, not "
		    "counted)", hm(b, sizeof(b), json_integer_value(
		    json_object_get(t, "minutes"))), (long long)
		    json_integer_value(json_object_get(t, "entries")),
		    ctl_plural(json_integer_value(json_object_get(t,
		    "entries")), "entry", "entries"));
	putchar('\n');
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_hours_cmds[] = {
	{ "hours log", hours_log, 1, 1, { "date=", "hours=", "minutes=",
	  "activity=", NULL },
	  "APPLICATION --date YYYY-MM-DD (--hours H | --minutes M) "
	  "--activity TEXT",
	  "Logs a day's attendance on a placement, on the school's node (the "
	  "coordinator, or the student for their own placement): hours as "
	  "2, 2.5 or 2:30, or minutes; what was done, 1 to 1000 bytes.  "
	  "Refused when the date is in the future (UTC), outside the "
	  "placement's dates, when the placement is not scheduled or "
	  "active, or when the student's hours on that date would pass 24.  "
	  "The entry travels sealed to the employer, whose node checks the "
	  "same rules." },
	{ "hours answer", hours_answer, 3, 3, { "note=", NULL },
	  "APPLICATION ENTRY confirm|dispute [--note TEXT]",
	  "Confirms or disputes one attendance entry, on the employer's "
	  "node, once; the answer (with the note, up to 500 bytes) travels "
	  "sealed to the school." },
	{ "hours list", hours_list, 1, 1, { NULL }, "APPLICATION",
	  "A placement's attendance, on either node: each entry's date, "
	  "hours, status (logged, confirmed, disputed; refused when the "
	  "employer's node ruled the entry out, with its reason as the "
	  "note), activity and note, and the totals logged, confirmed, "
	  "disputed and awaiting an answer.  Both nodes show the same." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
