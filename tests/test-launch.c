/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launch module through the public API alone: backend choice, the
 * state directory (made, removed, stale ones of killed launchers cleaned),
 * dry runs, stop signals with their grace period, a helper's death. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "testutil.h"

static char *tmp, *state;
static struct pt_plan *plan;
static struct pt_launch_opts *opts;
static struct pt_launch *launch;

static void setup(void)
{
	tmp = tu_tmpdir();
	char path[4200];
	snprintf(path, sizeof(path), "%s/state", tmp);
	cr_assert_eq(mkdir(path, 0700), 0);
	state = strdup(path);
	plan = pt_plan_new();
	opts = pt_launch_opts_new();
	cr_assert(plan && opts);
	opts->state_base = state;
}

static void teardown(void)
{
	pt_launch_free(launch);
	launch = NULL;
	pt_launch_opts_free(opts);
	pt_plan_free(plan);
	tu_rm_rf(tmp);
	free(tmp);
	free(state);
}

TestSuite(launch, .init = setup, .fini = teardown, .timeout = 60);

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void command(const char *script)
{
	struct pt_error err = {0};
	char *cmd[] = {"/bin/sh", "-c", (char *)script, NULL};
	cr_assert_eq(pt_plan_set_command(plan, 3, cmd, &err), 0, "%s", err.message);
}

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (the native backend over the host's root)");
}

Test(launch, backend_names_parse_and_unknown_is_named)
{
	enum pt_launch_backend b;
	struct pt_error err = {0};
	cr_assert_eq(pt_launch_backend_parse("native", &b, &err), 0);
	cr_assert_eq(b, PT_LAUNCH_BACKEND_NATIVE);
	cr_assert_str_eq(pt_launch_backend_name(PT_LAUNCH_BACKEND_NSPAWN), "nspawn");
	cr_assert_eq(pt_launch_backend_parse("docker", &b, &err), -EINVAL);
	cr_assert_str_eq(err.message, "unknown backend 'docker' (known: auto, nspawn, native, bwrap)");
}

Test(launch, a_plan_without_command_or_root_is_refused_before_anything_exists)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), -EINVAL);
	cr_assert(strstr(err.message, "no command"), "%s", err.message);
	command("true");
	opts->backend = PT_LAUNCH_BACKEND_NSPAWN;
	if (tu_have("systemd-nspawn")) {
		cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), -EINVAL);
		cr_assert(strstr(err.message, "no root directory"), "%s", err.message);
	}
	cr_assert_null(launch);
	cr_assert_eq(entries(state), 0, "no state directory was left");
}

Test(launch, state_directory_is_private_and_removed)
{
	struct pt_error err = {0};
	command("true");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	const char *dir = pt_launch_state_dir(launch);
	cr_assert(strncmp(dir, state, strlen(state)) == 0, "%s under %s", dir, state);
	struct stat st;
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	pt_launch_free(launch);
	launch = NULL;
	cr_assert_eq(entries(state), 0, "pt_launch_free removed the state directory");
}

/* A launcher killed with SIGKILL cannot clean up; the next launch that
 * makes a state directory does once its container runs, but never
 * touches a directory whose launcher still lives. A plain launch that
 * needs no state reads nothing there. */
Test(launch, stale_state_of_a_killed_launcher_is_removed_a_live_one_kept)
{
	struct pt_error err = {0};
	char dead[4300], alive[4300], path[4400];
	snprintf(dead, sizeof(dead), "%s/passthru-launch-dead01", state);
	snprintf(alive, sizeof(alive), "%s/passthru-launch-live01", state);
	cr_assert_eq(mkdir(dead, 0700), 0);
	cr_assert_eq(mkdir(alive, 0700), 0);
	snprintf(path, sizeof(path), "%s/.lock", dead);
	tu_write(path, "", 0600);
	snprintf(path, sizeof(path), "%s/passthru-display-x/Xauthority", dead);
	tu_write(path, "cookie", 0600);
	snprintf(path, sizeof(path), "%s/.lock", alive);
	tu_write(path, "", 0600);

	/* A live launcher: another process holding the lock. */
	int lfd = open(path, O_RDWR | O_CLOEXEC);
	cr_assert(lfd >= 0);
	int ready[2];
	cr_assert_eq(pipe(ready), 0);
	pid_t parent = getpid();
	pid_t holder = fork();
	if (holder == 0) {
		tu_die_with_parent(parent);
		flock(lfd, LOCK_EX);
		(void)!write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	char c;
	cr_assert_eq(read(ready[0], &c, 1), 1);
	close(lfd);

	command("true");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	int r = pt_launch_new(plan, opts, &launch, &err);
	cr_assert_eq(r, 0, "%s", err.message);
	int status = -1;
	cr_assert_eq(pt_launch_run(launch, -1, &status, &err), 0, "%s", err.message);
	cr_assert_eq(access(dead, F_OK), 0, "a launch without state scans nothing");
	pt_launch_free(launch);
	launch = NULL;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	const char *mine = pt_launch_state_dir(launch);
	cr_assert(mine && strncmp(mine, state, strlen(state)) == 0, "state directory %s",
		  mine ? mine : "(none)");
	cr_assert_eq(access(dead, F_OK), 0, "nothing is removed before the container starts");
	r = pt_launch_run(launch, -1, &status, &err);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	cr_assert_eq(r, 0, "%s", err.message);
	cr_assert_eq(status, 0);
	cr_assert_neq(access(dead, F_OK), 0, "the dead launcher's directory is gone");
	cr_assert_eq(access(alive, F_OK), 0, "the live launcher's directory stays");
	close(ready[0]);
	close(ready[1]);
}

Test(launch, nspawn_dry_run_keeps_generated_files_the_command_binds)
{
	if (!tu_have("systemd-nspawn"))
		cr_skip_test("needs systemd-nspawn");
	struct pt_error err = {0};
	command("true");
	cr_assert_eq(pt_plan_set_root(plan, tmp, &err), 0);
	cr_assert_eq(pt_plan_add_file(plan, "/etc/pulse/client.conf", "autospawn = no\n", 15, 0644,
				      &err),
		     0);
	opts->backend = PT_LAUNCH_BACKEND_NSPAWN;
	umask(077);
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	char **argv = NULL;
	cr_assert_eq(pt_launch_dry_run(launch, &argv, &err), 0, "%s", err.message);
	char want[4500], path[4400];
	snprintf(path, sizeof(path), "%s/0-client.conf", pt_launch_state_dir(launch));
	snprintf(want, sizeof(want), "--bind=%s:/etc/pulse/client.conf", path);
	bool found = false;
	for (char **a = argv; *a; a++)
		found |= strcmp(*a, want) == 0;
	cr_assert(found, "the argv binds %s", path);
	pt_argv_free(argv);
	pt_launch_free(launch);
	launch = NULL;
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "the printed command's file outlives the launch");
	cr_assert_eq(st.st_mode & 07777, 0644, "the plan's mode, not the umask");
	cr_assert_eq(st.st_size, 15);

	/* Without its lock it is not taken for a killed launcher's. */
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	cr_assert_eq(access(path, F_OK), 0);
}

Test(launch, native_dry_run_is_not_supported)
{
	struct pt_error err = {0};
	command("true");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	char **argv = NULL;
	cr_assert_eq(pt_launch_dry_run(launch, &argv, &err), -EOPNOTSUPP);
	cr_assert_null(argv);
}

Test(launch, run_reports_the_command_status)
{
	need_root();
	struct pt_error err = {0};
	command("exit 7");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	int status = -1;
	cr_assert_eq(pt_launch_run(launch, -1, &status, &err), 0, "%s", err.message);
	cr_assert_eq(status, 7);
	cr_assert_eq(pt_launch_get_end(launch), PT_LAUNCH_END_EXITED);
	cr_assert_eq(pt_launch_run(launch, -1, &status, &err), -EALREADY);
}

/* A signalfd for the stop signals, as a launcher makes it. */
static int stop_sigfd(sigset_t *old)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, old);
	int fd = signalfd(-1, &mask, SFD_CLOEXEC);
	cr_assert(fd >= 0);
	return fd;
}

/* Runs the launch with sig sent to this process half a second in: what
 * a launcher gets when someone stops it mid-run. */
static int run_and_signal(int sig, int *ret_status, struct pt_error *err)
{
	sigset_t old;
	int sigfd = stop_sigfd(&old);
	pid_t self = getpid();
	pid_t sender = fork();
	if (sender == 0) {
		usleep(500000);
		kill(self, sig);
		_exit(0);
	}
	int r = pt_launch_run(launch, sigfd, ret_status, err);
	waitpid(sender, NULL, 0);
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* The command's own trap runs: the stop request reaches it first. */
Test(launch, sigterm_reaches_the_command_and_its_trap_runs)
{
	need_root();
	struct pt_error err = {0};
	command("trap 'exit 42' TERM; while :; do sleep 0.05; done");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	int status = -1;
	int r = run_and_signal(SIGTERM, &status, &err);
	cr_assert_eq(r, 0, "%s", err.message);
	cr_assert_eq(status, 42, "the trap's status");
	cr_assert_eq(pt_launch_get_end(launch), PT_LAUNCH_END_STOPPED);
	cr_assert_eq(pt_launch_stop_signal(launch), SIGTERM);
}

/* A command that ignores SIGTERM does not keep the launcher alive. */
Test(launch, a_command_ignoring_the_stop_is_killed_after_the_grace_period)
{
	need_root();
	struct pt_error err = {0};
	command("trap '' TERM HUP INT; while :; do sleep 0.05; done");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	opts->kill_after_ms = 300;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	int status = -1;
	int r = run_and_signal(SIGHUP, &status, &err);
	cr_assert_eq(r, 0, "%s", err.message);
	/* The container's init was killed: the kill is the status. */
	cr_assert_eq(status, 128 + SIGKILL);
	cr_assert_eq(pt_launch_stop_signal(launch), SIGHUP);
}

Test(launch, a_stop_pending_before_the_start_starts_nothing)
{
	struct pt_error err = {0};
	char marker[4300];
	snprintf(marker, sizeof(marker), "%s/ran", tmp);
	char script[4400];
	snprintf(script, sizeof(script), "touch %s", marker);
	command(script);
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	sigset_t old;
	int sigfd = stop_sigfd(&old);
	kill(getpid(), SIGINT);
	int status = -1;
	int r = pt_launch_run(launch, sigfd, &status, &err);
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	cr_assert_eq(r, 0, "%s", err.message);
	cr_assert_eq(status, 128 + SIGINT);
	cr_assert_eq(pt_launch_get_end(launch), PT_LAUNCH_END_STOPPED);
	cr_assert_neq(access(marker, F_OK), 0, "the command never ran");
}

/* A helper the container needs (the caller's own, watched by fd) dies:
 * the container is stopped and the error names the helper. */
Test(launch, a_watched_helper_that_dies_stops_the_container)
{
	need_root();
	struct pt_error err = {0};
	command("trap 'exit 9' TERM; while :; do sleep 0.05; done");
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	cr_assert_eq(pt_launch_new(plan, opts, &launch, &err), 0, "%s", err.message);
	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(pt_launch_watch(launch, p[0], "the audio bridge", &err), 0);
	pid_t helper = fork();
	if (helper == 0) {
		usleep(500000);
		_exit(0); /* its end of the pipe closes: "it died" */
	}
	close(p[1]);
	int status = -1;
	int r = pt_launch_run(launch, -1, &status, &err);
	waitpid(helper, NULL, 0);
	close(p[0]);
	cr_assert_eq(r, -ECANCELED);
	cr_assert_str_eq(err.message, "the audio bridge died; stopped /bin/sh");
	cr_assert_eq(status, 9, "the command got SIGTERM and its trap ran");
	cr_assert_eq(pt_launch_get_end(launch), PT_LAUNCH_END_HELPER);
}
