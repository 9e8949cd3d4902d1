# SPDX-License-Identifier: MIT
#
# TAP helpers for the scripts the VM runs (sourced; POSIX sh for busybox).
# Each script prints its plan, calls these, and ends with tap_end.

n=0
failed=0

ok() {		# ok NAME [SKIP-REASON]
	n=$((n + 1))
	echo "ok $n $1${2:+ # SKIP $2}"
}

not_ok() {	# not_ok NAME [DETAIL...]: the first detail as "NAME: DETAIL"
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
	t_name=$1
	shift
	if [ $# -gt 0 ]; then
		echo "# $t_name: $1"
		shift
	fi
	for t_line; do echo "# $t_line"; done
}

# The status of the command just before decides: CONDITION; check NAME REASON
check() {
	if [ $? = 0 ]; then ok "$1"; else not_ok "$1" "$2"; fi
}

# check_expr NAME AWK-EXPRESSION DETAIL: for comparisons of decimals
check_expr() {
	if awk "BEGIN { exit !($2) }"; then ok "$1"; else not_ok "$1" "$3"; fi
}

# The number after "KEY": in the JSON line of FILE.
field() {	# field FILE KEY
	sed -n "/^{/s/.*\"$2\":\([^,}]*\).*/\1/p" "$1" | head -n 1
}

tap_end() {	# the summary line; the status says whether all passed
	echo "# SUMMARY: $((n - failed)) passed, $failed failed of $n"
	[ $failed = 0 ]
}

# The id of the first GPU the module lists (./xschedctl in the payload).
first_gpu() {
	./xschedctl -j list gpus 2>/dev/null | sed -n 's/.*"gpu_id": *\([0-9]*\).*/\1/p' | head -n 1
}
