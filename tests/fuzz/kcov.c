// SPDX-License-Identifier: MIT
/*
 * Coverage of amdxsched.ko through KCOV. The module is built with
 * KCOV_INSTRUMENT := y, so on a CONFIG_KCOV kernel every basic block of it
 * calls __sanitizer_cov_trace_pc(), which appends its return address to the
 * calling task's trace (task context only: timers and workqueues are not
 * traced). The kernel itself is not instrumented, but PCs are still kept
 * only inside the module, from /proc/modules and its sections in sysfs.
 *
 * KCOV records addresses minus the kernel's KASLR offset (canonicalize_ip);
 * that offset is _text from /proc/kallsyms minus its link address.
 *
 * The trace is the kernel's, written while the task runs: read as volatile.
 * Edges are hashes of consecutive PCs. Edge and PC sets live in shared
 * memory, inserted lock-free, so that all workers and their children
 * add to the same ones.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcov.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KCOV_PATH	"/sys/kernel/debug/kcov"
#define MOD_SYSFS	"/sys/module/amdxsched/sections"
#define COVER_WORDS	(1UL << 18)	/* PCs per trace */
#define EDGE_CAP	(1UL << 20)
#define PC_CAP		(1UL << 16)
#define START_KERNEL	0xffffffff81000000ULL	/* x86_64 __START_KERNEL */
#define MAX_SECTS	32

struct covset {
	uint64_t cap;
	_Atomic uint64_t count;
	_Atomic uint64_t slot[];	/* 0 = empty */
};

struct sect {
	char name[48];
	uint64_t addr;
};

static bool guided;
static bool filter;
static uint64_t lo, hi;		/* the module, in trace addresses */
static uint64_t kaslr;
static struct sect sects[MAX_SECTS];
static unsigned int nsects;
static struct covset *edges, *pcs;

bool cov_enabled(void)
{
	return guided;
}

bool cov_map_ok(void)
{
	return filter;
}

static struct covset *covset_new(uint64_t cap)
{
	struct covset *s = mmap(NULL, sizeof(*s) + cap * sizeof(uint64_t),
				PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED)
		return NULL;
	s->cap = cap;
	return s;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Insert @key; true if it was not there. */
static bool covset_add(struct covset *s, uint64_t key)
{
	uint64_t i, h, n = atomic_load_explicit(&s->count, memory_order_relaxed);

	if (!key)
		key = 1;
	if (n >= s->cap / 4 * 3)
		return false;	/* full enough: stop growing */
	h = mix(key);
	for (i = 0; i < s->cap; i++) {
		_Atomic uint64_t *slot = &s->slot[(h + i) & (s->cap - 1)];
		uint64_t cur = atomic_load_explicit(slot, memory_order_relaxed);

		if (cur == key)
			return false;
		if (cur == 0) {
			if (atomic_compare_exchange_strong(slot, &cur, key)) {
				atomic_fetch_add(&s->count, 1);
				return true;
			}
			if (cur == key)
				return false;
		}
	}
	return false;
}

/* ------------------------------------------------------------------------ */

int kcov_open(struct kcov *k)
{
	k->fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	k->words = COVER_WORDS;
	if (ioctl(k->fd, KCOV_INIT_TRACE, k->words)) {
		int err = -errno;

		close(k->fd);
		k->fd = -1;
		return err;
	}
	k->area = mmap(NULL, k->words * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
		       k->fd, 0);
	if (k->area == MAP_FAILED) {
		int err = -errno;

		close(k->fd);
		k->fd = -1;
		k->area = NULL;
		return err;
	}
	return 0;
}

void kcov_close(struct kcov *k)
{
	if (k->area)
		munmap(k->area, k->words * sizeof(uint64_t));
	if (k->fd >= 0)
		close(k->fd);
	k->area = NULL;
	k->fd = -1;
}

int kcov_enable(const struct kcov *k)
{
	if (k->fd < 0)
		return -EBADF;
	return ioctl(k->fd, KCOV_ENABLE, KCOV_TRACE_PC) ? -errno : 0;
}

int kcov_disable(const struct kcov *k)
{
	if (k->fd < 0)
		return -EBADF;
	return ioctl(k->fd, KCOV_DISABLE, 0) ? -errno : 0;
}

void kcov_reset(const struct kcov *k)
{
	if (k->area)
		*(volatile uint64_t *)&k->area[0] = 0;
}

static uint64_t trace_len(const struct kcov *k)
{
	uint64_t n = *(volatile uint64_t *)&k->area[0];

	return n < k->words - 1 ? n : k->words - 1;
}

static bool in_module(uint64_t pc)
{
	return !filter || (pc >= lo && pc < hi);
}

unsigned int cov_collect(const struct kcov *k)
{
	uint64_t n, i, prev = 0;
	unsigned int fresh = 0;

	if (!guided || !k->area)
		return 0;
	n = trace_len(k);
	for (i = 0; i < n; i++) {
		uint64_t pc = ((volatile uint64_t *)k->area)[1 + i];

		if (!in_module(pc))
			continue;
		covset_add(pcs, pc);
		fresh += covset_add(edges, mix(prev) ^ pc);
		prev = pc;
	}
	return fresh;
}

void cov_counts(uint64_t *npcs, uint64_t *nedges)
{
	*npcs = pcs ? atomic_load(&pcs->count) : 0;
	*nedges = edges ? atomic_load(&edges->count) : 0;
}

/* ------------------------------------------------------------------------ */
/* Where the module is */

static int read_text(const char *path, char *buf, size_t len)
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

/* The module's extent from /proc/modules: "amdxsched SIZE REFS DEPS STATE ADDR". */
static int module_extent(uint64_t *base, uint64_t *size)
{
	char line[512];
	FILE *f = fopen("/proc/modules", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sz, addr;

		if (strncmp(line, "amdxsched ", 10))
			continue;
		if (sscanf(line, "%*s %llu %*s %*s %*s %llx", &sz, &addr) == 2 && addr) {
			*base = addr;
			*size = sz;
			err = 0;
		}
		break;
	}
	fclose(f);
	return err;
}

/* Executable sections of the module, from sysfs. */
static int module_sections(void)
{
	DIR *d = opendir(MOD_SYSFS);
	struct dirent *e;
	char path[300], buf[64];

	if (!d)
		return -errno;
	nsects = 0;
	while ((e = readdir(d)) && nsects < MAX_SECTS) {
		unsigned long long a;

		if (!strstr(e->d_name, "text") || strlen(e->d_name) >= sizeof(sects[0].name))
			continue;
		snprintf(path, sizeof(path), MOD_SYSFS "/%s", e->d_name);
		if (read_text(path, buf, sizeof(buf)) || sscanf(buf, "%llx", &a) != 1 || !a)
			continue;
		memcpy(sects[nsects].name, e->d_name, strlen(e->d_name) + 1);
		sects[nsects++].addr = a;
	}
	closedir(d);
	return nsects ? 0 : -ENOENT;
}

static uint64_t kaslr_offset(void)
{
	char line[256];
	FILE *f = fopen("/proc/kallsyms", "re");
	uint64_t off = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, name[128];

		if (sscanf(line, "%llx %c %127s", &a, &type, name) == 3 && !strcmp(name, "_text")) {
			if (a >= START_KERNEL)
				off = a - START_KERNEL;
			break;
		}
	}
	fclose(f);
	return off;
}

/* Trace one open, VERSION and close; how many PCs, and how many in the module. */
static int probe(uint64_t *n, uint64_t *inside)
{
	struct amdxsched_version v;
	struct kcov k;
	uint64_t i;
	int fd, err;

	err = kcov_open(&k);
	if (err)
		return err;
	err = kcov_enable(&k);
	if (!err) {
		kcov_reset(&k);
		fd = axs_open(O_RDONLY);
		if (fd >= 0) {
			axs_version(fd, &v);
			close(fd);
		}
		*n = trace_len(&k);
		kcov_disable(&k);
		*inside = 0;
		for (i = 0; i < *n; i++)
			*inside += k.area[1 + i] >= lo && k.area[1 + i] < hi;
	}
	kcov_close(&k);
	return err;
}

int cov_init(void)
{
	uint64_t base = 0, size = 0, n = 0, inside = 0;
	int err;

	if (access(KCOV_PATH, R_OK | W_OK)) {
		err = -errno;
		diag("unguided: %s: %s (not a CONFIG_KCOV kernel, or debugfs not mounted)",
		     KCOV_PATH, strerror(errno));
		return err;
	}
	edges = covset_new(EDGE_CAP);
	pcs = covset_new(PC_CAP);
	if (!edges || !pcs) {
		diag("unguided: no memory for the coverage sets");
		return -ENOMEM;
	}
	err = module_extent(&base, &size);
	if (!err)
		err = module_sections();
	if (err)
		diag("module address unknown (%s): coverage not filtered, offsets unknown",
		     strerror(-err));
	kaslr = kaslr_offset();
	lo = base - kaslr;
	hi = base + size - kaslr;
	filter = !err;
	err = probe(&n, &inside);
	if (err) {
		diag("unguided: kcov: %s", strerror(-err));
		return err;
	}
	if (!n) {
		diag("unguided: KCOV traced nothing in the module (built without KCOV_INSTRUMENT?)");
		return -ENODATA;
	}
	if (filter && inside != n && kaslr) {
		/* Perhaps this kcov does not subtract the KASLR offset. */
		lo += kaslr;
		hi += kaslr;
		kaslr = 0;
		probe(&n, &inside);
	}
	if (filter && inside != n) {
		diag("%llu of %llu PCs outside the module's range: not filtering",
		     (unsigned long long)(n - inside), (unsigned long long)n);
		filter = false;
	}
	diag("guided by KCOV: module at 0x%llx (+%llu), KASLR offset 0x%llx, %u text sections",
	     (unsigned long long)base, (unsigned long long)size, (unsigned long long)kaslr,
	     nsects);
	guided = true;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The PCs hit, for tests/fuzz/coverage.sh */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const struct sect *sect_of(uint64_t addr)
{
	const struct sect *best = NULL;
	unsigned int i;

	for (i = 0; i < nsects; i++)
		if (sects[i].addr <= addr && (!best || sects[i].addr > best->addr))
			best = &sects[i];
	return best;
}

int cov_write(int fd)
{
	char buf[8192];
	size_t at = 0;
	uint64_t *v, n = 0, i;
	int err = 0;

	if (!guided)
		return 0;
	v = calloc(pcs->cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < pcs->cap; i++) {
		uint64_t pc = atomic_load(&pcs->slot[i]);

		if (pc)
			v[n++] = pc;
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	at += (size_t)snprintf(buf + at, sizeof(buf) - at, "cover-begin %llu\n",
			       (unsigned long long)n);
	for (i = 0; i < nsects; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "sect %s 0x%llx\n",
				       sects[i].name, (unsigned long long)sects[i].addr);
	for (i = 0; i <= n && !err; i++) {
		if (i < n) {
			uint64_t real = v[i] + kaslr;
			const struct sect *s = filter ? sect_of(real) : NULL;

			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "pc %s 0x%llx\n",
					       s ? s->name : "?",
					       (unsigned long long)(s ? real - s->addr : real));
		} else {
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "cover-end\n");
		}
		if (at > sizeof(buf) - 128 || i == n) {
			err = write_all(fd, buf, at);
			at = 0;
		}
	}
	free(v);
	return err;
}
