// SPDX-License-Identifier: MIT
/*
 * systemd's service notification protocol (sd_notify(3)): datagrams such as
 * "READY=1" to the socket NOTIFY_SOCKET names, and the watchdog's period
 * from WATCHDOG_USEC (for this pid, WATCHDOG_PID). Written here rather than
 * linked from libsystemd because the VM's test builds are static and Debian
 * ships no static libsystemd; the protocol is systemd's stable interface.
 * Without NOTIFY_SOCKET (not under systemd) everything is a no-op.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

int xsd_notify(const char *state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	size_t n;
	ssize_t w;
	int fd;

	if (!path || !*path)
		return 0;
	n = strlen(path);
	/* a path, or an abstract socket written with a leading '@' */
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	w = w < 0 ? -errno : 0;
	close(fd);
	return (int)w;
}

uint64_t xsd_watchdog_ns(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;
	unsigned long long v;

	if (!us || !*us)
		return 0;
	if (pid && *pid && strtoul(pid, NULL, 10) != (unsigned long)getpid())
		return 0;	/* meant for another process */
	errno = 0;
	v = strtoull(us, &end, 10);
	if (errno || *end || !v || v > UINT64_MAX / 1000)
		return 0;
	return (uint64_t)v * 1000;
}
