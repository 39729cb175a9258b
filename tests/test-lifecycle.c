/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a careless user or a crash does to a running launcher, under every
 * backend: stop signals reach the command's own trap, a command that
 * ignores them is killed after --kill-after, a SIGKILL of the launcher
 * leaves no process, no helper and no mount behind, helpers inherit none
 * of the caller's descriptors, and nspawn's own failures keep our exit
 * code contract. Measured by process and mount listings. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char *tmp, *root, *state;

static void teardown(void)
{
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
	free(state);
	tmp = root = state = NULL;
}

TestSuite(lifecycle, .fini = teardown, .timeout = 120);

static const char *const backends[] = {"native", "nspawn"};

/* Fixtures once the test is known to run (no .fini after a skip). */
static void need(const char *backend)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	if (strcmp(backend, "nspawn") == 0 && !tu_can_nspawn())
		cr_skip_test("needs systemd-nspawn");
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	/* A state base of this test's own: every process that belongs to this
	 * launch names it on its command line (Xvfb's -auth, nspawn's binds). */
	cr_assert(asprintf(&state, "%s/state", tmp) > 0);
	cr_assert_eq(mkdir(state, 0700), 0);
}

struct launcher {
	pid_t pid;
	int out; /* its stdout */
};

/* Starts passthru-launch with the test's state base; waits until the
 * command printed "ready". */
/* argv (room for 16) for passthru-launch --backend=BACKEND (bopt, room
 * for 64) -D ROOT [EXTRA] -- /bin/sh -c SCRIPT. */
static void launch_argv(char **argv, char *bopt, const char *backend, const char *extra,
			const char *script)
{
	snprintf(bopt, 64, "--backend=%s", backend);
	int n = 0;
	argv[n++] = (char *)tu_tool("passthru-launch");
	argv[n++] = bopt;
	argv[n++] = "-D";
	argv[n++] = root;
	if (extra)
		argv[n++] = (char *)extra;
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = (char *)script;
	argv[n] = NULL;
}

static struct launcher start(const char *backend, const char *extra, const char *script)
{
	char bopt[64], *argv[16];
	launch_argv(argv, bopt, backend, extra, script);

	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t parent = getpid(), pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		tu_die_with_parent(parent);
		dup2(p[1], 1);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		setenv("TMPDIR", state, 1);
		unsetenv("XDG_RUNTIME_DIR");
		execv(argv[0], argv);
		_exit(126);
	}
	close(p[1]);
	char buf[256] = "";
	size_t len = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	while (!strstr(buf, "ready") && len < sizeof(buf) - 1 && poll(&pf, 1, 30000) == 1) {
		ssize_t r = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
	}
	if (!strstr(buf, "ready")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		cr_assert_fail("the command never said ready: '%s'", buf);
	}
	return (struct launcher){pid, p[0]};
}

/* Its exit status (128+N for a signal); kills it after timeout_s. */
static int finish(struct launcher *l, unsigned timeout_s)
{
	int st = 0;
	for (unsigned i = 0; i < timeout_s * 20; i++) {
		pid_t r = waitpid(l->pid, &st, WNOHANG);
		if (r == l->pid) {
			close(l->out);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(50000);
	}
	kill(l->pid, SIGKILL);
	waitpid(l->pid, NULL, 0);
	close(l->out);
	cr_assert_fail("the launcher did not end within %u s", timeout_s);
	return -1;
}

/* Processes whose command line contains needle (read only: never killed
 * by pattern; a test kills only what it started). */
static int processes_with(const char *needle)
{
	DIR *d = opendir("/proc");
	cr_assert_not_null(d);
	int found = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300], buf[8192];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue; /* a zombie: already dead */
		for (ssize_t i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[n] = '\0';
		found += strstr(buf, needle) != NULL;
	}
	closedir(d);
	return found;
}

/* Waits up to 5 s for them to go: the kernel tears a PID namespace down
 * asynchronously. */
static int processes_left(const char *needle)
{
	int n = 0;
	for (int i = 0; i < 100 && (n = processes_with(needle)) > 0; i++)
		usleep(50000);
	return n;
}

/* Each stop signal reaches the command first: its trap runs and its
 * status is the launcher's. */
Test(lifecycle, stop_signals_run_the_commands_trap)
{
	const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	for (size_t b = 0; b < 2; b++) {
		need(backends[b]);
		for (size_t i = 0; i < 3; i++) {
			char script[256];
			snprintf(script, sizeof(script),
				 "trap 'exit %d' %d; echo ready; while :; do sleep 0.05; done",
				 40 + (int)i, sigs[i]);
			struct launcher l = start(backends[b], NULL, script);
			kill(l.pid, sigs[i]);
			int st = finish(&l, 30);
			cr_expect_eq(st, 40 + (int)i, "%s, signal %d: status %d", backends[b], sigs[i],
				     st);
		}
		teardown();
	}
}

/* A command that ignores SIGTERM cannot keep the launcher alive. */
Test(lifecycle, a_command_ignoring_sigterm_is_killed_after_kill_after)
{
	for (size_t b = 0; b < 2; b++) {
		need(backends[b]);
		struct launcher l = start(backends[b], "--kill-after=1",
					  "trap '' TERM; echo ready; while :; do sleep 0.05; done");
		kill(l.pid, SIGTERM);
		int st = finish(&l, 20);
		cr_expect_eq(st, 128 + SIGKILL, "%s: status %d", backends[b], st);
		cr_expect_eq(processes_left(state), 0, "%s: nothing of it is left", backends[b]);
		teardown();
	}
}

/* Entries in the test's state base (hidden ones aside). */
static int state_entries(void)
{
	DIR *d = opendir(state);
	cr_assert_not_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* SIGKILL of the launcher: the command, systemd-nspawn and the display
 * server go with it; no mount of ours stays. */
Test(lifecycle, sigkill_of_the_launcher_leaves_nothing_running)
{
	if (!tu_have("Xvfb"))
		cr_skip_test("needs Xvfb");
	for (size_t b = 0; b < 2; b++) {
		need(backends[b]);
		int mounts = tu_mounts_under(tmp);
		struct launcher l = start(backends[b], "--xvfb",
					  "echo ready; while :; do sleep 0.05; done");
		cr_assert_gt(processes_with(state), 0, "%s: the display and the launch run",
			     backends[b]);
		kill(l.pid, SIGKILL);
		finish(&l, 10);
		cr_expect_eq(processes_left(state), 0, "%s: a helper outlived the launcher",
			     backends[b]);
		cr_expect_eq(tu_mounts_under(tmp), mounts, "%s: mounts left", backends[b]);
		/* The next launch that makes a state directory removes the
		 * dead one's (a plain native launch makes none, reads none). */
		char *argv[] = {(char *)tu_tool("passthru-launch"),
				"--backend=native",
				"--xvfb",
				"-D",
				root,
				"--",
				"true",
				NULL};
		setenv("TMPDIR", state, 1);
		int st = tu_run(argv, NULL, NULL, 30);
		unsetenv("TMPDIR");
		cr_expect_eq(st, 0);
		cr_expect_eq(state_entries(), 0, "%s: the dead launcher's state was cleaned",
			     backends[b]);
		teardown();
	}
}

/* A descriptor the caller forgot to close reaches no helper. */
Test(lifecycle, helpers_inherit_no_descriptor_of_the_caller)
{
	if (!tu_have("Xvfb"))
		cr_skip_test("needs Xvfb");
	for (size_t b = 0; b < 2; b++) {
		need(backends[b]);
		char marker[4200];
		snprintf(marker, sizeof(marker), "%s/leaked-fd-marker", tmp);
		int fd = open(marker, O_RDWR | O_CREAT, 0600); /* no O_CLOEXEC: leaked */
		cr_assert(fd >= 0);
		struct launcher l = start(backends[b], "--xvfb",
					  "echo ready; while :; do sleep 0.05; done");
		close(fd);
		/* Every process of this launch but the launcher itself. */
		int holders = 0;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while ((e = readdir(d))) {
			pid_t pid = atoi(e->d_name);
			if (pid <= 0 || pid == l.pid)
				continue;
			char path[300], buf[8192];
			snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
			int c = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t n = c >= 0 ? read(c, buf, sizeof(buf) - 1) : -1;
			if (c >= 0)
				close(c);
			if (n <= 0)
				continue;
			for (ssize_t i = 0; i < n; i++)
				if (!buf[i])
					buf[i] = ' ';
			buf[n] = '\0';
			if (!strstr(buf, state))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fd", pid);
			DIR *fds = opendir(path);
			struct dirent *f;
			while (fds && (f = readdir(fds))) {
				char link[600], to[4300];
				snprintf(link, sizeof(link), "%s/%s", path, f->d_name);
				ssize_t m = readlink(link, to, sizeof(to) - 1);
				if (m > 0) {
					to[m] = '\0';
					holders += strcmp(to, marker) == 0;
				}
			}
			if (fds)
				closedir(fds);
		}
		closedir(d);
		kill(l.pid, SIGTERM);
		finish(&l, 30);
		cr_expect_eq(holders, 0, "%s: a helper holds the caller's descriptor", backends[b]);
		teardown();
	}
}

/* nspawn's own failures are setup failures (125), whatever nspawn says;
 * the command's signal death is 128+N, not nspawn's 255. */
Test(lifecycle, nspawn_keeps_the_exit_code_contract)
{
	need("nspawn");
	struct {
		const char *user, *cmd;
		int want;
		const char *says;
	} cases[] = {
		{NULL, "kill -USR1 $$", 128 + SIGUSR1, NULL},
		{NULL, "exit 1", 1, NULL},
		{"no-such-user", "true", 125, "could not start the container"},
		{NULL, "exec /no/such/program", 127, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[12];
		int n = 0;
		argv[n++] = (char *)tu_tool("passthru-launch");
		argv[n++] = "--backend=nspawn";
		argv[n++] = "-D";
		argv[n++] = root;
		if (cases[i].user) {
			/* nspawn's own failure, which the doctor would pre-empt. */
			argv[n++] = "--no-doctor";
			argv[n++] = "-u";
			argv[n++] = (char *)cases[i].user;
		}
		argv[n++] = "--";
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = (char *)cases[i].cmd;
		argv[n] = NULL;
		char *err = NULL;
		int st = tu_run(argv, NULL, &err, 60);
		cr_expect_eq(st, cases[i].want, "'%s': status %d, want %d: %s", cases[i].cmd, st,
			     cases[i].want, err);
		if (cases[i].says)
			cr_expect(strstr(err, cases[i].says), "%s", err);
		free(err);
	}
	/* A command that is not there at all: our init says which. */
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--backend=nspawn", "-D", root, "--",
			"no-such-program", NULL};
	char *err = NULL;
	cr_expect_eq(tu_run(argv, NULL, &err, 60), 125);
	cr_expect(strstr(err, "passthru-launch: exec no-such-program: No such file or directory"),
		  "%s", err);
	free(err);
}

/* passthru-launch --backend=nspawn -D ROOT [OPTION] -- sh -c SCRIPT,
 * stdin closed when close_stdin (else /dev/null, as tu_run gives it); its
 * status, stdout and stderr. */
static int run_nspawn(const char *option, const char *script, bool close_stdin, char **out,
		      char **err)
{
	char bopt[64], *argv[20];
	/* A shell that closes stdin and becomes the launcher. */
	int n = close_stdin ? 4 : 0;
	launch_argv(argv + n, bopt, "nspawn", option, script);
	if (close_stdin) {
		argv[0] = "/bin/sh";
		argv[1] = "-c";
		argv[2] = "exec 0<&- \"$@\"";
		argv[3] = "sh";
	}
	return tu_run(argv, out, err, 60);
}

/* Our init reports on a socket nspawn passes it as fd 3. The command
 * inherits neither that fd nor socket activation's variables, cannot trace
 * our init (as -u USER, nspawn runs it as that user), finds the fd closed
 * in it once it runs, and no socket file lies in the container to write a
 * false "exec ERRNO" to. A plain launch leaves no state on the host. */
Test(lifecycle, nspawn_command_cannot_speak_for_our_init)
{
	need("nspawn");
	static const char script[] =
	    "busybox timeout 2 busybox cat >/dev/null; echo stdin=$?; "
	    "busybox readlink /proc/self/fd/3 && echo fd3; busybox env | busybox grep LISTEN_; "
	    "busybox ls /run/passthru; i=0; while busybox ls /proc/1/fd 2>/dev/null | "
	    "busybox grep -qx 3 && [ $i -lt 50 ]; do busybox sleep 0.1; i=$((i+1)); done; "
	    "busybox ls /proc/1/fd >/dev/null 2>&1 && echo pid1-fds-readable; "
	    "busybox ls /proc/1/fd 2>/dev/null | busybox grep -qx 3 && echo pid1-fd3; true";
	const struct {
		const char *option;
		bool close_stdin;
		const char *want;
	} cases[] = {
	    /* Root may read our init's fd table, where 3 is gone. */
	    {NULL, false, "stdin=0\ninit\npid1-fds-readable\n"},
	    /* Another user may not even look. */
	    {"--user=tester", false, "stdin=0\ninit\n"},
	    /* A closed stdin: the container's is /dev/null, nothing of ours. */
	    {NULL, true, "stdin=0\ninit\npid1-fds-readable\n"},
	};
	setenv("TMPDIR", state, 1);
	unsetenv("XDG_RUNTIME_DIR");  /* the state base is TMPDIR */
	setenv("LISTEN_FDS", "1", 1); /* a caller's own: not passed on either */
	setenv("LISTEN_PID", "1", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL, *err = NULL;
		int st = run_nspawn(cases[i].option, script, cases[i].close_stdin, &out, &err);
		cr_expect_eq(st, 0, "case %zu: status %d: %s", i, st, err);
		cr_expect_str_eq(out, cases[i].want, "case %zu: the command sees: %s", i, out);
		free(out), free(err);
	}
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("TMPDIR");
	cr_expect_eq(state_entries(), 0, "a plain nspawn launch made a state directory");

	/* The variables are reserved: a --setenv of one would break the channel. */
	char *out = NULL, *err = NULL;
	int st = run_nspawn("--setenv=LISTEN_FDS=2", "echo ran", false, &out, &err);
	cr_expect_eq(st, 125, "%s", err);
	cr_expect(strstr(err, "LISTEN_FDS is reserved"), "%s", err);
	cr_expect_str_eq(out, "", "the command ran: %s", out);
	free(out), free(err);
}

/* systemd-nspawn follows a root's /dev or /run symlink onto the host and
 * creates its entries there: such a root is refused before nspawn runs. */
Test(lifecycle, nspawn_refuses_a_root_whose_dev_or_run_leads_out)
{
	need("nspawn");
	const char *const names[] = {"dev", "run", "etc"};
	for (size_t i = 0; i < 3; i++) {
		char victim[4200], link[4200];
		snprintf(victim, sizeof(victim), "%s/host-%s", tmp, names[i]);
		cr_assert_eq(mkdir(victim, 0755), 0);
		snprintf(link, sizeof(link), "%s/%s", root, names[i]);
		char moved[4300];
		snprintf(moved, sizeof(moved), "%s.orig", link);
		cr_assert_eq(rename(link, moved), 0, "%s", link);
		cr_assert_eq(symlink(victim, link), 0);
		/* bwrap would fail on it with its own status, not our 125. */
		const char *const backends_here[] = {"--backend=nspawn", "--backend=bwrap"};
		for (size_t b = 0; b < 2; b++) {
			if (b == 1 && !tu_have("bwrap"))
				continue;
			char *argv[] = {(char *)tu_tool("passthru-launch"), (char *)backends_here[b],
					"-D", root, "--", "true", NULL};
			char *err = NULL;
			cr_expect_eq(tu_run(argv, NULL, &err, 60), 125, "%s /%s", backends_here[b],
				     names[i]);
			cr_expect(strstr(err, "is a symbolic link"), "%s", err);
			free(err);
		}
		DIR *d = opendir(victim);
		struct dirent *e;
		int n = 0;
		while ((e = readdir(d)))
			n += e->d_name[0] != '.';
		closedir(d);
		cr_expect_eq(n, 0, "nothing was created in the host's %s", victim);
		unlink(link);
		cr_assert_eq(rename(moved, link), 0);
	}
}
