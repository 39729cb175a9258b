/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "engine.h"
#include "util.h"

int engine_write_atomic(const char *dir, const char *name, const void *data, size_t len,
			unsigned mode, struct pt_error *err)
{
	_cleanup_free_ char *tmp = NULL, *final = NULL;
	if (asprintf(&tmp, "%s/.#%s.XXXXXX", dir, name) < 0 ||
	    asprintf(&final, "%s/%s", dir, name) < 0)
		return pt_error_set(err, ENOMEM, "write %s/%s", dir, name);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return pt_error_set(err, errno, "create a temporary file in %s", dir);
	const char *p = data;
	int e = 0;
	while (len > 0 && !e) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
		} else {
			p += n;
			len -= (size_t)n;
		}
	}
	/* The file is complete on disk before its name says so. */
	if (!e && (fchmod(fd, mode & 07777) < 0 || fsync(fd) < 0))
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, final) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return pt_error_set(err, e, "write %s", final);
	}
	return 0;
}
