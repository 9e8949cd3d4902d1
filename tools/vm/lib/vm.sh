# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# "run SUITE --payload DIR ...": boot the suite's Debian kernel under QEMU
# with a busybox initramfs that loads amdgpu and amdxsched.ko and runs the
# payload, then decide pass/fail from the guest's verdict and the console.

# Console lines that fail a run whatever the guest reported: oopses, WARNs,
# KASAN, UBSAN, lockdep, DEBUG_OBJECTS, list debugging, and any stack dump.
# kmemleak's "N new suspected memory leaks" is not among them: the debug
# kernel scans only when a test asks (no automatic scan), and that test
# reads the report and judges it (tests/vm/run-tests.sh, leak_check).
AXS_BAD_CONSOLE='BUG:|WARNING:|Oops|KASAN|UBSAN|possible circular|possible recursive|ODEBUG:|Call Trace|general protection|[Kk]ernel panic|refcount_t:|list_add corruption|list_del corruption'
# Between these markers a test makes allocations fail on purpose
# (tests/selftests/failnth.h), and the kernel reports some failures with a
# stack dump (vmalloc, kmem_cache_create): there a bare "Call Trace" is
# expected; everything else in the list above still fails the run.
AXS_FAULTS_ON='axs-test: fault injection on'
AXS_FAULTS_OFF='axs-test: fault injection off'

# The console without the stack dumps that injected faults cause.
console_for_judging() { # CONSOLE
	tr -d '\r' <"$1" | awk -v on="$AXS_FAULTS_ON" -v off="$AXS_FAULTS_OFF" '
		index($0, on) { w = 1 }
		index($0, off) { w = 0 }
		w && /Call Trace/ { next }
		{ print }'
}
# isa-debug-exit statuses written by guest-init.sh.
AXS_EXIT_PASS=99
AXS_EXIT_FAIL=97

run_usage() {
	cat <<'EOF'
usage: axs-vm run SUITE --payload DIR [--modparams "a=1 b=2"] [--timeout SEC]
                  [--tap OUT.tap] [--console OUT.log] [--aux OUT.log]
                  [--append "ARGS"] [--quiet] [--follow] [--rocm] [--ko MODULE.ko]
EOF
}

# The module's vermagic must name the kernel being booted.
check_module_matches_kernel() { # KO
	local vm
	vm=$(modinfo -F vermagic "$1" 2>/dev/null | awk '{ print $1 }')
	[[ $vm == "$AXS_KREL" ]] ||
		die "$1 was built for '${vm:-?}', not $AXS_KREL (run: tools/vm/axs-vm build $AXS_SUITE)"
}

# Busybox with one link per applet, at the paths busybox itself lists.
add_busybox() { # STAGE
	local stage=$1 bb applet
	bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
	if ldd "$bb" >/dev/null 2>&1; then
		die "$bb is dynamically linked (apt-get install busybox-static)"
	fi
	mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin"
	cp "$bb" "$stage/bin/busybox"
	while read -r applet; do
		[[ -n $applet && ! -e $stage/$applet ]] || continue
		ln -s /bin/busybox "$stage/$applet"
	done < <("$stage/bin/busybox" --list-full)
	[[ -e $stage/bin/sh ]] || ln -s busybox "$stage/bin/sh"
}

# Write the initramfs (uncompressed newc cpio: quicker than gzip under TCG).
build_initramfs() { # KO PAYLOAD MODPARAMS OUT [OVERLAY]
	local ko=$1 payload=$2 params=$3 out=$4 overlay=${5:-} stage
	stage=$(mktemp -d "${out%/*}/initramfs.XXXXXX")
	# mktemp makes it 0700: the guest's / must let unprivileged tests through.
	chmod 0755 "$stage"
	mkdir -p "$stage"/{axs,dev,proc,sys,tmp,root,payload}
	chmod 1777 "$stage/tmp"
	add_busybox "$stage"
	mknod -m 600 "$stage/dev/console" c 5 1
	install -m 0755 "$AXS_VM_DIR/lib/guest-init.sh" "$stage/init"
	cp -r "$AXS_AMDGPU/modules" "$stage/axs/amdgpu"
	cp "$AXS_AMDGPU/load-order" "$stage/axs/amdgpu/load-order"
	cp "$ko" "$stage/axs/amdxsched.ko"
	# Other modules built with it (the KUnit suites), for the payload to load.
	local extra
	for extra in "${ko%/*}"/*.ko; do
		[[ $extra == "$ko" ]] || cp "$extra" "$stage/axs/"
	done
	printf '%s\n' "$params" >"$stage/axs/modparams"
	cp -a "$payload/." "$stage/payload/"
	if [[ -n $overlay ]]; then
		cp -a "$overlay/." "$stage/"
		rm -f "$stage/.complete"
	fi
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$stage"
}

# Boot; sets QEMU_RC (124 means timed out). The console is streamed to
# stderr unless QUIET, and logged to CONSOLE either way.
boot_qemu() { # INITRAMFS CONSOLE TAP AUX TIMEOUT APPEND QUIET
	local initrd=$1 console=$2 tap=$3 aux=$4 timeout=$5 append=$6 quiet=$7 qpid chardev
	# TCG unless AXS_ACCEL=kvm: the workplace machines have a /dev/kvm on
	# which guests die with "KVM internal error ... emulation failure" and
	# QEMU then sits paused until the timeout.
	local accel=(-accel tcg)
	case ${AXS_ACCEL:-tcg} in
	tcg) ;;
	kvm) accel=(-accel kvm -accel tcg) ;;
	*) die "AXS_ACCEL must be tcg or kvm, not '$AXS_ACCEL'" ;;
	esac
	if [[ $quiet == 1 ]]; then
		chardev=(-chardev "file,id=axscon,path=$console")
	else
		chardev=(-chardev "stdio,id=axscon,signal=off,logfile=$console")
	fi
	local qemu_cmd=(qemu-system-x86_64 "${accel[@]}" -m 2G -smp 2 -nographic -no-reboot
		-monitor none "${chardev[@]}" -serial chardev:axscon -serial "file:$tap"
		-serial "file:$aux"
		-device "isa-debug-exit,iobase=0xf4,iosize=0x04"
		-kernel "$AXS_VMLINUZ" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1${append:+ $append}")
	# shellcheck disable=SC2206 # AXS_QEMU_EXTRA is split on purpose
	[[ -n ${AXS_QEMU_EXTRA:-} ]] && qemu_cmd+=($AXS_QEMU_EXTRA)
	rm -f "$console" "$tap" "$aux"
	log "$AXS_SUITE: booting $AXS_KREL (timeout ${timeout}s): ${qemu_cmd[*]}"
	QEMU_RC=0
	timeout -k 10 "$timeout" "${qemu_cmd[@]}" </dev/null >&2 &
	qpid=$!
	trap 'kill -TERM "$qpid" 2>/dev/null; exit 130' INT TERM HUP
	wait "$qpid" || QEMU_RC=$?
	trap - INT TERM HUP
}

# Decide the run's verdict; print the reasons for a failure. Returns 0 only
# if the guest wrote the pass status, run.sh exited 0, the TAP has no
# failing test and the console has no kernel error.
judge_run() { # CONSOLE TAP
	local console=$1 tap=$2 reasons=() bad rc_line notok
	case $QEMU_RC in
	"$AXS_EXIT_PASS") ;;
	"$AXS_EXIT_FAIL") reasons+=("the guest reported failure") ;;
	124) reasons+=("timed out, QEMU killed") ;;
	0) reasons+=("no verdict from the guest (QEMU exited 0: panic or poweroff)") ;;
	*) reasons+=("QEMU exited with status $QEMU_RC") ;;
	esac
	[[ -f $console ]] || reasons+=("no console log")
	bad=$(console_for_judging "$console" 2>/dev/null | grep -a -E "$AXS_BAD_CONSOLE" || true)
	if [[ -n $bad ]]; then
		reasons+=("kernel errors on the console")
		printf 'axs-vm: offending console lines:\n%s\n' "$bad" >&2
	fi
	grep -a '^AXS-FAIL: ' "$console" 2>/dev/null | tr -d '\r' >&2 || true
	rc_line=$(grep -a -o 'AXS-RUNSH-EXIT=[0-9]*' "$console" 2>/dev/null | tail -n1 || true)
	if [[ -z $rc_line ]]; then
		reasons+=("run.sh was not run or did not finish")
	elif [[ $rc_line != AXS-RUNSH-EXIT=0 ]]; then
		reasons+=("run.sh exited with status ${rc_line#*=}")
	fi
	notok=$(tr -d '\r' <"$tap" 2>/dev/null | grep -E '^not ok' | grep -v -i -E '# *(todo|skip)' || true)
	[[ -z $notok ]] || reasons+=("failing TAP tests: $(wc -l <<<"$notok")")
	if ((${#reasons[@]} == 0)); then
		log "$AXS_SUITE: PASS"
		return 0
	fi
	local r
	for r in "${reasons[@]}"; do
		log "$AXS_SUITE: FAIL: $r"
	done
	return 1
}

cmd_run() {
	local suite=${1:-} payload='' params='' timeout=1200 tap='' console='' aux='' append='' quiet=0
	local ko_opt='' follow=0 tailpid=''
	local rocm=0 overlay='' out ko initrd t0 status=0
	[[ -n $suite && $suite != -* ]] || {
		run_usage >&2
		exit 2
	}
	shift
	while (($#)); do
		case $1 in
		--payload) payload=${2:?--payload needs a directory} && shift ;;
		--modparams) params=${2?--modparams needs a value} && shift ;;
		--ko) ko_opt=${2:?--ko needs a file} && shift ;;
		--timeout) timeout=${2:?--timeout needs seconds} && shift ;;
		--tap) tap=${2:?--tap needs a file} && shift ;;
		--console) console=${2:?--console needs a file} && shift ;;
		--aux) aux=${2:?--aux needs a file} && shift ;;
		--append) append=${2?--append needs a value} && shift ;;
		--quiet) quiet=1 ;;
		--follow) follow=1 ;;
		--rocm) rocm=1 ;;
		-h | --help) run_usage && return 0 ;;
		*) run_usage >&2 && die "run: unknown argument '$1'" ;;
		esac
		shift
	done
	validate_suite "$suite"
	[[ -n $payload ]] || die "run: --payload DIR is required"
	[[ -x $payload/run.sh && -f $payload/run.sh ]] || die "run: $payload/run.sh is missing or not executable"
	[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || die "run: --timeout must be a positive number of seconds"
	require_root run
	require_cmds qemu-system-x86_64 cpio modinfo timeout
	# Debian's ROCm userspace over the initramfs (suites with a chroot).
	if ((rocm)) && suite_uses_chroot "$suite"; then
		overlay=$("$AXS_VM_DIR/axs-vm" rocm "$(base_suite "$suite")") ||
			die "run: $suite: no ROCm root"
	fi
	take_lock "$suite" -s
	load_current "$suite"
	out=$(project_build_dir "$suite")
	ko=${ko_opt:-$out/amdxsched.ko}
	[[ -f $ko ]] || die "$ko not found (run: tools/vm/axs-vm build $suite)"
	check_module_matches_kernel "$ko"
	tap=${tap:-$out/results.tap}
	console=${console:-$out/console.log}
	aux=${aux:-$out/aux.log}
	mkdir -p "${tap%/*}" "${console%/*}" "${aux%/*}"
	initrd=$out/initramfs.cpio
	build_initramfs "$ko" "$payload" "$params" "$initrd" "$overlay"
	# QEMU reads kernel and initramfs at start; prepare never removes a
	# prepared entry, so the boot itself need not hold the lock.
	release_lock "$suite"
	t0=$(now)
	if ((follow)); then
		# the payload's output as it comes (a demo's progress), not at the end
		(tail -n +1 -F "$tap" 2>/dev/null | sed -u 's/\r$//') &
		tailpid=$!
	fi
	boot_qemu "$initrd" "$console" "$tap" "$aux" "$timeout" "$append" "$quiet"
	if [[ -n $tailpid ]]; then
		# stop tail only (SIGPIPE: bash reports no death by it); sed reads
		# its end and the follower ends cleanly
		sleep 1
		pkill -PIPE -x -P "$tailpid" tail 2>/dev/null || true
		wait "$tailpid" 2>/dev/null || true
	fi
	log "$suite: QEMU exited with status $QEMU_RC after $(($(now) - t0)) s (console: $console, TAP: $tap)"
	# A kernel that dies before the guest's /init even starts (its first
	# "AXS: " line) says nothing about the module, which is not loaded yet
	# (seen once: an int3 in text patching during 7.2's early boot under
	# TCG): boot once more, and say so. Any crash after that is judged.
	if [[ ! -s $tap ]] && ! grep -q '^AXS: ' "$console" &&
	   grep -qE 'Kernel panic|Oops' "$console"; then
		cp "$console" "$console.first-boot"
		follow=0	# this boot's output is printed whole at the end
		log "$suite: the kernel died before the guest's init ran (console: $console.first-boot); booting once more"
		t0=$(now)
		boot_qemu "$initrd" "$console" "$tap" "$aux" "$timeout" "$append" "$quiet"
		log "$suite: QEMU exited with status $QEMU_RC after $(($(now) - t0)) s (console: $console, TAP: $tap)"
	fi
	# The TAP first, then the verdict and its reasons: a log that keeps
	# only its tail (CI's) still says why a run failed.
	if ((follow)) && [[ -s $tap ]]; then
		:	# already shown as it came
	elif [[ -s $tap ]]; then
		tr -d '\r' <"$tap"
	else
		log "$suite: no TAP output"
	fi
	judge_run "$console" "$tap" || status=1
	return "$status"
}
