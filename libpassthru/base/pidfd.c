/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidfd.h"
#include <pthread.h>
#include <stdint.h>
#include "util.h"

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int pidfd_signal(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}

int pidfd_reap(int pidfd, bool block, int *ret_status)
{
	siginfo_t si = {0};
	for (;;) {
		if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | (block ? 0 : WNOHANG)) == 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	if (si.si_pid == 0)
		return -EAGAIN; /* WNOHANG, still running */
	if (ret_status)
		*ret_status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	return 0;
}

bool pidfd_wait_exit(int pidfd, int timeout_ms)
{
	long long end = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		int left = -1;
		if (end >= 0) {
			long long l = end - now_ms();
			left = l > 0 ? (int)l : 0;
		}
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int r = poll(&p, 1, left);
		if (r > 0)
			return true;
		if (r == 0 || (r < 0 && errno != EINTR))
			return false;
	}
}

int find_program(const char *program, char **ret)
{
	if (strchr(program, '/')) {
		if (access(program, X_OK) < 0)
			return -errno;
		char *s = strdup(program);
		if (!s)
			return -ENOMEM;
		*ret = s;
		return 0;
	}
	const char *path = secure_getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		const char *e = strchrnul(p, ':');
		_cleanup_free_ char *full = NULL;
		if (e > p && asprintf(&full, "%.*s/%s", (int)(e - p), p, program) < 0)
			return -ENOMEM;
		if (full && access(full, X_OK) == 0) {
			*ret = steal_pointer(&full);
			return 0;
		}
		p = *e ? e + 1 : e;
	}
	return -ENOENT;
}

pid_t clone_pidfd(unsigned long long flags, int *ret_pidfd)
{
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (unsigned long long)(uintptr_t)ret_pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	/* Container runtimes' seccomp profiles answer clone3 with ENOSYS so
	 * that libcs fall back to clone, which has CLONE_PIDFD too; the pidfd
	 * goes to parent_tid, the third argument except on s390. */
#if !defined(__s390__)
	if (pid < 0 && errno == ENOSYS)
		pid = (pid_t)syscall(SYS_clone, (unsigned long)(flags | CLONE_PIDFD | SIGCHLD), NULL,
				     ret_pidfd, NULL, NULL);
#endif
	return pid;
}

extern char **environ;

/* In the child: only async-signal-safe calls until the exec. */
static _Noreturn void spawn_child(const struct spawn_params *p, pid_t parent, int errfd,
				  const sigset_t *empty)
{
	int e = 0;
	if (p->die_with_caller && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		e = errno;
		goto fail;
	}
	/* The parent may have died before the line above: then nobody would
	 * send the signal. In a new PID namespace getppid() is 0 by design. */
	if (p->die_with_caller && !p->new_pidns && getppid() != parent)
		_exit(127);
	if (p->new_pidns) {
		/* The helper must see its own PID namespace in /proc (nspawn
		 * reads /proc/self); host mounts still propagate in. */
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
			e = errno;
			goto fail;
		}
		for (const char *const *t = p->tmpfs; t && *t; t++)
			mount("tmpfs", *t, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755");
	}
	if (p->own_pgrp && setpgid(0, 0) < 0) {
		e = errno;
		goto fail;
	}
	/* Sources are moved above every target first, so that no dup2()
	 * overwrites a source another target still needs. */
	int high[16];
	unsigned n = p->n_fds < 16 ? p->n_fds : 16;
	for (unsigned i = 0; i < n; i++) {
		int src = p->fds[i] >= 0 ? p->fds[i] : open("/dev/null", O_RDWR | O_CLOEXEC);
		high[i] = src < 0 ? -1 : fcntl(src, F_DUPFD_CLOEXEC, 16);
		if (high[i] < 0) {
			e = errno;
			goto fail;
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (dup2(high[i], (int)i) < 0) {
			e = errno;
			goto fail;
		}
	/* Nothing of the caller's but what was asked for: errfd is CLOEXEC
	 * and must survive until the exec, so close around it. */
	int first = n > 3 ? (int)n : 3;
	syscall(SYS_close_range, (unsigned)first, (unsigned)errfd - 1, 0);
	syscall(SYS_close_range, (unsigned)errfd + 1, ~0U, 0);

	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, empty, NULL);
	execve(p->path, p->argv, p->envp ? p->envp : environ);
	e = errno;
fail:
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

int pidfd_spawn(const struct spawn_params *p, pid_t *ret_pid, int *ret_pidfd, struct pt_error *err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return pt_error_set(err, errno, "exec %s", p->argv[0]);
	/* Above every fd the child is given, so no dup2() there hits it. */
	int hi = fcntl(pipefd[1], F_DUPFD_CLOEXEC, 16);
	close(pipefd[1]);
	if (hi < 0) {
		close(pipefd[0]);
		return pt_error_set(err, errno, "exec %s", p->argv[0]);
	}
	pipefd[1] = hi;
	/* No handler of the caller's may run in the child before it resets
	 * them; the mask is restored on both sides. */
	sigset_t all, old, empty;
	sigfillset(&all);
	sigemptyset(&empty);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t parent = getpid();
	int pidfd = -1;
	unsigned long long flags = p->new_pidns ? CLONE_NEWPID | CLONE_NEWNS : 0;
	pid_t pid = clone_pidfd(flags, &pidfd);
	if (pid == 0) {
		close(pipefd[0]);
		spawn_child(p, parent, pipefd[1], &empty);
	}
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return pt_error_set(err, e, "start %s", p->argv[0]);
	}
	int child_errno = 0;
	ssize_t n;
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		pidfd_reap(pidfd, true, NULL);
		close(pidfd);
		return pt_error_set(err, child_errno ? child_errno : EIO, "exec %s", p->argv[0]);
	}
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}
