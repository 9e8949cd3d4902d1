// SPDX-License-Identifier: GPL-2.0-only
/*
 * Acting on queues: suspend and resume under leases, priority and CU masks,
 * and who may do what (Documentation/abi.rst, "Permissions").
 *
 * Every call validates all of its entries before it changes anything; a bad
 * entry fails the whole call with nothing changed. Backends then act one GPU
 * at a time; see each ioctl for what a backend failure leaves behind.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "core.h"

static struct axs_batch *axs_batch_alloc(u32 cap)
{
	struct axs_batch *b;
	size_t per = 2 * sizeof(struct axs_queue *) + 2 * sizeof(int) + 3 * sizeof(u32);
	char *p;

	b = kvzalloc(sizeof(*b) + cap * per, GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	p = (char *)(b + 1);
	b->cap = cap;
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

static void axs_batch_free(struct axs_batch *b)
{
	kvfree(b);
}

#define OP_SUSPEND	1
#define OP_RESUME	2
#define OP_PRIORITY	3

/*
 * Hand the entries of @b whose status is NOT_DONE to their backends, one
 * call per GPU, and collect each entry's status. Returns the first error.
 */
static int batch_run(struct axs_batch *b, int op, u32 level, bool stop_on_error)
{
	struct axs_gpu *gpu;
	int first = 0;

	lockdep_assert_held(&axs.lock);

	list_for_each_entry(gpu, &axs.gpus, node) {
		u32 i, m = 0;
		int err = 0;

		for (i = 0; i < b->n; i++) {
			if (!b->q[i] || b->q[i]->gpu != gpu ||
			    b->status[i] != AMDXSCHED_STATUS_NOT_DONE)
				continue;
			b->gq[m] = b->q[i];
			b->gval[m] = b->val[i];
			b->gst[m] = AMDXSCHED_STATUS_NOT_DONE;
			b->idx[m++] = i;
		}
		if (!m)
			continue;

		switch (op) {
		case OP_SUSPEND:
			err = gpu->ops->suspend(gpu, b->gq, m, level, b->gst);
			break;
		case OP_RESUME:
			err = gpu->ops->resume(gpu, b->gq, m, b->gst);
			break;
		case OP_PRIORITY:
			err = gpu->ops->set_priority(gpu, b->gq, b->gval, m, b->gst);
			break;
		}
		for (i = 0; i < m; i++) {
			if (b->gst[i] == AXS_STATUS_UNKNOWN && !err)
				err = -EIO;	/* a backend that said too little */
			/*
			 * Only a suspension's caller sorts out what may have
			 * happened; for the rest an unknown outcome failed.
			 */
			if (b->gst[i] == AXS_STATUS_UNKNOWN && op != OP_SUSPEND)
				b->gst[i] = err ? err : -EIO;
			b->status[b->idx[i]] = b->gst[i];
		}
		if (err && !first)
			first = err;
		if (err && stop_on_error)
			break;
	}
	return first;
}

static bool batch_has(const struct axs_batch *b, u32 n, const struct axs_queue *q)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (b->q[i] == q)
			return true;
	return false;
}

static void lease_timer_arm(void)
{
	struct axs_lease *l;
	u64 t = U64_MAX;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry(l, &axs.leases, dev_node)
		t = min(t, l->deadline_ns);
	if (t == U64_MAX)
		hrtimer_try_to_cancel(&axs.lease_timer);
	else
		hrtimer_start(&axs.lease_timer, ns_to_ktime(t), HRTIMER_MODE_ABS);
}

/*
 * A lease whose file is gone while its queues could not be resumed keeps
 * the module loaded until they are: unloading must resume every queue it
 * suspended or be refused (rmmod says "in use"), never leave one behind.
 * The reference is dropped under axs.lock, which module exit takes (through
 * the backends) after cancelling the lease work, so no code of ours is
 * running once exit can go on.
 */
static void lease_pin_module(struct axs_lease *l)
{
	if (l->pins_module)
		return;
	__module_get(THIS_MODULE);
	l->pins_module = true;
}

static void lease_free(struct axs_lease *l)
{
	list_del(&l->dev_node);
	list_del(&l->file_node);
	axs_batch_free(l->batch);
	if (l->pins_module)
		module_put(THIS_MODULE);
	kfree(l);
}

void axs_lease_put_if_empty(struct axs_lease *l)
{
	lockdep_assert_held(&axs.lock);
	if (list_empty(&l->queues))
		lease_free(l);
}

/* @q is no longer suspended, whatever ended it. The lease may now be empty. */
void axs_queue_unsuspend(struct axs_queue *q, u64 now)
{
	u64 d = now - q->suspended_at;

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
 * Resume the queues in @b (all suspended) and account for those that did.
 * Leases this empties are freed, except the one @b belongs to.
 */
static int resume_batch(struct axs_batch *b, u32 reason)
{
	u64 now;
	u32 i;
	int err;

	err = batch_run(b, OP_RESUME, 0, false);
	now = ktime_get_ns();
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = b->q[i];
		struct axs_lease *l = q->lease;

		if (b->status[i] != AMDXSCHED_STATUS_DONE)
			continue;
		q->stats.resumes++;
		q->gpu->stats.resumes++;
		axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_RESUMED, reason, l->id);
		axs_queue_unsuspend(q, now);
		if (l->batch != b && list_empty(&l->queues))
			lease_free(l);
	}
	return err;
}

/*
 * Resume every queue of @l. Returns 0 if the lease is gone, or the error of
 * a backend that failed for some queue, which then stays suspended under @l.
 */
static int lease_resume_all(struct axs_lease *l, u32 reason)
{
	struct axs_batch *b = l->batch;
	struct axs_queue *q;
	int err;

	b->n = 0;
	list_for_each_entry(q, &l->queues, lease_node) {
		b->q[b->n] = q;
		b->status[b->n] = AMDXSCHED_STATUS_NOT_DONE;
		b->val[b->n] = 0;
		b->n++;
	}
	err = resume_batch(b, reason);
	if (!list_empty(&l->queues))
		return err ? err : -EIO;
	lease_free(l);
	return 0;
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
}

static void lease_work_fn(struct work_struct *work)
{
	struct axs_lease *l, *tmp;
	struct axs_queue *q;
	u64 now;
	int err;

	mutex_lock(&axs.lock);
	now = ktime_get_ns();
	list_for_each_entry_safe(l, tmp, &axs.leases, dev_node) {
		if (l->deadline_ns > now)
			continue;
		if (!l->expired) {
			l->expired = true;
			list_for_each_entry(q, &l->queues, lease_node) {
				q->stats.lease_expiries++;
				q->gpu->stats.lease_expiries++;
				axs_event_queue(q, AMDXSCHED_EVENT_LEASE_EXPIRED, l->id, 0);
			}
		}
		err = lease_resume_all(l, l->owner ? AMDXSCHED_RESUMED_LEASE
						   : AMDXSCHED_RESUMED_CLOSE);
		if (err)
			lease_retry_later(l, err, now);
	}
	lease_timer_arm();
	mutex_unlock(&axs.lock);
}

static enum hrtimer_restart lease_timer_fn(struct hrtimer *t)
{
	schedule_work(&axs.lease_work);
	return HRTIMER_NORESTART;
}

void axs_control_init(void)
{
	axs_hrtimer_setup(&axs.lease_timer, lease_timer_fn, CLOCK_MONOTONIC,
			  HRTIMER_MODE_ABS);
	INIT_WORK(&axs.lease_work, lease_work_fn);
}

void axs_control_fini(void)
{
	struct axs_lease *l, *tmp;

	hrtimer_cancel(&axs.lease_timer);
	cancel_work_sync(&axs.lease_work);
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
}

/* Closing a file ends its suspensions; what cannot resume now is retried. */
void axs_control_file_release(struct axs_file *f)
{
	struct axs_lease *l, *tmp;
	u64 now;
	int err;

	mutex_lock(&axs.lock);
	list_for_each_entry_safe(l, tmp, &f->leases, file_node) {
		err = lease_resume_all(l, AMDXSCHED_RESUMED_CLOSE);
		if (!err)
			continue;
		now = ktime_get_ns();
		l->owner = NULL;
		l->expired = true;
		lease_pin_module(l);
		lease_retry_later(l, err, now);
		list_del_init(&l->file_node);
	}
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

/* The caller may act on @q: control, or its own process. */
static bool may_act(const struct axs_file *f, const struct axs_queue *q)
{
	return f->control || axs_is_own(q->proc);
}

/*
 * Copy @count handles in and make a batch for them. A status array we could
 * not write would leave the caller blind, so it is checked before anything.
 */
static int batch_in(u64 uhandles, u64 ustatus, u32 count,
		    struct axs_batch **bp, u64 **hp)
{
	struct axs_batch *b;
	u64 *h;
	u32 i;

	if (!count)
		return -EINVAL;
	if (count > AMDXSCHED_MAX_BATCH)
		return -E2BIG;
	h = memdup_user(u64_to_user_ptr(uhandles), count * sizeof(*h));
	if (IS_ERR(h))
		return PTR_ERR(h);
	if (ustatus && clear_user(u64_to_user_ptr(ustatus), count * sizeof(s32))) {
		kfree(h);
		return -EFAULT;
	}
	b = axs_batch_alloc(count);
	if (!b) {
		kfree(h);
		return -ENOMEM;
	}
	b->n = count;
	for (i = 0; i < count; i++) {
		b->q[i] = NULL;
		b->status[i] = AMDXSCHED_STATUS_NOT_DONE;
		b->val[i] = 0;
	}
	*bp = b;
	*hp = h;
	return 0;
}

static int status_out(u64 ustatus, const struct axs_batch *b)
{
	if (ustatus && copy_to_user(u64_to_user_ptr(ustatus), b->status,
				    b->n * sizeof(*b->status)))
		return -EFAULT;
	return 0;
}

/* Fail entry @i of @b with @e; keep the first error in @err. */
static void batch_fail(struct axs_batch *b, u32 i, int e, int *err)
{
	b->status[i] = e;
	b->q[i] = NULL;
	if (!*err)
		*err = e;
}

/* Look up every handle: -ENOENT if unknown or not visible, -EINVAL if repeated. */
static int batch_lookup(struct axs_batch *b, const u64 *h)
{
	int err = 0;
	u32 i;

	lockdep_assert_held(&axs.lock);
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = axs_queue_lookup(h[i]);

		if (!q)
			batch_fail(b, i, -ENOENT, &err);
		else if (batch_has(b, i, q))
			batch_fail(b, i, -EINVAL, &err);
		else
			b->q[i] = q;
	}
	return err;
}

static struct axs_lease *lease_alloc(u32 count)
{
	struct axs_lease *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return NULL;
	l->batch = axs_batch_alloc(count);
	if (!l->batch) {
		kfree(l);
		return NULL;
	}
	INIT_LIST_HEAD(&l->queues);
	INIT_LIST_HEAD(&l->file_node);
	INIT_LIST_HEAD(&l->dev_node);
	return l;
}

/*
 * Put back what a failed suspend did, or may have done (AXS_STATUS_UNKNOWN).
 * What is resumed again ends NOT_DONE (it was done) or @err (its state was
 * unknown); what cannot be resumed ends DONE, to stay under the lease.
 */
static void suspend_undo(struct axs_batch *b, struct axs_batch *undo, int err)
{
	u32 i, j;

	undo->n = 0;
	for (i = 0; i < b->n; i++) {
		if (b->status[i] != AMDXSCHED_STATUS_DONE &&
		    b->status[i] != AXS_STATUS_UNKNOWN)
			continue;
		undo->q[undo->n] = b->q[i];
		undo->status[undo->n] = AMDXSCHED_STATUS_NOT_DONE;
		undo->val[undo->n] = i;
		undo->n++;
	}
	batch_run(undo, OP_RESUME, 0, false);
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

long axs_ioctl_suspend(struct axs_file *f, void __user *argp)
{
	struct axs_batch *b = NULL, *undo = NULL;
	struct amdxsched_suspend a;
	struct axs_lease *lease;
	u64 *h = NULL, now;
	int err, cerr;
	u32 i, ndone = 0;

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
	err = batch_in(a.handles, a.status, a.count, &b, &h);
	if (err)
		return err;
	lease = lease_alloc(a.count);
	undo = axs_batch_alloc(a.count);
	if (!lease || !undo) {
		err = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&axs.lock);
	err = batch_lookup(b, h);
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = b->q[i];

		if (!q)
			continue;
		if (!may_act(f, q))
			batch_fail(b, i, -EPERM, &err);
		else if (!(q->gpu->levels & BIT(a.level)))
			batch_fail(b, i, -EOPNOTSUPP, &err);
		else if (q->lease)
			batch_fail(b, i, q->lease->owner == f ? -EALREADY : -EBUSY, &err);
	}
	if (err)
		goto out_unlock;

	for (i = 0; i < b->n; i++)
		atomic_set(&b->q[i]->drain, 0);
	err = batch_run(b, OP_SUSPEND, a.level, true);
	if (err)
		suspend_undo(b, undo, err);

	now = ktime_get_ns();
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = b->q[i];

		if (b->status[i] != AMDXSCHED_STATUS_DONE)
			continue;
		if (!ndone++) {
			lease->id = axs.next_lease++;
			lease->owner = f;
			lease->deadline_ns = now + (u64)a.lease_ms * NSEC_PER_MSEC;
			list_add_tail(&lease->file_node, &f->leases);
			list_add_tail(&lease->dev_node, &axs.leases);
		}
		q->lease = lease;
		q->level = a.level;
		q->suspended_at = now;
		list_add_tail(&q->lease_node, &lease->queues);
		q->stats.suspends++;
		q->gpu->stats.suspends++;
		axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_SUSPENDED, a.level, lease->id);
		if (a.level == AMDXSCHED_LEVEL_DEACTIVATE)
			drain_commit(q);
	}
	if (ndone) {
		a.lease_id = lease->id;
		lease = NULL;
		lease_timer_arm();
	}
out_unlock:
	mutex_unlock(&axs.lock);
	cerr = status_out(a.status, b);
	if (!cerr)
		cerr = axs_args_out(argp, &a, sizeof(a));
	if (!err)
		err = cerr;
out_free:
	if (lease) {
		axs_batch_free(lease->batch);
		kfree(lease);
	}
	axs_batch_free(undo);
	axs_batch_free(b);
	kfree(h);
	return err;
}

long axs_ioctl_resume(struct axs_file *f, void __user *argp)
{
	struct amdxsched_resume a;
	struct axs_batch *b;
	u64 *h;
	int err, cerr;
	u32 i;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_RESUME_SIZE_VER0, argp);
	if (err)
		return err;
	if ((a.flags & ~AMDXSCHED_RESUME_FORCE) || a.pad ||
	    !axs_zeroed(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	err = change_allowed(f);
	if (err)
		return err;
	err = batch_in(a.handles, a.status, a.count, &b, &h);
	if (err)
		return err;

	mutex_lock(&axs.lock);
	err = batch_lookup(b, h);
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = b->q[i];

		if (!q)
			continue;
		if (!q->lease)
			batch_fail(b, i, -EALREADY, &err);	/* not suspended */
		else if (q->lease->owner != f && !(a.flags & AMDXSCHED_RESUME_FORCE))
			batch_fail(b, i, -EBUSY, &err);
		else if (q->lease->owner != f && !f->control)
			batch_fail(b, i, -EPERM, &err);
	}
	if (err)
		goto out_unlock;

	err = resume_batch(b, AMDXSCHED_RESUMED_IOCTL);
	lease_timer_arm();
out_unlock:
	mutex_unlock(&axs.lock);
	cerr = status_out(a.status, b);
	if (!err)
		err = cerr;
	axs_batch_free(b);
	kfree(h);
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
		if (l->id != a.lease_id || l->expired)
			continue;
		l->deadline_ns = ktime_get_ns() + (u64)a.lease_ms * NSEC_PER_MSEC;
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

	mutex_lock(&axs.lock);
	err = 0;
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = axs_queue_lookup(e[i].handle);

		b->q[i] = q;
		b->status[i] = AMDXSCHED_STATUS_NOT_DONE;
		b->val[i] = e[i].priority;
		if (!q)
			batch_fail(b, i, -ENOENT, &err);
		else if (batch_has(b, i, q) || e[i].priority > AMDXSCHED_PRIORITY_MAX)
			batch_fail(b, i, -EINVAL, &err);
		else if (!may_act(f, q) ||
			 (!f->control && e[i].priority > q->priority))
			batch_fail(b, i, -EPERM, &err);	/* only lowering your own */
		else if (!q->gpu->ops->set_priority)
			batch_fail(b, i, -EOPNOTSUPP, &err);
	}
	if (err)
		goto out_unlock;

	/* Unchanged priorities cost no remap. */
	for (i = 0; i < b->n; i++)
		if (b->q[i]->priority == b->val[i])
			b->status[i] = AMDXSCHED_STATUS_DONE;
	err = batch_run(b, OP_PRIORITY, 0, false);
	for (i = 0; i < b->n; i++) {
		struct axs_queue *q = b->q[i];

		if (b->status[i] != AMDXSCHED_STATUS_DONE || q->priority == b->val[i])
			continue;
		q->priority = b->val[i];
		axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_PRIORITY, q->priority, 0);
	}
out_unlock:
	mutex_unlock(&axs.lock);
	for (i = 0; i < b->n; i++)
		e[i].status = b->status[i];
	cerr = copy_to_user(u64_to_user_ptr(a.entries), e, bytes) ? -EFAULT : 0;
	if (!err)
		err = cerr;
	axs_batch_free(b);
	kfree(e);
	return err;
}

long axs_ioctl_set_cu_mask(struct axs_file *f, void __user *argp)
{
	struct amdxsched_set_cu_mask a;
	struct axs_cu_set cus;
	struct axs_queue *q;
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
	q = axs_queue_lookup(a.handle);
	if (!q) {
		err = -ENOENT;
		goto out;
	}
	if (!may_act(f, q)) {
		err = -EPERM;
		goto out;
	}
	if (!q->gpu->ops->set_cu_mask) {
		err = -EOPNOTSUPP;
		goto out;
	}
	/* Masks that leave an XCC without CUs hang the queue: refuse them. */
	err = axs_cu_mask_apply(&q->gpu->topo, mask, a.num_bits, &cus);
	if (err)
		goto out;
	err = q->gpu->ops->set_cu_mask(q->gpu, q, mask, a.num_bits, &cus);
	if (err)
		goto out;
	memset(q->cu_mask, 0, sizeof(q->cu_mask));
	memcpy(q->cu_mask, mask, a.num_bits / 8);
	q->cu_mask_bits = a.num_bits;
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_CU_MASK, axs_cu_set_count(&cus), 0);
out:
	mutex_unlock(&axs.lock);
	kfree(mask);
	return err;
}
