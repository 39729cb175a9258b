/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "passthru/version.h"

const char *pt_version(void) { return PT_VERSION; }
