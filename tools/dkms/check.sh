#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make dkms-check: the DKMS path, as an admin's "apt install dkms" host
# takes it, for each SUITE (default trixie sid): Debian's dkms package in
# the suite's build chroot adds, builds and installs amdxsched from the
# tree "make dkms-source" writes to /usr/src, for that chroot's kernel and
# against that kernel's own amdgpu source; then that very .ko boots in the
# VM beside Debian's amdgpu.ko and must pass the kfd selftest.
#
#   tools/dkms/check.sh [SUITE...]
set -euo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
cd "$top"
vm=tools/vm/axs-vm
suites=("$@")
[[ $# -gt 0 ]] || suites=(trixie sid)
version=$(cat VERSION)
failed=()

for suite in "${suites[@]}"; do
	out=build/dkms-$suite
	echo "=== dkms: $suite"
	rm -rf "$out"
	mkdir -p "$out"
	"$vm" prepare "$suite"
	# openssl: dkms signs what it builds (a MOK key it makes on first use)
	"$vm" install "$suite" dkms openssl
	make -s dkms-source DESTDIR="$top/$out/root"
	# In the chroot the repository is /axs/src and the kernel's own amdgpu
	# source /axs/amd (AMDXSCHED_AMDGPU_SRC, amdgpu-src's first choice: a
	# chroot has no linux-source tarball of its own).
	# shellcheck disable=SC2016 # expanded in the chroot
	if ! "$vm" chroot "$suite" sh -euc '
		v=$1 out=$2
		krel=$(cd /usr/src && ls -d linux-headers-*-amd64 | sed "s/^linux-headers-//" | head -n 1)
		echo "dkms: kernel $krel"
		dkms remove "amdxsched/$v" --all >/dev/null 2>&1 || true
		rm -rf "/usr/src/amdxsched-$v"
		cp -a "/axs/src/$out/root/usr/src/amdxsched-$v" /usr/src/
		dkms add "amdxsched/$v"
		AMDXSCHED_AMDGPU_SRC=/axs/amd dkms build "amdxsched/$v" -k "$krel"
		dkms install "amdxsched/$v" -k "$krel" --force
		dkms status amdxsched
		ko=$(find "/lib/modules/$krel/updates/dkms" -name "amdxsched.ko*" | head -n 1)
		[ -n "$ko" ] || { echo "dkms: no amdxsched.ko installed" >&2; exit 1; }
		echo "dkms: installed $ko"
		case $ko in
		*.xz) xz -dc "$ko" >"/axs/src/$out/amdxsched.ko" ;;
		*.zst) zstd -dcq "$ko" >"/axs/src/$out/amdxsched.ko" ;;
		*) cp "$ko" "/axs/src/$out/amdxsched.ko" ;;
		esac
		log=$(find "/var/lib/dkms/amdxsched/$v" -name make.log | head -n 1)
		[ -z "$log" ] || cp "$log" "/axs/src/$out/make.log"
	' dkms-check "$version" "$out" 2>&1 | tee "$out/dkms.log"; then
		echo "dkms: $suite: the DKMS build failed (log: $out/dkms.log)" >&2
		failed+=("$suite")
		continue
	fi
	# Only the kfd backend has kfd_* parameters.
	if ! modinfo -F parm "$out/amdxsched.ko" | grep -q '^kfd_trust_layout:'; then
		echo "dkms: $suite: the DKMS build left out the kfd backend (log: $out/dkms.log)" >&2
		failed+=("$suite")
		continue
	fi
	# The DKMS-built module in the VM: it is the one loaded, and kfd_test passes.
	rm -rf build/payload-dkms
	mkdir -p build/payload-dkms
	cp build/selftests/kfd_test tests/vm/tap.sh build/payload-dkms/
	modinfo -F srcversion "$out/amdxsched.ko" >build/payload-dkms/srcversion
	cat >build/payload-dkms/run.sh <<'SH'
#!/bin/sh
. ./tap.sh
echo "TAP version 13"
echo "1..2"
want=$(cat srcversion)
have=$(cat /sys/module/amdxsched/srcversion 2>/dev/null)
if [ -n "$want" ] && [ "$have" = "$want" ]; then
	ok "the module loaded is the DKMS-built one (srcversion $have)"
else
	not_ok "the module loaded is the DKMS-built one" "loaded $have, DKMS built $want"
fi
./kfd_test >/tmp/kfd.tap 2>&1
rc=$?
sed 's/^/# /' /tmp/kfd.tap
if [ $rc = 0 ]; then ok "kfd_test against Debian's amdgpu"; else not_ok "kfd_test against Debian's amdgpu" "exit $rc"; fi
tap_end
SH
	chmod +x build/payload-dkms/run.sh
	if ! "$vm" run "$suite" --ko "$out/amdxsched.ko" --payload build/payload-dkms \
		--modparams sim_gpus=1 --tap "$out/vm.tap" --timeout 600 --quiet; then
		failed+=("$suite")
	fi
done
if ((${#failed[@]})); then
	echo "dkms-check: failed on: ${failed[*]}" >&2
	exit 1
fi
echo "dkms-check: passed on: ${suites[*]}"
