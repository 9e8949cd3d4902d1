// SPDX-License-Identifier: MIT
/* xschedctl trace: print the module's events, optionally as a Perfetto trace. */
#include "xschedctl.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axs_trace.h"

#define RING_ENTRIES	4096
#define READ_BATCH	64

struct tracer {
	const struct xc *c;
	struct axs_trace *t;
	bool print;		/* lines (or JSON lines) on stdout */
	uint64_t last_seq, events, dropped;
	int err;		/* first trace write error, -errno */
};

static const char *reason_name(uint64_t r)
{
	switch (r) {
	case AMDXSCHED_RESUMED_IOCTL:	return "ioctl";
	case AMDXSCHED_RESUMED_LEASE:	return "lease";
	case AMDXSCHED_RESUMED_CLOSE:	return "close";
	case AMDXSCHED_RESUMED_OUTSIDE:	return "outside";
	default:			return "?";
	}
}

/* The event's data words, named as the header documents them. */
static void details(const struct amdxsched_event *e, char *buf, size_t len)
{
	const uint64_t d[2] = { e->data[0], e->data[1] };

	switch (e->type) {
	case AMDXSCHED_EVENT_QUEUE_CREATED:
		snprintf(buf, len, " qid=%" PRIu64 " type=%" PRIu64, d[0], d[1]);
		break;
	case AMDXSCHED_EVENT_QUEUE_SUSPENDED:
		snprintf(buf, len, " level=%" PRIu64 " lease=%" PRIu64, d[0], d[1]);
		break;
	case AMDXSCHED_EVENT_QUEUE_RESUMED:
		snprintf(buf, len, " reason=%s lease=%" PRIu64, reason_name(d[0]), d[1]);
		break;
	case AMDXSCHED_EVENT_LEASE_EXPIRED:
		snprintf(buf, len, " lease=%" PRIu64, d[0]);
		break;
	case AMDXSCHED_EVENT_QUEUE_PRIORITY:
		snprintf(buf, len, " priority=%" PRIu64, d[0]);
		break;
	case AMDXSCHED_EVENT_QUEUE_CU_MASK:
		snprintf(buf, len, " cus=%" PRIu64, d[0]);
		break;
	case AMDXSCHED_EVENT_PROC_ATTR:
		snprintf(buf, len, " class=%" PRIu64 " priority=%" PRIu64, d[0], d[1]);
		break;
	case AMDXSCHED_EVENT_GPU_HANG:
		snprintf(buf, len, " unmap_ns=%" PRIu64, d[0]);
		break;
	case AMDXSCHED_EVENT_QUEUE_ATTR:
		snprintf(buf, len, " flags=0x%" PRIx64 " class=%" PRIu64, d[0], d[1]);
		break;
	default:
		if (d[0] || d[1])
			snprintf(buf, len, " data=%" PRIu64 ",%" PRIu64, d[0], d[1]);
		else
			buf[0] = '\0';
		break;
	}
}

static void print_line(const struct amdxsched_event *e)
{
	char gpu[12] = "-", queue[24] = "-", more[96];

	if (e->gpu_id != AMDXSCHED_GPU_ANY)
		snprintf(gpu, sizeof(gpu), "%" PRIu32, e->gpu_id);
	if (e->handle)
		snprintf(queue, sizeof(queue), "%" PRIu64, (uint64_t)e->handle);
	details(e, more, sizeof(more));
	printf("%" PRIu64 ".%06" PRIu64 " %-15s gpu %s queue %s pid %" PRIu32 "%s\n",
	       (uint64_t)e->timestamp_ns / 1000000000,
	       (uint64_t)e->timestamp_ns % 1000000000 / 1000,
	       axs_event_type_name(e->type), gpu, queue, e->pid, more);
}

static void print_json(const struct amdxsched_event *e)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_u64(&w, "seq", e->seq);
	jw_u64(&w, "ts_ns", e->timestamp_ns);
	jw_str(&w, "type", axs_event_type_name(e->type));
	if (e->gpu_id == AMDXSCHED_GPU_ANY)
		jw_null(&w, "gpu_id");
	else
		jw_u64(&w, "gpu_id", e->gpu_id);
	jw_u64(&w, "handle", e->handle);
	jw_u64(&w, "pid", e->pid);
	jw_arr(&w, "data");
	jw_u64(&w, NULL, e->data[0]);
	jw_u64(&w, NULL, e->data[1]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

static void one(struct tracer *tr, const struct amdxsched_event *e)
{
	int r;

	uint64_t seq = e->seq;

	/* seq counts from 1, so a gap before the first event is a loss too */
	if (seq > tr->last_seq + 1) {
		fprintf(stderr, "Warning: %" PRIu64 " events dropped (seq %" PRIu64 "..%" PRIu64
			")\n", seq - tr->last_seq - 1, tr->last_seq + 1, seq - 1);
		tr->dropped += seq - tr->last_seq - 1;
	}
	tr->last_seq = seq;
	tr->events++;
	if (tr->print && tr->c->json)
		print_json(e);
	else if (tr->print)
		print_line(e);
	if (tr->t && !tr->err) {
		r = axs_trace_event(tr->t, e);
		if (r < 0)
			tr->err = r;
	}
}

/* Read what is ready; 0, or XC_FAIL after printing the error. */
static int drain(struct tracer *tr, int fd)
{
	struct amdxsched_event ev[READ_BATCH];
	ssize_t n, i;

	do {
		n = axs_events_read(fd, ev, READ_BATCH);
		if (n < 0) {
			xc_err((int)-n, "read events");
			return XC_FAIL;
		}
		for (i = 0; i < n; i++)
			one(tr, &ev[i]);
	} while (n == READ_BATCH);
	if (tr->print)
		fflush(stdout);
	return XC_OK;
}

static int run(struct tracer *tr, int fd, uint64_t seconds_ns)
{
	uint64_t deadline = seconds_ns ? axs_now_ns() + seconds_ns : UINT64_MAX;
	int r = XC_OK;

	while (!r && !xc_stopped() && axs_now_ns() < deadline) {
		if (xc_wait_until(deadline, fd) == 1)
			r = drain(tr, fd);
	}
	/* What happened before the end still belongs in the trace. */
	if (!r)
		r = drain(tr, fd);
	return r;
}

static int trace_opts(int argc, char **argv, uint64_t *seconds, const char **output,
		      bool *quiet)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = xc_getopt(argc, argv, "s:o:q", opts)) != -1) {
		if (o == 's') {
			if (xc_parse_duration("--seconds", optarg, 1000000000, seconds))
				return XC_USAGE;
		} else if (o == 'o') {
			*output = optarg;
		} else if (o == 'q') {
			*quiet = true;
		} else {
			return XC_USAGE;
		}
	}
	if (optind < argc)
		return xc_usage("trace: unexpected argument '%s'", argv[optind]);
	return XC_OK;
}

/* GPU tracks named as amd-smi names the GPUs, where KFD knows them. */
static void label_gpus(struct axs_trace *t, int fd)
{
	struct amdxsched_gpu_info *g = NULL;
	uint32_t n = 0;
	char label[128];

	if (axs_list_gpus(fd, &g, &n))
		return;
	for (uint32_t i = 0; i < n; i++) {
		const struct axs_gpu_name *nm = xc_gpu_name(g[i].kfd_gpu_id);

		if (nm) {
			axs_gpu_name_label(nm, label, sizeof(label));
			axs_trace_gpu_label(t, g[i].gpu_id, label);
		}
	}
	free(g);
}

int xc_trace(struct xc *c, int argc, char **argv)
{
	struct tracer tr = { .c = c };
	const char *output = NULL;
	uint64_t seconds = 0;
	struct amdxsched_version v;
	bool quiet = false;
	int fd, r;

	r = trace_opts(argc, argv, &seconds, &output, &quiet);
	if (r)
		return r;
	tr.print = !quiet && !(output && !strcmp(output, "-"));
	if (xc_catch_signals()) {
		xc_err(errno, "signals");
		return XC_FAIL;
	}
	fd = xc_open(c, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return XC_FAIL;
	r = axs_version(fd, &v);
	if (!r)
		r = axs_events_config(fd, axs_events_mask_all(&v), RING_ENTRIES);
	if (r < 0) {
		xc_err(-r, "subscribe to events");
		close(fd);
		return XC_FAIL;
	}
	if (output) {
		tr.t = axs_trace_open(output);
		if (!tr.t) {
			xc_err(errno, "open %s", output);
			close(fd);
			return XC_FAIL;
		}
		label_gpus(tr.t, fd);
	}
	r = run(&tr, fd, seconds);
	close(fd);
	if (tr.t) {
		int e = axs_trace_close(tr.t);

		if (!tr.err)
			tr.err = e;
	}
	if (tr.err) {
		xc_err(-tr.err, "write trace %s", output);
		r = XC_FAIL;
	}
	if (tr.dropped)
		fprintf(stderr, "Warning: %" PRIu64 " of %" PRIu64 " events dropped\n",
			tr.dropped, tr.events + tr.dropped);
	return r;
}
