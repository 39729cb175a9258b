/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A private PulseAudio daemon for tests: its own XDG_RUNTIME_DIR and HOME
 * under a test directory, a null sink, no autospawn, killed by PID. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct tu_pulse {
	pid_t pid;     /* 0 once it was killed and reaped */
	char *runtime; /* its XDG_RUNTIME_DIR (0700, like /run/user/UID) */
	char *home;    /* its HOME: the cookie is created below it */
	char *socket;  /* runtime/pulse/native */
	char *cookie;  /* home/.config/pulse/cookie */
	char *log;     /* what it printed (log level info: one line per stream) */
};

/* Starts `pulseaudio -n` in dir with module-native-protocol-unix and a null
 * sink named "ptnull" (plus extra_module, a "-L" argument, when not NULL),
 * and waits until its socket accepts connections. Aborts the test when it
 * does not come up. */
struct tu_pulse *tu_pulse_start(const char *dir, const char *extra_module);

/* Sends sig to the daemon (by PID) and reaps it. */
void tu_pulse_kill(struct tu_pulse *p, int sig);

/* Kills the daemon when still running and frees p. NULL is allowed. */
void tu_pulse_free(struct tu_pulse *p);

/* Sets this (test) process's environment so that a client finds nothing
 * but what the test sets up: XDG_RUNTIME_DIR=runtime, HOME=home, and no
 * PULSE_SERVER, PULSE_COOKIE, PULSE_RUNTIME_PATH, DISPLAY (the X11 root
 * window can name a server too); PULSE_CLIENTCONFIG points at an empty
 * client.conf written under dir, so the host's own config does not count. */
void tu_pulse_client_env(const char *dir, const char *runtime, const char *home);

/* Whether the daemon's log holds a line containing both needles. */
bool tu_pulse_log_has(const struct tu_pulse *p, const char *a, const char *b);
