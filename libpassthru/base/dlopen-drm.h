/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libdrm, loaded on first use (see dlopen-lib.h): the probe asks each GPU's
 * DRM node which kernel driver answers it. Include this instead of
 * <xf86drm.h>; the names below then call through the table. */
#pragma once

#include <xf86drm.h>

#include "dlopen-lib.h"

#define DLOPEN_DRM_SYMS(X)                                                     \
	X(drmFreeVersion)                                                      \
	X(drmGetVersion)

DLOPEN_DRM_SYMS(DLOPEN_DECLARE)

/* Loads libdrm.so.2 once; 0 or -EOPNOTSUPP naming it (see dlopen_lib_load). */
int dlopen_drm(struct pt_error *err);

/*
 * The name of the kernel DRM driver behind the node at path ("i915",
 * "amdgpu", "nvidia-drm"), from DRM_IOCTL_VERSION: *ret (caller frees) is
 * NULL when the node cannot be opened or does not answer (no such node, no
 * permission, a umockdev testbed). Returns 0, -ENOMEM, or -EOPNOTSUPP
 * without libdrm.
 */
int drm_node_driver(const char *path, char **ret, struct pt_error *err);

#define drmFreeVersion sym_drmFreeVersion
#define drmGetVersion sym_drmGetVersion
