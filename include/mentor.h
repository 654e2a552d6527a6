/*
 * mentor.h: error codes, limits and small helpers shared by mentord,
 * mentorctl and protocol/.  Every function in the project that can fail
 * returns 0 or one of the negative MENTOR_E* codes below.
 */
#ifndef MENTOR_H
#define MENTOR_H

#include <stddef.h>
#include <stdint.h>

#define MENTOR_VERSION "0.1.0"

enum mentor_err {
	MENTOR_OK = 0,
	MENTOR_EINVAL = -1,	/* malformed input: names what in the message */
	MENTOR_ENOMEM = -2,	/* allocation failed */
	MENTOR_EIO = -3,	/* read/write/OS call failed */
	MENTOR_ENOTFOUND = -4,	/* no such object */
	MENTOR_EEXIST = -5,	/* object already exists */
	MENTOR_ETOOBIG = -6,	/* over a size or count limit */
	MENTOR_ETRUNC = -7,	/* input ends before its declared length */
	MENTOR_EVERSION = -8,	/* unknown format or protocol version */
	MENTOR_ESIG = -9,	/* signature does not verify */
	MENTOR_EEXPIRED = -10,	/* record expired (or expiry in the past) */
	MENTOR_EFUTURE = -11,	/* dated too far in the future */
	MENTOR_ESTALE = -12,	/* older than the version already held */
	MENTOR_EUNTRUSTED = -13, /* author not trusted by this node */
	MENTOR_EWITHDRAWN = -14, /* address withdrawn at or after this version */
	MENTOR_EBUSY = -15,	/* resource held by someone else (lock) */
	MENTOR_ESTORE = -16,	/* the store failed */
	MENTOR_EPROTO = -17,	/* protocol violation by the other side */
	MENTOR_EPERM = -18,	/* not allowed for this caller */
	MENTOR_EFULL = -19,	/* capacity reached */
	MENTOR_ECONSENT = -20,	/* consent missing or not covering this */
	MENTOR_EDUP = -21,	/* exact duplicate: already held */
	MENTOR_EUNAVAIL = -22,	/* peer or node not reachable */
	MENTOR_ETIMEOUT = -23,	/* deadline passed */
};
#define MENTOR_ERR_MIN MENTOR_ETIMEOUT

/*
 * mentor_strerror: a short English description of code (0 or MENTOR_E*).
 * Returns a static string; never NULL.
 */
const char *mentor_strerror(int code);

/*
 * mentor_errname: the symbolic name ("EINVAL") of code, for --json output.
 * Returns a static string; never NULL.
 */
const char *mentor_errname(int code);

/* Limits that more than one module must agree on. */
#define MENTOR_API_HDR_MAX	(1u << 20)	/* JSON part of a request */
#define MENTOR_API_DATA_MAX	(16u << 20)	/* binary part of a request */

#endif
