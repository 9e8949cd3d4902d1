// SPDX-License-Identifier: MIT
/*
 * Unit tests of the Chrome/Perfetto trace writer (user/lib/axs_trace.c):
 * the file parses as JSON (python3 -m json.tool), slices nest per track,
 * an end without a begin is dropped, strings are escaped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axs_trace.h"

#include "kselftest_harness.h"

/* Slices must pair up per (pid, tid) and close by the end of the file. */
static const char checker[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1]))\n"
	"assert d['displayTimeUnit'] == 'ms'\n"
	"depth = {}\n"
	"for e in d['traceEvents']:\n"
	"    k = (e['pid'], e['tid'])\n"
	"    if e['ph'] == 'B': depth[k] = depth.get(k, 0) + 1\n"
	"    if e['ph'] == 'E':\n"
	"        assert depth.get(k, 0) > 0, 'E without B on %s' % (k,)\n"
	"        depth[k] -= 1\n"
	"    if e['ph'] != 'M': assert isinstance(e['ts'], float) or isinstance(e['ts'], int)\n"
	"assert all(v == 0 for v in depth.values()), depth\n";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static int have_python(void)
{
	return system("python3 -c '' >/dev/null 2>&1") == 0;
}

/* 0 if python3 accepts the file as JSON and as a well-formed trace. */
static int check_json(const char *path)
{
	char script[] = "/tmp/axs-trace-check.XXXXXX";
	char cmd[256];
	FILE *f;
	int fd, r;

	fd = mkstemp(script);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f)
		return -1;
	fputs(checker, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -m json.tool %s >/dev/null && python3 %s %s",
		 path, script, path);
	r = system(cmd);
	unlink(script);
	return r;
}

static struct amdxsched_event ev(uint16_t type, uint64_t ts, uint64_t handle, uint32_t pid,
				 uint64_t d0, uint64_t d1)
{
	struct amdxsched_event e = {
		.size = sizeof(e), .type = type, .timestamp_ns = ts, .handle = handle,
		.pid = pid, .gpu_id = handle ? 0 : AMDXSCHED_GPU_ANY, .data = { d0, d1 },
	};

	return e;
}

FIXTURE(trace) {
	char path[64];
	struct axs_trace *t;
};

FIXTURE_SETUP(trace)
{
	int fd;

	snprintf(self->path, sizeof(self->path), "/tmp/axs-trace-test.XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	close(fd);
	self->t = axs_trace_open(self->path);
	ASSERT_NE(NULL, self->t);
}

FIXTURE_TEARDOWN(trace)
{
	unlink(self->path);
}

TEST_F(trace, slices_instants_and_metadata)
{
	static const struct { uint16_t type; uint64_t ts, h, d0, d1; } seq[] = {
		{ AMDXSCHED_EVENT_QUEUE_CREATED, 1000, 5, 0, 2 },
		{ AMDXSCHED_EVENT_QUEUE_BUSY, 1500, 5, 0, 0 },
		{ AMDXSCHED_EVENT_QUEUE_SUSPENDED, 2000, 5, 3, 9 },
		{ AMDXSCHED_EVENT_QUEUE_IDLE, 2500, 5, 0, 0 },	/* busy ends inside */
		{ AMDXSCHED_EVENT_QUEUE_RESUMED, 3000, 5, AMDXSCHED_RESUMED_LEASE, 9 },
		{ AMDXSCHED_EVENT_QUEUE_RESUMED, 3100, 5, AMDXSCHED_RESUMED_IOCTL, 9 },
		{ AMDXSCHED_EVENT_QUEUE_IDLE, 3200, 5, 0, 0 },
		{ AMDXSCHED_EVENT_QUEUE_PRIORITY, 3300, 5, 12, 0 },
		{ AMDXSCHED_EVENT_QUEUE_CU_MASK, 3400, 5, 40, 0 },
		{ AMDXSCHED_EVENT_LEASE_EXPIRED, 3500, 5, 9, 0 },
		{ AMDXSCHED_EVENT_QUEUE_DRAINED, 3600, 5, 0, 0 },
		{ AMDXSCHED_EVENT_PROC_CREATED, 3700, 0, 0, 0 },
		{ AMDXSCHED_EVENT_QUEUE_DESTROYED, 4000, 5, 0, 0 },
	};
	struct amdxsched_event e;
	char *s;
	size_t i;

	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		e = ev(seq[i].type, seq[i].ts, seq[i].h, 100, seq[i].d0, seq[i].d1);
		ASSERT_EQ(0, axs_trace_event(self->t, &e));
	}
	ASSERT_EQ(0, axs_trace_instant(self->t, 4500, 0, "suspend", "{\"suspend\":3}"));
	ASSERT_EQ(0, axs_trace_close(self->t));
	s = slurp(self->path);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, strncmp(s, "{\"traceEvents\":[", 16));
	EXPECT_NE(NULL, strstr(s, "],\"displayTimeUnit\":\"ms\"}\n"));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"GPU 0\"}"));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"queue 5 pid 100\"}"));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"queue 5 busy\"}"));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"decisions\"}"));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"processes\"}"));
	EXPECT_NE(NULL, strstr(s, "\"name\":\"suspended Lv3\",\"ph\":\"B\""));
	EXPECT_NE(NULL, strstr(s, "\"reason\":\"lease\""));
	EXPECT_EQ(NULL, strstr(s, "\"reason\":\"ioctl\""));	/* second end: dropped */
	EXPECT_EQ(2, count(s, "\"ph\":\"B\""));
	EXPECT_EQ(2, count(s, "\"ph\":\"E\""));
	EXPECT_EQ(1, count(s, "\"name\":\"queue 5 pid 100\""));	/* named once */
	EXPECT_NE(NULL, strstr(s, "\"ts\":2.000"));		/* 2000 ns = 2.000 us */
	EXPECT_NE(NULL, strstr(s, "{\"priority\":12}"));
	EXPECT_NE(NULL, strstr(s, "{\"cus\":40}"));
	EXPECT_NE(NULL, strstr(s, "\"name\":\"suspend\",\"ph\":\"i\",\"pid\":0,\"tid\":0"));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"suspend\":3}"));
	free(s);
	if (!have_python())
		SKIP(return, "python3 not available");
	EXPECT_EQ(0, check_json(self->path));
}

TEST_F(trace, gpus_carry_the_names_admins_use)
{
	struct amdxsched_event e = ev(AMDXSCHED_EVENT_QUEUE_CREATED, 1000, 5, 100, 0, 2);
	char *s;

	ASSERT_EQ(0, axs_trace_gpu_label(self->t, 0, "amd-smi 7, 0000:df:00.0"));
	ASSERT_EQ(0, axs_trace_gpu_label(self->t, 0, "amd-smi 3, 0000:c1:00.0, \"MI308X\""));
	ASSERT_EQ(0, axs_trace_gpu_label(self->t, 4, "amd-smi 0, 0000:05:00.0"));
	ASSERT_EQ(0, axs_trace_event(self->t, &e));
	ASSERT_EQ(0, axs_trace_instant(self->t, 2000, 9, "unlabelled", NULL));
	ASSERT_EQ(0, axs_trace_close(self->t));
	s = slurp(self->path);
	ASSERT_NE(NULL, s);
	/* the last label wins, escaped; a GPU without a label keeps its plain name */
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"GPU 0 (amd-smi 3, 0000:c1:00.0, "
			       "\\\"MI308X\\\")\"}"));
	EXPECT_EQ(NULL, strstr(s, "amd-smi 7"));
	EXPECT_EQ(NULL, strstr(s, "amd-smi 0"));	/* GPU 4 had no event */
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"GPU 9\"}"));
	free(s);
	if (!have_python())
		SKIP(return, "python3 not available");
	EXPECT_EQ(0, check_json(self->path));
}

TEST_F(trace, end_without_begin_is_skipped)
{
	struct amdxsched_event e;
	char *s;

	/* the trace starts while queue 7 is suspended and busy */
	e = ev(AMDXSCHED_EVENT_QUEUE_IDLE, 10, 7, 1, 0, 0);
	ASSERT_EQ(0, axs_trace_event(self->t, &e));
	e = ev(AMDXSCHED_EVENT_QUEUE_RESUMED, 20, 7, 1, AMDXSCHED_RESUMED_CLOSE, 4);
	ASSERT_EQ(0, axs_trace_event(self->t, &e));
	ASSERT_EQ(0, axs_trace_close(self->t));
	s = slurp(self->path);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, count(s, "\"ph\":\"E\""));
	EXPECT_EQ(0, count(s, "\"ph\":\"B\""));
	free(s);
	if (!have_python())
		SKIP(return, "python3 not available");
	EXPECT_EQ(0, check_json(self->path));
}

TEST_F(trace, open_slices_end_at_close)
{
	struct amdxsched_event e;
	char *s;

	e = ev(AMDXSCHED_EVENT_QUEUE_SUSPENDED, 1000, 3, 1, 2, 8);
	ASSERT_EQ(0, axs_trace_event(self->t, &e));
	e = ev(AMDXSCHED_EVENT_QUEUE_BUSY, 5000, 3, 1, 0, 0);
	ASSERT_EQ(0, axs_trace_event(self->t, &e));
	/* a lost RESUMED: the next SUSPENDED ends the first slice */
	e = ev(AMDXSCHED_EVENT_QUEUE_SUSPENDED, 6000, 3, 1, 3, 9);
	ASSERT_EQ(0, axs_trace_event(self->t, &e));
	ASSERT_EQ(0, axs_trace_close(self->t));
	s = slurp(self->path);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(3, count(s, "\"ph\":\"B\""));
	EXPECT_EQ(3, count(s, "\"ph\":\"E\""));
	EXPECT_NE(NULL, strstr(s, "\"reason\":\"trace end\""));
	EXPECT_NE(NULL, strstr(s, "\"ts\":6.000"));
	free(s);
	if (!have_python())
		SKIP(return, "python3 not available");
	EXPECT_EQ(0, check_json(self->path));
}

TEST_F(trace, strings_are_escaped)
{
	char *s;

	ASSERT_EQ(0, axs_trace_instant(self->t, 1, 2, "a\"b\\c\nd\x01", NULL));
	ASSERT_EQ(0, axs_trace_instant(self->t, 2, 2, "bad \xff utf8 \xc3", NULL));
	ASSERT_EQ(0, axs_trace_instant(self->t, 3, 2, "caf\xc3\xa9", "{}"));
	ASSERT_EQ(0, axs_trace_close(self->t));
	s = slurp(self->path);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"a\\\"b\\\\c\\u000ad\\u0001\""));
	EXPECT_NE(NULL, strstr(s, "\"bad \\ufffd utf8 \\ufffd\""));
	EXPECT_NE(NULL, strstr(s, "\"caf\xc3\xa9\""));
	EXPECT_NE(NULL, strstr(s, "\"args\":{\"name\":\"GPU 2\"}"));
	free(s);
	if (!have_python())
		SKIP(return, "python3 not available");
	EXPECT_EQ(0, check_json(self->path));
}

TEST_F(trace, many_queues_keep_their_tracks)
{
	struct amdxsched_event e;
	uint64_t h;
	char *s;

	/* handles in a scattered order exercise the sorted map's inserts */
	for (h = 1; h <= 200; h++) {
		e = ev(AMDXSCHED_EVENT_QUEUE_SUSPENDED, h * 10, (h * 7919) % 1000 + 1, 1, 3, h);
		ASSERT_EQ(0, axs_trace_event(self->t, &e));
	}
	for (h = 1; h <= 200; h++) {
		e = ev(AMDXSCHED_EVENT_QUEUE_RESUMED, 5000 + h, (h * 7919) % 1000 + 1, 1,
		       AMDXSCHED_RESUMED_IOCTL, h);
		ASSERT_EQ(0, axs_trace_event(self->t, &e));
	}
	ASSERT_EQ(0, axs_trace_close(self->t));
	s = slurp(self->path);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(200, count(s, "\"ph\":\"B\""));
	EXPECT_EQ(200, count(s, "\"ph\":\"E\""));
	EXPECT_EQ(0, count(s, "\"reason\":\"trace end\""));
	free(s);
	if (!have_python())
		SKIP(return, "python3 not available");
	EXPECT_EQ(0, check_json(self->path));
}

TEST(open_failure_sets_errno)
{
	errno = 0;
	EXPECT_EQ(NULL, axs_trace_open("/nonexistent-dir/x.json"));
	EXPECT_EQ(ENOENT, errno);
}

TEST(event_names)
{
	EXPECT_STREQ("QUEUE_SUSPENDED", axs_event_type_name(AMDXSCHED_EVENT_QUEUE_SUSPENDED));
	EXPECT_STREQ("QUEUE_DRAINED", axs_event_type_name(AMDXSCHED_EVENT_QUEUE_DRAINED));
	EXPECT_STREQ("QUEUE_ATTR", axs_event_type_name(AMDXSCHED_EVENT_QUEUE_ATTR));
	/* every type up to the header's last is named */
	for (unsigned int t = 1; t <= AMDXSCHED_EVENT_MAX; t++) {
		EXPECT_STRNE("UNKNOWN", axs_event_type_name(t)) TH_LOG("type %u", t);
	}
	EXPECT_STREQ("UNKNOWN", axs_event_type_name(0));
	EXPECT_STREQ("UNKNOWN", axs_event_type_name(AMDXSCHED_EVENT_MAX + 1));
}

TEST_HARNESS_MAIN
