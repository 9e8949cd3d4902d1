/* SPDX-License-Identifier: MIT */
/*
 * The names admins already call a GPU by (amd-smi's index, the PCI address,
 * the unique id, the marketing name) next to amdxsched's and KFD's ids, and
 * a cross-check of the module's view of a GPU's shape against amdgpu's.
 *
 * Three layers, so that everything but the last is tested without a GPU:
 *  - pure functions over recorded data: parsing KFD topology properties,
 *    ordering GPUs as amd-smi does, the topology cross-check;
 *  - axs_gpu_names_load(): reads KFD's topology from a sysfs root (a
 *    directory tree a test can fake);
 *  - axs_drm_query(): libdrm_amdgpu on the GPU's render node (axs_drm.c),
 *    the one part that needs a real GPU.
 */
#ifndef AXS_GPUNAME_H
#define AXS_GPUNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/amdxsched.h>

#define AXS_SYSFS_KFD_TOPOLOGY	"/sys/class/kfd/kfd/topology/nodes"

/* One KFD topology node, from its "properties" file. */
struct axs_kfd_node {
	uint32_t node;			/* nodes/<node> */
	uint32_t gpu_id;		/* KFD's id; 0 for a CPU node */
	uint32_t domain;		/* PCI domain */
	uint32_t location_id;		/* bus << 8 | device << 3 | function */
	uint64_t unique_id;		/* 0 if the GPU has none */
	uint32_t drm_render_minor;	/* /dev/dri/renderD<minor> */
	uint32_t num_xcc;
	uint32_t simd_count;
	uint32_t simd_per_cu;
	uint32_t device_id;
	uint32_t gfx_target_version;
};

/*
 * Parse the "name value" lines of a properties file into @n (fields not
 * present stay 0; node and gpu_id are not in that file). Returns 0, or
 * -EINVAL if a known field's value is not a number.
 */
int axs_kfd_node_parse(const char *text, struct axs_kfd_node *n);

/* "dddd:bb:dd.f", as lspci -D and amd-smi print it; @len >= 13. */
void axs_pci_format(uint32_t domain, uint32_t location_id, char *buf, size_t len);

/*
 * amd-smi's (and rocm-smi's) GPU index of each of @n GPU nodes, as ROCm
 * 6.x's rocm_smi_lib sorts them: by PCI address (domain, bus, device,
 * function; a partition number in location_id's bits 28-31 left out), the
 * partitions of one device in KFD's node order. index[i] is for nodes[i].
 * Before ROCm 6.0 the order was the DRM card order; nodes a process cannot
 * see (cgroups) shift the indices after them.
 */
void axs_smi_index(const struct axs_kfd_node *nodes, size_t n, uint32_t *index);

/* Everything a GPU is called, by its KFD id. */
struct axs_gpu_name {
	uint32_t kfd_gpu_id;
	uint32_t smi_index;
	uint32_t render_minor;
	uint64_t unique_id;
	char pci[16];
	char name[64];			/* marketing name; "" until libdrm says */
};

/*
 * Read every GPU node under @nodes_dir (AXS_SYSFS_KFD_TOPOLOGY, or a test's
 * tree) into a malloc'd array. Returns the count (0 with *out NULL when
 * there is no GPU or no KFD), or -errno.
 */
int axs_gpu_names_load(const char *nodes_dir, struct axs_gpu_name **out);

/* The entry for @kfd_gpu_id, or NULL (a simulated GPU has none). */
const struct axs_gpu_name *axs_gpu_name_find(const struct axs_gpu_name *v, int n,
					     uint32_t kfd_gpu_id);

/* "amd-smi 3, 0000:c1:00.0, AMD Instinct MI308X" (the name if known). */
void axs_gpu_name_label(const struct axs_gpu_name *n, char *buf, size_t len);

/* What libdrm_amdgpu reports of one render node. */
struct axs_drm_gpu {
	char marketing_name[64];	/* "" if libdrm's amdgpu.ids has none */
	uint32_t device_id;
	uint32_t num_se;		/* shader engines (per XCC on gfx 9.4.3) */
	uint32_t num_sh_per_se;
	uint32_t cu_active_number;	/* the whole device, every XCC */
	uint32_t cu_bitmap[4][4];	/* [se][sh] of the device's first XCC */
};

/*
 * amdgpu_device_initialize() and amdgpu_query_gpu_info() on
 * /dev/dri/renderD<minor>. Returns 0 or -errno (-ENOENT without the node,
 * -EACCES without the right to open it).
 */
int axs_drm_query(uint32_t render_minor, struct axs_drm_gpu *out);

/* Called once per finding of the cross-check. */
typedef void (*axs_finding_fn)(void *ctx, const char *msg);

/*
 * The module's own view of @g must add up: the active-CU bitmaps hold
 * num_cu CUs, within num_xcc, num_se_per_xcc and num_sh_per_se. Returns
 * the number of findings.
 */
int axs_topo_self_check(const struct amdxsched_gpu_info *g, axs_finding_fn fn, void *ctx);

/*
 * The module's view of @g against amdgpu's @d: shader engines per XCC,
 * arrays per engine, the CU count, and (for a GPU that is the whole device,
 * not one of its partitions) the active CUs of each SE/SH of the first
 * XCC. A wrong topology makes CU masks land on the wrong CUs. Returns the
 * number of mismatches; *partition tells whether @g is one partition of a
 * device (its bitmaps then cannot be compared).
 */
int axs_topo_cross_check(const struct amdxsched_gpu_info *g, const struct axs_drm_gpu *d,
			 bool *partition, axs_finding_fn fn, void *ctx);

#endif /* AXS_GPUNAME_H */
