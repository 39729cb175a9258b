/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Today's desktops through passthru-launch, with real daemons in private
 * runtime directories: a headless Weston as the host compositor
 * (--wayland), nested Westons of the containers' own (--weston), PipeWire
 * and pipewire-pulse (--pipewire, --pulse), and the host's X server out of
 * reach with a nested display while the network still works (--network).
 * Clients inside are the host's (wayland-info, pw-cli, pactl, xdpyinfo from
 * the host's /usr, bound read-only) over a busybox root. Every daemon is
 * started per test and killed by PID. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char *tmp, *root;
/* Everything this suite started, killed by PID in teardown. */
static pid_t pids[16];
static size_t n_pids;

static void setup(void)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	char path[4200];
	snprintf(path, sizeof(path), "%s/lib", root);
	cr_assert_eq(symlink("usr/lib", path), 0);
	snprintf(path, sizeof(path), "%s/lib64", root);
	cr_assert_eq(symlink("usr/lib64", path), 0);
	/* The client side: nothing of the machine's own session counts. */
	unsetenv("WAYLAND_DISPLAY");
	unsetenv("WAYLAND_SOCKET");
	unsetenv("PIPEWIRE_REMOTE");
	unsetenv("DISPLAY");
	unsetenv("PULSE_SERVER");
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

static void teardown(void)
{
	for (size_t i = n_pids; i > 0; i--) {
		pid_t p = pids[i - 1];
		if (p > 0 && kill(p, SIGKILL) == 0)
			waitpid(p, NULL, 0);
		else if (p > 0)
			waitpid(p, NULL, WNOHANG);
	}
	n_pids = 0;
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
}

TestSuite(desktop, .init = setup, .fini = teardown);

static void track(pid_t pid)
{
	cr_assert_lt(n_pids, sizeof(pids) / sizeof(pids[0]));
	pids[n_pids++] = pid;
}

static void untrack(pid_t pid)
{
	for (size_t i = 0; i < n_pids; i++)
		if (pids[i] == pid)
			pids[i] = 0;
}

/* Starts argv in the background with env entries added ("NAME=VALUE"),
 * the umask mask, stdout and stderr into log; tracked for teardown. */
static pid_t start_bg(char *const argv[], char *const env[], mode_t mask, const char *log)
{
	pid_t parent = getpid(), pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		tu_die_with_parent(parent);
		int null = open("/dev/null", O_RDONLY);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		setpgid(0, 0);
		umask(mask);
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	track(pid);
	return pid;
}

/* Waits for pid; its status, or -1 when it ran past timeout_s (killed). */
static int wait_bg(pid_t pid, unsigned timeout_s)
{
	time_t end = time(NULL) + timeout_s;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (time(NULL) > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			untrack(pid);
			return -1;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	untrack(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return strdup("");
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool connects(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Waits until the daemon pid accepts on path; aborts the test otherwise. */
static void wait_socket(pid_t pid, const char *path, const char *log)
{
	for (int i = 0; i < 1000; i++) {
		if (connects(path))
			return;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			untrack(pid);
			char *l = slurp(log);
			cr_assert_fail("%s exited before %s accepted: %s", log, path, l);
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("%s: %s did not accept connections within 10 s", log, path);
}

/* A private runtime dir (0700) under the test's directory. */
static char *runtime_dir(const char *name)
{
	char *p = NULL;
	cr_assert_geq(asprintf(&p, "%s/%s", tmp, name), 0);
	cr_assert_eq(mkdir(p, 0700), 0);
	return p;
}

/* A headless Weston as "the host's compositor", socket NAME in rt. Its
 * socket is made with umask 0, as a user's own compositor is reachable by
 * that user: here a container user other than root must connect too. */
static pid_t host_weston(const char *rt, const char *name)
{
	char env_rt[4200], sock[4200], log[4200], arg[64];
	snprintf(env_rt, sizeof(env_rt), "XDG_RUNTIME_DIR=%s", rt);
	snprintf(sock, sizeof(sock), "%s/%s", rt, name);
	snprintf(log, sizeof(log), "%s/host-weston.log", tmp);
	snprintf(arg, sizeof(arg), "--socket=%s", name);
	char *argv[] = {"weston",
			"--backend=headless-backend.so",
			arg,
			"--idle-time=0",
			"--no-config",
			"--width=1024",
			"--height=768",
			NULL};
	char *env[] = {env_rt, NULL};
	pid_t pid = start_bg(argv, env, 0, log);
	wait_socket(pid, sock, log);
	return pid;
}

static int launch(char **out, char **err, const char *const *args)
{
	char *argv[64] = {(char *)tu_tool("passthru-launch")};
	size_t n = 1;
	for (; args[n - 1]; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	return tu_run(argv, out, err, 90);
}

static const char *const backends[] = {"--backend=native", "--backend=nspawn"};

/* ---- Wayland: the host's compositor ------------------------------------- */

static void host_compositor(const char *backend)
{
	if (!tu_have("weston") || !tu_have("wayland-info"))
		cr_skip_test("needs weston and wayland-info (Debian: weston, wayland-utils)");
	char *rt = runtime_dir("rt");
	host_weston(rt, "wl-host");
	setenv("XDG_RUNTIME_DIR", rt, 1);
	setenv("WAYLAND_DISPLAY", "wl-host", 1);
	static const char script[] = "wayland-info | grep -E \"'wl_compositor'|width: \"; "
				     "stat -c '%U %a' \"$XDG_RUNTIME_DIR\"; echo "
				     "\"$WAYLAND_DISPLAY ${GDK_BACKEND:-nohint}\"";
	for (int as_user = 0; as_user < 2; as_user++) {
		char *out = NULL, *err = NULL;
		const char *args[] = {backend,
				      "--wayland",
				      "-D",
				      root,
				      "--bind-ro=/usr",
				      "-u",
				      as_user ? "tester" : "root",
				      "--",
				      "/bin/sh",
				      "-c",
				      script,
				      NULL};
		int st = launch(&out, &err, args);
		cr_assert_eq(st, 0, "%s as %s: status %d\nstdout: %s\nstderr: %s", backend,
			     as_user ? "tester" : "root", st, out, err);
		cr_assert(strstr(out, "'wl_compositor'"), "the host compositor's globals: %s", out);
		cr_assert(strstr(out, "width: 1024 px"), "its output: %s", out);
		cr_assert(strstr(out, as_user ? "tester 700\n" : "root 700\n"),
			  "XDG_RUNTIME_DIR is the user's, 0700: %s", out);
		cr_assert(strstr(out, "wayland-0 nohint\n"), "no toolkit hints unasked: %s", out);
		free(out);
		free(err);
	}
	/* The probe finds the compositor the way clients do. */
	char *argv[] = {(char *)tu_tool("passthru-probe"), NULL};
	char *out = NULL, want[4200];
	tu_run(argv, &out, NULL, 30);
	snprintf(want, sizeof(want), "  wayland:  %s/wl-host\n", rt);
	cr_assert(strstr(out, want), "%s", out);
	free(out);
	free(rt);
}

Test(desktop, wayland_host_compositor_native)
{
	host_compositor(backends[0]);
}

Test(desktop, wayland_host_compositor_nspawn)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	host_compositor(backends[1]);
}

Test(desktop, help_names_the_desktop_options)
{
	char *out = NULL;
	const char *a[] = {"--help", NULL};
	cr_assert_eq(launch(&out, NULL, a), 0);
	const char *opts[] = {"--wayland[=hints]", "--weston[=", "--pipewire",
			      "--network=MODE",	   "10.0.2.2",	 "--private-network"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		cr_expect(strstr(out, opts[i]), "--help lacks %s", opts[i]);
	free(out);
}

Test(desktop, wayland_hints_and_refusals)
{
	if (!tu_have("weston"))
		cr_skip_test("needs weston");
	char *rt = runtime_dir("rt");
	host_weston(rt, "wl-host");
	/* An absolute WAYLAND_DISPLAY, as libwayland-client takes it. */
	char abs[4200];
	snprintf(abs, sizeof(abs), "%s/wl-host", rt);
	unsetenv("XDG_RUNTIME_DIR");
	setenv("WAYLAND_DISPLAY", abs, 1);
	char *out = NULL, *err = NULL;
	const char *a[] = {
	    "--backend=native",
	    "--wayland=hints",
	    "-D",
	    root,
	    "--",
	    "/bin/sh",
	    "-c",
	    "echo $GDK_BACKEND $QT_QPA_PLATFORM $SDL_VIDEODRIVER $MOZ_ENABLE_WAYLAND; "
	    "ls $XDG_RUNTIME_DIR",
	    NULL};
	int st = launch(&out, &err, a);
	cr_assert_eq(st, 0, "status %d: %s", st, err);
	cr_assert(strstr(out, "wayland wayland wayland 1\nwayland-0\n"), "%s", out);
	free(out);
	free(err);

	/* An inherited connection cannot be passed on: a clear refusal. */
	setenv("WAYLAND_SOCKET", "3", 1);
	st = launch(&out, &err, a);
	unsetenv("WAYLAND_SOCKET");
	cr_assert_eq(st, 125, "status %d: %s", st, err);
	cr_assert(strstr(err, "WAYLAND_SOCKET"), "%s", err);
	free(out);
	free(err);

	/* No compositor where WAYLAND_DISPLAY points. */
	setenv("WAYLAND_DISPLAY", "/nonexistent/wayland-9", 1);
	st = launch(&out, &err, a);
	cr_assert_eq(st, 125, "status %d: %s", st, err);
	cr_assert(strstr(err, "/nonexistent/wayland-9"), "%s", err);
	free(out);
	free(err);
	free(rt);
}

/* ---- Weston of the container's own -------------------------------------- */

Test(desktop, nested_westons_each_its_own)
{
	if (!tu_have("weston") || !tu_have("wayland-info"))
		cr_skip_test("needs weston and wayland-info (Debian: weston, wayland-utils)");
	char sync[4200];
	snprintf(sync, sizeof(sync), "%s/sync", tmp);
	cr_assert_eq(mkdir(sync, 0777), 0);
	cr_assert_eq(chmod(sync, 0777), 0);
	/* The launches keep their state (and their Weston's runtime
	 * directory) here: empty again once they ended. */
	char *state = runtime_dir("state");
	setenv("XDG_RUNTIME_DIR", state, 1);
	/* Each waits (bounded) until the other runs too, then asks its
	 * compositor for its output's size: the two sizes differ, so each
	 * container reaches its own Weston and only that one. */
	pid_t pid[2];
	const char *size[2] = {"headless,640x480", "headless,800x600"};
	for (int i = 0; i < 2; i++) {
		char script[512], bind[4300], log[4200];
		snprintf(script, sizeof(script),
			 "touch /sync/%d; i=0; while [ ! -e /sync/%d ] && [ $i -lt 300 ]; do "
			 "sleep 0.1; i=$((i+1)); done; ls /sync; ls -A $XDG_RUNTIME_DIR; "
			 "wayland-info | grep -E \"'wl_compositor'|width: \"",
			 i, 1 - i);
		snprintf(bind, sizeof(bind), "--bind=%s:/sync", sync);
		snprintf(log, sizeof(log), "%s/c%d.log", tmp, i);
		char weston[64];
		snprintf(weston, sizeof(weston), "--weston=%s", size[i]);
		/* The second under nspawn where it runs: both backends at once. */
		const char *backend = i == 1 && tu_can_nspawn() ? backends[1] : backends[0];
		char *argv[] = {(char *)tu_tool("passthru-launch"),
				(char *)backend,
				weston,
				"-D",
				root,
				"--bind-ro=/usr",
				bind,
				"-u",
				"tester",
				"--",
				"/bin/sh",
				"-c",
				script,
				NULL};
		pid[i] = start_bg(argv, NULL, 022, log);
	}
	for (int i = 0; i < 2; i++) {
		int st = wait_bg(pid[i], 90);
		char log[4200];
		snprintf(log, sizeof(log), "%s/c%d.log", tmp, i);
		char *out = slurp(log);
		cr_assert_eq(st, 0, "container %d: status %d: %s", i, st, out);
		cr_assert(strstr(out, "0\n1\n"), "both ran at once: %s", out);
		cr_assert(strstr(out, "\nwayland-0\n"), "one socket: %s", out);
		cr_assert(strstr(out, "'wl_compositor'"), "%s", out);
		cr_assert(strstr(out, i ? "width: 800 px" : "width: 640 px"), "its own: %s", out);
		cr_assert_eq(strstr(out, i ? "width: 640 px" : "width: 800 px"), NULL,
			     "not the other's: %s", out);
		free(out);
	}
	DIR *d = opendir(state);
	int left = 0;
	for (struct dirent *e; (e = readdir(d));)
		left += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	cr_assert_eq(left, 0, "the Westons' files are gone with their launches");
	free(state);
}

/* A window on the host's session: nested in the host compositor
 * (wayland-backend.so), and in the host's X display (x11-backend.so). The
 * container sees its own output's size, not the host's 1024x768. */
static int host_xvfb(void);

Test(desktop, nested_weston_in_host_wayland_and_x11)
{
	if (!tu_have("weston") || !tu_have("wayland-info") || !tu_have("Xvfb"))
		cr_skip_test("needs weston, wayland-info and Xvfb");
	char *rt = runtime_dir("rt");
	host_weston(rt, "wl-host");
	int x = host_xvfb();
	char display[32];
	snprintf(display, sizeof(display), ":%d", x);
	for (int on_x = 0; on_x < 2; on_x++) {
		if (on_x) {
			unsetenv("WAYLAND_DISPLAY");
			setenv("DISPLAY", display, 1);
		} else {
			setenv("XDG_RUNTIME_DIR", rt, 1);
			setenv("WAYLAND_DISPLAY", "wl-host", 1);
		}
		char *out = NULL, *err = NULL;
		const char *a[] = {"--backend=native",
				   "--weston=640x480",
				   "-D",
				   root,
				   "--bind-ro=/usr",
				   "--",
				   "/bin/sh",
				   "-c",
				   "wayland-info | grep 'width: '",
				   NULL};
		int st = launch(&out, &err, a);
		cr_assert_eq(st, 0, "%s: status %d\nstdout: %s\nstderr: %s",
			     on_x ? "x11" : "wayland", st, out, err);
		cr_assert(strstr(out, "width: 640 px"), "its own output: %s", out);
		cr_assert_eq(strstr(out, "width: 1024 px"), NULL, "not the host's: %s", out);
		free(out);
		free(err);
	}
	free(rt);
}

/* The launcher's child process named comm, or 0. */
static pid_t child_named(pid_t parent, const char *comm)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	char *kids = slurp(path);
	pid_t found = 0;
	for (char *save = NULL, *t = strtok_r(kids, " \n", &save); t && !found;
	     t = strtok_r(NULL, " \n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/comm", t);
		char *c = slurp(path);
		if (strncmp(c, comm, strlen(comm)) == 0 && c[strlen(comm)] == '\n')
			found = atoi(t);
		free(c);
	}
	free(kids);
	return found;
}

/* Starts a container with extra (a helper it needs), kills the helper
 * named comm by PID once the command runs: the launcher stops the
 * container and exits 125 naming the helper. */
static void helper_death(const char *extra, const char *comm, const char *says)
{
	char log[4200], ready[4200], bind[4300];
	snprintf(log, sizeof(log), "%s/launch.log", tmp);
	snprintf(ready, sizeof(ready), "%s/ready", tmp);
	cr_assert_eq(mkdir(ready, 0777), 0);
	snprintf(bind, sizeof(bind), "--bind=%s:/ready", ready);
	char *argv[] = {(char *)tu_tool("passthru-launch"),
			"--backend=native",
			(char *)extra,
			"-D",
			root,
			bind,
			"--",
			"/bin/sh",
			"-c",
			"touch /ready/up; sleep 60",
			NULL};
	pid_t launcher = start_bg(argv, NULL, 022, log);
	char up[4300];
	snprintf(up, sizeof(up), "%s/up", ready);
	pid_t helper = 0;
	for (int i = 0; i < 1000 && !(helper && access(up, F_OK) == 0); i++) {
		if (!helper)
			helper = child_named(launcher, comm);
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	cr_assert_gt(helper, 0, "no %s under the launcher: %s", comm, slurp(log));
	cr_assert_eq(access(up, F_OK), 0, "the container did not start: %s", slurp(log));
	cr_assert_eq(kill(helper, SIGKILL), 0);
	int st = wait_bg(launcher, 30);
	char *out = slurp(log);
	cr_assert_eq(st, 125, "status %d: %s", st, out);
	cr_assert(strstr(out, says), "%s", out);
	free(out);
}

Test(desktop, weston_death_stops_the_container)
{
	if (!tu_have("weston"))
		cr_skip_test("needs weston");
	helper_death("--weston=headless", "weston", "the Weston compositor died");
}

Test(desktop, network_helper_death_stops_the_container)
{
	if (geteuid() != 0 || !tu_have("slirp4netns") || access("/dev/net/tun", F_OK) != 0)
		cr_skip_test("needs root, slirp4netns and /dev/net/tun");
	helper_death("--network=user", "slirp4netns", "the user-mode network (slirp4netns) died");
}

/* ---- PipeWire ------------------------------------------------------------ */

/* pipewire (and pipewire-pulse) in rt, without a session bus: the portal
 * and rtkit modules fail softly. */
static void start_pipewire(const char *rt, bool pulse)
{
	static char env_rt[4200], env_home[4200];
	snprintf(env_rt, sizeof(env_rt), "XDG_RUNTIME_DIR=%s", rt);
	snprintf(env_home, sizeof(env_home), "HOME=%s", tmp);
	char *env[] = {env_rt, env_home, NULL};
	char sock[4200], log[4200];
	snprintf(sock, sizeof(sock), "%s/pipewire-0", rt);
	snprintf(log, sizeof(log), "%s/pipewire.log", tmp);
	char *pw[] = {"pipewire", NULL};
	pid_t pid = start_bg(pw, env, 0, log);
	wait_socket(pid, sock, log);
	if (!pulse)
		return;
	snprintf(sock, sizeof(sock), "%s/pulse/native", rt);
	snprintf(log, sizeof(log), "%s/pipewire-pulse.log", tmp);
	char *pp[] = {"pipewire-pulse", NULL};
	pid = start_bg(pp, env, 0, log);
	wait_socket(pid, sock, log);
}

Test(desktop, pipewire_native_clients)
{
	if (!tu_have("pipewire") || !tu_have("pw-cli"))
		cr_skip_test("needs pipewire and pw-cli (Debian: pipewire, pipewire-bin)");
	char *rt = runtime_dir("rt");
	start_pipewire(rt, false);
	setenv("XDG_RUNTIME_DIR", rt, 1);
	for (size_t b = 0; b < 2; b++) {
		if (b == 1 && !tu_can_nspawn())
			continue;
		char *out = NULL, *err = NULL;
		const char *a[] = {backends[b],
				   "--pipewire",
				   "-D",
				   root,
				   "--bind-ro=/usr",
				   "--",
				   "/bin/sh",
				   "-c",
				   "echo $PIPEWIRE_REMOTE; pw-cli info 0",
				   NULL};
		int st = launch(&out, &err, a);
		cr_assert_eq(st, 0, "%s: status %d\nstdout: %s\nstderr: %s", backends[b], st, out,
			     err);
		cr_assert(strstr(out, "/run/passthru/pipewire/pipewire-0\n"), "%s", out);
		cr_assert(strstr(out, "PipeWire:Interface:Core"), "the daemon's core: %s", out);
		free(out);
		free(err);
	}
	free(rt);
}

Test(desktop, pulse_on_pipewire)
{
	if (!tu_have("pipewire") || !tu_have("pipewire-pulse") || !tu_have("pactl"))
		cr_skip_test("needs pipewire, pipewire-pulse and pactl");
	char *rt = runtime_dir("rt");
	start_pipewire(rt, true);
	setenv("XDG_RUNTIME_DIR", rt, 1);
	setenv("HOME", tmp, 1);
	for (size_t b = 0; b < 2; b++) {
		if (b == 1 && !tu_can_nspawn())
			continue;
		char *out = NULL, *err = NULL;
		const char *a[] = {backends[b],	     "--pulse", "-D",	  root,
				   "--bind-ro=/usr", "-u",	"tester", "--",
				   "pactl",	     "info",	NULL};
		int st = launch(&out, &err, a);
		cr_assert_eq(st, 0, "%s: status %d\nstdout: %s\nstderr: %s", backends[b], st, out,
			     err);
		cr_assert(strstr(out, "Server Name: PulseAudio (on PipeWire"), "%s", out);
		free(out);
		free(err);
	}
	/* The probe names the server. */
	char *argv[] = {(char *)tu_tool("passthru-probe"), NULL};
	char *out = NULL;
	tu_run(argv, &out, NULL, 30);
	cr_assert(strstr(out, "PipeWire"), "the probe says which server: %s", out);
	free(out);
	free(rt);
}

/* ---- The host's X server out of reach, the network kept ----------------- */

/* An Xvfb of the test's as "the host's X server": its display number. */
static int host_xvfb(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	char fd[16], log[4200];
	snprintf(fd, sizeof(fd), "%d", p[1]);
	snprintf(log, sizeof(log), "%s/host-xvfb.log", tmp);
	char *argv[] = {"Xvfb",	   "-displayfd", fd,	       "-nolisten", "tcp",
			"-screen", "0",		 "320x240x24", NULL};
	start_bg(argv, NULL, 022, log);
	close(p[1]);
	char buf[32] = "";
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	cr_assert_eq(poll(&pf, 1, 10000), 1, "Xvfb wrote no display number");
	cr_assert_gt(read(p[0], buf, sizeof(buf) - 1), 0);
	close(p[0]);
	return atoi(buf);
}

/* A TCP listener on the host's 127.0.0.1 for one connection, bounded in
 * time; greets the client. Returns its port. */
static int host_listener(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(s, 1), 0);
	socklen_t len = sizeof(sa);
	getsockname(s, (struct sockaddr *)&sa, &len);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct pollfd pf = {.fd = s, .events = POLLIN};
		if (poll(&pf, 1, 60000) == 1) {
			int c = accept(s, NULL, NULL);
			if (c >= 0) {
				const char hello[] = "hello-from-the-host\n";
				if (write(c, hello, sizeof(hello) - 1) < 0)
					_exit(1);
				close(c);
			}
		}
		_exit(0);
	}
	track(pid);
	close(s);
	return ntohs(sa.sin_port);
}

static void isolation(const char *backend)
{
	if (!tu_have("Xvfb") || !tu_have("xdpyinfo") || !tu_have("slirp4netns"))
		cr_skip_test("needs Xvfb, xdpyinfo and slirp4netns");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		cr_skip_test("the kernel gives no /dev/net/tun here: no user-mode network");
	int host = host_xvfb();
	char script[512];
	snprintf(script, sizeof(script),
		 "if xdpyinfo -display :%d >/dev/null 2>&1; then echo host-display-reachable; "
		 "else echo host-display-unreachable; fi; "
		 "xdpyinfo | grep dimensions; echo tcp:; nc -w 10 $HOST_ADDR $PORT",
		 host);

	for (int net_host = 0; net_host < 2; net_host++) {
		int port = host_listener();
		char env_port[32];
		snprintf(env_port, sizeof(env_port), "--setenv=PORT=%d", port);
		char *out = NULL, *err = NULL;
		const char *a[20] = {backend, "--xvfb=640x480", "-D",
				     root,    "--bind-ro=/usr", env_port};
		size_t n = 6;
		a[n++] = net_host ? "--setenv=HOST_ADDR=127.0.0.1" : "--setenv=HOST_ADDR=10.0.2.2";
		if (net_host)
			a[n++] = "--network=host";
		const char *rest[] = {"-u", "tester", "--", "/bin/sh", "-c", script, NULL};
		for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
			a[n++] = rest[i];
		int st = launch(&out, &err, a);
		cr_assert_eq(st, 0, "%s%s: status %d\nstdout: %s\nstderr: %s", backend,
			     net_host ? " --network=host" : "", st, out, err);
		cr_assert(strstr(out, "640x480 pixels"), "its own display works: %s", out);
		cr_assert(strstr(out, "tcp:\nhello-from-the-host\n"),
			  "the host's TCP listener answers: %s", out);
		if (net_host) {
			cr_assert(strstr(out, "host-display-reachable"), "%s", out);
			cr_assert(strstr(err, "can reach the X server"), "the warning: %s", err);
		} else {
			cr_assert(strstr(out, "host-display-unreachable"),
				  "the host's X server is out of reach: %s", out);
			cr_assert_eq(strstr(err, "can reach the X server"), NULL, "%s", err);
		}
		free(out);
		free(err);
	}
}

Test(desktop, host_x_out_of_reach_network_kept_native)
{
	isolation(backends[0]);
}

/* The probe says which protection applies: for root here user-mode
 * networking; the reason where it cannot be had. */
Test(desktop, probe_names_the_protection)
{
	if (geteuid() != 0 || !tu_have("slirp4netns"))
		cr_skip_test("needs root and slirp4netns");
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--json", NULL};
	char *out = NULL;
	cr_assert_eq(tu_run(argv, &out, NULL, 30), 0);
	bool tun = access("/dev/net/tun", F_OK) == 0;
	cr_assert(
	    strstr(out, tun ? "\"protection\": \"user-network\"" : "\"protection\": \"none\""),
	    "%s", out);
	if (tun)
		cr_assert(strstr(out, "\"host_address\": \"10.0.2.2\""), "%s", out);
	free(out);
	/* Unprivileged, no user-mode network: the probe says so and why. */
	if (tu_have("setpriv")) {
		char *asnobody[] = {"setpriv",
				    "--reuid=65534",
				    "--regid=65534",
				    "--clear-groups",
				    "--",
				    (char *)tu_tool("passthru-probe"),
				    "--json",
				    NULL};
		cr_assert_eq(tu_run(asnobody, &out, NULL, 30), 0);
		cr_assert(strstr(out, "\"protection\": \"none\""), "%s", out);
		cr_assert(strstr(out, "needs root"), "%s", out);
		free(out);
	}
	/* With the host's X server running, the probe lists its socket. */
	if (!tu_have("Xvfb"))
		return;
	int n = host_xvfb();
	char want[64];
	snprintf(want, sizeof(want), "\"@/tmp/.X11-unix/X%d\"", n);
	cr_assert_eq(tu_run(argv, &out, NULL, 30), 0);
	cr_assert(strstr(out, want), "%s", out);
	free(out);
}

Test(desktop, host_x_out_of_reach_network_kept_nspawn)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	isolation(backends[1]);
}

/* A host whose resolver is loopback-only (systemd-resolved's 127.0.0.53)
 * gives a container with a network of its own slirp4netns's forwarder:
 * the loopback address would be the container's own. The test process
 * (its own, by Criterion) sees a resolv.conf of the test's in a mount
 * namespace of its own; the host's is untouched. */
Test(desktop, loopback_resolver_becomes_the_forwarder)
{
	if (geteuid() != 0 || !tu_have("slirp4netns") || access("/dev/net/tun", F_OK) != 0)
		cr_skip_test("needs root, slirp4netns and /dev/net/tun");
	char fake[4200];
	snprintf(fake, sizeof(fake), "%s/resolv.conf", tmp);
	tu_write(fake, "nameserver 127.0.0.53\noptions edns0\n", 0644);
	char real[4096];
	cr_assert_not_null(realpath("/etc/resolv.conf", real));
	cr_assert_eq(unshare(CLONE_NEWNS), 0);
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	cr_assert_eq(mount(fake, real, NULL, MS_BIND, NULL), 0);
	const char *modes[] = {"--network=user", "--network=host"};
	for (int i = 0; i < 2; i++) {
		char *out = NULL, *err = NULL;
		const char *a[] = {"--backend=native", modes[i], "--", "cat",
				   "/etc/resolv.conf", NULL};
		int st = launch(&out, &err, a);
		cr_assert_eq(st, 0, "%s: status %d: %s", modes[i], st, err);
		cr_assert(strstr(out, i ? "nameserver 127.0.0.53\n" : "nameserver 10.0.2.3\n"),
			  "%s: %s", modes[i], out);
		free(out);
		free(err);
	}
}
