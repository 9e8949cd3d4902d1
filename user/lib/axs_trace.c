// SPDX-License-Identifier: MIT
/* axs_trace: Chrome/Perfetto JSON trace writer, see axs_trace.h. */
#include "axs_trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TID_DECISIONS	0
#define TID_GPU		1
#define TID_FIRST_QUEUE	2	/* each queue takes two: suspensions, busy */

struct qtrack {
	uint64_t handle;
	uint32_t pid;		/* trace pid: the GPU */
	uint32_t tid;		/* suspension track; tid + 1 is the busy track */
	uint32_t level;		/* of the open suspension slice */
	bool susp_open;
	bool busy_open;
};

struct glabel {
	uint32_t gpu_id;
	char text[80];
};

struct axs_trace {
	FILE *f;
	bool own;		/* fclose() it at the end (not stdout) */
	bool first;		/* no event written yet: no comma */
	int err;		/* first write error, -errno */
	uint64_t last_ts;	/* to end slices still open at close */
	uint32_t next_tid;
	struct qtrack *q;	/* sorted by handle */
	size_t nq, capq;
	uint32_t *pids;		/* trace pids already named */
	size_t npids, cappids;
	struct glabel *labels;	/* what admins call each GPU */
	size_t nlabels, caplabels;
};

static const char *const type_names[AMDXSCHED_EVENT_MAX + 1] = {
	[AMDXSCHED_EVENT_QUEUE_CREATED] = "QUEUE_CREATED",
	[AMDXSCHED_EVENT_QUEUE_DESTROYED] = "QUEUE_DESTROYED",
	[AMDXSCHED_EVENT_PROC_CREATED] = "PROC_CREATED",
	[AMDXSCHED_EVENT_PROC_EXIT] = "PROC_EXIT",
	[AMDXSCHED_EVENT_QUEUE_BUSY] = "QUEUE_BUSY",
	[AMDXSCHED_EVENT_QUEUE_IDLE] = "QUEUE_IDLE",
	[AMDXSCHED_EVENT_QUEUE_SUSPENDED] = "QUEUE_SUSPENDED",
	[AMDXSCHED_EVENT_QUEUE_RESUMED] = "QUEUE_RESUMED",
	[AMDXSCHED_EVENT_LEASE_EXPIRED] = "LEASE_EXPIRED",
	[AMDXSCHED_EVENT_QUEUE_PRIORITY] = "QUEUE_PRIORITY",
	[AMDXSCHED_EVENT_QUEUE_CU_MASK] = "QUEUE_CU_MASK",
	[AMDXSCHED_EVENT_PROC_ATTR] = "PROC_ATTR",
	[AMDXSCHED_EVENT_GPU_HANG] = "GPU_HANG",
	[AMDXSCHED_EVENT_QUEUE_DRAINED] = "QUEUE_DRAINED",
	[AMDXSCHED_EVENT_RESUME_FAILING] = "RESUME_FAILING",
	[AMDXSCHED_EVENT_RESUME_LATE] = "RESUME_LATE",
	[AMDXSCHED_EVENT_QUEUE_ATTR] = "QUEUE_ATTR",
};

const char *axs_event_type_name(unsigned int type)
{
	if (type > AMDXSCHED_EVENT_MAX || !type_names[type])
		return "UNKNOWN";
	return type_names[type];
}

static void fail(struct axs_trace *t)
{
	if (!t->err)
		t->err = errno ? -errno : -EIO;
}

static void out(struct axs_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out(struct axs_trace *t, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (t->err)
		return;
	va_start(ap, fmt);
	errno = 0;
	r = vfprintf(t->f, fmt, ap);
	va_end(ap);
	if (r < 0)
		fail(t);
}

static void out_char(struct axs_trace *t, char c)
{
	if (!t->err && putc(c, t->f) == EOF)
		fail(t);
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* no overlong forms, surrogates or code points past U+10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD so the file always parses. */
static void out_str(struct axs_trace *t, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	out_char(t, '"');
	while (*s) {
		n = *s < 0x80 ? 0 : utf8_len(s);
		if (*s == '"' || *s == '\\') {
			out(t, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			out(t, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			out_char(t, (char)*s++);
		} else if (n) {
			out(t, "%.*s", (int)n, (const char *)s);
			s += n;
		} else {
			out(t, "\\ufffd");
			s++;
		}
	}
	out_char(t, '"');
}

/* The common head of an event: separator, name, phase, pid, tid. */
static void head(struct axs_trace *t, const char *name, char ph, uint32_t pid, uint32_t tid)
{
	out(t, "%s\n{\"name\":", t->first ? "" : ",");
	t->first = false;
	out_str(t, name);
	out(t, ",\"ph\":\"%c\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32, ph, pid, tid);
}

/* Microseconds with the nanoseconds as 3 exact decimals. */
static void out_ts(struct axs_trace *t, uint64_t ns)
{
	out(t, ",\"ts\":%" PRIu64 ".%03u", ns / 1000, (unsigned int)(ns % 1000));
	if (ns > t->last_ts)
		t->last_ts = ns;
}

static void event(struct axs_trace *t, const char *name, char ph, uint32_t pid, uint32_t tid,
		  uint64_t ts, const char *args)
{
	head(t, name, ph, pid, tid);
	out_ts(t, ts);
	if (ph == 'i')
		out(t, ",\"s\":\"t\"");
	if (args)
		out(t, ",\"args\":%s", args);
	out_char(t, '}');
}

static void meta(struct axs_trace *t, const char *what, uint32_t pid, uint32_t tid,
		 const char *name, uint32_t sort)
{
	char sort_name[32];

	head(t, what, 'M', pid, tid);
	out(t, ",\"args\":{\"name\":");
	out_str(t, name);
	out(t, "}}");
	snprintf(sort_name, sizeof(sort_name), "%s_sort_index",
		 strcmp(what, "process_name") ? "thread" : "process");
	head(t, sort_name, 'M', pid, tid);
	out(t, ",\"args\":{\"sort_index\":%" PRIu32 "}}", sort);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Name the trace process of a GPU (or of process events) once. */
static int ensure_pid(struct axs_trace *t, uint32_t pid)
{
	char name[128];
	size_t i;

	for (i = 0; i < t->npids; i++)
		if (t->pids[i] == pid)
			return 0;
	if (grow((void **)&t->pids, &t->cappids, t->npids, sizeof(*t->pids)))
		return -ENOMEM;
	t->pids[t->npids++] = pid;
	if (pid == AXS_TRACE_PID_PROCS) {
		meta(t, "process_name", pid, 0, "processes", pid);
		return 0;
	}
	snprintf(name, sizeof(name), "GPU %" PRIu32, pid);
	for (i = 0; i < t->nlabels; i++)
		if (t->labels[i].gpu_id == pid)
			snprintf(name, sizeof(name), "GPU %" PRIu32 " (%s)", pid, t->labels[i].text);
	meta(t, "process_name", pid, 0, name, pid);
	meta(t, "thread_name", pid, TID_DECISIONS, "decisions", TID_DECISIONS);
	meta(t, "thread_name", pid, TID_GPU, "gpu events", TID_GPU);
	return 0;
}

int axs_trace_gpu_label(struct axs_trace *t, uint32_t gpu_id, const char *label)
{
	struct glabel *g = NULL;
	size_t i;

	for (i = 0; i < t->nlabels; i++)
		if (t->labels[i].gpu_id == gpu_id)
			g = &t->labels[i];
	if (!g) {
		if (grow((void **)&t->labels, &t->caplabels, t->nlabels, sizeof(*t->labels)))
			return -ENOMEM;
		g = &t->labels[t->nlabels++];
		g->gpu_id = gpu_id;
	}
	snprintf(g->text, sizeof(g->text), "%s", label);
	return 0;
}

static uint32_t trace_pid(uint32_t gpu_id)
{
	return gpu_id == AMDXSCHED_GPU_ANY ? AXS_TRACE_PID_PROCS : gpu_id;
}

/* Index of @handle in t->q, or where to insert it (*found false). */
static size_t find(const struct axs_trace *t, uint64_t handle, bool *found)
{
	size_t lo = 0, hi = t->nq;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->q[mid].handle < handle)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->nq && t->q[lo].handle == handle;
	return lo;
}

/* The tracks of a queue, named the first time it is seen. */
static struct qtrack *queue_track(struct axs_trace *t, const struct amdxsched_event *ev)
{
	struct qtrack *q;
	char name[64];
	bool found;
	size_t i;

	i = find(t, ev->handle, &found);
	if (found)
		return &t->q[i];
	if (ensure_pid(t, trace_pid(ev->gpu_id)) ||
	    grow((void **)&t->q, &t->capq, t->nq, sizeof(*t->q)))
		return NULL;
	memmove(&t->q[i + 1], &t->q[i], (t->nq - i) * sizeof(*t->q));
	t->nq++;
	q = &t->q[i];
	memset(q, 0, sizeof(*q));
	q->handle = ev->handle;
	q->pid = trace_pid(ev->gpu_id);
	q->tid = t->next_tid;
	t->next_tid += 2;
	snprintf(name, sizeof(name), "queue %" PRIu64 " pid %" PRIu32, (uint64_t)ev->handle, ev->pid);
	meta(t, "thread_name", q->pid, q->tid, name, q->tid);
	snprintf(name, sizeof(name), "queue %" PRIu64 " busy", (uint64_t)ev->handle);
	meta(t, "thread_name", q->pid, q->tid + 1, name, q->tid + 1);
	return q;
}

struct axs_trace *axs_trace_open(const char *path)
{
	struct axs_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (!strcmp(path, "-")) {
		t->f = stdout;
	} else {
		t->f = fopen(path, "w");
		if (!t->f) {
			free(t);
			return NULL;
		}
		t->own = true;
	}
	t->first = true;
	t->next_tid = TID_FIRST_QUEUE;
	out(t, "{\"traceEvents\":[");
	if (t->err) {
		errno = -t->err;
		if (t->own)
			fclose(t->f);
		free(t);
		return NULL;
	}
	return t;
}

static void end_open_slices(struct axs_trace *t)
{
	char name[32];
	size_t i;

	for (i = 0; i < t->nq; i++) {
		struct qtrack *q = &t->q[i];

		if (q->susp_open) {
			snprintf(name, sizeof(name), "suspended Lv%" PRIu32, q->level);
			event(t, name, 'E', q->pid, q->tid, t->last_ts,
			      "{\"reason\":\"trace end\"}");
		}
		if (q->busy_open)
			event(t, "busy", 'E', q->pid, q->tid + 1, t->last_ts, NULL);
		q->susp_open = q->busy_open = false;
	}
}

int axs_trace_close(struct axs_trace *t)
{
	int err;

	end_open_slices(t);
	out(t, "\n],\"displayTimeUnit\":\"ms\"}\n");
	errno = 0;
	if (fflush(t->f) == EOF)
		fail(t);
	if (t->own) {
		errno = 0;
		if (fclose(t->f) == EOF)
			fail(t);
	}
	err = t->err;
	free(t->q);
	free(t->pids);
	free(t->labels);
	free(t);
	return err;
}

static const char *resume_reason(uint64_t r)
{
	switch (r) {
	case AMDXSCHED_RESUMED_IOCTL:	return "ioctl";
	case AMDXSCHED_RESUMED_LEASE:	return "lease";
	case AMDXSCHED_RESUMED_CLOSE:	return "close";
	case AMDXSCHED_RESUMED_OUTSIDE:	return "outside";
	default:			return "unknown";
	}
}

static void suspension(struct axs_trace *t, struct qtrack *q, const struct amdxsched_event *ev)
{
	char name[32], args[96];

	if (ev->type == AMDXSCHED_EVENT_QUEUE_SUSPENDED) {
		/* A second begin means events were lost: end the first one. */
		if (q->susp_open) {
			snprintf(name, sizeof(name), "suspended Lv%" PRIu32, q->level);
			event(t, name, 'E', q->pid, q->tid, ev->timestamp_ns, NULL);
		}
		q->level = (uint32_t)ev->data[0];
		q->susp_open = true;
		snprintf(name, sizeof(name), "suspended Lv%" PRIu32, q->level);
		snprintf(args, sizeof(args), "{\"level\":%" PRIu64 ",\"lease\":%" PRIu64 "}",
			 (uint64_t)ev->data[0], (uint64_t)ev->data[1]);
		event(t, name, 'B', q->pid, q->tid, ev->timestamp_ns, args);
		return;
	}
	if (!q->susp_open)
		return;
	q->susp_open = false;
	snprintf(name, sizeof(name), "suspended Lv%" PRIu32, q->level);
	snprintf(args, sizeof(args), "{\"reason\":\"%s\",\"lease\":%" PRIu64 "}",
		 resume_reason(ev->data[0]), (uint64_t)ev->data[1]);
	event(t, name, 'E', q->pid, q->tid, ev->timestamp_ns, args);
}

static void busy(struct axs_trace *t, struct qtrack *q, const struct amdxsched_event *ev)
{
	bool begin = ev->type == AMDXSCHED_EVENT_QUEUE_BUSY;

	if (begin == q->busy_open)
		return;		/* a repeated begin, or an end without begin */
	q->busy_open = begin;
	event(t, "busy", begin ? 'B' : 'E', q->pid, q->tid + 1, ev->timestamp_ns, NULL);
}

/* The args of an instant event: its data, named. */
static void instant_args(const struct amdxsched_event *ev, char *buf, size_t len)
{
	const uint64_t d[2] = { ev->data[0], ev->data[1] };

	switch (ev->type) {
	case AMDXSCHED_EVENT_QUEUE_CREATED:
		snprintf(buf, len, "{\"kfd_queue_id\":%" PRIu64 ",\"type\":%" PRIu64
			 ",\"pid\":%" PRIu32 "}", d[0], d[1], ev->pid);
		break;
	case AMDXSCHED_EVENT_LEASE_EXPIRED:
		snprintf(buf, len, "{\"lease\":%" PRIu64 "}", d[0]);
		break;
	case AMDXSCHED_EVENT_QUEUE_PRIORITY:
		snprintf(buf, len, "{\"priority\":%" PRIu64 "}", d[0]);
		break;
	case AMDXSCHED_EVENT_QUEUE_CU_MASK:
		snprintf(buf, len, "{\"cus\":%" PRIu64 "}", d[0]);
		break;
	case AMDXSCHED_EVENT_PROC_ATTR:
		snprintf(buf, len, "{\"pid\":%" PRIu32 ",\"class\":%" PRIu64
			 ",\"priority\":%" PRIu64 "}", ev->pid, d[0], d[1]);
		break;
	case AMDXSCHED_EVENT_GPU_HANG:
		snprintf(buf, len, "{\"unmap_ns\":%" PRIu64 "}", d[0]);
		break;
	case AMDXSCHED_EVENT_QUEUE_ATTR:
		snprintf(buf, len, "{\"attr_flags\":%" PRIu64 ",\"class\":%" PRIu64 "}",
			 d[0], d[1]);
		break;
	default:
		snprintf(buf, len, "{\"pid\":%" PRIu32 ",\"data\":[%" PRIu64 ",%" PRIu64 "]}",
			 ev->pid, d[0], d[1]);
		break;
	}
}

static void instant(struct axs_trace *t, const struct amdxsched_event *ev, const struct qtrack *q)
{
	char name[32], args[160];
	const char *type = axs_event_type_name(ev->type);
	size_t i;

	/* "QUEUE_CU_MASK" -> "queue cu mask": easier to read on a timeline */
	for (i = 0; type[i] && i + 1 < sizeof(name); i++)
		name[i] = type[i] == '_' ? ' ' : (char)(type[i] | 0x20);
	name[i] = '\0';
	instant_args(ev, args, sizeof(args));
	if (q)
		event(t, name, 'i', q->pid, q->tid, ev->timestamp_ns, args);
	else if (ev->gpu_id == AMDXSCHED_GPU_ANY)
		event(t, name, 'i', AXS_TRACE_PID_PROCS, 0, ev->timestamp_ns, args);
	else
		event(t, name, 'i', ev->gpu_id, TID_GPU, ev->timestamp_ns, args);
}

int axs_trace_event(struct axs_trace *t, const struct amdxsched_event *ev)
{
	struct qtrack *q = NULL;

	if (ensure_pid(t, trace_pid(ev->gpu_id)))
		return -ENOMEM;
	if (ev->handle) {
		q = queue_track(t, ev);
		if (!q)
			return -ENOMEM;
	}
	switch (q ? ev->type : 0) {
	case AMDXSCHED_EVENT_QUEUE_SUSPENDED:
	case AMDXSCHED_EVENT_QUEUE_RESUMED:
		suspension(t, q, ev);
		break;
	case AMDXSCHED_EVENT_QUEUE_BUSY:
	case AMDXSCHED_EVENT_QUEUE_IDLE:
		busy(t, q, ev);
		break;
	default:
		instant(t, ev, q);
		break;
	}
	return t->err;
}

int axs_trace_instant(struct axs_trace *t, uint64_t ts_ns, uint32_t gpu_id,
		      const char *name, const char *args_json)
{
	if (ensure_pid(t, trace_pid(gpu_id)))
		return -ENOMEM;
	event(t, name, 'i', trace_pid(gpu_id), TID_DECISIONS, ts_ns, args_json);
	return t->err;
}
