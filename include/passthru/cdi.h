/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>

#include "passthru/error.h"
#include "passthru/gpu.h"
#include "passthru/nvidia-driver.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Container Device Interface (CDI) specs made from plans, for podman,
 * Docker, containerd, CRI-O and Kubernetes: a spec has a kind
 * "VENDOR/CLASS" and named devices, each the container edits of one plan;
 * the spec-level edits (applied whenever any of its devices is asked for)
 * are one more plan. The emitter reads plans and nothing else, except that
 * it looks at each device node on the host to check it exists as the plan
 * says and to learn its group (see pt_cdi_spec_add_device()).
 *
 * A plan becomes:
 *  - device nodes: deviceNodes {path, hostPath (only when it differs),
 *    type, major, minor, permissions (the plan's access), gid when the
 *    node is not world-accessible}; that gid is also added to
 *    additionalGids, so a container user outside the group can open it
 *    (gid 0 is never added);
 *  - binds: mounts with options "rbind", "rprivate", "nosuid", "nodev"
 *    (not for a device node) and "ro" where read-only;
 *  - environment: env "NAME=VALUE";
 *  - generated files: CDI has no file content, so they are written into a
 *    directory beside the spec (pt_cdi_spec_write()) and mounted read-only
 *    from there; a spec with such files cannot be rendered without one.
 * The root, user, command and flags of a plan are not the engine's
 * business here and are ignored.
 *
 * cdiVersion is the lowest that covers the fields used: 0.3.0; 0.5.0 for a
 * hostPath or a device name that starts with a digit; 0.6.0 for a '.' in
 * the class; 0.7.0 for additionalGids.
 */
struct pt_cdi_spec;

/** The vendor (kind prefix) used when none is given. */
#define PT_CDI_DEFAULT_VENDOR "passthru.dev"

/**
 * Options. Allocated by pt_cdi_opts_new() so fields can be appended; set
 * the fields directly. Strings are the caller's and must outlive the spec.
 */
struct pt_cdi_opts {
	/** Kind prefix, e.g. "example.com"; NULL: PT_CDI_DEFAULT_VENDOR. */
	const char *vendor;
	/** Where the host's device nodes are found ("" or NULL: /): hostPath
	 *  becomes host_root + path. For test beds and for specs written for
	 *  another root. */
	const char *host_root;
	/** With pt_cdi_gpu_spec(): the NVIDIA userspace driver (a probe of the
	 *  caller's, which must outlive the call), as spec-level edits: its
	 *  files as read-only mounts ("ro", "nosuid", "nodev", "rbind",
	 *  "rprivate") and its loader environment. Its generated
	 *  /etc/ld.so.cache is left out (it is made from one root's cache,
	 *  and a CDI spec serves any image): instead LD_LIBRARY_PATH names
	 *  the driver's library directories. NULL: no driver. */
	const struct pt_nvidia_driver *nvidia_driver;
};

/** New options with defaults, or NULL when out of memory. */
PT_EXPORT struct pt_cdi_opts *pt_cdi_opts_new(void);
/** Frees options. NULL is allowed. */
PT_EXPORT void pt_cdi_opts_free(struct pt_cdi_opts *opts);

/** Whether name is a valid CDI vendor (kind prefix): a letter, then
 *  letters, digits, '_', '-', '.', ending in a letter or digit. */
PT_EXPORT bool pt_cdi_vendor_valid(const char *name);
/** Whether name is a valid CDI class: as a vendor ('.' needs cdiVersion 0.6.0). */
PT_EXPORT bool pt_cdi_class_valid(const char *name);
/** Whether name is a valid CDI device name: a letter or digit, then
 *  letters, digits, '_', '-', '.', ':', ending in a letter or digit. */
PT_EXPORT bool pt_cdi_device_name_valid(const char *name);

/** A new empty spec of kind VENDOR/class; -EINVAL naming a bad name. */
PT_EXPORT int pt_cdi_spec_new(const struct pt_cdi_opts *opts, const char *class, struct pt_cdi_spec **ret,
		    struct pt_error *err);
/** Frees a spec. NULL is allowed. */
PT_EXPORT void pt_cdi_spec_free(struct pt_cdi_spec *spec);

/**
 * Adds a device made of plan's entries (the spec copies what it needs).
 * -EINVAL for a bad or repeated name or a plan that gives the device
 * nothing; -ENOENT (or the stat error) for a device node that is not on
 * the host, -ENODEV for one that is not the device the plan says.
 * Device nodes that are in the spec-level edits already are left out.
 */
PT_EXPORT int pt_cdi_spec_add_device(struct pt_cdi_spec *spec, const char *name,
			   const struct pt_plan *plan, struct pt_error *err);

/** Sets the spec-level edits from plan (same rules); call it before adding devices. */
PT_EXPORT int pt_cdi_spec_set_common(struct pt_cdi_spec *spec, const struct pt_plan *plan,
			   struct pt_error *err);

/** The spec's kind "VENDOR/CLASS", and the cdiVersion it needs. */
PT_EXPORT const char *pt_cdi_spec_kind(const struct pt_cdi_spec *spec);
PT_EXPORT const char *pt_cdi_spec_version(const struct pt_cdi_spec *spec);

/**
 * The spec as JSON (caller frees). files_dir: where the generated files
 * are (pt_cdi_spec_write() puts them there); NULL is -EINVAL when the spec
 * has any. -EINVAL also for a spec without devices.
 */
PT_EXPORT char *pt_cdi_spec_to_json(const struct pt_cdi_spec *spec, const char *files_dir,
			  struct pt_error *err);

/**
 * Writes the spec to path atomically (a temporary file in the same
 * directory, then rename), mode 0644, ready for /etc/cdi or /var/run/cdi.
 * Generated files go first into PATH-without-".json".files/ (made 0755),
 * each written atomically as well.
 */
PT_EXPORT int pt_cdi_spec_write(const struct pt_cdi_spec *spec, const char *path, struct pt_error *err);

/**
 * The GPU spec, kind VENDOR/gpu: one device per GPU of list chosen by sel
 * (pt_gpu_select(); NULL: all), named by its index in the list, plus
 * "all" with every chosen GPU. Each device is the plan that
 * pt_gpu_add_to_plan() makes for that GPU alone; NVIDIA's shared nodes
 * (nvidiactl, nvidia-uvm …) are spec-level edits. -ENODEV when no chosen
 * GPU has a usable node.
 */
PT_EXPORT int pt_cdi_gpu_spec(const struct pt_gpu_list *list, const char *sel,
		    const struct pt_cdi_opts *opts, struct pt_cdi_spec **ret, struct pt_error *err);

/**
 * The audio spec, kind VENDOR/audio, with one device "pulse": the plan
 * pt_plan_add_pulse() makes (the socket, PULSE_SERVER, the client.conf
 * and the cookie, the last two as generated files). flags: as for
 * pt_plan_add_pulse().
 */
PT_EXPORT int pt_cdi_audio_spec(const struct pt_cdi_opts *opts, unsigned flags, struct pt_cdi_spec **ret,
		      struct pt_error *err);

#ifdef __cplusplus
}
#endif
