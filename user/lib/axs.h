/* SPDX-License-Identifier: MIT */
/*
 * libaxs: thin, typed wrappers over the /dev/amdxsched ioctls. Every
 * function returns 0 (or a count) on success and a negative errno on
 * failure; none prints or exits. Argument structs get their size set here.
 */
#ifndef AXS_LIB_H
#define AXS_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/amdxsched.h>

#define AXS_DEVICE_PATH "/dev/" AMDXSCHED_DEVICE_NAME

/* open(2) flags: O_RDWR asks for control over every process's queues. */
int axs_open(int flags);

int axs_version(int fd, struct amdxsched_version *v);
int axs_backend_info(int fd, uint32_t backend, struct amdxsched_backend_info *bi);

/*
 * Lists: allocate and fill *out with every matching entry (the kernel may
 * gain entries between calls; this retries). Free *out with free().
 */
int axs_list_gpus(int fd, struct amdxsched_gpu_info **out, uint32_t *n);
int axs_list_queues(int fd, uint32_t pid, uint32_t gpu_id,
		    struct amdxsched_queue_info **out, uint32_t *n);
int axs_list_procs(int fd, uint32_t pid, struct amdxsched_proc_info **out, uint32_t *n);

int axs_suspend(int fd, const uint64_t *handles, uint32_t n, uint32_t level,
		uint32_t lease_ms, int32_t *status, uint64_t *lease_id);
int axs_resume(int fd, const uint64_t *handles, uint32_t n, uint32_t flags,
	       int32_t *status);
int axs_lease_renew(int fd, uint64_t lease_id, uint32_t lease_ms, uint64_t *deadline_ns);
int axs_set_priority(int fd, struct amdxsched_priority_entry *entries, uint32_t n);
int axs_set_cu_mask(int fd, uint64_t handle, const uint32_t *mask, uint32_t nbits);
int axs_set_proc_attr(int fd, struct amdxsched_proc_attr *attr);
/*
 * One queue's own class and hints, or AMDXSCHED_QUEUE_ATTR_CLEAR (ABI 1.5,
 * AMDXSCHED_CAP_QUEUE_ATTR): its owner for its own queues, a file with
 * control for any. -ENOTTY from an older module.
 */
int axs_set_queue_attr(int fd, struct amdxsched_queue_attr *attr);
/*
 * One decision on one GPU (ABI 1.3, AMDXSCHED_CAP_APPLY): statuses come back
 * in @entries; *@lease_id and *@remaps (either may be NULL) as the module
 * says. -ENOTTY from an older module.
 */
int axs_apply(int fd, uint32_t gpu_id, struct amdxsched_apply_entry *entries, uint32_t n,
	      uint32_t lease_ms, uint64_t *lease_id, uint32_t *remaps);

/* Every event type the module that answered VERSION with @v knows. */
uint64_t axs_events_mask_all(const struct amdxsched_version *v);
int axs_events_config(int fd, uint64_t mask, uint32_t ring_entries);
/* Read up to @max records; 0 if none are ready on a non-blocking fd. */
ssize_t axs_events_read(int fd, struct amdxsched_event *ev, size_t max);

/* The simulated device. */
int axs_sim_add_gpu(int fd, struct amdxsched_sim_gpu_config *cfg);
int axs_sim_proc(int fd, uint32_t op, uint32_t *pid);
int axs_sim_queue_create(int fd, uint32_t gpu_id, uint32_t priority,
			 uint64_t *handle, uint32_t *kfd_queue_id);
int axs_sim_queue_destroy(int fd, uint64_t handle);
int axs_sim_submit(int fd, uint64_t handle, uint32_t grid, uint64_t wg_ns,
		   uint32_t wg_footprint, uint64_t *dispatch_id);
int axs_sim_wait(int fd, uint64_t handle, uint64_t dispatch_id, uint64_t timeout_ns,
		 struct amdxsched_sim_wait *out);

/* CLOCK_MONOTONIC in ns: the clock of event and simulated-device timestamps. */
uint64_t axs_now_ns(void);

#endif /* AXS_LIB_H */
