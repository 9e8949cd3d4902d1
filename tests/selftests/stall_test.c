// SPDX-License-Identifier: MIT
/*
 * Nobody waits behind a stalled caller: while one caller of the module is
 * stuck (its list buffer is a userfaultfd page nobody serves, or its unmap
 * hangs on one GPU), every other call answers, other GPUs change state, and
 * leases still expire on time, or are said to be late.
 */
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "axs_test.h"

/* A page whose first touch stops the toucher until the test serves it. */
struct stalled_page {
	int uffd;
	void *page;
	size_t len;
};

/* 0, or -errno; -EPERM/-ENOSYS mean this kernel or user cannot have one. */
static int stalled_page_make(struct stalled_page *sp)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int err;

	sp->len = (size_t)sysconf(_SC_PAGESIZE);
	/* Not UFFD_USER_MODE_ONLY: the fault to catch is the kernel's copy. */
	sp->uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (sp->uffd < 0)
		return -errno;
	sp->page = mmap(NULL, sp->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sp->page == MAP_FAILED) {
		err = -errno;
		close(sp->uffd);
		return err;
	}
	reg.range.start = (uintptr_t)sp->page;
	reg.range.len = sp->len;
	if (ioctl(sp->uffd, UFFDIO_API, &api) || ioctl(sp->uffd, UFFDIO_REGISTER, &reg)) {
		err = -errno;
		munmap(sp->page, sp->len);
		close(sp->uffd);
		return err;
	}
	return 0;
}

/* Wait up to @timeout_ms for a fault on the page: 1 if one came, 0, -errno. */
static int stalled_page_wait_fault(struct stalled_page *sp, int timeout_ms)
{
	struct pollfd p = { .fd = sp->uffd, .events = POLLIN };
	struct uffd_msg msg;
	int ret;

	ret = poll(&p, 1, timeout_ms);
	if (ret <= 0)
		return ret < 0 ? -errno : 0;
	if (read(sp->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -errno;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 1 : -EIO;
}

/* Let the stalled toucher go on: map a zero page there. */
static int stalled_page_serve(struct stalled_page *sp)
{
	struct uffdio_zeropage z = {
		.range = { .start = (uintptr_t)sp->page, .len = sp->len },
	};

	if (ioctl(sp->uffd, UFFDIO_ZEROPAGE, &z) && errno != EEXIST)
		return -errno;
	return 0;
}

static void stalled_page_free(struct stalled_page *sp)
{
	munmap(sp->page, sp->len);
	close(sp->uffd);
}

/* A call made on another thread, so that the test can wait for it with a bound. */
struct call {
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;		/* 0 or -errno */
	int done;		/* pipe: written when the call returned */
	int wait;
	bool returned;		/* seen to have returned */
};

static void *call_thread(void *arg)
{
	struct call *c = arg;

	c->ret = axs_ioctl(c->fd, c->cmd, c->arg);
	axs_pipe_put(c->done, 'x');
	return NULL;
}

static int call_start(struct call *c, pthread_t *t, int fd, unsigned long cmd, void *arg)
{
	int p[2];

	if (pipe(p))
		return -errno;
	c->fd = fd;
	c->cmd = cmd;
	c->arg = arg;
	c->ret = -EINPROGRESS;
	c->returned = false;
	c->wait = p[0];
	c->done = p[1];
	return -pthread_create(t, NULL, call_thread, c);
}

/* Has the call returned, or does it within @timeout_ms? */
static bool call_returned(struct call *c, int timeout_ms)
{
	if (!c->returned)
		c->returned = axs_pipe_get(c->wait, timeout_ms) == 'x';
	return c->returned;
}

static void call_end(struct call *c, pthread_t t)
{
	pthread_join(t, NULL);
	close(c->wait);
	close(c->done);
}

FIXTURE(stall) {
	int fd;			/* owns the simulated process, reads events */
	int lister;		/* the stalled caller's own file */
	uint32_t gpu;
	uint64_t q[2];
	struct stalled_page sp;
	bool have_page;
};

FIXTURE_SETUP(stall)
{
	struct amdxsched_version v;
	int ret;

	self->lister = -1;
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	axs_fixture_queues(_metadata, self->fd, self->gpu, self->q, 2);
	AXS_INIT(v);
	ASSERT_EQ(0, axs_version(self->fd, &v));
	ASSERT_EQ(0, axs_events_config(self->fd, axs_events_mask_all(&v), 4096));
	self->lister = axs_open(O_RDONLY);
	ASSERT_LE(0, self->lister);
	ret = stalled_page_make(&self->sp);
	if (ret == -EPERM || ret == -ENOSYS || ret == -EINVAL)
		SKIP(return, "no userfaultfd for kernel faults here (%s)", strerror(-ret));
	ASSERT_EQ(0, ret);
	self->have_page = true;
}

FIXTURE_TEARDOWN(stall)
{
	if (self->have_page)
		stalled_page_free(&self->sp);
	if (self->lister >= 0)
		EXPECT_EQ(0, close(self->lister));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/*
 * A LIST_QUEUES whose buffer is a page nobody serves stops in the copy out;
 * meanwhile VERSION, a SUSPEND with a short lease and that lease's expiry
 * go through. Before lists gathered their entries first, the lister held
 * the module's lock across the copy and every other call waited for it.
 */
TEST_F(stall, a_list_into_a_stalled_page_holds_up_nobody)
{
	struct amdxsched_queue_info *qi = self->sp.page;
	struct amdxsched_list l;
	struct amdxsched_version v;
	struct amdxsched_event ev;
	struct call lc, vc;
	uint64_t lease = 0;
	pthread_t lt, vt;
	bool version_ok, expired;

	AXS_INIT(l);
	l.gpu_id = AMDXSCHED_GPU_ANY;
	l.entries = (uintptr_t)qi;
	l.entry_size = sizeof(*qi);
	l.count = 1;
	ASSERT_EQ(0, call_start(&lc, &lt, self->lister, AMDXSCHED_IOC_LIST_QUEUES, &l));
	ASSERT_EQ(1, stalled_page_wait_fault(&self->sp, AXS_EVENTUALLY_MS)) {
		stalled_page_serve(&self->sp);
		call_end(&lc, lt);
	}

	/* The lister is now inside its copy out and stays there. */
	AXS_INIT(v);
	ASSERT_EQ(0, call_start(&vc, &vt, self->fd, AMDXSCHED_IOC_VERSION, &v));
	version_ok = call_returned(&vc, AXS_EVENTUALLY_MS);
	expired = false;
	if (version_ok && !axs_suspend1(self->fd, self->q[0], AMDXSCHED_LEVEL_INTERRUPT, 20, &lease))
		expired = axs_ev_wait(self->fd, AMDXSCHED_EVENT_LEASE_EXPIRED, 0,
				      AXS_EVENTUALLY_MS, &ev) == 1;
	EXPECT_FALSE(call_returned(&lc, 0));

	ASSERT_EQ(0, stalled_page_serve(&self->sp));
	EXPECT_TRUE(call_returned(&lc, AXS_EVENTUALLY_MS));
	call_end(&lc, lt);
	EXPECT_TRUE(call_returned(&vc, AXS_EVENTUALLY_MS));
	call_end(&vc, vt);

	EXPECT_TRUE(version_ok);
	EXPECT_EQ(0, vc.ret);
	EXPECT_TRUE(expired);
	if (expired)
		EXPECT_EQ(lease, ev.data[0]);
	/* The stalled list itself ended well, with a consistent snapshot. */
	EXPECT_EQ(0, lc.ret);
	EXPECT_LE(2, l.count);
	EXPECT_NE(0, qi[0].handle);
}

/*
 * Two simulated GPUs: the module's own and an added one whose unmaps can be
 * made to hang (the unmap_delay_us knob), as an MI308X's do for up to the
 * 9 s preemption timeout when a wave will not save.
 */
FIXTURE(gpus) {
	int fd;
	uint32_t gpu;		/* runs normally */
	uint32_t slow;		/* its unmaps hang when told to */
	uint64_t q;		/* on gpu */
	uint64_t s[2];		/* on slow */
	bool added;
};

FIXTURE_SETUP(gpus)
{
	struct amdxsched_version v;
	int ret;

	self->added = false;
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	ret = axs_add_small_gpu(self->fd, 0, &self->slow);
	if (ret == -ENOSPC)
		SKIP(return, "no room for another simulated GPU");
	ASSERT_EQ(0, ret);
	self->added = true;
	if (!axs_have_knobs(self->slow))
		SKIP(return, "no debugfs fault knobs (debugfs not mounted?)");
	ASSERT_EQ(getpid(), axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_CREATE));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 7, &self->q, NULL));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->slow, 7, &self->s[0], NULL));
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->slow, 7, &self->s[1], NULL));
	/* every event this module knows: the tests then also run on older ones */
	AXS_INIT(v);
	ASSERT_EQ(0, axs_version(self->fd, &v));
	ASSERT_EQ(0, axs_events_config(self->fd, axs_events_mask_all(&v), 4096));
}

FIXTURE_TEARDOWN(gpus)
{
	if (self->added && axs_have_knobs(self->slow))
		EXPECT_EQ(0, axs_knobs_reset(self->slow, 0));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* late_resumes of @gpu in the debugfs summary, or -errno. */
static long long late_resumes(uint32_t gpu)
{
	return axs_summary_value(gpu, "late_resumes");
}

/* A SUSPEND at Lv3 of the one queue *@h, its status in *@st. */
static void suspend_arg(struct amdxsched_suspend *a, uint64_t *h, int32_t *st,
			uint32_t lease_ms)
{
	AXS_INIT(*a);
	a->handles = (uintptr_t)h;
	a->status = (uintptr_t)st;
	a->count = 1;
	a->level = AMDXSCHED_LEVEL_INTERRUPT;
	a->lease_ms = lease_ms;
}

#define STALL_US	3000000	/* each unmap on the slow GPU while stalled */
#define PROMPT_MS	1000	/* well under the stall: "did not wait for it" */

/*
 * While a suspend on one GPU sits in a 3 s unmap, a suspend, its lease's
 * expiry, and a LIST on the other GPU each take well under a second. When
 * one module lock was held across every backend call, all of them waited
 * for the unmap to end.
 */
TEST_F(gpus, a_hung_unmap_on_one_gpu_holds_up_no_other)
{
	struct amdxsched_suspend a;
	struct amdxsched_queue_info qi[8];
	struct amdxsched_list l;
	struct amdxsched_event ev;
	struct call sc, oc, lc;
	pthread_t st, ot, lt;
	uint64_t lease = 0;
	int32_t status = 99;
	bool other_ok, list_ok, stalled;

	ASSERT_EQ(0, axs_knob_write(self->slow, "unmap_delay_us", STALL_US));
	suspend_arg(&a, &self->s[0], &status, 10000);
	ASSERT_EQ(0, call_start(&sc, &st, self->fd, AMDXSCHED_IOC_SUSPEND, &a));
	stalled = !call_returned(&sc, 200);	/* now inside its unmap */

	/* the other GPU: suspend with a short lease, from another thread */
	other_ok = false;
	{
		struct amdxsched_suspend b;
		int32_t bst = 99;

		suspend_arg(&b, &self->q, &bst, 20);
		ASSERT_EQ(0, call_start(&oc, &ot, self->fd, AMDXSCHED_IOC_SUSPEND, &b));
		other_ok = call_returned(&oc, PROMPT_MS);
		EXPECT_TRUE(call_returned(&oc, AXS_EVENTUALLY_MS));
		call_end(&oc, ot);
		EXPECT_EQ(0, oc.ret);
		lease = b.lease_id;
	}
	EXPECT_TRUE(other_ok);
	/* ...and its lease ends on time, through that GPU's own worker */
	EXPECT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->q,
				 PROMPT_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);

	/* a list answers */
	AXS_INIT(l);
	l.gpu_id = AMDXSCHED_GPU_ANY;
	l.entries = (uintptr_t)qi;
	l.entry_size = sizeof(qi[0]);
	l.count = 8;
	ASSERT_EQ(0, call_start(&lc, &lt, self->fd, AMDXSCHED_IOC_LIST_QUEUES, &l));
	list_ok = call_returned(&lc, PROMPT_MS);
	EXPECT_TRUE(call_returned(&lc, AXS_EVENTUALLY_MS));
	call_end(&lc, lt);
	EXPECT_EQ(0, lc.ret);
	EXPECT_TRUE(list_ok);

	/* all of that happened while the slow GPU's unmap was still going on */
	EXPECT_TRUE(stalled);
	EXPECT_FALSE(call_returned(&sc, 0));

	ASSERT_EQ(0, axs_knob_write(self->slow, "unmap_delay_us", 0));
	EXPECT_TRUE(call_returned(&sc, AXS_EVENTUALLY_MS));
	call_end(&sc, st);
	EXPECT_EQ(0, sc.ret);
	EXPECT_EQ(0, axs_resume1(self->fd, self->s[0]));
}

/*
 * A lease falls due while its GPU is held by another call's hung unmap: it
 * cannot be resumed until that unmap ends, and the module says so a second
 * after the deadline (RESUME_LATE, naming the GPU and the lease) instead of
 * waiting in silence; once the unmap ends, the lease resumes its queue.
 */
TEST_F(gpus, a_lease_due_behind_a_hung_unmap_is_reported_late)
{
	struct amdxsched_suspend a;
	struct amdxsched_event ev;
	struct call sc;
	pthread_t st;
	uint64_t lease = 0, t0;
	int32_t status = 99;

	long long late0 = late_resumes(self->slow);

	ASSERT_EQ(0, axs_suspend1(self->fd, self->s[0], AMDXSCHED_LEVEL_INTERRUPT, 100, &lease));
	ASSERT_NE(0, lease);
	axs_ev_drain(self->fd);
	t0 = axs_now_ns();

	ASSERT_EQ(0, axs_knob_write(self->slow, "unmap_delay_us", STALL_US));
	suspend_arg(&a, &self->s[1], &status, 10000);
	ASSERT_EQ(0, call_start(&sc, &st, self->fd, AMDXSCHED_IOC_SUSPEND, &a));

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_RESUME_LATE, 0,
				 AXS_EVENTUALLY_MS, &ev)) {
		axs_knob_write(self->slow, "unmap_delay_us", 0);
		call_returned(&sc, AXS_EVENTUALLY_MS);
		call_end(&sc, st);
	}
	/* the resume behind it need not hang as well */
	ASSERT_EQ(0, axs_knob_write(self->slow, "unmap_delay_us", 0));
	EXPECT_EQ(self->slow, ev.gpu_id);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_LE(AMDXSCHED_RESUME_LATE_MS * MS, ev.data[0]);
	EXPECT_FALSE(call_returned(&sc, 0));	/* reported while still held up */
	EXPECT_GT(t0 + STALL_US * US, ev.timestamp_ns);
	if (late0 >= 0)		/* and counted, where debugfs is there */
		EXPECT_EQ(late0 + 1, late_resumes(self->slow));

	ASSERT_EQ(1, axs_ev_wait(self->fd, AMDXSCHED_EVENT_QUEUE_RESUMED, self->s[0],
				 AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(AMDXSCHED_RESUMED_LEASE, ev.data[0]);
	EXPECT_EQ(lease, ev.data[1]);
	EXPECT_TRUE(call_returned(&sc, AXS_EVENTUALLY_MS));
	call_end(&sc, st);
	EXPECT_EQ(0, sc.ret);
	EXPECT_EQ(0, axs_resume1(self->fd, self->s[1]));
}

TEST_HARNESS_MAIN
