/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stddef.h>

#include "passthru/error.h"
#include "passthru/plan.h"
#include "passthru/warning.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The host's NVIDIA userspace driver, matched to the loaded kernel module.
 *
 * A GPU container needs, besides /dev/nvidia*, the driver's libraries
 * (libcuda, libnvidia-ml, libGLX_nvidia …) of exactly the module's version.
 * Discovery reads the module's version (/proc/driver/nvidia/version, else
 * /sys/module/nvidia/version; or an override), then finds the driver's
 * files under a driver root: libraries (64-bit and 32-bit) through the
 * root's /etc/ld.so.cache and the usual library directories, by the names
 * NVIDIA's container toolkit passes per capability, keeping a file only
 * when its name ends in the version; the loaders' configuration files; the
 * tools; the GSP firmware; the persistenced socket.
 */
struct pt_nvidia_driver;

/** Capabilities, as NVIDIA_DRIVER_CAPABILITIES names them. */
enum {
	PT_NVIDIA_CAP_UTILITY = 1u << 0,  /**< NVML, nvidia-smi */
	PT_NVIDIA_CAP_COMPUTE = 1u << 1,  /**< CUDA, OpenCL */
	PT_NVIDIA_CAP_VIDEO = 1u << 2,    /**< NVENC, NVDEC, VDPAU */
	PT_NVIDIA_CAP_GRAPHICS = 1u << 3, /**< GLX, EGL, GLES, Vulkan (GLVND), NGX */
	PT_NVIDIA_CAP_DISPLAY = 1u << 4,  /**< EGL platform libraries (Wayland, GBM, X) */
	PT_NVIDIA_CAP_ALL = 0x1f,
};

/** Options; from pt_nvidia_driver_opts_new() so fields can be appended. */
struct pt_nvidia_driver_opts {
	const char *root;    /**< driver root on the host (NULL: "/"); not copied */
	const char *version; /**< the version to look for, NULL: the kernel module's */
	unsigned caps;       /**< PT_NVIDIA_CAP_*; default PT_NVIDIA_CAP_ALL */
};

/** New options with the defaults, or NULL when out of memory. */
PT_EXPORT struct pt_nvidia_driver_opts *pt_nvidia_driver_opts_new(void);
/** Frees options. NULL is allowed. */
PT_EXPORT void pt_nvidia_driver_opts_free(struct pt_nvidia_driver_opts *opts);

/**
 * Parses a capability list: "all" or a comma-separated list of utility,
 * compute, video, graphics, display. An unknown word is -EINVAL naming it.
 */
PT_EXPORT int pt_nvidia_driver_parse_caps(const char *text, unsigned *ret_caps, struct pt_error *err);

/**
 * The loaded kernel module's version ("550.54.14"), newly allocated.
 * -ENODEV when no NVIDIA module is loaded (neither file is readable),
 * -EBADMSG when the file has no version in it.
 */
PT_EXPORT int pt_nvidia_driver_module_version(char **ret_version, struct pt_error *err);

/**
 * Finds the driver files (opts NULL: the defaults). Errors: -ENODEV when
 * no module is loaded and no version was given; -ENOENT when no library of
 * the version is found under the root (the message names the version, the
 * places looked in, and another version when one was found instead).
 * Missing or differently-versioned expected files are warnings.
 */
PT_EXPORT int pt_nvidia_driver_probe(const struct pt_nvidia_driver_opts *opts,
			   struct pt_nvidia_driver **ret, struct pt_error *err);

/** Frees the result. NULL is allowed. */
PT_EXPORT void pt_nvidia_driver_free(struct pt_nvidia_driver *driver);

/** The version the files were chosen for. */
PT_EXPORT const char *pt_nvidia_driver_version(const struct pt_nvidia_driver *driver);

/** A library of the driver. Strings are owned by the driver object. */
struct pt_nvidia_library {
	const char *path;   /**< host path of the file (symlinks resolved) */
	const char *soname; /**< its DT_SONAME ("libcuda.so.1") */
	const char *arch;   /**< "x86_64" or "i386" */
};

/** Number of libraries, and library i (NULL when out of range). */
PT_EXPORT size_t pt_nvidia_driver_library_count(const struct pt_nvidia_driver *driver);
PT_EXPORT const struct pt_nvidia_library *pt_nvidia_driver_library(const struct pt_nvidia_driver *driver,
							 size_t i);

/** Other files (configs, tools, firmware, the persistenced socket): host paths. */
PT_EXPORT size_t pt_nvidia_driver_file_count(const struct pt_nvidia_driver *driver);
PT_EXPORT const char *pt_nvidia_driver_file(const struct pt_nvidia_driver *driver, size_t i);

/**
 * What is missing or of another version: warnings with code
 * "nvidia-file-missing" or "nvidia-version-mismatch" (the latter names both
 * versions).
 */
PT_EXPORT size_t pt_nvidia_driver_warning_count(const struct pt_nvidia_driver *driver);
PT_EXPORT const struct pt_warning *pt_nvidia_driver_warning(const struct pt_nvidia_driver *driver,
						  size_t i);

/**
 * Adds the driver to the plan, without changing the container's root on
 * disk: each library read-only at /run/passthru/nvidia/lib64/NAME (lib32
 * for 32-bit), the tools in /run/passthru/nvidia/bin (put first in PATH),
 * the loader configs rewritten to name those libraries in
 * /run/passthru/nvidia/share (found through XDG_DATA_DIRS,
 * __EGL_VENDOR_LIBRARY_DIRS, __EGL_EXTERNAL_PLATFORM_CONFIG_DIRS and
 * OCL_ICD_VENDORS), the persistenced socket, and a generated
 * /etc/ld.so.cache: the container's own cache (read from the plan's root,
 * or "/" without one) with its entries for the same SONAMEs replaced by
 * ours, so that its dynamic loader finds the host's libraries first, also
 * for a program that clears LD_LIBRARY_PATH.
 */
PT_EXPORT int pt_nvidia_driver_add_to_plan(const struct pt_nvidia_driver *driver, struct pt_plan *plan,
				 struct pt_error *err);

#ifdef __cplusplus
}
#endif
