/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private: one walk over a udev subsystem, shared by the producers. */
#include <errno.h>

#include "udev-util.h"
#include "util.h"

int udev_foreach_device(struct udev *udev, const char *subsystem, const char *sysattr,
			const char *value, unsigned flags, udev_device_fn fn, void *data)
{
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = udev_enumerate_new(udev);
	if (!e)
		return -ENOMEM;
	int r = udev_enumerate_add_match_subsystem(e, subsystem);
	if (r >= 0 && sysattr)
		r = udev_enumerate_add_match_sysattr(e, sysattr, value);
	if (r < 0)
		return r;
	/* A scan that failed part way still lists what it found: a missing
	 * /sys/class/drm is no devices, which is no error to most callers. */
	r = udev_enumerate_scan_devices(e);
	if (r < 0 && (flags & UDEV_FOREACH_SCAN_STRICT))
		return r;
	struct udev_list_entry *it;
	udev_list_entry_foreach(it, udev_enumerate_get_list_entry(e))
	{
		_cleanup_(udev_device_unrefp) struct udev_device *d =
		    udev_device_new_from_syspath(udev, udev_list_entry_get_name(it));
		if (!d)
			continue; /* gone since the scan */
		r = fn(d, data);
		if (r < 0)
			return r;
	}
	return 0;
}
