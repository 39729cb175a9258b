/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util.h"

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int grow_array(void **items, size_t *alloc, size_t need, size_t size)
{
	if (need <= *alloc)
		return 0;
	size_t n = *alloc ? *alloc : 4;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	void *p = realloc(*items, n * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*alloc = n;
	return 0;
}

void strbuf_append(struct strbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	void *p = b->s;
	if (grow_array(&p, &b->alloc, b->len + n + 1, 1) < 0) {
		b->failed = true;
		return;
	}
	b->s = p;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s) { strbuf_append(b, s, strlen(s)); }

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		strbuf_append(b, small, (size_t)n);
		return;
	}
	_cleanup_free_ char *big = malloc((size_t)n + 1);
	if (!big) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	strbuf_append(b, big, (size_t)n);
}

char *strbuf_steal(struct strbuf *b)
{
	if (b->failed) {
		free(b->s);
		*b = (struct strbuf){0};
		return NULL;
	}
	if (!b->s)
		return strdup("");
	char *s = b->s;
	*b = (struct strbuf){0};
	return s;
}

int read_fd_max(int fd, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;

	for (;;) {
		void *p = buf;
		if (grow_array(&p, &alloc, len + 4096 + 1, 1) < 0)
			return -ENOMEM;
		buf = p;
		ssize_t n = read(fd, buf + len, alloc - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = steal_pointer(&buf);
	return 0;
}

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	}
	return "not a regular file";
}

int read_file_at(int dirfd, const char *path, size_t max, unsigned flags, char **ret,
		 size_t *ret_len, struct pt_error *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; on the
	 * regular file that is all we go on to read it changes nothing. */
	int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		     (flags & READ_NOFOLLOW ? O_NOFOLLOW : 0);
	_cleanup_close_ int fd = -1;
	if (flags & READ_IN_ROOT) {
		struct open_how how = {
		    .flags = (uint64_t)oflags,
		    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	} else {
		fd = openat(dirfd, path, oflags);
	}
	if (fd < 0)
		return pt_error_set(err, errno, "open %s", path);

	struct stat st;
	if (fstat(fd, &st) < 0)
		return pt_error_set(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return pt_error_setx(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
				     "%s is %s, not a regular file", path, file_kind(st.st_mode));
	/* /proc and sysfs files say 0 or 4096 here whatever they hold: the
	 * read below enforces the limit for them. */
	if ((uintmax_t)st.st_size > max)
		return pt_error_setx(err, EFBIG, "%s is larger than %zu bytes", path, max);

	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_fd_max(fd, max, &buf, &len);
	if (r == -EFBIG)
		return pt_error_setx(err, EFBIG, "%s is larger than %zu bytes", path, max);
	if (r < 0)
		return pt_error_set(err, -r, "read %s", path);
	if ((flags & READ_TEXT) && memchr(buf, '\0', len))
		return pt_error_setx(err, EBADMSG, "%s contains a NUL byte: not a text file", path);
	if (ret_len)
		*ret_len = len;
	*ret = steal_pointer(&buf);
	return 0;
}

int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len)
{
	return read_file_at(AT_FDCWD, path, max, 0, ret, ret_len, NULL);
}

int write_file_excl(const char *path, const void *data, size_t len, unsigned mode,
		    struct pt_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
	if (fd < 0)
		return pt_error_set(err, errno, "create %s", path);
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			unlink(path);
			return pt_error_set(err, e, "write %s", path);
		}
		p += n;
		len -= (size_t)n;
	}
	/* open() applies the umask; the plan's mode is what the container sees. */
	if (fchmod(fd, mode & 07777) < 0 || close(fd) < 0) {
		int e = errno;
		unlink(path);
		return pt_error_set(err, e, "write %s", path);
	}
	return 0;
}

int path_normalize(const char *path, const char *what, char **ret, struct pt_error *err)
{
	if (!path || !*path)
		return pt_error_setx(err, EINVAL, "%s: empty path", what);
	if (path[0] != '/')
		return pt_error_setx(err, EINVAL, "%s: '%s' is not an absolute path", what, path);

	_cleanup_free_ char *out = malloc(strlen(path) + 2);
	if (!out)
		return pt_error_set(err, ENOMEM, "%s", what);
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return pt_error_setx(err, EINVAL, "%s: '%s' must not contain '..'", what, path);
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

const char *tmp_dir(void)
{
	const char *t = secure_getenv("TMPDIR");
	return t && t[0] == '/' ? t : "/tmp";
}

int fd_above_stdio(int fd)
{
	if (fd > 2 || fd < 0)
		return fd;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	int e = errno;
	close(fd);
	errno = e;
	return copy;
}
