/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "mount.h"

int root_open(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned)(flags | O_CLOEXEC),
	    /* Magic links (/proc/self/fd/N) could name anything on the host. */
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	for (int tries = 0;; tries++) {
		int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		/* EAGAIN: a rename raced with the lookup; the kernel asks to retry. */
		if (fd >= 0 || errno != EAGAIN || tries >= 32)
			return fd;
	}
}

/* Splits an absolute path into its parent (copied into parent, "/" for a
 * top-level name) and its last component. */
static int split_path(const char *path, char parent[PATH_MAX], const char **ret_base)
{
	const char *slash = strrchr(path, '/');
	if (!slash || !slash[1] || (size_t)(slash - path) >= PATH_MAX)
		return -EINVAL;
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	memcpy(parent, path, n);
	parent[n] = '\0';
	*ret_base = slash + 1;
	return 0;
}

int root_mkdir_p(int rootfd, const char *path, int *ret_fd, struct pt_error *err)
{
	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return pt_error_setx(err, EINVAL, "%s: not an absolute path", path);
	int fd = root_open(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (errno != ENOENT)
		return pt_error_set(err, errno, "%s", path);

	/* Walk down from the root; each existing prefix is resolved inside the
	 * root, and a missing component is created in the directory that prefix
	 * resolved to, so it lands inside the root as well. */
	char prefix[PATH_MAX];
	_cleanup_close_ int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (parent < 0)
		return pt_error_set(err, errno, "%s", path);
	for (const char *p = path + 1; *p;) {
		const char *end = strchrnul(p, '/');
		size_t plen = (size_t)(end - path);
		memcpy(prefix, path, plen);
		prefix[plen] = '\0';
		/* No malloc here: this runs in a child made by a raw clone. */
		char name[NAME_MAX + 1];
		if ((size_t)(end - p) > NAME_MAX)
			return pt_error_set(err, ENAMETOOLONG, "%s", path);
		memcpy(name, p, (size_t)(end - p));
		name[end - p] = '\0';
		fd = root_open(rootfd, prefix, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
				return pt_error_set(err, errno, "create directory %s", prefix);
			fd = root_open(rootfd, prefix, O_PATH | O_DIRECTORY);
			/* Still missing after EEXIST: a symlink that points nowhere
			 * inside the root is in the way. We never follow it out. */
			if (fd < 0 && errno == ENOENT)
				return pt_error_setx(err, ENOENT,
						     "%s is a symlink whose target is not "
						     "inside the container's root",
						     prefix);
		}
		if (fd < 0)
			return pt_error_set(err, errno, "%s", prefix);
		close(parent);
		parent = fd;
		p = *end ? end + 1 : end;
	}
	*ret_fd = steal_fd(&parent);
	return 0;
}

int root_mkfile(int rootfd, const char *path, int *ret_fd, struct pt_error *err)
{
	int fd = root_open(rootfd, path, O_PATH);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (errno != ENOENT)
		return pt_error_set(err, errno, "%s", path);

	char parent_path[PATH_MAX];
	const char *base;
	if (split_path(path, parent_path, &base) < 0)
		return pt_error_setx(err, EINVAL, "%s: not a file path", path);
	_cleanup_close_ int parent = -1;
	int r = root_mkdir_p(rootfd, parent_path, &parent, err);
	if (r < 0)
		return r;
	/* O_EXCL never follows a symlink: a dangling one makes this EEXIST. */
	int wfd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (wfd < 0 && errno != EEXIST)
		return pt_error_set(err, errno, "create %s", path);
	if (wfd >= 0)
		close(wfd);
	fd = root_open(rootfd, path, O_PATH);
	if (fd < 0 && errno == ENOENT)
		return pt_error_setx(
		    err, ENOENT, "%s is a symlink whose target is not inside the container's root",
		    path);
	if (fd < 0)
		return pt_error_set(err, errno, "%s", path);
	*ret_fd = fd;
	return 0;
}

static int set_attrs(int mfd, unsigned attrs, const char *what, struct pt_error *err)
{
	if (!attrs)
		return 0;
	struct mount_attr a = {.attr_set = attrs};
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return pt_error_set(err, errno, "%s: set mount flags", what);
	return 0;
}

int root_bind(int rootfd, const char *source, const char *target, unsigned attrs,
	      struct pt_error *err)
{
	struct stat st;
	if (stat(source, &st) < 0)
		return pt_error_set(err, errno, "bind source %s", source);
	bool dir = S_ISDIR(st.st_mode);
	/* A detached copy of the source tree: flags are set on it before it
	 * becomes visible anywhere, and it is attached by fd, not by path. */
	_cleanup_close_ int mfd = open_tree(
	    AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (dir ? AT_RECURSIVE : 0));
	if (mfd < 0)
		return pt_error_set(err, errno, "bind %s: clone", source);
	int r = set_attrs(mfd, attrs, source, err);
	if (r < 0)
		return r;
	return root_attach(rootfd, mfd, target, dir, err);
}

int fs_new(const char *fstype, const char *const *opts, unsigned attrs, int *ret_fd,
	   struct pt_error *err)
{
	_cleanup_close_ int fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return pt_error_set(err, errno, "%s: fsopen", fstype);
	for (const char *const *o = opts; o && *o; o++) {
		const char *eq = strchr(*o, '=');
		int r;
		if (eq) {
			char key[64];
			snprintf(key, sizeof(key), "%.*s", (int)(eq - *o), *o);
			r = fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0);
		} else {
			r = fsconfig(fs, FSCONFIG_SET_FLAG, *o, NULL, 0);
		}
		if (r < 0)
			return pt_error_set(err, errno, "%s: option %s", fstype, *o);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return pt_error_set(err, errno, "%s: create", fstype);
	int mfd = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		return pt_error_set(err, errno, "%s: fsmount", fstype);
	*ret_fd = mfd;
	return 0;
}

int root_attach(int rootfd, int mfd, const char *path, bool dir, struct pt_error *err)
{
	_cleanup_close_ int tfd = -1;
	int r = dir ? root_mkdir_p(rootfd, path, &tfd, err) : root_mkfile(rootfd, path, &tfd, err);
	if (r < 0)
		return pt_error_prefix(err, "mount point");
	if (move_mount(mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pt_error_set(err, errno, "mount on %s", path);
	return 0;
}
