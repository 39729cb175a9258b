/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The desktop part of passthru-probe's report (private): the Wayland
 * compositor, PipeWire, Weston, and which protection keeps the host's X
 * server out of a container's reach on this machine. */
#pragma once

#include "dlopen-json.h"

#include "util.h"

struct desktop_info;

/* Looks everything up once; NULL when out of memory. */
struct desktop_info *desktop_info_new(void);
void desktop_info_free(struct desktop_info *d);

/*
 * The "desktop" value of the JSON report:
 * {"wayland": {"socket": PATH|null, "error": MSG|null},
 *  "pipewire": {"socket": PATH|null, "error": MSG|null},
 *  "weston": PATH|null,
 *  "x11_isolation": {"protection": "user-network"|"none",
 *                    "detail": MSG, "host_address": "10.0.2.2"|null,
 *                    "host_x_sockets": ["@/tmp/.X11-unix/X0", ...]}}.
 * 0 or -ENOMEM.
 */
int desktop_report_json(const struct desktop_info *d, struct json_object **ret);

/* The same as a readable section. */
void desktop_report_table(const struct desktop_info *d, struct strbuf *out);
