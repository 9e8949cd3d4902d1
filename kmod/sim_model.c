// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated gfx942 device: see sim_model.h for the contract and
 * Documentation/sim-model.rst for the model.
 */
#include "sim_model.h"

#define NSEC_PER_SECOND 1000000000ULL

void axs_sim_params_default(struct axs_sim_params *p)
{
	memset(p, 0, sizeof(*p));
	/* VGPR 512 KiB + SGPR 16 KiB + LDS 64 KiB + HW regs 4 KiB (kfd_queue.c) */
	p->cu_state_bytes = 596 * 1024;
	p->max_wg_per_cu = 32;		/* 8 waves per SIMD x 4 SIMDs */
	p->save_bw = 1000000000000ULL;	/* 1 TB/s: a guess below HBM's 5.3 TB/s */
	p->restore_bw = 1000000000000ULL;
	p->unmap_ns = 50000;
	p->map_ns = 50000;
	p->preempt_timeout_ns = 9000ULL * 1000000;	/* queue_preemption_timeout_ms */
	p->dispatch = AXS_SIM_DISPATCH_PRIORITY;
}

int axs_sim_params_check(const struct axs_sim_params *p)
{
	if (p->cu_state_bytes < 1024 || p->cu_state_bytes > (4U << 20))
		return -EINVAL;
	if (p->max_wg_per_cu < 1 || p->max_wg_per_cu > AXS_SIM_MAX_WG_PER_CU)
		return -EINVAL;
	if (p->save_bw < 1000000 || p->save_bw > 10000000000000ULL ||
	    p->restore_bw < 1000000 || p->restore_bw > 10000000000000ULL)
		return -EINVAL;
	if (p->unmap_ns > NSEC_PER_SECOND || p->map_ns > NSEC_PER_SECOND ||
	    p->unmap_delay_ns > 60 * NSEC_PER_SECOND)
		return -EINVAL;
	if (p->preempt_timeout_ns < 1000000 ||
	    p->preempt_timeout_ns > 60 * NSEC_PER_SECOND)
		return -EINVAL;
	if (p->dispatch != AXS_SIM_DISPATCH_PRIORITY &&
	    p->dispatch != AXS_SIM_DISPATCH_RR)
		return -EINVAL;
	if (p->launch_ns > NSEC_PER_SECOND / 1000)
		return -EINVAL;
	if (p->remap_scope != AXS_SIM_REMAP_GPU && p->remap_scope != AXS_SIM_REMAP_QUEUE)
		return -EINVAL;
	return 0;
}

void axs_sim_gpu_init(struct axs_sim_gpu *g, const struct axs_topo *topo,
		      const struct axs_sim_params *p,
		      const struct axs_sim_hooks *hooks, void *ctx, u64 now)
{
	memset(g, 0, sizeof(*g));
	g->topo = *topo;
	g->p = *p;
	g->ncu = axs_topo_num_cu(topo);
	INIT_LIST_HEAD(&g->queues);
	INIT_LIST_HEAD(&g->running);
	g->now = now;
	g->paused_until = now;
	g->launch_at = AXS_U64_MAX;
	g->hooks = hooks;
	g->ctx = ctx;
}

void axs_sim_queue_init(struct axs_sim_gpu *g, struct axs_sim_queue *q,
			u32 priority, void *cookie)
{
	memset(q, 0, sizeof(*q));
	INIT_LIST_HEAD(&q->node);
	INIT_LIST_HEAD(&q->kernels);
	INIT_LIST_HEAD(&q->saved);
	axs_topo_all_cus(&g->topo, &q->cus);
	q->priority = priority;
	q->cookie = cookie;
}

static struct axs_sim_kernel *head_kernel(const struct axs_sim_queue *q)
{
	if (list_empty(&q->kernels))
		return NULL;
	return list_entry(q->kernels.next, struct axs_sim_kernel, node);
}

static u64 cohort_bytes(const struct axs_sim_cohort *c)
{
	return (u64)c->count * c->k->footprint;
}

static u64 bytes_ns(u64 bytes, u64 bw)
{
	return axs_mul_div(bytes, NSEC_PER_SECOND, bw);
}

/* Give the room a cohort held back to its CUs. */
static void release_cus(struct axs_sim_gpu *g, const struct axs_sim_cohort *c)
{
	u32 cu;

	for (cu = 0; cu < g->ncu; cu++) {
		if (!axs_cu_set_has(&c->cus, cu))
			continue;
		g->used_bytes[cu] -= c->per_cu * c->k->footprint;
		g->used_wg[cu] -= c->per_cu;
	}
}

static void set_busy(struct axs_sim_gpu *g, struct axs_sim_queue *q, bool busy,
		     u64 t)
{
	if (q->busy == busy)
		return;
	q->busy = busy;
	if (busy) {
		q->busy_since = t;
		q->stats.busy_transitions++;
	} else {
		q->stats.busy_ns += t - q->busy_since;
	}
	if (g->hooks->busy)
		g->hooks->busy(g->ctx, q, busy, t);
}

static void finish_kernel(struct axs_sim_gpu *g, struct axs_sim_queue *q,
			  struct axs_sim_kernel *k, u64 t)
{
	struct axs_sim_record *r = &q->hist[k->id % AXS_SIM_HISTORY];

	k->end_ns = t;
	r->id = k->id;
	r->submit_ns = k->submit_ns;
	r->start_ns = k->start_ns;
	r->end_ns = t;
	q->done_id = k->id;
	q->stats.kernels_completed++;
	list_del_init(&k->node);
	g->hooks->free_kernel(g->ctx, k);

	if (g->hooks->kernel_done)
		g->hooks->kernel_done(g->ctx, q, r);
	if (q->draining) {
		q->draining = false;
		if (g->hooks->drained)
			g->hooks->drained(g->ctx, q, t);
	}
	/* the next kernel, queued or not yet submitted, waits for the CP */
	q->ready_ns = t + g->p.launch_ns;
	if (list_empty(&q->kernels))
		set_busy(g, q, false, t);
	else if (g->p.launch_ns)
		g->launch_at = axs_min_u64(g->launch_at, q->ready_ns);
}

static void complete_cohort(struct axs_sim_gpu *g, struct axs_sim_cohort *c, u64 t)
{
	struct axs_sim_queue *q = c->q;
	struct axs_sim_kernel *k = c->k;

	release_cus(g, c);
	k->completed += c->count;
	q->stats.wg_completed += c->count;
	list_del_init(&c->node);
	g->hooks->free_cohort(g->ctx, c);
	if (k->completed == k->grid)
		finish_kernel(g, q, k, t);
}

static bool queue_runnable(const struct axs_sim_queue *q, u64 t)
{
	const struct axs_sim_kernel *k = head_kernel(q);

	if (!k || t < q->ready_ns)
		return false;
	if (q->level && !q->draining)
		return false;
	return !list_empty(&q->saved) || k->dispatched < k->grid;
}

/* Dispatch order: higher priority first (unless round robin), then least recently served. */
static bool goes_before(const struct axs_sim_gpu *g, const struct axs_sim_queue *a,
			const struct axs_sim_queue *b)
{
	if (g->p.dispatch == AXS_SIM_DISPATCH_PRIORITY && a->priority != b->priority)
		return a->priority > b->priority;
	return a->served < b->served;
}

/*
 * Start up to @want workgroups of @k, each needing @dur_ns, on the CUs @q may
 * use, breadth first: every CU with room gets one before any gets two, as the
 * workgroup dispatcher spreads work. Returns how many were started.
 */
static u32 place(struct axs_sim_gpu *g, struct axs_sim_queue *q,
		 struct axs_sim_kernel *k, u32 want, u64 dur_ns, u64 t)
{
	u16 *n = g->scratch;
	u64 present = 0;
	u32 cu, v, level, left, total = 0, placed = 0;

	for (cu = 0; cu < g->ncu; cu++) {
		u32 room = 0;

		if (axs_cu_set_has(&q->cus, cu)) {
			room = (g->p.cu_state_bytes - g->used_bytes[cu]) / k->footprint;
			if (room > g->p.max_wg_per_cu - g->used_wg[cu])
				room = g->p.max_wg_per_cu - g->used_wg[cu];
		}
		n[cu] = (u16)room;
		total += room;
	}
	if (!total || !want)
		return 0;

	if (want < total) {
		/* Whole levels first, then one more on the lowest-numbered CUs. */
		left = want;
		for (level = 0; ; level++) {
			u32 cnt = 0;

			for (cu = 0; cu < g->ncu; cu++)
				cnt += n[cu] > level;
			if (left < cnt)
				break;
			left -= cnt;
		}
		for (cu = 0; cu < g->ncu; cu++) {
			u32 room = n[cu];

			n[cu] = (u16)(room < level ? room : level);
			if (room > level && left) {
				n[cu]++;
				left--;
			}
		}
	}

	for (cu = 0; cu < g->ncu; cu++)
		if (n[cu])
			present |= 1ULL << (n[cu] - 1);

	for (v = 1; v <= AXS_SIM_MAX_WG_PER_CU && present; v++) {
		struct axs_sim_cohort *c;
		u32 ncus = 0;

		if (!(present & (1ULL << (v - 1))))
			continue;
		present &= ~(1ULL << (v - 1));

		c = g->hooks->alloc_cohort(g->ctx);
		if (!c) {
			g->stats.alloc_failures++;
			break;
		}
		memset(c, 0, sizeof(*c));
		c->q = q;
		c->k = k;
		c->per_cu = v;
		c->end_ns = t + dur_ns;
		for (cu = 0; cu < g->ncu; cu++) {
			if (n[cu] != v)
				continue;
			axs_cu_set_add(&c->cus, cu);
			g->used_bytes[cu] += v * k->footprint;
			g->used_wg[cu] += v;
			ncus++;
		}
		c->count = v * ncus;
		placed += c->count;
		list_add_tail(&c->node, &g->running);
	}
	return placed;
}

/* Start what @q can start at @t; saved workgroups go back on CUs first. */
static void serve_queue(struct axs_sim_gpu *g, struct axs_sim_queue *q, u64 t)
{
	struct axs_sim_kernel *k = head_kernel(q);
	struct list_head *pos, *tmp;
	u32 placed, total = 0;

	list_for_each_safe(pos, tmp, &q->saved) {
		struct axs_sim_cohort *s = list_entry(pos, struct axs_sim_cohort, node);

		placed = place(g, q, s->k, s->count, s->left_ns, t);
		total += placed;
		s->count -= placed;
		if (s->count)
			break;
		list_del_init(&s->node);
		g->hooks->free_cohort(g->ctx, s);
	}

	if (list_empty(&q->saved) && k->dispatched < k->grid) {
		placed = place(g, q, k, k->grid - k->dispatched, k->wg_ns, t);
		if (placed && !k->started) {
			k->started = true;
			k->start_ns = t;
		}
		k->dispatched += placed;
		total += placed;
	}
	if (total)
		q->served = ++g->serve_seq;
}

/* After a failed cohort allocation, try again this much later. */
#define ALLOC_RETRY_NS 1000000ULL

static void dispatch(struct axs_sim_gpu *g, u64 t)
{
	u64 failures = g->stats.alloc_failures;
	struct list_head *pos, *tmp;
	u32 i, j, n = 0;

	if (t < g->paused_until)
		return;

	list_for_each_safe(pos, tmp, &g->queues) {
		struct axs_sim_queue *q = list_entry(pos, struct axs_sim_queue, node);

		if (!queue_runnable(q, t) || n == AXS_SIM_MAX_QUEUES)
			continue;
		/* insertion sort: a GPU has few queues */
		for (i = n; i > 0 && goes_before(g, q, g->order[i - 1]); i--)
			g->order[i] = g->order[i - 1];
		g->order[i] = q;
		n++;
	}
	for (j = 0; j < n; j++)
		serve_queue(g, g->order[j], t);

	/* Nothing may wait for an event that will not come: schedule a retry. */
	if (g->stats.alloc_failures != failures) {
		g->paused_until = t + ALLOC_RETRY_NS;
		g->resume_pending = true;
	}
}

static u64 earliest_end(const struct axs_sim_gpu *g)
{
	const struct list_head *pos;
	u64 t = AXS_U64_MAX;

	for (pos = g->running.next; pos != &g->running; pos = pos->next) {
		const struct axs_sim_cohort *c =
			list_entry(pos, struct axs_sim_cohort, node);

		t = axs_min_u64(t, c->end_ns);
	}
	return t;
}

u64 axs_sim_next_event(const struct axs_sim_gpu *g)
{
	u64 t = axs_min_u64(earliest_end(g), g->launch_at);

	if (g->resume_pending)
		t = axs_min_u64(t, g->paused_until);
	return t;
}

/* The earliest launch still ahead of @t, once those due at @t are taken. */
static u64 next_launch(const struct axs_sim_gpu *g, u64 t)
{
	const struct list_head *pos;
	u64 next = AXS_U64_MAX;

	for (pos = g->queues.next; pos != &g->queues; pos = pos->next) {
		const struct axs_sim_queue *q = list_entry(pos, struct axs_sim_queue, node);

		if (q->ready_ns > t)
			next = axs_min_u64(next, q->ready_ns);
	}
	return next;
}

/* Everything still to happen moves @d later: the GPU stands still. */
static void stand_still(struct axs_sim_gpu *g, u64 d)
{
	struct list_head *pos;

	for (pos = g->running.next; pos != &g->running; pos = pos->next)
		list_entry(pos, struct axs_sim_cohort, node)->end_ns += d;
	if (g->resume_pending)
		g->paused_until += d;
	if (g->launch_at != AXS_U64_MAX) {
		for (pos = g->queues.next; pos != &g->queues; pos = pos->next) {
			struct axs_sim_queue *q = list_entry(pos, struct axs_sim_queue, node);

			if (q->ready_ns > g->now)
				q->ready_ns += d;
		}
		g->launch_at += d;
	}
	if (g->cp_until > g->now)
		g->cp_until += d;
	g->stats.stalls++;
	g->stats.stall_ns += d;
}

void axs_sim_advance(struct axs_sim_gpu *g, u64 now)
{
	struct list_head *pos, *tmp;
	u32 events = 0;
	u64 t;

	for (;;) {
		t = axs_sim_next_event(g);
		if (t > now)
			break;
		/*
		 * One more event is due: past its share of the host, the
		 * advance stops and everything still to happen moves later.
		 */
		if (events++ >= AXS_SIM_ADVANCE_MIN_EVENTS && g->hooks->overrun &&
		    g->now < now && g->hooks->overrun(g->ctx, now)) {
			stand_still(g, now - g->now);
			break;
		}
		g->now = axs_max_u64(g->now, t);
		list_for_each_safe(pos, tmp, &g->running) {
			struct axs_sim_cohort *c =
				list_entry(pos, struct axs_sim_cohort, node);

			if (c->end_ns == t)
				complete_cohort(g, c, t);
		}
		if (t >= g->launch_at)
			g->launch_at = next_launch(g, t);
		if (t >= g->paused_until) {
			g->resume_pending = false;
			dispatch(g, t);
		}
	}
	g->now = axs_max_u64(g->now, now);
}

int axs_sim_enqueue(struct axs_sim_gpu *g, struct axs_sim_queue *q,
		    struct axs_sim_kernel *k, u64 now)
{
	if (!k->footprint)
		k->footprint = g->p.cu_state_bytes;
	if (k->grid < 1 || k->grid > AXS_SIM_MAX_GRID ||
	    k->wg_ns < AXS_SIM_MIN_WG_NS || k->wg_ns > AXS_SIM_MAX_WG_NS ||
	    k->footprint > g->p.cu_state_bytes)
		return -EINVAL;

	axs_sim_advance(g, now);
	now = g->now;
	INIT_LIST_HEAD(&k->node);
	k->id = ++q->next_id;
	k->submit_ns = now;
	k->start_ns = 0;
	k->end_ns = 0;
	k->dispatched = 0;
	k->completed = 0;
	k->started = false;
	list_add_tail(&k->node, &q->kernels);
	if (q->ready_ns > now)
		g->launch_at = axs_min_u64(g->launch_at, q->ready_ns);
	set_busy(g, q, true, now);
	dispatch(g, now);
	return 0;
}

static bool in_change(const struct axs_sim_change *c, const struct axs_sim_queue *q)
{
	u32 i;

	for (i = 0; i < c->n; i++)
		if (c->q[i] == q)
			return true;
	return false;
}

/* Running state that will not be restored when the runlist comes back. */
static bool stays_off(const struct axs_sim_change *c, const struct axs_sim_queue *q)
{
	if (c->kind == AXS_SIM_CHANGE_REMOVE)
		return in_change(c, q);
	if (c->kind == AXS_SIM_CHANGE_SUSPEND && c->level == 3)
		return in_change(c, q);
	return false;
}

static void save_queue(struct axs_sim_gpu *g, struct axs_sim_queue *q, u64 frozen_at);

static void drop_queue(struct axs_sim_gpu *g, struct axs_sim_queue *q, u64 t)
{
	struct list_head *pos, *tmp;

	save_queue(g, q, t);	/* off the CUs first, then all of it goes */
	list_for_each_safe(pos, tmp, &q->saved) {
		struct axs_sim_cohort *c = list_entry(pos, struct axs_sim_cohort, node);

		list_del_init(&c->node);
		g->hooks->free_cohort(g->ctx, c);
	}
	list_for_each_safe(pos, tmp, &q->kernels) {
		struct axs_sim_kernel *k = list_entry(pos, struct axs_sim_kernel, node);

		list_del_init(&k->node);
		g->hooks->free_kernel(g->ctx, k);
	}
	if (q->busy) {
		q->busy = false;
		q->stats.busy_ns += t - q->busy_since;
	}
	list_del_init(&q->node);
	g->nqueues--;
}

/* Lv3: take the queue's workgroups off the CUs, keeping what they still owe. */
static void save_queue(struct axs_sim_gpu *g, struct axs_sim_queue *q, u64 frozen_at)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &g->running) {
		struct axs_sim_cohort *c = list_entry(pos, struct axs_sim_cohort, node);

		if (c->q != q)
			continue;
		release_cus(g, c);
		list_del_init(&c->node);
		c->left_ns = c->end_ns - frozen_at;
		axs_cu_set_clear(&c->cus);
		c->per_cu = 0;
		list_add_tail(&c->node, &q->saved);
	}
}

static void apply_change(struct axs_sim_gpu *g, const struct axs_sim_change *c,
			 u64 frozen_at, u64 back_at)
{
	u32 i;

	for (i = 0; i < c->n; i++) {
		struct axs_sim_queue *q = c->q[i];
		struct axs_sim_kernel *k = head_kernel(q);

		switch (c->kind) {
		case AXS_SIM_CHANGE_ADD:
			list_add_tail(&q->node, &g->queues);
			g->nqueues++;
			break;
		case AXS_SIM_CHANGE_REMOVE:
			drop_queue(g, q, frozen_at);
			break;
		case AXS_SIM_CHANGE_SUSPEND:
			q->level = c->level;
			if (c->level == 3) {
				save_queue(g, q, frozen_at);
				break;
			}
			/* Lv2: a kernel that has started runs to its end. */
			q->draining = k && k->started;
			if (!q->draining && g->hooks->drained)
				g->hooks->drained(g->ctx, q, back_at);
			break;
		case AXS_SIM_CHANGE_RESUME:
			q->level = 0;
			q->draining = false;
			break;
		case AXS_SIM_CHANGE_PRIORITY:
			q->priority = c->priority[i];
			break;
		case AXS_SIM_CHANGE_CU_MASK:
			q->cus = c->cus[i];
			break;
		}
	}
}

static bool named(const struct axs_sim_change *cs, u32 nc, const struct axs_sim_queue *q)
{
	u32 j;

	for (j = 0; j < nc; j++)
		if (in_change(&cs[j], q))
			return true;
	return false;
}

static bool structural(const struct axs_sim_change *c)
{
	return c->kind == AXS_SIM_CHANGE_ADD || c->kind == AXS_SIM_CHANGE_REMOVE;
}

int axs_sim_remap_many(struct axs_sim_gpu *g, u64 now, const struct axs_sim_change *cs,
		       u32 nc, struct axs_sim_remap_info *out)
{
	bool scoped = g->p.remap_scope == AXS_SIM_REMAP_QUEUE;
	struct list_head *pos;
	u64 start, save = 0, off = 0, back = 0, t_unmap, t_map, len;
	bool hang, any_structural = false;
	u32 i, j;

	axs_sim_advance(g, now);
	start = axs_max_u64(g->now, scoped ? g->cp_until : g->paused_until);

	/* Every wave on the GPU (or of the queues named) is saved by the unmap (CWSR)... */
	for (pos = g->running.next; pos != &g->running; pos = pos->next) {
		const struct axs_sim_cohort *co =
			list_entry(pos, struct axs_sim_cohort, node);

		if (scoped && !named(cs, nc, co->q))
			continue;
		save += cohort_bytes(co);
		for (j = 0; j < nc; j++) {
			if (stays_off(&cs[j], co->q)) {
				off += cohort_bytes(co);
				break;
			}
		}
	}
	/* ...and restored by the remap, but for queues that stay off; resumed ones come back. */
	for (j = 0; j < nc; j++) {
		any_structural |= structural(&cs[j]);
		if (cs[j].kind == AXS_SIM_CHANGE_RESUME)
			for (i = 0; i < cs[j].n; i++)
				back += axs_sim_queue_saved_bytes(cs[j].q[i]);
	}

	t_unmap = g->p.unmap_ns + bytes_ns(save, g->p.save_bw) + g->p.unmap_delay_ns;
	hang = t_unmap > g->p.preempt_timeout_ns;
	if (hang) {
		t_unmap = g->p.preempt_timeout_ns;
		if (!any_structural) {
			off = 0;	/* nothing changes: everything comes back */
			back = 0;
		}
	}
	out->save_bytes = save;
	out->restore_bytes = save - off + back;
	t_map = g->p.map_ns + bytes_ns(out->restore_bytes, g->p.restore_bw);
	len = t_unmap + t_map;

	/* A hung unmap changes nothing, but queues still come and go. */
	for (j = 0; j < nc; j++)
		if (!hang || structural(&cs[j]))
			apply_change(g, &cs[j], start, start + len);

	/* What is still on the GPU (of the queues named) stands still while off. */
	for (pos = g->running.next; pos != &g->running; pos = pos->next) {
		struct axs_sim_cohort *co = list_entry(pos, struct axs_sim_cohort, node);

		if (!scoped || named(cs, nc, co->q))
			co->end_ns += len;
	}

	if (scoped) {
		/* only the queues named wait for their remap; the others run on */
		for (j = 0; j < nc; j++)
			for (i = 0; i < cs[j].n; i++) {
				struct axs_sim_queue *q = cs[j].q[i];

				q->ready_ns = axs_max_u64(q->ready_ns, start + len);
			}
		g->launch_at = axs_min_u64(g->launch_at, start + len);
		g->cp_until = start + len;
	} else {
		g->paused_until = start + len;
		g->resume_pending = true;
	}
	g->stats.remaps++;
	g->stats.remap_ns += len;
	g->stats.saved_bytes += out->save_bytes;
	g->stats.restored_bytes += out->restore_bytes;
	if (hang)
		g->stats.hangs++;

	out->start_ns = start;
	out->unmap_done_ns = start + t_unmap;
	out->end_ns = start + len;
	out->hang = hang;
	return hang ? -ETIME : 0;
}

int axs_sim_remap(struct axs_sim_gpu *g, u64 now, const struct axs_sim_change *c,
		  struct axs_sim_remap_info *out)
{
	return axs_sim_remap_many(g, now, c, 1, out);
}

void axs_sim_gpu_fini(struct axs_sim_gpu *g)
{
	struct list_head *pos, *tmp;

	while (!list_empty(&g->queues)) {
		struct axs_sim_queue *q =
			list_entry(g->queues.next, struct axs_sim_queue, node);

		drop_queue(g, q, g->now);
	}
	/* drop_queue() took every cohort of every queue off the GPU. */
	list_for_each_safe(pos, tmp, &g->running) {
		struct axs_sim_cohort *c = list_entry(pos, struct axs_sim_cohort, node);

		list_del_init(&c->node);
		g->hooks->free_cohort(g->ctx, c);
	}
}

const struct axs_sim_record *axs_sim_record(const struct axs_sim_queue *q, u64 id)
{
	const struct axs_sim_record *r = &q->hist[id % AXS_SIM_HISTORY];

	return id && r->id == id ? r : NULL;
}

u64 axs_sim_busy_ns(const struct axs_sim_queue *q, u64 now)
{
	return q->stats.busy_ns + (q->busy ? now - q->busy_since : 0);
}

u64 axs_sim_queue_resident_bytes(const struct axs_sim_gpu *g,
				 const struct axs_sim_queue *q)
{
	const struct list_head *pos;
	u64 b = 0;

	for (pos = g->running.next; pos != &g->running; pos = pos->next) {
		const struct axs_sim_cohort *c =
			list_entry(pos, struct axs_sim_cohort, node);

		if (c->q == q)
			b += cohort_bytes(c);
	}
	return b;
}

u64 axs_sim_queue_saved_bytes(const struct axs_sim_queue *q)
{
	const struct list_head *pos;
	u64 b = 0;

	for (pos = q->saved.next; pos != &q->saved; pos = pos->next)
		b += cohort_bytes(list_entry(pos, struct axs_sim_cohort, node));
	return b;
}
