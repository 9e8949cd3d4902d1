// SPDX-License-Identifier: MIT
/*
 * axs-hw-latency: what amdxsched's kfd backend does on a real GPU. For users
 * with an MI300-class GPU (gfx942), amdxsched.ko loaded and the kfd backend
 * RUNNING; it cannot run in the project's VMs (no GPU there).
 *
 * In one process, a low-priority stream keeps a "spinner" kernel (every CU
 * busy, each workgroup spinning for --spin-us) always queued, and:
 *
 *  1. suspend/resume latency of that busy queue: --rounds suspends at Lv3
 *     and at Lv2, each resumed after --hold-ms, timing each ioctl (the kfd
 *     backend returns once amdkfd's unmap completed);
 *  2. tail latency of a short kernel on a high-priority stream, alone and
 *     while the spinner runs: --rounds launches, host time from launch to completion,
 *     natively and with amdxsched (the spinner's queue suspended at Lv3
 *     around each short kernel), plus the spinner's throughput in each case.
 *
 * Build: tools/hw/build.sh (Debian sid's hipcc, --offload-arch=gfx942).
 * Run as root or with control of /dev/amdxsched: ./axs-hw-latency [options]
 */
#include <hip/hip_runtime.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

extern "C" {
#include "axs.h"
}

#define HIP_CHECK(x) do { \
	hipError_t __e = (x); \
	if (__e != hipSuccess) { \
		fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, \
			hipGetErrorString(__e)); \
		exit(2); \
	} \
} while (0)

struct options {
	unsigned int rounds = 200;
	unsigned int spin_us = 20000;	/* per spinner workgroup */
	unsigned int short_us = 50;	/* per short-kernel workgroup */
	unsigned int hold_ms = 5;	/* suspended this long in part 1 */
	unsigned int gap_ms = 10;	/* between short kernels */
	int device = 0;
};

/* Spin until @ticks of the constant wall clock have passed. */
__global__ void spin(unsigned long long ticks, unsigned int *done)
{
	unsigned long long end = (unsigned long long)wall_clock64() + ticks;

	while ((unsigned long long)wall_clock64() < end)
		;
	if (threadIdx.x == 0 && done)
		atomicAdd_system(done, 1);
}

static double now_us(void)
{
	return axs_now_ns() / 1e3;
}

static double pct(std::vector<double> v, double p)
{
	if (v.empty())
		return 0;
	std::sort(v.begin(), v.end());
	return v[std::min(v.size() - 1, (size_t)(p / 100.0 * v.size()))];
}

static void report(const char *what, const std::vector<double> &v)
{
	printf("%-36s n=%-5zu p50 %9.1f us  p99 %9.1f us  max %9.1f us\n", what, v.size(),
	       pct(v, 50), pct(v, 99), pct(v, 100));
}

/* Our queues' dispatch counters by handle. */
static std::vector<amdxsched_queue_info> our_queues(int fd)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0;
	std::vector<amdxsched_queue_info> v;

	if (axs_list_queues(fd, (uint32_t)getpid(), AMDXSCHED_GPU_ANY, &q, &n) == 0)
		v.assign(q, q + n);
	free(q);
	return v;
}

/*
 * The KFD queue behind @s: launch @k short kernels on it and find the queue
 * whose AQL write id (dispatches_submitted) moved by at least @k. Retries
 * while discovery and the busy poller catch up. 0 if not found.
 */
static uint64_t queue_of(int fd, hipStream_t s, unsigned long long tick_per_us)
{
	const unsigned int k = 8;

	for (int attempt = 0; attempt < 50; attempt++) {
		std::vector<amdxsched_queue_info> before = our_queues(fd);

		for (unsigned int i = 0; i < k; i++)
			hipLaunchKernelGGL(spin, dim3(1), dim3(64), 0, s, 10 * tick_per_us,
					   (unsigned int *)NULL);
		HIP_CHECK(hipStreamSynchronize(s));
		usleep(20000);	/* several busy-poll rounds */
		std::vector<amdxsched_queue_info> after = our_queues(fd);
		uint64_t found = 0;
		int nfound = 0;

		for (const auto &a : after)
			for (const auto &b : before)
				if (a.handle == b.handle &&
				    a.counters.dispatches_submitted >=
				    b.counters.dispatches_submitted + k) {
					found = a.handle;
					nfound++;
				}
		if (nfound == 1)
			return found;
	}
	return 0;
}

/* Keeps the spinner queued until stopped; counts finished workgroups. */
struct spinner {
	hipStream_t s;
	unsigned int grid;
	unsigned long long ticks;
	unsigned int *done;		/* device-visible counter */
	std::atomic<bool> stop{false};
	std::thread t;

	void run()
	{
		while (!stop.load()) {
			hipLaunchKernelGGL(spin, dim3(grid), dim3(256), 0, s, ticks, done);
			/* keep about two kernels in the queue */
			hipEvent_t e;

			HIP_CHECK(hipEventCreateWithFlags(&e, hipEventDisableTiming));
			HIP_CHECK(hipEventRecord(e, s));
			hipLaunchKernelGGL(spin, dim3(grid), dim3(256), 0, s, ticks, done);
			HIP_CHECK(hipEventSynchronize(e));
			HIP_CHECK(hipEventDestroy(e));
		}
		HIP_CHECK(hipStreamSynchronize(s));
	}
};

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--rounds N] [--spin-us US] [--short-us US] [--hold-ms MS]\n"
		"          [--gap-ms MS] [--device N]\n", argv0);
	exit(2);
}

static unsigned int arg_uint(int argc, char **argv, int *i)
{
	char *end;
	unsigned long v;

	if (*i + 1 >= argc)
		usage(argv[0]);
	errno = 0;
	v = strtoul(argv[++*i], &end, 10);
	if (errno || *end || v > 100000000UL)
		usage(argv[0]);
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	struct options o;
	struct amdxsched_backend_info bi;
	int fd, lo_prio, hi_prio, khz, ncu;
	hipStream_t lo, hi;
	unsigned long long tick_per_us;
	uint64_t lowq, highq;
	unsigned int *done;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds"))
			o.rounds = arg_uint(argc, argv, &i);
		else if (!strcmp(argv[i], "--spin-us"))
			o.spin_us = arg_uint(argc, argv, &i);
		else if (!strcmp(argv[i], "--short-us"))
			o.short_us = arg_uint(argc, argv, &i);
		else if (!strcmp(argv[i], "--hold-ms"))
			o.hold_ms = arg_uint(argc, argv, &i);
		else if (!strcmp(argv[i], "--gap-ms"))
			o.gap_ms = arg_uint(argc, argv, &i);
		else if (!strcmp(argv[i], "--device"))
			o.device = (int)arg_uint(argc, argv, &i);
		else
			usage(argv[0]);
	}
	if (!o.rounds)
		usage(argv[0]);

	fd = axs_open(O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", AXS_DEVICE_PATH, strerror(-fd));
		return 1;
	}
	if (axs_backend_info(fd, AMDXSCHED_BACKEND_KFD, &bi) ||
	    bi.status != AMDXSCHED_BACKEND_RUNNING) {
		fprintf(stderr, "the kfd backend is not running: %s\n", bi.detail);
		return 1;
	}

	HIP_CHECK(hipSetDevice(o.device));
	HIP_CHECK(hipDeviceGetAttribute(&khz, hipDeviceAttributeWallClockRate, o.device));
	HIP_CHECK(hipDeviceGetAttribute(&ncu, hipDeviceAttributeMultiprocessorCount, o.device));
	tick_per_us = (unsigned long long)khz / 1000;
	HIP_CHECK(hipDeviceGetStreamPriorityRange(&lo_prio, &hi_prio));
	HIP_CHECK(hipStreamCreateWithPriority(&lo, hipStreamNonBlocking, lo_prio));
	HIP_CHECK(hipStreamCreateWithPriority(&hi, hipStreamNonBlocking, hi_prio));
	HIP_CHECK(hipHostMalloc((void **)&done, sizeof(*done), hipHostMallocCoherent));
	*done = 0;

	lowq = queue_of(fd, lo, tick_per_us);
	highq = queue_of(fd, hi, tick_per_us);
	if (!lowq || !highq || lowq == highq) {
		fprintf(stderr, "cannot tell the two streams' KFD queues apart (%llu, %llu);"
			" is the busy poller watching them? try GPU_MAX_HW_QUEUES=4\n",
			(unsigned long long)lowq, (unsigned long long)highq);
		return 1;
	}
	printf("# device %d: %d CUs, wall clock %d kHz; low queue %llu, high queue %llu\n",
	       o.device, ncu, khz, (unsigned long long)lowq, (unsigned long long)highq);
	printf("# spinner: %d workgroups x %u us; short kernel: %d workgroups x %u us\n",
	       ncu * 8, o.spin_us, ncu, o.short_us);

	/* 0. the short kernel alone, for reference */
	{
		std::vector<double> lat;

		for (unsigned int r = 0; r < o.rounds; r++) {
			double t0 = now_us();

			hipLaunchKernelGGL(spin, dim3(ncu), dim3(64), 0, hi,
					   o.short_us * tick_per_us, (unsigned int *)NULL);
			HIP_CHECK(hipStreamSynchronize(hi));
			lat.push_back(now_us() - t0);
			usleep(o.gap_ms * 1000);
		}
		report("short kernel alone", lat);
	}

	spinner sp;
	sp.s = lo;
	sp.grid = (unsigned int)ncu * 8;
	sp.ticks = o.spin_us * tick_per_us;
	sp.done = done;
	sp.t = std::thread(&spinner::run, &sp);
	usleep(200000);

	/* 1. suspend and resume of the busy queue */
	const unsigned int levels[] = { AMDXSCHED_LEVEL_INTERRUPT, AMDXSCHED_LEVEL_DEACTIVATE };
	for (unsigned int level : levels) {
		std::vector<double> sus, res;

		for (unsigned int r = 0; r < o.rounds; r++) {
			int32_t st = 0;
			uint64_t lease;
			double t0 = now_us();
			int err = axs_suspend(fd, &lowq, 1, level, 1000, &st, &lease);
			double t1 = now_us();

			if (err) {
				fprintf(stderr, "suspend Lv%u: %s (entry %d)\n", level, strerror(-err), st);
				break;
			}
			sus.push_back(t1 - t0);
			usleep(o.hold_ms * 1000);
			t0 = now_us();
			err = axs_resume(fd, &lowq, 1, 0, &st);
			t1 = now_us();
			if (err) {
				fprintf(stderr, "resume: %s (entry %d)\n", strerror(-err), st);
				break;
			}
			res.push_back(t1 - t0);
			usleep(o.hold_ms * 1000);
		}
		char name[64];

		snprintf(name, sizeof(name), "suspend Lv%u of the busy queue", level);
		report(name, sus);
		snprintf(name, sizeof(name), "resume after Lv%u", level);
		report(name, res);
	}

	/* 2. a short high-priority kernel beside the spinner, without and with */
	for (int with = 0; with <= 1; with++) {
		std::vector<double> lat;
		unsigned int done0 = __atomic_load_n(done, __ATOMIC_RELAXED);
		double start = now_us();

		for (unsigned int r = 0; r < o.rounds; r++) {
			int32_t st;
			uint64_t lease;
			double t0 = now_us();

			if (with && axs_suspend(fd, &lowq, 1, AMDXSCHED_LEVEL_INTERRUPT, 1000, &st,
						&lease)) {
				fprintf(stderr, "suspend failed (entry %d)\n", st);
				break;
			}
			hipLaunchKernelGGL(spin, dim3(ncu), dim3(64), 0, hi,
					   o.short_us * tick_per_us, (unsigned int *)NULL);
			HIP_CHECK(hipStreamSynchronize(hi));
			if (with)
				axs_resume(fd, &lowq, 1, 0, &st);
			lat.push_back(now_us() - t0);
			usleep(o.gap_ms * 1000);
		}
		double secs = (now_us() - start) / 1e6;
		unsigned int wgs = __atomic_load_n(done, __ATOMIC_RELAXED) - done0;

		report(with ? "short kernel, amdxsched Lv3" : "short kernel, native (priority only)",
		       lat);
		printf("%-36s %.1f workgroups/s\n", "  spinner throughput meanwhile", wgs / secs);
	}

	sp.stop = true;
	sp.t.join();
	HIP_CHECK(hipHostFree(done));
	close(fd);
	return 0;
}
