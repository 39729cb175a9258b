/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What doctor.c (findings, user, devices, display, audio) and
 * doctor-libs.c (reading a container root: its libraries, NVIDIA userspace,
 * loader files) share. Never installed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "util.h"

/* Files the doctor reads inside a root (passwd, group, loader JSONs) are
 * kilobytes; a bigger one is broken or hostile, not read. */
#define DOCTOR_FILE_MAX (1u << 20)

/* A directory of a hostile root may hold millions of entries: past this
 * many the scan stops (and says so), it does not take seconds. */
#define DOCTOR_DIR_ENTRIES_MAX 20000

/* Reads ROOT/path: resolved inside the root, opened O_PATH first so that
 * only a regular file is ever opened for reading (a FIFO cannot block, a
 * device node is never opened), at most max bytes. 0, or -errno: -ENOENT
 * missing, -ENODATA not a regular file (*ret_mode says what it is), -EFBIG
 * too big. ret_mode may be NULL. */
int doctor_read_in_root(int rootfd, const char *path, size_t max, char **ret, mode_t *ret_mode);

/* The library directories of a root, 64- and 32-bit, in search order;
 * a root's /lib that links to /usr/lib is one directory. */
extern const char *const doctor_lib_dirs[];

/* Whether a regular file named soname is in one of the root's library
 * directories (symlinks followed inside the root). */
bool doctor_root_has_library(int rootfd, const char *soname);

/* The container's own NVIDIA userspace: the libraries its
 * /etc/ld.so.cache names (what ld.so and NVIDIA's tools load), or, for a
 * root without a cache, those a bounded scan of its library directories
 * finds. A library counts when the file it resolves to, inside the root,
 * is named like libcuda.so.VERSION or libnvidia-*.so.VERSION (NVIDIA's
 * tools keep a library only when its name ends in the driver's version);
 * 32- or 64-bit from the cache entry, or from the ELF header. */
#define DOCTOR_NV_VERSIONS 4
struct doctor_nv_version {
	char version[32]; /* "550.54.14" */
	unsigned files;
	char example[256]; /* one of them, a path inside the root */
};
struct doctor_nv_libs {
	struct doctor_nv_version v64[DOCTOR_NV_VERSIONS], v32[DOCTOR_NV_VERSIONS];
	size_t n64, n32;
	const char *source; /* "ld.so.cache" or "library directories" */
	bool truncated;     /* a directory had more than DOCTOR_DIR_ENTRIES_MAX entries */
};
int doctor_container_nvidia_libs(int rootfd, struct doctor_nv_libs *ret);

/* Whether name (a SONAME or a file name) is one of NVIDIA's libraries. */
bool doctor_is_nvidia_lib(const char *name);

/* Whether s looks like an NVIDIA driver version: digits and dots, at least
 * one dot ("550.54.14", "535.113.01"), not a soname's "1" or "0.0". */
bool doctor_is_driver_version(const char *s);

/* A loader file (Vulkan ICD, GLVND EGL vendor) that names a library. */
struct doctor_loader {
	const char *kind; /* "Vulkan ICD", "EGL vendor" */
	char path[512];   /* the JSON file, inside the root */
	char *library;    /* ICD.library_path, or NULL (see problem) */
	const char *problem; /* NULL: library exists; else why it is unusable */
};

/* Calls fn for every *.json in the root's loader directories (bounded),
 * with the library it names checked: absolute paths resolved in the root,
 * names with a '/' relative to the JSON's directory, bare names looked up
 * in the library directories. Returns -ENOMEM or 0. */
int doctor_for_each_loader(int rootfd, int (*fn)(const struct doctor_loader *l, void *data),
			   void *data);
