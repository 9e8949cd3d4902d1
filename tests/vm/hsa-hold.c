// SPDX-License-Identifier: MIT
/*
 * hsa-hold SECONDS: an unchanged ROCr program for xsched-run's tests. It
 * loads Debian's libhsa-runtime64.so.1 the way a HIP program's runtime
 * does (and so, where ROCr links it, libhsakmt.so.1), calls hsa_init(),
 * prints its status, stays alive SECONDS, then shuts down. Without a GPU
 * hsa_init() may fail: the test needs the process, not a GPU.
 * Built dynamically on the host (glibc only): no ROCm headers needed.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int (*init)(void), (*fini)(void);
	unsigned int secs = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 5;
	void *rt = dlopen("libhsa-runtime64.so.1", RTLD_NOW | RTLD_GLOBAL);
	int st;

	if (!rt) {
		fprintf(stderr, "hsa-hold: %s\n", dlerror());
		return 1;
	}
	*(void **)&init = dlsym(rt, "hsa_init");
	*(void **)&fini = dlsym(rt, "hsa_shut_down");
	if (!init || !fini) {
		fprintf(stderr, "hsa-hold: hsa_init or hsa_shut_down missing\n");
		return 1;
	}
	st = init();
	printf("hsa-hold: pid %d hsa_init status 0x%x\n", (int)getpid(), (unsigned int)st);
	fflush(stdout);
	sleep(secs);
	if (st == 0)
		fini();
	return 0;
}
