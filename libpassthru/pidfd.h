/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: processes by pidfd (signal, wait, status), the monotonic clock
 * and finding a program on PATH: one copy for every module. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

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
