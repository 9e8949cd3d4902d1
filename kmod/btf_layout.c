// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A small reader of BTF, the kernel's compact type format (see
 * Documentation/bpf/btf.rst in the kernel), just enough to find a struct by
 * name and the offsets and sizes of its members, in a module's split BTF.
 */
#include "btf_layout.h"

#define BTF_MAGIC_LE	0xeb9f
#define BTF_HDR_LEN	24

#define KIND_INT	1
#define KIND_PTR	2
#define KIND_ARRAY	3
#define KIND_STRUCT	4
#define KIND_UNION	5
#define KIND_ENUM	6
#define KIND_FWD	7
#define KIND_TYPEDEF	8
#define KIND_VOLATILE	9
#define KIND_CONST	10
#define KIND_RESTRICT	11
#define KIND_FUNC	12
#define KIND_PROTO	13
#define KIND_VAR	14
#define KIND_DATASEC	15
#define KIND_FLOAT	16
#define KIND_DECL_TAG	17
#define KIND_TYPE_TAG	18
#define KIND_ENUM64	19

#define MAX_DEPTH	8	/* nested anonymous members and path parts */

struct hdr {
	u16 magic;
	u8 version;
	u8 flags;
	u32 hdr_len;
	u32 type_off;
	u32 type_len;
	u32 str_off;
	u32 str_len;
};

struct type {
	u32 name_off;
	u32 info;
	u32 size_or_type;
};

struct member {
	u32 name_off;
	u32 type;
	u32 offset;
};

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u32 kind(u32 info)
{
	return (info >> 24) & 0x1f;
}

static u32 vlen(u32 info)
{
	return info & 0xffff;
}

static bool kind_flag(u32 info)
{
	return info >> 31;
}

/* Bytes a type record takes, or 0 for a kind we do not know. */
static u32 type_bytes(u32 info)
{
	u32 n = vlen(info);

	switch (kind(info)) {
	case KIND_PTR: case KIND_FWD: case KIND_TYPEDEF: case KIND_VOLATILE:
	case KIND_CONST: case KIND_RESTRICT: case KIND_FUNC: case KIND_FLOAT:
	case KIND_TYPE_TAG:
		return 12;
	case KIND_INT: case KIND_VAR: case KIND_DECL_TAG:
		return 16;
	case KIND_ARRAY:
		return 24;
	case KIND_STRUCT: case KIND_UNION: case KIND_DATASEC: case KIND_ENUM64:
		return 12 + 12 * n;
	case KIND_ENUM: case KIND_PROTO:
		return 12 + 8 * n;
	default:
		return 0;
	}
}

static int read_hdr(struct hdr *h, const void *data, u32 len)
{
	if (len < BTF_HDR_LEN)
		return -EINVAL;
	memcpy(h, data, sizeof(*h));
	if (h->magic != BTF_MAGIC_LE || h->version != 1 || h->hdr_len < BTF_HDR_LEN ||
	    h->hdr_len > len ||
	    h->type_off > len - h->hdr_len || h->type_len > len - h->hdr_len - h->type_off ||
	    h->str_off > len - h->hdr_len || h->str_len > len - h->hdr_len - h->str_off)
		return -EINVAL;
	return 0;
}

/* Walk the type records; store each one's offset if @index is given. */
static int walk(const u8 *types, u32 len, u32 *index, u32 index_len)
{
	u32 pos = 0, n = 0, sz;

	while (pos < len) {
		if (len - pos < 12)
			return -EINVAL;
		sz = type_bytes(rd32(types + pos + 4));
		if (!sz || sz > len - pos)
			return -EINVAL;
		if (index) {
			if (n >= index_len)
				return -EINVAL;
			index[n] = pos;
		}
		pos += sz;
		n++;
	}
	return (int)n;
}

int axs_btf_ntypes(const void *data, u32 len)
{
	struct hdr h;

	if (read_hdr(&h, data, len))
		return -EINVAL;
	return walk((const u8 *)data + h.hdr_len + h.type_off, h.type_len, NULL, 0);
}

int axs_btf_parse(struct axs_btf *b, const void *data, u32 len,
		  const struct axs_btf *base, u32 *index, u32 index_len)
{
	struct hdr h;
	int n;

	memset(b, 0, sizeof(*b));
	if (read_hdr(&h, data, len))
		return -EINVAL;
	b->types = (const u8 *)data + h.hdr_len + h.type_off;
	b->types_len = h.type_len;
	b->strs = (const char *)data + h.hdr_len + h.str_off;
	b->strs_len = h.str_len;
	if (!h.str_len || b->strs[h.str_len - 1] != '\0')
		return -EINVAL;
	b->base = base;
	n = walk(b->types, b->types_len, index, index_len);
	if (n < 0)
		return n;
	b->ntypes = n;
	b->index = index;
	/* Type 0 is void; a split BTF's first type follows the base's last. */
	b->first_id = base ? base->first_id + base->ntypes : 1;
	return 0;
}

static const char *name_of(const struct axs_btf *b, u32 off)
{
	if (b->base) {
		if (off < b->base->strs_len)
			return b->base->strs + off;
		off -= b->base->strs_len;
	}
	return off < b->strs_len ? b->strs + off : NULL;
}

/* The record of type @id, if it is one of @b's own (not the base's). */
static const u8 *type_rec(const struct axs_btf *b, u32 id)
{
	if (!b->index || id < b->first_id || id - b->first_id >= b->ntypes)
		return NULL;
	return b->types + b->index[id - b->first_id];
}

/* Skip typedefs and qualifiers. */
static u32 resolve(const struct axs_btf *b, u32 id)
{
	const u8 *t;
	int i;

	for (i = 0; i < MAX_DEPTH; i++) {
		t = type_rec(b, id);
		if (!t)
			return id;
		switch (kind(rd32(t + 4))) {
		case KIND_TYPEDEF: case KIND_VOLATILE: case KIND_CONST:
		case KIND_RESTRICT: case KIND_TYPE_TAG:
			id = rd32(t + 8);
			break;
		default:
			return id;
		}
	}
	return id;
}

u32 axs_btf_find_struct(const struct axs_btf *b, const char *name)
{
	u32 i;

	for (i = 0; i < b->ntypes; i++) {
		const u8 *t = b->types + b->index[i];
		const char *n;

		if (kind(rd32(t + 4)) != KIND_STRUCT || !vlen(rd32(t + 4)))
			continue;	/* skip forward-like empty structs */
		n = name_of(b, rd32(t));
		if (n && !strcmp(n, name))
			return b->first_id + i;
	}
	return 0;
}

/*
 * Find member @name of struct or union @id, looking into anonymous members.
 * Sets its bit offset from the start of @id and its type.
 */
static bool find_member(const struct axs_btf *b, u32 id, const char *name, u32 len,
			u32 *bits, u32 *type, int depth)
{
	const u8 *t = type_rec(b, id);
	u32 info, i;

	if (!t || depth > MAX_DEPTH)
		return false;
	info = rd32(t + 4);
	if (kind(info) != KIND_STRUCT && kind(info) != KIND_UNION)
		return false;
	for (i = 0; i < vlen(info); i++) {
		const u8 *m = t + 12 + 12 * i;
		u32 off = rd32(m + 8), mtype = rd32(m + 4);
		const char *n = name_of(b, rd32(m));

		if (kind_flag(info))
			off &= 0xffffff;	/* bit-field: size in the top byte */
		if (n && !*n) {		/* anonymous struct or union */
			u32 sub_bits;

			if (find_member(b, resolve(b, mtype), name, len, &sub_bits, type,
					depth + 1)) {
				*bits = off + sub_bits;
				return true;
			}
			continue;
		}
		if (n && strlen(n) == len && !strncmp(n, name, len)) {
			*bits = off;
			*type = mtype;
			return true;
		}
	}
	return false;
}

/* Offset in bits of "a.b.c" in struct @id. */
static int path_offset(const struct axs_btf *b, u32 id, const char *path, u32 *bits)
{
	u32 total = 0, part_bits, type;
	const char *dot;
	int depth;

	for (depth = 0; depth < MAX_DEPTH; depth++) {
		dot = strchr(path, '.');
		if (!find_member(b, id, path, dot ? (u32)(dot - path) : (u32)strlen(path),
				 &part_bits, &type, 0))
			return -ENOENT;
		total += part_bits;
		if (!dot) {
			*bits = total;
			return 0;
		}
		id = resolve(b, type);
		path = dot + 1;
	}
	return -ENOENT;
}

/* "kfd_process.pqm.queues: offset 72 in BTF, compiled 64" */
static void say(char *why, u32 len, const char *what, const char *type,
		const char *path, u32 btf, u32 compiled)
{
	snprintf(why, len, "%s%s%s: %s %u in BTF, compiled %u", type, path ? "." : "",
		 path ? path : "", what, btf, compiled);
}

int axs_btf_check(const struct axs_btf *b, const struct axs_btf_field *fields,
		  u32 nfields, const struct axs_btf_size *sizes, u32 nsizes,
		  char *why, u32 why_len)
{
	u32 i, id, bits;

	for (i = 0; i < nsizes; i++) {
		const u8 *t;

		id = axs_btf_find_struct(b, sizes[i].type);
		t = type_rec(b, id);
		if (!t) {
			snprintf(why, why_len, "struct %s: not in BTF", sizes[i].type);
			return -ENOENT;
		}
		if (rd32(t + 8) != sizes[i].size) {
			say(why, why_len, "size", sizes[i].type, NULL, rd32(t + 8), sizes[i].size);
			return -EBADMSG;
		}
	}
	for (i = 0; i < nfields; i++) {
		id = axs_btf_find_struct(b, fields[i].type);
		if (!id || path_offset(b, id, fields[i].path, &bits)) {
			snprintf(why, why_len, "%s.%s: not in BTF", fields[i].type, fields[i].path);
			return -ENOENT;
		}
		if (bits % 8 || bits / 8 != fields[i].offset) {
			say(why, why_len, "offset", fields[i].type, fields[i].path, bits / 8,
			    fields[i].offset);
			return -EBADMSG;
		}
	}
	return 0;
}
