/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of /proc/driver/nvidia/gpus/ADDR/information,
 * /proc/driver/nvidia/version and /proc/devices, on malformed, truncated
 * and oversized input. Pure functions: no testbed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpu-private.h"

TestSuite(gpu_parse);

Test(gpu_parse, device_minor_table)
{
	static const struct {
		const char *text;
		int ret;
		unsigned minor;
	} cases[] = {
		{"Model: x\nDevice Minor: \t 3\nGPU Excluded: No\n", 0, 3},
		{"Device Minor: 0", 0, 0},
		{"Device Minor:\t\t 253 \n", 0, 253},
		{"Device Minor: 254\n", -EBADMSG, 0}, /* nvidia-modeset's */
		{"Device Minor: 255\n", -EBADMSG, 0}, /* nvidiactl's */
		{"Device Minor: -1\n", -EBADMSG, 0},
		{"Device Minor: 3x\n", -EBADMSG, 0},
		{"Device Minor: 3 4\n", -EBADMSG, 0},
		{"Device Minor: \n", -EBADMSG, 0},
		{"Device Minor: 99999999999999999999\n", -EBADMSG, 0},
		{"  Device Minor: 3\n", -EBADMSG, 0}, /* only at a line's start */
		{"Model: Device Minor: 3\n", -EBADMSG, 0},
		{"Device Mi", -EBADMSG, 0},
		{"", -EBADMSG, 0},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned minor = 12345;
		int r = nvidia_parse_device_minor(cases[i].text, &minor);
		cr_assert_eq(r, cases[i].ret, "case %zu: %d", i, r);
		if (r == 0)
			cr_assert_eq(minor, cases[i].minor, "case %zu", i);
		else
			cr_assert_eq(minor, 12345, "case %zu: untouched on failure", i);
	}
}

Test(gpu_parse, version_table)
{
	static const struct {
		const char *text;
		const char *version; /* NULL: -EBADMSG */
	} cases[] = {
		{"NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC "
		 "2024\nGCC version:  gcc version 12.2.0\n",
		 "550.54.14"},
		{"NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.161.07  Release Build  "
		 "(dvs-builder@U16-I3-B03-4-3)  Sat Feb 17 22:55:48 UTC 2024\n",
		 "535.161.07"},
		{"550.54.14\n", "550.54.14"}, /* /sys/module/nvidia/version */
		{"GCC version: 12.2.0\nNVRM version: NVIDIA UNIX x86_64 Kernel Module  470.239.06\n",
		 "470.239.06"},
		{"NVRM version: NVIDIA UNIX x86_64 Kernel Mod", NULL},
		{"NVRM version: 1..2 .5 5.\n", NULL},
		{"550\n", NULL},
		{"GCC version:  gcc version 12.2.0\n", NULL}, /* not the driver's */
		{"550.54.14 extra\n", NULL},
		{"", NULL},
		{"NVRM version: 123456789012345678901234567890.1234\n", NULL}, /* too long */
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *v = NULL;
		int r = nvidia_parse_version(cases[i].text, &v);
		if (cases[i].version) {
			cr_assert_eq(r, 0, "case %zu: %d", i, r);
			cr_assert_str_eq(v, cases[i].version, "case %zu", i);
		} else {
			cr_assert_eq(r, -EBADMSG, "case %zu: %d (%s)", i, r, v ? v : "");
			cr_assert_null(v);
		}
		free(v);
	}
}

Test(gpu_parse, proc_devices_table)
{
	const char *text = "Character devices:\n"
			   "  1 mem\n"
			   "195 nvidia-frontend\n"
			   "junk line\n"
			   "99999 nvidia-caps\n"
			   "507 nvidia-uvm\n"
			   "508nvidia-caps\n"
			   "\n"
			   "Block devices:\n"
			   "  7 loop\n"
			   "300 nvidia\n";
	cr_assert_eq(proc_devices_char_major(text, "nvidia-frontend"), 195);
	cr_assert_eq(proc_devices_char_major(text, "nvidia-uvm"), 507);
	cr_assert_eq(proc_devices_char_major(text, "nvidia"), -ENOENT, "block majors do not count");
	cr_assert_eq(proc_devices_char_major(text, "nvidia-caps"), -ENOENT, "malformed lines");
	cr_assert_eq(proc_devices_char_major(text, "nvidia-uv"), -ENOENT, "whole names only");
	cr_assert_eq(proc_devices_char_major(text, "mem"), 1);
	cr_assert_eq(proc_devices_char_major("195 nvidia\n", "nvidia"), -ENOENT,
		     "outside the character section");
	cr_assert_eq(proc_devices_char_major("Character devices:\n195 nvidia", "nvidia"), 195,
		     "no final newline");
	cr_assert_eq(proc_devices_char_major("", "nvidia"), -ENOENT);

	/* Oversized: a long run without newlines parses without harm. */
	size_t n = 1 << 20;
	char *big = malloc(n + 64);
	strcpy(big, "Character devices:\n");
	memset(big + strlen(big), '9', n);
	strcpy(big + 19 + n, " nvidia\n");
	cr_assert_eq(proc_devices_char_major(big, "nvidia"), -ENOENT);
	free(big);
}
