// SPDX-License-Identifier: MIT
/*
 * axs-simq: test helper for tests/vm/xschedctl-test.sh and xschedd-test.sh.
 *
 *   axs-simq [--gpu ID] [--queues N] [--priority P] [--busy]
 *	A simulated process with N queues on GPU ID; prints their handles,
 *	one a line, then "ready", and sleeps until killed. --busy submits a
 *	long kernel to each queue so they stay busy.
 *   axs-simq --pair [--gpu ID] [--rt-priority P] [--be-priority P] [--set-classes]
 *	    [--period-ms N] [--wg-us N]
 *	One simulated process with two queues on GPU ID: "rt", created at
 *	priority --rt-priority (default 7), and "be", at --be-priority
 *	(default 7). --set-classes gives them their own classes realtime and
 *	best-effort (SET_QUEUE_ATTR, as their owner). Prints "rt HANDLE",
 *	"be HANDLE", then "ready"; keeps "be" busy with a long kernel and
 *	gives "rt" a short one (80 workgroups of --wg-us, default 5000, a
 *	whole CU each) every --period-ms (default 100), each waited for,
 *	until killed.
 *   axs-simq --fake-daemon PATH
 *	A stand-in for xschedd's control socket that answers status, policy,
 *	policy set NAME, metrics and reload (always an error) until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "axs.h"

#define MAX_QUEUES	64

static int die(const char *what, int err)
{
	fprintf(stderr, "axs-simq: %s: %s\n", what, strerror(err));
	return 1;
}

static int simq(uint32_t gpu, uint32_t nq, uint32_t prio, int busy)
{
	uint64_t h;
	uint32_t i;
	int fd, r;

	fd = axs_open(O_RDONLY);
	if (fd < 0)
		return die("open", -fd);
	r = axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (r < 0)
		return die("sim proc", -r);
	for (i = 0; i < nq; i++) {
		r = axs_sim_queue_create(fd, gpu, prio, &h, NULL);
		if (r < 0)
			return die("queue create", -r);
		/* 2^20 workgroups of 10 ms, each a whole CU: minutes of work */
		if (busy) {
			r = axs_sim_submit(fd, h, 1 << 20, 10000000, 0, NULL);
			if (r < 0)
				return die("submit", -r);
		}
		printf("%" PRIu64 "\n", h);
	}
	printf("ready\n");
	if (fflush(stdout) == EOF)
		return die("stdout", errno);
	for (;;)
		pause();
}

struct pair_args {
	uint32_t gpu, rt_prio, be_prio;
	int set_classes;
	uint64_t period_ns, wg_ns;
};

static int set_class(int fd, uint64_t h, uint32_t cls)
{
	struct amdxsched_queue_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = AMDXSCHED_ATTR_CLASS;
	a.handle = h;
	a.sched_class = cls;
	return axs_set_queue_attr(fd, &a);
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int pair(const struct pair_args *a)
{
	struct amdxsched_sim_wait w;
	uint64_t rt, be, id, next;
	int fd, r;

	fd = axs_open(O_RDONLY);
	if (fd < 0)
		return die("open", -fd);
	r = axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (r < 0)
		return die("sim proc", -r);
	r = axs_sim_queue_create(fd, a->gpu, a->rt_prio, &rt, NULL);
	if (!r)
		r = axs_sim_queue_create(fd, a->gpu, a->be_prio, &be, NULL);
	if (r < 0)
		return die("queue create", -r);
	if (a->set_classes) {
		r = set_class(fd, rt, AMDXSCHED_CLASS_REALTIME);
		if (!r)
			r = set_class(fd, be, AMDXSCHED_CLASS_BEST_EFFORT);
		if (r < 0)
			return die("set queue attr", -r);
	}
	/* 2^20 workgroups of 10 ms, each a whole CU: minutes of work */
	r = axs_sim_submit(fd, be, 1 << 20, 10000000, 0, NULL);
	if (r < 0)
		return die("submit", -r);
	printf("rt %" PRIu64 "\nbe %" PRIu64 "\nready\n", rt, be);
	if (fflush(stdout) == EOF)
		return die("stdout", errno);
	for (next = axs_now_ns();; next += a->period_ns) {
		sleep_until(next);
		r = axs_sim_submit(fd, rt, 80, a->wg_ns, 0, &id);
		if (r < 0)
			return die("submit", -r);
		do
			r = axs_sim_wait(fd, rt, id, 10000000000ULL, &w);
		while (r == -EINTR || r == -ETIMEDOUT);
		if (r < 0)
			return die("wait", -r);
		if (axs_now_ns() > next + a->period_ns)
			next = axs_now_ns();	/* late: no burst to catch up */
	}
}

static const char *answer(char *req, char *policy, size_t len)
{
	static char buf[512];

	req[strcspn(req, "\r\n")] = '\0';
	if (!strcmp(req, "status")) {
		snprintf(buf, sizeof(buf), "policy=%s\nconfig=/etc/xschedd.conf\ngpus=1\n"
			 "procs=0\nqueues=0\nsuspended=0\nuptime_s=1\n", policy);
		return buf;
	}
	if (!strcmp(req, "policy")) {
		snprintf(buf, sizeof(buf), "policy = %s\nhold_ms = 20\n", policy);
		return buf;
	}
	if (!strncmp(req, "policy set ", 11)) {
		snprintf(policy, len, "%.31s", req + 11);
		return "ok\n";
	}
	if (!strcmp(req, "metrics"))
		return "# HELP xschedd_decisions_total Policy decisions.\n"
		       "# TYPE xschedd_decisions_total counter\nxschedd_decisions_total 42\n";
	if (!strcmp(req, "reload"))
		return "error: /etc/xschedd.conf:3: unknown key 'bogus'\n";
	return "error: unknown request\n";
}

static int fake_daemon(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[256], policy[32] = "priority";
	const char *resp;
	int fd, c;
	ssize_t n;
	size_t len;

	if (strlen(path) >= sizeof(sa.sun_path))
		return die(path, ENAMETOOLONG);
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8))
		return die(path, errno);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0)
			return die("accept", errno);
		len = 0;
		do {
			n = read(c, req + len, sizeof(req) - 1 - len);
			if (n > 0)
				len += (size_t)n;
			req[len] = '\0';
		} while (n > 0 && !strchr(req, '\n') && len < sizeof(req) - 1);
		resp = answer(req, policy, sizeof(policy));
		if (write(c, resp, strlen(resp)) < 0)
			fprintf(stderr, "axs-simq: write: %s\n", strerror(errno));
		close(c);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gpu", required_argument, NULL, 'g' },
		{ "queues", required_argument, NULL, 'n' },
		{ "priority", required_argument, NULL, 'p' },
		{ "busy", no_argument, NULL, 'b' },
		{ "fake-daemon", required_argument, NULL, 'D' },
		{ "pair", no_argument, NULL, 'P' },
		{ "rt-priority", required_argument, NULL, 'r' },
		{ "be-priority", required_argument, NULL, 'e' },
		{ "set-classes", no_argument, NULL, 'c' },
		{ "period-ms", required_argument, NULL, 'T' },
		{ "wg-us", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long gpu = 0, nq = 1, prio = 7, rtp = 7, bep = 7, period_ms = 100, wg_us = 5000;
	int o, busy = 0, is_pair = 0, classes = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((o = getopt_long(argc, argv, "g:n:p:bD:", opts, NULL)) != -1) {
		if (o == 'g')
			gpu = strtoul(optarg, NULL, 0);
		else if (o == 'n')
			nq = strtoul(optarg, NULL, 0);
		else if (o == 'p')
			prio = strtoul(optarg, NULL, 0);
		else if (o == 'b')
			busy = 1;
		else if (o == 'D')
			return fake_daemon(optarg);
		else if (o == 'P')
			is_pair = 1;
		else if (o == 'r')
			rtp = strtoul(optarg, NULL, 0);
		else if (o == 'e')
			bep = strtoul(optarg, NULL, 0);
		else if (o == 'c')
			classes = 1;
		else if (o == 'T')
			period_ms = strtoul(optarg, NULL, 0);
		else if (o == 'w')
			wg_us = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (is_pair) {
		struct pair_args a = {
			.gpu = (uint32_t)gpu, .rt_prio = (uint32_t)rtp, .be_prio = (uint32_t)bep,
			.set_classes = classes, .period_ns = (uint64_t)period_ms * 1000000,
			.wg_ns = (uint64_t)wg_us * 1000,
		};

		if (rtp > AMDXSCHED_PRIORITY_MAX || bep > AMDXSCHED_PRIORITY_MAX ||
		    gpu > UINT32_MAX || !period_ms || period_ms > 60000 || !wg_us ||
		    wg_us > 1000000)
			return die("arguments", EINVAL);
		return pair(&a);
	}
	if (!nq || nq > MAX_QUEUES || prio > AMDXSCHED_PRIORITY_MAX || gpu > UINT32_MAX)
		return die("arguments", EINVAL);
	return simq((uint32_t)gpu, (uint32_t)nq, (uint32_t)prio, busy);
}
