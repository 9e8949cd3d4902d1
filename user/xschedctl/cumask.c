// SPDX-License-Identifier: MIT
/*
 * xschedctl cumask: build a CU mask from hex words, a list of mask bits or
 * a fraction of the GPU, check that every XCC keeps a CU, and set it.
 */
#include "xschedctl.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axs_policy.h"

#define WORDS	AMDXSCHED_CU_MASK_WORDS
#define MAXBITS	AMDXSCHED_CU_MASK_MAX_BITS

enum how { HOW_NONE, HOW_HEX, HOW_CUS, HOW_FRACTION };

struct mask_req {
	enum how how;
	const char *arg;	/* as given, for messages */
	bool topology;
	double fraction;	/* HOW_FRACTION */
	uint32_t mask[WORDS];	/* HOW_HEX, HOW_CUS: parsed; HOW_FRACTION: built */
	uint32_t nbits;
};

struct gpu_topo {
	uint32_t gpu_id, num_xcc, num_cu;
	uint32_t xcc_cus[AMDXSCHED_MAX_XCC];	/* active CUs of each XCC */
	struct axsp_topo t;
};

static int parse_hex(const char *arg, uint32_t *mask, uint32_t *nbits)
{
	const char *p = arg;
	uint32_t n = 0;
	char *end;

	for (;;) {
		unsigned long v;

		if (n == WORDS)
			return xc_usage("mask '%s': more than %d words", arg, WORDS);
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		      (*p >= 'A' && *p <= 'F')))
			return xc_usage("mask '%s': word %" PRIu32 " is not hex", arg, n);
		errno = 0;
		v = strtoul(p, &end, 16);
		if (errno || v > UINT32_MAX)
			return xc_usage("mask '%s': word %" PRIu32 " has more than 32 bits",
					arg, n);
		mask[n++] = (uint32_t)v;
		if (!*end)
			break;
		if (*end != ',')
			return xc_usage("mask '%s': words are separated by ','", arg);
		p = end + 1;
	}
	*nbits = n * 32;
	return XC_OK;
}

static int parse_bit(const char *arg, const char **p, uint32_t *bit)
{
	unsigned long v;
	char *end;

	if (**p < '0' || **p > '9')
		return xc_usage("--cus '%s': expected a CU number at '%s'", arg, *p);
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v >= MAXBITS)
		return xc_usage("--cus '%s': bit numbers go up to %d", arg, MAXBITS - 1);
	*bit = (uint32_t)v;
	*p = end;
	return XC_OK;
}

/* "0-39,60": mask bits, ranges inclusive. */
static int parse_cus(const char *arg, uint32_t *mask, uint32_t *nbits)
{
	const char *p = arg;
	uint32_t lo, hi, b, top = 0;

	for (;;) {
		if (parse_bit(arg, &p, &lo))
			return XC_USAGE;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_bit(arg, &p, &hi))
				return XC_USAGE;
			if (hi < lo)
				return xc_usage("--cus '%s': range %" PRIu32 "-%" PRIu32
						" is backwards", arg, lo, hi);
		}
		for (b = lo; b <= hi; b++)
			mask[b / 32] |= 1U << (b % 32);
		if (hi > top)
			top = hi;
		if (!*p)
			break;
		if (*p != ',')
			return xc_usage("--cus '%s': items are separated by ','", arg);
		p++;
	}
	*nbits = (top / 32 + 1) * 32;
	return XC_OK;
}

static int find_gpu(int fd, uint64_t handle, struct gpu_topo *g)
{
	struct amdxsched_queue_info *q = NULL;
	struct amdxsched_gpu_info *gi = NULL;
	uint32_t nq, ng, i, x, se, sh, gpu = AMDXSCHED_GPU_ANY;
	int r;

	r = axs_list_queues(fd, 0, AMDXSCHED_GPU_ANY, &q, &nq);
	if (r < 0) {
		xc_err(-r, "list queues");
		return XC_FAIL;
	}
	for (i = 0; i < nq; i++)
		if (q[i].handle == handle)
			gpu = q[i].gpu_id;
	free(q);
	if (gpu == AMDXSCHED_GPU_ANY) {
		xc_err(ENOENT, "queue %" PRIu64, handle);
		return XC_FAIL;
	}
	r = axs_list_gpus(fd, &gi, &ng);
	if (r < 0) {
		xc_err(-r, "list gpus");
		return XC_FAIL;
	}
	r = -ENODEV;
	for (i = 0; i < ng && r == -ENODEV; i++) {
		if (gi[i].gpu_id != gpu)
			continue;
		memset(g, 0, sizeof(*g));
		g->gpu_id = gpu;
		g->t.num_xcc = gi[i].num_xcc;
		g->t.num_se = gi[i].num_se_per_xcc;
		g->t.num_sh = gi[i].num_sh_per_se;
		memcpy(g->t.active_cu, gi[i].active_cu, sizeof(g->t.active_cu));
		g->num_xcc = gi[i].num_xcc;
		g->num_cu = axsp_topo_num_cu(&g->t);
		for (x = 0; x < g->num_xcc && x < AMDXSCHED_MAX_XCC; x++)
			for (se = 0; se < AMDXSCHED_MAX_SE; se++)
				for (sh = 0; sh < AMDXSCHED_MAX_SH; sh++)
					g->xcc_cus[x] += (uint32_t)__builtin_popcount(
						gi[i].active_cu[x][se][sh]);
		r = g->num_cu ? 0 : -EINVAL;
	}
	free(gi);
	if (r < 0) {
		xc_err(-r, "gpu %" PRIu32 " of queue %" PRIu64, gpu, handle);
		return XC_FAIL;
	}
	return XC_OK;
}

/* CUs mask @mask gives XCC @x: bits i < num_cu with i mod num_xcc == x. */
static uint32_t xcc_count(const struct gpu_topo *g, const uint32_t *mask, uint32_t nbits,
			  uint32_t x)
{
	uint32_t i, n = 0, lim = nbits < g->num_cu ? nbits : g->num_cu;

	for (i = x; i < lim; i += g->num_xcc)
		n += !!(mask[i / 32] & (1U << (i % 32)));
	return n;
}

static int check_mask(const struct mask_req *m, const struct gpu_topo *g,
		      const uint32_t *mask, uint32_t nbits)
{
	uint32_t x, i;

	if (m->how == HOW_CUS) {
		for (i = g->num_cu; i < nbits; i++)
			if (mask[i / 32] & (1U << (i % 32)))
				return xc_usage("--cus '%s': bit %" PRIu32 " is past the GPU's %"
						PRIu32 " CUs", m->arg, i, g->num_cu);
	}
	for (x = 0; x < g->num_xcc; x++)
		if (!xcc_count(g, mask, nbits, x))
			return xc_usage("%s '%s': XCC %" PRIu32 " would have no CU (bit i goes "
					"to XCC i mod %" PRIu32 ")",
					m->how == HOW_CUS ? "--cus" : "mask", m->arg, x,
					g->num_xcc);
	return XC_OK;
}

/* What needs no topology, checked before the device is opened. */
static int parse_req(struct mask_req *m)
{
	char *end;

	if (m->how == HOW_HEX)
		return parse_hex(m->arg, m->mask, &m->nbits);
	if (m->how == HOW_CUS)
		return parse_cus(m->arg, m->mask, &m->nbits);
	if (m->how != HOW_FRACTION)
		return XC_OK;
	errno = 0;
	m->fraction = strtod(m->arg, &end);
	if (errno || *end || end == m->arg || !isfinite(m->fraction) || m->fraction <= 0.0 ||
	    m->fraction > 1.0)
		return xc_usage("--fraction '%s': must be a number in (0, 1]", m->arg);
	return XC_OK;
}

static int build_fraction(struct mask_req *m, const struct gpu_topo *g)
{
	uint32_t count = (uint32_t)(m->fraction * g->num_cu + 0.5);

	m->nbits = axsp_cu_mask_build(&g->t, 0, count, m->mask, WORDS);
	if (!m->nbits)
		return xc_usage("--fraction '%s': does not fit the GPU's %" PRIu32 " CUs",
				m->arg, g->num_cu);
	return XC_OK;
}

static void print_text(uint64_t handle, const struct mask_req *m, const struct gpu_topo *g,
		       const uint32_t *mask, uint32_t nbits)
{
	uint32_t i, x, total = 0;

	if (m->topology) {
		printf("gpu %" PRIu32 ": %" PRIu32 " XCC x %" PRIu32 " SE x %" PRIu32 " SH, %"
		       PRIu32 " CUs; mask bit i goes to XCC i mod %" PRIu32 "\n", g->gpu_id,
		       g->t.num_xcc, g->t.num_se, g->t.num_sh, g->num_cu, g->num_xcc);
	}
	if (m->how == HOW_NONE)
		return;
	for (x = 0; x < g->num_xcc; x++)
		total += xcc_count(g, mask, nbits, x);
	printf("queue %" PRIu64 ": cu mask ", handle);
	for (i = 0; i < nbits / 32; i++)
		printf("%s0x%08" PRIx32, i ? "," : "", mask[i]);
	printf(" (%" PRIu32 " of %" PRIu32 " CUs)\n", total, g->num_cu);
	if (m->topology)
		for (x = 0; x < g->num_xcc; x++)
			printf("  XCC %" PRIu32 ": %" PRIu32 " of %" PRIu32 " CUs\n", x,
			       xcc_count(g, mask, nbits, x), g->xcc_cus[x]);
}

static void print_json(uint64_t handle, const struct mask_req *m, const struct gpu_topo *g,
		       const uint32_t *mask, uint32_t nbits)
{
	uint32_t i, x, total = 0;
	struct jw w;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_u64(&w, "handle", handle);
	jw_u64(&w, "gpu_id", g->gpu_id);
	jw_u64(&w, "num_xcc", g->num_xcc);
	jw_u64(&w, "num_cu", g->num_cu);
	if (m->how != HOW_NONE) {
		for (x = 0; x < g->num_xcc; x++)
			total += xcc_count(g, mask, nbits, x);
		jw_u64(&w, "num_bits", nbits);
		jw_arr(&w, "mask");
		for (i = 0; i < nbits / 32; i++)
			jw_u64(&w, NULL, mask[i]);
		jw_arr_end(&w);
		jw_u64(&w, "cus", total);
		jw_arr(&w, "xcc_cus");
		for (x = 0; x < g->num_xcc; x++)
			jw_u64(&w, NULL, xcc_count(g, mask, nbits, x));
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	jw_end(&w);
}

static int set_how(struct mask_req *m, enum how how, const char *arg)
{
	if (m->how != HOW_NONE)
		return xc_usage("cumask: give one of MASK, --cus and --fraction");
	m->how = how;
	m->arg = arg;
	return XC_OK;
}

static int cumask_args(int argc, char **argv, uint64_t *handle, struct mask_req *m)
{
	static const struct option opts[] = {
		{ "cus", required_argument, NULL, 'c' },
		{ "fraction", required_argument, NULL, 'f' },
		{ "gpu-topology", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = xc_getopt(argc, argv, "c:f:t", opts)) != -1) {
		if (o == 't')
			m->topology = true;
		else if (o != 'c' && o != 'f')
			return XC_USAGE;
		else if (set_how(m, o == 'c' ? HOW_CUS : HOW_FRACTION, optarg))
			return XC_USAGE;
	}
	if (optind >= argc)
		return xc_usage("cumask: no queue handle given");
	if (xc_parse_u64("handle", argv[optind], UINT64_MAX, handle))
		return XC_USAGE;
	if (argc - optind > 2)
		return xc_usage("cumask: too many arguments");
	if (argc - optind == 2 && set_how(m, HOW_HEX, argv[optind + 1]))
		return XC_USAGE;
	if (m->how == HOW_NONE && !m->topology)
		return xc_usage("cumask: give MASK, --cus LIST or --fraction F");
	return parse_req(m);
}

int xc_cumask(struct xc *c, int argc, char **argv)
{
	struct mask_req m = { .how = HOW_NONE };
	struct gpu_topo g;
	uint64_t handle;
	int fd, r;

	r = cumask_args(argc, argv, &handle, &m);
	if (r)
		return r;
	/* Read-only when only showing the topology. */
	fd = xc_open(c, m.how == HOW_NONE ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return XC_FAIL;
	r = find_gpu(fd, handle, &g);
	if (!r && m.how == HOW_FRACTION)
		r = build_fraction(&m, &g);
	if (!r && m.how != HOW_NONE)
		r = check_mask(&m, &g, m.mask, m.nbits);
	if (!r && m.how != HOW_NONE) {
		r = axs_set_cu_mask(fd, handle, m.mask, m.nbits);
		if (r < 0) {
			xc_err(-r, "cumask queue %" PRIu64, handle);
			r = XC_FAIL;
		}
	}
	close(fd);
	if (r)
		return r;
	if (c->json)
		print_json(handle, &m, &g, m.mask, m.nbits);
	else
		print_text(handle, &m, &g, m.mask, m.nbits);
	return XC_OK;
}
