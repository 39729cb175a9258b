/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd-nspawn emitter: exact argv for a plan, escaping, and the
 * rules nspawn's device policy forces (node-by-node, never read-only). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "nspawn.h"
#include "passthru/passthru.h"
#include "testutil.h"

static struct pt_plan *plan;
static char *tmp;

static void setup(void)
{
	plan = pt_plan_new();
	tmp = tu_tmpdir();
}

static void teardown(void)
{
	pt_plan_free(plan);
	tu_rm_rf(tmp);
	free(tmp);
}

TestSuite(nspawn, .init = setup, .fini = teardown);

static void expect_argv(char **argv, const char *const *want)
{
	size_t i = 0;
	for (; want[i]; i++) {
		cr_assert_not_null(argv[i], "argv ends early at %zu, want '%s'", i, want[i]);
		cr_expect_str_eq(argv[i], want[i], "argv[%zu]", i);
	}
	cr_expect_null(argv[i], "extra argv[%zu] '%s'", i, argv[i] ? argv[i] : "");
}

Test(nspawn, full_plan_exact_argv)
{
	struct pt_error err = {0};
	char *cmd[] = {"steam", "-silent", NULL};
	cr_assert_eq(pt_plan_set_root(plan, tmp, &err), 0);
	cr_assert_eq(pt_plan_set_user(plan, "steam", &err), 0);
	cr_assert_eq(pt_plan_set_command(plan, 2, cmd, &err), 0);
	cr_assert_eq(pt_plan_add_bind(plan, "/usr", "/run/host/usr", PT_BIND_RO, &err), 0);
	cr_assert_eq(pt_plan_add_bind(plan, "/dev/null", "/dev/mydev", PT_BIND_RO, &err), 0);
	cr_assert_eq(pt_plan_add_device(plan, "/dev/dri/renderD128", 'c', 226, 128, NULL, &err), 0);
	cr_assert_eq(pt_plan_add_device(plan, "/dev/nvidiactl", 'c', 195, 255, "rwm", &err), 0);
	cr_assert_eq(pt_plan_set_env(plan, "DISPLAY", ":1", &err), 0);
	cr_assert_eq(pt_plan_set_env(plan, "PULSE_SERVER", "unix:/run/pulse/native", &err), 0);
	cr_assert_eq(pt_plan_add_file(plan, "/home/steam/.Xauthority", "c", 1, 0600, &err), 0);
	char copy[4200];
	snprintf(copy, sizeof(copy), "%s/0-.Xauthority", tmp);
	char *files[] = {copy, NULL};
	struct nspawn_init init = {"/usr/libexec/passthru/passthru-init", true};

	char **argv = NULL;
	cr_assert_eq(nspawn_argv(plan, NSPAWN_KEEP_UNIT, files, &init, &argv, &err), 0, "%s", err.message);
	char xauth[4300];
	snprintf(xauth, sizeof(xauth), "--bind=%s:/home/steam/.Xauthority", copy);
	const char *want[] = {
	    "systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "-D", tmp, "-u", "steam",
	    "--bind-ro=/usr:/run/host/usr",
	    /* a device source is never bound read-only */
	    "--bind=/dev/null:/dev/mydev", "--bind=/dev/dri/renderD128", "--bind=/dev/nvidiactl",
	    xauth, "--setenv=DISPLAY=:1", "--setenv=PULSE_SERVER=unix:/run/pulse/native",
	    /* our init is PID 1: signals, 128+N, "started" */
	    "--bind-ro=/usr/libexec/passthru/passthru-init:/run/passthru/init", "--",
	    "/run/passthru/init", "--notify-fd", /* the socket comes as fd 3, no file */
	    "--", "steam", "-silent", NULL};
	expect_argv(argv, want);
	pt_argv_free(argv);
}

Test(nspawn, colons_and_backslashes_are_escaped)
{
	struct pt_error err = {0};
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/a:b\\c", tmp);
	cr_assert_eq(mkdir(dir, 0755), 0);
	char *cmd[] = {"true", NULL};
	cr_assert_eq(pt_plan_set_root(plan, tmp, &err), 0);
	cr_assert_eq(pt_plan_set_command(plan, 1, cmd, &err), 0);
	cr_assert_eq(pt_plan_add_bind(plan, dir, "/mnt/x:y", 0, &err), 0, "%s", err.message);
	char **argv = NULL;
	cr_assert_eq(nspawn_argv(plan, 0, NULL, NULL, &argv, &err), 0);
	char want[4300];
	snprintf(want, sizeof(want), "--bind=%s/a\\:b\\\\c:/mnt/x\\:y", tmp);
	cr_assert_str_eq(argv[5], want);
	cr_assert_str_eq(argv[1], "--quiet");
	cr_assert_str_eq(argv[2], "--as-pid2", "no --keep-unit without the flag");
	pt_argv_free(argv);
}

Test(nspawn, bind_parse_roundtrips_through_the_emitter)
{
	/* What --bind reads ('\:' a colon) is what the emitter writes. */
	struct pt_error err = {0};
	char dir[4200], spec[4300];
	snprintf(dir, sizeof(dir), "%s/x:y", tmp);
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(spec, sizeof(spec), "%s/x\\:y:/t\\:u", tmp);
	char *src, *dst;
	cr_assert_eq(pt_bind_parse(spec, &src, &dst, &err), 0);
	cr_assert_str_eq(src, dir);
	cr_assert_str_eq(dst, "/t:u");
	cr_assert_eq(pt_plan_add_bind(plan, src, dst, 0, &err), 0);
	char *cmd[] = {"true", NULL};
	pt_plan_set_root(plan, tmp, &err);
	pt_plan_set_command(plan, 1, cmd, &err);
	char **argv = NULL;
	cr_assert_eq(nspawn_argv(plan, 0, NULL, NULL, &argv, &err), 0);
	char want[4400];
	snprintf(want, sizeof(want), "--bind=%s", spec);
	cr_assert_str_eq(argv[5], want);
	pt_argv_free(argv);
	free(src);
	free(dst);
}

Test(nspawn, private_network_flag)
{
	struct pt_error err = {0};
	char *cmd[] = {"true", NULL};
	pt_plan_set_root(plan, tmp, &err);
	pt_plan_set_command(plan, 1, cmd, &err);
	pt_plan_set_flags(plan, PT_PLAN_PRIVATE_IPC | PT_PLAN_PRIVATE_NETWORK);
	char **argv = NULL;
	cr_assert_eq(nspawn_argv(plan, NSPAWN_PIPE, NULL, NULL, &argv, &err), 0);
	cr_assert_str_eq(argv[2], "--console=pipe");
	cr_assert_str_eq(argv[6], "--private-network");
	pt_argv_free(argv);
}

Test(nspawn, missing_parts_are_errors)
{
	struct pt_error err = {0};
	char **argv = NULL;
	char *cmd[] = {"true", NULL};
	cr_assert_eq(nspawn_argv(plan, 0, NULL, NULL, &argv, &err), -EINVAL);
	cr_assert(strstr(err.message, "no root directory"), "%s", err.message);
	pt_plan_set_root(plan, tmp, &err);
	cr_assert_eq(nspawn_argv(plan, 0, NULL, NULL, &argv, &err), -EINVAL);
	cr_assert(strstr(err.message, "no command"), "%s", err.message);
	pt_plan_set_command(plan, 1, cmd, &err);
	pt_plan_add_file(plan, "/etc/x.conf", "x", 1, 0644, &err);
	cr_assert_eq(nspawn_argv(plan, 0, NULL, NULL, &argv, &err), -EINVAL);
	cr_assert(strstr(err.message, "/etc/x.conf was not written out"), "%s", err.message);
	cr_assert_null(argv, "ret_argv untouched on failure");
}

Test(nspawn, shell_quoting)
{
	char *argv[] = {"systemd-nspawn", "--setenv=A=b c", "it's", "", "$HOME", "a=b", "/x:y", NULL};
	char *s = pt_argv_to_shell(argv);
	cr_assert_str_eq(s, "systemd-nspawn '--setenv=A=b c' 'it'\\''s' '' '$HOME' a=b /x:y");
	free(s);
	char *first[] = {"A=b", "x", NULL};
	s = pt_argv_to_shell(first);
	cr_assert_str_eq(s, "'A=b' x", "a first word with '=' would be an assignment");
	free(s);
}
