// SPDX-License-Identifier: MIT
/* xsched-sim: latency CDF plots as plain SVG (no plotting library needed). */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
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
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
		"height=\"100%%\" fill=\"white\"/>\n<text x=\"%.0f\" y=\"22\" font-size=\"14\">",
		W, H, L);
	text_escaped(f, title);
	fputs("</text>\n", f);
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
