/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libpulse, loaded on first use (see dlopen-lib.h). Include this instead of
 * the <pulse/...> headers: the pa_* names below then call through the
 * table, so call sites read as plain libpulse. A pa_* function missing from
 * the list fails the link (-z defs), since libpulse is not linked. */
#pragma once

#include <pulse/context.h>
#include <pulse/error.h>
#include <pulse/introspect.h>
#include <pulse/mainloop.h>
#include <pulse/timeval.h>

#include "dlopen-lib.h"

#define DLOPEN_PULSE_SYMS(X)                                                   \
	X(pa_context_connect)                                                  \
	X(pa_context_disconnect)                                               \
	X(pa_context_errno)                                                    \
	X(pa_context_get_server)                                               \
	X(pa_context_get_server_info)                                          \
	X(pa_context_get_state)                                                \
	X(pa_context_new)                                                      \
	X(pa_context_unref)                                                    \
	X(pa_gettimeofday)                                                     \
	X(pa_mainloop_free)                                                    \
	X(pa_mainloop_get_api)                                                 \
	X(pa_mainloop_iterate)                                                 \
	X(pa_mainloop_new)                                                     \
	X(pa_operation_cancel)                                                 \
	X(pa_operation_unref)                                                  \
	X(pa_strerror)                                                         \
	X(pa_timeval_add)

DLOPEN_PULSE_SYMS(DLOPEN_DECLARE)

/* Loads libpulse.so.0 once; 0 or -EOPNOTSUPP naming it (see dlopen_lib_load). */
int dlopen_pulse(struct pt_error *err);

#define pa_context_connect sym_pa_context_connect
#define pa_context_disconnect sym_pa_context_disconnect
#define pa_context_errno sym_pa_context_errno
#define pa_context_get_server sym_pa_context_get_server
#define pa_context_get_server_info sym_pa_context_get_server_info
#define pa_context_get_state sym_pa_context_get_state
#define pa_context_new sym_pa_context_new
#define pa_context_unref sym_pa_context_unref
#define pa_gettimeofday sym_pa_gettimeofday
#define pa_mainloop_free sym_pa_mainloop_free
#define pa_mainloop_get_api sym_pa_mainloop_get_api
#define pa_mainloop_iterate sym_pa_mainloop_iterate
#define pa_mainloop_new sym_pa_mainloop_new
#define pa_operation_cancel sym_pa_operation_cancel
#define pa_operation_unref sym_pa_operation_unref
#define pa_strerror sym_pa_strerror
#define pa_timeval_add sym_pa_timeval_add
