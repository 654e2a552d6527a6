/*
 * ui.c: mentorctl's human output helpers: plurals, durations, byte
 * counts, dates, and a progress line on stderr for long commands.
 * None of this touches --json output, which keeps raw values and codes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "util.h"

const char *
ctl_plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

const char *
ctl_article(const char *word)
{
	return word && strchr("aeiouAEIOU", word[0]) && word[0] ? "an" : "a";
}

char *
ctl_duration(char *buf, size_t len, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%lld s", s);
	else if (s < 3600)
		snprintf(buf, len, "%lld min %lld s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lld d %lld h", s / 86400, s % 86400 / 3600);
	return buf;
}

char *
ctl_bytes(char *buf, size_t len, unsigned long long b)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, len, "%llu B", b);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

char *
ctl_date(char *buf, size_t len, const char *iso)
{
	int y, mo, d, h, mi;

	/* "2026-11-30T09:13:50Z" -> "2026-11-30 09:13 UTC"; dates stay. */
	if (iso && strlen(iso) >= 17 && sscanf(iso, "%4d-%2d-%2dT%2d:%2d",
	    &y, &mo, &d, &h, &mi) == 5)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d UTC", y, mo, d, h,
		    mi);
	else
		snprintf(buf, len, "%s", iso ? iso : "");
	return buf;
}

static long long
ui_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ctl_progress_begin(struct ctl_progress *p, const struct ctl *c,
    const char *what, const char *unit, unsigned long long total)
{
	memset(p, 0, sizeof(*p));
	p->on = !c->json && isatty(STDERR_FILENO);
	p->what = what;
	p->unit = unit;
	p->total = total;
	p->t0 = ui_mono_ms();
}

void
ctl_progress_update(struct ctl_progress *p, unsigned long long done)
{
	long long now, el;
	double rate;
	char left[48] = "", dur[32];

	p->done = done;
	if (!p->on)
		return;
	now = ui_mono_ms();
	/* At most five redraws a second, and the first after half of one. */
	if (now - p->last < 200 || now - p->t0 < 500)
		return;
	p->last = now;
	el = now - p->t0;
	rate = el > 0 ? (double)done * 1000.0 / (double)el : 0;
	if (p->total > 0 && rate > 0 && done < p->total)
		snprintf(left, sizeof(left), ", %s left", ctl_duration(dur,
		    sizeof(dur), (long long)((double)(p->total - done) /
		    rate + 0.5)));
	if (p->total > 0)
		fprintf(stderr, "\r\033[K%s: %llu of %llu %s (%d%%), %.0f/s%s",
		    p->what, done, p->total, p->unit,
		    (int)(done * 100 / p->total), rate, left);
	else
		fprintf(stderr, "\r\033[K%s: %llu %s, %.0f/s", p->what, done,
		    p->unit, rate);
	p->drawn = 1;
}

void
ctl_progress_end(struct ctl_progress *p)
{
	if (p->on && p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
}

/* collect: j's strings and object keys, depth-limited, into codes. */
static void
collect(const json_t *j, json_t *codes, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 4 || json_array_size(codes) >= 1000)
		return;
	if (json_is_string(j) && json_string_length(j) < 128)
		json_array_append_new(codes, json_string(json_string_value(j)));
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			collect(v, codes, depth + 1);
	else if (json_is_object(j))
		json_object_foreach((json_t *)j, k, v) {
			json_array_append_new(codes, json_string(k));
			collect(v, codes, depth + 1);
		}
}

json_t *
ctl_names(struct ctl *c, const json_t *j)
{
	json_t *codes = json_array(), *r = NULL, *peers = NULL, *e;
	size_t i;

	if (codes == NULL)
		return NULL;
	collect(j, codes, 0);
	ctl_quiet = 1;
	if (ctl_call(c, "names", json_pack("{s:o}", "codes", codes), NULL, 0,
	    &r, NULL, NULL) != EX_OK)
		r = json_object();
	/* Peers' names, for author and node ids (operator only). */
	if (r && c->keyfile == NULL && ctl_call(c, "peer.list", NULL, NULL, 0,
	    &peers, NULL, NULL) == EX_OK)
		json_array_foreach(peers, i, e)
			if (*ctl_str(e, "name"))
				json_object_set_new(r, ctl_str(e, "node_id"),
				    json_string(ctl_str(e, "name")));
	json_decref(peers);
	ctl_quiet = 0;
	return r;
}

const char *
ctl_name(const json_t *names, const char *code)
{
	const char *n = json_string_value(json_object_get(names, code));

	return n ? n : code;
}
