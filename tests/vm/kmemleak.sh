# SPDX-License-Identifier: MIT
#
# kmemleak checks for the scripts the VM runs (sourced after tap.sh; POSIX
# sh for busybox). On a kernel with kmemleak (the debug lane) a scan after
# each test pins a leak to what made it; elsewhere they do nothing.
#
#   leak_reset          clear what boot and earlier tests left behind
#   leak_check NAME     one TAP line: what NAME leaked since the last check
#   leak_check NAME -   the same, and a SKIP line where there is no kmemleak
#
# Count one TAP line per leak_check where have_kmemleak is true (and per
# "leak_check NAME -" everywhere).

KMEMLEAK=/sys/kernel/debug/kmemleak
# Leaks of the kernel itself that the tests provoke, by a function in the
# report's backtrace, each with the reason; counted and shown, not failed.
# - sysfs_slab_add: 6.12's slub does not kobject_put() when adding a cache
#   to sysfs fails, so the kobject's name leaks (modload_test makes every
#   allocation of the module's kmem_cache_create() fail in turn).
KNOWN_LEAKS="sysfs_slab_add"

have_kmemleak() {
	[ -w $KMEMLEAK ]
}

leak_reset() {
	have_kmemleak || return 0
	echo scan >$KMEMLEAK
	echo "# kmemleak: clearing $(grep -c '^unreferenced object' $KMEMLEAK) report(s) from before"
	echo clear >$KMEMLEAK
}

# Split kmemleak's report into ours (printed) and known ones (counted).
leak_split() {	# leak_split FILE -> "OURS KNOWN" on the last line
	awk -v known="$KNOWN_LEAKS" '
		function flush() {
			if (rec == "") return
			k = 0
			n = split(known, kn, " ")
			for (i = 1; i <= n; i++) if (index(rec, kn[i])) k = 1
			if (k) nknown++; else { nours++; if (nours <= 3) printf "%s", rec }
			rec = ""
		}
		/^unreferenced object/ { flush() }
		{ rec = rec $0 "\n" }
		END { flush(); printf "%d %d\n", nours, nknown }' "$1"
}

leak_check() {	# leak_check NAME [-]
	if ! have_kmemleak; then
		[ "${2:-}" = - ] && ok "kmemleak: nothing leaked by $1" "this kernel has no kmemleak"
		return 0
	fi
	# kmemleak reports only objects older than 5 s.
	sleep 6
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/leaks
	echo clear >$KMEMLEAK
	leak_split /tmp/leaks >/tmp/leaks.ours
	lc_what=$1
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(tail -n 1 /tmp/leaks.ours)
	if [ "$1" != 0 ]; then
		not_ok "kmemleak: nothing leaked by $lc_what" "$1 unreferenced object(s), the first:"
		sed '$d; s/^/# /' /tmp/leaks.ours
	elif [ "$2" != 0 ]; then
		ok "kmemleak: nothing leaked by $lc_what ($2 known kernel leak(s): $KNOWN_LEAKS)"
	else
		ok "kmemleak: nothing leaked by $lc_what"
	fi
}
