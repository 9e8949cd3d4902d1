// SPDX-License-Identifier: MIT
/*
 * Unit tests of the BTF layout reader (kmod/btf_layout.c) on BTF blobs built
 * here by hand: a base (like vmlinux) and a split module BTF on top of it,
 * whose names live partly in the base's strings.
 */
#include <stdlib.h>

#include "btf_layout.h"

#include "kselftest_harness.h"

struct blob {
	u8 buf[4096];
	u32 types_len;
	char strs[1024];
	u32 strs_len;
	u8 out[8192];
	u32 out_len;
};

static void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->strs_len = 1;	/* offset 0 is the empty name */
}

/* Add a string; @base_len shifts offsets for split BTF. */
static u32 str(struct blob *b, const char *s, u32 base_len)
{
	u32 off = b->strs_len;

	memcpy(b->strs + off, s, strlen(s) + 1);
	b->strs_len += strlen(s) + 1;
	return base_len + off;
}

static void put32(struct blob *b, u32 v)
{
	memcpy(b->buf + b->types_len, &v, 4);
	b->types_len += 4;
}

static void type(struct blob *b, u32 name, u32 kind, u32 vlen, bool kflag, u32 size_or_type)
{
	put32(b, name);
	put32(b, (kflag ? 1U << 31 : 0) | kind << 24 | vlen);
	put32(b, size_or_type);
}

static void member(struct blob *b, u32 name, u32 type_id, u32 bit_off)
{
	put32(b, name);
	put32(b, type_id);
	put32(b, bit_off);
}

static void finish(struct blob *b)
{
	u32 hdr[6] = { 0 };
	u16 magic = 0xeb9f;
	u8 ver = 1, flags = 0;

	hdr[1] = 24;		/* hdr_len */
	hdr[2] = 0;		/* type_off */
	hdr[3] = b->types_len;
	hdr[4] = b->types_len;	/* str_off */
	hdr[5] = b->strs_len;
	memcpy(b->out, &magic, 2);
	memcpy(b->out + 2, &ver, 1);
	memcpy(b->out + 3, &flags, 1);
	memcpy(b->out + 4, &hdr[1], 20);
	memcpy(b->out + 24, b->buf, b->types_len);
	memcpy(b->out + 24 + b->types_len, b->strs, b->strs_len);
	b->out_len = 24 + b->types_len + b->strs_len;
}

FIXTURE(btf)
{
	struct blob base, mod;
	struct axs_btf bbase, bmod;
	u32 index[64];
};

/*
 * base: 1 int, 2 struct mutex { int owner; int wait; } (8 bytes)
 * module (ids from 3): 3 typedef pqm_t -> 4, 4 struct process_queue_manager
 * { mutex lock @0; int queues @64 }, 5 struct kfd_process { int ref @0;
 * union(anon) @32 { int a; int pasid; }; pqm_t pqm @64; bit-fields flags:3 @192 },
 * 6 anonymous union, 7 empty struct kfd_process (a forward-like duplicate).
 */
FIXTURE_SETUP(btf)
{
	u32 n_int, n_mutex, n_owner, n_wait, bl;

	blob_init(&self->base);
	n_int = str(&self->base, "int", 0);
	n_mutex = str(&self->base, "mutex", 0);
	n_owner = str(&self->base, "owner", 0);
	n_wait = str(&self->base, "wait", 0);
	type(&self->base, n_int, 1, 0, false, 4);
	put32(&self->base, 32);			/* int encoding: 32 bits */
	type(&self->base, n_mutex, 4, 2, false, 8);
	member(&self->base, n_owner, 1, 0);
	member(&self->base, n_wait, 1, 32);
	finish(&self->base);
	ASSERT_EQ(0, axs_btf_parse(&self->bbase, self->base.out, self->base.out_len,
				   NULL, NULL, 0));
	ASSERT_EQ(2, self->bbase.ntypes);

	bl = self->base.strs_len;
	blob_init(&self->mod);
	{
		u32 s_pqm_t = str(&self->mod, "pqm_t", bl);
		u32 s_pqm = str(&self->mod, "process_queue_manager", bl);
		u32 s_queues = str(&self->mod, "queues", bl);
		u32 s_kfd = str(&self->mod, "kfd_process", bl);
		u32 s_ref = str(&self->mod, "ref", bl);
		u32 s_a = str(&self->mod, "a", bl);
		u32 s_pasid = str(&self->mod, "pasid", bl);
		u32 s_pqmf = str(&self->mod, "pqm", bl);
		u32 s_flags = str(&self->mod, "flags", bl);

		type(&self->mod, s_pqm_t, 8, 0, false, 4);		/* 3 typedef */
		type(&self->mod, s_pqm, 4, 2, false, 16);		/* 4 */
		member(&self->mod, n_mutex, 2, 0);			/* name from the base */
		member(&self->mod, s_queues, 1, 64);
		type(&self->mod, s_kfd, 4, 4, true, 32);		/* 5, kind_flag */
		member(&self->mod, s_ref, 1, 0);
		member(&self->mod, 0, 6, 32);				/* anonymous union */
		member(&self->mod, s_pqmf, 3, 64);
		member(&self->mod, s_flags, 1, (3U << 24) | 192);	/* 3-bit field */
		type(&self->mod, 0, 5, 2, false, 4);			/* 6 anon union */
		member(&self->mod, s_a, 1, 0);
		member(&self->mod, s_pasid, 1, 0);
		type(&self->mod, s_kfd, 4, 0, false, 0);		/* 7 empty duplicate */
	}
	finish(&self->mod);
	ASSERT_EQ(5, axs_btf_ntypes(self->mod.out, self->mod.out_len));
	ASSERT_EQ(0, axs_btf_parse(&self->bmod, self->mod.out, self->mod.out_len,
				   &self->bbase, self->index, 64));
	ASSERT_EQ(3, self->bmod.first_id);
}

FIXTURE_TEARDOWN(btf)
{
}

TEST_F(btf, finds_structs_by_name_in_the_module_only)
{
	EXPECT_EQ(5, axs_btf_find_struct(&self->bmod, "kfd_process"));
	EXPECT_EQ(4, axs_btf_find_struct(&self->bmod, "process_queue_manager"));
	EXPECT_EQ(0, axs_btf_find_struct(&self->bmod, "mutex"));	/* base's */
	EXPECT_EQ(0, axs_btf_find_struct(&self->bmod, "nothing"));
}

TEST_F(btf, matching_layouts_pass)
{
	static const struct axs_btf_field f[] = {
		{ "kfd_process", "ref", 0 },
		{ "kfd_process", "pasid", 4 },		/* inside the anonymous union */
		{ "kfd_process", "pqm", 8 },
		{ "kfd_process", "pqm.queues", 16 },	/* through the typedef */
		{ "kfd_process", "pqm.mutex", 8 },	/* a name from the base strings */
		{ "kfd_process", "flags", 24 },		/* a bit-field */
	};
	static const struct axs_btf_size sz[] = {
		{ "kfd_process", 32 }, { "process_queue_manager", 16 },
	};
	char why[128] = "";

	EXPECT_EQ(0, axs_btf_check(&self->bmod, f, 6, sz, 2, why, sizeof(why)));
	EXPECT_STREQ("", why);
}

TEST_F(btf, a_moved_field_is_named)
{
	static const struct axs_btf_field f[] = {
		{ "kfd_process", "ref", 0 },
		{ "kfd_process", "pqm.queues", 12 },
	};
	char why[128];

	EXPECT_EQ(-EBADMSG, axs_btf_check(&self->bmod, f, 2, NULL, 0, why, sizeof(why)));
	EXPECT_STREQ("kfd_process.pqm.queues: offset 16 in BTF, compiled 12", why);
}

TEST_F(btf, a_resized_struct_is_named)
{
	static const struct axs_btf_size sz[] = { { "process_queue_manager", 24 } };
	char why[128];

	EXPECT_EQ(-EBADMSG, axs_btf_check(&self->bmod, NULL, 0, sz, 1, why, sizeof(why)));
	EXPECT_STREQ("process_queue_manager: size 16 in BTF, compiled 24", why);
}

TEST_F(btf, missing_types_and_members_are_named)
{
	static const struct axs_btf_field f1[] = { { "kfd_process", "mm", 0 } };
	static const struct axs_btf_field f2[] = { { "queue", "list", 0 } };
	static const struct axs_btf_field f3[] = { { "kfd_process", "pqm.nope", 0 } };
	static const struct axs_btf_size sz[] = { { "queue", 8 } };
	char why[128];

	EXPECT_EQ(-ENOENT, axs_btf_check(&self->bmod, f1, 1, NULL, 0, why, sizeof(why)));
	EXPECT_STREQ("kfd_process.mm: not in BTF", why);
	EXPECT_EQ(-ENOENT, axs_btf_check(&self->bmod, f2, 1, NULL, 0, why, sizeof(why)));
	EXPECT_EQ(-ENOENT, axs_btf_check(&self->bmod, f3, 1, NULL, 0, why, sizeof(why)));
	EXPECT_EQ(-ENOENT, axs_btf_check(&self->bmod, NULL, 0, sz, 1, why, sizeof(why)));
	EXPECT_STREQ("struct queue: not in BTF", why);
}

TEST_F(btf, malformed_blobs_are_refused)
{
	struct axs_btf b;
	u8 bad[sizeof(self->mod.out)];
	u32 idx[64];

	memcpy(bad, self->mod.out, self->mod.out_len);
	bad[0] ^= 0xff;					/* magic */
	EXPECT_EQ(-EINVAL, axs_btf_parse(&b, bad, self->mod.out_len, &self->bbase, idx, 64));
	EXPECT_EQ(-EINVAL, axs_btf_parse(&b, self->mod.out, 10, &self->bbase, idx, 64));
	/* a type record cut short */
	EXPECT_EQ(-EINVAL, axs_btf_parse(&b, self->mod.out, self->mod.out_len - 1,
					 &self->bbase, idx, 64));
	/* not enough room in the index */
	EXPECT_EQ(-EINVAL, axs_btf_parse(&b, self->mod.out, self->mod.out_len,
					 &self->bbase, idx, 2));
	/* an unknown kind */
	memcpy(bad, self->mod.out, self->mod.out_len);
	bad[24 + 4 + 3] = 0x1f;				/* kind 31 in the first type */
	EXPECT_EQ(-EINVAL, axs_btf_parse(&b, bad, self->mod.out_len, &self->bbase, idx, 64));
}

/* The host's own vmlinux BTF, if readable: a real, large blob. */
TEST(real_vmlinux_btf)
{
	static const struct axs_btf_field f[] = {
		{ "list_head", "next", 0 }, { "list_head", "prev", 8 },
		{ "hlist_node", "pprev", 8 },
	};
	static const struct axs_btf_size sz[] = { { "list_head", 16 } };
	struct axs_btf b;
	char why[128];
	u32 *idx;
	u8 *data;
	long len;
	int n;
	FILE *fp = fopen("/sys/kernel/btf/vmlinux", "rb");

	if (!fp)
		SKIP(return, "no /sys/kernel/btf/vmlinux on this host");
	data = malloc(64 << 20);
	ASSERT_NE(NULL, data);
	len = (long)fread(data, 1, 64 << 20, fp);
	fclose(fp);
	ASSERT_GT(len, 1000);
	n = axs_btf_ntypes(data, (u32)len);
	ASSERT_GT(n, 1000);
	idx = malloc(sizeof(*idx) * n);
	ASSERT_EQ(0, axs_btf_parse(&b, data, (u32)len, NULL, idx, (u32)n));
	EXPECT_EQ(0, axs_btf_check(&b, f, 3, sz, 1, why, sizeof(why)));
	free(idx);
	free(data);
}

TEST_HARNESS_MAIN
