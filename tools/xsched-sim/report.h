/* SPDX-License-Identifier: MIT */
/*
 * The tables xsched-sim prints, shared with the hardware player
 * (tools/hw/axs-hw-scenario) so that a prediction and a measurement of the
 * same scenario read the same way.
 */
#ifndef XSIM_REPORT_H
#define XSIM_REPORT_H

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The scenario's name, window and tenants. */
void xsim_describe(const struct xsim_scenario *s);
/* One tenant alone: p50, p99, throughput. */
void xsim_alone_line(const struct xsim_scenario *s, uint32_t tenant, const struct xsim_result *r);
void xsim_table_header(void);
/* One executor's rows, against the tenants alone (@alone[i] for tenant i). */
void xsim_table_row(const struct xsim_scenario *s, const char *exec, const struct xsim_result *r,
		    const struct xsim_result *alone, double wall_s);
/* What the columns mean. */
void xsim_table_legend(void);

#ifdef __cplusplus
}
#endif

#endif /* XSIM_REPORT_H */
