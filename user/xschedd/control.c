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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define MAX_CLIENTS	8
#define REQ_MAX		256
#define CLIENT_NS	2000000000ULL

struct client {
	int fd;
	bool http;
	uint64_t deadline;
	size_t len;
	char req[REQ_MAX];
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
};

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
	fprintf(f, "# HELP xschedd_info Policy in force.\n# TYPE xschedd_info gauge\n"
		"xschedd_info{policy=\"%s\"} 1\n", axsp_kind_name(axsp_get_config(d->pol)->kind));
	metric(f, "gpus", "gauge", "GPUs scheduled.", d->ngpus);
	metric(f, "processes", "gauge", "Processes known to the module.", d->nprocs);
	metric(f, "queues", "gauge", "Queues known to the module.", d->nqueues);
	metric(f, "queues_suspended", "gauge", "Queues suspended by xschedd now.",
	       xsd_suspended_count(d));
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

static void serve(struct xsd *d, struct client *c)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	if (!f)
		return;
	if (c->http) {
		bool ok = !strncmp(c->req, "GET /metrics ", 13) || !strncmp(c->req, "GET / ", 6);

		if (ok)
			write_metrics(d, f);
		else
			fprintf(f, "not found\n");
		fflush(f);
		dprintf(c->fd, "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
			"Content-Length: %zu\r\nConnection: close\r\n\r\n",
			ok ? "200 OK" : "404 Not Found", len);
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

/* "127.0.0.1:9464", "[::1]:9464", ":9464" (any): numeric only, no resolver. */
static int listen_tcp(const char *hostport)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const char *colon = strrchr(hostport, ':');
	struct sockaddr *sa = (struct sockaddr *)&s4;
	socklen_t salen = sizeof(s4);
	char host[64];
	int fd, one = 1, r;
	long port;

	port = strtol(colon + 1, NULL, 10);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
	s4.sin_port = htons((uint16_t)port);
	s6.sin6_port = s4.sin_port;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6.sin6_addr) != 1)
			return -EADDRNOTAVAIL;
		sa = (struct sockaddr *)&s6;
		salen = sizeof(s6);
	} else if (!host[0] || !strcmp(host, "*")) {
		s4.sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, host, &s4.sin_addr) != 1) {
		return -EADDRNOTAVAIL;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, sa, salen) || listen(fd, MAX_CLIENTS)) {
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
	if (d->cfg.metrics_listen[0]) {
		tcp_fd = listen_tcp(d->cfg.metrics_listen);
		if (tcp_fd < 0) {
			xsd_log(XSD_ERR, "cannot listen for metrics", "address=%s error=\"%s\"",
				d->cfg.metrics_listen, strerror(-tcp_fd));
			return tcp_fd;
		}
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
			ssize_t r;

			if (c->fd != fds[k].fd)
				continue;
			r = read(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
			if (r <= 0) {
				drop(i);
				break;
			}
			c->len += (size_t)r;
			c->req[c->len] = '\0';
			if (strchr(c->req, '\n') || c->len == sizeof(c->req) - 1) {
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
