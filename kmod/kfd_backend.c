// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kfd backend: suspend, resume, prioritise and CU-mask the compute
 * queues of unchanged processes, by calling amdkfd's own functions the way
 * its ioctls do. Documentation/kfd-backend.rst explains every call and why
 * it is sound; this file keeps the reasoning next to the code.
 *
 * Nothing here keeps a pointer to an amdkfd object between calls: queues are
 * known by (process, KFD queue id), and each call looks the process up again
 * with a reference (kfd_lookup_process_by_pid) and holds its p->mutex, as
 * amdkfd's ioctls do.
 */
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kfd.h"

static struct kfd_dev *node_kfd(struct axs_kfd_node *n)
{
#ifdef AXS_KFD_HAVE_NODE
	return n->kfd;
#else
	return n;
#endif
}

static u32 node_num_xcc(struct axs_kfd_node *n)
{
#ifdef AXS_KFD_HAVE_NODE
	return hweight32(n->xcc_mask);
#else
	return 1;
#endif
}

/* suspend_queues() marks entries of its queue-id array with these. */
#define QID_INVALID	BIT(31)		/* KFD_DBG_QUEUE_INVALID_MASK */
#define QID_ERROR	BIT(30)		/* KFD_DBG_QUEUE_ERROR_MASK */

/*
 * Grace periods, in the CP's units (CP_IQ_WAIT_TIME2.SCH_WAVE, 8 bits; the
 * time in-flight waves get before CWSR saves them). 0 asks for the shortest
 * (amdgpu turns it into 1: 0 in the register would mean forever); 255 is the
 * longest finite one. See Documentation/kfd-backend.rst, "Levels".
 */
#define GRACE_LV3	0
#define GRACE_LV2	0xff

static bool kfd = true;
module_param(kfd, bool, 0444);
MODULE_PARM_DESC(kfd, "Start the kfd backend for real amdkfd queues (default 1)");

static bool kfd_trust_layout;
module_param(kfd_trust_layout, bool, 0444);
MODULE_PARM_DESC(kfd_trust_layout,
		 "Run without amdgpu BTF to check amdkfd's layout against (default 0)");

struct axs_kfd_api axs_kfd;

/* Each pointer has the type of amdkfd's prototype in the source built against. */
#define SAME(member, fn) static_assert(__same_type(axs_kfd.member, &(fn)))
SAME(lookup_process_by_pid, kfd_lookup_process_by_pid);
SAME(unref_process, kfd_unref_process);
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
SAME(suspend_queues, suspend_queues);
SAME(resume_queues, resume_queues);
#else
SAME(evict_queues, kfd_process_evict_queues);
SAME(restore_queues, kfd_process_restore_queues);
#endif
SAME(update_queue_properties, pqm_update_queue_properties);
SAME(update_mqd, pqm_update_mqd);
SAME(get_user_queue, pqm_get_user_queue);
SAME(enum_devices, kfd_topology_enum_kfd_devices);
SAME(topology_device_by_id, kfd_topology_device_by_id);

/* What BACKEND_INFO reports; written at start and stop only. axs.lock */
static struct {
	u32 status;
	int error;
	u32 levels;
	u32 caps;
	char detail[128];
} state;

struct kfd_gpu {
	struct axs_gpu gpu;
	u32 gpu_id;			/* KFD topology gpu_id */
	/* written under gpu.op_lock, read without it (gpu_counters) */
	u64 calls;			/* amdkfd calls that remapped it */
	u64 call_ns;
	u64 hangs;
	struct list_head gone;		/* its queues amdkfd destroyed; axs.lock */
	/* Room for one batch; gpu.op_lock (a worker uses it while we wait). */
	struct {
		u32 qids[AMDXSCHED_MAX_BATCH];
		int status[AMDXSCHED_MAX_BATCH];
		bool had_new[AMDXSCHED_MAX_BATCH];
		bool done[AMDXSCHED_MAX_BATCH];
	} scratch;
};

static unsigned int ngpus;		/* kfd GPUs in axs.gpus; axs.lock */
static struct kfd_gpu *kgs[AXS_MAX_GPUS];	/* the same; set at start only */
static struct workqueue_struct *kfd_wq;	/* calls that need another mm */

static struct kfd_gpu *to_kfd_gpu(struct axs_gpu *gpu)
{
	return container_of(gpu, struct kfd_gpu, gpu);
}

static struct kfd_gpu *gpu_by_id(u32 gpu_id)
{
	struct axs_gpu *gpu;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry(gpu, &axs.gpus, node)
		if (gpu->backend == AMDXSCHED_BACKEND_KFD && to_kfd_gpu(gpu)->gpu_id == gpu_id)
			return to_kfd_gpu(gpu);
	return NULL;
}

/* ---- Calling amdkfd ------------------------------------------------------ */

/* One operation on one process, run under its p->mutex. */
struct proc_call {
	struct pid *pid;
	int (*fn)(struct kfd_process *p, void *c);
	u32 level;
	u32 n;
	u32 *qids;			/* n queue ids */
	int *status;			/* n results */
	bool *had_new;			/* n flags, for suspend_queues() */
	u32 prio;			/* set_priority */
	const u32 *mask;		/* set_cu_mask */
	u32 nbits;
	bool gone_ok;			/* evict/restore: the queue may be gone */
	/*
	 * fn takes its queue ids as user memory (suspend_queues()): from a
	 * context with no mm, it runs in a kworker with @umm, a lease
	 * creator's mm, borrowed.
	 */
	bool umem;
	struct mm_struct *umm;
	struct axs_proc *proc;		/* still_suspended: marked if debugged */
	int err;			/* amdkfd's error where a status is UNKNOWN */
	int ret;
	struct work_struct work;
	struct completion done;
};

/*
 * A thread of the thread group @pid that has its mm, referenced, or NULL:
 * the leader, or, once the leader has exited while other threads go on
 * (pthread_exit() in main), one of those. amdkfd's process belongs to the
 * mm, which lives as long as any of its threads; the leader's struct pid
 * stays with the group (a zombie leader is reaped last), so the registry
 * goes on naming the process by it.
 */
struct task_struct *axs_kfd_live_thread(struct pid *pid)
{
	struct task_struct *leader, *t, *found = NULL;

	rcu_read_lock();
	leader = pid_task(pid, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			if (READ_ONCE(t->mm) && !(t->flags & PF_EXITING)) {
				found = get_task_struct(t);
				break;
			}
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * Take @p's mutex, waiting AXS_KFD_PROC_LOCK_MS at most. amdkfd holds it
 * across its own ioctls, some of which copy to user memory that can fault
 * as slowly as the process likes (GET_QUEUE_WAVE_STATE into a userfaultfd
 * page): a process must not hold a GPU's op_lock, and with it every lease
 * on that GPU, by holding its own lock. There is no mutex_lock_timeout().
 */
static bool proc_lock(struct kfd_process *p)
{
	unsigned long end = jiffies + msecs_to_jiffies(AXS_KFD_PROC_LOCK_MS);

	while (!mutex_trylock(&p->mutex)) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(200, 1000);
	}
	return true;
}

/*
 * Run @fn on the process of @pid as amdkfd's own ioctls would: with a
 * reference on the process, its p->mutex held, and a reference on its mm
 * for the whole call (as AMDKFD_IOC_DBG_TRAP does): from 7.2 on, the
 * process's queues are torn down when its mm goes, without p->mutex.
 * -EAGAIN if the process held its mutex too long (proc_lock()). The mm is
 * given back with mmput_async(): its last reference must not tear down an
 * address space under a module lock.
 */
int axs_kfd_with_process(struct pid *pid, int (*fn)(struct kfd_process *p, void *arg),
			 void *arg)
{
	struct task_struct *task;
	struct kfd_process *p;
	struct mm_struct *mm;
	int err = -ESRCH;

	task = axs_kfd_live_thread(pid);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	if (!mm) {
		put_task_struct(task);
		return -ESRCH;
	}
	/* amdkfd finds its process by that thread's mm */
	p = axs_kfd.lookup_process_by_pid(task_pid(task));
	if (p) {
		/*
		 * Before the first write into amdkfd's process (its mutex), two
		 * things the module knows on its own must be where the compiled
		 * layout says: the mm we pinned and the thread group's leader.
		 * amdkfd finds the process by the task's mm at lookup time, so
		 * an exec after get_task_mm() can hand us another process than
		 * the mm we pinned, whose teardown (7.2: on mm release, without
		 * p->mutex) our reference would not hold off: that is -ESRCH,
		 * and only the pinned mm's process is acted on (p->mm stays set
		 * while it is pinned). The right mm with another leader means
		 * the layout is wrong (kfd_trust_layout=1 without BTF): -EPROTO,
		 * and nothing is touched.
		 */
		if (READ_ONCE(p->mm) != mm) {
			err = -ESRCH;
		} else if (READ_ONCE(p->lead_thread) != task->group_leader) {
			pr_warn_once("kfd: amdkfd's process of pid %d has another leader than its task: layout mismatch? nothing done\n",
				     pid_nr(pid));
			err = -EPROTO;
		} else if (READ_ONCE(p->pqm.process) != p) {
			/* pqm_init() points the queue manager back at its process */
			pr_warn_once("kfd: amdkfd's process of pid %d: its queue manager does not point back at it: layout mismatch? nothing done\n",
				     pid_nr(pid));
			err = -EPROTO;
		} else if (!proc_lock(p)) {
			err = -EAGAIN;
		} else {
			err = p->mm == mm ? fn(p, arg) : -ESRCH;
			mutex_unlock(&p->mutex);
		}
		axs_kfd.unref_process(p);
	}
	mmput_async(mm);
	put_task_struct(task);
	return err;
}

/*
 * In a kworker, with the mm of the process that asked for the suspension
 * borrowed (the lease pins it): for callers without an mm of their own
 * (lease expiry, a holder's file closed as it exits), since amdkfd takes
 * queue-id arrays as user memory of current. Never the target's mm: a page
 * there would count against its map limit and memory cgroup, and it could
 * read, write or replace it.
 */
static void proc_call_work(struct work_struct *work)
{
	struct proc_call *c = container_of(work, struct proc_call, work);

	kthread_use_mm(c->umm);
	c->ret = axs_kfd_with_process(c->pid, c->fn, c);
	kthread_unuse_mm(c->umm);
	complete(&c->done);
}

static int proc_call_run(struct proc_call *c)
{
	if (!c->umem || (current->mm && !(current->flags & PF_KTHREAD)))
		return axs_kfd_with_process(c->pid, c->fn, c);
	/* every lease pins its creator's mm (lease_alloc(), an ioctl) */
	if (WARN_ON_ONCE(!c->umm))
		return -EINVAL;
	INIT_WORK_ONSTACK(&c->work, proc_call_work);
	init_completion(&c->done);
	queue_work(kfd_wq, &c->work);
	wait_for_completion(&c->done);
	destroy_work_on_stack(&c->work);
	return c->ret;
}

#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
/*
 * suspend_queues() and resume_queues() take their queue-id array as a user
 * pointer (memdup_user, copy_to_user), as from the debugger ioctl. We map
 * one anonymous page into the mm we run with, for the duration of a call:
 * the caller's, or a lease creator's (proc_call_work()). Only the ids are
 * read from it by amdkfd; what happened to each queue is read back from
 * amdkfd's own state (qid_result()), not from this page, which the process
 * owning the mm could rewrite.
 */
struct ubuf {
	unsigned long addr;
	size_t len;
};

static int ubuf_map(struct ubuf *u, size_t len)
{
	u->len = PAGE_ALIGN(len);
	u->addr = vm_mmap(NULL, 0, u->len, PROT_READ | PROT_WRITE,
			  MAP_ANONYMOUS | MAP_PRIVATE, 0);
	return IS_ERR_VALUE(u->addr) ? (int)u->addr : 0;
}

static void ubuf_unmap(struct ubuf *u)
{
	vm_munmap(u->addr, u->len);
}

/*
 * Per-entry result of suspend_queues()/resume_queues(), from amdkfd's state
 * of the queue, read under p->mutex, which every other writer of
 * is_suspended holds too (the debugger ioctls on this target; nothing else
 * sets it). @v is the entry amdkfd wrote back, trusted only to make a
 * result worse: its error bit marks a queue whose remap failed (state
 * unknown: it stays under its lease, or is resumed again). An entry that
 * could not be read back is passed as QID_ERROR.
 */
static int qid_result(struct kfd_process *p, u32 qid, bool suspend, u32 v)
{
	struct queue *q = axs_kfd.get_user_queue(&p->pqm, qid);

	if (!q)
		return -ENOENT;
	if (READ_ONCE(q->properties.is_suspended) == suspend)
		return v & QID_ERROR ? AXS_STATUS_UNKNOWN : 0;
	/*
	 * Not done: the queue is being destroyed, or suspend_single_queue()
	 * refused a new one (-EBUSY: its EC_QUEUE_NEW came back), or an error
	 * on another queue stopped amdkfd's loop; a resume is tried again.
	 */
	if (READ_ONCE(q->properties.is_being_destroyed))
		return -ENOENT;
	return suspend ? -EBUSY : -EIO;
}

/*
 * EC_QUEUE_NEW is set on every queue at creation (init_user_queue) and is
 * cleared only by a debugger reading its events; suspend_single_queue()
 * refuses (-EBUSY) a queue that has it, so that a debugger never suspends a
 * queue it was not told about. With no debugger attached (checked by the
 * caller) nothing reads it, so we clear it for the call and put it back,
 * under p->event_mutex, the lock suspend_queues() itself uses for it.
 */
static u64 take_new_bits(struct kfd_process *p, const u32 *qids, u32 n, bool *had)
{
	u32 i;
	u64 bit = KFD_EC_MASK(EC_QUEUE_NEW);

	mutex_lock(&p->event_mutex);
	for (i = 0; i < n; i++) {
		struct queue *q = axs_kfd.get_user_queue(&p->pqm, qids[i]);

		had[i] = q && (q->properties.exception_status & bit);
		if (had[i])
			q->properties.exception_status &= ~bit;
	}
	mutex_unlock(&p->event_mutex);
	return bit;
}

static void give_new_bits(struct kfd_process *p, const u32 *qids, u32 n,
			  const bool *had, u64 bit)
{
	u32 i;

	mutex_lock(&p->event_mutex);
	for (i = 0; i < n; i++) {
		struct queue *q = had[i] ? axs_kfd.get_user_queue(&p->pqm, qids[i]) : NULL;

		if (q)
			q->properties.exception_status |= bit;
	}
	mutex_unlock(&p->event_mutex);
}

static int call_suspend_resume(struct kfd_process *p, void *arg)
{
	struct proc_call *c = arg;
	struct ubuf u;
	u64 bit = 0;
	u32 i;
	int r;

	/* A debugger owns suspension of its target; do not fight it. */
	if (p->debug_trap_enabled)
		return -EBUSY;
	r = ubuf_map(&u, c->n * sizeof(u32));
	if (r)
		return r;
	if (copy_to_user((void __user *)u.addr, c->qids, c->n * sizeof(u32))) {
		r = -EFAULT;
		goto out;
	}
	/* amdkfd's prototypes omit __user, but the array is user memory */
	if (c->level) {
		bit = take_new_bits(p, c->qids, c->n, c->had_new);
		r = axs_kfd.suspend_queues(p, c->n,
					   c->level == AMDXSCHED_LEVEL_INTERRUPT ?
					   GRACE_LV3 : GRACE_LV2,
					   0, (u32 *)u.addr);
		give_new_bits(p, c->qids, c->n, c->had_new, bit);
	} else {
		r = axs_kfd.resume_queues(p, c->n, (u32 *)u.addr);
	}
	/* Below 0 only if amdkfd could not copy the ids: it did nothing. */
	if (r < 0)
		goto out;
	c->err = -EIO;
	for (i = 0; i < c->n; i++) {
		u32 v;

		if (get_user(v, (u32 __user *)u.addr + i))
			v = QID_ERROR;
		c->status[i] = qid_result(p, c->qids[i], c->level, v);
	}
	r = 0;
out:
	ubuf_unmap(&u);
	return r;
}
#endif

#ifndef AXS_KFD_HAVE_SUSPEND_QUEUES
/*
 * Kernels without suspend_queues() (6.1): whole-process eviction. Evictions
 * nest (qpd->evicted counts them, shared with memory management), so we
 * evict once per queue suspended and restore once per queue resumed: the
 * process runs again when its last suspended queue is resumed.
 */
static int call_evict_restore(struct kfd_process *p, void *arg)
{
	struct proc_call *c = arg;
	u32 i;

	for (i = 0; i < c->n; i++) {
		/*
		 * The process must have the queue, or we would stop it for
		 * nothing; but a suspended queue destroyed meanwhile still
		 * owes its eviction back (gone_ok).
		 */
		if (!c->gone_ok && !axs_kfd.get_user_queue(&p->pqm, c->qids[i]))
			c->status[i] = -ENOENT;
		else
			c->status[i] = c->level ?
				axs_kfd.evict_queues(p, KFD_QUEUE_EVICTION_TRIGGER_SUSPEND) :
				axs_kfd.restore_queues(p);
		/*
		 * 6.1's kfd_process_evict_queues() returns -EIO (a hung HWS, a
		 * reset) with every device's queues evicted nonetheless: an
		 * eviction is then owed back like a successful one. Its other
		 * errors come after it rolled back.
		 */
		if (c->level && c->status[i] == -EIO) {
			c->status[i] = AXS_STATUS_UNKNOWN;
			c->err = -EIO;
		}
		/*
		 * 6.1's restore_process_queues_cpsch() gives the eviction back
		 * (qpd->evicted = 0, or one less) even when the remap after it
		 * fails on HWS: trying again would take back an eviction that
		 * memory management holds. A restore is done once, whatever it
		 * returns; the queues run again when amdkfd recovers the GPU.
		 */
		if (!c->level && c->status[i] && c->status[i] != -ENOENT) {
			pr_warn_ratelimited("kfd: restore of pid %d failed (%d); not retried, the eviction was given back\n",
					    pid_nr(c->pid), c->status[i]);
			c->status[i] = 0;
		}
	}
	return 0;	/* the results are per queue, as from suspend_queues() */
}
#endif

static int call_priority(struct kfd_process *p, void *arg)
{
	struct proc_call *c = arg;
	struct queue_properties props;
	struct queue *q;

	q = axs_kfd.get_user_queue(&p->pqm, c->qids[0]);
	if (!q)
		return -ENOENT;
	/*
	 * AMDKFD_IOC_UPDATE_QUEUE overwrites address, size, percentage and
	 * priority together: pass the queue's own values for all but priority.
	 */
	props = q->properties;
	props.priority = c->prio;
	return axs_kfd.update_queue_properties(&p->pqm, c->qids[0], &props);
}

static int call_cu_mask(struct kfd_process *p, void *arg)
{
	struct proc_call *c = arg;
	struct mqd_update_info minfo = { 0 };
	int r;

	if (!axs_kfd.get_user_queue(&p->pqm, c->qids[0]))
		return -ENOENT;
	/*
	 * As AMDKFD_IOC_SET_CU_MASK: no update flag, and the caller owns the
	 * copy amdkfd reads.
	 */
	minfo.cu_mask.count = c->nbits;
	minfo.cu_mask.ptr = kmemdup(c->mask, c->nbits / 8, GFP_KERNEL);
	if (!minfo.cu_mask.ptr)
		return -ENOMEM;
	r = axs_kfd.update_mqd(&p->pqm, c->qids[0], &minfo);
	kfree(minfo.cu_mask.ptr);
	return r;
}

/*
 * For the VM tests only (kfd_debugfs.c, behind kfd_test_calls): one amdkfd
 * call on (@pid, @qids) outside the registry, so that the real functions
 * can be exercised on processes without queues. Returns the call's result,
 * with per-queue results in @status for suspend and resume.
 */
int axs_kfd_test_call(struct pid *pid, enum axs_kfd_test_op op, u32 *qids, u32 n,
		      const u32 *arg, u32 narg, int *status)
{
	bool had_new[AXS_KFD_TEST_MAX_QIDS];
	struct proc_call c = { .pid = pid, .qids = qids, .n = n, .status = status,
			       .had_new = had_new };

	if (!n || n > AXS_KFD_TEST_MAX_QIDS)	/* had_new[]; the rest is the parser's */
		return -EINVAL;
	switch (op) {
	case AXS_KFD_TEST_SUSPEND_LV3:
	case AXS_KFD_TEST_SUSPEND_LV2:
	case AXS_KFD_TEST_RESUME:
		c.level = op == AXS_KFD_TEST_SUSPEND_LV3 ? AMDXSCHED_LEVEL_INTERRUPT :
			  op == AXS_KFD_TEST_SUSPEND_LV2 ? AMDXSCHED_LEVEL_DEACTIVATE : 0;
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
		c.fn = call_suspend_resume;
		c.umem = true;		/* a debugfs writer: its own mm */
#else
		if (c.level == AMDXSCHED_LEVEL_DEACTIVATE)
			return -EOPNOTSUPP;
		c.fn = call_evict_restore;
#endif
		break;
	case AXS_KFD_TEST_PRIORITY:
		c.fn = call_priority;
		c.prio = arg[0];
		break;
	case AXS_KFD_TEST_CU_MASK:
		c.fn = call_cu_mask;
		c.mask = arg;
		c.nbits = narg * 32;
		break;
	default:
		return -EINVAL;
	}
	if (!axs_kfd_running())
		return -ENODEV;
	return proc_call_run(&c);
}

/* ---- Backend operations (the GPU's op_lock held) ------------------------- */

/* Account one remapping call on @gpu that took @ns and returned @r. */
static void gpu_call_done(struct axs_gpu *gpu, u64 ns, int r)
{
	struct kfd_gpu *kg = to_kfd_gpu(gpu);

	lockdep_assert_held(&gpu->op_lock);
	WRITE_ONCE(kg->calls, kg->calls + 1);
	WRITE_ONCE(kg->call_ns, kg->call_ns + ns);
	if (r == -ETIME || r == -EIO)
		WRITE_ONCE(kg->hangs, kg->hangs + 1);
}

/*
 * Suspend or resume @qs (one GPU), one amdkfd call per process: each is one
 * unmap/remap of the GPU for that process's queues.
 */
static int suspend_resume(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
			  u32 level, int *status)
{
	struct kfd_gpu *kg = to_kfd_gpu(gpu);
	struct proc_call c = { .level = level, .had_new = kg->scratch.had_new };
	u32 *qids = kg->scratch.qids, i, j, m;
	int *st = kg->scratch.status, first = 0, r;
	bool *done = kg->scratch.done;
	u64 t0;

	lockdep_assert_held(&gpu->op_lock);
	memset(done, 0, n * sizeof(*done));
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	c.fn = call_suspend_resume;
	c.umem = true;
#else
	c.fn = call_evict_restore;
#endif
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		/* every queue of this process in the batch */
		c.umm = NULL;
		for (j = i, m = 0; j < n; j++) {
			if (qs[j]->proc != qs[i]->proc)
				continue;
			qids[m++] = qs[j]->kfd_qid;
			/* a resume's queues are leased; q->lease is op_lock's */
			if (!c.umm && qs[j]->lease)
				c.umm = qs[j]->lease->mm;
		}
		c.pid = qs[i]->proc->pid;
		c.n = m;
		c.qids = qids;
		c.status = st;
		c.err = 0;
		t0 = ktime_get_ns();
		r = proc_call_run(&c);
		gpu_call_done(gpu, ktime_get_ns() - t0, r);
		/* only a debugger makes the whole call -EBUSY: amdkfd never does */
		if (r == -EBUSY)
			WRITE_ONCE(qs[i]->proc->debugged, true);
		for (j = i, m = 0; j < n; j++) {
			if (qs[j]->proc != qs[i]->proc)
				continue;
			status[j] = r ? r : st[m];
			done[j] = true;
			m++;
			/*
			 * suspend_queues() returns once the queues are off the
			 * GPU: an Lv2 suspension has taken full effect.
			 */
			if (level == AMDXSCHED_LEVEL_DEACTIVATE && !status[j])
				axs_queue_drained(qs[j], ktime_get_ns());
			if (status[j] && !first)
				first = status[j] == AXS_STATUS_UNKNOWN ?
					(c.err ? c.err : -EIO) : status[j];
		}
	}
	return first;
}

#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
/* Under p->mutex: is each queue still suspended, as far as amdkfd knows? */
static int call_still_suspended(struct kfd_process *p, void *arg)
{
	struct proc_call *c = arg;
	u32 i;

	WRITE_ONCE(c->proc->debugged, READ_ONCE(p->debug_trap_enabled));
	for (i = 0; i < c->n; i++) {
		struct queue *q = axs_kfd.get_user_queue(&p->pqm, c->qids[i]);

		/* one amdkfd destroyed is discovery's to remove */
		c->status[i] = !q || READ_ONCE(q->properties.is_suspended);
	}
	return 0;
}

/*
 * For the core's reconciling: only a debugger resumes a queue we suspended
 * (DBG_TRAP_RESUME_QUEUES; its detach resumes all of its target's queues,
 * kfd_dbg_trap_deactivate()). One p->mutex per process, no remap.
 */
static void kfd_still_suspended(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
				int *status)
{
	struct kfd_gpu *kg = to_kfd_gpu(gpu);
	struct proc_call c = { .fn = call_still_suspended };
	u32 *qids = kg->scratch.qids, i, j, m;
	int *st = kg->scratch.status, r;
	bool *done = kg->scratch.done;

	lockdep_assert_held(&gpu->op_lock);
	memset(done, 0, n * sizeof(*done));
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		/* expiry wants the GPU: the rest can be looked at next time */
		if (atomic_read(&gpu->expire_waiting)) {
			status[i] = 1;
			continue;
		}
		for (j = i, m = 0; j < n; j++)
			if (qs[j]->proc == qs[i]->proc)
				qids[m++] = qs[j]->kfd_qid;
		c.pid = qs[i]->proc->pid;
		c.proc = qs[i]->proc;
		c.n = m;
		c.qids = qids;
		c.status = st;
		/* -EAGAIN, -ESRCH: cannot tell; look again next time */
		r = axs_kfd_with_process(c.pid, c.fn, &c);
		for (j = i, m = 0; j < n; j++) {
			if (qs[j]->proc != qs[i]->proc)
				continue;
			status[j] = r ? 1 : st[m];
			done[j] = true;
			m++;
		}
	}
}
#endif

static int kfd_suspend(struct axs_gpu *gpu, struct axs_queue **qs, u32 n, u32 level,
		       int *status)
{
	return suspend_resume(gpu, qs, n, level, status);
}

static int kfd_resume(struct axs_gpu *gpu, struct axs_queue **qs, u32 n, int *status)
{
	return suspend_resume(gpu, qs, n, 0, status);
}

static int kfd_set_priority(struct axs_gpu *gpu, struct axs_queue **qs,
			    const u32 *prio, u32 n, int *status)
{
	struct proc_call c = { .fn = call_priority, .n = 1 };
	int first = 0;
	u32 i, qid;
	u64 t0;

	/* amdkfd updates one queue per call, and each call remaps the GPU */
	for (i = 0; i < n; i++) {
		qid = qs[i]->kfd_qid;
		c.pid = qs[i]->proc->pid;
		c.qids = &qid;
		c.prio = prio[i];
		t0 = ktime_get_ns();
		status[i] = proc_call_run(&c);
		gpu_call_done(gpu, ktime_get_ns() - t0, status[i]);
		if (status[i] && !first)
			first = status[i];
	}
	return first;
}

static int kfd_set_cu_mask(struct axs_gpu *gpu, struct axs_queue *q,
			   const u32 *mask, u32 nbits, const struct axs_cu_set *cus)
{
	u32 qid = q->kfd_qid;
	struct proc_call c = {
		.fn = call_cu_mask, .n = 1, .pid = q->proc->pid, .qids = &qid,
		.mask = mask, .nbits = nbits,
	};
	u64 t0 = ktime_get_ns();
	int r;

	r = proc_call_run(&c);
	gpu_call_done(gpu, ktime_get_ns() - t0, r);
	return r;
}

static void kfd_queue_info(struct axs_queue *q, struct amdxsched_queue_info *qi)
{
	axs_kfd_busy_info(q, qi);
}

static void kfd_gpu_counters(struct axs_gpu *gpu, struct amdxsched_gpu_counters *c)
{
	struct kfd_gpu *kg = to_kfd_gpu(gpu);

	c->remaps = READ_ONCE(kg->calls);
	c->remap_ns = READ_ONCE(kg->call_ns);	/* time in amdkfd, unmaps included */
	c->saved_bytes = 0;		/* not visible from outside the CP */
	c->hangs = READ_ONCE(kg->hangs);
}

static const struct axs_backend_ops kfd_ops = {
	.suspend = kfd_suspend,
	.resume = kfd_resume,
	.set_priority = kfd_set_priority,
	.set_cu_mask = kfd_set_cu_mask,
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	.still_suspended = kfd_still_suspended,
#endif
	.queue_info = kfd_queue_info,
	.gpu_counters = kfd_gpu_counters,
};

/*
 * ---- The registry side ----------------------------------------------------
 *
 * Discovery reports under axs.lock. A queue amdkfd destroyed is only marked
 * gone there (kfd_queue_doom()); axs_kfd_reap() then removes it under its
 * GPU's op_lock, which removal needs (core.h), and on 6.1 gives back the
 * eviction a suspended one still holds, which needs amdkfd and so must not
 * run under axs.lock.
 */

static struct axs_queue *kfd_queue_find(struct axs_proc *p, u32 qid)
{
	struct axs_queue *q;

	list_for_each_entry(q, &p->queues, proc_node)
		if (q->gpu->backend == AMDXSCHED_BACKEND_KFD && q->kfd_qid == qid && !q->gone)
			return q;
	return NULL;
}

static void kfd_queue_doom(struct axs_queue *q)
{
	lockdep_assert_held(&axs.lock);
	if (q->gone)
		return;
	q->gone = true;
	list_add_tail(&q->gone_node, &to_kfd_gpu(q->gpu)->gone);
}

/* Remove @kg's gone queues. No lock held; takes op_lock, then axs.lock. */
static void kfd_gpu_reap(struct kfd_gpu *kg)
{
	struct axs_queue *q, *tmp;
	struct axs_proc *p;
	LIST_HEAD(dead);

	mutex_lock(&kg->gpu.op_lock);	/* not killable: they must go */
	mutex_lock(&axs.lock);
	list_splice_init(&kg->gone, &dead);
	mutex_unlock(&axs.lock);
#ifndef AXS_KFD_HAVE_SUSPEND_QUEUES
	/*
	 * Its eviction is ours to give back, or the process stays evicted.
	 * q->lease changes only under op_lock, which we hold.
	 */
	list_for_each_entry(q, &dead, gone_node) {
		u32 qid = q->kfd_qid;
		struct proc_call c = { .fn = call_evict_restore, .pid = q->proc->pid,
				       .n = 1, .qids = &qid, .status = &c.ret,
				       .gone_ok = true };

		if (q->lease)
			proc_call_run(&c);
	}
#endif
	mutex_lock(&axs.lock);
	list_for_each_entry_safe(q, tmp, &dead, gone_node) {
		p = q->proc;
		list_del_init(&q->gone_node);
		axs_kfd_busy_remove(q);
		axs_queue_remove(q);
		axs_proc_drop(p, 0);	/* it goes with its last queue, if gone */
	}
	mutex_unlock(&axs.lock);
	mutex_unlock(&kg->gpu.op_lock);
}

/* Remove every queue discovery found gone. No module lock held. */
void axs_kfd_reap(void)
{
	bool any;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(kgs) && kgs[i]; i++) {
		mutex_lock(&axs.lock);
		any = !list_empty(&kgs[i]->gone);
		mutex_unlock(&axs.lock);
		if (any)
			kfd_gpu_reap(kgs[i]);
	}
}

void axs_kfd_proc_seen(struct pid *pid)
{
	lockdep_assert_held(&axs.lock);
	if (!axs_proc_get(pid, AMDXSCHED_PROC_F_KFD))
		pr_warn_ratelimited("no memory to track process %d\n", pid_nr(pid));
}

void axs_kfd_proc_gone(struct pid *pid)
{
	struct axs_proc *p = axs_proc_find(pid);
	struct axs_queue *q, *tmp;

	lockdep_assert_held(&axs.lock);
	if (!p || !(p->presence & AMDXSCHED_PROC_F_KFD))
		return;
	list_for_each_entry_safe(q, tmp, &p->queues, proc_node)
		if (q->gpu->backend == AMDXSCHED_BACKEND_KFD)
			kfd_queue_doom(q);
	axs_proc_drop(p, AMDXSCHED_PROC_F_KFD);
}

/* The registry knows a kfd queue by its KFD queue id (kfd_qid): no priv. */
void axs_kfd_queue_seen(struct pid *pid, const struct axs_kfd_seen *s)
{
	struct kfd_gpu *kg = gpu_by_id(s->gpu_id);
	struct axs_queue *q;
	struct axs_proc *p;

	lockdep_assert_held(&axs.lock);
	if (!kg) {
		pr_warn_ratelimited("queue %u of process %d is on unknown GPU %u\n",
				    s->qid, pid_nr(pid), s->gpu_id);
		return;
	}
	p = axs_proc_get(pid, AMDXSCHED_PROC_F_KFD);
	if (!p)
		return;
	q = kfd_queue_find(p, s->qid);
	if (q) {
		/*
		 * The application may change its own queue's priority (HIP sets
		 * a stream's after creating its queue): policies may class the
		 * queue by it (app_priority).
		 */
		axs_queue_priority_seen(q, s->prio);
		return;
	}
	q = axs_queue_add(p, &kg->gpu, s->qid, s->type, s->prio, NULL);
	if (q)
		axs_kfd_busy_add(q, pid, s->rptr, s->wptr);
}

void axs_kfd_queue_gone(struct pid *pid, u32 qid)
{
	struct axs_proc *p = axs_proc_find(pid);
	struct axs_queue *q = p ? kfd_queue_find(p, qid) : NULL;

	lockdep_assert_held(&axs.lock);
	if (q)
		kfd_queue_doom(q);
}

void axs_kfd_proc_update(struct pid *pid, const struct axs_kfd_scan *seen)
{
	struct axs_queue *q, *tmp;
	struct axs_proc *p;
	u32 i;

	lockdep_assert_held(&axs.lock);
	axs_kfd_proc_seen(pid);
	for (i = 0; i < seen->n; i++)
		axs_kfd_queue_seen(pid, &seen->q[i]);
	p = axs_proc_find(pid);
	if (!p)
		return;
	WRITE_ONCE(p->debugged, seen->debugged);
	list_for_each_entry_safe(q, tmp, &p->queues, proc_node) {
		if (q->gpu->backend != AMDXSCHED_BACKEND_KFD || q->gone)
			continue;
		for (i = 0; i < seen->n; i++)
			if (seen->q[i].qid == q->kfd_qid)
				break;
		if (i == seen->n)
			kfd_queue_doom(q);
	}
}

void axs_kfd_procs_keep(struct pid **alive, u32 n)
{
	struct axs_proc *p, *tmp;
	u32 i;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry_safe(p, tmp, &axs.procs, node) {
		if (!(p->presence & AMDXSCHED_PROC_F_KFD))
			continue;
		for (i = 0; i < n; i++)
			if (alive[i] == p->pid)
				break;
		if (i == n)
			axs_kfd_proc_gone(p->pid);
	}
}

/* ---- GPUs ------------------------------------------------------------------ */

/*
 * The CU topology from amdkfd's topology properties: XCCs from the node's
 * xcc_mask, shader engines and arrays from the array counts, and the CUs
 * spread over the arrays as evenly as they go (axs_topo_from_counts()).
 * -EINVAL, with @t zeroed, for what the module cannot represent (more than
 * 8 XCCs, counts that do not divide): CU masks are then refused.
 */
static int gpu_topology(struct axs_topo *t, struct axs_kfd_node *node,
			const struct kfd_node_properties *np)
{
	u32 ncu = np->simd_per_cu ? np->simd_count / np->simd_per_cu : 0;

	return axs_topo_from_counts(t, node_num_xcc(node), np->array_count,
				    np->simd_arrays_per_engine ? np->simd_arrays_per_engine : 1,
				    ncu);
}

static int gpus_add(void)
{
	struct axs_kfd_node *node;
	struct kfd_topology_device *td;
	struct kfd_gpu *kg;
	u8 idx;
	int err;

	for (idx = 0; idx < U8_MAX && !axs_kfd.enum_devices(idx, &node); idx++) {
		if (!node)
			continue;	/* a CPU node */
		td = axs_kfd.topology_device_by_id(node->id);
		if (!td)
			continue;
		kg = kvzalloc(sizeof(*kg), GFP_KERNEL);
		if (!kg)
			return -ENOMEM;
		kg->gpu_id = node->id;
		kg->gpu.backend = AMDXSCHED_BACKEND_KFD;
		kg->gpu.ops = &kfd_ops;
		kg->gpu.kfd_gpu_id = node->id;
		kg->gpu.gfx_target_version = td->node_props.gfx_target_version;
		if (gpu_topology(&kg->gpu.topo, node, &td->node_props))
			pr_warn("GPU %u: topology not understood (%u XCCs, %u arrays); CU masks refused\n",
				node->id, node_num_xcc(node), td->node_props.array_count);
		if (node->dqm->sched_policy != KFD_SCHED_POLICY_NO_HWS)
			kg->gpu.flags |= AMDXSCHED_GPU_F_HWS;
		if (node_kfd(node)->cwsr_enabled)
			kg->gpu.flags |= AMDXSCHED_GPU_F_CWSR;
		/*
		 * Without HWS (sched_policy=2, or Hawaii and Tonga) amdkfd's
		 * suspend_single_queue() only flips flags while the queue runs
		 * on, and the remap goes through a packet manager that mode
		 * never set up (pm->dqm NULL): amdkfd's own debugger ioctl
		 * refuses it, and so do we. Priority and CU masks still apply.
		 */
		kg->gpu.levels = kg->gpu.flags & AMDXSCHED_GPU_F_HWS ? state.levels : 0;
		INIT_LIST_HEAD(&kg->gone);
		err = axs_gpu_add(&kg->gpu);
		if (err) {
			kvfree(kg);
			return err;
		}
		kgs[ngpus++] = kg;
	}
	return 0;
}

/* At stop: every kfd queue is gone; take the GPUs out of the registry. */
static void gpus_remove(void)
{
	struct axs_gpu *gpu, *tmp;

	lockdep_assert_held(&axs.lock);
	list_for_each_entry_safe(gpu, tmp, &axs.gpus, node) {
		if (gpu->backend != AMDXSCHED_BACKEND_KFD)
			continue;
		axs_gpu_remove(gpu);
		kvfree(to_kfd_gpu(gpu));
	}
	memset(kgs, 0, sizeof(kgs));
	ngpus = 0;
}

/* ---- Start and stop ------------------------------------------------------- */

static void *probe_points[4];	/* resolved only to verify they are there */

#define FUNC(sym, slot) { #sym, (void **)&(slot), AXS_SYM_CALL }
#define PROBE(sym, slot) { #sym, (void **)&(slot), AXS_SYM_PROBE }
#define DATA(sym, slot) { #sym, (void **)&(slot), AXS_SYM_DATA }

/* __this_module first: not finding it means amdgpu is not loaded at all. */
static const struct axs_kfd_sym syms[] = {
	DATA(__this_module, axs_kfd.amdgpu),
	FUNC(kfd_lookup_process_by_pid, axs_kfd.lookup_process_by_pid),
	FUNC(kfd_unref_process, axs_kfd.unref_process),
	PROBE(kfd_create_process, probe_points[3]),
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	FUNC(suspend_queues, axs_kfd.suspend_queues),
	FUNC(resume_queues, axs_kfd.resume_queues),
#else
	/* resolved (and IBT-checked) only where called */
	FUNC(kfd_process_evict_queues, axs_kfd.evict_queues),
	FUNC(kfd_process_restore_queues, axs_kfd.restore_queues),
#endif
	FUNC(pqm_update_queue_properties, axs_kfd.update_queue_properties),
	FUNC(pqm_update_mqd, axs_kfd.update_mqd),
	FUNC(pqm_get_user_queue, axs_kfd.get_user_queue),
	FUNC(kfd_topology_enum_kfd_devices, axs_kfd.enum_devices),
	FUNC(kfd_topology_device_by_id, axs_kfd.topology_device_by_id),
	PROBE(kfd_process_notifier_release, probe_points[0]),
	PROBE(kfd_procfs_add_queue, probe_points[1]),
	PROBE(kfd_procfs_del_queue, probe_points[2]),
};

static void refuse(int err, const char *why)
{
	state.status = AMDXSCHED_BACKEND_REFUSED;
	state.error = err;
	strscpy(state.detail, why, sizeof(state.detail));
	pr_err("not started: %s\n", why);
}

/*
 * Start the backend if amdgpu is there and everything checks out. A refusal
 * is not an error for the module: the sim backend goes on, and BACKEND_INFO
 * says why the kfd one did not start.
 */
void axs_kfd_init(void)
{
	char why[128];
	bool layout_checked;
	int err;

#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	state.levels = BIT(AMDXSCHED_LEVEL_DEACTIVATE) | BIT(AMDXSCHED_LEVEL_INTERRUPT);
	state.caps = AMDXSCHED_BCAP_PER_QUEUE;
#else
	state.levels = BIT(AMDXSCHED_LEVEL_INTERRUPT);	/* eviction saves waves */
	state.caps = 0;
#endif
	state.caps |= AMDXSCHED_BCAP_PRIORITY | AMDXSCHED_BCAP_CU_MASK |
		      AMDXSCHED_BCAP_BUSY_EVENTS | AMDXSCHED_BCAP_DISCOVERY;
	state.status = AMDXSCHED_BACKEND_ABSENT;
	if (!kfd) {
		strscpy(state.detail, "disabled by the module parameter kfd=0",
			sizeof(state.detail));
		return;
	}

	err = axs_kfd_resolve(syms, ARRAY_SIZE(syms), "amdgpu", why, sizeof(why));
	/*
	 * Not picked up later: starting at run time would need a module
	 * notifier and the whole start (GPUs, probes, scan) racing live
	 * ioctls, for an order the modprobe.d softdep already gives.
	 */
	if (err == -ENOENT && !axs_kfd.amdgpu) {
		strscpy(state.detail,
			"amdgpu was not loaded before amdxsched (modprobe.d: softdep amdxsched pre: amdgpu); reload amdxsched",
			sizeof(state.detail));
		pr_info("amdgpu is not loaded; the kfd backend stays off until amdxsched is reloaded after it\n");
		return;
	}
	if (err) {
		refuse(err, why);
		return;
	}
	if (!try_module_get(axs_kfd.amdgpu)) {
		refuse(-ENODEV, "amdgpu is being unloaded");
		return;
	}

	err = axs_kfd_check_layout(why, sizeof(why));
	layout_checked = !err;
	if (err == -ENODATA && kfd_trust_layout) {
		pr_warn("%s; running on the compiled layout (kfd_trust_layout=1)\n", why);
	} else if (err) {
		module_put(axs_kfd.amdgpu);
		refuse(err, why);
		return;
	}

	kfd_wq = alloc_workqueue("amdxsched_kfd", WQ_UNBOUND, 0);
	if (!kfd_wq) {
		err = -ENOMEM;
		goto err_put;
	}
	err = gpus_add();
	if (err)
		goto err_gpus;
	err = axs_kfd_busy_start();
	if (err)
		goto err_gpus;
	err = axs_kfd_discovery_start();
	if (err)
		goto err_busy;

	state.status = AMDXSCHED_BACKEND_RUNNING;
	axs_kfd_debugfs_init();
	snprintf(state.detail, sizeof(state.detail),
		 "amdkfd %s, %u GPU(s), layout %s",
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
		 "suspend_queues (per queue)",
#else
		 "eviction (whole process)",
#endif
		 ngpus, layout_checked ? "checked against BTF" :
		 "unchecked (no BTF; kfd_trust_layout=1)");
	pr_info("started: %s\n", state.detail);
	return;

err_busy:
	axs_kfd_busy_stop();
err_gpus:
	mutex_lock(&axs.lock);
	gpus_remove();
	mutex_unlock(&axs.lock);
	if (kfd_wq)
		destroy_workqueue(kfd_wq);
err_put:
	module_put(axs_kfd.amdgpu);
	snprintf(why, sizeof(why), "start failed (%d)", err);
	refuse(err, why);
}

/* Module unload: every file is closed. Give back what is still suspended. */
void axs_kfd_fini(void)
{
	struct axs_proc *p, *tmp;
	struct axs_queue *q;

	if (state.status != AMDXSCHED_BACKEND_RUNNING)
		return;
	axs_kfd_debugfs_fini();		/* waits for calls in progress */
	axs_kfd_discovery_stop();
	mutex_lock(&axs.lock);
	list_for_each_entry_safe(p, tmp, &axs.procs, node) {
		/*
		 * No queue is suspended: every file is closed, and a lease that
		 * could not resume its queues would have kept the module loaded
		 * (control.c, lease_pin_module()). Resuming here as well would
		 * give an eviction back twice on 6.1.
		 */
		list_for_each_entry(q, &p->queues, proc_node)
			WARN_ON_ONCE(q->lease);
		axs_kfd_proc_gone(p->pid);
	}
	mutex_unlock(&axs.lock);
	axs_kfd_reap();
	mutex_lock(&axs.lock);
	gpus_remove();
	mutex_unlock(&axs.lock);
	axs_kfd_busy_stop();
	destroy_workqueue(kfd_wq);
	module_put(axs_kfd.amdgpu);
	state.status = AMDXSCHED_BACKEND_ABSENT;
	strscpy(state.detail, "stopped", sizeof(state.detail));
}

void axs_kfd_backend_info(struct amdxsched_backend_info *bi)
{
	mutex_lock(&axs.lock);
	bi->status = state.status;
	bi->levels = state.status == AMDXSCHED_BACKEND_RUNNING ? state.levels : 0;
	bi->caps = state.status == AMDXSCHED_BACKEND_RUNNING ? state.caps : 0;
	bi->error = state.error;
	bi->num_gpus = ngpus;
	memset(bi->name, 0, sizeof(bi->name));
	strscpy(bi->name, "kfd", sizeof(bi->name));
	memset(bi->detail, 0, sizeof(bi->detail));
	strscpy(bi->detail, state.detail, sizeof(bi->detail));
	mutex_unlock(&axs.lock);
}

bool axs_kfd_running(void)
{
	return state.status == AMDXSCHED_BACKEND_RUNNING;
}
