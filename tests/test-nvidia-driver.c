/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NVIDIA userspace driver under a fake driver built at test time:
 * discovery (versions, arches, decoys, warnings, errors), the plan it
 * makes, and real containers whose programs dlopen libcuda.so.1. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <umockdev.h>
#include <unistd.h>

#include "gpu-private.h"
#include "ldcache.h"
#include "nvfake.h"
#include "passthru/passthru.h"
#include "testutil.h"

#define V NVFAKE_VERSION
#define X NVFAKE_DECOY

static char *tmp, *driver, *root;
static bool m32;

static void teardown(void)
{
	if (tmp)
		tu_rm_rf(tmp);
	free(tmp);
	free(driver);
	free(root);
	tmp = driver = root = NULL;
}

/* Called by each test that needs the fixture, once it knows it will not
 * be skipped (Criterion runs no .fini for a test skipped in its body). */
static void need_driver(void)
{
	if (geteuid() != 0)
		cr_skip_test("the fake driver's ld.so.cache is made with ldconfig -r, which "
			     "chroots: needs root");
	tmp = tu_tmpdir();
	m32 = nvfake_have_m32();
	driver = nvfake_driver(tmp, m32);
}

TestSuite(nvidia_driver, .fini = teardown);

static char *tpath(const char *rel)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", tmp, rel) > 0);
	return p;
}

static struct pt_nvidia_driver *probe(const char *version, int want, struct pt_error *err)
{
	struct pt_nvidia_driver_opts *o = pt_nvidia_driver_opts_new();
	cr_assert(o);
	o->root = driver;
	o->version = version;
	struct pt_nvidia_driver *d = NULL;
	int r = pt_nvidia_driver_probe(o, &d, err);
	pt_nvidia_driver_opts_free(o);
	cr_assert_eq(r, want, "probe: %d %s", r, err->message);
	return d;
}

static const struct pt_nvidia_library *lib(const struct pt_nvidia_driver *d, const char *soname,
					   const char *arch)
{
	for (size_t i = 0; i < pt_nvidia_driver_library_count(d); i++) {
		const struct pt_nvidia_library *l = pt_nvidia_driver_library(d, i);
		if (strcmp(l->soname, soname) == 0 && strcmp(l->arch, arch) == 0)
			return l;
	}
	return NULL;
}

static bool has_file(const struct pt_nvidia_driver *d, const char *suffix)
{
	for (size_t i = 0; i < pt_nvidia_driver_file_count(d); i++) {
		const char *f = pt_nvidia_driver_file(d, i);
		if (strlen(f) >= strlen(suffix) && strcmp(f + strlen(f) - strlen(suffix), suffix) == 0)
			return true;
	}
	return false;
}

static const char *warning(const struct pt_nvidia_driver *d, const char *code, const char *text)
{
	for (size_t i = 0; i < pt_nvidia_driver_warning_count(d); i++) {
		const struct pt_warning *w = pt_nvidia_driver_warning(d, i);
		if (strcmp(w->code, code) == 0 && strstr(w->message, text))
			return w->message;
	}
	return NULL;
}

Test(nvidia_driver, capabilities_parse_strictly)
{
	static const struct {
		const char *text;
		int ret;
		unsigned caps;
	} t[] = {
	    {"all", 0, PT_NVIDIA_CAP_ALL},
	    {"utility", 0, PT_NVIDIA_CAP_UTILITY},
	    {"utility,compute", 0, PT_NVIDIA_CAP_UTILITY | PT_NVIDIA_CAP_COMPUTE},
	    {"video,graphics,display", 0,
	     PT_NVIDIA_CAP_VIDEO | PT_NVIDIA_CAP_GRAPHICS | PT_NVIDIA_CAP_DISPLAY},
	    {"compute,bogus", -EINVAL, 0},
	    {"", -EINVAL, 0},
	    {"utility,", -EINVAL, 0},
	    {"Utility", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned caps = 0;
		struct pt_error err = {0};
		cr_expect_eq(pt_nvidia_driver_parse_caps(t[i].text, &caps, &err), t[i].ret, "'%s'",
			     t[i].text);
		if (t[i].ret == 0)
			cr_expect_eq(caps, t[i].caps, "'%s'", t[i].text);
	}
	struct pt_error err = {0};
	unsigned caps;
	pt_nvidia_driver_parse_caps("compute,bogus", &caps, &err);
	cr_expect(strstr(err.message, "'bogus' is unknown"), "%s", err.message);
}

Test(nvidia_driver, chooses_the_module_version_only)
{
	need_driver();
	struct pt_error err = {0};
	struct pt_nvidia_driver *d = probe(V, 0, &err);
	cr_expect_str_eq(pt_nvidia_driver_version(d), V);

	const struct pt_nvidia_library *l = lib(d, "libcuda.so.1", "x86_64");
	cr_assert(l, "no 64-bit libcuda.so.1");
	char *want = NULL;
	cr_assert(asprintf(&want, "%s/usr/lib/x86_64-linux-gnu/libcuda.so." V, driver) > 0);
	cr_expect_str_eq(l->path, want);
	free(want);
	cr_expect(lib(d, "libnvidia-ml.so.1", "x86_64"));
	cr_expect(lib(d, "libGLX_nvidia.so.0", "x86_64"));
	cr_expect(lib(d, "libEGL_nvidia.so.0", "x86_64"));
	/* Its own version, not the driver's. */
	cr_expect(lib(d, "libnvidia-egl-wayland.so.1", "x86_64"));
	for (size_t i = 0; i < pt_nvidia_driver_library_count(d); i++) {
		const char *p = pt_nvidia_driver_library(d, i)->path;
		cr_expect(!strstr(p, X), "decoy chosen: %s", p);
		cr_expect(strstr(p, "." V) || strstr(p, "egl-wayland.so.1.1.13"), "%s", p);
	}
	/* Only the old version of this one: named with both versions. */
	cr_expect(warning(d, "nvidia-version-mismatch",
			  "libnvidia-ptxjitcompiler.so (x86_64): found version " X),
		  "no mismatch warning");
	cr_expect(warning(d, "nvidia-version-mismatch", "the kernel module is " V));
	cr_expect(warning(d, "nvidia-file-missing", "libnvidia-glcore.so." V " (x86_64)"));
	cr_expect(has_file(d, "/usr/share/vulkan/icd.d/nvidia_icd.json"));
	cr_expect(has_file(d, "/usr/share/glvnd/egl_vendor.d/10_nvidia.json"));
	cr_expect(has_file(d, "/egl_external_platform.d/10_nvidia_wayland.json"));
	cr_expect(has_file(d, "/usr/bin/nvidia-smi"));
	cr_expect(has_file(d, "/lib/firmware/nvidia/" V "/gsp_ga10x.bin"));
	if (!m32) {
		pt_nvidia_driver_free(d);
		cr_skip_test("gcc -m32 cannot link here: no 32-bit fake libraries (install "
			     "gcc-multilib)");
	}
	l = lib(d, "libcuda.so.1", "i386");
	cr_assert(l, "no 32-bit libcuda.so.1");
	cr_expect(strstr(l->path, "/usr/lib/i386-linux-gnu/libcuda.so." V), "%s", l->path);
	cr_expect(lib(d, "libGLX_nvidia.so.0", "i386"));
	pt_nvidia_driver_free(d);
}

Test(nvidia_driver, capabilities_limit_the_libraries)
{
	need_driver();
	struct pt_nvidia_driver_opts *o = pt_nvidia_driver_opts_new();
	o->root = driver;
	o->version = V;
	o->caps = PT_NVIDIA_CAP_UTILITY;
	struct pt_nvidia_driver *d = NULL;
	struct pt_error err = {0};
	cr_assert_eq(pt_nvidia_driver_probe(o, &d, &err), 0, "%s", err.message);
	cr_expect(lib(d, "libnvidia-ml.so.1", "x86_64"));
	cr_expect_null(lib(d, "libcuda.so.1", "x86_64"));
	cr_expect_not(has_file(d, "nvidia_icd.json"));
	cr_expect(has_file(d, "/usr/bin/nvidia-smi"));
	pt_nvidia_driver_free(d);
	pt_nvidia_driver_opts_free(o);
}

Test(nvidia_driver, no_files_of_the_version_is_a_clear_error)
{
	need_driver();
	struct pt_error err = {0};
	probe("560.35.03", -ENOENT, &err);
	cr_expect(strstr(err.message, "no NVIDIA driver library of version 560.35.03"), "%s",
		  err.message);
	cr_expect(strstr(err.message, driver), "%s", err.message);
	cr_expect(strstr(err.message, "found version"), "names what it found: %s", err.message);
	probe("latest", -EINVAL, &err);
	cr_expect(strstr(err.message, "'latest' is not a version"), "%s", err.message);
}

Test(nvidia_driver, no_module_is_enodev)
{
	if (access("/proc/driver/nvidia/version", F_OK) == 0 ||
	    access("/sys/module/nvidia/version", F_OK) == 0)
		cr_skip_test("this machine has the NVIDIA module loaded");
	struct pt_error err = {0};
	struct pt_nvidia_driver *d = NULL;
	cr_expect_eq(pt_nvidia_driver_probe(NULL, &d, &err), -ENODEV);
	cr_expect(strstr(err.message, "no NVIDIA kernel module is loaded"), "%s", err.message);
	cr_expect_null(d);
}

/* The module's version from a fake /proc/driver/nvidia/version: the
 * umockdev preload redirects /proc paths that exist in its testbed, so
 * this test re-runs itself in a child with the preload. */
Test(nvidia_driver, module_version_from_proc)
{
	if (getenv("NVFAKE_PROC_CHILD")) {
		char *v = NULL;
		struct pt_error err = {0};
		cr_assert_eq(pt_nvidia_driver_module_version(&v, &err), 0, "%s", err.message);
		cr_expect_str_eq(v, V);
		free(v);
		return;
	}
	UMockdevTestbed *tb = umockdev_testbed_new();
	char *tbroot = umockdev_testbed_get_root_dir(tb);
	char *dir = NULL, *file = NULL;
	cr_assert(asprintf(&dir, "%s/proc/driver/nvidia", tbroot) > 0);
	cr_assert(asprintf(&file, "%s/version", dir) > 0);
	tu_write(file,
		 "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " V
		 "  Thu Feb 22 01:44:30 UTC 2024\nGCC version:  gcc version 12.2.0\n",
		 0644);
	g_free(tbroot);
	char *self = realpath("/proc/self/exe", NULL), *asan = NULL;
	const char *a = getenv("ASAN_OPTIONS");
	/* The preload comes before ASan's runtime in an ASan build. */
	cr_assert(asprintf(&asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0", a ? a : "",
			   a && *a ? ":" : "") > 0);
	/* -u BXFI_MAP: else the child takes itself for one of Criterion's
	 * sandboxed workers. */
	char *argv[] = {"env", "-u", "BXFI_MAP", "NVFAKE_PROC_CHILD=1", asan,
			"LD_PRELOAD=libumockdev-preload.so.0", self,
			"--filter=nvidia_driver/module_version_from_proc", NULL};
	char *out = NULL, *errs = NULL;
	int st = tu_run(argv, &out, &errs, 60);
	cr_expect_eq(st, 0, "child: %s%s", out, errs);
	cr_expect(strstr(errs, "Passing: 1"), "%s", errs);
	free(out), free(errs), free(self), free(file), free(dir), free(asan);
	g_object_unref(tb);
}

/* ---- containers --------------------------------------------------------- */

/* A glibc root that has only its own libraries: the host's /usr comes in
 * read-only at run time; /opt/lib holds its own (older) libcuda.so.1 and
 * libnvidia-ml.so.1, in its own ld.so.cache made by the real ldconfig. */
static void make_root(void)
{
	root = tpath("root");
	static const char *const dirs[] = {"usr", "etc", "opt/lib", "proc", "dev", "sys", "tmp",
					   "run"};
	static const char *const links[][2] = {{"bin", "usr/bin"},     {"sbin", "usr/sbin"},
					       {"lib", "usr/lib"},     {"lib32", "usr/lib32"},
					       {"lib64", "usr/lib64"}, {"libx32", "usr/libx32"}};
	char p[4096];
	cr_assert_eq(mkdir(root, 0755), 0);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		tu_write(strcat(p, "/.x"), "", 0644);
		unlink(p);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][0]);
		cr_assert_eq(symlink(links[i][1], p), 0);
	}
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	tu_write(p, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n",
		 0644);
	snprintf(p, sizeof(p), "%s/etc/group", root);
	tu_write(p, "root:x:0:\nnogroup:x:65534:\n", 0644);
	snprintf(p, sizeof(p), "%s/etc/ld.so.conf", root);
	tu_write(p, "/opt/lib\n", 0644);
	snprintf(p, sizeof(p), "%s/opt/lib/libcuda.so." X, root);
	nvfake_lib(p, "libcuda.so.1", X, false);
	snprintf(p, sizeof(p), "%s/opt/lib/libnvidia-ml.so." X, root);
	nvfake_lib(p, "libnvidia-ml.so.1", X, false);
	snprintf(p, sizeof(p), "%s/opt/lib/libmine.so.3", root);
	nvfake_lib(p, "libmine.so.3", "mine", false);
	snprintf(p, sizeof(p), "%s/opt/nvcheck", root);
	nvfake_checker(p, false);
	if (m32) {
		snprintf(p, sizeof(p), "%s/opt/nvcheck32", root);
		nvfake_checker(p, true);
	}
	char *argv[] = {"ldconfig", "-r", root, "-f", "/etc/ld.so.conf", "-C", "/etc/ld.so.cache",
			NULL};
	char *err = NULL;
	cr_assert_eq(tu_run(argv, NULL, &err, 60), 0, "ldconfig: %s", err);
	free(err);
}

/* A checksum of a tree: names, types, modes, link targets and contents. */
static uint64_t sum;
static void mix(const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		sum = (sum ^ c[i]) * 1099511628211ull;
}
static int sum_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	mix(path, strlen(path) + 1);
	mix(&st->st_mode, sizeof(st->st_mode));
	mix(&type, sizeof(type));
	if (S_ISLNK(st->st_mode)) {
		char t[4096];
		ssize_t n = readlink(path, t, sizeof(t));
		if (n > 0)
			mix(t, (size_t)n);
	} else if (S_ISREG(st->st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t n;
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			mix(buf, (size_t)n);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
static uint64_t tree_sum(const char *dir)
{
	sum = 14695981039346656037ull;
	cr_assert_eq(nftw(dir, sum_one, 32, FTW_PHYS | FTW_MOUNT), 0);
	return sum;
}

static int launch(const char *backend, bool nvidia, char **out, char **err, const char *cmd)
{
	char ver[64], droot[4200], be[64];
	snprintf(ver, sizeof(ver), "--nvidia-driver-version=%s", V);
	snprintf(droot, sizeof(droot), "--nvidia-driver-root=%s", driver);
	snprintf(be, sizeof(be), "--backend=%s", backend);
	char *argv[32];
	size_t n = 0;
	argv[n++] = (char *)tu_tool("passthru-launch");
	argv[n++] = be;
	argv[n++] = "-D";
	argv[n++] = root;
	argv[n++] = "--bind-ro=/usr";
	if (nvidia) {
		argv[n++] = "--nvidia-driver";
		argv[n++] = droot;
		argv[n++] = ver;
	}
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = (char *)cmd;
	argv[n] = NULL;
	return tu_run(argv, out, err, 60);
}

/* What a user of the container sees: the host's libraries of the
 * module's version, also without LD_LIBRARY_PATH; ldconfig -p lists them;
 * the loader configs name files that exist; the root is unchanged. */
static void container_gets_the_host_driver(const char *backend)
{
	make_root();
	uint64_t before = tree_sum(root);
	char *out = NULL, *err = NULL;

	/* Without the driver the container's own (older) libraries load: the
	 * check below can fail. */
	int st = launch(backend, false, &out, &err,
			"/opt/nvcheck libcuda.so.1 libnvidia-ml.so.1 libmine.so.3");
	cr_assert_eq(st, 0, "%s", err);
	cr_expect_str_eq(out, "libcuda.so.1=" X "\nlibnvidia-ml.so.1=" X "\nlibmine.so.3=mine\n");
	free(out), free(err);
	/* systemd-nspawn itself adds /etc/resolv.conf, /etc/localtime, /root
	 * and /var/log/journal to a root that lacks them: from here on only
	 * our part is measured. The native backend writes nothing at all. */
	if (strcmp(backend, "nspawn") == 0)
		before = tree_sum(root);

	st = launch(backend, true, &out, &err,
		    "LD_LIBRARY_PATH=/opt/lib env -u LD_LIBRARY_PATH /opt/nvcheck libcuda.so.1 "
		    "libnvidia-ml.so.1 libGLX_nvidia.so.0 libmine.so.3");
	cr_assert_eq(st, 0, "%s", err);
	cr_expect_str_eq(out, "libcuda.so.1=" V "\nlibnvidia-ml.so.1=" V
			      "\nlibGLX_nvidia.so.0=" V "\nlibmine.so.3=mine\n");
	free(out), free(err);

	st = launch(backend, true, &out, &err, "/sbin/ldconfig -p");
	cr_assert_eq(st, 0, "%s", err);
	cr_expect(strstr(out, "libcuda.so.1 (libc6,x86-64) => /run/passthru/nvidia/lib64/"
			      "libcuda.so." V),
		  "%s", out);
	cr_expect(strstr(out, "libmine.so.3 (libc6,x86-64) => /opt/lib/libmine.so.3"), "%s",
		  out);
	cr_expect(!strstr(out, "/opt/lib/libcuda"), "the container's own libcuda stays: %s", out);
	if (m32)
		cr_expect(strstr(out, "libcuda.so.1 (libc6) => /run/passthru/nvidia/lib32/"
				      "libcuda.so." V),
			  "%s", out);
	free(out), free(err);

	/* Every library_path of the configs the loaders are pointed at: an
	 * absolute one exists, a bare SONAME is in the cache. */
	static const char script[] =
	    "set -e\n"
	    "for d in \"$XDG_DATA_DIRS\" \"$__EGL_VENDOR_LIBRARY_DIRS\" "
	    "\"$__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS\"; do echo \"dirs $d\"; done\n"
	    "for f in /run/passthru/nvidia/share/vulkan/icd.d/nvidia_icd.json "
	    "/run/passthru/nvidia/share/vulkan/implicit_layer.d/nvidia_layers.json "
	    "/run/passthru/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json "
	    "/run/passthru/nvidia/share/egl/egl_external_platform.d/10_nvidia_wayland.json; do\n"
	    "  p=$(sed -n 's/.*\"library_path\" *: *\"\\([^\"]*\\)\".*/\\1/p' $f)\n"
	    "  case $p in\n"
	    "    /*) test -f $p && echo \"ok $p\" ;;\n"
	    "    *) /sbin/ldconfig -p | grep -q \"^\t$p \" && echo \"ok $p\" ;;\n"
	    "  esac\n"
	    "done\n";
	st = launch(backend, true, &out, &err, script);
	cr_expect_eq(st, 0, "%s%s", out, err);
	cr_expect(strstr(out, "dirs /run/passthru/nvidia/share:"), "%s", out);
	cr_expect(strstr(out, "dirs /run/passthru/nvidia/share/glvnd/egl_vendor.d:"), "%s", out);
	cr_expect(strstr(out, "ok libGLX_nvidia.so.0\n"), "%s", out);
	cr_expect(strstr(out, "ok /run/passthru/nvidia/lib64/libGLX_nvidia.so." V "\n"), "%s",
		  out);
	cr_expect(strstr(out, "ok libEGL_nvidia.so.0\n"), "%s", out);
	cr_expect(strstr(out, "ok libnvidia-egl-wayland.so.1\n"), "%s", out);
	free(out), free(err);

	st = launch(backend, true, &out, &err, "nvidia-smi");
	cr_expect_eq(st, 0, "%s", err);
	cr_expect_str_eq(out, "fake nvidia-smi " V "\n");
	free(out), free(err);

	if (m32) {
		st = launch(backend, true, &out, &err,
			    "env -u LD_LIBRARY_PATH /opt/nvcheck32 libcuda.so.1 libGLX_nvidia.so.0");
		cr_assert_eq(st, 0, "%s", err);
		cr_expect_str_eq(out, "libcuda.so.1=" V "\nlibGLX_nvidia.so.0=" V "\n");
		free(out), free(err);
	}
	cr_expect_eq(tree_sum(root), before, "the container's root changed on disk");
}

Test(nvidia_driver, native_container_gets_the_host_driver)
{
	need_driver();
	container_gets_the_host_driver("native");
	if (!m32)
		cr_skip_test("gcc -m32 cannot link here: the 32-bit program was not checked");
}

Test(nvidia_driver, nspawn_container_gets_the_host_driver)
{
	if (!tu_can_nspawn())
		cr_skip_test("needs root and systemd-nspawn");
	need_driver();
	container_gets_the_host_driver("nspawn");
}

/* The plan itself: binds, the generated cache, the environment. */
Test(nvidia_driver, plan_replaces_the_containers_entries)
{
	need_driver();
	make_root();
	struct pt_error err = {0};
	struct pt_nvidia_driver *d = probe(V, 0, &err);
	struct pt_plan *plan = pt_plan_new();
	cr_assert_eq(pt_plan_set_root(plan, root, &err), 0);
	cr_assert_eq(pt_nvidia_driver_add_to_plan(d, plan, &err), 0, "%s", err.message);
	const struct pt_bind *b = NULL;
	for (size_t i = 0; i < pt_plan_bind_count(plan); i++)
		if (strcmp(pt_plan_bind(plan, i)->target,
			   "/run/passthru/nvidia/lib64/libcuda.so." V) == 0)
			b = pt_plan_bind(plan, i);
	cr_assert(b, "no bind of libcuda");
	cr_expect(b->flags & PT_BIND_RO);
	cr_expect(strstr(b->source, "/usr/lib/x86_64-linux-gnu/libcuda.so." V));
	const struct pt_file *cache = NULL;
	for (size_t i = 0; i < pt_plan_file_count(plan); i++)
		if (strcmp(pt_plan_file(plan, i)->target, "/etc/ld.so.cache") == 0)
			cache = pt_plan_file(plan, i);
	cr_assert(cache, "no generated ld.so.cache");
	struct ldcache *c = NULL;
	cr_assert_eq(ldcache_parse(cache->data, cache->size, "plan", &c, &err), 0, "%s",
		     err.message);
	int cuda = 0, mine = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->entries[i].key, "libcuda.so.1") == 0 &&
		    ldcache_entry_arch(&c->entries[i]) == LDCACHE_ARCH_X86_64) {
			cuda++;
			cr_expect_str_eq(c->entries[i].value,
					 "/run/passthru/nvidia/lib64/libcuda.so." V);
		}
		mine += strcmp(c->entries[i].key, "libmine.so.3") == 0;
	}
	cr_expect_eq(cuda, 1, "exactly one 64-bit libcuda.so.1");
	cr_expect_eq(mine, 1, "the container's own libraries stay");
	ldcache_free(c);
	cr_expect(pt_plan_get_env(plan, "XDG_DATA_DIRS"));
	cr_expect_str_eq(pt_plan_get_env(plan, "PATH"),
			 "/run/passthru/nvidia/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			 "/usr/bin:/sbin:/bin");
	pt_plan_free(plan);
	pt_nvidia_driver_free(d);
}

/* A container root whose /etc/ld.so.cache is a FIFO: refused, not hung. */
Test(nvidia_driver, fifo_cache_in_the_root_is_refused)
{
	need_driver();
	root = tpath("fiforoot");
	char *p = tpath("fiforoot/etc/ld.so.cache");
	tu_write(p, "", 0644);
	unlink(p);
	cr_assert_eq(mkfifo(p, 0644), 0);
	struct pt_error err = {0};
	struct pt_nvidia_driver *d = probe(V, 0, &err);
	struct pt_plan *plan = pt_plan_new();
	cr_assert_eq(pt_plan_set_root(plan, root, &err), 0);
	cr_expect_eq(pt_nvidia_driver_add_to_plan(d, plan, &err), -EBADMSG);
	cr_expect(strstr(err.message, "not a regular file"), "%s", err.message);
	pt_plan_free(plan);
	pt_nvidia_driver_free(d);
	free(p);
}

/* ---- GPU selection by UUID ---------------------------------------------- */

Test(nvidia_driver, info_fields_parse)
{
	static const char info[] = "Model: \t\t NVIDIA GeForce RTX 3050 Ti Laptop GPU  \n"
				   "IRQ:   \t\t 160\n"
				   "GPU UUID: \t GPU-5b4a1c3e-1111-2222-3333-444455556666\n"
				   "Device Minor: \t 0\n";
	char *v = NULL;
	cr_assert_eq(nvidia_parse_info_field(info, "GPU UUID:", &v), 0);
	cr_expect_str_eq(v, "GPU-5b4a1c3e-1111-2222-3333-444455556666");
	free(v);
	cr_assert_eq(nvidia_parse_info_field(info, "Model:", &v), 0);
	cr_expect_str_eq(v, "NVIDIA GeForce RTX 3050 Ti Laptop GPU");
	free(v);
	cr_expect_eq(nvidia_parse_info_field("GPU UUID: \t \nModel: x\n", "GPU UUID:", &v),
		     -EBADMSG);
	cr_expect_eq(nvidia_parse_info_field("Model: x", "GPU UUID:", &v), -EBADMSG);
}

Test(nvidia_driver, gpu_selected_by_uuid_or_unique_prefix)
{
	/* A list as the probe fills it: the selector reads only these fields. */
	struct gpu_entry g[3] = {0};
	g[0].pub = (struct pt_gpu){.index = 0, .pci = "0000:00:02.0", .vendor = "intel"};
	g[1].pub = (struct pt_gpu){.index = 1, .pci = "0000:01:00.0", .vendor = "nvidia",
				   .uuid = "GPU-5b4a1c3e-1111-2222-3333-444455556666"};
	g[2].pub = (struct pt_gpu){.index = 2, .pci = "0000:02:00.0", .vendor = "nvidia",
				   .uuid = "GPU-5b4a9999-1111-2222-3333-444455556666"};
	struct pt_gpu_list l = {.gpus = g, .n_gpus = 3};
	static const struct {
		const char *sel;
		int ret;
		bool chosen[3];
	} t[] = {
	    {"GPU-5b4a1c3e-1111-2222-3333-444455556666", 0, {false, true, false}},
	    {"gpu-5B4A1C3E-1111-2222-3333-444455556666", 0, {false, true, false}},
	    {"GPU-5b4a1", 0, {false, true, false}},
	    {"GPU-5b4a9", 0, {false, false, true}},
	    {"GPU-5b4a1,GPU-5b4a9", 0, {false, true, true}},
	    {"GPU-5b4a", -EINVAL, {0}},
	    {"GPU-ffff", -EINVAL, {0}}, /* matches none: bad usage too */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pt_gpu_selection *s = NULL;
		struct pt_error err = {0};
		int r = pt_gpu_select(&l, t[i].sel, &s, &err);
		cr_expect_eq(r, t[i].ret, "'%s': %d %s", t[i].sel, r, err.message);
		for (size_t j = 0; r == 0 && j < 3; j++)
			cr_expect_eq(pt_gpu_selection_has(s, j), t[i].chosen[j], "'%s' GPU %zu",
				     t[i].sel, j);
		if (strcmp(t[i].sel, "GPU-5b4a") == 0)
			cr_expect(strstr(err.message, "ambiguous: it matches 1 (GPU-5b4a1c3e") &&
				      strstr(err.message, "2 (GPU-5b4a9999"),
				  "%s", err.message);
		pt_gpu_selection_free(s);
	}
}

/* ---- passthru-probe ----------------------------------------------------- */

Test(nvidia_driver, probe_shows_the_driver_files)
{
	need_driver();
	char rootopt[4200];
	snprintf(rootopt, sizeof(rootopt), "--nvidia-driver-root=%s", driver);
	char *argv[] = {(char *)tu_tool("passthru-probe"), "--json", rootopt,
			"--nvidia-driver-version=" V, NULL};
	char *out = NULL, *err = NULL;
	cr_assert_eq(tu_run(argv, &out, &err, 60), 0, "%s", err);
	struct json_object *j = json_tokener_parse(out);
	cr_assert(j, "not JSON: %s", out);
	struct json_object *nv, *us, *libs, *files, *missing, *v;
	cr_assert(json_object_object_get_ex(j, "nvidia", &nv), "%s", out);
	cr_assert(json_object_object_get_ex(nv, "userspace", &us), "%s", out);
	cr_assert(json_object_object_get_ex(us, "version", &v));
	cr_expect_str_eq(json_object_get_string(v), V);
	cr_assert(json_object_object_get_ex(us, "libraries", &libs));
	cr_assert(json_object_object_get_ex(us, "files", &files));
	cr_assert(json_object_object_get_ex(us, "missing", &missing));
	bool cuda = false;
	for (size_t i = 0; i < json_object_array_length(libs); i++) {
		struct json_object *l = json_object_array_get_idx(libs, i), *s, *a, *p;
		json_object_object_get_ex(l, "soname", &s);
		json_object_object_get_ex(l, "arch", &a);
		json_object_object_get_ex(l, "path", &p);
		if (strcmp(json_object_get_string(s), "libcuda.so.1") == 0 &&
		    strcmp(json_object_get_string(a), "x86_64") == 0)
			cuda = strstr(json_object_get_string(p), "libcuda.so." V) != NULL;
	}
	cr_expect(cuda, "no 64-bit libcuda of " V ": %s", out);
	cr_expect(strstr(json_object_to_json_string(files), "nvidia_icd.json"), "%s", out);
	cr_expect(strstr(json_object_to_json_string(missing),
			 "libnvidia-ptxjitcompiler.so (x86_64): found version " X),
		  "%s", out);
	json_object_put(j);
	free(out), free(err);

	argv[1] = "--nvidia-driver-version=" V; /* the table */
	cr_assert_eq(tu_run(argv, &out, &err, 60), 0, "%s", err);
	cr_expect(strstr(out, "NVIDIA userspace " V), "%s", out);
	cr_expect(strstr(out, "libcuda.so.1"), "%s", out);
	cr_expect(strstr(out, "nvidia-version-mismatch: libnvidia-ptxjitcompiler.so"), "%s", out);
	free(out), free(err);
}

Test(nvidia_driver, launch_exit_codes)
{
	need_driver();
	char rootopt[4200];
	snprintf(rootopt, sizeof(rootopt), "--nvidia-driver-root=%s", driver);
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--backend=native", "--nvidia-driver",
			rootopt, "--nvidia-driver-version=560.35.03", "--", "/bin/true", NULL};
	char *out = NULL, *err = NULL;
	cr_expect_eq(tu_run(argv, &out, &err, 60), 125, "a driver that is not there is a setup "
							 "failure");
	cr_expect(strstr(err, "no NVIDIA driver library of version 560.35.03 (as asked)"), "%s",
		  err);
	free(out), free(err);
	argv[2] = "--nvidia-driver=compute,bogus";
	cr_expect_eq(tu_run(argv, &out, &err, 60), 2);
	cr_expect(strstr(err, "capability 'bogus' is unknown"), "%s", err);
	free(out), free(err);
}

/* The container's /etc/ld.so.cache is a symlink climbing out of its root:
 * it resolves inside the root (to nothing there), never to the host's
 * file it names; the cache made then holds only the driver. */
Test(nvidia_driver, cache_symlink_stays_in_the_root)
{
	need_driver();
	root = tpath("linkroot");
	char *p = tpath("linkroot/etc/ld.so.cache");
	tu_write(p, "", 0644);
	unlink(p);
	/* A valid cache on the host, named by a link that climbs out. */
	char *host = tpath("host.cache"), *link = NULL;
	char *argv[] = {"cp", "/etc/ld.so.cache", host, NULL};
	cr_assert_eq(tu_run(argv, NULL, NULL, 30), 0);
	cr_assert(asprintf(&link, "../../../../../../../../../..%s", host) > 0);
	cr_assert_eq(symlink(link, p), 0);
	free(link);
	free(host);
	struct pt_error err = {0};
	struct pt_nvidia_driver *d = probe(V, 0, &err);
	struct pt_plan *plan = pt_plan_new();
	cr_assert_eq(pt_plan_set_root(plan, root, &err), 0);
	cr_assert_eq(pt_nvidia_driver_add_to_plan(d, plan, &err), 0, "%s", err.message);
	const struct pt_file *f = NULL;
	for (size_t i = 0; i < pt_plan_file_count(plan); i++)
		if (strcmp(pt_plan_file(plan, i)->target, "/etc/ld.so.cache") == 0)
			f = pt_plan_file(plan, i);
	cr_assert(f);
	struct ldcache *c = NULL;
	cr_assert_eq(ldcache_parse(f->data, f->size, "plan", &c, &err), 0, "%s", err.message);
	cr_expect_eq(c->n, pt_nvidia_driver_library_count(d), "the host's own cache leaked in");
	for (size_t i = 0; i < c->n; i++)
		cr_expect(strncmp(c->entries[i].value, "/run/passthru/nvidia/", 21) == 0, "%s",
			  c->entries[i].value);
	ldcache_free(c);
	pt_plan_free(plan);
	pt_nvidia_driver_free(d);
	free(p);
}

/* nvidia-persistenced's socket reaches the container, connectable, on a
 * read-only bind: container root (the host's uid 0 behind an identity
 * map) cannot chmod the host's socket. */
Test(nvidia_driver, persistenced_socket_is_passed_read_only)
{
	need_driver();
	make_root();
	char *dir = NULL, *path = NULL;
	cr_assert(asprintf(&dir, "%s/run/nvidia-persistenced", driver) > 0);
	cr_assert(asprintf(&path, "%s/socket", dir) > 0);
	char *run = NULL;
	cr_assert(asprintf(&run, "%s/run", driver) > 0);
	cr_assert(mkdir(run, 0755) == 0 || errno == EEXIST);
	cr_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
	free(run);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	cr_assert(strlen(path) < sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0, "%s", strerror(errno));
	cr_assert_eq(listen(s, 4), 0);
	cr_assert_eq(chmod(path, 0666), 0);

	char *out = NULL, *err = NULL;
	int st = launch("native", true, &out, &err,
			"s=/run/nvidia-persistenced/socket; chmod 600 $s 2>/dev/null && exit 3; "
			"chown 1 $s 2>/dev/null && exit 3; test -S $s && echo socket");
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_expect_eq(st, 0, "%s", err);
	cr_expect_str_eq(out, "socket\n");
	cr_expect_eq(sb.st_mode & 07777, 0666, "the host's socket is now 0%o", sb.st_mode & 07777);
	cr_expect_eq(sb.st_uid, 0, "the host's socket now belongs to %u", (unsigned)sb.st_uid);
	free(out), free(err);
	close(s);
	free(dir), free(path);
}
