#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run every amdxsched selftest binary next to this script, one after
# another, with their TAP on stdout. kselftest exit codes: 0 pass, 4 skip
# (the whole binary skipped), anything else a failure. Exits non-zero if
# any binary failed. POSIX sh, for busybox.

cd "$(dirname "$0")" || exit 1

TESTS="abi_test queue_test suspend_test perm_test events_test stall_test apply_test debugger_test sim_test failnth_test modload_test"

pass=0
fail=0
skip=0
failed=""

echo "# amdxsched selftests: $TESTS"
for t in $TESTS; do
	if [ ! -x "./$t" ]; then
		echo "# $t: missing"
		fail=$((fail + 1))
		failed="$failed $t"
		continue
	fi
	echo "# ---- $t"
	./"$t" 2>&1
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "# $t: pass" ;;
	4) skip=$((skip + 1)); echo "# $t: skip" ;;
	*) fail=$((fail + 1)); failed="$failed $t"; echo "# $t: FAIL (exit $rc)" ;;
	esac
done

echo "# SUMMARY: $pass passed, $fail failed, $skip skipped binaries${failed:+ (failed:$failed)}"
[ "$fail" = 0 ]
