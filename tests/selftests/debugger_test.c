// SPDX-License-Identifier: MIT
/*
 * Someone other than the module may own a queue's suspension: on amdkfd, a
 * debugger (maybe the process itself) holding the process's debug trap. The
 * simulated GPU's debugger knobs stand for it: debug_pid (the debugged
 * process; writing 0 detaches, which resumes all its queues, as amdkfd's
 * detach does) and resume_outside (a queue resumed behind the module's
 * back, as DBG_TRAP_RESUME_QUEUES does). The module must not fight it:
 *   - a lease whose queue someone else resumed ends, with QUEUE_RESUMED
 *     (OUTSIDE), counted in outside_resumes;
 *   - a debugged process is listed with PROC_F_DEBUGGED; its queues cannot
 *     be suspended (EBUSY, nothing changed), priorities still apply;
 *   - a lease that ends while the debugger holds the process waits for it,
 *     without RESUME_FAILING or STUCK, and ends when the debugger detaches.
 */
#include "axs_test.h"

FIXTURE(dbg) {
	int fd;			/* control file, owns the simulated process, reads events */
	uint32_t gpu;
	uint64_t q[2];
	uint32_t max_lease_ms;
};

FIXTURE_SETUP(dbg)
{
	struct amdxsched_version v;

	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	ASSERT_EQ(0, axs_version(self->fd, &v));
	self->max_lease_ms = v.max_lease_ms;
	if (!axs_have_knobs(self->gpu))
		SKIP(return, "no debugfs knobs (debugfs not mounted?)");
	axs_fixture_queues(_metadata, self->fd, self->gpu, self->q, 2);
	ASSERT_EQ(0, axs_events_config(self->fd, AMDXSCHED_EVENT_MASK_ALL, 4096));
}

FIXTURE_TEARDOWN(dbg)
{
	if (self->fd >= 0 && axs_have_knobs(self->gpu))
		EXPECT_EQ(0, axs_knob_write(self->gpu, "debug_pid", 0));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* Wait up to @ms for queue @h's SUSPENDED bit to be @want: 0 or -errno/-ETIME. */
static int wait_suspended(int fd, uint64_t h, bool want, unsigned int ms)
{
	struct amdxsched_queue_info qi;
	uint64_t end = axs_now_ns() + (uint64_t)ms * MS;
	int ret;

	for (;;) {
		ret = axs_queue_info(fd, h, &qi);
		if (ret)
			return ret;
		if (!!(qi.state & AMDXSCHED_QUEUE_S_SUSPENDED) == want)
			return 0;
		if (axs_now_ns() > end)
			return -ETIME;
		axs_sleep_ms(20);
	}
}

TEST_F(dbg, a_queue_resumed_by_someone_else_leaves_its_lease)
{
	long long outside0 = axs_summary_value(self->gpu, "outside_resumes");
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t lease = 0;

	/* The longest lease: it must not end before the module notices. */
	ASSERT_LE(0, outside0);
	ASSERT_LE(5000, self->max_lease_ms);
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[0], AMDXSCHED_LEVEL_INTERRUPT,
				  self->max_lease_ms, &lease));
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[1], AMDXSCHED_LEVEL_INTERRUPT,
				  self->max_lease_ms, NULL));
	axs_ev_drain(self->fd);

	/* The debugger resumes q[0]; the module finds out within a second or so. */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "resume_outside", self->q[0]));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->q[0],
				 self->max_lease_ms - 500, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_OUTSIDE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_EQ(0, qi.state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(0, qi.lease_id);
	EXPECT_EQ(1, qi.counters.resumes);
	EXPECT_EQ(outside0 + 1, axs_summary_value(self->gpu, "outside_resumes"));
	/* Nothing left to resume: the module does not suspend it again either. */
	EXPECT_EQ(-EALREADY, axs_resume1(self->fd, self->q[0]));

	/* q[1], suspended under its own lease, is untouched. */
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[1], &qi));
	EXPECT_NE(0, qi.state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(0, axs_resume1(self->fd, self->q[1]));

	/* An unknown handle is refused. */
	EXPECT_EQ(-ENOENT, axs_knob_write(self->gpu, "resume_outside", ~0ULL >> 1));
}

TEST_F(dbg, a_debugged_process_is_reported_and_not_suspended)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_proc_info pi;
	int32_t st = 0;
	uint64_t h = self->q[0];

	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_EQ(0, pi.flags & AMDXSCHED_PROC_F_DEBUGGED);

	ASSERT_EQ(0, axs_knob_write(self->gpu, "debug_pid", getpid()));
	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_NE(0, pi.flags & AMDXSCHED_PROC_F_DEBUGGED);

	/* Refused, and nothing changed. */
	EXPECT_EQ(-EBUSY, axs_suspend(self->fd, &h, 1, AMDXSCHED_LEVEL_INTERRUPT, 1000,
				      &st, NULL));
	EXPECT_EQ(-EBUSY, st);
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(0, qi.counters.suspends);

	/* Priorities still apply. */
	EXPECT_EQ(0, axs_set_priority1(self->fd, h, 2));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(2, qi.priority);

	/* Detached: suspensions work again. */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "debug_pid", 0));
	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_EQ(0, pi.flags & AMDXSCHED_PROC_F_DEBUGGED);
	EXPECT_EQ(0, axs_suspend1(self->fd, h, AMDXSCHED_LEVEL_INTERRUPT, 1000, NULL));
	EXPECT_EQ(0, axs_resume1(self->fd, h));
}

TEST_F(dbg, a_lease_that_ends_under_a_debugger_waits_for_it)
{
	long long waits0 = axs_summary_value(self->gpu, "debugger_waits");
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	uint64_t lease = 0;
	int ret;

	ASSERT_LE(0, waits0);
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q[0], AMDXSCHED_LEVEL_INTERRUPT, 200,
				  &lease));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "debug_pid", getpid()));
	axs_ev_drain(self->fd);

	/* Past the deadline: still suspended, still leased, neither failing nor stuck. */
	axs_sleep_ms(1500);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q[0], &qi));
	EXPECT_NE(0, qi.state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(0, qi.state & AMDXSCHED_QUEUE_S_STUCK);
	EXPECT_EQ(lease, qi.lease_id);
	EXPECT_LT(waits0, axs_summary_value(self->gpu, "debugger_waits"));
	while ((ret = axs_ev_read(self->fd, &ev, 0)) == 1)
		EXPECT_NE(AMDXSCHED_EVENT_RESUME_FAILING, ev.type);
	EXPECT_EQ(0, ret);
	/* The holder cannot take it back from the debugger either. */
	EXPECT_EQ(-EBUSY, axs_resume1(self->fd, self->q[0]));

	/* The debugger detaches and resumes every queue: the lease ends. */
	ASSERT_EQ(0, axs_knob_write(self->gpu, "debug_pid", 0));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->q[0], 5000,
				 &ev));
	EXPECT_TRUE(ev.data[0] == AMDXSCHED_RESUMED_OUTSIDE ||
		    ev.data[0] == AMDXSCHED_RESUMED_LEASE);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_EQ(0, wait_suspended(self->fd, self->q[0], false, 100));
}

TEST_HARNESS_MAIN
