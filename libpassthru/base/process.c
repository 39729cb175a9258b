/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "passthru/process.h"
#include "pidfd.h"
#include "util.h"

void pt_argv_free(char **argv) { strv_free(argv); }

/* Characters a POSIX shell leaves alone in an unquoted word. */
static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-+=./,:@%",
			    *p))
			return false;
	/* '=' in a first word would read as an assignment; '~' never appears. */
	return true;
}

char *pt_argv_to_shell(char *const argv[])
{
	struct strbuf b = {0};
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_puts(&b, " ");
		if (shell_safe(argv[i]) && !(i == 0 && strchr(argv[i], '='))) {
			strbuf_puts(&b, argv[i]);
			continue;
		}
		strbuf_puts(&b, "'");
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				strbuf_puts(&b, "'\\''");
			else
				strbuf_append(&b, p, 1);
		}
		strbuf_puts(&b, "'");
	}
	return strbuf_steal(&b);
}

int pt_spawn(char *const argv[], pid_t *ret_pid, int *ret_pidfd, struct pt_error *err)
{
	if (!argv || !argv[0])
		return pt_error_setx(err, EINVAL, "spawn: empty command");
	_cleanup_free_ char *path = NULL;
	int r = find_program(argv[0], &path);
	if (r < 0)
		return pt_error_set(err, -r, "exec %s", argv[0]);
	/* stdio are passed on; nothing else of the caller's. */
	static const int stdio[] = {0, 1, 2};
	struct spawn_params p = {
		.path = path, .argv = argv, .fds = stdio, .n_fds = 3, .die_with_caller = true};
	return pidfd_spawn(&p, ret_pid, ret_pidfd, err);
}

int pt_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}
