/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "dlopen-drm.h"
#include "util.h"

DLOPEN_DRM_SYMS(DLOPEN_DEFINE)

DLOPEN_NOTE(note_drm,
	    "[{\"soname\":[\"libdrm.so.2\"],\"feature\":\"drm-driver\","
	    "\"description\":\"Name the kernel driver of each GPU node in the probe report\","
	    "\"priority\":\"suggested\"}]");

static const struct dlopen_sym drm_syms[] = {DLOPEN_DRM_SYMS(DLOPEN_SYM)};

static struct dlopen_lib drm = {
	.soname = "libdrm.so.2",
	.feature = "DRM driver names",
	.syms = drm_syms,
	.n_syms = ELEMENTSOF(drm_syms),
};

int dlopen_drm(struct pt_error *err) { return dlopen_lib_load(&drm, err); }

int drm_node_driver(const char *path, char **ret, struct pt_error *err)
{
	*ret = NULL;
	int r = dlopen_drm(err);
	if (r < 0)
		return r;
	/* Read-only is enough for DRM_IOCTL_VERSION, which needs no master
	 * and no authentication. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	drmVersionPtr v = drmGetVersion(fd);
	if (!v)
		return 0;
	char *name = v->name && v->name_len > 0 ? strndup(v->name, (size_t)v->name_len) : NULL;
	bool oom = v->name && v->name_len > 0 && !name;
	drmFreeVersion(v);
	if (oom)
		return pt_error_set(err, ENOMEM, "drm: %s", path);
	*ret = name;
	return 0;
}
