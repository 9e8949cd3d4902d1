/* SPDX-License-Identifier: MIT */
/*
 * A scenario for xsched-sim: the GPU, the tenants with their work and
 * arrivals, and the scheduler's configuration. The text is xschedd.conf's
 * (Documentation/xschedd.rst: every policy key, parsed by xschedd's own
 * parser) plus the lines below; Documentation/xsched-sim.rst has the rest.
 *
 *   duration = 180s              the run, in simulated time
 *   warmup = 1s                  requests arriving before are not counted
 *   seed = 1                     Poisson arrivals
 *   react = 50us                 xschedd: a module event to its decision
 *   ioctl = 20us                 one decision's ioctl before its remap
 *   gpu.launch = 5us             a stream's next kernel after its last
 *   gpu.unmap = 50us             and the other costs of sim-model.rst:
 *   gpu.map, gpu.save_bw, gpu.restore_bw, gpu.cu_state_bytes,
 *   gpu.max_wg_per_cu
 *
 *   tenant NAME [class=realtime|normal|best-effort] [priority=0..15]
 *          [share=N] [deadline=DUR]
 *          arrival=periodic period=DUR | arrival=poisson period=DUR |
 *          arrival=closed [think=DUR] [process=TENANT]
 *   (process=: another stream of that tenant's process, with its own class)
 *   kernels NAME count=N grid=N wg=DUR [footprint=BYTES]
 *   kernels NAME trace=FILE.csv [queue=N]   a rocprofv3 kernel trace
 *
 * A tenant's request is its kernels in order, launched at once as a HIP
 * stream launches them; the request ends when its last kernel does.
 */
#ifndef XSIM_SCENARIO_H
#define XSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sim_model.h"

#define XSIM_NUM_CU		80	/* the model's GPU: an MI308X in SPX */
#define XSIM_MAX_TENANTS	8
#define XSIM_MAX_KERNELS	4096	/* per request */

/* XSIM_AFTER: each request follows one of another stream's (after=, a HIP event wait) */
enum xsim_arrival { XSIM_PERIODIC, XSIM_POISSON, XSIM_CLOSED, XSIM_AFTER };

struct xsim_kernel {
	uint32_t grid;
	uint32_t footprint;	/* bytes per workgroup; 0 = a whole CU */
	uint64_t wg_ns;
};

struct xsim_tenant {
	char name[32];
	int32_t process;	/* the tenant whose process it shares (a 2nd stream), or -1 */
	int32_t after;		/* XSIM_AFTER: the tenant whose requests it waits for, or -1 */
	uint32_t sched_class;	/* AXSP_CLASS_* */
	int32_t priority;	/* hardware priority hint, -1 = the class's */
	uint32_t share;
	uint64_t deadline_ns;
	enum xsim_arrival arrival;
	uint64_t period_ns;	/* periodic, poisson: mean gap */
	uint64_t think_ns;	/* closed: gap after each request */
	uint32_t nkernels;
	struct xsim_kernel kernels[XSIM_MAX_KERNELS];
	uint64_t alone_ns;	/* the request's length alone on the GPU (computed) */
};

struct xsim_scenario {
	char name[64];
	uint64_t duration_ns, warmup_ns, react_ns, ioctl_ns;
	uint64_t seed;
	struct axs_sim_params gpu;
	struct xsd_config cfg;	/* the scheduler, as xschedd.conf */
	uint32_t ntenants;
	struct xsim_tenant tenants[XSIM_MAX_TENANTS];
};

/* 0, or -EINVAL with "name:line: what" in @err. */
int xsim_scenario_parse(const char *text, const char *name, struct xsim_scenario *s,
			char *err, size_t errlen);
int xsim_scenario_load(const char *path, struct xsim_scenario *s, char *err, size_t errlen);

/*
 * A calibration (what the hardware player measured, Documentation/
 * xsched-sim.rst): lines "key = value" of the scenario's own cost keys
 * (react, ioctl, gpu.launch, gpu.unmap, gpu.map, gpu.save_bw,
 * gpu.restore_bw) and comments, applied over @s's; any other key, a bad
 * value or costs outside the model's limits are -EINVAL with the line, and
 * change nothing.
 */
int xsim_calibration_parse(const char *text, const char *name, struct xsim_scenario *s,
			   char *err, size_t errlen);
int xsim_calibration_load(const char *path, struct xsim_scenario *s, char *err, size_t errlen);

/*
 * A tenant's arrivals, the same for the simulator and the players that run
 * the scenario for real (VM, hardware): its first request's time after the
 * start (spread a little so periodic tenants are not in phase), the seed of
 * its Poisson gaps, and the gap to its next request (periodic or Poisson;
 * a closed loop has none).
 */
uint64_t xsim_first_arrival(uint32_t tenant);
uint64_t xsim_arrival_seed(const struct xsim_scenario *s, uint32_t tenant);
uint64_t xsim_arrival_gap(const struct xsim_tenant *t, uint64_t *rng);
void xsim_scenario_free(struct xsim_scenario *s);

#endif /* XSIM_SCENARIO_H */
