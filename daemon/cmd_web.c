/*
 * cmd_web.c: the web's accounts, sign-in codes and API tokens as
 * commands (web.user.*, web.code, web.code.revoke, web.token.*), so the
 * operator reaches them through mentorctl and a coordinator issues codes
 * from the web.  The work is in web_auth.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "http.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "students.h"
#include "web_auth.h"

#define CODES_MAX	5000	/* students per web.code call */

static json_t *
link_of(struct cmd_ctx *c, const char *what, const char *secret)
{
	char base[NODE_EP_MAX + 16], url[NODE_EP_MAX + 128];

	http_base_url(c->node, base, sizeof(base));
	if (base[0] == '\0')
		return json_null();
	snprintf(url, sizeof(url), "%s/#%s=%s", base, what, secret);
	return json_string(url);
}

/* arg_role: a staff role, or also "metrics" for an API token. */
static int
arg_role(struct cmd_ctx *c, int *role, int token)
{
	const char *s;
	int rc;

	if ((rc = arg_str(c, "role", 1, &s)) != 0)
		return rc;
	if ((*role = web_role_parse(s)) < 0 || *role == WEB_ROLE_STUDENT ||
	    (*role == WEB_ROLE_METRICS && !token))
		return cmd_fail(c, MENTOR_EINVAL, "role: coordinator, "
		    "employer%s or admin, not \"%.40s\"", token ? ", metrics" :
		    "", s);
	return 0;
}

int
cmd_web_user_add(struct cmd_ctx *c)
{
	const char *name, *pw = NULL;
	char setup[WEB_SECRET_HEX], err[256];
	int role, rc;

	if ((rc = arg_str(c, "name", 1, &name)) != 0 ||
	    (rc = arg_role(c, &role, 0)) != 0 ||
	    (rc = arg_str(c, "password", 0, &pw)) != 0)
		return rc;
	if ((rc = web_user_add(c->node, name, role, pw, setup, err,
	    sizeof(err))) != 0)
		return cmd_fail(c, rc, "%s", err);
	c->result = json_pack("{s:s,s:s}", "name", name, "role",
	    web_role_name(role));
	if (pw == NULL) {
		json_object_set_new(c->result, "setup_url", link_of(c,
		    "setup", setup));
		json_object_set_new(c->result, "setup_token",
		    json_string(setup));
	}
	sodium_memzero(setup, sizeof(setup));
	return 0;
}

int
cmd_web_user_list(struct cmd_ctx *c)
{
	json_t *users;
	int rc;

	if ((rc = web_user_list(c->node, &users)) != 0)
		return cmd_fail(c, rc, "cannot read the accounts");
	c->result = json_pack("{s:o}", "users", users);
	return 0;
}

int
cmd_web_user_remove(struct cmd_ctx *c)
{
	const char *name;
	int rc;

	if ((rc = arg_str(c, "name", 1, &name)) != 0)
		return rc;
	if ((rc = web_user_remove(c->node, name)) == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "name: no account \"%.64s\"", name);
	if (rc != 0)
		return cmd_fail(c, rc, "cannot remove the account");
	c->result = json_pack("{s:s}", "removed", name);
	return 0;
}

int
cmd_web_user_passwd(struct cmd_ctx *c)
{
	const char *name, *pw = NULL;
	char setup[WEB_SECRET_HEX], err[256];
	int rc;

	if ((rc = arg_str(c, "name", 1, &name)) != 0 ||
	    (rc = arg_str(c, "password", 0, &pw)) != 0)
		return rc;
	if ((rc = web_user_passwd(c->node, name, pw, setup, err,
	    sizeof(err))) != 0)
		return cmd_fail(c, rc, "%s", err);
	c->result = json_pack("{s:s}", "name", name);
	if (pw == NULL) {
		json_object_set_new(c->result, "setup_url", link_of(c,
		    "setup", setup));
		json_object_set_new(c->result, "setup_token",
		    json_string(setup));
	}
	sodium_memzero(setup, sizeof(setup));
	return 0;
}

struct all_students {
	json_t	*ids;
};

static int
students_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	struct all_students *a = arg;

	(void)val;
	(void)vlen;
	if (json_array_size(a->ids) >= CODES_MAX)
		return MENTOR_ETOOBIG;
	return json_array_append_new(a->ids, json_stringn(key, klen)) == 0 ?
	    0 : MENTOR_ENOMEM;
}

static int
students_tx(struct store_txn *t, void *arg)
{
	int rc = store_iter(t, DB_STUDENTS, NULL, 0, students_each, arg);

	return rc < 0 ? rc : 0;
}

/* code_entry: {student, code, grouped, url}. */
static json_t *
code_entry(struct cmd_ctx *c, const char *student, const char *code)
{
	char grouped[WEB_CODE_LEN + 3];

	snprintf(grouped, sizeof(grouped), "%.4s-%.4s-%.2s", code, code + 4,
	    code + 8);
	return json_pack("{s:s,s:s,s:s,s:o}", "student", student, "code",
	    code, "grouped", grouped, "url", link_of(c, "code", code));
}

int
cmd_web_code(struct cmd_ctx *c)
{
	struct all_students a = { NULL };
	char code[WEB_CODE_LEN + 1];
	json_t *list, *codes, *v;
	int all = 0, rc;
	size_t i;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_bool(c, "all", &all)) != 0)
		return rc;
	list = json_object_get(c->req->args, "students");
	if (all == (list != NULL))
		return cmd_fail(c, MENTOR_EINVAL, "students: give a list of "
		    "student ids or all: true");
	if (!all) {
		if (!json_is_array(list) || json_array_size(list) == 0 ||
		    json_array_size(list) > CODES_MAX)
			return cmd_fail(c, MENTOR_EINVAL, "students: a list "
			    "of 1 to %d student ids", CODES_MAX);
		json_array_foreach(list, i, v)
			if (!json_is_string(v))
				return cmd_fail(c, MENTOR_EINVAL, "students[%zu]: "
				    "must be a string", i);
		a.ids = json_incref(list);
	} else {
		if ((a.ids = json_array()) == NULL)
			return MENTOR_ENOMEM;
		if ((rc = store_read(c->node->store, students_tx, &a)) != 0) {
			json_decref(a.ids);
			return cmd_fail(c, rc, rc == MENTOR_ETOOBIG ? "over %d "
			    "students; issue codes by class" : "cannot read "
			    "the students", CODES_MAX);
		}
	}
	if ((codes = json_array()) == NULL) {
		json_decref(a.ids);
		return MENTOR_ENOMEM;
	}
	/* Check every id before issuing any, so a typo issues nothing. */
	json_array_foreach(a.ids, i, v) {
		json_t *s = NULL;

		if (student_load(c->node, json_string_value(v), &s) != 0) {
			rc = cmd_fail(c, MENTOR_ENOTFOUND, "students[%zu]: no "
			    "student \"%.64s\" on this node", i,
			    json_string_value(v));
			goto fail;
		}
		json_decref(s);
	}
	json_array_foreach(a.ids, i, v) {
		if ((rc = web_code_issue(c->node, json_string_value(v),
		    code)) != 0) {
			rc = cmd_fail(c, rc, "cannot issue a code for "
			    "students[%zu]", i);
			goto fail;
		}
		json_array_append_new(codes, code_entry(c,
		    json_string_value(v), code));
		sodium_memzero(code, sizeof(code));
	}
	json_decref(a.ids);
	c->result = json_pack("{s:o}", "codes", codes);
	return 0;
fail:
	json_decref(a.ids);
	json_decref(codes);
	return rc;
}

int
cmd_web_code_revoke(struct cmd_ctx *c)
{
	const char *s;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &s)) != 0)
		return rc;
	if ((rc = web_code_revoke(c->node, s)) != 0)
		return cmd_fail(c, rc, "cannot revoke the code");
	c->result = json_pack("{s:s}", "revoked", s);
	return 0;
}

int
cmd_web_token_add(struct cmd_ctx *c)
{
	const char *name;
	char tok[WEB_SECRET_HEX];
	int role, rc;

	if ((rc = arg_str(c, "name", 1, &name)) != 0 ||
	    (rc = arg_role(c, &role, 1)) != 0)
		return rc;
	if (!web_name_valid(name))
		return cmd_fail(c, MENTOR_EINVAL, "name: 1 to %d letters, "
		    "digits or ._@-", WEB_NAME_MAX);
	if ((rc = web_token_add(c->node, name, role, tok)) == MENTOR_EEXIST)
		return cmd_fail(c, rc, "name: a token \"%s\" exists; revoke "
		    "it first", name);
	if (rc != 0)
		return cmd_fail(c, rc, "cannot store the token");
	c->result = json_pack("{s:s,s:s,s:s}", "name", name, "role",
	    web_role_name(role), "token", tok);
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

int
cmd_web_token_revoke(struct cmd_ctx *c)
{
	const char *name;
	int rc;

	if ((rc = arg_str(c, "name", 1, &name)) != 0)
		return rc;
	if ((rc = web_token_revoke(c->node, name)) == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "name: no token \"%.64s\"", name);
	if (rc != 0)
		return cmd_fail(c, rc, "cannot revoke the token");
	c->result = json_pack("{s:s}", "revoked", name);
	return 0;
}

int
cmd_web_token_list(struct cmd_ctx *c)
{
	json_t *t;
	int rc;

	if ((rc = web_token_list(c->node, &t)) != 0)
		return cmd_fail(c, rc, "cannot read the tokens");
	c->result = json_pack("{s:o}", "tokens", t);
	return 0;
}
