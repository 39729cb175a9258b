/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools as a user meets them: --help, --version, bad arguments (one
 * line naming the argument, exit 2, nothing started or left behind), and
 * the nspawn backend end to end: what a command inside sees, exit codes,
 * and a --dry-run line that runs when pasted into a shell. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "testutil.h"

static char *tmp, *root;

static void setup(void)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
}

static void teardown(void)
{
	tu_rm_rf(tmp);
	free(tmp);
	free(root);
}

TestSuite(tools, .init = setup, .fini = teardown);

static int launch(char **out, char **err, const char *const *args)
{
	char *argv[64] = {(char *)tu_tool("passthru-launch")};
	size_t n = 1;
	for (; args[n - 1]; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	return tu_run(argv, out, err, 60);
}

/* Counts this test's leftovers: entries in tmp besides the root. */
static int leftovers(void)
{
	DIR *d = opendir(tmp);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "root"))
			n++;
	closedir(d);
	return n;
}

Test(tools, help_lists_every_option)
{
	char *out = NULL;
	const char *a[] = {"--help", NULL};
	cr_assert_eq(launch(&out, NULL, a), 0);
	const char *opts[] = {"--directory", "--user", "--bind=", "--bind-ro", "--setenv",
			      "--backend", "--dry-run", "--gpu", "--xephyr", "--xvfb",
			      "--xephyr-arg", "--pulse", "--alsa", "--private-network", "--help",
			      "--version", "Exit status"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		cr_expect(strstr(out, opts[i]), "--help lacks %s", opts[i]);
	free(out);

	char *argv[] = {(char *)tu_tool("passthru-probe"), "--help", NULL};
	cr_assert_eq(tu_run(argv, &out, NULL, 10), 0);
	cr_expect(strstr(out, "--json"));
	cr_expect(strstr(out, "Exit status"));
	free(out);
}

Test(tools, version)
{
	char *out = NULL;
	const char *a[] = {"--version", NULL};
	cr_assert_eq(launch(&out, NULL, a), 0);
	char want[64];
	snprintf(want, sizeof(want), "passthru-launch %s\n", PT_VERSION);
	cr_assert_str_eq(out, want);
	free(out);
	char *argv[] = {(char *)tu_tool("passthru-probe"), "-V", NULL};
	cr_assert_eq(tu_run(argv, &out, NULL, 10), 0);
	snprintf(want, sizeof(want), "passthru-probe %s\n", PT_VERSION);
	cr_assert_str_eq(out, want);
	free(out);
}

struct bad {
	const char *args[8];
	const char *message; /* the first line of stderr must contain this */
};

Test(tools, bad_arguments_exit_2_with_one_clear_line)
{
	const struct bad cases[] = {
		{{"-D", "@ROOT", "--bind", "/does/not/exist", "--", "true"},
		 "passthru-launch: bind source /does/not/exist: No such file or directory"},
		{{"-D", "@ROOT", "--bind", "relative/path", "--", "true"},
		 "passthru-launch: bind 'relative/path': source 'relative/path' is not an absolute path"},
		{{"-D", "@ROOT", "--bind-ro", "/usr:", "--", "true"},
		 "passthru-launch: bind '/usr:': empty target"},
		{{"-D", "@ROOT", "--bind", "", "--", "true"}, "passthru-launch: bind: empty argument"},
		{{"-D", "@ROOT", "--setenv", "NOVALUE", "--", "true"},
		 "passthru-launch: --setenv 'NOVALUE': expected NAME=VALUE"},
		{{"-D", "@ROOT", "--setenv", "=x", "--", "true"},
		 "passthru-launch: environment: empty variable name"},
		{{"-D", "/no/such/root", "--", "true"},
		 "passthru-launch: root directory /no/such/root: No such file or directory"},
		{{"--backend", "nspawn", "-D", "@ROOT"}, "passthru-launch: no command given"},
		{{"--backend", "docker", "-D", "@ROOT", "--", "true"},
		 "passthru-launch: --backend: unknown backend 'docker'"},
		{{"--no-such-option"}, "unrecognized option '--no-such-option'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *a[10] = {0};
		for (size_t j = 0; cases[i].args[j]; j++)
			a[j] = strcmp(cases[i].args[j], "@ROOT") ? cases[i].args[j] : root;
		char *out = NULL, *err = NULL;
		int st = launch(&out, &err, a);
		cr_expect_eq(st, 2, "case %zu: exit %d, stderr: %s", i, st, err);
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = '\0';
		cr_expect(strstr(err, cases[i].message), "case %zu: got '%s', want '%s'", i, err,
			  cases[i].message);
		cr_expect_str_eq(out, "", "case %zu: nothing on stdout", i);
		free(out);
		free(err);
	}
	cr_assert_eq(leftovers(), 0, "nothing left behind");

	char *argv[] = {(char *)tu_tool("passthru-probe"), "extra", NULL};
	char *err = NULL;
	cr_assert_eq(tu_run(argv, NULL, &err, 10), 2);
	cr_assert(strstr(err, "unexpected argument 'extra'"), "%s", err);
	free(err);
}

Test(tools, probe_runs_and_exits_0)
{
	char *out = NULL;
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--json", NULL};
	cr_assert_eq(tu_run(argv, &out, NULL, 30), 0);
	cr_assert(strstr(out, "\"gpus\""), "%s", out);
	cr_assert(strstr(out, "\"audio\""), "%s", out);
	cr_assert(strstr(out, "\"warnings\""), "%s", out);
	free(out);
}

static void need_nspawn(void)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
}

Test(tools, nspawn_env_binds_user_and_status)
{
	need_nspawn();
	char data[4200], spec[4300];
	snprintf(data, sizeof(data), "%s/data:dir", tmp);
	cr_assert_eq(mkdir(data, 0755), 0);
	char file[4300];
	snprintf(file, sizeof(file), "%s/hello", data);
	tu_write(file, "from the host\n", 0644);
	snprintf(spec, sizeof(spec), "%s/data\\:dir:/mnt/in\\:side", tmp);

	char *out = NULL, *err = NULL;
	const char *a[] = {"--backend=nspawn", "-D", root, "-u", "tester", "--bind-ro", spec,
			   "--setenv", "GREETING=hello world", "--",
			   "/bin/sh", "-c",
			   "echo \"env=$GREETING\"; id -u; id -G; cat '/mnt/in:side/hello';"
			   " touch '/mnt/in:side/x' 2>/dev/null && echo writable || echo read-only;"
			   " exit 7",
			   NULL};
	int st = launch(&out, &err, a);
	cr_assert_eq(st, 7, "the command's status is ours; stderr: %s", err);
	cr_assert(strstr(out, "env=hello world\n"), "%s", out);
	cr_assert(strstr(out, "\n1000\n1000 44\n"), "uid and groups of tester: %s", out);
	cr_assert(strstr(out, "from the host\n"), "%s", out);
	cr_assert(strstr(out, "read-only\n"), "%s", out);
	free(out);
	free(err);
}

Test(tools, nspawn_command_is_not_pid1)
{
	/* As PID 1 a shell would ignore SIGTERM; nspawn's stub init is PID 1. */
	need_nspawn();
	char *out = NULL;
	const char *a[] = {"--backend=nspawn", "-D", root, "--", "/bin/sh", "-c",
			   "echo $$; kill -TERM $$; echo survived", NULL};
	int st = launch(&out, NULL, a);
	cr_assert_str_eq(out, "2\n");
	cr_assert_neq(st, 0, "a command killed by a signal is a failure");
	free(out);
}

Test(tools, dry_run_line_runs_when_pasted)
{
	need_nspawn();
	char *line = NULL, *err = NULL;
	const char *a[] = {"--backend=nspawn", "--dry-run", "-D", root, "--setenv", "A=it's here",
			   "--", "/bin/sh", "-c", "echo \"[$A]\"", NULL};
	cr_assert_eq(launch(&line, &err, a), 0, "%s", err);
	cr_assert_eq(leftovers(), 0, "a dry run starts and leaves nothing");
	cr_assert(strncmp(line, "systemd-nspawn ", 15) == 0, "%s", line);
	char *argv[] = {"sh", "-c", line, NULL};
	char *out = NULL;
	cr_assert_eq(tu_run(argv, &out, NULL, 60), 0);
	cr_assert(strstr(out, "[it's here]"), "pasted line output: %s", out);
	free(out);
	free(line);
	free(err);
}
