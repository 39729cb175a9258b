/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: what the library's other modules (Weston, Wayland) need of a
 * launch besides its public API. */
#pragma once

#include "passthru/launch.h"

/* The plan the launch borrowed. */
struct pt_plan *launch_plan(struct pt_launch *launch);

/* The container is about to get a nested display of its own: with network
 * AUTO it then gets a network namespace of its own, whose helper starts
 * now (call it before starting the display). */
int launch_mark_nested(struct pt_launch *launch, struct pt_error *err);

/* Hands obj to the launch: free_fn(obj) runs in pt_launch_free(), once the
 * container is gone, before the state directory is removed. On failure
 * (-ENOMEM) free_fn(obj) has run already. */
int launch_own(struct pt_launch *launch, void *obj, void (*free_fn)(void *), struct pt_error *err);

/* Adds a warning to the launch's list. */
int launch_warn(struct pt_launch *launch, const char *code, const char *message);
