/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stddef.h>

#include "passthru/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The plan: everything a container needs from the host, in one description
 * that every backend reads. Producers (GPU, display, audio, user options)
 * add to it; emitters (systemd-nspawn argv) and appliers (own namespaces)
 * only read it.
 *
 * Entries:
 *  - binds:   host source -> container target, read-only or not, device or not;
 *  - devices: device nodes (path, type, major:minor, access), passed node by node;
 *  - env:     environment variables for the command;
 *  - files:   small generated files (content that must appear at a target);
 *  - the container itself: root directory, user, command, flags.
 *
 * Targets are one namespace: a bind, a device and a file may not share a
 * target. Adding an entry whose target is already taken REPLACES the
 * earlier entry, the later one wins: if both are of the same kind the new
 * one takes the old one's position, otherwise the old one is removed and
 * the new one is appended to its own list. Environment variables work the
 * same way by name. So the result never depends on more than the order of
 * the calls.
 *
 * The plan is pure data: reading it never changes it, and nothing here
 * writes to the file system. A backend that needs generated files on disk
 * (systemd-nspawn binds them from the host) writes them into its own state
 * directory and keeps their paths itself; see launch.h.
 *
 * Paths are absolute; targets are normalised ("//" and "." collapsed,
 * trailing "/" dropped) and may not contain "..".
 */
struct pt_plan;

/** Bind flags. */
enum {
	PT_BIND_RO = 1u << 0,     /**< read-only in the container */
	PT_BIND_DEVICE = 1u << 1, /**< the source is a device node (set by the plan from stat) */
};

/** A bind. Strings are owned by the plan; valid until the plan changes. */
struct pt_bind {
	const char *source; /**< host path */
	const char *target; /**< container path */
	unsigned flags;     /**< PT_BIND_* */
};

/** A device node to pass to the container, node by node. */
struct pt_device {
	const char *path;   /**< same path on the host and in the container */
	char type;          /**< 'c' or 'b' */
	unsigned major;
	unsigned minor;
	const char *access; /**< "rw", "rwm", "r" …: what the container may do */
};

/** An environment variable for the command. */
struct pt_env {
	const char *name;
	const char *value;
};

/** A generated file that must appear at target inside the container. */
struct pt_file {
	const char *target;    /**< container path */
	const char *data;      /**< content (not necessarily NUL-terminated) */
	size_t size;
	unsigned mode;         /**< permission bits, e.g. 0600 */
};

/** Plan flags. */
enum {
	PT_PLAN_PRIVATE_IPC = 1u << 0,     /**< the container gets its own IPC namespace (default) */
	PT_PLAN_PRIVATE_NETWORK = 1u << 1, /**< the container gets its own network namespace */
};

/** A new empty plan (flags PT_PLAN_PRIVATE_IPC), or NULL when out of memory. */
PT_EXPORT struct pt_plan *pt_plan_new(void);

/** Frees the plan. NULL is allowed. */
PT_EXPORT void pt_plan_free(struct pt_plan *plan);

/**
 * Adds a bind of host path source at container path target (NULL: same as
 * source). The source must exist (-ENOENT otherwise, naming it); a character
 * or block device source gets PT_BIND_DEVICE. flags: PT_BIND_RO. For a
 * device, read-only means read-only access under nspawn, bwrap and CDI,
 * and is ignored there otherwise; the native backend mounts every device
 * node read-only (the device works, its inode's mode and owner cannot be
 * changed).
 */
PT_EXPORT int pt_plan_add_bind(struct pt_plan *plan, const char *source, const char *target,
		     unsigned flags, struct pt_error *err);

/**
 * Adds a device node. type is 'c' or 'b'; access a non-empty subset of
 * "rwm" (NULL: "rw"). The node is not checked against the host here: the
 * producer that found it did that. The native backend binds it on a
 * read-only mount, as any device node.
 */
PT_EXPORT int pt_plan_add_device(struct pt_plan *plan, const char *path, char type, unsigned major,
		       unsigned minor, const char *access, struct pt_error *err);

/**
 * Sets an environment variable. name: a POSIX portable name,
 * [A-Za-z_][A-Za-z0-9_]* (-EINVAL otherwise); value: any string.
 */
PT_EXPORT int pt_plan_set_env(struct pt_plan *plan, const char *name, const char *value,
		    struct pt_error *err);

/** The value of an environment variable in the plan, or NULL. */
PT_EXPORT const char *pt_plan_get_env(const struct pt_plan *plan, const char *name);

/**
 * Adds a generated file; the plan copies data. mode: permission bits. The
 * container gets a private copy: one whose mode lets its owner write
 * (0644, 0600) can be opened read-write (libpulse opens its cookie so and
 * does not fall back to read-only on a read-only mount); what is written
 * there is discarded with the container. Without an owner's write bit
 * (0444) it is mounted read-only.
 */
PT_EXPORT int pt_plan_add_file(struct pt_plan *plan, const char *target, const void *data, size_t size,
		     unsigned mode, struct pt_error *err);

/** Counts and entries, in plan order. Out-of-range index: NULL. */
PT_EXPORT size_t pt_plan_bind_count(const struct pt_plan *plan);
PT_EXPORT const struct pt_bind *pt_plan_bind(const struct pt_plan *plan, size_t i);
PT_EXPORT size_t pt_plan_device_count(const struct pt_plan *plan);
PT_EXPORT const struct pt_device *pt_plan_device(const struct pt_plan *plan, size_t i);
PT_EXPORT size_t pt_plan_env_count(const struct pt_plan *plan);
PT_EXPORT const struct pt_env *pt_plan_env(const struct pt_plan *plan, size_t i);
PT_EXPORT size_t pt_plan_file_count(const struct pt_plan *plan);
PT_EXPORT const struct pt_file *pt_plan_file(const struct pt_plan *plan, size_t i);

/** The container's root directory on the host: must exist and be a directory. */
PT_EXPORT int pt_plan_set_root(struct pt_plan *plan, const char *dir, struct pt_error *err);
/** The root directory, or NULL when none was set (backends then use their default). */
PT_EXPORT const char *pt_plan_get_root(const struct pt_plan *plan);

/** The user to run the command as (a name or number, resolved inside the container). */
PT_EXPORT int pt_plan_set_user(struct pt_plan *plan, const char *user, struct pt_error *err);
PT_EXPORT const char *pt_plan_get_user(const struct pt_plan *plan);

/** The command (argv[0] and its arguments, argc >= 1); the plan copies it. */
PT_EXPORT int pt_plan_set_command(struct pt_plan *plan, int argc, char *const argv[], struct pt_error *err);
/** The command as a NULL-terminated vector owned by the plan, or NULL. */
PT_EXPORT char *const *pt_plan_get_command(const struct pt_plan *plan);

/** PT_PLAN_* flags. */
PT_EXPORT void pt_plan_set_flags(struct pt_plan *plan, unsigned flags);
PT_EXPORT unsigned pt_plan_get_flags(const struct pt_plan *plan);

/**
 * Parses a bind argument as systemd-nspawn does: "SRC[:DST]", where "\:"
 * is a colon inside a path and "\\" a backslash. DST defaults to SRC.
 * Both must be absolute; control characters (a CRLF's '\r') are -EINVAL.
 * Returns newly allocated strings in *ret_source, *ret_target.
 */
PT_EXPORT int pt_bind_parse(const char *spec, char **ret_source, char **ret_target, struct pt_error *err);

#ifdef __cplusplus
}
#endif
