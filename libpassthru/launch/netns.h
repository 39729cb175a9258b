/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: a network namespace of the container's own with user-mode
 * networking (slirp4netns): outbound connections leave through the
 * launcher's network, nothing of the host's namespace (its abstract unix
 * sockets: @/tmp/.X11-unix/X0) is in reach, and the host's loopback
 * services answer at the gateway, USERNET_HOST_ADDR. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "passthru/error.h"

/* slirp4netns's fixed addresses: the container is 10.0.2.100/24, the
 * gateway 10.0.2.2 forwards to the host's 127.0.0.1, 10.0.2.3 is DNS. */
#define USERNET_HOST_ADDR "10.0.2.2"
#define USERNET_DNS_ADDR  "10.0.2.3"

struct usernet;

/* Whether user-mode networking can be given here; else false and a reason
 * (a static string) in *ret_why. */
bool usernet_available(const char **ret_why);

/* A new, empty network namespace (needs CAP_SYS_ADMIN: root): an fd for
 * it in *ret_fd, the calling thread's own namespace unchanged. */
int usernet_make_netns(int *ret_fd, struct pt_error *err);

/* Starts slirp4netns for the namespace netns_fd, its output into
 * log_file; usernet_wait() returns once it configured the namespace (tap0
 * up with 10.0.2.100/24, the default route, lo up). Split in two so that
 * it works while a nested display starts. */
int usernet_spawn(int netns_fd, const char *log_file, struct usernet **ret, struct pt_error *err);
int usernet_wait(struct usernet *u, struct pt_error *err);

/* slirp4netns's pidfd: readable once it exits. */
int usernet_pidfd(const struct usernet *u);

/* Stops slirp4netns and frees. NULL is allowed. */
void usernet_free(struct usernet *u);
