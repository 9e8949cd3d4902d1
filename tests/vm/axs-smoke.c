// SPDX-License-Identifier: MIT
/*
 * axs-smoke: leave state behind for the module-lifecycle tests. Creates a
 * simulated process with queues on every simulated GPU, starts kernels,
 * suspends half the queues under a long lease and subscribes to events,
 * then exits without cleaning up: the module must undo it all on close.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axs.h"

int main(void)
{
	struct amdxsched_gpu_info *gpus;
	uint64_t q[8], lease;
	uint32_t ngpus, n = 0;
	int fd, r;

	fd = axs_open(O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "axs-smoke: open: %s\n", strerror(-fd));
		return 1;
	}
	r = axs_list_gpus(fd, &gpus, &ngpus);
	if (!r)
		r = axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (!r)
		r = axs_events_config(fd, AMDXSCHED_EVENT_MASK_ALL, 64);
	for (uint32_t g = 0; !r && g < ngpus && n + 2 <= 8; g++) {
		if (gpus[g].backend != AMDXSCHED_BACKEND_SIM)
			continue;
		for (int i = 0; !r && i < 2; i++)
			r = axs_sim_queue_create(fd, gpus[g].gpu_id, 5, &q[n++], NULL);
	}
	for (uint32_t i = 0; !r && i < n; i++)
		r = axs_sim_submit(fd, q[i], 160, 5000000, 0, NULL);
	if (!r && n)
		r = axs_suspend(fd, q, n / 2, AMDXSCHED_LEVEL_INTERRUPT, 10000, NULL, &lease);
	if (r) {
		fprintf(stderr, "axs-smoke: %s\n", strerror(-r));
		return 1;
	}
	printf("axs-smoke: %u queues on %u GPUs, %u suspended; exiting without cleanup\n",
	       n, ngpus, n / 2);
	return 0;	/* the fd closes with the process */
}
