/*
 * students.c: reading a stored student; the commands that change students
 * are in cmd_student.c.
 */
#include <string.h>

#include "mentor.h"
#include "node.h"
#include "store.h"
#include "student.h"
#include "students.h"

struct get_arg {
	const char	*id;
	json_t		*student;
};

static int
get_fn(struct store_txn *t, void *arg)
{
	struct get_arg *g = arg;
	const void *v;
	size_t vlen;
	int rc;

	if ((rc = store_get(t, DB_STUDENTS, g->id, strlen(g->id), &v,
	    &vlen)) != 0)
		return rc;
	g->student = json_loadb(v, vlen, 0, NULL);
	return g->student ? 0 : MENTOR_ESTORE;
}

int
student_load(struct node *n, const char *id, json_t **out)
{
	struct get_arg g = { id, NULL };
	int rc;

	if (strlen(id) == 0 || strlen(id) > STUDENT_ID_MAX)
		return MENTOR_ENOTFOUND;
	if ((rc = store_read(n->store, get_fn, &g)) != 0)
		return rc;
	*out = g.student;
	return 0;
}
