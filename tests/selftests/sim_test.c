// SPDX-License-Identifier: MIT
/*
 * The simulated device's semantics, on a small GPU each test adds: 1 XCC,
 * 1 SE, 1 SH, CUs 0-3, 4 KiB of wave state per CU, 8 workgroups per CU,
 * 1 GB/s save and restore (one byte per ns), 10 us unmap and map.
 *
 * Durations come only from the model's own timestamps (SIM_WAIT) and the
 * GPU's counters, never from the wall clock: the model runs in real time
 * but processes everything at the exact times it happens, however late
 * its timer fires (unless the host falls so far behind that the GPU stands
 * still: the last test; these tests' few events never come near that).
 * CLOCK_MONOTONIC readings around an ioctl only bound
 * when a change began; they are never taken as durations.
 *
 * A few tests need a kernel to be still running when the next ioctl
 * arrives. They check that from the counters (saved wave state) and, on a
 * host slow enough to miss it, try again with kernels four times longer.
 */
#include "axs_test.h"

#define L2 AMDXSCHED_LEVEL_DEACTIVATE
#define L3 AMDXSCHED_LEVEL_INTERRUPT
#define CU SMALL_CU_BYTES		/* bytes of one whole-CU workgroup = ns to save it */
#define EMPTY_REMAP (SMALL_UNMAP + SMALL_MAP)
#define TRIES 4

FIXTURE(sim) {
	int fd;
	uint32_t gpu;
};

FIXTURE_SETUP(sim)
{
	int ret;

	if (!axs_fixture_open(_metadata, &self->fd, NULL))
		return;
	ret = axs_add_small_gpu(self->fd, AMDXSCHED_SIM_DISPATCH_PRIORITY, &self->gpu);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	axs_fixture_queues(_metadata, self->fd, self->gpu, NULL, 0);
}

FIXTURE_TEARDOWN(sim)
{
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* How long to wait for a kernel of up to 2 rounds of @W to end, in ns and ms. */
#define PATIENCE_NS(W) (2 * (W) + AXS_EVENTUALLY_MS * MS)
#define PATIENCE_MS(W) ((int)(PATIENCE_NS(W) / MS))

static struct amdxsched_gpu_counters counters(struct __test_metadata *_metadata, int fd,
					      uint32_t gpu)
{
	struct amdxsched_gpu_info gi;

	memset(&gi, 0, sizeof(gi));
	EXPECT_EQ(0, axs_gpu_info(fd, gpu, &gi));
	return gi.counters;
}

static struct amdxsched_queue_info qinfo(struct __test_metadata *_metadata, int fd, uint64_t h)
{
	struct amdxsched_queue_info qi;

	memset(&qi, 0, sizeof(qi));
	EXPECT_EQ(0, axs_queue_info(fd, h, &qi));
	return qi;
}

/* Run a kernel to its end; its duration in model time. */
static uint64_t run(struct __test_metadata *_metadata, int fd, uint64_t h, uint32_t grid,
		    uint32_t footprint, uint64_t wg_ns)
{
	struct amdxsched_sim_wait w;
	uint64_t id = 0;

	EXPECT_EQ(0, axs_sim_submit(fd, h, grid, wg_ns, footprint, &id));
	EXPECT_EQ(0, axs_sim_wait(fd, h, id, AXS_EVENTUALLY_MS * MS, &w));
	EXPECT_LE(w.submit_ns, w.start_ns);
	EXPECT_LE(w.start_ns, w.end_ns);
	return w.end_ns - w.start_ns;
}

TEST_F(sim, the_gpu_is_what_was_configured)
{
	struct amdxsched_gpu_info gi;
	struct amdxsched_gpu_counters c;
	uint32_t x, se, sh;

	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &gi));
	EXPECT_EQ(self->gpu, gi.gpu_id);
	EXPECT_EQ(AMDXSCHED_BACKEND_SIM, gi.backend);
	EXPECT_EQ(0, gi.kfd_gpu_id);
	EXPECT_EQ(AMDXSCHED_GPU_F_HWS | AMDXSCHED_GPU_F_CWSR, gi.flags);
	EXPECT_EQ(90402, gi.gfx_target_version);
	EXPECT_EQ(1, gi.num_xcc);
	EXPECT_EQ(1, gi.num_se_per_xcc);
	EXPECT_EQ(1, gi.num_sh_per_se);
	EXPECT_EQ(4, gi.num_cu);
	EXPECT_EQ(0, gi.num_queues);
	EXPECT_EQ(CU, gi.cu_state_bytes);
	EXPECT_EQ(9000, gi.preempt_timeout_ms);	/* the default */
	for (x = 0; x < AMDXSCHED_MAX_XCC; x++)
		for (se = 0; se < AMDXSCHED_MAX_SE; se++)
			for (sh = 0; sh < AMDXSCHED_MAX_SH; sh++)
				EXPECT_EQ(x + se + sh ? 0 : 0xf, gi.active_cu[x][se][sh]);
	c = gi.counters;
	EXPECT_EQ(0, c.suspends);
	EXPECT_EQ(0, c.remaps);
	EXPECT_EQ(0, c.remap_ns);
	EXPECT_EQ(0, c.saved_bytes);
	EXPECT_EQ(0, c.hangs);
}

TEST_F(sim, bad_gpu_configs_add_nothing)
{
	struct amdxsched_sim_gpu_config c;
	struct amdxsched_version v0, v1;
	struct amdxsched_gpu_info gi;
	unsigned int i;
	uint32_t id = 0;
	int ret;

	ASSERT_EQ(0, axs_version(self->fd, &v0));
	for (i = 0; i < 14; i++) {
		AXS_INIT(c);
		c.num_xcc = 1;
		c.num_se_per_xcc = 1;
		c.num_sh_per_se = 1;
		c.active_cu[0][0][0] = 0xf;
		switch (i) {
		case 0: c.num_xcc = 9; break;
		case 1: c.num_se_per_xcc = 5; break;
		case 2: c.num_sh_per_se = 3; break;
		case 3: c.active_cu[1][0][0] = 1; break;	/* outside the topology */
		case 4: c.active_cu[0][0][1] = 1; break;
		case 5: c.num_xcc = 2; break;			/* XCC 1 has no CU */
		case 6: c.cu_state_bytes = 1023; break;
		case 7: c.cu_state_bytes = (4U << 20) + 1; break;
		case 8: c.max_wg_per_cu = 65; break;
		case 9: c.save_bw = 999999; break;
		case 10: c.restore_bw = 10000000000001ULL; break;
		case 11: c.unmap_ns = 1000000001; break;
		case 12: c.preempt_timeout_ms = 60001; break;
		case 13: c.dispatch = 2; break;
		}
		c.gpu_id = 12345;
		ret = axs_ioctl(self->fd, AMDXSCHED_IOC_SIM_ADD_GPU, &c);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("case %u", i);
		EXPECT_EQ(12345, c.gpu_id);
	}
	ASSERT_EQ(0, axs_version(self->fd, &v1));
	EXPECT_EQ(v0.num_gpus, v1.num_gpus);

	/* all zero: an MI308X */
	AXS_INIT(c);
	ret = axs_sim_add_gpu(self->fd, &c);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	id = c.gpu_id;
	EXPECT_LT(self->gpu, id);
	ASSERT_EQ(0, axs_version(self->fd, &v1));
	EXPECT_EQ(v0.num_gpus + 1, v1.num_gpus);
	ASSERT_EQ(0, axs_gpu_info(self->fd, id, &gi));
	EXPECT_EQ(4, gi.num_xcc);
	EXPECT_EQ(4, gi.num_se_per_xcc);
	EXPECT_EQ(1, gi.num_sh_per_se);
	EXPECT_EQ(80, gi.num_cu);
	EXPECT_EQ(0x1f, gi.active_cu[3][3][0]);
	EXPECT_EQ(0, gi.active_cu[3][3][1]);
	EXPECT_EQ(596 * 1024, gi.cu_state_bytes);
	EXPECT_EQ(9000, gi.preempt_timeout_ms);
}

TEST_F(sim, workgroups_run_in_rounds)
{
	struct amdxsched_gpu_counters c0, c1;
	struct amdxsched_queue_info qi;
	uint64_t h;

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	c0 = counters(_metadata, self->fd, self->gpu);
	/* whole-CU workgroups: 4 at a time */
	EXPECT_EQ(2 * MS, run(_metadata, self->fd, h, 8, 0, MS));
	EXPECT_EQ(1 * MS, run(_metadata, self->fd, h, 4, 0, MS));
	EXPECT_EQ(2 * MS, run(_metadata, self->fd, h, 5, CU, MS));
	EXPECT_EQ(3 * MS, run(_metadata, self->fd, h, 12, 0, MS));
	/* a quarter CU each: 16 at a time */
	EXPECT_EQ(1 * MS, run(_metadata, self->fd, h, 16, CU / 4, MS));
	EXPECT_EQ(2 * MS, run(_metadata, self->fd, h, 17, CU / 4, MS));
	/* tiny ones: max_wg_per_cu (8) per CU, 32 at a time */
	EXPECT_EQ(1 * MS, run(_metadata, self->fd, h, 32, 1, MS));
	EXPECT_EQ(2 * MS, run(_metadata, self->fd, h, 33, 1, MS));
	EXPECT_EQ(1000, run(_metadata, self->fd, h, 1, 1, 1000));
	c1 = counters(_metadata, self->fd, self->gpu);
	EXPECT_EQ(c0.remaps, c1.remaps);	/* nothing paused them */
	qi = qinfo(_metadata, self->fd, h);
	EXPECT_EQ(8 + 4 + 5 + 12 + 16 + 17 + 32 + 33 + 1, qi.counters.workgroups_completed);
	EXPECT_EQ(9, qi.counters.dispatches_completed);
	EXPECT_EQ(9, qi.counters.dispatches_submitted);
}

TEST_F(sim, creating_a_queue_is_an_empty_remap)
{
	struct amdxsched_gpu_counters c0, c1;
	uint64_t h;

	c0 = counters(_metadata, self->fd, self->gpu);
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	c1 = counters(_metadata, self->fd, self->gpu);
	EXPECT_EQ(c0.remaps + 1, c1.remaps);
	EXPECT_EQ(c0.remap_ns + EMPTY_REMAP, c1.remap_ns);
	EXPECT_EQ(c0.saved_bytes, c1.saved_bytes);
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
	c0 = counters(_metadata, self->fd, self->gpu);
	EXPECT_EQ(c1.remaps + 1, c0.remaps);
	EXPECT_EQ(c1.remap_ns + EMPTY_REMAP, c0.remap_ns);
}

TEST_F(sim, a_priority_change_is_one_remap)
{
	struct amdxsched_gpu_counters c0, c1;
	struct amdxsched_event ev;
	uint64_t h;

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	ASSERT_EQ(0, axs_events_config(self->fd,
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_PRIORITY), 0));
	c0 = counters(_metadata, self->fd, self->gpu);
	ASSERT_EQ(0, axs_set_priority1(self->fd, h, 11));
	c1 = counters(_metadata, self->fd, self->gpu);
	EXPECT_EQ(c0.remaps + 1, c1.remaps);
	EXPECT_EQ(c0.remap_ns + EMPTY_REMAP, c1.remap_ns);	/* idle: nothing to save */
	ASSERT_EQ(1, axs_ev_read(self->fd, &ev, AXS_EVENTUALLY_MS));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_PRIORITY, ev.type);
	EXPECT_EQ(h, ev.handle);
	EXPECT_EQ(11, ev.data[0]);
	/* unchanged: no remap, no event */
	ASSERT_EQ(0, axs_set_priority1(self->fd, h, 11));
	c0 = counters(_metadata, self->fd, self->gpu);
	EXPECT_EQ(c1.remaps, c0.remaps);
	EXPECT_EQ(0, axs_ev_read(self->fd, &ev, 0));
}

TEST_F_TIMEOUT(sim, lv3_stops_progress_and_resume_continues_it, 400)
{
	struct amdxsched_gpu_counters c0, c1, c2, c3;
	struct amdxsched_queue_info qi1, qi2, qi3;
	struct amdxsched_sim_wait w;
	uint64_t h, id = 0, W = 200 * MS, tb1, ta1, tb2, ta2, d, len2, tunmap1, tunmap2, wg0 = 0;
	int attempt;

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	for (attempt = 0; attempt < TRIES; attempt++, W *= 4) {
		c0 = counters(_metadata, self->fd, self->gpu);
		wg0 = qinfo(_metadata, self->fd, h).counters.workgroups_completed;
		ASSERT_EQ(0, axs_sim_submit(self->fd, h, 8, W, 0, &id));	/* two rounds */
		tb1 = axs_now_ns();
		ASSERT_EQ(0, axs_suspend1(self->fd, h, L3, 10000, NULL));
		ta1 = axs_now_ns();
		c1 = counters(_metadata, self->fd, self->gpu);
		if (c1.saved_bytes - c0.saved_bytes == 4 * CU)
			break;
		/* the kernel was over before the suspension: a slow host; longer */
		TH_LOG("attempt %d: kernel of 2 x %llu ms finished first", attempt,
		       (unsigned long long)(W / MS));
		ASSERT_EQ(0, c1.saved_bytes - c0.saved_bytes);
		ASSERT_EQ(0, axs_resume1(self->fd, h));
		ASSERT_EQ(0, axs_sim_wait(self->fd, h, id, PATIENCE_NS(W), &w));
	}
	ASSERT_GT(TRIES, attempt);

	/* the unmap saved the 4 busy CUs; nothing comes back for this queue */
	tunmap1 = SMALL_UNMAP + 4 * CU;
	EXPECT_EQ(c0.remaps + 1, c1.remaps);
	EXPECT_EQ(c0.remap_ns + tunmap1 + SMALL_MAP, c1.remap_ns);

	qi1 = qinfo(_metadata, self->fd, h);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE | AMDXSCHED_QUEUE_S_BUSY,
		  qi1.state);
	EXPECT_EQ(L3, qi1.level);
	EXPECT_EQ(id - 1, qi1.counters.dispatches_completed);
	axs_sleep_ms(300);
	qi2 = qinfo(_metadata, self->fd, h);
	EXPECT_EQ(qi1.counters.workgroups_completed, qi2.counters.workgroups_completed);
	EXPECT_EQ(id - 1, qi2.counters.dispatches_completed);
	EXPECT_EQ(-ETIMEDOUT, axs_sim_wait(self->fd, h, id, 0, &w));

	tb2 = axs_now_ns();
	ASSERT_EQ(0, axs_resume1(self->fd, h));
	ta2 = axs_now_ns();
	c2 = counters(_metadata, self->fd, self->gpu);
	/* nothing else runs: the remap restores the 4 saved CUs */
	tunmap2 = SMALL_UNMAP;
	len2 = c2.remap_ns - c1.remap_ns;
	EXPECT_EQ(tunmap2 + SMALL_MAP + 4 * CU, len2);
	EXPECT_EQ(c1.saved_bytes, c2.saved_bytes);

	ASSERT_EQ(0, axs_sim_wait(self->fd, h, id, PATIENCE_NS(W), &w));
	d = w.end_ns - w.start_ns;
	/*
	 * d = 2 W + (t2 - t1) + len2, where t1 and t2 are when the suspend and
	 * resume remaps began: the saved workgroups owe what they had left at
	 * t1 and run again once the runlist is back, len2 after t2. The ABI
	 * does not expose t1 and t2; each lies after the ioctl was called and
	 * at least the unmap's duration before it returned. (The next test
	 * finds t1 and t2 exactly.)
	 */
	EXPECT_LE(2 * W + len2 + (tb2 - (ta1 - tunmap1)), d);
	EXPECT_GE(2 * W + len2 + ((ta2 - tunmap2) - tb1), d);
	EXPECT_LE(2 * W + len2 + 300 * MS, d);	/* it slept through our sleep */
	qi3 = qinfo(_metadata, self->fd, h);
	EXPECT_EQ(wg0 + 8, qi3.counters.workgroups_completed);
	EXPECT_EQ(id, qi3.counters.dispatches_completed);
	EXPECT_EQ(1 + attempt, qi3.counters.suspends);
	c3 = counters(_metadata, self->fd, self->gpu);
	EXPECT_EQ(c2.remaps, c3.remaps);
}

/*
 * The same, exactly. On a GPU whose runlist takes a second to map, a tiny
 * kernel of queue B (on a CU of its own) submitted while a remap is under
 * way starts exactly when the remap ends, which reveals when the remap
 * began: t = B's start - the remap's length (from remap_ns). B's kernel
 * shows it did wait by starting after it was submitted. Then queue A, Lv3-
 * suspended at t1 and resumed at t2, takes 2 W + (t2 - t1) + len2 exactly.
 */
TEST_F_TIMEOUT(sim, lv3_costs_exactly_the_suspended_time_and_the_resume_remap, 400)
{
	struct amdxsched_sim_gpu_config c;
	struct amdxsched_gpu_counters c0, c1, c2;
	struct amdxsched_sim_wait wa, wb1, wb2;
	uint64_t a, b, ka = 0, kb, W = 200 * MS, len1, len2, t1, t2, wg;
	uint32_t ma = 0x7, mb = 0x8, gpu;
	int attempt, ret;

	AXS_INIT(c);
	c.num_xcc = c.num_se_per_xcc = c.num_sh_per_se = 1;
	c.active_cu[0][0][0] = 0xf;
	c.cu_state_bytes = CU;
	c.max_wg_per_cu = 8;
	c.save_bw = c.restore_bw = 1000000000ULL;
	c.unmap_ns = SMALL_UNMAP;
	c.map_ns = 1000000000;	/* 1 s */
	ret = axs_sim_add_gpu(self->fd, &c);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	gpu = c.gpu_id;
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, gpu, 7, &a, NULL));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, gpu, 7, &b, NULL));
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, a, &ma, 32));	/* CUs 0-2 */
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, b, &mb, 32));	/* CU 3 */

	for (attempt = 0; attempt < TRIES; attempt++, W *= 4) {
		/* the GPU is not paused any more once a kernel of B has run */
		ASSERT_EQ(0, axs_sim_submit(self->fd, b, 1, 1000, 0, &kb));
		ASSERT_EQ(0, axs_sim_wait(self->fd, b, kb, PATIENCE_NS(3 * SEC), &wb1));

		c0 = counters(_metadata, self->fd, gpu);
		ASSERT_EQ(0, axs_sim_submit(self->fd, a, 6, W, 0, &ka));	/* 2 rounds of 3 */
		ASSERT_EQ(0, axs_suspend1(self->fd, a, L3, 10000, NULL));
		c1 = counters(_metadata, self->fd, gpu);
		len1 = c1.remap_ns - c0.remap_ns;
		ASSERT_EQ(0, axs_sim_submit(self->fd, b, 1, 1000, 0, &kb));
		ASSERT_EQ(0, axs_sim_wait(self->fd, b, kb, PATIENCE_NS(3 * SEC), &wb1));

		/* no progress while suspended */
		wg = qinfo(_metadata, self->fd, a).counters.workgroups_completed;
		axs_sleep_ms(100);
		EXPECT_EQ(wg, qinfo(_metadata, self->fd, a).counters.workgroups_completed);
		ASSERT_EQ(0, axs_resume1(self->fd, a));
		c2 = counters(_metadata, self->fd, gpu);
		len2 = c2.remap_ns - c1.remap_ns;
		ASSERT_EQ(0, axs_sim_submit(self->fd, b, 1, 1000, 0, &kb));
		ASSERT_EQ(0, axs_sim_wait(self->fd, b, kb, PATIENCE_NS(3 * SEC), &wb2));
		ASSERT_EQ(0, axs_sim_wait(self->fd, a, ka, PATIENCE_NS(W + 3 * SEC), &wa));

		if (c1.saved_bytes - c0.saved_bytes == 3 * CU &&
		    wb1.submit_ns < wb1.start_ns && wb2.submit_ns < wb2.start_ns)
			break;
		TH_LOG("attempt %d: a kernel ended, or B missed a remap; longer", attempt);
	}
	ASSERT_GT(TRIES, attempt);
	/* A's 3 CUs were saved and stay off; on resume they come back */
	EXPECT_EQ(SMALL_UNMAP + 3 * CU + c.map_ns, len1);
	EXPECT_EQ(SMALL_UNMAP + c.map_ns + 3 * CU, len2);
	t1 = wb1.start_ns - len1;
	t2 = wb2.start_ns - len2;
	EXPECT_LT(t1, t2);
	EXPECT_LE(wa.start_ns, t1);
	EXPECT_EQ(2 * W + (t2 - t1) + len2, wa.end_ns - wa.start_ns);
}

TEST_F_TIMEOUT(sim, lv2_lets_the_running_kernel_finish, 400)
{
	struct amdxsched_gpu_counters c0, c1, c2;
	struct amdxsched_queue_info qi;
	struct amdxsched_sim_wait w1, w2;
	struct amdxsched_event ev;
	uint64_t h, k1 = 0, k2 = 0, W = 200 * MS, tb, ta, len1, len2;
	int attempt;

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	ASSERT_EQ(0, axs_events_config(self->fd,
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_DRAINED), 0));
	/* one try less: k1 (2 W) must end well within the 10 s lease */
	for (attempt = 0; attempt < TRIES - 1; attempt++, W *= 4) {
		c0 = counters(_metadata, self->fd, self->gpu);
		ASSERT_EQ(0, axs_sim_submit(self->fd, h, 8, W, 0, &k1));	/* two rounds, all CUs */
		ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, MS, 0, &k2));	/* one CU, behind it */
		ASSERT_EQ(0, axs_suspend1(self->fd, h, L2, 10000, NULL));
		c1 = counters(_metadata, self->fd, self->gpu);
		if (c1.saved_bytes - c0.saved_bytes == 4 * CU)
			break;	/* k1 was running */
		TH_LOG("attempt %d: kernel of 2 x %llu ms finished first", attempt,
		       (unsigned long long)(W / MS));
		ASSERT_EQ(0, axs_resume1(self->fd, h));
		ASSERT_EQ(0, axs_sim_wait(self->fd, h, k2, PATIENCE_NS(W), &w2));
		axs_ev_drain(self->fd);
	}
	ASSERT_GT(TRIES - 1, attempt);
	/* everyone's waves are saved and restored, k1's too */
	len1 = c1.remap_ns - c0.remap_ns;
	EXPECT_EQ(EMPTY_REMAP + 2 * 4 * CU, len1);

	/* DRAINING exactly while k1 has not finished */
	qi = qinfo(_metadata, self->fd, h);
	EXPECT_EQ(L2, qi.level);
	EXPECT_TRUE(qi.state & AMDXSCHED_QUEUE_S_SUSPENDED);
	EXPECT_EQ(qi.counters.dispatches_completed < k1,
		  !!(qi.state & AMDXSCHED_QUEUE_S_DRAINING));

	ASSERT_EQ(1, axs_ev_read(self->fd, &ev, PATIENCE_MS(W)));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_DRAINED, ev.type);
	EXPECT_EQ(h, ev.handle);
	ASSERT_EQ(0, axs_sim_wait(self->fd, h, k1, PATIENCE_NS(W), &w1));
	EXPECT_EQ(w1.end_ns, ev.timestamp_ns);	/* drained when k1 ended */
	EXPECT_EQ(2 * W + len1, w1.end_ns - w1.start_ns);

	qi = qinfo(_metadata, self->fd, h);
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE | AMDXSCHED_QUEUE_S_BUSY,
		  qi.state);
	EXPECT_EQ(k1, qi.counters.dispatches_completed);
	/* k2 does not start while suspended */
	EXPECT_EQ(-ETIMEDOUT, axs_sim_wait(self->fd, h, k2, 0, &w2));
	axs_sleep_ms(100);
	EXPECT_EQ(-ETIMEDOUT, axs_sim_wait(self->fd, h, k2, 0, &w2));
	EXPECT_EQ(qi.counters.workgroups_completed,
		  qinfo(_metadata, self->fd, h).counters.workgroups_completed);

	tb = axs_now_ns();
	ASSERT_EQ(0, axs_resume1(self->fd, h));
	ta = axs_now_ns();
	c2 = counters(_metadata, self->fd, self->gpu);
	len2 = c2.remap_ns - c1.remap_ns;
	EXPECT_EQ(EMPTY_REMAP, len2);	/* nothing running, nothing saved */
	ASSERT_EQ(0, axs_sim_wait(self->fd, h, k2, AXS_EVENTUALLY_MS * MS, &w2));
	/* k2 starts when the runlist is back: len2 after the resume's remap began */
	EXPECT_LE(tb + len2, w2.start_ns);
	EXPECT_GE(ta - SMALL_UNMAP + len2, w2.start_ns);
	EXPECT_EQ(MS, w2.end_ns - w2.start_ns);
	EXPECT_EQ(0, axs_ev_read(self->fd, &ev, 0));	/* one drain only */
}

TEST_F(sim, a_cu_mask_limits_throughput)
{
	struct amdxsched_event ev;
	uint32_t mask;
	uint64_t h;

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	ASSERT_EQ(0, axs_events_config(self->fd,
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_CU_MASK), 0));
	EXPECT_EQ(MS, run(_metadata, self->fd, h, 4, 0, MS));
	mask = 0x3;	/* CUs 0 and 1 */
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, h, &mask, 32));
	ASSERT_EQ(1, axs_ev_read(self->fd, &ev, AXS_EVENTUALLY_MS));
	EXPECT_EQ(2, ev.data[0]);
	EXPECT_EQ(2 * MS, run(_metadata, self->fd, h, 4, 0, MS));	/* two rounds */
	EXPECT_EQ(MS, run(_metadata, self->fd, h, 2, 0, MS));
	mask = 0x8;	/* CU 3 alone */
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, h, &mask, 32));
	EXPECT_EQ(4 * MS, run(_metadata, self->fd, h, 4, 0, MS));
	/* a quarter-CU workgroup: four share the one CU */
	EXPECT_EQ(MS, run(_metadata, self->fd, h, 4, CU / 4, MS));
	/* mask bits past the GPU's 4 CUs are ignored */
	mask = 0xfffffff0;
	EXPECT_EQ(-EINVAL, axs_set_cu_mask(self->fd, h, &mask, 32));
	mask = 0xffffffff;
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, h, &mask, 32));
	EXPECT_EQ(MS, run(_metadata, self->fd, h, 4, 0, MS));
}

/*
 * Any runlist change pauses every queue of the GPU: queue B's kernel, on
 * CUs of its own, ends later by exactly the remap's length when queue A's
 * priority changes while it runs.
 */
TEST_F_TIMEOUT(sim, one_change_pauses_every_queue, 400)
{
	struct amdxsched_gpu_counters c0, c1;
	struct amdxsched_sim_wait wa, wb;
	struct amdxsched_event ev;
	uint64_t a, b, ka = 0, kb = 0, W = 200 * MS, len;
	uint32_t ma = 0x3, mb = 0xc, prio = 7;
	int attempt;

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &a, NULL));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &b, NULL));
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, a, &ma, 32));
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, b, &mb, 32));
	/* without a change: exactly its run time */
	EXPECT_EQ(MS, run(_metadata, self->fd, b, 2, 0, MS));
	ASSERT_EQ(0, axs_events_config(self->fd,
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_PRIORITY), 0));

	for (attempt = 0; attempt < TRIES; attempt++, W *= 4) {
		c0 = counters(_metadata, self->fd, self->gpu);
		ASSERT_EQ(0, axs_sim_submit(self->fd, a, 2, W, 0, &ka));
		ASSERT_EQ(0, axs_sim_submit(self->fd, b, 2, W, 0, &kb));
		prio = prio == 7 ? 9 : 7;
		ASSERT_EQ(0, axs_set_priority1(self->fd, a, prio));
		c1 = counters(_metadata, self->fd, self->gpu);
		ASSERT_EQ(0, axs_sim_wait(self->fd, a, ka, PATIENCE_NS(W), &wa));
		ASSERT_EQ(0, axs_sim_wait(self->fd, b, kb, PATIENCE_NS(W), &wb));
		if (c1.saved_bytes - c0.saved_bytes == 4 * CU)
			break;	/* both kernels were on the GPU */
		TH_LOG("attempt %d: kernels of %llu ms finished first", attempt,
		       (unsigned long long)(W / MS));
	}
	ASSERT_GT(TRIES, attempt);
	EXPECT_EQ(c0.remaps + 1, c1.remaps);
	len = c1.remap_ns - c0.remap_ns;
	EXPECT_EQ(EMPTY_REMAP + 2 * 4 * CU, len);	/* 4 CUs saved, 4 restored */
	EXPECT_EQ(W + len, wb.end_ns - wb.start_ns);
	EXPECT_EQ(W + len, wa.end_ns - wa.start_ns);

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_PRIORITY, a, AXS_EVENTUALLY_MS,
				 &ev));
	EXPECT_EQ(prio, ev.data[0]);
}

/*
 * Dispatch order, deterministically: both queues are suspended (Lv2, idle)
 * while their kernels are queued, then resumed by one call, so both become
 * runnable at the same instant, when the remap ends.
 */
static void dispatch_order(struct __test_metadata *_metadata, int fd, uint32_t gpu,
			   bool high_first)
{
	struct amdxsched_sim_wait wl, wh;
	uint64_t q[2], kl, kh;

	ASSERT_EQ(0, axs_sim_queue_create(fd, gpu, 2, &q[0], NULL));	/* low, created first */
	ASSERT_EQ(0, axs_sim_queue_create(fd, gpu, 12, &q[1], NULL));	/* high */
	ASSERT_EQ(0, axs_suspend(fd, q, 2, L2, 10000, NULL, NULL));
	ASSERT_EQ(0, axs_sim_submit(fd, q[0], 4, MS, 0, &kl));
	ASSERT_EQ(0, axs_sim_submit(fd, q[1], 4, MS, 0, &kh));
	ASSERT_EQ(0, axs_resume(fd, q, 2, 0, NULL));
	ASSERT_EQ(0, axs_sim_wait(fd, q[0], kl, AXS_EVENTUALLY_MS * MS, &wl));
	ASSERT_EQ(0, axs_sim_wait(fd, q[1], kh, AXS_EVENTUALLY_MS * MS, &wh));
	EXPECT_EQ(MS, wl.end_ns - wl.start_ns);
	EXPECT_EQ(MS, wh.end_ns - wh.start_ns);
	if (high_first) {
		EXPECT_EQ(wh.end_ns, wl.start_ns);
	} else {
		EXPECT_EQ(wl.end_ns, wh.start_ns);
	}
}

TEST_F(sim, higher_priority_dispatches_first)
{
	dispatch_order(_metadata, self->fd, self->gpu, true);
}

TEST_F(sim, round_robin_ignores_priority)
{
	uint32_t rr;
	int ret;

	ret = axs_add_small_gpu(self->fd, AMDXSCHED_SIM_DISPATCH_RR, &rr);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	dispatch_order(_metadata, self->fd, rr, false);
}

static uint64_t workgroups_done(struct __test_metadata *_metadata, int fd,
				const uint64_t *h, int n)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += qinfo(_metadata, fd, h[i]).counters.workgroups_completed;
	return sum;
}

/*
 * More work than any host simulates in real time (32 queues of 2^24
 * workgroups of 1 us on 4 CUs: an event every microsecond, each costing
 * the host more than that) must not take the CPU, which it did (soft
 * lockups, the model's lock held for 20 s): the GPU stands still instead,
 * as debugfs's "stalls" counts, the work goes on, and the ioctls answer.
 */
TEST_F_TIMEOUT(sim, an_overloaded_gpu_stands_still_instead_of_taking_the_cpu, 400)
{
	unsigned long long stalls = 0;
	uint64_t h[32], id, before;
	int i;

	if (!axs_have_knobs(self->gpu))
		SKIP(return, "no debugfs knobs (not root, or debugfs not mounted)");
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h[i], NULL));
		ASSERT_EQ(0, axs_sim_submit(self->fd, h[i], 1U << 24, 1000, 1, &id));
	}
	for (i = 0; i < AXS_EVENTUALLY_MS / 100 && !stalls; i++) {
		axs_sleep_ms(100);
		ASSERT_EQ(0, axs_knob_read(self->gpu, "stalls", &stalls));
	}
	EXPECT_GT(stalls, 0);
	before = workgroups_done(_metadata, self->fd, h, 32);
	axs_sleep_ms(200);
	EXPECT_GT(workgroups_done(_metadata, self->fd, h, 32), before);
}

TEST_HARNESS_MAIN
