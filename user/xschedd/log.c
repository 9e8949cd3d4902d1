// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

bool xsd_log_verbose;

/*
 * Under systemd, stderr is a journal stream, which JOURNAL_STREAM names by
 * device and inode: each line then starts with its syslog priority ("<3>"
 * for an error, sd-daemon(3)), so that journald stores it at that level
 * instead of all at info. Anywhere else the lines stay plain.
 */
static bool stderr_is_journal(void)
{
	static int known = -1;
	unsigned long long dev, ino;
	const char *e;
	struct stat st;

	if (known < 0) {
		e = getenv("JOURNAL_STREAM");
		known = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
			!fstat(STDERR_FILENO, &st) && (unsigned long long)st.st_dev == dev &&
			(unsigned long long)st.st_ino == ino;
	}
	return known;
}

/* One record per line: control characters in values cannot start another. */
static void put_escaped(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\n')
			fputs("\\n", stderr);
		else if (ch == '\r')
			fputs("\\r", stderr);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(stderr, "\\x%02x", ch);
		else
			fputc(ch, stderr);
	}
}

void xsd_log(enum xsd_level level, const char *msg, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	static const char prio[] = { '7', '6', '4', '3' };
	char buf[1024];
	va_list ap;

	if (level == XSD_DEBUG && !xsd_log_verbose)
		return;
	buf[0] = '\0';
	if (fmt && *fmt) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
	}
	flockfile(stderr);
	if (stderr_is_journal())
		fprintf(stderr, "<%c>", prio[level]);
	fprintf(stderr, "level=%s msg=\"", names[level]);
	put_escaped(msg);
	fputc('"', stderr);
	if (buf[0]) {
		fputc(' ', stderr);
		put_escaped(buf);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
}
