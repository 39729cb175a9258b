/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the Criterion suites: temporary directories, a busybox
 * root file system, running a program and capturing what it printed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A new private directory under $TMPDIR or /tmp; aborts the test on failure. */
char *tu_tmpdir(void);

/* Removes a tree; never crosses into a mount point and never follows links. */
void tu_rm_rf(const char *path);

/* A minimal root file system for containers: busybox (static) with its
 * applets, /etc/passwd and /etc/group with root, nobody and a "tester"
 * (uid 1000, groups 1000 and 44 video), a getent that nspawn -u needs.
 * Created under dir; returns the root's path (dir/root). */
char *tu_busybox_root(const char *dir);

/* Path of a built tool ($PT_BUILD set by scripts/run-tests, else ./build). */
const char *tu_tool(const char *name);

/* Whether an executable of this name is in PATH. */
bool tu_have(const char *prog);

/* A character major without a driver (240-254: "local/experimental use",
 * never assigned to a real driver): opening its node gives ENXIO where the
 * mount and the device cgroup allow it (nodev would be EACCES). Skips the
 * test when all are taken. */
unsigned tu_free_char_major(void);

/* For a suite that uses umockdev testbeds: Criterion forks its workers
 * from the runner, so the runner itself must run with umockdev's preload.
 * Re-executes the program (argv) with it, first in LD_PRELOAD (ASan, in
 * check-asan, is told not to insist on coming first); marker is the
 * environment variable that says it was done. Call it from a constructor. */
void tu_reexec_with_umockdev(char **argv, const char *marker);

/* In a forked child: it gets SIGKILL when the test's process ends, also
 * when the test crashes or an assertion ends it before its cleanup ran, so
 * no daemon or launcher a test started outlives it. */
void tu_die_with_parent(pid_t parent);

/* Runs argv, with stdin from /dev/null and stdout/stderr captured (each
 * returned NUL-terminated, caller frees; either pointer may be NULL).
 * Returns the exit status, 128+N for a signal, -1 when it could not run.
 * The child is killed after timeout_s seconds. */
int tu_run(char *const argv[], char **out, char **err, unsigned timeout_s);

/* Writes a file (creating parent directories); aborts the test on failure. */
void tu_write(const char *path, const char *content, unsigned mode);

/* Whether this process may use systemd-nspawn here (root and binary). */
bool tu_can_nspawn(void);

/* Mount points currently under path, counted from /proc/self/mountinfo. */
int tu_mounts_under(const char *path);
