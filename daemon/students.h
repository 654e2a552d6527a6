/*
 * students.h: the school node's students as stored (DB_STUDENTS: id ->
 * normalized JSON, see include/student.h).  Students are never federated
 * and never logged.
 */
#ifndef MENTOR_STUDENTS_H
#define MENTOR_STUDENTS_H

#include <jansson.h>

struct node;

/*
 * student_load: the normalized student object with this id (a new
 * reference, owned by the caller).  MENTOR_ENOTFOUND (also for an id that
 * cannot be one) or MENTOR_ESTORE.
 */
int	student_load(struct node *, const char *id, json_t **out);

#endif
