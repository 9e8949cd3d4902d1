/* SPDX-License-Identifier: MIT */
/* xsched-sim: model costs from measurements (Documentation/xsched-sim.rst). */
#ifndef XSIM_CALIBRATE_H
#define XSIM_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

/*
 * The launch gap (gpu.launch: from one kernel's end to the next's first
 * workgroup, on one stream) with which the model's median latency of
 * @tenant alone on the GPU is @p50_ns, as measured: bisection over
 * 0..XSIM_FIT_LAUNCH_MAX_NS on @s run for at most 10 s after its warm-up.
 * 0 with *@launch_ns; -ERANGE if no gap in that range gives it (the
 * tenant's kernels alone take longer, or far less, than measured).
 */
#define XSIM_FIT_LAUNCH_MAX_NS	1000000ULL
int xsim_fit_launch(const struct xsim_scenario *s, uint32_t tenant, uint64_t p50_ns,
		    uint64_t *launch_ns);

/*
 * Write a calibration file (xsim_calibration_parse() reads it): the keys
 * measured (0 = not measured: left out) and, as comments, where each came
 * from (@source) and the model's defaults kept for the rest.
 */
struct xsim_calibration {
	uint64_t launch_ns, react_ns, unmap_ns;
	const char *source;	/* e.g. "axs-hw-scenario on <GPU name>, 2026-12-05" */
};
int xsim_calibration_write(FILE *f, const struct xsim_calibration *c);

#endif /* XSIM_CALIBRATE_H */
