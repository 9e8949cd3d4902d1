// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resolving amdkfd's symbols without exports, safely on IBT kernels.
 *
 * amdkfd exports nothing we need, and kallsyms_lookup_name() is not exported
 * since 5.7. We find kallsyms_lookup_name with a kprobe, then look every
 * symbol up as "amdgpu:name", so that only amdgpu's own symbol can match.
 *
 * A kprobe on an IBT kernel sits 4 bytes past its function's start, after
 * the endbr64 landing pad, and an indirect call there faults on a CPU that
 * enforces IBT. So every address is checked before use: sprint_symbol() must
 * name it exactly as "name+0x0/size [amdgpu]" (kernel text for
 * kallsyms_lookup_name itself), and a function's first instruction must be
 * endbr64 when the kernel is built with IBT. Anything else refuses the
 * backend, naming the symbol.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": kfd: " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kfd.h"

/* Fault knob for tests: this symbol fails verification as if it were moved. */
static char *kfd_break_symbol;
module_param(kfd_break_symbol, charp, 0444);
MODULE_PARM_DESC(kfd_break_symbol, "Test only: make this amdkfd symbol fail verification");

static unsigned long (*lookup_name)(const char *name);

#define ENDBR64 0xfa1e0ff3U	/* f3 0f 1e fa, little endian */

/*
 * Is @addr the exact start of @name (in @mod, or the core kernel if NULL)?
 * On failure, say why in @why.
 */
static int check_start(unsigned long addr, const char *name, const char *mod,
		       bool func, char *why, size_t len)
{
	char sym[KSYM_SYMBOL_LEN], want[KSYM_NAME_LEN + 8], tail[MODULE_NAME_LEN + 4];
	size_t n;
	u32 insn;

	if (!addr) {
		snprintf(why, len, "symbol %s: not found", name);
		return -ENOENT;
	}
	sprint_symbol(sym, addr);
	n = snprintf(want, sizeof(want), "%s+0x0/", name);
	if (strncmp(sym, want, n) ||
	    (kfd_break_symbol && !strcmp(kfd_break_symbol, name))) {
		snprintf(why, len, "symbol %s: resolves to %s, not its start", name, sym);
		return -EFAULT;
	}
	/* "name+0x0/0x1a0 [amdgpu]" in a module, no bracket in the core kernel */
	if (mod)
		snprintf(tail, sizeof(tail), " [%s]", mod);
	if (mod ? !strstr(sym, tail) : !!strchr(sym, '[')) {
		snprintf(why, len, "symbol %s: %s is not in %s", name, sym,
			 mod ? mod : "the kernel");
		return -ENXIO;
	}
	if (func && IS_ENABLED(CONFIG_X86_KERNEL_IBT)) {
		if (copy_from_kernel_nofault(&insn, (void *)addr, sizeof(insn)) ||
		    insn != ENDBR64) {
			snprintf(why, len, "symbol %s: no endbr64 at its start", name);
			return -EFAULT;
		}
	}
	return 0;
}

/* Find kallsyms_lookup_name through a kprobe, corrected to its real start. */
static int find_lookup_name(char *why, size_t len)
{
	static const char name[] = "kallsyms_lookup_name";
	struct kprobe kp = { .symbol_name = name };
	char sym[KSYM_SYMBOL_LEN], *off_str, *slash;
	unsigned long addr, off;
	int err;

	err = register_kprobe(&kp);
	if (err) {
		snprintf(why, len, "symbol %s: kprobe failed (%d)", name, err);
		return err;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	/* The probe may sit past the start (endbr64): take its offset off. */
	sprint_symbol(sym, addr);
	off_str = sym + strlen(name) + 1;
	slash = strchr(sym, '/');
	if (strncmp(sym, name, strlen(name)) || sym[strlen(name)] != '+' || !slash) {
		snprintf(why, len, "symbol %s: the kprobe landed in %s", name, sym);
		return -EFAULT;
	}
	*slash = '\0';
	if (kstrtoul(off_str, 16, &off) || off > addr) {
		snprintf(why, len, "symbol %s: bad offset %s", name, off_str);
		return -EFAULT;
	}
	addr -= off;
	err = check_start(addr, name, NULL, true, why, len);
	if (err)
		return err;
	lookup_name = (void *)addr;
	return 0;
}

/*
 * Resolve every entry of @tab, each "amdgpu:<name>" (or a core kernel symbol
 * when @mod is NULL), into its slot. Stops at the first failure, leaving the
 * reason in @why; on success every slot is filled and nothing was called.
 */
int axs_kfd_resolve(const struct axs_kfd_sym *tab, unsigned int n, const char *mod,
		    char *why, size_t len)
{
	char qual[MODULE_NAME_LEN + KSYM_NAME_LEN + 2];
	unsigned int i;
	unsigned long addr;
	int err;

	if (!lookup_name) {
		err = find_lookup_name(why, len);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		if (mod)
			snprintf(qual, sizeof(qual), "%s:%s", mod, tab[i].name);
		else
			strscpy(qual, tab[i].name, sizeof(qual));
		addr = lookup_name(qual);
		err = check_start(addr, tab[i].name, mod, tab[i].func, why, len);
		if (err) {
			pr_err("%s\n", why);
			return err;
		}
		*tab[i].slot = (void *)addr;
	}
	return 0;
}

/* The size kallsyms knows the symbol at @addr by ("name+0x0/0x100 [mod]"), or 0. */
static unsigned long symbol_size(unsigned long addr)
{
	char sym[KSYM_SYMBOL_LEN], *slash, *space;
	unsigned long size;

	sprint_symbol(sym, addr);
	slash = strchr(sym, '/');
	if (!slash)
		return 0;
	space = strchr(slash, ' ');
	if (space)
		*space = '\0';
	return kstrtoul(slash + 1, 16, &size) ? 0 : size;
}

/*
 * The process table's bucket count is compiled in (KFD_PROCESS_TABLE_SIZE:
 * 32 buckets up to 6.x, 256 in 7.x): it must match the symbol's size.
 */
int axs_kfd_check_table(char *why, size_t len)
{
	unsigned long want = sizeof(struct hlist_head) << KFD_PROCESS_TABLE_SIZE;
	unsigned long got = symbol_size((unsigned long)axs_kfd.processes_table);

	if (got != want) {
		snprintf(why, len, "symbol kfd_processes_table: %lu bytes, compiled for %lu",
			 got, want);
		return -EBADMSG;
	}
	return 0;
}
