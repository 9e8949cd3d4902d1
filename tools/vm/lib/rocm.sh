# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# "rocm SUITE": Debian's own ROCm userspace for the guest. Installs rocminfo
# (and with it the suite's ROCr, and libhsakmt1 where ROCr links it as a
# shared library) into the suite's build chroot, then copies rocminfo and
# the shared libraries it needs, with the suite's glibc and dynamic loader,
# into a root tree that "run --rocm" lays over the initramfs. The busybox
# guest itself stays static; this only adds /usr/lib and /usr/bin files.
# Cached in the version directory as rocm-root/, stamped when complete.

AXS_ROCM_PKGS="rocminfo"
AXS_MULTIARCH=x86_64-linux-gnu

rocm_root_dir() { printf '%s/rocm-root\n' "$AXS_VDIR"; }

# Install the packages into the chroot; print the versions that matter.
rocm_install() {
	# shellcheck disable=SC2086 # a list on purpose
	chroot_install $AXS_ROCM_PKGS || return 1
	# shellcheck disable=SC2016 # expanded in the chroot
	run_in_chroot "$(project_dir)" sh -euc '
		dpkg-query -W -f "\${Package} \${Version}\n" "$@" libhsa-runtime64-1
		dpkg-query -W -f "\${Package} \${Version}\n" libhsakmt1 2>/dev/null || true
	' rocm.sh $AXS_ROCM_PKGS
}

# Files (chroot paths) that rocminfo and ROCr load, the loader included.
rocm_closure() {
	# shellcheck disable=SC2016 # expanded in the chroot
	run_in_chroot "$(project_dir)" sh -euc '
		ldd /usr/bin/rocminfo /usr/lib/'"$AXS_MULTIARCH"'/libhsa-runtime64.so.1 |
			awk "\$2 == \"=>\" && \$3 ~ /^\\// { print \$3 } \$1 ~ /^\\/.*ld-linux/ { print \$1 }" |
			sort -u
	'
}

cmd_rocm() {
	local suite root tmp f versions
	suite=$(base_suite "${1:?usage: axs-vm rocm SUITE}")
	load_chroot_suite "$suite" rocm
	take_lock "$suite-rocm"
	root=$(rocm_root_dir)
	if [[ -e $root/.complete ]]; then
		printf '%s\n' "$root"
		return 0
	fi
	versions=$(rocm_install) || die "$suite: apt-get install $AXS_ROCM_PKGS failed in the chroot"
	tmp=$root.tmp
	safe_rm_tree "$tmp"
	mkdir -p "$tmp/usr/lib/$AXS_MULTIARCH" "$tmp/usr/lib64" "$tmp/usr/bin"
	while read -r f; do
		[[ -n $f ]] || continue
		cp -L "$AXS_CHROOT$f" "$tmp/usr/lib/$AXS_MULTIARCH/${f##*/}"
	done < <(rocm_closure)
	[[ -e $tmp/usr/lib/$AXS_MULTIARCH/libhsa-runtime64.so.1 ]] ||
		die "$suite: ROCr is not among rocminfo's libraries"
	cp -L "$AXS_CHROOT/usr/bin/rocminfo" "$tmp/usr/bin/rocminfo"
	# The merged-/usr layout the loader and its default paths expect.
	ln -s usr/lib "$tmp/lib"
	ln -s usr/lib64 "$tmp/lib64"
	ln -s "../lib/$AXS_MULTIARCH/ld-linux-x86-64.so.2" "$tmp/usr/lib64/ld-linux-x86-64.so.2"
	printf '%s\n' "$versions" >"$tmp/usr/lib/$AXS_MULTIARCH/rocm-versions.txt"
	touch "$tmp/.complete"
	safe_rm_tree "$root"
	mv "$tmp" "$root"
	log "$suite: ROCm root $root ($(du -sh "$root" | cut -f1)): $(tr '\n' ' ' <<<"$versions")"
	printf '%s\n' "$root"
}
