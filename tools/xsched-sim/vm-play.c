// SPDX-License-Identifier: MIT
/*
 * axs-scenario: the VM's side of xsched-sim's cross-check. It plays a
 * scenario on the module's simulated GPU with real processes (one per
 * tenant, SIM_SUBMIT and SIM_WAIT, the device's own timestamps) under the
 * hardware model alone (--executor native) or under a running xschedd
 * (--executor xschedd: each process gives its tenant's class as a hint),
 * then runs xsched-sim's engine on the same scenario in virtual time and
 * says whether the two agree within --tolerance: the GPU's remaps over the
 * scenario's time (the module's counter), and each tenant's P50 and P99.
 *
 * Time is scaled (--scale K: every duration of the scenario K times longer)
 * because QEMU without KVM runs the CPU side far slower than a host; the
 * GPU costs the module simulates (unmap, save and restore) are not, and
 * the prediction uses the same scaled scenario with the module's costs,
 * no launch gap (the module has none), and the daemon's reaction measured
 * in this very run (a realtime queue's busy event to the next suspension
 * the module announces, less the unmap's modelled time).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axs.h"
#include "engine.h"
#include "report.h"

#define SEC 1000000000ULL

struct rec_buf {
	struct xsim_request *r;
	size_t n, cap;
};

struct tenant_ctx {
	const struct xsim_scenario *s;
	uint32_t idx;
	int fd;
	uint64_t handle, t0;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t last_id[4096];		/* the last dispatch id of each request in flight */
	uint64_t arrival[4096];
	size_t head, tail;
	bool done;
	struct rec_buf out;
};

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / SEC), (long)(t % SEC) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int push(struct rec_buf *b, uint64_t arrival, uint64_t end)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct xsim_request *r = realloc(b->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		b->r = r;
		b->cap = cap;
	}
	b->r[b->n].arrival_ns = arrival;
	b->r[b->n++].end_ns = end;
	return 0;
}

/* Requests end in order: wait for each one's last kernel, in turn. */
static void *waiter(void *arg)
{
	struct tenant_ctx *c = arg;

	for (;;) {
		struct amdxsched_sim_wait w;
		uint64_t id, arrival;
		int r;

		pthread_mutex_lock(&c->mu);
		while (c->head == c->tail && !c->done)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->head == c->tail) {
			pthread_mutex_unlock(&c->mu);
			return NULL;
		}
		id = c->last_id[c->head % 4096];
		arrival = c->arrival[c->head % 4096];
		pthread_mutex_unlock(&c->mu);
		do {
			r = axs_sim_wait(c->fd, c->handle, id, 60 * SEC, &w);
		} while (r == -EINTR || r == -ETIMEDOUT);
		pthread_mutex_lock(&c->mu);
		push(&c->out, arrival - c->t0, r ? 0 : w.end_ns - c->t0);
		c->head++;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
}

/* One tenant's process: its requests from @t0 on, written as records to @out. */
static int tenant_main(const struct xsim_scenario *s, uint32_t i, bool hints, uint32_t gpu,
		       uint64_t t0, int out, int ready)
{
	const struct xsim_tenant *t = &s->tenants[i];
	struct tenant_ctx *c = calloc(1, sizeof(*c));
	uint64_t rng = xsim_arrival_seed(s, i), next = t0 + xsim_first_arrival(i);
	uint64_t end = t0 + s->duration_ns, n;
	pthread_t th;
	int r;

	if (!c)
		return 1;
	c->s = s;
	c->idx = i;
	c->t0 = t0;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->fd = axs_open(O_RDONLY);
	if (c->fd < 0 || axs_sim_proc(c->fd, AMDXSCHED_SIM_PROC_CREATE, NULL))
		return 2;
	if (hints) {
		struct amdxsched_proc_attr a;

		memset(&a, 0, sizeof(a));
		a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_TAG;
		a.sched_class = t->sched_class;
		snprintf(a.tag, sizeof(a.tag), "%s", t->name);
		if (axs_set_proc_attr(c->fd, &a))
			return 3;
	}
	/* every stream at the default priority, as HIP creates them */
	if (axs_sim_queue_create(c->fd, gpu, 7, &c->handle, NULL))
		return 4;
	if (write(ready, &c->handle, sizeof(c->handle)) != sizeof(c->handle))
		return 5;
	close(ready);
	if (pthread_create(&th, NULL, waiter, c))
		return 6;
	while (next < end) {
		uint64_t id = 0;

		sleep_until(next);
		for (uint32_t k = 0; k < t->nkernels; k++) {
			const struct xsim_kernel *kk = &t->kernels[k];

			r = axs_sim_submit(c->fd, c->handle, kk->grid, kk->wg_ns, kk->footprint, &id);
			if (r)
				return 7;
		}
		pthread_mutex_lock(&c->mu);
		while (c->tail - c->head == 4096)
			pthread_cond_wait(&c->cv, &c->mu);
		c->last_id[c->tail % 4096] = id;
		c->arrival[c->tail % 4096] = next;
		c->tail++;
		pthread_cond_broadcast(&c->cv);
		if (t->arrival == XSIM_CLOSED) {
			while (c->head != c->tail)
				pthread_cond_wait(&c->cv, &c->mu);
			next = t0 + c->out.r[c->out.n - 1].end_ns + t->think_ns;
			if (!c->out.r[c->out.n - 1].end_ns)
				next = end;
		} else {
			next += xsim_arrival_gap(t, &rng);
		}
		pthread_mutex_unlock(&c->mu);
	}
	pthread_mutex_lock(&c->mu);
	c->done = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(th, NULL);
	n = c->out.n;
	if (write(out, &n, sizeof(n)) != sizeof(n) ||
	    write(out, c->out.r, n * sizeof(*c->out.r)) != (ssize_t)(n * sizeof(*c->out.r)))
		return 8;
	return 0;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The daemon's reaction in this run: for each busy event of a realtime
 * tenant's queue, the time to the next suspension the module announces;
 * the median, or 0 if there was none.
 */
static uint64_t reaction(int evfd, const uint64_t *handles, const struct xsim_scenario *s)
{
	struct amdxsched_event ev[256];
	uint64_t busy_at = 0, gaps[4096];
	size_t ngaps = 0;
	ssize_t n;

	while ((n = axs_events_read(evfd, ev, 256)) > 0) {
		for (ssize_t k = 0; k < n; k++) {
			bool rt = false;

			for (uint32_t i = 0; i < s->ntenants; i++)
				if (handles[i] == ev[k].handle &&
				    s->tenants[i].sched_class == AXSP_CLASS_REALTIME)
					rt = true;
			if (ev[k].type == AMDXSCHED_EVENT_QUEUE_BUSY && rt)
				busy_at = ev[k].timestamp_ns;
			if (ev[k].type == AMDXSCHED_EVENT_QUEUE_SUSPENDED && !rt && busy_at &&
			    ngaps < 4096) {
				gaps[ngaps++] = ev[k].timestamp_ns - busy_at;
				busy_at = 0;
			}
		}
	}
	if (!ngaps)
		return 0;
	qsort(gaps, ngaps, sizeof(gaps[0]), cmp_u64);
	return gaps[ngaps / 2];
}

/* Play every tenant in its own process on simulated GPU @gpu. */
/* @gpu's counters, as LIST_GPUS gives them. 0 or -errno. */
static int gpu_counters(int fd, uint32_t gpu, struct amdxsched_gpu_counters *c)
{
	struct amdxsched_gpu_info *g = NULL;
	uint32_t n = 0;
	int err = axs_list_gpus(fd, &g, &n);

	for (uint32_t i = 0; !err && i < n; i++) {
		if (g[i].gpu_id == gpu) {
			*c = g[i].counters;
			free(g);
			return 0;
		}
	}
	free(g);
	return err ? err : -ENODEV;
}

static int play(const struct xsim_scenario *s, bool hints, uint32_t gpu, uint64_t *react,
		struct xsim_result *r)
{
	struct amdxsched_gpu_counters c0, c1;
	uint64_t t0 = axs_now_ns() + 2 * SEC, handles[XSIM_MAX_TENANTS] = { 0 };
	pid_t pids[XSIM_MAX_TENANTS];
	int fds[XSIM_MAX_TENANTS], err = 0, evfd;
	struct amdxsched_version v;

	memset(r, 0, sizeof(*r));
	evfd = axs_open(O_RDONLY | O_NONBLOCK);
	if (evfd < 0 || axs_version(evfd, &v) ||
	    axs_events_config(evfd, axs_events_mask_all(&v), 65536))
		return -EIO;
	for (uint32_t i = 0; i < s->ntenants; i++) {
		int p[2], q[2];

		if (pipe(p) || pipe(q))
			return -errno;
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[0]);
			close(q[0]);
			_exit(tenant_main(s, i, hints, gpu, t0, p[1], q[1]));
		}
		close(p[1]);
		close(q[1]);
		fds[i] = p[0];
		if (pids[i] < 0 || !read_all(q[0], &handles[i], sizeof(handles[i])))
			err = -EIO;
		close(q[0]);
	}
	/* the module's remaps over the scenario's time, as the engine counts its own */
	sleep_until(t0);
	if (!err && gpu_counters(evfd, gpu, &c0))
		err = -EIO;
	sleep_until(t0 + s->duration_ns);
	if (!err && !gpu_counters(evfd, gpu, &c1)) {
		r->remaps = c1.remaps - c0.remaps;
		r->remap_ns = c1.remap_ns - c0.remap_ns;
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		struct xsim_request *req = NULL;
		uint64_t n = 0;
		int status = 0;

		if (read_all(fds[i], &n, sizeof(n)) && n < (1ULL << 24)) {
			req = calloc(n ? n : 1, sizeof(*req));
			if (req && !read_all(fds[i], req, n * sizeof(*req)))
				n = 0;
		}
		close(fds[i]);
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "axs-scenario: tenant %s failed (status 0x%x)\n",
				s->tenants[i].name, status);
			err = -EIO;
		} else if (xsim_tenant_count(s, i, req, n, sizeof(*req), &r->t[i])) {
			err = -ENOMEM;
		}
		free(req);
	}
	*react = reaction(evfd, handles, s);
	close(evfd);
	return err;
}

/* Every duration of the scenario @k times longer; the GPU's own costs not. */
static void scale(struct xsim_scenario *s, uint64_t k, uint64_t seconds)
{
	s->duration_ns *= k;
	s->warmup_ns *= k;
	if (seconds && s->duration_ns > seconds * SEC) {
		s->duration_ns = seconds * SEC;
		if (s->warmup_ns * 5 > s->duration_ns)
			s->warmup_ns = s->duration_ns / 5;
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		struct xsim_tenant *t = &s->tenants[i];

		t->period_ns *= k;
		t->think_ns *= k;
		t->deadline_ns *= k;
		for (uint32_t j = 0; j < t->nkernels; j++) {
			t->kernels[j].wg_ns *= k;
			if (t->kernels[j].wg_ns > AXS_SIM_MAX_WG_NS)
				t->kernels[j].wg_ns = AXS_SIM_MAX_WG_NS;
		}
	}
	s->gpu.launch_ns = 0;	/* the module's simulated GPU has no launch gap */
}

static bool close_to(uint64_t got, uint64_t want, uint32_t tol_pct)
{
	uint64_t d = got > want ? got - want : want - got;

	return want && d * 100 <= (uint64_t)tol_pct * want;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scale", required_argument, NULL, 'k' },
		{ "seconds", required_argument, NULL, 's' },
		{ "executor", required_argument, NULL, 'e' },
		{ "tolerance", required_argument, NULL, 't' },
		{ "gpu", required_argument, NULL, 'g' },
		{ "print-config", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct xsim_result vm, sim, alone[XSIM_MAX_TENANTS];
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	const char *executor = "native";
	uint64_t k = 20, seconds = 40, react = 0;
	uint32_t tol = 20, gpu = 0;
	struct xsim_exec e;
	bool print = false;
	int o, ret = 0, bad = 0;
	char err[512];

	if (!s)
		return 1;
	while ((o = getopt_long(argc, argv, "k:s:e:t:g:p", opts, NULL)) != -1) {
		switch (o) {
		case 'k': k = strtoull(optarg, NULL, 10); break;
		case 's': seconds = strtoull(optarg, NULL, 10); break;
		case 'e': executor = optarg; break;
		case 't': tol = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'g': gpu = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': print = true; break;
		default:
			fprintf(stderr, "usage: axs-scenario [--scale K] [--seconds S] "
				"[--executor native|xschedd] [--tolerance PCT] [--gpu ID] "
				"[--print-config] SCENARIO\n");
			return 2;
		}
	}
	if (optind != argc - 1 || !k) {
		fprintf(stderr, "axs-scenario: one scenario file, and a scale of at least 1\n");
		return 2;
	}
	if (xsim_scenario_load(argv[optind], s, err, sizeof(err))) {
		fprintf(stderr, "axs-scenario: %s\n", err);
		return 1;
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		if (s->tenants[i].process >= 0) {
			fprintf(stderr, "axs-scenario: tenant %s: streams of one process "
				"(process=) are not played in the VM yet\n", s->tenants[i].name);
			return 2;
		}
	}
	if (print) {
		/* xschedd's configuration for this scenario */
		xsd_config_print(&s->cfg, stdout);
		return 0;
	}
	scale(s, k, seconds);
	signal(SIGPIPE, SIG_IGN);
	xsim_describe(s);

	if (strcmp(executor, "native") && strcmp(executor, "xschedd")) {
		fprintf(stderr, "axs-scenario: --executor native or xschedd\n");
		return 2;
	}
	ret = play(s, !strcmp(executor, "xschedd"), gpu, &react, &vm);
	if (ret) {
		fprintf(stderr, "axs-scenario: the run failed: %s\n", strerror(-ret));
		return 1;
	}
	/* the prediction: the same scenario in virtual time */
	memset(alone, 0, sizeof(alone));
	xsim_exec_parse("native", &e);
	for (uint32_t i = 0; i < s->ntenants; i++)
		xsim_run(s, &e, 1U << i, NULL, &alone[i]);
	if (!strcmp(executor, "xschedd")) {
		struct axs_sim_params p;
		uint64_t unmap;

		/* the measured gap less the unmap of a full GPU, as the model costs it */
		axs_sim_params_default(&p);
		unmap = p.unmap_ns + (uint64_t)XSIM_NUM_CU * p.cu_state_bytes * SEC / p.save_bw;
		s->react_ns = react > unmap ? react - unmap : 0;
		s->ioctl_ns = 0;
		xsim_exec_parse(axsp_kind_name(s->cfg.pol.kind), &e);
		printf("  xschedd: busy event to suspension announced %.3f ms (median), so a "
		       "reaction of %.3f ms\n", (double)react / 1e6, (double)s->react_ns / 1e6);
	}
	ret = xsim_run(s, &e, (1U << s->ntenants) - 1, NULL, &sim);
	if (ret)
		return 1;
	xsim_table_header();
	xsim_table_row(s, "vm", &vm, alone, 0);
	xsim_table_row(s, "xsched-sim", &sim, alone, 0);

	printf("TAP version 13\n1..%u\n", 2 * s->ntenants + 1);
	/* the decisions: one remap each; a couple either way at the window's edges */
	bool remaps_ok = vm.remaps + 2 >= sim.remaps && vm.remaps <= sim.remaps + 2;

	remaps_ok |= close_to(vm.remaps, sim.remaps, tol);
	bad += !remaps_ok;
	printf("%sok 1 %s: %" PRIu64 " remaps in the VM, %" PRIu64 " predicted (tolerance %u%% "
	       "or 2)\n", remaps_ok ? "" : "not ", executor, vm.remaps, sim.remaps, tol);
	for (uint32_t i = 0, n = 2; i < s->ntenants; i++) {
		static const uint32_t pm[2] = { 500, 990 };

		for (int j = 0; j < 2; j++, n++) {
			uint64_t a = xsim_percentile(vm.t[i].lat_ns, vm.t[i].finished, pm[j]);
			uint64_t b = xsim_percentile(sim.t[i].lat_ns, sim.t[i].finished, pm[j]);
			bool ok = close_to(a, b, tol);

			bad += !ok;
			printf("%sok %u %s %s: P%s %.3f ms in the VM, %.3f ms predicted (%+.1f%%, "
			       "tolerance %u%%)\n", ok ? "" : "not ", n, executor,
			       s->tenants[i].name, j ? "99" : "50", (double)a / 1e6,
			       (double)b / 1e6, b ? 100.0 * ((double)a - (double)b) / (double)b : 0.0,
			       tol);
		}
	}
	xsim_result_free(&vm);
	xsim_result_free(&sim);
	for (uint32_t i = 0; i < s->ntenants; i++)
		xsim_result_free(&alone[i]);
	xsim_scenario_free(s);
	free(s);
	return bad ? 1 : 0;
}
