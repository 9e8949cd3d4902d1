// SPDX-License-Identifier: MIT
/*
 * The policy library on the host: every policy driven by hand-made event
 * sequences and an injected clock, with the expected decisions worked out
 * by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "axs_policy.h"
#include "cu_mask.h"

#define MS	1000000ULL
#define RT	AXSP_CLASS_REALTIME
#define NORMAL	AXSP_CLASS_NORMAL
#define BE	AXSP_CLASS_BEST_EFFORT

static void mi308x(struct axsp_topo *t)
{
	memset(t, 0, sizeof(*t));
	t->num_xcc = 4;
	t->num_se = 4;
	t->num_sh = 1;
	for (int x = 0; x < 4; x++)
		for (int se = 0; se < 4; se++)
			t->active_cu[x][se][0] = 0x1f;
}

static int proc(struct axsp *p, uint32_t pid, enum axsp_class c, int prio, uint32_t share,
		uint64_t deadline)
{
	struct axsp_proc_attr a = {
		.sched_class = c, .priority = prio, .share = share, .deadline_ns = deadline,
	};

	return axsp_proc_set(p, pid, &a);
}

static struct axsp *make(enum axsp_kind kind, uint32_t ngpus)
{
	struct axsp_config c;
	struct axsp_topo t;
	struct axsp *p;

	axsp_config_default(&c);
	c.kind = kind;
	p = axsp_new(&c);
	mi308x(&t);
	for (uint32_t g = 0; p && g < ngpus; g++)
		if (axsp_gpu_add(p, g, &t))
			return NULL;
	return p;
}

static const struct axsp_gpu_plan *gpu_plan(const struct axsp_plan *pl, uint32_t gpu)
{
	for (uint32_t i = 0; i < pl->n_gpus; i++)
		if (pl->gpus[i].gpu_id == gpu)
			return &pl->gpus[i];
	return NULL;
}

static uint32_t n_suspended(const struct axsp_gpu_plan *gp)
{
	return gp ? gp->n_suspend[0] + gp->n_suspend[1] : 0;
}

/* ---- configuration ----------------------------------------------------- */

TEST(config_defaults_and_checks)
{
	struct axsp_config c, bad;

	axsp_config_default(&c);
	EXPECT_EQ(NULL, axsp_config_check(&c));
	EXPECT_EQ(AXSP_PRIORITY, c.kind);

	bad = c;
	bad.level[BE] = 1;
	EXPECT_NE(NULL, axsp_config_check(&bad));
	bad = c;
	bad.priority[RT] = 16;
	EXPECT_NE(NULL, axsp_config_check(&bad));
	bad = c;
	bad.share[NORMAL] = 0;
	EXPECT_NE(NULL, axsp_config_check(&bad));
	bad = c;
	bad.min_share_permille = 1001;
	EXPECT_NE(NULL, axsp_config_check(&bad));
	bad = c;
	bad.kind = AXSP_SPATIAL;
	EXPECT_NE(NULL, axsp_config_check(&bad));	/* needs a CU mode */
	bad.cu_mode = AXSP_CU_CLASS;
	EXPECT_NE(NULL, axsp_config_check(&bad));	/* needs a fraction */
	bad.cu_permille[RT] = 600;
	bad.cu_permille[BE] = 500;
	EXPECT_NE(NULL, axsp_config_check(&bad));	/* adds up to > 1000 */
	bad.cu_permille[BE] = 400;
	EXPECT_EQ(NULL, axsp_config_check(&bad));

	/* A refused config leaves the old one in place. */
	struct axsp *p = axsp_new(&c);

	ASSERT_NE(NULL, p);
	bad = c;
	bad.level[RT] = 7;
	EXPECT_EQ(-EINVAL, axsp_set_config(p, &bad));
	EXPECT_EQ(3, axsp_get_config(p)->level[RT]);
	EXPECT_EQ(NULL, axsp_new(&bad));
	axsp_free(p);
}

TEST(kind_names)
{
	for (int k = 0; k < AXSP_NKINDS; k++)
		EXPECT_EQ(k, axsp_kind_parse(axsp_kind_name(k)));
	EXPECT_EQ(-1, axsp_kind_parse("fifo"));
	EXPECT_EQ(AXSP_LLF, axsp_kind_parse("llf"));
}

TEST(bad_facts_change_nothing)
{
	struct axsp *p = make(AXSP_PRIORITY, 1);
	struct axsp_topo empty = { 0 };
	struct axsp_plan pl;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, axsp_gpu_add(p, 5, &empty));
	EXPECT_EQ(-EEXIST, axsp_gpu_add(p, 0, &(struct axsp_topo){ .num_xcc = 1, .num_se = 1,
				.num_sh = 1, .active_cu[0][0][0] = 1 }));
	EXPECT_EQ(-EINVAL, axsp_queue_add(p, 1, 9, 100, 7, 0, false, 0));	/* no GPU 9 */
	EXPECT_EQ(-EINVAL, axsp_queue_add(p, 1, 0, 100, 16, 0, false, 0));
	EXPECT_EQ(-EINVAL, axsp_queue_add(p, 1, 0, 100, 7, 1, false, 0));
	EXPECT_EQ(0, axsp_queue_add(p, 1, 0, 100, 7, 0, false, 0));
	EXPECT_EQ(-EEXIST, axsp_queue_add(p, 1, 0, 100, 7, 0, false, 0));
	EXPECT_EQ(-ENOENT, axsp_queue_remove(p, 2));
	EXPECT_EQ(-ENOENT, axsp_queue_busy(p, 2, true, 0));
	EXPECT_EQ(-ENOENT, axsp_proc_remove(p, 100));
	EXPECT_EQ(-EINVAL, proc(p, 100, 0, -1, 0, 0));
	EXPECT_EQ(-EINVAL, proc(p, 100, BE, 16, 0, 0));
	EXPECT_EQ(-EINVAL, proc(p, 100, BE, -1, 1001, 0));
	/* Unknown process: normal class at its default priority, 7 - no change. */
	EXPECT_EQ(0, axsp_decide(p, 0, &pl));
	EXPECT_EQ(AXSP_NEVER, pl.next_ns);
	axsp_free(p);
}

/* ---- highest priority first -------------------------------------------- */

FIXTURE(hpf) {
	struct axsp *p;
	struct axsp_plan pl;
};

/* GPU 0: process 10 realtime (queue 1), 20 best effort (queues 2, 3). */
FIXTURE_SETUP(hpf)
{
	self->p = make(AXSP_PRIORITY, 2);
	ASSERT_NE(NULL, self->p);
	ASSERT_EQ(0, proc(self->p, 10, RT, -1, 0, 0));
	ASSERT_EQ(0, proc(self->p, 20, BE, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(self->p, 1, 0, 10, 12, 0, false, 0));
	ASSERT_EQ(0, axsp_queue_add(self->p, 2, 0, 20, 2, 0, true, 0));
	ASSERT_EQ(0, axsp_queue_add(self->p, 3, 0, 20, 2, 0, false, 0));
	/* priorities already at their class defaults: nothing to do */
	ASSERT_EQ(0, axsp_decide(self->p, 0, &self->pl));
}

FIXTURE_TEARDOWN(hpf)
{
	axsp_free(self->p);
}

TEST_F(hpf, class_counts_for_metrics)
{
	struct axsp_class_counts c;

	axsp_class_counts(self->p, &c);
	EXPECT_EQ(1, c.queues[AXSP_CLASS_REALTIME]);
	EXPECT_EQ(0, c.queues[AXSP_CLASS_NORMAL]);
	EXPECT_EQ(2, c.queues[AXSP_CLASS_BEST_EFFORT]);
	EXPECT_EQ(0, c.busy[AXSP_CLASS_REALTIME]);
	EXPECT_EQ(1, c.busy[AXSP_CLASS_BEST_EFFORT]);
	EXPECT_EQ(0, c.suspended[AXSP_CLASS_BEST_EFFORT]);
	/* realtime busy: both best-effort queues suspended */
	ASSERT_EQ(0, axsp_queue_busy(self->p, 1, true, 10 * MS));
	ASSERT_EQ(1, axsp_decide(self->p, 10 * MS, &self->pl));
	axsp_class_counts(self->p, &c);
	EXPECT_EQ(1, c.busy[AXSP_CLASS_REALTIME]);
	EXPECT_EQ(2, c.suspended[AXSP_CLASS_BEST_EFFORT]);
	EXPECT_EQ(0, c.suspended[AXSP_CLASS_REALTIME]);
}

TEST_F(hpf, busy_realtime_suspends_every_lower_queue_in_one_batch)
{
	const struct axsp_gpu_plan *gp;

	ASSERT_EQ(0, axsp_queue_busy(self->p, 1, true, 10 * MS));
	ASSERT_EQ(1, axsp_decide(self->p, 10 * MS, &self->pl));
	gp = gpu_plan(&self->pl, 0);
	ASSERT_NE(NULL, gp);
	EXPECT_EQ(0, gp->n_suspend[0]);
	ASSERT_EQ(2, gp->n_suspend[1]);		/* both, Lv3, one batch */
	EXPECT_EQ(2, gp->suspend[1][0]);
	EXPECT_EQ(3, gp->suspend[1][1]);
	EXPECT_EQ(0, gp->n_resume);
	EXPECT_EQ(0, gp->n_prio);
	/* Nothing more while it stays busy. */
	EXPECT_EQ(0, axsp_decide(self->p, 11 * MS, &self->pl));
}

TEST_F(hpf, hysteresis_holds_lower_queues_then_resumes)
{
	struct axsp_stats st;
	const struct axsp_gpu_plan *gp;

	axsp_queue_busy(self->p, 1, true, 10 * MS);
	ASSERT_EQ(1, axsp_decide(self->p, 10 * MS, &self->pl));
	/* A burst: idle for 1 ms then busy again, twice. No change at all. */
	for (int i = 0; i < 2; i++) {
		uint64_t t = 12 * MS + i * 2 * MS;

		axsp_queue_busy(self->p, 1, false, t);
		ASSERT_EQ(0, axsp_decide(self->p, t, &self->pl));
		EXPECT_EQ(t + 2 * MS, self->pl.next_ns);	/* hold_ns */
		axsp_queue_busy(self->p, 1, true, t + MS);
		ASSERT_EQ(0, axsp_decide(self->p, t + MS, &self->pl));
	}
	/* Idle for good: held until 20 + 2 ms, then resumed together. */
	axsp_queue_busy(self->p, 1, false, 20 * MS);
	ASSERT_EQ(0, axsp_decide(self->p, 21 * MS, &self->pl));
	EXPECT_EQ(22 * MS, self->pl.next_ns);
	ASSERT_EQ(1, axsp_decide(self->p, 22 * MS, &self->pl));
	gp = gpu_plan(&self->pl, 0);
	ASSERT_NE(NULL, gp);
	EXPECT_EQ(2, gp->n_resume);
	EXPECT_EQ(0, n_suspended(gp));
	axsp_get_stats(self->p, &st);
	EXPECT_EQ(2, st.suspends);
	EXPECT_EQ(2, st.resumes);
	EXPECT_LE(1, st.holds);
}

TEST_F(hpf, level_follows_the_class_of_the_preempted_queue)
{
	struct axsp_config c = *axsp_get_config(self->p);
	const struct axsp_gpu_plan *gp;

	c.level[NORMAL] = 2;
	ASSERT_EQ(0, axsp_set_config(self->p, &c));
	ASSERT_EQ(0, proc(self->p, 30, NORMAL, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(self->p, 4, 0, 30, 7, 0, true, 0));
	axsp_queue_busy(self->p, 1, true, MS);
	ASSERT_EQ(1, axsp_decide(self->p, MS, &self->pl));
	gp = gpu_plan(&self->pl, 0);
	ASSERT_EQ(1, gp->n_suspend[0]);
	EXPECT_EQ(4, gp->suspend[0][0]);	/* normal at Lv2 */
	EXPECT_EQ(2, gp->n_suspend[1]);		/* best effort at Lv3 */
}

TEST_F(hpf, normal_preempts_best_effort_but_not_realtime)
{
	const struct axsp_gpu_plan *gp;

	ASSERT_EQ(0, proc(self->p, 30, NORMAL, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(self->p, 4, 0, 30, 7, 0, true, 0));
	ASSERT_EQ(1, axsp_decide(self->p, MS, &self->pl));
	gp = gpu_plan(&self->pl, 0);
	EXPECT_EQ(2, n_suspended(gp));
	for (uint32_t i = 0; i < gp->n_suspend[1]; i++)
		EXPECT_NE(1, gp->suspend[1][i]);
}

TEST_F(hpf, other_gpus_are_left_alone)
{
	ASSERT_EQ(0, axsp_queue_add(self->p, 7, 1, 20, 2, 0, true, 0));
	axsp_queue_busy(self->p, 1, true, MS);
	ASSERT_EQ(1, axsp_decide(self->p, MS, &self->pl));
	EXPECT_EQ(0, self->pl.gpus[0].gpu_id);
	EXPECT_EQ(NULL, gpu_plan(&self->pl, 1));
}

/*
 * A decision costs only the GPUs it may change: an event decides its own
 * GPU again, not the other 7; a process's new class, every GPU.
 */
TEST(an_event_decides_only_its_gpu_again)
{
	struct axsp *p = make(AXSP_PRIORITY, 8);
	struct axsp_stats st0, st1;
	struct axsp_plan pl;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, proc(p, 10, RT, -1, 0, 0));
	for (uint32_t g = 0; g < 8; g++)
		ASSERT_EQ(0, axsp_queue_add(p, 1 + g, g, 10, 12, 0, false, 0));
	ASSERT_EQ(0, axsp_decide(p, 0, &pl));
	axsp_get_stats(p, &st0);
	EXPECT_EQ(8, st0.gpus_decided);
	ASSERT_EQ(0, axsp_queue_busy(p, 4, true, MS));		/* GPU 3's queue */
	ASSERT_EQ(0, axsp_decide(p, MS, &pl));
	axsp_get_stats(p, &st1);
	EXPECT_EQ(st0.gpus_decided + 1, st1.gpus_decided);
	ASSERT_EQ(0, axsp_decide(p, 2 * MS, &pl));		/* nothing new */
	axsp_get_stats(p, &st0);
	EXPECT_EQ(st1.gpus_decided, st0.gpus_decided);
	ASSERT_EQ(0, proc(p, 10, BE, -1, 0, 0));
	ASSERT_EQ(8, axsp_decide(p, 3 * MS, &pl));	/* new priorities everywhere */
	axsp_get_stats(p, &st1);
	EXPECT_EQ(st0.gpus_decided + 8, st1.gpus_decided);
	axsp_free(p);
}

/*
 * One process, two streams: its realtime queue preempts its own
 * best-effort one (and everyone else's), not itself; cleared, the queue
 * is its process's class again.
 */
TEST(a_queue_of_its_own_class_preempts_its_own_process)
{
	struct axsp *p = make(AXSP_PRIORITY, 1);
	struct axsp_proc_attr rt = { .sched_class = AXSP_CLASS_REALTIME, .priority = -1 };
	struct axsp_class_counts c;
	const struct axsp_gpu_plan *gp;
	struct axsp_plan pl;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, proc(p, 10, BE, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 1, 0, 10, 2, 0, false, 0));	/* the serving stream */
	ASSERT_EQ(0, axsp_queue_add(p, 2, 0, 10, 2, 0, true, 0));	/* its background */
	ASSERT_EQ(-ENOENT, axsp_queue_attr(p, 9, &rt));
	ASSERT_EQ(-EINVAL, axsp_queue_attr(p, 1, &(struct axsp_proc_attr){ .sched_class = 4 }));
	ASSERT_EQ(0, axsp_queue_attr(p, 1, &rt));
	axsp_class_counts(p, &c);
	EXPECT_EQ(1, c.queues[AXSP_CLASS_REALTIME]);
	EXPECT_EQ(1, c.queues[AXSP_CLASS_BEST_EFFORT]);
	ASSERT_EQ(1, axsp_decide(p, 0, &pl));	/* queue 1 to the realtime priority */
	gp = gpu_plan(&pl, 0);
	ASSERT_NE(NULL, gp);
	EXPECT_EQ(1, gp->n_prio);
	EXPECT_EQ(1, gp->prio[0].handle);
	EXPECT_EQ(12, gp->prio[0].priority);
	ASSERT_EQ(0, axsp_queue_busy(p, 1, true, MS));
	ASSERT_EQ(1, axsp_decide(p, MS, &pl));
	gp = gpu_plan(&pl, 0);
	ASSERT_NE(NULL, gp);
	EXPECT_EQ(1, gp->n_suspend[1]);
	EXPECT_EQ(2, gp->suspend[1][0]);
	EXPECT_EQ(0, gp->n_suspend[0]);
	/* back to its process's class: both best effort, the suspension ends */
	ASSERT_EQ(0, axsp_queue_attr(p, 1, NULL));
	ASSERT_EQ(1, axsp_decide(p, 2 * MS, &pl));
	gp = gpu_plan(&pl, 0);
	ASSERT_NE(NULL, gp);
	EXPECT_EQ(1, gp->n_resume);
	EXPECT_EQ(2, gp->resume[0]);
	axsp_free(p);
}

TEST_F(hpf, lost_suspension_is_redone_and_foreign_one_left_alone)
{
	const struct axsp_gpu_plan *gp;

	axsp_queue_busy(self->p, 1, true, MS);
	ASSERT_EQ(1, axsp_decide(self->p, MS, &self->pl));
	/* The lease of queue 2 ran out (the caller saw the event). */
	ASSERT_EQ(0, axsp_queue_observed(self->p, 2, 0, false));
	ASSERT_EQ(1, axsp_decide(self->p, 5 * MS, &self->pl));
	gp = gpu_plan(&self->pl, 0);
	ASSERT_EQ(1, gp->n_suspend[1]);
	EXPECT_EQ(2, gp->suspend[1][0]);
	/* Queue 3 is now held by someone else: never resumed by us. */
	EXPECT_FALSE(axsp_queue_foreign(self->p, 3));
	ASSERT_EQ(0, axsp_queue_observed(self->p, 3, 2, false));
	EXPECT_TRUE(axsp_queue_foreign(self->p, 3));
	EXPECT_FALSE(axsp_queue_foreign(self->p, 2));
	EXPECT_FALSE(axsp_queue_foreign(self->p, 99));
	axsp_queue_busy(self->p, 1, false, 7 * MS);
	ASSERT_EQ(1, axsp_decide(self->p, 10 * MS, &self->pl));
	gp = gpu_plan(&self->pl, 0);
	ASSERT_EQ(1, gp->n_resume);
	EXPECT_EQ(2, gp->resume[0]);
	/* That resume failed: still ours and suspended, so it is tried again. */
	ASSERT_EQ(0, axsp_queue_observed(self->p, 2, 3, true));
	ASSERT_EQ(1, axsp_decide(self->p, 11 * MS, &self->pl));
	ASSERT_EQ(1, self->pl.gpus[0].n_resume);
	EXPECT_EQ(2, self->pl.gpus[0].resume[0]);
	EXPECT_EQ(-EINVAL, axsp_queue_observed(self->p, 2, 1, true));
	EXPECT_EQ(-ENOENT, axsp_queue_observed(self->p, 99, 0, false));
}

TEST_F(hpf, removed_queue_and_process)
{
	axsp_queue_busy(self->p, 1, true, MS);
	ASSERT_EQ(0, axsp_queue_remove(self->p, 2));
	ASSERT_EQ(1, axsp_decide(self->p, MS, &self->pl));
	ASSERT_EQ(1, self->pl.gpus[0].n_suspend[1]);
	EXPECT_EQ(3, self->pl.gpus[0].suspend[1][0]);
	/* The realtime process goes: its queue is then a normal one. */
	ASSERT_EQ(0, axsp_proc_remove(self->p, 10));
	ASSERT_EQ(1, axsp_decide(self->p, 2 * MS, &self->pl));
	EXPECT_EQ(1, self->pl.gpus[0].n_prio);	/* 12 -> normal's 7 */
	EXPECT_EQ(7, self->pl.gpus[0].prio[0].priority);
}

TEST_F(hpf, starvation_guard_bounds_the_wait)
{
	struct axsp_stats st;
	uint64_t t = MS, ran = 0, last = t;
	bool running = false;

	/* Realtime busy without end; best effort queue 2 busy. */
	axsp_queue_busy(self->p, 1, true, t);
	ASSERT_EQ(1, axsp_decide(self->p, t, &self->pl));
	/* Follow next_ns for 2 s: queue 2 gets >= 5% of it, never waits > 190 ms. */
	while (t < 2001 * MS) {
		const struct axsp_gpu_plan *gp;

		ASSERT_LE(0, axsp_decide(self->p, t, &self->pl));
		ASSERT_NE(AXSP_NEVER, self->pl.next_ns);
		gp = gpu_plan(&self->pl, 0);
		for (uint32_t i = 0; gp && i < gp->n_resume; i++)
			if (gp->resume[i] == 2) {
				running = true;
				EXPECT_GE(190 * MS, t - last);
				last = t;
			}
		for (uint32_t i = 0; gp && i < gp->n_suspend[1]; i++)
			if (gp->suspend[1][i] == 2) {
				running = false;
				last = t;
			}
		ASSERT_LT(t, self->pl.next_ns);
		if (running)
			ran += self->pl.next_ns - t;
		t = self->pl.next_ns;
	}
	axsp_get_stats(self->p, &st);
	EXPECT_LE(9, st.guard_grants);		/* one per 200 ms period */
	EXPECT_LE(95 * MS, ran);		/* 5% of 2 s, minus rounding */
	EXPECT_GE(110 * MS, ran);
}

TEST_F(hpf, hardware_priority_follows_hints_and_config)
{
	struct axsp_config c = *axsp_get_config(self->p);

	ASSERT_EQ(0, proc(self->p, 10, RT, 15, 0, 0));
	ASSERT_EQ(1, axsp_decide(self->p, MS, &self->pl));
	ASSERT_EQ(1, self->pl.gpus[0].n_prio);
	EXPECT_EQ(1, self->pl.gpus[0].prio[0].handle);
	EXPECT_EQ(15, self->pl.gpus[0].prio[0].priority);
	/* A new config (SIGHUP): best effort's default priority 2 -> 4. */
	c.priority[BE] = 4;
	ASSERT_EQ(0, axsp_set_config(self->p, &c));
	ASSERT_EQ(1, axsp_decide(self->p, 2 * MS, &self->pl));
	EXPECT_EQ(2, self->pl.gpus[0].n_prio);
	EXPECT_EQ(4, self->pl.gpus[0].prio[1].priority);
	EXPECT_EQ(0, axsp_decide(self->p, 3 * MS, &self->pl));
}

/* ---- bandwidth --------------------------------------------------------- */

TEST(bandwidth_slices_follow_shares)
{
	struct axsp *p = make(AXSP_BANDWIDTH, 1);
	uint64_t t = 0, ran[2] = { 0 };
	bool run[2] = { true, true };
	struct axsp_plan pl;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, proc(p, 10, NORMAL, -1, 750, 0));
	ASSERT_EQ(0, proc(p, 20, NORMAL, -1, 250, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 1, 0, 10, 7, 0, true, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 2, 0, 20, 7, 0, true, 0));
	while (t < 1000 * MS) {
		ASSERT_LE(0, axsp_decide(p, t, &pl));
		for (uint32_t g = 0; g < pl.n_gpus; g++) {
			for (uint32_t i = 0; i < pl.gpus[g].n_suspend[1]; i++)
				run[pl.gpus[g].suspend[1][i] - 1] = false;
			for (uint32_t i = 0; i < pl.gpus[g].n_resume; i++)
				run[pl.gpus[g].resume[i] - 1] = true;
		}
		EXPECT_NE(run[0], run[1]);	/* exactly one runs */
		ASSERT_LT(t, pl.next_ns);
		for (int i = 0; i < 2; i++)
			if (run[i])
				ran[i] += pl.next_ns - t;
		t = pl.next_ns;
	}
	/* 75/25 within one slice period */
	EXPECT_GE(20 * MS, labs((long)(ran[0] - 750 * MS)));
	EXPECT_GE(20 * MS, labs((long)(ran[1] - 250 * MS)));
	/* One goes idle: the other runs alone, no timer. */
	axsp_queue_busy(p, 1, false, t);
	axsp_decide(p, t, &pl);
	EXPECT_EQ(AXSP_NEVER, pl.next_ns);
	for (uint32_t g = 0; g < pl.n_gpus; g++)
		for (uint32_t i = 0; i < pl.gpus[g].n_resume; i++)
			run[pl.gpus[g].resume[i] - 1] = true;
	EXPECT_TRUE(run[1]);
	axsp_free(p);
}

/* ---- deadlines --------------------------------------------------------- */

TEST(edf_runs_the_earliest_deadline)
{
	struct axsp *p = make(AXSP_EDF, 1);
	const struct axsp_gpu_plan *gp;
	struct axsp_plan pl;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, proc(p, 10, RT, -1, 0, 50 * MS));
	ASSERT_EQ(0, proc(p, 20, RT, -1, 0, 10 * MS));
	ASSERT_EQ(0, proc(p, 30, BE, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 1, 0, 10, 12, 0, false, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 2, 0, 20, 12, 0, false, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 3, 0, 30, 2, 0, true, 0));
	/* 1 due at 55, 2 due at 16: 2 runs, 1 and the deadline-less 3 wait. */
	axsp_queue_busy(p, 1, true, 5 * MS);
	axsp_queue_busy(p, 2, true, 6 * MS);
	ASSERT_EQ(1, axsp_decide(p, 6 * MS, &pl));
	gp = gpu_plan(&pl, 0);
	ASSERT_EQ(2, gp->n_suspend[1]);
	EXPECT_EQ(1, gp->suspend[1][0]);
	EXPECT_EQ(3, gp->suspend[1][1]);
	/* 2 done: 1 runs, 3 still waits (realtime above best effort). */
	axsp_queue_busy(p, 2, false, 9 * MS);
	ASSERT_EQ(1, axsp_decide(p, 9 * MS, &pl));
	gp = gpu_plan(&pl, 0);
	ASSERT_EQ(1, gp->n_resume);
	EXPECT_EQ(1, gp->resume[0]);
	EXPECT_EQ(0, n_suspended(gp));
	axsp_free(p);
}

TEST(llf_switches_only_for_a_real_gain)
{
	struct axsp *p = make(AXSP_LLF, 1);
	const struct axsp_gpu_plan *gp;
	struct axsp_plan pl;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, proc(p, 10, RT, -1, 0, 20 * MS));
	ASSERT_EQ(0, proc(p, 20, RT, -1, 0, 20 * MS));
	ASSERT_EQ(0, axsp_queue_add(p, 1, 0, 10, 12, 0, false, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 2, 0, 20, 12, 0, false, 0));
	/* Teach queue 2 that its requests take 10 ms. */
	axsp_queue_busy(p, 2, true, 0);
	axsp_queue_busy(p, 2, false, 10 * MS);
	/* 1 busy at 100 (due 120, left 0: laxity at 120). It runs alone. */
	axsp_queue_busy(p, 1, true, 100 * MS);
	ASSERT_EQ(0, axsp_decide(p, 100 * MS, &pl));
	/* 2 busy at 101 (due 121, left 10: laxity at 111): a 9 ms gain. */
	axsp_queue_busy(p, 2, true, 101 * MS);
	ASSERT_EQ(1, axsp_decide(p, 101 * MS, &pl));
	gp = gpu_plan(&pl, 0);
	ASSERT_EQ(1, gp->n_suspend[1]);
	EXPECT_EQ(1, gp->suspend[1][0]);
	EXPECT_EQ(101 * MS + MS, pl.next_ns);	/* llf_tick */
	/* At 110, 2's laxity point is 111+... it has run 9 of 10 ms: 120 - 1
	 * = 119 vs 1's 120: less than hold_ns (2 ms) apart, no switch back. */
	ASSERT_EQ(0, axsp_decide(p, 110 * MS, &pl));
	axsp_free(p);
}

/* ---- spatial partitions ------------------------------------------------- */

static void check_mask(struct __test_metadata *_metadata, const struct axsp_cu_change *cc,
		       uint32_t want_cus, struct axs_cu_set *out)
{
	struct axs_topo k;

	axs_topo_mi308x(&k);
	ASSERT_EQ(0, axs_cu_mask_apply(&k, cc->mask, cc->num_bits, out));
	EXPECT_EQ(want_cus, axs_cu_set_count(out));
	/* every XCC keeps CUs, the same number */
	for (uint32_t x = 0; x < 4; x++) {
		uint32_t n = 0;

		for (uint32_t cu = x * 20; cu < x * 20 + 20; cu++)
			n += axs_cu_set_has(out, cu);
		EXPECT_EQ(want_cus / 4, n);
	}
}

TEST(spatial_by_class_gives_disjoint_interleaved_masks)
{
	struct axsp_config c;
	struct axsp_topo t;
	struct axs_cu_set a, b;
	struct axsp_plan pl;
	struct axsp *p;

	axsp_config_default(&c);
	c.kind = AXSP_SPATIAL;
	c.cu_mode = AXSP_CU_CLASS;
	c.cu_permille[RT] = 250;
	c.cu_permille[BE] = 750;
	p = axsp_new(&c);
	ASSERT_NE(NULL, p);
	mi308x(&t);
	ASSERT_EQ(0, axsp_gpu_add(p, 0, &t));
	ASSERT_EQ(0, proc(p, 10, RT, -1, 0, 0));
	ASSERT_EQ(0, proc(p, 20, BE, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 1, 0, 10, 12, 0, true, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 2, 0, 20, 2, 0, true, 0));
	ASSERT_EQ(1, axsp_decide(p, 0, &pl));
	ASSERT_EQ(2, pl.gpus[0].n_cu);
	EXPECT_EQ(0, n_suspended(&pl.gpus[0]));	/* spatial only */
	check_mask(_metadata, &pl.gpus[0].cu[0], 20, &a);
	check_mask(_metadata, &pl.gpus[0].cu[1], 60, &b);
	for (int i = 0; i < AXS_CU_WORDS; i++)
		EXPECT_EQ(0, a.w[i] & b.w[i]);
	/* Normal (0 per mille) keeps all CUs: no mask, no change. */
	ASSERT_EQ(0, axsp_queue_add(p, 3, 0, 30, 7, 0, true, 0));
	EXPECT_EQ(0, axsp_decide(p, MS, &pl));
	/* Back to no partition: a full mask for the two masked queues. */
	c.kind = AXSP_PRIORITY;
	c.cu_mode = AXSP_CU_NONE;
	ASSERT_EQ(0, axsp_set_config(p, &c));
	ASSERT_EQ(1, axsp_decide(p, 2 * MS, &pl));
	ASSERT_EQ(2, pl.gpus[0].n_cu);
	check_mask(_metadata, &pl.gpus[0].cu[0], 80, &a);
	axsp_free(p);
}

TEST(spatial_by_share_with_preemption)
{
	struct axsp_config c;
	struct axsp_topo t;
	struct axs_cu_set s[3];
	struct axsp_plan pl;
	struct axsp *p;

	axsp_config_default(&c);
	c.cu_mode = AXSP_CU_SHARE;	/* beside the priority policy */
	p = axsp_new(&c);
	ASSERT_NE(NULL, p);
	mi308x(&t);
	ASSERT_EQ(0, axsp_gpu_add(p, 0, &t));
	ASSERT_EQ(0, proc(p, 30, NORMAL, 7, 500, 0));
	ASSERT_EQ(0, proc(p, 10, NORMAL, 7, 250, 0));
	ASSERT_EQ(0, proc(p, 20, NORMAL, 7, 250, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 1, 0, 30, 7, 0, true, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 2, 0, 10, 7, 0, true, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 3, 0, 20, 7, 0, true, 0));
	ASSERT_EQ(1, axsp_decide(p, 0, &pl));
	ASSERT_EQ(3, pl.gpus[0].n_cu);
	check_mask(_metadata, &pl.gpus[0].cu[0], 40, &s[0]);
	check_mask(_metadata, &pl.gpus[0].cu[1], 20, &s[1]);
	check_mask(_metadata, &pl.gpus[0].cu[2], 20, &s[2]);
	for (int i = 0; i < AXS_CU_WORDS; i++) {
		EXPECT_EQ(0, s[0].w[i] & s[1].w[i]);
		EXPECT_EQ(0, s[1].w[i] & s[2].w[i]);
		EXPECT_EQ(0, s[0].w[i] & s[2].w[i]);
	}
	/* Temporal preemption still applies on top. */
	ASSERT_EQ(0, proc(p, 40, RT, -1, 0, 0));
	ASSERT_EQ(0, axsp_queue_add(p, 4, 0, 40, 12, 0, true, MS));
	ASSERT_EQ(1, axsp_decide(p, MS, &pl));
	EXPECT_EQ(3, n_suspended(&pl.gpus[0]));
	axsp_free(p);
}

TEST(cu_mask_build_rounds_to_whole_xcc_sets)
{
	uint32_t mask[AXSP_CU_MASK_WORDS];
	struct axsp_topo t;

	mi308x(&t);
	EXPECT_EQ(80, axsp_topo_num_cu(&t));
	EXPECT_EQ(96, axsp_cu_mask_build(&t, 0, 37, mask, AXSP_CU_MASK_WORDS));
	EXPECT_EQ(0xffffffffu, mask[0]);
	EXPECT_EQ(0xffu, mask[1]);		/* 37 -> 40 bits */
	EXPECT_EQ(96, axsp_cu_mask_build(&t, 0, 1, mask, AXSP_CU_MASK_WORDS));
	EXPECT_EQ(0xfu, mask[0]);		/* one per XCC at least */
	EXPECT_EQ(0, axsp_cu_mask_build(&t, 0, 81, mask, AXSP_CU_MASK_WORDS));
	EXPECT_EQ(0, axsp_cu_mask_build(&t, 60, 24, mask, AXSP_CU_MASK_WORDS));
	t.num_xcc = 0;
	EXPECT_EQ(0, axsp_topo_num_cu(&t));
}

/* ---- determinism -------------------------------------------------------- */

/* A digest of every plan of a pseudo-random run. */
static uint64_t replay(enum axsp_kind kind, uint32_t seed)
{
	struct axsp *p = make(kind, 2);
	uint64_t h = 1469598103934665603ULL, t = 0;
	struct axsp_plan pl;

	for (uint32_t pid = 1; pid <= 6; pid++)
		proc(p, pid, (enum axsp_class)(pid % 3 + 1), -1, pid * 100,
		     pid % 2 ? pid * 5 * MS : 0);
	for (uint64_t q = 1; q <= 24; q++)
		axsp_queue_add(p, q, (uint32_t)(q % 2), (uint32_t)(q % 6 + 1), 7, 0, false, 0);
	for (int i = 0; i < 2000; i++) {
		seed = seed * 1103515245u + 12345u;
		t += (seed >> 8) % (3 * MS);
		axsp_queue_busy(p, (seed >> 4) % 24 + 1, (seed >> 20) & 1, t);
		axsp_decide(p, t, &pl);
		for (uint32_t g = 0; g < pl.n_gpus; g++) {
			const struct axsp_gpu_plan *gp = &pl.gpus[g];

			h = (h ^ gp->gpu_id) * 1099511628211ULL;
			for (uint32_t k = 0; k < gp->n_suspend[1]; k++)
				h = (h ^ gp->suspend[1][k]) * 1099511628211ULL;
			for (uint32_t k = 0; k < gp->n_resume; k++)
				h = (h ^ (gp->resume[k] << 8)) * 1099511628211ULL;
		}
		h = (h ^ pl.next_ns) * 1099511628211ULL;
	}
	axsp_free(p);
	return h;
}

TEST(same_inputs_same_decisions)
{
	for (int k = 0; k < AXSP_NKINDS; k++) {
		if (k == AXSP_SPATIAL)
			continue;
		EXPECT_EQ(replay(k, 42), replay(k, 42));
		EXPECT_NE(replay(k, 42), replay(k, 43));
	}
}

TEST_HARNESS_MAIN
