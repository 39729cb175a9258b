/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* glibc's ld.so.cache, read and written. Layout (glibc sysdeps/generic/
 * dl-cache.h, all fields in host byte order):
 *
 *   header (48 bytes): magic "glibc-ld.so.cache" (17), version "1.1" (3),
 *     u32 nlibs, u32 len_strings, u8 flags (endianness), u8 pad[3],
 *     u32 extension_offset, u32 unused[3]
 *   nlibs entries (24 bytes): i32 flags, u32 key, u32 value, u32 osversion,
 *     u64 hwcap
 *   len_strings bytes of NUL-terminated strings
 *   optional extensions (generator name, glibc-hwcaps subdirectories)
 *
 * key and value are offsets from the start of the new-format header, which
 * is the start of the file unless an old "ld.so-1.7.0" table comes first. */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "ldcache.h"
#include "mount.h"

#define MAGIC_NEW "glibc-ld.so.cache"
#define VERSION_NEW "1.1"
#define MAGIC_OLD "ld.so-1.7.0"
#define HEADER_SIZE 48
#define ENTRY_SIZE 24
#define OLD_HEADER_SIZE 16 /* magic (11), pad, u32 nlibs */
#define OLD_ENTRY_SIZE 12
/* Header flags: the endianness ldconfig wrote (dl-cache.h
 * cache_file_new_flags_endian_*). 0 is "unset", from ldconfig before 2.33. */
#define ENDIAN_MASK 3
#define ENDIAN_UNSET 0
#define ENDIAN_LITTLE 2
#define ENDIAN_BIG 3

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_u32(unsigned char *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static void put_u64(unsigned char *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

void ldcache_free(struct ldcache *c)
{
	if (!c)
		return;
	free(c->entries);
	free(c->data);
	free(c);
}

/* A string at offset off (relative to base) that lies inside the string
 * table [strings, end) and ends with a NUL before end. */
static const char *string_at(const char *data, size_t base, size_t strings, size_t end,
			     uint32_t off)
{
	size_t abs = base + (size_t)off;
	if (abs < strings || abs >= end)
		return NULL;
	if (!memchr(data + abs, '\0', end - abs))
		return NULL;
	return data + abs;
}

/* Where the new-format header starts (*ret_base), after checking its magic,
 * version and byte order. */
static int find_header(const unsigned char *u, size_t size, const char *what, size_t *ret_base,
		       struct pt_error *err)
{
	size_t base = 0;
	if (size >= OLD_HEADER_SIZE && memcmp(u, MAGIC_OLD, strlen(MAGIC_OLD)) == 0) {
		/* The compat layout: the new table hides in the old one's string
		 * area, aligned to 8 (alignof the new header). */
		uint64_t nold = get_u32(u + 12);
		uint64_t after = OLD_HEADER_SIZE + nold * OLD_ENTRY_SIZE;
		after = (after + 7) & ~(uint64_t)7;
		if (after + HEADER_SIZE > size ||
		    memcmp(u + after, MAGIC_NEW, strlen(MAGIC_NEW)) != 0)
			return pt_error_setx(err, EBADMSG,
					     "%s: old-format ld.so.cache (\"" MAGIC_OLD
					     "\") without the new table: not supported",
					     what);
		base = (size_t)after;
	}
	if (size - base < HEADER_SIZE)
		return pt_error_setx(err, EBADMSG, "%s: truncated ld.so.cache (%zu bytes)", what,
				     size);
	const unsigned char *h = u + base;
	if (memcmp(h, MAGIC_NEW, strlen(MAGIC_NEW)) != 0)
		return pt_error_setx(err, EBADMSG, "%s: not an ld.so.cache (wrong magic)", what);
	if (memcmp(h + strlen(MAGIC_NEW), VERSION_NEW, strlen(VERSION_NEW)) != 0)
		return pt_error_setx(err, EBADMSG, "%s: ld.so.cache version %.3s (known: 1.1)",
				     what, (const char *)h + strlen(MAGIC_NEW));
	unsigned endian = h[28] & ENDIAN_MASK;
	unsigned mine = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ENDIAN_LITTLE : ENDIAN_BIG;
	if (endian != ENDIAN_UNSET && endian != mine)
		return pt_error_setx(err, EBADMSG, "%s: ld.so.cache of another byte order", what);
	*ret_base = base;
	return 0;
}

/* The nlibs entries after the header at base, their strings checked to lie
 * in [strings, end) of data. */
static int read_entries(const char *data, size_t base, size_t nlibs, size_t strings, size_t end,
			struct ldcache_entry *entries, const char *what, struct pt_error *err)
{
	for (size_t i = 0; i < nlibs; i++) {
		const unsigned char *e =
		    (const unsigned char *)data + base + HEADER_SIZE + i * ENTRY_SIZE;
		struct ldcache_entry *x = &entries[i];
		x->flags = (int32_t)get_u32(e);
		x->key = string_at(data, base, strings, end, get_u32(e + 4));
		x->value = string_at(data, base, strings, end, get_u32(e + 8));
		x->osversion = get_u32(e + 12);
		x->hwcap = get_u64(e + 16);
		if (!x->key || !x->value)
			return pt_error_setx(err, EBADMSG,
					     "%s: ld.so.cache entry %zu: %s offset %u outside the "
					     "string table or without its NUL",
					     what, i, x->key ? "value" : "key",
					     get_u32(e + (x->key ? 8 : 4)));
	}
	return 0;
}

int ldcache_parse(const void *image, size_t size, const char *what, struct ldcache **ret,
		  struct pt_error *err)
{
	const unsigned char *u = image;
	size_t base = 0;
	int r = find_header(u, size, what, &base, err);
	if (r < 0)
		return r;
	const unsigned char *h = u + base;
	uint64_t nlibs = get_u32(h + 20), len_strings = get_u32(h + 24);
	uint64_t strings = (uint64_t)base + HEADER_SIZE + nlibs * ENTRY_SIZE;
	if (strings > size)
		return pt_error_setx(err, EBADMSG,
				     "%s: truncated ld.so.cache (%" PRIu64 " entries need %" PRIu64
				     " bytes, the file has %zu)",
				     what, nlibs, strings, size);
	/* ldconfig's strings run to the extensions or the end of the file;
	 * len_strings is what it says, but ld.so itself only checks offsets
	 * against the file size. We keep to the smaller of the two. */
	uint64_t end = strings + len_strings;
	if (end > size)
		end = size;

	_cleanup_free_ char *data = malloc(size ? size : 1);
	_cleanup_free_ struct ldcache_entry *entries =
	    calloc(nlibs ? (size_t)nlibs : 1, sizeof(*entries));
	struct ldcache *c = calloc(1, sizeof(*c));
	if (!data || !entries || !c) {
		free(c);
		return pt_error_set(err, ENOMEM, "%s", what);
	}
	memcpy(data, image, size);
	r = read_entries(data, base, (size_t)nlibs, (size_t)strings, (size_t)end, entries, what,
			 err);
	if (r < 0) {
		free(c);
		return r;
	}
	c->entries = steal_pointer(&entries);
	c->n = (size_t)nlibs;
	c->data = steal_pointer(&data);
	c->size = size;
	*ret = c;
	return 0;
}

int ldcache_read_in_root(int rootfd, const char *path, struct ldcache **ret,
			 struct pt_error *err)
{
	/* O_NONBLOCK: opening a FIFO the container put there must not wait for
	 * a writer; the fstat below refuses it before any read. */
	_cleanup_close_ int fd = root_open(rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return pt_error_set(err, errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return pt_error_set(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return pt_error_setx(err, EBADMSG, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > LDCACHE_MAX_SIZE)
		return pt_error_setx(err, EFBIG, "%s: %lld bytes: too large for an ld.so.cache",
				     path, (long long)st.st_size);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_fd_max(fd, LDCACHE_MAX_SIZE, &buf, &len);
	if (r < 0)
		return pt_error_set(err, -r, "read %s", path);
	return ldcache_parse(buf, len, path, ret, err);
}

int ldcache_read(const char *path, struct ldcache **ret, struct pt_error *err)
{
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return pt_error_set(err, errno, "open /");
	return ldcache_read_in_root(rootfd, path, ret, err);
}

int ldcache_entry_arch(const struct ldcache_entry *e)
{
	if ((e->flags & LDCACHE_FLAG_TYPE_MASK) != LDCACHE_FLAG_ELF_LIBC6 &&
	    (e->flags & LDCACHE_FLAG_TYPE_MASK) != LDCACHE_FLAG_ELF)
		return -1;
	return e->flags & LDCACHE_ARCH_MASK;
}

int ldcache_libcmp(const char *p1, const char *p2)
{
	/* glibc elf/dl-cache.c _dl_cache_libcmp, the order ld.so's binary
	 * search relies on. Numbers are compared by value. */
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			if (*p2 >= '0' && *p2 <= '9') {
				int v1 = *p1++ - '0', v2 = *p2++ - '0';
				while (*p1 >= '0' && *p1 <= '9')
					v1 = v1 * 10 + *p1++ - '0';
				while (*p2 >= '0' && *p2 <= '9')
					v2 = v2 * 10 + *p2++ - '0';
				if (v1 != v2)
					return v1 - v2;
			} else {
				return 1;
			}
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return *p1 - *p2;
		} else {
			p1++;
			p2++;
		}
	}
	return *p1 - *p2;
}

/* ldconfig's compare() (elf/cache.c): names in DESCENDING libcmp order
 * (ld.so's search moves left when the name compares greater), then the
 * higher flags first, then the more specific hwcap, then osversion. */
static int entry_cmp(const void *a, const void *b)
{
	const struct ldcache_entry *e1 = a, *e2 = b;
	int r = ldcache_libcmp(e2->key, e1->key);
	if (r != 0)
		return r;
	if (e1->flags != e2->flags)
		return e1->flags < e2->flags ? 1 : -1;
	int b1 = __builtin_popcountll(e1->hwcap), b2 = __builtin_popcountll(e2->hwcap);
	if (b1 != b2)
		return b2 > b1 ? 1 : -1;
	if (e1->hwcap != e2->hwcap)
		return e2->hwcap > e1->hwcap ? 1 : -1;
	if (e1->osversion != e2->osversion)
		return e2->osversion > e1->osversion ? 1 : -1;
	return 0;
}

int ldcache_build(const struct ldcache_entry *entries, size_t n, char **ret_data,
		  size_t *ret_size, struct pt_error *err)
{
	if (n > (UINT32_MAX - HEADER_SIZE) / ENTRY_SIZE)
		return pt_error_setx(err, E2BIG, "ld.so.cache: %zu entries", n);
	_cleanup_free_ struct ldcache_entry *sorted = calloc(n ? n : 1, sizeof(*sorted));
	if (!sorted)
		return pt_error_set(err, ENOMEM, "ld.so.cache");
	uint64_t len_strings = 0;
	for (size_t i = 0; i < n; i++) {
		if (!entries[i].key || !entries[i].value || !entries[i].key[0])
			return pt_error_setx(err, EINVAL, "ld.so.cache: entry %zu without a name",
					     i);
		if (entries[i].hwcap & LDCACHE_HWCAP_EXTENSION)
			return pt_error_setx(err, EINVAL,
					     "ld.so.cache: entry %s is a glibc-hwcaps entry",
					     entries[i].key);
		sorted[i] = entries[i];
		len_strings += strlen(entries[i].key) + strlen(entries[i].value) + 2;
	}
	qsort(sorted, n, sizeof(*sorted), entry_cmp);

	uint64_t strings = HEADER_SIZE + (uint64_t)n * ENTRY_SIZE;
	uint64_t size = strings + len_strings;
	if (size > LDCACHE_MAX_SIZE)
		return pt_error_setx(err, E2BIG, "ld.so.cache: %" PRIu64 " bytes", size);
	unsigned char *d = calloc(1, (size_t)size);
	if (!d)
		return pt_error_set(err, ENOMEM, "ld.so.cache");
	memcpy(d, MAGIC_NEW, strlen(MAGIC_NEW));
	memcpy(d + strlen(MAGIC_NEW), VERSION_NEW, strlen(VERSION_NEW));
	put_u32(d + 20, (uint32_t)n);
	put_u32(d + 24, (uint32_t)len_strings);
	d[28] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ENDIAN_LITTLE : ENDIAN_BIG;
	/* extension_offset 0: no extensions, which ld.so and ldconfig -p accept. */
	size_t pos = (size_t)strings;
	for (size_t i = 0; i < n; i++) {
		unsigned char *e = d + HEADER_SIZE + i * ENTRY_SIZE;
		size_t kl = strlen(sorted[i].key) + 1, vl = strlen(sorted[i].value) + 1;
		put_u32(e, (uint32_t)sorted[i].flags);
		put_u32(e + 4, (uint32_t)pos);
		memcpy(d + pos, sorted[i].key, kl);
		pos += kl;
		put_u32(e + 8, (uint32_t)pos);
		memcpy(d + pos, sorted[i].value, vl);
		pos += vl;
		put_u32(e + 12, sorted[i].osversion);
		put_u64(e + 16, sorted[i].hwcap);
	}
	*ret_data = (char *)d;
	*ret_size = (size_t)size;
	return 0;
}
