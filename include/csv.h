/*
 * csv.h: a reader for comma-separated values as RFC 4180 defines them,
 * the way spreadsheets and student information systems write them:
 * quoted fields holding commas, doubled quotes and line breaks; records
 * ending in CRLF, LF or nothing at the end of the buffer; a UTF-8 byte
 * order mark before the first record ignored.  Pure: no I/O, no globals.
 *
 * The reader walks a buffer the caller owns and keeps alive.  Each call
 * to csv_next() yields one record; a malformed record is reported with
 * the line it starts on and skipped, so that a caller can name every bad
 * record of a file in one run.
 */
#ifndef MENTOR_CSV_H
#define MENTOR_CSV_H

#include <stddef.h>

#define CSV_FIELDS_MAX	256	/* fields in one record */
#define CSV_RECORD_MAX	65536	/* bytes of one record, quotes included */
#define CSV_ERR_MAX	160

struct csv_field {
	const char	*p;	/* NUL-terminated; owned by the reader */
	size_t		 n;	/* bytes, without the NUL */
	int		 quoted;
};

struct csv_reader {
	const char	*buf;
	size_t		 len, pos;
	size_t		 line;		/* physical line at pos, 1-based */
	char		 sep;
	char		*scratch;	/* unquoted field bytes, NUL after each */
	size_t		 cap;
	struct csv_field f[CSV_FIELDS_MAX];
};

/*
 * csv_init: starts reading buf (len bytes, not NUL-terminated) with sep
 * between fields (',' for CSV, '\t' for TSV).  A UTF-8 byte order mark
 * at the start is skipped.  The reader holds no memory until csv_next;
 * release it with csv_free().
 */
void	csv_init(struct csv_reader *r, const char *buf, size_t len, char sep);

/* csv_free: releases what csv_next allocated.  A zeroed reader is fine. */
void	csv_free(struct csv_reader *r);

/*
 * csv_next: reads the next record.  On success sets *line to the line it
 * starts on (1-based, counting line breaks inside quoted fields),
 * *fields to r->f and *nfields to its field count (at least 1: an empty
 * line is one empty field), and returns 1.  The fields stay valid until
 * the next call.  Returns 0 at the end of the buffer.
 *
 * A malformed record returns MENTOR_EINVAL with *line set and err saying
 * why ("a quote inside an unquoted field", "quoted field not closed",
 * "text after a closing quote", "a NUL byte", "not valid UTF-8", "more
 * than 256 fields"); the reader has moved past it (to the end of the
 * buffer for an unclosed quote) and the next call goes on.  A record over
 * CSV_RECORD_MAX bytes gives MENTOR_ETOOBIG likewise.  MENTOR_ENOMEM is
 * the only error after which the reader cannot go on.
 */
int	csv_next(struct csv_reader *r, size_t *line,
	    const struct csv_field **fields, size_t *nfields, char *err,
	    size_t errlen);

/*
 * csv_utf8_valid: n bytes at s are well-formed UTF-8 (no overlong forms,
 * surrogates or code points over U+10FFFF).
 */
int	csv_utf8_valid(const char *s, size_t n);

#endif
