#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build tools/hw/axs-hw-latency with Debian sid's hipcc for gfx942, inside
# the sid chroot of the VM harness (tools/vm/axs-vm chroot), so that a
# machine without ROCm can build it. hipcc and libamdhip64-dev are
# installed into that chroot on first use (from the mirror the chroot's apt
# was configured with). The binary lands in build/hw/; copy it to a host
# with the GPU and a HIP 6.x runtime.
set -euo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
vm=$top/tools/vm/axs-vm

"$vm" prepare sid >/dev/null
# Expanded in the chroot. It has the kernel's versioned gcc, no plain "gcc".
# shellcheck disable=SC2016
"$vm" chroot sid sh -euc '
	if ! command -v hipcc >/dev/null || [ ! -e /usr/include/hip/hip_runtime.h ]; then
		echo "build.sh: installing hipcc and libamdhip64-dev into the sid chroot"
		apt-get update -q
		apt-get install -y -q --no-install-recommends hipcc libamdhip64-dev
	fi
	cc=$(ls /usr/bin/x86_64-linux-gnu-gcc-[0-9]* | sort -V | tail -n 1)
	make -C /axs/src/tools/hw O=/axs/src/build/hw CC="$cc" "$@"
	echo "build.sh: built build/hw/axs-hw-latency ($(hipcc --version 2>/dev/null | head -n 1))"
' build.sh "$@"
