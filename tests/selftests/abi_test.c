// SPDX-License-Identifier: MIT
/*
 * The /dev/amdxsched ABI rules that every ioctl shares: VERSION and
 * BACKEND_INFO, unknown ioctl numbers, the size field of extensible structs,
 * reserved fields, bad user pointers and the list ioctls' conventions. Each
 * error case also checks that the failed call changed nothing.
 */
#include "axs_test.h"

#include <stddef.h>
#include <sys/mman.h>
#include <termios.h>

#define PAGE 4096

FIXTURE(abi) {
	int fd;
	uint32_t gpu;
	uint64_t q;		/* the fixture's queue, priority 7 */
	/* what the pointer fields of prepared arguments point at */
	uint64_t h;
	int32_t st;
	struct amdxsched_priority_entry pe;
	struct amdxsched_apply_entry ae;
	uint32_t mask[AMDXSCHED_CU_MASK_WORDS];
	uint64_t extra;		/* a queue made for SIM_QUEUE_DESTROY */
};

FIXTURE_SETUP(abi)
{
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	axs_fixture_queues(_metadata, self->fd, self->gpu, &self->q, 1);
}

FIXTURE_TEARDOWN(abi)
{
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* ------------------------------------------------------------------------ */
/* What an error must leave alone: GPUs, queues and processes. */

struct snap {
	uint32_t ngpus, nq, np;
	struct amdxsched_queue_info *q;
	struct amdxsched_proc_info *p;
};

static void snap_take(struct __test_metadata *_metadata, int fd, struct snap *s)
{
	struct amdxsched_gpu_info *g = NULL;
	uint32_t i, n = 0;

	memset(s, 0, sizeof(*s));
	ASSERT_EQ(0, axs_list_gpus(fd, &g, &n));
	free(g);
	s->ngpus = n;
	ASSERT_EQ(0, axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &s->q, &s->nq));
	ASSERT_EQ(0, axs_list_procs(fd, 0, &s->p, &s->np));
	/* Leave out what changes by itself as kernels run and time passes. */
	for (i = 0; i < s->nq; i++) {
		s->q[i].state &= AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE;
		s->q[i].counters.suspended_ns = 0;
		s->q[i].counters.busy_transitions = 0;
		s->q[i].counters.dispatches_completed = 0;
		s->q[i].counters.workgroups_completed = 0;
	}
}

static int snap_same(const struct snap *a, const struct snap *b)
{
	return a->ngpus == b->ngpus && a->nq == b->nq && a->np == b->np &&
	       !memcmp(a->q, b->q, a->nq * sizeof(*a->q)) &&
	       !memcmp(a->p, b->p, a->np * sizeof(*a->p));
}

static void snap_free(struct snap *s)
{
	free(s->q);
	free(s->p);
}

/* ------------------------------------------------------------------------ */
/* Every ioctl: how to make a valid argument and undo what it did. */

typedef FIXTURE_DATA(abi) abi_t;

struct zf {
	size_t off, len;
	uint64_t bad;		/* a non-zero value that is not allowed */
};

struct ioc {
	const char *name;
	unsigned long cmd;
	size_t ver0;
	unsigned int nz;
	struct zf z[4];		/* flags, pad and reserved fields */
	/* Fill in a valid argument (it is zeroed; size is set by the caller). */
	void (*prep)(struct __test_metadata *_metadata, abi_t *self, void *arg);
	/* Undo what a call that returned @ret did, and what prep did. */
	void (*done)(struct __test_metadata *_metadata, abi_t *self, void *arg, int ret);
	bool no_side_effects;	/* may be called on a read-only page */
};

#define __u __attribute__((unused))
#define PREP(name) \
	static void name(struct __test_metadata __u *_metadata, abi_t __u *self, void __u *arg)
#define DONE(name) \
	static void name(struct __test_metadata __u *_metadata, abi_t __u *self, void __u *arg, \
			 int __u ret)

#define FLD(type, f)	offsetof(type, f), sizeof(((type *)0)->f)
#define Z(type, f)	{ FLD(type, f), 1 }
#define ZB(type, f, v)	{ FLD(type, f), v }

PREP(prep_backend)
{
	((struct amdxsched_backend_info *)arg)->backend = AMDXSCHED_BACKEND_SIM;
}

PREP(prep_list)
{
	((struct amdxsched_list *)arg)->gpu_id = AMDXSCHED_GPU_ANY;
}

PREP(prep_suspend)
{
	struct amdxsched_suspend *a = arg;

	self->h = self->q;
	a->level = AMDXSCHED_LEVEL_INTERRUPT;
	a->count = 1;
	a->handles = (uintptr_t)&self->h;
	a->status = (uintptr_t)&self->st;
	a->lease_ms = 5000;
}

DONE(done_suspend)
{
	if (!ret)
		ASSERT_EQ(0, axs_resume1(self->fd, self->q));
}

PREP(prep_resume)
{
	struct amdxsched_resume *a = arg;

	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_INTERRUPT, 5000, NULL));
	self->h = self->q;
	a->count = 1;
	a->handles = (uintptr_t)&self->h;
	a->status = (uintptr_t)&self->st;
}

DONE(done_resume)
{
	if (ret)
		ASSERT_EQ(0, axs_resume1(self->fd, self->q));
}

PREP(prep_renew)
{
	struct amdxsched_lease_renew *a = arg;
	uint64_t lease = 0;

	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_INTERRUPT, 5000, &lease));
	a->lease_id = lease;
	a->lease_ms = 5000;
}

DONE(done_renew)
{
	ASSERT_EQ(0, axs_resume1(self->fd, self->q));
}

PREP(prep_prio)
{
	struct amdxsched_set_priority *a = arg;

	self->pe.handle = self->q;
	self->pe.priority = 7;	/* unchanged */
	self->pe.status = 0;
	a->count = 1;
	a->entries = (uintptr_t)&self->pe;
}

PREP(prep_cu_mask)
{
	struct amdxsched_set_cu_mask *a = arg;

	memset(self->mask, 0xff, sizeof(self->mask));	/* every CU */
	a->handle = self->q;
	a->num_bits = AMDXSCHED_CU_MASK_MAX_BITS;
	a->mask = (uintptr_t)self->mask;
}

PREP(prep_apply)
{
	struct amdxsched_apply *a = arg;

	memset(&self->ae, 0, sizeof(self->ae));
	self->ae.handle = self->q;
	self->ae.op = AMDXSCHED_APPLY_PRIORITY;
	self->ae.arg = 7;	/* unchanged */
	a->gpu_id = self->gpu;
	a->count = 1;
	a->entries = (uintptr_t)&self->ae;
	a->entry_size = sizeof(self->ae);
}

PREP(prep_events)
{
	struct amdxsched_events_config *a = arg;

	a->mask = AMDXSCHED_EVENT_MASK_ALL;
	a->ring_entries = 16;
}

DONE(done_events)
{
	if (!ret)
		ASSERT_EQ(0, axs_events_config(self->fd, 0, 0));
}

PREP(prep_attr)
{
	struct amdxsched_proc_attr *a = arg;

	a->flags = AMDXSCHED_ATTR_CLASS;
	a->sched_class = AMDXSCHED_CLASS_NORMAL;
}

PREP(prep_qattr)
{
	struct amdxsched_queue_attr *a = arg;

	a->handle = self->q;
	a->flags = AMDXSCHED_ATTR_CLASS;
	a->sched_class = AMDXSCHED_CLASS_NORMAL;
}

DONE(done_qattr)
{
	struct amdxsched_queue_attr a;

	AXS_INIT(a);
	a.handle = self->q;
	a.flags = AMDXSCHED_QUEUE_ATTR_CLEAR;
	ASSERT_EQ(0, axs_ioctl(self->fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, &a));
}

PREP(prep_add_gpu)
{
	struct amdxsched_sim_gpu_config *c = arg;

	c->num_xcc = 1;
	c->num_se_per_xcc = 1;
	c->num_sh_per_se = 1;
	c->active_cu[0][0][0] = 0x3;
	c->cu_state_bytes = 4096;
}

PREP(prep_sim_proc)
{
	((struct amdxsched_sim_proc *)arg)->op = AMDXSCHED_SIM_PROC_DESTROY;
}

DONE(done_sim_proc)
{
	if (ret)
		return;
	/* It destroyed the fixture's process and queue: make new ones. */
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &self->q, NULL));
}

PREP(prep_qcreate)
{
	struct amdxsched_sim_queue_create *a = arg;

	a->gpu_id = self->gpu;
	a->priority = 3;
}

DONE(done_qcreate)
{
	struct amdxsched_sim_queue_create *a = arg;

	if (!ret)
		ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, a->handle));
}

PREP(prep_qdestroy)
{
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 3, &self->extra, NULL));
	((struct amdxsched_sim_queue_destroy *)arg)->handle = self->extra;
}

DONE(done_qdestroy)
{
	if (ret)
		ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, self->extra));
}

PREP(prep_submit)
{
	struct amdxsched_sim_submit *a = arg;

	a->handle = self->q;
	a->grid = 1;
	a->wg_ns = 1000;
}

PREP(prep_wait)
{
	struct amdxsched_sim_wait *a = arg;
	uint64_t id = 0;

	ASSERT_EQ(0, axs_sim_submit(self->fd, self->q, 1, 1000, 0, &id));
	a->handle = self->q;
	a->dispatch_id = id;
	a->timeout_ns = AXS_EVENTUALLY_MS * MS;
}

#define RSV(type)	Z(type, reserved[0]), Z(type, reserved[1])

static const struct ioc iocs[] = {
	{ "VERSION", AMDXSCHED_IOC_VERSION, AMDXSCHED_VERSION_SIZE_VER0,
	  1, { Z(struct amdxsched_version, flags) }, NULL, NULL, true },
	{ "BACKEND_INFO", AMDXSCHED_IOC_BACKEND_INFO, AMDXSCHED_BACKEND_INFO_SIZE_VER0,
	  3, { Z(struct amdxsched_backend_info, flags), RSV(struct amdxsched_backend_info) },
	  prep_backend, NULL, true },
	{ "LIST_GPUS", AMDXSCHED_IOC_LIST_GPUS, AMDXSCHED_LIST_SIZE_VER0,
	  3, { Z(struct amdxsched_list, flags), RSV(struct amdxsched_list) },
	  prep_list, NULL, true },
	{ "LIST_QUEUES", AMDXSCHED_IOC_LIST_QUEUES, AMDXSCHED_LIST_SIZE_VER0,
	  3, { Z(struct amdxsched_list, flags), RSV(struct amdxsched_list) },
	  prep_list, NULL, true },
	{ "LIST_PROCS", AMDXSCHED_IOC_LIST_PROCS, AMDXSCHED_LIST_SIZE_VER0,
	  3, { Z(struct amdxsched_list, flags), RSV(struct amdxsched_list) },
	  prep_list, NULL, true },
	{ "SUSPEND", AMDXSCHED_IOC_SUSPEND, AMDXSCHED_SUSPEND_SIZE_VER0,
	  4, { Z(struct amdxsched_suspend, flags), Z(struct amdxsched_suspend, pad),
	       RSV(struct amdxsched_suspend) },
	  prep_suspend, done_suspend, false },
	{ "RESUME", AMDXSCHED_IOC_RESUME, AMDXSCHED_RESUME_SIZE_VER0,
	  4, { ZB(struct amdxsched_resume, flags, 1U << 1), Z(struct amdxsched_resume, pad),
	       RSV(struct amdxsched_resume) },
	  prep_resume, done_resume, false },
	{ "LEASE_RENEW", AMDXSCHED_IOC_LEASE_RENEW, AMDXSCHED_LEASE_RENEW_SIZE_VER0,
	  4, { Z(struct amdxsched_lease_renew, flags), Z(struct amdxsched_lease_renew, pad),
	       RSV(struct amdxsched_lease_renew) },
	  prep_renew, done_renew, false },
	{ "SET_PRIORITY", AMDXSCHED_IOC_SET_PRIORITY, AMDXSCHED_SET_PRIORITY_SIZE_VER0,
	  4, { Z(struct amdxsched_set_priority, flags), Z(struct amdxsched_set_priority, pad),
	       RSV(struct amdxsched_set_priority) },
	  prep_prio, NULL, false },
	{ "SET_CU_MASK", AMDXSCHED_IOC_SET_CU_MASK, AMDXSCHED_SET_CU_MASK_SIZE_VER0,
	  4, { Z(struct amdxsched_set_cu_mask, flags), Z(struct amdxsched_set_cu_mask, pad),
	       RSV(struct amdxsched_set_cu_mask) },
	  prep_cu_mask, NULL, false },
	{ "APPLY", AMDXSCHED_IOC_APPLY, AMDXSCHED_APPLY_SIZE_VER0,
	  4, { Z(struct amdxsched_apply, flags), Z(struct amdxsched_apply, pad),
	       RSV(struct amdxsched_apply) },
	  prep_apply, NULL, false },
	{ "EVENTS_CONFIG", AMDXSCHED_IOC_EVENTS_CONFIG, AMDXSCHED_EVENTS_CONFIG_SIZE_VER0,
	  4, { Z(struct amdxsched_events_config, flags), Z(struct amdxsched_events_config, pad),
	       RSV(struct amdxsched_events_config) },
	  prep_events, done_events, false },
	{ "SET_PROC_ATTR", AMDXSCHED_IOC_SET_PROC_ATTR, AMDXSCHED_PROC_ATTR_SIZE_VER0,
	  3, { ZB(struct amdxsched_proc_attr, flags, 1U << 31), RSV(struct amdxsched_proc_attr) },
	  prep_attr, NULL, false },
	{ "SET_QUEUE_ATTR", AMDXSCHED_IOC_SET_QUEUE_ATTR, AMDXSCHED_QUEUE_ATTR_SIZE_VER0,
	  4, { ZB(struct amdxsched_queue_attr, flags, 1U << 30),
	       Z(struct amdxsched_queue_attr, pad), RSV(struct amdxsched_queue_attr) },
	  prep_qattr, done_qattr, false },
	{ "SIM_ADD_GPU", AMDXSCHED_IOC_SIM_ADD_GPU, AMDXSCHED_SIM_GPU_CONFIG_SIZE_VER0,
	  3, { Z(struct amdxsched_sim_gpu_config, flags), RSV(struct amdxsched_sim_gpu_config) },
	  prep_add_gpu, NULL, false },
	{ "SIM_PROC", AMDXSCHED_IOC_SIM_PROC, AMDXSCHED_SIM_PROC_SIZE_VER0,
	  3, { Z(struct amdxsched_sim_proc, flags), RSV(struct amdxsched_sim_proc) },
	  prep_sim_proc, done_sim_proc, false },
	{ "SIM_QUEUE_CREATE", AMDXSCHED_IOC_SIM_QUEUE_CREATE, AMDXSCHED_SIM_QUEUE_CREATE_SIZE_VER0,
	  4, { Z(struct amdxsched_sim_queue_create, flags),
	       Z(struct amdxsched_sim_queue_create, pad), RSV(struct amdxsched_sim_queue_create) },
	  prep_qcreate, done_qcreate, false },
	{ "SIM_QUEUE_DESTROY", AMDXSCHED_IOC_SIM_QUEUE_DESTROY,
	  AMDXSCHED_SIM_QUEUE_DESTROY_SIZE_VER0,
	  3, { Z(struct amdxsched_sim_queue_destroy, flags),
	       RSV(struct amdxsched_sim_queue_destroy) },
	  prep_qdestroy, done_qdestroy, false },
	{ "SIM_SUBMIT", AMDXSCHED_IOC_SIM_SUBMIT, AMDXSCHED_SIM_SUBMIT_SIZE_VER0,
	  3, { Z(struct amdxsched_sim_submit, flags), RSV(struct amdxsched_sim_submit) },
	  prep_submit, NULL, false },
	{ "SIM_WAIT", AMDXSCHED_IOC_SIM_WAIT, AMDXSCHED_SIM_WAIT_SIZE_VER0,
	  3, { Z(struct amdxsched_sim_wait, flags), RSV(struct amdxsched_sim_wait) },
	  prep_wait, NULL, true },
};

/*
 * Call @io with a prepared argument in @buf (at least PAGE bytes), whose size
 * field says @size; @poke, if given, changes it first. Returns 0 or -errno and
 * has undone whatever the call did.
 */
static int call(struct __test_metadata *_metadata, abi_t *self, const struct ioc *io,
		void *buf, uint32_t size, void (*poke)(void *buf, const void *ctx),
		const void *ctx)
{
	int ret;

	memset(buf, 0, PAGE);
	if (io->prep)
		io->prep(_metadata, self, buf);
	*(uint32_t *)buf = size;
	if (poke)
		poke(buf, ctx);
	ret = axs_ioctl(self->fd, io->cmd, buf);
	if (io->done)
		io->done(_metadata, self, buf, ret);
	return ret;
}

/* As call(), and the call must fail with @err and change nothing. */
static void call_fails(struct __test_metadata *_metadata, abi_t *self, const struct ioc *io,
		       void *buf, uint32_t size, void (*poke)(void *buf, const void *ctx),
		       const void *ctx, int err)
{
	struct snap before, after;
	int ret;

	memset(buf, 0, PAGE);
	if (io->prep)
		io->prep(_metadata, self, buf);
	*(uint32_t *)buf = size;
	if (poke)
		poke(buf, ctx);
	snap_take(_metadata, self->fd, &before);
	ret = axs_ioctl(self->fd, io->cmd, buf);
	snap_take(_metadata, self->fd, &after);
	EXPECT_EQ(err, ret) TH_LOG("%s, size %u", io->name, size);
	EXPECT_TRUE(snap_same(&before, &after)) TH_LOG("%s changed state and failed", io->name);
	snap_free(&before);
	snap_free(&after);
	if (io->done)
		io->done(_metadata, self, buf, ret);
}

static union {
	uint64_t align;
	uint32_t size;
	unsigned char b[2 * PAGE];
} page_u;
#define page_buf ((void *)page_u.b)

TEST_F(abi, every_ioctl_works_with_its_own_size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];

		EXPECT_EQ(0, call(_metadata, self, io, page_buf, io->ver0, NULL, NULL))
			TH_LOG("%s", io->name);
	}
}

TEST_F(abi, size_shorter_than_ver0_is_einval)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		uint32_t sizes[] = { 0, 4, 8, iocs[i].ver0 - 8, iocs[i].ver0 - 1 };

		for (j = 0; j < ARRAY_SIZE(sizes); j++)
			call_fails(_metadata, self, &iocs[i], page_buf, sizes[j], NULL, NULL,
				   -EINVAL);
	}
}

TEST_F(abi, size_over_a_page_is_e2big)
{
	static const uint32_t sizes[] = { PAGE + 1, PAGE + 8, 2 * PAGE, 0x80000000u, 0xffffffffu };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(iocs); i++)
		for (j = 0; j < ARRAY_SIZE(sizes); j++)
			call_fails(_metadata, self, &iocs[i], page_buf, sizes[j], NULL, NULL,
				   -E2BIG);
}

static void poke_byte(void *buf, const void *ctx)
{
	((unsigned char *)buf)[*(const size_t *)ctx] = 0x01;
}

TEST_F(abi, nonzero_bytes_past_the_struct_are_e2big)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];
		struct { uint32_t size; size_t at; } cases[] = {
			{ io->ver0 + 8, io->ver0 },
			{ io->ver0 + 8, io->ver0 + 7 },
			{ PAGE, PAGE - 1 },
		};

		for (j = 0; j < ARRAY_SIZE(cases); j++)
			call_fails(_metadata, self, io, page_buf, cases[j].size, poke_byte,
				   &cases[j].at, -E2BIG);
	}
}

TEST_F(abi, zeros_past_the_struct_are_accepted)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];

		EXPECT_EQ(0, call(_metadata, self, io, page_buf, io->ver0 + 8, NULL, NULL))
			TH_LOG("%s", io->name);
		/* Each success of SIM_ADD_GPU adds a GPU for good: once is enough. */
		if (io->cmd == AMDXSCHED_IOC_SIM_ADD_GPU)
			continue;
		EXPECT_EQ(0, call(_metadata, self, io, page_buf, PAGE, NULL, NULL))
			TH_LOG("%s", io->name);
	}
}

TEST_F(abi, output_goes_to_a_longer_struct_too)
{
	struct amdxsched_version *v = (void *)page_buf;
	struct amdxsched_version ref;

	ASSERT_EQ(0, axs_version(self->fd, &ref));
	memset(page_buf, 0, sizeof(page_u));
	v->size = sizeof(*v) + 64;
	ASSERT_EQ(0, axs_ioctl(self->fd, AMDXSCHED_IOC_VERSION, v));
	EXPECT_EQ(sizeof(*v) + 64, v->size);
	v->size = ref.size;
	EXPECT_EQ(0, memcmp(&ref, v, sizeof(ref)));
	/* nothing is written past what the kernel knows */
	EXPECT_EQ(0, ((unsigned char *)page_buf)[sizeof(*v)]);
}

static void poke_field(void *buf, const void *ctx)
{
	const struct zf *z = ctx;

	memcpy((char *)buf + z->off, &z->bad, z->len);	/* little endian */
}

static void poke_field_ones(void *buf, const void *ctx)
{
	const struct zf *z = ctx;

	memset((char *)buf + z->off, 0xff, z->len);
}

TEST_F(abi, nonzero_flags_pad_and_reserved_are_einval)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];

		ASSERT_LT(0, io->nz);
		for (j = 0; j < io->nz; j++) {
			call_fails(_metadata, self, io, page_buf, io->ver0, poke_field,
				   &io->z[j], -EINVAL);
			call_fails(_metadata, self, io, page_buf, io->ver0, poke_field_ones,
				   &io->z[j], -EINVAL);
		}
	}
}

/* Two pages, the second PROT_NONE; returns the boundary. */
static char *guard_pages(struct __test_metadata *_metadata)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + PAGE, PAGE, PROT_NONE));
	return p + PAGE;
}

TEST_F(abi, null_or_unmapped_argument_is_efault)
{
	char *edge = guard_pages(_metadata);
	struct snap before, after;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];
		char *arg = edge - io->ver0;

		snap_take(_metadata, self->fd, &before);
		EXPECT_EQ(-EFAULT, axs_ioctl(self->fd, io->cmd, NULL)) TH_LOG("%s", io->name);
		EXPECT_EQ(-EFAULT, axs_ioctl(self->fd, io->cmd, edge)) TH_LOG("%s", io->name);
		EXPECT_EQ(-EFAULT, axs_ioctl(self->fd, io->cmd, (void *)8)) TH_LOG("%s", io->name);
		snap_take(_metadata, self->fd, &after);
		EXPECT_TRUE(snap_same(&before, &after)) TH_LOG("%s", io->name);
		snap_free(&before);
		snap_free(&after);

		/* A valid struct whose size field reaches into the guard page. */
		memset(page_buf, 0, sizeof(page_u));
		if (io->prep)
			io->prep(_metadata, self, page_buf);
		memcpy(arg, page_buf, io->ver0);
		*(uint32_t *)arg = io->ver0 + 8;
		snap_take(_metadata, self->fd, &before);
		EXPECT_EQ(-EFAULT, axs_ioctl(self->fd, io->cmd, arg)) TH_LOG("%s", io->name);
		snap_take(_metadata, self->fd, &after);
		EXPECT_TRUE(snap_same(&before, &after)) TH_LOG("%s", io->name);
		snap_free(&before);
		snap_free(&after);
		if (io->done)
			io->done(_metadata, self, arg, -EFAULT);
	}
}

TEST_F(abi, read_only_argument_of_a_query_is_efault)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];

		if (!io->no_side_effects)
			continue;
		ASSERT_EQ(0, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
		memset(p, 0, PAGE);
		if (io->prep)
			io->prep(_metadata, self, p);
		*(uint32_t *)p = io->ver0;
		ASSERT_EQ(0, mprotect(p, PAGE, PROT_READ));
		EXPECT_EQ(-EFAULT, axs_ioctl(self->fd, io->cmd, p)) TH_LOG("%s", io->name);
	}
	ASSERT_EQ(0, munmap(p, PAGE));
}

/*
 * The calls that change something and then write results into their
 * argument (a lease id, a deadline, a handle, a pid, a GPU id, a dispatch
 * id): a struct the caller cannot write fails the call with EFAULT before
 * anything changes, or the caller would not learn what it made.
 */
static const char *const calls_with_results[] = {
	"SUSPEND", "LEASE_RENEW", "SIM_ADD_GPU", "SIM_PROC", "SIM_QUEUE_CREATE", "SIM_SUBMIT",
};

TEST_F(abi, read_only_argument_of_a_call_with_results_changes_nothing)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct snap before, after;
	unsigned int i, j, found = 0;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];

		for (j = 0; j < ARRAY_SIZE(calls_with_results); j++)
			if (!strcmp(io->name, calls_with_results[j]))
				break;
		if (j == ARRAY_SIZE(calls_with_results))
			continue;
		found++;
		ASSERT_EQ(0, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
		memset(p, 0, PAGE);
		if (io->prep)
			io->prep(_metadata, self, p);
		*(uint32_t *)p = io->ver0;
		ASSERT_EQ(0, mprotect(p, PAGE, PROT_READ));
		snap_take(_metadata, self->fd, &before);
		EXPECT_EQ(-EFAULT, axs_ioctl(self->fd, io->cmd, p)) TH_LOG("%s", io->name);
		snap_take(_metadata, self->fd, &after);
		EXPECT_TRUE(snap_same(&before, &after)) TH_LOG("%s changed something", io->name);
		snap_free(&before);
		snap_free(&after);
		if (io->done)
			io->done(_metadata, self, p, -EFAULT);
	}
	EXPECT_EQ(ARRAY_SIZE(calls_with_results), found);
	ASSERT_EQ(0, munmap(p, PAGE));
}

/* Every __u64 user pointer field: NULL, unmapped, and (for output) read-only. */
TEST_F(abi, bad_pointer_fields_are_efault)
{
	static const unsigned long lists[] = {
		AMDXSCHED_IOC_LIST_GPUS, AMDXSCHED_IOC_LIST_QUEUES, AMDXSCHED_IOC_LIST_PROCS,
	};
	static const uint32_t esize[] = {
		sizeof(struct amdxsched_gpu_info), sizeof(struct amdxsched_queue_info),
		sizeof(struct amdxsched_proc_info),
	};
	char *edge = guard_pages(_metadata);
	char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *bad[] = { NULL, edge, (void *)8 };
	struct snap before, after;
	uint64_t h = self->q, hh[2];
	uint32_t mask[32];
	unsigned int i, j;
	uint32_t count;

	ASSERT_NE(MAP_FAILED, ro);
	snap_take(_metadata, self->fd, &before);

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			count = 4;
			EXPECT_EQ(-EFAULT, axs_list(self->fd, lists[i], bad[j], &count, esize[i],
						    0, AMDXSCHED_GPU_ANY)) TH_LOG("list %u", i);
		}
		count = 4;
		EXPECT_EQ(-EFAULT, axs_list(self->fd, lists[i], ro, &count, esize[i], 0,
					    AMDXSCHED_GPU_ANY)) TH_LOG("list %u", i);
	}

	for (j = 0; j < ARRAY_SIZE(bad); j++) {
		EXPECT_EQ(-EFAULT, axs_suspend(self->fd, bad[j], 1, AMDXSCHED_LEVEL_INTERRUPT,
					       1000, NULL, NULL));
		if (bad[j])	/* status 0 means "no status array" */
			EXPECT_EQ(-EFAULT, axs_suspend(self->fd, &h, 1,
						       AMDXSCHED_LEVEL_INTERRUPT, 1000,
						       bad[j], NULL));
		EXPECT_EQ(-EFAULT, axs_resume(self->fd, bad[j], 1, 0, NULL));
		EXPECT_EQ(-EFAULT, axs_set_priority(self->fd, bad[j], 1));
		EXPECT_EQ(-EFAULT, axs_set_cu_mask(self->fd, self->q, bad[j], 32));
	}
	EXPECT_EQ(-EFAULT, axs_suspend(self->fd, &h, 1, AMDXSCHED_LEVEL_INTERRUPT, 1000,
				       (int32_t *)ro, NULL));
	/* a status array whose second entry is on the guard page */
	hh[0] = hh[1] = h;
	EXPECT_EQ(-EFAULT, axs_suspend(self->fd, hh, 2, AMDXSCHED_LEVEL_INTERRUPT, 1000,
				       (int32_t *)(edge - 4), NULL));
	/* the handle array runs into the guard page */
	memcpy(edge - 8, &h, 8);
	EXPECT_EQ(-EFAULT, axs_suspend(self->fd, (uint64_t *)(edge - 8), 2,
				       AMDXSCHED_LEVEL_INTERRUPT, 1000, NULL, NULL));
	memset(mask, 0xff, sizeof(mask));
	memcpy(edge - 4, mask, 4);
	EXPECT_EQ(-EFAULT, axs_set_cu_mask(self->fd, self->q, (uint32_t *)(edge - 4), 64));

	snap_take(_metadata, self->fd, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	snap_free(&before);
	snap_free(&after);

	/* RESUME's status array is checked before anything resumes. */
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_INTERRUPT, 5000, NULL));
	snap_take(_metadata, self->fd, &before);
	EXPECT_EQ(-EFAULT, axs_resume(self->fd, &h, 1, 0, (int32_t *)ro));
	EXPECT_EQ(-EFAULT, axs_resume(self->fd, &h, 1, 0, (int32_t *)edge));
	EXPECT_EQ(-EFAULT, axs_resume(self->fd, hh, 2, 0, (int32_t *)(edge - 4)));
	snap_take(_metadata, self->fd, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	snap_free(&before);
	snap_free(&after);
	ASSERT_EQ(0, axs_resume1(self->fd, self->q));
	ASSERT_EQ(0, munmap(ro, PAGE));
}

/*
 * SET_PRIORITY returns per-entry status in its entries array. Like SUSPEND
 * and RESUME with their status arrays, a call whose results cannot be
 * written back must fail before it changes anything.
 */
TEST_F(abi, set_priority_with_read_only_entries_changes_nothing)
{
	struct amdxsched_priority_entry *ro;
	struct amdxsched_queue_info qi;

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ro->handle = self->q;
	ro->priority = 3;
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));
	EXPECT_EQ(-EFAULT, axs_set_priority(self->fd, ro, 1));
	ASSERT_EQ(0, axs_queue_info(self->fd, self->q, &qi));
	EXPECT_EQ(7, qi.priority);
	ASSERT_EQ(0, munmap(ro, PAGE));
}

/* ------------------------------------------------------------------------ */

TEST_F(abi, version)
{
	struct amdxsched_version v, v2;
	struct amdxsched_backend_info kfd;
	struct amdxsched_gpu_info *g = NULL;
	uint32_t i, n = 0, sim = 0;
	unsigned long long param;
	char buf[64];
	FILE *f;
	int fd2;

	ASSERT_EQ(0, axs_version(self->fd, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(0, v.flags);
	EXPECT_EQ(AMDXSCHED_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(1, v.abi_major);
	EXPECT_EQ(AMDXSCHED_ABI_MINOR, v.abi_minor);
	EXPECT_NE(0, v.instance_id);
	EXPECT_EQ(AMDXSCHED_CAP_EVENTS | AMDXSCHED_CAP_LEASES | AMDXSCHED_CAP_PROC_ATTR |
		  AMDXSCHED_CAP_SIM | AMDXSCHED_CAP_APPLY | AMDXSCHED_CAP_QUEUE_ATTR, v.caps);
	ASSERT_EQ(0, axs_backend_info(self->fd, AMDXSCHED_BACKEND_KFD, &kfd));
	EXPECT_EQ((1U << AMDXSCHED_BACKEND_SIM) |
		  (kfd.status == AMDXSCHED_BACKEND_RUNNING ? 1U << AMDXSCHED_BACKEND_KFD : 0),
		  v.backends);
	EXPECT_EQ((1U << AMDXSCHED_LEVEL_DEACTIVATE) | (1U << AMDXSCHED_LEVEL_INTERRUPT), v.levels);
	EXPECT_EQ(AMDXSCHED_MAX_BATCH, v.max_batch);
	EXPECT_EQ(1024, v.max_batch);
	EXPECT_EQ(1, v.control);
	EXPECT_NE(NULL, memchr(v.module_version, 0, sizeof(v.module_version)));
	EXPECT_LT(0, strlen(v.module_version));

	/* max_lease_ms is the module parameter (10000 by default) */
	f = fopen("/sys/module/amdxsched/parameters/max_lease_ms", "r");
	if (f) {
		ASSERT_EQ(1, fscanf(f, "%llu", &param));
		fclose(f);
		EXPECT_EQ(param, v.max_lease_ms);
	} else {
		EXPECT_EQ(10000, v.max_lease_ms);
	}
	f = fopen("/sys/module/amdxsched/version", "r");
	if (f) {
		ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		EXPECT_STREQ(buf, v.module_version);
	}

	ASSERT_EQ(0, axs_list_gpus(self->fd, &g, &n));
	for (i = 0; i < n; i++)
		sim += g[i].backend == AMDXSCHED_BACKEND_SIM;
	free(g);
	EXPECT_EQ(n, v.num_gpus);
	EXPECT_LE(1, sim);

	/* The instance id is the module's, whatever file asks. */
	fd2 = axs_open(O_RDONLY);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, axs_version(fd2, &v2));
	EXPECT_EQ(v.instance_id, v2.instance_id);
	EXPECT_EQ(1, v2.control);	/* root: CAP_SYS_NICE */
	ASSERT_EQ(0, close(fd2));
	fd2 = axs_open(O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, axs_version(fd2, &v2));
	EXPECT_EQ(v.instance_id, v2.instance_id);
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(0, axs_version(self->fd, &v2));
	EXPECT_EQ(v.instance_id, v2.instance_id);
}

TEST_F(abi, backend_info)
{
	static const uint32_t bad[] = { 0, 3, 4, 0x40, 0xffffffffu };
	struct amdxsched_backend_info bi;
	struct amdxsched_gpu_info *g = NULL;
	uint32_t i, n = 0, sim = 0;

	ASSERT_EQ(0, axs_backend_info(self->fd, AMDXSCHED_BACKEND_SIM, &bi));
	EXPECT_EQ(AMDXSCHED_BACKEND_SIM, bi.backend);
	EXPECT_EQ(AMDXSCHED_BACKEND_RUNNING, bi.status);
	EXPECT_EQ((1U << 2) | (1U << 3), bi.levels);
	EXPECT_EQ(AMDXSCHED_BCAP_PER_QUEUE | AMDXSCHED_BCAP_PRIORITY | AMDXSCHED_BCAP_CU_MASK |
		  AMDXSCHED_BCAP_BUSY_EVENTS, bi.caps);
	EXPECT_EQ(0, bi.error);
	EXPECT_STREQ("sim", bi.name);
	EXPECT_NE(NULL, memchr(bi.detail, 0, sizeof(bi.detail)));
	EXPECT_LT(0, strlen(bi.detail));
	ASSERT_EQ(0, axs_list_gpus(self->fd, &g, &n));
	for (i = 0; i < n; i++)
		sim += g[i].backend == AMDXSCHED_BACKEND_SIM;
	free(g);
	EXPECT_EQ(sim, bi.num_gpus);

	/* kfd_test checks what the kfd backend should be; here, that it is consistent */
	ASSERT_EQ(0, axs_backend_info(self->fd, AMDXSCHED_BACKEND_KFD, &bi));
	EXPECT_EQ(AMDXSCHED_BACKEND_KFD, bi.backend);
	EXPECT_STREQ("kfd", bi.name);
	EXPECT_NE(NULL, memchr(bi.detail, 0, sizeof(bi.detail)));
	EXPECT_LT(0, strlen(bi.detail));
	switch (bi.status) {
	case AMDXSCHED_BACKEND_RUNNING:
		EXPECT_EQ(0, bi.error);
		EXPECT_NE(0, bi.levels);
		EXPECT_NE(0, bi.caps);
		break;
	case AMDXSCHED_BACKEND_REFUSED:
		EXPECT_GT(0, bi.error);
		/* fall through */
	case AMDXSCHED_BACKEND_ABSENT:
		EXPECT_EQ(0, bi.levels);
		EXPECT_EQ(0, bi.caps);
		EXPECT_EQ(0, bi.num_gpus);
		break;
	default:
		EXPECT_EQ(AMDXSCHED_BACKEND_RUNNING, bi.status);
	}

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		AXS_INIT(bi);
		bi.backend = bad[i];
		EXPECT_EQ(-EINVAL, axs_ioctl(self->fd, AMDXSCHED_IOC_BACKEND_INFO, &bi))
			TH_LOG("backend %u", bad[i]);
	}
}

TEST_F(abi, unknown_ioctl_numbers_are_enotty)
{
	struct snap before, after;
	unsigned long cmds[128];
	unsigned int i, n = 0;

	cmds[n++] = _IO(AMDXSCHED_IOC_MAGIC, 0x0e);
	cmds[n++] = _IOWR(AMDXSCHED_IOC_MAGIC, 0x0e, struct amdxsched_list);
	cmds[n++] = _IOWR(AMDXSCHED_IOC_MAGIC, 0x3f, struct amdxsched_version);
	cmds[n++] = _IOWR(AMDXSCHED_IOC_MAGIC, 0x46, struct amdxsched_sim_wait);
	cmds[n++] = _IOWR(AMDXSCHED_IOC_MAGIC, 0xff, struct amdxsched_version);
	cmds[n++] = _IOWR(AMDXSCHED_IOC_MAGIC + 1, 0x00, struct amdxsched_version);
	cmds[n++] = _IOWR(AMDXSCHED_IOC_MAGIC - 1, 0x02, struct amdxsched_list);
	cmds[n++] = TCGETS;
	/* every known number with another size or direction */
	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		unsigned long c = iocs[i].cmd;
		unsigned long nr = _IOC_NR(c), sz = _IOC_SIZE(c);

		cmds[n++] = _IOC(_IOC_READ | _IOC_WRITE, AMDXSCHED_IOC_MAGIC, nr, sz + 8);
		cmds[n++] = _IOC(_IOC_READ, AMDXSCHED_IOC_MAGIC, nr, sz);
		cmds[n++] = _IOC(_IOC_NONE, AMDXSCHED_IOC_MAGIC, nr, 0);
	}
	ASSERT_GE(ARRAY_SIZE(cmds), n);

	snap_take(_metadata, self->fd, &before);
	for (i = 0; i < n; i++) {
		/* an argument that would be valid for the real ioctl */
		memset(page_buf, 0, sizeof(page_u));
		page_u.size = AMDXSCHED_VERSION_SIZE_VER0;
		EXPECT_EQ(-ENOTTY, axs_ioctl(self->fd, cmds[i], page_buf))
			TH_LOG("cmd 0x%lx", cmds[i]);
	}
	snap_take(_metadata, self->fd, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	snap_free(&before);
	snap_free(&after);
}

/* ------------------------------------------------------------------------ */
/* The list ioctls */

struct lst {
	const char *name;
	unsigned long cmd;
	uint32_t esize;
};

static const struct lst lsts[] = {
	{ "LIST_GPUS", AMDXSCHED_IOC_LIST_GPUS, AMDXSCHED_GPU_INFO_SIZE_VER0 },
	{ "LIST_QUEUES", AMDXSCHED_IOC_LIST_QUEUES, AMDXSCHED_QUEUE_INFO_SIZE_VER0 },
	{ "LIST_PROCS", AMDXSCHED_IOC_LIST_PROCS, AMDXSCHED_PROC_INFO_SIZE_VER0 },
};

/*
 * Every entry of list @cmd, through libaxs (malloc'ed into *out), each of
 * its struct's full size: the uapi header pins that to lsts[]'s VER0 sizes.
 */
static int list_all(int fd, unsigned long cmd, void **out, uint32_t *n)
{
	struct amdxsched_queue_info *q = NULL;
	struct amdxsched_proc_info *p = NULL;
	struct amdxsched_gpu_info *g = NULL;
	int ret;

	switch (cmd) {
	case AMDXSCHED_IOC_LIST_GPUS:
		ret = axs_list_gpus(fd, &g, n);
		*out = g;
		return ret;
	case AMDXSCHED_IOC_LIST_QUEUES:
		ret = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &q, n);
		*out = q;
		return ret;
	case AMDXSCHED_IOC_LIST_PROCS:
		ret = axs_list_procs(fd, 0, &p, n);
		*out = p;
		return ret;
	}
	return -ENOTTY;
}

TEST_F(abi, list_count_zero_reports_the_number_and_writes_nothing)
{
	unsigned char buf[1024];
	unsigned int i, k;
	uint32_t count, all;
	void *ents = NULL;

	for (i = 0; i < ARRAY_SIZE(lsts); i++) {
		ASSERT_EQ(0, list_all(self->fd, lsts[i].cmd, &ents, &all));
		free(ents);
		EXPECT_LE(1, all) TH_LOG("%s", lsts[i].name);

		count = 0;
		ASSERT_EQ(0, axs_list(self->fd, lsts[i].cmd, NULL, &count, lsts[i].esize, 0,
				      AMDXSCHED_GPU_ANY));
		EXPECT_EQ(all, count);

		memset(buf, 0xaa, sizeof(buf));
		count = 0;
		/* a bogus entry size does not matter when nothing is written */
		ASSERT_EQ(0, axs_list(self->fd, lsts[i].cmd, buf, &count, 0, 0,
				      AMDXSCHED_GPU_ANY));
		EXPECT_EQ(all, count);
		for (k = 0; k < sizeof(buf); k++)
			if (buf[k] != 0xaa)
				break;
		EXPECT_EQ(sizeof(buf), k) TH_LOG("%s wrote with count 0", lsts[i].name);
	}
}

TEST_F(abi, list_entry_size_below_ver0_is_einval)
{
	struct snap before, after;
	unsigned char buf[2 * PAGE];
	unsigned int i;
	uint32_t count;

	snap_take(_metadata, self->fd, &before);
	for (i = 0; i < ARRAY_SIZE(lsts); i++) {
		uint32_t sizes[] = { 0, 8, lsts[i].esize - 8, lsts[i].esize - 1 };
		unsigned int j;

		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			memset(buf, 0xaa, sizeof(buf));
			count = 1;
			EXPECT_EQ(-EINVAL, axs_list(self->fd, lsts[i].cmd, buf, &count, sizes[j],
						    0, AMDXSCHED_GPU_ANY))
				TH_LOG("%s entry_size %u", lsts[i].name, sizes[j]);
			EXPECT_EQ(0xaa, buf[0]);
		}
		/* and over a page is too big */
		count = 1;
		EXPECT_EQ(-E2BIG, axs_list(self->fd, lsts[i].cmd, buf, &count, PAGE + 8, 0,
					   AMDXSCHED_GPU_ANY));
	}
	snap_take(_metadata, self->fd, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	snap_free(&before);
	snap_free(&after);
}

TEST_F(abi, list_larger_entries_get_a_zeroed_tail)
{
	const uint32_t extra = 24;
	unsigned int i, k, e;

	for (i = 0; i < ARRAY_SIZE(lsts); i++) {
		uint32_t es = lsts[i].esize + extra, all, count;
		unsigned char *ref = NULL, *big;

		ASSERT_EQ(0, list_all(self->fd, lsts[i].cmd, (void **)&ref, &all));
		big = malloc((size_t)(all + 1) * es);
		ASSERT_NE(NULL, big);
		memset(big, 0xaa, (size_t)(all + 1) * es);
		count = all + 1;
		ASSERT_EQ(0, axs_list(self->fd, lsts[i].cmd, big, &count, es, 0,
				      AMDXSCHED_GPU_ANY));
		ASSERT_EQ(all, count) TH_LOG("%s: something appeared meanwhile", lsts[i].name);
		for (e = 0; e < all; e++) {
			unsigned char *ent = big + (size_t)e * es;

			/* the same identity as with the exact size */
			EXPECT_EQ(0, memcmp(ent, ref + (size_t)e * lsts[i].esize, 8))
				TH_LOG("%s entry %u", lsts[i].name, e);
			for (k = lsts[i].esize; k < es; k++)
				if (ent[k])
					break;
			EXPECT_EQ(es, k) TH_LOG("%s entry %u: tail byte %u not zeroed",
						lsts[i].name, e, k);
		}
		/* the spare entry is untouched */
		for (k = 0; k < es; k++)
			if (big[(size_t)all * es + k] != 0xaa)
				break;
		EXPECT_EQ(es, k) TH_LOG("%s wrote past count", lsts[i].name);
		free(big);
		free(ref);
	}
}

TEST_F(abi, list_count_over_the_limit_is_e2big)
{
	static const uint32_t counts[] = { AMDXSCHED_MAX_LIST + 1, 1U << 20, 0xffffffffu };
	unsigned int i, j;
	uint32_t count;
	void *buf;

	for (i = 0; i < ARRAY_SIZE(lsts); i++) {
		for (j = 0; j < ARRAY_SIZE(counts); j++) {
			count = counts[j];
			EXPECT_EQ(-E2BIG, axs_list(self->fd, lsts[i].cmd, page_buf, &count,
						   lsts[i].esize, 0, AMDXSCHED_GPU_ANY));
		}
		/* the limit itself is fine */
		buf = calloc(AMDXSCHED_MAX_LIST, lsts[i].esize);
		ASSERT_NE(NULL, buf);
		count = AMDXSCHED_MAX_LIST;
		EXPECT_EQ(0, axs_list(self->fd, lsts[i].cmd, buf, &count, lsts[i].esize, 0,
				      AMDXSCHED_GPU_ANY));
		EXPECT_LE(1, count);
		free(buf);
	}
}

TEST_F(abi, list_count_below_the_matches_reports_all_writes_room)
{
	unsigned char buf[3 * PAGE];
	unsigned int i, k, tested = 0;
	uint32_t count, all;
	uint64_t q2;

	/* two queues at least; LIST_GPUS and LIST_PROCS may have one entry only */
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 1, &q2, NULL));
	for (i = 0; i < ARRAY_SIZE(lsts); i++) {
		uint32_t es = lsts[i].esize;

		count = 0;
		ASSERT_EQ(0, axs_list(self->fd, lsts[i].cmd, NULL, &count, es, 0,
				      AMDXSCHED_GPU_ANY));
		all = count;
		if (all < 2)
			continue;
		tested++;
		memset(buf, 0xaa, sizeof(buf));
		count = 1;
		ASSERT_EQ(0, axs_list(self->fd, lsts[i].cmd, buf, &count, es, 0,
				      AMDXSCHED_GPU_ANY));
		EXPECT_EQ(all, count) TH_LOG("%s", lsts[i].name);
		for (k = es; k < 2 * es; k++)
			if (buf[k] != 0xaa)
				break;
		EXPECT_EQ(2 * es, k) TH_LOG("%s wrote past the room", lsts[i].name);
	}
	EXPECT_LE(1, tested);
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, q2));
}

TEST_F(abi, list_filters)
{
	struct amdxsched_queue_info qi[8];
	struct amdxsched_proc_info pi;
	struct snap before, after;
	uint32_t count;
	pid_t gone;

	/* a process that no longer exists */
	gone = fork();
	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	ASSERT_EQ(0, axs_wait_child(gone));

	snap_take(_metadata, self->fd, &before);

	/* unknown GPU */
	count = 8;
	EXPECT_EQ(-ENODEV, axs_list(self->fd, AMDXSCHED_IOC_LIST_GPUS, page_buf, &count,
				    sizeof(struct amdxsched_gpu_info), 0, 0xfffffff0u));
	count = 8;
	EXPECT_EQ(-ENODEV, axs_list(self->fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count,
				    sizeof(qi[0]), 0, 0xfffffff0u));
	/* processes span GPUs */
	count = 1;
	EXPECT_EQ(-EINVAL, axs_list(self->fd, AMDXSCHED_IOC_LIST_PROCS, &pi, &count,
				    sizeof(pi), 0, self->gpu));
	/* GPUs belong to no process */
	count = 8;
	EXPECT_EQ(-EINVAL, axs_list(self->fd, AMDXSCHED_IOC_LIST_GPUS, page_buf, &count,
				    sizeof(struct amdxsched_gpu_info), getpid(),
				    AMDXSCHED_GPU_ANY));
	/* pid 1 exists but has no queues; "gone" does not exist */
	count = 8;
	EXPECT_EQ(-ESRCH, axs_list(self->fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count,
				   sizeof(qi[0]), 1, AMDXSCHED_GPU_ANY));
	count = 1;
	EXPECT_EQ(-ESRCH, axs_list(self->fd, AMDXSCHED_IOC_LIST_PROCS, &pi, &count,
				   sizeof(pi), 1, AMDXSCHED_GPU_ANY));
	count = 8;
	EXPECT_EQ(-ESRCH, axs_list(self->fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count,
				   sizeof(qi[0]), gone, AMDXSCHED_GPU_ANY));
	count = 1;
	EXPECT_EQ(-ESRCH, axs_list(self->fd, AMDXSCHED_IOC_LIST_PROCS, &pi, &count,
				   sizeof(pi), gone, AMDXSCHED_GPU_ANY));

	snap_take(_metadata, self->fd, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	snap_free(&before);
	snap_free(&after);

	/* the filters that match: our process, our GPU */
	count = 8;
	ASSERT_EQ(0, axs_list(self->fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count, sizeof(qi[0]),
			      getpid(), self->gpu));
	ASSERT_EQ(1, count);
	EXPECT_EQ(self->q, qi[0].handle);
	EXPECT_EQ(getpid(), qi[0].pid);
	ASSERT_EQ(0, axs_proc_info(self->fd, getpid(), &pi));
	EXPECT_EQ(getpid(), pi.pid);
	EXPECT_EQ(1, pi.num_queues);
}

/* A GPU filter of LIST_GPUS is argument validation: it cannot depend on whether the pid exists. */
TEST_F(abi, list_gpus_with_any_pid_is_einval)
{
	uint32_t count = 8;
	pid_t gone = fork();

	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	ASSERT_EQ(0, axs_wait_child(gone));
	EXPECT_EQ(-EINVAL, axs_list(self->fd, AMDXSCHED_IOC_LIST_GPUS, page_buf, &count,
				    sizeof(struct amdxsched_gpu_info), gone, AMDXSCHED_GPU_ANY));
	count = 8;
	EXPECT_EQ(-EINVAL, axs_list(self->fd, AMDXSCHED_IOC_LIST_GPUS, page_buf, &count,
				    sizeof(struct amdxsched_gpu_info), 0x7ffffff0,
				    AMDXSCHED_GPU_ANY));
}

TEST_HARNESS_MAIN
