# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared helpers for tools/vm/axs-vm: logging, suites, cache layout, locking,
# mount-safe deletion. Sourced by axs-vm; not meant to be run directly.

AXS_SUITES=(bookworm trixie sid)
AXS_CACHE=${AXS_CACHE:-/var/cache/amdxsched}

log() { printf 'axs-vm: %s\n' "$*" >&2; }
warn() { printf 'axs-vm: warning: %s\n' "$*" >&2; }
die() {
	printf 'axs-vm: error: %s\n' "$*" >&2
	exit 1
}

# Seconds since the epoch, for step timings.
now() { date +%s; }

require_root() {
	[[ $(id -u) -eq 0 ]] || die "$1 needs root (debootstrap, chroot, mount)"
}

require_cmds() {
	local missing=() c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	((${#missing[@]} == 0)) || die "missing host commands: ${missing[*]}"
}

# Lanes that boot a kernel built here rather than Debian's: the debug
# kernel built from a suite's linux-source (lib/debug.sh), without amdgpu
# ("debug") and with it ("debug-full").
AXS_DEBUG_LANES=(debug debug-full)
AXS_DEBUG_BASE=trixie

validate_suite() {
	local s
	for s in "${AXS_SUITES[@]}" "${AXS_DEBUG_LANES[@]}"; do
		[[ $1 == "$s" ]] && return 0
	done
	die "unknown suite '$1' (expected one of: ${AXS_SUITES[*]} ${AXS_DEBUG_LANES[*]})"
}

is_debug_lane() { [[ $1 == debug || $1 == debug-full ]]; }

# The Debian suite whose chroot, userspace and lock a suite or lane uses.
base_suite() {
	if is_debug_lane "$1"; then
		printf '%s\n' "$AXS_DEBUG_BASE"
	else
		printf '%s\n' "$1"
	fi
}

# Suites whose compiler does not install on the bookworm host get a chroot.
suite_uses_chroot() { [[ $1 != bookworm ]]; }

# Cache layout (see tools/vm/README.md).
suite_cache_dir() { printf '%s/%s\n' "$AXS_CACHE" "$1"; }
version_dir() { printf '%s/%s/%s\n' "$AXS_CACHE" "$1" "$2"; }
current_link() { printf '%s/%s/current\n' "$AXS_CACHE" "$1"; }
apt_state_dir() { printf '%s/apt/%s\n' "$AXS_CACHE" "$1"; }
# Immutable downloads of SUITE: .deb files named by exact version, for the
# private apt, debootstrap and the chroot's apt. Kept by "axs-vm reset".
downloads_dir() { printf '%s/downloads/%s\n' "$(realpath -m "$AXS_CACHE")" "$1"; }
ksrc_dir() { printf '%s/ksrc/%s\n' "$AXS_CACHE" "$1"; }
lock_file() { printf '%s/locks/%s.lock\n' "$AXS_CACHE" "$1"; }

# Take the per-suite lock, exclusive by default or shared with "-s"; held
# until release_lock or process exit. Taking a lock already held is a no-op
# (a second flock on a new descriptor would wait for ourselves).
# NAME is a suite (a debug lane shares its base suite's chroot, so it takes
# that suite's lock), another name under locks/, or an absolute path.
declare -A AXS_LOCK_FDS=()
take_lock() {
	local suite mode=${2:--x} file fd
	suite=$(base_suite "$1")
	[[ -n ${AXS_LOCK_FDS[$suite]:-} ]] && return 0
	if [[ $suite == /* ]]; then
		file=$suite
	else
		file=$(lock_file "$suite")
	fi
	mkdir -p "${file%/*}"
	exec {fd}>>"$file"
	if ! flock -n "$mode" "$fd"; then
		log "waiting for lock $file"
		flock "$mode" "$fd"
	fi
	AXS_LOCK_FDS[$suite]=$fd
}

release_lock() {
	local suite fd
	suite=$(base_suite "$1")
	fd=${AXS_LOCK_FDS[$suite]:-}
	[[ -n $fd ]] || return 0
	flock -u "$fd"
	exec {fd}>&-
	unset "AXS_LOCK_FDS[$suite]"
}

# Step stamps: a step's output is trusted only if its stamp exists.
stamp_path() { printf '%s/.stamp-%s\n' "$1" "$2"; }
has_stamp() { [[ -e $(stamp_path "$1" "$2") ]]; }
set_stamp() { date -u +%FT%TZ >"$(stamp_path "$1" "$2")"; }
clear_stamp() { rm -f "$(stamp_path "$1" "$2")"; }

# Unmount everything mounted at or below DIR, deepest first.
unmount_below() {
	local dir mnts m
	dir=$(realpath -m "$1")
	mapfile -t mnts < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
	for m in "${mnts[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" || die "cannot unmount $m"
	done
}

# rm -rf that never follows into mounts (a stale bind mount of the source
# tree inside a chroot must not be deleted with it).
safe_rm_tree() {
	[[ -e $1 || -L $1 ]] || return 0
	unmount_below "$1"
	rm -rf --one-file-system -- "$1"
}

# Cached version metadata written by prepare (KEY=value, shell-quoted).
env_file() { printf '%s/axs.env\n' "$1"; }

write_env() {
	local vdir=$1 k
	shift
	: >"$(env_file "$vdir").tmp"
	for k in "$@"; do
		printf '%s=%q\n' "$k" "${!k}" >>"$(env_file "$vdir").tmp"
	done
	mv "$(env_file "$vdir").tmp" "$(env_file "$vdir")"
}

# Set one variable in VDIR's metadata, keeping the others.
env_set() {
	local vdir=$1 key=$2 val=$3 f
	f=$(env_file "$vdir")
	{
		grep -v "^$key=" "$f" || true
		printf '%s=%q\n' "$key" "$val"
	} >"$f.tmp"
	mv "$f.tmp" "$f"
}

# True if VDIR has the prepared stamp and everything its metadata names is
# still there (a partly deleted entry counts as missing).
version_is_intact() {
	local vdir=$1
	has_stamp "$vdir" prepared && [[ -f $(env_file "$vdir") ]] || return 1
	(
		# shellcheck source=/dev/null
		source "$(env_file "$vdir")"
		# shellcheck disable=SC2153 # set by the sourced file
		[[ -f $AXS_VMLINUZ && -f $AXS_HEADERS/.config && -f $AXS_HEADERS/Makefile &&
			-f $AXS_AMDGPU/load-order && -f $AXS_SOURCE_TARBALL &&
			-e $AXS_KSRC/.complete && -f $AXS_MODULES/modules.dep ]] || exit 1
		[[ -z $AXS_CHROOT || -x $AXS_CHROOT/usr/bin/make ]]
	)
}

# Resolve the prepared version of SUITE (via the "current" link) and load its
# metadata into AXS_* variables. Dies if the suite was never prepared.
load_current() {
	local suite=$1 link vdir
	link=$(current_link "$suite")
	[[ -L $link ]] || die "suite $suite is not prepared (run: tools/vm/axs-vm prepare $suite)"
	vdir=$(realpath "$link")
	version_is_intact "$vdir" ||
		die "cache entry $vdir is incomplete (run: tools/vm/axs-vm prepare $suite)"
	# Only a debug lane's metadata sets these.
	unset AXS_KTREE AXS_KBUILD AXS_KMAKE_ARGS
	# shellcheck source=/dev/null
	source "$(env_file "$vdir")"
	# shellcheck disable=SC2034 # used by the commands
	AXS_VDIR=$vdir
}

# Project whose module is built/booted: AXS_SRC or the repository root.
project_dir() {
	if [[ -n ${AXS_SRC:-} ]]; then
		[[ -d $AXS_SRC ]] || die "AXS_SRC=$AXS_SRC is not a directory"
		realpath "$AXS_SRC"
	else
		realpath "${AXS_VM_DIR:?}/../.."
	fi
}

project_build_dir() { printf '%s/build/%s\n' "$(project_dir)" "$1"; }
