#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the axs-vm initramfs (busybox sh, not bash).
# Loads amdgpu with its dependencies and amdxsched.ko, runs /payload/run.sh
# with stdout on /dev/ttyS1 (the TAP channel) and stderr on the console
# (/dev/ttyS2 is a spare channel for logs that must survive a panic), then
# reports the verdict through QEMU's isa-debug-exit device and powers off.
# Console markers read by the host: "AXS-FAIL: ...", "AXS-RUNSH-EXIT=<n>",
# "AXS-VERDICT: PASS|FAIL".

export PATH=/bin:/sbin:/usr/bin:/usr/sbin

say() { echo "AXS: $*"; }

failed() {
	echo "AXS-FAIL: $*"
	fail=1
}

# isa-debug-exit at port 0xf4 (244) ends QEMU with status (byte << 1) | 1:
# byte 0x31 -> 99 means pass, byte 0x30 -> 97 means fail. poweroff -f is the
# fallback (QEMU status 0, which the host never takes as a pass).
verdict() {
	# Give deferred console output and the TAP port time to drain.
	sync
	sleep 1
	echo "AXS-VERDICT: $1"
	if [ "$1" = PASS ]; then
		printf '\061' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	else
		printf '\060' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	fi
	echo "AXS: isa-debug-exit did not end QEMU, powering off"
	poweroff -f
}

mount_filesystems() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t tmpfs tmpfs /tmp
}

load_amdgpu() {
	while read -r m; do
		if ! insmod "/axs/amdgpu/$m"; then
			failed "insmod $m failed"
			return
		fi
	done </axs/amdgpu/load-order
	say "amdgpu loaded ($(wc -l </axs/amdgpu/load-order) modules)"
	if [ -e /dev/kfd ]; then
		say "/dev/kfd present"
	else
		say "/dev/kfd ABSENT"
	fi
}

load_amdxsched() {
	params=$(cat /axs/modparams)
	# Word splitting of $params is intended: "a=1 b=2" are two parameters.
	# shellcheck disable=SC2086
	if insmod /axs/amdxsched.ko $params; then
		say "amdxsched loaded${params:+ with $params}"
		if [ -e /dev/amdxsched ]; then
			say "/dev/amdxsched present"
		else
			say "/dev/amdxsched absent"
		fi
	else
		failed "insmod amdxsched.ko${params:+ $params} failed"
	fi
}

run_payload() {
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	cd /payload || return
	./run.sh >/dev/ttyS1
	rc=$?
	cd /
	echo "AXS-RUNSH-EXIT=$rc"
	[ "$rc" = 0 ] || failed "run.sh exited with status $rc"
}

unload_amdxsched() {
	[ -d /sys/module/amdxsched ] || return
	if rmmod amdxsched; then
		say "amdxsched unloaded"
	else
		failed "rmmod amdxsched failed"
	fi
}

fail=0
mount_filesystems
say "kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
load_amdgpu
[ "$fail" = 0 ] && load_amdxsched
[ "$fail" = 0 ] && run_payload
[ "$fail" = 0 ] && unload_amdxsched
if [ "$fail" = 0 ]; then
	verdict PASS
else
	verdict FAIL
fi
