/* SPDX-License-Identifier: MIT */
/* xsched-sim: plots of its results as SVG files. */
#ifndef XSIM_PLOT_H
#define XSIM_PLOT_H

#include <stdint.h>

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

#endif /* XSIM_PLOT_H */
