/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ALSA: the host's /dev/snd nodes, found through udev, passed node by node. */
#include <libudev.h>
#include <stdbool.h>
#include <sys/sysmacros.h>

#include "passthru/audio.h"
#include "udev-util.h"
#include "util.h"

struct alsa_walk {
	struct pt_plan *plan;
	struct pt_error *err;
	unsigned n;
	bool failed; /* the plan refused a node: err says why */
};

static int alsa_node_add(struct udev_device *d, void *data)
{
	struct alsa_walk *w = data;
	/* The cards themselves (sound/card0) share the subsystem but have no
	 * node; only controlC*, pcmC*D*, hwC*D*, midi*, seq, timer do. */
	const char *node = udev_device_get_devnode(d);
	dev_t devnum = udev_device_get_devnum(d);
	if (!node || major(devnum) == 0)
		return 0;
	/* udev's major:minor comes from sysfs, not from stat() of the node:
	 * it is what the kernel says the device is. */
	int r = pt_plan_add_device(w->plan, node, 'c', major(devnum), minor(devnum), "rw", w->err);
	if (r < 0) {
		w->failed = true;
		return r;
	}
	w->n++;
	return 0;
}

int pt_alsa_add_to_plan(struct pt_plan *plan, struct pt_error *err)
{
	_cleanup_(udev_unrefp) struct udev *udev = udev_new();
	if (!udev)
		return pt_error_set(err, errno ? errno : ENOMEM, "alsa: udev");
	struct alsa_walk w = {.plan = plan, .err = err};
	int r = udev_foreach_device(udev, "sound", NULL, NULL, UDEV_FOREACH_SCAN_STRICT,
				    alsa_node_add, &w);
	if (r < 0 && w.failed)
		return pt_error_prefix(err, "alsa");
	if (r < 0)
		return pt_error_set(err, -r, "alsa: enumerate udev subsystem sound");
	if (w.n == 0)
		return pt_error_setx(
		    err, ENOENT,
		    "alsa: no sound devices (udev subsystem sound has no device nodes)");
	return 0;
}
