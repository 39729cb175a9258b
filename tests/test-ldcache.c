/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ld.so.cache reader and writer against caches the real ldconfig
 * writes, broken caches, and the real ldconfig reading ours back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ldcache.h"
#include "nvfake.h"
#include "testutil.h"

static char *tmp;
static bool m32;

static void setup(void)
{
	tmp = tu_tmpdir();
	m32 = nvfake_have_m32();
}

static void teardown(void)
{
	if (tmp)
		tu_rm_rf(tmp);
	free(tmp);
}

TestSuite(ldcache, .init = setup, .fini = teardown);

static char *tpath(const char *rel)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", tmp, rel) > 0);
	return p;
}

/* A cache made by the real ldconfig over one 64-bit and (where it can be
 * built) one 32-bit library in our own directories. */
static char *real_cache(void)
{
	char *l64 = tpath("l64/libfoo.so.1.2.3"), *l32 = tpath("l32/libfoo.so.1.2.3");
	char *conf = tpath("ld.so.conf"), *cache = tpath("ld.so.cache"), *c = NULL;
	tu_write(l64, "", 0644);
	nvfake_lib(l64, "libfoo.so.1", "64", false);
	if (m32) {
		tu_write(l32, "", 0644);
		nvfake_lib(l32, "libfoo.so.1", "32", true);
	}
	cr_assert(asprintf(&c, "%s/l64\n%s/l32\n", tmp, tmp) > 0);
	tu_write(conf, c, 0644);
	char *argv[] = {"ldconfig", "-C", cache, "-f", conf, NULL};
	char *err = NULL;
	cr_assert_eq(tu_run(argv, NULL, &err, 60), 0, "ldconfig: %s", err);
	free(err);
	free(l64), free(l32), free(conf), free(c);
	return cache;
}

static const struct ldcache_entry *find(const struct ldcache *c, const char *key, int arch)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].key, key) == 0 && ldcache_entry_arch(&c->entries[i]) == arch)
			return &c->entries[i];
	return NULL;
}

Test(ldcache, parses_a_real_cache_both_arches)
{
	char *cache = real_cache();
	struct ldcache *c = NULL;
	struct pt_error err = {0};
	cr_assert_eq(ldcache_read(cache, &c, &err), 0, "%s", err.message);
	cr_expect_gt(c->n, 10, "the host's libraries are in it too");
	const struct ldcache_entry *e = find(c, "libfoo.so.1", LDCACHE_ARCH_X86_64);
	cr_assert(e, "no x86-64 libfoo.so.1");
	char *want = tpath("l64/libfoo.so.1");
	cr_expect_str_eq(e->value, want);
	cr_expect_eq(e->flags, 0x0303);
	free(want);
	if (!m32) {
		ldcache_free(c);
		free(cache);
		cr_skip_test("gcc -m32 cannot link here: the i386 half is not checked "
			     "(install gcc-multilib)");
	}
	e = find(c, "libfoo.so.1", LDCACHE_ARCH_I386);
	cr_assert(e, "no i386 libfoo.so.1");
	want = tpath("l32/libfoo.so.1");
	cr_expect_str_eq(e->value, want);
	/* 0x0003 (libc6) or 0x0001 (ELF, no libc dependency): no arch bits. */
	cr_expect(e->flags == 0x0003 || e->flags == 0x0001, "flags %#x", (unsigned)e->flags);
	free(want);
	ldcache_free(c);
	free(cache);
}

static int parse_bytes(const char *data, size_t size, struct pt_error *err)
{
	struct ldcache *c = NULL;
	int r = ldcache_parse(data, size, "test", &c, err);
	ldcache_free(c);
	return r;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *d = malloc(*len);
	cr_assert_eq(fread(d, 1, *len, f), *len);
	fclose(f);
	return d;
}

Test(ldcache, broken_caches_are_refused)
{
	char *cache = real_cache();
	size_t len;
	char *d = slurp(cache, &len);
	struct pt_error err = {0};
	/* Every truncation that cuts a header, an entry or a string. */
	uint32_t nlibs;
	memcpy(&nlibs, d + 20, 4);
	size_t strings = 48 + (size_t)nlibs * 24;
	static const struct {
		size_t size;
		const char *msg;
	} cuts[] = {{0, "truncated"}, {10, "truncated"}, {47, "truncated"}, {100, "truncated"}};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		cr_expect_eq(parse_bytes(d, cuts[i].size, &err), -EBADMSG, "size %zu", cuts[i].size);
		cr_expect(strstr(err.message, cuts[i].msg), "%s", err.message);
	}
	uint32_t len_strings;
	memcpy(&len_strings, d + 24, 4);
	for (size_t n = strings; n < strings + len_strings; n += 97)
		cr_expect_eq(parse_bytes(d, n, &err), -EBADMSG, "cut at %zu of %zu", n, len);
	cr_expect_eq(parse_bytes(d, len, &err), 0, "%s", err.message);

	char *bad = malloc(len);
	memcpy(bad, d, len);
	bad[0] = 'X';
	cr_expect_eq(parse_bytes(bad, len, &err), -EBADMSG);
	cr_expect(strstr(err.message, "wrong magic"), "%s", err.message);

	memcpy(bad, d, len);
	memcpy(bad + 17, "1.2", 3);
	cr_expect_eq(parse_bytes(bad, len, &err), -EBADMSG);
	cr_expect(strstr(err.message, "version 1.2"), "%s", err.message);

	/* An entry pointing past the string table, and into the entries. */
	memcpy(bad, d, len);
	uint32_t off = (uint32_t)len + 5;
	memcpy(bad + 48 + 4, &off, 4);
	cr_expect_eq(parse_bytes(bad, len, &err), -EBADMSG);
	cr_expect(strstr(err.message, "entry 0: key offset"), "%s", err.message);
	memcpy(bad, d, len);
	off = 60;
	memcpy(bad + 48 + 8, &off, 4);
	cr_expect_eq(parse_bytes(bad, len, &err), -EBADMSG);
	cr_expect(strstr(err.message, "entry 0: value offset"), "%s", err.message);

	/* nlibs larger than the file. */
	memcpy(bad, d, len);
	uint32_t huge = 0x7fffffff;
	memcpy(bad + 20, &huge, 4);
	cr_expect_eq(parse_bytes(bad, len, &err), -EBADMSG);
	cr_expect(strstr(err.message, "entries need"), "%s", err.message);

	/* The last string loses its NUL. */
	memcpy(bad, d, len);
	memset(bad + strings, 'a', len - strings);
	cr_expect_eq(parse_bytes(bad, len, &err), -EBADMSG);
	cr_expect(strstr(err.message, "without its NUL"), "%s", err.message);

	/* Old format only. */
	char old[64] = "ld.so-1.7.0";
	cr_expect_eq(parse_bytes(old, sizeof(old), &err), -EBADMSG);
	cr_expect(strstr(err.message, "old-format"), "%s", err.message);
	free(bad);
	free(d);
	free(cache);
}

Test(ldcache, a_fifo_is_refused_without_hanging)
{
	char *fifo = tpath("fifo");
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	struct ldcache *c = NULL;
	struct pt_error err = {0};
	cr_expect_eq(ldcache_read(fifo, &c, &err), -EBADMSG);
	cr_expect(strstr(err.message, "not a regular file"), "%s", err.message);
	free(fifo);
}

Test(ldcache, writer_sorts_as_ldconfig_does)
{
	char *cache = real_cache();
	struct ldcache *c = NULL;
	struct pt_error err = {0};
	cr_assert_eq(ldcache_read(cache, &c, &err), 0, "%s", err.message);
	/* Shuffled, then rebuilt: the real ldconfig's order comes back. */
	struct ldcache_entry *v = calloc(c->n, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (!(c->entries[i].hwcap & LDCACHE_HWCAP_EXTENSION))
			v[n++] = c->entries[i];
	for (size_t i = 0; i + 1 < n; i += 2) {
		struct ldcache_entry t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	char *data = NULL;
	size_t size = 0;
	cr_assert_eq(ldcache_build(v, n, &data, &size, &err), 0, "%s", err.message);
	struct ldcache *back = NULL;
	cr_assert_eq(ldcache_parse(data, size, "built", &back, &err), 0, "%s", err.message);
	cr_assert_eq(back->n, n);
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->entries[i].hwcap & LDCACHE_HWCAP_EXTENSION)
			continue;
		cr_expect_str_eq(back->entries[j].key, c->entries[i].key, "entry %zu", j);
		cr_expect_str_eq(back->entries[j].value, c->entries[i].value, "entry %zu", j);
		cr_expect_eq(back->entries[j].flags, c->entries[i].flags, "entry %zu", j);
		j++;
	}
	ldcache_free(back);
	ldcache_free(c);
	free(v);
	free(data);
	free(cache);
}

Test(ldcache, real_ldconfig_reads_what_we_write)
{
	struct ldcache_entry v[] = {
	    {0x0303, "libcuda.so.1", "/run/passthru/nvidia/lib64/libcuda.so.550.54.14", 0, 0},
	    {0x0003, "libcuda.so.1", "/run/passthru/nvidia/lib32/libcuda.so.550.54.14", 0, 0},
	    {0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0, 0},
	    {0x0303, "libnvidia-ml.so.1", "/run/passthru/nvidia/lib64/libnvidia-ml.so.550.54.14",
	     0, 0},
	};
	char *data = NULL;
	size_t size = 0;
	struct pt_error err = {0};
	cr_assert_eq(ldcache_build(v, 4, &data, &size, &err), 0, "%s", err.message);
	char *path = tpath("ours.cache");
	FILE *f = fopen(path, "wb");
	cr_assert_eq(fwrite(data, 1, size, f), size);
	fclose(f);
	char *argv[] = {"ldconfig", "-p", "-C", path, NULL};
	char *out = NULL, *errs = NULL;
	cr_assert_eq(tu_run(argv, &out, &errs, 30), 0, "%s", errs);
	cr_expect(strstr(out, "4 libs found"), "%s", out);
	cr_expect(strstr(out, "libcuda.so.1 (libc6,x86-64) => "
			      "/run/passthru/nvidia/lib64/libcuda.so.550.54.14"),
		  "%s", out);
	cr_expect(strstr(out, "libcuda.so.1 (libc6) => "
			      "/run/passthru/nvidia/lib32/libcuda.so.550.54.14"),
		  "%s", out);
	/* ldconfig prints in file order: libnvidia-ml > libcuda > libc. */
	char *a = strstr(out, "libnvidia-ml"), *b = strstr(out, "libcuda"), *c = strstr(out, "libc.so");
	cr_expect(a && b && c && a < b && b < c, "%s", out);
	free(out), free(errs), free(path), free(data);
}

Test(ldcache, libcmp_compares_numbers_by_value)
{
	cr_expect_gt(ldcache_libcmp("libfoo.so.10", "libfoo.so.9"), 0);
	cr_expect_lt(ldcache_libcmp("libfoo.so.1", "libfoo.so.1.2"), 0);
	cr_expect_eq(ldcache_libcmp("libcuda.so.1", "libcuda.so.1"), 0);
	cr_expect_gt(ldcache_libcmp("libz.so", "liba.so"), 0);
}
