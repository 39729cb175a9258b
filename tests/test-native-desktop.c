/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend with the desktop producers: a headless display of the
 * container's own (--xvfb) and the host's PulseAudio (--pulse), used from
 * inside by real clients (xdpyinfo, pactl from the host's /usr, bound
 * read-only), as root and as an unprivileged user. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pulsehelper.h"
#include "testutil.h"

static char *tmp, *root;
static struct tu_pulse *pulse;

static void setup(void)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	char path[4200];
	snprintf(path, sizeof(path), "%s/lib", root);
	cr_assert_eq(symlink("usr/lib", path), 0);
	snprintf(path, sizeof(path), "%s/lib64", root);
	cr_assert_eq(symlink("usr/lib64", path), 0);
}

static void teardown(void)
{
	tu_pulse_free(pulse);
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
}

TestSuite(native_desktop, .init = setup, .fini = teardown);

static const char probe_script[] =
	"xdpyinfo | grep -E 'name of display|dimensions'; "
	"[ -n \"$PULSE_SERVER\" ] && pactl info | grep -E 'Server Name|Default Sink'; "
	"ls /tmp/.X11-unix";

Test(native_desktop, xvfb_and_pulse_as_root)
{
	if (geteuid() != 0 || !tu_have("Xvfb") || !tu_have("pulseaudio"))
		cr_skip_test("needs root, Xvfb and pulseaudio");
	pulse = tu_pulse_start(tmp, NULL);
	tu_pulse_client_env(tmp, pulse->runtime, tmp);
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--backend=native", "--xvfb=640x480",
			"--pulse", "-D", root, "--bind-ro=/usr", "--", "/bin/sh", "-c",
			(char *)probe_script, NULL};
	char *out = NULL, *err = NULL;
	int st = tu_run(argv, &out, &err, 60);
	cr_assert_eq(st, 0, "status %d\nstdout: %s\nstderr: %s", st, out, err);
	cr_assert(strstr(out, "640x480 pixels"), "the container's own display: %s", out);
	cr_assert(strstr(out, "Server Name: pulseaudio"), "%s", out);
	cr_assert(strstr(out, "Default Sink: ptnull"), "the host's daemon: %s", out);
	/* Only the display's own socket is in the container: one X<n> line. */
	const char *last = strrchr(out, 'X');
	cr_assert(last && strchr(last, '\n') == out + strlen(out) - 1, "%s", out);
	cr_assert_eq(strstr(out, "X0\nX"), NULL, "one socket only: %s", out);
	cr_assert_eq(tu_mounts_under(root), 0, "no mount left in the root");
	free(out);
	free(err);
}

Test(native_desktop, xvfb_as_unprivileged_user)
{
	if (geteuid() != 0 || !tu_have("Xvfb") || !tu_have("setpriv"))
		cr_skip_test("needs root (to become nobody), Xvfb and setpriv");
	char *argv[] = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
			(char *)tu_tool("passthru-launch"), "--backend=native", "--xvfb=320x200",
			"-D", root, "--bind-ro=/usr", "--", "/bin/sh", "-c",
			"xdpyinfo | grep dimensions; ls /tmp/.X11-unix | wc -l; id -u", NULL};
	char *out = NULL, *err = NULL;
	int st = tu_run(argv, &out, &err, 60);
	cr_assert_eq(st, 0, "status %d\nstdout: %s\nstderr: %s", st, out, err);
	cr_assert(strstr(out, "320x200 pixels"), "%s", out);
	cr_assert(strstr(out, "\n1\n"), "exactly one X socket inside: %s", out);
	cr_assert(strstr(out, "\n65534\n"), "still nobody inside: %s", out);
	free(out);
	free(err);
}

/* A root caller running the command as another container user: the
 * cookie is the container's own copy, which libpulse opens read-write
 * (and does not retry read-only on a read-only mount). Both backends. */
Test(native_desktop, pulse_as_another_container_user)
{
	if (geteuid() != 0 || !tu_have("pulseaudio"))
		cr_skip_test("needs root and pulseaudio");
	pulse = tu_pulse_start(tmp, NULL);
	/* HOME as the daemon's: the cookie is found and passed. */
	tu_pulse_client_env(tmp, pulse->runtime, pulse->home);
	const char *backends[] = {"--backend=native", "--backend=nspawn"};
	for (size_t b = 0; b < 2; b++) {
		if (b == 1 && !tu_can_nspawn())
			continue;
		char *argv[] = {(char *)tu_tool("passthru-launch"), (char *)backends[b], "--pulse",
				"-u", "tester", "-D", root, "--bind-ro=/usr", "--", "/bin/sh", "-c",
				"id -u; pactl info | grep 'Server Name'", NULL};
		char *out = NULL, *err = NULL;
		int st = tu_run(argv, &out, &err, 60);
		cr_expect_eq(st, 0, "%s: status %d\n%s\n%s", backends[b], st, out, err);
		cr_expect(strstr(out, "1000\nServer Name: pulseaudio"), "%s: %s\n%s", backends[b],
			  out, err);
		cr_expect_str_eq(err, "", "%s: a successful run is silent", backends[b]);
		free(out);
		free(err);
	}
}
