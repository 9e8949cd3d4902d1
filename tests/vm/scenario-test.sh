#!/bin/sh
# SPDX-License-Identifier: MIT
#
# xsched-sim against the module and xschedd (Documentation/xsched-sim.rst,
# "The cross-check"): the intensive dual-model scenario played on the
# simulated GPU by real processes, natively and under xschedd, each run
# compared with xsched-sim's prediction of the same scenario (axs-scenario
# prints both, a TAP line for the GPU's remaps and one per tenant and
# percentile); then, under the same daemon, two-streams.scn: one process
# whose two streams have classes of their own. Time-scaled 20x; 40 s per
# run. POSIX sh for busybox; needs simulated GPU 0.

T=${TMPDIR:-/tmp}/axs-scenario-test.$$
S=./dual-intensive.scn
. "$(dirname "$0")/tap.sh"

mkdir -p "$T" || exit 1
trap 'kill $xd 2>/dev/null; rm -rf "$T"' EXIT
echo "TAP version 13"

# The debug kernel (KASAN, lockdep: AXS_TIME_SCALE set) slows the guest's
# CPU side some 3x more than the comparison's tolerances allow for.
if [ -n "$AXS_TIME_SCALE" ]; then
	ok "native: the VM agrees with xsched-sim" "debug kernel: too slow to compare timings"
	ok "xschedd: the VM agrees with xsched-sim" "debug kernel: too slow to compare timings"
	ok "xschedd, two streams of one process" "debug kernel: too slow to compare timings"
	echo "1..$n"
	exit 0
fi

run() {		# run EXECUTOR [SCENARIO]: the comparison's own lines as comments
	./axs-scenario --executor "$1" --scale 20 --seconds 40 --tolerance "$TOL" "${2:-$S}" \
		>"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	sed 's/^/# /' "$T/$1.out" "$T/$1.err"
	return $rc
}

# Natively there is no daemon: the module's GPU model and the engine's are
# the same code; what differs is the processes' submission timing.
TOL=10
run native
check "native: the VM agrees with xsched-sim within ${TOL}% (remaps; P50, P99 of each tenant)" \
	"see the comparison above"

# Under xschedd, the daemon's reaction (measured in the run) enters the
# prediction; the guest's CPU-side jitter enters only the VM.
./axs-scenario --print-config "$S" >"$T/xschedd.conf"
./xschedd -c "$T/xschedd.conf" -S "$T/sock" -f 50 2>"$T/xschedd.log" &
xd=$!
sleep 1
TOL=25
run xschedd
check "xschedd: the VM agrees with xsched-sim within ${TOL}% (remaps; P50, P99 of each tenant)" \
	"see the comparison above; xschedd: $(tail -n 3 "$T/xschedd.log" | tr '\n' ' ')"

# Classes per queue (ABI 1.5): one process, a realtime stream and a
# best-effort one (its own queue, SET_QUEUE_ATTR); the same daemon, whose
# configuration (priority policy, hold, Lv3 for best-effort) is the same.
run xschedd ./two-streams.scn
check "xschedd, two streams of one process: the VM agrees with xsched-sim within ${TOL}%" \
	"see the comparison above; xschedd: $(tail -n 3 "$T/xschedd.log" | tr '\n' ' ')"
kill $xd 2>/dev/null
wait $xd 2>/dev/null
xd=

echo "1..$n"
[ "$failed" = 0 ]
