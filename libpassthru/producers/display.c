/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A nested X display (Xephyr, or a headless Xvfb) for one container: start
 * it with a fresh cookie, know when it accepts clients, track it through a
 * pidfd, give a plan its socket and cookie, stop it and clean up. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "dlopen-x11.h"
#include "passthru/display.h"
#include "passthru/process.h"
#include "daemon.h"
#include "pidfd.h"
#include "state.h"
#include "strv.h"
#include "util.h"

extern char **environ;

#define COOKIE_NAME "MIT-MAGIC-COOKIE-1"
#define COOKIE_LEN 16
/* The fd number the server finds its -displayfd pipe on. */
#define DISPLAYFD 3
#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_GRACE_MS 3000
/* Where the container finds its Xauthority: /run is a fresh tmpfs in a
 * container, so nothing is written into the root file system. */
#define CONTAINER_XAUTHORITY "/run/passthru/Xauthority"

/* Which file a path held: the inode alone is not enough, file systems such
 * as ext4 hand a freed inode number to the next file at once. */
/* Which file a path named when we looked: device, inode and birth time.
 * Not the ctime: the server may still chmod its socket after the first
 * client got in, and a changed ctime would leave a dead server's socket
 * behind. The birth time tells a new socket that reused the inode number. */
struct file_id {
	dev_t dev;
	ino_t ino;
	struct statx_timestamp btime;
};

static bool file_id_at(const char *path, mode_t type, struct file_id *ret)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_BTIME,
		  &stx) < 0 ||
	    (stx.stx_mode & S_IFMT) != type)
		return false;
	*ret = (struct file_id){makedev(stx.stx_dev_major, stx.stx_dev_minor), stx.stx_ino,
			       stx.stx_mask & STATX_BTIME ? stx.stx_btime
							  : (struct statx_timestamp){0}};
	return true;
}

static bool same_file(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->btime.tv_sec == b->btime.tv_sec &&
	       a->btime.tv_nsec == b->btime.tv_nsec;
}

struct pt_display {
	enum pt_display_kind kind;
	int number;
	char name[16];
	pid_t pid;
	int pidfd;
	int status; /* -1 while it runs */
	bool mit_shm;
	uint8_t cookie[COOKIE_LEN];

	char *dir;       /* private directory with the cookie and the log */
	char *auth_file;
	char *log_file;
	char *last_words;

	/* What the server created, to remove it if it dies without doing so,
	 * and only while the path still holds what our server made. */
	bool have_socket, have_lock;
	struct file_id socket_id, lock_id;
};

static const char *kind_name(enum pt_display_kind kind)
{
	return kind == PT_DISPLAY_XVFB ? "Xvfb" : "Xephyr";
}

struct pt_display_opts *pt_display_opts_new(enum pt_display_kind kind)
{
	struct pt_display_opts *o = calloc(1, sizeof(*o));
	if (o) {
		o->kind = kind;
		o->private_ipc = true;
	}
	return o;
}

void pt_display_opts_free(struct pt_display_opts *opts) { free(opts); }

static int parse_dimension(const char *s, const char *end, unsigned *ret)
{
	if (s == end || end - s > 5)
		return -EINVAL;
	unsigned v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	/* X protocol sizes are 16-bit signed on the wire. */
	if (v < 1 || v > 32767)
		return -EINVAL;
	*ret = v;
	return 0;
}

int pt_display_parse_size(const char *spec, unsigned *ret_width, unsigned *ret_height,
			  struct pt_error *err)
{
	const char *x = spec ? strchr(spec, 'x') : NULL;
	unsigned w, h;
	if (!x || parse_dimension(spec, x, &w) < 0 || parse_dimension(x + 1, strchr(x, '\0'), &h) < 0)
		return pt_error_setx(err, EINVAL,
				     "screen size '%s': expected WIDTHxHEIGHT, e.g. 1280x720",
				     spec ? spec : "");
	*ret_width = w;
	*ret_height = h;
	return 0;
}

/* The host display Xephyr opens a window on; NULL when there is none. */
static const char *host_display(const struct pt_display_opts *o)
{
	const char *d = o->host_display ? o->host_display : secure_getenv("DISPLAY");
	return d && *d ? d : NULL;
}

static int check_opts(const struct pt_display_opts *o, struct pt_error *err)
{
	if (o->kind != PT_DISPLAY_XEPHYR && o->kind != PT_DISPLAY_XVFB)
		return pt_error_setx(err, EINVAL, "display: unknown kind %d", (int)o->kind);
	if ((o->width == 0) != (o->height == 0) || o->width > 32767 || o->height > 32767)
		return pt_error_setx(err, EINVAL, "%s: bad screen size %ux%u", kind_name(o->kind),
				     o->width, o->height);
	if (o->kind == PT_DISPLAY_XEPHYR && !host_display(o))
		return pt_error_setx(err, ENXIO,
				     "Xephyr needs a host display to open its window on, and "
				     "DISPLAY is not set");
	return 0;
}

int pt_display_server_argv(const struct pt_display_opts *o, int displayfd, const char *auth_file,
			   char ***ret_argv, struct pt_error *err)
{
	int r = check_opts(o, err);
	if (r < 0)
		return r;

	struct strv_builder b = {0};
#define ARG(s) strv_push(&b, (s))
	ARG(o->server && *o->server ? o->server : kind_name(o->kind));
	ARG("-displayfd");
	strv_pushf(&b, "%d", displayfd);
	ARG("-auth");
	ARG(auth_file);
	ARG("-nolisten");
	ARG("tcp");
	/* Without it the server resets when its last client leaves (our own
	 * readiness probe is the first), which re-creates Xephyr's window and
	 * serves nothing for a display that lives as long as one container. */
	ARG("-noreset");
	if (o->private_ipc) {
		/* SysV shared memory does not cross IPC namespaces: clients would
		 * fail on MIT-SHM instead of falling back to the socket. */
		ARG("-extension");
		ARG("MIT-SHM");
	}
	if (o->width) {
		ARG("-screen");
		if (o->kind == PT_DISPLAY_XVFB) {
			ARG("0");
			strv_pushf(&b, "%ux%ux24", o->width, o->height);
		} else {
			strv_pushf(&b, "%ux%u", o->width, o->height);
		}
	}
	if (o->kind == PT_DISPLAY_XEPHYR && o->resizeable)
		ARG("-resizeable");
	if (o->kind == PT_DISPLAY_XEPHYR && o->title) {
		ARG("-title");
		ARG(o->title);
	}
	for (size_t i = 0; o->extra_args && o->extra_args[i]; i++)
		ARG(o->extra_args[i]);
#undef ARG
	char **v = strv_steal(&b);
	if (!v)
		return pt_error_set(err, ENOMEM, "%s: arguments", kind_name(o->kind));
	*ret_argv = v;
	return 0;
}

/* One Xauthority entry for the cookie: FamilyWild with an empty address and
 * number matches every host name and display number, so the same entry
 * works before the server has chosen its number and under the container's
 * own host name. */
static int auth_entry(const uint8_t cookie[COOKIE_LEN], char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	Xauth a = {
		.family = FamilyWild,
		.address_length = 0,
		.address = (char *)"",
		.number_length = 0,
		.number = (char *)"",
		.name_length = (unsigned short)strlen(COOKIE_NAME),
		.name = (char *)COOKIE_NAME,
		.data_length = COOKIE_LEN,
		.data = (char *)cookie,
	};
	int ok = XauWriteAuth(f, &a);
	if (fclose(f) != 0 || !ok) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The caller's environment with DISPLAY set to host (Xephyr connects to the
 * display it finds there); NULL host drops nothing. Strings are borrowed. */
static char **child_env(const char *host, char **ret_owned)
{
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	char **env = calloc(n + 2, sizeof(char *));
	if (!env)
		return NULL;
	size_t o = 0;
	for (char **e = environ; e && *e; e++)
		if (!host || !startswith(*e, "DISPLAY="))
			env[o++] = *e;
	*ret_owned = NULL;
	if (host) {
		if (asprintf(ret_owned, "DISPLAY=%s", host) < 0) {
			free(env);
			return NULL;
		}
		env[o++] = *ret_owned;
	}
	env[o] = NULL;
	return env;
}

static int spawn_server(struct pt_display *d, const struct pt_display_opts *o, int displayfd_w,
			int log_fd, struct pt_error *err)
{
	_cleanup_strv_ char **argv = NULL;
	int r = pt_display_server_argv(o, DISPLAYFD, d->auth_file, &argv, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *display_var = NULL;
	_cleanup_free_ char **env =
		child_env(o->kind == PT_DISPLAY_XEPHYR ? host_display(o) : NULL, &display_var);
	if (!env)
		return pt_error_set(err, ENOMEM, "start %s", argv[0]);

	_cleanup_free_ char *path = NULL;
	r = find_program(argv[0], &path);
	if (r < 0)
		return pt_error_set(err, -r, "exec %s", argv[0]);
	/* stdin /dev/null, the log on 1 and 2, the pipe at DISPLAYFD. Its own
	 * process group: a terminal's Ctrl-C goes to the container, whose end
	 * then stops the display; otherwise the display would die first and
	 * look like a crash. */
	int fds[DISPLAYFD + 1] = {-1, log_fd, log_fd};
	for (int i = 3; i < DISPLAYFD; i++)
		fds[i] = -1;
	fds[DISPLAYFD] = displayfd_w;
	struct spawn_params p = {
		.path = path,
		.argv = argv,
		.envp = env,
		.fds = fds,
		.n_fds = DISPLAYFD + 1,
		.own_pgrp = true,
		.die_with_caller = o->die_with_caller,
	};
	return pidfd_spawn(&p, &d->pid, &d->pidfd, err);
}

/* Reaps the server if it has exited; true when it has. */
static bool reap(struct pt_display *d, bool block)
{
	if (d->status >= 0)
		return true;
	if (d->pidfd < 0)
		return true;
	int r = pidfd_reap(d->pidfd, block, &d->status);
	if (r == -EAGAIN)
		return false;
	if (r < 0)
		d->status = 255; /* ECHILD: someone else reaped it (a SIGCHLD-ignoring caller) */
	return true;
}

static bool wait_exit(struct pt_display *d, int timeout_ms)
{
	if (reap(d, false))
		return true;
	pidfd_wait_exit(d->pidfd, timeout_ms);
	return reap(d, false);
}

/* Strips X server log decorations ("(EE) ", trailing blanks). */
static char *clean_line(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n >= 5 && s[0] == '(' && s[3] == ')' && s[4] == ' ')
		s += 5, n -= 5;
	else if (n == 4 && s[0] == '(' && s[3] == ')')
		n = 0;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	/* One line for a message: cap it. */
	return strndup(s, n > 300 ? 300 : n);
}

/* The server's fatal error from the end of its log; else, when any_line,
 * its last line. A server that served clients and then died of a signal
 * says nothing useful in its last line (after a SIGTERM Xorg-based servers
 * log their shutdown, or an old "server already active" complaint of
 * their start): there only a fatal error counts. */
static char *read_last_words(const char *log_file, bool any_line)
{
	_cleanup_free_ char *buf = daemon_log_tail(log_file, 8192);
	if (!buf)
		return NULL;

	char *fatal = strstr(buf, "Fatal server error:");
	if (!fatal && !any_line)
		return NULL;
	const char *last = NULL;
	size_t last_len = 0;
	for (const char *p = fatal ? fatal + strlen("Fatal server error:") : buf; *p;) {
		const char *e = strchrnul(p, '\n');
		_cleanup_free_ char *l = clean_line(p, (size_t)(e - p));
		if (l && *l) {
			last = p;
			last_len = (size_t)(e - p);
			if (fatal)
				break;
		}
		p = *e ? e + 1 : e;
	}
	return last ? clean_line(last, last_len) : NULL;
}

/* A probe connection with the cookie. It uses xcb, which XOpenDisplay runs
 * on, because Xlib would need process-wide state a library must not touch:
 * XSetAuthorization (or XAUTHORITY) for the cookie, and an I/O error
 * handler whose default exits the whole process before a per-display
 * XSetIOErrorExitHandler is reached. xcb takes the cookie per connection
 * and reports errors instead of exiting. */
static bool probe(const struct pt_display *d)
{
	xcb_auth_info_t auth = {
		.namelen = (int)strlen(COOKIE_NAME),
		.name = (char *)COOKIE_NAME,
		.datalen = COOKIE_LEN,
		.data = (char *)d->cookie,
	};
	xcb_connection_t *c = xcb_connect_to_display_with_auth_info(d->name, &auth, NULL);
	bool ok = c && !xcb_connection_has_error(c);
	xcb_disconnect(c);
	return ok;
}

static void remember_created(struct pt_display *d)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/.X11-unix/X%d", d->number);
	d->have_socket = file_id_at(path, S_IFSOCK, &d->socket_id);
	/* With -displayfd current servers take no lock file; older ones do. */
	snprintf(path, sizeof(path), "/tmp/.X%d-lock", d->number);
	_cleanup_free_ char *s = NULL;
	if (file_id_at(path, S_IFREG, &d->lock_id) && read_file_max(path, 64, &s, NULL) == 0 &&
	    atoi(s) == d->pid)
		d->have_lock = true;
}

static void unlink_if_same(const char *path, const struct file_id *id)
{
	struct file_id now;
	if (file_id_at(path, S_IFSOCK, &now) || file_id_at(path, S_IFREG, &now))
		if (same_file(id, &now))
			unlink(path);
}

/* Removes what the server left behind: our files always; its lock and
 * socket only when they are still the ones it made (a new server on the
 * same number has new ones). A server that exited cleanly removed them. */
static void remove_leftovers(struct pt_display *d)
{
	char path[64];
	if (d->have_socket) {
		snprintf(path, sizeof(path), "/tmp/.X11-unix/X%d", d->number);
		unlink_if_same(path, &d->socket_id);
		d->have_socket = false;
	}
	if (d->have_lock) {
		snprintf(path, sizeof(path), "/tmp/.X%d-lock", d->number);
		unlink_if_same(path, &d->lock_id);
		d->have_lock = false;
	}
	if (d->auth_file)
		unlink(d->auth_file);
	if (d->log_file)
		unlink(d->log_file);
	if (d->dir)
		rmdir(d->dir);
}

static void display_destroy(struct pt_display *d)
{
	if (d->pidfd >= 0)
		close(d->pidfd);
	free(d->dir);
	free(d->auth_file);
	free(d->log_file);
	free(d->last_words);
	explicit_bzero(d->cookie, sizeof(d->cookie));
	free(d);
}

static void kill_and_reap(struct pt_display *d, unsigned grace_ms)
{
	if (reap(d, false))
		return;
	pidfd_signal(d->pidfd, SIGTERM);
	if (!wait_exit(d, (int)grace_ms)) {
		pidfd_signal(d->pidfd, SIGKILL);
		reap(d, true);
	}
}

/* Waits for the number on the -displayfd pipe. Returns 0, or -ECHILD when
 * the server exited (or closed the pipe) first, -ETIMEDOUT at deadline. */
static int wait_number(struct pt_display *d, int pipe_r, long long deadline)
{
	char buf[32];
	size_t len = 0;
	struct pollfd p[2] = {{.fd = pipe_r, .events = POLLIN}, {.fd = d->pidfd, .events = POLLIN}};
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int r = poll(p, 2, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		if (p[0].revents) {
			ssize_t n = read(pipe_r, buf + len, sizeof(buf) - 1 - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -ECHILD; /* closed without a number: it failed */
			len += (size_t)n;
			buf[len] = '\0';
			char *nl = strchr(buf, '\n');
			if (nl) {
				char *end;
				errno = 0;
				long v = strtol(buf, &end, 10);
				if (end == buf || end != nl || errno || v < 0 || v > 65535)
					return -EPROTO;
				d->number = (int)v;
				return 0;
			}
			if (len == sizeof(buf) - 1)
				return -EPROTO;
		} else if (p[1].revents) {
			return -ECHILD;
		}
	}
}

static int fail_start(struct pt_display *d, int code, const char *what, const char *host,
		      unsigned timeout_ms, struct pt_error *err)
{
	const char *name = kind_name(d->kind);
	if (code == -ETIMEDOUT)
		pt_error_setx(err, ETIMEDOUT, "%s did not accept clients within %u ms", name,
			      timeout_ms);
	else if (code == -EPROTO)
		pt_error_setx(err, EPROTO, "%s wrote no display number to -displayfd", name);
	else if (code != -ECHILD)
		pt_error_set(err, -code, "%s: wait for the display number", name);
	kill_and_reap(d, 500);
	if (code == -ECHILD) {
		/* Xephyr's own words about its host display do not name it. */
		char on[64] = "";
		if (d->kind == PT_DISPLAY_XEPHYR)
			snprintf(on, sizeof(on), " (on host display %s)", host);
		if (d->status > 128)
			pt_error_setx(err, ECHILD, "%s%s was killed by signal %d %s", name, on,
				      d->status - 128, what);
		else
			pt_error_setx(err, ECHILD, "%s%s exited with status %d %s", name, on,
				      d->status, what);
	}
	_cleanup_free_ char *words = read_last_words(d->log_file, true);
	if (err && words) {
		size_t len = strlen(err->message);
		snprintf(err->message + len, sizeof(err->message) - len, ": %s", words);
	}
	remove_leftovers(d);
	display_destroy(d);
	return code;
}

/* A display object with its private directory (cookie, log) made. */
static int display_new(const struct pt_display_opts *o, struct pt_display **ret,
		       struct pt_error *err)
{
	struct pt_display *d = calloc(1, sizeof(*d));
	if (!d)
		return pt_error_set(err, ENOMEM, "display");
	d->kind = o->kind;
	d->pidfd = -1;
	d->status = -1;
	d->number = -1;
	d->mit_shm = !o->private_ipc;

	const char *base = o->state_dir ? o->state_dir : state_base_dir();
	int r = 0;
	if (asprintf(&d->dir, "%s/passthru-display-XXXXXX", base) < 0) {
		d->dir = NULL;
		r = pt_error_set(err, ENOMEM, "display");
	} else if (!mkdtemp(d->dir)) {
		r = pt_error_set(err, errno, "create a private directory under %s", base);
		free(d->dir);
		d->dir = NULL;
	} else if (asprintf(&d->auth_file, "%s/Xauthority", d->dir) < 0 ||
		   asprintf(&d->log_file, "%s/server.log", d->dir) < 0) {
		r = pt_error_set(err, ENOMEM, "display");
	}
	if (r < 0) {
		remove_leftovers(d);
		display_destroy(d);
		return r;
	}
	*ret = d;
	return 0;
}

/* A fresh MIT-MAGIC-COOKIE-1 in the server's Xauthority (FamilyWild). */
static int write_cookie(struct pt_display *d, struct pt_error *err)
{
	_cleanup_free_ char *entry = NULL;
	size_t entry_len = 0;
	if (getrandom(d->cookie, sizeof(d->cookie), 0) != (ssize_t)sizeof(d->cookie))
		return pt_error_set(err, errno ? errno : EIO, "getrandom");
	if (auth_entry(d->cookie, &entry, &entry_len) < 0)
		return pt_error_set(err, ENOMEM, "cookie");
	int r = write_file_excl(d->auth_file, entry, entry_len, 0600, err);
	explicit_bzero(entry, entry_len);
	return r;
}

/* Until its number arrived on the -displayfd pipe and a client with the
 * cookie got in: the number arrives once the server listens, but only a
 * connection says it lets our clients in. */
static int wait_ready(struct pt_display *d, int pipe_r, long long deadline)
{
	int r = wait_number(d, pipe_r, deadline);
	if (r < 0)
		return r;
	snprintf(d->name, sizeof(d->name), ":%d", d->number);
	for (;;) {
		if (probe(d))
			return 0;
		if (!pt_display_alive(d))
			return -ECHILD;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int pt_display_start(const struct pt_display_opts *o, struct pt_display **ret_display,
		     struct pt_error *err)
{
	if (!o || !ret_display)
		return pt_error_setx(err, EINVAL, "display: no options");
	const char *name = kind_name(o->kind);
	int r = check_opts(o, err);
	if (r < 0)
		return r;
	/* Before anything is spawned: without them no cookie can be written
	 * and no client can check that the server lets it in. */
	r = dlopen_x11(err);
	if (r < 0)
		return pt_error_prefix(err, "%s", name);

	struct pt_display *d = NULL;
	if ((r = display_new(o, &d, err)) < 0)
		return pt_error_prefix(err, "%s", name);
	_cleanup_close_ int log_fd = -1, pipe_r = -1;
	if ((r = write_cookie(d, err)) < 0)
		goto fail;

	/* Its output goes to a file, not a pipe: nobody drains a pipe once the
	 * container runs, and a full pipe would stall the server. */
	log_fd = open(d->log_file, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		      0600);
	if (log_fd < 0) {
		r = pt_error_set(err, errno, "create %s", d->log_file);
		goto fail;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = pt_error_set(err, errno, "pipe");
		goto fail;
	}
	pipe_r = pipefd[0];
	long long start = now_ms();
	r = spawn_server(d, o, pipefd[1], log_fd, err);
	close(pipefd[1]); /* only the server holds the write end: EOF if it dies */
	if (r < 0)
		goto fail;

	unsigned timeout = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	r = wait_ready(d, pipe_r, start + timeout);
	if (r < 0)
		return fail_start(d, r,
				  d->number >= 0 ? "before a client could connect"
						 : "before it accepted clients",
				  host_display(o), timeout, err);
	remember_created(d);
	*ret_display = d;
	return 0;

fail:
	pt_error_prefix(err, "%s", name);
	remove_leftovers(d);
	display_destroy(d);
	return r;
}

int pt_display_number(const struct pt_display *d) { return d->number; }
const char *pt_display_name(const struct pt_display *d) { return d->name; }
const char *pt_display_kind_name(const struct pt_display *d) { return kind_name(d->kind); }
pid_t pt_display_pid(const struct pt_display *d) { return d->pid; }
int pt_display_pidfd(const struct pt_display *d) { return d->pidfd; }
const char *pt_display_auth_file(const struct pt_display *d) { return d->auth_file; }

bool pt_display_alive(struct pt_display *d) { return !reap(d, false); }

int pt_display_exit_status(const struct pt_display *d) { return d->status; }

const char *pt_display_last_words(struct pt_display *d)
{
	if (!d->last_words && d->log_file)
		d->last_words = read_last_words(d->log_file, false);
	return d->last_words;
}

int pt_display_add_to_plan(const struct pt_display *d, struct pt_plan *plan, struct pt_error *err)
{
	const char *name = kind_name(d->kind);
	if ((pt_plan_get_flags(plan) & PT_PLAN_PRIVATE_IPC) && d->mit_shm)
		return pt_error_setx(err, EINVAL,
				     "%s %s: started with MIT-SHM, but the container has its own "
				     "IPC namespace where MIT-SHM fails",
				     name, d->name);

	char socket[64];
	snprintf(socket, sizeof(socket), "/tmp/.X11-unix/X%d", d->number);
	/* Only this display's socket, read-only: a client's connect() needs no
	 * write access to the mount, and the container cannot replace it. */
	int r = pt_plan_add_bind(plan, socket, NULL, PT_BIND_RO, err);
	if (r < 0)
		return pt_error_prefix(err, "%s %s", name, d->name);

	_cleanup_free_ char *entry = NULL;
	size_t len = 0;
	if (auth_entry(d->cookie, &entry, &len) < 0)
		return pt_error_set(err, ENOMEM, "%s %s: Xauthority", name, d->name);
	/* 0644: the container's user is not known here (any uid inside may run
	 * the command); the host copy lives in a private 0700 directory. */
	r = pt_plan_add_file(plan, CONTAINER_XAUTHORITY, entry, len, 0644, err);
	explicit_bzero(entry, len);
	if (r < 0)
		return pt_error_prefix(err, "%s %s", name, d->name);
	if ((r = pt_plan_set_env(plan, "DISPLAY", d->name, err)) < 0 ||
	    (r = pt_plan_set_env(plan, "XAUTHORITY", CONTAINER_XAUTHORITY, err)) < 0)
		return pt_error_prefix(err, "%s %s", name, d->name);
	return 0;
}

int pt_display_exposed_sockets(const struct pt_display *d, const struct pt_plan *plan,
			       char ***ret_sockets, struct pt_error *err)
{
	struct strv_builder b = {0};
	if (plan && (pt_plan_get_flags(plan) & PT_PLAN_PRIVATE_NETWORK)) {
		if (!(*ret_sockets = strv_steal(&b)))
			return pt_error_set(err, ENOMEM, "X sockets");
		return 0;
	}

	/* /proc/net/unix lists the sockets of the reader's network namespace,
	 * which is the container's when it shares the host's. */
	_cleanup_fclose_ FILE *f = fopen("/proc/net/unix", "re");
	if (!f)
		return pt_error_set(err, errno, "open /proc/net/unix");
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	const char *prefix = "@/tmp/.X11-unix/X";
	while (getline(&line, &cap, f) > 0) {
		/* Num RefCount Protocol Flags Type St Inode Path */
		unsigned long flags;
		char path[256];
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %255s", &flags, path) != 2)
			continue;
		/* __SO_ACCEPTCON: a listening socket, i.e. a server. */
		if (!(flags & 0x10000) || !startswith(path, prefix))
			continue;
		const char *num = path + strlen(prefix);
		if (!*num || strspn(num, "0123456789") != strlen(num))
			continue;
		if (d && atoi(num) == d->number)
			continue;
		bool dup = false;
		for (size_t i = 0; i < b.n && !dup; i++)
			dup = streq(b.v[i], path);
		if (!dup)
			strv_push(&b, path);
	}
	size_t n = b.n;
	if (!(v = strv_steal(&b)))
		return pt_error_set(err, ENOMEM, "X sockets");
	*ret_sockets = steal_pointer(&v);
	return (int)n;
}

int pt_display_stop(struct pt_display *d, unsigned grace_ms, struct pt_error *err)
{
	(void)err;
	if (!d)
		return 0;
	kill_and_reap(d, grace_ms ? grace_ms : DEFAULT_GRACE_MS);
	/* Read before the log goes, for a caller that reports a crash. */
	pt_display_last_words(d);
	remove_leftovers(d);
	free(d->log_file);
	d->log_file = NULL;
	free(d->auth_file);
	d->auth_file = NULL;
	free(d->dir);
	d->dir = NULL;
	return 0;
}

void pt_display_free(struct pt_display *d)
{
	if (!d)
		return;
	pt_display_stop(d, 0, NULL);
	display_destroy(d);
}
