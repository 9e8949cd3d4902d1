// SPDX-License-Identifier: GPL-2.0-only
/*
 * amdxsched: the misc device /dev/amdxsched, its file operations and the
 * ioctl entry point. See Documentation/abi.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "core.h"

struct axs_dev axs;

unsigned int axs_max_lease_ms = 10000;
module_param_named(max_lease_ms, axs_max_lease_ms, uint, 0444);
MODULE_PARM_DESC(max_lease_ms, "Longest suspension lease, in ms (default 10000)");

bool axs_see_all_users;
module_param_named(see_all_users, axs_see_all_users, bool, 0644);
MODULE_PARM_DESC(see_all_users,
		 "Files without control see every user's processes and events (default 0: their own user's only)");

/*
 * Off in production: a simulated GPU would be scheduled by xschedd like a
 * real one, and its SIM_* ioctls let any user create queues. Tests and the
 * demo ask for simulated GPUs explicitly.
 */
static unsigned int sim_gpus;
module_param(sim_gpus, uint, 0444);
MODULE_PARM_DESC(sim_gpus,
		 "Simulated MI308X GPUs to create at load, for tests and demos (default 0: none, and the SIM_* ioctls are refused)");

/*
 * Copy an extensible argument struct in: its first u32 is the size userspace
 * knows. Shorter than the first version is EINVAL, over a page E2BIG, a
 * longer struct must be zero past what we know (E2BIG otherwise).
 */
int axs_args_in(void *karg, size_t ksize, size_t ver0, void __user *uarg)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

/*
 * axs_args_in() for a call that changes state and then writes results into
 * the struct: the struct is written back as read first, so that one the
 * caller cannot write (read-only memory) fails the call before anything is
 * done, as an unwritable status array does.
 */
int axs_args_inout(void *karg, size_t ksize, size_t ver0, void __user *uarg)
{
	int err = axs_args_in(karg, ksize, ver0, uarg);

	return err ? err : axs_args_out(uarg, karg, ksize);
}

/* Copy the result back, as much of it as the caller's struct holds. */
int axs_args_out(void __user *uarg, const void *karg, size_t ksize)
{
	u32 usize = *(const u32 *)karg;

	if (copy_to_user(uarg, karg, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

/* Write one array element of @entry_size bytes, zero-filling what we lack. */
int axs_copy_entry(void __user *dst, u32 entry_size, const void *src, size_t ksize)
{
	size_t n = min_t(size_t, entry_size, ksize);

	if (copy_to_user(dst, src, n))
		return -EFAULT;
	if (entry_size > ksize && clear_user(dst + ksize, entry_size - ksize))
		return -EFAULT;
	return 0;
}

static long axs_ioctl_version(struct axs_file *f, void __user *argp)
{
	struct amdxsched_version v;
	struct axs_gpu *gpu;
	int err;

	err = axs_args_in(&v, sizeof(v), AMDXSCHED_VERSION_SIZE_VER0, argp);
	if (err)
		return err;
	if (v.flags)
		return -EINVAL;

	v.abi_major = AMDXSCHED_ABI_MAJOR;
	v.abi_minor = AMDXSCHED_ABI_MINOR;
	v.instance_id = axs.instance_id;
	v.caps = AMDXSCHED_CAP_EVENTS | AMDXSCHED_CAP_LEASES |
		 AMDXSCHED_CAP_PROC_ATTR | AMDXSCHED_CAP_APPLY |
		 AMDXSCHED_CAP_QUEUE_ATTR;
	if (axs_sim_enabled())
		v.caps |= AMDXSCHED_CAP_SIM;
	v.backends = 0;
	v.levels = 0;
	v.max_batch = AMDXSCHED_MAX_BATCH;
	v.max_lease_ms = axs_max_lease_ms;
	v.control = f->control;
	memset(v.module_version, 0, sizeof(v.module_version));
	strscpy(v.module_version, AXS_MODULE_VERSION, sizeof(v.module_version));

	mutex_lock(&axs.lock);
	v.num_gpus = axs.ngpus;
	list_for_each_entry(gpu, &axs.gpus, node) {
		v.backends |= 1U << gpu->backend;
		v.levels |= gpu->levels;
	}
	/* A running kfd backend counts even before it has a GPU to show. */
	if (axs_kfd_running())
		v.backends |= 1U << AMDXSCHED_BACKEND_KFD;
	mutex_unlock(&axs.lock);

	return axs_args_out(argp, &v, sizeof(v));
}

#ifndef AXS_HAVE_KFD
void axs_kfd_backend_info(struct amdxsched_backend_info *bi)
{
	bi->status = AMDXSCHED_BACKEND_ABSENT;
	bi->levels = 0;
	bi->caps = 0;
	bi->error = 0;
	bi->num_gpus = 0;
	memset(bi->name, 0, sizeof(bi->name));
	strscpy(bi->name, "kfd", sizeof(bi->name));
	memset(bi->detail, 0, sizeof(bi->detail));
	strscpy(bi->detail, "not built: no amdgpu source (see AMDGPU_SRC in Kbuild)",
		sizeof(bi->detail));
}
#endif

static long axs_ioctl_backend_info(struct axs_file *f, void __user *argp)
{
	struct amdxsched_backend_info bi;
	int err;

	err = axs_args_in(&bi, sizeof(bi), AMDXSCHED_BACKEND_INFO_SIZE_VER0, argp);
	if (err)
		return err;
	if (bi.flags || !axs_zeroed(bi.reserved, sizeof(bi.reserved)))
		return -EINVAL;

	switch (bi.backend) {
	case AMDXSCHED_BACKEND_SIM:
		axs_sim_backend_info(&bi);
		break;
	case AMDXSCHED_BACKEND_KFD:
		axs_kfd_backend_info(&bi);
		break;
	default:
		return -EINVAL;
	}
	return axs_args_out(argp, &bi, sizeof(bi));
}

static long axs_ioctl(struct file *file, unsigned int cmd, unsigned long parm)
{
	struct axs_file *f = file->private_data;
	void __user *argp = (void __user *)parm;

	switch (cmd) {
	case AMDXSCHED_IOC_VERSION:
		return axs_ioctl_version(f, argp);
	case AMDXSCHED_IOC_BACKEND_INFO:
		return axs_ioctl_backend_info(f, argp);
	case AMDXSCHED_IOC_LIST_GPUS:
		return axs_ioctl_list_gpus(f, argp);
	case AMDXSCHED_IOC_LIST_QUEUES:
		return axs_ioctl_list_queues(f, argp);
	case AMDXSCHED_IOC_LIST_PROCS:
		return axs_ioctl_list_procs(f, argp);
	case AMDXSCHED_IOC_SUSPEND:
		return axs_ioctl_suspend(f, argp);
	case AMDXSCHED_IOC_RESUME:
		return axs_ioctl_resume(f, argp);
	case AMDXSCHED_IOC_LEASE_RENEW:
		return axs_ioctl_lease_renew(f, argp);
	case AMDXSCHED_IOC_SET_PRIORITY:
		return axs_ioctl_set_priority(f, argp);
	case AMDXSCHED_IOC_SET_CU_MASK:
		return axs_ioctl_set_cu_mask(f, argp);
	case AMDXSCHED_IOC_EVENTS_CONFIG:
		return axs_ioctl_events_config(f, argp);
	case AMDXSCHED_IOC_SET_PROC_ATTR:
		return axs_ioctl_set_proc_attr(f, argp);
	case AMDXSCHED_IOC_APPLY:
		return axs_ioctl_apply(f, argp);
	case AMDXSCHED_IOC_SET_QUEUE_ATTR:
		return axs_ioctl_set_queue_attr(f, argp);
	case AMDXSCHED_IOC_SIM_ADD_GPU:
	case AMDXSCHED_IOC_SIM_PROC:
	case AMDXSCHED_IOC_SIM_QUEUE_CREATE:
	case AMDXSCHED_IOC_SIM_QUEUE_DESTROY:
	case AMDXSCHED_IOC_SIM_SUBMIT:
	case AMDXSCHED_IOC_SIM_WAIT:
		return axs_sim_ioctl(f, cmd, argp);
	default:
		return -ENOTTY;
	}
}

static int axs_open(struct inode *inode, struct file *file)
{
	struct axs_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;

	/*
	 * Control over other processes' queues comes from the device file's
	 * permissions (opened for writing) or from CAP_SYS_NICE, both judged
	 * at open time with the opener's credentials.
	 */
	f->control = (file->f_mode & FMODE_WRITE) ||
		     file_ns_capable(file, &init_user_ns, CAP_SYS_NICE);
	f->opener = get_pid(task_tgid(current));
	f->uid = current_euid();
	INIT_LIST_HEAD(&f->leases);
	INIT_LIST_HEAD(&f->attr_procs);
	mutex_init(&f->sim_lock);
	INIT_LIST_HEAD(&f->sub_node);
	init_waitqueue_head(&f->ev_wait);
	mutex_init(&f->read_lock);

	file->private_data = f;
	return stream_open(inode, file);
}

static int axs_release(struct inode *inode, struct file *file)
{
	struct axs_file *f = file->private_data;

	/* Queues first (their process may go), then suspensions, then hints. */
	axs_sim_file_release(f);
	axs_control_file_release(f);
	axs_registry_file_release(f);
	axs_events_file_release(f);

	put_pid(f->opener);
	mutex_destroy(&f->read_lock);
	mutex_destroy(&f->sim_lock);
	kfree(f);
	return 0;
}

static const struct file_operations axs_fops = {
	.owner		= THIS_MODULE,
	.open		= axs_open,
	.release	= axs_release,
	.unlocked_ioctl	= axs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.read		= axs_events_read,
	.poll		= axs_events_poll,
};

static int __init axs_init(void)
{
	int err;

	if (axs_max_lease_ms < 1 || axs_max_lease_ms > 3600000) {
		pr_err("max_lease_ms=%u is outside 1..3600000\n", axs_max_lease_ms);
		return -EINVAL;
	}
	if (sim_gpus > AXS_MAX_GPUS) {
		pr_err("sim_gpus=%u is above %d\n", sim_gpus, AXS_MAX_GPUS);
		return -EINVAL;
	}

	mutex_init(&axs.lock);
	INIT_LIST_HEAD(&axs.gpus);
	INIT_LIST_HEAD(&axs.procs);
	hash_init(axs.proc_hash);
	INIT_LIST_HEAD(&axs.leases);
	xa_init(&axs.queues);
	axs.next_handle = 1;
	axs.next_lease = 1;
	axs.instance_id = get_random_u64() | 1;
	spin_lock_init(&axs.ev_lock);
	INIT_LIST_HEAD(&axs.subscribers);
	err = axs_control_init();
	if (err)
		goto err_lock;

	axs_debugfs_init();
	err = axs_sim_init(sim_gpus);
	if (err)
		goto err_control;
	/* Never fails the load: BACKEND_INFO says why it did not start. */
	axs_kfd_init();

	axs.misc.minor = MISC_DYNAMIC_MINOR;
	axs.misc.name = AMDXSCHED_DEVICE_NAME;
	axs.misc.fops = &axs_fops;
	/* Everyone may observe and manage their own queues; see axs_open(). */
	axs.misc.mode = 0664;
	err = misc_register(&axs.misc);
	if (err)
		goto err_sim;

	pr_info("loaded, ABI %d.%d, %u simulated GPU(s)\n",
		AMDXSCHED_ABI_MAJOR, AMDXSCHED_ABI_MINOR, sim_gpus);
	return 0;

err_sim:
	axs_control_stop();
	axs_kfd_fini();
	axs_sim_fini();
err_control:
	axs_debugfs_fini();
	axs_control_fini();
	axs_registry_fini();
err_lock:
	mutex_destroy(&axs.lock);
	return err;
}

static void __exit axs_exit(void)
{
	/* No file is open: each holds a module reference. */
	misc_deregister(&axs.misc);
	axs_control_stop();
	axs_kfd_fini();
	axs_sim_fini();
	axs_debugfs_fini();
	axs_control_fini();
	axs_registry_fini();
	mutex_destroy(&axs.lock);
	pr_info("unloaded\n");
}

module_init(axs_init);
module_exit(axs_exit);

MODULE_AUTHOR("amdxsched developers");
MODULE_DESCRIPTION("Cross-process preemptive scheduling of AMD GPU compute queues");
MODULE_LICENSE("GPL");
MODULE_VERSION(AXS_MODULE_VERSION);
