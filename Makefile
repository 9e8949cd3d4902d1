# SPDX-License-Identifier: MIT
#
# amdxsched. The kernel module builds through Kbuild:
#   make -C /lib/modules/$(uname -r)/build M=$PWD
# This Makefile drives everything else:
#
#   make [all]   the module for KDIR (when its headers exist) and all programs
#   make check   host unit tests, the syzkaller description's check, the
#                hsakmt override's exports against Debian's libhsakmt1,
#                lint, the harness's own check, then the module, its
#                selftests and the programs' tests in QEMU on each kernel of
#                SUITES (tools/vm/axs-vm: Debian's bookworm, trixie and sid,
#                and the debug kernel), the fuzzer on the debug kernel, and
#                the HIP examples (Documentation/testing.rst)
#   make check-full  the same, plus the debug kernel with amdgpu (debug-full)
#   make fuzz    the fuzzer alone (FUZZ_SECONDS, default 600)
#   make stress  the stress test alone (STRESS_SECONDS, default 300)
#   make bench   the policy library's cost per event on the host, then
#                the module's costs and xschedd's reaction time in QEMU
#   make demo    the dual-model demo on a simulated MI308X, in QEMU
#   make lint    checkpatch --strict, sparse and W=1 over the kernel code
#   make hw      tools/hw/axs-hw-latency for a real gfx942 GPU (sid's hipcc)
#   make examples  libhsa-xsched's two HIP examples, the same way
#   make install the module for KDIR, the ABI header, programs, udev rule
#   make clean
#
# Downloads and chroots are cached outside the tree (AXS_CACHE, default
# /var/cache/amdxsched); see tools/vm/README.md.

SUITES		?= bookworm trixie sid debug
DEMO_SUITE	?= trixie
BENCH_SUITE	?= trixie
LINT_SUITE	?= trixie sid
KDIR		?= /lib/modules/$(shell uname -r)/build
PREFIX		?= /usr/local
DESTDIR		?=

VM		:= tools/vm/axs-vm
# The module makes no simulated GPU unless asked (sim_gpus defaults to 0, as
# in production): the VM runs of tests, demo, bench, stress and fuzz ask.
SIM_PARAMS	?= sim_gpus=1
B		:= build
CC		?= cc

# Userspace: C11, warnings are errors. VM payloads are static, with UBSan
# trapping (no runtime library needed in the guest).
# One version for everything (VERSION): module, daemon, tools, packages.
VERSION		:= $(shell cat VERSION)
USER_CFLAGS	:= -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
		   -Iuapi -Iuser/lib -DAXS_VERSION='"$(VERSION)"'
VM_CFLAGS	:= $(USER_CFLAGS) -static -DAXS_STATIC -fsanitize=undefined \
		   -fsanitize-undefined-trap-on-error

LIBAXS_SRC	:= user/lib/axs.c
LIBAXS_HDR	:= user/lib/axs.h uapi/linux/amdxsched.h
TRACE_SRC	:= user/lib/axs_trace.c
PARSE_SRC	:= user/lib/axs_parse.c user/lib/axs_parse.h
# GPU names (amd-smi index, PCI, marketing name) and the topology cross-check,
# from KFD's sysfs; xschedctl adds libdrm_amdgpu (libdrm-dev, tools/setup-host).
GPUNAME_SRC	:= user/lib/axs_gpuname.c user/lib/axs_gpuname.h
DRM_SRC		:= user/lib/axs_drm.c
DRM_PC		 = $(or $(shell pkg-config $(1) libdrm_amdgpu 2>/dev/null),\
		   $(error libdrm_amdgpu not found by pkg-config: install libdrm-dev and pkg-config (tools/setup-host)))
POLICY_SRC	:= user/policy/axs_policy.c user/policy/axs_cu.c kmod/cu_mask.c
POLICY_HDR	:= user/policy/axs_policy.h kmod/cu_mask.h kmod/pure.h user/lib/kernel_shim.h
POLICY_CFLAGS	:= -Iuser/policy -Ikmod
XSCHEDD_SRC	:= $(wildcard user/xschedd/*.c)
XSCHEDCTL_SRC	:= $(wildcard user/xschedctl/*.c)
PROGRAMS	:= xschedd xschedctl axs-workload axs-bench

# kselftest_harness.h comes from the kernel's own source package.
KSFT_DIR	 = $(shell $(VM) kselftest-headers)/tools/testing/selftests

all: module user libhsa-xsched

module:
	@if [ -d "$(KDIR)" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules; \
	else \
		echo "make: no kernel headers at $(KDIR); skipping the module" \
		     "(set KDIR, or use 'make check' to build for the test kernels)"; \
	fi

user: $(addprefix $(B)/user/,$(PROGRAMS))

$(B)/user:
	mkdir -p $@

$(B)/user/xschedd: $(XSCHEDD_SRC) $(wildcard user/xschedd/*.h) $(POLICY_SRC) $(POLICY_HDR) \
		$(TRACE_SRC) $(PARSE_SRC) $(GPUNAME_SRC) $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) $(POLICY_CFLAGS) -o $@ $(XSCHEDD_SRC) $(POLICY_SRC) $(TRACE_SRC) \
		$(filter %.c,$(PARSE_SRC) $(GPUNAME_SRC)) $(LIBAXS_SRC)

$(B)/user/xschedctl: $(XSCHEDCTL_SRC) $(wildcard user/xschedctl/*.h) $(POLICY_SRC) \
		$(POLICY_HDR) $(TRACE_SRC) $(PARSE_SRC) $(GPUNAME_SRC) $(DRM_SRC) $(LIBAXS_SRC) \
		$(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) $(POLICY_CFLAGS) $(call DRM_PC,--cflags) -o $@ $(XSCHEDCTL_SRC) \
		$(POLICY_SRC) $(TRACE_SRC) $(filter %.c,$(PARSE_SRC) $(GPUNAME_SRC)) $(DRM_SRC) \
		$(LIBAXS_SRC) $(call DRM_PC,--static --libs)

# The programs as installed (make install, the packages): dynamically linked,
# with the caller's CPPFLAGS, CFLAGS and LDFLAGS (dpkg-buildflags hardening).
# The VM's payloads use the static UBSan-trap builds above.
INST_CFLAGS	:= $(USER_CFLAGS) $(CPPFLAGS) $(CFLAGS)
INST_PROGRAMS	:= $(addprefix $(B)/inst/,xschedd xschedctl)

$(B)/inst:
	mkdir -p $@

$(B)/inst/xschedd: $(XSCHEDD_SRC) $(wildcard user/xschedd/*.h) $(POLICY_SRC) $(POLICY_HDR) \
		$(TRACE_SRC) $(PARSE_SRC) $(GPUNAME_SRC) $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/inst
	$(CC) $(INST_CFLAGS) $(POLICY_CFLAGS) -o $@ $(XSCHEDD_SRC) $(POLICY_SRC) $(TRACE_SRC) \
		$(filter %.c,$(PARSE_SRC) $(GPUNAME_SRC)) $(LIBAXS_SRC) $(LDFLAGS)

$(B)/inst/xschedctl: $(XSCHEDCTL_SRC) $(wildcard user/xschedctl/*.h) $(POLICY_SRC) \
		$(POLICY_HDR) $(TRACE_SRC) $(PARSE_SRC) $(GPUNAME_SRC) $(DRM_SRC) $(LIBAXS_SRC) \
		$(LIBAXS_HDR) | $(B)/inst
	$(CC) $(INST_CFLAGS) $(POLICY_CFLAGS) $(call DRM_PC,--cflags) -o $@ $(XSCHEDCTL_SRC) \
		$(POLICY_SRC) $(TRACE_SRC) $(filter %.c,$(PARSE_SRC) $(GPUNAME_SRC)) $(DRM_SRC) \
		$(LIBAXS_SRC) -lm $(LDFLAGS) $(call DRM_PC,--libs)

$(B)/user/axs-workload: tools/workload/axs-workload.c $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) -o $@ tools/workload/axs-workload.c $(LIBAXS_SRC)

$(B)/user/axs-bench: tools/bench/axs-bench.c $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) -pthread -o $@ tools/bench/axs-bench.c $(LIBAXS_SRC)

selftests:
	$(MAKE) -C tests/selftests KSFT_DIR="$(KSFT_DIR)" O="$(CURDIR)/$(B)/selftests"

unit:
	$(MAKE) -C tests/unit KSFT_DIR="$(KSFT_DIR)" O="$(CURDIR)/$(B)/unit" check

# One payload per job: the programs and the script the guest runs.
$(B)/payload-%:
	rm -rf $@ && mkdir -p $@

$(B)/user/axs-simq: tests/vm/axs-simq.c $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) -o $@ tests/vm/axs-simq.c $(LIBAXS_SRC)

$(B)/user/axs-smoke: tests/vm/axs-smoke.c $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) -o $@ tests/vm/axs-smoke.c $(LIBAXS_SRC)

$(B)/user/axs-stress: tests/stress/axs-stress.c $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) -pthread -o $@ tests/stress/axs-stress.c $(LIBAXS_SRC)

VM_TEST_SCRIPTS	:= tests/vm/tap.sh tests/vm/kmemleak.sh tests/vm/workload-test.sh tests/vm/xschedctl-test.sh \
		   tests/vm/xschedd-test.sh tests/vm/xsched-run-test.sh tests/stress/stress-test.sh \
		   tests/vm/scenario-test.sh tools/xsched-sim/scenarios/dual-intensive.scn \
		   tools/xsched-sim/scenarios/two-streams.scn

# xsched-sim's cross-check in the VM (tests/vm/scenario-test.sh): a scenario
# played on the simulated GPU, and the engine's prediction of it.
AXS_SCENARIO_SRC := tools/xsched-sim/vm-play.c tools/xsched-sim/engine.c tools/xsched-sim/count.c \
		   tools/xsched-sim/timeline.c tools/xsched-sim/plot.c \
		   tools/xsched-sim/report.c tools/xsched-sim/scenario.c kmod/sim_model.c \
		   user/xschedd/config.c user/lib/axs_parse.c $(TRACE_SRC) $(POLICY_SRC)

$(B)/user/axs-scenario: $(AXS_SCENARIO_SRC) $(wildcard tools/xsched-sim/*.h) $(POLICY_HDR) \
		$(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) $(POLICY_CFLAGS) -Iuser/xschedd -Itools/xsched-sim -pthread -o $@ \
		$(AXS_SCENARIO_SRC) $(LIBAXS_SRC) -lm

# libhsa-xsched: the libraries, xsched-run and the pkg-config file.
XS_B		:= $(B)/libhsa-xsched
libhsa-xsched:
	$(MAKE) -C libhsa-xsched O="$(CURDIR)/$(XS_B)" PREFIX="$(PREFIX)"

# Its VM tests: dynamic programs, run with the guest's Debian glibc (--rocm).
$(B)/user/hsa-hold: tests/vm/hsa-hold.c | $(B)/user
	$(CC) $(USER_CFLAGS) -o $@ tests/vm/hsa-hold.c -ldl

$(B)/user/xsched-api-test: tests/vm/xsched-api-test.c libhsa-xsched $(LIBAXS_SRC) $(LIBAXS_HDR) \
		| $(B)/user
	$(CC) $(USER_CFLAGS) -Ilibhsa-xsched -I$(KSFT_DIR) -Wno-sign-compare \
		-Wno-unused-parameter -o $@ tests/vm/xsched-api-test.c $(LIBAXS_SRC) \
		$(XS_B)/libhsa-xsched.so.1 -Wl,-rpath,'$$ORIGIN'

payload-tests: selftests user libhsa-xsched $(B)/user/axs-smoke $(B)/user/axs-simq \
		$(B)/user/hsa-hold $(B)/user/xsched-api-test $(B)/user/axs-stress \
		$(B)/user/axs-scenario $(B)/payload-tests
	cp $(B)/selftests/*_test $(B)/user/axs-smoke $(B)/user/axs-simq $(B)/payload-tests/
	cp $(B)/user/axs-stress $(B)/user/axs-scenario $(B)/payload-tests/
	cp $(addprefix $(B)/user/,xschedd xschedctl axs-workload hsa-hold xsched-api-test) \
		$(B)/payload-tests/
	cp -a $(XS_B)/libhsa-xsched.so.1 $(XS_B)/xsched $(XS_B)/xsched-run $(B)/payload-tests/
	cp $(VM_TEST_SCRIPTS) $(B)/payload-tests/
	cp tests/vm/run-tests.sh $(B)/payload-tests/run.sh

payload-demo: $(B)/user/xschedd $(B)/user/axs-scenario $(B)/payload-demo
	cp $(B)/user/xschedd $(B)/user/axs-scenario tools/xsched-sim/scenarios/dual-intensive.scn \
		$(B)/payload-demo/
	cp tests/vm/run-demo.sh $(B)/payload-demo/run.sh

payload-bench: $(addprefix $(B)/user/,axs-bench xschedd axs-workload) $(B)/payload-bench
	cp $(addprefix $(B)/user/,axs-bench xschedd axs-workload) $(B)/payload-bench/
	cp tests/vm/run-bench.sh $(B)/payload-bench/run.sh

# The stress test alone, longer (tests/stress/README.md).
STRESS_SUITE	?= debug
STRESS_SECONDS	?= 300
payload-stress: $(addprefix $(B)/user/,axs-stress xschedd xschedctl) $(B)/payload-stress
	cp $(addprefix $(B)/user/,axs-stress xschedd xschedctl) tests/vm/tap.sh \
		tests/vm/kmemleak.sh $(B)/payload-stress/
	cp tests/stress/stress-test.sh $(B)/payload-stress/run.sh
	echo $(STRESS_SECONDS) >$(B)/payload-stress/stress-seconds

stress: payload-stress
	$(VM) prepare $(STRESS_SUITE)
	$(VM) build $(STRESS_SUITE)
	$(VM) run $(STRESS_SUITE) --payload $(B)/payload-stress --modparams '$(SIM_PARAMS)' --quiet \
		--timeout $$(($(STRESS_SECONDS) + 900)) --tap $(B)/$(STRESS_SUITE)/stress.tap

lint:
	tools/lint.sh $(LINT_SUITE)

# DKMS (tools/dkms): the module's source and its dkms.conf under /usr/src,
# then DKMS builds and installs it for every kernel; make dkms-check proves
# it in the trixie and sid chroots and boots what DKMS built.
DKMS_DIR	?= /usr/src/amdxsched-$(VERSION)
DKMS_SUITES	?= trixie sid
# BUILD_DEPENDS amdgpu in dkms.conf: yes, no, or auto (where this host has
# AMD's amdgpu-dkms; DKMS refuses the dependency on a host without it).
DKMS_BUILD_DEPENDS ?= auto
DKMS_FILES	:= Kbuild VERSION $(wildcard kmod/*.c kmod/*.h) uapi/linux/amdxsched.h \
		   tools/dkms/dkms-make tools/dkms/amdgpu-src

dkms-source:
	rm -rf "$(DESTDIR)$(DKMS_DIR)"
	install -d "$(DESTDIR)$(DKMS_DIR)"
	tar -cf - $(DKMS_FILES) | tar -xf - -C "$(DESTDIR)$(DKMS_DIR)"
	sed -e 's|@VERSION@|$(VERSION)|g' tools/dkms/dkms.conf.in >"$(DESTDIR)$(DKMS_DIR)/dkms.conf"
	if [ "$(DKMS_BUILD_DEPENDS)" = yes ] || \
	   { [ "$(DKMS_BUILD_DEPENDS)" = auto ] && [ -d /var/lib/dkms/amdgpu ]; }; then \
		echo 'BUILD_DEPENDS[0]="amdgpu"' >>"$(DESTDIR)$(DKMS_DIR)/dkms.conf"; \
	fi

dkms-install: dkms-source
	dkms remove amdxsched/$(VERSION) --all >/dev/null 2>&1 || true
	dkms add amdxsched/$(VERSION)
	dkms install amdxsched/$(VERSION)

dkms-check: selftests
	tools/dkms/check.sh $(DKMS_SUITES)

# The Debian packages (debian/), built, linted and installed into a fresh
# trixie chroot by tools/deb/check.sh; they land in build/deb/.
deb:
	tools/deb/check.sh

# The debug lanes' kernel runs everything some 3x slower, and their runs add
# the fail-nth sweeps and the kmemleak scans: more time.
# Every lane runs even if one fails; the failed ones are named at the end.
vm-check: payload-tests
	@failed=; for s in $(SUITES); do \
		echo "=== $$s: prepare, build, boot and test"; \
		case $$s in debug*) t=3600 ;; *) t=1200 ;; esac; \
		$(VM) prepare $$s && $(VM) build $$s W=1 && \
		$(VM) run $$s --rocm --payload $(B)/payload-tests --modparams '$(SIM_PARAMS)' --tap $(B)/$$s/selftests.tap \
			--timeout $$t || failed="$$failed $$s"; \
	done; \
	if [ -n "$$failed" ]; then echo "vm-check: failed on:$$failed" >&2; exit 1; fi

# The fuzzer (tests/fuzz/README.md): make fuzz runs it alone on FUZZ_SUITE for
# FUZZ_SECONDS, then counts the module's KCOV call sites it reached;
# make check runs it for CHECK_FUZZ_SECONDS on the debug lane.
FUZZ_SECONDS	?= 600
FUZZ_THREADS	?= 2
FUZZ_SEED	?=
FUZZ_SUITE	?= debug
CHECK_FUZZ_SECONDS ?= 120
FUZZ_SRC	:= $(wildcard tests/fuzz/*.c)
FUZZ_HDR	:= tests/fuzz/fuzz.h

$(B)/user/axs-fuzz: $(FUZZ_SRC) $(FUZZ_HDR) $(LIBAXS_SRC) $(LIBAXS_HDR) | $(B)/user
	$(CC) $(VM_CFLAGS) -pthread -o $@ $(FUZZ_SRC) $(LIBAXS_SRC)

payload-fuzz: $(B)/user/axs-fuzz $(B)/payload-fuzz
	$(B)/user/axs-fuzz --selftest
	cp $(B)/user/axs-fuzz tests/fuzz/run.sh tests/fuzz/modparams.sh tests/vm/tap.sh \
		tests/vm/kmemleak.sh $(B)/payload-fuzz/
	printf 'FUZZ_SECONDS=%s\nFUZZ_THREADS=%s\nFUZZ_SEED=%s\n' \
		'$(FUZZ_SECONDS)' '$(FUZZ_THREADS)' '$(FUZZ_SEED)' >$(B)/payload-fuzz/fuzz.conf

fuzz: payload-fuzz
	$(VM) prepare $(FUZZ_SUITE)
	$(VM) build $(FUZZ_SUITE)
	$(VM) run $(FUZZ_SUITE) --payload $(B)/payload-fuzz --modparams '$(SIM_PARAMS)' --quiet \
		--timeout $$(($(FUZZ_SECONDS) + 900)) \
		--tap $(B)/$(FUZZ_SUITE)/fuzz.tap --aux $(B)/$(FUZZ_SUITE)/fuzz-aux.log
	@if grep -q '^pc ' $(B)/$(FUZZ_SUITE)/fuzz-aux.log; then \
		tests/fuzz/coverage.sh $(B)/$(FUZZ_SUITE)/amdxsched.ko $(B)/$(FUZZ_SUITE)/fuzz-aux.log; \
	fi

# In make check, where the debug lane is among the SUITES.
fuzz-check:
	$(if $(filter debug,$(SUITES)),$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS),@:)

# The override against Debian trixie's libhsakmt1: the same exports.
hsakmt-symbols: libhsa-xsched
	$(VM) prepare trixie
	tests/unit/check-hsakmt-symbols.sh \
		"$$($(VM) rocm trixie)/usr/lib/x86_64-linux-gnu/libhsakmt.so.1" \
		$(XS_B)/xsched/libhsakmt.so.1

# The harness itself: every script runs from a fresh clone, and the build
# chroots' apt accepts what the host's accepts.
CHROOT_SUITES	:= $(filter trixie sid,$(SUITES))
harness-check:
	tests/harness/exec-bits-test.sh
	$(if $(CHROOT_SUITES),tests/harness/chroot-apt-test.sh $(CHROOT_SUITES),@:)

# The syzkaller description against the ABI header: ioctl numbers, struct
# sizes, every field's offset and size, constants.
syzkaller-check:
	tests/fuzz/syzkaller/check.sh uapi $(B)/syzkaller

# The installed unit's sandbox: systemd-analyze security rates it at most
# 3.0 (it was 7.0 before it was hardened).
unit-check:
	@mkdir -p $(B)
	sed -e 's|@SBINDIR@|/usr/sbin|g; s|@DOCDIR@|/usr/share/doc/amdxsched|g' \
		user/xschedd/xschedd.service.in >$(B)/xschedd.service
	systemd-analyze security --offline=true --threshold=30 $(B)/xschedd.service \
		>$(B)/xschedd.security || { cat $(B)/xschedd.security; exit 1; }
	tail -n 1 $(B)/xschedd.security

# In make check: the DKMS path on the chroot suites among SUITES, and the
# packages where trixie is.
install-check:
	$(if $(filter trixie sid,$(SUITES)),$(MAKE) dkms-check DKMS_SUITES="$(filter trixie sid,$(SUITES))",@:)
	$(if $(filter trixie,$(SUITES)),$(MAKE) deb,@:)

check: unit xsched-sim-check syzkaller-check hsakmt-symbols unit-check lint harness-check \
		vm-check install-check fuzz-check examples hw-check
	@echo "make check: all passed on $(SUITES)"

# Also the debug kernel with amdgpu and KFD (a longer kernel build).
check-full:
	$(MAKE) check SUITES="$(SUITES) debug-full"

DEMO_EXECUTORS	:= native,native-prio,cu-split,cpx,lv1:4,suspend-all,priority-lv3,priority-lv2
# First the user's intensive dual-model case at real scale in xsched-sim
# (seconds, virtual time, model predictions), then the same kind of case in
# the VM with the real module and daemon (time-scaled).
demo: payload-demo $(B)/host/xsched-sim
	@echo "=== xsched-sim: the intensive dual-model scenario at real scale (model predictions;"
	@echo "    Documentation/xsched-sim.rst; every request in $(B)/host/demo-requests.csv)"
	mkdir -p $(B)/host/plots
	$(B)/host/xsched-sim --executors $(DEMO_EXECUTORS) --csv $(B)/host/demo-requests.csv \
		--svg $(B)/host/plots --trace $(B)/host/demo-trace.json \
		tools/xsched-sim/scenarios/dual-intensive.scn
	@echo "=== the VM: the real module and xschedd on the simulated GPU"
	$(VM) prepare $(DEMO_SUITE)
	$(VM) build $(DEMO_SUITE)
	$(VM) run $(DEMO_SUITE) --payload $(B)/payload-demo --modparams '$(SIM_PARAMS)' --quiet --follow \
		--aux $(B)/host/demo-vm-aux.log
	rm -rf $(B)/host/vm && mkdir -p $(B)/host/vm
	sed -n '/^AXS-DEMO-FILES-BEGIN/,/^AXS-DEMO-FILES-END/{/^AXS-DEMO/d;p}' \
		$(B)/host/demo-vm-aux.log | tr -d '\r' | base64 -d | tar -C $(B)/host/vm -xf -
	@echo "=== the VM's requests and latency plots (with the predictions): $(B)/host/vm/"
	@ls $(B)/host/vm

hw:
	tools/hw/build.sh

# In make check: both hardware programs build for gfx942 with Debian's hipcc.
hw-check: hw
	@for p in axs-hw-latency axs-hw-scenario; do \
		grep -q -a amdgcn-amd-amdhsa--gfx942 $(B)/hw/$$p || \
			{ echo "hw-check: $$p has no gfx942 code object" >&2; exit 1; }; \
	done; echo "hw-check: axs-hw-latency and axs-hw-scenario carry gfx942 code objects"

# The two HIP examples of libhsa-xsched, with sid's hipcc for gfx942.
examples: libhsa-xsched
	tools/hw/build.sh --dir libhsa-xsched/examples --out $(B)/examples
	@for p in latency-serve batch-train; do \
		grep -q -a amdgcn-amd-amdhsa--gfx942 $(B)/examples/$$p || \
			{ echo "examples: $$p has no gfx942 code object" >&2; exit 1; }; \
	done; echo "examples: latency-serve and batch-train carry gfx942 code objects"

# The policy library alone, on the host: cost per event at 10/100/1000 queues.
$(B)/host/policy-bench: tools/bench/policy-bench.c $(POLICY_SRC) $(POLICY_HDR)
	mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(POLICY_CFLAGS) -o $@ tools/bench/policy-bench.c $(POLICY_SRC)

# xsched-sim (Documentation/xsched-sim.rst): scenarios in virtual time through
# the module's model and xschedd's policies, both unchanged.
XSIM_SRC	:= $(filter-out tools/xsched-sim/vm-play.c,$(wildcard tools/xsched-sim/*.c)) \
		   kmod/sim_model.c user/xschedd/config.c \
		   user/lib/axs_parse.c $(TRACE_SRC) $(POLICY_SRC)
XSIM_HDR	:= $(wildcard tools/xsched-sim/*.h) kmod/sim_model.h user/xschedd/config.h \
		   $(POLICY_HDR)
XSIM_SCENARIOS	:= $(wildcard tools/xsched-sim/scenarios/*.scn)

$(B)/host/xsched-sim: $(filter-out %.h,$(XSIM_SRC)) $(XSIM_HDR)
	mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(POLICY_CFLAGS) -Iuser/xschedd -Itools/xsched-sim -o $@ \
		$(filter %.c,$(XSIM_SRC)) -lm

xsched-sim: $(B)/host/xsched-sim
	mkdir -p $(B)/host/plots
	$(B)/host/xsched-sim --csv $(B)/host/xsched-sim.csv --svg $(B)/host/plots \
		--trace $(B)/host/xsched-sim-trace.json $(XSIM_SCENARIOS)

# In make check: the headline scenario through every default executor (the
# engine's own tests are tests/unit/test_xsim.c).
xsched-sim-check: $(B)/host/xsched-sim
	$(B)/host/xsched-sim tools/xsched-sim/scenarios/dual-intensive.scn

bench: payload-bench $(B)/host/policy-bench
	$(B)/host/policy-bench
	$(VM) prepare $(BENCH_SUITE)
	$(VM) build $(BENCH_SUITE)
	$(VM) run $(BENCH_SUITE) --payload $(B)/payload-bench --modparams '$(SIM_PARAMS)' --quiet

install: module install-user
	@if [ -d "$(KDIR)" ]; then \
		$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules_install; \
	fi

# Man pages, from the .rst sources (tools/man/*.rst include Documentation/).
RST2MAN		?= $(shell command -v rst2man || command -v rst2man.py || echo rst2man)
MAN_PAGES	:= xschedctl.8 xschedd.8 xschedd.conf.5 xsched-run.1 amdxsched.4

man: $(addprefix $(B)/man/,$(MAN_PAGES))

$(B)/man/%: tools/man/%.rst $(wildcard Documentation/*.rst) VERSION
	@mkdir -p $(@D)
	sed 's|^:Version: .*|:Version: $(VERSION)|' $< >$@.rst
	cd tools/man && $(RST2MAN) --halt=warning $(CURDIR)/$@.rst >$(CURDIR)/$@.tmp
	mv $@.tmp $@
	rm -f $@.rst

# Everything but the module (the packages install that through DKMS).
install-user: $(INST_PROGRAMS) libhsa-xsched man
	install -D -m 0644 uapi/linux/amdxsched.h $(DESTDIR)$(PREFIX)/include/linux/amdxsched.h
	install -D -m 0644 tools/udev/60-amdxsched.rules \
		$(DESTDIR)/etc/udev/rules.d/60-amdxsched.rules
	install -D -m 0644 tools/udev/amdxsched.sysusers \
		$(DESTDIR)/usr/lib/sysusers.d/amdxsched.conf
	install -D -m 0644 tools/modprobe/amdxsched.conf \
		$(DESTDIR)/usr/lib/modprobe.d/amdxsched.conf
	install -D -m 0644 tools/modprobe/modules-load.conf \
		$(DESTDIR)$(PREFIX)/share/doc/amdxsched/modules-load.d-amdxsched.conf
	install -D -m 0755 $(B)/inst/xschedd $(DESTDIR)$(PREFIX)/sbin/xschedd
	install -D -m 0755 $(B)/inst/xschedctl $(DESTDIR)$(PREFIX)/sbin/xschedctl
	install -d $(DESTDIR)/usr/lib/systemd/system
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g; s|@DOCDIR@|$(PREFIX)/share/doc/amdxsched|g' \
		user/xschedd/xschedd.service.in >$(DESTDIR)/usr/lib/systemd/system/xschedd.service
	install -D -m 0644 Documentation/xschedd.rst \
		$(DESTDIR)$(PREFIX)/share/doc/amdxsched/xschedd.rst
	install -D -m 0644 user/xschedd/xschedd.conf $(DESTDIR)/etc/xschedd.conf.example
	for m in $(MAN_PAGES); do \
		install -D -m 0644 $(B)/man/$$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$$m; \
	done
	install -D -m 0644 tools/completion/xschedctl \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/xschedctl
	install -D -m 0644 tools/completion/xsched-run \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/xsched-run
	$(MAKE) -C libhsa-xsched O="$(CURDIR)/$(XS_B)" PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" install

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	rm -rf $(B)
	find kmod -name '*.o' -o -name '.*.cmd' | xargs rm -f

.PHONY: all man hw hw-check xsched-sim xsched-sim-check unit-check install-user install-check deb dkms-source dkms-install dkms-check module user libhsa-xsched hsakmt-symbols harness-check syzkaller-check examples selftests unit payload-tests payload-demo payload-bench \
	lint vm-check check check-full demo bench hw install clean payload-stress stress \
	payload-fuzz fuzz fuzz-check
