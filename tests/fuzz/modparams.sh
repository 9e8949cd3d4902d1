#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The module's parameters at their limits, in the VM: reload
# /axs/amdxsched.ko with each valid extreme (it must load, answer VERSION
# with that value, and survive a short fuzz burst where the value matters)
# and with each value just past a limit or malformed (insmod must fail and
# leave no module behind); at the end reload it with the harness's own
# parameters (/axs/modparams). TAP on stdout. POSIX sh for busybox, run
# from the payload directory (axs-fuzz and tap.sh next to it).
#
# Limits, from kmod/*.c: max_lease_ms 1..3600000 (main.c), sim_gpus
# 0..64 (main.c, AXS_MAX_GPUS); the kfd backend's uints take any value
# (kfd_busy_poll_us is raised to 50 us, kfd_rescan_ms 0 means never) and
# its bools take what kstrtobool() takes.

KO=/axs/amdxsched.ko
PARAMS=$(cat /axs/modparams 2>/dev/null)
BURST=${MODPARAMS_BURST:-5}
LOG=${FUZZ_LOG:-/tmp/fuzz.log}

# Each case: parameters joined by commas.
VALID="max_lease_ms=1 max_lease_ms=3600000 sim_gpus=0 sim_gpus=64
max_lease_ms=1,sim_gpus=64 kfd=0 kfd=1 kfd=n kfd_trust_layout=1 kfd_rescan_ms=0
kfd_rescan_ms=1 kfd_rescan_ms=4294967295 kfd_busy_poll_us=0
kfd_busy_poll_us=4294967295 kfd_idle_hold_us=0 kfd_idle_hold_us=4294967295
kfd_break_symbol=pqm_update_mqd kfd_test_calls=1"
INVALID="max_lease_ms=0 max_lease_ms=3600001 max_lease_ms=4294967295
max_lease_ms=4294967296 max_lease_ms=-1 max_lease_ms=ten sim_gpus=65
sim_gpus=4294967295 sim_gpus=4294967296 sim_gpus=-1 kfd=2 kfd=maybe
kfd_rescan_ms=-1 kfd_busy_poll_us=4294967296 kfd_idle_hold_us=1e3"

# shellcheck source=../vm/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck disable=SC2086 # one word per case
set -- $VALID
nvalid=$#
# shellcheck disable=SC2086
set -- $INVALID
echo "TAP version 13"
echo "1..$((nvalid + $# + 1))"

# The parameters this build has (the kfd backend's only where it was built).
HAVE=
for f in /sys/module/amdxsched/parameters/*; do HAVE="$HAVE ${f##*/}"; done

loaded() { [ -d /sys/module/amdxsched ]; }

# Every parameter of the case exists in this build.
known() {	# known PARAM=VALUE...
	for p; do
		case " $HAVE " in
		*" ${p%%=*} "*) ;;
		*) return 1 ;;
		esac
	done
}

unload() {
	loaded || return 0
	rmmod amdxsched 2>/dev/null
}

# With one simulated GPU unless the case says otherwise (the last of a name
# wins): the module makes none by default, and the fuzzer needs one.
load() {	# load PARAM...
	insmod "$KO" sim_gpus=1 "$@" 2>/dev/null && [ -c /dev/amdxsched ]
}

# What VERSION must say under these parameters, as words of axs-fuzz --probe.
expect() {	# expect PARAM...
	for p; do
		case $p in
		max_lease_ms=*) echo "max_lease_ms=${p#*=}" ;;
		sim_gpus=*) echo "num_gpus=${p#*=}" ;;
		kfd=0 | kfd=n) echo "kfd=0" ;;
		esac
	done
}

# Fuzzing is worth its time only where the parameter changes what it reaches.
wants_burst() {	# wants_burst PARAM...
	for p; do
		case $p in max_lease_ms=* | sim_gpus=*) return 0 ;; esac
	done
	return 1
}

valid() {	# valid CASE
	name="valid: $1"
	# shellcheck disable=SC2046 # split on the commas
	set -- $(echo "$1" | tr ',' ' ')
	if ! known "$@"; then
		ok "$name" "not a parameter of this build"
		return
	fi
	if ! unload; then
		not_ok "$name" "rmmod failed"
		return
	fi
	if ! load "$@"; then
		not_ok "$name" "insmod $KO $* failed"
		return
	fi
	probe=$(./axs-fuzz --probe 2>&1)
	for want in $(expect "$@"); do
		case " $probe " in
		*" $want "*) ;;
		*)
			not_ok "$name" "VERSION says '$probe', not $want"
			return
			;;
		esac
	done
	if wants_burst "$@"; then
		{ ./axs-fuzz --seconds "$BURST" --threads 2 --log "$LOG" 2>&1
		  echo $? >/tmp/mp.rc; } | sed 's/^/# /'
		rc=$(cat /tmp/mp.rc)
		if [ "$rc" != 0 ]; then
			not_ok "$name" "a ${BURST} s fuzz burst failed (exit $rc)"
			return
		fi
		ok "$name (loads, VERSION agrees, ${BURST} s of fuzzing)"
	else
		ok "$name (loads, $probe)"
	fi
}

invalid() {	# invalid CASE
	name="refused: $1"
	# shellcheck disable=SC2046
	set -- $(echo "$1" | tr ',' ' ')
	if ! known "$@"; then
		ok "$name" "not a parameter of this build"
		return
	fi
	if ! unload; then
		not_ok "$name" "rmmod failed"
		return
	fi
	if load "$@"; then
		not_ok "$name" "insmod $KO $* succeeded"
		unload
	elif loaded; then
		not_ok "$name" "insmod failed but the module is there"
	else
		ok "$name"
	fi
}

for c in $VALID; do valid "$c"; done
for c in $INVALID; do invalid "$c"; done

unload
# shellcheck disable=SC2086 # "a=1 b=2" are two parameters
if load $PARAMS; then
	ok "reloaded with the original parameters${PARAMS:+ ($PARAMS)}"
else
	not_ok "reload with the original parameters" "insmod $KO $PARAMS failed"
fi

tap_end
