// SPDX-License-Identifier: MIT
/*
 * CU masks that keep every XCC busy, on top of the module's pure CU-mask
 * rules (kmod/cu_mask.c, dual-licensed, built here with kernel_shim.h).
 */
#include <string.h>

#include "axs_policy.h"
#include "cu_mask.h"

static void to_topo(const struct axsp_topo *in, struct axs_topo *out)
{
	memset(out, 0, sizeof(*out));
	out->num_xcc = in->num_xcc;
	out->num_se = in->num_se;
	out->num_sh = in->num_sh;
	memcpy(out->active, in->active_cu, sizeof(out->active));
}

uint32_t axsp_topo_num_cu(const struct axsp_topo *t)
{
	struct axs_topo k;

	to_topo(t, &k);
	if (axs_topo_check(&k))
		return 0;
	return axs_topo_num_cu(&k);
}

/*
 * amdkfd deals mask bit i to XCC (i mod num_xcc), so any run of num_xcc
 * consecutive bits reaches every XCC, and a multiple of num_xcc bits gives
 * each the same number of CUs.
 */
uint32_t axsp_cu_mask_build(const struct axsp_topo *t, uint32_t first, uint32_t count,
			    uint32_t *mask, uint32_t nwords)
{
	struct axs_topo k;
	uint32_t ncu;

	to_topo(t, &k);
	if (axs_topo_check(&k))
		return 0;
	ncu = axs_topo_num_cu(&k);
	if (count < k.num_xcc)
		count = k.num_xcc;
	count = (count + k.num_xcc - 1) / k.num_xcc * k.num_xcc;
	if (count > ncu || first > ncu - count)
		return 0;
	return axs_cu_mask_range(&k, first, count, mask, nwords);
}
