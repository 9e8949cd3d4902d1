// SPDX-License-Identifier: MIT
/*
 * Loading the module with every fault site of the load failing in turn: the
 * kernel's module loader and the module's init, each allocation, page
 * allocation and user copy (fail-nth, see failnth.h). For each n the load
 * either fails with a documented errno and leaves nothing behind (no
 * /sys/module/amdxsched, no /dev/amdxsched; kmemleak, scanned by
 * tests/vm/run-tests.sh after this binary, finds no leak), or loads a module
 * that works and unloads; the next load then works. Ends with the module
 * loaded with the parameters the VM gave it (/axs/modparams).
 *
 * Needs root, the module file (AXS_KO, default /axs/amdxsched.ko as in the
 * VM), no other user of /dev/amdxsched, and a kernel with fault injection.
 */
#include "axs_test.h"
#include "failnth.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#define MODULE_NAME	"amdxsched"
#define MODULE_SYSFS	"/sys/module/" MODULE_NAME
#define MAX_SITES	5000

static const char *ko_path(void)
{
	const char *p = getenv("AXS_KO");

	return p && *p ? p : "/axs/amdxsched.ko";
}

/* The VM's parameters for the module, without the newline. */
static void vm_params(char *buf, size_t len)
{
	FILE *f = fopen("/axs/modparams", "re");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

static int load(int kofd, const char *params)
{
	return syscall(SYS_finit_module, kofd, params, 0) ? -errno : 0;
}

static int unload(void)
{
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

static bool loaded(void)
{
	return !access(MODULE_SYSFS, F_OK);
}

/*
 * The loaded module answers: the device opens and VERSION works; the kfd
 * backend (started by init where amdgpu is loaded, as on debug-full) either
 * runs, or says why not with an error, or is absent. With @kfd_running, it
 * must run (a load without a fault, next to amdkfd).
 */
static int module_works(bool kfd_running)
{
	struct amdxsched_backend_info bi;
	struct amdxsched_version v;
	int fd, ret;

	fd = axs_open(O_RDWR);
	if (fd < 0)
		return fd;
	ret = axs_version(fd, &v);
	if (!ret)
		ret = axs_backend_info(fd, AMDXSCHED_BACKEND_KFD, &bi);
	close(fd);
	if (ret)
		return ret;
	if (bi.status == AMDXSCHED_BACKEND_REFUSED && !bi.error)
		return -EBADE;	/* refused without saying why */
	if (kfd_running && bi.status != AMDXSCHED_BACKEND_RUNNING)
		return -ESRCH;
	return 0;
}

FIXTURE(load) {
	int kofd;
	int fnth;
	char params[256];
};

/* Where amdgpu is loaded, a load without a fault starts the kfd backend. */
static bool kfd_expected(const FIXTURE_DATA(load) *self)
{
	return !access("/dev/kfd", F_OK) && !strstr(self->params, "kfd=0");
}

FIXTURE_SETUP(load)
{
	self->kofd = self->fnth = -1;
	vm_params(self->params, sizeof(self->params));
	if (!fault_injection_available())
		SKIP(return, FAULT_INJECTION_MISSING);
	if (geteuid())
		SKIP(return, "needs root to load modules");
	self->kofd = open(ko_path(), O_RDONLY | O_CLOEXEC);
	if (self->kofd < 0)
		SKIP(return, "%s: %s (set AXS_KO)", ko_path(), strerror(errno));
	ASSERT_EQ(0, fault_attrs_setup());
	fault_window(true);
	self->fnth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fnth);
	if (loaded())
		ASSERT_EQ(0, unload()) TH_LOG("the module is in use: close /dev/amdxsched first");
}

FIXTURE_TEARDOWN(load)
{
	if (self->fnth >= 0) {
		fault_fired(self->fnth);
		fault_window(false);
		close(self->fnth);
	}
	/* Leave it loaded as the VM had it, for the tests that follow. */
	if (self->kofd >= 0) {
		if (!loaded())
			EXPECT_EQ(0, load(self->kofd, self->params));
		close(self->kofd);
	}
}

/*
 * @params: the parameters to load with at every site. Returns the number of
 * sites; every finding is reported.
 */
static unsigned int sweep_load(struct __test_metadata *_metadata, FIXTURE_DATA(load) *self,
			       const char *params)
{
	unsigned int n, failed = 0, anyway = 0;
	char errs[128] = "";
	bool fired;
	int ret;

	for (n = 1; n <= MAX_SITES; n++) {
		ASSERT_FALSE(loaded());
		ASSERT_EQ(0, fault_arm(self->fnth, n));
		ret = load(self->kofd, params);
		fired = fault_fired(self->fnth);
		if (!ret) {
			/* Loaded: with a fault (one that has a fallback) or past all sites. */
			EXPECT_EQ(0, module_works(!fired && kfd_expected(self)))
				TH_LOG("site %u: loaded but does not work as it should", n);
			EXPECT_EQ(0, unload()) TH_LOG("site %u: loaded but does not unload", n);
			if (!fired)
				break;
			anyway++;
			continue;
		}
		EXPECT_TRUE(fired) TH_LOG("load fails without a fault: %s", strerror(-ret));
		if (!fired)
			break;
		failed++;
		if (!strstr(errs, strerrorname_np(-ret)) && strlen(errs) < sizeof(errs) - 16) {
			strcat(errs, " ");
			strcat(errs, strerrorname_np(-ret));
		}
		EXPECT_TRUE(ret == -ENOMEM || ret == -EFAULT)
			TH_LOG("site %u: undocumented error %s", n, strerror(-ret));
		EXPECT_FALSE(loaded()) TH_LOG("site %u: failed with %s but " MODULE_SYSFS " is there",
					      n, strerror(-ret));
		EXPECT_NE(0, access(AXS_DEVICE_PATH, F_OK))
			TH_LOG("site %u: failed with %s but " AXS_DEVICE_PATH " is there",
			       n, strerror(-ret));
		if (loaded())
			unload();
	}
	EXPECT_GT(MAX_SITES, n);
	TH_LOG("load with '%s': %u fault site(s): %u failed (%s), %u loaded anyway",
	       params, n - 1, failed, errs[0] ? errs + 1 : "-", anyway);
	return n - 1;
}

/*
 * With two simulated GPUs: every site of a load with one GPU, and the
 * unwinding of the one made before a failure in the second. (One sweep:
 * each site costs a whole load, about a second on the debug lane's kernel;
 * more GPUs only repeat the second's sites.)
 */
TEST_F_TIMEOUT(load, every_site_of_a_load_with_2_gpus, 1800)
{
	EXPECT_LT(0, sweep_load(_metadata, self, "sim_gpus=2"));
	ASSERT_EQ(0, load(self->kofd, "sim_gpus=2"));
	EXPECT_EQ(0, module_works(kfd_expected(self)));
	EXPECT_EQ(0, unload());
}

TEST_HARNESS_MAIN
