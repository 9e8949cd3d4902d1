/* SPDX-License-Identifier: MIT */
/*
 * xschedctl: shared declarations of the command files. Commands return the
 * process exit status: XC_OK, XC_FAIL (device, ioctl, daemon) or XC_USAGE.
 */
#ifndef XSCHEDCTL_H
#define XSCHEDCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "axs.h"
#include "axs_gpuname.h"

#ifndef AXS_VERSION
#define AXS_VERSION		"unknown"	/* the Makefile reads it from VERSION */
#endif
#define XSCHEDCTL_VERSION	AXS_VERSION

enum { XC_OK = 0, XC_FAIL = 1, XC_USAGE = 2 };

struct xc {
	bool json;
	const char *dev;	/* device path */
	const char *sock;	/* xschedd control socket */
};

struct xc_cmd {
	const char *name;
	int (*run)(struct xc *c, int argc, char **argv);
	const char *usage;	/* arguments, after the command name */
};

/* Commands (argv[0] is the command name). */
int xc_list(struct xc *c, int argc, char **argv);
int xc_top(struct xc *c, int argc, char **argv);
int xc_stats(struct xc *c, int argc, char **argv);
int xc_suspend(struct xc *c, int argc, char **argv);
int xc_resume(struct xc *c, int argc, char **argv);
int xc_priority(struct xc *c, int argc, char **argv);
int xc_queue_class(struct xc *c, int argc, char **argv);
int xc_cumask(struct xc *c, int argc, char **argv);
int xc_policy(struct xc *c, int argc, char **argv);
int xc_trace(struct xc *c, int argc, char **argv);
int xc_doctor(struct xc *c, int argc, char **argv);

/* "Error: <what>: <strerror(err)>" (err > 0) or "Error: <what>" (err 0). */
void xc_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: prints "Error: <what>" and returns XC_USAGE. */
int xc_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage line of a command, on stdout (help) or stderr. */
void xc_print_usage(FILE *f, const char *cmd);

/*
 * Parse argv with getopt_long; returns the option, -1 at the end, or '?'
 * after printing an error for an unknown option or a missing argument.
 */
struct option;
int xc_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Open the device; on failure prints the error and returns -1. */
int xc_open(const struct xc *c, int flags);

/* Numbers: 0, or a usage error message printed and XC_USAGE returned. */
int xc_parse_u64(const char *what, const char *s, uint64_t max, uint64_t *out);
int xc_parse_u32(const char *what, const char *s, uint32_t max, uint32_t *out);
/* "500ms", "5s", "1m", "250us", or a bare number in @unit_ns units. */
int xc_parse_duration(const char *what, const char *s, uint64_t unit_ns, uint64_t *ns);

/* SIGINT/SIGTERM set a flag that xc_wait_until() and xc_stopped() see. */
int xc_catch_signals(void);
bool xc_stopped(void);
/*
 * Sleep until CLOCK_MONOTONIC @deadline_ns, a signal, or @fd readable (fd < 0:
 * none). Returns 1 if fd is readable, 0 otherwise (time or signal).
 */
int xc_wait_until(uint64_t deadline_ns, int fd);

/* Check stdout after the last output: XC_FAIL on a write error. */
int xc_flush_stdout(void);

/* Human text for an entry of a batch status array. */
const char *xc_status_str(int32_t st);

/* Ask xschedd: the response in *resp (malloc'd, NUL-terminated). 0 or -errno. */
int xc_daemon_request(const char *sock, const char *req, char **resp);

/*
 * The same, with errors (connection, or an "error: " response) printed:
 * XC_OK with *resp set, or XC_FAIL.
 */
int xc_daemon_ask(const struct xc *c, const char *req, char **resp);

/*
 * The other names of the KFD GPU @kfd_gpu_id (amd-smi index, PCI address,
 * unique id, marketing name), or NULL (a simulated GPU, or no KFD). Read
 * once per run.
 */
const struct axs_gpu_name *xc_gpu_name(uint32_t kfd_gpu_id);

/* "gfx942" from 90402. */
void xc_gfx_name(uint32_t v, char *buf, size_t len);

/* A minimal JSON writer: commas and nesting are tracked for the caller. */
struct jw {
	FILE *f;
	int depth;
	bool comma[16];
};

void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w, const char *key);	/* key NULL inside arrays */
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_dbl(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_null(struct jw *w, const char *key);
/* Ends the document with a newline. */
void jw_end(struct jw *w);

/* amdsmi_index, pci, unique_id and name of a GPU's JSON object (null if unknown). */
void xc_json_gpu_names(struct jw *w, uint32_t kfd_gpu_id);

#endif /* XSCHEDCTL_H */
