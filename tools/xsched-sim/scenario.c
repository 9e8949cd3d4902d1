// SPDX-License-Identifier: MIT
/*
 * Scenario files: see scenario.h. The scenario's own lines are taken here;
 * every other line goes, at its own line number, to xschedd's parser.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axs_parse.h"

#define LINE_LEN 1024

struct sparser {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
	struct xsim_scenario *s;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct sparser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->name, ps->line, msg);
	return -EINVAL;
}

static char *word(char **s)
{
	char *w, *p = *s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	w = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return w;
}

static struct xsim_tenant *tenant_by_name(struct xsim_scenario *s, const char *name)
{
	for (uint32_t i = 0; i < s->ntenants; i++)
		if (!strcmp(s->tenants[i].name, name))
			return &s->tenants[i];
	return NULL;
}

static int duration(struct sparser *ps, const char *key, const char *val, uint64_t *ns)
{
	if (axs_parse_duration(val, ns))
		return fail(ps, "%s: '%s' is not a duration (e.g. 50ms)", key, val);
	return 0;
}

static int number(struct sparser *ps, const char *key, const char *val, uint64_t max,
		  uint64_t *v)
{
	if (axs_parse_uint(val, max, v))
		return fail(ps, "%s: '%s' is not a number of at most %llu", key, val,
			    (unsigned long long)max);
	return 0;
}

static int tenant_line(struct sparser *ps, char *rest)
{
	struct xsim_scenario *s = ps->s;
	struct xsim_tenant *t;
	char *name = word(&rest), *w;
	bool have_arrival = false;
	uint64_t v;

	if (!name)
		return fail(ps, "tenant: a name is needed");
	if (strlen(name) >= sizeof(t->name) || tenant_by_name(s, name))
		return fail(ps, "tenant '%s': too long, or already defined", name);
	if (s->ntenants == XSIM_MAX_TENANTS)
		return fail(ps, "more than %d tenants", XSIM_MAX_TENANTS);
	t = &s->tenants[s->ntenants];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->sched_class = AXSP_CLASS_NORMAL;
	t->priority = -1;
	t->process = -1;
	t->after = -1;
	while ((w = word(&rest))) {
		char *eq = strchr(w, '=');
		const char *val;

		if (!eq)
			return fail(ps, "tenant %s: '%s' is not key=value", name, w);
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(w, "class")) {
			t->sched_class = axs_class_parse(val);
			if (!t->sched_class)
				return fail(ps, "class: '%s' (realtime, normal, best-effort)", val);
		} else if (!strcmp(w, "priority")) {
			if (number(ps, w, val, 15, &v))
				return -EINVAL;
			t->priority = (int32_t)v;
		} else if (!strcmp(w, "share")) {
			if (number(ps, w, val, 1000, &v))
				return -EINVAL;
			if (!v)
				return fail(ps, "share: 1..1000");
			t->share = (uint32_t)v;
		} else if (!strcmp(w, "deadline")) {
			if (duration(ps, w, val, &t->deadline_ns))
				return -EINVAL;
		} else if (!strcmp(w, "arrival")) {
			if (!strcmp(val, "periodic"))
				t->arrival = XSIM_PERIODIC;
			else if (!strcmp(val, "poisson"))
				t->arrival = XSIM_POISSON;
			else if (!strcmp(val, "closed"))
				t->arrival = XSIM_CLOSED;
			else
				return fail(ps, "arrival: '%s' (periodic, poisson, closed)", val);
			have_arrival = true;
		} else if (!strcmp(w, "period")) {
			if (duration(ps, w, val, &t->period_ns))
				return -EINVAL;
		} else if (!strcmp(w, "process")) {
			const struct xsim_tenant *o = tenant_by_name(s, val);

			if (!o || o->process >= 0)
				return fail(ps, "process: '%s' is not a tenant above with its own "
					    "process", val);
			t->process = (int32_t)(o - s->tenants);
		} else if (!strcmp(w, "after")) {
			const struct xsim_tenant *o = tenant_by_name(s, val);

			if (!o)
				return fail(ps, "after: '%s' is not a tenant above", val);
			t->after = (int32_t)(o - s->tenants);
			t->arrival = XSIM_AFTER;
			have_arrival = true;
		} else if (!strcmp(w, "think")) {
			if (duration(ps, w, val, &t->think_ns))
				return -EINVAL;
		} else {
			return fail(ps, "tenant %s: unknown key '%s'", name, w);
		}
	}
	if (!have_arrival)
		return fail(ps, "tenant %s: arrival= or after= is needed", name);
	if (t->after >= 0 && (t->arrival != XSIM_AFTER || t->period_ns || t->think_ns))
		return fail(ps, "tenant %s: after= takes the place of arrival=, period= and think=",
			    name);
	if (t->arrival != XSIM_CLOSED && t->arrival != XSIM_AFTER && !t->period_ns)
		return fail(ps, "tenant %s: a %s arrival needs period=", name,
			    t->arrival == XSIM_PERIODIC ? "periodic" : "poisson");
	s->ntenants++;
	return 0;
}

/*
 * One CSV line into at most @max fields (quotes removed, commas inside
 * quotes kept); returns the count. @line is modified.
 */
static int csv_fields(char *line, char **f, int max)
{
	int n = 0;
	char *p = line, *o;

	while (n < max) {
		bool quoted = *p == '"';

		if (quoted)
			p++;
		f[n++] = o = p;
		while (*p && (quoted ? *p != '"' || p[1] == '"' : *p != ',')) {
			if (quoted && *p == '"')
				p++;	/* "" inside quotes */
			*o++ = *p++;
		}
		if (quoted && *p == '"')
			p++;
		if (*p != ',') {
			*o = '\0';
			break;
		}
		p++;
		*o = '\0';
	}
	return n;
}

static int column(char **f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(f[i], name))
			return i;
	return -1;
}

/*
 * kernels NAME trace=FILE [queue=N]: the kernel dispatches of a rocprofv3
 * kernel trace (--kernel-trace, CSV), in their order, as kernels of the
 * model: workgroups from the grid and workgroup sizes, the footprint from
 * the registers and LDS, and each workgroup's time such that the kernel
 * alone on the model's GPU takes as long as it did when traced.
 */
static int trace_kernels(struct sparser *ps, struct xsim_tenant *t, const char *file,
			 long queue)
{
	enum { GX, GY, GZ, WX, WY, WZ, T0, T1, LDS, VGPR, AGPR, SGPR, QUEUE, NCOL };
	static const char *const names[NCOL] = {
		"Grid_Size_X", "Grid_Size_Y", "Grid_Size_Z", "Workgroup_Size_X",
		"Workgroup_Size_Y", "Workgroup_Size_Z", "Start_Timestamp", "End_Timestamp",
		"LDS_Block_Size", "VGPR_Count", "Accum_VGPR_Count", "SGPR_Count", "Queue_Id",
	};
	const struct axs_sim_params *gp = &ps->s->gpu;
	char path[512], line[4096], *f[64];
	const char *slash = strrchr(ps->name, '/');
	uint32_t before = t->nkernels;
	int col[NCOL], nf, row = 0;
	FILE *in;

	if (file[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - ps->name), ps->name, file);
	in = fopen(path, "re");
	if (!in)
		return fail(ps, "trace %s: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), in)) {
		fclose(in);
		return fail(ps, "trace %s: empty", path);
	}
	line[strcspn(line, "\r\n")] = '\0';
	nf = csv_fields(line, f, 64);
	for (int c = 0; c < NCOL; c++) {
		col[c] = column(f, nf, names[c]);
		if (col[c] < 0 && c != AGPR && c != QUEUE) {
			fclose(in);
			return fail(ps, "trace %s: no column %s (a rocprofv3 kernel_trace.csv?)",
				    path, names[c]);
		}
	}
	while (fgets(line, sizeof(line), in)) {
		uint64_t v[NCOL] = { 0 }, wgs, waves, fp, per_cu, rounds, ns;
		struct xsim_kernel k;

		row++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		nf = csv_fields(line, f, 64);
		for (int c = 0; c < NCOL; c++) {
			if (col[c] < 0)
				continue;
			if (col[c] >= nf || axs_parse_uint(f[col[c]], UINT64_MAX, &v[c])) {
				fclose(in);
				return fail(ps, "trace %s: row %d: %s is not a number", path, row,
					    names[c]);
			}
		}
		if (queue >= 0 && col[QUEUE] >= 0 && v[QUEUE] != (uint64_t)queue)
			continue;
		if (!v[WX] || !v[WY] || !v[WZ] || v[T1] < v[T0]) {
			fclose(in);
			return fail(ps, "trace %s: row %d: a zero workgroup size or an end before "
				    "the start", path, row);
		}
		wgs = ((v[GX] + v[WX] - 1) / v[WX]) * ((v[GY] + v[WY] - 1) / v[WY]) *
		      ((v[GZ] + v[WZ] - 1) / v[WZ]);
		waves = (v[WX] * v[WY] * v[WZ] + 63) / 64;
		/* wave state: 64 lanes x 4 bytes per VGPR, 4 bytes per SGPR, and the LDS */
		fp = waves * ((v[VGPR] + v[AGPR]) * 256 + v[SGPR] * 4) + v[LDS];
		if (!fp)
			fp = 1;
		if (fp > gp->cu_state_bytes)
			fp = gp->cu_state_bytes;
		per_cu = gp->cu_state_bytes / fp;
		if (per_cu > gp->max_wg_per_cu)
			per_cu = gp->max_wg_per_cu;
		rounds = (wgs + XSIM_NUM_CU * per_cu - 1) / (XSIM_NUM_CU * per_cu);
		ns = rounds ? (v[T1] - v[T0]) / rounds : 0;
		if (!wgs || wgs > AXS_SIM_MAX_GRID) {
			fclose(in);
			return fail(ps, "trace %s: row %d: %llu workgroups (1..%lu)", path, row,
				    (unsigned long long)wgs, (unsigned long)AXS_SIM_MAX_GRID);
		}
		if (t->nkernels == XSIM_MAX_KERNELS) {
			fclose(in);
			return fail(ps, "trace %s: more than %d kernels per request", path,
				    XSIM_MAX_KERNELS);
		}
		k.grid = (uint32_t)wgs;
		k.footprint = (uint32_t)fp;
		k.wg_ns = ns < AXS_SIM_MIN_WG_NS ? AXS_SIM_MIN_WG_NS :
			  ns > AXS_SIM_MAX_WG_NS ? AXS_SIM_MAX_WG_NS : ns;
		t->kernels[t->nkernels++] = k;
	}
	fclose(in);
	if (t->nkernels == before)
		return fail(ps, "trace %s: no kernel dispatch in it%s", path,
			    queue >= 0 ? " on that queue" : "");
	return 0;
}

static int kernels_line(struct sparser *ps, char *rest)
{
	struct xsim_kernel k = { 0 };
	struct xsim_tenant *t;
	char *name = word(&rest), *w;
	const char *trace = NULL;
	uint64_t count = 1, v;
	long queue = -1;

	t = name ? tenant_by_name(ps->s, name) : NULL;
	if (!t)
		return fail(ps, "kernels: '%s' is not a tenant defined above", name ? name : "");
	while ((w = word(&rest))) {
		char *eq = strchr(w, '=');

		if (!eq)
			return fail(ps, "kernels %s: '%s' is not key=value", name, w);
		*eq = '\0';
		if (!strcmp(w, "trace")) {
			trace = eq + 1;
		} else if (!strcmp(w, "queue")) {
			if (number(ps, w, eq + 1, UINT32_MAX, &v))
				return -EINVAL;
			queue = (long)v;
		} else if (!strcmp(w, "count")) {
			if (number(ps, w, eq + 1, XSIM_MAX_KERNELS, &count))
				return -EINVAL;
			if (!count)
				return fail(ps, "count: at least 1");
		} else if (!strcmp(w, "grid")) {
			if (number(ps, w, eq + 1, AXS_SIM_MAX_GRID, &v))
				return -EINVAL;
			if (!v)
				return fail(ps, "grid: at least 1");
			k.grid = (uint32_t)v;
		} else if (!strcmp(w, "wg")) {
			if (duration(ps, w, eq + 1, &k.wg_ns))
				return -EINVAL;
			if (k.wg_ns < AXS_SIM_MIN_WG_NS || k.wg_ns > AXS_SIM_MAX_WG_NS)
				return fail(ps, "wg: 1us..10s");
		} else if (!strcmp(w, "footprint")) {
			if (number(ps, w, eq + 1, UINT32_MAX, &v))
				return -EINVAL;
			k.footprint = (uint32_t)v;
		} else {
			return fail(ps, "kernels %s: unknown key '%s'", name, w);
		}
	}
	if (trace) {
		if (k.grid || k.wg_ns || k.footprint || count != 1)
			return fail(ps, "kernels %s: trace= takes no grid, wg, footprint or count",
				    name);
		return trace_kernels(ps, t, trace, queue);
	}
	if (!k.grid || !k.wg_ns)
		return fail(ps, "kernels %s: grid= and wg= are needed", name);
	if (t->nkernels + count > XSIM_MAX_KERNELS)
		return fail(ps, "tenant %s: more than %d kernels per request", name,
			    XSIM_MAX_KERNELS);
	while (count--)
		t->kernels[t->nkernels++] = k;
	return 0;
}

/* A "key = value" of the scenario's own; 1 if @key is not one. */
static int scenario_key(struct sparser *ps, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t off;
	} durations[] = {
		{ "duration", offsetof(struct xsim_scenario, duration_ns) },
		{ "warmup", offsetof(struct xsim_scenario, warmup_ns) },
		{ "react", offsetof(struct xsim_scenario, react_ns) },
		{ "ioctl", offsetof(struct xsim_scenario, ioctl_ns) },
		{ "gpu.unmap", offsetof(struct xsim_scenario, gpu.unmap_ns) },
		{ "gpu.map", offsetof(struct xsim_scenario, gpu.map_ns) },
		{ "gpu.launch", offsetof(struct xsim_scenario, gpu.launch_ns) },
	};
	struct xsim_scenario *s = ps->s;
	uint64_t v;

	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		if (!strcmp(key, durations[i].key))
			return duration(ps, key, val, (uint64_t *)((char *)s + durations[i].off));
	if (!strcmp(key, "seed"))
		return number(ps, key, val, UINT64_MAX, &s->seed);
	if (!strcmp(key, "gpu.save_bw"))
		return number(ps, key, val, UINT64_MAX, &s->gpu.save_bw);
	if (!strcmp(key, "gpu.restore_bw"))
		return number(ps, key, val, UINT64_MAX, &s->gpu.restore_bw);
	if (!strcmp(key, "gpu.cu_state_bytes")) {
		if (number(ps, key, val, UINT32_MAX, &v))
			return -EINVAL;
		s->gpu.cu_state_bytes = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "gpu.max_wg_per_cu")) {
		if (number(ps, key, val, AXS_SIM_MAX_WG_PER_CU, &v))
			return -EINVAL;
		s->gpu.max_wg_per_cu = (uint32_t)v;
		return 0;
	}
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* 0 taken, 1 for xschedd's parser, -EINVAL. */
static int parse_line(struct sparser *ps, char *line)
{
	char *hash = strchr(line, '#'), *s, *eq;
	int r;

	if (hash)
		*hash = '\0';
	s = trim(line);
	if (!*s)
		return 0;
	if (!strncmp(s, "tenant ", 7) || !strncmp(s, "tenant\t", 7))
		return tenant_line(ps, s + 7);
	if (!strncmp(s, "kernels ", 8) || !strncmp(s, "kernels\t", 8))
		return kernels_line(ps, s + 8);
	eq = strchr(s, '=');
	if (!eq)
		return 1;
	*eq = '\0';
	r = scenario_key(ps, trim(s), trim(eq + 1));
	return r;
}

int xsim_scenario_parse(const char *text, const char *name, struct xsim_scenario *s,
			char *err, size_t errlen)
{
	struct sparser ps = { .name = name, .err = err, .errlen = errlen, .s = s };
	const char *p = text, *base;
	char *policy, *out, buf[LINE_LEN];
	const char *slash = strrchr(name, '/');
	int r = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", slash ? slash + 1 : name);
	if (strchr(s->name, '.'))
		*strchr(s->name, '.') = '\0';
	s->duration_ns = 60ULL * 1000000000;
	s->warmup_ns = 1000000000;
	s->seed = 1;
	/* Assumptions until measured on hardware: Documentation/xsched-sim.rst. */
	s->react_ns = 50000;
	s->ioctl_ns = 20000;
	axs_sim_params_default(&s->gpu);
	s->gpu.launch_ns = 5000;

	/* xschedd's lines keep their numbers: the scenario's become empty */
	policy = malloc(strlen(text) + 1);
	if (!policy)
		return -ENOMEM;
	out = policy;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		ps.line++;
		base = p;
		p += n + (nl ? 1 : 0);
		if (n >= sizeof(buf)) {
			r = fail(&ps, "line longer than %d characters", LINE_LEN - 1);
			break;
		}
		memcpy(buf, base, n);
		buf[n] = '\0';
		r = parse_line(&ps, buf);
		if (r < 0)
			break;
		if (r > 0) {
			memcpy(out, base, n);
			out += n;
		}
		*out++ = '\n';
		r = 0;
	}
	*out = '\0';
	if (!r && !s->ntenants) {
		ps.line = 0;
		r = fail(&ps, "no tenant");
	}
	if (!r && axs_sim_params_check(&s->gpu)) {
		ps.line = 0;
		r = fail(&ps, "gpu.*: a cost outside the model's limits (sim-model.rst)");
	}
	if (!r && s->warmup_ns >= s->duration_ns) {
		ps.line = 0;
		r = fail(&ps, "warmup must be shorter than duration");
	}
	if (!r)
		r = xsd_config_parse(policy, name, &s->cfg, err, errlen);
	free(policy);
	return r;
}

/* The whole file at @path, NUL-terminated, or NULL with @err said. */
static char *slurp(const char *path, char *err, size_t errlen, int *r)
{
	FILE *f = fopen(path, "re");
	char *text;
	long len;

	if (!f) {
		*r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	*r = -EIO;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot size it", path);
		return NULL;
	}
	text = malloc((size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "%s: cannot read it", path);
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	*r = 0;
	return text;
}

int xsim_scenario_load(const char *path, struct xsim_scenario *s, char *err, size_t errlen)
{
	int r;
	char *text = slurp(path, err, errlen, &r);

	if (!text)
		return r;
	r = xsim_scenario_parse(text, path, s, err, errlen);
	free(text);
	return r;
}

int xsim_calibration_parse(const char *text, const char *name, struct xsim_scenario *s,
			   char *err, size_t errlen)
{
	static const char *const keys[] = {
		"react", "ioctl", "gpu.launch", "gpu.unmap", "gpu.map", "gpu.save_bw",
		"gpu.restore_bw",
	};
	struct xsim_scenario c = *s;	/* all or nothing */
	struct sparser ps = { .name = name, .err = err, .errlen = errlen, .s = &c };
	char buf[LINE_LEN];
	int r = 0;

	for (const char *p = text; *p && !r;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line, *hash, *eq, *key;
		bool known = false;

		ps.line++;
		if (n >= sizeof(buf))
			return fail(&ps, "line longer than %d characters", LINE_LEN - 1);
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + (nl ? 1 : 0);
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		line = trim(buf);
		if (!*line)
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return fail(&ps, "expected KEY = VALUE");
		*eq = '\0';
		key = trim(line);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= !strcmp(key, keys[i]);
		if (!known)
			return fail(&ps, "'%s' is not a calibration key (react, ioctl, gpu.launch, "
				    "gpu.unmap, gpu.map, gpu.save_bw, gpu.restore_bw)", key);
		r = scenario_key(&ps, key, trim(eq + 1));
	}
	if (r)
		return r;
	if (axs_sim_params_check(&c.gpu)) {
		ps.line = 0;
		return fail(&ps, "gpu.*: a cost outside the model's limits (sim-model.rst)");
	}
	s->react_ns = c.react_ns;
	s->ioctl_ns = c.ioctl_ns;
	s->gpu = c.gpu;
	return 0;
}

int xsim_calibration_load(const char *path, struct xsim_scenario *s, char *err, size_t errlen)
{
	int r;
	char *text = slurp(path, err, errlen, &r);

	if (!text)
		return r;
	r = xsim_calibration_parse(text, path, s, err, errlen);
	free(text);
	return r;
}

uint64_t xsim_first_arrival(uint32_t tenant)
{
	return 1000000 + tenant * 137000ULL;
}

uint64_t xsim_arrival_seed(const struct xsim_scenario *s, uint32_t tenant)
{
	return s->seed * 1000003 + tenant;
}

/* splitmix64: a fixed sequence per tenant and seed */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t xsim_arrival_gap(const struct xsim_tenant *t, uint64_t *rng)
{
	double u;

	if (t->arrival == XSIM_PERIODIC)
		return t->period_ns;
	u = ((double)(splitmix(rng) >> 11) + 0.5) / 9007199254740992.0;
	return (uint64_t)(-log(u) * (double)t->period_ns) + 1;
}

void xsim_scenario_free(struct xsim_scenario *s)
{
	xsd_config_free(&s->cfg);
}
