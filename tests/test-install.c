/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `make install` into a temporary DESTDIR, then a program built against it
 * with nothing but pkg-config, and run: what another container tool does. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "passthru/version.h"
#include "testutil.h"

static char *tmp;

static void setup(void) { tmp = tu_tmpdir(); }
static void teardown(void)
{
	tu_rm_rf(tmp);
	free(tmp);
}

TestSuite(install, .init = setup, .fini = teardown, .timeout = 0);

static const char demo_c[] =
	"#include <passthru/passthru.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"int main(void)\n"
	"{\n"
	"	struct pt_error err = {0};\n"
	"	struct pt_plan *plan = pt_plan_new();\n"
	"	char *cmd[] = {\"true\", NULL};\n"
	"	if (pt_plan_set_root(plan, \"/\", &err) < 0 ||\n"
	"	    pt_plan_set_command(plan, 1, cmd, &err) < 0 ||\n"
	"	    pt_plan_add_device(plan, \"/dev/dri/renderD128\", 'c', 226, 128, NULL, &err) < 0)\n"
	"		return fprintf(stderr, \"%s\\n\", err.message), 1;\n"
	"	struct pt_launch_opts *o = pt_launch_opts_new();\n"
	"	o->backend = PT_LAUNCH_BACKEND_NSPAWN;\n"
	"	o->console = PT_LAUNCH_CONSOLE_PIPE;\n"
	"	struct pt_launch *l;\n"
	"	char **argv;\n"
	"	if (pt_launch_new(plan, o, &l, &err) < 0 || pt_launch_dry_run(l, &argv, &err) < 0)\n"
	"		return fprintf(stderr, \"%s\\n\", err.message), 1;\n"
	"	char *line = pt_argv_to_shell(argv);\n"
	"	printf(\"%s %s\\n\", pt_version(), line);\n"
	"	free(line);\n"
	"	pt_argv_free(argv);\n"
	"	pt_launch_free(l);\n"
	"	pt_launch_opts_free(o);\n"
	"	pt_plan_free(plan);\n"
	"	return 0;\n"
	"}\n";

Test(install, pkg_config_builds_and_runs_a_program)
{
	if (!tu_have("make") || !tu_have("pkg-config") || !tu_have("cc"))
		cr_skip_test("needs make, pkg-config and cc");
	/* The source tree: PT_BUILD is <src>/build (or build-asan). */
	const char *b = getenv("PT_BUILD");
	cr_assert_not_null(b, "run through scripts/run-tests (PT_BUILD)");
	char src[4096];
	snprintf(src, sizeof(src), "%s/..", b);
	const char *build = strrchr(b, '/') + 1;

	char destdir[4200], cmd[16384], *out = NULL, *err = NULL;
	snprintf(destdir, sizeof(destdir), "DESTDIR=%s/dest", tmp);
	char bvar[256];
	snprintf(bvar, sizeof(bvar), "BUILD=%s", build);
	/* The sanitizer build installs its own flavour; an install is an install. */
	char *make[] = {"make", "-s", "-C", src, bvar, "PREFIX=/opt/pt", destdir, "install", NULL};
	int st = tu_run(make, &out, &err, 300);
	cr_assert_eq(st, 0, "make install: %s%s", out, err);
	free(out);
	free(err);

	char so[4300];
	snprintf(so, sizeof(so), "%s/dest/opt/pt/lib/libpassthru.so.0", tmp);
	cr_assert_eq(access(so, F_OK), 0, "SONAME link installed");
	snprintf(so, sizeof(so), "%s/dest/opt/pt/include/passthru/passthru.h", tmp);
	cr_assert_eq(access(so, F_OK), 0, "headers installed");

	char demo[4300];
	snprintf(demo, sizeof(demo), "%s/demo.c", tmp);
	tu_write(demo, demo_c, 0644);
	/* pkg-config with the DESTDIR's .pc, its prefix redirected there. */
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; export PKG_CONFIG_PATH=%s/dest/opt/pt/lib/pkgconfig;"
		 " pc='pkg-config --define-variable=libdir=%s/dest/opt/pt/lib"
		 " --define-variable=includedir=%s/dest/opt/pt/include';"
		 " cc demo.c -o demo $($pc --cflags --libs libpassthru) %s;"
		 " LD_LIBRARY_PATH=%s/dest/opt/pt/lib ./demo;"
		 " pkg-config --modversion libpassthru",
		 tmp, tmp, tmp, tmp, strstr(b, "asan") ? "-fsanitize=address,undefined" : "", tmp);
	char *sh[] = {"sh", "-c", cmd, NULL};
	st = tu_run(sh, &out, &err, 120);
	cr_assert_eq(st, 0, "build/run with pkg-config: %s", err);
	char want[256];
	snprintf(want, sizeof(want), "%s systemd-nspawn --quiet ", PT_VERSION);
	cr_assert(strncmp(out, want, strlen(want)) == 0, "%s", out);
	snprintf(want, sizeof(want), " --console=pipe -D / --bind=/dev/dri/renderD128 --bind-ro=");
	cr_assert(strstr(out, want), "%s", out);
	/* Our init, installed under the prefix, is the container's PID 1. */
	snprintf(want, sizeof(want),
		 "/dest/opt/pt/libexec/passthru/passthru-init:/run/passthru/init -- "
		 "/run/passthru/init -- true\n%s\n",
		 PT_VERSION);
	cr_assert(strstr(out, want), "%s", out);
	free(out);
	free(err);

	/* Exactly the documented API is exported: every dynamic symbol is pt_*. */
	snprintf(cmd, sizeof(cmd),
		 "nm -D --defined-only %s/dest/opt/pt/lib/libpassthru.so.0 | awk '{print $3}'"
		 " | grep -v '^PASSTHRU_' | grep -v '^pt_' || true",
		 tmp);
	char *nm[] = {"sh", "-c", cmd, NULL};
	cr_assert_eq(tu_run(nm, &out, NULL, 30), 0);
	cr_assert_str_eq(out, "", "symbols outside the pt_ API are exported");
	free(out);

	/* The three lists agree: what the headers mark PT_EXPORT, what the
	 * version script names, what the installed library exports. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s; hdr=$(grep -ho 'PT_EXPORT[^(]*pt_[a-z0-9_]*(' include/passthru/*.h"
		 " | grep -o 'pt_[a-z0-9_]*(' | tr -d '(' | sort);"
		 " sym=$(grep -o 'pt_[a-z0-9_]*;' libpassthru/libpassthru.sym | tr -d ';' | sort);"
		 " lib=$(nm -D --defined-only %s/dest/opt/pt/lib/libpassthru.so.0 | awk '{print $3}'"
		 " | grep '^pt_' | sed 's/@.*//' | sort);"
		 " [ -n \"$hdr\" ] || exit 3;"
		 " [ \"$hdr\" = \"$sym\" ] || { echo \"headers vs .sym:\"; diff <(echo \"$hdr\") <(echo \"$sym\"); exit 1; };"
		 " [ \"$sym\" = \"$lib\" ] || { echo \".sym vs library:\"; diff <(echo \"$sym\") <(echo \"$lib\"); exit 1; }",
		 src, tmp);
	char *abi[] = {"bash", "-c", cmd, NULL};
	cr_assert_eq(tu_run(abi, &out, NULL, 30), 0, "%s", out);
	free(out);
}
