/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels amdxsched builds for (6.1 and
 * newer). Each AXS_HAVE_* is detected by Kbuild from the headers the module
 * is built against, not guessed from version numbers.
 */
#ifndef AXS_COMPAT_H
#define AXS_COMPAT_H

#include <linux/hrtimer.h>

static inline void axs_hrtimer_setup(struct hrtimer *t,
				     enum hrtimer_restart (*fn)(struct hrtimer *),
				     clockid_t clock, enum hrtimer_mode mode)
{
#ifdef AXS_HAVE_HRTIMER_SETUP
	hrtimer_setup(t, fn, clock, mode);	/* 6.13+; hrtimer_init() is gone */
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

#endif /* AXS_COMPAT_H */
