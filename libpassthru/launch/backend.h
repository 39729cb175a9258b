/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: what a backend is to the launch module. A backend is one file
 * holding one `const struct backend`; a new backend is a new file and one
 * line in launch.c's table. Backends only read the plan: whatever they
 * make for a run (generated files on disk, an argv) is their own state,
 * kept in the struct they allocate in prepare() and free in cleanup(). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "passthru/error.h"
#include "passthru/launch.h"
#include "passthru/plan.h"

/* What the launch module hands every backend. */
struct backend_env {
	/* A private directory (0700) for this run, removed with the launch;
	 * a backend may create files in it. */
	const char *state_dir;
	int state_dir_fd;
	enum pt_launch_console console;
	const char *init;   /* passthru-init, our container init, on the host */
	const char *nspawn; /* systemd-nspawn as the launch found it on PATH */
	/* A network namespace the container must join (user-mode network
	 * made before it), or -1: the plan's flags decide. */
	int netns_fd;
};

struct backend_state;

struct backend {
	enum pt_launch_backend id;
	const char *name;
	/* prepare() writes the plan's generated files into env->state_dir,
	 * which is then made when the plan has some; otherwise it is made only
	 * for a dry run (NULL else), so a plain launch touches no disk. */
	bool state_for_files;
	/* Checks the plan and makes what spawn() needs. Nothing may run yet. */
	int (*prepare)(const struct pt_plan *plan, const struct backend_env *env,
		       struct backend_state **ret, struct pt_error *err);
	/* The exact command spawn() runs, when the backend runs one (NULL:
	 * the backend applies the plan itself; a dry run has nothing to show). */
	int (*command)(const struct backend_state *s, char ***ret_argv, struct pt_error *err);
	/* Starts the container: its top process and a pidfd (O_CLOEXEC) for it,
	 * to be supervised by the launch module. Returns once the backend knows
	 * the command was started or failed to start. */
	int (*spawn)(struct backend_state *s, pid_t *ret_pid, int *ret_pidfd, struct pt_error *err);
	/* Passes signal sig on to the command (NULL: to pidfd, the top process). */
	int (*forward)(struct backend_state *s, int pidfd, int sig);
	/* After the top process ended with *status: says whether the command
	 * ran at all (an error when the backend failed before it), and may
	 * correct the status. NULL: the status is the command's. */
	int (*finish)(struct backend_state *s, int *status, struct pt_error *err);
	/* Undoes prepare(): removes what it made (unless keep: a dry run's
	 * printed command refers to it) and frees s. NULL is allowed. */
	void (*cleanup)(struct backend_state *s, bool keep);
};

extern const struct backend backend_nspawn;
extern const struct backend backend_native;
extern const struct backend backend_bwrap;
