/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "passthru/export.h"

/* The one place the version lives: the Makefile reads these lines for the
 * SONAME, the file names and libpassthru.pc. */
#define PT_VERSION_MAJOR 0
#define PT_VERSION_MINOR 1
#define PT_VERSION_PATCH 0
#define PT_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version string at run time (may differ from PT_VERSION the caller built with). */
PT_EXPORT const char *pt_version(void);

#ifdef __cplusplus
}
#endif
