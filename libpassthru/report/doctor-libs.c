/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The doctor's reading of a container root: safe bounded reads, the
 * libraries it holds, its own NVIDIA userspace, and its loader files. */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "doctor-private.h"
#include "ldcache.h"
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

bool doctor_is_nvidia_lib(const char *name)
{
	static const char *const prefixes[] = {"libcuda.so.", "libnvidia-", "libGLX_nvidia.so.",
					       "libEGL_nvidia.so.", "libGLESv2_nvidia.so.",
					       "libGLESv1_CM_nvidia.so.", "libnvcuvid.so.",
					       "libnvoptix.so.", NULL};
	for (const char *const *p = prefixes; *p; p++)
		if (startswith(name, *p))
			return true;
	return false;
}

/* The driver version an NVIDIA library's file name ends in, or NULL. */
static const char *nv_version_of(const char *name)
{
	const char *so = doctor_is_nvidia_lib(name) ? strstr(name, ".so.") : NULL;
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

/* What scan_dir_once() did with one directory. */
enum {
	DIR_SCANNED,   /* read to its end, or not read (missing, seen before) */
	DIR_TRUNCATED, /* entries were left unread past the cap */
};

/* Calls fn with each entry of ROOT/dir, a directory not scanned before
 * (open_dir_once()). fn returns 1 for an entry that counts toward max, 0
 * for one that does not, < 0 to stop with that error: a container picks
 * how many entries its directories hold, the doctor picks how many it
 * reads. Returns a DIR_* value, -ENOMEM or fn's error. */
static int scan_dir_once(int rootfd, const char *dir, struct stat *seen, size_t *n_seen, size_t max,
			 int (*fn)(const char *dir, const char *name, void *data), void *data)
{
	int fd = open_dir_once(rootfd, dir, seen, n_seen);
	if (fd < 0)
		return DIR_SCANNED;
	DIR *d = fdopendir(fd);
	if (!d) {
		/* Only memory can fail on a directory fd: any other error is
		 * one directory unread, not the end of the scan. */
		int r = errno == ENOMEM ? -ENOMEM : DIR_SCANNED;
		close(fd);
		return r;
	}
	struct dirent *de;
	size_t counted = 0;
	int r = DIR_SCANNED;
	while ((de = readdir(d))) {
		if (counted >= max) {
			r = DIR_TRUNCATED;
			break;
		}
		int c = fn(dir, de->d_name, data);
		if (c < 0) {
			r = c;
			break;
		}
		counted += c;
	}
	closedir(d);
	return r;
}

/* The cache's NVIDIA entries, each resolved inside the root to the file
 * ld.so would map: its name carries the version. 1 when the root has a
 * cache, 0 when not (or it is unreadable: the scan then answers). */
static int nvidia_libs_from_cache(int rootfd, struct doctor_nv_libs *ret)
{
	struct ldcache *cache = NULL;
	int r = ldcache_read_in_root(rootfd, "/etc/ld.so.cache", &cache, NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	ret->source = "ld.so.cache";
	for (size_t i = 0; i < cache->n; i++) {
		const struct ldcache_entry *e = &cache->entries[i];
		int arch = ldcache_entry_arch(e);
		if ((arch != LDCACHE_ARCH_X86_64 && arch != LDCACHE_ARCH_I386) ||
		    !doctor_is_nvidia_lib(e->key) || e->value[0] != '/')
			continue;
		struct stat st;
		_cleanup_close_ int fd = open_path_in_root(rootfd, e->value, &st);
		char p[64], target[PATH_MAX];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		ssize_t n = fd >= 0 && S_ISREG(st.st_mode) ? readlink(p, target, sizeof(target) - 1) : -1;
		if (n <= 0)
			continue; /* a stale entry: ld.so skips it as well */
		target[n] = '\0';
		const char *version = nv_version_of(strrchr(target, '/') + 1);
		if (!version)
			continue;
		if (arch == LDCACHE_ARCH_X86_64)
			nv_add(ret->v64, &ret->n64, version, e->value);
		else
			nv_add(ret->v32, &ret->n32, version, e->value);
	}
	ldcache_free(cache);
	return 1;
}

struct nv_scan {
	int rootfd;
	struct doctor_nv_libs *libs;
};

/* Every entry of a library directory counts toward its cap, not only the
 * NVIDIA ones: the cap bounds the reading. */
static int nv_scan_entry(const char *dir, const char *name, void *data)
{
	struct nv_scan *s = data;
	const char *version = nv_version_of(name);
	if (!version)
		return 1;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int c = elf_class(s->rootfd, p);
	if (c == ELFCLASS64)
		nv_add(s->libs->v64, &s->libs->n64, version, p);
	else if (c == ELFCLASS32)
		nv_add(s->libs->v32, &s->libs->n32, version, p);
	return 1;
}

int doctor_container_nvidia_libs(int rootfd, struct doctor_nv_libs *ret)
{
	*ret = (struct doctor_nv_libs){0};
	int r = nvidia_libs_from_cache(rootfd, ret);
	if (r != 0)
		return r < 0 ? r : 0;
	ret->source = "library directories";
	struct nv_scan scan = {.rootfd = rootfd, .libs = ret};
	struct stat seen[ELEMENTSOF(doctor_lib_dirs)];
	size_t n_seen = 0;
	for (const char *const *d = doctor_lib_dirs; *d; d++) {
		r = scan_dir_once(rootfd, *d, seen, &n_seen, DOCTOR_DIR_ENTRIES_MAX, nv_scan_entry,
				  &scan);
		if (r < 0)
			return r;
		if (r == DIR_TRUNCATED)
			ret->truncated = true;
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
#define JSON_DEPTH_MAX 32

/* A strict reader (RFC 8259) for the one value of a loader file we need:
 * the string at a path of object keys. Not json-c: the doctor runs in
 * every launch, and a launch maps no optional library (DESIGN.md); the
 * whole text must still be one valid JSON value, nested at most
 * JSON_DEPTH_MAX deep. */
struct jp {
	const char *p;
	int depth;
	bool oom;
};

static void jws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
		j->p++;
}

static int jhex4(const char *s, unsigned *ret)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16;
		if (d == 16)
			return -EINVAL;
		v = v * 16 + d;
	}
	*ret = v;
	return 0;
}

static void utf8_put(struct strbuf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_append(b, u, n);
}

/* A string at j->p (the opening quote); decoded into out unless NULL. */
static int jstring(struct jp *j, struct strbuf *out)
{
	if (*j->p != '"')
		return -EINVAL;
	for (j->p++;;) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20) /* a control character, or the end of the text */
			return -EINVAL;
		if (c != '\\') {
			if (out)
				strbuf_append(out, j->p, 1);
			j->p++;
			continue;
		}
		char e = j->p[1];
		const char *plain = strchr("\"\\/bfnrt", e);
		if (e && plain) {
			static const char decoded[] = "\"\\/\b\f\n\r\t";
			if (out)
				strbuf_append(out, &decoded[plain - "\"\\/bfnrt"], 1);
			j->p += 2;
			continue;
		}
		unsigned cp, lo;
		if (e != 'u' || jhex4(j->p + 2, &cp) < 0)
			return -EINVAL;
		j->p += 6;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -EINVAL;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (j->p[0] != '\\' || j->p[1] != 'u' || jhex4(j->p + 2, &lo) < 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return -EINVAL;
			j->p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp == 0) /* a NUL inside a path is no path */
			return -EINVAL;
		if (out)
			utf8_put(out, cp);
	}
}

static int jdigits(struct jp *j)
{
	if (*j->p < '0' || *j->p > '9')
		return -EINVAL;
	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	return 0;
}

static int jnumber(struct jp *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (jdigits(j) < 0)
		return -EINVAL;
	if (*j->p == '.') {
		j->p++;
		if (jdigits(j) < 0)
			return -EINVAL;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (jdigits(j) < 0)
			return -EINVAL;
	}
	return 0;
}

/* A value. on_path: this value is where path (n keys left) leads; when
 * n is 0 it is the one wanted, and a string there goes to *ret. */
static int jvalue(struct jp *j, const char *const *path, size_t n, bool on_path, char **ret)
{
	jws(j);
	int r = 0;
	if (*j->p == '"') {
		if (!on_path || n > 0)
			return jstring(j, NULL);
		struct strbuf b = {0};
		if ((r = jstring(j, &b)) < 0) {
			free(b.s);
			return r;
		}
		char *v = strbuf_steal(&b);
		if (!v) {
			j->oom = true;
			return -ENOMEM;
		}
		free(*ret); /* a repeated key: the last one counts, as in json-c */
		*ret = v;
		return 0;
	}
	if (*j->p == '{' || *j->p == '[') {
		bool obj = *j->p == '{';
		if (++j->depth > JSON_DEPTH_MAX)
			return -EINVAL;
		j->p++;
		jws(j);
		if (*j->p == (obj ? '}' : ']')) {
			j->p++;
			j->depth--;
			return 0;
		}
		for (;;) {
			bool child = false;
			if (obj) {
				jws(j);
				struct strbuf key = {0};
				r = jstring(j, on_path && n > 0 ? &key : NULL);
				child = r == 0 && on_path && n > 0 && key.s && streq(key.s, path[0]);
				if (key.failed)
					j->oom = true;
				free(key.s);
				if (r < 0 || j->oom)
					return r < 0 ? r : -ENOMEM;
				jws(j);
				if (*j->p++ != ':')
					return -EINVAL;
			}
			if ((r = jvalue(j, child ? path + 1 : NULL, child ? n - 1 : 0, child, ret)) < 0)
				return r;
			jws(j);
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != (obj ? '}' : ']'))
				return -EINVAL;
			j->depth--;
			return 0;
		}
	}
	static const char *const literals[] = {"true", "false", "null"};
	for (size_t i = 0; i < ELEMENTSOF(literals); i++)
		if (startswith(j->p, literals[i])) {
			j->p += strlen(literals[i]);
			return 0;
		}
	return jnumber(j);
}

/* The string at path in the JSON text: 0 with *ret (NULL when absent or
 * not a string), -EINVAL for text that is not JSON, -ENOMEM. */
static int json_string_at(const char *text, const char *const *path, size_t n, char **ret)
{
	struct jp j = {.p = text};
	*ret = NULL;
	int r = jvalue(&j, path, n, true, ret);
	if (r == 0) {
		jws(&j);
		if (*j.p)
			r = -EINVAL;
	}
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return j.oom ? -ENOMEM : r;
}

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
	static const char *const path[] = {"ICD", "library_path"};
	r = json_string_at(text, path, ELEMENTSOF(path), &l->library);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || !l->library) {
		l->problem = r < 0 ? "is not valid JSON" : "has no ICD.library_path string";
		return 0;
	}
	check_library(rootfd, dir, l);
	return 0;
}

struct loader_scan {
	int rootfd;
	const char *kind;
	int (*fn)(const struct doctor_loader *l, void *data);
	void *data;
};

/* Only the .json files count toward a loader directory's cap. */
static int loader_scan_entry(const char *dir, const char *name, void *data)
{
	struct loader_scan *s = data;
	size_t len = strlen(name);
	if (len < 6 || !streq(name + len - 5, ".json"))
		return 0;
	struct doctor_loader l = {.kind = s->kind};
	snprintf(l.path, sizeof(l.path), "%s/%s", dir, name);
	int r = check_loader(s->rootfd, dir, &l);
	if (r == 0)
		r = s->fn(&l, s->data);
	free(l.library);
	return r < 0 ? r : 1;
}

int doctor_for_each_loader(int rootfd, int (*fn)(const struct doctor_loader *l, void *data),
			   void *data)
{
	struct stat seen[ELEMENTSOF(loader_dirs)];
	size_t n_seen = 0;
	for (size_t i = 0; i < ELEMENTSOF(loader_dirs); i++) {
		struct loader_scan scan = {
		    .rootfd = rootfd, .kind = loader_dirs[i].kind, .fn = fn, .data = data};
		/* A loader directory past its cap is not reported: it only bounds
		 * the reading. */
		int r = scan_dir_once(rootfd, loader_dirs[i].dir, seen, &n_seen, LOADER_FILES_MAX,
				      loader_scan_entry, &scan);
		if (r < 0)
			return r;
	}
	return 0;
}
