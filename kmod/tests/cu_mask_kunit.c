// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "amdxsched_cu_mask": the CU topology and amdkfd's CU-mask rules
 * (kmod/cu_mask.c), built with the kernel's compiler flags and run in a
 * kernel, under KASAN, UBSAN and the rest of a debug config.
 *
 * tests/unit/test_cu_mask.c runs the same code on the host with ASan and
 * UBSan and pins the mapping with hand-derived examples on MI308X. This suite
 * keeps two hand-derived anchors (MI308X interleaving; harvested CUs with two
 * shader arrays per SE) and otherwise checks the rules as properties over
 * every gfx942 topology a KFD node can have: MI308X, MI300X and MI300A in
 * each of their compute partitions, and the largest topology the limits
 * allow (8 XCCs x 4 SEs x 2 SHs x 16 CUs, a full 1024-bit mask):
 *
 * - CU counts, dense numbering and which XCC owns a CU;
 * - a full mask enables every CU; mask bits past the GPU's CUs are ignored,
 *   so a mask of only such bits is refused, and a short mask enables the
 *   CUs of its bits only;
 * - mask bit i lands on XCC (i mod num_xcc), and bits map to CUs one to one;
 * - a mask leaving any XCC without a CU is refused (it would hang the queue
 *   on real hardware), as are lengths that are not a non-zero multiple of
 *   32 up to 1024, and topologies with counts out of range, CUs outside
 *   them, or an XCC without CUs;
 * - the range helper's masks split the GPU evenly over its XCCs, and it
 *   refuses ranges that do not fit (including first + count wrapping).
 *
 * Every mask is a kmalloc() buffer exactly as long as the mask, so that a
 * read or write past it is a KASAN report rather than a silent pass.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/math.h>
#include <linux/slab.h>

#include "cu_mask.h"

struct topo_case {
	const char *name;
	u32 num_xcc, num_se, num_sh;
	u16 pattern[AXS_MAX_SE][AXS_MAX_SH];	/* active CUs of each (SE, SH) */
	bool rotate;	/* XCC x gives SE s the pattern of SE (s + x) mod num_se */
	u32 num_cu;	/* the CUs the part has */
};

/*
 * CU counts are the shipped parts'; which CUs are harvested varies from
 * part to part, so the patterns (and their rotation between XCCs) are made
 * up, with the same count in every XCC as on the real parts.
 */
#define MI308X_SES	{ { 0x1f }, { 0x1f }, { 0x1f }, { 0x1f } }	/* 20 CUs per XCC */
#define MI300_SES	{ { 0x3ff }, { 0x3ff }, { 0x1ff }, { 0x2ff } }	/* 38 CUs per XCC */

static const struct topo_case topo_cases[] = {
	{ "MI308X SPX", 4, 4, 1, MI308X_SES, false, 80 },
	{ "MI308X DPX", 2, 4, 1, MI308X_SES, false, 40 },
	{ "MI308X CPX", 1, 4, 1, MI308X_SES, false, 20 },
	{ "MI300X SPX", 8, 4, 1, MI300_SES, true, 304 },
	{ "MI300X DPX", 4, 4, 1, MI300_SES, true, 152 },
	{ "MI300X QPX", 2, 4, 1, MI300_SES, true, 76 },
	{ "MI300X CPX", 1, 4, 1, MI300_SES, true, 38 },
	{ "MI300A SPX", 6, 4, 1, MI300_SES, true, 228 },
	{ "MI300A TPX", 3, 4, 1, MI300_SES, true, 114 },
	{ "2 SHs per SE, harvested", 2, 2, 2, { { 0x7, 0x5 }, { 0x3, 0xf } }, true, 22 },
	{ "8 x 4 x 2 x 16 CUs (the limit)", 8, 4, 2,
	  { { 0xffff, 0xffff }, { 0xffff, 0xffff }, { 0xffff, 0xffff }, { 0xffff, 0xffff } },
	  false, 1024 },
};

static void topo_case_desc(const struct topo_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(topo, topo_cases, topo_case_desc);

static void topo_build(const struct topo_case *p, struct axs_topo *t)
{
	u32 x, se, sh;

	memset(t, 0, sizeof(*t));
	t->num_xcc = p->num_xcc;
	t->num_se = p->num_se;
	t->num_sh = p->num_sh;
	for (x = 0; x < p->num_xcc; x++)
		for (se = 0; se < p->num_se; se++)
			for (sh = 0; sh < p->num_sh; sh++)
				t->active[x][se][sh] =
					p->pattern[p->rotate ? (se + x) % p->num_se : se][sh];
}

/* A clear mask of @nbits (a non-zero multiple of 32) bits, and not a byte more. */
static u32 *mask_alloc(struct kunit *test, u32 nbits)
{
	u32 *m = kunit_kcalloc(test, nbits / 32, sizeof(u32), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	return m;
}

static void mask_set(u32 *m, u32 i)
{
	m[i / 32] |= BIT(i % 32);
}

static void mask_clear(u32 *m, u32 i)
{
	m[i / 32] &= ~BIT(i % 32);
}

static bool cu_set_equal(const struct axs_cu_set *a, const struct axs_cu_set *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* How many CUs of @s each XCC owns. */
static void xcc_counts(const struct axs_topo *t, const struct axs_cu_set *s,
		       u32 counts[AXS_MAX_XCC])
{
	u32 cu;

	memset(counts, 0, AXS_MAX_XCC * sizeof(counts[0]));
	for (cu = 0; cu < AXS_MAX_CU; cu++)
		if (axs_cu_set_has(s, cu))
			counts[axs_topo_cu_xcc(t, cu)]++;
}

/* The lowest CU in @a but not in @b, AXS_MAX_CU if none. */
static u32 first_new_cu(const struct axs_cu_set *a, const struct axs_cu_set *b)
{
	u32 i;

	for (i = 0; i < AXS_CU_WORDS; i++)
		if (a->w[i] & ~b->w[i])
			return i * 64 + __ffs64(a->w[i] & ~b->w[i]);
	return AXS_MAX_CU;
}

static void cu_mask_test_topology(struct kunit *test)
{
	const struct topo_case *p = test->param_value;
	u32 n = p->num_cu, per_xcc = n / p->num_xcc;
	struct axs_cu_set all;
	struct axs_topo t;
	u32 cu;

	topo_build(p, &t);
	KUNIT_ASSERT_EQ(test, axs_topo_check(&t), 0);
	KUNIT_ASSERT_EQ(test, axs_topo_num_cu(&t), n);

	axs_topo_all_cus(&t, &all);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&all), n);
	KUNIT_EXPECT_TRUE(test, axs_cu_set_has(&all, n - 1));
	if (n < AXS_MAX_CU)
		KUNIT_EXPECT_FALSE(test, axs_cu_set_has(&all, n));

	/* Dense numbering: XCC x owns the x-th block of num_cu / num_xcc CUs. */
	for (cu = 0; cu < n; cu++)
		if (axs_topo_cu_xcc(&t, cu) != cu / per_xcc)
			break;
	KUNIT_EXPECT_EQ_MSG(test, cu, n, "CU %u is in XCC %u", cu, axs_topo_cu_xcc(&t, cu));
	KUNIT_EXPECT_EQ(test, axs_topo_cu_xcc(&t, n), p->num_xcc);
}

static void cu_mask_test_full_and_short_masks(struct kunit *test)
{
	const struct topo_case *p = test->param_value;
	u32 n = p->num_cu, nbits = round_up(n, 32);
	u32 counts[AXS_MAX_XCC], x, i, *m;
	struct axs_cu_set all, s;
	struct axs_topo t;

	topo_build(p, &t);
	axs_topo_all_cus(&t, &all);

	m = mask_alloc(test, nbits);
	memset(m, 0xff, nbits / 8);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, nbits, &s), 0);
	KUNIT_EXPECT_TRUE(test, cu_set_equal(&s, &all));

	/* The longest mask: bits past the GPU's CUs are ignored... */
	m = mask_alloc(test, AXS_CU_MASK_MAX_BITS);
	memset(m, 0xff, AXS_CU_MASK_MAX_BITS / 8);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, AXS_CU_MASK_MAX_BITS, &s), 0);
	KUNIT_EXPECT_TRUE(test, cu_set_equal(&s, &all));
	/* ...so a mask of nothing else leaves every XCC empty. */
	for (i = 0; i < n; i++)
		mask_clear(m, i);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_apply(&t, m, AXS_CU_MASK_MAX_BITS, &s), -EINVAL);

	/* A 32-bit mask reaches the CUs of bits 0..31 only, spread over XCCs. */
	m = mask_alloc(test, 32);
	m[0] = ~0U;
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, 32, &s), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), min(n, 32U));
	xcc_counts(&t, &s, counts);
	for (x = 0; x < p->num_xcc; x++)
		KUNIT_EXPECT_EQ_MSG(test, counts[x],
				    DIV_ROUND_UP(min(n, 32U) - x, p->num_xcc), "XCC %u", x);
}

/*
 * The baseline mask (bits 0..num_xcc-1) puts one CU in every XCC; adding
 * bit i must add exactly one CU, in XCC (i mod num_xcc), and a CU no other
 * bit reached.
 */
static void cu_mask_test_bit_to_cu_mapping(struct kunit *test)
{
	const struct topo_case *p = test->param_value;
	u32 n = p->num_cu, nbits = round_up(n, 32), nx = p->num_xcc;
	struct axs_cu_set all, base, s, seen;
	u32 counts[AXS_MAX_XCC], i, x, cu = 0, *m;
	struct axs_topo t;
	int err = 0;

	topo_build(p, &t);
	axs_topo_all_cus(&t, &all);
	m = mask_alloc(test, nbits);
	for (x = 0; x < nx; x++)
		mask_set(m, x);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, nbits, &base), 0);
	xcc_counts(&t, &base, counts);
	for (x = 0; x < nx; x++)
		KUNIT_EXPECT_EQ_MSG(test, counts[x], 1, "XCC %u", x);

	seen = base;
	axs_cu_set_clear(&s);
	for (i = nx; i < n; i++) {
		mask_set(m, i);
		err = axs_cu_mask_apply(&t, m, nbits, &s);
		mask_clear(m, i);
		if (err || axs_cu_set_count(&s) != nx + 1)
			break;
		cu = first_new_cu(&s, &base);
		if (axs_topo_cu_xcc(&t, cu) != i % nx || axs_cu_set_has(&seen, cu))
			break;
		axs_cu_set_add(&seen, cu);
	}
	KUNIT_EXPECT_EQ_MSG(test, i, n, "mask bit %u: err %d, %u CUs, new CU %u in XCC %u",
			    i, err, axs_cu_set_count(&s), cu, axs_topo_cu_xcc(&t, cu));
	KUNIT_EXPECT_TRUE(test, cu_set_equal(&seen, &all));
}

static void cu_mask_test_empty_xcc_is_refused(struct kunit *test)
{
	const struct topo_case *p = test->param_value;
	u32 n = p->num_cu, nbits = round_up(n, 32), nx = p->num_xcc;
	struct axs_cu_set s;
	struct axs_topo t;
	u32 i, x, last, *m;

	topo_build(p, &t);
	m = mask_alloc(test, nbits);
	for (x = 0; x < nx; x++) {
		/* Every bit but XCC x's share. */
		memset(m, 0xff, nbits / 8);
		for (i = x; i < nbits; i += nx)
			mask_clear(m, i);
		KUNIT_EXPECT_EQ_MSG(test, axs_cu_mask_apply(&t, m, nbits, &s), -EINVAL,
				    "XCC %u left without CUs", x);

		/* One bit of its share is enough, if it is below num_cu. */
		last = x + (n - 1 - x) / nx * nx;
		mask_set(m, last);
		KUNIT_EXPECT_EQ_MSG(test, axs_cu_mask_apply(&t, m, nbits, &s), 0,
				    "XCC %u with bit %u", x, last);
		KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), n - n / nx + 1);
		mask_clear(m, last);
		if (last + nx < nbits) {
			mask_set(m, last + nx);
			KUNIT_EXPECT_EQ_MSG(test, axs_cu_mask_apply(&t, m, nbits, &s), -EINVAL,
					    "XCC %u with bit %u past the GPU", x, last + nx);
		}
	}
}

static void cu_mask_test_range_masks_split_evenly(struct kunit *test)
{
	const struct topo_case *p = test->param_value;
	u32 n = p->num_cu, nbits = round_up(n, 32), nx = p->num_xcc;
	u32 half = n / nx / 2 * nx, counts[AXS_MAX_XCC], i, x, *m;
	struct axs_cu_set all, a, b;
	struct axs_topo t;

	topo_build(p, &t);
	axs_topo_all_cus(&t, &all);
	m = mask_alloc(test, nbits);

	KUNIT_ASSERT_EQ(test, axs_cu_mask_range(&t, 0, half, m, nbits / 32), nbits);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, nbits, &a), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&a), half);
	xcc_counts(&t, &a, counts);
	for (x = 0; x < nx; x++)
		KUNIT_EXPECT_EQ_MSG(test, counts[x], half / nx, "XCC %u", x);

	KUNIT_ASSERT_EQ(test, axs_cu_mask_range(&t, half, n - half, m, nbits / 32), nbits);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, nbits, &b), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&b), n - half);
	xcc_counts(&t, &b, counts);
	for (x = 0; x < nx; x++)
		KUNIT_EXPECT_EQ_MSG(test, counts[x], (n - half) / nx, "XCC %u", x);

	/* Disjoint halves of the whole GPU. */
	for (i = 0; i < AXS_CU_WORDS; i++) {
		KUNIT_EXPECT_EQ_MSG(test, a.w[i] & b.w[i], 0, "word %u", i);
		a.w[i] |= b.w[i];
	}
	KUNIT_EXPECT_TRUE(test, cu_set_equal(&a, &all));
}

struct bad_topo_case {
	const char *name;
	u32 num_xcc, num_se, num_sh;	/* every CU of these is active... */
	bool edit;			/* ...then active[x][se][sh] = bits */
	u32 x, se, sh;
	u16 bits;
	int err;
};

static const struct bad_topo_case bad_topo_cases[] = {
	{ "no XCC", 0, 4, 1, false, 0, 0, 0, 0, -EINVAL },
	{ "9 XCCs", 9, 4, 1, false, 0, 0, 0, 0, -EINVAL },
	{ "no SE", 4, 0, 1, false, 0, 0, 0, 0, -EINVAL },
	{ "5 SEs", 4, 5, 1, false, 0, 0, 0, 0, -EINVAL },
	{ "no SH", 4, 4, 0, false, 0, 0, 0, 0, -EINVAL },
	{ "3 SHs", 4, 4, 3, false, 0, 0, 0, 0, -EINVAL },
	{ "a CU in XCC 4 of 4", 4, 4, 1, true, 4, 0, 0, 0x1, -EINVAL },
	{ "a CU in SE 3 of 3", 4, 3, 1, true, 0, 3, 0, 0x1, -EINVAL },
	{ "a CU in SH 1 of 1", 4, 4, 1, true, 3, 3, 1, 0x8000, -EINVAL },
	{ "XCC 2 without CUs", 4, 1, 1, true, 2, 0, 0, 0, -EINVAL },
	{ "XCC 7 without CUs", 8, 1, 1, true, 7, 0, 0, 0, -EINVAL },
	{ "8 x 4 x 2 x 16 CUs", 8, 4, 2, false, 0, 0, 0, 0, 0 },
	{ "one CU in XCC 7", 8, 1, 1, true, 7, 0, 0, 0x8000, 0 },
};

static void bad_topo_case_desc(const struct bad_topo_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_topo, bad_topo_cases, bad_topo_case_desc);

static void cu_mask_test_topology_check(struct kunit *test)
{
	const struct bad_topo_case *p = test->param_value;
	struct axs_topo t;
	u32 x, se, sh;

	memset(&t, 0, sizeof(t));
	t.num_xcc = p->num_xcc;
	t.num_se = p->num_se;
	t.num_sh = p->num_sh;
	for (x = 0; x < min_t(u32, p->num_xcc, AXS_MAX_XCC); x++)
		for (se = 0; se < min_t(u32, p->num_se, AXS_MAX_SE); se++)
			for (sh = 0; sh < min_t(u32, p->num_sh, AXS_MAX_SH); sh++)
				t.active[x][se][sh] = 0xffff;
	if (p->edit)
		t.active[p->x][p->se][p->sh] = p->bits;
	KUNIT_EXPECT_EQ(test, axs_topo_check(&t), p->err);
}

struct mask_len_case {
	const char *name;
	u32 nbits;
	int err;
	u32 count;	/* CUs enabled by a mask of all ones */
};

static const struct mask_len_case mask_len_cases[] = {
	{ "0 bits", 0, -EINVAL, 0 },
	{ "31 bits", 31, -EINVAL, 0 },
	{ "33 bits", 33, -EINVAL, 0 },
	{ "1023 bits", 1023, -EINVAL, 0 },
	{ "1056 bits", 1056, -EINVAL, 0 },
	{ "0xffffffe0 bits", 0xffffffe0, -EINVAL, 0 },
	{ "32 bits", 32, 0, 32 },
	{ "96 bits", 96, 0, 80 },
	{ "1024 bits", 1024, 0, 80 },
};

static void mask_len_case_desc(const struct mask_len_case *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mask_len, mask_len_cases, mask_len_case_desc);

/*
 * Lengths on MI308X. A refused length gets a one-word buffer: the mask must
 * not be read past it (KASAN would say so).
 */
static void cu_mask_test_mask_lengths(struct kunit *test)
{
	const struct mask_len_case *p = test->param_value;
	u32 nbits = p->err ? 32 : p->nbits;
	struct axs_cu_set s;
	struct axs_topo t;
	u32 *m;

	axs_topo_mi308x(&t);
	m = mask_alloc(test, nbits);
	memset(m, 0xff, nbits / 8);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_apply(&t, m, p->nbits, &s), p->err);
	if (!p->err)
		KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), p->count);
}

/*
 * By hand, after amdkfd's mqd_symmetrically_map_cu_mask(): on MI308X (4
 * XCCs of 4 SEs of 5 CUs, dense CU = 20 * xcc + 5 * se + n) bit i goes to
 * XCC i % 4; within an XCC, its k-th bit goes to SE k % 4, CU k / 4.
 */
static void cu_mask_test_mi308x_interleave(struct kunit *test)
{
	static const u32 bits[] = { 0, 4, 8, 12, 16, 1, 2, 3 };
	static const u32 cus[] = { 0, 5, 10, 15, 1, 20, 40, 60 };
	struct axs_cu_set s, want;
	struct axs_topo t;
	u32 i, *m;

	axs_topo_mi308x(&t);
	m = mask_alloc(test, 96);
	axs_cu_set_clear(&want);
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		mask_set(m, bits[i]);
		axs_cu_set_add(&want, cus[i]);
	}
	KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, 96, &s), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), ARRAY_SIZE(cus));
	KUNIT_EXPECT_TRUE(test, cu_set_equal(&s, &want));
}

/*
 * By hand: one XCC of 2 SEs x 2 SHs, harvested. Dense CUs: SE0/SH0 has
 * physical CUs 0 and 2 (dense 0, 1), SE0/SH1 2 CUs (2, 3), SE1/SH0 1 CU
 * (4), SE1/SH1 3 CUs (5..7). Bits go round SEs, then SHs, then to the next
 * CU, skipping an (SE, SH) that has no CU that far:
 * bit 0..3 -> CU 0 of (SE0,SH0) (SE1,SH0) (SE0,SH1) (SE1,SH1),
 * bit 4..6 -> CU 1 of (SE0,SH0) (SE0,SH1) (SE1,SH1), bit 7 -> CU 2 of (SE1,SH1).
 */
static void cu_mask_test_harvest_and_sh_order(struct kunit *test)
{
	static const u32 dense[] = { 0, 4, 2, 5, 1, 3, 6, 7 };
	struct axs_cu_set s;
	struct axs_topo t;
	u32 i, *m;

	memset(&t, 0, sizeof(t));
	t.num_xcc = 1;
	t.num_se = 2;
	t.num_sh = 2;
	t.active[0][0][0] = 0x5;
	t.active[0][0][1] = 0x3;
	t.active[0][1][0] = 0x1;
	t.active[0][1][1] = 0x7;
	KUNIT_ASSERT_EQ(test, axs_topo_check(&t), 0);
	KUNIT_ASSERT_EQ(test, axs_topo_num_cu(&t), ARRAY_SIZE(dense));

	m = mask_alloc(test, 32);
	for (i = 0; i < ARRAY_SIZE(dense); i++) {
		m[0] = BIT(i);
		KUNIT_ASSERT_EQ(test, axs_cu_mask_apply(&t, m, 32, &s), 0);
		KUNIT_EXPECT_EQ_MSG(test, axs_cu_set_count(&s), 1, "bit %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, axs_cu_set_has(&s, dense[i]),
				      "bit %u should enable CU %u", i, dense[i]);
	}
	/* Bit 8 is past the 8 CUs: ignored, so the mask is empty. */
	m[0] = BIT(8);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_apply(&t, m, 32, &s), -EINVAL);
}

/*
 * axs_cu_mask_range() on MI308X. A refused range must leave the caller's
 * buffer alone; the buffer is exactly @nwords long, so writing the 3 words
 * 80 CUs need into 2 would be a KASAN report.
 */
static void cu_mask_test_range_rejects(struct kunit *test)
{
	struct axs_topo t;
	u32 *m;

	axs_topo_mi308x(&t);
	m = mask_alloc(test, 64);
	m[0] = 0xa5a5a5a5;
	m[1] = 0x5a5a5a5a;
	KUNIT_EXPECT_EQ(test, axs_cu_mask_range(&t, 0, 0, m, 2), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_range(&t, 80, 1, m, 2), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_range(&t, 70, 11, m, 2), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_range(&t, 1, U32_MAX, m, 2), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_range(&t, U32_MAX, 2, m, 2), 0);
	KUNIT_EXPECT_EQ(test, axs_cu_mask_range(&t, 0, 80, m, 2), 0);
	KUNIT_EXPECT_EQ(test, m[0], 0xa5a5a5a5);
	KUNIT_EXPECT_EQ(test, m[1], 0x5a5a5a5a);

	m = mask_alloc(test, 96);
	memset(m, 0xff, 96 / 8);
	KUNIT_ASSERT_EQ(test, axs_cu_mask_range(&t, 79, 1, m, 3), 96);
	KUNIT_EXPECT_EQ(test, m[0], 0);
	KUNIT_EXPECT_EQ(test, m[1], 0);
	KUNIT_EXPECT_EQ(test, m[2], BIT(79 - 64));
}

static void cu_mask_test_cu_set_edges(struct kunit *test)
{
	static const u32 edge[] = { 0, 63, 64, AXS_MAX_CU - 64, AXS_MAX_CU - 1 };
	struct axs_cu_set s;
	u32 i;

	axs_cu_set_clear(&s);
	for (i = 0; i < ARRAY_SIZE(edge); i++)
		axs_cu_set_add(&s, edge[i]);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), ARRAY_SIZE(edge));
	for (i = 0; i < ARRAY_SIZE(edge); i++)
		KUNIT_EXPECT_TRUE_MSG(test, axs_cu_set_has(&s, edge[i]), "CU %u", edge[i]);
	KUNIT_EXPECT_FALSE(test, axs_cu_set_has(&s, 1));
	KUNIT_EXPECT_FALSE(test, axs_cu_set_has(&s, 62));
	KUNIT_EXPECT_FALSE(test, axs_cu_set_has(&s, 65));
	KUNIT_EXPECT_FALSE(test, axs_cu_set_has(&s, AXS_MAX_CU - 2));

	for (i = 0; i < AXS_MAX_CU; i++)
		axs_cu_set_add(&s, i);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), AXS_MAX_CU);
	axs_cu_set_clear(&s);
	KUNIT_EXPECT_EQ(test, axs_cu_set_count(&s), 0);
}

static struct kunit_case cu_mask_test_cases[] = {
	KUNIT_CASE_PARAM(cu_mask_test_topology, topo_gen_params),
	KUNIT_CASE_PARAM(cu_mask_test_full_and_short_masks, topo_gen_params),
	KUNIT_CASE_PARAM(cu_mask_test_bit_to_cu_mapping, topo_gen_params),
	KUNIT_CASE_PARAM(cu_mask_test_empty_xcc_is_refused, topo_gen_params),
	KUNIT_CASE_PARAM(cu_mask_test_range_masks_split_evenly, topo_gen_params),
	KUNIT_CASE_PARAM(cu_mask_test_topology_check, bad_topo_gen_params),
	KUNIT_CASE_PARAM(cu_mask_test_mask_lengths, mask_len_gen_params),
	KUNIT_CASE(cu_mask_test_mi308x_interleave),
	KUNIT_CASE(cu_mask_test_harvest_and_sh_order),
	KUNIT_CASE(cu_mask_test_range_rejects),
	KUNIT_CASE(cu_mask_test_cu_set_edges),
	{}
};

static struct kunit_suite cu_mask_test_suite = {
	.name = "amdxsched_cu_mask",
	.test_cases = cu_mask_test_cases,
};

kunit_test_suite(cu_mask_test_suite);
