/*
 * cmd_report.c: `report wbl`, the work-based learning report of a school
 * node, as text, JSON or CSV.  Cells about fewer than 10 students come
 * from the node already suppressed; they print as "*".
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "mentor.h"

/* cell_text: "12 of 30 (40.0%)" or "*". */
static void
cell_text(char *buf, size_t len, const json_t *c)
{
	if (c == NULL || json_is_true(json_object_get(c, "suppressed"))) {
		snprintf(buf, len, "*");
		return;
	}
	snprintf(buf, len, "%lld of %lld (%.1f%%)", (long long)
	    json_integer_value(json_object_get(c, "count")), (long long)
	    json_integer_value(json_object_get(c, "total")),
	    100.0 * json_number_value(json_object_get(c, "share")));
}

static const char *
group_name(const json_t *g, char *buf, size_t len)
{
	const json_t *v = json_object_get(g, "grade");

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else
		snprintf(buf, len, "%s", ctl_str(g, "cluster"));
	return buf;
}

/* csv_field: s quoted as RFC 4180 wants when it needs it. */
static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* csv_cell: one row of a student cell. */
static void
csv_cell(const char *year, const char *measure, const char *group,
    const json_t *c)
{
	printf("%s,%s,", year, measure);
	csv_field(group);
	if (c == NULL || json_is_true(json_object_get(c, "suppressed")))
		printf(",*,,,,\n");
	else
		printf(",%lld,%lld,%.4f,,\n", (long long)json_integer_value(
		    json_object_get(c, "count")), (long long)
		    json_integer_value(json_object_get(c, "total")),
		    json_number_value(json_object_get(c, "share")));
}

static void
csv_placements(const char *year, const char *measure, const char *key,
    const json_t *list)
{
	const json_t *p;
	size_t i;

	json_array_foreach(list, i, p) {
		printf("%s,%s,", year, measure);
		csv_field(ctl_str(p, key));
		if (json_is_true(json_object_get(p, "suppressed")))
			printf(",*,,,,\n");
		else
			printf(",%lld,,,%lld,\n", (long long)json_integer_value(
			    json_object_get(p, "students")), (long long)
			    json_integer_value(json_object_get(p,
			    "placements")));
	}
}

static void
print_csv(const json_t *r)
{
	const json_t *y, *g, *h;
	const char *yr;
	char buf[64];
	size_t i, j;

	printf("year,measure,group,students,total,share,placements,"
	    "minutes\n");
	json_array_foreach(json_object_get(r, "years"), i, y) {
		yr = ctl_str(y, "year");
		csv_cell(yr, "completed", "all", json_object_get(y,
		    "completed"));
		json_array_foreach(json_object_get(y, "by_grade"), j, g)
			csv_cell(yr, "completed_by_grade", group_name(g, buf,
			    sizeof(buf)), g);
		json_array_foreach(json_object_get(y, "by_cluster"), j, g)
			csv_cell(yr, "completed_by_cluster", group_name(g, buf,
			    sizeof(buf)), g);
		h = json_object_get(y, "hours");
		if (json_is_true(json_object_get(h, "suppressed")))
			printf("%s,hours,all,*,,,,\n", yr);
		else
			printf("%s,hours,all,%lld,,,,%lld\n", yr, (long long)
			    json_integer_value(json_object_get(h, "students")),
			    (long long)json_integer_value(json_object_get(h,
			    "minutes")));
		csv_placements(yr, "placements_by_kind", "kind",
		    json_object_get(y, "by_kind"));
		csv_placements(yr, "placements_by_employer", "employer",
		    json_object_get(y, "by_employer"));
		csv_cell(yr, "perkins_5s3", "concentrators",
		    json_object_get(y, "perkins_5s3"));
	}
}

static void
print_places(const char *title, const char *key, const json_t *list)
{
	const json_t *p;
	size_t i;

	printf("  %s:\n", title);
	json_array_foreach(list, i, p) {
		if (json_is_true(json_object_get(p, "suppressed")))
			printf("    %-30s *\n", ctl_str(p, key));
		else
			printf("    %-30s %lld %s (%lld %s)\n", ctl_str(p, key),
			    (long long)json_integer_value(json_object_get(p,
			    "placements")), ctl_plural(json_integer_value(
			    json_object_get(p, "placements")), "placement",
			    "placements"), (long long)json_integer_value(
			    json_object_get(p, "students")), ctl_plural(
			    json_integer_value(json_object_get(p, "students")),
			    "student", "students"));
	}
}

static void
print_text(const json_t *r)
{
	const json_t *y, *g, *h;
	char buf[64], cb[96];
	size_t i, j;

	printf("work-based learning, %lld students on the roster; cells under "
	    "%lld students are shown as *\n", (long long)json_integer_value(
	    json_object_get(r, "students")), (long long)json_integer_value(
	    json_object_get(r, "suppressed_below")));
	if (json_array_size(json_object_get(r, "years")) == 0)
		printf("no completed placements or confirmed hours%s\n",
		    json_object_get(r, "from") || json_object_get(r, "to") ?
		    " in that period" : "");
	json_array_foreach(json_object_get(r, "years"), i, y) {
		printf("\nschool year %s (%s to %s)\n", ctl_str(y, "year"),
		    ctl_str(y, "start"), ctl_str(y, "end"));
		cell_text(cb, sizeof(cb), json_object_get(y, "completed"));
		printf("  completed work-based learning: %s\n", cb);
		printf("  by grade:\n");
		json_array_foreach(json_object_get(y, "by_grade"), j, g) {
			cell_text(cb, sizeof(cb), g);
			printf("    %-30s %s\n", group_name(g, buf, sizeof(buf)),
			    cb);
		}
		printf("  by career cluster:\n");
		json_array_foreach(json_object_get(y, "by_cluster"), j, g) {
			cell_text(cb, sizeof(cb), g);
			printf("    %-30s %s\n", group_name(g, buf, sizeof(buf)),
			    cb);
		}
		h = json_object_get(y, "hours");
		if (json_is_true(json_object_get(h, "suppressed")))
			printf("  confirmed hours: *\n");
		else
			printf("  confirmed hours: %lld h %lld min, by %lld "
			    "students\n", (long long)json_integer_value(
			    json_object_get(h, "minutes")) / 60, (long long)
			    json_integer_value(json_object_get(h, "minutes")) %
			    60, (long long)json_integer_value(json_object_get(h,
			    "students")));
		print_places("placements by kind", "kind", json_object_get(y,
		    "by_kind"));
		print_places("placements by employer", "employer",
		    json_object_get(y, "by_employer"));
		cell_text(cb, sizeof(cb), json_object_get(y, "perkins_5s3"));
		printf("  Perkins V 5S3 (concentrators with work-based "
		    "learning): %s\n", cb);
	}
}

static int
report_wbl(struct ctl *c, const struct ctl_args *a)
{
	json_t *args, *r;
	int rc;

	if ((args = json_object()) == NULL)
		return ctl_err(EX_FAIL, "out of memory");
	if (a->opt[0])
		json_object_set_new(args, "from", json_string(a->opt[0]));
	if (a->opt[1])
		json_object_set_new(args, "to", json_string(a->opt[1]));
	if ((rc = ctl_call(c, "report.wbl", args, NULL, 0, &r, NULL, NULL)) !=
	    EX_OK)
		return rc;
	if (c->json || a->opt[3])
		ctl_print_json(r);
	else if (a->opt[2])
		print_csv(r);
	else
		print_text(r);
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_report_cmds[] = {
	{ "report wbl", report_wbl, 0, 0,
	  { "from=", "to=", "csv", "json", NULL },
	  "[--from DATE] [--to DATE] [--csv | --json]",
	  "The work-based learning report, per school year (July 1 to June "
	  "30): students with at least one completed placement (count and "
	  "share, by grade and by career cluster), confirmed hours, "
	  "placements by kind and by employer, and Perkins V indicator 5S3 "
	  "(concentrators who completed work-based learning).  Cells about "
	  "fewer than 10 students are suppressed (*)." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
