// SPDX-License-Identifier: GPL-2.0-only
/*
 * Busy and idle for real queues, from the AQL dispatch ids ROCr keeps in the
 * application's memory: KFD is given &amd_queue.read_dispatch_id (offset
 * 128) and &amd_queue.write_dispatch_id (offset 56) as the queue's read and
 * write pointers. Both count 64-byte packets.
 *
 * What they can tell: write > read means packets are waiting for the CP;
 * write moving means the application is submitting. What they cannot tell:
 * when a kernel finishes. read advances when the CP takes a packet, not when
 * its kernel completes, so read == write does not mean idle. We call a queue
 * busy when it has waiting packets or its write id moved, and idle once both
 * have been still for kfd_idle_hold_us; a long kernel that was taken off the
 * queue may therefore be reported idle while it runs.
 *
 * A kthread polls every kfd_busy_poll_us, reading the ids under the owner's
 * mm (they are ordinary user memory, and may fault). Queues whose pointers
 * are not 72 bytes apart are not ROCr's and are not watched.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kfd.h"

static unsigned int kfd_busy_poll_us = 500;
module_param(kfd_busy_poll_us, uint, 0444);
MODULE_PARM_DESC(kfd_busy_poll_us, "Poll AQL dispatch ids this often (us, default 500)");

static unsigned int kfd_idle_hold_us = 2000;
module_param(kfd_idle_hold_us, uint, 0444);
MODULE_PARM_DESC(kfd_idle_hold_us, "Still this long before a queue is idle (us, default 2000)");

#define ROCR_RPTR_MINUS_WPTR	72	/* read_dispatch_id - write_dispatch_id in amd_queue_t */

struct watch {
	struct list_head node;		/* watches; watch_lock */
	struct axs_queue *q;		/* valid while on the list */
	struct pid *pid;		/* owner, referenced */
	u64 __user *rptr;
	u64 __user *wptr;
	/* written by the poller, read locklessly by axs_kfd_busy_info() */
	u64 read_id;
	u64 write_id;
	u64 busy_transitions;
	bool busy;
	u64 still_since;		/* poller only */
};

/*
 * watch_lock: the list, held by the poller across a round, which neither
 * faults nor sleeps on a target (read_ids(), mmput_async()). After axs.lock.
 */
static DEFINE_MUTEX(watch_lock);
static LIST_HEAD(watches);
static DECLARE_WAIT_QUEUE_HEAD(poll_wait);
static struct task_struct *poller;

/*
 * Read both ids of @w; the caller has switched to the owner's mm. Without
 * page faults: the poller holds watch_lock, which queue removal (under
 * axs.lock) needs, so a page the owner made slow (userfaultfd, FUSE, swap)
 * must not be waited for. It reads as a miss: no change this round. ROCr
 * touches these ids on every dispatch, so they are resident in practice.
 */
static int read_ids(struct watch *w, u64 *r, u64 *wr)
{
	int err = 0;

	pagefault_disable();
	if (get_user(*wr, w->wptr) || get_user(*r, w->rptr))
		err = -EFAULT;
	pagefault_enable();
	return err;
}

static void update(struct watch *w, u64 r, u64 wr, u64 now)
{
	bool moving = wr != READ_ONCE(w->write_id) || r != READ_ONCE(w->read_id);
	bool busy = w->busy;

	if (wr > r || moving) {
		busy = true;
		w->still_since = now;
	} else if (now - w->still_since >= (u64)kfd_idle_hold_us * NSEC_PER_USEC) {
		busy = false;
	}
	WRITE_ONCE(w->read_id, r);
	WRITE_ONCE(w->write_id, wr);
	if (busy == w->busy)
		return;
	WRITE_ONCE(w->busy, busy);
	if (busy)
		WRITE_ONCE(w->busy_transitions, w->busy_transitions + 1);
	axs_event_queue_at(w->q, busy ? AMDXSCHED_EVENT_QUEUE_BUSY : AMDXSCHED_EVENT_QUEUE_IDLE,
			   now, 0, 0);
}

/* One pass over every watch, switching mm once per run of the same owner. */
static void poll_round(void)
{
	struct mm_struct *mm = NULL;
	struct pid *mm_pid = NULL;
	struct task_struct *task;
	struct watch *w;
	u64 r, wr;

	mutex_lock(&watch_lock);
	list_for_each_entry(w, &watches, node) {
		if (w->pid != mm_pid) {
			if (mm) {
				kthread_unuse_mm(mm);
				mmput_async(mm);	/* never tear an mm down here */
				mm = NULL;
			}
			mm_pid = w->pid;
			task = get_pid_task(w->pid, PIDTYPE_PID);
			if (task) {
				mm = get_task_mm(task);
				put_task_struct(task);
			}
			if (mm)
				kthread_use_mm(mm);
		}
		if (mm && !read_ids(w, &r, &wr))
			update(w, r, wr, ktime_get_ns());
	}
	if (mm) {
		kthread_unuse_mm(mm);
		mmput_async(mm);
	}
	mutex_unlock(&watch_lock);
}

static int poller_fn(void *unused)
{
	unsigned long us;

	while (!kthread_should_stop()) {
		if (list_empty(&watches)) {
			wait_event_interruptible(poll_wait, kthread_should_stop() ||
						 !list_empty(&watches));
			continue;
		}
		poll_round();
		us = max(kfd_busy_poll_us, 50U);
		usleep_range(us, us + us / 4);
	}
	return 0;
}

int axs_kfd_busy_start(void)
{
	poller = kthread_run(poller_fn, NULL, "amdxsched-busy");
	return PTR_ERR_OR_ZERO(poller);
}

void axs_kfd_busy_stop(void)
{
	struct watch *w, *tmp;

	kthread_stop(poller);
	mutex_lock(&watch_lock);
	list_for_each_entry_safe(w, tmp, &watches, node) {
		list_del(&w->node);
		put_pid(w->pid);
		kfree(w);
	}
	mutex_unlock(&watch_lock);
}

/* Watch @q if its AQL dispatch ids have ROCr's layout. */
int axs_kfd_busy_add(struct axs_queue *q, struct pid *pid, u64 rptr, u64 wptr)
{
	struct watch *w;

	lockdep_assert_held(&axs.lock);
	if (!rptr || !wptr || rptr - wptr != ROCR_RPTR_MINUS_WPTR)
		return -EOPNOTSUPP;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->q = q;
	w->pid = get_pid(pid);
	w->rptr = u64_to_user_ptr(rptr);
	w->wptr = u64_to_user_ptr(wptr);
	w->still_since = ktime_get_ns();
	mutex_lock(&watch_lock);
	/* keep one owner's queues together: one mm switch per owner and round */
	list_add(&w->node, &watches);
	mutex_unlock(&watch_lock);
	wake_up(&poll_wait);
	return 0;
}

static struct watch *find(struct axs_queue *q)
{
	struct watch *w;

	list_for_each_entry(w, &watches, node)
		if (w->q == q)
			return w;
	return NULL;
}

void axs_kfd_busy_remove(struct axs_queue *q)
{
	struct watch *w;

	lockdep_assert_held(&axs.lock);
	mutex_lock(&watch_lock);
	w = find(q);
	if (w)
		list_del(&w->node);
	mutex_unlock(&watch_lock);
	if (w) {
		put_pid(w->pid);
		kfree(w);
	}
}

/* Must not sleep: reads what the poller last wrote. axs.lock held. */
void axs_kfd_busy_info(struct axs_queue *q, struct amdxsched_queue_info *qi)
{
	struct watch *w;

	/*
	 * The list only changes under axs.lock (held here) and the poller only
	 * writes the fields read below, so walking it without watch_lock is safe.
	 */
	list_for_each_entry(w, &watches, node) {
		if (w->q != q)
			continue;
		if (READ_ONCE(w->busy))
			qi->state |= AMDXSCHED_QUEUE_S_BUSY;
		qi->counters.busy_transitions = READ_ONCE(w->busy_transitions);
		qi->counters.dispatches_submitted = READ_ONCE(w->write_id);
		qi->counters.dispatches_completed = READ_ONCE(w->read_id);
		break;
	}
}
