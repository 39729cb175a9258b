/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What gpu.c (udev, selection, plan) and nvidia.c (/proc/driver/nvidia,
 * /proc/devices) share: the list's insides and the parsers, which the
 * tests call directly. Never installed. */
#pragma once

#include "passthru/gpu.h"
#include "util.h"
#include "warnings.h"

/* The /proc files parsed here are a few hundred bytes; anything beyond this
 * is a broken or hostile input, not something to allocate for. */
#define GPU_PROC_MAX (64 * 1024)

/* NVIDIA's fixed numbers (nv.h): the major when /proc/devices does not say,
 * and the minors of the shared nodes; GPU minors lie below them. */
#define NVIDIA_MAJOR_DEFAULT 195
#define NVIDIA_MINOR_MODESET 254
#define NVIDIA_MINOR_CTL 255

struct node_vec {
	struct pt_gpu_node *v;
	size_t n, alloc;
};

struct gpu_entry {
	struct pt_gpu pub; /* strings owned here, const only towards callers */
	struct node_vec nodes;
};

struct pt_gpu_list {
	struct gpu_entry *gpus;
	size_t n_gpus, a_gpus;
	bool has_nvidia;
	struct pt_nvidia nvidia;
	struct node_vec nvidia_nodes;
	struct warnings warnings;
};

/* Adds a warning (code is a static string). 0 or -ENOMEM. */
#define gpu_list_warn(l, ...) warnings_add(&(l)->warnings, __VA_ARGS__)

/* What gpu_node_add() can compare: sysfs knows both numbers of a DRI node;
 * of /dev/nvidia-caps/nvidia-capN only the major is known here. */
enum {
	NODE_CHECK_MAJOR = 1u << 0,
	NODE_CHECK_MINOR = 1u << 1,
	NODE_CHECK_ALL = NODE_CHECK_MAJOR | NODE_CHECK_MINOR,
};

/* Adds a node that should be at path with major:minor and checks it with
 * stat() and access(), adding the warnings a user must hear about. Numbers
 * that check does not name are taken from the node itself. 0 or -ENOMEM. */
int gpu_node_add(struct pt_gpu_list *l, struct node_vec *v, const char *path,
		 enum pt_gpu_node_kind kind, unsigned major, unsigned minor, unsigned check,
		 const char *by_path);

/* Finds NVIDIA's per-GPU and shared nodes for a list whose GPUs udev found. */
int nvidia_probe(struct pt_gpu_list *l);

/* Parsers, pure: text is NUL-terminated file content. */
/* "Device Minor: N" of /proc/driver/nvidia/gpus/ADDR/information; -EBADMSG. */
int nvidia_parse_device_minor(const char *text, unsigned *ret_minor);
/* The value of line "key" ("GPU UUID:", "Model:") of the information
 * file, blanks trimmed, newly allocated. -EBADMSG when absent or empty. */
int nvidia_parse_info_field(const char *text, const char *key, char **ret_value);
/* The version of /proc/driver/nvidia/version ("NVRM version: ... 550.54.14
 * ...") or of /sys/module/nvidia/version ("550.54.14"); -EBADMSG, -ENOMEM. */
int nvidia_parse_version(const char *text, char **ret_version);
/* The major of character device group name in /proc/devices; -ENOENT. */
int proc_devices_char_major(const char *text, const char *name);
