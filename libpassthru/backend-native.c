/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend: the plan applied to namespaces of our own
 * (native.c). It needs nothing on disk: generated files are mounted from
 * memory, so prepare only keeps the plan. */
#include <stdlib.h>

#include "backend.h"
#include "native.h"
#include "util.h"

struct backend_state {
	const struct pt_plan *plan;
};

static int native_prepare(const struct pt_plan *plan, const struct backend_env *env _unused_,
			  struct backend_state **ret, struct pt_error *err)
{
	struct backend_state *s = calloc(1, sizeof(*s));
	if (!s)
		return pt_error_set(err, ENOMEM, "native");
	s->plan = plan;
	*ret = s;
	return 0;
}

static int native_backend_spawn(struct backend_state *s, pid_t *ret_pid, int *ret_pidfd,
				struct pt_error *err)
{
	return native_spawn(s->plan, 0, ret_pid, ret_pidfd, err);
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
