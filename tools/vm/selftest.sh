#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of tools/vm/axs-vm: for each SUITE (default: all), build a
# throwaway test module (generated in a temporary directory, not part of
# amdxsched) and check that the harness passes a good run and fails a
# failing run.sh, a kernel WARN, a panic, a failed insmod and a hang.
# Needs the suites prepared (axs-vm prepare SUITE). Exit status 0 if every
# check behaved as expected.
set -euo pipefail

AXS_VM=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/axs-vm
TIMEOUT_HANG=${AXS_SELFTEST_HANG_TIMEOUT:-45}

log() { printf 'selftest: %s\n' "$*" >&2; }

write_test_module() { # DIR
	mkdir -p "$1"
	printf 'obj-m := amdxsched.o\n' >"$1/Kbuild"
	cat >"$1/amdxsched.c" <<'EOF'
// SPDX-License-Identifier: MIT
/* Test fixture for tools/vm/selftest.sh; not the amdxsched module. */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>

static int mode;
module_param(mode, int, 0444);
MODULE_PARM_DESC(mode, "0: load, 1: WARN_ON(1), 2: panic, 3: fail to load");

static const struct file_operations axs_test_fops = { .owner = THIS_MODULE };
static struct miscdevice axs_test_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "amdxsched",
	.fops = &axs_test_fops,
};

static int __init axs_test_init(void)
{
	pr_info("axs-vm test module: mode=%d\n", mode);
	if (mode == 1)
		WARN_ON(1);
	if (mode == 2)
		panic("axs-vm test module: panic requested");
	if (mode == 3)
		return -EINVAL;
	return misc_register(&axs_test_dev);
}

static void __exit axs_test_exit(void)
{
	misc_deregister(&axs_test_dev);
}

module_init(axs_test_init);
module_exit(axs_test_exit);
MODULE_DESCRIPTION("axs-vm self-test module");
MODULE_LICENSE("Dual MIT/GPL");
EOF
}

write_payload() { # DIR EXIT-STATUS [sleep]
	mkdir -p "$1"
	{
		printf '#!/bin/sh\n'
		[[ ${3:-} == sleep ]] && printf 'sleep 100000\n'
		printf 'echo 1..2\n'
		printf '[ -c /dev/amdxsched ] && echo "ok 1 - /dev/amdxsched" || echo "not ok 1 - /dev/amdxsched"\n'
		printf '[ -c /dev/kfd ] && echo "ok 2 - /dev/kfd" || echo "not ok 2 - /dev/kfd"\n'
		printf 'exit %s\n' "$2"
	} >"$1/run.sh"
	chmod +x "$1/run.sh"
}

FAILURES=0

# expect NAME WANT(pass|fail) COMMAND...
expect() {
	local name=$1 want=$2 rc=0 t0
	shift 2
	t0=$(date +%s)
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	if [[ ($want == pass && $rc == 0) || ($want == fail && $rc != 0) ]]; then
		log "ok   $name (exit $rc, $(($(date +%s) - t0)) s)"
		# Show why an expected failure failed.
		sed -n 's/^axs-vm: [a-z]*: FAIL: /       reason: /p; s/^axs-vm: [a-z]*: make failed/       reason: make failed/p' \
			"$WORK/$name.err" >&2
	else
		log "FAIL $name: expected $want, got exit $rc (logs: $WORK/$name.{out,err})"
		FAILURES=$((FAILURES + 1))
	fi
}

expect_in() { # NAME FILE PATTERN
	if grep -q -E "$3" "$2"; then
		log "ok   $1"
	else
		log "FAIL $1: '$3' not in $2"
		FAILURES=$((FAILURES + 1))
	fi
}

selftest_suite() {
	local suite=$1 build chroot
	export AXS_SRC=$WORK/mod
	expect "$suite-build" pass "$AXS_VM" build "$suite" W=1 C=2
	build=$("$AXS_VM" path "$suite" build)
	expect_in "$suite-build-ko" <(ls "$build") '^amdxsched\.ko$'
	expect_in "$suite-sparse-ran" "$build/build.log" 'CHECK'
	AXS_SRC=$WORK/broken expect "$suite-build-error" fail "$AXS_VM" build "$suite"
	if chroot=$("$AXS_VM" path "$suite" chroot 2>/dev/null); then
		if grep -q " $chroot/" /proc/self/mounts; then
			log "FAIL $suite: mounts left under $chroot"
			FAILURES=$((FAILURES + 1))
		fi
	fi
	expect "$suite-pass" pass "$AXS_VM" run "$suite" --payload "$WORK/pass" --quiet
	expect_in "$suite-tap" "$WORK/$suite-pass.out" '^ok 2 - /dev/kfd$'
	expect "$suite-runsh-exit1" fail "$AXS_VM" run "$suite" --payload "$WORK/exit1" --quiet
	expect "$suite-warn" fail "$AXS_VM" run "$suite" --payload "$WORK/pass" --modparams mode=1 --quiet
	expect_in "$suite-warn-reported" "$WORK/$suite-warn.err" 'WARNING:'
	# Without panic_on_warn the guest reports a pass: the console scan alone
	# must fail the run.
	expect "$suite-warn-console" fail "$AXS_VM" run "$suite" --payload "$WORK/pass" \
		--modparams mode=1 --append panic_on_warn=0 --quiet
	expect_in "$suite-warn-console-scan" "$WORK/$suite-warn-console.err" 'kernel errors on the console'
	expect "$suite-panic" fail "$AXS_VM" run "$suite" --payload "$WORK/pass" --modparams mode=2 --quiet
	expect "$suite-insmod-fails" fail "$AXS_VM" run "$suite" --payload "$WORK/pass" --modparams mode=3 --quiet
	expect "$suite-hang" fail "$AXS_VM" run "$suite" --payload "$WORK/hang" --timeout "$TIMEOUT_HANG" --quiet
	expect_in "$suite-hang-reported" "$WORK/$suite-hang.err" 'timed out'
	unset AXS_SRC
}

main() {
	local suites=("$@") s
	((${#suites[@]})) || suites=(bookworm trixie sid)
	WORK=$(mktemp -d /tmp/axs-vm-selftest.XXXXXX)
	write_test_module "$WORK/mod"
	write_test_module "$WORK/broken"
	printf 'this does not compile;\n' >>"$WORK/broken/amdxsched.c"
	write_payload "$WORK/pass" 0
	write_payload "$WORK/exit1" 1
	write_payload "$WORK/hang" 0 sleep
	for s in "${suites[@]}"; do
		selftest_suite "$s"
	done
	if ((FAILURES)); then
		log "$FAILURES check(s) failed; work dir kept: $WORK"
		exit 1
	fi
	log "all checks passed"
	if [[ -n ${AXS_SELFTEST_KEEP:-} ]]; then
		log "logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}

# On one line: bash stops here even if this file is replaced while running.
main "$@"; exit
