// SPDX-License-Identifier: MIT
/*
 * xschedd: the amdxsched policy daemon. It subscribes to the module's
 * events, keeps the policy library informed, applies its decisions as
 * batched ioctls, and renews the leases of its suspensions. If it dies, the
 * module resumes everything it suspended when its file closes; if it hangs,
 * its leases run out. It never polls the GPU: it sleeps in poll(2) until an
 * event, a signal, a client, or the policy's or a lease's next deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "axs_gpuname.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"

#define MAX_POLL	16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xschedd [OPTIONS]\n"
		"  -c, --config FILE     configuration (default " XSD_DEFAULT_CONFIG ")\n"
		"  -S, --socket PATH     control socket (default " XSD_DEFAULT_SOCKET ")\n"
		"  -p, --policy NAME     override the configured policy\n"
		"  -t, --trace FILE      write a Perfetto/Chrome JSON trace of decisions and events\n"
		"  -f, --fifo PRIO       run with SCHED_FIFO priority PRIO (1..99)\n"
		"  -n, --check           validate the configuration and exit\n"
		"  -v, --verbose         debug logs\n"
		"  -V, --version\n"
		"  -h, --help\n"
		"Signals: SIGHUP reloads the configuration; SIGTERM or SIGINT stops.\n");
}

static int load_config(struct xsd *d, struct xsd_config *c, char *err, size_t errlen)
{
	const char *msg;
	int r = 0;

	if (d->config_path)
		r = xsd_config_load(d->config_path, c, err, errlen);
	else
		xsd_config_default(c);
	if (r || d->policy_override < 0)
		return r;
	c->pol.kind = (enum axsp_kind)d->policy_override;
	msg = axsp_config_check(&c->pol);
	if (msg) {
		snprintf(err, errlen, "--policy %s: %s", axsp_kind_name(c->pol.kind), msg);
		xsd_config_free(c);
		return -EINVAL;
	}
	return 0;
}

/* The module refuses a lease above its maximum: shorten ours to fit. */
static void lease_fit(const struct xsd *d, struct xsd_config *c)
{
	if (!d->ver.max_lease_ms || c->lease_ms <= d->ver.max_lease_ms)
		return;
	xsd_log(XSD_WARN, "lease longer than the module allows, shortened",
		"lease_ms=%u max_lease_ms=%u", c->lease_ms, d->ver.max_lease_ms);
	c->lease_ms = d->ver.max_lease_ms;
}

int xsd_reload(struct xsd *d, char *err, size_t errlen)
{
	struct xsd_config c;
	int r;

	r = load_config(d, &c, err, errlen);
	if (r) {
		d->m.reload_errors++;
		xsd_log(XSD_ERR, "configuration refused, keeping the old one", "error=\"%s\"", err);
		return r;
	}
	if (strcmp(c.metrics_listen, d->cfg.metrics_listen))
		xsd_log(XSD_WARN, "metrics_listen changes take a restart", "old=%s new=%s",
			d->cfg.metrics_listen, c.metrics_listen);
	snprintf(c.metrics_listen, sizeof(c.metrics_listen), "%s", d->cfg.metrics_listen);
	lease_fit(d, &c);
	axsp_set_config(d->pol, &c.pol);	/* checked by the parser */
	xsd_config_free(&d->cfg);
	d->cfg = c;
	d->m.reloads++;
	xsd_log(XSD_INFO, "configuration reloaded", "policy=%s rules=%zu",
		axsp_kind_name(c.pol.kind), c.nrules);
	return xsd_sync_reresolve(d);
}

static int open_device(struct xsd *d)
{
	int r;

	d->fd = axs_open(O_RDWR | O_NONBLOCK);
	if (d->fd < 0) {
		xsd_log(XSD_ERR, "cannot open " AXS_DEVICE_PATH, "error=\"%s\"%s",
			strerror(-d->fd), d->fd == -ENOENT ? " hint=\"modprobe amdxsched\"" : "");
		return d->fd;
	}
	r = axs_version(d->fd, &d->ver);
	if (r)
		return r;
	if (d->ver.abi_major != AMDXSCHED_ABI_MAJOR) {
		xsd_log(XSD_ERR, "module ABI not supported", "module=%u.%u xschedd=%u.%u",
			d->ver.abi_major, d->ver.abi_minor, AMDXSCHED_ABI_MAJOR,
			AMDXSCHED_ABI_MINOR);
		return -EPROTO;
	}
	if (!d->ver.control) {
		xsd_log(XSD_ERR, "no control over other processes' queues",
			"hint=\"run as root or with CAP_SYS_NICE\"");
		return -EPERM;
	}
	lease_fit(d, &d->cfg);
	xsd_log(XSD_INFO, "module", "version=%s abi=%u.%u gpus=%u backends=0x%x",
		d->ver.module_version, d->ver.abi_major, d->ver.abi_minor, d->ver.num_gpus,
		d->ver.backends);
	return 0;
}

/* The trace's GPU tracks named as amd-smi names the GPUs, where KFD knows them. */
static void label_trace_gpus(struct xsd *d)
{
	struct amdxsched_gpu_info *g = NULL;
	struct axs_gpu_name *names = NULL;
	uint32_t n = 0;
	char label[128];
	int nn;

	if (axs_list_gpus(d->fd, &g, &n))
		return;
	nn = axs_gpu_names_load(AXS_SYSFS_KFD_TOPOLOGY, &names);
	for (uint32_t i = 0; i < n; i++) {
		const struct axs_gpu_name *nm = axs_gpu_name_find(names, nn, g[i].kfd_gpu_id);

		if (nm) {
			axs_gpu_name_label(nm, label, sizeof(label));
			axs_trace_gpu_label(d->trace, g[i].gpu_id, label);
		}
	}
	free(names);
	free(g);
}

static int signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Reaction time percentiles over the last samples, at exit. */
static void log_reaction(struct xsd_metrics *m)
{
	uint32_t n = m->react_count < XSD_REACT_SAMPLES ? (uint32_t)m->react_count
							 : XSD_REACT_SAMPLES;
	uint32_t *v = m->react_sample;

	qsort(v, n, sizeof(*v), cmp_u32);
	xsd_log(XSD_INFO, "reaction time, busy event to suspend issued",
		"count=%" PRIu64 " mean_us=%" PRIu64 " p50_us=%u p90_us=%u p99_us=%u max_us=%" PRIu64,
		m->react_count, m->react_count ? m->react_sum_ns / m->react_count / 1000 : 0,
		n ? v[n / 2] / 1000 : 0, n ? v[n * 9 / 10] / 1000 : 0,
		n ? v[n * 99 / 100] / 1000 : 0, m->react_max_ns / 1000);
}

/* Milliseconds until the earliest deadline, -1 for none. */
static int poll_timeout(const struct xsd *d, uint64_t now)
{
	uint64_t next = d->next_decide_ns < d->next_renew_ns ? d->next_decide_ns : d->next_renew_ns;

	if (d->watchdog_ns && d->next_watchdog_ns < next)
		next = d->next_watchdog_ns;

	if (d->dirty)
		return 0;
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	/* round up, so we never wake just before the deadline */
	next = (next - now + 999999) / 1000000;
	return next > 60000 ? 60000 : (int)next;
}

static int run(struct xsd *d, int sfd)
{
	struct pollfd fds[MAX_POLL];
	char err[512];

	for (;;) {
		uint64_t now = axs_now_ns();
		int n, r;

		fds[0] = (struct pollfd){ .fd = d->fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		n = 2 + xsd_control_pollfds(d, fds + 2, MAX_POLL - 2);
		r = poll(fds, (nfds_t)n, poll_timeout(d, now));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (fds[0].revents & (POLLERR | POLLHUP))
			return -EIO;
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					xsd_log(XSD_INFO, "SIGHUP: reloading", "config=%s",
						d->config_path ? d->config_path : "(defaults)");
					xsd_notify("RELOADING=1");
					xsd_reload(d, err, sizeof(err));
					xsd_notify("READY=1");
				} else {
					xsd_log(XSD_INFO, "stopping", "signal=%u", si.ssi_signo);
					xsd_notify("STOPPING=1");
					return 0;
				}
			}
		}
		if (fds[0].revents & POLLIN) {
			r = xsd_sync_events(d);
			if (r < 0 && r != -EAGAIN)
				xsd_log(XSD_WARN, "reading events failed", "error=\"%s\"",
					strerror(-r));
		}
		now = axs_now_ns();
		if (d->dirty || now >= d->next_decide_ns) {
			r = xsd_sync_decide(d, now);
			if (r)
				xsd_log(XSD_ERR, "decision failed", "error=\"%s\"", strerror(-r));
		}
		xsd_sync_renew(d, axs_now_ns());
		xsd_control_handle(d, fds + 2, n - 2);
		/* From the main loop itself: a loop that hangs stops the keep-alives. */
		now = axs_now_ns();
		if (d->watchdog_ns && now >= d->next_watchdog_ns) {
			xsd_notify("WATCHDOG=1");
			d->next_watchdog_ns = now + d->watchdog_ns / 2;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'p' },
		{ "trace", required_argument, NULL, 't' },
		{ "fifo", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct xsd d = {
		.fd = -1, .socket_path = XSD_DEFAULT_SOCKET,
		.next_renew_ns = UINT64_MAX, .next_decide_ns = UINT64_MAX,
		.foreign_recheck_ns = UINT64_MAX,
		.policy_override = -1,
	};
	bool check = false, config_given = false;
	int c, sfd, r, fifo = 0;
	char err[512], *end;

	while ((c = getopt_long(argc, argv, "c:S:p:t:f:nvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			config_given = true;
			break;
		case 'S':
			d.socket_path = optarg;
			break;
		case 'p':
			d.policy_override = axsp_kind_parse(optarg);
			if (d.policy_override < 0) {
				fprintf(stderr, "xschedd: --policy: unknown policy '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			d.trace_path = optarg;
			break;
		case 'f':
			fifo = (int)strtol(optarg, &end, 10);
			if (*end || fifo < 1 || fifo > 99) {
				fprintf(stderr, "xschedd: --fifo: 1..99, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			xsd_log_verbose = true;
			break;
		case 'V':
			printf("xschedd %s (ABI %u.%u)\n", XSD_VERSION, AMDXSCHED_ABI_MAJOR,
			       AMDXSCHED_ABI_MINOR);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xschedd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	/* Without -c, the default file if there is one, else built-in defaults. */
	if (!config_given && access(XSD_DEFAULT_CONFIG, F_OK) == 0)
		d.config_path = XSD_DEFAULT_CONFIG;
	if (load_config(&d, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "xschedd: %s\n", err);
		return 1;
	}
	if (check) {
		xsd_config_print(&d.cfg, stdout);
		return 0;
	}
	if (fifo) {
		struct sched_param sp = { .sched_priority = fifo };

		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			xsd_log(XSD_WARN, "SCHED_FIFO refused", "error=\"%s\"", strerror(errno));
	}

	d.started_ns = axs_now_ns();
	d.pol = axsp_new(&d.cfg.pol);
	if (!d.pol)
		return 1;
	r = open_device(&d);
	if (r)
		return 1;
	sfd = signals();
	if (sfd < 0) {
		xsd_log(XSD_ERR, "signalfd", "error=\"%s\"", strerror(-sfd));
		return 1;
	}
	if (d.trace_path) {
		d.trace = axs_trace_open(d.trace_path);
		if (!d.trace) {
			xsd_log(XSD_ERR, "cannot write the trace", "path=%s error=\"%s\"",
				d.trace_path, strerror(errno));
			return 1;
		}
		label_trace_gpus(&d);
	}
	r = xsd_sync_start(&d);
	if (!r)
		r = xsd_control_open(&d);
	if (r) {
		xsd_log(XSD_ERR, "cannot start", "error=\"%s\"", strerror(-r));
		return 1;
	}
	xsd_log(XSD_INFO, "running", "policy=%s config=%s socket=%s lease_ms=%u",
		axsp_kind_name(d.cfg.pol.kind), d.config_path ? d.config_path : "(defaults)",
		d.socket_path, d.cfg.lease_ms);
	/* The first sync with the module is done and the socket listens. */
	xsd_notify("READY=1");
	d.watchdog_ns = xsd_watchdog_ns();
	d.next_watchdog_ns = axs_now_ns() + d.watchdog_ns / 2;
	if (d.watchdog_ns)
		xsd_log(XSD_INFO, "systemd watchdog", "period_ms=%" PRIu64,
			d.watchdog_ns / 1000000);
	r = run(&d, sfd);
	log_reaction(&d.m);
	xsd_control_close(&d);
	if (d.trace)
		axs_trace_close(d.trace);
	/* Closing the device resumes every queue we still hold. */
	close(d.fd);
	axsp_free(d.pol);
	xsd_sync_free(&d);
	xsd_config_free(&d.cfg);
	if (r)
		xsd_log(XSD_ERR, "stopped on error", "error=\"%s\"", strerror(-r));
	return r ? 1 : 0;
}
