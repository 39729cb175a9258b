/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sound server, found through libpulse against a real PulseAudio daemon
 * that each test starts in its own runtime directory; the container side
 * through real systemd-nspawn; ALSA nodes through a umockdev testbed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio-report.h"
#include "passthru/passthru.h"
#include "pulsehelper.h"
#include "testutil.h"
#include "util.h"

static char *tmp;
static struct tu_pulse *pulse;
static struct pt_audio *audio;
static struct pt_plan *plan;

static void setup(void)
{
	tmp = tu_tmpdir();
	plan = pt_plan_new();
	cr_assert_not_null(plan);
}

static void teardown(void)
{
	tu_pulse_free(pulse);
	pt_audio_free(audio);
	pt_plan_free(plan);
	tu_rm_rf(tmp);
	free(tmp);
}

TestSuite(audio, .init = setup, .fini = teardown, .timeout = 60);

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* A runtime directory with nothing in it: no per-user socket there. */
static char *empty_runtime(void)
{
	char *d = path_in(tmp, "empty-rt");
	cr_assert(mkdir(d, 0700) == 0);
	return d;
}

static void assert_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	cr_assert(stat(a, &sa) == 0, "stat %s: %s", a, strerror(errno));
	cr_assert(stat(b, &sb) == 0, "stat %s: %s", b, strerror(errno));
	cr_assert(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino, "%s is not %s", a, b);
}

static void assert_found_daemon(void)
{
	cr_assert_eq(pt_audio_get_state(audio), PT_AUDIO_RUNNING);
	cr_assert(pt_audio_is_running(audio));
	cr_assert_not_null(pt_audio_get_socket(audio));
	cr_assert_str_eq(pt_audio_get_socket(audio), pulse->socket);
	assert_same_file(pt_audio_get_socket(audio), pulse->socket);
	cr_assert_str_eq(pt_audio_get_name(audio), "pulseaudio");
	cr_assert(strlen(pt_audio_get_version(audio)) > 0);
}

Test(audio, found_through_xdg_runtime_dir)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), 0, "%s", err.message);
	assert_found_daemon();
	cr_assert_str_eq(pt_audio_get_cookie(audio), pulse->cookie);
}

Test(audio, found_through_pulse_server)
{
	pulse = tu_pulse_start(tmp, NULL);
	_cleanup_free_ char *rt = empty_runtime();
	tu_pulse_client_env(tmp, rt, pulse->home);
	_cleanup_free_ char *server = path_in("unix:", pulse->socket);
	memmove(server + 5, server + 6, strlen(server + 6) + 1); /* "unix:/" + path */
	setenv("PULSE_SERVER", server, 1);
	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), 0, "%s", err.message);
	assert_found_daemon();
	cr_assert_str_eq(pt_audio_get_server(audio), server);
}

Test(audio, found_through_client_conf_default_server_and_its_cookie_file)
{
	pulse = tu_pulse_start(tmp, NULL);
	_cleanup_free_ char *rt = empty_runtime();
	tu_pulse_client_env(tmp, rt, tmp); /* HOME without a cookie */
	_cleanup_free_ char *conf = path_in(tmp, "client.conf");
	_cleanup_free_ char *cookie = path_in(tmp, "copied-cookie");
	char *cp[] = {"cp", pulse->cookie, cookie, NULL};
	cr_assert_eq(tu_run(cp, NULL, NULL, 10), 0);
	char text[8192];
	snprintf(text, sizeof(text), "; a comment\ndefault-server = unix:%s\ncookie-file = %s\n",
		 pulse->socket, cookie);
	tu_write(conf, text, 0644);
	setenv("PULSE_CLIENTCONFIG", conf, 1);

	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), 0, "%s", err.message);
	assert_found_daemon();
	cr_assert_str_eq(pt_audio_get_cookie(audio), cookie);
}

Test(audio, stale_socket_is_its_own_error)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	/* SIGKILL: the daemon cannot remove its socket, as after a crash. */
	tu_pulse_kill(pulse, SIGKILL);
	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), -ECONNREFUSED, "%s", err.message);
	cr_assert_eq(pt_audio_get_state(audio), PT_AUDIO_STALE);
	cr_assert(!pt_audio_is_running(audio));
	cr_assert_str_eq(pt_audio_get_socket(audio), pulse->socket);
	cr_assert(strstr(err.message, pulse->socket) && strstr(err.message, "stale"), "%s",
		  err.message);
	cr_assert_null(strchr(err.message, '\n'));
}

Test(audio, a_server_that_accepts_but_never_answers_times_out)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	/* Stopped: the kernel still queues connections, nobody reads them. */
	cr_assert_eq(kill(pulse->pid, SIGSTOP), 0);
	struct pt_audio_options *opts = pt_audio_options_new();
	cr_assert_not_null(opts);
	opts->timeout_ms = 300;
	struct pt_error err = {0};
	int r = pt_audio_find(opts, &audio, &err);
	pt_audio_options_free(opts);
	cr_assert_eq(r, -ETIMEDOUT, "%s", err.message);
	cr_assert_eq(pt_audio_get_state(audio), PT_AUDIO_FAILED);
	cr_assert(strstr(err.message, "did not answer within 300 ms"), "%s", err.message);
	kill(pulse->pid, SIGCONT);
}

Test(audio, launcher_names_a_stale_socket)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	tu_pulse_kill(pulse, SIGKILL);
	setenv("TMPDIR", tmp, 1);
	char *argv[] = {
	    (char *)tu_tool("passthru-launch"), "--pulse", "-D", tmp, "--", "true", NULL};
	char *errs = NULL;
	cr_assert_eq(tu_run(argv, NULL, &errs, 20), 125, "%s", errs);
	char want[4096];
	snprintf(want, sizeof(want),
		 "passthru-launch: pulse: PulseAudio socket %s exists but no server listens on "
		 "it (stale: the server died or was stopped)\n",
		 pulse->socket);
	cr_assert_str_eq(errs, want);
	free(errs);
}

Test(audio, stale_default_server_from_an_included_client_conf)
{
	pulse = tu_pulse_start(tmp, NULL);
	_cleanup_free_ char *rt = empty_runtime();
	tu_pulse_client_env(tmp, rt, tmp);
	tu_pulse_kill(pulse, SIGKILL);
	_cleanup_free_ char *conf = path_in(tmp, "client.conf");
	_cleanup_free_ char *inc = path_in(tmp, "included.conf");
	char text[8192];
	snprintf(text, sizeof(text), "default-server = unix:%s\n", pulse->socket);
	tu_write(inc, text, 0644);
	snprintf(text, sizeof(text), ".include %s\nautospawn = no\n", inc);
	tu_write(conf, text, 0644);
	setenv("PULSE_CLIENTCONFIG", conf, 1);
	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), -ECONNREFUSED, "%s", err.message);
	cr_assert_str_eq(pt_audio_get_socket(audio), pulse->socket);
}

Test(audio, cookie_is_looked_up_in_libpulse_order)
{
	/* No server needed: the cookie is reported whatever the state. */
	_cleanup_free_ char *rt = empty_runtime();
	tu_pulse_client_env(tmp, rt, tmp);
	_cleanup_free_ char *legacy = path_in(tmp, ".pulse-cookie");
	_cleanup_free_ char *current = path_in(tmp, ".config/pulse/cookie");
	_cleanup_free_ char *env = path_in(tmp, "env-cookie");
	struct pt_audio_options *opts = pt_audio_options_new();
	cr_assert_not_null(opts);
	opts->timeout_ms = 300;

	pt_audio_find(opts, &audio, NULL);
	cr_assert_not_null(audio);
	cr_assert_null(pt_audio_get_cookie(audio));
	const char *expect[] = {legacy, current, env};
	for (size_t i = 0; i < 3; i++) {
		tu_write(expect[i], "not a real cookie", 0600);
		if (i == 2)
			setenv("PULSE_COOKIE", env, 1);
		pt_audio_free(audio);
		audio = NULL;
		pt_audio_find(opts, &audio, NULL);
		cr_assert_not_null(audio);
		cr_assert_str_eq(pt_audio_get_cookie(audio), expect[i]);
	}
	pt_audio_options_free(opts);
}

Test(audio, no_server_at_all_is_its_own_error)
{
	struct stat st;
	if (stat("/var/run/pulse/native", &st) == 0)
		cr_skip_test("a system-wide PulseAudio server runs on this machine");
	_cleanup_free_ char *rt = empty_runtime();
	tu_pulse_client_env(tmp, rt, tmp);
	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), -ENOENT, "%s", err.message);
	cr_assert_eq(pt_audio_get_state(audio), PT_AUDIO_NO_SERVER);
	cr_assert_null(pt_audio_get_socket(audio));
	cr_assert(strstr(err.message, "no PulseAudio server configured or found"), "%s",
		  err.message);
	cr_assert(strstr(err.message, rt), "names where it looked: %s", err.message);
	cr_assert_eq(pt_pulse_add_to_plan(plan, 0, &err), -ENOENT);
	cr_assert_eq(pt_plan_bind_count(plan) + pt_plan_env_count(plan) + pt_plan_file_count(plan),
		     0, "nothing is added when there is no server");
}

Test(audio, socket_of_another_user_is_permission_denied)
{
	/* The daemon's runtime directory is 0700 root, as /run/user/1000 is
	 * to everyone but its owner. The lookup runs in a child that became
	 * nobody (the parent, still root, must be able to kill the daemon). */
	if (geteuid() != 0)
		cr_skip_test("needs root to become another user");
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, tmp);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(100);
		struct pt_audio *a = NULL;
		struct pt_error err = {0};
		int r = pt_audio_find(NULL, &a, &err);
		bool ok = r == -EACCES && a && pt_audio_get_state(a) == PT_AUDIO_DENIED &&
			  strstr(err.message, "Permission denied") &&
			  strstr(err.message, pulse->socket);
		if (!ok)
			fprintf(stderr, "r=%d message: %s\n", r, err.message);
		pt_audio_free(a);
		_exit(ok ? 0 : 1);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "lookup as nobody: status 0x%x", st);
}

static unsigned free_tcp_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* The daemon loads its TCP module after the unix one tu_pulse_start()
 * waits for: wait until the port accepts too (bounded). */
static void wait_tcp(unsigned port)
{
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons((uint16_t)port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (r == 0)
			return;
		usleep(25000);
	}
	cr_assert_fail("the TCP server on port %u never accepted", port);
}

Test(audio, tcp_server_cannot_be_bound_unless_kept)
{
	unsigned port = free_tcp_port();
	char module[256], server[64];
	snprintf(module, sizeof(module),
		 "module-native-protocol-tcp listen=127.0.0.1 port=%u auth-anonymous=1", port);
	snprintf(server, sizeof(server), "tcp:127.0.0.1:%u", port);
	pulse = tu_pulse_start(tmp, module);
	wait_tcp(port);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	setenv("PULSE_SERVER", server, 1);

	struct pt_error err = {0};
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), -EREMOTE, "%s", err.message);
	cr_assert_eq(pt_audio_get_state(audio), PT_AUDIO_REMOTE);
	cr_assert(pt_audio_is_running(audio), "the TCP server answered");
	cr_assert_null(pt_audio_get_socket(audio));
	cr_assert(strstr(err.message, "TCP") && strstr(err.message, server), "%s", err.message);

	cr_assert_eq(pt_pulse_add_to_plan(plan, 0, &err), -EREMOTE);
	cr_assert_eq(pt_plan_env_count(plan), 0);
	cr_assert_eq(pt_pulse_add_to_plan(plan, PT_AUDIO_KEEP_REMOTE, &err), 0, "%s", err.message);
	cr_assert_str_eq(pt_plan_get_env(plan, "PULSE_SERVER"), server);
	cr_assert_eq(pt_plan_bind_count(plan), 0, "nothing to bind for TCP");

	/* A TCP server that does not answer is still a TCP server, not "none". */
	pt_audio_free(audio);
	audio = NULL;
	tu_pulse_kill(pulse, SIGTERM);
	cr_assert_eq(pt_audio_find(NULL, &audio, &err), -EREMOTE, "%s", err.message);
	cr_assert(!pt_audio_is_running(audio));
}

Test(audio, plan_gets_socket_env_client_conf_and_cookie)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	struct pt_error err = {0};
	cr_assert_eq(pt_pulse_add_to_plan(plan, 0, &err), 0, "%s", err.message);

	cr_assert_eq(pt_plan_bind_count(plan), 1);
	const struct pt_bind *b = pt_plan_bind(plan, 0);
	cr_assert_str_eq(b->source, pulse->socket);
	cr_assert_str_eq(b->target, PT_AUDIO_SOCKET);
	cr_assert_eq(b->flags, PT_BIND_RO);
	cr_assert_str_eq(pt_plan_get_env(plan, "PULSE_SERVER"), "unix:" PT_AUDIO_SOCKET);
	cr_assert_str_eq(pt_plan_get_env(plan, "PULSE_CLIENTCONFIG"), PT_AUDIO_CLIENT_CONF);
	cr_assert_str_eq(pt_plan_get_env(plan, "PULSE_COOKIE"), PT_AUDIO_COOKIE);

	cr_assert_eq(pt_plan_file_count(plan), 2);
	char *cookie = NULL;
	size_t cookie_len = 0;
	FILE *f = fopen(pulse->cookie, "re");
	cr_assert_not_null(f);
	cookie = malloc(4096);
	cookie_len = fread(cookie, 1, 4096, f);
	fclose(f);
	cr_assert_eq(cookie_len, 256, "a PulseAudio cookie is 256 bytes");
	bool saw_conf = false, saw_cookie = false;
	for (size_t i = 0; i < pt_plan_file_count(plan); i++) {
		const struct pt_file *pf = pt_plan_file(plan, i);
		if (!strcmp(pf->target, PT_AUDIO_CLIENT_CONF)) {
			saw_conf = true;
			cr_assert(memmem(pf->data, pf->size, "autospawn = no", 14));
		} else if (!strcmp(pf->target, PT_AUDIO_COOKIE)) {
			saw_cookie = true;
			cr_assert_eq(pf->size, cookie_len);
			cr_assert(memcmp(pf->data, cookie, cookie_len) == 0);
		}
	}
	free(cookie);
	cr_assert(saw_conf && saw_cookie);
}

Test(audio, launcher_without_a_server_says_so_and_leaves_nothing)
{
	struct stat st;
	if (stat("/var/run/pulse/native", &st) == 0)
		cr_skip_test("a system-wide PulseAudio server runs on this machine");
	_cleanup_free_ char *rt = empty_runtime();
	tu_pulse_client_env(tmp, rt, tmp);
	setenv("TMPDIR", tmp, 1);
	char *argv[] = {
	    (char *)tu_tool("passthru-launch"), "--pulse", "-D", tmp, "--", "true", NULL};
	char *out = NULL, *errs = NULL;
	cr_assert_eq(tu_run(argv, &out, &errs, 20), 125, "%s", errs);
	cr_assert(strstr(errs, "passthru-launch: pulse: no PulseAudio server configured or found"),
		  "%s", errs);
	cr_assert_eq(strchr(errs, '\n'), errs + strlen(errs) - 1, "one line: %s", errs);
	free(out);
	free(errs);
	char *bad[] = {
	    (char *)tu_tool("passthru-launch"), "--pulse=tcp", "-D", tmp, "--", "true", NULL};
	cr_assert_eq(tu_run(bad, NULL, &errs, 20), 2);
	cr_assert(strstr(errs, "--pulse: unknown value 'tcp'"), "%s", errs);
	free(errs);
}

/* ---- the probe report ------------------------------------------------------ */

/* The probe report's view: one lookup with default options, rendered. */
static int report_json(struct json_object **ret, struct pt_error *err)
{
	struct pt_error why = {0};
	struct pt_audio *a = NULL;
	pt_audio_find(NULL, &a, &why);
	int r = audio_report_json(a, &why, ret, err);
	pt_audio_free(a);
	return r;
}

static void report_table(struct strbuf *out)
{
	struct pt_error why = {0};
	struct pt_audio *a = NULL;
	pt_audio_find(NULL, &a, &why);
	audio_report_table(a, &why, out);
	pt_audio_free(a);
}

Test(audio, report_json_names_the_running_server)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	struct json_object *o = NULL;
	struct pt_error err = {0};
	cr_assert_eq(report_json(&o, &err), 0, "%s", err.message);
	cr_assert_not_null(o);
	struct json_object *v;
	cr_assert(json_object_object_get_ex(o, "server", &v));
	cr_assert_str_eq(json_object_get_string(v), pulse->socket);
	cr_assert(json_object_object_get_ex(o, "name", &v));
	cr_assert_str_eq(json_object_get_string(v), "pulseaudio");
	cr_assert(json_object_object_get_ex(o, "version", &v));
	cr_assert(strlen(json_object_get_string(v)) > 0);
	cr_assert(json_object_object_get_ex(o, "running", &v));
	cr_assert(json_object_get_boolean(v));
	json_object_put(o);

	struct strbuf b = {0};
	report_table(&b);
	_cleanup_free_ char *text = strbuf_steal(&b);
	cr_assert_not_null(text);
	cr_assert(strstr(text, pulse->socket) && strstr(text, "state:    running") &&
		      strstr(text, "name:     pulseaudio"),
		  "%s", text);
}

Test(audio, report_shows_a_stale_server_and_null_for_none)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	tu_pulse_kill(pulse, SIGKILL);
	struct json_object *o = NULL, *v;
	cr_assert_eq(report_json(&o, NULL), 0);
	cr_assert_not_null(o);
	cr_assert(json_object_object_get_ex(o, "running", &v) && !json_object_get_boolean(v));
	cr_assert(json_object_object_get_ex(o, "state", &v));
	cr_assert_str_eq(json_object_get_string(v), "stale");
	cr_assert(json_object_object_get_ex(o, "name", &v) && v == NULL, "name is null");
	json_object_put(o);
	struct strbuf b = {0};
	report_table(&b);
	_cleanup_free_ char *text = strbuf_steal(&b);
	cr_assert(strstr(text, "state:    stale") && strstr(text, "no server listens"), "%s", text);

	struct stat st;
	if (stat("/var/run/pulse/native", &st) == 0)
		cr_skip_test("a system-wide PulseAudio server runs on this machine");
	_cleanup_free_ char *rt = empty_runtime();
	setenv("XDG_RUNTIME_DIR", rt, 1);
	o = (struct json_object *)&o; /* must be overwritten */
	cr_assert_eq(report_json(&o, NULL), 0);
	cr_assert_null(o, "no server is JSON null");
	report_table(&b);
	_cleanup_free_ char *none = strbuf_steal(&b);
	cr_assert(strstr(none, "server:   none") && strstr(none, "state:    none"), "%s", none);
}

/* ---- through real systemd-nspawn ----------------------------------------- */

/* A busybox root that can run the host's dynamic binaries from a read-only
 * /usr: Debian 12 is merged-/usr, so /lib and /lib64 are links into it. */
static char *container_root(void)
{
	if (!tu_can_nspawn())
		cr_skip_test("systemd-nspawn needs root and the binary");
	char *root = tu_busybox_root(tmp);
	_cleanup_free_ char *lib = path_in(root, "lib");
	_cleanup_free_ char *lib64 = path_in(root, "lib64");
	cr_assert(symlink("usr/lib", lib) == 0);
	cr_assert(symlink("usr/lib64", lib64) == 0);
	return root;
}

static int launch(const char *root, const char *user, char *const cmd[], char **out, char **errs)
{
	char *argv[32] = {(char *)tu_tool("passthru-launch"), "--pulse", "-D", (char *)root,
			  "--bind-ro=/usr"};
	int n = 5;
	if (user) {
		argv[n++] = "-u";
		argv[n++] = (char *)user;
	}
	argv[n++] = "--";
	for (int i = 0; cmd[i] && n < 31; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	return tu_run(argv, out, errs, 60);
}

static void pactl_info_as(const char *user)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	setenv("TMPDIR", tmp, 1);
	_cleanup_free_ char *root = container_root();
	char *cmd[] = {"pactl", "info", NULL};
	char *out = NULL, *errs = NULL;
	int st = launch(root, user, cmd, &out, &errs);
	cr_assert_eq(st, 0, "status %d\nstdout: %s\nstderr: %s", st, out, errs);
	cr_assert(strstr(out, "Server Name: pulseaudio"), "%s", out);
	cr_assert(strstr(out, "Default Sink: ptnull"), "the host's daemon: %s", out);
	cr_assert(strstr(out, PT_AUDIO_SOCKET), "through the bound socket: %s", out);
	free(out);
	free(errs);
}

Test(audio, pactl_in_nspawn_reaches_the_host_daemon_as_root)
{
	pactl_info_as(NULL);
}

Test(audio, pactl_in_nspawn_reaches_the_host_daemon_as_another_uid)
{
	/* The daemon runs as root; "tester" is uid 1000 in the container. The
	 * host's runtime directory is 0700 root, so only binding the socket
	 * itself lets tester reach it, and only the cookie lets tester in. */
	pactl_info_as("tester");
}

Test(audio, without_the_cookie_another_uid_is_refused)
{
	/* The control for the test above: the same, but a HOME with no cookie. */
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, tmp);
	setenv("TMPDIR", tmp, 1);
	_cleanup_free_ char *root = container_root();
	char *cmd[] = {"pactl", "info", NULL};
	char *out = NULL, *errs = NULL;
	int st = launch(root, "tester", cmd, &out, &errs);
	cr_assert_neq(st, 0, "stdout: %s", out);
	/* pactl says so on stderr (nspawn passes stdio through as they are). */
	cr_assert(strstr(errs, "Access denied") || strstr(out, "Access denied"),
		  "status %d\nstdout: %s\nstderr: %s", st, out, errs);
	free(out);
	free(errs);
}

/* One second of a 441 Hz square wave, 16-bit mono 44.1 kHz, as a RIFF WAVE file. */
static void write_wav(const char *path)
{
	enum { RATE = 44100, N = RATE };
	static int16_t samples[N];
	for (int i = 0; i < N; i++)
		samples[i] = (i / 50) % 2 ? 12000 : -12000; /* 100 samples a period */
	uint32_t data_len = sizeof(samples), riff_len = 36 + data_len, fmt_len = 16, rate = RATE,
		 byte_rate = RATE * 2;
	uint16_t pcm = 1, channels = 1, align = 2, bits = 16;
	FILE *f = fopen(path, "we");
	cr_assert_not_null(f);
	fwrite("RIFF", 1, 4, f);
	fwrite(&riff_len, 4, 1, f);
	fwrite("WAVEfmt ", 1, 8, f);
	fwrite(&fmt_len, 4, 1, f);
	fwrite(&pcm, 2, 1, f);
	fwrite(&channels, 2, 1, f);
	fwrite(&rate, 4, 1, f);
	fwrite(&byte_rate, 4, 1, f);
	fwrite(&align, 2, 1, f);
	fwrite(&bits, 2, 1, f);
	fwrite("data", 1, 4, f);
	fwrite(&data_len, 4, 1, f);
	fwrite(samples, 1, sizeof(samples), f);
	cr_assert_eq(fclose(f), 0);
}

Test(audio, paplay_in_nspawn_plays_into_the_host_null_sink)
{
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	setenv("TMPDIR", tmp, 1);
	_cleanup_free_ char *root = container_root();
	_cleanup_free_ char *wav = path_in(root, "home/tester/passthru-tone.wav");
	write_wav(wav);
	cr_assert(!tu_pulse_log_has(pulse, "Created input", "passthru-tone.wav"));

	char *cmd[] = {"paplay", "/home/tester/passthru-tone.wav", NULL};
	char *out = NULL, *errs = NULL;
	int st = launch(root, "tester", cmd, &out, &errs);
	cr_assert_eq(st, 0, "status %d\nstdout: %s\nstderr: %s", st, out, errs);
	/* The daemon logs each stream it accepts, with the sink it plays on. */
	cr_assert(tu_pulse_log_has(pulse, "Created input", "passthru-tone.wav") &&
		      tu_pulse_log_has(pulse, "Created input", "on ptnull"),
		  "the null sink saw no stream from paplay");
	free(out);
	free(errs);
}

/* ---- ALSA, through a umockdev testbed ------------------------------------ */

/* A sound card with a control and a playback node, as umockdev-record
 * writes it; the card itself is in subsystem "sound" too, without a node. */
static const char alsa_testbed[] = "P: /devices/pci0000:00/0000:00:1b.0/sound/card0/controlC0\n"
				   "N: snd/controlC0\n"
				   "E: DEVNAME=/dev/snd/controlC0\n"
				   "E: MAJOR=116\nE: MINOR=2\nE: SUBSYSTEM=sound\n"
				   "A: dev=116:2\n\n"
				   "P: /devices/pci0000:00/0000:00:1b.0/sound/card0\n"
				   "E: SUBSYSTEM=sound\nA: id=PCH\n\n"
				   "P: /devices/pci0000:00/0000:00:1b.0\n"
				   "E: SUBSYSTEM=pci\nE: PCI_CLASS=40300\nA: class=0x040300\n\n"
				   "P: /devices/pci0000:00/0000:00:1b.0/sound/card0/pcmC0D0p\n"
				   "N: snd/pcmC0D0p\n"
				   "E: DEVNAME=/dev/snd/pcmC0D0p\n"
				   "E: MAJOR=116\nE: MINOR=16\nE: SUBSYSTEM=sound\n"
				   "A: dev=116:16\n";

static int launch_alsa_in_testbed(const char *testbed, char **out, char **errs)
{
	if (!tu_have("umockdev-run"))
		cr_skip_test("umockdev-run is not installed");
	_cleanup_free_ char *file = path_in(tmp, "snd.umockdev");
	tu_write(file, testbed, 0644);
	/* An ASan build of the tool must accept umockdev's LD_PRELOAD before it. */
	const char *asan = getenv("ASAN_OPTIONS");
	_cleanup_free_ char *opts = NULL;
	cr_assert(asprintf(&opts, "%s%sverify_asan_link_order=0", asan ? asan : "",
			   asan && *asan ? ":" : "") > 0);
	setenv("ASAN_OPTIONS", opts, 1);
	char *argv[] = {"umockdev-run", "-d",	     file, "--", (char *)tu_tool("passthru-launch"),
			"--alsa",	"--dry-run", "-D", tmp,	 "--",
			"true",		NULL};
	return tu_run(argv, out, errs, 30);
}

Test(audio, alsa_passes_each_sound_node_and_not_the_directory)
{
	char *out = NULL, *errs = NULL;
	cr_assert_eq(launch_alsa_in_testbed(alsa_testbed, &out, &errs), 0, "%s", errs);
	cr_assert(strstr(out, " --bind=/dev/snd/controlC0 "), "%s", out);
	cr_assert(strstr(out, " --bind=/dev/snd/pcmC0D0p "), "%s", out);
	/* A bound directory would get no DeviceAllow from nspawn. */
	cr_assert_null(strstr(out, "--bind=/dev/snd "), "%s", out);
	cr_assert_null(strstr(out, "card0"), "%s", out);
	free(out);
	free(errs);
}

Test(audio, alsa_without_sound_devices_says_so)
{
	char *out = NULL, *errs = NULL;
	/* Only the card and its PCI parent: no node to pass. */
	const char *cards_only =
	    strstr(alsa_testbed, "P: /devices/pci0000:00/0000:00:1b.0/sound/card0\n");
	_cleanup_free_ char *bed = strndup(
	    cards_only,
	    strstr(cards_only, "P: /devices/pci0000:00/0000:00:1b.0/sound/card0/pcm") - cards_only);
	cr_assert_eq(launch_alsa_in_testbed(bed, &out, &errs), 125, "%s", out);
	cr_assert_str_eq(errs,
			 "passthru-launch: alsa: no sound devices (udev subsystem sound has no "
			 "device nodes)\n");
	free(out);
	free(errs);
}
