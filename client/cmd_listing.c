/*
 * cmd_listing.c: listing post/list/show/withdraw, records export/import,
 * trust add/list/remove.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "mentor.h"
#include "record.h"

#define POST_FILE_MAX	(8u << 20)
/*
 * The node checks and stores a chunk on its event loop (every core
 * helping): 1 MiB, about 1,700 listings, holds the loop about 0.1 s, so
 * heartbeats and other commands are answered during a long import.
 */
#define IMPORT_CHUNK	(1u << 20)

static int
listing_post(struct ctl *c, const struct ctl_args *a)
{
	json_error_t je;
	json_t *doc, *r;
	char *buf;
	size_t len;
	int rc;

	if ((rc = ctl_read_file(a->argv[0], POST_FILE_MAX, &buf, &len)) != 0)
		return rc;
	/*
	 * Checked here for the file's line and column; the document itself
	 * travels as the request's data frame and the node validates it.
	 */
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		free(buf);
		return ctl_err(EX_FAIL, "%s:%d:%d: %s", a->argv[0], je.line,
		    je.column, je.text);
	}
	if (!json_is_object(doc) && !json_is_array(doc)) {
		json_decref(doc);
		free(buf);
		return ctl_err(EX_FAIL, "%s: expected a listing object or an "
		    "array of them", a->argv[0]);
	}
	json_decref(doc);
	rc = ctl_call(c, "listing.post", NULL, (const uint8_t *)buf, len, &r,
	    NULL, NULL);
	free(buf);
	if (rc != EX_OK)
		return rc;
	return ctl_print_posted(c, r);
}

int
ctl_print_posted(struct ctl *c, json_t *r)
{
	json_t *ids;
	size_t i;

	if (c->json)
		ctl_print_json(r);
	else {
		ids = json_object_get(r, "ids");
		for (i = 0; i < json_array_size(ids); i++)
			printf("posted %s\n",
			    json_string_value(json_array_get(ids, i)));
	}
	json_decref(r);
	return EX_OK;
}

static int
listing_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	rc = ctl_call(c, "listing.list", NULL, NULL, 0, &r, NULL, NULL);
	if (rc != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else {
		if (json_array_size(r) > 0)
			printf("%-32s  %-14s  %-10s  %s\n", "ID", "KIND",
			    "MODALITY", "TITLE (ORGANIZATION)");
		json_array_foreach(r, i, e)
			printf("%-32s  %-14s  %-10s  %s (%s)\n", ctl_str(e, "id"),
			    ctl_str(e, "kind"), ctl_str(e, "modality"),
			    ctl_str(e, "title"), ctl_str(e, "organization"));
		printf("%zu %s\n", json_array_size(r), ctl_plural((long long)
		    json_array_size(r), "listing", "listings"));
	}
	json_decref(r);
	return EX_OK;
}

static void
print_comps(const char *label, const json_t *arr, const json_t *names)
{
	json_t *e;
	size_t i;

	if (json_array_size(arr) == 0)
		return;
	printf("%-13s", label);
	json_array_foreach(arr, i, e)
		printf("%s%s (level %lld)", i ? ", " : "",
		    ctl_name(names, ctl_str(e, "competency")),
		    (long long)json_integer_value(json_object_get(e, "level")));
	printf("\n");
}

static void
print_strings(const char *label, const json_t *arr, const json_t *names)
{
	json_t *e;
	size_t i;

	if (json_array_size(arr) == 0)
		return;
	printf("%-13s", label);
	json_array_foreach(arr, i, e)
		printf("%s%s", i ? ", " : "", ctl_name(names,
		    json_string_value(e)));
	printf("\n");
}

static int
listing_show(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *loc, *nm;
	char d[40];
	int rc;

	rc = ctl_call(c, "listing.show", json_pack("{s:s}", "id",
	    a->argv[0]), NULL, 0, &r, NULL, NULL);
	if (rc != EX_OK)
		return rc;
	if (c->json) {
		ctl_print_json(r);
		json_decref(r);
		return EX_OK;
	}
	nm = ctl_names(c, r);
	printf("%s\n%s\n\n", ctl_str(r, "title"), ctl_str(r, "organization"));
	printf("%-13s%s\n", "id:", ctl_str(r, "id"));
	printf("%-13s%s\n", "ref:", ctl_str(r, "ref"));
	printf("%-13s%s\n", "kind:", ctl_str(r, "kind"));
	printf("%-13s%s\n", "modality:", ctl_str(r, "modality"));
	if ((loc = json_object_get(r, "location")) != NULL)
		printf("%-13s%.4f, %.4f\n", "location:",
		    json_number_value(json_object_get(loc, "lat")),
		    json_number_value(json_object_get(loc, "lon")));
	printf("%-13s%lld\n", "capacity:",
	    (long long)json_integer_value(json_object_get(r, "capacity")));
	if (json_object_get(r, "min_age"))
		printf("%-13s%lld\n", "min age:", (long long)
		    json_integer_value(json_object_get(r, "min_age")));
	if (json_object_get(r, "start"))
		printf("%-13s%s to %s\n", "dates:", ctl_str(r, "start"),
		    json_object_get(r, "end") ? ctl_str(r, "end") : "open");
	print_strings("clusters:", json_object_get(r, "clusters"), nm);
	print_strings("occupations:", json_object_get(r, "occupations"), nm);
	print_comps("requires:", json_object_get(r, "requires"), nm);
	print_comps("develops:", json_object_get(r, "develops"), nm);
	printf("%-13s%s\n", "author:", ctl_name(nm, ctl_str(r, "author")));
	printf("%-13s%s\n", "created:", ctl_date(d, sizeof(d), ctl_str(r,
	    "created")));
	printf("%-13s%s\n", "expires:", ctl_date(d, sizeof(d), ctl_str(r,
	    "expires")));
	if (json_object_get(r, "description"))
		printf("\n%s\n", ctl_str(r, "description"));
	json_decref(nm);
	json_decref(r);
	return EX_OK;
}

static int
listing_withdraw(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "listing.withdraw", json_pack("{s:s}", "id",
	    a->argv[0]), "withdrew", "id");
}

static int
records_export(struct ctl *c, const struct ctl_args *a)
{
	uint8_t hdr[XS_HDR_LEN], *data;
	size_t len, total = 0;
	json_t *r, *args;
	char *last = NULL;
	FILE *f = stdout;
	int rc = EX_OK, more = 1;

	if (a->argc == 1 && strcmp(a->argv[0], "-") != 0) {
		if ((f = fopen(a->argv[0], "wbx")) == NULL)
			return ctl_err(EX_FAIL, "%s: %s%s", a->argv[0],
			    strerror(errno), errno == EEXIST ?
			    " (refusing to overwrite)" : "");
	} else if (isatty(STDOUT_FILENO))
		return ctl_err(EX_USAGE, "records export: refusing to write "
		    "a binary stream to a terminal (give a FILE or redirect)");
	xs_header_write(hdr);
	fwrite(hdr, 1, sizeof(hdr), f);
	while (more && rc == EX_OK) {
		args = last ? json_pack("{s:s}", "after", last) : NULL;
		rc = ctl_call(c, "records.export", args, NULL, 0, &r, &data,
		    &len);
		if (rc != EX_OK)
			break;
		if (data && len > 0 && fwrite(data, 1, len, f) != len)
			rc = ctl_err(EX_FAIL, "write: %s", strerror(errno));
		total += len;
		free(data);
		more = json_is_true(json_object_get(r, "more"));
		free(last);
		last = strdup(ctl_str(r, "last"));
		json_decref(r);
	}
	free(last);
	if (fflush(f) != 0 && rc == EX_OK)
		rc = ctl_err(EX_FAIL, "write: %s", strerror(errno));
	if (f != stdout && fclose(f) != 0 && rc == EX_OK)
		rc = ctl_err(EX_FAIL, "%s: %s", a->argv[0], strerror(errno));
	if (rc != EX_OK && f != stdout)
		unlink(a->argv[0]);	/* never leave half an export */
	else if (f != stdout && !c->json)
		printf("wrote %zu bytes to %s\n", total + XS_HDR_LEN,
		    a->argv[0]);
	return rc;
}

static int
records_import(struct ctl *c, const struct ctl_args *a)
{
	json_t *total_err, *r, *e;
	char *buf;
	size_t len, off, start, reclen, i, nrec = 0;
	size_t acc = 0, dup = 0, rej = 0;
	const uint8_t *rec;
	struct ctl_progress pr;
	size_t total = 0;
	int rc, xr = 1;

	if ((rc = ctl_read_file(a->argv[0], (size_t)1 << 32, &buf, &len)) != 0)
		return rc;
	if ((rc = xs_header_check((uint8_t *)buf, len)) != 0) {
		free(buf);
		return ctl_err(EX_FAIL, "%s: not a mentord export stream "
		    "(%s)", a->argv[0], rc == MENTOR_EVERSION ?
		    "unknown version" : "no MNTX header");
	}
	/* Counted first, for the progress line's total and time left. */
	for (off = XS_HDR_LEN; xs_next((uint8_t *)buf, len, &off, &rec,
	    &reclen) == 1; )
		total++;
	ctl_progress_begin(&pr, c, "importing", "records", total);
	total_err = json_array();
	off = XS_HDR_LEN;
	/*
	 * Whole frames go to the node in chunks; the node verifies every
	 * record.  A frame whose length is broken ends the chunk there and
	 * the node reports it (nothing after it can be trusted).
	 */
	while (off < len && xr == 1) {
		start = off;
		while (off - start < IMPORT_CHUNK &&
		    (xr = xs_next((uint8_t *)buf, len, &off, &rec,
		    &reclen)) == 1)
			;
		if (xr < 0)
			off = len;	/* send the broken tail along */
		rc = ctl_call(c, "records.import", json_pack("{s:I}", "first",
		    (json_int_t)nrec), (uint8_t *)buf + start, off - start,
		    &r, NULL, NULL);
		if (rc != EX_OK)
			break;
		acc += json_integer_value(json_object_get(r, "accepted"));
		dup += json_integer_value(json_object_get(r, "duplicates"));
		rej += json_integer_value(json_object_get(r, "rejected"));
		nrec += json_integer_value(json_object_get(r, "records"));
		json_array_foreach(json_object_get(r, "errors"), i, e)
			json_array_append(total_err, e);
		json_decref(r);
		ctl_progress_update(&pr, nrec);
		if (xr == 0)
			break;
		xr = 1;
		if (off >= len)
			break;
	}
	free(buf);
	ctl_progress_end(&pr);
	if (rc != EX_OK) {
		json_decref(total_err);
		return rc;
	}
	if (c->json) {
		r = json_pack("{s:I,s:I,s:I,s:o}", "accepted", (json_int_t)acc,
		    "rejected", (json_int_t)rej, "duplicates",
		    (json_int_t)dup, "errors", total_err);
		ctl_print_json(r);
		json_decref(r);
	} else {
		json_array_foreach(total_err, i, e)
			printf("record %lld: %s: %s\n", (long long)
			    json_integer_value(json_object_get(e, "record")),
			    ctl_str(e, "error"), ctl_str(e, "reason"));
		printf("%zu accepted, %zu rejected, %zu already held\n", acc,
		    rej, dup);
		json_decref(total_err);
	}
	if (rej > 0)
		return ctl_err(EX_FAIL, "%zu %s rejected", rej,
		    ctl_plural((long long)rej, "record", "records"));
	return EX_OK;
}

static int
trust_add(struct ctl *c, const struct ctl_args *a)
{
	json_t *args = json_pack("{s:s}", "node_id", a->argv[0]);

	if (a->opt[0])
		json_object_set_new(args, "note", json_string(a->opt[0]));
	if (a->opt[1])
		json_object_set_new(args, "hub", json_true());
	return ctl_run(c, "trust.add", args, "trusting", "node_id");
}

static int
trust_remove(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "trust.remove", json_pack("{s:s}", "node_id",
	    a->argv[0]), "no longer trusting", "node_id");
}

static int
trust_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "trust.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		json_array_foreach(r, i, e)
			printf("%s%s  %s\n", ctl_str(e, "node_id"),
			    json_is_true(json_object_get(e, "hub")) ?
			    "  hub" : "", ctl_str(e, "note"));
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_listing_cmds[] = {
	{ "listing post", listing_post, 1, 1, { NULL }, "FILE",
	  "Signs and publishes the listing object, or array of listing "
	  "objects, in FILE (- for standard input).  All or nothing: if one "
	  "listing is invalid, none is posted and the error names the "
	  "listing and the field.  Posting a listing with the same \"ref\" "
	  "again publishes a new version of it." },
	{ "listing list", listing_list, 0, 0, { NULL }, "",
	  "Lists the live listings this node holds, its own and federated "
	  "ones." },
	{ "listing show", listing_show, 1, 1, { NULL }, "ID",
	  "Shows one listing in full." },
	{ "listing withdraw", listing_withdraw, 1, 1, { NULL }, "ID",
	  "Signs and publishes a withdrawal of one of this node's listings; "
	  "it replaces every version of the listing on every node." },
	{ "records export", records_export, 0, 1, { NULL }, "[FILE]",
	  "Writes every stored signed record, exactly as signed, as an "
	  "export stream (protocol/SPEC.md section 5) to FILE (which must "
	  "not exist) or to standard output." },
	{ "records import", records_import, 1, 1, { NULL }, "FILE",
	  "Verifies and stores the records of an export stream.  Each "
	  "record is accepted or rejected on its own, with a reason; a "
	  "record that fails verification is never stored.  Exits 1 when "
	  "any record was rejected." },
	{ "trust add", trust_add, 1, 1, { "note=", "hub", NULL }, "NODE_ID "
	  "[--note TEXT] [--hub]",
	  "Accepts the records signed by NODE_ID (a node's public signing "
	  "key, 64 hex digits, as `mentorctl status` shows it).  With "
	  "--hub, NODE_ID is also a hub whose certificates this node "
	  "honours: it accepts the records of the keys NODE_ID certifies.  "
	  "Adding again replaces the note and the mark." },
	{ "trust list", trust_list, 0, 0, { NULL }, "",
	  "Lists the node ids this node trusts directly, and which of them "
	  "are marked as hubs." },
	{ "trust remove", trust_remove, 1, 1, { NULL }, "NODE_ID",
	  "Stops accepting new records signed by NODE_ID." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
