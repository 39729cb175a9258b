/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>
#include <stddef.h>

#include "passthru/error.h"
#include "passthru/plan.h"
#include "passthru/warning.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * GPU discovery: every GPU of the machine and every device node a container
 * needs to use it.
 *
 * DRI nodes come from udev (subsystem drm, DEVTYPE=drm_minor), grouped per
 * GPU by their parent device (PCI, platform, USB, virtio). NVIDIA's own
 * nodes are not in sysfs: the GPU is found through udev (PCI vendor 0x10de,
 * display class), its /dev/nvidiaN through
 * /proc/driver/nvidia/gpus/ADDRESS/information (the minor is not the PCI
 * order), the shared control nodes through /proc/devices. Every node is
 * checked with stat() against what sysfs or /proc says it must be.
 */
struct pt_gpu_list;

/** What a device node is for. */
enum pt_gpu_node_kind {
	PT_GPU_NODE_CARD,             /**< /dev/dri/cardN: modesetting and rendering */
	PT_GPU_NODE_RENDER,           /**< /dev/dri/renderDN: rendering only */
	PT_GPU_NODE_DRM_OTHER,        /**< another DRM minor (controlDN on old kernels) */
	PT_GPU_NODE_NVIDIA,           /**< /dev/nvidiaN, one per NVIDIA GPU */
	PT_GPU_NODE_NVIDIACTL,        /**< /dev/nvidiactl */
	PT_GPU_NODE_NVIDIA_MODESET,   /**< /dev/nvidia-modeset (X, Vulkan) */
	PT_GPU_NODE_NVIDIA_UVM,       /**< /dev/nvidia-uvm (CUDA) */
	PT_GPU_NODE_NVIDIA_UVM_TOOLS, /**< /dev/nvidia-uvm-tools (CUDA profilers) */
	PT_GPU_NODE_NVIDIA_CAP,       /**< /dev/nvidia-caps/nvidia-capN (MIG) */
};

/** A short stable name for a node kind: "card", "render", "nvidiactl" … */
PT_EXPORT const char *pt_gpu_node_kind_name(enum pt_gpu_node_kind kind);

/** A device node. Strings are owned by the list. */
struct pt_gpu_node {
	const char *path;           /**< e.g. /dev/dri/renderD128 */
	enum pt_gpu_node_kind kind;
	unsigned major, minor;      /**< what sysfs or /proc says the node must be */
	bool exists;                /**< a character device is at path */
	bool matches;               /**< ... and its major:minor are major, minor */
	unsigned actual_major;      /**< what stat() found (valid when exists) */
	unsigned actual_minor;
	const char *group;          /**< the node's group ("render", "video"), NULL if unnamed */
	unsigned gid;               /**< the node's group id (valid when exists) */
	bool accessible;            /**< the calling user may open it (read-write; caps: read) */
	const char *by_path;        /**< /dev/dri/by-path/... name from ID_PATH, or NULL */
};

/** A GPU. Strings are owned by the list; NULL where unknown. */
struct pt_gpu {
	size_t index;               /**< its position in the list: what "--gpu=N" selects */
	const char *syspath;        /**< sysfs path of the device the nodes belong to */
	const char *bus;            /**< "pci", "platform", "usb", "virtio" … */
	const char *name;           /**< that device's sysfs name ("0000:01:00.0", "fde60000.gpu") */
	const char *pci;            /**< PCI address "0000:01:00.0", NULL when not on PCI */
	unsigned vendor_id;         /**< PCI vendor id, 0 when unknown */
	unsigned device_id;         /**< PCI device id, 0 when unknown */
	const char *vendor;         /**< "nvidia", "amd", "intel" …, NULL when unknown */
	const char *driver;         /**< kernel driver bound to it, NULL when none */
	bool boot_vga;              /**< the firmware's console GPU */
	const char *id_path;        /**< udev ID_PATH, e.g. "pci-0000:01:00.0" */
	const struct pt_gpu_node *nodes; /**< kept for the 0.1 ABI: read pt_gpu_node() */
	size_t n_nodes;
	const char *uuid;           /**< NVIDIA: "GPU-<uuid>" from /proc/driver/nvidia, else NULL */
	const char *model;          /**< NVIDIA: the model name from there, else NULL */
};

/** The NVIDIA driver's shared part: present only when the driver is loaded. */
struct pt_nvidia {
	const char *driver_version;      /**< e.g. "550.54.14", NULL when unreadable */
	unsigned major;                  /**< major of /dev/nvidia* (195) */
	const struct pt_gpu_node *nodes; /**< nvidiactl, nvidia-modeset, nvidia-uvm,
					      nvidia-uvm-tools, nvidia-caps/nvidia-capN: those
					      that should exist */
	size_t n_nodes;
};

/**
 * Finds the GPUs. Zero GPUs (no /sys/class/drm, no NVIDIA GPU) is a
 * success with an empty list. Broken inputs (unreadable or truncated /proc
 * files, missing or wrong nodes) are warnings in the list, not errors;
 * errors are -ENOMEM and a udev that cannot be used at all.
 * Free the list with pt_gpu_list_free().
 */
PT_EXPORT int pt_gpu_probe(struct pt_gpu_list **ret, struct pt_error *err);

/** Frees the list. NULL is allowed. */
PT_EXPORT void pt_gpu_list_free(struct pt_gpu_list *list);

/** Number of GPUs, and GPU i (NULL when out of range), in "--gpu=N" order. */
PT_EXPORT size_t pt_gpu_list_count(const struct pt_gpu_list *list);
PT_EXPORT const struct pt_gpu *pt_gpu_list_get(const struct pt_gpu_list *list, size_t i);

/** Number of device nodes of gpu: DRI nodes, then /dev/nvidiaN. */
PT_EXPORT size_t pt_gpu_node_count(const struct pt_gpu *gpu);
/** Node i of gpu, or NULL when out of range. */
PT_EXPORT const struct pt_gpu_node *pt_gpu_node(const struct pt_gpu *gpu, size_t i);
/** Number of NVIDIA's shared nodes (nvidiactl …), and node i of them (NULL when out of range). */
PT_EXPORT size_t pt_nvidia_node_count(const struct pt_nvidia *nvidia);
PT_EXPORT const struct pt_gpu_node *pt_nvidia_node(const struct pt_nvidia *nvidia, size_t i);

/** The NVIDIA driver's shared nodes and version, or NULL when it is not loaded. */
PT_EXPORT const struct pt_nvidia *pt_gpu_list_nvidia(const struct pt_gpu_list *list);

/** The warnings, in the order they were found (NULL when out of range). */
PT_EXPORT size_t pt_gpu_list_warning_count(const struct pt_gpu_list *list);
PT_EXPORT const struct pt_warning *pt_gpu_list_warning(const struct pt_gpu_list *list, size_t i);

/** Which GPUs a selector chose. */
struct pt_gpu_selection;

/**
 * Parses a selector against the list. sel is NULL, "" or "all" for every
 * GPU, or a comma-separated list of terms, each choosing GPUs:
 *  - an index as pt_gpu_list_get() counts ("0");
 *  - a PCI address, with or without domain ("0000:01:00.0", "01:00.0");
 *  - a vendor or driver name ("nvidia", "amd", "intel", "i915", "panfrost");
 *  - an NVIDIA GPU's UUID ("GPU-8f6c…") or a prefix of it that only one GPU
 *    has (a prefix that several have is -EINVAL, naming them);
 *  - "render": pass render nodes only (no card node, no nvidia-modeset:
 *    no modesetting); alone it means every GPU's render nodes.
 * A term that matches none of the GPUs there are is bad usage, -EINVAL,
 * and the message lists them; on a machine with no GPU at all every term
 * is -ENODEV (the host lacks what was asked). Free with
 * pt_gpu_selection_free().
 */
PT_EXPORT int pt_gpu_select(const struct pt_gpu_list *list, const char *sel,
		  struct pt_gpu_selection **ret, struct pt_error *err);

/** Frees a selection. NULL is allowed. */
PT_EXPORT void pt_gpu_selection_free(struct pt_gpu_selection *sel);

/** Whether GPU i is chosen. */
PT_EXPORT bool pt_gpu_selection_has(const struct pt_gpu_selection *sel, size_t i);

/** Whether only render nodes are passed. */
PT_EXPORT bool pt_gpu_selection_render_only(const struct pt_gpu_selection *sel);

/**
 * Adds the chosen GPUs' device nodes to the plan, node by node (read-write),
 * and, when an NVIDIA GPU is chosen, NVIDIA's shared nodes. Only nodes that
 * exist and match what sysfs or /proc says are added (the others are
 * warnings of the probe). -ENODEV when that leaves no node at all: a
 * container that asked for a GPU and silently gets none is the trap.
 */
PT_EXPORT int pt_gpu_add_to_plan(const struct pt_gpu_list *list, const struct pt_gpu_selection *sel,
		       struct pt_plan *plan, struct pt_error *err);

/**
 * Probe, select and add to the plan in one call, for tools: what
 * `passthru-launch --gpu[=SEL]` does. When ret_list is not NULL it gets the
 * probe's list (the caller frees it), so the caller can show its warnings,
 * also on failure (NULL when the probe itself failed).
 */
PT_EXPORT int pt_gpu_add_selected(struct pt_plan *plan, const char *sel, struct pt_gpu_list **ret_list,
			struct pt_error *err);

#ifdef __cplusplus
}
#endif
