/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: cleanup helpers for libudev objects, for _cleanup_(). */
#pragma once

#include <libudev.h>

static inline void udev_unrefp(struct udev **u)
{
	if (*u)
		udev_unref(*u);
}

static inline void udev_enumerate_unrefp(struct udev_enumerate **e)
{
	if (*e)
		udev_enumerate_unref(*e);
}

static inline void udev_device_unrefp(struct udev_device **d)
{
	if (*d)
		udev_device_unref(*d);
}

/* Fail when sysfs could not be scanned in full, rather than walk what was
 * found. */
#define UDEV_FOREACH_SCAN_STRICT (1u << 0)

/* Called with each device of a walk; the walk keeps the reference, so
 * the callee takes its own (udev_device_ref) to keep d or its parents. */
typedef int (*udev_device_fn)(struct udev_device *d, void *data);

/* Calls fn with each device of subsystem (and, with sysattr, only those
 * whose sysattr is value); devices gone since the scan are skipped. A
 * negative return from fn stops the walk and is returned. Scan errors are
 * ignored unless flags has UDEV_FOREACH_SCAN_STRICT. Returns 0, fn's
 * error, or libudev's -errno (-ENOMEM). */
int udev_foreach_device(struct udev *udev, const char *subsystem, const char *sysattr,
			const char *value, unsigned flags, udev_device_fn fn, void *data);
