// SPDX-License-Identifier: MIT
/*
 * xschedd.conf: values, rules, errors that name their line, and the order
 * in which rules, hints and the default decide a process's class.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "config.h"

#define MS	1000000ULL

static const char good[] =
	"# a comment\n"
	"policy = edf\n"
	"lease = 1.5s\n"
	"hold = 500us   # trailing comment\n"
	"min_share = 7.5%\n"
	"guard_period = 100ms\n"
	"level.normal = 2\n"
	"priority.realtime = 15\n"
	"share.best-effort = 20%\n"
	"cu_partition = class\n"
	"cu.realtime = 25%\n"
	"default_class = best-effort\n"
	"trust_hints = no\n"
	"metrics_listen = 127.0.0.1:9464\n"
	"\n"
	"rule exe=/usr/bin/python3* uid=1000 class=realtime priority=14 deadline=20ms\n"
	"rule cgroup=/system.slice/batch.service class=best-effort share=5%\n"
	"rule tag=\"serve *\" class=normal\n";

TEST(parses_every_key)
{
	struct xsd_config c;
	char err[256] = "";

	ASSERT_EQ(0, xsd_config_parse(good, "t.conf", &c, err, sizeof(err)));
	EXPECT_STREQ("", err);
	EXPECT_EQ(AXSP_EDF, c.pol.kind);
	EXPECT_EQ(1500, c.lease_ms);
	EXPECT_EQ(500000, c.pol.hold_ns);
	EXPECT_EQ(75, c.pol.min_share_permille);
	EXPECT_EQ(100 * MS, c.pol.guard_period_ns);
	EXPECT_EQ(2, c.pol.level[AXSP_CLASS_NORMAL]);
	EXPECT_EQ(3, c.pol.level[AXSP_CLASS_BEST_EFFORT]);	/* default */
	EXPECT_EQ(15, c.pol.priority[AXSP_CLASS_REALTIME]);
	EXPECT_EQ(200, c.pol.share[AXSP_CLASS_BEST_EFFORT]);
	EXPECT_EQ(AXSP_CU_CLASS, c.pol.cu_mode);
	EXPECT_EQ(250, c.pol.cu_permille[AXSP_CLASS_REALTIME]);
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, c.default_class);
	EXPECT_FALSE(c.trust_hints);
	EXPECT_STREQ("127.0.0.1:9464", c.metrics_listen);
	ASSERT_EQ(3, c.nrules);
	EXPECT_EQ(16, c.rules[0].line);
	EXPECT_STREQ("/usr/bin/python3*", c.rules[0].exe);
	EXPECT_TRUE(c.rules[0].has_uid);
	EXPECT_EQ(1000, c.rules[0].uid);
	EXPECT_EQ(20 * MS, c.rules[0].deadline_ns);
	EXPECT_EQ(50, c.rules[1].share);
	EXPECT_STREQ("serve *", c.rules[2].tag);
	xsd_config_free(&c);
}

TEST(printed_config_parses_to_the_same)
{
	struct xsd_config a, b;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(0, xsd_config_parse(good, "t.conf", &a, err, sizeof(err)));
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	xsd_config_print(&a, f);
	fclose(f);
	ASSERT_EQ(0, xsd_config_parse(text, "printed", &b, err, sizeof(err))) {
		TH_LOG("%s\n%s", err, text);
	}
	EXPECT_EQ(0, memcmp(&a.pol, &b.pol, sizeof(a.pol)));
	EXPECT_EQ(a.lease_ms, b.lease_ms);
	EXPECT_EQ(a.nrules, b.nrules);
	EXPECT_STREQ(a.rules[2].tag, b.rules[2].tag);
	EXPECT_EQ(a.rules[0].deadline_ns, b.rules[0].deadline_ns);
	free(text);
	xsd_config_free(&a);
	xsd_config_free(&b);
}

static const struct {
	const char *text, *msg;
} bad[] = {
	{ "policy = fifo\n", "x.conf:1: unknown policy 'fifo'" },
	{ "\n\nfoo = 1\n", "x.conf:3: unknown key 'foo'" },
	{ "lease = 0ms\n", "x.conf:1: lease must be between 1ms and 1h" },
	{ "hold = 5 ms\n", "x.conf:1: bad value '5 ms' for hold" },
	{ "hold = 5min\n", "x.conf:1: bad value '5min' for hold" },
	{ "hold = 5.ms\n", "x.conf:1: bad value '5.ms' for hold" },
	{ "hold = 5\n", "x.conf:1: bad value '5' for hold" },
	{ "lease = 2h\n", "x.conf:1: lease must be between 1ms and 1h" },
	{ "min_share = 101%\n", "x.conf:1: bad value '101%' for min_share" },
	{ "min_share = 5\n", "x.conf:1: bad value '5' for min_share" },
	{ "level.realtime = 1\n", "x.conf:1: bad value '1' for level.realtime" },
	{ "priority.normal = 16\n", "x.conf:1: bad value '16' for priority.normal" },
	{ "priority.urgent = 1\n", "x.conf:1: unknown key 'priority.urgent'" },
	{ "share.normal = 0%\n", "x.conf:1: bad value '0%' for share.normal" },
	{ "metrics_listen = 9464\n", "x.conf:1: metrics_listen must be a numeric HOST:PORT "
	  "(127.0.0.1:9464, [::1]:9464, :9464), not '9464'" },
	/* what start-up cannot bind is refused by --check as well */
	{ "metrics_listen = localhost:9464\n", "x.conf:1: metrics_listen must be a numeric "
	  "HOST:PORT (127.0.0.1:9464, [::1]:9464, :9464), not 'localhost:9464'" },
	{ "metrics_listen = 127.0.0.1:0\n", "x.conf:1: metrics_listen must be a numeric "
	  "HOST:PORT (127.0.0.1:9464, [::1]:9464, :9464), not '127.0.0.1:0'" },
	{ "metrics_listen = [::1:9464\n", "x.conf:1: metrics_listen must be a numeric "
	  "HOST:PORT (127.0.0.1:9464, [::1]:9464, :9464), not '[::1:9464'" },
	{ "metrics_listen = 10.0.0.256:9464\n", "x.conf:1: metrics_listen must be a numeric "
	  "HOST:PORT (127.0.0.1:9464, [::1]:9464, :9464), not '10.0.0.256:9464'" },
	{ "trust_hints = maybe\n", "x.conf:1: bad value 'maybe' for trust_hints" },
	{ "just words\n", "x.conf:1: expected 'key = value' or 'rule ...', not 'just words'" },
	{ "rule class=realtime\n", "x.conf:1: a rule needs at least one match" },
	{ "rule exe=/bin/x\n", "x.conf:1: a rule needs at least one match" },
	{ "rule exe=/x class=urgent\n", "x.conf:1: unknown class 'urgent'" },
	{ "rule exe=/x color=red\n", "x.conf:1: unknown rule key 'color'" },
	{ "rule uid=-1 class=normal\n", "x.conf:1: bad uid '-1'" },
	{ "rule uid=no-such-user-axs class=normal\n",
	  "x.conf:1: bad uid 'no-such-user-axs' (not a number, nor a user this host knows)" },
	{ "rule exe class=normal\n", "x.conf:1: rule terms are KEY=VALUE, not 'exe'" },
	{ "rule exe=/x priority=99\n", "x.conf:1: priority must be 0..15, not '99'" },
	{ "\n\n\nrule queue-priority=16 class=rt\n",
	  "x.conf:4: queue-priority: N or LO-HI within 0..15, not '16'" },
	{ "rule queue-priority=3-16 class=rt\n",
	  "x.conf:1: queue-priority: N or LO-HI within 0..15, not '3-16'" },
	{ "rule queue-priority=-3 class=rt\n",
	  "x.conf:1: queue-priority: N or LO-HI within 0..15, not '-3'" },
	{ "rule queue-priority=1-2-3 class=rt\n",
	  "x.conf:1: queue-priority: N or LO-HI within 0..15, not '1-2-3'" },
	{ "rule queue-priority=high class=rt\n",
	  "x.conf:1: queue-priority: N or LO-HI within 0..15, not 'high'" },
	{ "rule queue-priority=9-3 class=rt\n",
	  "x.conf:1: queue-priority: 9-3 is an empty range (LO-HI, LO <= HI)" },
	{ "rule queue-priority=3\n", "x.conf:1: a rule needs at least one match" },
	{ "cu_partition = class\n", "x.conf: CU partition by class needs at least one" },
	{ "policy = spatial\n", "x.conf: the spatial policy needs a CU partition mode" },
	{ "cu_partition = class\ncu.realtime = 60%\ncu.normal = 50%\n",
	  "x.conf: CU fractions of the classes add up to more than 1000" },
};

TEST(errors_name_the_line)
{
	struct xsd_config c;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		err[0] = '\0';
		EXPECT_EQ(-EINVAL, xsd_config_parse(bad[i].text, "x.conf", &c, err, sizeof(err)));
		EXPECT_EQ(0, strncmp(err, bad[i].msg, strlen(bad[i].msg))) {
			TH_LOG("input %zu: got '%s', want '%s'", i, err, bad[i].msg);
		}
		EXPECT_EQ(0x5a5a5a5a, *(uint32_t *)&c.lease_ms);	/* untouched */
	}
}

/* One duration grammar: what xschedctl --for takes, the config takes too. */
TEST(durations_as_xschedctl_takes_them)
{
	static const struct {
		const char *text;
		uint32_t lease_ms;
	} c[] = {
		{ "lease = 1m\n", 60000 }, { "lease = 1h\n", 3600000 },
		{ "lease = 1.5s\n", 1500 }, { "lease = 250ms\n", 250 },
		{ "lease = 0.5m\n", 30000 },
	};
	struct xsd_config cfg;
	char err[256];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ASSERT_EQ(0, xsd_config_parse(c[i].text, "x.conf", &cfg, err, sizeof(err)))
			TH_LOG("%s: %s", c[i].text, err);
		EXPECT_EQ(c[i].lease_ms, cfg.lease_ms);
		xsd_config_free(&cfg);
	}
}

TEST(uids_by_name)
{
	struct xsd_config cfg;
	char err[256];

	ASSERT_EQ(0, xsd_config_parse("rule uid=root class=realtime\n", "x.conf", &cfg, err,
				      sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(1, cfg.nrules);
	EXPECT_TRUE(cfg.rules[0].has_uid);
	EXPECT_EQ(0, cfg.rules[0].uid);
	xsd_config_free(&cfg);
}

/* /proc/PID/cgroup on cgroup v2, hybrid and v1 hosts. */
TEST(cgroup_paths_on_v2_and_v1)
{
	static const struct {
		const char *text, *want;
	} c[] = {
		{ "0::/system.slice/serve.service\n", "/system.slice/serve.service" },
		{ "12:pids:/user.slice\n1:name=systemd:/system.slice/a.service\n"
		  "0::/system.slice/a.service\n", "/system.slice/a.service" },
		{ "11:memory:/kubepods/burstable/pod1/c1\n"
		  "1:name=systemd:/kubepods/burstable/pod1/c1\n", "/kubepods/burstable/pod1/c1" },
		{ "4:cpu,cpuacct:/batch/job7\n3:memory:/batch\n", "/batch/job7" },
		{ "", "" },
		{ "garbage\n", "" },
		{ "0::\n", "" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		xsd_cgroup_path(c[i].text, buf, sizeof(buf));
		EXPECT_STREQ(c[i].want, buf) TH_LOG("case %zu", i);
	}
	xsd_cgroup_path("0::/a/very/long/path/that/does/not/fit\n", buf, 8);
	EXPECT_STREQ("", buf);
}

/* The shipped example parses and classifies the common case. */
TEST(the_example_configuration)
{
	static const struct {
		const char *exe, *cgroup, *tag;
		int sched_class;
	} c[] = {
		{ "/usr/bin/python3", "/system.slice/llm-inference.service", "", AXSP_CLASS_REALTIME },
		{ "/usr/bin/python3", "/user.slice", "serving-resnet", AXSP_CLASS_REALTIME },
		{ "/opt/ml/bin/train_resnet50", "/user.slice", "", AXSP_CLASS_BEST_EFFORT },
		{ "/usr/bin/python3", "/system.slice/slurmstepd.scope/job_42/step_0", "",
		  AXSP_CLASS_BEST_EFFORT },
		{ "/usr/bin/python3",
		  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice", "",
		  AXSP_CLASS_BEST_EFFORT },
		{ "/usr/bin/python3", "/user.slice", "", AXSP_CLASS_NORMAL },
	};
	struct xsd_proc_facts f = { .pid = 1, .uid = 1000, .comm = "x", .hint_priority = -1 };
	struct axsp_proc_attr a;
	struct xsd_config cfg;
	char err[256];

	ASSERT_EQ(0, xsd_config_load("../../user/xschedd/xschedd.conf", &cfg, err, sizeof(err)))
		TH_LOG("%s", err);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		f.exe = c[i].exe;
		f.cgroup = c[i].cgroup;
		f.tag = c[i].tag;
		xsd_resolve(&cfg, &f, &a);
		EXPECT_EQ(c[i].sched_class, a.sched_class) TH_LOG("case %zu", i);
	}
	xsd_config_free(&cfg);
}

TEST(metrics_addresses)
{
	static const struct {
		const char *s;
		int family;
		uint16_t port;
	} good[] = {
		{ "127.0.0.1:9464", AF_INET, 9464 }, { ":9464", AF_INET, 9464 },
		{ "*:1", AF_INET, 1 }, { "[::1]:65535", AF_INET6, 65535 },
		{ "[::]:9464", AF_INET6, 9464 },
	};
	static const char *const bad[] = {
		"9464", "localhost:9464", ":0", ":65536", "1.2.3.4:", "[::1]9464", "[::1:9464",
		"::1:9464", "1.2.3.4:94x", "",
	};
	struct sockaddr_storage ss;
	socklen_t len;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(0, xsd_metrics_addr(good[i].s, &ss, &len)) TH_LOG("%s", good[i].s);
		EXPECT_EQ(good[i].family, ss.ss_family);
		EXPECT_EQ(good[i].port, ntohs(good[i].family == AF_INET ?
					       ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port));
		EXPECT_EQ(good[i].family == AF_INET ? sizeof(struct sockaddr_in) :
			  sizeof(struct sockaddr_in6), len);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, xsd_metrics_addr(bad[i], &ss, &len)) TH_LOG("'%s'", bad[i]);
	}
}

TEST(load_reports_a_missing_file)
{
	struct xsd_config c;
	char err[256];

	EXPECT_EQ(-ENOENT, xsd_config_load("/nonexistent/xschedd.conf", &c, err, sizeof(err)));
	EXPECT_STREQ("/nonexistent/xschedd.conf: No such file or directory", err);
}

TEST(rules_then_hints_then_default)
{
	struct xsd_proc_facts f = {
		.pid = 1, .uid = 1000, .exe = "/usr/bin/python3.11", .comm = "python3",
		.cgroup = "/user.slice", .tag = "", .hint_class = AXSP_CLASS_BEST_EFFORT,
		.hint_priority = 3, .hint_share = 0,
	};
	struct axsp_proc_attr a;
	struct xsd_config c;
	char err[256];

	ASSERT_EQ(0, xsd_config_parse(good, "t.conf", &c, err, sizeof(err)));
	/* rule 1: exe glob and uid match; the rule wins over the hints */
	EXPECT_EQ(16, xsd_resolve(&c, &f, &a));
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	EXPECT_EQ(14, a.priority);
	EXPECT_EQ(20 * MS, a.deadline_ns);
	/* another uid: no rule; hints not trusted here: the default class */
	f.uid = 1001;
	EXPECT_EQ(0, xsd_resolve(&c, &f, &a));
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, a.sched_class);
	EXPECT_EQ(-1, a.priority);
	/* quoted tag glob with a space */
	f.tag = "serve llama";
	EXPECT_EQ(18, xsd_resolve(&c, &f, &a));
	EXPECT_EQ(AXSP_CLASS_NORMAL, a.sched_class);
	/* trusted hints fill what no rule says */
	f.tag = "";
	c.trust_hints = true;
	f.hint_class = AXSP_CLASS_REALTIME;
	EXPECT_EQ(0, xsd_resolve(&c, &f, &a));
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	EXPECT_EQ(3, a.priority);
	f.cgroup = "/system.slice/batch.service";
	EXPECT_EQ(17, xsd_resolve(&c, &f, &a));
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, a.sched_class);
	EXPECT_EQ(3, a.priority);		/* the rule sets no priority */
	EXPECT_EQ(50, a.share);
	xsd_config_free(&c);
}

static const char queue_rules[] =
	"trust_hints = yes\n"
	"rule comm=serve queue-priority=11-15 class=realtime\n"
	"rule queue-priority=0-6 class=best-effort share=5%\n"
	"rule comm=serve class=normal priority=9 share=40%\n"
	"rule uid=1000 queue-priority=7 priority=13 deadline=20ms\n";

TEST(queue_rules_parse_and_print_back)
{
	struct xsd_config a, b;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(0, xsd_config_parse(queue_rules, "q.conf", &a, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(4, a.nrules);
	EXPECT_TRUE(a.rules[0].has_qprio);
	EXPECT_EQ(11, a.rules[0].qprio_lo);
	EXPECT_EQ(15, a.rules[0].qprio_hi);
	EXPECT_STREQ("serve", a.rules[0].comm);
	EXPECT_EQ(0, a.rules[1].qprio_lo);
	EXPECT_EQ(6, a.rules[1].qprio_hi);
	EXPECT_FALSE(a.rules[2].has_qprio);
	EXPECT_EQ(7, a.rules[3].qprio_lo);
	EXPECT_EQ(7, a.rules[3].qprio_hi);
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	xsd_config_print(&a, f);
	fclose(f);
	EXPECT_NE(NULL, strstr(text, "rule comm=\"serve\" queue-priority=11-15 class=realtime"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "rule queue-priority=0-6 class=best-effort share=5.0%"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, " uid=1000 queue-priority=7 priority=13")) TH_LOG("%s", text);
	ASSERT_EQ(0, xsd_config_parse(text, "printed", &b, err, sizeof(err)))
		TH_LOG("%s\n%s", err, text);
	ASSERT_EQ(a.nrules, b.nrules);
	for (size_t i = 0; i < a.nrules; i++) {
		EXPECT_EQ(a.rules[i].has_qprio, b.rules[i].has_qprio);
		EXPECT_EQ(a.rules[i].qprio_lo, b.rules[i].qprio_lo);
		EXPECT_EQ(a.rules[i].qprio_hi, b.rules[i].qprio_hi);
		EXPECT_EQ(a.rules[i].sched_class, b.rules[i].sched_class);
		EXPECT_EQ(a.rules[i].priority, b.rules[i].priority);
		EXPECT_EQ(a.rules[i].share, b.rules[i].share);
		EXPECT_EQ(a.rules[i].deadline_ns, b.rules[i].deadline_ns);
	}
	free(text);
	xsd_config_free(&a);
	xsd_config_free(&b);
}

/*
 * A queue's class: the first queue rule that matches it and its process,
 * else its own hints if trusted, else its process's; field by field, as a
 * process's rules and hints combine.
 */
TEST(queue_rules_then_queue_hints_then_the_process)
{
	struct xsd_proc_facts f = {
		.pid = 1, .uid = 1000, .exe = "/srv/serve", .comm = "serve", .cgroup = "/",
		.tag = "", .hint_priority = -1,
	};
	struct xsd_queue_facts q = { .app_priority = 11, .hint_priority = -1 };
	struct axsp_proc_attr proc, a;
	struct xsd_config c;
	unsigned int line = 99;
	char *comm;
	char err[256];

	ASSERT_EQ(0, xsd_config_parse(queue_rules, "q.conf", &c, err, sizeof(err)))
		TH_LOG("%s", err);
	/* queue rules do not classify the process: it gets the line 4 rule */
	EXPECT_EQ(4, xsd_resolve(&c, &f, &proc));
	EXPECT_EQ(AXSP_CLASS_NORMAL, proc.sched_class);
	EXPECT_EQ(9, proc.priority);
	EXPECT_EQ(400, proc.share);

	/* created at 11 (HIP high): realtime, with the class's defaults */
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(2, line);
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	EXPECT_EQ(-1, a.priority);
	EXPECT_EQ(0, a.share);
	EXPECT_EQ(0, a.deadline_ns);
	/* the rule wins over the queue's own class hint ... */
	q.hint_class = AXSP_CLASS_BEST_EFFORT;
	q.hint_deadline_ns = 5 * MS;
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	/* ... and, a rule classifying its process (line 4), its hints count for nothing */
	EXPECT_EQ(0, a.deadline_ns);
	/* for a process no rule classifies, the hints fill what the queue rule does not set */
	comm = c.rules[0].comm;
	c.rules[0].comm = NULL;	/* line 2 without its comm= term */
	f.comm = "other";
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	EXPECT_EQ(5 * MS, a.deadline_ns);
	f.comm = "serve";
	c.rules[0].comm = comm;
	/* created at 3 (HIP low), any process: best-effort with the rule's share */
	q = (struct xsd_queue_facts){ .app_priority = 3, .hint_priority = -1 };
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(3, line);
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, a.sched_class);
	EXPECT_EQ(50, a.share);
	/* created at 7 by uid 1000: no class of its own, the rest over its process's */
	q.app_priority = 7;
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(5, line);
	EXPECT_EQ(AXSP_CLASS_NORMAL, a.sched_class);
	EXPECT_EQ(13, a.priority);
	EXPECT_EQ(400, a.share);
	EXPECT_EQ(20 * MS, a.deadline_ns);
	/* another uid, at 7: nothing of its own, the process's apply */
	f.uid = 1001;
	line = 99;
	EXPECT_FALSE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(0, line);
	/* its own class (SET_QUEUE_ATTR) does not undo the rule of its process ... */
	q.hint_class = AXSP_CLASS_REALTIME;
	EXPECT_FALSE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	/* ... but counts for a process no rule classifies */
	f.comm = "other";
	ASSERT_EQ(0, xsd_resolve(&c, &f, &proc));
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(0, line);
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	EXPECT_EQ(-1, a.priority);
	/* a priority hint alone keeps the process's class */
	q.hint_class = 0;
	q.hint_priority = 1;
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(AXSP_CLASS_NORMAL, a.sched_class);
	EXPECT_EQ(1, a.priority);
	EXPECT_EQ(proc.share, a.share);
	/* untrusted hints count for nothing; rules still do */
	f.comm = "serve";
	EXPECT_EQ(4, xsd_resolve(&c, &f, &proc));
	c.trust_hints = false;
	EXPECT_FALSE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	q.app_priority = 12;
	ASSERT_TRUE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	EXPECT_EQ(AXSP_CLASS_REALTIME, a.sched_class);
	EXPECT_EQ(-1, a.priority);
	/* the process terms of a queue rule must match too */
	f.comm = "train";
	EXPECT_FALSE(xsd_resolve_queue(&c, &f, &q, &proc, &a, &line));
	xsd_config_free(&c);
}

TEST(class_names)
{
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, xsd_class_parse("best-effort"));
	EXPECT_EQ(-1, xsd_class_parse("besteffort"));
	/* the aliases xsched-run --class and XSCHED_CLASS take */
	EXPECT_EQ(AXSP_CLASS_REALTIME, xsd_class_parse("rt"));
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, xsd_class_parse("batch"));
	EXPECT_EQ(AXSP_CLASS_REALTIME, xsd_class_parse("Realtime"));
	EXPECT_STREQ("realtime", xsd_class_name(AXSP_CLASS_REALTIME));
	EXPECT_STREQ("-", xsd_class_name(0));
}

TEST_HARNESS_MAIN
