/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's NVIDIA userspace driver, matched to the kernel module, and how
 * it goes into a container.
 *
 * Finding the files follows NVIDIA's container toolkit (libnvidia-container
 * nvc_info.c): libraries by name per capability, looked up in the driver
 * root's ld.so.cache, kept only when the file's name ends in the module's
 * version. We also scan the usual library directories, since a driver
 * installed but not yet ldconfig'd (or Debian's nvidia/current, reached
 * through alternatives) is not always in the cache.
 *
 * Getting them loaded in the container: see pt_nvidia_driver_add_to_plan()
 * below for why that is a generated ld.so.cache. */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "gpu-private.h"
#include "ldcache.h"
#include "mount.h"
#include "passthru/nvidia-driver.h"

/* Where the driver goes inside the container: under /run, which both
 * backends mount as a fresh tmpfs, so no mount point is ever created in
 * the container's root on disk. */
#define NV_DIR "/run/passthru/nvidia"
#define NV_SHARE NV_DIR "/share"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CONFIG_MAX (1024 * 1024)

enum {
	LIB_EXPECTED = 1u << 0,    /* every driver of these capabilities ships it */
	LIB_UNVERSIONED = 1u << 1, /* its own version, not the driver's (egl platform libs) */
};

#define G PT_NVIDIA_CAP_GRAPHICS
#define GD (PT_NVIDIA_CAP_GRAPHICS | PT_NVIDIA_CAP_DISPLAY)
/* The names libnvidia-container passes per capability (utility_libs,
 * compute_libs, video_libs, graphics_libs, graphics_libs_glvnd, ngx_libs);
 * the EGL platform libraries come with their own version, as
 * nvidia-container-toolkit passes them. */
static const struct lib_name {
	const char *name;
	unsigned caps, flags;
} lib_names[] = {
	{"libnvidia-ml.so", PT_NVIDIA_CAP_UTILITY, LIB_EXPECTED},
	{"libnvidia-cfg.so", PT_NVIDIA_CAP_UTILITY, 0},
	{"libnvidia-nscq.so", PT_NVIDIA_CAP_UTILITY, 0},
	{"libcuda.so", PT_NVIDIA_CAP_COMPUTE, LIB_EXPECTED},
	{"libcudadebugger.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-opencl.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-gpucomp.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-ptxjitcompiler.so", PT_NVIDIA_CAP_COMPUTE, LIB_EXPECTED},
	{"libnvidia-fatbinaryloader.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-allocator.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-compiler.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-pkcs11.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-pkcs11-openssl3.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libnvidia-nvvm.so", PT_NVIDIA_CAP_COMPUTE, 0},
	{"libvdpau_nvidia.so", PT_NVIDIA_CAP_VIDEO, 0},
	{"libnvidia-encode.so", PT_NVIDIA_CAP_VIDEO, LIB_EXPECTED},
	{"libnvidia-opticalflow.so", PT_NVIDIA_CAP_VIDEO, 0},
	{"libnvcuvid.so", PT_NVIDIA_CAP_VIDEO, LIB_EXPECTED},
	{"libnvidia-eglcore.so", G, LIB_EXPECTED},
	{"libnvidia-glcore.so", G, LIB_EXPECTED},
	{"libnvidia-tls.so", G, LIB_EXPECTED},
	{"libnvidia-glsi.so", G, LIB_EXPECTED},
	{"libnvidia-fbc.so", G, 0},
	{"libnvidia-ifr.so", G, 0},
	{"libnvidia-rtcore.so", G, 0},
	{"libnvoptix.so", G, 0},
	{"libGLX_nvidia.so", G, LIB_EXPECTED},
	{"libEGL_nvidia.so", G, LIB_EXPECTED},
	{"libGLESv2_nvidia.so", G, 0},
	{"libGLESv1_CM_nvidia.so", G, 0},
	{"libnvidia-glvkspirv.so", G, 0},
	{"libnvidia-cbl.so", G, 0},
	{"libnvidia-ngx.so", G, 0},
	{"libnvidia-egl-wayland.so", GD, LIB_UNVERSIONED},
	{"libnvidia-egl-gbm.so", GD, LIB_UNVERSIONED},
	{"libnvidia-egl-xcb.so", GD, LIB_UNVERSIONED},
	{"libnvidia-egl-xlib.so", GD, LIB_UNVERSIONED},
};

static const struct {
	const char *name;
	unsigned caps;
} bin_names[] = {
	{"nvidia-smi", PT_NVIDIA_CAP_UTILITY},
	{"nvidia-debugdump", PT_NVIDIA_CAP_UTILITY},
	{"nvidia-persistenced", PT_NVIDIA_CAP_UTILITY},
	{"nvidia-cuda-mps-control", PT_NVIDIA_CAP_COMPUTE},
	{"nvidia-cuda-mps-server", PT_NVIDIA_CAP_COMPUTE},
};
static const char *const bin_dirs[] = {"/usr/bin", "/usr/sbin", "/bin", "/usr/local/bin"};

/* Loader configs: where the host has them, and the directory (under
 * NV_SHARE) the container's loader is pointed at. A NULL name: every
 * "*nvidia*.json" of the directory. */
static const struct {
	const char *host_dirs[2];
	const char *name;
	const char *share_dir;
	unsigned caps;
} config_names[] = {
	{{"/usr/share/glvnd/egl_vendor.d", "/etc/glvnd/egl_vendor.d"}, "10_nvidia.json",
	 "glvnd/egl_vendor.d", G},
	{{"/usr/share/egl/egl_external_platform.d", "/etc/egl/egl_external_platform.d"}, NULL,
	 "egl/egl_external_platform.d", GD},
	{{"/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"}, "nvidia_icd.json", "vulkan/icd.d", G},
	{{"/usr/share/vulkan/implicit_layer.d", "/etc/vulkan/implicit_layer.d"},
	 "nvidia_layers.json", "vulkan/implicit_layer.d", G},
	{{"/etc/OpenCL/vendors", NULL}, "nvidia.icd", "OpenCL/vendors", PT_NVIDIA_CAP_COMPUTE},
};

static const struct arch {
	const char *name;
	int cache_arch;
	unsigned char elf_class;
	unsigned elf_machine;
	const char *dir; /* in the container */
	const char *lib_dirs[6];
} arches[] = {
	{"x86_64", LDCACHE_ARCH_X86_64, ELFCLASS64, EM_X86_64, NV_DIR "/lib64",
	 {"/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/nvidia/current", "/usr/lib64",
	  "/lib64", "/usr/lib", "/lib/x86_64-linux-gnu"}},
	{"i386", LDCACHE_ARCH_I386, ELFCLASS32, EM_386, NV_DIR "/lib32",
	 {"/usr/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu/nvidia/current", "/usr/lib32",
	  "/lib32", "/usr/lib", "/lib/i386-linux-gnu"}},
};

struct lib {
	struct pt_nvidia_library pub;
	const struct arch *arch;
};

struct file {
	char *path;
	const char *share_dir; /* a loader config: its directory under NV_SHARE */
	const char *target;    /* a tool or socket: where it goes, else NULL */
	bool firmware;
};

struct pt_nvidia_driver {
	char *version;
	char *root;
	struct lib *libs;
	size_t n_libs, a_libs;
	struct file *files;
	size_t n_files, a_files;
	struct warnings warnings;
};

struct pt_nvidia_driver_opts *pt_nvidia_driver_opts_new(void)
{
	struct pt_nvidia_driver_opts *o = calloc(1, sizeof(*o));
	if (o)
		o->caps = PT_NVIDIA_CAP_ALL;
	return o;
}

void pt_nvidia_driver_opts_free(struct pt_nvidia_driver_opts *opts) { free(opts); }

int pt_nvidia_driver_parse_caps(const char *text, unsigned *ret_caps, struct pt_error *err)
{
	static const struct {
		const char *name;
		unsigned cap;
	} names[] = {
		{"all", PT_NVIDIA_CAP_ALL},
		{"utility", PT_NVIDIA_CAP_UTILITY},
		{"compute", PT_NVIDIA_CAP_COMPUTE},
		{"video", PT_NVIDIA_CAP_VIDEO},
		{"graphics", PT_NVIDIA_CAP_GRAPHICS},
		{"display", PT_NVIDIA_CAP_DISPLAY},
	};
	unsigned caps = 0;
	if (!text || !*text)
		return pt_error_setx(err, EINVAL, "NVIDIA driver capabilities: empty list");
	for (const char *p = text;;) {
		size_t n = strcspn(p, ",");
		size_t i;
		for (i = 0; i < ELEMENTSOF(names); i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
				break;
		if (i == ELEMENTSOF(names))
			return pt_error_setx(err, EINVAL,
					     "NVIDIA driver capability '%.*s' is unknown (known: all, "
					     "utility, compute, video, graphics, display)",
					     (int)n, p);
		caps |= names[i].cap;
		if (!p[n])
			break;
		p += n + 1;
	}
	*ret_caps = caps;
	return 0;
}

int pt_nvidia_driver_module_version(char **ret_version, struct pt_error *err)
{
	static const char *const paths[] = {"/proc/driver/nvidia/version",
					    "/sys/module/nvidia/version"};
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		_cleanup_free_ char *text = NULL;
		int r = read_file_max(paths[i], GPU_PROC_MAX, &text, NULL);
		if (r == -ENOMEM)
			return pt_error_set(err, ENOMEM, "%s", paths[i]);
		if (r < 0)
			continue;
		r = nvidia_parse_version(text, ret_version);
		if (r == -ENOMEM)
			return pt_error_set(err, ENOMEM, "%s", paths[i]);
		if (r < 0)
			return pt_error_setx(err, EBADMSG, "%s holds no driver version", paths[i]);
		return 0;
	}
	return pt_error_setx(err, ENODEV,
			     "no NVIDIA kernel module is loaded (neither %s nor %s is readable)",
			     paths[0], paths[1]);
}

void pt_nvidia_driver_free(struct pt_nvidia_driver *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_libs; i++) {
		free((char *)d->libs[i].pub.path);
		free((char *)d->libs[i].pub.soname);
	}
	for (size_t i = 0; i < d->n_files; i++)
		free(d->files[i].path);
	warnings_done(&d->warnings);
	free(d->libs);
	free(d->files);
	free(d->version);
	free(d->root);
	free(d);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* root + path, "/" root giving path itself. */
static char *in_root(const char *root, const char *path)
{
	char *s = NULL;
	if (asprintf(&s, "%s%s", streq(root, "/") ? "" : root, path) < 0)
		return NULL;
	return s;
}

/* An open ELF file and where its section headers are. */
struct elf_file {
	int fd;
	bool is64;
	uint64_t shoff;
	unsigned shnum, shentsize;
};

/* A section header, class-independent. */
struct elf_section {
	uint32_t type;
	uint64_t offset, size, link;
};

/* The ELF identification and header: -ENOEXEC unless a little-endian
 * 32- or 64-bit ELF file. */
static int read_elf_header(struct elf_file *f, unsigned char *ret_class, unsigned *ret_machine)
{
	unsigned char id[EI_NIDENT];
	if (pread(f->fd, id, sizeof(id), 0) != (ssize_t)sizeof(id) ||
	    memcmp(id, ELFMAG, SELFMAG) != 0 || id[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	f->is64 = id[EI_CLASS] == ELFCLASS64;
	if (!f->is64 && id[EI_CLASS] != ELFCLASS32)
		return -ENOEXEC;
	unsigned machine;
	if (f->is64) {
		Elf64_Ehdr eh;
		if (pread(f->fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -ENOEXEC;
		f->shoff = eh.e_shoff, f->shnum = eh.e_shnum, f->shentsize = eh.e_shentsize;
		machine = eh.e_machine;
	} else {
		Elf32_Ehdr eh;
		if (pread(f->fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -ENOEXEC;
		f->shoff = eh.e_shoff, f->shnum = eh.e_shnum, f->shentsize = eh.e_shentsize;
		machine = eh.e_machine;
	}
	*ret_class = id[EI_CLASS];
	*ret_machine = machine;
	return 0;
}

/* Section header i; false when it cannot be read. */
static bool read_section(const struct elf_file *f, uint64_t i, struct elf_section *ret)
{
	off_t off = (off_t)(f->shoff + i * (uint64_t)f->shentsize);
	if (f->is64) {
		Elf64_Shdr s;
		if (pread(f->fd, &s, sizeof(s), off) != (ssize_t)sizeof(s))
			return false;
		*ret = (struct elf_section){s.sh_type, s.sh_offset, s.sh_size, s.sh_link};
	} else {
		Elf32_Shdr s;
		if (pread(f->fd, &s, sizeof(s), off) != (ssize_t)sizeof(s))
			return false;
		*ret = (struct elf_section){s.sh_type, s.sh_offset, s.sh_size, s.sh_link};
	}
	return true;
}

/* The dynamic entry at off; false when it cannot be read. */
static bool read_dyn(const struct elf_file *f, uint64_t off, uint64_t *ret_tag, uint64_t *ret_val)
{
	if (f->is64) {
		Elf64_Dyn dyn;
		if (pread(f->fd, &dyn, sizeof(dyn), (off_t)off) != (ssize_t)sizeof(dyn))
			return false;
		*ret_tag = (uint64_t)dyn.d_tag, *ret_val = dyn.d_un.d_val;
	} else {
		Elf32_Dyn dyn;
		if (pread(f->fd, &dyn, sizeof(dyn), (off_t)off) != (ssize_t)sizeof(dyn))
			return false;
		*ret_tag = (uint64_t)(int64_t)dyn.d_tag, *ret_val = dyn.d_un.d_val;
	}
	return true;
}

/* DT_SONAME in one SHT_DYNAMIC section, its string in strtab. 0: not in
 * this section; 1: the search is over (*ret_soname set when found, left
 * NULL when the file cannot be read further); -ENOMEM. */
static int dynamic_soname(const struct elf_file *f, const struct elf_section *dyn,
			  const struct elf_section *strtab, char **ret_soname)
{
	size_t esz = f->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
	for (uint64_t p = 0; p + esz <= dyn->size; p += esz) {
		uint64_t tag, val;
		if (!read_dyn(f, dyn->offset + p, &tag, &val))
			return 1;
		if (tag == DT_NULL)
			break;
		if (tag != DT_SONAME || val >= strtab->size)
			continue;
		char name[256];
		ssize_t n = pread(f->fd, name, sizeof(name) - 1, (off_t)(strtab->offset + val));
		if (n <= 0)
			return 1;
		name[n] = '\0';
		if (!memchr(name, '\0', (size_t)n))
			return 1;
		*ret_soname = strdup(name);
		return *ret_soname ? 1 : -ENOMEM;
	}
	return 0;
}

/* The ELF class, machine and DT_SONAME of a file, from its section
 * headers (strip keeps them). -ENOEXEC when it is no ELF shared object we
 * can read. */
static int elf_soname(const char *path, unsigned char *ret_class, unsigned *ret_machine,
		      char **ret_soname)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;
	struct elf_file f = {.fd = fd};
	int r = read_elf_header(&f, ret_class, ret_machine);
	if (r < 0)
		return r;
	*ret_soname = NULL;
	if (f.shentsize != (f.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) || f.shnum > 4096)
		return 0;
	for (unsigned i = 0; i < f.shnum; i++) {
		struct elf_section dyn, strtab;
		if (!read_section(&f, i, &dyn))
			return 0;
		if (dyn.type != SHT_DYNAMIC || dyn.link >= f.shnum || dyn.size > 1024 * 1024)
			continue;
		if (!read_section(&f, dyn.link, &strtab))
			return 0;
		r = dynamic_soname(&f, &dyn, &strtab, ret_soname);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	return 0;
}

/* Whether base names library lib ("libcuda.so" + "." + something). */
static const char *lib_suffix(const char *base, const char *lib)
{
	size_t n = strlen(lib);
	if (strncmp(base, lib, n) != 0 || base[n] != '.')
		return NULL;
	return base + n + 1;
}

/* A driver version in a file name: "535.104.05" (two dots at least), so
 * "libcuda.so.1" is not read as one. */
static bool looks_like_driver_version(const char *s)
{
	int dots = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return dots >= 2;
}

struct search {
	struct pt_nvidia_driver *d;
	const struct lib_name *name;
	const struct arch *arch;
	bool found;
	char other[64];   /* another version seen, "" if none */
	char *other_path; /* where */
};

/* Considers a candidate path (host path, may be a symlink) for a library. */
static int consider(struct search *s, const char *path)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	if (!real)
		return errno == ENOMEM ? -ENOMEM : 0;
	/* The driver root is the host's, but a link that leaves it is not a
	 * driver file under it. */
	if (!streq(s->d->root, "/") &&
	    (!startswith(real, s->d->root) || real[strlen(s->d->root)] != '/'))
		return 0;
	const char *base = strrchr(real, '/') + 1;
	const char *suffix = lib_suffix(base, s->name->name);
	if (!suffix)
		return 0;
	if (!(s->name->flags & LIB_UNVERSIONED) && !streq(suffix, s->d->version)) {
		if (looks_like_driver_version(suffix) && !s->other[0]) {
			snprintf(s->other, sizeof(s->other), "%s", suffix);
			s->other_path = steal_pointer(&real);
		}
		return 0;
	}
	unsigned char cls;
	unsigned machine;
	_cleanup_free_ char *soname = NULL;
	int r = elf_soname(real, &cls, &machine, &soname);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || cls != s->arch->elf_class || machine != s->arch->elf_machine)
		return 0;
	for (size_t i = 0; i < s->d->n_libs; i++)
		if (streq(s->d->libs[i].pub.path, real)) {
			s->found = true;
			return 0;
		}
	if (!soname && !(soname = strdup(base)))
		return -ENOMEM;
	void *p = s->d->libs;
	if (grow_array(&p, &s->d->a_libs, s->d->n_libs + 1, sizeof(*s->d->libs)) < 0)
		return -ENOMEM;
	s->d->libs = p;
	s->d->libs[s->d->n_libs++] = (struct lib){
	    .pub = {.path = steal_pointer(&real), .soname = steal_pointer(&soname),
		    .arch = s->arch->name},
	    .arch = s->arch,
	};
	s->found = true;
	return 0;
}

/* Which library a file or SONAME names, or NULL. */
static struct search *search_for(struct search *v, size_t n, const char *base)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].name && lib_suffix(base, v[i].name->name))
			return &v[i];
	return NULL;
}

/* Per architecture: the cache's entries, then each library directory read
 * once (a host's /usr/lib/x86_64-linux-gnu has thousands of files). */
static int find_libs_arch(struct pt_nvidia_driver *d, unsigned caps, const struct ldcache *cache,
			  const struct arch *arch)
{
	struct search v[ELEMENTSOF(lib_names)] = {0};
	const size_t n = ELEMENTSOF(lib_names);
	int r = 0;
	for (size_t l = 0; l < n; l++)
		if (lib_names[l].caps & caps)
			v[l] = (struct search){.d = d, .name = &lib_names[l], .arch = arch};
	for (size_t i = 0; cache && i < cache->n && r == 0; i++) {
		const struct ldcache_entry *e = &cache->entries[i];
		struct search *s;
		if (ldcache_entry_arch(e) != arch->cache_arch || e->value[0] != '/' ||
		    !(s = search_for(v, n, e->key)))
			continue;
		_cleanup_free_ char *p = in_root(d->root, e->value);
		r = p ? consider(s, p) : -ENOMEM;
	}
	for (size_t i = 0; i < ELEMENTSOF(arch->lib_dirs) && arch->lib_dirs[i] && r == 0; i++) {
		_cleanup_free_ char *dir = in_root(d->root, arch->lib_dirs[i]);
		if (!dir)
			return -ENOMEM;
		DIR *dd = opendir(dir);
		if (!dd)
			continue;
		struct dirent *de;
		while (r == 0 && (de = readdir(dd))) {
			struct search *s = search_for(v, n, de->d_name);
			if (!s)
				continue;
			char *p = NULL;
			r = asprintf(&p, "%s/%s", dir, de->d_name) < 0 ? -ENOMEM : consider(s, p);
			free(p);
		}
		closedir(dd);
	}
	for (size_t l = 0; l < n && r == 0; l++) {
		const struct search *s = &v[l];
		if (!s->name || s->found)
			continue;
		if (s->other[0])
			r = warnings_add(&d->warnings, "nvidia-version-mismatch",
				 "%s (%s): found version %s (%s), but the kernel module is %s",
				 s->name->name, arch->name, s->other, s->other_path, d->version);
		else if ((s->name->flags & LIB_EXPECTED) && arch->elf_class == ELFCLASS64)
			r = warnings_add(&d->warnings, "nvidia-file-missing", "%s.%s (%s) is missing under %s",
				 s->name->name, d->version, arch->name, d->root);
	}
	for (size_t l = 0; l < n; l++)
		free(v[l].other_path);
	return r;
}

static int cmp_lib(const void *a, const void *b)
{
	const struct lib *x = a, *y = b;
	if (x->arch != y->arch)
		return x->arch < y->arch ? -1 : 1;
	return strcmp(x->pub.soname, y->pub.soname);
}

static int find_libs(struct pt_nvidia_driver *d, unsigned caps, const struct ldcache *cache)
{
	for (size_t a = 0; a < ELEMENTSOF(arches); a++) {
		int r = find_libs_arch(d, caps, cache, &arches[a]);
		if (r < 0)
			return r;
	}
	/* Discovery order is the file system's: sort for a stable report. */
	if (d->n_libs > 1)
		qsort(d->libs, d->n_libs, sizeof(*d->libs), cmp_lib);
	return 0;
}

static int add_file(struct pt_nvidia_driver *d, const char *path, const char *share_dir,
		    const char *target, bool firmware)
{
	for (size_t i = 0; i < d->n_files; i++)
		if (streq(d->files[i].path, path))
			return 0;
	void *p = d->files;
	if (grow_array(&p, &d->a_files, d->n_files + 1, sizeof(*d->files)) < 0)
		return -ENOMEM;
	d->files = p;
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	d->files[d->n_files++] = (struct file){copy, share_dir, target, firmware};
	return 0;
}

static bool is_file(const char *path, bool socket)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	return socket ? S_ISSOCK(st.st_mode) : S_ISREG(st.st_mode);
}

/* The files of config_names[c] in one host directory; *found when one was. */
static int find_configs_in(struct pt_nvidia_driver *d, size_t c, const char *dir, bool *found)
{
	DIR *dd = opendir(dir);
	if (!dd)
		return 0;
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(dd))) {
		const char *n = de->d_name;
		bool want = config_names[c].name ? streq(n, config_names[c].name)
						 : strstr(n, "nvidia") && strlen(n) > 5 &&
						       streq(n + strlen(n) - 5, ".json");
		if (!want)
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", dir, n) < 0)
			r = -ENOMEM;
		else if (is_file(p, false)) {
			*found = true;
			r = add_file(d, p, config_names[c].share_dir, NULL, false);
		}
		free(p);
	}
	closedir(dd);
	return r;
}

/* Loader configs: the first host directory that has them wins. */
static int find_configs(struct pt_nvidia_driver *d, unsigned caps)
{
	for (size_t c = 0; c < ELEMENTSOF(config_names); c++) {
		if (!(config_names[c].caps & caps))
			continue;
		bool found = false;
		for (size_t h = 0; h < 2 && config_names[c].host_dirs[h] && !found; h++) {
			_cleanup_free_ char *dir = in_root(d->root, config_names[c].host_dirs[h]);
			if (!dir)
				return -ENOMEM;
			int r = find_configs_in(d, c, dir, &found);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Each tool from the first bin directory that has it. */
static int find_programs(struct pt_nvidia_driver *d, unsigned caps)
{
	for (size_t b = 0; b < ELEMENTSOF(bin_names); b++) {
		if (!(bin_names[b].caps & caps))
			continue;
		for (size_t i = 0; i < ELEMENTSOF(bin_dirs); i++) {
			_cleanup_free_ char *p = NULL;
			if (asprintf(&p, "%s%s/%s", streq(d->root, "/") ? "" : d->root, bin_dirs[i],
				     bin_names[b].name) < 0)
				return -ENOMEM;
			if (!is_file(p, false))
				continue;
			int r = add_file(d, p, NULL, bin_names[b].name, false);
			if (r < 0)
				return r;
			break;
		}
	}
	return 0;
}

static int find_firmware(struct pt_nvidia_driver *d)
{
	/* GSP firmware: listed (the probe shows it), never bound: the kernel
	 * loads firmware from the initial mount namespace's files
	 * (kernel_read_file_from_path_initns), a container never reads it. */
	static const char *const fw_dirs[] = {"/lib/firmware/nvidia", "/usr/lib/firmware/nvidia"};
	for (size_t i = 0; i < ELEMENTSOF(fw_dirs); i++) {
		_cleanup_free_ char *dir = NULL;
		if (asprintf(&dir, "%s%s/%s", streq(d->root, "/") ? "" : d->root, fw_dirs[i],
			     d->version) < 0)
			return -ENOMEM;
		DIR *dd = opendir(dir);
		if (!dd)
			continue;
		struct dirent *de;
		int r = 0;
		while (r == 0 && (de = readdir(dd))) {
			if (!startswith(de->d_name, "gsp") || strlen(de->d_name) < 4 ||
			    !streq(de->d_name + strlen(de->d_name) - 4, ".bin"))
				continue;
			char *p = NULL;
			if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
				r = -ENOMEM;
			else if (is_file(p, false))
				r = add_file(d, p, NULL, NULL, true);
			free(p);
		}
		closedir(dd);
		if (r < 0)
			return r;
	}
	return 0;
}

static int find_files(struct pt_nvidia_driver *d, unsigned caps)
{
	int r;
	if ((r = find_configs(d, caps)) < 0 || (r = find_programs(d, caps)) < 0 ||
	    (r = find_firmware(d)) < 0)
		return r;
	_cleanup_free_ char *sock = in_root(d->root, "/run/nvidia-persistenced/socket");
	if (!sock)
		return -ENOMEM;
	if ((caps & PT_NVIDIA_CAP_UTILITY) && is_file(sock, true) &&
	    (r = add_file(d, sock, NULL, "/run/nvidia-persistenced/socket", false)) < 0)
		return r;
	return 0;
}

/* The version asked for, or else the loaded kernel module's. */
static int choose_version(struct pt_nvidia_driver *d, const struct pt_nvidia_driver_opts *opts,
			  struct pt_error *err)
{
	if (!opts || !opts->version)
		return pt_nvidia_driver_module_version(&d->version, err);
	if (!(d->version = strdup(opts->version)))
		return pt_error_set(err, ENOMEM, "NVIDIA driver");
	if (!looks_like_driver_version(d->version) || strlen(d->version) > 32)
		return pt_error_setx(err, EINVAL,
				     "NVIDIA driver version '%s' is not a version (e.g. 550.54.14)",
				     opts->version);
	return 0;
}

/* The driver's libraries (through the root's ld.so.cache at cache_path,
 * where it can be read) and its other files. */
static int find_driver(struct pt_nvidia_driver *d, unsigned caps, const char *cache_path,
		       struct pt_error *err)
{
	struct ldcache *cache = NULL;
	struct pt_error cerr = {0};
	int r = ldcache_read(cache_path, &cache, &cerr);
	if (r == -ENOMEM)
		return pt_error_set(err, ENOMEM, "NVIDIA driver");
	/* Without a usable cache the directories are still searched. */
	if (r < 0 && r != -ENOENT &&
	    warnings_add(&d->warnings, "nvidia-ldcache-unreadable",
			 "%s: the driver's libraries are searched in "
			 "the library directories only",
			 cerr.message) < 0)
		return pt_error_set(err, ENOMEM, "NVIDIA driver");
	r = find_libs(d, caps, cache);
	ldcache_free(cache);
	if (r == 0)
		r = find_files(d, caps);
	if (r < 0)
		return pt_error_set(err, -r, "NVIDIA driver");
	return 0;
}

/* The EGL platform libraries carry their own version: alone they are
 * no driver of this version. */
static int check_versioned(const struct pt_nvidia_driver *d, bool asked, const char *cache_path,
			   struct pt_error *err)
{
	size_t versioned = 0;
	for (size_t i = 0; i < d->n_libs; i++)
		versioned += strstr(base_name(d->libs[i].pub.path), d->version) != NULL;
	if (versioned > 0)
		return 0;
	const char *other = NULL;
	for (size_t i = 0; i < d->warnings.n && !other; i++)
		if (streq(d->warnings.v[i].code, "nvidia-version-mismatch"))
			other = d->warnings.v[i].message;
	return pt_error_setx(err, ENOENT,
			     "no NVIDIA driver library of version %s (%s) under "
			     "%s (looked in %s and the library directories)%s%s",
			     d->version, asked ? "as asked" : "the kernel module's", d->root,
			     cache_path, other ? "; " : "", other ? other : "");
}

int pt_nvidia_driver_probe(const struct pt_nvidia_driver_opts *opts,
			   struct pt_nvidia_driver **ret, struct pt_error *err)
{
	const char *root = opts && opts->root && *opts->root ? opts->root : "/";
	unsigned caps = opts ? opts->caps : PT_NVIDIA_CAP_ALL;
	_cleanup_free_ char *cache_path = NULL;
	struct pt_nvidia_driver *d = calloc(1, sizeof(*d));
	if (!d)
		return pt_error_set(err, ENOMEM, "NVIDIA driver");
	int r = choose_version(d, opts, err);
	if (r < 0)
		goto fail;
	/* realpath: candidates are compared against it after their links are
	 * resolved. */
	if (!(d->root = realpath(root, NULL))) {
		r = pt_error_set(err, errno, "NVIDIA driver root %s", root);
		goto fail;
	}
	if (!(cache_path = in_root(d->root, "/etc/ld.so.cache"))) {
		r = pt_error_set(err, ENOMEM, "NVIDIA driver");
		goto fail;
	}
	if ((r = find_driver(d, caps, cache_path, err)) < 0 ||
	    (r = check_versioned(d, opts && opts->version, cache_path, err)) < 0)
		goto fail;
	*ret = d;
	return 0;
fail:
	pt_nvidia_driver_free(d);
	return r;
}

const char *pt_nvidia_driver_version(const struct pt_nvidia_driver *d)
{
	return d ? d->version : NULL;
}

size_t pt_nvidia_driver_library_count(const struct pt_nvidia_driver *d)
{
	return d ? d->n_libs : 0;
}

const struct pt_nvidia_library *pt_nvidia_driver_library(const struct pt_nvidia_driver *d,
							 size_t i)
{
	return d && i < d->n_libs ? &d->libs[i].pub : NULL;
}

size_t pt_nvidia_driver_file_count(const struct pt_nvidia_driver *d)
{
	return d ? d->n_files : 0;
}

const char *pt_nvidia_driver_file(const struct pt_nvidia_driver *d, size_t i)
{
	return d && i < d->n_files ? d->files[i].path : NULL;
}

size_t pt_nvidia_driver_warning_count(const struct pt_nvidia_driver *d)
{
	return d ? d->warnings.n : 0;
}

const struct pt_warning *pt_nvidia_driver_warning(const struct pt_nvidia_driver *d, size_t i)
{
	return d ? warnings_get(&d->warnings, i) : NULL;
}

/* ---- into the plan ------------------------------------------------------ */

/* The container path of a host library. */
static char *lib_target(const struct lib *l)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s", l->arch->dir, base_name(l->pub.path)) < 0)
		return NULL;
	return s;
}

/* A config naming its library by an absolute host path gets the
 * library's place in the container instead; a bare SONAME (what NVIDIA
 * ships: "libGLX_nvidia.so.0") stays, since our ld.so.cache resolves it
 * for either architecture. */
static char *rewrite_config(const struct pt_nvidia_driver *d, const char *text)
{
	struct strbuf b = {0};
	const char *p = text;
	for (;;) {
		const char *q = strchr(p, '/');
		if (!q)
			break;
		/* An absolute path in a JSON string or alone on a .icd line. */
		bool starts = q == text || q[-1] == '"' || q[-1] == '\n';
		size_t n = strcspn(q, "\"\n");
		const char *base = q;
		for (const char *s = q; s < q + n; s++)
			if (*s == '/')
				base = s + 1;
		const struct lib *hit = NULL;
		for (size_t i = 0; starts && i < d->n_libs && !hit; i++) {
			const struct lib *l = &d->libs[i];
			if (l->arch != &arches[0])
				continue;
			size_t bl = (size_t)(q + n - base);
			if ((strlen(l->pub.soname) == bl && strncmp(l->pub.soname, base, bl) == 0) ||
			    (strlen(base_name(l->pub.path)) == bl &&
			     strncmp(base_name(l->pub.path), base, bl) == 0))
				hit = l;
		}
		strbuf_append(&b, p, (size_t)(q - p));
		if (hit) {
			char *t = lib_target(hit);
			if (!t) {
				b.failed = true;
				break;
			}
			strbuf_puts(&b, t);
			free(t);
		} else {
			strbuf_append(&b, q, n);
		}
		p = q + n;
	}
	strbuf_puts(&b, p);
	return strbuf_steal(&b);
}

static int key_is_ours(const struct pt_nvidia_driver *d, const struct ldcache_entry *e)
{
	for (size_t i = 0; i < d->n_libs; i++)
		if (ldcache_entry_arch(e) == d->libs[i].arch->cache_arch &&
		    streq(e->key, d->libs[i].pub.soname))
			return true;
	return false;
}

/* Sets name to "first:REST", REST being the plan's value or dflt. */
static int prepend_env(struct pt_plan *plan, const char *name, const char *first,
		       const char *dflt, struct pt_error *err)
{
	const char *old = pt_plan_get_env(plan, name);
	if (!old)
		old = dflt;
	_cleanup_free_ char *v = NULL;
	if (old && strstr(old, first))
		return 0;
	if (asprintf(&v, "%s%s%s", first, old ? ":" : "", old ? old : "") < 0)
		return pt_error_set(err, ENOMEM, "%s", name);
	return pt_plan_set_env(plan, name, v, err);
}

/* Why a generated ld.so.cache: a program finds libcuda.so.1 through the
 * container's dynamic loader, which reads /etc/ld.so.cache before its
 * default directories and does not need LD_LIBRARY_PATH (that a launcher,
 * sudo or a setuid program drops). Running ldconfig in the container (as
 * NVIDIA's toolkit does) writes into the root and runs the container's own
 * binary as root; binding an ld.so.conf snippet needs that ldconfig run
 * too. A cache built here from the container's own one, with its entries
 * for our SONAMEs replaced, changes nothing on disk and wins over any
 * other NVIDIA libraries installed in the root, as Flatpak does for its
 * extensions. */
static int make_cache(const struct pt_nvidia_driver *d, struct pt_plan *plan,
		      struct pt_error *err)
{
	const char *root = pt_plan_get_root(plan);
	_cleanup_close_ int rootfd = open(root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return pt_error_set(err, errno, "open %s", root ? root : "/");
	struct ldcache *theirs = NULL;
	int r = ldcache_read_in_root(rootfd, "/etc/ld.so.cache", &theirs, err);
	if (r < 0 && r != -ENOENT)
		return pt_error_prefix(err, "the container's ld.so.cache");
	size_t n_theirs = theirs ? theirs->n : 0;
	_cleanup_free_ struct ldcache_entry *v = calloc(n_theirs + d->n_libs + 1, sizeof(*v));
	_cleanup_strv_ char **values = calloc(d->n_libs + 1, sizeof(char *));
	if (!v || !values) {
		ldcache_free(theirs);
		return pt_error_set(err, ENOMEM, "ld.so.cache");
	}
	size_t n = 0;
	for (size_t i = 0; i < n_theirs; i++) {
		const struct ldcache_entry *e = &theirs->entries[i];
		/* glibc-hwcaps entries index the old file's extension, which a
		 * rebuilt cache does not carry; ld.so still finds those
		 * libraries in its default directories' hwcaps subdirectories. */
		if (key_is_ours(d, e) || (e->hwcap & LDCACHE_HWCAP_EXTENSION))
			continue;
		v[n++] = *e;
	}
	for (size_t i = 0; i < d->n_libs; i++) {
		const struct lib *l = &d->libs[i];
		if (!(values[i] = lib_target(l))) {
			ldcache_free(theirs);
			return pt_error_set(err, ENOMEM, "ld.so.cache");
		}
		v[n++] = (struct ldcache_entry){
		    .flags = LDCACHE_FLAG_ELF_LIBC6 | l->arch->cache_arch,
		    .key = l->pub.soname,
		    .value = values[i],
		};
	}
	_cleanup_free_ char *data = NULL;
	size_t size = 0;
	r = ldcache_build(v, n, &data, &size, err);
	ldcache_free(theirs);
	if (r < 0)
		return r;
	return pt_plan_add_file(plan, "/etc/ld.so.cache", data, size, 0644, err);
}

int pt_nvidia_driver_add_to_plan(const struct pt_nvidia_driver *d, struct pt_plan *plan,
				 struct pt_error *err)
{
	int r;
	for (size_t i = 0; i < d->n_libs; i++) {
		_cleanup_free_ char *t = lib_target(&d->libs[i]);
		if (!t)
			return pt_error_set(err, ENOMEM, "NVIDIA driver");
		if ((r = pt_plan_add_bind(plan, d->libs[i].pub.path, t, PT_BIND_RO, err)) < 0)
			return pt_error_prefix(err, "NVIDIA driver");
	}
	bool bins = false, configs = false, egl_vendor = false, egl_platform = false, ocl = false;
	for (size_t i = 0; i < d->n_files; i++) {
		const struct file *f = &d->files[i];
		if (f->firmware)
			continue;
		if (f->target) {
			_cleanup_free_ char *t = NULL;
			bool sock = startswith(f->target, "/run/");
			if (!sock && asprintf(&t, NV_DIR "/bin/%s", f->target) < 0)
				return pt_error_set(err, ENOMEM, "NVIDIA driver");
			/* Read-only, sockets too: connect() does not write the
			 * mount, and container root could chmod the host's socket
			 * on a writable one. */
			if ((r = pt_plan_add_bind(plan, f->path, sock ? f->target : t, PT_BIND_RO,
						  err)) < 0)
				return pt_error_prefix(err, "NVIDIA driver");
			bins |= !sock;
			continue;
		}
		_cleanup_free_ char *text = NULL, *out = NULL, *t = NULL;
		r = read_file_max(f->path, CONFIG_MAX, &text, NULL);
		if (r < 0)
			return pt_error_set(err, -r, "NVIDIA driver: read %s", f->path);
		if (!(out = rewrite_config(d, text)) ||
		    asprintf(&t, NV_SHARE "/%s/%s", f->share_dir, base_name(f->path)) < 0)
			return pt_error_set(err, ENOMEM, "NVIDIA driver");
		if ((r = pt_plan_add_file(plan, t, out, strlen(out), 0644, err)) < 0)
			return pt_error_prefix(err, "NVIDIA driver");
		configs |= startswith(f->share_dir, "vulkan/");
		egl_vendor |= startswith(f->share_dir, "glvnd/");
		egl_platform |= startswith(f->share_dir, "egl/");
		ocl |= startswith(f->share_dir, "OpenCL/");
	}
	/* The loaders are pointed at NV_SHARE by their documented variables
	 * rather than by files at their default paths: a file bound at
	 * /usr/share/vulkan/icd.d would need a mount point created in the
	 * root. The GLVND and EGL variables replace the default list, so the
	 * defaults follow ours. */
	if ((configs &&
	     (r = prepend_env(plan, "XDG_DATA_DIRS", NV_SHARE, "/usr/local/share:/usr/share", err)) <
		 0) ||
	    (egl_vendor && (r = prepend_env(plan, "__EGL_VENDOR_LIBRARY_DIRS",
					    NV_SHARE "/glvnd/egl_vendor.d",
					    "/etc/glvnd/egl_vendor.d:/usr/share/glvnd/egl_vendor.d",
					    err)) < 0) ||
	    (egl_platform &&
	     (r = prepend_env(plan, "__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS",
			      NV_SHARE "/egl/egl_external_platform.d",
			      "/etc/egl/egl_external_platform.d:/usr/share/egl/egl_external_platform.d",
			      err)) < 0) ||
	    (ocl && !pt_plan_get_env(plan, "OCL_ICD_VENDORS") &&
	     (r = pt_plan_set_env(plan, "OCL_ICD_VENDORS", NV_SHARE "/OpenCL/vendors", err)) < 0) ||
	    (bins && (r = prepend_env(plan, "PATH", NV_DIR "/bin", DEFAULT_PATH, err)) < 0))
		return pt_error_prefix(err, "NVIDIA driver");
	if ((r = make_cache(d, plan, err)) < 0)
		return pt_error_prefix(err, "NVIDIA driver");
	return 0;
}
