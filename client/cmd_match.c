/*
 * cmd_match.c: a student's ranked listings, each with its reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static int
match(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *args, *e, *reason;
	char *end;
	long top = 10;
	size_t i, k;

	if (a->opt[0]) {
		top = strtol(a->opt[0], &end, 10);
		if (*a->opt[0] == '\0' || *end != '\0' || top < 1 || top > 100)
			return ctl_err(EX_USAGE, "match: --top: a number from "
			    "1 to 100");
	}
	args = json_pack("{s:s,s:i}", "student", a->argv[0], "top", (int)top);
	if ((k = (size_t)ctl_call(c, "match", args, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return (int)k;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	if (json_array_size(json_object_get(r, "matches")) == 0)
		printf("No listing fits student %s now.\n", a->argv[0]);
	json_array_foreach(json_object_get(r, "matches"), i, e) {
		printf("%2zu. %-60s score %3lld\n    %s\n", i + 1,
		    json_string_value(json_object_get(e, "title")),
		    (long long)json_integer_value(json_object_get(e, "score")),
		    json_string_value(json_object_get(e, "listing")));
		json_array_foreach(json_object_get(e, "reasons"), k, reason)
			printf("    - %s\n", json_is_object(reason) ?
			    ctl_str(reason, "text") : json_string_value(reason));
	}
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_match_cmds[] = {
	{ "match", match, 1, 1, { "top=", NULL }, "STUDENT [--top N]",
	  "Ranks the live listings for a student: listings the student cannot "
	  "take (expired, full, too young on the start date, wrong modality, "
	  "too far) are left out; the rest are scored 0 to 100 for readiness, "
	  "growth, career fit and logistics, and every match lists its "
	  "reasons.  --top N (1 to 100, default 10) limits the list." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
