// SPDX-License-Identifier: MIT
/*
 * The control socket (a Unix stream socket; one request line, the answer,
 * then close: xschedctl speaks it) and, when metrics_listen is set, a TCP
 * listener answering "GET /metrics" with the same Prometheus text. Clients
 * are served from the main loop without blocking it: each has a deadline
 * and a small buffer, and a slow one is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "axs_gpuname.h"
#include "daemon.h"
#include "log.h"

#define MAX_CLIENTS	8
#define LINE_MAX_REQ	256		/* a control-socket request line */
#define HEAD_MAX	8192		/* an HTTP request head, as servers allow */
#define CLIENT_NS	2000000000ULL

struct client {
	int fd;
	bool http;
	uint64_t deadline;
	size_t len;
	char req[HEAD_MAX];
};

static int unix_fd = -1, tcp_fd = -1;
static struct client clients[MAX_CLIENTS];
static int nclients;

static const char *const event_names[AMDXSCHED_EVENT_MAX + 1] = {
	[AMDXSCHED_EVENT_QUEUE_CREATED] = "queue_created",
	[AMDXSCHED_EVENT_QUEUE_DESTROYED] = "queue_destroyed",
	[AMDXSCHED_EVENT_PROC_CREATED] = "proc_created",
	[AMDXSCHED_EVENT_PROC_EXIT] = "proc_exit",
	[AMDXSCHED_EVENT_QUEUE_BUSY] = "queue_busy",
	[AMDXSCHED_EVENT_QUEUE_IDLE] = "queue_idle",
	[AMDXSCHED_EVENT_QUEUE_SUSPENDED] = "queue_suspended",
	[AMDXSCHED_EVENT_QUEUE_RESUMED] = "queue_resumed",
	[AMDXSCHED_EVENT_LEASE_EXPIRED] = "lease_expired",
	[AMDXSCHED_EVENT_QUEUE_PRIORITY] = "queue_priority",
	[AMDXSCHED_EVENT_QUEUE_CU_MASK] = "queue_cu_mask",
	[AMDXSCHED_EVENT_PROC_ATTR] = "proc_attr",
	[AMDXSCHED_EVENT_GPU_HANG] = "gpu_hang",
	[AMDXSCHED_EVENT_QUEUE_DRAINED] = "queue_drained",
	[AMDXSCHED_EVENT_RESUME_FAILING] = "resume_failing",
	[AMDXSCHED_EVENT_RESUME_LATE] = "resume_late",
	[AMDXSCHED_EVENT_QUEUE_ATTR] = "queue_attr",
};

/* The module's own counters of each GPU, labelled as admins name GPUs. */
static void gpu_metrics(struct xsd *d, FILE *f)
{
	static const struct {
		const char *name, *help;
		size_t off;
		double scale;
	} c[] = {
#define C(field, name, help, scale) \
	{ name, help, offsetof(struct amdxsched_gpu_counters, field), scale }
		C(suspends, "suspensions_total", "Queue suspensions applied.", 1),
		C(resumes, "resumptions_total", "Queue resumptions applied.", 1),
		C(suspended_ns, "suspended_seconds_total", "Time queues spent suspended.", 1e-9),
		C(lease_expiries, "lease_expiries_total", "Queues resumed because a lease ran out.", 1),
		C(remaps, "remaps_total", "Whole-GPU unmap/remap cycles.", 1),
		C(remap_ns, "remap_seconds_total", "Time all queues were paused by remaps.", 1e-9),
		C(saved_bytes, "cwsr_saved_bytes_total", "Wave state saved by CWSR.", 1),
		C(hangs, "hangs_total", "Unmaps that exceeded the preemption timeout.", 1),
#undef C
	};
	struct amdxsched_gpu_info *gi = NULL;
	struct axs_gpu_name *names = NULL;
	uint32_t n = 0;
	char (*labels)[128], smi[12];
	int nnames;

	if (axs_list_gpus(d->fd, &gi, &n))
		return;
	/* each GPU's labels once per scrape: the names are a walk of sysfs */
	labels = calloc(n ? n : 1, sizeof(*labels));
	if (!labels) {
		free(gi);
		return;
	}
	nnames = axs_gpu_names_load(AXS_SYSFS_KFD_TOPOLOGY, &names);
	for (uint32_t i = 0; i < n; i++) {
		const struct axs_gpu_name *nm = axs_gpu_name_find(names, nnames, gi[i].kfd_gpu_id);

		smi[0] = '\0';
		if (nm)
			snprintf(smi, sizeof(smi), "%u", nm->smi_index);
		snprintf(labels[i], sizeof(labels[i]),
			 "gpu=\"%u\",kfd_gpu_id=\"%u\",amdsmi_index=\"%s\",pci=\"%s\","
			 "backend=\"%s\"", gi[i].gpu_id, gi[i].kfd_gpu_id, smi, nm ? nm->pci : "",
			 gi[i].backend == AMDXSCHED_BACKEND_KFD ? "kfd" : "sim");
	}
	free(names);
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		fprintf(f, "# HELP amdxsched_gpu_%s %s\n# TYPE amdxsched_gpu_%s counter\n",
			c[k].name, c[k].help, c[k].name);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v;

			memcpy(&v, (const char *)&gi[i].counters + c[k].off, sizeof(v));
			fprintf(f, "amdxsched_gpu_%s{%s} ", c[k].name, labels[i]);
			if (c[k].scale == 1)
				fprintf(f, "%" PRIu64 "\n", v);
			else
				fprintf(f, "%.9f\n", (double)v * c[k].scale);
		}
	}
	free(labels);
	free(gi);
}

/* Queues by scheduling class: all, busy, suspended (by anyone). */
static void class_metrics(struct xsd *d, FILE *f)
{
	static const struct {
		const char *name, *help;
	} m[] = {
		{ "class_queues", "Queues by scheduling class." },
		{ "class_queues_busy", "Busy queues by scheduling class." },
		{ "class_queues_suspended", "Suspended queues by scheduling class." },
	};
	struct axsp_class_counts c;

	axsp_class_counts(d->pol, &c);
	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		const uint32_t *v = k == 0 ? c.queues : k == 1 ? c.busy : c.suspended;

		fprintf(f, "# HELP xschedd_%s %s\n# TYPE xschedd_%s gauge\n", m[k].name, m[k].help,
			m[k].name);
		for (uint32_t cl = AXSP_CLASS_REALTIME; cl <= AXSP_CLASS_BEST_EFFORT; cl++)
			fprintf(f, "xschedd_%s{class=\"%s\"} %u\n", m[k].name, xsd_class_name((int)cl),
				v[cl]);
	}
}

static void metric(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
	fprintf(f, "# HELP xschedd_%s %s\n# TYPE xschedd_%s %s\nxschedd_%s %" PRIu64 "\n",
		name, help, name, type, name, v);
}

static void write_metrics(struct xsd *d, FILE *f)
{
	static const char *const calls[] = { "suspend", "resume", "priority", "cu_mask", "apply" };
	const struct xsd_metrics *m = &d->m;
	struct axsp_stats st;

	axsp_get_stats(d->pol, &st);
	fprintf(f, "# HELP xschedd_build_info Versions of xschedd and of the module's ABI.\n"
		"# TYPE xschedd_build_info gauge\n"
		"xschedd_build_info{version=\"%s\",abi=\"%u.%u\",module_abi=\"%u.%u\"} 1\n",
		XSD_VERSION, AMDXSCHED_ABI_MAJOR, AMDXSCHED_ABI_MINOR, d->ver.abi_major,
		d->ver.abi_minor);
	fprintf(f, "# HELP xschedd_info Policy in force.\n# TYPE xschedd_info gauge\n"
		"xschedd_info{policy=\"%s\"} 1\n", axsp_kind_name(axsp_get_config(d->pol)->kind));
	metric(f, "gpus", "gauge", "GPUs scheduled.", d->ngpus);
	metric(f, "processes", "gauge", "Processes known to the module.", d->nprocs);
	metric(f, "queues", "gauge", "Queues known to the module.", d->nqueues);
	metric(f, "queues_suspended", "gauge", "Queues suspended by xschedd now.",
	       xsd_suspended_count(d));
	class_metrics(d, f);
	fprintf(f, "# HELP xschedd_events_total Module events read, by type.\n"
		"# TYPE xschedd_events_total counter\n");
	for (int i = 1; i <= AMDXSCHED_EVENT_MAX; i++)
		fprintf(f, "xschedd_events_total{type=\"%s\"} %" PRIu64 "\n", event_names[i],
			m->events[i]);
	metric(f, "events_dropped_total", "counter", "Events lost to a full ring.",
	       m->events_dropped);
	metric(f, "resyncs_total", "counter", "Full rescans after lost events.", m->resyncs);
	metric(f, "decisions_total", "counter", "Policy decisions that changed something.",
	       m->decisions);
	fprintf(f, "# HELP xschedd_calls_total ioctls issued, by kind.\n"
		"# TYPE xschedd_calls_total counter\n");
	for (int i = 0; i < 5; i++)
		fprintf(f, "xschedd_calls_total{kind=\"%s\"} %" PRIu64 "\n", calls[i], m->calls[i]);
	metric(f, "apply_remaps_total", "counter",
	       "Whole-GPU remaps the module reports for our APPLY calls.", m->remaps);
	metric(f, "call_errors_total", "counter", "ioctls that failed.", m->call_errors);
	metric(f, "queue_suspensions_total", "counter", "Queues suspended.", m->queues_suspended);
	metric(f, "queue_resumptions_total", "counter", "Queues resumed.", m->queues_resumed);
	metric(f, "lease_renewals_total", "counter", "Leases renewed.", m->lease_renewals);
	metric(f, "leases_lost_total", "counter", "Leases that expired before renewal.",
	       m->leases_lost);
	metric(f, "guard_grants_total", "counter", "Starvation guard grants.", st.guard_grants);
	metric(f, "holds_total", "counter", "Resumptions deferred by hysteresis.", st.holds);
	metric(f, "reloads_total", "counter", "Configuration reloads.", m->reloads);
	metric(f, "reload_errors_total", "counter", "Reloads refused.", m->reload_errors);
	fprintf(f, "# HELP xschedd_reaction_seconds Busy event to suspend issued.\n"
		"# TYPE xschedd_reaction_seconds histogram\n");
	for (int i = 0; i < XSD_REACT_BUCKETS; i++) {
		if (xsd_react_le_ns[i] == UINT64_MAX)
			fprintf(f, "xschedd_reaction_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
				m->react_bucket[i]);
		else
			fprintf(f, "xschedd_reaction_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
				xsd_react_le_ns[i] / 1e9, m->react_bucket[i]);
	}
	fprintf(f, "xschedd_reaction_seconds_sum %.9f\nxschedd_reaction_seconds_count %" PRIu64
		"\n", m->react_sum_ns / 1e9, m->react_count);
	gpu_metrics(d, f);
}

static void answer(struct xsd *d, char *req, FILE *f)
{
	char err[512];
	int k;

	req[strcspn(req, "\r\n")] = '\0';
	if (!strcmp(req, "status")) {
		fprintf(f, "policy=%s\nconfig=%s\ngpus=%u\nprocs=%u\nqueues=%u\nsuspended=%u\n"
			"uptime_s=%" PRIu64 "\n", axsp_kind_name(axsp_get_config(d->pol)->kind),
			d->config_path ? d->config_path : "", d->ngpus, d->nprocs, d->nqueues,
			xsd_suspended_count(d), (axs_now_ns() - d->started_ns) / UINT64_C(1000000000));
	} else if (!strcmp(req, "policy")) {
		xsd_config_print(&d->cfg, f);
	} else if (!strncmp(req, "policy set ", 11)) {
		struct axsp_config c = d->cfg.pol;
		const char *msg;

		k = axsp_kind_parse(req + 11);
		if (k < 0) {
			fprintf(f, "error: unknown policy '%s'\n", req + 11);
			return;
		}
		c.kind = (enum axsp_kind)k;
		msg = axsp_config_check(&c);
		if (msg) {
			fprintf(f, "error: %s\n", msg);
			return;
		}
		axsp_set_config(d->pol, &c);
		d->cfg.pol = c;
		d->dirty = true;
		xsd_log(XSD_INFO, "policy changed", "policy=%s by=socket", req + 11);
		fprintf(f, "ok\n");
	} else if (!strcmp(req, "metrics")) {
		write_metrics(d, f);
	} else if (!strcmp(req, "reload")) {
		if (xsd_reload(d, err, sizeof(err)))
			fprintf(f, "error: %s\n", err);
		else
			fprintf(f, "ok\n");
	} else {
		fprintf(f, "error: unknown request '%.64s' (status, policy, policy set NAME, "
			"metrics, reload)\n", req);
	}
}

/* The request is all there: a line, or an HTTP head up to its blank line. */
static bool head_complete(const struct client *c)
{
	if (!c->http)
		return strchr(c->req, '\n');
	return strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n");
}

static void serve(struct xsd *d, struct client *c)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	if (!f)
		return;
	if (c->http) {
		bool ok = !strncmp(c->req, "GET /metrics ", 13) || !strncmp(c->req, "GET / ", 6);
		const char *status = ok ? "200 OK" : "404 Not Found";

		if (!head_complete(c)) {
			status = "431 Request Header Fields Too Large";
			ok = false;
		}
		if (ok)
			write_metrics(d, f);
		else
			fprintf(f, "%s\n", status + 4);
		fflush(f);
		dprintf(c->fd, "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
			"Content-Length: %zu\r\nConnection: close\r\n\r\n", status, len);
	} else {
		answer(d, c->req, f);
	}
	fclose(f);
	/* Small answers into a socket buffer: the loop never waits long. */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(c->fd, body + off, len - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(body);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(fd, MAX_CLIENTS)) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* metrics_listen's address (xsd_metrics_addr(), which the config checked). */
static int listen_tcp(const char *hostport)
{
	struct sockaddr_storage ss;
	socklen_t salen;
	int fd, one = 1, r;

	if (xsd_metrics_addr(hostport, &ss, &salen))
		return -EADDRNOTAVAIL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, salen) || listen(fd, MAX_CLIENTS)) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

int xsd_control_open(struct xsd *d)
{
	unix_fd = listen_unix(d->socket_path);
	if (unix_fd < 0)
		return unix_fd;
	/* Metrics are for watching: without them the scheduler still runs. */
	if (d->cfg.metrics_listen[0]) {
		tcp_fd = listen_tcp(d->cfg.metrics_listen);
		if (tcp_fd < 0)
			xsd_log(XSD_ERR, "cannot listen for metrics; scheduling without them",
				"address=%s error=\"%s\"", d->cfg.metrics_listen,
				strerror(-tcp_fd));
	}
	return 0;
}

void xsd_control_close(struct xsd *d)
{
	for (int i = 0; i < nclients; i++)
		close(clients[i].fd);
	nclients = 0;
	if (unix_fd >= 0) {
		close(unix_fd);
		unlink(d->socket_path);
	}
	if (tcp_fd >= 0)
		close(tcp_fd);
	unix_fd = tcp_fd = -1;
}

int xsd_control_pollfds(struct xsd *d, struct pollfd *fds, int max)
{
	int n = 0;

	(void)d;
	if (unix_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = unix_fd, .events = POLLIN };
	if (tcp_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = tcp_fd, .events = POLLIN };
	for (int i = 0; i < nclients && n < max; i++)
		fds[n++] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
	return n;
}

static void drop(int i)
{
	close(clients[i].fd);
	clients[i] = clients[--nclients];
}

static void accept_one(int lfd, bool http)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (nclients == MAX_CLIENTS) {
		close(fd);
		return;
	}
	clients[nclients++] = (struct client){
		.fd = fd, .http = http, .deadline = axs_now_ns() + CLIENT_NS,
	};
}

void xsd_control_handle(struct xsd *d, const struct pollfd *fds, int n)
{
	uint64_t now = axs_now_ns();

	/* Clients first: the pollfds name them by descriptor. */
	for (int k = 0; k < n; k++) {
		if (!fds[k].revents || fds[k].fd == unix_fd || fds[k].fd == tcp_fd)
			continue;
		for (int i = 0; i < nclients; i++) {
			struct client *c = &clients[i];
			size_t room = (c->http ? HEAD_MAX : LINE_MAX_REQ) - 1;
			ssize_t r;

			if (c->fd != fds[k].fd)
				continue;
			r = read(c->fd, c->req + c->len, room - c->len);
			if (r <= 0) {
				drop(i);
				break;
			}
			c->len += (size_t)r;
			c->req[c->len] = '\0';
			/*
			 * The whole head before answering: closing with part of it
			 * unread would reset the connection (Prometheus's ~300
			 * bytes did, against a 255-byte read).
			 */
			if (head_complete(c) || c->len == room) {
				serve(d, c);
				drop(i);
			}
			break;
		}
	}
	for (int i = 0; i < nclients;) {
		if (now > clients[i].deadline)
			drop(i);
		else
			i++;
	}
	for (int k = 0; k < n; k++) {
		if (fds[k].revents && fds[k].fd == unix_fd)
			accept_one(unix_fd, false);
		if (fds[k].revents && fds[k].fd == tcp_fd)
			accept_one(tcp_fd, true);
	}
}
