/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: a growable list of struct pt_warning, the one every module that
 * reports warnings keeps. Codes are static strings; messages are owned. */
#pragma once

#include <stddef.h>

#include "passthru/warning.h"

struct warnings {
	struct pt_warning *v;
	size_t n, alloc;
};

/* Adds a warning; 0 or -ENOMEM. code: a static string. */
int warnings_add(struct warnings *w, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Entry i, or NULL when out of range. */
const struct pt_warning *warnings_get(const struct warnings *w, size_t i);
void warnings_done(struct warnings *w);
