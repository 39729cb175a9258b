/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "util.h"

static int error_vset(struct pt_error *err, int code, int with_strerror, const char *fmt,
		      va_list ap)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EIO;
	if (!err)
		return -code;

	int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	if (with_strerror && n >= 0 && (size_t)n < sizeof(err->message)) {
		/* strerror_r (GNU) is thread-safe; strerror is not. */
		char buf[128];
		const char *s = strerror_r(code, buf, sizeof(buf));
		snprintf(err->message + n, sizeof(err->message) - (size_t)n, ": %s", s);
	}
	err->code = code;
	return -code;
}

int pt_error_set(struct pt_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = error_vset(err, code, 1, fmt, ap);
	va_end(ap);
	return r;
}

int pt_error_setx(struct pt_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return r;
}

int pt_error_prefix(struct pt_error *err, const char *fmt, ...)
{
	if (!err)
		return -EIO;
	if (err->code == 0)
		err->code = EIO;

	char prefix[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -err->code;

	/* Shift the old message right and put the prefix in front; a message
	 * that no longer fits loses its tail, never the context. */
	size_t cap = sizeof(err->message) - 1;
	size_t pre = (size_t)n + 2 < cap ? (size_t)n + 2 : cap;
	size_t old = strnlen(err->message, cap);
	if (old > cap - pre)
		old = cap - pre;
	memmove(err->message + pre, err->message, old);
	err->message[pre + old] = '\0';
	memcpy(err->message, prefix, pre >= 2 ? pre - 2 : pre);
	if (pre >= 2)
		memcpy(err->message + pre - 2, ": ", 2);
	return -err->code;
}

void pt_error_clear(struct pt_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->message[0] = '\0';
}
