/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidfd.h"
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
