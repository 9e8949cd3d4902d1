/* SPDX-License-Identifier: MIT */
/* xsched-sim: plots of its results as SVG files. */
#ifndef XSIM_PLOT_H
#define XSIM_PLOT_H

#include <stdint.h>

#include "timeline.h"

struct xsim_series {
	const char *name;
	const uint64_t *v;	/* latencies in ns, sorted */
	uint64_t n;
};

/*
 * One latency CDF per series on a log-scale axis of milliseconds, in the
 * SVG file @path. 0, -ENODATA if no series has a value, or -errno.
 */
int xsim_plot_cdf(const char *path, const char *title, const struct xsim_series *s, int n);

/*
 * The timeline as SVG in @path: a lane per name in @lanes (busy spans, the
 * suspended ones over them, a tick per finished request) and one for the
 * GPU's remaps, over the window in milliseconds. 0 or -errno.
 */
int xsim_plot_timeline(const char *path, const char *title, const struct xsim_timeline *tl,
		       const char *const *lanes, uint32_t nlanes);

#endif /* XSIM_PLOT_H */
