/* SPDX-License-Identifier: MIT */
/*
 * What the amdxsched selftests share beyond libaxs (user/lib/axs.h, linked
 * into every test, which has the typed ioctl wrappers): a raw ioctl() for
 * the tests of malformed arguments, one-call list look-ups, single-entry
 * conveniences over libaxs, the event reader with a timeout, debugfs fault
 * knobs, the small simulated GPU the timing tests use, helpers for forked
 * children, and the fixtures' common setup. Everything is static inline.
 * Included first (it sets _GNU_SOURCE); it includes kselftest_harness.h last.
 */
#ifndef AXS_TEST_H
#define AXS_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axs.h"

#define AXS_DEBUGFS	"/sys/kernel/debug/amdxsched"

#define US		1000ULL
#define MS		1000000ULL
#define SEC		1000000000ULL

/* How long to wait for something that must eventually happen (QEMU is slow). */
#define AXS_EVENTUALLY_MS	20000

/* The small GPU of the timing tests: 4 CUs of 4 KiB, 1 B/ns, 10 us unmap/map. */
#define SMALL_CU_BYTES	4096ULL
#define SMALL_UNMAP	(10 * US)
#define SMALL_MAP	(10 * US)

#define AXS_INIT(s) do { memset(&(s), 0, sizeof(s)); (s).size = sizeof(s); } while (0)

/*
 * One raw ioctl(): 0 or -errno. For the tests of malformed arguments (wrong
 * sizes, non-zero reserved fields, garbage, bad argument pointers, unknown
 * numbers), which must reach the kernel as they are, not through libaxs.
 */
static inline int axs_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline void axs_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * One list call; *count is in/out as in the ABI. (libaxs's axs_list_*()
 * fetch whole lists; the tests of the list ABI need single calls.)
 */
static inline int axs_list(int fd, unsigned long cmd, void *entries, uint32_t *count,
			   uint32_t entry_size, uint32_t pid, uint32_t gpu_id)
{
	struct amdxsched_list l;
	int ret;

	AXS_INIT(l);
	l.count = *count;
	l.entry_size = entry_size;
	l.entries = (uintptr_t)entries;
	l.pid = pid;
	l.gpu_id = gpu_id;
	ret = axs_ioctl(fd, cmd, &l);
	if (!ret)
		*count = l.count;
	return ret;
}

static inline int axs_gpu_info(int fd, uint32_t gpu_id, struct amdxsched_gpu_info *gi)
{
	uint32_t count = 1;
	int ret;

	memset(gi, 0, sizeof(*gi));
	ret = axs_list(fd, AMDXSCHED_IOC_LIST_GPUS, gi, &count, sizeof(*gi), 0, gpu_id);
	if (!ret && count != 1)
		ret = -ENODEV;
	return ret;
}

/* The queue @handle as the caller sees it, or -ENOENT. */
static inline int axs_queue_info(int fd, uint64_t handle, struct amdxsched_queue_info *qi)
{
	struct amdxsched_queue_info *all = NULL;
	uint32_t i, n = 0;
	int ret;

	ret = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &all, &n);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < n; i++) {
		if (all[i].handle == handle) {
			*qi = all[i];
			ret = 0;
			break;
		}
	}
	free(all);
	return ret;
}

/* The process @pid (caller's pid ns) as the caller sees it, or -errno. */
static inline int axs_proc_info(int fd, uint32_t pid, struct amdxsched_proc_info *pi)
{
	uint32_t count = 1;
	int ret;

	memset(pi, 0, sizeof(*pi));
	ret = axs_list(fd, AMDXSCHED_IOC_LIST_PROCS, pi, &count, sizeof(*pi), pid,
		       AMDXSCHED_GPU_ANY);
	if (!ret && count != 1)
		ret = -ENOENT;
	return ret;
}

/* The first simulated GPU (the one loaded with the module), or -ENODEV. */
static inline int axs_first_sim_gpu(int fd, uint32_t *gpu_id)
{
	struct amdxsched_gpu_info *g = NULL;
	uint32_t i, n = 0;
	int ret;

	ret = axs_list_gpus(fd, &g, &n);
	if (ret)
		return ret;
	ret = -ENODEV;
	for (i = 0; i < n; i++) {
		if (g[i].backend == AMDXSCHED_BACKEND_SIM) {
			*gpu_id = g[i].gpu_id;
			ret = 0;
			break;
		}
	}
	free(g);
	return ret;
}

/* libaxs's axs_sim_proc(), returning the pid it reports (0 for DESTROY) or -errno. */
static inline int axs_sim_proc_pid(int fd, uint32_t op)
{
	uint32_t pid = 0;
	int ret;

	ret = axs_sim_proc(fd, op, &pid);
	return ret ? ret : (int)pid;
}

/* Single-entry SUSPEND, RESUME and SET_PRIORITY. */
static inline int axs_suspend1(int fd, uint64_t handle, uint32_t level, uint32_t lease_ms,
			       uint64_t *lease_id)
{
	return axs_suspend(fd, &handle, 1, level, lease_ms, NULL, lease_id);
}

static inline int axs_resume1(int fd, uint64_t handle)
{
	return axs_resume(fd, &handle, 1, 0, NULL);
}

static inline int axs_set_priority1(int fd, uint64_t handle, uint32_t prio)
{
	struct amdxsched_priority_entry e = { .handle = handle, .priority = prio };

	return axs_set_priority(fd, &e, 1);
}

/*
 * Read one event, waiting up to @timeout_ms: 1 if read, 0 on timeout, -errno.
 * Reads without blocking whatever the file's flags, so that a poll() that
 * wrongly says POLLIN makes a test fail rather than hang. Calls read() itself,
 * not libaxs's axs_events_read(), which would take a short or empty read for
 * "nothing yet": here that is -EIO.
 */
static inline int axs_ev_read(int fd, struct amdxsched_event *ev, int timeout_ms)
{
	uint64_t end = axs_now_ns() + (uint64_t)timeout_ms * MS;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret, fl, err;
	ssize_t n;

	for (;;) {
		uint64_t now = axs_now_ns();
		int left = now < end ? (int)((end - now + MS - 1) / MS) : 0;

		ret = poll(&p, 1, left);
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
		if (p.revents & POLLERR)
			return -EINVAL;
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
			return -errno;
		n = read(fd, ev, sizeof(*ev));
		err = errno;
		if (fcntl(fd, F_SETFL, fl))
			return -errno;
		if (n == sizeof(*ev))
			return 1;
		if (n >= 0)
			return -EIO;
		if (err != EAGAIN)
			return -err;
		if (!left)
			return 0;
		axs_sleep_ms(1);	/* POLLIN without an event: a poll bug */
	}
}

/* Skip events until one of @type (and @handle, unless 0) arrives: 1 if found, 0 on timeout, -errno. */
static inline int axs_ev_wait(int fd, uint16_t type, uint64_t handle, int timeout_ms,
			      struct amdxsched_event *ev)
{
	uint64_t end = axs_now_ns() + (uint64_t)timeout_ms * MS;
	int ret;

	for (;;) {
		uint64_t now = axs_now_ns();

		if (now >= end)
			return 0;
		ret = axs_ev_read(fd, ev, (int)((end - now + MS - 1) / MS));
		if (ret <= 0)
			return ret;
		if (ev->type == type && (!handle || ev->handle == handle))
			return 1;
	}
}

/* Pending events are read and dropped; returns how many. */
static inline int axs_ev_drain(int fd)
{
	struct amdxsched_event ev;
	int n = 0;

	while (axs_ev_read(fd, &ev, 0) == 1)
		n++;
	return n;
}

/* debugfs fault knobs of a simulated GPU. */
static inline int axs_knob_path(char *buf, size_t len, uint32_t gpu_id, const char *knob)
{
	return snprintf(buf, len, AXS_DEBUGFS "/sim/gpu%u/%s", gpu_id, knob);
}

static inline int axs_knob_write(uint32_t gpu_id, const char *knob, unsigned long long val)
{
	char path[128], s[32];
	int fd, len, ret = 0;

	axs_knob_path(path, sizeof(path), gpu_id, knob);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = snprintf(s, sizeof(s), "%llu\n", val);
	if (write(fd, s, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static inline int axs_knob_read(uint32_t gpu_id, const char *knob, unsigned long long *val)
{
	char path[128], s[32];
	ssize_t n;
	int fd;

	axs_knob_path(path, sizeof(path), gpu_id, knob);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, s, sizeof(s) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	s[n] = 0;
	*val = strtoull(s, NULL, 0);
	return 0;
}

/* Column @name of GPU @gpu's line in the debugfs summary, or -errno. */
static inline long long axs_summary_value(uint32_t gpu, const char *name)
{
	FILE *f = fopen(AXS_DEBUGFS "/summary", "r");
	char line[512], *tok, *save;
	long long val = -ENOENT;
	int col = -1, i;
	unsigned int id;

	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f))
		for (i = 0, tok = strtok_r(line, " \n", &save); tok;
		     i++, tok = strtok_r(NULL, " \n", &save))
			if (!strcmp(tok, name))
				col = i;
	while (col >= 0 && fgets(line, sizeof(line), f) && line[0] != '\n') {
		if (sscanf(line, "%u ", &id) != 1 || id != gpu)
			continue;
		for (i = 0, tok = strtok_r(line, " \n", &save); tok && i < col;
		     i++, tok = strtok_r(NULL, " \n", &save))
			;
		if (tok)
			val = atoll(tok);
	}
	fclose(f);
	return val;
}

static inline int axs_have_knobs(uint32_t gpu_id)
{
	char path[128];

	axs_knob_path(path, sizeof(path), gpu_id, "fail_suspend");
	return access(path, W_OK) == 0;
}

/* Put every fault knob of @gpu_id back to "no fault"; preempt_timeout_ms to @timeout_ms. */
static inline int axs_knobs_reset(uint32_t gpu_id, unsigned int timeout_ms)
{
	static const char *const knobs[] = {
		"fail_suspend", "fail_suspend_late", "fail_resume", "fail_priority", "fail_cu_mask",
		"fail_queue_create", "fail_errno", "unmap_delay_us",
	};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		ret = ret ? ret : axs_knob_write(gpu_id, knobs[i], 0);
	if (timeout_ms)
		ret = ret ? ret : axs_knob_write(gpu_id, "preempt_timeout_ms", timeout_ms);
	return ret;
}

/*
 * Add the timing tests' small GPU: 1 XCC, 1 SE, 1 SH, CUs 0-3, 4 KiB of wave
 * state per CU, 8 workgroups per CU at most, 1 GB/s save and restore (one
 * byte per ns), 10 us unmap and map. Needs a control file.
 */
static inline int axs_add_small_gpu(int fd, uint32_t dispatch, uint32_t *gpu_id)
{
	struct amdxsched_sim_gpu_config c;
	int ret;

	AXS_INIT(c);
	c.num_xcc = 1;
	c.num_se_per_xcc = 1;
	c.num_sh_per_se = 1;
	c.active_cu[0][0][0] = 0xf;
	c.cu_state_bytes = SMALL_CU_BYTES;
	c.max_wg_per_cu = 8;
	c.save_bw = 1000000000ULL;
	c.restore_bw = 1000000000ULL;
	c.unmap_ns = SMALL_UNMAP;
	c.map_ns = SMALL_MAP;
	c.dispatch = dispatch;
	ret = axs_sim_add_gpu(fd, &c);
	if (!ret)
		*gpu_id = c.gpu_id;
	return ret;
}

/* waitpid() for @pid: its exit status, 128 + signal if killed, or -errno. */
static inline int axs_wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/*
 * For forked children, which must not use ASSERT_*() (that would run the
 * fixture's teardown in the child): report the failed check and exit 1.
 */
#define CHILD_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "# %s:%d: child %d: check failed: %s (errno %d)\n", \
			__FILE__, __LINE__, getpid(), #cond, errno); \
		_exit(1); \
	} \
} while (0)

#define CHILD_EQ(expected, seen) do { \
	long long __e = (long long)(expected), __s = (long long)(seen); \
	if (__e != __s) { \
		fprintf(stderr, "# %s:%d: child %d: expected %s (%lld) == %s (%lld)\n", \
			__FILE__, __LINE__, getpid(), #expected, __e, #seen, __s); \
		_exit(1); \
	} \
} while (0)

/* Tiny pipe protocol between a test and its children: one byte at a time. */
static inline int axs_pipe_put(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -EIO;
}

static inline int axs_pipe_get(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	if (read(fd, &c, 1) != 1)
		return -EPIPE;
	return (unsigned char)c;
}

/*
 * The harness itself. Some of its versions (6.12's) trip -Wextra in their own
 * code: an unused parameter, and TEST_F's locals that setjmp() may clobber
 * (reported where each TEST_F expands, hence for the rest of the file).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

/*
 * A test that fails waits AXS_EVENTUALLY_MS for what did not happen, maybe
 * more than once: give each test room to report that instead of being
 * killed by the harness's 30 s default. (TEST_F expands this at each use.)
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/*
 * The start of the fixtures' setup: a control file (O_RDWR) in *@fd and,
 * unless @gpu is NULL, the module's own simulated GPU in *@gpu. Returns
 * false if the test is skipped (no module, or no simulated GPU); the setup
 * then returns at once. *@fd is -errno if the open failed.
 */
static inline bool axs_fixture_open(struct __test_metadata *_metadata, int *fd, uint32_t *gpu)
{
	int ret;

	*fd = axs_open(O_RDWR);
	if (*fd == -ENOENT)
		SKIP(return false, AXS_DEVICE_PATH " is missing: amdxsched.ko not loaded");
	ASSERT_LE(0, *fd);
	if (!gpu)
		return true;
	ret = axs_first_sim_gpu(*fd, gpu);
	if (ret == -ENODEV)
		SKIP(return false, "no simulated GPU (module loaded with sim_gpus=0?)");
	ASSERT_EQ(0, ret);
	return true;
}

/* A simulated process for this process on @fd, and @n queues of priority 7 on @gpu in q[]. */
static inline void axs_fixture_queues(struct __test_metadata *_metadata, int fd, uint32_t gpu,
				      uint64_t *q, unsigned int n)
{
	unsigned int i;

	ASSERT_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, axs_sim_queue_create(fd, gpu, 7, &q[i], NULL));
}

#endif /* AXS_TEST_H */
