#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Guest side of 'make demo': the same intensive dual-model scenario that
# xsched-sim just played (tools/xsched-sim/scenarios/dual-intensive.scn),
# now on the module's simulated MI308X with real processes (axs-scenario:
# one per tenant, the device's own timestamps), natively and under the real
# xschedd. Each run prints its table, in xsched-sim's format, next to
# xsched-sim's prediction of the same time-scaled run.
SECS=${AXS_DEMO_SECONDS:-120}
SCALE=${AXS_DEMO_SCALE:-10}
S=./dual-intensive.scn
T=/tmp/demo
O=$T/out	# CSV and SVG files, sent to the host at the end
mkdir -p $T $O

echo "amdxsched demo in the VM: simulated MI308X (80 CUs, 4 XCCs), $SECS s per run"
echo "GPU times are $SCALE times the scenario's (a 2.7 ms ResNet-18 request takes 27 ms),"
echo "as QEMU without KVM slows the CPU side (daemon, ioctls) some 30 times."
echo "Rows: 'vm' is measured here; 'xsched-sim' is the model's prediction of the same run."
echo "P99/ALONE and /ALONE compare with xsched-sim's prediction of each tenant alone."

run() {		# run EXECUTOR TITLE
	echo
	echo "=== $2 ($SECS s; running)"
	./axs-scenario --executor "$1" --scale "$SCALE" --seconds "$SECS" --tolerance 100 \
		--csv "$O/dual-intensive-vm-$1.csv" --svg "$O" "$S" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	# the table and what it compared; the TAP lines are for the test, not here
	sed -n '/^EXECUTOR/,/^TAP/p' "$T/$1.out" | sed '$d'
	grep '^  xschedd:' "$T/$1.out"
	[ -s "$T/$1.err" ] && sed 's/^/  /' "$T/$1.err"
	# a tolerance of 100% only catches a broken run: agreement is the test's job
	[ $rc = 0 ] || echo "  (the run and the prediction differ by more than 2x)"
}

run native "natively: the hardware scheduler's model only"
./axs-scenario --print-config "$S" >$T/xschedd.conf
./xschedd -c $T/xschedd.conf -S $T/sock -f 50 2>$T/xschedd.log &
x=$!
while [ ! -S $T/sock ]; do sleep 0.1; done
run xschedd "under xschedd: $(sed -n 's/^policy *= *//p' $T/xschedd.conf) policy, the tenants' classes from the scenario"
kill $x
wait $x
echo
echo "Columns: as in xsched-sim's table above. REMAPS and PAUSE_MS of the 'vm' rows are"
echo "the module's own counters over the run (LIST_GPUS)."
# The files go out on the guest's /dev/ttyS2 (the host's aux log), as a
# base64 tar between markers that make demo unpacks.
if [ -c /dev/ttyS2 ]; then
	{
		echo AXS-DEMO-FILES-BEGIN
		tar -C "$O" -cf - . | base64
		echo AXS-DEMO-FILES-END
	} >/dev/ttyS2
fi
