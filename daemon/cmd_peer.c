/*
 * cmd_peer.c: peer add/list/remove and sync: the operator's view of the
 * federation links (the links themselves are peer.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mentor.h"
#include "node.h"
#include "peer.h"
#include "peermsg.h"
#include "record.h"
#include "records.h"
#include "util.h"

static int
endpoint_valid(const char *ep)
{
	const char *colon;
	char *end;
	long port;

	if (strncmp(ep, "tcp://", 6) != 0 || strlen(ep) >= NODE_EP_MAX ||
	    strpbrk(ep, " \t\r\n") != NULL)
		return 0;
	if ((colon = strrchr(ep + 6, ':')) == NULL || colon == ep + 6)
		return 0;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port > 0 && port < 65536;
}

int
cmd_peer_add(struct cmd_ctx *c)
{
	uint8_t key[REC_KEY_LEN];
	const char *ep = NULL, *id, *org = NULL;
	char err[256];
	int rc, hub = 0;

	if ((rc = arg_str(c, "endpoint", 0, &ep)) != 0 ||
	    (rc = arg_str(c, "node_id", 1, &id)) != 0 ||
	    (rc = arg_str(c, "organization", 0, &org)) != 0 ||
	    (rc = arg_bool(c, "hub", &hub)) != 0)
		return rc;
	/* Without an endpoint the peer dials in (SPEC.md 12.1). */
	if (ep == NULL)
		ep = "";
	if (ep[0] != '\0' && !endpoint_valid(ep))
		return cmd_fail(c, MENTOR_EINVAL, "endpoint: expected "
		    "tcp://HOST:PORT (or none: the peer dials in), got "
		    "\"%.100s\"", ep);
	if (hex_decode(key, sizeof(key), id) != 0)
		return cmd_fail(c, MENTOR_EINVAL, "node_id: \"%.80s\" is not "
		    "a node id (64 hex digits)", id);
	if (org && (strlen(org) == 0 || strlen(org) > PM_NAME_MAX))
		return cmd_fail(c, MENTOR_EINVAL, "organization: 1 to %d "
		    "bytes", PM_NAME_MAX);
	if ((rc = peers_add(c->node->peers, key, ep, org, hub, err,
	    sizeof(err))) != 0)
		return rc == MENTOR_EEXIST ? cmd_fail(c, rc, "%s is %s", id,
		    err) : cmd_fail(c, rc, "%s", err);
	c->result = json_pack("{s:s,s:s,s:b}", "node_id", id, "endpoint", ep,
	    "hub", records_trust_hub(c->node->records, key));
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_peer_refused(struct cmd_ctx *c)
{
	c->result = peers_refused(c->node->peers);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_peer_remove(struct cmd_ctx *c)
{
	uint8_t key[REC_KEY_LEN];
	const char *id;
	int rc;

	if ((rc = arg_str(c, "node_id", 1, &id)) != 0)
		return rc;
	if (hex_decode(key, sizeof(key), id) != 0 ||
	    (rc = peers_remove(c->node->peers, key)) == MENTOR_ENOTFOUND)
		return cmd_fail(c, MENTOR_ENOTFOUND, "%.80s is not a peer",
		    id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = json_pack("{s:s}", "node_id", id);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_peer_list(struct cmd_ctx *c)
{
	c->result = peers_list(c->node->peers);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_sync_start(struct cmd_ctx *c)
{
	unsigned gen;
	size_t started;

	started = peers_sync_start(c->node->peers, &gen);
	c->result = json_pack("{s:i,s:I}", "generation", (int)gen, "peers",
	    (json_int_t)started);
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_sync_status(struct cmd_ctx *c)
{
	long long gen = 0;
	int rc;

	if ((rc = arg_int(c, "generation", 1, 0, 1LL << 31, &gen)) != 0)
		return rc;
	c->result = peers_sync_status(c->node->peers, (unsigned)gen);
	return c->result ? 0 : MENTOR_ENOMEM;
}
