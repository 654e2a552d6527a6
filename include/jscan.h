/*
 * jscan.h: a JSON reader over bytes, without a tree, for the hot paths
 * that check a known shape (a listing body from a peer).  Each call reads
 * one token; together they accept exactly the JSON that jansson 2.14's
 * json_loadb(JSON_REJECT_DUPLICATES) accepts and read the same values:
 * strings valid UTF-8 with no raw control character and no \u0000,
 * surrogate escapes paired, integers within int64, reals without
 * overflow, white space " \t\n\r", and jansson's quirk: one NUL byte
 * right after a number or true/false is skipped.  Duplicate keys are the caller's to
 * refuse (it knows its keys).  Pure: no I/O, no allocation but a copy of
 * a number longer than JSCAN_NUM_INLINE bytes.
 */
#ifndef MENTOR_JSCAN_H
#define MENTOR_JSCAN_H

#include <stddef.h>
#include <stdint.h>

struct jscan {
	const unsigned char	*p, *end;
};

/* What jscan_string saw in the decoded string, beside its length. */
#define JSCAN_CTRL	0x1	/* U+0000..001F but \t \n \r, U+007F..009F */
#define JSCAN_TNR	0x2	/* a \t, \n or \r */

struct jscan_num {
	int	 integer;	/* no fraction, no exponent: i holds it */
	int64_t	 i;
	double	 d;		/* the value either way */
};

#define JSCAN_NUM_INLINE	64

/* jscan_init: reads the len bytes at buf (kept by the caller). */
void	jscan_init(struct jscan *j, const void *buf, size_t len);

/*
 * jscan_lit: after white space, consumes c when it comes next: returns 1,
 * else 0 (nothing consumed but the white space).
 */
int	jscan_lit(struct jscan *j, char c);

/*
 * jscan_string: after white space, the string that comes next.  Its
 * decoded bytes go to buf (NUL-terminated; the string refused when it
 * needs more than cap bytes with the NUL) unless buf is NULL; *n is the
 * decoded length and *flags the JSCAN_* seen.  Returns 0 or MENTOR_EINVAL
 * (no valid string there).
 */
int	jscan_string(struct jscan *j, char *buf, size_t cap, size_t *n,
	    unsigned *flags);

/*
 * jscan_number: after white space, the number that comes next, into *out.
 * Returns 0, MENTOR_EINVAL (not a number, an integer beyond int64 or a
 * real that overflows a double, as jansson refuses) or MENTOR_ENOMEM.
 */
int	jscan_number(struct jscan *j, struct jscan_num *out);

/* jscan_bool: after white space, true (*out 1) or false (0); MENTOR_EINVAL. */
int	jscan_bool(struct jscan *j, int *out);

/* jscan_end: 1 when only white space is left, else 0. */
int	jscan_end(struct jscan *j);

/*
 * The pieces of the lexer other JSON readers share (the matcher's):
 * jscan_hex4: the four hex digits at s (short of end: -1) into *v, 0 or
 * -1; jscan_utf8: the length of the valid multi-byte UTF-8 sequence at s
 * and its code point, 0 if invalid (jansson's rules: no overlong form, no
 * surrogate, nothing above U+10FFFF; an ASCII byte is 0 too).
 */
int	jscan_hex4(const unsigned char *s, const unsigned char *end,
	    uint32_t *v);
size_t	jscan_utf8(const unsigned char *s, const unsigned char *end,
	    uint32_t *cp);

#endif
