// SPDX-License-Identifier: GPL-2.0-only
/*
 * amdxsched_kunit.ko: KUnit suites of amdxsched's pure code
 * (cu_mask_kunit.c, sim_model_kunit.c). The code under test is compiled
 * into this module once more, here, so that no object file belongs to two
 * modules.
 */
#include <linux/module.h>

#include "../cu_mask.c"
#include "../sim_model.c"

MODULE_DESCRIPTION("KUnit tests of amdxsched's CU-mask rules and simulated device model");
MODULE_LICENSE("GPL");
