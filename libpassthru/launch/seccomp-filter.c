/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/filter.h>

#include "seccomp-bpf.h" /* generated: $(BUILD)/gen/seccomp-bpf.h */
#include "seccomp-filter.h"
#include "util.h"

const char seccomp_filter_libseccomp[] = SECCOMP_BPF_LIBSECCOMP;

void seccomp_filter_get(struct sock_fprog *ret)
{
	ret->len = (unsigned short)ELEMENTSOF(seccomp_bpf);
	/* The kernel only reads it; sock_fprog has no const member. */
	ret->filter = (struct sock_filter *)seccomp_bpf;
}
