// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs amdxsched/kfd/, for people and for the VM tests:
 *
 *   symbols  every amdkfd symbol the backend resolved, as kallsyms names
 *            its address: "name name+0x0/0x1f0 [amdgpu]"
 *   call     test only, with kfd_test_calls=1: one real amdkfd call on a
 *            process's queues by pid and KFD queue id, outside the registry
 *            (no lease, no event, nothing resumed for you). Write
 *                suspend3|suspend2|resume PID QID...
 *                priority PID QID PRIO
 *                cumask PID QID WORD...      (32 CUs per hex word)
 *            then read "ret=R status=S..." (per queue, suspend and resume).
 *            PID is read in the writer's pid namespace.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kfd.h"

static bool kfd_test_calls;
module_param(kfd_test_calls, bool, 0644);
MODULE_PARM_DESC(kfd_test_calls, "Test only: allow debugfs amdxsched/kfd/call (default 0)");

#define CMD_MAX		512
#define RESULT_MAX	(24 + AXS_KFD_TEST_MAX_QIDS * 12)

static struct dentry *dir;

/* result_lock: result; one call at a time */
static DEFINE_MUTEX(result_lock);
static char result[RESULT_MAX];

static int symbols_show(struct seq_file *m, void *unused)
{
	axs_kfd_symbols_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(symbols);

static const struct {
	const char *name;
	enum axs_kfd_test_op op;
} ops[] = {
	{ "suspend3", AXS_KFD_TEST_SUSPEND_LV3 },
	{ "suspend2", AXS_KFD_TEST_SUSPEND_LV2 },
	{ "resume", AXS_KFD_TEST_RESUME },
	{ "priority", AXS_KFD_TEST_PRIORITY },
	{ "cumask", AXS_KFD_TEST_CU_MASK },
};

/* Parse @n unsigned numbers in @base from @s into @v; -EINVAL unless exactly. */
static int parse_u32s(char **s, u32 *v, u32 room, u32 *n, unsigned int base)
{
	char *tok;

	*n = 0;
	while ((tok = strsep(s, " \t\n"))) {
		if (!*tok)
			continue;
		if (*n == room || kstrtou32(tok, base, &v[*n]))
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

/* The command in @cmd, run; the result left in result[]. */
static int run(char *cmd)
{
	u32 qids[AXS_KFD_TEST_MAX_QIDS], arg[AMDXSCHED_CU_MASK_WORDS], nq, narg = 0, i;
	int status[AXS_KFD_TEST_MAX_QIDS] = { 0 };
	char *name, *tok, *s = cmd;
	struct pid *pid;
	u32 op, pid_nr;
	size_t len;
	int ret;

	name = strsep(&s, " \t");
	for (op = 0; op < ARRAY_SIZE(ops); op++)
		if (name && !strcmp(name, ops[op].name))
			break;
	if (op == ARRAY_SIZE(ops))
		return -EINVAL;
	tok = strsep(&s, " \t");
	if (!tok || kstrtou32(tok, 10, &pid_nr) || !pid_nr)
		return -EINVAL;
	if (ops[op].op == AXS_KFD_TEST_PRIORITY || ops[op].op == AXS_KFD_TEST_CU_MASK) {
		tok = strsep(&s, " \t");
		if (!tok || kstrtou32(tok, 10, &qids[0]))
			return -EINVAL;
		nq = 1;
		ret = parse_u32s(&s, arg, ARRAY_SIZE(arg), &narg,
				 ops[op].op == AXS_KFD_TEST_CU_MASK ? 16 : 10);
	} else {
		ret = parse_u32s(&s, qids, ARRAY_SIZE(qids), &nq, 10);
	}
	if (ret || !nq)
		return -EINVAL;
	if (ops[op].op == AXS_KFD_TEST_PRIORITY &&
	    (narg != 1 || arg[0] > AMDXSCHED_PRIORITY_MAX))
		return -EINVAL;
	if (ops[op].op == AXS_KFD_TEST_CU_MASK && !narg)
		return -EINVAL;

	pid = find_get_pid(pid_nr);
	if (!pid)
		return -ESRCH;
	ret = axs_kfd_test_call(pid, ops[op].op, qids, nq, arg, narg, status);
	put_pid(pid);

	len = scnprintf(result, sizeof(result), "ret=%d", ret);
	if (ops[op].op <= AXS_KFD_TEST_RESUME && !ret) {
		len += scnprintf(result + len, sizeof(result) - len, " status=");
		for (i = 0; i < nq; i++)
			len += scnprintf(result + len, sizeof(result) - len, "%s%d",
					 i ? "," : "", status[i]);
	}
	scnprintf(result + len, sizeof(result) - len, "\n");
	return 0;
}

static ssize_t call_write(struct file *file, const char __user *buf, size_t count,
			  loff_t *ppos)
{
	char *cmd;
	int ret;

	if (!READ_ONCE(kfd_test_calls))
		return -EPERM;
	if (!count || count >= CMD_MAX)
		return -EINVAL;
	cmd = memdup_user_nul(buf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	mutex_lock(&result_lock);
	result[0] = '\0';
	ret = run(strim(cmd));
	mutex_unlock(&result_lock);
	kfree(cmd);
	return ret ? ret : count;
}

static ssize_t call_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	char copy[RESULT_MAX];

	mutex_lock(&result_lock);
	strscpy(copy, result, sizeof(copy));
	mutex_unlock(&result_lock);
	return simple_read_from_buffer(buf, count, ppos, copy, strlen(copy));
}

static const struct file_operations call_fops = {
	.owner = THIS_MODULE,
	.write = call_write,
	.read = call_read,
	.llseek = default_llseek,
};

void axs_kfd_debugfs_init(void)
{
	dir = debugfs_create_dir("kfd", axs.debugfs);
	debugfs_create_file("symbols", 0444, dir, NULL, &symbols_fops);
	debugfs_create_file("call", 0600, dir, NULL, &call_fops);
}

void axs_kfd_debugfs_fini(void)
{
	debugfs_remove_recursive(dir);
	dir = NULL;
}
