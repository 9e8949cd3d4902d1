/* SPDX-License-Identifier: MIT */
/*
 * xschedd.conf: the policy's parameters and the rules that give processes a
 * class. Syntax and meaning in Documentation/xschedd.rst. Parsing is pure
 * (text in, struct out) so that it is unit-tested on the host.
 */
#ifndef XSD_CONFIG_H
#define XSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "axs_policy.h"

struct xsd_rule {
	unsigned int line;
	/* what to match; NULL or has_uid false = anything */
	char *exe, *comm, *cgroup, *tag;	/* fnmatch(3) patterns */
	bool has_uid;
	uint32_t uid;
	/*
	 * queue-priority=LO-HI: a queue rule. It matches the queues, created
	 * at an amdkfd priority in LO..HI, of the processes its other terms
	 * match, and its settings become those queues' own.
	 */
	bool has_qprio;
	uint32_t qprio_lo, qprio_hi;
	/* what to set; 0 / -1 = not set by this rule */
	int sched_class;
	int priority;
	uint32_t share;
	uint64_t deadline_ns;
};

struct xsd_config {
	struct axsp_config pol;
	uint32_t lease_ms;
	int default_class;
	bool trust_hints;	/* use the class a process gives itself */
	char metrics_listen[64];	/* "HOST:PORT", "" = off */
	struct xsd_rule *rules;
	size_t nrules;
};

void xsd_config_default(struct xsd_config *c);
/*
 * Parse @text (named @name in messages). 0 on success; else -EINVAL with
 * "NAME:LINE: what is wrong" in @err, and @out untouched.
 */
int xsd_config_parse(const char *text, const char *name, struct xsd_config *out,
		     char *err, size_t errlen);
/* Read and parse a file; -errno with the reason in @err if it cannot be read. */
int xsd_config_load(const char *path, struct xsd_config *out, char *err, size_t errlen);
void xsd_config_free(struct xsd_config *c);
/* The effective configuration in the file's own syntax. */
void xsd_config_print(const struct xsd_config *c, FILE *out);

/* What is known about a process when its class is decided. */
struct xsd_proc_facts {
	uint32_t pid, uid;
	const char *exe, *comm, *cgroup, *tag;	/* "" when unknown */
	/* what the process asked for itself (libhsa-xsched); 0 / -1 = nothing */
	int hint_class;
	int hint_priority;
	uint32_t hint_share;
	uint64_t hint_deadline_ns;
};

/*
 * The first matching rule (of those without queue-priority), then the
 * process's own hints (if trusted), then the default class. Returns the
 * matching rule's line, or 0.
 */
unsigned int xsd_resolve(const struct xsd_config *c, const struct xsd_proc_facts *f,
			 struct axsp_proc_attr *out);

/* What is known about a queue when its own class is decided. */
struct xsd_queue_facts {
	uint32_t app_priority;	/* 0..15, the amdkfd priority it was created with */
	/* what it was given for itself (SET_QUEUE_ATTR); 0 / -1 = nothing */
	int hint_class;
	int hint_priority;
	uint32_t hint_share;
	uint64_t hint_deadline_ns;
};

/*
 * A queue's own attributes, in place of its process's: field by field, the
 * first queue rule (queue-priority=) that matches the queue and its process
 * @f, then the queue's own hints (if trusted, and no process rule matches
 * @f: an admin's rule for a process is not undone by its queues). A queue that gets its own
 * class takes that class's defaults for what neither sets; one that does
 * not keeps its process's class (@proc, as xsd_resolve() gave it) and the
 * rest of @proc that neither sets. Returns true with @out filled if the
 * queue has attributes of its own, false if its process's apply; *@line is
 * the matching rule's line, or 0.
 */
bool xsd_resolve_queue(const struct xsd_config *c, const struct xsd_proc_facts *f,
		       const struct xsd_queue_facts *q, const struct axsp_proc_attr *proc,
		       struct axsp_proc_attr *out, unsigned int *line);

const char *xsd_class_name(int sched_class);
int xsd_class_parse(const char *s);

/*
 * metrics_listen: "127.0.0.1:9464", "[::1]:9464", ":9464" or "*:9464" (any
 * IPv4 address); numeric only, no resolver; port 1..65535. Fills @ss and
 * @len; 0, or -EINVAL. The config parser and the listener both use it, so
 * that --check refuses what start-up would.
 */
int xsd_metrics_addr(const char *hostport, struct sockaddr_storage *ss, socklen_t *len);

/*
 * The cgroup path a rule's cgroup= matches, from /proc/PID/cgroup's @text:
 * the unified hierarchy's ("0::/system.slice/x.service", cgroup v2 and
 * hybrid hosts), else, on cgroup v1 hosts, systemd's named hierarchy
 * ("1:name=systemd:/system.slice/x.service"), else the first hierarchy's.
 * @buf is "" if there is none or it does not fit.
 */
void xsd_cgroup_path(const char *text, char *buf, size_t len);

#endif /* XSD_CONFIG_H */
