/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The few definitions the pure model code (cu_mask.c, sim_model.c) needs, so
 * that the same files build in the kernel module and in userspace tests and
 * simulators. Nothing here may allocate, sleep, lock or print.
 */
#ifndef AXS_PURE_H
#define AXS_PURE_H

#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/types.h>

/* a * b / c without overflow of the product. */
static inline u64 axs_mul_div(u64 a, u64 b, u64 c)
{
	return mul_u64_u64_div_u64(a, b, c);
}
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

static inline u64 axs_mul_div(u64 a, u64 b, u64 c)
{
	return (u64)((unsigned __int128)a * b / c);
}
#endif

#define AXS_U64_MAX	((u64)~0ULL)

#ifdef __KERNEL__
static inline u32 axs_popcount32(u32 x)
{
	return hweight32(x);
}

static inline u32 axs_popcount64(u64 x)
{
	return hweight64(x);
}
#else
static inline u32 axs_popcount32(u32 x)
{
	return (u32)__builtin_popcount(x);
}

static inline u32 axs_popcount64(u64 x)
{
	return (u32)__builtin_popcountll(x);
}
#endif

static inline u64 axs_min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 axs_max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

/* A minimal intrusive doubly linked list, as <linux/list.h> but portable. */
struct axs_link {
	struct axs_link *next, *prev;
};

static inline void axs_link_init(struct axs_link *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool axs_link_empty(const struct axs_link *head)
{
	return head->next == head;
}

static inline void axs_link_add_tail(struct axs_link *n, struct axs_link *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void axs_link_del(struct axs_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define axs_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define axs_link_entry(ptr, type, member) axs_container_of(ptr, type, member)

#define axs_link_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif /* AXS_PURE_H */
