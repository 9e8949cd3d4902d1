// SPDX-License-Identifier: MIT
/*
 * What a run's requests add up to, the same way for the simulator and for
 * the hardware player (tools/hw/axs-hw-scenario): see engine.h.
 */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>

#define AT(req, k, stride) ((const struct xsim_request *)((const char *)(req) + (k) * (stride)))

uint64_t xsim_percentile(const uint64_t *v, uint64_t n, uint32_t pm)
{
	uint64_t rank;

	if (!n)
		return 0;
	rank = (n * pm + 999) / 1000;
	return v[rank ? rank - 1 : 0];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool counted(const struct xsim_scenario *s, const struct xsim_request *rq)
{
	return rq->arrival_ns >= s->warmup_ns && rq->arrival_ns < s->duration_ns;
}

int xsim_tenant_count(const struct xsim_scenario *s, uint32_t tenant,
		      const struct xsim_request *req, size_t n, size_t stride,
		      struct xsim_tenant_result *o)
{
	uint64_t deadline = s->tenants[tenant].deadline_ns;
	double window = (double)(s->duration_ns - s->warmup_ns) / 1e9;

	o->lat_ns = malloc((n ? n : 1) * sizeof(*o->lat_ns));
	if (!o->lat_ns)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		const struct xsim_request *rq = AT(req, k, stride);

		o->unfinished += !rq->end_ns;
		if (!counted(s, rq))
			continue;
		o->requests++;
		if (!rq->end_ns) {
			o->misses++;
			continue;
		}
		o->lat_ns[o->finished++] = rq->end_ns - rq->arrival_ns;
		if (deadline && rq->end_ns - rq->arrival_ns > deadline)
			o->misses++;
	}
	qsort(o->lat_ns, o->finished, sizeof(*o->lat_ns), cmp_u64);
	o->throughput = (double)o->finished / window;
	return 0;
}

void xsim_requests_csv(FILE *f, const struct xsim_scenario *s, const char *exec,
		       uint32_t tenant, const struct xsim_request *req, size_t n, size_t stride)
{
	for (size_t k = 0; k < n; k++) {
		const struct xsim_request *rq = AT(req, k, stride);

		if (counted(s, rq) && rq->end_ns)
			fprintf(f, "%s,%s,%s,%zu,%llu,%llu,%llu\n", s->name, exec,
				s->tenants[tenant].name, k, (unsigned long long)rq->arrival_ns,
				(unsigned long long)rq->end_ns,
				(unsigned long long)(rq->end_ns - rq->arrival_ns));
	}
}

void xsim_result_free(struct xsim_result *r)
{
	for (int i = 0; i < XSIM_MAX_TENANTS; i++) {
		free(r->t[i].lat_ns);
		r->t[i].lat_ns = NULL;
	}
}
