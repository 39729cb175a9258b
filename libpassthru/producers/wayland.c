/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Wayland and PipeWire sockets for a container: found on the host as their
 * clients find them, bound into a private runtime directory. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "launch-private.h"
#include "passthru/wayland.h"
#include "userdb.h"
#include "util.h"

/* name: absolute, or relative to XDG_RUNTIME_DIR, as libwayland-client and
 * libpipewire resolve WAYLAND_DISPLAY and PIPEWIRE_REMOTE. */
static int find_socket(const char *what, const char *var, const char *name, char **ret_path,
		       struct pt_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (name[0] == '/') {
		path = strdup(name);
	} else {
		const char *rt = secure_getenv("XDG_RUNTIME_DIR");
		if (!rt || rt[0] != '/')
			return pt_error_setx(
			    err, ENXIO,
			    "%s: %s is '%s', relative to XDG_RUNTIME_DIR, which is "
			    "not set",
			    what, var, name);
		if (asprintf(&path, "%s/%s", rt, name) < 0)
			path = NULL;
	}
	if (!path)
		return pt_error_set(err, ENOMEM, "%s", what);
	struct stat st;
	if (stat(path, &st) < 0)
		return pt_error_set(err, errno, "%s: socket %s (%s)", what, path, var);
	if (!S_ISSOCK(st.st_mode))
		return pt_error_setx(err, ENOTSOCK, "%s: %s is not a socket", what, path);
	*ret_path = steal_pointer(&path);
	return 0;
}

int pt_wayland_find_socket(char **ret_path, struct pt_error *err)
{
	/* An fd handed down by a parent is one connection, not a server: it
	 * cannot be bound into a container. */
	if (secure_getenv("WAYLAND_SOCKET"))
		return pt_error_setx(err, EINVAL,
				     "wayland: WAYLAND_SOCKET is set (a connection inherited from "
				     "the parent, which cannot be passed on); unset it to use the "
				     "compositor named by WAYLAND_DISPLAY");
	const char *name = secure_getenv("WAYLAND_DISPLAY");
	return find_socket("wayland", "WAYLAND_DISPLAY", name && *name ? name : "wayland-0",
			   ret_path, err);
}

int pt_wayland_add_to_plan(struct pt_plan *plan, const char *socket, const char *runtime_dir,
			   unsigned flags, struct pt_error *err)
{
	static const struct {
		const char *name, *value;
	} hints[] = {
	    {"GDK_BACKEND", "wayland"},
	    {"QT_QPA_PLATFORM", "wayland"},
	    {"SDL_VIDEODRIVER", "wayland"},
	    {"MOZ_ENABLE_WAYLAND", "1"},
	};
	if (flags & ~PT_WAYLAND_HINTS)
		return pt_error_setx(err, EINVAL, "wayland: unknown flags 0x%x", flags);
	/* The directory first: the socket is bound on the file inside it. */
	int r = pt_plan_add_bind(plan, runtime_dir, PT_WAYLAND_RUNTIME_DIR, 0, err);
	if (r == 0)
		r = pt_plan_add_bind(plan, socket, PT_WAYLAND_RUNTIME_DIR "/" PT_WAYLAND_DISPLAY,
				     PT_BIND_RO, err);
	if (r == 0)
		r = pt_plan_set_env(plan, "XDG_RUNTIME_DIR", PT_WAYLAND_RUNTIME_DIR, err);
	if (r == 0)
		r = pt_plan_set_env(plan, "WAYLAND_DISPLAY", PT_WAYLAND_DISPLAY, err);
	for (size_t i = 0; r == 0 && (flags & PT_WAYLAND_HINTS) && i < ELEMENTSOF(hints); i++)
		r = pt_plan_set_env(plan, hints[i].name, hints[i].value, err);
	return r < 0 ? pt_error_prefix(err, "wayland") : 0;
}

/* The uid and gid the container's user has on the host's side of a bind:
 * the same numbers for root (no user namespace), the caller's own for an
 * ordinary user (the native backend maps the container user to it). */
static int container_owner(struct pt_plan *plan, uid_t *ret_uid, gid_t *ret_gid,
			   struct pt_error *err)
{
	if (geteuid() != 0) {
		*ret_uid = geteuid();
		*ret_gid = getegid();
		return 0;
	}
	const char *root = pt_plan_get_root(plan);
	const char *user = pt_plan_get_user(plan);
	_cleanup_close_ int rootfd = open(root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return pt_error_set(err, errno, "root %s", root ? root : "/");
	struct userdb_user u = {0};
	int r = userdb_lookup(rootfd, user ? user : "0", &u, err);
	if (r < 0)
		return r;
	*ret_uid = u.uid;
	*ret_gid = u.gid;
	userdb_user_done(&u);
	return 0;
}

int pt_launch_add_wayland(struct pt_launch *l, const char *socket, unsigned flags,
			  struct pt_error *err)
{
	_cleanup_free_ char *found = NULL;
	int r;
	if (!socket) {
		if ((r = pt_wayland_find_socket(&found, err)) < 0)
			return r;
		socket = found;
	}
	struct pt_plan *plan = launch_plan(l);
	uid_t uid = 0;
	gid_t gid = 0;
	if ((r = container_owner(plan, &uid, &gid, err)) < 0)
		return pt_error_prefix(err, "wayland");

	/* XDG_RUNTIME_DIR must be the user's own, 0700 (toolkits check):
	 * a directory of the launch's, chowned, is the simplest such thing
	 * that both backends can bind. */
	_cleanup_free_ char *dir = NULL, *mp = NULL;
	if (asprintf(&dir, "%s/wayland-XXXXXX", pt_launch_state_dir(l)) < 0)
		return pt_error_set(err, ENOMEM, "wayland");
	if (!mkdtemp(dir))
		return pt_error_set(err, errno, "wayland: runtime directory under %s",
				    pt_launch_state_dir(l));
	if (asprintf(&mp, "%s/" PT_WAYLAND_DISPLAY, dir) < 0)
		return pt_error_set(err, ENOMEM, "wayland");
	_cleanup_close_ int fd =
	    open(mp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return pt_error_set(err, errno, "wayland: create %s", mp);
	if (geteuid() == 0 && (chown(dir, uid, gid) < 0 || fchown(fd, uid, gid) < 0))
		return pt_error_set(err, errno, "wayland: chown %s", dir);
	return pt_wayland_add_to_plan(plan, socket, dir, flags, err);
}

int pt_pipewire_find_socket(char **ret_path, struct pt_error *err)
{
	const char *name = secure_getenv("PIPEWIRE_REMOTE");
	return find_socket("pipewire", "PIPEWIRE_REMOTE", name && *name ? name : "pipewire-0",
			   ret_path, err);
}

int pt_pipewire_add_to_plan(struct pt_plan *plan, struct pt_error *err)
{
	_cleanup_free_ char *socket = NULL;
	int r = pt_pipewire_find_socket(&socket, err);
	if (r < 0)
		return r;
	/* libpipewire takes an absolute PIPEWIRE_REMOTE as the socket's path,
	 * so the container needs no runtime directory for it. */
	/* Read-only: connect() needs no write access to the mount. */
	r = pt_plan_add_bind(plan, socket, PT_PIPEWIRE_SOCKET, PT_BIND_RO, err);
	if (r == 0)
		r = pt_plan_set_env(plan, "PIPEWIRE_REMOTE", PT_PIPEWIRE_SOCKET, err);
	return r < 0 ? pt_error_prefix(err, "pipewire") : 0;
}
