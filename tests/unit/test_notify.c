// SPDX-License-Identifier: MIT
/*
 * Unit tests of xschedd's systemd notifications (user/xschedd/notify.c):
 * READY=1 and WATCHDOG=1 arrive as datagrams on the socket NOTIFY_SOCKET
 * names (a path, or an abstract name written "@..."), nothing is sent
 * without it, and WATCHDOG_USEC counts only for the pid WATCHDOG_PID names.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

#include "kselftest_harness.h"

/* A datagram socket bound at @name (abstract if it starts with '@'). */
static int listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		unlink(name);
	if (bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void expect_datagram(struct __test_metadata *_metadata, int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_STREQ(want, buf);
}

TEST(ready_and_watchdog_to_a_path)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/axs-notify-%d", getpid());
	fd = listener(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setenv("NOTIFY_SOCKET", path, 1));
	EXPECT_EQ(0, xsd_notify("READY=1"));
	expect_datagram(_metadata, fd, "READY=1");
	EXPECT_EQ(0, xsd_notify("WATCHDOG=1"));
	expect_datagram(_metadata, fd, "WATCHDOG=1");
	close(fd);
	unlink(path);
	/* nobody listens any more */
	EXPECT_NE(0, xsd_notify("READY=1"));
	unsetenv("NOTIFY_SOCKET");
}

TEST(abstract_socket)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@axs-notify-test-%d", getpid());
	fd = listener(name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setenv("NOTIFY_SOCKET", name, 1));
	EXPECT_EQ(0, xsd_notify("STOPPING=1"));
	expect_datagram(_metadata, fd, "STOPPING=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

TEST(nothing_without_systemd)
{
	unsetenv("NOTIFY_SOCKET");
	EXPECT_EQ(0, xsd_notify("READY=1"));
	ASSERT_EQ(0, setenv("NOTIFY_SOCKET", "relative/path", 1));
	EXPECT_EQ(-EINVAL, xsd_notify("READY=1"));
	unsetenv("NOTIFY_SOCKET");
}

TEST(watchdog_period)
{
	char pid[16];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	EXPECT_EQ(0, xsd_watchdog_ns());
	ASSERT_EQ(0, setenv("WATCHDOG_USEC", "10000000", 1));
	EXPECT_EQ(10000000000ULL, xsd_watchdog_ns());
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, setenv("WATCHDOG_PID", pid, 1));
	EXPECT_EQ(10000000000ULL, xsd_watchdog_ns());
	ASSERT_EQ(0, setenv("WATCHDOG_PID", "1", 1));	/* another process's */
	EXPECT_EQ(0, xsd_watchdog_ns());
	unsetenv("WATCHDOG_PID");
	ASSERT_EQ(0, setenv("WATCHDOG_USEC", "10s", 1));
	EXPECT_EQ(0, xsd_watchdog_ns());
	unsetenv("WATCHDOG_USEC");
}

TEST_HARNESS_MAIN
