/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#include <stdbool.h>
#include <stddef.h>

#include "passthru/audio.h"
#include "passthru/display.h"
#include "passthru/error.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The doctor: checks a container against the host before it starts, so a
 * pairing that cannot work is named before it shows as a black window,
 * software rendering or silence. It reads a plan-to-be (root, user, the
 * chosen device nodes, binds, environment, namespaces), the container's
 * root directory and the host, and returns findings, each
 * {code, severity, message, hint}, with the numbers (uids, gids, modes,
 * versions, counts) in the message.
 *
 * Everything inside the root is read resolved in the root (a symlink
 * cannot lead to the host's files), without blocking (a FIFO where a file
 * should be is a finding, not a hang) and with a size cap. The doctor
 * changes nothing: not the plan, not the root, not the host, and it opens
 * no device node whose driver sysfs already names (opening a DRM node
 * wakes a runtime-suspended GPU). It needs no optional library: libdrm is
 * asked only for a node without a driver in sysfs.
 *
 * The device check models the kernel's decision for the container's user
 * as its ids are on the host: when the caller is root (nspawn, native)
 * the container's uid and groups from its own /etc/passwd and /etc/group,
 * by number; otherwise the caller's own ids (an unprivileged launch maps
 * the container's user to the caller).
 *
 * Codes are stable; see README.md for the list.
 */
struct pt_doctor;

/** How bad a finding is. */
enum pt_doctor_severity {
	PT_DOCTOR_INFO = 0, /**< worth knowing; nothing fails because of it */
	PT_DOCTOR_WARNING,  /**< a part will not work (sound, 32-bit GL, Wayland) */
	PT_DOCTOR_ERROR,    /**< what was asked cannot work: launchers refuse to start */
};

/** "info", "warning", "error". */
PT_EXPORT const char *pt_doctor_severity_name(enum pt_doctor_severity severity);

/** One finding. Strings are owned by the result and live as long as it. */
struct pt_doctor_finding {
	const char *code;     /**< stable, e.g. "device-no-access" */
	enum pt_doctor_severity severity;
	const char *message;  /**< one line: what is wrong, with its numbers */
	const char *hint;     /**< one line: what fixes it, or NULL */
};

/**
 * What the doctor should assume besides the plan. Allocated by
 * pt_doctor_opts_new() so fields can be appended; set them directly.
 * Pointers are the caller's and must stay valid during pt_doctor_run().
 */
struct pt_doctor_opts {
	/** The host's NVIDIA userspace will be passed (--nvidia-driver). */
	bool nvidia_driver;
	/** A nested display will be started with these options (NULL: none). */
	const struct pt_display_opts *display;
	/** The sound server found for the plan (pt_audio_find()), for the
	 *  server's name; NULL: only what the plan shows is checked. */
	const struct pt_audio *audio;
	/** Findings below this severity are not reported, and a check that
	 *  can only make such a note is skipped where that saves work
	 *  (PT_DOCTOR_WARNING: no reading of /proc/net/unix, long on a busy
	 *  desktop). Default PT_DOCTOR_INFO: everything; above
	 *  PT_DOCTOR_ERROR is -EINVAL (it would hide the errors). */
	enum pt_doctor_severity min_severity;
};

/** New options (nothing assumed), or NULL when out of memory. */
PT_EXPORT struct pt_doctor_opts *pt_doctor_opts_new(void);
/** Frees options. NULL is allowed. */
PT_EXPORT void pt_doctor_opts_free(struct pt_doctor_opts *opts);

/**
 * Checks plan (opts NULL: defaults) against its root and the host. The
 * plan's root may be unset (the host's / is then the container's); its
 * user unset means root. What cannot be checked becomes a finding, so the
 * only errors are -ENOMEM and -EINVAL (plan NULL). Free *ret with
 * pt_doctor_free().
 */
PT_EXPORT int pt_doctor_run(const struct pt_plan *plan, const struct pt_doctor_opts *opts,
		  struct pt_doctor **ret, struct pt_error *err);

/** Frees the result. NULL is allowed. */
PT_EXPORT void pt_doctor_free(struct pt_doctor *doctor);

/** Findings in the order they were made (NULL when out of range). */
PT_EXPORT size_t pt_doctor_finding_count(const struct pt_doctor *doctor);
PT_EXPORT const struct pt_doctor_finding *pt_doctor_finding(const struct pt_doctor *doctor, size_t i);

/** How many findings have severity sev. */
PT_EXPORT size_t pt_doctor_count_severity(const struct pt_doctor *doctor, enum pt_doctor_severity sev);

/**
 * The findings as a table for people ("doctor: N errors, M warnings"
 * then one row per finding and its hint), ending in a newline. Returns a
 * new string (caller frees) or NULL with err set.
 */
PT_EXPORT char *pt_doctor_to_table(const struct pt_doctor *doctor, struct pt_error *err);

/**
 * Adds the findings as "doctor": [{"code", "severity", "message",
 * "hint"}] (hint null when none) to the JSON object in json (e.g. a
 * pt_probe_to_json() report) and returns the result, pretty-printed and
 * ending in a newline (caller frees), or NULL with err set (-EINVAL when
 * json is not an object; -EOPNOTSUPP when json-c, loaded on first use, is
 * not installed).
 */
PT_EXPORT char *pt_doctor_add_to_json(const struct pt_doctor *doctor, const char *json,
			    struct pt_error *err);

#ifdef __cplusplus
}
#endif
