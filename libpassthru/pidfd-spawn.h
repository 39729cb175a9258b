/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: posix_spawnp plus a pidfd, shared by pt_spawn() and the
 * display servers. */
#pragma once

#include <spawn.h>

#include "passthru/error.h"

/* Spawns argv with the given file actions, attributes and environment
 * (each may be NULL; env NULL: the caller's) and opens a pidfd for it
 * before anyone can reap it, so the pid cannot have been reused. */
int spawn_pidfd(char *const argv[], const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const env[], pid_t *ret_pid, int *ret_pidfd,
		struct pt_error *err);
