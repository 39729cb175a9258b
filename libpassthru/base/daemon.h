/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: starting the helper daemons a container needs next to it (the
 * user-mode network, a nested Weston) the way the X displays are started
 * (pidfd_spawn()): stdin from /dev/null, output into a private log, chosen
 * fds at chosen numbers and no other, default signal dispositions, their
 * own process group (a terminal's Ctrl-C goes to the container, whose end
 * stops them), killed with the launcher's thread. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "passthru/error.h"

struct daemon_fd {
	int fd;	    /* ours (may be O_CLOEXEC) */
	int target; /* its number in the daemon, >= 3 */
};

/* Spawns argv (argv[0] looked up in PATH) with env (NULL: ours), its
 * stdout and stderr on log_fd (-1: /dev/null), and fds[] at their targets
 * (3..15); a pidfd for it in *ret_pidfd. */
int daemon_spawn(char *const argv[], char *const env[], int log_fd, const struct daemon_fd *fds,
		 size_t n_fds, pid_t *ret_pid, int *ret_pidfd, struct pt_error *err);

/* The last max bytes of a log file (NUL-terminated, caller frees), or NULL. */
char *daemon_log_tail(const char *log_file, size_t max);

/* The last non-empty line of a log file (at most 300 bytes), or NULL. */
char *daemon_last_words(const char *log_file);

/* SIGTERM, SIGKILL after grace_ms, reaped; *ret_status when not NULL. */
void daemon_stop(int pidfd, unsigned grace_ms, int *ret_status);
