#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Lint the kernel code: checkpatch.pl --strict (from the kernel's own source
# package) over kmod/ (KUnit suites included), the uapi header and Kbuild,
# then a W=1 build with sparse (C=2) for each SUITE's kernel, kfd backend
# and KUnit module included. Any finding in our code fails.
#
#   tools/lint.sh [SUITE...]     (default trixie sid)
set -euo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
suites=("$@")
[[ $# -gt 0 ]] || suites=(trixie sid)
vm=$top/tools/vm/axs-vm
cd "$top"

ksrc=$("$vm" kselftest-headers)
files=(kmod/*.c kmod/*.h kmod/tests/*.c uapi/linux/amdxsched.h Kbuild)
out=$(perl "$ksrc/scripts/checkpatch.pl" --no-tree --strict --terse -f "${files[@]}" |
	grep -v '^total: 0 errors, 0 warnings, 0 checks' || true)
if [[ -n $out ]]; then
	printf '%s\n' "$out"
	echo "lint: checkpatch --strict found the above" >&2
	exit 1
fi
echo "lint: checkpatch --strict clean (${#files[@]} files)"

# sparse before 0.6.5 cannot size amdgpu's #pragma pack structs and fails a
# _Static_assert in amdgpu's own amdgv_sriovmsg.h: findings inside amdgpu's
# source are amdgpu's, not ours, and are listed but not counted.
amd_re='^(/axs/amd|[^:]*/amdsrc/amd)/'
for suite in "${suites[@]}"; do
	"$vm" prepare "$suite"
	# A clean build, so that every file is compiled and checked again.
	rm -rf "build/$suite/src"
	# The KUnit module too, though Debian's kernels have no KUnit to load it.
	"$vm" build "$suite" W=1 C=2 AXS_KUNIT=y
	log=build/$suite/build.log
	checked=$(grep -c '^  CHECK ' "$log" || true)
	if grep -E '(warning|error):' "$log" | grep -Ev "$amd_re"; then
		echo "lint: W=1 / sparse findings in $log" >&2
		exit 1
	fi
	if (( checked == 0 )); then
		echo "lint: sparse did not run (no CHECK lines in $log)" >&2
		exit 1
	fi
	theirs=$(grep -E '(warning|error):' "$log" | grep -Ec "$amd_re" || true)
	echo "lint: W=1 and sparse clean for $suite ($checked files checked;" \
	     "$theirs finding(s) in amdgpu's own headers ignored)"
done
