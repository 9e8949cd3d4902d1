// SPDX-License-Identifier: MIT
/*
 * xschedctl: control tool for amdxsched (list, suspend, resume, priorities,
 * CU masks, events) and the xschedd daemon. Documentation/xschedctl.rst.
 * This file: global options, command dispatch and shared helpers.
 */
#include "xschedctl.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "axs_parse.h"

#define DEFAULT_SOCKET		"/run/xschedd.sock"
#define DAEMON_TIMEOUT_S	5
#define DAEMON_MAX_RESPONSE	(1 << 20)

static int xc_help(struct xc *c, int argc, char **argv);

static const struct xc_cmd cmds[] = {
	{ "list", xc_list, "[gpus|procs|queues] [--pid PID] [--gpu ID]" },
	{ "top", xc_top, "[--interval MS] [--iterations N] [--pid PID] [--gpu ID]\n"
	  "    [--sort handle|pid|gpu|suspended|busy|dispatches]" },
	{ "suspend", xc_suspend, "HANDLE... [--level 2|3] [--for DURATION] [--lease MS]" },
	{ "resume", xc_resume, "HANDLE... [--force]" },
	{ "priority", xc_priority, "HANDLE PRIO [HANDLE PRIO...]" },
	{ "queue-class", xc_queue_class, "HANDLE realtime|normal|best-effort|inherit" },
	{ "cumask", xc_cumask,
	  "HANDLE (MASK | --cus LIST | --fraction F) [--gpu-topology]" },
	{ "policy", xc_policy, "[show | set NAME]" },
	{ "stats", xc_stats, "[--gpu ID] [--daemon]" },
	{ "trace", xc_trace, "[--seconds N] [--output FILE] [--quiet]" },
	{ "doctor", xc_doctor, "" },
	{ "help", xc_help, "[COMMAND]" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* The signal mask to sleep with; SIGINT/SIGTERM are blocked otherwise. */
static sigset_t sleep_mask;
static volatile sig_atomic_t stop_signal;

void xc_err(int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

int xc_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'xschedctl help')\n", stderr);
	return XC_USAGE;
}

static const struct xc_cmd *find_cmd(const char *name, int *ambiguous)
{
	const struct xc_cmd *hit = NULL;
	size_t i, len = strlen(name);

	*ambiguous = 0;
	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	if (!len)
		return NULL;
	for (i = 0; i < NCMDS; i++) {
		if (strncmp(cmds[i].name, name, len))
			continue;
		if (hit) {
			*ambiguous = 1;
			return NULL;
		}
		hit = &cmds[i];
	}
	return hit;
}

void xc_print_usage(FILE *f, const char *cmd)
{
	int amb;
	const struct xc_cmd *k = find_cmd(cmd, &amb);

	if (k)
		fprintf(f, "Usage: xschedctl [OPTIONS] %s %s\n", k->name, k->usage);
}

static void help(FILE *f)
{
	size_t i;

	fputs("Usage: xschedctl [OPTIONS] COMMAND [ARGS]\n"
	      "Control AMD GPU compute queues through /dev/amdxsched.\n\n"
	      "Options:\n"
	      "  -j, --json          machine-readable output\n"
	      "  -d, --device PATH   device (default " AXS_DEVICE_PATH ")\n"
	      "  -S, --socket PATH   xschedd socket (default $XSCHEDD_SOCKET or "
	      DEFAULT_SOCKET ")\n"
	      "  -h, --help          this help\n"
	      "  -V, --version       versions of xschedctl and the module\n\n"
	      "Commands:\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-11s %s\n", cmds[i].name, cmds[i].usage);
	fputs("\nCommands may be abbreviated to a unique prefix. Exit status: 0 success,\n"
	      "1 failure, 2 usage error. See Documentation/xschedctl.rst.\n", f);
}

static int xc_help(struct xc *c, int argc, char **argv)
{
	int amb;

	(void)c;
	if (argc > 2)
		return xc_usage("help: too many arguments");
	if (argc == 2) {
		if (!find_cmd(argv[1], &amb))
			return xc_usage("help: unknown command '%s'", argv[1]);
		xc_print_usage(stdout, argv[1]);
	} else {
		help(stdout);
	}
	return xc_flush_stdout();
}

int xc_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	char buf[64];
	int o;

	/* Leading ':' (after a '+') makes a missing argument return ':'. */
	if (shortopts[0] == '+')
		snprintf(buf, sizeof(buf), "+:%s", shortopts + 1);
	else
		snprintf(buf, sizeof(buf), ":%s", shortopts);
	opterr = 0;
	o = getopt_long(argc, argv, buf, longopts, NULL);
	if (o == ':') {
		xc_usage("option '%s' needs an argument", argv[optind - 1]);
		return '?';
	}
	if (o == '?') {
		char opt[64];

		if (optopt && optopt < 256)
			snprintf(opt, sizeof(opt), "-%c", optopt);
		else
			snprintf(opt, sizeof(opt), "%s", argv[optind - 1]);
		/* -j, -d, -S after the command: say where they go */
		if (!strcmp(opt, "-j") || !strcmp(opt, "-d") || !strcmp(opt, "-S") ||
		    !strcmp(opt, "--json") || !strncmp(opt, "--device", 8) ||
		    !strncmp(opt, "--socket", 8))
			xc_usage("'%s' is a global option: put it before the command "
				 "(xschedctl %s %s ...)", opt, opt, argv[0]);
		else
			xc_usage("unknown option '%s'", opt);
	}
	return o;
}

int xc_open(const struct xc *c, int flags)
{
	struct amdxsched_version v;
	int fd, r;

	fd = open(c->dev, flags | O_CLOEXEC);
	if (fd < 0) {
		xc_err(errno, "open %s", c->dev);
		return -1;
	}
	r = axs_version(fd, &v);
	if (r < 0) {
		xc_err(-r, "%s: version", c->dev);
		close(fd);
		return -1;
	}
	if (v.abi_major != AMDXSCHED_ABI_MAJOR) {
		xc_err(0, "%s: module ABI %" PRIu32 ".%" PRIu32 ", xschedctl needs %d.x",
		       c->dev, v.abi_major, v.abi_minor, AMDXSCHED_ABI_MAJOR);
		close(fd);
		return -1;
	}
	return fd;
}

int xc_parse_u64(const char *what, const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return xc_usage("%s '%s': not a number", what, s);
	v = strtoull(s, &end, 0);
	if (*end)
		return xc_usage("%s '%s': not a number", what, s);
	if (errno || v > max)
		return xc_usage("%s '%s': out of range (max %" PRIu64 ")", what, s, max);
	*out = v;
	return 0;
}

int xc_parse_u32(const char *what, const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int r = xc_parse_u64(what, s, max, &v);

	if (!r)
		*out = (uint32_t)v;
	return r;
}

/* axs_parse_duration_unit(): the grammar xschedd.conf uses too. */
int xc_parse_duration(const char *what, const char *s, uint64_t unit_ns, uint64_t *ns)
{
	int r = axs_parse_duration_unit(s, unit_ns, ns);

	if (r == -ERANGE)
		return xc_usage("%s '%s': too long", what, s);
	if (r)
		return xc_usage("%s '%s': not a duration (e.g. 500ms, 5s, 1m; units ns, us, "
				"ms, s, m, h)", what, s);
	return 0;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

int xc_catch_signals(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	/* Delivered only while sleeping in ppoll(): no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, &sleep_mask))
		return -errno;
	sigdelset(&sleep_mask, SIGINT);
	sigdelset(&sleep_mask, SIGTERM);
	return 0;
}

bool xc_stopped(void)
{
	return stop_signal != 0;
}

int xc_wait_until(uint64_t deadline_ns, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts, *tp = NULL;
	uint64_t now;
	int r;

	for (;;) {
		if (stop_signal)
			return 0;
		now = axs_now_ns();
		if (deadline_ns != UINT64_MAX) {
			if (now >= deadline_ns)
				return 0;
			ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000);
			ts.tv_nsec = (long)((deadline_ns - now) % 1000000000);
			tp = &ts;
		}
		r = ppoll(&pfd, fd >= 0 ? 1 : 0, tp, &sleep_mask);
		if (r > 0)
			return 1;
		if (r == 0 || (r < 0 && errno != EINTR))
			return 0;
	}
}

int xc_flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		xc_err(errno ? errno : EIO, "write to stdout");
		return XC_FAIL;
	}
	return XC_OK;
}

const char *xc_status_str(int32_t st)
{
	if (st == AMDXSCHED_STATUS_DONE)
		return "done";
	if (st == AMDXSCHED_STATUS_NOT_DONE)
		return "not done (another entry failed)";
	if (st < 0 && st > -4096)
		return strerror(-st);
	return "unknown status";
}

void xc_gfx_name(uint32_t v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "gfx%" PRIu32 "%" PRIx32 "%" PRIx32,
			 v / 10000, (v / 100) % 100, v % 100);
}

static int daemon_connect(const char *path)
{
	struct timeval tv = { .tv_sec = DAEMON_TIMEOUT_S };
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(int fd, char **resp)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 2) {
			if (cap >= DAEMON_MAX_RESPONSE) {
				free(buf);
				return -EMSGSIZE;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno == EAGAIN ? -ETIMEDOUT : -errno;

			free(buf);
			return err;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*resp = buf;
	return 0;
}

int xc_daemon_request(const char *sock, const char *req, char **resp)
{
	size_t len = strlen(req);
	char *line = malloc(len + 2);
	int fd, r;

	if (!line)
		return -ENOMEM;
	memcpy(line, req, len);
	memcpy(line + len, "\n", 2);
	fd = daemon_connect(sock);
	if (fd < 0) {
		free(line);
		return fd;
	}
	r = send_all(fd, line, len + 1);
	free(line);
	if (!r)
		r = recv_all(fd, resp);
	close(fd);
	return r;
}

int xc_daemon_ask(const struct xc *c, const char *req, char **resp)
{
	size_t len;
	int r = xc_daemon_request(c->sock, req, resp);

	if (r < 0) {
		xc_err(-r, "xschedd at %s", c->sock);
		return XC_FAIL;
	}
	if (strncmp(*resp, "error: ", 7))
		return XC_OK;
	len = strcspn(*resp + 7, "\n");
	xc_err(0, "xschedd: %.*s", (int)len, *resp + 7);
	free(*resp);
	*resp = NULL;
	return XC_FAIL;
}

static int version(const struct xc *c)
{
	struct amdxsched_version v;
	int fd, r = -ENOENT;

	printf("xschedctl %s (ABI %d.%d)\n", XSCHEDCTL_VERSION, AMDXSCHED_ABI_MAJOR,
	       AMDXSCHED_ABI_MINOR);
	fd = open(c->dev, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = axs_version(fd, &v);
		close(fd);
	}
	if (fd >= 0 && !r)
		printf("amdxsched module %s (ABI %" PRIu32 ".%" PRIu32 ")\n",
		       v.module_version, v.abi_major, v.abi_minor);
	else
		printf("amdxsched module: not available (%s: %s)\n", c->dev,
		       strerror(fd < 0 ? errno : -r));
	return xc_flush_stdout();
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

static int parse_global(struct xc *c, int argc, char **argv, int *show_version)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = xc_getopt(argc, argv, "+jd:S:hV", opts)) != -1) {
		switch (o) {
		case 'j':
			c->json = true;
			break;
		case 'd':
			c->dev = optarg;
			break;
		case 'S':
			c->sock = optarg;
			break;
		case 'h':
			help(stdout);
			exit(xc_flush_stdout());
		case 'V':
			*show_version = 1;
			break;
		default:
			return XC_USAGE;
		}
	}
	return XC_OK;
}

int main(int argc, char **argv)
{
	struct xc c = { .dev = AXS_DEVICE_PATH, .sock = getenv("XSCHEDD_SOCKET") };
	const struct xc_cmd *cmd;
	int show_version = 0, amb, r;

	if (!c.sock || !*c.sock)
		c.sock = DEFAULT_SOCKET;
	r = parse_global(&c, argc, argv, &show_version);
	if (r)
		return r;
	if (show_version)
		return version(&c);
	if (optind >= argc) {
		help(stderr);
		return XC_USAGE;
	}
	argc -= optind;
	argv += optind;
	cmd = find_cmd(argv[0], &amb);
	if (!cmd)
		return xc_usage("%s command '%s'", amb ? "ambiguous" : "unknown", argv[0]);
	if (wants_help(argc, argv)) {
		xc_print_usage(stdout, cmd->name);
		return xc_flush_stdout();
	}
	optind = 0;	/* glibc: start over for the command's own options */
	r = cmd->run(&c, argc, argv);
	if (r == XC_OK)
		r = xc_flush_stdout();
	return r;
}
