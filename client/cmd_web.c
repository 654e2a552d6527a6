/*
 * cmd_web.c: the web's staff accounts, students' sign-in codes and API
 * tokens: mentorctl web user|code|token ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ctl.h"

/* read_password: the first line of stdin (without its newline). */
static int
read_password(char **pw)
{
	size_t len;
	int rc;

	if ((rc = ctl_read_file("-", 4096, pw, &len)) != EX_OK)
		return rc;
	(*pw)[strcspn(*pw, "\r\n")] = '\0';
	return EX_OK;
}

/* print_setup: the set-up link (or token when the web is off). */
static void
print_setup(const json_t *r, const char *name)
{
	const char *url = ctl_str(r, "setup_url");

	if (*url)
		printf("set-up link for %s (one use, valid 72 hours):\n  %s\n",
		    name, url);
	else
		printf("set-up token for %s (one use, valid 72 hours; the web "
		    "is off):\n  %s\n", name, ctl_str(r, "setup_token"));
}

static int
user_set(struct ctl *c, const struct ctl_args *a, const char *cmd,
    const char *role, int stdin_opt)
{
	json_t *args, *r;
	char *pw = NULL;
	int rc;

	args = json_pack("{s:s}", "name", a->argv[0]);
	if (role)
		json_object_set_new(args, "role", json_string(role));
	if (a->opt[stdin_opt]) {
		if ((rc = read_password(&pw)) != EX_OK) {
			json_decref(args);
			return rc;
		}
		json_object_set_new(args, "password", json_string(pw));
		sodium_memzero(pw, strlen(pw));
		free(pw);
	}
	rc = ctl_call(c, cmd, args, NULL, 0, &r, NULL, NULL);
	if (rc != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else if (json_object_get(r, "setup_token"))
		print_setup(r, a->argv[0]);
	else
		printf("password set for %s\n", a->argv[0]);
	json_decref(r);
	return EX_OK;
}

static int
user_add(struct ctl *c, const struct ctl_args *a)
{
	if (a->opt[0] == NULL)
		return ctl_err(EX_USAGE, "web user add: --role coordinator, "
		    "employer or admin");
	return user_set(c, a, "web.user.add", a->opt[0], 1);
}

static int
user_passwd(struct ctl *c, const struct ctl_args *a)
{
	return user_set(c, a, "web.user.passwd", NULL, 0);
}

static int
user_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "web.user.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else {
		if (json_array_size(json_object_get(r, "users")) == 0)
			printf("No web accounts (add one with: mentorctl web "
			    "user add NAME --role ROLE).\n");
		json_array_foreach(json_object_get(r, "users"), i, e)
			printf("%-32s %-12s%s\n", ctl_str(e, "name"),
			    ctl_str(e, "role"), json_is_true(json_object_get(e,
			    "pending")) ? " (set-up link not used yet)" : "");
	}
	json_decref(r);
	return EX_OK;
}

static int
user_remove(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "web.user.remove", json_pack("{s:s}", "name",
	    a->argv[0]), "removed", "removed");
}

static int
code(struct ctl *c, const struct ctl_args *a)
{
	json_t *args, *ids, *r, *e;
	size_t i;
	int k, rc;

	if ((a->opt[0] != NULL) == (a->argc > 0))
		return ctl_err(EX_USAGE, "web code: name students or give "
		    "--all");
	if (a->opt[0])
		args = json_pack("{s:b}", "all", 1);
	else {
		ids = json_array();
		for (k = 0; k < a->argc; k++)
			json_array_append_new(ids, json_string(a->argv[k]));
		args = json_pack("{s:o}", "students", ids);
	}
	if ((rc = ctl_call(c, "web.code", args, NULL, 0, &r, NULL, NULL)) !=
	    EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		json_array_foreach(json_object_get(r, "codes"), i, e) {
			printf("%-20s %s", ctl_str(e, "student"),
			    ctl_str(e, "grouped"));
			if (*ctl_str(e, "url"))
				printf("  %s", ctl_str(e, "url"));
			putchar('\n');
		}
	json_decref(r);
	return EX_OK;
}

static int
code_revoke(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "web.code.revoke", json_pack("{s:s}", "student",
	    a->argv[0]), "revoked", "revoked");
}

static int
token_add(struct ctl *c, const struct ctl_args *a)
{
	json_t *r;
	int rc;

	if (a->opt[0] == NULL)
		return ctl_err(EX_USAGE, "web token add: --role coordinator, "
		    "employer, admin or metrics");
	if ((rc = ctl_call(c, "web.token.add", json_pack("{s:s,s:s}", "name",
	    a->argv[0], "role", a->opt[0]), NULL, 0, &r, NULL, NULL)) !=
	    EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		printf("%s\n", ctl_str(r, "token"));
	json_decref(r);
	return EX_OK;
}

static int
token_revoke(struct ctl *c, const struct ctl_args *a)
{
	return ctl_run(c, "web.token.revoke", json_pack("{s:s}", "name",
	    a->argv[0]), "revoked", "revoked");
}

static int
token_list(struct ctl *c, const struct ctl_args *a)
{
	json_t *r, *e;
	size_t i;
	int rc;

	(void)a;
	if ((rc = ctl_call(c, "web.token.list", NULL, NULL, 0, &r, NULL,
	    NULL)) != EX_OK)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else
		json_array_foreach(json_object_get(r, "tokens"), i, e)
			printf("%-32s %s\n", ctl_str(e, "name"),
			    ctl_str(e, "role"));
	json_decref(r);
	return EX_OK;
}

const struct ctl_cmd ctl_web_cmds[] = {
	{ "web user add", user_add, 1, 1, { "role=", "password-stdin", NULL },
	  "NAME --role coordinator|employer|admin [--password-stdin]",
	  "Creates a staff account for the web.  Without --password-stdin "
	  "it prints a one-time set-up link (valid 72 hours) where the person "
	  "chooses a password; with it the first line of standard input is "
	  "the password (at least 10 characters), stored as an Argon2id "
	  "hash." },
	{ "web user list", user_list, 0, 0, { NULL }, "",
	  "Lists the web's staff accounts and their roles." },
	{ "web user remove", user_remove, 1, 1, { NULL }, "NAME",
	  "Removes an account; its sessions end at once." },
	{ "web user passwd", user_passwd, 1, 1, { "password-stdin", NULL },
	  "NAME [--password-stdin]",
	  "Resets an account's password: a new set-up link, or the password "
	  "read from standard input.  Every session of the account ends." },
	{ "web code", code, 0, 1000, { "all", NULL }, "STUDENT...|--all",
	  "Issues a sign-in code for each student named (or every student "
	  "with --all) and prints it grouped for reading aloud (ABCD-EFGH-JK) "
	  "with a sign-in URL that can be printed as a QR code.  A new code "
	  "replaces the student's earlier one and ends its sessions." },
	{ "web code revoke", code_revoke, 1, 1, { NULL }, "STUDENT",
	  "Revokes the student's sign-in code and ends the student's web "
	  "sessions at once." },
	{ "web token add", token_add, 1, 1, { "role=", NULL },
	  "NAME --role coordinator|employer|admin|metrics",
	  "Issues an API token for scripts (Authorization: Bearer TOKEN) and "
	  "prints it once; the node keeps only its hash.  A metrics token "
	  "reads the web's /metrics and nothing else (for Prometheus)." },
	{ "web token revoke", token_revoke, 1, 1, { NULL }, "NAME",
	  "Revokes an API token at once." },
	{ "web token list", token_list, 0, 0, { NULL }, "",
	  "Lists the API tokens by name and role." },
	{ NULL, NULL, 0, 0, { NULL }, NULL, NULL }
};
