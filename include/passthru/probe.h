/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include "passthru/error.h"
#include "passthru/gpu.h"
#include "passthru/nvidia-driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The probe report: what this machine can pass through to a container and
 * what is wrong with it, section by section (GPUs so far), as
 * `passthru-probe` shows it.
 */
struct pt_probe;

/**
 * Runs every section's probe. A section that cannot run at all becomes a
 * warning of the report, so one broken part never hides the others; the
 * only error is -ENOMEM. Free with pt_probe_free().
 */
PT_EXPORT int pt_probe_run(struct pt_probe **ret, struct pt_error *err);

/**
 * (Re)runs the report's NVIDIA userspace section with opts (NULL: the
 * defaults, what pt_probe_run() does when the module is loaded). A driver
 * that is not found is part of the report, not an error: only -ENOMEM is.
 */
PT_EXPORT int pt_probe_nvidia_driver(struct pt_probe *probe, const struct pt_nvidia_driver_opts *opts,
			   struct pt_error *err);

/** Frees the report. NULL is allowed. */
PT_EXPORT void pt_probe_free(struct pt_probe *probe);

/** The GPU section (owned by the report), or NULL when its probe failed. */
PT_EXPORT const struct pt_gpu_list *pt_probe_gpus(const struct pt_probe *probe);

/** All warnings of all sections, in report order (NULL when out of range). */
PT_EXPORT size_t pt_probe_warning_count(const struct pt_probe *probe);
PT_EXPORT const struct pt_warning *pt_probe_warning(const struct pt_probe *probe, size_t i);

/**
 * The report as JSON (pretty-printed, ending in a newline):
 * {"gpus": [{"index", "pci", "vendor_id", "device_id", "vendor", "driver",
 * "boot_vga", "bus", "name", "id_path", "uuid", "model", "nodes": [{"path",
 * "kind", "major", "minor", "exists", "matches", "group", "accessible",
 * "by_path", "drm_driver"}]}],
 * "nvidia": null | {"driver_version", "major", "nodes": [...],
 *   "userspace": {"version", "libraries": [{"path", "soname", "arch"}],
 *   "files": [...], "missing": [...]} (when probed)},
 * "warnings": [{"code", "message"}]}. Unknown values are null.
 * Returns a new string (caller frees) or NULL with err set (ENOMEM, or
 * EOPNOTSUPP when libjson-c.so.5, loaded on first use, is not installed).
 */
PT_EXPORT char *pt_probe_to_json(const struct pt_probe *probe, struct pt_error *err);

/**
 * The report as a table for people, ending in a newline; says plainly when
 * there is no GPU. Returns a new string (caller frees) or NULL with err set.
 */
PT_EXPORT char *pt_probe_to_table(const struct pt_probe *probe, struct pt_error *err);

#ifdef __cplusplus
}
#endif
