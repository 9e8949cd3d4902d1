// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sim backend: simulated gfx942 GPUs that run the pure model of
 * sim_model.c in real time, one hrtimer per GPU firing at the model's next
 * event; the AMDXSCHED_IOC_SIM_* ioctls with which test programs play the
 * part of HIP applications; and fault knobs in debugfs, netdevsim style.
 *
 * A simulated process belongs to the file that created it, the way a KFD
 * process lives as long as its /dev/kfd user: closing the file is the
 * process exiting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/kref.h>
#include <linux/seq_file.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "core.h"
#include "sim_model.h"

#define SIM_MAX_QUEUES_PER_PROC	1024	/* KFD's limit per process */
#define SIM_GFX_TARGET		90402	/* gfx942 */
#define SIM_DEFAULT_CUS		0x1f	/* 5 active CUs per shader array */

struct sim_gpu {
	struct axs_gpu gpu;
	/*
	 * lock: the model and all it reaches (model queues, kernels, cohorts)
	 * and @completed. Taken by the timer in softirq context, with _bh
	 * elsewhere. Inside sim_lock, op_lock and axs.lock, outside ev_lock.
	 */
	spinlock_t lock;
	struct axs_sim_gpu *m;
	bool completed;			/* a kernel finished since the last wake-up */
	struct hrtimer timer;		/* at the model's next event */
	wait_queue_head_t done_wait;	/* kernel completions, queue destruction */

	/* Backend calls only; gpu.op_lock. */
	struct axs_sim_queue *scratch[AMDXSCHED_MAX_BATCH];
	struct axs_queue *rest[AMDXSCHED_MAX_BATCH];
	int rest_status[AMDXSCHED_MAX_BATCH];

	/*
	 * A simulated debugger (knobs debug_pid, resume_outside): the pid, in
	 * the initial pid namespace, of the process whose amdkfd debug trap
	 * is on, as far as this GPU is concerned; 0 none. Its queues'
	 * suspension and resumption are refused (-EBUSY), as amdkfd's are.
	 */
	u32 debug_pid;

	/* Fault knobs: fail the next N calls of a kind, with fail_errno. */
	atomic_t fail_suspend;
	atomic_t fail_suspend_late;	/* act, then fail: amdkfd's remap failing */
	atomic_t fail_resume;
	atomic_t fail_priority;
	atomic_t fail_cu_mask;
	atomic_t fail_queue_create;
	u32 fail_errno;
	u32 unmap_delay_us;		/* every unmap takes this much longer */
	struct dentry *dir;
};

struct axs_sim_proc {
	struct axs_proc *proc;
	struct list_head queues;	/* sim_q.proc_node; sim_lock */
	DECLARE_BITMAP(qids, SIM_MAX_QUEUES_PER_PROC);
};

struct sim_q {
	struct axs_sim_queue mq;	/* sg->lock */
	struct kref ref;		/* owner, plus each waiter */
	struct sim_gpu *sg;
	struct axs_queue *q;		/* NULL once destroyed */
	u64 handle;
	struct list_head proc_node;
	bool dead;			/* sg->lock */
	bool removing;			/* being destroyed; sg->lock */
};

/* Loaded with sim_gpus > 0: the simulated device and its SIM_* ioctls exist. */
static bool sim_enabled;
static struct kmem_cache *cohort_cache;
static struct kmem_cache *kernel_cache;
static struct dentry *sim_debugfs;

static void sim_q_release(struct kref *ref)
{
	kfree(container_of(ref, struct sim_q, ref));
}

static struct sim_gpu *to_sim_gpu(struct axs_gpu *gpu)
{
	return container_of(gpu, struct sim_gpu, gpu);
}

static struct sim_q *to_sim_q(struct axs_sim_queue *mq)
{
	return container_of(mq, struct sim_q, mq);
}

/* Model hooks, called with sg->lock held. */

static void hook_busy(void *ctx, struct axs_sim_queue *mq, bool busy, u64 t)
{
	axs_event_queue_at(to_sim_q(mq)->q, busy ? AMDXSCHED_EVENT_QUEUE_BUSY :
				AMDXSCHED_EVENT_QUEUE_IDLE, t, 0, 0);
}

static void hook_drained(void *ctx, struct axs_sim_queue *mq, u64 t)
{
	axs_queue_drained(to_sim_q(mq)->q, t);
}

static void hook_kernel_done(void *ctx, struct axs_sim_queue *mq,
			     const struct axs_sim_record *r)
{
	struct sim_gpu *sg = ctx;

	sg->completed = true;
}

static struct axs_sim_cohort *hook_alloc_cohort(void *ctx)
{
	return kmem_cache_alloc(cohort_cache, GFP_ATOMIC | __GFP_NOWARN);
}

static void hook_free_cohort(void *ctx, struct axs_sim_cohort *c)
{
	kmem_cache_free(cohort_cache, c);
}

static void hook_free_kernel(void *ctx, struct axs_sim_kernel *k)
{
	kmem_cache_free(kernel_cache, k);
}

/*
 * One advance does at most this much model work under sg->lock (bh off);
 * past it the simulated GPU stands still (see axs_sim_advance()).
 */
#define SIM_ADVANCE_BUDGET_NS	(500 * NSEC_PER_USEC)

static bool hook_overrun(void *ctx, u64 now)
{
	return ktime_get_ns() - now > SIM_ADVANCE_BUDGET_NS;
}

static const struct axs_sim_hooks sim_hooks = {
	.overrun = hook_overrun,
	.busy = hook_busy,
	.drained = hook_drained,
	.kernel_done = hook_kernel_done,
	.alloc_cohort = hook_alloc_cohort,
	.free_cohort = hook_free_cohort,
	.free_kernel = hook_free_kernel,
};

/* Take the model lock and bring the model up to now. */
static void sim_enter(struct sim_gpu *sg)
	__acquires(&sg->lock)
{
	spin_lock_bh(&sg->lock);
	axs_sim_advance(sg->m, ktime_get_ns());
}

/* Re-arm the timer for what the model expects next. sg->lock held. */
static void sim_arm(struct sim_gpu *sg)
{
	u64 t = axs_sim_next_event(sg->m);

	if (t == AXS_U64_MAX)
		hrtimer_try_to_cancel(&sg->timer);
	else
		hrtimer_start(&sg->timer, ns_to_ktime(t), HRTIMER_MODE_ABS_SOFT);
}

/* Re-arm, drop the model lock, and wake waiters if kernels finished. */
static void sim_leave(struct sim_gpu *sg)
	__releases(&sg->lock)
{
	bool wake = sg->completed;

	sg->completed = false;
	sim_arm(sg);
	spin_unlock_bh(&sg->lock);
	if (wake)
		wake_up_all(&sg->done_wait);
}

static enum hrtimer_restart sim_timer_fn(struct hrtimer *t)
{
	struct sim_gpu *sg = container_of(t, struct sim_gpu, timer);
	bool wake;

	spin_lock(&sg->lock);
	axs_sim_advance(sg->m, ktime_get_ns());
	wake = sg->completed;
	sg->completed = false;
	sim_arm(sg);
	spin_unlock(&sg->lock);
	if (wake)
		wake_up_all(&sg->done_wait);
	return HRTIMER_NORESTART;
}

/* The unmap blocks its caller on real hardware; so it does here. */
static void sleep_until(u64 t)
{
	ktime_t exp = ns_to_ktime(t);

	while (ktime_get_ns() < t) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_hrtimeout(&exp, HRTIMER_MODE_ABS);
	}
}

/*
 * One runlist change: a whole-GPU unmap/remap, which sleeps for as long as
 * the unmap takes. Called under the GPU's op_lock, never axs.lock.
 */
static int sim_remap_many(struct sim_gpu *sg, const struct axs_sim_change *c, u32 nc)
{
	struct axs_sim_remap_info info;
	int err;

	lockdep_assert_held(&sg->gpu.op_lock);
	sim_enter(sg);
	sg->m->p.unmap_delay_ns = (u64)READ_ONCE(sg->unmap_delay_us) * NSEC_PER_USEC;
	sg->m->p.preempt_timeout_ns =
		(u64)READ_ONCE(sg->gpu.preempt_timeout_ms) * NSEC_PER_MSEC;
	err = axs_sim_remap_many(sg->m, ktime_get_ns(), c, nc, &info);
	sim_leave(sg);

	if (info.hang) {
		pr_warn_ratelimited("simulated GPU %u: unmap exceeded %u ms, reporting a hang\n",
				    sg->gpu.id, sg->gpu.preempt_timeout_ms);
		axs_event_gpu(&sg->gpu, AMDXSCHED_EVENT_GPU_HANG,
			      info.unmap_done_ns - info.start_ns, 0);
	}
	sleep_until(info.unmap_done_ns);
	return err;
}

static int sim_remap(struct sim_gpu *sg, const struct axs_sim_change *c)
{
	return sim_remap_many(sg, c, 1);
}

/* Consume one injected failure of @knob: its -errno, or 0. */
static int sim_fault(struct sim_gpu *sg, atomic_t *knob)
{
	u32 e = READ_ONCE(sg->fail_errno);

	if (!atomic_add_unless(knob, -1, 0))
		return 0;
	return -(int)(e && e < MAX_ERRNO ? e : EIO);
}

static int sim_batch(struct sim_gpu *sg, struct axs_sim_change *c,
		     struct axs_queue **qs, u32 n, int *status, atomic_t *knob)
{
	u32 i;
	int err;

	err = sim_fault(sg, knob);
	if (!err) {
		for (i = 0; i < n; i++)
			sg->scratch[i] = &((struct sim_q *)qs[i]->priv)->mq;
		c->q = sg->scratch;
		c->n = n;
		err = sim_remap(sg, c);
	}
	for (i = 0; i < n; i++)
		status[i] = err;
	return err;
}

/* @q's process has the simulated debugger: say so, as the kfd backend does. */
static bool sim_debugged(struct sim_gpu *sg, struct axs_queue *q)
{
	u32 pid = READ_ONCE(sg->debug_pid);

	if (!pid || pid_nr(q->proc->pid) != pid)
		return false;
	WRITE_ONCE(q->proc->debugged, true);
	return true;
}

/*
 * Suspend or resume: a debugged process's queues get -EBUSY and stay as
 * they are, as amdkfd refuses a process with its debug trap on; the others
 * go on in one remap.
 */
static int sim_suspend_resume(struct sim_gpu *sg, struct axs_sim_change *c,
			      struct axs_queue **qs, u32 n, int *status, atomic_t *knob)
{
	u32 i, m = 0, nrest = 0;
	int err;

	for (i = 0; i < n; i++)
		if (!sim_debugged(sg, qs[i]))
			sg->rest[nrest++] = qs[i];
	if (nrest == n)
		return sim_batch(sg, c, qs, n, status, knob);
	err = nrest ? sim_batch(sg, c, sg->rest, nrest, sg->rest_status, knob) : 0;
	for (i = 0; i < n; i++)
		status[i] = m < nrest && qs[i] == sg->rest[m] ? sg->rest_status[m++] : -EBUSY;
	return err ? err : -EBUSY;
}

static int sim_suspend(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
		       u32 level, int *status)
{
	struct sim_gpu *sg = to_sim_gpu(gpu);
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_SUSPEND, .level = level };
	int err, late;
	u32 i;

	err = sim_suspend_resume(sg, &c, qs, n, status, &sg->fail_suspend);
	if (err && err != -EBUSY)
		return err;
	/*
	 * The queues are suspended and the call still fails, as amdkfd's can:
	 * a backend that cannot tell says so.
	 */
	late = sim_fault(sg, &sg->fail_suspend_late);
	for (i = 0; late && i < n; i++)
		if (!status[i])
			status[i] = AXS_STATUS_UNKNOWN;
	return late ? late : err;
}

static int sim_resume(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
		      int *status)
{
	struct sim_gpu *sg = to_sim_gpu(gpu);
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_RESUME };

	return sim_suspend_resume(sg, &c, qs, n, status, &sg->fail_resume);
}

static int sim_set_priority(struct axs_gpu *gpu, struct axs_queue **qs,
			    const u32 *prio, u32 n, int *status)
{
	struct sim_gpu *sg = to_sim_gpu(gpu);
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_PRIORITY, .priority = prio };

	return sim_batch(sg, &c, qs, n, status, &sg->fail_priority);
}

static int sim_set_cu_mask(struct axs_gpu *gpu, struct axs_queue *q,
			   const u32 *mask, u32 nbits, const struct axs_cu_set *cus)
{
	struct sim_gpu *sg = to_sim_gpu(gpu);
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_CU_MASK, .cus = cus };
	int status;

	return sim_batch(sg, &c, &q, 1, &status, &sg->fail_cu_mask);
}

/*
 * A whole decision in one remap: the suspensions (by level), priorities, CU
 * masks and resumptions of @it as one change list. Each kind present spends
 * its fault knob; if one fires, nothing is done.
 */
static int sim_apply(struct axs_gpu *gpu, const struct axs_apply_item *it, u32 n,
		     int *status)
{
	static const u32 order[] = {
		AMDXSCHED_APPLY_SUSPEND, AMDXSCHED_APPLY_SUSPEND, AMDXSCHED_APPLY_PRIORITY,
		AMDXSCHED_APPLY_RESUME,
	};
	struct sim_gpu *sg = to_sim_gpu(gpu);
	struct axs_sim_change *c;
	u32 have = 0, i, k, nc = 0, at = 0, *prio;
	int err = 0, late = 0;

	for (i = 0; i < n; i++) {
		have |= BIT(it[i].op);
		/* all or nothing: a debugged process's suspension stops it all */
		if ((it[i].op == AMDXSCHED_APPLY_SUSPEND || it[i].op == AMDXSCHED_APPLY_RESUME) &&
		    sim_debugged(sg, it[i].q))
			err = -EBUSY;
	}
	if (!err && (have & BIT(AMDXSCHED_APPLY_SUSPEND)))
		err = sim_fault(sg, &sg->fail_suspend);
	if (!err && (have & BIT(AMDXSCHED_APPLY_RESUME)))
		err = sim_fault(sg, &sg->fail_resume);
	if (!err && (have & BIT(AMDXSCHED_APPLY_PRIORITY)))
		err = sim_fault(sg, &sg->fail_priority);
	if (!err && (have & BIT(AMDXSCHED_APPLY_CU_MASK)))
		err = sim_fault(sg, &sg->fail_cu_mask);
	/* room for the grouped changes, one per CU mask, and the priorities */
	c = err ? NULL : kmalloc_array(n + ARRAY_SIZE(order), sizeof(*c) + sizeof(u32),
				       GFP_KERNEL);
	if (!err && !c)
		err = -ENOMEM;
	if (err) {
		for (i = 0; i < n; i++)
			status[i] = err;
		return err;
	}
	prio = (u32 *)(c + n + ARRAY_SIZE(order));

	for (k = 0; k < ARRAY_SIZE(order); k++) {
		u32 level = k ? AMDXSCHED_LEVEL_INTERRUPT : AMDXSCHED_LEVEL_DEACTIVATE;
		u32 first = at;

		for (i = 0; i < n; i++) {
			if (it[i].op != order[k] ||
			    (order[k] == AMDXSCHED_APPLY_SUSPEND && it[i].arg != level))
				continue;
			prio[at] = it[i].arg;
			sg->scratch[at++] = &((struct sim_q *)it[i].q->priv)->mq;
		}
		if (at == first)
			continue;
		c[nc] = (struct axs_sim_change) {
			.q = &sg->scratch[first], .n = at - first, .level = level,
			.priority = &prio[first],
		};
		c[nc++].kind = order[k] == AMDXSCHED_APPLY_SUSPEND ? AXS_SIM_CHANGE_SUSPEND :
			       order[k] == AMDXSCHED_APPLY_PRIORITY ? AXS_SIM_CHANGE_PRIORITY :
			       AXS_SIM_CHANGE_RESUME;
	}
	for (i = 0; i < n; i++) {
		if (it[i].op != AMDXSCHED_APPLY_CU_MASK)
			continue;
		sg->scratch[at] = &((struct sim_q *)it[i].q->priv)->mq;
		c[nc++] = (struct axs_sim_change) {
			.kind = AXS_SIM_CHANGE_CU_MASK, .q = &sg->scratch[at++], .n = 1,
			.cus = it[i].cus,
		};
	}
	err = sim_remap_many(sg, c, nc);
	kfree(c);
	if (!err && (have & BIT(AMDXSCHED_APPLY_SUSPEND)))
		late = sim_fault(sg, &sg->fail_suspend_late);
	for (i = 0; i < n; i++)
		status[i] = late && it[i].op == AMDXSCHED_APPLY_SUSPEND ? AXS_STATUS_UNKNOWN : err;
	return err ? err : late;
}

static void sim_still_suspended(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
				int *status)
{
	struct sim_gpu *sg = to_sim_gpu(gpu);
	u32 i;

	sim_enter(sg);
	for (i = 0; i < n; i++) {
		struct sim_q *sq = qs[i]->priv;

		/* one being destroyed is the registry's to remove */
		status[i] = sq->removing || sq->mq.level;
	}
	sim_leave(sg);
}

static void sim_queue_info(struct axs_queue *q, struct amdxsched_queue_info *qi)
{
	struct sim_q *sq = q->priv;
	struct sim_gpu *sg = sq->sg;

	sim_enter(sg);
	/*
	 * Being destroyed, it is still listed (the registry lets go of it after
	 * the remap) while the model has dropped its work: that work was never
	 * finished, so the queue is busy until it is gone.
	 */
	if (sq->mq.busy || (sq->removing && sq->mq.done_id < sq->mq.next_id))
		qi->state |= AMDXSCHED_QUEUE_S_BUSY;
	if (sq->mq.draining)
		qi->state |= AMDXSCHED_QUEUE_S_DRAINING;
	qi->counters.busy_transitions = sq->mq.stats.busy_transitions;
	qi->counters.dispatches_submitted = sq->mq.next_id;
	qi->counters.dispatches_completed = sq->mq.done_id;
	qi->counters.workgroups_completed = sq->mq.stats.wg_completed;
	sim_leave(sg);
}

static void sim_gpu_counters(struct axs_gpu *gpu, struct amdxsched_gpu_counters *c)
{
	struct sim_gpu *sg = to_sim_gpu(gpu);

	sim_enter(sg);
	c->remaps = sg->m->stats.remaps;
	c->remap_ns = sg->m->stats.remap_ns;
	c->saved_bytes = sg->m->stats.saved_bytes;
	c->hangs = sg->m->stats.hangs;
	sim_leave(sg);
}

static const struct axs_backend_ops sim_ops = {
	.suspend = sim_suspend,
	.resume = sim_resume,
	.set_priority = sim_set_priority,
	.set_cu_mask = sim_set_cu_mask,
	.apply = sim_apply,
	.still_suspended = sim_still_suspended,
	.queue_info = sim_queue_info,
	.gpu_counters = sim_gpu_counters,
};

static int knob_get(void *data, u64 *val)
{
	*val = atomic_read(data);
	return 0;
}

static int knob_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(data, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(knob_fops, knob_get, knob_set, "%llu\n");

/*
 * The simulated debugger resumes queues behind the module's back: the queue
 * of handle @handle, or every queue of process @pid (amdkfd's detach, in
 * kfd_dbg_trap_deactivate(), resumes all of its target's queues). Only the
 * model changes; the module finds out by reconciling (control.c).
 */
static int sim_resume_outside(struct sim_gpu *sg, u64 handle, u32 pid)
{
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_RESUME, .q = sg->scratch };
	struct axs_queue *q;
	unsigned long idx;
	bool found = false;
	int err;

	err = axs_gpu_op_lock(&sg->gpu);
	if (err)
		return err;
	mutex_lock(&axs.lock);
	sim_enter(sg);
	xa_for_each(&axs.queues, idx, q) {
		struct sim_q *sq = q->priv;

		if (q->gpu != &sg->gpu || (handle ? q->handle != handle :
					   pid_nr(q->proc->pid) != pid))
			continue;
		found = true;
		if (sq->mq.level && !sq->removing && c.n < AMDXSCHED_MAX_BATCH)
			sg->scratch[c.n++] = &sq->mq;
	}
	sim_leave(sg);
	mutex_unlock(&axs.lock);
	if (c.n)
		err = sim_remap(sg, &c);
	axs_gpu_op_unlock(&sg->gpu);
	return err ? err : found || !handle ? 0 : -ENOENT;
}

static int resume_outside_set(void *data, u64 val)
{
	return val ? sim_resume_outside(data, val, 0) : -EINVAL;
}

DEFINE_DEBUGFS_ATTRIBUTE(resume_outside_fops, NULL, resume_outside_set, "%llu\n");

/* Mark or unmark the process of @pid, if the registry has it. */
static void sim_set_debugged(u32 pid, bool on)
{
	struct axs_proc *p;

	mutex_lock(&axs.lock);
	list_for_each_entry(p, &axs.procs, node)
		if (pid_nr(p->pid) == pid)
			WRITE_ONCE(p->debugged, on);
	mutex_unlock(&axs.lock);
}

static int debug_pid_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct sim_gpu *)data)->debug_pid);
	return 0;
}

/* Attach (a pid) or detach (0), which resumes every queue of the old one. */
static int debug_pid_set(void *data, u64 val)
{
	struct sim_gpu *sg = data;
	u32 old;

	if (val > PID_MAX_LIMIT)
		return -EINVAL;
	old = xchg(&sg->debug_pid, (u32)val);
	if (old && old != val) {
		sim_set_debugged(old, false);
		sim_resume_outside(sg, 0, old);
	}
	if (val)
		sim_set_debugged(val, true);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(debug_pid_fops, debug_pid_get, debug_pid_set, "%llu\n");

/* How often, and for how long, the host could not keep up with the model. */
static int stalls_show(struct seq_file *m, void *unused)
{
	struct sim_gpu *sg = m->private;
	u64 n, ns;

	sim_enter(sg);
	n = sg->m->stats.stalls;
	ns = sg->m->stats.stall_ns;
	sim_leave(sg);
	seq_printf(m, "%llu %llu\n", n, div_u64(ns, NSEC_PER_USEC));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stalls);

static void sim_debugfs_add(struct sim_gpu *sg)
{
	char name[16];
	struct dentry *d;

	snprintf(name, sizeof(name), "gpu%u", sg->gpu.id);
	d = debugfs_create_dir(name, sim_debugfs);
	debugfs_create_file_unsafe("fail_suspend", 0600, d, &sg->fail_suspend, &knob_fops);
	debugfs_create_file_unsafe("fail_suspend_late", 0600, d, &sg->fail_suspend_late,
				   &knob_fops);
	debugfs_create_file_unsafe("fail_resume", 0600, d, &sg->fail_resume, &knob_fops);
	debugfs_create_file_unsafe("fail_priority", 0600, d, &sg->fail_priority, &knob_fops);
	debugfs_create_file_unsafe("fail_cu_mask", 0600, d, &sg->fail_cu_mask, &knob_fops);
	debugfs_create_file_unsafe("fail_queue_create", 0600, d, &sg->fail_queue_create,
				   &knob_fops);
	debugfs_create_u32("fail_errno", 0600, d, &sg->fail_errno);
	debugfs_create_u32("unmap_delay_us", 0600, d, &sg->unmap_delay_us);
	debugfs_create_file_unsafe("debug_pid", 0600, d, sg, &debug_pid_fops);
	debugfs_create_file_unsafe("resume_outside", 0200, d, sg, &resume_outside_fops);
	debugfs_create_u32("preempt_timeout_ms", 0600, d, &sg->gpu.preempt_timeout_ms);
	debugfs_create_file("stalls", 0400, d, sg, &stalls_fops);
	sg->dir = d;
}

static struct sim_gpu *sim_gpu_create(const struct axs_topo *topo,
				      const struct axs_sim_params *p)
{
	struct sim_gpu *sg;

	sg = kzalloc(sizeof(*sg), GFP_KERNEL);
	if (!sg)
		return NULL;
	sg->m = kvzalloc(sizeof(*sg->m), GFP_KERNEL);
	if (!sg->m) {
		kfree(sg);
		return NULL;
	}
	spin_lock_init(&sg->lock);
	init_waitqueue_head(&sg->done_wait);
	axs_hrtimer_setup(&sg->timer, sim_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	sg->fail_errno = EIO;
	axs_sim_gpu_init(sg->m, topo, p, &sim_hooks, sg, ktime_get_ns());

	sg->gpu.backend = AMDXSCHED_BACKEND_SIM;
	sg->gpu.ops = &sim_ops;
	sg->gpu.topo = *topo;
	sg->gpu.flags = AMDXSCHED_GPU_F_HWS | AMDXSCHED_GPU_F_CWSR;
	sg->gpu.gfx_target_version = SIM_GFX_TARGET;
	sg->gpu.cu_state_bytes = p->cu_state_bytes;
	sg->gpu.preempt_timeout_ms = div_u64(p->preempt_timeout_ns, NSEC_PER_MSEC);
	sg->gpu.levels = BIT(AMDXSCHED_LEVEL_DEACTIVATE) | BIT(AMDXSCHED_LEVEL_INTERRUPT);
	return sg;
}

static void sim_gpu_destroy(struct sim_gpu *sg)
{
	hrtimer_cancel(&sg->timer);
	axs_sim_gpu_fini(sg->m);
	kvfree(sg->m);
	kfree(sg);
}

/* Create and register a simulated GPU. */
static int sim_gpu_add(const struct axs_topo *topo, const struct axs_sim_params *p,
		       u32 *id)
{
	struct sim_gpu *sg;
	int err;

	sg = sim_gpu_create(topo, p);
	if (!sg)
		return -ENOMEM;
	err = axs_gpu_add(&sg->gpu);
	if (err) {
		sim_gpu_destroy(sg);
		return err;
	}
	sim_debugfs_add(sg);
	*id = sg->gpu.id;
	return 0;
}

/* Turn a config (zeros meaning MI308X defaults) into model inputs. */
static int sim_config(const struct amdxsched_sim_gpu_config *c, struct axs_topo *t,
		      struct axs_sim_params *p)
{
	static const u16 none[AXS_MAX_XCC][AXS_MAX_SE][AXS_MAX_SH];
	u32 x, se, sh;

	memset(t, 0, sizeof(*t));
	t->num_xcc = c->num_xcc ? c->num_xcc : 4;
	t->num_se = c->num_se_per_xcc ? c->num_se_per_xcc : 4;
	t->num_sh = c->num_sh_per_se ? c->num_sh_per_se : 1;
	if (memcmp(c->active_cu, none, sizeof(none))) {
		memcpy(t->active, c->active_cu, sizeof(t->active));
	} else if (t->num_xcc <= AXS_MAX_XCC && t->num_se <= AXS_MAX_SE &&
		   t->num_sh <= AXS_MAX_SH) {
		for (x = 0; x < t->num_xcc; x++)
			for (se = 0; se < t->num_se; se++)
				for (sh = 0; sh < t->num_sh; sh++)
					t->active[x][se][sh] = SIM_DEFAULT_CUS;
	}
	if (axs_topo_check(t))
		return -EINVAL;

	axs_sim_params_default(p);
	if (c->cu_state_bytes)
		p->cu_state_bytes = c->cu_state_bytes;
	if (c->max_wg_per_cu)
		p->max_wg_per_cu = c->max_wg_per_cu;
	if (c->save_bw)
		p->save_bw = c->save_bw;
	if (c->restore_bw)
		p->restore_bw = c->restore_bw;
	if (c->unmap_ns)
		p->unmap_ns = c->unmap_ns;
	if (c->map_ns)
		p->map_ns = c->map_ns;
	if (c->preempt_timeout_ms)
		p->preempt_timeout_ns = (u64)c->preempt_timeout_ms * NSEC_PER_MSEC;
	p->dispatch = c->dispatch;
	return axs_sim_params_check(p);
}

static long sim_ioctl_add_gpu(struct axs_file *f, void __user *argp)
{
	struct amdxsched_sim_gpu_config c;
	struct axs_sim_params p;
	struct axs_topo t;
	int err;

	err = axs_args_inout(&c, sizeof(c), AMDXSCHED_SIM_GPU_CONFIG_SIZE_VER0, argp);
	if (err)
		return err;
	if (c.flags || !axs_zeroed(c.reserved, sizeof(c.reserved)))
		return -EINVAL;
	if (!f->control)
		return -EPERM;
	err = sim_config(&c, &t, &p);
	if (err)
		return err;
	err = sim_gpu_add(&t, &p, &c.gpu_id);
	if (err)
		return err;
	return axs_args_out(argp, &c, sizeof(c));
}

/* The owner's sim_lock held; takes the GPU's op_lock, then axs.lock. */
static void sim_queue_destroy(struct axs_sim_proc *sp, struct sim_q *sq)
{
	struct axs_sim_queue *mq = &sq->mq;
	struct axs_sim_change c = {
		.kind = AXS_SIM_CHANGE_REMOVE, .q = &mq, .n = 1,
	};
	struct sim_gpu *sg = sq->sg;

	mutex_lock(&sg->gpu.op_lock);	/* not killable: the queue must go */
	spin_lock_bh(&sg->lock);
	sq->removing = true;
	spin_unlock_bh(&sg->lock);
	sim_remap(sg, &c);	/* a hang still removes the queue */
	spin_lock_bh(&sg->lock);
	sq->dead = true;
	spin_unlock_bh(&sg->lock);
	wake_up_all(&sg->done_wait);

	clear_bit(sq->q->kfd_qid, sp->qids);
	list_del(&sq->proc_node);
	mutex_lock(&axs.lock);
	axs_queue_remove(sq->q);
	mutex_unlock(&axs.lock);
	mutex_unlock(&sg->gpu.op_lock);
	sq->q = NULL;
	kref_put(&sq->ref, sim_q_release);
}

static void sim_proc_destroy(struct axs_file *f)
{
	struct axs_sim_proc *sp = f->sim_proc;
	struct sim_q *sq, *tmp;

	lockdep_assert_held(&f->sim_lock);
	list_for_each_entry_safe(sq, tmp, &sp->queues, proc_node)
		sim_queue_destroy(sp, sq);
	mutex_lock(&axs.lock);
	axs_proc_drop(sp->proc, AMDXSCHED_PROC_F_SIM);
	mutex_unlock(&axs.lock);
	kfree(sp);
	f->sim_proc = NULL;
}

static long sim_ioctl_proc(struct axs_file *f, void __user *argp)
{
	struct pid *tgid = task_tgid(current);
	struct amdxsched_sim_proc a;
	struct axs_sim_proc *sp;
	struct axs_proc *p;
	int err;

	err = axs_args_inout(&a, sizeof(a), AMDXSCHED_SIM_PROC_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (a.op != AMDXSCHED_SIM_PROC_CREATE && a.op != AMDXSCHED_SIM_PROC_DESTROY)
		return -EINVAL;

	mutex_lock(&f->sim_lock);
	if (a.op == AMDXSCHED_SIM_PROC_DESTROY) {
		if (f->sim_proc)
			sim_proc_destroy(f);
		else
			err = -ENOENT;
		mutex_unlock(&f->sim_lock);
		return err;
	}

	mutex_lock(&axs.lock);
	p = axs_proc_find(tgid);
	if (f->sim_proc || (p && (p->presence & AMDXSCHED_PROC_F_SIM))) {
		err = -EEXIST;	/* one simulated process per process */
		goto out;
	}
	sp = kzalloc(sizeof(*sp), GFP_KERNEL_ACCOUNT);
	if (!sp) {
		err = -ENOMEM;
		goto out;
	}
	sp->proc = axs_proc_get(tgid, AMDXSCHED_PROC_F_SIM);
	if (!sp->proc) {
		kfree(sp);
		err = -ENOMEM;
		goto out;
	}
	INIT_LIST_HEAD(&sp->queues);
	f->sim_proc = sp;
	a.pid = pid_vnr(tgid);
out:
	mutex_unlock(&axs.lock);
	mutex_unlock(&f->sim_lock);
	if (err)
		return err;
	return axs_args_out(argp, &a, sizeof(a));
}

static long sim_ioctl_queue_create(struct axs_file *f, void __user *argp)
{
	struct amdxsched_sim_queue_create a;
	struct axs_sim_change c = { .kind = AXS_SIM_CHANGE_ADD, .n = 1 };
	struct axs_sim_queue *mq;
	struct axs_sim_proc *sp;
	struct axs_gpu *gpu;
	struct sim_gpu *sg;
	struct sim_q *sq;
	struct axs_queue *q;
	unsigned long qid;
	int err;

	err = axs_args_inout(&a, sizeof(a), AMDXSCHED_SIM_QUEUE_CREATE_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || a.pad || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (a.priority > AMDXSCHED_PRIORITY_MAX)
		return -EINVAL;
	sq = kzalloc(sizeof(*sq), GFP_KERNEL_ACCOUNT);
	if (!sq)
		return -ENOMEM;

	mutex_lock(&f->sim_lock);
	sp = f->sim_proc;
	if (!sp) {
		err = -ESRCH;	/* no simulated process: SIM_PROC_CREATE first */
		goto out_sim;
	}
	mutex_lock(&axs.lock);
	gpu = axs_gpu_find(a.gpu_id);	/* removed only at unload */
	mutex_unlock(&axs.lock);
	if (!gpu || gpu->backend != AMDXSCHED_BACKEND_SIM) {
		err = -ENODEV;
		goto out_sim;
	}
	sg = to_sim_gpu(gpu);
	err = axs_gpu_op_lock(gpu);
	if (err)
		goto out_sim;
	mutex_lock(&axs.lock);
	qid = find_first_zero_bit(sp->qids, SIM_MAX_QUEUES_PER_PROC);
	if (qid == SIM_MAX_QUEUES_PER_PROC || sg->m->nqueues >= AXS_SIM_MAX_QUEUES) {
		err = -ENOSPC;
		goto out;
	}
	err = sim_fault(sg, &sg->fail_queue_create);
	if (err)
		goto out;

	kref_init(&sq->ref);
	sq->sg = sg;
	axs_sim_queue_init(sg->m, &sq->mq, a.priority, sq);
	q = axs_queue_add(sp->proc, gpu, qid, AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL,
			  a.priority, sq);
	if (!q) {
		err = -ENOMEM;
		goto out;
	}
	sq->q = q;
	sq->handle = q->handle;
	set_bit(qid, sp->qids);
	list_add_tail(&sq->proc_node, &sp->queues);
	mq = &sq->mq;
	c.q = &mq;
	a.handle = q->handle;
	a.kfd_queue_id = qid;
	mutex_unlock(&axs.lock);
	sim_remap(sg, &c);	/* creating a queue remaps the GPU, as on HWS */
	axs_gpu_op_unlock(gpu);
	mutex_unlock(&f->sim_lock);
	return axs_args_out(argp, &a, sizeof(a));
out:
	mutex_unlock(&axs.lock);
	axs_gpu_op_unlock(gpu);
out_sim:
	mutex_unlock(&f->sim_lock);
	kfree(sq);
	if (err)
		return err;
	return axs_args_out(argp, &a, sizeof(a));
}

/* The queue @handle of the caller's simulated process, or NULL. sim_lock held. */
static struct sim_q *sim_q_find(struct axs_file *f, u64 handle)
{
	struct sim_q *sq;

	lockdep_assert_held(&f->sim_lock);
	if (f->sim_proc) {
		list_for_each_entry(sq, &f->sim_proc->queues, proc_node)
			if (sq->handle == handle)
				return sq;
	}
	return NULL;
}

/*
 * Why @handle is not the caller's: someone else's queue it can see (EPERM),
 * or none it can see (ENOENT).
 */
static int not_mine(const struct axs_file *f, u64 handle)
{
	int err;

	mutex_lock(&axs.lock);
	err = axs_queue_lookup(f, handle) ? -EPERM : -ENOENT;
	mutex_unlock(&axs.lock);
	return err;
}

static long sim_ioctl_queue_destroy(struct axs_file *f, void __user *argp)
{
	struct amdxsched_sim_queue_destroy a;
	struct sim_q *sq;
	int err;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_SIM_QUEUE_DESTROY_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;

	mutex_lock(&f->sim_lock);
	sq = sim_q_find(f, a.handle);
	if (sq)
		sim_queue_destroy(f->sim_proc, sq);
	else
		err = not_mine(f, a.handle);
	mutex_unlock(&f->sim_lock);
	return err;
}

/* Submitting does not take axs.lock: it must not wait behind an unmap. */
static long sim_ioctl_submit(struct axs_file *f, void __user *argp)
{
	struct amdxsched_sim_submit a;
	struct axs_sim_kernel *k;
	struct sim_gpu *sg;
	struct sim_q *sq;
	int err;

	err = axs_args_inout(&a, sizeof(a), AMDXSCHED_SIM_SUBMIT_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	k = kmem_cache_zalloc(kernel_cache, GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	k->grid = a.grid;
	k->wg_ns = a.wg_ns;
	k->footprint = a.wg_footprint;

	mutex_lock(&f->sim_lock);
	sq = sim_q_find(f, a.handle);
	if (sq) {
		sg = sq->sg;
		sim_enter(sg);
		err = axs_sim_enqueue(sg->m, &sq->mq, k, ktime_get_ns());
		a.dispatch_id = k->id;	/* k belongs to the model once unlocked */
		sim_leave(sg);
	}
	mutex_unlock(&f->sim_lock);
	if (!sq)
		err = not_mine(f, a.handle);
	if (err) {
		kmem_cache_free(kernel_cache, k);
		return err;
	}
	return axs_args_out(argp, &a, sizeof(a));
}

/* Has dispatch @id finished, or will it never? */
static bool sim_settled(struct sim_q *sq, u64 id)
{
	bool done;

	spin_lock_bh(&sq->sg->lock);
	done = sq->dead || sq->mq.done_id >= id;
	spin_unlock_bh(&sq->sg->lock);
	return done;
}

static long sim_ioctl_wait(struct axs_file *f, void __user *argp)
{
	const struct axs_sim_record *r;
	struct amdxsched_sim_wait a;
	struct sim_gpu *sg;
	struct sim_q *sq;
	int err;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_SIM_WAIT_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;

	mutex_lock(&f->sim_lock);
	sq = sim_q_find(f, a.handle);
	if (sq)
		kref_get(&sq->ref);
	mutex_unlock(&f->sim_lock);
	if (!sq)
		return not_mine(f, a.handle);
	sg = sq->sg;

	sim_enter(sg);
	if (!a.dispatch_id || a.dispatch_id > sq->mq.next_id)
		err = -EINVAL;
	sim_leave(sg);
	if (!err && a.timeout_ns)
		err = wait_event_interruptible_hrtimeout(sg->done_wait,
							 sim_settled(sq, a.dispatch_id),
							 ns_to_ktime(min_t(u64, a.timeout_ns,
									   KTIME_MAX)));
	if (err == -ETIME)
		err = 0;	/* decided below, like a zero timeout */
	if (!err) {
		sim_enter(sg);
		r = axs_sim_record(&sq->mq, a.dispatch_id);
		if (sq->mq.done_id < a.dispatch_id) {
			err = sq->dead ? -ENOENT : -ETIMEDOUT;
		} else if (!r) {
			err = -ENODATA;	/* finished, but too long ago to remember */
		} else {
			a.submit_ns = r->submit_ns;
			a.start_ns = r->start_ns;
			a.end_ns = r->end_ns;
		}
		sim_leave(sg);
	}
	kref_put(&sq->ref, sim_q_release);
	if (err)
		return err;
	return axs_args_out(argp, &a, sizeof(a));
}

bool axs_sim_enabled(void)
{
	return sim_enabled;
}

long axs_sim_ioctl(struct axs_file *f, unsigned int cmd, void __user *argp)
{
	if (!sim_enabled)
		return -ENODEV;
	switch (cmd) {
	case AMDXSCHED_IOC_SIM_ADD_GPU:
		return sim_ioctl_add_gpu(f, argp);
	case AMDXSCHED_IOC_SIM_PROC:
		return sim_ioctl_proc(f, argp);
	case AMDXSCHED_IOC_SIM_QUEUE_CREATE:
		return sim_ioctl_queue_create(f, argp);
	case AMDXSCHED_IOC_SIM_QUEUE_DESTROY:
		return sim_ioctl_queue_destroy(f, argp);
	case AMDXSCHED_IOC_SIM_SUBMIT:
		return sim_ioctl_submit(f, argp);
	case AMDXSCHED_IOC_SIM_WAIT:
		return sim_ioctl_wait(f, argp);
	default:
		return -ENOTTY;
	}
}

void axs_sim_file_release(struct axs_file *f)
{
	mutex_lock(&f->sim_lock);
	if (f->sim_proc)
		sim_proc_destroy(f);
	mutex_unlock(&f->sim_lock);
}

void axs_sim_backend_info(struct amdxsched_backend_info *bi)
{
	struct axs_gpu *gpu;
	u32 n = 0;

	mutex_lock(&axs.lock);
	list_for_each_entry(gpu, &axs.gpus, node)
		n += gpu->backend == AMDXSCHED_BACKEND_SIM;
	mutex_unlock(&axs.lock);

	memset(bi->name, 0, sizeof(bi->name));
	strscpy(bi->name, "sim", sizeof(bi->name));
	memset(bi->detail, 0, sizeof(bi->detail));
	if (!sim_enabled) {
		bi->status = AMDXSCHED_BACKEND_ABSENT;
		bi->levels = 0;
		bi->caps = 0;
		bi->error = 0;
		bi->num_gpus = 0;
		strscpy(bi->detail, "off (load with sim_gpus=N for simulated GPUs)",
			sizeof(bi->detail));
		return;
	}
	bi->status = AMDXSCHED_BACKEND_RUNNING;
	bi->levels = BIT(AMDXSCHED_LEVEL_DEACTIVATE) | BIT(AMDXSCHED_LEVEL_INTERRUPT);
	bi->caps = AMDXSCHED_BCAP_PER_QUEUE | AMDXSCHED_BCAP_PRIORITY |
		   AMDXSCHED_BCAP_CU_MASK | AMDXSCHED_BCAP_BUSY_EVENTS;
	bi->error = 0;
	bi->num_gpus = n;
	snprintf(bi->detail, sizeof(bi->detail),
		 "simulated gfx942 (MI308X model), %u GPU(s)", n);
}

int axs_sim_init(unsigned int ngpus)
{
	struct axs_sim_params p;
	struct axs_topo t;
	unsigned int i;
	u32 id;
	int err;

	cohort_cache = KMEM_CACHE(axs_sim_cohort, 0);
	kernel_cache = KMEM_CACHE(axs_sim_kernel, SLAB_ACCOUNT);
	if (!cohort_cache || !kernel_cache) {
		err = -ENOMEM;
		goto err;
	}
	sim_debugfs = debugfs_create_dir("sim", axs.debugfs);
	sim_enabled = ngpus > 0;

	axs_topo_mi308x(&t);
	axs_sim_params_default(&p);
	for (i = 0; i < ngpus; i++) {
		err = sim_gpu_add(&t, &p, &id);
		if (err)
			goto err;
	}
	return 0;
err:
	axs_sim_fini();
	return err;
}

void axs_sim_fini(void)
{
	struct axs_gpu *gpu, *tmp;

	/* Every file is closed, so no simulated process or queue is left. */
	mutex_lock(&axs.lock);
	list_for_each_entry_safe(gpu, tmp, &axs.gpus, node) {
		struct sim_gpu *sg;

		if (gpu->backend != AMDXSCHED_BACKEND_SIM)
			continue;
		sg = to_sim_gpu(gpu);
		WARN_ON(gpu->nqueues);
		debugfs_remove_recursive(sg->dir);	/* waits for knob users */
		axs_gpu_remove(gpu);
		sim_gpu_destroy(sg);
	}
	mutex_unlock(&axs.lock);
	debugfs_remove_recursive(sim_debugfs);
	sim_debugfs = NULL;
	kmem_cache_destroy(kernel_cache);
	kmem_cache_destroy(cohort_cache);
	kernel_cache = NULL;
	cohort_cache = NULL;
}
