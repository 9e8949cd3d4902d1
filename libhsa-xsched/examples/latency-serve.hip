// SPDX-License-Identifier: MIT
/*
 * latency-serve: a latency-critical HIP service, in miniature. It says so
 * through libhsa-xsched's API (class realtime, a deadline per request),
 * then serves REQUESTS requests of KERNELS short kernels each, one every
 * PERIOD ms, and prints the latency percentiles. Beside a batch job
 * (batch-train) under xschedd, its p99 stays near its standalone value.
 *
 *   latency-serve [REQUESTS [KERNELS [PERIOD_MS [DEADLINE_MS]]]]
 *
 * Build: make -C libhsa-xsched/examples (hipcc, gfx942); see README.md.
 */
#include <hip/hip_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <xsched.h>

#define CHECK(call)								\
	do {									\
		hipError_t e_ = (call);						\
		if (e_ != hipSuccess) {						\
			fprintf(stderr, "latency-serve: %s: %s\n", #call,	\
				hipGetErrorString(e_));				\
			exit(1);						\
		}								\
	} while (0)

/* A stand-in for one layer: a few microseconds of arithmetic per thread. */
__global__ void layer(float *x, int iters)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	float v = x[i];

	for (int k = 0; k < iters; k++)
		v = v * 0.999f + 0.001f;
	x[i] = v;
}

static unsigned long arg(int argc, char **argv, int i, unsigned long def)
{
	return argc > i ? strtoul(argv[i], nullptr, 10) : def;
}

int main(int argc, char **argv)
{
	const unsigned long requests = arg(argc, argv, 1, 200);
	const unsigned long kernels = arg(argc, argv, 2, 10);
	const unsigned long period_ms = arg(argc, argv, 3, 20);
	const unsigned long deadline_ms = arg(argc, argv, 4, 10);
	const int blocks = 80, threads = 256;
	std::vector<double> lat;
	hipStream_t s;
	float *x;
	int lo, hi, r;

	/* Hints for xschedd; without the module these say -ENODEV and we go on. */
	r = xsched_set_class(XSCHED_CLASS_REALTIME);
	if (!r)
		r = xsched_set_deadline_ns(deadline_ms * 1000000ULL);
	printf("latency-serve: scheduling hints %s\n", r ? "not taken (no amdxsched)" : "set");

	CHECK(hipDeviceGetStreamPriorityRange(&lo, &hi));
	CHECK(hipStreamCreateWithPriority(&s, hipStreamDefault, hi));
	CHECK(hipMalloc(&x, sizeof(float) * blocks * threads));
	CHECK(hipMemsetAsync(x, 0, sizeof(float) * blocks * threads, s));
	CHECK(hipStreamSynchronize(s));

	auto next = std::chrono::steady_clock::now();
	for (unsigned long q = 0; q < requests; q++) {
		std::this_thread::sleep_until(next);
		auto t0 = std::chrono::steady_clock::now();
		for (unsigned long k = 0; k < kernels; k++)
			layer<<<blocks, threads, 0, s>>>(x, 2000);
		CHECK(hipGetLastError());
		CHECK(hipStreamSynchronize(s));
		lat.push_back(std::chrono::duration<double, std::milli>(
				      std::chrono::steady_clock::now() - t0).count());
		next += std::chrono::milliseconds(period_ms);
	}
	std::sort(lat.begin(), lat.end());
	printf("latency-serve: %lu requests, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       requests, lat[lat.size() / 2], lat[(lat.size() * 99) / 100], lat.back());
	CHECK(hipFree(x));
	CHECK(hipStreamDestroy(s));
	return 0;
}
