// SPDX-License-Identifier: MIT
/*
 * libhsakmt.so.1, the override: a drop-in for the real hsakmt where ROCr
 * links it as a shared library (ROCm up to 6.2; Debian trixie's ROCr
 * 6.1.2). xsched-run puts its directory first in LD_LIBRARY_PATH, so the
 * dynamic linker loads it in place of the real one; it loads the real one
 * itself and passes every call through: the trampolines of hsakmt_stubs.S
 * for most functions, the hooks below for queue create, update, CU mask and
 * destroy, which also tell libhsa-xsched.so.1 (and through it the module)
 * about the queue. Arguments and results are never changed.
 *
 * Where the real library is looked for: XSCHED_HSAKMT_LIBRARY, then
 * XSK_SEARCH_PATH (set at build time: the multiarch libdir, /opt/rocm),
 * skipping this file itself.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if __has_include(<hsakmt/hsakmt.h>)
#include <hsakmt/hsakmt.h>	/* ROCm 6.x and Debian trixie */
#else
#include <hsakmt.h>		/* ROCm 5.x and Debian bookworm */
#endif

#include "xsched_internal.h"

#ifndef XSK_SEARCH_PATH
#define XSK_SEARCH_PATH "/usr/lib/x86_64-linux-gnu:/opt/rocm/lib"
#endif

#define HIDDEN __attribute__((visibility("hidden")))
#define EXPORT __attribute__((visibility("default")))

/*
 * Called in place of a real function when there is none. They return a
 * status and read no argument, so one stands in for every signature.
 */
static HSAKMT_STATUS xsk_no_library(void)
{
	return HSAKMT_STATUS_ERROR;
}

static HSAKMT_STATUS xsk_not_in_library(void)
{
	return HSAKMT_STATUS_NOT_SUPPORTED;
}

/* One pointer per function; hsakmt_stubs.S jumps through the forwarded ones. */
#define XSK_FORWARD(name) HIDDEN void *xsk_real_##name = (void *)xsk_no_library;
#define XSK_HOOK(name) static void *xsk_real_##name = (void *)xsk_no_library;
#include "hsakmt_symbols.h"
#undef XSK_FORWARD
#undef XSK_HOOK

static const struct {
	const char *name;
	void **real;
} xsk_table[] = {
#define XSK_FORWARD(name) { #name, &xsk_real_##name },
#define XSK_HOOK(name) { #name, &xsk_real_##name },
#include "hsakmt_symbols.h"
#undef XSK_FORWARD
#undef XSK_HOOK
};

#define NSYMS (sizeof(xsk_table) / sizeof(xsk_table[0]))

/* Is @path this very file (a copy of the override installed as the real one)? */
static int is_self(const char *path)
{
	static const char anchor;
	struct stat a, b;
	Dl_info info;

	if (!dladdr(&anchor, &info) || !info.dli_fname || stat(info.dli_fname, &a))
		return 0;
	return !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void *open_real(char *found, size_t len)
{
	const char *env = xsched__hsakmt_library(), *p = XSK_SEARCH_PATH, *colon;
	void *h;

	if (env) {
		snprintf(found, len, "%s", env);
		if (is_self(found)) {
			xsched__log("XSCHED_HSAKMT_LIBRARY=%s is the override itself", env);
			return NULL;
		}
		h = dlopen(found, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			xsched__log("XSCHED_HSAKMT_LIBRARY: %s", dlerror());
		return h;
	}
	for (; *p; p = *colon ? colon + 1 : colon) {
		colon = strchrnul(p, ':');
		snprintf(found, len, "%.*s/libhsakmt.so.1", (int)(colon - p), p);
		if (colon == p || access(found, R_OK) || is_self(found))
			continue;
		h = dlopen(found, RTLD_NOW | RTLD_LOCAL);
		if (h)
			return h;
		xsched__debug("%s: %s", found, dlerror());
	}
	return NULL;
}

/* Runs after libhsa-xsched.so.1's constructor: the override depends on it. */
__attribute__((constructor)) static void xsk_init(void)
{
	char path[PATH_MAX];
	unsigned int missing = 0;
	void *h, *fn;

	h = open_real(path, sizeof(path));
	if (!h) {
		xsched__log("the real libhsakmt.so.1 was not found (searched %s; set "
			    "XSCHED_HSAKMT_LIBRARY): every hsaKmt call fails", XSK_SEARCH_PATH);
		return;
	}
	for (size_t i = 0; i < NSYMS; i++) {
		fn = dlvsym(h, xsk_table[i].name, "HSAKMT_1");
		if (!fn)
			fn = dlsym(h, xsk_table[i].name);	/* unversioned builds */
		if (!fn) {
			fn = (void *)xsk_not_in_library;
			missing++;
			xsched__debug("%s is not in %s: it returns NOT_SUPPORTED",
				      xsk_table[i].name, path);
		}
		*xsk_table[i].real = fn;
	}
	xsched__debug("hsakmt override: forwarding %zu functions to %s (%u missing)",
		      NSYMS, path, missing);
}

/* ---- hooks --------------------------------------------------------------- */

#define REAL(name) ((__typeof__(&name))xsk_real_##name)

EXPORT HSAKMT_STATUS HSAKMTAPI hsaKmtCreateQueue(HSAuint32 NodeId, HSA_QUEUE_TYPE Type,
					  HSAuint32 QueuePercentage, HSA_QUEUE_PRIORITY Priority,
					  void *QueueAddress, HSAuint64 QueueSizeInBytes,
					  HsaEvent *Event, HsaQueueResource *QueueResource)
{
	struct xs_queue_desc d = {
		.node = NodeId,
		.type = (int32_t)Type,
		.priority = (int32_t)Priority,
		.percentage = QueuePercentage,
	};
	void *token = xsched__create_begin();
	HSAKMT_STATUS st;

	st = REAL(hsaKmtCreateQueue)(NodeId, Type, QueuePercentage, Priority, QueueAddress,
				     QueueSizeInBytes, Event, QueueResource);
	if (st == HSAKMT_STATUS_SUCCESS && QueueResource)
		d.queue_id = QueueResource->QueueId;
	xsched__create_end(token, &d, st == HSAKMT_STATUS_SUCCESS && QueueResource ? 0 : 1);
	return st;
}

EXPORT HSAKMT_STATUS HSAKMTAPI hsaKmtUpdateQueue(HSA_QUEUEID QueueId, HSAuint32 QueuePercentage,
					  HSA_QUEUE_PRIORITY Priority, void *QueueAddress,
					  HSAuint64 QueueSize, HsaEvent *Event)
{
	HSAKMT_STATUS st;

	st = REAL(hsaKmtUpdateQueue)(QueueId, QueuePercentage, Priority, QueueAddress,
				     QueueSize, Event);
	xsched__queue_updated(QueueId, (int32_t)Priority, QueuePercentage, st);
	return st;
}

EXPORT HSAKMT_STATUS HSAKMTAPI hsaKmtSetQueueCUMask(HSA_QUEUEID QueueId, HSAuint32 CUMaskCount,
					     HSAuint32 *QueueCUMask)
{
	HSAKMT_STATUS st;

	st = REAL(hsaKmtSetQueueCUMask)(QueueId, CUMaskCount, QueueCUMask);
	xsched__queue_cu_mask(QueueId, QueueCUMask, CUMaskCount, st);
	return st;
}

EXPORT HSAKMT_STATUS HSAKMTAPI hsaKmtDestroyQueue(HSA_QUEUEID QueueId)
{
	HSAKMT_STATUS st;

	st = REAL(hsaKmtDestroyQueue)(QueueId);
	xsched__queue_destroyed(QueueId, st);
	return st;
}
