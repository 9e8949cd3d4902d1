// SPDX-License-Identifier: MIT
/* xschedctl doctor: is everything in place to schedule GPU queues? */
#include "xschedctl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum verdict { OK, FAIL, WARN, SKIP };

struct doctor {
	const struct xc *c;
	struct jw w;
	unsigned int fails;
	int fd;			/* the device, or -1 */
	struct amdxsched_version v;
	bool have_version;
	uint32_t kfd_status;	/* AMDXSCHED_BACKEND_* status */
};

static void say(struct doctor *d, enum verdict v, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(struct doctor *d, enum verdict v, const char *check, const char *fmt, ...)
{
	static const char *const tag[] = { "[ OK ]", "[FAIL]", "[WARN]", "[SKIP]" };
	static const char *const word[] = { "ok", "fail", "warn", "skip" };
	char detail[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	d->fails += v == FAIL;
	if (!d->c->json) {
		printf("%s %s: %s\n", tag[v], check, detail);
		return;
	}
	jw_obj(&d->w, NULL);
	jw_str(&d->w, "check", check);
	jw_str(&d->w, "status", word[v]);
	jw_str(&d->w, "detail", detail);
	jw_obj_end(&d->w);
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* The first line of a small file, without the newline; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static void check_device(struct doctor *d)
{
	const char *dev = d->c->dev;
	int r;

	if (exists("/sys/module/amdxsched"))
		say(d, OK, "module", "amdxsched is loaded");
	else
		say(d, FAIL, "module", "/sys/module/amdxsched missing: load amdxsched.ko");
	d->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (d->fd < 0 && (errno == EACCES || errno == EPERM))
		d->fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		say(d, FAIL, "device", "%s: %s%s", dev, strerror(errno),
		    errno == ENOENT ? " (module not loaded, or no udev/devtmpfs node)" :
		    errno == EACCES ? " (check its mode and group)" : "");
		return;
	}
	say(d, OK, "device", "%s opened", dev);
	r = axs_version(d->fd, &d->v);
	if (r < 0) {
		say(d, FAIL, "abi", "VERSION: %s", strerror(-r));
		return;
	}
	d->have_version = true;
	if (d->v.abi_major != AMDXSCHED_ABI_MAJOR)
		say(d, FAIL, "abi", "module ABI %" PRIu32 ".%" PRIu32 ", xschedctl needs %d.x: "
		    "install matching versions", d->v.abi_major, d->v.abi_minor,
		    AMDXSCHED_ABI_MAJOR);
	else
		say(d, OK, "abi", "%" PRIu32 ".%" PRIu32 ", module %s", d->v.abi_major,
		    d->v.abi_minor, d->v.module_version);
}

static void check_backend(struct doctor *d, uint32_t backend, const char *name)
{
	struct amdxsched_backend_info bi;
	char check[32];
	int r;

	snprintf(check, sizeof(check), "backend %s", name);
	if (d->fd < 0) {
		say(d, SKIP, check, "no device");
		return;
	}
	r = axs_backend_info(d->fd, backend, &bi);
	if (r < 0) {
		say(d, FAIL, check, "BACKEND_INFO: %s", strerror(-r));
		return;
	}
	if (backend == AMDXSCHED_BACKEND_KFD)
		d->kfd_status = bi.status;
	bi.detail[sizeof(bi.detail) - 1] = '\0';
	if (bi.status == AMDXSCHED_BACKEND_RUNNING)
		say(d, OK, check, "running, %" PRIu32 " GPUs, levels 0x%" PRIx32 "%s%s", bi.num_gpus,
		    bi.levels, bi.detail[0] ? ": " : "", bi.detail);
	else if (bi.status == AMDXSCHED_BACKEND_REFUSED)
		say(d, FAIL, check, "refused (%s): %s", strerror(-bi.error), bi.detail);
	else if (backend == AMDXSCHED_BACKEND_SIM)	/* the production default */
		say(d, OK, check, "%s", bi.detail[0] ? bi.detail : "off");
	else
		say(d, WARN, check,
		    "absent%s%s", bi.detail[0] ? ": " : "", bi.detail);
}

static void check_kfd_symbols(struct doctor *d)
{
	if (d->fd < 0)
		say(d, SKIP, "kfd symbols", "no device");
	else if (d->kfd_status == AMDXSCHED_BACKEND_RUNNING)
		say(d, OK, "kfd symbols", "amdkfd symbols and structure layout verified");
	else if (d->kfd_status == AMDXSCHED_BACKEND_REFUSED)
		say(d, FAIL, "kfd symbols", "verification failed (see backend kfd); "
		    "rebuild amdxsched against this kernel's amdgpu");
	else
		say(d, SKIP, "kfd symbols", "kfd backend not running");
}

static void check_amdgpu(struct doctor *d)
{
	static const char *const policy[] = { "HWS", "HWS without oversubscription", "no HWS" };
	char val[64];
	long p;

	if (exists("/sys/module/amdgpu"))
		say(d, OK, "amdgpu", "loaded");
	else
		say(d, WARN, "amdgpu", "not loaded: only simulated GPUs are available");
	if (exists("/dev/kfd"))
		say(d, OK, "/dev/kfd", "present");
	else
		say(d, WARN, "/dev/kfd", "missing: no ROCm compute (amdgpu without KFD?)");
	if (!read_line("/sys/module/amdgpu/parameters/cwsr_enable", val, sizeof(val)))
		say(d, SKIP, "cwsr_enable", "amdgpu parameter not readable");
	else if (!strcmp(val, "0"))
		say(d, WARN, "cwsr_enable", "0: Lv3 preemption unavailable; boot with "
		    "amdgpu.cwsr_enable=1");
	else
		say(d, OK, "cwsr_enable", "%s", val);
	if (!read_line("/sys/module/amdgpu/parameters/sched_policy", val, sizeof(val))) {
		say(d, SKIP, "sched_policy", "amdgpu parameter not readable");
		return;
	}
	p = strtol(val, NULL, 10);
	if (p == 2)
		say(d, WARN, "sched_policy", "2 (no HWS): per-queue suspension is coarse; use "
		    "amdgpu.sched_policy=0");
	else
		say(d, OK, "sched_policy", "%s (%s)", val, p >= 0 && p <= 1 ? policy[p] : "?");
}

struct topo_ctx {
	struct doctor *d;
	const char *check;
};

static void topo_finding(void *ctx, const char *msg)
{
	struct topo_ctx *t = ctx;

	say(t->d, FAIL, t->check, "%s: CU masks would land on the wrong CUs", msg);
}

/*
 * The module's view of a GPU's shape must add up and, for a KFD GPU, agree
 * with amdgpu's (libdrm_amdgpu on its render node): a wrong topology makes
 * every CU mask wrong.
 */
static void check_topology(struct doctor *d, const struct amdxsched_gpu_info *g)
{
	const struct axs_gpu_name *n = xc_gpu_name(g->kfd_gpu_id);
	struct topo_ctx t = { d, NULL };
	struct axs_drm_gpu drm;
	char check[40];
	bool part;
	int r;

	snprintf(check, sizeof(check), "gpu %" PRIu32 " topology", g->gpu_id);
	t.check = check;
	if (axs_topo_self_check(g, topo_finding, &t))
		return;
	if (g->backend != AMDXSCHED_BACKEND_KFD) {
		say(d, OK, check, "%" PRIu32 " XCC x %" PRIu32 " SE x %" PRIu32 " SH, %" PRIu32
		    " CUs, consistent", g->num_xcc, g->num_se_per_xcc, g->num_sh_per_se, g->num_cu);
		return;
	}
	if (!n) {
		say(d, WARN, check, "KFD GPU %" PRIu32 " is not in %s: not cross-checked",
		    g->kfd_gpu_id, AXS_SYSFS_KFD_TOPOLOGY);
		return;
	}
	r = axs_drm_query(n->render_minor, &drm);
	if (r < 0) {
		say(d, WARN, check, "libdrm_amdgpu on renderD%" PRIu32 ": %s%s: not cross-checked",
		    n->render_minor, strerror(-r),
		    r == -EACCES ? " (run as root or in the render group)" : "");
		return;
	}
	if (axs_topo_cross_check(g, &drm, &part, topo_finding, &t))
		return;
	say(d, OK, check, "%" PRIu32 " XCC x %" PRIu32 " SE x %" PRIu32 " SH, %" PRIu32
	    " CUs, as amdgpu reports%s", g->num_xcc, g->num_se_per_xcc, g->num_sh_per_se,
	    g->num_cu, part ? " (a partition: amdgpu's CU bitmap is of the whole device's "
	    "first XCC, not compared)" : "");
}

static void check_gpus(struct doctor *d)
{
	struct amdxsched_gpu_info *g = NULL;
	uint32_t n = 0, i;
	char check[32], names[128];
	int r;

	if (d->fd < 0)
		return;
	r = axs_list_gpus(d->fd, &g, &n);
	if (r < 0) {
		say(d, FAIL, "gpus", "LIST_GPUS: %s", strerror(-r));
		return;
	}
	if (!n)
		say(d, WARN, "gpus", "none: no AMD GPU and no simulated GPU");
	for (i = 0; i < n; i++) {
		const struct axs_gpu_name *nm = xc_gpu_name(g[i].kfd_gpu_id);
		bool kfd = g[i].backend == AMDXSCHED_BACKEND_KFD;
		bool hws = g[i].flags & AMDXSCHED_GPU_F_HWS;
		bool cwsr = g[i].flags & AMDXSCHED_GPU_F_CWSR;

		snprintf(check, sizeof(check), "gpu %" PRIu32, g[i].gpu_id);
		names[0] = '\0';
		if (nm) {
			char label[120];

			axs_gpu_name_label(nm, label, sizeof(label));
			snprintf(names, sizeof(names), " (%s)", label);
		}
		if (kfd && !cwsr)
			say(d, FAIL, check, "kfd%s, CWSR off: Lv3 unavailable", names);
		else if (!hws && kfd)
			say(d, WARN, check, "kfd%s, no HWS (sched_policy=2?): no suspension there,"
			    " priorities and CU masks only", names);
		else if (!hws)
			say(d, WARN, check, "sim, no HWS: suspension remaps the whole GPU");
		else
			say(d, OK, check, "%s%s, %" PRIu32 " CUs, HWS%s", kfd ? "kfd" : "sim",
			    names, g[i].num_cu, cwsr ? ", CWSR" : "");
		check_topology(d, &g[i]);
	}
	free(g);
}

/* Queues whose resume keeps failing (RESUME_FAILING): the module retries. */
static void check_stuck(struct doctor *d)
{
	struct amdxsched_queue_info *q = NULL;
	uint32_t n = 0, i, stuck = 0;
	char first[96] = "";
	int r;

	if (d->fd < 0)
		return;
	r = axs_list_queues(d->fd, 0, AMDXSCHED_GPU_ANY, &q, &n);
	if (r < 0) {
		say(d, FAIL, "stuck queues", "LIST_QUEUES: %s", strerror(-r));
		return;
	}
	for (i = 0; i < n; i++) {
		if (!(q[i].state & AMDXSCHED_QUEUE_S_STUCK))
			continue;
		if (!stuck++)
			snprintf(first, sizeof(first), "queue %" PRIu64 " of pid %" PRIu32
				 " on gpu %" PRIu32, (uint64_t)q[i].handle, q[i].pid, q[i].gpu_id);
	}
	free(q);
	if (stuck)
		say(d, FAIL, "stuck queues", "%" PRIu32 " suspended queue(s) the module cannot resume"
		    " (it retries every second; a GPU reset may be needed), first: %s",
		    stuck, first);
	else
		say(d, OK, "stuck queues", "none");
}

/*
 * Processes a debugger holds (amdkfd's debug trap, maybe set by the process
 * on itself): their queues cannot be suspended; priorities and CU masks
 * still apply. A warning, not a failure: debugging is legitimate.
 */
static void check_debugged(struct doctor *d)
{
	struct amdxsched_proc_info *p = NULL;
	uint32_t n = 0, i, debugged = 0;
	char first[96] = "";
	int r;

	if (d->fd < 0)
		return;
	r = axs_list_procs(d->fd, 0, &p, &n);
	if (r < 0) {
		say(d, FAIL, "debugged processes", "LIST_PROCS: %s", strerror(-r));
		return;
	}
	for (i = 0; i < n; i++) {
		if (!(p[i].flags & AMDXSCHED_PROC_F_DEBUGGED))
			continue;
		if (!debugged++)
			snprintf(first, sizeof(first), "pid %" PRIu32 " (%.16s)", p[i].pid,
				 p[i].comm);
	}
	free(p);
	if (debugged)
		say(d, WARN, "debugged processes", "%" PRIu32 " process(es) under a debugger cannot"
		    " be preempted (priorities and CU masks still apply), first: %s",
		    debugged, first);
	else
		say(d, OK, "debugged processes", "none");
}

static void check_control(struct doctor *d)
{
	char *resp = NULL;
	int r;

	if (!d->have_version)
		say(d, SKIP, "control", "no device");
	else if (d->v.control)
		say(d, OK, "control", "this user may suspend any process's queues");
	else
		say(d, WARN, "control", "read-only: only own queues (need root, CAP_SYS_NICE "
		    "or write access to %s)", d->c->dev);
	r = xc_daemon_request(d->c->sock, "status", &resp);
	if (r < 0)
		say(d, WARN, "xschedd", "%s: %s (daemon not running?)", d->c->sock, strerror(-r));
	else if (!strncmp(resp, "error: ", 7))
		say(d, WARN, "xschedd", "%s: %.*s", d->c->sock, (int)strcspn(resp, "\n"), resp);
	else
		say(d, OK, "xschedd", "reachable at %s", d->c->sock);
	free(resp);
}

int xc_doctor(struct xc *c, int argc, char **argv)
{
	struct doctor d = { .c = c, .fd = -1 };

	if (xc_getopt(argc, argv, "", NULL) != -1)
		return XC_USAGE;
	if (optind < argc)
		return xc_usage("doctor: unexpected argument '%s'", argv[optind]);
	if (c->json) {
		jw_init(&d.w, stdout);
		jw_arr(&d.w, NULL);
	}
	check_device(&d);
	check_backend(&d, AMDXSCHED_BACKEND_SIM, "sim");
	check_backend(&d, AMDXSCHED_BACKEND_KFD, "kfd");
	check_kfd_symbols(&d);
	check_amdgpu(&d);
	check_gpus(&d);
	check_stuck(&d);
	check_debugged(&d);
	check_control(&d);
	if (d.fd >= 0)
		close(d.fd);
	if (c->json) {
		jw_arr_end(&d.w);
		jw_end(&d.w);
	}
	return d.fails ? XC_FAIL : XC_OK;
}
