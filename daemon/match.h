/*
 * match.h: the matcher.  An in-memory index of the live listings, kept up
 * to date by the node (mi_put / mi_del / mi_set_full on every change), and
 * the ranking of one student against it: hard filters, then an additive
 * score whose four terms each come with a sentence a counselor can check.
 * Pure: no I/O, no clock (the caller passes today and now).
 *
 * Hard filters: a listing is never returned when
 *   - now_ms >= its expiry, or it is full: marked so (mi_set_full) or
 *     its body says "full": true (the author's word, SPEC.md 13.5);
 *   - its "end" date is before today;
 *   - the student's age on its "start" date (today when it has none) is
 *     below its "min_age" (one is a year older on one's birthday; a
 *     29 February birthday falls on 1 March in other years);
 *   - its modality is not in the student's "modality" list;
 *   - it is in_person or hybrid and the student has no location, or the
 *     great-circle (haversine, R = 6371.0 km) distance is over the
 *     student's max_distance_km.  Virtual listings ignore distance.
 *
 * Score, 0..100, the sum of four whole numbers:
 *   readiness 0..40  Each required competency earns credit min(student
 *		      level / required level, 1) (a required level 0 is
 *		      met); readiness = 40 x the mean credit, rounded half
 *		      up.  No requirements: 40.
 *   growth 0..20     For each competency the listing develops to a level
 *		      above the student's, the gap (target - student level);
 *		      growth = 5 x the sum of gaps, at most 20.
 *   career 0..30     15 when one of the listing's clusters is one of the
 *		      student's goal clusters or paired with one by the
 *		      crosswalk; plus the best occupation closeness over
 *		      (goal occupation, listing occupation) pairs: same
 *		      O*NET-SOC code 15, same detailed SOC (NN-NNNN) 12, same
 *		      broad group (NN-NNN) 9, same minor group (NN-NN) 6,
 *		      same major group (NN) 3; at most 30 in all.
 *   logistics 0..10  virtual 10; otherwise 10 x (1 - distance /
 *		      max_distance_km), rounded half up (10 when the
 *		      student's max_distance_km is 0).
 * A student's missing competency counts as level 0.
 *
 * Order: score descending, then distance ascending (virtual counts as 0),
 * then start date ascending (no start last), then listing address bytes
 * ascending.  The same index, student, today and now give the same
 * result.
 *
 * Threads: functions taking a const struct match_index may run at once
 * with each other, never with mi_put / mi_del / mi_set_full / mi_free on
 * the same index.
 */
#ifndef MENTOR_MATCH_H
#define MENTOR_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct frameworks;
struct match_index;
struct match_student;

#define MATCH_ADDR_LEN	16

/*
 * mi_new: an empty index.  fw (may be NULL) names competencies,
 * occupations and clusters in reasons and gives the cluster crosswalk;
 * without it clusters match by exact code only and reasons show codes.
 * fw must outlive the index.  Returns NULL when out of memory.
 */
struct match_index *mi_new(const struct frameworks *fw);

/* mi_free: releases the index.  NULL is fine. */
void	mi_free(struct match_index *mi);

/*
 * mi_put: inserts the listing at addr, or replaces the one held there
 * (a replaced listing keeps its full mark; see mi_set_full).  body is the
 * canonical listing body (JSON, as listing_body_check accepts); the index
 * keeps what it ranks with and the title, not the bytes.  expires_ms is
 * the record's expiry (INT64_MAX for none).
 *
 * The fields the matcher uses are checked again, as listing_body_check
 * does: a body that is not one JSON object (UTF-8, at most
 * LISTING_BODY_MAX bytes) with a title, a valid modality, a location
 * unless virtual, well-formed clusters, occupations, competencies and
 * levels (0..4), dates, min_age and full (true or false), none of them
 * twice, is refused with MENTOR_EINVAL and the index is left unchanged.
 * Other fields are skipped, unchecked.
 *
 * "full": true in the body filters the listing out exactly as the
 * mi_set_full mark does; false or absent says nothing.  The two are
 * independent: the body's word lasts until a version of the listing
 * without it is put, the mark until mi_set_full(..., 0).
 *
 * Returns 0, MENTOR_EINVAL, MENTOR_ETOOBIG (over the index's limits:
 * 2^31 listings, 2^28 distinct competency ids or occupation codes) or
 * MENTOR_ENOMEM (the index is unchanged, but may have grown tables).
 */
int	mi_put(struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN],
	    const uint8_t *body, size_t body_len, int64_t expires_ms);

/* mi_del: removes the listing at addr.  0 or MENTOR_ENOTFOUND. */
int	mi_del(struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN]);

/*
 * mi_set_full: full != 0 marks the listing's capacity as reached (it is
 * filtered out), 0 clears the mark.  Clearing the mark does not make
 * available a listing whose body says "full": true (see mi_put).
 * 0 or MENTOR_ENOTFOUND.
 */
int	mi_set_full(struct match_index *mi, const uint8_t addr[MATCH_ADDR_LEN],
	    int full);

/* mi_count: listings held. */
size_t	mi_count(const struct match_index *mi);

/* mi_memory: bytes the index holds (allocations, including slack). */
size_t	mi_memory(const struct match_index *mi);

/*
 * ms_compile: prepares a normalized student object (student_parse) for
 * ranking against mi as it is now: levels, goals and age thresholds
 * become tables over the index's interned competencies, occupations and
 * clusters.  today_days (days since 1970-01-01, UTC) is "today" for the
 * date and age filters.  A compiled student stays valid (and memory-safe)
 * when the index changes, but competencies, occupations and (without
 * frameworks) cluster codes that first appeared in the index after
 * compilation do not count for it: compile again for each request.
 *
 * *out is new, owned by the caller (ms_free).  Returns 0, MENTOR_EINVAL
 * (not a normalized student object) or MENTOR_ENOMEM.
 */
int	ms_compile(const struct match_index *mi, const json_t *student,
	    int32_t today_days, struct match_student **out);

/* ms_free: releases a compiled student.  NULL is fine. */
void	ms_free(struct match_student *ms);

struct match_hit {
	uint8_t	addr[MATCH_ADDR_LEN];
	int	score;			/* 0..100, the sum of the four terms */
	int	readiness;		/* 0..40 */
	int	growth;			/* 0..20 */
	int	career;			/* 0..30 */
	int	logistics;		/* 0..10 */
	double	distance_km;		/* -1 for virtual listings */
};

/*
 * match_rank: the best min(top, number passing the filters) listings for
 * ms, best first, into out[0..*nout).  now_ms decides expiry.  Returns 0,
 * MENTOR_EINVAL (NULL argument) or MENTOR_ENOMEM.
 */
int	match_rank(const struct match_index *mi, const struct match_student *ms,
	    int64_t now_ms, size_t top, struct match_hit *out, size_t *nout);

/*
 * match_explain: *reasons is set to a new JSON array (owned by the
 * caller) of short sentences explaining the score of hit's listing for
 * ms, in the order readiness, growth, career, logistics:
 *   "You meet 2 of 3 required skills", "Needs Active Listening at level 2
 *   (you are at 1)", "Develops Quality Control Analysis to level 3 (you
 *   are at 2)", "Matches your goal: Welders, Cutters, ...", "Close to your
 *   goal: ... (same broad group)", "In your career cluster:
 *   Manufacturing" (with " (listed as Advanced Manufacturing)" when the
 *   match goes through the crosswalk), "Virtual: no travel needed",
 *   "4 km away" ("Less than 1 km away"; " (hybrid)" for hybrid
 *   listings).  With no requirements: "No skills required".  Names come
 *   from the frameworks; unknown ids and codes appear as themselves.
 * Only the listing's address in hit is used.  Returns 0,
 * MENTOR_ENOTFOUND (no longer in the index), MENTOR_EINVAL or
 * MENTOR_ENOMEM.
 */
int	match_explain(const struct match_index *mi,
	    const struct match_student *ms, const struct match_hit *hit,
	    json_t **reasons);

/*
 * match_explain_detail: the same reasons as match_explain, as objects a
 * page can show or translate: {"kind", "text", fields}, kind one of
 *   none_required, meet {met, of},
 *   needs / develops {competency, skill, level, have, of} with text
 *     "Needs Active Listening at developing (2 of 4); you are at
 *     beginning (1 of 4)" (levels as words: 1 beginning, 2 developing,
 *     3 proficient, 4 advanced; 0 "none yet"),
 *   goal, close, cluster (text as match_explain), virtual,
 *   distance {km, mi, hybrid} with text "4 km (2 mi) away".
 * Same returns as match_explain.
 */
int	match_explain_detail(const struct match_index *mi,
	    const struct match_student *ms, const struct match_hit *hit,
	    json_t **reasons);

/*
 * match_check: one listing (at addr) for ms, as the web shows it when a
 * student looks at a listing.  *why_not is set to a new JSON array (owned
 * by the caller) of plain sentences, one per hard filter the listing
 * fails, in the order of the filters above: "It has expired", "It is
 * full: every place is taken", "It ended on 2027-03-01", "You must be 16
 * or older on the start date", "It is in person; you chose virtual",
 * "It takes place in person and your profile has no location", "It is
 * 40 km (25 mi) away; you travel up to 25 km (16 mi)".  Empty when
 * match_rank would offer it.  hit gets the address, the four terms and
 * the score as match_rank computes them (logistics 0 when too far or
 * unlocated), and distance_km (-1 when virtual or unknown).  Returns 0,
 * MENTOR_ENOTFOUND (not in the index), MENTOR_EINVAL or MENTOR_ENOMEM.
 */
int	match_check(const struct match_index *mi,
	    const struct match_student *ms, const uint8_t addr[MATCH_ADDR_LEN],
	    int64_t now_ms, struct match_hit *hit, json_t **why_not);

/*
 * match_title: the title of the listing at addr, owned by the index and
 * valid until that listing is replaced or removed; NULL if absent.
 */
const char *match_title(const struct match_index *mi,
	    const uint8_t addr[MATCH_ADDR_LEN]);

#endif
