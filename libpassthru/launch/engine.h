/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: what every backend and emitter (bwrap, CDI, .nspawn settings)
 * shares when it turns a plan into another engine's terms: one reading of
 * "read-only" and of device access, an atomic file write (argv: strv.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "passthru/error.h"
#include "passthru/plan.h"

/* A bind is mounted read-only where the plan asks, except a device node:
 * these engines read "read-only" of a node as access to the device
 * (nspawn's DeviceAllow= gets "r", bwrap's --ro-bind adds nodev), and a
 * GPU node is useless that way. The native backend, which has no device
 * cgroup, mounts every node read-only instead: the device still works,
 * only its host inode cannot be changed (native.c). */
static inline bool engine_bind_read_only(const struct pt_bind *b)
{
	return (b->flags & PT_BIND_RO) && !(b->flags & PT_BIND_DEVICE);
}

/* A device's cgroup access ("r", "rw", "rwm"): what DeviceAllow= and CDI's
 * "permissions" both take. */
static inline const char *engine_device_access(const struct pt_device *d)
{
	return d->access && *d->access ? d->access : "rw";
}

/* Writes data to dir/name atomically: a temporary file in the same
 * directory, fsync'ed, then renamed over name; nothing half-written is
 * ever visible under name, and the temporary file is gone on failure. */
int engine_write_atomic(const char *dir, const char *name, const void *data, size_t len,
			unsigned mode, struct pt_error *err);

/* Refuses a root whose /dev, /run, /proc, /sys, /tmp, /etc or /var is a
 * symbolic link or not a directory: systemd-nspawn follows such a link out
 * of the root and creates its entries on the host, and bwrap fails on it
 * with its own status (-ELOOP, -ENOTDIR). */
int engine_check_root(const char *root, struct pt_error *err);
