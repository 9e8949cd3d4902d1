// SPDX-License-Identifier: MIT
/*
 * The xsched.h API against the module and its simulated GPU: hints land in
 * the module's process list, xsched_suspend()/xsched_resume() act on this
 * process's own queues (no control needed), bad values are EINVAL and
 * change nothing. Linked with libhsa-xsched.so.1 like any user program.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "axs.h"
#include "xsched.h"

static struct amdxsched_proc_info *me(struct __test_metadata *_metadata, int fd,
				      struct amdxsched_proc_info **all)
{
	uint32_t n = 0;

	ASSERT_EQ(0, axs_list_procs(fd, (uint32_t)getpid(), all, &n));
	ASSERT_EQ(1, n);
	return *all;
}

TEST(hints_reach_the_module)
{
	struct amdxsched_proc_info *all, *p;
	int fd = axs_open(O_RDONLY);

	if (fd == -ENOENT)
		SKIP(return, "amdxsched is not loaded");
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, xsched_available());
	ASSERT_EQ(0, xsched_set_class(XSCHED_CLASS_REALTIME));
	ASSERT_EQ(0, xsched_set_priority(11));
	ASSERT_EQ(0, xsched_set_deadline_ns(20000000));
	ASSERT_EQ(0, xsched_set_share(250));
	ASSERT_EQ(0, xsched_set_tag("api-test"));
	p = me(_metadata, fd, &all);
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, p->sched_class);
	EXPECT_EQ(11, p->priority);
	EXPECT_EQ(20000000, p->deadline_ns);
	EXPECT_EQ(250, p->share);
	EXPECT_STREQ("api-test", p->tag);
	free(all);

	/* Bad values: EINVAL, and what was set stays. */
	EXPECT_EQ(-EINVAL, xsched_set_class(7));
	EXPECT_EQ(-EINVAL, xsched_set_priority(16));
	EXPECT_EQ(-EINVAL, xsched_set_share(0));
	EXPECT_EQ(-EINVAL, xsched_set_deadline_ns(0));
	EXPECT_EQ(-EINVAL, xsched_set_tag("no spaces"));
	EXPECT_EQ(-EINVAL, xsched_set_tag(NULL));
	p = me(_metadata, fd, &all);
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, p->sched_class);
	EXPECT_EQ(11, p->priority);
	EXPECT_STREQ("api-test", p->tag);
	free(all);
	EXPECT_STREQ("best-effort", xsched_class_name(XSCHED_CLASS_BEST_EFFORT));
	close(fd);
}

TEST(suspend_and_resume_own_queues)
{
	struct amdxsched_queue_info *q;
	struct amdxsched_gpu_info *g;
	uint64_t h[2];
	uint32_t n, ng, kq;
	int fd = axs_open(O_RDONLY);

	if (fd == -ENOENT)
		SKIP(return, "amdxsched is not loaded");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, axs_list_gpus(fd, &g, &ng));
	if (!ng || g[0].backend != AMDXSCHED_BACKEND_SIM) {
		free(g);
		SKIP(return, "no simulated GPU (the script adds one first)");
	}
	EXPECT_EQ(0, xsched_queue_count());
	EXPECT_EQ(0, xsched_suspend(XSCHED_LEVEL_INTERRUPT, 2000));	/* none yet */
	ASSERT_EQ(0, axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL));
	ASSERT_EQ(0, axs_sim_queue_create(fd, g[0].gpu_id, 5, &h[0], &kq));
	ASSERT_EQ(0, axs_sim_queue_create(fd, g[0].gpu_id, 5, &h[1], &kq));
	free(g);
	EXPECT_EQ(2, xsched_queue_count());

	EXPECT_EQ(-EINVAL, xsched_suspend(1, 2000));
	EXPECT_EQ(-EINVAL, xsched_suspend(XSCHED_LEVEL_INTERRUPT, 0));
	ASSERT_EQ(2, xsched_suspend(XSCHED_LEVEL_INTERRUPT, 2000));
	ASSERT_EQ(0, axs_list_queues(fd, (uint32_t)getpid(), AMDXSCHED_GPU_ANY, &q, &n));
	ASSERT_EQ(2, n);
	for (uint32_t i = 0; i < n; i++) {
		EXPECT_TRUE(q[i].state & AMDXSCHED_QUEUE_S_SUSPENDED);
		EXPECT_EQ(AMDXSCHED_LEVEL_INTERRUPT, q[i].level);
	}
	free(q);
	EXPECT_EQ(0, xsched_suspend(XSCHED_LEVEL_INTERRUPT, 2000));	/* already */
	ASSERT_EQ(2, xsched_resume());
	ASSERT_EQ(0, axs_list_queues(fd, (uint32_t)getpid(), AMDXSCHED_GPU_ANY, &q, &n));
	for (uint32_t i = 0; i < n; i++) {
		EXPECT_FALSE(q[i].state & AMDXSCHED_QUEUE_S_SUSPENDED);
	}
	free(q);
	EXPECT_EQ(0, xsched_resume());	/* nothing left */

	/* A lease that ran out: resume finds nothing of its own to resume. */
	ASSERT_EQ(2, xsched_suspend(XSCHED_LEVEL_DEACTIVATE, 50));
	usleep(300000);
	EXPECT_EQ(0, xsched_resume());
	close(fd);
}

/* Run with the module unloaded: everything says ENODEV, nothing breaks. */
TEST(without_the_module)
{
	if (!access("/dev/amdxsched", F_OK))
		SKIP(return, "amdxsched is loaded (the script runs this case after rmmod)");
	EXPECT_EQ(0, xsched_available());
	EXPECT_EQ(-ENODEV, xsched_set_class(XSCHED_CLASS_BEST_EFFORT));
	EXPECT_EQ(-ENODEV, xsched_queue_count());
	EXPECT_EQ(-ENODEV, xsched_suspend(XSCHED_LEVEL_INTERRUPT, 100));
	EXPECT_EQ(0, xsched_resume());
	EXPECT_EQ(-EINVAL, xsched_set_priority(99));	/* still checked */
}

TEST_HARNESS_MAIN
