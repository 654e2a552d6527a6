/*
 * cmd_framework.c: occupation search and profiles, the cluster
 * frameworks, a student's pathway toward their goal occupations and
 * O*NET-based skill suggestions for a listing file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "jobposting.h"
#include "listingcsv.h"

#define SUGGEST_FILE_MAX	(8u << 20)

static int
top_opt(const char *s, const char *cmd, long *top)
{
	char *end;

	if (s == NULL)
		return EX_OK;
	*top = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *top < 1 || *top > 100)
		return ctl_err(EX_USAGE, "%s: --top: a number from 1 to 100",
		    cmd);
	return EX_OK;
}

static int
occupation_search(struct ctl *c, const struct ctl_args *a)
{
	char q[1024] = "";
	json_t *r, *e;
	long top = 10;
	size_t i;
	int rc;

	if ((rc = top_opt(a->opt[0], "occupation search", &top)) != EX_OK)
		return rc;
	for (i = 0; i < (size_t)a->argc; i++) {
		if (strlen(q) + strlen(a->argv[i]) + 2 > sizeof(q))
			return ctl_err(EX_USAGE, "occupation search: query too "
			    "long");
		if (i > 0)
			strcat(q, " ");
		strcat(q, a->argv[i]);
	}
	if ((rc = ctl_call(c, "occupation.search", json_pack("{s:s,s:i}",
	    "query", q, "top", (int)top), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else if (json_array_size(r) == 0)
		printf("No occupation matches \"%s\".\n", q);
	json_array_foreach(c->json ? NULL : r, i, e) {
		printf("%s  %s", ctl_str(e, "code"), ctl_str(e, "title"));
		if (json_object_get(e, "matched"))
			printf("  (%s)", ctl_str(e, "matched"));
		printf("\n");
	}
	json_decref(r);
	return EX_OK;
}

static int
occupation_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e, *lv;
	size_t i, n;
	int rc;

	if ((rc = ctl_call(c, "occupation.show", json_pack("{s:s}", "code",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	printf("%s  %s\n  %s\n", ctl_str(r, "code"), ctl_str(r, "title"),
	    ctl_str(r, "description"));
	n = json_array_size(json_object_get(r, "alternate_titles"));
	if (n > 0) {
		printf("Also called:");
		json_array_foreach(json_object_get(r, "alternate_titles"), i,
		    e) {
			if (i == 12) {
				printf(" ... (%zu in all)", n);
				break;
			}
			printf("%s %s", i ? ";" : "", json_string_value(e));
		}
		printf("\n");
	}
	lv = json_object_get(r, "levels");
	if (json_is_null(lv))
		printf("Skill levels: none installed for this occupation "
		    "(O*NET's Skills.txt, Knowledge.txt, Abilities.txt; see "
		    "contrib/onet/build).\n");
	else
		printf("%-11s %-40s %5s %5s %s\n", "competency", "name", "IM",
		    "LV", "level");
	json_array_foreach(json_is_array(lv) ? lv : NULL, i, e)
		printf("%-16s %-40s %5.2f %5.2f %lld\n",
		    ctl_str(e, "competency"), ctl_str(e, "name"),
		    json_number_value(json_object_get(e, "im")),
		    json_number_value(json_object_get(e, "lv")),
		    (long long)json_integer_value(json_object_get(e,
		    "level")));
	json_decref(r);
	return EX_OK;
}

static int
zip_lookup(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	int rc;

	if ((rc = ctl_call(c, "zip.lookup", json_pack("{s:s}", "zip",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("ZIP %s: lat %.6f, lon %.6f\n", ctl_str(r, "zip"),
		    json_real_value(json_object_get(r, "lat")),
		    json_real_value(json_object_get(r, "lon")));
	json_decref(r);
	return EX_OK;
}

static int
cluster_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e, *s;
	size_t i, k;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "cluster.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	json_array_foreach(r, i, e) {
		printf("%-40s %2lld  %s", ctl_str(e, "code"),
		    (long long)json_integer_value(json_object_get(e,
		    "framework")), ctl_str(e, "name"));
		if (json_array_size(json_object_get(e, "crosswalk")) > 0) {
			printf("  <->");
			json_array_foreach(json_object_get(e, "crosswalk"), k,
			    s)
				printf(" %s", json_string_value(s));
		}
		printf("\n");
		json_array_foreach(json_object_get(e, "subclusters"), k, s)
			printf("    %s\n", json_string_value(s));
	}
	json_decref(r);
	return EX_OK;
}

static int
pathway(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *o, *g, *l;
	size_t i, j, k;
	int rc;

	if ((rc = ctl_call(c, "pathway", json_pack("{s:s}", "student",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	if (json_array_size(json_object_get(r, "occupations")) == 0)
		printf("Student %s has no goal occupation.\n", a->argv[0]);
	json_array_foreach(json_object_get(r, "occupations"), i, o) {
		printf("%s  %s\n", ctl_str(o, "occupation"),
		    ctl_str(o, "title"));
		if (!json_is_true(json_object_get(o, "rated")))
			printf("  (no O*NET ratings for this occupation)\n");
		else if (json_array_size(json_object_get(o, "gaps")) == 0)
			printf("  meets every important skill's level\n");
		json_array_foreach(json_object_get(o, "gaps"), j, g) {
			printf("  %s: level %lld needed, at %lld\n",
			    ctl_str(g, "name"),
			    (long long)json_integer_value(json_object_get(g,
			    "need")),
			    (long long)json_integer_value(json_object_get(g,
			    "have")));
			json_array_foreach(json_object_get(g, "listings"), k,
			    l)
				printf("    developed by %s (%s, to level "
				    "%lld)\n", ctl_str(l, "title"),
				    ctl_str(l, "listing"),
				    (long long)json_integer_value(
				    json_object_get(l, "level")));
		}
	}
	json_decref(r);
	return EX_OK;
}

/*
 * listing_suggest: prints the file's listings with the suggested requires
 * and develops filled in, ready to review and post.
 */
static int
listing_suggest(struct ctl *c, const struct ctl_args *a)
{
	json_error_t je;
	json_t *doc, *r, *sug, *s, *l;
	char *buf;
	size_t len, i;
	int rc;

	if ((rc = ctl_read_file(a->argv[0], SUGGEST_FILE_MAX, &buf,
	    &len)) != 0)
		return rc;
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		free(buf);
		return ctl_err(EX_FAIL, "%s:%d:%d: %s", a->argv[0], je.line,
		    je.column, je.text);
	}
	rc = ctl_call(c, "listing.suggest", NULL, (const uint8_t *)buf, len,
	    &r, NULL, NULL);
	free(buf);
	if (rc != EX_OK) {
		json_decref(doc);
		return rc;
	}
	if (c->json) {
		ctl_print_json(r);
		goto done;
	}
	sug = json_object_get(r, "suggestions");
	for (i = 0; i < json_array_size(sug); i++) {
		s = json_array_get(sug, i);
		l = json_is_array(doc) ? json_array_get(doc, i) : doc;
		if (!json_is_object(s)) {
			fprintf(stderr, "mentorctl: listing %zu: nothing to "
			    "suggest (it has requires/develops, or no "
			    "occupation O*NET rates)\n", i + 1);
			continue;
		}
		fprintf(stderr, "mentorctl: listing %zu: suggested from "
		    "O*NET %s; review before posting\n", i + 1,
		    ctl_str(s, "from"));
		json_object_set(l, "requires", json_object_get(s, "requires"));
		json_object_set(l, "develops", json_object_get(s, "develops"));
	}
	if ((buf = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) !=
	    NULL) {
		printf("%s\n", buf);
		free(buf);
	}
done:
	json_decref(r);
	json_decref(doc);
	return EX_OK;
}

static int
framework_import(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	char *buf;
	size_t len;
	int rc;

	if ((rc = ctl_read_file(a->argv[0], SUGGEST_FILE_MAX * 2, &buf,
	    &len)) != 0)
		return rc;
	rc = ctl_call(c, "framework.import", NULL, (const uint8_t *)buf, len,
	    &r, NULL, NULL);
	free(buf);
	if (rc != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("imported %s (%s): %lld competencies, %lld exact "
		    "matches\n", ctl_str(r, "id"), ctl_str(r, "title"),
		    (long long)json_integer_value(json_object_get(r, "items")),
		    (long long)json_integer_value(json_object_get(r,
		    "exact_matches")));
	json_decref(r);
	return EX_OK;
}

static int
framework_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "framework.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else if (json_array_size(r) == 0)
		printf("No CASE framework imported.\n");
	json_array_foreach(c->json ? NULL : r, i, e)
		printf("%s  %s  (%lld competencies, %lld exact matches)\n",
		    ctl_str(e, "id"), ctl_str(e, "title"),
		    (long long)json_integer_value(json_object_get(e, "items")),
		    (long long)json_integer_value(json_object_get(e,
		    "exact_matches")));
	json_decref(r);
	return EX_OK;
}

static int
framework_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e, *x;
	size_t i;
	int rc;

	if ((rc = ctl_call(c, "framework.show", json_pack("{s:s}", "id",
	    a->argv[0]), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	printf("%s  %s\n", ctl_str(r, "id"), ctl_str(r, "title"));
	json_array_foreach(json_object_get(r, "items"), i, e) {
		printf("  %s", ctl_str(e, "id"));
		if (json_object_get(e, "code"))
			printf("  %s", ctl_str(e, "code"));
		printf("  %s\n", ctl_str(e, "name"));
	}
	json_array_foreach(json_object_get(r, "exact"), i, x)
		printf("  %s = %s\n", json_string_value(json_array_get(x, 0)),
		    json_string_value(json_array_get(x, 1)));
	json_decref(r);
	return EX_OK;
}

static int
framework_remove(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "framework.remove", json_pack("{s:s}", "id",
	    a->argv[0]), "removed", "id");
}

static int
listing_export(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	char *s;
	int rc;

	if (a->opt[0] == NULL)
		return ctl_err(EX_USAGE, "listing export: say the format: "
		    "--jsonld");
	if ((rc = ctl_call(c, "listing.export", json_pack("{s:s}", "format",
	    "jsonld"), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	if ((s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) !=
	    NULL) {
		printf("%s\n", s);
		free(s);
	}
	json_decref(r);
	return EX_OK;
}

/* post: sends the listings (consumed) to listing.post and prints the ids. */
static int
post(struct ctl *c, json_t *arr)
{
	json_t *r;
	int rc;

	if ((rc = ctl_call(c, "listing.post", json_pack("{s:o}", "listings",
	    arr), NULL, 0, &r, NULL, NULL)) != EX_OK)
		return rc;
	return ctl_print_posted(c, r);
}

static int
listing_import(struct ctl *c, const struct ctl_args *a)
{
	char err[256];
	json_t *arr = NULL;
	char *buf;
	size_t len, n;
	int rc;

	if ((rc = ctl_read_file(a->argv[0], JOBPOSTING_FILE_MAX, &buf,
	    &len)) != 0)
		return rc;
	n = strlen(a->argv[0]);
	if (n > 4 && strcasecmp(a->argv[0] + n - 4, ".csv") == 0)
		rc = listing_csv_parse(buf, len, &arr, err, sizeof(err));
	else
		rc = jobposting_to_listings(buf, len, &arr, err, sizeof(err));
	free(buf);
	if (rc != 0)
		return ctl_err(EX_FAIL, "%s: %s", a->argv[0], err);
	return post(c, arr);
}

const struct ctl_cmd ctl_framework_cmds[] = {
	{ "listing export", listing_export, 0, 0, { "jsonld", NULL },
	  "--jsonld",
	  "Prints every live listing as schema.org JobPosting JSON-LD (an "
	  "array): apprenticeships and internships are also WorkBasedProgram; "
	  "occupations are O*NET-SOC CategoryCodes and required skills "
	  "DefinedTerms, with names; \"mentord:\" members keep every listing "
	  "field, so `listing import` reads the export back unchanged." },
	{ "listing import", listing_import, 1, 1, { NULL }, "FILE",
	  "Posts the listings of FILE, as `listing post` would: all or "
	  "nothing.  FILE.csv is the listing CSV template (one listing a row, "
	  "header " LISTING_CSV_HEADER "; errors name the line; \"listing N\" "
	  "is the Nth row); anything else is read as schema.org JobPosting "
	  "JSON-LD (an object, an array or an @graph).  See "
	  "mentord-formats(5)." },
	{ "framework import", framework_import, 1, 1, { NULL }, "FILE",
	  "Imports a CASE 1.0/1.1 CFPackage (JSON): each CFItem becomes a "
	  "competency \"case:IDENTIFIER\" named by its fullStatement, usable "
	  "in listings and student profiles; an exactMatchOf association to an "
	  "O*NET element makes the item count as that element in matching.  "
	  "Importing the same document again replaces it." },
	{ "framework list", framework_list, 0, 0, { NULL }, "",
	  "The imported CASE frameworks." },
	{ "framework show", framework_show, 1, 1, { NULL }, "ID",
	  "An imported framework's competencies and exact matches." },
	{ "framework remove", framework_remove, 1, 1, { NULL }, "ID",
	  "Removes an imported framework." },
	{ "occupation search", occupation_search, 1, 16, { "top=", NULL },
	  "WORDS... [--top N]",
	  "Finds O*NET-SOC occupations whose title or an alternate title "
	  "(\"welder\", \"CNA\") holds every word as the start of a word, in "
	  "any case, or whose code starts with WORDS; best first, at most N "
	  "(default 10)." },
	{ "occupation show", occupation_show, 1, 1, { NULL }, "CODE",
	  "An occupation's title, description, alternate titles and, when "
	  "O*NET's level data is installed, its importance (IM 1-5) and level "
	  "(LV 0-7, and on mentord's 0-4 scale) on each skill, knowledge "
	  "area and ability." },
	{ "zip", zip_lookup, 1, 1, { NULL }, "ZIP",
	  "The coordinates of a US ZIP code (the internal point of its Census "
	  "ZIP code area), as a listing's or a student's location." },
	{ "cluster list", cluster_list, 0, 0, { NULL }, "",
	  "The career clusters of both frameworks with their pathways or "
	  "sub-clusters and the clusters the crosswalk pairs them with." },
	{ "pathway", pathway, 1, 1, { NULL }, "STUDENT",
	  "For each goal occupation of the student: the important skills "
	  "and knowledge (O*NET importance 3 or more) where the student is "
	  "below the level the occupation asks, and the live listings that "
	  "develop them.  Needs O*NET's level data." },
	{ "listing suggest", listing_suggest, 1, 1, { NULL }, "FILE",
	  "For each listing of FILE with occupations but no requires or "
	  "develops, suggests them from O*NET and prints the listings with "
	  "the suggestions filled in, for the employer to review and post.  "
	  "Needs O*NET's level data." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
