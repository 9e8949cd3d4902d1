// SPDX-License-Identifier: MIT
/*
 * axs-stress: everything at once against /dev/amdxsched on simulated GPUs,
 * for a given time, then checks that the module is left consistent.
 *
 *   - a spawner process keeps W simulated processes (workers) alive: each
 *     one creates queues on random GPUs, tags itself for xschedd's rules,
 *     submits kernels, waits, destroys and recreates queues, suspends its
 *     own queues, lowers their priority, sets CU masks; the spawner
 *     SIGKILLs most of them at random times, the others exit by themselves;
 *   - "scheduler" threads, each with its own file with control, suspend
 *     random queues under 5-50 ms leases, renew them right at the deadline
 *     (racing the expiry), resume some, force-resume others' suspensions,
 *     set priorities, CU masks (some invalid) and other processes' hints;
 *   - event subscribers: a lossless one (64Ki ring) that follows each
 *     queue's life event by event, a slow one with a 16-entry ring that
 *     must lose events and report each loss as a jump in seq, a poll()
 *     reader, and one that subscribes, reconfigures, unsubscribes and
 *     closes in a loop;
 *   - a monitor lists queues, GPUs and processes and checks every entry;
 *   - a fault thread arms fail_suspend/fail_resume/... in debugfs, one GPU
 *     has a slow unmap (unmap_delay_us) throughout;
 *   - an unload thread calls delete_module() while files are open: it must
 *     be refused and change nothing;
 *   - optionally xschedd (the command after "--"), started and stopped here;
 *   - a probe times how long a trivial ioctl waits for the module's lock.
 *
 * The load alternates between storms (all of the above) and calm spells
 * (processes only submit and wait, nobody is killed or spawned, schedulers
 * only keep their leases), meant to let a lagging xschedd catch up
 * (tests/stress/README.md says how far it does).
 *
 * At the end: workers frozen (SIGSTOP), every suspended queue must be held
 * by a live file under a lease; the schedulers' files closed, xschedd
 * stopped, nothing may stay suspended; workers killed, nothing may be left;
 * the event streams are compared with each other and with the GPU counters.
 *
 * Output, for tests/stress/stress-test.sh: "ok<TAB>NAME",
 * "not ok<TAB>NAME<TAB>DETAIL", and "# ..." comment lines (figures).
 * Exit status 0 if every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axs.h"

#define NSEC		((uint64_t)1000000000)
#define MSEC		((uint64_t)1000000)
#define MAX_GPUS	64
#define MAX_MSGS	4	/* failure messages kept per check */
#define MSG_LEN		240
#define WQ_MAX		64	/* queues per worker */
#define ACT_BATCH	8	/* queues per scheduler call */
#define ACT_LEASES	32	/* leases a scheduler thread keeps track of */
#define RETRY_MS	100	/* the module retries a failed resume this often */
#define SIM_MAX_Q	256	/* simulated queues per GPU */
#define LVL_MASK	((1U << AMDXSCHED_LEVEL_DEACTIVATE) | (1U << AMDXSCHED_LEVEL_INTERRUPT))

/* ---- configuration ------------------------------------------------------ */

struct cfg {
	unsigned int seconds;		/* of the run phase */
	unsigned int workers;		/* simulated processes alive at a time */
	unsigned int gpus;		/* simulated GPUs needed */
	unsigned int actors;		/* scheduler threads */
	unsigned int queues;		/* at most per worker (at least a quarter) */
	unsigned int life_ms;		/* longest worker life (shortest: a tenth) */
	unsigned int think_ms;		/* longest pause between a worker's calls (shortest: an eighth) */
	unsigned int storm_s, calm_s;	/* the load alternates: storm, then calm */
	unsigned int slow_gpu;		/* index of the GPU with the slow unmap */
	unsigned int unmap_delay_us;
	unsigned int fault_ms;		/* mean time between injected faults, 0 = none */
	unsigned int unload_ms;		/* mean time between rmmod attempts, 0 = none */
	unsigned int monitor_ms;	/* list period */
	unsigned int overdue_ms;	/* a lease may be this late at most */
	unsigned int min_procs;		/* the run must reach this scale */
	unsigned int min_queues;
	uint64_t seed;
	const char *debugfs;
	const char *module;
	const char *xschedd_log;
	const char *xschedd_sock;
	char **xschedd_argv;		/* NULL: no daemon */
};

static struct cfg cfg = {
	.seconds = 45, .workers = 60, .gpus = 8, .actors = 3, .queues = 24,
	.life_ms = 8000, .think_ms = 40, .storm_s = 5, .calm_s = 5, .slow_gpu = 3,
	.unmap_delay_us = 2000, .fault_ms = 700,
	.unload_ms = 1000, .monitor_ms = 200, .overdue_ms = 15000, .min_procs = 200,
	.min_queues = 2000, .seed = 1,
	.debugfs = "/sys/kernel/debug/amdxsched/sim", .module = "amdxsched",
	.xschedd_log = "/tmp/axs-stress-xschedd.log",
};

/* ---- what is counted, in memory shared with the spawner and workers ------ */

enum op {
	OP_OPEN, OP_VERSION, OP_LIST_GPUS, OP_LIST_QUEUES, OP_LIST_PROCS,
	OP_SUSPEND, OP_RESUME, OP_RESUME_FORCE, OP_RENEW, OP_PRIORITY, OP_CU_MASK,
	OP_PROC_ATTR, OP_EV_CONFIG, OP_EV_READ, OP_SIM_PROC, OP_Q_CREATE,
	OP_Q_DESTROY, OP_SUBMIT, OP_WAIT, OP_NR
};

static const char *const op_name[OP_NR] = {
	"open", "version", "list_gpus", "list_queues", "list_procs",
	"suspend", "resume", "resume_force", "lease_renew", "set_priority",
	"set_cu_mask", "set_proc_attr", "events_config", "events_read",
	"sim_proc", "sim_queue_create", "sim_queue_destroy", "sim_submit", "sim_wait",
};

/* errnos tallied by name; the last slot takes any other */
static const int tally_errno[] = {
	ENOENT, EBUSY, EALREADY, EIO, ENOSPC, ETIMEDOUT, ENODATA, EPERM, EINVAL,
	ESRCH, EAGAIN,
};
#define NTALLY	(sizeof(tally_errno) / sizeof(tally_errno[0]) + 1)

struct opstat {
	_Atomic uint64_t calls;
	_Atomic uint64_t err[NTALLY];
};

enum ctr {
	C_SPAWNED, C_KILLED, C_EXITED, C_Q_CREATED, C_Q_DESTROYED, C_Q_ENOSPC,
	C_SELF_SUSPENDS, C_ACT_LEASES, C_ACT_QUEUES, C_RENEW_OK, C_RENEW_LATE,
	C_RENEW_EARLY, C_RESUMED, C_FORCED, C_FAULTS, C_RMMOD_REFUSED,
	C_LEFTOVER_LEASES, C_BAD_MASKS, C_EV_S0, C_EV_S1, C_EV_S2, C_EV_S3,
	C_SUBS_CYCLES, C_NR
};

/* The checks of the run; each failure is counted under one of them. */
enum ck {
	CK_ERRNO, CK_BATCH, CK_WORKER, CK_LEASE, CK_QSTATE, CK_GPUCTR, CK_EVSEQ,
	CK_EVSTATE, CK_UNLOAD, CK_XSCHEDD, CK_NR
};

static const char *const ck_name[CK_NR] = {
	"ioctls: every call returned success or an error its situation allows",
	"batches: status arrays, lease ids and renewed deadlines agree with the results",
	"workers: every simulated process ended by our SIGKILL or its own exit",
	"leases: every suspended queue seen had a lease, a deadline within max_lease_ms,"
	" was never overdue and had a live holder",
	"queue state: suspended/level/lease/draining agree, suspends = resumes + suspended,"
	" dispatch ids count up",
	"gpu counters: monotonic, resumes and expiries <= suspends, at most 256 queues, no hang",
	"events: seq strictly increasing on every stream, only subscribed types, well-formed records",
	"events: each queue's and process's events follow its life (lossless stream)",
	"rmmod refused while files are open, device unchanged",
	"xschedd kept running through the run",
};

enum phase { PH_INIT, PH_RUN, PH_FREEZE, PH_END };

struct shared {
	struct opstat op[OP_NR];
	_Atomic uint64_t ctr[C_NR];
	_Atomic unsigned int nfail[CK_NR];
	char msg[CK_NR][MAX_MSGS][MSG_LEN];
	_Atomic int phase;		/* set by main */
	atomic_bool calm;		/* set by main: a calm spell of the run */
	_Atomic int spawner_at;		/* phase the spawner has carried out */
	_Atomic unsigned int alive;	/* workers alive */
	unsigned int ngpus;
	uint32_t gpu_id[MAX_GPUS];
	uint32_t num_xcc[MAX_GPUS];
};

static struct shared *sh;

static void ctr_add(enum ctr c, uint64_t v)
{
	atomic_fetch_add_explicit(&sh->ctr[c], v, memory_order_relaxed);
}

static uint64_t ctr_get(enum ctr c)
{
	return atomic_load_explicit(&sh->ctr[c], memory_order_relaxed);
}

static const char *errname(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{ ENOENT, "ENOENT" }, { EBUSY, "EBUSY" }, { EALREADY, "EALREADY" },
		{ EIO, "EIO" }, { ENOSPC, "ENOSPC" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENODATA, "ENODATA" }, { EPERM, "EPERM" }, { EINVAL, "EINVAL" },
		{ ESRCH, "ESRCH" }, { EAGAIN, "EAGAIN" }, { EFAULT, "EFAULT" },
		{ ENOMEM, "ENOMEM" }, { E2BIG, "E2BIG" }, { ETIME, "ETIME" },
		{ ENODEV, "ENODEV" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EPROTO, "EPROTO" },
		{ EEXIST, "EEXIST" }, { ENOTTY, "ENOTTY" }, { EINTR, "EINTR" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	return "errno?";
}

__attribute__((format(printf, 2, 3)))
static void fail(enum ck c, const char *fmt, ...)
{
	unsigned int i = atomic_fetch_add(&sh->nfail[c], 1);
	va_list ap;

	if (i >= MAX_MSGS)
		return;
	va_start(ap, fmt);
	if (vsnprintf(sh->msg[c][i], MSG_LEN, fmt, ap) < 0)
		sh->msg[c][i][0] = '\0';
	va_end(ap);
}

static unsigned int tally_slot(int e)
{
	unsigned int i;

	for (i = 0; i < NTALLY - 1; i++)
		if (tally_errno[i] == e)
			break;
	return i;
}

static void note(enum op op, int r)
{
	atomic_fetch_add_explicit(&sh->op[op].calls, 1, memory_order_relaxed);
	if (r < 0)
		atomic_fetch_add_explicit(&sh->op[op].err[tally_slot(-r)], 1,
					  memory_order_relaxed);
}

#define ERRS(...)	((const int[]){ __VA_ARGS__, 0 })
#define NO_ERRS		((const int[]){ 0 })

static bool is_one_of(int e, const int *list)
{
	for (; *list; list++)
		if (*list == e)
			return true;
	return false;
}

/* Count call @op; a failure other than those in @ok fails CK_ERRNO. */
static int expect(enum op op, int r, const int *ok, const char *what)
{
	note(op, r);
	if (r < 0 && !is_one_of(-r, ok))
		fail(CK_ERRNO, "%s: %s (pid %d)", what, errname(-r), (int)getpid());
	return r;
}

/* ---- time and randomness ----------------------------------------------- */

static uint64_t now_ns(void)
{
	return axs_now_ns();
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC), .tv_nsec = (long)(ns % NSEC) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void sleep_ms(uint64_t ms)
{
	sleep_ns(ms * MSEC);
}

struct rng {
	uint64_t s;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = (seed + 1) * 0x9e3779b97f4a7c15ULL;
	if (!r->s)
		r->s = 1;
}

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

/* lo..hi inclusive */
static uint32_t rnd_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rnd_below(r, hi - lo + 1);
}

static bool chance(struct rng *r, uint32_t percent)
{
	return rnd_below(r, 100) < percent;
}

/* A CU mask of 1-4 words that leaves no XCC empty (bit i goes to XCC i % n). */
static uint32_t make_mask(struct rng *r, uint32_t num_xcc, uint32_t *mask)
{
	uint32_t words = rnd_range(r, 1, 4);

	for (uint32_t i = 0; i < words; i++)
		mask[i] = (uint32_t)rnd(r);
	mask[0] |= (1U << num_xcc) - 1;
	return words * 32;
}

static uint32_t gpu_index(uint32_t gpu_id)
{
	for (uint32_t i = 0; i < sh->ngpus; i++)
		if (sh->gpu_id[i] == gpu_id)
			return i;
	return 0;
}

/* ---- batch results ------------------------------------------------------ */

/* Errors that reject a whole batch before anything changes. */
static bool validation_error(int r)
{
	return is_one_of(-r, ERRS(ENOENT, EBUSY, EALREADY, EPERM, EINVAL, EOPNOTSUPP));
}

/*
 * Errors an entry can come to have after the call checked it, by the time
 * its GPU's turn comes (another caller destroyed, resumed or suspended the
 * queue meanwhile): the entries of other GPUs, or all of a resume's or
 * priority's, may then be done.
 */
static bool race_error(int r)
{
	return is_one_of(-r, ERRS(ENOENT, EBUSY, EALREADY));
}

/*
 * Does the status array fit the call's result? Success: all done. A bad
 * entry: nothing done, the culprit says so, unless it went bad after the
 * checks (race_error()). A backend failure: entries done
 * or failed, and for a suspend (which stops at the failing GPU and rolls
 * back) also not done; there the culprit may be missing, if the queues the
 * backend failed on (after acting: fail_suspend_late) could not be rolled
 * back and are held, done, under the lease (abi.rst). Returns how many
 * entries are done.
 */
static uint32_t check_status(const char *what, int r, const int32_t *st, uint32_t n,
			     bool stops)
{
	uint32_t done = 0, culprit = 0, bad = 0;

	for (uint32_t i = 0; i < n; i++) {
		done += st[i] == AMDXSCHED_STATUS_DONE;
		culprit += st[i] == r;
		if (r == 0 && st[i] != AMDXSCHED_STATUS_DONE)
			bad++;
		else if (r && validation_error(r) && st[i] == AMDXSCHED_STATUS_DONE &&
			 !race_error(r))
			bad++;
		else if (r && !validation_error(r) && st[i] == AMDXSCHED_STATUS_NOT_DONE && !stops)
			bad++;
	}
	if (r && !culprit && !(stops && done && !validation_error(r)))
		bad++;
	if (bad)
		fail(CK_BATCH, "%s: result %s but statuses disagree (n=%u, %u done)",
		     what, r ? errname(-r) : "0", n, done);
	return done;
}

static void check_suspend(const char *what, int r, const int32_t *st, uint32_t n,
			  uint64_t lease)
{
	uint32_t done = check_status(what, r, st, n, true);

	/* What a failed roll-back leaves suspended is under the returned lease. */
	if (!!done != !!lease)
		fail(CK_BATCH, "%s: %u queues suspended but lease id %" PRIu64,
		     what, done, lease);
	if (r && done)
		ctr_add(C_LEFTOVER_LEASES, 1);
}

static void check_renewed(const char *what, uint64_t t0, uint64_t t1, uint32_t lease_ms,
			  uint64_t deadline)
{
	uint64_t l = (uint64_t)lease_ms * MSEC;

	if (deadline < t0 + l || deadline > t1 + l)
		fail(CK_BATCH, "%s: deadline %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]",
		     what, deadline, t0 + l, t1 + l);
}

/* ---- workers: simulated processes --------------------------------------- */

struct wq {
	uint64_t h;
	uint64_t last_id;	/* dispatch id of the last kernel */
	uint64_t lease;		/* our own suspension, 0 if none */
	uint64_t deadline;
	uint32_t prio;		/* as we last set it */
	uint32_t gpu;		/* index into sh->gpu_id */
};

struct worker {
	int fd;
	unsigned int serial;
	struct rng r;
	struct wq q[WQ_MAX];
	uint32_t nq;
};

static void worker_tag(struct worker *w)
{
	static const char *const cls[] = { "rt", "nm", "be" };
	uint32_t roll = rnd_below(&w->r, 100);
	struct amdxsched_proc_attr a;

	memset(&a, 0, sizeof(a));
	a.flags = AMDXSCHED_ATTR_TAG;
	snprintf(a.tag, sizeof(a.tag), "%s-%u", cls[roll < 15 ? 0 : roll < 50 ? 1 : 2],
		 w->serial);
	if (chance(&w->r, 30)) {
		a.flags |= AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_SHARE;
		a.priority = rnd_below(&w->r, 16);
		a.share = rnd_range(&w->r, 1, 1000);
	}
	expect(OP_PROC_ATTR, axs_set_proc_attr(w->fd, &a), NO_ERRS, "worker: set own hints");
}

static void worker_add_queue(struct worker *w)
{
	struct wq *q = &w->q[w->nq];
	int r;

	memset(q, 0, sizeof(*q));
	q->gpu = rnd_below(&w->r, sh->ngpus);
	q->prio = rnd_below(&w->r, 16);
	r = axs_sim_queue_create(w->fd, sh->gpu_id[q->gpu], q->prio, &q->h, NULL);
	expect(OP_Q_CREATE, r, ERRS(ENOSPC, EIO), "worker: queue create");
	if (r == -ENOSPC)
		ctr_add(C_Q_ENOSPC, 1);
	if (r)
		return;
	w->nq++;
	ctr_add(C_Q_CREATED, 1);
}

static void worker_destroy_queue(struct worker *w, uint32_t i)
{
	int r = axs_sim_queue_destroy(w->fd, w->q[i].h);

	expect(OP_Q_DESTROY, r, NO_ERRS, "worker: queue destroy");
	w->q[i] = w->q[--w->nq];
	ctr_add(C_Q_DESTROYED, 1);
}

static void worker_submit(struct worker *w, struct wq *q)
{
	static const uint32_t footprint[] = { 0, 65536, 16384, 4096 };
	uint64_t id = 0;
	int r;

	r = axs_sim_submit(w->fd, q->h, rnd_range(&w->r, 1, 96),
			   (uint64_t)rnd_range(&w->r, 500, 15000) * 1000,
			   footprint[rnd_below(&w->r, 4)], &id);
	expect(OP_SUBMIT, r, NO_ERRS, "worker: submit");
	if (r)
		return;
	if (id != q->last_id + 1)
		fail(CK_QSTATE, "queue %" PRIu64 ": dispatch id %" PRIu64 " after %" PRIu64,
		     q->h, id, q->last_id);
	q->last_id = id;
}

static void worker_wait(struct worker *w, struct wq *q)
{
	struct amdxsched_sim_wait out;
	int r;

	if (!q->last_id)
		return;
	r = axs_sim_wait(w->fd, q->h, q->last_id, chance(&w->r, 50) ? 0 : 2 * MSEC, &out);
	expect(OP_WAIT, r, ERRS(ETIMEDOUT, ENODATA), "worker: wait");
	if (!r && (out.start_ns < out.submit_ns || out.end_ns < out.start_ns))
		fail(CK_QSTATE, "queue %" PRIu64 ": dispatch %" PRIu64 " times out of order",
		     q->h, q->last_id);
}

/* Suspend up to three of our own queues under one short lease. */
static void worker_suspend(struct worker *w)
{
	uint64_t h[3], lease = 0, now = now_ns();
	uint32_t idx[3], n = 0, want = rnd_range(&w->r, 1, 3), lease_ms;
	int32_t st[3];
	int r;

	for (uint32_t tries = 0; tries < 8 && n < want && w->nq; tries++) {
		uint32_t i = rnd_below(&w->r, w->nq);
		bool dup = false;

		for (uint32_t k = 0; k < n; k++)
			dup |= idx[k] == i;
		if (dup || (w->q[i].lease && w->q[i].deadline > now))
			continue;
		idx[n] = i;
		h[n++] = w->q[i].h;
	}
	if (!n)
		return;
	lease_ms = rnd_range(&w->r, 10, 100);
	r = axs_suspend(w->fd, h, n, chance(&w->r, 50) ? 2 : 3, lease_ms, st, &lease);
	expect(OP_SUSPEND, r, ERRS(EBUSY, EALREADY, EIO), "worker: suspend own queues");
	check_suspend("worker: suspend", r, st, n, lease);
	for (uint32_t k = 0; k < n; k++) {
		if (st[k] != AMDXSCHED_STATUS_DONE)
			continue;
		w->q[idx[k]].lease = lease;
		w->q[idx[k]].deadline = now + (uint64_t)lease_ms * MSEC;
	}
	if (lease)
		ctr_add(C_SELF_SUSPENDS, 1);
}

static struct wq *worker_held(struct worker *w)
{
	uint32_t i;

	if (!w->nq)
		return NULL;
	i = rnd_below(&w->r, w->nq);
	return w->q[i].lease ? &w->q[i] : NULL;
}

static void worker_resume(struct worker *w)
{
	struct wq *q = worker_held(w);
	int32_t st;
	int r;

	if (!q)
		return;
	r = axs_resume(w->fd, &q->h, 1, 0, &st);
	expect(OP_RESUME, r, ERRS(EALREADY, EBUSY, EIO), "worker: resume own queue");
	check_status("worker: resume", r, &st, 1, false);
	q->lease = 0;
}

static void worker_renew(struct worker *w)
{
	struct wq *q = worker_held(w);
	uint32_t lease_ms = rnd_range(&w->r, 10, 100);
	uint64_t t0 = now_ns(), t1, deadline = 0;
	int r;

	if (!q)
		return;
	r = axs_lease_renew(w->fd, q->lease, lease_ms, &deadline);
	t1 = now_ns();
	expect(OP_RENEW, r, ERRS(ENOENT), "worker: renew own lease");
	if (r) {
		q->lease = 0;
		return;
	}
	check_renewed("worker: renew", t0, t1, lease_ms, deadline);
	for (uint32_t i = 0; i < w->nq; i++)
		if (w->q[i].lease == q->lease)
			w->q[i].deadline = deadline;
}

/* Lowering our own priority needs no control; raising would be EPERM. */
static void worker_lower_priority(struct worker *w)
{
	struct amdxsched_priority_entry e;
	struct wq *q;
	int r;

	if (!w->nq)
		return;
	q = &w->q[rnd_below(&w->r, w->nq)];
	memset(&e, 0, sizeof(e));
	e.handle = q->h;
	e.priority = rnd_below(&w->r, q->prio + 1);
	r = axs_set_priority(w->fd, &e, 1);
	/* EPERM: someone (xschedd) set it lower meanwhile, so this would raise it */
	expect(OP_PRIORITY, r, ERRS(EPERM, EIO), "worker: lower own priority");
	check_status("worker: priority", r, &e.status, 1, false);
	if (!r)
		q->prio = e.priority;
}

static void worker_cu_mask(struct worker *w)
{
	uint32_t mask[4], nbits;
	struct wq *q;

	if (!w->nq)
		return;
	q = &w->q[rnd_below(&w->r, w->nq)];
	nbits = make_mask(&w->r, sh->num_xcc[q->gpu], mask);
	expect(OP_CU_MASK, axs_set_cu_mask(w->fd, q->h, mask, nbits), ERRS(EIO),
	       "worker: own CU mask");
}

static void worker_step(struct worker *w)
{
	uint32_t roll = rnd_below(&w->r, 100);

	/* A calm spell: only work for the GPUs, nothing that takes the module's lock. */
	if (atomic_load(&sh->calm)) {
		if (w->nq && roll < 80)
			worker_submit(w, &w->q[rnd_below(&w->r, w->nq)]);
		else if (w->nq)
			worker_wait(w, &w->q[rnd_below(&w->r, w->nq)]);
		return;
	}

	if (!w->nq || roll < 5) {
		if (w->nq && chance(&w->r, 50))
			worker_destroy_queue(w, rnd_below(&w->r, w->nq));
		else if (w->nq < WQ_MAX)
			worker_add_queue(w);
	} else if (roll < 60) {
		worker_submit(w, &w->q[rnd_below(&w->r, w->nq)]);
	} else if (roll < 70) {
		worker_wait(w, &w->q[rnd_below(&w->r, w->nq)]);
	} else if (roll < 76) {
		worker_suspend(w);
	} else if (roll < 80) {
		worker_resume(w);
	} else if (roll < 84) {
		worker_renew(w);
	} else if (roll < 89) {
		worker_lower_priority(w);
	} else if (roll < 92) {
		worker_cu_mask(w);
	} else if (roll < 94) {
		worker_tag(w);
	}
}

/* A simulated process: runs until killed, or for @life_ns if that is not 0. */
static int worker_main(unsigned int serial, uint64_t seed, uint64_t life_ns)
{
	uint64_t end = life_ns ? now_ns() + life_ns : UINT64_MAX;
	uint32_t nq;
	struct worker w;
	int r;

	memset(&w, 0, sizeof(w));
	w.serial = serial;
	rng_seed(&w.r, seed);
	/* Read-only, as an application: own queues only, no control. */
	w.fd = expect(OP_OPEN, axs_open(O_RDONLY), NO_ERRS, "worker: open");
	if (w.fd < 0)
		return 1;
	r = axs_sim_proc(w.fd, AMDXSCHED_SIM_PROC_CREATE, NULL);
	if (expect(OP_SIM_PROC, r, NO_ERRS, "worker: sim proc create"))
		return 1;
	worker_tag(&w);
	nq = rnd_range(&w.r, cfg.queues / 4 ? cfg.queues / 4 : 1, cfg.queues);
	while (w.nq < nq && w.nq < WQ_MAX && now_ns() < end) {
		uint32_t before = w.nq;

		worker_add_queue(&w);
		if (w.nq == before && chance(&w.r, 50))
			break;	/* GPUs full */
	}
	/* Its own end waits out a calm spell, which keeps the count up. */
	while (now_ns() < end || atomic_load(&sh->calm)) {
		worker_step(&w);
		sleep_ms(rnd_range(&w.r, cfg.think_ms / 8, cfg.think_ms));
	}
	/* Its own end: half say so to the module, half just exit. */
	if (chance(&w.r, 50)) {
		r = axs_sim_proc(w.fd, AMDXSCHED_SIM_PROC_DESTROY, NULL);
		expect(OP_SIM_PROC, r, NO_ERRS, "worker: sim proc destroy");
	}
	return 0;
}

/* ---- the spawner: keeps workers alive, kills them at random times -------- */

struct child {
	pid_t pid;
	uint64_t death;		/* when we kill it; 0: it ends by itself */
	bool killed;
};

static pid_t spawn_worker(unsigned int serial, struct rng *r, struct child *c)
{
	uint64_t life = (uint64_t)rnd_range(r, cfg.life_ms / 10, cfg.life_ms) * MSEC;
	bool own_end = chance(r, 25);
	uint64_t seed = rnd(r);
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		fail(CK_WORKER, "fork: %s", errname(errno));
		return pid;
	}
	if (!pid) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			_exit(3);
		_exit(worker_main(serial, seed, own_end ? life : 0));
	}
	c->pid = pid;
	c->killed = false;
	c->death = own_end ? 0 : now_ns() + life;
	ctr_add(C_SPAWNED, 1);
	return pid;
}

static void reaped(struct child *c, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ctr_add(C_EXITED, 1);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && c->killed)
		ctr_add(C_KILLED, 1);
	else if (WIFSIGNALED(status))
		fail(CK_WORKER, "worker %d died of signal %d", (int)c->pid, WTERMSIG(status));
	else
		fail(CK_WORKER, "worker %d exited with status %d", (int)c->pid,
		     WEXITSTATUS(status));
}

/* Reap what ended; @block: wait for all. Returns how many are left. */
static unsigned int reap(struct child *c, unsigned int n, bool block)
{
	for (unsigned int i = 0; i < n;) {
		int status;
		pid_t p = waitpid(c[i].pid, &status, block ? 0 : WNOHANG);

		if (p == 0) {
			i++;
			continue;
		}
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			fail(CK_WORKER, "waitpid %d: %s", (int)c[i].pid, errname(errno));
		else
			reaped(&c[i], status);
		c[i] = c[--n];
	}
	return n;
}

static void signal_all(struct child *c, unsigned int n, int sig)
{
	for (unsigned int i = 0; i < n; i++) {
		if (kill(c[i].pid, sig) && errno != ESRCH)
			fail(CK_WORKER, "kill %d: %s", (int)c[i].pid, errname(errno));
		if (sig == SIGKILL)
			c[i].killed = true;
	}
}

static void kill_due(struct child *c, unsigned int n)
{
	uint64_t now = now_ns();

	for (unsigned int i = 0; i < n; i++) {
		if (c[i].killed || !c[i].death || c[i].death > now)
			continue;
		if (kill(c[i].pid, SIGKILL) && errno != ESRCH)
			fail(CK_WORKER, "kill %d: %s", (int)c[i].pid, errname(errno));
		c[i].killed = true;
	}
}

static int spawner_main(pid_t parent)
{
	struct child *c = calloc(cfg.workers, sizeof(*c));
	unsigned int n = 0, serial = 0;
	struct rng r;
	int ph;

	if (!c || prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		return 2;
	rng_seed(&r, cfg.seed ^ 0x5bd1e995);
	while ((ph = atomic_load(&sh->phase)) != PH_END) {
		n = reap(c, n, false);
		if (ph == PH_RUN) {
			bool calm = atomic_load(&sh->calm);

			if (!calm)
				kill_due(c, n);
			/* a few at a time, so that the start is a ramp, not a wall */
			for (int k = 0; k < 4 && n < cfg.workers && !calm; k++)
				if (spawn_worker(serial++, &r, &c[n]) > 0)
					n++;
		} else if (ph == PH_FREEZE && atomic_load(&sh->spawner_at) != PH_FREEZE) {
			signal_all(c, n, SIGSTOP);
			atomic_store(&sh->spawner_at, PH_FREEZE);
		}
		atomic_store(&sh->alive, n);
		sleep_ms(5);
	}
	signal_all(c, n, SIGKILL);
	n = reap(c, n, true);
	atomic_store(&sh->alive, n);
	atomic_store(&sh->spawner_at, PH_END);
	free(c);
	return 0;
}

/* ---- the queue snapshot the monitor keeps for the schedulers ------------- */

struct snap {
	pthread_mutex_t mu;
	struct amdxsched_queue_info *q;
	uint32_t n;
	uint32_t max_n;		/* most queues seen at once */
};

static struct snap snap = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void lock(pthread_mutex_t *m)
{
	int e = pthread_mutex_lock(m);

	if (e) {
		fprintf(stderr, "axs-stress: pthread_mutex_lock: %s\n", errname(e));
		abort();
	}
}

static void unlock(pthread_mutex_t *m)
{
	int e = pthread_mutex_unlock(m);

	if (e) {
		fprintf(stderr, "axs-stress: pthread_mutex_unlock: %s\n", errname(e));
		abort();
	}
}

static void snap_replace(struct amdxsched_queue_info *q, uint32_t n)
{
	struct amdxsched_queue_info *old;

	lock(&snap.mu);
	old = snap.q;
	snap.q = q;
	snap.n = n;
	if (n > snap.max_n)
		snap.max_n = n;
	unlock(&snap.mu);
	free(old);
}

/*
 * Up to @want distinct random handles (suspended ones only if @suspended),
 * with their GPU index and owner. Returns how many.
 */
static uint32_t snap_pick(struct rng *r, uint32_t want, bool suspended, uint64_t *h,
			  uint32_t *gpu, uint32_t *pid)
{
	uint32_t n = 0;

	lock(&snap.mu);
	for (uint32_t tries = 0; snap.n && n < want && tries < 4 * want + 16; tries++) {
		const struct amdxsched_queue_info *q = &snap.q[rnd_below(r, snap.n)];
		bool dup = false;

		if (suspended && !(q->state & AMDXSCHED_QUEUE_S_SUSPENDED))
			continue;
		for (uint32_t k = 0; k < n; k++)
			dup |= h[k] == q->handle;
		if (dup)
			continue;
		h[n] = q->handle;
		if (gpu)
			gpu[n] = gpu_index(q->gpu_id);
		if (pid)
			pid[n] = q->pid;
		n++;
	}
	unlock(&snap.mu);
	return n;
}

/* ---- the monitor: lists and checks every entry ---------------------------- */

struct ctx {
	uint64_t instance;
	uint32_t num_gpus;
	uint32_t max_lease_ms;
	pid_t xschedd;
	atomic_bool stop_faults;	/* faults, unloads */
	atomic_bool stop_actors;	/* schedulers */
	atomic_bool stop_monitor;
	atomic_bool stop_subs;
	_Atomic uint64_t max_overdue_ns;
	_Atomic uint64_t lease_samples;	/* suspended queues checked */
	_Atomic uint64_t xschedd_held;	/* of them, held by xschedd */
};

static struct ctx x;

struct suspect {
	uint64_t handle, lease;
};

struct monitor {
	int fd;
	struct amdxsched_gpu_info *gpus;	/* previous sample */
	uint32_t ngpus;
	struct suspect *sus, *prev_sus;
	uint32_t nsus, nprev_sus;
	uint64_t samples;
};

static bool was_suspect(const struct monitor *m, uint64_t handle, uint64_t lease)
{
	for (uint32_t i = 0; i < m->nprev_sus; i++)
		if (m->prev_sus[i].handle == handle && m->prev_sus[i].lease == lease)
			return true;
	return false;
}

/* A suspended queue: under a lease with a sane deadline and a live holder. */
static void check_lease(struct monitor *m, const struct amdxsched_queue_info *q, uint64_t now,
			uint32_t nmax)
{
	uint64_t max_ahead = (uint64_t)x.max_lease_ms * MSEC;

	atomic_fetch_add_explicit(&x.lease_samples, 1, memory_order_relaxed);
	if (x.xschedd > 0 && q->holder_pid == (uint32_t)x.xschedd)
		atomic_fetch_add_explicit(&x.xschedd_held, 1, memory_order_relaxed);
	if (!q->lease_id || !(LVL_MASK & (1U << q->level)))
		fail(CK_LEASE, "queue %" PRIu64 " suspended with lease %" PRIu64 " level %u",
		     (uint64_t)q->handle, (uint64_t)q->lease_id, q->level);
	if (q->lease_deadline_ns > now + max_ahead)
		fail(CK_LEASE, "queue %" PRIu64 ": deadline %" PRIu64 " ms ahead, max_lease_ms %u",
		     (uint64_t)q->handle, ((uint64_t)q->lease_deadline_ns - now) / MSEC, x.max_lease_ms);
	if (q->lease_deadline_ns < now) {
		uint64_t late = now - q->lease_deadline_ns;
		uint64_t prev = atomic_load(&x.max_overdue_ns);

		while (late > prev && !atomic_compare_exchange_weak(&x.max_overdue_ns, &prev, late))
			;
		if (late > (uint64_t)cfg.overdue_ms * MSEC)
			fail(CK_LEASE, "queue %" PRIu64 ": lease %" PRIu64 " %" PRIu64
			     " ms past its deadline, still suspended",
			     (uint64_t)q->handle, (uint64_t)q->lease_id, late / MSEC);
	}
	/* No holder: its file is gone and a resume failed; retried every 100 ms. */
	if (!q->holder_pid && q->lease_deadline_ns > now + (RETRY_MS + 50) * MSEC)
		fail(CK_LEASE, "queue %" PRIu64 ": no holder, deadline %" PRIu64 " ms ahead",
		     (uint64_t)q->handle, ((uint64_t)q->lease_deadline_ns - now) / MSEC);
	if (q->holder_pid && kill((pid_t)q->holder_pid, 0) && errno == ESRCH) {
		if (was_suspect(m, q->handle, q->lease_id))
			fail(CK_LEASE, "queue %" PRIu64 ": holder %u gone, lease %" PRIu64
			     " still holds it", (uint64_t)q->handle, q->holder_pid, (uint64_t)q->lease_id);
		else if (m->nsus < nmax)
			m->sus[m->nsus++] = (struct suspect){ q->handle, q->lease_id };
	}
}

static void check_queue(struct monitor *m, const struct amdxsched_queue_info *q, uint64_t now,
			uint32_t nmax)
{
	const struct amdxsched_queue_counters *c = &q->counters;
	bool susp = q->state & AMDXSCHED_QUEUE_S_SUSPENDED;

	if (susp)
		check_lease(m, q, now, nmax);
	else if (q->lease_id || q->level || q->holder_pid || q->lease_deadline_ns)
		fail(CK_QSTATE, "queue %" PRIu64 " running but lease %" PRIu64 " level %u holder %u",
		     (uint64_t)q->handle, (uint64_t)q->lease_id, q->level, q->holder_pid);
	if ((q->state & AMDXSCHED_QUEUE_S_DRAINING) &&
	    (!susp || q->level != AMDXSCHED_LEVEL_DEACTIVATE))
		fail(CK_QSTATE, "queue %" PRIu64 " draining, level %u", (uint64_t)q->handle, q->level);
	if (q->state & AMDXSCHED_QUEUE_S_MINE)
		fail(CK_QSTATE, "queue %" PRIu64 " says MINE to a file with no lease", (uint64_t)q->handle);
	if (c->suspends != c->resumes + susp)
		fail(CK_QSTATE, "queue %" PRIu64 ": %" PRIu64 " suspends, %" PRIu64
		     " resumes, suspended %d", (uint64_t)q->handle, (uint64_t)c->suspends,
		     (uint64_t)c->resumes, susp);
	if (c->lease_expiries > c->suspends)
		fail(CK_QSTATE, "queue %" PRIu64 ": %" PRIu64 " expiries > %" PRIu64 " suspends",
		     (uint64_t)q->handle, (uint64_t)c->lease_expiries, (uint64_t)c->suspends);
	if (c->dispatches_completed > c->dispatches_submitted || q->priority > 15)
		fail(CK_QSTATE, "queue %" PRIu64 ": %" PRIu64 " of %" PRIu64
		     " dispatches completed, priority %u", (uint64_t)q->handle,
		     (uint64_t)c->dispatches_completed, (uint64_t)c->dispatches_submitted, q->priority);
}

static void monitor_queues(struct monitor *m)
{
	struct amdxsched_queue_info *q = NULL;
	struct suspect *t;
	uint32_t n = 0;
	uint64_t now;
	int r;

	r = axs_list_queues(m->fd, 0, AMDXSCHED_GPU_ANY, &q, &n);
	now = now_ns();
	if (expect(OP_LIST_QUEUES, r, ERRS(EAGAIN), "monitor: list queues"))
		return;
	t = realloc(m->sus, (n + 1) * sizeof(*t));
	if (!t) {
		free(q);
		return;
	}
	m->sus = t;
	m->nsus = 0;
	for (uint32_t i = 0; i < n; i++)
		check_queue(m, &q[i], now, n + 1);
	t = m->prev_sus;
	m->prev_sus = m->sus;
	m->nprev_sus = m->nsus;
	m->sus = t;
	snap_replace(q, n);
}

static void check_gpu(const struct amdxsched_gpu_info *a, const struct amdxsched_gpu_info *b)
{
	const struct amdxsched_gpu_counters *p = &a->counters, *c = &b->counters;

	if (c->suspends < p->suspends || c->resumes < p->resumes ||
	    c->suspended_ns < p->suspended_ns || c->lease_expiries < p->lease_expiries ||
	    c->remaps < p->remaps || c->remap_ns < p->remap_ns ||
	    c->saved_bytes < p->saved_bytes || c->hangs < p->hangs)
		fail(CK_GPUCTR, "gpu %u: a counter went down", b->gpu_id);
	if (c->resumes > c->suspends || c->lease_expiries > c->suspends)
		fail(CK_GPUCTR, "gpu %u: %" PRIu64 " suspends, %" PRIu64 " resumes, %" PRIu64
		     " expiries", b->gpu_id, (uint64_t)c->suspends, (uint64_t)c->resumes,
		     (uint64_t)c->lease_expiries);
	if (b->num_queues > SIM_MAX_Q || c->hangs)
		fail(CK_GPUCTR, "gpu %u: %u queues, %" PRIu64 " hangs", b->gpu_id,
		     b->num_queues, (uint64_t)c->hangs);
}

static void monitor_gpus(struct monitor *m)
{
	struct amdxsched_gpu_info *g = NULL;
	uint32_t n = 0;
	int r;

	r = axs_list_gpus(m->fd, &g, &n);
	if (expect(OP_LIST_GPUS, r, ERRS(EAGAIN), "monitor: list gpus"))
		return;
	if (n != m->ngpus)
		fail(CK_GPUCTR, "%u GPUs listed, %u before", n, m->ngpus);
	for (uint32_t i = 0; i < n && i < m->ngpus; i++)
		check_gpu(&m->gpus[i], &g[i]);
	free(m->gpus);
	m->gpus = g;
	m->ngpus = n;
}

static void monitor_procs(struct monitor *m)
{
	struct amdxsched_proc_info *p = NULL;
	uint32_t n = 0;
	int r;

	r = axs_list_procs(m->fd, 0, &p, &n);
	if (expect(OP_LIST_PROCS, r, ERRS(EAGAIN), "monitor: list procs"))
		return;
	for (uint32_t i = 0; i < n; i++)
		if (p[i].sched_class > AMDXSCHED_CLASS_MAX || p[i].priority > 15 ||
		    p[i].share > 1000 || (p[i].attrs & ~AMDXSCHED_ATTR_ALL))
			fail(CK_QSTATE, "process %u: class %u priority %u share %u attrs %#x",
			     p[i].pid, p[i].sched_class, p[i].priority, p[i].share, p[i].attrs);
	free(p);
}

static void *monitor_main(void *arg)
{
	struct monitor *m = arg;

	while (!atomic_load(&x.stop_monitor)) {
		monitor_queues(m);
		if (m->samples % 3 == 0)
			monitor_gpus(m);
		if (m->samples % 10 == 0)
			monitor_procs(m);
		m->samples++;
		sleep_ms(cfg.monitor_ms);
	}
	return NULL;
}

/*
 * How long the module's lock keeps a caller waiting: a LIST_GPUS of no
 * entries takes it and does next to nothing else.
 */
struct samples {
	uint64_t *ns;
	size_t n, cap;
};

struct probe {
	int fd;
	struct samples storm, calm;
	pthread_t thread;
};

static void sample_add(struct samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *ns = realloc(s->ns, cap * sizeof(*ns));

		if (!ns)
			return;
		s->ns = ns;
		s->cap = cap;
	}
	s->ns[s->n++] = v;
}

static void *probe_main(void *arg)
{
	struct probe *p = arg;

	while (!atomic_load(&x.stop_monitor)) {
		struct amdxsched_list l = { .size = sizeof(l), .gpu_id = AMDXSCHED_GPU_ANY };
		uint64_t t0 = now_ns(), t;
		int r = ioctl(p->fd, AMDXSCHED_IOC_LIST_GPUS, &l);

		t = now_ns() - t0;
		expect(OP_LIST_GPUS, r < 0 ? -errno : 0, NO_ERRS, "probe: list gpus");
		if (atomic_load(&sh->phase) == PH_RUN)
			sample_add(atomic_load(&sh->calm) ? &p->calm : &p->storm, t);
		sleep_ms(50);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x1 = *(const uint64_t *)a, x2 = *(const uint64_t *)b;

	return x1 < x2 ? -1 : x1 > x2;
}

static void samples_report(const char *what, struct samples *s)
{
	if (!s->n)
		return;
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	printf("# module lock wait %s (LIST_GPUS of nothing, %zu samples): p50 %.2f ms,"
	       " p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", what, s->n, s->ns[s->n / 2] / 1e6,
	       s->ns[s->n * 9 / 10] / 1e6, s->ns[s->n * 99 / 100] / 1e6, s->ns[s->n - 1] / 1e6);
}

static void probe_report(struct probe *p)
{
	samples_report("in storms", &p->storm);
	samples_report("in calm spells", &p->calm);
}

/* ---- schedulers: suspend under short leases, renew at the deadline ------- */

enum plan { PLAN_EXPIRE, PLAN_RENEW, PLAN_RESUME };

struct alease {
	uint64_t id;
	uint64_t deadline;
	uint64_t act_at;
	uint64_t h[ACT_BATCH];
	uint32_t n;
	uint32_t lease_ms;
	uint32_t renewals;
	enum plan plan;
};

struct actor {
	int fd;
	uint64_t hold;		/* at the end: a lease held across the checks */
	uint32_t nhold;
	unsigned int idx;
	struct rng r;
	struct alease l[ACT_LEASES];
	uint32_t nl;
	pthread_t thread;
};

static void actor_plan(struct actor *a, struct alease *l, uint64_t now)
{
	uint32_t roll = rnd_below(&a->r, 100);

	if (roll < 45 && l->renewals < 4) {
		/* right at the deadline: sometimes in time, sometimes not */
		l->plan = PLAN_RENEW;
		l->act_at = l->deadline - 10 * MSEC + rnd_below(&a->r, 11 * MSEC);
	} else if (roll < 75) {
		l->plan = PLAN_RESUME;
		l->act_at = now + rnd_below(&a->r, (uint32_t)(l->deadline - now) + 1);
	} else {
		l->plan = PLAN_EXPIRE;
		l->act_at = l->deadline + 20 * MSEC;
	}
}

static void actor_suspend(struct actor *a)
{
	uint64_t h[ACT_BATCH], h2[ACT_BATCH], lease = 0, now;
	uint32_t n, n2 = 0, lease_ms = rnd_range(&a->r, 5, 50);
	uint32_t level = chance(&a->r, 50) ? 2 : 3;
	int32_t st[ACT_BATCH];
	int r;

	n = snap_pick(&a->r, rnd_range(&a->r, 1, ACT_BATCH), false, h, NULL, NULL);
	if (!n || a->nl == ACT_LEASES)
		return;
	r = axs_suspend(a->fd, h, n, level, lease_ms, st, &lease);
	expect(OP_SUSPEND, r, ERRS(ENOENT, EBUSY, EALREADY, EIO), "scheduler: suspend");
	check_suspend("scheduler: suspend", r, st, n, lease);
	if (r && validation_error(r)) {
		/* once more with the entries that were valid */
		for (uint32_t i = 0; i < n; i++)
			if (st[i] == AMDXSCHED_STATUS_NOT_DONE)
				h2[n2++] = h[i];
		if (!n2)
			return;
		n = n2;
		memcpy(h, h2, n * sizeof(*h));
		r = axs_suspend(a->fd, h, n, level, lease_ms, st, &lease);
		expect(OP_SUSPEND, r, ERRS(ENOENT, EBUSY, EALREADY, EIO), "scheduler: suspend");
		check_suspend("scheduler: suspend", r, st, n, lease);
	}
	if (!lease)
		return;
	now = now_ns();
	struct alease *l = &a->l[a->nl++];

	memset(l, 0, sizeof(*l));
	l->id = lease;
	l->lease_ms = lease_ms;
	l->deadline = now + (uint64_t)lease_ms * MSEC;
	for (uint32_t i = 0; i < n; i++)
		if (st[i] == AMDXSCHED_STATUS_DONE)
			l->h[l->n++] = h[i];
	ctr_add(C_ACT_LEASES, 1);
	ctr_add(C_ACT_QUEUES, l->n);
	actor_plan(a, l, now);
}

static void actor_renew(struct actor *a, struct alease *l)
{
	uint64_t t0 = now_ns(), t1, deadline = 0;
	int r;

	r = axs_lease_renew(a->fd, l->id, l->lease_ms, &deadline);
	t1 = now_ns();
	expect(OP_RENEW, r, ERRS(ENOENT), "scheduler: renew");
	if (r) {
		/* expired, or its queues were all resumed or destroyed by others */
		ctr_add(t0 + MSEC < l->deadline ? C_RENEW_EARLY : C_RENEW_LATE, 1);
		l->plan = PLAN_EXPIRE;
		l->act_at = 0;
		return;
	}
	ctr_add(C_RENEW_OK, 1);
	check_renewed("scheduler: renew", t0, t1, l->lease_ms, deadline);
	l->deadline = deadline;
	l->renewals++;
	actor_plan(a, l, t1);
}

static void actor_resume(struct actor *a, struct alease *l)
{
	int32_t st[ACT_BATCH];
	uint64_t h[ACT_BATCH];
	uint32_t n = l->n, n2;
	int r;

	memcpy(h, l->h, n * sizeof(*h));
	for (int round = 0; round < 2 && n; round++) {
		r = axs_resume(a->fd, h, n, 0, st);
		expect(OP_RESUME, r, ERRS(ENOENT, EALREADY, EBUSY, EIO), "scheduler: resume");
		ctr_add(C_RESUMED, check_status("scheduler: resume", r, st, n, false));
		if (!r || !validation_error(r))
			break;
		for (uint32_t i = n2 = 0; i < n; i++)
			if (st[i] == AMDXSCHED_STATUS_NOT_DONE)
				h[n2++] = h[i];
		n = n2;
	}
	l->plan = PLAN_EXPIRE;
	l->act_at = 0;
}

static void actor_leases(struct actor *a)
{
	uint64_t now = now_ns();

	for (uint32_t i = 0; i < a->nl;) {
		struct alease *l = &a->l[i];

		if (l->act_at > now) {
			i++;
			continue;
		}
		if (l->plan == PLAN_RENEW)
			actor_renew(a, l);
		else if (l->plan == PLAN_RESUME)
			actor_resume(a, l);
		if (l->plan == PLAN_EXPIRE && l->act_at <= now) {
			a->l[i] = a->l[--a->nl];
			continue;
		}
		i++;
	}
}

static uint64_t actor_next(const struct actor *a, uint64_t limit)
{
	for (uint32_t i = 0; i < a->nl; i++)
		if (a->l[i].act_at < limit)
			limit = a->l[i].act_at;
	return limit;
}

static void actor_priority(struct actor *a)
{
	struct amdxsched_priority_entry e[ACT_BATCH];
	uint64_t h[ACT_BATCH];
	int32_t st[ACT_BATCH];
	uint32_t n;
	int r;

	n = snap_pick(&a->r, rnd_range(&a->r, 1, ACT_BATCH), false, h, NULL, NULL);
	if (!n)
		return;
	for (uint32_t i = 0; i < n; i++)
		e[i] = (struct amdxsched_priority_entry){ .handle = h[i],
							  .priority = rnd_below(&a->r, 16) };
	r = axs_set_priority(a->fd, e, n);
	expect(OP_PRIORITY, r, ERRS(ENOENT, EIO), "scheduler: set priority");
	for (uint32_t i = 0; i < n; i++)
		st[i] = e[i].status;
	check_status("scheduler: priority", r, st, n, false);
}

static void actor_cu_mask(struct actor *a)
{
	uint32_t mask[4], nbits, gpu;
	uint64_t h;
	int r;

	if (!snap_pick(&a->r, 1, false, &h, &gpu, NULL))
		return;
	if (sh->num_xcc[gpu] > 1 && chance(&a->r, 15)) {
		/* XCCs other than 0 left without a CU: must be refused */
		mask[0] = 1;
		r = axs_set_cu_mask(a->fd, h, mask, 32);
		expect(OP_CU_MASK, r, ERRS(EINVAL, ENOENT), "scheduler: invalid CU mask");
		if (!r)
			fail(CK_ERRNO, "queue %" PRIu64 ": a mask leaving XCCs empty was accepted", h);
		ctr_add(C_BAD_MASKS, 1);
		return;
	}
	nbits = make_mask(&a->r, sh->num_xcc[gpu], mask);
	expect(OP_CU_MASK, axs_set_cu_mask(a->fd, h, mask, nbits), ERRS(ENOENT, EIO),
	       "scheduler: CU mask");
}

/* Take over others' suspensions, as "xschedctl resume --force" does. */
static void actor_force(struct actor *a)
{
	int32_t st[4];
	uint64_t h[4];
	uint32_t n;
	int r;

	n = snap_pick(&a->r, rnd_range(&a->r, 1, 4), true, h, NULL, NULL);
	if (!n)
		return;
	r = axs_resume(a->fd, h, n, AMDXSCHED_RESUME_FORCE, st);
	expect(OP_RESUME_FORCE, r, ERRS(ENOENT, EALREADY, EIO), "scheduler: force resume");
	ctr_add(C_FORCED, check_status("scheduler: force resume", r, st, n, false));
}

/* Another process's hints, which xschedd follows. */
static void actor_hints(struct actor *a)
{
	struct amdxsched_proc_attr at;
	uint32_t pid;
	uint64_t h;

	if (!snap_pick(&a->r, 1, false, &h, NULL, &pid))
		return;
	memset(&at, 0, sizeof(at));
	at.pid = pid;
	at.flags = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_DEADLINE;
	at.sched_class = rnd_range(&a->r, 1, 3);
	at.deadline_ns = (uint64_t)rnd_range(&a->r, 1, 100) * MSEC;
	expect(OP_PROC_ATTR, axs_set_proc_attr(a->fd, &at), ERRS(ESRCH),
	       "scheduler: another process's hints");
}

static void *actor_main(void *arg)
{
	struct actor *a = arg;

	while (!atomic_load(&x.stop_actors)) {
		uint32_t roll = rnd_below(&a->r, 100);
		uint64_t now, next;

		actor_leases(a);
		if (atomic_load(&sh->calm))
			roll = 100;	/* calm: only the leases already held */
		if (roll < 50)
			actor_suspend(a);
		else if (roll < 60)
			actor_priority(a);
		else if (roll < 67)
			actor_cu_mask(a);
		else if (roll < 72)
			actor_force(a);
		else if (roll < 74)
			actor_hints(a);
		now = now_ns();
		next = actor_next(a, now + rnd_range(&a->r, 1, 8) * MSEC);
		if (next > now)
			sleep_ns(next - now);
	}
	return NULL;
}

/* ---- event streams -------------------------------------------------------- */

struct hstate {
	uint8_t life;		/* 0 unseen, 1 live, 2 destroyed */
	uint8_t susp, level, expired, drained, busy;
	uint32_t gpu;
	uint64_t lease;
	uint64_t susp_ts;
};

/* The lossless stream's view: every queue and process, tallies per GPU. */
struct evstate {
	struct hstate *h;
	size_t cap;
	uint8_t *pid;		/* 0 unseen, 1 alive, 2 exited */
	size_t npid;
	uint64_t susp[MAX_GPUS], res[MAX_GPUS], exp[MAX_GPUS], hang[MAX_GPUS];
	uint64_t created[MAX_GPUS], destroyed[MAX_GPUS], destroyed_susp[MAX_GPUS];
	uint64_t susp_ns[MAX_GPUS];
	bool desync;		/* a loss: the checks stop here */
};

struct stream {
	const char *name;
	int fd;
	uint64_t mask;
	enum ctr counter;
	uint64_t last_seq, received, dropped, gaps;
	uint64_t by_type[AMDXSCHED_EVENT_MAX + 1];
	struct amdxsched_event last;
	struct evstate *es;
	pthread_t thread;
};

__attribute__((format(printf, 1, 2)))
static void ev_bad(const char *fmt, ...)
{
	char buf[MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, sizeof(buf), fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
	fail(CK_EVSTATE, "%s", buf);
}

static struct hstate *es_handle(struct evstate *es, uint64_t handle)
{
	if (handle >= es->cap) {
		size_t cap = es->cap ? es->cap : 4096;
		struct hstate *t;

		while (cap <= handle)
			cap *= 2;
		if (cap > (1U << 24))
			return NULL;
		t = realloc(es->h, cap * sizeof(*t));
		if (!t)
			return NULL;
		memset(t + es->cap, 0, (cap - es->cap) * sizeof(*t));
		es->h = t;
		es->cap = cap;
	}
	return &es->h[handle];
}

static void es_proc(struct evstate *es, const struct amdxsched_event *e)
{
	uint8_t *p = e->pid < es->npid ? &es->pid[e->pid] : NULL;

	if (!p)
		return;
	if (e->type == AMDXSCHED_EVENT_PROC_CREATED) {
		if (*p == 1)
			ev_bad("process %u created twice (seq %" PRIu64 ")", e->pid, (uint64_t)e->seq);
		*p = 1;
	} else if (e->type == AMDXSCHED_EVENT_PROC_EXIT) {
		if (*p == 2)
			ev_bad("process %u exited twice (seq %" PRIu64 ")", e->pid, (uint64_t)e->seq);
		*p = 2;
	} else if (*p == 2) {
		ev_bad("event %u for exited process %u (seq %" PRIu64 ")", e->type, e->pid, (uint64_t)e->seq);
	}
}

static void es_suspended(struct evstate *es, struct hstate *s, const struct amdxsched_event *e)
{
	if (s->susp || !e->data[1] || !(LVL_MASK & (1U << e->data[0])))
		ev_bad("queue %" PRIu64 ": SUSPENDED level %" PRIu64 " lease %" PRIu64
		       ", already suspended %u (seq %" PRIu64 ")",
		       (uint64_t)e->handle, (uint64_t)e->data[0], (uint64_t)e->data[1], s->susp,
		       (uint64_t)e->seq);
	s->susp = 1;
	s->level = (uint8_t)e->data[0];
	s->lease = e->data[1];
	s->expired = s->drained = 0;
	s->susp_ts = e->timestamp_ns;
	es->susp[s->gpu]++;
}

static void es_resumed(struct evstate *es, struct hstate *s, const struct amdxsched_event *e)
{
	if (!s->susp || e->data[1] != s->lease || e->data[0] < AMDXSCHED_RESUMED_IOCTL ||
	    e->data[0] > AMDXSCHED_RESUMED_CLOSE ||
	    (e->data[0] == AMDXSCHED_RESUMED_LEASE && !s->expired))
		ev_bad("queue %" PRIu64 ": RESUMED reason %" PRIu64 " lease %" PRIu64
		       ", suspended %u lease %" PRIu64 " expired %u (seq %" PRIu64 ")",
		       (uint64_t)e->handle, (uint64_t)e->data[0], (uint64_t)e->data[1], s->susp,
		       s->lease, s->expired, (uint64_t)e->seq);
	if (s->susp)
		es->susp_ns[s->gpu] += e->timestamp_ns - s->susp_ts;
	s->susp = 0;
	es->res[s->gpu]++;
}

static void es_expired(struct evstate *es, struct hstate *s, const struct amdxsched_event *e)
{
	if (!s->susp || e->data[0] != s->lease || s->expired)
		ev_bad("queue %" PRIu64 ": LEASE_EXPIRED lease %" PRIu64 ", suspended %u lease %"
		       PRIu64 " expired %u (seq %" PRIu64 ")", (uint64_t)e->handle, (uint64_t)e->data[0], s->susp,
		       s->lease, s->expired, (uint64_t)e->seq);
	s->expired = 1;
	es->exp[s->gpu]++;
}

static void es_destroyed(struct evstate *es, struct hstate *s, const struct amdxsched_event *e)
{
	s->life = 2;
	es->destroyed[s->gpu]++;
	if (s->susp) {
		es->destroyed_susp[s->gpu]++;
		es->susp_ns[s->gpu] += e->timestamp_ns - s->susp_ts;
	}
	s->susp = 0;
}

static void es_busy(struct hstate *s, const struct amdxsched_event *e)
{
	bool busy = e->type == AMDXSCHED_EVENT_QUEUE_BUSY;

	if (s->busy == busy)
		ev_bad("queue %" PRIu64 ": %s twice (seq %" PRIu64 ")", (uint64_t)e->handle,
		       busy ? "BUSY" : "IDLE", (uint64_t)e->seq);
	s->busy = busy;
}

static void es_drained(struct hstate *s, const struct amdxsched_event *e)
{
	if (!s->susp || s->level != AMDXSCHED_LEVEL_DEACTIVATE || s->drained)
		ev_bad("queue %" PRIu64 ": DRAINED, suspended %u level %u drained %u (seq %"
		       PRIu64 ")", (uint64_t)e->handle, s->susp, s->level, s->drained, (uint64_t)e->seq);
	s->drained = 1;
}

static void es_queue(struct evstate *es, const struct amdxsched_event *e)
{
	struct hstate *s = es_handle(es, e->handle);

	if (!s || e->gpu_id >= MAX_GPUS) {
		ev_bad("queue event with handle %" PRIu64 " gpu %u", (uint64_t)e->handle, e->gpu_id);
		return;
	}
	if (e->type == AMDXSCHED_EVENT_QUEUE_CREATED) {
		if (s->life)
			ev_bad("queue %" PRIu64 " created twice (seq %" PRIu64 ")",
			       (uint64_t)e->handle, (uint64_t)e->seq);
		if (e->pid < es->npid && es->pid[e->pid] != 1)
			ev_bad("queue %" PRIu64 " created for unknown process %u", (uint64_t)e->handle, e->pid);
		memset(s, 0, sizeof(*s));
		s->life = 1;
		s->gpu = e->gpu_id;
		es->created[s->gpu]++;
		return;
	}
	if (s->life != 1 || s->gpu != e->gpu_id) {
		ev_bad("queue %" PRIu64 ": event %u %s (seq %" PRIu64 ")", (uint64_t)e->handle, e->type,
		       s->life ? "after DESTROYED or on another GPU" : "before CREATED", (uint64_t)e->seq);
		return;
	}
	switch (e->type) {
	case AMDXSCHED_EVENT_QUEUE_DESTROYED: es_destroyed(es, s, e); break;
	case AMDXSCHED_EVENT_QUEUE_SUSPENDED: es_suspended(es, s, e); break;
	case AMDXSCHED_EVENT_QUEUE_RESUMED: es_resumed(es, s, e); break;
	case AMDXSCHED_EVENT_LEASE_EXPIRED: es_expired(es, s, e); break;
	case AMDXSCHED_EVENT_QUEUE_BUSY:
	case AMDXSCHED_EVENT_QUEUE_IDLE: es_busy(s, e); break;
	case AMDXSCHED_EVENT_QUEUE_DRAINED: es_drained(s, e); break;
	case AMDXSCHED_EVENT_QUEUE_PRIORITY:
		if (e->data[0] > AMDXSCHED_PRIORITY_MAX)
			ev_bad("queue %" PRIu64 ": priority %" PRIu64, (uint64_t)e->handle, (uint64_t)e->data[0]);
		break;
	default:
		break;
	}
}

static void es_feed(struct evstate *es, const struct amdxsched_event *e)
{
	switch (e->type) {
	case AMDXSCHED_EVENT_PROC_CREATED:
	case AMDXSCHED_EVENT_PROC_EXIT:
	case AMDXSCHED_EVENT_PROC_ATTR:
		es_proc(es, e);
		break;
	case AMDXSCHED_EVENT_GPU_HANG:
		if (e->gpu_id < MAX_GPUS)
			es->hang[e->gpu_id]++;
		break;
	case AMDXSCHED_EVENT_RESUME_LATE:
		break;	/* a GPU's; lateness itself is the lease checks' */
	default:
		es_queue(es, e);
		break;
	}
}

/* Process, GPU and queue events carry the fields their kind says. */
static bool record_ok(const struct amdxsched_event *e)
{
	bool proc = e->type == AMDXSCHED_EVENT_PROC_CREATED || e->type == AMDXSCHED_EVENT_PROC_EXIT ||
		    e->type == AMDXSCHED_EVENT_PROC_ATTR;

	if (e->size != sizeof(*e) || e->flags)
		return false;
	if (proc)
		return !e->handle && e->gpu_id == AMDXSCHED_GPU_ANY && e->pid;
	if (e->type == AMDXSCHED_EVENT_GPU_HANG || e->type == AMDXSCHED_EVENT_RESUME_LATE)
		return !e->handle && e->gpu_id != AMDXSCHED_GPU_ANY;
	return e->handle && e->pid && e->gpu_id != AMDXSCHED_GPU_ANY;
}

static void stream_take(struct stream *s, const struct amdxsched_event *ev, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++) {
		const struct amdxsched_event *e = &ev[i];

		if (e->seq <= s->last_seq)
			fail(CK_EVSEQ, "%s: seq %" PRIu64 " after %" PRIu64, s->name, (uint64_t)e->seq,
			     s->last_seq);
		if (!e->type || e->type > AMDXSCHED_EVENT_MAX ||
		    !(s->mask & AMDXSCHED_EVENT_MASK(e->type)) || !record_ok(e)) {
			fail(CK_EVSEQ, "%s: record type %u size %u flags %u handle %" PRIu64
			     " gpu %u pid %u, mask %#" PRIx64, s->name, e->type, e->size,
			     e->flags, (uint64_t)e->handle, e->gpu_id, e->pid, s->mask);
			continue;
		}
		if (e->seq > s->last_seq + 1) {
			s->dropped += e->seq - s->last_seq - 1;
			s->gaps++;
			if (s->es && !s->es->desync) {
				s->es->desync = true;
				printf("# %s: lost %" PRIu64 " events at seq %" PRIu64
				       "; its event-by-event checks stop there\n", s->name,
				       (uint64_t)e->seq - s->last_seq - 1, s->last_seq + 1);
			}
		}
		if (e->seq > s->last_seq)
			s->last_seq = e->seq;
		s->by_type[e->type]++;
		s->received++;
		s->last = *e;
		if (s->es && !s->es->desync)
			es_feed(s->es, e);
	}
	ctr_add(s->counter, (uint64_t)n);
}

/* Non-blocking read of up to @max records into the stream; returns the count. */
static ssize_t stream_read(struct stream *s, struct amdxsched_event *buf, size_t max)
{
	ssize_t n = axs_events_read(s->fd, buf, max);

	expect(OP_EV_READ, n < 0 ? (int)n : 0, NO_ERRS, s->name);
	if (n > 0)
		stream_take(s, buf, n);
	return n;
}

static void stream_drain(struct stream *s)
{
	static struct amdxsched_event buf[1024];

	while (stream_read(s, buf, 1024) > 0)
		;
}

static int stream_open(struct stream *s, const char *name, uint64_t mask, uint32_t ring,
			enum ctr counter)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->mask = mask;
	s->counter = counter;
	s->fd = expect(OP_OPEN, axs_open(O_RDONLY | O_NONBLOCK), NO_ERRS, "subscriber: open");
	if (s->fd < 0)
		return s->fd;
	return expect(OP_EV_CONFIG, axs_events_config(s->fd, mask, ring), NO_ERRS,
		      "subscriber: events config");
}

/* poll(); POLLIN must mean a read finds records. */
static void stream_poll_read(struct stream *s, struct amdxsched_event *buf, size_t max,
			     int timeout_ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0 && errno != EINTR)
		fail(CK_EVSEQ, "%s: poll: %s", s->name, errname(errno));
	if (r <= 0)
		return;
	if (p.revents != POLLIN)
		fail(CK_EVSEQ, "%s: poll revents %#x", s->name, p.revents);
	else if (stream_read(s, buf, max) == 0)
		fail(CK_EVSEQ, "%s: POLLIN, but read found nothing", s->name);
}

/* S0 (lossless) and S2 (poller): poll, then read what is there. */
static void *sub_fast_main(void *arg)
{
	static struct amdxsched_event buf0[1024], buf2[256];
	struct stream *s = arg;
	bool big = s->es != NULL;

	while (!atomic_load(&x.stop_subs))
		stream_poll_read(s, big ? buf0 : buf2, big ? 1024 : 256, 50);
	return NULL;
}

/* S1 (lossy): a few records now and then from a 16-entry ring. */
static void *sub_slow_main(void *arg)
{
	struct amdxsched_event buf[4];
	struct stream *s = arg;

	while (!atomic_load(&x.stop_subs)) {
		stream_read(s, buf, 4);
		sleep_ms(25);
	}
	return NULL;
}

/* Unsubscribed: read() is EINVAL, poll() says POLLERR. */
static void check_unsubscribed(struct stream *s)
{
	struct amdxsched_event e;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n = axs_events_read(s->fd, &e, 1);

	expect(OP_EV_READ, n < 0 ? (int)n : 0, ERRS(EINVAL), "churner: read unsubscribed");
	if (n != -EINVAL)
		fail(CK_EVSEQ, "churner: read after unsubscribing gave %zd", n);
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLERR))
		fail(CK_EVSEQ, "churner: poll after unsubscribing: revents %#x", p.revents);
}

/* One life of a subscriber: subscribe, read, reconfigure, maybe unsubscribe, close. */
static void churn_once(struct rng *r)
{
	static struct amdxsched_event buf[256];
	uint64_t mask = rnd(r) & AMDXSCHED_EVENT_MASK_ALL, end;
	struct stream s;

	if (!mask)
		mask = AMDXSCHED_EVENT_MASK_ALL;
	if (stream_open(&s, "churner", mask, 1U << rnd_range(r, 4, 12), C_EV_S3))
		goto out;
	end = now_ns() + rnd_range(r, 50, 400) * MSEC;
	while (now_ns() < end && !atomic_load(&x.stop_subs)) {
		stream_poll_read(&s, buf, rnd_range(r, 1, 256), 20);
		if (chance(r, 5)) {
			/* a new ring drops what was unread: a jump in seq, nothing else */
			expect(OP_EV_CONFIG, axs_events_config(s.fd, mask, 1U << rnd_range(r, 4, 12)),
			       NO_ERRS, "churner: resize ring");
		}
	}
	if (chance(r, 30)) {
		expect(OP_EV_CONFIG, axs_events_config(s.fd, 0, 0), NO_ERRS, "churner: unsubscribe");
		check_unsubscribed(&s);
	}
out:
	if (s.fd >= 0 && close(s.fd))
		fail(CK_ERRNO, "churner: close: %s", errname(errno));
	ctr_add(C_SUBS_CYCLES, 1);
}

static void *sub_churn_main(void *arg)
{
	struct rng r;

	(void)arg;
	rng_seed(&r, cfg.seed ^ 0xc0ffee);
	while (!atomic_load(&x.stop_subs))
		churn_once(&r);
	return NULL;
}

/* ---- faults and unload attempts ----------------------------------------- */

static int knob_write(uint32_t gpu_id, const char *knob, unsigned int val)
{
	char path[256], v[32];
	int fd, len, r = 0;

	snprintf(path, sizeof(path), "%s/gpu%u/%s", cfg.debugfs, gpu_id, knob);
	len = snprintf(v, sizeof(v), "%u\n", val);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, v, (size_t)len) != len)
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	return r;
}

static const char *const fail_knobs[] = {
	"fail_suspend", "fail_suspend_late", "fail_resume", "fail_priority", "fail_cu_mask",
	"fail_queue_create",
};

static void *fault_main(void *arg)
{
	static const uint32_t weight[] = { 25, 10, 35, 10, 10, 10 };	/* of 100 */
	struct rng r;

	(void)arg;
	rng_seed(&r, cfg.seed ^ 0xfa17);
	while (!atomic_load(&x.stop_faults)) {
		uint32_t roll = rnd_below(&r, 100), k = 0, gpu = rnd_below(&r, sh->ngpus);
		int e;

		sleep_ms(rnd_range(&r, cfg.fault_ms / 2, cfg.fault_ms * 3 / 2));
		while (roll >= weight[k]) {
			roll -= weight[k];
			k++;
		}
		e = knob_write(sh->gpu_id[gpu], fail_knobs[k], rnd_range(&r, 1, 2));
		if (e)
			fail(CK_ERRNO, "debugfs %s of gpu %u: %s", fail_knobs[k], sh->gpu_id[gpu],
			     errname(-e));
		else
			ctr_add(C_FAULTS, 1);
	}
	return NULL;
}

static int knobs_reset(void)
{
	int err = 0;

	for (uint32_t g = 0; g < sh->ngpus; g++) {
		for (size_t k = 0; k < sizeof(fail_knobs) / sizeof(fail_knobs[0]); k++)
			err = err ? err : knob_write(sh->gpu_id[g], fail_knobs[k], 0);
		err = err ? err : knob_write(sh->gpu_id[g], "unmap_delay_us", 0);
	}
	return err;
}

/* A fresh file: opens, answers VERSION, same instance. */
static bool device_answers(const char *who)
{
	struct amdxsched_version v;
	int fd = expect(OP_OPEN, axs_open(O_RDONLY), NO_ERRS, who);
	int r;

	if (fd < 0)
		return false;
	r = expect(OP_VERSION, axs_version(fd, &v), NO_ERRS, who);
	if (close(fd))
		r = -errno;
	return !r && v.instance_id == x.instance && v.num_gpus == x.num_gpus;
}

static void *unload_main(void *arg)
{
	struct rng r;

	(void)arg;
	rng_seed(&r, cfg.seed ^ 0x7777);
	while (!atomic_load(&x.stop_faults)) {
		long rc;

		sleep_ms(rnd_range(&r, cfg.unload_ms / 2, cfg.unload_ms * 3 / 2));
		rc = syscall(SYS_delete_module, cfg.module, O_NONBLOCK);
		if (!rc) {
			fail(CK_UNLOAD, "delete_module(%s) succeeded with files open", cfg.module);
			break;
		}
		if (errno != EWOULDBLOCK && errno != EBUSY)
			fail(CK_UNLOAD, "delete_module(%s): %s", cfg.module, errname(errno));
		else
			ctr_add(C_RMMOD_REFUSED, 1);
		if (!device_answers("unload: device after a refused rmmod"))
			fail(CK_UNLOAD, "after a refused rmmod the device changed or does not answer");
	}
	return NULL;
}

/* ---- xschedd -------------------------------------------------------------- */

static pid_t xschedd_start(void)
{
	struct stat st;
	pid_t pid;
	int status;

	if (fflush(stdout))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(cfg.xschedd_log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || close(fd) ||
		    prctl(PR_SET_PDEATHSIG, SIGTERM))
			_exit(127);
		execv(cfg.xschedd_argv[0], cfg.xschedd_argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (!cfg.xschedd_sock || (!stat(cfg.xschedd_sock, &st) && S_ISSOCK(st.st_mode)))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		sleep_ms(100);
	}
	return pid;	/* running, but no socket: the checks will tell */
}

/* SIGTERM and wait; the exit status, or -1 if it had to be killed. */
static int xschedd_stop(pid_t pid)
{
	int status;

	if (kill(pid, SIGTERM))
		return -1;
	for (int i = 0; i < 300; i++) {
		pid_t p = waitpid(pid, &status, WNOHANG);

		if (p == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (p < 0)
			return -1;
		sleep_ms(50);
	}
	if (kill(pid, SIGKILL) == 0 && waitpid(pid, &status, 0) != pid)
		return -2;
	return -1;
}

/* ---- results -------------------------------------------------------------- */

static unsigned int nresults, nfailed;

__attribute__((format(printf, 3, 4)))
static void result(bool ok, const char *name, const char *fmt, ...)
{
	char detail[512] = "";
	va_list ap;

	nresults++;
	if (ok) {
		printf("ok\t%s\n", name);
		return;
	}
	nfailed++;
	va_start(ap, fmt);
	if (vsnprintf(detail, sizeof(detail), fmt, ap) < 0)
		detail[0] = '\0';
	va_end(ap);
	printf("not ok\t%s\t%s\n", name, detail);
}

/* An expected failure: TAP's TODO, which does not fail the run. */
static void todo(bool ok, const char *name, const char *why, const char *detail)
{
	nresults++;
	if (ok)
		printf("ok\t%s # TODO %s\n", name, why);
	else
		printf("not ok\t%s # TODO %s\t%s\n", name, why, detail);
}

static void skip(const char *name, const char *why)
{
	nresults++;
	printf("ok\t%s # SKIP %s\n", name, why);
}

static void result_ck(enum ck c)
{
	unsigned int n = atomic_load(&sh->nfail[c]);

	if (!n) {
		result(true, ck_name[c], NULL);
		return;
	}
	result(false, ck_name[c], "%u failure(s); first: %s", n, sh->msg[c][0]);
	for (unsigned int i = 1; i < n && i < MAX_MSGS; i++)
		printf("#   also: %s\n", sh->msg[c][i]);
}

/* ---- the end: freeze, release, compare ------------------------------------ */

struct final {
	int mon_fd;		/* read-only, never holds anything */
	struct amdxsched_gpu_info *g0, *g1;
	uint32_t ng;
	uint64_t marker_h, marker_lease;
};

static int list_all(int fd, struct amdxsched_queue_info **q, uint32_t *n)
{
	int r = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, q, n);

	return expect(OP_LIST_QUEUES, r, NO_ERRS, "final: list queues");
}

/* Every suspended queue is under a lease of a live holder, deadline sane. */
static void check_frozen(struct final *f)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0, susp = 0, bad = 0, mine = 0, first = 0;
	uint64_t now;

	if (list_all(f->mon_fd, &q, &n))
		return;
	now = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		if (!(q[i].state & AMDXSCHED_QUEUE_S_SUSPENDED))
			continue;
		susp++;
		mine += q[i].holder_pid == (uint32_t)getpid();
		if (!q[i].lease_id || (q[i].holder_pid && kill((pid_t)q[i].holder_pid, 0)) ||
		    q[i].lease_deadline_ns > now + (uint64_t)x.max_lease_ms * MSEC ||
		    q[i].lease_deadline_ns + (uint64_t)cfg.overdue_ms * MSEC < now) {
			if (!bad++)
				first = i;
		}
	}
	printf("# frozen: %u queues, %u suspended (%u by the schedulers' files)\n", n, susp, mine);
	result(!bad && mine,
	       "frozen: every suspended queue is under a lease of a live holder (some by this program)",
	       "%u of %u not: queue %" PRIu64 " lease %" PRIu64 " holder %u deadline %+" PRId64
	       " ms", bad, susp, bad ? (uint64_t)q[first].handle : 0,
	       bad ? (uint64_t)q[first].lease_id : 0,
	       bad ? q[first].holder_pid : 0,
	       bad ? ((int64_t)q[first].lease_deadline_ns - (int64_t)now) / (int64_t)MSEC : 0);
	free(q);
}

/* How many queues are suspended, and how many of them by @holder (0: any). */
static uint32_t count_suspended(struct final *f, uint32_t holder, uint32_t *total)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0, held = 0, susp = 0;

	if (list_all(f->mon_fd, &q, &n))
		return UINT32_MAX;
	for (uint32_t i = 0; i < n; i++) {
		if (!(q[i].state & AMDXSCHED_QUEUE_S_SUSPENDED))
			continue;
		susp++;
		held += !holder || q[i].holder_pid == holder;
	}
	free(q);
	if (total)
		*total = n;
	return held;
}

static bool wait_none_suspended(struct final *f, uint32_t *left, uint32_t *queues)
{
	uint64_t end = now_ns() + (uint64_t)(x.max_lease_ms + cfg.overdue_ms) * MSEC;

	do {
		*left = count_suspended(f, 0, queues);
		if (!*left)
			return true;
		sleep_ms(50);
	} while (now_ns() < end);
	return false;
}

static void check_empty(struct final *f)
{
	struct amdxsched_queue_info *q = NULL;
	struct amdxsched_proc_info *p = NULL;
	struct amdxsched_gpu_info *g = NULL;
	uint32_t nq = 0, np = 0, ng = 0, gq = 0;
	int r;

	r = list_all(f->mon_fd, &q, &nq);
	r = r ? r : expect(OP_LIST_PROCS, axs_list_procs(f->mon_fd, 0, &p, &np), NO_ERRS,
			   "final: list procs");
	r = r ? r : expect(OP_LIST_GPUS, axs_list_gpus(f->mon_fd, &g, &ng), NO_ERRS,
			   "final: list gpus");
	for (uint32_t i = 0; !r && i < ng; i++)
		gq += g[i].num_queues;
	result(!r && !nq && !np && !gq,
	       "all processes gone: no queue, no process left, every GPU at 0 queues",
	       "list: %s, %u queues, %u processes (first pid %u), %u queues by GPU",
	       r ? errname(-r) : "ok", nq, np, np ? p[0].pid : 0, gq);
	free(q);
	free(p);
	free(g);
}

/* Marker: a queue of our own suspended and resumed, the last thing any stream sees. */
static bool marker(struct final *f, int fd)
{
	uint64_t h = 0, lease = 0;
	int32_t st;
	int r;

	r = expect(OP_SIM_PROC, axs_sim_proc(fd, AMDXSCHED_SIM_PROC_CREATE, NULL), NO_ERRS,
		   "marker: sim proc");
	r = r ? r : expect(OP_Q_CREATE, axs_sim_queue_create(fd, sh->gpu_id[0], 7, &h, NULL),
			   NO_ERRS, "marker: queue create");
	r = r ? r : expect(OP_SUSPEND, axs_suspend(fd, &h, 1, 3, 1000, &st, &lease), NO_ERRS,
			   "marker: suspend");
	r = r ? r : expect(OP_RESUME, axs_resume(fd, &h, 1, 0, &st), NO_ERRS, "marker: resume");
	r = r ? r : expect(OP_Q_DESTROY, axs_sim_queue_destroy(fd, h), NO_ERRS,
			   "marker: queue destroy");
	r = r ? r : expect(OP_SIM_PROC, axs_sim_proc(fd, AMDXSCHED_SIM_PROC_DESTROY, NULL),
			   NO_ERRS, "marker: sim proc destroy");
	f->marker_h = h;
	f->marker_lease = lease;
	return !r;
}

static uint64_t delta(const struct final *f, uint32_t i, size_t off)
{
	uint64_t a, b;

	memcpy(&a, (const char *)&f->g0[i].counters + off, sizeof(a));
	memcpy(&b, (const char *)&f->g1[i].counters + off, sizeof(b));
	return b - a;
}

#define D(f, i, field)	delta(f, i, offsetof(struct amdxsched_gpu_counters, field))

/* The lossless stream against the GPU counters, GPU by GPU. */
static void check_lossless(const struct final *f, const struct stream *s0)
{
	const struct evstate *es = s0->es;
	uint32_t bad = 0, first = 0;

	if (s0->dropped) {
		skip("events: lossless stream matches the GPU counters",
		     "its 64Ki ring overflowed");
		return;
	}
	for (uint32_t i = 0; i < f->ng; i++) {
		uint32_t id = f->g1[i].gpu_id;

		if (id >= MAX_GPUS)
			continue;
		if (D(f, i, suspends) != es->susp[id] || D(f, i, resumes) != es->res[id] ||
		    D(f, i, lease_expiries) != es->exp[id] ||
		    D(f, i, suspends) - D(f, i, resumes) != es->destroyed_susp[id] ||
		    D(f, i, hangs) != es->hang[id]) {
			if (!bad++)
				first = i;
		}
	}
	uint32_t id = f->g1[first].gpu_id;

	result(!bad, "events: lossless stream matches the GPU counters (suspends, resumes, expiries;"
	       " suspends - resumes = destroyed while suspended)",
	       "%u GPU(s) differ; gpu %u: counters %" PRIu64 "/%" PRIu64 "/%" PRIu64
	       " events %" PRIu64 "/%" PRIu64 "/%" PRIu64 ", destroyed suspended %" PRIu64,
	       bad, id, D(f, first, suspends), D(f, first, resumes), D(f, first, lease_expiries),
	       es->susp[id], es->res[id], es->exp[id], es->destroyed_susp[id]);
}

static void check_gpu_totals(const struct final *f, const struct stream *s0)
{
	const struct evstate *es = s0->es;
	uint32_t bad = 0, first = 0;
	double worst = 0;

	for (uint32_t i = 0; i < f->ng; i++) {
		uint32_t id = f->g1[i].gpu_id;
		double ev = id < MAX_GPUS ? (double)es->susp_ns[id] : 0;
		double ctr = (double)D(f, i, suspended_ns);
		double tol = 0.02 * ctr + 2e6 * (double)D(f, i, suspends) + 1e6;
		double diff = ev > ctr ? ev - ctr : ctr - ev;

		if (diff / (ctr + 1) > worst)
			worst = diff / (ctr + 1);
		if (f->g1[i].counters.resumes > f->g1[i].counters.suspends ||
		    f->g1[i].counters.lease_expiries > f->g1[i].counters.suspends ||
		    f->g1[i].counters.hangs || f->g1[i].num_queues ||
		    (!s0->dropped && id < MAX_GPUS &&
		     (diff > tol || D(f, i, remaps) < es->created[id] + es->destroyed[id]))) {
			if (!bad++)
				first = i;
		}
	}
	result(!bad, "gpu counters at the end: resumes, expiries <= suspends, no hang, no queue;"
	       " suspended time and remaps agree with the events",
	       "%u GPU(s) off; gpu %u: suspends %" PRIu64 " resumes %" PRIu64 " expiries %"
	       PRIu64 " hangs %" PRIu64 " queues %u remaps %" PRIu64 " suspended %" PRIu64
	       " ms (events %" PRIu64 " ms)", bad, f->g1[first].gpu_id,
	       (uint64_t)f->g1[first].counters.suspends, (uint64_t)f->g1[first].counters.resumes,
	       (uint64_t)f->g1[first].counters.lease_expiries, (uint64_t)f->g1[first].counters.hangs,
	       f->g1[first].num_queues, D(f, first, remaps), D(f, first, suspended_ns) / MSEC,
	       f->g1[first].gpu_id < MAX_GPUS ? es->susp_ns[f->g1[first].gpu_id] / MSEC : 0);
	printf("#   suspended time, events vs counters: worst relative difference %.4f\n", worst);
}

static void check_streams(const struct final *f, const struct stream *s0,
			  const struct stream *s1, const struct stream *s2)
{
	uint64_t want1 = 0, live = 0, susp = 0;

	for (uint32_t i = 0; i < f->ng; i++)
		want1 += D(f, i, suspends) + D(f, i, resumes) + D(f, i, lease_expiries);
	result(s1->last_seq == want1 && s1->received + s1->dropped == s1->last_seq &&
	       s1->last.type == AMDXSCHED_EVENT_QUEUE_RESUMED && s1->last.handle == f->marker_h &&
	       s1->last.data[1] == f->marker_lease,
	       "events: lossy stream (16-entry ring): received + reported losses = events the"
	       " counters say were emitted, the last is the marker",
	       "last seq %" PRIu64 ", counters say %" PRIu64 "; received %" PRIu64 " + lost %"
	       PRIu64 "; last type %u handle %" PRIu64 " (marker %" PRIu64 ")",
	       s1->last_seq, want1, s1->received, s1->dropped, s1->last.type, (uint64_t)s1->last.handle,
	       f->marker_h);
	result(s2->last_seq == s0->last_seq && s2->last.seq == s0->last.seq &&
	       s2->last.type == s0->last.type && s0->last.type == AMDXSCHED_EVENT_PROC_EXIT &&
	       s0->last.pid == (uint32_t)getpid() && s0->received + s0->dropped == s0->last_seq,
	       "events: two all-event streams spent the same sequence numbers and end with the marker",
	       "lossless last seq %" PRIu64 " (received %" PRIu64 " lost %" PRIu64
	       "), poller last seq %" PRIu64 "; last types %u/%u",
	       s0->last_seq, s0->received, s0->dropped, s2->last_seq, s0->last.type,
	       s2->last.type);
	for (size_t h = 0; h < s0->es->cap; h++) {
		live += s0->es->h[h].life == 1;
		susp += s0->es->h[h].susp;
	}
	result(s0->dropped || (!live && !susp),
	       "events: no queue left live or suspended in the event history",
	       "%" PRIu64 " live, %" PRIu64 " suspended", live, susp);
}

/* ---- the report ----------------------------------------------------------- */

struct figures {
	double secs;
	uint64_t calls[OP_NR];
	uint64_t err[OP_NR][NTALLY];
	uint64_t ctr[C_NR];
	unsigned int alive_min, alive_max;
	double alive_avg;
};

static void figures_take(struct figures *fg, double secs)
{
	fg->secs = secs;
	for (int i = 0; i < OP_NR; i++) {
		fg->calls[i] = atomic_load(&sh->op[i].calls);
		for (size_t k = 0; k < NTALLY; k++)
			fg->err[i][k] = atomic_load(&sh->op[i].err[k]);
	}
	for (int i = 0; i < C_NR; i++)
		fg->ctr[i] = ctr_get(i);
}

static void print_op(const struct figures *fg, int i)
{
	char errs[256] = "";
	size_t len = 0;

	for (size_t k = 0; k < NTALLY; k++) {
		if (!fg->err[i][k])
			continue;
		len += (size_t)snprintf(errs + len, sizeof(errs) - len, " %s %" PRIu64,
					k < NTALLY - 1 ? errname(tally_errno[k]) : "other",
					fg->err[i][k]);
		if (len >= sizeof(errs))
			break;
	}
	printf("#   %-18s %9" PRIu64 " %9.1f/s%s%s\n", op_name[i], fg->calls[i],
	       fg->calls[i] / fg->secs, *errs ? "  errors:" : "", errs);
}

static void report(const struct figures *fg, const struct final *f)
{
	const uint64_t *c = fg->ctr;
	uint64_t total = 0, ev = c[C_EV_S0] + c[C_EV_S1] + c[C_EV_S2] + c[C_EV_S3];
	uint64_t s = 0, r = 0, e = 0, rm = 0;

	for (int i = 0; i < OP_NR; i++)
		total += fg->calls[i];
	printf("# --- throughput over the %.1f s run (%u GPUs, slow unmap +%u us on gpu %u) ---\n",
	       fg->secs, sh->ngpus, cfg.unmap_delay_us, sh->gpu_id[cfg.slow_gpu % sh->ngpus]);
	printf("# ioctls (this program: workers, schedulers, monitor, subscribers): %" PRIu64
	       " = %.1f/s\n", total, total / fg->secs);
	for (int i = 0; i < OP_NR; i++)
		if (fg->calls[i])
			print_op(fg, i);
	printf("# events read: %" PRIu64 " = %.1f/s (lossless %" PRIu64 ", lossy %" PRIu64
	       ", poller %" PRIu64 ", churner %" PRIu64 " in %" PRIu64 " subscriptions)\n",
	       ev, ev / fg->secs, c[C_EV_S0], c[C_EV_S1], c[C_EV_S2], c[C_EV_S3],
	       c[C_SUBS_CYCLES]);
	printf("# processes: %" PRIu64 " created, %" PRIu64 " killed, %" PRIu64
	       " exited by themselves; alive min %u avg %.1f max %u\n", c[C_SPAWNED],
	       c[C_KILLED], c[C_EXITED], fg->alive_min, fg->alive_avg, fg->alive_max);
	printf("# queues: %" PRIu64 " created, %" PRIu64 " destroyed by their process, %"
	       PRIu64 " refused (GPU full); at most %u at once\n", c[C_Q_CREATED],
	       c[C_Q_DESTROYED], c[C_Q_ENOSPC], snap.max_n);
	printf("# schedulers: %" PRIu64 " leases over %" PRIu64 " queues, renewals %" PRIu64
	       " in time / %" PRIu64 " too late / %" PRIu64 " gone early, %" PRIu64
	       " resumed, %" PRIu64 " force-resumed, %" PRIu64 " invalid masks refused\n",
	       c[C_ACT_LEASES], c[C_ACT_QUEUES], c[C_RENEW_OK], c[C_RENEW_LATE], c[C_RENEW_EARLY],
	       c[C_RESUMED], c[C_FORCED], c[C_BAD_MASKS]);
	printf("# workers' own suspensions: %" PRIu64
	       "; failed suspends that left queues under their lease: %"
	       PRIu64 "\n", c[C_SELF_SUSPENDS], c[C_LEFTOVER_LEASES]);
	for (uint32_t i = 0; f->g1 && i < f->ng; i++) {
		s += D(f, i, suspends);
		r += D(f, i, resumes);
		e += D(f, i, lease_expiries);
		rm += D(f, i, remaps);
	}
	printf("# module (whole test, xschedd included): %" PRIu64 " suspensions (%.1f/s), %"
	       PRIu64 " resumptions, %" PRIu64 " lease expiries, %" PRIu64 " remaps\n",
	       s, s / fg->secs, r, e, rm);
	printf("# faults injected: %" PRIu64 "; rmmod attempts refused: %" PRIu64
	       "; suspended queues checked by the monitor: %" PRIu64 " (%" PRIu64
	       " held by xschedd), latest lease end seen %.1f ms after its deadline\n",
	       c[C_FAULTS], c[C_RMMOD_REFUSED], atomic_load(&x.lease_samples),
	       atomic_load(&x.xschedd_held), atomic_load(&x.max_overdue_ns) / 1e6);
}

/* The run produced what it was meant to: scale, and each race at least once. */
static void check_scale(const struct figures *fg)
{
	/*
	 * Concurrency, not speed: at least 2/3 of the workers alive at once.
	 * A debug kernel under TCG spawns slower than workers die (50 of 60
	 * seen), so the bar is not how close the spawner gets to the target.
	 */
	const uint64_t *c = fg->ctr;
	bool ok = c[C_SPAWNED] >= cfg.min_procs && c[C_KILLED] && c[C_EXITED] &&
		  c[C_Q_CREATED] >= cfg.min_queues && fg->alive_max >= cfg.workers * 2 / 3 &&
		  c[C_ACT_LEASES] && c[C_RENEW_OK] && c[C_RENEW_LATE] &&
		  (!cfg.unload_ms || c[C_RMMOD_REFUSED]) && (!cfg.fault_ms || c[C_FAULTS]) &&
		  c[C_EV_S1] && c[C_SUBS_CYCLES];

	result(ok, "scale: hundreds of processes, thousands of queues, renewals both in time and too late",
	       "processes %" PRIu64 " (killed %" PRIu64 ", exited %" PRIu64
	       "), alive max %u of %u, queues %"
	       PRIu64 ", leases %" PRIu64 ", renewals %" PRIu64 "/%" PRIu64 ", rmmod %" PRIu64
	       ", faults %" PRIu64, c[C_SPAWNED], c[C_KILLED], c[C_EXITED], fg->alive_max,
	       cfg.workers, c[C_Q_CREATED], c[C_ACT_LEASES], c[C_RENEW_OK], c[C_RENEW_LATE],
	       c[C_RMMOD_REFUSED], c[C_FAULTS]);
}

/* ---- setup ---------------------------------------------------------------- */

static int setup_shared(void)
{
	void *p = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	sh = p;		/* anonymous memory starts zeroed */
	return 0;
}

/* The module: control, leases, simulated GPUs; their ids and XCC counts. */
static int setup_gpus(char *why, size_t len)
{
	struct amdxsched_gpu_info *g = NULL;
	struct amdxsched_version v;
	uint32_t n = 0;
	int fd, r;

	fd = axs_open(O_RDWR);
	if (fd < 0) {
		snprintf(why, len, "open %s: %s", AXS_DEVICE_PATH, errname(-fd));
		return fd;
	}
	r = axs_version(fd, &v);
	r = r ? r : axs_list_gpus(fd, &g, &n);
	if (close(fd) && !r)
		r = -errno;
	if (r) {
		snprintf(why, len, "version/list gpus: %s", errname(-r));
		free(g);
		return r;
	}
	x.instance = v.instance_id;
	x.num_gpus = v.num_gpus;
	x.max_lease_ms = v.max_lease_ms;
	for (uint32_t i = 0; i < n && sh->ngpus < MAX_GPUS; i++) {
		if (g[i].backend != AMDXSCHED_BACKEND_SIM)
			continue;
		sh->gpu_id[sh->ngpus] = g[i].gpu_id;
		sh->num_xcc[sh->ngpus] = g[i].num_xcc;
		sh->ngpus++;
	}
	free(g);
	snprintf(why, len, "%u simulated GPUs (need %u), control %u, max_lease_ms %u",
		 sh->ngpus, cfg.gpus, v.control, v.max_lease_ms);
	if (sh->ngpus < cfg.gpus || !v.control || v.max_lease_ms < 100)
		return -ENODEV;
	return 0;
}

static pid_t start_spawner(void)
{
	pid_t parent = getpid(), pid;

	if (fflush(stdout))
		return -1;
	pid = fork();
	if (!pid)
		_exit(spawner_main(parent));
	return pid;
}

static int setup_evstate(struct evstate *es)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	unsigned long max = 0;

	memset(es, 0, sizeof(*es));
	if (f) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 0;
		if (fclose(f))
			max = 0;
	}
	if (!max || max > (1UL << 22))
		max = 1UL << 22;
	es->pid = calloc(max + 1, 1);
	es->npid = es->pid ? max + 1 : 0;
	return es->pid ? 0 : -ENOMEM;
}

static void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(t, NULL, fn, arg);

	if (e) {
		fprintf(stderr, "axs-stress: pthread_create: %s\n", errname(e));
		exit(1);
	}
}

static void join_thread(pthread_t t)
{
	int e = pthread_join(t, NULL);

	if (e) {
		fprintf(stderr, "axs-stress: pthread_join: %s\n", errname(e));
		exit(1);
	}
}

/* ---- the run -------------------------------------------------------------- */

struct run {
	struct stream s0, s1, s2;
	struct evstate es;
	struct monitor mon;
	struct probe probe;
	struct actor *act;
	pthread_t mon_t, churn_t, fault_t, unload_t;
	pid_t spawner, xschedd;
	int marker_fd;
	uint64_t t0;
};

static int open_streams(struct run *rn)
{
	const uint64_t lease_events = AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_SUSPENDED) |
				      AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_RESUMED) |
				      AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_LEASE_EXPIRED);
	int r;

	r = setup_evstate(&rn->es);
	r = r ? r : stream_open(&rn->s0, "lossless", AMDXSCHED_EVENT_MASK_ALL,
				AMDXSCHED_EVENTS_RING_MAX, C_EV_S0);
	r = r ? r : stream_open(&rn->s1, "lossy", lease_events, AMDXSCHED_EVENTS_RING_MIN,
				C_EV_S1);
	r = r ? r : stream_open(&rn->s2, "poller", AMDXSCHED_EVENT_MASK_ALL, 1024, C_EV_S2);
	rn->s0.es = &rn->es;
	return r;
}

static int open_files(struct run *rn, struct final *f)
{
	int r;

	rn->act = calloc(cfg.actors, sizeof(*rn->act));
	if (!rn->act)
		return -ENOMEM;
	for (unsigned int i = 0; i < cfg.actors; i++) {
		rn->act[i].idx = i;
		rng_seed(&rn->act[i].r, cfg.seed * 31 + i);
		rn->act[i].fd = expect(OP_OPEN, axs_open(O_RDWR), NO_ERRS, "scheduler: open");
		if (rn->act[i].fd < 0)
			return rn->act[i].fd;
	}
	rn->marker_fd = expect(OP_OPEN, axs_open(O_RDWR), NO_ERRS, "marker: open");
	f->mon_fd = expect(OP_OPEN, axs_open(O_RDONLY), NO_ERRS, "monitor: open");
	rn->mon.fd = f->mon_fd;
	rn->probe.fd = expect(OP_OPEN, axs_open(O_RDONLY), NO_ERRS, "probe: open");
	if (rn->marker_fd < 0 || f->mon_fd < 0 || rn->probe.fd < 0)
		return -EBADF;
	r = open_streams(rn);
	if (r)
		return r;
	/* Nothing runs yet: every stream starts from these counters. */
	r = expect(OP_LIST_GPUS, axs_list_gpus(f->mon_fd, &f->g0, &f->ng), NO_ERRS,
		   "baseline: list gpus");
	rn->mon.gpus = malloc(f->ng * sizeof(*f->g0));
	if (r || !rn->mon.gpus)
		return r ? r : -ENOMEM;
	memcpy(rn->mon.gpus, f->g0, f->ng * sizeof(*f->g0));
	rn->mon.ngpus = f->ng;
	return 0;
}

static void start_threads(struct run *rn)
{
	start_thread(&rn->mon_t, monitor_main, &rn->mon);
	start_thread(&rn->probe.thread, probe_main, &rn->probe);
	start_thread(&rn->s0.thread, sub_fast_main, &rn->s0);
	start_thread(&rn->s1.thread, sub_slow_main, &rn->s1);
	start_thread(&rn->s2.thread, sub_fast_main, &rn->s2);
	start_thread(&rn->churn_t, sub_churn_main, NULL);
	for (unsigned int i = 0; i < cfg.actors; i++)
		start_thread(&rn->act[i].thread, actor_main, &rn->act[i]);
	if (cfg.fault_ms)
		start_thread(&rn->fault_t, fault_main, NULL);
	if (cfg.unload_ms)
		start_thread(&rn->unload_t, unload_main, NULL);
}

/* Did a child we rely on end? */
static void watch_child(pid_t *pid, enum ck c, const char *what)
{
	int status;

	if (*pid <= 0 || waitpid(*pid, &status, WNOHANG) != *pid)
		return;
	fail(c, "%s %d ended during the run: %s %d", what, (int)*pid,
	     WIFSIGNALED(status) ? "signal" : "status",
	     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	*pid = 0;
}

static void run_phase(struct run *rn, struct figures *fg)
{
	uint64_t end = rn->t0 + (uint64_t)cfg.seconds * NSEC, warm = cfg.seconds / 5;
	unsigned int sec = 0, alive;
	double sum = 0;
	unsigned int nsum = 0;

	fg->alive_min = UINT32_MAX;
	while (now_ns() < end) {
		sleep_ms(1000);
		sec++;
		if (cfg.calm_s)
			atomic_store(&sh->calm, sec % (cfg.storm_s + cfg.calm_s) >= cfg.storm_s);
		alive = atomic_load(&sh->alive);
		if (sec > warm) {
			sum += alive;
			nsum++;
			if (alive < fg->alive_min)
				fg->alive_min = alive;
		}
		if (alive > fg->alive_max)
			fg->alive_max = alive;
		watch_child(&rn->xschedd, CK_XSCHEDD, "xschedd");
		watch_child(&rn->spawner, CK_WORKER, "the spawner");
		if (sec % 10 == 0)
			printf("# t=%us: %u processes alive, %u queues, %" PRIu64
			       " processes so far, %" PRIu64 " events read by the lossless stream\n",
			       sec, alive, snap.n, ctr_get(C_SPAWNED), ctr_get(C_EV_S0));
	}
	atomic_store(&sh->calm, false);
	if (fg->alive_min == UINT32_MAX)
		fg->alive_min = 0;
	fg->alive_avg = nsum ? sum / nsum : 0;
	figures_take(fg, (now_ns() - rn->t0) / 1e9);
}

/* Tell the spawner @ph and wait until it has done it. */
static bool spawner_to(struct run *rn, int ph, unsigned int secs)
{
	atomic_store(&sh->phase, ph);
	for (unsigned int i = 0; i < secs * 20; i++) {
		if (atomic_load(&sh->spawner_at) == ph)
			return true;
		if (rn->spawner <= 0)
			return false;
		sleep_ms(50);
	}
	return false;
}

static void stop_actors(struct run *rn)
{
	int e;

	atomic_store(&x.stop_faults, true);
	if (cfg.fault_ms)
		join_thread(rn->fault_t);
	if (cfg.unload_ms)
		join_thread(rn->unload_t);
	/* No fault may linger into the checks below, nor the slow unmap. */
	e = knobs_reset();
	if (e)
		fail(CK_ERRNO, "debugfs reset: %s", errname(-e));
	atomic_store(&x.stop_actors, true);
	for (unsigned int i = 0; i < cfg.actors; i++)
		join_thread(rn->act[i].thread);
}

/*
 * With everything frozen, each scheduler file takes up to 8 running queues
 * under the longest lease, so that the checks that follow have something
 * to find: held by a live file, renewable, and released by close().
 */
static uint32_t hold_for_checks(struct run *rn, struct final *f)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0, total = 0;
	struct rng r;

	if (list_all(f->mon_fd, &q, &n))
		return 0;
	rng_seed(&r, cfg.seed ^ 0x401d);
	for (unsigned int i = 0; i < cfg.actors && n; i++) {
		uint64_t h[ACT_BATCH];
		int32_t st[ACT_BATCH];
		uint32_t k = 0;
		int res;

		for (uint32_t tries = 0; tries < 64 && k < ACT_BATCH; tries++) {
			struct amdxsched_queue_info *c = &q[rnd_below(&r, n)];

			if (c->state & AMDXSCHED_QUEUE_S_SUSPENDED)
				continue;
			c->state |= AMDXSCHED_QUEUE_S_SUSPENDED;	/* taken */
			h[k++] = c->handle;
		}
		if (!k)
			continue;
		res = axs_suspend(rn->act[i].fd, h, k, AMDXSCHED_LEVEL_INTERRUPT, x.max_lease_ms,
				  st, &rn->act[i].hold);
		/* EBUSY: a worker's own suspension not yet expired */
		expect(OP_SUSPEND, res, ERRS(EBUSY), "final: hold queues");
		check_suspend("final: hold queues", res, st, k, rn->act[i].hold);
		rn->act[i].nhold = res ? 0 : k;
		total += rn->act[i].nhold;
	}
	free(q);
	return total;
}

/* The leases held for the checks are alive: renewing them must work. */
static void renew_held(struct run *rn)
{
	uint32_t bad = 0, held = 0;
	int first = 0;

	for (unsigned int i = 0; i < cfg.actors; i++) {
		uint64_t deadline;
		int r;

		if (!rn->act[i].nhold)
			continue;
		held++;
		r = axs_lease_renew(rn->act[i].fd, rn->act[i].hold, x.max_lease_ms, &deadline);
		expect(OP_RENEW, r, ERRS(ENOENT), "final: renew held lease");
		if (r && !bad++)
			first = r;
	}
	result(held && !bad, "frozen: the leases held across the checks are alive and renew",
	       "%u of %u leases would not renew (%s)", bad, held, bad ? errname(-first) : "none held");
}

static void release_schedulers(struct run *rn, struct final *f)
{
	uint32_t before = count_suspended(f, (uint32_t)getpid(), NULL), after;
	int bad = 0;

	for (unsigned int i = 0; i < cfg.actors; i++) {
		if (close(rn->act[i].fd))
			bad = errno;
		rn->act[i].fd = -1;
	}
	after = count_suspended(f, (uint32_t)getpid(), NULL);
	result(!bad && before && !after, "closing the schedulers' files resumed their queues at once",
	       "%u queues still held by this process (%u before), close: %s", after, before,
	       bad ? errname(bad) : "ok");
}

static void release_xschedd(struct run *rn, struct final *f)
{
	uint32_t before, after;
	int st;

	if (!cfg.xschedd_argv) {
		skip("xschedd stops on SIGTERM with status 0 and its suspensions end",
		     "not started");
		return;
	}
	if (rn->xschedd <= 0) {
		result(false, "xschedd stops on SIGTERM with status 0 and its suspensions end",
		       "it was gone before the end");
		return;
	}
	before = count_suspended(f, (uint32_t)rn->xschedd, NULL);
	st = xschedd_stop(rn->xschedd);
	after = count_suspended(f, (uint32_t)rn->xschedd, NULL);
	result(st == 0 && !after,
	       "xschedd stops on SIGTERM with status 0 and its suspensions end",
	       "exit status %d, %u queues still held by it (%u before)", st, after, before);
	printf("#   xschedd held %u queues when stopped\n", before);
	rn->xschedd = 0;
}

static void end_workers(struct run *rn, struct final *f)
{
	uint32_t left = 0, queues = 0;
	bool ok = wait_none_suspended(f, &left, &queues);
	int status;

	result(ok, "nothing stays suspended once the holders are gone or stopped"
	       " (leases of stopped processes expire)",
	       "%u of %u queues still suspended %u ms after the last holder went",
	       left, queues, x.max_lease_ms + cfg.overdue_ms);
	printf("#   %u queues of %u stopped processes, none suspended\n", queues,
	       atomic_load(&sh->alive));
	ok = spawner_to(rn, PH_END, 60);
	if (ok && rn->spawner > 0 && waitpid(rn->spawner, &status, 0) == rn->spawner)
		ok = WIFEXITED(status) && !WEXITSTATUS(status);
	result(ok, "every worker killed and reaped within 60 s",
	       "%u workers left (stuck in the kernel?)", atomic_load(&sh->alive));
	rn->spawner = 0;
	check_empty(f);
}

static void stop_subscribers(struct run *rn)
{
	atomic_store(&x.stop_subs, true);
	atomic_store(&x.stop_monitor, true);
	join_thread(rn->s0.thread);
	join_thread(rn->s1.thread);
	join_thread(rn->s2.thread);
	join_thread(rn->churn_t);
	join_thread(rn->mon_t);
	join_thread(rn->probe.thread);
}

static void compare_streams(struct run *rn, struct final *f)
{
	bool ok;

	stream_drain(&rn->s0);
	stream_drain(&rn->s1);
	stream_drain(&rn->s2);
	ok = marker(f, rn->marker_fd);
	result(ok, "marker: a queue of our own created, suspended, resumed, destroyed", "see above");
	stream_drain(&rn->s0);
	stream_drain(&rn->s1);
	stream_drain(&rn->s2);
	if (expect(OP_LIST_GPUS, axs_list_gpus(f->mon_fd, &f->g1, &f->ng), NO_ERRS,
		   "final: list gpus") || !ok)
		return;
	check_streams(f, &rn->s0, &rn->s1, &rn->s2);
	check_lossless(f, &rn->s0);
	check_gpu_totals(f, &rn->s0);
}

static void close_rest(struct run *rn, struct final *f)
{
	int fds[] = { rn->s0.fd, rn->s1.fd, rn->s2.fd, rn->marker_fd, f->mon_fd, rn->probe.fd };
	int bad = 0;

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0 && close(fds[i]))
			bad = errno;
	result(!bad, "every file closes", "close: %s", errname(bad));
}

static int run(void)
{
	struct run rn;
	struct final f;
	struct figures fg;
	char why[256];
	int r;

	memset(&rn, 0, sizeof(rn));
	memset(&f, 0, sizeof(f));
	memset(&fg, 0, sizeof(fg));
	r = setup_shared();
	if (r) {
		result(false, "setup", "mmap: %s", errname(-r));
		return 1;
	}
	r = setup_gpus(why, sizeof(why));
	result(!r, "setup: module with control, simulated GPUs", "%s", why);
	if (r)
		return 1;
	printf("# %s\n", why);
	/* Before any file is open here, so that workers inherit none. */
	rn.spawner = start_spawner();
	r = rn.spawner < 0 ? -errno : open_files(&rn, &f);
	if (!r && cfg.unmap_delay_us)
		r = knob_write(sh->gpu_id[cfg.slow_gpu % sh->ngpus], "unmap_delay_us",
			       cfg.unmap_delay_us);
	result(!r, "setup: files, event subscriptions, slow unmap on one GPU", "%s",
	       errname(-r));
	if (r) {
		atomic_store(&sh->phase, PH_END);
		return 1;
	}
	if (cfg.xschedd_argv) {
		rn.xschedd = xschedd_start();
		x.xschedd = rn.xschedd;
		result(rn.xschedd > 0, "setup: xschedd started, its socket is up",
		       "see %s", cfg.xschedd_log);
	}
	rn.t0 = now_ns();
	start_threads(&rn);
	atomic_store(&sh->phase, PH_RUN);
	run_phase(&rn, &fg);

	/* The end, step by step. */
	result(spawner_to(&rn, PH_FREEZE, 30), "freeze: every worker stopped (SIGSTOP)",
	       "the spawner did not confirm");
	stop_actors(&rn);
	printf("# holding %u queues under %u ms leases for the checks\n",
	       hold_for_checks(&rn, &f), x.max_lease_ms);
	check_frozen(&f);
	renew_held(&rn);
	release_schedulers(&rn, &f);
	release_xschedd(&rn, &f);
	end_workers(&rn, &f);
	stop_subscribers(&rn);
	compare_streams(&rn, &f);
	result(device_answers("final: device"), "the device still answers on a fresh file, same instance",
	       "it does not, or instance/GPU count changed");
	close_rest(&rn, &f);
	report(&fg, &f);
	probe_report(&rn.probe);
	check_scale(&fg);
	for (int c = 0; c < CK_NR; c++)
		if (c != CK_XSCHEDD || cfg.xschedd_argv)
			result_ck(c);
	if (cfg.xschedd_argv)
		todo(atomic_load(&x.xschedd_held), "xschedd held suspensions that the monitor saw",
		     "xschedd falls behind the event stream in the storms on slow kernels "
		     "(README.md)",
		     "it never held one when the monitor looked");
	printf("# %u checks, %u failed\n", nresults, nfailed);
	return nfailed ? 1 : 0;
}

/* ---- options -------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: axs-stress [OPTIONS] [-- XSCHEDD-COMMAND...]\n"
		"  --seconds N         run phase (default %u)\n"
		"  --workers N         simulated processes alive at a time (%u)\n"
		"  --gpus N            simulated GPUs needed (%u)\n"
		"  --schedulers N      scheduler threads (%u)\n"
		"  --queues N          most queues per process (%u; at least a quarter)\n"
		"  --lifetime-ms N     longest process life (%u; shortest a tenth)\n"
		"  --think-ms N        longest pause between a process's calls (%u; shortest an eighth)\n"
		"  --storm-s N         the load alternates: N s of storm (%u),\n"
		"  --calm-s N          then N s of calm: processes only submit, no kills or\n"
		"                      spawns, schedulers only keep their leases (%u; 0 = no calm)\n"
		"  --slow-gpu I        index of the GPU with the slow unmap (%u)\n"
		"  --unmap-delay-us N  its extra unmap time (%u, 0 = none)\n"
		"  --fault-ms N        mean time between injected faults (%u, 0 = none)\n"
		"  --unload-ms N       mean time between rmmod attempts (%u, 0 = none)\n"
		"  --monitor-ms N      list period (%u)\n"
		"  --overdue-ms N      how late a lease may end at most (%u)\n"
		"  --min-processes N   processes the run must create at least (%u)\n"
		"  --min-queues N      queues the run must create at least (%u)\n"
		"  --seed N            (%" PRIu64 ")\n"
		"  --xschedd-log FILE  its stderr (%s)\n"
		"  --xschedd-sock PATH wait for this socket after starting it\n",
		cfg.seconds, cfg.workers, cfg.gpus, cfg.actors, cfg.queues, cfg.life_ms, cfg.think_ms,
		cfg.storm_s, cfg.calm_s,
		cfg.slow_gpu, cfg.unmap_delay_us, cfg.fault_ms, cfg.unload_ms, cfg.monitor_ms,
		cfg.overdue_ms, cfg.min_procs, cfg.min_queues, cfg.seed, cfg.xschedd_log);
}

static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

static int parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "gpus", required_argument, NULL, 'g' },
		{ "schedulers", required_argument, NULL, 'a' },
		{ "queues", required_argument, NULL, 'q' },
		{ "lifetime-ms", required_argument, NULL, 'l' },
		{ "think-ms", required_argument, NULL, 't' },
		{ "storm-s", required_argument, NULL, 'T' },
		{ "calm-s", required_argument, NULL, 'C' },
		{ "slow-gpu", required_argument, NULL, 'G' },
		{ "unmap-delay-us", required_argument, NULL, 'u' },
		{ "fault-ms", required_argument, NULL, 'f' },
		{ "unload-ms", required_argument, NULL, 'U' },
		{ "monitor-ms", required_argument, NULL, 'm' },
		{ "overdue-ms", required_argument, NULL, 'o' },
		{ "min-processes", required_argument, NULL, 'P' },
		{ "min-queues", required_argument, NULL, 'Q' },
		{ "seed", required_argument, NULL, 'S' },
		{ "xschedd-log", required_argument, NULL, 'L' },
		{ "xschedd-sock", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int *uints[128] = {
		['s'] = &cfg.seconds, ['w'] = &cfg.workers, ['g'] = &cfg.gpus,
		['a'] = &cfg.actors, ['q'] = &cfg.queues, ['l'] = &cfg.life_ms, ['t'] = &cfg.think_ms,
		['T'] = &cfg.storm_s, ['C'] = &cfg.calm_s,
		['G'] = &cfg.slow_gpu, ['u'] = &cfg.unmap_delay_us, ['f'] = &cfg.fault_ms,
		['U'] = &cfg.unload_ms, ['m'] = &cfg.monitor_ms, ['o'] = &cfg.overdue_ms,
		['P'] = &cfg.min_procs, ['Q'] = &cfg.min_queues,
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		} else if (c == 'L') {
			cfg.xschedd_log = optarg;
		} else if (c == 'k') {
			cfg.xschedd_sock = optarg;
		} else if (c == 'S' && !number(optarg, ULONG_MAX, &v)) {
			cfg.seed = v;
		} else if (c > 0 && c < 128 && uints[c] && !number(optarg, 1000000000, &v)) {
			*uints[c] = (unsigned int)v;
		} else {
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		cfg.xschedd_argv = &argv[optind];
	if (!cfg.workers || !cfg.actors || !cfg.queues || cfg.queues > WQ_MAX ||
	    cfg.life_ms < 10 || cfg.think_ms < 8 || !cfg.seconds || !cfg.monitor_ms || !cfg.gpus ||
	    !cfg.storm_s) {
		fprintf(stderr, "axs-stress: workers, schedulers, gpus, seconds, monitor-ms and"
			" storm-s must be > 0, queues 1..%d, lifetime-ms >= 10, think-ms >= 8\n",
			WQ_MAX);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (parse(argc, argv))
		return 2;
	if (setvbuf(stdout, NULL, _IOLBF, 0)) {
		perror("axs-stress: setvbuf");
		return 1;
	}
	/* A write to a closed pipe is an error to report, not a death. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("axs-stress: signal");
		return 1;
	}
	return run();
}
