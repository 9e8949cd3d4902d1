// SPDX-License-Identifier: MIT
/*
 * axs-demo: the dual-model scenario of the user's notes, shrunk to seconds,
 * on a simulated MI308X. A latency-critical process sends a request (a burst
 * of short kernels) every period; a batch process keeps long kernels
 * running. Four runs: each alone, both together natively, and both together
 * with a minimal controller that suspends the batch queue (Lv3 by default)
 * while the latency-critical queue is busy. Latencies come from the
 * simulated device's own timestamps.
 *
 * This controller is deliberately minimal (no hysteresis, one GPU, one
 * queue each); xschedd is the real policy engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axs.h"

#define MS 1000000ULL
#define US 1000ULL
#define MAX_REQUESTS 4096

struct scenario {
	unsigned int seconds;
	unsigned int gpu;
	unsigned int level;
	/* latency-critical process */
	unsigned int period_ms;
	unsigned int hi_kernels;
	unsigned int hi_grid;
	unsigned int hi_wg_us;
	unsigned int hi_prio;
	/* batch process */
	unsigned int lo_grid;
	unsigned int lo_wg_ms;
	unsigned int lo_prio;
	unsigned int lease_ms;
	bool json;
};

/* What a worker sends back to the parent. */
struct result {
	int err;			/* -errno if the worker failed */
	uint32_t requests;
	uint64_t lat_ns[MAX_REQUESTS];
	uint64_t kernels;		/* batch kernels finished */
	uint64_t busy_from, busy_to;	/* model time span they cover */
};

struct worker {
	pid_t pid;
	int to_child;			/* "go" */
	int from_child;			/* handle, then result */
	uint64_t handle;
};

struct run {
	const char *name;
	bool hi, lo, preempt;
	struct result hi_res, lo_res;
};

static int die_errno(const char *what, int err)
{
	fprintf(stderr, "axs-demo: %s: %s\n", what, strerror(-err));
	return 1;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -EPIPE;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A request every period; its latency is from the first submit to the last end. */
static void run_high(const struct scenario *s, int fd, uint64_t q, uint64_t until,
		     struct result *res)
{
	uint64_t next = axs_now_ns(), first, last = 0;
	struct amdxsched_sim_wait w;
	struct timespec ts;
	unsigned int k;
	int r;

	while (next < until && res->requests < MAX_REQUESTS) {
		ts.tv_sec = next / 1000000000ULL;
		ts.tv_nsec = next % 1000000000ULL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		first = 0;
		for (k = 0; k < s->hi_kernels; k++) {
			r = axs_sim_submit(fd, q, s->hi_grid, s->hi_wg_us * US, 0, &last);
			if (r)
				goto fail;
			if (!first)
				first = last;
		}
		r = axs_sim_wait(fd, q, last, 60000 * MS, &w);
		if (r)
			goto fail;
		{
			uint64_t end = w.end_ns;

			r = axs_sim_wait(fd, q, first, 0, &w);
			if (r)
				goto fail;
			res->lat_ns[res->requests++] = end - w.submit_ns;
		}
		next += s->period_ms * MS;
		if (next < axs_now_ns())
			next = axs_now_ns();	/* late: start the next one at once */
	}
	return;
fail:
	res->err = r;
}

/* Two kernels in flight at all times, so the GPU never idles. */
static void run_low(const struct scenario *s, int fd, uint64_t q, uint64_t until,
		    struct result *res)
{
	struct amdxsched_sim_wait w;
	uint64_t id, oldest = 0;
	int r;

	for (int i = 0; i < 2; i++) {
		r = axs_sim_submit(fd, q, s->lo_grid, s->lo_wg_ms * MS, 0, &id);
		if (r)
			goto fail;
		if (!oldest)
			oldest = id;
	}
	res->busy_from = axs_now_ns();
	while (axs_now_ns() < until) {
		r = axs_sim_wait(fd, q, oldest, 60000 * MS, &w);
		if (r)
			goto fail;
		res->kernels++;
		res->busy_to = w.end_ns;
		oldest++;
		r = axs_sim_submit(fd, q, s->lo_grid, s->lo_wg_ms * MS, 0, &id);
		if (r)
			goto fail;
	}
	return;
fail:
	res->err = r;
}

/* Child: become a simulated process with one queue, report its handle, run. */
static void worker_main(const struct scenario *s, bool high, int in, int out)
{
	static struct result res;
	uint64_t q = 0, until;
	char go;
	int fd, r;

	fd = axs_open(O_RDONLY);
	r = fd < 0 ? fd : axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (!r)
		r = axs_sim_queue_create(fd, s->gpu, high ? s->hi_prio : s->lo_prio, &q, NULL);
	if (write_all(out, &q, sizeof(q)) || read_all(in, &go, 1))
		_exit(1);
	if (r) {
		res.err = r;
	} else {
		until = axs_now_ns() + (uint64_t)s->seconds * 1000 * MS;
		if (high)
			run_high(s, fd, q, until, &res);
		else
			run_low(s, fd, q, until, &res);
	}
	write_all(out, &res, sizeof(res));
	_exit(0);
}

static int worker_start(const struct scenario *s, bool high, struct worker *w)
{
	int down[2], up[2], r;

	if (pipe(down) || pipe(up))
		return -errno;
	w->pid = fork();
	if (w->pid < 0)
		return -errno;
	if (!w->pid) {
		close(down[1]);
		close(up[0]);
		worker_main(s, high, down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	w->to_child = down[1];
	w->from_child = up[0];
	r = read_all(w->from_child, &w->handle, sizeof(w->handle));
	if (!r && !w->handle)
		r = -ENODEV;
	return r;
}

static int worker_finish(struct worker *w, struct result *res)
{
	int r = read_all(w->from_child, res, sizeof(*res));

	close(w->to_child);
	close(w->from_child);
	waitpid(w->pid, NULL, 0);
	return r ? r : res->err;
}

/*
 * Suspend the batch queue while the latency-critical one is busy. The lease
 * is renewed while we hold it; if this process died, it would lapse.
 */
static int control(const struct scenario *s, int fd, uint64_t hi, uint64_t lo,
		   const struct worker *ws, int nw)
{
	struct amdxsched_event ev[64];
	uint64_t lease = 0, renew_at = 0;
	struct pollfd p[3];
	int open_pipes = nw, r;

	r = axs_events_config(fd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_BUSY) |
				  AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_IDLE), 1024);
	if (r)
		return r;
	p[0].fd = fd;
	p[0].events = POLLIN;
	for (int i = 0; i < nw; i++) {
		p[1 + i].fd = ws[i].from_child;	/* readable when a worker is done */
		p[1 + i].events = POLLIN;
	}

	while (open_pipes == nw) {
		r = poll(p, 1 + nw, lease ? 50 : 1000);
		if (r < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < nw; i++)
			if (p[1 + i].revents)
				open_pipes--;

		ssize_t n = 0;

		if (p[0].revents & POLLIN)
			n = axs_events_read(fd, ev, 64);
		if (n < 0)
			return (int)n;
		for (ssize_t i = 0; i < n; i++) {
			if (ev[i].handle != hi)
				continue;
			if (ev[i].type == AMDXSCHED_EVENT_QUEUE_BUSY && !lease) {
				r = axs_suspend(fd, &lo, 1, s->level, s->lease_ms, NULL, &lease);
				if (r)
					return r;
				renew_at = axs_now_ns() + s->lease_ms * MS / 2;
			} else if (ev[i].type == AMDXSCHED_EVENT_QUEUE_IDLE && lease) {
				r = axs_resume(fd, &lo, 1, 0, NULL);
				if (r && r != -EALREADY)
					return r;
				lease = 0;
			}
		}
		if (lease && axs_now_ns() >= renew_at) {
			r = axs_lease_renew(fd, lease, s->lease_ms, NULL);
			if (r)
				return r;
			renew_at = axs_now_ns() + s->lease_ms * MS / 2;
		}
	}
	if (lease)
		axs_resume(fd, &lo, 1, 0, NULL);
	return axs_events_config(fd, 0, 0);
}

static int do_run(const struct scenario *s, int cfd, struct run *run)
{
	struct worker w[2];
	int nw = 0, r = 0, hi = -1, lo = -1;
	char go = 1;

	if (run->hi) {
		r = worker_start(s, true, &w[nw]);
		hi = nw++;
	}
	if (!r && run->lo) {
		r = worker_start(s, false, &w[nw]);
		lo = nw++;
	}
	for (int i = 0; !r && i < nw; i++)
		r = write_all(w[i].to_child, &go, 1);
	if (!r && run->preempt)
		r = control(s, cfd, w[hi].handle, w[lo].handle, w, nw);
	for (int i = 0; i < nw; i++) {
		int e = worker_finish(&w[i], i == hi ? &run->hi_res : &run->lo_res);

		if (!r)
			r = e;
	}
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static double pct_ms(const uint64_t *v, uint32_t n, double p)
{
	uint32_t i;

	if (!n)
		return 0;
	i = (uint32_t)(p / 100.0 * n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > n)
		i = n;
	return v[i - 1] / 1e6;
}

static double low_rate(const struct result *r)
{
	if (!r->kernels || r->busy_to <= r->busy_from)
		return 0;
	return r->kernels / ((r->busy_to - r->busy_from) / 1e9);
}

static void report(const struct scenario *s, struct run *runs, int n)
{
	double p99_alone = 0, p99_native = 0, p99_pre = 0, lo_alone = 0, lo_pre = 0;

	if (!s->json) {
		printf("\n%-28s %9s %9s %9s %9s %14s\n", "run", "high p50", "high p99",
		       "high max", "requests", "low kernels/s");
	} else {
		printf("{\"runs\": [");
	}
	for (int i = 0; i < n; i++) {
		struct result *h = &runs[i].hi_res;
		double p50, p99, max, rate = low_rate(&runs[i].lo_res);

		qsort(h->lat_ns, h->requests, sizeof(h->lat_ns[0]), cmp_u64);
		p50 = pct_ms(h->lat_ns, h->requests, 50);
		p99 = pct_ms(h->lat_ns, h->requests, 99);
		max = pct_ms(h->lat_ns, h->requests, 100);
		if (runs[i].hi && !runs[i].lo)
			p99_alone = p99;
		if (runs[i].lo && !runs[i].hi)
			lo_alone = rate;
		if (runs[i].hi && runs[i].lo)
			*(runs[i].preempt ? &p99_pre : &p99_native) = p99;
		if (runs[i].hi && runs[i].lo && runs[i].preempt)
			lo_pre = rate;
		if (s->json) {
			printf("%s{\"name\": \"%s\", \"high_p50_ms\": %.3f, \"high_p99_ms\": %.3f, "
			       "\"high_max_ms\": %.3f, \"requests\": %u, \"low_kernels_per_s\": %.3f}",
			       i ? ", " : "", runs[i].name, p50, p99, max, h->requests, rate);
			continue;
		}
		if (runs[i].hi)
			printf("%-28s %6.2f ms %6.2f ms %6.2f ms %9u", runs[i].name, p50, p99,
			       max, h->requests);
		else
			printf("%-28s %9s %9s %9s %9s", runs[i].name, "-", "-", "-", "-");
		if (runs[i].lo)
			printf(" %14.2f\n", rate);
		else
			printf(" %14s\n", "-");
	}
	if (s->json) {
		printf("]}\n");
		return;
	}
	if (p99_alone > 0 && lo_alone > 0)
		printf("\nhigh p99 vs standalone: %.1fx natively, %.2fx with Lv%u preemption; "
		       "low keeps %.0f%% of its standalone throughput under preemption.\n",
		       p99_native / p99_alone, p99_pre / p99_alone, s->level,
		       100.0 * lo_pre / lo_alone);
}

static void usage(void)
{
	printf("usage: axs-demo [--seconds N] [--gpu ID] [--level 2|3] [--period-ms P] [--json]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "gpu", required_argument, NULL, 'g' },
		{ "level", required_argument, NULL, 'l' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scenario s = {
		.seconds = 4, .gpu = 0, .level = AMDXSCHED_LEVEL_INTERRUPT,
		.period_ms = 50, .hi_kernels = 10, .hi_grid = 80, .hi_wg_us = 200,
		.hi_prio = 11, .lo_grid = 160, .lo_wg_ms = 20, .lo_prio = 2,
		.lease_ms = 500,
	};
	static struct run runs[] = {
		{ .name = "high alone", .hi = true },
		{ .name = "low alone", .lo = true },
		{ .name = "both, no preemption", .hi = true, .lo = true },
		{ .name = "both, preemption", .hi = true, .lo = true, .preempt = true },
	};
	struct amdxsched_gpu_info *gpus = NULL;
	uint32_t ngpus = 0;
	int c, fd, r;

	while ((c = getopt_long(argc, argv, "s:g:l:p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			s.seconds = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'g':
			s.gpu = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			s.level = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			s.period_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'j':
			s.json = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (!s.seconds || s.seconds > 3600 || !s.period_ms ||
	    (s.level != AMDXSCHED_LEVEL_DEACTIVATE && s.level != AMDXSCHED_LEVEL_INTERRUPT)) {
		fprintf(stderr, "axs-demo: bad argument\n");
		return 2;
	}

	fd = axs_open(O_RDWR);
	if (fd < 0)
		return die_errno("open " AXS_DEVICE_PATH, fd);
	r = axs_list_gpus(fd, &gpus, &ngpus);
	if (r)
		return die_errno("list GPUs", r);
	for (c = 0; c < (int)ngpus; c++)
		if (gpus[c].gpu_id == s.gpu)
			break;
	if (c == (int)ngpus || gpus[c].backend != AMDXSCHED_BACKEND_SIM) {
		fprintf(stderr, "axs-demo: GPU %u is not a simulated GPU\n", s.gpu);
		return 1;
	}
	if (!s.json) {
		printf("amdxsched demo on simulated GPU %u (%u CUs in %u XCCs), %u s per run\n",
		       s.gpu, gpus[c].num_cu, gpus[c].num_xcc, s.seconds);
		printf("high: a request every %u ms = %u kernels x %u workgroups x %u us, priority %u\n",
		       s.period_ms, s.hi_kernels, s.hi_grid, s.hi_wg_us, s.hi_prio);
		printf("low:  kernels of %u workgroups x %u ms back to back, priority %u\n",
		       s.lo_grid, s.lo_wg_ms, s.lo_prio);
		printf("preemption: suspend low at Lv%u while high is busy (minimal controller)\n",
		       s.level);
	}
	free(gpus);
	runs[3].name = s.level == AMDXSCHED_LEVEL_INTERRUPT ? "both, Lv3 preemption"
							    : "both, Lv2 preemption";

	signal(SIGPIPE, SIG_IGN);
	for (unsigned int i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		r = do_run(&s, fd, &runs[i]);
		if (r)
			return die_errno(runs[i].name, r);
		if (!s.json) {
			printf("  done: %s\n", runs[i].name);
			fflush(stdout);
		}
	}
	report(&s, runs, sizeof(runs) / sizeof(runs[0]));
	close(fd);
	return 0;
}
