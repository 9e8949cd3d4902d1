// SPDX-License-Identifier: MIT
/*
 * axs-bench: software costs of amdxsched, measured side by side in one run
 * so that ratios survive a noisy machine (QEMU without KVM here).
 *
 *  1. suspend and resume of batches of 1, 8 and 64 queues on a simulated GPU
 *     whose unmap costs nothing, as multiples of a no-op ioctl; and the same
 *     changes as APPLY calls (one decision: ABI 1.3), also as multiples of a
 *     pipe wake-up (goals: 64 queues at most 2x one; one below a wake-up);
 *  2. the delay from a queue's busy transition to an event reader waking,
 *     next to the delay of a pipe wake-up between the same two threads;
 *  3. a suspend+resume on one GPU and a LIST, each alone and while another
 *     GPU sits in a 9 s unmap (the MI308X preemption timeout): the ratio
 *     says whether one GPU's hang holds up another (goal: under 1.5x).
 *
 * Rounds interleave the cases; each figure is the median over rounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "axs.h"

#define ROUNDS		15
#define ITERS		200	/* calls per case per round */
#define WAKES		400	/* wake-ups per kind */
#define MAXQ		64
#define STALL_US	9000000	/* the stalled GPU's unmap */
#define STALL_SAMPLES	200
#define STALL_PACE_US	10000	/* between stall samples: 2 s per side */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static uint64_t pct(uint64_t *v, int n, int p)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(n - 1) * p / 100];
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "axs-bench: %s: %s\n", what, strerror(-err));
	return 1;
}

/* ns per call of a no-op: an ioctl number the device does not know. */
static uint64_t time_noop(int fd)
{
	uint64_t t0 = axs_now_ns();

	for (int i = 0; i < ITERS; i++)
		ioctl(fd, _IO(AMDXSCHED_IOC_MAGIC, 0x3f));
	return (axs_now_ns() - t0) / ITERS;
}

static uint64_t time_version(int fd)
{
	struct amdxsched_version v;
	uint64_t t0 = axs_now_ns();

	for (int i = 0; i < ITERS; i++)
		axs_version(fd, &v);
	return (axs_now_ns() - t0) / ITERS;
}

/* ns per suspend and per resume of @n queues, Lv3. */
static int time_batch(int fd, const uint64_t *q, uint32_t n, uint64_t *sus, uint64_t *res)
{
	uint64_t ts = 0, tr = 0, t0;
	int r;

	for (int i = 0; i < ITERS; i++) {
		t0 = axs_now_ns();
		r = axs_suspend(fd, q, n, AMDXSCHED_LEVEL_INTERRUPT, 1000, NULL, NULL);
		ts += axs_now_ns() - t0;
		if (r)
			return r;
		t0 = axs_now_ns();
		r = axs_resume(fd, q, n, 0, NULL);
		tr += axs_now_ns() - t0;
		if (r)
			return r;
	}
	*sus = ts / ITERS;
	*res = tr / ITERS;
	return 0;
}

/* ns per APPLY that suspends @n queues and per APPLY that resumes them. */
static int time_apply(int fd, uint32_t gpu, const uint64_t *q, uint32_t n, uint64_t *ns)
{
	struct amdxsched_apply_entry e[MAXQ];
	uint64_t t = 0, t0;
	int r;

	for (int i = 0; i < ITERS; i++) {
		for (int k = 0; k < 2; k++) {
			memset(e, 0, n * sizeof(e[0]));
			for (uint32_t j = 0; j < n; j++) {
				e[j].handle = q[j];
				e[j].op = k ? AMDXSCHED_APPLY_RESUME : AMDXSCHED_APPLY_SUSPEND;
				e[j].arg = k ? 0 : AMDXSCHED_LEVEL_INTERRUPT;
			}
			t0 = axs_now_ns();
			r = axs_apply(fd, gpu, e, n, k ? 0 : 1000, NULL, NULL);
			t += axs_now_ns() - t0;
			if (r)
				return r;
		}
	}
	*ns = t / (2 * ITERS);
	return 0;
}

struct waker {
	int evfd;
	int pipe_rd;
	uint64_t ev_lat[WAKES];
	uint64_t pipe_lat[WAKES];
	int nev, npipe;
	int err;
};

/* Reader thread: blocks in read() on the event fd or the pipe, in turn. */
static void *reader(void *arg)
{
	struct waker *w = arg;
	struct amdxsched_event ev;
	uint64_t sent;

	while (w->nev < WAKES || w->npipe < WAKES) {
		if (w->nev <= w->npipe) {
			ssize_t n = axs_events_read(w->evfd, &ev, 1);

			if (n < 0) {
				__atomic_store_n(&w->err, (int)n, __ATOMIC_RELEASE);
				break;
			}
			if (n == 1 && ev.type == AMDXSCHED_EVENT_QUEUE_BUSY) {
				w->ev_lat[w->nev] = axs_now_ns() - ev.timestamp_ns;
				__atomic_store_n(&w->nev, w->nev + 1, __ATOMIC_RELEASE);
			}
		} else {
			if (read(w->pipe_rd, &sent, sizeof(sent)) != sizeof(sent)) {
				__atomic_store_n(&w->err, -EIO, __ATOMIC_RELEASE);
				break;
			}
			w->pipe_lat[w->npipe] = axs_now_ns() - sent;
			__atomic_store_n(&w->npipe, w->npipe + 1, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

static int bench_wakeups(int fd, uint64_t q, uint64_t *pipe_median)
{
	struct amdxsched_sim_wait wt;
	struct waker w = { 0 };
	pthread_t th;
	int p[2], r;
	uint64_t id, t;

	w.evfd = axs_open(O_RDONLY);
	if (w.evfd < 0)
		return fail("open", w.evfd);
	r = axs_events_config(w.evfd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_BUSY), 1024);
	if (r)
		return fail("events config", r);
	if (pipe(p))
		return fail("pipe", -errno);
	w.pipe_rd = p[0];
	pthread_create(&th, NULL, reader, &w);

	for (int i = 0; i < WAKES; i++) {
		/* an idle queue turning busy: one BUSY event */
		r = axs_sim_submit(fd, q, 1, 1000, 0, &id);
		if (r)
			return fail("submit", r);
		r = axs_sim_wait(fd, q, id, 10000000000ULL, &wt);
		if (r)
			return fail("wait", r);
		while (__atomic_load_n(&w.nev, __ATOMIC_ACQUIRE) <= i &&
		       !__atomic_load_n(&w.err, __ATOMIC_ACQUIRE))
			usleep(100);
		/* the same reader, woken through a pipe */
		t = axs_now_ns();
		if (write(p[1], &t, sizeof(t)) != sizeof(t))
			return fail("pipe write", -errno);
		while (__atomic_load_n(&w.npipe, __ATOMIC_ACQUIRE) <= i &&
		       !__atomic_load_n(&w.err, __ATOMIC_ACQUIRE))
			usleep(100);
	}
	pthread_join(th, NULL);
	if (w.err)
		return fail("reader", w.err);

	uint64_t em = pct(w.ev_lat, WAKES, 50), e99 = pct(w.ev_lat, WAKES, 99);
	uint64_t pm = pct(w.pipe_lat, WAKES, 50), p99 = pct(w.pipe_lat, WAKES, 99);

	printf("\nwake-up of a blocked reader, %d each, interleaved\n", WAKES);
	printf("  %-34s %10s %10s\n", "", "median", "p99");
	printf("  %-34s %7.1f us %7.1f us\n", "busy event -> read() returns",
	       em / 1e3, e99 / 1e3);
	printf("  %-34s %7.1f us %7.1f us\n", "pipe write -> read() returns",
	       pm / 1e3, p99 / 1e3);
	printf("  %-34s %9.2fx %9.2fx\n", "ratio event / pipe",
	       (double)em / pm, (double)e99 / p99);
	printf("bench.event_wake_median_ns=%llu\nbench.event_wake_p99_ns=%llu\n"
	       "bench.pipe_wake_median_ns=%llu\nbench.event_over_pipe=%.2f\n",
	       (unsigned long long)em, (unsigned long long)e99,
	       (unsigned long long)pm, (double)em / pm);
	close(w.evfd);
	close(p[0]);
	close(p[1]);
	*pipe_median = pm;
	return 0;
}

/* One suspend+resume of @q, and one LIST_QUEUES of 64 entries: their ns. */
static int sample_pair(int fd, uint64_t q, uint64_t *sr, uint64_t *ls)
{
	static struct amdxsched_queue_info qi[MAXQ];
	struct amdxsched_list l;
	uint64_t t0;
	int r;

	t0 = axs_now_ns();
	r = axs_suspend(fd, &q, 1, AMDXSCHED_LEVEL_INTERRUPT, 1000, NULL, NULL);
	if (!r)
		r = axs_resume(fd, &q, 1, 0, NULL);
	*sr = axs_now_ns() - t0;
	if (r)
		return r;
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.gpu_id = AMDXSCHED_GPU_ANY;
	l.entries = (uintptr_t)qi;
	l.entry_size = sizeof(qi[0]);
	l.count = MAXQ;
	t0 = axs_now_ns();
	r = ioctl(fd, AMDXSCHED_IOC_LIST_QUEUES, &l) ? -errno : 0;
	*ls = axs_now_ns() - t0;
	return r;
}

static int knob_write(uint32_t gpu, const char *knob, unsigned long v)
{
	char path[128];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "/sys/kernel/debug/amdxsched/sim/gpu%u/%s", gpu, knob);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%lu\n", v) < 0)
		r = -EIO;
	if (fclose(f))
		r = -errno;
	return r;
}

struct stall {
	int fd;
	uint64_t q;
	int r;
	int done;
};

static void *stall_thread(void *arg)
{
	struct stall *st = arg;

	st->r = axs_suspend(st->fd, &st->q, 1, AMDXSCHED_LEVEL_INTERRUPT, 5000, NULL, NULL);
	__atomic_store_n(&st->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * @n samples, one every STALL_PACE_US, into @sr and @ls from @at on; stops
 * early once *@stop is set (NULL: never). The number taken, or -errno.
 */
static int sample_paced(int fd, uint64_t q, uint64_t *sr, uint64_t *ls, int at, int n,
			const int *stop)
{
	int i, r;

	for (i = 0; i < n; i++) {
		if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
			break;
		r = sample_pair(fd, q, &sr[at + i], &ls[at + i]);
		if (r)
			return r;
		usleep(STALL_PACE_US);
	}
	return i;
}

/*
 * Section 3: does a 9 s unmap on one GPU hold up another GPU and LIST? The
 * samples alone are taken half before and half after the stall, at the
 * same pace as those during it, so a drift of this shared machine over the
 * run weighs on both sides alike.
 */
static int bench_stall(int fd, uint64_t q, const struct amdxsched_sim_gpu_config *base)
{
	static uint64_t sr0[STALL_SAMPLES], ls0[STALL_SAMPLES];
	static uint64_t sr1[STALL_SAMPLES], ls1[STALL_SAMPLES];
	struct amdxsched_sim_gpu_config cfg = *base;
	struct stall st = { .fd = fd };
	const int half = STALL_SAMPLES / 2;
	uint64_t t0, took;
	pthread_t th;
	int r, n;

	cfg.gpu_id = 0;
	r = axs_sim_add_gpu(fd, &cfg);
	if (r)
		return fail("add the GPU to stall", r);
	r = axs_sim_queue_create(fd, cfg.gpu_id, 2, &st.q, NULL);
	if (r)
		return fail("create queue", r);
	r = sample_paced(fd, q, sr0, ls0, 0, half, NULL);
	if (r < 0)
		return fail("baseline", r);
	r = knob_write(cfg.gpu_id, "unmap_delay_us", STALL_US);
	if (r) {
		printf("\nstall: skipped, no debugfs knob (%s)\n", strerror(-r));
		return 0;
	}
	t0 = axs_now_ns();
	pthread_create(&th, NULL, stall_thread, &st);
	usleep(200000);		/* let it get into its unmap */
	n = sample_paced(fd, q, sr1, ls1, 0, STALL_SAMPLES, &st.done);
	/* every sample counts only if the stall was still on after it */
	bool held = !__atomic_load_n(&st.done, __ATOMIC_ACQUIRE);

	knob_write(cfg.gpu_id, "unmap_delay_us", 0);
	pthread_join(th, NULL);
	took = axs_now_ns() - t0;
	if (n < 0)
		return fail("sample during the stall", n);
	/* 9 s is the preemption timeout: the sim calls that unmap a hang (ETIME) */
	if (st.r && st.r != -ETIME)
		return fail("the stalled suspend", st.r);
	if (!st.r)
		axs_resume(fd, &st.q, 1, 0, NULL);
	if (!held || !n) {
		printf("\nstall: the stalled call ended before the samples (%d taken)\n", n);
		return 1;
	}
	r = sample_paced(fd, q, sr0, ls0, half, STALL_SAMPLES - half, NULL);
	if (r < 0)
		return fail("baseline after", r);

	uint64_t a = median(sr0, STALL_SAMPLES), b = median(sr1, n);
	uint64_t c = median(ls0, STALL_SAMPLES), d = median(ls1, n);
	uint64_t bmax = pct(sr1, n, 100), dmax = pct(ls1, n, 100);

	printf("\nanother GPU in a %.1f s unmap (the call took %.1f s), %d samples each,\n"
	       "one every %d ms (alone: half before the stall, half after)\n",
	       STALL_US / 1e6, took / 1e9, n, STALL_PACE_US / 1000);
	printf("  %-34s %10s %10s %10s %8s\n", "", "alone", "stalled", "max", "ratio");
	printf("  %-34s %7.1f us %7.1f us %7.1f us %7.2fx\n", "suspend+resume, 1 queue",
	       a / 1e3, b / 1e3, bmax / 1e3, (double)b / a);
	printf("  %-34s %7.1f us %7.1f us %7.1f us %7.2fx\n", "LIST_QUEUES, 64 entries",
	       c / 1e3, d / 1e3, dmax / 1e3, (double)d / c);
	printf("bench.stall_suspend_ratio=%.2f\nbench.stall_list_ratio=%.2f\n"
	       "bench.stall_suspend_max_ns=%llu\n",
	       (double)b / a, (double)d / c, (unsigned long long)bmax);
	return 0;
}

int main(void)
{
	static const uint32_t sizes[] = { 1, 8, 64 };
	struct amdxsched_sim_gpu_config cfg;
	uint64_t noop[ROUNDS], ver[ROUNDS], sus[3][ROUNDS], res[3][ROUNDS], app[3][ROUNDS];
	uint64_t pipe = 0;
	uint64_t q[MAXQ];
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = axs_open(O_RDWR);
	if (fd < 0)
		return fail("open " AXS_DEVICE_PATH, fd);

	/* A GPU whose unmaps cost (almost) nothing: only software is measured. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.unmap_ns = 1;
	cfg.map_ns = 1;
	cfg.save_bw = 10000000000000ULL;
	cfg.restore_bw = 10000000000000ULL;
	r = axs_sim_add_gpu(fd, &cfg);
	if (r)
		return fail("add simulated GPU", r);
	r = axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (r)
		return fail("create simulated process", r);
	for (int i = 0; i < MAXQ; i++) {
		r = axs_sim_queue_create(fd, cfg.gpu_id, 2, &q[i], NULL);
		if (r)
			return fail("create queue", r);
	}

	for (int round = 0; round < ROUNDS; round++) {
		noop[round] = time_noop(fd);
		ver[round] = time_version(fd);
		for (int s = 0; s < 3; s++) {
			r = time_batch(fd, q, sizes[s], &sus[s][round], &res[s][round]);
			if (r)
				return fail("suspend/resume", r);
			r = time_apply(fd, cfg.gpu_id, q, sizes[s], &app[s][round]);
			if (r)
				return fail("apply", r);
		}
	}

	uint64_t n = median(noop, ROUNDS), v = median(ver, ROUNDS);

	printf("ioctl costs, median of %d interleaved rounds of %d calls\n", ROUNDS, ITERS);
	printf("  %-30s %10s %14s\n", "", "ns/call", "x no-op ioctl");
	printf("  %-30s %10llu %14.2f\n", "no-op ioctl (ENOTTY)", (unsigned long long)n, 1.0);
	printf("  %-30s %10llu %14.2f\n", "VERSION", (unsigned long long)v, (double)v / n);
	for (int s = 0; s < 3; s++) {
		uint64_t ms = median(sus[s], ROUNDS), mr = median(res[s], ROUNDS);
		char name[64];

		snprintf(name, sizeof(name), "suspend Lv3, %u queue%s", sizes[s],
			 sizes[s] > 1 ? "s" : "");
		printf("  %-30s %10llu %14.2f\n", name, (unsigned long long)ms, (double)ms / n);
		snprintf(name, sizeof(name), "resume, %u queue%s", sizes[s],
			 sizes[s] > 1 ? "s" : "");
		printf("  %-30s %10llu %14.2f\n", name, (unsigned long long)mr, (double)mr / n);
		printf("bench.suspend_%u_over_noop=%.2f\nbench.resume_%u_over_noop=%.2f\n",
		       sizes[s], (double)ms / n, sizes[s], (double)mr / n);
	}
	printf("bench.noop_ioctl_ns=%llu\n", (unsigned long long)n);

	r = bench_wakeups(fd, q[0], &pipe);
	if (r)
		return r;

	uint64_t a1 = median(app[0], ROUNDS);

	printf("\none decision as APPLY (half suspend, half resume calls), median of %d rounds\n",
	       ROUNDS);
	printf("  %-30s %10s %14s %14s %12s\n", "", "ns/call", "x no-op ioctl", "x pipe wake",
	       "x 1 queue");
	for (int s = 0; s < 3; s++) {
		uint64_t ma = median(app[s], ROUNDS);
		char name[64];

		snprintf(name, sizeof(name), "APPLY, %u queue%s", sizes[s], sizes[s] > 1 ? "s" : "");
		printf("  %-30s %10llu %14.2f %14.2f %12.2f\n", name, (unsigned long long)ma,
		       (double)ma / n, (double)ma / pipe, (double)ma / a1);
		printf("bench.apply_%u_over_noop=%.2f\nbench.apply_%u_over_pipe=%.2f\n",
		       sizes[s], (double)ma / n, sizes[s], (double)ma / pipe);
	}
	printf("bench.apply_64_over_1=%.2f\n", (double)median(app[2], ROUNDS) / a1);
	r = bench_stall(fd, q[0], &cfg);
	close(fd);
	return r;
}
