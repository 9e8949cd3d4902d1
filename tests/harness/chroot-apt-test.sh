#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The build chroots' apt accepts the mirror the host's apt accepts. A mirror
# that serves a snapshot has Release files past their Valid-Until date; the
# host's apt may be configured to accept them (Acquire::Check-Valid-Until
# "false"), and apt inside a debootstrapped chroot must be too, or installing
# ROCm or hipcc there fails on a fresh machine (and only there: a warm cache
# already has the packages). For each SUITE with a build chroot (default
# trixie sid): the settings that decide this have the host's values inside the
# chroot, and apt-get update there reports no error or warning. TAP output.
set -uo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
vm=$top/tools/vm/axs-vm
# Set on the host, these must read the same in a chroot.
keys='Acquire::(Check-Valid-Until|Check-Date|Max-ValidTime|https?::Proxy)'

suites=("$@")
((${#suites[@]})) || suites=(trixie sid)
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
	shift
	printf '%s\n' "$@" | sed 's/^/# /'
}

echo "1..$((2 * ${#suites[@]}))"
host=$(apt-config dump | grep -E "^$keys " | sort)
for s in "${suites[@]}"; do
	if ! "$vm" prepare "$s" >/dev/null 2>"/tmp/axs-apt-test.$$"; then
		not_ok "$s: prepare" "$(tail -n 5 "/tmp/axs-apt-test.$$")"
		not_ok "$s: apt-get update in the chroot" "not run"
		continue
	fi
	inside=$("$vm" chroot "$s" apt-config dump 2>&1 | grep -E "^$keys " | sort)
	missing=$(comm -23 <(printf '%s\n' "$host") <(printf '%s\n' "$inside"))
	if [[ -z $missing ]]; then
		ok "$s: the chroot's apt has the host's Acquire settings ($(tr '\n' ' ' <<<"${host:-none set}"))"
	else
		not_ok "$s: the chroot's apt has the host's Acquire settings" \
			"missing or different in the chroot:" "$missing"
	fi
	out=$("$vm" chroot "$s" apt-get update -q 2>&1)
	rc=$?
	bad=$(grep -E '^(W|E): ' <<<"$out")
	if ((rc == 0)) && [[ -z $bad ]]; then
		ok "$s: apt-get update in the chroot"
	else
		not_ok "$s: apt-get update in the chroot (exit $rc)" "$bad"
	fi
done
rm -f "/tmp/axs-apt-test.$$"
echo "# SUMMARY: $((n - failed)) passed, $failed failed of $n"
((failed == 0))
