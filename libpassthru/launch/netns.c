/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User-mode networking for a container's own network namespace. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "daemon.h"
#include "netns.h"
#include "pidfd.h"
#include "util.h"

#define READY_FD	 3
#define EXIT_FD		 4
#define NETNS_FD	 5
#define READY_TIMEOUT_MS 10000

struct usernet {
	pid_t pid;
	int pidfd;
	int exit_w;  /* slirp4netns exits when this closes: also when we crash */
	int ready_r; /* -1 once it said it is ready */
	char *log_file;
};

bool usernet_available(const char **ret_why)
{
	_cleanup_free_ char *p = NULL;
	if (find_program("slirp4netns", &p) < 0) {
		*ret_why = "slirp4netns is not installed (Debian: slirp4netns)";
		return false;
	}
	struct stat st;
	if (stat("/dev/net/tun", &st) < 0 || !S_ISCHR(st.st_mode)) {
		*ret_why = "/dev/net/tun is missing";
		return false;
	}
	/* The namespace is made before the container, so that its network is
	 * up before the command runs: that takes CAP_SYS_ADMIN where the
	 * launcher is. Without root the native backend makes the command's
	 * network namespace inside user namespaces of its own, out of our
	 * reach until the command already runs. */
	if (geteuid() != 0) {
		*ret_why = "user-mode networking needs root";
		return false;
	}
	return true;
}

int usernet_make_netns(int *ret_fd, struct pt_error *err)
{
	/* unshare() and setns() act on the calling thread only: it leaves for
	 * a fresh namespace, keeps an fd for it (which keeps it alive) and
	 * comes back. */
	_cleanup_close_ int old = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0)
		return pt_error_set(err, errno, "network namespace: open ours");
	if (unshare(CLONE_NEWNET) < 0)
		return pt_error_set(err, errno, "network namespace: unshare");
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int e = errno;
	if (setns(old, CLONE_NEWNET) < 0)
		/* Cannot happen to root coming back to where it was; say so loudly. */
		return pt_error_set(err, errno, "network namespace: return to ours");
	if (fd < 0)
		return pt_error_set(err, e, "network namespace: open the new one");
	*ret_fd = fd;
	return 0;
}

static int wait_ready(int ready_r, int pidfd, struct pt_error *err)
{
	struct pollfd p[2] = {{.fd = ready_r, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	long long deadline = now_ms() + READY_TIMEOUT_MS;
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return pt_error_setx(
			    err, ETIMEDOUT,
			    "slirp4netns did not configure the network within %d ms",
			    READY_TIMEOUT_MS);
		int r = poll(p, 2, (int)left);
		if (r < 0 && errno != EINTR)
			return pt_error_set(err, errno, "slirp4netns: poll");
		if (r <= 0)
			continue;
		if (p[0].revents) {
			char c;
			ssize_t n = read(ready_r, &c, 1);
			if (n == 1)
				return 0;
			if (n < 0 && errno == EINTR)
				continue;
			return pt_error_setx(err, ECHILD,
					     "slirp4netns exited before the network was up");
		}
		if (p[1].revents)
			return pt_error_setx(err, ECHILD,
					     "slirp4netns exited before the network was up");
	}
}

int usernet_spawn(int netns_fd, const char *log_file, struct usernet **ret, struct pt_error *err)
{
	_cleanup_free_ char *prog = NULL;
	if (find_program("slirp4netns", &prog) < 0)
		return pt_error_setx(err, ENOENT,
				     "slirp4netns is not installed (Debian: slirp4netns)");
	char ready[16], exitfd[16], target[64];
	snprintf(ready, sizeof(ready), "--ready-fd=%d", READY_FD);
	snprintf(exitfd, sizeof(exitfd), "--exit-fd=%d", EXIT_FD);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", NETNS_FD);
	/* --configure: 10.0.2.100/24, default route via 10.0.2.2, lo up.
	 * Host loopback stays allowed: 10.0.2.2 is where the container finds
	 * the host's local services. The MTU is slirp4netns's fastest. */
	char *argv[16];
	size_t n = 0;
	argv[n++] = prog;
	argv[n++] = (char *)"--configure";
	argv[n++] = (char *)"--mtu=65520";
	/* It parses the container's packets: as root, confine it (its own
	 * mount namespace without the host's files, no capabilities but
	 * binding low ports). Not --enable-seccomp, which slirp4netns itself
	 * calls experimental. */
	argv[n++] = (char *)"--enable-sandbox";
	argv[n++] = ready;
	argv[n++] = exitfd;
	argv[n++] = (char *)"--netns-type=path";
	argv[n++] = target;
	argv[n++] = (char *)"tap0";
	argv[n] = NULL;

	int rp[2], ep[2];
	if (pipe2(rp, O_CLOEXEC) < 0)
		return pt_error_set(err, errno, "slirp4netns: pipe");
	if (pipe2(ep, O_CLOEXEC) < 0) {
		int r = pt_error_set(err, errno, "slirp4netns: pipe");
		close(rp[0]);
		close(rp[1]);
		return r;
	}
	_cleanup_close_ int ready_r = rp[0], ready_w = rp[1], exit_r = ep[0], exit_w = ep[1];
	_cleanup_close_ int log_fd =
	    open(log_file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (log_fd < 0)
		return pt_error_set(err, errno, "slirp4netns: create %s", log_file);
	struct daemon_fd fds[3] = {{ready_w, READY_FD}, {exit_r, EXIT_FD}, {netns_fd, NETNS_FD}};
	struct usernet *u = calloc(1, sizeof(*u));
	if (!u)
		return pt_error_set(err, ENOMEM, "slirp4netns");
	u->pidfd = u->exit_w = u->ready_r = -1;
	/* Nothing of the caller's environment: it needs none, and a
	 * preloaded library (LD_PRELOAD) has no business in a helper that
	 * reads the container's packets as root. */
	static char *const env[] = {(char *)"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
	int r = daemon_spawn(argv, env, log_fd, fds, 3, &u->pid, &u->pidfd, err);
	if (r < 0) {
		free(u);
		return r;
	}
	closep(&ready_w);
	u->exit_w = steal_fd(&exit_w);
	u->ready_r = steal_fd(&ready_r);
	if (!(u->log_file = strdup(log_file))) {
		usernet_free(u);
		return pt_error_set(err, ENOMEM, "slirp4netns");
	}
	*ret = u;
	return 0;
}

int usernet_wait(struct usernet *u, struct pt_error *err)
{
	if (u->ready_r < 0)
		return 0;
	int r = wait_ready(u->ready_r, u->pidfd, err);
	closep(&u->ready_r);
	u->ready_r = -1;
	if (r < 0) {
		_cleanup_free_ char *words = daemon_last_words(u->log_file);
		if (words && err) {
			size_t len = strlen(err->message);
			snprintf(err->message + len, sizeof(err->message) - len, ": %s", words);
		}
	}
	return r;
}

int usernet_pidfd(const struct usernet *u)
{
	return u->pidfd;
}

void usernet_free(struct usernet *u)
{
	if (!u)
		return;
	daemon_stop(u->pidfd, 1000, NULL);
	if (u->pidfd >= 0)
		close(u->pidfd);
	if (u->exit_w >= 0)
		close(u->exit_w);
	if (u->ready_r >= 0)
		close(u->ready_r);
	free(u->log_file);
	free(u);
}
