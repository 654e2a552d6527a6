/*
 * log.h: leveled logging to stderr.  Messages must never carry student
 * data (names, birth dates, locations, messages): log ids and counts only.
 */
#ifndef MENTOR_LOG_H
#define MENTOR_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* log_init: messages above level are dropped; ident prefixes each line. */
void	log_init(const char *ident, int level);
/* log_level_parse: "error|warn|info|debug" → level, or -1. */
int	log_level_parse(const char *s);

void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
