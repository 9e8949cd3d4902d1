// SPDX-License-Identifier: GPL-2.0-only
/*
 * Acting on queues: suspend and resume under leases, priority and CU masks,
 * lease expiry, and who may do what (Documentation/abi.rst, "Permissions").
 *
 * Every call checks all of its entries under axs.lock before it changes
 * anything; a bad entry fails the whole call with nothing changed. It then
 * acts one GPU at a time (core.h): under that GPU's op_lock it checks its
 * entries again, since a queue may have gone or changed hands meanwhile (the
 * entry then fails as if the backend had refused it), calls the backend
 * without axs.lock, and records the outcome under axs.lock. See each ioctl
 * for what a failure leaves behind.
 */
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/wait_bit.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "core.h"

struct axs_batch *axs_batch_alloc(u32 cap)
{
	struct axs_batch *b;
	size_t per = sizeof(u64) + sizeof(struct axs_gpu *) +
		     2 * sizeof(struct axs_queue *) + 2 * sizeof(int) + 3 * sizeof(u32);
	char *p;

	b = kvzalloc(sizeof(*b) + cap * per, GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	p = (char *)(b + 1);
	b->cap = cap;
	b->h = (u64 *)p;
	p += cap * sizeof(*b->h);
	b->g = (struct axs_gpu **)p;
	p += cap * sizeof(*b->g);
	b->q = (struct axs_queue **)p;
	p += cap * sizeof(*b->q);
	b->gq = (struct axs_queue **)p;
	p += cap * sizeof(*b->gq);
	b->status = (int *)p;
	p += cap * sizeof(*b->status);
	b->gst = (int *)p;
	p += cap * sizeof(*b->gst);
	b->val = (u32 *)p;
	p += cap * sizeof(*b->val);
	b->gval = (u32 *)p;
	p += cap * sizeof(*b->gval);
	b->idx = (u32 *)p;
	return b;
}

void axs_batch_free(struct axs_batch *b)
{
	kvfree(b);
}

/*
 * Killable: a caller killed while the GPU is busy leaves with nothing done.
 * Lease expiry goes first: while it waits for the lock, new callers wait
 * for it, so a stream of calls on one GPU cannot hold a lease's end back
 * by more than the calls already waiting.
 */
int axs_gpu_op_lock(struct axs_gpu *gpu)
{
	int err;

	err = wait_var_event_killable(&gpu->expire_waiting,
				      !atomic_read(&gpu->expire_waiting));
	return err ? err : mutex_lock_killable(&gpu->op_lock);
}

/* For expiry: take @gpu's op_lock ahead of callers not yet waiting for it. */
static void gpu_op_lock_first(struct axs_gpu *gpu)
{
	atomic_inc(&gpu->expire_waiting);
	mutex_lock(&gpu->op_lock);
	if (atomic_dec_and_test(&gpu->expire_waiting))
		wake_up_var(&gpu->expire_waiting);
}

void axs_gpu_op_unlock(struct axs_gpu *gpu)
{
	mutex_unlock(&gpu->op_lock);
}

#define OP_SUSPEND	1
#define OP_RESUME	2
#define OP_PRIORITY	3
#define OP_UNDO		4	/* resume what this call's lease holds */
#define OP_CU_MASK	5	/* in APPLY */

/* One call's kind and what its entries are checked against. */
struct batch_op {
	int kind;
	u32 level;			/* OP_SUSPEND */
	u32 flags;			/* OP_RESUME: AMDXSCHED_RESUME_FORCE */
	struct axs_file *f;
	struct axs_lease *lease;	/* OP_SUSPEND, OP_UNDO: this call's lease */
	u32 reason;			/* OP_RESUME, OP_UNDO: AMDXSCHED_RESUMED_* */
};

/* The caller may act on @q: control, or its own process. */
static bool may_act(const struct axs_file *f, const struct axs_queue *q)
{
	return f->control || axs_is_own(q->proc);
}

/*
 * May @f do @kind to @q, with @arg (level, resume flags or priority)? 0, or
 * the -errno every call that does it gives. axs.lock
 */
static int queue_op_check(const struct axs_file *f, int kind, u32 arg,
			  const struct axs_queue *q)
{
	lockdep_assert_held(&axs.lock);
	switch (kind) {
	case OP_SUSPEND:
		if (!may_act(f, q))
			return -EPERM;
		if (!(q->gpu->levels & BIT(arg)))
			return -EOPNOTSUPP;
		if (q->lease)
			return q->lease->owner == f ? -EALREADY : -EBUSY;
		return 0;
	case OP_RESUME:
		/* not suspended, or not yet: its SUSPEND call is still running */
		if (!q->lease || q->lease->building)
			return -EALREADY;
		if (q->lease->owner != f && !(arg & AMDXSCHED_RESUME_FORCE))
			return -EBUSY;
		if (q->lease->owner != f && !f->control)
			return -EPERM;
		return 0;
	case OP_PRIORITY:
		if (!may_act(f, q) || (!f->control && arg > q->priority))
			return -EPERM;	/* only lowering your own */
		return q->gpu->ops->set_priority ? 0 : -EOPNOTSUPP;
	case OP_CU_MASK:
		if (!may_act(f, q))
			return -EPERM;
		return q->gpu->ops->set_cu_mask ? 0 : -EOPNOTSUPP;
	}
	return -EINVAL;
}

/* May entry @i (queue @q) of @b go ahead? 0, or its -errno. axs.lock */
static int entry_check(const struct batch_op *op, const struct axs_batch *b, u32 i,
		       const struct axs_queue *q)
{
	switch (op->kind) {
	case OP_SUSPEND:
		return queue_op_check(op->f, OP_SUSPEND, op->level, q);
	case OP_RESUME:
		return queue_op_check(op->f, OP_RESUME, op->flags, q);
	case OP_PRIORITY:
		if (b->val[i] > AMDXSCHED_PRIORITY_MAX)
			return -EINVAL;
		return queue_op_check(op->f, OP_PRIORITY, b->val[i], q);
	case OP_UNDO:
		return q->lease == op->lease ? 0 : -EALREADY;
	}
	return -EINVAL;
}

/*
 * Has the call numbered @call named @q for @op already? Records that it has
 * now. O(1): the queue remembers the last call that checked it. axs.lock
 */
static bool seen_for(struct axs_queue *q, u64 call, u32 op)
{
	bool seen;

	lockdep_assert_held(&axs.lock);
	if (q->seen_call != call) {
		q->seen_call = call;
		q->seen_ops = 0;
	}
	seen = q->seen_ops & BIT(op);
	q->seen_ops |= BIT(op);
	return seen;
}

/* Fail entry @i of @b with @e; keep the first error in @err. */
static void batch_fail(struct axs_batch *b, u32 i, int e, int *err)
{
	b->status[i] = e;
	b->q[i] = NULL;
	if (!*err)
		*err = e;
}

/*
 * Check every entry of @b before anything changes: -ENOENT if unknown or not
 * visible, -EINVAL if repeated, else what entry_check() says. Records each
 * entry's GPU. Returns the first error.
 */
static int batch_check(struct axs_batch *b, const struct batch_op *op)
{
	const struct axs_proc *seen = NULL;
	u64 call = ++axs.next_call;
	int err = 0;
	u32 i;

	lockdep_assert_held(&axs.lock);
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = axs_queue_lookup_next(op->f, b->h[i], &seen);
		int e;

		b->q[i] = NULL;
		if (!q) {
			batch_fail(b, i, -ENOENT, &err);
			continue;
		}
		b->g[i] = q->gpu;
		if (seen_for(q, call, 0)) {
			batch_fail(b, i, -EINVAL, &err);
			continue;
		}
		e = entry_check(op, b, i, q);
		if (e) {
			batch_fail(b, i, e, &err);
			continue;
		}
		b->q[i] = q;
	}
	return err;
}

/*
 * With @gpu's op_lock held: find @gpu's entries of @b that are NOT_DONE
 * again, check them again, and hand them to the backend in one call.
 * Entries that no longer pass fail with their -errno; with @all_or_nothing
 * the backend is then not called. Returns the first error.
 */
static int batch_gpu_run(struct axs_batch *b, const struct batch_op *op,
			 struct axs_gpu *gpu, bool all_or_nothing)
{
	u32 i, m = 0;
	int err = 0, berr = 0;

	lockdep_assert_held(&gpu->op_lock);
	mutex_lock(&axs.lock);
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q;
		int e;

		if (b->g[i] != gpu || b->status[i] != AMDXSCHED_STATUS_NOT_DONE)
			continue;
		q = xa_load(&axs.queues, b->h[i]);
		e = q ? entry_check(op, b, i, q) : -ENOENT;
		if (e) {
			batch_fail(b, i, e, &err);
			continue;
		}
		b->q[i] = q;
		if (op->kind == OP_PRIORITY && q->priority == b->val[i]) {
			b->status[i] = AMDXSCHED_STATUS_DONE;	/* unchanged: no remap */
			continue;
		}
		if (op->kind == OP_SUSPEND)
			atomic_set(&q->drain, 0);
		b->gq[m] = q;
		b->gval[m] = b->val[i];
		b->gst[m] = AMDXSCHED_STATUS_NOT_DONE;
		b->idx[m++] = i;
	}
	mutex_unlock(&axs.lock);
	if (!m || (err && all_or_nothing))
		return err;

	switch (op->kind) {
	case OP_SUSPEND:
		berr = gpu->ops->suspend(gpu, b->gq, m, op->level, b->gst);
		break;
	case OP_RESUME:
	case OP_UNDO:
		berr = gpu->ops->resume(gpu, b->gq, m, b->gst);
		break;
	case OP_PRIORITY:
		berr = gpu->ops->set_priority(gpu, b->gq, b->gval, m, b->gst);
		break;
	}
	for (i = 0; i < m; i++) {
		if (b->gst[i] == AXS_STATUS_UNKNOWN && !berr)
			berr = -EIO;	/* a backend that said too little */
		/*
		 * Only a suspension's caller sorts out what may have happened;
		 * for the rest an unknown outcome failed.
		 */
		if (b->gst[i] == AXS_STATUS_UNKNOWN && op->kind != OP_SUSPEND)
			b->gst[i] = berr;
		b->status[b->idx[i]] = b->gst[i];
	}
	return err ? err : berr;	/* an entry that went bad comes first */
}

/*
 * Arm the lease timer for the next thing the dispatcher must do: hand a
 * lease to its GPUs at its deadline, or say it is late AXS_RESUME_LATE_MS
 * after that. Leases still being built are armed when their call ends.
 */
static void lease_timer_arm(void)
{
	const u64 late = (u64)AXS_RESUME_LATE_MS * NSEC_PER_MSEC;
	u64 now = ktime_get_ns(), t = U64_MAX;
	struct axs_lease *l;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry(l, &axs.leases, dev_node) {
		if (l->building)
			continue;
		if (l->deadline_ns > now)
			t = min(t, l->deadline_ns);
		else if (!l->late)
			t = min(t, l->deadline_ns + late);
	}
	if (t == U64_MAX)
		hrtimer_try_to_cancel(&axs.lease_timer);
	else
		hrtimer_start(&axs.lease_timer, ns_to_ktime(t), HRTIMER_MODE_ABS);
}

/*
 * A lease whose file is gone keeps the module loaded until its queues are
 * resumed: unloading must resume every queue it suspended or be refused
 * (rmmod says "in use"), never leave one behind. The reference is dropped
 * under axs.lock with no op_lock held, from code that module exit waits
 * for (axs_control_stop()) before it goes on.
 */
static void lease_pin_module(struct axs_lease *l)
{
	if (l->pins_module)
		return;
	__module_get(THIS_MODULE);
	l->pins_module = true;
}

/* A lease that was never attached (NULL too): no lock needed. */
static void lease_discard(struct axs_lease *l)
{
	if (l && l->mm)
		mmput_async(l->mm);	/* never tears an address space down here */
	kfree(l);
}

static void lease_free(struct axs_lease *l)
{
	list_del(&l->dev_node);
	list_del(&l->file_node);
	if (l->pins_module)
		module_put(THIS_MODULE);
	lease_discard(l);
}

void axs_lease_put_if_empty(struct axs_lease *l)
{
	lockdep_assert_held(&axs.lock);
	if (list_empty(&l->queues) && !l->building)
		lease_free(l);
}

/* @q is no longer suspended, whatever ended it. The lease may now be empty. */
void axs_queue_unsuspend(struct axs_queue *q, u64 now)
{
	/* a suspension its call never announced was never counted */
	u64 d = q->lease->building ? 0 : now - q->suspended_at;

	lockdep_assert_held(&axs.lock);
	q->stats.suspended_ns += d;
	q->gpu->stats.suspended_ns += d;
	q->lease = NULL;
	q->level = 0;
	q->stuck = false;
	atomic_set(&q->drain, 0);
	list_del_init(&q->lease_node);
}

void axs_queue_drained(struct axs_queue *q, u64 t)
{
	if (atomic_fetch_or(AXS_DRAIN_DONE, &q->drain) & AXS_DRAIN_COMMITTED)
		axs_event_queue_at(q, AMDXSCHED_EVENT_QUEUE_DRAINED, t, 0, 0);
}

/* The suspension of @q is committed and announced: DRAINED may follow. */
static void drain_commit(struct axs_queue *q)
{
	if (atomic_fetch_or(AXS_DRAIN_COMMITTED, &q->drain) & AXS_DRAIN_DONE)
		axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_DRAINED, 0, 0);
}

/*
 * Account for @gpu's entries of @b that the backend resumed (DONE). With
 * @reason 0, each says how its lease ended: LEASE, or CLOSE if ownerless.
 * Leases this empties are freed, unless their call is still building them.
 */
/* Account for @q, which its backend resumed. Both locks held. */
static void resume_commit_one(struct axs_queue *q, u32 reason, u64 now)
{
	struct axs_lease *l = q->lease;

	if (WARN_ON_ONCE(!l))
		return;		/* only op_lock holders resume */
	q->stats.resumes++;
	q->gpu->stats.resumes++;
	axs_event_queue_at(q, AMDXSCHED_EVENT_QUEUE_RESUMED, now,
			   reason ? reason : l->owner ? AMDXSCHED_RESUMED_LEASE :
			   AMDXSCHED_RESUMED_CLOSE, l->id);
	axs_queue_unsuspend(q, now);
	axs_lease_put_if_empty(l);
}

static void resume_commit(struct axs_batch *b, struct axs_gpu *gpu, u32 reason)
{
	u64 now = ktime_get_ns();
	u32 i;

	lockdep_assert_held(&gpu->op_lock);
	lockdep_assert_held(&axs.lock);
	for (i = 0; i < b->n; i++)
		if (b->g[i] == gpu && b->status[i] == AMDXSCHED_STATUS_DONE && b->q[i])
			resume_commit_one(b->q[i], reason, now);
}

/*
 * Try @l again later: every AXS_LEASE_RETRY_MS for AXS_LEASE_RETRY_FAST
 * tries, then every AXS_LEASE_RETRY_SLOW_MS for as long as it takes (a GPU
 * reset can make a resume work again; giving up would leave the queue
 * suspended for good). When the fast tries are used up, its queues are
 * marked stuck (AMDXSCHED_QUEUE_S_STUCK) and RESUME_FAILING says so, once.
 */
static void lease_retry_later(struct axs_lease *l, int err, u64 now)
{
	struct axs_queue *q;

	if (++l->retries == AXS_LEASE_RETRY_FAST) {
		list_for_each_entry(q, &l->queues, lease_node) {
			q->stuck = true;
			axs_event_queue(q, AMDXSCHED_EVENT_RESUME_FAILING, -err, l->id);
			pr_warn_ratelimited("queue %llu of pid %d: resume failing (%d) for %u tries; retrying every %u ms\n",
					    q->handle, pid_nr(q->proc->pid), err, l->retries,
					    AXS_LEASE_RETRY_SLOW_MS);
		}
	}
	l->deadline_ns = now + (u64)(l->retries < AXS_LEASE_RETRY_FAST ?
				     AXS_LEASE_RETRY_MS : AXS_LEASE_RETRY_SLOW_MS) * NSEC_PER_MSEC;
	l->late = false;
}

/*
 * A debugger holds the process (amdkfd's debug trap): its queues' state is
 * the debugger's, which may have suspended them too; resuming behind it
 * would fight it. Look again every AXS_LEASE_RETRY_SLOW_MS, without
 * counting a failure: when the debugger detaches, amdkfd resumes every
 * queue of the process (reconciled as RESUMED_OUTSIDE), or, if it did not,
 * the next try resumes ours.
 */
static void lease_wait_for_debugger(struct axs_lease *l, struct axs_gpu *gpu, u64 now)
{
	gpu->debugger_waits++;
	l->deadline_ns = now + (u64)AXS_LEASE_RETRY_SLOW_MS * NSEC_PER_MSEC;
	l->late = false;
}

/*
 * Resume every queue of @gpu whose lease is due, in rounds of up to
 * AMDXSCHED_MAX_BATCH queues, without allocating. What fails stays under
 * its lease, which is tried again later. @gpu's op_lock held.
 */
static void gpu_expire(struct axs_gpu *gpu)
{
	struct axs_batch *b = gpu->expire;
	struct axs_lease *l;
	struct axs_queue *q;
	bool full;
	u64 now, pass;
	u32 i;
	int err;

	lockdep_assert_held(&gpu->op_lock);
	do {
		mutex_lock(&axs.lock);
		now = ktime_get_ns();
		pass = ++axs.expire_pass;
		b->n = 0;
		list_for_each_entry(l, &axs.leases, dev_node) {
			if (l->building || l->deadline_ns > now ||
			    !(l->gpus & BIT_ULL(gpu->id)))
				continue;
			if (!l->expired) {
				l->expired = true;
				list_for_each_entry(q, &l->queues, lease_node) {
					q->stats.lease_expiries++;
					q->gpu->stats.lease_expiries++;
					axs_event_queue(q, AMDXSCHED_EVENT_LEASE_EXPIRED, l->id, 0);
				}
			}
			list_for_each_entry(q, &l->queues, lease_node) {
				if (q->gpu != gpu)
					continue;
				if (b->n == b->cap)
					break;
				b->h[b->n] = q->handle;
				b->g[b->n] = gpu;
				b->q[b->n] = q;
				b->status[b->n] = AMDXSCHED_STATUS_NOT_DONE;
				b->n++;
			}
		}
		mutex_unlock(&axs.lock);
		if (!b->n)
			break;

		err = gpu->ops->resume(gpu, b->q, b->n, b->status);

		mutex_lock(&axs.lock);
		now = ktime_get_ns();
		for (i = 0; i < b->n; i++) {
			if (b->status[i] == AXS_STATUS_UNKNOWN)
				b->status[i] = err ? err : -EIO;
			if (b->status[i] == AMDXSCHED_STATUS_DONE)
				continue;
			l = b->q[i]->lease;
			if (l->retry_pass == pass)
				continue;
			l->retry_pass = pass;
			if (b->status[i] == -EBUSY && READ_ONCE(b->q[i]->proc->debugged))
				lease_wait_for_debugger(l, gpu, now);
			else
				lease_retry_later(l, b->status[i] < 0 ? b->status[i] : -EIO, now);
		}
		resume_commit(b, gpu, 0);
		full = b->n == b->cap;
		lease_timer_arm();
		mutex_unlock(&axs.lock);
	} while (full);
}

/* Resume @gpu's due leases, waiting only for this GPU's calls in progress. */
static void gpu_expire_now(struct axs_gpu *gpu)
{
	gpu_op_lock_first(gpu);
	gpu_expire(gpu);
	mutex_unlock(&gpu->op_lock);
}

static void gpu_expire_fn(struct work_struct *work)
{
	/* the dispatcher watches for it being late */
	gpu_expire_now(container_of(work, struct axs_gpu, expire_work));
}

void axs_gpu_expire_init(struct axs_gpu *gpu)
{
	INIT_WORK(&gpu->expire_work, gpu_expire_fn);
}

/*
 * The dispatcher, at lease deadlines: hands each due lease to the workers
 * of its GPUs, and when one has not been acted on AXS_RESUME_LATE_MS after
 * its deadline (the GPU's call in progress has not ended: amdkfd is slow or
 * stuck), says so once per GPU and deadline with RESUME_LATE and counts it.
 * It never waits for a GPU.
 */
static void lease_work_fn(struct work_struct *work)
{
	const u64 late = (u64)AXS_RESUME_LATE_MS * NSEC_PER_MSEC;
	struct axs_gpu *gpu;
	struct axs_lease *l;
	struct axs_queue *q;
	u64 now, on;

	mutex_lock(&axs.lock);
	now = ktime_get_ns();
	list_for_each_entry(l, &axs.leases, dev_node) {
		if (l->building || l->deadline_ns > now)
			continue;
		list_for_each_entry(gpu, &axs.gpus, node)
			if (l->gpus & BIT_ULL(gpu->id))
				queue_work(axs.wq, &gpu->expire_work);
		if (l->late || now < l->deadline_ns + late)
			continue;
		l->late = true;
		on = 0;
		list_for_each_entry(q, &l->queues, lease_node)
			on |= BIT_ULL(q->gpu->id);
		list_for_each_entry(gpu, &axs.gpus, node) {
			if (!(on & BIT_ULL(gpu->id)))
				continue;
			gpu->late_resumes++;
			axs_event_gpu(gpu, AMDXSCHED_EVENT_RESUME_LATE,
				      now - l->deadline_ns, l->id);
			pr_warn_ratelimited("GPU %u: lease %llu is %llu ms past its deadline and not resumed yet: the GPU's call in progress has not ended\n",
					    gpu->id, l->id,
					    div_u64(now - l->deadline_ns, NSEC_PER_MSEC));
		}
	}
	lease_timer_arm();
	mutex_unlock(&axs.lock);
}

/*
 * Someone else can resume a queue the module suspended: on amdkfd, a
 * debugger (DBG_TRAP_RESUME_QUEUES, or its detach, which resumes every
 * queue of its target). The module does not suspend it again behind that
 * someone's back: the queue leaves its lease with QUEUE_RESUMED(OUTSIDE),
 * counted in outside_resumes. @gpu's op_lock held, so no call of ours is
 * changing these queues or their leases.
 */
static void gpu_reconcile(struct axs_gpu *gpu)
{
	struct axs_batch *b = gpu->expire;
	struct axs_lease *l;
	struct axs_queue *q;
	u64 now;
	u32 i;

	lockdep_assert_held(&gpu->op_lock);
	mutex_lock(&axs.lock);
	b->n = 0;
	list_for_each_entry(l, &axs.leases, dev_node) {
		/* a call building its lease acts on amdkfd's state right now */
		if (l->building || !(l->gpus & BIT_ULL(gpu->id)))
			continue;
		list_for_each_entry(q, &l->queues, lease_node) {
			if (q->gpu != gpu || b->n == b->cap)
				continue;
			b->q[b->n] = q;
			b->status[b->n] = 1;
			b->n++;
		}
	}
	mutex_unlock(&axs.lock);
	if (!b->n)
		return;
	gpu->ops->still_suspended(gpu, b->q, b->n, b->status);
	mutex_lock(&axs.lock);
	now = ktime_get_ns();
	for (i = 0; i < b->n; i++) {
		if (b->status[i])
			continue;
		gpu->outside_resumes++;
		resume_commit_one(b->q[i], AMDXSCHED_RESUMED_OUTSIDE, now);
	}
	mutex_unlock(&axs.lock);
}

/*
 * Every AXS_RECONCILE_MS: each GPU whose backend can tell, unless a call
 * holds it (never waited for: a GPU stuck in amdkfd holds up nothing).
 */
static void reconcile_fn(struct work_struct *work)
{
	struct axs_gpu *gpus[AXS_MAX_GPUS], *gpu;
	u32 n = 0, i;

	mutex_lock(&axs.lock);
	list_for_each_entry(gpu, &axs.gpus, node)
		if (gpu->ops->still_suspended && n < AXS_MAX_GPUS)
			gpus[n++] = gpu;
	mutex_unlock(&axs.lock);
	/* GPUs go only at unload, after this work is cancelled */
	for (i = 0; i < n; i++) {
		if (!mutex_trylock(&gpus[i]->op_lock))
			continue;
		gpu_reconcile(gpus[i]);
		mutex_unlock(&gpus[i]->op_lock);
	}
	queue_delayed_work(axs.wq, &axs.reconcile_work, msecs_to_jiffies(AXS_RECONCILE_MS));
}

static enum hrtimer_restart lease_timer_fn(struct hrtimer *t)
{
	schedule_work(&axs.lease_work);
	return HRTIMER_NORESTART;
}

int axs_control_init(void)
{
	/* unbound, one work per GPU: a GPU stuck in amdkfd holds up only itself */
	axs.wq = alloc_workqueue("amdxsched_expire", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!axs.wq)
		return -ENOMEM;
	axs_hrtimer_setup(&axs.lease_timer, lease_timer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_ABS);
	INIT_WORK(&axs.lease_work, lease_work_fn);
	INIT_DELAYED_WORK(&axs.reconcile_work, reconcile_fn);
	queue_delayed_work(axs.wq, &axs.reconcile_work, msecs_to_jiffies(AXS_RECONCILE_MS));
	return 0;
}

/*
 * Module exit, every file closed and no lease left (one would pin the
 * module): stop the timer and every worker before the backends go.
 */
void axs_control_stop(void)
{
	struct axs_gpu *gpu;

	hrtimer_cancel(&axs.lease_timer);
	cancel_work_sync(&axs.lease_work);
	cancel_delayed_work_sync(&axs.reconcile_work);
	/* GPUs come and go only at load and unload: the list is stable here */
	list_for_each_entry(gpu, &axs.gpus, node)
		cancel_work_sync(&gpu->expire_work);
	hrtimer_cancel(&axs.lease_timer);
}

void axs_control_fini(void)
{
	struct axs_lease *l, *tmp;

	axs_control_stop();
	/*
	 * Every file is closed and no lease pins the module: there is none
	 * left (each resumed its queues), except after a failed load.
	 */
	mutex_lock(&axs.lock);
	list_for_each_entry_safe(l, tmp, &axs.leases, dev_node) {
		WARN_ON(!list_empty(&l->queues));
		lease_free(l);
	}
	mutex_unlock(&axs.lock);
	destroy_workqueue(axs.wq);
	axs.wq = NULL;
}

/*
 * Closing a file ends its suspensions: its leases become ownerless and due
 * now, and the expiry of each of their GPUs runs here, so that the queues
 * run again when close() returns, unless a GPU fails to resume them: those
 * stay under their lease, retried, and keep the module loaded.
 */
void axs_control_file_release(struct axs_file *f)
{
	struct axs_lease *l, *tmp;
	struct axs_gpu *gpu;
	u64 gpus = 0, now;
	u32 id;

	mutex_lock(&axs.lock);
	now = ktime_get_ns();
	list_for_each_entry_safe(l, tmp, &f->leases, file_node) {
		l->owner = NULL;
		l->expired = true;	/* resumed for the close, not expired */
		l->deadline_ns = now;
		l->late = false;
		lease_pin_module(l);
		list_del_init(&l->file_node);
		gpus |= l->gpus;
	}
	mutex_unlock(&axs.lock);

	for (id = 0; gpus; id++) {
		if (!(gpus & BIT_ULL(id)))
			continue;
		gpus &= ~BIT_ULL(id);
		mutex_lock(&axs.lock);
		gpu = axs_gpu_find(id);	/* GPUs are removed only at unload */
		mutex_unlock(&axs.lock);
		if (gpu)
			gpu_expire_now(gpu);
	}
	mutex_lock(&axs.lock);
	lease_timer_arm();
	mutex_unlock(&axs.lock);
}

/*
 * Every state change remaps the GPU and so preempts every tenant of it: a
 * file without control may make AXS_UNPRIV_CHANGES_PER_S calls that change
 * queues a second on average, in bursts of as many (EAGAIN beyond, with
 * nothing changed). Files with control are not limited. GCRA: change_tat
 * is when the next call would be on time, in ns.
 */
static int change_allowed(struct axs_file *f)
{
	const s64 t = NSEC_PER_SEC / AXS_UNPRIV_CHANGES_PER_S;
	s64 now, tat, next;

	if (f->control)
		return 0;
	now = ktime_get_ns();
	tat = atomic64_read(&f->change_tat);
	do {
		next = max(tat, now) + t;
		if (next > now + NSEC_PER_SEC)
			return -EAGAIN;
	} while (!atomic64_try_cmpxchg(&f->change_tat, &tat, next));
	return 0;
}

/*
 * Copy @count handles in and make a batch for them. A status array we could
 * not write would leave the caller blind, so it is checked before anything.
 */
static int batch_in(u64 uhandles, u64 ustatus, u32 count, struct axs_batch **bp)
{
	struct axs_batch *b;
	u32 i;

	if (!count)
		return -EINVAL;
	if (count > AMDXSCHED_MAX_BATCH)
		return -E2BIG;
	if (ustatus && clear_user(u64_to_user_ptr(ustatus), count * sizeof(s32)))
		return -EFAULT;
	b = axs_batch_alloc(count);
	if (!b)
		return -ENOMEM;
	if (copy_from_user(b->h, u64_to_user_ptr(uhandles), count * sizeof(*b->h))) {
		axs_batch_free(b);
		return -EFAULT;
	}
	b->n = count;
	for (i = 0; i < count; i++) {
		b->q[i] = NULL;
		b->status[i] = AMDXSCHED_STATUS_NOT_DONE;
		b->val[i] = 0;
	}
	*bp = b;
	return 0;
}

static int status_out(u64 ustatus, const struct axs_batch *b)
{
	if (ustatus && copy_to_user(u64_to_user_ptr(ustatus), b->status,
				    b->n * sizeof(*b->status)))
		return -EFAULT;
	return 0;
}

/* Record what @op did on @gpu's entries of @b. Both locks held. */
static void batch_commit(struct axs_batch *b, const struct batch_op *op,
			 struct axs_gpu *gpu)
{
	u32 i;

	switch (op->kind) {
	case OP_RESUME:
		resume_commit(b, gpu, op->reason);
		break;
	case OP_UNDO:
		/* never announced (suspend_announce()): nor is its end */
		for (i = 0; i < b->n; i++)
			if (b->g[i] == gpu && b->status[i] == AMDXSCHED_STATUS_DONE && b->q[i])
				axs_queue_unsuspend(b->q[i], ktime_get_ns());
		break;
	case OP_PRIORITY:
		for (i = 0; i < b->n; i++) {
			struct axs_queue *q = b->q[i];

			if (b->g[i] != gpu || b->status[i] != AMDXSCHED_STATUS_DONE ||
			    !q || q->priority == b->val[i])
				continue;
			axs_queue_priority_set(q, b->val[i]);
		}
		break;
	}
}

/*
 * Run @op (not a suspension) on every GPU of @b, one at a time, each entry
 * on its own: a failure leaves the others done. Returns the first error.
 */
static int batch_act(struct axs_batch *b, const struct batch_op *op)
{
	u64 seen = 0;
	int first = 0, err;
	u32 i;

	for (i = 0; i < b->n; i++) {
		struct axs_gpu *gpu = b->g[i];

		if (b->status[i] != AMDXSCHED_STATUS_NOT_DONE || (seen & BIT_ULL(gpu->id)))
			continue;
		seen |= BIT_ULL(gpu->id);
		err = axs_gpu_op_lock(gpu);
		if (!err) {
			err = batch_gpu_run(b, op, gpu, false);
			mutex_lock(&axs.lock);
			batch_commit(b, op, gpu);
			mutex_unlock(&axs.lock);
			axs_gpu_op_unlock(gpu);
		}
		if (err && !first)
			first = err;
	}
	return first;
}

static struct axs_lease *lease_alloc(void)
{
	struct axs_lease *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return NULL;
	INIT_LIST_HEAD(&l->queues);
	INIT_LIST_HEAD(&l->file_node);
	INIT_LIST_HEAD(&l->dev_node);
	/* an ioctl: current is the process asking for the suspension */
	if (current->mm && !(current->flags & PF_KTHREAD)) {
		l->mm = current->mm;
		mmget(l->mm);
	}
	return l;
}

/*
 * Put back what a failed suspend did on @gpu, or may have done
 * (AXS_STATUS_UNKNOWN), before anything of it is recorded; @gpu's op_lock
 * held. What is resumed again ends NOT_DONE (it was done) or @err (its state
 * was unknown); what cannot be resumed ends DONE, to stay under the lease.
 */
static void suspend_undo(struct axs_batch *b, struct axs_batch *undo, int err,
			 struct axs_gpu *gpu)
{
	u32 i, j;

	undo->n = 0;
	for (i = 0; i < b->n; i++) {
		if (b->g[i] != gpu || (b->status[i] != AMDXSCHED_STATUS_DONE &&
				       b->status[i] != AXS_STATUS_UNKNOWN))
			continue;
		undo->q[undo->n] = b->q[i];
		undo->status[undo->n] = AMDXSCHED_STATUS_NOT_DONE;
		undo->val[undo->n] = i;
		undo->n++;
	}
	if (undo->n)
		gpu->ops->resume(gpu, undo->q, undo->n, undo->status);
	for (j = 0; j < undo->n; j++) {
		i = undo->val[j];
		if (undo->status[j] != AMDXSCHED_STATUS_DONE)
			b->status[i] = AMDXSCHED_STATUS_DONE;
		else if (b->status[i] == AXS_STATUS_UNKNOWN)
			b->status[i] = err;
		else
			b->status[i] = AMDXSCHED_STATUS_NOT_DONE;
	}
}

/* Put @q under @l, which gets its id and deadline with its first queue. */
static void suspend_attach_one(struct axs_queue *q, struct axs_lease *l,
			       struct axs_file *f, u32 level, u32 lease_ms, u64 now)
{
	if (!l->id) {
		l->id = axs.next_lease++;
		l->owner = f;
		l->deadline_ns = now + (u64)lease_ms * NSEC_PER_MSEC;
		list_add_tail(&l->file_node, &f->leases);
		list_add_tail(&l->dev_node, &axs.leases);
	}
	l->gpus |= BIT_ULL(q->gpu->id);
	q->lease = l;
	q->level = level;
	q->suspended_at = now;
	list_add_tail(&q->lease_node, &l->queues);
}

/*
 * Count and announce the suspension of @q. Its time suspended counts from
 * here, as the event says. axs.lock held.
 */
static void suspend_announce_one(struct axs_queue *q, u32 level, u64 now)
{
	q->suspended_at = now;
	q->stats.suspends++;
	q->gpu->stats.suspends++;
	axs_event_queue_at(q, AMDXSCHED_EVENT_QUEUE_SUSPENDED, now, level, q->lease->id);
	if (level == AMDXSCHED_LEVEL_DEACTIVATE)
		drain_commit(q);
}

/*
 * Put @gpu's suspended entries of @b under @l, which is still being built:
 * nobody else resumes them (EBUSY) and expiry leaves them alone until the
 * call ends. Both locks held.
 */
static void suspend_attach(struct axs_batch *b, struct axs_gpu *gpu,
			   struct axs_lease *l, struct axs_file *f, u32 level, u32 lease_ms)
{
	u64 now = ktime_get_ns();
	u32 i;

	for (i = 0; i < b->n; i++)
		if (b->g[i] == gpu && b->status[i] == AMDXSCHED_STATUS_DONE)
			suspend_attach_one(b->q[i], l, f, level, lease_ms, now);
}

/*
 * The call is over: count and announce what it leaves suspended under @l.
 * What it suspended and undid again was never announced. axs.lock held.
 */
static void suspend_announce(struct axs_batch *b, struct axs_lease *l, u32 level)
{
	u64 now = ktime_get_ns();
	u32 i;

	for (i = 0; i < b->n; i++) {
		struct axs_queue *q;

		if (b->status[i] != AMDXSCHED_STATUS_DONE)
			continue;
		q = xa_load(&axs.queues, b->h[i]);
		if (!q || q->lease != l)
			continue;	/* destroyed meanwhile */
		suspend_announce_one(q, level, now);
	}
}

/*
 * A suspension failed on a GPU after others took theirs: resume those
 * (@earlier, BIT(gpu id)) again, silently, as nothing was announced yet.
 * What resumes ends NOT_DONE; what does not stays DONE, under the lease.
 */
static void suspend_undo_earlier(struct axs_batch *b, struct axs_batch *undo,
				 struct axs_lease *l, struct axs_file *f, u64 earlier)
{
	struct batch_op op = { .kind = OP_UNDO, .f = f, .lease = l,
			       .reason = AMDXSCHED_RESUMED_IOCTL };
	u32 i, j;

	undo->n = 0;
	for (i = 0; i < b->n; i++) {
		if (b->status[i] != AMDXSCHED_STATUS_DONE ||
		    !(earlier & BIT_ULL(b->g[i]->id)))
			continue;
		undo->h[undo->n] = b->h[i];
		undo->g[undo->n] = b->g[i];
		undo->q[undo->n] = NULL;
		undo->status[undo->n] = AMDXSCHED_STATUS_NOT_DONE;
		undo->val[undo->n] = i;
		undo->n++;
	}
	batch_act(undo, &op);
	for (j = 0; j < undo->n; j++)
		if (undo->status[j] == AMDXSCHED_STATUS_DONE ||
		    undo->status[j] == -ENOENT)		/* destroyed meanwhile */
			b->status[undo->val[j]] = AMDXSCHED_STATUS_NOT_DONE;
}

long axs_ioctl_suspend(struct axs_file *f, void __user *argp)
{
	struct axs_batch *b = NULL, *undo = NULL;
	struct batch_op op = { .kind = OP_SUSPEND, .f = f };
	struct amdxsched_suspend a;
	struct axs_lease *lease;
	u64 seen = 0;
	int err, cerr;
	u32 i;

	err = axs_args_inout(&a, sizeof(a), AMDXSCHED_SUSPEND_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || a.pad || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (a.level != AMDXSCHED_LEVEL_DEACTIVATE &&
	    a.level != AMDXSCHED_LEVEL_INTERRUPT)
		return -EINVAL;
	if (!a.lease_ms || a.lease_ms > axs_max_lease_ms)
		return -EINVAL;
	err = change_allowed(f);
	if (err)
		return err;
	a.lease_id = 0;
	op.level = a.level;
	err = batch_in(a.handles, a.status, a.count, &b);
	if (err)
		return err;
	lease = lease_alloc();
	undo = axs_batch_alloc(a.count);
	if (!lease || !undo) {
		err = -ENOMEM;
		goto out_free;
	}
	op.lease = lease;

	mutex_lock(&axs.lock);
	err = batch_check(b, &op);
	lease->building = true;
	mutex_unlock(&axs.lock);
	if (err)
		goto out;

	/* One GPU at a time; the first failure stops the call and is undone. */
	for (i = 0; i < b->n; i++) {
		struct axs_gpu *gpu = b->g[i];

		if (seen & BIT_ULL(gpu->id))
			continue;
		err = axs_gpu_op_lock(gpu);
		if (err)
			break;
		err = batch_gpu_run(b, &op, gpu, true);
		if (err)
			suspend_undo(b, undo, err, gpu);
		mutex_lock(&axs.lock);
		suspend_attach(b, gpu, lease, f, a.level, a.lease_ms);
		mutex_unlock(&axs.lock);
		axs_gpu_op_unlock(gpu);
		if (err)
			break;
		seen |= BIT_ULL(gpu->id);
	}
	if (err && seen)
		suspend_undo_earlier(b, undo, lease, f, seen);

out:
	mutex_lock(&axs.lock);
	lease->building = false;
	if (lease->id) {
		suspend_announce(b, lease, a.level);
		/*
		 * Entries DONE name this lease even if their queues were
		 * destroyed meanwhile and it already ended: a caller holding
		 * a lease id renews it and learns from ENOENT that it is gone.
		 */
		for (i = 0; i < b->n && b->status[i] != AMDXSCHED_STATUS_DONE; i++)
			;
		if (i < b->n)
			a.lease_id = lease->id;
		if (list_empty(&lease->queues))
			lease_free(lease);
		else
			lease_timer_arm();
		lease = NULL;
	}
	mutex_unlock(&axs.lock);
	cerr = status_out(a.status, b);
	if (!cerr)
		cerr = axs_args_out(argp, &a, sizeof(a));
	if (!err)
		err = cerr;
out_free:
	lease_discard(lease);
	axs_batch_free(undo);
	axs_batch_free(b);
	return err;
}

long axs_ioctl_resume(struct axs_file *f, void __user *argp)
{
	struct batch_op op = { .kind = OP_RESUME, .f = f, .reason = AMDXSCHED_RESUMED_IOCTL };
	struct amdxsched_resume a;
	struct axs_batch *b;
	int err, cerr;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_RESUME_SIZE_VER0, argp);
	if (err)
		return err;
	if ((a.flags & ~AMDXSCHED_RESUME_FORCE) || a.pad ||
	    !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	err = change_allowed(f);
	if (err)
		return err;
	op.flags = a.flags;
	err = batch_in(a.handles, a.status, a.count, &b);
	if (err)
		return err;

	mutex_lock(&axs.lock);
	err = batch_check(b, &op);
	mutex_unlock(&axs.lock);
	if (!err)
		err = batch_act(b, &op);
	mutex_lock(&axs.lock);
	lease_timer_arm();
	mutex_unlock(&axs.lock);
	cerr = status_out(a.status, b);
	if (!err)
		err = cerr;
	axs_batch_free(b);
	return err;
}

long axs_ioctl_lease_renew(struct axs_file *f, void __user *argp)
{
	struct amdxsched_lease_renew a;
	struct axs_lease *l;
	int err = -ENOENT;

	err = axs_args_inout(&a, sizeof(a), AMDXSCHED_LEASE_RENEW_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || a.pad || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (!a.lease_ms || a.lease_ms > axs_max_lease_ms)
		return -EINVAL;

	err = -ENOENT;
	mutex_lock(&axs.lock);
	list_for_each_entry(l, &f->leases, file_node) {
		if (l->id != a.lease_id || l->expired || l->building)
			continue;
		l->deadline_ns = ktime_get_ns() + (u64)a.lease_ms * NSEC_PER_MSEC;
		l->late = false;
		a.deadline_ns = l->deadline_ns;
		lease_timer_arm();
		err = 0;
		break;
	}
	mutex_unlock(&axs.lock);
	if (err)
		return err;
	return axs_args_out(argp, &a, sizeof(a));
}

long axs_ioctl_set_priority(struct axs_file *f, void __user *argp)
{
	struct batch_op op = { .kind = OP_PRIORITY, .f = f };
	struct amdxsched_priority_entry *e;
	struct amdxsched_set_priority a;
	struct axs_batch *b;
	size_t bytes;
	int err, cerr;
	u32 i;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_SET_PRIORITY_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || a.pad || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (!a.count)
		return -EINVAL;
	if (a.count > AMDXSCHED_MAX_BATCH)
		return -E2BIG;
	err = change_allowed(f);
	if (err)
		return err;
	bytes = a.count * sizeof(*e);
	e = memdup_user(u64_to_user_ptr(a.entries), bytes);
	if (IS_ERR(e))
		return PTR_ERR(e);
	/* Statuses go back into the entries: make sure they can, before acting. */
	if (copy_to_user(u64_to_user_ptr(a.entries), e, bytes)) {
		kfree(e);
		return -EFAULT;
	}
	b = axs_batch_alloc(a.count);
	if (!b) {
		kfree(e);
		return -ENOMEM;
	}
	b->n = a.count;
	for (i = 0; i < b->n; i++) {
		b->h[i] = e[i].handle;
		b->val[i] = e[i].priority;
		b->status[i] = AMDXSCHED_STATUS_NOT_DONE;
	}

	mutex_lock(&axs.lock);
	err = batch_check(b, &op);
	mutex_unlock(&axs.lock);
	if (!err)
		err = batch_act(b, &op);
	for (i = 0; i < b->n; i++)
		e[i].status = b->status[i];
	cerr = copy_to_user(u64_to_user_ptr(a.entries), e, bytes) ? -EFAULT : 0;
	if (!err)
		err = cerr;
	axs_batch_free(b);
	kfree(e);
	return err;
}

/* The queue of @handle, if the caller may set its CU mask; or an ERR_PTR. */
static struct axs_queue *cu_mask_target(struct axs_file *f, u64 handle)
{
	struct axs_queue *q;
	int err;

	lockdep_assert_held(&axs.lock);
	q = axs_queue_lookup(f, handle);
	if (!q)
		return ERR_PTR(-ENOENT);
	err = queue_op_check(f, OP_CU_MASK, 0, q);
	return err ? ERR_PTR(err) : q;
}

long axs_ioctl_set_cu_mask(struct axs_file *f, void __user *argp)
{
	struct amdxsched_set_cu_mask a;
	struct axs_cu_set cus;
	struct axs_queue *q;
	struct axs_gpu *gpu;
	u32 *mask;
	int err;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_SET_CU_MASK_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || a.pad || !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	if (!a.num_bits || a.num_bits % 32 || a.num_bits > AMDXSCHED_CU_MASK_MAX_BITS)
		return -EINVAL;
	err = change_allowed(f);
	if (err)
		return err;
	mask = memdup_user(u64_to_user_ptr(a.mask), a.num_bits / 8);
	if (IS_ERR(mask))
		return PTR_ERR(mask);

	mutex_lock(&axs.lock);
	q = cu_mask_target(f, a.handle);
	gpu = IS_ERR(q) ? NULL : q->gpu;
	mutex_unlock(&axs.lock);
	if (IS_ERR(q)) {
		err = PTR_ERR(q);
		goto out;
	}
	/* Masks that leave an XCC without CUs hang the queue: refuse them. */
	err = axs_cu_mask_apply(&gpu->topo, mask, a.num_bits, &cus);
	if (err)
		goto out;

	err = axs_gpu_op_lock(gpu);
	if (err)
		goto out;
	mutex_lock(&axs.lock);
	q = cu_mask_target(f, a.handle);	/* it may have gone meanwhile */
	mutex_unlock(&axs.lock);
	err = IS_ERR(q) ? PTR_ERR(q) : gpu->ops->set_cu_mask(gpu, q, mask, a.num_bits, &cus);
	if (!err) {
		mutex_lock(&axs.lock);
		memset(q->cu_mask, 0, sizeof(q->cu_mask));
		memcpy(q->cu_mask, mask, a.num_bits / 8);
		q->cu_mask_bits = a.num_bits;
		axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_CU_MASK, axs_cu_set_count(&cus), 0);
		mutex_unlock(&axs.lock);
	}
	axs_gpu_op_unlock(gpu);
out:
	kfree(mask);
	return err;
}

/* ---- AMDXSCHED_IOC_APPLY: one decision on one GPU ------------------------ */

/* What one APPLY call holds in the kernel. */
struct apply_call {
	struct amdxsched_apply_entry *e;	/* the entries as given; statuses */
	struct axs_apply_item *it;		/* one per entry */
	struct axs_apply_item *todo;		/* what goes to the backend */
	struct axs_cu_set *cus;			/* one per CU_MASK entry */
	u32 *masks;				/* their masks, one after another */
	int *st;				/* per entry, as for the backends */
	u32 n;
};

static void apply_call_free(struct apply_call *c)
{
	kvfree(c->e);
	kvfree(c->it);
	kvfree(c->todo);
	kvfree(c->cus);
	kvfree(c->masks);
	kvfree(c->st);
}

/* Fail entry @i with @e; keep the first error in @err. */
static void apply_fail(struct apply_call *c, u32 i, int e, int *err)
{
	c->st[i] = e;
	if (!*err)
		*err = e;
}

/*
 * Check what needs no queue: ops, arguments, the lease, and copy the masks
 * in. Returns the first entry error or the call's own.
 */
static int apply_check_args(struct apply_call *c, const struct amdxsched_apply *a,
			    bool *suspends)
{
	size_t words = 0, w;
	int err = 0;
	u32 i, k;

	*suspends = false;
	for (i = 0; i < c->n; i++) {
		const struct amdxsched_apply_entry *e = &c->e[i];
		bool ok;

		c->st[i] = AMDXSCHED_STATUS_NOT_DONE;
		switch (e->op) {
		case AMDXSCHED_APPLY_SUSPEND:
			ok = e->arg == AMDXSCHED_LEVEL_DEACTIVATE ||
			     e->arg == AMDXSCHED_LEVEL_INTERRUPT;
			*suspends = true;
			break;
		case AMDXSCHED_APPLY_RESUME:
			ok = !(e->arg & ~AMDXSCHED_RESUME_FORCE);
			break;
		case AMDXSCHED_APPLY_PRIORITY:
			ok = e->arg <= AMDXSCHED_PRIORITY_MAX;
			break;
		case AMDXSCHED_APPLY_CU_MASK:
			ok = e->arg && !(e->arg % 32) && e->arg <= AMDXSCHED_CU_MASK_MAX_BITS &&
			     e->mask;
			if (ok)
				words += e->arg / 32;
			break;
		default:
			ok = false;
		}
		if (!ok || e->pad || (e->op != AMDXSCHED_APPLY_CU_MASK && e->mask))
			apply_fail(c, i, -EINVAL, &err);
	}
	if (err)
		return err;
	/* a lease when something is suspended, and only then */
	if (*suspends ? !a->lease_ms || a->lease_ms > axs_max_lease_ms : a->lease_ms)
		return -EINVAL;
	if (!words)
		return 0;
	c->masks = kvmalloc_array(words, sizeof(u32), GFP_KERNEL_ACCOUNT);
	if (!c->masks)
		return -ENOMEM;
	for (i = 0, w = 0; i < c->n; i++) {
		const struct amdxsched_apply_entry *e = &c->e[i];

		if (e->op != AMDXSCHED_APPLY_CU_MASK)
			continue;
		if (copy_from_user(c->masks + w, u64_to_user_ptr(e->mask), e->arg / 8))
			return -EFAULT;
		c->it[i].mask = c->masks + w;
		w += e->arg / 32;
	}
	c->cus = kvcalloc(words, sizeof(*c->cus), GFP_KERNEL_ACCOUNT);	/* >= entries */
	if (!c->cus)
		return -ENOMEM;
	for (i = 0, k = 0; i < c->n; i++)
		if (c->e[i].op == AMDXSCHED_APPLY_CU_MASK)
			c->it[i].cus = &c->cus[k++];	/* filled for the GPU, below */
	return 0;
}

/* May entry @e act on @q? 0 or its -errno, as the single calls say. axs.lock */
static int apply_check_queue(struct axs_file *f, const struct amdxsched_apply_entry *e,
			     const struct axs_queue *q)
{
	static const int kind[] = {
		[AMDXSCHED_APPLY_SUSPEND] = OP_SUSPEND, [AMDXSCHED_APPLY_RESUME] = OP_RESUME,
		[AMDXSCHED_APPLY_PRIORITY] = OP_PRIORITY, [AMDXSCHED_APPLY_CU_MASK] = OP_CU_MASK,
	};

	return queue_op_check(f, kind[e->op], e->arg, q);	/* e->op checked before */
}

/*
 * Without a backend apply op: suspensions first (a failure stops there),
 * then priorities and CU masks, then resumptions, each kind in one call.
 * @b is room for the groups.
 */
static int apply_by_ops(struct axs_gpu *gpu, const struct axs_apply_item *it, u32 n,
			int *st, struct axs_batch *b)
{
	static const u32 order[] = {
		AMDXSCHED_APPLY_SUSPEND, AMDXSCHED_APPLY_SUSPEND, AMDXSCHED_APPLY_PRIORITY,
		AMDXSCHED_APPLY_CU_MASK, AMDXSCHED_APPLY_RESUME,
	};
	int first = 0, err;
	u32 k, i, m;

	for (k = 0; k < ARRAY_SIZE(order); k++) {
		/* the two suspension passes: Lv2, then Lv3 */
		u32 level = k ? AMDXSCHED_LEVEL_INTERRUPT : AMDXSCHED_LEVEL_DEACTIVATE;

		for (i = 0, m = 0; i < n; i++) {
			if (it[i].op != order[k] || st[i] != AMDXSCHED_STATUS_NOT_DONE ||
			    (order[k] == AMDXSCHED_APPLY_SUSPEND && it[i].arg != level))
				continue;
			b->gq[m] = it[i].q;
			b->gval[m] = it[i].arg;
			b->gst[m] = AMDXSCHED_STATUS_NOT_DONE;
			b->idx[m++] = i;
		}
		if (!m)
			continue;
		switch (order[k]) {
		case AMDXSCHED_APPLY_SUSPEND:
			err = gpu->ops->suspend(gpu, b->gq, m, level, b->gst);
			break;
		case AMDXSCHED_APPLY_PRIORITY:
			err = gpu->ops->set_priority(gpu, b->gq, b->gval, m, b->gst);
			break;
		case AMDXSCHED_APPLY_CU_MASK:
			for (i = 0, err = 0; i < m; i++) {
				const struct axs_apply_item *x = &it[b->idx[i]];

				b->gst[i] = gpu->ops->set_cu_mask(gpu, x->q, x->mask, x->arg,
								  x->cus);
				if (b->gst[i] && !err)
					err = b->gst[i];
			}
			break;
		default:
			err = gpu->ops->resume(gpu, b->gq, m, b->gst);
			break;
		}
		for (i = 0; i < m; i++)
			st[b->idx[i]] = b->gst[i];
		if (err && !first)
			first = err;
		if (err && order[k] == AMDXSCHED_APPLY_SUSPEND)
			break;		/* a decision is not half applied */
	}
	return first;
}

/*
 * A suspension of the call failed: put back the suspensions it made or may
 * have made (UNKNOWN), as SUSPEND does; what does not resume stays DONE,
 * under the call's lease. Entries of other kinds keep their status.
 */
static void apply_undo_suspends(struct apply_call *c, struct axs_gpu *gpu,
				struct axs_batch *b, int err)
{
	u32 i, m = 0;

	for (i = 0; i < c->n; i++) {
		if (c->e[i].op != AMDXSCHED_APPLY_SUSPEND ||
		    (c->st[i] != AMDXSCHED_STATUS_DONE && c->st[i] != AXS_STATUS_UNKNOWN))
			continue;
		b->gq[m] = c->it[i].q;
		b->gst[m] = AMDXSCHED_STATUS_NOT_DONE;
		b->idx[m++] = i;
	}
	if (m)
		gpu->ops->resume(gpu, b->gq, m, b->gst);
	for (i = 0; i < m; i++) {
		int *st = &c->st[b->idx[i]];

		if (b->gst[i] != AMDXSCHED_STATUS_DONE)
			*st = AMDXSCHED_STATUS_DONE;
		else
			*st = *st == AXS_STATUS_UNKNOWN ? err : AMDXSCHED_STATUS_NOT_DONE;
	}
}

/* Record what was done. Both locks held. */
static void apply_commit(struct apply_call *c, struct axs_lease *l, struct axs_file *f,
			 u32 lease_ms)
{
	u64 now = ktime_get_ns();
	u32 i;

	for (i = 0; i < c->n; i++) {
		const struct amdxsched_apply_entry *e = &c->e[i];
		struct axs_queue *q = c->it[i].q;

		if (c->st[i] != AMDXSCHED_STATUS_DONE || !q)
			continue;
		switch (e->op) {
		case AMDXSCHED_APPLY_SUSPEND:
			suspend_attach_one(q, l, f, e->arg, lease_ms, now);
			suspend_announce_one(q, e->arg, now);
			break;
		case AMDXSCHED_APPLY_RESUME:
			resume_commit_one(q, AMDXSCHED_RESUMED_IOCTL, now);
			break;
		case AMDXSCHED_APPLY_PRIORITY:
			if (q->priority == e->arg)
				break;
			axs_queue_priority_set(q, e->arg);
			break;
		case AMDXSCHED_APPLY_CU_MASK:
			memset(q->cu_mask, 0, sizeof(q->cu_mask));
			memcpy(q->cu_mask, c->it[i].mask, e->arg / 8);
			q->cu_mask_bits = e->arg;
			axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_CU_MASK,
					axs_cu_set_count(c->it[i].cus), 0);
			break;
		}
	}
}

/* The GPU's remap count, for the call's own. */
static u64 gpu_remaps(struct axs_gpu *gpu)
{
	struct amdxsched_gpu_counters gc = { 0 };

	gpu->ops->gpu_counters(gpu, &gc);
	return gc.remaps;
}

/*
 * Checks as for the single calls, all before anything changes; then, under
 * the GPU's op_lock for the whole call (nothing can change in between), one
 * backend call for everything. A failed suspension rolls back the
 * suspensions, as SUSPEND does; resumptions, priorities and CU masks have
 * their own status, as RESUME and SET_PRIORITY do.
 */
long axs_ioctl_apply(struct axs_file *f, void __user *argp)
{
	struct apply_call c = { 0 };
	const struct axs_proc *seen = NULL;
	struct axs_batch *b = NULL;
	struct amdxsched_apply a;
	struct axs_lease *l = NULL;
	struct axs_gpu *gpu;
	bool suspends, clash;
	size_t bytes;
	u64 remaps0, call;
	int err, cerr;
	u32 i, j;

	err = axs_args_inout(&a, sizeof(a), AMDXSCHED_APPLY_SIZE_VER0, argp);
	if (err)
		return err;
	if (a.flags || a.pad || !axs_zeroed(a.reserved, sizeof(a.reserved)) ||
	    a.entry_size != sizeof(struct amdxsched_apply_entry) || !a.count)
		return -EINVAL;
	if (a.count > AMDXSCHED_MAX_BATCH)
		return -E2BIG;
	err = change_allowed(f);
	if (err)
		return err;
	a.lease_id = 0;
	a.remaps = 0;
	c.n = a.count;
	bytes = c.n * sizeof(*c.e);
	c.e = memdup_user(u64_to_user_ptr(a.entries), bytes);
	if (IS_ERR(c.e)) {
		err = PTR_ERR(c.e);
		c.e = NULL;
		return err;
	}
	/* Statuses go back into the entries: make sure they can, before acting. */
	if (copy_to_user(u64_to_user_ptr(a.entries), c.e, bytes)) {
		err = -EFAULT;
		goto out_free;
	}
	c.it = kvcalloc(c.n, sizeof(*c.it), GFP_KERNEL_ACCOUNT);
	c.todo = kvcalloc(c.n, sizeof(*c.todo), GFP_KERNEL_ACCOUNT);
	c.st = kvcalloc(c.n, sizeof(*c.st), GFP_KERNEL_ACCOUNT);
	b = axs_batch_alloc(c.n);
	l = lease_alloc();
	if (!c.it || !c.todo || !c.st || !b || !l) {
		err = -ENOMEM;
		goto out_free;
	}

	err = apply_check_args(&c, &a, &suspends);
	if (err)
		goto out;
	mutex_lock(&axs.lock);
	gpu = axs_gpu_find(a.gpu_id);	/* GPUs go only at unload */
	mutex_unlock(&axs.lock);
	if (!gpu) {
		err = -ENODEV;
		goto out;
	}
	for (i = 0, j = 0; i < c.n; i++) {
		if (c.e[i].op != AMDXSCHED_APPLY_CU_MASK)
			continue;
		/* Masks that leave an XCC without CUs hang the queue: refuse them. */
		cerr = axs_cu_mask_apply(&gpu->topo, c.it[i].mask, c.e[i].arg, &c.cus[j++]);
		if (cerr)
			apply_fail(&c, i, cerr, &err);
	}
	if (err)
		goto out;

	err = axs_gpu_op_lock(gpu);
	if (err)
		goto out;
	mutex_lock(&axs.lock);
	call = ++axs.next_call;
	for (i = 0; i < c.n; i++) {
		struct axs_queue *q = axs_queue_lookup_next(f, c.e[i].handle, &seen);

		c.it[i].q = NULL;
		if (!q) {
			apply_fail(&c, i, -ENOENT, &err);
			continue;
		}
		/* a queue once per op, and not both suspended and resumed */
		clash = seen_for(q, call, c.e[i].op);
		if (c.e[i].op == AMDXSCHED_APPLY_SUSPEND || c.e[i].op == AMDXSCHED_APPLY_RESUME)
			clash |= seen_for(q, call, 0);
		if (q->gpu != gpu || clash) {
			apply_fail(&c, i, -EINVAL, &err);	/* another GPU, or a clash */
			continue;
		}
		cerr = apply_check_queue(f, &c.e[i], q);
		if (cerr) {
			apply_fail(&c, i, cerr, &err);
			continue;
		}
		c.it[i].q = q;
		c.it[i].op = c.e[i].op;
		c.it[i].arg = c.e[i].arg;
		if (c.e[i].op == AMDXSCHED_APPLY_PRIORITY && q->priority == c.e[i].arg)
			c.st[i] = AMDXSCHED_STATUS_DONE;	/* unchanged: no remap */
		if (c.e[i].op == AMDXSCHED_APPLY_SUSPEND)
			atomic_set(&q->drain, 0);
	}
	mutex_unlock(&axs.lock);
	if (err)
		goto out_unlock;

	remaps0 = gpu_remaps(gpu);
	/* the backend sees only what is to be done, in the given order */
	for (i = 0, j = 0; i < c.n; i++) {
		if (c.st[i] != AMDXSCHED_STATUS_NOT_DONE)
			continue;
		c.todo[j] = c.it[i];
		b->val[j] = i;
		b->status[j++] = AMDXSCHED_STATUS_NOT_DONE;
	}
	if (j) {
		err = gpu->ops->apply ? gpu->ops->apply(gpu, c.todo, j, b->status) :
					apply_by_ops(gpu, c.todo, j, b->status, b);
		for (i = 0; i < j; i++)
			c.st[b->val[i]] = b->status[i];
	}
	for (i = 0; i < c.n; i++) {
		if (c.e[i].op != AMDXSCHED_APPLY_SUSPEND ||
		    c.st[i] == AMDXSCHED_STATUS_DONE || c.st[i] == AMDXSCHED_STATUS_NOT_DONE)
			continue;
		if (!err)
			err = c.st[i] == AXS_STATUS_UNKNOWN ? -EIO : c.st[i];
		apply_undo_suspends(&c, gpu, b, err);
		break;
	}
	for (i = 0; i < c.n; i++)	/* what no remap reached */
		if (c.st[i] == AXS_STATUS_UNKNOWN)
			c.st[i] = err ? err : -EIO;

	mutex_lock(&axs.lock);
	apply_commit(&c, l, f, a.lease_ms);
	if (l->id) {
		a.lease_id = l->id;
		l = NULL;
		lease_timer_arm();
	}
	mutex_unlock(&axs.lock);
	a.remaps = (u32)min_t(u64, gpu_remaps(gpu) - remaps0, U32_MAX);
out_unlock:
	axs_gpu_op_unlock(gpu);
out:
	for (i = 0; i < c.n; i++)
		c.e[i].status = c.st[i];
	cerr = copy_to_user(u64_to_user_ptr(a.entries), c.e, bytes) ? -EFAULT : 0;
	if (!cerr)
		cerr = axs_args_out(argp, &a, sizeof(a));
	if (!err)
		err = cerr;
out_free:
	lease_discard(l);
	axs_batch_free(b);
	apply_call_free(&c);
	return err;
}
