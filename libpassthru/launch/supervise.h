/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: waiting for a container while forwarding signals and watching
 * the helpers it needs. The launch module's loop; tests drive it directly. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "passthru/error.h"

struct supervise {
	int pidfd;            /* the child to wait for */
	int sigfd;            /* signalfd whose signals are passed on, or -1 */
	const int *watch_fds; /* once one is readable the child is stopped */
	size_t n_watch;
	unsigned grace_ms;    /* after a stop, how long until SIGKILL (0: 10000) */
	/* Passes a signal on (NULL: to pidfd). A backend whose top process is
	 * not the command (systemd-nspawn) finds the right one. */
	int (*forward)(void *userdata, int pidfd, int sig);
	void *userdata;

	/* Results. */
	int status;    /* exit status, 128+N for signal N */
	int watch;     /* index of the watch fd that fired, -1: none */
	int stop_sig;  /* the first stop signal (TERM, INT, HUP) read, 0: none */
};

/* Waits for the child, passing on each signal read from sigfd. SIGTERM,
 * SIGINT and SIGHUP are stop requests: passed on, and SIGKILL follows
 * grace_ms later if the child still runs. A watch fd that becomes readable
 * sends SIGTERM, with the same deadline. The child is reaped in every case. */
int supervise_run(struct supervise *s, struct pt_error *err);

/* Whether sig asks the container to stop. */
static inline bool is_stop_signal(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
}
