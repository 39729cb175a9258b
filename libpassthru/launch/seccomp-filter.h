/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend's syscall filter: what systemd-nspawn's default
 * filter denies (the list is in gen/seccomp-build.c). It is built with
 * libseccomp at build time (gen/seccomp-gen.c) and embedded: building it
 * took a millisecond of every launch, and loading libseccomp more. */
#pragma once

#include <linux/filter.h>

/* The embedded program, for the native ABI and its compat ABIs. Static
 * data: nothing to free, and the cloned child may use it as it is. */
void seccomp_filter_get(struct sock_fprog *ret);

/* The version of libseccomp that generated it ("2.5.4"). */
extern const char seccomp_filter_libseccomp[];
