/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What the pure model code (cu_mask.c, sim_model.c) may use: a handful of
 * kernel types and helpers. In userspace, user/lib/kernel_shim.h provides
 * the same names, so the model builds in tests and simulators unchanged.
 * Nothing here may allocate, sleep, lock or print.
 */
#ifndef AXS_PURE_H
#define AXS_PURE_H

#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

#define AXS_U64_MAX	((u64)~0ULL)

/* a * b / c, without overflow of the product */
static inline u64 axs_mul_div(u64 a, u64 b, u64 c)
{
	return mul_u64_u64_div_u64(a, b, c);
}

static inline u32 axs_popcount32(u32 x)
{
	return hweight32(x);
}

static inline u32 axs_popcount64(u64 x)
{
	return hweight64(x);
}

static inline u64 axs_min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 axs_max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

#endif /* AXS_PURE_H */
