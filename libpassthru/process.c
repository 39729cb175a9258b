/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "passthru/process.h"
#include "pidfd-spawn.h"
#include "pidfd.h"
#include "util.h"

extern char **environ;

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

	posix_spawnattr_t attr;
	if (posix_spawnattr_init(&attr) != 0)
		return pt_error_set(err, ENOMEM, "spawn %s", argv[0]);
	sigset_t none, deflt;
	sigemptyset(&none);
	sigemptyset(&deflt);
	int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD};
	for (size_t i = 0; i < ELEMENTSOF(fwd); i++)
		sigaddset(&deflt, fwd[i]);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	int r = spawn_pidfd(argv, NULL, &attr, NULL, ret_pid, ret_pidfd, err);
	posix_spawnattr_destroy(&attr);
	return r;
}

int spawn_pidfd(char *const argv[], const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const env[], pid_t *ret_pid, int *ret_pidfd,
		struct pt_error *err)
{
	pid_t pid;
	int r = posix_spawnp(&pid, argv[0], fa, attr, argv, env ? env : environ);
	if (r != 0)
		return pt_error_set(err, r, "exec %s", argv[0]);

	/* Not reaped yet, so the pid cannot have been reused. */
	int pidfd = pidfd_open_(pid);
	if (pidfd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return pt_error_set(err, e, "pidfd_open %s", argv[0]);
	}
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}

int pt_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}
