# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Private apt state per suite: mirror discovery from the host's apt
# configuration, kernel version resolution, package download.

AXS_KEYRING=${AXS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# Print "URI SUITE COMPONENTS..." for every enabled deb source of the host,
# from deb822 *.sources files and one-line sources.list files.
host_apt_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled !~ /^[Nn]o/)
					for (i = 1; i <= nu; i++)
						for (j = 1; j <= ns; j++)
							print u[i], s[j], comps
				types = ""; enabled = ""; comps = ""; nu = 0; ns = 0
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1); $1 = ""; sub(/^ +/, "")
				if (key == "types:") types = $0
				else if (key == "enabled:") enabled = $0
				else if (key == "components:") comps = $0
				else if (key == "uris:") nu = split($0, u, " ")
				else if (key == "suites:") ns = split($0, s, " ")
			}
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk '$1 == "deb" && NF >= 3 { $1 = ""; sub(/^ +/, ""); print }'
	done
}

# Sets AXS_MIRROR (main Debian archive) and AXS_SECURITY_MIRROR (may be
# empty) from the host's apt configuration unless already set in the
# environment. No host name is ever hard-coded here.
discover_mirrors() {
	local lines
	lines=$(host_apt_sources)
	if [[ -z ${AXS_MIRROR:-} ]]; then
		# A plain suite name (no "-updates"/"-security") with component main;
		# prefer URIs ending in /debian over third-party repositories.
		AXS_MIRROR=$(awk '$2 !~ /[-\/]/ && / main( |$)/ {
				print ($1 ~ /\/debian\/?$/ ? 0 : 1), $1 }' <<<"$lines" |
			sort -s -n -k1,1 | awk 'NR == 1 { print $2 }')
	fi
	[[ -n $AXS_MIRROR ]] ||
		die "no main Debian archive URI found in /etc/apt/sources.list{,.d/*} (set AXS_MIRROR)"
	if [[ -z ${AXS_SECURITY_MIRROR+set} ]]; then
		AXS_SECURITY_MIRROR=$(awk '$2 ~ /-security$/ { print $1; exit }' <<<"$lines")
	fi
	AXS_MIRROR=${AXS_MIRROR%/}
	AXS_SECURITY_MIRROR=${AXS_SECURITY_MIRROR%/}
}

# The host's apt settings that decide whether a mirror is reached and its
# Release files accepted: validity dates (a mirror serving a snapshot is past
# Valid-Until, and the host may be configured to accept that), proxies,
# timeouts, retries. Keys are matched whole; printed as apt.conf lines.
AXS_APT_ACQUIRE_KEYS='Acquire::(Check-Valid-Until|Check-Date|Max-ValidTime|Min-ValidTime|Max-FutureTime|Retries|ForceIPv4|ForceIPv6|(https?|ftp)::(Proxy(::[^ ]+)?|Timeout|No-Cache|Verify-Peer|Verify-Host))'

host_apt_acquire_conf() {
	apt-config dump 2>/dev/null | grep -E "^$AXS_APT_ACQUIRE_KEYS \"" || true
}

# Give the apt inside a build chroot the same Acquire settings as the host's
# apt (and so as the private state "prepare" uses): without them, apt-get
# update in the chroot refuses a mirror the host accepts. Rewritten before
# every use, so that a chroot follows changes of the host's configuration.
sync_chroot_apt_conf() { # CHROOT
	local f=$1/etc/apt/apt.conf.d/00amdxsched-host
	[[ -d ${f%/*} ]] || die "$1 has no /etc/apt/apt.conf.d"
	{
		printf '// Written by tools/vm/axs-vm from the host'"'"'s apt configuration.\n'
		host_apt_acquire_conf
	} >"$f.tmp"
	mv "$f.tmp" "$f"
}

# Write the private sources.list for SUITE. Stable suites also get their
# -updates and -security pockets (where kernel updates land first) unless
# AXS_APT_UPDATES=0.
write_sources_list() {
	local suite=$1 out=$2 opt="[arch=amd64 signed-by=$AXS_KEYRING]"
	{
		printf 'deb %s %s %s main\n' "$opt" "$AXS_MIRROR" "$suite"
		if [[ $suite != sid && ${AXS_APT_UPDATES:-1} != 0 ]]; then
			printf 'deb %s %s %s-updates main\n' "$opt" "$AXS_MIRROR" "$suite"
			if [[ -n $AXS_SECURITY_MIRROR ]]; then
				printf 'deb %s %s %s-security main\n' "$opt" "$AXS_SECURITY_MIRROR" "$suite"
			fi
		fi
	} >"$out"
}

# Options making apt-get/apt-cache use only the private state of SUITE.
apt_opts() {
	local st
	st=$(apt_state_dir "$1")
	APT_OPTS=(
		-o "Dir::Etc::SourceList=$st/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State=$st/state"
		-o "Dir::State::Lists=$st/lists"
		-o Dir::State::status=/dev/null
		-o "Dir::Cache=$st/cache"
		# Container images often disable the binary caches (docker-clean);
		# without them every apt-cache call reparses all lists (~1.3 s).
		-o Dir::Cache::pkgcache=pkgcache.bin
		-o Dir::Cache::srcpkgcache=srcpkgcache.bin
		-o APT::Architecture=amd64
		-o APT::Architectures=amd64
		-o APT::Default-Release=
		-o APT::Sandbox::User=root
		-o Acquire::Languages=none
		-o Acquire::Retries=3
	)
}

suite_apt_get() {
	local APT_OPTS
	apt_opts "$1"
	apt-get -q "${APT_OPTS[@]}" "${@:2}"
}

suite_apt_cache() {
	local APT_OPTS
	apt_opts "$1"
	apt-cache "${APT_OPTS[@]}" "${@:2}"
}

# Refresh the package lists of SUITE in its private apt state.
apt_update_suite() {
	local suite=$1 st
	st=$(apt_state_dir "$suite")
	mkdir -p "$st/lists/partial" "$st/cache/archives/partial" "$st/state"
	discover_mirrors
	write_sources_list "$suite" "$st/sources.list"
	log "$suite: apt update: $(awk '{ printf "%s%s %s", sep, $(NF-2), $(NF-1); sep = ", " }' "$st/sources.list")"
	suite_apt_get "$suite" update >"$st/update.log" 2>&1 || {
		tail -n 20 "$st/update.log" >&2
		return 1
	}
	if grep -E '^(W|E): ' "$st/update.log" >&2; then
		return 1
	fi
}

# One field of the candidate version of PKG (empty if absent).
apt_field() {
	suite_apt_cache "$1" show --no-all-versions "$2" 2>/dev/null |
		awk -v f="$3:" '$1 == f && !n++ { $1 = ""; sub(/^ +/, ""); print }'
}

# Depends of PKG (candidate or PKG=VERSION) as "NAME VERSION-CONSTRAINT"
# lines, first alternative only.
apt_depends() {
	apt_field "$1" "$2" Depends | tr ',' '\n' | sed -e 's/|.*//' |
		sed -E -e 's/^ +//' -e 's/ +$//' -e 's/^([^ ]+) *(\((.*)\))?$/\1 \3/'
}

apt_has_version() {
	[[ -n $(apt_field "$1" "$2=$3" Package) ]]
}

# Resolve the current kernel of SUITE from the linux-image-amd64 and
# linux-headers-amd64 metapackages. Sets:
#   KREL     kernel release (uname -r), e.g. 6.1.0-56-amd64
#   DEBVER   Debian version of the kernel packages, e.g. 6.1.192-2
#   KPKGS    image packages (vmlinuz + modules)
#   HPKGS    headers packages (arch headers, common headers, kbuild)
#   HCC_DEPS compiler packages the headers depend on
#   KBUILD_DEPS runtime dependencies of the kbuild package
#   SRC_PKG  linux-source-X.Y
resolve_kernel() {
	local suite=$1 img hver hdr name
	read -r img DEBVER < <(apt_depends "$suite" linux-image-amd64 |
		awk '$1 ~ /^linux-image-[0-9]/ && !n++ { print $1, $3 }')
	[[ -n ${img:-} && -n ${DEBVER:-} ]] ||
		die "$suite: cannot resolve linux-image-amd64 to a versioned linux-image package"
	KREL=${img#linux-image-}
	read -r hdr hver < <(apt_depends "$suite" linux-headers-amd64 |
		awk '$1 ~ /^linux-headers-[0-9]/ && !n++ { print $1, $3 }')
	[[ ${hdr:-} == "linux-headers-$KREL" && ${hver:-} == "$DEBVER" ]] ||
		die "$suite: linux-image-amd64 ($img $DEBVER) and linux-headers-amd64 (${hdr:-?} ${hver:-?}) disagree; mirror mid-sync?"

	KPKGS=("$img")
	while read -r name _; do
		case $name in
		"linux-binary-$KREL" | "linux-modules-$KREL" | "linux-base-$KREL") KPKGS+=("$name") ;;
		esac
	done < <(apt_depends "$suite" "$img=$DEBVER")

	HPKGS=("$hdr")
	HCC_DEPS=()
	while read -r name _; do
		case $name in
		linux-headers-* | linux-kbuild-* | "linux-base-$KREL") HPKGS+=("$name") ;;
		gcc-[0-9]* | linux-compiler-gcc-*) HCC_DEPS+=("$name") ;;
		esac
	done < <(apt_depends "$suite" "$hdr=$DEBVER")

	KBUILD_DEPS=()
	for name in "${HPKGS[@]}"; do
		[[ $name == linux-kbuild-* ]] || continue
		while read -r name _; do
			[[ -n $name ]] && KBUILD_DEPS+=("$name")
		done < <(apt_depends "$suite" "$name=$DEBVER")
	done

	local upstream=${DEBVER%%-*}
	SRC_PKG=linux-source-${upstream%.*}
	apt_has_version "$suite" "$SRC_PKG" "$DEBVER" ||
		die "$suite: $SRC_PKG=$DEBVER not found in the mirror"
	local p
	for p in "${KPKGS[@]}" "${HPKGS[@]}"; do
		apt_has_version "$suite" "$p" "$DEBVER" || die "$suite: $p=$DEBVER not found in the mirror"
	done
}

# The name apt-get download gives PKG=VERSION's file.
apt_deb_name() { # SUITE PKG VERSION
	local arch
	arch=$(apt_field "$1" "$2=$3" Architecture)
	[[ -n $arch ]] || die "$1: $2=$3 is not in the index"
	printf '%s_%s_%s.deb\n' "$2" "${3//:/%3a}" "$arch"
}

# Download PKG=DEBVER for each named package into DIR, through the suite's
# pool of immutable downloads (downloads_dir): a file is reused only if its
# SHA256 is the one the signed index gives for that exact version.
apt_download() {
	local suite=$1 dir=$2 ver=$3 pool p f sha specs=() files=()
	shift 3
	pool=$(downloads_dir "$suite")
	mkdir -p "$dir" "$pool"
	for p in "$@"; do
		f=$(apt_deb_name "$suite" "$p" "$ver")
		sha=$(apt_field "$suite" "$p=$ver" SHA256)
		files+=("$f")
		if [[ -f $pool/$f && -n $sha ]] &&
			sha256sum -c --status <<<"$sha  $pool/$f" 2>/dev/null; then
			continue
		fi
		rm -f "$pool/$f"
		specs+=("$p=$ver")
	done
	if ((${#specs[@]})); then
		(cd "$pool" && suite_apt_get "$suite" download "${specs[@]}") >"$dir/download.log" 2>&1 || {
			tail -n 20 "$dir/download.log" >&2
			die "$suite: downloading ${specs[*]} failed"
		}
	fi
	log "$suite: $((${#files[@]} - ${#specs[@]})) of ${#files[@]} packages reused from $pool"
	for f in "${files[@]}"; do
		[[ -f $pool/$f ]] || die "$suite: $f is not in $pool after the download"
		ln -f "$pool/$f" "$dir/$f" 2>/dev/null || cp "$pool/$f" "$dir/$f"
	done
}
