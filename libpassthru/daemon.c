/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include "daemon.h"
#include "pidfd-spawn.h"
#include "pidfd.h"
#include "util.h"

int daemon_spawn(char *const argv[], char *const env[], int log_fd, const struct daemon_fd *fds,
		 size_t n_fds, pid_t *ret_pid, int *ret_pidfd, struct pt_error *err)
{
	/* Every source is first moved above every target, so that no dup2
	 * overwrites another one's source. */
	int top = 2;
	for (size_t i = 0; i < n_fds; i++)
		if (fds[i].target > top)
			top = fds[i].target;
	_cleanup_free_ int *hi = calloc(n_fds + 1, sizeof(int));
	if (!hi)
		return pt_error_set(err, ENOMEM, "start %s", argv[0]);
	int r = 0;
	for (size_t i = 0; i <= n_fds; i++)
		hi[i] = -1;
	for (size_t i = 0; i < n_fds && r == 0; i++)
		if ((hi[i] = fcntl(fds[i].fd, F_DUPFD_CLOEXEC, top + 1)) < 0)
			r = pt_error_set(err, errno, "start %s: dup", argv[0]);
	if (r == 0 && log_fd >= 0 && (hi[n_fds] = fcntl(log_fd, F_DUPFD_CLOEXEC, top + 1)) < 0)
		r = pt_error_set(err, errno, "start %s: dup", argv[0]);

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	bool have_fa = false, have_attr = false;
	if (r == 0 && !(have_fa = posix_spawn_file_actions_init(&fa) == 0))
		r = pt_error_set(err, ENOMEM, "start %s", argv[0]);
	if (r == 0 && !(have_attr = posix_spawnattr_init(&attr) == 0))
		r = pt_error_set(err, ENOMEM, "start %s", argv[0]);
	if (r == 0) {
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		if (log_fd >= 0) {
			posix_spawn_file_actions_adddup2(&fa, hi[n_fds], 1);
			posix_spawn_file_actions_adddup2(&fa, hi[n_fds], 2);
		} else {
			posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
			posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		}
		for (size_t i = 0; i < n_fds; i++)
			posix_spawn_file_actions_adddup2(&fa, hi[i], fds[i].target);

		sigset_t none, deflt;
		sigemptyset(&none);
		sigemptyset(&deflt);
		int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2};
		for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
			sigaddset(&deflt, sigs[i]);
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setsigdefault(&attr, &deflt);
		posix_spawnattr_setpgroup(&attr, 0);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						    POSIX_SPAWN_SETPGROUP);
		r = spawn_pidfd(argv, &fa, &attr, env, ret_pid, ret_pidfd, err);
	}
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (have_attr)
		posix_spawnattr_destroy(&attr);
	for (size_t i = 0; i <= n_fds; i++)
		if (hi[i] >= 0)
			close(hi[i]);
	return r;
}

char *daemon_last_words(const char *log_file)
{
	_cleanup_close_ int fd = open(log_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > 4096 ? size - 4096 : 0;
	if (size < 0 || lseek(fd, from, SEEK_SET) < 0)
		return NULL;
	_cleanup_free_ char *buf = NULL;
	if (read_fd_max(fd, 4096, &buf, NULL) < 0)
		return NULL;
	const char *last = NULL;
	size_t last_len = 0;
	for (const char *p = buf; *p;) {
		const char *e = strchrnul(p, '\n');
		size_t n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\r' || p[n - 1] == '\t'))
			n--;
		if (n) {
			last = p;
			last_len = n;
		}
		p = *e ? e + 1 : e;
	}
	return last ? strndup(last, last_len > 300 ? 300 : last_len) : NULL;
}

void daemon_stop(int pidfd, unsigned grace_ms, int *ret_status)
{
	int st = -1;
	if (pidfd < 0)
		return;
	if (pidfd_reap(pidfd, false, &st) == -EAGAIN) {
		pidfd_signal(pidfd, SIGTERM);
		if (!pidfd_wait_exit(pidfd, (int)grace_ms))
			pidfd_signal(pidfd, SIGKILL);
		pidfd_reap(pidfd, true, &st);
	}
	if (ret_status)
		*ret_status = st;
}
