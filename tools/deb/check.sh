#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make deb: build the Debian packages (debian/) with dpkg-buildpackage in
# the trixie build chroot, run lintian on them (any error fails), then
# install them into a fresh minbase trixie chroot and run what an admin
# runs first: xschedctl --version, xschedd --check, xsched-run --help.
# The packages land in build/deb/.
set -euo pipefail

top=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
cd "$top"
vm=tools/vm/axs-vm
suite=${DEB_SUITE:-trixie}
version=$(cat VERSION)
out=build/deb

rm -rf "$out"
mkdir -p "$out"
"$vm" prepare "$suite"
"$vm" install "$suite" build-essential lintian
# shellcheck disable=SC2016 # expanded in the chroot
"$vm" chroot "$suite" sh -euc '
	v=$1 out=$2
	rm -rf /tmp/deb && mkdir -p "/tmp/deb/amdxsched-$v"
	tar -C /axs/src --exclude=./build --exclude=./.git -cf - . |
		tar -C "/tmp/deb/amdxsched-$v" -xf -
	cd "/tmp/deb/amdxsched-$v"
	apt-get build-dep -y -q --no-install-recommends . >/tmp/deb/build-dep.log 2>&1 ||
		{ tail -n 30 /tmp/deb/build-dep.log; exit 1; }
	dpkg-buildpackage -us -uc -b >/tmp/deb/build.log 2>&1 ||
		{ tail -n 40 /tmp/deb/build.log; exit 1; }
	cd /tmp/deb
	cp ./*.deb ./*.changes ./*.buildinfo build.log "/axs/src/$out/"
	# Errors fail; warnings are listed, each justified in debian/*.lintian-overrides or the note.
	lintian --fail-on error --info --display-info ./*.changes >"/axs/src/$out/lintian.log" 2>&1 || {
		cat "/axs/src/$out/lintian.log"; exit 1; }
' deb-build "$version" "$out"
echo "deb: built" "$out"/*.deb
echo "deb: lintian: $(grep -c '^E:' "$out/lintian.log" || true) error(s), $(grep -c '^W:' "$out/lintian.log" || true) warning(s), $(grep -c '^I:' "$out/lintian.log" || true) info(s) ($out/lintian.log)"
grep -E '^[EW]:' "$out/lintian.log" || true

# A clean trixie: the packages install with their dependencies and run.
# shellcheck disable=SC2016 # expanded in the chroot
"$vm" clean-chroot "$suite" "$top/$out/clean" sh -euc '
	out=$1
	apt-get update -q >/tmp/apt.log 2>&1 || { tail -n 20 /tmp/apt.log; exit 1; }
	apt-get install -y -q --no-install-recommends /axs/src/$out/xschedd_*.deb \
		/axs/src/$out/libhsa-xsched1_*.deb /axs/src/$out/libhsa-xsched-dev_*.deb \
		/axs/src/$out/xsched-run_*.deb /axs/src/$out/amdxsched-dkms_*.deb \
		>/tmp/apt.log 2>&1 || { tail -n 30 /tmp/apt.log; exit 1; }
	echo "installed: $(dpkg-query -W -f "\${Package} \${Version}\n" xschedd libhsa-xsched1 libhsa-xsched-dev xsched-run amdxsched-dkms | tr "\n" " ")"
	xschedctl --version
	cp /usr/share/doc/xschedd/examples/xschedd.conf.example /etc/xschedd.conf
	xschedd --check
	xsched-run --help >/tmp/help.txt
	head -n 1 /tmp/help.txt
	test -f /usr/src/amdxsched-*/dkms.conf
	test -f /usr/lib/udev/rules.d/60-amdxsched.rules
	test -f /usr/lib/systemd/system/xschedd.service
	grep -q "^ExecStart=/usr/sbin/xschedd$" /usr/lib/systemd/system/xschedd.service
	getent group amdxsched >/dev/null
	for m in man8/xschedctl.8 man8/xschedd.8 man5/xschedd.conf.5 man1/xsched-run.1 \
		 man4/amdxsched.4; do
		test -f "/usr/share/man/$m.gz"
	done
	test -f /usr/share/bash-completion/completions/xschedctl
	echo "deb: clean chroot: ok"
' deb-install "$out"
