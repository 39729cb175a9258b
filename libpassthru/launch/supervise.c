/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pidfd.h"
#include "supervise.h"
#include "util.h"

static void pass_on(struct supervise *s, int sig)
{
	if (s->forward)
		s->forward(s->userdata, s->pidfd, sig);
	else
		pidfd_signal(s->pidfd, sig);
}

int supervise_run(struct supervise *s, struct pt_error *err)
{
	size_t n = 2 + s->n_watch;
	struct pollfd small[8];
	_cleanup_free_ struct pollfd *big = NULL;
	struct pollfd *pfd = small;
	if (n > ELEMENTSOF(small)) {
		big = calloc(n, sizeof(*big));
		if (!big) {
			/* Never leave the child unsupervised and unreaped. */
			pidfd_signal(s->pidfd, SIGKILL);
			pidfd_reap(s->pidfd, true, &s->status);
			return pt_error_set(err, ENOMEM, "supervise");
		}
		pfd = big;
	}
	pfd[0] = (struct pollfd){.fd = s->pidfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
	for (size_t i = 0; i < s->n_watch; i++)
		pfd[2 + i] = (struct pollfd){.fd = s->watch_fds[i], .events = POLLIN};

	s->watch = -1;
	s->stop_sig = 0;
	long long kill_at = -1;
	unsigned grace = s->grace_ms ? s->grace_ms : 10000;

	for (;;) {
		int timeout = -1;
		if (kill_at >= 0) {
			long long left = kill_at - now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		int r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR) {
			int e = errno;
			pidfd_signal(s->pidfd, SIGKILL);
			pidfd_reap(s->pidfd, true, &s->status);
			return pt_error_set(err, e, "supervise: poll");
		}
		if (r <= 0) {
			if (kill_at >= 0 && now_ms() >= kill_at) {
				/* The grace period is over: nothing it does may
				 * keep the launcher waiting for ever. */
				pidfd_signal(s->pidfd, SIGKILL);
				kill_at = -1;
			}
			continue;
		}
		if (pfd[0].revents)
			break;
		if (s->sigfd >= 0 && (pfd[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int sig = (int)si.ssi_signo;
				pass_on(s, sig);
				if (is_stop_signal(sig) && !s->stop_sig) {
					s->stop_sig = sig;
					if (kill_at < 0)
						kill_at = now_ms() + grace;
				}
			}
		}
		for (size_t i = 0; s->watch < 0 && i < s->n_watch; i++)
			if (pfd[2 + i].revents) {
				s->watch = (int)i;
				pass_on(s, SIGTERM);
				if (kill_at < 0)
					kill_at = now_ms() + grace;
			}
		/* A fired watch stays readable: stop polling it. */
		if (s->watch >= 0)
			pfd[2 + s->watch].fd = -1;
	}

	int r = pidfd_reap(s->pidfd, true, &s->status);
	if (r < 0)
		return pt_error_set(err, -r, "supervise: waitid");
	return 0;
}
