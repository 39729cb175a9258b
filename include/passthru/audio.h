/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>

#include "passthru/error.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The host's sound server (PulseAudio, or PipeWire's pulse server) as
 * libpulse finds it, and the ALSA device nodes.
 *
 * libpulse does the finding, in this process, from this process's
 * environment; it may itself log to stderr (e.g. about an XDG_RUNTIME_DIR
 * owned by another user): that is libpulse's, not ours.
 *
 * Where the container finds things (fixed, so that one plan reads the same
 * on every host):
 *  - PT_AUDIO_SOCKET      the host's socket, bound read-only;
 *  - PT_AUDIO_CLIENT_CONF a client.conf that includes the container's own
 *                         /etc/pulse/client.conf and then turns autospawn off;
 *  - PT_AUDIO_COOKIE      a copy of the host's cookie, when there is one.
 */
#define PT_AUDIO_DIR	     "/run/passthru/pulse"
#define PT_AUDIO_SOCKET	     PT_AUDIO_DIR "/native"
#define PT_AUDIO_CLIENT_CONF PT_AUDIO_DIR "/client.conf"
#define PT_AUDIO_COOKIE	     PT_AUDIO_DIR "/cookie"

/** What the lookup found. Each failing state has its own errno. */
enum pt_audio_state {
	PT_AUDIO_RUNNING = 0, /**< a server answered (0) */
	PT_AUDIO_NO_SERVER,   /**< none configured, no socket where one is looked for (-ENOENT) */
	PT_AUDIO_STALE,	      /**< a socket exists but nobody listens on it (-ECONNREFUSED) */
	PT_AUDIO_REMOTE,      /**< the server is reached over TCP: nothing to bind (-EREMOTE) */
	PT_AUDIO_DENIED,      /**< the socket or the server refused us (-EACCES) */
	PT_AUDIO_FAILED, /**< it did not answer in time or answered badly (-ETIMEDOUT, -EPROTO) */
};

/** A short name for a state: "running", "none", "stale", "remote", "denied", "failed". */
PT_EXPORT const char *pt_audio_state_name(enum pt_audio_state state);

/** The result of pt_audio_find(). */
struct pt_audio;

/**
 * Options for pt_audio_find(). Allocated by pt_audio_options_new() so that
 * fields can be appended in later versions without breaking callers; set
 * the fields directly. Strings are the caller's and must stay valid until
 * pt_audio_find() returns.
 */
struct pt_audio_options {
	/** A server string ("unix:/path", "/path", "tcp:host") to use instead of
	 * libpulse's search; NULL: search as every client would. */
	const char *server;
	/** How long to wait for the server (connect and one request); 0: 2000 ms. */
	unsigned timeout_ms;
};

/** Options with every field at its default; NULL when out of memory. Free
 * with pt_audio_options_free(). */
PT_EXPORT struct pt_audio_options *pt_audio_options_new(void);

/** Frees options. NULL is allowed. */
PT_EXPORT void pt_audio_options_free(struct pt_audio_options *opts);

/**
 * Finds the sound server the way every PulseAudio client does: libpulse
 * resolves it (PULSE_SERVER, the X11 root window property, client.conf
 * default-server, $PULSE_RUNTIME_PATH or $XDG_RUNTIME_DIR/pulse/native, the
 * system socket) from this process's environment, and we connect without
 * autospawning a server and ask for its name and version.
 *
 * libpulse says only "connection refused" whatever went wrong, so on
 * failure the same candidates are looked at one by one to tell the states
 * apart. Returns 0 when a server answered; otherwise the state's -errno
 * (see enum pt_audio_state) with a message naming the socket in err.
 * In both cases *ret (caller frees with pt_audio_free()) describes what was
 * found, so a caller can show the state; *ret is NULL only on -ENOMEM or
 * -EINVAL. -EOPNOTSUPP: libpulse.so.0 (loaded on first use) is not
 * installed; *ret is then in state PT_AUDIO_FAILED. opts may be NULL.
 */
PT_EXPORT int pt_audio_find(const struct pt_audio_options *opts, struct pt_audio **ret, struct pt_error *err);

/** Frees the result. NULL is allowed. */
PT_EXPORT void pt_audio_free(struct pt_audio *audio);

PT_EXPORT enum pt_audio_state pt_audio_get_state(const struct pt_audio *audio);
/** Whether a server answered (a TCP server can answer and still be PT_AUDIO_REMOTE). */
PT_EXPORT bool pt_audio_is_running(const struct pt_audio *audio);
/** The server string libpulse chose (or the one that failed), or NULL when none. */
PT_EXPORT const char *pt_audio_get_server(const struct pt_audio *audio);
/** The socket's path for a local server, or NULL (none, or a TCP server). */
PT_EXPORT const char *pt_audio_get_socket(const struct pt_audio *audio);
/** The server's name and version ("pulseaudio", "16.1"; PipeWire names
 * itself "PulseAudio (on PipeWire x.y.z)"), or NULL unless it answered. */
PT_EXPORT const char *pt_audio_get_name(const struct pt_audio *audio);
PT_EXPORT const char *pt_audio_get_version(const struct pt_audio *audio);
/** The cookie file a client of ours would send (PULSE_COOKIE, client.conf
 * cookie-file, ~/.config/pulse/cookie, ~/.pulse-cookie), or NULL when none exists. */
PT_EXPORT const char *pt_audio_get_cookie(const struct pt_audio *audio);

/** Flags for pt_audio_add_to_plan() and pt_pulse_add_to_plan(). */
enum {
	/** A TCP server cannot be bound; with this flag the container still
	 * gets PULSE_SERVER naming it (it must reach it over the network). */
	PT_AUDIO_KEEP_REMOTE = 1u << 0,
};

/**
 * Adds what the container needs to reach a running server:
 *  - the socket, bound read-only at PT_AUDIO_SOCKET (connect() needs no
 *    write access to the mount): the socket itself, not its directory, so a
 *    private runtime directory such as /run/user/1000 (0700) need not be
 *    opened to the container's user and nothing else in it (pid file,
 *    other sockets) is shown. The price: a server that restarts makes a new
 *    socket the running container does not see;
 *  - PULSE_SERVER=unix:PT_AUDIO_SOCKET;
 *  - PT_AUDIO_CLIENT_CONF with autospawn off, and PULSE_CLIENTCONFIG naming it,
 *    so a client never starts a private server inside when the host's is gone;
 *  - the cookie, when one exists, as PT_AUDIO_COOKIE (mode 0644) and
 *    PULSE_COOKIE: always, because which uid the container's user gets is
 *    decided inside the container, and a client whose uid differs from the
 *    server's is let in only with it.
 * A server that is not running is an error (its state's -errno). A TCP
 * server is -EREMOTE unless flags has PT_AUDIO_KEEP_REMOTE; then only
 * PULSE_SERVER (as found), the client.conf and the cookie are added.
 */
PT_EXPORT int pt_audio_add_to_plan(const struct pt_audio *audio, struct pt_plan *plan, unsigned flags,
			 struct pt_error *err);

/** pt_audio_find() with default options, then pt_audio_add_to_plan(): what
 * `passthru-launch --pulse` does. Errors are prefixed "pulse: ". */
PT_EXPORT int pt_pulse_add_to_plan(struct pt_plan *plan, unsigned flags, struct pt_error *err);

/**
 * Adds every ALSA device node (udev subsystem "sound" with a device node:
 * /dev/snd/controlC0, pcmC0D0p, …) node by node, read-write, with the
 * major:minor udev reports. None at all is -ENOENT ("no sound devices").
 * Errors are prefixed "alsa: ".
 */
PT_EXPORT int pt_alsa_add_to_plan(struct pt_plan *plan, struct pt_error *err);

#ifdef __cplusplus
}
#endif
