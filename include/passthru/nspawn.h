/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "passthru/error.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Flags for pt_nspawn_argv(). */
enum {
	/** Add --register=no --keep-unit: needed where systemd is not PID 1. */
	PT_NSPAWN_KEEP_UNIT = 1u << 0,
	/** Add --console=pipe: the command's stdio are the caller's own, byte for
	 *  byte (without it nspawn puts a pty in between when stdin is no tty). */
	PT_NSPAWN_PIPE = 1u << 1,
};

/**
 * Whether this machine needs PT_NSPAWN_KEEP_UNIT: true when systemd is not
 * the init system (no /run/systemd/system), as in containers and CI.
 */
bool pt_nspawn_need_keep_unit(void);

/**
 * Turns a plan into the argv of systemd-nspawn (argv[0] "systemd-nspawn").
 *
 * - --as-pid2: nspawn's stub init is PID 1, reaps and forwards signals (a
 *   command run as PID 1 ignores signals it has no handler for); it reports
 *   a command killed by a signal as exit status 255;
 * - -D ROOT (the plan's root; required), -u USER when set;
 * - every bind as --bind= or --bind-ro=, "SRC:DST" with ':' and '\' in
 *   paths escaped as "\:" and "\\";
 * - every device node as --bind=PATH, the node itself and never read-only:
 *   nspawn adds a DeviceAllow only for a bind whose source is the node;
 * - every generated file as --bind-ro=HOST:TARGET (pt_plan_write_files()
 *   must have run: -EINVAL otherwise);
 * - every environment variable as --setenv=NAME=VALUE;
 * - --private-network when the plan asks for it; IPC is always private;
 * - "--", then the command (required).
 *
 * *ret_argv is NULL-terminated; free it with pt_argv_free().
 */
int pt_nspawn_argv(const struct pt_plan *plan, unsigned flags, char ***ret_argv,
		   struct pt_error *err);

#ifdef __cplusplus
}
#endif
