/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulated gfx942 device as a pure model: queues, kernels made of
 * workgroups, CUs with limited room, the hardware scheduler's whole-GPU
 * unmap/remap on every runlist change, and CWSR save/restore costs.
 *
 * The model has no clock of its own: every entry point takes "now" in
 * nanoseconds and the model processes everything that happened up to then,
 * at the exact times it happened. Results therefore do not depend on how
 * late a timer fires. It does not allocate, lock or sleep: the caller passes
 * memory in through hooks and serialises all calls on one GPU.
 *
 * Documentation/sim-model.rst explains the model and where its numbers come
 * from.
 */
#ifndef AXS_SIM_MODEL_H
#define AXS_SIM_MODEL_H

#include "cu_mask.h"

#define AXS_SIM_HISTORY		64	/* completed kernels remembered per queue */
#define AXS_SIM_MAX_QUEUES	256	/* per GPU */
#define AXS_SIM_MAX_WG_PER_CU	64
#define AXS_SIM_MAX_GRID	BIT(24)
#define AXS_SIM_MIN_WG_NS	1000ULL
#define AXS_SIM_MAX_WG_NS	10000000000ULL
/* Events an advance processes before it asks hooks->overrun. */
#define AXS_SIM_ADVANCE_MIN_EVENTS	16

#define AXS_SIM_DISPATCH_PRIORITY	0
#define AXS_SIM_DISPATCH_RR		1

/* What a runlist change unmaps (a what-if: HWS today unmaps the whole GPU). */
#define AXS_SIM_REMAP_GPU		0
#define AXS_SIM_REMAP_QUEUE		1	/* only the queues the change names */

struct axs_sim_params {
	u32 cu_state_bytes;	/* CWSR state of a full CU */
	u32 max_wg_per_cu;	/* workgroups resident on one CU at most */
	u64 save_bw;		/* CWSR save, bytes per second */
	u64 restore_bw;		/* CWSR restore, bytes per second */
	u64 unmap_ns;		/* fixed part of an unmap */
	u64 map_ns;		/* fixed part of sending the runlist */
	u64 preempt_timeout_ns;	/* longer unmaps are hangs */
	u64 unmap_delay_ns;	/* fault knob: extra time every unmap takes */
	u32 dispatch;		/* AXS_SIM_DISPATCH_* */
	/*
	 * A queue's next kernel can start this long after the previous one
	 * ended (the CP's barrier and launch of the next packet); meanwhile
	 * other queues' waiting workgroups take the room. 0 = at once.
	 */
	u64 launch_ns;
	u32 remap_scope;	/* AXS_SIM_REMAP_* */
};

struct axs_sim_kernel {
	struct list_head node;	/* in queue->kernels, in submission order */
	u64 id;			/* dispatch id, from 1 */
	u64 wg_ns;		/* run time of one workgroup */
	u32 grid;		/* workgroups */
	u32 footprint;		/* bytes of wave state per workgroup */
	u32 dispatched;		/* workgroups started */
	u32 completed;		/* workgroups finished */
	bool started;
	u64 submit_ns, start_ns, end_ns;
};

struct axs_sim_record {
	u64 id;
	u64 submit_ns, start_ns, end_ns;
};

/* Workgroups of one kernel started together: per_cu on each CU of @cus. */
struct axs_sim_cohort {
	struct list_head node;	/* gpu->running, or queue->saved once saved */
	struct axs_sim_queue *q;
	struct axs_sim_kernel *k;
	struct axs_cu_set cus;	/* running: CUs it occupies */
	u32 per_cu;		/* running: workgroups on each of them */
	u32 count;		/* workgroups in the cohort */
	u64 end_ns;		/* running: when they finish */
	u64 left_ns;		/* saved: run time they still need */
};

struct axs_sim_qstats {
	u64 wg_completed;
	u64 kernels_completed;
	u64 busy_transitions;
	u64 busy_ns;		/* finished busy periods only */
};

struct axs_sim_queue {
	struct list_head node;	/* gpu->queues */
	struct list_head kernels;	/* submitted, unfinished; head runs */
	struct list_head saved;	/* cohorts saved by CWSR; restored first */
	struct axs_cu_set cus;	/* CUs its CU mask allows */
	u32 priority;		/* 0..15 */
	u32 level;		/* 0 = runnable, else the suspension level */
	bool draining;		/* level 2, head kernel still finishing */
	bool busy;		/* has unfinished kernels */
	u64 served;		/* dispatch order among equals */
	u64 next_id;		/* last dispatch id handed out */
	u64 done_id;		/* last dispatch id finished */
	u64 busy_since;
	u64 ready_ns;		/* its head kernel may dispatch from then (launch_ns) */
	struct axs_sim_record hist[AXS_SIM_HISTORY];
	struct axs_sim_qstats stats;
	void *cookie;		/* the caller's */
};

struct axs_sim_gstats {
	u64 remaps;
	u64 remap_ns;
	u64 saved_bytes;
	u64 restored_bytes;
	u64 hangs;
	u64 alloc_failures;
	u64 stalls;		/* advances cut short: the host fell behind */
	u64 stall_ns;		/* model time the GPU stood still for them */
};

struct axs_sim_hooks {
	/* Called as things happen, at model time @t. */
	void (*busy)(void *ctx, struct axs_sim_queue *q, bool busy, u64 t);
	void (*drained)(void *ctx, struct axs_sim_queue *q, u64 t);
	void (*kernel_done)(void *ctx, struct axs_sim_queue *q,
			    const struct axs_sim_record *r);
	/* Memory for cohorts (may fail: dispatch then waits) and freeing kernels. */
	struct axs_sim_cohort *(*alloc_cohort)(void *ctx);
	void (*free_cohort)(void *ctx, struct axs_sim_cohort *c);
	void (*free_kernel)(void *ctx, struct axs_sim_kernel *k);
	/*
	 * Optional: has the advance to @now already used its share of the
	 * host's CPU? Asked after each event; when it says yes, the rest of the
	 * way to @now the GPU stands still (see axs_sim_advance()).
	 */
	bool (*overrun)(void *ctx, u64 now);
};

struct axs_sim_gpu {
	struct axs_topo topo;
	struct axs_sim_params p;
	u32 ncu;
	u32 nqueues;
	struct list_head queues;
	struct list_head running;	/* cohorts on CUs */
	u64 now;		/* everything up to here has been processed */
	u64 paused_until;	/* the runlist is being remapped until then */
	bool resume_pending;	/* dispatch owed at paused_until */
	u64 launch_at;		/* earliest queue ready_ns still ahead, or AXS_U64_MAX */
	u64 cp_until;		/* REMAP_QUEUE: the CP is busy with an unmap until then */
	u64 serve_seq;
	struct axs_sim_gstats stats;
	const struct axs_sim_hooks *hooks;
	void *ctx;
	u32 used_bytes[AXS_MAX_CU];
	u16 used_wg[AXS_MAX_CU];
	u16 scratch[AXS_MAX_CU];
	struct axs_sim_queue *order[AXS_SIM_MAX_QUEUES];
};

/* A runlist change; each costs one whole-GPU unmap/remap. */
#define AXS_SIM_CHANGE_ADD	1	/* queue created */
#define AXS_SIM_CHANGE_REMOVE	2	/* queue destroyed: its work is dropped */
#define AXS_SIM_CHANGE_SUSPEND	3
#define AXS_SIM_CHANGE_RESUME	4
#define AXS_SIM_CHANGE_PRIORITY	5
#define AXS_SIM_CHANGE_CU_MASK	6

struct axs_sim_change {
	u32 kind;
	u32 level;			/* SUSPEND: 2 or 3 */
	struct axs_sim_queue *const *q;
	u32 n;
	const u32 *priority;		/* PRIORITY: one per queue */
	const struct axs_cu_set *cus;	/* CU_MASK: one per queue */
};

struct axs_sim_remap_info {
	u64 start_ns;		/* the unmap begins (after any earlier one) */
	u64 unmap_done_ns;	/* the unmap is over: the caller returns then */
	u64 end_ns;		/* the runlist is mapped again: queues run */
	u64 save_bytes;
	u64 restore_bytes;
	bool hang;		/* the unmap exceeded the preemption timeout */
};

void axs_sim_params_default(struct axs_sim_params *p);
int axs_sim_params_check(const struct axs_sim_params *p);

void axs_sim_gpu_init(struct axs_sim_gpu *g, const struct axs_topo *topo,
		      const struct axs_sim_params *p,
		      const struct axs_sim_hooks *hooks, void *ctx, u64 now);
/* Frees every queue's kernels and cohorts; queues themselves are the caller's. */
void axs_sim_gpu_fini(struct axs_sim_gpu *g);

void axs_sim_queue_init(struct axs_sim_gpu *g, struct axs_sim_queue *q,
			u32 priority, void *cookie);

/*
 * Process everything up to @now. When, after AXS_SIM_ADVANCE_MIN_EVENTS
 * events (so a host hiccup alone never changes results), hooks->overrun
 * says the host cannot
 * keep up (thousands of 1 us workgroups on a slow host: each advance would
 * have more to do than the last, and hold the caller's lock ever longer),
 * what is left stands still from the last event processed to @now, as
 * during a remap, and stats.stalls and stall_ns count it. The model is then
 * slower than real time, never behind it.
 */
void axs_sim_advance(struct axs_sim_gpu *g, u64 now);

/* Time of the next thing that happens by itself, AXS_U64_MAX if none. */
u64 axs_sim_next_event(const struct axs_sim_gpu *g);

/*
 * Queue @k (grid, wg_ns and footprint filled in; footprint 0 = a whole CU)
 * on @q at @now. Returns 0 and sets k->id, or -EINVAL for a kernel outside
 * the model's limits (the model then does not own @k).
 */
int axs_sim_enqueue(struct axs_sim_gpu *g, struct axs_sim_queue *q,
		    struct axs_sim_kernel *k, u64 now);

/*
 * Apply @c at @now through one unmap/remap of the whole GPU. Returns 0, or
 * -ETIME when the unmap hangs; a hung change is not applied, except adding
 * or removing a queue, which happen regardless.
 */
int axs_sim_remap(struct axs_sim_gpu *g, u64 now, const struct axs_sim_change *c,
		  struct axs_sim_remap_info *out);
/*
 * The same for @nc changes at once, applied in turn: one unmap/remap for a
 * whole decision. A queue may be in several (a priority, a CU mask and a
 * suspension), but should not be both suspended and resumed.
 */
int axs_sim_remap_many(struct axs_sim_gpu *g, u64 now, const struct axs_sim_change *cs,
		       u32 nc, struct axs_sim_remap_info *out);

/* The record of a finished kernel, or NULL if never finished or forgotten. */
const struct axs_sim_record *axs_sim_record(const struct axs_sim_queue *q, u64 id);

/* Busy time including the current busy period. */
u64 axs_sim_busy_ns(const struct axs_sim_queue *q, u64 now);

/* Bytes of wave state the queue has resident on CUs, and saved. */
u64 axs_sim_queue_resident_bytes(const struct axs_sim_gpu *g,
				 const struct axs_sim_queue *q);
u64 axs_sim_queue_saved_bytes(const struct axs_sim_queue *q);

#endif /* AXS_SIM_MODEL_H */
