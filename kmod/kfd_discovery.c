// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding the KFD processes and queues of unchanged applications.
 *
 * Probes on amdkfd's own lifecycle points report changes as they happen:
 *
 *   kfd_create_process (return)     a process opened /dev/kfd
 *   kfd_process_notifier_release    its mm is going away
 *   kfd_procfs_add_queue            a queue is fully created (p->mutex held)
 *   kfd_procfs_del_queue            a queue goes, by destroy or at teardown
 *
 * All four exist out of line in every kernel we build for (global, or
 * reached through a function pointer). Probe handlers run with preemption
 * off: they only read amdkfd's objects and queue a record; a worker applies
 * the records to the registry under axs.lock. A scan of every process at
 * start, when the record ring overflows, and every kfd_rescan_ms
 * reconciles whatever the probes could not tell (a missed event, a
 * priority the application changed itself).
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "kfd.h"

static unsigned int kfd_rescan_ms = 2000;
module_param(kfd_rescan_ms, uint, 0444);
MODULE_PARM_DESC(kfd_rescan_ms, "Reconcile with amdkfd's process table this often (ms, 0 = never)");

#define RING		1024	/* records between worker runs */

#define REC_PROC_SEEN	1
#define REC_PROC_GONE	2
#define REC_QUEUE_SEEN	3
#define REC_QUEUE_GONE	4

struct rec {
	u8 kind;
	struct pid *pid;		/* referenced */
	struct axs_kfd_seen q;		/* REC_QUEUE_* */
};

/* ring_lock: the ring and overflow, from probe handlers (any context) */
static DEFINE_SPINLOCK(ring_lock);
static struct rec ring[RING];
static unsigned int ring_head, ring_count;
static bool overflow;

static struct workqueue_struct *disc_wq;	/* ordered: one disc_work at a time */
static struct delayed_work disc_work;
static bool running;		/* probes registered; start/stop only */

/* Is @p a primary KFD context (7.2 adds secondary ones for the same mm)? */
static bool primary(struct kfd_process *p)
{
#ifdef AXS_KFD_HAVE_CONTEXTS
	return p->context_id == KFD_CONTEXT_ID_PRIMARY;
#else
	return true;
#endif
}

static u32 our_type(const struct queue_properties *qp)
{
	if (qp->type == KFD_QUEUE_TYPE_COMPUTE)
		return qp->format == KFD_QUEUE_FORMAT_AQL ? AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL
							  : AMDXSCHED_QUEUE_TYPE_COMPUTE;
	return AMDXSCHED_QUEUE_TYPE_SDMA;
}

/* What the registry needs of @q. Any context. */
static struct axs_kfd_seen seen_of(const struct queue *q)
{
	return (struct axs_kfd_seen) {
		.gpu_id = q->device->id,
		.qid = q->properties.queue_id,
		.type = our_type(&q->properties),
		.prio = q->properties.priority,
		.rptr = (u64)(uintptr_t)q->properties.read_ptr,
		.wptr = (u64)(uintptr_t)q->properties.write_ptr,
	};
}

/* Queue a record; on a full ring, remember to rescan instead. Any context. */
static void push(u8 kind, struct kfd_process *p, const struct queue *q)
{
	struct rec *r;
	unsigned long flags;

	if (!primary(p) || !p->lead_thread)
		return;
	spin_lock_irqsave(&ring_lock, flags);
	if (ring_count == RING) {
		overflow = true;
	} else {
		r = &ring[(ring_head + ring_count++) % RING];
		r->kind = kind;
		r->pid = get_pid(task_tgid(p->lead_thread));
		if (q)
			r->q = seen_of(q);
	}
	spin_unlock_irqrestore(&ring_lock, flags);
	mod_delayed_work(disc_wq, &disc_work, 0);
}

static int created_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kfd_process *p = (void *)regs_return_value(regs);

	if (!IS_ERR_OR_NULL(p))
		push(REC_PROC_SEEN, p, NULL);
	return 0;
}

static int released(struct kprobe *kp, struct pt_regs *regs)
{
	struct mmu_notifier *mn = (void *)regs_get_kernel_argument(regs, 0);

	push(REC_PROC_GONE, container_of(mn, struct kfd_process, mmu_notifier), NULL);
	return 0;
}

static int queue_added(struct kprobe *kp, struct pt_regs *regs)
{
	struct queue *q = (void *)regs_get_kernel_argument(regs, 0);

	if (q && q->process)
		push(REC_QUEUE_SEEN, q->process, q);
	return 0;
}

static int queue_deleted(struct kprobe *kp, struct pt_regs *regs)
{
	struct queue *q = (void *)regs_get_kernel_argument(regs, 0);

	if (q && q->process)
		push(REC_QUEUE_GONE, q->process, q);
	return 0;
}

static struct kretprobe create_probe = {
	.kp.symbol_name = "amdgpu:kfd_create_process",
	.handler = created_ret,
};

static struct kprobe probes[] = {
	{ .symbol_name = "amdgpu:kfd_process_notifier_release", .pre_handler = released },
	{ .symbol_name = "amdgpu:kfd_procfs_add_queue", .pre_handler = queue_added },
	{ .symbol_name = "amdgpu:kfd_procfs_del_queue", .pre_handler = queue_deleted },
};

/* ---- The scan ------------------------------------------------------------ */

/* Has some thread of @leader's group still its mm? rcu_read_lock held. */
static bool group_has_mm(struct task_struct *leader)
{
	struct task_struct *t;

	for_each_thread(leader, t)
		if (READ_ONCE(t->mm))
			return true;
	return false;
}

/*
 * The thread groups that may be KFD processes: every one with an mm, also
 * when only threads other than the (exited) leader still use it. Asking
 * amdkfd about each (kfd_lookup_process_by_pid) keeps us off its private
 * process table, whose bucket count changes between versions. Returns how
 * many were collected, or room + 1 if there were more than @room.
 */
static u32 scan_pids(struct pid **pids, u32 room)
{
	struct task_struct *t;
	u32 n = 0;

	rcu_read_lock();
	for_each_process(t) {
		if ((t->flags & PF_KTHREAD) || !group_has_mm(t))
			continue;
		if (n == room) {
			n++;
			break;
		}
		pids[n++] = get_pid(task_tgid(t));
	}
	rcu_read_unlock();
	return n;
}

static u32 count_processes(void)
{
	struct task_struct *t;
	u32 n = 0;

	rcu_read_lock();
	for_each_process(t)
		n++;
	rcu_read_unlock();
	return n;
}

/* Under p->mutex (axs_kfd_with_process): the queues of @p. */
static int scan_queues(struct kfd_process *p, void *arg)
{
	struct axs_kfd_scan *a = arg;
	struct process_queue_node *pqn;

	list_for_each_entry(pqn, &p->pqm.queues, process_queue_list)
		if (pqn->q && a->n < a->room)
			a->q[a->n++] = seen_of(pqn->q);
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	a->debugged = READ_ONCE(p->debug_trap_enabled);
#endif
	return 0;
}

/*
 * Make the registry match amdkfd. Records queued while this runs are applied
 * after it, by the same worker, so nothing it misses is lost. Returns false
 * if it could not look at every process (a scan is owed).
 */
static bool rescan(void)
{
	struct axs_kfd_scan a = { .room = KFD_MAX_NUM_OF_QUEUES_PER_PROCESS };
	struct pid **pids, **alive;
	u32 room, n, nalive = 0, i;
	bool complete = false;

	room = count_processes() + 64;	/* and some that fork meanwhile */
	pids = kvcalloc(room, sizeof(*pids), GFP_KERNEL);
	alive = kvcalloc(room, sizeof(*alive), GFP_KERNEL);
	a.q = kvcalloc(a.room, sizeof(*a.q), GFP_KERNEL);
	n = pids && alive && a.q ? scan_pids(pids, room) : 0;
	if (!n) {
		pr_warn_ratelimited("no memory to look for KFD processes; will try again\n");
		goto out;
	}
	complete = n <= room;
	n = min(n, room);
	for (i = 0; i < n; i++) {
		int err;

		a.n = 0;
		a.debugged = false;
		err = axs_kfd_with_process(pids[i], scan_queues, &a);
		if (err == -EAGAIN) {
			/* it holds its lock: alive, its queues as they were */
			alive[nalive++] = pids[i];
			continue;
		}
		if (err)
			continue;	/* not a KFD process, or gone meanwhile */
		alive[nalive++] = pids[i];
		mutex_lock(&axs.lock);
		axs_kfd_proc_update(pids[i], &a);
		mutex_unlock(&axs.lock);
	}
	/* Forget what is gone only after looking at every process. */
	if (complete) {
		mutex_lock(&axs.lock);
		axs_kfd_procs_keep(alive, nalive);
		mutex_unlock(&axs.lock);
	}
	axs_kfd_reap();
	for (i = 0; i < n; i++)
		put_pid(pids[i]);
out:
	kvfree(a.q);
	kvfree(alive);
	kvfree(pids);
	return complete;
}

static int nothing(struct kfd_process *p, void *arg)
{
	return 0;
}

/*
 * The release probe fires on entry, before amdkfd's own early returns (6.1:
 * the process table already empty; all: a WARN on another mm): believe it
 * only if amdkfd no longer finds a process for the pid's mm. A process that
 * holds its lock (-EAGAIN) is there.
 */
static bool really_gone(struct pid *pid)
{
	int err = axs_kfd_with_process(pid, nothing, NULL);

	if (!err || err == -EAGAIN) {
		pr_info_ratelimited("kfd: process %d is still there after its release was seen; kept\n",
				    pid_nr(pid));
		return false;
	}
	return true;
}

/* Apply queued records; false if the ring overflowed (a rescan is owed). */
static bool drain(void)
{
	struct rec r;
	unsigned long flags;
	bool lost;

	for (;;) {
		spin_lock_irqsave(&ring_lock, flags);
		if (!ring_count) {
			lost = overflow;
			overflow = false;
			spin_unlock_irqrestore(&ring_lock, flags);
			axs_kfd_reap();	/* what the records found gone, once */
			return !lost;
		}
		r = ring[ring_head];
		ring_head = (ring_head + 1) % RING;
		ring_count--;
		spin_unlock_irqrestore(&ring_lock, flags);

		/* no module lock here: it may wait for the process's p->mutex */
		if (r.kind == REC_PROC_GONE && !really_gone(r.pid)) {
			put_pid(r.pid);
			continue;
		}
		mutex_lock(&axs.lock);
		switch (r.kind) {
		case REC_PROC_SEEN:
			axs_kfd_proc_seen(r.pid);
			break;
		case REC_PROC_GONE:
			axs_kfd_proc_gone(r.pid);
			break;
		case REC_QUEUE_SEEN:
			axs_kfd_queue_seen(r.pid, &r.q);
			break;
		case REC_QUEUE_GONE:
			axs_kfd_queue_gone(r.pid, r.q.qid);
			break;
		}
		mutex_unlock(&axs.lock);
		put_pid(r.pid);
	}
}

static unsigned long last_scan;	/* jiffies; the worker only */
static bool scan_owed = true;	/* the worker only */

static void disc_work_fn(struct work_struct *work)
{
	if (!drain())
		scan_owed = true;
	if (kfd_rescan_ms && time_after_eq(jiffies, last_scan + msecs_to_jiffies(kfd_rescan_ms)))
		scan_owed = true;
	if (scan_owed) {
		scan_owed = false;
		last_scan = jiffies;
		if (!rescan())
			scan_owed = true;
		drain();
	}
	if (kfd_rescan_ms && READ_ONCE(running))
		queue_delayed_work(disc_wq, &disc_work, msecs_to_jiffies(kfd_rescan_ms));
}

/* Register the probes and scan once. On failure, nothing stays registered. */
int axs_kfd_discovery_start(void)
{
	int err, i;

	INIT_DELAYED_WORK(&disc_work, disc_work_fn);
	disc_wq = alloc_ordered_workqueue("amdxsched_kfd_disc", 0);
	if (!disc_wq)
		return -ENOMEM;
	err = register_kretprobe(&create_probe);
	if (err) {
		pr_err("cannot probe kfd_create_process: %d\n", err);
		destroy_workqueue(disc_wq);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		err = register_kprobe(&probes[i]);
		if (err) {
			pr_err("cannot probe %s: %d\n", probes[i].symbol_name, err);
			while (--i >= 0)
				unregister_kprobe(&probes[i]);
			unregister_kretprobe(&create_probe);
			destroy_workqueue(disc_wq);
			return err;
		}
	}
	WRITE_ONCE(running, true);
	scan_owed = true;
	/* The first scan, waited for: the registry is complete on return. */
	mod_delayed_work(disc_wq, &disc_work, 0);
	flush_delayed_work(&disc_work);
	return 0;
}

void axs_kfd_discovery_stop(void)
{
	int i;

	WRITE_ONCE(running, false);
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		unregister_kprobe(&probes[i]);
	unregister_kretprobe(&create_probe);
	/* No probe can push any more; let a queued run finish, then drop the rest. */
	cancel_delayed_work_sync(&disc_work);
	destroy_workqueue(disc_wq);
	while (ring_count) {
		put_pid(ring[ring_head].pid);
		ring_head = (ring_head + 1) % RING;
		ring_count--;
	}
}

/* Apply everything the probes have reported so far (tests, ioctl paths). */
void axs_kfd_discovery_flush(void)
{
	flush_delayed_work(&disc_work);
}
