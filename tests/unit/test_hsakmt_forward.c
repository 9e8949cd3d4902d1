// SPDX-License-Identifier: MIT
/*
 * The hsakmt override, loaded as a program's ROCr would load it, in front
 * of fake_hsakmt.c standing in for the real library: every function
 * reaches the real one with its arguments and result unchanged (eight
 * words, so stack arguments too), the hooked four with their typed
 * arguments, and a missing library or function fails the call instead of
 * the process. Each TEST runs in its own process (the harness forks), so
 * each loads the override afresh.
 */
#define _GNU_SOURCE	/* dladdr() */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#if __has_include(<hsakmt/hsakmt.h>)
#include <hsakmt/hsakmt.h>
#else
#include <hsakmt.h>
#endif

#ifndef OVERRIDE
#error "build with -DOVERRIDE=<path of the built xsched/libhsakmt.so.1>"
#endif

struct fake_call {
	int index;
	uint64_t arg[8];
	uint64_t calls;
};

typedef uint64_t (*fn8)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
			uint64_t, uint64_t);

static const struct {
	const char *name;
	int hooked;
} syms[] = {
#define XSK_FORWARD(n) { #n, 0 },
#define XSK_HOOK(n) { #n, 1 },
#include "hsakmt_symbols.h"
#undef XSK_FORWARD
#undef XSK_HOOK
};

#define NSYMS ((int)(sizeof(syms) / sizeof(syms[0])))

static int index_of(const char *name)
{
	for (int i = 0; i < NSYMS; i++)
		if (!strcmp(syms[i].name, name))
			return i;
	return -1;
}

/* The test's own stderr while the library's goes to a file. */
static int saved_stderr = -1;

/* Load the override with XSCHED_HSAKMT_LIBRARY=real; stderr goes to *err_fd. */
static void *load(struct __test_metadata *_metadata, const char *real, int *err_fd)
{
	char tmpl[] = "/tmp/xsk-stderr-XXXXXX";
	void *h;
	int fd;

	if (real)
		ASSERT_EQ(0, setenv("XSCHED_HSAKMT_LIBRARY", real, 1));
	if (err_fd) {
		fd = mkstemp(tmpl);
		ASSERT_LE(0, fd);
		unlink(tmpl);
		saved_stderr = dup(STDERR_FILENO);
		ASSERT_LE(0, saved_stderr);
		ASSERT_EQ(STDERR_FILENO, dup2(fd, STDERR_FILENO));
		*err_fd = fd;
	}
	h = dlopen(OVERRIDE, RTLD_NOW | RTLD_LOCAL);
	ASSERT_NE(NULL, h) TH_LOG("%s", dlerror());
	return h;
}

/* What the library wrote so far; stderr is the test's again afterwards. */
static void read_all(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	if (saved_stderr >= 0)
		dup2(saved_stderr, STDERR_FILENO);
}

static struct fake_call *fake_state(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);

	return h ? dlsym(h, "fake_last") : NULL;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

TEST(the_list_is_complete_and_sorted)
{
	ASSERT_EQ(88, NSYMS);
	for (int i = 1; i < NSYMS; i++) {
		EXPECT_GT(strcmp(syms[i].name, syms[i - 1].name), 0) TH_LOG("%s", syms[i].name);
	}
	EXPECT_EQ(1, syms[index_of("hsaKmtCreateQueue")].hooked);
	EXPECT_EQ(1, syms[index_of("hsaKmtUpdateQueue")].hooked);
	EXPECT_EQ(1, syms[index_of("hsaKmtSetQueueCUMask")].hooked);
	EXPECT_EQ(1, syms[index_of("hsaKmtDestroyQueue")].hooked);
}

TEST(every_forwarded_function_reaches_the_real_one_unchanged)
{
	void *h = load(_metadata, FAKE_NEW, NULL);
	struct fake_call *fake = fake_state(FAKE_NEW);
	int forwarded = 0;

	ASSERT_NE(NULL, fake);
	for (int i = 0; i < NSYMS; i++) {
		uint64_t a[8], ret;
		Dl_info info;
		fn8 f;

		if (syms[i].hooked)
			continue;
		f = (fn8)dlsym(h, syms[i].name);
		ASSERT_NE(NULL, f) TH_LOG("%s", syms[i].name);
		/* The override's own function, not the real one found by dlsym. */
		ASSERT_NE(0, dladdr((void *)f, &info));
		EXPECT_STREQ(OVERRIDE, info.dli_fname) TH_LOG("%s", syms[i].name);
		for (int k = 0; k < 8; k++)
			a[k] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i * 8 + k + 1);
		ret = f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
		EXPECT_EQ(1000 + (uint64_t)i, ret) TH_LOG("%s", syms[i].name);
		EXPECT_EQ(i, fake->index) TH_LOG("%s", syms[i].name);
		for (int k = 0; k < 8; k++) {
			EXPECT_EQ(a[k], fake->arg[k]) TH_LOG("%s arg %d", syms[i].name, k);
		}
		forwarded++;
	}
	EXPECT_EQ(84, forwarded);
	EXPECT_EQ(84, fake->calls);
}

TEST(hooked_functions_pass_typed_arguments_and_results)
{
	void *h = load(_metadata, FAKE_NEW, NULL);
	struct fake_call *fake = fake_state(FAKE_NEW);
	__typeof__(&hsaKmtCreateQueue) create = (__typeof__(create))dlsym(h, "hsaKmtCreateQueue");
	__typeof__(&hsaKmtUpdateQueue) update = (__typeof__(update))dlsym(h, "hsaKmtUpdateQueue");
	__typeof__(&hsaKmtSetQueueCUMask) cumask =
		(__typeof__(cumask))dlsym(h, "hsaKmtSetQueueCUMask");
	__typeof__(&hsaKmtDestroyQueue) destroy =
		(__typeof__(destroy))dlsym(h, "hsaKmtDestroyQueue");
	HsaQueueResource res;
	HSAuint32 mask[4] = { 0xffff, 0, 0xf0f0, 1 };
	char ring[64], ev[64];

	ASSERT_NE(NULL, fake);
	ASSERT_NE(NULL, create);
	ASSERT_NE(NULL, update);
	ASSERT_NE(NULL, cumask);
	ASSERT_NE(NULL, destroy);

	memset(&res, 0, sizeof(res));
	EXPECT_EQ(1000 + index_of("hsaKmtCreateQueue"),
		  create(7, HSA_QUEUE_COMPUTE_AQL, 100, HSA_QUEUE_PRIORITY_HIGH, ring,
			 1 << 20, (HsaEvent *)ev, &res));
	EXPECT_EQ(index_of("hsaKmtCreateQueue"), fake->index);
	EXPECT_EQ(7, (uint32_t)fake->arg[0]);
	EXPECT_EQ(HSA_QUEUE_COMPUTE_AQL, (uint32_t)fake->arg[1]);
	EXPECT_EQ(100, (uint32_t)fake->arg[2]);
	EXPECT_EQ(HSA_QUEUE_PRIORITY_HIGH, (int32_t)fake->arg[3]);
	EXPECT_EQ((uintptr_t)ring, fake->arg[4]);
	EXPECT_EQ(1 << 20, fake->arg[5]);
	EXPECT_EQ((uintptr_t)ev, fake->arg[6]);
	EXPECT_EQ((uintptr_t)&res, fake->arg[7]);
	EXPECT_EQ(0xc0ffee00 + fake->calls, res.QueueId);	/* the real one's output */

	EXPECT_EQ(1000 + index_of("hsaKmtUpdateQueue"),
		  update(res.QueueId, 50, HSA_QUEUE_PRIORITY_MINIMUM, ring, 4096, NULL));
	EXPECT_EQ(index_of("hsaKmtUpdateQueue"), fake->index);
	EXPECT_EQ(res.QueueId, fake->arg[0]);
	EXPECT_EQ(50, (uint32_t)fake->arg[1]);
	EXPECT_EQ(HSA_QUEUE_PRIORITY_MINIMUM, (int32_t)fake->arg[2]);
	EXPECT_EQ(4096, fake->arg[4]);

	EXPECT_EQ(1000 + index_of("hsaKmtSetQueueCUMask"), cumask(res.QueueId, 128, mask));
	EXPECT_EQ(index_of("hsaKmtSetQueueCUMask"), fake->index);
	EXPECT_EQ(128, (uint32_t)fake->arg[1]);
	EXPECT_EQ((uintptr_t)mask, fake->arg[2]);

	EXPECT_EQ(1000 + index_of("hsaKmtDestroyQueue"), destroy(res.QueueId));
	EXPECT_EQ(index_of("hsaKmtDestroyQueue"), fake->index);
	EXPECT_EQ(res.QueueId, fake->arg[0]);

	/* A failed creation (QueueResource NULL here) still passes through. */
	EXPECT_EQ(1000 + index_of("hsaKmtCreateQueue"),
		  create(1, HSA_QUEUE_SDMA, 0, HSA_QUEUE_PRIORITY_NORMAL, NULL, 0, NULL, NULL));
	EXPECT_EQ(0, fake->arg[7]);
}

/* An older, unversioned hsakmt: what it lacks says NOT_SUPPORTED, the rest works. */
TEST(functions_the_real_library_lacks_return_not_supported)
{
	void *h = load(_metadata, FAKE_OLD, NULL);
	struct fake_call *fake = fake_state(FAKE_OLD);
	fn8 start = (fn8)dlsym(h, "hsaKmtPcSamplingStart");
	fn8 open = (fn8)dlsym(h, "hsaKmtOpenKFD");

	ASSERT_NE(NULL, fake);
	ASSERT_NE(NULL, start);
	ASSERT_NE(NULL, open);
	EXPECT_EQ(HSAKMT_STATUS_NOT_SUPPORTED, (uint32_t)start(1, 2, 3, 4, 5, 6, 7, 8));
	EXPECT_EQ(0, fake->calls);
	EXPECT_EQ(1000 + index_of("hsaKmtOpenKFD"), open(1, 2, 3, 4, 5, 6, 7, 8));
	EXPECT_EQ(1, fake->calls);
}

/* No real library: every call fails with ERROR, and the reason is said once. */
TEST(a_missing_real_library_fails_calls_not_the_process)
{
	int err;
	void *h = load(_metadata, "/nonexistent/libhsakmt.so.1", &err);
	fn8 open = (fn8)dlsym(h, "hsaKmtOpenKFD");
	__typeof__(&hsaKmtCreateQueue) create = (__typeof__(create))dlsym(h, "hsaKmtCreateQueue");
	HsaQueueResource res = { 0 };
	char out[4096];

	ASSERT_NE(NULL, open);
	EXPECT_EQ(HSAKMT_STATUS_ERROR, (uint32_t)open(0, 0, 0, 0, 0, 0, 0, 0));
	EXPECT_EQ(HSAKMT_STATUS_ERROR, create(0, HSA_QUEUE_COMPUTE_AQL, 100,
					      HSA_QUEUE_PRIORITY_NORMAL, NULL, 0, NULL, &res));
	EXPECT_EQ(HSAKMT_STATUS_ERROR, (uint32_t)open(0, 0, 0, 0, 0, 0, 0, 0));
	read_all(err, out, sizeof(out));
	EXPECT_EQ(1, count(out, "XSCHED_HSAKMT_LIBRARY: ")) TH_LOG("%s", out);
	EXPECT_EQ(1, count(out, "was not found")) TH_LOG("%s", out);
}

/* Pointing the override at itself must not recurse. */
TEST(the_override_refuses_itself_as_the_real_library)
{
	int err;
	void *h = load(_metadata, OVERRIDE, &err);
	fn8 open = (fn8)dlsym(h, "hsaKmtOpenKFD");
	char out[4096];

	ASSERT_NE(NULL, open);
	EXPECT_EQ(HSAKMT_STATUS_ERROR, (uint32_t)open(0, 0, 0, 0, 0, 0, 0, 0));
	read_all(err, out, sizeof(out));
	EXPECT_NE(NULL, strstr(out, "is the override itself")) TH_LOG("%s", out);
}

/*
 * Without the module (no /dev/amdxsched on a build host), with a class
 * and bad hints in the environment: calls still pass, the bad value is
 * reported once, and XSCHED_DEBUG says the process runs unscheduled.
 */
TEST(without_the_module_calls_pass_and_bad_hints_are_said_once)
{
	struct fake_call *fake;
	HsaQueueResource res = { 0 };
	char out[8192];
	void *h;
	int err;
	__typeof__(&hsaKmtCreateQueue) create;

	if (!access("/dev/amdxsched", F_OK))
		SKIP(return, "/dev/amdxsched exists here: this test wants it absent");
	ASSERT_EQ(0, setenv("XSCHED_CLASS", "realtime", 1));
	ASSERT_EQ(0, setenv("XSCHED_DEADLINE", "soon", 1));
	ASSERT_EQ(0, setenv("XSCHED_DEBUG", "1", 1));
	h = load(_metadata, FAKE_NEW, &err);
	fake = fake_state(FAKE_NEW);
	create = (__typeof__(create))dlsym(h, "hsaKmtCreateQueue");
	ASSERT_NE(NULL, fake);
	ASSERT_NE(NULL, create);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(HSAKMT_STATUS_SUCCESS,
			  create(0, HSA_QUEUE_COMPUTE_AQL, 100, HSA_QUEUE_PRIORITY_NORMAL, NULL,
				 0, NULL, &res));
		EXPECT_EQ(0xc0ffee00 + fake->calls, res.QueueId);
	}
	EXPECT_EQ(3, fake->calls);
	read_all(err, out, sizeof(out));
	EXPECT_EQ(1, count(out, "XSCHED_DEADLINE='soon'")) TH_LOG("%s", out);
	EXPECT_EQ(1, count(out, "running unscheduled")) TH_LOG("%s", out);
	EXPECT_EQ(3, count(out, "module absent")) TH_LOG("%s", out);
	EXPECT_EQ(1, count(out, "forwarding 88 functions")) TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
