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

int ioctl(int fd, unsigned long cmd, ...)
{
	struct amdxsched_list *l;
	va_list ap;

	(void)fd;
	va_start(ap, cmd);
	l = va_arg(ap, struct amdxsched_list *);
	va_end(ap);
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
			memset(&q[i], 0, l->entry_size);
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
 * A subscriber built against a newer header asks an older module only for
 * the event types it knows: a 1.1 module refuses RESUME_FAILING's bit, a
 * 1.2 module RESUME_LATE's.
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
	EXPECT_EQ(AMDXSCHED_EVENT_MASK_ALL, axs_events_mask_all(&v));
	v.abi_minor = 7;
	EXPECT_EQ(AMDXSCHED_EVENT_MASK_ALL, axs_events_mask_all(&v));
}

TEST_HARNESS_MAIN
