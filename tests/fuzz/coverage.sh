#!/bin/sh
# SPDX-License-Identifier: MIT
#
# How much of amdxsched.ko the fuzzer reached, on the host:
#
#   tests/fuzz/coverage.sh [-f] [-u] AMDXSCHED_KO LOG...
#
# AMDXSCHED_KO is the module the guest ran (built on a CONFIG_KCOV kernel,
# e.g. build/SUITE/amdxsched.ko); each LOG has the "pc SECTION 0xOFFSET"
# lines axs-fuzz writes at the end of a guided run (its --log: the harness's
# aux log, build/SUITE/aux.log). Several logs are merged.
#
# The denominator is the module's KCOV call sites: the calls to
# __sanitizer_cov_trace_pc that -fsanitize-coverage=trace-pc put at the
# start of (nearly) every basic block, in every executable section. KCOV
# records the return address of such a call, so a site is "hit" when the
# address right after its call instruction (relocation offset + 4) was
# recorded. Sites only reached from timers, workqueues or module init and
# exit can never be hit: KCOV traces task context only.
#
# -f: also per function (hit/total), least covered first; -u: list the sites
# never hit (section, offset, function).

per_func=0
unhit=0
while getopts fu opt; do
	case $opt in
	f) per_func=1 ;;
	u) unhit=1 ;;
	*) echo "usage: $0 [-f] [-u] AMDXSCHED_KO LOG..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ]; then
	echo "usage: $0 [-f] [-u] AMDXSCHED_KO LOG..." >&2
	exit 2
fi
ko=$1
shift
[ -r "$ko" ] || { echo "coverage.sh: $ko: not readable" >&2; exit 2; }
command -v objdump >/dev/null || { echo "coverage.sh: objdump not found (binutils)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Call sites: "SECTION OFFSET" (hex, lower case, no 0x), one per call.
# Hex to number in any awk (mawk has no strtonum); offsets are far below 2^53.
HEX='function hex(s,  i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }'

objdump -r "$ko" | awk "$HEX"'
	/^RELOCATION RECORDS FOR \[/ { sect = $4; sub(/^\[/, "", sect); sub(/\]:$/, "", sect); next }
	$3 ~ /^__sanitizer_cov_trace_pc([-+]|$)/ {
		off = hex($1) + 4
		printf "%s %x\n", sect, off
	}' | sort -u >"$tmp/sites"

# Functions: "SECTION START SIZE NAME" (hex).
objdump -t "$ko" | awk '$3 == "F" || $2 == "F" {
	# "ADDR l F SECT SIZE NAME" or "ADDR g F SECT SIZE NAME"
	for (i = 1; i <= NF; i++) if ($i == "F") break
	printf "%s %s %s %s\n", $(i + 1), $1, $(i + 2), $(i + 3)
}' >"$tmp/funcs"

# Hits from the logs.
cat "$@" | tr -d '\r' | awk '$1 == "pc" && NF == 3 {
	off = $3; sub(/^0x/, "", off); printf "%s %s\n", $2, tolower(off)
}' | sort -u >"$tmp/hits"

total=$(wc -l <"$tmp/sites")
if [ "$total" = 0 ]; then
	echo "coverage.sh: $ko has no KCOV call sites (not built on a CONFIG_KCOV kernel)" >&2
	exit 1
fi
nhits=$(wc -l <"$tmp/hits")
if [ "$nhits" = 0 ]; then
	echo "coverage.sh: no 'pc' lines in $* (an unguided run, or not axs-fuzz's log)" >&2
	exit 1
fi
sort "$tmp/sites" "$tmp/hits" | uniq -d >"$tmp/hit"
hit=$(wc -l <"$tmp/hit")
stray=$(sort "$tmp/hits" "$tmp/sites" "$tmp/sites" | uniq -u | wc -l)
sections=$(cut -d' ' -f1 "$tmp/sites" | sort | uniq -c | awk '{ printf "%s%s: %s", sep, $2, $1; sep = ", " }')

awk -v h="$hit" -v t="$total" -v s="$sections" 'BEGIN {
	printf "KCOV call sites hit: %d of %d (%.1f%%); sites per section: %s\n", h, t, 100 * h / t, s
}'
[ "$stray" = 0 ] ||
	echo "note: $stray recorded PCs are not call sites of this $ko (another build?)"

# Attribute each site to its function; mark hits.
awk -v hitfile="$tmp/hit" -v per_func="$per_func" -v unhit="$unhit" "$HEX"'
	FILENAME == hitfile { hit[$1 " " $2] = 1; next }
	FILENAME ~ /funcs$/ {
		nf++; fs[nf] = $1; fa[nf] = hex($2); fz[nf] = hex($3); fn[nf] = $4
		next
	}
	{
		a = hex($2); name = "?"
		for (i = 1; i <= nf; i++)
			if (fs[i] == $1 && a > fa[i] && a <= fa[i] + fz[i]) { name = fn[i]; break }
		tot[name]++
		if (($1 " " $2) in hit) got[name]++
		else if (unhit) printf "not hit: %s+0x%s in %s\n", $1, $2, name
	}
	END {
		if (!per_func) exit
		for (n in tot) printf "%6.1f%% %4d/%-4d %s\n", 100 * got[n] / tot[n], got[n], tot[n], n | "sort -n"
	}' "$tmp/hit" "$tmp/funcs" "$tmp/sites"
