// SPDX-License-Identifier: MIT
/*
 * Unit tests of user/lib/axs_gpuname.c: GPU names from KFD's topology and
 * the topology cross-check against libdrm_amdgpu, on recorded structures.
 *
 * No MI308X was at hand: the properties record below has the fields and the
 * format amdkfd's kfd_topology.c prints ("name value" lines), with values
 * from ../shared/reference/mi308x.md (320 SIMDs, 4 XCCs, 16 arrays) and a
 * PCI address of our choosing; the amdgpu record is what amdgpu_kms.c's
 * AMDGPU_INFO_DEV_INFO gives for gfx 9.4.3 (gfx_v9_4_3_get_cu_info(): shader
 * engines per XCC, the CU count of every XCC, the bitmap of XCC 0 only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axs_gpuname.h"

#include "kselftest_harness.h"

static const char mi308x_properties[] =
	"cpu_cores_count 0\n"
	"simd_count 320\n"
	"mem_banks_count 1\n"
	"caches_count 138\n"
	"io_links_count 1\n"
	"p2p_links_count 7\n"
	"cpu_core_id_base 0\n"
	"simd_id_base 2147487744\n"
	"max_waves_per_simd 8\n"
	"lds_size_in_kb 64\n"
	"gds_size_in_kb 0\n"
	"num_gws 64\n"
	"wave_front_size 64\n"
	"array_count 16\n"
	"simd_arrays_per_engine 1\n"
	"cu_per_simd_array 10\n"
	"simd_per_cu 4\n"
	"max_slots_scratch_cu 32\n"
	"gfx_target_version 90402\n"
	"vendor_id 4098\n"
	"device_id 29857\n"
	"location_id 49408\n"
	"domain 0\n"
	"drm_render_minor 136\n"
	"hive_id 1234567890123456789\n"
	"num_sdma_engines 2\n"
	"num_sdma_xgmi_engines 14\n"
	"num_sdma_queues_per_engine 8\n"
	"num_cp_queues 96\n"
	"max_engine_clk_fcompute 2100\n"
	"local_mem_size 0\n"
	"fw_version 151\n"
	"capability 746586752\n"
	"debug_prop 1495\n"
	"sdma_fw_version 19\n"
	"unique_id 9338624521357243127\n"
	"num_xcc 4\n"
	"max_engine_clk_ccompute 2000\n";

TEST(a_recorded_mi308x_node_parses)
{
	struct axs_kfd_node n;
	char pci[16];

	memset(&n, 0, sizeof(n));
	ASSERT_EQ(0, axs_kfd_node_parse(mi308x_properties, &n));
	EXPECT_EQ(0, n.domain);
	EXPECT_EQ(0xc100, n.location_id);
	EXPECT_EQ(9338624521357243127ULL, n.unique_id);
	EXPECT_EQ(136, n.drm_render_minor);
	EXPECT_EQ(4, n.num_xcc);
	EXPECT_EQ(320, n.simd_count);
	EXPECT_EQ(4, n.simd_per_cu);
	EXPECT_EQ(29857, n.device_id);
	EXPECT_EQ(90402, n.gfx_target_version);
	axs_pci_format(n.domain, n.location_id, pci, sizeof(pci));
	EXPECT_STREQ("0000:c1:00.0", pci);
}

TEST(bad_numbers_are_refused_and_unknown_lines_ignored)
{
	struct axs_kfd_node n;

	memset(&n, 0, sizeof(n));
	EXPECT_EQ(-EINVAL, axs_kfd_node_parse("location_id 12x\n", &n));
	EXPECT_EQ(-EINVAL, axs_kfd_node_parse("domain \n", &n));
	EXPECT_EQ(-EINVAL, axs_kfd_node_parse("num_xcc 4294967296\n", &n));
	EXPECT_EQ(0, axs_kfd_node_parse("domain_x 7\nfuture_field 1\nnum_xcc 2", &n));
	EXPECT_EQ(0, n.domain);
	EXPECT_EQ(2, n.num_xcc);	/* the last line needs no newline */
}

TEST(pci_addresses_print_as_lspci_does)
{
	char pci[16];

	/* bus 0x9f, device 0x1c, function 5; a partition number in bits 28-31 */
	axs_pci_format(0x10, (3U << 28) | 0x9f << 8 | 0x1c << 3 | 5, pci, sizeof(pci));
	EXPECT_STREQ("0010:9f:1c.5", pci);
}

static struct axs_kfd_node node(uint32_t num, uint32_t domain, uint32_t bus)
{
	struct axs_kfd_node n;

	memset(&n, 0, sizeof(n));
	n.node = num;
	n.gpu_id = 1000 + num;
	n.domain = domain;
	n.location_id = bus << 8;
	return n;
}

TEST(amd_smi_index_follows_the_pci_address_not_kfd_order)
{
	/* an 8-GPU host whose KFD nodes came up in another order than the bus */
	static const uint32_t bus[8] = { 0x9f, 0x05, 0xdf, 0x26, 0x1d, 0xbf, 0x86, 0x3e };
	static const uint32_t want[8] = { 5, 0, 7, 2, 1, 6, 4, 3 };
	struct axs_kfd_node n[8];
	uint32_t index[8];
	int i;

	for (i = 0; i < 8; i++)
		n[i] = node(i + 1, 0, bus[i]);
	axs_smi_index(n, 8, index);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(want[i], index[i]);
}

TEST(partitions_of_one_device_stay_in_node_order_and_domains_come_first)
{
	struct axs_kfd_node n[5];
	uint32_t index[5];

	n[0] = node(1, 1, 0x05);		/* another domain: last */
	n[1] = node(2, 0, 0x80);
	n[2] = node(3, 0, 0x40);		/* CPX: the device at 0x40 in 2 parts */
	n[3] = node(4, 0, 0x40);
	n[3].location_id |= 1U << 28;		/* partition 1 */
	n[4] = node(5, 0, 0x41);
	axs_smi_index(n, 5, index);
	EXPECT_EQ(4, index[0]);
	EXPECT_EQ(3, index[1]);
	EXPECT_EQ(0, index[2]);
	EXPECT_EQ(1, index[3]);
	EXPECT_EQ(2, index[4]);
}

static void put(const char *dir, const char *node, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, node, file);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(names_load_from_a_kfd_topology_tree)
{
	char dir[] = "/tmp/axs-gpuname-XXXXXX", props[2048], cmd[64];
	const struct axs_gpu_name *g;
	struct axs_gpu_name *v = NULL;
	int n;

	ASSERT_NE(NULL, mkdtemp(dir));
	put(dir, "0", "gpu_id", "0\n");		/* the CPU */
	put(dir, "0", "properties", "cpu_cores_count 96\nsimd_count 0\n");
	put(dir, "1", "gpu_id", "51277\n");
	snprintf(props, sizeof(props), "%s", mi308x_properties);
	put(dir, "1", "properties", props);
	put(dir, "2", "gpu_id", "2001\n");
	put(dir, "2", "properties", "location_id 1280\ndomain 0\ndrm_render_minor 128\n"
	    "unique_id 17\nnum_xcc 4\n");
	put(dir, "not-a-node", "gpu_id", "5\n");

	n = axs_gpu_names_load(dir, &v);
	ASSERT_EQ(2, n);
	g = axs_gpu_name_find(v, n, 51277);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(1, g->smi_index);		/* bus c1 after bus 05 */
	EXPECT_STREQ("0000:c1:00.0", g->pci);
	EXPECT_EQ(136, g->render_minor);
	EXPECT_EQ(9338624521357243127ULL, g->unique_id);
	EXPECT_STREQ("", g->name);
	g = axs_gpu_name_find(v, n, 2001);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(0, g->smi_index);
	EXPECT_STREQ("0000:05:00.0", g->pci);
	EXPECT_EQ(NULL, axs_gpu_name_find(v, n, 0));	/* a simulated GPU */
	EXPECT_EQ(NULL, axs_gpu_name_find(v, n, 4));
	free(v);

	/* a malformed properties file is an error, not a wrong name */
	put(dir, "2", "properties", "location_id 0x500\n");
	v = NULL;
	EXPECT_EQ(-EINVAL, axs_gpu_names_load(dir, &v));
	EXPECT_EQ(NULL, v);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ASSERT_EQ(0, system(cmd));
	/* no KFD at all: no GPU, no error */
	EXPECT_EQ(0, axs_gpu_names_load(dir, &v));
	EXPECT_EQ(NULL, v);
}

/* The module's view of an MI308X in SPX: 4 XCCs x 4 SEs x 1 SH, CUs 0-4 active. */
static struct amdxsched_gpu_info mi308x_module(void)
{
	struct amdxsched_gpu_info g;
	int x, se;

	memset(&g, 0, sizeof(g));
	g.num_xcc = 4;
	g.num_se_per_xcc = 4;
	g.num_sh_per_se = 1;
	g.num_cu = 80;
	for (x = 0; x < 4; x++)
		for (se = 0; se < 4; se++)
			g.active_cu[x][se][0] = 0x1f;
	return g;
}

static struct axs_drm_gpu mi308x_drm(void)
{
	struct axs_drm_gpu d;
	int se;

	memset(&d, 0, sizeof(d));
	strcpy(d.marketing_name, "AMD Instinct MI308X");
	d.num_se = 4;
	d.num_sh_per_se = 1;
	d.cu_active_number = 80;
	for (se = 0; se < 4; se++)
		d.cu_bitmap[se][0] = 0x1f;
	return d;
}

struct findings {
	int n;
	char last[256];
};

static void collect(void *ctx, const char *msg)
{
	struct findings *f = ctx;

	f->n++;
	snprintf(f->last, sizeof(f->last), "%s", msg);
}

TEST(the_module_view_must_add_up)
{
	struct amdxsched_gpu_info g = mi308x_module();
	struct findings f = { 0 };

	EXPECT_EQ(0, axs_topo_self_check(&g, collect, &f));
	EXPECT_EQ(0, f.n);

	g.active_cu[3][2][0] = 0x0f;		/* 79 CUs in the bitmaps */
	EXPECT_EQ(1, axs_topo_self_check(&g, collect, &f));
	EXPECT_STREQ("the active-CU bitmaps hold 79 CUs, num_cu says 80", f.last);

	g = mi308x_module();
	g.active_cu[0][0][1] = 0x1;		/* an SH the shape does not have */
	g.num_cu = 81;
	f.n = 0;
	EXPECT_EQ(1, axs_topo_self_check(&g, collect, &f));
	EXPECT_STREQ("active CUs 0x0001 at XCC 0 SE 0 SH 1, outside the shape", f.last);

	g.num_xcc = 0;
	EXPECT_EQ(1, axs_topo_self_check(&g, NULL, NULL));
}

TEST(a_matching_whole_device_passes)
{
	struct amdxsched_gpu_info g = mi308x_module();
	struct axs_drm_gpu d = mi308x_drm();
	struct findings f = { 0 };
	bool part = true;

	EXPECT_EQ(0, axs_topo_cross_check(&g, &d, &part, collect, &f));
	EXPECT_FALSE(part);
	EXPECT_EQ(0, f.n);
}

TEST(a_different_cu_bitmap_is_reported_per_se)
{
	struct amdxsched_gpu_info g = mi308x_module();
	struct axs_drm_gpu d = mi308x_drm();
	struct findings f = { 0 };
	bool part;

	/* harvested differently: amdgpu's CUs 1-5 of SE 2, the module's 0-4 */
	d.cu_bitmap[2][0] = 0x3e;
	EXPECT_EQ(1, axs_topo_cross_check(&g, &d, &part, collect, &f));
	EXPECT_STREQ("active CUs of XCC 0 SE 2 SH 0: module 0x001f, amdgpu 0x003e", f.last);
}

TEST(shape_and_count_mismatches_are_reported)
{
	struct amdxsched_gpu_info g = mi308x_module();
	struct axs_drm_gpu d = mi308x_drm();
	struct findings f = { 0 };
	bool part;

	d.num_se = 8;				/* as if amdgpu counted every XCC's SEs */
	d.cu_active_number = 76;
	EXPECT_EQ(2, axs_topo_cross_check(&g, &d, &part, collect, &f));
	EXPECT_FALSE(part);
	EXPECT_STREQ("active CUs: module 80, amdgpu 76", f.last);

	d = mi308x_drm();
	d.num_sh_per_se = 2;
	f.n = 0;
	EXPECT_EQ(1, axs_topo_cross_check(&g, &d, &part, collect, &f));
	EXPECT_STREQ("shader arrays per engine: module 1, amdgpu 2", f.last);
}

TEST(a_partition_is_recognised_and_its_bitmap_not_compared)
{
	struct amdxsched_gpu_info g = mi308x_module();
	struct axs_drm_gpu d = mi308x_drm();
	struct findings f = { 0 };
	bool part = false;

	/* CPX: this KFD node is one XCC of 20 CUs; amdgpu reports the device */
	g.num_xcc = 1;
	g.num_cu = 20;
	memset(&g.active_cu[1], 0, sizeof(g.active_cu) - sizeof(g.active_cu[0]));
	g.active_cu[0][1][0] = 0x1e;		/* differs from XCC 0: not compared */
	EXPECT_EQ(0, axs_topo_cross_check(&g, &d, &part, collect, &f));
	EXPECT_TRUE(part);
	EXPECT_EQ(0, f.n);

	/* a count that is no share of the device is a mismatch */
	g.num_cu = 30;
	EXPECT_EQ(1, axs_topo_cross_check(&g, &d, &part, collect, &f));
	EXPECT_FALSE(part);
}

TEST_HARNESS_MAIN
