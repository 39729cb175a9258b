/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend: the plan applied to namespaces of our own
 * (native.c). It needs nothing on disk: generated files are mounted from
 * memory, so prepare only keeps the plan. */
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <stdlib.h>

#include "backend.h"
#include "native.h"
#include "pidfd.h"
#include "util.h"

struct backend_state {
	const struct pt_plan *plan;
	int netns_fd;
};

static int native_prepare(const struct pt_plan *plan, const struct backend_env *env,
			  struct backend_state **ret, struct pt_error *err)
{
	struct backend_state *s = calloc(1, sizeof(*s));
	if (!s)
		return pt_error_set(err, ENOMEM, "native");
	s->plan = plan;
	s->netns_fd = env->netns_fd;
	*ret = s;
	return 0;
}

static int native_backend_spawn(struct backend_state *s, pid_t *ret_pid, int *ret_pidfd,
				struct pt_error *err)
{
	if (s->netns_fd < 0)
		return native_spawn(s->plan, 0, ret_pid, ret_pidfd, err);
	/* A network namespace made for the container (user-mode network,
	 * configured already): the container is cloned from this thread
	 * without a network namespace of its own, so it inherits the
	 * thread's, which is that one for the length of the clone. setns()
	 * moves only the calling thread. */
	_cleanup_close_ int old = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0)
		return pt_error_set(err, errno, "native: open our network namespace");
	if (setns(s->netns_fd, CLONE_NEWNET) < 0)
		return pt_error_set(err, errno, "native: enter the container's network namespace");
	int r = native_spawn(s->plan, 0, ret_pid, ret_pidfd, err);
	if (setns(old, CLONE_NEWNET) < 0) {
		int e = errno;
		if (r == 0) {
			pidfd_signal(*ret_pidfd, SIGKILL);
			pidfd_reap(*ret_pidfd, true, NULL);
			close(*ret_pidfd);
		}
		return pt_error_set(err, e, "native: return to our network namespace");
	}
	return r;
}

static void native_cleanup(struct backend_state *s, bool keep _unused_) { free(s); }

const struct backend backend_native = {
	.id = PT_LAUNCH_BACKEND_NATIVE,
	.name = "native",
	.prepare = native_prepare,
	.command = NULL,
	.spawn = native_backend_spawn,
	.cleanup = native_cleanup,
};
