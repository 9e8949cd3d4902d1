#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build tools/hw/axs-hw-latency with Debian sid's hipcc for gfx942, inside
# the sid chroot of the VM harness (tools/vm/axs-vm prepare sid), so that a
# machine without ROCm can build it. hipcc and libamdhip64-dev are
# installed into that chroot on first use (from the mirror the chroot's apt
# was configured with). The binary lands in build/hw/; copy it to a host
# with the GPU and libamdhip64 of the same ROCm release.
set -euo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
vm=$top/tools/vm/axs-vm
[[ $(id -u) == 0 ]] || { echo "build.sh: needs root (chroot, mounts)" >&2; exit 1; }

"$vm" prepare sid >/dev/null
root=$("$vm" path sid chroot)

unmount() { umount -l "$root/proc" 2>/dev/null || true; umount -l "$root/axs/src" 2>/dev/null || true; }
trap unmount EXIT
mkdir -p "$root/axs/src"
mount -t proc proc "$root/proc"
mount --bind "$top" "$root/axs/src"

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive "$@"
}

if ! in_root sh -c 'command -v hipcc >/dev/null && test -e /usr/include/hip/hip_runtime.h'; then
	echo "build.sh: installing hipcc and libamdhip64-dev into the sid chroot"
	in_root apt-get update -q
	in_root apt-get install -y -q --no-install-recommends hipcc libamdhip64-dev
fi
# the chroot has the kernel's versioned gcc, no plain "gcc"
cc=$(in_root sh -c 'ls /usr/bin/x86_64-linux-gnu-gcc-[0-9]* | sort -V | tail -n 1')
in_root make -C /axs/src/tools/hw O=/axs/src/build/hw CC="$cc" "$@"
echo "build.sh: built $top/build/hw/axs-hw-latency ($(in_root hipcc --version 2>/dev/null | head -1))"
