/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * amdxsched core: the objects every part of the module shares, their locking,
 * and the interface a backend (sim, kfd) implements.
 *
 * Lock order, outermost first:
 *
 *   axs_file.sim_lock       the file's simulated process and its queue list
 *   axs_gpu.op_lock         one GPU's state changes: held across backend
 *                           calls, which may sleep for a whole unmap (up to
 *                           the GPU's preemption timeout); taken one GPU at
 *                           a time, never two at once
 *   kfd_process.mutex       amdkfd's, taken by the kfd backend inside
 *                           op_lock for at most AXS_KFD_PROC_LOCK_MS
 *   axs.lock (mutex)        registry, leases, suspension state, counters;
 *                           short sections only: never held across a
 *                           backend state change, a wait or user memory
 *   backend locks           a simulated GPU's spinlock; the kfd busy
 *                           poller's watch_lock (never across a page fault)
 *   axs.ev_lock (spinlock)  event subscribers and their rings, any context
 *
 * A queue is removed from the registry with its GPU's op_lock and axs.lock
 * both held, so whoever holds op_lock may use that GPU's queues after
 * dropping axs.lock (adding one needs axs.lock only). Calls that act on queues of several GPUs
 * do one GPU at a time, so a GPU whose unmap hangs holds up only callers of
 * that GPU; listing and events never wait for a backend.
 *
 * No module lock is held across an access to user memory: a reader whose
 * buffer faults slowly must hold up nobody (lists gather their entries
 * under axs.lock and copy them out after it, registry.c).
 *
 * Lease expiry (control.c) never waits for a user: a timer hands due leases
 * to one worker per GPU, which waits only for that GPU's op_lock. If the
 * resumption has not started AXS_RESUME_LATE_MS after the deadline, the
 * dispatcher says so (RESUME_LATE, late_resumes) without waiting itself.
 * Reconciling leases with the backends (AXS_RECONCILE_MS) takes a GPU's
 * op_lock only by trylock, and skips a GPU a call holds.
 *
 * Nothing under a spinlock may take axs.lock. A backend reports busy/idle,
 * drain and hang events from any context with axs_event_*(), which only
 * takes ev_lock.
 */
#ifndef AXS_CORE_H
#define AXS_CORE_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/amdxsched.h>

#include "cu_mask.h"

#if BITS_PER_LONG != 64
#error "amdxsched needs a 64-bit kernel: queue handles index an xarray"
#endif

#ifndef AXS_VERSION
#define AXS_VERSION		"unknown"	/* Kbuild reads it from VERSION */
#endif
#define AXS_MODULE_VERSION	AXS_VERSION
#define AXS_MAX_GPUS		64
#define AXS_MAX_SUBSCRIBERS	1024
/*
 * Files without control share 3/4 of the subscriptions, at most 16 per
 * user: whatever unprivileged users hold, the admin's tools can subscribe.
 */
#define AXS_MAX_SUBSCRIBERS_UNPRIV	768
#define AXS_MAX_SUBSCRIBERS_PER_USER	16
/* Calls that change queues, per second, by a file without control (control.c) */
#define AXS_UNPRIV_CHANGES_PER_S	100
#define AXS_LEASE_RETRY_MS	100	/* after a failed resume at expiry, */
#define AXS_LEASE_RETRY_FAST	50	/* that many times (5 s), */
#define AXS_LEASE_RETRY_SLOW_MS	1000	/* then this often, for as long as it takes */
#define AXS_RESUME_LATE_MS	AMDXSCHED_RESUME_LATE_MS	/* then RESUME_LATE */
/* How often leased queues are checked against their backend (control.c) */
#define AXS_RECONCILE_MS	1000

struct axs_gpu;
struct axs_queue;
struct axs_file;
struct axs_sim_proc;

/*
 * What a backend does to queues. The state-changing ops are called with the
 * GPU's op_lock held and axs.lock not held, may sleep, and get queues of
 * that GPU only; of a queue they may read only what never changes (handle,
 * proc and its pid, gpu, kfd_qid, type, priv) and q->lease with what it
 * points to (it changes only under op_lock). They write 0 or
 * a -errno per queue into @status and return 0 only if every queue
 * succeeded; a queue whose status is an error must be left as it was.
 * Where a backend cannot know (amdkfd failed after it changed the queue),
 * it writes AXS_STATUS_UNKNOWN for the queue and returns the error: the
 * core then treats a suspension as made (it is rolled back or leased) and
 * a resumption as not made (the queue stays under its lease, retried).
 *
 * -EBUSY for a queue whose process has a debugger (amdkfd's debug trap):
 * the backend sets proc->debugged, and the core then leaves the queue's
 * suspension to the debugger (Documentation/abi.rst, "Debuggers").
 */
#define AXS_STATUS_UNKNOWN	2	/* internal: never copied to userspace */

/* One entry of AMDXSCHED_IOC_APPLY, for a backend's apply op. */
struct axs_apply_item {
	struct axs_queue *q;
	u32 op;				/* AMDXSCHED_APPLY_* */
	u32 arg;			/* level, priority, or the mask's bits */
	const u32 *mask;		/* CU_MASK: as userspace gave it */
	const struct axs_cu_set *cus;	/* CU_MASK: the CUs it selects */
};

struct axs_backend_ops {
	int (*suspend)(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
		       u32 level, int *status);
	int (*resume)(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
		      int *status);
	int (*set_priority)(struct axs_gpu *gpu, struct axs_queue **qs,
			    const u32 *prio, u32 n, int *status);
	/* @mask as userspace gave it, @cus the CUs it selects on this GPU */
	int (*set_cu_mask)(struct axs_gpu *gpu, struct axs_queue *q,
			   const u32 *mask, u32 nbits, const struct axs_cu_set *cus);
	/*
	 * Optional: every item of one GPU in as few remaps as the backend can
	 * (the sim: one), statuses as above; the order of a decision is the
	 * backend's. Without it the core calls the ops above in turn.
	 */
	int (*apply)(struct axs_gpu *gpu, const struct axs_apply_item *it, u32 n,
		     int *status);
	/*
	 * Optional: whether each of @qs (leased, this GPU) is still suspended
	 * as far as the backend knows: 1 yes or cannot tell, 0 someone else
	 * resumed it (a debugger). op_lock held; may sleep.
	 */
	void (*still_suspended)(struct axs_gpu *gpu, struct axs_queue **qs, u32 n,
				int *status);
	/* Must not sleep: the backend's part of struct amdxsched_queue_info. */
	void (*queue_info)(struct axs_queue *q, struct amdxsched_queue_info *info);
	/* Must not sleep: remaps, remap_ns, saved_bytes and hangs. */
	void (*gpu_counters)(struct axs_gpu *gpu, struct amdxsched_gpu_counters *c);
};

/* Per-GPU counters the core keeps; the backend keeps the rest. */
struct axs_gpu_stats {
	u64 suspends;
	u64 resumes;
	u64 suspended_ns;
	u64 lease_expiries;
};

struct axs_gpu {
	struct list_head node;		/* axs.gpus; removed only at unload */
	u32 id;
	u32 backend;			/* AMDXSCHED_BACKEND_* */
	const struct axs_backend_ops *ops;
	struct axs_topo topo;
	u32 kfd_gpu_id;
	u32 flags;			/* AMDXSCHED_GPU_F_* */
	u32 gfx_target_version;
	u32 cu_state_bytes;
	u32 preempt_timeout_ms;
	u32 levels;			/* bit n: level n supported */
	u32 nqueues;			/* axs.lock */
	struct axs_gpu_stats stats;	/* axs.lock */
	u64 late_resumes;		/* RESUME_LATE sent; axs.lock */
	u64 outside_resumes;		/* leased queues someone else resumed; axs.lock */
	u64 debugger_waits;		/* lease-end resumes left to a debugger; axs.lock */

	/* See the top of this file; initialised by axs_gpu_add(). */
	struct mutex op_lock;
	atomic_t expire_waiting;	/* expiry wants op_lock: new callers wait */
	struct work_struct expire_work;	/* resumes its due leases, control.c */
	struct axs_batch *expire;	/* op_lock: room for that, allocated once */
};

struct axs_proc {
	struct list_head node;		/* axs.procs */
	struct hlist_node hnode;	/* axs.proc_hash, by pid */
	struct pid *pid;		/* thread group, referenced */
	kuid_t uid;
	char comm[TASK_COMM_LEN];
	u32 presence;			/* AMDXSCHED_PROC_F_KFD/_SIM: who knows it */
	/*
	 * A debugger holds amdkfd's debug trap of it (AMDXSCHED_PROC_F_DEBUGGED):
	 * its queues' suspension is the debugger's. Set and cleared by backends
	 * as they see it, WRITE_ONCE/READ_ONCE, under no particular lock.
	 */
	bool debugged;
	struct list_head queues;	/* axs_queue.proc_node */
	u32 nqueues;
	/* hints from AMDXSCHED_IOC_SET_PROC_ATTR */
	u32 attr_set;			/* AMDXSCHED_ATTR_* given so far */
	u32 sched_class;
	u32 priority;
	u32 share;
	u64 deadline_ns;
	char tag[AMDXSCHED_TAG_LEN];
	struct axs_file *attr_owner;	/* its own file that registered it */
	struct list_head attr_node;	/* attr_owner->attr_procs */
};

struct axs_queue_stats {
	u64 suspends;
	u64 resumes;
	u64 suspended_ns;
	u64 lease_expiries;
};

/*
 * All fields under axs.lock; handle, proc, gpu, kfd_qid, type and priv never
 * change. Added under axs.lock, freed under it and the GPU's op_lock.
 */
struct axs_queue {
	u64 handle;
	struct axs_proc *proc;
	struct axs_gpu *gpu;
	struct list_head proc_node;
	u32 kfd_qid;
	u32 type;
	u32 priority;
	u32 cu_mask_bits;
	u32 cu_mask[AMDXSCHED_CU_MASK_WORDS];
	struct axs_lease *lease;	/* the suspension, NULL when running */
	struct list_head lease_node;
	/*
	 * Lv2 drain handshake, any context: the core sets AXS_DRAIN_COMMITTED
	 * once QUEUE_SUSPENDED is out, the backend AXS_DRAIN_DONE when the
	 * running kernel has finished; whoever comes second emits DRAINED.
	 */
	atomic_t drain;
	u32 level;
	bool stuck;			/* its resume keeps failing: RESUME_FAILING sent */
	u64 suspended_at;
	struct axs_queue_stats stats;
	void *priv;			/* the backend's */
	bool gone;			/* the backend will remove it (kfd); axs.lock */
	u64 seen_call;			/* the last call that checked it; axs.lock */
	u32 seen_ops;			/* BIT(op) that call gave it; axs.lock */
	struct list_head gone_node;	/* the backend's list of those; axs.lock */
	/* Its own hints (SET_QUEUE_ATTR), in place of its process's; axs.lock */
	u32 attr_flags;			/* AMDXSCHED_ATTR_* it has, 0: none */
	u32 sched_class;
	u32 attr_priority;
	u32 share;
	u64 deadline_ns;
	u32 app_priority;		/* the application's, not the module's */
	u32 module_priority;		/* the last the module set, if set */
	bool module_priority_set;
};

/* A suspension of one or more queues that ends by its deadline. axs.lock */
struct axs_lease {
	u64 id;
	struct axs_file *owner;		/* NULL once its file is gone */
	struct list_head file_node;	/* owner->leases */
	struct list_head dev_node;	/* axs.leases */
	struct list_head queues;	/* axs_queue.lease_node */
	u64 deadline_ns;
	bool expired;			/* expiry reported; resuming it is owed */
	bool late;			/* RESUME_LATE sent for this deadline */
	bool building;			/* its SUSPEND call still runs: not freed empty */
	bool pins_module;		/* ownerless: holds a module reference */
	u32 retries;			/* failed resumes of its queues in a row */
	u64 retry_pass;			/* the expiry pass that last counted one */
	u64 gpus;			/* BIT(gpu id) of GPUs it has (or had) queues on */
	/*
	 * Its creator's mm, pinned (mmget) while the lease lives: user memory
	 * a backend may borrow to resume it from a context with no mm of its
	 * own (expiry, a file closed as its process exits). Never the target's.
	 */
	struct mm_struct *mm;
};

/* Queues of one call, and room to hand them to backends one GPU at a time. */
struct axs_batch {
	u32 cap;
	u32 n;
	u64 *h;				/* handles, to find the queues again */
	struct axs_gpu **g;		/* the GPU of each, which never changes */
	struct axs_queue **q;		/* valid under axs.lock, or g's op_lock */
	int *status;			/* AMDXSCHED_STATUS_* or -errno */
	u32 *val;			/* per-entry argument (priority) */
	struct axs_queue **gq;		/* one GPU's share of the above */
	int *gst;
	u32 *gval;
	u32 *idx;
};

struct axs_file {
	bool control;			/* may act on every process's queues */
	struct pid *opener;		/* thread group that opened it */
	kuid_t uid;			/* the opener's euid, for per-user limits */
	atomic64_t change_tat;		/* rate of queue changes, control.c */
	struct list_head leases;	/* axs.lock */
	struct list_head attr_procs;	/* processes it registered; axs.lock */

	struct mutex sim_lock;		/* sim_proc and its queue list */
	struct axs_sim_proc *sim_proc;

	/* events: ev_lock, except read_lock serialising readers */
	struct list_head sub_node;
	bool subscribed;
	u64 ev_mask;
	struct pid_namespace *ev_pidns;
	struct amdxsched_event *ring;
	u32 ring_size;			/* power of two */
	u32 ring_head;			/* next to read */
	u32 ring_count;
	u64 ev_seq;			/* last sequence number handed out */
	wait_queue_head_t ev_wait;
	struct mutex read_lock;		/* one reader at a time; ring swaps */
};

struct axs_dev {
	struct miscdevice misc;
	struct mutex lock;		/* see the top of this file */
	struct list_head gpus;
	struct list_head procs;
	DECLARE_HASHTABLE(proc_hash, 8);	/* axs_proc by struct pid */
	u32 nprocs;
	struct list_head leases;
	struct xarray queues;		/* handle -> axs_queue, under lock */
	u64 next_handle;
	u64 next_lease;
	u64 next_call;			/* numbers the calls' checks; axs.lock */
	u32 next_gpu_id;
	u32 ngpus;
	u64 instance_id;

	struct hrtimer lease_timer;	/* at the next lease deadline or lateness */
	struct work_struct lease_work;	/* hands due leases to their GPUs */
	struct workqueue_struct *wq;	/* expiry, one work per GPU, in parallel */
	u64 expire_pass;		/* expiry passes so far; axs.lock */
	struct delayed_work reconcile_work;	/* leases vs backends, control.c */

	spinlock_t ev_lock;		/* see the top of this file */
	struct list_head subscribers;
	u32 nsubscribers;
	u32 nsubscribers_unpriv;	/* of them, files without control */

	struct dentry *debugfs;
};

extern struct axs_dev axs;
extern unsigned int axs_max_lease_ms;
extern bool axs_see_all_users;

/* main.c: argument copying shared by every ioctl */
int axs_args_in(void *karg, size_t ksize, size_t ver0, void __user *uarg);
int axs_args_inout(void *karg, size_t ksize, size_t ver0, void __user *uarg);
int axs_args_out(void __user *uarg, const void *karg, size_t ksize);
int axs_copy_entry(void __user *dst, u32 entry_size, const void *src, size_t ksize);

static inline bool axs_zeroed(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* registry.c; all under axs.lock */
int axs_gpu_add(struct axs_gpu *gpu);	/* takes axs.lock itself: it allocates */
void axs_gpu_remove(struct axs_gpu *gpu);
struct axs_gpu *axs_gpu_find(u32 id);
struct axs_proc *axs_proc_find(struct pid *pid);
struct axs_proc *axs_proc_get(struct pid *pid, u32 presence);
void axs_proc_drop(struct axs_proc *p, u32 presence);
struct axs_queue *axs_queue_add(struct axs_proc *p, struct axs_gpu *gpu,
				u32 kfd_qid, u32 type, u32 priority, void *priv);
void axs_queue_remove(struct axs_queue *q);
struct axs_queue *axs_queue_lookup(const struct axs_file *f, u64 handle);
void axs_queue_priority_set(struct axs_queue *q, u32 prio);
void axs_queue_priority_seen(struct axs_queue *q, u32 prio);
struct axs_queue *axs_queue_lookup_next(const struct axs_file *f, u64 handle,
					const struct axs_proc **seen);
bool axs_pid_visible(struct pid *pid);
bool axs_proc_visible(const struct axs_file *f, const struct axs_proc *p);
bool axs_uid_visible(const struct axs_file *f, kuid_t uid);
bool axs_is_own(const struct axs_proc *p);
void axs_registry_file_release(struct axs_file *f);
void axs_registry_fini(void);
long axs_ioctl_list_gpus(struct axs_file *f, void __user *argp);
long axs_ioctl_list_queues(struct axs_file *f, void __user *argp);
long axs_ioctl_list_procs(struct axs_file *f, void __user *argp);
long axs_ioctl_set_proc_attr(struct axs_file *f, void __user *argp);
long axs_ioctl_set_queue_attr(struct axs_file *f, void __user *argp);

/* control.c */
int axs_gpu_op_lock(struct axs_gpu *gpu);
void axs_gpu_op_unlock(struct axs_gpu *gpu);
struct axs_batch *axs_batch_alloc(u32 cap);
void axs_batch_free(struct axs_batch *b);
void axs_gpu_expire_init(struct axs_gpu *gpu);
void axs_control_stop(void);
void axs_queue_unsuspend(struct axs_queue *q, u64 now);
void axs_lease_put_if_empty(struct axs_lease *l);
void axs_control_file_release(struct axs_file *f);
int axs_control_init(void);
void axs_control_fini(void);
long axs_ioctl_suspend(struct axs_file *f, void __user *argp);
long axs_ioctl_resume(struct axs_file *f, void __user *argp);
long axs_ioctl_lease_renew(struct axs_file *f, void __user *argp);
long axs_ioctl_set_priority(struct axs_file *f, void __user *argp);
long axs_ioctl_set_cu_mask(struct axs_file *f, void __user *argp);
long axs_ioctl_apply(struct axs_file *f, void __user *argp);

#define AXS_DRAIN_COMMITTED	BIT(0)
#define AXS_DRAIN_DONE		BIT(1)

/* For backends, any context: an Lv2-suspended queue's running kernel ended at @t. */
void axs_queue_drained(struct axs_queue *q, u64 t);

/* events.c; the axs_event_* emitters work in any context */
void axs_event_queue(struct axs_queue *q, u16 type, u64 d0, u64 d1);
void axs_event_queue_at(struct axs_queue *q, u16 type, u64 t, u64 d0, u64 d1);
void axs_event_proc(struct axs_proc *p, u16 type, u64 d0, u64 d1);
void axs_event_gpu(struct axs_gpu *gpu, u16 type, u64 d0, u64 d1);
long axs_ioctl_events_config(struct axs_file *f, void __user *argp);
ssize_t axs_events_read(struct file *file, char __user *buf, size_t len, loff_t *off);
__poll_t axs_events_poll(struct file *file, struct poll_table_struct *wait);
void axs_events_file_release(struct axs_file *f);

/* debugfs.c */
void axs_debugfs_init(void);
void axs_debugfs_fini(void);

/* sim.c */
int axs_sim_init(unsigned int ngpus);
bool axs_sim_enabled(void);
void axs_sim_fini(void);
long axs_sim_ioctl(struct axs_file *f, unsigned int cmd, void __user *argp);
void axs_sim_file_release(struct axs_file *f);
void axs_sim_backend_info(struct amdxsched_backend_info *bi);

/* kfd_backend.c, built when Kbuild finds amdgpu's source (AXS_HAVE_KFD) */
#ifdef AXS_HAVE_KFD
void axs_kfd_init(void);
void axs_kfd_fini(void);
void axs_kfd_backend_info(struct amdxsched_backend_info *bi);
bool axs_kfd_running(void);
#else
static inline void axs_kfd_init(void) { }
static inline void axs_kfd_fini(void) { }
static inline bool axs_kfd_running(void) { return false; }
void axs_kfd_backend_info(struct amdxsched_backend_info *bi);	/* main.c: ABSENT */
#endif

#endif /* AXS_CORE_H */
