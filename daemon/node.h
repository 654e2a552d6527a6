/*
 * node.h: one node's identity, configuration and open resources.  A node
 * lives in a directory (mode 0700):
 *   mentord.conf   INI configuration
 *   sign.key       Ed25519 secret key (64 bytes, libsodium form), 0600
 *   curve.key      CURVE secret key then public key (32 + 32 bytes), 0600,
 *                  derived from sign.key (a peer needs only the node id)
 *   mentord.lock   held with flock while a daemon runs
 *   api.sock       the client API (ZeroMQ ipc), created by the daemon
 *   store/         the LMDB store
 */
#ifndef MENTOR_NODE_H
#define MENTOR_NODE_H

#include <limits.h>
#include <stdint.h>

#include <sodium.h>

#define NODE_NAME_MAX	100
#define NODE_EP_MAX	256
#define NODE_ID_HEX	65	/* 64 hex digits and a NUL */

enum node_role { ROLE_SCHOOL = 1, ROLE_EMPLOYER, ROLE_HUB };

struct conf {
	char	name[NODE_NAME_MAX + 1];
	int	role;
	char	listen[NODE_EP_MAX];	/* "" when the node does not listen */
	int	log_level;
	char	data_dir[PATH_MAX];	/* frameworks; "" = built-in search */
	int	heartbeat_ms;		/* [peer] heartbeat_ms; 0 = default */
	int	sync_s;			/* [peer] sync_interval_s; 0 = default */
	int	no_auto_sync;		/* [peer] auto_sync = no */
	int	propagate_push;		/* [peer] propagate = push */
	int	limit_records;		/* [peer] limit_records_per_s; -1 =
					 * default, 0 = no limit */
	int	limit_bytes;		/* [peer] limit_bytes_per_s; alike */
	int	limit_burst_s;		/* [peer] limit_burst_s; 0 = default */
	/* [peer] limits on what a peer asks of this node, alike */
	int	limit_announce;		/* limit_announce_per_s: ids */
	int	limit_recon;		/* limit_recon_per_s: messages */
	int	limit_want;		/* limit_want_per_s: records asked */
	int	limit_want_bytes;	/* limit_want_bytes_per_s */
	int	limit_relay;		/* limit_relay_per_s: DELIVERs */
	int	limit_relay_bytes;	/* limit_relay_bytes_per_s */
	int	limit_ack;		/* limit_ack_per_s: ACKs */
	int	limit_ping;		/* limit_ping_per_s: PINGs */
	char	student_listen[NODE_EP_MAX]; /* [api] student_listen; "" none */
	char	metrics_listen[NODE_EP_MAX]; /* [metrics] listen HOST:PORT;
					      * "" = off */
	char	web_listen[NODE_EP_MAX];	/* [web] listen HOST:PORT; ""
						 * = no web */
	char	web_tls_cert[PATH_MAX];	/* [web] tls_cert, PEM; "" = HTTP */
	char	web_tls_key[PATH_MAX];	/* [web] tls_key, PEM */
	char	web_root[PATH_MAX];	/* [web] root; "" = built-in search */
	int	web_behind_proxy;	/* [web] behind_proxy = yes */
	int	web_idle_student_s;	/* [web] session_idle_student_s;
					 * 0 = WEB_IDLE_STUDENT_MS */
	int	web_idle_staff_s;	/* [web] session_idle_staff_s;
					 * 0 = WEB_IDLE_STAFF_MS */
	int	web_session_max_s;	/* [web] session_max_s;
					 * 0 = WEB_ABSOLUTE_MS */
	/* [contact]: who the other party of a placement reaches (the
	 * school's coordinator, the employer's contact person); sealed
	 * into applications and answers (SPEC 13.9).  "" = none. */
	char	contact_name[201];
	char	contact_email[201];
	char	contact_phone[201];
	int	apply_evaluations;	/* [placements] apply_evaluations:
					 * 0 no, 1 raise (evidence.h) */
};

struct node {
	char		 dir[PATH_MAX];
	struct conf	 conf;
	uint8_t		 sign_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t		 sign_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t		 curve_pk[32];
	uint8_t		 curve_sk[32];
	char		 id_hex[NODE_ID_HEX];
	int		 lockfd;
	int64_t		 started_ms;
	struct store	*store;
	struct event_base *base;
	void		*zctx;
	struct api	*api;
	struct records	*records;
	struct matcher	*matcher;
	struct peers	*peers;
	struct metrics	*metrics;	/* metrics.c; NULL = not counted */
	struct http	*http;
	struct event	*outbox_ev;	/* outbox.c's retry timer */
};

/* node_role_parse / node_role_name: "school|employer|hub" <-> enum. */
int		 node_role_parse(const char *s);
const char	*node_role_name(int role);

/*
 * node_init: creates a node in dir: the directory (0700) unless it exists
 * and is empty, keys, configuration and store.  Refuses (MENTOR_EEXIST) a
 * directory that already holds a node.  Errors name the file in err.
 * web_listen is written as [web] listen (NULL: NODE_WEB_DEFAULT; "": the
 * web is off).
 */
#define NODE_WEB_DEFAULT	"127.0.0.1:8080"
int	node_init(const char *dir, const char *name, int role,
	    const char *listen, const char *web_listen, char *err,
	    size_t errlen);

/*
 * node_web_listen_valid: whether s is HOST:PORT or [V6]:PORT with a port
 * of 1 to 65535 (or empty).
 */
int	node_web_listen_valid(const char *s);

/*
 * node_open: locks dir (MENTOR_EBUSY if another daemon holds it), reads
 * configuration and keys and opens the store.  Release with node_close.
 */
int	node_open(struct node *n, const char *dir, char *err, size_t errlen);
void	node_close(struct node *n);

/*
 * node_lock_probe: 1 when a daemon holds dir's lock, 0 when none does,
 * MENTOR_ENOTFOUND when dir holds no node.  Used by mentorctl.
 */
int	node_lock_probe(const char *dir);

/* node_default_dir: $MENTORD_HOME, else ~/.local/state/mentord. */
int	node_default_dir(char *out, size_t outlen);

/*
 * node_api_endpoint: the client API's endpoint "ipc://DIR/api.sock" into
 * out.  0 or MENTOR_ETOOBIG (the path must fit a socket address).
 */
int	node_api_endpoint(const char *dir, char *out, size_t outlen);

/* conf_load: parses path into c.  Errors name the line. */
int	conf_load(struct conf *c, const char *path, char *err, size_t errlen);

#endif
