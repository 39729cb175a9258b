/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend over a busybox root, run as root and as nobody (via
 * setpriv: then it builds its own user namespace, as an ordinary user's
 * launch would). Each test checks what a user of the container sees, and
 * that nothing of the container is left on the host. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "native.h"
#include "supervise.h"
#include "testutil.h"

static char *tmp, *root;
static char host_dev[256]; /* a node this test made in the host's /dev, or "" */
static char host_dev2[256]; /* another one, or "" */
static char host_shm[256]; /* a file this test made in the host's /dev/shm, or "" */

static void setup(void)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	host_dev[0] = '\0';
	host_dev2[0] = '\0';
	host_shm[0] = '\0';
}

static void teardown(void)
{
	if (host_dev[0])
		unlink(host_dev);
	if (host_dev2[0])
		unlink(host_dev2);
	if (host_shm[0])
		unlink(host_shm);
	if (tmp)
		tu_rm_rf(tmp);
	free(root);
	free(tmp);
	root = tmp = NULL;
}

/* Each test calls setup() itself once it knows it will not be skipped:
 * Criterion does not run .fini for a test skipped from its body, and what
 * .init made would stay behind. */
TestSuite(native, .fini = teardown);

static char *tpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *tpath(const char *fmt, ...)
{
	static char buf[8][4096];
	static int slot;
	char rel[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	char *p = buf[slot++ % 8];
	snprintf(p, 4096, "%s/%s", tmp, rel);
	return p;
}

/* argv of passthru-launch --backend=native ARGS..., as nobody when asked. */
static size_t launch_argv(char **argv, size_t max, bool nobody, va_list ap)
{
	size_t n = 0;
	if (nobody) {
		argv[n++] = "setpriv";
		argv[n++] = "--reuid=65534";
		argv[n++] = "--regid=65534";
		argv[n++] = "--clear-groups";
	}
	argv[n++] = (char *)tu_tool("passthru-launch");
	argv[n++] = "--backend=native";
	for (char *a; (a = va_arg(ap, char *)) && n + 1 < max;)
		argv[n++] = a;
	argv[n] = NULL;
	return n;
}

static void make_argv(char **argv, size_t max, bool nobody, ...)
{
	va_list ap;
	va_start(ap, nobody);
	launch_argv(argv, max, nobody, ap);
	va_end(ap);
}

/* Runs the launcher; the variable arguments end with NULL. */
static int launch(bool nobody, char **out, char **err, ...)
{
	char *argv[64];
	va_list ap;
	va_start(ap, err);
	launch_argv(argv, 64, nobody, ap);
	va_end(ap);
	return tu_run(argv, out, err, 30);
}

static void need(bool nobody)
{
	if (nobody && geteuid() != 0)
		cr_skip_test("becoming nobody needs root");
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Mounts that would be ours if they leaked to the host: under the test's
 * directory, or where the backend builds the container (its setup tmpfs
 * on /tmp, /oldroot, /newroot). A count of all mounts would be disturbed
 * by other programs mounting on a shared machine (systemd-nspawn does). */
static int our_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	cr_assert_not_null(f);
	char line[8192];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		char mp[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		n += strcmp(mp, "/tmp") == 0 || strncmp(mp, "/oldroot", 8) == 0 ||
		     strncmp(mp, "/newroot", 8) == 0;
	}
	fclose(f);
	return n + tu_mounts_under(tmp);
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	cr_assert_not_null(d, "%s: %s", path, strerror(errno));
	struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* Host directories to bind; as nobody, the mount points must already be in
 * the root: an ordinary user cannot create them in a root owned by root. */
static void make_data_dirs(bool nobody)
{
	if (nobody) {
		mkdir(tpath("root/mnt"), 0755);
		mkdir(tpath("root/mnt/data"), 0755);
		mkdir(tpath("root/mnt/rw"), 0755);
	}
	cr_assert_eq(mkdir(tpath("data"), 0755), 0);
	tu_write(tpath("data/hello"), "bound\n", 0644);
	cr_assert_eq(mkdir(tpath("rw"), 0777), 0);
	chmod(tpath("rw"), 0777);
}

/* Every test runs as root and as nobody. */
#define BOTH(name)                                                                                 \
	static void name##_body(bool nobody);                                                      \
	Test(native, name##_root)                                                                  \
	{                                                                                          \
		name##_body(false);                                                                \
	}                                                                                          \
	Test(native, name##_nobody)                                                                \
	{                                                                                          \
		need(true);                                                                        \
		name##_body(true);                                                                 \
	}                                                                                          \
	static void name##_body(bool nobody)

BOTH(environment_and_binds)
{
	setup();
	make_data_dirs(nobody);
	setenv("PT_TEST_HOST_SECRET", "leak", 1);
	char bind_ro[4200], bind_rw[4200];
	snprintf(bind_ro, sizeof(bind_ro), "--bind-ro=%s:/mnt/data", tpath("data"));
	snprintf(bind_rw, sizeof(bind_rw), "--bind=%s:/mnt/rw", tpath("rw"));
	char *out = NULL, *err = NULL;
	int rc =
	    launch(nobody, &out, &err, "-D", root, "-u", "tester", bind_ro, bind_rw,
		   "--setenv=FOO=bar baz", "--", "sh", "-c",
		   "env; cat /mnt/data/hello; (echo x > /mnt/data/new) 2>/dev/null || echo ro-ok;"
		   "echo w > /mnt/rw/w && echo rw-ok; echo uid=$(id -u) groups=$(id -G); pwd",
		   NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect(strstr(out, "FOO=bar baz\n"), "%s", out);
	cr_expect(strstr(out, "HOME=/home/tester\n"), "%s", out);
	cr_expect(strstr(out, "USER=tester\n"), "%s", out);
	cr_expect(
	    strstr(out, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"),
	    "%s", out);
	cr_expect(strstr(out, "container=passthru\n"), "%s", out);
	cr_expect_null(strstr(out, "PT_TEST_HOST_SECRET"), "the host's environment leaked: %s",
		       out);
	cr_expect(strstr(out, "bound\n"), "%s", out);
	cr_expect(strstr(out, "ro-ok\n"), "a read-only bind is writable: %s", out);
	cr_expect(strstr(out, "rw-ok\n"), "%s", out);
	/* Supplementary groups come from the root's /etc/group; a user
	 * namespace of an ordinary user may hold only its own group. */
	bool userns = nobody || geteuid() != 0;
	cr_expect(strstr(out, userns ? "uid=1000 groups=1000\n" : "uid=1000 groups=1000 44\n"),
		  "%s", out);
	cr_expect(strstr(out, "/home/tester\n"), "%s", out);
	cr_expect_eq(access(tpath("rw/w"), F_OK), 0, "a write to the rw bind reached the host");
	cr_expect_neq(access(tpath("data/new"), F_OK), 0);
	free(out);
	free(err);
}

BOTH(fake_device_node_opens_with_enxio)
{
	if (geteuid() != 0)
		cr_skip_test("mknod needs root");
	unsigned major = tu_free_char_major();
	setup();
	cr_assert_eq(mknod(tpath("fake"), S_IFCHR | 0666, makedev(major, 0)), 0, "mknod: %s",
		     strerror(errno));
	chmod(tpath("fake"), 0666);
	char bind[4200];
	snprintf(bind, sizeof(bind), "--bind=%s:/dev/fake", tpath("fake"));
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "-D", root, bind, "--", "sh", "-c",
			"cat /dev/fake; echo x > /dev/null && echo null-ok", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect(strstr(err, "No such device or address"), "%s", err);
	cr_expect_null(strstr(err, "Permission denied"), "%s", err);
	cr_expect_null(strstr(err, "Operation not permitted"), "%s", err);
	cr_expect(strstr(out, "null-ok"), "%s", out);
	free(out);
	free(err);
}

BOTH(pid1_is_ours_and_reaps_orphans)
{
	setup();
	char *out = NULL, *err = NULL;
	/* The subshell's sleep is orphaned to PID 1; without a reaper it stays
	 * a zombie ("Z") once it ends. */
	int rc = launch(nobody, &out, &err, "-D", root, "--", "sh", "-c",
			"cat /proc/1/comm; (sleep 0.2 &); sleep 1; cat /proc/[0-9]*/stat", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect(strncmp(out, "passthru-launch\n", 16) == 0, "PID 1 is: %s", out);
	cr_expect_null(strstr(out, ") Z "), "a zombie was left: %s", out);
	free(out);
	free(err);
}

BOTH(exit_codes_and_signals_propagate)
{
	setup();
	cr_expect_eq(launch(nobody, NULL, NULL, "-D", root, "--", "sh", "-c", "exit 7", NULL), 7);
	cr_expect_eq(
	    launch(nobody, NULL, NULL, "-D", root, "--", "sh", "-c", "kill -TERM $$", NULL), 143);
	cr_expect_eq(launch(nobody, NULL, NULL, "-D", root, "--", "true", NULL), 0);
}

BOTH(sigterm_to_the_launcher_ends_the_command)
{
	setup();
	char *argv[64];
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		make_argv(argv, 64, nobody, "-D", root, "--", "sh", "-c",
			  "echo ready; exec sleep 30", NULL);
		dup2(p[1], 1);
		close(p[0]);
		sigset_t none_set;
		sigemptyset(&none_set);
		sigprocmask(SIG_SETMASK, &none_set, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	char buf[64] = {0};
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	bool ready = poll(&pfd, 1, 10000) == 1 && read(p[0], buf, sizeof(buf) - 1) > 0;
	close(p[0]);
	if (!ready)
		kill(pid, SIGKILL);
	cr_assert(ready && strstr(buf, "ready"), "the command did not start: %s", buf);
	time_t start = time(NULL);
	kill(pid, SIGTERM);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 143, "status %#x", st);
	cr_expect_lt(time(NULL) - start, 5, "the command did not end at once");
}

/* Processes whose command line is exactly "sleep SECONDS". SECONDS is
 * the test's own (its pid in it): the root and nobody variants of a test
 * run side by side and must not count each other's. */
static int count_sleep(const char *seconds)
{
	char want[64];
	int want_len = snprintf(want, sizeof(want), "sleep%c%s", '\0', seconds) + 1;
	DIR *d = opendir("/proc");
	cr_assert_not_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		char path[300], buf[64] = {0};
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		if (len == (size_t)want_len && memcmp(buf, want, len) == 0)
			n++;
	}
	closedir(d);
	return n;
}

BOTH(nothing_is_left_on_the_host)
{
	setup();
	make_data_dirs(nobody);
	int mounts = our_mounts();
	char bind[4200];
	snprintf(bind, sizeof(bind), "--bind=%s:/mnt/rw", tpath("rw"));
	/* A daemon the command leaves behind dies with the PID namespace. */
	char seconds[32], script[64];
	snprintf(seconds, sizeof(seconds), "%d", 900000 + (int)getpid());
	snprintf(script, sizeof(script), "sleep %s & echo started", seconds);
	int rc = launch(nobody, NULL, NULL, "-D", root, bind, "--", "sh", "-c", script, NULL);
	cr_assert_eq(rc, 0);
	cr_expect_eq(count_sleep(seconds), 0, "a process of the container survived it");
	cr_expect_eq(our_mounts(), mounts, "a mount of the container is on the host");
	cr_expect_eq(tu_mounts_under(tmp), 0);
	cr_expect(dir_is_empty(tpath("rw")));
	/* No state directory: generated files live in the container's memory. */
	cr_expect_eq(launch(nobody, NULL, NULL, "-D", root, "--", "true", NULL), 0);
	cr_expect_eq(our_mounts(), mounts);
}

/* A hostile root: path inside it is a symlink to a host directory (under
 * our temp dir, standing for /etc or /dev). Whatever the launch does, that
 * host directory stays empty and unmounted. */
static void expect_contained(bool nobody, const char *path, const char *extra)
{
	char link[4200], host[4200];
	snprintf(host, sizeof(host), "%s/host%s", tmp, strrchr(path, '/'));
	snprintf(link, sizeof(link), "%s%s", root, path);
	cr_assert_eq(mkdir(host, 0777), 0, "mkdir %s: %s", host, strerror(errno));
	chmod(host, 0777);
	tu_rm_rf(link);
	cr_assert_eq(symlink(host, link), 0, "symlink %s: %s", link, strerror(errno));
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "-D", root, extra ? extra : "--setenv=A=B", "--",
			"true", NULL);
	cr_expect(rc == 0 || rc == 125, "rc %d: %s", rc, err);
	if (rc == 125) {
		cr_expect_eq(count_lines(err), 1, "one clear line: %s", err);
		cr_expect(strstr(err, "symlink"), "%s", err);
	}
	cr_expect(dir_is_empty(host), "something was created in the host's %s", host);
	cr_expect_eq(tu_mounts_under(tmp), 0, "something was mounted on the host");
	free(out);
	free(err);
}

BOTH(hostile_root_dev_proc_and_x11_symlinks)
{
	setup();
	cr_assert_eq(mkdir(tpath("host"), 0755), 0);
	expect_contained(nobody, "/dev", NULL);
	unlink(tpath("root/dev"));
	mkdir(tpath("root/dev"), 0755);
	expect_contained(nobody, "/proc", NULL);
	unlink(tpath("root/proc"));
	mkdir(tpath("root/proc"), 0755);

	tu_write(tpath("X5"), "", 0644);
	char bind[4200];
	snprintf(bind, sizeof(bind), "--bind-ro=%s:/tmp/.X11-unix/X5", tpath("X5"));
	expect_contained(nobody, "/tmp/.X11-unix", bind);
}

BOTH(hostile_bind_target_binds_safely_inside)
{
	setup();
	make_data_dirs(nobody);
	/* /etc2 -> $tmp/hostetc, an absolute link: inside the root it means
	 * ROOT/$tmp/hostetc, which exists there too. */
	cr_assert_eq(mkdir(tpath("hostetc"), 0755), 0);
	tu_write(tpath("hostetc/passwd"), "host file\n", 0644);
	char inside[4200], link[4200];
	snprintf(inside, sizeof(inside), "%s%s/hostetc/x", root, tmp);
	tu_write(inside, "", 0644);
	*strrchr(inside, '/') = '\0';
	chmod(inside, 0777);
	snprintf(link, sizeof(link), "%s/etc2", root);
	cr_assert_eq(symlink(tpath("hostetc"), link), 0);

	char bind[4200];
	snprintf(bind, sizeof(bind), "--bind-ro=%s:/etc2/sub", tpath("data"));
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "-D", root, bind, "--", "cat", "/etc2/sub/hello", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect_str_eq(out, "bound\n");
	cr_expect_neq(access(tpath("hostetc/sub"), F_OK), 0, "a mount point was made on the host");
	strcat(inside, "/sub");
	cr_expect_eq(access(inside, F_OK), 0, "the mount point is inside the root");
	cr_expect_eq(tu_mounts_under(tmp), 0);
	free(out);
	free(err);
}

BOTH(host_paths_through_absolute_symlinks)
{
	setup();
	make_data_dirs(nobody);
	/* Host paths are the user's own: an absolute symlink in the root's path
	 * or in a bind source is followed on the host, as the user meant. */
	cr_assert_eq(symlink(tpath("data"), tpath("datalink")), 0);
	cr_assert_eq(symlink(root, tpath("rootlink")), 0);
	char bind[4200];
	snprintf(bind, sizeof(bind), "--bind-ro=%s:/mnt/data", tpath("datalink"));
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "-D", tpath("rootlink"), bind, "--", "cat",
			"/mnt/data/hello", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect_str_eq(out, "bound\n");
	free(out);
	free(err);
}

BOTH(run_is_fresh_and_takes_producer_mount_points)
{
	setup();
	make_data_dirs(false);
	tu_write(tpath("root/run/host-file"), "", 0644);
	/* Displays and audio put their sockets under /run/passthru: even an
	 * ordinary user gets them, in a root owned by root or in the read-only
	 * host root, because /run is the container's own tmpfs. */
	char bind[4200];
	snprintf(bind, sizeof(bind), "--bind-ro=%s:/run/passthru/pulse", tpath("data"));
	for (int with_root = 1; with_root >= 0; with_root--) {
		char *out = NULL, *err = NULL;
		int rc = with_root ? launch(nobody, &out, &err, "-D", root, bind, "--", "sh", "-c",
					    "ls /run; cat /run/passthru/pulse/hello", NULL)
				   : launch(nobody, &out, &err, bind, "--", "sh", "-c",
					    "cat /run/passthru/pulse/hello", NULL);
		cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
		cr_expect_str_eq(out, with_root ? "passthru\nbound\n" : "bound\n");
		free(out);
		free(err);
	}
	cr_expect_neq(access(tpath("root/run/passthru"), F_OK), 0, "made in the root's /run");
}

BOTH(host_root_read_only_without_d)
{
	setup();
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "--", "sh", "-c",
			"touch /usr/pt-test-file 2>&1; ls -A /tmp | wc -l", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect(strstr(out, "Read-only file system"), "%s", out);
	cr_expect(strstr(out, "\n0\n") || strncmp(out, "0\n", 2) == 0, "a fresh /tmp: %s", out);
	cr_expect_neq(access("/usr/pt-test-file", F_OK), 0);
	free(out);
	free(err);
}

BOTH(private_network_has_only_loopback)
{
	setup();
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "-D", root, "--private-network", "--", "cat",
			"/proc/net/dev", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect_eq(count_lines(out), 3, "headers and lo only: %s", out);
	cr_expect(strstr(out, "lo:"), "%s", out);
	free(out);
	free(err);
}

BOTH(setup_errors_are_one_clear_line)
{
	setup();
	char *out = NULL, *err = NULL;
	/* The backend's own error, which the doctor would otherwise pre-empt. */
	int rc = launch(nobody, &out, &err, "--no-doctor", "-D", root, "-u", "nosuch", "--",
			"true", NULL);
	cr_expect_eq(rc, 125);
	cr_expect_str_eq(err, "passthru-launch: native: user 'nosuch' not found in the "
			      "container's /etc/passwd\n");
	free(out);
	free(err);
	rc = launch(nobody, &out, &err, "-D", root, "--", "nosuchcmd", NULL);
	cr_expect_eq(rc, 125);
	cr_expect_str_eq(err,
			 "passthru-launch: native: exec nosuchcmd: No such file or directory\n");
	free(out);
	free(err);
	rc = launch(nobody, &out, &err, "-D", root, "--bind=/proc/self/nonexistent:/x", "--",
		    "true", NULL);
	cr_expect_eq(rc, 2, "a missing source is bad usage: %s", err);
	free(out);
	free(err);
}

/* The library directly: a device node of the plan and a generated file. */
/* Runs the plan through the library in a child process, as root or after
 * becoming nobody without exec (as a library's caller may); returns the
 * command's status (90-92: the helper failed, its message on stderr). */
static int spawn_plan(const struct pt_plan *plan, bool nobody)
{
	pid_t child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		if (nobody && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			       setresuid(65534, 65534, 65534) < 0))
			_exit(90);
		struct pt_error e = {0};
		pid_t pid;
		int pidfd, status = -1;
		if (native_spawn(plan, 0, &pid, &pidfd, &e) < 0) {
			fprintf(stderr, "%s\n", e.message);
			_exit(91);
		}
		struct supervise s = {.pidfd = pidfd, .sigfd = -1};
		if (supervise_run(&s, &e) == 0)
			status = s.status;
		else
			_exit(92);
		_exit(status);
	}
	int st;
	cr_assert_eq(waitpid(child, &st, 0), child);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The fixture and host_dev, a node MAJOR:1 (mode 0666) of a driver-less
 * major in the host's /dev, which teardown() removes. Returns MAJOR. */
static unsigned setup_host_node(void)
{
	if (geteuid() != 0)
		cr_skip_test("a node in the host's /dev needs root");
	unsigned major = tu_free_char_major();
	setup();
	snprintf(host_dev, sizeof(host_dev), "/dev/pt-test-fake-%d", (int)getpid());
	cr_assert_eq(mknod(host_dev, S_IFCHR | 0666, makedev(major, 1)), 0, "%s", strerror(errno));
	cr_assert_eq(chmod(host_dev, 0666), 0); /* not the umask's */
	return major;
}

/* The library directly: a device node of the plan and a generated file. */
Test(native, plan_devices_and_generated_files)
{
	unsigned major = setup_host_node();
	make_data_dirs(false);

	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	char cmd[1024];
	snprintf(
	    cmd, sizeof(cmd),
	    "cat %s 2> /out/dev.txt; id -u > /out/file.txt; cat /etc/pt/gen.conf >> /out/file.txt;"
	    "stat -c %%a /etc/pt/gen.conf >> /out/file.txt",
	    host_dev);
	char *argv[] = {"sh", "-c", cmd, NULL};
	cr_assert_eq(pt_plan_set_root(plan, root, &e), 0);
	cr_assert_eq(pt_plan_set_user(plan, "tester", &e), 0);
	cr_assert_eq(pt_plan_add_device(plan, host_dev, 'c', major, 1, NULL, &e), 0);
	cr_assert_eq(pt_plan_add_bind(plan, tpath("rw"), "/out", 0, &e), 0);
	cr_assert_eq(pt_plan_add_file(plan, "/etc/pt/gen.conf", "generated\n", 10, 0600, &e), 0);
	cr_assert_eq(pt_plan_set_command(plan, 3, argv, &e), 0);

	/* As root first: that run also makes the mount points nobody could not
	 * create in a root owned by root. */
	for (int nobody = 0; nobody <= 1; nobody++) {
		unlink(tpath("rw/dev.txt"));
		unlink(tpath("rw/file.txt"));
		cr_assert_eq(spawn_plan(plan, nobody), 0, "as %s", nobody ? "nobody" : "root");
		char *text = NULL;
		char *cat[] = {"cat", tpath("rw/dev.txt"), tpath("rw/file.txt"), NULL};
		tu_run(cat, &text, NULL, 5);
		cr_expect(strstr(text, "No such device or address"), "%s", text);
		/* The user reads its 0600 file: it is the user's, read-only. */
		cr_expect(strstr(text, "1000\ngenerated\n600\n"), "%s", text);
		free(text);
	}
	cr_expect_eq(access(tpath("root/etc/pt/gen.conf"), F_OK), 0, "the mount point stays");
	cr_expect_eq(tu_mounts_under(tmp), 0);

	/* Errors inside the child come back whole: from the command's exec … */
	pid_t pid;
	int pidfd;
	char *bad[] = {"nosuchcmd", NULL};
	cr_assert_eq(pt_plan_set_command(plan, 1, bad, &e), 0);
	cr_expect_eq(native_spawn(plan, 0, &pid, &pidfd, &e), -ENOENT);
	cr_expect_str_eq(e.message, "native: exec nosuchcmd: No such file or directory");
	/* … and from PID 1's mounts. */
	cr_assert_eq(pt_plan_set_command(plan, 3, argv, &e), 0);
	cr_assert_eq(pt_plan_add_device(plan, tpath("data/hello"), 'c', major, 2, NULL, &e), 0);
	cr_expect_eq(native_spawn(plan, 0, &pid, &pidfd, &e), -ENODEV);
	cr_expect(strstr(e.message, "not a device node on the host"), "%s", e.message);
	cr_expect_eq(tu_mounts_under(tmp), 0);
	pt_plan_free(plan);
}

/* Container root is the host's uid 0 behind an identity map: on a
 * writable bind it could chmod, chown or touch the host's own device
 * nodes (chmod 0666 on a render node opens the GPU to every host user).
 * Standard nodes are the container's own, bound ones read-only mounts:
 * the devices still work, their host inodes do not change. */
Test(native, container_root_cannot_change_the_hosts_device_nodes)
{
	unsigned major = setup_host_node();
	/* A null for a bind; in /dev too, where nodev cannot be in the way. */
	snprintf(host_dev2, sizeof(host_dev2), "/dev/pt-test-null-%d", (int)getpid());
	cr_assert_eq(mknod(host_dev2, S_IFCHR | 0666, makedev(1, 3)), 0, "%s", strerror(errno));
	cr_assert_eq(chmod(host_dev2, 0666), 0);
	struct stat full_before;
	cr_assert_eq(stat("/dev/full", &full_before), 0);

	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	char cmd[1024];
	/* Exit 3: a change to a host node went through. /dev/full is the
	 * container's own for a root caller: changing it is allowed. */
	snprintf(cmd, sizeof(cmd),
		 "for f in %s /dev/bound; do busybox chmod 600 $f || busybox chown 1:1 $f || "
		 "busybox touch -d 2000-01-01 $f || continue; exit 3; done 2>/dev/null; "
		 "busybox chmod 600 /dev/full; busybox chown 1:1 /dev/full; "
		 "busybox touch -d 2000-01-01 /dev/full; "
		 "echo x > /dev/bound && echo x > /dev/null && "
		 "[ \"$(busybox head -c 2 /dev/zero | busybox wc -c)\" = 2 ]",
		 host_dev);
	char *argv[] = {"sh", "-c", cmd, NULL};
	cr_assert_eq(pt_plan_set_root(plan, root, &e), 0);
	cr_assert_eq(pt_plan_add_device(plan, host_dev, 'c', major, 1, NULL, &e), 0);
	cr_assert_eq(pt_plan_add_bind(plan, host_dev2, "/dev/bound", 0, &e), 0);
	cr_assert_eq(pt_plan_set_command(plan, 3, argv, &e), 0);
	int status = spawn_plan(plan, false);
	pt_plan_free(plan);

	struct stat full_after;
	cr_assert_eq(stat("/dev/full", &full_after), 0);
	bool full_changed = full_after.st_mode != full_before.st_mode ||
			    full_after.st_uid != full_before.st_uid ||
			    full_after.st_mtime != full_before.st_mtime;
	if (full_changed) { /* put the host's node back before failing */
		(void)!chown("/dev/full", full_before.st_uid, full_before.st_gid);
		(void)!chmod("/dev/full", full_before.st_mode & 07777);
		struct timespec times[2] = {full_before.st_atim, full_before.st_mtim};
		(void)!utimensat(AT_FDCWD, "/dev/full", times, 0);
	}
	cr_expect_neq(status, 3, "container root changed a host node's inode");
	cr_expect_eq(status, 0, "the devices work: writes to null, reads from zero");
	cr_expect_not(full_changed, "the host's /dev/full changed");
	const char *nodes[] = {host_dev, host_dev2};
	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		cr_assert_eq(stat(nodes[i], &st), 0);
		cr_expect_eq(st.st_mode & 07777, 0666, "%s: mode 0%o", nodes[i],
			     st.st_mode & 07777);
		cr_expect_eq(st.st_uid, 0, "%s: owner %u", nodes[i], (unsigned)st.st_uid);
		cr_expect_gt(st.st_mtime, 946684800 + 86400, "%s: touched", nodes[i]);
	}
}

/* The library as an ordinary user: generated files in a user namespace,
 * where no mount point is made beforehand (/tmp of the root is writable). */
Test(native, generated_files_without_root)
{
	need(true);
	setup();
	make_data_dirs(true);
	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	char *argv[] = {"sh", "-c",
			"id -u > /mnt/rw/out; cat /tmp/gen.conf >> /mnt/rw/out;"
			"stat -c %a /tmp/gen.conf >> /mnt/rw/out",
			NULL};
	cr_assert_eq(pt_plan_set_root(plan, root, &e), 0);
	cr_assert_eq(pt_plan_set_user(plan, "tester", &e), 0);
	cr_assert_eq(pt_plan_add_bind(plan, tpath("rw"), "/mnt/rw", 0, &e), 0);
	cr_assert_eq(pt_plan_add_file(plan, "/tmp/gen.conf", "secret\n", 7, 0600, &e), 0);
	cr_assert_eq(pt_plan_set_command(plan, 3, argv, &e), 0);
	cr_assert_eq(spawn_plan(plan, true), 0);
	pt_plan_free(plan);
	char *text = NULL;
	char *cat[] = {"cat", tpath("rw/out"), NULL};
	tu_run(cat, &text, NULL, 5);
	cr_expect_str_eq(text, "1000\nsecret\n600\n");
	free(text);
}

/* IPC is private unless the plan clears PT_PLAN_PRIVATE_IPC: then SysV IPC
 * and /dev/shm are the host's (MIT-SHM with a host X server needs that). */
Test(native, shared_ipc_when_the_plan_asks)
{
	setup();
	make_data_dirs(false);
	char *argv[] = {"sh", "-c",
			"readlink /proc/self/ns/ipc > /mnt/rw/ipc; ls /dev/shm > /mnt/rw/shm",
			NULL};
	char host_ipc[64] = {0};
	cr_assert(readlink("/proc/self/ns/ipc", host_ipc, sizeof(host_ipc) - 1) > 0);
	snprintf(host_shm, sizeof(host_shm), "/dev/shm/pt-test-%d", (int)getpid());
	tu_write(host_shm, "", 0644);

	for (int priv = 1; priv >= 0; priv--) {
		struct pt_error e = {0};
		struct pt_plan *plan = pt_plan_new();
		cr_assert_eq(pt_plan_set_root(plan, root, &e), 0);
		cr_assert_eq(pt_plan_add_bind(plan, tpath("rw"), "/mnt/rw", 0, &e), 0);
		cr_assert_eq(pt_plan_set_command(plan, 3, argv, &e), 0);
		pt_plan_set_flags(plan, priv ? PT_PLAN_PRIVATE_IPC : 0);
		pid_t pid;
		int pidfd, status = -1;
		cr_assert_eq(native_spawn(plan, 0, &pid, &pidfd, &e), 0, "%s", e.message);
		struct supervise s = {.pidfd = pidfd, .sigfd = -1};
		cr_assert_eq(supervise_run(&s, &e), 0);
		status = s.status;
		close(pidfd);
		pt_plan_free(plan);
		cr_expect_eq(status, 0);
		char *ipc = NULL, *shm = NULL;
		char *cat1[] = {"cat", tpath("rw/ipc"), NULL},
		     *cat2[] = {"cat", tpath("rw/shm"), NULL};
		tu_run(cat1, &ipc, NULL, 5);
		tu_run(cat2, &shm, NULL, 5);
		if (priv) {
			cr_expect_neq(strncmp(ipc, host_ipc, strlen(host_ipc)), 0, "%s", ipc);
			cr_expect_null(strstr(shm, host_shm + 9), "%s", shm);
		} else {
			cr_expect_eq(strncmp(ipc, host_ipc, strlen(host_ipc)), 0, "%s vs %s", ipc,
				     host_ipc);
			cr_expect(strstr(shm, host_shm + 9), "%s", shm);
		}
		free(ipc);
		free(shm);
	}
}

/* A caller that ignores SIGPIPE (many do) or leaves an fd without
 * close-on-exec must not pass that on. */
Test(native, command_starts_clean)
{
	setup();
	make_data_dirs(false);
	signal(SIGPIPE, SIG_IGN);
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC, on purpose */
	cr_assert(leak >= 0);
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "grep SigIgn /proc/self/status > /mnt/rw/sig;"
		 "if [ -e /proc/$$/fd/%d ]; then echo leaked; else echo clean; fi > /mnt/rw/fds",
		 leak);
	char *argv[] = {"sh", "-c", cmd, NULL};
	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	cr_assert_eq(pt_plan_set_root(plan, root, &e), 0);
	cr_assert_eq(pt_plan_add_bind(plan, tpath("rw"), "/mnt/rw", 0, &e), 0);
	cr_assert_eq(pt_plan_set_command(plan, 3, argv, &e), 0);
	pid_t pid;
	int pidfd, status = -1;
	cr_assert_eq(native_spawn(plan, 0, &pid, &pidfd, &e), 0, "%s", e.message);
	struct supervise s = {.pidfd = pidfd, .sigfd = -1};
	cr_assert_eq(supervise_run(&s, &e), 0);
	status = s.status;
	close(pidfd);
	pt_plan_free(plan);
	cr_expect_eq(status, 0);
	char *text = NULL;
	char *cat[] = {"cat", tpath("rw/sig"), NULL};
	tu_run(cat, &text, NULL, 5);
	unsigned long long ign = ~0ull;
	cr_assert_eq(sscanf(text, "SigIgn: %llx", &ign), 1, "%s", text);
	cr_expect_eq(ign & (1ull << (SIGPIPE - 1)), 0, "SIGPIPE ignored: %s", text);
	free(text);
	char *cat2[] = {"cat", tpath("rw/fds"), NULL};
	tu_run(cat2, &text, NULL, 5);
	cr_expect_str_eq(text, "clean\n", "the caller's fd %d reached the command", leak);
	free(text);
	close(leak);
}

Test(native, root_command_lacks_machine_wide_capabilities)
{
	setup();
	char *out = NULL, *err = NULL;
	/* CapBnd: bit 16 is CAP_SYS_MODULE, 17 CAP_SYS_RAWIO, 12 CAP_NET_ADMIN. */
	int rc = launch(false, &out, &err, "-D", root, "--", "sh", "-c",
			"grep CapBnd /proc/self/status; echo x > /dev/null", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	unsigned long long bnd = 0;
	cr_assert_eq(sscanf(out, "CapBnd: %llx", &bnd), 1, "%s", out);
	cr_expect_eq(bnd & (1ull << 16), 0, "CAP_SYS_MODULE kept: %s", out);
	cr_expect_eq(bnd & (1ull << 17), 0, "CAP_SYS_RAWIO kept: %s", out);
	cr_expect_eq(bnd & (1ull << 12), 0, "CAP_NET_ADMIN kept: %s", out);
	cr_expect_neq(bnd & (1ull << 21), 0, "CAP_SYS_ADMIN (as nspawn) is kept: %s", out);
	free(out);
	free(err);
}

Test(native, default_backend_without_root_is_native)
{
	need(true);
	/* No --backend and no -D: nobody gets the native backend over the
	 * host's root, read-only. */
	char *argv[] = {"setpriv",
			"--reuid=65534",
			"--regid=65534",
			"--clear-groups",
			(char *)tu_tool("passthru-launch"),
			"--",
			"sh",
			"-c",
			"cat /proc/1/comm; id -u",
			NULL};
	char *out = NULL, *err = NULL;
	int rc = tu_run(argv, &out, &err, 30);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	cr_expect_str_eq(out, "passthru-launch\n65534\n");
	free(out);
	free(err);
}

Test(native, help_names_the_backends)
{
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--help", NULL};
	char *out = NULL;
	cr_assert_eq(tu_run(argv, &out, NULL, 5), 0);
	cr_expect(strstr(out, "'native'"), "%s", out);
	cr_expect(strstr(out, "default: nspawn"), "%s", out);
	free(out);
}
