/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend's seccomp filter is generated at build time and
 * embedded. It must be exactly what libseccomp builds from the deny list
 * today: a library built against an older libseccomp, or a generated
 * header left over from another list, fails here. What the filter denies
 * in a running container is test-confine's job. */
#include <criterion/criterion.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-build.h"
#include "seccomp-filter.h"

Test(seccomp_filter, embedded_program_is_what_libseccomp_builds_now)
{
	struct sock_fprog embedded, built;
	struct pt_error err = {0};
	seccomp_filter_get(&embedded);
	cr_assert_eq(seccomp_filter_build(&built, &err), 0, "%s", err.message);
	const struct scmp_version *v = seccomp_version();
	char now[32];
	snprintf(now, sizeof(now), "%u.%u.%u", v->major, v->minor, v->micro);
	cr_expect_str_eq(seccomp_filter_libseccomp, now,
			 "the embedded program came from another libseccomp");
	cr_assert_eq(embedded.len, built.len, "embedded %u instructions, libseccomp builds %u",
		     embedded.len, built.len);
	for (unsigned i = 0; i < built.len; i++) {
		const struct sock_filter *a = &embedded.filter[i], *b = &built.filter[i];
		cr_assert(a->code == b->code && a->jt == b->jt && a->jf == b->jf && a->k == b->k,
			  "instruction %u: embedded {%#x, %u, %u, %#x}, built {%#x, %u, %u, %#x}", i,
			  a->code, a->jt, a->jf, a->k, b->code, b->jt, b->jf, b->k);
	}
	free(built.filter);
}

/* libseccomp's programs start by loading the audit architecture; one that
 * checked none would pass a compat ABI's syscall numbers unfiltered. */
Test(seccomp_filter, embedded_program_checks_every_abi)
{
	struct sock_fprog p;
	seccomp_filter_get(&p);
	cr_assert_gt(p.len, 0);
	cr_expect_eq(p.filter[0].code, BPF_LD | BPF_W | BPF_ABS);
	cr_expect_eq(p.filter[0].k, 4, "offsetof(struct seccomp_data, arch)");
	static const unsigned arches[] = {
#if defined(__x86_64__)
	    AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
#elif defined(__aarch64__)
	    AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM,
#endif
	};
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		bool found = false;
		for (unsigned j = 0; j < p.len && !found; j++)
			found = BPF_CLASS(p.filter[j].code) == BPF_JMP && p.filter[j].k == arches[i];
		cr_expect(found, "no check for audit arch %#x", arches[i]);
	}
}
