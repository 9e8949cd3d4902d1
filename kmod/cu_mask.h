/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * GPU compute topology and the CU-mask rules of amdkfd, as pure functions
 * shared by the kernel module (sim and kfd backends) and userspace tools.
 */
#ifndef AXS_CU_MASK_H
#define AXS_CU_MASK_H

#include "pure.h"

#define AXS_MAX_XCC		8
#define AXS_MAX_SE		4	/* per XCC */
#define AXS_MAX_SH		2	/* per SE */
#define AXS_MAX_CU_PER_SH	16	/* se_mask has 16 bits per SH */
#define AXS_MAX_CU		(AXS_MAX_XCC * AXS_MAX_SE * AXS_MAX_SH * AXS_MAX_CU_PER_SH)
#define AXS_CU_WORDS		(AXS_MAX_CU / 64)
#define AXS_CU_MASK_MAX_BITS	1024

/* A set of CUs by dense index: CUs numbered by (xcc, se, sh, n-th active CU). */
struct axs_cu_set {
	u64 w[AXS_CU_WORDS];
};

struct axs_topo {
	u32 num_xcc;
	u32 num_se;		/* per XCC */
	u32 num_sh;		/* per SE */
	u16 active[AXS_MAX_XCC][AXS_MAX_SE][AXS_MAX_SH];	/* bit n = CU n present */
};

static inline void axs_cu_set_clear(struct axs_cu_set *s)
{
	memset(s, 0, sizeof(*s));
}

static inline void axs_cu_set_add(struct axs_cu_set *s, u32 cu)
{
	s->w[cu / 64] |= 1ULL << (cu % 64);
}

static inline bool axs_cu_set_has(const struct axs_cu_set *s, u32 cu)
{
	return s->w[cu / 64] & (1ULL << (cu % 64));
}

u32 axs_cu_set_count(const struct axs_cu_set *s);

/* MI308X in SPX mode: 4 XCCs x 4 SEs x 1 SH x 5 active CUs = 80 CUs. */
void axs_topo_mi308x(struct axs_topo *t);

/* 0, or -EINVAL if a count is out of range or an XCC has no active CU. */
int axs_topo_check(const struct axs_topo *t);

/*
 * The topology amdkfd's node properties describe: @num_xcc XCCs, @arrays
 * shader arrays in all (array_count), @sh_per_se arrays per shader engine,
 * and @num_cu CUs in all, spread over the arrays as evenly as they go: the
 * first (num_cu mod @arrays) of them, taken XCC by XCC, get one CU more. (Which
 * CUs harvesting removed is not in those properties: the counts per XCC
 * are right, the places within an XCC a guess.) -EINVAL, with @t zeroed,
 * if the counts exceed the limits above or do not divide into XCCs,
 * engines and arrays.
 */
int axs_topo_from_counts(struct axs_topo *t, u32 num_xcc, u32 arrays, u32 sh_per_se,
			 u32 num_cu);

/* Active CUs; 0 for a topology axs_topo_check() refuses. */
u32 axs_topo_num_cu(const struct axs_topo *t);

/* The set of every active CU (empty for a refused topology). */
void axs_topo_all_cus(const struct axs_topo *t, struct axs_cu_set *out);

/* XCC that owns dense CU index @cu. */
u32 axs_topo_cu_xcc(const struct axs_topo *t, u32 cu);

/*
 * Apply a KFD CU mask (AMDKFD_IOC_SET_CU_MASK semantics) to @t: bit i of the
 * mask goes to XCC (i mod num_xcc), then round-robin over SEs and SHs, then to
 * the next active CU of that SH. Bits past the number of active CUs are
 * ignored, as in amdkfd. Returns 0, or -EINVAL when @nbits is not a non-zero
 * multiple of 32 up to 1024 or some XCC would get no CU (which hangs the
 * queue on real hardware); -EOPNOTSUPP for a topology axs_topo_check()
 * refuses (none can be mapped).
 */
int axs_cu_mask_apply(const struct axs_topo *t, const u32 *mask, u32 nbits,
		      struct axs_cu_set *out);

/*
 * Build a mask that enables mask bits [first, first + count) - which spreads
 * CUs evenly over XCCs and SEs - into @mask (@nwords words). Returns the
 * mask length in bits, or 0 if the range does not fit the topology.
 */
u32 axs_cu_mask_range(const struct axs_topo *t, u32 first, u32 count,
		      u32 *mask, u32 nwords);

#endif /* AXS_CU_MASK_H */
