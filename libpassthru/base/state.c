/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

const char *state_base_dir(void)
{
	/* Only a runtime dir that is really ours: a stale XDG_RUNTIME_DIR
	 * from another user (su without -l) must not receive our files. */
	const char *rt = secure_getenv("XDG_RUNTIME_DIR");
	struct stat st;
	if (rt && rt[0] == '/' && stat(rt, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && access(rt, W_OK | X_OK) == 0)
		return rt;
	return tmp_dir();
}
