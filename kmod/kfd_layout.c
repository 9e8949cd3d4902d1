// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checking, before anything touches them, that amdkfd's structures have the
 * layout this module was compiled with: every offset and size the kfd
 * backend relies on is compared with amdgpu's BTF, read from
 * /sys/kernel/btf/amdgpu (on top of /sys/kernel/btf/vmlinux) at start, in
 * the module's init, so no userspace helper is needed. Without that BTF
 * (CONFIG_DEBUG_INFO_BTF_MODULES off) the backend refuses to start unless
 * loaded with kfd_trust_layout=1.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "btf_layout.h"
#include "kfd.h"

#define BTF_MAX	(64 << 20)	/* vmlinux BTF is a few MB */

#define FIELD(type, path)	{ #type, #path, offsetof(struct type, path) }
#define SIZE(type)		{ #type, sizeof(struct type) }

/* Everything the kfd_*.c files read or write in amdkfd's structures. */
static const struct axs_btf_field fields[] = {
	FIELD(kfd_process, mm),
	FIELD(kfd_process, mutex),
	FIELD(kfd_process, lead_thread),
	FIELD(kfd_process, mmu_notifier),
	FIELD(kfd_process, pqm),
	FIELD(kfd_process, event_mutex),
#ifdef AXS_KFD_HAVE_SUSPEND_QUEUES
	FIELD(kfd_process, debug_trap_enabled),
	FIELD(queue_properties, exception_status),
	FIELD(queue_properties, is_suspended),
	FIELD(queue_properties, is_being_destroyed),
#endif
#ifdef AXS_KFD_HAVE_CONTEXTS
	FIELD(kfd_process, context_id),
#endif
	FIELD(process_queue_manager, queues),
	FIELD(process_queue_node, q),
	FIELD(process_queue_node, process_queue_list),
	FIELD(queue, properties),
	FIELD(queue, process),
	FIELD(queue, device),
	FIELD(queue_properties, type),
	FIELD(queue_properties, format),
	FIELD(queue_properties, queue_id),
	FIELD(queue_properties, priority),
	FIELD(queue_properties, read_ptr),
	FIELD(queue_properties, write_ptr),
	FIELD(mqd_update_info, cu_mask.count),
	FIELD(mqd_update_info, cu_mask.ptr),
	FIELD(mqd_update_info, update_flag),
#ifdef AXS_KFD_HAVE_NODE
	FIELD(kfd_node, id),
	FIELD(kfd_node, xcc_mask),
	FIELD(kfd_node, dqm),
	FIELD(kfd_node, kfd),
#else
	FIELD(kfd_dev, id),
	FIELD(kfd_dev, dqm),
#endif
	FIELD(kfd_dev, cwsr_enabled),
	FIELD(device_queue_manager, sched_policy),
	FIELD(kfd_topology_device, node_props.simd_count),
	FIELD(kfd_topology_device, node_props.simd_per_cu),
	FIELD(kfd_topology_device, node_props.array_count),
	FIELD(kfd_topology_device, node_props.simd_arrays_per_engine),
	FIELD(kfd_topology_device, node_props.gfx_target_version),
};

/* Structures copied or handed over whole. */
static const struct axs_btf_size sizes[] = {
	SIZE(queue_properties),		/* copied for pqm_update_queue_properties() */
	SIZE(mqd_update_info),		/* passed to pqm_update_mqd() */
};

static void *read_btf(const char *path, u32 *len)
{
	struct file *f;
	loff_t size, pos = 0;
	void *buf;
	ssize_t n;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return NULL;
	size = i_size_read(file_inode(f));
	buf = size > 0 && size <= BTF_MAX ? kvmalloc(size, GFP_KERNEL) : NULL;
	while (buf && pos < size) {
		n = kernel_read(f, buf + pos, size - pos, &pos);
		if (n <= 0) {
			kvfree(buf);
			buf = NULL;
		}
	}
	fput(f);
	*len = size;
	return buf;
}

/* As if amdgpu had no BTF (AMD's DKMS builds): the kfd_trust_layout path. */
static bool kfd_test_hide_btf;
module_param(kfd_test_hide_btf, bool, 0444);
MODULE_PARM_DESC(kfd_test_hide_btf, "Test only: act as if amdgpu had no BTF");

int axs_kfd_check_layout(char *why, size_t len)
{
	struct axs_btf base, mod;
	void *vmlinux, *amdgpu;
	u32 vlen = 0, mlen = 0, *index = NULL;
	int n, err;

	vmlinux = read_btf("/sys/kernel/btf/vmlinux", &vlen);
	amdgpu = kfd_test_hide_btf ? NULL : read_btf("/sys/kernel/btf/amdgpu", &mlen);
	if (!vmlinux || !amdgpu) {
		snprintf(why, len, "no BTF for amdgpu to check amdkfd's layout against");
		err = -ENODATA;
		goto out;
	}
	err = axs_btf_parse(&base, vmlinux, vlen, NULL, NULL, 0);
	n = err ? err : axs_btf_ntypes(amdgpu, mlen);
	if (n <= 0) {
		snprintf(why, len, "BTF of vmlinux or amdgpu is malformed");
		err = -EINVAL;
		goto out;
	}
	index = kvmalloc_array(n, sizeof(*index), GFP_KERNEL);
	if (!index) {
		err = -ENOMEM;
		snprintf(why, len, "no memory to read amdgpu's BTF");
		goto out;
	}
	err = axs_btf_parse(&mod, amdgpu, mlen, &base, index, n);
	if (err) {
		snprintf(why, len, "BTF of amdgpu is malformed");
		goto out;
	}
	err = axs_btf_check(&mod, fields, ARRAY_SIZE(fields), sizes, ARRAY_SIZE(sizes),
			    why, len);
	if (!err)
		pr_info("%zu offsets and %zu sizes match amdgpu's BTF\n",
			ARRAY_SIZE(fields), ARRAY_SIZE(sizes));
out:
	kvfree(index);
	kvfree(amdgpu);
	kvfree(vmlinux);
	return err;
}
