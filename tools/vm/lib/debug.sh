# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# "prepare debug|debug-full": the proof lane's kernel. Built from the
# linux-source of AXS_DEBUG_BASE (trixie, 6.12) in that suite's build chroot,
# with Debian's own config of that kernel as the base:
#
#   1. localmodconfig keeps only the modules the guest loads (none for
#      "debug"; amdgpu and its dependencies for "debug-full");
#   2. tools/vm/debug/trim.config turns off built-in subsystems a QEMU guest
#      does not need, so that it builds within CI's budget on 2 cores;
#   3. tools/vm/debug/debug.config adds the checkers (KASAN, lockdep,
#      kmemleak, DEBUG_OBJECTS, UBSAN, fault injection, KCOV, KUnit), and
#      debug-full also tools/vm/debug/amdgpu.config;
#   4. every option those fragments name must end up as written.
#
# The result is cached in $AXS_CACHE/kernels/LANE-KEY/, KEY being a hash of
# everything it is built from: the source version, Debian's config, the
# fragments, the module list, this script and the compiler. "axs-vm reset"
# keeps it: a changed input gives a new key, never a stale kernel. The lane's
# metadata (what load_current reads) lives in $AXS_CACHE/LANE/KEY/ like a
# suite's, and is rebuilt from the kernel directory when missing.

AXS_DEBUG_FRAGMENTS=(trim.config debug.config)

debug_fragments() { # LANE -> fragment paths, in merge order
	local f
	for f in "${AXS_DEBUG_FRAGMENTS[@]}"; do
		printf '%s\n' "$AXS_VM_DIR/debug/$f"
	done
	[[ $1 == debug-full ]] && printf '%s\n' "$AXS_VM_DIR/debug/amdgpu.config"
	return 0
}

# The compiler the base suite's kernel was built with, by the name its
# config gives (CONFIG_CC_VERSION_TEXT), for the kernel and host tools.
debug_cc() {
	local cc
	cc=$(headers_cc_text "$AXS_HEADERS")
	printf '%s\n' "${cc%% *}"
}

# localmodconfig's view of the guest: an lsmod listing of what it loads.
debug_lsmod() { # LANE (base suite loaded) -> lsmod text
	printf 'Module                  Size  Used by\n'
	[[ $1 == debug-full ]] || return 0
	sed -e 's/\.ko$//' -e 's/-/_/g' -e 's/$/ 0 0/' "$AXS_AMDGPU/load-order"
}

# The cache key: a hash over every input of the build, listed in the order
# hashed (written next to the kernel as inputs.txt).
debug_inputs() { # LANE
	local f
	printf 'lane %s\n' "$1"
	printf 'source %s %s\n' "$AXS_SUITE" "$AXS_DEBVER"
	printf 'compiler %s\n' "$AXS_KCC"
	printf 'base-config %s\n' "$(sha256sum <"$AXS_HEADERS/.config" | cut -d' ' -f1)"
	printf 'lsmod %s\n' "$(debug_lsmod "$1" | sha256sum | cut -d' ' -f1)"
	while read -r f; do
		printf 'fragment %s %s\n' "${f##*/}" "$(sha256sum <"$f" | cut -d' ' -f1)"
	done < <(debug_fragments "$1")
	printf 'script %s\n' "$(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)"
}

# Every option a fragment sets is set so in the final .config; prints the
# ones that are not (Kconfig drops what a dependency forbids, silently).
debug_config_mismatches() { # CONFIG FRAGMENT...
	local config=$1 line key
	shift
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" ||
				printf '%s (have: %s)\n' "$line" \
					"$(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset)"
			;;
		"# CONFIG_"*" is not set")
			key=${line#\# }
			key=${key%% *}
			if grep -q "^$key=" "$config"; then
				printf '%s (have: %s)\n' "$line" "$(grep "^$key=" "$config")"
			fi
			;;
		esac
	done < <(cat "$@")
}

# Configure and build in the base suite's chroot, the kernel directory KDIR
# mounted at /axs/kernel: src/ the tree, obj/ the build, root/ the modules.
debug_build_kernel() { # LANE KDIR
	local lane=$1 kdir=$2 f frags=() cc mk jobs t0 bad
	t0=$(now)
	mkdir -p "$kdir/src" "$kdir/obj" "$kdir/inputs"
	# A build that stopped (same key, so same inputs) goes on where it was.
	if ! has_stamp "$kdir" extracted; then
		log "$lane: extracting $(basename "$AXS_SOURCE_TARBALL") into $kdir/src"
		tar -xJf "$AXS_SOURCE_TARBALL" -C "$kdir/src" --strip-components=1 ||
			die "$lane: extracting $AXS_SOURCE_TARBALL failed"
		set_stamp "$kdir" extracted
	fi
	cp "$AXS_HEADERS/.config" "$kdir/inputs/base.config"
	debug_lsmod "$lane" >"$kdir/inputs/lsmod"
	while read -r f; do
		cp "$f" "$kdir/inputs/"
		frags+=("/axs/kernel/inputs/${f##*/}")
	done < <(debug_fragments "$lane")
	# Host tools of the build that Debian's headers do not need: the
	# certificate extractor of the trusted keyring wants OpenSSL's headers,
	# the compressed bzImage zstd.
	chroot_install libssl-dev zstd || die "$lane: installing libssl-dev and zstd into the chroot failed"
	cc=$(debug_cc)
	jobs=$(nproc)
	mk="make -C /axs/kernel/src O=/axs/kernel/obj CC=$cc HOSTCC=$cc"
	log "$lane: configuring (Debian's config, localmodconfig, ${frags[*]##*/})"
	AXS_KTREE=$kdir run_in_chroot "$(project_dir)" sh -euc '
		mk=$1
		shift
		cp /axs/kernel/inputs/base.config /axs/kernel/obj/.config
		$mk -s olddefconfig
		$mk -s LSMOD=/axs/kernel/inputs/lsmod localmodconfig </dev/null >/dev/null
		/axs/kernel/src/scripts/kconfig/merge_config.sh -m -O /axs/kernel/obj \
			/axs/kernel/obj/.config "$@" >/dev/null
		$mk -s olddefconfig
	' debug-config "$mk" "${frags[@]}" >"$kdir/config.log" 2>&1 || {
		tail -n 20 "$kdir/config.log" >&2
		die "$lane: configuring the kernel failed (log: $kdir/config.log)"
	}
	bad=$(debug_config_mismatches "$kdir/obj/.config" "${frags[@]/#\/axs\/kernel/$kdir}")
	[[ -z $bad ]] || die "$lane: options not set as the fragments ask:"$'\n'"$bad"
	log "$lane: building bzImage and modules with -j$jobs (log: $kdir/build.log)"
	AXS_KTREE=$kdir run_in_chroot "$(project_dir)" sh -euc '
		$1 -j"$2" bzImage modules
		$1 INSTALL_MOD_PATH=/axs/kernel/root modules_install
	' debug-build "$mk" "$jobs" >"$kdir/build.log" 2>&1 || {
		tail -n 30 "$kdir/build.log" >&2
		die "$lane: building the kernel failed (log: $kdir/build.log)"
	}
	# Out-of-tree modules need the tree and the build's generated files, not
	# its objects (gigabytes under KASAN): keep only host tools' objects.
	find "$kdir/obj" -name '*.o' ! -path "$kdir/obj/scripts/*" ! -path "$kdir/obj/tools/*" -delete
	log "$lane: kernel $(cat "$kdir/obj/include/config/kernel.release") built in $(($(now) - t0)) s"
}

# Lane metadata, as write_version_env writes it for a suite. The base
# suite's AXS_* are loaded; LANE's are derived from KDIR.
debug_write_lane() { # LANE KDIR VDIR
	local lane=$1 kdir=$2 vdir=$3 m dst
	KREL=$(cat "$kdir/obj/include/config/kernel.release")
	safe_rm_tree "$vdir"
	mkdir -p "$vdir/amdgpu/modules"
	: >"$vdir/amdgpu/load-order"
	if [[ $lane == debug-full ]]; then
		while read -r m; do
			dst=${m##*/}
			cp "$kdir/root/lib/modules/$KREL/$m" "$vdir/amdgpu/modules/$dst"
			printf '%s\n' "$dst" >>"$vdir/amdgpu/load-order"
		done < <(module_load_order "$kdir/root" amdgpu) ||
			die "$lane: amdgpu is not among the built modules"
	fi
	# shellcheck disable=SC2034 # written by name
	{
		AXS_SUITE=$lane AXS_KREL=$KREL AXS_DEBVER=$AXS_DEBVER AXS_KCC=$AXS_KCC
		AXS_VMLINUZ=$kdir/obj/arch/x86/boot/bzImage
		AXS_MODULES=$kdir/root/lib/modules/$KREL
		AXS_AMDGPU=$vdir/amdgpu
		AXS_HEADERS=$kdir/obj
		AXS_KTREE=$kdir
		AXS_KBUILD=/axs/kernel/obj
		# Debian's headers name their compiler in their Makefile; a tree
		# built here takes it on the command line, as the kernel was.
		AXS_KMAKE_ARGS="CC=$(debug_cc) HOSTCC=$(debug_cc)"
		# The kfd backend builds only where the kernel has amdgpu.
		AXS_AMDSRC=
		[[ $lane == debug-full ]] && AXS_AMDSRC=$kdir/src/drivers/gpu/drm/amd
	}
	write_env "$vdir" AXS_SUITE AXS_KREL AXS_DEBVER AXS_KCC AXS_VMLINUZ AXS_MODULES \
		AXS_AMDGPU AXS_SOURCE_TARBALL AXS_KSRC AXS_CHROOT AXS_HEADERS AXS_KTREE \
		AXS_KBUILD AXS_KMAKE_ARGS AXS_AMDSRC
	set_stamp "$vdir" prepared
	version_is_intact "$vdir" || die "$lane: metadata in $vdir does not check out"
}

cmd_prepare_debug() { # LANE
	local lane=$1 key kdir vdir t0
	t0=$(now)
	require_root prepare
	cmd_prepare "$AXS_DEBUG_BASE" >/dev/null
	load_current "$AXS_DEBUG_BASE"
	# The build only reads the base suite's chroot and tarball: keep others
	# from replacing them (shared), not from using them. One build per lane.
	release_lock "$AXS_DEBUG_BASE"
	take_lock "$AXS_DEBUG_BASE" -s
	take_lock "kernel-$lane"
	key=$(debug_inputs "$lane" | sha256sum | cut -c1-16)
	kdir=$AXS_CACHE/kernels/$lane-$key
	vdir=$(version_dir "$lane" "$key")
	if [[ ! -e $kdir/.complete ]]; then
		log "$lane: no kernel for key $key: building it from $AXS_SUITE's linux-source $AXS_DEBVER"
		mkdir -p "$kdir"
		debug_inputs "$lane" >"$kdir/inputs.txt"
		debug_build_kernel "$lane" "$kdir"
		date -u +%FT%TZ >"$kdir/.complete"
	else
		log "$lane: kernel for key $key is cached ($kdir)"
	fi
	if ! version_is_intact "$vdir" 2>/dev/null; then
		debug_write_lane "$lane" "$kdir" "$vdir"
	fi
	ln -sfn "$key" "$(current_link "$lane").tmp"
	mv -T "$(current_link "$lane").tmp" "$(current_link "$lane")"
	log "$lane: ready in $(($(now) - t0)) s"
	printf '%s\n' "$vdir"
}
