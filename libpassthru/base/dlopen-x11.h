/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The X client libraries a nested display needs, loaded on first use (see
 * dlopen-lib.h): libxcb to check that the server lets a client with the
 * cookie in, libXau to write the cookie's Xauthority entry. Include this
 * instead of <xcb/xcb.h> and <X11/Xauth.h>; the names below then call
 * through the tables. Missing ones fail the link (-z defs). */
#pragma once

#include <X11/Xauth.h>
#include <xcb/xcb.h>

#include "dlopen-lib.h"

#define DLOPEN_XCB_SYMS(X)                                                     \
	X(xcb_connect_to_display_with_auth_info)                               \
	X(xcb_connection_has_error)                                            \
	X(xcb_disconnect)

#define DLOPEN_XAU_SYMS(X) X(XauWriteAuth)

DLOPEN_XCB_SYMS(DLOPEN_DECLARE)
DLOPEN_XAU_SYMS(DLOPEN_DECLARE)

/* Loads libxcb.so.1 and libXau.so.6 once; 0 or -EOPNOTSUPP naming the one
 * that is missing (see dlopen_lib_load). */
int dlopen_x11(struct pt_error *err);

#define xcb_connect_to_display_with_auth_info sym_xcb_connect_to_display_with_auth_info
#define xcb_connection_has_error sym_xcb_connection_has_error
#define xcb_disconnect sym_xcb_disconnect
#define XauWriteAuth sym_XauWriteAuth
