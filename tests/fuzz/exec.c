// SPDX-License-Identifier: MIT
/*
 * axs-fuzz executor: runs one program in a worker process. Operations of
 * WHO_MAIN run in the worker's thread, those of WHO_THREAD in a helper
 * thread started at the first of them (sharing the worker's files), those
 * of WHO_CHILD in a child forked at the first of them, which then waits,
 * holding whatever it has, until it is killed with SIGKILL (by an OP_KILL
 * or when the program ends). At the end every file of the program is
 * closed, so that each program starts from nothing of its own.
 *
 * Device files live at fixed descriptor numbers (SLOT_FD0 + slot), far above
 * what open() hands out, so that a close racing with another thread's use
 * never makes it act on someone else's file.
 *
 * After fork() the child runs only system calls and this file's own code
 * (no stdio, no malloc; env.lock, which fork leaves unlocked, is its own
 * then): the worker may have a second thread.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOT_FD0	600
#define PAGE		4096UL
#define REGION		(64 * 1024UL)
#define ROLE_ARG	0
#define ROLE_A		1	/* handles, entries, mask, list entries, read buffer */
#define ROLE_B		2	/* status */
#define NROLES		3
#define WATCHDOG_MS	200
#define MAX_GPUS	64

/* Buffers of one executor: each role has a RW view and a RO view of the same bytes. */
struct arena {
	uint8_t *rw[NROLES];
	uint8_t *ro[NROLES];
};

struct env {
	pthread_mutex_t lock;
	uint64_t handles[NHANDLES];
	uint64_t disp[NHANDLES];
	unsigned int nh;
	uint64_t leases[NLEASES];
	unsigned int nl;
	pid_t child;
	pid_t helper_tid;
};

struct helper {
	pthread_t t;
	const struct prog *p;
	unsigned int from;
	atomic_int stop;
	atomic_int done;
	atomic_int cur;		/* the operation it runs, for a report if it hangs; -1 */
};

static struct worker_cfg cfg;
static struct arena arenas[WHO_N];
static struct kcov kc[WHO_N];
static timer_t main_timer;
static struct env env;
static struct helper helper;
static uint32_t gpus[MAX_GPUS];
static unsigned int ngpus;		/* env.lock */
static pid_t worker_pid;

static int slot_fd(unsigned int slot)
{
	return SLOT_FD0 + (int)(slot % NSLOTS);
}

static void stat_errno(unsigned int sub, int err)
{
	static const int known[] = { ERRNO_LIST };
	unsigned int i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == err)
			break;
	atomic_fetch_add_explicit(&sh->errs[sub][i], 1, memory_order_relaxed);
}

static void stat_count(unsigned int idx, bool ok)
{
	atomic_fetch_add_explicit(ok ? &sh->ok[idx] : &sh->fail[idx], 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------------ */
/* Shared pools of handles, leases and dead pids */

static uint64_t pool_get(_Atomic uint64_t *pool, uint64_t i)
{
	return atomic_load_explicit(&pool[i % POOL_N], memory_order_relaxed);
}

static void pool_put(_Atomic uint64_t *pool, unsigned int which, uint64_t v)
{
	uint32_t pos = atomic_fetch_add_explicit(&sh->pool_pos[which], 1, memory_order_relaxed);

	atomic_store_explicit(&pool[pos % POOL_N], v, memory_order_relaxed);
}

void pool_add_handle(uint64_t h)
{
	uint64_t cur = atomic_load_explicit(&sh->handle_max, memory_order_relaxed);

	pool_put(sh->handle_pool, 0, h);
	while (h > cur && !atomic_compare_exchange_weak(&sh->handle_max, &cur, h))
		;
}

void pool_add_lease(uint64_t l)
{
	pool_put(sh->lease_pool, 1, l);
}

void pool_add_dead_pid(pid_t pid)
{
	uint32_t pos = atomic_fetch_add_explicit(&sh->pool_pos[2], 1, memory_order_relaxed);

	atomic_store_explicit(&sh->pid_pool[pos % 64], (uint32_t)pid, memory_order_relaxed);
}

static uint64_t handle_max(void)
{
	return atomic_load_explicit(&sh->handle_max, memory_order_relaxed);
}

/* ------------------------------------------------------------------------ */
/* Resolving references */

static pid_t resolve_pid(unsigned int kind)
{
	switch (kind) {
	case PID_SELF:
		return worker_pid;
	case PID_THREAD:
		return env.helper_tid ? env.helper_tid : worker_pid + 1;
	case PID_CHILD:
		return env.child;
	case PID_DEAD:
		return (pid_t)atomic_load_explicit(&sh->pid_pool[0], memory_order_relaxed);
	case PID_INIT:
		return 1;
	case PID_SUPERVISOR:
		return sh->supervisor;
	case PID_OTHER_WORKER:
		return sh->nworkers ? sh->workers[(cfg.id + 1) % sh->nworkers] : 1;
	case PID_NONEXIST:
		return 0x3fffffff;
	default:
		return 0x7fffffff;
	}
}

static uint64_t resolve_locked(uint64_t v)
{
	uint64_t a = REF_ARG(v);

	switch (REF_TYPE(v)) {
	case R_HANDLE:
		if (env.nh)
			return env.handles[a % env.nh];
		return pool_get(sh->handle_pool, a);
	case R_HANDLE_POOL:
		return pool_get(sh->handle_pool, a);
	case R_HANDLE_NEXT:
		return handle_max() + 1 + a;
	case R_LEASE:
		if (env.nl)
			return env.leases[a % env.nl];
		return pool_get(sh->lease_pool, a);
	case R_LEASE_POOL:
		return pool_get(sh->lease_pool, a);
	case R_DISP:
		return (env.nh ? env.disp[(a & 0xff) % env.nh] : 1) + ((a >> 8) & 0xff) - 8;
	case R_PID:
		return (uint32_t)resolve_pid(a);
	case R_GPU:
		return ngpus ? gpus[a % ngpus] : a;
	case R_MAXLEASE:
		return (uint64_t)sh->max_lease_ms + (a & 0xff) - 8;
	default:
		return v;	/* not a reference we know: the value as it is */
	}
}

static uint64_t resolve(uint64_t v)
{
	uint64_t r;

	if (!IS_REF(v))
		return v;
	pthread_mutex_lock(&env.lock);
	r = resolve_locked(v);
	pthread_mutex_unlock(&env.lock);
	return r;
}

/* The real command, or one near it: other size, direction, number or magic. */
static unsigned long resolve_cmd(uint64_t v, unsigned int sub)
{
	unsigned long c = ioctls[sub].cmd;
	uint64_t a;

	if (!IS_REF(v) || REF_TYPE(v) != R_CMD)
		return (unsigned long)(uint32_t)v;
	a = REF_ARG(v);
	if ((a & 0xff) < IOC_N)
		c = ioctls[a & 0xff].cmd;
	switch ((a >> 8) & 0xff) {
	case 1:
		return _IOC(_IOC_DIR(c), _IOC_TYPE(c), _IOC_NR(c), (_IOC_SIZE(c) + 8) & _IOC_SIZEMASK);
	case 2:
		return _IOC(_IOC_WRITE, _IOC_TYPE(c), _IOC_NR(c), _IOC_SIZE(c));
	case 3:
		return _IOC(_IOC_DIR(c), _IOC_TYPE(c), (_IOC_NR(c) + 1) & _IOC_NRMASK, _IOC_SIZE(c));
	case 4:
		return _IOC(_IOC_DIR(c), (_IOC_TYPE(c) + 1) & _IOC_TYPEMASK, _IOC_NR(c),
			    _IOC_SIZE(c));
	case 5:
		return _IOC(_IOC_DIR(c), _IOC_TYPE(c), 0x46, _IOC_SIZE(c));
	case 6:
		return _IOC(_IOC_NONE, _IOC_TYPE(c), _IOC_NR(c), 0);
	default:
		return c;
	}
}

/* ------------------------------------------------------------------------ */
/* Buffers and pointers */

static uint64_t round8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

/*
 * Put @len bytes of @content where pointer spec @spec says, in @role of
 * @ar, and return the address for the kernel. *@readable says whether we
 * can read what the kernel wrote there (NULL: where to read it).
 */
static uint64_t place(struct arena *ar, unsigned int role, uint64_t spec, const void *content,
		      uint64_t len, uint8_t **readable)
{
	uint8_t *end = ar->rw[role] + REGION;
	uint64_t kind, detail, l = len > REGION ? REGION : len;
	uint8_t *good = len > REGION - 8 ? ar->rw[role] : end - round8(l);
	uint8_t *p;

	*readable = NULL;
	if (!IS_REF(spec) || REF_TYPE(spec) != R_PTR)
		return spec;	/* a raw address */
	kind = REF_ARG(spec) & 0xff;
	detail = REF_ARG(spec) >> 8;
	switch (kind) {
	case P_GOOD:
		if (content)
			memcpy(good, content, l);
		*readable = good;
		return (uintptr_t)good;
	case P_NULL:
		return 0;
	case P_LOW:
		return 0x1000 + 8 * (detail % 64);
	case P_RO:
		if (content)
			memcpy(good, content, l);
		return (uintptr_t)(ar->ro[role] + (good - ar->rw[role]));
	case P_STRADDLE: {
		uint64_t k = l ? 1 + detail % l : 0;

		p = end - (l - k);
		if (content)
			memcpy(p, content, l - k);
		return (uintptr_t)p;
	}
	case P_MISALIGN:
		p = len > REGION - 16 ? ar->rw[role] + 1 : end - round8(l) - 8 + 1 + detail % 7;
		if (content)
			memcpy(p, content, len > REGION - 16 ? REGION - 16 : l);
		*readable = p;
		return (uintptr_t)p;
	case P_KERNEL: {
		static const uint64_t k[] = {
			0xffffffff81000000ULL, 0xffff888000000000ULL,
			0xfffffffffffff000ULL, 0xffffffffc0000000ULL,
		};
		return k[detail % 4];
	}
	case P_NONCANON:
		return detail & 1 ? 0x8000000000000000ULL : 0x0000800000000000ULL + 8 * (detail % 8);
	case P_GUARD:
		return (uintptr_t)end + detail % 64;
	case P_WRAP:
		return ~0ULL - detail % 64;
	default:
		return 0;
	}
}

static int arena_init(struct arena *ar)
{
	size_t per = REGION + PAGE, total = PAGE + NROLES * 2 * per;
	uint8_t *base;
	int mfd, i;

	mfd = memfd_create("axs-fuzz", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	if (ftruncate(mfd, NROLES * REGION)) {
		close(mfd);
		return -errno;
	}
	/* All guard pages first; the views go over it at fixed places. */
	base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		close(mfd);
		return -errno;
	}
	for (i = 0; i < NROLES; i++) {
		uint8_t *rw = base + PAGE + (size_t)i * 2 * per;
		uint8_t *ro = rw + per;

		if (mmap(rw, REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, mfd,
			 (off_t)i * REGION) == MAP_FAILED ||
		    mmap(ro, REGION, PROT_READ, MAP_SHARED | MAP_FIXED, mfd,
			 (off_t)i * REGION) == MAP_FAILED) {
			close(mfd);
			return -errno;
		}
		ar->rw[i] = rw;
		ar->ro[i] = ro;
	}
	close(mfd);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* A timer per thread that interrupts blocking calls (SIGUSR1, no SA_RESTART) */

/* glibc before 2.37 does not name the field. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static void on_sigusr1(int sig)
{
	(void)sig;
}

static int watchdog_create(timer_t *t)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify_thread_id = gettid();
	return timer_create(CLOCK_MONOTONIC, &sev, t) ? -errno : 0;
}

static void watchdog_arm(timer_t t, unsigned int ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (timer_settime(t, 0, &its, NULL))
		diag("timer_settime: %s", strerror(errno));
}

/* ------------------------------------------------------------------------ */
/* Formatting without stdio, for children */

static size_t fmt_u64(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

static const char *const knobs[] = {
	"fail_suspend", "fail_suspend_late", "fail_resume", "fail_priority", "fail_cu_mask",
	"fail_queue_create", "fail_errno", "unmap_delay_us", "preempt_timeout_ms",
};

/* Values kept to what lets the run go on: a few failures, short delays. */
static uint64_t knob_value(unsigned int k, uint64_t v)
{
	static const uint64_t errnos[] = { 0, 1, 5, 11, 12, 16, 110, 4095, 4096 };

	if (k <= 5)
		return v > 4 ? 4 : v;
	if (k == 6)
		return errnos[v % 9];
	if (k == 7)
		return v > 20000 ? 20000 : v;
	return v > 50 ? 50 : v;
}

static int knob_write(uint32_t gpu, unsigned int k, uint64_t v)
{
	static const char dir[] = "/sys/kernel/debug/amdxsched/sim/gpu";
	char path[128], val[24];
	size_t n = sizeof(dir) - 1, vn;
	ssize_t w;
	int fd;

	memcpy(path, dir, n);
	n += fmt_u64(path + n, gpu);
	path[n++] = '/';
	memcpy(path + n, knobs[k], strlen(knobs[k]) + 1);
	vn = fmt_u64(val, v);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, val, vn);
	close(fd);
	return w < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------------ */
/* ioctls */

static void put_field(uint8_t *buf, const struct field *f, uint64_t v)
{
	if (f->width == 4) {
		uint32_t x = (uint32_t)v;

		memcpy(buf + f->off, &x, 4);
	} else if (f->width == 8) {
		memcpy(buf + f->off, &v, 8);
	}
}

static uint64_t get_field(const uint8_t *buf, const struct field *f)
{
	uint32_t x;
	uint64_t y;

	if (f->width == 4) {
		memcpy(&x, buf + f->off, 4);
		return x;
	}
	memcpy(&y, buf + f->off, 8);
	return y;
}

static const struct field *find_kind(const struct ioctl_desc *d, unsigned int kind,
				     unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < d->nf; i++)
		if (d->f[i].kind == kind && !nth--)
			return &d->f[i];
	return NULL;
}

/* A tag: valid, empty, too long, a bad character, garbage after the NUL... */
static void fill_tag(uint8_t *t, uint64_t sel)
{
	static const char *const tags[] = {
		"", "batch", "inference.v2:a/b-c_d", "0123456789012345678901234567890",
		"has space", "tab\there", "\x80high",
	};

	memset(t, 0, AMDXSCHED_TAG_LEN);
	switch (sel % 9) {
	case 7:		/* 32 characters, no NUL */
		memset(t, 'x', AMDXSCHED_TAG_LEN);
		break;
	case 8:		/* a NUL, then garbage */
		memcpy(t, "ok\0junk", 7);
		break;
	default:
		memcpy(t, tags[sel % 9], strlen(tags[sel % 9]));
		break;
	}
}

/* active_cu[xcc][se][sh] of a simulated GPU, from a pattern selector. */
static void fill_acu(struct amdxsched_sim_gpu_config *c, uint64_t sel)
{
	uint32_t nx = c->num_xcc ? c->num_xcc : 4, ns = c->num_se_per_xcc ? c->num_se_per_xcc : 4;
	uint32_t nh = c->num_sh_per_se ? c->num_sh_per_se : 1;
	uint32_t x, s, h;

	memset(c->active_cu, 0, sizeof(c->active_cu));
	if (sel % 6 == 0)
		return;		/* all zero: the default */
	for (x = 0; x < AMDXSCHED_MAX_XCC; x++)
		for (s = 0; s < AMDXSCHED_MAX_SE; s++)
			for (h = 0; h < AMDXSCHED_MAX_SH; h++) {
				bool in = x < nx && s < ns && h < nh;
				uint16_t v = 0;

				switch (sel % 6) {
				case 1:	v = in ? 0x1f : 0; break;
				case 2:	v = in ? (uint16_t)(0x3 << ((x + s) % 12)) : 0; break;
				case 3:	v = in && x ? 0x1 : 0; break;	/* XCC 0 empty */
				case 4:	v = 0x1; break;			/* also outside */
				default: v = 0xffff; break;
				}
				c->active_cu[x][s][h] = v;
			}
}

/*
 * A simulated GPU on which every unmap takes at most ~50 ms and every
 * remap ~60 ms, whatever else the fuzzer chose: an unmap sleeps under the
 * module's lock, and a GPU whose remaps take minutes would stall every
 * other test (and trip the hung-task detector). Invalid values stay.
 */
static void sim_gpu_bound(struct amdxsched_sim_gpu_config *c)
{
	if (c->preempt_timeout_ms == 0 || (c->preempt_timeout_ms > 50 &&
					   c->preempt_timeout_ms <= 60000))
		c->preempt_timeout_ms = 50;
	if (c->map_ns > 10000000 && c->map_ns <= 1000000000)
		c->map_ns = 10000000;
	if (c->restore_bw >= 1000000 && c->restore_bw < 100000000000ULL)
		c->restore_bw = 100000000000ULL;
}

/* What APPLY's CU_MASK entries point at: every CU, 32 words of it. */
static const uint32_t apply_mask[AMDXSCHED_CU_MASK_WORDS] = {
	[0 ... AMDXSCHED_CU_MASK_WORDS - 1] = 0xffffffff,
};

static uint64_t arr_handle(const struct op *o, uint64_t i)
{
	if (i < o->na)
		return resolve(o->a[i]);
	return handle_max() + 1000 + i;	/* unknown */
}

/* Fill the array of ioctl @o in @a; returns its length in bytes (may exceed REGION). */
static uint64_t fill_arrays(const struct op *o, const uint8_t *buf, uint8_t *a, uint8_t *b,
			    uint64_t *blen)
{
	const struct ioctl_desc *d = &ioctls[o->sub];
	const struct field *cf = find_kind(d, K_BATCH, 0);
	uint64_t count = cf ? get_field(buf, cf) : 0, i, n, len = 0;

	*blen = 0;
	switch (o->sub) {
	case IOC_SUSPEND:
	case IOC_RESUME:
		len = count * 8;
		*blen = count * 4;
		n = count > REGION / 8 ? REGION / 8 : count;
		for (i = 0; i < n; i++) {
			uint64_t h = arr_handle(o, i);

			memcpy(a + 8 * i, &h, 8);
		}
		memset(b, 0x5a, *blen > REGION ? REGION : *blen);
		break;
	case IOC_SET_PRIORITY:
		len = count * sizeof(struct amdxsched_priority_entry);
		n = count > REGION / 16 ? REGION / 16 : count;
		for (i = 0; i < n; i++) {
			struct amdxsched_priority_entry e = {
				.handle = arr_handle(o, 2 * i < o->na ? 2 * i : o->na + i),
				.priority = 2 * i + 1 < o->na ? (uint32_t)o->a[2 * i + 1] : 0,
				.status = 0x5a5a5a5a,
			};

			memcpy(a + 16 * i, &e, sizeof(e));
		}
		break;
	case IOC_APPLY:
		len = count * sizeof(struct amdxsched_apply_entry);
		n = count > REGION / sizeof(struct amdxsched_apply_entry) ?
		    REGION / sizeof(struct amdxsched_apply_entry) : count;
		for (i = 0; i < n; i++) {
			uint64_t spec = 2 * i + 1 < o->na ? o->a[2 * i + 1] : 0;
			uint32_t m = (spec >> 40) & 0xff;
			struct amdxsched_apply_entry e = {
				.handle = arr_handle(o, 2 * i < o->na ? 2 * i : o->na + i),
				.op = spec & 0xff,
				.arg = (uint32_t)(spec >> 8),
				.mask = m == APPLY_MASK_GOOD ? (uintptr_t)apply_mask :
					m == APPLY_MASK_BAD ? 8 : 0,
				.status = 0x5a5a5a5a,
			};

			memcpy(a + sizeof(e) * i, &e, sizeof(e));
		}
		break;
	case IOC_SET_CU_MASK: {
		const struct field *nf = find_kind(d, K_NBITS, 0);
		uint64_t nbits = get_field(buf, nf);

		len = nbits / 8;
		n = len / 4 > REGION / 4 ? REGION / 4 : len / 4;
		for (i = 0; i < n; i++) {
			uint32_t w = o->na ? (uint32_t)o->a[i % o->na] : 0xffffffff;

			memcpy(a + 4 * i, &w, 4);
		}
		break;
	}
	case IOC_LIST_GPUS:
	case IOC_LIST_QUEUES:
	case IOC_LIST_PROCS:
		len = get_field(buf, find_kind(d, K_LISTCOUNT, 0)) *
		      get_field(buf, find_kind(d, K_ESIZE, 0));
		memset(a, 0xcc, len > REGION ? REGION : len);
		break;
	}
	return len;
}

/* The argument struct in @buf, fields resolved. Returns the bytes to place. */
static uint64_t build_args(const struct op *o, uint8_t *buf, size_t cap)
{
	const struct ioctl_desc *d = &ioctls[o->sub];
	uint64_t size = 0, tail = 0, extra;
	unsigned int i;

	memset(buf, 0, cap);
	for (i = 0; i < d->nf; i++) {
		const struct field *f = &d->f[i];
		uint64_t v = o->v[2 + i];

		switch (f->kind) {
		case K_PTR:
			break;		/* after the arrays */
		case K_TAIL:
			tail = resolve(v);
			break;
		case K_TAG:
			fill_tag(buf + f->off, v);
			break;
		case K_ACU:
			break;		/* after the topology */
		default:
			put_field(buf, f, resolve(v));
			break;
		}
		if (f->kind == K_SIZE)
			size = (uint32_t)resolve(v);
	}
	if (o->sub == IOC_SIM_ADD_GPU) {
		struct amdxsched_sim_gpu_config c;
		const struct field *af = find_kind(d, K_ACU, 0);

		memcpy(&c, buf, sizeof(c));
		fill_acu(&c, af ? o->v[2 + (unsigned int)(af - d->f)] : 0);
		sim_gpu_bound(&c);
		memcpy(buf, &c, sizeof(c));
	}
	/* A bigger struct than ours: zero past it, unless the tail says where not. */
	if (size > d->size && size <= PAGE && size <= cap) {
		extra = size - d->size;
		if (tail)
			buf[d->size + (tail - 1) % extra] = (uint8_t)tail;
		return size;
	}
	return d->size;
}

static void note_handle(uint64_t h)
{
	pthread_mutex_lock(&env.lock);
	if (env.nh < NHANDLES) {
		env.disp[env.nh] = 0;
		env.handles[env.nh++] = h;
	}
	pthread_mutex_unlock(&env.lock);
	pool_add_handle(h);
}

static void note_lease(uint64_t l)
{
	pthread_mutex_lock(&env.lock);
	if (env.nl < NLEASES)
		env.leases[env.nl++] = l;
	pthread_mutex_unlock(&env.lock);
	pool_add_lease(l);
}

static void note_dispatch(uint64_t h, uint64_t id)
{
	unsigned int i;

	pthread_mutex_lock(&env.lock);
	for (i = 0; i < env.nh; i++)
		if (env.handles[i] == h)
			env.disp[i] = id;
	pthread_mutex_unlock(&env.lock);
}

static void note_gpu(uint32_t id)
{
	pthread_mutex_lock(&env.lock);
	if (ngpus < MAX_GPUS)
		gpus[ngpus++] = id;
	pthread_mutex_unlock(&env.lock);
}

/* What a call that worked tells us: new handles, leases, dispatch ids, GPUs. */
static void ioctl_results(unsigned int sub, const uint8_t *out)
{
	switch (sub) {
	case IOC_SIM_QUEUE_CREATE: {
		struct amdxsched_sim_queue_create a;

		memcpy(&a, out, sizeof(a));
		note_handle(a.handle);
		break;
	}
	case IOC_SUSPEND: {
		struct amdxsched_suspend a;

		memcpy(&a, out, sizeof(a));
		note_lease(a.lease_id);
		break;
	}
	case IOC_APPLY: {
		struct amdxsched_apply a;

		memcpy(&a, out, sizeof(a));
		note_lease(a.lease_id);
		break;
	}
	case IOC_SIM_SUBMIT: {
		struct amdxsched_sim_submit a;

		memcpy(&a, out, sizeof(a));
		note_dispatch(a.handle, a.dispatch_id);
		break;
	}
	case IOC_SIM_ADD_GPU: {
		struct amdxsched_sim_gpu_config a;

		memcpy(&a, out, sizeof(a));
		note_gpu(a.gpu_id);
		break;
	}
	}
}

/* Arrays are built here, then placed where their pointer specs say. */
static _Thread_local uint8_t abuf[REGION], bbuf[REGION];

static int exec_ioctl(const struct op *o, struct arena *ar)
{
	const struct ioctl_desc *d = &ioctls[o->sub];
	uint8_t buf[PAGE + 64], *readable, *unused;
	uint64_t len, alen, blen, argp;
	unsigned int i, nptr = 0;
	int r;

	len = build_args(o, buf, sizeof(buf));
	alen = fill_arrays(o, buf, abuf, bbuf, &blen);
	/* Pointers: the first goes to buffer A, the second to B. */
	for (i = 0; i < d->nf; i++) {
		const struct field *f = &d->f[i];
		uint64_t addr;

		if (f->kind != K_PTR)
			continue;
		if (nptr == 0)
			addr = place(ar, ROLE_A, o->v[2 + i], abuf, alen, &unused);
		else
			addr = place(ar, ROLE_B, o->v[2 + i], bbuf, blen, &unused);
		put_field(buf, f, addr);
		nptr++;
	}
	argp = place(ar, ROLE_ARG, o->v[1], buf, len, &readable);
	r = ioctl(slot_fd(o->fd), resolve_cmd(o->v[0], o->sub), (void *)(uintptr_t)argp);
	if (r)
		r = -errno;
	stat_count(o->sub, r == 0);
	if (r)
		stat_errno(o->sub, -r);
	if (r == 0 && readable && len >= d->size)
		ioctl_results(o->sub, readable);
	return r;
}

/* ------------------------------------------------------------------------ */
/* The other operations */

static int open_flags(uint64_t sel)
{
	static const int f[] = {
		O_RDONLY, O_RDWR, O_WRONLY, O_RDONLY | O_NONBLOCK, O_RDWR | O_NONBLOCK,
		O_RDWR | O_CLOEXEC, O_WRONLY | O_NONBLOCK, O_RDONLY | O_CLOEXEC,
	};

	return f[sel % 8];
}

static int do_open(unsigned int slot, uint64_t sel)
{
	int fd = open(AXS_DEVICE_PATH, open_flags(sel));
	int r = 0;

	if (fd < 0)
		return -errno;
	if (dup3(fd, slot_fd(slot), 0) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int do_churn(uint64_t n, uint64_t sel)
{
	struct amdxsched_events_config c;
	uint64_t i;
	int fd;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.mask = AMDXSCHED_EVENT_MASK_ALL;
	c.ring_entries = AMDXSCHED_EVENTS_RING_MIN;
	for (i = 0; i < (n > 32 ? 32 : n); i++) {
		fd = open(AXS_DEVICE_PATH, open_flags(sel + i));
		if (fd < 0)
			return -errno;
		/* Every other one subscribes: subscriber list churn too. */
		if (i % 2 && ioctl(fd, AMDXSCHED_IOC_EVENTS_CONFIG, &c))
			stat_count(IOC_EVENTS_CONFIG, false);
		close(fd);
	}
	return 0;
}

static int do_read(const struct op *o, struct arena *ar)
{
	uint64_t len = resolve(o->v[0]);
	uint8_t *readable;
	uint64_t p = place(ar, ROLE_A, o->nv > 1 ? o->v[1] : 0, NULL, len, &readable);
	ssize_t r = read(slot_fd(o->fd), (void *)(uintptr_t)p, (size_t)len);

	return r < 0 ? -errno : 0;
}

static int do_poll(const struct op *o)
{
	struct pollfd pfd = { .fd = slot_fd(o->fd), .events = (short)o->v[0] };
	int ms = o->v[1] > 50 ? 50 : (int)o->v[1];

	return poll(&pfd, 1, ms) < 0 ? -errno : 0;
}

static int do_sleep(uint64_t us)
{
	struct timespec ts = { 0, (long)(us > 20000 ? 20000 : us) * 1000L };

	return nanosleep(&ts, NULL) ? -errno : 0;
}

/* For children only: nobody, without capabilities; its device files stay. */
static int do_unpriv(unsigned int who)
{
	if (who != WHO_CHILD)
		return 0;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

/*
 * fail-nth (CONFIG_FAULT_INJECTION_DEBUG_FS): the N-th fault point this
 * thread reaches fails; with the settings of the run those are user copies
 * (CONFIG_FAULT_INJECTION_USERCOPY) and allocations that may not sleep.
 * Armed by OP_FAILNTH for the executor's next operation, disarmed after it.
 *
 * No signal may arrive while it is armed: delivering one copies the signal
 * frame to the stack and rt_sigreturn copies it back, and either copy can
 * take the fault, which kills the worker with SIGSEGV. So the watchdog's
 * signal is blocked meanwhile, and only operations that cannot block for
 * long are armed (not read(), not SIM_WAIT).
 */
static _Thread_local uint64_t fail_nth;
static _Thread_local int fnth_fd = -1;	/* this thread's fail-nth, kept open */

/* Opened ahead: a path walk of its own would use up the count. */
static void fail_nth_open(void)
{
	fnth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

static void fail_nth_close(void)
{
	if (fnth_fd >= 0)
		close(fnth_fd);
	fnth_fd = -1;
}

static int fail_nth_set(uint64_t n)
{
	char val[24];
	size_t len = fmt_u64(val, n);

	if (fnth_fd < 0)
		return -ENOENT;
	return pwrite(fnth_fd, val, len, 0) == (ssize_t)len ? 0 : -errno;
}

/* Off again; the write is a user copy too, so it may take the fault itself. */
static void fail_nth_clear(void)
{
	int i;

	for (i = 0; i < 3 && fail_nth_set(0); i++)
		;
}

/* The count armed for @o, 0 if none or if @o may block until a signal. */
static uint64_t fail_armable_nth(const struct op *o)
{
	uint64_t nth = fail_nth;

	fail_nth = 0;
	if (o->kind == OP_IOCTL)
		return o->sub != IOC_SIM_WAIT ? nth : 0;
	return o->kind != OP_READ && o->kind != OP_FAILNTH ? nth : 0;
}

static void run_op_now(const struct op *o, unsigned int who);

static void say_result(const struct op *o, unsigned int who, int r)
{
	if (!cfg.verbose || who == WHO_CHILD)
		return;
	diag("%s %s on slot %u: %s", who == WHO_MAIN ? "main" : "thread",
	     o->kind == OP_IOCTL && o->sub < IOC_N ? ioctls[o->sub].name :
	     o->kind < OP_NKINDS ? op_names[o->kind] : "?", o->fd, r ? strerror(-r) : "ok");
}

static void run_op(const struct op *o, unsigned int who)
{
	uint64_t nth = fail_armable_nth(o);
	sigset_t usr1, old;

	if (!nth) {
		run_op_now(o, who);
		return;
	}
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	if (!fail_nth_set(nth)) {
		run_op_now(o, who);
		fail_nth_clear();
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void run_op_now(const struct op *o, unsigned int who)
{
	struct arena *ar = &arenas[who];
	int r = 0;

	switch (o->kind) {
	case OP_IOCTL:
		if (o->sub < IOC_N)
			say_result(o, who, exec_ioctl(o, ar));
		return;
	case OP_READ:
		r = do_read(o, ar);
		break;
	case OP_POLL:
		r = do_poll(o);
		break;
	case OP_OPEN:
		r = do_open(o->fd, o->v[0]);
		break;
	case OP_CLOSE:
		r = close(slot_fd(o->fd)) ? -errno : 0;
		break;
	case OP_DUP:
		r = dup3(slot_fd(o->fd), slot_fd((unsigned int)o->v[0]), 0) < 0 ? -errno : 0;
		break;
	case OP_KILL:
		if (who == WHO_MAIN && env.child > 0)
			r = kill(env.child, SIGKILL) ? -errno : 0;
		break;
	case OP_SLEEP:
		r = do_sleep(o->v[0]);
		break;
	case OP_KNOB:
		if (o->nv >= 3)
			r = knob_write((uint32_t)resolve(o->v[0]), o->v[1] % 8,
				       knob_value(o->v[1] % 8, o->v[2]));
		break;
	case OP_UNPRIV:
		r = do_unpriv(who);
		break;
	case OP_CHURN:
		r = do_churn(o->v[0], o->v[1]);
		break;
	case OP_FAILNTH:
		r = fnth_fd < 0 ? -ENOENT : 0;
		if (!r)
			fail_nth = !o->nv || !o->v[0] ? 1 : o->v[0] > 64 ? 64 : o->v[0];
		break;
	default:
		return;
	}
	stat_count(IOC_N + o->kind, r == 0);
	say_result(o, who, r);
}

/* ------------------------------------------------------------------------ */
/* Helper thread and child */

static void *helper_main(void *arg)
{
	struct helper *h = arg;
	unsigned int i;
	timer_t t;
	bool timer = !watchdog_create(&t);

	pthread_mutex_lock(&env.lock);
	env.helper_tid = gettid();
	pthread_mutex_unlock(&env.lock);
	fail_nth_open();
	if (cov_enabled() && kcov_enable(&kc[WHO_THREAD]))
		diag("worker %u: helper kcov: %s", cfg.id, strerror(errno));
	for (i = h->from; i < h->p->nops && !atomic_load(&h->stop); i++) {
		const struct op *o = &h->p->ops[i];

		if (o->who != WHO_THREAD)
			continue;
		atomic_store(&h->cur, (int)i);
		if (timer)
			watchdog_arm(t, WATCHDOG_MS);
		run_op(o, WHO_THREAD);
		if (timer)
			watchdog_arm(t, 0);
	}
	if (cov_enabled())
		kcov_disable(&kc[WHO_THREAD]);
	if (timer)
		timer_delete(t);
	fail_nth_close();
	atomic_store(&h->done, 1);
	return NULL;
}

static int helper_start(const struct prog *p, unsigned int from)
{
	int err;

	helper.p = p;
	helper.from = from;
	atomic_store(&helper.cur, -1);
	atomic_store(&helper.stop, 0);
	atomic_store(&helper.done, 0);
	kcov_reset(&kc[WHO_THREAD]);
	err = pthread_create(&helper.t, NULL, helper_main, &helper);
	if (err)
		diag("worker %u: pthread_create: %s", cfg.id, strerror(err));
	return -err;
}

/* Stop the helper: interrupt what it blocks in until it is done. */
static void helper_stop(void)
{
	uint64_t t0 = now_ns();
	bool reported = false;

	atomic_store(&helper.stop, 1);
	while (!atomic_load(&helper.done)) {
		struct timespec ts = { 0, 1000000 };

		pthread_kill(helper.t, SIGUSR1);
		nanosleep(&ts, NULL);
		if (!reported && now_ns() - t0 > 10000000000ULL) {
			int cur = atomic_load(&helper.cur);

			reported = true;
			atomic_fetch_add(&sh->stuck, 1);
			if (cur >= 0)
				snprintf(sh->stuck_op, sizeof(sh->stuck_op), "operation %d (%s) of %s",
					 cur, helper.p->ops[cur].kind == OP_IOCTL ?
					 ioctls[helper.p->ops[cur].sub].name :
					 op_names[helper.p->ops[cur].kind], "the program logged last");
			diag("worker %u: helper thread still in a call after 10 s", cfg.id);
		}
	}
	pthread_join(helper.t, NULL);
	pthread_mutex_lock(&env.lock);
	env.helper_tid = 0;
	pthread_mutex_unlock(&env.lock);
}

static __attribute__((noreturn)) void child_main(const struct prog *p, unsigned int from)
{
	unsigned int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != worker_pid)
		_exit(0);
	fail_nth_close();	/* the worker's thread's, not ours */
	fail_nth_open();
	if (cov_enabled())
		kcov_enable(&kc[WHO_CHILD]);
	for (i = from; i < p->nops; i++)
		if (p->ops[i].who == WHO_CHILD)
			run_op(&p->ops[i], WHO_CHILD);
	/* Hold everything until killed. */
	for (;;)
		pause();
}

static int child_start(const struct prog *p, unsigned int from)
{
	pid_t pid;

	kcov_reset(&kc[WHO_CHILD]);
	/* No thread may hold the lock across fork: the child could never take it. */
	pthread_mutex_lock(&env.lock);
	pid = fork();
	if (pid == 0) {
		pthread_mutex_unlock(&env.lock);
		child_main(p, from);
	}
	pthread_mutex_unlock(&env.lock);
	if (pid < 0)
		return -errno;
	atomic_fetch_add(&sh->forks, 1);
	pthread_mutex_lock(&env.lock);
	env.child = pid;
	pthread_mutex_unlock(&env.lock);
	return 0;
}

static void child_reap(void)
{
	int st;

	if (env.child <= 0)
		return;
	kill(env.child, SIGKILL);
	while (waitpid(env.child, &st, 0) < 0 && errno == EINTR)
		;
	pool_add_dead_pid(env.child);
	pthread_mutex_lock(&env.lock);
	env.child = 0;
	pthread_mutex_unlock(&env.lock);
}

/* ------------------------------------------------------------------------ */

static void env_reset(void)
{
	pthread_mutex_lock(&env.lock);
	env.nh = 0;
	env.nl = 0;
	env.child = 0;
	env.helper_tid = 0;
	pthread_mutex_unlock(&env.lock);
}

unsigned int exec_prog(const struct prog *p)
{
	bool thread = false, child = false;
	unsigned int i, fresh = 0;

	env_reset();
	kcov_reset(&kc[WHO_MAIN]);
	for (i = 0; i < p->nops; i++) {
		const struct op *o = &p->ops[i];

		if (o->who == WHO_THREAD && !thread)
			thread = !helper_start(p, i);
		if (o->who == WHO_CHILD && !child)
			child = !child_start(p, i);
		if (o->who != WHO_MAIN)
			continue;
		watchdog_arm(main_timer, WATCHDOG_MS);
		run_op(o, WHO_MAIN);
		watchdog_arm(main_timer, 0);
	}
	if (thread)
		helper_stop();
	child_reap();
	for (i = 0; i < NSLOTS; i++)
		close(slot_fd(i));
	if (!cov_enabled())
		return 0;
	fresh += cov_collect(&kc[WHO_MAIN]);
	if (thread)
		fresh += cov_collect(&kc[WHO_THREAD]);
	if (child)
		fresh += cov_collect(&kc[WHO_CHILD]);
	return fresh;
}

void exec_refresh_gpus(void)
{
	struct amdxsched_gpu_info *g;
	uint32_t n, i;
	int fd = axs_open(O_RDONLY);

	if (fd < 0)
		return;
	if (!axs_list_gpus(fd, &g, &n)) {
		pthread_mutex_lock(&env.lock);
		ngpus = 0;
		for (i = 0; i < n && i < MAX_GPUS; i++)
			if (g[i].backend == AMDXSCHED_BACKEND_SIM)
				gpus[ngpus++] = g[i].gpu_id;
		pthread_mutex_unlock(&env.lock);
		free(g);
	}
	close(fd);
}

int exec_init(const struct worker_cfg *c)
{
	struct sigaction sa;
	unsigned int i;
	int err;

	cfg = *c;
	worker_pid = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;	/* no SA_RESTART: blocking calls return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	err = pthread_mutex_init(&env.lock, NULL);
	if (err)
		return -err;
	for (i = 0; i < WHO_N; i++) {
		err = arena_init(&arenas[i]);
		if (err)
			return err;
		kc[i].fd = -1;
		if (cov_enabled()) {
			err = kcov_open(&kc[i]);
			if (err)
				return err;
		}
	}
	if (cov_enabled() && kcov_enable(&kc[WHO_MAIN]))
		return -errno;
	err = watchdog_create(&main_timer);
	if (err)
		return err;
	fail_nth_open();
	exec_refresh_gpus();
	return 0;
}

void exec_fini(void)
{
	unsigned int i;

	if (cov_enabled())
		kcov_disable(&kc[WHO_MAIN]);
	for (i = 0; i < WHO_N; i++)
		kcov_close(&kc[i]);
	timer_delete(main_timer);
	fail_nth_close();
	pthread_mutex_destroy(&env.lock);
}
