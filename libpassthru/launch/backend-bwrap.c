/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bwrap backend: the plan run by bubblewrap. bwrap mounts what its
 * command line says, so the plan becomes an argv; generated files reach it
 * as memfds (--ro-bind-data FD), which a printed command cannot carry, so
 * a dry run writes them into the state directory and binds them from there.
 *
 * bwrap passes no signal on to its command (a SIGTERM ends bwrap, and
 * --die-with-parent then SIGKILLs the sandbox), so the launch forwards
 * them here: --info-fd tells the pid of bwrap's init in the sandbox, whose
 * children are the command. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "passthru/process.h"
#include "pidfd.h"
#include "strv.h"
#include "userdb.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct backend_state {
	const struct pt_plan *plan;
	char *bwrap;     /* full path */
	char *state_dir;
	struct userdb_user user;
	bool userns;     /* --unshare-user --uid --gid */
	bool chdir_home; /* the home directory exists in the container */
	bool has_sys;    /* the root has a /sys to bind the host's over */
	int *file_fds;   /* memfds of the generated files, in plan order */
	size_t n_file_fds;
	pid_t init_pid;  /* bwrap's init in the sandbox, once known; 0: not yet */
};

static void bwrap_cleanup(struct backend_state *s, bool keep _unused_)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_file_fds; i++)
		if (s->file_fds[i] >= 0)
			close(s->file_fds[i]);
	free(s->file_fds);
	userdb_user_done(&s->user);
	free(s->bwrap);
	free(s->state_dir);
	free(s);
}

static int bwrap_prepare(const struct pt_plan *plan, const struct backend_env *env,
			 struct backend_state **ret, struct pt_error *err)
{
	struct backend_state *s = calloc(1, sizeof(*s));
	if (!s)
		return pt_error_set(err, ENOMEM, "bwrap");
	s->plan = plan;
	int r;
	_cleanup_close_ int rootfd = -1;
	if (find_program("bwrap", &s->bwrap) < 0) {
		r = pt_error_setx(err, ENOENT,
				  "bwrap backend: bwrap is not installed (Debian: bubblewrap)");
		goto fail;
	}
	if (env->state_dir && !(s->state_dir = strdup(env->state_dir))) {
		r = pt_error_set(err, ENOMEM, "bwrap");
		goto fail;
	}
	const char *root = pt_plan_get_root(plan);
	if (root && (r = engine_check_root(root, err)) < 0) {
		pt_error_prefix(err, "bwrap backend");
		goto fail;
	}
	if ((rootfd = open(root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = pt_error_set(err, errno, "bwrap: root %s", root ? root : "/");
		goto fail;
	}
	/* Without -u: root, or the caller itself when it is not root. */
	char self[32];
	const char *user = pt_plan_get_user(plan);
	if (!user) {
		snprintf(self, sizeof(self), "%u", (unsigned)geteuid());
		user = self;
	}
	if ((r = userdb_lookup(rootfd, user, &s->user, err)) < 0) {
		pt_error_prefix(err, "bwrap");
		goto fail;
	}
	/* bwrap switches users only inside a user namespace of its own: one
	 * uid and one gid, mapped to the caller's. */
	s->userns = geteuid() != 0 || s->user.uid != 0 || s->user.gid != 0;
	struct stat st;
	s->chdir_home = s->user.home[0] == '/' &&
			fstatat(rootfd, s->user.home[1] ? s->user.home + 1 : ".", &st, 0) == 0 &&
			S_ISDIR(st.st_mode);
	s->has_sys = root && fstatat(rootfd, "sys", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     S_ISDIR(st.st_mode);
	*ret = s;
	return 0;
fail:
	bwrap_cleanup(s, false);
	return r;
}

/* The environment, as native.c builds it: a login-like base, then the
 * plan's variables, which win. */
static void push_env(struct strv_builder *a, const struct backend_state *s)
{
	const char *term = getenv("TERM");
	const char *base[][2] = {
	    {"PATH", DEFAULT_PATH},   {"HOME", s->user.home},	{"USER", s->user.name},
	    {"LOGNAME", s->user.name}, {"SHELL", s->user.shell}, {"container", "passthru"},
	    {"TERM", term},
	};
	strv_push(a, "--clearenv");
	for (size_t i = 0; i < ELEMENTSOF(base); i++)
		if (base[i][1] && !pt_plan_get_env(s->plan, base[i][0])) {
			strv_push(a, "--setenv");
			strv_push(a, base[i][0]);
			strv_push(a, base[i][1]);
		}
	for (size_t i = 0; i < pt_plan_env_count(s->plan); i++) {
		const struct pt_env *e = pt_plan_env(s->plan, i);
		strv_push(a, "--setenv");
		strv_push(a, e->name);
		strv_push(a, e->value);
	}
}

/* The namespaces bwrap makes, and the user it runs the command as. */
static void push_namespaces(struct strv_builder *a, const struct backend_state *s, int info_fd)
{
	unsigned flags = pt_plan_get_flags(s->plan);
	/* A launcher that dies takes its container along, as with native. */
	strv_push(a, "--die-with-parent");
	strv_push(a, "--unshare-pid");
	strv_push(a, "--unshare-uts");
	if (flags & PT_PLAN_PRIVATE_IPC)
		strv_push(a, "--unshare-ipc");
	if (flags & PT_PLAN_PRIVATE_NETWORK)
		strv_push(a, "--unshare-net");
	if (s->userns) {
		strv_push(a, "--unshare-user");
		strv_push(a, "--uid");
		strv_pushf(a, "%u", (unsigned)s->user.uid);
		strv_push(a, "--gid");
		strv_pushf(a, "%u", (unsigned)s->user.gid);
	}
	if (info_fd >= 0) {
		strv_push(a, "--info-fd");
		strv_pushf(a, "%d", info_fd);
	}
}

/* The file system every container gets before the plan's own mounts. */
static void push_base_mounts(struct strv_builder *a, const struct backend_state *s)
{
	const char *root = pt_plan_get_root(s->plan);
	if (root) {
		strv_push(a, "--bind");
		strv_push(a, root);
		strv_push(a, "/");
	} else {
		/* As the native backend: the host's / read-only, a fresh /tmp. */
		strv_push(a, "--ro-bind");
		strv_push(a, "/");
		strv_push(a, "/");
	}
	strv_push(a, "--dev");
	strv_push(a, "/dev");
	strv_push(a, "--proc");
	strv_push(a, "/proc");
	/* /run is the container's own, as nspawn and native make it: producers
	 * put their sockets under /run/passthru. */
	strv_push(a, "--tmpfs");
	strv_push(a, "/run");
	if (!root) {
		strv_push(a, "--tmpfs");
		strv_push(a, "/tmp");
		strv_push(a, "--ro-bind-try");
		strv_push(a, "/run/systemd/resolve");
		strv_push(a, "/run/systemd/resolve");
	} else if (s->has_sys) {
		strv_push(a, "--ro-bind");
		strv_push(a, "/sys");
		strv_push(a, "/sys");
	}
	if (!(pt_plan_get_flags(s->plan) & PT_PLAN_PRIVATE_IPC)) {
		strv_push(a, "--bind");
		strv_push(a, "/dev/shm");
		strv_push(a, "/dev/shm");
	}
}

/* The plan's binds, devices and generated files (see build_argv). */
static void push_plan_mounts(struct strv_builder *a, const struct pt_plan *plan, const int *fds,
			     char *const *file_paths)
{
	for (size_t i = 0; i < pt_plan_bind_count(plan); i++) {
		const struct pt_bind *b = pt_plan_bind(plan, i);
		/* bwrap mounts every bind nodev but --dev-bind. */
		strv_push(a, (b->flags & PT_BIND_DEVICE) ? "--dev-bind"
			     : engine_bind_read_only(b)	 ? "--ro-bind"
							 : "--bind");
		strv_push(a, b->source);
		strv_push(a, b->target);
	}
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		const struct pt_device *d = pt_plan_device(plan, i);
		strv_push(a, "--dev-bind");
		strv_push(a, d->path);
		strv_push(a, d->path);
	}
	for (size_t i = 0; i < pt_plan_file_count(plan); i++) {
		const struct pt_file *f = pt_plan_file(plan, i);
		if (fds) {
			strv_push(a, "--perms");
			strv_pushf(a, "%04o", f->mode & 07777);
			strv_push(a, "--ro-bind-data");
			strv_pushf(a, "%d", fds[i]);
		} else {
			strv_push(a, "--ro-bind");
			strv_push(a, file_paths[i]);
		}
		strv_push(a, f->target);
	}
}

/* The argv. Generated file i is --ro-bind-data file_fds[i] when fds is
 * set, else --ro-bind of file_paths[i] (a dry run's copies). info_fd >= 0
 * adds --info-fd. */
static char **build_argv(const struct backend_state *s, const int *fds, char *const *file_paths,
			 int info_fd, struct pt_error *err)
{
	struct strv_builder a = {0};
	strv_push(&a, s->bwrap);
	push_namespaces(&a, s, info_fd);
	push_base_mounts(&a, s);
	push_plan_mounts(&a, s->plan, fds, file_paths);
	strv_push(&a, "--chdir");
	strv_push(&a, s->chdir_home ? s->user.home : "/");
	push_env(&a, s);
	strv_push(&a, "--");
	for (char *const *p = pt_plan_get_command(s->plan); p && *p; p++)
		strv_push(&a, *p);
	char **v = strv_steal(&a);
	if (!v)
		pt_error_set(err, ENOMEM, "bwrap: argv");
	return v;
}

/* A dry run: the generated files as STATE/bwrap-files/<index>-<basename>. */
static int bwrap_command(const struct backend_state *s, char ***ret_argv, struct pt_error *err)
{
	size_t n = pt_plan_file_count(s->plan);
	_cleanup_strv_ char **paths = calloc(n + 1, sizeof(char *));
	_cleanup_free_ char *dir = NULL;
	if (!paths || asprintf(&dir, "%s/bwrap-files", s->state_dir) < 0)
		return pt_error_set(err, ENOMEM, "bwrap");
	if (n > 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return pt_error_set(err, errno, "bwrap: create %s", dir);
	for (size_t i = 0; i < n; i++) {
		const struct pt_file *f = pt_plan_file(s->plan, i);
		const char *base = strrchr(f->target, '/');
		base = base && base[1] ? base + 1 : "file";
		if (asprintf(&paths[i], "%s/%zu-%s", dir, i, base) < 0) {
			paths[i] = NULL;
			return pt_error_set(err, ENOMEM, "bwrap");
		}
		unlink(paths[i]); /* a second dry run of the same launch */
		if (write_file_excl(paths[i], f->data, f->size, f->mode, err) < 0)
			return pt_error_prefix(err, "bwrap: generated file %s", f->target);
	}
	char **argv = build_argv(s, NULL, paths, -1, err);
	if (!argv)
		return -ENOMEM;
	*ret_argv = argv;
	return 0;
}

/* Each generated file as a sealed-size memfd for --ro-bind-data. */
static int make_file_fds(struct backend_state *s, struct pt_error *err)
{
	size_t n = pt_plan_file_count(s->plan);
	if (!(s->file_fds = calloc(n + 1, sizeof(int))))
		return pt_error_set(err, ENOMEM, "bwrap");
	for (size_t i = 0; i < n; i++, s->n_file_fds++) {
		const struct pt_file *f = pt_plan_file(s->plan, i);
		int fd = s->file_fds[i] = memfd_create("passthru-file", MFD_CLOEXEC);
		if (fd < 0)
			return pt_error_set(err, errno, "bwrap: memfd for %s", f->target);
		const char *p = f->data;
		size_t left = f->size;
		while (left > 0) {
			ssize_t w = write(fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return pt_error_set(err, w < 0 ? errno : EIO, "bwrap: memfd for %s",
						    f->target);
			p += w;
			left -= (size_t)w;
		}
		if (lseek(fd, 0, SEEK_SET) < 0)
			return pt_error_set(err, errno, "bwrap: memfd for %s", f->target);
	}
	return 0;
}

/* Reads bwrap's --info-fd until it closes: "child-pid": N. 0 when bwrap
 * ended before telling (it failed, and said why on stderr). */
static pid_t read_info(int fd)
{
	char buf[1024];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	const char *p = strstr(buf, "\"child-pid\"");
	if (!p || !(p = strchr(p, ':')))
		return 0;
	long pid = strtol(p + 1, NULL, 10);
	return pid > 0 && pid < (1L << 30) ? (pid_t)pid : 0;
}

static int bwrap_spawn(struct backend_state *s, pid_t *ret_pid, int *ret_pidfd,
		       struct pt_error *err)
{
	int r = make_file_fds(s, err);
	if (r < 0)
		return r;
	int info[2];
	if (pipe2(info, O_CLOEXEC) < 0)
		return pt_error_set(err, errno, "bwrap: pipe");
	/* bwrap gets stdio, then the memfds as fds 3…, then the info pipe:
	 * the argv names them by those numbers, and nothing else of ours
	 * reaches it. */
	size_t n = s->n_file_fds;
	_cleanup_free_ int *fds = calloc(n + 4, sizeof(int));
	_cleanup_free_ int *numbers = calloc(n + 1, sizeof(int));
	if (!fds || !numbers) {
		close(info[0]);
		close(info[1]);
		return pt_error_set(err, ENOMEM, "bwrap");
	}
	fds[0] = STDIN_FILENO;
	fds[1] = STDOUT_FILENO;
	fds[2] = STDERR_FILENO;
	for (size_t i = 0; i < n; i++) {
		fds[3 + i] = s->file_fds[i];
		numbers[i] = (int)(3 + i);
	}
	fds[3 + n] = info[1];
	_cleanup_strv_ char **argv = build_argv(s, numbers, NULL, (int)(3 + n), err);
	if (!argv) {
		close(info[0]);
		close(info[1]);
		return -ENOMEM;
	}
	struct spawn_params p = {
		.path = s->bwrap,
		.argv = argv,
		.fds = fds,
		.n_fds = (unsigned)(n + 4),
		.die_with_caller = true,
	};
	pid_t pid;
	int pidfd;
	r = pidfd_spawn(&p, &pid, &pidfd, err);
	close(info[1]);
	if (r < 0) {
		close(info[0]);
		return pt_error_prefix(err, "bwrap backend");
	}
	s->init_pid = read_info(info[0]);
	close(info[0]);
	if (s->init_pid == 0) {
		int status = 0;
		pidfd_reap(pidfd, true, &status);
		close(pidfd);
		return pt_error_setx(err, EIO,
				     "bwrap backend: bwrap could not set up the container (exit "
				     "status %d; its message is above)",
				     status);
	}
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}

/* The command is the child of bwrap's init (a reaper that ignores signals
 * from outside): pass the signal to init's children. Before the command
 * exists, the signal goes to bwrap, whose death ends the sandbox. */
static int bwrap_forward(struct backend_state *s, int pidfd, int sig)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)s->init_pid,
		 (int)s->init_pid);
	_cleanup_close_ int fd = s->init_pid ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	int sent = 0;
	if (n > 0) {
		buf[n] = '\0';
		for (char *p = buf, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && kill((pid_t)pid, sig) == 0)
				sent++;
		}
	}
	return sent > 0 ? 0 : pidfd_signal(pidfd, sig);
}

const struct backend backend_bwrap = {
	.id = PT_LAUNCH_BACKEND_BWRAP,
	.name = "bwrap",
	.prepare = bwrap_prepare,
	.command = bwrap_command,
	.spawn = bwrap_spawn,
	.forward = bwrap_forward,
	.cleanup = bwrap_cleanup,
};
