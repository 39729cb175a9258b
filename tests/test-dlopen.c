/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Optional libraries: a plain launch maps none of them, the feature that
 * needs one maps it, each is declared in an FDO .note.dlopen ELF note, and
 * one that is missing or broken fails that feature alone, naming it. */
#include <criterion/criterion.h>
#include <elf.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-drm.h"
#include "dlopen-lib.h"
#include "util.h"
#include "testutil.h"

/* What a program that links libpassthru must not map unless it asks for
 * audio, a display, JSON or DRM driver names (libsndfile comes with
 * libpulse, libX11 with libpulse's X11 lookup). */
static const char *const optional[] = {"libpulse", "libxcb", "libXau", "libX11",
				       "libjson-c", "libdrm", "libsndfile"};

/* The libraries the dynamic loader mapped while running argv: the
 * "calling init:" lines of LD_DEBUG=libs, one path per line. */
static char *loaded_libs(const char *const *args, int *ret_status)
{
	char *argv[16] = {"/usr/bin/env", "LD_DEBUG=libs"};
	size_t n = 2;
	for (; *args && n < ELEMENTSOF(argv) - 1; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	char *err = NULL;
	*ret_status = tu_run(argv, NULL, &err, 60);
	cr_assert_not_null(err);

	size_t len = 0, cap = strlen(err) + 1;
	char *libs = calloc(1, cap);
	cr_assert_not_null(libs);
	for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n")) {
		char *p = strstr(line, "calling init: ");
		if (!p)
			continue;
		p += strlen("calling init: ");
		len += (size_t)snprintf(libs + len, cap - len, "%s\n", p);
	}
	free(err);
	return libs;
}

static bool mapped(const char *libs, const char *name)
{
	char key[64];
	snprintf(key, sizeof(key), "/%s.so", name);
	return strstr(libs, key) != NULL;
}

Test(dlopen, plain_launch_maps_no_optional_library)
{
	if (geteuid() != 0)
		cr_skip_test("a launch without -D runs the host root read-only: needs root");
	const char *args[] = {tu_tool("passthru-launch"), "--backend", "native", "--", "/bin/true",
			      NULL};
	int status;
	char *libs = loaded_libs(args, &status);
	cr_assert_eq(status, 0, "launch failed; loaded:\n%s", libs);
	/* The loader did report: libudev is linked. */
	cr_assert(mapped(libs, "libudev"), "LD_DEBUG saw nothing:\n%s", libs);
	for (size_t i = 0; i < ELEMENTSOF(optional); i++)
		cr_expect(!mapped(libs, optional[i]), "a plain launch mapped %s:\n%s", optional[i],
			  libs);
	free(libs);
}

Test(dlopen, version_maps_only_libc_libudev_and_us)
{
	const char *args[] = {tu_tool("passthru-launch"), "--version", NULL};
	int status;
	char *libs = loaded_libs(args, &status);
	cr_assert_eq(status, 0);
	/* Not libseccomp either: the filter is built at build time. */
	const char *allowed[] = {"/ld-linux", "/libc.so", "/libudev.so", "/libpassthru.so",
#ifdef __SANITIZE_ADDRESS__
				 /* make check-asan: the sanitizers' runtimes. */
				 "/libasan.so", "/libubsan.so", "/libm.so", "/libgcc_s.so",
				 "/libstdc++.so",
#endif
	};
	for (char *line = strtok(libs, "\n"); line; line = strtok(NULL, "\n")) {
		bool ok = false;
		for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
			ok |= strstr(line, allowed[i]) != NULL;
		cr_expect(ok, "--version mapped %s", line);
	}
	free(libs);
}

/* The positive control: without it the test above could pass because
 * LD_DEBUG printed nothing useful. */
Test(dlopen, json_output_maps_json_c)
{
	const char *args[] = {tu_tool("passthru-probe"), "--json", NULL};
	int status;
	char *libs = loaded_libs(args, &status);
	cr_assert_eq(status, 0);
	cr_expect(mapped(libs, "libjson-c"), "probe --json did not map json-c:\n%s", libs);
	free(libs);
}

/* ---- the ELF notes ------------------------------------------------------ */

static char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "open %s", path);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

static const char *built_library(void)
{
	static char path[PATH_MAX];
	const char *b = getenv("PT_BUILD");
	snprintf(path, sizeof(path), "%s/libpassthru.so", b ? b : "build");
	return path;
}

/* Every FDO dlopen note of the library, its JSON parsed and appended to
 * one array. */
static struct json_object *dlopen_notes(void)
{
	size_t len;
	char *elf = read_all(built_library(), &len);
	cr_assert_geq(len, sizeof(Elf64_Ehdr));
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	cr_assert_eq(memcmp(eh->e_ident, ELFMAG, SELFMAG), 0);
	cr_assert_eq(eh->e_ident[EI_CLASS], ELFCLASS64, "this test reads 64-bit ELF");
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
	const char *names = elf + sh[eh->e_shstrndx].sh_offset;

	struct json_object *all = json_object_new_array();
	for (size_t i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_NOTE)
			continue;
		const char *p = elf + sh[i].sh_offset, *end = p + sh[i].sh_size;
		while (p + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
			const char *name = p + sizeof(*nh);
			const char *desc = name + ((nh->n_namesz + 3) & ~3u);
			p = desc + ((nh->n_descsz + 3) & ~3u);
			if (nh->n_type != 0x407c0c0a || nh->n_namesz != 4 || strcmp(name, "FDO"))
				continue;
			cr_expect_str_eq(names + sh[i].sh_name, ".note.dlopen");
			cr_assert_eq(desc[nh->n_descsz - 1], '\0', "descriptor not NUL-terminated");
			struct json_object *arr = json_tokener_parse(desc);
			cr_assert(json_object_is_type(arr, json_type_array), "not a JSON array: %s",
				  desc);
			for (size_t j = 0; j < json_object_array_length(arr); j++)
				json_object_array_add(
				    all, json_object_get(json_object_array_get_idx(arr, j)));
			json_object_put(arr);
		}
	}
	free(elf);
	return all;
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;
	cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
		  json_object_to_json_string(o));
	cr_assert(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

Test(dlopen, notes_name_every_optional_library)
{
	/* readelf sees them as notes of FDO's type. */
	char *argv[] = {"/usr/bin/readelf", "--notes", (char *)built_library(), NULL};
	char *out = NULL;
	if (!tu_have("readelf"))
		cr_skip_test("readelf (binutils) is not installed");
	/* binutils 2.40 exits 1 after a note type it cannot name, and does
	 * not print the descriptor: the text is checked here, the JSON read
	 * from the section below. */
	cr_assert_geq(tu_run(argv, &out, NULL, 10), 0);
	cr_assert_not_null(out);
	cr_expect(strstr(out, ".note.dlopen"), "%s", out);
	cr_expect(strstr(out, "FDO"), "%s", out);
	cr_expect(strstr(out, "0x407c0c0a"), "%s", out);
	free(out);

	struct json_object *all = dlopen_notes();
	const char *want[] = {"libpulse.so.0", "libjson-c.so.5", "libxcb.so.1", "libXau.so.6",
			      "libdrm.so.2"};
	bool seen[ELEMENTSOF(want)] = {0};
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		struct json_object *o = json_object_array_get_idx(all, i), *sonames;
		cr_assert(json_object_object_get_ex(o, "soname", &sonames));
		cr_assert(json_object_is_type(sonames, json_type_array));
		cr_expect_gt(strlen(field(o, "feature")), 0);
		cr_expect_gt(strlen(field(o, "description")), 0);
		const char *prio = field(o, "priority");
		cr_expect(!strcmp(prio, "recommended") || !strcmp(prio, "suggested") ||
			      !strcmp(prio, "required"),
			  "priority %s", prio);
		for (size_t j = 0; j < json_object_array_length(sonames); j++) {
			const char *s = json_object_get_string(json_object_array_get_idx(sonames, j));
			for (size_t k = 0; k < ELEMENTSOF(want); k++)
				seen[k] |= s && !strcmp(s, want[k]);
		}
	}
	for (size_t k = 0; k < ELEMENTSOF(want); k++)
		cr_expect(seen[k], "no .note.dlopen names %s", want[k]);
	json_object_put(all);
}

/* ---- a missing or broken library ------------------------------------------ */

/* The file the loader maps for soname, from the ld.so cache, links resolved. */
static char *real_path(const char *soname)
{
	char *argv[] = {"/sbin/ldconfig", "-p", NULL};
	char *out = NULL;
	cr_assert_eq(tu_run(argv, &out, NULL, 10), 0);
	char key[64];
	snprintf(key, sizeof(key), "\t%s (", soname);
	char *line = strstr(out, key);
	cr_assert_not_null(line, "%s is not in the ld.so cache", soname);
	char *arrow = strstr(line, "=> ");
	cr_assert_not_null(arrow);
	arrow += 3;
	arrow[strcspn(arrow, "\n")] = '\0';
	char *p = realpath(arrow, NULL);
	cr_assert_not_null(p);
	free(out);
	return p;
}

/* Runs tool args... in a private mount namespace where soname's file is
 * /dev/null: the namespace, and the mount with it, end with the process. */
static int run_without(const char *soname, char **out, char **err, const char *const *args)
{
	char *lib = real_path(soname);
	char *argv[24] = {"/usr/bin/unshare", "--mount", "--propagation", "private", "--",
			  "/bin/sh", "-c", "mount --bind /dev/null \"$1\" && shift && exec \"$@\"",
			  "sh", lib};
	size_t n = 10;
	for (; *args && n < ELEMENTSOF(argv) - 1; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	int r = tu_run(argv, out, err, 60);
	free(lib);
	return r;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; (s = strchr(s, '\n')); s++)
		n++;
	return n;
}

Test(dlopen, broken_json_c_fails_json_only)
{
	if (geteuid() != 0 || !tu_have("unshare"))
		cr_skip_test("needs root and unshare for a private mount namespace");
	char *out = NULL, *err = NULL;
	const char *json[] = {tu_tool("passthru-probe"), "--json", NULL};
	int r = run_without("libjson-c.so.5", &out, &err, json);
	cr_expect_eq(r, 1, "probe --json exited %d: %s", r, err);
	cr_expect_eq(count_lines(err), 1, "not one line: %s", err);
	cr_expect(strstr(err, "libjson-c.so.5"), "%s", err);
	cr_expect(strstr(err, "JSON output"), "%s", err);
	free(out);
	free(err);

	/* The table needs no json-c. */
	const char *table[] = {tu_tool("passthru-probe"), NULL};
	r = run_without("libjson-c.so.5", &out, &err, table);
	cr_expect_eq(r, 0, "probe exited %d: %s", r, err);
	cr_expect(strstr(out, "GPUs"), "%s", out);
	free(out);
	free(err);
}

Test(dlopen, broken_libpulse_fails_pulse_only)
{
	if (geteuid() != 0 || !tu_have("unshare"))
		cr_skip_test("needs root and unshare for a private mount namespace");
	char *err = NULL;
	const char *pulse[] = {tu_tool("passthru-launch"), "--pulse", "--backend", "native",
			       "--", "/bin/true", NULL};
	int r = run_without("libpulse.so.0", NULL, &err, pulse);
	cr_expect_neq(r, 0, "--pulse without libpulse succeeded");
	cr_expect_eq(count_lines(err), 1, "not one line: %s", err);
	cr_expect(strstr(err, "libpulse.so.0"), "%s", err);
	cr_expect(strstr(err, "PulseAudio"), "%s", err);
	free(err);

	const char *plain[] = {tu_tool("passthru-launch"), "--backend", "native", "--",
			       "/bin/true", NULL};
	r = run_without("libpulse.so.0", NULL, &err, plain);
	cr_expect_eq(r, 0, "a launch without --pulse failed: %s", err);
	free(err);

	/* The probe still reports, with the reason in its audio section. */
	char *out = NULL;
	const char *probe[] = {tu_tool("passthru-probe"), NULL};
	r = run_without("libpulse.so.0", &out, &err, probe);
	cr_expect_eq(r, 0, "probe exited %d: %s", r, err);
	cr_expect(strstr(out, "libpulse.so.0"), "%s", out);
	free(out);
	free(err);
}

/* ---- the loader itself ---------------------------------------------------- */

static double (*sym_cos_)(double);
static const struct dlopen_sym libm_syms[] = {{(void **)&sym_cos_, "cos"}};

static int (*sym_nothing)(void);
static const struct dlopen_sym bad_syms[] = {
	{(void **)&sym_cos_, "cos"}, {(void **)&sym_nothing, "pt_no_such_function"}};

Test(dlopen, missing_library_names_soname_and_feature)
{
	static struct dlopen_lib lib = {.soname = "libpassthru-test-missing.so.9",
					.feature = "a test feature",
					.syms = libm_syms,
					.n_syms = 1};
	struct pt_error e = {0};
	cr_assert_eq(dlopen_lib_load(&lib, &e), -EOPNOTSUPP);
	cr_expect_str_eq(e.message,
			 "libpassthru-test-missing.so.9 is not installed (needed for a test feature)");
	/* Remembered: the same answer, without another search. */
	struct pt_error e2 = {0};
	cr_assert_eq(dlopen_lib_load(&lib, &e2), -EOPNOTSUPP);
	cr_expect_str_eq(e2.message, e.message);
}

Test(dlopen, missing_symbol_leaves_table_empty)
{
	static struct dlopen_lib lib = {.soname = "libm.so.6",
					.feature = "a test feature",
					.syms = bad_syms,
					.n_syms = 2};
	struct pt_error e = {0};
	cr_assert_eq(dlopen_lib_load(&lib, &e), -EOPNOTSUPP);
	cr_expect(strstr(e.message, "pt_no_such_function"), "%s", e.message);
	cr_expect_null(sym_cos_, "a half-filled table");
}

static struct dlopen_lib libm = {
	.soname = "libm.so.6", .feature = "a test feature", .syms = libm_syms, .n_syms = 1};

static void *load_in_thread(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)dlopen_lib_load(&libm, NULL);
}

Test(dlopen, loads_once_from_many_threads)
{
	pthread_t t[8];
	for (size_t i = 0; i < ELEMENTSOF(t); i++)
		cr_assert_eq(pthread_create(&t[i], NULL, load_in_thread, NULL), 0);
	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		void *r;
		pthread_join(t[i], &r);
		cr_expect_eq((intptr_t)r, 0);
	}
	cr_assert_not_null(sym_cos_);
	cr_expect_eq(sym_cos_(0.0), 1.0);
}

/* ---- libdrm: the DRM driver of a node -------------------------------------- */

Test(dlopen, drm_driver_of_something_else_is_unknown)
{
	char *name = (char *)"unset";
	struct pt_error e = {0};
	/* /dev/null answers no DRM ioctl; a missing path opens nothing. */
	cr_assert_eq(drm_node_driver("/dev/null", &name, &e), 0, "%s", e.message);
	cr_expect_null(name);
	name = (char *)"unset";
	cr_assert_eq(drm_node_driver("/nonexistent/dri/renderD128", &name, &e), 0, "%s", e.message);
	cr_expect_null(name);
}

/* On a machine with a DRM node the probe names its driver. Under umockdev
 * (test-gpu) the same field is null: its nodes answer no ioctl. */
Test(dlopen, probe_names_the_drm_driver_of_a_real_node)
{
	const char *nodes[] = {"/dev/dri/renderD128", "/dev/dri/card0", "/dev/dri/card1"};
	const char *node = NULL;
	for (size_t i = 0; i < ELEMENTSOF(nodes) && !node; i++)
		if (access(nodes[i], R_OK) == 0)
			node = nodes[i];
	if (!node)
		cr_skip_test("no readable DRM node on this machine");
	char *out = NULL;
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--json", NULL};
	cr_assert_eq(tu_run(argv, &out, NULL, 20), 0);
	struct json_object *root = json_tokener_parse(out), *gpus, *v;
	cr_assert(json_object_object_get_ex(root, "gpus", &gpus), "%s", out);
	bool named = false;
	for (size_t i = 0; i < json_object_array_length(gpus); i++) {
		struct json_object *ns;
		cr_assert(json_object_object_get_ex(json_object_array_get_idx(gpus, i), "nodes", &ns));
		for (size_t j = 0; j < json_object_array_length(ns); j++) {
			struct json_object *n = json_object_array_get_idx(ns, j);
			cr_assert(json_object_object_get_ex(n, "drm_driver", &v), "%s", out);
			if (json_object_object_get_ex(n, "path", &v) &&
			    !strcmp(json_object_get_string(v), node) &&
			    json_object_object_get_ex(n, "drm_driver", &v) && v &&
			    strlen(json_object_get_string(v)) > 0)
				named = true;
		}
	}
	cr_expect(named, "%s has no drm_driver: %s", node, out);
	json_object_put(root);
	free(out);
}
