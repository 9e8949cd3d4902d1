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
	fprintf(f, "usage: xsched-sim [--executors LIST] [--csv FILE] SCENARIO...\n"
		"  --executors  comma-separated, default " DEFAULT_EXECUTORS "\n"
		"               (also lv1:N, any policy with -lv2 or -lv3, any of them +queue)\n"
		"  --csv        every counted request: scenario,executor,tenant,request,"
		"arrival_ns,end_ns,latency_ns\n");
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

static int run_scenario(const char *path, char **execs, int nexec, FILE *csv)
{
	struct xsim_result alone[XSIM_MAX_TENANTS], r;
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
		t0 = wall_s();
		ret = xsim_run(s, &e, (1U << s->ntenants) - 1, csv, &r);
		t0 = wall_s() - t0;
		total += t0;
		if (ret) {
			fprintf(stderr, "xsched-sim: %s under %s: %s\n", s->name, e.name,
				strerror(-ret));
			break;
		}
		row(s, e.name, &r, alone, t0);
		xsim_result_free(&r);
		fflush(stdout);
	}
	if (!ret)
		printf("(%s: every executor and the tenants alone in %.2f s of CPU)\n\n", s->name,
		       total);
	for (uint32_t i = 0; i < s->ntenants; i++)
		xsim_result_free(&alone[i]);
	xsim_scenario_free(s);
	free(s);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "executors", required_argument, NULL, 'e' },
		{ "csv", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *list = strdup(DEFAULT_EXECUTORS), *execs[MAX_EXECUTORS], *tok, *save;
	const char *csv_path = NULL;
	FILE *csv = NULL;
	int o, nexec = 0, ret = 0;

	if (!list)
		return 1;
	while ((o = getopt_long(argc, argv, "e:c:h", opts, NULL)) != -1) {
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
		csv = fopen(csv_path, "we");
		if (!csv) {
			fprintf(stderr, "xsched-sim: %s: %s\n", csv_path, strerror(errno));
			free(list);
			return 1;
		}
		fprintf(csv, "scenario,executor,tenant,request,arrival_ns,end_ns,latency_ns\n");
	}
	for (int i = optind; i < argc && !ret; i++)
		ret = run_scenario(argv[i], execs, nexec, csv);
	if (csv && fclose(csv) && !ret)
		ret = -EIO;
	free(list);
	return ret ? 1 : 0;
}
