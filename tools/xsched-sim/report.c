// SPDX-License-Identifier: MIT
/* xsched-sim's tables: see report.h. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>

static const char *class_word(uint32_t c)
{
	return c == 1 ? "realtime" : c == 3 ? "best-effort" : "normal";
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void xsim_describe(const struct xsim_scenario *s)
{
	printf("scenario %s: %.0f s (first %.0f s not counted)\n", s->name,
	       (double)s->duration_ns / 1e9, (double)s->warmup_ns / 1e9);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct xsim_tenant *t = &s->tenants[i];
		uint64_t wgs = 0;

		for (uint32_t k = 0; k < t->nkernels; k++)
			wgs += t->kernels[k].grid;
		printf("  %-12s %-11s ", t->name, class_word(t->sched_class));
		if (t->arrival == XSIM_CLOSED)
			printf("closed loop");
		else if (t->arrival == XSIM_AFTER)
			printf("after each of %s's", s->tenants[t->after].name);
		else
			printf("%s every %.1f ms", t->arrival == XSIM_PERIODIC ? "periodic" : "poisson",
			       ms(t->period_ns));
		printf(", %u kernels, %" PRIu64 " workgroups per request\n", t->nkernels, wgs);
	}
}

void xsim_table_row(const struct xsim_scenario *s, const char *exec, const struct xsim_result *r,
		    const struct xsim_result *alone, double secs)
{
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct xsim_tenant_result *o = &r->t[i], *a = &alone[i].t[i];
		uint64_t p99 = xsim_percentile(o->lat_ns, o->finished, 990);
		uint64_t p99a = xsim_percentile(a->lat_ns, a->finished, 990);

		if (!o->finished) {
			printf("%-18s %-12s starved: no request finished in the window (%" PRIu64
			       " counted, %" PRIu64 " never finished)\n", i ? "" : exec,
			       s->tenants[i].name, o->requests, o->unfinished);
			if (!i)
				printf("%-18s %-12s %7s (remaps %" PRIu64 ")\n", "", "", "",
				       r->remaps);
			continue;
		}

		printf("%-18s %-12s %7" PRIu64 " %8.2f %8.2f %8.2f %8.2f %8.2f %7.2fx %9.2f %6.0f%% %6"
		       PRIu64, i ? "" : exec, s->tenants[i].name, o->requests,
		       ms(xsim_percentile(o->lat_ns, o->finished, 500)),
		       ms(xsim_percentile(o->lat_ns, o->finished, 900)), ms(p99),
		       ms(xsim_percentile(o->lat_ns, o->finished, 999)),
		       ms(xsim_percentile(o->lat_ns, o->finished, 1000)),
		       p99a ? (double)p99 / (double)p99a : 0.0, o->throughput,
		       a->throughput > 0 ? 100.0 * o->throughput / a->throughput : 0.0, o->misses);
		if (!i)
			printf(" %7" PRIu64 " %8.1f %6.2f", r->remaps, ms(r->remap_ns), secs);
		putchar('\n');
	}
}

void xsim_alone_line(const struct xsim_scenario *s, uint32_t tenant, const struct xsim_result *r)
{
	const struct xsim_tenant_result *o = &r->t[tenant];

	printf("  %-12s alone: p50 %.2f ms, p99 %.2f ms, %.2f requests/s\n",
	       s->tenants[tenant].name, ms(xsim_percentile(o->lat_ns, o->finished, 500)),
	       ms(xsim_percentile(o->lat_ns, o->finished, 990)), o->throughput);
}

void xsim_table_header(void)
{
	printf("%-18s %-12s %7s %8s %8s %8s %8s %8s %8s %9s %7s %6s %7s %8s %6s\n", "EXECUTOR",
	       "TENANT", "REQS", "P50_MS", "P90_MS", "P99_MS", "P99.9_MS", "MAX_MS", "P99/ALONE",
	       "REQ/S", "/ALONE", "MISSES", "REMAPS", "PAUSE_MS", "WALL_S");
}

void xsim_table_legend(void)
{
	printf("Latency: a request's arrival to the end of its last kernel.\n"
	       "P99/ALONE and /ALONE: against the same tenant alone on the whole GPU (native).\n"
	       "REQ/S: finished requests (iterations, for a closed loop) per second.\n"
	       "REMAPS and PAUSE_MS: runlist changes after start-up and the time they paused\n"
	       "the GPU (simulated runs only). xsched-sim's figures are predictions of a model\n"
	       "(Documentation/xsched-sim.rst); the hardware player's are measurements.\n");
}
