/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "passthru/process.h"
#include "pidfd-spawn.h"
#include "util.h"

extern char **environ;

void pt_argv_free(char **argv) { strv_free(argv); }

/* Characters a POSIX shell leaves alone in an unquoted word. */
static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-+=./,:@%",
			    *p))
			return false;
	/* '=' in a first word would read as an assignment; '~' never appears. */
	return true;
}

char *pt_argv_to_shell(char *const argv[])
{
	struct strbuf b = {0};
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_puts(&b, " ");
		if (shell_safe(argv[i]) && !(i == 0 && strchr(argv[i], '='))) {
			strbuf_puts(&b, argv[i]);
			continue;
		}
		strbuf_puts(&b, "'");
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				strbuf_puts(&b, "'\\''");
			else
				strbuf_append(&b, p, 1);
		}
		strbuf_puts(&b, "'");
	}
	return strbuf_steal(&b);
}

static int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

static int pidfd_send_signal_(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int pt_spawn(char *const argv[], pid_t *ret_pid, int *ret_pidfd, struct pt_error *err)
{
	if (!argv || !argv[0])
		return pt_error_setx(err, EINVAL, "spawn: empty command");

	posix_spawnattr_t attr;
	if (posix_spawnattr_init(&attr) != 0)
		return pt_error_set(err, ENOMEM, "spawn %s", argv[0]);
	sigset_t none, deflt;
	sigemptyset(&none);
	sigemptyset(&deflt);
	int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD};
	for (size_t i = 0; i < ELEMENTSOF(fwd); i++)
		sigaddset(&deflt, fwd[i]);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	int r = spawn_pidfd(argv, NULL, &attr, NULL, ret_pid, ret_pidfd, err);
	posix_spawnattr_destroy(&attr);
	return r;
}

int spawn_pidfd(char *const argv[], const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const env[], pid_t *ret_pid, int *ret_pidfd,
		struct pt_error *err)
{
	pid_t pid;
	int r = posix_spawnp(&pid, argv[0], fa, attr, argv, env ? env : environ);
	if (r != 0)
		return pt_error_set(err, r, "exec %s", argv[0]);

	/* Not reaped yet, so the pid cannot have been reused. */
	int pidfd = pidfd_open_(pid);
	if (pidfd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return pt_error_set(err, e, "pidfd_open %s", argv[0]);
	}
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}

int pt_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pt_supervise(const struct pt_supervise *s, int *ret_status, int *ret_watch,
		 struct pt_error *err)
{
	size_t n = 2 + s->n_watch;
	struct pollfd small[8];
	_cleanup_free_ struct pollfd *big = NULL;
	struct pollfd *pfd = small;
	if (n > ELEMENTSOF(small)) {
		big = calloc(n, sizeof(*big));
		if (!big)
			return pt_error_set(err, ENOMEM, "supervise");
		pfd = big;
	}
	pfd[0] = (struct pollfd){.fd = s->pidfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
	for (size_t i = 0; i < s->n_watch; i++)
		pfd[2 + i] = (struct pollfd){.fd = s->watch_fds[i], .events = POLLIN};

	int watch = -1;
	long long kill_at = -1;
	unsigned grace = s->grace_ms ? s->grace_ms : 5000;

	for (;;) {
		int timeout = -1;
		if (kill_at >= 0) {
			long long left = kill_at - now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		int r = poll(pfd, n, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return pt_error_set(err, errno, "supervise: poll");
		}
		if (r == 0 && kill_at >= 0) {
			pidfd_send_signal_(s->pidfd, SIGKILL);
			kill_at = -1;
			continue;
		}
		if (pfd[0].revents)
			break;
		if (s->sigfd >= 0 && (pfd[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				pidfd_send_signal_(s->pidfd, (int)si.ssi_signo);
		}
		for (size_t i = 0; watch < 0 && i < s->n_watch; i++)
			if (pfd[2 + i].revents) {
				watch = (int)i;
				pidfd_send_signal_(s->pidfd, SIGTERM);
				kill_at = now_ms() + grace;
			}
		/* A fired watch stays readable: stop polling it. */
		if (watch >= 0)
			pfd[2 + watch].fd = -1;
	}

	siginfo_t si = {0};
	for (;;) {
		if (waitid(P_PIDFD, (id_t)s->pidfd, &si, WEXITED) == 0)
			break;
		if (errno != EINTR)
			return pt_error_set(err, errno, "supervise: waitid");
	}
	int status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	if (ret_status)
		*ret_status = status;
	if (ret_watch)
		*ret_watch = watch;
	return 0;
}
