// SPDX-License-Identifier: MIT
/*
 * The kfd backend against the real amdkfd of the running kernel (in the VM:
 * Debian's amdgpu.ko, loaded without a GPU, so processes open /dev/kfd but
 * can create no queue). What this can show: the backend starts, every
 * symbol it resolved is the start of that function in amdgpu, processes
 * that open /dev/kfd are found before and after the load and forgotten when
 * they exit, every operation reaches amdkfd and fails as documented on a
 * wrong pid or queue id, and a symbol that fails verification refuses the
 * backend cleanly. Suspending a real queue needs a GPU: see
 * Documentation/kfd-backend.rst for what was not run.
 *
 * The reload tests need AXS_KO (default /axs/amdxsched.ko, as in the VM) and
 * reload the module with the parameters in /axs/modparams.
 */
#include <pthread.h>

#include "axs_test.h"

#include <stdarg.h>
#include <sys/stat.h>

#define KFD_DEV		"/dev/kfd"
#define KFD_DEBUGFS	AXS_DEBUGFS "/kfd"
#define TEST_CALLS	"/sys/module/amdxsched/parameters/kfd_test_calls"
#define NO_SUCH_QID	1000	/* above KFD_MAX_NUM_OF_QUEUES_PER_PROCESS */

/* A child that holds /dev/kfd open until told to exit ('x' on its pipe). */
struct kfd_child {
	pid_t pid;
	int to, from;
};

/*
 * The parent's side of a child just forked with pipes @down and @up: 0 once
 * it says 'k' (it holds /dev/kfd), else it is reaped and its errno returned.
 */
static int kfd_child_ready(struct kfd_child *c, const int *down, const int *up)
{
	int ret;

	close(down[0]);
	close(up[1]);
	c->to = down[1];
	c->from = up[0];
	ret = axs_pipe_get(c->from, AXS_EVENTUALLY_MS);
	if (ret == 'k')
		return 0;
	axs_wait_child(c->pid);
	close(c->to);
	close(c->from);
	c->pid = 0;
	return ret < 0 ? ret : -ret;	/* the child's open() errno */
}

static int kfd_child_start(struct kfd_child *c, int close_fd)
{
	int down[2], up[2], fd;

	if (pipe(down) || pipe(up))
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (!c->pid) {
		if (close_fd >= 0)
			close(close_fd);	/* /dev/amdxsched: rmmod must work */
		close(down[1]);
		close(up[0]);
		fd = open(KFD_DEV, O_RDWR | O_CLOEXEC);
		axs_pipe_put(up[1], fd < 0 ? (char)(errno & 0x7f) : 'k');
		if (fd >= 0)
			axs_pipe_get(down[0], 600 * 1000);
		_exit(fd < 0);
	}
	return kfd_child_ready(c, down, up);
}

/*
 * A child whose main thread opens /dev/kfd and then leaves with
 * pthread_exit(), while a second thread keeps the process (and its mm, and
 * so amdkfd's process) alive until told to exit ('x').
 */
static void *kfd_child_keeper(void *arg)
{
	int from = *(int *)arg;

	axs_pipe_get(from, 600 * 1000);
	_exit(0);
}

static int kfd_child_start_leaderless(struct kfd_child *c, int close_fd)
{
	static int down_rd;
	int down[2], up[2], fd;
	pthread_t t;

	if (pipe(down) || pipe(up))
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (!c->pid) {
		if (close_fd >= 0)
			close(close_fd);
		close(down[1]);
		close(up[0]);
		fd = open(KFD_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			axs_pipe_put(up[1], (char)(errno & 0x7f));
			_exit(1);
		}
		down_rd = down[0];
		if (pthread_create(&t, NULL, kfd_child_keeper, &down_rd)) {
			axs_pipe_put(up[1], EAGAIN);
			_exit(1);
		}
		axs_pipe_put(up[1], 'k');
		pthread_exit(NULL);	/* the process lives on in the keeper */
	}
	return kfd_child_ready(c, down, up);
}

/* Is the thread @tid of @pid gone (a zombie leader, or reaped)? */
static bool thread_exited(pid_t pid, pid_t tid)
{
	char path[64], line[128];
	bool zombie = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			zombie = strchr(line, 'Z') != NULL;
	fclose(f);
	return zombie;
}

/*
 * Start a child holding /dev/kfd, or skip: from 7.x on (kfd_create_process()
 * checks kfd_gpu_node_num()), amdkfd makes no process without a GPU.
 */
#define KFD_CHILD_START(c, close_fd, ngpus) do { \
	int __ret = kfd_child_start(c, close_fd); \
	if (__ret == -EINVAL && !(ngpus)) \
		SKIP(return, "amdkfd refuses processes without a GPU (EINVAL on open)"); \
	ASSERT_EQ(0, __ret); \
} while (0)

/* Tell the child to exit and reap it: its exit status. */
static int kfd_child_stop(struct kfd_child *c)
{
	int ret;

	if (c->pid <= 0)
		return 0;
	axs_pipe_put(c->to, 'x');
	ret = axs_wait_child(c->pid);
	close(c->to);
	close(c->from);
	c->pid = 0;
	return ret;
}

static bool listed_as_kfd(int fd, pid_t pid, uint32_t *nqueues)
{
	struct amdxsched_proc_info pi;

	if (axs_proc_info(fd, (uint32_t)pid, &pi) || !(pi.flags & AMDXSCHED_PROC_F_KFD))
		return false;
	if (nqueues)
		*nqueues = pi.num_queues;
	return true;
}

/*
 * Discovery applies what its probes saw from a worker, a moment after the
 * process opened /dev/kfd: wait for the listing before relying on it.
 */
static bool listed_eventually(int fd, pid_t pid)
{
	uint64_t end = axs_now_ns() + (uint64_t)AXS_EVENTUALLY_MS * MS;

	while (!listed_as_kfd(fd, pid, NULL)) {
		if (axs_now_ns() > end)
			return false;
		axs_sleep_ms(10);
	}
	return true;
}

/* Wait for an event of @type about @pid: 1, 0 on timeout, or -errno. */
static int ev_wait_pid(int fd, uint16_t type, pid_t pid)
{
	struct amdxsched_event ev;
	int ret;

	do
		ret = axs_ev_wait(fd, type, 0, AXS_EVENTUALLY_MS, &ev);
	while (ret == 1 && ev.pid != (uint32_t)pid);
	return ret;
}

/* Write a command to kfd/call: 0 or -errno; the result line in @out. */
static int kfd_call(char *out, size_t len, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	ssize_t n;
	int fd, err = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fd = open(KFD_DEBUGFS "/call", O_RDWR);
	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		err = -errno;
	memset(out, 0, len);
	if (!err) {
		n = pread(fd, out, len - 1, 0);
		if (n < 0)
			err = -errno;
		else if (n > 0 && out[n - 1] == '\n')
			out[n - 1] = '\0';
	}
	close(fd);
	return err;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = -errno;
	close(fd);
	return err;
}

/* The backend's state; skips the test when the VM cannot show anything. */
static bool kfd_running(struct __test_metadata *_metadata, int fd,
			struct amdxsched_backend_info *bi)
{
	if (access(KFD_DEV, F_OK))
		SKIP(return false, KFD_DEV " is missing: amdgpu.ko is not loaded");
	EXPECT_EQ(0, axs_backend_info(fd, AMDXSCHED_BACKEND_KFD, bi));
	if (bi->status == AMDXSCHED_BACKEND_ABSENT && strstr(bi->detail, "not built"))
		SKIP(return false, "module built without the kfd backend: %s", bi->detail);
	EXPECT_EQ(AMDXSCHED_BACKEND_RUNNING, bi->status)
		TH_LOG("kfd backend: status %u, error %d: %s", bi->status, bi->error, bi->detail);
	return bi->status == AMDXSCHED_BACKEND_RUNNING;
}

FIXTURE(kfd) {
	int fd;
	struct amdxsched_backend_info bi;
	struct kfd_child child;
};

FIXTURE_SETUP(kfd)
{
	self->child.pid = 0;
	if (!axs_fixture_open(_metadata, &self->fd, NULL))
		return;
	if (!kfd_running(_metadata, self->fd, &self->bi))
		return;
}

FIXTURE_TEARDOWN(kfd)
{
	kfd_child_stop(&self->child);
	write_file(TEST_CALLS, "0");
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(kfd, backend_runs_with_every_symbol_verified)
{
	static const char *const need[] = {
		"kfd_lookup_process_by_pid", "kfd_unref_process", "kfd_create_process",
		"pqm_update_queue_properties", "pqm_update_mqd", "pqm_get_user_queue",
		"kfd_topology_enum_kfd_devices", "kfd_topology_device_by_id",
		"kfd_process_notifier_release", "kfd_procfs_add_queue", "kfd_procfs_del_queue",
	};
	const uint32_t caps = AMDXSCHED_BCAP_PRIORITY | AMDXSCHED_BCAP_CU_MASK |
			      AMDXSCHED_BCAP_BUSY_EVENTS | AMDXSCHED_BCAP_DISCOVERY;
	bool per_queue = self->bi.caps & AMDXSCHED_BCAP_PER_QUEUE;
	struct amdxsched_gpu_info *g = NULL;
	struct amdxsched_version v;
	char line[512], name[128], where[256];
	uint32_t i, n = 0, kfd_gpus = 0, found = 0, suspend_found = 0, evict_found = 0;
	FILE *f;

	EXPECT_EQ(0, self->bi.error);
	EXPECT_EQ(caps, self->bi.caps & caps);
	EXPECT_TRUE(self->bi.levels & (1U << AMDXSCHED_LEVEL_INTERRUPT));
	/* per-queue suspension (suspend_queues) is what makes Lv2 possible */
	EXPECT_EQ(per_queue, !!(self->bi.levels & (1U << AMDXSCHED_LEVEL_DEACTIVATE)));
	EXPECT_STREQ("kfd", self->bi.name);
	EXPECT_NE(NULL, strstr(self->bi.detail, "checked against BTF")) TH_LOG("%s", self->bi.detail);
	ASSERT_EQ(0, axs_list_gpus(self->fd, &g, &n));
	for (i = 0; i < n; i++)
		kfd_gpus += g[i].backend == AMDXSCHED_BACKEND_KFD;
	free(g);
	EXPECT_EQ(kfd_gpus, self->bi.num_gpus);
	ASSERT_EQ(0, axs_version(self->fd, &v));
	EXPECT_TRUE(v.backends & (1U << AMDXSCHED_BACKEND_KFD));

	f = fopen(KFD_DEBUGFS "/symbols", "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", KFD_DEBUGFS "/symbols", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char want[160];

		char *kind, *sp;

		/* "name name+0x0/0x1f0 [amdgpu] endbr64" */
		line[strcspn(line, "\n")] = '\0';
		sp = strchr(line, ' ');
		kind = strrchr(line, ' ');
		ASSERT_TRUE(sp && kind > sp) TH_LOG("%s", line);
		snprintf(name, sizeof(name), "%.*s", (int)(sp - line), line);
		snprintf(where, sizeof(where), "%.*s", (int)(kind - sp - 1), sp + 1);
		kind++;
		EXPECT_TRUE(!strcmp(kind, "endbr64") || !strcmp(kind, "no-endbr64") ||
			    !strcmp(kind, "data")) TH_LOG("%s", line);
		/* what kallsyms says is at the address: the symbol's very start */
		snprintf(want, sizeof(want), "%s+0x0/", name);
		EXPECT_EQ(0, strncmp(where, want, strlen(want))) TH_LOG("%s", line);
		if (strcmp(name, "kallsyms_lookup_name"))
			EXPECT_NE(NULL, strstr(where, " [amdgpu]")) TH_LOG("%s", line);
		for (i = 0; i < ARRAY_SIZE(need); i++)
			found += !strcmp(name, need[i]);
		suspend_found += !strcmp(name, "suspend_queues") || !strcmp(name, "resume_queues");
		evict_found += !strcmp(name, "kfd_process_evict_queues") ||
			       !strcmp(name, "kfd_process_restore_queues");
	}
	fclose(f);
	EXPECT_EQ(ARRAY_SIZE(need), found);
	EXPECT_EQ(per_queue ? 2 : 0, suspend_found);
	/* Only what is called is resolved (and so can refuse on IBT). */
	EXPECT_EQ(per_queue ? 0 : 2, evict_found);
}

TEST_F(kfd, a_process_that_opens_kfd_appears_and_goes)
{
	uint32_t nq = 99;
	pid_t pid;

	ASSERT_EQ(0, axs_events_config(self->fd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_CREATED) |
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_EXIT), 256));
	/* this test process has not opened /dev/kfd */
	EXPECT_FALSE(listed_as_kfd(self->fd, getpid(), NULL));

	KFD_CHILD_START(&self->child, self->fd, self->bi.num_gpus);
	pid = self->child.pid;
	EXPECT_EQ(1, ev_wait_pid(self->fd, AMDXSCHED_EVENT_PROC_CREATED, pid));
	EXPECT_TRUE(listed_as_kfd(self->fd, pid, &nq));
	EXPECT_EQ(0, nq);	/* no GPU here, so no queue */

	EXPECT_EQ(0, kfd_child_stop(&self->child));
	EXPECT_EQ(1, ev_wait_pid(self->fd, AMDXSCHED_EVENT_PROC_EXIT, pid));
	EXPECT_FALSE(listed_as_kfd(self->fd, pid, NULL));
}

/*
 * amdkfd's process belongs to the mm: a process whose main thread has
 * exited while another thread still runs is still there, with its queues.
 * It stays listed across rescans, the backend can still act on it, and it
 * goes only when its last thread exits. The module used to look for the
 * leader's mm, found none, and dropped the process (and would have dropped
 * its suspended queues with it) at the next rescan.
 */
TEST_F(kfd, a_process_whose_main_thread_exited_stays_until_its_last_thread)
{
	char out[256], want[64];
	uint64_t end;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, axs_events_config(self->fd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_EXIT),
				       256));
	ret = kfd_child_start_leaderless(&self->child, self->fd);
	if (ret == -EINVAL && !self->bi.num_gpus)
		SKIP(return, "amdkfd refuses processes without a GPU (EINVAL on open)");
	ASSERT_EQ(0, ret);
	pid = self->child.pid;
	ASSERT_TRUE(listed_eventually(self->fd, pid));
	end = axs_now_ns() + (uint64_t)AXS_EVENTUALLY_MS * MS;
	while (!thread_exited(pid, pid) && axs_now_ns() < end)
		axs_sleep_ms(10);
	ASSERT_TRUE(thread_exited(pid, pid));

	/* two rescans (kfd_rescan_ms, 2 s) later, still there */
	axs_sleep_ms(4500);
	EXPECT_TRUE(listed_as_kfd(self->fd, pid, NULL));
	EXPECT_EQ(0, axs_ev_drain(self->fd));	/* no PROC_EXIT */
	if (!access(KFD_DEBUGFS "/call", F_OK) && !write_file(TEST_CALLS, "1")) {
		/* amdkfd finds it through the live thread: the queue id is what is wrong */
		EXPECT_EQ(0, kfd_call(out, sizeof(out), "priority %d %d 3", pid, NO_SUCH_QID));
		snprintf(want, sizeof(want), "ret=%d", -ENOENT);
		EXPECT_STREQ(want, out);
	}

	EXPECT_EQ(0, kfd_child_stop(&self->child));
	EXPECT_EQ(1, ev_wait_pid(self->fd, AMDXSCHED_EVENT_PROC_EXIT, pid));
	EXPECT_FALSE(listed_as_kfd(self->fd, pid, NULL));
}

TEST_F(kfd, calls_on_wrong_pids_and_queue_ids_fail_as_documented)
{
	bool per_queue = self->bi.caps & AMDXSCHED_BCAP_PER_QUEUE;
	char out[256], want[64];
	pid_t pid = getpid(), gone;

	if (access(KFD_DEBUGFS "/call", F_OK))
		SKIP(return, KFD_DEBUGFS "/call is missing (no debugfs?)");

	/* only with kfd_test_calls=1 */
	ASSERT_EQ(0, write_file(TEST_CALLS, "0"));
	EXPECT_EQ(-EPERM, kfd_call(out, sizeof(out), "suspend3 %d %d", pid, NO_SUCH_QID));
	ASSERT_EQ(0, write_file(TEST_CALLS, "1"));

	/* malformed commands change nothing and say EINVAL */
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "frobnicate %d 0", pid));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "suspend3 %d", pid));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "suspend3 0 1"));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "suspend3 %d x", pid));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "priority %d 0 16", pid));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "priority %d 0", pid));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "cumask %d 0", pid));
	EXPECT_EQ(-EINVAL, kfd_call(out, sizeof(out), "suspend3 %d 1 2 3 4 5 6 7 8 9 10 11 12 "
				    "13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33",
				    pid));

	/* a live process that never opened /dev/kfd: ESRCH from amdkfd's lookup */
	snprintf(want, sizeof(want), "ret=%d", -ESRCH);
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "suspend3 %d 0", pid));
	EXPECT_STREQ(want, out);
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "resume %d 0", pid));
	EXPECT_STREQ(want, out);
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "priority %d 0 1", pid));
	EXPECT_STREQ(want, out);
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "cumask %d 0 ffffffff", pid));
	EXPECT_STREQ(want, out);

	/* a pid that is gone */
	gone = fork();
	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	ASSERT_EQ(0, axs_wait_child(gone));
	EXPECT_EQ(-ESRCH, kfd_call(out, sizeof(out), "resume %d 0", gone));

	/* a KFD process without that queue: amdkfd marks the id invalid */
	KFD_CHILD_START(&self->child, self->fd, self->bi.num_gpus);
	pid = self->child.pid;
	ASSERT_TRUE(listed_eventually(self->fd, pid));
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "suspend3 %d %d", pid, NO_SUCH_QID));
	EXPECT_STREQ("ret=0 status=-2", out);
	if (per_queue) {
		EXPECT_EQ(0, kfd_call(out, sizeof(out), "suspend2 %d %d 3", pid, NO_SUCH_QID));
		EXPECT_STREQ("ret=0 status=-2,-2", out);
	} else {
		/* 6.1: eviction only, no drain-only level */
		EXPECT_EQ(0, kfd_call(out, sizeof(out), "suspend2 %d 3", pid));
		snprintf(want, sizeof(want), "ret=%d", -EOPNOTSUPP);
		EXPECT_STREQ(want, out);
	}
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "resume %d %d 0", pid, NO_SUCH_QID));
	EXPECT_STREQ("ret=0 status=-2,-2", out);
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "priority %d 0 3", pid));
	EXPECT_STREQ("ret=-2", out);
	EXPECT_EQ(0, kfd_call(out, sizeof(out), "cumask %d 0 ffffffff ffff", pid));
	EXPECT_STREQ("ret=-2", out);

	/* and the process is unharmed: still listed, and it exits normally */
	EXPECT_TRUE(listed_as_kfd(self->fd, pid, NULL));
	EXPECT_EQ(0, kfd_child_stop(&self->child));
}

/* ---- Tests that reload the module ----------------------------------------- */

static const char *ko_path(void)
{
	const char *ko = getenv("AXS_KO");

	return ko ? ko : "/axs/amdxsched.ko";
}

/* rmmod, then insmod with the VM's parameters and @extra: 0 or -1. */
static int reload(const char *extra)
{
	char cmd[1024], params[512] = "";
	FILE *f = fopen("/axs/modparams", "r");

	if (f) {
		if (!fgets(params, sizeof(params), f))
			params[0] = '\0';
		params[strcspn(params, "\n")] = '\0';
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "rmmod amdxsched && insmod %s %s %s", ko_path(), params,
		 extra ? extra : "");
	return system(cmd) ? -1 : 0;
}

/* The backend before the reload. No file stays open: the module must be able to go. */
FIXTURE(reload) {
	struct amdxsched_backend_info bi;
};

FIXTURE_SETUP(reload)
{
	int fd;

	if (access(ko_path(), R_OK))
		SKIP(return, "%s is missing (set AXS_KO)", ko_path());
	fd = axs_open(O_RDWR);
	ASSERT_LE(0, fd);
	kfd_running(_metadata, fd, &self->bi);	/* a skip or failure ends the test */
	close(fd);
}

FIXTURE_TEARDOWN(reload)
{
}

TEST_F(reload, a_process_from_before_the_load_is_found)
{
	struct kfd_child c = { 0 };
	int fd;

	KFD_CHILD_START(&c, -1, self->bi.num_gpus);
	ASSERT_EQ(0, reload(NULL));
	fd = axs_open(O_RDWR);
	ASSERT_LE(0, fd);
	/* the scan at load has run when the module's init returns */
	EXPECT_TRUE(listed_as_kfd(fd, c.pid, NULL));
	close(fd);
	EXPECT_EQ(0, kfd_child_stop(&c));
}

TEST_F(reload, a_symbol_that_fails_verification_refuses_the_backend)
{
	struct amdxsched_backend_info bi;
	struct amdxsched_version v;
	struct kfd_child c = { 0 };
	struct stat st;
	uint32_t gpu;
	int fd, ret;

	ASSERT_EQ(0, reload("kfd_break_symbol=pqm_update_mqd"));
	fd = axs_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, axs_backend_info(fd, AMDXSCHED_BACKEND_KFD, &bi));
	EXPECT_EQ(AMDXSCHED_BACKEND_REFUSED, bi.status);
	EXPECT_EQ(-EFAULT, bi.error);
	EXPECT_NE(NULL, strstr(bi.detail, "pqm_update_mqd")) TH_LOG("%s", bi.detail);
	EXPECT_EQ(0, bi.levels);
	EXPECT_EQ(0, bi.caps);
	ASSERT_EQ(0, axs_version(fd, &v));
	EXPECT_FALSE(v.backends & (1U << AMDXSCHED_BACKEND_KFD));
	/* nothing of the backend is there, and the sim goes on */
	EXPECT_NE(0, stat(KFD_DEBUGFS, &st));
	ret = kfd_child_start(&c, fd);
	if (ret != -EINVAL || self->bi.num_gpus) {	/* see KFD_CHILD_START() */
		ASSERT_EQ(0, ret);
		axs_sleep_ms(200);
		EXPECT_FALSE(listed_as_kfd(fd, c.pid, NULL));
		EXPECT_EQ(0, kfd_child_stop(&c));
	}
	EXPECT_EQ(0, axs_first_sim_gpu(fd, &gpu));
	close(fd);

	ASSERT_EQ(0, reload(NULL));
	fd = axs_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, axs_backend_info(fd, AMDXSCHED_BACKEND_KFD, &bi));
	EXPECT_EQ(AMDXSCHED_BACKEND_RUNNING, bi.status);
	close(fd);
}

TEST_HARNESS_MAIN
