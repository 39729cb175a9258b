/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nested display with real servers: a headless Xvfb plays the host's
 * display (started here with -displayfd, independent of the code under
 * test), real Xephyr windows open on it, real xdpyinfo clients connect, and
 * real systemd-nspawn runs a container that uses the display. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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

#include "passthru/passthru.h"
#include "testutil.h"

#define ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static char *tmp;
static pid_t host_pid = -1;
static int host_number = -1;
static char host_name[16];
static struct pt_display *displays[8];
static struct pt_plan *plans[8];
static pid_t launcher_pid = -1;
static pid_t fake_server_pid = -1; /* a stand-in server a test started */

/* Starts a headless Xvfb as the host display and points DISPLAY at it. */
static void start_host_display(void)
{
	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t parent = getpid(), pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		tu_die_with_parent(parent);
		setpgid(0, 0);
		dup2(p[1], 3);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execlp("Xvfb", "Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0",
		       "1024x768x24", (char *)NULL);
		_exit(127);
	}
	host_pid = pid;
	close(p[1]);
	char buf[32] = "";
	size_t len = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	while (len < sizeof(buf) - 1 && !strchr(buf, '\n') && poll(&pf, 1, 20000) == 1) {
		ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	close(p[0]);
	cr_assert(strchr(buf, '\n'), "host Xvfb gave no display number");
	host_number = atoi(buf);
	snprintf(host_name, sizeof(host_name), ":%d", host_number);
	setenv("DISPLAY", host_name, 1);
}

static void stop_pid(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 300; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void setup(void)
{
	if (!tu_have("Xvfb") || !tu_have("Xephyr") || !tu_have("xdpyinfo"))
		cr_skip_test("needs Xvfb, Xephyr and xdpyinfo");
	tmp = tu_tmpdir();
	/* Generated state goes where the test can see it is cleaned up. */
	setenv("TMPDIR", tmp, 1);
	setenv("XDG_RUNTIME_DIR", tmp, 1);
	start_host_display();
}

static void teardown(void)
{
	stop_pid(launcher_pid);
	if (fake_server_pid > 0)
		kill(fake_server_pid, SIGKILL); /* not our child: the library's */
	for (size_t i = 0; i < ELEMENTS(displays); i++) {
		pt_display_free(displays[i]);
		pt_plan_free(plans[i]);
	}
	stop_pid(host_pid);
	tu_rm_rf(tmp);
	free(tmp);
}

TestSuite(display, .init = setup, .fini = teardown, .timeout = 60);

static struct pt_display_opts *opts_for(enum pt_display_kind kind)
{
	struct pt_display_opts *o = pt_display_opts_new(kind);
	cr_assert_not_null(o);
	o->state_dir = tmp;
	return o;
}

static struct pt_display *start(struct pt_display_opts *o, size_t slot)
{
	struct pt_error err = {0};
	int r = pt_display_start(o, &displays[slot], &err);
	cr_assert_eq(r, 0, "start: %s", err.message);
	return displays[slot];
}

/* Gives display to a fresh plan, writes the plan's Xauthority out as a
 * backend would and returns its host path. */
static const char *client_xauthority(size_t slot)
{
	static char paths[ELEMENTS(displays)][4200];
	struct pt_error err = {0};
	plans[slot] = pt_plan_new();
	cr_assert_not_null(plans[slot]);
	cr_assert_eq(pt_display_add_to_plan(displays[slot], plans[slot], &err), 0, "%s",
		     err.message);
	const struct pt_file *f = pt_plan_file(plans[slot], 0);
	cr_assert_not_null(f);
	snprintf(paths[slot], sizeof(paths[slot]), "%s/Xauthority-%zu", tmp, slot);
	FILE *out = fopen(paths[slot], "we");
	cr_assert_not_null(out);
	cr_assert_eq(fwrite(f->data, 1, f->size, out), f->size);
	cr_assert_eq(fclose(out), 0);
	return paths[slot];
}

/* xdpyinfo on display with XAUTHORITY=xauth; its exit status, output in *out. */
static int xdpyinfo(const char *display, const char *xauth, char **out)
{
	char env[4200];
	snprintf(env, sizeof(env), "XAUTHORITY=%s", xauth);
	char *argv[] = {"env", env, "xdpyinfo", "-display", (char *)display, NULL};
	char *err = NULL;
	int r = tu_run(argv, out, &err, 20);
	free(err);
	return r;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* The display's socket and lock file in the host's /tmp. */
static bool socket_exists(int n)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/.X11-unix/X%d", n);
	return exists(path);
}

/* The inode of display n's socket, 0 when there is none. Suites run in
 * parallel, so another test's server may take a number once it is free:
 * "our socket is gone" means this inode is gone. */
/* Which socket is at display n's name (0: none): its inode number and
 * birth time, since with parallel suites another server may take the
 * number at once and the file system may hand it the freed inode number. */
static unsigned long long socket_ino(int n)
{
	char path[64];
	struct statx stx;
	snprintf(path, sizeof(path), "/tmp/.X11-unix/X%d", n);
	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_BTIME, &stx) < 0)
		return 0;
	return stx.stx_ino ^ ((unsigned long long)stx.stx_btime.tv_nsec << 32) ^
	       (unsigned long long)stx.stx_btime.tv_sec;
}

static bool lock_exists(int n)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/.X%d-lock", n);
	return exists(path);
}

static size_t entries_in(const char *dir)
{
	char *argv[] = {"ls", "-A", (char *)dir, NULL};
	char *out = NULL;
	tu_run(argv, &out, NULL, 10);
	size_t n = 0;
	for (char *p = out; p && *p; p++)
		n += *p == '\n';
	free(out);
	return n;
}

struct starter {
	struct pt_display_opts *opts;
	struct pt_display *display;
	int r;
	struct pt_error err;
};

static void *start_thread(void *arg)
{
	struct starter *s = arg;
	s->r = pt_display_start(s->opts, &s->display, &s->err);
	return NULL;
}

Test(display, three_started_at_once_get_three_numbers_and_all_work)
{
	struct starter s[3] = {{0}};
	pthread_t t[3];
	const char *sizes[] = {"320x200", "400x300", "500x400"};
	for (int i = 0; i < 3; i++) {
		s[i].opts = opts_for(PT_DISPLAY_XEPHYR);
		cr_assert_eq(pt_display_parse_size(sizes[i], &s[i].opts->width,
						   &s[i].opts->height, NULL), 0);
		cr_assert_eq(pthread_create(&t[i], NULL, start_thread, &s[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		displays[i] = s[i].display;
		pt_display_opts_free(s[i].opts);
	}
	for (int i = 0; i < 3; i++)
		cr_assert_eq(s[i].r, 0, "display %d: %s", i, s[i].err.message);

	int a = pt_display_number(displays[0]), b = pt_display_number(displays[1]),
	    c = pt_display_number(displays[2]);
	cr_assert(a != b && b != c && a != c, "numbers %d %d %d", a, b, c);
	cr_assert(a != host_number && b != host_number && c != host_number);

	const char *xauth[3];
	for (size_t i = 0; i < 3; i++)
		xauth[i] = client_xauthority(i);
	for (int i = 0; i < 3; i++) {
		char *out = NULL, want[64];
		cr_assert_eq(xdpyinfo(pt_display_name(displays[i]), xauth[i], &out), 0,
			     "client of %s", pt_display_name(displays[i]));
		snprintf(want, sizeof(want), "dimensions:    %s pixels", sizes[i]);
		cr_assert(strstr(out, want), "%s: want '%s' in\n%s", pt_display_name(displays[i]),
			  want, out);
		free(out);
		/* Each display has a cookie of its own: another's does not open it. */
		cr_assert_neq(xdpyinfo(pt_display_name(displays[i]), xauth[(i + 1) % 3], NULL), 0,
			      "display %s accepted another display's cookie",
			      pt_display_name(displays[i]));
	}
}

Test(display, a_client_needs_the_cookie)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	const char *xauth = client_xauthority(0);

	char *out = NULL;
	cr_assert_eq(xdpyinfo(pt_display_name(d), xauth, &out), 0);
	cr_assert(strstr(out, "name of display:"), "%s", out);
	free(out);

	char empty[4096];
	snprintf(empty, sizeof(empty), "%s/empty-xauthority", tmp);
	tu_write(empty, "", 0600);
	cr_assert_neq(xdpyinfo(pt_display_name(d), empty, NULL), 0, "refused without a cookie");
	cr_assert_neq(xdpyinfo(pt_display_name(d), "/nonexistent", NULL), 0);
	/* The server's own -auth file admits a host client too. */
	cr_assert_eq(xdpyinfo(pt_display_name(d), pt_display_auth_file(d), NULL), 0);
}

Test(display, plan_gets_the_socket_one_cookie_and_the_environment)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	struct pt_error err = {0};
	struct pt_plan *plan = plans[0] = pt_plan_new();
	cr_assert_eq(pt_display_add_to_plan(d, plan, &err), 0, "%s", err.message);

	char sock[64];
	snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", pt_display_number(d));
	cr_assert_eq(pt_plan_bind_count(plan), 1, "only the display's socket");
	cr_assert_str_eq(pt_plan_bind(plan, 0)->source, sock);
	cr_assert_str_eq(pt_plan_bind(plan, 0)->target, sock);
	cr_assert_eq(pt_plan_bind(plan, 0)->flags, PT_BIND_RO);
	cr_assert_str_eq(pt_plan_get_env(plan, "DISPLAY"), pt_display_name(d));
	cr_assert_eq(pt_plan_file_count(plan), 1);
	const struct pt_file *f = pt_plan_file(plan, 0);
	cr_assert_str_eq(pt_plan_get_env(plan, "XAUTHORITY"), f->target);

	/* One FamilyWild entry, empty address and number, 16-byte cookie:
	 * the same bytes as the server's own -auth file. */
	static const char head[] = "\xff\xff\0\0\0\0\0\x12MIT-MAGIC-COOKIE-1\0\x10";
	cr_assert_eq(f->size, sizeof(head) - 1 + 16);
	cr_assert_eq(memcmp(f->data, head, sizeof(head) - 1), 0);
	char *server = NULL;
	size_t len = 0;
	FILE *sf = fopen(pt_display_auth_file(d), "re");
	cr_assert_not_null(sf);
	server = calloc(1, 256);
	len = fread(server, 1, 256, sf);
	fclose(sf);
	cr_assert_eq(len, f->size);
	cr_assert_eq(memcmp(server, f->data, len), 0);
	free(server);
	struct stat st;
	cr_assert_eq(stat(pt_display_auth_file(d), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "the host cookie is private");
}

Test(display, mit_shm_follows_the_ipc_namespace)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *priv = start(o, 0);
	o->private_ipc = false;
	struct pt_display *shared = start(o, 1);
	pt_display_opts_free(o);

	char *out = NULL;
	cr_assert_eq(xdpyinfo(pt_display_name(priv), client_xauthority(0), &out), 0);
	cr_assert_null(strstr(out, "MIT-SHM"), "MIT-SHM is off for a private IPC namespace");
	free(out);
	cr_assert_eq(xdpyinfo(pt_display_name(shared), pt_display_auth_file(shared), &out), 0);
	cr_assert(strstr(out, "MIT-SHM"), "MIT-SHM stays on when IPC is shared");
	free(out);

	/* A container with its own IPC namespace cannot use the MIT-SHM one. */
	struct pt_error err = {0};
	plans[1] = pt_plan_new();
	cr_assert_eq(pt_display_add_to_plan(shared, plans[1], &err), -EINVAL);
	cr_assert(strstr(err.message, "MIT-SHM"), "%s", err.message);
	pt_plan_set_flags(plans[1], 0);
	cr_assert_eq(pt_display_add_to_plan(shared, plans[1], &err), 0, "%s", err.message);
}

Test(display, a_killed_server_is_seen_and_cleaned_up)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	int n = pt_display_number(d);
	pid_t pid = pt_display_pid(d);
	char *auth = strdup(pt_display_auth_file(d));
	cr_assert(pt_display_alive(d));
	cr_assert_eq(pt_display_exit_status(d), -1);
	unsigned long long ino = socket_ino(n);
	cr_assert_neq(ino, 0);

	cr_assert_eq(kill(pid, SIGKILL), 0);
	struct pollfd p = {.fd = pt_display_pidfd(d), .events = POLLIN};
	cr_assert_eq(poll(&p, 1, 5000), 1, "the pidfd reports the death");
	cr_assert_not(pt_display_alive(d));
	cr_assert_eq(pt_display_exit_status(d), 128 + SIGKILL);
	cr_assert(socket_exists(n), "SIGKILL left the socket behind");

	struct pt_error err = {0};
	cr_assert_eq(pt_display_stop(d, 0, &err), 0);
	cr_assert_neq(socket_ino(n), ino, "the dead display's socket is gone");
	cr_assert_not(lock_exists(n));
	cr_assert_neq(access(auth, F_OK), 0, "cookie file removed");
	cr_assert_eq(entries_in(tmp), 0, "nothing left in the state directory");
	free(auth);
}

Test(display, stop_leaves_no_process_cookie_lock_or_socket)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	int n = pt_display_number(d);
	pid_t pid = pt_display_pid(d);
	char *auth = strdup(pt_display_auth_file(d));
	cr_assert_eq(access(auth, R_OK), 0);
	unsigned long long ino = socket_ino(n);
	cr_assert_neq(ino, 0);

	cr_assert_eq(pt_display_stop(d, 0, NULL), 0);
	cr_assert_eq(pt_display_exit_status(d), 0, "SIGTERM ends it cleanly");
	cr_assert_eq(kill(pid, 0), -1);
	cr_assert_eq(errno, ESRCH, "no process left");
	cr_assert_neq(socket_ino(n), ino, "its socket is gone");
	cr_assert_not(lock_exists(n));
	cr_assert_neq(access(auth, F_OK), 0);
	cr_assert_eq(entries_in(tmp), 0);
	cr_assert_eq(pt_display_stop(d, 0, NULL), 0, "stopping twice is harmless");
	free(auth);
}

Test(display, a_socket_that_is_not_ours_any_more_stays)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	int n = pt_display_number(d);
	kill(pt_display_pid(d), SIGKILL);
	struct pollfd p = {.fd = pt_display_pidfd(d), .events = POLLIN};
	cr_assert_eq(poll(&p, 1, 5000), 1);

	/* A new server took the number after ours died: its socket is new. */
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/.X11-unix/X%d", n);
	unlink(sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pt_display_stop(d, 0, NULL);
	bool kept = socket_exists(n);
	unlink(sa.sun_path);
	close(fd);
	cr_assert(kept, "another server's socket was removed");
}

Test(display, xvfb_needs_no_host_display)
{
	unsetenv("DISPLAY");
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XVFB);
	o->width = 640;
	o->height = 360;
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	char *out = NULL;
	cr_assert_eq(xdpyinfo(pt_display_name(d), client_xauthority(0), &out), 0);
	cr_assert(strstr(out, "dimensions:    640x360 pixels"), "%s", out);
	free(out);
}

Test(display, error_no_host_display)
{
	unsetenv("DISPLAY");
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = NULL;
	struct pt_error err = {0};
	cr_assert_eq(pt_display_start(o, &d, &err), -ENXIO);
	cr_assert_null(d);
	cr_assert(strstr(err.message, "needs a host display") && strstr(err.message, "DISPLAY"),
		  "%s", err.message);
	/* An empty host display is no display either. */
	o->host_display = "";
	cr_assert_eq(pt_display_start(o, &d, &err), -ENXIO);
	pt_display_opts_free(o);
	cr_assert_eq(entries_in(tmp), 0);
}

Test(display, error_no_server_binary)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = NULL;
	struct pt_error err = {0};
	o->server = "/nonexistent/Xephyr";
	cr_assert_eq(pt_display_start(o, &d, &err), -ENOENT);
	cr_assert_str_eq(err.message,
			 "Xephyr: exec /nonexistent/Xephyr: No such file or directory");

	/* Looked up in PATH: a PATH without Xephyr. */
	char empty[4096];
	snprintf(empty, sizeof(empty), "%s/empty-bin", tmp);
	mkdir(empty, 0755);
	o->server = NULL;
	setenv("PATH", empty, 1);
	cr_assert_eq(pt_display_start(o, &d, &err), -ENOENT);
	cr_assert_str_eq(err.message, "Xephyr: exec Xephyr: No such file or directory");
	pt_display_opts_free(o);
	rmdir(empty);
	cr_assert_eq(entries_in(tmp), 0);
}

Test(display, error_server_exits_at_once_with_its_last_words)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	const char *args[] = {"-no-such-option", NULL};
	o->extra_args = args;
	struct pt_display *d = NULL;
	struct pt_error err = {0};
	cr_assert_eq(pt_display_start(o, &d, &err), -ECHILD);
	pt_display_opts_free(o);
	cr_assert(strstr(err.message, "Xephyr (on host display") &&
			  strstr(err.message, "exited with status 1 before it accepted clients") &&
			  strstr(err.message, ": Unrecognized option: -no-such-option"),
		  "%s", err.message);
	cr_assert_null(strchr(err.message, '\n'), "one line");
	cr_assert_eq(entries_in(tmp), 0);
}

Test(display, error_server_that_never_gets_ready_times_out)
{
	char script[4096], pidfile[4096];
	snprintf(pidfile, sizeof(pidfile), "%s/server.pid", tmp);
	snprintf(script, sizeof(script), "%s/bin/slow-server", tmp);
	char body[8300];
	snprintf(body, sizeof(body), "#!/bin/sh\necho $$ > %s\nexec sleep 60\n", pidfile);
	tu_write(script, body, 0755);

	struct pt_display_opts *o = opts_for(PT_DISPLAY_XVFB);
	o->server = script;
	o->timeout_ms = 300;
	struct pt_display *d = NULL;
	struct pt_error err = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(pt_display_start(o, &d, &err), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pt_display_opts_free(o);
	cr_assert_str_eq(err.message, "Xvfb did not accept clients within 300 ms");
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_assert(ms < 3000, "gave up after %ld ms", ms);

	char *s = NULL;
	char *cat[] = {"cat", pidfile, NULL};
	cr_assert_eq(tu_run(cat, &s, NULL, 5), 0);
	pid_t pid = atoi(s);
	free(s);
	cr_assert(pid > 0);
	bool gone = kill(pid, 0) == -1 && errno == ESRCH;
	if (!gone)
		fake_server_pid = pid;
	cr_assert(gone, "the stuck server was killed");
	unlink(pidfile);
	unlink(script);
	char bin[4096];
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	rmdir(bin);
	cr_assert_eq(entries_in(tmp), 0);
}

Test(display, exposed_abstract_sockets_are_reported)
{
	struct pt_display_opts *o = opts_for(PT_DISPLAY_XEPHYR);
	struct pt_display *d = start(o, 0);
	pt_display_opts_free(o);
	struct pt_plan *plan = plans[0] = pt_plan_new();
	char **socks = NULL, want[64];
	snprintf(want, sizeof(want), "@/tmp/.X11-unix/X%d", host_number);
	int n = pt_display_exposed_sockets(d, plan, &socks, NULL);
	cr_assert(n >= 1);
	bool host = false, own = false;
	for (char **s = socks; *s; s++) {
		host |= strcmp(*s, want) == 0;
		own |= atoi(*s + strlen("@/tmp/.X11-unix/X")) == pt_display_number(d);
	}
	pt_argv_free(socks);
	cr_assert(host, "the host display's abstract socket is reported");
	cr_assert_not(own, "the container's own display is not a leak");

	pt_plan_set_flags(plan, PT_PLAN_PRIVATE_IPC | PT_PLAN_PRIVATE_NETWORK);
	cr_assert_eq(pt_display_exposed_sockets(d, plan, &socks, NULL), 0);
	cr_assert_null(socks[0]);
	pt_argv_free(socks);
}

Test(display, parse_size)
{
	unsigned w = 0, h = 0;
	struct pt_error err = {0};
	cr_assert_eq(pt_display_parse_size("1280x720", &w, &h, &err), 0);
	cr_assert(w == 1280 && h == 720);
	const char *bad[] = {"", "x", "12x", "x12", "0x10", "10x0", "-1x5", "1280X720",
			     "99999x1", "1x2x3", "12 x 3"};
	for (size_t i = 0; i < ELEMENTS(bad); i++) {
		cr_assert_eq(pt_display_parse_size(bad[i], &w, &h, &err), -EINVAL, "'%s'", bad[i]);
		cr_assert(strstr(err.message, "expected WIDTHxHEIGHT"), "%s", err.message);
	}
}

/* ---- through the launcher and real systemd-nspawn ---- */

/* A busybox root where the host's dynamic binaries (xdpyinfo) run once the
 * host /usr is bound read-only: Debian's merged /usr needs /lib and /lib64. */
static char *x_root(void)
{
	char *root = tu_busybox_root(tmp), path[4096];
	snprintf(path, sizeof(path), "%s/lib", root);
	cr_assert_eq(symlink("usr/lib", path), 0);
	snprintf(path, sizeof(path), "%s/lib64", root);
	cr_assert_eq(symlink("usr/lib64", path), 0);
	return root;
}

Test(display, a_container_reaches_the_nested_display_and_no_host_socket)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	char *root = x_root();
	char script[640];
	snprintf(script, sizeof(script),
		 "echo DISPLAY=$DISPLAY; ls -A /tmp/.X11-unix; "
		 "xdpyinfo | grep -E '^name of display|dimensions'; "
		 "test -e /tmp/.X11-unix/X%d && echo HOST-SOCKET-VISIBLE; "
		 "stat -c 'INODE=%%i' /tmp/.X11-unix/X${DISPLAY#:}; exit 0",
		 host_number);
	/* --network=host: the host's network namespace as before --network
	 * existed (the default now gives a nested display a network of its
	 * own, see test-desktop), to see the warning about it. */
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--xephyr=800x600", "--network=host",
			"-D", root, "--bind-ro=/usr", "--", "sh", "-c", script, NULL};
	char *out = NULL, *err = NULL;
	int r = tu_run(argv, &out, &err, 60);
	cr_assert_eq(r, 0, "status %d\nout: %s\nerr: %s", r, out, err);
	/* nspawn's pseudo-terminal writes "\r\n". */
	for (char *p = out, *q = out;; p++)
		if (*p != '\r' && !(*q++ = *p))
			break;

	int n = -1;
	char *dl = strstr(out, "DISPLAY=:");
	cr_assert_not_null(dl, "%s", out);
	n = atoi(dl + strlen("DISPLAY=:"));
	cr_assert(n >= 0 && n != host_number, "%s", out);
	char want[128];
	snprintf(want, sizeof(want), "DISPLAY=:%d\nX%d\nname of display:    :%d\n", n, n, n);
	cr_assert(strstr(out, want), "only X%d in /tmp/.X11-unix and xdpyinfo works:\n%s", n, out);
	cr_assert(strstr(out, "dimensions:    800x600 pixels"), "%s", out);
	cr_assert_null(strstr(out, "HOST-SOCKET-VISIBLE"), "%s", out);

	/* The host display stays reachable through its abstract socket in a
	 * shared network namespace: the launcher says so. */
	snprintf(want, sizeof(want), "abstract socket @/tmp/.X11-unix/X%d", host_number);
	cr_assert(strstr(err, want), "%s", err);

	/* After the command: the display is gone, nothing is left. Other
	 * suites' servers may take the number at once: what must be gone is
	 * this socket (its inode, the same through the bind), not the name. */
	const char *ino = strstr(out, "INODE=");
	cr_assert_not_null(ino, "%s", out);
	unsigned long inode = strtoul(ino + strlen("INODE="), NULL, 10);
	char sock[64];
	snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", n);
	struct stat after;
	cr_assert(stat(sock, &after) < 0 || after.st_ino != inode, "the display's socket is left");
	cr_assert_eq(entries_in(tmp), 1, "only the root is left in %s", tmp);
	free(out);
	free(err);
	free(root);
}

Test(display, a_non_root_container_user_can_use_the_display)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	char *root = x_root();
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--xvfb", "--xephyr-arg=-dpi",
			"--xephyr-arg=120", "-D", root, "-u", "tester", "--bind-ro=/usr", "--",
			"sh", "-c", "id -u; xdpyinfo | grep resolution:", NULL};
	char *out = NULL, *err = NULL;
	int r = tu_run(argv, &out, &err, 60);
	cr_assert_eq(r, 0, "status %d\nout: %s\nerr: %s", r, out, err);
	cr_assert(strstr(out, "1000"), "%s", out);
	/* The extra server arguments reached the server. */
	cr_assert(strstr(out, "resolution:    120x120 dots per inch"),
		  "uid 1000 opened the display: %s", out);
	free(out);
	free(err);
	free(root);
}

/* Starts the launcher in the background with its stderr in a file. */
static pid_t launch_async(char *const argv[], const char *errfile)
{
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(null, 0);
		dup2(null, 1);
		dup2(e, 2);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(argv[0], argv);
		_exit(127);
	}
	return launcher_pid = pid;
}

/* The launcher's child named comm, once it and the container's marker exist. */
static pid_t child_named(pid_t parent, const char *comm, const char *marker)
{
	for (int i = 0; i < 2000; i++) {
		char path[128], *kids = NULL;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
		char *cat[] = {"cat", path, NULL};
		tu_run(cat, &kids, NULL, 5);
		for (char *p = kids; p && *p;) {
			pid_t c = (pid_t)strtol(p, &p, 10);
			if (c <= 0)
				break;
			char cpath[64], *name = NULL;
			snprintf(cpath, sizeof(cpath), "/proc/%d/comm", c);
			char *cat2[] = {"cat", cpath, NULL};
			tu_run(cat2, &name, NULL, 5);
			bool match = name && strncmp(name, comm, strlen(comm)) == 0;
			free(name);
			if (match && access(marker, F_OK) == 0) {
				free(kids);
				return c;
			}
		}
		free(kids);
		usleep(10000);
	}
	return -1;
}

static int wait_launcher(int timeout_ms)
{
	for (int i = 0; i < timeout_ms / 10; i++) {
		int st;
		if (waitpid(launcher_pid, &st, WNOHANG) == launcher_pid) {
			launcher_pid = -1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	return -1;
}

static char *read_all(const char *path)
{
	char *buf = calloc(1, 65536);
	cr_assert_not_null(buf);
	FILE *f = fopen(path, "re");
	if (f) {
		size_t n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

/* A container with its Xephyr, the display killed from outside with sig:
 * the launcher's status and what it said (caller frees), the display
 * number the container had, and whether that socket (inode and birth
 * time: other suites' servers may take the number at once) was removed. */
static int kill_the_display(int sig, char **ret_err, int *ret_number, bool *ret_removed)
{
	char *root = x_root();
	char mark[4096], bind[8300], errfile[4096], marker[4200];
	snprintf(mark, sizeof(mark), "%s/mark", tmp);
	mkdir(mark, 0755);
	snprintf(bind, sizeof(bind), "--bind=%s:/mark", mark);
	snprintf(marker, sizeof(marker), "%s/started", mark);
	snprintf(errfile, sizeof(errfile), "%s/err", tmp);
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--xephyr", "-D", root, bind, "--",
			"sh", "-c", "echo \"$DISPLAY\" > /mark/started.tmp; mv /mark/started.tmp /mark/started; exec sleep 60", NULL};
	pid_t launcher = launch_async(argv, errfile);
	pid_t x = child_named(launcher, "Xephyr", marker);
	cr_assert(x > 0, "Xephyr and the container run");
	char *shown = read_all(marker);
	int shown_n = -1;
	sscanf(shown, ":%d", &shown_n);
	free(shown);
	unsigned long long before = socket_ino(shown_n);
	cr_assert_neq(before, 0, "the display's socket X%d exists", shown_n);

	cr_assert_eq(kill(x, sig), 0);
	int st = wait_launcher(10000);
	*ret_err = read_all(errfile);
	*ret_number = shown_n;
	*ret_removed = socket_ino(shown_n) != before;
	cr_assert_eq(kill(x, 0), -1, "reaped");
	free(root);
	return st;
}

/* The display number a launcher's error names, or -1. */
static int named_display(const char *err, const char **ret_at)
{
	int n = -1;
	const char *at = strstr(err, "the Xephyr display :");
	if (at)
		sscanf(at, "the Xephyr display :%d", &n);
	*ret_at = at;
	return n;
}

Test(display, a_dying_display_stops_the_container)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	char *err = NULL;
	int shown_n;
	bool removed;
	int st = kill_the_display(SIGKILL, &err, &shown_n, &removed);
	cr_assert_eq(st, 125, "exit status %d: %s", st, err);
	const char *at;
	int n = named_display(err, &at);
	cr_assert(n >= 0 && strstr(err, "died (killed by signal 9); stopped sh"), "%s", err);
	cr_assert_eq(n, shown_n, "the display the container had");
	cr_assert(removed, "the dead display's socket was removed");
	free(err);
}

/* Stopped from outside (SIGTERM), the server exits by itself and logs its
 * shutdown: that is no reason, so none is shown after the status. */
Test(display, a_display_stopped_from_outside_shows_no_misleading_words)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	char *err = NULL;
	int shown_n;
	bool removed;
	int st = kill_the_display(SIGTERM, &err, &shown_n, &removed);
	cr_assert_eq(st, 125, "exit status %d: %s", st, err);
	const char *at;
	int n = named_display(err, &at);
	const char *died = at ? strstr(at, " died (") : NULL;
	cr_assert(n >= 0 && died, "%s", err);
	int code = -1, used = 0;
	cr_assert_eq(sscanf(died, " died (exit status %d); stopped sh\n%n", &code, &used), 1,
		     "only the status, no last words: %s", err);
	cr_assert(used > 0, "the message ends after the command's name: %s", err);
	cr_assert_eq(n, shown_n, "the display the container had");
	cr_assert(removed, "the dead display's socket was removed");
	free(err);
}

Test(display, sigterm_to_the_launcher_ends_command_and_display)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	char *root = x_root();
	char mark[4096], bind[8300], errfile[4096], marker[4200];
	snprintf(mark, sizeof(mark), "%s/mark", tmp);
	mkdir(mark, 0755);
	snprintf(bind, sizeof(bind), "--bind=%s:/mark", mark);
	snprintf(marker, sizeof(marker), "%s/started", mark);
	snprintf(errfile, sizeof(errfile), "%s/err", tmp);
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--xephyr", "-D", root, bind, "--",
			"sh", "-c", "touch /mark/started; exec sleep 60", NULL};
	pid_t launcher = launch_async(argv, errfile);
	pid_t x = child_named(launcher, "Xephyr", marker);
	cr_assert(x > 0, "Xephyr and the container run");

	cr_assert_eq(kill(launcher, SIGTERM), 0);
	int st = wait_launcher(10000);
	cr_assert_neq(st, -1, "the launcher ended");
	cr_assert_neq(st, 0, "the command was ended, not finished");
	cr_assert(kill(x, 0) == -1 && errno == ESRCH, "the display was stopped");
	char *err = read_all(errfile);
	cr_assert_null(strstr(err, "died"), "a stop on request is no crash: %s", err);
	free(err);
	free(root);
}

Test(display, launcher_without_host_display_suggests_xvfb)
{
	unsetenv("DISPLAY");
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--xephyr", "-D", tmp, "--", "true",
			NULL};
	char *out = NULL, *err = NULL;
	cr_assert_eq(tu_run(argv, &out, &err, 20), 125);
	cr_assert_str_eq(err, "passthru-launch: Xephyr needs a host display to open its window "
			      "on, and DISPLAY is not set; use --xvfb for a headless display\n");
	cr_assert_eq(entries_in(tmp), 0, "nothing left behind");
	free(out);
	free(err);
}

Test(display, launcher_dry_run_starts_no_display)
{
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--dry-run", "--xvfb=640x480",
			"--xephyr-arg=-dpi", "--xephyr-arg=96", "-D", tmp, "--", "true", NULL};
	char *out = NULL, *err = NULL;
	cr_assert_eq(tu_run(argv, &out, &err, 20), 0, "%s", err);
	cr_assert(strstr(err, "no display started") &&
			  strstr(err, "Xvfb -displayfd 3 -auth COOKIE_FILE -nolisten tcp -noreset "
				      "-extension MIT-SHM -screen 0 640x480x24 -dpi 96"),
		  "%s", err);
	cr_assert(strstr(out, "systemd-nspawn"), "%s", out);
	cr_assert_null(strstr(out, "X11-unix"), "no made-up socket in the command: %s", out);
	cr_assert_eq(entries_in(tmp), 0);
	free(out);
	free(err);
}
