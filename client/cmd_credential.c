/*
 * cmd_credential.c: checking an Open Badges 3.0 credential offline: no
 * node is needed, only the file (protocol/credential.c does the work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "ctl.h"
#include "mentor.h"
#include "util.h"

#define CRED_FILE_MAX	(1u << 20)

static int
credential_verify(struct ctl *c, const struct ctl_args *a)
{
	json_error_t je;
	json_t *doc, *out;
	const json_t *iss, *ach;
	char *buf, err[256];
	size_t len;
	int rc;

	if ((rc = ctl_read_file(a->argv[0], CRED_FILE_MAX, &buf, &len)) != 0)
		return rc;
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (doc == NULL)
		return ctl_err(EX_FAIL, "%s: not a credential: line %d: %s",
		    a->argv[0], je.line, je.text);
	rc = cred_verify_ob3(doc, now_ms(), err, sizeof(err));
	iss = json_object_get(doc, "issuer");
	ach = json_object_get(json_object_get(doc, "credentialSubject"),
	    "achievement");
	if (c->json) {
		out = json_pack("{s:b,s:s,s:s?,s:s?,s:s?,s:s?}", "valid", rc == 0,
		    "file", a->argv[0], "error", rc ? err : NULL,
		    "issuer", json_is_string(iss) ? json_string_value(iss) :
		    json_string_value(json_object_get(iss, "id")),
		    "issuer_name", json_string_value(json_object_get(iss,
		    "name")), "achievement", json_string_value(
		    json_object_get(ach, "name")));
		ctl_print_json(out);
		json_decref(out);
	} else if (rc == 0) {
		printf("valid: \"%s\" issued by %s on %s\n",
		    ctl_str(ach, "name"), json_is_string(iss) ?
		    json_string_value(iss) : json_object_get(iss, "name") ?
		    ctl_str(iss, "name") : ctl_str(iss, "id"),
		    ctl_str(doc, "validFrom"));
	}
	json_decref(doc);
	if (rc != 0)
		return c->json ? EX_FAIL : ctl_err(EX_FAIL, "%s: not valid: "
		    "%s", a->argv[0], err);
	return EX_OK;
}

const struct ctl_cmd ctl_credential_cmds[] = {
	{ "credential verify", credential_verify, 1, 1, { NULL }, "FILE",
	  "Checks an Open Badges 3.0 credential (a .json file; - reads "
	  "stdin) without contacting any node: its shape, that its "
	  "eddsa-jcs-2022 proof was made by the issuer's did:key over exactly "
	  "this content, and its validity dates.  Exits 0 when valid, 1 with "
	  "the reason when not." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
