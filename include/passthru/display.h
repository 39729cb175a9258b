/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>
#include <sys/types.h>

#include "passthru/error.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A nested X display for one container: an Xephyr window on the host's
 * display, or a headless Xvfb. The library starts the server with
 * -displayfd (the server picks a free number and says when it accepts
 * clients), -auth with a fresh MIT-MAGIC-COOKIE-1, -nolisten tcp, tracks it
 * through a pidfd and stops it again. The container gets that display's
 * socket, read-only, and an Xauthority holding only its cookie.
 */
struct pt_display;

/** Which server runs the display. */
enum pt_display_kind {
	PT_DISPLAY_XEPHYR = 0, /**< a window on the host's display (needs one) */
	PT_DISPLAY_XVFB = 1,   /**< headless, in memory: no host display needed */
};

/**
 * How to start a display. Allocated by pt_display_opts_new() so that
 * fields can be appended in later versions without breaking callers; set
 * the fields directly. Strings are the caller's and must stay valid until
 * pt_display_start() returns.
 */
struct pt_display_opts {
	enum pt_display_kind kind;
	unsigned width, height;        /**< screen size; 0 = the server's default */
	bool resizeable;               /**< Xephyr: the window may be resized (-resizeable) */
	const char *title;             /**< Xephyr: window title; NULL = Xephyr's own */
	const char *const *extra_args; /**< NULL-terminated server arguments, appended last */
	const char *host_display;      /**< Xephyr: host display; NULL = $DISPLAY */
	bool private_ipc;              /**< the container has its own IPC namespace, so
					    MIT-SHM cannot work there: turn it off (default true) */
	unsigned timeout_ms;           /**< how long the server may take to accept
					    clients; 0 = 10000 */
	const char *server;            /**< the server binary (a path, or a name looked up
					    in PATH); NULL = "Xephyr" or "Xvfb" */
	bool die_with_caller;          /**< the server gets SIGKILL when the thread that
					    started it ends, also when the process is killed
					    (PR_SET_PDEATHSIG): what a launcher wants. Off by
					    default, so a worker thread may start a display
					    that outlives it. pt_launch_start_display() sets it */
	const char *state_dir;         /**< where the private cookie and log directory is
					    made; NULL = $TMPDIR or /tmp */
};

/** New options for kind with defaults (private_ipc true), or NULL when out of memory. */
PT_EXPORT struct pt_display_opts *pt_display_opts_new(enum pt_display_kind kind);

/** Frees options. NULL is allowed. */
PT_EXPORT void pt_display_opts_free(struct pt_display_opts *opts);

/**
 * Parses a screen size "WxH" (each 1..32767) into *ret_width, *ret_height.
 * -EINVAL with a message naming spec otherwise.
 */
PT_EXPORT int pt_display_parse_size(const char *spec, unsigned *ret_width, unsigned *ret_height,
			  struct pt_error *err);

/**
 * The server's argv as pt_display_start() runs it, with displayfd and
 * auth_file in their places (a caller that only shows the command may pass
 * placeholders). Checks opts as pt_display_start() does, including that
 * Xephyr has a host display (-ENXIO). *ret_argv: free with pt_argv_free().
 */
PT_EXPORT int pt_display_server_argv(const struct pt_display_opts *opts, int displayfd,
			   const char *auth_file, char ***ret_argv, struct pt_error *err);

/**
 * Starts a display and returns once it accepts clients: its number arrived
 * on the -displayfd pipe and a connection with the new cookie succeeded.
 * The server runs in its own process group (a terminal's Ctrl-C reaches the
 * container, not the display; the caller stops it) with stdin from
 * /dev/null and its output in a private log.
 *
 * Errors (the message says which and carries the server's last words):
 * -ENXIO Xephyr without a host display; -ENOENT/-EACCES the server binary
 * cannot be run; -ECHILD the server exited before accepting clients;
 * -ETIMEDOUT it did not accept clients within opts->timeout_ms (it is
 * killed); -EOPNOTSUPP libxcb.so.1 or libXau.so.6 is not installed (they
 * are loaded on first use). Nothing is left running or on disk after an error.
 *
 * *ret_display is the caller's: pt_display_free() stops and frees it.
 */
PT_EXPORT int pt_display_start(const struct pt_display_opts *opts, struct pt_display **ret_display,
		     struct pt_error *err);

/** The display number N (the container sees DISPLAY=:N). */
PT_EXPORT int pt_display_number(const struct pt_display *display);

/** ":N", owned by the display. */
PT_EXPORT const char *pt_display_name(const struct pt_display *display);

/** "Xephyr" or "Xvfb", for messages. */
PT_EXPORT const char *pt_display_kind_name(const struct pt_display *display);

/** The server's process id. */
PT_EXPORT pid_t pt_display_pid(const struct pt_display *display);

/**
 * A pidfd of the server, owned by the display (do not close it): it becomes
 * readable when the server exits, so a caller can poll it next to its own
 * fds, e.g. as a watch fd of pt_supervise().
 */
PT_EXPORT int pt_display_pidfd(const struct pt_display *display);

/**
 * The server's cookie file (an Xauthority with only this display's
 * cookie): a host client given XAUTHORITY=this file may connect. Owned by
 * the display; removed by pt_display_stop(), NULL after it.
 */
PT_EXPORT const char *pt_display_auth_file(const struct pt_display *display);

/**
 * Whether the server still runs. Does not block; once it has exited, the
 * server is reaped and its status kept (pt_display_exit_status()).
 */
PT_EXPORT bool pt_display_alive(struct pt_display *display);

/** The server's exit status (128+N for signal N) once it ended, else -1. */
PT_EXPORT int pt_display_exit_status(const struct pt_display *display);

/**
 * What the server said before it died after serving clients: its fatal
 * error ("Fatal server error: …"), or NULL when it logged none (its last
 * line then is shutdown noise, not a reason). Owned by the
 * display; kept by pt_display_stop(), valid until pt_display_free().
 */
PT_EXPORT const char *pt_display_last_words(struct pt_display *display);

/**
 * Gives a container this display: its socket /tmp/.X11-unix/XN bound
 * read-only (nothing else of /tmp/.X11-unix), a generated Xauthority at
 * /run/passthru/Xauthority with only its cookie, DISPLAY=:N and XAUTHORITY.
 * -EINVAL when the plan has its own IPC namespace but the display was
 * started with MIT-SHM (clients would fail on it).
 */
PT_EXPORT int pt_display_add_to_plan(const struct pt_display *display, struct pt_plan *plan,
			   struct pt_error *err);

/**
 * X servers a container run from plan could reach besides display: a
 * container sharing the host's network namespace reaches every abstract
 * socket "@/tmp/.X11-unix/XN" of that namespace, however few paths it
 * was given. Returns the number found and, in *ret_sockets, their names (a
 * NULL-terminated vector; free with pt_argv_free()). Zero when the plan
 * has its own network namespace. display may be NULL (then every one counts).
 */
PT_EXPORT int pt_display_exposed_sockets(const struct pt_display *display, const struct pt_plan *plan,
			       char ***ret_sockets, struct pt_error *err);

/**
 * Stops the server: SIGTERM, and SIGKILL when it has not exited after
 * grace_ms (0 = 3000). Then removes the cookie and log files, and the lock
 * file and socket of its display when the server died without removing
 * them and they are still the ones it created. Calling it again, or on a
 * display that already died, only cleans up.
 */
PT_EXPORT int pt_display_stop(struct pt_display *display, unsigned grace_ms, struct pt_error *err);

/** Stops the display if it still runs (pt_display_stop() with the default grace) and frees it. NULL is allowed. */
PT_EXPORT void pt_display_free(struct pt_display *display);

#ifdef __cplusplus
}
#endif
