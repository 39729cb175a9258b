/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend's syscall filter, built with libseccomp. Used at build
 * time only (seccomp-gen.c writes the program as a C array the library
 * embeds) and by the test that checks the embedded program against what
 * the installed libseccomp builds now: the library itself neither links
 * libseccomp nor spends a millisecond per launch building the same program. */
#pragma once

#include <linux/filter.h>

#include "passthru/error.h"

/* The syscalls the filter answers with EPERM, NULL-terminated; a name
 * libseccomp does not know is left out of the program. */
extern const char *const seccomp_filter_denied[];

/* Builds the filter for the native ABI and the compat ABIs the CPU can
 * enter (i386 and x32 on x86-64, arm on aarch64): a program that forgot one
 * would let `int 0x80` pass. ret->filter is malloc()ed; free it. */
int seccomp_filter_build(struct sock_fprog *ret, struct pt_error *err);
