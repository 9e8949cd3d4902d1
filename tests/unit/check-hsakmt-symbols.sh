#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-hsakmt-symbols.sh REAL OVERRIDE: the override exports exactly the
# functions the real libhsakmt.so.1 does, each under the same version node,
# so that a ROCr linked against the real one resolves every symbol in it.
# make check runs it with Debian trixie's libhsakmt1 (axs-vm rocm trixie).
set -eu

real=${1:?usage: check-hsakmt-symbols.sh REAL OVERRIDE}
over=${2:?usage: check-hsakmt-symbols.sh REAL OVERRIDE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "TYPE VERSION NAME" of every defined global dynamic symbol.
exports() {
	objdump -T "$1" | awk '$2 == "g" && $4 != "*UND*" { print $3, $(NF-1), $NF }' | LC_ALL=C sort
}

exports "$real" >"$tmp/real"
exports "$over" >"$tmp/over"
n=$(grep -c ' hsaKmt' "$tmp/real" || true)
if ! diff -u "$tmp/real" "$tmp/over" >"$tmp/diff"; then
	echo "not ok: $over does not export what $real does:"
	cat "$tmp/diff"
	exit 1
fi
[ "$n" -gt 0 ] || { echo "not ok: no hsaKmt functions in $real"; exit 1; }
echo "ok: $over exports the same $n functions as $real, same versions"
