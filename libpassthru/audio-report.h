/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audio part of passthru-probe's report (private: the probe report
 * module calls these; the tool sees only the whole report). */
#pragma once

#include <json-c/json.h>

#include "passthru/error.h"
#include "util.h"

/*
 * The "audio" value of the JSON report, from a lookup with default options:
 * {"server": "/run/user/1000/pulse/native", "name": "pulseaudio",
 *  "version": "16.1", "running": true, "state": "running"}.
 * "server" is the socket's path (the server string for a TCP server); a
 * server that does not answer keeps its "server" and "state" ("stale",
 * "denied", "remote", "failed"), with "name"/"version" null, "running"
 * false and the reason in "error". No server at all is JSON null: *ret is
 * then NULL. Returns 0, or -ENOMEM (the only failure: a server that cannot
 * be reached is something to report, not an error).
 */
int audio_report_json(struct json_object **ret, struct pt_error *err);

/* The same as a readable section ("Audio" and indented "key: value" lines). */
void audio_report_table(struct strbuf *out);
