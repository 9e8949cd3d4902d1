// SPDX-License-Identifier: MIT
/*
 * axs-scenario: the VM's side of xsched-sim's cross-check. It plays a
 * scenario on the module's simulated GPU with real processes (one per
 * tenant, with a thread per stream for the tenants that are another
 * stream of its process, process=; SIM_SUBMIT and SIM_WAIT, the device's
 * own timestamps) under the hardware model alone (--executor native) or
 * under a running xschedd (--executor xschedd: each process gives its
 * tenant's class as a hint, each other stream's queue its own class with
 * SET_QUEUE_ATTR, ABI 1.5),
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
#include "plot.h"
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
	int status;			/* 0, or what failed (the process's exit status) */
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

/* One stream (a tenant's queue): its requests from t0 on, into c->out. */
static void *stream_main(void *arg)
{
	struct tenant_ctx *c = arg;
	const struct xsim_scenario *s = c->s;
	const struct xsim_tenant *t = &s->tenants[c->idx];
	uint64_t rng = xsim_arrival_seed(s, c->idx), next = c->t0 + xsim_first_arrival(c->idx);
	uint64_t end = c->t0 + s->duration_ns;
	pthread_t th;

	if (pthread_create(&th, NULL, waiter, c)) {
		c->status = 6;
		return NULL;
	}
	while (next < end) {
		uint64_t id = 0;

		sleep_until(next);
		for (uint32_t k = 0; k < t->nkernels && !c->status; k++) {
			const struct xsim_kernel *kk = &t->kernels[k];

			if (axs_sim_submit(c->fd, c->handle, kk->grid, kk->wg_ns, kk->footprint,
					   &id))
				c->status = 7;
		}
		if (c->status)
			break;
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
			next = c->t0 + c->out.r[c->out.n - 1].end_ns + t->think_ns;
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
	return NULL;
}

/* Whether tenant @i is played by the process of tenant @owner. */
static bool in_process(const struct xsim_scenario *s, uint32_t i, uint32_t owner)
{
	return i == owner || s->tenants[i].process == (int32_t)owner;
}

/* AMDXSCHED_ATTR_* for what tenant @t sets besides its class. */
static uint32_t hint_flags(const struct xsim_tenant *t)
{
	return (t->priority >= 0 ? AMDXSCHED_ATTR_PRIORITY : 0) |
	       (t->share ? AMDXSCHED_ATTR_SHARE : 0) |
	       (t->deadline_ns ? AMDXSCHED_ATTR_DEADLINE : 0);
}

/* Another stream of a process: its queue's own class and hints, as the engine gives them. */
static int stream_hints(int fd, uint64_t handle, const struct xsim_tenant *t)
{
	struct amdxsched_queue_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = AMDXSCHED_ATTR_CLASS | hint_flags(t);
	a.handle = handle;
	a.sched_class = t->sched_class;
	a.priority = t->priority >= 0 ? (uint32_t)t->priority : 0;
	a.share = t->share;
	a.deadline_ns = t->deadline_ns;
	return axs_set_queue_attr(fd, &a);
}

/*
 * The process of tenant @owner: its own stream and those of the tenants
 * that are streams of it (process=), each a queue and a thread, from @t0
 * on; each queue's handle written to its @ready pipe, each stream's
 * records to its @out pipe.
 */
static int process_main(const struct xsim_scenario *s, uint32_t owner, bool hints, uint32_t gpu,
			uint64_t t0, const int *out, const int *ready)
{
	struct tenant_ctx *c[XSIM_MAX_TENANTS] = { 0 };
	pthread_t th[XSIM_MAX_TENANTS];
	int fd, ret = 0;

	fd = axs_open(O_RDONLY);
	if (fd < 0 || axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL))
		return 2;
	if (hints) {
		const struct xsim_tenant *t = &s->tenants[owner];
		struct amdxsched_proc_attr a;

		memset(&a, 0, sizeof(a));
		a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_TAG | hint_flags(t);
		a.sched_class = t->sched_class;
		a.priority = t->priority >= 0 ? (uint32_t)t->priority : 0;
		a.share = t->share;
		a.deadline_ns = t->deadline_ns;
		snprintf(a.tag, sizeof(a.tag), "%s", t->name);
		if (axs_set_proc_attr(fd, &a))
			return 3;
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		if (!in_process(s, i, owner))
			continue;
		c[i] = calloc(1, sizeof(*c[i]));
		if (!c[i])
			return 1;
		c[i]->s = s;
		c[i]->idx = i;
		c[i]->t0 = t0;
		c[i]->fd = fd;
		pthread_mutex_init(&c[i]->mu, NULL);
		pthread_cond_init(&c[i]->cv, NULL);
		/* every stream at the default priority, as HIP creates them */
		if (axs_sim_queue_create(fd, gpu, 7, &c[i]->handle, NULL))
			return 4;
		if (hints && i != owner && stream_hints(fd, c[i]->handle, &s->tenants[i]))
			return 9;
		if (write(ready[i], &c[i]->handle, sizeof(c[i]->handle)) != sizeof(c[i]->handle))
			return 5;
		close(ready[i]);
	}
	for (uint32_t i = 0; i < s->ntenants; i++)
		if (c[i] && pthread_create(&th[i], NULL, stream_main, c[i]))
			return 6;
	for (uint32_t i = 0; i < s->ntenants; i++)
		if (c[i])
			pthread_join(th[i], NULL);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		uint64_t n;

		if (!c[i])
			continue;
		if (c[i]->status && !ret)
			ret = c[i]->status;
		n = c[i]->out.n;
		if (write(out[i], &n, sizeof(n)) != sizeof(n) ||
		    write(out[i], c[i]->out.r, n * sizeof(*c[i]->out.r)) !=
		    (ssize_t)(n * sizeof(*c[i]->out.r)))
			return 8;
	}
	return ret;
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
		FILE *csv, const char *label, struct xsim_result *r)
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
	if (hints && !(v.caps & AMDXSCHED_CAP_QUEUE_ATTR)) {
		for (uint32_t i = 0; i < s->ntenants; i++)
			if (s->tenants[i].process >= 0) {
				fprintf(stderr, "axs-scenario: tenant %s is another stream of a "
					"process (process=): its class needs ABI 1.5, the "
					"module has %u.%u\n", s->tenants[i].name, v.abi_major,
					v.abi_minor);
				return -EOPNOTSUPP;
			}
	}
	/* one process per tenant that has its own (process= streams are threads of it) */
	for (uint32_t i = 0; i < s->ntenants; i++) {
		int p[XSIM_MAX_TENANTS][2], q[XSIM_MAX_TENANTS][2], out[XSIM_MAX_TENANTS];
		int ready[XSIM_MAX_TENANTS];

		pids[i] = 0;
		if (s->tenants[i].process >= 0)
			continue;
		for (uint32_t j = 0; j < s->ntenants; j++) {
			if (!in_process(s, j, i))
				continue;
			if (pipe(p[j]) || pipe(q[j]))
				return -errno;
			out[j] = p[j][1];
			ready[j] = q[j][1];
		}
		pids[i] = fork();
		if (pids[i] == 0) {
			for (uint32_t j = 0; j < s->ntenants; j++) {
				if (in_process(s, j, i)) {
					close(p[j][0]);
					close(q[j][0]);
				}
			}
			_exit(process_main(s, i, hints, gpu, t0, out, ready));
		}
		for (uint32_t j = 0; j < s->ntenants; j++) {
			if (!in_process(s, j, i))
				continue;
			close(p[j][1]);
			close(q[j][1]);
			fds[j] = p[j][0];
			if (pids[i] < 0 || !read_all(q[j][0], &handles[j], sizeof(handles[j])))
				err = -EIO;
			close(q[j][0]);
		}
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
	/* each stream's records, in tenant order, as each process writes them */
	for (uint32_t i = 0; i < s->ntenants; i++) {
		struct xsim_request *req = NULL;
		uint64_t n = 0;

		if (read_all(fds[i], &n, sizeof(n)) && n < (1ULL << 24)) {
			req = calloc(n ? n : 1, sizeof(*req));
			if (req && !read_all(fds[i], req, n * sizeof(*req)))
				n = 0;
		}
		close(fds[i]);
		if (xsim_tenant_count(s, i, req, n, sizeof(*req), &r->t[i]))
			err = -ENOMEM;
		else if (csv)
			xsim_requests_csv(csv, s, label, i, req, n, sizeof(*req));
		free(req);
	}
	for (uint32_t i = 0; i < s->ntenants; i++) {
		int status = 0;

		if (s->tenants[i].process >= 0)
			continue;
		if (pids[i] < 0) {
			err = -EIO;	/* fork failed */
			continue;
		}
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "axs-scenario: the process of tenant %s failed "
				"(status 0x%x)\n", s->tenants[i].name, status);
			err = -EIO;
		}
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

/* DIR/SCENARIO-vm-EXECUTOR-TENANT.svg: the VM's latency CDF and the prediction's. */
static int plots(const char *dir, const struct xsim_scenario *s, const char *executor,
		 const struct xsim_result *alone, const struct xsim_result *vm,
		 const struct xsim_result *sim)
{
	char path[512], title[200], vm_name[32];

	snprintf(vm_name, sizeof(vm_name), "vm (%s)", executor);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct xsim_series ser[] = {
			{ "alone (xsched-sim)", alone[i].t[i].lat_ns, alone[i].t[i].finished },
			{ vm_name, vm->t[i].lat_ns, vm->t[i].finished },
			{ "xsched-sim", sim->t[i].lat_ns, sim->t[i].finished },
		};
		int r;

		snprintf(path, sizeof(path), "%s/%s-vm-%s-%s.svg", dir, s->name, executor,
			 s->tenants[i].name);
		snprintf(title, sizeof(title), "%s, %s: latency of %s in the VM and predicted",
			 s->name, executor, s->tenants[i].name);
		r = xsim_plot_cdf(path, title, ser, 3);
		if (r && r != -ENODATA) {
			fprintf(stderr, "axs-scenario: %s: %s\n", path, strerror(-r));
			return r;
		}
	}
	return 0;
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
		{ "csv", required_argument, NULL, 'c' },
		{ "svg", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *csv_path = NULL, *svg_dir = NULL;
	char label[32];
	FILE *csv = NULL;
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
	while ((o = getopt_long(argc, argv, "k:s:e:t:g:pc:S:", opts, NULL)) != -1) {
		switch (o) {
		case 'k': k = strtoull(optarg, NULL, 10); break;
		case 's': seconds = strtoull(optarg, NULL, 10); break;
		case 'e': executor = optarg; break;
		case 't': tol = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'g': gpu = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': print = true; break;
		case 'c': csv_path = optarg; break;
		case 'S': svg_dir = optarg; break;
		default:
			fprintf(stderr, "usage: axs-scenario [--scale K] [--seconds S] "
				"[--executor native|xschedd] [--tolerance PCT] [--gpu ID] "
				"[--csv FILE] [--svg DIR] [--print-config] SCENARIO\n");
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
		if (s->tenants[i].arrival == XSIM_AFTER) {
			fprintf(stderr, "axs-scenario: tenant %s: streams that wait for another's "
				"requests (after=) are not played in the VM yet\n",
				s->tenants[i].name);
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
	if (csv_path) {
		csv = fopen(csv_path, "we");
		if (!csv) {
			fprintf(stderr, "axs-scenario: %s: %s\n", csv_path, strerror(errno));
			return 1;
		}
		fprintf(csv, "scenario,executor,tenant,request,arrival_ns,end_ns,latency_ns\n");
	}
	snprintf(label, sizeof(label), "vm-%s", executor);
	ret = play(s, !strcmp(executor, "xschedd"), gpu, &react, csv, label, &vm);
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
	struct xsim_out out = { .csv = csv };

	ret = xsim_run(s, &e, (1U << s->ntenants) - 1, &out, &sim);
	if (csv && fclose(csv)) {
		fprintf(stderr, "axs-scenario: %s: %s\n", csv_path, strerror(errno));
		ret = -EIO;
	}
	if (ret)
		return 1;
	xsim_table_header();
	xsim_table_row(s, "vm", &vm, alone, 0);
	xsim_table_row(s, "xsched-sim", &sim, alone, 0);
	if (svg_dir && plots(svg_dir, s, executor, alone, &vm, &sim))
		return 1;

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
