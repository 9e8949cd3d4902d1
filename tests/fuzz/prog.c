// SPDX-License-Identifier: MIT
/*
 * axs-fuzz programs: the ioctl argument layouts, generating and mutating
 * programs, and their text form (what --log writes and --replay reads).
 */
#include "fuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define U32MAX		0xffffffffULL
#define U64MAX		0xffffffffffffffffULL

/* ------------------------------------------------------------------------ */
/* Argument layouts: every field of every struct, with what it means. */

#define FLD(s, m, k, arg) \
	{ #m, offsetof(struct s, m), sizeof(((struct s *)0)->m), (k), (arg) }
#define FLDW(s, m, w, k, arg) \
	{ #m, offsetof(struct s, m), (w), (k), (arg) }
#define HEAD(s, valid) \
	FLD(s, size, K_SIZE, sizeof(struct s)), FLD(s, flags, K_FLAGS, (valid))
#define TAIL	{ "tail", 0, 0, K_TAIL, 0 }

static const struct field f_version[] = {
	HEAD(amdxsched_version, 0),
	FLD(amdxsched_version, instance_id, K_OUT, 0),
	FLD(amdxsched_version, max_lease_ms, K_OUT, 0),
	TAIL,
};

static const struct field f_backend_info[] = {
	HEAD(amdxsched_backend_info, 0),
	FLD(amdxsched_backend_info, backend, K_BACKEND, 0),
	FLD(amdxsched_backend_info, status, K_OUT, 0),
	FLDW(amdxsched_backend_info, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_backend_info, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

/* K_ESIZE's arg: the first version's entry size, and ours (what sizeof says now). */
#define ESIZE(ver0, cur)	((ver0) | (cur) << 16)

#define LIST_FIELDS(ver0, cur, gpu) \
	HEAD(amdxsched_list, 0), \
	FLD(amdxsched_list, count, K_LISTCOUNT, 0), \
	FLD(amdxsched_list, entry_size, K_ESIZE, ESIZE((ver0), (cur))), \
	FLD(amdxsched_list, entries, K_PTR, 0), \
	FLD(amdxsched_list, pid, K_LPID, 0), \
	FLD(amdxsched_list, gpu_id, K_GPU, (gpu)), \
	FLDW(amdxsched_list, reserved[0], 8, K_ZERO, 0), \
	FLDW(amdxsched_list, reserved[1], 8, K_ZERO, 0), \
	TAIL

/* K_GPU's arg: 1 = a list filter (mostly AMDXSCHED_GPU_ANY). */
static const struct field f_list_gpus[] = {
	LIST_FIELDS(AMDXSCHED_GPU_INFO_SIZE_VER0, sizeof(struct amdxsched_gpu_info), 1)
};
/* 256-byte entries are a caller of ABI 1.4 or older's: the module cuts them short. */
static const struct field f_list_queues[] = {
	LIST_FIELDS(AMDXSCHED_QUEUE_INFO_SIZE_VER0, sizeof(struct amdxsched_queue_info), 1)
};
static const struct field f_list_procs[] = {
	LIST_FIELDS(AMDXSCHED_PROC_INFO_SIZE_VER0, sizeof(struct amdxsched_proc_info), 1)
};

static const struct field f_suspend[] = {
	HEAD(amdxsched_suspend, 0),
	FLD(amdxsched_suspend, level, K_LEVEL, 0),
	FLD(amdxsched_suspend, count, K_BATCH, 0),
	FLD(amdxsched_suspend, handles, K_PTR, 0),
	FLD(amdxsched_suspend, status, K_PTR, 1),	/* arg 1: may be 0 */
	FLD(amdxsched_suspend, lease_ms, K_LEASEMS, 0),
	FLD(amdxsched_suspend, pad, K_ZERO, 0),
	FLD(amdxsched_suspend, lease_id, K_OUT, 0),
	FLDW(amdxsched_suspend, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_suspend, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_resume[] = {
	HEAD(amdxsched_resume, AMDXSCHED_RESUME_FORCE),
	FLD(amdxsched_resume, count, K_BATCH, 0),
	FLD(amdxsched_resume, pad, K_ZERO, 0),
	FLD(amdxsched_resume, handles, K_PTR, 0),
	FLD(amdxsched_resume, status, K_PTR, 1),
	FLDW(amdxsched_resume, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_resume, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_lease_renew[] = {
	HEAD(amdxsched_lease_renew, 0),
	FLD(amdxsched_lease_renew, lease_id, K_LEASE, 0),
	FLD(amdxsched_lease_renew, lease_ms, K_LEASEMS, 0),
	FLD(amdxsched_lease_renew, pad, K_ZERO, 0),
	FLD(amdxsched_lease_renew, deadline_ns, K_OUT, 0),
	FLDW(amdxsched_lease_renew, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_lease_renew, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_set_priority[] = {
	HEAD(amdxsched_set_priority, 0),
	FLD(amdxsched_set_priority, count, K_BATCH, 0),
	FLD(amdxsched_set_priority, pad, K_ZERO, 0),
	FLD(amdxsched_set_priority, entries, K_PTR, 0),
	FLDW(amdxsched_set_priority, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_set_priority, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_set_cu_mask[] = {
	HEAD(amdxsched_set_cu_mask, 0),
	FLD(amdxsched_set_cu_mask, handle, K_HANDLE, 0),
	FLD(amdxsched_set_cu_mask, num_bits, K_NBITS, 0),
	FLD(amdxsched_set_cu_mask, pad, K_ZERO, 0),
	FLD(amdxsched_set_cu_mask, mask, K_PTR, 0),
	FLDW(amdxsched_set_cu_mask, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_set_cu_mask, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_apply[] = {
	HEAD(amdxsched_apply, 0),
	FLD(amdxsched_apply, gpu_id, K_GPU, 0),
	FLD(amdxsched_apply, count, K_BATCH, 0),
	FLD(amdxsched_apply, entries, K_PTR, 0),
	FLD(amdxsched_apply, entry_size, K_ESIZE,
	    ESIZE(AMDXSCHED_APPLY_ENTRY_SIZE_VER0, sizeof(struct amdxsched_apply_entry))),
	FLD(amdxsched_apply, lease_ms, K_LEASEMS, 0),
	FLD(amdxsched_apply, lease_id, K_OUT, 0),
	FLD(amdxsched_apply, remaps, K_OUT, 0),
	FLD(amdxsched_apply, pad, K_ZERO, 0),
	FLDW(amdxsched_apply, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_apply, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_events_config[] = {
	HEAD(amdxsched_events_config, 0),
	FLD(amdxsched_events_config, mask, K_EVMASK, 0),
	FLD(amdxsched_events_config, ring_entries, K_RING, 0),
	FLD(amdxsched_events_config, pad, K_ZERO, 0),
	FLDW(amdxsched_events_config, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_events_config, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_set_proc_attr[] = {
	FLD(amdxsched_proc_attr, size, K_SIZE, sizeof(struct amdxsched_proc_attr)),
	FLD(amdxsched_proc_attr, flags, K_ATTRFLAGS, AMDXSCHED_ATTR_ALL),
	FLD(amdxsched_proc_attr, pid, K_APID, 0),
	FLD(amdxsched_proc_attr, sched_class, K_CLASS, 0),
	FLD(amdxsched_proc_attr, priority, K_PRIO, 0),
	FLD(amdxsched_proc_attr, share, K_SHARE, 0),
	FLD(amdxsched_proc_attr, deadline_ns, K_DEADLINE, 0),
	FLD(amdxsched_proc_attr, tag, K_TAG, 0),
	FLDW(amdxsched_proc_attr, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_proc_attr, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

/* K_CLASS's arg: the lowest valid class (a queue's own class is never UNSET). */
static const struct field f_set_queue_attr[] = {
	FLD(amdxsched_queue_attr, size, K_SIZE, sizeof(struct amdxsched_queue_attr)),
	FLD(amdxsched_queue_attr, flags, K_QATTRFLAGS, QUEUE_ATTR_FIELDS),
	FLD(amdxsched_queue_attr, handle, K_HANDLE, 0),
	FLD(amdxsched_queue_attr, sched_class, K_CLASS, AMDXSCHED_CLASS_REALTIME),
	FLD(amdxsched_queue_attr, priority, K_PRIO, 0),
	FLD(amdxsched_queue_attr, share, K_SHARE, 0),
	FLD(amdxsched_queue_attr, pad, K_ZERO, 0),
	FLD(amdxsched_queue_attr, deadline_ns, K_DEADLINE, 0),
	FLDW(amdxsched_queue_attr, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_queue_attr, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_sim_add_gpu[] = {
	HEAD(amdxsched_sim_gpu_config, 0),
	FLD(amdxsched_sim_gpu_config, gpu_id, K_OUT, 0),
	FLD(amdxsched_sim_gpu_config, num_xcc, K_TOPO, AMDXSCHED_MAX_XCC),
	FLD(amdxsched_sim_gpu_config, num_se_per_xcc, K_TOPO, AMDXSCHED_MAX_SE),
	FLD(amdxsched_sim_gpu_config, num_sh_per_se, K_TOPO, AMDXSCHED_MAX_SH),
	FLD(amdxsched_sim_gpu_config, active_cu, K_ACU, 0),
	FLD(amdxsched_sim_gpu_config, cu_state_bytes, K_CUBYTES, 0),
	FLD(amdxsched_sim_gpu_config, max_wg_per_cu, K_WGPERCU, 0),
	FLD(amdxsched_sim_gpu_config, save_bw, K_BW, 0),
	FLD(amdxsched_sim_gpu_config, restore_bw, K_BW, 0),
	FLD(amdxsched_sim_gpu_config, unmap_ns, K_NS, 0),
	FLD(amdxsched_sim_gpu_config, map_ns, K_NS, 0),
	FLD(amdxsched_sim_gpu_config, preempt_timeout_ms, K_PTMO, 0),
	FLD(amdxsched_sim_gpu_config, dispatch, K_DISPATCH, 0),
	FLDW(amdxsched_sim_gpu_config, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_sim_gpu_config, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_sim_proc[] = {
	HEAD(amdxsched_sim_proc, 0),
	FLD(amdxsched_sim_proc, op, K_SIMOP, 0),
	FLD(amdxsched_sim_proc, pid, K_OUT, 0),
	FLDW(amdxsched_sim_proc, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_sim_proc, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_sim_queue_create[] = {
	HEAD(amdxsched_sim_queue_create, 0),
	FLD(amdxsched_sim_queue_create, gpu_id, K_GPU, 0),
	FLD(amdxsched_sim_queue_create, priority, K_PRIO, 0),
	FLD(amdxsched_sim_queue_create, handle, K_OUT, 0),
	FLD(amdxsched_sim_queue_create, pad, K_ZERO, 0),
	FLDW(amdxsched_sim_queue_create, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_sim_queue_create, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_sim_queue_destroy[] = {
	HEAD(amdxsched_sim_queue_destroy, 0),
	FLD(amdxsched_sim_queue_destroy, handle, K_HANDLE, 0),
	FLDW(amdxsched_sim_queue_destroy, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_sim_queue_destroy, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_sim_submit[] = {
	HEAD(amdxsched_sim_submit, 0),
	FLD(amdxsched_sim_submit, handle, K_HANDLE, 0),
	FLD(amdxsched_sim_submit, grid, K_GRID, 0),
	FLD(amdxsched_sim_submit, wg_footprint, K_FOOT, 0),
	FLD(amdxsched_sim_submit, wg_ns, K_WGNS, 0),
	FLD(amdxsched_sim_submit, dispatch_id, K_OUT, 0),
	FLDW(amdxsched_sim_submit, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_sim_submit, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

static const struct field f_sim_wait[] = {
	HEAD(amdxsched_sim_wait, 0),
	FLD(amdxsched_sim_wait, handle, K_HANDLE, 0),
	FLD(amdxsched_sim_wait, dispatch_id, K_DISP, 0),
	FLD(amdxsched_sim_wait, timeout_ns, K_TIMEOUT, 0),
	FLD(amdxsched_sim_wait, end_ns, K_OUT, 0),
	FLDW(amdxsched_sim_wait, reserved[0], 8, K_ZERO, 0),
	FLDW(amdxsched_sim_wait, reserved[1], 8, K_ZERO, 0),
	TAIL,
};

#define IOC(idx, nm, s, fl) \
	[idx] = { #nm, AMDXSCHED_IOC_##nm, sizeof(struct s), \
		  AMDXSCHED_##nm##_SIZE_VER0, fl, ARRAY_SIZE(fl) }

/* The list ioctls share one struct and its _SIZE_VER0. */
#define AMDXSCHED_LIST_GPUS_SIZE_VER0		AMDXSCHED_LIST_SIZE_VER0
#define AMDXSCHED_LIST_QUEUES_SIZE_VER0		AMDXSCHED_LIST_SIZE_VER0
#define AMDXSCHED_LIST_PROCS_SIZE_VER0		AMDXSCHED_LIST_SIZE_VER0
#define AMDXSCHED_SIM_ADD_GPU_SIZE_VER0		AMDXSCHED_SIM_GPU_CONFIG_SIZE_VER0
#define AMDXSCHED_SET_PROC_ATTR_SIZE_VER0	AMDXSCHED_PROC_ATTR_SIZE_VER0
#define AMDXSCHED_SET_QUEUE_ATTR_SIZE_VER0	AMDXSCHED_QUEUE_ATTR_SIZE_VER0

const struct ioctl_desc ioctls[IOC_N] = {
	IOC(IOC_VERSION, VERSION, amdxsched_version, f_version),
	IOC(IOC_BACKEND_INFO, BACKEND_INFO, amdxsched_backend_info, f_backend_info),
	IOC(IOC_LIST_GPUS, LIST_GPUS, amdxsched_list, f_list_gpus),
	IOC(IOC_LIST_QUEUES, LIST_QUEUES, amdxsched_list, f_list_queues),
	IOC(IOC_LIST_PROCS, LIST_PROCS, amdxsched_list, f_list_procs),
	IOC(IOC_SUSPEND, SUSPEND, amdxsched_suspend, f_suspend),
	IOC(IOC_RESUME, RESUME, amdxsched_resume, f_resume),
	IOC(IOC_LEASE_RENEW, LEASE_RENEW, amdxsched_lease_renew, f_lease_renew),
	IOC(IOC_SET_PRIORITY, SET_PRIORITY, amdxsched_set_priority, f_set_priority),
	IOC(IOC_SET_CU_MASK, SET_CU_MASK, amdxsched_set_cu_mask, f_set_cu_mask),
	IOC(IOC_EVENTS_CONFIG, EVENTS_CONFIG, amdxsched_events_config, f_events_config),
	IOC(IOC_SET_PROC_ATTR, SET_PROC_ATTR, amdxsched_proc_attr, f_set_proc_attr),
	IOC(IOC_SIM_ADD_GPU, SIM_ADD_GPU, amdxsched_sim_gpu_config, f_sim_add_gpu),
	IOC(IOC_SIM_PROC, SIM_PROC, amdxsched_sim_proc, f_sim_proc),
	IOC(IOC_SIM_QUEUE_CREATE, SIM_QUEUE_CREATE, amdxsched_sim_queue_create,
	    f_sim_queue_create),
	IOC(IOC_SIM_QUEUE_DESTROY, SIM_QUEUE_DESTROY, amdxsched_sim_queue_destroy,
	    f_sim_queue_destroy),
	IOC(IOC_SIM_SUBMIT, SIM_SUBMIT, amdxsched_sim_submit, f_sim_submit),
	IOC(IOC_SIM_WAIT, SIM_WAIT, amdxsched_sim_wait, f_sim_wait),
	IOC(IOC_APPLY, APPLY, amdxsched_apply, f_apply),
	IOC(IOC_SET_QUEUE_ATTR, SET_QUEUE_ATTR, amdxsched_queue_attr, f_set_queue_attr),
};

const char *const op_names[OP_NKINDS] = {
	[OP_IOCTL] = "ioctl", [OP_READ] = "read", [OP_POLL] = "poll",
	[OP_OPEN] = "open", [OP_CLOSE] = "close", [OP_DUP] = "dup",
	[OP_KILL] = "kill", [OP_SLEEP] = "sleep", [OP_KNOB] = "knob",
	[OP_UNPRIV] = "unpriv", [OP_CHURN] = "churn", [OP_FAILNTH] = "failnth",
};

/* ------------------------------------------------------------------------ */
/* Random numbers */

void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

bool rng_chance(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* ------------------------------------------------------------------------ */
/* Values of each field kind: typical ones, and boundaries. */

static uint64_t pick(struct rng *r, const uint64_t *v, size_t n)
{
	return v[rng_below(r, n)];
}

/* One of the values listed (a GNU statement expression, as the kernel uses). */
#define PICK(r, ...) ({ \
	const uint64_t _v[] = { __VA_ARGS__ }; \
	pick((r), _v, ARRAY_SIZE(_v)); })

static uint64_t ptr_ref(enum ptr_kind k, uint64_t detail)
{
	return REF(R_PTR, (uint64_t)k | detail << 8);
}

static uint64_t any_ptr(struct rng *r)
{
	return ptr_ref(rng_below(r, P_NKINDS), rng_below(r, 64));
}

static uint64_t any_pid(struct rng *r)
{
	return REF(R_PID, rng_below(r, PID_NKINDS));
}

static uint64_t gen_handle(struct rng *r)
{
	unsigned int x = rng_below(r, 100);

	if (x < 80)
		return REF(R_HANDLE, rng_below(r, 4));
	if (x < 92)
		return REF(R_HANDLE_POOL, rng_below(r, POOL_N));
	if (x < 97)
		return REF(R_HANDLE_NEXT, rng_below(r, 4));
	return PICK(r, 0, 1, U64MAX);
}

static uint64_t gen_lease(struct rng *r)
{
	unsigned int x = rng_below(r, 100);

	if (x < 80)
		return REF(R_LEASE, rng_below(r, 3));
	if (x < 95)
		return REF(R_LEASE_POOL, rng_below(r, POOL_N));
	return PICK(r, 0, 1, U64MAX);
}

static uint64_t gen_value(const struct field *f, struct rng *r)
{
	switch (f->kind) {
	case K_SIZE:
		return f->arg;
	case K_FLAGS:
		return rng_chance(r, 90) ? 0 : rng_next(r) & f->arg;
	case K_ZERO:
	case K_OUT:
		return rng_chance(r, 97) ? 0 : rng_next(r);
	case K_LEVEL:
		return rng_chance(r, 50) ? AMDXSCHED_LEVEL_DEACTIVATE : AMDXSCHED_LEVEL_INTERRUPT;
	case K_LEASEMS:
		/* Short ones expire during the program, long ones end at its close. */
		if (rng_chance(r, 45))
			return 1 + rng_below(r, 40);
		if (rng_chance(r, 75))
			return 100 + rng_below(r, 5000);
		return PICK(r, 1, REF(R_MAXLEASE, 8));
	case K_BATCH:
		return rng_chance(r, 90) ? 1 + rng_below(r, 4) : PICK(r, 8, 16, 1024);
	case K_LISTCOUNT:
		return rng_chance(r, 30) ? 0 : 1 + rng_below(r, 16);
	case K_ESIZE: {
		uint32_t v0 = f->arg & 0xffff, cur = f->arg >> 16;

		if (rng_chance(r, 90))
			return rng_chance(r, 50) ? cur : v0;
		return v0 + 8 * rng_below(r, (cur - v0) / 8 + 4);
	}
	case K_PTR:
		if (f->arg && rng_chance(r, 30))
			return 0;	/* an optional array left out */
		return rng_chance(r, 90) ? ptr_ref(P_GOOD, 0) : any_ptr(r);
	case K_LPID:
		return rng_chance(r, 80) ? 0 : any_pid(r);
	case K_APID:
		return rng_chance(r, 60) ? 0 : any_pid(r);
	case K_GPU:
		if (f->arg && rng_chance(r, 60))
			return AMDXSCHED_GPU_ANY;
		return REF(R_GPU, rng_chance(r, 70) ? 0 : rng_below(r, 4));
	case K_HANDLE:
		return gen_handle(r);
	case K_LEASE:
		return gen_lease(r);
	case K_PRIO:
		return rng_below(r, 16);
	case K_NBITS:
		return 32 * (1 + rng_below(r, 32));
	case K_BACKEND:
		return rng_chance(r, 70) ? AMDXSCHED_BACKEND_SIM : AMDXSCHED_BACKEND_KFD;
	case K_EVMASK:
		if (rng_chance(r, 50))
			return AMDXSCHED_EVENT_MASK_ALL;
		return rng_chance(r, 85) ? rng_next(r) & AMDXSCHED_EVENT_MASK_ALL : 0;
	case K_RING:
		return PICK(r, 0, 0, 16, 32, 1024);
	case K_ATTRFLAGS:
		return 1 + rng_below(r, AMDXSCHED_ATTR_ALL);
	case K_QATTRFLAGS:
		/* some of the hints, or back to the process's */
		return rng_chance(r, 85) ? 1 + rng_below(r, f->arg) : AMDXSCHED_QUEUE_ATTR_CLEAR;
	case K_CLASS:
		return f->arg + rng_below(r, AMDXSCHED_CLASS_MAX + 1 - f->arg);
	case K_SHARE:
		return 1 + rng_below(r, 1000);
	case K_DEADLINE:
		return rng_below(r, 1000000000ULL);
	case K_TAG:
		return rng_chance(r, 80) ? 1 : rng_below(r, 9);
	case K_SIMOP:
		return rng_chance(r, 85) ? AMDXSCHED_SIM_PROC_CREATE : AMDXSCHED_SIM_PROC_DESTROY;
	case K_TOPO:
		return rng_chance(r, 70) ? 0 : 1 + rng_below(r, f->arg);
	case K_ACU:
		return rng_chance(r, 70) ? 0 : rng_below(r, 6);
	case K_CUBYTES:
		return rng_chance(r, 70) ? 0 : PICK(r, 1024, 4096, 65536);
	case K_WGPERCU:
		return rng_chance(r, 70) ? 0 : 1 + rng_below(r, 64);
	case K_BW:
		return rng_chance(r, 70) ? 0 : PICK(r, 1000000000ULL, 1000000000000ULL);
	case K_NS:
		return rng_chance(r, 70) ? 0 : rng_below(r, 1000000);
	case K_PTMO:
		return rng_chance(r, 50) ? 0 : 1 + rng_below(r, 50);
	case K_DISPATCH:
		return rng_below(r, 2);
	case K_GRID:
		return 1 + rng_below(r, 16);
	case K_FOOT:
		return rng_chance(r, 50) ? 0 : rng_below(r, 8192);
	case K_WGNS:
		return 1000 + rng_below(r, 2000000);
	case K_DISP:
		return REF(R_DISP, rng_below(r, 4) |
			   (rng_chance(r, 80) ? 8 : 7 + rng_below(r, 3)) << 8);
	case K_TIMEOUT:
		if (rng_chance(r, 40))
			return 0;
		return rng_chance(r, 85) ? rng_below(r, 50000000) : U64MAX;
	case K_TAIL:
		return rng_chance(r, 95) ? 0 : 1 + rng_below(r, 255);
	}
	return 0;
}

uint64_t field_boundary(const struct field *f, struct rng *r)
{
	uint64_t a = f->arg;

	switch (f->kind) {
	case K_SIZE:
		if (rng_chance(r, 60))
			return a + PICK(r, -8ULL, -4ULL, -1ULL, 1, 4, 8, 16, 64);
		return PICK(r, 0, 1, 4, 8, 4095, 4096, 4097, 8192, 65536, U32MAX, 0x80000000);
	case K_FLAGS:
	case K_ATTRFLAGS:
		return PICK(r, 0, a, a + 1, (a << 1) | 1, 0x80000000, U32MAX, 1, 2, 4, 8, 16);
	case K_QATTRFLAGS:
		/* CLEAR with fields, the tag (a process's only), every other bit */
		return PICK(r, 0, a, a + 1, AMDXSCHED_ATTR_TAG, AMDXSCHED_ATTR_ALL,
			    AMDXSCHED_QUEUE_ATTR_CLEAR, AMDXSCHED_QUEUE_ATTR_CLEAR | 1,
			    AMDXSCHED_QUEUE_ATTR_CLEAR | a, 0x40000000, U32MAX, 1, 2, 4, 8);
	case K_LEVEL:
		return PICK(r, 0, 1, 2, 3, 4, U32MAX);
	case K_LEASEMS:
		return PICK(r, 0, 1, REF(R_MAXLEASE, 8), REF(R_MAXLEASE, 9), REF(R_MAXLEASE, 7),
			    3600000, 3600001, U32MAX);
	case K_BATCH:
		return PICK(r, 0, 1, 2, 1023, 1024, 1025, 65536, 0x20000000, 0x80000000, U32MAX);
	case K_LISTCOUNT:
		return PICK(r, 0, 1, 2, 65535, 65536, 65537, 0x80000000, U32MAX);
	case K_ESIZE: {
		uint64_t v0 = a & 0xffff, cur = a >> 16;

		return PICK(r, 0, 1, 8, v0 - 8, v0 - 1, v0, v0 + 1, v0 + 8, cur - 1, cur, cur + 1,
			    cur + 8, 4095, 4096, 4097, U32MAX);
	}
	case K_PTR:
		return rng_chance(r, 90) ? any_ptr(r) : PICK(r, 0, 1, U64MAX);
	case K_LPID:
	case K_APID:
		return rng_chance(r, 80) ? any_pid(r) : PICK(r, 0, 1, 0x7fffffff, U32MAX);
	case K_GPU:
		return PICK(r, 0, 1, 63, 64, 65, AMDXSCHED_GPU_ANY, AMDXSCHED_GPU_ANY - 1,
			    REF(R_GPU, 0), REF(R_GPU, 1), REF(R_GPU, 63));
	case K_HANDLE:
		return PICK(r, 0, 1, U64MAX, 0x8000000000000000ULL, REF(R_HANDLE_NEXT, 0),
			    REF(R_HANDLE_POOL, 0), REF(R_HANDLE_POOL, 1), REF(R_HANDLE, 0));
	case K_LEASE:
		return PICK(r, 0, 1, U64MAX, REF(R_LEASE_POOL, 0), REF(R_LEASE, 0));
	case K_PRIO:
		return PICK(r, 0, 1, 14, 15, 16, 0x80000000, U32MAX);
	case K_NBITS:
		return PICK(r, 0, 1, 31, 32, 33, 992, 1024, 1025, 1056, 0x80000000, U32MAX);
	case K_BACKEND:
		return PICK(r, 0, 1, 2, 3, U32MAX);
	case K_EVMASK:
		return PICK(r, 0, 1, 2, AMDXSCHED_EVENT_MASK_ALL, AMDXSCHED_EVENT_MASK_ALL | 1,
			    1ULL << (AMDXSCHED_EVENT_MAX + 1), 1ULL << 63, U64MAX,
			    AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_BUSY),
			    AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_ATTR));
	case K_RING:
		return PICK(r, 0, 1, 8, 15, 16, 17, 32, 1000, 65536, 65537, 131072,
			    0x80000000, U32MAX);
	case K_CLASS:
		return PICK(r, 0, 1, 3, 4, U32MAX);
	case K_SHARE:
		return PICK(r, 0, 1, 1000, 1001, U32MAX);
	case K_DEADLINE:
		return PICK(r, 0, 1, 3600000000000ULL, 3600000000001ULL, U64MAX);
	case K_TAG:
		return rng_below(r, 9);
	case K_SIMOP:
		return PICK(r, 0, 1, 2, 3, U32MAX);
	case K_TOPO:
		return PICK(r, 0, 1, a, a + 1, U32MAX);
	case K_ACU:
		return rng_below(r, 6);
	case K_CUBYTES:
		return PICK(r, 0, 1, 1023, 1024, 4U << 20, (4U << 20) + 1, U32MAX);
	case K_WGPERCU:
		return PICK(r, 0, 1, 64, 65, U32MAX);
	case K_BW:
		return PICK(r, 0, 1, 999999, 1000000, 10000000000000ULL, 10000000000001ULL, U64MAX);
	case K_NS:
		return PICK(r, 0, 1, 1000000000, 1000000001, U32MAX);
	case K_PTMO:
		return PICK(r, 0, 1, 60000, 60001, U32MAX);
	case K_DISPATCH:
		return PICK(r, 0, 1, 2, U32MAX);
	case K_GRID:
		return PICK(r, 0, 1, 1U << 24, (1U << 24) + 1, U32MAX);
	case K_FOOT:
		return PICK(r, 0, 1, 1024, 65536, 65537, U32MAX);
	case K_WGNS:
		return PICK(r, 0, 999, 1000, 10000000000ULL, 10000000001ULL, U64MAX);
	case K_DISP:
		return PICK(r, 0, 1, U64MAX, REF(R_DISP, 9 << 8), REF(R_DISP, 7 << 8));
	case K_TIMEOUT:
		return PICK(r, 0, 1, 0x7fffffffffffffffULL, 0x8000000000000000ULL, U64MAX);
	case K_TAIL:
		return PICK(r, 0, 1, 2, 7, 8, 255);
	default:
		break;
	}
	if (f->width == 4)
		return PICK(r, 0, 1, 0x80, 0x80000000, U32MAX);
	return PICK(r, 0, 1, 0x80, 0x8000000000000000ULL, U64MAX);
}

/* ------------------------------------------------------------------------ */
/* Operations */

static unsigned int pick_ioctl(struct rng *r)
{
	static const uint8_t w[IOC_N] = {
		[IOC_VERSION] = 2, [IOC_BACKEND_INFO] = 2, [IOC_LIST_GPUS] = 3,
		[IOC_LIST_QUEUES] = 6, [IOC_LIST_PROCS] = 3, [IOC_SUSPEND] = 12,
		[IOC_RESUME] = 8, [IOC_LEASE_RENEW] = 5, [IOC_SET_PRIORITY] = 5,
		[IOC_SET_CU_MASK] = 4, [IOC_EVENTS_CONFIG] = 5, [IOC_SET_PROC_ATTR] = 4,
		[IOC_SIM_ADD_GPU] = 1, [IOC_SIM_PROC] = 4, [IOC_SIM_QUEUE_CREATE] = 8,
		[IOC_SIM_QUEUE_DESTROY] = 4, [IOC_SIM_SUBMIT] = 10, [IOC_SIM_WAIT] = 6,
		[IOC_APPLY] = 10, [IOC_SET_QUEUE_ATTR] = 4,
	};
	unsigned int i, total = 0, x;

	for (i = 0; i < IOC_N; i++)
		total += w[i];
	x = rng_below(r, total);
	for (i = 0; i < IOC_N; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return IOC_VERSION;
}

/* Array elements of an ioctl: handles, priority pairs or mask words. */
static void gen_array(struct op *o, struct rng *r)
{
	unsigned int i;

	o->na = 0;
	switch (o->sub) {
	case IOC_SUSPEND:
	case IOC_RESUME:
		/* Distinct queues of the program (programs make 1 to 3), or others. */
		o->na = PICK(r, 1, 1, 1, 2, 2, 3, 4);
		for (i = 0; i < o->na; i++)
			o->a[i] = rng_chance(r, 85) ? REF(R_HANDLE, i) : gen_handle(r);
		break;
	case IOC_SET_PRIORITY:
		o->na = 2 * PICK(r, 1, 1, 1, 2, 2, 3, 4);
		for (i = 0; i < o->na; i += 2) {
			o->a[i] = rng_chance(r, 85) ? REF(R_HANDLE, i / 2) : gen_handle(r);
			o->a[i + 1] = rng_chance(r, 90) ? rng_below(r, 16) : PICK(r, 16, U32MAX);
		}
		break;
	case IOC_APPLY:
		/* (handle, spec) pairs: mostly sound decisions, sometimes not */
		o->na = 2 * PICK(r, 1, 2, 2, 3, 4);
		for (i = 0; i < o->na; i += 2) {
			uint32_t op = rng_chance(r, 95) ? 1 + rng_below(r, 4) : PICK(r, 0, 5, 99);
			uint32_t arg = 0, m = APPLY_MASK_NONE;

			switch (op) {
			case AMDXSCHED_APPLY_SUSPEND:
				arg = rng_chance(r, 95) ? PICK(r, 2, 3, 3) : PICK(r, 0, 1, 4);
				break;
			case AMDXSCHED_APPLY_RESUME:
				arg = rng_chance(r, 80) ? 0 : PICK(r, AMDXSCHED_RESUME_FORCE, 2);
				break;
			case AMDXSCHED_APPLY_PRIORITY:
				arg = rng_chance(r, 90) ? rng_below(r, 16) : PICK(r, 16, U32MAX);
				break;
			case AMDXSCHED_APPLY_CU_MASK:
				arg = rng_chance(r, 85) ? 32 * PICK(r, 1, 4, 4, 32) : PICK(r, 0, 33, 1056);
				m = rng_chance(r, 90) ? APPLY_MASK_GOOD :
				    PICK(r, APPLY_MASK_NONE, APPLY_MASK_BAD);
				break;
			}
			if (op != AMDXSCHED_APPLY_CU_MASK && rng_chance(r, 3))
				m = APPLY_MASK_GOOD;	/* a mask it has no use for */
			o->a[i] = rng_chance(r, 85) ? REF(R_HANDLE, i / 2) : gen_handle(r);
			o->a[i + 1] = APPLY_SPEC(op, arg, m);
		}
		break;
	case IOC_SET_CU_MASK:
		o->na = 1 + rng_below(r, 4);
		/* Bit i goes to XCC i mod n: a mask must leave every XCC a CU. */
		for (i = 0; i < o->na; i++)
			o->a[i] = rng_chance(r, 60) ? PICK(r, 0xffffffff, 0xf0f0f0f0, 0x0f0f0f0f) :
				  PICK(r, 0x55555555, 0x1, 0x0, 0x80000000, rng_next(r) & U32MAX);
		break;
	}
}

/* SET_PROC_ATTR, SET_QUEUE_ATTR: fields the flags do not select must be zero. */
static void fit_attr(struct op *o)
{
	static const struct { uint32_t flag; uint8_t kind; } sel[] = {
		{ AMDXSCHED_ATTR_CLASS, K_CLASS }, { AMDXSCHED_ATTR_PRIORITY, K_PRIO },
		{ AMDXSCHED_ATTR_SHARE, K_SHARE }, { AMDXSCHED_ATTR_DEADLINE, K_DEADLINE },
		{ AMDXSCHED_ATTR_TAG, K_TAG },
	};
	const struct ioctl_desc *d = &ioctls[o->sub];
	uint64_t flags = o->v[2 + 1];
	unsigned int i, j;

	for (i = 0; i < d->nf; i++)
		for (j = 0; j < sizeof(sel) / sizeof(sel[0]); j++)
			if (d->f[i].kind == sel[j].kind && !(flags & sel[j].flag))
				o->v[2 + i] = 0;
}

static bool apply_suspends(const struct op *o)
{
	unsigned int i;

	for (i = 1; i < o->na; i += 2)
		if ((o->a[i] & 0xff) == AMDXSCHED_APPLY_SUSPEND)
			return true;
	return false;
}

/* Counts match the array unless mutated: a batch of the handles given. */
static void fit_counts(struct op *o)
{
	const struct ioctl_desc *d = &ioctls[o->sub];
	unsigned int i;

	if (o->sub == IOC_SET_PROC_ATTR || o->sub == IOC_SET_QUEUE_ATTR)
		fit_attr(o);

	for (i = 0; i < d->nf; i++) {
		uint64_t *v = &o->v[2 + i];

		if (d->f[i].kind == K_BATCH && !IS_REF(*v) && *v <= 4 && *v)
			*v = o->sub == IOC_SET_PRIORITY || o->sub == IOC_APPLY ? o->na / 2 : o->na;
		/* APPLY takes a lease exactly when it suspends something */
		if (d->f[i].kind == K_LEASEMS && o->sub == IOC_APPLY && !apply_suspends(o))
			*v = 0;
	}
}

static uint64_t gen_cmd(struct rng *r, unsigned int sub)
{
	return REF(R_CMD, sub | (rng_chance(r, 97) ? 0 : 1 + rng_below(r, 6)) << 8);
}

static void gen_ioctl(struct op *o, struct rng *r, unsigned int sub)
{
	const struct ioctl_desc *d = &ioctls[sub];
	unsigned int i;

	o->kind = OP_IOCTL;
	o->sub = sub;
	o->v[0] = gen_cmd(r, sub);
	o->v[1] = rng_chance(r, 95) ? ptr_ref(P_GOOD, 0) : any_ptr(r);
	for (i = 0; i < d->nf; i++)
		o->v[2 + i] = rng_chance(r, 95) ? gen_value(&d->f[i], r)
						: field_boundary(&d->f[i], r);
	o->nv = 2 + d->nf;
	gen_array(o, r);
	fit_counts(o);
}

static void gen_op(struct op *o, struct rng *r)
{
	unsigned int x = rng_below(r, 100);

	memset(o, 0, sizeof(*o));
	o->fd = rng_chance(r, 85) ? 0 : rng_below(r, NSLOTS);
	o->who = rng_chance(r, 80) ? WHO_MAIN : WHO_THREAD;
	if (x < 62) {
		gen_ioctl(o, r, pick_ioctl(r));
		return;
	}
	if (x < 70) {
		o->kind = OP_READ;
		o->v[0] = rng_chance(r, 70) ? sizeof(struct amdxsched_event) *
			(1 + rng_below(r, 8)) : PICK(r, 0, 1, 55, 57, 111, 4096, U32MAX, U64MAX);
		o->v[1] = rng_chance(r, 85) ? ptr_ref(P_GOOD, 0) : any_ptr(r);
		o->nv = 2;
	} else if (x < 74) {
		o->kind = OP_POLL;
		o->v[0] = PICK(r, 1, 4, 5, 0xffff);	/* POLLIN, POLLOUT, both, all */
		o->v[1] = PICK(r, 0, 0, 1, 10, 50);
		o->nv = 2;
	} else if (x < 80) {
		o->kind = OP_OPEN;
		o->fd = rng_below(r, NSLOTS);	/* more files, or another in place */
		o->v[0] = rng_below(r, 8);
		o->nv = 1;
	} else if (x < 84) {
		o->kind = OP_CLOSE;
	} else if (x < 86) {
		o->kind = OP_DUP;
		o->v[0] = rng_below(r, NSLOTS);
		o->nv = 1;
	} else if (x < 89) {
		o->kind = OP_KILL;
		o->who = WHO_MAIN;
	} else if (x < 94) {
		o->kind = OP_SLEEP;
		o->v[0] = PICK(r, 100, 1000, 2000, 5000, 20000);
		o->nv = 1;
	} else if (x < 96) {
		o->kind = OP_KNOB;
		o->v[0] = REF(R_GPU, rng_below(r, 2));
		o->v[1] = rng_below(r, 8);
		o->v[2] = PICK(r, 0, 1, 2, 3, 5, 11, 12, 110, 4095, 4096, U32MAX);
		o->nv = 3;
	} else if (x < 97) {
		o->kind = OP_CHURN;
		o->v[0] = 1 + rng_below(r, 16);
		o->v[1] = rng_below(r, 8);
		o->nv = 2;
	} else if (x < 99) {
		o->kind = OP_FAILNTH;
		o->v[0] = 1 + rng_below(r, 8);
		o->nv = 1;
	} else {
		o->kind = OP_UNPRIV;
		o->who = WHO_CHILD;
	}
}

/* Set the field called @name (as in the struct) of an ioctl operation. */
static void set_field(struct op *o, const char *name, uint64_t v)
{
	const struct ioctl_desc *d = &ioctls[o->sub];
	unsigned int i;

	for (i = 0; i < d->nf; i++) {
		if (!strcmp(d->f[i].name, name)) {
			o->v[2 + i] = v;
			return;
		}
	}
}

static void op_open(struct op *o, unsigned int slot, unsigned int flags, unsigned int who)
{
	memset(o, 0, sizeof(*o));
	o->kind = OP_OPEN;
	o->who = who;
	o->fd = slot;
	o->v[0] = flags;
	o->nv = 1;
}

static void op_ioctl(struct op *o, struct rng *r, unsigned int sub, unsigned int slot,
		     unsigned int who)
{
	memset(o, 0, sizeof(*o));
	o->who = who;
	o->fd = slot;
	gen_ioctl(o, r, sub);
	/* Setup calls are meant to work: no boundary values in them. */
	o->v[0] = REF(R_CMD, sub);
	o->v[1] = ptr_ref(P_GOOD, 0);
	for (unsigned int i = 0; i < ioctls[sub].nf; i++) {
		const struct field *f = &ioctls[sub].f[i];
		bool zero = f->kind == K_ZERO || f->kind == K_OUT || f->kind == K_TAIL ||
			    f->kind == K_FLAGS;

		o->v[2 + i] = zero ? 0 : gen_value(f, r);
		if (f->kind == K_PTR)
			o->v[2 + i] = ptr_ref(P_GOOD, 0);
	}
	fit_counts(o);
}

static bool prog_add(struct prog *p, const struct op *o)
{
	if (p->nops >= PROG_MAX_OPS)
		return false;
	p->ops[p->nops++] = *o;
	return true;
}

/* What a child does: its own file and queues, a lease, then it waits to die. */
static void gen_child_segment(struct prog *p, struct rng *r)
{
	struct op o;
	unsigned int slot = 1 + rng_below(r, NSLOTS - 1);

	if (rng_chance(r, 20)) {
		memset(&o, 0, sizeof(o));
		o.kind = OP_UNPRIV;
		o.who = WHO_CHILD;
		prog_add(p, &o);
	}
	if (rng_chance(r, 70)) {
		op_open(&o, slot, rng_below(r, 2), WHO_CHILD);
		prog_add(p, &o);
	} else {
		slot = 0;	/* the parent's file, shared */
	}
	op_ioctl(&o, r, IOC_SIM_PROC, slot, WHO_CHILD);
	set_field(&o, "op", AMDXSCHED_SIM_PROC_CREATE);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_QUEUE_CREATE, slot, WHO_CHILD);
	prog_add(p, &o);
	if (rng_chance(r, 60)) {
		op_ioctl(&o, r, IOC_SIM_SUBMIT, slot, WHO_CHILD);
		prog_add(p, &o);
	}
	op_ioctl(&o, r, IOC_SUSPEND, slot, WHO_CHILD);
	prog_add(p, &o);
	if (rng_chance(r, 50)) {
		gen_op(&o, r);
		o.who = WHO_CHILD;
		o.fd = slot;
		prog_add(p, &o);
	}
}

void prog_generate(struct prog *p, struct rng *r)
{
	unsigned int i, n, nq;
	struct op o;

	memset(p, 0, sizeof(*p));
	if (rng_chance(r, 95)) {
		op_open(&o, 0, rng_chance(r, 75) ? 1 : rng_below(r, 8), WHO_MAIN);
		prog_add(p, &o);
	}
	if (rng_chance(r, 70)) {
		op_ioctl(&o, r, IOC_SIM_PROC, 0, WHO_MAIN);
		set_field(&o, "op", AMDXSCHED_SIM_PROC_CREATE);
		prog_add(p, &o);
		nq = 1 + rng_below(r, 3);
		for (i = 0; i < nq; i++) {
			op_ioctl(&o, r, IOC_SIM_QUEUE_CREATE, 0, WHO_MAIN);
			prog_add(p, &o);
		}
	}
	if (rng_chance(r, 20))
		gen_child_segment(p, r);
	n = 2 + rng_below(r, 9);
	for (i = 0; i < n; i++) {
		gen_op(&o, r);
		if (!prog_add(p, &o))
			break;
	}
}

/* ------------------------------------------------------------------------ */
/* Mutation */

static const struct field *op_field(const struct op *o, unsigned int vi)
{
	if (o->kind != OP_IOCTL || vi < 2 || vi - 2 >= ioctls[o->sub].nf)
		return NULL;
	return &ioctls[o->sub].f[vi - 2];
}

static uint64_t mutate_raw(uint64_t v, struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
		return v ^ (1ULL << rng_below(r, 64));
	case 1:
		return v + rng_below(r, 17) - 8;
	case 2:
		return rng_next(r);
	default:
		return rng_next(r) & 0xffffffff;
	}
}

static void mutate_value(struct op *o, struct rng *r)
{
	const struct field *f;
	unsigned int vi;

	if (!o->nv)
		return;
	vi = rng_below(r, o->nv);
	if (o->kind == OP_IOCTL && vi == 0) {
		o->v[0] = REF(R_CMD, o->sub | (uint64_t)rng_below(r, 7) << 8);
		return;
	}
	if (o->kind == OP_IOCTL && vi == 1) {
		o->v[1] = any_ptr(r);
		return;
	}
	f = op_field(o, vi);
	if (!f) {
		o->v[vi] = mutate_raw(o->v[vi], r);
		return;
	}
	switch (rng_below(r, 10)) {
	case 0: case 1: case 2: case 3:
		o->v[vi] = gen_value(f, r);
		break;
	case 4: case 5: case 6: case 7:
		o->v[vi] = field_boundary(f, r);
		break;
	default:
		o->v[vi] = IS_REF(o->v[vi]) ? gen_value(f, r) : mutate_raw(o->v[vi], r);
		break;
	}
}

static void mutate_array(struct op *o, struct rng *r)
{
	unsigned int i;

	if (o->kind != OP_IOCTL)
		return;
	if (!o->na || rng_chance(r, 20)) {
		gen_array(o, r);
		return;
	}
	i = rng_below(r, o->na);
	if (rng_chance(r, 50))
		o->a[i] = gen_handle(r);
	else
		o->a[i] = PICK(r, 0, 1, U32MAX, U64MAX, REF(R_HANDLE_NEXT, 0), o->a[0]);
}

static void prog_insert(struct prog *p, unsigned int at, const struct op *o)
{
	if (p->nops >= PROG_MAX_OPS || at > p->nops)
		return;
	memmove(&p->ops[at + 1], &p->ops[at], (p->nops - at) * sizeof(p->ops[0]));
	p->ops[at] = *o;
	p->nops++;
}

static void prog_remove(struct prog *p, unsigned int at)
{
	if (at >= p->nops)
		return;
	memmove(&p->ops[at], &p->ops[at + 1], (p->nops - at - 1) * sizeof(p->ops[0]));
	p->nops--;
}

static void mutate_once(struct prog *p, const struct prog *other, struct rng *r)
{
	unsigned int x = rng_below(r, 100), i, j;
	struct op o, *op;

	if (!p->nops) {
		gen_op(&o, r);
		prog_add(p, &o);
		return;
	}
	i = rng_below(r, p->nops);
	op = &p->ops[i];
	if (x < 40) {
		mutate_value(op, r);
	} else if (x < 52) {
		mutate_array(op, r);
	} else if (x < 64) {
		gen_op(&o, r);
		prog_insert(p, rng_below(r, p->nops + 1), &o);
	} else if (x < 72) {
		prog_remove(p, i);
	} else if (x < 77) {
		j = rng_below(r, p->nops);
		o = p->ops[i];
		p->ops[i] = p->ops[j];
		p->ops[j] = o;
	} else if (x < 83) {
		op->who = rng_below(r, WHO_N);
	} else if (x < 88) {
		op->fd = rng_below(r, NSLOTS);
	} else if (x < 94 && other && other->nops) {
		/* Splice: our head, the other's tail. */
		j = rng_below(r, other->nops);
		while (j < other->nops && p->nops < PROG_MAX_OPS && rng_chance(r, 80))
			p->ops[p->nops++] = other->ops[j++];
	} else {
		o = *op;
		prog_insert(p, i, &o);
	}
}

void prog_mutate(struct prog *p, const struct prog *other, struct rng *r)
{
	unsigned int n = 1 + rng_below(r, 3);

	while (n--)
		mutate_once(p, other, r);
}

/* ------------------------------------------------------------------------ */
/* Seeds: the ordinary flows, written out, so that mutation starts near them. */

static void seed_basic(struct prog *p, struct rng *r, unsigned int level, bool thread)
{
	struct op o;

	memset(p, 0, sizeof(*p));
	op_open(&o, 0, 1, WHO_MAIN);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_EVENTS_CONFIG, 0, WHO_MAIN);
	set_field(&o, "mask", AMDXSCHED_EVENT_MASK_ALL);
	set_field(&o, "ring_entries", 16);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_PROC, 0, WHO_MAIN);
	set_field(&o, "op", AMDXSCHED_SIM_PROC_CREATE);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_QUEUE_CREATE, 0, WHO_MAIN);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_QUEUE_CREATE, 0, WHO_MAIN);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_SUBMIT, 0, WHO_MAIN);
	set_field(&o, "handle", REF(R_HANDLE, 0));
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SUSPEND, 0, WHO_MAIN);
	set_field(&o, "level", level);
	set_field(&o, "lease_ms", 5);
	set_field(&o, "count", 2);
	o.na = 2;
	o.a[0] = REF(R_HANDLE, 0);
	o.a[1] = REF(R_HANDLE, 1);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_LIST_QUEUES, 0, WHO_MAIN);
	set_field(&o, "count", 8);
	prog_add(p, &o);
	memset(&o, 0, sizeof(o));
	o.kind = OP_READ;
	o.who = thread ? WHO_THREAD : WHO_MAIN;
	o.v[0] = 8 * sizeof(struct amdxsched_event);
	o.v[1] = ptr_ref(P_GOOD, 0);
	o.nv = 2;
	prog_add(p, &o);
	memset(&o, 0, sizeof(o));
	o.kind = OP_SLEEP;
	o.v[0] = 10000;
	o.nv = 1;
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_RESUME, 0, WHO_MAIN);
	set_field(&o, "flags", 0);
	set_field(&o, "count", 1);
	o.na = 1;
	o.a[0] = REF(R_HANDLE, 0);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_WAIT, 0, WHO_MAIN);
	set_field(&o, "handle", REF(R_HANDLE, 0));
	set_field(&o, "dispatch_id", REF(R_DISP, 8 << 8));
	set_field(&o, "timeout_ns", 20000000);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_QUEUE_DESTROY, 0, WHO_MAIN);
	set_field(&o, "handle", REF(R_HANDLE, 1));
	prog_add(p, &o);
}

static void seed_child(struct prog *p, struct rng *r)
{
	struct op o;

	memset(p, 0, sizeof(*p));
	op_open(&o, 0, 1, WHO_MAIN);
	prog_add(p, &o);
	gen_child_segment(p, r);
	memset(&o, 0, sizeof(o));
	o.kind = OP_SLEEP;
	o.v[0] = 5000;
	o.nv = 1;
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_LIST_QUEUES, 0, WHO_MAIN);
	set_field(&o, "count", 8);
	prog_add(p, &o);
	memset(&o, 0, sizeof(o));
	o.kind = OP_KILL;
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_RESUME, 0, WHO_MAIN);
	set_field(&o, "flags", AMDXSCHED_RESUME_FORCE);
	set_field(&o, "count", 1);
	o.na = 1;
	o.a[0] = REF(R_HANDLE_POOL, 0);
	prog_add(p, &o);
}

/* A queue's own hints: @flags and the fields they select, the others zero. */
static void op_queue_attr(struct op *o, struct rng *r, unsigned int who, unsigned int slot,
			  uint64_t h, uint32_t flags, uint32_t cls, uint32_t prio, uint32_t share,
			  uint64_t deadline_ns)
{
	op_ioctl(o, r, IOC_SET_QUEUE_ATTR, slot, who);
	set_field(o, "flags", flags);
	set_field(o, "handle", h);
	set_field(o, "sched_class", cls);
	set_field(o, "priority", prio);
	set_field(o, "share", share);
	set_field(o, "deadline_ns", deadline_ns);
}

/*
 * Hints set, listed, added to and cleared; meanwhile a child, with a file
 * without control, tries them on the parent's queue (EPERM) and its own.
 */
static void seed_queue_attr(struct prog *p, struct rng *r)
{
	struct op o;

	memset(p, 0, sizeof(*p));
	op_open(&o, 0, 1, WHO_MAIN);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_EVENTS_CONFIG, 0, WHO_MAIN);
	set_field(&o, "mask", AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_ATTR));
	set_field(&o, "ring_entries", 16);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_PROC, 0, WHO_MAIN);
	set_field(&o, "op", AMDXSCHED_SIM_PROC_CREATE);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_QUEUE_CREATE, 0, WHO_MAIN);
	prog_add(p, &o);
	op_queue_attr(&o, r, WHO_MAIN, 0, REF(R_HANDLE, 0),
		      AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_SHARE, AMDXSCHED_CLASS_BEST_EFFORT,
		      0, 250, 0);
	prog_add(p, &o);
	op_queue_attr(&o, r, WHO_THREAD, 0, REF(R_HANDLE, 0),
		      AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_DEADLINE, 0, 15, 0, 5000000);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_LIST_QUEUES, 0, WHO_MAIN);
	set_field(&o, "count", 8);
	prog_add(p, &o);
	op_open(&o, 1, 0, WHO_CHILD);
	prog_add(p, &o);
	op_queue_attr(&o, r, WHO_CHILD, 1, REF(R_HANDLE, 0), AMDXSCHED_ATTR_CLASS,
		      AMDXSCHED_CLASS_REALTIME, 0, 0, 0);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_PROC, 1, WHO_CHILD);
	set_field(&o, "op", AMDXSCHED_SIM_PROC_CREATE);
	prog_add(p, &o);
	op_ioctl(&o, r, IOC_SIM_QUEUE_CREATE, 1, WHO_CHILD);
	prog_add(p, &o);
	op_queue_attr(&o, r, WHO_CHILD, 1, REF(R_HANDLE, 1), AMDXSCHED_ATTR_CLASS,
		      AMDXSCHED_CLASS_REALTIME, 0, 0, 0);
	prog_add(p, &o);
	memset(&o, 0, sizeof(o));
	o.kind = OP_READ;
	o.v[0] = 8 * sizeof(struct amdxsched_event);
	o.v[1] = ptr_ref(P_GOOD, 0);
	o.nv = 2;
	prog_add(p, &o);
	op_queue_attr(&o, r, WHO_MAIN, 0, REF(R_HANDLE, 0), AMDXSCHED_QUEUE_ATTR_CLEAR,
		      0, 0, 0, 0);
	prog_add(p, &o);
	memset(&o, 0, sizeof(o));
	o.kind = OP_SLEEP;
	o.v[0] = 5000;
	o.nv = 1;
	prog_add(p, &o);
	memset(&o, 0, sizeof(o));
	o.kind = OP_KILL;
	prog_add(p, &o);
}

void prog_seeds(struct prog *seeds, unsigned int max, unsigned int *n)
{
	struct rng r;
	unsigned int i = 0;

	rng_seed(&r, 42);
	if (i < max)
		seed_basic(&seeds[i++], &r, AMDXSCHED_LEVEL_INTERRUPT, false);
	if (i < max)
		seed_basic(&seeds[i++], &r, AMDXSCHED_LEVEL_DEACTIVATE, true);
	if (i < max)
		seed_child(&seeds[i++], &r);
	if (i < max)
		seed_queue_attr(&seeds[i++], &r);
	/* Every ioctl once, with ordinary values, after the usual setup. */
	for (unsigned int s = 0; s < IOC_N && i < max; s++) {
		struct prog *p = &seeds[i++];
		struct op o;

		memset(p, 0, sizeof(*p));
		op_open(&o, 0, 1, WHO_MAIN);
		prog_add(p, &o);
		op_ioctl(&o, &r, IOC_SIM_PROC, 0, WHO_MAIN);
		set_field(&o, "op", AMDXSCHED_SIM_PROC_CREATE);
		prog_add(p, &o);
		op_ioctl(&o, &r, IOC_SIM_QUEUE_CREATE, 0, WHO_MAIN);
		prog_add(p, &o);
		op_ioctl(&o, &r, s, 0, WHO_MAIN);
		prog_add(p, &o);
	}
	*n = i;
}

/* ------------------------------------------------------------------------ */
/* Text form */

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* References print as @name.arg (hex), e.g. @h.1 = the program's second queue. */
static const char *const ref_names[R_NTYPES] = {
	[R_CMD] = "cmd", [R_PTR] = "ptr", [R_HANDLE] = "h", [R_HANDLE_POOL] = "hpool",
	[R_HANDLE_NEXT] = "hnext", [R_LEASE] = "lease", [R_LEASE_POOL] = "lpool",
	[R_DISP] = "disp", [R_PID] = "pid", [R_GPU] = "gpu", [R_MAXLEASE] = "maxlease",
};

static size_t put_value(char *buf, size_t len, size_t at, bool first, uint64_t v)
{
	const char *sep = first ? " " : ",";
	unsigned int t = REF_TYPE(v);

	if (IS_REF(v) && t < R_NTYPES && ref_names[t])
		return put(buf, len, at, "%s@%s.%llx", sep, ref_names[t],
			   (unsigned long long)REF_ARG(v));
	return put(buf, len, at, "%s%llx", sep, (unsigned long long)v);
}

static const char *op_name(const struct op *o)
{
	if (o->kind == OP_IOCTL && o->sub < IOC_N)
		return ioctls[o->sub].name;
	return o->kind < OP_NKINDS ? op_names[o->kind] : "?";
}

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= len)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	if (n < 0)
		return at;
	return at + (size_t)n;
}

size_t prog_format(const struct prog *p, const char *id, char *buf, size_t len)
{
	size_t at = 0;
	unsigned int i, j;

	at = put(buf, len, at, "prog %s %u\n", id, p->nops);
	for (i = 0; i < p->nops; i++) {
		const struct op *o = &p->ops[i];

		at = put(buf, len, at, "%u %s %u", o->who, op_name(o), o->fd);
		for (j = 0; j < o->nv; j++)
			at = put_value(buf, len, at, !j, o->v[j]);
		if (o->na)
			at = put(buf, len, at, " |");
		for (j = 0; j < o->na; j++)
			at = put_value(buf, len, at, !j, o->a[j]);
		at = put(buf, len, at, "\n");
	}
	at = put(buf, len, at, "end\n");
	return at < len ? at : len - 1;
}

static int parse_name(const char *name, struct op *o)
{
	unsigned int i;

	for (i = 0; i < IOC_N; i++) {
		if (!strcmp(name, ioctls[i].name)) {
			o->kind = OP_IOCTL;
			o->sub = i;
			return 0;
		}
	}
	for (i = 0; i < OP_NKINDS; i++) {
		if (i != OP_IOCTL && !strcmp(name, op_names[i])) {
			o->kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* "h.1" (after the @) into a reference. */
static int parse_ref(const char *s, uint64_t *v, char **end)
{
	const char *dot = strchr(s, '.');
	unsigned long long arg;
	unsigned int t;

	if (!dot)
		return -EINVAL;
	for (t = 0; t < R_NTYPES; t++) {
		if (ref_names[t] && strlen(ref_names[t]) == (size_t)(dot - s) &&
		    !strncmp(s, ref_names[t], (size_t)(dot - s)))
			break;
	}
	if (t == R_NTYPES)
		return -EINVAL;
	errno = 0;
	arg = strtoull(dot + 1, end, 16);
	if (errno || *end == dot + 1)
		return -EINVAL;
	*v = REF(t, arg);
	return 0;
}

/* "1f,0,@h.1..." into @v; returns the count or -1. */
static int parse_values(const char *s, uint64_t *v, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*s == ' ')
		s++;
	if (!*s || *s == '|' || *s == '\n')
		return 0;
	for (;;) {
		if (n == max)
			return -1;
		if (*s == '@') {
			if (parse_ref(s + 1, &v[n++], &end))
				return -1;
		} else {
			errno = 0;
			v[n++] = strtoull(s, &end, 16);
			if (errno || end == s)
				return -1;
		}
		s = end;
		if (*s != ',')
			return (int)n;
		s++;
	}
}

static int parse_op(const char *line, struct op *o)
{
	char name[32];
	unsigned int who, fd;
	const char *bar;
	int pos = 0, n;

	memset(o, 0, sizeof(*o));
	if (sscanf(line, "%u %31s %u%n", &who, name, &fd, &pos) != 3)
		return -EINVAL;
	if (who >= WHO_N || fd >= NSLOTS || parse_name(name, o))
		return -EINVAL;
	o->who = who;
	o->fd = fd;
	n = parse_values(line + pos, o->v, OP_NV);
	if (n < 0)
		return -EINVAL;
	o->nv = n;
	bar = strchr(line + pos, '|');
	if (bar) {
		n = parse_values(bar + 1, o->a, OP_NA);
		if (n < 0)
			return -EINVAL;
		o->na = n;
	}
	if (o->kind == OP_IOCTL && o->nv != 2 + ioctls[o->sub].nf)
		return -EINVAL;
	return 0;
}

int prog_parse_all(const char *text, struct prog *out, unsigned int max, unsigned int *lineno)
{
	const char *s = text;
	struct prog *cur = NULL;
	unsigned int n = 0;
	char line[1024];

	*lineno = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) : strlen(s);

		(*lineno)++;
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, s, l);
		line[l] = 0;
		if (l && line[l - 1] == '\r')
			line[l - 1] = 0;
		s = nl ? nl + 1 : s + strlen(s);

		if (!strncmp(line, "prog ", 5)) {
			if (n == max)
				break;
			cur = &out[n];
			memset(cur, 0, sizeof(*cur));
		} else if (!strcmp(line, "end")) {
			if (cur)
				n++;
			cur = NULL;
		} else if (cur) {
			if (cur->nops == PROG_MAX_OPS || parse_op(line, &cur->ops[cur->nops]))
				return -1;
			cur->nops++;
		}
		/* Anything outside prog ... end is other output: skipped. */
	}
	return (int)n;
}
