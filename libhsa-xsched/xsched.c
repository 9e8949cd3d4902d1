// SPDX-License-Identifier: MIT
/*
 * libhsa-xsched.so.1: the process's side of amdxsched. Loaded by
 * LD_PRELOAD (xsched-run) or linked by a program, it sends the XSCHED_*
 * hints (or the API's) to the module with AMDXSCHED_IOC_SET_PROC_ATTR and
 * keeps that file open for the life of the process, since the module drops
 * a process's own hints when the file that set them closes.
 *
 * Rules: nothing here may hurt the app. No abort, no exit, no signal
 * handler, no blocking beyond one ioctl; a missing or older module means
 * "unscheduled", said once with XSCHED_DEBUG=1. Bad environment values are
 * reported once on stderr and ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axs.h"
#include "xsched.h"
#include "xsched_env.h"
#include "xsched_internal.h"

#define API	__attribute__((visibility("default")))

/*
 * A queue the override saw created, the module's handle for it (0:
 * unknown), and the class it was given of its own (0: none, its process's).
 */
struct xs_queue {
	struct xs_queue_desc d;
	uint64_t handle;
	uint32_t own_class;
};

/* The module's handles of this process's queues, before a creation. */
struct xs_snapshot {
	uint32_t n;
	uint64_t handle[];
};

static struct {
	/*
	 * Guards every field below. Recursive, because the real hsakmt might
	 * call a hooked function of its own from inside one (they resolve to
	 * the override first), and queue creation holds it across the real call.
	 */
	pthread_mutex_t lock;
	struct xs_env env;
	int fd;			/* /dev/amdxsched, or -1 */
	int open_err;		/* -errno of the last open that failed, 0 if none */
	bool off;		/* XSCHED_DISABLE, or a module of another ABI major */
	uint64_t caps;		/* the module's AMDXSCHED_CAP_*, once fd is open */
	bool qattr_said;	/* "no queue classes" said (XSCHED_DEBUG) */
	bool qattr_failed;	/* a refused queue class said on stderr */
	struct amdxsched_proc_attr want;	/* hints to send; want.flags = 0: none */
	bool sent;		/* want was accepted on fd */
	struct xs_queue *q;
	size_t nq, capq;
	uint64_t *susp;		/* handles xsched_suspend() suspended */
	uint32_t nsusp;
} xs = {
	.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
	.fd = -1,
};

/* ---- messages ----------------------------------------------------------- */

/* One write(2) per line, so that lines of several threads do not interleave. */
static void vsay(const char *fmt, va_list ap)
{
	char buf[512];
	int n, m;

	n = snprintf(buf, sizeof(buf), "xsched[%d]: ", (int)getpid());
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m < (int)(sizeof(buf) - (size_t)n - 1) ? m : (int)(sizeof(buf) - (size_t)n - 2);
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;	/* nowhere to complain to */
}

XSCHED_PRIVATE void xsched__log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

XSCHED_PRIVATE void xsched__debug(const char *fmt, ...)
{
	va_list ap;

	if (!xs.env.debug)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

static void report_env(void *ctx, const char *msg)
{
	(void)ctx;
	xsched__log("%s", msg);
}

/* ---- the module --------------------------------------------------------- */

static bool absent(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO;
}

static int api_err(int err)
{
	return absent(err) ? -ENODEV : err;
}

/*
 * Open the device if needed and send the hints not yet sent. Called with
 * the lock held; returns 0 or the -errno that leaves the process
 * unscheduled. A module loaded after the app started is found at the next
 * call (every API call and every queue creation).
 */
static int connect_locked(void)
{
	struct amdxsched_version v;
	struct amdxsched_proc_attr a;
	int fd, r;

	if (xs.off)
		return -ENODEV;
	if (xs.fd < 0) {
		fd = axs_open(O_RDONLY);
		if (fd < 0) {
			if (fd != xs.open_err)	/* said once per reason */
				xsched__debug("%s: %s; running unscheduled", AXS_DEVICE_PATH,
					      strerror(-fd));
			xs.open_err = fd;
			return fd;
		}
		r = axs_version(fd, &v);
		if (r || v.abi_major != AMDXSCHED_ABI_MAJOR) {
			xsched__log("%s speaks ABI %u.%u, not %d.x; running unscheduled",
				    AXS_DEVICE_PATH, r ? 0 : v.abi_major, r ? 0 : v.abi_minor,
				    AMDXSCHED_ABI_MAJOR);
			close(fd);
			xs.open_err = -EPROTO;
			xs.off = true;	/* it will not change while we run */
			return -EPROTO;
		}
		xs.fd = fd;
		xs.caps = v.caps;
		xs.open_err = 0;
		xs.sent = false;
		xsched__debug("%s open: module %s, ABI %u.%u", AXS_DEVICE_PATH,
			      v.module_version, v.abi_major, v.abi_minor);
	}
	if (xs.want.flags && !xs.sent) {
		a = xs.want;
		r = axs_set_proc_attr(xs.fd, &a);
		if (r) {
			xsched__log("the module refused the hints: %s", strerror(-r));
			return r;
		}
		xs.sent = true;
		xsched__debug("hints sent: class %s%s", xs_class_name(xs.want.sched_class),
			      xs.want.flags & AMDXSCHED_ATTR_PRIORITY ? ", priority set" : "");
	}
	return 0;
}

/* A child of fork() is another process: its own file, its own hints. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&xs.lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&xs.lock);
}

static void atfork_child(void)
{
	pthread_mutexattr_t ma;

	/*
	 * The child's thread is not the owner the recursive mutex recorded in
	 * atfork_prepare(), so it cannot unlock it: start a fresh one instead
	 * (nothing else runs in the child yet).
	 */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&xs.lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_mutex_lock(&xs.lock);
	if (xs.fd >= 0)
		close(xs.fd);	/* the parent's copy keeps its hints alive */
	xs.fd = -1;
	xs.sent = false;
	xs.nq = 0;		/* KFD queues are not inherited */
	xs.nsusp = 0;
	if (xs.want.flags)
		connect_locked();
	pthread_mutex_unlock(&xs.lock);
}

static const char *get_env(const char *name)
{
	return getenv(name);
}

__attribute__((constructor)) static void xs_init(void)
{
	pthread_mutex_lock(&xs.lock);
	xs_env_parse(get_env, &xs.env, report_env, NULL);
	xs.off = xs.env.disable;
	if (xs.off) {
		xsched__debug("XSCHED_DISABLE set: not talking to the module");
		goto out;
	}
	xs.want.flags = xs.env.attr_flags;
	xs.want.sched_class = xs.env.sched_class;
	xs.want.priority = xs.env.priority;
	xs.want.share = xs.env.share;
	xs.want.deadline_ns = xs.env.deadline_ns;
	memcpy(xs.want.tag, xs.env.tag, sizeof(xs.want.tag));
	if (pthread_atfork(atfork_prepare, atfork_parent, atfork_child))
		xsched__debug("pthread_atfork failed: children of fork() keep no hints");
	if (xs.want.flags)
		connect_locked();
out:
	pthread_mutex_unlock(&xs.lock);
}

__attribute__((destructor)) static void xs_fini(void)
{
	pthread_mutex_lock(&xs.lock);
	free(xs.q);
	xs.q = NULL;
	xs.nq = xs.capq = 0;
	free(xs.susp);
	xs.susp = NULL;
	xs.nsusp = 0;
	pthread_mutex_unlock(&xs.lock);
}

/* ---- public API --------------------------------------------------------- */

API int xsched_available(void)
{
	int r;

	pthread_mutex_lock(&xs.lock);
	r = connect_locked();
	pthread_mutex_unlock(&xs.lock);
	return r ? 0 : 1;
}

/* Record the hint (kept for a module that appears later), then send it. */
static int set_hint(const struct amdxsched_proc_attr *a)
{
	struct amdxsched_proc_attr old;
	int r;

	pthread_mutex_lock(&xs.lock);
	old = xs.want;
	xs.want.flags |= a->flags;
	if (a->flags & AMDXSCHED_ATTR_CLASS)
		xs.want.sched_class = a->sched_class;
	if (a->flags & AMDXSCHED_ATTR_PRIORITY)
		xs.want.priority = a->priority;
	if (a->flags & AMDXSCHED_ATTR_SHARE)
		xs.want.share = a->share;
	if (a->flags & AMDXSCHED_ATTR_DEADLINE)
		xs.want.deadline_ns = a->deadline_ns;
	if (a->flags & AMDXSCHED_ATTR_TAG)
		memcpy(xs.want.tag, a->tag, sizeof(xs.want.tag));
	xs.sent = false;
	r = connect_locked();
	if (r && !absent(r)) {
		xs.want = old;	/* refused: keep what was in force */
		xs.sent = false;
		connect_locked();
	}
	pthread_mutex_unlock(&xs.lock);
	return api_err(r);
}

API int xsched_set_class(enum xsched_class cls)
{
	struct amdxsched_proc_attr a = { .flags = AMDXSCHED_ATTR_CLASS };

	if (cls < XSCHED_CLASS_REALTIME || cls > XSCHED_CLASS_BEST_EFFORT)
		return -EINVAL;
	a.sched_class = (uint32_t)cls;
	return set_hint(&a);
}

API int xsched_set_priority(unsigned int priority)
{
	struct amdxsched_proc_attr a = { .flags = AMDXSCHED_ATTR_PRIORITY };

	if (priority > AMDXSCHED_PRIORITY_MAX)
		return -EINVAL;
	a.priority = priority;
	return set_hint(&a);
}

API int xsched_set_share(unsigned int permille)
{
	struct amdxsched_proc_attr a = { .flags = AMDXSCHED_ATTR_SHARE };

	if (permille < 1 || permille > 1000)
		return -EINVAL;
	a.share = permille;
	return set_hint(&a);
}

API int xsched_set_deadline_ns(uint64_t deadline_ns)
{
	struct amdxsched_proc_attr a = { .flags = AMDXSCHED_ATTR_DEADLINE };

	if (!deadline_ns || deadline_ns > 3600ULL * 1000000000ULL)
		return -EINVAL;
	a.deadline_ns = deadline_ns;
	return set_hint(&a);
}

API int xsched_set_tag(const char *tag)
{
	struct amdxsched_proc_attr a = { .flags = AMDXSCHED_ATTR_TAG };

	if (!tag || !xs_tag_valid(tag))
		return -EINVAL;
	memcpy(a.tag, tag, strlen(tag) + 1);
	return set_hint(&a);
}

/* This process's queues as the module lists them; *n = 0 and NULL if none. */
static int own_queues(struct amdxsched_queue_info **qi, uint32_t *n)
{
	int r = connect_locked();

	*qi = NULL;
	*n = 0;
	if (r)
		return r;
	r = axs_list_queues(xs.fd, (uint32_t)getpid(), AMDXSCHED_GPU_ANY, qi, n);
	return r == -ESRCH ? 0 : r;	/* a process the module does not know has none */
}

API int xsched_queue_count(void)
{
	struct amdxsched_queue_info *qi;
	uint32_t n;
	int r;

	pthread_mutex_lock(&xs.lock);
	r = own_queues(&qi, &n);
	pthread_mutex_unlock(&xs.lock);
	free(qi);
	return r ? api_err(r) : (int)n;
}

API int xsched_suspend(unsigned int level, unsigned int lease_ms)
{
	struct amdxsched_queue_info *qi;
	uint64_t *h, *grown;
	uint32_t n, k = 0;
	int r;

	if ((level != XSCHED_LEVEL_DEACTIVATE && level != XSCHED_LEVEL_INTERRUPT) || !lease_ms)
		return -EINVAL;
	pthread_mutex_lock(&xs.lock);
	r = own_queues(&qi, &n);
	if (r || !n)
		goto out;
	h = calloc(n, sizeof(*h));
	if (!h) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n && k < AMDXSCHED_MAX_BATCH; i++)
		if (!(qi[i].state & AMDXSCHED_QUEUE_S_SUSPENDED))
			h[k++] = qi[i].handle;
	r = k ? axs_suspend(xs.fd, h, k, level, lease_ms, NULL, NULL) : 0;
	if (!r && k) {
		grown = realloc(xs.susp, (xs.nsusp + k) * sizeof(*grown));
		if (grown) {
			memcpy(grown + xs.nsusp, h, k * sizeof(*h));
			xs.susp = grown;
			xs.nsusp += k;
		}	/* else the lease still bounds the suspension */
		r = (int)k;
	}
	free(h);
out:
	pthread_mutex_unlock(&xs.lock);
	free(qi);
	return api_err(r);
}

API int xsched_resume(void)
{
	struct amdxsched_queue_info *qi;
	uint64_t *h = NULL;
	uint32_t n, k = 0;
	int r;

	pthread_mutex_lock(&xs.lock);
	if (!xs.nsusp) {
		r = 0;
		goto out;
	}
	r = own_queues(&qi, &n);
	if (r)
		goto out_list;
	/* Only what we still hold: a lease may have run out meanwhile. */
	h = calloc(xs.nsusp, sizeof(*h));
	if (!h) {
		r = -ENOMEM;
		goto out_list;
	}
	for (uint32_t i = 0; i < n; i++) {
		if ((qi[i].state & (AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE)) !=
		    (AMDXSCHED_QUEUE_S_SUSPENDED | AMDXSCHED_QUEUE_S_MINE))
			continue;
		for (uint32_t j = 0; j < xs.nsusp; j++)
			if (xs.susp[j] == qi[i].handle && k < AMDXSCHED_MAX_BATCH)
				h[k++] = qi[i].handle;
	}
	r = k ? axs_resume(xs.fd, h, k, 0, NULL) : 0;
	if (!r) {
		xs.nsusp = 0;
		r = (int)k;
	}
	free(h);
out_list:
	free(qi);
out:
	pthread_mutex_unlock(&xs.lock);
	return api_err(r);
}

API const char *xsched_class_name(enum xsched_class cls)
{
	return xs_class_name((uint32_t)cls);
}

/* ---- for the hsakmt override -------------------------------------------- */

XSCHED_PRIVATE const char *xsched__hsakmt_library(void)
{
	return xs.env.hsakmt_library;
}

static struct xs_queue *find_queue(uint64_t queue_id)
{
	for (size_t i = 0; i < xs.nq; i++)
		if (xs.q[i].d.queue_id == queue_id)
			return &xs.q[i];
	return NULL;
}

/*
 * Give @q the class its HSA priority asks for (xs_queue_class(): a HIP
 * stream's high or low priority), or none for NORMAL, through
 * SET_QUEUE_ATTR (ABI 1.5) as its owner. Called with the lock held, after
 * creation and after each priority update. Nothing here fails the app: a
 * module without queue classes is said once under XSCHED_DEBUG, a refusal
 * once on stderr.
 */
static void queue_class_locked(struct xs_queue *q)
{
	struct amdxsched_queue_attr a;
	uint32_t want;
	int r;

	if (!xs.env.queue_classes || !q->handle || xs.fd < 0)
		return;
	want = xs_queue_class(q->d.priority);
	if (want == q->own_class)
		return;
	if (!(xs.caps & AMDXSCHED_CAP_QUEUE_ATTR)) {
		if (!xs.qattr_said)
			xsched__debug("the module has no queue classes (SET_QUEUE_ATTR, "
				      "ABI 1.5): stream priorities give none; the process's "
				      "class applies");
		xs.qattr_said = true;
		return;
	}
	memset(&a, 0, sizeof(a));
	a.handle = q->handle;
	if (want) {
		a.flags = AMDXSCHED_ATTR_CLASS;
		a.sched_class = want;
	} else {
		a.flags = AMDXSCHED_QUEUE_ATTR_CLEAR;
	}
	r = axs_set_queue_attr(xs.fd, &a);
	if (r) {
		if (!xs.qattr_failed)
			xsched__log("queue %#llx: the module refused class %s: %s",
				    (unsigned long long)q->d.queue_id,
				    want ? xs_class_name(want) : "(the process's)", strerror(-r));
		else
			xsched__debug("queue %#llx: the module refused class %s: %s",
				      (unsigned long long)q->d.queue_id,
				      want ? xs_class_name(want) : "(the process's)", strerror(-r));
		xs.qattr_failed = true;
		return;
	}
	q->own_class = want;
	xsched__debug("queue %#llx: HSA priority %d, class %s", (unsigned long long)q->d.queue_id,
		      q->d.priority, want ? xs_class_name(want) : "of the process");
}

XSCHED_PRIVATE void *xsched__create_begin(void)
{
	struct amdxsched_queue_info *qi;
	struct xs_snapshot *s;
	uint32_t n;

	pthread_mutex_lock(&xs.lock);	/* released by xsched__create_end() */
	if (xs.off || own_queues(&qi, &n))
		return NULL;
	s = malloc(sizeof(*s) + n * sizeof(s->handle[0]));
	if (s) {
		s->n = n;
		for (uint32_t i = 0; i < n; i++)
			s->handle[i] = qi[i].handle;
	}
	free(qi);
	return s;
}

/* The handle the module lists now and did not before; 0 if not exactly one. */
static uint64_t new_handle(const struct xs_snapshot *s)
{
	struct amdxsched_queue_info *qi;
	uint64_t found = 0;
	uint32_t n, hits = 0;

	if (own_queues(&qi, &n))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = 0;

		while (j < s->n && s->handle[j] != qi[i].handle)
			j++;
		if (j == s->n) {
			found = qi[i].handle;
			hits++;
		}
	}
	free(qi);
	return hits == 1 ? found : 0;
}

XSCHED_PRIVATE void xsched__create_end(void *token, const struct xs_queue_desc *d, int status)
{
	struct xs_snapshot *s = token;
	struct xs_queue *q, *grown;

	if (status || xs.off)
		goto out;
	if (xs.nq == xs.capq) {
		grown = realloc(xs.q, (xs.capq ? xs.capq * 2 : 16) * sizeof(*grown));
		if (!grown)
			goto out;	/* bookkeeping only: the queue itself is fine */
		xs.q = grown;
		xs.capq = xs.capq ? xs.capq * 2 : 16;
	}
	q = &xs.q[xs.nq++];
	memset(q, 0, sizeof(*q));
	q->d = *d;
	q->handle = s ? new_handle(s) : 0;
	if (q->handle)
		xsched__debug("queue %#llx (node %u, type %d, priority %d): module handle %llu, class %s",
			      (unsigned long long)d->queue_id, d->node, d->type, d->priority,
			      (unsigned long long)q->handle, xs_class_name(xs.want.sched_class));
	else
		xsched__debug("queue %#llx (node %u, type %d, priority %d): %s",
			      (unsigned long long)d->queue_id, d->node, d->type, d->priority,
			      s ? "not listed by the module: it will not be scheduled" :
				  "module absent");
	queue_class_locked(q);
out:
	free(s);
	pthread_mutex_unlock(&xs.lock);
}

XSCHED_PRIVATE void xsched__queue_updated(uint64_t queue_id, int32_t priority,
					  uint32_t percentage, int status)
{
	struct xs_queue *q;

	pthread_mutex_lock(&xs.lock);
	q = status ? NULL : find_queue(queue_id);
	if (q) {
		q->d.priority = priority;
		q->d.percentage = percentage;
		xsched__debug("queue %#llx: priority %d, %u%%", (unsigned long long)queue_id,
			      priority, percentage);
		queue_class_locked(q);	/* HIP sets a stream's priority here */
	}
	pthread_mutex_unlock(&xs.lock);
}

XSCHED_PRIVATE void xsched__queue_cu_mask(uint64_t queue_id, const uint32_t *mask,
					  uint32_t nbits, int status)
{
	struct xs_queue *q;
	uint32_t cus = 0;

	pthread_mutex_lock(&xs.lock);
	q = status ? NULL : find_queue(queue_id);
	if (q && mask && xs.env.debug) {	/* only said, not kept */
		for (uint32_t i = 0; i < nbits / 32; i++)
			cus += (uint32_t)__builtin_popcount(mask[i]);
		xsched__debug("queue %#llx: CU mask of %u CUs", (unsigned long long)queue_id, cus);
	}
	pthread_mutex_unlock(&xs.lock);
}

XSCHED_PRIVATE void xsched__queue_destroyed(uint64_t queue_id, int status)
{
	struct xs_queue *q;

	pthread_mutex_lock(&xs.lock);
	q = status ? NULL : find_queue(queue_id);
	if (q) {
		for (uint32_t j = 0; j < xs.nsusp; j++)
			if (xs.susp[j] == q->handle)
				xs.susp[j--] = xs.susp[--xs.nsusp];
		*q = xs.q[--xs.nq];
		xsched__debug("queue %#llx destroyed", (unsigned long long)queue_id);
	}
	pthread_mutex_unlock(&xs.lock);
}
