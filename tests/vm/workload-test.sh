#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Quick check of axs-workload on the simulated GPU, as TAP: each role alone,
# both together without a scheduler (the high role must suffer), a stop
# signal mid-run, process attributes, and bad options. POSIX sh for busybox;
# needs the module loaded with simulated GPU 0. AXS_WORKLOAD overrides the
# binary (default ./axs-workload), TMPDIR the scratch directory.

WL=${AXS_WORKLOAD:-./axs-workload}
T=${TMPDIR:-/tmp}/axs-workload-test.$$
. "$(dirname "$0")/tap.sh"

# Floating-point comparison: fcmp A OP B, OP one of >= > <= <.
fcmp() {
	awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
		if (a == "" || b == "") exit 1
		a += 0; b += 0
		if (op == ">=") exit !(a >= b)
		if (op == ">") exit !(a > b)
		if (op == "<=") exit !(a <= b)
		exit !(a < b)
	}'
}

show() {	# show FILE: as TAP comments
	sed 's/^/# /' "$1"
}

mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT
echo "TAP version 13"

# --- high alone: 2 s of a 10 x 1 ms request every 50 ms ---------------------
"$WL" --role high --seconds 2 --json >"$T/high" 2>"$T/high.err"
rc=$?
show "$T/high"
show "$T/high.err"
[ $rc = 0 ]
check "high alone: exit 0" "exit $rc"
h=$(sed -n 's/^handle \([0-9][0-9]*\)$/\1/p' "$T/high")
[ -n "$h" ] && [ "$h" = "$(field "$T/high" handle)" ]
check "high alone: handle line matches the report" "handle '$h'"
req=$(field "$T/high" requests)
fcmp "$req" ">=" 32 && fcmp "$req" "<=" 48
check "high alone: requests within 20% of 2 s / 50 ms" "requests '$req'"
alone_p99=$(field "$T/high" p99_ms)
fcmp "$alone_p99" ">=" 10
check "high alone: p99 >= 10 ms (10 kernels x 1 ms)" "p99 '$alone_p99'"
p50=$(field "$T/high" p50_ms)
echo "# high alone: p50 $p50 ms, p99 $alone_p99 ms, $req requests"

# --- low alone ---------------------------------------------------------------
"$WL" --role low --seconds 2 --json >"$T/low" 2>"$T/low.err"
rc=$?
show "$T/low"
show "$T/low.err"
[ $rc = 0 ]
check "low alone: exit 0" "exit $rc"
alone_rate=$(field "$T/low" kernels_per_s)
fcmp "$alone_rate" ">" 0
check "low alone: kernels_per_s > 0" "kernels_per_s '$alone_rate'"
echo "# low alone: $alone_rate kernels/s"

# --- both, no scheduler: low's 40 ms workgroups hold the CUs -----------------
"$WL" --role low --seconds 4 --json >"$T/blow" 2>"$T/blow.err" &
low_pid=$!
sleep 1
"$WL" --role high --seconds 2 --json >"$T/bhigh" 2>"$T/bhigh.err"
rc=$?
wait $low_pid
lrc=$?
show "$T/bhigh"
show "$T/bhigh.err"
show "$T/blow"
show "$T/blow.err"
[ $rc = 0 ] && [ $lrc = 0 ]
check "both: high and low exit 0" "high exit $rc, low exit $lrc"
both_p99=$(field "$T/bhigh" p99_ms)
fcmp "$alone_p99" ">" 0 && fcmp "$both_p99" ">=" "$(awk -v b="$alone_p99" 'BEGIN { print 2 * b }')"
check "both: high p99 at least 2x alone" "p99 '$both_p99' vs alone '$alone_p99'"
echo "# both: high p99 $both_p99 ms (alone $alone_p99)," \
	"low $(field "$T/blow" kernels_per_s) kernels/s"

# --- a stop signal 1 s into a 10 s run still reports -------------------------
stop_test() {	# stop_test ROLE SIGNAL
	"$WL" --role "$1" --seconds 10 --json >"$T/stop" 2>"$T/stop.err" &
	pid=$!
	sleep 1
	kill -s "$2" $pid
	wait $pid
	rc=$?
	show "$T/stop"
	show "$T/stop.err"
	secs=$(field "$T/stop" seconds)
	[ $rc = 0 ] && fcmp "$secs" "<" 5
	check "SIG$2 after 1 s: $1 reports and exits 0" "exit $rc, seconds '$secs'"
}
stop_test high TERM
stop_test low TERM
stop_test low INT

# --- process attributes before the queue; --quiet hides the handle ----------
"$WL" --role high --seconds 1 --class realtime --tag wl-test.1 --share 500 \
	--deadline-ms 50 --priority 12 --json --quiet >"$T/attr" 2>"$T/attr.err"
rc=$?
show "$T/attr"
show "$T/attr.err"
[ $rc = 0 ] && [ -n "$(field "$T/attr" p99_ms)" ]
check "attributes: exit 0, JSON report" "exit $rc"
! grep -q '^handle ' "$T/attr"
check "--quiet: no handle line" "handle printed"

# --- bad options exit 2 with the option named --------------------------------
bad() {		# bad OPTION-NAME ARGS...
	opt=$1
	shift
	"$WL" "$@" >"$T/bad" 2>"$T/bad.err"
	rc=$?
	msg=$(head -n 1 "$T/bad.err")
	[ $rc = 2 ] && [ ! -s "$T/bad" ] &&
		case $msg in *"axs-workload: $opt"*) true ;; *) false ;; esac
	check "bad option: $*: exit 2" "exit $rc, '$msg'"
}
bad "--period-ms:" --role high --period-ms abc
bad "--period-ms:" --role high --period-ms 0
bad "--priority:" --role low --priority 16
bad "--seconds:" --role low --seconds -1
bad "--role:" --role medium
bad "--role:" --seconds 1
bad "--class:" --role low --class batch
bad "--tag:" --role low --tag "a b"
bad "" --role low --no-such-option

echo "1..$n"
tap_end
