/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "desktop-report.h"
#include "json-build.h"
#include "netns.h"
#include "passthru/display.h"
#include "passthru/wayland.h"
#include "pidfd.h"

struct desktop_info {
	char *wayland, *pipewire, *weston;
	struct pt_error wayland_why, pipewire_why;
	bool usernet;
	const char *usernet_why;
	char **host_x; /* abstract X sockets in our network namespace */
};

struct desktop_info *desktop_info_new(void)
{
	struct desktop_info *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	pt_wayland_find_socket(&d->wayland, &d->wayland_why);
	pt_pipewire_find_socket(&d->pipewire, &d->pipewire_why);
	find_program("weston", &d->weston);
	d->usernet = usernet_available(&d->usernet_why);
	if (pt_display_exposed_sockets(NULL, NULL, &d->host_x, NULL) < 0)
		d->host_x = NULL;
	return d;
}

void desktop_info_free(struct desktop_info *d)
{
	if (!d)
		return;
	free(d->wayland);
	free(d->pipewire);
	free(d->weston);
	strv_free(d->host_x);
	free(d);
}

static const char *protection(const struct desktop_info *d)
{
	return d->usernet ? "user-network" : "none";
}

static void detail(const struct desktop_info *d, char *buf, size_t size)
{
	if (d->usernet)
		snprintf(buf, size,
			 "with a nested display (--xephyr, --xvfb, --weston) the container gets "
			 "a network namespace of its own with slirp4netns: no host abstract "
			 "socket is in reach, outbound network works, the host's 127.0.0.1 is "
			 "at " USERNET_HOST_ADDR);
	else
		snprintf(buf, size,
			 "none: a container shares the host's network namespace and can reach "
			 "every host X server through its abstract socket (%s); --network=none "
			 "closes it without network",
			 d->usernet_why);
}

static struct json_object *socket_json(struct jb *b, const char *socket,
				      const struct pt_error *why)
{
	struct json_object *o = jnew(b, json_object_new_object());
	jadd_str(b, o, "socket", socket);
	jadd_str(b, o, "error", socket ? NULL : why->message);
	return o;
}

int desktop_report_json(const struct desktop_info *d, struct json_object **ret)
{
	char buf[512];
	detail(d, buf, sizeof(buf));
	struct jb b = {0};
	struct json_object *o = jnew(&b, json_object_new_object());
	struct json_object *iso = jnew(&b, json_object_new_object());
	struct json_object *xs = jnew(&b, json_object_new_array());
	for (char **s = d->host_x; s && *s; s++)
		jpush(&b, xs, jstr(&b, *s));
	jadd_str(&b, iso, "protection", protection(d));
	jadd_str(&b, iso, "detail", buf);
	jadd_str(&b, iso, "host_address", d->usernet ? USERNET_HOST_ADDR : NULL);
	jadd(&b, iso, "host_x_sockets", xs);
	jadd(&b, o, "wayland", socket_json(&b, d->wayland, &d->wayland_why));
	jadd(&b, o, "pipewire", socket_json(&b, d->pipewire, &d->pipewire_why));
	jadd_str(&b, o, "weston", d->weston);
	jadd(&b, o, "x11_isolation", iso);
	if (b.failed) {
		json_object_put(o);
		return -ENOMEM;
	}
	*ret = o;
	return 0;
}

void desktop_report_table(const struct desktop_info *d, struct strbuf *out)
{
	if (!d) {
		out->failed = true;
		return;
	}
	strbuf_puts(out, "Desktop\n");
	strbuf_printf(out, "  wayland:  %s\n", d->wayland ? d->wayland : d->wayland_why.message);
	strbuf_printf(out, "  pipewire: %s\n", d->pipewire ? d->pipewire : d->pipewire_why.message);
	strbuf_printf(out, "  weston:   %s\n", d->weston ? d->weston : "not installed (--weston)");
	char buf[512];
	detail(d, buf, sizeof(buf));
	strbuf_printf(out, "  host X protection: %s\n    %s\n", protection(d), buf);
	if (d->host_x && d->host_x[0]) {
		strbuf_puts(out, "    host X servers here:");
		for (char **s = d->host_x; *s; s++)
			strbuf_printf(out, " %s", *s);
		strbuf_puts(out, "\n");
	}
}
