/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pulsehelper.h"
#include "testutil.h"

static bool accepts(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static char *read_log(const char *path)
{
	char *out = NULL;
	FILE *f = fopen(path, "re");
	if (!f)
		return strdup("");
	size_t n = 0;
	ssize_t len = getdelim(&out, &n, '\0', f);
	fclose(f);
	if (len < 0) {
		free(out);
		return strdup("");
	}
	return out;
}

struct tu_pulse *tu_pulse_start(const char *dir, const char *extra_module)
{
	cr_assert(tu_have("pulseaudio"), "pulseaudio is not installed");
	struct tu_pulse *p = calloc(1, sizeof(*p));
	cr_assert(asprintf(&p->runtime, "%s/pulse-rt", dir) > 0);
	cr_assert(asprintf(&p->home, "%s/pulse-home", dir) > 0);
	cr_assert(asprintf(&p->socket, "%s/pulse/native", p->runtime) > 0);
	cr_assert(asprintf(&p->cookie, "%s/.config/pulse/cookie", p->home) > 0);
	cr_assert(asprintf(&p->log, "%s/pulse.log", dir) > 0);
	cr_assert(mkdir(p->runtime, 0700) == 0 || errno == EEXIST);
	cr_assert(mkdir(p->home, 0700) == 0 || errno == EEXIST);

	pid_t parent = getpid(), pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		tu_die_with_parent(parent);
		int log = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (log < 0 || null < 0)
			_exit(127);
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		setenv("XDG_RUNTIME_DIR", p->runtime, 1);
		setenv("HOME", p->home, 1);
		unsetenv("PULSE_SERVER");
		unsetenv("PULSE_RUNTIME_PATH");
		unsetenv("DISPLAY");
		/* Its own session: a stray signal to the test's group misses it. */
		setsid();
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* -n: no default.pa, so nothing but these modules (no ALSA, no
		 * D-Bus, no X11 modules); as root it warns but runs with --system=no. */
		char *argv[] = {"pulseaudio",
				"-n",
				"--daemonize=no",
				"--system=no",
				"--exit-idle-time=-1",
				"--use-pid-file=no",
				"--realtime=no",
				"--high-priority=no",
				"--log-target=stderr",
				"--log-level=info",
				"-L",
				"module-native-protocol-unix",
				"-L",
				"module-null-sink sink_name=ptnull",
				extra_module ? "-L" : NULL,
				(char *)extra_module,
				NULL};
		execvp(argv[0], argv);
		dprintf(2, "exec pulseaudio: %s\n", strerror(errno));
		_exit(127);
	}
	p->pid = pid;

	/* Up when the socket accepts and the cookie is written. */
	for (int i = 0; i < 200; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			p->pid = 0;
			char *log = read_log(p->log);
			cr_assert_fail("pulseaudio exited (status 0x%x): %s", st, log);
		}
		if (accepts(p->socket) && access(p->cookie, R_OK) == 0)
			return p;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	tu_pulse_free(p);
	cr_assert_fail("pulseaudio did not come up within 10 s");
	return NULL;
}

void tu_pulse_kill(struct tu_pulse *p, int sig)
{
	if (!p || p->pid <= 0)
		return;
	kill(p->pid, sig);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->pid = 0;
}

void tu_pulse_free(struct tu_pulse *p)
{
	if (!p)
		return;
	tu_pulse_kill(p, SIGKILL);
	free(p->runtime);
	free(p->home);
	free(p->socket);
	free(p->cookie);
	free(p->log);
	free(p);
}

void tu_pulse_client_env(const char *dir, const char *runtime, const char *home)
{
	char *conf = NULL;
	cr_assert(asprintf(&conf, "%s/empty-client.conf", dir) > 0);
	tu_write(conf, "# nothing: the host's /etc/pulse/client.conf must not count\n", 0644);
	setenv("PULSE_CLIENTCONFIG", conf, 1);
	free(conf);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("PULSE_SERVER");
	unsetenv("PULSE_COOKIE");
	unsetenv("PULSE_RUNTIME_PATH");
	unsetenv("DISPLAY");
}

bool tu_pulse_log_has(const struct tu_pulse *p, const char *a, const char *b)
{
	char *log = read_log(p->log);
	bool found = false;
	for (char *line = log, *next; line && *line && !found; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		found = strstr(line, a) && strstr(line, b);
	}
	free(log);
	return found;
}
