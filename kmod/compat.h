/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel API differences between the kernels amdxsched builds for (6.1 .. 7.x). */
#ifndef AXS_COMPAT_H
#define AXS_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/version.h>

static inline void axs_hrtimer_setup(struct hrtimer *t,
				     enum hrtimer_restart (*fn)(struct hrtimer *),
				     clockid_t clock, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(t, fn, clock, mode);
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

#endif /* AXS_COMPAT_H */
