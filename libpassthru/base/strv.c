/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strv.h"

void strv_push_owned(struct strv_builder *b, char *s)
{
	void *items = b->v;
	if (!s || b->failed || grow_array(&items, &b->alloc, b->n + 2, sizeof(char *)) < 0) {
		free(s);
		b->failed = true;
		return;
	}
	b->v = items;
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

void strv_push(struct strv_builder *b, const char *s) { strv_push_owned(b, strdup(s)); }

void strv_pushf(struct strv_builder *b, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	strv_push_owned(b, s);
}

char **strv_steal(struct strv_builder *b)
{
	char **v = b->v;
	if (b->failed) {
		strv_free(v);
		v = NULL;
	} else if (!v) {
		v = calloc(1, sizeof(char *));
	}
	*b = (struct strv_builder){0};
	return v;
}
