/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audio part of passthru-probe's report (private: the probe report
 * module calls these; the tool sees only the whole report). */
#pragma once

#include "dlopen-json.h"
#include "passthru/error.h"
#include "util.h"

struct pt_audio;

/*
 * The "audio" value of the JSON report for what one pt_audio_find() found
 * (a; NULL means the lookup ran out of memory) and why it failed (why, may
 * be NULL):
 * {"server": "/run/user/1000/pulse/native", "name": "pulseaudio",
 *  "version": "16.1", "running": true, "state": "running"}.
 * "server" is the socket's path (the server string for a TCP server); a
 * server that does not answer keeps its "server" and "state" ("stale",
 * "denied", "remote", "failed"), with "name"/"version" null, "running"
 * false and the reason in "error". No server at all is JSON null: *ret is
 * then NULL. Returns 0, or -ENOMEM (the only failure: a server that cannot
 * be reached is something to report, not an error), or -EOPNOTSUPP when
 * json-c is not installed.
 */
int audio_report_json(const struct pt_audio *a, const struct pt_error *why,
		      struct json_object **ret, struct pt_error *err);

/* The same as a readable section ("Audio" and indented "key: value" lines). */
void audio_report_table(const struct pt_audio *a, const struct pt_error *why, struct strbuf *out);
