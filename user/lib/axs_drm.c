// SPDX-License-Identifier: MIT
/*
 * What libdrm_amdgpu says of a GPU: the one part of axs_gpuname.h that needs
 * a real GPU. Not run here (no AMD GPU); built in every make check, and the
 * cross-check it feeds is unit-tested on recorded structures.
 */
#include "axs_gpuname.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <amdgpu.h>

int axs_drm_query(uint32_t render_minor, struct axs_drm_gpu *out)
{
	struct amdgpu_gpu_info info;
	amdgpu_device_handle dev;
	uint32_t major, minor;
	const char *name;
	char path[64];
	int fd, r;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/dev/dri/renderD%u", render_minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* libdrm keeps its own dup of the fd for the device handle */
	r = amdgpu_device_initialize(fd, &major, &minor, &dev);
	close(fd);
	if (r)
		return r < 0 ? r : -EIO;
	memset(&info, 0, sizeof(info));
	r = amdgpu_query_gpu_info(dev, &info);
	if (!r) {
		name = amdgpu_get_marketing_name(dev);
		if (name)
			snprintf(out->marketing_name, sizeof(out->marketing_name), "%s", name);
		out->device_id = info.asic_id;
		out->num_se = info.num_shader_engines;
		out->num_sh_per_se = info.num_shader_arrays_per_engine;
		out->cu_active_number = info.cu_active_number;
		memcpy(out->cu_bitmap, info.cu_bitmap, sizeof(out->cu_bitmap));
	}
	amdgpu_device_deinitialize(dev);
	return r < 0 ? r : r ? -EIO : 0;
}
