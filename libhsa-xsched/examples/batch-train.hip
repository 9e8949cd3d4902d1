// SPDX-License-Identifier: MIT
/*
 * batch-train: a throughput job, in miniature. It knows nothing of
 * amdxsched: run it unchanged under xsched-run to make it best effort,
 *
 *   xsched-run --class best-effort -- batch-train [SECONDS [BLOCKS]]
 *
 * It keeps two long kernels in flight on every CU for SECONDS and prints
 * kernels per second, the number xschedd trades against latency-serve's.
 */
#include <hip/hip_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#define CHECK(call)								\
	do {									\
		hipError_t e_ = (call);						\
		if (e_ != hipSuccess) {						\
			fprintf(stderr, "batch-train: %s: %s\n", #call,		\
				hipGetErrorString(e_));				\
			exit(1);						\
		}								\
	} while (0)

/* A big step: many blocks, each a long loop, so the GPU stays full. */
__global__ void step(float *w, int iters)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	float v = w[i];

	for (int k = 0; k < iters; k++)
		v = v * 0.9999f + 0.0001f;
	w[i] = v;
}

int main(int argc, char **argv)
{
	const double seconds = argc > 1 ? strtod(argv[1], nullptr) : 10.0;
	const int blocks = argc > 2 ? atoi(argv[2]) : 1024 * 80, threads = 256;
	unsigned long done = 0;
	hipEvent_t ev[2];
	hipStream_t s;
	float *w;

	if (blocks <= 0 || seconds <= 0) {
		fprintf(stderr, "usage: batch-train [SECONDS [BLOCKS]]\n");
		return 2;
	}
	CHECK(hipStreamCreate(&s));
	CHECK(hipMalloc(&w, sizeof(float) * (size_t)blocks * threads));
	CHECK(hipMemsetAsync(w, 0, sizeof(float) * (size_t)blocks * threads, s));
	CHECK(hipEventCreate(&ev[0]));
	CHECK(hipEventCreate(&ev[1]));

	auto t0 = std::chrono::steady_clock::now();
	auto elapsed = [&] {
		return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	};
	/* Two in flight: wait for the older before queueing the next. */
	for (unsigned long k = 0; elapsed() < seconds; k++) {
		if (k >= 2) {
			CHECK(hipEventSynchronize(ev[k % 2]));
			done++;
		}
		step<<<blocks, threads, 0, s>>>(w, 20000);
		CHECK(hipGetLastError());
		CHECK(hipEventRecord(ev[k % 2], s));
	}
	CHECK(hipStreamSynchronize(s));
	printf("batch-train: %.2f kernels/s over %.1f s\n", done / elapsed(), elapsed());
	CHECK(hipFree(w));
	CHECK(hipStreamDestroy(s));
	return 0;
}
