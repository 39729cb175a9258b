/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* .nspawn settings from a plan, read by the real systemd-nspawn
 * (--settings=trusted, the file in /run/systemd/nspawn/, removed after),
 * and the unit drop-in read by systemd-analyze verify. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "testutil.h"

static char *tmp, *root;
static char machine[64];
static char run_file[256]; /* our file in /run/systemd/nspawn, or "" */
static char host_dev[256]; /* our node in the host's /dev, or "": DeviceAllow= takes /dev paths */

static void setup(void)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	snprintf(machine, sizeof(machine), "pttest%d", (int)getpid());
	run_file[0] = '\0';
	host_dev[0] = '\0';
}

static void teardown(void)
{
	if (run_file[0])
		unlink(run_file);
	if (host_dev[0])
		unlink(host_dev);
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
}

TestSuite(nspawn_settings, .init = setup, .fini = teardown);

static char *tpath(const char *rel)
{
	static char buf[4][4200];
	static int slot;
	char *p = buf[slot++ % 4];
	snprintf(p, 4200, "%s/%s", tmp, rel);
	return p;
}

static char *slurp(const char *path)
{
	char *cat[] = {"cat", (char *)path, NULL}, *out = NULL;
	cr_assert_eq(tu_run(cat, &out, NULL, 5), 0, "cat %s", path);
	return out;
}

/* A plan with everything a settings file carries. */
static struct pt_plan *full_plan(unsigned major)
{
	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	mkdir(tpath("data"), 0755);
	tu_write(tpath("data/hello"), "bound\n", 0644);
	mkdir(tpath("rw"), 0777);
	chmod(tpath("rw"), 0777);
	mkdir(tpath("out"), 0755);
	cr_assert_eq(pt_plan_add_bind(plan, tpath("data"), "/mnt/da:ta", PT_BIND_RO, &e), 0);
	cr_assert_eq(pt_plan_add_bind(plan, tpath("rw"), "/mnt/rw", 0, &e), 0);
	cr_assert_eq(pt_plan_set_env(plan, "FOO", "bar baz", &e), 0);
	cr_assert_eq(pt_plan_set_env(plan, "ODD", "a'b\"c\\d $e %%f", &e), 0);
	cr_assert_eq(pt_plan_add_file(plan, "/etc/pt/gen.conf", "generated\n", 10, 0644, &e), 0);
	if (major) {
		snprintf(host_dev, sizeof(host_dev), "/dev/pt-test-fake-%d", (int)getpid());
		cr_assert_eq(mknod(host_dev, S_IFCHR | 0666, makedev(major, 0)), 0, "%s",
			     strerror(errno));
		chmod(host_dev, 0666);
		cr_assert_eq(pt_plan_add_device(plan, host_dev, 'c', major, 0, "rw", &e), 0);
	}
	char *cmd[] = {"sh", "-c",
		       "echo \"$FOO\"; printf '%s\\n' \"$ODD\"; cat '/mnt/da:ta/hello' /etc/pt/gen.conf;"
		       "echo w > /mnt/rw/w;"
		       "(echo x > '/mnt/da:ta/new') 2>/dev/null || echo ro-ok; id -u;"
		       "for f in /dev/pt-test-fake-*; do cat $f; done 2>&1; true",
		       NULL};
	cr_assert_eq(pt_plan_set_command(plan, 3, cmd, &e), 0);
	cr_assert_eq(pt_plan_set_user(plan, "tester", &e), 0);
	return plan;
}

Test(nspawn_settings, real_nspawn_runs_the_machine_as_planned)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	unsigned major = tu_free_char_major();
	struct pt_plan *plan = full_plan(major);
	struct pt_error e = {0};
	cr_assert_eq(pt_nspawn_settings_write(plan, machine, tpath("out"), &e), 0, "%s",
		     e.message);
	pt_plan_free(plan);

	char src[4200];
	snprintf(src, sizeof(src), "%s/out/%s.nspawn", tmp, machine);
	char *settings = slurp(src);
	mkdir("/run/systemd", 0755);
	mkdir("/run/systemd/nspawn", 0755);
	snprintf(run_file, sizeof(run_file), "/run/systemd/nspawn/%s.nspawn", machine);
	tu_write(run_file, settings, 0644);
	free(settings);

	char m[80];
	snprintf(m, sizeof(m), "--machine=%s", machine);
	/* No command on the command line: Parameters= of the file is it. */
	char *argv[] = {"systemd-nspawn", "--quiet",	    "--settings=trusted", m,
			"-D",		  root,		    "--register=no",	  "--keep-unit",
			"--console=pipe", NULL};
	char *out = NULL, *err = NULL;
	int rc = tu_run(argv, &out, &err, 60);
	cr_assert_eq(rc, 0, "rc %d: %s%s", rc, out, err);
	char want[8400];
	snprintf(want, sizeof(want),
		 "bar baz\na'b\"c\\d $e %%%%f\nbound\ngenerated\nro-ok\n1000\n"
		 "cat: can't open '%s': No such device or address\n",
		 host_dev);
	cr_expect_str_eq(out, want);
	cr_expect_eq(access(tpath("rw/w"), F_OK), 0, "the rw bind did not reach the host");
	free(out);
	free(err);
}

Test(nspawn_settings, text_and_drop_in)
{
	unsigned major = geteuid() == 0 ? tu_free_char_major() : 0;
	struct pt_plan *plan = full_plan(major);
	struct pt_error e = {0};
	pt_plan_set_flags(plan, pt_plan_get_flags(plan) | PT_PLAN_PRIVATE_NETWORK);
	cr_assert_eq(pt_nspawn_settings_write(plan, machine, tpath("out"), &e), 0, "%s",
		     e.message);
	pt_plan_free(plan);
	char p[4300];
	snprintf(p, sizeof(p), "%s/out/%s.nspawn", tmp, machine);
	char *text = slurp(p), want[9000];
	cr_expect(strstr(text, "[Exec]\nProcessTwo=yes\nUser=tester\nEnvironment='FOO=bar baz'\n"
			       "Environment='ODD=a'\"'\"'b\"c\\d $e %%f'\n"
			       "Parameters='sh' '-c' 'echo \"$FOO\"; printf '\"'\"'%s"),
		  "%s", text);
	snprintf(want, sizeof(want), "BindReadOnly=%s:/mnt/da\\:ta\nBind=%s:/mnt/rw\n",
		 tpath("data"), tpath("rw"));
	cr_expect(strstr(text, want), "want %s in %s", want, text);
	snprintf(want, sizeof(want), "BindReadOnly=%s/out/%s.files/0-gen.conf:/etc/pt/gen.conf\n",
		 tmp, machine);
	cr_expect(strstr(text, want), "want %s in %s", want, text);
	cr_expect(strstr(text, "[Network]\nPrivate=yes\n"), "%s", text);
	free(text);
	snprintf(p, sizeof(p), "%s/out/%s.files/0-gen.conf", tmp, machine);
	text = slurp(p);
	cr_expect_str_eq(text, "generated\n");
	free(text);

	char dropin[4300];
	snprintf(dropin, sizeof(dropin), "%s/out/systemd-nspawn@%s.service.d/passthru.conf", tmp,
		 machine);
	text = slurp(dropin);
	if (major) {
		snprintf(want, sizeof(want), "[Service]\nDeviceAllow=%s rw\n", host_dev);
		cr_expect(strstr(text, want), "%s", text);
	}
	free(text);
	/* No temporary file is left beside them. */
	char *ls[] = {"sh", "-c", "ls -A \"$0\" \"$0\"/*.service.d | grep -c '^\\.#'", tpath("out"),
		      NULL};
	char *out = NULL;
	tu_run(ls, &out, NULL, 5);
	cr_expect_str_eq(out, "0\n");
	free(out);

	if (!tu_have("systemd-analyze") || access("/lib/systemd/system/systemd-nspawn@.service", R_OK))
		return;
	/* systemd reads the drop-in with the template it extends; a control
	 * copy with a bad line shows that verify looks at it at all. */
	char unit[4300];
	snprintf(unit, sizeof(unit), "%s/out/systemd-nspawn@%s.service", tmp, machine);
	char *cp[] = {"cp", "/lib/systemd/system/systemd-nspawn@.service", unit, NULL};
	cr_assert_eq(tu_run(cp, NULL, NULL, 5), 0);
	char env[4400];
	snprintf(env, sizeof(env), "SYSTEMD_UNIT_PATH=%s/out:", tmp);
	char *verify[] = {"env", env, "systemd-analyze", "verify", unit, NULL};
	char *err = NULL;
	int rc = tu_run(verify, &out, &err, 30);
	cr_expect_eq(rc, 0, "%s%s", out, err);
	cr_expect_null(strstr(err, "passthru.conf"), "verify complains: %s", err);
	free(out);
	free(err);
	tu_write(dropin, "[Service]\nDeviceAllow=/dev/null rwx\n", 0644);
	tu_run(verify, &out, &err, 30);
	cr_expect(strstr(err, "passthru.conf"), "the control was not read: %s", err);
	free(out);
	free(err);
}

Test(nspawn_settings, refuses_what_a_file_cannot_hold)
{
	struct pt_error e = {0};
	struct pt_plan *plan = pt_plan_new();
	mkdir(tpath("out"), 0755);
	cr_expect_eq(pt_nspawn_settings_write(plan, "../etc", tpath("out"), &e), -EINVAL);
	cr_expect(strstr(e.message, "invalid machine name '../etc'"), "%s", e.message);
	cr_assert_eq(pt_plan_set_env(plan, "Q", "two\nlines", &e), 0);
	cr_expect_eq(pt_nspawn_settings_write(plan, "m", tpath("out"), &e), -EINVAL);
	cr_expect(strstr(e.message, "environment variable 'Q=two\nlines' holds a line break"), "%s",
		  e.message);
	cr_expect_neq(access(tpath("out/m.nspawn"), F_OK), 0, "a file was written anyway");
	pt_plan_free(plan);

	/* The tool: nothing written, exit 2, one line. */
	char dir[4300];
	snprintf(dir, sizeof(dir), "--output-dir=%s", tpath("out"));
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--emit-nspawn-settings=-x", dir,
			NULL};
	char *out = NULL, *err = NULL;
	cr_expect_eq(tu_run(argv, &out, &err, 10), 2, "%s", err);
	cr_expect(strstr(err, "invalid machine name '-x'"), "%s", err);
	free(out);
	free(err);
}
