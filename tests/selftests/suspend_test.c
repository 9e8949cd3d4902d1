// SPDX-License-Identifier: MIT
/*
 * Acting on queues: SUSPEND, RESUME and LEASE_RENEW with their leases,
 * all-or-nothing validation of batches, what ends a suspension (the lease,
 * closing the file, the holder's death), backend failures injected through
 * the sim backend's debugfs knobs, SET_PRIORITY and SET_CU_MASK.
 */
#include "axs_test.h"

#define L2 AMDXSCHED_LEVEL_DEACTIVATE
#define L3 AMDXSCHED_LEVEL_INTERRUPT
#define NOT_DONE AMDXSCHED_STATUS_NOT_DONE

FIXTURE(susp) {
	int fd;			/* control file, owns the simulated process, reads events */
	int fd2;		/* another control file of this process, or -1 */
	uint32_t gpu;		/* the module's simulated GPU */
	uint32_t gpu_timeout;	/* its preempt_timeout_ms, to restore */
	uint32_t added;		/* a GPU this test added, or AMDXSCHED_GPU_ANY */
	uint32_t added_timeout;
	uint64_t q[3];		/* queues on gpu, priority 7 */
	uint32_t max_lease_ms;
};

FIXTURE_SETUP(susp)
{
	struct amdxsched_version v;
	struct amdxsched_gpu_info gi;

	self->fd2 = -1;
	self->added = AMDXSCHED_GPU_ANY;
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	ASSERT_EQ(0, axs_version(self->fd, &v));
	self->max_lease_ms = v.max_lease_ms;
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &gi));
	self->gpu_timeout = gi.preempt_timeout_ms;
	axs_fixture_queues(_metadata, self->fd, self->gpu, self->q, 3);
	ASSERT_EQ(0, axs_events_config(self->fd, AMDXSCHED_EVENT_MASK_ALL, 4096));
}

FIXTURE_TEARDOWN(susp)
{
	if (axs_have_knobs(self->gpu))
		EXPECT_EQ(0, axs_knobs_reset(self->gpu, self->gpu_timeout));
	if (self->added != AMDXSCHED_GPU_ANY && axs_have_knobs(self->added))
		EXPECT_EQ(0, axs_knobs_reset(self->added, self->added_timeout));
	if (self->fd2 >= 0)
		EXPECT_EQ(0, close(self->fd2));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* In a test body: skip unless @gpu has its debugfs fault knobs. */
#define NEED_KNOBS(gpu) do { \
	if (!axs_have_knobs(gpu)) \
		SKIP(return, "no debugfs fault knobs (debugfs not mounted?)"); \
} while (0)

/* Add a second simulated GPU (it stays until the module is unloaded). */
static int add_gpu(struct __test_metadata *_metadata, FIXTURE_DATA(susp) *self)
{
	struct amdxsched_gpu_info gi;
	int ret;

	ret = axs_add_small_gpu(self->fd, AMDXSCHED_SIM_DISPATCH_PRIORITY, &self->added);
	if (ret == -ENOSPC)
		return ret;
	EXPECT_EQ(0, ret);
	if (ret)
		return ret;
	EXPECT_EQ(0, axs_gpu_info(self->fd, self->added, &gi));
	self->added_timeout = gi.preempt_timeout_ms;
	return 0;
}

static uint32_t qstate(struct __test_metadata *_metadata, int fd, uint64_t h)
{
	struct amdxsched_queue_info qi;

	memset(&qi, 0, sizeof(qi));
	EXPECT_EQ(0, axs_queue_info(fd, h, &qi));
	return qi.state & ~AMDXSCHED_QUEUE_S_BUSY;
}

/*
 * Read every pending event; how many have a type in @types (a mask) and,
 * unless 0, the queue @handle. Events of ioctls are queued before they return.
 */
static int pending(int fd, uint64_t types, uint64_t handle)
{
	struct amdxsched_event ev;
	int ret, n = 0;

	while ((ret = axs_ev_read(fd, &ev, 0)) == 1)
		if ((types & AMDXSCHED_EVENT_MASK(ev.type)) && (!handle || ev.handle == handle))
			n++;
	return ret ? ret : n;
}

#define EVM(t) AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_##t)

/* ------------------------------------------------------------------------ */

static void happy_path(struct __test_metadata *_metadata, FIXTURE_DATA(susp) *self,
		       uint32_t level)
{
	struct amdxsched_queue_info qi, qi0;
	struct amdxsched_gpu_info g0, g1, g2;
	struct amdxsched_event ev;
	uint64_t h = self->q[0], lease = 0, lease2 = 0, t0, t1, t2, t3;
	int32_t st = 99;

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi0));
	axs_ev_drain(self->fd);

	t0 = axs_now_ns();
	ASSERT_EQ(0, axs_suspend(self->fd, &h, 1, level, 5000, &st, &lease));
	t1 = axs_now_ns();
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, st);
	EXPECT_NE(0, lease);

	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE, qi.state);
	EXPECT_EQ(level, qi.level);
	EXPECT_EQ(lease, qi.lease_id);
	EXPECT_EQ(getpid(), qi.holder_pid);
	EXPECT_LE(t0 + 5000 * MS, qi.lease_deadline_ns);
	EXPECT_GE(t1 + 5000 * MS, qi.lease_deadline_ns);
	EXPECT_EQ(qi0.counters.suspends + 1, qi.counters.suspends);
	EXPECT_EQ(qi0.counters.resumes, qi.counters.resumes);
	/* suspended_ns includes the current suspension */
	EXPECT_LE(qi0.counters.suspended_ns, qi.counters.suspended_ns);

	/* another file sees it held, but not by itself */
	self->fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, axs_queue_info(self->fd2, h, &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qi.state);
	EXPECT_EQ(getpid(), qi.holder_pid);

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.suspends + 1, g1.counters.suspends);
	EXPECT_EQ(g0.counters.resumes, g1.counters.resumes);
	EXPECT_EQ(g0.counters.remaps + 1, g1.counters.remaps);

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_SUSPENDED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(level, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_EQ(self->gpu, ev.gpu_id);

	t2 = axs_now_ns();
	st = 99;
	ASSERT_EQ(0, axs_resume(self->fd, &h, 1, 0, &st));
	t3 = axs_now_ns();
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, st);
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
	EXPECT_EQ(0, qi.level);
	EXPECT_EQ(0, qi.lease_id);
	EXPECT_EQ(0, qi.lease_deadline_ns);
	EXPECT_EQ(0, qi.holder_pid);
	EXPECT_EQ(qi0.counters.suspends + 1, qi.counters.suspends);
	EXPECT_EQ(qi0.counters.resumes + 1, qi.counters.resumes);
	/* it was suspended from within [t0, t1] to within [t2, t3] */
	EXPECT_LT(qi0.counters.suspended_ns, qi.counters.suspended_ns);
	EXPECT_GE(qi0.counters.suspended_ns + (t3 - t0), qi.counters.suspended_ns);
	EXPECT_LE(qi0.counters.suspended_ns + (t2 - t1), qi.counters.suspended_ns);

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g2));
	EXPECT_EQ(g0.counters.suspends + 1, g2.counters.suspends);
	EXPECT_EQ(g0.counters.resumes + 1, g2.counters.resumes);
	EXPECT_EQ(g0.counters.remaps + 2, g2.counters.remaps);
	EXPECT_EQ(qi.counters.suspended_ns - qi0.counters.suspended_ns,
		  g2.counters.suspended_ns - g0.counters.suspended_ns);
	EXPECT_EQ(g0.counters.lease_expiries, g2.counters.lease_expiries);

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_IOCTL, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);

	/* the lease ended with its last queue */
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, lease, 1000, NULL));
	/* lease ids are not reused */
	ASSERT_EQ(0, axs_suspend1(self->fd, h, level, 5000, &lease2));
	EXPECT_LT(lease, lease2);
	ASSERT_EQ(0, axs_resume1(self->fd, h));
}

TEST_F(susp, suspend_and_resume_lv2)
{
	happy_path(_metadata, self, L2);
}

TEST_F(susp, suspend_and_resume_lv3)
{
	happy_path(_metadata, self, L3);
}

TEST_F(susp, one_call_suspends_queues_of_two_gpus)
{
	struct amdxsched_gpu_info a0, b0, a1, b1;
	struct amdxsched_queue_info qa, qb;
	uint64_t h[2], lease = 0;
	int32_t st[2] = { 99, 99 };
	int ret;

	ret = add_gpu(_metadata, self);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	h[0] = self->q[0];
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->added, 7, &h[1], NULL));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &a0));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->added, &b0));

	ASSERT_EQ(0, axs_suspend(self->fd, h, 2, L3, 5000, st, &lease));
	EXPECT_EQ(0, st[0]);
	EXPECT_EQ(0, st[1]);
	ASSERT_EQ(0, axs_queue_info(self->fd, h[0], &qa));
	ASSERT_EQ(0, axs_queue_info(self->fd, h[1], &qb));
	EXPECT_EQ(lease, qa.lease_id);
	EXPECT_EQ(lease, qb.lease_id);	/* one lease covers the call */
	EXPECT_EQ(qa.lease_deadline_ns, qb.lease_deadline_ns);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE, qa.state);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE, qb.state);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &a1));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->added, &b1));
	EXPECT_EQ(a0.counters.suspends + 1, a1.counters.suspends);
	EXPECT_EQ(b0.counters.suspends + 1, b1.counters.suspends);
	EXPECT_EQ(a0.counters.remaps + 1, a1.counters.remaps);
	EXPECT_EQ(b0.counters.remaps + 1, b1.counters.remaps);

	/* renewing the lease moves both */
	ASSERT_EQ(0, axs_lease_renew(self->fd, lease, 8000, NULL));
	ASSERT_EQ(0, axs_queue_info(self->fd, h[0], &qa));
	ASSERT_EQ(0, axs_queue_info(self->fd, h[1], &qb));
	EXPECT_EQ(qa.lease_deadline_ns, qb.lease_deadline_ns);

	/* resuming one leaves the lease to the other */
	ASSERT_EQ(0, axs_resume1(self->fd, h[0]));
	ASSERT_EQ(0, axs_lease_renew(self->fd, lease, 8000, NULL));
	ASSERT_EQ(0, axs_resume1(self->fd, h[1]));
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, lease, 8000, NULL));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[1]));
}

TEST_F(susp, one_unknown_handle_fails_the_whole_batch)
{
	struct amdxsched_gpu_info g0, g1;
	uint64_t h[3] = { self->q[0], self->q[2] + 1000000, self->q[1] };
	int32_t st[3] = { 99, 99, 99 };
	uint64_t lease = 77;
	int i;

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	axs_ev_drain(self->fd);
	EXPECT_EQ(-ENOENT, axs_suspend(self->fd, h, 3, L3, 5000, st, &lease));
	EXPECT_EQ(NOT_DONE, st[0]);
	EXPECT_EQ(-ENOENT, st[1]);
	EXPECT_EQ(NOT_DONE, st[2]);
	EXPECT_EQ(0, lease);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, qstate(_metadata, self->fd, self->q[i]));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.suspends, g1.counters.suspends);
	EXPECT_EQ(g0.counters.remaps, g1.counters.remaps);
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_SUSPENDED), 0));

	/* the same for RESUME, with both good queues suspended */
	h[0] = self->q[0];
	h[1] = self->q[1];
	ASSERT_EQ(0, axs_suspend(self->fd, h, 2, L3, 5000, NULL, NULL));
	h[1] = 0;	/* never a handle */
	h[2] = self->q[1];
	st[0] = st[1] = st[2] = 99;
	EXPECT_EQ(-ENOENT, axs_resume(self->fd, h, 3, 0, st));
	EXPECT_EQ(NOT_DONE, st[0]);
	EXPECT_EQ(-ENOENT, st[1]);
	EXPECT_EQ(NOT_DONE, st[2]);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qstate(_metadata, self->fd, self->q[0]));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qstate(_metadata, self->fd, self->q[1]));
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_RESUMED), 0));
	h[1] = self->q[1];
	ASSERT_EQ(0, axs_resume(self->fd, h, 2, 0, st));
	EXPECT_EQ(0, st[0]);
	EXPECT_EQ(0, st[1]);
}

TEST_F(susp, a_repeated_handle_is_einval)
{
	uint64_t h[3] = { self->q[0], self->q[1], self->q[0] };
	int32_t st[3] = { 99, 99, 99 };
	int i;

	EXPECT_EQ(-EINVAL, axs_suspend(self->fd, h, 3, L3, 5000, st, NULL));
	EXPECT_EQ(NOT_DONE, st[0]);
	EXPECT_EQ(NOT_DONE, st[1]);
	EXPECT_EQ(-EINVAL, st[2]);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, qstate(_metadata, self->fd, self->q[i]));

	ASSERT_EQ(0, axs_suspend(self->fd, h, 2, L3, 5000, NULL, NULL));
	st[0] = st[1] = st[2] = 99;
	EXPECT_EQ(-EINVAL, axs_resume(self->fd, h, 3, 0, st));
	EXPECT_EQ(NOT_DONE, st[0]);
	EXPECT_EQ(NOT_DONE, st[1]);
	EXPECT_EQ(-EINVAL, st[2]);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qstate(_metadata, self->fd, self->q[0]));
	ASSERT_EQ(0, axs_resume(self->fd, h, 2, 0, NULL));
}

TEST_F(susp, batch_counts)
{
	uint64_t *h = calloc(AMDXSCHED_MAX_BATCH + 1, sizeof(*h));
	int32_t *st = calloc(AMDXSCHED_MAX_BATCH + 1, sizeof(*st));
	struct amdxsched_priority_entry *pe = calloc(AMDXSCHED_MAX_BATCH + 1, sizeof(*pe));
	uint32_t i;

	ASSERT_NE(NULL, h);
	ASSERT_NE(NULL, st);
	ASSERT_NE(NULL, pe);
	for (i = 0; i <= AMDXSCHED_MAX_BATCH; i++) {
		h[i] = ~0ULL - i;	/* unknown */
		pe[i].handle = h[i];
	}
	EXPECT_EQ(-EINVAL, axs_suspend(self->fd, h, 0, L3, 1000, st, NULL));
	EXPECT_EQ(-E2BIG, axs_suspend(self->fd, h, AMDXSCHED_MAX_BATCH + 1, L3, 1000, st, NULL));
	EXPECT_EQ(-E2BIG, axs_suspend(self->fd, h, 0xffffffffu, L3, 1000, st, NULL));
	EXPECT_EQ(-EINVAL, axs_resume(self->fd, h, 0, 0, st));
	EXPECT_EQ(-E2BIG, axs_resume(self->fd, h, AMDXSCHED_MAX_BATCH + 1, 0, st));
	EXPECT_EQ(-EINVAL, axs_set_priority(self->fd, pe, 0));
	EXPECT_EQ(-E2BIG, axs_set_priority(self->fd, pe, AMDXSCHED_MAX_BATCH + 1));

	/* the limit itself passes the count check: then the handles are unknown */
	h[AMDXSCHED_MAX_BATCH - 1] = self->q[0];
	pe[AMDXSCHED_MAX_BATCH - 1].handle = self->q[0];
	pe[AMDXSCHED_MAX_BATCH - 1].priority = 7;
	EXPECT_EQ(-ENOENT, axs_suspend(self->fd, h, AMDXSCHED_MAX_BATCH, L3, 1000, st, NULL));
	EXPECT_EQ(-ENOENT, st[0]);
	EXPECT_EQ(NOT_DONE, st[AMDXSCHED_MAX_BATCH - 1]);
	EXPECT_EQ(-ENOENT, axs_resume(self->fd, h, AMDXSCHED_MAX_BATCH, 0, st));
	EXPECT_EQ(-ENOENT, axs_set_priority(self->fd, pe, AMDXSCHED_MAX_BATCH));
	EXPECT_EQ(-ENOENT, pe[0].status);
	EXPECT_EQ(NOT_DONE, pe[AMDXSCHED_MAX_BATCH - 1].status);
	EXPECT_EQ(0, qstate(_metadata, self->fd, self->q[0]));
	free(h);
	free(st);
	free(pe);
}

TEST_F(susp, bad_level_or_lease_is_einval)
{
	static const uint32_t levels[] = { 0, 1, 4, 0xffffffffu };
	uint64_t h = self->q[0];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(levels); i++)
		EXPECT_EQ(-EINVAL, axs_suspend1(self->fd, h, levels[i], 1000, NULL))
			TH_LOG("level %u", levels[i]);
	EXPECT_EQ(-EINVAL, axs_suspend1(self->fd, h, L3, 0, NULL));
	EXPECT_EQ(-EINVAL, axs_suspend1(self->fd, h, L3, self->max_lease_ms + 1, NULL));
	EXPECT_EQ(-EINVAL, axs_suspend1(self->fd, h, L3, 0xffffffffu, NULL));
	EXPECT_EQ(0, qstate(_metadata, self->fd, h));
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, self->max_lease_ms, NULL));
	ASSERT_EQ(0, axs_resume1(self->fd, h));
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 1000, NULL));
	ASSERT_EQ(0, axs_resume1(self->fd, h));
}

TEST_F(susp, suspending_a_suspended_queue)
{
	uint64_t h[2] = { self->q[1], self->q[0] }, lease = 0, l2 = 5;
	struct amdxsched_queue_info qi;
	int32_t st[2] = { 99, 99 };

	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[0], L3, 5000, &lease));
	EXPECT_EQ(-EALREADY, axs_suspend1(self->fd, self->q[0], L3, 5000, &l2));
	EXPECT_EQ(0, l2);
	EXPECT_EQ(-EALREADY, axs_suspend1(self->fd, self->q[0], L2, 5000, NULL));

	self->fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(-EBUSY, axs_suspend1(self->fd2, self->q[0], L3, 5000, NULL));
	EXPECT_EQ(-EBUSY, axs_suspend(self->fd2, h, 2, L3, 5000, st, NULL));
	EXPECT_EQ(NOT_DONE, st[0]);
	EXPECT_EQ(-EBUSY, st[1]);
	EXPECT_EQ(0, qstate(_metadata, self->fd, self->q[1]));
	EXPECT_EQ(-EALREADY, axs_suspend(self->fd, h, 2, L3, 5000, st, NULL));
	EXPECT_EQ(NOT_DONE, st[0]);
	EXPECT_EQ(-EALREADY, st[1]);
	EXPECT_EQ(0, qstate(_metadata, self->fd, self->q[1]));

	/* still held as before */
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(lease, qi.lease_id);
	EXPECT_EQ(L3, qi.level);
	EXPECT_EQ(1, qi.counters.suspends);
	ASSERT_EQ(0, axs_resume1(self->fd, self->q[0]));
}

TEST_F(susp, resume_errors_and_force)
{
	struct amdxsched_event ev;
	uint64_t h = self->q[0], lease = 0;
	int32_t st = 99;

	EXPECT_EQ(-EALREADY, axs_resume(self->fd, &h, 1, 0, &st));
	EXPECT_EQ(-EALREADY, st);

	self->fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, axs_suspend1(self->fd2, h, L3, 5000, &lease));
	st = 99;
	EXPECT_EQ(-EBUSY, axs_resume(self->fd, &h, 1, 0, &st));
	EXPECT_EQ(-EBUSY, st);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qstate(_metadata, self->fd, h));
	EXPECT_EQ(-EINVAL, axs_resume(self->fd, &h, 1, 1U << 1, NULL));
	EXPECT_EQ(-EINVAL, axs_resume(self->fd, &h, 1, 0x80000000u | AMDXSCHED_RESUME_FORCE,
				      NULL));

	axs_ev_drain(self->fd);
	st = 99;
	ASSERT_EQ(0, axs_resume(self->fd, &h, 1, AMDXSCHED_RESUME_FORCE, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_IOCTL, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	/* the holder's lease is gone */
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd2, lease, 1000, NULL));
	EXPECT_EQ(-EALREADY, axs_resume1(self->fd2, h));
	/* FORCE on one's own suspension is just a resume */
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 5000, NULL));
	ASSERT_EQ(0, axs_resume(self->fd, &h, 1, AMDXSCHED_RESUME_FORCE, NULL));
}

TEST_F(susp, lease_renew)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t lease = 0, dl = 0, dl0, t0, t1;

	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[0], L3, 5000, &lease));
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	dl0 = qi.lease_deadline_ns;
	t0 = axs_now_ns();
	ASSERT_EQ(0, axs_lease_renew(self->fd, lease, self->max_lease_ms, &dl));
	t1 = axs_now_ns();
	EXPECT_LE(t0 + self->max_lease_ms * MS, dl);
	EXPECT_GE(t1 + self->max_lease_ms * MS, dl);
	EXPECT_LT(dl0, dl);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(dl, qi.lease_deadline_ns);

	EXPECT_EQ(-EINVAL, axs_lease_renew(self->fd, lease, 0, NULL));
	EXPECT_EQ(-EINVAL, axs_lease_renew(self->fd, lease, self->max_lease_ms + 1, NULL));
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, lease + 1000000, 1000, NULL));
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, 0, 1000, NULL));
	self->fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd2, lease, 1000, NULL));
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(dl, qi.lease_deadline_ns);

	/* renewing for less brings the end closer */
	ASSERT_EQ(0, axs_lease_renew(self->fd, lease, 1, &dl));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->q[0],
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	EXPECT_LE(dl, ev.timestamp_ns);
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, lease, 1000, NULL));
}

TEST_F(susp, an_expired_lease_resumes_its_queues)
{
	struct amdxsched_gpu_info g0, g1;
	struct amdxsched_queue_info qi0, qi;
	struct amdxsched_event ev;
	uint64_t h[2] = { self->q[0], self->q[1] }, lease = 0, dl;
	int seen = 0, i;

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	ASSERT_EQ(0, axs_queue_info(self->fd, h[0], &qi0));
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_suspend(self->fd, h, 2, L3, 50, NULL, &lease));
	ASSERT_EQ(0, axs_queue_info(self->fd, h[0], &qi));
	dl = qi.lease_deadline_ns;

	/* per queue: LEASE_EXPIRED, and after it RESUMED with reason LEASE */
	while (seen != 0xf) {
		ASSERT_EQ(1, axs_ev_read(self->fd, &ev, AXS_EVENTUALLY_MS))
			TH_LOG("the lease did not expire (seen %#x)", seen);
		for (i = 0; i < 2; i++) {
			if (ev.handle != h[i])
				continue;
			if (ev.type == AMDXSCHED_EVENT_LEASE_EXPIRED) {
				EXPECT_EQ(lease, ev.data[0]);
				EXPECT_LE(dl, ev.timestamp_ns);
				EXPECT_EQ(0, seen & (1 << (2 * i)));
				seen |= 1 << (2 * i);
			} else if (ev.type == AMDXSCHED_EVENT_QUEUE_RESUMED) {
				EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
				EXPECT_EQ(lease, ev.data[1]);
				EXPECT_NE(0, seen & (1 << (2 * i)))
					TH_LOG("RESUMED before LEASE_EXPIRED");
				seen |= 2 << (2 * i);
			}
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, axs_queue_info(self->fd, h[i], &qi));
		EXPECT_EQ(0, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
		EXPECT_EQ(1, qi.counters.lease_expiries);
		EXPECT_EQ(qi0.counters.resumes + 1, qi.counters.resumes);
	}
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.lease_expiries + 2, g1.counters.lease_expiries);
	EXPECT_EQ(g0.counters.resumes + 2, g1.counters.resumes);
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, lease, 1000, NULL));
	EXPECT_EQ(-EALREADY, axs_resume1(self->fd, h[0]));
}

TEST_F(susp, closing_the_holder_resumes)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t h[2] = { self->q[0], self->q[2] }, lease = 0;
	int i;

	self->fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, axs_suspend(self->fd2, h, 2, L3, 10000, NULL, &lease));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qstate(_metadata, self->fd, h[0]));
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, close(self->fd2));
	self->fd2 = -1;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h[i],
					 AXS_EVENTUALLY_MS, &ev));
		EXPECT_EQ(AMDXSCHED_RESUMED_CLOSE, ev.data[0]);
		EXPECT_EQ(lease, ev.data[1]);
		ASSERT_EQ(0, axs_queue_info(self->fd, h[i], &qi));
		EXPECT_EQ(0, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
		EXPECT_EQ(1, qi.counters.resumes);
	}
}

TEST_F(susp, the_holders_death_resumes)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	int to_child[2], to_parent[2];
	uint64_t lease = 0;
	pid_t child;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = axs_open(O_RDWR);

		close(to_child[1]);	/* the parent's death reads as EOF */
		close(to_parent[0]);
		CHILD_CHECK(fd >= 0);
		CHILD_EQ(0, axs_suspend1(fd, self->q[1], L3, 10000, &lease));
		CHILD_CHECK(write(to_parent[1], &lease, sizeof(lease)) == sizeof(lease));
		axs_pipe_get(to_child[0], 60000);	/* until killed */
		_exit(1);
	}
	close(to_child[0]);
	close(to_parent[1]);
	ASSERT_EQ(sizeof(lease), read(to_parent[0], &lease, sizeof(lease)));
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[1], &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
	EXPECT_EQ(child, qi.holder_pid);
	EXPECT_EQ(lease, qi.lease_id);
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, axs_wait_child(child));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->q[1],
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_CLOSE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_EQ(0, qstate(_metadata, self->fd, self->q[1]));
	close(to_child[1]);
	close(to_parent[0]);
}

/* ------------------------------------------------------------------------ */
/* Backend failures */

TEST_F(susp, a_failing_suspend_changes_nothing)
{
	struct amdxsched_gpu_info g0, g1;
	unsigned long long left = 9;
	uint64_t h[2] = { self->q[0], self->q[1] }, lease = 5;
	int32_t st[2] = { 99, 99 };

	NEED_KNOBS(self->gpu);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_suspend", 1));
	EXPECT_EQ(-EIO, axs_suspend(self->fd, h, 2, L3, 5000, st, &lease));
	EXPECT_EQ(-EIO, st[0]);
	EXPECT_EQ(-EIO, st[1]);
	EXPECT_EQ(0, lease);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[0]));
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[1]));
	ASSERT_EQ(0, axs_knob_read(self->gpu, "fail_suspend", &left));
	EXPECT_EQ(0, left);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.suspends, g1.counters.suspends);
	EXPECT_EQ(g0.counters.remaps, g1.counters.remaps);
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_SUSPENDED), 0));

	/* with another errno */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_errno", EAGAIN));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_suspend", 1));
	EXPECT_EQ(-EAGAIN, axs_suspend(self->fd, h, 2, L2, 5000, st, NULL));
	EXPECT_EQ(-EAGAIN, st[0]);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[0]));

	/* used up: the next one works */
	ASSERT_EQ(0, axs_suspend(self->fd, h, 2, L3, 5000, st, NULL));
	ASSERT_EQ(0, axs_resume(self->fd, h, 2, 0, NULL));
}

/* Suspend queues of two GPUs where the second (in GPU order) fails. */
static void rollback(struct __test_metadata *_metadata, FIXTURE_DATA(susp) *self,
		     uint32_t level)
{
	struct amdxsched_gpu_info a0, a1;
	uint64_t h[3], lease = 5;
	int32_t st[3] = { 99, 99, 99 };
	int ret;

	ret = add_gpu(_metadata, self);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	NEED_KNOBS(self->added);
	ASSERT_LT(self->gpu, self->added);	/* GPUs are handled in id order */

	h[0] = self->q[0];
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->added, 7, &h[1], NULL));
	h[2] = self->q[1];
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &a0));
	axs_ev_drain(self->fd);

	ASSERT_EQ(0, axs_knob_write(self->added, "fail_suspend", 1));
	EXPECT_EQ(-EIO, axs_suspend(self->fd, h, 3, level, 5000, st, &lease));
	EXPECT_EQ(NOT_DONE, st[0]);	/* suspended, then resumed again */
	EXPECT_EQ(-EIO, st[1]);
	EXPECT_EQ(NOT_DONE, st[2]);
	EXPECT_EQ(0, lease);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[0]));
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[1]));
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[2]));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &a1));
	/* the first GPU did suspend and resume, but nothing counts as done */
	EXPECT_EQ(a0.counters.remaps + 2, a1.counters.remaps);
	EXPECT_EQ(a0.counters.suspends, a1.counters.suspends);
	EXPECT_EQ(a0.counters.resumes, a1.counters.resumes);
	/* nothing happened as far as anyone can tell */
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_SUSPENDED) | EVM(QUEUE_RESUMED) |
			     EVM(QUEUE_DRAINED), 0));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[1]));
}

TEST_F(susp, a_failing_second_gpu_rolls_back_the_first_lv3)
{
	rollback(_metadata, self, L3);
}

/* Lv2 the same; in particular it must not report that it took effect (DRAINED). */
TEST_F(susp, a_failing_second_gpu_rolls_back_the_first_lv2)
{
	rollback(_metadata, self, L2);
}

/*
 * If the roll-back fails too, the queues it could not resume stay suspended
 * (status 0) under the returned lease, and resume when it expires.
 */
TEST_F(susp, a_failed_rollback_leaves_the_queues_under_the_lease)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t h[2], lease = 0;
	int32_t st[2] = { 99, 99 };
	int ret;

	ret = add_gpu(_metadata, self);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	NEED_KNOBS(self->gpu);
	NEED_KNOBS(self->added);
	ASSERT_LT(self->gpu, self->added);	/* GPUs are handled in id order */
	h[0] = self->q[0];
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->added, 7, &h[1], NULL));
	axs_ev_drain(self->fd);

	ASSERT_EQ(0, axs_knob_write(self->added, "fail_suspend", 1));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 1));
	EXPECT_EQ(-EIO, axs_suspend(self->fd, h, 2, L3, 200, st, &lease));
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, st[0]);	/* could not be undone */
	EXPECT_EQ(-EIO, st[1]);
	ASSERT_NE(0, lease);
	ASSERT_EQ(0, axs_queue_info(self->fd, h[0], &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
	EXPECT_EQ(lease, qi.lease_id);
	EXPECT_NE(0, qi.lease_deadline_ns);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[1]));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_SUSPENDED, h[0],
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(lease, ev.data[1]);

	/* the lease ends it */
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h[0],
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h[0]));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[1]));
}

/*
 * amdkfd can fail a suspension after it changed the queue (the queue marked
 * suspended, then the remap fails, e.g. -EIO during a GPU reset): its state
 * is then unknown. Such a queue is never left suspended without a lease:
 * the module resumes it at once, or, if that fails too, holds it under the
 * call's lease, which resumes it. fail_suspend_late makes the sim act, then
 * fail, as amdkfd does there.
 */
TEST_F(susp, a_suspend_that_failed_after_acting_is_undone)
{
	struct amdxsched_sim_wait w;
	uint64_t h = self->q[0], lease = 5, id;
	int32_t st = 99;

	NEED_KNOBS(self->gpu);
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_suspend_late", 1));
	EXPECT_EQ(-EIO, axs_suspend(self->fd, &h, 1, L3, 200, &st, &lease));
	EXPECT_EQ(-EIO, st);
	EXPECT_EQ(0, lease);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h));
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_SUSPENDED), 0));
	/* and the device runs it */
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, MS, 0, &id));
	EXPECT_EQ(0, axs_sim_wait(self->fd, h, id, AXS_EVENTUALLY_MS * MS, &w));
}

TEST_F(susp, a_suspend_that_failed_after_acting_and_cannot_be_undone_is_leased)
{
	struct amdxsched_sim_wait w;
	struct amdxsched_event ev;
	uint64_t h = self->q[0], lease = 0, id;
	int32_t st = 99;

	NEED_KNOBS(self->gpu);
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_suspend_late", 1));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 1));
	EXPECT_EQ(-EIO, axs_suspend(self->fd, &h, 1, L3, 200, &st, &lease));
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, st);	/* suspended, under the lease */
	ASSERT_NE(0, lease);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qstate(_metadata, self->fd, h));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h));
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, MS, 0, &id));
	EXPECT_EQ(0, axs_sim_wait(self->fd, h, id, AXS_EVENTUALLY_MS * MS, &w));
}

TEST_F(susp, a_failing_resume_keeps_the_queue_suspended)
{
	uint64_t h = self->q[0];
	int32_t st = 99;

	NEED_KNOBS(self->gpu);
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 10000, NULL));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 1));
	axs_ev_drain(self->fd);
	EXPECT_EQ(-EIO, axs_resume(self->fd, &h, 1, 0, &st));
	EXPECT_EQ(-EIO, st);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qstate(_metadata, self->fd, h));
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_RESUMED), 0));
	ASSERT_EQ(0, axs_resume(self->fd, &h, 1, 0, &st));
	EXPECT_EQ(0, st);
}

TEST_F(susp, a_failing_resume_at_expiry_is_retried)
{
	struct amdxsched_queue_info qi0, qi;
	struct amdxsched_gpu_info g0, g1;
	struct amdxsched_event ev;
	uint64_t h = self->q[0], lease = 0, dl;
	int32_t st = 99;

	NEED_KNOBS(self->gpu);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi0));
	/* every resume fails until we say so */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 1000000));
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 50, &lease));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	dl = qi.lease_deadline_ns;

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_LEASE_EXPIRED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(lease, ev.data[0]);
	/* past its deadline, still suspended, under a retry deadline */
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE, qi.state);
	EXPECT_EQ(lease, qi.lease_id);
	EXPECT_LT(dl, qi.lease_deadline_ns);
	EXPECT_EQ(qi0.counters.lease_expiries + 1, qi.counters.lease_expiries);
	EXPECT_EQ(qi0.counters.resumes, qi.counters.resumes);
	EXPECT_LE(dl, axs_now_ns());
	/* an expired lease cannot be renewed; resuming it by hand fails the same way */
	EXPECT_EQ(-ENOENT, axs_lease_renew(self->fd, lease, 1000, NULL));
	EXPECT_EQ(-EIO, axs_resume(self->fd, &h, 1, 0, &st));
	EXPECT_EQ(-EIO, st);

	/* let it work: the retry resumes it, at least 100 ms after the deadline */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 0));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_LE(dl + 100 * MS, ev.timestamp_ns);
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
	EXPECT_EQ(qi0.counters.lease_expiries + 1, qi.counters.lease_expiries);
	EXPECT_EQ(qi0.counters.resumes + 1, qi.counters.resumes);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.lease_expiries + 1, g1.counters.lease_expiries);
	EXPECT_EQ(g0.counters.resumes + 1, g1.counters.resumes);
	EXPECT_EQ(g0.counters.suspends + 1, g1.counters.suspends);
}

/*
 * A resume that keeps failing is escalated, not given up: after 50 tries
 * at 100 ms the queue is marked STUCK and RESUME_FAILING says so (once),
 * then the module tries every second until the backend lets it.
 */
TEST_F(susp, a_resume_that_keeps_failing_is_reported_and_retried_slower)
{
	unsigned long long left0 = 0, left1 = 0;
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t h = self->q[0], lease = 0, t0;
	int n;

	NEED_KNOBS(self->gpu);
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_errno", ETIME));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 1000000));
	axs_ev_drain(self->fd);
	t0 = axs_now_ns();
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 20, &lease));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_RESUME_FAILING, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(ETIME, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	/* 50 tries 100 ms apart: not before 4.9 s */
	EXPECT_LE(t0 + 4900 * MS, ev.timestamp_ns);
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE | AMDXSCHED_QUEUE_S_STUCK,
		  qi.state & ~AMDXSCHED_QUEUE_S_BUSY);

	/* then about one try a second, and no second report */
	ASSERT_EQ(0, axs_knob_read(self->gpu, "fail_resume", &left0));
	axs_sleep_ms(2500);
	ASSERT_EQ(0, axs_knob_read(self->gpu, "fail_resume", &left1));
	EXPECT_LE(left0 - left1, 4);
	EXPECT_GE(left0 - left1, 1);
	n = pending(self->fd, EVM(RESUME_FAILING), 0);
	EXPECT_EQ(0, n);

	/* the backend recovers: resumed at the next try, no longer stuck */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_resume", 0));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
}

TEST_F(susp, a_slow_unmap_is_a_hang)
{
	struct amdxsched_gpu_info g0, g1;
	struct amdxsched_event ev;
	uint64_t h, lease = 5;
	int32_t st = 99;
	int ret;

	ret = add_gpu(_metadata, self);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	NEED_KNOBS(self->added);
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->added, 7, &h, NULL));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->added, &g0));
	axs_ev_drain(self->fd);

	ASSERT_EQ(0, axs_knob_write(self->added, "preempt_timeout_ms", 5));
	ASSERT_EQ(0, axs_knob_write(self->added, "unmap_delay_us", 20000));
	EXPECT_EQ(-ETIME, axs_suspend(self->fd, &h, 1, L3, 5000, &st, &lease));
	EXPECT_EQ(-ETIME, st);
	EXPECT_EQ(0, lease);
	EXPECT_EQ(0, qstate(_metadata, self->fd, h));

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_GPU_HANG, 0, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(self->added, ev.gpu_id);
	EXPECT_EQ(0, ev.handle);
	EXPECT_EQ(0, ev.pid);
	EXPECT_EQ(5 * MS, ev.data[0]);	/* the unmap is cut off at the timeout */
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->added, &g1));
	EXPECT_EQ(g0.counters.hangs + 1, g1.counters.hangs);
	EXPECT_EQ(g0.counters.remaps + 1, g1.counters.remaps);
	EXPECT_EQ(g0.counters.suspends, g1.counters.suspends);
	EXPECT_EQ(5, g1.preempt_timeout_ms);
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_SUSPENDED), 0));

	/* back to normal */
	ASSERT_EQ(0, axs_knob_write(self->added, "unmap_delay_us", 0));
	ASSERT_EQ(0, axs_knob_write(self->added, "preempt_timeout_ms", self->added_timeout));
	ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 5000, NULL));
	ASSERT_EQ(0, axs_resume1(self->fd, h));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
}

/* ------------------------------------------------------------------------ */
/* SET_PRIORITY and SET_CU_MASK */

TEST_F(susp, set_priority)
{
	struct amdxsched_priority_entry e[3];
	struct amdxsched_queue_info qi;
	struct amdxsched_gpu_info g0, g1;
	struct amdxsched_event ev;
	int i, seen = 0;

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	axs_ev_drain(self->fd);
	e[0] = (struct amdxsched_priority_entry){ self->q[0], 3, 99 };
	e[1] = (struct amdxsched_priority_entry){ self->q[1], 7, 99 };	/* unchanged */
	e[2] = (struct amdxsched_priority_entry){ self->q[2], 15, 99 };
	ASSERT_EQ(0, axs_set_priority(self->fd, e, 3));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(AMDXSCHED_STATUS_DONE, e[i].status);
		ASSERT_EQ(0, axs_queue_info(self->fd, self->q[i], &qi));
		EXPECT_EQ(e[i].priority, qi.priority);
	}
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.remaps + 1, g1.counters.remaps);	/* one per GPU and call */
	while (axs_ev_read(self->fd, &ev, 0) == 1) {
		if (ev.type != AMDXSCHED_EVENT_QUEUE_PRIORITY)
			continue;
		EXPECT_NE(self->q[1], ev.handle);
		for (i = 0; i < 3; i++)
			if (ev.handle == self->q[i]) {
				EXPECT_EQ(e[i].priority, ev.data[0]);
				seen |= 1 << i;
			}
	}
	EXPECT_EQ(5, seen);

	/* nothing changes: no remap, no event */
	ASSERT_EQ(0, axs_set_priority(self->fd, e, 3));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g0));
	EXPECT_EQ(g1.counters.remaps, g0.counters.remaps);
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_PRIORITY), 0));

	/* one bad entry fails the call; the others are NOT_DONE and unchanged */
	e[0].priority = 4;
	e[1].priority = 16;
	e[2].priority = 0;
	EXPECT_EQ(-EINVAL, axs_set_priority(self->fd, e, 3));
	EXPECT_EQ(NOT_DONE, e[0].status);
	EXPECT_EQ(-EINVAL, e[1].status);
	EXPECT_EQ(NOT_DONE, e[2].status);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(3, qi.priority);
	e[1].priority = 0xffffffffu;
	EXPECT_EQ(-EINVAL, axs_set_priority(self->fd, e, 3));
	e[1].priority = 1;
	e[1].handle = ~0ULL;
	EXPECT_EQ(-ENOENT, axs_set_priority(self->fd, e, 3));
	EXPECT_EQ(-ENOENT, e[1].status);
	e[1].handle = self->q[0];	/* repeated */
	EXPECT_EQ(-EINVAL, axs_set_priority(self->fd, e, 3));
	EXPECT_EQ(NOT_DONE, e[0].status);
	EXPECT_EQ(-EINVAL, e[1].status);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[2], &qi));
	EXPECT_EQ(15, qi.priority);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(g0.counters.remaps, g1.counters.remaps);
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_PRIORITY), 0));

	/* a suspended queue's priority can be changed too */
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[0], L3, 5000, NULL));
	ASSERT_EQ(0, axs_set_priority1(self->fd, self->q[0], 0));
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(0, qi.priority);
	ASSERT_EQ(0, axs_resume1(self->fd, self->q[0]));
}

TEST_F(susp, a_failing_priority_change_changes_nothing)
{
	struct amdxsched_priority_entry e[2] = {
		{ self->q[0], 1, 99 }, { self->q[1], 7, 99 },
	};
	struct amdxsched_queue_info qi;

	NEED_KNOBS(self->gpu);
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_priority", 1));
	EXPECT_EQ(-EIO, axs_set_priority(self->fd, e, 2));
	EXPECT_EQ(-EIO, e[0].status);
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, e[1].status);	/* unchanged: nothing to do */
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(7, qi.priority);
	EXPECT_EQ(0, pending(self->fd, EVM(QUEUE_PRIORITY), 0));
	ASSERT_EQ(0, axs_set_priority(self->fd, e, 2));
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(1, qi.priority);
}

TEST_F(susp, set_cu_mask)
{
	struct amdxsched_gpu_info gi, g1;
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint32_t mask[AMDXSCHED_CU_MASK_WORDS + 2];
	uint32_t i, x, n;
	uint64_t h = self->q[0];

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &gi));
	memset(mask, 0xff, sizeof(mask));
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 0));
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 31));
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 33));
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 1056));
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 0xffffffe0u));
	EXPECT_EQ(-ENOENT, axs_set_cu_mask(self->fd, ~0ULL, mask, 32));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.cu_mask_bits);

	/* mask bit i goes to XCC i % num_xcc: bits of XCC 0 only starve the others */
	if (gi.num_xcc > 1) {
		memset(mask, 0, sizeof(mask));
		for (i = 0; i < 64; i += gi.num_xcc)
			mask[i / 32] |= 1U << (i % 32);
		EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 64));
		ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
		EXPECT_EQ(0, qi.cu_mask_bits);
	}

	/* a valid mask: the first two CUs of each XCC (bits 0 .. 2 * num_xcc - 1) */
	memset(mask, 0, sizeof(mask));
	n = 2 * gi.num_xcc;
	for (i = 0; i < n; i++)
		mask[i / 32] |= 1U << (i % 32);
	mask[2] = 0;
	axs_ev_drain(self->fd);
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, h, mask, 96));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(96, qi.cu_mask_bits);
	EXPECT_EQ(mask[0], qi.cu_mask[0]);
	EXPECT_EQ(mask[1], qi.cu_mask[1]);
	EXPECT_EQ(0, qi.cu_mask[2]);
	for (x = 3; x < AMDXSCHED_CU_MASK_WORDS; x++)
		EXPECT_EQ(0, qi.cu_mask[x]);
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_CU_MASK, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(n, ev.data[0]);	/* CUs it selects */
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &g1));
	EXPECT_EQ(gi.counters.remaps + 1, g1.counters.remaps);

	/* a refused mask leaves the last one */
	memset(mask, 0, sizeof(mask));
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, mask, 32));
	if (axs_have_knobs(self->gpu)) {
		uint32_t all[AMDXSCHED_CU_MASK_WORDS];

		memset(all, 0xff, sizeof(all));
		ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_cu_mask", 1));
		EXPECT_EQ(-EIO, axs_set_cu_mask(self->fd, h, all, 1024));
	}
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(96, qi.cu_mask_bits);
	EXPECT_EQ(0, qi.cu_mask[2]);

	/* all 1024 bits */
	memset(mask, 0xff, sizeof(mask));
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, h, mask, 1024));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(1024, qi.cu_mask_bits);
	for (x = 0; x < AMDXSCHED_CU_MASK_WORDS; x++)
		EXPECT_EQ(0xffffffffu, qi.cu_mask[x]);
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_CU_MASK, h,
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(gi.num_cu, ev.data[0]);
}

TEST_HARNESS_MAIN
