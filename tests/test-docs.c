/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a Debian user meets: the man pages say what --help says (and the
 * tools accept what the man pages say), they render cleanly, Tab completes
 * backends and GPU selectors (a umockdev testbed provides the GPUs), and
 * dpkg-buildpackage gives packages that install and work. Everything runs
 * the real tools, bash, groff, scdoc, dpkg. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <umockdev.h>
#include <unistd.h>

#include "testutil.h"

static char *tmp;

static void setup(void) { tmp = tu_tmpdir(); }
static void teardown(void)
{
	tu_rm_rf(tmp);
	free(tmp);
}

/* No .timeout: Criterion's runner leaks its timeout bookkeeping under
 * check-asan; every child has its own timeout (tu_run). */
TestSuite(docs, .init = setup, .fini = teardown);

/* The source tree: PT_BUILD is <src>/build (or build-asan). */
static const char *src_dir(void)
{
	static char src[4096];
	const char *b = getenv("PT_BUILD");
	cr_assert_not_null(b, "run through scripts/run-tests (PT_BUILD)");
	snprintf(src, sizeof(src), "%s/..", b);
	return src;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* ---- options: --help and the man page name the same ones --------------- */

/* How an option takes a value: "--x", "--x=V", "--x[=V]". */
enum arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };
static const char *const arg_name[] = {"no value", "=VALUE", "[=VALUE]"};

struct opt {
	char name[64]; /* "--json" or "-D" */
	enum arg arg;
};

struct opts {
	struct opt v[128];
	size_t n;
};

static void opts_add(struct opts *o, const char *name, size_t len, enum arg arg)
{
	cr_assert_lt(o->n, 128);
	cr_assert_lt(len, sizeof(o->v[0].name));
	memcpy(o->v[o->n].name, name, len);
	o->v[o->n].name[len] = '\0';
	o->v[o->n].arg = arg;
	o->n++;
}

static const struct opt *opts_find(const struct opts *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i].name, name) == 0)
			return &o->v[i];
	return NULL;
}

static enum arg arg_after(const char *p)
{
	return p[0] == '=' ? ARG_REQUIRED : p[0] == '[' && p[1] == '=' ? ARG_OPTIONAL : ARG_NONE;
}

/* An option line of --help: 1 to 6 spaces, then "-X, --name..." or
 * "--name...". A short option takes what its long twin takes. */
static void parse_help(const char *text, struct opts *o)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t sp = strspn(line, " ");
		if (sp < 1 || sp > 6 || line[sp] != '-')
			continue;
		const char *p = line + sp;
		char shortopt = 0;
		if (p[1] != '-') {
			shortopt = p[1];
			p += 2;
			if (strncmp(p, ", ", 2) != 0)
				continue;
			p += 2;
		}
		if (strncmp(p, "--", 2) != 0)
			continue;
		size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
		enum arg arg = arg_after(p + len);
		opts_add(o, p, len, arg);
		if (shortopt) {
			char s[3] = {'-', shortopt, 0};
			opts_add(o, s, 2, arg);
		}
	}
}

/* Option lines of a man page source start with "*-": "*-D*, *--directory*=_ROOT_". */
static void parse_man(const char *text, struct opts *o)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "*-", 2) != 0)
			continue;
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, l);
		/* The long option decides what the short one takes. */
		char *lng = strstr(copy, "*--");
		enum arg arg = ARG_NONE;
		if (lng) {
			size_t len = 2 + strspn(lng + 3, "abcdefghijklmnopqrstuvwxyz0123456789-");
			cr_assert_eq(lng[1 + len], '*', "man option line: %s", copy);
			arg = arg_after(lng + 2 + len);
			opts_add(o, lng + 1, len, arg);
		}
		if (copy[2] != '-') {
			cr_assert_eq(copy[3], '*', "man option line: %s", copy);
			opts_add(o, copy + 1, 2, arg);
		}
		free(copy);
	}
}

/* Runs tool with args; returns what getopt complained about, or NULL. */
static char *getopt_complaint(const char *tool, const char *a1, const char *a2, int *ret_status)
{
	char *argv[] = {(char *)tool, (char *)a1, (char *)a2, NULL};
	char *out = NULL, *err = NULL;
	*ret_status = tu_run(argv, &out, &err, 30);
	free(out);
	static const char *const getopt_says[] = {"unrecognized option", "invalid option",
						  "requires an argument", "doesn't allow an argument",
						  "is ambiguous"};
	for (size_t i = 0; i < sizeof(getopt_says) / sizeof(getopt_says[0]); i++)
		if (err && strstr(err, getopt_says[i]))
			return err;
	free(err);
	return NULL;
}

/* The table: one row per tool, checked both ways, every failure listed. */
static void check_options(const char *tool_name, const char *page)
{
	const char *tool = tu_tool(tool_name);
	char *argv[] = {(char *)tool, "--help", NULL}, *help = NULL;
	cr_assert_eq(tu_run(argv, &help, NULL, 30), 0, "%s --help", tool);
	char path[4300];
	snprintf(path, sizeof(path), "%s/man/%s.scd", src_dir(), page);
	char *man = read_text(path);
	struct opts h = {0}, m = {0};
	parse_help(help, &h);
	parse_man(man, &m);
	cr_assert_geq(h.n, 4, "options found in --help:\n%s", help);

	char *report = NULL;
	size_t rlen = 0;
	FILE *r = open_memstream(&report, &rlen);
	for (size_t i = 0; i < h.n; i++) {
		const struct opt *in_man = opts_find(&m, h.v[i].name);
		if (!in_man)
			fprintf(r, "%s --help lists %s, man/%s.scd does not: document it there\n",
				tool_name, h.v[i].name, page);
		else if (in_man->arg != h.v[i].arg)
			fprintf(r, "%s: --help shows %s with %s, the man page with %s\n", tool_name,
				h.v[i].name, arg_name[h.v[i].arg], arg_name[in_man->arg]);
	}
	for (size_t i = 0; i < m.n; i++) {
		const struct opt *o = &m.v[i];
		bool lng = o->name[1] == '-';
		char with[96];
		int st;
		/* Accepted (a bad value may be refused, the option not). */
		if (o->arg == ARG_REQUIRED)
			snprintf(with, sizeof(with), lng ? "%s=x" : "%sx", o->name);
		else
			snprintf(with, sizeof(with), "%s", o->name);
		char *c = getopt_complaint(tool, with, "--help", &st);
		if (c)
			fprintf(r, "man/%s.scd documents %s, %s refuses it: %s", page, with, tool_name, c);
		free(c);
		if (!lng)
			continue;
		/* And it takes a value exactly as the page says. */
		if (o->arg == ARG_NONE) {
			snprintf(with, sizeof(with), "%s=x", o->name);
			c = getopt_complaint(tool, with, "--help", &st);
			if (!c)
				fprintf(r, "man/%s.scd shows %s without a value, %s accepts %s\n", page,
					o->name, tool_name, with);
		} else if (o->arg == ARG_REQUIRED) {
			c = getopt_complaint(tool, "--help", o->name, &st);
			c = c ? c : getopt_complaint(tool, o->name, NULL, &st);
			if (!c)
				fprintf(r, "man/%s.scd shows %s=VALUE, %s accepts it without one\n", page,
					o->name, tool_name);
		} else {
			c = NULL;
		}
		free(c);
	}
	fclose(r);
	cr_expect_str_empty(report, "%s", report);
	free(report);
	free(help);
	free(man);
}

Test(docs, launch_options_match_its_man_page) { check_options("passthru-launch", "passthru-launch.1"); }
Test(docs, probe_options_match_its_man_page) { check_options("passthru-probe", "passthru-probe.1"); }

/* ---- the pages render ----------------------------------------------------- */

Test(docs, man_pages_render_without_warnings)
{
	if (!tu_have("groff"))
		cr_skip_test("groff is not installed (Debian: groff-base)");
	static const char *const pages[] = {"passthru-launch.1", "passthru-probe.1", "libpassthru.3"};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char page[4300], cmd[8800];
		snprintf(page, sizeof(page), "%s/man/%s", getenv("PT_BUILD"), pages[i]);
		cr_assert_eq(access(page, R_OK), 0, "make all builds %s from man/%s.scd", page, pages[i]);
		/* -ww: every warning; -z: no output, only the diagnostics. */
		snprintf(cmd, sizeof(cmd), "groff -man -ww -z '%s' && groff -man -Tutf8 '%s' 2>/dev/null | grep -c .",
			 page, page);
		char *sh[] = {"sh", "-c", cmd, NULL}, *out = NULL, *err = NULL;
		cr_assert_eq(tu_run(sh, &out, &err, 60), 0, "%s: %s", pages[i], err);
		cr_expect_str_empty(err, "%s renders with warnings:\n%s", pages[i], err);
		cr_expect_gt(atoi(out), 40, "%s renders to %s lines", pages[i], out);
		free(out);
		free(err);
	}
}

/* Every page source in man/ is built (a page added to the tree but not to
 * the list above fails here). */
Test(docs, every_page_source_is_built_and_checked)
{
	char cmd[8800];
	snprintf(cmd, sizeof(cmd), "cd '%s/man' && ls *.scd | sed 's/\\.scd$//'", src_dir());
	char *sh[] = {"sh", "-c", cmd, NULL}, *out = NULL;
	cr_assert_eq(tu_run(sh, &out, NULL, 30), 0);
	cr_expect_str_eq(out, "libpassthru.3\npassthru-launch.1\npassthru-probe.1\n");
	free(out);
}

/* The complete example in libpassthru(3) builds against this tree and
 * runs (it answers a missing argument with its usage). */
Test(docs, libpassthru_3_example_builds_and_runs)
{
	if (!tu_have("cc"))
		cr_skip_test("needs cc");
	const char *b = getenv("PT_BUILD");
	char cmd[16384];
	snprintf(cmd, sizeof(cmd),
		 "set -eu; cd '%s'\n"
		 "awk '/^```/ { if (inblock) { if (code ~ /int main/) { printf \"%%s\", code; exit } code = \"\" } inblock = !inblock; next }"
		 " inblock { code = code $0 \"\\n\" }' '%s/man/libpassthru.3.scd' | sed 's/\\\\\\\\/\\\\/g' >example.c\n"
		 "grep -q pt_launch_run example.c\n"
		 "cc -Werror -Wall example.c -o example -I'%s/include' -L'%s' -lpassthru %s\n"
		 "set +e; LD_LIBRARY_PATH='%s' ./example 2>example.err; st=$?; set -e\n"
		 "[ $st -eq 2 ] && grep -q '^usage:' example.err || { echo \"status $st\"; cat example.err; exit 1; }\n",
		 tmp, src_dir(), src_dir(), b, strstr(b, "asan") ? "-fsanitize=address,undefined" : "", b);
	char *sh[] = {"sh", "-c", cmd, NULL}, *out = NULL, *err = NULL;
	cr_expect_eq(tu_run(sh, &out, &err, 120), 0, "%s%s", out, err);
	free(out);
	free(err);
}

/* ---- bash completion ------------------------------------------------------ */

/* Completes line (the cursor at its end) with the completion file sourced
 * in a plain bash, the way bash calls it; returns COMPREPLY, one a line,
 * sorted. The preload makes passthru-probe see the testbed, if any. */
static char *complete(const char *file, const char *func, const char *tool, const char *line)
{
	char script[8192];
	snprintf(script, sizeof(script),
		 "source '%s' || exit 3\n"
		 "COMP_LINE=\"$1\" COMP_POINT=${#1}\n"
		 "read -r -a COMP_WORDS <<<\"$1\"\n"
		 "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
		 "[[ $1 == *' ' ]] && COMP_CWORD=${#COMP_WORDS[@]}\n"
		 "COMPREPLY=()\n"
		 "%s '%s' || exit 4\n"
		 "((${#COMPREPLY[@]})) && printf '%%s\\n' \"${COMPREPLY[@]}\" | LC_ALL=C sort -u\n"
		 "exit 0\n",
		 file, func, tool);
	char *asan = NULL;
	const char *a = getenv("ASAN_OPTIONS");
	cr_assert(asprintf(&asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0", a ? a : "",
			   a && *a ? ":" : "") > 0);
	char *argv[] = {"env",  "LD_PRELOAD=libumockdev-preload.so.0", asan, "bash", "--norc", "--noprofile",
			"-c",   script, "complete-test", (char *)line, NULL};
	char *out = NULL, *err = NULL;
	int st = tu_run(argv, &out, &err, 60);
	cr_assert_eq(st, 0, "completing '%s': status %d: %s", line, st, err);
	free(err);
	free(asan);
	return out;
}

static const char *completion_file(void)
{
	static char path[4300];
	snprintf(path, sizeof(path), "%s/completion/passthru-launch", src_dir());
	return path;
}

static char *launch_complete(const char *line)
{
	return complete(completion_file(), "_passthru_launch", tu_tool("passthru-launch"), line);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

Test(docs, completes_backends)
{
	char *out = launch_complete("passthru-launch --backend=");
	/* The names --help quotes for --backend, at least. */
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--help", NULL}, *help = NULL;
	cr_assert_eq(tu_run(argv, &help, NULL, 30), 0);
	const char *entry = strstr(help, "--backend=");
	cr_assert_not_null(entry);
	const char *next = strstr(entry, "\n  -");
	size_t quoted = 0;
	for (const char *q = strchr(entry, '\''); q && (!next || q < next); q = strchr(q, '\'')) {
		const char *e = strchr(q + 1, '\'');
		cr_assert_not_null(e);
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)(e - q - 1), q + 1);
		cr_expect(has_line(out, word), "--backend= does not complete '%s' (--help names it): %s",
			  word, out);
		quoted++;
		q = e + 1;
	}
	cr_expect_geq(quoted, 2, "--help quotes nspawn and native");
	cr_expect(has_line(out, "nspawn") && has_line(out, "native"), "%s", out);
	/* And every word offered is one the tool takes. */
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char opt[96];
		snprintf(opt, sizeof(opt), "--backend=%.*s", (int)strcspn(p, "\n"), p);
		char *run[] = {(char *)tu_tool("passthru-launch"), opt, "--help", NULL};
		cr_expect_eq(tu_run(run, NULL, NULL, 30), 0, "offered %s, refused", opt);
	}
	free(out);
	out = launch_complete("passthru-launch --backend=na");
	cr_expect_str_eq(out, "native\n");
	free(out);
	/* The separate form, "--backend VALUE". */
	out = launch_complete("passthru-launch --backend ns");
	cr_expect_str_eq(out, "nspawn\n");
	free(help);
	free(out);
	/* A list value: the last term is completed from the tool's own list. */
	out = launch_complete("passthru-launch --nvidia-driver=utility,co");
	cr_expect_str_eq(out, "utility,compute\n");
	free(out);
}

Test(docs, completes_every_option_help_lists)
{
	char *out = launch_complete("passthru-launch --");
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--help", NULL}, *help = NULL;
	cr_assert_eq(tu_run(argv, &help, NULL, 30), 0);
	struct opts h = {0};
	parse_help(help, &h);
	for (size_t i = 0; i < h.n; i++) {
		if (h.v[i].name[1] != '-')
			continue;
		char want[96];
		snprintf(want, sizeof(want), "%s%s", h.v[i].name, h.v[i].arg == ARG_REQUIRED ? "=" : "");
		cr_expect(has_line(out, want), "'--' does not complete %s:\n%s", want, out);
	}
	free(out);
	free(help);
	out = complete(completion_file(), "_passthru_probe", tu_tool("passthru-probe"),
		       "passthru-probe --li");
	cr_expect_str_eq(out, "--list-selectors\n");
	free(out);
}

Test(docs, completes_users_of_the_container_root)
{
	char passwd[4300], line[4400];
	snprintf(passwd, sizeof(passwd), "%s/root/etc/passwd", tmp);
	tu_write(passwd,
		 "root:x:0:0:root:/root:/bin/sh\n"
		 "steam:x:1000:1000::/home/steam:/bin/sh\n"
		 "stunnel:x:1001:1001::/nonexistent:/bin/false\n",
		 0644);
	snprintf(line, sizeof(line), "passthru-launch -D %s/root -u st", tmp);
	char *out = launch_complete(line);
	cr_expect_str_eq(out, "steam\nstunnel\n");
	free(out);
	snprintf(line, sizeof(line), "passthru-launch --directory=%s/root --user=r", tmp);
	out = launch_complete(line);
	cr_expect_str_eq(out, "root\n");
	free(out);
}

/* A hybrid laptop under umockdev: Intel iGPU (boot VGA) and an NVIDIA dGPU
 * with its /proc/driver/nvidia entry (the UUID). As in test-gpu.c. */
static void tb_file(UMockdevTestbed *tb, const char *rel, const char *content)
{
	char *root = umockdev_testbed_get_root_dir(tb), path[4300];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	tu_write(path, content, 0644);
	g_free(root);
}

static void tb_add(UMockdevTestbed *tb, const char *desc)
{
	GError *gerr = NULL;
	cr_assert(umockdev_testbed_add_from_string(tb, desc, &gerr), "testbed: %s", gerr ? gerr->message : "?");
}

static void tb_gpu(UMockdevTestbed *tb, const char *addr, const char *vendor, const char *driver,
		   unsigned card, bool boot_vga)
{
	char d[2048];
	snprintf(d, sizeof(d),
		 "P: /devices/pci0000:00/%s\nE: SUBSYSTEM=pci\nE: PCI_SLOT_NAME=%s\nE: DRIVER=%s\n"
		 "A: vendor=%s\nA: device=0x1234\nA: class=0x030000\nA: boot_vga=%d\n"
		 "L: driver=../../../bus/pci/drivers/%s\n\n",
		 addr, addr, driver, vendor, boot_vga, driver);
	tb_add(tb, d);
	static const char *const kinds[] = {"card", "renderD"};
	for (int k = 0; k < 2; k++) {
		unsigned minor = card + (k ? 128 : 0);
		snprintf(d, sizeof(d),
			 "P: /devices/pci0000:00/%s/drm/%s%u\nE: SUBSYSTEM=drm\nE: DEVTYPE=drm_minor\n"
			 "E: DEVNAME=/dev/dri/%s%u\nE: MAJOR=226\nE: MINOR=%u\nA: dev=226:%u\n\n",
			 addr, kinds[k], minor, kinds[k], minor, minor, minor);
		tb_add(tb, d);
	}
}

Test(docs, completes_gpu_selectors_of_a_testbed)
{
	UMockdevTestbed *tb = umockdev_testbed_new(); /* sets UMOCKDEV_DIR for our children */
	tb_file(tb, "proc/devices", "Character devices:\n  1 mem\n195 nvidia\n226 drm\n");
	tb_gpu(tb, "0000:00:02.0", "0x8086", "i915", 0, true);
	tb_gpu(tb, "0000:01:00.0", "0x10de", "nvidia", 1, false);
	tb_file(tb, "proc/driver/nvidia/version",
		"NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n");
	tb_file(tb, "proc/driver/nvidia/gpus/0000:01:00.0/information",
		"Model: \t\t NVIDIA GeForce RTX 3050 Ti Laptop GPU\n"
		"GPU UUID: \t GPU-5b4a1c3e-0000-0000-0000-000000000000\n"
		"Bus Location: \t 0000:01:00.0\n"
		"Device Minor: \t 0\n");

	/* What the probe says the testbed has: the completion offers exactly it. */
	char *out = launch_complete("passthru-launch --gpu=");
	cr_expect_str_eq(out,
			 "0\n0000:00:02.0\n0000:01:00.0\n1\nGPU-5b4a1c3e-0000-0000-0000-000000000000\n"
			 "all\ni915\nintel\nnvidia\nrender\n",
			 "under the testbed: %s", out);
	free(out);
	/* bash replaces only what follows the last ':' of the word. */
	out = launch_complete("passthru-launch --gpu=0000:01");
	cr_expect_str_eq(out, "01:00.0\n");
	free(out);
	/* A list: the last term is completed, the earlier ones kept. */
	out = launch_complete("passthru-launch --gpu=render,n");
	cr_expect_str_eq(out, "render,nvidia\n");
	free(out);
	out = launch_complete("passthru-launch --gpu=GPU-5b");
	cr_expect_str_eq(out, "GPU-5b4a1c3e-0000-0000-0000-000000000000\n");
	free(out);
	g_object_unref(tb); /* removes the testbed */
	unsetenv("UMOCKDEV_DIR");
}

/* ---- the Debian packages -------------------------------------------------- */

Test(docs, debian_packages_build_install_and_work, .timeout = 900)
{
	if (!tu_have("dpkg-buildpackage") || !tu_have("dh"))
		cr_skip_test("dpkg-buildpackage or debhelper is missing (Debian: dpkg-dev, debhelper; "
			     "scripts/install-deps installs them)");
	/* The package builds from the source alone, with its own flags: the
	 * sanitizer pass would only build the same packages again. */
	if (strstr(getenv("PT_BUILD") ? getenv("PT_BUILD") : "", "asan"))
		cr_skip_test("packages are built from source without sanitizers: the plain "
			     "`make check` pass builds and checks them");
	char cmd[16384];
	/* Out of tree: a copy of the source, so the build leaves nothing in
	 * the checkout; dpkg-buildpackage puts the .debs beside the copy. */
	snprintf(cmd, sizeof(cmd),
		 "set -eu; src='%s'; cd '%s'; mkdir src root\n"
		 "tar -C \"$src\" --exclude=./build* --exclude=./.git -cf - . | tar -C src -xf -\n"
		 "(cd src && dpkg-buildpackage -us -uc -b -jauto) >build.log 2>&1 || { tail -n 60 build.log; exit 1; }\n"
		 "if command -v lintian >/dev/null; then\n"
		 "  lintian --fail-on error *.changes >lintian.log 2>&1 || { cat lintian.log; exit 1; }\n"
		 "  grep -v '^running with root' lintian.log | sed 's/^/lintian: /' >&2 || true\n"
		 "else echo 'lintian: not installed, not run' >&2; fi\n"
		 "for p in libpassthru0 libpassthru-dev passthru-tools; do dpkg -x ${p}_*.deb root; dpkg -c ${p}_*.deb | awk '{print $6}' | sed \"s|^\\./|$p /|\" >>contents; done\n"
		 "ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)\n"
		 "lib=$PWD/root/usr/lib/$ma\n"
		 /* The installed tool runs with the installed library. */
		 "LD_LIBRARY_PATH=$lib ldd root/usr/bin/passthru-probe | grep -q \"libpassthru.so.0 => $lib/\" || { echo 'passthru-probe does not use the extracted library'; exit 1; }\n"
		 "LD_LIBRARY_PATH=$lib root/usr/bin/passthru-probe --version\n"
		 "LD_LIBRARY_PATH=$lib root/usr/bin/passthru-probe >probe.out || { echo 'installed passthru-probe failed'; exit 1; }\n"
		 "grep -q '^Warnings:' probe.out\n"
		 "LD_LIBRARY_PATH=$lib root/usr/bin/passthru-probe --list-selectors | grep -qx all\n"
		 /* The libpassthru(3) example, against the extracted .pc. */
		 "awk '/^```/ { if (inblock) { if (code ~ /int main/) { printf \"%%s\", code; exit } code = \"\" } inblock = !inblock; next }"
		 " inblock { code = code $0 \"\\n\" }' \"$src/man/libpassthru.3.scd\" | sed 's/\\\\\\\\/\\\\/g' >example.c\n"
		 "grep -q 'pt_launch_run' example.c\n"
		 "export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$PWD/root\n"
		 "cc example.c -o example $(pkg-config --cflags --libs libpassthru)\n"
		 "set +e; LD_LIBRARY_PATH=$lib ./example 2>example.err; st=$?; set -e\n"
		 "[ $st -eq 2 ] && grep -q '^usage:' example.err || { echo \"example: status $st\"; cat example.err; exit 1; }\n"
		 "cat contents\n",
		 src_dir(), tmp);
	char *sh[] = {"bash", "-c", cmd, NULL}, *out = NULL, *err = NULL;
	int st = tu_run(sh, &out, &err, 840);
	cr_assert_eq(st, 0, "package build/install: %s\n%s", out, err);
	if (err && *err)
		cr_log_info("%s", err);
	/* Each file in the package a Debian user expects it in. */
	/* "@" stands for the multiarch directory. */
	static const char *const want[] = {
		"libpassthru0 /usr/lib/@/libpassthru.so.0",
		"libpassthru0 /usr/libexec/passthru/passthru-init",
		"libpassthru-dev /usr/include/passthru/passthru.h",
		"libpassthru-dev /usr/lib/@/libpassthru.so",
		"libpassthru-dev /usr/lib/@/libpassthru.a",
		"libpassthru-dev /usr/lib/@/pkgconfig/libpassthru.pc",
		"libpassthru-dev /usr/share/man/man3/libpassthru.3.gz",
		"passthru-tools /usr/bin/passthru-launch",
		"passthru-tools /usr/bin/passthru-probe",
		"passthru-tools /usr/share/man/man1/passthru-launch.1.gz",
		"passthru-tools /usr/share/man/man1/passthru-probe.1.gz",
		"passthru-tools /usr/share/bash-completion/completions/passthru-launch",
		"passthru-tools /usr/share/bash-completion/completions/passthru-probe",
	};
	char *ma = NULL;
	char *dq[] = {"dpkg-architecture", "-qDEB_HOST_MULTIARCH", NULL};
	cr_assert_eq(tu_run(dq, &ma, NULL, 30), 0);
	ma[strcspn(ma, "\n")] = '\0';
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[512];
		const char *at = strchr(want[i], '@');
		if (at)
			snprintf(line, sizeof(line), "%.*s%s%s", (int)(at - want[i]), want[i], ma, at + 1);
		else
			snprintf(line, sizeof(line), "%s", want[i]);
		cr_expect(has_line(out, line), "missing: %s\n%s", line, out);
	}
	/* The library finds its init where the package puts it. */
	char lib[4400];
	snprintf(lib, sizeof(lib), "%s/root/usr/lib/%s/libpassthru.so.0", tmp, ma);
	char *lib_text = NULL;
	{
		char *g[] = {"grep", "-c", "/usr/libexec/passthru", lib, NULL};
		cr_expect_eq(tu_run(g, &lib_text, NULL, 30), 0, "the library looks for passthru-init in /usr/libexec/passthru");
	}
	free(lib_text);
	free(ma);
	free(out);
	free(err);
}
