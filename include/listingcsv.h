/*
 * listingcsv.h: the listing CSV template, so an employer can post from a
 * spreadsheet: one listing a row under a header line naming the columns
 * of LISTING_CSV_HEADER, in any order and any case (kind and title at
 * least; a column not there is empty in every row); RFC 4180 quoting (a field in double quotes may hold commas, line breaks
 * and "" for a quote); lines end in CRLF or LF; a UTF-8 BOM is ignored.
 * An empty cell means absent.  clusters and occupations are lists
 * separated by ';'; requires and develops are "id=level;id=level"; lat and
 * lon together give the location.  Pure functions: no I/O.
 */
#ifndef MENTOR_LISTINGCSV_H
#define MENTOR_LISTINGCSV_H

#include <stddef.h>

#include <jansson.h>

#define LISTING_CSV_HEADER "ref,kind,title,organization,description," \
	"clusters,occupations,requires,develops,capacity,modality,lat,lon," \
	"start,end,min_age,expires"
#define LISTING_CSV_MAX		(8u << 20)	/* bytes of a file */
#define LISTING_CSV_ROWS_MAX	10000

/*
 * listing_csv_parse: the rows of buf as an array of listing objects (new
 * reference in *out), in row order, for `listing post` to validate.
 * Returns 0; MENTOR_EINVAL naming the line and column ("line 3: capacity:
 * not an integer", "line 1: header: unknown column \"x\" ..."); MENTOR_ETOOBIG;
 * MENTOR_ENOMEM.  *out is only set on success.
 */
int	listing_csv_parse(const char *buf, size_t len, json_t **out,
	    char *err, size_t errlen);

#endif
