/* SPDX-License-Identifier: MIT */
/*
 * Fault injection by /proc/thread-self/fail-nth for the selftests that walk
 * every fault site of a call: failslab, fail_page_alloc and fail_usercopy
 * set up once, then arm (fail the n-th site from now on) and fired (did it,
 * and injection off). Needs CONFIG_FAULT_INJECTION with FAILSLAB,
 * FAIL_PAGE_ALLOC, FAULT_INJECTION_USERCOPY and FAULT_INJECTION_DEBUG_FS.
 */
#ifndef AXS_FAILNTH_H
#define AXS_FAILNTH_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FI_DEBUGFS	"/sys/kernel/debug"
#define FAULT_INJECTION_MISSING \
	"no fail-nth with failslab, fail_page_alloc and fail_usercopy " \
	"(a kernel without fault injection: the debug lane has it)"

static inline bool fault_injection_available(void)
{
	return !access(FAIL_NTH, W_OK) && !access(FI_DEBUGFS "/fail_usercopy", F_OK) &&
	       !access(FI_DEBUGFS "/failslab", F_OK) && !access(FI_DEBUGFS "/fail_page_alloc", F_OK);
}

static inline int write_str(const char *path, const char *val)
{
	int fd, ret = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val))
		ret = n < 0 ? -errno : -EIO;
	close(fd);
	return ret;
}

/*
 * Fault injection on for every allocation (not only those that cannot
 * sleep, the default) and every page order, and silent: each injected fault
 * would otherwise print a stack trace, which the harness takes for a bug.
 */
static inline int fault_attrs_setup(void)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc", "fail_usercopy" };
	char path[128];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]) && !ret; i++) {
		snprintf(path, sizeof(path), FI_DEBUGFS "/%s/verbose", attrs[i]);
		ret = write_str(path, "0");
	}
	if (!ret)
		ret = write_str(FI_DEBUGFS "/failslab/ignore-gfp-wait", "N");
	if (!ret)
		ret = write_str(FI_DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N");
	if (!ret)
		ret = write_str(FI_DEBUGFS "/fail_page_alloc/min-order", "0");
	return ret;
}

/*
 * Tell whoever reads the kernel log (tools/vm/lib/vm.sh) that allocations
 * now fail on purpose: the kernel reports some with a stack dump.
 */
static inline void fault_window(bool on)
{
	const char *msg = on ? "axs-test: fault injection on\n" : "axs-test: fault injection off\n";
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = write(fd, msg, strlen(msg));

		(void)n;	/* best effort: without it a stack dump fails the run, loudly */
		close(fd);
	}
}

/* Fail the @n-th fault site this thread reaches from now on. */
static inline int fault_arm(int fnth, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fnth, buf, len, 0) == len ? 0 : -errno;
}

/*
 * Whether the armed fault fired, and injection off. The read and the write
 * of fail-nth are user copies themselves: while the count is still running
 * they may take the fault (the read then fails: not fired, rightly), so the
 * write of "0" is retried.
 */
static inline bool fault_fired(int fnth)
{
	char buf[16];
	ssize_t n;
	int i;

	n = pread(fnth, buf, sizeof(buf) - 1, 0);
	for (i = 0; i < 3 && pwrite(fnth, "0", 1, 0) != 1; i++)
		;
	return n >= 1 && buf[0] == '0';
}

#endif /* AXS_FAILNTH_H */
