// SPDX-License-Identifier: MIT
/*
 * xsched-sim's engine: see engine.h. One loop in virtual time steps from
 * event to event: the GPU model's next event, the next request arrival,
 * and the next moment the simulated xschedd acts (a module event reaching
 * it after react + ioctl, or a time the policy asked to be called at).
 */
#include "engine.h"
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "axs_policy.h"

#define NEVER		UINT64_MAX
#define SEC		1000000000ULL
#define NUM_CPX		4		/* MI308X: 4 XCCs, one partition each in CPX */

struct req {
	struct xsim_request r;	/* arrival and end (0 while running) */
	uint64_t last_id;	/* its last kernel's dispatch id */
};

struct trt {
	const struct xsim_tenant *t;
	struct run *run;
	uint32_t idx;
	struct axs_sim_gpu *g;
	struct axs_topo *topo;
	struct axs_sim_queue q;
	struct req *reqs;
	size_t nreq, capreq, next_done;
	uint64_t next_arrival;
	/*
	 * Whose arrival process it follows: its own, or for an after= stream
	 * run without the stream it waits for (alone), that stream's.
	 */
	const struct xsim_tenant *arr;
	/* after=, with the stream it waits for: when its next requests are released */
	bool waits;
	uint64_t *rel;
	size_t rel_head, rel_n, rel_cap;
	/* XSched Lv1: kernels the app launched that the scheduler still holds */
	size_t held_req;
	uint32_t held_k;
	uint64_t held;
	uint64_t rng;
};

struct pending_ev {
	uint64_t at;		/* when xschedd acts on it */
	uint64_t handle;
	bool busy;
};

struct run {
	const struct xsim_scenario *s;
	const struct xsim_exec *e;
	struct trt t[XSIM_MAX_TENANTS];
	uint32_t nt;
	struct axs_sim_gpu *gpus[NUM_CPX];
	struct axs_topo topos[NUM_CPX];
	uint32_t ngpus;
	struct axs_sim_hooks hooks;
	/* the simulated xschedd */
	struct axsp *pol;
	uint64_t pol_next, daemon_free;
	struct pending_ev *ev;
	size_t nev, capev, ev_head;
	const struct xsim_out *out;
	int err;
};

static void trace(struct run *r, uint16_t type, uint32_t idx, uint64_t t, uint64_t d0,
		  uint64_t d1)
{
	struct amdxsched_event ev = {
		.size = sizeof(ev), .type = type, .timestamp_ns = t, .handle = idx + 1,
		.pid = idx + 1, .gpu_id = 0, .data = { d0, d1 },
	};

	if (r->out && r->out->trace && t >= r->out->trace_from_ns && t < r->out->trace_to_ns)
		axs_trace_event(r->out->trace, &ev);
	if (r->out && r->out->timeline) {
		struct xsim_timeline *tl = r->out->timeline;

		if (type == AMDXSCHED_EVENT_QUEUE_BUSY || type == AMDXSCHED_EVENT_QUEUE_IDLE)
			xsim_timeline_busy(tl, idx, type == AMDXSCHED_EVENT_QUEUE_BUSY, t);
		else if (type == AMDXSCHED_EVENT_QUEUE_SUSPENDED ||
			 type == AMDXSCHED_EVENT_QUEUE_RESUMED)
			xsim_timeline_suspended(tl, idx, type == AMDXSCHED_EVENT_QUEUE_SUSPENDED, t);
	}
}

int xsim_exec_parse(const char *s, struct xsim_exec *e)
{
	char buf[32], *dash;
	int kind;

	const char *plus;
	char base[32];

	memset(e, 0, sizeof(*e));
	e->policy = -1;
	if (strlen(s) >= sizeof(e->name))
		return -EINVAL;
	snprintf(e->name, sizeof(e->name), "%s", s);
	plus = strchr(s, '+');
	if (plus) {
		if (!strcmp(plus, "+queue"))
			e->queue_scope = true;
		else if (!strcmp(plus, "+procclass"))
			e->proc_class = true;
		else
			return -EINVAL;
		snprintf(base, sizeof(base), "%.*s", (int)(plus - s), s);
		s = base;
	}
	if (!strcmp(s, "native"))
		e->kind = XSIM_NATIVE;
	else if (!strcmp(s, "native-prio"))
		e->kind = XSIM_NATIVE_PRIO;
	else if (!strcmp(s, "cu-split"))
		e->kind = XSIM_CU_SPLIT;
	else if (!strcmp(s, "cpx"))
		e->kind = XSIM_CPX;
	else if (!strncmp(s, "lv1:", 4)) {
		char *end;
		unsigned long n = strtoul(s + 4, &end, 10);

		if (end == s + 4 || *end || !n || n > 1024)
			return -EINVAL;
		e->kind = XSIM_LV1;
		e->lv1_inflight = (uint32_t)n;
	} else if (!strcmp(s, "suspend-all")) {
		e->kind = XSIM_POLICY;
		e->policy = AXSP_PRIORITY;
		e->level = 3;
		e->no_hold = true;
	} else {
		snprintf(buf, sizeof(buf), "%s", s);
		dash = strrchr(buf, '-');
		if (dash && (!strcmp(dash, "-lv2") || !strcmp(dash, "-lv3"))) {
			e->level = dash[3] - '0';
			*dash = '\0';
		}
		kind = axsp_kind_parse(buf);
		if (kind < 0)
			return -EINVAL;
		e->kind = XSIM_POLICY;
		e->policy = kind;
	}
	return 0;
}

/* Model hooks: called inside a model call, so they only record. */

static void hook_busy(void *ctx, struct axs_sim_queue *q, bool busy, uint64_t t)
{
	struct run *r = ctx;
	struct trt *tr = q->cookie;
	struct pending_ev *e;

	trace(r, busy ? AMDXSCHED_EVENT_QUEUE_BUSY : AMDXSCHED_EVENT_QUEUE_IDLE, tr->idx, t, 0, 0);
	if (!r->pol)
		return;
	if (r->nev == r->capev) {
		size_t cap = r->capev ? 2 * r->capev : 64;
		struct pending_ev *n;

		/* drop what was delivered before growing */
		if (r->ev_head) {
			memmove(r->ev, r->ev + r->ev_head,
				(r->nev - r->ev_head) * sizeof(*r->ev));
			r->nev -= r->ev_head;
			r->ev_head = 0;
		}
		if (r->nev == r->capev) {
			n = realloc(r->ev, cap * sizeof(*n));
			if (!n) {
				r->err = -ENOMEM;
				return;
			}
			r->ev = n;
			r->capev = cap;
		}
	}
	e = &r->ev[r->nev++];
	e->at = t + r->s->react_ns + r->s->ioctl_ns;
	e->handle = tr->idx + 1;
	e->busy = busy;
}

/*
 * A request of @tr ended at @t: each stream that waits for @tr's requests
 * (after=, hipStreamWaitEvent on an event recorded after each) may start
 * its next one then.
 */
static void release_waiters(struct trt *tr, uint64_t t)
{
	struct run *r = tr->run;

	for (uint32_t i = 0; i < r->nt; i++) {
		struct trt *w = &r->t[i];

		if (!w->t || !w->waits || w->t->after != (int32_t)tr->idx)
			continue;
		if (w->rel_head + w->rel_n == w->rel_cap) {
			/* compact, or grow */
			if (w->rel_head) {
				memmove(w->rel, w->rel + w->rel_head, w->rel_n * sizeof(*w->rel));
				w->rel_head = 0;
			} else {
				size_t cap = w->rel_cap ? 2 * w->rel_cap : 64;
				uint64_t *n = realloc(w->rel, cap * sizeof(*n));

				if (!n) {
					r->err = -ENOMEM;
					return;
				}
				w->rel = n;
				w->rel_cap = cap;
			}
		}
		w->rel[w->rel_head + w->rel_n++] = t;
		if (w->rel_n == 1)
			w->next_arrival = t;
	}
}

static void hook_kernel_done(void *ctx, struct axs_sim_queue *q, const struct axs_sim_record *rec)
{
	struct trt *tr = q->cookie;

	(void)ctx;
	while (tr->next_done < tr->nreq && tr->reqs[tr->next_done].last_id <= rec->id) {
		struct req *rq = &tr->reqs[tr->next_done++];

		rq->r.end_ns = rec->end_ns;
		if (tr->run->out && tr->run->out->timeline)
			xsim_timeline_span(tr->run->out->timeline, XSIM_TL_REQUEST, tr->idx,
					   rq->r.arrival_ns, rq->r.end_ns);
		if (tr->run->out && tr->run->out->trace && rec->end_ns >= tr->run->out->trace_from_ns &&
		    rec->end_ns < tr->run->out->trace_to_ns) {
			char args[96];

			snprintf(args, sizeof(args), "{\"latency_us\":%.1f}",
				 (double)(rq->r.end_ns - rq->r.arrival_ns) / 1e3);
			axs_trace_instant(tr->run->out->trace, rec->end_ns, 0, tr->t->name, args);
		}
		if (tr->arr->arrival == XSIM_CLOSED)
			tr->next_arrival = rec->end_ns + tr->arr->think_ns;
		release_waiters(tr, rec->end_ns);
	}
}

static struct axs_sim_cohort *hook_alloc(void *ctx)
{
	(void)ctx;
	return malloc(sizeof(struct axs_sim_cohort));
}

static void hook_free_cohort(void *ctx, struct axs_sim_cohort *c)
{
	(void)ctx;
	free(c);
}

static void hook_free_kernel(void *ctx, struct axs_sim_kernel *k)
{
	(void)ctx;
	free(k);
}

static int submit(struct trt *tr, const struct xsim_kernel *xk, uint64_t now)
{
	struct axs_sim_kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->grid = xk->grid;
	k->wg_ns = xk->wg_ns;
	k->footprint = xk->footprint;
	if (axs_sim_enqueue(tr->g, &tr->q, k, now)) {
		free(k);
		return -EINVAL;
	}
	return 0;
}

static int arrive(struct trt *tr, uint64_t now)
{
	struct req *rq;
	int err;

	if (tr->nreq == tr->capreq) {
		size_t cap = tr->capreq ? 2 * tr->capreq : 1024;
		struct req *n = realloc(tr->reqs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		tr->reqs = n;
		tr->capreq = cap;
	}
	rq = &tr->reqs[tr->nreq++];
	rq->r.arrival_ns = tr->next_arrival;
	rq->r.end_ns = 0;
	/* the ids the model will give this request's kernels */
	rq->last_id = tr->q.next_id + tr->held + tr->t->nkernels;
	if (tr->waits) {
		tr->rel_head++;
		tr->rel_n--;
		tr->next_arrival = tr->rel_n ? tr->rel[tr->rel_head] : NEVER;
	} else if (tr->arr->arrival == XSIM_CLOSED) {
		tr->next_arrival = NEVER;	/* set when this one ends */
	} else {
		tr->next_arrival += xsim_arrival_gap(tr->arr, &tr->rng);
	}
	if (tr->run->e->kind == XSIM_LV1) {
		tr->held += tr->t->nkernels;
		return 0;
	}
	for (uint32_t k = 0; k < tr->t->nkernels; k++) {
		err = submit(tr, &tr->t->kernels[k], now);
		if (err)
			return err;
	}
	return 0;
}

/* Higher scheduling rank first: class, then hardware priority. */
static int rank(const struct trt *tr)
{
	return (4 - (int)tr->t->sched_class) * 16 + (tr->t->priority < 0 ? 7 : tr->t->priority);
}

/*
 * XSched Lv1 (progressive launching, one scheduler over every process): a
 * queue has at most N kernels in flight, and launches nothing while a
 * tenant of a higher rank has work launched or held.
 */
static int lv1_release(struct run *r, uint64_t now)
{
	for (uint32_t i = 0; i < r->nt; i++) {
		struct trt *tr = &r->t[i];
		bool blocked = false;

		if (!tr->t)
			continue;
		for (uint32_t j = 0; j < r->nt; j++) {
			const struct trt *o = &r->t[j];

			if (o->t && rank(o) > rank(tr) && (o->held || o->q.next_id > o->q.done_id))
				blocked = true;
		}
		while (!blocked && tr->held &&
		       tr->q.next_id - tr->q.done_id < r->e->lv1_inflight) {
			int err = submit(tr, &tr->t->kernels[tr->held_k], now);

			if (err)
				return err;
			tr->held--;
			if (++tr->held_k == tr->t->nkernels)
				tr->held_k = 0;
		}
	}
	return 0;
}

/* The pid of a tenant's process: its own, or that of the tenant it is a stream of. */
static uint32_t tenant_pid(const struct xsim_tenant *t, uint32_t i)
{
	return (t && t->process >= 0 ? (uint32_t)t->process : i) + 1;
}

static uint32_t hw_priority(const struct run *r, const struct xsim_tenant *t)
{
	if (r->e->kind == XSIM_NATIVE)
		return 7;	/* every HIP stream at the default priority */
	if (r->e->proc_class && t->process >= 0)
		t = &r->s->tenants[t->process];	/* the class of its process */
	return t->priority >= 0 ? (uint32_t)t->priority : r->s->cfg.pol.priority[t->sched_class];
}

/* The CU masks of cu-split: cu.<class> of the scenario, or realtime 25%. */
static void split_mask(const struct run *r, const struct trt *tr, struct axs_cu_set *cus)
{
	const struct axsp_config *c = &r->s->cfg.pol;
	uint32_t rt = c->cu_permille[AXSP_CLASS_REALTIME] ? c->cu_permille[AXSP_CLASS_REALTIME] :
		      250;
	uint32_t ncu = axs_topo_num_cu(tr->topo), mask[AXSP_CU_MASK_WORDS], bits;
	uint32_t first = 0, count = ncu * rt / 1000;

	if (tr->t->sched_class != AXSP_CLASS_REALTIME) {
		first = count;
		count = ncu - count;
	}
	memset(mask, 0, sizeof(mask));
	bits = axs_cu_mask_range(tr->topo, first, count, mask, AXSP_CU_MASK_WORDS);
	if (!bits || axs_cu_mask_apply(tr->topo, mask, bits, cus))
		axs_topo_all_cus(tr->topo, cus);
}

static int setup(struct run *r, uint32_t mask)
{
	const struct xsim_scenario *s = r->s;
	struct axs_sim_params p = s->gpu;
	struct axs_topo full;

	axs_topo_mi308x(&full);
	if (r->e->queue_scope)
		p.remap_scope = AXS_SIM_REMAP_QUEUE;
	r->ngpus = r->e->kind == XSIM_CPX ? NUM_CPX : 1;
	for (uint32_t g = 0; g < r->ngpus; g++) {
		r->topos[g] = full;
		if (r->e->kind == XSIM_CPX) {
			/* one XCC: its 20 CUs, nothing outside it */
			memset(r->topos[g].active, 0, sizeof(r->topos[g].active));
			r->topos[g].num_xcc = 1;
			memcpy(r->topos[g].active[0], full.active[g], sizeof(full.active[0]));
		}
		r->gpus[g] = calloc(1, sizeof(*r->gpus[g]));
		if (!r->gpus[g])
			return -ENOMEM;
		axs_sim_gpu_init(r->gpus[g], &r->topos[g], &p, &r->hooks, r, 0);
	}
	r->nt = s->ntenants;
	for (uint32_t i = 0, n = 0; i < s->ntenants; i++) {
		struct trt *tr = &r->t[i];
		struct axs_sim_queue *qp = &tr->q;
		struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_ADD, .q = &qp, .n = 1 };
		struct axs_sim_remap_info info;
		uint32_t gi = r->e->kind == XSIM_CPX ? n % NUM_CPX : 0;

		tr->idx = i;
		tr->run = r;
		if (!(mask & (1U << i)))
			continue;
		n++;
		tr->t = &s->tenants[i];
		tr->g = r->gpus[gi];
		tr->topo = &r->topos[gi];
		tr->rng = xsim_arrival_seed(s, i);
		tr->next_arrival = xsim_first_arrival(i);
		tr->arr = tr->t;
		if (tr->t->arrival == XSIM_AFTER) {
			uint32_t root = (uint32_t)tr->t->after;

			tr->waits = mask & (1U << root);
			/* alone: the arrivals of the first stream of its chain */
			while (s->tenants[root].arrival == XSIM_AFTER)
				root = (uint32_t)s->tenants[root].after;
			tr->arr = &s->tenants[root];
			tr->rng = xsim_arrival_seed(s, root);
			tr->next_arrival = tr->waits ? NEVER : xsim_first_arrival(root);
		}
		axs_sim_queue_init(tr->g, &tr->q, hw_priority(r, tr->t), tr);
		axs_sim_remap(tr->g, 0, &c, &info);
		if (r->e->kind == XSIM_CU_SPLIT) {
			struct axs_cu_set cus;
			struct axs_sim_change cc = {
				.kind = AXS_SIM_CHANGE_CU_MASK, .q = &qp, .n = 1, .cus = &cus,
			};

			split_mask(r, tr, &cus);
			axs_sim_remap(tr->g, 0, &cc, &info);
		}
	}
	if (r->e->kind != XSIM_POLICY)
		return 0;

	struct axsp_config cfg = s->cfg.pol;
	struct axsp_topo at;

	if (r->e->policy >= 0)
		cfg.kind = (enum axsp_kind)r->e->policy;
	if (r->e->level)
		for (int c = 1; c < AXSP_NCLASS; c++)
			cfg.level[c] = r->e->level;
	/* spatial alone needs a partition: the scenario's, or realtime 25% */
	if (cfg.kind == AXSP_SPATIAL && cfg.cu_mode == AXSP_CU_NONE) {
		cfg.cu_mode = AXSP_CU_CLASS;
		cfg.cu_permille[AXSP_CLASS_REALTIME] = 250;
		cfg.cu_permille[AXSP_CLASS_BEST_EFFORT] = 750;
	}
	if (r->e->no_hold) {
		cfg.hold_ns = 0;
		cfg.min_share_permille = 0;
	}
	r->pol = axsp_new(&cfg);
	if (!r->pol)
		return -EINVAL;
	memset(&at, 0, sizeof(at));
	at.num_xcc = full.num_xcc;
	at.num_se = full.num_se;
	at.num_sh = full.num_sh;
	for (uint32_t x = 0; x < full.num_xcc; x++)
		for (uint32_t se = 0; se < full.num_se; se++)
			for (uint32_t sh = 0; sh < full.num_sh; sh++)
				at.active_cu[x][se][sh] = full.active[x][se][sh];
	if (axsp_gpu_add(r->pol, 0, &at))
		return -EINVAL;
	for (uint32_t i = 0; i < r->nt; i++) {
		const struct xsim_tenant *t = r->t[i].t;
		uint32_t pid = tenant_pid(t, i);
		struct axsp_proc_attr a;

		if (!t)
			continue;
		a.sched_class = (enum axsp_class)t->sched_class;
		a.priority = t->priority;
		a.share = t->share;
		a.deadline_ns = t->deadline_ns;
		/* a process's own tenant gives its class; another stream its queue's */
		if (t->process < 0 && axsp_proc_set(r->pol, pid, &a))
			return -EINVAL;
		if (axsp_queue_add(r->pol, i + 1, 0, pid, hw_priority(r, t), 0, false, 0))
			return -EINVAL;
		if (t->process >= 0 && !r->e->proc_class && axsp_queue_attr(r->pol, i + 1, &a))
			return -EINVAL;
	}
	r->pol_next = 0;
	return 0;
}

static struct axs_sim_queue *queue_of(struct run *r, uint64_t handle)
{
	return handle && handle <= r->nt && r->t[handle - 1].t ? &r->t[handle - 1].q : NULL;
}

/* Apply one GPU's plan as xschedd does: one batch, one remap. */
static int apply(struct run *r, const struct axsp_gpu_plan *gp, uint64_t now)
{
	struct axs_sim_queue *qs[5][XSIM_MAX_TENANTS];
	struct axs_cu_set cus[XSIM_MAX_TENANTS];
	uint32_t prio[XSIM_MAX_TENANTS];
	struct axs_sim_change cs[5];
	struct axs_sim_remap_info info;
	uint32_t nc = 0, n;

	memset(cs, 0, sizeof(cs));
	for (n = 0; n < gp->n_cu && n < XSIM_MAX_TENANTS; n++) {
		qs[nc][n] = queue_of(r, gp->cu[n].handle);
		if (!qs[nc][n] || axs_cu_mask_apply(&r->topos[0], gp->cu[n].mask,
						    gp->cu[n].num_bits, &cus[n]))
			return -EINVAL;
	}
	if (n) {
		cs[nc] = (struct axs_sim_change){ .kind = AXS_SIM_CHANGE_CU_MASK, .q = qs[nc],
						  .n = n, .cus = cus };
		nc++;
	}
	for (n = 0; n < gp->n_prio && n < XSIM_MAX_TENANTS; n++) {
		qs[nc][n] = queue_of(r, gp->prio[n].handle);
		prio[n] = gp->prio[n].priority;
		if (!qs[nc][n])
			return -EINVAL;
	}
	if (n) {
		cs[nc] = (struct axs_sim_change){ .kind = AXS_SIM_CHANGE_PRIORITY, .q = qs[nc],
						  .n = n, .priority = prio };
		nc++;
	}
	for (int lv = 0; lv < 2; lv++) {
		for (n = 0; n < gp->n_suspend[lv] && n < XSIM_MAX_TENANTS; n++) {
			qs[nc][n] = queue_of(r, gp->suspend[lv][n]);
			if (!qs[nc][n])
				return -EINVAL;
		}
		if (n) {
			cs[nc] = (struct axs_sim_change){ .kind = AXS_SIM_CHANGE_SUSPEND,
							  .level = 2 + lv, .q = qs[nc], .n = n };
			nc++;
		}
	}
	for (n = 0; n < gp->n_resume && n < XSIM_MAX_TENANTS; n++) {
		qs[nc][n] = queue_of(r, gp->resume[n]);
		if (!qs[nc][n])
			return -EINVAL;
	}
	if (n) {
		cs[nc] = (struct axs_sim_change){ .kind = AXS_SIM_CHANGE_RESUME, .q = qs[nc],
						  .n = n };
		nc++;
	}
	if (!nc)
		return 0;
	axs_sim_remap_many(r->gpus[0], now, cs, nc, &info);
	for (int lv = 0; lv < 2; lv++)
		for (n = 0; n < gp->n_suspend[lv] && n < XSIM_MAX_TENANTS; n++)
			trace(r, AMDXSCHED_EVENT_QUEUE_SUSPENDED, (uint32_t)gp->suspend[lv][n] - 1,
			      info.start_ns, 2 + lv, 0);
	for (n = 0; n < gp->n_resume && n < XSIM_MAX_TENANTS; n++)
		trace(r, AMDXSCHED_EVENT_QUEUE_RESUMED, (uint32_t)gp->resume[n] - 1, info.end_ns,
		      AMDXSCHED_RESUMED_IOCTL, 0);
	if (r->out && r->out->timeline)
		xsim_timeline_span(r->out->timeline, XSIM_TL_REMAP, 0, info.start_ns, info.end_ns);
	if (r->out && r->out->trace && info.start_ns >= r->out->trace_from_ns &&
	    info.start_ns < r->out->trace_to_ns) {
		char args[128];

		snprintf(args, sizeof(args), "{\"pause_us\":%.1f,\"saved_bytes\":%llu}",
			 (double)(info.end_ns - info.start_ns) / 1e3,
			 (unsigned long long)info.save_bytes);
		axs_trace_instant(r->out->trace, info.start_ns, 0, "remap", args);
	}
	/* the ioctl returns when the unmap is over: xschedd waits that long */
	if (info.unmap_done_ns > r->daemon_free)
		r->daemon_free = info.unmap_done_ns;
	return 0;
}

/* The simulated xschedd at @now: events that reached it, then a decision. */
static int daemon_step(struct run *r, uint64_t now)
{
	struct axsp_plan plan;
	bool any = false;
	int n;

	if (!r->pol || now < r->daemon_free)
		return 0;
	while (r->ev_head < r->nev && r->ev[r->ev_head].at <= now) {
		const struct pending_ev *e = &r->ev[r->ev_head++];

		axsp_queue_busy(r->pol, e->handle, e->busy, e->at);
		any = true;
	}
	if (!any && now < r->pol_next)
		return 0;
	n = axsp_decide(r->pol, now, &plan);
	if (n < 0)
		return n;
	r->pol_next = plan.next_ns;
	for (uint32_t g = 0; g < plan.n_gpus; g++) {
		int err = apply(r, &plan.gpus[g], now);

		if (err)
			return err;
	}
	return 0;
}

static uint64_t next_time(struct run *r, uint64_t end)
{
	uint64_t t = NEVER;

	for (uint32_t g = 0; g < r->ngpus; g++) {
		uint64_t e = axs_sim_next_event(r->gpus[g]);

		if (e < t)
			t = e;
	}
	for (uint32_t i = 0; i < r->nt; i++)
		if (r->t[i].t && r->t[i].next_arrival < end && r->t[i].next_arrival < t)
			t = r->t[i].next_arrival;
	if (r->pol) {
		uint64_t d = NEVER;

		if (r->ev_head < r->nev)
			d = r->ev[r->ev_head].at;
		if (r->pol_next < d)
			d = r->pol_next;
		if (d != NEVER && d < r->daemon_free)
			d = r->daemon_free;
		if (d < t)
			t = d;
	}
	return t;
}

static int collect(struct run *r, FILE *csv, struct xsim_result *res)
{
	for (uint32_t i = 0; i < r->nt; i++) {
		struct trt *tr = &r->t[i];
		int err;

		if (!tr->t)
			continue;
		err = xsim_tenant_count(r->s, i, &tr->reqs[0].r, tr->nreq, sizeof(*tr->reqs),
					&res->t[i]);
		if (err)
			return err;
		if (csv)
			xsim_requests_csv(csv, r->s, r->e->name, i, &tr->reqs[0].r, tr->nreq,
					  sizeof(*tr->reqs));
	}
	for (uint32_t g = 0; g < r->ngpus; g++) {
		res->remaps += r->gpus[g]->stats.remaps;
		res->remap_ns += r->gpus[g]->stats.remap_ns;
		res->saved_bytes += r->gpus[g]->stats.saved_bytes;
	}
	if (r->pol) {
		struct axsp_stats st;

		axsp_get_stats(r->pol, &st);
		res->decisions = st.decisions;
	}
	return 0;
}

int xsim_run(const struct xsim_scenario *s, const struct xsim_exec *e, uint32_t mask,
	     const struct xsim_out *out, struct xsim_result *res)
{
	struct run *r = calloc(1, sizeof(*r));
	uint64_t t, end = s->duration_ns, stop;
	uint64_t setup_remaps[NUM_CPX] = { 0 }, setup_ns[NUM_CPX] = { 0 };
	int err;

	memset(res, 0, sizeof(*res));
	if (!r)
		return -ENOMEM;
	r->s = s;
	r->e = e;
	r->out = out;
	r->hooks.busy = hook_busy;
	r->hooks.kernel_done = hook_kernel_done;
	r->hooks.alloc_cohort = hook_alloc;
	r->hooks.free_cohort = hook_free_cohort;
	r->hooks.free_kernel = hook_free_kernel;
	err = setup(r, mask);
	for (uint32_t g = 0; !err && g < r->ngpus; g++) {
		setup_remaps[g] = r->gpus[g]->stats.remaps;
		setup_ns[g] = r->gpus[g]->stats.remap_ns;
	}
	/* requests still running at the end get this long to finish */
	stop = end + (s->duration_ns > 10 * SEC ? s->duration_ns : 10 * SEC);
	while (!err) {
		t = next_time(r, end);
		if (t == NEVER || t > stop)
			break;
		for (uint32_t g = 0; g < r->ngpus; g++)
			axs_sim_advance(r->gpus[g], t);
		res->events++;
		for (uint32_t i = 0; i < r->nt && !err; i++) {
			struct trt *tr = &r->t[i];

			while (!err && tr->t && tr->next_arrival <= t && tr->next_arrival < end)
				err = arrive(tr, t);
		}
		if (!err && e->kind == XSIM_LV1)
			err = lv1_release(r, t);
		if (!err)
			err = daemon_step(r, t);
		if (!err)
			err = r->err;
	}
	if (!err)
		err = collect(r, out ? out->csv : NULL, res);
	for (uint32_t g = 0; g < r->ngpus; g++) {
		if (!err) {
			res->remaps -= setup_remaps[g];
			res->remap_ns -= setup_ns[g];
		}
		if (r->gpus[g])
			axs_sim_gpu_fini(r->gpus[g]);
		free(r->gpus[g]);
	}
	for (uint32_t i = 0; i < r->nt; i++) {
		free(r->t[i].reqs);
		free(r->t[i].rel);
	}
	axsp_free(r->pol);
	free(r->ev);
	free(r);
	if (err)
		xsim_result_free(res);
	return err;
}
