// SPDX-License-Identifier: MIT
/*
 * xsched-sim: play a scenario (tools/xsched-sim/scenarios/) through the
 * module's GPU model and xschedd's policies in virtual time, under each
 * executor, and print per tenant the latency percentiles and throughput,
 * each against the tenant alone on the GPU. Results are predictions of a
 * model: Documentation/xsched-sim.rst says what is modelled and how.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "plot.h"
#include "report.h"

#define DEFAULT_EXECUTORS \
	"native,native-prio,cu-split,cpx,lv1:1,lv1:4,suspend-all,priority-lv3,priority-lv2," \
	"bandwidth-lv3,bandwidth-lv2,edf-lv3,edf-lv2,llf-lv3,llf-lv2,spatial,priority-lv3+queue"
#define MAX_EXECUTORS 32

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xsched-sim [--executors LIST] [--csv FILE] [--svg DIR] [--trace FILE]\n"
		"                  [--trace-executor EXEC] [--calibration FILE] SCENARIO...\n"
		"  --executors  comma-separated, default " DEFAULT_EXECUTORS "\n"
		"               (also lv1:N, any policy with -lv2 or -lv3, any of them +queue)\n"
		"  --csv        every counted request: scenario,executor,tenant,request,"
		"arrival_ns,end_ns,latency_ns\n"
		"  --svg        DIR/SCENARIO-TENANT.svg: each tenant's latency CDF by executor;\n"
		"               DIR/SCENARIO-timeline-EXECUTOR.svg: the first second after the\n"
		"               warm-up under --trace-executor, queue by queue\n"
		"  --trace      a Perfetto trace (as xschedctl trace writes) of the first second\n"
		"               after the warm-up of the first scenario under --trace-executor\n"
		"               (default priority-lv3)\n"
		"  --calibration  costs measured on a GPU (axs-hw-scenario --calibration-out),\n"
		"               over every scenario's\n");
}

/* One SVG per tenant: its latency CDF alone and under each executor. */
static int plots(const char *dir, const struct xsim_scenario *s, char **execs, int nexec,
		 const struct xsim_result *alone, const struct xsim_result *res)
{
	struct xsim_series ser[MAX_EXECUTORS + 1];
	char path[512], title[160];
	int r;

	for (uint32_t i = 0; i < s->ntenants; i++) {
		ser[0] = (struct xsim_series){ "alone", alone[i].t[i].lat_ns, alone[i].t[i].finished };
		for (int x = 0; x < nexec; x++)
			ser[x + 1] = (struct xsim_series){ execs[x], res[x].t[i].lat_ns,
							   res[x].t[i].finished };
		snprintf(path, sizeof(path), "%s/%s-%s.svg", dir, s->name, s->tenants[i].name);
		snprintf(title, sizeof(title), "%s: latency of %s, by executor (xsched-sim, a model)",
			 s->name, s->tenants[i].name);
		r = xsim_plot_cdf(path, title, ser, nexec + 1);
		if (r && r != -ENODATA) {
			fprintf(stderr, "xsched-sim: %s: %s\n", path, strerror(-r));
			return r;
		}
		if (!r)
			printf("  plot: %s\n", path);
	}
	return 0;
}

/* DIR/SCENARIO-timeline-EXECUTOR.svg: one second of the run, lane by lane. */
static int timeline_plot(const char *dir, const struct xsim_scenario *s, const char *exec,
			 const struct xsim_timeline *tl)
{
	const char *lanes[XSIM_MAX_TENANTS];
	char path[512], title[200];
	int r;

	for (uint32_t i = 0; i < s->ntenants; i++)
		lanes[i] = s->tenants[i].name;
	snprintf(path, sizeof(path), "%s/%s-timeline-%s.svg", dir, s->name, exec);
	snprintf(title, sizeof(title), "%s under %s: the first second after the warm-up "
		 "(xsched-sim, a model)", s->name, exec);
	r = xsim_plot_timeline(path, title, tl, lanes, s->ntenants);
	if (r)
		fprintf(stderr, "xsched-sim: %s: %s\n", path, strerror(-r));
	else
		printf("  timeline: %s\n", path);
	return r;
}

struct opts {
	const char *calibration;	/* applied over every scenario's costs */
	FILE *csv;
	const char *svg_dir;
	const char *trace_path;		/* NULL, or once written */
	const char *trace_exec;
};

/* The trace of one executor's run: its first second after the warm-up. */
static struct axs_trace *trace_open(struct opts *o, const struct xsim_scenario *s,
				    const char *exec, struct xsim_out *out)
{
	char label[256];
	size_t len;

	if (!o->trace_path || strcmp(exec, o->trace_exec))
		return NULL;
	out->trace = axs_trace_open(o->trace_path);
	if (!out->trace) {
		fprintf(stderr, "xsched-sim: %s: %s\n", o->trace_path, strerror(errno));
		return NULL;
	}
	len = (size_t)snprintf(label, sizeof(label), "xsched-sim %s, %s:", s->name, exec);
	for (uint32_t i = 0; i < s->ntenants && len < sizeof(label); i++)
		len += (size_t)snprintf(label + len, sizeof(label) - len, " queue %u = %s", i + 1,
					s->tenants[i].name);
	axs_trace_gpu_label(out->trace, 0, label);
	out->trace_from_ns = s->warmup_ns;
	out->trace_to_ns = s->warmup_ns + 1000000000ULL;
	return out->trace;
}

static int run_scenario(const char *path, char **execs, int nexec, struct opts *o)
{
	struct xsim_result alone[XSIM_MAX_TENANTS], res[MAX_EXECUTORS];
	struct xsim_scenario *s = calloc(1, sizeof(*s));
	struct xsim_exec native, e;
	char err[512];
	double t0, total = 0;
	int ret = 0;

	if (!s)
		return -ENOMEM;
	if (xsim_scenario_load(path, s, err, sizeof(err))) {
		fprintf(stderr, "xsched-sim: %s\n", err);
		free(s);
		return -EINVAL;
	}
	if (o->calibration && xsim_calibration_load(o->calibration, s, err, sizeof(err))) {
		fprintf(stderr, "xsched-sim: %s\n", err);
		xsim_scenario_free(s);
		free(s);
		return -EINVAL;
	}
	xsim_describe(s);
	if (o->calibration)
		printf("  costs calibrated by %s: gpu.launch %.1f us, react %.1f us, "
		       "gpu.unmap %.1f us\n", o->calibration, (double)s->gpu.launch_ns / 1e3,
		       (double)s->react_ns / 1e3, (double)s->gpu.unmap_ns / 1e3);
	memset(alone, 0, sizeof(alone));
	memset(res, 0, sizeof(res));
	xsim_exec_parse("native", &native);
	for (uint32_t i = 0; i < s->ntenants && !ret; i++) {
		t0 = wall_s();
		ret = xsim_run(s, &native, 1U << i, NULL, &alone[i]);
		total += wall_s() - t0;
		if (!ret)
			xsim_alone_line(s, i, &alone[i]);
	}
	if (!ret)
		xsim_table_header();
	for (int x = 0; x < nexec && !ret; x++) {
		if (xsim_exec_parse(execs[x], &e)) {
			fprintf(stderr, "xsched-sim: unknown executor '%s'\n", execs[x]);
			ret = -EINVAL;
			break;
		}
		struct xsim_out out = { .csv = o->csv };
		struct xsim_timeline tl;
		bool timeline = o->svg_dir && !strcmp(e.name, o->trace_exec);

		/* the trace executor's first second after the warm-up, as SVG too */
		if (timeline) {
			xsim_timeline_init(&tl, s->warmup_ns, s->warmup_ns + 1000000000ULL);
			out.timeline = &tl;
		}
		if (trace_open(o, s, e.name, &out)) {
			printf("  trace of %s: %s (%.0f-%.0f s)\n", e.name, o->trace_path,
			       (double)out.trace_from_ns / 1e9, (double)out.trace_to_ns / 1e9);
		}
		t0 = wall_s();
		ret = xsim_run(s, &e, (1U << s->ntenants) - 1, &out, &res[x]);
		t0 = wall_s() - t0;
		if (out.trace) {
			int tr = axs_trace_close(out.trace);

			o->trace_path = NULL;	/* the first scenario's only */
			if (tr && !ret)
				ret = tr;
		}
		total += t0;
		if (timeline) {
			if (!ret)
				ret = timeline_plot(o->svg_dir, s, e.name, &tl);
			xsim_timeline_free(&tl);
		}
		if (ret) {
			fprintf(stderr, "xsched-sim: %s under %s: %s\n", s->name, e.name,
				strerror(-ret));
			break;
		}
		xsim_table_row(s, e.name, &res[x], alone, t0);
		fflush(stdout);
	}
	if (!ret)
		printf("(%s: every executor and the tenants alone in %.2f s of CPU)\n", s->name,
		       total);
	if (!ret && o->svg_dir)
		ret = plots(o->svg_dir, s, execs, nexec, alone, res);
	if (!ret)
		putchar('\n');
	for (uint32_t i = 0; i < s->ntenants; i++)
		xsim_result_free(&alone[i]);
	for (int x = 0; x < nexec; x++)
		xsim_result_free(&res[x]);
	xsim_scenario_free(s);
	free(s);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "executors", required_argument, NULL, 'e' },
		{ "csv", required_argument, NULL, 'c' },
		{ "svg", required_argument, NULL, 's' },
		{ "trace", required_argument, NULL, 't' },
		{ "calibration", required_argument, NULL, 'C' },
		{ "trace-executor", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *list = strdup(DEFAULT_EXECUTORS), *execs[MAX_EXECUTORS], *tok, *save;
	const char *csv_path = NULL;
	struct opts opt = { .trace_exec = "priority-lv3" };
	int o, nexec = 0, ret = 0;

	if (!list)
		return 1;
	while ((o = getopt_long(argc, argv, "e:c:s:t:x:C:h", opts, NULL)) != -1) {
		switch (o) {
		case 'e':
			free(list);
			list = strdup(optarg);
			if (!list)
				return 1;
			break;
		case 'c':
			csv_path = optarg;
			break;
		case 's':
			opt.svg_dir = optarg;
			break;
		case 't':
			opt.trace_path = optarg;
			break;
		case 'x':
			opt.trace_exec = optarg;
			break;
		case 'C':
			opt.calibration = optarg;
			break;
		case 'h':
			usage(stdout);
			free(list);
			return 0;
		default:
			usage(stderr);
			free(list);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		free(list);
		return 2;
	}
	for (tok = strtok_r(list, ",", &save); tok && nexec < MAX_EXECUTORS;
	     tok = strtok_r(NULL, ",", &save))
		execs[nexec++] = tok;
	if (csv_path) {
		opt.csv = fopen(csv_path, "we");
		if (!opt.csv) {
			fprintf(stderr, "xsched-sim: %s: %s\n", csv_path, strerror(errno));
			free(list);
			return 1;
		}
		fprintf(opt.csv, "scenario,executor,tenant,request,arrival_ns,end_ns,latency_ns\n");
	}
	for (int i = optind; i < argc && !ret; i++)
		ret = run_scenario(argv[i], execs, nexec, &opt);
	if (!ret)
		xsim_table_legend();
	if (opt.csv && fclose(opt.csv) && !ret)
		ret = -EIO;
	free(list);
	return ret ? 1 : 0;
}
