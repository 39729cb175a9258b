/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-init: the container's PID 1 under the nspawn backend. Built
 * static, bound read-only into the container: the container root need not
 * have anything of ours.
 *
 *     passthru-init [--notify-fd] -- COMMAND [ARG...]
 *
 * Why not nspawn's own stub init (--as-pid2): it reports a command killed
 * by a signal as 255, and nspawn itself answers SIGTERM and SIGINT with
 * SIGKILL to the container and dies of SIGHUP, leaving it running. This
 * init runs COMMAND as its child, passes every signal it gets on to it,
 * reaps orphans, and exits with COMMAND's status (128+N for signal N).
 *
 * With --notify-fd it sends datagrams on fd 3, the launcher's socket pair
 * that nspawn passed on as socket activation does (LISTEN_FDS=1 and
 * LISTEN_PID naming us): "started" right before COMMAND is executed (so
 * that the launcher has it before COMMAND can do anything), then "exec
 * ERRNO" if it could not be. The launcher learns from it that nspawn's
 * part succeeded, and, from the datagram's credentials, this process's pid
 * in its own namespace, to send stop signals here rather than to nspawn.
 * COMMAND gets neither the fd nor the variables, cannot trace us (we are
 * not dumpable), and we close the fd once it runs: it cannot speak for us. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOTIFY_FD 3

/* Whether the launcher got msg. Nobody listening (a pasted dry-run
 * command, a socket that was not passed) is no reason not to run. */
static int notify(int fd, const char *msg)
{
	return fd >= 0 && send(fd, msg, strlen(msg), MSG_NOSIGNAL) == (ssize_t)strlen(msg);
}

/* fd 3 when it is a datagram socket (else -1), made close-on-exec. It is
 * told by what it is, not by socket activation's variables, which the
 * container's environment could override; those are dropped either way
 * (the launcher refuses LISTEN_* of its own for the command). */
static int notify_fd(void)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	unsetenv("LISTEN_PIDFDID");
	struct stat st;
	int type = 0;
	socklen_t len = sizeof(type);
	if (fstat(NOTIFY_FD, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(NOTIFY_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_DGRAM ||
	    fcntl(NOTIFY_FD, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return NOTIFY_FD;
}

static int usage(void)
{
	fputs("usage: passthru-init [--notify-fd] -- COMMAND [ARG...]\n", stderr);
	return 127;
}

int main(int argc, char **argv)
{
	/* Not traceable by the command, which runs as our uid under nspawn's
	 * -u (nspawn switches users before it executes us): nothing may
	 * write into our socket on our behalf. The command's exec resets it. */
	prctl(PR_SET_DUMPABLE, 0);
	int sock = -1;
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--notify-fd") == 0)
			sock = notify_fd();
		else
			return usage();
	}
	if (i + 1 >= argc)
		return usage();
	char **cmd = argv + i + 1;

	/* Every signal is read from a signalfd: PID 1 gets no default action,
	 * so only what it handles does anything. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	int errpipe[2], gopipe[2];
	if (sfd < 0 || pipe2(errpipe, O_CLOEXEC) < 0 || pipe2(gopipe, O_CLOEXEC) < 0) {
		perror("passthru-init");
		return 127;
	}

	pid_t child = fork();
	if (child < 0) {
		perror("passthru-init: fork");
		return 127;
	}
	if (child == 0) {
		/* Not before the launcher was told: it must know where to send
		 * signals before COMMAND can say anything. */
		char go;
		close(gopipe[1]);
		while (read(gopipe[0], &go, 1) < 0 && errno == EINTR)
			;
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(cmd[0], cmd);
		int e = errno;
		(void)!write(errpipe[1], &e, sizeof(e));
		_exit(127);
	}
	close(errpipe[1]);
	close(gopipe[0]);
	notify(sock, "started");
	close(gopipe[1]);
	int e = 0;
	ssize_t n;
	do
		n = read(errpipe[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(e)) {
		char msg[32];
		snprintf(msg, sizeof(msg), "exec %d", e);
		/* The launcher says it once; without one, we do. */
		if (!notify(sock, msg))
			fprintf(stderr, "passthru-init: exec %s: %s\n", cmd[0], strerror(e));
		waitpid(child, NULL, 0);
		return e == ENOENT ? 127 : 126;
	}
	/* COMMAND runs: nothing more to say, and no socket left to say it on. */
	if (sock >= 0)
		close(sock);

	for (;;) {
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si)) {
			if (errno == EINTR)
				continue;
			return 127;
		}
		int sig = (int)si.ssi_signo;
		if (sig != SIGCHLD) {
			/* Job control of PID 1 itself makes no sense; the rest is
			 * the command's to handle. */
			if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
				kill(child, sig);
			continue;
		}
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			if (p == child)
				return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}
