// SPDX-License-Identifier: MIT
/*
 * libaxs's whole-list fetch (axs_list_queues() and the others): it asks for
 * the count, makes room, fetches, and asks again if the list grew in
 * between. Here ioctl() is this file's own (it interposes libc's), a list
 * that grows by a given number of entries at every call, so the retries can
 * be counted. The stress test found the old fixed margin (16 entries) giving
 * up with EAGAIN while queues were created faster than a list call took.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "axs.h"

#include "kselftest_harness.h"

static uint32_t fake_entries;	/* entries the list has now */
static uint32_t fake_growth;	/* added before every call answers */
static uint32_t fake_factor;	/* then multiplied by this, if not 0 */
static unsigned int fake_calls;
static uint32_t fake_entry_bytes;	/* what the module fills of each entry; 0: all */
static struct amdxsched_queue_attr fake_qattr;	/* the last SET_QUEUE_ATTR */

int ioctl(int fd, unsigned long cmd, ...)
{
	struct amdxsched_list *l;
	va_list ap;
	void *arg;

	(void)fd;
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (cmd == AMDXSCHED_IOC_SET_QUEUE_ATTR) {
		memcpy(&fake_qattr, arg, sizeof(fake_qattr));
		return 0;
	}
	l = arg;
	if (cmd != AMDXSCHED_IOC_LIST_QUEUES || l->size != sizeof(*l)) {
		errno = ENOTTY;
		return -1;
	}
	fake_calls++;
	fake_entries += fake_growth;
	if (fake_factor)
		fake_entries *= fake_factor;
	if (l->count && l->entries) {
		struct amdxsched_queue_info *q = (void *)(uintptr_t)l->entries;
		uint32_t i, n = l->count < fake_entries ? l->count : fake_entries;

		for (i = 0; i < n; i++) {
			/* an older module: its own part of each entry, as the ABI says */
			uint32_t fill = fake_entry_bytes ? fake_entry_bytes : l->entry_size;

			memset(&q[i], 0x5a, fill);
			q[i].handle = i + 1;
		}
	}
	l->count = fake_entries;	/* how many match, as the module says */
	return 0;
}

static void reset(uint32_t start, uint32_t growth, uint32_t factor)
{
	fake_entries = start;
	fake_growth = growth;
	fake_factor = factor;
	fake_calls = 0;
	fake_entry_bytes = 0;
}

TEST(steady_list_takes_two_calls)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0;

	reset(100, 0, 0);
	ASSERT_EQ(0, axs_list_queues(3, 0, AMDXSCHED_GPU_ANY, &q, &n));
	EXPECT_EQ(100, n);
	EXPECT_EQ(2, fake_calls);
	EXPECT_EQ(100, q[99].handle);
	free(q);
}

/* Growing by more than a fixed margin at every call: still converges. */
TEST(list_growing_by_40_per_call_is_fetched_whole)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0;

	reset(100, 40, 0);
	ASSERT_EQ(0, axs_list_queues(3, 0, AMDXSCHED_GPU_ANY, &q, &n));
	EXPECT_EQ(fake_entries, n);
	EXPECT_GE(4, fake_calls);
	free(q);
}

/* Growing by half of itself at every call, from empty. */
TEST(list_growing_by_half_is_fetched_whole)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0;

	reset(0, 500, 0);
	ASSERT_EQ(0, axs_list_queues(3, 0, AMDXSCHED_GPU_ANY, &q, &n));
	EXPECT_EQ(fake_entries, n);
	free(q);
}

/* A list that outruns any room (it triples at every call) still ends, with EAGAIN. */
TEST(list_that_always_outgrows_the_room_is_eagain)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0;

	reset(10, 0, 3);
	EXPECT_EQ(-EAGAIN, axs_list_queues(3, 0, AMDXSCHED_GPU_ANY, &q, &n));
	EXPECT_EQ(NULL, q);
	EXPECT_GE(8, fake_calls);
}

/*
 * A module older than ABI 1.5 fills the first 256 bytes of each 288-byte
 * entry; the rest reads as zero: no own hints, created at priority 0.
 */
TEST(an_older_modules_queue_entries_read_as_no_own_hints)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0;

	reset(3, 0, 0);
	fake_entry_bytes = AMDXSCHED_QUEUE_INFO_SIZE_VER0;
	ASSERT_EQ(0, axs_list_queues(3, 0, AMDXSCHED_GPU_ANY, &q, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(AMDXSCHED_QUEUE_INFO_SIZE_VER1, sizeof(*q));
	EXPECT_EQ(0x5a5a5a5a, q[2].pad);
	EXPECT_EQ(0, q[2].attr_flags);
	EXPECT_EQ(0, q[2].sched_class);
	EXPECT_EQ(0, q[2].deadline_ns);
	EXPECT_EQ(0, q[2].app_priority);
	free(q);
}

/* SET_QUEUE_ATTR gets its size set and the caller's fields unchanged. */
TEST(set_queue_attr_passes_the_struct_sized)
{
	struct amdxsched_queue_attr a = {
		.flags = AMDXSCHED_ATTR_CLASS, .handle = 42,
		.sched_class = AMDXSCHED_CLASS_BEST_EFFORT,
	};

	memset(&fake_qattr, 0, sizeof(fake_qattr));
	EXPECT_EQ(0, axs_set_queue_attr(3, &a));
	EXPECT_EQ(AMDXSCHED_QUEUE_ATTR_SIZE_VER0, fake_qattr.size);
	EXPECT_EQ(AMDXSCHED_ATTR_CLASS, fake_qattr.flags);
	EXPECT_EQ(42, fake_qattr.handle);
	EXPECT_EQ(AMDXSCHED_CLASS_BEST_EFFORT, fake_qattr.sched_class);
}

/*
 * A subscriber built against a newer header asks an older module only for
 * the event types it knows: a 1.1 module refuses RESUME_FAILING's bit, a
 * 1.2 module RESUME_LATE's, a 1.3 or 1.4 module QUEUE_ATTR's.
 */
TEST(the_full_event_mask_follows_the_modules_abi)
{
	struct amdxsched_version v = { .abi_major = 1, .abi_minor = 1 };
	uint64_t m = axs_events_mask_all(&v);

	EXPECT_EQ(0, m & AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_RESUME_FAILING));
	EXPECT_EQ(((1ULL << (AMDXSCHED_EVENT_QUEUE_DRAINED + 1)) - 1) & ~1ULL, m);
	v.abi_minor = 2;
	m = axs_events_mask_all(&v);
	EXPECT_EQ(0, m & AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_RESUME_LATE));
	EXPECT_EQ(((1ULL << (AMDXSCHED_EVENT_RESUME_FAILING + 1)) - 1) & ~1ULL, m);
	v.abi_minor = 3;
	m = axs_events_mask_all(&v);
	EXPECT_EQ(0, m & AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_ATTR));
	EXPECT_EQ(((1ULL << (AMDXSCHED_EVENT_RESUME_LATE + 1)) - 1) & ~1ULL, m);
	v.abi_minor = 4;
	EXPECT_EQ(m, axs_events_mask_all(&v));
	v.abi_minor = 5;
	EXPECT_EQ(AMDXSCHED_EVENT_MASK_ALL, axs_events_mask_all(&v));
	v.abi_minor = 7;
	EXPECT_EQ(AMDXSCHED_EVENT_MASK_ALL, axs_events_mask_all(&v));
}

TEST_HARNESS_MAIN
