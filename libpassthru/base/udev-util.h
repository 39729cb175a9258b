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
