/*
 * cmd_cert.c: cert.list, the certificates between this node and its
 * peers: those it issued as a hub (one per direct peer) and those its
 * peers issued about it, each with its dates and whether it still holds.
 * Read-only; the certificates themselves are made by peer.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mentor.h"
#include "node.h"
#include "peer.h"
#include "record.h"
#include "records.h"
#include "util.h"

/*
 * cert_json: the certificate author signed about subject (both hex), or
 * NULL (and *rc 0) when there is none.  "live" is false for an expired
 * or revoked one (a hub revokes with a newer, seconds-long certificate).
 */
static json_t *
cert_json(struct node *n, const uint8_t author[REC_KEY_LEN],
    const char *subject_hex, int *rc)
{
	char ref[REC_CERT_REF_LEN + 1], created[21], expires[21];
	uint8_t addr[REC_ADDR_LEN], who[REC_KEY_LEN], *buf = NULL;
	int64_t c, e, now = now_ms();
	const char *org = "";
	json_t *body = NULL, *j;
	struct rec r;
	unsigned kind;
	size_t len;

	*rc = 0;
	snprintf(ref, sizeof(ref), "%s%s", REC_CERT_PREFIX, subject_hex);
	rec_addr(addr, author, ref, strlen(ref));
	if (records_addr_info(n->records, addr, &kind, who, NULL, 0, &c,
	    &e) != 0 || kind != REC_CERTIFICATE)
		return NULL;
	if (records_current(n->records, addr, &buf, &len) == 0 &&
	    rec_decode(&r, buf, len) == 0 &&
	    (body = json_loadb((const char *)r.body, r.body_len, 0,
	    NULL)) != NULL &&
	    json_is_string(json_object_get(body, "organization")))
		org = json_string_value(json_object_get(body, "organization"));
	time_format(created, c);
	time_format(expires, e);
	j = json_pack("{s:s,s:s,s:s,s:b,s:I}", "organization", org,
	    "created", created, "expires", expires, "live", e > now,
	    "days_left", (json_int_t)(e > now ? (e - now) / 86400000 : 0));
	json_decref(body);
	free(buf);
	if (j == NULL)
		*rc = MENTOR_ENOMEM;
	return j;
}

int
cmd_cert_list(struct cmd_ctx *c)
{
	uint8_t key[REC_KEY_LEN];
	json_t *peers, *p, *issued, *received, *e;
	const char *hex, *name;
	size_t i;
	int rc = MENTOR_ENOMEM;

	issued = json_array();
	received = json_array();
	if ((peers = peers_list(c->node->peers)) == NULL || issued == NULL ||
	    received == NULL)
		goto fail;
	json_array_foreach(peers, i, p) {
		hex = json_string_value(json_object_get(p, "node_id"));
		name = json_string_value(json_object_get(p, "name"));
		if (hex == NULL || hex_decode(key, sizeof(key), hex) != 0)
			continue;
		/* What this node says about the peer... */
		if ((e = cert_json(c->node, c->node->sign_pk, hex, &rc)) !=
		    NULL) {
			json_object_set_new(e, "subject", json_string(hex));
			json_object_set_new(e, "name", json_string(name ?
			    name : ""));
			if (json_array_append_new(issued, e) != 0)
				goto fail;
		} else if (rc != 0)
			goto fail;
		/* ...and what the peer says about this node. */
		if ((e = cert_json(c->node, key, c->node->id_hex, &rc)) !=
		    NULL) {
			json_object_set_new(e, "issuer", json_string(hex));
			json_object_set_new(e, "name", json_string(name ?
			    name : ""));
			json_object_set_new(e, "hub", json_incref(
			    json_object_get(p, "hub")));
			if (json_array_append_new(received, e) != 0)
				goto fail;
		} else if (rc != 0)
			goto fail;
	}
	json_decref(peers);
	c->result = json_pack("{s:s,s:s,s:o,s:o}", "node_id",
	    c->node->id_hex, "role", node_role_name(c->node->conf.role),
	    "issued", issued,
	    "received", received);
	return c->result ? 0 : MENTOR_ENOMEM;
fail:
	json_decref(peers);
	json_decref(issued);
	json_decref(received);
	return cmd_fail(c, MENTOR_ENOMEM, "out of memory");
}
