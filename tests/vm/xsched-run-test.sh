#!/bin/sh
# SPDX-License-Identifier: MIT
#
# libhsa-xsched in the VM, with Debian's own ROCm userspace laid over the
# initramfs by "axs-vm run --rocm" (trixie: ROCr 6.1.2 + libhsakmt1, so the
# hsakmt override is what ROCr loads; sid: ROCr 6.4.3 with hsakmt inside,
# so only the preload applies). Unchanged programs: rocminfo, and hsa-hold
# (a stand-in for a long-running HIP process). Then the same without the
# module. Run as root from the payload directory (run-tests.sh does);
# reloads the module at the end as it found it.

. "$(dirname "$0")/tap.sh"
P=$(pwd)
XR=$P/xsched-run
XC=$P/xschedctl
KO=/axs/amdxsched.ko
PARAMS=$(cat /axs/modparams 2>/dev/null)
T=/tmp/xsched-run-test
LIB=/usr/lib/x86_64-linux-gnu
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT
echo "TAP version 13"
echo "1..24"

# ---- xsched-run itself --------------------------------------------------------
"$XR" --priority urgent true >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "'urgent' is not high, normal, low or 0..15" "$T/err"
check "xsched-run: a bad --priority is a usage error (2)" "rc $rc: $(cat "$T/err")"
"$XR" --class realtime >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "no program to run" "$T/err"
check "xsched-run: no program is a usage error (2)" "rc $rc: $(cat "$T/err")"
"$XR" --share 0% true 2>/dev/null
rc1=$?
"$XR" --deadline 20 true 2>/dev/null
rc2=$?
"$XR" --tag "a b" true 2>/dev/null
rc3=$?
[ $rc1 = 2 ] && [ $rc2 = 2 ] && [ $rc3 = 2 ]
check "xsched-run: bad --share, --deadline and --tag are usage errors" "rc $rc1 $rc2 $rc3"
"$XR" -- /nonexistent/prog 2>"$T/err"
rc=$?
[ $rc = 127 ]
check "xsched-run: a missing program exits 127" "rc $rc: $(cat "$T/err")"

# ---- Debian's rocminfo, with and without the library --------------------------
if [ ! -x /usr/bin/rocminfo ]; then
	why="no Debian ROCm userspace or glibc in this VM (bookworm builds on the host: no chroot to take them from)"
	i=5
	while [ $i -le 24 ]; do
		ok "rocm: check $i" "$why"
		i=$((i + 1))
	done
	tap_end
	exit $?
fi
if [ -e "$LIB/libhsakmt.so.1" ]; then
	path=override	# ROCr needs libhsakmt.so.1: the override stands in
else
	path=preload	# hsakmt is inside ROCr
fi
echo "# ROCm here: $(tr '\n' ' ' <"$LIB/rocm-versions.txt"); path: $path"

rocminfo >"$T/plain.out" 2>"$T/plain.err"
rc0=$?
echo "# rocminfo alone: exit $rc0, $(wc -l <"$T/plain.out") lines; first: $(head -n 1 "$T/plain.out")"
tail -n 3 "$T/plain.err" | sed 's/^/#   stderr: /'

"$XR" --priority high --verbose rocminfo >"$T/x.out" 2>"$T/x.err"
rc=$?
[ $rc = "$rc0" ]
check "rocminfo under 'xsched-run --priority high' exits as alone ($rc0)" "rc $rc"
cmp -s "$T/plain.out" "$T/x.out"
check "rocminfo prints the same with the library as without" \
	"$(diff "$T/plain.out" "$T/x.out" | head -n 5)"
grep -q "hints sent: class realtime" "$T/x.err"
check "the library registered rocminfo as realtime" "$(head -n 5 "$T/x.err")"
if [ $path = override ]; then
	grep -q "hsakmt override: forwarding 88 functions to $LIB/libhsakmt.so.1 (0 missing)" \
		"$T/x.err"
	check "ROCr loaded the override, which forwards all 88 functions to Debian's hsakmt" \
		"$(grep -v 'hints sent' "$T/x.err" | head -n 5)"
else
	! grep -q "hsakmt override" "$T/x.err"
	check "ROCr with hsakmt inside never loads the override (preload path only)" \
		"$(grep "hsakmt override" "$T/x.err")"
fi
"$XR" --mode override --verbose rocminfo >"$T/o.out" 2>"$T/o.err"
rc=$?
[ $rc = "$rc0" ] && cmp -s "$T/plain.out" "$T/o.out"
check "--mode override alone: rocminfo unchanged" "rc $rc"

# A bad value: said once on stderr, ignored, rocminfo unchanged.
XSCHED_CLASS=bogus XSCHED_SHARE=250 LD_PRELOAD=$P/libhsa-xsched.so.1 \
	rocminfo >"$T/b.out" 2>"$T/b.err"
rc=$?
[ $rc = "$rc0" ] && cmp -s "$T/plain.out" "$T/b.out" &&
	[ "$(grep -c "XSCHED_CLASS='bogus'" "$T/b.err")" = 1 ] &&
	[ "$(grep -c "XSCHED_SHARE='250'" "$T/b.err")" = 1 ]
check "bad XSCHED_CLASS and XSCHED_SHARE: one line each, rocminfo unchanged" \
	"rc $rc: $(head -n 4 "$T/b.err")"

# ---- a long-running program appears with its class while it runs --------------
"$XR" --class best-effort --tag batch-job --verbose -- ./hsa-hold 4 \
	>"$T/hold.out" 2>"$T/hold.err" &
hold=$!
i=0
while [ $i -lt 100 ] && ! grep -q "hsa_init status" "$T/hold.out"; do
	sleep 0.1
	i=$((i + 1))
done
grep -q "hsa_init status" "$T/hold.out"
check "hsa-hold started under xsched-run and loaded ROCr" "$(cat "$T/hold.out" "$T/hold.err" | head -n 5)"
echo "# $(cat "$T/hold.out")"
"$XC" --json list procs --pid "$hold" >"$T/procs.json" 2>&1
grep -q '"class":"best-effort"' "$T/procs.json" && grep -q '"tag":"batch-job"' "$T/procs.json"
check "while it runs, the module lists it (pid $hold) as best-effort, tag batch-job" \
	"$(head -c 400 "$T/procs.json")"
if [ $path = override ]; then
	grep -q "hsakmt override: forwarding 88 functions" "$T/hold.err"
	check "hsa-hold's ROCr went through the override" "$(head -n 5 "$T/hold.err")"
else
	grep -q "hints sent: class best-effort" "$T/hold.err"
	check "hsa-hold registered through the preload" "$(head -n 5 "$T/hold.err")"
fi
wait $hold
rc=$?
[ $rc = 0 ]
check "hsa-hold ran to the end under xsched-run" "rc $rc"
"$XC" --json list procs --pid "$hold" >"$T/gone.json" 2>&1
! grep -q "\"pid\":$hold" "$T/gone.json"
check "after it exits, it is gone from the module's list" "$(head -c 300 "$T/gone.json")"

# ---- the C API (xsched.h), against the simulated GPU ---------------------------
./xsched-api-test >"$T/api.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/api.out"
[ $rc = 0 ] && grep -q "^ok 2 .*suspend_and_resume_own_queues$" "$T/api.out"
check "xsched.h: hints, own-queue suspend/resume, EINVAL (module loaded)" "rc $rc"

# ---- without the module ---------------------------------------------------------
if ! rmmod amdxsched 2>"$T/rmmod.err"; then
	i=17
	while [ $i -le 24 ]; do
		not_ok "no module: check $i" "rmmod failed: $(cat "$T/rmmod.err")"
		i=$((i + 1))
	done
	tap_end
	exit $?
fi
[ ! -e /dev/amdxsched ]
check "module unloaded (/dev/amdxsched gone)"
"$XR" --priority high --verbose rocminfo >"$T/n.out" 2>"$T/n.err"
rc=$?
[ $rc = "$rc0" ] && cmp -s "$T/plain.out" "$T/n.out"
check "no module: rocminfo under xsched-run exits and prints as alone" "rc $rc"
grep -q "warning: /dev/amdxsched is missing" "$T/n.err" &&
	grep -q "running unscheduled" "$T/n.err"
check "no module: xsched-run and the library say it runs unscheduled" "$(head -n 4 "$T/n.err")"
if [ $path = override ]; then
	grep -q "forwarding 88 functions" "$T/n.err"
	check "no module: the override still forwards to Debian's hsakmt" "$(head -n 5 "$T/n.err")"
else
	ok "no module: (override check applies to trixie only)" "$path path"
fi
"$XR" --class realtime -- ./hsa-hold 1 >"$T/nh.out" 2>"$T/nh.err"
rc=$?
[ $rc = 0 ] && grep -q "hsa_init status" "$T/nh.out"
check "no module: hsa-hold runs to the end under xsched-run" "rc $rc: $(head -n 3 "$T/nh.err")"
./xsched-api-test >"$T/napi.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/napi.out"
[ $rc = 0 ] && grep -q "^ok 3 global.without_the_module$" "$T/napi.out"
check "no module: xsched.h returns ENODEV and breaks nothing" \
	"rc $rc: $(grep -E 'not ok|Expected' "$T/napi.out" | head -n 3)"

# Leave the module as it was found.
# shellcheck disable=SC2086 # PARAMS is split on purpose
insmod "$KO" $PARAMS && [ -c /dev/amdxsched ]
check "module reloaded"
"$XR" --class normal -- ./hsa-hold 0 >/dev/null 2>&1
check "after the reload, xsched-run works again"
tap_end
