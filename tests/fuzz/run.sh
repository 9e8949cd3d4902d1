#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Guest side of the fuzz payload: axs-fuzz for FUZZ_SECONDS, then the module
# parameters at their limits (modparams.sh), each followed by a kmemleak scan
# where the kernel has kmemleak, as one TAP document with each program's own
# TAP nested as comments. POSIX sh for busybox, run from the
# payload directory with the module loaded from /axs/amdxsched.ko.
#
# ./fuzz.conf, if present, sets FUZZ_SECONDS, FUZZ_THREADS, FUZZ_SEED,
# MODPARAMS_BURST (seconds of fuzzing under each valid parameter extreme).
# Programs are logged to /dev/ttyS2 (the harness's --aux file on the host,
# kept across a panic); tests/fuzz/repro.sh extracts the last ones.

FUZZ_SECONDS=120
FUZZ_THREADS=2
FUZZ_SEED=
MODPARAMS_BURST=5
FUZZ_LOG=/dev/ttyS2
# shellcheck disable=SC1091
[ -f ./fuzz.conf ] && . ./fuzz.conf
[ -c "$FUZZ_LOG" ] || FUZZ_LOG=/tmp/fuzz.log
export MODPARAMS_BURST FUZZ_LOG

KMEMLEAK=/sys/kernel/debug/kmemleak

# shellcheck source=../vm/tap.sh
. "$(dirname "$0")/tap.sh"
nleak=0
[ -w $KMEMLEAK ] && nleak=2
echo "TAP version 13"
echo "1..$((2 + nleak))"

# On a kernel with kmemleak (the debug lane), as in tests/vm/run-tests.sh: a
# scan after each part pins a leak to it. kmemleak reports only objects
# older than 5 s, hence the wait; what boot left behind is cleared first.
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
fi
leak_check() {	# leak_check NAME
	[ -w $KMEMLEAK ] || return 0
	sleep 6
	echo scan >$KMEMLEAK
	if grep -q '^unreferenced object' $KMEMLEAK; then
		not_ok "kmemleak: nothing leaked by $1" \
			"$(grep -c '^unreferenced object' $KMEMLEAK) unreferenced object(s):"
		head -n 60 $KMEMLEAK | sed 's/^/# /'
		echo clear >$KMEMLEAK
	else
		ok "kmemleak: nothing leaked by $1"
	fi
}

{
	./axs-fuzz --seconds "$FUZZ_SECONDS" --threads "$FUZZ_THREADS" \
		${FUZZ_SEED:+--seed "$FUZZ_SEED"} --log "$FUZZ_LOG"
	echo $? >/tmp/rc
} | sed 's/^/# /'
rc=$(cat /tmp/rc)
if [ "$rc" = 0 ]; then
	ok "fuzz: axs-fuzz --seconds $FUZZ_SECONDS --threads $FUZZ_THREADS"
else
	not_ok "fuzz: axs-fuzz --seconds $FUZZ_SECONDS" "exit $rc"
fi
leak_check "axs-fuzz"

{ sh ./modparams.sh; echo $? >/tmp/rc; } | sed 's/^/# /'
rc=$(cat /tmp/rc)
if [ "$rc" = 0 ]; then ok "fuzz: module parameters at their limits"; else not_ok "fuzz: modparams.sh" "exit $rc"; fi
leak_check "modparams.sh (module reloads)"

tap_end
