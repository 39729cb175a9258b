/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private helpers shared by the library's modules: cleanup attributes,
 * ownership hand-off, small string and path utilities. Never installed. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "passthru/error.h"

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_ _cleanup_(strv_freep)
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))

static inline void freep(void *p) { free(*(void **)p); }

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }

/* Hand a pointer out of a _cleanup_ scope; the type check keeps callers from
 * stealing through the wrong level of indirection. */
#define steal_pointer(pp)                                                      \
	({                                                                     \
		__typeof__(*(pp)) _p = *(pp);                                  \
		*(pp) = NULL;                                                  \
		_p;                                                            \
	})

#define steal_fd(pfd)                                                          \
	({                                                                     \
		int _fd = *(pfd);                                              \
		*(pfd) = -1;                                                   \
		_fd;                                                           \
	})

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline bool streq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Growable arrays: *items grows to hold at least need elements. */
int grow_array(void **items, size_t *alloc, size_t need, size_t size);

/* Growable string builder that keeps track of allocation failure, so that a
 * long run of appends needs one error check at the end. */
struct strbuf {
	char *s;
	size_t len, alloc;
	bool failed;
};
void strbuf_append(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) _printf_(2, 3);
/* Returns the string (caller frees) or NULL when an append ran out of memory. */
char *strbuf_steal(struct strbuf *b);

/* Reads a whole small file (at most max bytes, NUL-terminated), and only a
 * regular one: a FIFO, a device node (/dev/zero), a directory or a file
 * larger than max is a one-line error in bounded time, never a blocking or
 * endless read. Every file whose content a user or a container's root
 * controls is read through it. path is opened relative to dirfd
 * (AT_FDCWD) without blocking. Errors: -errno of open (-ENOENT: missing),
 * -EISDIR, -EINVAL (FIFO, device, socket), -EFBIG, -EBADMSG (READ_TEXT and a
 * NUL byte), -ENOMEM; err says which file and why. */
enum {
	READ_NOFOLLOW = 1u << 0, /* the last component must not be a symlink */
	READ_IN_ROOT = 1u << 1,	 /* resolve path as if dirfd were "/" (openat2) */
	READ_TEXT = 1u << 2,	 /* a NUL byte makes it no text file: -EBADMSG */
};
int read_file_at(int dirfd, const char *path, size_t max, unsigned flags, char **ret,
		 size_t *ret_len, struct pt_error *err);
/* read_file_at(AT_FDCWD, path, max, 0, ...) without the message: /proc and
 * sysfs files we parse are never big, so a huge one is a broken or hostile
 * input, not something to allocate for. */
int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len);
/* Reads fd to its end, at most max bytes (-EFBIG beyond): for descriptors
 * the caller opened itself and knows to be a file. */
int read_fd_max(int fd, size_t max, char **ret, size_t *ret_len);

/* Writes data to path atomically enough for our use: O_EXCL, full writes,
 * unlinked again on any failure so no half-written file stays behind. */
int write_file_excl(const char *path, const void *data, size_t len, unsigned mode,
		    struct pt_error *err);

/* Normalises an absolute path: collapses "//", drops "." and trailing "/";
 * refuses ".." (a target must not climb out of wherever it is resolved).
 * what names the argument in the error. */
int path_normalize(const char *path, const char *what, char **ret, struct pt_error *err);

/* fd itself when it is above 2, else a close-on-exec copy above 2 and fd
 * closed: a descriptor of ours must never pass for a child's stdio because
 * our caller had one of 0-2 closed. -1 (errno set, fd closed) on failure. */
int fd_above_stdio(int fd);

/* A temporary directory: $TMPDIR or /tmp. */
const char *tmp_dir(void);
