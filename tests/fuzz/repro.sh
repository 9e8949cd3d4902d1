#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Turn the log of a fuzz run that crashed (on the host: the harness's aux
# log, build/SUITE/aux.log, which axs-fuzz wrote through the guest's
# /dev/ttyS2 and which survives a panic) into a file for
# 'axs-fuzz --replay':
#
#   tests/fuzz/repro.sh [-n N] AUX_LOG [OUT]
#
# Each worker writes a program before it runs it, so the last program of
# each worker is the one it was running when the kernel died; -n N keeps
# the last N of each (default 1), in the order they were written, for
# crashes that need state earlier programs left. Programs cut off by the
# crash (no "end" line) are dropped. OUT defaults to stdout.
#
# Then, in the VM: axs-fuzz --replay OUT --verbose (once), or with
# --seconds S to repeat it, e.g. for a race.

n=1
while getopts n: opt; do
	case $opt in
	n) n=$OPTARG ;;
	*) echo "usage: $0 [-n N] AUX_LOG [OUT]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 [-n N] AUX_LOG [OUT]" >&2
	exit 2
fi
case $n in '' | *[!0-9]*) echo "repro.sh: -n needs a number" >&2; exit 2 ;; esac
log=$1
out=${2:-/dev/stdout}
[ -r "$log" ] || { echo "repro.sh: $log: not readable" >&2; exit 2; }

# Complete programs only; per worker (the W of "prog W.SEQ"), the last n.
tr -d '\r' <"$log" | awk -v keep="$n" '
	/^prog [0-9]+\.[0-9]+ [0-9]+$/ {
		split($2, id, ".")
		w = id[1]; cur = $0 "\n"; inprog = 1; next
	}
	inprog && /^end$/ {
		cur = cur "end\n"
		count[w]++
		prog[w, count[w]] = cur
		order[w, count[w]] = ++seen
		inprog = 0; next
	}
	inprog { cur = cur $0 "\n" }
	END {
		m = 0
		for (k in count)
			for (i = count[k] - keep + 1; i <= count[k]; i++)
				if (i >= 1) { m++; pos[m] = order[k, i]; text[m] = prog[k, i] }
		# in the order they were written
		for (i = 1; i <= m; i++)
			for (j = i + 1; j <= m; j++)
				if (pos[j] < pos[i]) {
					t = pos[i]; pos[i] = pos[j]; pos[j] = t
					t = text[i]; text[i] = text[j]; text[j] = t
				}
		for (i = 1; i <= m; i++) printf "%s", text[i]
		if (!m) exit 1
	}' >"$out" || {
	echo "repro.sh: no complete program in $log" >&2
	exit 1
}
