/* SPDX-License-Identifier: MIT */
/*
 * libaxspolicy: the scheduling policies of xschedd as plain C with no I/O.
 *
 * Facts go in (GPUs, processes and their class, queues, busy and idle
 * transitions, the time); decisions come out of axsp_decide() as one batch
 * per GPU: queues to suspend (by level) and resume, hardware priorities and
 * CU masks. Time is whatever clock the caller passes (xschedd passes
 * CLOCK_MONOTONIC ns); nothing here reads a clock, sleeps, prints or does a
 * system call, so every decision can be replayed in a unit test.
 *
 * The library assumes its decisions are applied. When one is not (an ioctl
 * failed, a lease ran out, someone else resumed a queue), the caller says
 * what the queue's state really is with axsp_queue_observed(), and the next
 * axsp_decide() corrects it.
 *
 * Documentation/xschedd.rst says when to use which policy.
 */
#ifndef AXS_POLICY_H
#define AXS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AXSP_NEVER		UINT64_MAX
#define AXSP_NCLASS		4	/* index 1..3, as AMDXSCHED_CLASS_* */
#define AXSP_CU_MASK_WORDS	32	/* 1024 bits, as AMDXSCHED_CU_MASK_WORDS */

/* Scheduling classes: the values of AMDXSCHED_CLASS_*. */
enum axsp_class {
	AXSP_CLASS_REALTIME	= 1,	/* latency critical */
	AXSP_CLASS_NORMAL	= 2,
	AXSP_CLASS_BEST_EFFORT	= 3,	/* batch */
};

enum axsp_kind {
	AXSP_PRIORITY,		/* highest class first, with preemption */
	AXSP_BANDWIDTH,		/* time slices in proportion to shares */
	AXSP_EDF,		/* earliest deadline first */
	AXSP_LLF,		/* least laxity first */
	AXSP_SPATIAL,		/* CU partitions only, no temporal preemption */
	AXSP_NKINDS
};

enum axsp_cu_mode {
	AXSP_CU_NONE,		/* every queue may use every CU */
	AXSP_CU_CLASS,		/* a CU fraction per class (cu_permille) */
	AXSP_CU_SHARE,		/* disjoint CU ranges in proportion to shares */
};

struct axsp_config {
	enum axsp_kind kind;
	/* Level (2 or 3) used to suspend a queue of class c: level[c]. */
	uint32_t level[AXSP_NCLASS];
	/* Hardware queue priority (0..15) of class c when no hint is given. */
	uint32_t priority[AXSP_NCLASS];
	/* Share (1..1000) of class c when the process gives none. */
	uint32_t share[AXSP_NCLASS];
	/*
	 * Hysteresis: a preempting class stays "active" this long after its
	 * last queue went idle, so a bursty queue does not make the ones
	 * below it flap (priority); a switch needs a laxity gain this big (llf).
	 */
	uint64_t hold_ns;
	/*
	 * Starvation guard: a busy queue kept suspended gets at least
	 * min_share_permille of every guard_period_ns (0 = no guard).
	 */
	uint32_t min_share_permille;
	uint64_t guard_period_ns;
	/* Bandwidth: one round of time slices. */
	uint64_t slice_period_ns;
	/* LLF: how often laxities are compared while two queues compete. */
	uint64_t llf_tick_ns;
	/* Spatial partition, alone (AXSP_SPATIAL) or beside the others. */
	enum axsp_cu_mode cu_mode;
	uint32_t cu_permille[AXSP_NCLASS];	/* AXSP_CU_CLASS; 0 = all CUs */
};

/* The defaults of xschedd.conf(5): priority, Lv3 below realtime, etc. */
void axsp_config_default(struct axsp_config *cfg);
/* NULL if @cfg is valid, else a static message saying what is wrong. */
const char *axsp_config_check(const struct axsp_config *cfg);

const char *axsp_kind_name(enum axsp_kind kind);
/* -1 if @name is not a policy. */
int axsp_kind_parse(const char *name);

/* A GPU's CU topology, as struct amdxsched_gpu_info gives it. */
struct axsp_topo {
	uint32_t num_xcc;
	uint32_t num_se;	/* per XCC */
	uint32_t num_sh;	/* per SE */
	uint16_t active_cu[8][4][2];
};

/* What the caller resolved about a process (rules, then hints). */
struct axsp_proc_attr {
	enum axsp_class sched_class;
	int32_t priority;	/* 0..15, or -1 for the class default */
	uint32_t share;		/* 1..1000, or 0 for the class default */
	uint64_t deadline_ns;	/* relative deadline of a request, 0 = none */
};

struct axsp_cu_change {
	uint64_t handle;
	uint32_t num_bits;	/* multiple of 32 */
	uint32_t mask[AXSP_CU_MASK_WORDS];
};

struct axsp_prio_change {
	uint64_t handle;
	uint32_t priority;
};

/* All changes for one GPU, meant to be applied together, in this order. */
struct axsp_gpu_plan {
	uint32_t gpu_id;
	uint32_t n_cu, n_prio, n_suspend[2], n_resume;
	struct axsp_cu_change *cu;
	struct axsp_prio_change *prio;
	uint64_t *suspend[2];	/* [0]: Lv2, [1]: Lv3 */
	uint64_t *resume;
};

struct axsp_plan {
	uint32_t n_gpus;	/* GPUs with at least one change */
	struct axsp_gpu_plan *gpus;
	/* Call axsp_decide() again at this time even if nothing happens. */
	uint64_t next_ns;
};

struct axsp_stats {
	uint64_t decisions;	/* axsp_decide() calls that changed something */
	uint64_t suspends, resumes, prio_changes, cu_changes;
	uint64_t guard_grants;	/* starvation guard let a queue run */
	uint64_t holds;		/* suspensions kept by hysteresis */
	/*
	 * GPUs decided again: only those an event touched or whose own next
	 * time came (a process or config change: every GPU).
	 */
	uint64_t gpus_decided;
};

struct axsp;

/* NULL on allocation failure or an invalid config. */
struct axsp *axsp_new(const struct axsp_config *cfg);
void axsp_free(struct axsp *p);

/* 0, or -EINVAL (the config is kept). Takes effect at the next decision. */
int axsp_set_config(struct axsp *p, const struct axsp_config *cfg);
const struct axsp_config *axsp_get_config(const struct axsp *p);

/* Facts. Each returns 0, -EINVAL, -EEXIST, -ENOENT or -ENOMEM. */
int axsp_gpu_add(struct axsp *p, uint32_t gpu_id, const struct axsp_topo *topo);
int axsp_proc_set(struct axsp *p, uint32_t pid, const struct axsp_proc_attr *attr);
int axsp_proc_remove(struct axsp *p, uint32_t pid);
/*
 * A queue as it is now: its priority, whether it is suspended (level, 0 if
 * not; a suspension held by someone else counts) and busy. Its process
 * need not be known yet (it is then normal, with defaults).
 */
int axsp_queue_add(struct axsp *p, uint64_t handle, uint32_t gpu_id, uint32_t pid,
		   uint32_t priority, uint32_t level, bool busy, uint64_t now);
int axsp_queue_remove(struct axsp *p, uint64_t handle);
int axsp_queue_busy(struct axsp *p, uint64_t handle, bool busy, uint64_t now);
/*
 * The queue's real suspension state, when it differs from the last plan:
 * @level 0 = running; else suspended, by the caller (@ours, e.g. a resume
 * that failed) or by someone else (never touched until seen running).
 */
int axsp_queue_observed(struct axsp *p, uint64_t handle, uint32_t level, bool ours);
/* Whether the policy counts @handle as suspended by someone else. */
bool axsp_queue_foreign(struct axsp *p, uint64_t handle);
/*
 * The queue's own class, priority, share and deadline, in place of its
 * process's (a process with a latency-critical stream and a background
 * one); NULL goes back to the process's. 0, -ENOENT or -EINVAL.
 */
int axsp_queue_attr(struct axsp *p, uint64_t handle, const struct axsp_proc_attr *attr);

/*
 * Decide at @now. The plan lives in @p until the next call. Returns the
 * number of GPUs with changes, or -ENOMEM.
 */
int axsp_decide(struct axsp *p, uint64_t now, struct axsp_plan *plan);

void axsp_get_stats(const struct axsp *p, struct axsp_stats *st);

/* Queues by class now (index AXSP_CLASS_*; 0 unused), for metrics. */
struct axsp_class_counts {
	uint32_t queues[AXSP_CLASS_BEST_EFFORT + 1];
	uint32_t busy[AXSP_CLASS_BEST_EFFORT + 1];
	uint32_t suspended[AXSP_CLASS_BEST_EFFORT + 1];	/* by anyone */
};

void axsp_class_counts(const struct axsp *p, struct axsp_class_counts *c);

/*
 * Every XCC keeps CUs: a mask of @count of the GPU's CUs (rounded up to a
 * multiple of the XCC count) starting at mask bit @first, in amdkfd's
 * interleaved bit order. Returns the mask length in bits, or 0 if it does
 * not fit. Shared with xschedctl's --cus/--fraction.
 */
uint32_t axsp_cu_mask_build(const struct axsp_topo *t, uint32_t first, uint32_t count,
			    uint32_t *mask, uint32_t nwords);
uint32_t axsp_topo_num_cu(const struct axsp_topo *t);

#endif /* AXS_POLICY_H */
