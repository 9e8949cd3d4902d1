// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * CU topology and CU-mask mapping. The mapping follows what amdkfd's
 * mqd_symmetrically_map_cu_mask() does for GC 9.4.x: mask bits are dealt to
 * XCCs first, then within an XCC round-robin over shader engines and shader
 * arrays, one CU of each at a time.
 */
#include "cu_mask.h"

u32 axs_cu_set_count(const struct axs_cu_set *s)
{
	u32 i, n = 0;

	for (i = 0; i < AXS_CU_WORDS; i++)
		n += axs_popcount64(s->w[i]);
	return n;
}

void axs_topo_mi308x(struct axs_topo *t)
{
	u32 x, se;

	memset(t, 0, sizeof(*t));
	t->num_xcc = 4;
	t->num_se = 4;
	t->num_sh = 1;
	for (x = 0; x < 4; x++)
		for (se = 0; se < 4; se++)
			t->active[x][se][0] = 0x1f;
}

int axs_topo_check(const struct axs_topo *t)
{
	u32 x, se, sh, n;

	if (t->num_xcc < 1 || t->num_xcc > AXS_MAX_XCC ||
	    t->num_se < 1 || t->num_se > AXS_MAX_SE ||
	    t->num_sh < 1 || t->num_sh > AXS_MAX_SH)
		return -EINVAL;

	for (x = 0; x < AXS_MAX_XCC; x++) {
		n = 0;
		for (se = 0; se < AXS_MAX_SE; se++) {
			for (sh = 0; sh < AXS_MAX_SH; sh++) {
				u16 bits = t->active[x][se][sh];

				/* Nothing may be set outside the topology. */
				if (bits && (x >= t->num_xcc || se >= t->num_se ||
					     sh >= t->num_sh))
					return -EINVAL;
				n += axs_popcount32(bits);
			}
		}
		if (x < t->num_xcc && n == 0)
			return -EINVAL;
	}
	return 0;
}

int axs_topo_from_counts(struct axs_topo *t, u32 num_xcc, u32 arrays, u32 sh_per_se,
			 u32 num_cu)
{
	u32 per, extra, x, se, sh, k;

	memset(t, 0, sizeof(*t));
	if (num_xcc < 1 || num_xcc > AXS_MAX_XCC || sh_per_se < 1 || sh_per_se > AXS_MAX_SH ||
	    arrays < num_xcc * sh_per_se || arrays % (num_xcc * sh_per_se) ||
	    arrays / (num_xcc * sh_per_se) > AXS_MAX_SE ||
	    num_cu < arrays || num_cu > arrays * AXS_MAX_CU_PER_SH)
		return -EINVAL;
	t->num_xcc = num_xcc;
	t->num_sh = sh_per_se;
	t->num_se = arrays / (num_xcc * sh_per_se);
	per = num_cu / arrays;
	extra = num_cu % arrays;
	/* XCC innermost, so that the extra CUs go round the XCCs first. */
	k = 0;
	for (se = 0; se < t->num_se; se++)
		for (sh = 0; sh < t->num_sh; sh++)
			for (x = 0; x < t->num_xcc; x++, k++)
				t->active[x][se][sh] = (u16)((1U << (per + (k < extra))) - 1);
	return 0;
}

u32 axs_topo_num_cu(const struct axs_topo *t)
{
	u32 x, se, sh, n = 0;

	if (axs_topo_check(t))
		return 0;
	for (x = 0; x < t->num_xcc; x++)
		for (se = 0; se < t->num_se; se++)
			for (sh = 0; sh < t->num_sh; sh++)
				n += axs_popcount32(t->active[x][se][sh]);
	return n;
}

void axs_topo_all_cus(const struct axs_topo *t, struct axs_cu_set *out)
{
	u32 i, n = axs_topo_num_cu(t);

	axs_cu_set_clear(out);
	for (i = 0; i < n; i++)
		axs_cu_set_add(out, i);
}

/* Dense index of the first CU of (x, se, sh). */
static u32 topo_base(const struct axs_topo *t, u32 x, u32 se, u32 sh)
{
	u32 i, j, k, n = 0;

	for (i = 0; i <= x; i++)
		for (j = 0; j < t->num_se; j++)
			for (k = 0; k < t->num_sh; k++) {
				if (i == x && j == se && k == sh)
					return n;
				n += axs_popcount32(t->active[i][j][k]);
			}
	return n;
}

u32 axs_topo_cu_xcc(const struct axs_topo *t, u32 cu)
{
	u32 x, se, sh, n = 0;

	if (axs_topo_check(t))
		return 0;
	for (x = 0; x < t->num_xcc; x++) {
		for (se = 0; se < t->num_se; se++)
			for (sh = 0; sh < t->num_sh; sh++)
				n += axs_popcount32(t->active[x][se][sh]);
		if (cu < n)
			return x;
	}
	return t->num_xcc;
}

static bool mask_bit(const u32 *mask, u32 i)
{
	return mask[i / 32] & (1U << (i % 32));
}

int axs_cu_mask_apply(const struct axs_topo *t, const u32 *mask, u32 nbits,
		      struct axs_cu_set *out)
{
	u32 count = axs_topo_num_cu(t);
	u32 x, cu, se, sh, i;

	if (nbits == 0 || nbits % 32 || nbits > AXS_CU_MASK_MAX_BITS)
		return -EINVAL;
	if (axs_topo_check(t))
		return -EOPNOTSUPP;
	if (count > nbits)
		count = nbits;

	axs_cu_set_clear(out);
	for (x = 0; x < t->num_xcc; x++) {
		bool any = false;

		i = x;
		for (cu = 0; cu < AXS_MAX_CU_PER_SH && i < count; cu++) {
			for (sh = 0; sh < t->num_sh && i < count; sh++) {
				for (se = 0; se < t->num_se && i < count; se++) {
					if (axs_popcount32(t->active[x][se][sh]) <= cu)
						continue;
					if (mask_bit(mask, i)) {
						axs_cu_set_add(out, topo_base(t, x, se, sh) + cu);
						any = true;
					}
					i += t->num_xcc;
				}
			}
		}
		if (!any)
			return -EINVAL;
	}
	return 0;
}

u32 axs_cu_mask_range(const struct axs_topo *t, u32 first, u32 count,
		      u32 *mask, u32 nwords)
{
	u32 ncu = axs_topo_num_cu(t);
	u32 nbits = (ncu + 31) / 32 * 32;
	u32 i;

	if (count == 0 || first >= ncu || count > ncu - first ||
	    nbits / 32 > nwords)
		return 0;
	memset(mask, 0, nwords * sizeof(*mask));
	for (i = first; i < first + count; i++)
		mask[i / 32] |= 1U << (i % 32);
	return nbits;
}
