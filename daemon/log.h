/*
 * log.h: leveled logging to stderr.  Messages must never carry student
 * data (names, birth dates, locations, messages): log ids and counts only.
 */
#ifndef MENTOR_LOG_H
#define MENTOR_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/*
 * log_init: messages above level are dropped; ident prefixes each line.
 * Under systemd's journal (log_under_journal) lines carry a syslog
 * priority prefix, <3> error, <4> warn, <6> info, <7> debug, instead of
 * the time, level and ident.
 */
void	log_init(const char *ident, int level);
/*
 * log_under_journal: 1 when stderr is the journal stream named by
 * $JOURNAL_STREAM, or, without it, when $INVOCATION_ID is set (started by
 * systemd) and stderr is not a terminal.
 */
int	log_under_journal(void);
/* log_level_parse: "error|warn|info|debug" → level, or -1. */
int	log_level_parse(const char *s);

void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * log_ratelimited: for messages anyone outside can trigger (a peer's bad
 * messages, refused handshakes).  *rl (zeroed by the caller once, one per
 * kind of message) lets through at most LOG_RL_BURST lines in each
 * LOG_RL_WINDOW_MS window; the first line of the next window says how
 * many were suppressed.  Returns 1 when the line was written.
 */
#define LOG_RL_BURST		5
#define LOG_RL_WINDOW_MS	60000
struct log_rl {
	long long	window_start;
	unsigned	shown;
	unsigned long	suppressed;
};
int	log_ratelimited(struct log_rl *rl, int level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
