// SPDX-License-Identifier: MIT
/*
 * policy-bench: what one event costs the policy library (the busy or idle
 * transition plus the decision it triggers), at 10, 100 and 1000 queues
 * over 8 GPUs, for each policy. Host only; no module. Sizes run
 * interleaved, each figure is the median over rounds, and every figure is
 * also given as a ratio to the 10-queue case of the same run, which is what
 * survives a noisy machine.
 *
 * Then, for each policy's decisions at 100 queues, the whole-GPU remaps
 * they cost per GPU they touch: with xschedd's one APPLY call per GPU (one
 * remap on the simulated GPU, apply_test) and with one call per kind of
 * change, as before APPLY (each call one remap on HWS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/amdxsched.h>

#include "axs_policy.h"

#define NGPUS	8
#define ROUNDS	11
#define EVENTS	4000

static const uint32_t sizes[] = { 10, 100, 1000 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One process per 4 queues; every fourth process realtime, with a deadline. */
static struct axsp *setup(enum axsp_kind kind, uint32_t nq)
{
	struct axsp_config c;
	struct axsp_topo t = { .num_xcc = 4, .num_se = 4, .num_sh = 1 };
	struct axsp *p;

	axsp_config_default(&c);
	c.kind = kind;
	if (kind == AXSP_SPATIAL)
		c.cu_mode = AXSP_CU_SHARE;
	p = axsp_new(&c);
	if (!p)
		return NULL;
	for (int x = 0; x < 4; x++)
		for (int se = 0; se < 4; se++)
			t.active_cu[x][se][0] = 0x1f;
	for (uint32_t g = 0; g < NGPUS; g++)
		axsp_gpu_add(p, g, &t);
	for (uint32_t pid = 1; pid <= (nq + 3) / 4; pid++) {
		struct axsp_proc_attr a = {
			.sched_class = pid % 4 == 1 ? AXSP_CLASS_REALTIME : AXSP_CLASS_BEST_EFFORT,
			.priority = -1, .share = 0,
			.deadline_ns = pid % 4 == 1 ? 20000000 : 0,
		};

		axsp_proc_set(p, pid, &a);
	}
	for (uint32_t q = 0; q < nq; q++)
		axsp_queue_add(p, q + 1, q % NGPUS, q / 4 + 1, 7, 0, q % 2, 0);
	return p;
}

/* ns per event: a queue flips busy or idle, then a decision. */
static uint64_t run(struct axsp *p, uint32_t nq, uint64_t *t, uint32_t *seed)
{
	struct axsp_plan plan;
	uint64_t t0 = now_ns();

	for (int i = 0; i < EVENTS; i++) {
		*seed = *seed * 1103515245u + 12345u;
		*t += 50000 + (*seed >> 16) % 500000;	/* 50..550 us apart */
		axsp_queue_busy(p, (*seed >> 4) % nq + 1, (*seed >> 24) & 1, *t);
		axsp_decide(p, *t, &plan);
	}
	return (now_ns() - t0) / EVENTS;
}

/* Calls (so remaps) @gp costs without APPLY: one per kind and batch, one per CU mask. */
static uint32_t separate_calls(const struct axsp_gpu_plan *gp)
{
	uint32_t n = gp->n_cu;
	const uint32_t b = AMDXSCHED_MAX_BATCH;

	n += (gp->n_prio + b - 1) / b;
	n += (gp->n_suspend[0] + b - 1) / b + (gp->n_suspend[1] + b - 1) / b;
	n += (gp->n_resume + b - 1) / b;
	return n;
}

/* Remaps per GPU touched, over the decisions of EVENTS events at 100 queues. */
static int remaps_per_decision(void)
{
	printf("\nremaps per GPU a decision touches, 100 queues, %d events\n", EVENTS);
	printf("%-10s %10s %12s %14s %16s\n", "policy", "decisions", "GPUs touched",
	       "APPLY (1/GPU)", "separate calls");
	for (int k = 0; k < AXSP_NKINDS; k++) {
		struct axsp *p = setup((enum axsp_kind)k, 100);
		uint64_t t = 0, decisions = 0, touched = 0, separate = 0, apply = 0;
		struct axsp_plan plan;
		uint32_t seed = 7;

		if (!p)
			return 1;
		for (int i = 0; i < EVENTS; i++) {
			seed = seed * 1103515245u + 12345u;
			t += 50000 + (seed >> 16) % 500000;
			axsp_queue_busy(p, (seed >> 4) % 100 + 1, (seed >> 24) & 1, t);
			if (axsp_decide(p, t, &plan) <= 0 || !plan.n_gpus)
				continue;
			decisions++;
			for (uint32_t g = 0; g < plan.n_gpus; g++) {
				touched++;
				apply++;	/* xschedd: one APPLY per GPU plan */
				separate += separate_calls(&plan.gpus[g]);
			}
		}
		axsp_free(p);
		printf("%-10s %10llu %12llu %14.2f %16.2f\n", axsp_kind_name((enum axsp_kind)k),
		       (unsigned long long)decisions, (unsigned long long)touched,
		       touched ? (double)apply / touched : 0.0,
		       touched ? (double)separate / touched : 0.0);
		printf("bench.%s_remaps_per_gpu_apply=%.2f\nbench.%s_remaps_per_gpu_separate=%.2f\n",
		       axsp_kind_name((enum axsp_kind)k), touched ? (double)apply / touched : 0.0,
		       axsp_kind_name((enum axsp_kind)k),
		       touched ? (double)separate / touched : 0.0);
	}
	return 0;
}

int main(void)
{
	uint64_t res[AXSP_NKINDS][NSIZES][ROUNDS];

	printf("policy-bench: ns per event (busy/idle + decision), %u GPUs, median of %d rounds\n",
	       NGPUS, ROUNDS);
	for (int k = 0; k < AXSP_NKINDS; k++) {
		struct axsp *p[NSIZES];
		uint64_t t[NSIZES] = { 0 };
		uint32_t seed = 1;

		for (size_t s = 0; s < NSIZES; s++) {
			p[s] = setup((enum axsp_kind)k, sizes[s]);
			if (!p[s]) {
				fprintf(stderr, "policy-bench: setup failed\n");
				return 1;
			}
		}
		for (int r = 0; r < ROUNDS; r++)
			for (size_t s = 0; s < NSIZES; s++)
				res[k][s][r] = run(p[s], sizes[s], &t[s], &seed);
		for (size_t s = 0; s < NSIZES; s++)
			axsp_free(p[s]);
	}
	printf("%-10s", "policy");
	for (size_t s = 0; s < NSIZES; s++)
		printf(" %8u queues", sizes[s]);
	printf("   ratio 100/10  1000/10\n");
	for (int k = 0; k < AXSP_NKINDS; k++) {
		uint64_t med[NSIZES];

		for (size_t s = 0; s < NSIZES; s++) {
			qsort(res[k][s], ROUNDS, sizeof(uint64_t), cmp_u64);
			med[s] = res[k][s][ROUNDS / 2];
		}
		printf("%-10s", axsp_kind_name((enum axsp_kind)k));
		for (size_t s = 0; s < NSIZES; s++)
			printf(" %11llu ns", (unsigned long long)med[s]);
		printf("   %12.1fx %7.1fx\n", (double)med[1] / (double)med[0],
		       (double)med[2] / (double)med[0]);
	}
	return remaps_per_decision();
}
