#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The stress test: 8 simulated GPUs, hundreds of simulated processes with
# thousands of queues created and SIGKILLed continuously, xschedd running the
# priority policy over them (rules make some realtime, some best-effort),
# scheduler threads suspending under 5-50 ms leases and renewing them right at
# the deadline, event subscribers (one must lose events and say so), a slow
# unmap on one GPU, injected suspend/resume failures, rmmod attempts while
# files are open, and xschedctl readers (list, stats, top, trace, the daemon's
# socket) in loops; then the checks of tests/stress/axs-stress.c, an unload,
# a reload with the original parameters, and a kmemleak scan where the kernel
# has kmemleak. Lockdep, KASAN and WARNs are judged by the harness from the
# console.
#
# TAP (plan at the end); POSIX sh for busybox; run as root from a directory
# holding axs-stress, xschedd, xschedctl and tap.sh, with the module loaded
# from /axs/amdxsched.ko by the VM's init. Duration of the run phase:
# $AXS_STRESS_SECONDS, else the number in ./stress-seconds, else 45 (about
# 75 s of wall time in all on trixie under TCG). Extra axs-stress options:
# $AXS_STRESS_ARGS or ./stress-args.

SECS=${AXS_STRESS_SECONDS:-$(cat ./stress-seconds 2>/dev/null)}
SECS=${SECS:-45}
ARGS=${AXS_STRESS_ARGS:-$(cat ./stress-args 2>/dev/null)}
KO=/axs/amdxsched.ko
PARAMS=$(cat /axs/modparams 2>/dev/null)
GPUS=8
T=/tmp/stress
SOCK=$T/xschedd.sock
tab=$(printf '\t')
XSCHEDD_LAG="xschedd falls behind the event stream in the storms on slow kernels (README.md)"
# shellcheck source=tests/vm/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck source=tests/vm/kmemleak.sh
. "$(dirname "$0")/kmemleak.sh"

rm -rf $T
mkdir -p $T
echo "TAP version 13"

# insmod with the harness's parameters, then ours (the last of a name wins).
load() {	# load [PARAMS...]
	# Word splitting of $PARAMS is intended.
	# shellcheck disable=SC2086
	insmod "$KO" $PARAMS "$@" 2>>$T/insmod.err && [ -c /dev/amdxsched ]
}

unload() {	# rmmod, retried while the last processes let go of their files
	i=0
	while ! rmmod amdxsched 2>>$T/rmmod.err; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.2
	done
	[ ! -e /dev/amdxsched ]
}

# reader NAME PAUSE COMMAND...: COMMAND in a loop until $T/stop; counts runs
# and failures into $T/NAME.count, keeps the last failure's stderr.
reader() {
	r_name=$1 r_pause=$2
	shift 2
	r_runs=0 r_fails=0
	while [ ! -e $T/stop ]; do
		if ! "$@" >"$T/$r_name.out" 2>"$T/$r_name.err"; then
			r_fails=$((r_fails + 1))
			cp "$T/$r_name.err" "$T/$r_name.lasterr"
		fi
		r_runs=$((r_runs + 1))
		sleep "$r_pause"
	done
	echo "$r_runs $r_fails" >"$T/$r_name.count"
}

# The daemon's socket exists only while axs-stress runs xschedd.
daemon_reader() {
	while [ ! -e $T/stop ]; do
		if [ -S $SOCK ]; then
			if ./xschedctl -S $SOCK policy status >$T/daemon.out 2>&1 &&
			   ./xschedctl -S $SOCK stats --daemon >>$T/daemon.out 2>&1; then
				echo >>$T/daemon.ok
				cp $T/daemon.out $T/daemon.last
			else
				cp $T/daemon.out $T/daemon.err
			fi
		fi
		sleep 1
	done
}

# xschedd's CPU time per 2 s (clock ticks): is it keeping up?
cpu_sampler() {
	while [ ! -e $T/stop ]; do
		xp=$(pidof xschedd)
		[ -n "$xp" ] && awk '{ print $14 + $15 }' "/proc/$xp/stat" >>$T/xschedd.cpu 2>/dev/null
		for i in 1 2 3 4 5 6 7 8; do
			[ -n "$xp" ] && echo "$(awk '{ print $3 }' "/proc/$xp/stat" 2>/dev/null) $(cat "/proc/$xp/wchan" 2>/dev/null) $(cut -d' ' -f1,3 "/proc/$xp/syscall" 2>/dev/null)" >>$T/xschedd.wchan
			sleep 0.25
		done
	done
}

readers_start() {
	rm -f $T/stop
	reader list 0.3 ./xschedctl -j list &
	R1=$!
	reader table 0.5 ./xschedctl list queues &
	R2=$!
	reader stats 0.3 ./xschedctl -j stats &
	R3=$!
	reader top 0.1 ./xschedctl top --interval 250ms --iterations 4 &
	R4=$!
	reader trace 0.1 ./xschedctl trace --seconds 4 --quiet &
	R5=$!
	daemon_reader &
	R6=$!
	cpu_sampler &
	R7=$!
}

readers_stop() {
	touch $T/stop
	wait $R1 $R2 $R3 $R4 $R5 $R6 $R7
}

readers_check() {
	for r in list table stats top trace; do
		runs=0 fails='?'
		[ -f "$T/$r.count" ] && read -r runs fails <"$T/$r.count"
		if [ "$runs" -gt 0 ] && [ "$fails" = 0 ]; then
			ok "xschedctl reader '$r' ran $runs times during the stress, never failed"
		else
			not_ok "xschedctl reader '$r' ran during the stress, never failed" \
				"$runs runs, $fails failed; last error: $(head -c 300 "$T/$r.lasterr" 2>/dev/null)"
		fi
	done
	# A TODO: under the storms xschedd falls behind the events and its socket
	# with it (README.md); an answer is a bonus, none no failure.
	n=$((n + 1))
	if [ -s $T/daemon.ok ]; then
		echo "ok $n xschedctl talked to xschedd's socket $(wc -l <$T/daemon.ok) times # TODO $XSCHEDD_LAG"
	else
		echo "not ok $n xschedctl talked to xschedd's socket # TODO $XSCHEDD_LAG"
	fi
	[ -s $T/daemon.err ] && sed -n '1,3s/^/# last failed daemon query: /p' $T/daemon.err
	# trace reports what its own ring lost; informative only
	grep -h 'dropped' $T/trace.err 2>/dev/null | tail -n 1 | sed 's/^/# xschedctl trace: /'
}

# Realtime processes preempt best-effort ones (Lv2, so drains happen too).
xschedd_config() {
	cat >$T/xschedd.conf <<EOF
policy = priority
lease = 200ms
hold = 2ms
min_share = 5%
guard_period = 200ms
level.normal = 3
level.best-effort = 2
trust_hints = yes
rule tag=rt-* class=realtime
rule tag=be-* class=best-effort
EOF
}

# axs-stress's result lines as TAP; everything else as comments.
results() {	# results FILE
	while IFS= read -r line; do
		case $line in
		"ok$tab"*) ok "${line#ok"$tab"}" ;;
		"not ok$tab"*"# TODO"*)	# expected to fail: counted, not failed
			rest=${line#not ok"$tab"}
			n=$((n + 1))
			echo "not ok $n ${rest%%"$tab"*}"
			echo "# ${rest#*"$tab"}"
			;;
		"not ok$tab"*)
			rest=${line#not ok"$tab"}
			not_ok "${rest%%"$tab"*}" "${rest#*"$tab"}"
			;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
}

# If axs-stress hangs (a task stuck in the kernel), show where and go on.
watchdog() {	# watchdog PID SECONDS
	w_i=0
	while [ $w_i -lt "$2" ]; do
		sleep 1
		kill -0 "$1" 2>/dev/null || return 0
		w_i=$((w_i + 1))
	done
	echo "axs-stress: no end after $2 s; blocked tasks follow" >&2
	echo w >/proc/sysrq-trigger 2>/dev/null
	kill -9 "$1" 2>/dev/null
	: >$T/hung
}

# --- 8 simulated GPUs, leases of at most 1 s --------------------------------
if unload && load sim_gpus=$GPUS max_lease_ms=1000; then
	ok "module reloaded with sim_gpus=$GPUS max_lease_ms=1000"
else
	not_ok "module reloaded with sim_gpus=$GPUS max_lease_ms=1000" \
		"$(cat $T/rmmod.err $T/insmod.err 2>/dev/null | tail -n 3)"
	load
	echo "1..$n"
	tap_end
	exit 1
fi

leak_reset

# --- the stress ---------------------------------------------------------------
xschedd_config
readers_start
# shellcheck disable=SC2086
# The scale it must reach: half the processes and a quarter of the queues
# trixie reaches under TCG (a debug kernel is slower).
./axs-stress --seconds "$SECS" --gpus $GPUS --xschedd-log $T/xschedd.log \
	--xschedd-sock $SOCK --min-processes $((SECS * 4)) --min-queues $((SECS * 25)) \
	$ARGS -- ./xschedd -c $T/xschedd.conf -S $SOCK \
	>$T/stress.out 2>$T/stress.err &
spid=$!
watchdog $spid $((SECS + 300)) &
wpid=$!
wait $spid
rc=$?
kill $wpid 2>/dev/null
wait $wpid 2>/dev/null
readers_stop

results $T/stress.out
if [ -e $T/hung ]; then
	not_ok "axs-stress finished" "killed after $((SECS + 300)) s (blocked tasks on the console)"
elif [ $rc -gt 1 ]; then
	not_ok "axs-stress finished" "exit status $rc: $(tail -n 5 $T/stress.err)"
else
	ok "axs-stress finished (status $rc)"
fi
readers_check
# What the daemon did, from its last answer on the socket and its log.
grep -E '^xschedd_(decisions|queue_suspensions|queue_resumptions|call_errors|events_dropped|leases_lost|resyncs|guard_grants|holds)_total|^xschedd_calls_total|^xschedd_reaction_seconds_(sum|count)' \
	$T/daemon.last 2>/dev/null | sed 's/^/# /'
echo "# xschedd classified $(grep -c 'class=realtime' $T/xschedd.log) processes realtime, $(grep -c 'class=best-effort' $T/xschedd.log) best-effort, $(grep -c 'class=normal' $T/xschedd.log) normal"
echo "# xschedd CPU ticks every 2 s: $(tr '\n' ' ' <$T/xschedd.cpu 2>/dev/null)"
grep 'reaction time' $T/xschedd.log 2>/dev/null | sed 's/^/# xschedd: /'
sort $T/xschedd.wchan 2>/dev/null | uniq -c | sort -rn | head -n 8 | sed 's/^/# xschedd state, wchan, syscall: /'
echo "# xschedd log: $(grep -c 'level=warn' $T/xschedd.log 2>/dev/null) warnings, $(grep -c 'level=error' $T/xschedd.log 2>/dev/null) errors; most frequent:"
sed -n 's/.*level=\(warn\|error\) msg="\([^"]*\)".*/\1: \2/p' $T/xschedd.log 2>/dev/null |
	sort | uniq -c | sort -rn | head -n 5 | sed 's/^/#   /'

# --- unload, reload as the harness had it --------------------------------------
if unload; then
	ok "rmmod succeeds once every file is closed"
else
	not_ok "rmmod succeeds once every file is closed" "$(tail -n 3 $T/rmmod.err)"
fi
want=1
for p in $PARAMS; do
	case $p in sim_gpus=*) want=${p#sim_gpus=} ;; esac
done
if load; then
	got=$(./xschedctl -j list gpus 2>/dev/null | grep -o '"gpu_id"' | wc -l)
	if [ "$got" = "$want" ]; then
		ok "reloaded with the original parameters${PARAMS:+ ($PARAMS)}, $got GPU(s) listed"
	else
		not_ok "reloaded with the original parameters" "$got GPUs listed, want $want"
	fi
else
	not_ok "reloaded with the original parameters" "insmod $KO $PARAMS: $(tail -n 2 $T/insmod.err)"
fi

# --- leaks ------------------------------------------------------------------------
leak_check "the stress" -

echo "1..$n"
tap_end
