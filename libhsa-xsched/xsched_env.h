/* SPDX-License-Identifier: MIT */
/*
 * The XSCHED_* environment, parsed without side effects so that it can be
 * unit-tested: values come from a getenv-like function, complaints go to a
 * callback, one per variable set to something unusable (which is then
 * ignored). Documentation/libhsa-xsched.rst lists the variables.
 */
#ifndef XSCHED_ENV_H
#define XSCHED_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/amdxsched.h>

struct xs_env {
	/* Hints for AMDXSCHED_IOC_SET_PROC_ATTR: flags says which are set. */
	uint32_t attr_flags;		/* AMDXSCHED_ATTR_* */
	uint32_t sched_class;		/* AMDXSCHED_CLASS_* */
	uint32_t priority;		/* 0..15 */
	uint32_t share;			/* 1..1000 per mille */
	uint64_t deadline_ns;		/* 1 ns..1 h */
	char tag[AMDXSCHED_TAG_LEN];
	bool debug;			/* XSCHED_DEBUG: say what the library does */
	bool queue_classes;		/* XSCHED_QUEUE_CLASSES, default on: xs_queue_class() */
	bool disable;			/* XSCHED_DISABLE: forward only, tell nobody */
	const char *hsakmt_library;	/* XSCHED_HSAKMT_LIBRARY, or NULL */
};

typedef const char *(*xs_getenv_fn)(const char *name);
typedef void (*xs_report_fn)(void *ctx, const char *msg);

/* Fill *e; returns the number of variables that were ignored. */
unsigned int xs_env_parse(xs_getenv_fn get, struct xs_env *e, xs_report_fn report, void *ctx);

/* "realtime", "rt", "normal", "best-effort", "batch" (any case) -> class; 0 if none. */
uint32_t xs_class_parse(const char *s);
const char *xs_class_name(uint32_t cls);
/*
 * The class a queue of HSA priority @hsa_priority (HSA_QUEUE_PRIORITY,
 * MINIMUM -3 .. MAXIMUM 3, where HIP stream priorities arrive) gets of its
 * own: above NORMAL (0) realtime, below it best-effort; NORMAL gets none
 * (AMDXSCHED_CLASS_UNSET), the process's class applies.
 */
uint32_t xs_queue_class(int32_t hsa_priority);

/* The module's rule for tags: 1..31 characters of [A-Za-z0-9._:/-]. */
bool xs_tag_valid(const char *tag);

#endif /* XSCHED_ENV_H */
