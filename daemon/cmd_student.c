/*
 * cmd_student.c: student import/list/show/delete and students' own keys.  Students live only in
 * the school node's store (DB_STUDENTS: id -> normalized JSON); they are
 * never federated and never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apps.h"
#include "cmd.h"
#include "log.h"
#include "mentor.h"
#include "node.h"
#include "store.h"
#include "student.h"
#include "students.h"
#include "util.h"

struct import_arg {
	json_t	*arr;
	size_t	 created;
	int32_t	 today;
	char	*err;
	size_t	 errlen;
};

static int
import_fn(struct store_txn *t, void *arg)
{
	struct import_arg *a = arg;
	const char *id, *bd;
	const void *v;
	size_t i, vlen;
	int32_t born;
	json_t *s;
	char *enc;
	int rc;

	a->created = 0;
	json_array_foreach(a->arr, i, s) {
		id = json_string_value(json_object_get(s, "id"));
		bd = json_string_value(json_object_get(s, "birth_date"));
		if (date_parse(bd, &born) != 0 || born > a->today) {
			snprintf(a->err, a->errlen, "item %zu (%s): "
			    "birth_date: in the future", i + 1, id);
			return MENTOR_EINVAL;
		}
		if (store_get(t, DB_STUDENTS, id, strlen(id), &v, &vlen) ==
		    MENTOR_ENOTFOUND)
			a->created++;
		if ((enc = json_dumps(s, JSON_COMPACT)) == NULL)
			return MENTOR_ENOMEM;
		rc = store_put(t, DB_STUDENTS, id, strlen(id), enc,
		    strlen(enc));
		free(enc);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
cmd_student_import(struct cmd_ctx *c)
{
	struct import_arg a;
	const char *fmt = NULL;
	json_t *arr = NULL;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "format", 1, &fmt)) != 0)
		return rc;
	if (c->data == NULL)
		return cmd_fail(c, MENTOR_EINVAL, "student.import needs the "
		    "file as a data frame");
	if (strcmp(fmt, "csv") == 0)
		rc = student_parse_csv((const char *)c->data, c->datalen, &arr,
		    c->err, sizeof(c->err));
	else if (strcmp(fmt, "json") == 0)
		rc = student_parse_array((const char *)c->data, c->datalen,
		    &arr, c->err, sizeof(c->err));
	else
		return cmd_fail(c, MENTOR_EINVAL, "format: csv or json");
	if (rc != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.arr = arr;
	a.today = (int32_t)(now_ms() / 86400000);
	a.err = c->err;
	a.errlen = sizeof(c->err);
	rc = store_write(c->node->store, import_fn, &a);
	if (rc == 0) {
		c->result = json_pack("{s:I,s:I,s:I}",
		    "imported", (json_int_t)json_array_size(arr),
		    "created", (json_int_t)a.created,
		    "updated", (json_int_t)(json_array_size(arr) - a.created));
		log_info("students: %zu imported", json_array_size(arr));
		rc = c->result ? 0 : MENTOR_ENOMEM;
	} else if (c->err[0] == '\0')
		cmd_fail(c, rc, "store failed; nothing was imported");
	json_decref(arr);
	return rc;
}

static int
list_each(const void *key, size_t klen, const void *val, size_t vlen,
    void *arg)
{
	json_t *list = arg, *s, *e;

	(void)key;
	(void)klen;
	if ((s = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;
	e = json_pack("{s:O,s:O,s:O?,s:O}", "id", json_object_get(s, "id"),
	    "name", json_object_get(s, "name"),
	    "grade", json_object_get(s, "grade"),
	    "birth_date", json_object_get(s, "birth_date"));
	json_decref(s);
	if (e == NULL || json_array_append_new(list, e) != 0)
		return MENTOR_ENOMEM;
	return 0;
}

static int
list_fn(struct store_txn *t, void *arg)
{
	return store_iter(t, DB_STUDENTS, NULL, 0, list_each, arg);
}

int
cmd_student_list(struct cmd_ctx *c)
{
	int rc;

	if ((rc = cmd_school_only(c)) != 0)
		return rc;
	if ((c->result = json_array()) == NULL)
		return MENTOR_ENOMEM;
	if ((rc = store_read(c->node->store, list_fn, c->result)) != 0)
		return cmd_fail(c, rc, "store failed");
	return 0;
}

struct del_arg {
	const char	*id;
	struct node	*node;
};

int
cmd_student_show(struct cmd_ctx *c)
{
	const char *id;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_student(c, "id", &id)) != 0)
		return rc;
	rc = student_load(c->node, id, &c->result);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	return 0;
}

static int
delete_fn(struct store_txn *t, void *arg)
{
	struct del_arg *g = arg;
	int rc;

	if ((rc = store_del(t, DB_STUDENTS, g->id, strlen(g->id))) != 0)
		return rc;
	/* Consents, applications; the audit log keeps a pseudonym. */
	return apps_student_forget(t, g->node, g->id);
}

int
cmd_student_delete(struct cmd_ctx *c)
{
	struct del_arg g = { NULL, c->node };
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "id", 1, &g.id)) != 0)
		return rc;
	if (strlen(g.id) == 0 || strlen(g.id) > STUDENT_ID_MAX)
		return cmd_fail(c, MENTOR_ENOTFOUND, "no student \"%.64s\"",
		    g.id);
	rc = store_write(c->node->store, delete_fn, &g);
	if (rc == MENTOR_ENOTFOUND)
		return cmd_fail(c, rc, "no student \"%.64s\"", g.id);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	log_info("students: one deleted");
	c->result = json_pack("{s:s}", "id", g.id);
	return c->result ? 0 : MENTOR_ENOMEM;
}

/* ---- students' own keys --------------------------------------------- */

int
cmd_student_key(struct cmd_ctx *c)
{
	struct node *n = c->node;
	const char *student;
	uint8_t pk[32], sk[32];
	char pkh[65], skh[65], srv[65];
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &student)) != 0)
		return rc;
	crypto_box_keypair(pk, sk);
	rc = apps_key_add(n, pk, student);
	if (rc == MENTOR_ENOTFOUND) {
		sodium_memzero(sk, sizeof(sk));
		return cmd_fail(c, rc, "no student \"%.64s\"", student);
	}
	if (rc != 0) {
		sodium_memzero(sk, sizeof(sk));
		return cmd_fail(c, rc, "store failed");
	}
	hex_encode(pkh, pk, 32);
	hex_encode(skh, sk, 32);
	hex_encode(srv, n->curve_pk, 32);
	sodium_memzero(sk, sizeof(sk));
	/* The secret leaves the node once, to be handed to the student. */
	c->result = json_pack("{s:s,s:s,s:s,s:s,s:s}", "student", student,
	    "public_key", pkh, "secret_key", skh, "server_key", srv,
	    "endpoint", n->conf.student_listen);
	sodium_memzero(skh, sizeof(skh));
	log_info("students: a key was issued");
	return c->result ? 0 : MENTOR_ENOMEM;
}

int
cmd_student_key_revoke(struct cmd_ctx *c)
{
	const char *student;
	size_t n = 0;
	int rc;

	if ((rc = cmd_school_only(c)) != 0 ||
	    (rc = arg_str(c, "student", 1, &student)) != 0)
		return rc;
	rc = apps_key_revoke(c->node, student, &n);
	if (rc != 0)
		return cmd_fail(c, rc, "store failed");
	c->result = json_pack("{s:s,s:I}", "student", student, "revoked",
	    (json_int_t)n);
	return c->result ? 0 : MENTOR_ENOMEM;
}

