/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest message a struct pt_error keeps (longer ones are cut). */
#define PT_ERROR_MESSAGE_MAX 1024

/**
 * An error a library call reports besides its negative errno return.
 *
 * Every fallible pt_ function takes an optional `struct pt_error *err` (NULL
 * is allowed) and on failure returns -errno (or NULL) and fills it with a
 * one-line message a user can read, with context added as the error rose:
 * "xephyr: start: exec Xephyr: No such file or directory". The caller owns
 * the struct; nothing in it needs freeing.
 */
struct pt_error {
	int code;                            /**< positive errno value, 0 = none */
	char message[PT_ERROR_MESSAGE_MAX];  /**< NUL-terminated, no newline */
};

/**
 * Fills err with a printf-style message followed by ": strerror(code)" and
 * returns -code. code is a positive errno value. err may be NULL.
 */
PT_EXPORT int pt_error_set(struct pt_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Like pt_error_set(), without the strerror() text. Returns -code. */
PT_EXPORT int pt_error_setx(struct pt_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Puts "context: " in front of the message already in err and returns
 * -err->code (or -EIO if err holds no code). Used as errors rise:
 * `return pt_error_prefix(err, "xephyr");`. err may be NULL.
 */
PT_EXPORT int pt_error_prefix(struct pt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Clears err (code 0, empty message). err may be NULL. */
PT_EXPORT void pt_error_clear(struct pt_error *err);

#ifdef __cplusplus
}
#endif
