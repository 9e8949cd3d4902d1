// SPDX-License-Identifier: MIT
/*
 * libhsa-xsched's environment: what each XSCHED_* value means, and that
 * every unusable value is reported exactly once and then ignored without
 * disturbing the others.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "xsched_env.h"

#define MS	1000000ULL

/* The environment of one test: NAME=VALUE strings, NULL-terminated. */
static const char *const *cur_env;

static const char *fake_getenv(const char *name)
{
	size_t len = strlen(name);

	for (const char *const *e = cur_env; *e; e++)
		if (!strncmp(*e, name, len) && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

struct reports {
	int n;
	char last[256];
};

static void collect(void *ctx, const char *msg)
{
	struct reports *r = ctx;

	r->n++;
	snprintf(r->last, sizeof(r->last), "%s", msg);
}

static unsigned int parse(const char *const *env, struct xs_env *e, struct reports *r)
{
	cur_env = env;
	memset(r, 0, sizeof(*r));
	return xs_env_parse(fake_getenv, e, collect, r);
}

TEST(empty_environment_sets_nothing)
{
	static const char *const env[] = { NULL };
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(0, parse(env, &e, &r));
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(0, e.attr_flags);
	EXPECT_FALSE(e.debug);
	EXPECT_FALSE(e.disable);
	EXPECT_TRUE(e.queue_classes);	/* on unless switched off */
	EXPECT_EQ(NULL, e.hsakmt_library);
}

TEST(queue_classes_can_be_switched_off)
{
	static const char *const off[] = { "XSCHED_QUEUE_CLASSES=0", NULL };
	static const char *const on[] = { "XSCHED_QUEUE_CLASSES=yes", NULL };
	static const char *const empty[] = { "XSCHED_QUEUE_CLASSES=", NULL };
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(0, parse(off, &e, &r));
	EXPECT_FALSE(e.queue_classes);
	ASSERT_EQ(0, parse(on, &e, &r));
	EXPECT_TRUE(e.queue_classes);
	ASSERT_EQ(0, parse(empty, &e, &r));
	EXPECT_TRUE(e.queue_classes);
	EXPECT_EQ(0, r.n);
}

/*
 * A queue's own class from its HSA_QUEUE_PRIORITY (MINIMUM -3 .. MAXIMUM
 * 3): ROCr passes HIP's high and low stream priorities to hsakmt as
 * MAXIMUM and MINIMUM (hsa_amd_queue_set_priority), normal as NORMAL.
 */
TEST(hsa_queue_priorities_give_queue_classes)
{
	static const struct {
		int32_t prio;
		uint32_t cls;
	} c[] = {
		{ -3, AMDXSCHED_CLASS_BEST_EFFORT }, { -2, AMDXSCHED_CLASS_BEST_EFFORT },
		{ -1, AMDXSCHED_CLASS_BEST_EFFORT }, { 0, AMDXSCHED_CLASS_UNSET },
		{ 1, AMDXSCHED_CLASS_REALTIME }, { 2, AMDXSCHED_CLASS_REALTIME },
		{ 3, AMDXSCHED_CLASS_REALTIME },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		EXPECT_EQ(c[i].cls, xs_queue_class(c[i].prio)) TH_LOG("HSA priority %d", c[i].prio);
	}
}

TEST(every_hint)
{
	static const char *const env[] = {
		"XSCHED_CLASS=realtime", "XSCHED_PRIORITY=9", "XSCHED_SHARE=12.5%",
		"XSCHED_DEADLINE=1.5ms", "XSCHED_TAG=serve:llama-7b/a", "XSCHED_DEBUG=1",
		"XSCHED_HSAKMT_LIBRARY=/opt/rocm/lib/libhsakmt.so.1", NULL,
	};
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(0, parse(env, &e, &r));
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(AMDXSCHED_ATTR_CLASS | AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_SHARE |
		  AMDXSCHED_ATTR_DEADLINE | AMDXSCHED_ATTR_TAG, e.attr_flags);
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, e.sched_class);
	EXPECT_EQ(9, e.priority);
	EXPECT_EQ(125, e.share);
	EXPECT_EQ(1500000ULL, e.deadline_ns);
	EXPECT_STREQ("serve:llama-7b/a", e.tag);
	EXPECT_TRUE(e.debug);
	EXPECT_STREQ("/opt/rocm/lib/libhsakmt.so.1", e.hsakmt_library);
}

TEST(priority_words_are_classes)
{
	static const char *const hi[] = { "XSCHED_PRIORITY=high", NULL };
	static const char *const lo[] = { "XSCHED_PRIORITY=LOW", NULL };
	static const char *const no[] = { "XSCHED_PRIORITY=normal", NULL };
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(0, parse(hi, &e, &r));
	EXPECT_EQ(AMDXSCHED_ATTR_CLASS, e.attr_flags);	/* no hardware priority */
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, e.sched_class);
	ASSERT_EQ(0, parse(lo, &e, &r));
	EXPECT_EQ(AMDXSCHED_CLASS_BEST_EFFORT, e.sched_class);
	ASSERT_EQ(0, parse(no, &e, &r));
	EXPECT_EQ(AMDXSCHED_CLASS_NORMAL, e.sched_class);
}

TEST(class_aliases_and_case)
{
	static const char *const a[] = { "XSCHED_CLASS=RT", NULL };
	static const char *const b[] = { "XSCHED_CLASS=batch", NULL };
	static const char *const c[] = { "XSCHED_CLASS=Best-Effort", NULL };
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(0, parse(a, &e, &r));
	EXPECT_EQ(AMDXSCHED_CLASS_REALTIME, e.sched_class);
	ASSERT_EQ(0, parse(b, &e, &r));
	EXPECT_EQ(AMDXSCHED_CLASS_BEST_EFFORT, e.sched_class);
	ASSERT_EQ(0, parse(c, &e, &r));
	EXPECT_EQ(AMDXSCHED_CLASS_BEST_EFFORT, e.sched_class);
}

/* XSCHED_CLASS=best-effort with XSCHED_PRIORITY=high: the class wins, said once. */
TEST(class_beats_a_conflicting_priority_word)
{
	static const char *const env[] = {
		"XSCHED_CLASS=best-effort", "XSCHED_PRIORITY=high", NULL,
	};
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(1, parse(env, &e, &r));
	EXPECT_EQ(1, r.n);
	EXPECT_EQ(AMDXSCHED_CLASS_BEST_EFFORT, e.sched_class);
	EXPECT_NE(NULL, strstr(r.last, "XSCHED_PRIORITY='high'"));
	EXPECT_NE(NULL, strstr(r.last, "best-effort"));
}

/* Empty means unset, not bad. */
TEST(empty_values_are_unset)
{
	static const char *const env[] = {
		"XSCHED_CLASS=", "XSCHED_PRIORITY=", "XSCHED_SHARE=", "XSCHED_DEADLINE=",
		"XSCHED_TAG=", "XSCHED_DEBUG=", "XSCHED_HSAKMT_LIBRARY=", NULL,
	};
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(0, parse(env, &e, &r));
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(0, e.attr_flags);
}

/* Each bad value alone: one report naming the variable, that hint unset. */
TEST(each_bad_value_is_reported_once_and_ignored)
{
	static const struct {
		const char *var;
		uint32_t flag;
	} bad[] = {
		{ "XSCHED_CLASS=fast", AMDXSCHED_ATTR_CLASS },
		{ "XSCHED_CLASS=realtime2", AMDXSCHED_ATTR_CLASS },
		{ "XSCHED_PRIORITY=16", AMDXSCHED_ATTR_PRIORITY },
		{ "XSCHED_PRIORITY=-1", AMDXSCHED_ATTR_PRIORITY },
		{ "XSCHED_PRIORITY=7x", AMDXSCHED_ATTR_PRIORITY },
		{ "XSCHED_PRIORITY=highest", AMDXSCHED_ATTR_CLASS },
		{ "XSCHED_SHARE=25", AMDXSCHED_ATTR_SHARE },
		{ "XSCHED_SHARE=0%", AMDXSCHED_ATTR_SHARE },
		{ "XSCHED_SHARE=100.1%", AMDXSCHED_ATTR_SHARE },
		{ "XSCHED_SHARE=-5%", AMDXSCHED_ATTR_SHARE },
		{ "XSCHED_DEADLINE=20", AMDXSCHED_ATTR_DEADLINE },
		{ "XSCHED_DEADLINE=0ms", AMDXSCHED_ATTR_DEADLINE },
		{ "XSCHED_DEADLINE=3601s", AMDXSCHED_ATTR_DEADLINE },
		{ "XSCHED_DEADLINE=20 ms", AMDXSCHED_ATTR_DEADLINE },
		{ "XSCHED_DEADLINE=99999999999999999999s", AMDXSCHED_ATTR_DEADLINE },
		{ "XSCHED_TAG=has space", AMDXSCHED_ATTR_TAG },
		{ "XSCHED_TAG=0123456789012345678901234567890123", AMDXSCHED_ATTR_TAG },
		{ "XSCHED_TAG=caf\xc3\xa9", AMDXSCHED_ATTR_TAG },
		{ "XSCHED_DEBUG=maybe", 0 },
		{ "XSCHED_DISABLE=2", 0 },
		{ "XSCHED_QUEUE_CLASSES=off", 0 },
		{ "XSCHED_HSAKMT_LIBRARY=libhsakmt.so.1", 0 },
	};
	struct reports r;
	struct xs_env e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *env[] = { bad[i].var, NULL };
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(bad[i].var, "="), bad[i].var);
		EXPECT_EQ(1, parse(env, &e, &r)) TH_LOG("%s", bad[i].var);
		EXPECT_EQ(1, r.n) TH_LOG("%s", bad[i].var);
		EXPECT_EQ(0, e.attr_flags & bad[i].flag) TH_LOG("%s", bad[i].var);
		EXPECT_EQ(0, strncmp(r.last, name, strlen(name))) TH_LOG("%s: %s", name, r.last);
		EXPECT_NE(NULL, strstr(r.last, "ignored")) TH_LOG("%s", r.last);
	}
}

/* A bad value does not take the good ones down with it. */
TEST(good_values_survive_bad_neighbours)
{
	static const char *const env[] = {
		"XSCHED_CLASS=nonsense", "XSCHED_PRIORITY=3", "XSCHED_SHARE=lots",
		"XSCHED_DEADLINE=50ms", NULL,
	};
	struct reports r;
	struct xs_env e;

	ASSERT_EQ(2, parse(env, &e, &r));
	EXPECT_EQ(2, r.n);
	EXPECT_EQ(AMDXSCHED_ATTR_PRIORITY | AMDXSCHED_ATTR_DEADLINE, e.attr_flags);
	EXPECT_EQ(3, e.priority);
	EXPECT_EQ(50 * MS, e.deadline_ns);
}

/* A huge value is cut short in the message, which stays one line. */
TEST(long_values_are_cut_in_the_message)
{
	static char big[4096];
	const char *env[] = { big, NULL };
	struct reports r;
	struct xs_env e;

	memcpy(big, "XSCHED_CLASS=", 13);
	memset(big + 13, 'x', sizeof(big) - 14);
	ASSERT_EQ(1, parse(env, &e, &r));
	EXPECT_LT(strlen(r.last), 200);
	EXPECT_NE(NULL, strstr(r.last, "..."));
	EXPECT_EQ(NULL, strchr(r.last, '\n'));
}

TEST(tags_follow_the_module_rule)
{
	EXPECT_TRUE(xs_tag_valid("a"));
	EXPECT_TRUE(xs_tag_valid("0123456789012345678901234567890"));	/* 31 */
	EXPECT_FALSE(xs_tag_valid("01234567890123456789012345678901"));	/* 32 */
	EXPECT_FALSE(xs_tag_valid(""));
	EXPECT_FALSE(xs_tag_valid("a\tb"));
	EXPECT_STREQ("best-effort", xs_class_name(AMDXSCHED_CLASS_BEST_EFFORT));
	EXPECT_STREQ("unset", xs_class_name(7));
}

TEST_HARNESS_MAIN
