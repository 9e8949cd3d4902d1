// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: /sys/kernel/debug/amdxsched/summary shows every GPU's and queue's
 * counters in one table; backends add their own directories (sim/gpuN/).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "core.h"

static int summary_show(struct seq_file *m, void *unused)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_gpu_counters c;
	struct axs_gpu *gpu;
	struct axs_queue *q;
	unsigned long idx;
	u64 now;

	mutex_lock(&axs.lock);
	now = ktime_get_ns();
	seq_puts(m, "gpu backend cus queues suspends resumes suspended_ms lease_expiries remaps remap_us saved_kib hangs late_resumes outside_resumes debugger_waits\n");
	list_for_each_entry(gpu, &axs.gpus, node) {
		memset(&c, 0, sizeof(c));
		gpu->ops->gpu_counters(gpu, &c);
		seq_printf(m, "%u %s %u %u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
			   gpu->id, gpu->backend == AMDXSCHED_BACKEND_SIM ? "sim" : "kfd",
			   axs_topo_num_cu(&gpu->topo), gpu->nqueues,
			   gpu->stats.suspends, gpu->stats.resumes,
			   div_u64(gpu->stats.suspended_ns, NSEC_PER_MSEC),
			   gpu->stats.lease_expiries, c.remaps,
			   div_u64(c.remap_ns, NSEC_PER_USEC), c.saved_bytes >> 10, c.hangs,
			   gpu->late_resumes, gpu->outside_resumes, gpu->debugger_waits);
	}

	seq_puts(m, "\nqueue pid gpu qid prio state level lease suspends resumes suspended_ms lease_expiries completed\n");
	xa_for_each(&axs.queues, idx, q) {
		u64 susp = q->stats.suspended_ns;

		memset(&qi, 0, sizeof(qi));
		q->gpu->ops->queue_info(q, &qi);
		if (q->lease && !q->lease->building)
			susp += now - q->suspended_at;
		seq_printf(m, "%llu %d %u %u %u %s%s%s %u %llu %llu %llu %llu %llu %llu\n",
			   q->handle, pid_nr(q->proc->pid), q->gpu->id, q->kfd_qid,
			   q->priority, q->lease ? "S" : "-",
			   qi.state & AMDXSCHED_QUEUE_S_DRAINING ? "D" : "-",
			   qi.state & AMDXSCHED_QUEUE_S_BUSY ? "B" : "-",
			   q->level, q->lease ? q->lease->id : 0,
			   q->stats.suspends, q->stats.resumes,
			   div_u64(susp, NSEC_PER_MSEC), q->stats.lease_expiries,
			   qi.counters.dispatches_completed);
	}
	seq_printf(m, "\nprocesses %u\n", axs.nprocs);
	mutex_unlock(&axs.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(summary);

void axs_debugfs_init(void)
{
	axs.debugfs = debugfs_create_dir("amdxsched", NULL);
	debugfs_create_file("summary", 0444, axs.debugfs, NULL, &summary_fops);
}

void axs_debugfs_fini(void)
{
	debugfs_remove_recursive(axs.debugfs);
	axs.debugfs = NULL;
}
