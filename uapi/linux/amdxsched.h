/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * amdxsched - cross-process preemptive scheduling of AMD GPU compute queues
 *
 * Userspace ABI of the misc device /dev/amdxsched. Documentation/abi.rst
 * describes every ioctl, its errors and the permission model.
 *
 * Rules that keep the ABI stable:
 *  - Every argument struct starts with __u32 size and __u32 flags. Userspace
 *    sets size to sizeof() of the struct it was compiled with. The kernel
 *    accepts any size from the first version's (AMDXSCHED_*_SIZE_VER0) up to
 *    one page: a shorter struct is zero-extended, a longer one must be zero
 *    beyond what the kernel knows (else E2BIG). Output is written back up to
 *    the smaller of the two sizes.
 *  - The size encoded in an ioctl number is the first version's and never
 *    changes; the size field says which version the caller speaks.
 *  - Unknown flags and non-zero reserved or padding fields are rejected with
 *    EINVAL, so they can be given a meaning later.
 *  - Arrays passed by pointer (__u64) carry an element size where elements
 *    may grow; the kernel writes min(element size, its own) bytes and zeroes
 *    the rest of each element.
 *  - All structs have the same layout on 32-bit and 64-bit userspace: every
 *    __u64 is naturally aligned by explicit padding and every size is a
 *    multiple of 8. Static asserts below pin the sizes.
 */
#ifndef _UAPI_LINUX_AMDXSCHED_H
#define _UAPI_LINUX_AMDXSCHED_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define AMDXSCHED_DEVICE_NAME		"amdxsched"

#define AMDXSCHED_ABI_MAJOR		1	/* incompatible changes */
#define AMDXSCHED_ABI_MINOR		5	/* compatible additions */

/* Limits; the kernel reports the values it uses in struct amdxsched_version. */
#define AMDXSCHED_MAX_BATCH		1024	/* queues per suspend/resume/priority call */
#define AMDXSCHED_MAX_LIST		65536	/* entries per list call */
#define AMDXSCHED_PRIORITY_MAX		15	/* KFD queue priority range is 0..15 */
#define AMDXSCHED_CU_MASK_MAX_BITS	1024	/* as AMDKFD_IOC_SET_CU_MASK */
#define AMDXSCHED_CU_MASK_WORDS		(AMDXSCHED_CU_MASK_MAX_BITS / 32)
#define AMDXSCHED_MAX_XCC		8	/* per GPU (MI300X has 8) */
#define AMDXSCHED_MAX_SE		4	/* shader engines per XCC */
#define AMDXSCHED_MAX_SH		2	/* shader arrays per SE */
#define AMDXSCHED_MAX_CU_PER_SH		16	/* bits of an active_cu[][][] entry */
#define AMDXSCHED_GPU_ANY		0xffffffffu
#define AMDXSCHED_TAG_LEN		32

/* Backends; a GPU belongs to exactly one. */
#define AMDXSCHED_BACKEND_SIM		1	/* simulated gfx942 device */
#define AMDXSCHED_BACKEND_KFD		2	/* real amdkfd queues */

/* Preemption levels, in the sense of XSched. */
/* Lv2: the running kernel finishes, nothing new starts */
#define AMDXSCHED_LEVEL_DEACTIVATE	2
/* Lv3: in-flight waves are saved (CWSR) and restored on resume */
#define AMDXSCHED_LEVEL_INTERRUPT	3

/* Per-entry status of batch calls (negative values are -errno for that entry). */
#define AMDXSCHED_STATUS_DONE		0
#define AMDXSCHED_STATUS_NOT_DONE	1	/* valid, but another entry failed */

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_VERSION */

#define AMDXSCHED_CAP_EVENTS		_BITULL(0)	/* read()/poll() event stream */
#define AMDXSCHED_CAP_LEASES		_BITULL(1)	/* suspensions expire */
#define AMDXSCHED_CAP_PROC_ATTR		_BITULL(2)	/* AMDXSCHED_IOC_SET_PROC_ATTR */
#define AMDXSCHED_CAP_SIM		_BITULL(3)	/* AMDXSCHED_IOC_SIM_* */
#define AMDXSCHED_CAP_APPLY		_BITULL(4)	/* AMDXSCHED_IOC_APPLY (ABI 1.3) */
#define AMDXSCHED_CAP_QUEUE_ATTR	_BITULL(5)	/* AMDXSCHED_IOC_SET_QUEUE_ATTR (ABI 1.5) */

struct amdxsched_version {
	__u32 size;		/* in */
	__u32 flags;		/* in: 0 */
	__u32 abi_major;	/* out: AMDXSCHED_ABI_MAJOR of the module */
	__u32 abi_minor;	/* out */
	__u64 instance_id;	/* out: random, new at every module load */
	__u64 caps;		/* out: AMDXSCHED_CAP_* */
	__u32 backends;		/* out: bit n set = backend n running */
	__u32 levels;		/* out: bit n set = level n supported by some GPU */
	__u32 max_batch;	/* out: limit on batch counts */
	__u32 max_lease_ms;	/* out: longest lease granted */
	__u32 num_gpus;		/* out */
	__u32 control;		/* out: 1 if this file may act on any process */
	char module_version[32];	/* out: NUL-terminated */
};

#define AMDXSCHED_VERSION_SIZE_VER0	88

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_BACKEND_INFO */

#define AMDXSCHED_BACKEND_ABSENT	0	/* not built in or not asked for */
#define AMDXSCHED_BACKEND_RUNNING	1
#define AMDXSCHED_BACKEND_REFUSED	2	/* refused to start: see error, detail */

#define AMDXSCHED_BCAP_PER_QUEUE	_BITUL(0)	/* single queues, not whole processes */
#define AMDXSCHED_BCAP_PRIORITY		_BITUL(1)
#define AMDXSCHED_BCAP_CU_MASK		_BITUL(2)
#define AMDXSCHED_BCAP_BUSY_EVENTS	_BITUL(3)
#define AMDXSCHED_BCAP_DISCOVERY	_BITUL(4)	/* finds queues of unchanged processes */

struct amdxsched_backend_info {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 backend;		/* in: AMDXSCHED_BACKEND_* */
	__u32 status;		/* out: AMDXSCHED_BACKEND_ABSENT/RUNNING/REFUSED */
	__u32 levels;		/* out: bit n set = level n supported */
	__u32 caps;		/* out: AMDXSCHED_BCAP_* */
	__s32 error;		/* out: -errno that made it refuse, else 0 */
	__u32 num_gpus;		/* out */
	char name[16];		/* out */
	char detail[128];	/* out: why it refused or how it runs */
	__u64 reserved[2];	/* in: 0 */
};

#define AMDXSCHED_BACKEND_INFO_SIZE_VER0	192

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_LIST_GPUS, _LIST_QUEUES, _LIST_PROCS */

struct amdxsched_list {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 count;		/* in: room in entries; out: entries that match */
	__u32 entry_size;	/* in: sizeof() of one entry as userspace knows it */
	__u64 entries;		/* in: user pointer, may be 0 when count is 0 */
	__u32 pid;		/* in: only this process (caller's pid ns); 0 = all */
	__u32 gpu_id;		/* in: only this GPU; AMDXSCHED_GPU_ANY = all */
	__u64 reserved[2];	/* in: 0 */
};

#define AMDXSCHED_LIST_SIZE_VER0	48

#define AMDXSCHED_GPU_F_HWS		_BITUL(0)	/* hardware scheduler (runlists) */
#define AMDXSCHED_GPU_F_CWSR		_BITUL(1)	/* compute wave save/restore on */

struct amdxsched_gpu_counters {
	__u64 suspends;		/* queue suspensions applied */
	__u64 resumes;		/* queue resumptions applied */
	__u64 suspended_ns;	/* sum over queues of time spent suspended */
	__u64 lease_expiries;	/* queues resumed because a lease ran out */
	__u64 remaps;		/* whole-GPU unmap/remap cycles */
	__u64 remap_ns;		/* time all queues were paused by them */
	__u64 saved_bytes;	/* wave state saved by CWSR */
	__u64 hangs;		/* unmaps that exceeded the preemption timeout */
};

struct amdxsched_gpu_info {
	__u32 gpu_id;
	__u32 backend;		/* AMDXSCHED_BACKEND_* */
	__u32 kfd_gpu_id;	/* KFD topology gpu_id, 0 for simulated GPUs */
	__u32 flags;		/* AMDXSCHED_GPU_F_* */
	__u32 gfx_target_version;	/* e.g. 90402 for gfx942 */
	__u32 num_xcc;
	__u32 num_se_per_xcc;
	__u32 num_sh_per_se;
	__u32 num_cu;		/* active CUs */
	__u32 num_queues;
	__u32 cu_state_bytes;	/* CWSR state of one busy CU */
	__u32 preempt_timeout_ms;
	/* active CUs of [xcc][se][sh], bit n = CU n */
	__u16 active_cu[AMDXSCHED_MAX_XCC][AMDXSCHED_MAX_SE][AMDXSCHED_MAX_SH];
	struct amdxsched_gpu_counters counters;
};

#define AMDXSCHED_GPU_INFO_SIZE_VER0	240

#define AMDXSCHED_QUEUE_TYPE_COMPUTE	0
#define AMDXSCHED_QUEUE_TYPE_SDMA	1
#define AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL	2

#define AMDXSCHED_QUEUE_S_SUSPENDED	_BITUL(0)
#define AMDXSCHED_QUEUE_S_DRAINING	_BITUL(1)	/* Lv2: running kernel not finished */
#define AMDXSCHED_QUEUE_S_BUSY		_BITUL(2)	/* has work the backend has not finished */
#define AMDXSCHED_QUEUE_S_MINE		_BITUL(3)	/* suspension held by the calling file */
#define AMDXSCHED_QUEUE_S_STUCK		_BITUL(4)	/* its resume keeps failing (ABI 1.2) */

struct amdxsched_queue_counters {
	__u64 suspends;
	__u64 resumes;
	__u64 suspended_ns;	/* including the current suspension */
	__u64 lease_expiries;
	__u64 busy_transitions;	/* idle -> busy */
	__u64 dispatches_submitted;	/* write dispatch id */
	__u64 dispatches_completed;	/* finished (sim) or read dispatch id (kfd) */
	__u64 workgroups_completed;	/* simulated GPUs only */
};

struct amdxsched_queue_info {
	__u64 handle;		/* never reused while the module is loaded */
	__u32 pid;		/* owner in the caller's pid ns */
	__u32 gpu_id;
	__u32 kfd_queue_id;
	__u32 type;		/* AMDXSCHED_QUEUE_TYPE_* */
	__u32 priority;		/* 0..15 */
	__u32 state;		/* AMDXSCHED_QUEUE_S_* */
	__u32 level;		/* suspension level, 0 if not suspended */
	__u32 holder_pid;	/* process holding the suspension, 0 if none or not visible */
	__u64 lease_id;		/* 0 if not suspended */
	__u64 lease_deadline_ns;	/* CLOCK_MONOTONIC */
	__u32 cu_mask_bits;	/* 0 if no mask was ever set (all CUs) */
	__u32 pad;
	__u32 cu_mask[AMDXSCHED_CU_MASK_WORDS];
	struct amdxsched_queue_counters counters;
	/* ABI 1.5: the queue's own hints (AMDXSCHED_IOC_SET_QUEUE_ATTR) */
	__u32 attr_flags;	/* AMDXSCHED_ATTR_* the queue has; 0: its process's apply */
	__u32 sched_class;	/* AMDXSCHED_CLASS_*, if AMDXSCHED_ATTR_CLASS */
	__u32 attr_priority;	/* 0..15, if AMDXSCHED_ATTR_PRIORITY */
	__u32 share;		/* 1..1000, if AMDXSCHED_ATTR_SHARE */
	__u64 deadline_ns;	/* if AMDXSCHED_ATTR_DEADLINE */
	__u32 app_priority;	/* 0..15: the application's priority for it (not the module's) */
	__u32 pad2;
};

#define AMDXSCHED_QUEUE_INFO_SIZE_VER0	256
#define AMDXSCHED_QUEUE_INFO_SIZE_VER1	288	/* ABI 1.5 */

#define AMDXSCHED_CLASS_UNSET		0
#define AMDXSCHED_CLASS_REALTIME	1	/* latency critical */
#define AMDXSCHED_CLASS_NORMAL		2
#define AMDXSCHED_CLASS_BEST_EFFORT	3	/* batch */
#define AMDXSCHED_CLASS_MAX		3

#define AMDXSCHED_PROC_F_KFD		_BITUL(0)	/* has a KFD process */
#define AMDXSCHED_PROC_F_SIM		_BITUL(1)	/* has a simulated process */
#define AMDXSCHED_PROC_F_ATTR		_BITUL(2)	/* attributes were set */
/*
 * A debugger (maybe the process itself) holds amdkfd's debug trap of it:
 * its queues cannot be suspended (EBUSY) and a suspension held on them is
 * left to the debugger; priorities and CU masks still apply (ABI 1.4)
 */
#define AMDXSCHED_PROC_F_DEBUGGED	_BITUL(3)

struct amdxsched_proc_info {
	__u32 pid;		/* caller's pid ns */
	__u32 uid;		/* caller's user ns */
	__u32 flags;		/* AMDXSCHED_PROC_F_* */
	__u32 num_queues;
	__u32 sched_class;	/* AMDXSCHED_CLASS_* */
	__u32 priority;		/* hint 0..15 */
	__u32 share;		/* hint, 0..1000 per mille, 0 = unset */
	__u32 attrs;		/* AMDXSCHED_ATTR_* the process set (ABI 1.1; 0 before) */
	__u64 deadline_ns;	/* hint, relative deadline of one request, 0 = unset */
	char comm[16];
	char tag[AMDXSCHED_TAG_LEN];
};

#define AMDXSCHED_PROC_INFO_SIZE_VER0	88

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_SUSPEND, _RESUME, _LEASE_RENEW */

struct amdxsched_suspend {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 level;		/* in: AMDXSCHED_LEVEL_* */
	__u32 count;		/* in: 1..max_batch */
	__u64 handles;		/* in: user pointer to __u64[count] */
	__u64 status;		/* in: user pointer to __s32[count] (out), or 0 */
	__u32 lease_ms;		/* in: 1..max_lease_ms */
	__u32 pad;
	__u64 lease_id;		/* out: lease covering all queues of this call */
	__u64 reserved[2];
};

#define AMDXSCHED_SUSPEND_SIZE_VER0	64

/* Also queues held by other files; needs control. */
#define AMDXSCHED_RESUME_FORCE		_BITUL(0)

struct amdxsched_resume {
	__u32 size;
	__u32 flags;		/* in: AMDXSCHED_RESUME_* */
	__u32 count;		/* in: 1..max_batch */
	__u32 pad;
	__u64 handles;		/* in: user pointer to __u64[count] */
	__u64 status;		/* in: user pointer to __s32[count] (out), or 0 */
	__u64 reserved[2];
};

#define AMDXSCHED_RESUME_SIZE_VER0	48

struct amdxsched_lease_renew {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 lease_id;		/* in */
	__u32 lease_ms;		/* in: 1..max_lease_ms, from now */
	__u32 pad;
	__u64 deadline_ns;	/* out: CLOCK_MONOTONIC */
	__u64 reserved[2];
};

#define AMDXSCHED_LEASE_RENEW_SIZE_VER0	48

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_SET_PRIORITY, _SET_CU_MASK */

struct amdxsched_priority_entry {
	__u64 handle;		/* in */
	__u32 priority;		/* in: 0..15 */
	__s32 status;		/* out: AMDXSCHED_STATUS_* or -errno */
};

struct amdxsched_set_priority {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 count;		/* in: 1..max_batch */
	__u32 pad;
	__u64 entries;		/* in: user pointer to struct amdxsched_priority_entry[count] */
	__u64 reserved[2];
};

#define AMDXSCHED_SET_PRIORITY_SIZE_VER0	40

struct amdxsched_set_cu_mask {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 handle;		/* in */
	__u32 num_bits;		/* in: non-zero multiple of 32, at most 1024 */
	__u32 pad;
	__u64 mask;		/* in: user pointer to __u32[num_bits / 32] */
	__u64 reserved[2];
};

#define AMDXSCHED_SET_CU_MASK_SIZE_VER0	48

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_APPLY (ABI 1.3): one decision on one GPU, in one remap */

#define AMDXSCHED_APPLY_SUSPEND		1	/* arg: level; under the call's lease */
#define AMDXSCHED_APPLY_RESUME		2	/* arg: 0 or AMDXSCHED_RESUME_FORCE */
#define AMDXSCHED_APPLY_PRIORITY	3	/* arg: priority 0..15 */
#define AMDXSCHED_APPLY_CU_MASK		4	/* arg: num_bits; mask: the mask */

struct amdxsched_apply_entry {
	__u64 handle;		/* in */
	__u32 op;		/* in: AMDXSCHED_APPLY_* */
	__u32 arg;		/* in: see the op */
	__u64 mask;		/* in: CU_MASK: user pointer to __u32[arg / 32], else 0 */
	__s32 status;		/* out: AMDXSCHED_STATUS_* or -errno */
	__u32 pad;		/* in: 0 */
};

#define AMDXSCHED_APPLY_ENTRY_SIZE_VER0	32

struct amdxsched_apply {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 gpu_id;		/* in: the GPU of every entry's queue */
	__u32 count;		/* in: entries, 1..max_batch */
	__u64 entries;		/* in: user pointer to count entries; statuses out */
	__u32 entry_size;	/* in: sizeof(struct amdxsched_apply_entry) */
	__u32 lease_ms;		/* in: the suspensions' lease; 0 if there are none */
	__u64 lease_id;		/* out: the suspensions' lease, 0 if none */
	__u32 remaps;		/* out: whole-GPU unmap/remap cycles it cost */
	__u32 pad;		/* in: 0 */
	__u64 reserved[2];	/* in: 0 */
};

#define AMDXSCHED_APPLY_SIZE_VER0	64

/* ------------------------------------------------------------------------ */
/* AMDXSCHED_IOC_SET_PROC_ATTR */

#define AMDXSCHED_ATTR_CLASS		_BITUL(0)
#define AMDXSCHED_ATTR_PRIORITY		_BITUL(1)
#define AMDXSCHED_ATTR_SHARE		_BITUL(2)
#define AMDXSCHED_ATTR_DEADLINE		_BITUL(3)
#define AMDXSCHED_ATTR_TAG		_BITUL(4)
#define AMDXSCHED_ATTR_ALL		0x1fU

struct amdxsched_proc_attr {
	__u32 size;
	__u32 flags;		/* in: AMDXSCHED_ATTR_* fields to set, at least one */
	__u32 pid;		/* in: 0 = the caller */
	__u32 sched_class;	/* in: AMDXSCHED_CLASS_* */
	__u32 priority;		/* in: 0..15 */
	__u32 share;		/* in: 1..1000 */
	__u64 deadline_ns;	/* in */
	char tag[AMDXSCHED_TAG_LEN];	/* in: NUL-terminated, printable */
	__u64 reserved[2];
};

#define AMDXSCHED_PROC_ATTR_SIZE_VER0	80

/*
 * AMDXSCHED_IOC_SET_QUEUE_ATTR (ABI 1.5): one queue's own scheduling hints,
 * in place of its process's (a process with a latency-critical stream and
 * a background one). Its owner sets them for its own queues; a file with
 * control for any queue. flags: the AMDXSCHED_ATTR_CLASS, _PRIORITY, _SHARE
 * and _DEADLINE fields to set, at least one; or AMDXSCHED_QUEUE_ATTR_CLEAR
 * alone, after which the process's hints apply again. Like a process's,
 * they are hints to the policy engine; the priority is not the queue's
 * hardware priority (AMDXSCHED_IOC_SET_PRIORITY).
 */
#define AMDXSCHED_QUEUE_ATTR_CLEAR	_BITUL(31)

struct amdxsched_queue_attr {
	__u32 size;
	__u32 flags;		/* in: AMDXSCHED_ATTR_* (not _TAG), or _QUEUE_ATTR_CLEAR */
	__u64 handle;		/* in */
	__u32 sched_class;	/* in: AMDXSCHED_CLASS_REALTIME.._BEST_EFFORT */
	__u32 priority;		/* in: 0..15 */
	__u32 share;		/* in: 1..1000 */
	__u32 pad;		/* in: 0 */
	__u64 deadline_ns;	/* in */
	__u64 reserved[2];	/* in: 0 */
};

#define AMDXSCHED_QUEUE_ATTR_SIZE_VER0	56

/* ------------------------------------------------------------------------ */
/* Events: AMDXSCHED_IOC_EVENTS_CONFIG, then read() and poll() */

#define AMDXSCHED_EVENT_QUEUE_CREATED	1	/* data[0] = kfd queue id, data[1] = type */
#define AMDXSCHED_EVENT_QUEUE_DESTROYED	2
#define AMDXSCHED_EVENT_PROC_CREATED	3
#define AMDXSCHED_EVENT_PROC_EXIT	4
#define AMDXSCHED_EVENT_QUEUE_BUSY	5
#define AMDXSCHED_EVENT_QUEUE_IDLE	6
#define AMDXSCHED_EVENT_QUEUE_SUSPENDED	7	/* data[0] = level, data[1] = lease id */
#define AMDXSCHED_EVENT_QUEUE_RESUMED	8	/* data[0] = AMDXSCHED_RESUMED_*, [1] = lease */
#define AMDXSCHED_EVENT_LEASE_EXPIRED	9	/* data[0] = lease id */
#define AMDXSCHED_EVENT_QUEUE_PRIORITY	10	/* data[0] = new priority */
#define AMDXSCHED_EVENT_QUEUE_CU_MASK	11	/* data[0] = bits set in the mask */
#define AMDXSCHED_EVENT_PROC_ATTR	12	/* data[0] = sched_class, data[1] = priority */
#define AMDXSCHED_EVENT_GPU_HANG	13	/* data[0] = unmap time in ns */
#define AMDXSCHED_EVENT_QUEUE_DRAINED	14	/* Lv2 suspension took full effect */
#define AMDXSCHED_EVENT_RESUME_FAILING	15	/* data[0] = errno, data[1] = lease id (ABI 1.2) */
/*
 * A lease not yet resumed AMDXSCHED_RESUME_LATE_MS after its deadline because
 * its GPU is still busy with another call: gpu_id, data[0] = ns past the
 * deadline, data[1] = lease id (ABI 1.3)
 */
#define AMDXSCHED_EVENT_RESUME_LATE	16
#define AMDXSCHED_RESUME_LATE_MS	1000
/*
 * a queue's own hints, or the priority its application gave it, changed:
 * data[0] = its attr_flags, data[1] = sched_class (ABI 1.5)
 */
#define AMDXSCHED_EVENT_QUEUE_ATTR	17
#define AMDXSCHED_EVENT_MAX		17

#define AMDXSCHED_EVENT_MASK(type)	_BITULL(type)
#define AMDXSCHED_EVENT_MASK_ALL	(((1ULL << (AMDXSCHED_EVENT_MAX + 1)) - 1) & ~1ULL)

#define AMDXSCHED_RESUMED_IOCTL		1	/* an explicit resume */
#define AMDXSCHED_RESUMED_LEASE		2	/* the lease expired */
#define AMDXSCHED_RESUMED_CLOSE		3	/* the holder closed its file */
/* someone else resumed it, e.g. a debugger; the lease ended (ABI 1.4) */
#define AMDXSCHED_RESUMED_OUTSIDE	4

#define AMDXSCHED_EVENTS_RING_MIN	16
#define AMDXSCHED_EVENTS_RING_MAX	65536
#define AMDXSCHED_EVENTS_RING_DEFAULT	1024

struct amdxsched_events_config {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 mask;		/* in: AMDXSCHED_EVENT_MASK() bits; 0 stops events */
	__u32 ring_entries;	/* in: power of two in [RING_MIN, RING_MAX], 0 = default */
	__u32 pad;
	__u64 reserved[2];
};

#define AMDXSCHED_EVENTS_CONFIG_SIZE_VER0	40

/*
 * One record of the stream read() returns; read() returns whole records only.
 * seq counts the events queued for this file, starting at 1: a jump in seq
 * means the ring was full and that many events were dropped.
 */
struct amdxsched_event {
	__u32 size;		/* of this record; step by it */
	__u16 type;		/* AMDXSCHED_EVENT_* */
	__u16 flags;		/* 0 */
	__u64 seq;
	__u64 timestamp_ns;	/* CLOCK_MONOTONIC */
	__u64 handle;		/* queue handle, 0 for process and GPU events */
	__u32 pid;		/* reader's pid ns */
	__u32 gpu_id;		/* AMDXSCHED_GPU_ANY for process events */
	__u64 data[2];
};

#define AMDXSCHED_EVENT_SIZE_VER0	56

/* ------------------------------------------------------------------------ */
/* The simulated device (AMDXSCHED_BACKEND_SIM) */

#define AMDXSCHED_SIM_DISPATCH_PRIORITY	0	/* higher pipe/queue priority first */
#define AMDXSCHED_SIM_DISPATCH_RR	1	/* round robin, priority ignored */

/* Zero in any field means the MI308X default (Documentation/sim-model.rst). */
struct amdxsched_sim_gpu_config {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 gpu_id;		/* out */
	__u32 num_xcc;		/* 1..8 */
	__u32 num_se_per_xcc;	/* 1..4 */
	__u32 num_sh_per_se;	/* 1..2 */
	/* active CUs of [xcc][se][sh]; all zero = 5 CUs (0x1f) everywhere */
	__u16 active_cu[AMDXSCHED_MAX_XCC][AMDXSCHED_MAX_SE][AMDXSCHED_MAX_SH];
	__u32 cu_state_bytes;	/* CWSR state of a full CU */
	__u32 max_wg_per_cu;	/* 1..64 */
	__u64 save_bw;		/* bytes per second */
	__u64 restore_bw;	/* bytes per second */
	__u32 unmap_ns;		/* fixed cost of an unmap (HIQ round trip) */
	__u32 map_ns;		/* fixed cost of sending the runlist */
	__u32 preempt_timeout_ms;
	__u32 dispatch;		/* AMDXSCHED_SIM_DISPATCH_* */
	__u64 reserved[2];
};

#define AMDXSCHED_SIM_GPU_CONFIG_SIZE_VER0	208

#define AMDXSCHED_SIM_PROC_CREATE	1	/* like opening /dev/kfd */
#define AMDXSCHED_SIM_PROC_DESTROY	2	/* like the process exiting */

struct amdxsched_sim_proc {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 op;		/* in: AMDXSCHED_SIM_PROC_* */
	__u32 pid;		/* out: the caller, in its pid ns */
	__u64 reserved[2];
};

#define AMDXSCHED_SIM_PROC_SIZE_VER0	32

struct amdxsched_sim_queue_create {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u32 gpu_id;		/* in: a simulated GPU */
	__u32 priority;		/* in: 0..15 */
	__u64 handle;		/* out */
	__u32 kfd_queue_id;	/* out: per process, as KFD numbers them */
	__u32 pad;
	__u64 reserved[2];
};

#define AMDXSCHED_SIM_QUEUE_CREATE_SIZE_VER0	48

struct amdxsched_sim_queue_destroy {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 handle;		/* in */
	__u64 reserved[2];
};

#define AMDXSCHED_SIM_QUEUE_DESTROY_SIZE_VER0	32

struct amdxsched_sim_submit {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 handle;		/* in */
	__u32 grid;		/* in: workgroups, 1..2^24 */
	__u32 wg_footprint;	/* in: wave state of one workgroup in bytes; 0 = a whole CU */
	__u64 wg_ns;		/* in: run time of one workgroup, 1 us..10 s */
	__u64 dispatch_id;	/* out: 1 for the queue's first kernel */
	__u64 reserved[2];
};

#define AMDXSCHED_SIM_SUBMIT_SIZE_VER0	56

struct amdxsched_sim_wait {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 handle;		/* in */
	__u64 dispatch_id;	/* in: 1..last submitted */
	__u64 timeout_ns;	/* in: relative; 0 = do not block */
	__u64 submit_ns;	/* out: CLOCK_MONOTONIC, in simulated device time */
	__u64 start_ns;		/* out: first workgroup dispatched */
	__u64 end_ns;		/* out: last workgroup finished */
	__u64 reserved[2];
};

#define AMDXSCHED_SIM_WAIT_SIZE_VER0	72

/* ------------------------------------------------------------------------ */

#define AMDXSCHED_IOC_MAGIC	0xA7

#define AMDXSCHED_IOC_VERSION \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x00, struct amdxsched_version)
#define AMDXSCHED_IOC_BACKEND_INFO \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x01, struct amdxsched_backend_info)
#define AMDXSCHED_IOC_LIST_GPUS \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x02, struct amdxsched_list)
#define AMDXSCHED_IOC_LIST_QUEUES \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x03, struct amdxsched_list)
#define AMDXSCHED_IOC_LIST_PROCS \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x04, struct amdxsched_list)
#define AMDXSCHED_IOC_SUSPEND \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x05, struct amdxsched_suspend)
#define AMDXSCHED_IOC_RESUME \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x06, struct amdxsched_resume)
#define AMDXSCHED_IOC_LEASE_RENEW \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x07, struct amdxsched_lease_renew)
#define AMDXSCHED_IOC_SET_PRIORITY \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x08, struct amdxsched_set_priority)
#define AMDXSCHED_IOC_SET_CU_MASK \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x09, struct amdxsched_set_cu_mask)
#define AMDXSCHED_IOC_EVENTS_CONFIG \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x0a, struct amdxsched_events_config)
#define AMDXSCHED_IOC_SET_PROC_ATTR \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x0b, struct amdxsched_proc_attr)
#define AMDXSCHED_IOC_APPLY \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x0c, struct amdxsched_apply)
#define AMDXSCHED_IOC_SET_QUEUE_ATTR \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x0d, struct amdxsched_queue_attr)

#define AMDXSCHED_IOC_SIM_ADD_GPU \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x40, struct amdxsched_sim_gpu_config)
#define AMDXSCHED_IOC_SIM_PROC \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x41, struct amdxsched_sim_proc)
#define AMDXSCHED_IOC_SIM_QUEUE_CREATE \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x42, struct amdxsched_sim_queue_create)
#define AMDXSCHED_IOC_SIM_QUEUE_DESTROY \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x43, struct amdxsched_sim_queue_destroy)
#define AMDXSCHED_IOC_SIM_SUBMIT \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x44, struct amdxsched_sim_submit)
#define AMDXSCHED_IOC_SIM_WAIT \
	_IOWR(AMDXSCHED_IOC_MAGIC, 0x45, struct amdxsched_sim_wait)

/* ------------------------------------------------------------------------ */
/* Layout pins: the same on every architecture and in C and C++. */

/*
 * A wrong size makes a bit-field width negative: a compile error in every C
 * and C++ dialect, without needing C11 or C++11.
 */
#define __AMDXSCHED_CAT2(a, b)	a##b
#define __AMDXSCHED_CAT(a, b)	__AMDXSCHED_CAT2(a, b)
#define __AMDXSCHED_PIN(type, bytes) \
	struct __AMDXSCHED_CAT(__amdxsched_pin_, __LINE__) { \
		unsigned int size_is_pinned : sizeof(type) == (bytes) ? 1 : -1; \
	}

__AMDXSCHED_PIN(struct amdxsched_version, AMDXSCHED_VERSION_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_backend_info, AMDXSCHED_BACKEND_INFO_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_list, AMDXSCHED_LIST_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_gpu_counters, 64);
__AMDXSCHED_PIN(struct amdxsched_gpu_info, AMDXSCHED_GPU_INFO_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_queue_counters, 64);
__AMDXSCHED_PIN(struct amdxsched_queue_info, AMDXSCHED_QUEUE_INFO_SIZE_VER1);
__AMDXSCHED_PIN(struct amdxsched_proc_info, AMDXSCHED_PROC_INFO_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_suspend, AMDXSCHED_SUSPEND_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_resume, AMDXSCHED_RESUME_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_lease_renew, AMDXSCHED_LEASE_RENEW_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_priority_entry, 16);
__AMDXSCHED_PIN(struct amdxsched_set_priority, AMDXSCHED_SET_PRIORITY_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_set_cu_mask, AMDXSCHED_SET_CU_MASK_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_apply_entry, AMDXSCHED_APPLY_ENTRY_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_apply, AMDXSCHED_APPLY_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_proc_attr, AMDXSCHED_PROC_ATTR_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_queue_attr, AMDXSCHED_QUEUE_ATTR_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_events_config, AMDXSCHED_EVENTS_CONFIG_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_event, AMDXSCHED_EVENT_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_sim_gpu_config, AMDXSCHED_SIM_GPU_CONFIG_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_sim_proc, AMDXSCHED_SIM_PROC_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_sim_queue_create, AMDXSCHED_SIM_QUEUE_CREATE_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_sim_queue_destroy, AMDXSCHED_SIM_QUEUE_DESTROY_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_sim_submit, AMDXSCHED_SIM_SUBMIT_SIZE_VER0);
__AMDXSCHED_PIN(struct amdxsched_sim_wait, AMDXSCHED_SIM_WAIT_SIZE_VER0);

#undef __AMDXSCHED_PIN
#undef __AMDXSCHED_CAT
#undef __AMDXSCHED_CAT2

#endif /* _UAPI_LINUX_AMDXSCHED_H */
