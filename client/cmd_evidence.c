/*
 * cmd_evidence.c: evaluations on a school node (the employers' ratings of
 * its students) and applying one to a student's competency levels.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "mentor.h"
#include "util.h"

/* ctl_level_word: the contract's word for a competency level 0..4. */
const char *
ctl_level_word(long long level)
{
	static const char *const words[] = { "none", "beginning",
	    "developing", "proficient", "advanced" };

	return level >= 0 && level <= 4 ? words[level] : "?";
}

static void
print_day(const json_t *ms)
{
	char day[11];

	if (!json_is_integer(ms)) {
		printf("-");
		return;
	}
	date_format(day, (int32_t)(json_integer_value(ms) / 86400000));
	printf("%s", day);
}

static int
evaluation_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	if ((rc = ctl_call(c, "evaluation.list", a->argc ? json_pack("{s:s}",
	    "student", a->argv[0]) : NULL, NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	if (json_array_size(r) > 0)
		printf("%-32s  %-12s  %-8s  %-10s  %-10s  %s\n", "EVALUATION",
		    "STUDENT", "STAGE", "DATE", "APPLIED", "ASSESSOR");
	json_array_foreach(r, i, e) {
		printf("%-32s  %-12s  %-8s  ", ctl_str(e, "evaluation"),
		    ctl_str(e, "student"), ctl_str(e, "stage"));
		print_day(json_object_get(e, "created"));
		printf("  ");
		if (json_is_integer(json_object_get(e, "applied")))
			print_day(json_object_get(e, "applied"));
		else
			printf("%-10s", "no");
		printf("  %s, %s\n", ctl_str(json_object_get(e, "assessor"),
		    "name"), ctl_str(json_object_get(e, "assessor"),
		    "organization"));
	}
	printf("%zu %s\n", json_array_size(r), ctl_plural((long long)
	    json_array_size(r), "evaluation", "evaluations"));
	json_decref(r);
	return EX_OK;
}

static int
evaluation_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *nm, *x;
	size_t i;
	int rc;

	if ((rc = ctl_call(c, "evaluation.show", json_pack("{s:s}", "id",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	nm = ctl_names(c, r);
	printf("%-14s%s\n", "evaluation:", ctl_str(r, "evaluation"));
	printf("%-14s%s\n", "student:", ctl_str(r, "student"));
	printf("%-14s%s\n", "application:", ctl_str(r, "application"));
	printf("%-14s%s\n", "stage:", ctl_str(r, "stage"));
	printf("%-14s%s, %s\n", "assessor:", ctl_str(json_object_get(r,
	    "assessor"), "name"), ctl_str(json_object_get(r, "assessor"),
	    "organization"));
	printf("%-14s", "date:");
	print_day(json_object_get(r, "created"));
	printf("\n%-14s", "applied:");
	if (json_is_integer(json_object_get(r, "applied"))) {
		print_day(json_object_get(r, "applied"));
		printf(" by %s", ctl_str(r, "applied_by"));
	} else
		printf("not yet");
	printf("\nratings:\n");
	json_array_foreach(json_object_get(r, "ratings"), i, x) {
		printf("  %-32s %s (%lld of 4)\n", ctl_name(nm, ctl_str(x,
		    "competency")), ctl_level_word(json_integer_value(
		    json_object_get(x, "level"))), (long long)
		    json_integer_value(json_object_get(x, "level")));
		if (json_object_get(x, "comment"))
			printf("    \"%s\"\n", ctl_str(x, "comment"));
	}
	json_decref(nm);
	json_decref(r);
	return EX_OK;
}

static int
evaluation_apply(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *nm, *x;
	size_t i;
	int rc;

	if ((rc = ctl_call(c, "evaluation.apply", json_pack("{s:s}", "id",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	nm = ctl_names(c, r);
	printf("applied evaluation %s: %zu %s changed\n", ctl_str(r,
	    "evaluation"), json_array_size(json_object_get(r, "changes")),
	    ctl_plural((long long)json_array_size(json_object_get(r,
	    "changes")), "level", "levels"));
	json_array_foreach(json_object_get(r, "changes"), i, x)
		printf("  %-32s %s -> %s\n", ctl_name(nm, ctl_str(x,
		    "competency")), ctl_level_word(json_integer_value(
		    json_object_get(x, "from"))), ctl_level_word(
		    json_integer_value(json_object_get(x, "to"))));
	json_decref(nm);
	json_decref(r);
	return EX_OK;
}

static int
credential_issue(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *cred;
	int rc;

	if ((rc = ctl_call(c, "credential.issue", json_pack("{s:s}",
	    "application", a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else {
		cred = json_object_get(r, "credential");
		printf("issued \"%s\" to %s (%zu %s)\n", ctl_str(cred, "name"),
		    ctl_str(r, "student"), json_array_size(json_object_get(
		    json_object_get(json_object_get(cred, "credentialSubject"),
		    "achievement"), "alignment")), ctl_plural((long long)
		    json_array_size(json_object_get(json_object_get(
		    json_object_get(cred, "credentialSubject"), "achievement"),
		    "alignment")), "competency", "competencies"));
	}
	json_decref(r);
	return EX_OK;
}

static int
credential_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *cred, *ach, *x;
	size_t i;
	int rc;

	if ((rc = ctl_call(c, "credential.show", json_pack("{s:s}",
	    "application", a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	cred = json_object_get(r, "credential");
	ach = json_object_get(json_object_get(cred, "credentialSubject"),
	    "achievement");
	printf("%-13s%s\n", "credential:", ctl_str(cred, "name"));
	printf("%-13s%s\n", "student:", ctl_str(r, "student"));
	printf("%-13s%s (%s)\n", "issuer:", ctl_str(json_object_get(cred,
	    "issuer"), "name"), ctl_str(json_object_get(cred, "issuer"),
	    "id"));
	printf("%-13s%s\n", "valid from:", ctl_str(cred, "validFrom"));
	printf("%-13s%s\n", "description:", ctl_str(ach, "description"));
	if (json_array_size(json_object_get(ach, "alignment")) > 0)
		printf("competencies:\n");
	json_array_foreach(json_object_get(ach, "alignment"), i, x)
		printf("  %-32s %s\n", ctl_str(x, "targetName"),
		    ctl_str(x, "targetDescription"));
	if (json_array_size(json_object_get(cred, "evidence")) > 0)
		printf("evidence:\n");
	json_array_foreach(json_object_get(cred, "evidence"), i, x)
		printf("  %s\n", ctl_str(x, "name"));
	json_decref(r);
	return EX_OK;
}

static int
credential_export(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	FILE *f;
	int rc, fd;

	if (a->opt[0] == NULL || a->opt[0][0] == '\0')
		return ctl_err(EX_USAGE, "credential export: --out FILE is "
		    "required (- for standard output)");
	if ((rc = ctl_call(c, "credential.show", json_pack("{s:s}",
	    "application", a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (strcmp(a->opt[0], "-") == 0)
		f = stdout;
	else if ((fd = open(a->opt[0], O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		json_decref(r);
		return ctl_err(EX_FAIL, "%s: %s", a->opt[0], strerror(errno));
	}
	rc = json_dumpf(json_object_get(r, "credential"), f, JSON_INDENT(2));
	fputc('\n', f);
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	json_decref(r);
	if (rc != 0)
		return ctl_err(EX_FAIL, "%s: cannot write", a->opt[0]);
	if (f != stdout && !c->json)
		printf("wrote %s\n", a->opt[0]);
	return EX_OK;
}


/*
 * rating: "COMPETENCY=LEVEL[:comment]" as {"competency", "level",
 * "comment"?}; an O*NET element id without a prefix is "onet:" + it, a
 * level is 0-4 or its word.  NULL (after the message) when malformed.
 */
static json_t *
rating(const char *s)
{
	static const char *const words[] = { "none", "beginning",
	    "developing", "proficient", "advanced" };
	const char *eq = strchr(s, '='), *lv, *colon;
	char comp[128], level[32];
	json_t *r;
	size_t i, n;
	long long l = -1;

	if (eq == NULL || eq == s || (size_t)(eq - s) >= sizeof(comp) - 5) {
		ctl_err(EX_USAGE, "rating \"%s\": COMPETENCY=LEVEL[:comment]",
		    s);
		return NULL;
	}
	snprintf(comp, sizeof(comp), "%s%.*s", memchr(s, ':', (size_t)(eq -
	    s)) ? "" : "onet:", (int)(eq - s), s);
	lv = eq + 1;
	colon = strchr(lv, ':');
	n = colon ? (size_t)(colon - lv) : strlen(lv);
	snprintf(level, sizeof(level), "%.*s", (int)(n < sizeof(level) ? n :
	    sizeof(level) - 1), lv);
	if (n == 1 && level[0] >= '0' && level[0] <= '4')
		l = level[0] - '0';
	for (i = 0; i < 5; i++)
		if (strcasecmp(level, words[i]) == 0)
			l = (long long)i;
	if (l < 0) {
		ctl_err(EX_USAGE, "rating \"%s\": the level is 0 to 4 or none, "
		    "beginning, developing, proficient, advanced", s);
		return NULL;
	}
	r = json_pack("{s:s,s:I}", "competency", comp, "level", l);
	if (r != NULL && colon != NULL && colon[1] != '\0')
		json_object_set_new(r, "comment", json_string(colon + 1));
	return r;
}

static int
evaluation_send(struct ctl *c, const struct ctl_args *a)
{
	json_t *args = NULL, *ratings, *r, *f = NULL;
	char *buf;
	size_t len;
	int i, rc;

	if (a->opt[4] != NULL) {	/* --file */
		if ((rc = ctl_read_file(a->opt[4], 1u << 20, &buf, &len)) != 0)
			return rc;
		f = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
		free(buf);
		if (!json_is_object(f)) {
			json_decref(f);
			return ctl_err(EX_USAGE, "%s: not a JSON object",
			    a->opt[4]);
		}
		args = f;
	} else if ((args = json_object()) == NULL)
		return ctl_err(EX_FAIL, "out of memory");
	json_object_set_new(args, "application", json_string(a->argv[0]));
	if (a->opt[0])
		json_object_set_new(args, "stage", json_string(a->opt[0]));
	if ((a->opt[1] || a->opt[2]) &&
	    !json_is_object(json_object_get(args, "assessor")))
		json_object_set_new(args, "assessor", json_object());
	if (a->opt[1])
		json_object_set_new(json_object_get(args, "assessor"), "name",
		    json_string(a->opt[1]));
	if (a->opt[2])
		json_object_set_new(json_object_get(args, "assessor"),
		    "organization", json_string(a->opt[2]));
	ratings = json_object_get(args, "ratings");
	if (a->opt[3] != NULL || a->argc > 1) {
		json_object_set_new(args, "ratings", json_array());
		ratings = json_object_get(args, "ratings");
		for (i = -1; i < a->argc; i++) {
			const char *s = i < 0 ? a->opt[3] : a->argv[i];

			if (i == 0 || s == NULL)
				continue;
			if ((r = rating(s)) == NULL) {
				json_decref(args);
				return EX_USAGE;
			}
			json_array_append_new(ratings, r);
		}
	}
	if ((rc = ctl_call(c, "evaluation.send", args, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("sent evaluation %s of application %s\n", ctl_str(r,
		    "evaluation"), ctl_str(r, "application"));
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_evidence_cmds[] = {
	{ "evaluation list", evaluation_list, 0, 1, { NULL }, "[STUDENT]",
	  "Lists the evaluations employers sent about this school's "
	  "students (one student's with STUDENT), with whether each was "
	  "applied." },
	{ "evaluation show", evaluation_show, 1, 1, { NULL }, "ID",
	  "Shows one evaluation: its assessor, stage and each rated "
	  "competency's level and comment." },
	{ "evaluation send", evaluation_send, 1, 64,
	  { "stage=", "assessor=", "organization=", "rate=", "file=", NULL },
	  "APP --stage final|midpoint --assessor NAME --organization ORG "
	  "--rate COMPETENCY=LEVEL[:comment] [COMPETENCY=LEVEL[:comment] ...]"
	  " | APP --file FILE",
	  "Employer: rates the student of accepted application APP on "
	  "competencies (an O*NET element id or name code such as 2.B.3.m, "
	  "or prefix:id; level 0-4 or none, beginning, developing, "
	  "proficient, advanced; an optional comment after a colon), sealed "
	  "to the school.  --file takes {\"stage\", \"assessor\": {\"name\", "
	  "\"organization\"}, \"ratings\": [{\"competency\", \"level\", "
	  "\"comment\"}]}; options given beside it win." },
	{ "evaluation apply", evaluation_apply, 1, 1, { NULL }, "ID",
	  "Applies an evaluation to its student's profile: each rated "
	  "competency takes the rated level, the ratings become the "
	  "student's evidence, and the change goes into the audit log.  "
	  "Matching uses the new levels at once." },
	{ "credential issue", credential_issue, 1, 1, { NULL }, "APP",
	  "Issues the Open Badges 3.0 credential of a completed placement "
	  "(application APP): the experience, the employer, the confirmed "
	  "hours and the competencies its evaluations rated, signed with the "
	  "node's key (issuer: the node's did:key)." },
	{ "credential show", credential_show, 1, 1, { NULL }, "APP",
	  "Shows the credential issued for application APP (--json: as "
	  "stored).  A student's key may fetch their own only." },
	{ "credential export", credential_export, 1, 1, { "out=", NULL },
	  "APP --out FILE",
	  "Writes the credential issued for application APP to FILE (mode "
	  "0600; - writes standard output), for the student to keep; "
	  "`credential verify FILE` checks it offline." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
