// SPDX-License-Identifier: MIT
/*
 * axs-hw-scenario: plays an xsched-sim scenario (tools/xsched-sim/scenarios)
 * on a real gfx942 GPU and prints the table xsched-sim prints, measured
 * instead of predicted. One process per tenant, as the user's workloads
 * run, but for a tenant's process= streams, which are threads of its
 * process, each with its own stream (of the HIP priority of its class under
 * native-prio and xschedd, where libhsa-xsched makes that the queue's own
 * class); each request is the tenant's kernels in order on one HIP stream,
 * each kernel `grid` workgroups of one wave that spin on the GPU's constant
 * wall clock for `wg`, with LDS in proportion to `footprint` so that as many
 * fit on a CU as the model lets fit.
 *
 * Executors: native (default stream priorities), native-prio (the realtime
 * class on the highest stream priority), cu-split (hipExtStreamCreateWithCUMask:
 * realtime 25%, the rest 75%, in amdkfd's mask-bit order), xschedd (plain
 * streams; each process gets XSCHED_CLASS/XSCHED_TAG from its tenant, so
 * xschedd started with the scenario's policy schedules them; run the player
 * under xsched-run). Tools/hw/README.md says what to run.
 *
 * It has not run: there is no AMD GPU where it was written. It builds in
 * make check with Debian's hipcc for gfx942; its bookkeeping (counting
 * requests, the table) is xsched-sim's own, tested on the host.
 */
#include <hip/hip_runtime.h>
#include <hip/hip_ext.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <condition_variable>
#include <string>
#include <thread>
#include <vector>

#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern "C" {
#include "calibrate.h"
#include "engine.h"
#include "report.h"
#include "scenario.h"
}

#define HIP_CHECK(x) do { \
	hipError_t __e = (x); \
	if (__e != hipSuccess) { \
		fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, \
			hipGetErrorString(__e)); \
		_exit(3); \
	} \
} while (0)

/* Spin until @ticks of the constant wall clock have passed; LDS only reserved. */
__global__ void spin(unsigned long long ticks)
{
	extern __shared__ char lds[];
	unsigned long long end = (unsigned long long)wall_clock64() + ticks;

	if (threadIdx.x == 1024)	/* never: keeps the LDS allocation live */
		lds[0] = 0;
	while ((unsigned long long)wall_clock64() < end)
		;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ULL), (long)(t % 1000000000ULL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

enum exec { NATIVE, NATIVE_PRIO, CU_SPLIT, XSCHEDD };

static const char *const exec_names[] = { "native", "native-prio", "cu-split", "xschedd" };

struct pending {
	uint64_t arrival;
	hipEvent_t done;
};

/*
 * One tenant's stream, in its process: play its requests from @t0 until
 * the end of the scenario into @done. Its class chooses the stream's
 * priority where the executor uses priorities (native-prio; and xschedd,
 * where libhsa-xsched's hooks make a high or low priority the queue's own
 * class, so that a process's streams can differ).
 */
static void play_stream(const struct xsim_scenario *s, uint32_t i, enum exec ex, int device,
			uint64_t t0, std::vector<xsim_request> &done)
{
	const struct xsim_tenant *t = &s->tenants[i];
	std::deque<pending> inflight;
	std::mutex mu;
	std::condition_variable cv;
	bool finished = false;
	hipStream_t st;
	int khz = 0, ncu = 0, lo = 0, hi = 0;
	/* the simulator's own arrivals (scenario.c) */
	uint64_t rng = xsim_arrival_seed(s, i), next = t0 + xsim_first_arrival(i);
	uint64_t end = t0 + s->duration_ns;

	HIP_CHECK(hipSetDevice(device));
	HIP_CHECK(hipDeviceGetAttribute(&khz, hipDeviceAttributeWallClockRate, device));
	HIP_CHECK(hipDeviceGetAttribute(&ncu, hipDeviceAttributeMultiprocessorCount, device));
	if (ex == NATIVE_PRIO || (ex == XSCHEDD && t->process >= 0)) {
		int prio;

		/* HIP: a lower number is a higher priority; the range is [hi, lo] */
		HIP_CHECK(hipDeviceGetStreamPriorityRange(&lo, &hi));
		prio = t->sched_class == AXSP_CLASS_REALTIME ? hi :
		       t->sched_class == AXSP_CLASS_BEST_EFFORT || ex == NATIVE_PRIO ? lo : 0;
		HIP_CHECK(hipStreamCreateWithPriority(&st, hipStreamNonBlocking, prio));
	} else if (ex == CU_SPLIT) {
		uint32_t rt = (uint32_t)ncu / 4, first, count;
		std::vector<uint32_t> mask((ncu + 31) / 32, 0);

		first = t->sched_class == AXSP_CLASS_REALTIME ? 0 : rt;
		count = t->sched_class == AXSP_CLASS_REALTIME ? rt : (uint32_t)ncu - rt;
		for (uint32_t b = first; b < first + count; b++)
			mask[b / 32] |= 1U << (b % 32);
		HIP_CHECK(hipExtStreamCreateWithCUMask(&st, (uint32_t)mask.size(), mask.data()));
	} else {
		HIP_CHECK(hipStreamCreateWithFlags(&st, hipStreamNonBlocking));
	}
	/* warm up the code object and the queue before the clock starts */
	hipLaunchKernelGGL(spin, dim3(1), dim3(64), 0, st, 1ULL);
	HIP_CHECK(hipStreamSynchronize(st));

	/* requests end in order: one thread waits for each in turn */
	std::thread waiter([&] {
		for (;;) {
			pending p;
			{
				std::unique_lock<std::mutex> l(mu);
				cv.wait(l, [&] { return finished || !inflight.empty(); });
				if (inflight.empty())
					return;
				p = inflight.front();
			}
			HIP_CHECK(hipEventSynchronize(p.done));
			uint64_t e = now_ns();
			HIP_CHECK(hipEventDestroy(p.done));
			std::lock_guard<std::mutex> l(mu);
			inflight.pop_front();
			done.push_back({ p.arrival - t0, e - t0 });
			cv.notify_all();
		}
	});

	while (next < end) {
		pending p;

		sleep_until(next);
		p.arrival = next;
		for (uint32_t k = 0; k < t->nkernels; k++) {
			const struct xsim_kernel *kk = &t->kernels[k];
			size_t lds = kk->footprint ? (size_t)((uint64_t)kk->footprint * 65536 /
							      s->gpu.cu_state_bytes) : 65536;

			hipLaunchKernelGGL(spin, dim3(kk->grid), dim3(64), lds > 65536 ? 65536 : lds,
					   st, (unsigned long long)(kk->wg_ns * (uint64_t)khz / 1000000));
		}
		HIP_CHECK(hipEventCreateWithFlags(&p.done, hipEventDisableTiming));
		HIP_CHECK(hipEventRecord(p.done, st));
		{
			std::unique_lock<std::mutex> l(mu);
			size_t before = done.size();

			inflight.push_back(p);
			cv.notify_all();
			if (t->arrival == XSIM_CLOSED) {
				cv.wait(l, [&] { return done.size() > before; });
				next = t0 + done.back().end_ns + t->think_ns;
				continue;
			}
		}
		next += xsim_arrival_gap(t, &rng);
	}
	{
		std::lock_guard<std::mutex> l(mu);
		finished = true;
		cv.notify_all();
	}
	waiter.join();
	HIP_CHECK(hipStreamDestroy(st));
}

/*
 * One process: tenant @owner and the streams that share its process
 * (process=owner), each on its own thread; each tenant's requests, as
 * struct xsim_request, to @outs[tenant]. The process takes @owner's class.
 */
static int process_main(const struct xsim_scenario *s, uint32_t owner, enum exec ex,
			int device, uint64_t t0, const std::vector<int> &outs)
{
	const struct xsim_tenant *t = &s->tenants[owner];
	std::vector<std::vector<xsim_request>> done(s->ntenants);
	std::vector<std::thread> streams;

	if (ex == XSCHEDD) {
		setenv("XSCHED_CLASS", t->sched_class == AXSP_CLASS_REALTIME ? "realtime" :
		       t->sched_class == AXSP_CLASS_BEST_EFFORT ? "best-effort" : "normal", 1);
		setenv("XSCHED_TAG", t->name, 1);
	}
	for (uint32_t i = 0; i < s->ntenants; i++)
		if (outs[i] >= 0)
			streams.emplace_back(play_stream, s, i, ex, device, t0, std::ref(done[i]));
	for (auto &th : streams)
		th.join();
	for (uint32_t i = 0; i < s->ntenants; i++) {
		uint64_t n = done[i].size();

		if (outs[i] < 0)
			continue;
		if (write(outs[i], &n, sizeof(n)) != (ssize_t)sizeof(n) ||
		    write(outs[i], done[i].data(), n * sizeof(done[i][0])) !=
		    (ssize_t)(n * sizeof(done[i][0])))
			return 1;
	}
	return 0;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = (char *)buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return false;
		}
		p += r;
		len -= (size_t)r;
	}
	return true;
}

/* The tenants in @mask, each in its own process; @r gets their results. */
/* Has an earlier tenant than @i waited for @i's process already? */
static bool reaped(const std::vector<pid_t> &pids, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (pids[j] == pids[i])
			return true;
	return false;
}

static int play(const struct xsim_scenario *s, enum exec ex, uint32_t mask, int device,
		FILE *csv, struct xsim_result *r)
{
	std::vector<pid_t> pids(s->ntenants, -1);
	std::vector<int> fds(s->ntenants, -1), statuses(s->ntenants, 0);
	uint64_t t0 = now_ns() + 3000000000ULL;	/* time for every process to start HIP */
	int err = 0;

	memset(r, 0, sizeof(*r));
	/* a process per owner; a tenant alone (mask) is played in a process of its own */
	for (uint32_t i = 0; i < s->ntenants; i++) {
		std::vector<int> outs(s->ntenants, -1);
		pid_t pid;

		if (!(mask & (1U << i)) || (s->tenants[i].process >= 0 &&
					    (mask & (1U << s->tenants[i].process))))
			continue;
		for (uint32_t j = 0; j < s->ntenants; j++) {
			int p[2];

			if (!(mask & (1U << j)) || (j != i && s->tenants[j].process != (int32_t)i))
				continue;
			if (pipe(p))
				return -errno;
			fds[j] = p[0];
			outs[j] = p[1];
		}
		pid = fork();
		if (pid == 0) {
			for (uint32_t j = 0; j < s->ntenants; j++)
				if (outs[j] >= 0)
					close(fds[j]);
			_exit(process_main(s, i, ex, device, t0, outs));
		}
		for (uint32_t j = 0; j < s->ntenants; j++) {
			if (outs[j] < 0)
				continue;
			close(outs[j]);
			pids[j] = pid;
		}
		if (pid < 0)
			return -errno;
	}
	/* every pipe read before any wait: a process writes its tenants in turn */
	std::vector<std::vector<xsim_request>> req(s->ntenants);

	for (uint32_t i = 0; i < s->ntenants; i++) {
		uint64_t n = 0;

		if (fds[i] < 0)
			continue;
		if (read_all(fds[i], &n, sizeof(n)) && n < (1ULL << 32)) {
			req[i].resize(n);
			if (!read_all(fds[i], req[i].data(), n * sizeof(req[i][0])))
				req[i].clear();
		}
		close(fds[i]);
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		int status = 0;

		if (fds[i] < 0)
			continue;
		/* the process's first tenant reaps it; the others take its status */
		for (uint32_t j = 0; j < i; j++)
			if (pids[j] == pids[i])
				status = statuses[j];
		if (!reaped(pids, i))
			waitpid(pids[i], &status, 0);
		statuses[i] = status;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "axs-hw-scenario: tenant %s failed (status 0x%x)\n",
				s->tenants[i].name, status);
			err = -EIO;
			continue;
		}
		if (xsim_tenant_count(s, i, req[i].data(), req[i].size(), sizeof(req[i][0]),
				      &r->t[i]))
			err = -ENOMEM;
		else if (csv)
			xsim_requests_csv(csv, s, exec_names[ex], i, req[i].data(), req[i].size(),
					  sizeof(req[i][0]));
	}
	return err;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: axs-hw-scenario [--executors native,native-prio,cu-split,xschedd]\n"
		"                       [--seconds S] [--csv FILE] [--device N]\n"
		"                       [--calibration-out FILE] SCENARIO\n");
}

/*
 * The launch gap that makes xsched-sim's model give each tenant's measured
 * P50 alone (the median of the tenants' fits), written as a calibration
 * file xsched-sim --calibration reads. 0 or -errno.
 */
static int write_calibration(const char *path, const struct xsim_scenario *s,
			     const struct xsim_result *alone, int device)
{
	std::vector<uint64_t> fits;
	struct xsim_calibration cal = {};
	hipDeviceProp_t prop = {};
	char source[256];
	FILE *f;

	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct xsim_tenant_result *t = &alone[i].t[i];
		uint64_t fit;
		int r;

		if (!t->finished)
			continue;
		r = xsim_fit_launch(s, i, xsim_percentile(t->lat_ns, t->finished, 500), &fit);
		if (r) {
			fprintf(stderr, "axs-hw-scenario: calibration: tenant %s: no launch gap "
				"fits its P50 (%s)\n", s->tenants[i].name, strerror(-r));
			continue;
		}
		printf("  calibration: %s alone fits a launch gap of %.1f us\n",
		       s->tenants[i].name, (double)fit / 1e3);
		fits.push_back(fit);
	}
	if (fits.empty())
		return -ERANGE;
	std::sort(fits.begin(), fits.end());
	cal.launch_ns = fits[fits.size() / 2];
	if (hipGetDeviceProperties(&prop, device) != hipSuccess)
		snprintf(prop.name, sizeof(prop.name), "device %d", device);
	snprintf(source, sizeof(source), "axs-hw-scenario on %s (%s), scenario %s",
		 prop.name, prop.gcnArchName, s->name);
	cal.source = source;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	int r = xsim_calibration_write(f, &cal);

	if (fclose(f) && !r)
		r = -errno;
	if (!r)
		printf("  calibration: %s (xsched-sim --calibration %s SCENARIO...)\n", path, path);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "executors", required_argument, NULL, 'e' },
		{ "seconds", required_argument, NULL, 's' },
		{ "csv", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "calibration-out", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	std::string list = "native,native-prio,cu-split";
	struct xsim_scenario *s = (struct xsim_scenario *)calloc(1, sizeof(*s));
	struct xsim_result alone[XSIM_MAX_TENANTS];
	const char *csv_path = NULL, *cal_path = NULL;
	FILE *csv = NULL;
	double seconds = 0;
	int o, device = 0, ret = 0;
	char err[512];

	if (!s)
		return 1;
	while ((o = getopt_long(argc, argv, "e:s:c:d:C:h", opts, NULL)) != -1) {
		switch (o) {
		case 'e': list = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'c': csv_path = optarg; break;
		case 'd': device = atoi(optarg); break;
		case 'C': cal_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (xsim_scenario_load(argv[optind], s, err, sizeof(err))) {
		fprintf(stderr, "axs-hw-scenario: %s\n", err);
		return 1;
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		if (s->tenants[i].arrival == XSIM_AFTER) {
			fprintf(stderr, "axs-hw-scenario: tenant %s: streams that wait for another's "
				"requests (after=) are not played on hardware yet\n",
				s->tenants[i].name);
			return 2;
		}
	}
	if (seconds > 0) {
		s->duration_ns = (uint64_t)(seconds * 1e9);
		if (s->warmup_ns >= s->duration_ns)
			s->warmup_ns = s->duration_ns / 10;
	}
	if (csv_path) {
		csv = fopen(csv_path, "w");
		if (!csv) {
			perror(csv_path);
			return 1;
		}
		fprintf(csv, "scenario,executor,tenant,request,arrival_ns,end_ns,latency_ns\n");
	}
	signal(SIGPIPE, SIG_IGN);
	xsim_describe(s);
	memset(alone, 0, sizeof(alone));
	for (uint32_t i = 0; i < s->ntenants && !ret; i++) {
		ret = play(s, NATIVE, 1U << i, device, NULL, &alone[i]);
		if (!ret)
			xsim_alone_line(s, i, &alone[i]);
	}
	if (!ret && cal_path) {
		int r = write_calibration(cal_path, s, alone, device);

		if (r)
			fprintf(stderr, "axs-hw-scenario: %s: %s\n", cal_path, strerror(-r));
	}
	if (!ret)
		xsim_table_header();
	for (size_t pos = 0; !ret && pos <= list.size();) {
		size_t comma = list.find(',', pos);
		std::string name = list.substr(pos, comma == std::string::npos ? std::string::npos :
					       comma - pos);
		struct xsim_result r;
		int ex = -1;

		pos = comma == std::string::npos ? list.size() + 1 : comma + 1;
		for (int k = 0; k < 4; k++)
			if (name == exec_names[k])
				ex = k;
		if (ex < 0) {
			fprintf(stderr, "axs-hw-scenario: unknown executor '%s'\n", name.c_str());
			ret = -EINVAL;
			break;
		}
		uint64_t w = now_ns();
		ret = play(s, (enum exec)ex, (1U << s->ntenants) - 1, device, csv, &r);
		if (!ret)
			xsim_table_row(s, exec_names[ex], &r, alone, (double)(now_ns() - w) / 1e9);
		xsim_result_free(&r);
	}
	if (!ret)
		xsim_table_legend();
	for (uint32_t i = 0; i < s->ntenants; i++)
		xsim_result_free(&alone[i]);
	if (csv)
		fclose(csv);
	xsim_scenario_free(s);
	free(s);
	return ret ? 1 : 0;
}
