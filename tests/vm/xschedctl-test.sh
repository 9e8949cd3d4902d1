#!/bin/sh
# SPDX-License-Identifier: MIT
#
# xschedctl on the simulated GPU, as TAP: list (table and JSON), suspend
# with --for and until a signal, resume --force, priority, cumask, errors
# and exit codes, doctor, trace (lines and Perfetto JSON), top, stats, and
# the daemon commands against a fake control socket. POSIX sh for busybox;
# run as root from a directory holding xschedctl and axs-simq, with the
# module loaded (simulated GPU 0: 4 XCCs, 80 CUs).

XC=${XSCHEDCTL:-./xschedctl}
SIMQ=${AXS_SIMQ:-./axs-simq}
T=${TMPDIR:-/tmp}/xschedctl-test.$$
. "$(dirname "$0")/tap.sh"
pids=

show() {	# show FILE...: as TAP comments
	cat "$@" 2>/dev/null | sed 's/^/# /'
}

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}

# The list line of queue HANDLE.
qline() {
	"$XC" list queues | awk -v h="$1" '$1 == h'
}

# Column N of queue HANDLE's list line (columns before STATE only).
qcol() {
	qline "$1" | awk -v c="$2" '{ print $c }'
}

# wait_for CMD...: retry CMD up to ~10 s
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

suspended() {	# suspended HANDLE (an Lv2 suspension of a busy queue drains)
	qline "$1" | grep -qE "suspended|draining"
}

running() {	# running HANDLE: not suspended
	qline "$1" | grep -q . && ! qline "$1" | grep -qE "suspended|draining"
}

mkdir -p "$T" || exit 1
trap cleanup EXIT
trap 'exit 1' INT TERM
echo "TAP version 13"

# --- a simulated process with 3 busy queues ----------------------------------
"$SIMQ" --queues 3 --busy >"$T/simq" 2>"$T/simq.err" &
pids="$pids $!"
wait_for grep -q ready "$T/simq"
check "axs-simq created 3 queues" "$(cat "$T/simq.err")"
set -- $(grep -v ready "$T/simq")
h1=$1 h2=$2 h3=$3
echo "# handles: $h1 $h2 $h3"

# --- version, usage errors -----------------------------------------------------
"$XC" -V >"$T/out" 2>&1
rc=$?
show "$T/out"
[ $rc = 0 ] && grep -q "^xschedctl " "$T/out" && grep -q "amdxsched module .*(ABI 1\." "$T/out"
check "-V prints tool and module versions" "rc $rc"

"$XC" frobnicate >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "^Error: unknown command 'frobnicate'" "$T/err"
check "unknown command: exit 2" "rc $rc: $(cat "$T/err")"

"$XC" list --frob >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "^Error: unknown option '--frob'" "$T/err"
check "unknown option: exit 2" "rc $rc: $(cat "$T/err")"

"$XC" priority "$h1" 16 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "priority '16'" "$T/err"
check "priority 16: exit 2 naming the argument" "rc $rc: $(cat "$T/err")"

"$XC" suspend "$h1" --level 1 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "level" "$T/err" && running "$h1"
check "suspend --level 1: exit 2, nothing suspended" "rc $rc: $(cat "$T/err")"

"$XC" suspend "$h1" --for 5x >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "unit" "$T/err"
check "suspend --for 5x: exit 2" "rc $rc: $(cat "$T/err")"

# --- list ----------------------------------------------------------------------
"$XC" list >"$T/list" 2>"$T/err"
rc=$?
show "$T/list" "$T/err"
[ $rc = 0 ] && grep -q "^GPU *BACKEND" "$T/list" && grep -q "^PID *UID" "$T/list" &&
	grep -q "^HANDLE *PID" "$T/list"
check "list: three sections with headers" "rc $rc"

awk '$2 == "sim" && $4 == "-" && $5 == "-" && $6 == "gfx942" && $7 == 4 && $8 == 80 &&
	$NF == "(simulated)"' "$T/list" | grep -q .
check "list: GPU 0 is a sim gfx942 with 4 XCCs and 80 CUs, no amd-smi index or PCI" "see table"

for h in $h1 $h2 $h3; do
	qline "$h" | grep -qE "running|busy" || break
done
check "list: the 3 queues are shown, running" "$(qline "$h")"

simpid=$(qcol "$h1" 2)
"$XC" list procs --pid "$simpid" >"$T/out" 2>&1
awk -v p="$simpid" '$1 == p && $8 == 3' "$T/out" | grep -q .
check "list procs --pid: the process with 3 queues" "$(cat "$T/out")"

"$XC" -j list >"$T/json" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q '^{"gpus":\[{"gpu_id":0,"backend":"sim","kfd_gpu_id":0,"amdsmi_index":null,"pci":null,"unique_id":null,"name":null,' "$T/json" &&
	grep -q '"procs":\[' "$T/json" && grep -q "\"queues\":\[.*{\"handle\":$h1," "$T/json" &&
	grep -q '"counters":{"suspends":' "$T/json" && [ "$(wc -l <"$T/json")" = 1 ]
check "list --json: one object with gpus, procs, queues" "rc $rc: $(head -c 300 "$T/json")"

# balanced braces and brackets (no string contains them here)
o=$(tr -cd '{' <"$T/json" | wc -c)
c=$(tr -cd '}' <"$T/json" | wc -c)
ob=$(tr -cd '[' <"$T/json" | wc -c)
cb=$(tr -cd ']' <"$T/json" | wc -c)
[ "$o" = "$c" ] && [ "$ob" = "$cb" ]
check "list --json: braces balance" "{ $o } $c [ $ob ] $cb"

"$XC" list queues --gpu 7 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^Error: gpu 7: No such device" "$T/err"
check "list --gpu 7: exit 1, no such device" "rc $rc: $(cat "$T/err")"

# --- suspend --for 300ms -----------------------------------------------------------
# The table and the JSON are two calls: the suspension must show in both (a
# slow kernel, such as the debug lane's, can end a short lease in between).
"$XC" suspend "$h1" --for $((300 * ${AXS_TIME_SCALE:-1}))ms >"$T/susp" 2>"$T/susp.err" &
sp=$!
seen=no
i=0
while [ $i -lt 50 ] && kill -0 $sp 2>/dev/null; do
	if suspended "$h1"; then
		qline "$h1" >"$T/seen"
		"$XC" -j list queues >"$T/seen.json"
		if grep -q "{\"handle\":$h1,[^}]*\"holder_pid\":$sp," "$T/seen.json"; then
			seen=yes
			break
		fi
	fi
	i=$((i + 1))
done
wait $sp
rc=$?
show "$T/susp" "$T/susp.err" "$T/seen"
[ $seen = yes ]
check "suspend --for 300ms: list shows the queue suspended meanwhile" "never seen"
grep -q "suspended Lv3" "$T/seen" &&
	grep -q "{\"handle\":$h1,[^}]*\"holder_pid\":$sp,[^}]*\"lease_ms\":[0-9]" "$T/seen.json"
check "suspend: level 3 (default), holder and lease shown" "$(cat "$T/seen")"
[ $rc = 0 ] && grep -q "^queue $h1: suspended Lv3" "$T/susp" &&
	grep -q "^queue $h1: resumed" "$T/susp"
check "suspend --for 300ms: exit 0, per-queue status" "rc $rc"
running "$h1"
check "suspend --for: the queue runs again afterwards" "$(qline "$h1")"

# --- Lv2, several handles, SIGTERM ------------------------------------------------
"$XC" suspend "$h2" "$h3" --level 2 --lease 200 >"$T/susp" 2>"$T/susp.err" &
sp=$!
wait_for suspended "$h3"
check "suspend two queues at Lv2 until a signal" "$(qline "$h3")"
qline "$h3" | grep -q "draining,busy"
check "list: a busy queue suspended at Lv2 is draining" "$(qline "$h3")"
sleep 0.5	# longer than the 200 ms lease: renewals keep it
suspended "$h2" && suspended "$h3"
check "suspend: renewals keep a 200 ms lease alive" "$(qline "$h2")"
kill -TERM $sp
wait $sp
rc=$?
show "$T/susp" "$T/susp.err"
[ $rc = 0 ] && running "$h2" && running "$h3"
check "suspend: SIGTERM resumes both and exits 0" "rc $rc"

# --- resume --force of a queue another xschedctl holds ----------------------------
"$XC" suspend "$h2" >"$T/susp" 2>"$T/susp.err" &
sp=$!
wait_for suspended "$h2"
"$XC" resume "$h2" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^Error: resume queue $h2: Device or resource busy" "$T/err" &&
	suspended "$h2"
check "resume without --force of another's suspension: EBUSY, exit 1" "rc $rc: $(cat "$T/err")"
"$XC" resume --force "$h2" >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
[ $rc = 0 ] && grep -q "^queue $h2: resumed" "$T/out" && running "$h2"
check "resume --force: resumed, exit 0" "rc $rc"
wait $sp
rc=$?
show "$T/susp" "$T/susp.err"
[ $rc = 1 ] && grep -q "^Error: renew lease" "$T/susp.err"
check "the suspending xschedctl notices and exits 1" "rc $rc"

"$XC" resume "$h1" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "Operation already in progress" "$T/err"
check "resume of a running queue: EALREADY, exit 1" "rc $rc: $(cat "$T/err")"

"$XC" -j suspend "$h1" --for 100ms >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
sus="^{\"op\":\"suspend\",\"lease_id\":[0-9]*,\"error\":0,\"queues\":"
res="^{\"op\":\"resume\",\"queues\":"
[ $rc = 0 ] && [ "$(wc -l <"$T/out")" = 2 ] &&
	grep -q "$sus\[{\"handle\":$h1,\"status\":0," "$T/out" &&
	grep -q "$res\[{\"handle\":$h1,\"status\":0,\"result\":\"resumed\"}\]}$" "$T/out"
check "suspend --json: a line when suspended, one when resumed" "rc $rc"

# --- bad handles ---------------------------------------------------------------
"$XC" suspend 999999 --for 100ms >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^Error: suspend queue 999999: No such file or directory" "$T/err"
check "suspend of an unknown handle: exit 1 with the errno message" "rc $rc: $(cat "$T/err")"

"$XC" suspend "$h1" 999999 --for 100ms >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^queue $h1: not done" "$T/out" && running "$h1"
check "suspend of a good and a bad handle: nothing suspended" "rc $rc: $(cat "$T/out")"

"$XC" priority 999999 3 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "No such file or directory" "$T/err"
check "priority of an unknown handle: exit 1" "rc $rc: $(cat "$T/err")"

# --- priority ------------------------------------------------------------------
"$XC" priority "$h1" 12 "$h2" 3 >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
[ $rc = 0 ] && [ "$(qcol "$h1" 6)" = 12 ] && [ "$(qcol "$h2" 6)" = 3 ]
check "priority: list shows the new priorities" "rc $rc, $(qcol "$h1" 6) $(qcol "$h2" 6)"
"$XC" -j list queues | grep -q "{\"handle\":$h1,[^}]*\"priority\":12,"
check "priority: --json shows it too" "json"

# --- queue-class (ABI 1.5) -------------------------------------------------------
"$XC" queue-class "$h1" batch >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
[ $rc = 0 ] && grep -q "^queue $h1: class best-effort" "$T/out" &&
	[ "$(qcol "$h1" 7)" = best-effort ] && [ "$(qcol "$h2" 7)" = - ]
check "queue-class HANDLE batch: list shows its own class, the others '-'" \
	"rc $rc, $(qcol "$h1" 7) $(qcol "$h2" 7): $(cat "$T/err")"
"$XC" -j list queues |
	grep -q "{\"handle\":$h1,[^}]*\"attr_flags\":1,\"sched_class\":3,\"class\":\"best-effort\","
check "queue-class: --json has attr_flags, sched_class and class" "json"
"$XC" queue-class "$h1" inherit >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q "^queue $h1: class of its process" "$T/out" && [ "$(qcol "$h1" 7)" = - ] &&
	"$XC" -j list queues | grep -q "{\"handle\":$h1,[^}]*\"attr_flags\":0,[^}]*\"class\":null,"
check "queue-class HANDLE inherit: back to its process's" "rc $rc, $(qcol "$h1" 7): $(cat "$T/err")"
"$XC" queue-class 999999 rt >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^Error: queue-class queue 999999: No such file or directory" "$T/err"
check "queue-class of an unknown handle: exit 1" "rc $rc: $(cat "$T/err")"
"$XC" queue-class "$h1" urgent >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "'urgent' is not realtime" "$T/err"
check "queue-class with a bad class: exit 2" "rc $rc: $(cat "$T/err")"

# --- cumask ------------------------------------------------------------------------
"$XC" cumask "$h1" --fraction 0.5 >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
[ $rc = 0 ] && grep -q "(40 of 80 CUs)" "$T/out" && [ "$(qline "$h1" | awk '{ print $NF }')" = 40 ]
check "cumask --fraction 0.5: 40 CUs, list shows 40" "rc $rc: $(qline "$h1")"

"$XC" cumask "$h1" --cus 0,4,8 >"$T/out" 2>"$T/err"
rc=$?
show "$T/err"
[ $rc = 2 ] && grep -q "XCC 1 would have no CU" "$T/err" &&
	[ "$(qline "$h1" | awk '{ print $NF }')" = 40 ]
check "cumask --cus with an empty XCC: exit 2, mask unchanged" "rc $rc: $(cat "$T/err")"

"$XC" cumask "$h1" 0x11111111,0x11111111,0x1111 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "XCC 1 would have no CU" "$T/err"
check "cumask hex MASK with empty XCCs: exit 2" "rc $rc: $(cat "$T/err")"

"$XC" cumask "$h2" --cus 0-7 --gpu-topology >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
[ $rc = 0 ] && grep -q "0x000000ff (8 of 80 CUs)" "$T/out" && grep -q "XCC 3: 2 of 20" "$T/out" &&
	[ "$(qline "$h2" | awk '{ print $NF }')" = 8 ]
check "cumask --cus 0-7 --gpu-topology: 2 CUs per XCC" "rc $rc"

"$XC" -j cumask "$h3" 0xffffffff,0xffffffff,0xffff >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q '"num_bits":96,"mask":\[4294967295,4294967295,65535\],"cus":80' "$T/out"
check "cumask hex MASK, --json: all 80 CUs" "rc $rc: $(cat "$T/out" "$T/err")"

"$XC" cumask "$h1" --cus 85 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "past the GPU's 80 CUs" "$T/err"
check "cumask --cus past the last CU: exit 2" "rc $rc: $(cat "$T/err")"

# --- trace ---------------------------------------------------------------------------
"$XC" trace --seconds 2 --output "$T/trace.json" >"$T/trace" 2>"$T/trace.err" &
tp=$!
sleep 0.5
"$XC" suspend "$h1" --for 200ms >/dev/null 2>&1
"$XC" priority "$h1" 5 >/dev/null 2>&1
wait $tp
rc=$?
show "$T/trace" "$T/trace.err"
[ $rc = 0 ] && grep -q "QUEUE_SUSPENDED *gpu 0 queue $h1 pid [0-9]* level=3" "$T/trace" &&
	grep -q "QUEUE_RESUMED *gpu 0 queue $h1 .*reason=ioctl" "$T/trace" &&
	grep -q "QUEUE_PRIORITY *gpu 0 queue $h1 .*priority=5" "$T/trace"
check "trace --seconds 2: SUSPENDED, RESUMED and PRIORITY lines" "rc $rc"
head -c 16 "$T/trace.json" | grep -q '^{"traceEvents":\[' &&
	tail -n 1 "$T/trace.json" | grep -q '^\],"displayTimeUnit":"ms"}$' &&
	grep -q "\"name\":\"suspended Lv3\",\"ph\":\"B\"" "$T/trace.json" &&
	grep -q "\"name\":\"suspended Lv3\",\"ph\":\"E\"" "$T/trace.json"
check "trace --output: a complete Perfetto JSON file with the slice" "$(tail -n 3 "$T/trace.json")"
o=$(tr -cd '{' <"$T/trace.json" | wc -c)
c=$(tr -cd '}' <"$T/trace.json" | wc -c)
[ "$o" = "$c" ] && [ "$o" -gt 3 ]
check "trace --output: braces balance" "{ $o } $c"
if [ "${XC_DUMP_TRACE:-0}" = 1 ]; then
	echo "# trace-json-begin"
	show "$T/trace.json"
	echo "# trace-json-end"
fi

"$XC" trace --output "$T/trace2.json" --quiet >"$T/trace" 2>"$T/trace.err" &
tp=$!
sleep 0.5
"$XC" suspend "$h3" --for 100ms >/dev/null 2>&1
sleep 0.3
kill -INT $tp
wait $tp
rc=$?
[ $rc = 0 ] && [ ! -s "$T/trace" ] &&
	tail -n 1 "$T/trace2.json" | grep -q '^\],"displayTimeUnit"' &&
	grep -q '"ph":"E"' "$T/trace2.json"
check "trace --quiet: SIGINT closes the JSON file, exit 0" "rc $rc: $(cat "$T/trace.err")"

"$XC" -j trace --seconds 1 >"$T/trace" 2>"$T/trace.err" &
tp=$!
sleep 0.3
"$XC" suspend "$h2" --for 100ms >/dev/null 2>&1
wait $tp
rc=$?
pat="^{\"seq\":[0-9]*,\"ts_ns\":[0-9]*,\"type\":\"QUEUE_SUSPENDED\",\"gpu_id\":0"
[ $rc = 0 ] && grep -q "$pat,\"handle\":$h2," "$T/trace"
check "trace --json: one object per event" "rc $rc: $(head -n 2 "$T/trace")"

# --- top, stats ------------------------------------------------------------------------
"$XC" top --interval 200 --iterations 2 >"$T/top" 2>"$T/err"
rc=$?
show "$T/top" "$T/err"
[ $rc = 0 ] && [ "$(grep -c '^  HANDLE  *PID  *COMM  *CLASS ' "$T/top")" = 2 ] &&
	grep -q "^  $h1 " "$T/top" && ! grep -q "$(printf '\033')" "$T/top"
check "top --iterations 2: two refreshes with COMM and CLASS, no ANSI codes when not a tty" "rc $rc"

"$XC" suspend "$h3" --for 1s >/dev/null 2>&1 &
sp=$!
wait_for suspended "$h3"
"$XC" -j top --interval 300ms --iterations 1 >"$T/top" 2>"$T/err"
rc=$?
wait $sp
pct=$(sed "s/.*{\"handle\":$h3,[^}]*\"suspended_pct\":\([0-9.]*\).*/\1/" "$T/top")
[ $rc = 0 ] && awk -v p="$pct" 'BEGIN { exit !(p + 0 >= 50) }'
check "top --json: a suspended queue is suspended >= 50% of the interval" "rc $rc pct '$pct'"

# --sort suspended: the suspended queue first, marked
"$XC" suspend "$h3" --for 1s >/dev/null 2>&1 &
sp=$!
wait_for suspended "$h3"
"$XC" top --interval 300ms --iterations 1 --sort suspended >"$T/top" 2>"$T/err"
rc=$?
wait $sp
show "$T/top" "$T/err"
[ $rc = 0 ] && grep -q ' by suspended$' "$T/top" &&
	[ "$(grep -A1 '^  HANDLE' "$T/top" | tail -n 1 | awk '{ print $1, $2 }')" = "* $h3" ]
check "top --sort suspended: the suspended queue first, marked '*'" "rc $rc"

"$XC" list -j >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "^Error: '-j' is a global option: put it before the command (xschedctl -j list" "$T/err"
check "-j after the command: exit 2 and where it goes" "rc $rc: $(cat "$T/err")"

"$XC" stats >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
[ $rc = 0 ] && awk '$1 == 0 && $2 >= 5 && $3 >= 5' "$T/out" | grep -q .
check "stats: GPU 0 counted the suspensions" "rc $rc"
"$XC" -j stats --gpu 0 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q '^{"gpus":\[{"gpu_id":0,"backend":"sim","counters":{"suspends":' "$T/out"
check "stats --json --gpu 0" "rc $rc: $(cat "$T/out")"

# --- doctor ----------------------------------------------------------------------------
"$XC" doctor >"$T/out" 2>"$T/err"
rc=$?
show "$T/out" "$T/err"
grep -q '^\[ OK \] module:' "$T/out" && grep -q '^\[ OK \] backend sim: running' "$T/out" &&
	grep -q '^\[ OK \] abi:' "$T/out" && grep -q '^\[ OK \] control:' "$T/out" &&
	grep -q '^\[WARN\] xschedd:' "$T/out"
check "doctor: module, abi, sim backend, control OK; no daemon WARN" "rc $rc"
if grep -q '^\[FAIL\]' "$T/out"; then [ $rc = 1 ]; else [ $rc = 0 ]; fi
check "doctor: exit status follows the FAIL lines" "rc $rc"
grep -q '^\[ OK \] gpu 0 topology: 4 XCC x 4 SE x 1 SH, 80 CUs, consistent$' "$T/out"
check "doctor: the simulated GPU's topology adds up" "$(grep topology "$T/out")"
"$XC" -j doctor >"$T/out" 2>"$T/err"
grep -q '^\[{"check":"module","status":"ok","detail":' "$T/out"
check "doctor --json: a list of {check, status, detail}" "$(head -c 200 "$T/out")"

# --- the daemon, faked -------------------------------------------------------------------
"$SIMQ" --fake-daemon "$T/sock" >"$T/fake" 2>"$T/fake.err" &
pids="$pids $!"
wait_for grep -q ready "$T/fake"
export XSCHEDD_SOCKET="$T/sock"
"$XC" policy >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q "^policy = priority" "$T/out"
check "policy show: the daemon's configuration" "rc $rc: $(cat "$T/out" "$T/err")"
"$XC" policy set edf >"$T/out" 2>"$T/err" && "$XC" -j policy show >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q '"policy":"edf"' "$T/out"
check "policy set edf, then show --json" "rc $rc: $(cat "$T/out" "$T/err")"
"$XC" policy set fifo >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ]
check "policy set fifo: exit 2" "rc $rc"
"$XC" policy reload >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^Error: xschedd: /etc/xschedd.conf:3: unknown key" "$T/err"
check "a daemon error: exit 1 with its message" "rc $rc: $(cat "$T/err")"
"$XC" stats --daemon >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] && grep -q "^xschedd_decisions_total 42" "$T/out"
check "stats --daemon: Prometheus text" "rc $rc"
"$XC" doctor 2>&1 | grep -q '^\[ OK \] xschedd: reachable'
check "doctor: xschedd reachable" "no OK line"
"$XC" -S "$T/nosock" policy >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "^Error: xschedd at $T/nosock: No such file or directory" "$T/err"
check "-S to a missing socket: exit 1" "rc $rc: $(cat "$T/err")"

echo "1..$n"
[ $failed = 0 ]
