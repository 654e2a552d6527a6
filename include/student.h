/*
 * student.h: validation and normalization of student objects (CONTRACT.md
 * "Student object") from JSON or the CSV form.  Students stay on the
 * school's node.  Pure functions: no I/O, no clock.
 */
#ifndef MENTOR_STUDENT_H
#define MENTOR_STUDENT_H

#include <stddef.h>

#include <jansson.h>

#define STUDENT_ID_MAX		64
#define STUDENT_ERR_MAX		256
#define STUDENT_NAME_MAX	200	/* bytes */
#define STUDENT_GRADE_MAX	13
#define STUDENT_COMPETENCIES_MAX 256
#define STUDENT_CLUSTERS_MAX	16	/* goals.clusters */
#define STUDENT_OCCUPATIONS_MAX	32	/* goals.occupations */
#define STUDENT_DISTANCE_MAX	20000	/* km */
#define STUDENT_DISTANCE_DEFAULT 50	/* km */
#define STUDENT_BIRTH_YEAR_MIN	1900
#define STUDENT_BIRTH_YEAR_MAX	2100
#define STUDENT_ITEMS_MAX	100000	/* per file */
#define STUDENT_CSV_LINE_MAX	65536	/* bytes of a record (CSV_RECORD_MAX) */
#define STUDENT_SCHOOL_MAX	200	/* bytes */

/* The CSV header line of the contract, without its line end. */
#define STUDENT_CSV_HEADER "id,name,birth_date,grade,lat,lon," \
	"max_distance_km,modality,clusters,occupations,competencies"

/*
 * student_parse: validates one student object and sets *out to a new
 * normalized object, owned by the caller (json_decref).
 *
 * Fields, checked in this order after refusing unknown ones:
 *   id		 required; 1..64 of [A-Za-z0-9._-]
 *   name	 required; 1..200 bytes, no control characters
 *   birth_date	 optional (unknown: a minor of unknown age); "YYYY-MM-DD",
 *		 year 1900..2100 (the caller judges it against today)
 *   grade	 optional integer 0..13
 *   competencies optional object {competency id: level 0..4}, <= 256
 *   goals	 optional {"clusters": [<= 16 codes], "occupations": [<= 32]}
 *   location	 optional {"lat", "lon"} (as for listings)
 *   max_distance_km optional number 0..20000
 *   modality	 optional non-empty array of distinct modalities
 *   school	 optional; 1..200 bytes, no control characters
 *   concentrator optional true or false: a CTE concentrator (Perkins V),
 *		 for the work-based learning report's indicator 5S3
 *
 * The normalized object always holds id, name, competencies,
 * goals (with both arrays), max_distance_km (default 50; an integer when
 * the value is integral, else a real) and modality (default all three, in
 * the order in_person, virtual, hybrid); birth_date, grade, location,
 * school and concentrator only when given; lat and lon are reals.
 *
 * Returns 0, MENTOR_EINVAL with "FIELD: why" in err, or MENTOR_ENOMEM.
 * *out is only set on success.
 */
int	student_parse(const json_t *obj, json_t **out, char *err, size_t errlen);

/*
 * student_parse_array: buf holds one JSON array of student objects (at most
 * STUDENT_ITEMS_MAX; duplicate keys and duplicate ids refused).  All or
 * nothing: on success *out is a new array of normalized objects owned by
 * the caller; on failure *out is left untouched and err says which item
 * (1-based) failed: "item 3 (S1003): birth_date: not a date (YYYY-MM-DD)".
 *
 * Returns 0, MENTOR_EINVAL, MENTOR_ETOOBIG (too many items) or
 * MENTOR_ENOMEM.
 */
int	student_parse_array(const char *buf, size_t len, json_t **out,
	    char *err, size_t errlen);

/*
 * student_parse_csv: the CSV form with exact codes only (no resolver, no
 * ZIP table), for callers that want one message: all or nothing, *out a
 * new array of normalized students owned by the caller; on failure err is
 * the first error, "line 4: grade: must be an integer 0 to 13", and *out
 * untouched.  Rows marked for deletion are refused here.  Returns 0,
 * MENTOR_EINVAL, MENTOR_ETOOBIG (a record over CSV_RECORD_MAX bytes, or
 * over STUDENT_ITEMS_MAX students) or MENTOR_ENOMEM.
 */
int	student_parse_csv(const char *buf, size_t len, json_t **out, char *err,
	    size_t errlen);

/*
 * Rosters.  A roster is read row by row into a struct student_roster,
 * which validates every row against the rules of student_parse, collects
 * every error of the whole input (with its file, line, column and value)
 * and warnings, and yields a struct student_batch at the end.  The CSV
 * form (student_roster_csv) and the OneRoster reader (oneroster.h) both
 * feed it, so both give the same rules and messages.
 *
 * Columns of a row, whatever a file calls them:
 */
enum student_col {
	SC_ID, SC_NAME, SC_FIRST, SC_LAST, SC_BIRTH, SC_GRADE, SC_LAT,
	SC_LON, SC_ZIP, SC_DIST, SC_MODALITY, SC_CLUSTERS, SC_OCCUPATIONS,
	SC_COMPETENCIES, SC_SCHOOL, SC_ACTION, SC_NOLOC, SC_CONCENTRATOR,
	SC_NCOLS
};

/* Fields a roster sets (student_batch.given): the others are kept. */
#define STUDENT_F_NAME		0x001
#define STUDENT_F_BIRTH		0x002
#define STUDENT_F_GRADE		0x004
#define STUDENT_F_LOCATION	0x008
#define STUDENT_F_DIST		0x010
#define STUDENT_F_MODALITY	0x020
#define STUDENT_F_CLUSTERS	0x040
#define STUDENT_F_OCCUPATIONS	0x080
#define STUDENT_F_COMPETENCIES	0x100
#define STUDENT_F_SCHOOL	0x200
#define STUDENT_F_CONCENTRATOR	0x400

#define STUDENT_ERRORS_MAX	1000	/* listed; more are only counted */

/*
 * The friendly values a roster may use, turned into canonical ones by the
 * caller (daemon/resolve.c).  Each function gets a NUL-terminated value
 * as written (trimmed) and returns the canonical string (owned by the
 * resolver, living as long as it) or NULL when unknown:
 *   cluster	 a cluster code or name of either framework, any case
 *   competency	 an O*NET element id ("2.B.3.h", "onet:2.B.3.h") or
 *		 name, any case -> "onet:2.B.3.h"
 *   zip	 a 5-digit ZIP code -> 0 and *lat, *lon; MENTOR_ENOTFOUND
 * Any function may be NULL: only exact codes are then accepted (a bare
 * element id becomes "onet:" + id) and a zip column is an error.
 */
struct student_resolver {
	void		*arg;
	const char	*(*cluster)(void *arg, const char *s);
	const char	*(*competency)(void *arg, const char *s);
	int		 (*zip)(void *arg, const char *zip, double *lat,
			    double *lon);
};

/* A cell: n bytes at p, valid UTF-8; p may be NULL when n is 0. */
struct student_cell {
	const char	*p;
	size_t		 n;
};

/*
 * The outcome of a roster, all members owned by the batch:
 *   students	normalized objects to add or update, in input order
 *   lines	the line of each (an array of integers, same order)
 *   deletes	ids of the rows marked for deletion
 *   errors	[{"file"?, "line", "column", "value", "message"}], at most
 *		STUDENT_ERRORS_MAX; error_count counts them all
 *   warnings	[{"message", "count", "lines"?: [first lines], "file"?}]
 *   given	STUDENT_F_* of the fields the input sets
 *   update_only {id: true} of students to update only when on file, never
 *		to add (a OneRoster delta user whose roles it does not carry)
 */
/*
 * A good row of a batch: its normalized student as compact JSON (what
 * json_dumps(JSON_COMPACT) makes of it, byte for byte, and what the node
 * stores), and its id, each NUL-terminated in the batch's buffer.  Read
 * them with student_batch_json / student_batch_id.
 */
struct student_item {
	size_t		 off, len;	/* the JSON in student_batch.enc */
	size_t		 idoff, idlen;	/* the id in student_batch.enc */
	size_t		 line;		/* where the row was (JSON: item) */
};
struct student_batch {
	char		*enc;		/* owned: items' JSON and ids */
	size_t		 enclen, encsize;
	struct student_item *items;	/* owned: count of them */
	size_t		 count, itemsize;
	json_t		*deletes;
	json_t		*errors;
	json_t		*warnings;
	json_t		*update_only;
	size_t		 error_count;
	unsigned	 given;
};

/* student_batch_clear: releases the members; a zeroed batch is fine. */
void	student_batch_clear(struct student_batch *b);

/*
 * student_batch_add: appends a normalized student (an object holding a
 * string "id", as student_parse makes) seen at line.  The batch keeps its
 * encoding, not student.  Returns 0, MENTOR_EINVAL (no id) or
 * MENTOR_ENOMEM.
 */
int	student_batch_add(struct student_batch *b, const json_t *student,
	    size_t line);

/* The JSON and the id of item i < b->count (NUL-terminated, owned by b,
 * valid until b changes); *len gets their length. */
const char *student_batch_json(const struct student_batch *b, size_t i,
	    size_t *len);
const char *student_batch_id(const struct student_batch *b, size_t i,
	    size_t *len);

/* student_batch_get: item i decoded, a new reference (NULL: no memory). */
json_t	*student_batch_get(const struct student_batch *b, size_t i);

/*
 * student_json_append: appends the compact JSON of v (the bytes
 * json_dumps(v, JSON_COMPACT) gives: object keys in insertion order,
 * reals as "%.17g") to *buf, which holds *len bytes in *size, growing
 * it (realloc) as needed; a NUL follows, not counted in *len.  Strings
 * are copied as jansson holds them (valid UTF-8).  Returns 0 or
 * MENTOR_ENOMEM (*buf is then still the caller's to free).
 */
int	student_json_append(const json_t *v, char **buf, size_t *len,
	    size_t *size);

/*
 * student_g17: writes what snprintf(out, size, "%.17g", d) would, faster,
 * when |d| is a normal double from about 1e-10 to 1e16 and size >= 32;
 * returns its length, or 0 (nothing written) for any other d.
 */
size_t	student_g17(char *out, size_t size, double d);

struct student_roster;

/*
 * student_roster_new: a new roster reader (free with student_roster_free)
 * using res (may be NULL; not copied: it must outlive the reader) and
 * today (days since 1970; birth dates after it are refused; 0 skips the
 * check).  Returns 0 or MENTOR_ENOMEM.
 */
int	student_roster_new(struct student_roster **out,
	    const struct student_resolver *res, int32_t today);
void	student_roster_free(struct student_roster *r);

/*
 * student_roster_sink: from now on each good row goes to fn instead of
 * into the batch, as it is read, while the roster has no error: fn gets
 * the row's id and its normalized student as compact JSON (both as
 * student_batch_id and student_batch_json would give them, valid during
 * the call), its line, and the STUDENT_F_* the input sets so far.  Once
 * an error is found, rows are still checked and their errors collected,
 * but fn is called no more, so whatever fn did must then be undone (the
 * node does it in one transaction, which it aborts).  A nonzero return
 * of fn is returned at once by student_roster_row.  fn NULL: rows go into
 * the batch again.
 */
typedef int (*student_sink_fn)(void *arg, const char *id, size_t idlen,
    const char *json, size_t len, size_t line, unsigned given);
void	student_roster_sink(struct student_roster *r, student_sink_fn fn,
	    void *arg);

/*
 * student_roster_row: validates one row.  cells[SC_*] holds the cell of
 * each column (n = 0 when empty); has[SC_*] is nonzero for the columns
 * the input has; names[SC_*] is what the input calls each column, for
 * messages.  file (may be NULL) and line say where the row is.  A good
 * row is added, a bad one adds its errors (every bad cell, not only the
 * first).  Returns 0 (also for a bad row), MENTOR_ENOMEM or what the sink
 * returned.
 */
int	student_roster_row(struct student_roster *r, const char *file,
	    size_t line, const struct student_cell cells[SC_NCOLS],
	    const unsigned char has[SC_NCOLS],
	    const char *const names[SC_NCOLS]);

/*
 * student_roster_error / student_roster_warn: an error or warning about
 * the input itself (file may be NULL; line 0 for the whole input; column
 * may be NULL or ""; value may be NULL).  Warnings with the same message
 * are counted together.  Return 0 or MENTOR_ENOMEM.
 */
int	student_roster_error(struct student_roster *r, const char *file,
	    size_t line, const char *column, const char *value, size_t vlen,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
int	student_roster_warn(struct student_roster *r, const char *file,
	    size_t line, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * student_roster_update_only: the student id, if a row added it, is to be
 * updated only when on file.  Returns 0 or MENTOR_ENOMEM.
 */
int	student_roster_update_only(struct student_roster *r, const char *id,
	    size_t len);

/* student_roster_given: marks fields (STUDENT_F_*) as set by the input. */
void	student_roster_given(struct student_roster *r, unsigned given);

/*
 * student_roster_finish: moves the outcome into *out (which the caller
 * clears with student_batch_clear) and resets r.  Returns 0 or
 * MENTOR_ENOMEM.
 */
int	student_roster_finish(struct student_roster *r,
	    struct student_batch *out);

/*
 * student_roster_csv: reads a CSV roster (csv.h: RFC 4180, BOM, CRLF or
 * LF).  The first record is the header: columns are found by name in any
 * order, names compared without case (spaces and '-' count as '_');
 * aliases are accepted (student_id, dob, first_name, latitude, ...);
 * unknown columns are ignored and named in one warning.  Blank lines are
 * skipped.  Every error of the file goes into out->errors; nothing is
 * half-read: the caller stores nothing unless out->error_count is 0.
 *
 * Returns 0 (check out->error_count) or MENTOR_ENOMEM; out is always set
 * when 0 is returned and must then be cleared by the caller.
 */
int	student_roster_csv(const char *buf, size_t len,
	    const struct student_resolver *res, int32_t today,
	    struct student_batch *out);

/*
 * student_roster_csv_each: student_roster_csv with each good row passed
 * to fn as it is read (student_roster_sink) rather than kept in out,
 * whose students stay empty.  Returns 0 (check out->error_count),
 * MENTOR_ENOMEM, or the first nonzero return of fn (out is then not
 * set).
 */
int	student_roster_csv_each(const char *buf, size_t len,
	    const struct student_resolver *res, int32_t today,
	    student_sink_fn fn, void *arg, struct student_batch *out);

/*
 * student_batch_error_text: "line 4: grade: must be an integer 0 to 13"
 * ("users.csv line 4: ..." with a file) for error i of b, into err.
 */
void	student_batch_error_text(const struct student_batch *b, size_t i,
	    char *err, size_t errlen);

#endif
