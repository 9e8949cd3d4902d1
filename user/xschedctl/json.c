// SPDX-License-Identifier: MIT
/* xschedctl: a small JSON writer for --json output. */
#include "xschedctl.h"

#include <inttypes.h>
#include <math.h>

void jw_init(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->comma[0] = false;
}

static void str(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', w->f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(w->f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(w->f, "\\u%04x", *p);	/* comm/tag bytes, as Latin-1 */
		else
			fputc(*p, w->f);
	}
	fputc('"', w->f);
}

/* Separator and key of the next value. */
static void key(struct jw *w, const char *k)
{
	if (w->comma[w->depth])
		fputc(',', w->f);
	w->comma[w->depth] = true;
	if (k) {
		str(w, k);
		fputc(':', w->f);
	}
}

static void push(struct jw *w, const char *k, char c)
{
	key(w, k);
	fputc(c, w->f);
	if (w->depth + 1 < (int)(sizeof(w->comma) / sizeof(w->comma[0])))
		w->depth++;
	w->comma[w->depth] = false;
}

static void pop(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(struct jw *w, const char *k)
{
	push(w, k, '{');
}

void jw_obj_end(struct jw *w)
{
	pop(w, '}');
}

void jw_arr(struct jw *w, const char *k)
{
	push(w, k, '[');
}

void jw_arr_end(struct jw *w)
{
	pop(w, ']');
}

void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	key(w, k);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_i64(struct jw *w, const char *k, int64_t v)
{
	key(w, k);
	fprintf(w->f, "%" PRId64, v);
}

void jw_dbl(struct jw *w, const char *k, double v)
{
	key(w, k);
	if (isfinite(v))
		fprintf(w->f, "%.3f", v);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *k, bool v)
{
	key(w, k);
	fputs(v ? "true" : "false", w->f);
}

void jw_str(struct jw *w, const char *k, const char *s)
{
	key(w, k);
	str(w, s);
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	fputs("null", w->f);
}

void jw_end(struct jw *w)
{
	fputc('\n', w->f);
	w->depth = 0;
	w->comma[0] = false;
}
