// SPDX-License-Identifier: MIT
/*
 * GPU names and the topology cross-check: see axs_gpuname.h. Everything
 * here runs without a GPU; libdrm_amdgpu is in axs_drm.c.
 */
#include "axs_gpuname.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int axs_kfd_node_parse(const char *text, struct axs_kfd_node *n)
{
	static const struct {
		const char *key;
		size_t off;
		bool wide;
	} fields[] = {
#define F(k, f) { k, offsetof(struct axs_kfd_node, f), sizeof(((struct axs_kfd_node *)0)->f) == 8 }
		F("domain", domain),
		F("location_id", location_id),
		F("unique_id", unique_id),
		F("drm_render_minor", drm_render_minor),
		F("num_xcc", num_xcc),
		F("simd_count", simd_count),
		F("simd_per_cu", simd_per_cu),
		F("device_id", device_id),
		F("gfx_target_version", gfx_target_version),
#undef F
	};
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			size_t kl = strlen(fields[i].key);
			unsigned long long v;
			char *e;

			if (len <= kl || strncmp(line, fields[i].key, kl) || line[kl] != ' ')
				continue;
			errno = 0;
			v = strtoull(line + kl + 1, &e, 10);
			if (errno || e == line + kl + 1 || (e != line + len && *e != '\n'))
				return -EINVAL;
			if (fields[i].wide) {
				uint64_t w = v;

				memcpy((char *)n + fields[i].off, &w, sizeof(w));
			} else {
				uint32_t w = (uint32_t)v;

				if (v > UINT32_MAX)
					return -EINVAL;
				memcpy((char *)n + fields[i].off, &w, sizeof(w));
			}
		}
		line = end ? end + 1 : NULL;
	}
	return 0;
}

void axs_pci_format(uint32_t domain, uint32_t location_id, char *buf, size_t len)
{
	snprintf(buf, len, "%04" PRIx32 ":%02" PRIx32 ":%02" PRIx32 ".%" PRIx32, domain & 0xffff,
		 (location_id >> 8) & 0xff, (location_id >> 3) & 0x1f, location_id & 7);
}

/*
 * As rocm_smi_lib (which amd-smi uses) orders GPUs since ROCm 6.0: a stable
 * sort of the nodes by domain and location_id, whose bits 28-31 (a
 * partition's number, on kernels that set it) are left out, so the
 * partitions of one device stay in KFD's node order.
 */
#define AXS_LOCATION_BDF_MASK	0x0fffffffU

static int smi_before(const struct axs_kfd_node *a, const struct axs_kfd_node *b)
{
	uint32_t la = a->location_id & AXS_LOCATION_BDF_MASK;
	uint32_t lb = b->location_id & AXS_LOCATION_BDF_MASK;

	if (a->domain != b->domain)
		return a->domain < b->domain;
	if (la != lb)
		return la < lb;
	return a->node < b->node;
}

void axs_smi_index(const struct axs_kfd_node *nodes, size_t n, uint32_t *index)
{
	/* a host has at most a few dozen GPU nodes: count who goes before */
	for (size_t i = 0; i < n; i++) {
		index[i] = 0;
		for (size_t j = 0; j < n; j++)
			index[i] += j != i && smi_before(&nodes[j], &nodes[i]);
	}
}

/* A whole small sysfs file into @buf; 0 or -errno. */
static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t got;
	int err;

	if (!f)
		return -errno;
	got = fread(buf, 1, len - 1, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	buf[got] = '\0';
	return err;
}

static int node_cmp(const void *a, const void *b)
{
	const struct axs_kfd_node *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

int axs_gpu_names_load(const char *nodes_dir, struct axs_gpu_name **out)
{
	struct axs_kfd_node *nodes = NULL;
	struct axs_gpu_name *names;
	uint32_t *index;
	struct dirent *de;
	size_t n = 0, cap = 0;
	char path[512], buf[4096];
	DIR *dir;
	int err = 0;

	*out = NULL;
	dir = opendir(nodes_dir);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		struct axs_kfd_node nd;
		unsigned long num, id;
		char *e;

		num = strtoul(de->d_name, &e, 10);
		if (e == de->d_name || *e || num > UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%s/gpu_id", nodes_dir, de->d_name);
		if (read_file(path, buf, sizeof(buf)))
			continue;	/* a node going away */
		id = strtoul(buf, &e, 10);
		if (e == buf || !id || id > UINT32_MAX)
			continue;	/* a CPU node */
		memset(&nd, 0, sizeof(nd));
		nd.node = (uint32_t)num;
		nd.gpu_id = (uint32_t)id;
		snprintf(path, sizeof(path), "%s/%s/properties", nodes_dir, de->d_name);
		err = read_file(path, buf, sizeof(buf));
		if (!err)
			err = axs_kfd_node_parse(buf, &nd);
		if (err)
			break;
		if (n == cap) {
			struct axs_kfd_node *t;

			cap = cap ? 2 * cap : 8;
			t = realloc(nodes, cap * sizeof(*nodes));
			if (!t) {
				err = -ENOMEM;
				break;
			}
			nodes = t;
		}
		nodes[n++] = nd;
	}
	closedir(dir);
	if (err || !n) {
		free(nodes);
		return err;
	}

	qsort(nodes, n, sizeof(*nodes), node_cmp);
	names = calloc(n, sizeof(*names));
	index = calloc(n, sizeof(*index));
	if (!names || !index) {
		free(names);
		free(index);
		free(nodes);
		return -ENOMEM;
	}
	axs_smi_index(nodes, n, index);
	for (size_t i = 0; i < n; i++) {
		names[i].kfd_gpu_id = nodes[i].gpu_id;
		names[i].smi_index = index[i];
		names[i].render_minor = nodes[i].drm_render_minor;
		names[i].unique_id = nodes[i].unique_id;
		axs_pci_format(nodes[i].domain, nodes[i].location_id, names[i].pci,
			       sizeof(names[i].pci));
	}
	free(index);
	free(nodes);
	*out = names;
	return (int)n;
}

const struct axs_gpu_name *axs_gpu_name_find(const struct axs_gpu_name *v, int n,
					     uint32_t kfd_gpu_id)
{
	for (int i = 0; i < n && kfd_gpu_id; i++)
		if (v[i].kfd_gpu_id == kfd_gpu_id)
			return &v[i];
	return NULL;
}

void axs_gpu_name_label(const struct axs_gpu_name *n, char *buf, size_t len)
{
	snprintf(buf, len, "amd-smi %" PRIu32 ", %s%s%s", n->smi_index, n->pci,
		 n->name[0] ? ", " : "", n->name);
}

__attribute__((format(printf, 3, 4)))
static void finding(axs_finding_fn fn, void *ctx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fn)
		fn(ctx, msg);
}

int axs_topo_self_check(const struct amdxsched_gpu_info *g, axs_finding_fn fn, void *ctx)
{
	uint32_t x, se, sh, cus = 0;
	int bad = 0;

	if (!g->num_xcc || g->num_xcc > AMDXSCHED_MAX_XCC || !g->num_se_per_xcc ||
	    g->num_se_per_xcc > AMDXSCHED_MAX_SE || !g->num_sh_per_se ||
	    g->num_sh_per_se > AMDXSCHED_MAX_SH) {
		finding(fn, ctx, "shape %" PRIu32 " XCC x %" PRIu32 " SE x %" PRIu32
			" SH is outside 1-%d x 1-%d x 1-%d", g->num_xcc, g->num_se_per_xcc,
			g->num_sh_per_se, AMDXSCHED_MAX_XCC, AMDXSCHED_MAX_SE, AMDXSCHED_MAX_SH);
		return 1;
	}
	for (x = 0; x < AMDXSCHED_MAX_XCC; x++)
		for (se = 0; se < AMDXSCHED_MAX_SE; se++)
			for (sh = 0; sh < AMDXSCHED_MAX_SH; sh++) {
				uint16_t m = g->active_cu[x][se][sh];
				bool inside = x < g->num_xcc && se < g->num_se_per_xcc &&
					      sh < g->num_sh_per_se;

				if (m && !inside) {
					finding(fn, ctx, "active CUs 0x%04x at XCC %" PRIu32
						" SE %" PRIu32 " SH %" PRIu32 ", outside the shape",
						m, x, se, sh);
					bad++;
				}
				cus += (uint32_t)__builtin_popcount(m);
			}
	if (cus != g->num_cu) {
		finding(fn, ctx, "the active-CU bitmaps hold %" PRIu32 " CUs, num_cu says %" PRIu32,
			cus, g->num_cu);
		bad++;
	}
	return bad;
}

int axs_topo_cross_check(const struct amdxsched_gpu_info *g, const struct axs_drm_gpu *d,
			 bool *partition, axs_finding_fn fn, void *ctx)
{
	uint32_t se, sh;
	int bad = 0;

	*partition = false;
	if (d->num_se != g->num_se_per_xcc) {
		finding(fn, ctx, "shader engines per XCC: module %" PRIu32 ", amdgpu %" PRIu32,
			g->num_se_per_xcc, d->num_se);
		bad++;
	}
	if (d->num_sh_per_se != g->num_sh_per_se) {
		finding(fn, ctx, "shader arrays per engine: module %" PRIu32 ", amdgpu %" PRIu32,
			g->num_sh_per_se, d->num_sh_per_se);
		bad++;
	}
	if (g->num_cu != d->cu_active_number) {
		/* amdgpu counts the whole device; a partition has an equal share */
		if (g->num_cu && g->num_cu < d->cu_active_number &&
		    d->cu_active_number % g->num_cu == 0) {
			*partition = true;
		} else {
			finding(fn, ctx, "active CUs: module %" PRIu32 ", amdgpu %" PRIu32,
				g->num_cu, d->cu_active_number);
			bad++;
		}
	}
	if (bad || *partition)
		return bad;
	for (se = 0; se < g->num_se_per_xcc && se < 4; se++)
		for (sh = 0; sh < g->num_sh_per_se && sh < AMDXSCHED_MAX_SH; sh++) {
			uint32_t mod = g->active_cu[0][se][sh], drm = d->cu_bitmap[se][sh];

			if (mod != drm) {
				finding(fn, ctx, "active CUs of XCC 0 SE %" PRIu32 " SH %" PRIu32
					": module 0x%04" PRIx32 ", amdgpu 0x%04" PRIx32,
					se, sh, mod, drm);
				bad++;
			}
		}
	return bad;
}
