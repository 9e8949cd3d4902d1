#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Guest side of 'make demo': the dual-model scenario on the simulated
# MI308X, with unchanged processes (axs-workload) and the real daemon.
# Four runs: each process alone, both natively (the hardware scheduler
# model only), and both under xschedd's priority policy with Lv3
# preemption. Latencies come from the simulated device's own timestamps.
SECS=${AXS_DEMO_SECONDS:-12}
T=/tmp/demo
mkdir -p $T
cat >$T/xschedd.conf <<CONF
policy = priority
rule tag=inference class=realtime
rule tag=batch class=best-effort
CONF

hi() {
	./axs-workload --role high --tag inference --period-ms 150 --kernels 10 --wg-us 6000 \
		--seconds "$SECS" --json --quiet >"$1"
}
lo() { ./axs-workload --role low --tag batch --seconds "$SECS" --json --quiet >"$1"; }
pair() { lo "$1.lo" & l=$!; hi "$1.hi"; wait $l; }

echo "amdxsched demo: simulated MI308X (80 CUs, 4 XCCs), $SECS s per run"
echo "inference: a request every 150 ms = 10 kernels x 80 workgroups x 6 ms"
echo "           (GPU times scaled up as QEMU without KVM slows the CPU side: tests/vm/xschedd-test.sh)"
echo "batch:     kernels of 160 workgroups x 40 ms, two in flight"
hi $T/alone.hi && echo "  done: inference alone"
lo $T/alone.lo && echo "  done: batch alone"
pair $T/native && echo "  done: both, hardware scheduler only"
./xschedd -c $T/xschedd.conf -S $T/sock -f 50 2>$T/xschedd.log &
x=$!
while [ ! -S $T/sock ]; do sleep 0.1; done
pair $T/xsched && echo "  done: both, xschedd (priority, Lv3)"
kill $x
wait $x

f() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1"; }
printf '\n%-34s %10s %10s %10s %14s\n' run "high p50" "high p99" "high max" "low kernels/s"
row() {	# NAME HIGH-REPORT LOW-REPORT ("-" for none)
	if [ "$2" != - ]; then
		printf '%-34s %7s ms %7s ms %7s ms' "$1" "$(f "$2" p50_ms)" "$(f "$2" p99_ms)" \
			"$(f "$2" max_ms)"
	else
		printf '%-34s %10s %10s %10s' "$1" - - -
	fi
	if [ "$3" != - ]; then printf ' %14s\n' "$(f "$3" kernels_per_s)"; else printf ' %14s\n' -; fi
}
row "inference alone" $T/alone.hi -
row "batch alone" - $T/alone.lo
row "both, hardware scheduler only" $T/native.hi $T/native.lo
row "both, xschedd priority + Lv3" $T/xsched.hi $T/xsched.lo
awk -v a="$(f $T/alone.hi p99_ms)" -v n="$(f $T/native.hi p99_ms)" \
    -v x="$(f $T/xsched.hi p99_ms)" -v la="$(f $T/alone.lo kernels_per_s)" \
    -v lx="$(f $T/xsched.lo kernels_per_s)" -v b="$(f $T/alone.hi busy_ms)" -v s="$SECS" \
    'BEGIN { printf "\nhigh p99 vs alone: %.1fx natively, %.2fx with xschedd; " \
	"batch keeps %.0f%% of the GPU time inference leaves it.\n", n / a, x / a, \
	100 * lx / (la * (1 - b / (s * 1000))) }'
