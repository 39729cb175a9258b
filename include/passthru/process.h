/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stddef.h>
#include <sys/types.h>

#include "passthru/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Frees a NULL-terminated vector of strings and the strings. NULL is allowed. */
PT_EXPORT void pt_argv_free(char **argv);

/**
 * One shell line that runs argv when pasted into sh or bash: each word
 * single-quoted when it needs to be. Returns a new string, or NULL when out
 * of memory.
 */
PT_EXPORT char *pt_argv_to_shell(char *const argv[]);

/**
 * Starts argv[0] (searched in PATH) with argv, the caller's environment,
 * an empty signal mask and default signal dispositions (a parent that
 * blocked signals to read them from a signalfd does not pass that on),
 * and only stdin, stdout and stderr of the caller's descriptors. It gets
 * SIGKILL when the calling thread ends, also when the caller is killed:
 * no helper outlives its launcher. Returns its pid and a pidfd (O_CLOEXEC)
 * for it. A program that cannot be executed is an error here (-ENOENT,
 * -EACCES …), naming it.
 */
PT_EXPORT int pt_spawn(char *const argv[], pid_t *ret_pid, int *ret_pidfd, struct pt_error *err);

/** Exit status of a wait status: the code, or 128+N for signal N. */
PT_EXPORT int pt_exit_status(int wstatus);

#ifdef __cplusplus
}
#endif
