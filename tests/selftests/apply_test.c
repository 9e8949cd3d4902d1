// SPDX-License-Identifier: MIT
/*
 * AMDXSCHED_IOC_APPLY: one decision (suspensions, resumptions, priorities
 * and CU masks) on one GPU in one call, and on the simulated GPU in one
 * remap; every entry checked before anything changes; a failed suspension
 * rolls back the suspensions, as SUSPEND does.
 */
#include "axs_test.h"

#define L3 AMDXSCHED_LEVEL_INTERRUPT
#define NOT_DONE AMDXSCHED_STATUS_NOT_DONE
#define NQ 4

FIXTURE(apply) {
	int fd;			/* control file, owns the simulated process, reads events */
	uint32_t gpu;
	uint64_t q[NQ];		/* priority 7 */
	struct amdxsched_apply_entry e[NQ + 1];
	uint32_t mask[AMDXSCHED_CU_MASK_WORDS];
};

FIXTURE_SETUP(apply)
{
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	axs_fixture_queues(_metadata, self->fd, self->gpu, self->q, NQ);
	ASSERT_EQ(0, axs_events_config(self->fd, AMDXSCHED_EVENT_MASK_ALL, 4096));
}

FIXTURE_TEARDOWN(apply)
{
	if (axs_have_knobs(self->gpu))
		EXPECT_EQ(0, axs_knobs_reset(self->gpu, 0));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

static void entry(struct amdxsched_apply_entry *e, uint64_t h, uint32_t op, uint32_t arg)
{
	memset(e, 0, sizeof(*e));
	e->handle = h;
	e->op = op;
	e->arg = arg;
	e->status = 99;
}

static uint64_t remaps(struct __test_metadata *_metadata, int fd, uint32_t gpu)
{
	struct amdxsched_gpu_info gi;

	EXPECT_EQ(0, axs_gpu_info(fd, gpu, &gi));
	return gi.counters.remaps;
}

static struct amdxsched_queue_info qinfo(struct __test_metadata *_metadata, int fd,
					 uint64_t h)
{
	struct amdxsched_queue_info qi;

	memset(&qi, 0, sizeof(qi));
	EXPECT_EQ(0, axs_queue_info(fd, h, &qi));
	return qi;
}

/* Every queue of the fixture as it is: suspended or not, and its priority. */
struct look {
	uint32_t state[NQ], prio[NQ];
	uint64_t remaps;
};

static void look(struct __test_metadata *_metadata, FIXTURE_DATA(apply) *self,
		 struct look *l)
{
	for (int i = 0; i < NQ; i++) {
		struct amdxsched_queue_info qi = qinfo(_metadata, self->fd, self->q[i]);

		l->state[i] = qi.state & AMDXSCHED_QUEUE_S_SUSPENDED;
		l->prio[i] = qi.priority;
	}
	l->remaps = remaps(_metadata, self->fd, self->gpu);
}

/*
 * The decision a scheduler makes when the tenant it let wait gets its turn:
 * resume one queue, suspend another, lower a third's priority and narrow a
 * fourth's CUs. One call, one remap, everything done and announced.
 */
TEST_F(apply, a_whole_decision_costs_one_remap)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t lease0 = 0, lease = 0, r0;
	uint32_t nremaps = 99;

	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[0], L3, 5000, &lease0));
	axs_ev_drain(self->fd);
	r0 = remaps(_metadata, self->fd, self->gpu);
	memset(self->mask, 0, sizeof(self->mask));
	self->mask[0] = 0x00ff00ff;	/* CUs of every XCC's first shader engines */
	self->mask[1] = 0x00ff00ff;
	self->mask[2] = 0x00ff00ff;
	self->mask[3] = 0x00ff00ff;

	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_RESUME, 0);
	entry(&self->e[1], self->q[1], AMDXSCHED_APPLY_SUSPEND, L3);
	entry(&self->e[2], self->q[2], AMDXSCHED_APPLY_PRIORITY, 3);
	entry(&self->e[3], self->q[3], AMDXSCHED_APPLY_CU_MASK, 128);
	self->e[3].mask = (uintptr_t)self->mask;
	ASSERT_EQ(0, axs_apply(self->fd, self->gpu, self->e, 4, 1000, &lease, &nremaps));
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(AMDXSCHED_STATUS_DONE, self->e[i].status) TH_LOG("entry %d", i);
	}
	EXPECT_EQ(1, nremaps);
	EXPECT_EQ(r0 + 1, remaps(_metadata, self->fd, self->gpu));
	EXPECT_NE(0, lease);
	EXPECT_NE(lease0, lease);

	qi = qinfo(_metadata, self->fd, self->q[0]);
	EXPECT_EQ(0, qi.state & AMDXSCHED_QUEUE_S_SUSPENDED);
	qi = qinfo(_metadata, self->fd, self->q[1]);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qi.state & (AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE));
	EXPECT_EQ(lease, qi.lease_id);
	EXPECT_EQ(L3, qi.level);
	EXPECT_EQ(3, qinfo(_metadata, self->fd, self->q[2]).priority);
	qi = qinfo(_metadata, self->fd, self->q[3]);
	EXPECT_EQ(128, qi.cu_mask_bits);
	EXPECT_EQ(0x00ff00ffU, qi.cu_mask[0]);

	/* announced as the single calls announce it (queued before the call returned) */
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->q[0], 1000, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_IOCTL, ev.data[0]);
	EXPECT_EQ(lease0, ev.data[1]);
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_SUSPENDED, self->q[1], 1000, &ev));
	EXPECT_EQ(L3, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_PRIORITY, self->q[2], 1000, &ev));
	EXPECT_EQ(3, ev.data[0]);
	EXPECT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_CU_MASK, self->q[3], 1000, &ev));

	/* and the lease ends it like any other */
	EXPECT_EQ(0, axs_resume1(self->fd, self->q[1]));
}

/* Nothing to change (a priority as it is) costs no remap at all. */
TEST_F(apply, an_unchanged_priority_costs_nothing)
{
	uint64_t r0 = remaps(_metadata, self->fd, self->gpu), lease = 5;
	uint32_t nremaps = 99;

	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_PRIORITY, 7);
	ASSERT_EQ(0, axs_apply(self->fd, self->gpu, self->e, 1, 0, &lease, &nremaps));
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, self->e[0].status);
	EXPECT_EQ(0, nremaps);
	EXPECT_EQ(0, lease);
	EXPECT_EQ(r0, remaps(_metadata, self->fd, self->gpu));
}

/* One bad entry among good ones: its errno, the rest NOT_DONE, nothing changed. */
static void one_bad(struct __test_metadata *_metadata, FIXTURE_DATA(apply) *self,
		    struct amdxsched_apply_entry *bad, uint32_t lease_ms, int want)
{
	struct look before, after;
	uint64_t lease = 5;

	look(_metadata, self, &before);
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);
	entry(&self->e[1], self->q[1], AMDXSCHED_APPLY_PRIORITY, 2);
	self->e[2] = *bad;
	self->e[2].status = 99;
	EXPECT_EQ(want, axs_apply(self->fd, self->gpu, self->e, 3, lease_ms, &lease, NULL));
	EXPECT_EQ(NOT_DONE, self->e[0].status);
	EXPECT_EQ(NOT_DONE, self->e[1].status);
	EXPECT_EQ(want, self->e[2].status);
	EXPECT_EQ(0, lease);
	look(_metadata, self, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

TEST_F(apply, a_bad_entry_changes_nothing)
{
	struct amdxsched_apply_entry e;

	entry(&e, self->q[2], 99, 0);
	one_bad(_metadata, self, &e, 1000, -EINVAL);		/* no such op */
	entry(&e, self->q[2], AMDXSCHED_APPLY_SUSPEND, 1);
	one_bad(_metadata, self, &e, 1000, -EINVAL);		/* no such level */
	entry(&e, self->q[2], AMDXSCHED_APPLY_RESUME, 1U << 1);
	one_bad(_metadata, self, &e, 1000, -EINVAL);		/* no such flag */
	entry(&e, self->q[2], AMDXSCHED_APPLY_PRIORITY, AMDXSCHED_PRIORITY_MAX + 1);
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, self->q[2], AMDXSCHED_APPLY_CU_MASK, 33);	/* not a multiple of 32 */
	e.mask = (uintptr_t)self->mask;
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, self->q[2], AMDXSCHED_APPLY_CU_MASK, 32);	/* no mask */
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, self->q[2], AMDXSCHED_APPLY_PRIORITY, 1);	/* a mask it has no use for */
	e.mask = (uintptr_t)self->mask;
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, self->q[2], AMDXSCHED_APPLY_PRIORITY, 1);
	e.pad = 1;
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	memset(self->mask, 0, sizeof(self->mask));		/* no CU at all */
	entry(&e, self->q[2], AMDXSCHED_APPLY_CU_MASK, 32);
	e.mask = (uintptr_t)self->mask;
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, ~0ULL, AMDXSCHED_APPLY_PRIORITY, 1);
	one_bad(_metadata, self, &e, 1000, -ENOENT);
	entry(&e, self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);	/* q[0] suspended twice */
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, self->q[0], AMDXSCHED_APPLY_RESUME, 0);	/* and resumed at once */
	one_bad(_metadata, self, &e, 1000, -EINVAL);
	entry(&e, self->q[2], AMDXSCHED_APPLY_RESUME, 0);	/* not suspended */
	one_bad(_metadata, self, &e, 1000, -EALREADY);
}

TEST_F(apply, bad_calls_change_nothing)
{
	struct amdxsched_apply a;
	struct look before, after;
	uint64_t lease = 5;

	look(_metadata, self, &before);
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);
	/* a suspension needs a lease, and only a suspension may have one */
	EXPECT_EQ(-EINVAL, axs_apply(self->fd, self->gpu, self->e, 1, 0, &lease, NULL));
	EXPECT_EQ(-EINVAL, axs_apply(self->fd, self->gpu, self->e, 1, UINT32_MAX, NULL, NULL));
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_PRIORITY, 1);
	EXPECT_EQ(-EINVAL, axs_apply(self->fd, self->gpu, self->e, 1, 1000, NULL, NULL));
	EXPECT_EQ(-ENODEV, axs_apply(self->fd, AMDXSCHED_GPU_ANY, self->e, 1, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, axs_apply(self->fd, self->gpu, self->e, 0, 0, NULL, NULL));
	EXPECT_EQ(-E2BIG, axs_apply(self->fd, self->gpu, self->e, AMDXSCHED_MAX_BATCH + 1, 0,
				    NULL, NULL));
	EXPECT_EQ(-EFAULT, axs_apply(self->fd, self->gpu, (void *)8, 1, 0, NULL, NULL));
	/* an entry size it does not know */
	AXS_INIT(a);
	a.gpu_id = self->gpu;
	a.count = 1;
	a.entries = (uintptr_t)self->e;
	a.entry_size = sizeof(self->e[0]) - 8;
	EXPECT_EQ(-EINVAL, axs_ioctl(self->fd, AMDXSCHED_IOC_APPLY, &a));
	a.entry_size = sizeof(self->e[0]) + 8;
	EXPECT_EQ(-EINVAL, axs_ioctl(self->fd, AMDXSCHED_IOC_APPLY, &a));
	EXPECT_EQ(0, lease);
	look(_metadata, self, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

/*
 * One queue may get a priority, a CU mask and a suspension in one decision
 * (xschedd's spatial policy changes both of a queue's); suspending and
 * resuming it at once, or one op twice, is EINVAL.
 */
TEST_F(apply, a_queue_may_get_several_kinds_of_change_at_once)
{
	uint64_t lease = 0;
	uint32_t nremaps = 0;

	memset(self->mask, 0xff, sizeof(self->mask));
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_PRIORITY, 2);
	entry(&self->e[1], self->q[0], AMDXSCHED_APPLY_CU_MASK, 128);
	self->e[1].mask = (uintptr_t)self->mask;
	entry(&self->e[2], self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);
	ASSERT_EQ(0, axs_apply(self->fd, self->gpu, self->e, 3, 1000, &lease, &nremaps));
	EXPECT_EQ(1, nremaps);
	EXPECT_EQ(2, qinfo(_metadata, self->fd, self->q[0]).priority);
	EXPECT_EQ(128, qinfo(_metadata, self->fd, self->q[0]).cu_mask_bits);
	EXPECT_NE(0, qinfo(_metadata, self->fd, self->q[0]).state & AMDXSCHED_QUEUE_S_SUSPENDED);

	/* resumed and suspended at once */
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_RESUME, 0);
	entry(&self->e[1], self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);
	EXPECT_EQ(-EINVAL, axs_apply(self->fd, self->gpu, self->e, 2, 1000, NULL, NULL));
	EXPECT_EQ(NOT_DONE, self->e[0].status);
	EXPECT_EQ(-EINVAL, self->e[1].status);
	/* one op twice */
	entry(&self->e[1], self->q[0], AMDXSCHED_APPLY_RESUME, 0);
	EXPECT_EQ(-EINVAL, axs_apply(self->fd, self->gpu, self->e, 2, 0, NULL, NULL));
	EXPECT_NE(0, qinfo(_metadata, self->fd, self->q[0]).state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(0, axs_resume1(self->fd, self->q[0]));
}

/*
 * The backend fails the decision (the sim's fail_suspend knob: nothing is
 * done, as an amdkfd that refuses before acting): every entry says so,
 * nothing changed, no lease.
 */
TEST_F(apply, a_failed_decision_leaves_everything_as_it_was)
{
	struct look before, after;
	uint64_t lease = 5;

	if (!axs_have_knobs(self->gpu))
		SKIP(return, "no debugfs fault knobs (debugfs not mounted?)");
	look(_metadata, self, &before);
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_suspend", 1));
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);
	entry(&self->e[1], self->q[1], AMDXSCHED_APPLY_PRIORITY, 2);
	EXPECT_EQ(-EIO, axs_apply(self->fd, self->gpu, self->e, 2, 1000, &lease, NULL));
	EXPECT_EQ(-EIO, self->e[0].status);
	EXPECT_EQ(-EIO, self->e[1].status);
	EXPECT_EQ(0, lease);
	look(_metadata, self, &after);
	EXPECT_EQ(0, memcmp(&before.state, &after.state, sizeof(before.state)));
	EXPECT_EQ(0, memcmp(&before.prio, &after.prio, sizeof(before.prio)));
}

/*
 * The backend acts and then fails the suspension (fail_suspend_late, as
 * amdkfd's remap failing after suspend_single_queue()): the suspension is
 * put back at once and says the error; what else the remap did is done.
 */
TEST_F(apply, a_suspension_that_failed_after_acting_is_put_back)
{
	uint64_t lease = 5;

	if (!axs_have_knobs(self->gpu))
		SKIP(return, "no debugfs fault knobs (debugfs not mounted?)");
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_suspend_late", 1));
	entry(&self->e[0], self->q[0], AMDXSCHED_APPLY_SUSPEND, L3);
	entry(&self->e[1], self->q[1], AMDXSCHED_APPLY_PRIORITY, 2);
	EXPECT_EQ(-EIO, axs_apply(self->fd, self->gpu, self->e, 2, 1000, &lease, NULL));
	EXPECT_EQ(-EIO, self->e[0].status);
	EXPECT_EQ(AMDXSCHED_STATUS_DONE, self->e[1].status);
	EXPECT_EQ(0, lease);
	EXPECT_EQ(0, qinfo(_metadata, self->fd, self->q[0]).state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(2, qinfo(_metadata, self->fd, self->q[1]).priority);
}

TEST_HARNESS_MAIN
