/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* glibc's /etc/ld.so.cache: a reader and a writer for the "new" format
 * (magic "glibc-ld.so.cache", version "1.1"), the only one glibc writes
 * since 2.32. The reader also finds that format behind the old
 * "ld.so-1.7.0" header (the compat layout of older ldconfig); a cache of
 * the old format alone is refused. Every offset is checked: the cache we
 * read may be a container's, which its owner controls. Never installed. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Entry flags, as glibc's dl-cache.h and ldconfig.h name them. */
#define LDCACHE_FLAG_ELF 0x0001       /* ELF, any libc */
#define LDCACHE_FLAG_ELF_LIBC6 0x0003 /* ELF, glibc: what ldconfig writes */
#define LDCACHE_FLAG_TYPE_MASK 0x00ff
#define LDCACHE_ARCH_MASK 0xff00
#define LDCACHE_ARCH_X86_64 0x0300 /* FLAG_X8664_LIB64 */
#define LDCACHE_ARCH_I386 0x0000   /* no arch bits: i386 (and other 32-bit) */
/* hwcap bit 62: the entry belongs to a glibc-hwcaps subdirectory named in
 * the cache's extension section. */
#define LDCACHE_HWCAP_EXTENSION (UINT64_C(1) << 62)

/* Caches are a few hundred KiB; anything far beyond is not one to trust. */
#define LDCACHE_MAX_SIZE (64u * 1024 * 1024)

struct ldcache_entry {
	int32_t flags;
	const char *key;   /* the name ld.so looks up: a SONAME */
	const char *value; /* the path it loads */
	uint32_t osversion;
	uint64_t hwcap;
};

struct ldcache {
	struct ldcache_entry *entries; /* in file order */
	size_t n;
	char *data; /* the whole file; key/value point into it */
	size_t size;
};

/* Parses a cache image (copied). -EBADMSG with a message naming what is
 * wrong (truncated, wrong magic, an offset outside the strings, a string
 * without its NUL); -ENOMEM. what names the file in messages. */
int ldcache_parse(const void *data, size_t size, const char *what, struct ldcache **ret,
		  struct pt_error *err);

/* Reads and parses path inside rootfd (resolved with RESOLVE_IN_ROOT; a
 * non-regular file or one above LDCACHE_MAX_SIZE is refused without being
 * read, so a FIFO cannot hang us). -ENOENT when it does not exist. */
int ldcache_read_in_root(int rootfd, const char *path, struct ldcache **ret,
			 struct pt_error *err);

/* Reads a cache at a host path. */
int ldcache_read(const char *path, struct ldcache **ret, struct pt_error *err);

void ldcache_free(struct ldcache *c);

/* The architecture an entry's flags name: LDCACHE_ARCH_* (its 0xff00
 * bits), or -1 when it is not an ELF glibc entry. */
int ldcache_entry_arch(const struct ldcache_entry *e);

/* glibc's _dl_cache_libcmp: digits compare as numbers, so libfoo.so.10
 * sorts after libfoo.so.9. */
int ldcache_libcmp(const char *a, const char *b);

/* Builds a cache image of the entries (in any order: they are sorted
 * here the way ldconfig sorts them, since ld.so binary-searches with
 * _dl_cache_libcmp). Entries with LDCACHE_HWCAP_EXTENSION are refused:
 * they index an extension this writer does not write. */
int ldcache_build(const struct ldcache_entry *entries, size_t n, char **ret_data,
		  size_t *ret_size, struct pt_error *err);
