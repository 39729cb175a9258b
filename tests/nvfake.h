/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake NVIDIA userspace driver, built at test time: small shared
 * libraries with the real names and SONAMEs, each exporting
 * nvfake_version() that returns the version it was built as; decoys of
 * another version; the loader JSONs, a tool and GSP firmware; and an
 * /etc/ld.so.cache made by the real ldconfig. */
#pragma once

#include <stdbool.h>

#define NVFAKE_VERSION "550.54.14"
#define NVFAKE_DECOY "535.104.05"

/* Whether 32-bit libraries can be built here (gcc -m32 links). */
bool nvfake_have_m32(void);

/* Builds a shared library at path with SONAME soname whose
 * nvfake_version() returns version; m32: a 32-bit one. Aborts the test on
 * failure. */
void nvfake_lib(const char *path, const char *soname, const char *version, bool m32);

/* Builds the driver tree under dir/driver (returned, caller frees): the
 * NVFAKE_VERSION libraries (64-bit, and 32-bit when m32), decoys of
 * NVFAKE_DECOY, configs, nvidia-smi, firmware, and its ld.so.cache made by
 * `ldconfig -r`. Needs root (ldconfig -r chroots). */
char *nvfake_driver(const char *dir, bool m32);

/* Builds a program at path that dlopen()s each SONAME given as argument
 * and prints "SONAME=VERSION" (or "SONAME=error: ...") per line. */
void nvfake_checker(const char *path, bool m32);
