// SPDX-License-Identifier: MIT
/*
 * A stand-in for the real libhsakmt.so.1 in the forwarding test: every
 * function of hsakmt_symbols.h takes eight 64-bit words (more than any
 * hsakmt function has, so stack arguments are covered too), records them
 * with its own index in fake_last, and returns 1000 + its index.
 * hsaKmtCreateQueue also fills in the queue id, as the real one does, and
 * on node 0 returns SUCCESS, so that the hooks see a queue created.
 * Built twice: the new one with the version node HSAKMT_1, like Debian's;
 * the old one unversioned and without the six PC sampling functions
 * (fake_old.map hides them), like an older or self-built hsakmt.
 */
#include <stdint.h>

#if __has_include(<hsakmt/hsakmttypes.h>)
#include <hsakmt/hsakmttypes.h>
#else
#include <hsakmttypes.h>
#endif

#define EXPORT __attribute__((visibility("default")))

struct fake_call {
	int index;
	uint64_t arg[8];
	uint64_t calls;
};

EXPORT struct fake_call fake_last;

enum {
#define XSK_FORWARD(name) IDX_##name,
#define XSK_HOOK(name) IDX_##name,
#include "hsakmt_symbols.h"
#undef XSK_FORWARD
#undef XSK_HOOK
};

static uint64_t record(int index, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		       uint64_t e, uint64_t f, uint64_t g, uint64_t h)
{
	const uint64_t args[8] = { a, b, c, d, e, f, g, h };

	fake_last.index = index;
	for (int i = 0; i < 8; i++)
		fake_last.arg[i] = args[i];
	fake_last.calls++;
	if (index == IDX_hsaKmtCreateQueue && h) {
		((HsaQueueResource *)(uintptr_t)h)->QueueId = 0xc0ffee00 + fake_last.calls;
		if (!a)
			return HSAKMT_STATUS_SUCCESS;	/* node 0: a real success */
	}
	return 1000 + (uint64_t)index;
}

#define FAKE(name)								\
	EXPORT uint64_t name(uint64_t a, uint64_t b, uint64_t c, uint64_t d,	\
			     uint64_t e, uint64_t f, uint64_t g, uint64_t h);	\
	uint64_t name(uint64_t a, uint64_t b, uint64_t c, uint64_t d,		\
		      uint64_t e, uint64_t f, uint64_t g, uint64_t h)		\
	{									\
		return record(IDX_##name, a, b, c, d, e, f, g, h);		\
	}

#define XSK_FORWARD(name) FAKE(name)
#define XSK_HOOK(name) FAKE(name)
#include "hsakmt_symbols.h"
