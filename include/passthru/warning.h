/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Something a probe found wrong that a user must hear about, although the
 * probe itself succeeded (a missing node, a driver module not loaded …).
 * code is a stable machine-readable name ("nvidia-uvm-missing"); message a
 * one-line sentence for people. Both are owned by the object that returned
 * the warning and live as long as it.
 */
struct pt_warning {
	const char *code;
	const char *message;
};

#ifdef __cplusplus
}
#endif
