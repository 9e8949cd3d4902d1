#!/bin/sh
# SPDX-License-Identifier: MIT
#
# xschedd end to end on the simulated MI308X: the dual-model scenario of
# ../shared/reference/workloads.md shrunk to seconds. A latency-critical
# process (a request of 10 kernels x 80 workgroups x 12 ms every 240 ms) and a
# batch process (kernels of 160 workgroups x 40 ms, two in flight), each an
# unchanged axs-workload that only tags itself. Then what a crash, a hang
# and a SIGHUP of the daemon do. TAP; POSIX sh for busybox; run from the
# payload directory as root with the module loaded.
#
# QEMU without KVM runs the CPU side some 30x slower than native: the
# daemon's reaction (busy event to suspend issued) is about 0.5 ms here for
# most requests and 2-13 ms for about one in ten (more on 6.1 than on
# newer kernels), against tens of microseconds on a real host. GPU-side
# times are scaled up so that this stays inside the 10% budget as a native
# reaction does beside a 2.7 ms ResNet-18 request: a request is 10 kernels
# x 80 workgroups x 12 ms (120 ms) every 240 ms. At 60 and 80 ms requests
# 6.1 came out at 9.9% and 10.2%. 'make bench' measures the reaction.

#
# On the debug lane's kernel (KASAN, lockdep, kmemleak) the daemon is slower
# again, by some 3x: AXS_TIME_SCALE (set by run-tests.sh there) stretches the
# GPU-side times, the deadlines and the runs by that factor, so that its
# reaction stays the same small part of a request and the same number of
# requests runs.
S=${AXS_TIME_SCALE:-1}
SECS=$((${AXS_E2E_SECONDS:-45} * S))	# 187 requests under xschedd: P99 is the second worst
SHORT=$((6 * S))		# runs that need no tail (alone, the model is exact)
HIGH="--role high --tag hi --period-ms $((240 * S)) --kernels 10 --wg-us $((12000 * S))"
LOW="--role low --tag lo --wg-us $((40000 * S))"
LEASE_MS=400
T=/tmp/xe2e
SOCK=$T/xschedd.sock
. "$(dirname "$0")/tap.sh"
mkdir -p $T

config() {	# config HI-CLASS LO-CLASS
	cat >$T/xschedd.conf <<EOF
policy = priority
lease = ${LEASE_MS}ms
hold = 2ms
metrics_listen = 127.0.0.1:9464
rule tag=hi class=$1
rule tag=lo class=$2
EOF
}

daemon_start() {
	rm -f $SOCK
	./xschedd -c $T/xschedd.conf -S $SOCK -f 50 "$@" 2>>$T/xschedd.log &
	XPID=$!
	i=0
	while [ ! -S $SOCK ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S $SOCK ]
}

daemon_stop() {
	kill "$XPID" 2>/dev/null
	wait "$XPID" 2>/dev/null
}

# run_pair OUT-PREFIX SECONDS: high and low together; JSON reports.
run_pair() {
	./axs-workload $LOW --seconds "$2" --json --quiet >"$1.lo" &
	lo=$!
	./axs-workload $HIGH --seconds "$2" --json --quiet >"$1.hi" &
	hi=$!
	wait $hi
	wait $lo
}

queue_json() { ./xschedctl -j list queues --pid "$1" 2>/dev/null; }
queue_suspended() { queue_json "$1" | grep -q '"suspended": *true'; }
queue_priority() { queue_json "$1" | sed -n 's/.*"priority": *\([0-9]*\).*/\1/p' | head -n 1; }

echo "TAP version 13"
echo "1..24"
ip link set lo up 2>/dev/null

# --- the scenario ----------------------------------------------------------
./axs-workload $HIGH --seconds "$SHORT" --json --quiet >$T/alone.hi
./axs-workload $LOW --seconds "$SHORT" --json --quiet >$T/alone.lo
run_pair $T/native "$SHORT"
config realtime best-effort
if daemon_start; then
	run_pair $T/sched "$SECS"
	metrics=$(./xschedctl -S $SOCK stats --daemon 2>/dev/null)
	daemon_stop
	grep 'reaction time' $T/xschedd.log | sed 's/^/# /'
else
	not_ok "xschedd starts" "$(cat $T/xschedd.log)"
fi

p99_alone=$(field $T/alone.hi p99_ms)
busy_ms=$(field $T/alone.hi busy_ms)
lo_alone=$(field $T/alone.lo kernels_per_s)
p99_native=$(field $T/native.hi p99_ms)
p99_sched=$(field $T/sched.hi p99_ms)
lo_sched=$(field $T/sched.lo kernels_per_s)
echo "# high alone p99 ${p99_alone} ms (busy ${busy_ms} ms in ${SHORT} s); low alone ${lo_alone} kernels/s"
echo "# together, native: high p99 ${p99_native} ms"
echo "# together, xschedd priority Lv3: high p99 ${p99_sched} ms, low ${lo_sched} kernels/s"
echo "# high with xschedd: p50 $(field $T/sched.hi p50_ms) p90 $(field $T/sched.hi p90_ms) max $(field $T/sched.hi max_ms) ms"

check_expr "native: high p99 is several times its standalone value" \
	"${p99_native:-0} >= 3 * ${p99_alone:-1}" "native ${p99_native} vs alone ${p99_alone}"
check_expr "xschedd: high p99 within 10% of standalone" \
	"${p99_sched:-1e9} <= 1.10 * ${p99_alone:-0} && ${p99_alone:-0} > 0" \
	"with xschedd ${p99_sched} vs alone ${p99_alone}"
# what high leaves over is (1 - its busy fraction) of the GPU
check_expr "xschedd: low keeps >= 80% of the capacity left over" \
	"${lo_sched:-0} >= 0.8 * ${lo_alone:-1e9} * (1 - ${busy_ms:-1e9} / (${SHORT} * 1000))" \
	"low ${lo_sched} vs alone ${lo_alone}, high busy ${busy_ms} ms of ${SHORT} s"
echo "$metrics" | grep '^xschedd_reaction_seconds' | sed 's/^/# /'

# --- a hang, then a crash, of the daemon --------------------------------------
config realtime best-effort
daemon_start
./axs-workload $LOW --seconds 30 --quiet >/dev/null &
lo=$!
./axs-workload --role high --tag hi --seconds 30 --period-ms 20 --kernels 60 --quiet \
	>/dev/null &
hi=$!
# high is busy 60 of every 80 ms: low is suspended most of the time
i=0
while ! queue_suspended $lo && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if queue_suspended $lo; then
	kill -STOP "$XPID"
	sleep $(awk "BEGIN { print ($LEASE_MS + 300) / 1000 }")
	if queue_suspended $lo; then
		not_ok "hung xschedd: its suspension ends with its lease" "$(queue_json $lo)"
	else
		ok "hung xschedd: its suspension ends with its lease"
	fi
	kill -CONT "$XPID"
	i=0
	while ! queue_suspended $lo && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$XPID"
	wait "$XPID" 2>/dev/null
	# The file closes with the process: resumed at once, not after the lease.
	sleep 0.1
	if queue_suspended $lo; then
		not_ok "kill -9 of xschedd resumes its queues" "$(queue_json $lo)"
	else
		ok "kill -9 of xschedd resumes its queues"
	fi
	sleep $(awk "BEGIN { print $LEASE_MS * 2 / 1000 }")
	if queue_suspended $lo; then
		not_ok "nothing suspended after the daemon is gone" "$(queue_json $lo)"
	else
		ok "nothing suspended after the daemon is gone"
	fi
else
	not_ok "hung xschedd: its suspension ends with its lease" "low never suspended"
	not_ok "kill -9 of xschedd resumes its queues" "low never suspended"
	not_ok "nothing suspended after the daemon is gone" "low never suspended"
	kill "$XPID"
fi
kill "$hi" "$lo" 2>/dev/null
wait "$hi" "$lo" 2>/dev/null
# --- SIGHUP with a new configuration ------------------------------------------
config realtime best-effort
daemon_start --trace $T/trace.json
./axs-workload $LOW --seconds 30 --quiet >/dev/null &
lo=$!
./axs-workload $HIGH --seconds 30 --quiet >/dev/null &
hi=$!
sleep 1
before="$(queue_priority $hi)/$(queue_priority $lo)"
config best-effort realtime
kill -HUP "$XPID"
i=0
while [ "$(queue_priority $hi)/$(queue_priority $lo)" != 2/12 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
after="$(queue_priority $hi)/$(queue_priority $lo)"
if [ "$before" = 12/2 ] && [ "$after" = 2/12 ]; then
	ok "SIGHUP: new rules swap the priorities of running processes ($before -> $after)"
else
	not_ok "SIGHUP: new rules swap the priorities of running processes" \
		"priorities hi/lo before $before, after $after (want 12/2 -> 2/12)"
fi
# a broken file is refused, naming its line, and the old rules stay
bad=$(($(wc -l <$T/xschedd.conf) + 1))
echo "bogus line" >>$T/xschedd.conf
kill -HUP "$XPID"
sleep 0.5
if grep -q "xschedd.conf:$bad: expected" $T/xschedd.log &&
   [ "$(queue_priority $hi)/$(queue_priority $lo)" = 2/12 ] && kill -0 "$XPID"; then
	ok "a bad configuration is refused with its line, the old one stays"
else
	not_ok "a bad configuration is refused with its line, the old one stays" \
		"$(tail -n 3 $T/xschedd.log)"
fi
kill "$hi" "$lo" 2>/dev/null
wait "$hi" "$lo" 2>/dev/null

# --- refusals: a lease the module does not allow, a backend that refuses ------
# After a SIGHUP to a lease above the module's maximum (10 s) the daemon
# shortens it as it does at start-up and goes on suspending; a suspension
# the module keeps refusing is retried with a back-off and said once, not
# in a busy loop.
queue_suspends() { queue_json "$1" | sed -n 's/.*"suspends": *\([0-9]*\).*/\1/p' | head -n 1; }
calls_suspend() {	# the calls that carry suspensions: SUSPEND, or APPLY (ABI 1.3)
	./xschedctl -S $SOCK stats --daemon 2>/dev/null |
		awk '/^xschedd_calls_total\{kind="(suspend|apply)"\} / { n += $2 } END { print n + 0 }'
}
gpu=$(first_gpu)
knob=/sys/kernel/debug/amdxsched/sim/gpu$gpu/fail_suspend
config realtime best-effort
sed -i 's/^lease = .*/lease = 3600s/' $T/xschedd.conf
kill -HUP "$XPID"
./axs-workload $LOW --seconds $((45 * S)) --quiet >/dev/null &
lo=$!
./axs-workload $HIGH --seconds $((45 * S)) --quiet >/dev/null &
hi=$!
i=0
s0=0
while [ $i -lt $((50 * S)) ]; do
	s0=$(queue_suspends $lo)
	[ "${s0:-0}" -gt 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
if [ "${s0:-0}" -gt 0 ] &&
   grep -q 'lease longer than the module allows, shortened.*lease_ms=3600000' $T/xschedd.log; then
	ok "SIGHUP to a lease above the module's maximum: shortened, suspensions go on"
else
	not_ok "SIGHUP to a lease above the module's maximum: shortened, suspensions go on" \
		"best-effort queue suspended ${s0:-?} times in $((5 * S)) s; $(grep -c 'suspend' $T/xschedd.log) suspend lines in the log" \
		"$(tail -n 1 $T/xschedd.log)"
fi
if [ -w "$knob" ]; then
	c0=$(calls_suspend)
	refused0=$(grep -c 'suspend refused' $T/xschedd.log)
	echo 1000000 >"$knob"
	sleep $((5 * S))
	left=$(cat "$knob")
	echo 0 >"$knob"
	c1=$(calls_suspend)
	tries=$((1000000 - left))
	said=$(($(grep -c 'suspend refused' $T/xschedd.log) - refused0))
	# Back-off from 1 ms doubling to 1 s: some 15 tries in 5 s, not thousands.
	if [ "$tries" -ge 1 ] && [ "$tries" -le $((20 + 5 * S)) ] && [ "$said" = 1 ]; then
		ok "a refused suspension backs off and is said once ($tries tries, $((c1 - c0)) calls, $said log line)"
	else
		not_ok "a refused suspension backs off and is said once" \
			"$tries refused tries and $said 'suspend refused' log lines in $((5 * S)) s" \
			"$(grep 'suspend' $T/xschedd.log | tail -n 1)"
	fi
	i=0
	while ! grep -q 'suspend accepted again' $T/xschedd.log && [ $i -lt $((50 * S)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q 'suspend accepted again' $T/xschedd.log
	check "once the module accepts again, suspensions resume and it is said" \
		"no 'suspend accepted again' in the log: $(tail -n 1 $T/xschedd.log)"
else
	ok "a refused suspension backs off and is said once" "no sim fault knob at $knob"
	ok "once the module accepts again, suspensions resume and it is said" "no sim fault knob at $knob"
fi

# A debugger on the batch process (the simulated GPU's debug_pid knob): the
# module refuses its suspension (EBUSY) and nothing suspends it; once the
# debugger detaches, the daemon, which took the refusal for someone else's
# hold, finds it running again and suspends it as before.
dknob=/sys/kernel/debug/amdxsched/sim/gpu$gpu/debug_pid
if [ -w "$dknob" ]; then
	echo "$lo" >"$dknob"
	sleep 0.5
	d0=$(queue_suspends $lo)
	sleep $((3 * S))
	d1=$(queue_suspends $lo)
	echo 0 >"$dknob"
	i=0
	d2=$d1
	while [ "${d2:-0}" -le "${d1:-0}" ] && [ $i -lt $((100 * S)) ]; do
		sleep 0.1
		d2=$(queue_suspends $lo)
		i=$((i + 1))
	done
	if [ -n "$d0" ] && [ "$d0" = "$d1" ] && [ "${d2:-0}" -gt "${d1:-0}" ]; then
		ok "a debugged process is not preempted; after its debugger detaches it is again ($d1 -> $d2 suspensions in $((i / 10)) s)"
	else
		not_ok "a debugged process is not preempted; after its debugger detaches it is again" \
			"suspensions of the batch queue: $d0 when debugged, $d1 3 s later, $d2 after the detach" \
			"$(tail -n 2 $T/xschedd.log)"
	fi
else
	ok "a debugged process is not preempted; after its debugger detaches it is again" \
		"no sim knob at $dknob"
fi
kill "$hi" "$lo" 2>/dev/null
wait "$hi" "$lo" 2>/dev/null

# the daemon's policy through its socket, metrics over HTTP, and no polling
./xschedctl -S $SOCK policy set bandwidth >/dev/null 2>&1
if ./xschedctl -S $SOCK policy 2>&1 | grep -q '^policy = bandwidth'; then
	ok "xschedctl policy set/show through the daemon's socket"
else
	not_ok "xschedctl policy set/show through the daemon's socket" \
		"$(./xschedctl -S $SOCK policy 2>&1 | head -n 3)"
fi
http=$(wget -q -O - http://127.0.0.1:9464/metrics 2>&1)
if echo "$http" | grep -q '^xschedd_info{policy="bandwidth"} 1' &&
   echo "$http" | grep -Eq '^xschedd_calls_total\{kind="(priority|apply)"\} [1-9]'; then
	ok "Prometheus metrics over HTTP"
else
	not_ok "Prometheus metrics over HTTP" "$(echo "$http" | head -n 3)"
fi
# A scrape as Prometheus sends it (HTTP/1.1, its headers: some 300 bytes),
# 50 times: every one answered in full, never reset.
scrape() {
	printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nUser-Agent: Prometheus/2.53.0\r\nAccept: application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n' |
		nc 127.0.0.1 9464 2>&1
}
if command -v nc >/dev/null 2>&1; then
	good=0
	for i in $(seq 50); do
		scrape >$T/scrape.out
		head -n 1 $T/scrape.out | grep -q '^HTTP/1.0 200 OK' &&
			grep -q '^xschedd_build_info{version="[0-9.]*",abi="1.5"' $T/scrape.out &&
			grep -Eq '^xschedd_class_queues\{class="realtime"\} [0-9]+$' $T/scrape.out &&
			grep -Eq '^amdxsched_gpu_remaps_total\{gpu="[0-9]+",kfd_gpu_id="[0-9]+",amdsmi_index="[0-9]*",pci="[^"]*",backend="(sim|kfd)"\} [0-9]+$' $T/scrape.out &&
			tail -n 1 $T/scrape.out | grep -q '^amdxsched_gpu_hangs_total' &&
			good=$((good + 1))
	done
	if [ $good = 50 ]; then
		ok "a Prometheus-style scrape (~300-byte request) answered in full 50 times of 50"
	else
		not_ok "a Prometheus-style scrape (~300-byte request) answered in full 50 times of 50" \
			"$good good answers; the last: $(head -c 300 $T/scrape.out)"
	fi
else
	ok "a Prometheus-style scrape (~300-byte request) answered in full 50 times of 50" \
		"no nc in this guest"
fi
cpu() { awk '{ print $14 + $15 }' /proc/"$XPID"/stat; }
sleep 0.5
c0=$(cpu)
sleep 3
c1=$(cpu)
if [ $((c1 - c0)) -le 1 ]; then
	ok "idle: no busy polling ($((c1 - c0)) ticks of CPU in 3 s)"
else
	not_ok "idle: no busy polling" "$((c1 - c0)) ticks of CPU in 3 s"
fi
daemon_stop
if grep -q '"name":"decision"' $T/trace.json 2>/dev/null &&
   grep -q 'suspended Lv3' $T/trace.json && tail -c 64 $T/trace.json | grep -q '}'; then
	ok "xschedd: --trace wrote decisions and suspensions"
else
	not_ok "xschedd: --trace wrote decisions and suspensions" "$(tail -c 300 $T/trace.json)"
fi


# --- coalescing: one call, one remap, per decision -----------------------------
# Each decision suspends or resumes all 4 lower queues (and may change
# priorities): with APPLY (ABI 1.3) it is one call and one remap of the GPU.
config realtime best-effort
echo "rule comm=axs-simq class=best-effort" >>$T/xschedd.conf
daemon_start
./axs-simq --queues 4 --busy >$T/simq.out &
sq=$!
./axs-workload $HIGH --seconds 30 --quiet >/dev/null &
hi=$!
i=0
while ! grep -q ready $T/simq.out && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
# One read of the daemon's metrics and one of the module's counters per
# sample, back to back, so that few decisions fall between them.
sample() {	# sample FILE
	./xschedctl -S $SOCK stats --daemon >"$1"
	./xschedctl -j stats >"$1.module"
}
metric() { sed -n "s/^$2 //p" "$1"; }	# metric FILE NAME
remaps() { sed -n 's/.*"remaps": *\([0-9]*\).*/\1/p' "$1.module" | head -n 1; }
calls() {
	echo $(($(metric "$1" 'xschedd_calls_total{kind="suspend"}') +
		$(metric "$1" 'xschedd_calls_total{kind="resume"}') +
		$(metric "$1" 'xschedd_calls_total{kind="priority"}') +
		$(metric "$1" 'xschedd_calls_total{kind="cu_mask"}') +
		$(metric "$1" 'xschedd_calls_total{kind="apply"}')))
}
sample $T/m0
sleep $((3 * S))
sample $T/m1
r0=$(remaps $T/m0); c0=$(calls $T/m0); d0=$(metric $T/m0 xschedd_decisions_total)
q0=$(metric $T/m0 xschedd_queue_suspensions_total)
r1=$(remaps $T/m1); c1=$(calls $T/m1); d1=$(metric $T/m1 xschedd_decisions_total)
q1=$(metric $T/m1 xschedd_queue_suspensions_total)
kill "$hi" "$sq" 2>/dev/null
wait "$hi" "$sq" 2>/dev/null
daemon_stop
echo "# $((3 * S)) s: $((d1 - d0)) decisions, $((c1 - c0)) calls, $((r1 - r0)) remaps, $((q1 - q0)) queue suspensions"
# The counters are read a few ms apart while decisions go on: one of slack.
dc=$(((c1 - c0) - (d1 - d0)))
dr=$(((r1 - r0) - (c1 - c0)))
if [ $((d1 - d0)) -ge 10 ] && [ $((q1 - q0)) -ge 8 ] && [ ${dc#-} -le 1 ] && [ ${dr#-} -le 1 ]; then
	ok "coalescing: a decision on one GPU is one call and one remap"
else
	not_ok "coalescing: a decision on one GPU is one call and one remap" \
		"decisions $((d1 - d0)), calls $((c1 - c0)), remaps $((r1 - r0)), queues $((q1 - q0))"
fi

# --- a class per queue (ABI 1.5) -----------------------------------------------
# One process, two queues: "rt" busy for 5 ms every 100 ms, "be" all the
# time. Under the priority policy the process's own best-effort queue is
# suspended whenever its realtime queue is busy, and the realtime one never:
# first with the classes the process gives its queues (SET_QUEUE_ATTR, as
# libhsa-xsched does for HIP stream priorities), then with rules on the
# priority each queue was created with (queue-priority=, for ROCm where the
# hooks cannot run). Without either, both are the process's class and
# nothing is suspended.
PAIR="--pair --period-ms $((100 * S)) --wg-us $((5000 * S))"
qjson() {	# qjson FILE HANDLE KEY: a field of queue HANDLE in a list's JSON
	tr '{' '\n' <"$1" | grep -A1 "^\"handle\":$2," |
		sed -n "s/.*\"$3\":\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n 1
}
pair_run() {	# pair_run NAME AXS-SIMQ-OPTION...: sets rt and be; list in $T/NAME.json
	pr=$T/$1
	shift
	./axs-simq $PAIR "$@" >$pr.out 2>&1 &
	sq=$!
	i=0
	while ! grep -q ready $pr.out && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	rt=$(sed -n 's/^rt //p' $pr.out)
	be=$(sed -n 's/^be //p' $pr.out)
	sleep $((2 * S))
	queue_json $sq >$pr.json
	kill $sq 2>/dev/null
	wait $sq 2>/dev/null
}
printf '%s\n' "policy = priority" "lease = ${LEASE_MS}ms" "hold = 2ms" \
	"rule queue-priority=11-15 class=realtime" "rule queue-priority=0-6 class=best-effort" \
	>$T/xschedd.conf
daemon_start
pair_run pair-none
none="$(qjson $T/pair-none.json "$be" suspends)"
none_class="$(qjson $T/pair-none.json "$be" class)"
pair_run pair-attr --set-classes --rt-priority 7 --be-priority 7
sr=$(qjson $T/pair-attr.json "$rt" suspends)
sb=$(qjson $T/pair-attr.json "$be" suspends)
if [ "$none" = 0 ] && [ "${sr:-x}" = 0 ] && [ "${sb:-0}" -ge 5 ]; then
	ok "queue classes: a process's best-effort queue yields to its realtime one ($sb suspensions in $((2 * S)) s; none without classes)"
else
	not_ok "queue classes: a process's best-effort queue yields to its realtime one" \
		"suspensions: without classes $none; with them rt ${sr:-?}, be ${sb:-?}" \
		"axs-simq: $(tr '\n' ' ' <$T/pair-attr.out)" \
		"$(grep 'queue classified' $T/xschedd.log | tail -n 2 | tr '\n' ' ')"
fi
got="$(qjson $T/pair-attr.json "$rt" class)/$(qjson $T/pair-attr.json "$be" class)"
[ "$got" = realtime/best-effort ] &&
	[ "$(qjson $T/pair-attr.json "$rt" attr_flags)" = 1 ] &&
	[ "$none_class" = null ]
check "xschedctl list --json: each queue's own class ($got)" "$(head -c 600 $T/pair-attr.json)"
pair_run pair-rule --rt-priority 11 --be-priority 3
sr=$(qjson $T/pair-rule.json "$rt" suspends)
sb=$(qjson $T/pair-rule.json "$be" suspends)
cp="$(qjson $T/pair-rule.json "$rt" app_priority)/$(qjson $T/pair-rule.json "$be" app_priority)"
if [ "$cp" = 11/3 ] && [ "${sr:-x}" = 0 ] && [ "${sb:-0}" -ge 5 ]; then
	ok "queue-priority rules: queues created at 11 and 3 are realtime and best-effort ($sb suspensions)"
else
	not_ok "queue-priority rules: queues created at 11 and 3 are realtime and best-effort" \
		"created at $cp; suspensions rt ${sr:-?}, be ${sb:-?}" \
		"$(grep 'queue classified' $T/xschedd.log | tail -n 2 | tr '\n' ' ')"
fi
daemon_stop

# --- the other policies, run for real -----------------------------------------
# bandwidth: two batch processes with shares 75% and 25% take turns.
printf '%s\n' "policy = bandwidth" "slice_period = 100ms" \
	"rule tag=a class=best-effort share=75%" "rule tag=b class=best-effort share=25%" \
	>$T/xschedd.conf
daemon_start
./axs-workload --role low --tag a --wg-us $((40000 * S)) --seconds "$SHORT" --json --quiet \
	>$T/bw.a &
a=$!
./axs-workload --role low --tag b --wg-us $((40000 * S)) --seconds "$SHORT" --json --quiet \
	>$T/bw.b
wait $a
daemon_stop
ra=$(field $T/bw.a kernels_per_s)
rb=$(field $T/bw.b kernels_per_s)
check_expr "bandwidth 75/25: throughput splits 3:1 (${ra} vs ${rb} kernels/s)" \
	"${rb:-0} > 0 && ${ra:-0} / ${rb:-1} >= 2.1 && ${ra:-0} / ${rb:-1} <= 3.9 &&
	 ${ra:-0} + ${rb:-0} >= 0.8 * ${lo_alone:-1e9}" \
	"a ${ra}, b ${rb}, one alone ${lo_alone} kernels/s"

# edf: two realtime services whose requests arrive together; the one due
# first (60 ms of work, due in 100 ms) runs first, the other (120 ms of
# work, due in 1 s) waits. Without it they share the CUs and both finish late.
# 25 requests, so P99 is the worst one: the bound leaves room for one slow
# wake-up of the daemon (the 10% budget is the headline scenario's, above).
edf_pair() {	# OUT-PREFIX POLICY
	printf '%s\n' "policy = $2" "rule tag=a class=realtime deadline=$((100 * S))ms" \
		"rule tag=b class=realtime deadline=${S}s" >$T/xschedd.conf
	daemon_start
	./axs-workload --role high --tag b --period-ms $((240 * S)) --kernels 10 \
		--wg-us $((12000 * S)) --seconds "$SHORT" --json --quiet >"$1.b" &
	b=$!
	./axs-workload --role high --tag a --period-ms $((240 * S)) --kernels 5 \
		--wg-us $((12000 * S)) --seconds "$SHORT" --json --quiet >"$1.a"
	wait $b
	daemon_stop
}
./axs-workload --role high --tag a --period-ms $((240 * S)) --kernels 5 --wg-us $((12000 * S)) \
	--seconds "$SHORT" --json --quiet >$T/edf-alone.a
edf_pair $T/edf-off priority
edf_pair $T/edf edf
pa=$(field $T/edf-alone.a p99_ms)
po=$(field $T/edf-off.a p99_ms)
pe=$(field $T/edf.a p99_ms)
pb=$(field $T/edf.b p99_ms)
check_expr "edf: the earlier deadline runs first (p99 ${pe} ms; alone ${pa}, sharing ${po})" \
	"${pe:-1e9} <= 1.25 * ${pa:-0} && ${po:-0} >= 1.5 * ${pa:-1e9} && ${pb:-1e9} < 1000 * $S" \
	"a: alone ${pa}, sharing under priority ${po}, edf ${pe}; b under edf ${pb}"

# spatial: realtime gets a quarter of the CUs, best effort the rest.
printf '%s\n' "policy = spatial" "cu_partition = class" "cu.realtime = 25%" \
	"cu.best-effort = 75%" "rule tag=hi class=realtime" "rule tag=lo class=best-effort" \
	>$T/xschedd.conf
daemon_start
./axs-workload $LOW --seconds 30 --quiet >/dev/null &
lo=$!
./axs-workload $HIGH --seconds 30 --quiet >/dev/null &
hi=$!
cus() { queue_json "$1" | sed -n 's/.*"cu_mask_set": *\([0-9]*\).*/\1/p' | head -n 1; }
i=0
while [ "$(cus $hi)/$(cus $lo)" != 20/60 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
got="$(cus $hi)/$(cus $lo)"
if [ "$got" = 20/60 ] && ! queue_suspended $lo; then
	ok "spatial by class: CU masks of 20 and 60 CUs, nothing suspended"
else
	not_ok "spatial by class: CU masks of 20 and 60 CUs, nothing suspended" \
		"CUs hi/lo $got" "$(queue_json $lo)"
fi
kill "$hi" "$lo" 2>/dev/null
wait "$hi" "$lo" 2>/dev/null
daemon_stop

echo "# xschedd log (last lines):"
tail -n 5 $T/xschedd.log | sed 's/^/# /'
tap_end
