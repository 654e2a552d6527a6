/*
 * cmd_apps.c: consent, apply, application list/show/accept/decline,
 * audit list/verify, store compact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* call_print: runs cmd; --json prints the result, else fmt(result). */
static int
call_print(struct ctl *c, const char *cmd, json_t *args,
    void (*fmt)(const json_t *))
{
	json_t *r;
	int rc;

	if ((rc = ctl_call(c, cmd, args, NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		fmt(r);
	json_decref(r);
	return EX_OK;
}

static void
fmt_consent(const json_t *r)
{
	const json_t *e = json_object_get(r, "consent");

	printf("recorded consent for %s by guardian %s%s%s\n",
	    ctl_str(r, "student"), ctl_str(e, "guardian"),
	    *ctl_str(e, "expires") ? ", until " : "", ctl_str(e, "expires"));
}

static int
consent(struct ctl *c, const struct ctl_args *a)
{
	json_t *args, *scope;
	char *s, *tok, *save = NULL;

	if (a->opt[0] == NULL)
		return ctl_err(EX_USAGE, "consent: --guardian NAME is "
		    "required");
	args = json_pack("{s:s,s:s}", "student", a->argv[0], "guardian",
	    a->opt[0]);
	if (a->opt[1])
		json_object_set_new(args, "expires", json_string(a->opt[1]));
	if (a->opt[2]) {
		scope = json_array();
		if ((s = strdup(a->opt[2])) == NULL)
			return ctl_err(EX_FAIL, "out of memory");
		for (tok = strtok_r(s, ",", &save); tok;
		    tok = strtok_r(NULL, ",", &save))
			json_array_append_new(scope, json_string(tok));
		free(s);
		json_object_set_new(args, "scope", scope);
	}
	return call_print(c, "consent.add", args, fmt_consent);
}

static void
fmt_consent_list(const json_t *r)
{
	json_t *e;
	size_t i;

	json_array_foreach(r, i, e)
		printf("%-12s  %-24s  %s%s\n", ctl_str(e, "student"),
		    ctl_str(e, "guardian"), json_is_true(json_object_get(e,
		    "current")) ? "current" : "not current",
		    *ctl_str(e, "expires") ? "" : "");
	printf("%zu %s\n", json_array_size(r), ctl_plural((long long)
	    json_array_size(r), "consent", "consents"));
}

static int
consent_list(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "consent.list", a->argc ? json_pack("{s:s}",
	    "student", a->argv[0]) : NULL, fmt_consent_list);
}

static void
fmt_revoke(const json_t *r)
{
	long long n = json_integer_value(json_object_get(r, "revoked"));

	printf("revoked %lld %s of %s\n", n, ctl_plural(n, "consent",
	    "consents"), ctl_str(r, "student"));
}

static int
consent_revoke(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "consent.revoke", json_pack("{s:s}", "student",
	    a->argv[0]), fmt_revoke);
}

static void
fmt_app(const json_t *r)
{
	printf("application %s: %s\n", ctl_str(r, "id"), ctl_str(r, "status"));
}

static int
apply(struct ctl *c, const struct ctl_args *a)
{
	json_t *args = json_pack("{s:s,s:s}", "student", a->argv[0],
	    "listing", a->argv[1]);

	if (a->opt[0])
		json_object_set_new(args, "message", json_string(a->opt[0]));
	return call_print(c, "apply", args, fmt_app);
}

static void
fmt_app_list(const json_t *r)
{
	json_t *e;
	size_t i;

	if (json_array_size(r) > 0)
		printf("%-32s  %-8s  %-8s  %s\n", "ID", "SIDE", "STATUS",
		    "LISTING");
	json_array_foreach(r, i, e)
		printf("%-32s  %-8s  %-8s  %s %s%s%s\n", ctl_str(e, "id"),
		    ctl_str(e, "side"), ctl_str(e, "status"), ctl_str(e, "listing"),
		    *ctl_str(e, "student") ? ctl_str(e, "student") :
		    ctl_str(e, "school_name"),
		    strcmp(ctl_str(e, "delivery"), "delivered") == 0 ?
		    " (delivered)" : "",
		    strcmp(ctl_str(e, "delivery"), "pending") == 0 ?
		    " (pending delivery)" : "");
	printf("%zu %s\n", json_array_size(r), ctl_plural((long long)
	    json_array_size(r), "application", "applications"));
}

static int
app_list(struct ctl *c, const struct ctl_args *a)
{
	(void)a;
	return call_print(c, "application.list", NULL, fmt_app_list);
}

/* print_value: a value with names for codes and dates as dates. */
static void
print_value(const json_t *v, const json_t *nm)
{
	const char *k;
	json_t *e;
	char d[40], *s;
	size_t i;

	if (json_is_string(v))
		fputs(ctl_date(d, sizeof(d), ctl_name(nm, json_string_value(v))),
		    stdout);
	else if (json_is_array(v))
		json_array_foreach(v, i, e) {
			fputs(i ? ", " : "", stdout);
			print_value(e, nm);
		}
	else if (json_is_object(v))
		json_object_foreach((json_t *)v, k, e) {
			printf("\n  %-30s ", ctl_name(nm, k));
			print_value(e, nm);
		}
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY))) {
		fputs(s, stdout);
		free(s);
	}
}

static int
app_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *v, *nm;
	const char *k;
	int rc;

	if ((rc = ctl_call(c, "application.show", json_pack("{s:s}", "id",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	nm = ctl_names(c, r);
	json_object_foreach(r, k, v) {
		printf("%-14s ", k);
		print_value(v, nm);
		fputc('\n', stdout);
	}
	json_decref(nm);
	json_decref(r);
	return EX_OK;
}

/* ms_date: ms since the epoch as "2026-11-30 09:13 UTC". */
static char *
ms_date(char *buf, size_t len, json_int_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)ms);
	return buf;
}

/* fmt_contact: "Name, email, phone" of a contact object. */
static void
fmt_contact(const char *label, const json_t *c)
{
	if (!json_is_object(c))
		return;
	printf("%-12s %s%s%s%s%s\n", label, ctl_str(c, "name"),
	    *ctl_str(c, "email") ? ", " : "", ctl_str(c, "email"),
	    *ctl_str(c, "phone") ? ", " : "", ctl_str(c, "phone"));
}

/* fmt_placement: one placement for people; the whole entry in --json. */
static void
fmt_placement(const json_t *r)
{
	const json_t *pl = json_object_get(r, "placement"), *h;
	char d[40];
	size_t i, n;

	printf("%-12s %s\n", "application", ctl_str(r, "id"));
	printf("%-12s %s (%s)\n", "listing", *ctl_str(r, "title") ?
	    ctl_str(r, "title") : ctl_str(r, "listing"),
	    *ctl_str(r, "organization") ? ctl_str(r, "organization") :
	    ctl_str(pl, "employer_name"));
	if (*ctl_str(r, "student"))
		printf("%-12s %s\n", "student", ctl_str(r, "student"));
	else
		printf("%-12s %s (%s)\n", "student", ctl_str(r, "first_name"),
		    ctl_str(r, "school_name"));
	printf("%-12s %s\n", "status", ctl_str(r, "status"));
	fmt_contact("contact", json_object_get(r, "employer_contact"));
	fmt_contact("contact", json_object_get(r, "contact"));
	if (!json_is_object(pl)) {
		printf("no placement: the application was not accepted\n");
		return;
	}
	printf("%-12s %s, %s from %s%s%s\n", "placement", ctl_str(pl,
	    "state"), ctl_str(pl, "kind"), ctl_str(pl, "start"),
	    *ctl_str(pl, "end") ? " to " : "", ctl_str(pl, "end"));
	printf("history:\n");
	json_array_foreach(json_object_get(pl, "history"), i, h)
		printf("  %s  %-10s by the %s%s%s%s\n", ms_date(d, sizeof(d),
		    json_integer_value(json_object_get(h, "at"))),
		    ctl_str(h, "state"), ctl_str(h, "by"),
		    *ctl_str(h, "note") ? ": \"" : "", ctl_str(h, "note"),
		    *ctl_str(h, "note") ? "\"" : "");
	n = json_array_size(json_object_get(pl, "hours"));
	printf("%-12s %zu %s%s\n", "hours", n, ctl_plural((long long)n,
	    "entry", "entries"), n ? " (mentorctl hours list shows them)" :
	    "");
	n = json_array_size(json_object_get(pl, "evaluations"));
	printf("%-12s %zu%s\n", "evaluations", n, n ?
	    " (mentorctl evaluation list shows them)" : "");
	if ((n = json_array_size(json_object_get(r, "refused"))) > 0)
		printf("%-12s %zu %s from the other side (reasons in "
		    "--json)\n", "refused", n, ctl_plural((long long)n,
		    "message", "messages"));
	/* This node's messages the other side's node refused, and why. */
	json_array_foreach(json_object_get(r, "refused_by_other"), i, h)
		printf("%-12s your %s message, by the other side's node "
		    "(%s): %s\n", i ? "" : "refused", ctl_str(h, "type"),
		    ms_date(d, sizeof(d), json_integer_value(
		    json_object_get(h, "at"))), ctl_str(h, "reason"));
}

static int
plc_show(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "application.show", json_pack("{s:s}", "id",
	    a->argv[0]), fmt_placement);
}

static int
app_accept(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "application.accept", json_pack("{s:s,s:s*}",
	    "id", a->argv[0], "note", a->opt[0]), fmt_app);
}

static int
app_decline(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "application.decline", json_pack("{s:s,s:s*}",
	    "id", a->argv[0], "note", a->opt[0]), fmt_app);
}

static void	fmt_withdrawn(const json_t *);

static int
app_withdraw(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "application.withdraw", json_pack("{s:s,s:s*}",
	    "id", a->argv[0], "note", a->opt[0]), fmt_withdrawn);
}

static void
fmt_withdrawn(const json_t *r)
{
	printf("application %s withdrawn; the employer is told\n",
	    ctl_str(r, "id"));
}

static void
fmt_placements(const json_t *r)
{
	json_t *e;
	size_t i;

	if (json_array_size(r) > 0)
		printf("%-32s  %-10s  %-9s  %s\n", "APPLICATION", "PLACEMENT",
		    "STATUS", "LISTING");
	json_array_foreach(r, i, e)
		printf("%-32s  %-10s  %-9s  %s %s\n", ctl_str(e, "id"),
		    ctl_str(e, "placement"), ctl_str(e, "status"),
		    *ctl_str(e, "title") ? ctl_str(e, "title") :
		    ctl_str(e, "listing"),
		    *ctl_str(e, "student") ? ctl_str(e, "student") :
		    ctl_str(e, "school_name"));
	printf("%zu %s\n", json_array_size(r), ctl_plural((long long)
	    json_array_size(r), "placement", "placements"));
}

static int
plc_list(struct ctl *c, const struct ctl_args *a)
{
	(void)a;
	return call_print(c, "application.list", json_pack("{s:b}",
	    "placements", 1), fmt_placements);
}

static void
fmt_state(const json_t *r)
{
	printf("placement of %s changed; the other party is told\n",
	    ctl_str(r, "id"));
}

static int
plc_state(struct ctl *c, const struct ctl_args *a)
{
	return call_print(c, "placement.state", json_pack("{s:s,s:s,s:s*}",
	    "id", a->argv[0], "state", a->argv[1], "note", a->opt[0]),
	    fmt_state);
}

static void
fmt_audit(const json_t *r)
{
	json_t *e;
	size_t i;

	json_array_foreach(r, i, e) {
		char *f = json_dumps(json_object_get(e, "fields"),
		    JSON_COMPACT);

		printf("%4lld  %-16s  student %.12s  %s%s%s\n", (long long)
		    json_integer_value(json_object_get(e, "seq")),
		    ctl_str(e, "action"), ctl_str(e, "student"),
		    *ctl_str(e, "to") ? "to " : "", ctl_str(e, "to"),
		    f ? "" : "");
		if (f)
			printf("      fields %s\n", f);
		free(f);
	}
}

static int
audit_list(struct ctl *c, const struct ctl_args *a)
{
	(void)a;
	return call_print(c, "audit.list", NULL, fmt_audit);
}

static void
fmt_verify(const json_t *r)
{
	long long n = json_integer_value(json_object_get(r, "entries"));

	printf("audit log intact: %lld %s\n", n, ctl_plural(n, "entry",
	    "entries"));
}

static int
audit_verify(struct ctl *c, const struct ctl_args *a)
{
	(void)a;
	return call_print(c, "audit.verify", NULL, fmt_verify);
}

static void
fmt_compact(const json_t *r)
{
	char a[32], b[32];

	printf("store compacted: %s -> %s\n", ctl_bytes(a, sizeof(a),
	    (unsigned long long)json_integer_value(json_object_get(r,
	    "bytes_before"))), ctl_bytes(b, sizeof(b), (unsigned long long)
	    json_integer_value(json_object_get(r, "bytes_after"))));
}

static int
store_compact(struct ctl *c, const struct ctl_args *a)
{
	(void)a;
	return call_print(c, "store.compact", NULL, fmt_compact);
}

const struct ctl_cmd ctl_apps_cmds[] = {
	{ "consent list", consent_list, 0, 1, { NULL }, "[STUDENT]",
	  "Lists the guardian consents on record (of one student)." },
	{ "consent revoke", consent_revoke, 1, 1, { NULL }, "STUDENT",
	  "Revokes every current consent of a student." },
	{ "consent", consent, 1, 1, { "guardian=", "expires=", "scope=",
	  NULL }, "STUDENT --guardian NAME [--expires YYYY-MM-DD] "
	  "[--scope apply,under13]",
	  "Records a guardian's consent for a student: who gave it, when, "
	  "until when, for what.  A student under 18 cannot apply without a "
	  "current consent; under 13, only with one whose scope includes "
	  "under13.  The default scope is apply." },
	{ "apply", apply, 2, 2, { "message=", NULL },
	  "STUDENT LISTING [--message TEXT]",
	  "Sends a student's application to the listing's author: only the "
	  "first name, grade, the student's levels on the listing's "
	  "competencies, goals and the message, sealed so that only the "
	  "author can read it.  Checked first: the listing is live and not "
	  "full, the student is old enough, and a guardian consent is on "
	  "record for a minor.  Every disclosure goes into the audit log." },
	{ "application list", app_list, 0, 0, { NULL }, "",
	  "Applications sent (school) and received (employer), with status "
	  "pending, accepted or declined." },
	{ "application show", app_show, 1, 1, { NULL }, "ID",
	  "One application in full." },
	{ "application accept", app_accept, 1, 1, { "note=", NULL },
	  "ID [--note TEXT]",
	  "Accepts a received application; the answer, with the note (up to "
	  "500 bytes) if given, travels back sealed to the school.  Refused once the listing's capacity is filled; the "
	  "accept that fills it republishes the listing as full." },
	{ "application decline", app_decline, 1, 1, { "note=", NULL },
	  "ID [--note TEXT]",
	  "Declines a received application; the answer, with the note if "
	  "given, travels back sealed to the school." },
	{ "application withdraw", app_withdraw, 1, 1, { "note=", NULL },
	  "ID [--note TEXT]",
	  "Withdraws a student's application, pending or accepted (school "
	  "side; a student may withdraw their own).  The withdrawal travels "
	  "sealed to the employer, whose node frees the seat and "
	  "republishes the listing as not full if it was full." },
	{ "placement list", plc_list, 0, 0, { NULL }, "",
	  "Accepted applications and their placements' state: scheduled, "
	  "active, completed or cancelled." },
	{ "placement show", plc_show, 1, 1, { NULL }, "ID",
	  "One placement in full: the application, its state and history, "
	  "hours and evaluations." },
	{ "placement state", plc_state, 2, 2, { "note=", NULL },
	  "ID scheduled|active|completed|cancelled [--note TEXT]",
	  "Moves a placement on (scheduled to active or completed, active to "
	  "completed; either to cancelled) on both nodes: the change travels "
	  "sealed to the other party." },
	{ "audit list", audit_list, 0, 0, { NULL }, "",
	  "The disclosure log: every application sent, consent recorded "
	  "and student deleted, hash-chained.  Students appear by "
	  "pseudonym." },
	{ "audit verify", audit_verify, 0, 0, { NULL }, "",
	  "Checks the audit log's hash chain; exits 1 naming the first "
	  "entry that was altered, removed or inserted." },
	{ "store compact", store_compact, 0, 0, { NULL }, "",
	  "Rewrites the store with only its live data and swaps it in, so "
	  "that no bytes of deleted data remain in the store file." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
