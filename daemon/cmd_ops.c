/*
 * cmd_ops.c: client API commands for operators: names, the human names
 * of the codes that mentorctl shows (competencies, occupations,
 * clusters, listing ids, this node's id).
 */
#include <string.h>

#include "cmd.h"
#include "frameworks.h"
#include "match.h"
#include "matching.h"
#include "mentor.h"
#include "node.h"
#include "record.h"
#include "util.h"

#define NAMES_MAX	1000	/* codes in one request */

/* title: the title of a live listing by its 32-hex id, or NULL. */
static const char *
title(const struct node *n, const char *hex)
{
	const struct match_index *mi = matching_index(n);
	uint8_t addr[REC_ADDR_LEN];

	if (mi == NULL || strlen(hex) != 2 * REC_ADDR_LEN ||
	    hex_decode(addr, sizeof(addr), hex) != 0)
		return NULL;
	return match_title(mi, addr);
}

/*
 * cmd_names: {"codes": [CODE...]} -> {CODE: NAME} for the codes the node
 * knows; unknown codes are left out.
 */
int
cmd_names(struct cmd_ctx *c)
{
	const struct frameworks *fw = matching_frameworks(c->node);
	json_t *codes = json_object_get(c->req->args, "codes"), *v;
	const char *code, *name;
	size_t i;

	if (!json_is_array(codes))
		return cmd_fail(c, MENTOR_EINVAL, "codes: expected an array "
		    "of strings");
	if (json_array_size(codes) > NAMES_MAX)
		return cmd_fail(c, MENTOR_ETOOBIG, "codes: at most %d",
		    NAMES_MAX);
	if ((c->result = json_object()) == NULL)
		return MENTOR_ENOMEM;
	json_array_foreach(codes, i, v) {
		if ((code = json_string_value(v)) == NULL)
			return cmd_fail(c, MENTOR_EINVAL, "codes: item %zu: "
			    "must be a string", i + 1);
		name = NULL;
		if (strcmp(code, c->node->id_hex) == 0)
			name = c->node->conf.name;
		else if ((name = title(c->node, code)) != NULL)
			;
		else if (fw && (name = fw_competency_name(fw, code)) == NULL &&
		    (name = fw_cluster_name(fw, code)) == NULL)
			name = fw_occupation_title(fw, code);
		if (name && json_object_set_new(c->result, code,
		    json_string(name)) != 0)
			return MENTOR_ENOMEM;
	}
	return 0;
}
