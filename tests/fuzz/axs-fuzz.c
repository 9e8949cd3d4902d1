// SPDX-License-Identifier: MIT
/*
 * axs-fuzz: coverage-guided fuzzing of /dev/amdxsched for a fixed time,
 * then the module's invariants through the ABI. TAP on stdout,
 * diagnostics on stderr. See tests/fuzz/README.md.
 *
 *   axs-fuzz --seconds N [--seed S] [--threads T] [--log PATH] [--corpus-out DIR]
 *   axs-fuzz --replay FILE [--last N] [--seconds N] [--log PATH]
 *   axs-fuzz --probe
 *
 * The supervisor (this process) forks T workers; each is a process, so
 * that each can have a simulated KFD process of its own (one per process),
 * with a helper thread and forked children of its own (exec.c). Workers
 * share the corpus, the coverage sets and pools of handles in shared
 * memory. Before running a program a worker writes it to --log in one
 * write(2): in the VM that is /dev/ttyS2, which the host keeps after a
 * panic, and tests/fuzz/repro.sh turns its tail into a --replay file.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS	16
#define REPLAY_MAX	4096
#define PROG_TEXT	16384

struct shared *sh;

struct corpus {
	pthread_mutex_t lock;	/* robust, process-shared */
	uint32_t n;
	struct prog p[CORPUS_MAX];
};

static struct corpus *corpus;

static struct {
	unsigned int seconds;
	uint64_t seed;
	unsigned int threads;
	const char *log;
	const char *replay;
	unsigned int last;
	const char *corpus_out;
	bool probe;
	bool selftest;
	bool verbose;
} opt = { .seconds = 60, .threads = 2 };

static int log_fd = -1;
static bool log_tty;
static int sup_fd = -1;		/* the supervisor's own; workers close it */
static unsigned int tap_n, tap_failed;

/* ------------------------------------------------------------------------ */
/* Output */

void tap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tap_failed += !ok;
}

void tap_skip(const char *name, const char *why)
{
	printf("ok %u %s # SKIP %s\n", ++tap_n, name, why);
	fflush(stdout);
}

void diag(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "axs-fuzz[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	write_all(STDERR_FILENO, buf, strlen(buf));
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

uint64_t now_ns(void)
{
	return axs_now_ns();
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------------ */
/* Fault injection: quiet and sparing while fuzzing, as it was afterwards */

/*
 * Each injected fault prints a stack trace unless verbose is 0, and the
 * harness takes a trace for a bug. Allocations that may sleep are left out
 * (ignore-gfp-wait, the kernel's default; the selftests turn it off): an
 * injected failure inside vmalloc, behind a kvzalloc() of a large batch,
 * prints a warning with a trace of its own. fail-nth then reaches user
 * copies and atomic allocations.
 */
static const struct {
	const char *path;
	const char *value;
} fault_settings[] = {
	{ "/sys/kernel/debug/fail_usercopy/verbose", "0" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "Y" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "Y" },
};

#define NFAULT	(sizeof(fault_settings) / sizeof(fault_settings[0]))

static char fault_saved[NFAULT][16];

static int read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int write_str(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

void fault_quiet(void)
{
	char now[16];
	unsigned int i;

	for (i = 0; i < NFAULT; i++) {
		if (read_str(fault_settings[i].path, fault_saved[i], sizeof(fault_saved[i])))
			continue;	/* no fault injection here */
		if (write_str(fault_settings[i].path, fault_settings[i].value) ||
		    read_str(fault_settings[i].path, now, sizeof(now)) ||
		    now[0] != fault_settings[i].value[0])
			diag("could not set %s to %s", fault_settings[i].path,
			     fault_settings[i].value);
	}
}

void fault_restore(void)
{
	unsigned int i;

	for (i = 0; i < NFAULT; i++)
		if (fault_saved[i][0] && write_str(fault_settings[i].path, fault_saved[i]))
			diag("could not restore %s", fault_settings[i].path);
}

/* ------------------------------------------------------------------------ */
/* Corpus */

static void corpus_lock(void)
{
	if (pthread_mutex_lock(&corpus->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&corpus->lock);	/* a worker was killed */
}

void corpus_add(const struct prog *p)
{
	static struct rng r = { 0x1234567 };

	corpus_lock();
	if (corpus->n < CORPUS_MAX)
		corpus->p[corpus->n++] = *p;
	else
		corpus->p[rng_below(&r, CORPUS_MAX)] = *p;
	pthread_mutex_unlock(&corpus->lock);
}

bool corpus_pick(struct prog *p, struct rng *r)
{
	bool ok = false;

	corpus_lock();
	if (corpus->n) {
		*p = corpus->p[rng_below(r, corpus->n)];
		ok = true;
	}
	pthread_mutex_unlock(&corpus->lock);
	return ok;
}

unsigned int corpus_count(void)
{
	unsigned int n;

	corpus_lock();
	n = corpus->n;
	pthread_mutex_unlock(&corpus->lock);
	return n;
}

static int shared_init(void)
{
	pthread_mutexattr_t a;
	int err;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	corpus = mmap(NULL, sizeof(*corpus), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || corpus == MAP_FAILED)
		return -ENOMEM;
	err = pthread_mutexattr_init(&a);
	if (!err)
		err = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (!err)
		err = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (!err)
		err = pthread_mutex_init(&corpus->lock, &a);
	pthread_mutexattr_destroy(&a);
	return -err;
}

/* ------------------------------------------------------------------------ */
/* Workers */

static bool stopping(void)
{
	return atomic_load(&sh->stop);
}

static void log_prog(const struct prog *p, unsigned int worker, uint64_t seq)
{
	static char text[PROG_TEXT];
	char id[48];
	size_t n;

	if (log_fd < 0)
		return;
	snprintf(id, sizeof(id), "%u.%llu", worker, (unsigned long long)seq);
	n = prog_format(p, id, text, sizeof(text));
	if (write_all(log_fd, text, n))
		diag("worker %u: writing the log failed", worker);
	/*
	 * A serial port's buffer is lost in a panic: wait until the program
	 * has left the guest before running it.
	 */
	while (log_tty && tcdrain(log_fd) && errno == EINTR)
		;
}

static void next_prog(struct prog *p, struct rng *r)
{
	static struct prog other;

	if (rng_chance(r, 80) && corpus_pick(p, r)) {
		if (!corpus_pick(&other, r))
			other.nops = 0;
		prog_mutate(p, &other, r);
	} else {
		prog_generate(p, r);
	}
}

static int fuzz_worker(unsigned int id)
{
	static struct prog p;
	struct worker_cfg cfg = { .id = id, .log_fd = log_fd };
	struct rng r;
	uint64_t seq = 0;
	int err;

	err = exec_init(&cfg);
	if (err) {
		diag("worker %u: setup: %s", id, strerror(-err));
		return 2;
	}
	rng_seed(&r, sh->seed ^ (0x9e3779b97f4a7c15ULL * (id + 1)));
	while (!stopping()) {
		unsigned int fresh;

		next_prog(&p, &r);
		log_prog(&p, id, ++seq);
		fresh = exec_prog(&p);
		atomic_fetch_add(&sh->execs, 1);
		if (fresh || (!cov_enabled() && rng_chance(&r, 5))) {
			corpus_add(&p);
			atomic_fetch_add(&sh->corpus_adds, 1);
		}
		if (seq % 64 == 0)
			exec_refresh_gpus();
	}
	exec_fini();
	return 0;
}

static int replay_worker(const struct prog *progs, unsigned int n, uint64_t until)
{
	struct worker_cfg cfg = { .id = 0, .log_fd = log_fd, .replay = true,
				  .verbose = opt.verbose };
	uint64_t seq = 0;
	unsigned int i;
	int err;

	err = exec_init(&cfg);
	if (err) {
		diag("replay: setup: %s", strerror(-err));
		return 2;
	}
	do {
		for (i = 0; i < n; i++) {
			log_prog(&progs[i], 0, ++seq);
			exec_prog(&progs[i]);
			atomic_fetch_add(&sh->execs, 1);
		}
	} while (now_ns() < until && !stopping());
	exec_fini();
	return 0;
}

static pid_t spawn(unsigned int id, const struct prog *progs, unsigned int n, uint64_t until)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(sup_fd);
	_exit(progs ? replay_worker(progs, n, until) : fuzz_worker(id));
}

/* Wait for the workers to stop by themselves; kill what does not. */
static bool stop_workers(pid_t *w, unsigned int n)
{
	uint64_t t0 = now_ns();
	unsigned int left = 0, i;
	bool ok = true, killed = false;

	atomic_store(&sh->stop, 1);
	for (i = 0; i < n; i++)
		left += w[i] > 0;
	while (left) {
		for (i = 0; i < n; i++) {
			int st;
			pid_t r;

			if (w[i] <= 0)
				continue;
			r = waitpid(w[i], &st, WNOHANG);
			if (r == 0)
				continue;
			if (r == w[i] && WIFSIGNALED(st)) {
				diag("worker %u died of signal %d", i, WTERMSIG(st));
				ok = false;
			} else if (r == w[i] && WEXITSTATUS(st)) {
				diag("worker %u exited with status %d", i, WEXITSTATUS(st));
				ok = false;
			}
			w[i] = 0;
			left--;
		}
		if (!left)
			break;
		if (!killed && now_ns() - t0 > 30000000000ULL) {
			diag("%u worker(s) still running 30 s after the stop: killing them", left);
			for (i = 0; i < n; i++)
				if (w[i] > 0)
					kill(w[i], SIGKILL);
			killed = true;
			ok = false;
		}
		if (killed && now_ns() - t0 > 90000000000ULL) {
			diag("%u worker(s) did not die: stuck in the kernel", left);
			return false;
		}
		sleep_ms(20);
	}
	return ok;
}

/* Children orphaned by a worker come to us (subreaper): reap them all. */
static bool reap_all(void)
{
	uint64_t t0 = now_ns();

	for (;;) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r < 0 && errno == ECHILD)
			return true;
		if (r > 0)
			continue;
		if (now_ns() - t0 > 30000000000ULL) {
			diag("children still alive 30 s after their workers");
			return false;
		}
		sleep_ms(20);
	}
}

/* ------------------------------------------------------------------------ */

/* The errors each ioctl got, most frequent first: what the fuzzer mostly hits. */
static void print_errnos(void)
{
	static const int known[] = { ERRNO_LIST };
	const unsigned int nk = sizeof(known) / sizeof(known[0]);
	unsigned int i, j, k;

	_Static_assert(sizeof(known) / sizeof(known[0]) == NERRNO, "NERRNO");

	for (i = 0; i < IOC_N; i++) {
		char line[512];
		size_t at = 0;
		bool shown[NERRNO + 1] = { false };

		for (k = 0; k < 4; k++) {
			unsigned int best = NERRNO + 1;

			for (j = 0; j <= nk; j++)
				if (!shown[j] && sh->errs[i][j] &&
				    (best > NERRNO || sh->errs[i][j] > sh->errs[i][best]))
					best = j;
			if (best > NERRNO)
				break;
			shown[best] = true;
			at += (size_t)snprintf(line + at, sizeof(line) - at, " %s %llu",
					       best < nk ? strerrorname_np(known[best]) : "other",
					       (unsigned long long)sh->errs[i][best]);
		}
		if (at)
			printf("# %s errors:%s\n", ioctls[i].name, line);
	}
}

static void print_stats(void)
{
	char line[1024];
	size_t at = 0;
	unsigned int i;

	for (i = 0; i < IOC_N + OP_NKINDS; i++) {
		const char *name = i < IOC_N ? ioctls[i].name : op_names[i - IOC_N];

		if (i >= IOC_N && i - IOC_N == OP_IOCTL)
			continue;
		at += (size_t)snprintf(line + at, sizeof(line) - at, " %s %llu/%llu", name,
				       (unsigned long long)sh->ok[i],
				       (unsigned long long)(sh->ok[i] + sh->fail[i]));
		if (at > 200 || i == IOC_N + OP_NKINDS - 1) {
			printf("# calls that succeeded/made:%s\n", line);
			at = 0;
		}
	}
	printf("# children forked and killed: %llu\n", (unsigned long long)sh->forks);
	print_errnos();
}

static int write_corpus(const char *dir)
{
	static char text[PROG_TEXT];
	char path[512], id[32];
	unsigned int i;
	int fd, err = 0;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	corpus_lock();
	for (i = 0; i < corpus->n && !err; i++) {
		size_t n;

		snprintf(path, sizeof(path), "%s/prog-%04u.txt", dir, i);
		snprintf(id, sizeof(id), "corpus.%u", i);
		n = prog_format(&corpus->p[i], id, text, sizeof(text));
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err = -errno;
			break;
		}
		err = write_all(fd, text, n);
		close(fd);
	}
	pthread_mutex_unlock(&corpus->lock);
	return err;
}

static void coverage_report(void)
{
	uint64_t pcs, edges;

	if (!cov_enabled()) {
		tap_skip("fuzz: KCOV coverage of the module",
			 "no /sys/kernel/debug/kcov: ran unguided (random and boundary values)");
		return;
	}
	cov_counts(&pcs, &edges);
	tap_ok(pcs > 0, "fuzz: KCOV coverage: %llu module PCs (KCOV call sites) and %llu edges hit",
	       (unsigned long long)pcs, (unsigned long long)edges);
	printf("# coverage: %llu PCs, %llu edges; the PCs are in the log as 'pc SECTION OFFSET' "
	       "lines: tests/fuzz/coverage.sh amdxsched.ko LOG gives hit/total call sites\n",
	       (unsigned long long)pcs, (unsigned long long)edges);
	if (log_fd >= 0 && cov_write(log_fd))
		diag("writing the coverage to the log failed");
}

/* The mid-run invariants, every 2 s; knob reset every 5 s. */
static void supervise(int fd, uint64_t until, struct gpu_snap *prev, const struct gpu_snap *start,
		      unsigned int *snaps, char *first_bad, size_t len)
{
	uint64_t t0 = now_ns(), last_report = t0;
	unsigned int tick = 0;
	char why[512];

	while (now_ns() < until) {
		sleep_ms(1000);
		tick++;
		if (tick % 2 == 0) {
			if (check_snapshot(fd, prev, why, sizeof(why))) {
				diag("invariant broken during the run: %s", why);
				if (!*first_bad)
					snprintf(first_bad, len, "%s", why);
			}
			(*snaps)++;
		}
		if (tick % 5 == 0 && check_knobs_reset(start))
			diag("could not reset the fault knobs");
		if (now_ns() - last_report >= 10000000000ULL) {
			uint64_t pcs, edges;

			cov_counts(&pcs, &edges);
			diag("%llu s: %llu execs, corpus %u, %llu PCs, %llu edges",
			     (unsigned long long)((now_ns() - t0) / 1000000000ULL),
			     (unsigned long long)atomic_load(&sh->execs),
			     corpus_count(), (unsigned long long)pcs, (unsigned long long)edges);
			last_report = now_ns();
		}
	}
}

static int load_replay(struct prog **out, unsigned int *n)
{
	struct stat st;
	unsigned int line;
	char *text;
	int fd, cnt, err = 0;
	ssize_t r;

	fd = open(opt.replay, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	text = calloc(1, (size_t)st.st_size + 1);
	*out = calloc(REPLAY_MAX, sizeof(**out));
	if (!text || !*out) {
		close(fd);
		free(text);
		return -ENOMEM;
	}
	r = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size) {
		free(text);
		return -EIO;
	}
	cnt = prog_parse_all(text, *out, REPLAY_MAX, &line);
	free(text);
	if (cnt < 0) {
		diag("%s:%u: not a program line", opt.replay, line);
		return -EINVAL;
	}
	*n = (unsigned int)cnt;
	if (opt.last && opt.last < *n) {
		memmove(*out, *out + (*n - opt.last), opt.last * sizeof(**out));
		*n = opt.last;
	}
	return *n ? 0 : -ENODATA;
}

static int probe_device(void)
{
	struct amdxsched_backend_info sim, kfd;
	struct amdxsched_version v;
	int fd = axs_open(O_RDONLY), err;

	if (fd < 0) {
		fprintf(stderr, "axs-fuzz: open %s: %s\n", AXS_DEVICE_PATH, strerror(-fd));
		return 1;
	}
	err = axs_version(fd, &v);
	if (!err)
		err = axs_backend_info(fd, AMDXSCHED_BACKEND_SIM, &sim);
	if (!err)
		err = axs_backend_info(fd, AMDXSCHED_BACKEND_KFD, &kfd);
	close(fd);
	if (err) {
		fprintf(stderr, "axs-fuzz: %s\n", strerror(-err));
		return 1;
	}
	printf("abi=%u.%u max_lease_ms=%u num_gpus=%u max_batch=%u sim=%u kfd=%u\n",
	       v.abi_major, v.abi_minor, v.max_lease_ms, v.num_gpus, v.max_batch, sim.status,
	       kfd.status);
	return 0;
}

static bool op_same(const struct op *a, const struct op *b)
{
	return a->kind == b->kind && a->who == b->who && a->fd == b->fd &&
	       (a->kind != OP_IOCTL || a->sub == b->sub) && a->nv == b->nv && a->na == b->na &&
	       !memcmp(a->v, b->v, a->nv * sizeof(a->v[0])) &&
	       !memcmp(a->a, b->a, a->na * sizeof(a->a[0]));
}

/* No device needed: generated and mutated programs survive their text form. */
static int selftest(void)
{
	static struct prog p, other, back[2];
	static char text[PROG_TEXT];
	unsigned int i, j, line;
	struct rng r;

	rng_seed(&r, opt.seed);
	for (i = 0; i < 20000; i++) {
		if (i % 8 == 0)
			prog_generate(&p, &r);
		else
			prog_mutate(&p, i % 3 ? NULL : &other, &r);
		if (i % 5 == 0)
			other = p;
		if (prog_format(&p, "selftest.0", text, sizeof(text)) >= sizeof(text) - 1 ||
		    prog_parse_all(text, back, 2, &line) != 1 || back[0].nops != p.nops) {
			fprintf(stderr, "axs-fuzz: program %u does not read back (line %u):\n%s",
				i, line, text);
			return 1;
		}
		for (j = 0; j < p.nops; j++) {
			if (!op_same(&p.ops[j], &back[0].ops[j])) {
				fprintf(stderr, "axs-fuzz: op %u of program %u differs:\n%s", j, i,
					text);
				return 1;
			}
		}
	}
	printf("axs-fuzz: selftest: 20000 programs read back as written\n");
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: axs-fuzz [--seconds N] [--seed S] [--threads T] [--log PATH]\n"
		"                [--corpus-out DIR]\n"
		"       axs-fuzz --replay FILE [--last N] [--seconds N] [--log PATH] [--verbose]\n"
		"       axs-fuzz --probe | --selftest\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "replay", required_argument, NULL, 'r' },
		{ "last", required_argument, NULL, 'n' },
		{ "corpus-out", required_argument, NULL, 'c' },
		{ "probe", no_argument, NULL, 'p' },
		{ "selftest", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool seconds = false;
	int c;

	opt.seed = now_ns() ^ ((uint64_t)getpid() << 32);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		char *end = NULL;

		errno = 0;
		switch (c) {
		case 's':
			opt.seconds = (unsigned int)strtoul(optarg, &end, 10);
			seconds = true;
			break;
		case 'S':
			opt.seed = strtoull(optarg, &end, 0);
			break;
		case 't':
			opt.threads = (unsigned int)strtoul(optarg, &end, 10);
			break;
		case 'n':
			opt.last = (unsigned int)strtoul(optarg, &end, 10);
			break;
		case 'l':
			opt.log = optarg;
			break;
		case 'r':
			opt.replay = optarg;
			break;
		case 'c':
			opt.corpus_out = optarg;
			break;
		case 'p':
			opt.probe = true;
			break;
		case 'T':
			opt.selftest = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (end && (*end || errno)) {
			fprintf(stderr, "axs-fuzz: bad number '%s'\n", optarg);
			return -EINVAL;
		}
	}
	if (optind != argc || !opt.threads || opt.threads > MAX_WORKERS) {
		usage(stderr);
		return -EINVAL;
	}
	if (opt.replay && !seconds)
		opt.seconds = 0;	/* once */
	return 0;
}

static int open_log(void)
{
	if (!opt.log)
		return 0;
	log_fd = open(opt.log, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return -errno;
	log_tty = isatty(log_fd);
	return 0;
}

int main(int argc, char **argv)
{
	static struct gpu_snap start, prev;
	struct amdxsched_version v;
	struct prog *progs = NULL;
	unsigned int nprogs = 0, i, snaps = 0;
	pid_t workers[MAX_WORKERS] = { 0 };
	char first_bad[512] = "";
	uint64_t t0, until, execs;
	bool ok;
	int fd, err;

	if (parse_args(argc, argv))
		return 2;
	if (opt.probe)
		return probe_device();
	if (opt.selftest)
		return selftest();
	printf("TAP version 13\n");
	if (shared_init() || open_log()) {
		fprintf(stderr, "axs-fuzz: setup: %s\n", strerror(errno));
		return 2;
	}
	if (opt.replay) {
		err = load_replay(&progs, &nprogs);
		if (err) {
			fprintf(stderr, "axs-fuzz: %s: %s\n", opt.replay, strerror(-err));
			return 2;
		}
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fd = sup_fd = axs_open(O_RDWR);
	if (fd < 0 || axs_version(fd, &v) || snap_gpus(fd, &start)) {
		tap_ok(false, "fuzz: %s opens and answers", AXS_DEVICE_PATH);
		printf("1..%u\n", tap_n);
		return 1;
	}
	sh->seed = opt.seed;
	sh->max_lease_ms = v.max_lease_ms;
	sh->supervisor = getpid();
	prev = start;
	cov_init();
	fault_quiet();
	if (!opt.replay) {
		static struct prog seeds[32];
		unsigned int ns;

		prog_seeds(seeds, 32, &ns);
		for (i = 0; i < ns; i++)
			corpus_add(&seeds[i]);
	}
	diag("seed 0x%llx, %u worker(s), %u s, %u simulated GPU(s), max_lease_ms %u%s",
	     (unsigned long long)opt.seed, opt.replay ? 1 : opt.threads, opt.seconds, v.num_gpus,
	     v.max_lease_ms, cov_enabled() ? ", KCOV" : ", unguided");

	t0 = now_ns();
	until = t0 + (uint64_t)opt.seconds * 1000000000ULL;
	sh->nworkers = opt.replay ? 1 : opt.threads;
	for (i = 0; i < sh->nworkers; i++) {
		workers[i] = spawn(i, progs, nprogs, until);
		if (workers[i] < 0) {
			diag("fork: %s", strerror(errno));
			workers[i] = 0;
		}
		sh->workers[i] = workers[i];
	}
	if (opt.replay) {
		/* The worker stops by itself once the programs have run (repeated till --seconds). */
		while (workers[0] > 0 && waitpid(workers[0], NULL, WNOHANG) == 0)
			sleep_ms(50);
		workers[0] = 0;
	} else {
		supervise(fd, until, &prev, &start, &snaps, first_bad, sizeof(first_bad));
	}
	ok = stop_workers(workers, sh->nworkers);
	ok = reap_all() && ok;
	execs = atomic_load(&sh->execs);
	{
		double secs = (double)(now_ns() - t0) / 1e9;

		if (opt.replay)
			tap_ok(execs > 0, "replay: %llu run(s) of %u program(s) from %s",
			       (unsigned long long)execs, nprogs, opt.replay);
		else
			tap_ok(execs > 0,
			       "fuzz: ran %.0f s, %llu execs (%.1f/s), %u workers, seed 0x%llx",
			       secs, (unsigned long long)execs, secs > 0 ? (double)execs / secs : 0.0,
			       opt.threads, (unsigned long long)opt.seed);
	}
	tap_ok(ok, "fuzz: every worker stopped by itself and every child was reaped");
	print_stats();
	if (sh->stuck)
		diag("a helper thread did not come out of a call for 10 s: %s", sh->stuck_op);
	tap_ok(!sh->stuck, "invariant: no call blocked past its signal for 10 s");
	coverage_report();
	tap_ok(!first_bad[0], "invariant: %u mid-run snapshots of queues, leases and counters%s%s",
	       snaps, first_bad[0] ? ": " : "", first_bad);
	close(fd);
	fault_restore();
	if (check_knobs_reset(&start))
		diag("could not reset the fault knobs");
	sleep_ms(300);		/* resumes retried every 100 ms come first */
	check_final(&start);
	if (opt.corpus_out && !opt.replay) {
		err = write_corpus(opt.corpus_out);
		if (err)
			diag("--corpus-out %s: %s", opt.corpus_out, strerror(-err));
		else
			printf("# corpus: %u programs in %s\n", corpus_count(), opt.corpus_out);
	}
	printf("1..%u\n", tap_n);
	free(progs);
	if (log_fd >= 0)
		close(log_fd);
	return tap_failed ? 1 : 0;
}
