/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>
#include <stddef.h>

#include "passthru/display.h"
#include "passthru/error.h"
#include "passthru/plan.h"
#include "passthru/warning.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A container's life, from a finished plan to its end: choose the backend,
 * keep one private state directory, start the helpers it needs (a nested
 * display), spawn, forward signals, stop the container when a helper it
 * needs dies, and remove everything again. passthru-launch is a thin
 * front-end to this module; another container tool gets the same in a few
 * calls:
 *
 *     struct pt_launch_opts *o = pt_launch_opts_new();
 *     struct pt_launch *l;
 *     pt_launch_new(plan, o, &l, &err);
 *     pt_launch_start_display(l, display_opts, &err);   // optional
 *     pt_launch_run(l, sigfd, &status, &err);
 *     pt_launch_free(l);                                  // stops, cleans
 */
struct pt_launch;

/** Which engine runs the container. */
enum pt_launch_backend {
	PT_LAUNCH_BACKEND_AUTO = 0, /**< nspawn for root where systemd-nspawn is installed, else native */
	PT_LAUNCH_BACKEND_NSPAWN,   /**< systemd-nspawn (needs root and a root directory) */
	PT_LAUNCH_BACKEND_NATIVE,   /**< namespaces of our own (works without root) */
	PT_LAUNCH_BACKEND_BWRAP,    /**< bubblewrap (works without root) */
};

/** How the command's stdio are connected (nspawn backend). */
enum pt_launch_console {
	PT_LAUNCH_CONSOLE_AUTO = 0,    /**< interactive at a terminal, pipe otherwise */
	PT_LAUNCH_CONSOLE_PIPE,        /**< the caller's stdio, byte for byte */
	PT_LAUNCH_CONSOLE_INTERACTIVE, /**< a pty in between (nspawn's default) */
};

/**
 * The container's network. A container that shares the host's network
 * namespace reaches every abstract unix socket there, the host's X server
 * (@/tmp/.X11-unix/X0) among them, whatever else it is given; a network
 * namespace of its own with user-mode networking (slirp4netns) keeps
 * outbound connections working without any of that. The host's loopback
 * services are then reached at PT_LAUNCH_HOST_ADDRESS.
 */
enum pt_launch_network {
	PT_LAUNCH_NETWORK_AUTO = 0, /**< user-mode when a nested display (Xephyr, Xvfb, Weston) is
				         started and slirp4netns is installed, else the host's */
	PT_LAUNCH_NETWORK_HOST,     /**< the host's network namespace (and its abstract sockets) */
	PT_LAUNCH_NETWORK_NONE,     /**< a namespace of its own with only lo (PT_PLAN_PRIVATE_NETWORK) */
	PT_LAUNCH_NETWORK_USER,     /**< a namespace of its own with user-mode networking */
};

/** Where the host's 127.0.0.1 answers a container with PT_LAUNCH_NETWORK_USER. */
#define PT_LAUNCH_HOST_ADDRESS "10.0.2.2"

/**
 * Options. Allocated by pt_launch_opts_new() so fields can be appended
 * later; set the fields directly. Strings are the caller's and must stay
 * valid while a launch made with them lives.
 */
struct pt_launch_opts {
	enum pt_launch_backend backend;
	enum pt_launch_console console;
	/** Where the private state directory is made; NULL: see pt_launch_state_base(). */
	const char *state_base;
	/** After a stop request (SIGTERM, SIGINT, SIGHUP read from the signal
	 *  fd) or a helper's death, how long the command may take to end
	 *  before it is killed; 0: 10000 ms. */
	unsigned kill_after_ms;
	/** The container's network; a plan with PT_PLAN_PRIVATE_NETWORK means NONE. */
	enum pt_launch_network network;
};

/** New options with defaults, or NULL when out of memory. */
PT_EXPORT struct pt_launch_opts *pt_launch_opts_new(void);
/** Frees options. NULL is allowed. */
PT_EXPORT void pt_launch_opts_free(struct pt_launch_opts *opts);

/** "auto", "nspawn", "native", "bwrap"; NULL for an unknown value. */
PT_EXPORT const char *pt_launch_backend_name(enum pt_launch_backend backend);
/** Parses a backend name; -EINVAL naming it and the known ones otherwise. */
PT_EXPORT int pt_launch_backend_parse(const char *name, enum pt_launch_backend *ret, struct pt_error *err);

/** "auto", "host", "none", "user"; NULL for an unknown value. */
PT_EXPORT const char *pt_launch_network_name(enum pt_launch_network network);
/** Parses a network mode name; -EINVAL naming it and the known ones otherwise. */
PT_EXPORT int pt_launch_network_parse(const char *name, enum pt_launch_network *ret, struct pt_error *err);

/**
 * Whether user-mode networking can be given on this machine: true, or false
 * with the reason (a static string) in *ret_why.
 */
PT_EXPORT bool pt_launch_usernet_available(const char **ret_why);

/**
 * The network the container gets as things stand (never AUTO): AUTO
 * turns into USER once a nested display was started and slirp4netns is
 * there, into HOST otherwise.
 */
PT_EXPORT enum pt_launch_network pt_launch_get_network(const struct pt_launch *launch);

/**
 * The directory under which launches and displays make their private
 * state directories: $XDG_RUNTIME_DIR when it is an absolute path to a
 * directory of the caller's that the caller may write, else $TMPDIR, else
 * /tmp. One policy for every piece of state the library keeps.
 */
PT_EXPORT const char *pt_launch_state_base(void);

/**
 * Makes a launch for plan, which the launch borrows: it must stay valid
 * until pt_launch_free(), and pt_launch_start_display() adds to it. Picks
 * the backend (opts NULL: defaults) and checks what it can without
 * starting anything: -EINVAL for a plan the backend cannot run (no
 * command; no root directory under nspawn), -ENOENT when nspawn was asked
 * for and is not installed. The private state directory is made when
 * first needed; a launch that made one removes, once its container has
 * started (pt_launch_run()), those of earlier launches whose process is
 * gone (a launcher that was killed).
 */
PT_EXPORT int pt_launch_new(struct pt_plan *plan, const struct pt_launch_opts *opts, struct pt_launch **ret,
		  struct pt_error *err);

/** The backend the launch chose (never AUTO). */
PT_EXPORT enum pt_launch_backend pt_launch_get_backend(const struct pt_launch *launch);

/**
 * The launch's private state directory, removed by pt_launch_free(). It is
 * made on first use (here, by a display, by a backend that writes files,
 * by a dry run), so a plain native launch writes nothing to disk. NULL
 * when it could not be made.
 */
PT_EXPORT const char *pt_launch_state_dir(struct pt_launch *launch);

/**
 * Starts a nested display for the container (pt_display_start(), with its
 * files in the launch's state directory unless opts->state_dir says
 * otherwise), gives it to the plan (pt_display_add_to_plan()) and watches
 * it: when the display dies, the container is stopped; it dies with the
 * calling thread (opts->die_with_caller), also when the launcher is
 * killed. The launch owns the
 * display and stops it in pt_launch_free(). opts->private_ipc is taken
 * from the plan. The display is also reachable through pt_launch_display().
 * Adds a warning for every host X server the container could still reach
 * (pt_display_exposed_sockets()).
 */
PT_EXPORT int pt_launch_start_display(struct pt_launch *launch, struct pt_display_opts *opts,
			    struct pt_error *err);

/** The display started by pt_launch_start_display(), or NULL. */
PT_EXPORT struct pt_display *pt_launch_display(const struct pt_launch *launch);

/**
 * Watches fd (e.g. a pidfd of a helper the caller started): once it is
 * readable the container is stopped, and pt_launch_run() fails naming
 * what (a short noun: "the audio bridge"). The caller keeps fd open.
 */
PT_EXPORT int pt_launch_watch(struct pt_launch *launch, int fd, const char *what, struct pt_error *err);

/**
 * The exact command the backend will run, as a NULL-terminated argv (free
 * with pt_argv_free()), for a dry run. Generated files are written to the
 * state directory, which then outlives the launch (the command refers to
 * them; pt_launch_state_dir() says where). -EOPNOTSUPP for a backend that
 * runs no external command (native).
 */
PT_EXPORT int pt_launch_dry_run(struct pt_launch *launch, char ***ret_argv, struct pt_error *err);

/** Why a container ended. */
enum pt_launch_end {
	PT_LAUNCH_END_NONE = 0,  /**< not run yet, or setup failed */
	PT_LAUNCH_END_EXITED,    /**< the command ended by itself */
	PT_LAUNCH_END_STOPPED,   /**< a stop signal came in on sigfd and was passed on */
	PT_LAUNCH_END_HELPER,    /**< a watched helper (the display) died: the container was stopped */
};

/**
 * Runs the container and supervises it until it ends. Signals read from
 * sigfd (a signalfd of the caller's, or -1) go to the command; SIGTERM,
 * SIGINT and SIGHUP are stop requests: the command gets the signal, and
 * is killed when it has not ended opts->kill_after_ms later. A stop
 * request already pending before the container started means it never
 * starts (status 128+N).
 *
 * Returns 0 with *ret_status the command's exit status (128+N for signal
 * N) when it ended by itself or after a stop request; -ECANCELED with a
 * message naming the helper and its last words when a watched helper died
 * (*ret_status is still the command's); any other -errno when the
 * container could not be set up or started. pt_launch_end() says which.
 */
PT_EXPORT int pt_launch_run(struct pt_launch *launch, int sigfd, int *ret_status, struct pt_error *err);

/** Why the container ended. */
PT_EXPORT enum pt_launch_end pt_launch_get_end(const struct pt_launch *launch);
/** The stop signal that ended it (PT_LAUNCH_END_STOPPED), else 0. */
PT_EXPORT int pt_launch_stop_signal(const struct pt_launch *launch);

/** Warnings collected so far (an exposed host X server …), NULL when out of range. */
PT_EXPORT size_t pt_launch_warning_count(const struct pt_launch *launch);
PT_EXPORT const struct pt_warning *pt_launch_warning(const struct pt_launch *launch, size_t i);

/**
 * Stops whatever still runs (the container, then the display), removes
 * the state directory (unless a dry run kept it) and frees. NULL is allowed.
 */
PT_EXPORT void pt_launch_free(struct pt_launch *launch);

#ifdef __cplusplus
}
#endif
