// SPDX-License-Identifier: MIT
/*
 * xschedctl: suspend, resume, priority and queue-class, the commands that
 * act on queues.
 */
#include "xschedctl.h"
#include "axs_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_LEASE_MS	1000

/* HANDLE... from argv[first..argc): a usage error for bad or repeated ones. */
static int parse_handles(const char *cmd, int argc, char **argv, int first,
			 uint64_t **out, uint32_t *n)
{
	uint64_t *h;
	uint32_t i, j, cnt;

	if (first >= argc)
		return xc_usage("%s: no queue handle given", cmd);
	if (argc - first > AMDXSCHED_MAX_BATCH)
		return xc_usage("%s: more than %d handles", cmd, AMDXSCHED_MAX_BATCH);
	cnt = (uint32_t)(argc - first);
	h = calloc(cnt, sizeof(*h));
	if (!h) {
		xc_err(ENOMEM, "%s", cmd);
		return XC_FAIL;
	}
	for (i = 0; i < cnt; i++) {
		if (xc_parse_u64("handle", argv[first + i], UINT64_MAX, &h[i]))
			goto usage;
		for (j = 0; j < i; j++) {
			if (h[j] == h[i]) {
				xc_usage("%s: handle %" PRIu64 " given twice", cmd, h[i]);
				goto usage;
			}
		}
	}
	*out = h;
	*n = cnt;
	return XC_OK;
usage:
	free(h);
	return XC_USAGE;
}

/*
 * Per-queue results: failures as error lines on stderr, the rest on stdout
 * (or as JSON). Returns XC_FAIL if the call failed.
 */
static int report(const struct xc *c, const char *op, const char *done, const uint64_t *h,
		  const int32_t *st, uint32_t n, int r, uint64_t lease)
{
	bool entry_err = false;
	struct jw w;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (st[i] < 0) {
			xc_err(-st[i], "%s queue %" PRIu64, op, h[i]);
			entry_err = true;
		} else if (!c->json) {
			printf("queue %" PRIu64 ": %s\n", h[i],
			       st[i] == AMDXSCHED_STATUS_DONE && !r ? done : xc_status_str(st[i]));
		}
	}
	if (r < 0 && !entry_err)
		xc_err(-r, "%s", op);
	if (c->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "op", op);
		if (lease)
			jw_u64(&w, "lease_id", lease);
		jw_i64(&w, "error", r);
		jw_arr(&w, "queues");
		for (i = 0; i < n; i++) {
			jw_obj(&w, NULL);
			jw_u64(&w, "handle", h[i]);
			jw_i64(&w, "status", st[i]);
			jw_str(&w, "result", st[i] == AMDXSCHED_STATUS_DONE && !r ? done :
			       xc_status_str(st[i]));
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
		jw_end(&w);
	}
	fflush(stdout);
	return r < 0 ? XC_FAIL : XC_OK;
}

static void not_done(int32_t *st, uint32_t n)
{
	uint32_t i;

	/* what the kernel leaves when it fails before looking at entries */
	for (i = 0; i < n; i++)
		st[i] = AMDXSCHED_STATUS_NOT_DONE;
}

static const char *held_result(int32_t st)
{
	if (st == AMDXSCHED_STATUS_DONE)
		return "resumed";
	if (st == -EALREADY)
		return "already resumed by someone else";
	if (st == -ENOENT)
		return "gone";
	return xc_status_str(st);
}

static void held_report(const struct xc *c, const uint64_t *h, const int32_t *res, uint32_t n)
{
	struct jw w;
	uint32_t i;

	if (!c->json) {
		for (i = 0; i < n; i++)
			printf("queue %" PRIu64 ": %s\n", h[i], held_result(res[i]));
		return;
	}
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "op", "resume");
	jw_arr(&w, "queues");
	for (i = 0; i < n; i++) {
		jw_obj(&w, NULL);
		jw_u64(&w, "handle", h[i]);
		jw_i64(&w, "status", res[i]);
		jw_str(&w, "result", held_result(res[i]));
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

/*
 * Resume what this command still holds. A batch fails as a whole when one
 * entry is bad (e.g. someone force-resumed it), so retry the entries that
 * were valid. A queue already resumed or gone is not an error here.
 */
static int resume_held(const struct xc *c, int fd, const uint64_t *h, uint32_t n)
{
	uint64_t *todo = calloc(n, sizeof(*todo));
	uint32_t *idx = calloc(n, sizeof(*idx));
	int32_t *st = calloc(n, sizeof(*st)), *res = calloc(n, sizeof(*res));
	uint32_t i, m, left = n;
	int r, ret = XC_OK;

	if (!todo || !idx || !st || !res) {
		xc_err(ENOMEM, "resume");
		ret = XC_FAIL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		todo[i] = h[i];
		idx[i] = i;
	}
	while (left) {
		not_done(st, left);
		r = axs_resume(fd, todo, left, 0, st);
		for (i = 0, m = 0; i < left; i++) {
			if (r < 0 && st[i] == AMDXSCHED_STATUS_NOT_DONE) {
				todo[m] = todo[i];
				idx[m++] = idx[i];
			} else {
				res[idx[i]] = st[i];
			}
		}
		if (r >= 0 || !m)
			break;
		if (m == left) {	/* the call itself failed */
			for (i = 0; i < m; i++)
				res[idx[i]] = r;
			break;
		}
		left = m;
	}
	for (i = 0; i < n; i++) {
		if (res[i] < 0 && res[i] != -EALREADY && res[i] != -ENOENT) {
			xc_err(-res[i], "resume queue %" PRIu64, h[i]);
			ret = XC_FAIL;
		}
	}
	held_report(c, h, res, n);
out:
	free(todo);
	free(idx);
	free(st);
	free(res);
	return ret;
}

/* Keep the lease alive until @deadline, a signal, or the lease is lost. */
static int hold(int fd, uint64_t lease, uint32_t lease_ms, uint64_t deadline)
{
	uint64_t every = (uint64_t)lease_ms * 1000000 / 3, next, now;
	int r;

	next = axs_now_ns() + every;
	for (;;) {
		xc_wait_until(next < deadline ? next : deadline, -1);
		now = axs_now_ns();
		if (xc_stopped() || now >= deadline)
			return 0;
		if (now < next)
			continue;
		r = axs_lease_renew(fd, lease, lease_ms, NULL);
		if (r < 0)
			return r;
		next = now + every;
	}
}

struct suspend_args {
	uint32_t level, lease_ms;
	uint64_t for_ns;	/* 0 = until a signal */
	bool lease_given;
};

static int suspend_opts(int argc, char **argv, struct suspend_args *a)
{
	static const struct option opts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "for", required_argument, NULL, 'f' },
		{ "lease", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int o, r;

	while ((o = xc_getopt(argc, argv, "l:f:L:", opts)) != -1) {
		if (o == 'l')
			r = xc_parse_u32("--level", optarg, UINT32_MAX, &a->level);
		else if (o == 'f')
			r = xc_parse_duration("--for", optarg, 1000000000, &a->for_ns);
		else if (o == 'L')
			r = xc_parse_u32("--lease", optarg, UINT32_MAX, &a->lease_ms);
		else
			r = XC_USAGE;
		if (r)
			return XC_USAGE;
		a->lease_given |= o == 'L';
	}
	if (a->level != 2 && a->level != 3)
		return xc_usage("--level %" PRIu32 ": must be 2 or 3", a->level);
	if (a->lease_given && !a->lease_ms)
		return xc_usage("--lease 0: must be at least 1 ms");
	return XC_OK;
}

static int lease_limit(int fd, struct suspend_args *a)
{
	struct amdxsched_version v;
	int r = axs_version(fd, &v);

	if (r < 0) {
		xc_err(-r, "version");
		return XC_FAIL;
	}
	if (a->lease_given && a->lease_ms > v.max_lease_ms)
		return xc_usage("--lease %" PRIu32 ": above the module's limit of %" PRIu32 " ms",
				a->lease_ms, v.max_lease_ms);
	if (!a->lease_given)
		a->lease_ms = v.max_lease_ms < DEFAULT_LEASE_MS ? v.max_lease_ms :
			      DEFAULT_LEASE_MS;
	return XC_OK;
}

static int do_suspend(const struct xc *c, int fd, uint64_t *h, uint32_t n,
		      const struct suspend_args *a)
{
	int32_t *st = calloc(n, sizeof(*st));
	uint64_t lease = 0;
	int r;

	if (!st) {
		xc_err(ENOMEM, "suspend");
		return XC_FAIL;
	}
	not_done(st, n);
	r = axs_suspend(fd, h, n, a->level, a->lease_ms, st, &lease);
	r = report(c, "suspend", a->level == 2 ? "suspended Lv2" : "suspended Lv3", h, st, n,
		   r, r < 0 ? 0 : lease);
	free(st);
	if (r)
		return r;
	r = hold(fd, lease, a->lease_ms, a->for_ns ? axs_now_ns() + a->for_ns : UINT64_MAX);
	if (r < 0) {
		/* The lease ended without us: its queues were all resumed. */
		xc_err(-r, "renew lease %" PRIu64 " (resumed by someone else?)", lease);
		return XC_FAIL;
	}
	return resume_held(c, fd, h, n);
}

int xc_suspend(struct xc *c, int argc, char **argv)
{
	struct suspend_args a = { .level = 3 };
	uint64_t *h;
	uint32_t n;
	int fd, r;

	r = suspend_opts(argc, argv, &a);
	if (r)
		return r;
	r = parse_handles("suspend", argc, argv, optind, &h, &n);
	if (r)
		return r;
	if (xc_catch_signals()) {
		xc_err(errno, "signals");
		free(h);
		return XC_FAIL;
	}
	fd = xc_open(c, O_RDWR);
	r = fd < 0 ? XC_FAIL : lease_limit(fd, &a);
	if (!r)
		r = do_suspend(c, fd, h, n, &a);
	if (fd >= 0)
		close(fd);	/* also resumes anything still held */
	free(h);
	return r;
}

int xc_resume(struct xc *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t flags = 0, n;
	int32_t *st;
	uint64_t *h;
	int o, fd, r;

	while ((o = xc_getopt(argc, argv, "f", opts)) != -1) {
		if (o != 'f')
			return XC_USAGE;
		flags |= AMDXSCHED_RESUME_FORCE;
	}
	r = parse_handles("resume", argc, argv, optind, &h, &n);
	if (r)
		return r;
	st = calloc(n, sizeof(*st));
	fd = st ? xc_open(c, O_RDWR) : -1;
	if (!st)
		xc_err(ENOMEM, "resume");
	if (fd >= 0) {
		not_done(st, n);
		r = axs_resume(fd, h, n, flags, st);
		r = report(c, "resume", "resumed", h, st, n, r, 0);
		close(fd);
	} else {
		r = XC_FAIL;
	}
	free(st);
	free(h);
	return r;
}

static int priority_args(int argc, char **argv, struct amdxsched_priority_entry **out,
			 uint32_t *n)
{
	struct amdxsched_priority_entry *e;
	uint32_t i, j, cnt;

	if (argc - optind < 2 || (argc - optind) % 2)
		return xc_usage("priority: needs HANDLE PRIO pairs");
	cnt = (uint32_t)(argc - optind) / 2;
	if (cnt > AMDXSCHED_MAX_BATCH)
		return xc_usage("priority: more than %d queues", AMDXSCHED_MAX_BATCH);
	e = calloc(cnt, sizeof(*e));
	if (!e) {
		xc_err(ENOMEM, "priority");
		return XC_FAIL;
	}
	for (i = 0; i < cnt; i++) {
		uint64_t h;

		e[i].status = AMDXSCHED_STATUS_NOT_DONE;
		if (xc_parse_u64("handle", argv[optind + 2 * i], UINT64_MAX, &h))
			goto usage;
		e[i].handle = h;
		if (xc_parse_u32("priority", argv[optind + 2 * i + 1], AMDXSCHED_PRIORITY_MAX,
				 &e[i].priority))
			goto usage;
		for (j = 0; j < i; j++) {
			if (e[j].handle == e[i].handle) {
				xc_usage("priority: handle %" PRIu64 " given twice", h);
				goto usage;
			}
		}
	}
	*out = e;
	*n = cnt;
	return XC_OK;
usage:
	free(e);
	return XC_USAGE;
}

int xc_priority(struct xc *c, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct amdxsched_priority_entry *e = NULL;
	uint64_t *h = NULL;
	int32_t *st = NULL;
	char done[24];
	uint32_t n = 0, i;
	int o, fd, r;

	while ((o = xc_getopt(argc, argv, "", opts)) != -1)
		return XC_USAGE;
	r = priority_args(argc, argv, &e, &n);
	if (r)
		return r;
	fd = xc_open(c, O_RDWR);
	if (fd < 0) {
		free(e);
		return XC_FAIL;
	}
	r = axs_set_priority(fd, e, n);
	close(fd);
	h = calloc(n, sizeof(*h));
	st = calloc(n, sizeof(*st));
	if (!h || !st) {
		xc_err(ENOMEM, "priority");
		r = XC_FAIL;
		goto out;
	}
	/* One line each: the new priorities differ, so report them one by one. */
	for (i = 0; i < n; i++) {
		h[i] = e[i].handle;
		st[i] = e[i].status;
		if (st[i] == AMDXSCHED_STATUS_DONE && r >= 0 && !c->json)
			printf("queue %" PRIu64 ": priority %" PRIu32 "\n", h[i], e[i].priority);
	}
	if (r >= 0 && !c->json) {
		r = XC_OK;
		goto out;
	}
	snprintf(done, sizeof(done), "priority set");
	r = report(c, "priority", done, h, st, n, r, 0);
out:
	free(h);
	free(st);
	free(e);
	return r;
}

/*
 * Open the device for queue-class: with control if this user has it, else
 * read-only, which still lets a process's owner give its own queues a
 * class. -1 after printing the error.
 */
static int open_owner_or_control(const struct xc *c)
{
	int fd = open(c->dev, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return xc_open(c, O_RDWR);
	}
	if (errno != EACCES && errno != EPERM && errno != EROFS)
		return xc_open(c, O_RDWR);	/* says why */
	return xc_open(c, O_RDONLY);
}

int xc_queue_class(struct xc *c, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct amdxsched_queue_attr a;
	struct amdxsched_version v;
	const char *name;
	uint64_t h;
	uint32_t cls = AMDXSCHED_CLASS_UNSET;
	int o, fd, r;
	struct jw w;

	while ((o = xc_getopt(argc, argv, "", opts)) != -1)
		return XC_USAGE;
	if (argc - optind != 2)
		return xc_usage("queue-class: needs HANDLE and a class (realtime, normal, "
				"best-effort) or inherit");
	if (xc_parse_u64("handle", argv[optind], UINT64_MAX, &h))
		return XC_USAGE;
	name = argv[optind + 1];
	if (strcmp(name, "inherit")) {
		cls = axs_class_parse(name);
		if (!cls)
			return xc_usage("queue-class: '%s' is not realtime, normal, best-effort "
					"(rt, batch) or inherit", name);
	}
	fd = open_owner_or_control(c);
	if (fd < 0)
		return XC_FAIL;
	r = axs_version(fd, &v);
	if (!r && !(v.caps & AMDXSCHED_CAP_QUEUE_ATTR)) {
		xc_err(0, "queue-class: the module (ABI %" PRIu32 ".%" PRIu32 ") has no queue "
		       "classes; they need ABI 1.5", v.abi_major, v.abi_minor);
		close(fd);
		return XC_FAIL;
	}
	memset(&a, 0, sizeof(a));
	a.handle = h;
	a.flags = cls ? AMDXSCHED_ATTR_CLASS : AMDXSCHED_QUEUE_ATTR_CLEAR;
	a.sched_class = cls;
	if (!r)
		r = axs_set_queue_attr(fd, &a);
	close(fd);
	if (r == -EPERM)
		xc_err(-r, "queue-class queue %" PRIu64 " (not a queue of this user's, and no "
		       "control)", h);
	else if (r)
		xc_err(-r, "queue-class queue %" PRIu64, h);
	if (c->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "op", "queue-class");
		jw_u64(&w, "handle", h);
		if (cls)
			jw_str(&w, "class", axs_class_name(cls));
		else
			jw_null(&w, "class");
		jw_i64(&w, "error", r);
		jw_obj_end(&w);
		jw_end(&w);
	} else if (!r) {
		if (cls)
			printf("queue %" PRIu64 ": class %s\n", h, axs_class_name(cls));
		else
			printf("queue %" PRIu64 ": class of its process\n", h);
	}
	return r ? XC_FAIL : XC_OK;
}
