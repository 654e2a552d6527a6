/*
 * case.c: the CASE CFPackage reader (case.h).  Only what a node needs is
 * kept; everything kept is checked, everything else is ignored, as CASE
 * packages carry much more (definitions, licences, other associations).
 */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "listing.h"
#include "mentor.h"
#include "util.h"

int
case_id_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return i > 0 && i <= CASE_ID_MAX;
}

/* str_member: o[k] when a non-empty string, else NULL. */
static const char *
str_member(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* cut: s cut to at most max bytes on a UTF-8 boundary, a new string. */
static json_t *
cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return json_stringn(s, n);
}

/*
 * onet_target: "onet:ID" when the node names an O*NET element: an
 * identifier "onet:ID", or a URI on an O*NET host ending in "/ID" or
 * "=ID".  Writes into out (COMPETENCY_ID_MAX + 1 bytes); 0 if not.
 */
static int
onet_target(const json_t *node, char *out)
{
	const char *id = str_member(node, "identifier");
	const char *uri = str_member(node, "uri");
	const char *tail, *host;
	char buf[COMPETENCY_ID_MAX + 1];

	if (id != NULL && strncmp(id, "onet:", 5) == 0) {
		if (strlen(id) > COMPETENCY_ID_MAX || !competency_id_valid(id))
			return 0;
		strcpy(out, id);
		return 1;
	}
	if (uri == NULL || (host = strstr(uri, "://")) == NULL)
		return 0;
	host += 3;
	if (!(strncmp(host, "www.onetonline.org", 18) == 0 ||
	    strncmp(host, "onetonline.org", 14) == 0 ||
	    strncmp(host, "www.onetcenter.org", 18) == 0 ||
	    strncmp(host, "services.onetcenter.org", 23) == 0))
		return 0;
	tail = uri + strlen(uri);
	while (tail > host && tail[-1] != '/' && tail[-1] != '=')
		tail--;
	if (snprintf(buf, sizeof(buf), "onet:%s", tail) >= (int)sizeof(buf) ||
	    !competency_id_valid(buf))
		return 0;
	strcpy(out, buf);
	return 1;
}

static int
items(const json_t *arr, json_t *fw, json_t *seen, char *err, size_t errlen)
{
	json_t *it, *o, *list = json_object_get(fw, "items");
	const char *id, *name, *code;
	char cid[CASE_ID_MAX + 8];
	size_t i;

	if (!json_is_array(arr))
		return mentor_errf(err, errlen, MENTOR_EINVAL, "CFItems: %s",
		    arr == NULL ? "missing" : "must be an array");
	if (json_array_size(arr) > CASE_ITEMS_MAX)
		return mentor_errf(err, errlen, MENTOR_ETOOBIG, "CFItems: more than "
		    "%d items", CASE_ITEMS_MAX);
	json_array_foreach(arr, i, it) {
		if (!json_is_object(it))
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFItems[%zu]: must be an object", i);
		if ((id = str_member(it, "identifier")) == NULL)
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFItems[%zu].identifier: missing", i);
		if (!case_id_ok(id))
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFItems[%zu].identifier: \"%.70s\" is not an "
			    "identifier ([A-Za-z0-9._-], at most %d bytes)", i,
			    id, CASE_ID_MAX);
		if (json_object_get(seen, id) != NULL)
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFItems[%zu].identifier: \"%s\" appears twice", i,
			    id);
		code = str_member(it, "humanCodingScheme");
		if ((name = str_member(it, "fullStatement")) == NULL &&
		    (name = code) == NULL)
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFItems[%zu].fullStatement: missing", i);
		snprintf(cid, sizeof(cid), "case:%s", id);
		o = json_pack("{s:s, s:o}", "id", cid, "name",
		    cut(name, CASE_NAME_MAX));
		if (o == NULL || (code != NULL && json_object_set_new(o,
		    "code", cut(code, CASE_NAME_MAX)) != 0) ||
		    json_array_append_new(list, o) != 0 ||
		    json_object_set_new(seen, id, json_true()) != 0)
			return MENTOR_ENOMEM;
	}
	return 0;
}

static int
associations(const json_t *arr, json_t *fw, const json_t *seen, char *err,
    size_t errlen)
{
	json_t *a, *from, *to, *list = json_object_get(fw, "exact");
	const char *type, *oid, *did;
	char f[CASE_ID_MAX + 8], t[COMPETENCY_ID_MAX + 1];
	size_t i;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return mentor_errf(err, errlen, MENTOR_EINVAL,
		    "CFAssociations: must be an array");
	json_array_foreach(arr, i, a) {
		if (!json_is_object(a))
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFAssociations[%zu]: must be an object", i);
		type = str_member(a, "associationType");
		if (type == NULL || strcmp(type, "exactMatchOf") != 0)
			continue;
		from = json_object_get(a, "originNodeURI");
		to = json_object_get(a, "destinationNodeURI");
		if (!json_is_object(from) || !json_is_object(to))
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFAssociations[%zu]: originNodeURI and "
			    "destinationNodeURI must be objects", i);
		oid = str_member(from, "identifier");
		if (oid == NULL || json_object_get(seen, oid) == NULL)
			return mentor_errf(err, errlen, MENTOR_EINVAL,
			    "CFAssociations[%zu].originNodeURI: not an item "
			    "of this package", i);
		snprintf(f, sizeof(f), "case:%s", oid);
		if (!onet_target(to, t)) {
			did = str_member(to, "identifier");
			if (!case_id_ok(did))
				return mentor_errf(err, errlen, MENTOR_EINVAL,
				    "CFAssociations[%zu].destinationNodeURI: "
				    "no usable identifier", i);
			snprintf(t, sizeof(t), "case:%s", did);
		}
		if (strcmp(f, t) == 0)
			continue;
		if (json_array_append_new(list, json_pack("[ss]", f, t)) != 0)
			return MENTOR_ENOMEM;
	}
	return 0;
}

int
case_parse(const char *buf, size_t len, json_t **out, char *err,
    size_t errlen)
{
	json_t *doc = NULL, *fw = NULL, *seen = NULL, *d;
	const char *id, *title;
	json_error_t je;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len > CASE_FILE_MAX)
		return mentor_errf(err, errlen, MENTOR_ETOOBIG, "larger than %u bytes",
		    CASE_FILE_MAX);
	if ((doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL)
		return mentor_errf(err, errlen, MENTOR_EINVAL, "not JSON: line %d: %s",
		    je.line, je.text);
	if (!json_is_object(doc)) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "not a CFPackage (a JSON "
		    "object with CFDocument and CFItems)");
		goto fail;
	}
	d = json_object_get(doc, "CFDocument");
	if (!json_is_object(d)) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "CFDocument: %s",
		    d == NULL ? "missing" : "must be an object");
		goto fail;
	}
	if ((id = str_member(d, "identifier")) == NULL || !case_id_ok(id)) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "CFDocument.identifier: "
		    "%s", id == NULL ? "missing" : "not an identifier "
		    "([A-Za-z0-9._-], at most 64 bytes)");
		goto fail;
	}
	if ((title = str_member(d, "title")) == NULL) {
		rc = mentor_errf(err, errlen, MENTOR_EINVAL, "CFDocument.title: "
		    "missing");
		goto fail;
	}
	fw = json_pack("{s:s, s:o, s:[], s:[]}", "id", id, "title",
	    cut(title, CASE_NAME_MAX), "items", "exact");
	if (fw == NULL || (seen = json_object()) == NULL) {
		rc = MENTOR_ENOMEM;
		goto fail;
	}
	if ((rc = items(json_object_get(doc, "CFItems"), fw, seen, err,
	    errlen)) != 0 ||
	    (rc = associations(json_object_get(doc, "CFAssociations"), fw,
	    seen, err, errlen)) != 0)
		goto fail;
	json_decref(seen);
	json_decref(doc);
	*out = fw;
	return 0;
fail:
	json_decref(seen);
	json_decref(fw);
	json_decref(doc);
	return rc;
}
