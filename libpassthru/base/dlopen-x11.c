/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dlopen-x11.h"
#include "util.h"

DLOPEN_XCB_SYMS(DLOPEN_DEFINE)
DLOPEN_XAU_SYMS(DLOPEN_DEFINE)

/* Xlib is not used at all (see probe() in display.c): xcb and Xau are all
 * a nested display needs. */
DLOPEN_NOTE(note_xcb,
	    "[{\"soname\":[\"libxcb.so.1\"],\"feature\":\"display\","
	    "\"description\":\"Check that a nested X display (Xephyr, Xvfb) accepts clients\","
	    "\"priority\":\"recommended\"}]");
DLOPEN_NOTE(note_xau,
	    "[{\"soname\":[\"libXau.so.6\"],\"feature\":\"display\","
	    "\"description\":\"Write the Xauthority cookie of a nested X display\","
	    "\"priority\":\"recommended\"}]");

static const struct dlopen_sym xcb_syms[] = {DLOPEN_XCB_SYMS(DLOPEN_SYM)};
static const struct dlopen_sym xau_syms[] = {DLOPEN_XAU_SYMS(DLOPEN_SYM)};

static struct dlopen_lib xcb = {
	.soname = "libxcb.so.1",
	.feature = "a nested X display",
	.syms = xcb_syms,
	.n_syms = ELEMENTSOF(xcb_syms),
};

static struct dlopen_lib xau = {
	.soname = "libXau.so.6",
	.feature = "a nested X display",
	.syms = xau_syms,
	.n_syms = ELEMENTSOF(xau_syms),
};

int dlopen_x11(struct pt_error *err)
{
	int r = dlopen_lib_load(&xcb, err);
	return r < 0 ? r : dlopen_lib_load(&xau, err);
}
