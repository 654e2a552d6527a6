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
#define STUDENT_CSV_LINE_MAX	65536	/* bytes, without the line end */

/* The CSV header line, without its line end. */
#define STUDENT_CSV_HEADER "id,name,birth_date,grade,lat,lon," \
	"max_distance_km,modality,clusters,occupations,competencies"

/*
 * student_parse: validates one student object and sets *out to a new
 * normalized object, owned by the caller (json_decref).
 *
 * Fields, checked in this order after refusing unknown ones:
 *   id		 required; 1..64 of [A-Za-z0-9._-]
 *   name	 required; 1..200 bytes, no control characters
 *   birth_date	 required; "YYYY-MM-DD", year 1900..2100 (the caller judges
 *		 it against today)
 *   grade	 optional integer 0..13
 *   competencies optional object {competency id: level 0..4}, <= 256
 *   goals	 optional {"clusters": [<= 16 codes], "occupations": [<= 32]}
 *   location	 optional {"lat", "lon"} (as for listings)
 *   max_distance_km optional number 0..20000
 *   modality	 optional non-empty array of distinct modalities
 *
 * The normalized object always holds id, name, birth_date, competencies,
 * goals (with both arrays), max_distance_km (default 50; an integer when
 * the value is integral, else a real) and modality (default all three, in
 * the order in_person, virtual, hybrid); grade and location only when
 * given; lat and lon are reals.
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
 * student_parse_csv: the CSV form: the header line STUDENT_CSV_HEADER
 * (a UTF-8 BOM before it is ignored), then one student a line; lines end
 * in LF or CRLF; empty lines at the end are ignored.  No quoting: a double
 * quote anywhere is refused.  List fields separated by ';'; competencies as
 * "id=level;id=level".  Empty cells mean absent: no location when lat and
 * lon are empty (one without the other is an error), defaults for
 * max_distance_km and modality, no goals, competencies {}.
 *
 * All or nothing, like student_parse_array; errors name the line (the
 * header is line 1) and the column: "line 4: grade: must be an integer 0
 * to 13".  Returns 0, MENTOR_EINVAL, MENTOR_ETOOBIG (a line over
 * STUDENT_CSV_LINE_MAX bytes, or over STUDENT_ITEMS_MAX students) or
 * MENTOR_ENOMEM.
 */
int	student_parse_csv(const char *buf, size_t len, json_t **out, char *err,
	    size_t errlen);

#endif
