/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The doctor's reading of a container root: safe bounded reads, the
 * libraries it holds, its own NVIDIA userspace, and its loader files. */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "doctor-private.h"
#include "mount.h"

/* Reopens an O_PATH fd for reading. The fd already names one inode, so
 * nothing can be swapped in between; /proc/self/fd is how an O_PATH fd
 * becomes a real one (openat() has no AT_EMPTY_PATH). */
static int reopen_read(int pathfd)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", pathfd);
	return open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* An O_PATH fd of ROOT/path and its stat. */
static int open_path_in_root(int rootfd, const char *path, struct stat *st)
{
	int fd = root_open(rootfd, path, O_PATH);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int doctor_read_in_root(int rootfd, const char *path, size_t max, char **ret, mode_t *ret_mode)
{
	struct stat st;
	_cleanup_close_ int pfd = open_path_in_root(rootfd, path, &st);
	if (pfd < 0)
		return pfd;
	if (ret_mode)
		*ret_mode = st.st_mode;
	if (!S_ISREG(st.st_mode))
		return -ENODATA;
	if ((size_t)st.st_size > max)
		return -EFBIG;
	_cleanup_close_ int fd = reopen_read(pfd);
	if (fd < 0)
		return -errno;
	return read_fd_max(fd, max, ret, NULL);
}

const char *const doctor_lib_dirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
	"/usr/lib/i386-linux-gnu",   "/lib/i386-linux-gnu",   "/usr/lib32", "/lib32",
	"/usr/lib",		     "/lib",		      NULL,
};

bool doctor_root_has_library(int rootfd, const char *soname)
{
	if (!*soname || strchr(soname, '/'))
		return false;
	char p[PATH_MAX];
	for (const char *const *d = doctor_lib_dirs; *d; d++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", *d, soname);
		int fd = open_path_in_root(rootfd, p, &st);
		if (fd >= 0) {
			close(fd);
			if (S_ISREG(st.st_mode))
				return true;
		}
	}
	return false;
}

bool doctor_is_driver_version(const char *s)
{
	size_t dots = 0, len = strlen(s);
	if (len == 0 || len >= sizeof(((struct doctor_nv_version *)0)->version) ||
	    s[0] < '0' || s[0] > '9' || s[len - 1] == '.')
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return false;
	}
	/* "1.0" would be a soname's own version; driver versions have a
	 * three-digit major (ours since 2010). */
	return dots >= 1 && strcspn(s, ".") >= 3;
}

/* The names NVIDIA gives its version-suffixed libraries. */
static const char *nv_version_of(const char *name)
{
	static const char *const prefixes[] = {"libcuda.so.", "libnvidia-", "libGLX_nvidia.so.",
					       "libEGL_nvidia.so.", "libGLESv2_nvidia.so.",
					       "libGLESv1_CM_nvidia.so.", "libnvcuvid.so.",
					       "libnvoptix.so.", NULL};
	bool match = false;
	for (const char *const *p = prefixes; *p && !match; p++)
		match = startswith(name, *p);
	const char *so = match ? strstr(name, ".so.") : NULL;
	return so && doctor_is_driver_version(so + 4) ? so + 4 : NULL;
}

/* ELFCLASS32 or ELFCLASS64 of a regular file, 0 when it is neither. */
static int elf_class(int rootfd, const char *path)
{
	struct stat st;
	_cleanup_close_ int pfd = open_path_in_root(rootfd, path, &st);
	if (pfd < 0 || !S_ISREG(st.st_mode))
		return 0;
	_cleanup_close_ int fd = reopen_read(pfd);
	unsigned char h[EI_NIDENT];
	if (fd < 0 || read(fd, h, sizeof(h)) != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG))
		return 0;
	return h[EI_CLASS] == ELFCLASS32 || h[EI_CLASS] == ELFCLASS64 ? h[EI_CLASS] : 0;
}

static void nv_add(struct doctor_nv_version *v, size_t *n, const char *version, const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (streq(v[i].version, version)) {
			v[i].files++;
			return;
		}
	if (*n >= DOCTOR_NV_VERSIONS)
		return;
	struct doctor_nv_version *e = &v[(*n)++];
	snprintf(e->version, sizeof(e->version), "%s", version);
	snprintf(e->example, sizeof(e->example), "%s", path);
	e->files = 1;
}

/* An O_RDONLY directory fd of ROOT/path, and whether it was seen before
 * (/lib is often a link to /usr/lib: one directory, scanned once). */
static int open_dir_once(int rootfd, const char *path, struct stat *seen, size_t *n_seen)
{
	int fd = root_open(rootfd, path, O_RDONLY | O_DIRECTORY);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	for (size_t i = 0; i < *n_seen; i++)
		if (seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
			close(fd);
			return -EEXIST;
		}
	seen[(*n_seen)++] = st;
	return fd;
}

int doctor_container_nvidia_libs(int rootfd, struct doctor_nv_libs *ret)
{
	*ret = (struct doctor_nv_libs){0};
	struct stat seen[ELEMENTSOF(doctor_lib_dirs)];
	size_t n_seen = 0;
	for (const char *const *d = doctor_lib_dirs; *d; d++) {
		int fd = open_dir_once(rootfd, *d, seen, &n_seen);
		if (fd < 0)
			continue;
		DIR *dir = fdopendir(fd);
		if (!dir) {
			close(fd);
			return errno == ENOMEM ? -ENOMEM : 0;
		}
		struct dirent *de;
		size_t entries = 0;
		while ((de = readdir(dir))) {
			if (++entries > DOCTOR_DIR_ENTRIES_MAX) {
				ret->truncated = true;
				break;
			}
			const char *version = nv_version_of(de->d_name);
			if (!version)
				continue;
			char p[PATH_MAX];
			snprintf(p, sizeof(p), "%s/%s", *d, de->d_name);
			int c = elf_class(rootfd, p);
			if (c == ELFCLASS64)
				nv_add(ret->v64, &ret->n64, version, p);
			else if (c == ELFCLASS32)
				nv_add(ret->v32, &ret->n32, version, p);
		}
		closedir(dir);
	}
	return 0;
}

/* ---- loader files ---- */

static const struct {
	const char *dir, *kind;
} loader_dirs[] = {
	{"/usr/share/vulkan/icd.d", "Vulkan ICD"},
	{"/etc/vulkan/icd.d", "Vulkan ICD"},
	{"/usr/share/glvnd/egl_vendor.d", "EGL vendor"},
	{"/etc/glvnd/egl_vendor.d", "EGL vendor"},
};

/* Loader directories hold a handful of files. */
#define LOADER_FILES_MAX 256
#define LOADER_JSON_MAX (64u * 1024)

/* Checks the library l->library names. Sets l->problem when it cannot be
 * loaded from the root. */
static void check_library(int rootfd, const char *dir, struct doctor_loader *l)
{
	const char *lib = l->library;
	if (!strchr(lib, '/')) {
		if (!doctor_root_has_library(rootfd, lib))
			l->problem = "is in none of the container's library directories";
		return;
	}
	/* The Vulkan loader reads a relative path against the JSON's directory. */
	char p[PATH_MAX];
	if (lib[0] == '/')
		snprintf(p, sizeof(p), "%s", lib);
	else
		snprintf(p, sizeof(p), "%s/%s", dir, lib);
	struct stat st;
	int fd = open_path_in_root(rootfd, p, &st);
	if (fd < 0) {
		l->problem = "does not exist in the container";
		return;
	}
	close(fd);
	if (!S_ISREG(st.st_mode))
		l->problem = "is not a regular file in the container";
}

static int check_loader(int rootfd, const char *dir, struct doctor_loader *l)
{
	_cleanup_free_ char *text = NULL;
	mode_t mode = 0;
	int r = doctor_read_in_root(rootfd, l->path, LOADER_JSON_MAX, &text, &mode);
	if (r == -ENODATA) {
		l->problem = S_ISDIR(mode) ? "is a directory" : "is not a regular file";
		return 0;
	}
	if (r == -EFBIG) {
		l->problem = "is larger than 64 KiB";
		return 0;
	}
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		l->problem = "cannot be read";
		return 0;
	}
	struct json_object *root = json_tokener_parse(text);
	struct json_object *icd = NULL, *path = NULL;
	if (!root || !json_object_object_get_ex(root, "ICD", &icd) ||
	    !json_object_object_get_ex(icd, "library_path", &path) ||
	    !json_object_is_type(path, json_type_string)) {
		l->problem = "is not valid JSON with ICD.library_path";
		json_object_put(root);
		return 0;
	}
	l->library = strdup(json_object_get_string(path));
	json_object_put(root);
	if (!l->library)
		return -ENOMEM;
	check_library(rootfd, dir, l);
	return 0;
}

int doctor_for_each_loader(int rootfd, int (*fn)(const struct doctor_loader *l, void *data),
			   void *data)
{
	struct stat seen[ELEMENTSOF(loader_dirs)];
	size_t n_seen = 0;
	for (size_t i = 0; i < ELEMENTSOF(loader_dirs); i++) {
		int fd = open_dir_once(rootfd, loader_dirs[i].dir, seen, &n_seen);
		if (fd < 0)
			continue;
		DIR *dir = fdopendir(fd);
		if (!dir) {
			close(fd);
			return errno == ENOMEM ? -ENOMEM : 0;
		}
		struct dirent *de;
		size_t files = 0;
		int r = 0;
		while (r == 0 && (de = readdir(dir)) && files < LOADER_FILES_MAX) {
			size_t len = strlen(de->d_name);
			if (len < 6 || !streq(de->d_name + len - 5, ".json"))
				continue;
			files++;
			struct doctor_loader l = {.kind = loader_dirs[i].kind};
			snprintf(l.path, sizeof(l.path), "%s/%s", loader_dirs[i].dir, de->d_name);
			r = check_loader(rootfd, loader_dirs[i].dir, &l);
			if (r == 0)
				r = fn(&l, data);
			free(l.library);
		}
		closedir(dir);
		if (r < 0)
			return r;
	}
	return 0;
}
