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

# shellcheck source=../vm/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck source=../vm/kmemleak.sh
. "$(dirname "$0")/kmemleak.sh"
nleak=0
have_kmemleak && nleak=2
echo "TAP version 13"
echo "1..$((2 + nleak))"

leak_reset

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
