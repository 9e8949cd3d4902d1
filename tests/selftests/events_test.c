// SPDX-License-Identifier: MIT
/*
 * The event stream: EVENTS_CONFIG, read() and poll() on /dev/amdxsched,
 * record layout and order, type masks, ring overflow (sequence gaps), and
 * the events of a queue's life.
 */
#include "axs_test.h"

#include <pthread.h>
#include <sys/syscall.h>

#define EV(t) AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_##t)

FIXTURE(ev) {
	int fd;			/* control file with a simulated process */
	int rd;			/* the reader under test, or -1 */
	uint32_t gpu;
	uint64_t q;		/* a queue, priority 7 */
};

FIXTURE_SETUP(ev)
{
	self->rd = -1;
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	axs_fixture_queues(_metadata, self->fd, self->gpu, &self->q, 1);
	self->rd = axs_open(O_RDONLY);
	ASSERT_LE(0, self->rd);
}

FIXTURE_TEARDOWN(ev)
{
	if (self->rd >= 0)
		EXPECT_EQ(0, close(self->rd));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* An event we can make at will without a remap: a process attribute change. */
static int poke_attr(int fd, uint32_t prio)
{
	struct amdxsched_proc_attr a;

	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_PRIORITY;
	a.priority = prio;
	return axs_set_proc_attr(fd, &a);
}

TEST_F(ev, config_validation)
{
	static const uint32_t bad_rings[] = { 1, 8, 15, 17, 24, 1000, 65537, 131072, 0x80000000u };
	static const uint64_t bad_masks[] = {
		1ULL << 0, 1ULL << (AMDXSCHED_EVENT_MAX + 1), 1ULL << 63,
		AMDXSCHED_EVENT_MASK_ALL | 1, ~0ULL,
	};
	struct amdxsched_event e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_rings); i++)
		EXPECT_EQ(-EINVAL, axs_events_config(self->rd, AMDXSCHED_EVENT_MASK_ALL,
						     bad_rings[i]))
			TH_LOG("ring_entries %u", bad_rings[i]);
	for (i = 0; i < ARRAY_SIZE(bad_masks); i++)
		EXPECT_EQ(-EINVAL, axs_events_config(self->rd, bad_masks[i], 0))
			TH_LOG("mask %#llx", (unsigned long long)bad_masks[i]);
	/* none of those subscribed */
	EXPECT_EQ(-1, read(self->rd, &e, sizeof(e)));
	EXPECT_EQ(EINVAL, errno);

	/* the limits are fine, and unsubscribing while not subscribed too */
	EXPECT_EQ(0, axs_events_config(self->rd, AMDXSCHED_EVENT_MASK_ALL,
				       AMDXSCHED_EVENTS_RING_MIN));
	EXPECT_EQ(0, axs_events_config(self->rd, AMDXSCHED_EVENT_MASK_ALL,
				       AMDXSCHED_EVENTS_RING_MAX));
	EXPECT_EQ(0, axs_events_config(self->rd, EV(QUEUE_CREATED), 0));
	EXPECT_EQ(0, axs_events_config(self->rd, 0, 0));
	EXPECT_EQ(0, axs_events_config(self->rd, 0, 0));
	EXPECT_EQ(0, axs_events_config(self->rd, 0, 64));	/* ring size ignored when stopping */
}

TEST_F(ev, read_and_poll_rules)
{
	struct amdxsched_event e[3];
	struct pollfd p = { .fd = self->rd, .events = POLLIN };
	char small[sizeof(e[0]) - 1];
	int flags;

	/* not subscribed: read is EINVAL, poll says POLLERR */
	EXPECT_EQ(-1, read(self->rd, e, sizeof(e)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents);

	ASSERT_EQ(0, axs_events_config(self->rd, EV(PROC_ATTR), 0));
	/* subscribed, nothing pending */
	ASSERT_EQ(0, poll(&p, 1, 0));
	flags = fcntl(self->rd, F_GETFL);
	ASSERT_LE(0, flags);
	ASSERT_EQ(0, fcntl(self->rd, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-1, read(self->rd, e, sizeof(e)));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, poke_attr(self->fd, 1));
	ASSERT_EQ(0, poke_attr(self->fd, 2));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLERR));
	/* too small for one record */
	EXPECT_EQ(-1, read(self->rd, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->rd, small, 0));
	EXPECT_EQ(EINVAL, errno);
	/* whole records only: room for one and a half gives one */
	EXPECT_EQ(sizeof(e[0]), read(self->rd, e, sizeof(e[0]) + sizeof(e[0]) / 2));
	EXPECT_EQ(1, e[0].seq);
	/* room for three gives the one left */
	EXPECT_EQ(sizeof(e[0]), read(self->rd, e, sizeof(e)));
	EXPECT_EQ(2, e[0].seq);
	EXPECT_EQ(-1, read(self->rd, e, sizeof(e)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, poll(&p, 1, 0));
	/* a bad buffer loses nothing */
	ASSERT_EQ(0, poke_attr(self->fd, 3));
	EXPECT_EQ(-1, syscall(SYS_read, self->rd, NULL, sizeof(e)));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(sizeof(e[0]), read(self->rd, e, sizeof(e)));
	EXPECT_EQ(3, e[0].seq);

	/* unsubscribed again */
	ASSERT_EQ(0, axs_events_config(self->rd, 0, 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents);
	EXPECT_EQ(-1, read(self->rd, e, sizeof(e)));
	EXPECT_EQ(EINVAL, errno);
}

/* Every record of a run of ioctls: types, payloads, order, seq, time. */
TEST_F(ev, records_in_order)
{
	struct amdxsched_event e[16];
	struct amdxsched_proc_attr a;
	uint64_t t0, t1, lease = 0, h2;
	uint32_t qid2, mask = 0xffffffffu;
	ssize_t n;
	int i, k;
	struct {
		uint16_t type;
		uint64_t handle, d0, d1;
	} want[9];

	ASSERT_EQ(0, axs_events_config(self->rd, AMDXSCHED_EVENT_MASK_ALL &
				       ~(EV(QUEUE_BUSY) | EV(QUEUE_IDLE) | EV(QUEUE_DRAINED)), 0));
	t0 = axs_now_ns();
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 4, &h2, &qid2));
	ASSERT_EQ(0, axs_set_priority1(self->fd, self->q, 9));
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_INTERRUPT, 5000, &lease));
	ASSERT_EQ(0, axs_resume1(self->fd, self->q));
	ASSERT_EQ(0, axs_set_cu_mask(self->fd, h2, &mask, 32));
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY;
	a.sched_class = AMDXSCHED_CLASS_REALTIME;
	a.priority = 12;
	ASSERT_EQ(0, axs_set_proc_attr(self->fd, &a));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, h2));
	ASSERT_EQ(0, axs_sim_proc_pid(self->fd, AMDXSCHED_SIM_PROC_DESTROY));
	t1 = axs_now_ns();

	k = 0;
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_CREATED, h2, qid2,
				       AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL };
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_PRIORITY, self->q, 9, 0 };
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_SUSPENDED, self->q,
				       AMDXSCHED_LEVEL_INTERRUPT, lease };
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_RESUMED, self->q,
				       AMDXSCHED_RESUMED_IOCTL, lease };
	/* 32 mask bits select the first 32 CUs (all, on a GPU with no more) */
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_CU_MASK, h2, 0, 0 };
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_PROC_ATTR, 0, AMDXSCHED_CLASS_REALTIME, 12 };
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_DESTROYED, h2, qid2,
				       AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL };
	/* the process destroyed: its queue goes; the process stays for its hints */
	want[k++] = (typeof(want[0])){ AMDXSCHED_EVENT_QUEUE_DESTROYED, self->q, 0,
				       AMDXSCHED_QUEUE_TYPE_COMPUTE_AQL };

	n = read(self->rd, e, sizeof(e));
	ASSERT_EQ(k * (ssize_t)sizeof(e[0]), n);
	for (i = 0; i < k; i++) {
		EXPECT_EQ(sizeof(e[0]), e[i].size);
		EXPECT_EQ(0, e[i].flags);
		EXPECT_EQ(i + 1, e[i].seq);
		EXPECT_EQ(want[i].type, e[i].type) TH_LOG("record %d", i);
		EXPECT_EQ(want[i].handle, e[i].handle) TH_LOG("record %d", i);
		EXPECT_EQ(getpid(), e[i].pid);
		EXPECT_EQ(want[i].handle ? self->gpu : AMDXSCHED_GPU_ANY, e[i].gpu_id);
		if (want[i].type != AMDXSCHED_EVENT_QUEUE_CU_MASK) {
			EXPECT_EQ(want[i].d0, e[i].data[0]) TH_LOG("record %d", i);
			EXPECT_EQ(want[i].d1, e[i].data[1]) TH_LOG("record %d", i);
		} else {
			EXPECT_LT(0, e[i].data[0]);
			EXPECT_GE(32, e[i].data[0]);
		}
		EXPECT_LE(t0, e[i].timestamp_ns);
		EXPECT_GE(t1, e[i].timestamp_ns);
		if (i)
			EXPECT_LE(e[i - 1].timestamp_ns, e[i].timestamp_ns);
	}

	/* closing the file ends the hints, and with them the process */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	n = read(self->rd, e, sizeof(e));
	ASSERT_EQ(sizeof(e[0]), n);
	EXPECT_EQ(AMDXSCHED_EVENT_PROC_EXIT, e[0].type);
	EXPECT_EQ(k + 1, e[0].seq);
	EXPECT_EQ(getpid(), e[0].pid);
	EXPECT_EQ(0, e[0].handle);
	EXPECT_EQ(AMDXSCHED_GPU_ANY, e[0].gpu_id);
}

TEST_F(ev, the_mask_filters_types)
{
	struct amdxsched_event e;

	ASSERT_EQ(0, axs_events_config(self->rd, EV(QUEUE_PRIORITY), 0));
	ASSERT_EQ(0, poke_attr(self->fd, 1));
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_INTERRUPT, 5000, NULL));
	ASSERT_EQ(0, axs_resume1(self->fd, self->q));
	ASSERT_EQ(0, axs_set_priority1(self->fd, self->q, 3));
	ASSERT_EQ(1, axs_ev_read(self->rd, &e, 0));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_PRIORITY, e.type);
	EXPECT_EQ(1, e.seq);	/* filtered events take no sequence number */
	EXPECT_EQ(0, axs_ev_read(self->rd, &e, 0));

	/* changing the mask keeps the stream going */
	ASSERT_EQ(0, axs_events_config(self->rd, EV(PROC_ATTR), 0));
	ASSERT_EQ(0, axs_set_priority1(self->fd, self->q, 4));
	ASSERT_EQ(0, poke_attr(self->fd, 2));
	ASSERT_EQ(1, axs_ev_read(self->rd, &e, 0));
	EXPECT_EQ(AMDXSCHED_EVENT_PROC_ATTR, e.type);
	EXPECT_EQ(2, e.seq);
	EXPECT_EQ(0, axs_ev_read(self->rd, &e, 0));
}

TEST_F(ev, a_full_ring_drops_and_the_seq_gap_tells)
{
	struct amdxsched_event e[32];
	ssize_t n;
	int i;

	ASSERT_EQ(0, axs_events_config(self->rd, EV(PROC_ATTR), 16));
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, poke_attr(self->fd, i % 16));
	n = read(self->rd, e, sizeof(e));
	ASSERT_EQ(16 * sizeof(e[0]), n);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(i + 1, e[i].seq);
		EXPECT_EQ(i % 16, e[i].data[1]);	/* the first 16 are kept */
	}
	EXPECT_EQ(0, axs_ev_read(self->rd, &e[0], 0));
	ASSERT_EQ(0, poke_attr(self->fd, 5));
	ASSERT_EQ(1, axs_ev_read(self->rd, &e[0], 0));
	EXPECT_EQ(41, e[0].seq);	/* 17..40 were dropped: a gap of 24 */
	EXPECT_EQ(16, e[15].seq);

	/* a new ring size starts empty; what was unread counts as dropped */
	ASSERT_EQ(0, poke_attr(self->fd, 6));
	ASSERT_EQ(0, axs_events_config(self->rd, EV(PROC_ATTR), 32));
	ASSERT_EQ(0, poke_attr(self->fd, 7));
	ASSERT_EQ(1, axs_ev_read(self->rd, &e[0], 0));
	EXPECT_EQ(43, e[0].seq);
	EXPECT_EQ(7, e[0].data[1]);
}

struct blocked {
	int fd;
	int ret;
	int err;
	pid_t tid;
};

static void *blocked_reader(void *arg)
{
	struct blocked *b = arg;
	struct amdxsched_event e;

	b->tid = gettid();
	b->ret = read(b->fd, &e, sizeof(e));
	b->err = errno;
	return NULL;
}

/* 'S' once the thread sleeps (in read, as nothing else can block it). */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

TEST_F(ev, unsubscribing_wakes_a_blocked_reader)
{
	struct blocked b = { .fd = self->rd, .ret = 0, .err = 0, .tid = 0 };
	uint64_t end;
	pthread_t t;

	ASSERT_EQ(0, axs_events_config(self->rd, EV(GPU_HANG), 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_reader, &b));
	/* wait until it sleeps in read() (it may also just be late: fine either way) */
	end = axs_now_ns() + AXS_EVENTUALLY_MS * MS;
	while (axs_now_ns() < end && (!__atomic_load_n(&b.tid, __ATOMIC_ACQUIRE) ||
				      thread_state(b.tid) != 'S'))
		axs_sleep_ms(10);
	ASSERT_EQ(0, axs_events_config(self->rd, 0, 0));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-1, b.ret);
	EXPECT_EQ(EINVAL, b.err);
}

TEST_F(ev, busy_then_idle_at_the_kernels_times)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_sim_wait w1, w2;
	struct amdxsched_event e;
	uint64_t id1, id2;

	ASSERT_EQ(0, axs_events_config(self->rd, EV(QUEUE_BUSY) | EV(QUEUE_IDLE), 0));
	/* both queued before either can run: one busy period, however slow we are */
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_DEACTIVATE, 10000, NULL));
	ASSERT_EQ(0, axs_sim_submit(self->fd, self->q, 4, MS, 0, &id1));
	ASSERT_EQ(0, axs_sim_submit(self->fd, self->q, 4, MS, 0, &id2));
	ASSERT_EQ(0, axs_resume1(self->fd, self->q));
	ASSERT_EQ(0, axs_sim_wait(self->fd, self->q, id1, AXS_EVENTUALLY_MS * MS, &w1));
	ASSERT_EQ(0, axs_sim_wait(self->fd, self->q, id2, AXS_EVENTUALLY_MS * MS, &w2));

	ASSERT_EQ(1, axs_ev_read(self->rd, &e, AXS_EVENTUALLY_MS));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_BUSY, e.type);
	EXPECT_EQ(self->q, e.handle);
	EXPECT_EQ(self->gpu, e.gpu_id);
	EXPECT_EQ(w1.submit_ns, e.timestamp_ns);	/* model time */
	ASSERT_EQ(1, axs_ev_read(self->rd, &e, AXS_EVENTUALLY_MS));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_IDLE, e.type);
	EXPECT_EQ(self->q, e.handle);
	EXPECT_EQ(w2.end_ns, e.timestamp_ns);	/* once, when the last kernel ends */
	EXPECT_EQ(2, e.seq);
	EXPECT_EQ(0, axs_ev_read(self->rd, &e, 0));

	ASSERT_EQ(0, axs_queue_info(self->fd, self->q, &qi));
	EXPECT_EQ(1, qi.counters.busy_transitions);
	EXPECT_EQ(2, qi.counters.dispatches_submitted);
	EXPECT_EQ(2, qi.counters.dispatches_completed);
	EXPECT_EQ(8, qi.counters.workgroups_completed);
	EXPECT_EQ(0, qi.state & AMDXSCHED_QUEUE_S_BUSY);
}

/* An Lv2 suspension takes full effect (DRAINED) after it was made (SUSPENDED). */
TEST_F(ev, drained_comes_after_suspended)
{
	struct amdxsched_event e;
	uint64_t lease = 0;
	int ret;

	ASSERT_EQ(0, axs_events_config(self->rd, EV(QUEUE_SUSPENDED) | EV(QUEUE_DRAINED), 0));
	/* an idle queue drains at once */
	ASSERT_EQ(0, axs_suspend1(self->fd, self->q, AMDXSCHED_LEVEL_DEACTIVATE, 5000, &lease));
	ret = axs_ev_read(self->rd, &e, AXS_EVENTUALLY_MS);
	ASSERT_EQ(1, ret);
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_SUSPENDED, e.type);
	EXPECT_EQ(1, e.seq);
	ASSERT_EQ(1, axs_ev_read(self->rd, &e, AXS_EVENTUALLY_MS));
	EXPECT_EQ(AMDXSCHED_EVENT_QUEUE_DRAINED, e.type);
	EXPECT_EQ(2, e.seq);
	EXPECT_EQ(self->q, e.handle);
	ASSERT_EQ(0, axs_resume1(self->fd, self->q));
}

/* Every file has its own stream; a second subscriber sees the same events. */
TEST_F(ev, each_file_has_its_own_stream)
{
	struct amdxsched_event a, b;
	int rd2 = axs_open(O_RDONLY);

	ASSERT_LE(0, rd2);
	ASSERT_EQ(0, axs_events_config(self->rd, EV(PROC_ATTR), 0));
	ASSERT_EQ(0, poke_attr(self->fd, 1));
	ASSERT_EQ(0, axs_events_config(rd2, EV(PROC_ATTR), 0));
	ASSERT_EQ(0, poke_attr(self->fd, 2));
	ASSERT_EQ(1, axs_ev_read(self->rd, &a, 0));
	EXPECT_EQ(1, a.seq);
	ASSERT_EQ(1, axs_ev_read(self->rd, &a, 0));
	EXPECT_EQ(2, a.seq);
	ASSERT_EQ(1, axs_ev_read(rd2, &b, 0));
	EXPECT_EQ(1, b.seq);	/* it subscribed later */
	EXPECT_EQ(a.timestamp_ns, b.timestamp_ns);
	EXPECT_EQ(a.data[1], b.data[1]);
	EXPECT_EQ(0, close(rd2));
}

TEST_HARNESS_MAIN
