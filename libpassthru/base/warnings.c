/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "warnings.h"

int warnings_add(struct warnings *w, const char *code, const char *fmt, ...)
{
	void *items = w->v;
	if (grow_array(&items, &w->alloc, w->n + 1, sizeof(*w->v)) < 0)
		return -ENOMEM;
	w->v = items;
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	w->v[w->n++] = (struct pt_warning){code, msg};
	return 0;
}

const struct pt_warning *warnings_get(const struct warnings *w, size_t i)
{
	return w && i < w->n ? &w->v[i] : NULL;
}

void warnings_done(struct warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		free((char *)w->v[i].message);
	free(w->v);
	*w = (struct warnings){0};
}
