/*
 * cmd_listing.c: listings, records export/import, trust.
 */
#include "ctl.h"

const struct ctl_cmd ctl_listing_cmds[] = {
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
