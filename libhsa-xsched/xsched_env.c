// SPDX-License-Identifier: MIT
/* The XSCHED_* environment (xsched_env.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "axs_parse.h"
#include "xsched_env.h"

#define HOUR_NS		(3600ULL * 1000000000ULL)

/* XSCHED_PRIORITY's words. */
struct word {
	const char *name;
	uint32_t cls;
};

static const struct word priority_words[] = {
	{ "high", AMDXSCHED_CLASS_REALTIME },
	{ "normal", AMDXSCHED_CLASS_NORMAL },
	{ "low", AMDXSCHED_CLASS_BEST_EFFORT },
};

#define NWORDS(w) (sizeof(w) / sizeof((w)[0]))

static uint32_t lookup(const struct word *w, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, w[i].name))
			return w[i].cls;
	return AMDXSCHED_CLASS_UNSET;
}

/* The names and aliases xschedd.conf's rules and xsched-run take too. */
uint32_t xs_class_parse(const char *s)
{
	return axs_class_parse(s);
}

const char *xs_class_name(uint32_t cls)
{
	const char *name = axs_class_name(cls);

	return name ? name : "unset";
}

uint32_t xs_queue_class(int32_t hsa_priority)
{
	if (hsa_priority > 0)
		return AMDXSCHED_CLASS_REALTIME;
	if (hsa_priority < 0)
		return AMDXSCHED_CLASS_BEST_EFFORT;
	return AMDXSCHED_CLASS_UNSET;
}

bool xs_tag_valid(const char *tag)
{
	size_t len = strlen(tag);

	if (!len || len >= AMDXSCHED_TAG_LEN)
		return false;
	return strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789._:/-") == len;
}

static bool parse_flag(const char *v, bool *out)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false")) {
		*out = false;
		return true;
	}
	return false;
}

struct ctx {
	xs_report_fn report;
	void *arg;
	unsigned int ignored;
};

/* One complaint per variable: the value (cut short) and what was expected. */
static void bad(struct ctx *c, const char *var, const char *val, const char *want)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s='%.64s'%s is not %s; ignored", var, val,
		 strlen(val) > 64 ? "..." : "", want);
	c->ignored++;
	if (c->report)
		c->report(c->arg, msg);
}

/* NULL for unset or empty: "XSCHED_CLASS=" means no class. */
static const char *get_set(xs_getenv_fn get, const char *name)
{
	const char *v = get(name);

	return v && *v ? v : NULL;
}

static uint32_t parse_priority(struct ctx *c, const char *v, struct xs_env *e)
{
	uint32_t cls = lookup(priority_words, NWORDS(priority_words), v);
	uint64_t n;

	if (cls)
		return cls;
	if (!axs_parse_uint(v, AMDXSCHED_PRIORITY_MAX, &n)) {
		e->priority = (uint32_t)n;
		e->attr_flags |= AMDXSCHED_ATTR_PRIORITY;
	} else {
		bad(c, "XSCHED_PRIORITY", v, "high, normal, low or a number from 0 to 15");
	}
	return AMDXSCHED_CLASS_UNSET;
}

unsigned int xs_env_parse(xs_getenv_fn get, struct xs_env *e, xs_report_fn report, void *arg)
{
	struct ctx c = { .report = report, .arg = arg };
	uint32_t word_class = AMDXSCHED_CLASS_UNSET, permille;
	const char *v, *pv;
	uint64_t ns;

	memset(e, 0, sizeof(*e));
	e->queue_classes = true;

	if ((v = get_set(get, "XSCHED_DEBUG")) && !parse_flag(v, &e->debug))
		bad(&c, "XSCHED_DEBUG", v, "0 or 1");
	if ((v = get_set(get, "XSCHED_DISABLE")) && !parse_flag(v, &e->disable))
		bad(&c, "XSCHED_DISABLE", v, "0 or 1");
	if ((v = get_set(get, "XSCHED_QUEUE_CLASSES")) && !parse_flag(v, &e->queue_classes))
		bad(&c, "XSCHED_QUEUE_CLASSES", v, "0 or 1");

	if ((v = get_set(get, "XSCHED_CLASS"))) {
		e->sched_class = xs_class_parse(v);
		if (e->sched_class)
			e->attr_flags |= AMDXSCHED_ATTR_CLASS;
		else
			bad(&c, "XSCHED_CLASS", v, "realtime, normal or best-effort");
	}
	if ((pv = get_set(get, "XSCHED_PRIORITY")))
		word_class = parse_priority(&c, pv, e);
	if (word_class && !e->sched_class) {
		e->sched_class = word_class;
		e->attr_flags |= AMDXSCHED_ATTR_CLASS;
	} else if (word_class && word_class != e->sched_class) {
		char want[96];

		snprintf(want, sizeof(want), "consistent with XSCHED_CLASS=%s (the class wins)",
			 xs_class_name(e->sched_class));
		bad(&c, "XSCHED_PRIORITY", pv, want);
	}

	if ((v = get_set(get, "XSCHED_SHARE"))) {
		if (!axs_parse_percent(v, &permille) && permille) {
			e->share = permille;
			e->attr_flags |= AMDXSCHED_ATTR_SHARE;
		} else {
			bad(&c, "XSCHED_SHARE", v, "a percentage from 0.1% to 100%");
		}
	}
	if ((v = get_set(get, "XSCHED_DEADLINE"))) {
		if (!axs_parse_duration(v, &ns) && ns && ns <= HOUR_NS) {
			e->deadline_ns = ns;
			e->attr_flags |= AMDXSCHED_ATTR_DEADLINE;
		} else {
			bad(&c, "XSCHED_DEADLINE", v, "a duration from 1ns to 3600s (e.g. 20ms)");
		}
	}
	if ((v = get_set(get, "XSCHED_TAG"))) {
		if (xs_tag_valid(v)) {
			memcpy(e->tag, v, strlen(v) + 1);
			e->attr_flags |= AMDXSCHED_ATTR_TAG;
		} else {
			bad(&c, "XSCHED_TAG", v, "1 to 31 characters of A-Z a-z 0-9 . _ : / -");
		}
	}
	if ((v = get_set(get, "XSCHED_HSAKMT_LIBRARY"))) {
		if (v[0] == '/')
			e->hsakmt_library = v;
		else
			bad(&c, "XSCHED_HSAKMT_LIBRARY", v, "an absolute path");
	}
	return c.ignored;
}
