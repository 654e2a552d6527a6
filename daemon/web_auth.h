/*
 * web_auth.h: who may use the web: staff accounts, one-time set-up
 * links, students' sign-in codes, API tokens for scripts, sessions, and
 * the sign-in throttle.  Everything persistent is in DB_AUX under the
 * prefix byte 'w' and a second byte for the kind of entry:
 *   "wu" NAME            -> JSON {"role","hash","created"}; hash is a
 *                           crypto_pwhash_str (Argon2id) string, "" while
 *                           the account waits for its set-up link
 *   "wk" H(setup token)  -> JSON {"user","expires"}   (one-time, 72 h)
 *   "wc" H(code)         -> student id                (sign-in code)
 *   "wC" student id      -> H(code)                   (to revoke/replace)
 *   "wt" H(api token)    -> JSON {"name","role","created"}
 *   "wT" token name      -> H(api token)
 *   "ws" H(session)      -> JSON {"role","name","student","csrf",
 *                           "created","seen"}
 * H is BLAKE2b-256 keyed with a key derived from the node's signing key,
 * so the store never holds a usable secret and a copied store cannot be
 * searched for codes offline without the node's key.  Secrets travel as
 * 64 hex digits (256 bits), except sign-in codes: 10 characters from a
 * 27-character alphabet without look-alikes (about 47 bits), which the
 * throttle protects.
 *
 * Every function returns 0 or a MENTOR_E* code; messages go into err
 * (for web_* calls that take one).  Times are Unix milliseconds.
 */
#ifndef MENTOR_WEB_AUTH_H
#define MENTOR_WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct node;

enum web_role {
	WEB_ROLE_NONE = 0,
	WEB_ROLE_ADMIN,
	WEB_ROLE_COORDINATOR,
	WEB_ROLE_EMPLOYER,
	WEB_ROLE_STUDENT,
	WEB_ROLE_METRICS	/* API tokens only: reads /metrics, nothing
				 * else */
};

#define WEB_NAME_MAX		64	/* account and token names */
#define WEB_STUDENT_MAX		64
#define WEB_SECRET_HEX		65	/* 64 hex digits and a NUL */
#define WEB_CODE_LEN		10
#define WEB_PASSWORD_MIN	10
#define WEB_PASSWORD_MAX	512

#define WEB_SETUP_MS		(72LL * 3600 * 1000)
#define WEB_IDLE_STUDENT_MS	(30LL * 60 * 1000)
#define WEB_IDLE_STAFF_MS	(8LL * 3600 * 1000)
#define WEB_ABSOLUTE_MS		(12LL * 3600 * 1000)

/* A signed-in caller, as found from a session cookie or a bearer token. */
struct web_principal {
	enum web_role	 role;
	char		 name[WEB_NAME_MAX + 1];	/* account, token or
							 * student id */
	char		 student[WEB_STUDENT_MAX + 1];	/* students only */
	char		 csrf[WEB_SECRET_HEX];		/* sessions only */
	uint8_t		 sid[32];			/* H(session token) */
	int		 bearer;			/* an API token */
};

/*
 * web_role_parse / web_role_name:
 * "admin|coordinator|employer|student|metrics".
 */
int		 web_role_parse(const char *s);
const char	*web_role_name(int role);

/* web_name_valid: 1 to 64 of [A-Za-z0-9._@-]. */
int	web_name_valid(const char *s);

/*
 * web_user_add: creates account name with role (not student).  With a
 * password (WEB_PASSWORD_MIN to _MAX bytes) it is set now; with NULL a
 * one-time set-up token is made and its 64 hex digits written to setup.
 * MENTOR_EEXIST if the name is taken, MENTOR_EINVAL with err otherwise.
 */
int	web_user_add(struct node *, const char *name, int role,
	    const char *password, char setup[WEB_SECRET_HEX], char *err,
	    size_t errlen);

/* web_user_list: a new JSON array of {"name","role","pending"}. */
int	web_user_list(struct node *, json_t **out);

/* web_user_remove: deletes the account, its set-up links and sessions. */
int	web_user_remove(struct node *, const char *name);

/*
 * web_user_passwd: sets name's password (ends all its sessions), or with
 * password NULL clears it and makes a new set-up token into setup.
 */
int	web_user_passwd(struct node *, const char *name, const char *password,
	    char setup[WEB_SECRET_HEX], char *err, size_t errlen);

/*
 * web_setup: uses a set-up token once: sets its account's password.
 * MENTOR_EPERM when the token is unknown, used or expired.
 */
int	web_setup(struct node *, const char *token, const char *password,
	    char *user, size_t userlen, char *err, size_t errlen);

/*
 * web_check_password: 0 when name exists and password is its password;
 * MENTOR_EPERM otherwise (the same error whether or not the name exists,
 * and the same work: a missing account is verified against a dummy hash).
 */
int	web_check_password(struct node *, const char *name,
	    const char *password, int *role);

/*
 * The same check in two steps, so that the slow part (Argon2id, about
 * 0.1 s) can run on another thread: web_password_lookup reads name's
 * hash and role from the store (on the node's thread; always 0: an
 * unknown name or an account without a password leaves c->found 0);
 * web_password_verify checks password against it touching nothing but
 * c (any thread): 0, or MENTOR_EPERM, after the same work whether or
 * not the account exists.
 */
#define WEB_HASH_MAX	128	/* crypto_pwhash_STRBYTES */
struct web_pwcheck {
	char	 hash[WEB_HASH_MAX];
	int	 role;
	int	 found;
};

int	web_password_lookup(struct node *, const char *name,
	    struct web_pwcheck *c);
int	web_password_verify(const struct web_pwcheck *c,
	    const char *password);
/*
 * web_password_make: the Argon2id hash of a new password into hash (any
 * thread); MENTOR_EINVAL (err) unless it is WEB_PASSWORD_MIN to _MAX
 * bytes.  web_user_set_hash: gives account name that hash, as
 * web_user_passwd does with a password (its sessions end).
 */
int	web_password_make(const char *password, char hash[WEB_HASH_MAX],
	    char *err, size_t errlen);
int	web_user_set_hash(struct node *, const char *name, const char *hash,
	    char *err, size_t errlen);

/*
 * web_code_issue: a new sign-in code for student (replacing any earlier
 * one).  code gets the 10 characters.  MENTOR_ENOTFOUND when no such
 * student is on this node.
 */
int	web_code_issue(struct node *, const char *student,
	    char code[WEB_CODE_LEN + 1]);

/* web_code_revoke: ends the code and every session of the student. */
int	web_code_revoke(struct node *, const char *student);

/*
 * web_code_check: the student a code belongs to.  Dashes, spaces and
 * case are ignored.  MENTOR_EPERM when none.
 */
int	web_code_check(struct node *, const char *code, char *student,
	    size_t studentlen);

/*
 * web_token_add / web_token_revoke: API tokens for scripts.  add writes
 * the token (64 hex digits) into tok; MENTOR_EEXIST if name is taken.
 * role is a staff role or WEB_ROLE_METRICS (MENTOR_EINVAL otherwise).
 */
int	web_token_add(struct node *, const char *name, int role,
	    char tok[WEB_SECRET_HEX]);
int	web_token_revoke(struct node *, const char *name);
/* web_token_list: a new JSON array of {"name","role","created"}. */
int	web_token_list(struct node *, json_t **out);

/* web_bearer_check: the principal of an API token; MENTOR_EPERM if none. */
int	web_bearer_check(struct node *, const char *tok,
	    struct web_principal *p);

/*
 * web_session_new: a new session for p (role, name, student set); writes
 * the cookie value (64 hex digits) into tok and fills p->csrf and p->sid.
 */
int	web_session_new(struct node *, struct web_principal *p,
	    char tok[WEB_SECRET_HEX]);

/*
 * web_session_check: the principal of a session cookie, refreshing its
 * idle timer.  MENTOR_EPERM when unknown, expired or ended.
 */
int	web_session_check(struct node *, const char *tok,
	    struct web_principal *p);

/* web_session_end: ends one session (by p->sid). */
int	web_session_end(struct node *, const struct web_principal *p);

/*
 * web_session_end_all: ends every session of account name (role staff)
 * or of student name (role WEB_ROLE_STUDENT).  *n gets how many.
 */
int	web_session_end_all(struct node *, int role, const char *name,
	    size_t *n);

/*
 * The sign-in throttle: counts failures per key ("u:NAME", "a:ADDR") in
 * a sliding window; kept in memory (a restart forgets it).  A table of
 * fixed size: the oldest entries make room for new ones.
 */
struct web_throttle;

int	web_throttle_new(struct web_throttle **);
void	web_throttle_free(struct web_throttle *);
/*
 * web_throttle_check: 0 when key may try now, else the seconds until it
 * may (a positive number).  limit failures per window_ms.
 */
int	web_throttle_check(struct web_throttle *, const char *key, int limit,
	    int64_t window_ms, int64_t now);
void	web_throttle_fail(struct web_throttle *, const char *key,
	    int64_t window_ms, int64_t now);
void	web_throttle_clear(struct web_throttle *, const char *key);
/* web_throttle_forgive: takes back one failure of key (if any). */
void	web_throttle_forgive(struct web_throttle *, const char *key);

#endif
