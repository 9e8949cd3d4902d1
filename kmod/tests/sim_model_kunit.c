// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "amdxsched_sim_model": the simulated gfx942 device's model
 * (kmod/sim_model.c), built with the kernel's compiler flags and run in a
 * kernel, under KASAN, UBSAN, lockdep and the rest of a debug config.
 *
 * tests/unit/test_sim_model.c runs the same code on the host with ASan and
 * UBSan; its small GPU (1 XCC of 4 CUs, 4 KiB of wave state per CU, 1 byte
 * per ns save and restore, 10 us unmap and map) is used here too, so that
 * every expected time can be derived by hand, and each test says how. A few
 * of its tests are kept, with the same numbers (occupancy, dispatch order,
 * remap cost, Lv2 drain, hangs); the rest of this suite is about what the
 * host tests do not reach:
 *
 * - kernel context: every model call runs under a spinlock with bottom
 *   halves off, as kmod/sim.c calls it, and the hooks allocate with
 *   GFP_ATOMIC; the hooks check that the model calls them only from inside
 *   a model call (lockdep checks the lock);
 * - memory: cohorts and kernels are counted kmalloc() allocations, so the
 *   suite's exit catches a leak, KASAN a double free or use after free, and
 *   after every step of the longer tests a checker recomputes the model's
 *   books (CU occupancy, workgroups in flight, allocations reachable);
 * - allocation failures (the alloc hook returning NULL) at first dispatch,
 *   halfway through placing a kernel, and while restoring saved work, each
 *   leaving the model consistent and retrying 1 ms later; random scenarios
 *   with failures injected, checked against the same scenario advanced at
 *   other times (results may not depend on when the model is advanced);
 * - Lv3 save and restore with exact CWSR timing at time origins up to 2^40
 *   ns below U64_MAX, several queues in one change, CU masks from
 *   axs_cu_mask_apply() on MI308X with the default parameters;
 * - limits: parameter bounds, 10 s workgroups, 2^24-workgroup grids,
 *   suspensions of an hour, the largest GPU at the largest wave state (4 GiB
 *   resident, past u32, and 64 workgroups per CU, the top bit of a u64), a
 *   save slow enough to hang, and more runnable queues than the dispatcher's
 *   order array holds (257: a write past it would be a UBSAN bounds report).
 *
 * A report from KASAN or UBSAN inside a model call is followed by "sleeping
 * function called from invalid context": KUnit's failure reporting
 * allocates, and the model runs under the spinlock. The first report is the
 * one that matters.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "sim_model.h"

#define US		1000ULL
#define MS		1000000ULL
#define SEC		1000000000ULL

#define CU_BYTES	4096ULL		/* 4096 ns to save or restore at 1 B/ns */
#define UNMAP		(10 * US)
#define MAP		(10 * US)

struct tracked_cohort {
	struct list_head node;		/* sim_env.cohorts */
	struct axs_sim_cohort c;	/* last: a write past it is past the allocation */
};

struct tracked_kernel {
	struct list_head node;		/* sim_env.kernels */
	struct axs_sim_kernel k;
};

struct sim_env {
	struct kunit *test;
	spinlock_t lock;		/* held around every model call, as in sim.c */
	bool in_model;			/* a model call is running */
	struct axs_sim_gpu *g;
	bool gpu_live;			/* initialised, not yet finalised */
	struct axs_sim_hooks hooks;

	struct list_head cohorts;	/* cohorts allocated and not freed */
	struct list_head kernels;	/* kernels handed to the model and not freed */
	u32 ncohorts, nkernels;
	u32 allocs;			/* alloc_cohort() calls since env_start() */
	u64 fail_mask;			/* call n < 64 fails if bit n is set */
	u32 fail_every;			/* and every n-th call fails (0: none) */

	u32 stray_calls;		/* hooks called outside a model call */
	u32 bad_records;		/* kernel_done records out of order */
	u32 busy_events, idle_events, drained;
	u64 drained_at;
	u32 overrun_every;		/* overrun() says yes every n-th call (0: never) */
	u32 overrun_calls;

	u32 chk_bytes[AXS_MAX_CU];	/* the checker's scratch */
	u16 chk_wg[AXS_MAX_CU];
};

static void env_lock(struct sim_env *e)
	__acquires(&e->lock)
{
	spin_lock_bh(&e->lock);
	e->in_model = true;
}

static void env_unlock(struct sim_env *e)
	__releases(&e->lock)
{
	e->in_model = false;
	spin_unlock_bh(&e->lock);
}

/*
 * The hooks run under the lock: no KUnit calls in them (reporting a failure
 * allocates and may sleep). They count, and the tests check the counts.
 */

static void hook_check(struct sim_env *e)
{
	lockdep_assert_held(&e->lock);
	if (!e->in_model)
		e->stray_calls++;
}

static void hook_busy(void *ctx, struct axs_sim_queue *q, bool busy, u64 t)
{
	struct sim_env *e = ctx;

	hook_check(e);
	if (busy)
		e->busy_events++;
	else
		e->idle_events++;
}

static void hook_drained(void *ctx, struct axs_sim_queue *q, u64 t)
{
	struct sim_env *e = ctx;

	hook_check(e);
	e->drained++;
	e->drained_at = t;
}

static void hook_kernel_done(void *ctx, struct axs_sim_queue *q,
			     const struct axs_sim_record *r)
{
	struct sim_env *e = ctx;

	hook_check(e);
	if (r->id != q->done_id || r->start_ns < r->submit_ns || r->end_ns <= r->start_ns)
		e->bad_records++;
}

static struct axs_sim_cohort *hook_alloc_cohort(void *ctx)
{
	struct sim_env *e = ctx;
	struct tracked_cohort *tc;
	u32 n = e->allocs++;

	hook_check(e);
	if ((n < 64 && (e->fail_mask & BIT_ULL(n))) ||
	    (e->fail_every && n % e->fail_every == e->fail_every - 1))
		return NULL;
	tc = kmalloc(sizeof(*tc), GFP_ATOMIC | __GFP_NOWARN);
	if (!tc)
		return NULL;
	list_add_tail(&tc->node, &e->cohorts);
	e->ncohorts++;
	return &tc->c;
}

static void hook_free_cohort(void *ctx, struct axs_sim_cohort *c)
{
	struct tracked_cohort *tc = container_of(c, struct tracked_cohort, c);
	struct sim_env *e = ctx;

	hook_check(e);
	list_del(&tc->node);
	e->ncohorts--;
	kfree(tc);
}

static void hook_free_kernel(void *ctx, struct axs_sim_kernel *k)
{
	struct tracked_kernel *tk = container_of(k, struct tracked_kernel, k);
	struct sim_env *e = ctx;

	hook_check(e);
	list_del(&tk->node);
	e->nkernels--;
	kfree(tk);
}

static bool hook_overrun(void *ctx, u64 now)
{
	struct sim_env *e = ctx;

	hook_check(e);
	e->overrun_calls++;
	return e->overrun_every && e->overrun_calls % e->overrun_every == 0;
}

static void env_start(struct sim_env *e, const struct axs_topo *t,
		      const struct axs_sim_params *p, u64 now)
{
	KUNIT_ASSERT_EQ(e->test, axs_topo_check(t), 0);
	KUNIT_ASSERT_EQ(e->test, axs_sim_params_check(p), 0);
	KUNIT_ASSERT_FALSE(e->test, e->gpu_live);
	e->allocs = 0;
	e->fail_mask = 0;
	e->fail_every = 0;
	e->busy_events = 0;
	e->idle_events = 0;
	e->drained = 0;
	e->overrun_every = 0;
	e->overrun_calls = 0;
	axs_sim_gpu_init(e->g, t, p, &e->hooks, e, now);
	e->gpu_live = true;
}

static void small_params(struct axs_sim_params *p)
{
	axs_sim_params_default(p);
	p->cu_state_bytes = CU_BYTES;
	p->max_wg_per_cu = 8;
	p->save_bw = 1000000000ULL;
	p->restore_bw = 1000000000ULL;
	p->unmap_ns = UNMAP;
	p->map_ns = MAP;
}

/* The small GPU: 1 XCC, 1 SE, 4 CUs. */
static void env_start_small(struct sim_env *e, u32 dispatch, u64 now)
{
	struct axs_sim_params p;
	struct axs_topo t;

	memset(&t, 0, sizeof(t));
	t.num_xcc = 1;
	t.num_se = 1;
	t.num_sh = 1;
	t.active[0][0][0] = 0xf;
	small_params(&p);
	p.dispatch = dispatch;
	env_start(e, &t, &p, now);
}

/* Finalise the GPU: the model must free everything it was given. */
static void env_stop(struct sim_env *e)
{
	env_lock(e);
	axs_sim_gpu_fini(e->g);
	env_unlock(e);
	e->gpu_live = false;
	KUNIT_EXPECT_EQ_MSG(e->test, e->ncohorts, 0, "cohorts leaked by the model");
	KUNIT_EXPECT_EQ_MSG(e->test, e->nkernels, 0, "kernels leaked by the model");
}

static void advance(struct sim_env *e, u64 now)
{
	env_lock(e);
	axs_sim_advance(e->g, now);
	env_unlock(e);
}

static u64 next_event(struct sim_env *e)
{
	u64 t;

	env_lock(e);
	t = axs_sim_next_event(e->g);
	env_unlock(e);
	return t;
}

static int remap(struct sim_env *e, u64 now, const struct axs_sim_change *c,
		 struct axs_sim_remap_info *info)
{
	struct axs_sim_remap_info dummy;
	int err;

	env_lock(e);
	err = axs_sim_remap(e->g, now, c, info ? info : &dummy);
	env_unlock(e);
	return err;
}

static int change(struct sim_env *e, u64 now, u32 kind, struct axs_sim_queue *q,
		  u32 level, u32 prio, const struct axs_cu_set *cus,
		  struct axs_sim_remap_info *info)
{
	struct axs_sim_change c = {
		.kind = kind, .level = level, .q = &q, .n = 1,
		.priority = &prio, .cus = cus,
	};

	return remap(e, now, &c, info);
}

/* A queue (test-managed memory), added at @now: one remap. */
static struct axs_sim_queue *queue_new(struct sim_env *e, u32 prio, u64 now)
{
	struct axs_sim_queue *q = kunit_kzalloc(e->test, sizeof(*q), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(e->test, q);
	axs_sim_queue_init(e->g, q, prio, NULL);
	KUNIT_ASSERT_EQ(e->test, change(e, now, AXS_SIM_CHANGE_ADD, q, 0, 0, NULL, NULL), 0);
	return q;
}

/* Submit a kernel at @now; its id, or 0 if the model refused it. */
static u64 submit(struct sim_env *e, struct axs_sim_queue *q, u32 grid, u64 wg_ns,
		  u32 footprint, u64 now)
{
	struct tracked_kernel *tk = kzalloc(sizeof(*tk), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(e->test, tk);
	tk->k.grid = grid;
	tk->k.wg_ns = wg_ns;
	tk->k.footprint = footprint;
	env_lock(e);
	list_add_tail(&tk->node, &e->kernels);
	e->nkernels++;
	err = axs_sim_enqueue(e->g, q, &tk->k, now);
	if (err) {
		list_del(&tk->node);
		e->nkernels--;
	}
	env_unlock(e);
	if (err) {
		kfree(tk);
		return 0;
	}
	return tk->k.id;
}

static struct axs_sim_kernel *head_kernel_of(const struct axs_sim_queue *q)
{
	if (list_empty(&q->kernels))
		return NULL;
	return list_first_entry(&q->kernels, struct axs_sim_kernel, node);
}

/* End time of kernel @id of @q, or 0 if it has not finished (or was forgotten). */
static u64 end_of(struct axs_sim_queue *q, u64 id)
{
	const struct axs_sim_record *r = axs_sim_record(q, id);

	return r ? r->end_ns : 0;
}

static u64 start_of(struct axs_sim_queue *q, u64 id)
{
	const struct axs_sim_record *r = axs_sim_record(q, id);

	return r ? r->start_ns : 0;
}

/* Workgroups of @k resident or saved. */
static u64 in_flight(const struct axs_sim_gpu *g, const struct axs_sim_queue *q,
		     const struct axs_sim_kernel *k)
{
	const struct axs_sim_cohort *c;
	u64 n = 0;

	list_for_each_entry(c, &g->running, node)
		if (c->k == k)
			n += c->count;
	list_for_each_entry(c, &q->saved, node)
		if (c->k == k)
			n += c->count;
	return n;
}

/*
 * Recompute the model's books from its lists. NULL if they agree, else what
 * does not.
 */
static const char *model_inconsistency(struct sim_env *e)
{
	const struct axs_sim_gpu *g = e->g;
	const struct axs_sim_cohort *c;
	const struct axs_sim_kernel *k;
	const struct axs_sim_queue *q;
	u32 cu, ncoh = 0, nker = 0, nq = 0;

	memset(e->chk_bytes, 0, sizeof(e->chk_bytes));
	memset(e->chk_wg, 0, sizeof(e->chk_wg));
	list_for_each_entry(c, &g->running, node) {
		ncoh++;
		if (c->end_ns <= g->now)
			return "a running cohort should have ended";
		if (!c->count || c->count != c->per_cu * axs_cu_set_count(&c->cus))
			return "a running cohort's count is not per_cu times its CUs";
		for (cu = 0; cu < AXS_MAX_CU; cu++) {
			if (!axs_cu_set_has(&c->cus, cu))
				continue;
			if (cu >= g->ncu)
				return "a cohort runs on a CU the GPU does not have";
			e->chk_bytes[cu] += c->per_cu * c->k->footprint;
			e->chk_wg[cu] += c->per_cu;
		}
	}
	for (cu = 0; cu < g->ncu; cu++) {
		if (e->chk_bytes[cu] != g->used_bytes[cu] || e->chk_wg[cu] != g->used_wg[cu])
			return "a CU's occupancy differs from its cohorts'";
		if (g->used_bytes[cu] > g->p.cu_state_bytes || g->used_wg[cu] > g->p.max_wg_per_cu)
			return "a CU holds more than it has room for";
	}
	list_for_each_entry(q, &g->queues, node) {
		nq++;
		list_for_each_entry(c, &q->saved, node) {
			ncoh++;
			if (c->q != q || !c->count || c->k != head_kernel_of(q))
				return "a saved cohort is not of its queue's head kernel";
		}
		if (q->busy == list_empty(&q->kernels))
			return "a queue's busy flag does not match its kernels";
		list_for_each_entry(k, &q->kernels, node) {
			nker++;
			if (k->completed > k->dispatched || k->dispatched > k->grid)
				return "a kernel's workgroup counts are out of order";
			if (k->dispatched && k != head_kernel_of(q))
				return "a kernel started before the one ahead of it finished";
			if (in_flight(g, q, k) != k->dispatched - k->completed)
				return "workgroups lost or duplicated";
		}
	}
	if (nq != g->nqueues)
		return "nqueues differs from the queue list";
	if (ncoh != e->ncohorts)
		return "cohorts allocated but not on any list of the model";
	if (nker != e->nkernels)
		return "kernels given to the model but not on any queue";
	return NULL;
}

static bool model_consistent(struct kunit *test, struct sim_env *e)
{
	const char *why;

	env_lock(e);
	why = model_inconsistency(e);
	env_unlock(e);
	KUNIT_EXPECT_NULL_MSG(test, why, "model inconsistent at %llu ns: %s", e->g->now, why);
	return !why;
}

static int sim_test_init(struct kunit *test)
{
	struct sim_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	if (!e)
		return -ENOMEM;
	e->g = kunit_kzalloc(test, sizeof(*e->g), GFP_KERNEL);
	if (!e->g)
		return -ENOMEM;
	e->test = test;
	spin_lock_init(&e->lock);
	INIT_LIST_HEAD(&e->cohorts);
	INIT_LIST_HEAD(&e->kernels);
	e->hooks.busy = hook_busy;
	e->hooks.drained = hook_drained;
	e->hooks.kernel_done = hook_kernel_done;
	e->hooks.alloc_cohort = hook_alloc_cohort;
	e->hooks.overrun = hook_overrun;
	e->hooks.free_cohort = hook_free_cohort;
	e->hooks.free_kernel = hook_free_kernel;
	test->priv = e;
	return 0;
}

/* Runs after every test, passed or failed: no leak, no stray hook call. */
static void sim_test_exit(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct tracked_cohort *tc, *tc2;
	struct tracked_kernel *tk, *tk2;

	if (e->gpu_live)
		env_stop(e);
	KUNIT_EXPECT_EQ(test, e->stray_calls, 0);
	KUNIT_EXPECT_EQ(test, e->bad_records, 0);
	/* What a failed test left behind. */
	list_for_each_entry_safe(tc, tc2, &e->cohorts, node)
		kfree(tc);
	list_for_each_entry_safe(tk, tk2, &e->kernels, node)
		kfree(tk);
}

struct params_case {
	const char *name;
	u32 field;
	u64 value;
	int err;
};

/* Which field of the default parameters a case sets. */
enum {
	P_NONE,
	P_CU_STATE,
	P_MAX_WG,
	P_SAVE_BW,
	P_RESTORE_BW,
	P_UNMAP,
	P_MAP,
	P_DELAY,
	P_TIMEOUT,
	P_DISPATCH,
};

static const struct params_case params_cases[] = {
	{ "defaults", P_NONE, 0, 0 },
	{ "cu_state_bytes 1023", P_CU_STATE, 1023, -EINVAL },
	{ "cu_state_bytes 1024", P_CU_STATE, 1024, 0 },
	{ "cu_state_bytes 4 MiB", P_CU_STATE, 4 << 20, 0 },
	{ "cu_state_bytes 4 MiB + 1", P_CU_STATE, (4 << 20) + 1, -EINVAL },
	{ "max_wg_per_cu 0", P_MAX_WG, 0, -EINVAL },
	{ "max_wg_per_cu 64", P_MAX_WG, 64, 0 },
	{ "max_wg_per_cu 65", P_MAX_WG, 65, -EINVAL },
	{ "save_bw 999999", P_SAVE_BW, 999999, -EINVAL },
	{ "save_bw 1e6", P_SAVE_BW, 1000000, 0 },
	{ "save_bw 1e13", P_SAVE_BW, 10000000000000ULL, 0 },
	{ "save_bw 1e13 + 1", P_SAVE_BW, 10000000000001ULL, -EINVAL },
	{ "restore_bw 999999", P_RESTORE_BW, 999999, -EINVAL },
	{ "restore_bw 1e13 + 1", P_RESTORE_BW, 10000000000001ULL, -EINVAL },
	{ "unmap_ns 1 s", P_UNMAP, SEC, 0 },
	{ "unmap_ns 1 s + 1", P_UNMAP, SEC + 1, -EINVAL },
	{ "map_ns 1 s + 1", P_MAP, SEC + 1, -EINVAL },
	{ "unmap_delay_ns 60 s", P_DELAY, 60 * SEC, 0 },
	{ "unmap_delay_ns 60 s + 1", P_DELAY, 60 * SEC + 1, -EINVAL },
	{ "unmap_delay_ns U64_MAX", P_DELAY, U64_MAX, -EINVAL },
	{ "preempt_timeout_ns 1 ms - 1", P_TIMEOUT, MS - 1, -EINVAL },
	{ "preempt_timeout_ns 1 ms", P_TIMEOUT, MS, 0 },
	{ "preempt_timeout_ns 60 s + 1", P_TIMEOUT, 60 * SEC + 1, -EINVAL },
	{ "dispatch round robin", P_DISPATCH, AXS_SIM_DISPATCH_RR, 0 },
	{ "dispatch 2", P_DISPATCH, 2, -EINVAL },
	{ "dispatch U32_MAX", P_DISPATCH, U32_MAX, -EINVAL },
};

static void params_case_desc(const struct params_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(params, params_cases, params_case_desc);

static void sim_test_params_check(struct kunit *test)
{
	const struct params_case *pc = test->param_value;
	struct axs_sim_params p;

	axs_sim_params_default(&p);
	switch (pc->field) {
	case P_CU_STATE:
		p.cu_state_bytes = pc->value;
		break;
	case P_MAX_WG:
		p.max_wg_per_cu = pc->value;
		break;
	case P_SAVE_BW:
		p.save_bw = pc->value;
		break;
	case P_RESTORE_BW:
		p.restore_bw = pc->value;
		break;
	case P_UNMAP:
		p.unmap_ns = pc->value;
		break;
	case P_MAP:
		p.map_ns = pc->value;
		break;
	case P_DELAY:
		p.unmap_delay_ns = pc->value;
		break;
	case P_TIMEOUT:
		p.preempt_timeout_ns = pc->value;
		break;
	case P_DISPATCH:
		p.dispatch = pc->value;
		break;
	}
	KUNIT_EXPECT_EQ(test, axs_sim_params_check(&p), pc->err);
}

/*
 * Adding the queue at 0 costs an empty remap (20 us). 4 whole-CU workgroups
 * fill the 4 CUs once; 8 take two rounds; 16 quarter-CU ones fit in one
 * round but wait for the kernel ahead of them in the queue.
 */
static void sim_test_occupancy_and_order(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_queue *q;
	u64 a, b, c;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	KUNIT_EXPECT_EQ(test, e->g->stats.remap_ns, UNMAP + MAP);
	KUNIT_EXPECT_EQ(test, e->g->paused_until, UNMAP + MAP);

	a = submit(e, q, 4, MS, 0, 100 * US);
	KUNIT_ASSERT_NE(test, a, 0);
	advance(e, 10 * MS);
	KUNIT_EXPECT_EQ(test, start_of(q, a), 100 * US);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 1100 * US);

	b = submit(e, q, 8, MS, 0, 20 * MS);
	c = submit(e, q, 16, MS, CU_BYTES / 4, 20 * MS);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
	advance(e, 100 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, b), 22 * MS);
	KUNIT_EXPECT_EQ(test, start_of(q, c), 22 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, c), 23 * MS);
	KUNIT_EXPECT_EQ(test, q->stats.wg_completed, 4 + 8 + 16);
	KUNIT_EXPECT_EQ(test, q->stats.kernels_completed, 3);
	/* Busy 0.1..1.1 ms and 20..23 ms: two transitions each way. */
	KUNIT_EXPECT_EQ(test, e->busy_events, 2);
	KUNIT_EXPECT_EQ(test, e->idle_events, 2);
	KUNIT_EXPECT_EQ(test, axs_sim_busy_ns(q, 100 * MS), 4 * MS);
	KUNIT_EXPECT_EQ(test, next_event(e), AXS_U64_MAX);
}

/* 6 quarter-CU workgroups on 4 CUs go 2, 2, 1, 1: breadth first. */
static void sim_test_breadth_first_placement(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_queue *q;
	u32 cu;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	KUNIT_ASSERT_NE(test, submit(e, q, 6, MS, CU_BYTES / 4, MS), 0);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[0], 2);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[1], 2);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[2], 1);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[3], 1);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
	advance(e, 10 * MS);
	for (cu = 0; cu < 4; cu++)
		KUNIT_EXPECT_EQ(test, e->g->used_bytes[cu], 0);
}

/*
 * A low-priority kernel of 8 10-ms workgroups holds all 4 CUs from 0.1 ms;
 * a high-priority one submitted at 2 ms waits for the first round to end at
 * 10.1 ms, then goes first; the low one gets 3 CUs then, and the 4th when
 * the high one ends at 11.1 ms, so it ends at 21.1 ms.
 */
static void sim_test_priority_cannot_preempt_resident_work(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_queue *lo, *hi;
	u64 a, b;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	lo = queue_new(e, 2, 0);
	hi = queue_new(e, 11, 0);
	a = submit(e, lo, 8, 10 * MS, 0, 100 * US);
	b = submit(e, hi, 1, MS, 0, 2 * MS);
	advance(e, 10100 * US);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
	advance(e, 100 * MS);
	KUNIT_EXPECT_EQ(test, start_of(hi, b), 10100 * US);
	KUNIT_EXPECT_EQ(test, end_of(hi, b), 11100 * US);
	KUNIT_EXPECT_EQ(test, end_of(lo, a), 21100 * US);
}

struct dispatch_case {
	const char *name;
	u32 dispatch;
	u64 second_start;
};

/*
 * A priority-15 queue has 8 workgroups (two rounds, from 0.1 ms), a
 * priority-0 queue 4 (from 0.2 ms). At 1.1 ms, priority dispatch serves the
 * 15 first (its second round), round robin the queue not yet served.
 */
static const struct dispatch_case dispatch_cases[] = {
	{ "priority", AXS_SIM_DISPATCH_PRIORITY, 2100 * US },
	{ "round robin", AXS_SIM_DISPATCH_RR, 1100 * US },
};

static void dispatch_case_desc(const struct dispatch_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dispatch, dispatch_cases, dispatch_case_desc);

static void sim_test_dispatch_order(struct kunit *test)
{
	const struct dispatch_case *p = test->param_value;
	struct sim_env *e = test->priv;
	struct axs_sim_queue *first, *second;
	u64 id;

	env_start_small(e, p->dispatch, 0);
	first = queue_new(e, 15, 0);
	second = queue_new(e, 0, 0);
	submit(e, first, 8, MS, 0, 100 * US);
	id = submit(e, second, 4, MS, 0, 200 * US);
	advance(e, 100 * MS);
	KUNIT_EXPECT_EQ(test, start_of(second, id), p->second_start);
}

/*
 * A priority change of another, idle queue at 0.5 ms still stops q's 4 busy
 * CUs: the unmap saves 4 CUs (10 + 16.384 us), the map restores them (10 +
 * 16.384 us), and q's workgroups end that much later. A change asked for
 * during a remap starts when it ends.
 */
static void sim_test_every_change_stops_the_gpu(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info i1, i2;
	struct axs_sim_queue *q, *other;
	u64 a, len = UNMAP + 4 * CU_BYTES + MAP + 4 * CU_BYTES;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	other = queue_new(e, 7, 0);
	a = submit(e, q, 4, MS, 0, 100 * US);

	KUNIT_ASSERT_EQ(test, change(e, 500 * US, AXS_SIM_CHANGE_PRIORITY, other, 0, 3,
				     NULL, &i1), 0);
	KUNIT_EXPECT_EQ(test, i1.save_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, i1.restore_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, i1.start_ns, 500 * US);
	KUNIT_EXPECT_EQ(test, i1.unmap_done_ns, 500 * US + UNMAP + 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, i1.end_ns, 500 * US + len);
	KUNIT_EXPECT_FALSE(test, i1.hang);
	KUNIT_EXPECT_EQ(test, other->priority, 3);

	/* Asked for at 0.51 ms, it waits for the first to end. */
	KUNIT_ASSERT_EQ(test, change(e, 510 * US, AXS_SIM_CHANGE_PRIORITY, q, 0, 9,
				     NULL, &i2), 0);
	KUNIT_EXPECT_EQ(test, i2.start_ns, i1.end_ns);
	KUNIT_EXPECT_EQ(test, i2.end_ns, i1.end_ns + len);
	KUNIT_EXPECT_EQ(test, e->g->paused_until, i2.end_ns);
	KUNIT_EXPECT_EQ(test, q->priority, 9);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	advance(e, 10 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 1100 * US + 2 * len);
	KUNIT_EXPECT_EQ(test, e->g->stats.remaps, 4);
	KUNIT_EXPECT_EQ(test, e->g->stats.remap_ns, 2 * (UNMAP + MAP) + 2 * len);
}

struct origin_case {
	const char *name;
	u64 t0;
};

static const struct origin_case origin_cases[] = {
	{ "t0 = 0", 0 },
	{ "t0 = 2^32 ns", 1ULL << 32 },
	{ "t0 = 2^63 ns", 1ULL << 63 },
	{ "t0 = U64_MAX - 2^40 ns", U64_MAX - (1ULL << 40) },
};

static void origin_case_desc(const struct origin_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(origin, origin_cases, origin_case_desc);

/*
 * Lv3 save and restore, at time origins up to 2^40 ns (18 minutes) below
 * U64_MAX; times are relative to t0. (The model needs every time it holds
 * to stay below U64_MAX, its "no event" value: CLOCK_MONOTONIC gets to 2^63
 * after 292 years.)
 *
 * 8 whole-CU 1-ms workgroups: the first 4 run from 0.1 ms. Lv3 at 0.4 ms
 * saves them (10 + 16.384 us unmap) and restores nothing (10 us map); 0.7
 * ms of each is left. Resume at 5 ms: nothing to save (10 us), 4 CUs to
 * restore (10 + 16.384 us); back at B = 5.036384 ms, the saved ones end at
 * B + 0.7 ms, the second round at B + 1.7 ms.
 */
static void sim_test_lv3_saves_and_restores(struct kunit *test)
{
	const struct origin_case *p = test->param_value;
	const u64 t0 = p->t0, save = UNMAP + 4 * CU_BYTES + MAP;
	const u64 back = t0 + 5 * MS + UNMAP + MAP + 4 * CU_BYTES;
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info info;
	struct axs_sim_queue *q;
	u64 a;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, t0);
	q = queue_new(e, 7, t0);
	a = submit(e, q, 8, MS, 0, t0 + 100 * US);
	KUNIT_ASSERT_NE(test, a, 0);

	KUNIT_ASSERT_EQ(test, change(e, t0 + 400 * US, AXS_SIM_CHANGE_SUSPEND, q, 3, 0,
				     NULL, &info), 0);
	KUNIT_EXPECT_EQ(test, info.save_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, 0);
	KUNIT_EXPECT_EQ(test, info.unmap_done_ns, t0 + 400 * US + UNMAP + 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, info.end_ns, t0 + 400 * US + save);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_saved_bytes(q), 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_resident_bytes(e->g, q), 0);
	KUNIT_EXPECT_EQ(test, list_first_entry(&q->saved, struct axs_sim_cohort,
					       node)->left_ns, 700 * US);

	/* Nothing moves while suspended, and nothing is due. */
	advance(e, t0 + 5 * MS);
	KUNIT_EXPECT_EQ(test, q->stats.wg_completed, 0);
	KUNIT_EXPECT_TRUE(test, q->busy);
	KUNIT_EXPECT_EQ(test, next_event(e), AXS_U64_MAX);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	KUNIT_ASSERT_EQ(test, change(e, t0 + 5 * MS, AXS_SIM_CHANGE_RESUME, q, 0, 0,
				     NULL, &info), 0);
	KUNIT_EXPECT_EQ(test, info.save_bytes, 0);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, info.end_ns, back);
	KUNIT_EXPECT_EQ(test, next_event(e), back);

	advance(e, back + 700 * US);
	KUNIT_EXPECT_EQ(test, q->stats.wg_completed, 4);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
	advance(e, back + 10 * MS);
	KUNIT_EXPECT_EQ(test, start_of(q, a), t0 + 100 * US);
	KUNIT_EXPECT_EQ(test, end_of(q, a), back + 1700 * US);
	KUNIT_EXPECT_EQ(test, axs_sim_busy_ns(q, back + 10 * MS), back + 1700 * US - t0 - 100 * US);
	KUNIT_EXPECT_EQ(test, e->g->stats.remap_ns, UNMAP + MAP + 2 * save);
	KUNIT_EXPECT_EQ(test, next_event(e), AXS_U64_MAX);
}

/*
 * Two queues of 2 whole-CU 1-ms workgroups each, from 0.1 ms. One change
 * suspends both at 0.5 ms (one remap, 4 CUs saved, 0.6 ms left each), one
 * resumes both at 2 ms (one remap, 4 CUs restored): back at B = 2.036384
 * ms, both end at B + 0.6 ms.
 */
static void sim_test_one_change_for_several_queues(struct kunit *test)
{
	const u64 back = 2 * MS + UNMAP + MAP + 4 * CU_BYTES;
	struct sim_env *e = test->priv;
	struct axs_sim_queue *qs[2];
	struct axs_sim_remap_info info;
	struct axs_sim_change c = { .q = qs, .n = 2 };
	u64 a, b;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	qs[0] = queue_new(e, 7, 0);
	qs[1] = queue_new(e, 7, 0);
	a = submit(e, qs[0], 2, MS, 0, 100 * US);
	b = submit(e, qs[1], 2, MS, 0, 100 * US);

	c.kind = AXS_SIM_CHANGE_SUSPEND;
	c.level = 3;
	KUNIT_ASSERT_EQ(test, remap(e, 500 * US, &c, &info), 0);
	KUNIT_EXPECT_EQ(test, info.save_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, 0);
	KUNIT_EXPECT_EQ(test, qs[0]->level, 3);
	KUNIT_EXPECT_EQ(test, qs[1]->level, 3);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_saved_bytes(qs[1]), 2 * CU_BYTES);

	c.kind = AXS_SIM_CHANGE_RESUME;
	KUNIT_ASSERT_EQ(test, remap(e, 2 * MS, &c, &info), 0);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, info.end_ns, back);
	KUNIT_EXPECT_EQ(test, e->g->stats.remaps, 4);
	advance(e, 10 * MS);
	KUNIT_EXPECT_EQ(test, end_of(qs[0], a), back + 600 * US);
	KUNIT_EXPECT_EQ(test, end_of(qs[1], b), back + 600 * US);
}

/*
 * Lv2 at 0.3 ms of a queue running kernel a (8 workgroups: two rounds) with
 * b behind it: the remap saves and restores the 4 running CUs like any
 * change, a runs to its end (2.1 ms + the remap), DRAINED comes then, and b
 * does not start until the resume at 50 ms (+ an empty remap).
 */
static void sim_test_lv2_drains_the_running_kernel(struct kunit *test)
{
	const u64 len = UNMAP + 4 * CU_BYTES + MAP + 4 * CU_BYTES;
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info info;
	struct axs_sim_queue *q;
	u64 a, b;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	a = submit(e, q, 8, MS, 0, 100 * US);
	b = submit(e, q, 4, MS, 0, 100 * US);
	KUNIT_ASSERT_EQ(test, change(e, 300 * US, AXS_SIM_CHANGE_SUSPEND, q, 2, 0, NULL,
				     &info), 0);
	KUNIT_EXPECT_TRUE(test, q->draining);
	KUNIT_EXPECT_EQ(test, e->drained, 0);
	KUNIT_EXPECT_EQ(test, info.end_ns, 300 * US + len);

	advance(e, 50 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 2100 * US + len);
	KUNIT_EXPECT_EQ(test, e->drained, 1);
	KUNIT_EXPECT_EQ(test, e->drained_at, 2100 * US + len);
	KUNIT_EXPECT_FALSE(test, q->draining);
	KUNIT_EXPECT_EQ(test, end_of(q, b), 0);
	KUNIT_EXPECT_TRUE(test, q->busy);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	KUNIT_ASSERT_EQ(test, change(e, 50 * MS, AXS_SIM_CHANGE_RESUME, q, 0, 0, NULL,
				     NULL), 0);
	advance(e, 100 * MS);
	KUNIT_EXPECT_EQ(test, start_of(q, b), 50 * MS + UNMAP + MAP);
	KUNIT_EXPECT_EQ(test, e->drained, 1);
}

/* Lv2 of an idle queue drains at once, when the remap ends; submissions wait. */
static void sim_test_lv2_of_an_idle_queue(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info info;
	struct axs_sim_queue *q;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	KUNIT_ASSERT_EQ(test, change(e, MS, AXS_SIM_CHANGE_SUSPEND, q, 2, 0, NULL, &info), 0);
	KUNIT_EXPECT_FALSE(test, q->draining);
	KUNIT_EXPECT_EQ(test, e->drained, 1);
	KUNIT_EXPECT_EQ(test, e->drained_at, info.end_ns);
	KUNIT_ASSERT_NE(test, submit(e, q, 1, MS, 0, 2 * MS), 0);
	advance(e, 20 * MS);
	KUNIT_EXPECT_EQ(test, q->done_id, 0);
	KUNIT_EXPECT_FALSE(test, head_kernel_of(q)->started);
}

/*
 * MI308X with the default parameters (596 KiB per CU, 1 TB/s, 50 us unmap
 * and map). A mask of mask bits 0..39 gives the queue 10 CUs of each XCC;
 * its 80 whole-CU workgroups take two rounds there. At 1.5 ms the mask goes
 * back to every CU: 40 CUs are saved and restored (24412160 bytes, 24412 ns
 * each way), and the second 40 workgroups start when the remap ends.
 */
static void sim_test_cu_mask_from_the_mask_rules(struct kunit *test)
{
	const u64 len = 2 * (50 * US + 24412);
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info info;
	struct axs_cu_set half, all;
	struct axs_sim_params p;
	struct axs_sim_queue *q;
	u32 mask[3], cu, used = 0;
	struct axs_topo t;
	u64 a;

	axs_topo_mi308x(&t);
	axs_sim_params_default(&p);
	env_start(e, &t, &p, 0);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_range(&t, 0, 40, mask, ARRAY_SIZE(mask)), 96);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, mask, 96, &half), 0);
	axs_topo_all_cus(&t, &all);

	q = queue_new(e, 7, 0);
	KUNIT_ASSERT_EQ(test, change(e, 0, AXS_SIM_CHANGE_CU_MASK, q, 0, 0, &half, NULL), 0);
	a = submit(e, q, 80, MS, 0, MS);
	for (cu = 0; cu < 80; cu++) {
		if (!e->g->used_bytes[cu])
			continue;
		used++;
		KUNIT_EXPECT_TRUE_MSG(test, axs_cu_set_has(&half, cu), "CU %u", cu);
	}
	KUNIT_EXPECT_EQ(test, used, 40);

	KUNIT_ASSERT_EQ(test, change(e, 1500 * US, AXS_SIM_CHANGE_CU_MASK, q, 0, 0, &all,
				     &info), 0);
	KUNIT_EXPECT_EQ(test, info.save_bytes, 40ULL * 596 * 1024);
	KUNIT_EXPECT_EQ(test, info.end_ns, 1500 * US + len);
	advance(e, 10 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 2500 * US + len);
}

/*
 * An unmap past the preemption timeout (1 ms here; 2 ms of unmap delay) is
 * a hang: the caller waits out the timeout, nothing changes and everything
 * comes back. Adding or removing a queue happens anyway.
 */
static void sim_test_hang_changes_nothing(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info info;
	struct axs_sim_queue *q;
	u64 a;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	a = submit(e, q, 4, 10 * MS, 0, 100 * US);
	e->g->p.preempt_timeout_ns = MS;
	e->g->p.unmap_delay_ns = 2 * MS;
	KUNIT_EXPECT_EQ(test, change(e, 200 * US, AXS_SIM_CHANGE_SUSPEND, q, 3, 0, NULL,
				     &info), -ETIME);
	KUNIT_EXPECT_TRUE(test, info.hang);
	KUNIT_EXPECT_EQ(test, e->g->stats.hangs, 1);
	KUNIT_EXPECT_EQ(test, q->level, 0);
	KUNIT_EXPECT_EQ(test, info.unmap_done_ns, 200 * US + MS);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, info.end_ns, 200 * US + MS + MAP + 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_resident_bytes(e->g, q), 4 * CU_BYTES);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	advance(e, 20 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 10100 * US + MS + MAP + 4 * CU_BYTES);

	/* Busy again, then removed by a hung unmap: it goes, with its work. */
	KUNIT_ASSERT_NE(test, submit(e, q, 8, 10 * MS, 0, 20 * MS), 0);
	KUNIT_EXPECT_EQ(test, change(e, 21 * MS, AXS_SIM_CHANGE_REMOVE, q, 0, 0, NULL, NULL),
			-ETIME);
	KUNIT_EXPECT_EQ(test, e->g->nqueues, 0);
	KUNIT_EXPECT_EQ(test, e->ncohorts, 0);
	KUNIT_EXPECT_EQ(test, e->nkernels, 0);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
}

/*
 * The first five cohort allocations fail. Submitted at 1 ms, the kernel
 * retries every millisecond and starts at 6 ms; the model stays consistent
 * and says when it will retry.
 */
static void sim_test_alloc_failure_retries_every_ms(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_queue *q;
	u64 a, t;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	e->fail_mask = 0x1f;
	a = submit(e, q, 4, MS, 0, MS);
	KUNIT_ASSERT_NE(test, a, 0);
	for (t = 2 * MS; t <= 6 * MS; t += MS) {
		KUNIT_EXPECT_EQ(test, next_event(e), t);
		KUNIT_EXPECT_FALSE(test, head_kernel_of(q)->started);
		KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
		advance(e, t);
	}
	KUNIT_EXPECT_EQ(test, e->g->stats.alloc_failures, 5);
	advance(e, 10 * MS);
	KUNIT_EXPECT_EQ(test, start_of(q, a), 6 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 7 * MS);
}

/*
 * 6 quarter-CU workgroups at 1 ms are placed as two cohorts: 1 each on CUs
 * 2 and 3 (allocated first), 2 each on CUs 0 and 1. The second allocation
 * fails: 2 workgroups run, 4 wait. At 2 ms the 2 end and the retry places
 * the 4 (one per CU), which end at 3 ms.
 */
static void sim_test_alloc_failure_halfway_through_placing(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_kernel *k;
	struct axs_sim_queue *q;
	u64 a;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	e->fail_mask = BIT_ULL(1);
	a = submit(e, q, 6, MS, CU_BYTES / 4, MS);
	KUNIT_ASSERT_NE(test, a, 0);
	k = head_kernel_of(q);
	KUNIT_EXPECT_EQ(test, k->dispatched, 2);
	KUNIT_EXPECT_TRUE(test, k->started);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[0], 0);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[2], 1);
	KUNIT_EXPECT_EQ(test, e->ncohorts, 1);
	KUNIT_EXPECT_EQ(test, next_event(e), 2 * MS);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	advance(e, 10 * MS);
	KUNIT_EXPECT_EQ(test, start_of(q, a), MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 3 * MS);
	KUNIT_EXPECT_EQ(test, e->g->stats.alloc_failures, 1);
}

/*
 * The allocation that would restore Lv3-saved work fails: the saved cohort
 * stays saved (and owned by the queue) until the retry 1 ms after the
 * resume's remap ends, then runs its remaining 0.7 ms.
 */
static void sim_test_alloc_failure_while_restoring(struct kunit *test)
{
	const u64 back = 5 * MS + UNMAP + MAP + 4 * CU_BYTES;
	struct sim_env *e = test->priv;
	struct axs_sim_queue *q;
	u64 a;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	a = submit(e, q, 4, MS, 0, 100 * US);
	KUNIT_ASSERT_EQ(test, change(e, 400 * US, AXS_SIM_CHANGE_SUSPEND, q, 3, 0, NULL,
				     NULL), 0);
	e->fail_mask = BIT_ULL(1);
	KUNIT_ASSERT_EQ(test, change(e, 5 * MS, AXS_SIM_CHANGE_RESUME, q, 0, 0, NULL, NULL),
			0);
	advance(e, back);
	KUNIT_EXPECT_EQ(test, e->g->stats.alloc_failures, 1);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_saved_bytes(q), 4 * CU_BYTES);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_resident_bytes(e->g, q), 0);
	KUNIT_EXPECT_EQ(test, next_event(e), back + MS);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	advance(e, back + 10 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), back + MS + 700 * US);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_saved_bytes(q), 0);
}

/*
 * Removing a queue and finalising the GPU free everything, whatever state
 * the work is in: running, queued behind, saved by Lv3, draining under Lv2,
 * waiting for a failed allocation's retry.
 */
static void sim_test_teardown_frees_all_work(struct kunit *test)
{
	struct sim_env *e = test->priv;
	struct axs_sim_queue *q1, *q2, *q3;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q1 = queue_new(e, 7, 0);
	q2 = queue_new(e, 7, 0);
	q3 = queue_new(e, 7, 0);
	submit(e, q1, 2, 5 * MS, 0, 100 * US);	/* CUs 0, 1 */
	submit(e, q1, 1, 5 * MS, 0, 100 * US);	/* behind it */
	submit(e, q2, 1, 5 * MS, 0, 100 * US);	/* CU 2 */
	submit(e, q3, 2, 5 * MS, 0, 100 * US);	/* CU 3, and one waiting */
	KUNIT_EXPECT_EQ(test, e->ncohorts, 3);
	KUNIT_EXPECT_EQ(test, e->nkernels, 4);

	KUNIT_ASSERT_EQ(test, change(e, MS, AXS_SIM_CHANGE_SUSPEND, q2, 3, 0, NULL, NULL), 0);
	/* The draining q3's waiting workgroup gets CU 2 after the remap: fail that. */
	e->fail_mask = BIT_ULL(e->allocs);
	KUNIT_ASSERT_EQ(test, change(e, MS, AXS_SIM_CHANGE_SUSPEND, q3, 2, 0, NULL, NULL), 0);
	advance(e, 1200 * US);
	KUNIT_EXPECT_EQ(test, e->g->stats.alloc_failures, 1);
	KUNIT_EXPECT_TRUE(test, q3->draining);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_saved_bytes(q2), CU_BYTES);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	KUNIT_ASSERT_EQ(test, change(e, 1200 * US, AXS_SIM_CHANGE_REMOVE, q1, 0, 0, NULL,
				     NULL), 0);
	KUNIT_EXPECT_EQ(test, e->ncohorts, 2);
	KUNIT_EXPECT_EQ(test, e->nkernels, 2);
	KUNIT_EXPECT_FALSE(test, q1->busy);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	env_stop(e);
}

/*
 * Kernels at the model's limits: 10 s workgroups and a 2^24-workgroup grid
 * are taken, one more of either is not. Four rounds of 10 s run from 1 ms;
 * Lv3 1 ns before the fourth ends leaves 1 ns of it; after an hour's
 * suspension the restored workgroups end 1 ns after the resume's remap, and
 * the fifth round starts. Removing the queue drops the 16777196 workgroups
 * still to run.
 */
static void sim_test_kernel_limits(struct kunit *test)
{
	const u64 s = MS + 40 * SEC - 1, r = s + 3600 * SEC;
	const u64 back = r + UNMAP + MAP + 4 * CU_BYTES;
	struct sim_env *e = test->priv;
	struct axs_sim_kernel *k;
	struct axs_sim_queue *q;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	q = queue_new(e, 7, 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, 0, MS, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, AXS_SIM_MAX_GRID + 1, MS, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, U32_MAX, MS, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, 1, AXS_SIM_MIN_WG_NS - 1, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, 1, AXS_SIM_MAX_WG_NS + 1, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, 1, U64_MAX, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, 1, MS, CU_BYTES + 1, 0), 0);
	KUNIT_EXPECT_EQ(test, submit(e, q, 1, MS, U32_MAX, 0), 0);
	KUNIT_EXPECT_EQ(test, q->next_id, 0);
	KUNIT_EXPECT_FALSE(test, q->busy);
	KUNIT_EXPECT_EQ(test, e->nkernels, 0);

	KUNIT_ASSERT_EQ(test, submit(e, q, AXS_SIM_MAX_GRID, AXS_SIM_MAX_WG_NS, 0, MS), 1);
	k = head_kernel_of(q);
	KUNIT_EXPECT_EQ(test, next_event(e), MS + 10 * SEC);

	KUNIT_ASSERT_EQ(test, change(e, s, AXS_SIM_CHANGE_SUSPEND, q, 3, 0, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, k->completed, 12);
	KUNIT_EXPECT_EQ(test, k->dispatched, 16);
	KUNIT_EXPECT_EQ(test, list_first_entry(&q->saved, struct axs_sim_cohort,
					       node)->left_ns, 1);
	KUNIT_ASSERT_EQ(test, change(e, r, AXS_SIM_CHANGE_RESUME, q, 0, 0, NULL, NULL), 0);
	advance(e, back + 1);
	KUNIT_EXPECT_EQ(test, k->completed, 16);
	KUNIT_EXPECT_EQ(test, k->dispatched, 20);
	KUNIT_EXPECT_EQ(test, next_event(e), back + 1 + 10 * SEC);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	KUNIT_ASSERT_EQ(test, change(e, back + 5 * SEC, AXS_SIM_CHANGE_REMOVE, q, 0, 0, NULL,
				     NULL), 0);
	KUNIT_EXPECT_EQ(test, e->nkernels, 0);
	KUNIT_EXPECT_EQ(test, e->ncohorts, 0);
	KUNIT_EXPECT_EQ(test, axs_sim_busy_ns(q, 0), back + 5 * SEC - MS);
}

/*
 * The largest GPU (8 XCCs x 4 SEs x 2 SHs x 16 CUs = 1024) at the largest
 * wave state (4 MiB per CU) and 64 workgroups per CU: 65536 workgroups of
 * 64 KiB fill it in one cohort of 64 per CU (the top bit of the dispatcher's
 * u64 of cohort sizes), 2^32 bytes resident, more than a u32 holds.
 *
 * At 10 TB/s (the fastest allowed) saving or restoring it takes 429496 ns:
 * Lv3 at 1.5 ms (50 us unmap + the save, 50 us map) and resume at 10 ms
 * (50 us unmap, 50 us map + the restore) bring it back at 10.529496 ms,
 * and the 0.5 ms left run from there. At 1 MB/s (the slowest) the save
 * would take 4295 s: a priority change hangs, waits out the 9 s timeout and
 * changes nothing.
 */
static void sim_test_largest_gpu(struct kunit *test)
{
	const u64 bytes = 1ULL << 32, fast = 429496, len = 2 * 50 * US + fast;
	struct sim_env *e = test->priv;
	struct axs_sim_remap_info info;
	struct axs_sim_params p;
	struct axs_sim_queue *q;
	struct axs_topo t;
	u32 x, se, sh;
	u64 a, b;

	memset(&t, 0, sizeof(t));
	t.num_xcc = AXS_MAX_XCC;
	t.num_se = AXS_MAX_SE;
	t.num_sh = AXS_MAX_SH;
	for (x = 0; x < AXS_MAX_XCC; x++)
		for (se = 0; se < AXS_MAX_SE; se++)
			for (sh = 0; sh < AXS_MAX_SH; sh++)
				t.active[x][se][sh] = 0xffff;
	axs_sim_params_default(&p);
	p.cu_state_bytes = 4 << 20;
	p.max_wg_per_cu = AXS_SIM_MAX_WG_PER_CU;
	p.save_bw = 10000000000000ULL;
	p.restore_bw = 10000000000000ULL;
	env_start(e, &t, &p, 0);
	KUNIT_ASSERT_EQ(test, e->g->ncu, AXS_MAX_CU);

	q = queue_new(e, 7, 0);
	a = submit(e, q, 65536, MS, 64 << 10, MS);
	KUNIT_ASSERT_NE(test, a, 0);
	KUNIT_EXPECT_EQ(test, e->ncohorts, 1);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[0], AXS_SIM_MAX_WG_PER_CU);
	KUNIT_EXPECT_EQ(test, e->g->used_wg[AXS_MAX_CU - 1], AXS_SIM_MAX_WG_PER_CU);
	KUNIT_EXPECT_EQ(test, e->g->used_bytes[AXS_MAX_CU - 1], 4 << 20);
	KUNIT_EXPECT_EQ(test, axs_sim_queue_resident_bytes(e->g, q), bytes);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));

	KUNIT_ASSERT_EQ(test, change(e, 1500 * US, AXS_SIM_CHANGE_SUSPEND, q, 3, 0, NULL,
				     &info), 0);
	KUNIT_EXPECT_EQ(test, info.save_bytes, bytes);
	KUNIT_EXPECT_EQ(test, info.unmap_done_ns, 1500 * US + 50 * US + fast);
	KUNIT_EXPECT_EQ(test, info.end_ns, 1500 * US + len);
	KUNIT_ASSERT_EQ(test, change(e, 10 * MS, AXS_SIM_CHANGE_RESUME, q, 0, 0, NULL,
				     &info), 0);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, bytes);
	KUNIT_EXPECT_EQ(test, info.end_ns, 10 * MS + len);
	advance(e, 15 * MS);
	KUNIT_EXPECT_EQ(test, end_of(q, a), 10 * MS + len + 500 * US);
	KUNIT_EXPECT_EQ(test, e->g->stats.saved_bytes, bytes);
	KUNIT_EXPECT_EQ(test, e->g->stats.restored_bytes, bytes);

	e->g->p.save_bw = 1000000;
	b = submit(e, q, 65536, MS, 64 << 10, 20 * MS);
	KUNIT_EXPECT_EQ(test, change(e, 20500 * US, AXS_SIM_CHANGE_PRIORITY, q, 0, 3, NULL,
				     &info), -ETIME);
	KUNIT_EXPECT_TRUE(test, info.hang);
	KUNIT_EXPECT_EQ(test, info.unmap_done_ns, 20500 * US + 9 * SEC);
	KUNIT_EXPECT_EQ(test, info.restore_bytes, bytes);
	KUNIT_EXPECT_EQ(test, q->priority, 7);
	advance(e, 20 * SEC);
	KUNIT_EXPECT_EQ(test, end_of(q, b), 21 * MS + 9 * SEC + 50 * US + fast);
}

/*
 * 257 runnable queues, one more than the dispatcher's order array holds
 * (AXS_SIM_MAX_QUEUES): the last is left out of the first round and served
 * later; nothing is written past the array (the last member of the GPU
 * struct, whose allocation is exactly that long). All are added in one change
 * (one 20 us remap) and get a whole-CU 1-ms workgroup each while it runs;
 * equal priority, so they run in list order, 4 at a time: queue i from
 * 20 us + (i / 4) ms.
 */
static void sim_test_more_queues_than_the_order_holds(struct kunit *test)
{
	const u32 n = AXS_SIM_MAX_QUEUES + 1;
	struct sim_env *e = test->priv;
	struct axs_sim_queue **qs;
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_ADD, .n = n };
	u32 i;

	env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
	qs = kunit_kcalloc(test, n, sizeof(*qs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, qs);
	for (i = 0; i < n; i++) {
		qs[i] = kunit_kzalloc(test, sizeof(*qs[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, qs[i]);
		axs_sim_queue_init(e->g, qs[i], 7, NULL);
	}
	c.q = qs;
	KUNIT_ASSERT_EQ(test, remap(e, 0, &c, NULL), 0);
	KUNIT_EXPECT_EQ(test, e->g->nqueues, n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, submit(e, qs[i], 1, MS, 0, 10 * US), 1);

	advance(e, 20 * US);
	KUNIT_EXPECT_TRUE(test, model_consistent(test, e));
	advance(e, 100 * MS);
	for (i = 0; i < n; i++)
		if (start_of(qs[i], 1) != 20 * US + i / 4 * MS ||
		    end_of(qs[i], 1) != 20 * US + (i / 4 + 1) * MS)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, n, "queue %u ran %llu..%llu", i,
			    i < n ? start_of(qs[i], 1) : 0, i < n ? end_of(qs[i], 1) : 0);
}

/*
 * Random scenarios on three queues (submissions, Lv3 and Lv2 suspensions,
 * resumes, priority and CU-mask changes), each run twice: advanced every
 * 97 us, and only at its operations. The results must be the same, with
 * or without failing allocations; the model is checked after every step.
 */
struct sim_op {
	u64 t;
	u32 kind;	/* 0 submit, 1 Lv3, 2 Lv2, 3 resume, 4 priority, 5 CU mask */
	u32 q;
	u32 n;		/* grid, priority, CU mask bits */
	u64 wg_ns;
};

#define SIM_OPS		60
#define SIM_ROUNDS	4

struct random_case {
	const char *name;
	u64 seed;
	u32 fail_every;
};

static const struct random_case random_cases[] = {
	{ "allocations succeed", 12345, 0 },
	{ "every 2nd allocation fails", 777, 2 },
	{ "every 7th allocation fails", 4242, 7 },
};

static void random_case_desc(const struct random_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(random, random_cases, random_case_desc);

static bool run_ops(struct kunit *test, struct sim_env *e, const struct sim_op *ops,
		    u64 step, struct axs_sim_queue **q)
{
	struct axs_cu_set cus;
	u64 t, last = 0;
	u32 i, cu;

	for (i = 0; i < 3; i++)
		q[i] = queue_new(e, 3 + 4 * i, 0);
	for (i = 0; i < SIM_OPS; i++) {
		const struct sim_op *o = &ops[i];
		struct axs_sim_queue *oq = q[o->q];

		if (step)
			for (t = last; t < o->t; t += step)
				advance(e, t);
		last = o->t;
		switch (o->kind) {
		case 0:
			submit(e, oq, o->n, o->wg_ns, 0, o->t);
			break;
		case 1:
		case 2:
			if (!oq->level)
				change(e, o->t, AXS_SIM_CHANGE_SUSPEND, oq, o->kind == 1 ? 3 : 2,
				       0, NULL, NULL);
			break;
		case 3:
			if (oq->level)
				change(e, o->t, AXS_SIM_CHANGE_RESUME, oq, 0, 0, NULL, NULL);
			break;
		case 4:
			change(e, o->t, AXS_SIM_CHANGE_PRIORITY, oq, 0, o->n % 16, NULL, NULL);
			break;
		case 5:
			axs_cu_set_clear(&cus);
			for (cu = 0; cu < 4; cu++)
				if ((o->n % 15 + 1) & BIT(cu))
					axs_cu_set_add(&cus, cu);
			change(e, o->t, AXS_SIM_CHANGE_CU_MASK, oq, 0, 0, &cus, NULL);
			break;
		}
		if (!model_consistent(test, e))
			return false;
	}
	for (i = 0; i < 3; i++)
		if (q[i]->level)
			change(e, last, AXS_SIM_CHANGE_RESUME, q[i], 0, 0, NULL, NULL);
	if (step)
		for (t = last; t < last + 2 * SEC; t += 100 * step)
			advance(e, t);
	advance(e, last + 2 * SEC);
	return model_consistent(test, e);
}

static void sim_test_random_scenarios(struct kunit *test)
{
	const struct random_case *p = test->param_value;
	struct axs_sim_queue *fine[3], *coarse[3], *saved;
	struct sim_env *e = test->priv;
	struct axs_sim_gstats gstats;
	struct rnd_state rnd;
	struct sim_op *ops;
	u32 round, i, j;
	u64 t;

	ops = kunit_kcalloc(test, SIM_OPS, sizeof(*ops), GFP_KERNEL);
	saved = kunit_kcalloc(test, 3, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ops);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, saved);
	prandom_seed_state(&rnd, p->seed);

	for (round = 0; round < SIM_ROUNDS; round++) {
		t = 0;
		for (i = 0; i < SIM_OPS; i++) {
			t += (u64)(prandom_u32_state(&rnd) % 3000) * US;
			ops[i].t = t;
			ops[i].kind = prandom_u32_state(&rnd) % 10 < 5 ? 0 :
				      1 + prandom_u32_state(&rnd) % 5;
			ops[i].q = prandom_u32_state(&rnd) % 3;
			ops[i].n = 1 + prandom_u32_state(&rnd) % 12;
			ops[i].wg_ns = (1 + prandom_u32_state(&rnd) % 2000) * US;
		}

		env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
		e->fail_every = p->fail_every;
		KUNIT_ASSERT_TRUE(test, run_ops(test, e, ops, 97 * US, fine));
		for (i = 0; i < 3; i++)
			saved[i] = *fine[i];
		gstats = e->g->stats;
		env_stop(e);

		env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
		e->fail_every = p->fail_every;
		KUNIT_ASSERT_TRUE(test, run_ops(test, e, ops, 0, coarse));

		for (i = 0; i < 3; i++) {
			struct axs_sim_queue *a = &saved[i], *b = coarse[i];

			KUNIT_ASSERT_EQ(test, a->next_id, a->done_id);	/* all finished */
			KUNIT_ASSERT_EQ(test, a->next_id, b->next_id);
			KUNIT_ASSERT_EQ(test, a->done_id, b->done_id);
			KUNIT_ASSERT_EQ(test, a->stats.wg_completed, b->stats.wg_completed);
			KUNIT_ASSERT_EQ(test, a->stats.busy_ns, b->stats.busy_ns);
			for (j = 0; j < AXS_SIM_HISTORY; j++) {
				KUNIT_ASSERT_EQ(test, a->hist[j].id, b->hist[j].id);
				KUNIT_ASSERT_EQ(test, a->hist[j].start_ns, b->hist[j].start_ns);
				KUNIT_ASSERT_EQ(test, a->hist[j].end_ns, b->hist[j].end_ns);
			}
		}
		KUNIT_ASSERT_EQ(test, gstats.remaps, e->g->stats.remaps);
		KUNIT_ASSERT_EQ(test, gstats.remap_ns, e->g->stats.remap_ns);
		KUNIT_ASSERT_EQ(test, gstats.saved_bytes, e->g->stats.saved_bytes);
		KUNIT_ASSERT_EQ(test, gstats.alloc_failures, e->g->stats.alloc_failures);
		if (p->fail_every)
			KUNIT_EXPECT_GT(test, gstats.alloc_failures, 0);
		env_stop(e);
	}
}

/*
 * A host that keeps falling behind (overrun() says yes every 3rd time it is
 * asked) under the random load: the GPU stands still instead, the books
 * stay consistent after every operation, and in the end every kernel
 * finishes with every workgroup, as in a run that never stalls.
 */
static void sim_test_stalls_lose_nothing(struct kunit *test)
{
	struct axs_sim_queue *ref[3], *q[3], *saved;
	struct sim_env *e = test->priv;
	struct rnd_state rnd;
	struct sim_op *ops;
	u32 round, i, n;
	u64 t, stalls = 0;

	ops = kunit_kcalloc(test, SIM_OPS, sizeof(*ops), GFP_KERNEL);
	saved = kunit_kcalloc(test, 3, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ops);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, saved);
	prandom_seed_state(&rnd, 31337);

	for (round = 0; round < SIM_ROUNDS; round++) {
		t = 0;
		for (i = 0; i < SIM_OPS; i++) {
			t += (u64)(prandom_u32_state(&rnd) % 3000) * US;
			ops[i].t = t;
			ops[i].kind = prandom_u32_state(&rnd) % 10 < 5 ? 0 :
				      1 + prandom_u32_state(&rnd) % 5;
			ops[i].q = prandom_u32_state(&rnd) % 3;
			/* short workgroups: many events per advance */
			ops[i].n = 1 + prandom_u32_state(&rnd) % 64;
			ops[i].wg_ns = (1 + prandom_u32_state(&rnd) % 50) * US;
		}

		env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
		KUNIT_ASSERT_TRUE(test, run_ops(test, e, ops, 0, ref));
		for (i = 0; i < 3; i++)
			saved[i] = *ref[i];
		KUNIT_EXPECT_EQ(test, e->g->stats.stalls, 0);
		env_stop(e);

		env_start_small(e, AXS_SIM_DISPATCH_PRIORITY, 0);
		e->overrun_every = 3;
		KUNIT_ASSERT_TRUE(test, run_ops(test, e, ops, 0, q));
		for (n = 0; next_event(e) != AXS_U64_MAX && n < 100000; n++) {
			advance(e, next_event(e) + SEC);
			KUNIT_ASSERT_TRUE(test, model_consistent(test, e));
		}
		KUNIT_ASSERT_EQ(test, next_event(e), AXS_U64_MAX);
		for (i = 0; i < 3; i++) {
			KUNIT_EXPECT_EQ(test, q[i]->next_id, saved[i].next_id);
			KUNIT_EXPECT_EQ(test, q[i]->done_id, saved[i].done_id);
			KUNIT_EXPECT_EQ(test, q[i]->stats.wg_completed,
					saved[i].stats.wg_completed);
			KUNIT_EXPECT_FALSE(test, q[i]->busy);
		}
		stalls += e->g->stats.stalls;
		env_stop(e);
	}
	KUNIT_EXPECT_GT(test, stalls, 0);
}

static struct kunit_case sim_test_cases[] = {
	KUNIT_CASE_PARAM(sim_test_params_check, params_gen_params),
	KUNIT_CASE(sim_test_occupancy_and_order),
	KUNIT_CASE(sim_test_breadth_first_placement),
	KUNIT_CASE(sim_test_priority_cannot_preempt_resident_work),
	KUNIT_CASE_PARAM(sim_test_dispatch_order, dispatch_gen_params),
	KUNIT_CASE(sim_test_every_change_stops_the_gpu),
	KUNIT_CASE_PARAM(sim_test_lv3_saves_and_restores, origin_gen_params),
	KUNIT_CASE(sim_test_one_change_for_several_queues),
	KUNIT_CASE(sim_test_lv2_drains_the_running_kernel),
	KUNIT_CASE(sim_test_lv2_of_an_idle_queue),
	KUNIT_CASE(sim_test_cu_mask_from_the_mask_rules),
	KUNIT_CASE(sim_test_hang_changes_nothing),
	KUNIT_CASE(sim_test_alloc_failure_retries_every_ms),
	KUNIT_CASE(sim_test_alloc_failure_halfway_through_placing),
	KUNIT_CASE(sim_test_alloc_failure_while_restoring),
	KUNIT_CASE(sim_test_teardown_frees_all_work),
	KUNIT_CASE(sim_test_kernel_limits),
	KUNIT_CASE(sim_test_largest_gpu),
	KUNIT_CASE(sim_test_more_queues_than_the_order_holds),
	KUNIT_CASE_PARAM(sim_test_random_scenarios, random_gen_params),
	KUNIT_CASE(sim_test_stalls_lose_nothing),
	{}
};

static struct kunit_suite sim_test_suite = {
	.name = "amdxsched_sim_model",
	.init = sim_test_init,
	.exit = sim_test_exit,
	.test_cases = sim_test_cases,
};

kunit_test_suite(sim_test_suite);
