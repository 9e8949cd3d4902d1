// SPDX-License-Identifier: MIT
/*
 * Unit tests of xsched-sim (tools/xsched-sim): the scenario format, and the
 * engine on scenarios small enough to work out by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate.h"
#include "engine.h"
#include "scenario.h"
#include "timeline.h"

#include "kselftest_harness.h"

#define MS 1000000ULL
#define US 1000ULL

static int parse(const char *text, struct xsim_scenario *s, char *err, size_t len)
{
	return xsim_scenario_parse(text, "t.scn", s, err, len);
}

TEST(a_scenario_parses_with_xschedd_keys_in_it)
{
	static const char text[] =
		"# two tenants\n"
		"duration = 10s\n"
		"warmup = 500ms\n"
		"gpu.launch = 2us\n"
		"tenant hi class=rt priority=14 arrival=periodic period=20ms deadline=5ms\n"
		"kernels hi count=3 grid=80 wg=100us footprint=4096\n"
		"kernels hi grid=160 wg=50us\n"
		"tenant lo class=batch arrival=closed think=1ms\n"
		"kernels lo count=2 grid=2560 wg=1ms\n"
		"policy = edf\n"
		"level.best-effort = 2\n";
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	char err[256] = "";

	ASSERT_EQ(0, parse(text, s, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ("t", s->name);
	EXPECT_EQ(10000 * MS, s->duration_ns);
	EXPECT_EQ(500 * MS, s->warmup_ns);
	EXPECT_EQ(2 * US, s->gpu.launch_ns);
	ASSERT_EQ(2, s->ntenants);
	EXPECT_STREQ("hi", s->tenants[0].name);
	EXPECT_EQ(AXSP_CLASS_REALTIME, s->tenants[0].sched_class);
	EXPECT_EQ(14, s->tenants[0].priority);
	EXPECT_EQ(XSIM_PERIODIC, s->tenants[0].arrival);
	EXPECT_EQ(20 * MS, s->tenants[0].period_ns);
	EXPECT_EQ(5 * MS, s->tenants[0].deadline_ns);
	ASSERT_EQ(4, s->tenants[0].nkernels);
	EXPECT_EQ(4096, s->tenants[0].kernels[2].footprint);
	EXPECT_EQ(160, s->tenants[0].kernels[3].grid);
	EXPECT_EQ(XSIM_CLOSED, s->tenants[1].arrival);
	EXPECT_EQ(AXSP_CLASS_BEST_EFFORT, s->tenants[1].sched_class);
	EXPECT_EQ(1 * MS, s->tenants[1].think_ns);
	EXPECT_EQ(AXSP_EDF, s->cfg.pol.kind);
	EXPECT_EQ(2, s->cfg.pol.level[AXSP_CLASS_BEST_EFFORT]);
	xsim_scenario_free(s);
	free(s);
}

TEST(errors_name_the_line_including_xschedds)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "tenant a arrival=closed\nkernels b grid=1 wg=1ms\n",
		  "t.scn:2: kernels: 'b' is not a tenant defined above" },
		{ "tenant a arrival=periodic\n", "t.scn:1: tenant a: a periodic arrival needs period=" },
		{ "tenant a arrival=closed colour=red\n", "t.scn:1: tenant a: unknown key 'colour'" },
		{ "tenant a arrival=closed\ntenant a arrival=closed\n",
		  "t.scn:2: tenant 'a': too long, or already defined" },
		{ "duration = 5 s\n", "t.scn:1: duration: '5 s' is not a duration (e.g. 50ms)" },
		{ "tenant a arrival=closed\nkernels a grid=0 wg=1ms\n", "t.scn:2: grid: at least 1" },
		{ "tenant a arrival=closed\nkernels a grid=1 wg=100ns\n", "t.scn:2: wg: 1us..10s" },
		{ "duration = 1s\n", "t.scn:0: no tenant" },
		{ "tenant a arrival=closed\nkernels a grid=1 wg=1ms\n\npolicy = fastest\n",
		  "t.scn:4: " },
	};
	struct xsim_scenario *s = calloc(1, sizeof(*s));

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";

		EXPECT_EQ(-EINVAL, parse(cases[i].text, s, err, sizeof(err)));
		EXPECT_EQ(0, strncmp(err, cases[i].want, strlen(cases[i].want)))
			TH_LOG("case %zu: got '%s', want '%s'", i, err, cases[i].want);
	}
	free(s);
}

/*
 * A rocprofv3 kernel trace (the format of its documentation's example):
 * 1024x1024 work-items in workgroups of 64 (16384 workgroups of one wave,
 * 8 VGPRs and 16 SGPRs: 2112 bytes, 32 per CU, so 7 rounds of 2560) for
 * 11.04 us, then a 2D one in 16x16 workgroups (4 waves, 24 VGPRs + 8 AGPRs,
 * 16 SGPRs and 4 KiB of LDS: 37120 bytes, 16 per CU, 256 workgroups: 1 round)
 * for 50 us;
 * a row on queue 2 is left out with queue=1.
 */
TEST(a_rocprofv3_kernel_trace_becomes_the_request)
{
	static const char csv[] =
		"\"Kind\",\"Agent_Id\",\"Queue_Id\",\"Stream_Id\",\"Thread_Id\",\"Dispatch_Id\","
		"\"Kernel_Id\",\"Kernel_Name\",\"Correlation_Id\",\"Start_Timestamp\",\"End_Timestamp\","
		"\"LDS_Block_Size\",\"Scratch_Size\",\"VGPR_Count\",\"Accum_VGPR_Count\",\"SGPR_Count\","
		"\"Workgroup_Size_X\",\"Workgroup_Size_Y\",\"Workgroup_Size_Z\",\"Grid_Size_X\","
		"\"Grid_Size_Y\",\"Grid_Size_Z\"\n"
		"\"KERNEL_DISPATCH\",\"Agent 4\",1,1,852831,1,10,\"void add<float>(float*, int)\",1,"
		"1551874061244694,1551874061255734,0,0,8,0,16,64,1,1,1024,1024,1\n"
		"\"KERNEL_DISPATCH\",\"Agent 4\",2,2,852831,2,11,\"other(int)\",2,"
		"1551874061255734,1551874061355734,0,0,8,0,16,64,1,1,64,1,1\n"
		"\"KERNEL_DISPATCH\",\"Agent 4\",1,1,852831,3,12,\"gemm \"\"tile\"\"\",3,"
		"1551874061260000,1551874061310000,4096,0,24,8,16,16,16,1,256,256,1\n";
	char dir[] = "/tmp/axs-xsim-XXXXXX", path[128], text[512], err[256] = "";
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_exec e;
	struct xsim_result r;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/trace.csv", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(csv, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/t.scn", dir);
	snprintf(text, sizeof(text), "duration = 2s\nwarmup = 100ms\n"
		 "tenant app class=rt arrival=periodic period=10ms\n"
		 "kernels app trace=trace.csv queue=1\n");
	/* the path of the scenario names the directory the trace is in */
	ASSERT_EQ(0, xsim_scenario_parse(text, path, s, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(2, s->tenants[0].nkernels);
	EXPECT_EQ(16384, s->tenants[0].kernels[0].grid);
	EXPECT_EQ(2112, s->tenants[0].kernels[0].footprint);
	EXPECT_EQ(11040 / 7, s->tenants[0].kernels[0].wg_ns);
	EXPECT_EQ(256, s->tenants[0].kernels[1].grid);
	EXPECT_EQ(37120, s->tenants[0].kernels[1].footprint);
	EXPECT_EQ(50000, s->tenants[0].kernels[1].wg_ns);

	/* alone, the request takes the traced time (7 x 1577 ns + 5 us gap + 50 us) */
	ASSERT_EQ(0, xsim_exec_parse("native", &e));
	ASSERT_EQ(0, xsim_run(s, &e, 1, NULL, &r));
	EXPECT_EQ(7 * 1577 + 5000 + 50000, r.t[0].lat_ns[0]);
	xsim_result_free(&r);
	xsim_scenario_free(s);

	snprintf(text, sizeof(text), "tenant app arrival=closed\nkernels app trace=trace.csv "
		 "queue=9\n");
	EXPECT_EQ(-EINVAL, xsim_scenario_parse(text, path, s, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no kernel dispatch in it on that queue")) TH_LOG("%s", err);
	snprintf(text, sizeof(text), "tenant app arrival=closed\nkernels app trace=none.csv\n");
	EXPECT_EQ(-EINVAL, xsim_scenario_parse(text, path, s, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "none.csv: No such file")) TH_LOG("%s", err);
	snprintf(text, sizeof(text), "tenant app arrival=closed\nkernels app trace=trace.csv "
		 "grid=4\n");
	EXPECT_EQ(-EINVAL, xsim_scenario_parse(text, path, s, err, sizeof(err)));
	snprintf(text, sizeof(text), "rm -rf %s", dir);
	ASSERT_EQ(0, system(text));
	free(s);
}

TEST(executors_parse)
{
	struct xsim_exec e;

	ASSERT_EQ(0, xsim_exec_parse("lv1:4", &e));
	EXPECT_EQ(XSIM_LV1, e.kind);
	EXPECT_EQ(4, e.lv1_inflight);
	ASSERT_EQ(0, xsim_exec_parse("priority-lv2", &e));
	EXPECT_EQ(XSIM_POLICY, e.kind);
	EXPECT_EQ(AXSP_PRIORITY, e.policy);
	EXPECT_EQ(2, e.level);
	ASSERT_EQ(0, xsim_exec_parse("suspend-all", &e));
	EXPECT_TRUE(e.no_hold);
	EXPECT_EQ(3, e.level);
	ASSERT_EQ(0, xsim_exec_parse("llf", &e));
	EXPECT_EQ(0, e.level);
	EXPECT_EQ(-EINVAL, xsim_exec_parse("lv1:0", &e));
	EXPECT_EQ(-EINVAL, xsim_exec_parse("fifo", &e));
	EXPECT_EQ(-EINVAL, xsim_exec_parse("priority-lv4", &e));
	ASSERT_EQ(0, xsim_exec_parse("priority-lv3+queue", &e));
	EXPECT_TRUE(e.queue_scope);
	EXPECT_EQ(AXSP_PRIORITY, e.policy);
	EXPECT_EQ(3, e.level);
	EXPECT_STREQ("priority-lv3+queue", e.name);
	EXPECT_EQ(-EINVAL, xsim_exec_parse("native+gpu", &e));
}

TEST(percentiles_are_nearest_rank)
{
	uint64_t v[100];

	for (int i = 0; i < 100; i++)
		v[i] = i + 1;
	EXPECT_EQ(50, xsim_percentile(v, 100, 500));
	EXPECT_EQ(99, xsim_percentile(v, 100, 990));
	EXPECT_EQ(100, xsim_percentile(v, 100, 999));
	EXPECT_EQ(100, xsim_percentile(v, 100, 1000));
	EXPECT_EQ(1, xsim_percentile(v, 1, 990));
	EXPECT_EQ(0, xsim_percentile(v, 0, 990));
}

/*
 * On the 80-CU MI308X: "hi" is 4 kernels of 80 quarter-CU workgroups (one
 * round each) of 100 us every 10 ms, 5 us apart: 415 us alone. "lo" is a
 * closed loop of full-GPU kernels: 8 rounds (32 per CU) of 1 ms, 8 ms.
 */
static const char two_tenants[] =
	"duration = 2s\n"
	"warmup = 100ms\n"
	"tenant hi class=realtime arrival=periodic period=10ms\n"
	"kernels hi count=4 grid=80 wg=100us footprint=152576\n"
	"tenant lo class=best-effort arrival=closed\n"
	"kernels lo grid=20480 wg=1ms footprint=19072\n"
	"policy = priority\n"
	"hold = 0s\n";

static void run(struct __test_metadata *_metadata, const char *exec, uint32_t mask,
		struct xsim_result *r)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_exec e;
	char err[256] = "";

	ASSERT_EQ(0, parse(two_tenants, s, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, xsim_exec_parse(exec, &e));
	ASSERT_EQ(0, xsim_run(s, &e, mask, NULL, r));
	xsim_scenario_free(s);
	free(s);
}

TEST(alone_a_request_takes_its_kernels_and_the_launch_gaps)
{
	struct xsim_result r;

	run(_metadata, "native", 1, &r);
	/* arrivals at 1 ms + 10 ms k; counted from 100 ms to 2 s: 190 */
	EXPECT_EQ(190, r.t[0].requests);
	EXPECT_EQ(190, r.t[0].finished);
	EXPECT_EQ(415 * US, r.t[0].lat_ns[0]);
	EXPECT_EQ(415 * US, r.t[0].lat_ns[189]);
	EXPECT_EQ(0, r.t[1].requests);		/* not taking part */
	EXPECT_EQ(0, r.remaps);
	xsim_result_free(&r);

	run(_metadata, "native", 2, &r);
	/* back to back, 5 us apart: 8.005 ms each, about 237 in 1.9 s */
	EXPECT_EQ(8005 * US, r.t[1].lat_ns[0]);
	EXPECT_LE(236, r.t[1].finished);
	EXPECT_GE(238, r.t[1].finished);
	xsim_result_free(&r);
}

TEST(natively_the_high_tenant_waits_for_the_rounds_of_the_low)
{
	struct xsim_result r;

	run(_metadata, "native", 3, &r);
	/* each hi kernel after the first waits for a 1 ms round of lo to end */
	EXPECT_LT(2 * MS, xsim_percentile(r.t[0].lat_ns, r.t[0].finished, 990));
	xsim_result_free(&r);
}

TEST(preemption_restores_the_high_tenant_and_costs_remaps)
{
	struct xsim_result r;
	uint64_t p99;

	run(_metadata, "priority-lv3", 3, &r);
	p99 = xsim_percentile(r.t[0].lat_ns, r.t[0].finished, 990);
	/* alone 415 us, plus react + ioctl (70 us) and the suspend's remap */
	EXPECT_LT(415 * US, p99);
	EXPECT_GT(1 * MS, p99);
	/* a suspend and a resume for each of the 200 requests (from 1 ms on) */
	EXPECT_EQ(400, r.remaps);
	EXPECT_LT(0, r.t[1].finished);
	xsim_result_free(&r);
}

TEST(a_queue_scoped_unmap_changes_nothing_when_no_other_queue_runs)
{
	struct xsim_result gpu, queue;
	uint64_t p99g, p99q;

	run(_metadata, "priority-lv3", 3, &gpu);
	run(_metadata, "priority-lv3+queue", 3, &queue);
	p99g = xsim_percentile(gpu.t[0].lat_ns, gpu.t[0].finished, 990);
	p99q = xsim_percentile(queue.t[0].lat_ns, queue.t[0].finished, 990);
	/*
	 * Here hi never runs during a remap (lo is suspended before hi's work
	 * can start, and resumed after it ends): the same latency, the same
	 * remaps. (test_sim_model has the case where the scope matters.)
	 */
	EXPECT_EQ(p99q, p99g);
	EXPECT_EQ(gpu.remaps, queue.remaps);
	EXPECT_GE(gpu.remap_ns, queue.remap_ns);
	xsim_result_free(&gpu);
	xsim_result_free(&queue);
}

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
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

TEST(a_trace_shows_a_window_of_suspensions_remaps_and_requests)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	char path[] = "/tmp/axs-xsim-trace-XXXXXX", err[256] = "", *text;
	struct xsim_out out = { 0 };
	struct xsim_result r;
	struct xsim_exec e;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, parse(two_tenants, s, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, xsim_exec_parse("priority-lv3", &e));
	out.trace = axs_trace_open(path);
	ASSERT_NE(NULL, out.trace);
	out.trace_from_ns = 500 * MS;
	out.trace_to_ns = 600 * MS;		/* 10 requests of hi */
	ASSERT_EQ(0, xsim_run(s, &e, 3, &out, &r));
	ASSERT_EQ(0, axs_trace_close(out.trace));
	text = slurp(path);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(10, count(text, "\"name\":\"hi\",\"ph\":\"i\""));
	EXPECT_EQ(20, count(text, "\"name\":\"remap\",\"ph\":\"i\""));
	EXPECT_EQ(10, count(text, "\"name\":\"suspended Lv3\",\"ph\":\"B\""));
	EXPECT_EQ(0, count(text, "\"ts\":4"));	/* nothing before the window */
	free(text);
	unlink(path);
	xsim_result_free(&r);
	xsim_scenario_free(s);
	free(s);
}

/* The timeline (the SVG's data) of the same window: the same counts, as spans. */
TEST(a_timeline_keeps_the_window_as_spans)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_out out = { 0 };
	struct xsim_timeline tl;
	struct xsim_result r;
	struct xsim_exec e;
	char err[256] = "";
	int n[4] = { 0 }, hi_done = 0;

	ASSERT_EQ(0, parse(two_tenants, s, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, xsim_exec_parse("priority-lv3", &e));
	xsim_timeline_init(&tl, 500 * MS, 600 * MS);
	out.timeline = &tl;
	ASSERT_EQ(0, xsim_run(s, &e, 3, &out, &r));
	ASSERT_EQ(0, tl.err);
	for (size_t k = 0; k < tl.n; k++) {
		const struct xsim_tl_span *sp = &tl.v[k];

		EXPECT_LE(sp->t0, sp->t1);
		EXPECT_LT(sp->t0, 600 * MS);	/* each overlaps the window */
		EXPECT_LE(500 * MS, sp->t1);
		n[sp->kind]++;
		hi_done += sp->kind == XSIM_TL_REQUEST && !sp->lane && sp->t1 < 600 * MS;
	}
	/* as in the trace: hi's 10 requests end in it; lo's long ones overlap it */
	EXPECT_EQ(10, hi_done);
	EXPECT_LT(10, n[XSIM_TL_REQUEST]);
	EXPECT_EQ(20, n[XSIM_TL_REMAP]);
	/* lo suspended for each of hi's 10 requests, the last maybe still open */
	EXPECT_LE(9, n[XSIM_TL_SUSPENDED]);
	EXPECT_GE(10, n[XSIM_TL_SUSPENDED]);
	EXPECT_LE(10, n[XSIM_TL_BUSY]);
	xsim_timeline_free(&tl);
	xsim_result_free(&r);
	xsim_scenario_free(s);
	free(s);
}

/* Spans open and close; what lies outside the window is dropped. */
TEST(timeline_spans_open_close_and_clip)
{
	struct xsim_timeline tl;

	xsim_timeline_init(&tl, 100, 200);
	xsim_timeline_busy(&tl, 0, 1, 10);
	xsim_timeline_busy(&tl, 0, 0, 50);		/* before the window */
	xsim_timeline_busy(&tl, 1, 1, 90);
	xsim_timeline_busy(&tl, 1, 1, 95);		/* already busy: no new span */
	xsim_timeline_busy(&tl, 1, 0, 120);		/* overlaps the start */
	xsim_timeline_suspended(&tl, 1, 0, 130);	/* not suspended: nothing */
	xsim_timeline_suspended(&tl, 1, 1, 150);	/* open at the end */
	xsim_timeline_span(&tl, XSIM_TL_REMAP, 0, 250, 260);	/* after */
	xsim_timeline_span(&tl, XSIM_TL_REMAP, XSIM_TL_LANES, 150, 160);	/* no such lane */
	ASSERT_EQ(1, tl.n);
	EXPECT_EQ(XSIM_TL_BUSY, tl.v[0].kind);
	EXPECT_EQ(1, tl.v[0].lane);
	EXPECT_EQ(90, tl.v[0].t0);
	EXPECT_EQ(120, tl.v[0].t1);
	EXPECT_EQ(150, tl.susp_since[1]);
	xsim_timeline_free(&tl);
}

/* A calibration file: only cost keys, each checked, all or nothing. */
TEST(a_calibration_sets_costs_and_refuses_anything_else)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	char err[256] = "";
	uint64_t unmap;

	ASSERT_EQ(0, parse(two_tenants, s, err, sizeof(err))) TH_LOG("%s", err);
	unmap = s->gpu.unmap_ns;
	ASSERT_EQ(0, xsim_calibration_parse("# measured\ngpu.launch = 12.5us  # fitted\n"
					    "react = 40us\n\n", "c.cal", s, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(12500, s->gpu.launch_ns);
	EXPECT_EQ(40000, s->react_ns);
	EXPECT_EQ(unmap, s->gpu.unmap_ns);	/* not in the file: kept */
	/* not a cost: refused with its line; nothing of the file applies */
	EXPECT_EQ(-EINVAL, xsim_calibration_parse("react = 1us\nduration = 5s\n", "c.cal", s,
						  err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "c.cal:2: 'duration' is not a calibration key")) TH_LOG("%s", err);
	EXPECT_EQ(40000, s->react_ns);
	EXPECT_EQ(-EINVAL, xsim_calibration_parse("gpu.unmap = soon\n", "c.cal", s, err,
						  sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "c.cal:1:")) TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, xsim_calibration_parse("gpu.launch\n", "c.cal", s, err, sizeof(err)));
	/* outside the model's limits (sim-model.rst): refused whole */
	EXPECT_EQ(-EINVAL, xsim_calibration_parse("gpu.unmap = 100s\n", "c.cal", s, err,
						  sizeof(err)));
	EXPECT_EQ(unmap, s->gpu.unmap_ns);
	xsim_scenario_free(s);
	free(s);
}

/*
 * The launch gap is fitted back from a P50 the model itself gave with a
 * known gap, and the file written with it reads back the same.
 */
TEST(the_launch_gap_fitted_from_a_p50_and_written_reads_back)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_calibration cal = { .source = "test" };
	char err[256] = "", *text = NULL;
	struct xsim_result r;
	struct xsim_exec e;
	uint64_t p50, fit;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(0, parse(two_tenants, s, err, sizeof(err))) TH_LOG("%s", err);
	s->gpu.launch_ns = 23000;
	ASSERT_EQ(0, xsim_exec_parse("native", &e));
	ASSERT_EQ(0, xsim_run(s, &e, 1, NULL, &r));
	p50 = xsim_percentile(r.t[0].lat_ns, r.t[0].finished, 500);
	xsim_result_free(&r);
	s->gpu.launch_ns = 5000;	/* what it is fitted from */
	ASSERT_EQ(0, xsim_fit_launch(s, 0, p50, &fit));
	EXPECT_LE(22900, fit);
	EXPECT_GE(23100, fit);
	/* a P50 below the kernels' own time, or past a gap of 1 ms: no fit */
	EXPECT_EQ(-ERANGE, xsim_fit_launch(s, 0, p50 / 10, &fit));
	EXPECT_EQ(-ERANGE, xsim_fit_launch(s, 0, p50 * 100, &fit));
	EXPECT_EQ(-EINVAL, xsim_fit_launch(s, 5, p50, &fit));

	cal.launch_ns = 23000;
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, xsim_calibration_write(f, &cal));
	ASSERT_EQ(0, fclose(f));
	EXPECT_NE(NULL, strstr(text, "# react: not measured"));
	ASSERT_EQ(0, xsim_calibration_parse(text, "w.cal", s, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(23000, s->gpu.launch_ns);
	free(text);
	xsim_scenario_free(s);
	free(s);
}

static const char pipeline[] =
	"duration = 1s\n"
	"warmup = 100ms\n"
	"tenant pre class=realtime arrival=periodic period=10ms\n"
	"kernels pre count=2 grid=80 wg=100us\n"
	"tenant infer class=realtime after=pre\n"
	"kernels infer count=4 grid=80 wg=100us\n";

/*
 * after=: a stream whose requests each wait for one of another's (a HIP
 * event wait). Its latency counts from that release; alone, it follows the
 * other's arrivals.
 */
TEST(a_stream_after_another_starts_each_request_when_the_other_ends)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_result both, alone;
	struct xsim_exec e;
	char err[256] = "";
	uint64_t p_both, p_alone, p_pre;

	ASSERT_EQ(0, parse(pipeline, s, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(XSIM_AFTER, s->tenants[1].arrival);
	EXPECT_EQ(0, s->tenants[1].after);
	ASSERT_EQ(0, xsim_exec_parse("native", &e));
	ASSERT_EQ(0, xsim_run(s, &e, 3, NULL, &both));
	ASSERT_EQ(0, xsim_run(s, &e, 2, NULL, &alone));
	/* one infer request per pre request, the same number counted */
	EXPECT_EQ(90, both.t[0].finished);
	EXPECT_EQ(90, both.t[1].finished);
	EXPECT_EQ(90, alone.t[1].finished);
	/* released when pre's request ends: it runs alone, as it does alone */
	p_both = xsim_percentile(both.t[1].lat_ns, both.t[1].finished, 500);
	p_alone = xsim_percentile(alone.t[1].lat_ns, alone.t[1].finished, 500);
	p_pre = xsim_percentile(both.t[0].lat_ns, both.t[0].finished, 500);
	EXPECT_EQ(p_alone, p_both);
	EXPECT_LT(400 * US, p_both);	/* its 4 kernels, not pre's 2 as well */
	EXPECT_GT(450 * US, p_both);
	EXPECT_GT(250 * US, p_pre);
	xsim_result_free(&both);
	xsim_result_free(&alone);
	xsim_scenario_free(s);

	/* after= is the arrival: no arrival=, period= or think= beside it */
	EXPECT_EQ(-EINVAL, parse("tenant a arrival=closed\nkernels a grid=1 wg=1ms\n"
				 "tenant b after=a arrival=closed\nkernels b grid=1 wg=1ms\n",
				 s, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "after= takes the place of arrival=")) TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, parse("tenant b after=a\nkernels b grid=1 wg=1ms\n", s, err,
				 sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "after: 'a' is not a tenant above")) TH_LOG("%s", err);
	free(s);
}

/* The counting the hardware player shares, on records made by hand. */
TEST(requests_are_counted_in_the_window_with_misses)
{
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_tenant_result o;
	struct xsim_request req[] = {
		{ 50 * MS, 52 * MS },		/* before the warm-up: not counted */
		{ 100 * MS, 103 * MS },
		{ 200 * MS, 201 * MS },
		{ 300 * MS, 0 },		/* never finished: a miss */
		{ 400 * MS, 407 * MS },		/* past the 5 ms deadline: a miss */
		{ 2000 * MS, 2001 * MS },	/* after the end: not counted */
	};
	char err[256] = "";

	ASSERT_EQ(0, parse(two_tenants, s, err, sizeof(err))) TH_LOG("%s", err);
	s->tenants[0].deadline_ns = 5 * MS;
	memset(&o, 0, sizeof(o));
	ASSERT_EQ(0, xsim_tenant_count(s, 0, req, 6, sizeof(req[0]), &o));
	EXPECT_EQ(4, o.requests);
	EXPECT_EQ(3, o.finished);
	EXPECT_EQ(2, o.misses);
	EXPECT_EQ(1, o.unfinished);
	EXPECT_EQ(1 * MS, o.lat_ns[0]);		/* sorted */
	EXPECT_EQ(3 * MS, o.lat_ns[1]);
	EXPECT_EQ(7 * MS, o.lat_ns[2]);
	/* 3 finished in the 1.9 s window */
	EXPECT_TRUE(o.throughput > 1.578 && o.throughput < 1.579);
	free(o.lat_ns);
	xsim_scenario_free(s);
	free(s);
}

/*
 * Two streams of one process (process=): with a class per queue its
 * realtime stream preempts its own background one; with classes per
 * process only (+procclass, what ABI 1.4 can say) nothing does.
 */
TEST(a_class_per_stream_protects_a_stream_from_its_own_process)
{
	static const char text[] =
		"duration = 2s\nwarmup = 100ms\n"
		"tenant hi class=realtime arrival=periodic period=10ms\n"
		"kernels hi count=4 grid=80 wg=100us footprint=152576\n"
		"tenant lo class=best-effort arrival=closed process=hi\n"
		"kernels lo grid=20480 wg=1ms footprint=19072\n"
		"policy = priority\nhold = 0s\n";
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_result q, p;
	struct xsim_exec e;
	char err[256] = "";

	ASSERT_EQ(0, parse(text, s, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, s->tenants[1].process);
	ASSERT_EQ(0, xsim_exec_parse("priority-lv3", &e));
	ASSERT_EQ(0, xsim_run(s, &e, 3, NULL, &q));
	ASSERT_EQ(0, xsim_exec_parse("priority-lv3+procclass", &e));
	EXPECT_TRUE(e.proc_class);
	ASSERT_EQ(0, xsim_run(s, &e, 3, NULL, &p));
	/* alone 415 us: about that per queue, waits for 1 ms rounds per process */
	EXPECT_GT(1 * MS, xsim_percentile(q.t[0].lat_ns, q.t[0].finished, 990));
	EXPECT_LT(2 * MS, xsim_percentile(p.t[0].lat_ns, p.t[0].finished, 990));
	EXPECT_EQ(400, q.remaps);
	EXPECT_EQ(0, p.remaps);
	xsim_result_free(&q);
	xsim_result_free(&p);
	xsim_scenario_free(s);

	EXPECT_EQ(-EINVAL, parse("tenant a arrival=closed process=b\n", s, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "process: 'b' is not a tenant above")) TH_LOG("%s", err);
	EXPECT_EQ(-EINVAL, parse("tenant a arrival=closed\ntenant b arrival=closed process=a\n"
				 "tenant c arrival=closed process=b\n", s, err, sizeof(err)));
	free(s);
}

TEST(cpx_gives_the_low_tenant_one_xcc)
{
	struct xsim_result r;

	run(_metadata, "cpx", 3, &r);
	EXPECT_EQ(415 * US, xsim_percentile(r.t[0].lat_ns, r.t[0].finished, 1000));
	/* 20 of 80 CUs: each kernel 4x as long */
	EXPECT_EQ(32005 * US, r.t[1].lat_ns[0]);
	xsim_result_free(&r);
}

TEST_HARNESS_MAIN
