/*
 * oneroster.c: OneRoster 1.1 / 1.2 CSV bundles into student rows
 * (oneroster.h).  The side files (manifest, orgs, demographics, roles)
 * are read into small maps first; users.csv is then read twice: once to
 * find, for each sourcedId, its latest row, then to turn those rows into
 * student_roster_row calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mentor.h"
#include "csv.h"
#include "oneroster.h"
#include "student.h"
#include "util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define COLS_MAX	12

struct ctx {
	struct student_roster	*r;
	const struct oneroster_file *users, *roles, *demo, *orgs, *manifest;
	char			 version[8];	/* "1.1", "1.2" */
	int			 delta_users, delta_demo;
	json_t			*org;		/* sourcedId -> [name, type] */
	json_t			*birth;		/* sourcedId -> birthDate */
	json_t			*role;		/* userSourcedId -> [student?,
						 * primary org] */
	json_t			*latest;	/* sourcedId -> [line, dlm] */
};

/* A file being read: its columns found by name. */
struct table {
	const struct oneroster_file *f;
	struct csv_reader	 rd;
	int			 col[COLS_MAX];
	size_t			 nf;
	const struct csv_field	*fld;
	size_t			 line;
};

static const struct oneroster_file *
find_file(const struct oneroster_file *files, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

/*
 * table_open: reads the header of f and finds each of names (NULL ends;
 * compared without case); col[i] is -1 when absent.  A missing column
 * listed in required is an error.  Returns 0 (also after an input error:
 * *ok is then 0) or MENTOR_ENOMEM.
 */
static int
table_open(struct ctx *c, struct table *t, const struct oneroster_file *f,
    const char *const *names, const char *const *required, int *ok)
{
	const struct csv_field *fld;
	char err[CSV_ERR_MAX];
	size_t nf, i, k;
	int rc;

	memset(t, 0, sizeof(*t));
	t->f = f;
	*ok = 0;
	for (k = 0; k < COLS_MAX; k++)
		t->col[k] = -1;
	csv_init(&t->rd, f->data, f->len, ',');
	rc = csv_next(&t->rd, &t->line, &fld, &nf, err, sizeof(err));
	if (rc == MENTOR_ENOMEM)
		return rc;
	if (rc <= 0)
		return student_roster_error(c->r, f->name, t->line, NULL, NULL,
		    0, "%s", rc == 0 ? "empty file (a header is required)" :
		    err);
	for (k = 0; names[k] != NULL && k < COLS_MAX; k++)
		for (i = 0; i < nf; i++)
			if (fld[i].n == strlen(names[k]) &&
			    strncasecmp(fld[i].p, names[k], fld[i].n) == 0) {
				t->col[k] = (int)i;
				break;
			}
	for (k = 0; required[k] != NULL; k++)
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], required[k]) == 0 &&
			    t->col[i] < 0)
				return student_roster_error(c->r, f->name, 1,
				    required[k], NULL, 0, "missing column");
	*ok = 1;
	return 0;
}

/*
 * table_next: the next row.  Returns 1, 0 at the end, or MENTOR_ENOMEM;
 * a malformed row is reported and skipped.
 */
static int
table_next(struct ctx *c, struct table *t)
{
	char err[CSV_ERR_MAX];
	int rc;

	for (;;) {
		rc = csv_next(&t->rd, &t->line, &t->fld, &t->nf, err,
		    sizeof(err));
		if (rc == 0 || rc == MENTOR_ENOMEM)
			return rc;
		if (rc < 0) {
			if (student_roster_error(c->r, t->f->name, t->line,
			    NULL, NULL, 0, "%s", err) != 0)
				return MENTOR_ENOMEM;
			continue;
		}
		if (t->nf == 1 && t->fld[0].n == 0)
			continue;	/* a blank line */
		return 1;
	}
}

/* cell: column k of the current row ("" when absent). */
static struct student_cell
cell(const struct table *t, int k)
{
	struct student_cell c = { "", 0 };
	int i = t->col[k];

	if (i >= 0 && (size_t)i < t->nf) {
		c.p = t->fld[i].p;
		c.n = t->fld[i].n;
	}
	return c;
}

/* A NUL-terminated string of column k: a new json string, or NULL. */
static json_t *
cell_json(const struct table *t, int k)
{
	struct student_cell c = cell(t, k);

	return json_stringn(c.p, c.n);
}

static int
cell_is(const struct table *t, int k, const char *s)
{
	struct student_cell c = cell(t, k);

	return c.n == strlen(s) && strncasecmp(c.p, s, c.n) == 0;
}

static int
read_manifest(struct ctx *c)
{
	static const char *const names[] = { "propertyName", "value", NULL };
	static const char *const req[] = { "propertyName", "value", NULL };
	struct table t;
	int rc, ok;

	if ((rc = table_open(c, &t, c->manifest, names, req, &ok)) != 0 ||
	    !ok)
		goto out;
	while ((rc = table_next(c, &t)) == 1) {
		struct student_cell v = cell(&t, 1);

		if (cell_is(&t, 0, "oneroster.version")) {
			if (!(v.n == 3 && (memcmp(v.p, "1.1", 3) == 0 ||
			    memcmp(v.p, "1.2", 3) == 0))) {
				rc = student_roster_error(c->r, t.f->name,
				    t.line, "value", v.p, v.n, "oneroster."
				    "version: 1.1 or 1.2");
				if (rc != 0)
					break;
				continue;
			}
			memcpy(c->version, v.p, 3);
			c->version[3] = '\0';
		} else if (cell_is(&t, 0, "file.users"))
			c->delta_users = v.n == 5 &&
			    strncasecmp(v.p, "delta", 5) == 0;
		else if (cell_is(&t, 0, "file.demographics"))
			c->delta_demo = v.n == 5 &&
			    strncasecmp(v.p, "delta", 5) == 0;
	}
out:
	csv_free(&t.rd);
	return rc < 0 ? rc : 0;
}

static int
read_orgs(struct ctx *c)
{
	static const char *const names[] = { "sourcedId", "status", "name",
	    "type", NULL };
	static const char *const req[] = { "sourcedId", "name", NULL };
	struct table t;
	json_t *v;
	int rc, ok;

	if ((rc = table_open(c, &t, c->orgs, names, req, &ok)) != 0 || !ok)
		goto out;
	while ((rc = table_next(c, &t)) == 1) {
		if (cell_is(&t, 1, "tobedeleted"))
			continue;
		v = json_pack("[o,o]", cell_json(&t, 2), cell_json(&t, 3));
		if (v == NULL || json_object_setn_new(c->org, cell(&t, 0).p,
		    cell(&t, 0).n, v) != 0) {
			rc = MENTOR_ENOMEM;
			break;
		}
	}
out:
	csv_free(&t.rd);
	return rc < 0 ? rc : 0;
}

static int
read_demographics(struct ctx *c)
{
	static const char *const names[] = { "sourcedId", "status",
	    "birthDate", NULL };
	static const char *const req[] = { "sourcedId", "birthDate", NULL };
	struct table t;
	int rc, ok;

	if ((rc = table_open(c, &t, c->demo, names, req, &ok)) != 0 || !ok)
		goto out;
	while ((rc = table_next(c, &t)) == 1) {
		if (cell_is(&t, 1, "tobedeleted") || cell(&t, 2).n == 0)
			continue;
		if (json_object_setn_new(c->birth, cell(&t, 0).p,
		    cell(&t, 0).n, cell_json(&t, 2)) != 0) {
			rc = MENTOR_ENOMEM;
			break;
		}
	}
out:
	csv_free(&t.rd);
	return rc < 0 ? rc : 0;
}

/* read_roles: (1.2) which users are students, and their primary org. */
static int
read_roles(struct ctx *c)
{
	static const char *const names[] = { "userSourcedId", "status",
	    "roleType", "role", "orgSourcedId", NULL };
	static const char *const req[] = { "userSourcedId", "role", NULL };
	struct student_cell u;
	struct table t;
	json_t *v;
	int rc, ok;

	if ((rc = table_open(c, &t, c->roles, names, req, &ok)) != 0 || !ok)
		goto out;
	while ((rc = table_next(c, &t)) == 1) {
		if (cell_is(&t, 1, "tobedeleted") || !cell_is(&t, 3, "student"))
			continue;
		u = cell(&t, 0);
		v = json_object_getn(c->role, u.p, u.n);
		if (v != NULL && !cell_is(&t, 2, "primary"))
			continue;	/* the primary role's org wins */
		v = json_pack("[b,o]", 1, cell_json(&t, 4));
		if (v == NULL || json_object_setn_new(c->role, u.p, u.n,
		    v) != 0) {
			rc = MENTOR_ENOMEM;
			break;
		}
	}
out:
	csv_free(&t.rd);
	return rc < 0 ? rc : 0;
}

enum { U_ID, U_STATUS, U_DLM, U_ROLE, U_ORGS, U_GIVEN, U_FAMILY,
    U_PGIVEN, U_PFAMILY, U_GRADES, U_PRIMARY };

static const char *const user_names[] = { "sourcedId", "status",
    "dateLastModified", "role", "orgSourcedIds", "givenName", "familyName",
    "preferredGivenName", "preferredFamilyName", "grades",
    "primaryOrgSourcedId", NULL };

/* dlm_ok: an ISO 8601 date or date-time ("2026-05-01T10:00:00.000Z"). */
static int
dlm_ok(struct student_cell d)
{
	char buf[11];
	int32_t days;
	size_t i;

	if (d.n < 10)
		return 0;
	memcpy(buf, d.p, 10);
	buf[10] = '\0';
	if (date_parse(buf, &days) != 0)
		return 0;
	if (d.n > 10 && d.p[10] != 'T')
		return 0;
	for (i = 11; i < d.n; i++)
		if (!((d.p[i] >= '0' && d.p[i] <= '9') || d.p[i] == ':' ||
		    d.p[i] == '.' || d.p[i] == 'Z' || d.p[i] == '+' ||
		    d.p[i] == '-'))
			return 0;
	return 1;
}

/* Pass 1: the latest row of each sourcedId (ties: the later row). */
static int
find_latest(struct ctx *c, const struct table *t0)
{
	struct student_cell id, d;
	struct table t = *t0;
	json_t *prev, *v;
	const char *pd;
	int rc;

	csv_init(&t.rd, t0->f->data, t0->f->len, ',');
	if ((rc = table_next(c, &t)) != 1)	/* the header */
		goto out;
	while ((rc = table_next(c, &t)) == 1) {
		id = cell(&t, U_ID);
		d = cell(&t, U_DLM);
		if (d.n > 0 && !dlm_ok(d))
			d.n = 0;	/* reported in pass 2 */
		prev = json_object_getn(c->latest, id.p, id.n);
		if (prev != NULL) {
			pd = json_string_value(json_array_get(prev, 1));
			if (d.n == 0 || strlen(pd) > d.n ||
			    strncmp(d.p, pd, d.n) < 0)
				continue;
		}
		v = json_pack("[I,s#]", (json_int_t)t.line, d.p, (int)d.n);
		if (v == NULL || json_object_setn_new(c->latest, id.p, id.n,
		    v) != 0) {
			rc = MENTOR_ENOMEM;
			break;
		}
	}
out:
	/* Drop the state the copy's reader allocated. */
	csv_free(&t.rd);
	return rc < 0 ? rc : 0;
}

/* grade_of: the highest grade of a grades list, as a grade cell. */
static int
grade_of(struct student_cell g, char *buf, size_t size, int *unknown)
{
	size_t i, start = 0;
	int best = -1, v;

	*unknown = 0;
	for (i = 0; i <= g.n; i++) {
		if (i < g.n && g.p[i] != ',')
			continue;
		const char *p = g.p + start;
		size_t n = i - start;

		start = i + 1;
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0)
			continue;
		if (n == 2 && strncasecmp(p, "KG", 2) == 0)
			v = 0;
		else if (n == 2 && p[0] >= '0' && p[0] <= '1' &&
		    p[1] >= '0' && p[1] <= '9' && (v = (p[0] - '0') * 10 +
		    (p[1] - '0')) >= 1 && v <= 13)
			;
		else {
			*unknown = 1;
			continue;
		}
		if (v > best)
			best = v;
	}
	if (best < 0)
		return 0;
	snprintf(buf, size, "%d", best);
	return 1;
}

static int
user_row(struct ctx *c, struct table *t, const unsigned char has[SC_NCOLS],
    const char *const names[SC_NCOLS], size_t *skipped)
{
	struct student_cell cells[SC_NCOLS], id, v;
	char grade[16];
	json_t *lt, *role = NULL, *org = NULL, *b;
	const char *orgid = NULL, *type;
	size_t i, k;
	int unknown, rc, maybe = 0;

	memset(cells, 0, sizeof(cells));
	for (i = 0; i < SC_NCOLS; i++)
		cells[i].p = "";
	id = cell(t, U_ID);
	lt = json_object_getn(c->latest, id.p, id.n);
	if (lt != NULL && (size_t)json_integer_value(json_array_get(lt,
	    0)) != t->line)
		return student_roster_warn(c->r, t->f->name, t->line, "an "
		    "older row of a sourcedId given again later (by "
		    "dateLastModified): skipped");
	/*
	 * 1.2 keeps roles in roles.csv, and a delta carries only the roles
	 * that changed: a user it gives without one is updated if on file
	 * (a student before), never added; a deleted one is deleted.
	 */
	if (strcmp(c->version, "1.1") == 0) {
		if (!cell_is(t, U_ROLE, "student")) {
			(*skipped)++;
			return 0;
		}
	} else if ((role = json_object_getn(c->role, id.p, id.n)) == NULL &&
	    !cell_is(t, U_ROLE, "student")) {
		if (!c->delta_users) {
			(*skipped)++;
			return 0;
		}
		maybe = 1;
	}
	v = cell(t, U_DLM);
	if (v.n > 0 && !dlm_ok(v) && (rc = student_roster_error(c->r,
	    t->f->name, t->line, "dateLastModified", v.p, v.n, "not an ISO "
	    "8601 date-time (2026-05-01T10:00:00Z)")) != 0)
		return rc;
	cells[SC_ID] = id;
	if (cell_is(t, U_STATUS, "tobedeleted")) {
		cells[SC_ACTION].p = "delete";
		cells[SC_ACTION].n = 6;
		return student_roster_row(c->r, t->f->name, t->line, cells,
		    has, names);
	}
	v = cell(t, U_STATUS);
	if (v.n > 0 && !cell_is(t, U_STATUS, "active") &&
	    (rc = student_roster_error(c->r, t->f->name, t->line, "status",
	    v.p, v.n, "must be active or tobedeleted (or empty)")) != 0)
		return rc;
	cells[SC_FIRST] = cell(t, U_PGIVEN).n ? cell(t, U_PGIVEN) :
	    cell(t, U_GIVEN);
	cells[SC_LAST] = cell(t, U_PFAMILY).n ? cell(t, U_PFAMILY) :
	    cell(t, U_FAMILY);
	if (grade_of(cell(t, U_GRADES), grade, sizeof(grade), &unknown)) {
		cells[SC_GRADE].p = grade;
		cells[SC_GRADE].n = strlen(grade);
	} else if (unknown && (rc = student_roster_warn(c->r, t->f->name,
	    t->line, "grades other than KG and 01 to 13 (PK, TK, UG, ...): "
	    "imported without a grade")) != 0)
		return rc;
	if ((b = json_object_getn(c->birth, id.p, id.n)) != NULL) {
		cells[SC_BIRTH].p = json_string_value(b);
		cells[SC_BIRTH].n = json_string_length(b);
	}
	/* The school: the primary org, else the first org that is one. */
	if (cell(t, U_PRIMARY).n > 0)
		org = json_object_getn(c->org, cell(t, U_PRIMARY).p,
		    cell(t, U_PRIMARY).n);
	if (org == NULL && role != NULL &&
	    (orgid = json_string_value(json_array_get(role, 1))) != NULL)
		org = json_object_get(c->org, orgid);
	v = cell(t, U_ORGS);
	for (i = 0, k = 0; org == NULL && i <= v.n; i++) {
		json_t *o;

		if (i < v.n && v.p[i] != ',')
			continue;
		o = json_object_getn(c->org, v.p + k, i - k);
		k = i + 1;
		type = json_string_value(json_array_get(o, 1));
		if (o != NULL && type != NULL && strcmp(type, "school") == 0)
			org = o;
	}
	if (org != NULL) {
		cells[SC_SCHOOL].p = json_string_value(json_array_get(org, 0));
		cells[SC_SCHOOL].n = json_string_length(json_array_get(org, 0));
	}
	if ((rc = student_roster_row(c->r, t->f->name, t->line, cells, has,
	    names)) != 0 || !maybe)
		return rc;
	return student_roster_update_only(c->r, id.p, id.n);
}

static int
read_users(struct ctx *c)
{
	static const char *const req12[] = { "sourcedId", "givenName",
	    "familyName", NULL };
	const char *names[SC_NCOLS];
	unsigned char has[SC_NCOLS];
	size_t skipped = 0;
	struct table t;
	int rc, ok;

	if ((rc = table_open(c, &t, c->users, user_names, req12, &ok)) != 0 ||
	    !ok)
		goto out;
	if (c->version[0] == '\0')
		snprintf(c->version, sizeof(c->version), "%s",
		    t.col[U_ROLE] >= 0 ? "1.1" : "1.2");
	if (strcmp(c->version, "1.1") == 0 && t.col[U_ROLE] < 0) {
		rc = student_roster_error(c->r, t.f->name, 1, "role", NULL, 0,
		    "missing column (OneRoster 1.1)");
		goto out;
	}
	if (strcmp(c->version, "1.2") == 0 && c->roles == NULL &&
	    t.col[U_ROLE] < 0) {
		rc = student_roster_error(c->r, "roles.csv", 0, NULL, NULL, 0,
		    "missing file (OneRoster 1.2 keeps roles there)");
		goto out;
	}
	if ((rc = find_latest(c, &t)) != 0)
		goto out;
	memset(has, 0, sizeof(has));
	memset(names, 0, sizeof(names));
	names[SC_ID] = "sourcedId";
	names[SC_NAME] = "givenName";
	names[SC_FIRST] = "givenName";
	names[SC_LAST] = "familyName";
	names[SC_BIRTH] = "birthDate (demographics.csv)";
	names[SC_GRADE] = "grades";
	names[SC_SCHOOL] = "orgSourcedIds";
	names[SC_ACTION] = "status";
	has[SC_ID] = has[SC_FIRST] = has[SC_LAST] = has[SC_ACTION] = 1;
	has[SC_GRADE] = t.col[U_GRADES] >= 0;
	has[SC_SCHOOL] = c->orgs != NULL;
	/* A delta's missing birth date is one on file, not an unknown. */
	has[SC_BIRTH] = c->demo != NULL && !c->delta_demo && !c->delta_users;
	student_roster_given(c->r, STUDENT_F_NAME |
	    (has[SC_GRADE] && !c->delta_users ? STUDENT_F_GRADE : 0) |
	    (c->orgs && !c->delta_users ? STUDENT_F_SCHOOL : 0) |
	    (c->demo && !c->delta_demo && !c->delta_users ?
	    STUDENT_F_BIRTH : 0));
	if (c->demo == NULL && (rc = student_roster_warn(c->r, NULL, 0, "no "
	    "demographics.csv: new students are imported as minors of "
	    "unknown age (birth dates on file are kept)")) != 0)
		goto out;
	while ((rc = table_next(c, &t)) == 1)
		if ((rc = user_row(c, &t, has, names, &skipped)) != 0)
			break;
	if (rc == 0 && skipped > 0)
		rc = student_roster_warn(c->r, t.f->name, 0, "users that are "
		    "not students (teachers, guardians, ...) skipped: %zu",
		    skipped);
out:
	csv_free(&t.rd);
	return rc < 0 ? rc : 0;
}

int
oneroster_parse(const struct oneroster_file *files, size_t n,
    const struct student_resolver *res, int32_t today,
    struct student_batch *out)
{
	struct ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = student_roster_new(&c.r, res, today)) != 0)
		return rc;
	c.users = find_file(files, n, "users.csv");
	c.roles = find_file(files, n, "roles.csv");
	c.demo = find_file(files, n, "demographics.csv");
	c.orgs = find_file(files, n, "orgs.csv");
	c.manifest = find_file(files, n, "manifest.csv");
	if ((c.org = json_object()) == NULL ||
	    (c.birth = json_object()) == NULL ||
	    (c.role = json_object()) == NULL ||
	    (c.latest = json_object()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	if (c.users == NULL) {
		rc = student_roster_error(c.r, "users.csv", 0, NULL, NULL, 0,
		    "missing file: a OneRoster bundle holds users.csv (and "
		    "manifest.csv, orgs.csv, demographics.csv)");
		goto finish;
	}
	if ((c.manifest && (rc = read_manifest(&c)) != 0) ||
	    (c.orgs && (rc = read_orgs(&c)) != 0) ||
	    (c.demo && (rc = read_demographics(&c)) != 0) ||
	    (c.roles && (rc = read_roles(&c)) != 0) ||
	    (rc = read_users(&c)) != 0)
		goto out;
finish:
	if (rc == 0)
		rc = student_roster_finish(c.r, out);
out:
	json_decref(c.org);
	json_decref(c.birth);
	json_decref(c.role);
	json_decref(c.latest);
	student_roster_free(c.r);
	return rc;
}
