// SPDX-License-Identifier: MIT
/*
 * Invariants, checked through the ABI only.
 *
 * During the run (another file, other processes acting): each queue's own
 * record is taken under the module's lock, so within one queue
 *   suspends == resumes + (suspended ? 1 : 0)
 * (a suspension counts when the backend did it; only a resume that the
 * backend did ends it; a queue destroyed while suspended is no longer
 * listed), lease_expiries <= suspends, a suspended queue has a level, a
 * lease id and a deadline that is not long past (a lease ends at its
 * deadline or is retried every 100 ms), a running one has none of them,
 * DRAINING only under a level-2 suspension, and on simulated GPUs BUSY
 * exactly when a submitted dispatch has not completed. A queue's own hints
 * (SET_QUEUE_ATTR) are within the bounds that call accepts, each zero
 * unless attr_flags lists it, and app_priority is 0..15. Per GPU: resumes
 * and lease expiries never exceed suspends, hangs never exceed remaps,
 * no counter decreases, and each counter is at least the sum over the
 * queues listed just before (GPU counters include queues now gone).
 *
 * After the run (all files closed, children reaped): nothing is left (no
 * queue on a simulated GPU, no process the module knows only through the
 * closed files), the device answers, and a fresh queue suspends, resumes
 * and expires, and takes and drops hints of its own, with exactly the
 * counters, listings and events that says.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define LEASE_SLACK_NS	10000000000ULL	/* a late lease worker on a loaded QEMU guest */
#define DEADLINE_MAX_NS	3600000000000ULL	/* SET_QUEUE_ATTR's bound, as SET_PROC_ATTR's */
#define KNOB_DIR	"/sys/kernel/debug/amdxsched/sim"

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

int snap_gpus(int fd, struct gpu_snap *s)
{
	struct amdxsched_gpu_info *g;
	uint32_t n, i;
	int err = axs_list_gpus(fd, &g, &n);

	if (err)
		return err;
	s->n = 0;
	for (i = 0; i < n && i < 64; i++)
		s->g[s->n++] = g[i];
	free(g);
	return 0;
}

static const struct amdxsched_gpu_info *gpu_find(const struct gpu_snap *s, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (s->g[i].gpu_id == id)
			return &s->g[i];
	return NULL;
}

static bool is_sim(const struct gpu_snap *s, uint32_t id)
{
	const struct amdxsched_gpu_info *g = gpu_find(s, id);

	return g && g->backend == AMDXSCHED_BACKEND_SIM;
}

/* Its own hints: what SET_QUEUE_ATTR accepts, fields without their flag zero. */
static int check_queue_attr(const struct amdxsched_queue_info *q, char *why, size_t len)
{
	uint32_t fl = q->attr_flags;
	unsigned long long h = q->handle;

	if (fl & ~QUEUE_ATTR_FIELDS)
		return fail(why, len, "queue %llu: attr_flags 0x%x", h, fl);
	if ((fl & AMDXSCHED_ATTR_CLASS) ? q->sched_class < AMDXSCHED_CLASS_REALTIME ||
					  q->sched_class > AMDXSCHED_CLASS_MAX
					: q->sched_class)
		return fail(why, len, "queue %llu: class %u with attr_flags 0x%x", h,
			    q->sched_class, fl);
	if ((fl & AMDXSCHED_ATTR_PRIORITY) ? q->attr_priority > AMDXSCHED_PRIORITY_MAX
					   : q->attr_priority)
		return fail(why, len, "queue %llu: attr_priority %u with attr_flags 0x%x", h,
			    q->attr_priority, fl);
	if ((fl & AMDXSCHED_ATTR_SHARE) ? q->share < 1 || q->share > 1000 : q->share)
		return fail(why, len, "queue %llu: share %u with attr_flags 0x%x", h, q->share,
			    fl);
	if ((fl & AMDXSCHED_ATTR_DEADLINE) ? q->deadline_ns > DEADLINE_MAX_NS : q->deadline_ns)
		return fail(why, len, "queue %llu: deadline %llu ns with attr_flags 0x%x", h,
			    (unsigned long long)q->deadline_ns, fl);
	if (q->app_priority > AMDXSCHED_PRIORITY_MAX || q->pad2)
		return fail(why, len, "queue %llu: app_priority %u, pad2 %u", h,
			    q->app_priority, q->pad2);
	return 0;
}

static int check_queue(const struct amdxsched_queue_info *q, bool sim, uint64_t now,
		       char *why, size_t len)
{
	const struct amdxsched_queue_counters *c = &q->counters;
	bool susp = q->state & AMDXSCHED_QUEUE_S_SUSPENDED;
	unsigned long long h = q->handle;

	if (c->suspends != c->resumes + susp)
		return fail(why, len, "queue %llu: %llu suspends, %llu resumes, but %s", h,
			    (unsigned long long)c->suspends, (unsigned long long)c->resumes,
			    susp ? "suspended" : "running");
	if (c->lease_expiries > c->suspends)
		return fail(why, len, "queue %llu: %llu lease expiries > %llu suspends", h,
			    (unsigned long long)c->lease_expiries,
			    (unsigned long long)c->suspends);
	if (q->state & AMDXSCHED_QUEUE_S_MINE)
		return fail(why, len, "queue %llu: MINE for a file that holds nothing", h);
	if (susp) {
		if (q->level != AMDXSCHED_LEVEL_DEACTIVATE && q->level != AMDXSCHED_LEVEL_INTERRUPT)
			return fail(why, len, "queue %llu: suspended at level %u", h, q->level);
		if (!q->lease_id || !q->lease_deadline_ns)
			return fail(why, len, "queue %llu: suspended without a lease", h);
		if (q->lease_deadline_ns + LEASE_SLACK_NS < now)
			return fail(why, len, "queue %llu: suspended under lease %llu, %llu ms past "
				    "its deadline", h, (unsigned long long)q->lease_id,
				    (unsigned long long)((now - q->lease_deadline_ns) / 1000000));
	} else if (q->level || q->lease_id || q->lease_deadline_ns || q->holder_pid) {
		return fail(why, len, "queue %llu: running, but level %u lease %llu holder %u", h,
			    q->level, (unsigned long long)q->lease_id, q->holder_pid);
	}
	if ((q->state & AMDXSCHED_QUEUE_S_DRAINING) &&
	    !(susp && q->level == AMDXSCHED_LEVEL_DEACTIVATE))
		return fail(why, len, "queue %llu: DRAINING, not under a level-2 suspension", h);
	if (c->dispatches_completed > c->dispatches_submitted)
		return fail(why, len, "queue %llu: %llu dispatches completed of %llu", h,
			    (unsigned long long)c->dispatches_completed,
			    (unsigned long long)c->dispatches_submitted);
	if (sim && !!(q->state & AMDXSCHED_QUEUE_S_BUSY) !=
		   (c->dispatches_completed < c->dispatches_submitted))
		return fail(why, len, "queue %llu: BUSY is %d with %llu of %llu dispatches done", h,
			    !!(q->state & AMDXSCHED_QUEUE_S_BUSY),
			    (unsigned long long)c->dispatches_completed,
			    (unsigned long long)c->dispatches_submitted);
	return check_queue_attr(q, why, len);
}

static int check_gpu(const struct amdxsched_gpu_info *g, char *why, size_t len)
{
	const struct amdxsched_gpu_counters *c = &g->counters;

	if (c->resumes > c->suspends || c->lease_expiries > c->suspends)
		return fail(why, len, "GPU %u: %llu resumes, %llu expiries, %llu suspends",
			    g->gpu_id, (unsigned long long)c->resumes,
			    (unsigned long long)c->lease_expiries, (unsigned long long)c->suspends);
	if (c->hangs > c->remaps)
		return fail(why, len, "GPU %u: %llu hangs > %llu remaps", g->gpu_id,
			    (unsigned long long)c->hangs, (unsigned long long)c->remaps);
	return 0;
}

#define NOT_LESS(field) \
	if (b->counters.field < a->counters.field) \
		return fail(why, len, "GPU %u: " #field " went from %llu to %llu", b->gpu_id, \
			    (unsigned long long)a->counters.field, \
			    (unsigned long long)b->counters.field)

/* Counters of @b, taken after @a, are no smaller. */
static int check_monotonic(const struct gpu_snap *sa, const struct gpu_snap *sb, char *why,
			   size_t len)
{
	uint32_t i;

	for (i = 0; i < sa->n; i++) {
		const struct amdxsched_gpu_info *a = &sa->g[i];
		const struct amdxsched_gpu_info *b = gpu_find(sb, a->gpu_id);

		if (!b)
			return fail(why, len, "GPU %u disappeared", a->gpu_id);
		NOT_LESS(suspends);
		NOT_LESS(resumes);
		NOT_LESS(suspended_ns);
		NOT_LESS(lease_expiries);
		NOT_LESS(remaps);
		NOT_LESS(remap_ns);
		NOT_LESS(saved_bytes);
		NOT_LESS(hangs);
	}
	return 0;
}

/* GPU counters (taken after the queues) cover the sum over its queues. */
static int check_sums(const struct amdxsched_queue_info *q, uint32_t n,
		      const struct gpu_snap *after, char *why, size_t len)
{
	uint32_t i, j;

	for (i = 0; i < after->n; i++) {
		const struct amdxsched_gpu_info *g = &after->g[i];
		uint64_t s = 0, r = 0, e = 0, ns = 0;

		for (j = 0; j < n; j++) {
			if (q[j].gpu_id != g->gpu_id)
				continue;
			s += q[j].counters.suspends;
			r += q[j].counters.resumes;
			e += q[j].counters.lease_expiries;
			if (!(q[j].state & AMDXSCHED_QUEUE_S_SUSPENDED))
				ns += q[j].counters.suspended_ns;
		}
		if (s > g->counters.suspends || r > g->counters.resumes ||
		    e > g->counters.lease_expiries || ns > g->counters.suspended_ns)
			return fail(why, len, "GPU %u: its queues' counters sum to more than its own "
				    "(suspends %llu/%llu resumes %llu/%llu expiries %llu/%llu)",
				    g->gpu_id, (unsigned long long)s,
				    (unsigned long long)g->counters.suspends, (unsigned long long)r,
				    (unsigned long long)g->counters.resumes, (unsigned long long)e,
				    (unsigned long long)g->counters.lease_expiries);
	}
	return 0;
}

int check_snapshot(int fd, struct gpu_snap *prev, char *why, size_t len)
{
	static struct gpu_snap before, after;
	struct amdxsched_queue_info *q;
	uint32_t n, i;
	uint64_t now;
	int err;

	err = snap_gpus(fd, &before);
	if (err)
		return fail(why, len, "LIST_GPUS: %s", strerror(-err));
	err = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &q, &n);
	if (err)
		return fail(why, len, "LIST_QUEUES: %s", strerror(-err));
	now = axs_now_ns();
	err = snap_gpus(fd, &after);
	if (err)
		err = fail(why, len, "LIST_GPUS: %s", strerror(-err));
	for (i = 0; !err && i < n; i++)
		err = check_queue(&q[i], is_sim(&before, q[i].gpu_id), now, why, len);
	for (i = 0; !err && i < after.n; i++)
		err = check_gpu(&after.g[i], why, len);
	if (!err)
		err = check_monotonic(prev, &before, why, len);
	if (!err)
		err = check_monotonic(&before, &after, why, len);
	if (!err)
		err = check_sums(q, n, &after, why, len);
	free(q);
	if (!err)
		*prev = after;
	return err;
}

/* ------------------------------------------------------------------------ */

static int knob_set(uint32_t gpu, const char *knob, unsigned long long v)
{
	char path[128], val[32];
	int fd, n, err = 0;

	snprintf(path, sizeof(path), KNOB_DIR "/gpu%u/%s", gpu, knob);
	n = snprintf(val, sizeof(val), "%llu\n", v);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, (size_t)n) != n)
		err = -EIO;
	close(fd);
	return err;
}

static void keep_first(int *err, int e)
{
	if (!*err)
		*err = e;
}

/* Fault knobs back to their defaults; original GPUs get their timeout back. */
int check_knobs_reset(const struct gpu_snap *orig)
{
	static const char *const zero[] = {
		"fail_suspend", "fail_suspend_late", "fail_resume", "fail_priority", "fail_cu_mask",
		"fail_queue_create", "unmap_delay_us",
	};
	struct gpu_snap now;
	uint32_t i, k;
	int fd = axs_open(O_RDONLY), err;

	if (fd < 0)
		return fd;
	err = snap_gpus(fd, &now);
	close(fd);
	if (err)
		return err;
	for (i = 0; i < now.n; i++) {
		const struct amdxsched_gpu_info *o = gpu_find(orig, now.g[i].gpu_id);

		if (now.g[i].backend != AMDXSCHED_BACKEND_SIM)
			continue;
		for (k = 0; k < sizeof(zero) / sizeof(zero[0]); k++)
			keep_first(&err, knob_set(now.g[i].gpu_id, zero[k], 0));
		keep_first(&err, knob_set(now.g[i].gpu_id, "fail_errno", EIO));
		if (o)
			keep_first(&err, knob_set(o->gpu_id, "preempt_timeout_ms",
						  o->preempt_timeout_ms));
	}
	return err;
}

/* ------------------------------------------------------------------------ */
/* After the run */

static bool check_answers(int fd)
{
	struct amdxsched_backend_info bi;
	struct amdxsched_version v;
	int err = axs_version(fd, &v);

	if (err) {
		diag("VERSION: %s", strerror(-err));
		return false;
	}
	if (v.abi_major != AMDXSCHED_ABI_MAJOR || v.abi_minor < 1 || !v.control ||
	    v.max_lease_ms != sh->max_lease_ms || v.max_batch != AMDXSCHED_MAX_BATCH) {
		diag("VERSION: ABI %u.%u control %u max_lease_ms %u max_batch %u", v.abi_major,
		     v.abi_minor, v.control, v.max_lease_ms, v.max_batch);
		return false;
	}
	/* ABI 1.5 has SET_QUEUE_ATTR and says so */
	if (v.abi_minor >= 5 && !(v.caps & AMDXSCHED_CAP_QUEUE_ATTR)) {
		diag("VERSION: ABI %u.%u without AMDXSCHED_CAP_QUEUE_ATTR (caps 0x%llx)",
		     v.abi_major, v.abi_minor, (unsigned long long)v.caps);
		return false;
	}
	/* without simulated GPUs (sim_gpus=0) the sim backend is off, said so */
	err = axs_backend_info(fd, AMDXSCHED_BACKEND_SIM, &bi);
	if (err || bi.status != ((v.caps & AMDXSCHED_CAP_SIM) ? AMDXSCHED_BACKEND_RUNNING :
				 AMDXSCHED_BACKEND_ABSENT)) {
		diag("BACKEND_INFO(sim): %s, status %u", strerror(-err), bi.status);
		return false;
	}
	return true;
}

static bool check_nothing_left(int fd, const struct gpu_snap *gs)
{
	struct amdxsched_queue_info *q;
	struct amdxsched_proc_info *p;
	uint32_t nq, np, i, left = 0;
	bool ok = true;

	if (axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &q, &nq) ||
	    axs_list_procs(fd, 0, &p, &np)) {
		diag("listing after the run failed");
		return false;
	}
	for (i = 0; i < nq; i++) {
		if (!is_sim(gs, q[i].gpu_id))
			continue;
		diag("left behind: queue %llu of pid %u on GPU %u, state 0x%x",
		     (unsigned long long)q[i].handle, q[i].pid, q[i].gpu_id, q[i].state);
		left++;
	}
	for (i = 0; i < np; i++) {
		if (p[i].flags & AMDXSCHED_PROC_F_KFD)
			continue;
		diag("left behind: process %u (%.16s), flags 0x%x, %u queues", p[i].pid,
		     p[i].comm, p[i].flags, p[i].num_queues);
		left++;
	}
	for (i = 0; i < gs->n; i++) {
		if (gs->g[i].backend == AMDXSCHED_BACKEND_SIM && gs->g[i].num_queues) {
			diag("left behind: GPU %u counts %u queues", gs->g[i].gpu_id,
			     gs->g[i].num_queues);
			left++;
		}
	}
	if (left)
		ok = false;
	free(q);
	free(p);
	return ok;
}

static bool check_gpus_after(const struct gpu_snap *start, const struct gpu_snap *end)
{
	char why[256];
	uint32_t i;

	for (i = 0; i < end->n; i++) {
		if (check_gpu(&end->g[i], why, sizeof(why))) {
			diag("%s", why);
			return false;
		}
	}
	if (check_monotonic(start, end, why, sizeof(why))) {
		diag("%s", why);
		return false;
	}
	return true;
}

/* The one queue @h as listed now. */
static int queue_get(int fd, uint64_t h, struct amdxsched_queue_info *out)
{
	struct amdxsched_queue_info *q;
	uint32_t n, i;
	int err = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &q, &n);

	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < n; i++) {
		if (q[i].handle == h) {
			*out = q[i];
			err = 0;
		}
	}
	free(q);
	return err;
}

#define PROBE(cond, ...) do { \
	if (!(cond)) { \
		diag(__VA_ARGS__); \
		return false; \
	} \
} while (0)

struct probe {
	bool full;		/* also a long lease, resumed by hand (max_lease_ms >= 1 s) */
	bool attr;		/* also its own hints (AMDXSCHED_CAP_QUEUE_ATTR) */
	int fd;
	uint32_t gpu;
	uint32_t pid;
	uint64_t h;
	uint64_t lease[2];
};

/* A GPU of the module's own (loaded with it), else one added now. */
static int probe_gpu(int fd, const struct gpu_snap *start, uint32_t *id)
{
	struct amdxsched_sim_gpu_config cfg;
	uint32_t i;

	for (i = 0; i < start->n; i++) {
		if (start->g[i].backend == AMDXSCHED_BACKEND_SIM) {
			*id = start->g[i].gpu_id;
			return 0;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_xcc = 1;
	cfg.num_se_per_xcc = 1;
	cfg.num_sh_per_se = 1;
	cfg.preempt_timeout_ms = 1000;
	if (axs_sim_add_gpu(fd, &cfg))
		return -ENODEV;
	*id = cfg.gpu_id;
	return 0;
}

/* Suspended under a long lease, listed as such, resumed by hand. */
static bool probe_by_hand(struct probe *pr)
{
	struct amdxsched_queue_info qi;
	uint32_t ms = sh->max_lease_ms < 10000 ? sh->max_lease_ms : 10000;
	int32_t st;
	int err;

	err = axs_suspend(pr->fd, &pr->h, 1, AMDXSCHED_LEVEL_INTERRUPT, ms, &st, &pr->lease[0]);
	PROBE(!err && st == 0, "SUSPEND: %s, status %d", strerror(-err), st);
	err = queue_get(pr->fd, pr->h, &qi);
	PROBE(!err && (qi.state & AMDXSCHED_QUEUE_S_SUSPENDED) &&
	      (qi.state & AMDXSCHED_QUEUE_S_MINE) && qi.lease_id == pr->lease[0] &&
	      qi.level == 3 && qi.counters.suspends == 1 && qi.counters.resumes == 0,
	      "suspended queue listed as state 0x%x lease %llu level %u counters %llu/%llu",
	      qi.state, (unsigned long long)qi.lease_id, qi.level,
	      (unsigned long long)qi.counters.suspends, (unsigned long long)qi.counters.resumes);
	err = axs_resume(pr->fd, &pr->h, 1, 0, &st);
	PROBE(!err && st == 0, "RESUME: %s, status %d", strerror(-err), st);
	err = queue_get(pr->fd, pr->h, &qi);
	PROBE(!err && !qi.state && qi.counters.resumes == 1,
	      "resumed queue listed as state 0x%x, %llu resumes", qi.state,
	      (unsigned long long)qi.counters.resumes);
	return true;
}

/* A short Lv2 lease, left to expire. */
static bool probe_expiry(struct probe *pr)
{
	struct amdxsched_queue_info qi;
	uint64_t n = pr->full ? 2 : 1;
	int32_t st;
	int err;

	err = axs_suspend(pr->fd, &pr->h, 1, AMDXSCHED_LEVEL_DEACTIVATE,
			  sh->max_lease_ms < 50 ? sh->max_lease_ms : 50, &st, &pr->lease[1]);
	PROBE(!err && st == 0, "SUSPEND (50 ms): %s, status %d", strerror(-err), st);
	for (int i = 0; i < 400; i++) {
		err = queue_get(pr->fd, pr->h, &qi);
		if (err || !(qi.state & AMDXSCHED_QUEUE_S_SUSPENDED))
			break;
		sleep_ms(50);
	}
	PROBE(!err && !(qi.state & AMDXSCHED_QUEUE_S_SUSPENDED) &&
	      qi.counters.suspends == n && qi.counters.resumes == n &&
	      qi.counters.lease_expiries == 1,
	      "after its 50 ms lease: state 0x%x, counters %llu/%llu, %llu expiries", qi.state,
	      (unsigned long long)qi.counters.suspends, (unsigned long long)qi.counters.resumes,
	      (unsigned long long)qi.counters.lease_expiries);
	return true;
}

static int queue_attr_set(int fd, uint64_t h, uint32_t flags, uint32_t cls, uint32_t prio,
			  uint32_t share, uint64_t deadline_ns)
{
	struct amdxsched_queue_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.handle = h;
	a.sched_class = cls;
	a.priority = prio;
	a.share = share;
	a.deadline_ns = deadline_ns;
	return ioctl(fd, AMDXSCHED_IOC_SET_QUEUE_ATTR, &a) ? -errno : 0;
}

#define PROBE_PRIORITY	7	/* the probe's queue's, at its creation */

/*
 * Its own hints: set, added to, listed, cleared; calls that are refused
 * change nothing and say nothing (probe_events sees one event per change).
 */
static bool probe_attr(struct probe *pr)
{
	const uint32_t cs = AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_SHARE, all = QUEUE_ATTR_FIELDS;
	struct amdxsched_queue_info qi;
	int err;

	err = queue_get(pr->fd, pr->h, &qi);
	PROBE(!err && !qi.attr_flags && qi.app_priority == PROBE_PRIORITY,
	      "new queue listed with attr_flags 0x%x, app_priority %u", qi.attr_flags,
	      qi.app_priority);
	err = queue_attr_set(pr->fd, pr->h, cs, AMDXSCHED_CLASS_BEST_EFFORT, 0, 250, 0);
	PROBE(!err, "SET_QUEUE_ATTR (class, share): %s", strerror(-err));
	err = queue_attr_set(pr->fd, pr->h, AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_DEADLINE,
			     0, 12, 0, 5000000);
	PROBE(!err, "SET_QUEUE_ATTR (priority, deadline): %s", strerror(-err));
	err = queue_attr_set(pr->fd, pr->h, AMDXSCHED_QUEUE_ATTR_CLEAR | AMDXSCHED_ATTR_CLASS,
			     AMDXSCHED_CLASS_REALTIME, 0, 0, 0);
	PROBE(err == -EINVAL, "SET_QUEUE_ATTR (CLEAR with CLASS): %s, not EINVAL",
	      strerror(-err));
	err = queue_attr_set(pr->fd, pr->h, AMDXSCHED_ATTR_CLASS, AMDXSCHED_CLASS_UNSET, 0, 0, 0);
	PROBE(err == -EINVAL, "SET_QUEUE_ATTR (class 0): %s, not EINVAL", strerror(-err));
	err = queue_attr_set(pr->fd, pr->h, AMDXSCHED_ATTR_SHARE, 0, 3, 100, 0);
	PROBE(err == -EINVAL, "SET_QUEUE_ATTR (a priority without its flag): %s, not EINVAL",
	      strerror(-err));
	err = queue_attr_set(pr->fd, 0, AMDXSCHED_ATTR_SHARE, 0, 0, 100, 0);
	PROBE(err == -ENOENT, "SET_QUEUE_ATTR (handle 0): %s, not ENOENT", strerror(-err));
	err = queue_get(pr->fd, pr->h, &qi);
	PROBE(!err && qi.attr_flags == all &&
	      qi.sched_class == AMDXSCHED_CLASS_BEST_EFFORT && qi.attr_priority == 12 &&
	      qi.share == 250 && qi.deadline_ns == 5000000 &&
	      qi.app_priority == PROBE_PRIORITY,
	      "queue listed with attr_flags 0x%x class %u priority %u share %u deadline %llu "
	      "app_priority %u, not 0x%x 3 12 250 5000000 %u", qi.attr_flags,
	      qi.sched_class, qi.attr_priority, qi.share, (unsigned long long)qi.deadline_ns,
	      qi.app_priority, all, PROBE_PRIORITY);
	err = queue_attr_set(pr->fd, pr->h, AMDXSCHED_QUEUE_ATTR_CLEAR, 0, 0, 0, 0);
	PROBE(!err, "SET_QUEUE_ATTR (CLEAR): %s", strerror(-err));
	err = queue_get(pr->fd, pr->h, &qi);
	PROBE(!err && !qi.attr_flags && !qi.sched_class && !qi.attr_priority && !qi.share &&
	      !qi.deadline_ns && qi.app_priority == PROBE_PRIORITY,
	      "cleared queue listed with attr_flags 0x%x class %u priority %u share %u "
	      "deadline %llu app_priority %u", qi.attr_flags, qi.sched_class,
	      qi.attr_priority, qi.share, (unsigned long long)qi.deadline_ns,
	      qi.app_priority);
	return true;
}

static bool probe_queue(struct probe *pr, const struct gpu_snap *start)
{
	struct amdxsched_sim_wait w;
	uint64_t id;
	int err;

	PROBE(!probe_gpu(pr->fd, start, &pr->gpu), "no simulated GPU to probe with");
	err = axs_sim_proc(pr->fd, AMDXSCHED_SIM_PROC_CREATE, &pr->pid);
	PROBE(!err, "SIM_PROC: %s", strerror(-err));
	err = axs_sim_queue_create(pr->fd, pr->gpu, PROBE_PRIORITY, &pr->h, NULL);
	PROBE(!err, "SIM_QUEUE_CREATE: %s", strerror(-err));
	err = axs_sim_submit(pr->fd, pr->h, 1, 1000000, 0, &id);
	PROBE(!err, "SIM_SUBMIT: %s", strerror(-err));
	err = axs_sim_wait(pr->fd, pr->h, id, 20000000000ULL, &w);
	PROBE(!err, "SIM_WAIT: %s", strerror(-err));

	pr->full = sh->max_lease_ms >= 1000;
	if (pr->full && !probe_by_hand(pr))
		return false;
	if (!probe_expiry(pr))
		return false;
	return !pr->attr || probe_attr(pr);
}

static bool probe_gpu_delta(int fd, const struct probe *pr, const struct gpu_snap *before)
{
	const struct amdxsched_gpu_info *a = gpu_find(before, pr->gpu), *b;
	static struct gpu_snap after;
	uint64_t n = pr->full ? 2 : 1;

	if (snap_gpus(fd, &after))
		return false;
	b = gpu_find(&after, pr->gpu);
	if (!a)
		return true;	/* added by the probe: nothing to compare with */
	PROBE(b && b->counters.suspends == a->counters.suspends + n &&
	      b->counters.resumes == a->counters.resumes + n &&
	      b->counters.lease_expiries == a->counters.lease_expiries + 1,
	      "GPU %u counters moved by suspends %+lld resumes %+lld expiries %+lld, "
	      "not %llu/%llu/1", pr->gpu, (unsigned long long)n, (unsigned long long)n, b ? (long long)(b->counters.suspends - a->counters.suspends) : 0,
	      b ? (long long)(b->counters.resumes - a->counters.resumes) : 0,
	      b ? (long long)(b->counters.lease_expiries - a->counters.lease_expiries) : 0);
	return true;
}

/* Events of a part of the probe that may not run. */
#define ONLY_FULL	1	/* the long lease resumed by hand */
#define ONLY_ATTR	2	/* the queue's own hints */

struct expect {
	uint16_t type;
	bool queue;	/* a queue event (else the process's) */
	uint64_t d0, d1;
	bool check_d;
	uint8_t only;	/* ONLY_*, 0: always */
};

static bool expected(const struct expect *w, const struct probe *pr)
{
	return !((w->only & ONLY_FULL) && !pr->full) && !((w->only & ONLY_ATTR) && !pr->attr);
}

/* The subscriber saw exactly this, in this order, with no gap in seq. */
static bool probe_events(int ev, const struct probe *pr)
{
	const struct expect want[] = {
		{ AMDXSCHED_EVENT_PROC_CREATED, false, 0, 0, false, 0 },
		{ AMDXSCHED_EVENT_QUEUE_CREATED, true, 0, 0, false, 0 },
		{ AMDXSCHED_EVENT_QUEUE_BUSY, true, 0, 0, false, 0 },
		{ AMDXSCHED_EVENT_QUEUE_IDLE, true, 0, 0, false, 0 },
		{ AMDXSCHED_EVENT_QUEUE_SUSPENDED, true, 3, pr->lease[0], true, ONLY_FULL },
		{ AMDXSCHED_EVENT_QUEUE_RESUMED, true, AMDXSCHED_RESUMED_IOCTL, pr->lease[0], true,
		  ONLY_FULL },
		{ AMDXSCHED_EVENT_QUEUE_SUSPENDED, true, 2, pr->lease[1], true, 0 },
		{ AMDXSCHED_EVENT_QUEUE_DRAINED, true, 0, 0, false, 0 },
		{ AMDXSCHED_EVENT_LEASE_EXPIRED, true, pr->lease[1], 0, true, 0 },
		{ AMDXSCHED_EVENT_QUEUE_RESUMED, true, AMDXSCHED_RESUMED_LEASE, pr->lease[1], true,
		  0 },
		/* data: the queue's attr_flags and class after each change */
		{ AMDXSCHED_EVENT_QUEUE_ATTR, true, AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_SHARE,
		  AMDXSCHED_CLASS_BEST_EFFORT, true, ONLY_ATTR },
		{ AMDXSCHED_EVENT_QUEUE_ATTR, true, QUEUE_ATTR_FIELDS, AMDXSCHED_CLASS_BEST_EFFORT,
		  true, ONLY_ATTR },
		{ AMDXSCHED_EVENT_QUEUE_ATTR, true, 0, 0, true, ONLY_ATTR },
		{ AMDXSCHED_EVENT_QUEUE_DESTROYED, true, 0, 0, false, 0 },
		{ AMDXSCHED_EVENT_PROC_EXIT, false, 0, 0, false, 0 },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct amdxsched_event e[64];
	struct pollfd pfd = { .fd = ev, .events = POLLIN };
	uint64_t seq = 0;
	size_t got = 0;
	ssize_t n, i;

	PROBE(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN),
	      "poll() of the subscriber: revents 0x%x", pfd.revents);
	while ((n = axs_events_read(ev, e, 64)) > 0) {
		for (i = 0; i < n; i++) {
			const struct amdxsched_event *x = &e[i];
			bool mine = x->handle ? x->handle == pr->h :
					       x->pid == pr->pid && x->gpu_id == AMDXSCHED_GPU_ANY;

			PROBE(x->seq == seq + 1, "event seq %llu after %llu: events dropped",
			      (unsigned long long)x->seq, (unsigned long long)seq);
			seq = x->seq;
			if (!mine)
				continue;
			while (got < nwant && !expected(&want[got], pr))
				got++;
			PROBE(got < nwant, "unexpected event type %u after the last one", x->type);
			PROBE(x->type == want[got].type && (x->handle != 0) == want[got].queue,
			      "event %zu: type %u, expected %u", got, x->type, want[got].type);
			PROBE(!want[got].check_d || (x->data[0] == want[got].d0 &&
						     x->data[1] == want[got].d1),
			      "event %zu (type %u): data %llu %llu, expected %llu %llu", got,
			      x->type, (unsigned long long)x->data[0],
			      (unsigned long long)x->data[1], (unsigned long long)want[got].d0,
			      (unsigned long long)want[got].d1);
			got++;
		}
	}
	PROBE(n == 0, "read() of events: %s", strerror((int)-n));
	while (got < nwant && !expected(&want[got], pr))
		got++;
	PROBE(got == nwant, "saw %zu of the %zu events expected", got, nwant);
	return true;
}

void check_final(const struct gpu_snap *start)
{
	static struct gpu_snap end, before;
	struct probe pr = { .fd = -1 };
	bool ok_q = false, ok_e = false;
	struct amdxsched_version v;
	uint64_t mask;
	int fd, ev;

	fd = axs_open(O_RDWR);
	if (fd < 0) {
		diag("open after the run: %s", strerror(-fd));
		tap_ok(false, "invariant: the device opens after the run");
		return;
	}
	tap_ok(check_answers(fd), "invariant: VERSION and BACKEND_INFO answer after the run");
	if (snap_gpus(fd, &end))
		end.n = 0;
	tap_ok(check_nothing_left(fd, &end),
	       "invariant: no queue or process left once every file is closed");
	tap_ok(check_gpus_after(start, &end),
	       "invariant: GPU counters consistent and never decreasing (%u GPUs)", end.n);

	/* The probes make a simulated queue: loaded with sim_gpus=0 there is none. */
	if (!axs_version(fd, &v) && !(v.caps & AMDXSCHED_CAP_SIM)) {
		static const char why[] = "no simulated GPU (loaded with sim_gpus=0: SIM_* refused)";

		tap_skip("invariant: a new queue suspends, resumes and expires with exact counters",
			 why);
		tap_skip("invariant: a new subscriber sees that queue's events, in order, none lost",
			 why);
		close(fd);
		return;
	}

	/* a module before ABI 1.5 refuses the QUEUE_ATTR event as it does the call */
	pr.attr = v.caps & AMDXSCHED_CAP_QUEUE_ATTR;
	mask = AMDXSCHED_EVENT_MASK_ALL;
	if (!pr.attr)
		mask &= ~AMDXSCHED_EVENT_MASK(AMDXSCHED_EVENT_QUEUE_ATTR);
	ev = axs_open(O_RDONLY | O_NONBLOCK);
	pr.fd = axs_open(O_RDWR);
	if (ev >= 0 && pr.fd >= 0 && !axs_events_config(ev, mask, 1024) &&
	    !snap_gpus(fd, &before)) {
		ok_q = probe_queue(&pr, start);
		if (ok_q)
			ok_q = probe_gpu_delta(fd, &pr, &before);
		close(pr.fd);
		pr.fd = -1;
		ok_e = ok_q && probe_events(ev, &pr);
	} else {
		diag("probe: open or EVENTS_CONFIG failed");
	}
	tap_ok(ok_q, "invariant: a new queue suspends, resumes and expires with exact counters");
	tap_ok(ok_e, "invariant: a new subscriber sees that queue's events, in order, none lost");
	if (pr.fd >= 0)
		close(pr.fd);
	if (ev >= 0)
		close(ev);
	close(fd);
}
