# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# "build SUITE [make args]": build the project's out-of-tree module against
# the suite's prepared headers, in a copy of the source under build/SUITE/src.

# Source files to mirror into the build copy: everything but VCS data, the
# build/ tree and kbuild's products.
list_source_files() { # DIR -> NUL-separated relative paths
	(cd "$1" && find . \( -path ./build -o -path ./.git -o -path ./out \) -prune -o \
		\( -type f -o -type l \) \
		! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' ! -name '*.cmd' \
		! -name '*.a' ! -name '*.d' ! -name '*.symvers' ! -name 'modules.order' \
		! -name '*.dwo' ! -name '*.tmp' -print0)
}

# Make DST's source files equal to SRC's, keeping DST's build products so
# that make stays incremental (tar preserves mtimes).
sync_source_tree() { # SRC DST
	local src=$1 dst=$2 stale
	mkdir -p "$dst"
	list_source_files "$src" | tar -C "$src" --null -T - -cf - | tar -C "$dst" -xpf -
	stale=$(comm -13 <(list_source_files "$src" | tr '\0' '\n' | sort) \
		<(list_source_files "$dst" | tr '\0' '\n' | sort))
	if [[ -n $stale ]]; then
		(cd "$dst" && xargs -d '\n' rm -f -- <<<"$stale")
	fi
}

# Default to -j<ncpu> unless the caller chose a -j.
make_jobs_args() {
	local a
	for a in "$@"; do
		[[ $a == -j* || $a == --jobs* ]] && return 0
	done
	printf '%s\n' "-j$(nproc)"
}

# make on the host (bookworm). MAKEFLAGS of an outer make are dropped so the
# host and chroot builds see the same arguments.
build_on_host() { # SRCDIR LOG MAKE-ARGS...
	local src=$1 logf=$2
	shift 2
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -C "$AXS_HEADERS" M="$src" "$@" 2>&1 | tee "$logf"
	return "${PIPESTATUS[0]}"
}

# Run CMD... inside the loaded suite's chroot with SRCDIR bind-mounted at
# /axs/src, the suite's amdgpu source (if cached) read-only at /axs/amd,
# /proc mounted (objtool and hipcc read it), a debug lane's kernel tree
# (AXS_KTREE) at /axs/kernel and the suite's pool of downloads as apt's
# archive cache. The mounts live in a private mount namespace: several
# commands can use one chroot at once, and the mounts vanish with the
# command however it ends. The chroot's apt gets the host's Acquire settings
# first (sync_chroot_apt_conf).
run_in_chroot() { # SRCDIR CMD...
	local src=$1 root=$AXS_CHROOT pool
	shift
	pool=$(downloads_dir "$(base_suite "$AXS_SUITE")")
	sync_chroot_apt_conf "$root"
	mkdir -p "$root/axs/src" "$root/axs/amd" "$root/axs/kernel" "$pool"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -euc '
		root=$1 src=$2 pool=$3 amd=$4 ktree=$5
		shift 5
		mount -t proc proc "$root/proc"
		mount --bind "$src" "$root/axs/src"
		mount --bind "$pool" "$root/var/cache/apt/archives"
		if [ -n "$amd" ] && [ -d "$amd" ]; then
			mount --bind "$amd" "$root/axs/amd"
			mount -o remount,bind,ro "$root/axs/amd"
		fi
		[ -z "$ktree" ] || mount --bind "$ktree" "$root/axs/kernel"
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 TERM="${TERM:-dumb}" DEBIAN_FRONTEND=noninteractive "$@"
	' run_in_chroot "$root" "$src" "$pool" "${AXS_AMDSRC:-}" "${AXS_KTREE:-}" "$@"
}

# make inside the suite's chroot, against the source synced to SRCDIR.
build_in_chroot() { # SRCDIR LOG MAKE-ARGS...
	local src=$1 logf=$2
	shift 2
	# shellcheck disable=SC2086 # AXS_KMAKE_ARGS is a list of VAR=value
	run_in_chroot "$src" make -C "${AXS_KBUILD:-/usr/src/linux-headers-$AXS_KREL}" \
		${AXS_KMAKE_ARGS:-} M=/axs/src "$@" 2>&1 |
		tee "$logf"
	return "${PIPESTATUS[0]}"
}

# Install PKG... into the loaded suite's chroot, from the mirror its apt was
# set up with, unless all of them are there already. One install at a time
# per chroot (its own lock; builds may go on meanwhile).
# apt-get update fails on errors; a warning (a source left out) fails too,
# since it means the packages may be stale. Output is shown only on failure.
chroot_install() { # PKG...
	take_lock "$(base_suite "$AXS_SUITE")-apt"
	# shellcheck disable=SC2016 # expanded in the chroot
	run_in_chroot "$(project_dir)" sh -euc '
		dpkg -s "$@" >/dev/null 2>&1 && exit 0
		echo "axs-vm: installing $* into the $(. /etc/os-release; echo "$VERSION_CODENAME") chroot" >&2
		log=/tmp/axs-apt.log
		if ! apt-get update -q >$log 2>&1 || grep -E "^(W|E): " $log >&2; then
			tail -n 20 $log >&2
			exit 1
		fi
		apt-get install -y -q --no-install-recommends "$@" >$log 2>&1 || {
			tail -n 30 $log >&2
			exit 1
		}
	' chroot_install "$@"
}

# The start of every command that works in a suite's chroot: checks, the
# suite's lock, shared (held until the command exits: prepare, reset and
# prune, which replace or delete chroots, wait for it), and its metadata.
load_chroot_suite() { # SUITE COMMAND
	validate_suite "$1"
	require_root "$2"
	suite_uses_chroot "$1" || die "$1 builds on the host; it has no chroot"
	take_lock "$1" -s
	load_current "$1"
}

# axs-vm install SUITE PKG...: chroot_install for SUITE.
cmd_install() {
	local suite=${1:?usage: axs-vm install SUITE PKG...}
	shift
	(($#)) || die "usage: axs-vm install SUITE PKG..."
	load_chroot_suite "$suite" install
	chroot_install "$@"
}

# axs-vm chroot SUITE CMD...: CMD in SUITE's chroot, the repository at /axs/src.
cmd_chroot() {
	local suite=${1:?usage: axs-vm chroot SUITE CMD...}
	shift
	(($#)) || die "usage: axs-vm chroot SUITE CMD..."
	load_chroot_suite "$suite" chroot
	run_in_chroot "$(project_dir)" "$@"
}

cmd_build() {
	local suite=$1 proj out rc=0 jobs ko
	shift
	validate_suite "$suite"
	require_root build
	proj=$(project_dir)
	[[ -f $proj/Kbuild ]] || die "no top-level Kbuild in $proj (set AXS_SRC to the module's source dir)"
	# Shared: builds of other projects or suites may run at once (each in
	# its own mount namespace); one build per project and suite at a time.
	take_lock "$suite" -s
	load_current "$suite"
	out=$(project_build_dir "$suite")
	mkdir -p "$out"
	take_lock "$out.lock"
	sync_source_tree "$proj" "$out/src"
	# kbuild leaves a module no longer built in place: only this build's count.
	rm -f "$out"/src/*.ko
	jobs=$(make_jobs_args "$@")
	# The kfd backend builds against this kernel's own amdgpu source, unless
	# the caller names another (AMDGPU_SRC=...; AMDGPU_SRC=none leaves it out).
	if [[ " $* " != *" AMDGPU_SRC="* && -z ${AXS_AMDSRC:-} ]] && is_debug_lane "$suite"; then
		set -- "$@" AMDGPU_SRC=none	# a kernel built without amdgpu
	elif [[ " $* " != *" AMDGPU_SRC="* ]]; then
		[[ -d ${AXS_AMDSRC:-} ]] ||
			die "$suite: no amdgpu source in the cache (run: tools/vm/axs-vm prepare $suite)"
		if suite_uses_chroot "$suite"; then
			set -- "$@" AMDGPU_SRC=/axs/amd
		else
			set -- "$@" "AMDGPU_SRC=$AXS_AMDSRC"
		fi
	fi
	log "$suite: make -C linux-headers-$AXS_KREL M=$proj $jobs $* (log: $out/build.log)"
	if suite_uses_chroot "$suite"; then
		build_in_chroot "$out/src" "$out/build.log" ${jobs:+"$jobs"} "$@" || rc=$?
	else
		build_on_host "$out/src" "$out/build.log" ${jobs:+"$jobs"} "$@" || rc=$?
	fi
	rm -f "$out"/*.ko
	if ((rc == 0)); then
		for ko in "$out"/src/*.ko; do
			[[ -e $ko ]] || continue
			cp "$ko" "$out/"
			log "$suite: built $out/${ko##*/}"
		done
	else
		log "$suite: make failed with status $rc (log: $out/build.log)"
	fi
	return "$rc"
}

# axs-vm clean-chroot SUITE DIR [CMD...]: a fresh minbase chroot of SUITE at
# DIR (made again on every call: what is tested there must not depend on an
# earlier run), with the host's apt settings; then CMD in it, with /proc and
# the repository at /axs/src. For tests of what a clean host installs.
cmd_clean_chroot() {
	local suite=${1:?usage: axs-vm clean-chroot SUITE DIR [CMD...]} dir=${2:?usage: axs-vm clean-chroot SUITE DIR [CMD...]}
	shift 2
	validate_suite "$suite"
	require_root clean-chroot
	require_cmds debootstrap chroot unshare
	[[ $dir == /* ]] || dir=$PWD/$dir
	safe_rm_tree "$dir"
	mkdir -p "$dir" "$(downloads_dir "$suite")"
	discover_mirrors
	log "$suite: debootstrap --variant=minbase $suite into $dir"
	debootstrap --variant=minbase --keyring="$AXS_KEYRING" \
		--cache-dir="$(downloads_dir "$suite")" "$suite" "$dir" "$AXS_MIRROR" \
		>"$dir.debootstrap.log" 2>&1 || {
		tail -n 30 "$dir.debootstrap.log" >&2
		die "$suite: debootstrap into $dir failed (log: $dir.debootstrap.log)"
	}
	unmount_below "$dir"
	sync_chroot_apt_conf "$dir"
	(($#)) || return 0
	mkdir -p "$dir/axs/src"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -euc '
		root=$1 src=$2 pool=$3
		shift 3
		mount -t proc proc "$root/proc"
		mount --bind "$src" "$root/axs/src"
		mount --bind "$pool" "$root/var/cache/apt/archives"
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' clean_chroot "$dir" "$(project_dir)" "$(downloads_dir "$suite")" "$@"
}
