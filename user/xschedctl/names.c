// SPDX-License-Identifier: MIT
/*
 * xschedctl: each GPU's other names (amd-smi index, PCI address, unique id,
 * marketing name), read once per run: from KFD's topology in sysfs, and the
 * marketing name from libdrm_amdgpu where the render node can be opened.
 */
#include "xschedctl.h"

#include <inttypes.h>
#include <stdlib.h>

static struct axs_gpu_name *names;
static int nnames = -1;

const struct axs_gpu_name *xc_gpu_name(uint32_t kfd_gpu_id)
{
	if (nnames < 0) {
		nnames = axs_gpu_names_load(AXS_SYSFS_KFD_TOPOLOGY, &names);
		if (nnames < 0)
			nnames = 0;	/* names are extra: the ids still work */
		for (int i = 0; i < nnames; i++) {
			struct axs_drm_gpu d;

			if (!axs_drm_query(names[i].render_minor, &d))
				snprintf(names[i].name, sizeof(names[i].name), "%s",
					 d.marketing_name);
		}
	}
	return axs_gpu_name_find(names, nnames, kfd_gpu_id);
}

void xc_json_gpu_names(struct jw *w, uint32_t kfd_gpu_id)
{
	const struct axs_gpu_name *n = xc_gpu_name(kfd_gpu_id);

	if (!n) {
		jw_null(w, "amdsmi_index");
		jw_null(w, "pci");
		jw_null(w, "unique_id");
		jw_null(w, "name");
		return;
	}
	jw_u64(w, "amdsmi_index", n->smi_index);
	jw_str(w, "pci", n->pci);
	/* hex, as rocm-smi and amd-smi show it (and past JSON's 2^53) */
	if (n->unique_id) {
		char uid[24];

		snprintf(uid, sizeof(uid), "0x%016" PRIx64, n->unique_id);
		jw_str(w, "unique_id", uid);
	} else {
		jw_null(w, "unique_id");
	}
	if (n->name[0])
		jw_str(w, "name", n->name);
	else
		jw_null(w, "name");
}
