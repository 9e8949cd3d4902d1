// SPDX-License-Identifier: MIT
/*
 * Simulated processes and queues: SIM_PROC, SIM_QUEUE_CREATE/DESTROY, how
 * LIST_QUEUES and LIST_PROCS show them, what a process's exit cleans up, and
 * the validation of SIM_SUBMIT and SIM_WAIT.
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "axs_test.h"

FIXTURE(queue) {
	int fd;
	uint32_t gpu;		/* the module's own simulated GPU */
	struct amdxsched_gpu_info gi;
	bool knobs_touched;
};

FIXTURE_SETUP(queue)
{
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &self->gi));
}

FIXTURE_TEARDOWN(queue)
{
	if (self->knobs_touched)
		EXPECT_EQ(0, axs_knobs_reset(self->gpu, 0));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

static int count_queues_of(int fd, uint32_t pid)
{
	uint32_t count = 0;
	int ret;

	ret = axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, NULL, &count,
		       sizeof(struct amdxsched_queue_info), pid, AMDXSCHED_GPU_ANY);
	return ret ? ret : (int)count;
}

TEST_F(queue, sim_proc_create_and_destroy)
{
	struct amdxsched_proc_info pi;
	struct amdxsched_sim_proc sp;
	int fd2;

	EXPECT_EQ(-ENOENT, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	EXPECT_EQ(-EEXIST, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));

	/* one simulated process per process, whatever file asks */
	fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, axs_sim_proc_pid(fd2, AMDXSCHED_SIM_PROC_CREATE));
	EXPECT_EQ(-ENOENT, axs_sim_proc_pid(fd2, AMDXSCHED_SIM_PROC_DESTROY));

	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_EQ(getpid(), pi.pid);
	EXPECT_EQ(getuid(), pi.uid);
	EXPECT_EQ(AMDXSCHED_PROC_F_SIM, pi.flags);
	EXPECT_EQ(0, pi.num_queues);
	EXPECT_EQ(AMDXSCHED_CLASS_UNSET, pi.sched_class);
	EXPECT_NE(NULL, memchr(pi.comm, 0, sizeof(pi.comm)));
	EXPECT_LT(0, strlen(pi.comm));

	/* bad ops */
	AXS_INIT(sp);
	sp.op = 0;
	EXPECT_EQ(-EINVAL, axs_ioctl(self->fd, AMDXSCHED_IOC_SIM_PROC, &sp));
	sp.op = 3;
	EXPECT_EQ(-EINVAL, axs_ioctl(self->fd, AMDXSCHED_IOC_SIM_PROC, &sp));

	ASSERT_EQ(0, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
	EXPECT_EQ(-ENOENT, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
	EXPECT_EQ(-ESRCH, axs_proc_info(self->fd, getpid(), &pi));

	/* now the other file may have it */
	ASSERT_EQ(getpid(), axs_sim_proc_pid(fd2, AMDXSCHED_SIM_PROC_CREATE));
	EXPECT_EQ(-EEXIST, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	/* closing its file ends it */
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ESRCH, axs_proc_info(self->fd, getpid(), &pi));
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
}

TEST_F(queue, queue_create_errors)
{
	uint64_t h = 0;
	int before;

	before = count_queues_of(self->fd, 0);
	ASSERT_LE(0, before);

	/* no simulated process yet */
	EXPECT_EQ(-ESRCH, axs_sim_queue_create(self->fd, self->gpu, 0, &h, NULL));
	/* priority is checked first */
	EXPECT_EQ(-EINVAL, axs_sim_queue_create(self->fd, self->gpu, 16, &h, NULL));

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	EXPECT_EQ(-EINVAL, axs_sim_queue_create(self->fd, self->gpu, 16, &h, NULL));
	EXPECT_EQ(-EINVAL, axs_sim_queue_create(self->fd, self->gpu, 0xffffffffu, &h, NULL));
	EXPECT_EQ(-ENODEV, axs_sim_queue_create(self->fd, 0xfffffff0u, 0, &h, NULL));
	EXPECT_EQ(-ENODEV, axs_sim_queue_create(self->fd, AMDXSCHED_GPU_ANY, 0, &h, NULL));
	EXPECT_EQ(0, h);
	EXPECT_EQ(before, count_queues_of(self->fd, 0));
	EXPECT_EQ(0, count_queues_of(self->fd, getpid()));
}

TEST_F(queue, fail_queue_create_knob)
{
	uint64_t h = 0;
	uint32_t qid = 99;

	if (!axs_have_knobs(self->gpu))
		SKIP(return, "no debugfs fault knobs (debugfs not mounted?)");
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	self->knobs_touched = true;
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_queue_create", 1));
	EXPECT_EQ(-EIO, axs_sim_queue_create(self->fd, self->gpu, 0, &h, NULL));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_errno", ENOSPC));
	ASSERT_EQ(0, axs_knob_write(self->gpu, "fail_queue_create", 2));
	EXPECT_EQ(-ENOSPC, axs_sim_queue_create(self->fd, self->gpu, 0, &h, NULL));
	EXPECT_EQ(-ENOSPC, axs_sim_queue_create(self->fd, self->gpu, 0, &h, NULL));
	EXPECT_EQ(0, count_queues_of(self->fd, getpid()));
	/* used up: the next one works, and the failures took no id */
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 0, &h, &qid));
	EXPECT_EQ(0, qid);
	EXPECT_EQ(1, count_queues_of(self->fd, getpid()));
}

TEST_F(queue, kfd_queue_id_is_the_lowest_free_one)
{
	uint64_t h[4];
	uint32_t id[4], i;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 5, &h[i], &id[i]));
		EXPECT_EQ(i, id[i]);
	}
	EXPECT_LT(h[0], h[1]);
	EXPECT_LT(h[1], h[2]);
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[1]));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 5, &h[3], &id[3]));
	EXPECT_EQ(1, id[3]);
	EXPECT_LT(h[2], h[3]);	/* the id comes back, the handle does not */
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 5, &h[1], &id[1]));
	EXPECT_EQ(3, id[1]);
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[0]));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 5, &h[0], &id[0]));
	EXPECT_EQ(0, id[0]);

	/* ids are per process: a new process starts at 0 again */
	ASSERT_EQ(0, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 5, &h[0], &id[0]));
	EXPECT_EQ(0, id[0]);
}

TEST_F(queue, handles_are_never_reused)
{
	uint64_t prev = 0, h;
	uint32_t qid;
	int i;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, i % 16, &h, &qid));
		EXPECT_EQ(0, qid);
		EXPECT_LT(prev, h);
		EXPECT_NE(0, h);
		ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
		EXPECT_EQ(-ENOENT, axs_sim_queue_destroy(self->fd, h));
		prev = h;
		if (i == 50) {
			/* nor by another process's file */
			ASSERT_EQ(0, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
			ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
		}
	}
}

TEST_F(queue, lists_show_queues_and_processes)
{
	struct amdxsched_queue_info qi[4];
	struct amdxsched_proc_info pi;
	struct amdxsched_gpu_info gi;
	uint64_t h[3];
	uint32_t prio[3] = { 0, 15, 9 }, count, i;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, prio[i], &h[i], NULL));

	count = 4;
	ASSERT_EQ(0, axs_list(self->fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count, sizeof(qi[0]),
			      getpid(), AMDXSCHED_GPU_ANY));
	ASSERT_EQ(3, count);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(h[i], qi[i].handle);	/* in handle order */
		EXPECT_EQ(getpid(), qi[i].pid);
		EXPECT_EQ(self->gpu, qi[i].gpu_id);
		EXPECT_EQ(i, qi[i].kfd_queue_id);
		EXPECT_EQ(AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL, qi[i].type);
		EXPECT_EQ(prio[i], qi[i].priority);
		EXPECT_EQ(0, qi[i].state);
		EXPECT_EQ(0, qi[i].level);
		EXPECT_EQ(0, qi[i].holder_pid);
		EXPECT_EQ(0, qi[i].lease_id);
		EXPECT_EQ(0, qi[i].lease_deadline_ns);
		EXPECT_EQ(0, qi[i].cu_mask_bits);
		EXPECT_EQ(0, qi[i].pad);
		EXPECT_EQ(0, qi[i].counters.suspends);
		EXPECT_EQ(0, qi[i].counters.dispatches_submitted);
	}
	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_EQ(AMDXSCHED_PROC_F_SIM, pi.flags);
	EXPECT_EQ(3, pi.num_queues);
	EXPECT_EQ(0, pi.attrs);	/* none set yet */

	/* and the GPU counts them */
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &gi));
	EXPECT_EQ(self->gi.num_queues + 3, gi.num_queues);
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[1]));
	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_EQ(2, pi.num_queues);
}

/* A thread of this process that tells its id and waits to be let go. */
static void *waiting_thread(void *arg)
{
	int *p = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	if (write(p[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	if (read(p[2], &c, 1) != 1)
		return NULL;
	return NULL;
}

/*
 * A thread id names its process, in the list filters as in SET_PROC_ATTR:
 * a tool given the id of a thread that uses the GPU finds that process.
 */
TEST_F(queue, a_thread_id_filters_lists_by_its_process)
{
	struct amdxsched_proc_info pi;
	int p[4], go[2], ret;
	pthread_t t;
	pid_t tid = 0;
	uint64_t h;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(go));
	p[2] = go[0];
	p[3] = go[1];
	ASSERT_EQ(0, pthread_create(&t, NULL, waiting_thread, p));
	ASSERT_EQ(sizeof(tid), read(p[0], &tid, sizeof(tid)));
	ASSERT_NE(getpid(), tid);

	EXPECT_EQ(1, count_queues_of(self->fd, (uint32_t)tid));
	ret = axs_proc_info(self->fd, (uint32_t)tid, &pi);
	EXPECT_EQ(0, ret);
	if (!ret) {
		EXPECT_EQ(getpid(), pi.pid);
		EXPECT_EQ(1, pi.num_queues);
	}

	EXPECT_EQ(1, write(go[1], "x", 1));
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	close(go[0]);
	close(go[1]);
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
}

/* "processes N" of the debugfs summary: every process the module holds. */
static int registry_procs(void)
{
	char line[256];
	FILE *f = fopen(AXS_DEBUGFS "/summary", "r");
	int n = -1;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "processes %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * A parent that keeps one file and forks short-lived workers that each
 * register their class through it: the workers' entries go with them, not
 * with the file, so the module holds (and pins the pids of) live ones only.
 */
TEST_F(queue, registrations_of_exited_processes_do_not_pile_up)
{
	struct amdxsched_proc_attr a;
	int before, after, i;
	pid_t child;

	before = registry_procs();
	if (before < 0)
		SKIP(return, "no debugfs summary (%d)", before);
	for (i = 0; i < 40; i++) {
		child = fork();
		ASSERT_LE(0, child);
		if (!child) {
			AXS_INIT(a);
			a.flags = AMDXSCHED_ATTR_CLASS;
			a.sched_class = AMDXSCHED_CLASS_BEST_EFFORT;
			_exit(axs_set_proc_attr(self->fd, &a) ? 1 : 0);
		}
		ASSERT_EQ(0, axs_wait_child(child));
	}
	/* the next registration through the file forgets the exited ones */
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS;
	a.sched_class = AMDXSCHED_CLASS_REALTIME;
	ASSERT_EQ(0, axs_set_proc_attr(self->fd, &a));
	after = registry_procs();
	EXPECT_EQ(before + 1, after);
}

/* A process that renames itself after the module met it is listed by its new name. */
TEST_F(queue, a_process_is_listed_by_its_current_name)
{
	struct amdxsched_proc_info pi;
	int to_parent[2], to_child[2];
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		CHILD_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
		CHILD_EQ(0, prctl(PR_SET_NAME, "axs-renamed"));
		CHILD_EQ(0, axs_pipe_put(to_parent[1], 'r'));
		CHILD_EQ(1, read(to_child[0], &c, 1));
		_exit(0);
	}
	EXPECT_EQ('r', axs_pipe_get(to_parent[0], AXS_EVENTUALLY_MS));
	EXPECT_EQ(0, axs_proc_info(self->fd, (uint32_t)child, &pi));
	EXPECT_STREQ("axs-renamed", pi.comm);
	EXPECT_EQ(getuid(), pi.uid);
	EXPECT_EQ(1, write(to_child[1], "x", 1));
	EXPECT_EQ(0, axs_wait_child(child));
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
}

TEST_F(queue, queue_and_proc_events)
{
	struct amdxsched_event ev;
	uint64_t h;
	uint32_t qid;

	ASSERT_EQ(0, axs_events_config(self->fd,
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_CREATED) |
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_DESTROYED) |
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_CREATED) |
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_EXIT), 0));
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_PROC_CREATED, 0, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_EQ(0, ev.handle);
	EXPECT_EQ(AMDXSCHED_GPU_ANY, ev.gpu_id);

	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 4, &h, &qid));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_CREATED, h, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_EQ(self->gpu, ev.gpu_id);
	EXPECT_EQ(qid, ev.data[0]);
	EXPECT_EQ(AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL, ev.data[1]);

	ASSERT_EQ(0, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
	ASSERT_EQ(1, axs_ev_read(self->fd, &ev, AXS_EVENTUALLY_MS));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_DESTROYED, ev.type);
	EXPECT_EQ(h, ev.handle);
	EXPECT_EQ(qid, ev.data[0]);
	EXPECT_EQ(AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL, ev.data[1]);
	ASSERT_EQ(1, axs_ev_read(self->fd, &ev, AXS_EVENTUALLY_MS));
	EXPECT_EQ(AMDXSCHED_EVENT_PROC_EXIT, ev.type);
	EXPECT_EQ(getpid(), ev.pid);
}

/*
 * A child process creates a simulated process with three queues, suspends
 * one of them, and exits or is killed: everything of it must go, and an
 * event subscriber must be told.
 */
static void exit_cleans_up(struct __test_metadata *_metadata, FIXTURE_DATA(queue) *self,
			   bool kill_it)
{
	struct amdxsched_proc_info pi;
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	int to_child[2], to_parent[2];
	uint64_t h[3];
	bool destroyed[3] = { false, false, false };
	int i, ret, nd = 0;
	pid_t child;

	ASSERT_EQ(0, axs_events_config(self->fd, AMDXSCHED_EVENT_MASK_ALL, 0));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = axs_open(O_RDWR);

		close(to_child[1]);	/* so that the parent's death reads as EOF */
		close(to_parent[0]);
		CHILD_CHECK(fd >= 0);
		CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
		for (i = 0; i < 3; i++)
			CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 3, &h[i], NULL));
		CHILD_EQ(0, axs_suspend1(fd, h[1], AMDXSCHED_LEVEL_INTERRUPT, 10000, NULL));
		CHILD_EQ(0, axs_sim_submit(fd, h[2], 4, 10 * SEC, 0, NULL));
		CHILD_CHECK(write(to_parent[1], h, sizeof(h)) == sizeof(h));
		/* wait for the parent's word (or its death) */
		CHILD_CHECK(axs_pipe_get(to_child[0], 60000) >= 0);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	ASSERT_EQ(sizeof(h), read(to_parent[0], h, sizeof(h)));
	ASSERT_EQ(0, axs_proc_info(self->fd, child, &pi));
	EXPECT_EQ(3, pi.num_queues);
	ASSERT_EQ(0, axs_queue_info(self->fd, h[1], &qi));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qi.state & ~AMDXSCHED_QUEUE_S_MINE);
	EXPECT_EQ(child, qi.holder_pid);

	if (kill_it) {
		ASSERT_EQ(0, kill(child, SIGKILL));
		ASSERT_EQ(128 + SIGKILL, axs_wait_child(child));
	} else {
		ASSERT_EQ(0, axs_pipe_put(to_child[1], 'x'));
		ASSERT_EQ(0, axs_wait_child(child));
	}

	/* the subscriber hears of each queue, then of the process */
	for (;;) {
		ret = axs_ev_read(self->fd, &ev, AXS_EVENTUALLY_MS);
		ASSERT_EQ(1, ret) TH_LOG("events stopped before PROC_EXIT");
		if (ev.pid != (uint32_t)child)
			continue;
		if (ev.type == AMDXSCHED_EVENT_QUEUE_DESTROYED) {
			for (i = 0; i < 3; i++)
				if (ev.handle == h[i]) {
					EXPECT_FALSE(destroyed[i]);
					destroyed[i] = true;
					nd++;
				}
			continue;
		}
		if (ev.type == AMDXSCHED_EVENT_PROC_EXIT)
			break;
	}
	EXPECT_EQ(3, nd);
	EXPECT_EQ(0, ev.handle);

	for (i = 0; i < 3; i++)
		EXPECT_EQ(-ENOENT, axs_queue_info(self->fd, h[i], &qi));
	EXPECT_EQ(-ESRCH, axs_proc_info(self->fd, child, &pi));
	EXPECT_EQ(-ENOENT, axs_resume1(self->fd, h[1]));
	close(to_child[1]);
	close(to_parent[0]);
}

TEST_F(queue, process_exit_cleans_up)
{
	exit_cleans_up(_metadata, self, false);
}

TEST_F(queue, process_killed_cleans_up)
{
	exit_cleans_up(_metadata, self, true);
}

/* Someone else's queue may not be destroyed, fed or waited on. */
TEST_F(queue, other_process_queue_is_eperm)
{
	int to_child[2], to_parent[2];
	struct amdxsched_sim_wait w;
	struct amdxsched_queue_info qi;
	uint64_t h, id;
	pid_t child;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = axs_open(O_RDWR);

		close(to_child[1]);
		close(to_parent[0]);
		CHILD_CHECK(fd >= 0);
		CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
		CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 3, &h, NULL));
		CHILD_EQ(0, axs_sim_submit(fd, h, 1, 1000, 0, &id));
		CHILD_CHECK(write(to_parent[1], &h, sizeof(h)) == sizeof(h));
		CHILD_CHECK(axs_pipe_get(to_child[0], 60000) >= 0);
		/* still there */
		CHILD_EQ(0, axs_sim_queue_destroy(fd, h));
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	ASSERT_EQ(sizeof(h), read(to_parent[0], &h, sizeof(h)));

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	EXPECT_EQ(-EPERM, axs_sim_queue_destroy(self->fd, h));
	EXPECT_EQ(-EPERM, axs_sim_submit(self->fd, h, 1, 1000, 0, &id));
	EXPECT_EQ(-EPERM, axs_sim_wait(self->fd, h, 1, 0, &w));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(1, qi.counters.dispatches_submitted);

	/* unknown handles */
	EXPECT_EQ(-ENOENT, axs_sim_queue_destroy(self->fd, 0));
	EXPECT_EQ(-ENOENT, axs_sim_queue_destroy(self->fd, h + 1000000));
	EXPECT_EQ(-ENOENT, axs_sim_queue_destroy(self->fd, ~0ULL));
	EXPECT_EQ(-ENOENT, axs_sim_submit(self->fd, ~0ULL, 1, 1000, 0, &id));
	EXPECT_EQ(-ENOENT, axs_sim_wait(self->fd, ~0ULL, 1, 0, &w));

	ASSERT_EQ(0, axs_pipe_put(to_child[1], 'x'));
	ASSERT_EQ(0, axs_wait_child(child));
	close(to_child[1]);
	close(to_parent[0]);
}

TEST_F(queue, submit_validation)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_sim_wait w;
	uint64_t h, id = 0;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));

	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 0, 1000, 0, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, (1U << 24) + 1, 1000, 0, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 0xffffffffu, 1000, 0, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 1, 999, 0, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 1, 0, 0, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 1, 10 * SEC + 1, 0, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 1, 1000, self->gi.cu_state_bytes + 1, &id));
	EXPECT_EQ(-EINVAL, axs_sim_submit(self->fd, h, 1, 1000, 0xffffffffu, &id));
	EXPECT_EQ(-ENOENT, axs_sim_submit(self->fd, h + 1000000, 1, 1000, 0, &id));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.counters.dispatches_submitted);
	EXPECT_EQ(0, qi.counters.busy_transitions);
	EXPECT_EQ(0, qi.state & AMDXSCHED_QUEUE_S_BUSY);

	/* the limits themselves are fine; failed submits took no id */
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, 1000, self->gi.cu_state_bytes, &id));
	EXPECT_EQ(1, id);
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1U << 24, 1000, 1, &id));
	EXPECT_EQ(2, id);
	ASSERT_EQ(0, axs_sim_wait(self->fd, h, 2, AXS_EVENTUALLY_MS * MS, &w));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(2, qi.counters.dispatches_completed);
	EXPECT_EQ(1 + (1U << 24), qi.counters.workgroups_completed);
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, 10 * SEC, 0, &id));
	EXPECT_EQ(3, id);
	/* destroying the queue drops the 10 s kernel */
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
}

TEST_F(queue, wait_validation_and_timestamps)
{
	struct amdxsched_sim_wait w, w2;
	uint64_t h, id, t0, t1;
	pid_t child;
	int i;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));

	EXPECT_EQ(-EINVAL, axs_sim_wait(self->fd, h, 0, 0, &w));
	EXPECT_EQ(-EINVAL, axs_sim_wait(self->fd, h, 1, 0, &w));	/* nothing submitted */

	t0 = axs_now_ns();
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, MS, 0, &id));
	ASSERT_EQ(1, id);
	EXPECT_EQ(-EINVAL, axs_sim_wait(self->fd, h, 2, 0, &w));
	ASSERT_EQ(0, axs_sim_wait(self->fd, h, 1, AXS_EVENTUALLY_MS * MS, &w));
	t1 = axs_now_ns();
	EXPECT_LE(t0, w.submit_ns);
	EXPECT_LE(w.submit_ns, w.start_ns);
	EXPECT_LE(w.start_ns, w.end_ns);
	EXPECT_LE(w.end_ns, t1);
	/* one workgroup of 1 ms, nothing else on the GPU changed meanwhile */
	EXPECT_EQ(MS, w.end_ns - w.start_ns);
	/* waiting again for a finished kernel gives the same record */
	ASSERT_EQ(0, axs_sim_wait(self->fd, h, 1, 0, &w2));
	EXPECT_EQ(w.submit_ns, w2.submit_ns);
	EXPECT_EQ(w.start_ns, w2.start_ns);
	EXPECT_EQ(w.end_ns, w2.end_ns);

	/* an unfinished kernel: a zero or short timeout is ETIMEDOUT */
	ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, 10 * SEC, 0, &id));
	ASSERT_EQ(2, id);
	EXPECT_EQ(-ETIMEDOUT, axs_sim_wait(self->fd, h, 2, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, axs_sim_wait(self->fd, h, 2, 20 * MS, &w));

	/* a waiter (sharing the file) learns that the queue went away */
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		CHILD_EQ(-ENOENT, axs_sim_wait(self->fd, h, 2, 60 * SEC, &w));
		_exit(0);
	}
	axs_sleep_ms(50);	/* most likely waiting by now; either way ENOENT */
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
	ASSERT_EQ(0, axs_wait_child(child));

	/* only the last 64 kernels are remembered */
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &h, NULL));
	for (i = 0; i < 70; i++)
		ASSERT_EQ(0, axs_sim_submit(self->fd, h, 1, 1000, 0, &id));
	ASSERT_EQ(70, id);
	ASSERT_EQ(0, axs_sim_wait(self->fd, h, 70, AXS_EVENTUALLY_MS * MS, &w));
	EXPECT_EQ(-ENODATA, axs_sim_wait(self->fd, h, 1, 0, &w));
	EXPECT_EQ(-ENODATA, axs_sim_wait(self->fd, h, 6, 0, &w));
	EXPECT_EQ(0, axs_sim_wait(self->fd, h, 7, 0, &w));
}

TEST_F(queue, at_most_256_queues_per_gpu)
{
	struct amdxsched_gpu_info gi;
	uint64_t *h;
	uint32_t n = 0, room;
	int ret;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &gi));
	ASSERT_GE(256, gi.num_queues);
	room = 256 - gi.num_queues;
	h = calloc(room + 1, sizeof(*h));
	ASSERT_NE(NULL, h);
	for (;;) {
		ret = axs_sim_queue_create(self->fd, self->gpu, 0, &h[n], NULL);
		if (ret)
			break;
		n++;
		ASSERT_GE(room, n);
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(room, n);
	ASSERT_EQ(0, axs_gpu_info(self->fd, self->gpu, &gi));
	EXPECT_EQ(256, gi.num_queues);
	/* one goes, one more fits */
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h[0]));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 0, &h[0], NULL));
	free(h);
	/* closing the file takes them all (teardown) */
}

TEST_F(queue, at_most_1024_queues_per_process)
{
	uint32_t gpus[5], room[5], qid, i, n = 0, maxid = 0;
	uint64_t h;
	int ret;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	/* five GPUs, so that no GPU is full (256) when the process is (1024) */
	gpus[0] = self->gpu;
	for (i = 1; i < 5; i++) {
		ret = axs_add_small_gpu(self->fd, AMDXSCHED_SIM_DISPATCH_PRIORITY, &gpus[i]);
		if (ret == -ENOSPC)
			SKIP(return, "no room for more simulated GPUs");
		ASSERT_EQ(0, ret);
	}
	for (i = 0; i < 5; i++) {
		struct amdxsched_gpu_info gi;

		ASSERT_EQ(0, axs_gpu_info(self->fd, gpus[i], &gi));
		room[i] = 256 - gi.num_queues;
	}
	for (n = 0; n < 1024; n++) {
		i = n % 5;
		ASSERT_LT(0, room[i]);
		ASSERT_EQ(0, axs_sim_queue_create(self->fd, gpus[i], 0, &h, &qid));
		room[i]--;
		if (qid > maxid)
			maxid = qid;
	}
	EXPECT_EQ(1023, maxid);
	for (i = 0; i < 5; i++) {
		ASSERT_LT(0, room[i]);	/* every GPU has room ... */
		EXPECT_EQ(-ENOSPC, axs_sim_queue_create(self->fd, gpus[i], 0, &h, &qid));
	}
	/* ... the process has none; one goes, one comes back with its id */
	ASSERT_EQ(1024, count_queues_of(self->fd, getpid()));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, gpus[4], 0, &h, &qid));
	EXPECT_EQ(1023, qid);
}

static int set_qattr(int fd, uint64_t h, uint32_t flags, uint32_t cls, uint32_t prio,
		     uint32_t share, uint64_t deadline)
{
	struct amdxsched_queue_attr a;

	AXS_INIT(a);
	a.handle = h;
	a.flags = flags;
	a.sched_class = cls;
	a.priority = prio;
	a.share = share;
	a.deadline_ns = deadline;
	return axs_ioctl(fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, &a);
}

/*
 * SET_QUEUE_ATTR (ABI 1.5): a queue's own hints, set field by field and
 * cleared; each shows in LIST_QUEUES with a QUEUE_ATTR event, and a bad
 * argument is EINVAL and changes nothing. app_priority stays what the
 * queue was made with.
 */
TEST_F(queue, a_queue_has_its_own_hints)
{
	const uint32_t all = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY |
			     AMDXSCHED_ATTR_SHARE | AMDXSCHED_ATTR_DEADLINE;
	struct amdxsched_queue_info qi, qi2;
	struct amdxsched_version v;
	struct amdxsched_event ev;
	uint64_t h, h2;

	ASSERT_EQ(0, axs_version(self->fd, &v));
	ASSERT_TRUE(v.caps & AMDXSCHED_CAP_QUEUE_ATTR);
	ASSERT_EQ(0, axs_events_config(self->fd,
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_ATTR), 0));
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 11, &h, NULL));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 3, &h2, NULL));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.attr_flags);
	EXPECT_EQ(0, qi.sched_class);
	EXPECT_EQ(11, qi.app_priority);

	ASSERT_EQ(0, set_qattr(self->fd, h, AMDXSCHED_ATTR_CLASS, AMDXSCHED_CLASS_REALTIME,
			       0, 0, 0));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_ATTR, h, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_ATTR_CLASS, ev.data[0]);
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, ev.data[1]);
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_EQ(self->gpu, ev.gpu_id);
	ASSERT_EQ(0, set_qattr(self->fd, h, AMDXSCHED_ATTR_SHARE | AMDXSCHED_ATTR_DEADLINE, 0, 0,
			       250, 20 * MS));
	ASSERT_EQ(0, set_qattr(self->fd, h, AMDXSCHED_ATTR_PRIORITY, 0, 15, 0, 0));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(all, qi.attr_flags);		/* the fields add up */
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, qi.sched_class);
	EXPECT_EQ(15, qi.attr_priority);
	EXPECT_EQ(250, qi.share);
	EXPECT_EQ(20 * MS, qi.deadline_ns);
	EXPECT_EQ(11, qi.priority);		/* a hint, not the hardware priority */
	ASSERT_EQ(0, axs_queue_info(self->fd, h2, &qi2));
	EXPECT_EQ(0, qi2.attr_flags);		/* the other queue of the process */

	/* bad arguments: EINVAL, nothing changes */
	struct {
		uint32_t flags, cls, prio, share;
		uint64_t deadline;
	} bad[] = {
		{ 0, 0, 0, 0, 0 },
		{ AMDXSCHED_ATTR_TAG, 0, 0, 0, 0 },
		{ 1U << 5, 0, 0, 0, 0 },
		{ AMDXSCHED_QUEUE_ATTR_CLEAR | AMDXSCHED_ATTR_CLASS, 1, 0, 0, 0 },
		{ AMDXSCHED_QUEUE_ATTR_CLEAR, 1, 0, 0, 0 },
		{ AMDXSCHED_ATTR_CLASS, AMDXSCHED_CLASS_UNSET, 0, 0, 0 },
		{ AMDXSCHED_ATTR_CLASS, AMDXSCHED_CLASS_MAX + 1, 0, 0, 0 },
		{ AMDXSCHED_ATTR_PRIORITY, 0, AMDXSCHED_PRIORITY_MAX + 1, 0, 0 },
		{ AMDXSCHED_ATTR_SHARE, 0, 0, 0, 0 },
		{ AMDXSCHED_ATTR_SHARE, 0, 0, 1001, 0 },
		{ AMDXSCHED_ATTR_DEADLINE, 0, 0, 0, 3601ULL * 1000 * MS },
		{ AMDXSCHED_ATTR_CLASS, 1, 0, 5, 0 },	/* a field without its flag */
		{ AMDXSCHED_ATTR_SHARE, 0, 3, 5, 0 },
		{ AMDXSCHED_ATTR_PRIORITY, 0, 3, 0, 1 },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, set_qattr(self->fd, h2, bad[i].flags, bad[i].cls, bad[i].prio,
					     bad[i].share, bad[i].deadline)) TH_LOG("case %u", i);
		ASSERT_EQ(0, axs_queue_info(self->fd, h2, &qi2));
		EXPECT_EQ(0, qi2.attr_flags) TH_LOG("case %u", i);
		EXPECT_EQ(0, qi2.share) TH_LOG("case %u", i);
	}
	EXPECT_EQ(-ENOENT, set_qattr(self->fd, 0, AMDXSCHED_ATTR_CLASS, 1, 0, 0, 0));
	EXPECT_EQ(-ENOENT, set_qattr(self->fd, ~0ULL, AMDXSCHED_ATTR_CLASS, 1, 0, 0, 0));

	/* the hardware priority changes; what the queue was made with does not */
	ASSERT_EQ(0, axs_set_priority1(self->fd, h, 2));
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(2, qi.priority);
	EXPECT_EQ(11, qi.app_priority);

	/* back to the process's */
	ASSERT_LE(0, axs_ev_drain(self->fd));
	ASSERT_EQ(0, set_qattr(self->fd, h, AMDXSCHED_QUEUE_ATTR_CLEAR, 0, 0, 0, 0));
	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_ATTR, h, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(0, ev.data[0]);
	EXPECT_EQ(0, ev.data[1]);
	ASSERT_EQ(0, axs_queue_info(self->fd, h, &qi));
	EXPECT_EQ(0, qi.attr_flags);
	EXPECT_EQ(0, qi.sched_class);
	EXPECT_EQ(0, qi.attr_priority);
	EXPECT_EQ(0, qi.share);
	EXPECT_EQ(0, qi.deadline_ns);
	ASSERT_EQ(0, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
}

TEST_HARNESS_MAIN
