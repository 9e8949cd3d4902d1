/* SPDX-License-Identifier: MIT */
/*
 * Between libhsa-xsched.so.1 and its hsakmt override (libhsakmt.so.1).
 * Exported under the version node XSCHED_PRIVATE, for the override only:
 * both come from one build, so this interface may change at any time.
 *
 * The override calls these around the real hsakmt functions. None of them
 * changes what the app sees: they never fail and never alter arguments or
 * results, only tell the module and keep the process's queue table.
 */
#ifndef XSCHED_INTERNAL_H
#define XSCHED_INTERNAL_H

#include <stdint.h>

#define XSCHED_PRIVATE	__attribute__((visibility("default")))

/* What the override knows about a queue it created (hsakmt's values). */
struct xs_queue_desc {
	uint64_t queue_id;	/* hsakmt's opaque HSA_QUEUEID */
	uint32_t node;		/* KFD topology node */
	int32_t type;		/* HSA_QUEUE_TYPE */
	int32_t priority;	/* HSA_QUEUE_PRIORITY, -3..3 */
	uint32_t percentage;
};

/* XSCHED_HSAKMT_LIBRARY, or NULL; messages on stderr (debug: XSCHED_DEBUG only). */
XSCHED_PRIVATE const char *xsched__hsakmt_library(void);
XSCHED_PRIVATE void xsched__log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
XSCHED_PRIVATE void xsched__debug(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Queue creation: _begin before the real call returns a token (NULL when
 * the module is absent) that _end consumes after it, whatever the result.
 * Creations are serialized between the two so that the queue the module
 * lists anew is the one just created.
 */
XSCHED_PRIVATE void *xsched__create_begin(void);
XSCHED_PRIVATE void xsched__create_end(void *token, const struct xs_queue_desc *d, int status);
XSCHED_PRIVATE void xsched__queue_updated(uint64_t queue_id, int32_t priority,
					  uint32_t percentage, int status);
XSCHED_PRIVATE void xsched__queue_cu_mask(uint64_t queue_id, const uint32_t *mask,
					  uint32_t nbits, int status);
XSCHED_PRIVATE void xsched__queue_destroyed(uint64_t queue_id, int status);

#endif /* XSCHED_INTERNAL_H */
