/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nspawn backend: the plan as a systemd-nspawn command line. nspawn
 * reads generated files from the host, so they are written into the
 * launch's state directory and bound from there read-only. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "nspawn.h"
#include "passthru/process.h"
#include "pidfd.h"
#include "strv.h"
#include "util.h"

bool nspawn_need_keep_unit(void)
{
	/* sd_booted()'s test: systemd creates this directory when it is init.
	 * Without it nspawn cannot register with machined nor make a scope. */
	struct stat st;
	return lstat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode);
}

void nspawn_put_escaped(struct strbuf *b, const char *path)
{
	for (const char *p = path; *p; p++) {
		if (*p == ':' || *p == '\\')
			strbuf_append(b, "\\", 1);
		strbuf_append(b, p, 1);
	}
}

static char *bind_arg(const char *opt, const char *src, const char *dst)
{
	struct strbuf b = {0};
	strbuf_puts(&b, opt);
	nspawn_put_escaped(&b, src);
	if (!streq(src, dst)) {
		strbuf_puts(&b, ":");
		nspawn_put_escaped(&b, dst);
	}
	return strbuf_steal(&b);
}

int nspawn_argv(const struct pt_plan *plan, unsigned flags, char *const *file_paths,
		const struct nspawn_init *init, char ***ret_argv, struct pt_error *err)
{
	const char *root = pt_plan_get_root(plan);
	char *const *cmd = pt_plan_get_command(plan);
	if (!root)
		return pt_error_setx(err, EINVAL, "nspawn: the plan has no root directory");
	if (!cmd)
		return pt_error_setx(err, EINVAL, "nspawn: the plan has no command");
	for (size_t i = 0; i < pt_plan_file_count(plan); i++)
		if (!file_paths || !file_paths[i])
			return pt_error_setx(err, EINVAL,
					     "nspawn: generated file %s was not written out",
					     pt_plan_file(plan, i)->target);

	struct strv_builder a = {0};
	strv_push(&a, "systemd-nspawn");
	strv_push(&a, "--quiet");
	if (flags & NSPAWN_KEEP_UNIT) {
		strv_push(&a, "--register=no");
		strv_push(&a, "--keep-unit");
	}
	if (flags & NSPAWN_PIPE)
		strv_push(&a, "--console=pipe");
	if (!init)
		strv_push(&a, "--as-pid2");
	strv_push(&a, "-D");
	strv_push(&a, root);
	if (pt_plan_get_user(plan)) {
		strv_push(&a, "-u");
		strv_push(&a, pt_plan_get_user(plan));
	}
	if (pt_plan_get_flags(plan) & PT_PLAN_PRIVATE_NETWORK)
		strv_push(&a, "--private-network");

	for (size_t i = 0; i < pt_plan_bind_count(plan); i++) {
		const struct pt_bind *b = pt_plan_bind(plan, i);
		/* A read-only bind of a device node would only allow reading it. */
		bool ro = (b->flags & PT_BIND_RO) && !(b->flags & PT_BIND_DEVICE);
		strv_push_owned(&a, bind_arg(ro ? "--bind-ro=" : "--bind=", b->source, b->target));
	}
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		const struct pt_device *d = pt_plan_device(plan, i);
		strv_push_owned(&a, bind_arg("--bind=", d->path, d->path));
	}
	for (size_t i = 0; i < pt_plan_file_count(plan); i++) {
		const struct pt_file *f = pt_plan_file(plan, i);
		/* The host copy is this launch's own (plan.h: owner-writable
		 * files may be opened read-write). */
		strv_push_owned(&a, bind_arg(f->mode & 0200 ? "--bind=" : "--bind-ro=", file_paths[i],
					f->target));
	}
	for (size_t i = 0; i < pt_plan_env_count(plan); i++) {
		const struct pt_env *e = pt_plan_env(plan, i);
		strv_pushf(&a, "--setenv=%s=%s", e->name, e->value);
	}
	if (init)
		strv_push_owned(&a, bind_arg("--bind-ro=", init->init, NSPAWN_INIT));
	strv_push(&a, "--");
	if (init) {
		strv_push(&a, NSPAWN_INIT);
		if (init->notify)
			strv_push(&a, "--notify-fd");
		strv_push(&a, "--");
	}
	for (char *const *p = cmd; *p; p++)
		strv_push(&a, *p);

	char **v = strv_steal(&a);
	if (!v) {
		return pt_error_set(err, ENOMEM, "nspawn: argv");
	}
	*ret_argv = v;
	return 0;
}

/* ---- the root ----------------------------------------------------------- */

/* ---- the backend -------------------------------------------------------- */

struct backend_state {
	const struct pt_plan *plan;
	char **files; /* host copies of the plan's generated files, in plan order */
	size_t n_files;
	char *init;	/* passthru-init on the host */
	char *nspawn;	/* systemd-nspawn on the host, as the launch found it */
	int sockfd;	/* our end of the notify socket pair */
	int peer_fd;	/* our init's end, passed on as NSPAWN_NOTIFY_FD */
	unsigned flags; /* NSPAWN_* */
	char **argv;

	pid_t pid;	/* systemd-nspawn, PID 1 of a PID namespace of ours */
	pid_t init_pid; /* passthru-init, once it said "started" */
	int init_pidfd;
	int netns_fd;	/* the user-mode network's namespace (the launch's), or -1 */
	bool started;
	int exec_errno;  /* the command could not be executed */
	int early_stop;  /* a stop signal that came before the command started */
};

static void nspawn_cleanup(struct backend_state *s, bool keep)
{
	if (!s)
		return;
	for (size_t i = 0; !keep && i < s->n_files; i++)
		if (s->files[i])
			unlink(s->files[i]);
	if (s->sockfd >= 0)
		close(s->sockfd);
	if (s->peer_fd >= 0)
		close(s->peer_fd);
	if (s->init_pidfd >= 0)
		close(s->init_pidfd);
	strv_free(s->files);
	strv_free(s->argv);
	free(s->init);
	free(s->nspawn);
	free(s);
}

/* Each generated file becomes STATE/<index>-<basename>: the index keeps
 * names unique, the basename helps a human reading the directory. */
static int write_files(struct backend_state *s, const struct backend_env *env,
		       struct pt_error *err)
{
	size_t n = pt_plan_file_count(s->plan);
	if (!(s->files = calloc(n + 1, sizeof(char *))))
		return pt_error_set(err, ENOMEM, "nspawn: generated files");
	for (size_t i = 0; i < n; i++, s->n_files++) {
		const struct pt_file *f = pt_plan_file(s->plan, i);
		const char *base = strrchr(f->target, '/');
		base = base && base[1] ? base + 1 : "file";
		if (asprintf(&s->files[i], "%s/%zu-%s", env->state_dir, i, base) < 0) {
			s->files[i] = NULL;
			return pt_error_set(err, ENOMEM, "nspawn: generated file %s", f->target);
		}
		int r = write_file_excl(s->files[i], f->data, f->size, f->mode, err);
		if (r < 0) {
			free(s->files[i]);
			s->files[i] = NULL;
			return pt_error_prefix(err, "nspawn: generated file %s", f->target);
		}
	}
	return 0;
}

/* The user-mode network's namespace, made (and configured) before nspawn
 * runs. nspawn runs in a PID namespace of ours with a fresh /proc, so it
 * finds the namespace as an fd it inherits (NETNS_FD, see nspawn_spawn),
 * after the one it passes on to our init. */
#define NETNS_FD (NSPAWN_NOTIFY_FD + 1)
static int add_netns(struct backend_state *s, int netns_fd, struct pt_error *err)
{
	size_t n = 0;
	while (s->argv[n])
		n++;
	char **v = realloc(s->argv, (n + 2) * sizeof(char *));
	if (!v)
		return pt_error_set(err, ENOMEM, "nspawn: argv");
	s->argv = v;
	char *arg = NULL;
	if (asprintf(&arg, "--network-namespace-path=/proc/self/fd/%d", NETNS_FD) < 0)
		return pt_error_set(err, ENOMEM, "nspawn: argv");
	memmove(v + 2, v + 1, n * sizeof(char *)); /* after argv[0], NULL included */
	v[1] = arg;
	s->netns_fd = netns_fd;
	return 0;
}

/* The socket pair our init reports to. Datagrams carry the sender's
 * credentials (SO_PASSCRED): its pid, translated into our namespace. */
static int make_socket(struct backend_state *s, struct pt_error *err)
{
	int sv[2], one = 1;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return pt_error_set(err, errno, "nspawn: notify socket");
	/* Above stdio: a caller that closed one of 0-2 would otherwise hand
	 * our end to the container as its stdin or stdout. */
	s->sockfd = fd_above_stdio(sv[0]);
	s->peer_fd = fd_above_stdio(sv[1]);
	if (s->sockfd < 0 || s->peer_fd < 0)
		return pt_error_set(err, errno, "nspawn: notify socket");
	if (setsockopt(s->sockfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return pt_error_set(err, errno, "nspawn: notify socket");
	return 0;
}

static int nspawn_prepare(const struct pt_plan *plan, const struct backend_env *env,
			  struct backend_state **ret, struct pt_error *err)
{
	int r = engine_check_root(pt_plan_get_root(plan), err);
	if (r < 0)
		return pt_error_prefix(err, "nspawn backend");
	/* nspawn's --setenv would override what tells our init its socket. */
	for (size_t i = 0; i < pt_plan_env_count(plan); i++)
		if (startswith(pt_plan_env(plan, i)->name, "LISTEN_"))
			return pt_error_setx(err, EINVAL,
					     "nspawn backend: %s is reserved (nspawn passes our "
					     "init its socket with socket activation's variables)",
					     pt_plan_env(plan, i)->name);
	struct backend_state *s = calloc(1, sizeof(*s));
	if (!s)
		return pt_error_set(err, ENOMEM, "nspawn");
	s->plan = plan;
	s->sockfd = s->peer_fd = s->init_pidfd = s->netns_fd = -1;
	s->flags = nspawn_need_keep_unit() ? NSPAWN_KEEP_UNIT : 0;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (env->console == PT_LAUNCH_CONSOLE_PIPE ||
	    (env->console == PT_LAUNCH_CONSOLE_AUTO && !tty))
		s->flags |= NSPAWN_PIPE;
	if (!(s->init = strdup(env->init)) || !(s->nspawn = strdup(env->nspawn)))
		r = pt_error_set(err, ENOMEM, "nspawn");
	if (r == 0)
		r = write_files(s, env, err);
	if (r == 0)
		r = make_socket(s, err);
	if (r == 0) {
		struct nspawn_init init = {s->init, true};
		r = nspawn_argv(plan, s->flags, s->files, &init, &s->argv, err);
	}
	if (r == 0 && env->netns_fd >= 0)
		r = add_netns(s, env->netns_fd, err);
	if (r < 0) {
		nspawn_cleanup(s, false);
		return r;
	}
	*ret = s;
	return 0;
}

/* The command a user can paste: our init without the notify socket,
 * which nobody would listen to. */
static int nspawn_command(const struct backend_state *s, char ***ret_argv, struct pt_error *err)
{
	struct nspawn_init init = {s->init, false};
	return nspawn_argv(s->plan, s->flags, s->files, &init, ret_argv, err);
}

/* Our environment for nspawn, with socket activation's variables saying
 * that fd 3 is for its payload (nspawn passes it on, as fd 3, to our
 * init); any LISTEN_* of our own caller's is dropped. */
static char **nspawn_env(void)
{
	struct strv_builder b = {0};
	for (char **e = environ; *e; e++)
		if (!startswith(*e, "LISTEN_"))
			strv_push(&b, *e);
	strv_push(&b, "LISTEN_FDS=1");
	strv_push(&b, "LISTEN_PID=1"); /* nspawn is PID 1 of its namespace */
	return strv_steal(&b);
}

/* nspawn runs as PID 1 of a PID namespace of ours, dying with us: when it
 * dies, however (SIGKILL of the launcher included), the kernel kills the
 * whole container with it. nspawn alone would leave it running. */
static int nspawn_spawn(struct backend_state *s, pid_t *ret_pid, int *ret_pidfd,
			struct pt_error *err)
{
	_cleanup_strv_ char **envp = nspawn_env();
	if (!envp)
		return pt_error_set(err, ENOMEM, "nspawn backend: environment");
	const int fds[] = {0, 1, 2, s->peer_fd, s->netns_fd};
	/* nspawn keeps a per-machine directory there for `machinectl bind` and
	 * refuses, loudly, to remove it where /run is no tmpfs (containers,
	 * CI). In our mount namespace it gets a tmpfs of its own; the lock
	 * directory beside it stays shared, so a busy root is still noticed. */
	static const char *const tmpfs[] = {"/run/systemd/nspawn/propagate", NULL};
	struct spawn_params p = {
		.path = s->nspawn,
		.argv = s->argv,
		.envp = envp,
		.fds = fds,
		.n_fds = s->netns_fd >= 0 ? 5 : 4,
		.die_with_caller = true,
		.new_pidns = true,
		.tmpfs = tmpfs,
	};
	int r = pidfd_spawn(&p, ret_pid, ret_pidfd, err);
	if (r < 0)
		return pt_error_prefix(err, "nspawn backend");
	/* The other end is our init's alone from here on. */
	close(s->peer_fd);
	s->peer_fd = -1;
	s->pid = *ret_pid;
	return 0;
}

/* Reads what our init said so far. */
static void read_notes(struct backend_state *s)
{
	for (;;) {
		char buf[64];
		union {
			struct cmsghdr h;
			char space[CMSG_SPACE(sizeof(struct ucred))];
		} cm;
		struct iovec iov = {buf, sizeof(buf) - 1};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cm,
				   .msg_controllen = sizeof(cm)};
		ssize_t n = recvmsg(s->sockfd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0)
			return;
		buf[n] = '\0';
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		struct ucred cred = {0};
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		/* "started" comes before the command runs, so a stop signal
		 * that follows anything the command did finds our init. Only
		 * our init says anything, "exec" at most once after it. */
		if (streq(buf, "started") && !s->started && cred.pid > 0) {
			s->started = true;
			s->init_pid = cred.pid;
			s->init_pidfd = pidfd_open_(cred.pid);
		} else if (startswith(buf, "exec ") && s->started && cred.pid == s->init_pid &&
			   !s->exec_errno) {
			s->exec_errno = atoi(buf + 5);
		}
	}
}

/* Signals go to our init, which passes them to the command: nspawn would
 * answer SIGTERM and SIGINT by killing the container outright, and die of
 * SIGHUP. Before the command started there is nothing to be polite to. */
static int nspawn_forward(struct backend_state *s, int pidfd, int sig)
{
	read_notes(s);
	if (s->init_pidfd >= 0)
		return pidfd_signal(s->init_pidfd, sig);
	if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
		if (!s->early_stop)
			s->early_stop = sig;
		return pidfd_signal(pidfd, SIGKILL);
	}
	return 0;
}

/* nspawn's own failures (an unknown user, a busy root …) end it before
 * our init ran: that is a setup failure, whatever nspawn's status. */
static int nspawn_finish(struct backend_state *s, int *status, struct pt_error *err)
{
	read_notes(s);
	char *const *cmd = pt_plan_get_command(s->plan);
	if (s->exec_errno > 0)
		return pt_error_set(err, s->exec_errno, "exec %s", cmd[0]);
	if (s->started)
		return 0;
	if (s->early_stop) {
		*status = 128 + s->early_stop;
		return 0;
	}
	return pt_error_setx(err, EIO,
			     "systemd-nspawn could not start the container (exit status %d; "
			     "it said why above)",
			     *status);
}

const struct backend backend_nspawn = {
	.id = PT_LAUNCH_BACKEND_NSPAWN,
	.name = "nspawn",
	.state_for_files = true,
	.prepare = nspawn_prepare,
	.command = nspawn_command,
	.spawn = nspawn_spawn,
	.forward = nspawn_forward,
	.finish = nspawn_finish,
	.cleanup = nspawn_cleanup,
};
