/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <pthread.h>

#include "dlopen-lib.h"
#include "util.h"

/* One lock for all libraries: it is taken only until each has been tried
 * once, after which the state is read with an acquire load. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int load_locked(struct dlopen_lib *lib)
{
	/* RTLD_NOW: a missing symbol in the library's own dependencies shows
	 * here, as this feature's error, not later as a crash. */
	void *dl = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *e = dlerror();
		if (!e || strstr(e, "No such file or directory"))
			snprintf(lib->why, sizeof(lib->why), "%s is not installed (needed for %s)",
				 lib->soname, lib->feature);
		else
			snprintf(lib->why, sizeof(lib->why), "%s cannot be loaded (needed for %s): %s",
				 lib->soname, lib->feature, e);
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < lib->n_syms; i++) {
		void *p = dlsym(dl, lib->syms[i].name);
		if (!p) {
			snprintf(lib->why, sizeof(lib->why),
				 "%s lacks %s, too old? (needed for %s)", lib->soname,
				 lib->syms[i].name, lib->feature);
			for (size_t j = 0; j < i; j++)
				*lib->syms[j].ptr = NULL;
			dlclose(dl);
			return -EOPNOTSUPP;
		}
		*lib->syms[i].ptr = p;
	}
	/* The handle is never closed: the pointers stay valid for the life
	 * of the process, as they would for a linked library. */
	return 1;
}

int dlopen_lib_load(struct dlopen_lib *lib, struct pt_error *err)
{
	int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
	if (state == 0) {
		pthread_mutex_lock(&load_lock);
		state = lib->state;
		if (state == 0) {
			state = load_locked(lib);
			__atomic_store_n(&lib->state, state, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&load_lock);
	}
	if (state < 0)
		return pt_error_setx(err, -state, "%s", lib->why);
	return 0;
}
