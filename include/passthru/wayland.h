/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>
#include <sys/types.h>

#include "passthru/error.h"
#include "passthru/launch.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Wayland for a container: the host compositor's socket (or a nested
 * Weston's) in a private runtime directory, found by clients through
 * XDG_RUNTIME_DIR and WAYLAND_DISPLAY.
 */

/** The container's XDG_RUNTIME_DIR with a Wayland socket. */
#define PT_WAYLAND_RUNTIME_DIR "/run/passthru/wayland"
/** The socket's name in it (WAYLAND_DISPLAY). */
#define PT_WAYLAND_DISPLAY "wayland-0"

/** Flags of pt_wayland_add_to_plan() and pt_launch_add_wayland(). */
enum {
	/** Also tell toolkits to use Wayland: GDK_BACKEND=wayland,
	 *  QT_QPA_PLATFORM=wayland, SDL_VIDEODRIVER=wayland, MOZ_ENABLE_WAYLAND=1. */
	PT_WAYLAND_HINTS = 1u << 0,
};

/**
 * The host compositor's socket, resolved as libwayland-client does:
 * WAYLAND_DISPLAY (default "wayland-0") as an absolute path, or relative to
 * XDG_RUNTIME_DIR. *ret_path: caller frees. Errors: -EINVAL when
 * WAYLAND_SOCKET is set (an inherited connection cannot be passed on),
 * -ENXIO when XDG_RUNTIME_DIR is needed and not set, -ENOENT when there is
 * no socket there, -ENOTSOCK when the path is not a socket.
 */
PT_EXPORT int pt_wayland_find_socket(char **ret_path, struct pt_error *err);

/**
 * Gives plan a Wayland socket: runtime_dir (a host directory that the
 * container user owns, mode 0700, holding an empty file named
 * PT_WAYLAND_DISPLAY as the mount point) bound at PT_WAYLAND_RUNTIME_DIR,
 * the socket bound on that file, XDG_RUNTIME_DIR and WAYLAND_DISPLAY set;
 * with PT_WAYLAND_HINTS the toolkit variables too.
 */
PT_EXPORT int pt_wayland_add_to_plan(struct pt_plan *plan, const char *socket, const char *runtime_dir,
			   unsigned flags, struct pt_error *err);

/**
 * pt_wayland_add_to_plan() for a launch's plan with a runtime directory made
 * in the launch's state directory and owned by the container's user (looked
 * up in the root's /etc/passwd). socket: NULL for the host compositor's
 * (pt_wayland_find_socket()).
 */
PT_EXPORT int pt_launch_add_wayland(struct pt_launch *launch, const char *socket, unsigned flags,
			  struct pt_error *err);

/**
 * A nested Weston compositor of the container's own: a window on the
 * host's Wayland or X session, or headless. Started with a private
 * runtime directory, ready once its socket accepts a connection, tracked
 * by a pidfd and stopped again, like the nested X displays.
 */
struct pt_weston;

/** Where Weston draws. */
enum pt_weston_backend {
	PT_WESTON_AUTO = 0, /**< Wayland when the host has a compositor, else X11 */
	PT_WESTON_WAYLAND,  /**< a window on the host compositor (wayland-backend.so) */
	PT_WESTON_X11,	    /**< a window on the host X display (x11-backend.so) */
	PT_WESTON_HEADLESS, /**< no output at all (headless-backend.so) */
};

/** Options; from pt_weston_opts_new(). Strings are the caller's. */
struct pt_weston_opts {
	enum pt_weston_backend backend;
	unsigned width, height;	       /**< output size; 0: Weston's default */
	unsigned timeout_ms;	       /**< to accept a connection; 0: 10000 */
	const char *server;	       /**< binary; NULL: "weston" */
	const char *state_dir;	       /**< where its private directory is made; NULL: $TMPDIR */
	const char *const *extra_args; /**< NULL-terminated, appended */
};

PT_EXPORT struct pt_weston_opts *pt_weston_opts_new(void);
PT_EXPORT void pt_weston_opts_free(struct pt_weston_opts *opts);

/** Parses the value of --weston: NULL or "" (defaults), "WxH", "headless", or "headless,WxH". */
PT_EXPORT int pt_weston_opts_parse(struct pt_weston_opts *opts, const char *spec, struct pt_error *err);

/**
 * Starts Weston and returns once its socket accepts a connection. Errors:
 * -ENXIO no host session for the backend asked; -ENOENT no weston;
 * -ECHILD it exited first (the message carries its last words);
 * -ETIMEDOUT (it is killed). Nothing is left after an error.
 */
PT_EXPORT int pt_weston_start(const struct pt_weston_opts *opts, struct pt_weston **ret,
		    struct pt_error *err);

/** Its socket on the host (in its private runtime directory). */
PT_EXPORT const char *pt_weston_socket(const struct pt_weston *weston);
PT_EXPORT pid_t pt_weston_pid(const struct pt_weston *weston);
/** Owned by the weston: readable once it exits. */
PT_EXPORT int pt_weston_pidfd(const struct pt_weston *weston);

/** SIGTERM, SIGKILL after grace_ms (0: 3000), files removed. */
PT_EXPORT int pt_weston_stop(struct pt_weston *weston, unsigned grace_ms, struct pt_error *err);
/** Stops and frees. NULL is allowed. */
PT_EXPORT void pt_weston_free(struct pt_weston *weston);

/**
 * Starts a Weston for the launch (files in its state directory), gives the
 * container its socket (pt_launch_add_wayland() with flags) and watches it:
 * its death stops the container. The launch stops it in pt_launch_free().
 */
PT_EXPORT int pt_launch_start_weston(struct pt_launch *launch, struct pt_weston_opts *opts, unsigned flags,
			   struct pt_error *err);

/** PipeWire's socket in the container; PIPEWIRE_REMOTE names it. */
#define PT_PIPEWIRE_SOCKET "/run/passthru/pipewire/pipewire-0"

/**
 * The host PipeWire daemon's socket as clients find it: PIPEWIRE_REMOTE
 * (an absolute path, or a name in XDG_RUNTIME_DIR), default "pipewire-0".
 * -ENXIO without XDG_RUNTIME_DIR for a relative name, -ENOENT none there.
 */
PT_EXPORT int pt_pipewire_find_socket(char **ret_path, struct pt_error *err);

/**
 * Gives plan the host's PipeWire socket at PT_PIPEWIRE_SOCKET and sets
 * PIPEWIRE_REMOTE to it, for native PipeWire clients.
 */
PT_EXPORT int pt_pipewire_add_to_plan(struct pt_plan *plan, struct pt_error *err);

#ifdef __cplusplus
}
#endif
