// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event stream: each subscribed file has its own ring of records. An
 * event is copied into every ring whose mask wants it and whose reader can
 * see the process in its pid namespace. A full ring drops the new event but
 * still spends its sequence number, so the reader sees the gap.
 *
 * axs.ev_lock protects the subscriber list and every ring; it is taken with
 * interrupts off because backends report from timers and probes.
 */
#include <linux/cred.h>
#include <linux/log2.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"

#define READ_CHUNK 16	/* records copied out per round, on the stack */

/*
 * @pid and @uid: the process an event is about (NULL for a GPU's): a reader
 * gets it if it can see that pid and, without control, it is its user's.
 */
static void emit(u16 type, u64 t, u64 handle, struct pid *pid, kuid_t uid, u32 gpu_id,
		 u64 d0, u64 d1)
{
	struct amdxsched_event *e;
	struct axs_file *f;
	unsigned long flags;
	u32 nr = 0;

	spin_lock_irqsave(&axs.ev_lock, flags);
	list_for_each_entry(f, &axs.subscribers, sub_node) {
		if (!(f->ev_mask & AMDXSCHED_EVENT_MASK(type)))
			continue;
		if (pid) {
			nr = pid_nr_ns(pid, f->ev_pidns);
			if (!nr || !axs_uid_visible(f, uid))
				continue;	/* not visible to this reader */
		}
		f->ev_seq++;
		if (f->ring_count == f->ring_size)
			continue;	/* dropped: the seq gap tells the reader */
		e = &f->ring[(f->ring_head + f->ring_count) & (f->ring_size - 1)];
		e->size = sizeof(*e);
		e->type = type;
		e->flags = 0;
		e->seq = f->ev_seq;
		e->timestamp_ns = t;
		e->handle = handle;
		e->pid = nr;
		e->gpu_id = gpu_id;
		e->data[0] = d0;
		e->data[1] = d1;
		f->ring_count++;
		wake_up_interruptible(&f->ev_wait);
	}
	spin_unlock_irqrestore(&axs.ev_lock, flags);
}

void axs_event_queue_at(struct axs_queue *q, u16 type, u64 t, u64 d0, u64 d1)
{
	emit(type, t, q->handle, q->proc->pid, READ_ONCE(q->proc->uid), q->gpu->id, d0, d1);
}

void axs_event_queue(struct axs_queue *q, u16 type, u64 d0, u64 d1)
{
	axs_event_queue_at(q, type, ktime_get_ns(), d0, d1);
}

void axs_event_proc(struct axs_proc *p, u16 type, u64 d0, u64 d1)
{
	emit(type, ktime_get_ns(), 0, p->pid, READ_ONCE(p->uid), AMDXSCHED_GPU_ANY, d0, d1);
}

void axs_event_gpu(struct axs_gpu *gpu, u16 type, u64 d0, u64 d1)
{
	emit(type, ktime_get_ns(), 0, NULL, GLOBAL_ROOT_UID, gpu->id, d0, d1);
}

/*
 * May @f subscribe? ENOSPC when all subscriptions are taken, or all that
 * files without control may take; EDQUOT when its user already has
 * AXS_MAX_SUBSCRIBERS_PER_USER. A file with control is held to the first
 * limit only, so unprivileged users can never lock the admin out. ev_lock
 */
static int subscribe_allowed(const struct axs_file *f)
{
	const struct axs_file *s;
	u32 mine = 0;

	lockdep_assert_held(&axs.ev_lock);
	if (axs.nsubscribers >= AXS_MAX_SUBSCRIBERS)
		return -ENOSPC;
	if (f->control)
		return 0;
	if (axs.nsubscribers_unpriv >= AXS_MAX_SUBSCRIBERS_UNPRIV)
		return -ENOSPC;
	list_for_each_entry(s, &axs.subscribers, sub_node)
		mine += !s->control && uid_eq(s->uid, f->uid);
	return mine >= AXS_MAX_SUBSCRIBERS_PER_USER ? -EDQUOT : 0;
}

/* Stop events; the caller frees *old_ring and drops *old_ns after unlocking. */
static void unsubscribe(struct axs_file *f, struct amdxsched_event **old_ring,
			struct pid_namespace **old_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&axs.ev_lock, flags);
	*old_ns = NULL;
	if (f->subscribed) {
		list_del_init(&f->sub_node);
		axs.nsubscribers--;
		axs.nsubscribers_unpriv -= !f->control;
		f->subscribed = false;
		*old_ns = f->ev_pidns;
		f->ev_pidns = NULL;
	}
	*old_ring = f->ring;
	f->ring = NULL;
	f->ring_size = 0;
	f->ring_count = 0;
	f->ring_head = 0;
	f->ev_mask = 0;
	spin_unlock_irqrestore(&axs.ev_lock, flags);
	wake_up_interruptible(&f->ev_wait);	/* blocked readers get EINVAL */
}

long axs_ioctl_events_config(struct axs_file *f, void __user *argp)
{
	struct amdxsched_event *ring = NULL, *old = NULL;
	struct pid_namespace *ns = NULL, *old_ns = NULL;
	struct amdxsched_events_config c;
	unsigned long flags;
	u32 entries;
	int err;

	err = axs_args_in(&c, sizeof(c), AMDXSCHED_EVENTS_CONFIG_SIZE_VER0, argp);
	if (err)
		return err;
	if (c.flags || c.pad || !axs_zeroed(c.reserved, sizeof(c.reserved)))
		return -EINVAL;
	if (c.mask & ~AMDXSCHED_EVENT_MASK_ALL)
		return -EINVAL;
	entries = c.ring_entries;
	if (entries && (!is_power_of_2(entries) ||
			entries < AMDXSCHED_EVENTS_RING_MIN ||
			entries > AMDXSCHED_EVENTS_RING_MAX))
		return -EINVAL;

	/* Serialise against read(), which uses the ring without ev_lock held. */
	mutex_lock(&f->read_lock);
	if (!c.mask) {
		unsubscribe(f, &old, &old_ns);
		goto out;
	}

	if (!entries)
		entries = f->ring_size ? f->ring_size : AMDXSCHED_EVENTS_RING_DEFAULT;
	if (entries != f->ring_size) {
		ring = kvcalloc(entries, sizeof(*ring), GFP_KERNEL_ACCOUNT);
		if (!ring) {
			err = -ENOMEM;
			goto out;
		}
	}

	ns = get_pid_ns(task_active_pid_ns(current));
	spin_lock_irqsave(&axs.ev_lock, flags);
	err = f->subscribed ? 0 : subscribe_allowed(f);
	if (err) {
		spin_unlock_irqrestore(&axs.ev_lock, flags);
		goto out;
	}
	if (ring) {
		/* A new ring starts empty; events still unread count as dropped. */
		old = f->ring;
		f->ring = ring;
		f->ring_size = entries;
		f->ring_head = 0;
		f->ring_count = 0;
		ring = NULL;
	}
	f->ev_mask = c.mask;
	if (!f->subscribed) {
		f->ev_pidns = ns;	/* pids are shown as the subscriber sees them */
		ns = NULL;
		list_add_tail(&f->sub_node, &axs.subscribers);
		axs.nsubscribers++;
		axs.nsubscribers_unpriv += !f->control;
		f->subscribed = true;
	}
	spin_unlock_irqrestore(&axs.ev_lock, flags);
out:
	mutex_unlock(&f->read_lock);
	kvfree(ring);
	kvfree(old);
	if (ns)
		put_pid_ns(ns);
	if (old_ns)
		put_pid_ns(old_ns);
	return err;
}

/* Move up to @want records to @buf; returns how many, or -EFAULT. */
static ssize_t copy_records(struct axs_file *f, char __user *buf, size_t want)
{
	struct amdxsched_event chunk[READ_CHUNK];
	unsigned long flags;
	size_t done = 0, n, i;

	while (done < want) {
		/* Copy out before consuming, so a fault loses nothing. */
		spin_lock_irqsave(&axs.ev_lock, flags);
		n = min3(want - done, (size_t)f->ring_count, (size_t)READ_CHUNK);
		for (i = 0; i < n; i++)
			chunk[i] = f->ring[(f->ring_head + i) & (f->ring_size - 1)];
		spin_unlock_irqrestore(&axs.ev_lock, flags);
		if (!n)
			break;
		if (copy_to_user(buf + done * sizeof(chunk[0]), chunk,
				 n * sizeof(chunk[0])))
			return done ? done : -EFAULT;
		spin_lock_irqsave(&axs.ev_lock, flags);
		f->ring_head = (f->ring_head + n) & (f->ring_size - 1);
		f->ring_count -= n;
		spin_unlock_irqrestore(&axs.ev_lock, flags);
		done += n;
	}
	return done;
}

ssize_t axs_events_read(struct file *file, char __user *buf, size_t len, loff_t *off)
{
	struct axs_file *f = file->private_data;
	size_t want = len / sizeof(struct amdxsched_event);
	ssize_t ret;

	if (!want)
		return -EINVAL;

	/* read_lock keeps the ring from being swapped while we copy. */
	mutex_lock(&f->read_lock);
	for (;;) {
		if (!f->subscribed) {
			ret = -EINVAL;
			break;
		}
		ret = copy_records(f, buf, want);
		if (ret)
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&f->read_lock);
		ret = wait_event_interruptible(f->ev_wait,
					       READ_ONCE(f->ring_count) ||
					       !READ_ONCE(f->subscribed));
		mutex_lock(&f->read_lock);
		if (ret)
			break;
	}
	mutex_unlock(&f->read_lock);
	return ret > 0 ? ret * (ssize_t)sizeof(struct amdxsched_event) : ret;
}

__poll_t axs_events_poll(struct file *file, struct poll_table_struct *wait)
{
	struct axs_file *f = file->private_data;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, &f->ev_wait, wait);
	spin_lock_irqsave(&axs.ev_lock, flags);
	if (!f->subscribed)
		mask = EPOLLERR;
	else if (f->ring_count)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irqrestore(&axs.ev_lock, flags);
	return mask;
}

void axs_events_file_release(struct axs_file *f)
{
	struct pid_namespace *old_ns;
	struct amdxsched_event *old;

	unsubscribe(f, &old, &old_ns);
	kvfree(old);
	if (old_ns)
		put_pid_ns(old_ns);
}
