/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>

#include "daemon.h"
#include "pidfd.h"
#include "util.h"

int daemon_spawn(char *const argv[], char *const env[], int log_fd, const struct daemon_fd *fds,
		 size_t n_fds, pid_t *ret_pid, int *ret_pidfd, struct pt_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (find_program(argv[0], &path) < 0)
		return pt_error_setx(err, ENOENT, "start %s: not found", argv[0]);
	int map[16];
	unsigned n = 3;
	map[0] = -1; /* /dev/null */
	map[1] = map[2] = log_fd;
	for (size_t i = 0; i < n_fds; i++) {
		if (fds[i].target < 3 || fds[i].target >= (int)ELEMENTSOF(map))
			return pt_error_setx(err, EINVAL, "start %s: fd %d", argv[0], fds[i].target);
		while (n <= (unsigned)fds[i].target)
			map[n++] = -1;
		map[fds[i].target] = fds[i].fd;
	}
	struct spawn_params p = {
		.path = path,
		.argv = argv,
		.envp = env,
		.fds = map,
		.n_fds = n,
		.own_pgrp = true,
		/* Nothing may outlive a launcher that was killed. */
		.die_with_caller = true,
	};
	return pidfd_spawn(&p, ret_pid, ret_pidfd, err);
}

char *daemon_log_tail(const char *log_file, size_t max)
{
	_cleanup_close_ int fd = open(log_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)max ? size - (off_t)max : 0;
	if (size < 0 || lseek(fd, from, SEEK_SET) < 0)
		return NULL;
	char *buf = NULL;
	return read_fd_max(fd, max, &buf, NULL) < 0 ? NULL : buf;
}

char *daemon_last_words(const char *log_file)
{
	_cleanup_free_ char *buf = daemon_log_tail(log_file, 4096);
	if (!buf)
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
