// SPDX-License-Identifier: MIT
/*
 * libaxspolicy: see axs_policy.h. Each decision computes, per GPU, the state
 * every queue should be in (its "want"), then emits only the differences from
 * what was last applied, grouped per GPU so that the caller can apply them
 * with one call per kind of change: on HWS every call costs one unmap/remap
 * of the whole GPU, so fewer, bigger batches are the point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "axs_policy.h"

#define MS		UINT64_C(1000000)
#define LEVEL_LV2	2
#define LEVEL_LV3	3

struct pproc {
	uint32_t pid;
	struct axsp_proc_attr a;
};

struct pqueue {
	uint64_t handle;
	uint32_t gpu_id, pid;
	uint32_t gi;		/* index of its GPU in gpus[] (GPUs are never removed) */
	const struct axsp_proc_attr *a;	/* its own, or its process's (resolved when grouped) */
	bool own_attr;		/* qa is set (axsp_queue_attr) */
	struct axsp_proc_attr qa;
	bool busy;
	bool foreign;		/* suspended by someone else: not ours to touch */
	uint32_t level;		/* applied suspension level, 0 = running */
	uint32_t prio;		/* applied hardware priority */
	uint64_t busy_since;
	uint64_t idle_at;	/* last busy -> idle, AXSP_NEVER if never busy */
	uint64_t ewma_ns;	/* mean busy period, for LLF */
	uint64_t starve_since;	/* suspended by us while busy, since */
	uint64_t guard_until;	/* starvation guard: runs until then */
	uint32_t cu_bits;	/* applied mask length, 0 = never masked */
	uint32_t cu_mask[AXSP_CU_MASK_WORDS];
	/* this decision */
	uint32_t want_level;
	uint32_t want_prio;
	uint32_t want_cu_bits;	/* 0 = all CUs */
	uint32_t want_cu[AXSP_CU_MASK_WORDS];
};

struct pgpu {
	uint32_t id;
	struct axsp_topo topo;
	uint32_t num_cu;
	bool holding;		/* priority: lower classes held by hysteresis */
	uint32_t owner_pid;	/* bandwidth: whose slice it is; edf/llf: winner */
	uint64_t slice_end;
	/* its queues are byg[first .. first + nq), regrouped when queues come or go */
	uint32_t first, nq;
	/*
	 * Only a GPU an event touched, or whose own next time came, is decided
	 * again: the others' wants cannot have changed (every time-dependent
	 * answer of a policy sets next_ns).
	 */
	bool dirty;
	uint64_t next_ns;
};

/* A process's queues on one GPU, for the policies that work per process. */
struct pgroup {
	uint32_t pid;
	uint32_t share;
	bool busy;
};

struct axsp {
	struct axsp_config cfg;
	struct axsp_stats st;
	struct pgpu *gpus;
	struct pproc *procs;
	struct pqueue *qs;		/* sorted by handle */
	uint32_t ngpus, nprocs, nqs;	/* procs sorted by pid */
	uint32_t cap_gpus, cap_procs, cap_qs;
	/*
	 * Queues grouped by GPU, with their process's attributes resolved:
	 * rebuilt only when queues, processes or the config change (regroup),
	 * as byg and pqueue.a point into qs and procs.
	 */
	bool regroup;
	struct pqueue **byg;
	struct pgroup *grp;
	uint32_t ngrp, cap_idx;
	/* the plan's storage */
	struct axsp_gpu_plan *plans;
	uint64_t *handles;		/* 3 * nqs: suspend Lv2, Lv3, resume */
	struct axsp_prio_change *prios;
	struct axsp_cu_change *cus;
	uint32_t cap_plan;
};

static const char *const kind_names[AXSP_NKINDS] = {
	[AXSP_PRIORITY] = "priority",
	[AXSP_BANDWIDTH] = "bandwidth",
	[AXSP_EDF] = "edf",
	[AXSP_LLF] = "llf",
	[AXSP_SPATIAL] = "spatial",
};

const char *axsp_kind_name(enum axsp_kind kind)
{
	return (unsigned int)kind < AXSP_NKINDS ? kind_names[kind] : "?";
}

int axsp_kind_parse(const char *name)
{
	for (int i = 0; i < AXSP_NKINDS; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

void axsp_config_default(struct axsp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = AXSP_PRIORITY;
	c->level[AXSP_CLASS_REALTIME] = LEVEL_LV3;
	c->level[AXSP_CLASS_NORMAL] = LEVEL_LV3;
	c->level[AXSP_CLASS_BEST_EFFORT] = LEVEL_LV3;
	c->priority[AXSP_CLASS_REALTIME] = 12;
	c->priority[AXSP_CLASS_NORMAL] = 7;
	c->priority[AXSP_CLASS_BEST_EFFORT] = 2;
	c->share[AXSP_CLASS_REALTIME] = 600;
	c->share[AXSP_CLASS_NORMAL] = 300;
	c->share[AXSP_CLASS_BEST_EFFORT] = 100;
	c->hold_ns = 2 * MS;
	c->min_share_permille = 50;
	c->guard_period_ns = 200 * MS;
	c->slice_period_ns = 20 * MS;
	c->llf_tick_ns = 1 * MS;
	c->cu_mode = AXSP_CU_NONE;
}

const char *axsp_config_check(const struct axsp_config *c)
{
	uint32_t sum = 0;

	if ((unsigned int)c->kind >= AXSP_NKINDS)
		return "unknown policy";
	for (int k = 1; k < AXSP_NCLASS; k++) {
		if (c->level[k] != LEVEL_LV2 && c->level[k] != LEVEL_LV3)
			return "level must be 2 or 3";
		if (c->priority[k] > 15)
			return "priority must be 0..15";
		if (c->share[k] < 1 || c->share[k] > 1000)
			return "share must be 1..1000 (per mille)";
		if (c->cu_permille[k] > 1000)
			return "CU fraction must be 0..1000 (per mille)";
		sum += c->cu_permille[k];
	}
	if (c->min_share_permille > 1000)
		return "min_share must be 0..1000 (per mille)";
	if (c->min_share_permille && !c->guard_period_ns)
		return "min_share needs a guard period";
	if (!c->slice_period_ns || !c->llf_tick_ns)
		return "periods must be positive";
	if (c->cu_mode > AXSP_CU_SHARE)
		return "unknown CU partition mode";
	if (c->cu_mode == AXSP_CU_CLASS && sum > 1000)
		return "CU fractions of the classes add up to more than 1000 per mille";
	if (c->cu_mode == AXSP_CU_CLASS && !sum)
		return "CU partition by class needs at least one class fraction";
	if (c->kind == AXSP_SPATIAL && c->cu_mode == AXSP_CU_NONE)
		return "the spatial policy needs a CU partition mode (class or share)";
	return NULL;
}

struct axsp *axsp_new(const struct axsp_config *cfg)
{
	struct axsp *p;

	if (axsp_config_check(cfg))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p) {
		p->cfg = *cfg;
		p->regroup = true;
	}
	return p;
}

void axsp_free(struct axsp *p)
{
	if (!p)
		return;
	free(p->gpus);
	free(p->procs);
	free(p->qs);
	free(p->byg);
	free(p->grp);
	free(p->plans);
	free(p->handles);
	free(p->prios);
	free(p->cus);
	free(p);
}

int axsp_set_config(struct axsp *p, const struct axsp_config *cfg)
{
	if (axsp_config_check(cfg))
		return -EINVAL;
	p->cfg = *cfg;
	p->regroup = true;
	return 0;
}

const struct axsp_config *axsp_get_config(const struct axsp *p)
{
	return &p->cfg;
}

void axsp_get_stats(const struct axsp *p, struct axsp_stats *st)
{
	*st = p->st;
}

/* Grow *arr to hold n + 1 elements of size sz. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t sz)
{
	uint32_t ncap;
	void *a;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	a = realloc(*arr, (size_t)ncap * sz);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = ncap;
	return 0;
}

static struct pgpu *find_gpu(struct axsp *p, uint32_t id)
{
	for (uint32_t i = 0; i < p->ngpus; i++)
		if (p->gpus[i].id == id)
			return &p->gpus[i];
	return NULL;
}

/* Index of the first proc with pid >= @pid (binary search). */
static uint32_t proc_pos(const struct axsp *p, uint32_t pid)
{
	uint32_t lo = 0, hi = p->nprocs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct pproc *find_proc(const struct axsp *p, uint32_t pid)
{
	uint32_t i = proc_pos(p, pid);

	return i < p->nprocs && p->procs[i].pid == pid ? &p->procs[i] : NULL;
}

/* Index of the first queue with handle >= @h. */
static uint32_t queue_pos(const struct axsp *p, uint64_t h)
{
	uint32_t lo = 0, hi = p->nqs;

	/* Handles only grow: a new queue usually goes at the end. */
	if (!p->nqs || p->qs[p->nqs - 1].handle < h)
		return p->nqs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->qs[mid].handle < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct pqueue *find_queue(struct axsp *p, uint64_t handle)
{
	uint32_t i = queue_pos(p, handle);

	return i < p->nqs && p->qs[i].handle == handle ? &p->qs[i] : NULL;
}

int axsp_gpu_add(struct axsp *p, uint32_t gpu_id, const struct axsp_topo *topo)
{
	uint32_t ncu = axsp_topo_num_cu(topo);
	struct pgpu *g;

	if (!ncu)
		return -EINVAL;
	if (find_gpu(p, gpu_id))
		return -EEXIST;
	if (grow((void **)&p->gpus, &p->cap_gpus, p->ngpus, sizeof(*p->gpus)))
		return -ENOMEM;
	g = &p->gpus[p->ngpus++];
	memset(g, 0, sizeof(*g));
	g->id = gpu_id;
	g->topo = *topo;
	g->num_cu = ncu;
	p->regroup = true;
	return 0;
}

static bool attr_ok(const struct axsp_proc_attr *a)
{
	return a->sched_class >= AXSP_CLASS_REALTIME && a->sched_class <= AXSP_CLASS_BEST_EFFORT &&
	       a->priority >= -1 && a->priority <= 15 && a->share <= 1000;
}

int axsp_proc_set(struct axsp *p, uint32_t pid, const struct axsp_proc_attr *a)
{
	struct pproc *pr;

	if (!attr_ok(a))
		return -EINVAL;
	pr = find_proc(p, pid);
	if (!pr) {
		uint32_t i = proc_pos(p, pid);

		if (grow((void **)&p->procs, &p->cap_procs, p->nprocs, sizeof(*p->procs)))
			return -ENOMEM;
		pr = &p->procs[i];
		memmove(pr + 1, pr, (size_t)(p->nprocs - i) * sizeof(*pr));
		p->nprocs++;
		pr->pid = pid;
	}
	pr->a = *a;
	p->regroup = true;	/* its queues' GPUs decide again */
	return 0;
}

int axsp_proc_remove(struct axsp *p, uint32_t pid)
{
	struct pproc *pr = find_proc(p, pid);

	if (!pr)
		return -ENOENT;
	memmove(pr, pr + 1, (size_t)(p->procs + --p->nprocs - pr) * sizeof(*pr));
	p->regroup = true;
	return 0;
}

int axsp_queue_add(struct axsp *p, uint64_t handle, uint32_t gpu_id, uint32_t pid,
		   uint32_t priority, uint32_t level, bool busy, uint64_t now)
{
	struct pgpu *g = find_gpu(p, gpu_id);
	struct pqueue *q;
	uint32_t i;

	if (!g || priority > 15 || (level && level != LEVEL_LV2 && level != LEVEL_LV3))
		return -EINVAL;
	if (find_queue(p, handle))
		return -EEXIST;
	if (grow((void **)&p->qs, &p->cap_qs, p->nqs, sizeof(*p->qs)))
		return -ENOMEM;
	i = queue_pos(p, handle);
	q = &p->qs[i];
	memmove(q + 1, q, (size_t)(p->nqs - i) * sizeof(*q));
	p->nqs++;
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	q->gpu_id = gpu_id;
	q->gi = (uint32_t)(g - p->gpus);
	q->pid = pid;
	q->prio = priority;
	q->level = level;
	q->foreign = level != 0;	/* nobody's suspension is ours at first sight */
	q->busy = busy;
	q->busy_since = busy ? now : 0;
	q->idle_at = AXSP_NEVER;
	q->starve_since = AXSP_NEVER;
	p->regroup = true;
	return 0;
}

int axsp_queue_remove(struct axsp *p, uint64_t handle)
{
	struct pqueue *q = find_queue(p, handle);
	uint32_t i;

	if (!q)
		return -ENOENT;
	/* Keep the order: plans list queues by handle. */
	i = (uint32_t)(q - p->qs);
	memmove(q, q + 1, (size_t)(p->nqs - i - 1) * sizeof(*q));
	p->nqs--;
	p->regroup = true;
	return 0;
}

int axsp_queue_busy(struct axsp *p, uint64_t handle, bool busy, uint64_t now)
{
	struct pqueue *q = find_queue(p, handle);

	if (!q)
		return -ENOENT;
	if (busy == q->busy)
		return 0;
	q->busy = busy;
	p->gpus[q->gi].dirty = true;
	if (busy) {
		q->busy_since = now;
	} else {
		uint64_t d = now - q->busy_since;

		q->idle_at = now;
		q->ewma_ns = q->ewma_ns ? (q->ewma_ns * 7 + d) / 8 : d;
	}
	return 0;
}

int axsp_queue_observed(struct axsp *p, uint64_t handle, uint32_t level, bool ours)
{
	struct pqueue *q = find_queue(p, handle);

	if (!q)
		return -ENOENT;
	if (level && level != LEVEL_LV2 && level != LEVEL_LV3)
		return -EINVAL;
	q->level = level;
	q->foreign = level && !ours;
	q->starve_since = AXSP_NEVER;
	p->gpus[q->gi].dirty = true;
	return 0;
}

int axsp_queue_attr(struct axsp *p, uint64_t handle, const struct axsp_proc_attr *attr)
{
	struct pqueue *q = find_queue(p, handle);

	if (!q)
		return -ENOENT;
	if (attr && !attr_ok(attr))
		return -EINVAL;
	q->own_attr = attr != NULL;
	if (attr)
		q->qa = *attr;
	p->regroup = true;	/* its GPU decides again */
	return 0;
}

bool axsp_queue_foreign(struct axsp *p, uint64_t handle)
{
	const struct pqueue *q = find_queue(p, handle);

	return q && q->foreign;
}

/* ---- what each queue should look like ---------------------------------- */

static const struct axsp_proc_attr default_attr = {
	.sched_class = AXSP_CLASS_NORMAL, .priority = -1,
};

static const struct axsp_proc_attr *attr_of(const struct axsp *p, uint32_t pid)
{
	const struct pproc *pr = find_proc(p, pid);

	return pr ? &pr->a : &default_attr;
}

void axsp_class_counts(const struct axsp *p, struct axsp_class_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < p->nqs; i++) {
		const struct pqueue *q = &p->qs[i];
		uint32_t k = (q->own_attr ? &q->qa : attr_of(p, q->pid))->sched_class;

		if (k < AXSP_CLASS_REALTIME || k > AXSP_CLASS_BEST_EFFORT)
			continue;
		c->queues[k]++;
		c->busy[k] += q->busy;
		c->suspended[k] += !!q->level;
	}
}

static uint32_t share_of(const struct axsp *p, const struct axsp_proc_attr *a)
{
	return a->share ? a->share : p->cfg.share[a->sched_class];
}

static void next_at(uint64_t *next, uint64_t t)
{
	if (t < *next)
		*next = t;
}

/* The GPU's queues in handle order (p->byg is built by each decision). */
#define for_each_gpu_queue(p, g, q) \
	for (uint32_t i_ = 0; i_ < (g)->nq && ((q) = (p)->byg[(g)->first + i_], 1); i_++)

/* Highest class first: every class below the most important active one waits. */
static void want_priority(struct axsp *p, struct pgpu *g, uint64_t now, uint64_t *next)
{
	bool busy[AXSP_NCLASS] = { 0 }, held[AXSP_NCLASS] = { 0 };
	uint32_t top = AXSP_NCLASS, c;
	struct pqueue *q;

	for_each_gpu_queue(p, g, q) {
		c = q->a->sched_class;
		if (q->busy) {
			busy[c] = true;
		} else if (q->idle_at != AXSP_NEVER && now - q->idle_at < p->cfg.hold_ns) {
			held[c] = true;
			next_at(next, q->idle_at + p->cfg.hold_ns);
		}
	}
	for (c = 1; c < AXSP_NCLASS; c++) {
		if (busy[c] || held[c]) {
			top = c;
			break;
		}
	}
	if (top < AXSP_NCLASS && !busy[top]) {
		if (!g->holding)
			p->st.holds++;
		g->holding = true;
	} else {
		g->holding = false;
	}
	for_each_gpu_queue(p, g, q) {
		c = q->a->sched_class;
		q->want_level = c > top ? p->cfg.level[c] : 0;
	}
}

static int cmp_pid(const void *a, const void *b)
{
	uint32_t x = (*(struct pqueue *const *)a)->pid, y = (*(struct pqueue *const *)b)->pid;

	return x < y ? -1 : x > y;
}

/*
 * The GPU's processes in pid order, each with its share and whether any of
 * its queues is busy, into p->grp, from the GPU's queues in pid order (the
 * second half of byg, sorted when the queues were grouped).
 */
static void group_procs(struct axsp *p, struct pgpu *g)
{
	struct pqueue **v = p->byg + p->nqs + g->first;

	p->ngrp = 0;
	for (uint32_t i = 0; i < g->nq; i++) {
		struct pgroup *gr = &p->grp[p->ngrp - 1];

		if (!p->ngrp || gr->pid != v[i]->pid) {
			gr = &p->grp[p->ngrp++];
			gr->pid = v[i]->pid;
			gr->share = share_of(p, v[i]->a);
			gr->busy = false;
		}
		gr->busy |= v[i]->busy;
	}
}

/* Round robin over the processes with busy queues, slices sized by share. */
static void want_bandwidth(struct axsp *p, struct pgpu *g, uint64_t now, uint64_t *next)
{
	uint32_t ngroups = 0, total = 0, owner_share = 0, next_pid = 0, first_pid = 0;
	bool owner_busy = false;
	struct pqueue *q;

	group_procs(p, g);
	for (uint32_t i = 0; i < p->ngrp; i++) {
		const struct pgroup *gr = &p->grp[i];

		if (!gr->busy)
			continue;
		ngroups++;
		total += gr->share;
		if (gr->pid == g->owner_pid)
			owner_busy = true;
		if (!first_pid)
			first_pid = gr->pid;
		if (gr->pid > g->owner_pid && !next_pid)
			next_pid = gr->pid;
	}
	if (ngroups < 2) {
		g->owner_pid = 0;
		for_each_gpu_queue(p, g, q)
			q->want_level = 0;
		return;
	}
	if (!owner_busy || now >= g->slice_end) {
		g->owner_pid = next_pid ? next_pid : first_pid;
		for (uint32_t i = 0; i < p->ngrp; i++)
			if (p->grp[i].pid == g->owner_pid)
				owner_share = p->grp[i].share;
		g->slice_end = now + p->cfg.slice_period_ns * owner_share / total;
	}
	next_at(next, g->slice_end);
	for_each_gpu_queue(p, g, q) {
		if (q->pid == g->owner_pid)
			q->want_level = 0;
		else if (q->busy)
			q->want_level = p->cfg.level[q->a->sched_class];
		else
			q->want_level = q->foreign ? 0 : q->level;	/* idle: no change */
	}
}

/* EDF and LLF: the busy queue with the earliest deadline (least laxity) runs. */
static uint64_t urgency(const struct axsp *p, const struct pqueue *q, uint64_t now)
{
	uint64_t dl = q->a->deadline_ns, due, left = 0, ran;

	if (!dl)
		return AXSP_NEVER;
	due = q->busy_since + dl;
	if (p->cfg.kind == AXSP_EDF)
		return due;
	ran = now - q->busy_since;
	if (q->ewma_ns > ran)
		left = q->ewma_ns - ran;
	/* laxity = due - now - left, as a time so that it compares with EDF's */
	return due > left ? due - left : 0;
}

static void want_deadline(struct axsp *p, struct pgpu *g, uint64_t now, uint64_t *next)
{
	uint64_t best = AXSP_NEVER, owner_u = AXSP_NEVER, u;
	uint32_t best_pid = 0, ndl = 0;
	struct pqueue *q;

	for_each_gpu_queue(p, g, q) {
		if (!q->busy)
			continue;
		u = urgency(p, q, now);
		if (u == AXSP_NEVER)
			continue;
		ndl++;
		if (q->pid == g->owner_pid && u < owner_u)
			owner_u = u;
		if (u < best) {
			best = u;
			best_pid = q->pid;
		}
	}
	if (!ndl) {
		/* No deadline work: classes decide. */
		g->owner_pid = 0;
		want_priority(p, g, now, next);
		return;
	}
	/* LLF switches only for a gain larger than the hysteresis. */
	if (p->cfg.kind == AXSP_LLF && owner_u != AXSP_NEVER &&
	    best + p->cfg.hold_ns >= owner_u)
		best_pid = g->owner_pid;
	g->owner_pid = best_pid;
	if (p->cfg.kind == AXSP_LLF && ndl > 1)
		next_at(next, now + p->cfg.llf_tick_ns);
	for_each_gpu_queue(p, g, q) {
		if (q->pid == best_pid)
			q->want_level = 0;
		else if (q->busy)
			q->want_level = p->cfg.level[q->a->sched_class];
		else
			q->want_level = q->foreign ? 0 : q->level;
	}
}

/* A busy queue kept waiting gets min_share of every guard period. */
static void starvation_guard(struct axsp *p, struct pgpu *g, uint64_t now, uint64_t *next)
{
	const struct axsp_config *c = &p->cfg;
	uint64_t off_max, grant;
	struct pqueue *q;

	if (!c->min_share_permille)
		return;
	off_max = c->guard_period_ns * (1000 - c->min_share_permille) / 1000;
	grant = c->guard_period_ns * c->min_share_permille / 1000;
	for_each_gpu_queue(p, g, q) {
		if (now < q->guard_until) {
			q->want_level = 0;
			next_at(next, q->guard_until);
			continue;
		}
		/* about to be suspended counts as suspended */
		if (!q->want_level || q->foreign || !q->busy) {
			q->starve_since = AXSP_NEVER;
			continue;
		}
		if (q->starve_since == AXSP_NEVER)
			q->starve_since = now;
		if (now - q->starve_since >= off_max) {
			q->guard_until = now + grant;
			q->starve_since = AXSP_NEVER;
			q->want_level = 0;
			p->st.guard_grants++;
			next_at(next, q->guard_until);
		} else {
			next_at(next, q->starve_since + off_max);
		}
	}
}

static void want_prio(struct axsp *p, struct pgpu *g)
{
	struct pqueue *q;

	for_each_gpu_queue(p, g, q) {
		const struct axsp_proc_attr *a = q->a;

		q->want_prio = a->priority >= 0 ? (uint32_t)a->priority :
			       p->cfg.priority[a->sched_class];
	}
}

static void set_want_cu(const struct pgpu *g, struct pqueue *q, uint32_t first, uint32_t count)
{
	q->want_cu_bits = 0;
	if (!count || count >= g->num_cu)
		return;		/* all CUs */
	if (first > g->num_cu - count)
		first = g->num_cu - count;
	q->want_cu_bits = axsp_cu_mask_build(&g->topo, first, count, q->want_cu,
					     AXSP_CU_MASK_WORDS);
}

/*
 * Per class: classes in order take consecutive, disjoint fractions of the
 * CUs. Each class's mask is built once and copied to its queues.
 */
static void want_cu_class(struct axsp *p, struct pgpu *g)
{
	uint32_t bits[AXSP_NCLASS], mask[AXSP_NCLASS][AXSP_CU_MASK_WORDS], off = 0;
	struct pqueue *q;

	for (int c = 1; c < AXSP_NCLASS; c++) {
		struct pqueue proto;
		uint32_t count = (uint32_t)((uint64_t)g->num_cu * p->cfg.cu_permille[c] / 1000);

		set_want_cu(g, &proto, off, count);
		bits[c] = proto.want_cu_bits;
		memcpy(mask[c], proto.want_cu, sizeof(mask[c]));
		off += count;
	}
	for_each_gpu_queue(p, g, q) {
		uint32_t c = q->a->sched_class;

		q->want_cu_bits = bits[c];
		if (bits[c])
			memcpy(q->want_cu, mask[c], bits[c] / 32 * sizeof(uint32_t));
	}
}

/* Per share: each process a disjoint range of CUs in proportion to its share. */
static void want_cu_share(struct axsp *p, struct pgpu *g)
{
	uint64_t total = 0, before = 0;
	struct pqueue *q;
	uint32_t k = 0;

	group_procs(p, g);
	for (uint32_t i = 0; i < p->ngrp; i++)
		total += p->grp[i].share;
	/* processes in pid order take consecutive ranges */
	for (uint32_t i = 0; i < p->ngrp; i++) {
		uint64_t share = p->grp[i].share;

		p->grp[i].share = (uint32_t)before;	/* now: shares before it */
		before += share;
	}
	for_each_gpu_queue(p, g, q) {
		uint32_t lo = 0, hi = p->ngrp;

		while (lo < hi) {	/* its group */
			k = lo + (hi - lo) / 2;
			if (p->grp[k].pid < q->pid)
				lo = k + 1;
			else
				hi = k;
		}
		k = lo;
		set_want_cu(g, q, (uint32_t)(g->num_cu * p->grp[k].share / total),
			    (uint32_t)(g->num_cu * share_of(p, q->a) / total));
	}
}

/* ---- the plan ---------------------------------------------------------- */

static int plan_room(struct axsp *p)
{
	uint32_t need = p->nqs > p->ngpus ? p->nqs : p->ngpus;
	void *a, *b, *c, *d, *e, *f;

	if (need <= p->cap_plan)
		return 0;
	need = need < 16 ? 16 : need * 2;
	a = realloc(p->plans, need * sizeof(*p->plans));
	if (a)
		p->plans = a;
	b = realloc(p->handles, 3 * (size_t)need * sizeof(*p->handles));
	if (b)
		p->handles = b;
	c = realloc(p->prios, need * sizeof(*p->prios));
	if (c)
		p->prios = c;
	d = realloc(p->cus, need * sizeof(*p->cus));
	if (d)
		p->cus = d;
	e = realloc(p->byg, 2 * (size_t)need * sizeof(*p->byg));	/* + scratch */
	if (e)
		p->byg = e;
	f = realloc(p->grp, need * sizeof(*p->grp));
	if (f)
		p->grp = f;
	if (!a || !b || !c || !d || !e || !f)
		return -ENOMEM;
	p->cap_plan = need;
	return 0;
}

static bool cu_differs(const struct pqueue *q)
{
	if (!q->want_cu_bits)	/* all CUs: a change only if a mask was set */
		return q->cu_bits != 0;
	return q->want_cu_bits != q->cu_bits ||
	       memcmp(q->want_cu, q->cu_mask, q->cu_bits / 32 * sizeof(uint32_t));
}

/* Diff want against applied for one GPU; record the changes as applied. */
static void plan_gpu(struct axsp *p, struct pgpu *g, struct axsp_gpu_plan *gp,
		     uint32_t *hoff, uint32_t *poff, uint32_t *coff)
{
	uint32_t nq = g->nq;
	struct pqueue *q;

	memset(gp, 0, sizeof(*gp));
	gp->gpu_id = g->id;
	gp->suspend[0] = p->handles + *hoff;
	gp->suspend[1] = gp->suspend[0] + nq;
	gp->resume = gp->suspend[1] + nq;
	gp->prio = p->prios + *poff;
	gp->cu = p->cus + *coff;

	for_each_gpu_queue(p, g, q) {
		if (cu_differs(q)) {
			struct axsp_cu_change *cc = &gp->cu[gp->n_cu++];

			cc->handle = q->handle;
			if (q->want_cu_bits) {
				cc->num_bits = q->want_cu_bits;
				memcpy(cc->mask, q->want_cu, sizeof(cc->mask));
			} else {
				cc->num_bits = axsp_cu_mask_build(&g->topo, 0, g->num_cu,
								  cc->mask, AXSP_CU_MASK_WORDS);
			}
			q->cu_bits = q->want_cu_bits;
			memcpy(q->cu_mask, q->want_cu, sizeof(q->cu_mask));
		}
		if (q->want_prio != q->prio) {
			gp->prio[gp->n_prio].handle = q->handle;
			gp->prio[gp->n_prio++].priority = q->want_prio;
			q->prio = q->want_prio;
		}
		if (q->foreign)
			continue;
		if (q->want_level && !q->level) {
			int i = q->want_level == LEVEL_LV3;

			gp->suspend[i][gp->n_suspend[i]++] = q->handle;
			q->level = q->want_level;
		} else if (!q->want_level && q->level) {
			gp->resume[gp->n_resume++] = q->handle;
			q->level = 0;
			q->starve_since = AXSP_NEVER;
		}
	}
	*hoff += 3 * nq;
	*poff += nq;
	*coff += nq;
	p->st.suspends += gp->n_suspend[0] + gp->n_suspend[1];
	p->st.resumes += gp->n_resume;
	p->st.prio_changes += gp->n_prio;
	p->st.cu_changes += gp->n_cu;
}

/*
 * Resolve each queue's process once, and list the queues of each GPU
 * (a counting sort by GPU that keeps handle order), in byg's first half;
 * the same lists sorted by pid in its second half.
 */
static void group_by_gpu(struct axsp *p)
{
	uint32_t i, off = 0;

	for (i = 0; i < p->ngpus; i++)
		p->gpus[i].nq = 0;
	for (i = 0; i < p->nqs; i++) {
		p->qs[i].a = p->qs[i].own_attr ? &p->qs[i].qa : attr_of(p, p->qs[i].pid);
		p->gpus[p->qs[i].gi].nq++;
	}
	for (i = 0; i < p->ngpus; i++) {
		p->gpus[i].first = off;
		off += p->gpus[i].nq;
		p->gpus[i].nq = 0;
	}
	for (i = 0; i < p->nqs; i++) {
		struct pgpu *g = &p->gpus[p->qs[i].gi];

		p->byg[g->first + g->nq++] = &p->qs[i];
	}
	/* and each GPU's queues again in pid order, for the per-process policies */
	for (i = 0; i < p->ngpus; i++) {
		struct pqueue **v = p->byg + p->nqs + p->gpus[i].first;

		memcpy(v, p->byg + p->gpus[i].first, p->gpus[i].nq * sizeof(*v));
		qsort(v, p->gpus[i].nq, sizeof(*v), cmp_pid);
	}
}

int axsp_decide(struct axsp *p, uint64_t now, struct axsp_plan *plan)
{
	uint32_t hoff = 0, poff = 0, coff = 0;

	memset(plan, 0, sizeof(*plan));
	plan->next_ns = AXSP_NEVER;
	if (plan_room(p))
		return -ENOMEM;
	plan->gpus = p->plans;
	if (p->regroup) {
		group_by_gpu(p);
		for (uint32_t i = 0; i < p->ngpus; i++)
			p->gpus[i].dirty = true;
		p->regroup = false;
	}

	for (uint32_t i = 0; i < p->ngpus; i++) {
		struct pgpu *g = &p->gpus[i];
		struct axsp_gpu_plan *gp = &p->plans[plan->n_gpus];
		struct pqueue *q;

		if (!g->dirty && now < g->next_ns) {
			next_at(&plan->next_ns, g->next_ns);
			continue;
		}
		g->dirty = false;
		g->next_ns = AXSP_NEVER;
		p->st.gpus_decided++;
		switch (p->cfg.kind) {
		case AXSP_PRIORITY:
			want_priority(p, g, now, &g->next_ns);
			break;
		case AXSP_BANDWIDTH:
			want_bandwidth(p, g, now, &g->next_ns);
			break;
		case AXSP_EDF:
		case AXSP_LLF:
			want_deadline(p, g, now, &g->next_ns);
			break;
		default:
			for_each_gpu_queue(p, g, q)
				q->want_level = 0;
			break;
		}
		starvation_guard(p, g, now, &g->next_ns);
		next_at(&plan->next_ns, g->next_ns);
		want_prio(p, g);
		if (p->cfg.cu_mode == AXSP_CU_CLASS) {
			want_cu_class(p, g);
		} else if (p->cfg.cu_mode == AXSP_CU_SHARE) {
			want_cu_share(p, g);
		} else {
			for_each_gpu_queue(p, g, q)
				q->want_cu_bits = 0;
		}
		plan_gpu(p, g, gp, &hoff, &poff, &coff);
		if (gp->n_cu || gp->n_prio || gp->n_suspend[0] || gp->n_suspend[1] ||
		    gp->n_resume)
			plan->n_gpus++;
	}
	if (plan->n_gpus)
		p->st.decisions++;
	return (int)plan->n_gpus;
}
