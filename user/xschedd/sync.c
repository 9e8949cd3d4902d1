// SPDX-License-Identifier: MIT
/*
 * Keeps the policy in step with the module: the initial scan, events in,
 * decisions out as ioctls, and the leases that make every suspension of
 * ours end on its own if this daemon stops renewing them.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

const uint64_t xsd_react_le_ns[XSD_REACT_BUCKETS] = {
	50000, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000,
	20000000, 50000000, 100000000, UINT64_MAX,
};

/* ---- what each process was classified by and as ------------------------- */

static struct xsd_proc *known_find(const struct xsd *d, uint32_t pid)
{
	uint32_t lo = 0, hi = d->nknown;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (d->procs[mid].pid == pid)
			return &d->procs[mid];
		if (d->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void known_free(struct xsd_proc *p)
{
	free(p->exe);
	free(p->comm);
	free(p->cgroup);
	free(p->tag);
}

static void known_forget(struct xsd *d, uint32_t pid)
{
	struct xsd_proc *p = known_find(d, pid);

	if (!p)
		return;
	known_free(p);
	memmove(p, p + 1, (size_t)(d->procs + --d->nknown - p) * sizeof(*p));
}

static void known_clear(struct xsd *d)
{
	for (uint32_t i = 0; i < d->nknown; i++)
		known_free(&d->procs[i]);
	d->nknown = 0;
}

void xsd_sync_free(struct xsd *d)
{
	known_clear(d);
	free(d->procs);
	d->procs = NULL;
	d->cap_known = 0;
	free(d->whole_gpus);
	d->whole_gpus = NULL;
	d->nwhole = 0;
}

/*
 * Remember @f and @a for the process's queues. Without memory it is
 * forgotten, and its queues are decided as those of an unknown process
 * (no queue rule but one of process terms alone matches).
 */
static void known_put(struct xsd *d, const struct xsd_proc_facts *f,
		      const struct axsp_proc_attr *a)
{
	struct xsd_proc n = {
		.pid = f->pid, .uid = f->uid, .a = *a,
		.exe = strdup(f->exe), .comm = strdup(f->comm),
		.cgroup = strdup(f->cgroup), .tag = strdup(f->tag),
	};
	struct xsd_proc *p;
	uint32_t i;

	known_forget(d, f->pid);
	if (!n.exe || !n.comm || !n.cgroup || !n.tag)
		goto nomem;
	if (d->nknown == d->cap_known) {
		uint32_t cap = d->cap_known ? 2 * d->cap_known : 64;

		p = realloc(d->procs, cap * sizeof(*p));
		if (!p)
			goto nomem;
		d->procs = p;
		d->cap_known = cap;
	}
	for (i = d->nknown; i > 0 && d->procs[i - 1].pid > n.pid; i--)
		;
	memmove(&d->procs[i + 1], &d->procs[i], (d->nknown - i) * sizeof(n));
	d->procs[i] = n;
	d->nknown++;
	return;
nomem:
	known_free(&n);
}

/* ---- processes: rules, then hints ---------------------------------------- */

static void read_link(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* The cgroup path rules match (xsd_cgroup_path()), "" if none. */
static void read_cgroup(uint32_t pid, char *buf, size_t len)
{
	char path[64], text[4096];
	size_t n = 0;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	xsd_cgroup_path(text, buf, len);
}

static int resolve_proc(struct xsd *d, const struct amdxsched_proc_info *pi)
{
	char exe[PATH_MAX], cgroup[PATH_MAX], comm[sizeof(pi->comm) + 1], tag[AMDXSCHED_TAG_LEN + 1];
	struct xsd_proc_facts f = { .pid = pi->pid, .uid = pi->uid, .hint_priority = -1 };
	struct axsp_proc_attr a;
	unsigned int line;
	int r;

	read_link(pi->pid, exe, sizeof(exe));
	read_cgroup(pi->pid, cgroup, sizeof(cgroup));
	memcpy(comm, pi->comm, sizeof(pi->comm));
	comm[sizeof(pi->comm)] = '\0';
	memcpy(tag, pi->tag, sizeof(pi->tag));
	tag[sizeof(pi->tag)] = '\0';
	f.exe = exe;
	f.cgroup = cgroup;
	f.comm = comm;
	f.tag = tag;
	if (pi->attrs & AMDXSCHED_ATTR_CLASS)
		f.hint_class = (int)pi->sched_class;
	if (pi->attrs & AMDXSCHED_ATTR_PRIORITY)
		f.hint_priority = (int)pi->priority;
	if (pi->attrs & AMDXSCHED_ATTR_SHARE)
		f.hint_share = pi->share;
	if (pi->attrs & AMDXSCHED_ATTR_DEADLINE)
		f.hint_deadline_ns = pi->deadline_ns;
	/* A 1.0 module says only that some hint was set: take the class. */
	if (!pi->attrs && (pi->flags & AMDXSCHED_PROC_F_ATTR) && pi->sched_class)
		f.hint_class = (int)pi->sched_class;

	line = xsd_resolve(&d->cfg, &f, &a);
	r = axsp_proc_set(d->pol, pi->pid, &a);
	known_put(d, &f, &a);
	xsd_log(XSD_INFO, "process classified",
		"pid=%u comm=\"%s\" exe=\"%s\" tag=\"%s\" class=%s priority=%d rule_line=%u",
		pi->pid, comm, exe, tag, xsd_class_name(a.sched_class), a.priority, line);
	return r;
}

static int add_proc(struct xsd *d, uint32_t pid)
{
	struct amdxsched_proc_info *pi = NULL;
	uint32_t n = 0;
	int r;

	r = axs_list_procs(d->fd, pid, &pi, &n);
	if (!r && n == 1)
		r = resolve_proc(d, pi);
	else if (!r)
		r = -ESRCH;	/* gone already */
	free(pi);
	return r;
}

/* ---- queues ------------------------------------------------------------ */

/* Ours now, or one of ours that ended recently (its events may still come). */
static bool lease_ours(const struct xsd *d, uint64_t id)
{
	for (uint32_t i = 0; i < d->nleases; i++)
		if (d->leases[i].id == id)
			return true;
	for (uint32_t i = 0; i < XSD_PAST_LEASES; i++)
		if (d->past_leases[i] == id)
			return true;
	return false;
}

static void lease_drop(struct xsd *d, uint32_t i)
{
	d->past_leases[d->past_next++ % XSD_PAST_LEASES] = d->leases[i].id;
	free(d->leases[i].handles);
	d->leases[i] = d->leases[--d->nleases];
}

static bool whole_process_gpu(const struct xsd *d, uint32_t gpu_id)
{
	for (uint32_t i = 0; i < d->nwhole; i++)
		if (d->whole_gpus[i] == gpu_id)
			return true;
	return false;
}

/*
 * Note @gi's GPUs whose backend runs without BCAP_PER_QUEUE. One
 * BACKEND_INFO per backend; a backend that cannot be asked counts as
 * per-queue (as every backend but kfd on 6.1 is).
 */
static void note_whole_process_gpus(struct xsd *d, const struct amdxsched_gpu_info *gi,
				    uint32_t n)
{
	int whole[AMDXSCHED_BACKEND_KFD + 1] = { 0 };	/* 0 unknown, 1 yes, -1 no */
	uint32_t *w = realloc(d->whole_gpus, (n ? n : 1) * sizeof(*w));

	if (!w)
		return;
	d->whole_gpus = w;
	d->nwhole = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = gi[i].backend;
		struct amdxsched_backend_info bi;

		if (b > AMDXSCHED_BACKEND_KFD)
			continue;
		if (!whole[b])
			whole[b] = !axs_backend_info(d->fd, b, &bi) &&
				   bi.status == AMDXSCHED_BACKEND_RUNNING &&
				   !(bi.caps & AMDXSCHED_BCAP_PER_QUEUE) ? 1 : -1;
		if (whole[b] > 0)
			w[d->nwhole++] = gi[i].gpu_id;
	}
}

/*
 * A queue's own class, priority, share and deadline: from the first queue
 * rule that matches it, or its own hints (SET_QUEUE_ATTR, ABI 1.5) if
 * trusted; else its process's apply (xsd_resolve_queue()). 0, or the
 * policy's -ENOENT (a queue it does not know) or -EINVAL.
 */
static int resolve_queue(struct xsd *d, const struct amdxsched_queue_info *qi)
{
	const struct xsd_proc *kp = known_find(d, qi->pid);
	struct xsd_proc_facts f = {
		.pid = qi->pid, .uid = UINT32_MAX,	/* no uid= rule matches that */
		.exe = "", .comm = "", .cgroup = "", .tag = "", .hint_priority = -1,
	};
	struct xsd_queue_facts qf = {
		.app_priority = qi->app_priority, .hint_priority = -1,
	};
	struct axsp_proc_attr proc = {
		.sched_class = (enum axsp_class)d->cfg.default_class, .priority = -1,
	}, a;
	unsigned int line;
	int r;

	if (kp) {
		f.uid = kp->uid;
		f.exe = kp->exe;
		f.comm = kp->comm;
		f.cgroup = kp->cgroup;
		f.tag = kp->tag;
		proc = kp->a;
	}
	if (qi->attr_flags & AMDXSCHED_ATTR_CLASS)
		qf.hint_class = (int)qi->sched_class;
	if (qi->attr_flags & AMDXSCHED_ATTR_PRIORITY)
		qf.hint_priority = (int)qi->attr_priority;
	if (qi->attr_flags & AMDXSCHED_ATTR_SHARE)
		qf.hint_share = qi->share;
	if (qi->attr_flags & AMDXSCHED_ATTR_DEADLINE)
		qf.hint_deadline_ns = qi->deadline_ns;
	if (!xsd_resolve_queue(&d->cfg, &f, &qf, &proc, &a, &line))
		return axsp_queue_attr(d->pol, qi->handle, NULL);
	if (whole_process_gpu(d, qi->gpu_id)) {
		if (!d->whole_said)
			xsd_log(XSD_WARN, "queue classes ignored: this GPU's backend suspends "
				"whole processes", "gpu=%u queue=%" PRIu64 " pid=%u", qi->gpu_id,
				(uint64_t)qi->handle, qi->pid);
		d->whole_said = true;
		return axsp_queue_attr(d->pol, qi->handle, NULL);
	}
	r = axsp_queue_attr(d->pol, qi->handle, &a);
	if (r != -ENOENT)
		xsd_log(r ? XSD_WARN : XSD_INFO, "queue classified",
			"queue=%" PRIu64 " pid=%u app_priority=%u class=%s priority=%d "
			"rule_line=%u hints=0x%x%s", (uint64_t)qi->handle, qi->pid,
			qi->app_priority, xsd_class_name(a.sched_class), a.priority, line,
			qi->attr_flags, r ? " error=\"invalid attributes\"" : "");
	return r;
}

static int add_queue_info(struct xsd *d, const struct amdxsched_queue_info *qi, uint64_t now)
{
	bool busy = qi->state & AMDXSCHED_QUEUE_S_BUSY;
	int r;

	r = axsp_queue_add(d->pol, qi->handle, qi->gpu_id, qi->pid, qi->priority,
			   qi->level, busy, now);
	if (!r && d->trace)
		axs_trace_instant(d->trace, now, qi->gpu_id, "queue known", NULL);
	if (r && r != -EEXIST)
		return r;
	resolve_queue(d, qi);	/* the policy keeps the process's class if this fails */
	return 0;
}

static int add_queue(struct xsd *d, uint32_t pid, uint64_t handle, uint64_t now)
{
	struct amdxsched_queue_info *qi = NULL;
	uint32_t n = 0;
	int r;

	r = axs_list_queues(d->fd, pid, AMDXSCHED_GPU_ANY, &qi, &n);
	for (uint32_t i = 0; !r && i < n; i++)
		if (qi[i].handle == handle)
			r = add_queue_info(d, &qi[i], now);
	free(qi);
	return r;
}

/* Forget a queue in our leases (resumed or gone). */
static void lease_forget(struct xsd *d, uint64_t handle)
{
	for (uint32_t i = 0; i < d->nleases; i++) {
		struct xsd_lease *l = &d->leases[i];

		for (uint32_t k = 0; k < l->n; k++) {
			if (l->handles[k] != handle)
				continue;
			l->handles[k] = l->handles[--l->n];
			if (!l->n)
				lease_drop(d, i);
			return;
		}
	}
}

static bool lease_holds(const struct xsd *d, uint64_t id, uint64_t handle)
{
	for (uint32_t i = 0; i < d->nleases; i++) {
		if (d->leases[i].id != id)
			continue;
		for (uint32_t k = 0; k < d->leases[i].n; k++)
			if (d->leases[i].handles[k] == handle)
				return true;
	}
	return false;
}

/* ---- the initial scan and resyncs --------------------------------------- */

static int scan(struct xsd *d, uint64_t now)
{
	struct amdxsched_gpu_info *gi = NULL;
	struct amdxsched_proc_info *pi = NULL;
	struct amdxsched_queue_info *qi = NULL;
	uint32_t ng = 0, np = 0, nq = 0;
	int r;

	r = axs_list_gpus(d->fd, &gi, &ng);
	for (uint32_t i = 0; !r && i < ng; i++) {
		struct axsp_topo t = {
			.num_xcc = gi[i].num_xcc, .num_se = gi[i].num_se_per_xcc,
			.num_sh = gi[i].num_sh_per_se,
		};

		memcpy(t.active_cu, gi[i].active_cu, sizeof(t.active_cu));
		r = axsp_gpu_add(d->pol, gi[i].gpu_id, &t);
		if (r == -EEXIST)
			r = 0;
		if (!r)
			xsd_log(XSD_INFO, "GPU", "gpu=%u backend=%s cus=%u xccs=%u hws=%d cwsr=%d",
				gi[i].gpu_id, gi[i].backend == AMDXSCHED_BACKEND_KFD ? "kfd" : "sim",
				gi[i].num_cu, gi[i].num_xcc,
				!!(gi[i].flags & AMDXSCHED_GPU_F_HWS),
				!!(gi[i].flags & AMDXSCHED_GPU_F_CWSR));
	}
	if (!r)
		note_whole_process_gpus(d, gi, ng);
	if (!r)
		r = axs_list_procs(d->fd, 0, &pi, &np);
	for (uint32_t i = 0; !r && i < np; i++)
		r = resolve_proc(d, &pi[i]);
	if (!r)
		r = axs_list_queues(d->fd, 0, AMDXSCHED_GPU_ANY, &qi, &nq);
	for (uint32_t i = 0; !r && i < nq; i++) {
		/* A suspension of ours (a resync) stays ours. */
		struct amdxsched_queue_info q = qi[i];

		if ((q.state & AMDXSCHED_QUEUE_S_MINE))
			q.level = 0;
		r = add_queue_info(d, &q, now);
	}
	d->ngpus = ng;
	d->nprocs = np;
	d->nqueues = nq;
	free(gi);
	free(pi);
	free(qi);
	return r;
}

int xsd_sync_start(struct xsd *d)
{
	int r;

	r = axs_events_config(d->fd, axs_events_mask_all(&d->ver), AMDXSCHED_EVENTS_RING_MAX);
	if (r)
		return r;
	/* Subscribed first, so nothing between the scan and the events is lost. */
	r = scan(d, axs_now_ns());
	d->dirty = true;
	return r;
}

/* The ring overflowed: start over from what the module says now. */
static int resync(struct xsd *d)
{
	struct axsp_config pc = *axsp_get_config(d->pol);
	struct axsp *np = axsp_new(&pc);
	int r;

	if (!np)
		return -ENOMEM;
	/* Our suspensions stay in force; the new policy learns them as ours. */
	axsp_free(d->pol);
	d->pol = np;
	known_clear(d);		/* exits may be among the events lost */
	d->m.resyncs++;
	r = scan(d, axs_now_ns());
	/*
	 * The new policy thinks our queues run; resuming them all and letting
	 * it decide again is the one state both sides agree on.
	 */
	while (d->nleases) {
		axs_resume(d->fd, d->leases[0].handles, d->leases[0].n, 0, NULL);
		lease_drop(d, 0);
	}
	d->dirty = true;
	xsd_log(XSD_WARN, "event ring overflowed, state rescanned", "result=%d", r);
	return r;
}

static bool has_pid(const uint32_t *pids, uint32_t n, uint32_t pid)
{
	for (uint32_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * Decide again the own classes of the queues of the @n processes @pids
 * (all queues if @n is 0): their process, their hints or the rules changed.
 * One list call. Returns 0 or the list's -errno.
 */
static int requeue(struct xsd *d, const uint32_t *pids, uint32_t n)
{
	struct amdxsched_queue_info *qi = NULL;
	uint32_t nq = 0;
	int r;

	r = axs_list_queues(d->fd, n == 1 ? pids[0] : 0, AMDXSCHED_GPU_ANY, &qi, &nq);
	for (uint32_t i = 0; !r && i < nq; i++)
		if ((!n || has_pid(pids, n, qi[i].pid)) && resolve_queue(d, &qi[i]) == 0)
			d->dirty = true;
	free(qi);
	return r == -ESRCH ? 0 : r;	/* a process gone meanwhile */
}

int xsd_sync_reresolve(struct xsd *d)
{
	struct amdxsched_proc_info *pi = NULL;
	uint32_t n = 0;
	int r;

	r = axs_list_procs(d->fd, 0, &pi, &n);
	for (uint32_t i = 0; !r && i < n; i++)
		r = resolve_proc(d, &pi[i]);
	free(pi);
	if (!r)
		r = requeue(d, NULL, 0);
	d->dirty = true;
	return r;
}

/* ---- events -------------------------------------------------------------- */

#define EVENT_BATCH		256
/*
 * Full batches read per wake-up before deciding, renewing and serving
 * clients: a module that emits events as fast as we read them must not
 * starve those (a storm of processes and queues did, for minutes).
 */
#define EVENT_BATCHES_PER_WAKE	4

/*
 * Processes and queues a batch announced, looked up after it: one list call
 * for all of them, however many (each call waits for the module's lock),
 * rather than one per event. What the list shows is their state now, which
 * supersedes the batch's other events about them: a queue destroyed later
 * in the batch is not listed, a busy one is listed busy.
 */
struct news {
	uint32_t pids[EVENT_BATCH];
	uint32_t qpids[EVENT_BATCH];
	uint64_t queues[EVENT_BATCH];
	uint32_t rpids[EVENT_BATCH];	/* processes whose queues to decide again */
	uint32_t npids, nqueues, nrpids;
};

static void news_proc(struct news *nw, uint32_t pid)
{
	if (!has_pid(nw->pids, nw->npids, pid))
		nw->pids[nw->npids++] = pid;
}

/* Its queues' own classes depend on its attributes, and on their own hints. */
static void news_requeue(struct news *nw, uint32_t pid)
{
	if (!has_pid(nw->rpids, nw->nrpids, pid))
		nw->rpids[nw->nrpids++] = pid;
}

static bool news_has_proc(const struct news *nw, uint32_t pid)
{
	return has_pid(nw->pids, nw->npids, pid);
}

static bool news_has_queue(const struct news *nw, uint64_t h)
{
	for (uint32_t i = 0; i < nw->nqueues; i++)
		if (nw->queues[i] == h)
			return true;
	return false;
}

/* Processes first: a new queue's process must be known to the policy. */
static void news_apply(struct xsd *d, struct news *nw, uint64_t now)
{
	struct amdxsched_proc_info *pi = NULL;
	struct amdxsched_queue_info *qi = NULL;
	uint32_t n = 0;

	if (nw->npids == 1) {
		if (add_proc(d, nw->pids[0]) == 0)
			d->dirty = true;
	} else if (nw->npids && !axs_list_procs(d->fd, 0, &pi, &n)) {
		for (uint32_t i = 0; i < n; i++)
			if (news_has_proc(nw, pi[i].pid) && resolve_proc(d, &pi[i]) == 0)
				d->dirty = true;
	}
	free(pi);
	n = 0;
	if (nw->nqueues == 1) {
		if (add_queue(d, nw->qpids[0], nw->queues[0], now) == 0)
			d->dirty = true;
	} else if (nw->nqueues && !axs_list_queues(d->fd, 0, AMDXSCHED_GPU_ANY, &qi, &n)) {
		for (uint32_t i = 0; i < n; i++)
			if (news_has_queue(nw, qi[i].handle) && add_queue_info(d, &qi[i], now) == 0)
				d->dirty = true;
	}
	free(qi);
	if (nw->nrpids)
		requeue(d, nw->rpids, nw->nrpids);
	nw->npids = nw->nqueues = nw->nrpids = 0;
}

static void on_event(struct xsd *d, const struct amdxsched_event *ev, struct news *nw)
{
	uint64_t h = ev->handle, ts = ev->timestamp_ns;

	if (ev->type <= AMDXSCHED_EVENT_MAX)
		d->m.events[ev->type]++;
	if (d->trace)
		axs_trace_event(d->trace, ev);
	switch (ev->type) {
	case AMDXSCHED_EVENT_PROC_CREATED:
	case AMDXSCHED_EVENT_PROC_ATTR:
		news_proc(nw, ev->pid);
		if (ev->type == AMDXSCHED_EVENT_PROC_CREATED)
			d->nprocs++;
		else
			news_requeue(nw, ev->pid);
		break;
	case AMDXSCHED_EVENT_QUEUE_ATTR:
		/* the list says what the queue has now: one call for the batch */
		news_requeue(nw, ev->pid);
		break;
	case AMDXSCHED_EVENT_PROC_EXIT:
		axsp_proc_remove(d->pol, ev->pid);
		known_forget(d, ev->pid);
		if (d->nprocs)
			d->nprocs--;
		break;
	case AMDXSCHED_EVENT_QUEUE_CREATED:
		nw->qpids[nw->nqueues] = ev->pid;
		nw->queues[nw->nqueues++] = h;
		d->nqueues++;
		break;
	case AMDXSCHED_EVENT_QUEUE_DESTROYED:
		axsp_queue_remove(d->pol, h);
		lease_forget(d, h);
		if (d->nqueues)
			d->nqueues--;
		d->dirty = true;
		break;
	case AMDXSCHED_EVENT_QUEUE_BUSY:
		if (axsp_queue_busy(d->pol, h, true, ts) == 0) {
			d->dirty = true;
			if (!d->pending_busy_ns)
				d->pending_busy_ns = ts;
		}
		break;
	case AMDXSCHED_EVENT_QUEUE_IDLE:
		if (axsp_queue_busy(d->pol, h, false, ts) == 0)
			d->dirty = true;
		break;
	case AMDXSCHED_EVENT_QUEUE_SUSPENDED:
		/* Someone else's suspension: not ours to lift. */
		if (!lease_ours(d, ev->data[1]) &&
		    axsp_queue_observed(d->pol, h, (uint32_t)ev->data[0], false) == 0)
			d->dirty = true;
		break;
	case AMDXSCHED_EVENT_QUEUE_RESUMED:
		/*
		 * Only news if it ended a suspension we still count as ours, or
		 * one we took for someone else's: a queue we gave up on (a
		 * refused resume, a debugger) runs again and is in play.
		 */
		if (!lease_holds(d, ev->data[1], h)) {
			if ((!lease_ours(d, ev->data[1]) || axsp_queue_foreign(d->pol, h)) &&
			    axsp_queue_observed(d->pol, h, 0, false) == 0)
				d->dirty = true;
			break;
		}
		lease_forget(d, h);
		axsp_queue_observed(d->pol, h, 0, false);
		d->dirty = true;
		if (ev->data[0] == AMDXSCHED_RESUMED_LEASE) {
			d->m.leases_lost++;
			xsd_log(XSD_WARN, "our lease expired before renewal",
				"queue=%" PRIu64 " lease=%" PRIu64, h, (uint64_t)ev->data[1]);
		} else {
			xsd_log(XSD_INFO, "our suspension was lifted by someone else",
				"queue=%" PRIu64 " reason=%" PRIu64, h, (uint64_t)ev->data[0]);
		}
		break;
	case AMDXSCHED_EVENT_GPU_HANG:
		xsd_log(XSD_ERR, "GPU unmap exceeded the preemption timeout",
			"gpu=%u unmap_ns=%" PRIu64, ev->gpu_id, (uint64_t)ev->data[0]);
		break;
	default:
		break;
	}
}

/*
 * Read and apply what the module reported, up to EVENT_BATCHES_PER_WAKE
 * batches; poll(2) then wakes the main loop again at once for the rest.
 */
int xsd_sync_events(struct xsd *d)
{
	struct amdxsched_event ev[EVENT_BATCH];
	static struct news nw;
	ssize_t n;

	for (int b = 0; b < EVENT_BATCHES_PER_WAKE; b++) {
		n = axs_events_read(d->fd, ev, EVENT_BATCH);
		if (n <= 0)
			return (int)n;
		for (ssize_t i = 0; i < n; i++) {
			if (d->last_seq && ev[i].seq != d->last_seq + 1) {
				d->m.events_dropped += ev[i].seq - d->last_seq - 1;
				d->last_seq = ev[n - 1].seq;
				nw.npids = nw.nqueues = nw.nrpids = 0;
				return resync(d);
			}
			d->last_seq = ev[i].seq;
			on_event(d, &ev[i], &nw);
		}
		news_apply(d, &nw, axs_now_ns());
		/* A short read drained the ring: no extra read (a syscall) needed. */
		if (n < EVENT_BATCH)
			return 0;
	}
	return 0;
}

/* ---- decisions ------------------------------------------------------------ */

/*
 * Tell the policy what really happened to one entry of a failed call: gone,
 * held by someone else, or (any other failure) not changed - a suspension
 * not made, or one of ours still in place, to be resumed again.
 */
static void entry_failed(struct xsd *d, uint64_t h, int32_t st, uint32_t level)
{
	if (st == -ENOENT) {
		axsp_queue_remove(d->pol, h);
	} else if (st == -EBUSY) {
		axsp_queue_observed(d->pol, h, level ? level : AMDXSCHED_LEVEL_INTERRUPT, false);
		if (d->foreign_recheck_ns == UINT64_MAX)
			d->foreign_recheck_ns = axs_now_ns() + XSD_FOREIGN_RECHECK_NS;
	} else if (level)
		axsp_queue_observed(d->pol, h, 0, false);
	else
		axsp_queue_observed(d->pol, h, AMDXSCHED_LEVEL_INTERRUPT, true);
}

static void note_reaction(struct xsd *d, uint64_t now)
{
	uint64_t dt;

	if (!d->pending_busy_ns)
		return;
	dt = now > d->pending_busy_ns ? now - d->pending_busy_ns : 0;
	d->m.react_sample[d->m.react_count % XSD_REACT_SAMPLES] =
		dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
	d->m.react_count++;
	d->m.react_sum_ns += dt;
	if (dt > d->m.react_max_ns)
		d->m.react_max_ns = dt;
	for (int i = 0; i < XSD_REACT_BUCKETS; i++)
		if (dt <= xsd_react_le_ns[i])
			d->m.react_bucket[i]++;
}

/* Try the next decision no later than @at. */
static void decide_by(struct xsd *d, uint64_t at)
{
	if (d->next_decide_ns > at)
		d->next_decide_ns = at;
}

/*
 * A suspension the module refused is retried with a back-off that doubles
 * up to XSD_BACKOFF_MAX_NS, and said once per run of refusals (and once
 * when they end), not at every retry: a refusal that lasts (a lease the
 * module does not allow, a queue we may not touch) must not turn into a
 * busy loop that fills the log.
 */
static void suspend_refused(struct xsd *d, uint32_t gpu, uint32_t n, uint32_t level, int err,
			    uint64_t now)
{
	d->m.call_errors++;
	d->refusal_backoff_ns = d->refusal_backoff_ns ?
		d->refusal_backoff_ns * 2 : XSD_BACKOFF_MIN_NS;
	if (d->refusal_backoff_ns > XSD_BACKOFF_MAX_NS)
		d->refusal_backoff_ns = XSD_BACKOFF_MAX_NS;
	if (!d->refusals++ || err != d->refusal_err)
		xsd_log(XSD_WARN, "suspend refused, retrying with back-off",
			"gpu=%u queues=%u level=%u error=\"%s\" retry_ms=%" PRIu64,
			gpu, n, level, strerror(-err), d->refusal_backoff_ns / 1000000);
	d->refusal_err = err;
	d->refusal_retry_ns = now + d->refusal_backoff_ns;
	decide_by(d, d->refusal_retry_ns);
}

static void suspend_accepted(struct xsd *d)
{
	if (!d->refusals)
		return;
	xsd_log(XSD_INFO, "suspend accepted again", "refusals=%" PRIu64, d->refusals);
	d->refusals = 0;
	d->refusal_backoff_ns = 0;
	d->refusal_err = 0;
}

/* Remember lease @id of our @n suspended queues on @gpu, to renew it. */
static void lease_record(struct xsd *d, uint32_t gpu, const uint64_t *h, uint32_t n,
			 uint64_t id, uint64_t now)
{
	struct xsd_lease *nl;

	nl = realloc(d->leases, (d->nleases + 1) * sizeof(*nl));
	if (!nl)
		return;	/* the lease expires on its own */
	d->leases = nl;
	nl = &d->leases[d->nleases];
	nl->handles = malloc(n * sizeof(*h));
	if (!nl->handles)
		return;
	memcpy(nl->handles, h, n * sizeof(*h));
	nl->id = id;
	nl->gpu_id = gpu;
	nl->n = n;
	d->nleases++;
	if (d->nleases == 1 || d->next_renew_ns == UINT64_MAX)
		d->next_renew_ns = now + (uint64_t)d->cfg.lease_ms * 1000000 / 2;
}

/* What a resume of @h that ended with @st means for us and the policy. */
static void resume_result(struct xsd *d, uint64_t h, int32_t st, uint64_t now)
{
	if (st == 0 || st == -EALREADY || st == -ENOENT || st == -EBUSY)
		lease_forget(d, h);
	if (st == 0) {
		d->m.queues_resumed++;
	} else if (st != -EALREADY) {
		/* Ours still, under a lease we renew: try again soon. */
		entry_failed(d, h, st, 0);
		decide_by(d, now + XSD_RETRY_NS);
	}
}

/* One SUSPEND call of at most AMDXSCHED_MAX_BATCH queues, one lease. */
static int suspend_batch(struct xsd *d, uint32_t gpu, const uint64_t *h, uint32_t n,
			 uint32_t level, uint64_t now)
{
	int32_t st[AMDXSCHED_MAX_BATCH];
	uint64_t id = 0;
	int r;

	/* What a call refused as a whole leaves unwritten: "not done". */
	for (uint32_t i = 0; i < n; i++)
		st[i] = AMDXSCHED_STATUS_NOT_DONE;
	d->m.calls[0]++;
	note_reaction(d, axs_now_ns());
	r = axs_suspend(d->fd, h, n, level, d->cfg.lease_ms, st, &id);
	if (r) {
		for (uint32_t i = 0; i < n; i++)
			entry_failed(d, h[i], st[i], level);
		suspend_refused(d, gpu, n, level, r, now);
		return r;
	}
	suspend_accepted(d);
	d->m.queues_suspended += n;
	lease_record(d, gpu, h, n, id, now);
	return 0;
}

/* The policy recorded all @n as applied: send them all, a batch at a time. */
static void apply_suspend(struct xsd *d, uint32_t gpu, const uint64_t *h, uint32_t n,
			  uint32_t level, uint64_t now)
{
	/* Backing off: the policy hears "not done" and asks again later. */
	if (d->refusals && now < d->refusal_retry_ns) {
		for (uint32_t i = 0; i < n; i++)
			entry_failed(d, h[i], AMDXSCHED_STATUS_NOT_DONE, level);
		decide_by(d, d->refusal_retry_ns);
		return;
	}
	for (uint32_t off = 0; off < n; off += AMDXSCHED_MAX_BATCH) {
		uint32_t k = n - off < AMDXSCHED_MAX_BATCH ? n - off : AMDXSCHED_MAX_BATCH;

		suspend_batch(d, gpu, h + off, k, level, now);
	}
}

static void resume_batch(struct xsd *d, const uint64_t *h, uint32_t n, uint64_t now)
{
	int32_t st[AMDXSCHED_MAX_BATCH];
	int r;

	for (uint32_t i = 0; i < n; i++)
		st[i] = AMDXSCHED_STATUS_NOT_DONE;
	d->m.calls[1]++;
	r = axs_resume(d->fd, h, n, 0, st);
	for (uint32_t i = 0; i < n; i++)
		resume_result(d, h[i], st[i], now);
	if (r && r != -EALREADY) {
		d->m.call_errors++;
		xsd_log(XSD_WARN, "resume failed", "queues=%u error=\"%s\"", n, strerror(-r));
	}
}

static void apply_resume(struct xsd *d, const uint64_t *h, uint32_t n, uint64_t now)
{
	for (uint32_t off = 0; off < n; off += AMDXSCHED_MAX_BATCH) {
		uint32_t k = n - off < AMDXSCHED_MAX_BATCH ? n - off : AMDXSCHED_MAX_BATCH;

		resume_batch(d, h + off, k, now);
	}
}

static void trace_plan(struct xsd *d, const struct axsp_gpu_plan *gp, uint64_t now)
{
	char args[160];

	if (!d->trace)
		return;
	snprintf(args, sizeof(args),
		 "{\"suspend_lv2\":%u,\"suspend_lv3\":%u,\"resume\":%u,\"priority\":%u,\"cu_mask\":%u}",
		 gp->n_suspend[0], gp->n_suspend[1], gp->n_resume, gp->n_prio, gp->n_cu);
	axs_trace_instant(d->trace, now, gp->gpu_id, "decision", args);
}

/* What one APPLY call did to each kind of entry, for the policy and the log. */
static void at_once_results(struct xsd *d, const struct axsp_gpu_plan *gp,
			    const struct amdxsched_apply_entry *e, uint32_t n, int r, uint64_t id,
			    uint64_t now)
{
	uint64_t sus[AMDXSCHED_MAX_BATCH];
	uint32_t ns = 0, nsus = 0, bad = 0;
	bool refused = false;

	for (uint32_t i = 0; i < n; i++) {
		switch (e[i].op) {
		case AMDXSCHED_APPLY_SUSPEND:
			ns++;
			if (e[i].status == 0)
				sus[nsus++] = e[i].handle;
			else
				refused = true;
			break;
		case AMDXSCHED_APPLY_RESUME:
			resume_result(d, e[i].handle, e[i].status, now);
			break;
		default:
			bad += e[i].status != 0;
			break;
		}
	}
	if (refused) {
		/* the module rolled the suspensions back: all or none, as SUSPEND */
		for (uint32_t i = 0; i < n; i++)
			if (e[i].op == AMDXSCHED_APPLY_SUSPEND && e[i].status)
				entry_failed(d, e[i].handle, e[i].status, e[i].arg);
		suspend_refused(d, gp->gpu_id, ns, 0, r ? r : -EIO, now);
	} else if (ns) {
		suspend_accepted(d);
	}
	if (bad || (r && !refused)) {
		d->m.call_errors++;
		xsd_log(XSD_WARN, "decision partly failed", "gpu=%u entries=%u failed=%u error=\"%s\"",
			gp->gpu_id, n, bad, strerror(-r));
	}
	if (!nsus)
		return;
	d->m.queues_suspended += nsus;
	lease_record(d, gp->gpu_id, sus, nsus, id, now);
}

/*
 * Every change of @gp in one APPLY call, which the module makes in as few
 * remaps as it can (one on the simulated GPU): a whole-GPU unmap costs the
 * latency-critical tenant too. False if the module has no APPLY (ABI < 1.3)
 * or the plan is too big for one call: then one call per kind.
 */
static bool apply_gpu_at_once(struct xsd *d, const struct axsp_gpu_plan *gp, uint64_t now)
{
	uint32_t n = gp->n_cu + gp->n_prio + gp->n_suspend[0] + gp->n_suspend[1] + gp->n_resume;
	bool backoff = d->refusals && now < d->refusal_retry_ns;
	struct amdxsched_apply_entry *e;
	uint32_t k = 0, ns = 0, remaps = 0;
	uint64_t id = 0;
	int r;

	if (!(d->ver.caps & AMDXSCHED_CAP_APPLY) || !n || n > AMDXSCHED_MAX_BATCH)
		return false;
	e = calloc(n, sizeof(*e));
	if (!e)
		return false;
	for (uint32_t i = 0; i < gp->n_cu; i++) {
		e[k].handle = gp->cu[i].handle;
		e[k].op = AMDXSCHED_APPLY_CU_MASK;
		e[k].arg = gp->cu[i].num_bits;
		e[k++].mask = (uintptr_t)gp->cu[i].mask;
	}
	for (uint32_t i = 0; i < gp->n_prio; i++) {
		e[k].handle = gp->prio[i].handle;
		e[k].op = AMDXSCHED_APPLY_PRIORITY;
		e[k++].arg = gp->prio[i].priority;
	}
	for (int lv = 1; lv >= 0; lv--) {
		uint32_t level = lv ? AMDXSCHED_LEVEL_INTERRUPT : AMDXSCHED_LEVEL_DEACTIVATE;

		for (uint32_t i = 0; i < gp->n_suspend[lv]; i++) {
			/* backing off: the policy hears "not done" and asks again later */
			if (backoff) {
				entry_failed(d, gp->suspend[lv][i], AMDXSCHED_STATUS_NOT_DONE, level);
				continue;
			}
			e[k].handle = gp->suspend[lv][i];
			e[k].op = AMDXSCHED_APPLY_SUSPEND;
			e[k++].arg = level;
			ns++;
		}
	}
	if (backoff)
		decide_by(d, d->refusal_retry_ns);
	for (uint32_t i = 0; i < gp->n_resume; i++) {
		e[k].handle = gp->resume[i];
		e[k++].op = AMDXSCHED_APPLY_RESUME;
	}
	for (uint32_t i = 0; i < k; i++)
		e[i].status = AMDXSCHED_STATUS_NOT_DONE;
	if (k) {
		d->m.calls[4]++;
		if (ns)
			note_reaction(d, axs_now_ns());
		r = axs_apply(d->fd, gp->gpu_id, e, k, ns ? d->cfg.lease_ms : 0, &id, &remaps);
		d->m.remaps += remaps;
		at_once_results(d, gp, e, k, r, id, now);
	}
	free(e);
	return true;
}

static void apply_gpu(struct xsd *d, const struct axsp_gpu_plan *gp, uint64_t now)
{
	struct amdxsched_priority_entry pe[AMDXSCHED_MAX_BATCH];
	uint32_t n;
	int r;

	trace_plan(d, gp, now);
	if (apply_gpu_at_once(d, gp, now))
		return;
	for (uint32_t i = 0; i < gp->n_cu; i++) {
		d->m.calls[3]++;
		r = axs_set_cu_mask(d->fd, gp->cu[i].handle, gp->cu[i].mask, gp->cu[i].num_bits);
		if (r) {
			d->m.call_errors++;
			xsd_log(XSD_WARN, "CU mask failed", "queue=%" PRIu64 " error=\"%s\"",
				gp->cu[i].handle, strerror(-r));
		}
	}
	for (uint32_t off = 0; off < gp->n_prio; off += n) {
		n = gp->n_prio - off < AMDXSCHED_MAX_BATCH ? gp->n_prio - off : AMDXSCHED_MAX_BATCH;
		for (uint32_t i = 0; i < n; i++) {
			pe[i].handle = gp->prio[off + i].handle;
			pe[i].priority = gp->prio[off + i].priority;
			pe[i].status = 0;
		}
		d->m.calls[2]++;
		r = axs_set_priority(d->fd, pe, n);
		if (r) {
			d->m.call_errors++;
			xsd_log(XSD_WARN, "priority change failed", "gpu=%u queues=%u error=\"%s\"",
				gp->gpu_id, n, strerror(-r));
		}
	}
	/* Suspensions first: they are what latency-critical work waits for. */
	apply_suspend(d, gp->gpu_id, gp->suspend[1], gp->n_suspend[1], AMDXSCHED_LEVEL_INTERRUPT,
		      now);
	apply_suspend(d, gp->gpu_id, gp->suspend[0], gp->n_suspend[0], AMDXSCHED_LEVEL_DEACTIVATE,
		      now);
	apply_resume(d, gp->resume, gp->n_resume, now);
}

static bool proc_debugged(const struct amdxsched_proc_info *pi, uint32_t n, uint32_t pid)
{
	for (uint32_t i = 0; i < n; i++)
		if (pi[i].pid == pid)
			return pi[i].flags & AMDXSCHED_PROC_F_DEBUGGED;
	return false;
}

/*
 * A suspension refused with EBUSY counts as held by someone else: usually
 * another holder, whose resume we hear of as an event. But the module also
 * refuses a process a debugger holds (PROC_F_DEBUGGED, ABI 1.4) without it
 * being suspended, and no event says when the debugger leaves. So look
 * again: a queue counted as held that the module lists as running, of a
 * process no longer debugged, is put back in play; while any stays
 * debugged, look again later.
 */
static void foreign_recheck(struct xsd *d, uint64_t now)
{
	struct amdxsched_proc_info *pi = NULL;
	struct amdxsched_queue_info *qi = NULL;
	uint32_t np = 0, nq = 0;
	bool again = false;

	d->foreign_recheck_ns = UINT64_MAX;
	if (axs_list_procs(d->fd, 0, &pi, &np) ||
	    axs_list_queues(d->fd, 0, AMDXSCHED_GPU_ANY, &qi, &nq)) {
		again = true;
		goto out;
	}
	for (uint32_t i = 0; i < nq; i++) {
		if ((qi[i].state & AMDXSCHED_QUEUE_S_SUSPENDED) ||
		    !axsp_queue_foreign(d->pol, qi[i].handle))
			continue;
		if (proc_debugged(pi, np, qi[i].pid)) {
			again = true;
			continue;
		}
		axsp_queue_observed(d->pol, qi[i].handle, 0, false);
		d->dirty = true;
		xsd_log(XSD_INFO, "queue held by someone else runs again",
			"queue=%" PRIu64 " pid=%u", (uint64_t)qi[i].handle, qi[i].pid);
	}
out:
	if (again)
		d->foreign_recheck_ns = now + XSD_FOREIGN_RECHECK_NS;
	free(pi);
	free(qi);
}

int xsd_sync_decide(struct xsd *d, uint64_t now)
{
	struct axsp_plan plan;
	int r;

	if (now >= d->foreign_recheck_ns)
		foreign_recheck(d, now);
	d->dirty = false;
	r = axsp_decide(d->pol, now, &plan);
	if (r < 0)
		return r;
	if (r)
		d->m.decisions++;
	d->next_decide_ns = plan.next_ns;
	decide_by(d, d->foreign_recheck_ns);
	for (uint32_t i = 0; i < plan.n_gpus; i++)
		apply_gpu(d, &plan.gpus[i], now);
	d->pending_busy_ns = 0;
	return 0;
}

/* Renew every lease at half its length; one that cannot be renewed is gone. */
int xsd_sync_renew(struct xsd *d, uint64_t now)
{
	uint64_t half = (uint64_t)d->cfg.lease_ms * 1000000 / 2;

	if (!d->nleases) {
		d->next_renew_ns = UINT64_MAX;
		return 0;
	}
	if (now < d->next_renew_ns)
		return 0;
	for (uint32_t i = 0; i < d->nleases;) {
		int r = axs_lease_renew(d->fd, d->leases[i].id, d->cfg.lease_ms, NULL);

		if (!r) {
			d->m.lease_renewals++;
			i++;
			continue;
		}
		/* Expired: the module resumed its queues, the event will say so. */
		xsd_log(XSD_WARN, "lease renewal failed", "lease=%" PRIu64 " error=\"%s\"",
			d->leases[i].id, strerror(-r));
		for (uint32_t k = 0; k < d->leases[i].n; k++)
			axsp_queue_observed(d->pol, d->leases[i].handles[k], 0, false);
		lease_drop(d, i);
		d->dirty = true;
	}
	d->next_renew_ns = d->nleases ? now + half : UINT64_MAX;
	return 0;
}

uint32_t xsd_suspended_count(const struct xsd *d)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nleases; i++)
		n += d->leases[i].n;
	return n;
}
