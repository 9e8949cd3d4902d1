// SPDX-License-Identifier: MIT
/*
 * Unit tests of the simulated device's model (kmod/sim_model.c), host-side
 * with sanitizers. A small GPU (1 XCC, 1 SE, 4 CUs, 4 KiB of wave state per
 * CU, 1 byte/ns save and restore, 10 us unmap and map) keeps the expected
 * times easy to derive by hand; each test says how.
 */
#include <stdlib.h>

#include "sim_model.h"

#include "kselftest_harness.h"

#define US 1000ULL
#define MS 1000000ULL

#define CU_BYTES	4096ULL		/* 4096 ns to save or restore at 1 B/ns */
#define UNMAP		(10 * US)
#define MAP		(10 * US)

struct env {
	struct axs_sim_gpu *g;
	struct axs_sim_hooks hooks;
	int live_cohorts;
	int live_kernels;
	int fail_allocs;
	int busy_events;
	int idle_events;
	int drained;
	u64 drained_at;
	struct axs_sim_queue *queues[8];
	int nq;
	int overrun_calls;
	int overrun_after;	/* calls answered "not yet" */
};

static struct axs_sim_cohort *t_alloc(void *ctx)
{
	struct env *e = ctx;

	if (e->fail_allocs) {
		e->fail_allocs--;
		return NULL;
	}
	e->live_cohorts++;
	return calloc(1, sizeof(struct axs_sim_cohort));
}

static void t_free_cohort(void *ctx, struct axs_sim_cohort *c)
{
	struct env *e = ctx;

	e->live_cohorts--;
	free(c);
}

static void t_free_kernel(void *ctx, struct axs_sim_kernel *k)
{
	struct env *e = ctx;

	e->live_kernels--;
	free(k);
}

static void t_busy(void *ctx, struct axs_sim_queue *q, bool busy, u64 t)
{
	struct env *e = ctx;

	(void)q;
	(void)t;
	if (busy)
		e->busy_events++;
	else
		e->idle_events++;
}

static void t_drained(void *ctx, struct axs_sim_queue *q, u64 t)
{
	struct env *e = ctx;

	(void)q;
	e->drained++;
	e->drained_at = t;
}

static bool t_overrun(void *ctx, u64 now)
{
	struct env *e = ctx;

	(void)now;
	return ++e->overrun_calls > e->overrun_after;
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

static struct env *env_new(u32 dispatch)
{
	struct axs_sim_params p;
	struct axs_topo t;
	struct env *e = calloc(1, sizeof(*e));

	memset(&t, 0, sizeof(t));
	t.num_xcc = 1;
	t.num_se = 1;
	t.num_sh = 1;
	t.active[0][0][0] = 0xf;
	small_params(&p);
	p.dispatch = dispatch;
	e->g = calloc(1, sizeof(*e->g));
	e->hooks.busy = t_busy;
	e->hooks.drained = t_drained;
	e->hooks.alloc_cohort = t_alloc;
	e->hooks.free_cohort = t_free_cohort;
	e->hooks.free_kernel = t_free_kernel;
	axs_sim_gpu_init(e->g, &t, &p, &e->hooks, e, 0);
	return e;
}

static int env_free(struct env *e)
{
	int leaks, i;

	axs_sim_gpu_fini(e->g);
	leaks = e->live_cohorts + e->live_kernels;
	for (i = 0; i < e->nq; i++)
		free(e->queues[i]);
	free(e->g);
	free(e);
	return leaks;
}

static int change(struct env *e, u64 now, u32 kind, struct axs_sim_queue *q,
		  u32 level, u32 prio, const struct axs_cu_set *cus,
		  struct axs_sim_remap_info *info)
{
	struct axs_sim_remap_info dummy;
	struct axs_sim_change c = {
		.kind = kind, .level = level, .q = &q, .n = 1,
		.priority = &prio, .cus = cus,
	};

	return axs_sim_remap(e->g, now, &c, info ? info : &dummy);
}

/* A queue, added at @now (which costs one empty remap: UNMAP + MAP). */
static struct axs_sim_queue *queue_new(struct env *e, u32 prio, u64 now)
{
	struct axs_sim_queue *q = calloc(1, sizeof(*q));

	axs_sim_queue_init(e->g, q, prio, NULL);
	change(e, now, AXS_SIM_CHANGE_ADD, q, 0, 0, NULL, NULL);
	e->queues[e->nq++] = q;
	return q;
}

static u64 submit(struct env *e, struct axs_sim_queue *q, u32 grid, u64 wg_ns,
		  u32 footprint, u64 now)
{
	struct axs_sim_kernel *k = calloc(1, sizeof(*k));

	k->grid = grid;
	k->wg_ns = wg_ns;
	k->footprint = footprint;
	e->live_kernels++;
	if (axs_sim_enqueue(e->g, q, k, now)) {
		e->live_kernels--;
		free(k);
		return 0;
	}
	return k->id;
}

static const struct axs_sim_record *rec(struct axs_sim_queue *q, u64 id)
{
	return axs_sim_record(q, id);
}

TEST(params_are_checked)
{
	struct axs_sim_params p;

	axs_sim_params_default(&p);
	EXPECT_EQ(0, axs_sim_params_check(&p));
	EXPECT_EQ(596 * 1024, p.cu_state_bytes);
	p.max_wg_per_cu = 0;
	EXPECT_EQ(-EINVAL, axs_sim_params_check(&p));
	axs_sim_params_default(&p);
	p.save_bw = 10;
	EXPECT_EQ(-EINVAL, axs_sim_params_check(&p));
	axs_sim_params_default(&p);
	p.preempt_timeout_ns = 0;
	EXPECT_EQ(-EINVAL, axs_sim_params_check(&p));
	axs_sim_params_default(&p);
	p.dispatch = 7;
	EXPECT_EQ(-EINVAL, axs_sim_params_check(&p));
}

TEST(adding_a_queue_costs_an_empty_remap)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q;

	q = queue_new(e, 7, 0);
	EXPECT_EQ(1, e->g->stats.remaps);
	EXPECT_EQ(UNMAP + MAP, e->g->stats.remap_ns);
	EXPECT_EQ(UNMAP + MAP, e->g->paused_until);
	EXPECT_EQ(1, e->g->nqueues);
	EXPECT_FALSE(q->busy);
	EXPECT_EQ(0, env_free(e));
}

TEST(kernel_duration_follows_grid_and_occupancy)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	u64 a, b, c;

	/* 4 whole-CU workgroups on 4 CUs: one round */
	a = submit(e, q, 4, 1 * MS, 0, 100 * US);
	axs_sim_advance(e->g, 10 * MS);
	ASSERT_NE(NULL, rec(q, a));
	EXPECT_EQ(100 * US, rec(q, a)->start_ns);
	EXPECT_EQ(1100 * US, rec(q, a)->end_ns);

	/* 8 of them: two rounds */
	b = submit(e, q, 8, 1 * MS, 0, 20 * MS);
	/* a quarter CU each: 4 fit per CU, 16 in one round */
	c = submit(e, q, 16, 1 * MS, CU_BYTES / 4, 20 * MS);
	axs_sim_advance(e->g, 100 * MS);
	EXPECT_EQ(22 * MS, rec(q, b)->end_ns);
	EXPECT_EQ(22 * MS, rec(q, c)->start_ns);	/* kernels of a queue run in order */
	EXPECT_EQ(23 * MS, rec(q, c)->end_ns);
	EXPECT_EQ(8 + 16 + 4, q->stats.wg_completed);
	EXPECT_EQ(3, q->stats.kernels_completed);
	EXPECT_EQ(0, env_free(e));
}

TEST(bad_kernels_are_refused)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);

	EXPECT_EQ(0, submit(e, q, 0, MS, 0, 0));
	EXPECT_EQ(0, submit(e, q, 1, 10, 0, 0));		/* under 1 us */
	EXPECT_EQ(0, submit(e, q, 1, MS, CU_BYTES + 1, 0));	/* does not fit a CU */
	EXPECT_EQ(0, submit(e, q, AXS_SIM_MAX_GRID + 1, MS, 0, 0));
	EXPECT_EQ(0, q->next_id);
	EXPECT_FALSE(q->busy);
	EXPECT_EQ(0, env_free(e));
}

TEST(any_change_pauses_every_queue_for_save_and_restore)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_queue *other = queue_new(e, 7, 0);
	struct axs_sim_remap_info info;
	u64 a, len;

	a = submit(e, q, 4, MS, 0, 100 * US);
	/* A priority change of another, idle queue still stops q's 4 busy CUs. */
	ASSERT_EQ(0, change(e, 500 * US, AXS_SIM_CHANGE_PRIORITY, other, 0, 3, NULL, &info));
	EXPECT_EQ(4 * CU_BYTES, info.save_bytes);
	EXPECT_EQ(4 * CU_BYTES, info.restore_bytes);
	len = UNMAP + 4 * CU_BYTES + MAP + 4 * CU_BYTES;
	EXPECT_EQ(500 * US, info.start_ns);
	EXPECT_EQ(500 * US + UNMAP + 4 * CU_BYTES, info.unmap_done_ns);
	EXPECT_EQ(500 * US + len, info.end_ns);
	EXPECT_EQ(3, other->priority);
	axs_sim_advance(e->g, 10 * MS);
	EXPECT_EQ(1100 * US + len, rec(q, a)->end_ns);
	EXPECT_EQ(3 * (UNMAP + MAP) + 8 * CU_BYTES, e->g->stats.remap_ns);
	EXPECT_EQ(0, env_free(e));
}

TEST(changes_during_a_remap_queue_behind_it)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_remap_info i1, i2;

	submit(e, q, 4, MS, 0, 100 * US);
	change(e, 200 * US, AXS_SIM_CHANGE_PRIORITY, q, 0, 1, NULL, &i1);
	change(e, 200 * US, AXS_SIM_CHANGE_PRIORITY, q, 0, 2, NULL, &i2);
	EXPECT_EQ(i1.end_ns, i2.start_ns);
	EXPECT_EQ(i2.end_ns, e->g->paused_until);
	EXPECT_EQ(2, q->priority);
	EXPECT_EQ(0, env_free(e));
}

TEST(lv3_suspend_stops_progress_and_resume_continues_it)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_remap_info info;
	u64 a, back;

	a = submit(e, q, 4, MS, 0, 100 * US);
	ASSERT_EQ(0, change(e, 400 * US, AXS_SIM_CHANGE_SUSPEND, q, 3, 0, NULL, &info));
	/* its state is saved, and not restored: it stays off */
	EXPECT_EQ(4 * CU_BYTES, info.save_bytes);
	EXPECT_EQ(0, info.restore_bytes);
	EXPECT_EQ(400 * US + UNMAP + 4 * CU_BYTES + MAP, info.end_ns);
	EXPECT_EQ(4 * CU_BYTES, axs_sim_queue_saved_bytes(q));
	EXPECT_EQ(0, axs_sim_queue_resident_bytes(e->g, q));

	axs_sim_advance(e->g, 5 * MS);
	EXPECT_EQ(0, q->stats.wg_completed);
	EXPECT_EQ(0, q->done_id);
	EXPECT_TRUE(q->busy);

	ASSERT_EQ(0, change(e, 5 * MS, AXS_SIM_CHANGE_RESUME, q, 0, 0, NULL, &info));
	EXPECT_EQ(0, info.save_bytes);
	EXPECT_EQ(4 * CU_BYTES, info.restore_bytes);
	back = 5 * MS + UNMAP + MAP + 4 * CU_BYTES;
	EXPECT_EQ(back, info.end_ns);
	axs_sim_advance(e->g, 10 * MS);
	/* 700 us of each workgroup were left when it was saved */
	EXPECT_EQ(back + 700 * US, rec(q, a)->end_ns);
	EXPECT_EQ(4, q->stats.wg_completed);
	EXPECT_EQ(0, env_free(e));
}

/*
 * A decision that suspends one queue and resumes another costs one remap
 * when given at once: one unmap saves what runs, one map restores what
 * comes back. Two separate remaps cost twice the fixed unmap and map.
 */
TEST(a_suspend_and_a_resume_given_at_once_cost_one_remap)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *a = queue_new(e, 7, 0);
	struct axs_sim_queue *b = queue_new(e, 7, 0);
	struct axs_sim_queue *qa[1] = { a }, *qb[1] = { b };
	struct axs_sim_remap_info info;
	struct axs_sim_change c[2] = {
		{ .kind = AXS_SIM_CHANGE_SUSPEND, .level = 3, .q = qa, .n = 1 },
		{ .kind = AXS_SIM_CHANGE_RESUME, .q = qb, .n = 1 },
	};
	u64 remaps;

	submit(e, a, 4, MS, 0, 100 * US);
	ASSERT_EQ(0, change(e, 100 * US, AXS_SIM_CHANGE_SUSPEND, b, 3, 0, NULL, NULL));
	remaps = e->g->stats.remaps;
	ASSERT_EQ(0, axs_sim_remap_many(e->g, 400 * US, c, 2, &info));
	EXPECT_EQ(remaps + 1, e->g->stats.remaps);
	EXPECT_EQ(3, a->level);
	EXPECT_EQ(0, b->level);
	/* a's waves are saved and stay off; b had nothing saved */
	EXPECT_EQ(4 * CU_BYTES, info.save_bytes);
	EXPECT_EQ(0, info.restore_bytes);
	EXPECT_EQ(4 * CU_BYTES, axs_sim_queue_saved_bytes(a));
	EXPECT_EQ(400 * US + UNMAP + 4 * CU_BYTES + MAP, info.end_ns);
	EXPECT_EQ(0, env_free(e));
}

TEST(lv2_lets_the_running_kernel_finish_and_starts_nothing_new)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_remap_info info;
	u64 a, b, len;

	a = submit(e, q, 8, MS, 0, 100 * US);	/* two rounds */
	b = submit(e, q, 4, MS, 0, 100 * US);	/* waits behind a */
	ASSERT_EQ(0, change(e, 300 * US, AXS_SIM_CHANGE_SUSPEND, q, 2, 0, NULL, &info));
	EXPECT_TRUE(q->draining);
	EXPECT_EQ(0, e->drained);
	/* its waves are saved and restored like everyone's */
	len = UNMAP + 4 * CU_BYTES + MAP + 4 * CU_BYTES;
	EXPECT_EQ(300 * US + len, info.end_ns);

	axs_sim_advance(e->g, 50 * MS);
	EXPECT_EQ(2100 * US + len, rec(q, a)->end_ns);
	EXPECT_EQ(1, e->drained);
	EXPECT_EQ(2100 * US + len, e->drained_at);
	EXPECT_FALSE(q->draining);
	EXPECT_EQ(NULL, rec(q, b));
	EXPECT_EQ(8, q->stats.wg_completed);
	EXPECT_TRUE(q->busy);

	ASSERT_EQ(0, change(e, 50 * MS, AXS_SIM_CHANGE_RESUME, q, 0, 0, NULL, &info));
	axs_sim_advance(e->g, 100 * MS);
	EXPECT_EQ(50 * MS + UNMAP + MAP, rec(q, b)->start_ns);
	EXPECT_EQ(0, env_free(e));
}

TEST(lv2_of_an_idle_queue_drains_at_once)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_remap_info info;

	ASSERT_EQ(0, change(e, MS, AXS_SIM_CHANGE_SUSPEND, q, 2, 0, NULL, &info));
	EXPECT_FALSE(q->draining);
	EXPECT_EQ(1, e->drained);
	EXPECT_EQ(info.end_ns, e->drained_at);
	/* submissions wait for the resume */
	submit(e, q, 1, MS, 0, 2 * MS);
	axs_sim_advance(e->g, 20 * MS);
	EXPECT_EQ(0, q->done_id);
	EXPECT_EQ(0, env_free(e));
}

TEST(priority_dispatch_cannot_preempt_resident_work)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *lo = queue_new(e, 2, 0);
	struct axs_sim_queue *hi = queue_new(e, 11, 0);
	u64 a, b;

	a = submit(e, lo, 8, 10 * MS, 0, 100 * US);	/* fills all 4 CUs, twice */
	b = submit(e, hi, 1, MS, 0, 2 * MS);
	axs_sim_advance(e->g, 100 * MS);
	/* hi waits for lo's first round, then goes first */
	EXPECT_EQ(10100 * US, rec(hi, b)->start_ns);
	EXPECT_EQ(11100 * US, rec(hi, b)->end_ns);
	/* lo got 3 CUs at 10.1 ms and the 4th when hi finished */
	EXPECT_EQ(21100 * US, rec(lo, a)->end_ns);
	EXPECT_EQ(0, env_free(e));
}

static u64 second_start(u32 dispatch)
{
	struct env *e = env_new(dispatch);
	struct axs_sim_queue *first = queue_new(e, 15, 0);
	struct axs_sim_queue *second = queue_new(e, 0, 0);
	u64 id, t;

	submit(e, first, 8, MS, 0, 100 * US);		/* two rounds */
	id = submit(e, second, 4, MS, 0, 200 * US);
	axs_sim_advance(e->g, 100 * MS);
	t = rec(second, id)->start_ns;
	env_free(e);
	return t;
}

TEST(round_robin_ignores_priority)
{
	/* priority: the prio-15 queue's second round goes before the other queue */
	EXPECT_EQ(2100 * US, second_start(AXS_SIM_DISPATCH_PRIORITY));
	/* round robin: the queue not yet served goes first */
	EXPECT_EQ(1100 * US, second_start(AXS_SIM_DISPATCH_RR));
}

TEST(cu_mask_limits_throughput)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_cu_set two;
	u64 a;

	axs_cu_set_clear(&two);
	axs_cu_set_add(&two, 0);
	axs_cu_set_add(&two, 1);
	ASSERT_EQ(0, change(e, 0, AXS_SIM_CHANGE_CU_MASK, q, 0, 0, &two, NULL));
	a = submit(e, q, 4, MS, 0, MS);
	axs_sim_advance(e->g, 100 * MS);
	EXPECT_EQ(3 * MS, rec(q, a)->end_ns);	/* two rounds on two CUs */
	EXPECT_EQ(0, env_free(e));
}

TEST(breadth_first_placement_spreads_workgroups)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	u32 cu;

	/* 6 quarter-CU workgroups: 2,2,1,1 rather than 4,2,0,0 */
	submit(e, q, 6, MS, CU_BYTES / 4, MS);
	EXPECT_EQ(2 * CU_BYTES / 4, e->g->used_bytes[0]);
	EXPECT_EQ(2 * CU_BYTES / 4, e->g->used_bytes[1]);
	EXPECT_EQ(CU_BYTES / 4, e->g->used_bytes[2]);
	EXPECT_EQ(CU_BYTES / 4, e->g->used_bytes[3]);
	axs_sim_advance(e->g, 10 * MS);
	for (cu = 0; cu < 4; cu++)
		EXPECT_EQ(0, e->g->used_bytes[cu]);
	EXPECT_EQ(0, env_free(e));
}

TEST(an_unmap_past_the_timeout_is_a_hang_that_changes_nothing)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_remap_info info;

	submit(e, q, 4, 10 * MS, 0, 100 * US);
	e->g->p.preempt_timeout_ns = MS;
	e->g->p.unmap_delay_ns = 2 * MS;
	EXPECT_EQ(-ETIME, change(e, 200 * US, AXS_SIM_CHANGE_SUSPEND, q, 3, 0, NULL, &info));
	EXPECT_TRUE(info.hang);
	EXPECT_EQ(1, e->g->stats.hangs);
	EXPECT_EQ(0, q->level);
	EXPECT_EQ(200 * US + MS, info.unmap_done_ns);
	EXPECT_EQ(4 * CU_BYTES, info.restore_bytes);	/* everyone comes back */
	EXPECT_EQ(4 * CU_BYTES, axs_sim_queue_resident_bytes(e->g, q));

	/* adding or removing a queue happens even when the unmap hangs */
	EXPECT_EQ(-ETIME, change(e, 300 * US, AXS_SIM_CHANGE_REMOVE, q, 0, 0, NULL, NULL));
	EXPECT_EQ(0, e->g->nqueues);
	EXPECT_EQ(0, e->live_cohorts);
	EXPECT_EQ(0, env_free(e));
}

TEST(busy_and_idle_are_reported_once_per_transition)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);

	submit(e, q, 4, MS, 0, MS);
	submit(e, q, 4, MS, 0, MS);
	EXPECT_EQ(1, e->busy_events);
	axs_sim_advance(e->g, 10 * MS);
	EXPECT_EQ(1, e->idle_events);
	EXPECT_EQ(2 * MS, q->stats.busy_ns);
	submit(e, q, 1, MS, 0, 20 * MS);
	EXPECT_EQ(2, e->busy_events);
	EXPECT_EQ(2, q->stats.busy_transitions);
	EXPECT_EQ(2 * MS + 500 * US, axs_sim_busy_ns(q, 20 * MS + 500 * US));
	EXPECT_EQ(0, env_free(e));
}

TEST(history_forgets_old_kernels)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	u64 i, t = MS;

	for (i = 0; i < 70; i++)
		submit(e, q, 1, 10 * US, 0, t);
	axs_sim_advance(e->g, 100 * MS);
	EXPECT_EQ(70, q->done_id);
	EXPECT_EQ(NULL, rec(q, 1));
	EXPECT_EQ(NULL, rec(q, 6));
	ASSERT_NE(NULL, rec(q, 7));
	ASSERT_NE(NULL, rec(q, 70));
	EXPECT_EQ(MS + 700 * US, rec(q, 70)->end_ns);
	EXPECT_EQ(NULL, rec(q, 71));
	EXPECT_EQ(NULL, rec(q, 0));
	EXPECT_EQ(0, env_free(e));
}

TEST(a_failed_allocation_retries_a_millisecond_later)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	u64 a;

	e->fail_allocs = 1;
	a = submit(e, q, 4, MS, 0, MS);
	EXPECT_EQ(1, e->g->stats.alloc_failures);
	axs_sim_advance(e->g, 10 * MS);
	ASSERT_NE(NULL, rec(q, a));
	EXPECT_EQ(2 * MS, rec(q, a)->start_ns);
	EXPECT_EQ(0, env_free(e));
}

TEST(removing_a_queue_drops_its_work)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	struct axs_sim_queue *r = queue_new(e, 7, 0);

	submit(e, q, 8, MS, 0, MS);
	submit(e, q, 8, MS, 0, MS);
	submit(e, r, 4, MS, 0, MS);
	change(e, 1500 * US, AXS_SIM_CHANGE_SUSPEND, r, 3, 0, NULL, NULL);
	change(e, 1600 * US, AXS_SIM_CHANGE_REMOVE, q, 0, 0, NULL, NULL);
	change(e, 1700 * US, AXS_SIM_CHANGE_REMOVE, r, 0, 0, NULL, NULL);
	EXPECT_EQ(0, e->g->nqueues);
	EXPECT_EQ(0, e->live_cohorts);
	EXPECT_EQ(0, e->live_kernels);
	/* once the last remap is over, nothing is left to happen */
	axs_sim_advance(e->g, 10 * MS);
	EXPECT_TRUE(axs_sim_next_event(e->g) == AXS_U64_MAX);
	EXPECT_EQ(0, env_free(e));
}

/*
 * launch_ns: a queue's next kernel starts that long after its previous one
 * ended, and the room goes to whoever waits meanwhile. q (priority 12) has
 * kernels a and b, r (priority 2) kernel c, each 4 whole-CU workgroups of
 * 1 ms on the 4 CUs, all from 100 us. Without the gap b follows a at once
 * and c runs last; with 10 us, c takes the CUs a left at 1.1 ms and b waits.
 */
TEST(a_launch_gap_lets_waiting_queues_take_the_room)
{
	for (int gap = 0; gap < 2; gap++) {
		struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
		struct axs_sim_queue *q = queue_new(e, 12, 0), *r = queue_new(e, 2, 0);
		u64 a, b, c;

		e->g->p.launch_ns = gap ? 10 * US : 0;
		a = submit(e, q, 4, MS, 0, 100 * US);
		b = submit(e, q, 4, MS, 0, 100 * US);
		c = submit(e, r, 4, MS, 0, 100 * US);
		axs_sim_advance(e->g, 10 * MS);
		ASSERT_NE(NULL, rec(q, b));
		ASSERT_NE(NULL, rec(r, c));
		EXPECT_EQ(1100 * US, rec(q, a)->end_ns);
		EXPECT_EQ(gap ? 2100 * US : 1100 * US, rec(q, b)->start_ns);
		EXPECT_EQ(gap ? 1100 * US : 2100 * US, rec(r, c)->start_ns);
		EXPECT_TRUE(axs_sim_next_event(e->g) == AXS_U64_MAX);
		EXPECT_EQ(0, env_free(e));
	}
}

/*
 * The what-if of a narrower unmap: q and r each run 2 whole-CU workgroups
 * of 1 ms from 100 us; at 500 us r is suspended (Lv3). Unmapping the whole
 * GPU saves all 4 CUs (16384 B: 26.384 us with the 10 us unmap) and
 * restores q's 2 (8192 B: 18.192 us with the map), and q stands still for
 * those 44.576 us; unmapping only r saves its 2 CUs (18.192 us), restores
 * nothing (10 us), and q runs on.
 */
TEST(a_queue_scoped_unmap_leaves_the_other_queues_running)
{
	for (int scoped = 0; scoped < 2; scoped++) {
		struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
		struct axs_sim_queue *q = queue_new(e, 7, 0), *r = queue_new(e, 7, 0);
		struct axs_sim_remap_info info;
		u64 a;

		e->g->p.remap_scope = scoped ? AXS_SIM_REMAP_QUEUE : AXS_SIM_REMAP_GPU;
		a = submit(e, q, 2, MS, 0, 100 * US);
		submit(e, r, 2, MS, 0, 100 * US);
		change(e, 500 * US, AXS_SIM_CHANGE_SUSPEND, r, 3, 0, NULL, &info);
		EXPECT_EQ(scoped ? 8192 : 16384, info.save_bytes);
		EXPECT_EQ(scoped ? 0 : 8192, info.restore_bytes);
		EXPECT_EQ(500 * US + (scoped ? 28192 : 44576), info.end_ns);
		axs_sim_advance(e->g, 10 * MS);
		ASSERT_NE(NULL, rec(q, a));
		EXPECT_EQ(1100 * US + (scoped ? 0 : 44576), rec(q, a)->end_ns);
		EXPECT_EQ(0, r->stats.wg_completed);	/* still suspended */
		EXPECT_EQ(0, env_free(e));
	}
}

/*
 * A host that cannot keep up: after the events it had time for, the GPU
 * stands still for the rest of the advance, and the work is all done later.
 * 160 whole-CU workgroups of 1 ms on 4 CUs from 100 us: 40 rounds, ending
 * at 40.1 ms. The advance to 25.5 ms asks the hook from the 16th round on
 * (ending at 16.1 ms) and stops after the 18th (18.1 ms), so everything
 * after moves 25.5 - 18.1 = 7.4 ms later.
 */
TEST(a_host_that_falls_behind_stalls_the_gpu_instead)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	u64 a;

	e->hooks.overrun = t_overrun;
	e->overrun_after = 1000;
	a = submit(e, q, 160, MS, 0, 100 * US);
	ASSERT_NE(0, a);
	e->overrun_calls = 0;
	e->overrun_after = 2;
	axs_sim_advance(e->g, 25500 * US);
	EXPECT_EQ(3, e->overrun_calls);
	EXPECT_EQ(1, e->g->stats.stalls);
	EXPECT_EQ(7400 * US, e->g->stats.stall_ns);
	EXPECT_EQ(25500 * US, e->g->now);
	EXPECT_EQ(18 * 4, q->stats.wg_completed);
	EXPECT_EQ(26500 * US, axs_sim_next_event(e->g));

	/* Nothing is lost: every workgroup runs, 7.4 ms late. */
	e->overrun_after = 1000000;
	axs_sim_advance(e->g, 100 * MS);
	ASSERT_NE(NULL, rec(q, a));
	EXPECT_EQ(100 * US, rec(q, a)->start_ns);
	EXPECT_EQ(47500 * US, rec(q, a)->end_ns);
	EXPECT_EQ(160, q->stats.wg_completed);
	EXPECT_EQ(1, e->g->stats.stalls);
	EXPECT_EQ(0, env_free(e));
}

/*
 * The work of one advance is bounded by the hook, not by how far behind the
 * model is: the largest kernel of the shortest workgroups (2^24 of 1 us, 32
 * per CU: 524288 rounds) advanced 10 s at once asks the hook once per event
 * from the 16th on.
 */
TEST(one_advance_does_only_the_work_the_host_allows)
{
	struct env *e = env_new(AXS_SIM_DISPATCH_PRIORITY);
	struct axs_sim_queue *q = queue_new(e, 7, 0);
	u64 a;

	e->hooks.overrun = t_overrun;
	e->overrun_after = 1000;
	a = submit(e, q, AXS_SIM_MAX_GRID, AXS_SIM_MIN_WG_NS, CU_BYTES / 8, 100 * US);
	ASSERT_NE(0, a);
	e->overrun_calls = 0;
	e->overrun_after = 100;
	axs_sim_advance(e->g, 10000 * MS);
	EXPECT_EQ(101, e->overrun_calls);
	EXPECT_EQ(1, e->g->stats.stalls);
	EXPECT_EQ(10000 * MS, e->g->now);
	EXPECT_EQ(116 * 32, q->stats.wg_completed);
	EXPECT_TRUE(axs_sim_next_event(e->g) > 10000 * MS);
	EXPECT_EQ(0, env_free(e));
}

/*
 * The model's results must not depend on how often it is advanced (a late
 * timer only means fewer calls). Run one random scenario twice, advancing
 * finely in one run and only at operations in the other.
 */
struct op {
	u64 t;
	int kind;	/* 0 submit, 1 suspend3, 2 suspend2, 3 resume, 4 priority */
	int q;
	u32 grid;
	u64 wg_ns;
};

static void run_ops(struct env *e, const struct op *ops, int n, u64 step)
{
	struct axs_sim_queue *q[3];
	u64 t = 0, last = 0;
	int i;

	for (i = 0; i < 3; i++)
		q[i] = queue_new(e, 3 + 4 * i, 0);
	for (i = 0; i < n; i++) {
		const struct op *o = &ops[i];

		if (step)
			for (t = last; t < o->t; t += step)
				axs_sim_advance(e->g, t);
		last = o->t;
		switch (o->kind) {
		case 0:
			submit(e, q[o->q], o->grid, o->wg_ns, 0, o->t);
			break;
		case 1:
		case 2:
			if (!q[o->q]->level)
				change(e, o->t, AXS_SIM_CHANGE_SUSPEND, q[o->q],
				       o->kind == 1 ? 3 : 2, 0, NULL, NULL);
			break;
		case 3:
			if (q[o->q]->level)
				change(e, o->t, AXS_SIM_CHANGE_RESUME, q[o->q], 0, 0, NULL, NULL);
			break;
		case 4:
			change(e, o->t, AXS_SIM_CHANGE_PRIORITY, q[o->q], 0, o->grid % 16,
			       NULL, NULL);
			break;
		}
	}
	for (i = 0; i < 3; i++)
		if (q[i]->level)
			change(e, last, AXS_SIM_CHANGE_RESUME, q[i], 0, 0, NULL, NULL);
	if (step)
		for (t = last; t < last + 2000 * MS; t += 100 * step)
			axs_sim_advance(e->g, t);
	axs_sim_advance(e->g, last + 2000 * MS);
}

TEST(results_do_not_depend_on_when_the_model_is_advanced)
{
	struct op ops[60];
	unsigned int seed = 12345;
	int round, i, j;

	for (round = 0; round < 8; round++) {
		struct env *fine = env_new(AXS_SIM_DISPATCH_PRIORITY);
		struct env *coarse = env_new(AXS_SIM_DISPATCH_PRIORITY);
		u64 t = 0;

		for (i = 0; i < 60; i++) {
			t += (u64)(rand_r(&seed) % 3000) * US;
			ops[i].t = t;
			ops[i].kind = rand_r(&seed) % 10 < 6 ? 0 : 1 + rand_r(&seed) % 4;
			ops[i].q = rand_r(&seed) % 3;
			ops[i].grid = 1 + rand_r(&seed) % 12;
			ops[i].wg_ns = (1 + rand_r(&seed) % 2000) * US;
		}
		run_ops(fine, ops, 60, 97 * US);
		run_ops(coarse, ops, 60, 0);

		for (i = 0; i < 3; i++) {
			struct axs_sim_queue *a = fine->queues[i], *b = coarse->queues[i];

			ASSERT_EQ(a->next_id, b->next_id);
			ASSERT_EQ(a->done_id, b->done_id);
			ASSERT_EQ(a->next_id, a->done_id);	/* everything finished */
			ASSERT_EQ(a->stats.wg_completed, b->stats.wg_completed);
			for (j = 0; j < AXS_SIM_HISTORY; j++) {
				ASSERT_EQ(a->hist[j].id, b->hist[j].id);
				ASSERT_EQ(a->hist[j].start_ns, b->hist[j].start_ns);
				ASSERT_EQ(a->hist[j].end_ns, b->hist[j].end_ns);
			}
		}
		ASSERT_EQ(fine->g->stats.remap_ns, coarse->g->stats.remap_ns);
		ASSERT_EQ(fine->g->stats.saved_bytes, coarse->g->stats.saved_bytes);
		ASSERT_EQ(0, env_free(fine));
		ASSERT_EQ(0, env_free(coarse));
	}
}

TEST_HARNESS_MAIN
