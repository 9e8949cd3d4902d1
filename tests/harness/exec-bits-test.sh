#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Every tracked script (a file that starts with "#!") is executable in git,
# so that a fresh clone can run it: tests/fuzz/coverage.sh once was not, and
# make check then failed on every fresh clone after a passing fuzz run,
# while the working tree it was written in had the bit. Templates (*.in)
# are exempt: their outputs are made executable when generated.

cd "$(dirname "$0")/../.." || exit 2
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "exec-bits: SKIP: not a git checkout"
	exit 0
fi
bad=$(git ls-files -s | awk '$1 == "100644" { print $4 }' | while read -r f; do
	case $f in *.in) continue ;; esac
	[ "$(head -c 2 "$f" 2>/dev/null)" = "#!" ] && echo "$f"
done)
if [ -n "$bad" ]; then
	echo "exec-bits: scripts not executable in git (git update-index --chmod=+x):" $bad >&2
	exit 1
fi
echo "exec-bits: every tracked script is executable in git"
