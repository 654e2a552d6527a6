/*
 * case.h: reads an IMS/1EdTech CASE 1.0 or 1.1 CFPackage (JSON) into the
 * small framework object a node keeps: the document's identifier and
 * title, each CFItem as a competency "case:IDENTIFIER" named by its
 * fullStatement, and each exactMatchOf association as an equivalence
 * between an item and an O*NET element ("onet:2.A.1.a") or another CASE
 * item.  No I/O.
 *
 * The object (all strings UTF-8):
 *   {"id": DOCID, "title": TEXT, "items": [{"id": "case:ID", "name": TEXT,
 *    "code": HUMANCODINGSCHEME (when given)}], "exact": [[FROM, TO]]}
 * FROM is an item of the package; TO is "onet:..." when the association's
 * destination is an O*NET element (an onetonline.org / onetcenter.org URI
 * ending in the element id, or an identifier "onet:ID"), else "case:ID".
 */
#ifndef MENTOR_CASE_H
#define MENTOR_CASE_H

#include <stddef.h>

#include <jansson.h>

#define CASE_FILE_MAX	(16u << 20)	/* bytes of a package */
#define CASE_ITEMS_MAX	100000
#define CASE_NAME_MAX	500		/* bytes kept of a fullStatement */
#define CASE_ID_MAX	64		/* bytes of an identifier */

/*
 * case_parse: reads the package in buf (len bytes) and sets *out to a new
 * framework object (caller's reference).  Returns 0; MENTOR_ETOOBIG over
 * CASE_FILE_MAX or CASE_ITEMS_MAX; MENTOR_EINVAL with a message naming
 * what is wrong ("CFItems[3].identifier: missing", "not JSON: line 1:
 * ..."); MENTOR_ENOMEM.  *out is only set on success.
 */
int	case_parse(const char *buf, size_t len, json_t **out, char *err,
	    size_t errlen);

/* case_id_ok: s is a usable identifier ([A-Za-z0-9._-], 1-64 bytes). */
int	case_id_ok(const char *s);

#endif
