/* SPDX-License-Identifier: MIT */
/*
 * axs_trace: writes amdxsched events as a Chrome trace event file (JSON
 * object format), loadable by ui.perfetto.dev and chrome://tracing.
 *
 * Layout: one trace "process" per GPU (pid = GPU id, named "GPU <id>"), with
 * a "decisions" track (tid 0) for axs_trace_instant(), a "gpu events" track
 * (tid 1) for GPU-wide events, and two tracks per queue: its suspensions
 * and its busy periods. Process events (PROC_*) go to a "processes" trace
 * process (pid AXS_TRACE_PID_PROCS). Timestamps are CLOCK_MONOTONIC.
 */
#ifndef AXS_TRACE_H
#define AXS_TRACE_H

#include <stdint.h>

#include <linux/amdxsched.h>

/* The trace pid of events that belong to no GPU (AMDXSCHED_GPU_ANY). */
#define AXS_TRACE_PID_PROCS	1000000

struct axs_trace;

/* NULL and errno on failure; "-" writes to stdout. */
struct axs_trace *axs_trace_open(const char *path);
/* Ends open slices, writes the closing bracket, frees @t: 0 or -errno. */
int axs_trace_close(struct axs_trace *t);

/*
 * One module event as trace events: QUEUE_SUSPENDED/RESUMED and
 * QUEUE_BUSY/IDLE as slices (an end whose begin was not seen is skipped),
 * everything else as an instant event with its data as args. 0 or -errno.
 */
int axs_trace_event(struct axs_trace *t, const struct amdxsched_event *ev);

/*
 * An instant event on GPU @gpu_id's "decisions" track. @args_json is the
 * text of a JSON object (written as is: it must be valid) or NULL.
 */
int axs_trace_instant(struct axs_trace *t, uint64_t ts_ns, uint32_t gpu_id,
		      const char *name, const char *args_json);

/*
 * Name GPU @gpu_id's trace process "GPU <id> (<label>)" (e.g. "amd-smi 3,
 * 0000:c1:00.0"), if called before its first event. 0 or -ENOMEM.
 */
int axs_trace_gpu_label(struct axs_trace *t, uint32_t gpu_id, const char *label);

/* "QUEUE_SUSPENDED" etc., or "UNKNOWN" for a type this code does not know. */
const char *axs_event_type_name(unsigned int type);

#endif /* AXS_TRACE_H */
