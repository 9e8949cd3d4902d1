// SPDX-License-Identifier: MIT
/* xschedctl: list, top and stats, the commands that only observe. */
#include "xschedctl.h"
#include "axs_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SEC_GPUS = 1, SEC_PROCS = 2, SEC_QUEUES = 4, SEC_ALL = 7 };

struct filter {
	uint32_t pid;		/* 0 = all */
	uint32_t gpu;		/* AMDXSCHED_GPU_ANY = all */
};

struct snapshot {
	struct amdxsched_gpu_info *gpus;
	struct amdxsched_proc_info *procs;
	struct amdxsched_queue_info *queues;
	uint32_t ngpus, nprocs, nqueues;
	uint64_t now;
};

static void snapshot_free(struct snapshot *s)
{
	free(s->gpus);
	free(s->procs);
	free(s->queues);
	memset(s, 0, sizeof(*s));
}

static const char *backend_name(uint32_t b)
{
	return b == AMDXSCHED_BACKEND_SIM ? "sim" : b == AMDXSCHED_BACKEND_KFD ? "kfd" : "?";
}

static const char *class_name(uint32_t c)
{
	const char *name = axs_class_name(c);

	return name ? name : c == AMDXSCHED_CLASS_UNSET ? "-" : "?";
}

/* A queue's own class (ABI 1.5), or NULL when its process's applies. */
static const char *queue_class(const struct amdxsched_queue_info *q)
{
	return q->attr_flags & AMDXSCHED_ATTR_CLASS ? axs_class_name(q->sched_class) : NULL;
}

/* What the policies treat a queue as: its own class, else its process's. */
static uint32_t effective_class(const struct amdxsched_queue_info *q,
				const struct amdxsched_proc_info *p)
{
	if (q->attr_flags & AMDXSCHED_ATTR_CLASS)
		return q->sched_class;
	return p ? p->sched_class : AMDXSCHED_CLASS_UNSET;
}

static const char *type_name(uint32_t t)
{
	static const char *const names[] = { "compute", "sdma", "aql" };

	return t <= AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL ? names[t] : "?";
}

static void state_name(const struct amdxsched_queue_info *q, char *buf, size_t len)
{
	const char *busy = q->state & AMDXSCHED_QUEUE_S_BUSY ? ",busy" : "";

	if (q->state & AMDXSCHED_QUEUE_S_STUCK)
		snprintf(buf, len, "stuck Lv%" PRIu32 "%s", q->level, busy);
	else if (q->state & AMDXSCHED_QUEUE_S_DRAINING)
		snprintf(buf, len, "draining%s", busy);
	else if (q->state & AMDXSCHED_QUEUE_S_SUSPENDED)
		snprintf(buf, len, "suspended Lv%" PRIu32 "%s", q->level, busy);
	else
		snprintf(buf, len, "%s", *busy ? "busy" : "running");
}

/* Mask bits set, within the mask's length; 0 when no mask was set. */
static uint32_t mask_count(const struct amdxsched_queue_info *q)
{
	uint32_t i, n = 0, words = q->cu_mask_bits / 32;

	for (i = 0; i < words && i < AMDXSCHED_CU_MASK_WORDS; i++)
		n += (uint32_t)__builtin_popcount(q->cu_mask[i]);
	return n;
}

static int64_t lease_ms(const struct amdxsched_queue_info *q, uint64_t now)
{
	if (!(q->state & AMDXSCHED_QUEUE_S_SUSPENDED) || !q->lease_deadline_ns)
		return -1;
	if (q->lease_deadline_ns <= now)
		return 0;
	return (int64_t)((q->lease_deadline_ns - now) / 1000000);
}

/* Without --gpu, all; with it, only that GPU (which must exist). */
static int filter_gpus(struct snapshot *s, uint32_t gpu)
{
	uint32_t i;

	if (gpu == AMDXSCHED_GPU_ANY || !s->gpus)
		return XC_OK;
	for (i = 0; i < s->ngpus; i++) {
		if (s->gpus[i].gpu_id == gpu) {
			memmove(&s->gpus[0], &s->gpus[i], sizeof(s->gpus[0]));
			s->ngpus = 1;
			return XC_OK;
		}
	}
	xc_err(ENODEV, "gpu %" PRIu32, gpu);
	return XC_FAIL;
}

static int take(int fd, unsigned int sec, const struct filter *f, struct snapshot *s)
{
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (sec & SEC_GPUS)
		r = axs_list_gpus(fd, &s->gpus, &s->ngpus);
	if (r < 0) {
		xc_err(-r, "list gpus");
		return XC_FAIL;
	}
	if (filter_gpus(s, f->gpu)) {
		snapshot_free(s);
		return XC_FAIL;
	}
	if (sec & SEC_PROCS)
		r = axs_list_procs(fd, f->pid, &s->procs, &s->nprocs);
	if (r < 0) {
		xc_err(-r, "list procs%s", f->pid ? " (--pid)" : "");
		snapshot_free(s);
		return XC_FAIL;
	}
	if (sec & SEC_QUEUES)
		r = axs_list_queues(fd, f->pid, f->gpu, &s->queues, &s->nqueues);
	if (r < 0) {
		xc_err(-r, "list queues%s", f->pid || f->gpu != AMDXSCHED_GPU_ANY ?
		       " (--pid/--gpu)" : "");
		snapshot_free(s);
		return XC_FAIL;
	}
	s->now = axs_now_ns();
	return XC_OK;
}

static void json_gpu_counters(struct jw *w, const struct amdxsched_gpu_counters *k)
{
	jw_obj(w, "counters");
	jw_u64(w, "suspends", k->suspends);
	jw_u64(w, "resumes", k->resumes);
	jw_u64(w, "suspended_ns", k->suspended_ns);
	jw_u64(w, "lease_expiries", k->lease_expiries);
	jw_u64(w, "remaps", k->remaps);
	jw_u64(w, "remap_ns", k->remap_ns);
	jw_u64(w, "saved_bytes", k->saved_bytes);
	jw_u64(w, "hangs", k->hangs);
	jw_obj_end(w);
}

static void json_gpu(struct jw *w, const struct amdxsched_gpu_info *g)
{
	uint32_t x, se, sh;
	char gfx[16];

	xc_gfx_name(g->gfx_target_version, gfx, sizeof(gfx));
	jw_obj(w, NULL);
	jw_u64(w, "gpu_id", g->gpu_id);
	jw_str(w, "backend", backend_name(g->backend));
	jw_u64(w, "kfd_gpu_id", g->kfd_gpu_id);
	xc_json_gpu_names(w, g->kfd_gpu_id);
	jw_u64(w, "flags", g->flags);
	jw_bool(w, "hws", g->flags & AMDXSCHED_GPU_F_HWS);
	jw_bool(w, "cwsr", g->flags & AMDXSCHED_GPU_F_CWSR);
	jw_u64(w, "gfx_target_version", g->gfx_target_version);
	jw_str(w, "gfx_target", gfx);
	jw_u64(w, "num_xcc", g->num_xcc);
	jw_u64(w, "num_se_per_xcc", g->num_se_per_xcc);
	jw_u64(w, "num_sh_per_se", g->num_sh_per_se);
	jw_u64(w, "num_cu", g->num_cu);
	jw_u64(w, "num_queues", g->num_queues);
	jw_u64(w, "cu_state_bytes", g->cu_state_bytes);
	jw_u64(w, "preempt_timeout_ms", g->preempt_timeout_ms);
	jw_arr(w, "active_cu");	/* [xcc][se][sh] */
	for (x = 0; x < g->num_xcc && x < AMDXSCHED_MAX_XCC; x++) {
		jw_arr(w, NULL);
		for (se = 0; se < g->num_se_per_xcc && se < AMDXSCHED_MAX_SE; se++) {
			jw_arr(w, NULL);
			for (sh = 0; sh < g->num_sh_per_se && sh < AMDXSCHED_MAX_SH; sh++)
				jw_u64(w, NULL, g->active_cu[x][se][sh]);
			jw_arr_end(w);
		}
		jw_arr_end(w);
	}
	jw_arr_end(w);
	json_gpu_counters(w, &g->counters);
	jw_obj_end(w);
}

static void json_proc(struct jw *w, const struct amdxsched_proc_info *p)
{
	jw_obj(w, NULL);
	jw_u64(w, "pid", p->pid);
	jw_u64(w, "uid", p->uid);
	jw_u64(w, "flags", p->flags);
	jw_bool(w, "kfd", p->flags & AMDXSCHED_PROC_F_KFD);
	jw_bool(w, "sim", p->flags & AMDXSCHED_PROC_F_SIM);
	jw_bool(w, "attr", p->flags & AMDXSCHED_PROC_F_ATTR);
	jw_bool(w, "debugged", p->flags & AMDXSCHED_PROC_F_DEBUGGED);
	jw_u64(w, "attrs", p->attrs);
	jw_str(w, "comm", p->comm);
	jw_u64(w, "sched_class", p->sched_class);
	jw_str(w, "class", class_name(p->sched_class));
	jw_u64(w, "priority", p->priority);
	jw_u64(w, "share", p->share);
	jw_u64(w, "deadline_ns", p->deadline_ns);
	jw_str(w, "tag", p->tag);
	jw_u64(w, "num_queues", p->num_queues);
	jw_obj_end(w);
}

static void json_queue_counters(struct jw *w, const struct amdxsched_queue_counters *k)
{
	jw_obj(w, "counters");
	jw_u64(w, "suspends", k->suspends);
	jw_u64(w, "resumes", k->resumes);
	jw_u64(w, "suspended_ns", k->suspended_ns);
	jw_u64(w, "lease_expiries", k->lease_expiries);
	jw_u64(w, "busy_transitions", k->busy_transitions);
	jw_u64(w, "dispatches_submitted", k->dispatches_submitted);
	jw_u64(w, "dispatches_completed", k->dispatches_completed);
	jw_u64(w, "workgroups_completed", k->workgroups_completed);
	jw_obj_end(w);
}

static void json_queue(struct jw *w, const struct amdxsched_queue_info *q, uint64_t now)
{
	int64_t ms = lease_ms(q, now);
	char st[32];
	uint32_t i;

	state_name(q, st, sizeof(st));
	jw_obj(w, NULL);
	jw_u64(w, "handle", q->handle);
	jw_u64(w, "pid", q->pid);
	jw_u64(w, "gpu_id", q->gpu_id);
	jw_u64(w, "kfd_queue_id", q->kfd_queue_id);
	jw_u64(w, "type", q->type);
	jw_str(w, "type_name", type_name(q->type));
	jw_u64(w, "priority", q->priority);
	jw_u64(w, "app_priority", q->app_priority);
	/* its own hints (ABI 1.5; attr_flags 0: its process's apply) */
	jw_u64(w, "attr_flags", q->attr_flags);
	jw_u64(w, "sched_class", q->sched_class);
	if (queue_class(q))
		jw_str(w, "class", queue_class(q));
	else
		jw_null(w, "class");
	jw_u64(w, "attr_priority", q->attr_priority);
	jw_u64(w, "share", q->share);
	jw_u64(w, "deadline_ns", q->deadline_ns);
	jw_u64(w, "state", q->state);
	jw_str(w, "state_name", st);
	jw_bool(w, "suspended", q->state & AMDXSCHED_QUEUE_S_SUSPENDED);
	jw_bool(w, "draining", q->state & AMDXSCHED_QUEUE_S_DRAINING);
	jw_bool(w, "busy", q->state & AMDXSCHED_QUEUE_S_BUSY);
	jw_bool(w, "mine", q->state & AMDXSCHED_QUEUE_S_MINE);
	jw_bool(w, "stuck", q->state & AMDXSCHED_QUEUE_S_STUCK);
	jw_u64(w, "level", q->level);
	jw_u64(w, "holder_pid", q->holder_pid);
	jw_u64(w, "lease_id", q->lease_id);
	jw_u64(w, "lease_deadline_ns", q->lease_deadline_ns);
	if (ms < 0)
		jw_null(w, "lease_ms");
	else
		jw_i64(w, "lease_ms", ms);
	jw_u64(w, "cu_mask_bits", q->cu_mask_bits);
	jw_u64(w, "cu_mask_set", mask_count(q));
	jw_arr(w, "cu_mask");
	for (i = 0; i < q->cu_mask_bits / 32 && i < AMDXSCHED_CU_MASK_WORDS; i++)
		jw_u64(w, NULL, q->cu_mask[i]);
	jw_arr_end(w);
	json_queue_counters(w, &q->counters);
	jw_obj_end(w);
}

static void json_list(const struct snapshot *s, unsigned int sec)
{
	struct jw w;
	uint32_t i;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	if (sec & SEC_GPUS) {
		jw_arr(&w, "gpus");
		for (i = 0; i < s->ngpus; i++)
			json_gpu(&w, &s->gpus[i]);
		jw_arr_end(&w);
	}
	if (sec & SEC_PROCS) {
		jw_arr(&w, "procs");
		for (i = 0; i < s->nprocs; i++)
			json_proc(&w, &s->procs[i]);
		jw_arr_end(&w);
	}
	if (sec & SEC_QUEUES) {
		jw_arr(&w, "queues");
		for (i = 0; i < s->nqueues; i++)
			json_queue(&w, &s->queues[i], s->now);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	jw_end(&w);
}

static void table_gpus(const struct snapshot *s)
{
	char gfx[16], smi[12];
	uint32_t i;

	printf("%-4s %-7s %-6s %-4s %-12s %-8s %-4s %-4s %-6s %-9s %s\n", "GPU", "BACKEND",
	       "KFD_ID", "SMI", "PCI", "TARGET", "XCC", "CUS", "QUEUES", "FLAGS", "NAME");
	for (i = 0; i < s->ngpus; i++) {
		const struct amdxsched_gpu_info *g = &s->gpus[i];
		const struct axs_gpu_name *n = xc_gpu_name(g->kfd_gpu_id);
		bool hws = g->flags & AMDXSCHED_GPU_F_HWS, cwsr = g->flags & AMDXSCHED_GPU_F_CWSR;
		char flags[16];

		xc_gfx_name(g->gfx_target_version, gfx, sizeof(gfx));
		if (n)
			snprintf(smi, sizeof(smi), "%" PRIu32, n->smi_index);
		else
			snprintf(smi, sizeof(smi), "-");
		snprintf(flags, sizeof(flags), "%s%s%s", hws ? "HWS" : "", hws && cwsr ? "," : "",
			 cwsr ? "CWSR" : hws ? "" : "-");
		printf("%-4" PRIu32 " %-7s %-6" PRIu32 " %-4s %-12s %-8s %-4" PRIu32 " %-4" PRIu32
		       " %-6" PRIu32 " %-9s %s\n", g->gpu_id, backend_name(g->backend),
		       g->kfd_gpu_id, smi, n ? n->pci : "-", gfx, g->num_xcc, g->num_cu,
		       g->num_queues, flags,
		       n && n->name[0] ? n->name :
		       g->backend == AMDXSCHED_BACKEND_SIM ? "(simulated)" : "-");
	}
}

static void table_procs(const struct snapshot *s)
{
	char prio[8], share[8], dl[24];
	uint32_t i;

	printf("%-8s %-6s %-16s %-11s %-4s %-5s %-10s %-6s %s\n", "PID", "UID", "COMM",
	       "CLASS", "PRIO", "SHARE", "DEADLINE", "QUEUES", "TAG");
	for (i = 0; i < s->nprocs; i++) {
		const struct amdxsched_proc_info *p = &s->procs[i];
		/* ABI 1.0 modules leave attrs 0: then any set attribute shows */
		bool attr = p->attrs ? p->attrs & AMDXSCHED_ATTR_PRIORITY :
				       p->flags & AMDXSCHED_PROC_F_ATTR;

		snprintf(prio, sizeof(prio), attr ? "%" PRIu32 : "-", p->priority);
		snprintf(share, sizeof(share), p->share ? "%" PRIu32 : "-", p->share);
		if (p->deadline_ns)
			snprintf(dl, sizeof(dl), "%.3fms", (double)p->deadline_ns / 1e6);
		else
			snprintf(dl, sizeof(dl), "-");
		printf("%-8" PRIu32 " %-6" PRIu32 " %-16.16s %-11s %-4s %-5s %-10s %-6" PRIu32
		       " %s\n", p->pid, p->uid, p->comm, class_name(p->sched_class), prio,
		       share, dl, p->num_queues, p->tag[0] ? p->tag : "-");
	}
}

static void table_queues(const struct snapshot *s)
{
	char st[32], holder[12], lease[16], cus[12];
	uint32_t i;

	printf("%-8s %-8s %-4s %-4s %-8s %-4s %-11s %-18s %-8s %-8s %s\n", "HANDLE", "PID", "GPU",
	       "QID", "TYPE", "PRIO", "CLASS", "STATE", "HOLDER", "LEASE_MS", "CUS");
	for (i = 0; i < s->nqueues; i++) {
		const struct amdxsched_queue_info *q = &s->queues[i];
		int64_t ms = lease_ms(q, s->now);

		state_name(q, st, sizeof(st));
		snprintf(holder, sizeof(holder), q->holder_pid ? "%" PRIu32 : "-",
			 q->holder_pid);
		snprintf(lease, sizeof(lease), ms >= 0 ? "%" PRId64 : "-", ms);
		snprintf(cus, sizeof(cus), q->cu_mask_bits ? "%" PRIu32 : "all", mask_count(q));
		printf("%-8" PRIu64 " %-8" PRIu32 " %-4" PRIu32 " %-4" PRIu32 " %-8s %-4" PRIu32
		       " %-11s %-18s %-8s %-8s %s\n", (uint64_t)q->handle, q->pid, q->gpu_id,
		       q->kfd_queue_id, type_name(q->type), q->priority,
		       queue_class(q) ? queue_class(q) : "-", st, holder, lease, cus);
	}
}

static int parse_filter_opt(int o, struct filter *f)
{
	if (o == 'p')
		return xc_parse_u32("--pid", optarg, UINT32_MAX, &f->pid);
	if (o == 'g')
		return xc_parse_u32("--gpu", optarg, UINT32_MAX - 1, &f->gpu);
	return XC_USAGE;
}

static int parse_section(const char *arg, unsigned int *sec)
{
	static const char *const names[] = { "gpus", "procs", "queues" };
	size_t i, len = strlen(arg);

	for (i = 0; i < 3; i++) {
		if (len && !strncmp(names[i], arg, len)) {
			*sec = 1U << i;
			return XC_OK;
		}
	}
	return xc_usage("list: unknown section '%s' (gpus, procs or queues)", arg);
}

static const struct option filter_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "gpu", required_argument, NULL, 'g' },
	{ NULL, 0, NULL, 0 },
};

int xc_list(struct xc *c, int argc, char **argv)
{
	struct filter f = { 0, AMDXSCHED_GPU_ANY };
	unsigned int sec = SEC_ALL;
	struct snapshot s;
	int o, fd, r;

	while ((o = xc_getopt(argc, argv, "p:g:", filter_opts)) != -1)
		if (parse_filter_opt(o, &f))
			return XC_USAGE;
	if (argc - optind > 1)
		return xc_usage("list: too many arguments");
	if (optind < argc && parse_section(argv[optind], &sec))
		return XC_USAGE;
	fd = xc_open(c, O_RDONLY);
	if (fd < 0)
		return XC_FAIL;
	/* --gpu needs the GPU list to check the id even when only queues are shown */
	r = take(fd, sec | (f.gpu != AMDXSCHED_GPU_ANY ? SEC_GPUS : 0), &f, &s);
	close(fd);
	if (r)
		return r;
	if (c->json) {
		json_list(&s, sec);
	} else {
		if (sec & SEC_GPUS)
			table_gpus(&s);
		if (sec & SEC_PROCS) {
			if (sec & SEC_GPUS)
				putchar('\n');
			table_procs(&s);
		}
		if (sec & SEC_QUEUES) {
			if (sec & (SEC_GPUS | SEC_PROCS))
				putchar('\n');
			table_queues(&s);
		}
	}
	snapshot_free(&s);
	return r;
}

/* ------------------------------------------------------------------ top */

static int cmp_handle(const void *a, const void *b)
{
	const struct amdxsched_queue_info *x = a, *y = b;

	return x->handle < y->handle ? -1 : x->handle > y->handle;
}

static const struct amdxsched_queue_info *find_queue(const struct snapshot *s, uint64_t h)
{
	struct amdxsched_queue_info key = { .handle = h };

	if (!s->nqueues)
		return NULL;
	return bsearch(&key, s->queues, s->nqueues, sizeof(key), cmp_handle);
}

struct rates {
	bool known;		/* the queue was in the previous snapshot */
	double suspends, busy, dispatches;	/* per second */
	double suspended_pct;
};

static void rates(const struct amdxsched_queue_info *q, const struct snapshot *prev,
		  uint64_t dt, struct rates *r)
{
	const struct amdxsched_queue_info *p = find_queue(prev, q->handle);
	double s = (double)dt / 1e9;

	memset(r, 0, sizeof(*r));
	if (!p || !dt)
		return;
	r->known = true;
	r->suspends = (double)(q->counters.suspends - p->counters.suspends) / s;
	r->busy = (double)(q->counters.busy_transitions - p->counters.busy_transitions) / s;
	r->dispatches = (double)(q->counters.dispatches_completed -
				 p->counters.dispatches_completed) / s;
	r->suspended_pct = (double)(q->counters.suspended_ns - p->counters.suspended_ns) *
			   100.0 / (double)dt;
	if (r->suspended_pct > 100.0)
		r->suspended_pct = 100.0;
}

static const struct amdxsched_proc_info *find_proc(const struct snapshot *s, uint32_t pid)
{
	for (uint32_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* top --sort: the order of the rows. */
enum top_sort { SORT_HANDLE, SORT_PID, SORT_GPU, SORT_SUSP, SORT_BUSY, SORT_DISP };

static const char *const top_sort_names[] = {
	[SORT_HANDLE] = "handle", [SORT_PID] = "pid", [SORT_GPU] = "gpu",
	[SORT_SUSP] = "suspended", [SORT_BUSY] = "busy", [SORT_DISP] = "dispatches",
};

struct top_row {
	const struct amdxsched_queue_info *q;
	struct rates r;
};

static enum top_sort top_sort_key;	/* for cmp_row(); qsort has no context */

static int cmp_row(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double dx = 0, dy = 0;

	switch (top_sort_key) {
	case SORT_PID:
		if (x->q->pid != y->q->pid)
			return x->q->pid < y->q->pid ? -1 : 1;
		break;
	case SORT_GPU:
		if (x->q->gpu_id != y->q->gpu_id)
			return x->q->gpu_id < y->q->gpu_id ? -1 : 1;
		break;
	case SORT_SUSP:
		dx = x->r.suspended_pct;
		dy = y->r.suspended_pct;
		break;
	case SORT_BUSY:
		dx = x->r.busy;
		dy = y->r.busy;
		break;
	case SORT_DISP:
		dx = x->r.dispatches;
		dy = y->r.dispatches;
		break;
	case SORT_HANDLE:
		break;
	}
	if (dx != dy)
		return dx > dy ? -1 : 1;	/* the most first */
	return x->q->handle < y->q->handle ? -1 : x->q->handle > y->q->handle;
}

/* The rows of @s with their rates, in the order top_sort_key gives; NULL on ENOMEM. */
static struct top_row *top_rows(const struct snapshot *s, const struct snapshot *prev,
				uint64_t dt)
{
	struct top_row *rows = calloc(s->nqueues ? s->nqueues : 1, sizeof(*rows));

	if (!rows)
		return NULL;
	for (uint32_t i = 0; i < s->nqueues; i++) {
		rows[i].q = &s->queues[i];
		rates(rows[i].q, prev, dt, &rows[i].r);
	}
	qsort(rows, s->nqueues, sizeof(*rows), cmp_row);
	return rows;
}

static void top_json(const struct snapshot *s, const struct snapshot *prev, uint64_t dt)
{
	struct top_row *rows = top_rows(s, prev, dt);
	struct jw w;
	uint32_t i;

	if (!rows)
		return;
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_u64(&w, "ts_ns", s->now);
	jw_u64(&w, "interval_ns", dt);
	jw_arr(&w, "queues");
	for (i = 0; i < s->nqueues; i++) {
		const struct amdxsched_queue_info *q = rows[i].q;
		const struct amdxsched_proc_info *p = find_proc(s, q->pid);
		char comm[sizeof(p->comm) + 1] = "";
		struct rates r = rows[i].r;

		if (p)
			snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(p->comm), p->comm);
		jw_obj(&w, NULL);
		jw_u64(&w, "handle", q->handle);
		jw_u64(&w, "pid", q->pid);
		jw_str(&w, "comm", comm);
		jw_str(&w, "class", class_name(effective_class(q, p)));
		jw_bool(&w, "own_class", queue_class(q) != NULL);
		jw_u64(&w, "gpu_id", q->gpu_id);
		jw_bool(&w, "suspended", q->state & AMDXSCHED_QUEUE_S_SUSPENDED);
		jw_u64(&w, "priority", q->priority);
		jw_u64(&w, "state", q->state);
		jw_u64(&w, "level", q->level);
		if (r.known) {
			jw_dbl(&w, "suspends_per_s", r.suspends);
			jw_dbl(&w, "busy_per_s", r.busy);
			jw_dbl(&w, "suspended_pct", r.suspended_pct);
			jw_dbl(&w, "dispatches_per_s", r.dispatches);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
	free(rows);
}

static void top_table(const struct snapshot *s, const struct snapshot *prev, uint64_t dt,
		      bool tty)
{
	struct top_row *rows = top_rows(s, prev, dt);
	uint32_t i, nsusp = 0;
	char st[32];

	if (!rows)
		return;
	for (i = 0; i < s->nqueues; i++)
		nsusp += !!(s->queues[i].state & AMDXSCHED_QUEUE_S_SUSPENDED);
	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("xschedctl top: %" PRIu32 " queues, %" PRIu32 " suspended (*), interval %.0f ms, "
	       "by %s\n", s->nqueues, nsusp, (double)dt / 1e6, top_sort_names[top_sort_key]);
	/* the GPUs as amd-smi names them (simulated GPUs have no such names) */
	for (i = 0; i < s->ngpus; i++) {
		const struct axs_gpu_name *n = xc_gpu_name(s->gpus[i].kfd_gpu_id);

		char label[128];

		if (!n)
			continue;
		axs_gpu_name_label(n, label, sizeof(label));
		printf("  GPU %" PRIu32 " (KFD %" PRIu32 "): %s\n", s->gpus[i].gpu_id,
		       s->gpus[i].kfd_gpu_id, label);
	}
	printf("  %-8s %-8s %-16s %-11s %-4s %-4s %-18s %8s %8s %6s %8s\n", "HANDLE", "PID",
	       "COMM", "CLASS", "GPU", "PRIO", "STATE", "SUSP/s", "BUSY/s", "SUSP%", "DISP/s");
	for (i = 0; i < s->nqueues; i++) {
		const struct amdxsched_queue_info *q = rows[i].q;
		const struct amdxsched_proc_info *p = find_proc(s, q->pid);
		struct rates r = rows[i].r;

		state_name(q, st, sizeof(st));
		printf("%c %-8" PRIu64 " %-8" PRIu32 " %-16.16s %-11s %-4" PRIu32 " %-4" PRIu32
		       " %-18s ", q->state & AMDXSCHED_QUEUE_S_SUSPENDED ? '*' : ' ',
		       (uint64_t)q->handle, q->pid, p ? p->comm : "-",
		       class_name(effective_class(q, p)), q->gpu_id, q->priority, st);
		if (r.known)
			printf("%8.1f %8.1f %6.1f %8.1f\n", r.suspends, r.busy,
			       r.suspended_pct, r.dispatches);
		else
			printf("%8s %8s %6s %8s\n", "-", "-", "-", "-");
	}
	if (!tty)
		putchar('\n');
	free(rows);
}

static int top_loop(int fd, const struct filter *f, uint64_t interval, uint64_t iterations,
		    bool json)
{
	struct snapshot prev, cur;
	bool tty = !json && isatty(STDOUT_FILENO);
	uint64_t n;
	int r;

	r = take(fd, SEC_ALL, f, &prev);
	if (r)
		return r;
	qsort(prev.queues, prev.nqueues, sizeof(*prev.queues), cmp_handle);
	for (n = 0; !iterations || n < iterations; n++) {
		xc_wait_until(prev.now + interval, -1);
		if (xc_stopped())
			break;
		r = take(fd, SEC_ALL, f, &cur);
		if (r)
			break;
		qsort(cur.queues, cur.nqueues, sizeof(*cur.queues), cmp_handle);
		if (json)
			top_json(&cur, &prev, cur.now - prev.now);
		else
			top_table(&cur, &prev, cur.now - prev.now, tty);
		snapshot_free(&prev);
		prev = cur;
		if (fflush(stdout) == EOF) {
			r = xc_flush_stdout();
			break;
		}
	}
	snapshot_free(&prev);
	return r;
}

int xc_top(struct xc *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "pid", required_argument, NULL, 'p' },
		{ "gpu", required_argument, NULL, 'g' },
		{ "sort", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { 0, AMDXSCHED_GPU_ANY };
	uint64_t interval = 1000000000, iterations = 0;
	int o, fd, r;
	size_t k;

	top_sort_key = SORT_HANDLE;
	while ((o = xc_getopt(argc, argv, "i:n:p:g:s:", opts)) != -1) {
		if (o == 's') {
			for (k = 0; k < sizeof(top_sort_names) / sizeof(top_sort_names[0]); k++)
				if (!strcmp(optarg, top_sort_names[k]))
					break;
			if (k == sizeof(top_sort_names) / sizeof(top_sort_names[0]))
				return xc_usage("--sort '%s': handle, pid, gpu, suspended, busy "
						"or dispatches", optarg);
			top_sort_key = (enum top_sort)k;
			continue;
		}
		if (o == 'i')
			r = xc_parse_duration("--interval", optarg, 1000000, &interval);
		else if (o == 'n')
			r = xc_parse_u64("--iterations", optarg, UINT32_MAX, &iterations);
		else
			r = parse_filter_opt(o, &f);
		if (r)
			return XC_USAGE;
	}
	if (optind < argc)
		return xc_usage("top: unexpected argument '%s'", argv[optind]);
	if (interval < 10000000)
		return xc_usage("--interval: at least 10 ms");
	if (xc_catch_signals()) {
		xc_err(errno, "signals");
		return XC_FAIL;
	}
	fd = xc_open(c, O_RDONLY);
	if (fd < 0)
		return XC_FAIL;
	r = top_loop(fd, &f, interval, iterations, c->json);
	close(fd);
	return r;
}

/* ---------------------------------------------------------------- stats */

static int daemon_metrics(const struct xc *c)
{
	char *resp;
	int r = xc_daemon_ask(c, "metrics", &resp);

	if (r)
		return r;
	fputs(resp, stdout);
	free(resp);
	return XC_OK;
}

static void stats_table(const struct snapshot *s)
{
	uint32_t i;

	printf("%-4s %10s %10s %14s %10s %8s %10s %14s %6s\n", "GPU", "SUSPENDS", "RESUMES",
	       "SUSPENDED_MS", "LEASE_EXP", "REMAPS", "REMAP_MS", "SAVED_BYTES", "HANGS");
	for (i = 0; i < s->ngpus; i++) {
		const struct amdxsched_gpu_counters *k = &s->gpus[i].counters;

		printf("%-4" PRIu32 " %10" PRIu64 " %10" PRIu64 " %14.3f %10" PRIu64 " %8" PRIu64
		       " %10.3f %14" PRIu64 " %6" PRIu64 "\n", s->gpus[i].gpu_id,
		       (uint64_t)k->suspends, (uint64_t)k->resumes, (double)k->suspended_ns / 1e6,
		       (uint64_t)k->lease_expiries, (uint64_t)k->remaps, (double)k->remap_ns / 1e6,
		       (uint64_t)k->saved_bytes, (uint64_t)k->hangs);
	}
}

static void stats_json(const struct snapshot *s)
{
	struct jw w;
	uint32_t i;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_arr(&w, "gpus");
	for (i = 0; i < s->ngpus; i++) {
		jw_obj(&w, NULL);
		jw_u64(&w, "gpu_id", s->gpus[i].gpu_id);
		jw_str(&w, "backend", backend_name(s->gpus[i].backend));
		json_gpu_counters(&w, &s->gpus[i].counters);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

int xc_stats(struct xc *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gpu", required_argument, NULL, 'g' },
		{ "daemon", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { 0, AMDXSCHED_GPU_ANY };
	struct snapshot s;
	bool daemon = false;
	int o, fd, r;

	while ((o = xc_getopt(argc, argv, "g:D", opts)) != -1) {
		if (o == 'D')
			daemon = true;
		else if (parse_filter_opt(o, &f))
			return XC_USAGE;
	}
	if (optind < argc)
		return xc_usage("stats: unexpected argument '%s'", argv[optind]);
	if (daemon)
		return daemon_metrics(c);
	fd = xc_open(c, O_RDONLY);
	if (fd < 0)
		return XC_FAIL;
	r = take(fd, SEC_GPUS, &f, &s);
	close(fd);
	if (r)
		return r;
	if (c->json)
		stats_json(&s);
	else
		stats_table(&s);
	snapshot_free(&s);
	return r;
}
