/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: processes by pidfd (signal, wait, status), the monotonic clock
 * and finding a program on PATH: one copy for every module. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "passthru/error.h"

/* Milliseconds of CLOCK_MONOTONIC. */
long long now_ms(void);

int pidfd_open_(pid_t pid);
/* Sends sig to the process behind pidfd; 0 or -errno (-ESRCH once it ended). */
int pidfd_signal(int pidfd, int sig);
/* Reaps the child behind pidfd. block: wait for it; else -EAGAIN while it
 * runs. *ret_status: its exit status, 128+N for signal N. */
int pidfd_reap(int pidfd, bool block, int *ret_status);
/* Polls pidfd for up to timeout_ms (-1: forever): true once the process ended. */
bool pidfd_wait_exit(int pidfd, int timeout_ms);

/* The full path of program (a name looked up in $PATH, or a path with a
 * '/'), executable by us. -ENOENT when none is. */
int find_program(const char *program, char **ret);

/* clone3(CLONE_PIDFD | flags) without a new stack: returns like fork()
 * (0 in the child), the pidfd in *ret_pidfd. Falls back to clone(2) where a
 * seccomp profile answers clone3 with ENOSYS. */
pid_t clone_pidfd(unsigned long long flags, int *ret_pidfd);

/* How to start a helper process (a display server, systemd-nspawn). */
struct spawn_params {
	const char *path;   /* full path (find_program()), executed as is */
	char *const *argv;
	char *const *envp;  /* NULL: the caller's environ */
	/* fds for the child: fds[i] becomes fd i for i < n_fds (-1: /dev/null);
	 * everything else is closed, so no descriptor of the caller leaks. */
	const int *fds;
	unsigned n_fds;
	bool own_pgrp;      /* a process group of its own (setpgid(0, 0)) */
	/* PR_SET_PDEATHSIG(SIGKILL): it dies with the calling *thread*, also
	 * when the caller is killed with SIGKILL. */
	bool die_with_caller;
	/* PID 1 of a new PID namespace (and a mount namespace with a fresh
	 * /proc): when it dies, the kernel kills everything below it. */
	bool new_pidns;
	/* With new_pidns: directories that get a private tmpfs in that mount
	 * namespace, where they exist (never seen by the host). */
	const char *const *tmpfs;
};

/* Starts a helper with default signal dispositions and an empty signal
 * mask. Returns once it executed
 * params->path (an exec failure is returned here, the child reaped), with
 * its pid and a pidfd (O_CLOEXEC). The child allocates nothing. */
int pidfd_spawn(const struct spawn_params *params, pid_t *ret_pid, int *ret_pidfd,
		struct pt_error *err);
