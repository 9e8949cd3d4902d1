// SPDX-License-Identifier: MIT
/* libaxs: see axs.h. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* O_CLOEXEC, clock_gettime() under -std=c11 */
#endif
#include "axs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int r;

	do
		r = ioctl(fd, cmd, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int axs_open(int flags)
{
	int fd = open(AXS_DEVICE_PATH, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int axs_version(int fd, struct amdxsched_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return xioctl(fd, AMDXSCHED_IOC_VERSION, v);
}

int axs_backend_info(int fd, uint32_t backend, struct amdxsched_backend_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->size = sizeof(*bi);
	bi->backend = backend;
	return xioctl(fd, AMDXSCHED_IOC_BACKEND_INFO, bi);
}

/* Ask for the count, allocate a little more, fetch; retry if it grew past that. */
static int list(int fd, unsigned long cmd, uint32_t pid, uint32_t gpu_id,
		size_t entry_size, void **out, uint32_t *n)
{
	struct amdxsched_list l;
	uint32_t room = 0;
	void *buf = NULL;
	int r, tries;

	for (tries = 0; tries < 8; tries++) {
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.count = room;
		l.entry_size = entry_size;
		l.entries = (uintptr_t)buf;
		l.pid = pid;
		l.gpu_id = gpu_id;
		r = xioctl(fd, cmd, &l);
		if (r < 0) {
			free(buf);
			return r;
		}
		if (l.count <= room && buf) {
			*out = buf;
			*n = l.count;
			return 0;
		}
		free(buf);
		/*
		 * It grew between the calls: room for that much growth again,
		 * more each time (a storm of new queues outran a fixed margin).
		 */
		room = l.count + l.count / 2 + (16u << tries);
		buf = calloc(room, entry_size);
		if (!buf)
			return -ENOMEM;
	}
	free(buf);
	return -EAGAIN;
}

int axs_list_gpus(int fd, struct amdxsched_gpu_info **out, uint32_t *n)
{
	return list(fd, AMDXSCHED_IOC_LIST_GPUS, 0, AMDXSCHED_GPU_ANY,
		    sizeof(**out), (void **)out, n);
}

int axs_list_queues(int fd, uint32_t pid, uint32_t gpu_id,
		    struct amdxsched_queue_info **out, uint32_t *n)
{
	return list(fd, AMDXSCHED_IOC_LIST_QUEUES, pid, gpu_id,
		    sizeof(**out), (void **)out, n);
}

int axs_list_procs(int fd, uint32_t pid, struct amdxsched_proc_info **out, uint32_t *n)
{
	return list(fd, AMDXSCHED_IOC_LIST_PROCS, pid, AMDXSCHED_GPU_ANY,
		    sizeof(**out), (void **)out, n);
}

int axs_suspend(int fd, const uint64_t *handles, uint32_t n, uint32_t level,
		uint32_t lease_ms, int32_t *status, uint64_t *lease_id)
{
	struct amdxsched_suspend a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.level = level;
	a.count = n;
	a.handles = (uintptr_t)handles;
	a.status = (uintptr_t)status;
	a.lease_ms = lease_ms;
	r = xioctl(fd, AMDXSCHED_IOC_SUSPEND, &a);
	if (lease_id)
		*lease_id = a.lease_id;
	return r;
}

int axs_resume(int fd, const uint64_t *handles, uint32_t n, uint32_t flags,
	       int32_t *status)
{
	struct amdxsched_resume a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.count = n;
	a.handles = (uintptr_t)handles;
	a.status = (uintptr_t)status;
	return xioctl(fd, AMDXSCHED_IOC_RESUME, &a);
}

int axs_lease_renew(int fd, uint64_t lease_id, uint32_t lease_ms, uint64_t *deadline_ns)
{
	struct amdxsched_lease_renew a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.lease_id = lease_id;
	a.lease_ms = lease_ms;
	r = xioctl(fd, AMDXSCHED_IOC_LEASE_RENEW, &a);
	if (!r && deadline_ns)
		*deadline_ns = a.deadline_ns;
	return r;
}

int axs_set_priority(int fd, struct amdxsched_priority_entry *entries, uint32_t n)
{
	struct amdxsched_set_priority a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.count = n;
	a.entries = (uintptr_t)entries;
	return xioctl(fd, AMDXSCHED_IOC_SET_PRIORITY, &a);
}

int axs_set_cu_mask(int fd, uint64_t handle, const uint32_t *mask, uint32_t nbits)
{
	struct amdxsched_set_cu_mask a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.handle = handle;
	a.num_bits = nbits;
	a.mask = (uintptr_t)mask;
	return xioctl(fd, AMDXSCHED_IOC_SET_CU_MASK, &a);
}

int axs_apply(int fd, uint32_t gpu_id, struct amdxsched_apply_entry *entries, uint32_t n,
	      uint32_t lease_ms, uint64_t *lease_id, uint32_t *remaps)
{
	struct amdxsched_apply a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.gpu_id = gpu_id;
	a.count = n;
	a.entries = (uintptr_t)entries;
	a.entry_size = sizeof(*entries);
	a.lease_ms = lease_ms;
	r = xioctl(fd, AMDXSCHED_IOC_APPLY, &a);
	if (lease_id)
		*lease_id = a.lease_id;
	if (remaps)
		*remaps = a.remaps;
	return r;
}

int axs_set_proc_attr(int fd, struct amdxsched_proc_attr *attr)
{
	attr->size = sizeof(*attr);
	return xioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, attr);
}

int axs_set_queue_attr(int fd, struct amdxsched_queue_attr *attr)
{
	attr->size = sizeof(*attr);
	return xioctl(fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, attr);
}

uint64_t axs_events_mask_all(const struct amdxsched_version *v)
{
	uint64_t mask = AMDXSCHED_EVENT_MASK_ALL;

	/* An older module refuses (EINVAL) the bits it does not know. */
	if (v->abi_major == 1 && v->abi_minor < 2)
		mask &= ~AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_RESUME_FAILING);
	if (v->abi_major == 1 && v->abi_minor < 3)
		mask &= ~AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_RESUME_LATE);
	if (v->abi_major == 1 && v->abi_minor < 5)
		mask &= ~AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_ATTR);
	return mask;
}

int axs_events_config(int fd, uint64_t mask, uint32_t ring_entries)
{
	struct amdxsched_events_config c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mask = mask;
	c.ring_entries = ring_entries;
	return xioctl(fd, AMDXSCHED_IOC_EVENTS_CONFIG, &c);
}

ssize_t axs_events_read(int fd, struct amdxsched_event *ev, size_t max)
{
	char *buf = (char *)ev;
	size_t off = 0, n = 0;
	ssize_t r;

	do
		r = read(fd, ev, max * sizeof(*ev));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	/*
	 * A newer module may write longer records: step by each one's size
	 * and keep the part this program knows, in place (records only shrink).
	 */
	while (off < (size_t)r) {
		struct amdxsched_event e;

		if ((size_t)r - off < sizeof(e))
			return -EPROTO;
		memcpy(&e, buf + off, sizeof(e));
		if (e.size < AMDXSCHED_EVENT_SIZE_VER0 || e.size > (size_t)r - off)
			return -EPROTO;
		off += e.size;
		memcpy(&ev[n++], &e, sizeof(e));
	}
	return (ssize_t)n;
}

int axs_sim_add_gpu(int fd, struct amdxsched_sim_gpu_config *cfg)
{
	cfg->size = sizeof(*cfg);
	return xioctl(fd, AMDXSCHED_IOC_SIM_ADD_GPU, cfg);
}

int axs_sim_proc(int fd, uint32_t op, uint32_t *pid)
{
	struct amdxsched_sim_proc a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.op = op;
	r = xioctl(fd, AMDXSCHED_IOC_SIM_PROC, &a);
	if (!r && pid)
		*pid = a.pid;
	return r;
}

int axs_sim_queue_create(int fd, uint32_t gpu_id, uint32_t priority,
			 uint64_t *handle, uint32_t *kfd_queue_id)
{
	struct amdxsched_sim_queue_create a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.gpu_id = gpu_id;
	a.priority = priority;
	r = xioctl(fd, AMDXSCHED_IOC_SIM_QUEUE_CREATE, &a);
	if (!r) {
		*handle = a.handle;
		if (kfd_queue_id)
			*kfd_queue_id = a.kfd_queue_id;
	}
	return r;
}

int axs_sim_queue_destroy(int fd, uint64_t handle)
{
	struct amdxsched_sim_queue_destroy a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.handle = handle;
	return xioctl(fd, AMDXSCHED_IOC_SIM_QUEUE_DESTROY, &a);
}

int axs_sim_submit(int fd, uint64_t handle, uint32_t grid, uint64_t wg_ns,
		   uint32_t wg_footprint, uint64_t *dispatch_id)
{
	struct amdxsched_sim_submit a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.handle = handle;
	a.grid = grid;
	a.wg_ns = wg_ns;
	a.wg_footprint = wg_footprint;
	r = xioctl(fd, AMDXSCHED_IOC_SIM_SUBMIT, &a);
	if (!r && dispatch_id)
		*dispatch_id = a.dispatch_id;
	return r;
}

int axs_sim_wait(int fd, uint64_t handle, uint64_t dispatch_id, uint64_t timeout_ns,
		 struct amdxsched_sim_wait *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->handle = handle;
	out->dispatch_id = dispatch_id;
	out->timeout_ns = timeout_ns;
	return xioctl(fd, AMDXSCHED_IOC_SIM_WAIT, out);
}

uint64_t axs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
