// SPDX-License-Identifier: MIT
/*
 * Unit tests of the CU topology and amdkfd CU-mask rules (kmod/cu_mask.c),
 * built for the host with sanitizers.
 */
#include "cu_mask.h"

#include "kselftest_harness.h"

static void set_bits(u32 *mask, const u32 *bits, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		mask[bits[i] / 32] |= 1U << (bits[i] % 32);
}

static u32 first_cu(const struct axs_cu_set *s)
{
	u32 cu;

	for (cu = 0; cu < AXS_MAX_CU; cu++)
		if (axs_cu_set_has(s, cu))
			return cu;
	return AXS_MAX_CU;
}

TEST(mi308x_has_80_cus_in_4_xccs)
{
	struct axs_topo t;
	u32 cu;

	axs_topo_mi308x(&t);
	ASSERT_EQ(0, axs_topo_check(&t));
	EXPECT_EQ(80, axs_topo_num_cu(&t));
	for (cu = 0; cu < 80; cu++)
		EXPECT_EQ(cu / 20, axs_topo_cu_xcc(&t, cu));
	EXPECT_EQ(4, axs_topo_cu_xcc(&t, 80));	/* past the end */
}

TEST(topology_rejects_empty_xcc_and_bits_outside)
{
	struct axs_topo t;

	axs_topo_mi308x(&t);
	t.active[2][0][0] = t.active[2][1][0] = t.active[2][2][0] = t.active[2][3][0] = 0;
	EXPECT_EQ(-EINVAL, axs_topo_check(&t));

	axs_topo_mi308x(&t);
	t.active[4][0][0] = 1;			/* XCC 4 does not exist */
	EXPECT_EQ(-EINVAL, axs_topo_check(&t));

	axs_topo_mi308x(&t);
	t.active[0][0][1] = 1;			/* SH 1 does not exist */
	EXPECT_EQ(-EINVAL, axs_topo_check(&t));

	axs_topo_mi308x(&t);
	t.num_xcc = 0;
	EXPECT_EQ(-EINVAL, axs_topo_check(&t));
	t.num_xcc = 9;
	EXPECT_EQ(-EINVAL, axs_topo_check(&t));
}

TEST(full_mask_enables_every_cu)
{
	u32 mask[AXS_CU_MASK_MAX_BITS / 32];
	struct axs_cu_set s;
	struct axs_topo t;

	axs_topo_mi308x(&t);
	memset(mask, 0xff, sizeof(mask));
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 96, &s));
	EXPECT_EQ(80, axs_cu_set_count(&s));
	/* longer masks change nothing: bits past 80 are ignored */
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 1024, &s));
	EXPECT_EQ(80, axs_cu_set_count(&s));
}

TEST(bad_lengths_are_rejected)
{
	u32 mask[40];
	struct axs_cu_set s;
	struct axs_topo t;

	axs_topo_mi308x(&t);
	memset(mask, 0xff, sizeof(mask));
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 0, &s));
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 31, &s));
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 33, &s));
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 1056, &s));
}

TEST(bit_i_goes_to_xcc_i_mod_4)
{
	u32 mask[3] = { 0 };
	struct axs_cu_set s;
	struct axs_topo t;
	u32 x, cu, seen[4] = { 0 };

	axs_topo_mi308x(&t);
	mask[0] = 0xf;				/* bits 0..3: one per XCC */
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 96, &s));
	ASSERT_EQ(4, axs_cu_set_count(&s));
	for (cu = 0; cu < 80; cu++)
		if (axs_cu_set_has(&s, cu))
			seen[axs_topo_cu_xcc(&t, cu)]++;
	for (x = 0; x < 4; x++)
		EXPECT_EQ(1, seen[x]);
}

TEST(an_xcc_without_cus_is_refused)
{
	u32 mask[3] = { 0 };
	struct axs_cu_set s;
	struct axs_topo t;

	axs_topo_mi308x(&t);
	mask[0] = 0x7;				/* XCC 3 gets nothing: would hang */
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 96, &s));
	mask[0] = 0x1111;			/* every 4th bit: all in XCC 0 */
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 96, &s));
	/* only bits past the active count: every XCC is empty */
	memset(mask, 0, sizeof(mask));
	mask[2] = 0xffff0000;			/* bits 80..95 */
	EXPECT_EQ(-EINVAL, axs_cu_mask_apply(&t, mask, 96, &s));
}

TEST(within_an_xcc_bits_round_robin_over_shader_engines)
{
	static const u32 bits[] = { 0, 4, 8, 12, 16, 1, 2, 3 };
	u32 mask[3] = { 0 };
	struct axs_cu_set s;
	struct axs_topo t;

	axs_topo_mi308x(&t);
	set_bits(mask, bits, 8);
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 96, &s));
	/* XCC 0 (CUs 0..19, 5 per SE): bits 0,4,8,12 -> CU 0 of SE 0..3, bit 16 -> CU 1 of SE 0 */
	EXPECT_TRUE(axs_cu_set_has(&s, 0));
	EXPECT_TRUE(axs_cu_set_has(&s, 5));
	EXPECT_TRUE(axs_cu_set_has(&s, 10));
	EXPECT_TRUE(axs_cu_set_has(&s, 15));
	EXPECT_TRUE(axs_cu_set_has(&s, 1));
	EXPECT_EQ(8, axs_cu_set_count(&s));

	/* bit 1 alone within XCC 1 is its SE 0 CU 0 = dense 20 */
	memset(mask, 0, sizeof(mask));
	mask[0] = 0xf;
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 96, &s));
	EXPECT_EQ(0, first_cu(&s));
	EXPECT_TRUE(axs_cu_set_has(&s, 20));
	EXPECT_TRUE(axs_cu_set_has(&s, 40));
	EXPECT_TRUE(axs_cu_set_has(&s, 60));
}

TEST(harvested_cus_are_skipped)
{
	u32 mask[1] = { 0 };
	struct axs_cu_set s;
	struct axs_topo t;

	memset(&t, 0, sizeof(t));
	t.num_xcc = 1;
	t.num_se = 2;
	t.num_sh = 1;
	t.active[0][0][0] = 0x15;		/* CUs 0, 2, 4 present: 3 active */
	t.active[0][1][0] = 0x03;		/* 2 active */
	ASSERT_EQ(0, axs_topo_check(&t));
	ASSERT_EQ(5, axs_topo_num_cu(&t));
	/* bits: 0->SE0 #0, 1->SE1 #0, 2->SE0 #1, 3->SE1 #1, 4->SE0 #2 (SE1 has no #2) */
	mask[0] = 1U << 4;
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 32, &s));
	EXPECT_EQ(1, axs_cu_set_count(&s));
	EXPECT_TRUE(axs_cu_set_has(&s, 2));	/* third CU of SE 0 */
	mask[0] = 1U << 3;
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 32, &s));
	EXPECT_TRUE(axs_cu_set_has(&s, 4));	/* second CU of SE 1 (dense 3 + 1) */
}

TEST(two_shader_arrays_alternate_before_the_next_cu)
{
	u32 mask[1] = { 0 };
	struct axs_cu_set s;
	struct axs_topo t;

	memset(&t, 0, sizeof(t));
	t.num_xcc = 1;
	t.num_se = 2;
	t.num_sh = 2;
	t.active[0][0][0] = t.active[0][0][1] = 0x3;
	t.active[0][1][0] = t.active[0][1][1] = 0x3;
	/* order: (cu0 sh0 se0) (cu0 sh0 se1) (cu0 sh1 se0) (cu0 sh1 se1) (cu1 ...) */
	mask[0] = 1U << 2;
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 32, &s));
	EXPECT_TRUE(axs_cu_set_has(&s, 2));	/* SE0 SH1 CU0: dense 2 */
	mask[0] = 1U << 5;
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 32, &s));
	EXPECT_TRUE(axs_cu_set_has(&s, 5));	/* SE1 SH0 CU1: dense 4 + 1 */
}

TEST(range_helper_builds_spread_masks)
{
	u32 mask[AXS_CU_MASK_MAX_BITS / 32];
	struct axs_cu_set s;
	struct axs_topo t;
	u32 nbits, cu, per_xcc[4] = { 0 };

	axs_topo_mi308x(&t);
	nbits = axs_cu_mask_range(&t, 0, 40, mask, 32);
	ASSERT_EQ(96, nbits);
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, nbits, &s));
	EXPECT_EQ(40, axs_cu_set_count(&s));
	for (cu = 0; cu < 80; cu++)
		if (axs_cu_set_has(&s, cu))
			per_xcc[axs_topo_cu_xcc(&t, cu)]++;
	EXPECT_EQ(10, per_xcc[0]);
	EXPECT_EQ(10, per_xcc[3]);
	/* the other half is disjoint */
	nbits = axs_cu_mask_range(&t, 40, 40, mask, 32);
	ASSERT_EQ(96, nbits);
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, nbits, &s));
	EXPECT_EQ(40, axs_cu_set_count(&s));

	EXPECT_EQ(0, axs_cu_mask_range(&t, 0, 0, mask, 32));
	EXPECT_EQ(0, axs_cu_mask_range(&t, 70, 11, mask, 32));
	EXPECT_EQ(0, axs_cu_mask_range(&t, 0, 80, mask, 2));	/* 96 bits need 3 words */
}

/*
 * A topology the module cannot represent (9 XCCs, as an xcc_mask of 9 bits
 * would give) is refused by every function, which neither reads past its
 * arrays nor writes past the CU set (ASan).
 */
TEST(nine_xccs_are_refused_without_touching_memory_past_the_topology)
{
	u32 mask[AXS_CU_MASK_MAX_BITS / 32];
	struct axs_cu_set s;
	struct axs_topo t;
	u32 x, se, sh;

	memset(&t, 0, sizeof(t));
	t.num_xcc = 9;
	t.num_se = AXS_MAX_SE;
	t.num_sh = AXS_MAX_SH;
	for (x = 0; x < AXS_MAX_XCC; x++)
		for (se = 0; se < AXS_MAX_SE; se++)
			for (sh = 0; sh < AXS_MAX_SH; sh++)
				t.active[x][se][sh] = 0xffff;
	memset(mask, 0xff, sizeof(mask));
	EXPECT_EQ(-EINVAL, axs_topo_check(&t));
	EXPECT_EQ(0, axs_topo_num_cu(&t));
	EXPECT_EQ(-EOPNOTSUPP, axs_cu_mask_apply(&t, mask, AXS_CU_MASK_MAX_BITS, &s));
	axs_topo_all_cus(&t, &s);
	EXPECT_EQ(0, axs_cu_set_count(&s));
	EXPECT_EQ(0, axs_topo_cu_xcc(&t, 700));
}

static u32 xcc_cus(const struct axs_topo *t, u32 x)
{
	u32 se, sh, n = 0;

	for (se = 0; se < AXS_MAX_SE; se++)
		for (sh = 0; sh < AXS_MAX_SH; sh++)
			n += axs_popcount32(t->active[x][se][sh]);
	return n;
}

/* From amdkfd's counts: every CU kept, the XCCs as even as they go. */
TEST(topology_from_counts_keeps_every_cu)
{
	u32 mask[AXS_CU_MASK_MAX_BITS / 32];
	struct axs_topo t, m;
	struct axs_cu_set s;
	u32 x;

	/* MI308X: 4 XCCs x 4 SEs x 1 SH, 80 CUs: exactly axs_topo_mi308x() */
	ASSERT_EQ(0, axs_topo_from_counts(&t, 4, 16, 1, 80));
	axs_topo_mi308x(&m);
	EXPECT_EQ(0, memcmp(&t, &m, sizeof(t)));

	/* MI300X: 8 XCCs, 32 arrays, 304 CUs; 304 / 32 is 9.5, not 9 */
	ASSERT_EQ(0, axs_topo_from_counts(&t, 8, 32, 1, 304));
	ASSERT_EQ(0, axs_topo_check(&t));
	EXPECT_EQ(304, axs_topo_num_cu(&t));
	for (x = 0; x < 8; x++)
		EXPECT_EQ(38, xcc_cus(&t, x));
	memset(mask, 0xff, sizeof(mask));
	ASSERT_EQ(0, axs_cu_mask_apply(&t, mask, 320, &s));
	EXPECT_EQ(304, axs_cu_set_count(&s));

	/* harvested unevenly: 78 CUs over 4 XCCs: 20, 20, 19, 19 */
	ASSERT_EQ(0, axs_topo_from_counts(&t, 4, 16, 1, 78));
	EXPECT_EQ(78, axs_topo_num_cu(&t));
	EXPECT_EQ(20, xcc_cus(&t, 0));
	EXPECT_EQ(20, xcc_cus(&t, 1));
	EXPECT_EQ(19, xcc_cus(&t, 2));
	EXPECT_EQ(19, xcc_cus(&t, 3));

	/* two arrays per engine */
	ASSERT_EQ(0, axs_topo_from_counts(&t, 2, 8, 2, 40));
	EXPECT_EQ(2, t.num_sh);
	EXPECT_EQ(2, t.num_se);
	EXPECT_EQ(40, axs_topo_num_cu(&t));
}

TEST(topology_from_counts_refuses_what_it_cannot_represent)
{
	struct axs_topo t, zero;

	memset(&zero, 0, sizeof(zero));
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 9, 36, 1, 180));	/* 9 XCCs */
	EXPECT_EQ(0, memcmp(&t, &zero, sizeof(t)));
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 0, 16, 1, 80));
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 4, 18, 1, 80));	/* arrays % XCCs */
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 4, 16, 3, 80));	/* 3 arrays per SE */
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 1, 5, 1, 80));	/* 5 SEs */
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 4, 16, 1, 257));	/* > 16 per array */
	EXPECT_EQ(-EINVAL, axs_topo_from_counts(&t, 4, 16, 1, 15));	/* an empty array */
	EXPECT_EQ(0, memcmp(&t, &zero, sizeof(t)));
}

TEST_HARNESS_MAIN
