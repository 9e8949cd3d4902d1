#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Guest side of 'make check': every selftest binary, then the module's own
# lifecycle, as one TAP document. Each binary's own TAP is nested as
# comments, as kselftest's runner does; kselftest's exit code 4 means the
# whole binary skipped. POSIX sh for busybox, run from the payload directory
# with the module loaded by the VM's init from /axs/amdxsched.ko.

SELFTESTS="abi_test queue_test suspend_test perm_test events_test stall_test apply_test debugger_test sim_test kfd_test failnth_test modload_test"
# End-to-end tests of the programs (xschedd, xschedctl, axs-workload).
SCRIPTS="workload-test.sh xschedctl-test.sh xschedd-test.sh xsched-run-test.sh stress-test.sh scenario-test.sh"
NLIFECYCLE=7
# KUnit suites of the module's pure code (kmod/tests), where the kernel has
# KUnit (the debug lane): amdxsched_kunit.ko, loaded once, one line each.
KUNIT_SUITES="amdxsched_cu_mask amdxsched_sim_model"
KUNIT_KO=/axs/amdxsched_kunit.ko
KUNIT_DEBUGFS=/sys/kernel/debug/kunit
KO=/axs/amdxsched.ko
PARAMS=$(cat /axs/modparams 2>/dev/null)

# xschedd's timed scenarios and xsched-sim's cross-check (some 200 s) test
# the daemon and the simulated GPU, which are the same code on every kernel:
# they run on 6.12 (the trixie and debug lanes) and are skipped, said so, on
# the other kernels, which keep every selftest, kfd_test, the other programs'
# tests and the stress test (make check's time on an empty cache, README.md).
case $(uname -r) in
6.12.*) SCRIPTS_612_ONLY= ;;
*) SCRIPTS_612_ONLY="xschedd-test.sh scenario-test.sh" ;;
esac

# The debug lane's kernel (KASAN, lockdep, ...; recognised by its KCOV) runs
# everything some 3x slower: the timed end-to-end scenarios stretch by that.
if [ -e /sys/kernel/debug/kcov ]; then
	export AXS_TIME_SCALE=3
fi

. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/kmemleak.sh"
set -- $SELFTESTS $SCRIPTS
nleak=0
have_kmemleak && nleak=$(($# + 2))
nkunit=$(echo $KUNIT_SUITES | wc -w)
echo "TAP version 13"
echo "1..$(($# + nleak + nkunit + NLIFECYCLE))"

leak_reset

for t in $SELFTESTS; do
	if [ ! -x "./$t" ]; then
		not_ok "selftests: $t" "binary missing"
		leak_check "$t"
		continue
	fi
	t0=$(date +%s)
	{ ./"$t" 2>&1; echo $? >/tmp/rc; } | sed 's/^/# /'
	rc=$(cat /tmp/rc)
	echo "# $t: $(($(date +%s) - t0)) s"
	case $rc in
	0) ok "selftests: $t" ;;
	4) ok "selftests: $t" "the whole binary skipped" ;;
	*) not_ok "selftests: $t" "exit $rc" ;;
	esac
	leak_check "$t"
done

for t in $SCRIPTS; do
	case " $SCRIPTS_612_ONLY " in
	*" $t "*)
		ok "programs: $t" "kernel-independent, run in the 6.12 lanes (trixie, debug)"
		leak_check "$t"
		continue ;;
	esac
	t0=$(date +%s)
	{ sh ./"$t" 2>&1; echo $? >/tmp/rc; } | sed 's/^/# /'
	rc=$(cat /tmp/rc)
	echo "# $t: $(($(date +%s) - t0)) s"
	if [ "$rc" = 0 ]; then ok "programs: $t"; else not_ok "programs: $t" "exit $rc"; fi
	leak_check "$t"
done

# The suites run when their module loads; their KTAP results stay in
# debugfs until it is unloaded.
kunit_run() {
	if [ ! -d $KUNIT_DEBUGFS ] || [ ! -f $KUNIT_KO ]; then
		for s in $KUNIT_SUITES; do
			ok "kunit: $s" "no KUnit in this kernel (the debug lane runs them)"
		done
		return
	fi
	if ! insmod $KUNIT_KO 2>/tmp/kunit.err; then
		for s in $KUNIT_SUITES; do
			not_ok "kunit: $s" "insmod $KUNIT_KO: $(cat /tmp/kunit.err)"
		done
		return
	fi
	for s in $KUNIT_SUITES; do
		r=$KUNIT_DEBUGFS/$s/results
		if [ ! -r "$r" ]; then
			not_ok "kunit: $s" "no $r: the suite did not run"
			continue
		fi
		sed 's/^/# /' "$r"
		# A case's or the suite's own line; skips are "ok ... # SKIP".
		if grep -q '^[[:space:]]*not ok' "$r"; then
			not_ok "kunit: $s" "$(grep -c '^[[:space:]]*not ok' "$r") failing line(s) in $r"
		elif ! grep -q '^[[:space:]]*ok' "$r"; then
			not_ok "kunit: $s" "no results in $r"
		else
			ok "kunit: $s ($(grep -c '^[[:space:]]*ok' "$r") ok lines)"
		fi
	done
	rmmod amdxsched_kunit || not_ok "kunit: rmmod amdxsched_kunit" "failed"
}
kunit_run
leak_check "the KUnit suites"

load() {	# load [PARAMS...]
	# Word splitting of $PARAMS is intended.
	# shellcheck disable=SC2086
	insmod "$KO" "$@" 2>/dev/null && [ -c /dev/amdxsched ]
}

# The module cannot go while a file is open.
exec 3</dev/amdxsched
if rmmod amdxsched 2>/dev/null; then
	not_ok "lifecycle: rmmod refused while a file is open" "rmmod succeeded"
	load $PARAMS
else
	ok "lifecycle: rmmod refused while a file is open"
fi
exec 3<&-

# A queue whose resume keeps failing after its holder exited stays
# suspended and is retried until the backend recovers; meanwhile rmmod is
# refused. (A simulated queue's process holds a file, which alone refuses
# rmmod; that an ownerless lease itself pins the module matters for kfd
# queues, whose processes hold none: Documentation/kfd-backend.rst.)
stuck_unload() {
	gpu=$(first_gpu)
	knob=/sys/kernel/debug/amdxsched/sim/gpu$gpu/fail_resume
	[ -w "$knob" ] || { echo "skip: no fault knob $knob"; return 2; }
	./axs-simq --gpu "$gpu" --queues 1 >/tmp/stuck.simq 2>&1 &
	spid=$!
	i=0
	while ! grep -q ready /tmp/stuck.simq && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	h=$(head -n 1 /tmp/stuck.simq)
	echo 1000000 >"$knob"
	# holds a 100 ms lease for 0.2 s, then exits: its resumes fail
	./xschedctl suspend "$h" --lease 100 --for 200ms >/tmp/stuck.ctl 2>&1
	sleep 0.5
	if rmmod amdxsched 2>/tmp/stuck.rmmod; then
		echo "rmmod succeeded with queue $h suspended and no holder"
		kill $spid 2>/dev/null
		wait $spid 2>/dev/null
		load $PARAMS
		return 1
	fi
	still=$(./xschedctl -j list queues 2>/dev/null | grep -c '"suspended": *true')
	echo 0 >"$knob"
	sleep 0.5
	after=$(./xschedctl -j list queues 2>/dev/null | grep -c '"suspended": *true')
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	if [ "$still" != 1 ] || [ "$after" != 0 ]; then
		echo "suspended queues: $still while refused, $after after the backend recovered"
		return 1
	fi
	rmmod amdxsched && load $PARAMS
}
stuck_unload >/tmp/stuck.log 2>&1
case $? in
0) ok "lifecycle: a failing resume after the holder exited is retried until it works; rmmod refused meanwhile" ;;
2) ok "lifecycle: a failing resume after the holder exited is retried until it works" "$(cat /tmp/stuck.log)" ;;
*) not_ok "lifecycle: a failing resume after the holder exited is retried until it works" \
	"$(tr '\n' ' ' </tmp/stuck.log) $(cat /tmp/stuck.ctl /tmp/stuck.rmmod 2>/dev/null | tr '\n' ' ')"
   [ -c /dev/amdxsched ] || load $PARAMS ;;
esac

# Unload and reload with state left behind by a process that exits, while
# this shell holds /dev/kfd open: every load finds it, every unload lets go.
# (From 7.x on amdkfd refuses processes when there is no GPU: then not.)
if [ -c /dev/kfd ] && (: </dev/kfd) 2>/dev/null; then
	exec 4</dev/kfd
fi
cycles=0
while [ $cycles -lt 20 ]; do
	./axs-smoke >/tmp/smoke.log 2>&1 || break
	rmmod amdxsched || break
	[ ! -e /dev/amdxsched ] || break
	load sim_gpus=$((cycles % 3 + 1)) || break
	cycles=$((cycles + 1))
done
exec 4<&-
if [ $cycles = 20 ]; then
	ok "lifecycle: 20 unload/reload cycles with queues, leases and subscribers left behind"
else
	not_ok "lifecycle: 20 unload/reload cycles" "stopped after $cycles: $(cat /tmp/smoke.log)"
fi

# Loaded as a production modprobe loads it, with no parameter: no simulated
# GPU, and every SIM_* ioctl refused (ENODEV), so nobody can make one.
rmmod amdxsched 2>/dev/null
if load; then
	sims=$(./xschedctl -j list gpus 2>/dev/null | grep -c '"backend": *"sim"')
	./axs-simq --queues 1 >/tmp/simq.out 2>&1 &
	sq=$!
	sleep 1
	kill $sq 2>/dev/null
	wait $sq
	sim_line=$(./xschedctl doctor 2>/dev/null | grep -m 1 ' backend sim: ')
	rmmod amdxsched
	if [ "$sims" = 0 ] && grep -q 'No such device' /tmp/simq.out &&
	   echo "$sim_line" | grep -q 'off'; then
		ok "lifecycle: without parameters no simulated GPU, SIM_* refused (ENODEV)"
	else
		not_ok "lifecycle: without parameters no simulated GPU, SIM_* refused (ENODEV)" \
			"$sims simulated GPUs; axs-simq: $(head -n 1 /tmp/simq.out); doctor: $sim_line"
	fi
else
	not_ok "lifecycle: without parameters no simulated GPU, SIM_* refused (ENODEV)" \
		"insmod without parameters failed"
fi

# Bad module parameters are refused; the module is then loaded as before.
if load max_lease_ms=0; then
	not_ok "lifecycle: max_lease_ms=0 refused" "loaded"
	rmmod amdxsched
else
	ok "lifecycle: max_lease_ms=0 refused"
fi
if load sim_gpus=65; then
	not_ok "lifecycle: sim_gpus=65 refused" "loaded"
	rmmod amdxsched
else
	ok "lifecycle: sim_gpus=65 refused"
fi
# Without amdgpu's BTF (AMD's DKMS builds have none) the kfd backend
# refuses to run; with kfd_trust_layout=1 it runs and says that the
# layout was not checked (kfd_test_hide_btf plays the missing BTF).
kfd_line() { ./xschedctl doctor 2>/dev/null | grep -m 1 ' backend kfd: '; }
if ! grep -q 'kfd_test_hide_btf' "$KO"; then
	ok "lifecycle: without amdgpu BTF, kfd refuses or says its layout is unchecked" \
		"this build has no kfd backend"
elif load kfd_test_hide_btf=1 && refused=$(kfd_line) && rmmod amdxsched &&
     load kfd_test_hide_btf=1 kfd_trust_layout=1 && trusted=$(kfd_line) && rmmod amdxsched; then
	case $refused/$trusted in
	*"refused"*"no BTF"*/*"running"*"layout unchecked"*)
		ok "lifecycle: without amdgpu BTF, kfd refuses or says its layout is unchecked" ;;
	*"absent"*/*"absent"*)
		ok "lifecycle: without amdgpu BTF, kfd refuses or says its layout is unchecked" \
			"kfd backend absent here: $refused" ;;
	*)
		not_ok "lifecycle: without amdgpu BTF, kfd refuses or says its layout is unchecked" \
			"without BTF: $refused" "trusted: $trusted" ;;
	esac
else
	not_ok "lifecycle: without amdgpu BTF, kfd refuses or says its layout is unchecked" \
		"a load with kfd_test_hide_btf failed"
	rmmod amdxsched 2>/dev/null
fi
# shellcheck disable=SC2086
if load $PARAMS; then
	ok "lifecycle: reloaded with the original parameters${PARAMS:+ ($PARAMS)}"
else
	not_ok "lifecycle: reload" "insmod $KO $PARAMS failed"
fi
leak_check "the lifecycle tests (unloads included)"

tap_end
