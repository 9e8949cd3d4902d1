# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# "prepare SUITE": download and cache a suite's current kernel, headers,
# source tarball, amdgpu module set and build toolchain (host or chroot).

# Files taken from linux-source into ${AXS_CACHE}/ksrc/<version>/.
KSRC_FILES=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
# Packages every build chroot gets besides the compiler and kbuild's deps.
CHROOT_PKGS=(make libc6-dev bc bison flex libelf-dev kmod xz-utils dwarves sparse)

step_download() {
	local suite=$1 vdir=$2
	safe_rm_tree "$vdir/debs"
	local pkgs
	mapfile -t pkgs < <(printf '%s\n' "${KPKGS[@]}" "${HPKGS[@]}" "$SRC_PKG" | awk '!seen[$0]++')
	log "$suite: downloading ${pkgs[*]} ($DEBVER)"
	apt_download "$suite" "$vdir/debs" "$DEBVER" "${pkgs[@]}"
}

deb_of() { # DIR PKG -> path of PKG's .deb in DIR
	local f
	for f in "$1/$2"_*.deb; do
		[[ -e $f ]] && {
			printf '%s\n' "$f"
			return 0
		}
	done
	die "$2: no .deb in $1"
}

# Extract vmlinuz and modules, run depmod. Debian moved /lib/modules to
# /usr/lib/modules; a lib -> usr/lib link lets the host's depmod find both.
step_kernel() {
	local suite=$1 vdir=$2 root=$2/kernel p
	safe_rm_tree "$root"
	mkdir -p "$root"
	for p in "${KPKGS[@]}"; do
		dpkg-deb -x "$(deb_of "$vdir/debs" "$p")" "$root"
	done
	if [[ ! -e $root/lib && -d $root/usr/lib/modules ]]; then
		ln -s usr/lib "$root/lib"
	fi
	[[ -d $root/lib/modules/$KREL/kernel ]] || die "$suite: no modules for $KREL in ${KPKGS[*]}"
	log "$suite: depmod $KREL"
	depmod -b "$root" "$KREL" || die "$suite: depmod -b $root $KREL failed"
	kernel_image_path "$root" >/dev/null
}

kernel_image_path() { # ROOT -> vmlinuz path
	local f
	for f in "$1/boot/vmlinuz-$KREL" "$1/lib/modules/$KREL/vmlinuz"; do
		[[ -f $f ]] && {
			printf '%s\n' "$f"
			return 0
		}
	done
	die "no vmlinuz for $KREL under $1"
}

# Print the modules.dep paths of MODULE's dependencies and MODULE itself in
# load order (dependencies first), from ROOT/lib/modules/KREL/modules.dep.
module_load_order() {
	local mdir=$1/lib/modules/$KREL target=$2
	awk -v target="$target" '
		function visit(m,   n, parts, i) {
			if (m in seen) return
			seen[m] = 1
			n = split(deps[m], parts, " ")
			for (i = 1; i <= n; i++) visit(parts[i])
			print m
		}
		{ name = $1; sub(/:$/, "", name); $1 = ""; deps[name] = $0 }
		END {
			for (m in deps) {
				b = m; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b)
				if (b == target) { visit(m); found = 1 }
			}
			if (!found) exit 1
		}' "$mdir/modules.dep"
}

decompress_module() { # SRC DST (DST ends in .ko)
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) die "unknown module compression: $1" ;;
	esac
}

# Stage amdgpu and its dependencies, decompressed (busybox insmod cannot
# decompress), plus the load order, into VDIR/amdgpu/.
step_amdgpu() {
	local suite=$1 vdir=$2 out=$2/amdgpu m dst order=()
	safe_rm_tree "$out"
	mkdir -p "$out/modules"
	mapfile -t order < <(module_load_order "$vdir/kernel" amdgpu) ||
		die "$suite: amdgpu not found in modules.dep"
	((${#order[@]} > 0)) || die "$suite: amdgpu not found in modules.dep"
	for m in "${order[@]}"; do
		dst=${m##*/}
		dst=${dst%.ko*}.ko
		decompress_module "$vdir/kernel/lib/modules/$KREL/$m" "$out/modules/$dst"
		printf '%s\n' "$dst" >>"$out/load-order"
	done
	log "$suite: amdgpu load order (${#order[@]} modules): $(tr '\n' ' ' <"$out/load-order")"
}

step_source() {
	local suite=$1 vdir=$2 tarball
	tarball=/usr/src/$SRC_PKG.tar.xz
	rm -f "$vdir/$SRC_PKG.tar.xz"
	dpkg-deb --fsys-tarfile "$(deb_of "$vdir/debs" "$SRC_PKG")" |
		tar -xO ".$tarball" >"$vdir/$SRC_PKG.tar.xz.tmp" ||
		die "$suite: extracting $tarball from $SRC_PKG failed"
	mv "$vdir/$SRC_PKG.tar.xz.tmp" "$vdir/$SRC_PKG.tar.xz"
}

# The amdgpu/amdkfd source of this kernel, for building the kfd backend
# against the exact code of the amdgpu.ko it loads next to: drivers/gpu/drm/amd
# without the generated register headers (include/asic_reg, ~470 MB), which
# kfd_priv.h does not need.
step_amdsrc() {
	local suite=$1 vdir=$2 out=$2/amdsrc tmp
	tmp=$(mktemp -d "$out.tmp.XXXXXX")
	tar -xJf "$vdir/$SRC_PKG.tar.xz" -C "$tmp" --strip-components=4 \
		--exclude='*/include/asic_reg/*' --wildcards "$SRC_PKG/drivers/gpu/drm/amd/*" || {
		rm -rf "$tmp"
		die "$suite: extracting drivers/gpu/drm/amd from $SRC_PKG failed"
	}
	[[ -f $tmp/amd/amdkfd/kfd_priv.h ]] || die "$suite: no amdkfd/kfd_priv.h in $SRC_PKG"
	chmod 0755 "$tmp"
	safe_rm_tree "$out"
	mv "$tmp" "$out"
}

# Extract the kselftest headers and checkpatch files into OUTDIR and, if
# EXTRADIR is given, scripts/checker-valid.sh (missing from newer Debian
# kbuild packages) into EXTRADIR, in one pass over the tarball.
extract_ksrc() { # TARBALL TOPDIR OUTDIR [EXTRADIR]
	local tarball=$1 top=$2 out=$3 extra=${4:-} tmp f pats=()
	mkdir -p "${out%/*}"
	tmp=$(mktemp -d "$out.tmp.XXXXXX")
	for f in "${KSRC_FILES[@]}"; do
		pats+=("$top/$f")
	done
	[[ -n $extra ]] && pats+=("$top/scripts/checker-valid.sh")
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards "${pats[@]}" || {
		rm -rf "$tmp"
		die "extracting ${pats[*]} from $tarball failed"
	}
	if [[ -n $extra ]]; then
		mkdir -p "$extra"
		mv "$tmp/scripts/checker-valid.sh" "$extra/"
	fi
	chmod 0755 "$tmp"
	date -u +%FT%TZ >"$tmp/.complete"
	safe_rm_tree "$out"
	mv "$tmp" "$out"
}

# The linux-headers-*-common package among the headers packages.
common_headers_pkg() {
	local p
	for p in "${HPKGS[@]}"; do
		[[ $p == linux-headers-*-common ]] && printf '%s\n' "$p" && return 0
	done
	die "no linux-headers-*-common among ${HPKGS[*]}"
}

# True if the kbuild Makefile of the headers runs scripts/checker-valid.sh.
headers_need_checker_valid() { # VDIR
	local common
	common=$(common_headers_pkg)
	dpkg-deb --fsys-tarfile "$(deb_of "$1/debs" "$common")" |
		tar -xO "./usr/src/$common/Makefile" | grep 'checker-valid\.sh' >/dev/null
}

step_ksrc() {
	local suite=$1 vdir=$2 out extra=
	out=$(ksrc_dir "$DEBVER")
	headers_need_checker_valid "$vdir" && extra=$vdir/kbuild-extra
	log "$suite: extracting kselftest headers and checkpatch into $out"
	extract_ksrc "$vdir/$SRC_PKG.tar.xz" "$SRC_PKG" "$out" "$extra"
}

# GCC major version and command the headers were configured with, from
# CONFIG_CC_VERSION_TEXT in the headers' .config.
headers_cc_text() {
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$1/.config"
}

cc_major_from_text() {
	local m
	m=$(sed -nE 's/^[^ ]*gcc-([0-9]+) .*/\1/p; s/^gcc \(.*\) ([0-9]+)\..*/\1/p' <<<"$1")
	printf '%s\n' "${m%%$'\n'*}"
}

# Compare the compiler's --version line (run through RUNNER) with the one the
# kernel was built with: different major versions are fatal, anything else is
# a warning.
check_compiler() {
	local suite=$1 hdir=$2 want cmd have wmaj hmaj
	shift 2
	want=$(headers_cc_text "$hdir")
	[[ -n $want ]] || die "$suite: no CONFIG_CC_VERSION_TEXT in $hdir/.config"
	cmd=${want%% *}
	have=$("$@" "$cmd" --version 2>/dev/null) ||
		die "$suite: compiler $cmd (from CONFIG_CC_VERSION_TEXT) is not runnable"
	have=${have%%$'\n'*}
	wmaj=$(cc_major_from_text "$want")
	hmaj=$(cc_major_from_text "$have")
	[[ -n $wmaj && $wmaj == "$hmaj" ]] ||
		die "$suite: kernel built with '$want' but found '$have'"
	if [[ $want != "$have" ]]; then
		warn "$suite: kernel built with '$want', building with '$have'"
	fi
	KCC="$have"
}

unpack_headers() { # VDIR ROOT
	local p
	for p in "${HPKGS[@]}"; do
		dpkg-deb -x "$(deb_of "$1/debs" "$p")" "$2"
	done
	[[ -f $2/usr/src/linux-headers-$KREL/.config ]] ||
		die "headers for $KREL did not unpack to $2/usr/src/linux-headers-$KREL"
}

# Newer kbuild Makefiles run scripts/checker-valid.sh for C=1/C=2, which the
# Debian kbuild package does not ship: take it from linux-source.
add_missing_kbuild_scripts() { # VDIR ROOT
	local vdir=$1 common
	common=$2/usr/src/$(common_headers_pkg)
	if grep -q 'checker-valid.sh' "$common/Makefile" &&
		[[ ! -e $common/scripts/checker-valid.sh ]]; then
		install -m 0755 "$vdir/kbuild-extra/checker-valid.sh" "$common/scripts/checker-valid.sh"
	fi
}

# bookworm: headers unpacked under the cache, built with the host's gcc.
# The arch headers' Makefile includes the common Makefile by absolute path,
# so point it at the cached copy.
step_host_headers() {
	local suite=$1 vdir=$2 root=$2/headers hdir
	safe_rm_tree "$root"
	mkdir -p "$root"
	unpack_headers "$vdir" "$root"
	hdir=$root/usr/src/linux-headers-$KREL
	sed -i -E "s#^((include|KBUILD_OUTPUT *[:?]?=) *)/usr/src/#\1$root/usr/src/#" "$hdir/Makefile"
	add_missing_kbuild_scripts "$vdir" "$root"
	require_cmds make bc bison flex pahole
	check_compiler "$suite" "$hdir" env
	log "$suite: host compiler: $KCC"
}

# Compiler package for the chroot: the gcc the headers depend on, checked
# against the major version in CONFIG_CC_VERSION_TEXT.
chroot_compiler_pkg() { # HEADERS_CONFIG_DIR
	local text major p
	text=$(headers_cc_text "$1")
	major=$(cc_major_from_text "$text")
	[[ -n $major ]] || die "cannot parse a gcc version from CONFIG_CC_VERSION_TEXT='$text'"
	for p in "${HCC_DEPS[@]}"; do
		[[ $p == "gcc-$major" || $p == "gcc-$major-for-host" ]] && {
			printf '%s\n' "$p"
			return 0
		}
	done
	printf 'gcc-%s\n' "$major"
}

# trixie/sid: a minbase chroot of the suite with its compiler and the
# headers unpacked.
step_chroot() {
	local suite=$1 vdir=$2 root=$2/chroot tmp ccpkg pkgs
	safe_rm_tree "$root"
	tmp=$(mktemp -d)
	dpkg-deb -x "$(deb_of "$vdir/debs" "linux-headers-$KREL")" "$tmp"
	ccpkg=$(chroot_compiler_pkg "$tmp/usr/src/linux-headers-$KREL")
	rm -rf "$tmp"
	pkgs=$(printf '%s,' "$ccpkg" "${CHROOT_PKGS[@]}" "${KBUILD_DEPS[@]}")
	pkgs=${pkgs%,}
	log "$suite: debootstrap --variant=minbase $suite with $pkgs"
	discover_mirrors
	mkdir -p "$(downloads_dir "$suite")"
	debootstrap --variant=minbase --keyring="$AXS_KEYRING" --include="$pkgs" \
		--cache-dir="$(downloads_dir "$suite")" "$suite" "$root" "$AXS_MIRROR" >"$vdir/debootstrap.log" 2>&1 || {
		tail -n 30 "$vdir/debootstrap.log" >&2
		die "$suite: debootstrap failed (log: $vdir/debootstrap.log)"
	}
	unmount_below "$root"
	[[ -c $root/dev/null ]] || die "$suite: $root/dev/null is not a device node"
	sync_chroot_apt_conf "$root"
	unpack_headers "$vdir" "$root"
	add_missing_kbuild_scripts "$vdir" "$root"
	check_compiler "$suite" "$root/usr/src/linux-headers-$KREL" chroot "$root"
	log "$suite: chroot compiler: $KCC"
}

# Metadata of a prepared version, read back by load_current.
# shellcheck disable=SC2034 # the AXS_* variables are written by name
write_version_env() {
	local suite=$1 vdir=$2
	AXS_SUITE=$suite AXS_KREL=$KREL AXS_DEBVER=$DEBVER AXS_KCC=$KCC
	AXS_VMLINUZ=$(kernel_image_path "$vdir/kernel")
	AXS_MODULES=$vdir/kernel/lib/modules/$KREL
	AXS_AMDGPU=$vdir/amdgpu
	AXS_SOURCE_TARBALL=$vdir/$SRC_PKG.tar.xz
	AXS_KSRC=$(ksrc_dir "$DEBVER")
	if suite_uses_chroot "$suite"; then
		AXS_CHROOT=$vdir/chroot
		AXS_HEADERS=$vdir/chroot/usr/src/linux-headers-$KREL
	else
		AXS_CHROOT=
		AXS_HEADERS=$vdir/headers/usr/src/linux-headers-$KREL
	fi
	write_env "$vdir" AXS_SUITE AXS_KREL AXS_DEBVER AXS_KCC AXS_VMLINUZ AXS_MODULES \
		AXS_AMDGPU AXS_SOURCE_TARBALL AXS_KSRC AXS_CHROOT AXS_HEADERS
}

# Run STEP unless its stamp exists; the stamp is written only on success.
run_step() {
	local suite=$1 vdir=$2 step=$3 t0
	has_stamp "$vdir" "$step" && return 0
	t0=$(now)
	"step_$step" "$suite" "$vdir"
	set_stamp "$vdir" "$step"
	log "$suite: step $step done in $(($(now) - t0)) s"
}

# Pick the version to prepare: the mirror's current one, or, when the mirror
# cannot be reached, the one already prepared.
select_version() {
	local suite=$1
	if apt_update_suite "$suite"; then
		resolve_kernel "$suite"
		return 0
	fi
	if [[ -L $(current_link "$suite") ]] && version_is_intact "$(realpath "$(current_link "$suite")")"; then
		warn "$suite: apt update failed, keeping the prepared kernel"
		return 1
	fi
	die "$suite: apt update failed (log: $(apt_state_dir "$suite")/update.log)"
}

cmd_prepare() {
	local suite=$1 vdir t0 step
	validate_suite "$suite"
	require_root prepare
	require_cmds apt-get apt-cache dpkg-deb depmod xz zstd tar flock
	suite_uses_chroot "$suite" && require_cmds debootstrap chroot
	t0=$(now)
	take_lock "$suite"
	if ! select_version "$suite"; then
		load_current "$suite"
		printf '%s\n' "$AXS_VDIR"
		return 0
	fi
	vdir=$(version_dir "$suite" "$DEBVER")
	log "$suite: kernel $KREL ($DEBVER), cache $vdir"
	if has_stamp "$vdir" prepared && ! version_is_intact "$vdir"; then
		warn "$suite: cache entry $vdir is damaged, rebuilding it"
		safe_rm_tree "$vdir"
	fi
	if ! has_stamp "$vdir" prepared; then
		mkdir -p "$vdir"
		KCC=
		for step in download kernel amdgpu source ksrc; do
			run_step "$suite" "$vdir" "$step"
		done
		if suite_uses_chroot "$suite"; then
			run_step "$suite" "$vdir" chroot
		else
			run_step "$suite" "$vdir" host_headers
		fi
		# KCC is set by the toolchain step; recheck it if that step was cached.
		if [[ -z $KCC ]]; then
			if suite_uses_chroot "$suite"; then
				check_compiler "$suite" "$vdir/chroot/usr/src/linux-headers-$KREL" chroot "$vdir/chroot"
			else
				check_compiler "$suite" "$vdir/headers/usr/src/linux-headers-$KREL" env
			fi
		fi
		write_version_env "$suite" "$vdir"
		safe_rm_tree "$vdir/debs"
		set_stamp "$vdir" prepared
		log "$suite: prepared in $(($(now) - t0)) s"
	fi
	# Steps added after a version was first prepared run here, once.
	run_step "$suite" "$vdir" amdsrc
	env_set "$vdir" AXS_AMDSRC "$vdir/amdsrc/amd"
	ln -sfn "$DEBVER" "$(current_link "$suite").tmp"
	mv -T "$(current_link "$suite").tmp" "$(current_link "$suite")"
	printf '%s\n' "$vdir"
}
