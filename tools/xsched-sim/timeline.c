// SPDX-License-Identifier: MIT
/* xsched-sim: the timeline recorder (timeline.h). */
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void xsim_timeline_init(struct xsim_timeline *tl, uint64_t from, uint64_t to)
{
	memset(tl, 0, sizeof(*tl));
	tl->from_ns = from;
	tl->to_ns = to;
}

void xsim_timeline_span(struct xsim_timeline *tl, enum xsim_tl_kind kind, uint32_t lane,
			uint64_t t0, uint64_t t1)
{
	if (lane >= XSIM_TL_LANES || t1 < t0 || t1 < tl->from_ns || t0 >= tl->to_ns || tl->err)
		return;
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? 2 * tl->cap : 1024;
		struct xsim_tl_span *v = realloc(tl->v, cap * sizeof(*v));

		if (!v) {
			tl->err = -ENOMEM;
			return;
		}
		tl->v = v;
		tl->cap = cap;
	}
	tl->v[tl->n++] = (struct xsim_tl_span){ t0, t1, lane, kind };
}

/* Open or close the span that @since holds (0: none open). */
static void toggle(struct xsim_timeline *tl, uint64_t *since, enum xsim_tl_kind kind,
		   uint32_t lane, int on, uint64_t t)
{
	if (on && !*since) {
		*since = t ? t : 1;
	} else if (!on && *since) {
		xsim_timeline_span(tl, kind, lane, *since, t);
		*since = 0;
	}
}

void xsim_timeline_busy(struct xsim_timeline *tl, uint32_t lane, int on, uint64_t t)
{
	if (lane < XSIM_TL_LANES)
		toggle(tl, &tl->busy_since[lane], XSIM_TL_BUSY, lane, on, t);
}

void xsim_timeline_suspended(struct xsim_timeline *tl, uint32_t lane, int on, uint64_t t)
{
	if (lane < XSIM_TL_LANES)
		toggle(tl, &tl->susp_since[lane], XSIM_TL_SUSPENDED, lane, on, t);
}

void xsim_timeline_free(struct xsim_timeline *tl)
{
	free(tl->v);
	tl->v = NULL;
	tl->n = tl->cap = 0;
}
