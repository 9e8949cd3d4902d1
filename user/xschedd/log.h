/* SPDX-License-Identifier: MIT */
/*
 * Structured logs on stderr in logfmt (level=info msg="..." key=value), one
 * line per record: control characters are escaped (\n, \xNN). Under
 * systemd (JOURNAL_STREAM names stderr) each line starts with its syslog
 * priority, <3> for errors, which journald stores. LOG_DEBUG lines appear
 * only with --verbose.
 */
#ifndef XSD_LOG_H
#define XSD_LOG_H

#include <stdbool.h>

enum xsd_level { XSD_DEBUG, XSD_INFO, XSD_WARN, XSD_ERR };

extern bool xsd_log_verbose;

/* @fmt gives the key=value pairs after msg; values with spaces must be quoted. */
__attribute__((format(printf, 3, 4)))
void xsd_log(enum xsd_level level, const char *msg, const char *fmt, ...);

#endif /* XSD_LOG_H */
