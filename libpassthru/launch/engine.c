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

int engine_check_root(const char *root, struct pt_error *err)
{
	static const char *const dirs[] = {"dev", "run", "proc", "sys", "tmp", "etc", "var"};
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return pt_error_set(err, errno, "root %s", root);
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		struct stat st;
		if (fstatat(rootfd, dirs[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* nspawn creates what is missing, inside */
		if (S_ISLNK(st.st_mode)) {
			char to[256] = "?";
			ssize_t n = readlinkat(rootfd, dirs[i], to, sizeof(to) - 1);
			to[n > 0 ? n : 1] = '\0';
			return pt_error_setx(err, ELOOP,
					     "root %s: /%s is a symbolic link (to %s); an engine such as systemd-nspawn "
					     "would follow it out of the root: refusing",
					     root, dirs[i], to);
		}
		if (!S_ISDIR(st.st_mode))
			return pt_error_setx(err, ENOTDIR, "root %s: /%s is not a directory", root,
					     dirs[i]);
	}
	return 0;
}
