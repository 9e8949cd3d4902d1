/* SPDX-License-Identifier: MIT */
/* xsched-sim: what a window of a run did, for the timeline plot (plot.h). */
#ifndef XSIM_TIMELINE_H
#define XSIM_TIMELINE_H

#include <stdint.h>
#include <stddef.h>

/*
 * A timeline of one window of a run: per lane (a tenant's queue) the spans
 * it was busy and suspended and each request it finished, and the GPU's
 * remaps. Fed with every state change of the run (so it knows the state
 * at the window's start); keeps what overlaps [from_ns, to_ns).
 */
#define XSIM_TL_LANES	16

enum xsim_tl_kind {
	XSIM_TL_BUSY,		/* the queue had work */
	XSIM_TL_SUSPENDED,	/* the queue was suspended */
	XSIM_TL_REMAP,		/* the GPU's unmap/remap: every queue stood still */
	XSIM_TL_REQUEST,	/* a request, arrival to its last kernel's end */
};

struct xsim_tl_span {
	uint64_t t0, t1;
	uint32_t lane;
	enum xsim_tl_kind kind;
};

struct xsim_timeline {
	uint64_t from_ns, to_ns;
	struct xsim_tl_span *v;
	size_t n, cap;
	uint64_t busy_since[XSIM_TL_LANES], susp_since[XSIM_TL_LANES];	/* 0: not */
	int err;		/* the first -ENOMEM */
};

/* @tl covers [@from, @to). */
void xsim_timeline_init(struct xsim_timeline *tl, uint64_t from, uint64_t to);
/* A span of @kind on @lane (ignored outside the window or lane range). */
void xsim_timeline_span(struct xsim_timeline *tl, enum xsim_tl_kind kind, uint32_t lane,
			uint64_t t0, uint64_t t1);
/* @lane became busy or idle (@on), or suspended or resumed, at @t. */
void xsim_timeline_busy(struct xsim_timeline *tl, uint32_t lane, int on, uint64_t t);
void xsim_timeline_suspended(struct xsim_timeline *tl, uint32_t lane, int on, uint64_t t);
void xsim_timeline_free(struct xsim_timeline *tl);

#endif /* XSIM_TIMELINE_H */
