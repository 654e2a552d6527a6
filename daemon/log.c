/*
 * log.c: one line per event on stderr: "TIME LEVEL ident: message".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

static int log_max = LOG_INFO;
static const char *log_ident = "mentord";

static const char *const names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *ident, int level)
{
	log_ident = ident;
	log_max = level;
}

int
log_level_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void
vlog(int level, const char *fmt, va_list ap)
{
	char ts[21];

	if (level > log_max)
		return;
	time_format(ts, now_ms());
	fprintf(stderr, "%s %s %s: ", ts, names[level], log_ident);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
vlog_printf(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

#define LOGFN(fn, lvl)					\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	vlog(lvl, fmt, ap);				\
	va_end(ap);					\
}

LOGFN(log_err, LOG_ERR)
LOGFN(log_warn, LOG_WARN)
LOGFN(log_info, LOG_INFO)
LOGFN(log_debug, LOG_DEBUG)

int
log_ratelimited(struct log_rl *rl, int level, const char *fmt, ...)
{
	long long now = now_ms();
	va_list ap;

	if (now - rl->window_start >= LOG_RL_WINDOW_MS) {
		if (rl->suppressed > 0)
			vlog_printf(level, "(%lu similar messages suppressed "
			    "in the last %d s)", rl->suppressed,
			    LOG_RL_WINDOW_MS / 1000);
		rl->window_start = now;
		rl->shown = 0;
		rl->suppressed = 0;
	}
	if (rl->shown >= LOG_RL_BURST) {
		rl->suppressed++;
		return 0;
	}
	rl->shown++;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
	return 1;
}
