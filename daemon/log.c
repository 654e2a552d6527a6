/*
 * log.c: one line per event on stderr: "TIME LEVEL ident: message", or,
 * when stderr is systemd's journal, "<PRIORITY>message" (sd-daemon(3)
 * prefixes) so that journald files each line at its level and adds the
 * time itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int log_max = LOG_INFO;
static const char *log_ident = "mentord";

static int log_journal;
static const char *const names[] = { "error", "warn", "info", "debug" };
/* syslog(3) priorities of the levels: LOG_ERR, WARNING, INFO, DEBUG. */
static const int prio[] = { 3, 4, 6, 7 };

int
log_under_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected. */
	if (js && *js)
		return sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
		    fstat(STDERR_FILENO, &st) == 0 &&
		    (unsigned long long)st.st_dev == dev &&
		    (unsigned long long)st.st_ino == ino;
	/* Started by systemd with stderr not on a terminal. */
	return getenv("INVOCATION_ID") != NULL && !isatty(STDERR_FILENO);
}

void
log_init(const char *ident, int level)
{
	log_ident = ident;
	log_max = level;
	log_journal = log_under_journal();
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
	if (log_journal)
		fprintf(stderr, "<%d>", prio[level]);
	else {
		time_format(ts, now_ms());
		fprintf(stderr, "%s %s %s: ", ts, names[level], log_ident);
	}
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
