// SPDX-License-Identifier: MIT
/* xsched-sim: calibration (calibrate.h). */
#include "calibrate.h"

#include <errno.h>
#include <inttypes.h>

#include "engine.h"

#define SEC	1000000000ULL

/* The model's P50 latency of @tenant alone with the launch gap @launch. */
static int p50_alone(const struct xsim_scenario *s, uint32_t tenant, uint64_t launch,
		     uint64_t *p50)
{
	struct xsim_scenario c = *s;	/* read only: shares s's allocations */
	struct xsim_result r;
	struct xsim_exec e;
	int err;

	c.gpu.launch_ns = launch;
	if (c.duration_ns > c.warmup_ns + 10 * SEC)
		c.duration_ns = c.warmup_ns + 10 * SEC;
	xsim_exec_parse("native", &e);
	err = xsim_run(&c, &e, 1U << tenant, NULL, &r);
	if (!err)
		*p50 = r.t[tenant].finished ?
		       xsim_percentile(r.t[tenant].lat_ns, r.t[tenant].finished, 500) : 0;
	xsim_result_free(&r);
	return err ? err : *p50 ? 0 : -ERANGE;
}

int xsim_fit_launch(const struct xsim_scenario *s, uint32_t tenant, uint64_t p50_ns,
		    uint64_t *launch_ns)
{
	uint64_t lo = 0, hi = XSIM_FIT_LAUNCH_MAX_NS, v;
	int err;

	if (tenant >= s->ntenants)
		return -EINVAL;
	/* the latency grows with the gap: the measured P50 must lie between */
	err = p50_alone(s, tenant, lo, &v);
	if (err)
		return err;
	if (v > p50_ns)
		return -ERANGE;
	err = p50_alone(s, tenant, hi, &v);
	if (err)
		return err;
	if (v < p50_ns)
		return -ERANGE;
	while (hi - lo > 100) {		/* to 0.1 us */
		uint64_t mid = lo + (hi - lo) / 2;

		err = p50_alone(s, tenant, mid, &v);
		if (err)
			return err;
		if (v < p50_ns)
			lo = mid;
		else
			hi = mid;
	}
	*launch_ns = lo + (hi - lo) / 2;
	return 0;
}

static void key(FILE *f, const char *name, uint64_t ns, const char *how)
{
	if (ns)
		fprintf(f, "%s = %" PRIu64 ".%03" PRIu64 "us\t# %s\n", name, ns / 1000, ns % 1000,
			how);
	else
		fprintf(f, "# %s: not measured, the model's default stays\n", name);
}

int xsim_calibration_write(FILE *f, const struct xsim_calibration *c)
{
	fprintf(f, "# xsched-sim calibration: %s\n"
		"# Read with: xsched-sim --calibration FILE SCENARIO... (Documentation/"
		"xsched-sim.rst)\n", c->source ? c->source : "measured");
	key(f, "gpu.launch", c->launch_ns,
	    "fitted: the model's P50 of each tenant alone matches the measured (median)");
	key(f, "react", c->react_ns, "xschedd: a busy event to the suspension announced");
	key(f, "gpu.unmap", c->unmap_ns, "the module's remap time per remap, less the map");
	return ferror(f) ? -EIO : 0;
}
