// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

bool xsd_log_verbose;

void xsd_log(enum xsd_level level, const char *msg, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	va_list ap;

	if (level == XSD_DEBUG && !xsd_log_verbose)
		return;
	flockfile(stderr);
	fprintf(stderr, "level=%s msg=\"%s\"", names[level], msg);
	if (fmt && *fmt) {
		fputc(' ', stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}
