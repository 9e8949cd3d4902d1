// SPDX-License-Identifier: MIT
/*
 * axs-workload: one process of the dual-model scenario on a simulated GPU.
 *
 *   --role high  a latency-critical service: a request (a burst of short
 *                kernels) every period; reports request latency percentiles.
 *   --role low   a batch job: long kernels kept in flight; reports kernels/s.
 *
 * Each role is a separate process with its own simulated KFD process and
 * queue, so a scheduler daemon and test scripts can start, stop and watch
 * them independently. All durations come from the simulated device's own
 * timestamps (SIM_WAIT), never from the wall clock around an ioctl.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "axs.h"

#define PROG		"axs-workload"
#define US		1000ULL
#define MS		1000000ULL
#define NS_PER_S	1000000000ULL
#define MAX_LATENCIES	(1U << 16)	/* kept for percentiles; later ones only counted */
#define WAIT_SLICE_NS	(100 * MS)	/* bounded waits, so a stop signal is noticed */
/* The device remembers the last 64 finished dispatches (ENODATA beyond). */
#define MAX_KERNELS	64
#define MAX_INFLIGHT	64

enum role { ROLE_NONE, ROLE_HIGH, ROLE_LOW };

struct config {
	enum role role;
	unsigned int seconds;
	unsigned int gpu;
	unsigned int priority;
	unsigned int period_ms;
	unsigned int kernels;
	unsigned int grid;	/* 0: the role's default */
	unsigned int wg_us;	/* 0: the role's default */
	unsigned int inflight;
	uint32_t attr_flags;	/* AMDXSCHED_ATTR_* given on the command line */
	unsigned int sched_class;
	unsigned int share;
	unsigned int deadline_ms;
	char tag[AMDXSCHED_TAG_LEN];
	bool json;
	bool quiet;
};

/* One simulated process with one queue. */
struct workload {
	int fd;
	uint64_t queue;
	uint64_t start_ns;	/* wall clock (CLOCK_MONOTONIC) of the run */
	uint64_t until_ns;
};

struct high_stats {
	uint64_t *lat_ns;	/* MAX_LATENCIES entries */
	uint32_t kept;
	uint64_t requests;	/* including those not kept */
	uint64_t busy_ns;
};

struct low_stats {
	uint64_t kernels;
	uint64_t first_start_ns;	/* device time */
	uint64_t last_end_ns;
};

/* Set by SIGTERM/SIGINT: finish the run early and still report. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	/* No SA_RESTART: a sleep must return early to notice the flag. */
	if (sigemptyset(&sa.sa_mask) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGINT, &sa, NULL))
		return -errno;
	return 0;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(-err));
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --role high|low [--seconds N] [--gpu ID] [--priority 0..15]\n"
		"       [--period-ms P] [--kernels K] [--grid G] [--wg-us U] [--inflight N]\n"
		"       [--class realtime|normal|best-effort] [--tag TAG] [--share PERMILLE]\n"
		"       [--deadline-ms D] [--json] [--quiet]\n"
		"high: a request of K kernels every P ms (default 10 x 80 workgroups x 1000 us,\n"
		"      every 50 ms); low: N kernels kept in flight (default 2 x 160 workgroups\n"
		"      x 40000 us). Options of the other role are checked but not used.\n");
}

/* Bad command line: say which option and why, exit status 2. */
static int bad_arg(const char *opt, const char *why, const char *val)
{
	fprintf(stderr, PROG ": %s: %s '%s'\n", opt, why, val);
	return 2;
}

static int parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
		      unsigned int *out)
{
	unsigned long v;
	char *end;

	/* strtoul accepts signs and leading blanks; a count does not. */
	if (!isdigit((unsigned char)s[0]))
		return bad_arg(opt, "not a decimal number:", s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return bad_arg(opt, "not a decimal number:", s);
	if (errno == ERANGE || v < min || v > max) {
		fprintf(stderr, PROG ": %s: '%s' is out of range %lu..%lu\n", opt, s, min, max);
		return 2;
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_role(const char *s, enum role *role)
{
	if (!strcmp(s, "high"))
		*role = ROLE_HIGH;
	else if (!strcmp(s, "low"))
		*role = ROLE_LOW;
	else
		return bad_arg("--role", "expected high or low, not", s);
	return 0;
}

static int parse_class(const char *s, unsigned int *cls)
{
	if (!strcmp(s, "realtime"))
		*cls = AMDXSCHED_CLASS_REALTIME;
	else if (!strcmp(s, "normal"))
		*cls = AMDXSCHED_CLASS_NORMAL;
	else if (!strcmp(s, "best-effort"))
		*cls = AMDXSCHED_CLASS_BEST_EFFORT;
	else
		return bad_arg("--class", "expected realtime, normal or best-effort, not", s);
	return 0;
}

/* The module's rule: 1..31 characters of [A-Za-z0-9._:/-]. */
static int parse_tag(const char *s, char *tag)
{
	size_t n = strlen(s);

	if (!n || n >= AMDXSCHED_TAG_LEN)
		return bad_arg("--tag", "must be 1..31 characters:", s);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._:/-", s[i]))
			return bad_arg("--tag", "only A-Z a-z 0-9 . _ : / - allowed:", s);
	memcpy(tag, s, n + 1);
	return 0;
}

enum {
	OPT_ROLE = 256, OPT_SECONDS, OPT_GPU, OPT_PRIORITY, OPT_PERIOD, OPT_KERNELS,
	OPT_GRID, OPT_WG_US, OPT_INFLIGHT, OPT_CLASS, OPT_TAG, OPT_SHARE, OPT_DEADLINE,
	OPT_JSON, OPT_QUIET, OPT_HELP,
};

/* One option; 0 if fine, else the exit status. */
static int parse_opt(int c, const char *arg, struct config *cfg)
{
	switch (c) {
	case OPT_ROLE:
		return parse_role(arg, &cfg->role);
	case OPT_SECONDS:
		return parse_uint("--seconds", arg, 1, 86400, &cfg->seconds);
	case OPT_GPU:
		return parse_uint("--gpu", arg, 0, AMDXSCHED_GPU_ANY - 1, &cfg->gpu);
	case OPT_PRIORITY:
		return parse_uint("--priority", arg, 0, AMDXSCHED_PRIORITY_MAX, &cfg->priority);
	case OPT_PERIOD:
		return parse_uint("--period-ms", arg, 1, 3600000, &cfg->period_ms);
	case OPT_KERNELS:
		return parse_uint("--kernels", arg, 1, MAX_KERNELS, &cfg->kernels);
	case OPT_GRID:
		return parse_uint("--grid", arg, 1, 1U << 24, &cfg->grid);
	case OPT_WG_US:
		return parse_uint("--wg-us", arg, 1, 10000000, &cfg->wg_us);
	case OPT_INFLIGHT:
		return parse_uint("--inflight", arg, 1, MAX_INFLIGHT, &cfg->inflight);
	case OPT_CLASS:
		cfg->attr_flags |= AMDXSCHED_ATTR_CLASS;
		return parse_class(arg, &cfg->sched_class);
	case OPT_TAG:
		cfg->attr_flags |= AMDXSCHED_ATTR_TAG;
		return parse_tag(arg, cfg->tag);
	case OPT_SHARE:
		cfg->attr_flags |= AMDXSCHED_ATTR_SHARE;
		return parse_uint("--share", arg, 1, 1000, &cfg->share);
	case OPT_DEADLINE:
		cfg->attr_flags |= AMDXSCHED_ATTR_DEADLINE;
		return parse_uint("--deadline-ms", arg, 1, 3600000, &cfg->deadline_ms);
	case OPT_JSON:
		cfg->json = true;
		return 0;
	case OPT_QUIET:
		cfg->quiet = true;
		return 0;
	default:	/* getopt has said what is wrong */
		fprintf(stderr, PROG ": see --help\n");
		return 2;
	}
}

/* 0 to run, -1 after --help, else the exit status. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "gpu", required_argument, NULL, OPT_GPU },
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "period-ms", required_argument, NULL, OPT_PERIOD },
		{ "kernels", required_argument, NULL, OPT_KERNELS },
		{ "grid", required_argument, NULL, OPT_GRID },
		{ "wg-us", required_argument, NULL, OPT_WG_US },
		{ "inflight", required_argument, NULL, OPT_INFLIGHT },
		{ "class", required_argument, NULL, OPT_CLASS },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "share", required_argument, NULL, OPT_SHARE },
		{ "deadline-ms", required_argument, NULL, OPT_DEADLINE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			usage(stdout);
			return -1;
		}
		r = parse_opt(c, optarg, cfg);
		if (r)
			return r;
	}
	if (optind < argc)
		return bad_arg("arguments", "unexpected", argv[optind]);
	if (cfg->role == ROLE_NONE) {
		fprintf(stderr, PROG ": --role: required (high or low)\n");
		return 2;
	}
	if (!cfg->grid)
		cfg->grid = cfg->role == ROLE_HIGH ? 80 : 160;
	if (!cfg->wg_us)
		cfg->wg_us = cfg->role == ROLE_HIGH ? 1000 : 40000;
	return 0;
}

/* Hints go in before the queue exists, as the preload library sets them. */
static int set_attrs(int fd, const struct config *cfg)
{
	struct amdxsched_proc_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = cfg->attr_flags;
	a.pid = 0;
	if (a.flags & AMDXSCHED_ATTR_CLASS)
		a.sched_class = cfg->sched_class;
	if (a.flags & AMDXSCHED_ATTR_SHARE)
		a.share = cfg->share;
	if (a.flags & AMDXSCHED_ATTR_DEADLINE)
		a.deadline_ns = cfg->deadline_ms * MS;
	if (a.flags & AMDXSCHED_ATTR_TAG)
		memcpy(a.tag, cfg->tag, sizeof(a.tag));
	return axs_set_proc_attr(fd, &a);
}

/* Open the device, become a simulated process and make one queue; 0 or exit status. */
static int setup(const struct config *cfg, struct workload *wl)
{
	char what[64];
	int r;

	wl->fd = axs_open(O_RDONLY);
	if (wl->fd < 0)
		return fail("open " AXS_DEVICE_PATH, wl->fd);
	r = axs_sim_proc(wl->fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (r)
		return fail("create a simulated process", r);
	if (cfg->attr_flags) {
		r = set_attrs(wl->fd, cfg);
		if (r)
			return fail("set process attributes", r);
	}
	r = axs_sim_queue_create(wl->fd, cfg->gpu, cfg->priority, &wl->queue, NULL);
	if (r) {
		snprintf(what, sizeof(what), "create a queue on GPU %u", cfg->gpu);
		return fail(what, r);
	}
	if (!cfg->quiet) {
		printf("handle %" PRIu64 "\n", wl->queue);
		if (fflush(stdout))
			return fail("write stdout", -errno);
	}
	return 0;
}

/* Wait for dispatch @id in short slices; -ECANCELED if asked to stop first. */
static int wait_done(const struct workload *wl, uint64_t id, struct amdxsched_sim_wait *w)
{
	int r;

	for (;;) {
		r = axs_sim_wait(wl->fd, wl->queue, id, WAIT_SLICE_NS, w);
		if (r != -ETIMEDOUT)
			return r;
		if (stop_requested)
			return -ECANCELED;
	}
}

/* Sleep until @t (absolute CLOCK_MONOTONIC); false if asked to stop. */
static bool sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t / NS_PER_S),
		.tv_nsec = (long)(t % NS_PER_S),
	};

	while (!stop_requested) {
		int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		if (r != EINTR)
			return !stop_requested;
	}
	return false;
}

/* One request: K kernels back to back; latency from the first submit to the last end. */
static int high_request(const struct config *cfg, const struct workload *wl, uint64_t *lat)
{
	struct amdxsched_sim_wait w;
	uint64_t first = 0, last = 0, end;
	int r;

	for (unsigned int k = 0; k < cfg->kernels; k++) {
		r = axs_sim_submit(wl->fd, wl->queue, cfg->grid, cfg->wg_us * US, 0, &last);
		if (r)
			return r;
		if (!first)
			first = last;
	}
	r = wait_done(wl, last, &w);
	if (r)
		return r;
	end = w.end_ns;
	/* Finished already: only its submit time is wanted. */
	r = axs_sim_wait(wl->fd, wl->queue, first, 0, &w);
	if (r)
		return r;
	*lat = end > w.submit_ns ? end - w.submit_ns : 0;
	return 0;
}

static void high_record(struct high_stats *st, uint64_t lat)
{
	if (st->kept < MAX_LATENCIES)
		st->lat_ns[st->kept++] = lat;
	st->requests++;
	st->busy_ns += lat;
}

/* A request every period (absolute times); a late one starts at once. */
static int run_high(const struct config *cfg, const struct workload *wl, struct high_stats *st)
{
	uint64_t next = wl->start_ns, now, lat;
	int r;

	while (next < wl->until_ns && sleep_until(next)) {
		r = high_request(cfg, wl, &lat);
		if (r == -ECANCELED)
			break;
		if (r)
			return r;
		high_record(st, lat);
		next += cfg->period_ms * MS;
		now = axs_now_ns();
		if (next < now)
			next = now;
	}
	return 0;
}

/* Keep --inflight kernels queued so the batch job never leaves the GPU idle. */
static int run_low(const struct config *cfg, const struct workload *wl, struct low_stats *st)
{
	uint64_t wg_ns = cfg->wg_us * US, oldest = 0, id;
	struct amdxsched_sim_wait w;
	int r;

	for (unsigned int i = 0; i < cfg->inflight; i++) {
		r = axs_sim_submit(wl->fd, wl->queue, cfg->grid, wg_ns, 0, &id);
		if (r)
			return r;
		if (!oldest)
			oldest = id;
	}
	while (!stop_requested && axs_now_ns() < wl->until_ns) {
		r = wait_done(wl, oldest, &w);
		if (r == -ECANCELED)
			break;
		if (r)
			return r;
		if (!st->kernels)
			st->first_start_ns = w.start_ns;
		st->kernels++;
		st->last_end_ns = w.end_ns;
		oldest++;
		r = axs_sim_submit(wl->fd, wl->queue, cfg->grid, wg_ns, 0, &id);
		if (r)
			return r;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least p% of the values at or below it. */
static double pct_ms(const uint64_t *sorted, uint32_t n, unsigned int p)
{
	uint64_t rank;

	if (!n)
		return 0;
	rank = ((uint64_t)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1] / 1e6;
}

static void report_high(const struct workload *wl, struct high_stats *st, bool json,
			double secs)
{
	double p50, p90, p99, max;

	qsort(st->lat_ns, st->kept, sizeof(st->lat_ns[0]), cmp_u64);
	p50 = pct_ms(st->lat_ns, st->kept, 50);
	p90 = pct_ms(st->lat_ns, st->kept, 90);
	p99 = pct_ms(st->lat_ns, st->kept, 99);
	max = pct_ms(st->lat_ns, st->kept, 100);
	if (json) {
		printf("{\"role\":\"high\",\"pid\":%ld,\"handle\":%" PRIu64 ",\"requests\":%" PRIu64
		       ",\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f"
		       ",\"busy_ms\":%.3f,\"seconds\":%.3f}\n",
		       (long)getpid(), wl->queue, st->requests, p50, p90, p99, max,
		       st->busy_ns / 1e6, secs);
		return;
	}
	printf("high: %" PRIu64 " requests in %.2f s, busy %.1f ms\n", st->requests, secs,
	       st->busy_ns / 1e6);
	printf("high: latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       p50, p90, p99, max);
	if (st->requests > st->kept)
		printf("high: percentiles cover the first %u requests only\n", st->kept);
}

static void report_low(const struct workload *wl, const struct low_stats *st, bool json,
		       double secs)
{
	double rate = 0;

	if (st->kernels && st->last_end_ns > st->first_start_ns)
		rate = st->kernels / ((st->last_end_ns - st->first_start_ns) / 1e9);
	if (json) {
		printf("{\"role\":\"low\",\"pid\":%ld,\"handle\":%" PRIu64 ",\"kernels\":%" PRIu64
		       ",\"kernels_per_s\":%.3f,\"seconds\":%.3f}\n",
		       (long)getpid(), wl->queue, st->kernels, rate, secs);
		return;
	}
	printf("low: %" PRIu64 " kernels in %.2f s, %.3f kernels/s of device time\n",
	       st->kernels, secs, rate);
}

/* Run the role, then release the queue and the device; 0 or exit status. */
static int run(const struct config *cfg, struct workload *wl)
{
	struct high_stats hs = { 0 };
	struct low_stats ls = { 0 };
	double secs;
	int r;

	if (cfg->role == ROLE_HIGH) {
		hs.lat_ns = calloc(MAX_LATENCIES, sizeof(*hs.lat_ns));
		if (!hs.lat_ns)
			return fail("allocate latencies", -ENOMEM);
	}
	wl->start_ns = axs_now_ns();
	wl->until_ns = wl->start_ns + cfg->seconds * NS_PER_S;
	if (cfg->role == ROLE_HIGH)
		r = run_high(cfg, wl, &hs);
	else
		r = run_low(cfg, wl, &ls);
	secs = (axs_now_ns() - wl->start_ns) / 1e9;
	if (r) {
		free(hs.lat_ns);
		return fail(cfg->role == ROLE_HIGH ? "high request" : "low kernel", r);
	}
	/* Kernels still in flight go with the queue. */
	r = axs_sim_queue_destroy(wl->fd, wl->queue);
	if (!r && close(wl->fd))
		r = -errno;
	wl->fd = -1;
	if (r) {
		free(hs.lat_ns);
		return fail("release the queue", r);
	}
	if (cfg->role == ROLE_HIGH)
		report_high(wl, &hs, cfg->json, secs);
	else
		report_low(wl, &ls, cfg->json, secs);
	free(hs.lat_ns);
	if (fflush(stdout))
		return fail("write stdout", -errno);
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.seconds = 5, .priority = 7, .period_ms = 50, .kernels = 10, .inflight = 2,
	};
	struct workload wl = { .fd = -1 };
	int r;

	r = parse_args(argc, argv, &cfg);
	if (r)
		return r < 0 ? 0 : r;
	r = install_signals();
	if (r)
		return fail("install signal handlers", r);
	r = setup(&cfg, &wl);
	if (!r)
		r = run(&cfg, &wl);
	if (wl.fd >= 0)
		close(wl.fd);
	return r;
}
