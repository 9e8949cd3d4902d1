// SPDX-License-Identifier: MIT
/*
 * Every fault site of every ioctl, of open, read, poll and close: for each
 * n, /proc/thread-self/fail-nth makes the n-th allocation, page allocation
 * or user copy of the call fail (failslab, fail_page_alloc, fail_usercopy),
 * until a call passes all of its sites. For each n the call must either
 * fail with a documented errno and change nothing the ABI shows (queues,
 * leases, priorities, masks, processes, GPU and queue counters, and no
 * event), or succeed with its full effect (a fault can hit an allocation
 * with a fallback, such as the checkers' own); and the same call without a
 * fault must then succeed. One failure may keep its effect, as
 * Documentation/abi.rst says: EFAULT from writing results back after the
 * module acted (possible only if the memory was unmapped or made read-only
 * during the call, or a fault was injected there); then the call's effect
 * must be whole, and no fault site before the module acted may follow.
 * Leaks are caught by the kmemleak scan that tests/vm/run-tests.sh runs
 * after this binary.
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC,
 * FAULT_INJECTION_USERCOPY and FAULT_INJECTION_DEBUG_FS (the debug lane);
 * elsewhere every test skips.
 */
#include "axs_test.h"
#include "failnth.h"

#define MAX_SITES	2000	/* a call with more fault sites is a bug of its own */
#define NQ		2

/* Whatever the ABI shows of the module's state, to compare before and after. */
struct snapshot {
	struct amdxsched_gpu_info *gpus;
	struct amdxsched_queue_info *queues;
	struct amdxsched_proc_info *procs;
	uint32_t ngpus, nqueues, nprocs;
};

struct sweep;

/* One call under test and the world it runs in. Each hook returns 0 or -errno. */
struct sweep_op {
	const char *name;
	int (*prepare)(struct sweep *s);	/* the state the call starts from */
	int (*call)(struct sweep *s);		/* the call: 0 or -errno */
	/* Its full effect is there; @complete: the results reached the caller too. */
	int (*check_done)(struct sweep *s, bool complete);
	int (*check_failed)(struct sweep *s);	/* optional: more than the snapshot */
	int (*reset)(struct sweep *s);		/* after every attempt, done or not */
	bool once;				/* its effect cannot be undone: stop at the first success */
};

struct sweep {
	struct __test_metadata *meta;
	int fd;			/* control file, owns the simulated process */
	int ev;			/* subscriber to every event */
	int rd;			/* the reader of the read and poll tests */
	int tmp;		/* a file an op opens and closes */
	int fnth;		/* FAIL_NTH of this thread */
	uint32_t gpu;
	uint32_t max_lease_ms;
	uint64_t q[NQ];		/* queues of the simulated process, priority 7 */
	uint64_t tmpq;		/* a queue an op creates */
	uint64_t lease_id;
	uint64_t dispatch;
	uint64_t deadline;
	uint32_t pid;
	uint32_t ngpus_before;
	uint64_t deadline_before;
	int32_t status[NQ];
	struct amdxsched_event evbuf;
	/* what the attempts saw */
	unsigned int sites, failed, done_anyway, late;
	char errnos[256];
};

/* ---- state as the ABI shows it ------------------------------------------ */

static void snapshot_free(struct snapshot *sn)
{
	free(sn->gpus);
	free(sn->queues);
	free(sn->procs);
	memset(sn, 0, sizeof(*sn));
}

static int snapshot_take(int fd, struct snapshot *sn)
{
	int ret;

	memset(sn, 0, sizeof(*sn));
	ret = axs_list_gpus(fd, &sn->gpus, &sn->ngpus);
	if (!ret)
		ret = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &sn->queues, &sn->nqueues);
	if (!ret)
		ret = axs_list_procs(fd, 0, &sn->procs, &sn->nprocs);
	if (ret) {
		snapshot_free(sn);
		return ret;
	}
	/* Leave out what changes by itself as kernels run and time passes. */
	for (uint32_t i = 0; i < sn->nqueues; i++) {
		struct amdxsched_queue_info *q = &sn->queues[i];

		q->state &= AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE;
		q->counters.suspended_ns = 0;
		q->counters.busy_transitions = 0;
		q->counters.dispatches_completed = 0;
		q->counters.workgroups_completed = 0;
	}
	return 0;
}

/* NULL if equal, else what differs first. */
static const char *snapshot_diff(const struct snapshot *a, const struct snapshot *b)
{
	static char what[96];
	uint32_t i;

	if (a->ngpus != b->ngpus)
		return "the number of GPUs";
	if (a->nqueues != b->nqueues)
		return "the number of queues";
	if (a->nprocs != b->nprocs)
		return "the number of processes";
	for (i = 0; i < a->ngpus; i++)
		if (memcmp(&a->gpus[i], &b->gpus[i], sizeof(a->gpus[i]))) {
			snprintf(what, sizeof(what), "GPU %u (state or counters)", a->gpus[i].gpu_id);
			return what;
		}
	for (i = 0; i < a->nqueues; i++)
		if (memcmp(&a->queues[i], &b->queues[i], sizeof(a->queues[i]))) {
			snprintf(what, sizeof(what), "queue %llu (state, lease, priority, mask or counters)",
				 (unsigned long long)a->queues[i].handle);
			return what;
		}
	for (i = 0; i < a->nprocs; i++)
		if (memcmp(&a->procs[i], &b->procs[i], sizeof(a->procs[i]))) {
			snprintf(what, sizeof(what), "process %u", a->procs[i].pid);
			return what;
		}
	return NULL;
}

static int queue_of(struct sweep *s, uint64_t h, struct amdxsched_queue_info *qi)
{
	return axs_queue_info(s->fd, h, qi);
}

/* ---- the sweep ---------------------------------------------------------- */

static void note_errno(struct sweep *s, int err)
{
	char one[24];

	snprintf(one, sizeof(one), " %s", strerrorname_np(err) ? strerrorname_np(err) : "?");
	if (!strstr(s->errnos, one) && strlen(s->errnos) + strlen(one) < sizeof(s->errnos))
		strcat(s->errnos, one);
}

/*
 * Attempt @op with a fault at site n = 1, 2, ... until an attempt reaches
 * no armed site. Returns 0 if every attempt behaved, else -1 (reported).
 */
static int sweep_run(struct sweep *s, const struct sweep_op *op)
{
	struct __test_metadata *_metadata = s->meta;
	struct snapshot before, after;
	unsigned int n, first_late = 0;
	const char *diff;
	bool fired;
	int ret, bad = 0;

	s->sites = s->failed = s->done_anyway = s->late = 0;
	s->errnos[0] = 0;
	for (n = 1; n <= MAX_SITES; n++) {
		if (op->prepare)
			ASSERT_EQ(0, op->prepare(s)) TH_LOG("%s: prepare for site %u", op->name, n);
		axs_ev_drain(s->ev);
		ASSERT_EQ(0, snapshot_take(s->fd, &before));

		ASSERT_EQ(0, fault_arm(s->fnth, n));
		ret = op->call(s);
		fired = fault_fired(s->fnth);

		if (!fired) {
			/* No site left: the call passed every one of them. */
			EXPECT_EQ(0, ret) TH_LOG("%s: fails without a fault: %s", op->name, strerror(-ret));
			if (!ret && op->check_done)
				EXPECT_EQ(0, op->check_done(s, true)) TH_LOG("%s: effect missing", op->name);
			snapshot_free(&before);
			if (op->reset)
				ASSERT_EQ(0, op->reset(s));
			break;
		}
		s->sites = n;
		if (!ret) {
			/* The fault hit an allocation with a fallback: full effect. */
			s->done_anyway++;
			if (op->check_done && op->check_done(s, true)) {
				bad = -1;
				TH_LOG("%s: site %u: succeeded without its full effect", op->name, n);
			}
			goto next;
		}
		s->failed++;
		note_errno(s, -ret);
		if (ret != -ENOMEM && ret != -EFAULT) {
			bad = -1;
			TH_LOG("%s: site %u: undocumented error %s", op->name, n, strerror(-ret));
		}
		ASSERT_EQ(0, snapshot_take(s->fd, &after));
		diff = snapshot_diff(&before, &after);
		snapshot_free(&after);
		if (diff && ret == -EFAULT && op->check_done && !op->check_done(s, false)) {
			/* Results not written back after the module acted: effect whole. */
			s->late++;
			if (!first_late)
				first_late = n;
			goto next;
		}
		if (diff) {
			bad = -1;
			TH_LOG("%s: site %u: failed with %s but changed %s", op->name, n,
			       strerror(-ret), diff);
		} else if (first_late) {
			bad = -1;
			TH_LOG("%s: site %u: a fault before the module acted, after one at site %u "
			       "that came after it", op->name, n, first_late);
		}
		if (axs_ev_drain(s->ev)) {
			bad = -1;
			TH_LOG("%s: site %u: failed with %s but emitted events",
			       op->name, n, strerror(-ret));
		}
		if (op->check_failed && op->check_failed(s)) {
			bad = -1;
			TH_LOG("%s: site %u: failed with %s, state not as it was",
			       op->name, n, strerror(-ret));
		}
next:
		snapshot_free(&before);
		if (op->reset)
			ASSERT_EQ(0, op->reset(s)) TH_LOG("%s: reset after site %u", op->name, n);
		if (!ret && op->once)
			break;
	}
	EXPECT_GT(MAX_SITES, n) TH_LOG("%s: more than %d fault sites", op->name, MAX_SITES);
	TH_LOG("%s: %u fault site(s): %u failed (%s), %u of them after the module acted; "
	       "%u succeeded anyway", op->name, s->sites, s->failed,
	       s->errnos[0] ? s->errnos + 1 : "-", s->late, s->done_anyway);
	return bad;
}

/* ---- the operations ----------------------------------------------------- */

static int op_open(struct sweep *s)
{
	s->tmp = open(AXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return s->tmp < 0 ? -errno : 0;
}

static int reset_close_tmp(struct sweep *s)
{
	if (s->tmp >= 0 && close(s->tmp))
		return -errno;
	s->tmp = -1;
	return 0;
}

static int op_version(struct sweep *s)
{
	struct amdxsched_version v;

	return axs_version(s->fd, &v);
}

static int op_backend_info(struct sweep *s)
{
	struct amdxsched_backend_info bi;

	return axs_backend_info(s->fd, AMDXSCHED_BACKEND_SIM, &bi);
}

/* The list calls, each with room for every entry. */
static int op_list(struct sweep *s, unsigned long cmd, size_t esize)
{
	uint32_t count = 256;
	void *buf = calloc(count, esize);
	int ret;

	if (!buf)
		return -EOWNERDEAD;	/* not the kernel's ENOMEM: the sweep reports it */
	ret = axs_list(s->fd, cmd, buf, &count, esize, 0, AMDXSCHED_GPU_ANY);
	free(buf);
	return ret;
}

static int op_list_gpus(struct sweep *s)
{
	return op_list(s, AMDXSCHED_IOC_LIST_GPUS, sizeof(struct amdxsched_gpu_info));
}

static int op_list_queues(struct sweep *s)
{
	return op_list(s, AMDXSCHED_IOC_LIST_QUEUES, sizeof(struct amdxsched_queue_info));
}

static int op_list_procs(struct sweep *s)
{
	return op_list(s, AMDXSCHED_IOC_LIST_PROCS, sizeof(struct amdxsched_proc_info));
}

static int op_suspend(struct sweep *s)
{
	s->lease_id = 0;
	return axs_suspend(s->fd, s->q, NQ, AMDXSCHED_LEVEL_INTERRUPT, s->max_lease_ms,
			   s->status, &s->lease_id);
}

static int queues_suspended(struct sweep *s, bool want)
{
	struct amdxsched_queue_info qi;
	int i, ret;

	for (i = 0; i < NQ; i++) {
		ret = queue_of(s, s->q[i], &qi);
		if (ret)
			return ret;
		if (!!(qi.state & AMDXSCHED_QUEUE_S_SUSPENDED) != want)
			return -EBADE;
	}
	return 0;
}

static int done_suspend(struct sweep *s, bool complete)
{
	if (complete && (!s->lease_id || s->status[0] || s->status[1]))
		return -EBADE;
	return queues_suspended(s, true);
}

/* Resume whatever of ours is suspended; "not suspended" is fine. */
static int reset_resume(struct sweep *s)
{
	int i, ret;

	for (i = 0; i < NQ; i++) {
		ret = axs_resume1(s->fd, s->q[i]);
		if (ret && ret != -EALREADY)
			return ret;
	}
	return 0;
}

static int prep_suspended(struct sweep *s)
{
	return axs_suspend(s->fd, s->q, NQ, AMDXSCHED_LEVEL_INTERRUPT, s->max_lease_ms, NULL,
			   &s->lease_id);
}

static int op_resume(struct sweep *s)
{
	return axs_resume(s->fd, s->q, NQ, 0, s->status);
}

static int done_resume(struct sweep *s, bool complete)
{
	if (complete && (s->status[0] || s->status[1]))
		return -EBADE;
	return queues_suspended(s, false);
}

/* Suspended under a lease of max_lease_ms; renewed later to half of it. */
static int prep_renew(struct sweep *s)
{
	struct amdxsched_queue_info qi;
	int ret = prep_suspended(s);

	if (!ret)
		ret = queue_of(s, s->q[0], &qi);
	if (!ret)
		s->deadline_before = qi.lease_deadline_ns;
	return ret;
}

static int op_renew(struct sweep *s)
{
	s->deadline = 0;
	return axs_lease_renew(s->fd, s->lease_id, s->max_lease_ms / 2 + 1, &s->deadline);
}

static int done_renew(struct sweep *s, bool complete)
{
	struct amdxsched_queue_info qi;
	int ret = queue_of(s, s->q[0], &qi);

	if (ret)
		return ret;
	if (complete)
		return s->deadline && qi.lease_deadline_ns == s->deadline ? 0 : -EBADE;
	return qi.lease_deadline_ns != s->deadline_before ? 0 : -EBADE;
}

static int op_set_priority(struct sweep *s)
{
	struct amdxsched_priority_entry e[NQ] = {
		{ .handle = s->q[0], .priority = 3 },
		{ .handle = s->q[1], .priority = 12 },
	};

	return axs_set_priority(s->fd, e, NQ);
}

static int done_set_priority(struct sweep *s, bool complete __attribute__((unused)))
{
	struct amdxsched_queue_info a, b;

	if (queue_of(s, s->q[0], &a) || queue_of(s, s->q[1], &b))
		return -ENOENT;
	return a.priority == 3 && b.priority == 12 ? 0 : -EBADE;
}

static int reset_priority(struct sweep *s)
{
	struct amdxsched_priority_entry e[NQ] = {
		{ .handle = s->q[0], .priority = 7 },
		{ .handle = s->q[1], .priority = 7 },
	};

	return axs_set_priority(s->fd, e, NQ);
}

/*
 * Half of the CUs of the module's MI308X-like GPU, every XCC keeping some:
 * bit i goes to XCC i mod 4 (amdkfd's interleaving), so 4 bits of every 8.
 */
static const uint32_t half_mask[4] = { 0x0f0f0f0f, 0x0f0f0f0f, 0x0f0f0f0f, 0x0f0f0f0f };
static const uint32_t full_mask[4] = { ~0u, ~0u, ~0u, ~0u };

static int op_set_cu_mask(struct sweep *s)
{
	return axs_set_cu_mask(s->fd, s->q[0], half_mask, 128);
}

static int done_set_cu_mask(struct sweep *s, bool complete __attribute__((unused)))
{
	struct amdxsched_queue_info qi;
	int ret = queue_of(s, s->q[0], &qi);

	if (ret)
		return ret;
	return qi.cu_mask_bits == 128 && !memcmp(qi.cu_mask, half_mask, sizeof(half_mask)) ?
		0 : -EBADE;
}

static int reset_cu_mask(struct sweep *s)
{
	return axs_set_cu_mask(s->fd, s->q[0], full_mask, 128);
}

/* q[0] suspended; APPLY resumes it and suspends q[1] in one decision. */
static int prep_apply(struct sweep *s)
{
	return axs_suspend1(s->fd, s->q[0], AMDXSCHED_LEVEL_INTERRUPT, s->max_lease_ms, NULL);
}

static int op_apply(struct sweep *s)
{
	struct amdxsched_apply_entry e[NQ] = {
		{ .handle = s->q[0], .op = AMDXSCHED_APPLY_RESUME },
		{ .handle = s->q[1], .op = AMDXSCHED_APPLY_SUSPEND,
		  .arg = AMDXSCHED_LEVEL_INTERRUPT },
	};
	int ret;

	s->lease_id = 0;
	ret = axs_apply(s->fd, s->gpu, e, NQ, s->max_lease_ms, &s->lease_id, NULL);
	s->status[0] = e[0].status;
	s->status[1] = e[1].status;
	return ret;
}

static int done_apply(struct sweep *s, bool complete)
{
	struct amdxsched_queue_info a, b;

	if (complete && (!s->lease_id || s->status[0] || s->status[1]))
		return -EBADE;
	if (queue_of(s, s->q[0], &a) || queue_of(s, s->q[1], &b))
		return -ENOENT;
	return !(a.state & AMDXSCHED_QUEUE_S_SUSPENDED) &&
	       (b.state & AMDXSCHED_QUEUE_S_SUSPENDED) ? 0 : -EBADE;
}

static int op_events_config(struct sweep *s)
{
	return axs_events_config(s->tmp, AMDXSCHED_EVENT_MASK_ALL, 1024);
}

static int prep_open_tmp(struct sweep *s)
{
	s->tmp = axs_open(O_RDONLY);
	return s->tmp < 0 ? s->tmp : 0;
}

static int op_set_proc_attr(struct sweep *s)
{
	struct amdxsched_proc_attr a;

	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_TAG;
	a.sched_class = AMDXSCHED_CLASS_REALTIME;
	a.priority = 9;
	strcpy(a.tag, "failnth");
	return axs_set_proc_attr(s->fd, &a);
}

static int prep_proc_attr(struct sweep *s)
{
	struct amdxsched_proc_attr a;

	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_TAG;
	a.sched_class = AMDXSCHED_CLASS_BEST_EFFORT;
	a.priority = 2;
	strcpy(a.tag, "before");
	return axs_set_proc_attr(s->fd, &a);
}

static int done_proc_attr(struct sweep *s, bool complete __attribute__((unused)))
{
	struct amdxsched_proc_info pi;
	int ret = axs_proc_info(s->fd, s->pid, &pi);

	if (ret)
		return ret;
	return pi.sched_class == AMDXSCHED_CLASS_REALTIME && pi.priority == 9 &&
	       !strcmp(pi.tag, "failnth") ? 0 : -EBADE;
}

static int op_set_queue_attr(struct sweep *s)
{
	struct amdxsched_queue_attr a;

	AXS_INIT(a);
	a.handle = s->q[0];
	a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_SHARE;
	a.sched_class = AMDXSCHED_CLASS_REALTIME;
	a.share = 300;
	return axs_ioctl(s->fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, &a);
}

static int done_queue_attr(struct sweep *s, bool complete __attribute__((unused)))
{
	struct amdxsched_queue_info qi;

	if (queue_of(s, s->q[0], &qi))
		return -ENOENT;
	return qi.attr_flags == (AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_SHARE) &&
	       qi.sched_class == AMDXSCHED_CLASS_REALTIME && qi.share == 300 ? 0 : -EBADE;
}

static int reset_queue_attr(struct sweep *s)
{
	struct amdxsched_queue_attr a;

	AXS_INIT(a);
	a.handle = s->q[0];
	a.flags = AMDXSCHED_QUEUE_ATTR_CLEAR;
	return axs_ioctl(s->fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, &a);
}

static int gpu_count(struct sweep *s, uint32_t *n)
{
	struct amdxsched_gpu_info *g = NULL;
	int ret = axs_list_gpus(s->fd, &g, n);

	free(g);
	return ret;
}

static int prep_add_gpu(struct sweep *s)
{
	return gpu_count(s, &s->ngpus_before);
}

static int op_sim_add_gpu(struct sweep *s)
{
	uint32_t id;

	return axs_add_small_gpu(s->fd, AMDXSCHED_SIM_DISPATCH_PRIORITY, &id);
}

static int done_add_gpu(struct sweep *s, bool complete __attribute__((unused)))
{
	uint32_t n;
	int ret = gpu_count(s, &n);

	return ret ? ret : (n == s->ngpus_before + 1 ? 0 : -EBADE);
}

/*
 * SIM_PROC: this process has one simulated process (the fixture's), so the
 * call under test makes it again after prepare destroyed it (and with it
 * the queues); reset puts the queues back.
 */
static int prep_no_sim_proc(struct sweep *s)
{
	uint32_t pid;

	return axs_sim_proc(s->fd, AMDXSCHED_SIM_PROC_DESTROY, &pid);
}

static int op_sim_proc(struct sweep *s)
{
	uint32_t pid;

	return axs_sim_proc(s->fd, AMDXSCHED_SIM_PROC_CREATE, &pid);
}

static int done_sim_proc(struct sweep *s, bool complete __attribute__((unused)))
{
	struct amdxsched_proc_info pi;
	int ret = axs_proc_info(s->fd, s->pid, &pi);

	if (ret)
		return ret;
	return pi.flags & AMDXSCHED_PROC_F_SIM ? 0 : -EBADE;
}

static int reset_sim_proc(struct sweep *s)
{
	uint32_t pid;
	int i, ret;

	ret = axs_sim_proc(s->fd, AMDXSCHED_SIM_PROC_CREATE, &pid);
	if (ret && ret != -EEXIST)
		return ret;
	for (i = 0, ret = 0; i < NQ && !ret; i++) {
		ret = axs_sim_queue_create(s->fd, s->gpu, 7, &s->q[i], NULL);
		if (!ret)
			ret = axs_set_cu_mask(s->fd, s->q[i], full_mask, 128);
	}
	return ret;
}

static int op_sim_queue_create(struct sweep *s)
{
	s->tmpq = 0;
	return axs_sim_queue_create(s->fd, s->gpu, 5, &s->tmpq, NULL);
}

/* Queues of this process other than q[]: 0 or 1 here; its handle in *h. */
static int extra_queues(struct sweep *s, uint64_t *h)
{
	struct amdxsched_queue_info *qi = NULL;
	uint32_t i, n = 0, extra = 0;
	int ret = axs_list_queues(s->fd, s->pid, AMDXSCHED_GPU_ANY, &qi, &n);

	for (i = 0; !ret && i < n; i++) {
		if (qi[i].handle == s->q[0] || qi[i].handle == s->q[1])
			continue;
		extra++;
		*h = qi[i].handle;
	}
	free(qi);
	return ret ? ret : (int)extra;
}

static int done_sim_queue_create(struct sweep *s, bool complete)
{
	uint64_t h = 0;
	int n = extra_queues(s, &h);

	if (n < 0)
		return n;
	return n == 1 && (!complete || h == s->tmpq) ? 0 : -EBADE;
}

/* Destroy the queue made by the call or by prepare, known or not. */
static int reset_tmpq(struct sweep *s)
{
	uint64_t h;
	int n = extra_queues(s, &h);

	s->tmpq = 0;
	if (n <= 0)
		return n;
	return n == 1 ? axs_sim_queue_destroy(s->fd, h) : -EBADE;
}

static int op_sim_queue_destroy(struct sweep *s)
{
	return axs_sim_queue_destroy(s->fd, s->tmpq);
}

static int done_sim_queue_destroy(struct sweep *s, bool complete __attribute__((unused)))
{
	uint64_t h;
	int n = extra_queues(s, &h);

	return n < 0 ? n : (n == 0 ? 0 : -EBADE);
}

static int op_sim_submit(struct sweep *s)
{
	s->dispatch = 0;
	return axs_sim_submit(s->fd, s->q[0], 1, 1000, 0, &s->dispatch);
}

/*
 * Wait for the last dispatch of q[0] to end, so that nothing runs; its id
 * is the number submitted, whether or not the call could tell us.
 */
static int reset_wait(struct sweep *s)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_sim_wait w;
	int ret = queue_of(s, s->q[0], &qi);

	if (ret || !qi.counters.dispatches_submitted)
		return ret;
	return axs_sim_wait(s->fd, s->q[0], qi.counters.dispatches_submitted, 20 * SEC, &w);
}

static int done_sim_submit(struct sweep *s, bool complete)
{
	struct amdxsched_queue_info qi;
	int ret = queue_of(s, s->q[0], &qi);

	if (ret)
		return ret;
	if (complete && s->dispatch != qi.counters.dispatches_submitted)
		return -EBADE;
	return qi.counters.dispatches_submitted ? 0 : -EBADE;
}

static int prep_submitted(struct sweep *s)
{
	int ret = op_sim_submit(s);

	return ret ? ret : reset_wait(s);
}

static int op_sim_wait(struct sweep *s)
{
	struct amdxsched_sim_wait w;

	return axs_sim_wait(s->fd, s->q[0], s->dispatch, 0, &w);
}

/* read() and poll() of a subscriber with one event waiting. */
static int prep_reader(struct sweep *s)
{
	int ret;

	ret = axs_ev_drain(s->rd) >= 0 ? 0 : -EIO;
	if (!ret)
		ret = prep_proc_attr(s);	/* one PROC_ATTR event */
	return ret;
}

static int op_read(struct sweep *s)
{
	ssize_t n = read(s->rd, &s->evbuf, sizeof(s->evbuf));

	if (n < 0)
		return -errno;
	return n == sizeof(s->evbuf) ? 0 : -EIO;
}

/* A failed read() leaves the event to the next one. */
static int failed_read(struct sweep *s)
{
	struct amdxsched_event ev;

	return axs_ev_read(s->rd, &ev, 0) == 1 && ev.type == AMDXSCHED_EVENT_PROC_ATTR ?
		0 : -EBADE;
}

static int op_poll(struct sweep *s)
{
	struct pollfd p = { .fd = s->rd, .events = POLLIN };
	int n = poll(&p, 1, 0);

	if (n < 0)
		return -errno;
	return n == 1 && (p.revents & POLLIN) ? 0 : -EIO;
}

/*
 * close() of a file with a lease on our queues and a subscription: release
 * cannot fail, whatever fails inside it; afterwards nothing is suspended.
 */
static int prep_busy_file(struct sweep *s)
{
	uint64_t lease;
	int ret;

	s->tmp = axs_open(O_RDWR);
	if (s->tmp < 0)
		return s->tmp;
	ret = axs_events_config(s->tmp, AMDXSCHED_EVENT_MASK_ALL, 64);
	if (!ret)
		ret = axs_suspend(s->tmp, s->q, NQ, AMDXSCHED_LEVEL_INTERRUPT, s->max_lease_ms,
				  NULL, &lease);
	return ret;
}

static int op_close(struct sweep *s)
{
	int ret = close(s->tmp);

	s->tmp = -1;
	return ret ? -errno : 0;
}

static int done_close(struct sweep *s, bool complete __attribute__((unused)))
{
	return queues_suspended(s, false);
}

#define OP(n, p, c, d, f, r) \
	{ .name = n, .prepare = p, .call = c, .check_done = d, .check_failed = f, .reset = r }

static const struct sweep_op ops[] = {
	OP("open", NULL, op_open, NULL, NULL, reset_close_tmp),
	OP("VERSION", NULL, op_version, NULL, NULL, NULL),
	OP("BACKEND_INFO", NULL, op_backend_info, NULL, NULL, NULL),
	OP("LIST_GPUS", NULL, op_list_gpus, NULL, NULL, NULL),
	OP("LIST_QUEUES", NULL, op_list_queues, NULL, NULL, NULL),
	OP("LIST_PROCS", NULL, op_list_procs, NULL, NULL, NULL),
	OP("SUSPEND", NULL, op_suspend, done_suspend, NULL, reset_resume),
	OP("RESUME", prep_suspended, op_resume, done_resume, NULL, reset_resume),
	OP("LEASE_RENEW", prep_renew, op_renew, done_renew, NULL, reset_resume),
	OP("SET_PRIORITY", NULL, op_set_priority, done_set_priority, NULL, reset_priority),
	OP("SET_CU_MASK", NULL, op_set_cu_mask, done_set_cu_mask, NULL, reset_cu_mask),
	OP("EVENTS_CONFIG", prep_open_tmp, op_events_config, NULL, NULL, reset_close_tmp),
	OP("SET_PROC_ATTR", prep_proc_attr, op_set_proc_attr, done_proc_attr, NULL, NULL),
	OP("SIM_PROC", prep_no_sim_proc, op_sim_proc, done_sim_proc, NULL, reset_sim_proc),
	OP("SIM_QUEUE_CREATE", NULL, op_sim_queue_create, done_sim_queue_create, NULL,
	   reset_tmpq),
	OP("SIM_QUEUE_DESTROY", op_sim_queue_create, op_sim_queue_destroy,
	   done_sim_queue_destroy, NULL, reset_tmpq),
	OP("SIM_SUBMIT", NULL, op_sim_submit, done_sim_submit, NULL, reset_wait),
	OP("SIM_WAIT", prep_submitted, op_sim_wait, NULL, NULL, NULL),
	OP("read", prep_reader, op_read, NULL, failed_read, NULL),
	OP("poll", prep_reader, op_poll, NULL, NULL, NULL),
	OP("close", prep_busy_file, op_close, done_close, NULL, NULL),
	OP("APPLY", prep_apply, op_apply, done_apply, NULL, reset_resume),
	OP("SET_QUEUE_ATTR", NULL, op_set_queue_attr, done_queue_attr, NULL, reset_queue_attr),
	/* Last: a GPU cannot be removed, so this one stops at its first success. */
	{ .name = "SIM_ADD_GPU", .prepare = prep_add_gpu, .call = op_sim_add_gpu,
	  .check_done = done_add_gpu, .once = true },
};

FIXTURE(fnth) {
	struct sweep s;
};

FIXTURE_SETUP(fnth)
{
	struct sweep *s = &self->s;
	struct amdxsched_version v;
	int i;

	memset(s, 0, sizeof(*s));
	s->meta = _metadata;
	s->ev = s->rd = s->tmp = s->fnth = -1;
	if (!fault_injection_available())
		SKIP(return, FAULT_INJECTION_MISSING);
	if (!axs_fixture_open(_metadata, &s->fd, &s->gpu))
		return;
	ASSERT_EQ(0, fault_attrs_setup());
	fault_window(true);
	s->fnth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s->fnth);
	ASSERT_EQ(0, axs_version(s->fd, &v));
	s->max_lease_ms = v.max_lease_ms;
	axs_fixture_queues(_metadata, s->fd, s->gpu, s->q, NQ);
	s->pid = getpid();
	s->ev = axs_open(O_RDONLY);
	ASSERT_LE(0, s->ev);
	ASSERT_EQ(0, axs_events_config(s->ev, AMDXSCHED_EVENT_MASK_ALL, 65536));
	s->rd = axs_open(O_RDONLY);
	ASSERT_LE(0, s->rd);
	ASSERT_EQ(0, axs_events_config(s->rd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_ATTR), 64));
	for (i = 0; i < NQ; i++)
		ASSERT_EQ(0, axs_set_cu_mask(s->fd, s->q[i], full_mask, 128));
}

FIXTURE_TEARDOWN(fnth)
{
	struct sweep *s = &self->s;

	if (s->fnth >= 0) {
		fault_fired(s->fnth);
		fault_window(false);
	}
	if (s->tmp >= 0)
		close(s->tmp);
	if (s->rd >= 0)
		EXPECT_EQ(0, close(s->rd));
	if (s->ev >= 0)
		EXPECT_EQ(0, close(s->ev));
	if (s->fd >= 0)
		EXPECT_EQ(0, close(s->fd));
	if (s->fnth >= 0)
		close(s->fnth);
}

/* One test per operation, so that TAP names what failed. */
#define SWEEP_TEST(idx, tname) \
TEST_F_TIMEOUT(fnth, tname, 600) \
{ \
	EXPECT_EQ(0, sweep_run(&self->s, &ops[idx])); \
}

SWEEP_TEST(0, open)
SWEEP_TEST(1, version)
SWEEP_TEST(2, backend_info)
SWEEP_TEST(3, list_gpus)
SWEEP_TEST(4, list_queues)
SWEEP_TEST(5, list_procs)
SWEEP_TEST(6, suspend)
SWEEP_TEST(7, resume)
SWEEP_TEST(8, lease_renew)
SWEEP_TEST(9, set_priority)
SWEEP_TEST(10, set_cu_mask)
SWEEP_TEST(11, events_config)
SWEEP_TEST(12, set_proc_attr)
SWEEP_TEST(13, sim_proc)
SWEEP_TEST(14, sim_queue_create)
SWEEP_TEST(15, sim_queue_destroy)
SWEEP_TEST(16, sim_submit)
SWEEP_TEST(17, sim_wait)
SWEEP_TEST(18, read)
SWEEP_TEST(19, poll)
SWEEP_TEST(20, close)
SWEEP_TEST(21, apply)
SWEEP_TEST(22, set_queue_attr)
SWEEP_TEST(23, sim_add_gpu)

/* The table and the tests above name the same operations, in order. */
_Static_assert(sizeof(ops) / sizeof(ops[0]) == 24, "one SWEEP_TEST per operation");

TEST_HARNESS_MAIN
