/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounting into an untrusted root. Every path inside the root is resolved
 * with openat2(RESOLVE_IN_ROOT): a symlink in the root, absolute or full of
 * "..", is followed as if the root were "/", so it cannot point a mkdir, a
 * file creation or a mount at the host. Mounts are made with the new mount
 * API onto the resolved file descriptor, never onto a path the kernel would
 * resolve again. */
#pragma once

#include <stdbool.h>

#include "util.h"

/* openat2(rootfd, path, flags | O_CLOEXEC) resolved inside rootfd. */
int root_open(int rootfd, const char *path, int flags);

/* An O_PATH fd of directory path inside rootfd, creating missing
 * components (mode 0755). A symlink whose target is missing inside the
 * root is an error (-ENOENT), not followed out of it. */
int root_mkdir_p(int rootfd, const char *path, int *ret_fd, struct pt_error *err);

/* An O_PATH fd of a non-directory at path inside rootfd, creating it
 * (empty, mode 0644) and its parent directories when missing. */
int root_mkfile(int rootfd, const char *path, int *ret_fd, struct pt_error *err);

/* Bind-mounts host path source (recursively for a directory) onto
 * target inside rootfd, creating the mount point, with mount attributes
 * attrs (MOUNT_ATTR_RDONLY, _NOSUID, _NODEV …) applied to the whole new
 * tree. */
int root_bind(int rootfd, const char *source, const char *target, unsigned attrs,
	      struct pt_error *err);

/* A new detached file system of type fstype. opts: NULL-terminated list of
 * "key=value" or "flag" strings for fsconfig(). Returns the mount fd. */
int fs_new(const char *fstype, const char *const *opts, unsigned attrs, int *ret_fd,
	   struct pt_error *err);

/* Attaches the detached mount mfd on the directory (or file) at path inside
 * rootfd, which must already exist or is created as a directory. */
int root_attach(int rootfd, int mfd, const char *path, bool dir, struct pt_error *err);
