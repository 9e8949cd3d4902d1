// SPDX-License-Identifier: MIT
/*
 * axs-simq: test helper for tests/vm/xschedctl-test.sh.
 *
 *   axs-simq [--gpu ID] [--queues N] [--priority P] [--busy]
 *	A simulated process with N queues on GPU ID; prints their handles,
 *	one a line, then "ready", and sleeps until killed. --busy submits a
 *	long kernel to each queue so they stay busy.
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
		{ NULL, 0, NULL, 0 },
	};
	unsigned long gpu = 0, nq = 1, prio = 7;
	int o, busy = 0;

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
		else
			return 2;
	}
	if (!nq || nq > MAX_QUEUES || prio > AMDXSCHED_PRIORITY_MAX || gpu > UINT32_MAX)
		return die("arguments", EINVAL);
	return simq((uint32_t)gpu, (uint32_t)nq, (uint32_t)prio, busy);
}
