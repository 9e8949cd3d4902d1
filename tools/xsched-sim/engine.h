/* SPDX-License-Identifier: MIT */
/*
 * One run of a scenario under one executor, in virtual time: the module's
 * GPU model (kmod/sim_model.c) and xschedd's policies (user/policy), both
 * unchanged, with the daemon's reaction and ioctl costs as parameters.
 */
#ifndef XSIM_ENGINE_H
#define XSIM_ENGINE_H

#include <stdio.h>

#include "axs_trace.h"
#include "scenario.h"

enum xsim_exec_kind {
	XSIM_NATIVE,		/* the hardware's arbitration only */
	XSIM_NATIVE_PRIO,	/* ... with HIP stream (queue) priorities */
	XSIM_CU_SPLIT,		/* static CU masks by class (cu.* or 25%) */
	XSIM_CPX,		/* each XCC its own GPU; tenant i on XCC i mod 4 */
	XSIM_LV1,		/* XSched Lv1: at most N kernels in flight per queue */
	XSIM_POLICY,		/* xschedd's policy from the scenario, at a level */
};

struct xsim_exec {
	char name[32];
	enum xsim_exec_kind kind;
	uint32_t lv1_inflight;		/* XSIM_LV1 */
	int policy;			/* XSIM_POLICY: axsp_kind, -1 = the scenario's */
	uint32_t level;			/* XSIM_POLICY: 2 or 3, 0 = the scenario's */
	bool no_hold;			/* the GPreempt-style baseline: no hysteresis */
	bool queue_scope;		/* "+queue": unmaps stop only the queues named */
	bool proc_class;		/* "+procclass": a stream takes its process's class */
};

/*
 * "native", "native-prio", "cu-split", "cpx", "lv1:N", "suspend-all",
 * "POLICY" or "POLICY-lv2"/"POLICY-lv3" (priority, bandwidth, edf, llf,
 * spatial); any of them with "+queue" for the what-if of an unmap that
 * stops only the queues it changes, or with "+procclass" for classes per
 * process only (a tenant's process= stream takes its process's class, as
 * ABI 1.4 allows). 0 or -EINVAL.
 */
int xsim_exec_parse(const char *s, struct xsim_exec *e);

struct xsim_tenant_result {
	uint64_t requests;		/* counted: arrived after warmup, before the end */
	uint64_t finished;
	uint64_t *lat_ns;		/* finished ones, sorted */
	uint64_t misses;		/* past the tenant's deadline (or unfinished) */
	uint64_t unfinished;		/* of all its requests, counted or not */
	double throughput;		/* finished requests per second of the window */
};

struct xsim_result {
	struct xsim_tenant_result t[XSIM_MAX_TENANTS];
	uint64_t remaps, remap_ns, saved_bytes, decisions;
	uint64_t events;		/* model events processed (speed) */
};

/* Where a run writes what it did, besides its result; all optional. */
struct xsim_timeline;

struct xsim_out {
	FILE *csv;			/* every counted request */
	struct axs_trace *trace;	/* busy periods, suspensions, remaps, requests */
	uint64_t trace_from_ns, trace_to_ns;	/* of simulated time */
	struct xsim_timeline *timeline;	/* the same, for an SVG (plot.h), its own window */
};

/*
 * Run @s under @e; only the tenants whose bit is set in @mask take part
 * (the others' results stay zero). @out may be NULL. 0 or -errno.
 */
int xsim_run(const struct xsim_scenario *s, const struct xsim_exec *e, uint32_t mask,
	     const struct xsim_out *out, struct xsim_result *r);
void xsim_result_free(struct xsim_result *r);

/* A request as run or measured: arrival and end (0 = never finished). */
struct xsim_request {
	uint64_t arrival_ns, end_ns;
};

/*
 * @o from tenant @tenant's @n requests (in arrival order, @stride bytes
 * apart): those arriving in [warmup, duration) are counted, with their
 * latencies sorted, throughput over that window, deadline misses. Shared
 * by the simulator and the hardware player (tools/hw). 0 or -ENOMEM.
 */
int xsim_tenant_count(const struct xsim_scenario *s, uint32_t tenant,
		      const struct xsim_request *req, size_t n, size_t stride,
		      struct xsim_tenant_result *o);
/* Each counted finished request as a CSV line (see xsched-sim --csv). */
void xsim_requests_csv(FILE *f, const struct xsim_scenario *s, const char *exec,
		       uint32_t tenant, const struct xsim_request *req, size_t n, size_t stride);

/* The @pm per-mille percentile (nearest rank) of a sorted array; 0 if empty. */
uint64_t xsim_percentile(const uint64_t *v, uint64_t n, uint32_t pm);

#endif /* XSIM_ENGINE_H */
