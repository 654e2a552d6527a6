/*
 * cmd_node.c: commands about the node itself: status.
 */
#include <stdio.h>

#include "ctl.h"

static void
print_field(const json_t *r, const char *label, const char *key)
{
	json_t *v = json_object_get(r, key);

	if (json_is_string(v))
		printf("%-10s %s\n", label, json_string_value(v));
	else if (json_is_integer(v))
		printf("%-10s %lld\n", label, (long long)json_integer_value(v));
}

static int
status(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	char buf[64];
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "status", NULL, NULL, 0, &r, NULL, NULL)) != 0)
		return rc;
	if (c->json) {
		ctl_print_json(r);
	} else {
		print_field(r, "name:", "name");
		print_field(r, "role:", "role");
		print_field(r, "node id:", "node_id");
		print_field(r, "listen:", "listen");
		print_field(r, "listings:", "listings");
		print_field(r, "students:", "students");
		print_field(r, "peers:", "peers");
		print_field(r, "trusted:", "trusted");
		print_field(r, "records:", "records");
		printf("%-10s %s\n", "uptime:", ctl_duration(buf, sizeof(buf),
		    (long long)json_integer_value(json_object_get(r,
		    "uptime_s"))));
		print_field(r, "version:", "version");
	}
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_node_cmds[] = {
	{ "status", status, 0, 0, { NULL }, "",
	  "Shows the node's name, role, id, and how many listings, students "
	  "and peers it holds." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
