/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Reading struct layouts out of BTF, to check that the layouts the module
 * was compiled with are those of the running amdgpu.ko. Pure code (see
 * pure.h): the caller supplies the raw BTF of vmlinux and of the module, as
 * /sys/kernel/btf/{vmlinux,amdgpu} hold them, and room for an index.
 */
#ifndef AXS_BTF_LAYOUT_H
#define AXS_BTF_LAYOUT_H

#include "pure.h"

/*
 * One parsed BTF blob. A module's BTF is split: its names may live in the
 * base (vmlinux) strings and its type ids continue the base's numbering.
 */
struct axs_btf {
	const u8 *types;
	u32 types_len;
	const char *strs;
	u32 strs_len;
	u32 first_id;			/* id of its first type */
	u32 ntypes;
	u32 *index;			/* byte offset of each type in @types */
	const struct axs_btf *base;	/* NULL for vmlinux */
};

/* What a field should be: "kfd_process" "pqm.queues" at @offset bytes. */
struct axs_btf_field {
	const char *type;
	const char *path;
	u32 offset;
};

/* What a struct should be: its size in bytes. */
struct axs_btf_size {
	const char *type;
	u32 size;
};

/*
 * Parse @data, split on top of @base if given. To look types up, @index must
 * have room for axs_btf_ntypes() entries; a base used only for its strings
 * needs none (NULL). Returns 0 or -EINVAL for malformed BTF.
 */
int axs_btf_parse(struct axs_btf *b, const void *data, u32 len,
		  const struct axs_btf *base, u32 *index, u32 index_len);

/* How many types @data holds (to size an index), or -EINVAL. */
int axs_btf_ntypes(const void *data, u32 len);

/* The id of struct @name in @b, or 0. */
u32 axs_btf_find_struct(const struct axs_btf *b, const char *name);

/*
 * Check every field and size. Returns 0, or -ENOENT (type or member not in
 * the BTF) / -EBADMSG (different offset or size), describing the first
 * problem in @why.
 */
int axs_btf_check(const struct axs_btf *b, const struct axs_btf_field *fields,
		  u32 nfields, const struct axs_btf_size *sizes, u32 nsizes,
		  char *why, u32 why_len);

#endif /* AXS_BTF_LAYOUT_H */
