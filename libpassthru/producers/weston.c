/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A nested Weston for one container: start it with a private runtime
 * directory, know when it accepts clients, track it by pidfd, stop it. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "daemon.h"
#include "launch-private.h"
#include "passthru/display.h"
#include "passthru/wayland.h"
#include "pidfd.h"
#include "util.h"

extern char **environ;

#define SOCKET_NAME	   "wayland-0"
#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_GRACE_MS   3000

struct pt_weston {
	pid_t pid;
	int pidfd;
	int status; /* -1 while it runs */
	char *dir;  /* its XDG_RUNTIME_DIR: socket, lock, log */
	char *socket;
	char *log_file;
};

struct pt_weston_opts *pt_weston_opts_new(void)
{
	return calloc(1, sizeof(struct pt_weston_opts));
}

void pt_weston_opts_free(struct pt_weston_opts *o)
{
	free(o);
}

int pt_weston_opts_parse(struct pt_weston_opts *o, const char *spec, struct pt_error *err)
{
	/* A comma-separated list: "headless", "WxH", or both. */
	for (const char *p = spec; p && *p;) {
		size_t n = strcspn(p, ",");
		_cleanup_free_ char *item = strndup(p, n);
		if (!item)
			return pt_error_set(err, ENOMEM, "weston");
		if (streq(item, "headless"))
			o->backend = PT_WESTON_HEADLESS;
		else if (pt_display_parse_size(item, &o->width, &o->height, err) < 0)
			return pt_error_prefix(err, "weston (WxH, headless, or both)");
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The host compositor's socket path, or NULL. */
static char *host_wayland(void)
{
	char *p = NULL;
	return pt_wayland_find_socket(&p, NULL) == 0 ? p : NULL;
}

static int choose_backend(const struct pt_weston_opts *o, enum pt_weston_backend *ret,
			  char **ret_host, struct pt_error *err)
{
	enum pt_weston_backend b = o->backend;
	_cleanup_free_ char *wl = NULL;
	const char *x = secure_getenv("DISPLAY");
	if (b == PT_WESTON_AUTO || b == PT_WESTON_WAYLAND)
		wl = host_wayland();
	if (b == PT_WESTON_AUTO)
		b = wl ? PT_WESTON_WAYLAND : x && *x ? PT_WESTON_X11 : PT_WESTON_AUTO;
	if (b == PT_WESTON_AUTO)
		return pt_error_setx(err, ENXIO,
				     "weston: no host session to open a window on (neither a "
				     "Wayland compositor nor DISPLAY)");
	if (b == PT_WESTON_WAYLAND && !wl)
		return pt_error_setx(err, ENXIO, "weston: no host Wayland compositor");
	if (b == PT_WESTON_X11 && !(x && *x))
		return pt_error_setx(err, ENXIO, "weston: DISPLAY is not set");
	*ret = b;
	*ret_host = steal_pointer(&wl);
	return 0;
}

/* Our environment with XDG_RUNTIME_DIR its private one and, nested in a
 * host compositor, WAYLAND_DISPLAY that compositor's absolute path (it is
 * not in the new runtime directory). Strings are borrowed except *owned. */
static char **child_env(const char *dir, const char *host_wl, char *owned[2])
{
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	char **env = calloc(n + 3, sizeof(char *));
	if (!env)
		return NULL;
	size_t o = 0;
	for (char **e = environ; e && *e; e++)
		if (!startswith(*e, "XDG_RUNTIME_DIR=") && !startswith(*e, "WAYLAND_DISPLAY=") &&
		    !startswith(*e, "WAYLAND_SOCKET="))
			env[o++] = *e;
	if (asprintf(&owned[0], "XDG_RUNTIME_DIR=%s", dir) < 0 ||
	    (host_wl && asprintf(&owned[1], "WAYLAND_DISPLAY=%s", host_wl) < 0)) {
		free(env);
		return NULL;
	}
	env[o++] = owned[0];
	if (host_wl)
		env[o++] = owned[1];
	env[o] = NULL;
	return env;
}

static bool accepts(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

static void remove_files(struct pt_weston *w)
{
	if (!w->dir)
		return;
	_cleanup_close_ int dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	static const char *const names[] = {SOCKET_NAME, SOCKET_NAME ".lock", "weston.log"};
	for (size_t i = 0; dfd >= 0 && i < ELEMENTSOF(names); i++)
		unlinkat(dfd, names[i], 0);
	rmdir(w->dir);
}

static void weston_destroy(struct pt_weston *w)
{
	if (w->pidfd >= 0)
		close(w->pidfd);
	free(w->dir);
	free(w->socket);
	free(w->log_file);
	free(w);
}

/* Its private runtime directory (socket, lock, log) under the state
 * directory or $TMPDIR, and the paths in it. */
static int weston_new(const struct pt_weston_opts *o, struct pt_weston **ret, struct pt_error *err)
{
	struct pt_weston *w = calloc(1, sizeof(*w));
	if (!w)
		return pt_error_set(err, ENOMEM, "weston");
	w->pidfd = -1;
	w->status = -1;
	const char *base = o->state_dir ? o->state_dir : tmp_dir();
	if (asprintf(&w->dir, "%s/passthru-weston-XXXXXX", base) < 0) {
		w->dir = NULL;
		weston_destroy(w);
		return pt_error_set(err, ENOMEM, "weston");
	}
	if (!mkdtemp(w->dir)) {
		int r = pt_error_set(err, errno, "weston: runtime directory under %s", base);
		free(w->dir);
		w->dir = NULL;
		weston_destroy(w);
		return r;
	}
	if (asprintf(&w->socket, "%s/" SOCKET_NAME, w->dir) < 0 ||
	    asprintf(&w->log_file, "%s/weston.log", w->dir) < 0) {
		remove_files(w);
		weston_destroy(w);
		return pt_error_set(err, ENOMEM, "weston");
	}
	*ret = w;
	return 0;
}

/* Weston's command line; the strings it points to live in the struct. */
struct weston_argv {
	char backend[64], width[32], height[32];
	char *argv[32];
};

static void build_argv(struct weston_argv *a, const struct pt_weston_opts *o, char *prog,
		       enum pt_weston_backend backend)
{
	static const char *const backend_so[] = {
	    [PT_WESTON_WAYLAND] = "wayland-backend.so",
	    [PT_WESTON_X11] = "x11-backend.so",
	    [PT_WESTON_HEADLESS] = "headless-backend.so",
	};
	snprintf(a->backend, sizeof(a->backend), "--backend=%s", backend_so[backend]);
	snprintf(a->width, sizeof(a->width), "--width=%u", o->width);
	snprintf(a->height, sizeof(a->height), "--height=%u", o->height);
	size_t n = 0;
	a->argv[n++] = prog;
	a->argv[n++] = a->backend;
	a->argv[n++] = (char *)"--socket=" SOCKET_NAME;
	/* One container's compositor: no screen lock after idling, and no
	 * weston.ini of the caller's that could load other modules. */
	a->argv[n++] = (char *)"--idle-time=0";
	a->argv[n++] = (char *)"--no-config";
	if (o->width) {
		a->argv[n++] = a->width;
		a->argv[n++] = a->height;
	}
	for (size_t i = 0; o->extra_args && o->extra_args[i] && n < ELEMENTSOF(a->argv) - 1; i++)
		a->argv[n++] = (char *)o->extra_args[i];
	a->argv[n] = NULL;
}

/* Starts it with its own runtime directory and its output in its log. */
static int spawn_weston(struct pt_weston *w, char **argv, const char *host_wl, struct pt_error *err)
{
	_cleanup_close_ int log_fd = -1;
	char *owned[2] = {NULL, NULL};
	char **env = child_env(w->dir, host_wl, owned);
	int r;
	if (!env)
		r = pt_error_set(err, ENOMEM, "weston");
	else if ((log_fd = open(w->log_file,
				O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
				0600)) < 0)
		r = pt_error_set(err, errno, "weston: create %s", w->log_file);
	else
		r = daemon_spawn(argv, env, log_fd, NULL, 0, &w->pid, &w->pidfd, err);
	free(env);
	free(owned[0]);
	free(owned[1]);
	return r;
}

static int wait_ready(struct pt_weston *w, unsigned timeout, struct pt_error *err)
{
	/* Ready when a client gets in: Weston creates its socket before it
	 * has loaded its shell, but accepts and queues connections from then
	 * on, as the host's compositor does for every client. */
	long long deadline = now_ms() + timeout;
	for (;;) {
		if (accepts(w->socket))
			return 0;
		if (pidfd_reap(w->pidfd, false, &w->status) == 0) {
			_cleanup_free_ char *words = daemon_last_words(w->log_file);
			return pt_error_setx(err, ECHILD,
					     "weston exited with status %d before it "
					     "accepted clients%s%s",
					     w->status, words ? ": " : "", words ? words : "");
		}
		if (now_ms() >= deadline)
			return pt_error_setx(err, ETIMEDOUT,
					     "weston did not accept clients within %u ms", timeout);
		/* Its pidfd wakes us at once if it dies; else look again soon. */
		struct pollfd p = {.fd = w->pidfd, .events = POLLIN};
		poll(&p, 1, 5);
	}
}

int pt_weston_start(const struct pt_weston_opts *o, struct pt_weston **ret, struct pt_error *err)
{
	enum pt_weston_backend backend = PT_WESTON_AUTO;
	_cleanup_free_ char *host_wl = NULL;
	int r = choose_backend(o, &backend, &host_wl, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *prog = NULL;
	const char *server = o->server && *o->server ? o->server : "weston";
	if (find_program(server, &prog) < 0)
		return pt_error_setx(err, ENOENT, "weston: %s is not installed (Debian: weston)",
				     server);

	struct pt_weston *w = NULL;
	r = weston_new(o, &w, err);
	if (r < 0)
		return r;
	struct weston_argv a;
	build_argv(&a, o, prog, backend);
	r = spawn_weston(w, a.argv, backend == PT_WESTON_WAYLAND ? host_wl : NULL, err);
	if (r < 0)
		goto fail;
	r = wait_ready(w, o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS, err);
	if (r < 0)
		goto fail;
	/* A container user other than the launcher's must be able to
	 * connect; the socket is reachable only through this container's bind
	 * (the directory is 0700). */
	chmod(w->socket, 0666);
	*ret = w;
	return 0;
fail:
	daemon_stop(w->pidfd, 500, NULL);
	remove_files(w);
	weston_destroy(w);
	return r;
}

const char *pt_weston_socket(const struct pt_weston *w)
{
	return w->socket;
}
pid_t pt_weston_pid(const struct pt_weston *w)
{
	return w->pid;
}
int pt_weston_pidfd(const struct pt_weston *w)
{
	return w->pidfd;
}

int pt_weston_stop(struct pt_weston *w, unsigned grace_ms, struct pt_error *err)
{
	(void)err;
	if (!w)
		return 0;
	if (w->status < 0)
		daemon_stop(w->pidfd, grace_ms ? grace_ms : DEFAULT_GRACE_MS, &w->status);
	/* Its own clients (weston-desktop-shell) would outlive it by a moment:
	 * they are what is left of its process group, which it leads (the
	 * kernel gives no new process a PID still in use as a group's id). */
	if (w->pid > 0 && w->status >= 0)
		kill(-w->pid, SIGKILL);
	remove_files(w);
	return 0;
}

void pt_weston_free(struct pt_weston *w)
{
	if (!w)
		return;
	pt_weston_stop(w, 0, NULL);
	weston_destroy(w);
}

static void weston_free_void(void *w)
{
	pt_weston_free(w);
}

int pt_launch_start_weston(struct pt_launch *l, struct pt_weston_opts *o, unsigned flags,
			   struct pt_error *err)
{
	int r = launch_mark_nested(l, err);
	if (r < 0)
		return r;
	const char *saved = o->state_dir;
	if (!o->state_dir)
		o->state_dir = pt_launch_state_dir(l);
	struct pt_weston *w = NULL;
	r = pt_weston_start(o, &w, err);
	o->state_dir = saved;
	if (r < 0)
		return r;
	if ((r = launch_own(l, w, weston_free_void, err)) < 0)
		return r;
	if ((r = pt_launch_add_wayland(l, w->socket, flags, err)) < 0)
		return r;
	return pt_launch_watch(l, w->pidfd, "the Weston compositor", err);
}
