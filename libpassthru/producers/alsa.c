/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ALSA: the host's /dev/snd nodes, found through udev, passed node by node. */
#include <libudev.h>
#include <sys/sysmacros.h>

#include "passthru/audio.h"
#include "udev-util.h"
#include "util.h"


int pt_alsa_add_to_plan(struct pt_plan *plan, struct pt_error *err)
{
	_cleanup_(udev_unrefp) struct udev *udev = udev_new();
	if (!udev)
		return pt_error_set(err, errno ? errno : ENOMEM, "alsa: udev");
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *en = udev_enumerate_new(udev);
	if (!en)
		return pt_error_set(err, ENOMEM, "alsa: udev");
	int r = udev_enumerate_add_match_subsystem(en, "sound");
	if (r >= 0)
		r = udev_enumerate_scan_devices(en);
	if (r < 0)
		return pt_error_set(err, -r, "alsa: enumerate udev subsystem sound");

	unsigned n = 0;
	struct udev_list_entry *le;
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(en))
	{
		struct udev_device *d =
		    udev_device_new_from_syspath(udev, udev_list_entry_get_name(le));
		if (!d)
			continue; /* gone since the scan */
		/* The cards themselves (sound/card0) share the subsystem but have no
		 * node; only controlC*, pcmC*D*, hwC*D*, midi*, seq, timer do. */
		const char *node = udev_device_get_devnode(d);
		dev_t devnum = udev_device_get_devnum(d);
		if (node && major(devnum) != 0) {
			/* udev's major:minor comes from sysfs, not from stat() of the node:
			 * it is what the kernel says the device is. */
			r = pt_plan_add_device(plan, node, 'c', major(devnum), minor(devnum), "rw",
					       err);
			if (r < 0) {
				udev_device_unref(d);
				return pt_error_prefix(err, "alsa");
			}
			n++;
		}
		udev_device_unref(d);
	}
	if (n == 0)
		return pt_error_setx(
		    err, ENOENT,
		    "alsa: no sound devices (udev subsystem sound has no device nodes)");
	return 0;
}
