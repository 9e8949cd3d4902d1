// SPDX-License-Identifier: MIT
/* xsched-sim: latency CDFs and timelines as plain SVG (no plotting library needed). */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W	760.0
#define H	460.0
#define L	70.0		/* plot area: left, right, top, bottom margins */
#define R	190.0
#define T	40.0
#define B	50.0
#define POINTS	400		/* quantiles drawn per series */

static const char *const colours[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8",
};

static void text_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

/* A new SVG of @w x @h on white, with @title at @x. NULL with errno set. */
static FILE *svg_open(const char *path, double w, double h, double x, const char *title)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return NULL;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
		"height=\"100%%\" fill=\"white\"/>\n<text x=\"%.0f\" y=\"22\" font-size=\"14\">",
		w, h, x);
	text_escaped(f, title);
	fputs("</text>\n", f);
	return f;
}

int xsim_plot_cdf(const char *path, const char *title, const struct xsim_series *s, int n)
{
	double lo = INFINITY, hi = 0, llo, lhi;
	FILE *f;

	for (int i = 0; i < n; i++) {
		if (!s[i].n)
			continue;
		if ((double)s[i].v[0] < lo)
			lo = (double)s[i].v[0];
		if ((double)s[i].v[s[i].n - 1] > hi)
			hi = (double)s[i].v[s[i].n - 1];
	}
	if (!(hi > 0))
		return -ENODATA;
	/* whole decades of milliseconds around the data */
	llo = floor(log10(lo / 1e6));
	lhi = ceil(log10(hi / 1e6));
	if (lhi <= llo)
		lhi = llo + 1;
	f = svg_open(path, W, H, L, title);
	if (!f)
		return -errno;
	/* axes, grid and ticks: x log10(ms), y fraction of requests */
	for (double d = llo; d <= lhi + 1e-9; d += 1) {
		double x = L + (d - llo) / (lhi - llo) * (W - L - R);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
			"<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n", x, T, x,
			H - B, x, H - B + 16, pow(10, d));
	}
	for (int k = 0; k <= 10; k += 2) {
		double y = H - B - k / 10.0 * (H - T - B);

		fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", L, y,
			W - R, y, L - 6, y + 4, k / 10.0);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">latency (ms, log scale)"
		"</text>\n<text x=\"16\" y=\"%.0f\" transform=\"rotate(-90 16 %.0f)\" "
		"text-anchor=\"middle\">fraction of requests</text>\n", (L + W - R) / 2, H - 12,
		(T + H - B) / 2, (T + H - B) / 2);
	for (int i = 0; i < n; i++) {
		const char *c = colours[i % (int)(sizeof(colours) / sizeof(colours[0]))];
		double ly = T + 14 + 18 * i;

		if (!s[i].n)
			continue;
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", c);
		for (int k = 0; k <= POINTS; k++) {
			uint64_t idx = (uint64_t)((double)(s[i].n - 1) * k / POINTS);
			double ms = (double)s[i].v[idx] / 1e6;
			double x = L + (log10(ms) - llo) / (lhi - llo) * (W - L - R);
			double y = H - B - (double)(idx + 1) / (double)s[i].n * (H - T - B);

			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fprintf(f, "\"/>\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
			"stroke-width=\"3\"/><text x=\"%.0f\" y=\"%.0f\">", W - R + 12, ly, W - R + 32,
			ly, c, W - R + 38, ly + 4);
		text_escaped(f, s[i].name);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
	return fclose(f) ? -errno : 0;
}

/* ---- timelines ------------------------------------------------------------ */

#define TL_W		960.0
#define TL_L		110.0	/* left margin: lane names */
#define TL_R		20.0
#define TL_T		40.0
#define TL_LANE		34.0	/* height of a lane */

/* A span drawn in the window, clipped to it. */
static void tl_rect(FILE *f, const struct xsim_timeline *tl, uint64_t t0, uint64_t t1,
		    double y, double h, const char *fill, const char *extra)
{
	double span = (double)(tl->to_ns - tl->from_ns);
	uint64_t a = t0 < tl->from_ns ? tl->from_ns : t0;
	uint64_t b = t1 > tl->to_ns ? tl->to_ns : t1;
	double x0 = TL_L + (double)(a - tl->from_ns) / span * (TL_W - TL_L - TL_R);
	double x1 = TL_L + (double)(b - tl->from_ns) / span * (TL_W - TL_L - TL_R);

	/* at least a hairline, so that a 20 us remap in a second still shows */
	fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"%s/>\n",
		x0, y, x1 - x0 < 0.4 ? 0.4 : x1 - x0, h, fill, extra);
}

int xsim_plot_timeline(const char *path, const char *title, const struct xsim_timeline *tl,
		       const char *const *lanes, uint32_t nlanes)
{
	double plot_h = TL_LANE * (nlanes + 1), h = TL_T + plot_h + 70;
	double span_ms = (double)(tl->to_ns - tl->from_ns) / 1e6;
	FILE *f;

	if (tl->err)
		return tl->err;
	if (!nlanes || nlanes > XSIM_TL_LANES || tl->to_ns <= tl->from_ns)
		return -EINVAL;
	f = svg_open(path, TL_W, h, TL_L, title);
	if (!f)
		return -errno;
	/* a tick every tenth of the window */
	for (int k = 0; k <= 10; k++) {
		double x = TL_L + k / 10.0 * (TL_W - TL_L - TL_R);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
			"<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n", x, TL_T, x,
			TL_T + plot_h, x, TL_T + plot_h + 16,
			round((double)tl->from_ns / 1e6 + k * span_ms / 10));
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">time (ms)</text>\n",
		(TL_L + TL_W - TL_R) / 2, TL_T + plot_h + 34);
	for (uint32_t i = 0; i <= nlanes; i++) {
		double y = TL_T + TL_LANE * i;

		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", TL_L - 8,
			y + TL_LANE / 2 + 4);
		text_escaped(f, i < nlanes ? lanes[i] : "GPU remaps");
		fputs("</text>\n", f);
	}
	/* busy first, suspended over it, then requests; remaps in their own lane */
	for (int pass = 0; pass < 4; pass++) {
		for (size_t k = 0; k < tl->n; k++) {
			const struct xsim_tl_span *sp = &tl->v[k];
			const char *c = colours[sp->lane % (sizeof(colours) / sizeof(colours[0]))];
			double y = TL_T + TL_LANE * sp->lane;

			if ((int)sp->kind != pass || (sp->kind != XSIM_TL_REMAP && sp->lane >= nlanes))
				continue;
			switch (sp->kind) {
			case XSIM_TL_BUSY:
				tl_rect(f, tl, sp->t0, sp->t1, y + 6, TL_LANE - 12, c,
					" fill-opacity=\"0.55\"");
				break;
			case XSIM_TL_SUSPENDED:
				tl_rect(f, tl, sp->t0, sp->t1, y + 4, TL_LANE - 8, "#555",
					" fill-opacity=\"0.45\"");
				break;
			case XSIM_TL_REMAP:
				tl_rect(f, tl, sp->t0, sp->t1, TL_T + TL_LANE * nlanes + 6,
					TL_LANE - 12, "#e6a000", "");
				break;
			case XSIM_TL_REQUEST:
				if (sp->t1 >= tl->from_ns && sp->t1 < tl->to_ns)
					tl_rect(f, tl, sp->t1, sp->t1, y + 2, TL_LANE - 4, "#000", "");
				break;
			}
		}
	}
	/* what is still busy or suspended at the window's end */
	for (uint32_t i = 0; i < nlanes; i++) {
		double y = TL_T + TL_LANE * i;

		if (tl->busy_since[i] && tl->busy_since[i] < tl->to_ns)
			tl_rect(f, tl, tl->busy_since[i], tl->to_ns, y + 6, TL_LANE - 12,
				colours[i % (sizeof(colours) / sizeof(colours[0]))],
				" fill-opacity=\"0.55\"");
		if (tl->susp_since[i] && tl->susp_since[i] < tl->to_ns)
			tl_rect(f, tl, tl->susp_since[i], tl->to_ns, y + 4, TL_LANE - 8, "#555",
				" fill-opacity=\"0.45\"");
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" fill=\"#444\">coloured: busy; grey over it: "
		"suspended; black tick: a request done; amber: the GPU paused by a remap</text>\n",
		TL_L, TL_T + plot_h + 56);
	fputs("</svg>\n", f);
	return fclose(f) ? -errno : 0;
}
