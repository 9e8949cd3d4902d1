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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "plot.h"

#define DEFAULT_EXECUTORS \
	"native,native-prio,cu-split,cpx,lv1:1,lv1:4,suspend-all,priority-lv3,priority-lv2," \
	"bandwidth-lv3,bandwidth-lv2,edf-lv3,edf-lv2,llf-lv3,llf-lv2,spatial,priority-lv3+queue"
#define MAX_EXECUTORS 32

static const char *class_word(uint32_t c)
{
	return c == 1 ? "realtime" : c == 3 ? "best-effort" : "normal";
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xsched-sim [--executors LIST] [--csv FILE] [--svg DIR] SCENARIO...\n"
		"  --executors  comma-separated, default " DEFAULT_EXECUTORS "\n"
		"               (also lv1:N, any policy with -lv2 or -lv3, any of them +queue)\n"
		"  --csv        every counted request: scenario,executor,tenant,request,"
		"arrival_ns,end_ns,latency_ns\n"
		"  --svg        DIR/SCENARIO-TENANT.svg: each tenant's latency CDF by executor\n"
		"  --trace      a Perfetto trace (as xschedctl trace writes) of the first second\n"
		"               after the warm-up of the first scenario under --trace-executor\n"
		"               (default priority-lv3)\n");
}

static void describe(const struct xsim_scenario *s)
{
	printf("scenario %s: %.0f s (first %.0f s not counted)\n", s->name,
	       (double)s->duration_ns / 1e9, (double)s->warmup_ns / 1e9);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct xsim_tenant *t = &s->tenants[i];
		uint64_t wgs = 0;

		for (uint32_t k = 0; k < t->nkernels; k++)
			wgs += t->kernels[k].grid;
		printf("  %-12s %-11s ", t->name, class_word(t->sched_class));
		if (t->arrival == XSIM_CLOSED)
			printf("closed loop");
		else
			printf("%s every %.1f ms", t->arrival == XSIM_PERIODIC ? "periodic" : "poisson",
			       ms(t->period_ns));
		printf(", %u kernels, %" PRIu64 " workgroups per request\n", t->nkernels, wgs);
	}
}

static void row(const struct xsim_scenario *s, const char *exec, const struct xsim_result *r,
		const struct xsim_result *alone, double secs)
{
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct xsim_tenant_result *o = &r->t[i], *a = &alone[i].t[i];
		uint64_t p99 = xsim_percentile(o->lat_ns, o->finished, 990);
		uint64_t p99a = xsim_percentile(a->lat_ns, a->finished, 990);

		if (!o->finished) {
			printf("%-18s %-12s starved: no request finished in the window (%" PRIu64
			       " counted, %" PRIu64 " never finished)\n", i ? "" : exec,
			       s->tenants[i].name, o->requests, o->unfinished);
			if (!i)
				printf("%-18s %-12s %7s (remaps %" PRIu64 ")\n", "", "", "",
				       r->remaps);
			continue;
		}

		printf("%-18s %-12s %7" PRIu64 " %8.2f %8.2f %8.2f %8.2f %8.2f %7.2fx %9.2f %6.0f%% %6"
		       PRIu64, i ? "" : exec, s->tenants[i].name, o->requests,
		       ms(xsim_percentile(o->lat_ns, o->finished, 500)),
		       ms(xsim_percentile(o->lat_ns, o->finished, 900)), ms(p99),
		       ms(xsim_percentile(o->lat_ns, o->finished, 999)),
		       ms(xsim_percentile(o->lat_ns, o->finished, 1000)),
		       p99a ? (double)p99 / (double)p99a : 0.0, o->throughput,
		       a->throughput > 0 ? 100.0 * o->throughput / a->throughput : 0.0, o->misses);
		if (!i)
			printf(" %7" PRIu64 " %8.1f %6.2f", r->remaps, ms(r->remap_ns), secs);
		putchar('\n');
	}
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

struct opts {
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
	describe(s);
	memset(alone, 0, sizeof(alone));
	memset(res, 0, sizeof(res));
	xsim_exec_parse("native", &native);
	for (uint32_t i = 0; i < s->ntenants && !ret; i++) {
		t0 = wall_s();
		ret = xsim_run(s, &native, 1U << i, NULL, &alone[i]);
		total += wall_s() - t0;
		if (!ret)
			printf("  %-12s alone: p50 %.2f ms, p99 %.2f ms, %.2f requests/s\n",
			       s->tenants[i].name,
			       ms(xsim_percentile(alone[i].t[i].lat_ns, alone[i].t[i].finished, 500)),
			       ms(xsim_percentile(alone[i].t[i].lat_ns, alone[i].t[i].finished, 990)),
			       alone[i].t[i].throughput);
	}
	if (!ret)
		printf("%-18s %-12s %7s %8s %8s %8s %8s %8s %8s %9s %7s %6s %7s %8s %6s\n", "EXECUTOR",
		       "TENANT", "REQS", "P50_MS", "P90_MS", "P99_MS", "P99.9_MS", "MAX_MS",
		       "P99/ALONE", "REQ/S", "/ALONE", "MISSES", "REMAPS", "PAUSE_MS", "WALL_S");
	for (int x = 0; x < nexec && !ret; x++) {
		if (xsim_exec_parse(execs[x], &e)) {
			fprintf(stderr, "xsched-sim: unknown executor '%s'\n", execs[x]);
			ret = -EINVAL;
			break;
		}
		struct xsim_out out = { .csv = o->csv };

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
		if (ret) {
			fprintf(stderr, "xsched-sim: %s under %s: %s\n", s->name, e.name,
				strerror(-ret));
			break;
		}
		row(s, e.name, &res[x], alone, t0);
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
	while ((o = getopt_long(argc, argv, "e:c:s:t:x:h", opts, NULL)) != -1) {
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
		printf("Latency: a request's arrival to the end of its last kernel, in simulated time.\n"
		       "P99/ALONE and /ALONE: against the same tenant alone on the whole GPU (native).\n"
		       "REQ/S: finished requests (iterations, for a closed loop) per second.\n"
		       "REMAPS and PAUSE_MS: runlist changes after start-up and the time they\n"
		       "paused the GPU. These are predictions of a model (Documentation/xsched-sim.rst).\n");
	if (opt.csv && fclose(opt.csv) && !ret)
		ret = -EIO;
	free(list);
	return ret ? 1 : 0;
}
