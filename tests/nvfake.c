/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nvfake.h"
#include "testutil.h"

static void cc(const char *src_text, const char *out, const char *const *extra, bool m32)
{
	char src[4096];
	snprintf(src, sizeof(src), "%s.c", out);
	tu_write(src, src_text, 0644);
	char *argv[16];
	size_t n = 0;
	argv[n++] = "cc";
	argv[n++] = m32 ? "-m32" : "-m64";
	for (; extra && *extra; extra++)
		argv[n++] = (char *)*extra;
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	argv[n++] = src;
	argv[n] = NULL;
	char *err = NULL;
	int st = tu_run(argv, NULL, &err, 60);
	cr_assert_eq(st, 0, "cc %s: %s", out, err ? err : "");
	free(err);
	unlink(src);
}

bool nvfake_have_m32(void)
{
	char *dir = tu_tmpdir(), out[4096];
	snprintf(out, sizeof(out), "%s/t", dir);
	char src[4096];
	snprintf(src, sizeof(src), "%s/t.c", dir);
	tu_write(src, "int main(void){return 0;}\n", 0644);
	char *argv[] = {"cc", "-m32", "-o", out, src, NULL};
	bool ok = tu_run(argv, NULL, NULL, 60) == 0;
	tu_rm_rf(dir);
	free(dir);
	return ok;
}

void nvfake_lib(const char *path, const char *soname, const char *version, bool m32)
{
	char text[512], so[300];
	snprintf(text, sizeof(text),
		 "const char *nvfake_version(void);\n"
		 "const char *nvfake_version(void) { return \"%s\"; }\n",
		 version);
	snprintf(so, sizeof(so), "-Wl,-soname,%s", soname);
	const char *extra[] = {"-shared", "-fPIC", so, NULL};
	cc(text, path, extra, m32);
}

void nvfake_checker(const char *path, bool m32)
{
	static const char text[] =
	    "#include <dlfcn.h>\n#include <stdio.h>\n"
	    "int main(int argc, char **argv) {\n"
	    "  for (int i = 1; i < argc; i++) {\n"
	    "    void *h = dlopen(argv[i], RTLD_NOW);\n"
	    "    const char *(*f)(void) = h ? (const char *(*)(void))dlsym(h, \"nvfake_version\") : 0;\n"
	    "    printf(\"%s=%s\\n\", argv[i], f ? f() : dlerror());\n"
	    "  }\n  return 0;\n}\n";
	const char *extra[] = {"-ldl", NULL};
	cc(text, path, extra, m32);
}

/* name.so.VERSION with SONAME soname under dir. */
static void lib_in(const char *root, const char *dir, const char *name, const char *soname,
		   const char *version, bool m32)
{
	char *path = NULL;
	cr_assert(asprintf(&path, "%s%s/%s.%s", root, dir, name, version) > 0);
	tu_write(path, "", 0644); /* its directories */
	nvfake_lib(path, soname, version, m32);
	free(path);
}

static void file_in(const char *root, const char *rel, const char *text, unsigned mode)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	tu_write(path, text, mode);
}

char *nvfake_driver(const char *dir, bool m32)
{
	char *root = NULL;
	cr_assert(asprintf(&root, "%s/driver", dir) > 0);
	static const char *const l64 = "/usr/lib/x86_64-linux-gnu";
	static const char *const l32 = "/usr/lib/i386-linux-gnu";
	const char *v = NVFAKE_VERSION, *x = NVFAKE_DECOY;
	lib_in(root, l64, "libcuda.so", "libcuda.so.1", v, false);
	lib_in(root, l64, "libnvidia-ml.so", "libnvidia-ml.so.1", v, false);
	lib_in(root, l64, "libGLX_nvidia.so", "libGLX_nvidia.so.0", v, false);
	lib_in(root, l64, "libEGL_nvidia.so", "libEGL_nvidia.so.0", v, false);
	lib_in(root, l64, "libnvidia-egl-wayland.so", "libnvidia-egl-wayland.so.1", "1.1.13",
	       false);
	/* Decoys: an older libcuda elsewhere, and a library only in the old
	 * version (a leftover of an update): never chosen. */
	lib_in(root, "/usr/lib64", "libcuda.so", "libcuda.so.1", x, false);
	lib_in(root, l64, "libnvidia-ptxjitcompiler.so", "libnvidia-ptxjitcompiler.so.1", x, false);
	if (m32) {
		lib_in(root, l32, "libcuda.so", "libcuda.so.1", v, true);
		lib_in(root, l32, "libGLX_nvidia.so", "libGLX_nvidia.so.0", v, true);
	}
	file_in(root, "/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
		"{\n  \"file_format_version\" : \"1.0.0\",\n  \"ICD\" : {\n"
		"    \"library_path\" : \"libEGL_nvidia.so.0\"\n  }\n}\n",
		0644);
	file_in(root, "/usr/share/vulkan/icd.d/nvidia_icd.json",
		"{\n  \"file_format_version\" : \"1.0.0\",\n  \"ICD\": {\n"
		"    \"library_path\": \"libGLX_nvidia.so.0\",\n    \"api_version\" : \"1.3.277\"\n"
		"  }\n}\n",
		0644);
	/* An absolute host path: rewritten to where the library is inside. */
	file_in(root, "/usr/share/vulkan/implicit_layer.d/nvidia_layers.json",
		"{\n  \"file_format_version\" : \"1.0.0\",\n  \"layer\": {\n"
		"    \"name\": \"VK_LAYER_NV_optimus\",\n"
		"    \"library_path\": \"/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0\"\n  }\n}\n",
		0644);
	file_in(root, "/usr/share/egl/egl_external_platform.d/10_nvidia_wayland.json",
		"{\n  \"file_format_version\" : \"1.0.0\",\n  \"ICD\" : {\n"
		"    \"library_path\" : \"libnvidia-egl-wayland.so.1\"\n  }\n}\n",
		0644);
	file_in(root, "/usr/bin/nvidia-smi", "#!/bin/sh\necho fake nvidia-smi " NVFAKE_VERSION "\n",
		0755);
	file_in(root, "/lib/firmware/nvidia/" NVFAKE_VERSION "/gsp_ga10x.bin", "fw", 0644);
	file_in(root, "/etc/ld.so.conf",
		"/usr/lib/x86_64-linux-gnu\n/usr/lib64\n/usr/lib/i386-linux-gnu\n", 0644);
	/* The real ldconfig, as a driver installer runs it: SONAME links and
	 * the cache, paths relative to the root. */
	char *argv[] = {"ldconfig", "-r", root, "-f", "/etc/ld.so.conf", "-C", "/etc/ld.so.cache",
			NULL};
	char *err = NULL;
	int st = tu_run(argv, NULL, &err, 60);
	cr_assert_eq(st, 0, "ldconfig -r %s: %s", root, err ? err : "");
	free(err);
	return root;
}
