/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend's syscall filter: what systemd-nspawn's default
 * filter denies, built with libseccomp in the caller and handed to the
 * cloned child as a ready BPF program (the child may not allocate). */
#pragma once

#include <linux/filter.h>

#include "passthru/error.h"

/* The syscalls the filter answers with EPERM, NULL-terminated; a name this
 * architecture lacks is left out of the program. */
extern const char *const seccomp_filter_denied[];

/* Builds the filter for the native ABI and the compat ABIs the CPU can
 * enter (i386 and x32 on x86-64, arm on aarch64): a program that forgot one
 * would let `int 0x80` pass. ret->filter is malloc()ed; free it. */
int seccomp_filter_build(struct sock_fprog *ret, struct pt_error *err);
