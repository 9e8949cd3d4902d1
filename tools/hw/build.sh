#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build HIP programs with Debian sid's hipcc for gfx942, inside the sid
# chroot of the VM harness (tools/vm/axs-vm chroot), so that a machine
# without ROCm can build them: by default tools/hw/axs-hw-latency into
# build/hw/; with --dir D --out O, the Makefile in D (relative to the
# repository) into O (e.g. libhsa-xsched/examples into build/examples).
# hipcc and libamdhip64-dev are installed into that chroot on first use
# (from the mirror the chroot's apt was configured with). Copy the results
# to a host with the GPU and a HIP 6.x runtime.
set -euo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
vm=$top/tools/vm/axs-vm
dir=tools/hw
out=build/hw
while (($#)); do
	case $1 in
	--dir) dir=${2:?--dir needs a directory} && shift 2 ;;
	--out) out=${2:?--out needs a directory} && shift 2 ;;
	*) break ;;
	esac
done

"$vm" prepare sid >/dev/null
"$vm" install sid hipcc libamdhip64-dev
# Expanded in the chroot. It has the kernel's versioned gcc, no plain "gcc".
# shellcheck disable=SC2016
"$vm" chroot sid sh -euc '
	cc=$(ls /usr/bin/x86_64-linux-gnu-gcc-[0-9]* | sort -V | tail -n 1)
	dir=$1 out=$2
	shift 2
	make -C "/axs/src/$dir" O="/axs/src/$out" XSCHED_LIB=/axs/src/build/libhsa-xsched \
		CC="$cc" "$@"
	echo "build.sh: built $dir into $out ($(hipcc --version 2>/dev/null | head -n 1))"
' build.sh "$dir" "$out" "$@"
