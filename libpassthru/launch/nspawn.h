/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: the systemd-nspawn command line, for the nspawn backend and its
 * tests. */
#pragma once

#include <stdbool.h>

#include "passthru/error.h"
#include "passthru/plan.h"
#include "util.h"

enum {
	/* --register=no --keep-unit: needed where systemd is not PID 1. */
	NSPAWN_KEEP_UNIT = 1u << 0,
	/* --console=pipe: the command's stdio are the caller's own, byte for
	 * byte (without it nspawn puts a pty in between when stdin is no tty). */
	NSPAWN_PIPE = 1u << 1,
};

/* Whether this machine needs NSPAWN_KEEP_UNIT: systemd is not the init
 * system (no /run/systemd/system), as in containers and CI. */
bool nspawn_need_keep_unit(void);

/* Where the container finds our init (passthru-init), bound in read-only. */
#define NSPAWN_INIT "/run/passthru/init"

/* The notify socket reaches our init as fd 3, the way nspawn passes on
 * socket activation (LISTEN_FDS=1, LISTEN_PID=1: nspawn is PID 1 of our
 * PID namespace): no socket file, nothing the command could write to. */
#define NSPAWN_NOTIFY_FD 3

struct nspawn_init {
	const char *init; /* host path of passthru-init */
	bool notify;	  /* it reports to NSPAWN_NOTIFY_FD (--notify-fd) */
};

/*
 * The argv of systemd-nspawn for plan (argv[0] "systemd-nspawn"):
 * - with init: our passthru-init as PID 1 ("--notify-fd" when it reports,
 *   "--", then the command), bound in; without: --as-pid2, nspawn's stub
 *   init (which reports a command killed by a signal as 255);
 * - -D ROOT (required), -u USER when set;
 * - every bind as --bind= or --bind-ro=, "SRC:DST" with ':' and '\' in
 *   paths escaped as "\:" and "\\";
 * - every device node as --bind=PATH, the node itself and never read-only:
 *   nspawn adds a DeviceAllow only for a bind whose source is the node;
 * - generated file i as --bind=file_paths[i]:TARGET, --bind-ro= when its
 *   mode has no owner's write bit (the host copies
 *   the caller wrote; one per plan file, in plan order);
 * - every environment variable as --setenv=NAME=VALUE;
 * - --private-network when the plan asks for it; IPC is always private;
 * - "--", then the command (required).
 */
int nspawn_argv(const struct pt_plan *plan, unsigned flags, char *const *file_paths,
		const struct nspawn_init *init, char ***ret_argv, struct pt_error *err);


/* Appends path as nspawn's --bind= and a .nspawn file's Bind= read it:
 * nspawn splits at ':' and unescapes "\:" and "\\". */
void nspawn_put_escaped(struct strbuf *b, const char *path);
