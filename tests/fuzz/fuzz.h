/* SPDX-License-Identifier: MIT */
/*
 * axs-fuzz: a coverage-guided ioctl fuzzer for /dev/amdxsched.
 *
 * A program is a short list of operations (ioctl, read, poll, open, close,
 * dup, fork-and-kill, sleep, fault knob...). Every value in an operation is
 * a u64 that is either a raw number or a reference (REF) resolved when the
 * operation runs: "the handle of the second queue this program created",
 * "a pointer to a buffer straddling a guard page", "the longest lease". A
 * program therefore replays with the same meaning even though handles and
 * addresses differ from run to run. See tests/fuzz/README.md.
 */
#ifndef AXS_FUZZ_H
#define AXS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "axs.h"

#define PROG_MAX_OPS	20
#define OP_NV		22	/* values per operation */
#define OP_NA		16	/* array elements per operation */
#define NSLOTS		4	/* device fds per program */
#define NHANDLES	16	/* queue handles a program remembers */
#define NLEASES		8

/* Who runs an operation: the worker, its helper thread, or a forked child. */
enum { WHO_MAIN, WHO_THREAD, WHO_CHILD, WHO_N };

enum op_kind {
	OP_IOCTL,	/* sub: ioctl index; v[0] command, v[1] argument pointer, v[2..] fields */
	OP_READ,	/* v[0] length, v[1] buffer pointer */
	OP_POLL,	/* v[0] events, v[1] timeout in ms (at most 50) */
	OP_OPEN,	/* v[0] flags selector; replaces the slot's file */
	OP_CLOSE,
	OP_DUP,		/* v[0] destination slot */
	OP_KILL,	/* SIGKILL the program's child */
	OP_SLEEP,	/* v[0] microseconds (at most 20000) */
	OP_KNOB,	/* v[0] GPU, v[1] knob, v[2] value: debugfs fault knob */
	OP_UNPRIV,	/* drop to uid/gid 65534 (children only) */
	OP_CHURN,	/* v[0] times open+close, v[1] flags selector */
	OP_FAILNTH,	/* v[0]: the executor's next operation fails its v[0]-th fault point */
	OP_NKINDS
};

struct op {
	uint8_t kind;
	uint8_t who;
	uint8_t fd;		/* slot */
	uint8_t sub;		/* ioctl index for OP_IOCTL */
	uint8_t nv;		/* values in use */
	uint8_t na;		/* array elements in use */
	uint64_t v[OP_NV];
	uint64_t a[OP_NA];
};

struct prog {
	uint32_t nops;
	struct op ops[PROG_MAX_OPS];
};

/*
 * References: the top byte 0xa5, then the type, then an argument. Anything
 * else is a raw value.
 */
#define REF_TAG		0xa5ULL
#define REF(t, x)	((REF_TAG << 56) | ((uint64_t)(t) << 40) | ((uint64_t)(x) & 0xffffffffffULL))
#define IS_REF(v)	(((v) >> 56) == REF_TAG)
#define REF_TYPE(v)	((unsigned int)(((v) >> 40) & 0xffff))
#define REF_ARG(v)	((v) & 0xffffffffffULL)

enum ref_type {
	R_CMD = 1,	/* arg: ioctl index | variant << 8 */
	R_PTR,		/* arg: pointer kind | detail << 8 */
	R_HANDLE,	/* arg: this program's n-th queue */
	R_HANDLE_POOL,	/* arg: a handle seen anywhere (foreign or stale) */
	R_HANDLE_NEXT,	/* arg: past the newest handle seen */
	R_LEASE,
	R_LEASE_POOL,
	R_DISP,		/* arg: handle slot | (delta + 8) << 8: its last dispatch id + delta */
	R_PID,		/* arg: enum pid_kind */
	R_GPU,		/* arg: n-th GPU id known */
	R_MAXLEASE,	/* arg: delta + 8 from max_lease_ms */
	R_NTYPES
};

enum ptr_kind {
	P_GOOD,		/* right-aligned against a guard page */
	P_NULL,
	P_LOW,		/* below mmap_min_addr: never mapped */
	P_RO,		/* a read-only view of the same bytes */
	P_STRADDLE,	/* the last detail+1 bytes fall into the guard page */
	P_MISALIGN,	/* shifted by 1..7 bytes */
	P_KERNEL,	/* a kernel address */
	P_NONCANON,
	P_GUARD,	/* the PROT_NONE page itself */
	P_WRAP,		/* near the top of the address space */
	P_NKINDS
};

enum pid_kind {
	PID_SELF, PID_THREAD, PID_CHILD, PID_DEAD, PID_INIT, PID_SUPERVISOR,
	PID_OTHER_WORKER, PID_NONEXIST, PID_INTMAX, PID_NKINDS
};

/* Field kinds of ioctl argument structs; see prog.c for their values. */
enum field_kind {
	K_SIZE, K_FLAGS, K_ZERO, K_OUT, K_LEVEL, K_LEASEMS, K_BATCH, K_LISTCOUNT,
	K_ESIZE, K_PTR, K_LPID, K_APID, K_GPU, K_HANDLE, K_LEASE, K_PRIO, K_NBITS,
	K_BACKEND, K_EVMASK, K_RING, K_ATTRFLAGS, K_QATTRFLAGS, K_CLASS, K_SHARE,
	K_DEADLINE, K_TAG, K_SIMOP, K_TOPO, K_ACU, K_CUBYTES, K_WGPERCU, K_BW, K_NS,
	K_PTMO, K_DISPATCH, K_GRID, K_FOOT, K_WGNS, K_DISP, K_TIMEOUT, K_TAIL, K_NKINDS
};

struct field {
	const char *name;
	uint16_t off;
	uint8_t width;		/* bytes: 4, 8, or a pattern's size (tag, active_cu) */
	uint8_t kind;
	uint32_t arg;		/* kind's parameter: valid flags, entry sizes, max... */
};

enum { IOC_VERSION, IOC_BACKEND_INFO, IOC_LIST_GPUS, IOC_LIST_QUEUES, IOC_LIST_PROCS,
	IOC_SUSPEND, IOC_RESUME, IOC_LEASE_RENEW, IOC_SET_PRIORITY, IOC_SET_CU_MASK,
	IOC_EVENTS_CONFIG, IOC_SET_PROC_ATTR, IOC_SIM_ADD_GPU, IOC_SIM_PROC,
	IOC_SIM_QUEUE_CREATE, IOC_SIM_QUEUE_DESTROY, IOC_SIM_SUBMIT, IOC_SIM_WAIT, IOC_APPLY,
	IOC_SET_QUEUE_ATTR,
	IOC_N };	/* new ones go last: @cmd.NN of a logged program is an index */

/* The hints SET_QUEUE_ATTR sets: SET_PROC_ATTR's but the tag. */
#define QUEUE_ATTR_FIELDS	(AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY | \
				 AMDXSCHED_ATTR_SHARE | AMDXSCHED_ATTR_DEADLINE)

/* APPLY's array: pairs of (handle, spec); spec = op | arg << 8 | APPLY_MASK_* << 40. */
#define APPLY_SPEC(op, arg, m)	((uint64_t)(op) | (uint64_t)(arg) << 8 | (uint64_t)(m) << 40)
#define APPLY_MASK_NONE		0
#define APPLY_MASK_GOOD		1	/* a readable mask of the given bits */
#define APPLY_MASK_BAD		2	/* an unmapped address */

struct ioctl_desc {
	const char *name;
	unsigned long cmd;
	uint32_t size;		/* sizeof the struct this program knows */
	uint32_t ver0;
	const struct field *f;
	uint8_t nf;		/* the last field is K_TAIL */
};

extern const struct ioctl_desc ioctls[IOC_N];
extern const char *const op_names[OP_NKINDS];

/* xorshift64*: every worker has its own. */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);	/* 0..n-1, n > 0 */
bool rng_chance(struct rng *r, unsigned int pct);

/* prog.c */
void prog_generate(struct prog *p, struct rng *r);
void prog_mutate(struct prog *p, const struct prog *other, struct rng *r);
void prog_seeds(struct prog *seeds, unsigned int max, unsigned int *n);
/* Text form: one "prog" line, one line per op, "end". Returns the length. */
size_t prog_format(const struct prog *p, const char *id, char *buf, size_t len);
/* Parse every program in @text; returns how many, or -1 on a syntax error. */
int prog_parse_all(const char *text, struct prog *out, unsigned int max, unsigned int *line);
uint64_t field_boundary(const struct field *f, struct rng *r);

/* Errors counted per ioctl: these, then "other". */
#define ERRNO_LIST	EINVAL, ENOENT, EFAULT, E2BIG, EPERM, EBADF, ENOTTY, EBUSY, \
			EALREADY, ESRCH, ENODEV, ETIMEDOUT, EINTR, EEXIST, ENOSPC, \
			ETIME, EIO, EOPNOTSUPP, ENODATA, ENOMEM, EAGAIN
#define NERRNO		21

/* Memory shared by the supervisor, the workers and their children. */
#define POOL_N		256
#define CORPUS_MAX	1024

struct shared {
	/* set once at start */
	uint64_t seed;
	uint32_t max_lease_ms;
	pid_t supervisor;
	pid_t workers[16];
	uint32_t nworkers;
	/* run state */
	atomic_int stop;
	_Atomic uint64_t execs;
	_Atomic uint64_t corpus_adds;
	_Atomic uint64_t handle_max;		/* newest handle seen */
	_Atomic uint64_t handle_pool[POOL_N];
	_Atomic uint64_t lease_pool[POOL_N];
	_Atomic uint32_t pid_pool[64];		/* dead children */
	_Atomic uint32_t pool_pos[3];
	/* statistics */
	_Atomic uint64_t ok[IOC_N + OP_NKINDS];	/* ioctls, then the other kinds */
	_Atomic uint64_t fail[IOC_N + OP_NKINDS];
	_Atomic uint64_t errs[IOC_N][NERRNO + 1];	/* ERRNO_LIST, then any other */
	_Atomic uint64_t forks;
	_Atomic uint64_t stuck;			/* a helper that did not stop in 10 s */
	char stuck_op[128];
};

extern struct shared *sh;

void pool_add_handle(uint64_t h);
void pool_add_lease(uint64_t l);
void pool_add_dead_pid(pid_t pid);

/* kcov.c: coverage of the module through /sys/kernel/debug/kcov */
struct kcov {
	int fd;
	uint64_t *area;
	size_t words;
};

int cov_init(void);			/* 0 guided, -errno unguided (said on stderr) */
bool cov_enabled(void);
int kcov_open(struct kcov *k);
void kcov_close(struct kcov *k);
int kcov_enable(const struct kcov *k);
int kcov_disable(const struct kcov *k);
void kcov_reset(const struct kcov *k);
/* Fold a trace into the shared edge and PC sets; returns new edges. */
unsigned int cov_collect(const struct kcov *k);
void cov_counts(uint64_t *pcs, uint64_t *edges);
/* The PCs hit, as "pc SECTION 0xOFFSET" lines, and the module's sections. */
int cov_write(int fd);
bool cov_map_ok(void);

/* exec.c */
struct worker_cfg {
	unsigned int id;
	int log_fd;
	bool replay;
	bool verbose;		/* each operation's result on stderr (not children's) */
};

int exec_init(const struct worker_cfg *cfg);
void exec_fini(void);
/* Run one program to its end: children killed and reaped, files closed. */
unsigned int exec_prog(const struct prog *p);
void exec_refresh_gpus(void);

/* corpus, in shared memory (axs-fuzz.c) */
void corpus_add(const struct prog *p);
bool corpus_pick(struct prog *p, struct rng *r);
unsigned int corpus_count(void);

/* check.c: invariants through the ABI */
struct gpu_snap {
	uint32_t n;
	struct amdxsched_gpu_info g[64];
};

int check_snapshot(int fd, struct gpu_snap *prev, char *why, size_t len);
int check_knobs_reset(const struct gpu_snap *orig);
void check_final(const struct gpu_snap *start);
int snap_gpus(int fd, struct gpu_snap *s);


/* TAP on stdout. */
void tap_ok(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *name, const char *why);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fault injection (fail-nth) quiet on the console while fuzzing; restored after. */
void fault_quiet(void);
void fault_restore(void);

/* Write all of @buf, retrying short writes and EINTR. */
int write_all(int fd, const void *buf, size_t len);
uint64_t now_ns(void);

#endif /* AXS_FUZZ_H */
