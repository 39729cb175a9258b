/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Spawning and supervising: exit statuses, signal forwarding, and the
 * watch fds that stop a container whose display died. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "supervise.h"
#include "testutil.h"

static int run(char *const argv[], int *ret_status)
{
	struct pt_error err = {0};
	pid_t pid;
	int pidfd;
	int r = pt_spawn(argv, &pid, &pidfd, &err);
	if (r < 0)
		return r;
	struct supervise s = {.pidfd = pidfd, .sigfd = -1};
	r = supervise_run(&s, &err);
	*ret_status = s.status;
	cr_assert_eq(s.watch, -1, "no watch fired");
	close(pidfd);
	return r;
}

Test(process, exit_status_and_signal)
{
	int st = -1;
	char *ok[] = {"sh", "-c", "exit 7", NULL};
	cr_assert_eq(run(ok, &st), 0);
	cr_assert_eq(st, 7);
	char *sig[] = {"sh", "-c", "kill -TERM $$", NULL};
	cr_assert_eq(run(sig, &st), 0);
	cr_assert_eq(st, 128 + SIGTERM);
}

Test(process, missing_program_is_named)
{
	struct pt_error err = {0};
	char *argv[] = {"no-such-program-xyz", NULL};
	pid_t pid;
	int pidfd;
	cr_assert_eq(pt_spawn(argv, &pid, &pidfd, &err), -ENOENT);
	cr_assert_str_eq(err.message, "exec no-such-program-xyz: No such file or directory");
}

Test(process, signals_are_forwarded)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	cr_assert(sigfd >= 0);

	struct pt_error err = {0};
	/* The child must see SIGUSR1 even though the parent blocks it. */
	char *argv[] = {"sh", "-c", "trap 'exit 42' USR1; while :; do sleep 0.05; done", NULL};
	pid_t pid;
	int pidfd;
	cr_assert_eq(pt_spawn(argv, &pid, &pidfd, &err), 0);
	usleep(200000);
	kill(getpid(), SIGUSR1);
	struct supervise s = {.pidfd = pidfd, .sigfd = sigfd};
	cr_assert_eq(supervise_run(&s, &err), 0);
	cr_assert_eq(s.status, 42);
	cr_assert_eq(s.stop_sig, 0, "SIGUSR1 is passed on, not a stop request");
	close(pidfd);
	close(sigfd);
}

Test(process, watch_fd_stops_child_and_sigkill_after_grace)
{
	struct pt_error err = {0};
	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	/* Ignores SIGTERM: only the SIGKILL after the grace period ends it. */
	char *argv[] = {"sh", "-c", "trap '' TERM; while :; do sleep 0.05; done", NULL};
	pid_t pid;
	int pidfd;
	cr_assert_eq(pt_spawn(argv, &pid, &pidfd, &err), 0);
	usleep(300000); /* let sh install its trap */
	close(p[1]); /* EOF on p[0]: "the display died" */
	struct supervise s = {.pidfd = pidfd, .sigfd = -1, .watch_fds = &p[0], .n_watch = 1,
			      .grace_ms = 300};
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(supervise_run(&s, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert_eq(s.watch, 0);
	cr_assert_eq(s.status, 128 + SIGKILL);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	cr_assert(ms >= 250 && ms < 3000, "killed after the grace period, took %.0f ms", ms);
	close(pidfd);
	close(p[0]);
}
