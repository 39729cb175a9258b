/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: building a NULL-terminated vector of strings (an argv, a list
 * of paths) that remembers running out of memory, so a long run of pushes
 * needs one check at the end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct strv_builder {
	char **v; /* NULL-terminated once anything was pushed */
	size_t n, alloc;
	bool failed;
};

/* Appends a copy of s. */
void strv_push(struct strv_builder *b, const char *s);
/* Appends s and takes it (NULL: a failed allocation, remembered). */
void strv_push_owned(struct strv_builder *b, char *s);
/* Appends a formatted string. */
void strv_pushf(struct strv_builder *b, const char *fmt, ...) _printf_(2, 3);
/* The vector (an empty one when nothing was pushed), or NULL after a
 * failure (everything freed). The builder is empty afterwards. */
char **strv_steal(struct strv_builder *b);
