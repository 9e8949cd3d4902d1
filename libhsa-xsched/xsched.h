/* SPDX-License-Identifier: MIT */
/*
 * libhsa-xsched: explicit control of amdxsched scheduling for a HIP or HSA
 * program. Link with `pkg-config --libs hsa-xsched`.
 *
 * Programs that do not call this API still join scheduling when started
 * with xsched-run(1) or with XSCHED_* set in their environment; a call here
 * overrides what the environment said, for this process.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure, never prints, never exits and never blocks for long:
 *   -ENODEV   the amdxsched module is not loaded (or /dev/amdxsched is
 *             missing); the value is kept and sent if the module appears
 *             before the process creates its next GPU queue
 *   -EINVAL   a value out of range
 *   -EPERM    the module refused (e.g. another process's queue)
 * All functions are thread-safe.
 */
#ifndef XSCHED_H
#define XSCHED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XSCHED_API_VERSION	1

/* The values of AMDXSCHED_CLASS_* in <linux/amdxsched.h>. */
enum xsched_class {
	XSCHED_CLASS_UNSET = 0,
	XSCHED_CLASS_REALTIME = 1,	/* latency critical: preempts the others */
	XSCHED_CLASS_NORMAL = 2,
	XSCHED_CLASS_BEST_EFFORT = 3,	/* batch: runs in what the others leave */
};

/* Preemption levels for xsched_suspend(). */
#define XSCHED_LEVEL_DEACTIVATE	2	/* the running kernel finishes first */
#define XSCHED_LEVEL_INTERRUPT	3	/* waves are saved (CWSR) at once */

/* 1 if the module answers, 0 if not. */
int xsched_available(void);

/* Scheduling hints of this process, read by xschedd(8). */
int xsched_set_class(enum xsched_class cls);
int xsched_set_priority(unsigned int priority);		/* 0..15 */
int xsched_set_share(unsigned int permille);		/* 1..1000 */
int xsched_set_deadline_ns(uint64_t deadline_ns);	/* per request, up to 1 h */
int xsched_set_tag(const char *tag);	/* up to 31 of [A-Za-z0-9._:/-] */

/*
 * Suspend every GPU queue of this process at @level for at most @lease_ms
 * (the module resumes them when the lease runs out, or when the process
 * exits); returns the number of queues suspended, 0 if it has none.
 * xsched_resume() resumes what xsched_suspend() suspended and returns the
 * number resumed.
 */
int xsched_suspend(unsigned int level, unsigned int lease_ms);
int xsched_resume(void);

/* Number of GPU queues the module lists for this process. */
int xsched_queue_count(void);

/* "realtime", "normal", "best-effort", or "unset". */
const char *xsched_class_name(enum xsched_class cls);

#ifdef __cplusplus
}
#endif

#endif /* XSCHED_H */
