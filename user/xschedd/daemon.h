/* SPDX-License-Identifier: MIT */
/*
 * xschedd's state, shared by its parts: sync.c keeps the policy in step
 * with the module (events in, decisions out, leases), control.c answers the
 * control socket and serves metrics, xschedd.c runs the loop.
 */
#ifndef XSD_DAEMON_H
#define XSD_DAEMON_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axs.h"
#include "axs_policy.h"
#include "axs_trace.h"
#include "config.h"

#ifndef AXS_VERSION
#define AXS_VERSION		"unknown"	/* the Makefile reads it from VERSION */
#endif
#define XSD_VERSION		AXS_VERSION
#define XSD_DEFAULT_CONFIG	"/etc/xschedd.conf"
#define XSD_DEFAULT_SOCKET	"/run/xschedd.sock"

#define XSD_PAST_LEASES		256
#define XSD_RETRY_NS		100000000ULL	/* after a failed resume */
/* After a refused suspension: doubling from MIN to MAX while refusals last. */
#define XSD_BACKOFF_MIN_NS	1000000ULL
#define XSD_BACKOFF_MAX_NS	1000000000ULL
/* After a suspension refused as held by someone else: look at it again (sync.c) */
#define XSD_FOREIGN_RECHECK_NS	2000000000ULL

/* One suspension call of ours: its queues resume when it is not renewed. */
struct xsd_lease {
	uint64_t id;
	uint32_t gpu_id;
	uint32_t n;
	uint64_t *handles;
};

/* Reaction time: busy event (module timestamp) to suspend call returned. */
#define XSD_REACT_BUCKETS	12
#define XSD_REACT_SAMPLES	4096	/* the last ones, for percentiles in the log */
extern const uint64_t xsd_react_le_ns[XSD_REACT_BUCKETS];

struct xsd_metrics {
	uint64_t events[AMDXSCHED_EVENT_MAX + 1];
	uint64_t events_dropped;
	uint64_t resyncs;
	uint64_t decisions;
	uint64_t calls[5];		/* suspend, resume, priority, cu mask, apply ioctls */
	uint64_t remaps;		/* what our APPLY calls cost, as the module says */
	uint64_t call_errors;
	uint64_t queues_suspended;	/* by our calls */
	uint64_t queues_resumed;
	uint64_t lease_renewals;
	uint64_t leases_lost;		/* expired before we renewed: we were late */
	uint64_t reloads, reload_errors;
	uint64_t react_count, react_sum_ns, react_max_ns;
	uint64_t react_bucket[XSD_REACT_BUCKETS];	/* cumulative counts per le */
	uint32_t react_sample[XSD_REACT_SAMPLES];	/* ns, saturated */
};

/*
 * What a process was classified by (its facts) and as (its attributes),
 * kept while it lives: its queues' own classes are decided from both
 * (xsd_resolve_queue()), when they appear and again when it changes.
 */
struct xsd_proc {
	uint32_t pid, uid;
	char *exe, *comm, *cgroup, *tag;
	struct axsp_proc_attr a;
};

struct xsd {
	const char *config_path;
	const char *socket_path;
	const char *trace_path;
	int policy_override;		/* --policy, kept over reloads; -1 = none */
	struct xsd_config cfg;
	int fd;				/* /dev/amdxsched, O_RDWR */
	struct amdxsched_version ver;
	struct axsp *pol;
	struct axs_trace *trace;
	struct xsd_lease *leases;
	uint32_t nleases;
	uint64_t past_leases[XSD_PAST_LEASES];	/* ended leases of ours, a ring */
	uint32_t past_next;
	uint64_t last_seq;		/* of the last event read */
	uint64_t next_renew_ns;
	uint64_t next_decide_ns;
	bool dirty;			/* something changed: decide now */
	uint64_t pending_busy_ns;	/* oldest busy event not yet acted on */
	uint64_t refusals;		/* suspensions refused in a row */
	uint64_t refusal_backoff_ns;	/* wait before the next try; 0 after a success */
	uint64_t refusal_retry_ns;	/* no suspension is sent before this */
	int refusal_err;		/* the last refusal's -errno */
	uint64_t foreign_recheck_ns;	/* foreign_recheck() owed then; UINT64_MAX none */
	uint64_t watchdog_ns;		/* systemd's WatchdogSec, 0 if none */
	uint64_t next_watchdog_ns;	/* the main loop's next keep-alive */
	uint64_t started_ns;
	uint32_t ngpus, nprocs, nqueues;
	struct xsd_proc *procs;		/* sorted by pid */
	uint32_t nknown, cap_known;
	/*
	 * GPUs whose backend suspends whole processes (no BCAP_PER_QUEUE: kfd
	 * on Linux 6.1): a queue there keeps its process's class, or
	 * suspending its best-effort queue would stop its realtime one too.
	 */
	uint32_t *whole_gpus;
	uint32_t nwhole;
	bool whole_said;		/* that was logged */
	struct xsd_metrics m;
};

/* sync.c */
int xsd_sync_start(struct xsd *d);
int xsd_sync_events(struct xsd *d);
int xsd_sync_decide(struct xsd *d, uint64_t now);
int xsd_sync_renew(struct xsd *d, uint64_t now);
int xsd_sync_reresolve(struct xsd *d);
void xsd_sync_free(struct xsd *d);
uint32_t xsd_suspended_count(const struct xsd *d);

/* control.c */
int xsd_control_open(struct xsd *d);
/* Fill @fds (room for @max) with the descriptors to poll; returns the count. */
int xsd_control_pollfds(struct xsd *d, struct pollfd *fds, int max);
void xsd_control_handle(struct xsd *d, const struct pollfd *fds, int n);
void xsd_control_close(struct xsd *d);
/* Reload the config file: 0, or -EINVAL with the message in @err. */
int xsd_reload(struct xsd *d, char *err, size_t errlen);

#endif /* XSD_DAEMON_H */
