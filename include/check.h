/*
 * check.h: the value checks and message helpers that the validators of
 * protocol/ (listing.c, student.c, application.c) share, so that one rule
 * gives one message in every object.  Internal to protocol/: not part of
 * the interface that daemon/ and client/ use.  Pure: no I/O, no allocation.
 */
#ifndef MENTOR_CHECK_H
#define MENTOR_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Bytes of an untrusted value echoed in a message, and a buffer for it. */
#define CHK_QUOTE_MAX	40
#define CHK_QUOTE_SIZE	(CHK_QUOTE_MAX + 4)

/*
 * Conventions for the checks below: path names the value in the message
 * ("title", "requires[2].level"); a failure writes "PATH: why" to err
 * (NUL-terminated and cut to fit when errlen > 0; nothing is written when
 * err is NULL or errlen is 0) and returns MENTOR_EINVAL.  Success returns
 * 0 and leaves err alone.  v may be NULL, which fails as a wrong type.
 */

/*
 * chk_errf: formats a message into err as snprintf would, when err is not
 * NULL and errlen > 0.  Always returns MENTOR_EINVAL, so that a caller can
 * write "return chk_errf(...)"; a caller reporting another code ignores it.
 */
int	chk_errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * chk_quote: a short printable rendering of the n untrusted bytes at s, for
 * a message: bytes outside 0x20..0x7e become '?', and more than
 * CHK_QUOTE_MAX bytes are cut to that many followed by "...".  out must
 * hold CHK_QUOTE_SIZE bytes.  Returns out, NUL-terminated.
 */
const char *chk_quote(char *out, const char *s, size_t n);

/*
 * chk_keyname: an untrusted object key as a message names it: the key
 * through chk_quote, or "\"\"" for the empty key.  out must hold
 * CHK_QUOTE_SIZE bytes.  Returns out or a static string; never NULL.
 */
const char *chk_keyname(char *out, const char *key);

/*
 * chk_string: v must be a JSON string without NUL bytes (jansson holds
 * them when a caller loads with JSON_ALLOW_NUL), so that C string
 * functions see all of it.  Sets *s and *n to its value and length; *s
 * points into v, which owns it, and lives as long as v does.  On failure
 * *s is "" and *n 0.
 * Errors: "PATH: must be a string", "PATH: contains a NUL character".
 */
int	chk_string(const json_t *v, const char *path, const char **s,
	    size_t *n, char *err, size_t errlen);

/*
 * chk_choice: v must be a string (as chk_string) that pred accepts (pred
 * gets it NUL-terminated and returns nonzero when good).  Sets *s as
 * chk_string does.  A refused value is reported as "PATH: WHAT
 * \"value\"HINT", with the value through chk_quote; hint may be "".
 * Errors: those of chk_string, the one above.
 */
int	chk_choice(const json_t *v, const char *path,
	    int (*pred)(const char *), const char *what, const char *hint,
	    const char **s, char *err, size_t errlen);

/*
 * chk_text: v must be a non-empty string (as chk_string) of at most max
 * bytes without control characters: C0, DEL and the C1 controls
 * U+0080..U+009F.  multiline admits tab, CR and LF.
 * Errors: those of chk_string, "PATH: must not be empty", "PATH: longer
 * than MAX bytes", "PATH: contains a control character".
 */
int	chk_text(const json_t *v, const char *path, size_t max,
	    int multiline, char *err, size_t errlen);

/*
 * chk_date: v must be a string (as chk_string) holding a date
 * "YYYY-MM-DD", which goes to *days (since 1970-01-01; untouched on
 * failure).
 * Errors: those of chk_string, "PATH: not a date (YYYY-MM-DD)".
 */
int	chk_date(const json_t *v, const char *path, int32_t *days, char *err,
	    size_t errlen);

/*
 * chk_int: v must be a JSON integer; reals are refused, even 2.0.  Sets
 * *iv to it (0 on failure).
 * Errors: "PATH: must be an integer".
 */
int	chk_int(const json_t *v, const char *path, json_int_t *iv, char *err,
	    size_t errlen);

/*
 * chk_int_max: v must be an integer (as chk_int) from 0 to max.
 * Errors: that of chk_int, "PATH: must be 0 to MAX".
 */
int	chk_int_max(const json_t *v, const char *path, int max, char *err,
	    size_t errlen);

/*
 * chk_grade: v must be a school grade, an integer from 0 to max.  Unlike
 * chk_int_max, every failure (wrong type included) gives one message.
 * Errors: "PATH: must be an integer 0 to MAX".
 */
int	chk_grade(const json_t *v, const char *path, int max, char *err,
	    size_t errlen);

/*
 * chk_object: v must be a JSON object with no key outside the n names
 * (which need not all be present: the caller checks those it requires).
 * Keys are examined in the object's order; the first unknown one is
 * reported.
 * Errors: "PATH: must be an object", "PATH.KEY: unknown field" (KEY as
 * chk_keyname gives it).
 */
int	chk_object(const json_t *v, const char *path,
	    const char *const *names, size_t n, char *err, size_t errlen);

/*
 * chk_string_list: v must be an array of at most max distinct strings,
 * each of which passes chk_choice with pred, what and hint.  Element i is
 * named "PATH[i]".
 * Errors: "PATH: must be an array", "PATH: more than MAX entries", those
 * of chk_choice, "PATH[i]: duplicate \"value\"".
 */
int	chk_string_list(const json_t *v, const char *path, size_t max,
	    int (*pred)(const char *), const char *what, const char *hint,
	    char *err, size_t errlen);

/*
 * chk_clusters, chk_occupations: chk_string_list of career cluster codes
 * (cluster_code_valid of listing.h) or of O*NET-SOC codes
 * (occupation_code_valid), at most max of them.
 * Errors: those of chk_string_list, WHAT being "unknown career cluster"
 * or "not an O*NET-SOC code (NN-NNNN.NN):".
 */
int	chk_clusters(const json_t *v, const char *path, size_t max,
	    char *err, size_t errlen);
int	chk_occupations(const json_t *v, const char *path, size_t max,
	    char *err, size_t errlen);

/*
 * chk_goals: v must be a goals object, {"clusters": [...], "occupations":
 * [...]} and no other key, the lists checked by chk_clusters and
 * chk_occupations with the two maxima.  When required is 0 either list
 * may be absent; otherwise both must be there.  Checked in that order:
 * type, keys, clusters, occupations.
 * Errors: those of chk_object; "PATH.clusters: missing" and likewise
 * occupations (only when required); those of chk_clusters at
 * "PATH.clusters" and of chk_occupations at "PATH.occupations".
 */
int	chk_goals(const json_t *v, const char *path, size_t clusters_max,
	    size_t occupations_max, int required, char *err, size_t errlen);

/*
 * chk_competency_levels: v must be an object of at most max entries, each
 * key a competency id (competency_id_valid of listing.h) and each value
 * an integer level from 0 to LEVEL_MAX.  A key is echoed whole once it
 * has passed competency_id_valid (which makes it short and printable).
 * Errors: "PATH: must be an object", "PATH: more than MAX entries",
 * "PATH: malformed competency id \"KEY\"", "PATH.KEY: must be an integer",
 * "PATH.KEY: must be 0 to LEVEL_MAX".
 */
int	chk_competency_levels(const json_t *v, const char *path, size_t max,
	    char *err, size_t errlen);

#endif
