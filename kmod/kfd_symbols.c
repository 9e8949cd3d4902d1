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
 * kallsyms_lookup_name itself), and a function we call must start with
 * endbr64 when the CPU enforces IBT (see check_start()). Anything else
 * refuses the backend, naming the symbol.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kfd.h"

/* Fault knob for tests: this symbol fails verification as if it were moved. */
static char *kfd_break_symbol;
module_param(kfd_break_symbol, charp, 0444);
MODULE_PARM_DESC(kfd_break_symbol, "Test only: make this amdkfd symbol fail verification");

static unsigned long (*lookup_name)(const char *name);

/* The last table resolved in full, for axs_kfd_symbols_show(); start/stop only */
static const struct axs_kfd_sym *resolved;
static unsigned int nresolved;

#define ENDBR64 0xfa1e0ff3U	/* f3 0f 1e fa, little endian */

/*
 * Is @addr the exact start of @name (in @mod, or the core kernel if NULL)?
 * On failure, say why in @why.
 */
static int check_start(unsigned long addr, const char *name, const char *mod,
		       enum axs_kfd_sym_use use, char *why, size_t len)
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
	if (strncmp(sym, want, n)) {
		snprintf(why, len, "symbol %s: resolves to %s, not its start", name, sym);
		return -EFAULT;
	}
	if (kfd_break_symbol && !strcmp(kfd_break_symbol, name)) {
		snprintf(why, len, "symbol %s: failed verification (kfd_break_symbol)", name);
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
	/*
	 * At boot and at module load, IBT kernels overwrite the endbr64 of
	 * every function whose address is never taken with a 4-byte NOP
	 * ("sealing"); amdkfd's functions are mostly such. Calling one
	 * indirectly is fine unless the CPU enforces IBT, which would raise
	 * #CP on the first call: refuse only then.
	 */
	if (use == AXS_SYM_CALL && IS_ENABLED(CONFIG_X86_KERNEL_IBT) &&
	    cpu_feature_enabled(X86_FEATURE_IBT)) {
		if (copy_from_kernel_nofault(&insn, (void *)addr, sizeof(insn)) ||
		    insn != ENDBR64) {
			snprintf(why, len,
				 "symbol %s: sealed (no endbr64) and this CPU enforces IBT (boot with ibt=off)",
				 name);
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
	err = check_start(addr, name, NULL, AXS_SYM_CALL, why, len);
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
		err = check_start(addr, tab[i].name, mod, tab[i].use, why, len);
		if (err)
			return err;
		*tab[i].slot = (void *)addr;
	}
	resolved = tab;
	nresolved = n;
	return 0;
}

/* "data" for data, else whether the function starts with endbr64. */
static const char *kind(unsigned long addr, enum axs_kfd_sym_use use)
{
	u32 insn;

	if (use == AXS_SYM_DATA)
		return "data";
	if (copy_from_kernel_nofault(&insn, (void *)addr, sizeof(insn)))
		return "unreadable";
	return insn == ENDBR64 ? "endbr64" : "no-endbr64";
}

/* Each symbol, where kallsyms places its address, and its first instruction. */
void axs_kfd_symbols_show(struct seq_file *m)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long addr;
	unsigned int i;

	if (lookup_name) {
		addr = (unsigned long)lookup_name;
		sprint_symbol(sym, addr);
		seq_printf(m, "%s %s %s\n", "kallsyms_lookup_name", sym, kind(addr, AXS_SYM_CALL));
	}
	for (i = 0; i < nresolved; i++) {
		addr = (unsigned long)*resolved[i].slot;
		sprint_symbol(sym, addr);
		seq_printf(m, "%s %s %s\n", resolved[i].name, sym, kind(addr, resolved[i].use));
	}
}
