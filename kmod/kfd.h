/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kfd backend: real amdkfd compute queues (Documentation/kfd-backend.rst).
 *
 * Only the kfd_*.c files include this. They are built against the amdgpu
 * source of the running amdgpu.ko (Kbuild: AMDGPU_SRC) and so see amdkfd's
 * private structures with that build's layout, which kfd_layout.c also
 * checks against amdgpu's BTF before anything touches them.
 */
#ifndef AXS_KFD_H
#define AXS_KFD_H

#include "kfd_priv.h"
#include "kfd_device_queue_manager.h"
#include "kfd_topology.h"

#include "core.h"

/* amdgpu.h sets its own; ours names the module and the backend. */
#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": kfd: " fmt

/* How the backend uses a symbol; only what it calls must carry endbr64 on IBT. */
enum axs_kfd_sym_use {
	AXS_SYM_CALL,		/* a function called through a pointer */
	AXS_SYM_PROBE,		/* a function only probed (kprobes), never called */
	AXS_SYM_DATA,
};

/* One symbol to resolve: "amdgpu:<name>" into *slot. */
struct axs_kfd_sym {
	const char *name;
	void **slot;
	enum axs_kfd_sym_use use;
};

/* A GPU as amdkfd's topology hands it out: a kfd_node from 6.5 on. */
#ifdef AXS_KFD_HAVE_NODE
#define axs_kfd_node		kfd_node
#else
#define axs_kfd_node		kfd_dev
#endif

/*
 * amdkfd's functions and data the backend uses, resolved and verified at
 * start (kfd_symbols.c). kfd_backend.c asserts at build time that each type
 * is that of amdkfd's own prototype.
 */
struct axs_kfd_api {
	struct kfd_process *(*lookup_process_by_pid)(struct pid *pid);
	void (*unref_process)(struct kfd_process *p);
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	int (*suspend_queues)(struct kfd_process *p, u32 num_queues, u32 grace_period,
			      u64 exception_clear_mask, u32 *usr_queue_id_array);
	int (*resume_queues)(struct kfd_process *p, u32 num_queues, u32 *usr_queue_id_array);
#else
	/* 6.1: whole-process eviction; not even resolved where unused */
	int (*evict_queues)(struct kfd_process *p, u32 trigger);
	int (*restore_queues)(struct kfd_process *p);
#endif
	int (*update_queue_properties)(struct process_queue_manager *pqm, unsigned int qid,
				       struct queue_properties *p);
	int (*update_mqd)(struct process_queue_manager *pqm, unsigned int qid,
			  struct mqd_update_info *minfo);
	struct queue *(*get_user_queue)(struct process_queue_manager *pqm, unsigned int qid);
	int (*enum_devices)(u8 idx, struct axs_kfd_node **node);
	struct kfd_topology_device *(*topology_device_by_id)(u32 gpu_id);
	struct module *amdgpu;			/* its __this_module, pinned */
};

extern struct axs_kfd_api axs_kfd;

/* kfd_symbols.c */
int axs_kfd_resolve(const struct axs_kfd_sym *tab, unsigned int n, const char *mod,
		    char *why, size_t len);

/* kfd_layout.c: the compiled layouts against amdgpu's BTF */
int axs_kfd_check_layout(char *why, size_t len);

/* kfd_discovery.c: processes and queues, from probes and a scan */
int axs_kfd_discovery_start(void);
void axs_kfd_discovery_stop(void);
void axs_kfd_discovery_flush(void);

/* A queue as a probe or a scan of amdkfd saw it. */
struct axs_kfd_seen {
	u32 gpu_id, qid, type, prio;
	u64 rptr, wptr;			/* user addresses in the owner's mm */
};

struct axs_kfd_scan {
	struct axs_kfd_seen *q;
	u32 n, room;
	bool debugged;			/* its debug trap is on */
};

/* kfd_backend.c: a thread of @pid's group with its mm, referenced, or NULL */
struct task_struct *axs_kfd_live_thread(struct pid *pid);

/* How long the module waits for a KFD process's own p->mutex (core.h). */
#define AXS_KFD_PROC_LOCK_MS	100

/*
 * kfd_backend.c: run @fn on the process of @pid with a reference on it and
 * its mm, and p->mutex held. -ESRCH if it has no KFD process (any more),
 * -EAGAIN if its p->mutex stayed held for AXS_KFD_PROC_LOCK_MS.
 */
int axs_kfd_with_process(struct pid *pid, int (*fn)(struct kfd_process *p, void *arg),
			 void *arg);

/* kfd_backend.c, for discovery; all under axs.lock */
void axs_kfd_proc_seen(struct pid *pid);
void axs_kfd_proc_gone(struct pid *pid);
void axs_kfd_queue_seen(struct pid *pid, const struct axs_kfd_seen *s);
void axs_kfd_queue_gone(struct pid *pid, u32 qid);
/* What a scan saw of one process: its queues, exactly. */
void axs_kfd_proc_update(struct pid *pid, const struct axs_kfd_scan *seen);
/* Forget KFD processes a scan did not see. */
void axs_kfd_procs_keep(struct pid **alive, u32 n);
/* Remove what the calls above found gone; no module lock held. */
void axs_kfd_reap(void);

/* kfd_backend.c, for kfd_debugfs.c: amdkfd calls outside the registry */
enum axs_kfd_test_op {
	AXS_KFD_TEST_SUSPEND_LV3,
	AXS_KFD_TEST_SUSPEND_LV2,
	AXS_KFD_TEST_RESUME,
	AXS_KFD_TEST_PRIORITY,
	AXS_KFD_TEST_CU_MASK,
};

#define AXS_KFD_TEST_MAX_QIDS	32

/* kfd_debugfs.c has checked the arguments: 1 queue and 1 priority <= 15, or a mask. */
int axs_kfd_test_call(struct pid *pid, enum axs_kfd_test_op op, u32 *qids, u32 n,
		      const u32 *arg, u32 narg, int *status);

/* kfd_symbols.c: what was resolved, for debugfs */
struct seq_file;
void axs_kfd_symbols_show(struct seq_file *m);

/* kfd_debugfs.c: amdxsched/kfd/ */
void axs_kfd_debugfs_init(void);
void axs_kfd_debugfs_fini(void);

/* kfd_busy.c: busy/idle from the AQL dispatch ids; axs.lock for add/remove */
int axs_kfd_busy_start(void);
void axs_kfd_busy_stop(void);
int axs_kfd_busy_add(struct axs_queue *q, struct pid *pid, u64 rptr, u64 wptr);
void axs_kfd_busy_remove(struct axs_queue *q);
void axs_kfd_busy_info(struct axs_queue *q, struct amdxsched_queue_info *qi);

#endif /* AXS_KFD_H */
