// SPDX-License-Identifier: MIT
/*
 * Who may do what: an unprivileged process (uid 65534, no capabilities)
 * observes everything and manages only its own queues; root has control
 * through CAP_SYS_NICE or a writable open; a process in another pid
 * namespace neither sees nor reaches what is outside it.
 *
 * Runs as root; the checks of unprivileged or namespaced processes run in
 * forked children that report failures through their exit status.
 */
#include "axs_test.h"

#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#define NOBODY 65534
#define L3 AMDXSCHED_LEVEL_INTERRUPT

/*
 * /dev, opened while still root. The unprivileged children open the device
 * relative to it: that checks the node's own permissions without needing
 * search permission on every directory above /dev (an initramfs root may
 * well be 0700).
 */
static int devdir = -1;

FIXTURE(perm) {
	int fd;			/* root's control file and simulated process */
	uint32_t gpu;
	uint64_t rq[2];		/* root's queues, priority 7; rq[1] suspended by root */
	uint64_t rlease;
};

FIXTURE_SETUP(perm)
{
	if (geteuid() != 0)
		SKIP(return, "must run as root");
	if (!axs_fixture_open(_metadata, &self->fd, &self->gpu))
		return;
	axs_fixture_queues(_metadata, self->fd, self->gpu, self->rq, 2);
	ASSERT_EQ(0, axs_suspend1(self->fd, self->rq[1], L3, 10000, &self->rlease));
	devdir = open("/dev", O_PATH | O_DIRECTORY);
	ASSERT_LE(0, devdir);
}

FIXTURE_TEARDOWN(perm)
{
	if (devdir >= 0)
		EXPECT_EQ(0, close(devdir));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

/* The capabilities this process has, effective and permitted (low 64). */
static int caps_of_self(uint64_t *eff, uint64_t *perm)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

/* In a child: become nobody with no capabilities at all, for good. */
static void become_nobody(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t eff, perm;
	int c;

	for (c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			CHILD_CHECK(!"PR_CAPBSET_DROP");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);	/* may be absent */
	CHILD_EQ(0, setgroups(0, NULL));
	CHILD_EQ(0, setresgid(NOBODY, NOBODY, NOBODY));
	CHILD_EQ(0, setresuid(NOBODY, NOBODY, NOBODY));
	memset(d, 0, sizeof(d));
	CHILD_EQ(0, syscall(SYS_capset, &hdr, d));
	CHILD_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHILD_EQ(0, caps_of_self(&eff, &perm));
	CHILD_EQ(0, eff);
	CHILD_EQ(0, perm);
	CHILD_EQ(NOBODY, getuid());
	CHILD_EQ(NOBODY, geteuid());
	CHILD_EQ(NOBODY, getgid());
	/* root-only things really are gone */
	CHILD_CHECK(setresuid(0, 0, 0) && errno == EPERM);
}

/* In a child: drop only CAP_SYS_NICE, staying root otherwise. */
static void drop_sys_nice(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	CHILD_EQ(0, prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0));
	CHILD_EQ(0, syscall(SYS_capget, &hdr, d));
	d[CAP_SYS_NICE / 32].effective &= ~(1U << (CAP_SYS_NICE % 32));
	d[CAP_SYS_NICE / 32].permitted &= ~(1U << (CAP_SYS_NICE % 32));
	d[CAP_SYS_NICE / 32].inheritable &= ~(1U << (CAP_SYS_NICE % 32));
	CHILD_EQ(0, syscall(SYS_capset, &hdr, d));
}

/* Fork, run @fn in the child, and return its exit status. */
static int in_child(void (*fn)(FIXTURE_DATA(perm) *self, void *arg),
		    FIXTURE_DATA(perm) *self, void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		fn(self, arg);
		_exit(0);
	}
	return axs_wait_child(pid);
}

static int open_dev(int flags)
{
	int fd = openat(devdir, "amdxsched", flags);

	return fd < 0 ? -errno : fd;
}

static int open_ro_nobody(void)
{
	struct amdxsched_version v;
	int fd;

	CHILD_EQ(-EACCES, open_dev(O_RDWR));
	CHILD_EQ(-EACCES, open_dev(O_WRONLY));
	fd = open_dev(O_RDONLY);
	CHILD_CHECK(fd >= 0);
	CHILD_EQ(0, axs_version(fd, &v));
	CHILD_EQ(0, v.control);
	return fd;
}

/* ------------------------------------------------------------------------ */

static void nobody_opens(FIXTURE_DATA(perm) *self, void *arg)
{
	struct amdxsched_version v;
	int fd;

	(void)self;
	(void)arg;
	become_nobody();
	fd = open_ro_nobody();
	CHILD_EQ(0, close(fd));
	fd = open_dev(O_RDONLY | O_NONBLOCK);
	CHILD_CHECK(fd >= 0);
	CHILD_EQ(0, axs_version(fd, &v));
	CHILD_EQ(0, v.control);
	CHILD_EQ(AMDXSCHED_ABI_MAJOR, v.abi_major);
}

TEST_F(perm, device_node_and_unprivileged_open)
{
	struct stat st;

	ASSERT_EQ(0, stat(AXS_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0664, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_EQ(0, in_child(nobody_opens, self, NULL));
}

static int set_queue_class(int fd, uint64_t h, uint32_t cls)
{
	struct amdxsched_queue_attr a;

	AXS_INIT(a);
	a.handle = h;
	a.flags = AMDXSCHED_ATTR_CLASS;
	a.sched_class = cls;
	return axs_ioctl(fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, &a);
}

static void nobody_vs_roots_queues(FIXTURE_DATA(perm) *self, void *arg)
{
	struct amdxsched_priority_entry pe;
	struct amdxsched_queue_info qi;
	uint32_t mask[4], count;
	uint64_t h[2];
	int32_t st[2];
	pid_t root_pid = *(pid_t *)arg;
	int fd;

	become_nobody();
	fd = open_ro_nobody();

	/* observing is for everyone */
	count = 0;
	CHILD_EQ(0, axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, NULL, &count,
			     sizeof(struct amdxsched_queue_info), root_pid, AMDXSCHED_GPU_ANY));
	CHILD_EQ(2, count);
	CHILD_EQ(0, axs_queue_info(fd, self->rq[0], &qi));
	CHILD_EQ(root_pid, qi.pid);
	CHILD_EQ(0, axs_queue_info(fd, self->rq[1], &qi));
	CHILD_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
	CHILD_EQ(root_pid, qi.holder_pid);

	/* acting is not */
	h[0] = self->rq[0];
	st[0] = 99;
	CHILD_EQ(-EPERM, axs_suspend(fd, h, 1, L3, 1000, st, NULL));
	CHILD_EQ(-EPERM, st[0]);
	CHILD_EQ(-EPERM, axs_suspend1(fd, self->rq[0], AMDXSCHED_LEVEL_DEACTIVATE, 1000, NULL));
	pe = (struct amdxsched_priority_entry){ self->rq[0], 3, 99 };	/* even lowering */
	CHILD_EQ(-EPERM, axs_set_priority(fd, &pe, 1));
	CHILD_EQ(-EPERM, pe.status);
	pe = (struct amdxsched_priority_entry){ self->rq[0], 7, 99 };
	CHILD_EQ(-EPERM, axs_set_priority(fd, &pe, 1));
	memset(mask, 0xff, sizeof(mask));
	CHILD_EQ(-EPERM, axs_set_cu_mask(fd, self->rq[0], mask, 128));
	CHILD_EQ(-EPERM, set_queue_class(fd, self->rq[0], AMDXSCHED_CLASS_REALTIME));
	CHILD_EQ(0, axs_queue_info(fd, self->rq[0], &qi));
	CHILD_EQ(0, qi.attr_flags);
	/* root's suspension: held by another file; FORCE needs control */
	st[0] = 99;
	CHILD_EQ(-EBUSY, axs_resume(fd, &self->rq[1], 1, 0, st));
	CHILD_EQ(-EBUSY, st[0]);
	st[0] = 99;
	CHILD_EQ(-EPERM, axs_resume(fd, &self->rq[1], 1, AMDXSCHED_RESUME_FORCE, st));
	CHILD_EQ(-EPERM, st[0]);
	CHILD_EQ(-EALREADY, axs_resume1(fd, self->rq[0]));
	CHILD_EQ(-ENOENT, axs_lease_renew(fd, self->rlease, 1000, NULL));
	/* and the simulated process is root's alone */
	CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
	CHILD_EQ(-EPERM, axs_sim_queue_destroy(fd, self->rq[0]));
	CHILD_EQ(-EPERM, axs_sim_submit(fd, self->rq[0], 1, 1000, 0, NULL));
	CHILD_EQ(0, close(fd));
}

#define SEE_ALL "/sys/module/amdxsched/parameters/see_all_users"

static int see_all_users(const char *v)
{
	int fd = open(SEE_ALL, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, v, 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

/*
 * With see_all_users=1 (the behaviour before ABI 1.3), observing is for
 * everyone, acting is not.
 */
TEST_F(perm, unprivileged_cannot_act_on_roots_queues)
{
	struct amdxsched_queue_info qi0, qi1;
	pid_t me = getpid();
	int ret;

	ASSERT_EQ(0, axs_queue_info(self->fd, self->rq[0], &qi0));
	/* the child expects rq[1] still suspended: a full lease ahead */
	ASSERT_EQ(0, axs_lease_renew(self->fd, self->rlease, 10000, NULL));
	ASSERT_EQ(0, see_all_users("1"));
	ret = in_child(nobody_vs_roots_queues, self, &me);
	ASSERT_EQ(0, see_all_users("0"));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->rq[0], &qi1));
	EXPECT_EQ(0, qi1.state & ~AMDXSCHED_QUEUE_S_BUSY);
	EXPECT_EQ(7, qi1.priority);
	EXPECT_EQ(0, qi1.cu_mask_bits);
	EXPECT_EQ(qi0.counters.suspends, qi1.counters.suspends);
	ASSERT_EQ(0, axs_queue_info(self->fd, self->rq[1], &qi1));
	EXPECT_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		  qi1.state & ~AMDXSCHED_QUEUE_S_BUSY);
	EXPECT_EQ(self->rlease, qi1.lease_id);
}

static void nobody_own_queues(FIXTURE_DATA(perm) *self, void *arg)
{
	struct amdxsched_priority_entry pe[2];
	struct amdxsched_queue_info qi;
	struct amdxsched_proc_info pi;
	uint32_t mask[1] = { 0 }, i;
	uint64_t h, h2[2], lease = 0, dl = 0;
	int32_t st[2];
	int fd;

	(void)arg;
	become_nobody();
	fd = open_ro_nobody();
	CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
	CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 8, &h, NULL));
	CHILD_EQ(0, axs_proc_info(fd, getpid(), &pi));
	CHILD_EQ(NOBODY, pi.uid);
	CHILD_EQ(AMDXSCHED_PROC_F_SIM, pi.flags);

	CHILD_EQ(0, axs_suspend1(fd, h, L3, 1000, &lease));
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	CHILD_EQ(AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE,
		 qi.state & ~AMDXSCHED_QUEUE_S_BUSY);
	CHILD_EQ(0, axs_lease_renew(fd, lease, 2000, &dl));
	CHILD_CHECK(dl != 0);
	CHILD_EQ(0, axs_resume1(fd, h));
	CHILD_EQ(0, axs_suspend1(fd, h, AMDXSCHED_LEVEL_DEACTIVATE, 1000, NULL));
	CHILD_EQ(0, axs_resume(fd, &h, 1, AMDXSCHED_RESUME_FORCE, NULL));	/* its own: fine */
	/* its own queue's hints too; root's queue it cannot even see */
	CHILD_EQ(0, set_queue_class(fd, h, AMDXSCHED_CLASS_BEST_EFFORT));
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	CHILD_EQ(AMDXSCHED_ATTR_CLASS, qi.attr_flags);
	CHILD_EQ(AMDXSCHED_CLASS_BEST_EFFORT, qi.sched_class);
	CHILD_EQ(-ENOENT, set_queue_class(fd, self->rq[0], AMDXSCHED_CLASS_REALTIME));

	/* a batch of its own and root's (unseen) queue fails as a whole */
	h2[0] = h;
	h2[1] = self->rq[0];
	st[0] = st[1] = 99;
	CHILD_EQ(-ENOENT, axs_suspend(fd, h2, 2, L3, 1000, st, NULL));
	CHILD_EQ(AMDXSCHED_STATUS_NOT_DONE, st[0]);
	CHILD_EQ(-ENOENT, st[1]);
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	CHILD_EQ(0, qi.state & ~AMDXSCHED_QUEUE_S_BUSY);

	/* APPLY holds to the same rules: no raising, own queues only */
	{
		struct amdxsched_apply_entry e[2] = {
			{ .handle = h, .op = AMDXSCHED_APPLY_PRIORITY, .arg = 9 },
			{ .handle = self->rq[0], .op = AMDXSCHED_APPLY_PRIORITY, .arg = 1 },
		};

		CHILD_EQ(-EPERM, axs_apply(fd, self->gpu, e, 1, 0, NULL, NULL));
		CHILD_EQ(-EPERM, e[0].status);
		e[0].arg = 6;
		/* root's queue: not even visible to it (see_all_users=0) */
		CHILD_EQ(-ENOENT, axs_apply(fd, self->gpu, e, 2, 0, NULL, NULL));
		CHILD_EQ(AMDXSCHED_STATUS_NOT_DONE, e[0].status);
		CHILD_EQ(-ENOENT, e[1].status);
		CHILD_EQ(0, axs_queue_info(fd, h, &qi));
		CHILD_EQ(8, qi.priority);
		e[1] = (struct amdxsched_apply_entry){ .handle = h,
			.op = AMDXSCHED_APPLY_SUSPEND, .arg = L3 };
		CHILD_EQ(0, axs_apply(fd, self->gpu, e, 2, 1000, &lease, NULL));
		CHILD_EQ(0, axs_queue_info(fd, h, &qi));
		CHILD_EQ(6, qi.priority);
		CHILD_EQ(0, axs_resume1(fd, h));
	}

	/* priority: lowering and keeping are fine, raising is not */
	CHILD_EQ(0, axs_set_priority1(fd, h, 4));
	CHILD_EQ(0, axs_set_priority1(fd, h, 4));
	pe[0] = (struct amdxsched_priority_entry){ h, 5, 99 };
	CHILD_EQ(-EPERM, axs_set_priority(fd, pe, 1));
	CHILD_EQ(-EPERM, pe[0].status);
	CHILD_EQ(-EPERM, axs_set_priority1(fd, h, 15));
	CHILD_EQ(0, axs_set_priority1(fd, h, 0));
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	CHILD_EQ(0, qi.priority);

	/* CU masks of its own queues (bits 0-15: four CUs of each of up to 16 XCCs) */
	for (i = 0; i < 16; i++)
		mask[0] |= 1U << i;
	CHILD_EQ(0, axs_set_cu_mask(fd, h, mask, 32));
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	CHILD_EQ(32, qi.cu_mask_bits);
	CHILD_EQ(mask[0], qi.cu_mask[0]);

	/* its queue can be made and unmade on any simulated GPU, but not GPUs */
	{
		struct amdxsched_sim_gpu_config c;

		AXS_INIT(c);
		CHILD_EQ(-EPERM, axs_sim_add_gpu(fd, &c));
	}
	CHILD_EQ(0, axs_sim_queue_destroy(fd, h));
	CHILD_EQ(0, close(fd));
}

/*
 * By default a file without control sees only its own user's processes:
 * root's queues and processes are not in its lists, their handles and pid
 * are unknown to it, and none of their events reach it. GPU events do.
 */
static void nobody_sees_only_its_own(FIXTURE_DATA(perm) *self, void *arg)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_event ev;
	pid_t root_pid = *(pid_t *)arg;
	uint32_t count;
	uint64_t h;
	int fd, n;

	become_nobody();
	fd = open_ro_nobody();
	CHILD_EQ(0, axs_events_config(fd, AMDXSCHED_EVENT_MASK_ALL, 256));
	count = 0;
	CHILD_EQ(-ESRCH, axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, NULL, &count,
				  sizeof(struct amdxsched_queue_info), root_pid,
				  AMDXSCHED_GPU_ANY));
	CHILD_EQ(-ESRCH, axs_list(fd, AMDXSCHED_IOC_LIST_PROCS, NULL, &count,
				  sizeof(struct amdxsched_proc_info), root_pid,
				  AMDXSCHED_GPU_ANY));
	CHILD_EQ(-ENOENT, axs_queue_info(fd, self->rq[0], &qi));
	CHILD_EQ(-ENOENT, axs_suspend1(fd, self->rq[0], L3, 1000, NULL));
	/* its own it sees */
	CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
	CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 3, &h, NULL));
	count = 0;
	CHILD_EQ(0, axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, NULL, &count,
			     sizeof(struct amdxsched_queue_info), 0, AMDXSCHED_GPU_ANY));
	CHILD_EQ(1, count);
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	/* of all that happened, only its own queue's events came */
	n = 0;
	while (axs_ev_read(fd, &ev, 100) == 1) {
		CHILD_CHECK(ev.pid == 0 || ev.pid == (uint32_t)getpid());
		CHILD_CHECK(ev.handle == 0 || ev.handle == h);
		n++;
	}
	CHILD_CHECK(n >= 2);	/* its process and its queue were created */
	CHILD_EQ(0, close(fd));
}

TEST_F(perm, unprivileged_sees_only_its_own_users_processes)
{
	pid_t me = getpid();

	if (access(SEE_ALL, W_OK))
		SKIP(return, "no see_all_users parameter: %s", strerror(errno));
	/* root's queue changes while the child watches */
	ASSERT_EQ(0, see_all_users("0"));
	ASSERT_EQ(0, in_child(nobody_sees_only_its_own, self, &me));
}

TEST_F(perm, unprivileged_manages_its_own_queues)
{
	EXPECT_EQ(0, in_child(nobody_own_queues, self, NULL));
}

static void nobody_attrs(FIXTURE_DATA(perm) *self, void *arg)
{
	struct amdxsched_proc_attr a;
	struct amdxsched_proc_info pi;
	pid_t root_pid = *(pid_t *)arg;
	/* outside [A-Za-z0-9-_.:/]; 0xe9 and 0xff are letters in Latin-1, not ASCII */
	static const char *const bad_tags[] = {
		"a b", "x;y", "tab\t", "\x01", "q\"", "\xe9t\xe9", "\xff", "caf\xc3\xa9",
	};
	unsigned int i;
	int fd;

	(void)self;
	become_nobody();
	fd = open_ro_nobody();

	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_ALL;
	a.sched_class = AMDXSCHED_CLASS_BEST_EFFORT;
	a.priority = 3;
	a.share = 250;
	a.deadline_ns = 5 * MS;
	strcpy(a.tag, "batch-1.x:y/z_Q");
	CHILD_EQ(0, axs_set_proc_attr(fd, &a));
	CHILD_EQ(0, axs_proc_info(fd, getpid(), &pi));
	CHILD_EQ(AMDXSCHED_PROC_F_ATTR, pi.flags);	/* known by its hints only */
	CHILD_EQ(AMDXSCHED_ATTR_ALL, pi.attrs);
	CHILD_EQ(NOBODY, pi.uid);
	CHILD_EQ(AMDXSCHED_CLASS_BEST_EFFORT, pi.sched_class);
	CHILD_EQ(3, pi.priority);
	CHILD_EQ(250, pi.share);
	CHILD_EQ(5 * MS, pi.deadline_ns);
	CHILD_EQ(0, strcmp(pi.tag, "batch-1.x:y/z_Q"));

	/* one field at a time; the others stay */
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_PRIORITY;
	a.pid = getpid();
	a.priority = 15;
	CHILD_EQ(0, axs_set_proc_attr(fd, &a));
	CHILD_EQ(0, axs_proc_info(fd, getpid(), &pi));
	CHILD_EQ(15, pi.priority);
	CHILD_EQ(AMDXSCHED_CLASS_BEST_EFFORT, pi.sched_class);
	CHILD_EQ(0, strcmp(pi.tag, "batch-1.x:y/z_Q"));

	/* invalid values */
	for (i = 0; i < ARRAY_SIZE(bad_tags); i++) {
		AXS_INIT(a);
		a.flags = AMDXSCHED_ATTR_TAG;
		strcpy(a.tag, bad_tags[i]);
		if (axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a) != -EINVAL) {
			fprintf(stderr, "# child: bad tag %u was not refused\n", i);
			_exit(1);
		}
	}
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_TAG;
	memset(a.tag, 'a', sizeof(a.tag));	/* not terminated */
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	memset(a.tag, 0, sizeof(a.tag));
	strcpy(a.tag, "ok");
	a.tag[10] = 'x';	/* garbage after the terminator */
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));

	AXS_INIT(a);
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));	/* no flag */
	a.flags = AMDXSCHED_ATTR_CLASS;
	a.sched_class = AMDXSCHED_CLASS_MAX + 1;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	a.flags = AMDXSCHED_ATTR_PRIORITY;
	a.sched_class = 0;
	a.priority = 16;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_SHARE;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));	/* share 0 */
	a.share = 1001;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_DEADLINE;
	a.deadline_ns = 3600 * SEC + 1;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	/* fields whose flag is not set must be zero */
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS;
	a.sched_class = AMDXSCHED_CLASS_NORMAL;
	a.priority = 1;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	a.priority = 0;
	a.share = 1;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	a.share = 0;
	a.deadline_ns = 1;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	a.deadline_ns = 0;
	a.tag[0] = 'x';
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	a.tag[0] = 0;
	a.flags |= 1U << 5;
	CHILD_EQ(-EINVAL, axs_ioctl(fd, AMDXSCHED_IOC_SET_PROC_ATTR, &a));
	CHILD_EQ(0, axs_proc_info(fd, getpid(), &pi));
	CHILD_EQ(AMDXSCHED_CLASS_BEST_EFFORT, pi.sched_class);
	CHILD_EQ(15, pi.priority);

	/* root's process: not ours; a process that does not exist */
	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS;
	a.sched_class = AMDXSCHED_CLASS_REALTIME;
	a.pid = root_pid;
	CHILD_EQ(-EPERM, axs_set_proc_attr(fd, &a));
	a.pid = 0x3ffffff0;
	CHILD_EQ(-ESRCH, axs_set_proc_attr(fd, &a));
	CHILD_EQ(0, close(fd));
}

TEST_F(perm, unprivileged_sets_its_own_attributes)
{
	struct amdxsched_proc_info pi;
	pid_t me = getpid();

	EXPECT_EQ(0, in_child(nobody_attrs, self, &me));
	ASSERT_EQ(0, axs_proc_info(self->fd, me, &pi));
	EXPECT_EQ(AMDXSCHED_CLASS_UNSET, pi.sched_class);
	EXPECT_EQ(AMDXSCHED_PROC_F_SIM, pi.flags);
}

/* Root's own hints: set for itself, and for another (known) process. */
TEST_F(perm, root_sets_attributes_of_others)
{
	struct amdxsched_proc_attr a;
	struct amdxsched_proc_info pi;
	int to_child[2], to_parent[2];
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = axs_open(O_RDWR);

		close(to_child[1]);	/* the parent's death reads as EOF */
		close(to_parent[0]);
		CHILD_CHECK(fd >= 0);
		CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
		CHILD_EQ(0, axs_pipe_put(to_parent[1], 'r'));
		CHILD_CHECK(axs_pipe_get(to_child[0], 60000) >= 0);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	ASSERT_EQ(1, read(to_parent[0], &c, 1));

	AXS_INIT(a);
	a.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_TAG;
	a.sched_class = AMDXSCHED_CLASS_REALTIME;
	strcpy(a.tag, "rt");
	a.pid = child;
	ASSERT_EQ(0, axs_set_proc_attr(self->fd, &a));
	ASSERT_EQ(0, axs_proc_info(self->fd, child, &pi));
	EXPECT_EQ(AMDXSCHED_PROC_F_SIM | AMDXSCHED_PROC_F_ATTR, pi.flags);
	EXPECT_EQ(AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_TAG, pi.attrs);	/* which ones */
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, pi.sched_class);
	EXPECT_STREQ("rt", pi.tag);
	/* hints for processes no backend knows are refused */
	a.pid = 1;
	EXPECT_EQ(-ESRCH, axs_set_proc_attr(self->fd, &a));

	ASSERT_EQ(0, axs_pipe_put(to_child[1], 'x'));
	ASSERT_EQ(0, axs_wait_child(child));
	EXPECT_EQ(-ESRCH, axs_proc_info(self->fd, child, &pi));
	close(to_child[1]);
	close(to_parent[0]);
}

/* ------------------------------------------------------------------------ */
/* Control: CAP_SYS_NICE or a writable open */

struct ctl_arg {
	uint64_t other;		/* a queue of another process */
	int flags;		/* open flags */
	int want_control;
};

static void act_on_other(FIXTURE_DATA(perm) *self, void *arg)
{
	struct ctl_arg *c = arg;
	struct amdxsched_version v;
	int fd, ret;

	(void)self;
	if (c->want_control < 0) {
		drop_sys_nice();
		c->want_control = !!(c->flags & (O_RDWR | O_WRONLY));
	}
	fd = axs_open(c->flags);
	CHILD_CHECK(fd >= 0);
	CHILD_EQ(0, axs_version(fd, &v));
	CHILD_EQ(c->want_control, v.control);
	ret = axs_suspend1(fd, c->other, L3, 1000, NULL);
	if (c->want_control) {
		CHILD_EQ(0, ret);
		CHILD_EQ(0, axs_resume1(fd, c->other));
		CHILD_EQ(0, axs_set_priority1(fd, c->other, 8));	/* raising */
		CHILD_EQ(0, axs_set_priority1(fd, c->other, 7));
	} else {
		CHILD_EQ(-EPERM, ret);
		CHILD_EQ(-EPERM, axs_set_priority1(fd, c->other, 6));
	}
	CHILD_EQ(0, close(fd));
}

TEST_F(perm, control_comes_from_cap_sys_nice_or_a_writable_open)
{
	struct ctl_arg c = { .other = self->rq[0] };

	/* root, read-only open: CAP_SYS_NICE gives control */
	c.flags = O_RDONLY;
	c.want_control = 1;
	EXPECT_EQ(0, in_child(act_on_other, self, &c));
	/* root without CAP_SYS_NICE: read-only has none, read-write has it */
	c.want_control = -1;
	EXPECT_EQ(0, in_child(act_on_other, self, &c));
	c.flags = O_RDWR;
	c.want_control = -1;
	EXPECT_EQ(0, in_child(act_on_other, self, &c));
}

/* ------------------------------------------------------------------------ */
/* PID namespaces */

struct ns_arg {
	pid_t parent;
	int to_child[2], to_parent[2];	/* with the process inside */
	int pid_pipe[2];		/* from the process in between */
};

static void in_new_pidns(FIXTURE_DATA(perm) *self, struct ns_arg *a)
{
	struct amdxsched_queue_info qi[4];
	struct amdxsched_proc_info pi[4];
	struct amdxsched_event ev;
	uint64_t h, h2, seq = 0;
	uint32_t count, mask = 0xff;
	bool got_marker = false;
	int fd, ret;

	CHILD_EQ(1, getpid());
	fd = axs_open(O_RDWR);
	CHILD_CHECK(fd >= 0);
	CHILD_EQ(0, axs_events_config(fd, AMDXSCHED_EVENT_MASK_ALL, 1024));

	/* the parent's queues and process are not there */
	count = 4;
	CHILD_EQ(0, axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count, sizeof(qi[0]), 0,
			     AMDXSCHED_GPU_ANY));
	CHILD_EQ(0, count);
	count = 4;
	CHILD_EQ(0, axs_list(fd, AMDXSCHED_IOC_LIST_PROCS, pi, &count, sizeof(pi[0]), 0,
			     AMDXSCHED_GPU_ANY));
	CHILD_EQ(0, count);
	count = 4;
	CHILD_EQ(-ESRCH, axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count, sizeof(qi[0]),
				  a->parent, AMDXSCHED_GPU_ANY));
	count = 4;
	CHILD_EQ(-ESRCH, axs_list(fd, AMDXSCHED_IOC_LIST_PROCS, pi, &count, sizeof(pi[0]),
				  a->parent, AMDXSCHED_GPU_ANY));
	/* nor reachable by handle, though this file has control */
	CHILD_EQ(-ENOENT, axs_suspend1(fd, self->rq[0], L3, 1000, NULL));
	CHILD_EQ(-ENOENT, axs_resume(fd, &self->rq[1], 1, AMDXSCHED_RESUME_FORCE, NULL));
	CHILD_EQ(-ENOENT, axs_set_priority1(fd, self->rq[0], 3));
	CHILD_EQ(-ENOENT, axs_set_cu_mask(fd, self->rq[0], &mask, 32));

	/* its own process is pid 1 here */
	CHILD_EQ(1, axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
	CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 5, &h, NULL));
	count = 4;
	CHILD_EQ(0, axs_list(fd, AMDXSCHED_IOC_LIST_PROCS, pi, &count, sizeof(pi[0]), 0,
			     AMDXSCHED_GPU_ANY));
	CHILD_EQ(1, count);
	CHILD_EQ(1, pi[0].pid);
	CHILD_EQ(1, pi[0].num_queues);
	count = 4;
	CHILD_EQ(0, axs_list(fd, AMDXSCHED_IOC_LIST_QUEUES, qi, &count, sizeof(qi[0]), 1,
			     AMDXSCHED_GPU_ANY));
	CHILD_EQ(1, count);
	CHILD_EQ(h, qi[0].handle);
	CHILD_EQ(1, qi[0].pid);
	CHILD_EQ(0, axs_suspend1(fd, h, L3, 10000, NULL));
	CHILD_EQ(0, axs_queue_info(fd, h, &qi[0]));
	CHILD_EQ(1, qi[0].holder_pid);

	/* the parent looks, acts on its own queues, and suspends ours */
	CHILD_EQ(0, axs_resume1(fd, h));
	CHILD_EQ(0, axs_pipe_put(a->to_parent[1], 'a'));
	CHILD_EQ('b', axs_pipe_get(a->to_child[0], 60000));
	CHILD_EQ(0, axs_queue_info(fd, h, &qi[0]));
	CHILD_EQ(AMDXSCHED_QUEUE_S_SUSPENDED, qi[0].state & ~AMDXSCHED_QUEUE_S_BUSY);
	CHILD_EQ(0, qi[0].holder_pid);	/* the holder is not visible here */

	/* a marker event of our own, then read everything we were sent */
	CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 5, &h2, NULL));
	while (!got_marker) {
		ret = axs_ev_read(fd, &ev, AXS_EVENTUALLY_MS);
		CHILD_EQ(1, ret);
		CHILD_EQ(++seq, ev.seq);	/* nothing dropped, nothing hidden in between */
		if (ev.handle == self->rq[0] || ev.handle == self->rq[1])
			CHILD_CHECK(!"an event about the parent's queue");
		CHILD_EQ(1, ev.pid);	/* all about us */
		if (ev.type == AMDXSCHED_EVENT_QUEUE_CREATED && ev.handle == h2)
			got_marker = true;
	}
	CHILD_EQ(0, close(fd));
}

TEST_F(perm, pid_namespaces_hide_what_is_outside)
{
	struct amdxsched_queue_info qi;
	struct amdxsched_proc_info pi;
	struct amdxsched_event ev;
	struct ns_arg a;
	uint64_t mine, theirs = 0;
	pid_t mid, inner = 0;
	int evfd, ret;

	a.parent = getpid();
	ASSERT_EQ(0, pipe(a.to_child));
	ASSERT_EQ(0, pipe(a.to_parent));
	ASSERT_EQ(0, pipe(a.pid_pipe));
	evfd = axs_open(O_RDONLY);
	ASSERT_LE(0, evfd);
	ASSERT_EQ(0, axs_events_config(evfd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_PROC_CREATED) |
				       AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_CREATED), 0));

	mid = fork();
	ASSERT_LE(0, mid);
	if (!mid) {
		pid_t c;

		if (unshare(CLONE_NEWPID)) {
			fprintf(stderr, "# unshare(CLONE_NEWPID): %s\n", strerror(errno));
			_exit(4);	/* KSFT_SKIP */
		}
		c = fork();
		CHILD_CHECK(c >= 0);
		if (!c) {
			/* keep only its own ends: the parent's death reads as EOF */
			close(a.to_child[1]);
			close(a.to_parent[0]);
			close(a.pid_pipe[0]);
			close(a.pid_pipe[1]);
			in_new_pidns(self, &a);
			_exit(0);
		}
		close(a.to_child[0]);
		close(a.to_child[1]);
		close(a.to_parent[0]);
		close(a.to_parent[1]);
		CHILD_CHECK(write(a.pid_pipe[1], &c, sizeof(c)) == sizeof(c));
		_exit(axs_wait_child(c));
	}
	close(a.pid_pipe[1]);
	close(a.to_child[0]);
	close(a.to_parent[1]);
	ret = read(a.pid_pipe[0], &inner, sizeof(inner));
	if (ret != sizeof(inner)) {
		ret = axs_wait_child(mid);
		if (ret == 4)
			SKIP(return, "no pid namespaces");
		ASSERT_EQ(0, ret);
	}
	ASSERT_EQ('a', axs_pipe_get(a.to_parent[0], 60000));

	/* we see the inner process with its real pid */
	ASSERT_EQ(0, axs_proc_info(self->fd, inner, &pi));
	EXPECT_EQ(inner, pi.pid);
	EXPECT_EQ(AMDXSCHED_PROC_F_SIM, pi.flags);
	EXPECT_EQ(1, pi.num_queues);
	ASSERT_EQ(1, axs_ev_wait(evfd, AMDXSCHED_EVENT_PROC_CREATED, 0, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(inner, ev.pid);
	ASSERT_EQ(1, axs_ev_wait(evfd, AMDXSCHED_EVENT_QUEUE_CREATED, 0, AXS_EVENTUALLY_MS, &ev));
	EXPECT_EQ(inner, ev.pid);
	theirs = ev.handle;
	ASSERT_EQ(0, axs_queue_info(self->fd, theirs, &qi));
	EXPECT_EQ(inner, qi.pid);

	/* events about us must not reach it */
	ASSERT_EQ(0, axs_sim_queue_create(self->fd, self->gpu, 3, &mine, NULL));
	ASSERT_EQ(0, axs_set_priority1(self->fd, self->rq[0], 2));
	ASSERT_EQ(0, axs_suspend1(self->fd, self->rq[0], L3, 5000, NULL));
	ASSERT_EQ(0, axs_resume1(self->fd, self->rq[0]));
	ASSERT_EQ(0, axs_sim_queue_destroy(self->fd, mine));
	/* and we may act on its queue */
	ASSERT_EQ(0, axs_suspend1(self->fd, theirs, L3, 10000, NULL));
	ASSERT_EQ(0, axs_pipe_put(a.to_child[1], 'b'));
	ASSERT_EQ(0, axs_wait_child(mid));
	EXPECT_EQ(-ENOENT, axs_queue_info(self->fd, theirs, &qi));
	EXPECT_EQ(0, close(evfd));
	close(a.pid_pipe[0]);
	close(a.to_child[1]);
	close(a.to_parent[0]);
}

/*
 * The sim ioctls that take a queue handle tell "not yours" (EPERM) from
 * "no such queue" (ENOENT); for a queue the caller cannot see they must say
 * ENOENT, as SUSPEND does, or they reveal it.
 */
static void ns_sim_ioctls(FIXTURE_DATA(perm) *self, void *arg)
{
	struct amdxsched_sim_wait w;
	int fd;

	(void)arg;
	if (unshare(CLONE_NEWPID))
		_exit(4);	/* KSFT_SKIP */
	if (fork() == 0) {
		fd = axs_open(O_RDWR);
		CHILD_CHECK(fd >= 0);
		CHILD_EQ(1, axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
		CHILD_EQ(-ENOENT, axs_suspend1(fd, self->rq[0], L3, 1000, NULL));
		CHILD_EQ(-ENOENT, axs_sim_queue_destroy(fd, self->rq[0]));
		CHILD_EQ(-ENOENT, axs_sim_submit(fd, self->rq[0], 1, 1000, 0, NULL));
		CHILD_EQ(-ENOENT, axs_sim_wait(fd, self->rq[0], 1, 0, &w));
		_exit(0);
	}
	_exit(axs_wait_child(-1) == 0 ? 0 : 1);
}

TEST_F(perm, sim_ioctls_do_not_reveal_invisible_queues)
{
	int ret = in_child(ns_sim_ioctls, self, NULL);

	if (ret == 4)
		SKIP(return, "no pid namespaces");
	EXPECT_EQ(0, ret);
}

/*
 * Unprivileged users cannot take the event subscriptions: at most 16 per
 * user (EDQUOT past them), and whatever they hold, a file with control
 * (the daemon's) still subscribes.
 */
static void nobody_subscribes(FIXTURE_DATA(perm) *self, void *arg)
{
	int *go = arg, fds[20], i, ret;
	char c;

	(void)self;
	become_nobody();
	for (i = 0; i < 20; i++) {
		fds[i] = open_dev(O_RDONLY);
		CHILD_CHECK(fds[i] >= 0);
		ret = axs_events_config(fds[i], AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_CREATED), 0);
		CHILD_EQ(i < 16 ? 0 : -EDQUOT, ret);
	}
	/* a subscription given up frees one */
	CHILD_EQ(0, axs_events_config(fds[0], 0, 0));
	CHILD_EQ(0, axs_events_config(fds[16], AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_CREATED), 0));
	/* hold them while the parent subscribes */
	CHILD_EQ(0, axs_pipe_put(go[1], 'h'));
	CHILD_EQ(1, read(go[2], &c, 1));
	for (i = 0; i < 20; i++)
		close(fds[i]);
}

TEST_F(perm, unprivileged_subscriptions_are_limited_per_user)
{
	int p[2], q[2], go[3], fd, st;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	go[1] = p[1];
	go[2] = q[0];
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		nobody_subscribes(self, go);
		_exit(0);
	}
	EXPECT_EQ('h', axs_pipe_get(p[0], AXS_EVENTUALLY_MS));
	fd = open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, axs_events_config(fd, AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_CREATED), 0));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(1, write(q[1], "x", 1));
	st = axs_wait_child(pid);
	EXPECT_EQ(0, st);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/*
 * Each change of a queue remaps its GPU, preempting every tenant: a file
 * without control may make at most 100 such calls a second (bursts of
 * 100), EAGAIN beyond, with nothing changed. Root's file is not limited.
 */
static void changes_for(int fd, uint64_t h, uint64_t ms, uint64_t *ok, uint64_t *again,
			uint64_t *other, uint64_t *elapsed_ns, bool *suspended)
{
	uint64_t t0 = axs_now_ns();
	int r;

	*ok = *again = *other = 0;
	*suspended = false;
	while (axs_now_ns() - t0 < ms * MS) {
		r = *suspended ? axs_resume1(fd, h) : axs_suspend1(fd, h, L3, 1000, NULL);
		if (!r) {
			(*ok)++;
			*suspended = !*suspended;
		} else if (r == -EAGAIN) {
			(*again)++;
		} else {
			(*other)++;
		}
	}
	*elapsed_ns = axs_now_ns() - t0;
}

static void nobody_changes_fast(FIXTURE_DATA(perm) *self, void *arg)
{
	uint64_t h, ok, again, other, ns;
	struct amdxsched_queue_info qi;
	bool suspended;
	int fd;

	(void)arg;
	become_nobody();
	fd = open_ro_nobody();
	CHILD_EQ(getpid(), axs_sim_proc_pid(fd, AMDXSCHED_SIM_PROC_CREATE));
	CHILD_EQ(0, axs_sim_queue_create(fd, self->gpu, 8, &h, NULL));
	changes_for(fd, h, 2000, &ok, &again, &other, &ns, &suspended);
	printf("# nobody: %" PRIu64 " changes, %" PRIu64 " EAGAIN in %" PRIu64 " ms\n",
	       ok, again, (uint64_t)(ns / MS));
	CHILD_EQ(0, other);
	/* GCRA: a burst of 100, then 100 a second */
	CHILD_CHECK(ok <= 100 + 100 * ns / SEC + 1);
	CHILD_CHECK(again > 0);
	/* refused calls changed nothing */
	CHILD_EQ(0, axs_queue_info(fd, h, &qi));
	CHILD_EQ(suspended, !!(qi.state & AMDXSCHED_QUEUE_S_SUSPENDED));
	CHILD_EQ(0, close(fd));
}

TEST_F(perm, unprivileged_queue_changes_are_rate_limited)
{
	uint64_t ok, again, other, ns;
	bool suspended;

	EXPECT_EQ(0, in_child(nobody_changes_fast, self, NULL));
	/* root's control file, on its running queue: no limit */
	changes_for(self->fd, self->rq[0], 500, &ok, &again, &other, &ns, &suspended);
	TH_LOG("root: %" PRIu64 " changes in %" PRIu64 " ms", ok, (uint64_t)(ns / MS));
	EXPECT_EQ(0, again);
	EXPECT_EQ(0, other);
	EXPECT_LT(100 + 100 * ns / SEC + 1, ok);
	if (suspended)
		EXPECT_EQ(0, axs_resume1(self->fd, self->rq[0]));
}

TEST_HARNESS_MAIN
