/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One table, every backend: what a user of the container sees through
 * passthru-launch (environment, binds, user, exit status, a stop signal,
 * a device node, a display, the sound server) is the same whether
 * systemd-nspawn, our own namespaces or bubblewrap runs it. Rows run as
 * root and, where the backend works without root, as nobody. A row is
 * skipped only when its program is not installed or it needs root. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pulsehelper.h"
#include "testutil.h"

/* Plain arrays, no pointers: Criterion hands the rows to worker
 * processes that may map the program elsewhere. */
struct row {
	char backend[16]; /* --backend= */
	char program[32]; /* what it needs installed, "" for nothing */
	bool nobody;         /* the launcher runs as nobody (setpriv) */
	/* `id -G` of "tester" inside: a user namespace of bwrap or of an
	 * unprivileged caller maps one gid only. */
	char groups[16];
	/* A stop signal reaches the command, whose trap runs (false: the
	 * command is only expected to end). */
	bool traps;
	/* The command's working directory as "tester": nspawn -u stays in /. */
	char cwd[16];
	/* Exit status of a command killed by SIGTERM (bare systemd-nspawn
	 * says 255; the nspawn backend's own init passes 143 on). */
	int killed;
};

static struct row all_rows[] = {
	{"nspawn", "systemd-nspawn", false, "1000 44", true, "/", 143},
	{"native", "", false, "1000 44", true, "/home/tester", 143},
	{"native", "", true, "1000", true, "/home/tester", 143},
	{"bwrap", "bwrap", false, "1000", true, "/home/tester", 143},
	{"bwrap", "bwrap", true, "1000", true, "/home/tester", 143},
};

static struct row root_rows[] = {
	{"nspawn", "systemd-nspawn", false, "1000 44", true, "/", 143},
	{"native", "", false, "1000 44", true, "/home/tester", 143},
	{"bwrap", "bwrap", false, "1000", true, "/home/tester", 143},
};

static char *tmp, *root;
static struct tu_pulse *pulse;

static void teardown(void)
{
	tu_pulse_free(pulse);
	pulse = NULL;
	if (tmp)
		tu_rm_rf(tmp);
	free(tmp);
	free(root);
	tmp = root = NULL;
}

TestSuite(backends, .fini = teardown);

/* Called first by every test: skips what cannot run here, then builds the
 * root (Criterion runs no .fini for a test skipped from its body). */
static void setup(const struct row *r)
{
	if (geteuid() != 0)
		cr_skip_test("the table runs as root (nspawn, mknod, becoming nobody)");
	if (r->program[0] && !tu_have(r->program))
		cr_skip_test("%s is not installed", r->program);
	if (r->nobody && !tu_have("setpriv"))
		cr_skip_test("setpriv is not installed");
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	/* Mount points an unprivileged launcher cannot create in a root-owned root. */
	const char *dirs[] = {"mnt", "mnt/data", "mnt/rw", "usr/lib", "usr/lib64"};
	char p[4200];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		mkdir(p, 0755);
	}
	snprintf(p, sizeof(p), "%s/lib", root);
	symlink("usr/lib", p);
	snprintf(p, sizeof(p), "%s/lib64", root);
	symlink("usr/lib64", p);
}

static char *tpath(const char *rel)
{
	static char buf[8][4200];
	static int slot;
	char *p = buf[slot++ % 8];
	snprintf(p, 4200, "%s/%s", tmp, rel);
	return p;
}

/* "--bind=" PATH ":/target": an option naming a path of the test. */
static char *opt(const char *before, const char *path, const char *after)
{
	static char buf[8][4300];
	static int slot;
	char *p = buf[slot++ % 8];
	snprintf(p, 4300, "%s%s%s", before, path, after);
	return p;
}

static size_t make_argv(const struct row *r, char **argv, size_t max, va_list ap)
{
	static char backend[64];
	size_t n = 0;
	if (r->nobody) {
		argv[n++] = "setpriv";
		argv[n++] = "--reuid=65534";
		argv[n++] = "--regid=65534";
		argv[n++] = "--clear-groups";
		argv[n++] = "--";
	}
	snprintf(backend, sizeof(backend), "--backend=%s", r->backend);
	argv[n++] = (char *)tu_tool("passthru-launch");
	argv[n++] = backend;
	argv[n++] = "-D";
	argv[n++] = root;
	for (char *a; (a = va_arg(ap, char *)) && n + 1 < max;)
		argv[n++] = a;
	argv[n] = NULL;
	return n;
}

/* Runs passthru-launch for the row; the arguments end with NULL. */
static int launch(const struct row *r, char **out, char **err, ...)
{
	char *argv[64];
	va_list ap;
	va_start(ap, err);
	make_argv(r, argv, 64, ap);
	va_end(ap);
	return tu_run(argv, out, err, 60);
}

#define TABLE(name, rows)                                                                          \
	ParameterizedTestParameters(backends, name)                                                \
	{                                                                                          \
		return cr_make_param_array(struct row, rows, sizeof(rows) / sizeof(rows[0]));      \
	}                                                                                          \
	ParameterizedTest(struct row *r, backends, name)

TABLE(environment_binds_and_user, all_rows)
{
	setup(r);
	mkdir(tpath("data"), 0755);
	tu_write(tpath("data/hello"), "bound\n", 0644);
	mkdir(tpath("rw"), 0777);
	chmod(tpath("rw"), 0777);
	setenv("PT_TEST_HOST_SECRET", "leak", 1);
	char *out = NULL, *err = NULL;
	int rc = launch(r, &out, &err, "-u", "tester", opt("--bind-ro=", tpath("data"), ":/mnt/data"),
			opt("--bind=", tpath("rw"), ":/mnt/rw"), "--setenv=FOO=bar baz", "--", "sh",
			"-c",
			"env; cat /mnt/data/hello; (echo x > /mnt/data/new) 2>/dev/null || echo ro-ok;"
			"echo w > /mnt/rw/w && echo rw-ok; echo uid=$(id -u) groups=$(id -G); pwd",
			NULL);
	cr_assert_eq(rc, 0, "%s%s: rc %d: %s", r->backend, r->nobody ? " as nobody" : "", rc, err);
	cr_expect(strstr(out, "FOO=bar baz\n"), "%s: %s", r->backend, out);
	cr_expect(strstr(out, "HOME=/home/tester\n"), "%s: %s", r->backend, out);
	cr_expect(strstr(out, "USER=tester\n"), "%s: %s", r->backend, out);
	cr_expect_null(strstr(out, "PT_TEST_HOST_SECRET"), "%s: the host's environment leaked",
		       r->backend);
	cr_expect(strstr(out, "bound\nro-ok\nrw-ok\n"), "%s: %s", r->backend, out);
	char want[64];
	snprintf(want, sizeof(want), "uid=1000 groups=%s\n%s\n", r->groups, r->cwd);
	cr_expect(strstr(out, want), "%s: want %s in %s", r->backend, want, out);
	cr_expect_eq(access(tpath("rw/w"), F_OK), 0, "%s: the rw bind did not reach the host",
		     r->backend);
	cr_expect_neq(access(tpath("data/new"), F_OK), 0);
	free(out);
	free(err);
}

TABLE(exit_status, all_rows)
{
	setup(r);
	cr_expect_eq(launch(r, NULL, NULL, "--", "sh", "-c", "exit 7", NULL), 7, "%s", r->backend);
	char *err = NULL;
	int rc = launch(r, NULL, &err, "--", "sh", "-c", "kill -TERM $$", NULL);
	cr_expect_eq(rc, r->killed, "%s: %d: %s", r->backend, rc, err);
	free(err);
	cr_expect_eq(launch(r, NULL, NULL, "--", "true", NULL), 0, "%s", r->backend);
}

TABLE(device_node_opens_with_enxio, all_rows)
{
	setup(r);
	unsigned major = tu_free_char_major();
	cr_assert_eq(mknod(tpath("fake"), S_IFCHR | 0666, makedev(major, 0)), 0, "%s",
		     strerror(errno));
	chmod(tpath("fake"), 0666);
	char *out = NULL, *err = NULL;
	int rc = launch(r, &out, &err, opt("--bind=", tpath("fake"), ":/dev/fake"), "--", "sh", "-c",
			"cat /dev/fake 2>&1; echo x > /dev/null && echo null-ok", NULL);
	cr_assert_eq(rc, 0, "%s: rc %d: %s", r->backend, rc, err);
	cr_expect(strstr(out, "No such device or address"), "%s: %s", r->backend, out);
	cr_expect(strstr(out, "null-ok"), "%s: %s", r->backend, out);
	free(out);
	free(err);
}

TABLE(stop_signal_reaches_the_command, all_rows)
{
	setup(r);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t parent = getpid(), pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		tu_die_with_parent(parent);
		char *argv[64];
		dup2(p[1], 1);
		close(p[0]);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		size_t n = 0;
		if (r->nobody) {
			argv[n++] = "setpriv";
			argv[n++] = "--reuid=65534";
			argv[n++] = "--regid=65534";
			argv[n++] = "--clear-groups";
			argv[n++] = "--";
		}
		char backend[64];
		snprintf(backend, sizeof(backend), "--backend=%s", r->backend);
		argv[n++] = (char *)tu_tool("passthru-launch");
		argv[n++] = backend;
		argv[n++] = "-D";
		argv[n++] = root;
		argv[n++] = "--";
		argv[n++] = "sh";
		argv[n++] = "-c";
		argv[n++] = "trap 'echo trapped; exit 3' TERM; echo ready; while :; do sleep 0.1; done";
		argv[n] = NULL;
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	char buf[256] = {0};
	size_t len = 0;
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	while (!strstr(buf, "ready\n") && poll(&pfd, 1, 20000) == 1) {
		ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (!strstr(buf, "ready\n"))
		kill(pid, SIGKILL);
	cr_assert(strstr(buf, "ready\n"), "%s: the command did not start: %s", r->backend, buf);
	kill(pid, SIGTERM);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	for (ssize_t n; (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0;)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	if (r->traps) {
		cr_expect(strstr(buf, "trapped\n"), "%s: the trap did not run: %s", r->backend, buf);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 3, "%s: status %#x", r->backend, st);
	} else {
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) != 0, "%s: status %#x", r->backend, st);
	}
}

TABLE(xvfb_display_inside, all_rows)
{
	setup(r);
	if (!tu_have("Xvfb") || !tu_have("xdpyinfo"))
		cr_skip_test("Xvfb and xdpyinfo (x11-utils) are not installed");
	char *out = NULL, *err = NULL;
	int rc = launch(r, &out, &err, "--xvfb=320x200", "--bind-ro=/usr", "--", "/bin/sh", "-c",
			"xdpyinfo | grep dimensions; ls /tmp/.X11-unix | wc -l", NULL);
	cr_assert_eq(rc, 0, "%s: rc %d: %s%s", r->backend, rc, out, err);
	cr_expect(strstr(out, "320x200 pixels"), "%s: %s", r->backend, out);
	cr_expect(strstr(out, "\n1\n"), "%s: one X socket inside: %s", r->backend, out);
	free(out);
	free(err);
}

TABLE(pulse_inside, root_rows)
{
	setup(r);
	if (!tu_have("pulseaudio") || !tu_have("pactl"))
		cr_skip_test("pulseaudio and pactl are not installed");
	pulse = tu_pulse_start(tmp, NULL);
	/* The daemon's HOME: the cookie a client of the host would send. */
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	char *out = NULL, *err = NULL;
	int rc = launch(r, &out, &err, "--pulse", "--bind-ro=/usr", "-u", "tester", "--",
			"/bin/sh", "-c", "pactl info | grep -E 'Server Name|Default Sink'", NULL);
	cr_assert_eq(rc, 0, "%s: rc %d: %s%s", r->backend, rc, out, err);
	cr_expect(strstr(out, "Server Name: pulseaudio"), "%s: %s", r->backend, out);
	cr_expect(strstr(out, "Default Sink: ptnull"), "%s: %s", r->backend, out);
	free(out);
	free(err);
}

/* bwrap only: --dry-run prints a command that runs as printed. */
Test(backends, bwrap_dry_run_runs_when_pasted)
{
	const struct row r = {"bwrap", "bwrap", false, "1000", true, "/home/tester", 143};
	setup(&r);
	char *out = NULL, *err = NULL;
	int rc = launch(&r, &out, &err, "--dry-run", "--setenv=A=b c", "--", "sh", "-c",
			"echo \"$A\"", NULL);
	cr_assert_eq(rc, 0, "%s", err);
	cr_expect(strstr(out, " --setenv A 'b c' "), "%s", out);
	char *sh[] = {"sh", "-c", out, NULL};
	char *out2 = NULL;
	rc = tu_run(sh, &out2, NULL, 30);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(out2, "b c\n");
	free(out);
	free(out2);
	free(err);
}
