// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registry: GPUs, processes and queues as backends report them, the
 * list ioctls, and per-process scheduling hints. Everything here runs under
 * axs.lock.
 */
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"

/* Register @gpu; takes axs.lock. */
int axs_gpu_add(struct axs_gpu *gpu)
{
	int err = 0;

	gpu->expire = axs_batch_alloc(AMDXSCHED_MAX_BATCH);
	if (!gpu->expire)
		return -ENOMEM;
	mutex_init(&gpu->op_lock);
	atomic_set(&gpu->expire_waiting, 0);
	axs_gpu_expire_init(gpu);

	mutex_lock(&axs.lock);
	if (axs.ngpus >= AXS_MAX_GPUS) {
		err = -ENOSPC;
	} else {
		/* ids are never reused, so they stay below AXS_MAX_GPUS (lease->gpus) */
		gpu->id = axs.next_gpu_id++;
		gpu->nqueues = 0;
		gpu->late_resumes = 0;
		gpu->outside_resumes = 0;
		gpu->debugger_waits = 0;
		memset(&gpu->stats, 0, sizeof(gpu->stats));
		list_add_tail(&gpu->node, &axs.gpus);
		axs.ngpus++;
	}
	mutex_unlock(&axs.lock);
	if (err) {
		mutex_destroy(&gpu->op_lock);
		axs_batch_free(gpu->expire);
		gpu->expire = NULL;
	}
	return err;
}

/*
 * At unload only: the GPU has no queues left, and its expiry work is
 * stopped (axs_control_stop()).
 */
void axs_gpu_remove(struct axs_gpu *gpu)
{
	lockdep_assert_held(&axs.lock);
	WARN_ON(gpu->nqueues);
	list_del(&gpu->node);
	axs.ngpus--;
	mutex_destroy(&gpu->op_lock);
	axs_batch_free(gpu->expire);
	gpu->expire = NULL;
}

struct axs_gpu *axs_gpu_find(u32 id)
{
	struct axs_gpu *gpu;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry(gpu, &axs.gpus, node)
		if (gpu->id == id)
			return gpu;
	return NULL;
}

/* Is @pid a process the caller can see in its pid namespace? */
bool axs_pid_visible(struct pid *pid)
{
	return pid_nr_ns(pid, task_active_pid_ns(current)) != 0;
}

/*
 * May @f see what belongs to a process of @uid? A file with control sees
 * every user's; one without, its own user's only (Documentation/abi.rst,
 * "Permissions"), unless see_all_users=1. Any context.
 */
bool axs_uid_visible(const struct axs_file *f, kuid_t uid)
{
	return f->control || READ_ONCE(axs_see_all_users) || uid_eq(uid, f->uid);
}

/* May @f see @p at all: in its pid namespace, and of a user it may see? */
bool axs_proc_visible(const struct axs_file *f, const struct axs_proc *p)
{
	return axs_pid_visible(p->pid) && axs_uid_visible(f, p->uid);
}

/* Does @p belong to the calling process? */
bool axs_is_own(const struct axs_proc *p)
{
	return p->pid == task_tgid(current);
}

struct axs_proc *axs_proc_find(struct pid *pid)
{
	struct axs_proc *p;

	lockdep_assert_held(&axs.lock);
	hash_for_each_possible(axs.proc_hash, p, hnode, (unsigned long)pid)
		if (p->pid == pid)
			return p;
	return NULL;
}

/*
 * Find or create the process of @pid (a thread group) and mark @presence on
 * it. Returns NULL only when out of memory.
 */
struct axs_proc *axs_proc_get(struct pid *pid, u32 presence)
{
	struct task_struct *task;
	struct axs_proc *p;

	lockdep_assert_held(&axs.lock);

	p = axs_proc_find(pid);
	if (p) {
		p->presence |= presence;
		return p;
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	p->pid = get_pid(pid);
	p->presence = presence;
	INIT_LIST_HEAD(&p->queues);
	INIT_LIST_HEAD(&p->attr_node);
	p->uid = GLOBAL_ROOT_UID;
	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_TGID);
	if (task) {
		p->uid = task_uid(task);
		get_task_comm(p->comm, task);
	}
	rcu_read_unlock();
	list_add_tail(&p->node, &axs.procs);
	hash_add(axs.proc_hash, &p->hnode, (unsigned long)pid);
	axs.nprocs++;
	axs_event_proc(p, AMDXSCHED_EVENT_PROC_CREATED, 0, 0);
	return p;
}

/* Forget @presence; the process goes once nothing refers to it. */
void axs_proc_drop(struct axs_proc *p, u32 presence)
{
	lockdep_assert_held(&axs.lock);

	p->presence &= ~presence;
	if (p->presence || p->attr_owner || !list_empty(&p->queues))
		return;
	axs_event_proc(p, AMDXSCHED_EVENT_PROC_EXIT, 0, 0);
	list_del(&p->node);
	hash_del(&p->hnode);
	axs.nprocs--;
	put_pid(p->pid);
	kfree(p);
}

struct axs_queue *axs_queue_add(struct axs_proc *p, struct axs_gpu *gpu,
				u32 kfd_qid, u32 type, u32 priority, void *priv)
{
	struct axs_queue *q;
	int err;

	lockdep_assert_held(&axs.lock);

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return NULL;
	q->handle = axs.next_handle;
	err = xa_insert(&axs.queues, q->handle, q, GFP_KERNEL);
	if (err) {
		kfree(q);
		return NULL;
	}
	axs.next_handle++;	/* never reused, even after a failed insert */
	q->proc = p;
	q->gpu = gpu;
	q->kfd_qid = kfd_qid;
	q->type = type;
	q->priority = priority;
	q->app_priority = priority;
	q->priv = priv;
	INIT_LIST_HEAD(&q->lease_node);
	INIT_LIST_HEAD(&q->gone_node);
	list_add_tail(&q->proc_node, &p->queues);
	p->nqueues++;
	gpu->nqueues++;
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_CREATED, kfd_qid, type);
	return q;
}

/* The module set @q's priority (SET_PRIORITY, APPLY): not the application. */
void axs_queue_priority_set(struct axs_queue *q, u32 prio)
{
	lockdep_assert_held(&axs.lock);
	q->priority = prio;
	q->module_priority = prio;
	q->module_priority_set = true;
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_PRIORITY, prio, 0);
}

/*
 * A backend found @q at @prio in the driver. The application changed it,
 * unless it is what the module set last (a scan can be older than the
 * module's change, and is then followed by one that is not).
 */
void axs_queue_priority_seen(struct axs_queue *q, u32 prio)
{
	lockdep_assert_held(&axs.lock);
	if (q->priority == prio)
		return;
	q->priority = prio;
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_PRIORITY, prio, 0);
	if (q->module_priority_set && prio == q->module_priority)
		return;
	q->app_priority = prio;
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_ATTR, q->attr_flags, q->sched_class);
}

/* The backend destroyed @q: end its suspension and forget it. */
void axs_queue_remove(struct axs_queue *q)
{
	lockdep_assert_held(&q->gpu->op_lock);
	lockdep_assert_held(&axs.lock);

	if (q->lease) {
		struct axs_lease *l = q->lease;

		axs_queue_unsuspend(q, ktime_get_ns());
		axs_lease_put_if_empty(l);
	}
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_DESTROYED, q->kfd_qid, q->type);
	xa_erase(&axs.queues, q->handle);
	list_del(&q->proc_node);
	q->proc->nqueues--;
	q->gpu->nqueues--;
	kfree(q);
}

/* The queue of @handle if @f can see it, else NULL. */
/*
 * For calls that look up many handles in one hold of axs.lock: *@seen
 * (NULL at first) remembers the last process found visible, so a batch of
 * one process's queues walks the pid namespace once.
 */
struct axs_queue *axs_queue_lookup_next(const struct axs_file *f, u64 handle,
					const struct axs_proc **seen)
{
	struct axs_queue *q;

	lockdep_assert_held(&axs.lock);
	q = xa_load(&axs.queues, handle);
	if (!q)
		return NULL;
	if (q->proc != *seen) {
		if (!axs_proc_visible(f, q->proc))
			return NULL;
		*seen = q->proc;
	}
	return q;
}

struct axs_queue *axs_queue_lookup(const struct axs_file *f, u64 handle)
{
	const struct axs_proc *seen = NULL;

	return axs_queue_lookup_next(f, handle, &seen);
}

/* Its registration ends with the file or the process: so do its hints. */
static void proc_unregister(struct axs_proc *p)
{
	list_del_init(&p->attr_node);
	p->attr_owner = NULL;
	p->attr_set = 0;
	p->sched_class = AMDXSCHED_CLASS_UNSET;
	p->priority = 0;
	p->share = 0;
	p->deadline_ns = 0;
	memset(p->tag, 0, sizeof(p->tag));
	axs_proc_drop(p, 0);
}

void axs_registry_file_release(struct axs_file *f)
{
	struct axs_proc *p, *tmp;

	mutex_lock(&axs.lock);
	list_for_each_entry_safe(p, tmp, &f->attr_procs, attr_node)
		proc_unregister(p);
	mutex_unlock(&axs.lock);
}

/*
 * Forget what @f registered for processes that have exited, so that a file
 * shared by many short-lived processes (a parent that forks workers) holds
 * only its live ones. Called as it registers another. axs.lock
 */
static void proc_prune_dead(struct axs_file *f)
{
	struct axs_proc *p, *tmp;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry_safe(p, tmp, &f->attr_procs, attr_node)
		if (!pid_has_task(p->pid, PIDTYPE_TGID))
			proc_unregister(p);
}

void axs_registry_fini(void)
{
	struct axs_proc *p, *tmp;

	/* Backends removed every queue; only hint-only processes can remain. */
	list_for_each_entry_safe(p, tmp, &axs.procs, node) {
		WARN_ON(!list_empty(&p->queues));
		list_del(&p->node);
		hash_del(&p->hnode);
		axs.nprocs--;
		put_pid(p->pid);
		kfree(p);
	}
	WARN_ON(!xa_empty(&axs.queues));
	xa_destroy(&axs.queues);
}

/* The thread group of pid number @nr in the caller's namespace, referenced. */
static struct pid *tgid_of(u32 nr)
{
	struct task_struct *task;
	struct pid *pid, *tgid = NULL;

	pid = find_get_pid(nr);
	if (!pid)
		return NULL;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (task) {
		tgid = get_pid(task_tgid(task));
		put_task_struct(task);
	}
	return tgid;
}

#define LIST_BY_PID	BIT(0)	/* the list takes a pid filter */
#define LIST_BY_GPU	BIT(1)	/* the list takes a GPU filter */

/* Check a list request; resolve its pid filter (caller's namespace). */
static int list_args(struct amdxsched_list *l, void __user *argp, size_t ver0_entry,
		     u32 filters, struct pid **pid)
{
	int err;

	*pid = NULL;
	err = axs_args_in(l, sizeof(*l), AMDXSCHED_LIST_SIZE_VER0, argp);
	if (err)
		return err;
	if (l->flags || !axs_zeroed(l->reserved, sizeof(l->reserved)))
		return -EINVAL;
	/* GPUs belong to no process; a process spans GPUs. */
	if ((!(filters & LIST_BY_PID) && l->pid) ||
	    (!(filters & LIST_BY_GPU) && l->gpu_id != AMDXSCHED_GPU_ANY))
		return -EINVAL;
	if (l->count > AMDXSCHED_MAX_LIST)
		return -E2BIG;
	if (l->count && l->entry_size < ver0_entry)
		return -EINVAL;
	if (l->count && l->entry_size > PAGE_SIZE)
		return -E2BIG;

	/* A thread id names its process, as in SET_PROC_ATTR. */
	if (l->pid) {
		*pid = tgid_of(l->pid);
		if (!*pid)
			return -ESRCH;
	}
	return 0;
}

/*
 * uid and comm as they are now, for as long as the process lives: it may
 * exec, rename itself or change its uid after the module met it, and rules
 * and visibility are matched against what a list shows. axs.lock
 */
static void proc_refresh(struct axs_proc *p)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(p->pid, PIDTYPE_TGID);
	if (task) {
		WRITE_ONCE(p->uid, task_uid(task));	/* events read it locklessly */
		get_task_comm(p->comm, task);
	}
	rcu_read_unlock();
}

static void procs_refresh(void)
{
	struct axs_proc *p;

	list_for_each_entry(p, &axs.procs, node)
		proc_refresh(p);
}

/* Do the list's filters name things @f can see? ENODEV, ESRCH or 0. axs.lock */
static int list_filters_known(const struct axs_file *f, const struct amdxsched_list *l,
			      struct pid *pid)
{
	struct axs_proc *p;

	lockdep_assert_held(&axs.lock);
	if (l->gpu_id != AMDXSCHED_GPU_ANY && !axs_gpu_find(l->gpu_id))
		return -ENODEV;
	if (!pid)
		return 0;
	p = axs_proc_find(pid);
	if (p)
		proc_refresh(p);
	return p && axs_uid_visible(f, p->uid) ? 0 : -ESRCH;
}

/*
 * A list's entries are gathered under axs.lock into a kernel buffer and
 * copied to the caller after the lock is dropped: a reader whose buffer
 * faults slowly (a userfaultfd or FUSE page) must hold up no lease and no
 * other caller.
 */
struct list_snap {
	u8 *buf;
	size_t esize;		/* the kernel's entry size */
	u32 cap;		/* entries buf holds */
	u32 used;
};

/* Room for the first min(@matches, l->count) entries. axs.lock */
static int snap_alloc(struct list_snap *s, const struct amdxsched_list *l,
		      u32 matches, size_t esize)
{
	lockdep_assert_held(&axs.lock);
	s->esize = esize;
	s->cap = min(l->count, matches);
	s->used = 0;
	s->buf = NULL;
	if (!s->cap)
		return 0;
	s->buf = kvmalloc_array(s->cap, esize, GFP_KERNEL_ACCOUNT);
	return s->buf ? 0 : -ENOMEM;
}

/* The next entry to fill, or NULL once the caller's count is reached. */
static void *snap_next(struct list_snap *s)
{
	if (s->used == s->cap)
		return NULL;
	return s->buf + (size_t)s->used++ * s->esize;
}

/* Copy the gathered entries out (no module lock held) and free them. */
static int snap_copy_free(struct list_snap *s, const struct amdxsched_list *l)
{
	int err = 0;
	u32 i;

	for (i = 0; i < s->used && !err; i++)
		err = axs_copy_entry(u64_to_user_ptr(l->entries) + (size_t)i * l->entry_size,
				     l->entry_size, s->buf + (size_t)i * s->esize, s->esize);
	kvfree(s->buf);
	s->buf = NULL;
	return err;
}

/* Finish a list call: report how many entries matched. */
static long list_end(void __user *argp, struct amdxsched_list *l, u32 n, int err)
{
	if (err)
		return err;
	l->count = n;
	return axs_args_out(argp, l, sizeof(*l));
}

static void gpu_info(const struct axs_gpu *gpu, struct amdxsched_gpu_info *gi)
{
	memset(gi, 0, sizeof(*gi));
	gi->gpu_id = gpu->id;
	gi->backend = gpu->backend;
	gi->kfd_gpu_id = gpu->kfd_gpu_id;
	gi->flags = gpu->flags;
	gi->gfx_target_version = gpu->gfx_target_version;
	gi->num_xcc = gpu->topo.num_xcc;
	gi->num_se_per_xcc = gpu->topo.num_se;
	gi->num_sh_per_se = gpu->topo.num_sh;
	gi->num_cu = axs_topo_num_cu(&gpu->topo);
	gi->num_queues = gpu->nqueues;
	gi->cu_state_bytes = gpu->cu_state_bytes;
	gi->preempt_timeout_ms = gpu->preempt_timeout_ms;
	BUILD_BUG_ON(sizeof(gi->active_cu) != sizeof(gpu->topo.active));
	memcpy(gi->active_cu, gpu->topo.active, sizeof(gi->active_cu));
	gpu->ops->gpu_counters((struct axs_gpu *)gpu, &gi->counters);
	gi->counters.suspends = gpu->stats.suspends;
	gi->counters.resumes = gpu->stats.resumes;
	gi->counters.suspended_ns = gpu->stats.suspended_ns;
	gi->counters.lease_expiries = gpu->stats.lease_expiries;
}

static bool gpu_listed(const struct axs_gpu *gpu, const struct amdxsched_list *l)
{
	return l->gpu_id == AMDXSCHED_GPU_ANY || gpu->id == l->gpu_id;
}

long axs_ioctl_list_gpus(struct axs_file *f, void __user *argp)
{
	struct list_snap s = {};
	struct amdxsched_list l;
	struct axs_gpu *gpu;
	struct pid *pid;
	void *e;
	u32 n = 0;
	int err;

	err = list_args(&l, argp, AMDXSCHED_GPU_INFO_SIZE_VER0, LIST_BY_GPU, &pid);
	if (err)
		return err;

	mutex_lock(&axs.lock);
	err = list_filters_known(f, &l, pid);
	if (err)
		goto out;
	list_for_each_entry(gpu, &axs.gpus, node)
		n += gpu_listed(gpu, &l);
	err = snap_alloc(&s, &l, n, sizeof(struct amdxsched_gpu_info));
	if (err)
		goto out;
	list_for_each_entry(gpu, &axs.gpus, node) {
		if (!gpu_listed(gpu, &l))
			continue;
		e = snap_next(&s);
		if (!e)
			break;
		gpu_info(gpu, e);
	}
out:
	mutex_unlock(&axs.lock);
	if (!err)
		err = snap_copy_free(&s, &l);
	return list_end(argp, &l, n, err);
}

static u32 pid_in_caller_ns(struct pid *pid)
{
	return pid ? pid_nr_ns(pid, task_active_pid_ns(current)) : 0;
}

static void queue_info(struct axs_file *f, struct axs_queue *q,
		       struct amdxsched_queue_info *qi)
{
	u64 now = ktime_get_ns();

	memset(qi, 0, sizeof(*qi));
	qi->handle = q->handle;
	qi->pid = pid_in_caller_ns(q->proc->pid);
	qi->gpu_id = q->gpu->id;
	qi->kfd_queue_id = q->kfd_qid;
	qi->type = q->type;
	qi->priority = q->priority;
	qi->cu_mask_bits = q->cu_mask_bits;
	memcpy(qi->cu_mask, q->cu_mask, sizeof(qi->cu_mask));
	qi->counters.suspends = q->stats.suspends;
	qi->counters.resumes = q->stats.resumes;
	qi->counters.suspended_ns = q->stats.suspended_ns;
	qi->counters.lease_expiries = q->stats.lease_expiries;
	qi->attr_flags = q->attr_flags;
	qi->sched_class = q->sched_class;
	qi->attr_priority = q->attr_priority;
	qi->share = q->share;
	qi->deadline_ns = q->deadline_ns;
	qi->app_priority = q->app_priority;
	/* A suspension shows, and counts, once its call is over (control.c). */
	if (q->lease && !q->lease->building) {
		qi->state |= AMDXSCHED_QUEUE_S_SUSPENDED;
		if (q->lease->owner == f)
			qi->state |= AMDXSCHED_QUEUE_S_MINE;
		if (q->stuck)
			qi->state |= AMDXSCHED_QUEUE_S_STUCK;
		qi->level = q->level;
		qi->lease_id = q->lease->id;
		qi->lease_deadline_ns = q->lease->deadline_ns;
		if (q->lease->owner)
			qi->holder_pid = pid_in_caller_ns(q->lease->owner->opener);
		qi->counters.suspended_ns += now - q->suspended_at;
	}
	q->gpu->ops->queue_info(q, qi);
	/*
	 * The backend's state runs ahead of the registry's while a call is
	 * between its backend call and its record: draining shows only with
	 * the suspension it belongs to.
	 */
	if (!(qi->state & AMDXSCHED_QUEUE_S_SUSPENDED))
		qi->state &= ~AMDXSCHED_QUEUE_S_DRAINING;
}

static bool queue_listed(const struct axs_file *f, const struct axs_queue *q,
			 const struct amdxsched_list *l, const struct pid *pid)
{
	return (!pid || q->proc->pid == pid) &&
	       (l->gpu_id == AMDXSCHED_GPU_ANY || q->gpu->id == l->gpu_id) &&
	       axs_proc_visible(f, q->proc);
}

long axs_ioctl_list_queues(struct axs_file *f, void __user *argp)
{
	struct list_snap s = {};
	struct amdxsched_list l;
	struct axs_queue *q;
	unsigned long idx;
	struct pid *pid;
	void *e;
	u32 n = 0;
	int err;

	err = list_args(&l, argp, AMDXSCHED_QUEUE_INFO_SIZE_VER0,
			LIST_BY_PID | LIST_BY_GPU, &pid);
	if (err)
		return err;

	mutex_lock(&axs.lock);
	err = list_filters_known(f, &l, pid);
	if (err)
		goto out;
	if (!f->control)	/* whose they are decides what is shown */
		procs_refresh();
	xa_for_each(&axs.queues, idx, q)
		n += queue_listed(f, q, &l, pid);
	err = snap_alloc(&s, &l, n, sizeof(struct amdxsched_queue_info));
	if (err)
		goto out;
	xa_for_each(&axs.queues, idx, q) {
		if (!queue_listed(f, q, &l, pid))
			continue;
		e = snap_next(&s);
		if (!e)
			break;
		queue_info(f, q, e);
	}
out:
	mutex_unlock(&axs.lock);
	put_pid(pid);
	if (!err)
		err = snap_copy_free(&s, &l);
	return list_end(argp, &l, n, err);
}

static void proc_info(struct axs_proc *p, struct amdxsched_proc_info *pi)
{
	proc_refresh(p);
	memset(pi, 0, sizeof(*pi));
	pi->pid = pid_in_caller_ns(p->pid);
	pi->uid = from_kuid_munged(current_user_ns(), p->uid);
	pi->flags = p->presence | (p->attr_set ? AMDXSCHED_PROC_F_ATTR : 0) |
		    (READ_ONCE(p->debugged) ? AMDXSCHED_PROC_F_DEBUGGED : 0);
	pi->num_queues = p->nqueues;
	pi->sched_class = p->sched_class;
	pi->priority = p->priority;
	pi->share = p->share;
	pi->attrs = p->attr_set;
	pi->deadline_ns = p->deadline_ns;
	memcpy(pi->comm, p->comm, min(sizeof(pi->comm), sizeof(p->comm)));
	memcpy(pi->tag, p->tag, sizeof(pi->tag));
}

static bool proc_listed(const struct axs_file *f, const struct axs_proc *p,
			const struct pid *pid)
{
	return (!pid || p->pid == pid) && axs_proc_visible(f, p);
}

long axs_ioctl_list_procs(struct axs_file *f, void __user *argp)
{
	struct list_snap s = {};
	struct amdxsched_list l;
	struct axs_proc *p;
	struct pid *pid;
	void *e;
	u32 n = 0;
	int err;

	err = list_args(&l, argp, AMDXSCHED_PROC_INFO_SIZE_VER0, LIST_BY_PID, &pid);
	if (err)
		return err;

	mutex_lock(&axs.lock);
	err = list_filters_known(f, &l, pid);
	if (err)
		goto out;
	if (!f->control)
		procs_refresh();
	list_for_each_entry(p, &axs.procs, node)
		n += proc_listed(f, p, pid);
	err = snap_alloc(&s, &l, n, sizeof(struct amdxsched_proc_info));
	if (err)
		goto out;
	list_for_each_entry(p, &axs.procs, node) {
		if (!proc_listed(f, p, pid))
			continue;
		e = snap_next(&s);
		if (!e)
			break;
		proc_info(p, e);
	}
out:
	mutex_unlock(&axs.lock);
	put_pid(pid);
	if (!err)
		err = snap_copy_free(&s, &l);
	return list_end(argp, &l, n, err);
}

/* Tags name a class in config files and logs: keep them to a safe alphabet. */
static bool tag_valid(const char *tag)
{
	size_t len = strnlen(tag, AMDXSCHED_TAG_LEN);
	size_t i;

	if (len == AMDXSCHED_TAG_LEN)
		return false;	/* not terminated */
	for (i = 0; i < len; i++)
		if (!isascii(tag[i]) || (!isalnum(tag[i]) && !strchr("-_.:/", tag[i])))
			return false;
	return axs_zeroed(tag + len, AMDXSCHED_TAG_LEN - len);
}

/*
 * The priority, share and deadline hints, of a process or a queue: in range
 * if @fl selects them, else zero, so they can be given meaning later.
 */
static bool hints_valid(u32 fl, u32 priority, u32 share, u64 deadline_ns)
{
	if ((fl & AMDXSCHED_ATTR_PRIORITY) ? priority > AMDXSCHED_PRIORITY_MAX : priority)
		return false;
	if ((fl & AMDXSCHED_ATTR_SHARE) ? share < 1 || share > 1000 : share)
		return false;
	return (fl & AMDXSCHED_ATTR_DEADLINE) ? deadline_ns <= 3600ULL * NSEC_PER_SEC
					      : !deadline_ns;
}

/* Fields a flag does not select must be zero, so they can be given meaning later. */
static int proc_attr_check(const struct amdxsched_proc_attr *a)
{
	static const char no_tag[AMDXSCHED_TAG_LEN];
	u32 fl = a->flags;

	if (!fl || (fl & ~AMDXSCHED_ATTR_ALL) ||
	    !axs_zeroed(a->reserved, sizeof(a->reserved)))
		return -EINVAL;
	if ((fl & AMDXSCHED_ATTR_CLASS) ? a->sched_class > AMDXSCHED_CLASS_MAX
					: a->sched_class)
		return -EINVAL;
	if (!hints_valid(fl, a->priority, a->share, a->deadline_ns))
		return -EINVAL;
	if ((fl & AMDXSCHED_ATTR_TAG) ? !tag_valid(a->tag)
				      : memcmp(a->tag, no_tag, sizeof(no_tag)))
		return -EINVAL;
	return 0;
}

long axs_ioctl_set_proc_attr(struct axs_file *f, void __user *argp)
{
	struct amdxsched_proc_attr a;
	struct axs_proc *p;
	struct pid *pid;
	bool self;
	int err;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_PROC_ATTR_SIZE_VER0, argp);
	if (err)
		return err;
	err = proc_attr_check(&a);
	if (err)
		return err;

	pid = a.pid ? tgid_of(a.pid) : get_pid(task_tgid(current));
	if (!pid)
		return -ESRCH;
	self = pid == task_tgid(current);

	mutex_lock(&axs.lock);
	if (self)
		proc_prune_dead(f);
	p = axs_proc_find(pid);
	if (!self && !f->control) {
		err = -EPERM;
		goto out;
	}
	if (!p && !self) {
		err = -ESRCH;	/* hints for others only once a backend knows them */
		goto out;
	}
	if (!p) {
		p = axs_proc_get(pid, 0);
		if (!p) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (self && !p->attr_owner) {
		p->attr_owner = f;
		list_add_tail(&p->attr_node, &f->attr_procs);
	}

	if (a.flags & AMDXSCHED_ATTR_CLASS)
		p->sched_class = a.sched_class;
	if (a.flags & AMDXSCHED_ATTR_PRIORITY)
		p->priority = a.priority;
	if (a.flags & AMDXSCHED_ATTR_SHARE)
		p->share = a.share;
	if (a.flags & AMDXSCHED_ATTR_DEADLINE)
		p->deadline_ns = a.deadline_ns;
	if (a.flags & AMDXSCHED_ATTR_TAG)
		memcpy(p->tag, a.tag, sizeof(p->tag));
	p->attr_set |= a.flags;
	axs_event_proc(p, AMDXSCHED_EVENT_PROC_ATTR, p->sched_class, p->priority);
out:
	mutex_unlock(&axs.lock);
	put_pid(pid);
	return err;
}

#define QUEUE_ATTR_FIELDS (AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY | \
			   AMDXSCHED_ATTR_SHARE | AMDXSCHED_ATTR_DEADLINE)

static bool class_valid(u32 c)
{
	return c >= AMDXSCHED_CLASS_REALTIME && c <= AMDXSCHED_CLASS_MAX;
}

/* As proc_attr_check(): fields a flag does not select must be zero. */
static int queue_attr_check(const struct amdxsched_queue_attr *a)
{
	u32 fl = a->flags;

	if (fl != AMDXSCHED_QUEUE_ATTR_CLEAR && (!fl || (fl & ~QUEUE_ATTR_FIELDS)))
		return -EINVAL;
	if (a->pad || !axs_zeroed(a->reserved, sizeof(a->reserved)))
		return -EINVAL;
	/* a queue's own class is a class: CLEAR goes back to the process's */
	if ((fl & AMDXSCHED_ATTR_CLASS) ? !class_valid(a->sched_class) : a->sched_class)
		return -EINVAL;
	if (!hints_valid(fl, a->priority, a->share, a->deadline_ns))
		return -EINVAL;
	return 0;
}

/*
 * A queue's own hints: its owner's, or any queue's with control. They
 * change no GPU state (the policy engine reads them), so no rate limit.
 */
long axs_ioctl_set_queue_attr(struct axs_file *f, void __user *argp)
{
	struct amdxsched_queue_attr a;
	struct axs_queue *q;
	int err;

	err = axs_args_in(&a, sizeof(a), AMDXSCHED_QUEUE_ATTR_SIZE_VER0, argp);
	if (err)
		return err;
	err = queue_attr_check(&a);
	if (err)
		return err;

	mutex_lock(&axs.lock);
	q = axs_queue_lookup(f, a.handle);
	if (!q) {
		err = -ENOENT;
		goto out;
	}
	if (!f->control && !axs_is_own(q->proc)) {
		err = -EPERM;
		goto out;
	}
	if (a.flags == AMDXSCHED_QUEUE_ATTR_CLEAR) {
		q->attr_flags = 0;
		q->sched_class = 0;
		q->attr_priority = 0;
		q->share = 0;
		q->deadline_ns = 0;
	}
	if (a.flags & AMDXSCHED_ATTR_CLASS)
		q->sched_class = a.sched_class;
	if (a.flags & AMDXSCHED_ATTR_PRIORITY)
		q->attr_priority = a.priority;
	if (a.flags & AMDXSCHED_ATTR_SHARE)
		q->share = a.share;
	if (a.flags & AMDXSCHED_ATTR_DEADLINE)
		q->deadline_ns = a.deadline_ns;
	q->attr_flags |= a.flags & QUEUE_ATTR_FIELDS;
	axs_event_queue(q, AMDXSCHED_EVENT_QUEUE_ATTR, q->attr_flags, q->sched_class);
out:
	mutex_unlock(&axs.lock);
	return err;
}
