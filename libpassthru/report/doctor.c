/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The doctor: a plan-to-be, its container root and the host, checked
 * against each other before anything starts. Each check adds findings;
 * nothing here changes the plan, the root or the host. */
#include <fcntl.h>
#include <grp.h>
#include <libudev.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dlopen-drm.h"
#include "json-build.h"
#include "doctor-private.h"
#include "mount.h"
#include "passthru/doctor.h"
#include "passthru/display.h"
#include "passthru/process.h"
#include "userdb.h"

struct pt_doctor {
	struct pt_doctor_finding *v;
	size_t n, alloc;
	bool failed; /* out of memory while adding */
};

/* One doctor run. */
struct ctx {
	struct pt_doctor *d;
	const struct pt_plan *plan;
	const struct pt_doctor_opts *opts;
	const char *root; /* for messages: the plan's root, or "/" */
	const char *prefix; /* put before a path inside the root: the root, or "" for "/" */
	int rootfd;       /* -1: the root cannot be used (a finding says why) */
	bool as_root;     /* the launcher runs as root: container ids are host ids */
	bool have_user;
	struct userdb_user user;
	char *group_text; /* the container's /etc/group, NULL when unreadable */
};

const char *pt_doctor_severity_name(enum pt_doctor_severity s)
{
	switch (s) {
	case PT_DOCTOR_INFO:
		return "info";
	case PT_DOCTOR_WARNING:
		return "warning";
	case PT_DOCTOR_ERROR:
		return "error";
	}
	return "unknown";
}

struct pt_doctor_opts *pt_doctor_opts_new(void) { return calloc(1, sizeof(struct pt_doctor_opts)); }

void pt_doctor_opts_free(struct pt_doctor_opts *opts) { free(opts); }

void pt_doctor_free(struct pt_doctor *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free((char *)d->v[i].message);
		free((char *)d->v[i].hint);
	}
	free(d->v);
	free(d);
}

size_t pt_doctor_finding_count(const struct pt_doctor *d) { return d ? d->n : 0; }

const struct pt_doctor_finding *pt_doctor_finding(const struct pt_doctor *d, size_t i)
{
	return d && i < d->n ? &d->v[i] : NULL;
}

size_t pt_doctor_count_severity(const struct pt_doctor *d, enum pt_doctor_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; d && i < d->n; i++)
		n += d->v[i].severity == sev;
	return n;
}

/* Adds a finding; takes the message and hint built in m and h (an empty h
 * is no hint). code is a static string. */
static void add(struct ctx *c, const char *code, enum pt_doctor_severity sev, struct strbuf *m,
		struct strbuf *h)
{
	struct pt_doctor *d = c->d;
	void *items = d->v;
	if (sev < c->opts->min_severity) {
		free(strbuf_steal(m));
		if (h)
			free(strbuf_steal(h));
		return;
	}
	char *msg = strbuf_steal(m), *hint = h ? strbuf_steal(h) : NULL;
	if (!msg || (h && !hint) || grow_array(&items, &d->alloc, d->n + 1, sizeof(*d->v)) < 0) {
		free(msg);
		free(hint);
		d->failed = true;
		return;
	}
	if (hint && !*hint) {
		free(hint);
		hint = NULL;
	}
	d->v = items;
	d->v[d->n++] = (struct pt_doctor_finding){
	    .code = code, .severity = sev, .message = msg, .hint = hint};
}

/* add() with both texts from formats; hint NULL for none. */
static void addf(struct ctx *c, const char *code, enum pt_doctor_severity sev, const char *hint,
		 const char *fmt, ...) _printf_(5, 6);
static void addf(struct ctx *c, const char *code, enum pt_doctor_severity sev, const char *hint,
		 const char *fmt, ...)
{
	struct strbuf m = {0}, h = {0};
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		c->d->failed = true;
		return;
	}
	strbuf_puts(&m, s);
	free(s);
	if (hint)
		strbuf_puts(&h, hint);
	add(c, code, sev, &m, &h);
}

/* ---- the container's users and groups ---- */

/* The name of container group gid, or NULL. Writes into buf. */
static const char *container_group_name(const struct ctx *c, gid_t gid, char *buf, size_t size)
{
	if (!c->group_text)
		return NULL;
	for (const char *line = c->group_text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *colon1 = memchr(line, ':', len);
		const char *colon2 = colon1 ? memchr(colon1 + 1, ':', len - (size_t)(colon1 + 1 - line)) : NULL;
		if (colon1 && colon2 && line[0] != '#') {
			char *end;
			errno = 0;
			unsigned long g = strtoul(colon2 + 1, &end, 10);
			if (!errno && end > colon2 + 1 && (*end == ':' || *end == '\n') && g == gid &&
			    (size_t)(colon1 - line) < size) {
				memcpy(buf, line, (size_t)(colon1 - line));
				buf[colon1 - line] = '\0';
				return buf;
			}
		}
		line += len;
		if (*line)
			line++;
	}
	return NULL;
}

/* The gid of container group name, or -1. */
static long container_group_gid(const struct ctx *c, const char *name)
{
	size_t nlen = strlen(name);
	if (!c->group_text || !nlen)
		return -1;
	for (const char *line = c->group_text; *line;) {
		size_t len = strcspn(line, "\n");
		if (len > nlen + 1 && !strncmp(line, name, nlen) && line[nlen] == ':') {
			const char *colon2 = memchr(line + nlen + 1, ':', len - nlen - 1);
			char *end;
			errno = 0;
			unsigned long g = colon2 ? strtoul(colon2 + 1, &end, 10) : 0;
			if (colon2 && !errno && end > colon2 + 1 && (*end == ':' || *end == '\n') &&
			    g < UINT_MAX)
				return (long)g;
		}
		line += len;
		if (*line)
			line++;
	}
	return -1;
}

static const char *host_group_name(gid_t gid, char *buf, size_t size)
{
	struct group g, *res = NULL;
	char tmp[4096];
	if (getgrgid_r(gid, &g, tmp, sizeof(tmp), &res) != 0 || !res || strlen(g.gr_name) >= size)
		return NULL;
	memcpy(buf, g.gr_name, strlen(g.gr_name) + 1);
	return buf;
}

static bool is_nologin(const char *shell)
{
	static const char *const nologin[] = {"/usr/sbin/nologin", "/sbin/nologin", "/bin/nologin",
					      "/usr/bin/nologin",  "/bin/false",    "/usr/bin/false",
					      NULL};
	for (const char *const *s = nologin; *s; s++)
		if (streq(shell, *s))
			return true;
	return false;
}

static bool parse_uint(const char *s, unsigned *ret)
{
	char *end;
	errno = 0;
	unsigned long v = *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : ULONG_MAX;
	if (v == ULONG_MAX || errno || *end || v >= UINT_MAX)
		return false;
	*ret = (unsigned)v;
	return true;
}

/* Reads /etc/passwd and /etc/group the way the doctor reads everything in
 * a root (never blocking on a FIFO, never huge), then resolves the user
 * with the same parsers the backends use. */
/* The root's /etc/passwd in *ret: empty when it has none and the user is
 * a number. *ret stays NULL when a finding says why it cannot be used. */
static int read_passwd(struct ctx *c, const char *user, bool numeric, char **ret)
{
	_cleanup_free_ char *passwd = NULL;
	mode_t mode = 0;
	int r = doctor_read_in_root(c->rootfd, "/etc/passwd", DOCTOR_FILE_MAX, &passwd, &mode);
	if (r == -ENOENT) {
		/* Both backends run a number without a passwd entry (as setpriv). */
		addf(c, "root-no-passwd", numeric ? PT_DOCTOR_INFO : PT_DOCTOR_ERROR,
		     "give the container an /etc/passwd with the user, or use a numeric -u",
		     "%s has no /etc/passwd: user '%s' %s", c->root, user,
		     numeric ? "runs by number only, without a name or home" : "cannot be found");
		if (!numeric)
			return 0;
		passwd = strdup("");
		if (!passwd)
			return -ENOMEM;
	} else if (r == -ENODATA || r == -EFBIG || (r < 0 && r != -ENOMEM)) {
		addf(c, "root-passwd-unreadable", PT_DOCTOR_ERROR,
		     "make /etc/passwd in the container a regular file",
		     "%s/etc/passwd is %s (mode 0%o): the user cannot be looked up", c->prefix,
		     r == -ENODATA ? (S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory"
								   : "not a regular file")
		     : r == -EFBIG ? "larger than 1 MiB"
				   : strerror(-r),
		     (unsigned)(mode & 07777));
		return 0;
	} else if (r < 0) {
		return r;
	}
	*ret = steal_pointer(&passwd);
	return 0;
}

/* c->user from passwd; *ret_found false when a finding says it is not there. */
static int lookup_user(struct ctx *c, const char *passwd, const char *user, bool *ret_found)
{
	unsigned id = 0;
	bool numeric = parse_uint(user, &id);
	struct pt_error e = {0};
	int r = userdb_parse_passwd(passwd, user, &c->user, &e);
	if (r == -ENOENT && numeric) {
		/* A number that is not in passwd runs as uid=gid=N (setpriv does). */
		c->user = (struct userdb_user){.uid = id, .gid = id};
		if (!(c->user.name = strdup(user)) || !(c->user.home = strdup("/")) ||
		    !(c->user.shell = strdup("/bin/sh")))
			return -ENOMEM;
		r = 0;
	}
	if (r == -ENOMEM)
		return r;
	*ret_found = r == 0;
	if (r == 0)
		return 0;
	size_t lines = 0;
	for (const char *p = passwd; *p; p++)
		lines += *p == '\n';
	addf(c, "user-missing", PT_DOCTOR_ERROR,
	     "add the user to the container's /etc/passwd, or choose another with -u",
	     "user '%s' is not in %s/etc/passwd (%zu lines)%s%s", user, c->prefix, lines,
	     r == -ENOENT ? "" : ": ", r == -ENOENT ? "" : e.message);
	return 0;
}

/* The user's groups from the root's /etc/group (none when it has none). */
static int read_groups(struct ctx *c)
{
	mode_t mode = 0;
	int r =
	    doctor_read_in_root(c->rootfd, "/etc/group", DOCTOR_FILE_MAX, &c->group_text, &mode);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && r != -ENOENT)
		addf(c, "root-group-unreadable", PT_DOCTOR_ERROR,
		     "make /etc/group in the container a regular file",
		     "%s/etc/group is %s (mode 0%o): the user's groups cannot be looked up",
		     c->prefix, r == -ENODATA ? (S_ISFIFO(mode) ? "a FIFO" : "not a regular file")
					    : strerror(-r),
		     (unsigned)(mode & 07777));
	struct pt_error e = {0};
	return userdb_parse_groups(c->group_text ? c->group_text : "", &c->user, &e);
}

static int check_user(struct ctx *c)
{
	const char *user = pt_plan_get_user(c->plan);
	char self[32];
	if (!user) {
		/* As the native backend does: root, or the caller itself. */
		snprintf(self, sizeof(self), "%u", (unsigned)geteuid());
		user = self;
	}
	unsigned id;
	_cleanup_free_ char *passwd = NULL;
	int r = read_passwd(c, user, parse_uint(user, &id), &passwd);
	if (r < 0 || !passwd)
		return r;
	bool found = false;
	r = lookup_user(c, passwd, user, &found);
	if (r < 0 || !found)
		return r;
	if ((r = read_groups(c)) < 0)
		return r;
	c->have_user = true;
	if (is_nologin(c->user.shell))
		/* A note: neither backend starts the command through the login
		 * shell, only an interactive login would end at once. */
		addf(c, "user-no-shell", PT_DOCTOR_INFO,
		     "give the user a shell (usermod -s /bin/sh) if anything starts it through "
		     "its login shell",
		     "user '%s' (uid %u) has the shell %s: a command started through the login "
		     "shell (su -l, machinectl shell, nspawn without a command) ends at once",
		     c->user.name, (unsigned)c->user.uid, c->user.shell);
	return 0;
}

/* ---- the root itself ---- */

static void check_root(struct ctx *c)
{
	struct stat st;
	if (fstat(c->rootfd, &st) < 0)
		return;
	if (c->as_root && pt_plan_get_root(c->plan) && st.st_uid != 0)
		addf(c, "root-not-owned-by-root", PT_DOCTOR_WARNING,
		     "chown root:root the container's root directory",
		     "%s is owned by uid %u, gid %u (mode 0%o), not by root: that user can "
		     "change the files of a container that runs as root",
		     c->root, (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
	int fd = root_open(c->rootfd, "/dev/shm", O_PATH | O_DIRECTORY);
	if (fd >= 0)
		close(fd);
	else
		addf(c, "root-no-dev-shm", PT_DOCTOR_INFO,
		     "mkdir -m 1777 dev/shm in the root for engines that use its /dev as it is",
		     "%s has no /dev/shm directory (errno %d): passthru's backends mount their own, "
		     "an engine that uses the root's /dev leaves POSIX shared memory broken",
		     c->root, errno);
}

/* ---- device nodes ---- */

static const char *node_noun(const char *path)
{
	return startswith(path, "/dev/dri/renderD") ? "render node"
	       : startswith(path, "/dev/dri/card")  ? "card node"
	       : startswith(path, "/dev/nvidia")    ? "NVIDIA node"
	       : startswith(path, "/dev/snd/")      ? "sound node"
						    : "device node";
}

static bool in_groups(const struct userdb_user *u, gid_t gid)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == gid)
			return true;
	return false;
}

/* Whether the container user may open a node of this owner, group and
 * mode for want (R_OK|W_OK), as the kernel decides: the owner's bits when
 * it is the owner, else the group's when in the group, else the others'.
 * uid 0 passes (CAP_DAC_OVERRIDE) when the launcher is root. */
static bool user_may_open(const struct userdb_user *u, const struct stat *st, int want)
{
	if (u->uid == 0)
		return true;
	unsigned bits = st->st_uid == u->uid ? (st->st_mode >> 6) & 7
			: in_groups(u, st->st_gid) ? (st->st_mode >> 3) & 7
						    : st->st_mode & 7;
	return (!(want & R_OK) || (bits & 4)) && (!(want & W_OK) || (bits & 2));
}

static int access_want(const char *access)
{
	int want = 0;
	if (!access || strchr(access, 'r'))
		want |= R_OK;
	if (!access || strchr(access, 'w'))
		want |= W_OK;
	return want;
}

static void no_access(struct ctx *c, const char *path, const struct stat *st, int want)
{
	struct strbuf m = {0}, h = {0};
	char hname[256], cname[256];
	const char *hn = host_group_name(st->st_gid, hname, sizeof(hname));
	const char *how = want == (R_OK | W_OK) ? "read-write" : want == R_OK ? "for reading"
										: "for writing";
	strbuf_printf(&m, "%s %s is owner %u, group %u", node_noun(path), path,
		      (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (hn)
		strbuf_printf(&m, " (host '%s')", hn);
	strbuf_printf(&m, ", mode 0%o; ", (unsigned)(st->st_mode & 07777));
	if (!c->as_root) {
		strbuf_printf(&m, "you (uid %u) cannot open it %s", (unsigned)geteuid(), how);
		strbuf_printf(&h, "join host group %u%s%s%s (the container user acts as you)",
			      (unsigned)st->st_gid, hn ? " ('" : "", hn ? hn : "", hn ? "')" : "");
		add(c, "device-no-access", PT_DOCTOR_ERROR, &m, &h);
		return;
	}
	const struct userdb_user *u = &c->user;
	strbuf_printf(&m, "container user '%s' (uid %u) is in groups", u->name, (unsigned)u->uid);
	for (size_t i = 0; i < u->n_groups; i++)
		strbuf_printf(&m, "%s %u", i ? "," : "", (unsigned)u->groups[i]);
	/* The names that mislead: the user's own groups by name, and the
	 * container's group named like the host's, with their numbers. */
	bool any = false;
	for (size_t i = 1; i < u->n_groups; i++) {
		const char *n = container_group_name(c, u->groups[i], cname, sizeof(cname));
		if (!n)
			continue;
		strbuf_printf(&m, "%s'%s'=%u", any ? ", " : " (container ", n, (unsigned)u->groups[i]);
		any = true;
	}
	long same_name = hn ? container_group_gid(c, hn) : -1;
	if (same_name >= 0 && !in_groups(u, (gid_t)same_name)) {
		strbuf_printf(&m, "%s'%s'=%ld", any ? ", " : " (container ", hn, same_name);
		any = true;
	}
	if (any)
		strbuf_puts(&m, ")");
	strbuf_printf(&m, " and cannot open it %s", how);

	strbuf_printf(&h, "add the user to a container group with GID %u", (unsigned)st->st_gid);
	const char *owner_name = container_group_name(c, st->st_gid, cname, sizeof(cname));
	if (owner_name)
		strbuf_printf(&h, " (container group '%s' has it: usermod -aG %s %s)", owner_name,
			      owner_name, u->name);
	else
		strbuf_printf(&h, " (none has it: groupadd -g %u host-%s && usermod -aG host-%s %s)",
			      (unsigned)st->st_gid, hn ? hn : "gpu", hn ? hn : "gpu", u->name);
	if (same_name >= 0 && (gid_t)same_name != st->st_gid)
		strbuf_printf(&h, "; the container's '%s' is %ld, not %u: the name matches, the "
				  "number does not",
			      hn, same_name, (unsigned)st->st_gid);
	strbuf_puts(&h, "; or make the node world read-write on the host (mode 0666)");
	add(c, "device-no-access", PT_DOCTOR_ERROR, &m, &h);
}

static void check_node(struct ctx *c, const char *host, const char *path, const char *mode)
{
	struct stat st;
	if (stat(host, &st) < 0) {
		addf(c, "device-missing", PT_DOCTOR_ERROR, "check that the driver is loaded",
		     "%s %s cannot be found on the host (errno %d: %s)", node_noun(path), host,
		     errno, strerror(errno));
		return;
	}
	int want = access_want(mode);
	bool ok = c->as_root ? (c->have_user && user_may_open(&c->user, &st, want))
			     : access(host, want) == 0;
	if (c->as_root && !c->have_user)
		return; /* the user finding already says why */
	if (!ok)
		no_access(c, path, &st, want);
}

static void check_devices(struct ctx *c)
{
	for (size_t i = 0; i < pt_plan_device_count(c->plan); i++) {
		const struct pt_device *dev = pt_plan_device(c->plan, i);
		check_node(c, dev->path, dev->path, dev->access);
	}
	for (size_t i = 0; i < pt_plan_bind_count(c->plan); i++) {
		const struct pt_bind *b = pt_plan_bind(c->plan, i);
		if (b->flags & PT_BIND_DEVICE)
			check_node(c, b->source, b->target, b->flags & PT_BIND_RO ? "r" : "rw");
	}
}

/* ---- kernel drivers of DRM nodes ---- */

/* The name the kernel driver gives the node (DRM_IOCTL_VERSION, through
 * the lazily loaded libdrm) into buf; -ENXIO when the node does not answer
 * (no permission; under umockdev the ioctl goes to its emulation, which
 * knows no DRM), -EOPNOTSUPP without libdrm. */
static int drm_driver_name(const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *name = NULL;
	int r = drm_node_driver(path, &name, NULL);
	if (r < 0)
		return r;
	if (!name)
		return -ENXIO;
	snprintf(buf, size, "%s", name);
	return 0;
}

struct drm_facts {
	char driver[64];
	const char *source; /* "sysfs", "drmGetVersion" */
	unsigned vendor;    /* PCI vendor of the GPU, 0 when unknown */
	char pci_driver[64];
};

static void drm_facts_from_udev(struct udev *udev, dev_t rdev, struct drm_facts *f)
{
	struct udev_device *d = udev ? udev_device_new_from_devnum(udev, 'c', rdev) : NULL;
	struct udev_device *p = d ? udev_device_get_parent(d) : NULL;
	if (p) {
		const char *drv = udev_device_get_driver(p);
		const char *vendor = udev_device_get_sysattr_value(p, "vendor");
		if (drv)
			snprintf(f->pci_driver, sizeof(f->pci_driver), "%s", drv);
		if (vendor)
			f->vendor = (unsigned)strtoul(vendor, NULL, 16);
	}
	udev_device_unref(d);
}

static bool nvidia_modeset_off(char *value, size_t size)
{
	_cleanup_free_ char *s = NULL;
	if (read_file_max("/sys/module/nvidia_drm/parameters/modeset", 64, &s, NULL) < 0)
		return false;
	s[strcspn(s, "\n")] = '\0';
	snprintf(value, size, "%s", s);
	return streq(s, "N") || streq(s, "0");
}

static void check_drm_drivers(struct ctx *c)
{
	struct udev *udev = NULL;
	bool nvidia_drm = false;
	for (size_t i = 0; i < pt_plan_device_count(c->plan); i++) {
		const struct pt_device *dev = pt_plan_device(c->plan, i);
		struct stat st;
		if (!startswith(dev->path, "/dev/dri/") || stat(dev->path, &st) < 0 ||
		    !S_ISCHR(st.st_mode))
			continue;
		if (!udev)
			udev = udev_new();
		/* sysfs first: it answers without opening the node, so a
		 * runtime-suspended GPU is not woken up (opening a DRM node of
		 * a sleeping dGPU powers it on), no permission is needed and
		 * nothing waits on a driver. The DRM version query is for a
		 * node whose device has no driver in sysfs. */
		struct drm_facts f = {.source = "sysfs"};
		drm_facts_from_udev(udev, st.st_rdev, &f);
		int r = 0;
		if (f.pci_driver[0])
			snprintf(f.driver, sizeof(f.driver), "%s", f.pci_driver);
		else if ((r = drm_driver_name(dev->path, f.driver, sizeof(f.driver))) == 0)
			f.source = "drmGetVersion";
		if (r < 0) {
			addf(c, "drm-driver-unknown", PT_DOCTOR_INFO, NULL,
			     "%s %s (%u:%u): its kernel driver is unknown (no driver in sysfs, "
			     "DRM version query: errno %d)",
			     node_noun(dev->path), dev->path, major(st.st_rdev), minor(st.st_rdev), -r);
			continue;
		}
		addf(c, "drm-driver", PT_DOCTOR_INFO, NULL,
		     "%s %s (%u:%u) is driven by %s (from %s), GPU vendor 0x%04x",
		     node_noun(dev->path), dev->path, major(st.st_rdev), minor(st.st_rdev), f.driver,
		     f.source, f.vendor);
		if (streq(f.driver, "nouveau") && f.vendor == 0x10de)
			addf(c, "drm-nouveau", c->opts->nvidia_driver ? PT_DOCTOR_ERROR : PT_DOCTOR_WARNING,
			     "load NVIDIA's kernel module (nvidia, nvidia-drm) instead of nouveau, or "
			     "use Mesa in the container",
			     "%s (%u:%u): the NVIDIA GPU (vendor 0x%04x) is driven by nouveau: "
			     "NVIDIA's userspace (CUDA, libGLX_nvidia) cannot use it",
			     dev->path, major(st.st_rdev), minor(st.st_rdev), f.vendor);
		if (streq(f.driver, "nvidia-drm") || streq(f.driver, "nvidia"))
			nvidia_drm = true;
	}
	udev_unref(udev);
	char value[64];
	if (nvidia_drm && nvidia_modeset_off(value, sizeof(value)))
		addf(c, "nvidia-drm-no-modeset", PT_DOCTOR_WARNING,
		     "load nvidia-drm with modeset=1 (options nvidia-drm modeset=1, or "
		     "nvidia-drm.modeset=1 on the kernel command line)",
		     "nvidia-drm runs with modeset=%s (/sys/module/nvidia_drm/parameters/modeset): "
		     "Wayland compositors and gamescope need modeset=1",
		     value);
}

/* ---- NVIDIA userspace ---- */

static bool plan_has_nvidia(const struct pt_plan *plan)
{
	for (size_t i = 0; i < pt_plan_device_count(plan); i++)
		if (startswith(pt_plan_device(plan, i)->path, "/dev/nvidia"))
			return true;
	return false;
}

/* The kernel module's version from /proc/driver/nvidia/version: the
 * first version-like word after "Kernel Module" (the open modules say
 * "Open Kernel Module for x86_64  550.54.14"). */
static bool host_nvidia_version(char *buf, size_t size)
{
	_cleanup_free_ char *s = NULL;
	if (read_file_max("/proc/driver/nvidia/version", 64 * 1024, &s, NULL) < 0)
		return false;
	const char *p = strstr(s, "Kernel Module");
	if (!p)
		return false;
	const char *eol = p + strcspn(p, "\n");
	for (p += strlen("Kernel Module"); p < eol;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t\n");
		char word[32];
		if (len > 0 && len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			if (doctor_is_driver_version(word) && len < size) {
				memcpy(buf, word, len + 1);
				return true;
			}
		}
		p += len ? len : 1;
	}
	return false;
}

static void describe_versions(struct strbuf *b, const struct doctor_nv_version *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_printf(b, "%s%s (%u file%s, e.g. %s)", i ? ", " : "", v[i].version, v[i].files,
			      v[i].files == 1 ? "" : "s", v[i].example);
}

static void check_nvidia_userspace(struct ctx *c)
{
	if (!plan_has_nvidia(c->plan) && !c->opts->nvidia_driver)
		return;
	char host[32];
	bool have_host = host_nvidia_version(host, sizeof(host));
	struct doctor_nv_libs libs;
	if (doctor_container_nvidia_libs(c->rootfd, &libs) < 0) {
		c->d->failed = true;
		return;
	}
	if (!have_host)
		addf(c, "nvidia-module-version-unknown", PT_DOCTOR_INFO, NULL,
		     "NVIDIA nodes are passed but /proc/driver/nvidia/version gives no module "
		     "version: the container's %zu NVIDIA library versions cannot be compared",
		     libs.n64 + libs.n32);
	bool mismatch = false;
	for (size_t i = 0; have_host && i < libs.n64 + libs.n32; i++) {
		const struct doctor_nv_version *v = i < libs.n64 ? &libs.v64[i] : &libs.v32[i - libs.n64];
		if (streq(v->version, host))
			continue;
		mismatch = true;
		struct strbuf m = {0}, h = {0};
		strbuf_printf(&m, "the container has its own %s-bit NVIDIA userspace %s (%u file%s, "
				  "e.g. %s, from its %s); the host's kernel module is %s: they must "
				  "be the same version, or CUDA, GL and Vulkan fail to start",
			      i < libs.n64 ? "64" : "32", v->version, v->files, v->files == 1 ? "" : "s",
			      v->example, libs.source, host);
		if (c->opts->nvidia_driver)
			strbuf_printf(&h, "--nvidia-driver points NVIDIA's SONAMEs at the host's %s "
					  "in the container's ld.so.cache; a program that loads the "
					  "container's %s files by path still gets them: remove them",
				      host, v->version);
		else
			strbuf_printf(&h, "use --nvidia-driver to pass the host's %s userspace, or "
					  "install driver %s in the container",
				      host, host);
		add(c, "nvidia-version-mismatch", c->opts->nvidia_driver ? PT_DOCTOR_WARNING : PT_DOCTOR_ERROR,
		    &m, &h);
	}
	if (libs.n64 == 0 && !c->opts->nvidia_driver && plan_has_nvidia(c->plan))
		addf(c, "nvidia-userspace-missing", PT_DOCTOR_WARNING,
		     "use --nvidia-driver to pass the host's userspace",
		     "NVIDIA nodes are passed but the container has no 64-bit NVIDIA libraries "
		     "(0 files like libcuda.so.VERSION; host module %s): CUDA fails and GL falls "
		     "back to software",
		     have_host ? host : "unknown");
	else if (libs.n64 > 0 && !mismatch && have_host)
		addf(c, "nvidia-userspace", PT_DOCTOR_INFO, NULL,
		     "the container's NVIDIA userspace is %s (%u file%s, from its %s), as the "
		     "host's module",
		     libs.v64[0].version, libs.v64[0].files, libs.v64[0].files == 1 ? "" : "s",
		     libs.source);
	if (libs.truncated)
		addf(c, "nvidia-scan-truncated", PT_DOCTOR_INFO, NULL,
		     "a library directory has more than %d entries: the NVIDIA library scan "
		     "stopped there",
		     DOCTOR_DIR_ENTRIES_MAX);

	/* Steam and Wine run 32-bit programs through /lib/ld-linux.so.2. */
	int fd = root_open(c->rootfd, "/lib/ld-linux.so.2", O_PATH);
	if (fd >= 0) {
		close(fd);
		if (libs.n32 == 0) {
			struct strbuf m = {0}, h = {0};
			strbuf_puts(&m, "the container has a 32-bit loader (/lib/ld-linux.so.2) but "
					"no 32-bit NVIDIA libraries (0 files; 64-bit: ");
			if (libs.n64)
				describe_versions(&m, libs.v64, libs.n64);
			else
				strbuf_puts(&m, "0 files");
			strbuf_puts(&m, "): 32-bit programs (Steam, Wine) get no NVIDIA GL or Vulkan");
			strbuf_printf(&h, "install the 32-bit NVIDIA libraries %s in the container",
				      have_host ? host : "of the host's version");
			add(c, "nvidia-32bit-missing", PT_DOCTOR_WARNING, &m, &h);
		}
	}
}

/* ---- loader files ---- */

static const struct pt_bind *plan_bind_at(const struct pt_plan *plan, const char *target);
static const struct pt_file *plan_file_at(const struct pt_plan *plan, const char *target);

/* Whether the plan itself gives the container what the loader file names:
 * it replaces the file (--nvidia-driver writes its own configs), binds the
 * library at that absolute path, or passes the host's NVIDIA libraries. */
static bool plan_provides(const struct ctx *c, const struct doctor_loader *l)
{
	if (plan_file_at(c->plan, l->path) || plan_bind_at(c->plan, l->path))
		return true;
	if (!l->library)
		return false;
	if (l->library[0] == '/')
		return plan_bind_at(c->plan, l->library) != NULL;
	return c->opts->nvidia_driver && doctor_is_nvidia_lib(l->library);
}

static int loader_finding(const struct doctor_loader *l, void *data)
{
	struct ctx *c = data;
	if (!l->problem || plan_provides(c, l))
		return 0;
	size_t n_dirs = 0;
	while (doctor_lib_dirs[n_dirs])
		n_dirs++;
	if (l->library && strchr(l->library, '/'))
		addf(c, "loader-missing-library", PT_DOCTOR_WARNING,
		     "install the library it names, or remove the file",
		     "%s %s names %s, which %s: the loader skips it", l->kind, l->path, l->library,
		     l->problem);
	else if (l->library)
		addf(c, "loader-missing-library", PT_DOCTOR_WARNING,
		     "install the library it names, or remove the file",
		     "%s %s names %s, which %s (%zu searched): the loader skips it", l->kind,
		     l->path, l->library, l->problem, n_dirs);
	else
		addf(c, "loader-unreadable", PT_DOCTOR_WARNING, "fix or remove the file",
		     "%s %s %s: the loader ignores it", l->kind, l->path, l->problem);
	return 0;
}

/* ---- display ---- */

static void check_display(struct ctx *c)
{
	const struct pt_display_opts *dopt = c->opts->display;
	unsigned flags = pt_plan_get_flags(c->plan);
	const char *host_display = pt_plan_get_env(c->plan, "DISPLAY");
	if (!(flags & PT_PLAN_PRIVATE_NETWORK) && !dopt &&
	    c->opts->min_severity <= PT_DOCTOR_INFO) {
		/* With a nested display the launch module warns about these. */
		char **socks = NULL;
		int n = pt_display_exposed_sockets(NULL, c->plan, &socks, NULL);
		if (n == -ENOMEM)
			c->d->failed = true;
		if (n > 0) {
			struct strbuf m = {0};
			strbuf_printf(&m, "the container shares the host's network namespace: it can "
					  "reach %d host X server%s through abstract sockets (",
				      n, n == 1 ? "" : "s");
			for (int i = 0; i < n; i++)
				strbuf_printf(&m, "%s%s", i ? ", " : "", socks[i]);
			strbuf_puts(&m, "), whatever it is given");
			struct strbuf h = {0};
			strbuf_puts(&h, "use --private-network");
			/* A note: reaching a server is not being let in (its
			 * cookie or xhost decides), and it is true of every
			 * launch on a desktop; printed at each launch it would
			 * be noise. The probe shows it. */
			add(c, "display-host-x-exposed", PT_DOCTOR_INFO, &m, &h);
		}
		pt_argv_free(socks);
	}
	if (dopt || host_display) {
		int fd = root_open(c->rootfd, "/tmp/.X11-unix", O_PATH | O_NOFOLLOW);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
			addf(c, "display-x11-unix-not-dir", PT_DOCTOR_WARNING,
			     "make /tmp/.X11-unix in the root a plain directory (mode 1777)",
			     "%s/tmp/.X11-unix is %s (mode 0%o), not a directory: the display "
			     "socket cannot be put there where X clients look",
			     c->prefix, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory",
			     (unsigned)(st.st_mode & 07777));
		if (fd >= 0)
			close(fd);
	}
	if (!(flags & PT_PLAN_PRIVATE_IPC))
		return;
	if (dopt && !dopt->private_ipc)
		addf(c, "display-mit-shm", PT_DOCTOR_ERROR,
		     "leave MIT-SHM off for the nested display (private_ipc)",
		     "the nested display keeps MIT-SHM but the container has its own IPC "
		     "namespace: X clients fail with BadAccess (X_ShmAttach, opcode 130 here or "
		     "another number)");
	else if (!dopt && host_display)
		addf(c, "display-mit-shm", PT_DOCTOR_WARNING,
		     "use --xephyr or --xvfb (MIT-SHM off), or QT_X11_NO_MITSHM=1 for Qt",
		     "the container gets DISPLAY=%s from the host but its own IPC namespace: "
		     "clients that use MIT-SHM on that server fail with BadAccess",
		     host_display);
}

/* ---- audio ---- */

static const struct pt_bind *plan_bind_at(const struct pt_plan *plan, const char *target)
{
	for (size_t i = 0; i < pt_plan_bind_count(plan); i++)
		if (streq(pt_plan_bind(plan, i)->target, target))
			return pt_plan_bind(plan, i);
	return NULL;
}

static const struct pt_file *plan_file_at(const struct pt_plan *plan, const char *target)
{
	for (size_t i = 0; i < pt_plan_file_count(plan); i++)
		if (streq(pt_plan_file(plan, i)->target, target))
			return pt_plan_file(plan, i);
	return NULL;
}

static void check_audio(struct ctx *c)
{
	const struct pt_audio *a = c->opts->audio;
	if (a && !pt_audio_is_running(a))
		addf(c, "audio-no-server", PT_DOCTOR_ERROR,
		     "start PulseAudio or pipewire-pulse, or leave --pulse out",
		     "no sound server answers (state %s, server %s)",
		     pt_audio_state_name(pt_audio_get_state(a)),
		     pt_audio_get_server(a) ? pt_audio_get_server(a) : "none");
	else if (a && pt_audio_get_name(a)) {
		const char *name = pt_audio_get_name(a);
		bool pw = strstr(name, "PipeWire") != NULL;
		addf(c, "audio-server", PT_DOCTOR_INFO, NULL,
		     "the sound server is %s %s%s", name,
		     pt_audio_get_version(a) ? pt_audio_get_version(a) : "(version unknown)",
		     pw ? ": PipeWire's pulse server, the container's libpulse talks to it"
			: ": PulseAudio");
	}
	const struct pt_bind *sock = plan_bind_at(c->plan, PT_AUDIO_SOCKET);
	if (!sock || !c->have_user)
		return;
	struct stat st;
	if (stat(sock->source, &st) < 0)
		return;
	uid_t uid = c->as_root ? c->user.uid : geteuid();
	unsigned sbits = st.st_uid == uid ? (st.st_mode >> 6) & 7 : st.st_mode & 7;
	if (uid != 0 && !(sbits & 2)) {
		addf(c, "audio-socket-no-access", PT_DOCTOR_ERROR,
		     "the server's socket must be writable by the container's user (chmod 0777)",
		     "the pulse socket %s is owner %u, mode 0%o: uid %u cannot connect to it",
		     sock->source, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		     (unsigned)uid);
		return;
	}
	if (uid == st.st_uid || uid == 0)
		return;
	const struct pt_file *cookie = plan_file_at(c->plan, PT_AUDIO_COOKIE);
	if (!cookie)
		addf(c, "audio-no-cookie", PT_DOCTOR_WARNING,
		     "give the server a cookie (~/.config/pulse/cookie) or load "
		     "module-native-protocol-unix auth-anonymous=1",
		     "the pulse socket %s belongs to uid %u, the container's user is uid %u, and "
		     "there is no cookie: the server lets another uid in only with it",
		     sock->source, (unsigned)st.st_uid, (unsigned)uid);
	else if (!(cookie->mode & 0004))
		addf(c, "audio-cookie-unreadable", PT_DOCTOR_WARNING,
		     "make the cookie readable by the container's user",
		     "the cookie %s has mode 0%o: uid %u cannot read it, and the server (uid %u) "
		     "lets another uid in only with it",
		     cookie->target, cookie->mode & 07777, (unsigned)uid, (unsigned)st.st_uid);
	else
		addf(c, "audio-uid-differs", PT_DOCTOR_INFO, NULL,
		     "the pulse socket belongs to uid %u, the container's user is uid %u: it gets "
		     "in with the cookie %s (mode 0%o)",
		     (unsigned)st.st_uid, (unsigned)uid, cookie->target, cookie->mode & 07777);
}

/* ---- the run ---- */

int pt_doctor_run(const struct pt_plan *plan, const struct pt_doctor_opts *opts,
		  struct pt_doctor **ret, struct pt_error *err)
{
	if (!plan)
		return pt_error_setx(err, EINVAL, "doctor: no plan");
	if (opts && (unsigned)opts->min_severity > PT_DOCTOR_ERROR)
		return pt_error_setx(err, EINVAL,
				     "doctor: min_severity %d is none of info, "
				     "warning, error",
				     (int)opts->min_severity);
	static const struct pt_doctor_opts defaults = {0};
	struct ctx c = {
	    .plan = plan,
	    .opts = opts ? opts : &defaults,
	    .root = pt_plan_get_root(plan) ? pt_plan_get_root(plan) : "/",
	    .prefix = pt_plan_get_root(plan) && !streq(pt_plan_get_root(plan), "/")
			  ? pt_plan_get_root(plan)
			  : "",
	    .as_root = geteuid() == 0,
	    .rootfd = -1,
	};
	if (!(c.d = calloc(1, sizeof(*c.d))))
		return pt_error_set(err, ENOMEM, "doctor");
	int r = 0;
	c.rootfd = open(c.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0) {
		int open_errno = errno;
		struct stat st;
		bool exists = stat(c.root, &st) == 0;
		addf(&c, "root-not-directory", PT_DOCTOR_ERROR,
		     "give -D the container's root directory",
		     "%s %s (mode 0%o, errno %d)", c.root,
		     exists ? "is not a directory" : "cannot be opened",
		     exists ? (unsigned)(st.st_mode & 07777) : 0u, open_errno);
	} else {
		check_root(&c);
		r = check_user(&c);
		if (r == 0) {
			check_devices(&c);
			check_drm_drivers(&c);
			check_nvidia_userspace(&c);
			r = doctor_for_each_loader(c.rootfd, loader_finding, &c);
		}
		if (r == 0) {
			check_display(&c);
			check_audio(&c);
		}
	}
	if (c.rootfd >= 0)
		close(c.rootfd);
	userdb_user_done(&c.user);
	free(c.group_text);
	if (r == -ENOMEM || c.d->failed) {
		pt_doctor_free(c.d);
		return pt_error_set(err, ENOMEM, "doctor");
	}
	*ret = c.d;
	return 0;
}

/* ---- output ---- */

char *pt_doctor_to_table(const struct pt_doctor *d, struct pt_error *err)
{
	struct strbuf b = {0};
	size_t ne = pt_doctor_count_severity(d, PT_DOCTOR_ERROR),
	       nw = pt_doctor_count_severity(d, PT_DOCTOR_WARNING),
	       ni = pt_doctor_count_severity(d, PT_DOCTOR_INFO);
	strbuf_printf(&b, "doctor: %zu error%s, %zu warning%s, %zu note%s\n", ne, ne == 1 ? "" : "s",
		      nw, nw == 1 ? "" : "s", ni, ni == 1 ? "" : "s");
	for (size_t i = 0; i < pt_doctor_finding_count(d); i++) {
		const struct pt_doctor_finding *f = pt_doctor_finding(d, i);
		strbuf_printf(&b, "  %-7s %s: %s\n", pt_doctor_severity_name(f->severity), f->code,
			      f->message);
		if (f->hint)
			strbuf_printf(&b, "          hint: %s\n", f->hint);
	}
	char *s = strbuf_steal(&b);
	if (!s)
		pt_error_set(err, ENOMEM, "doctor: table");
	return s;
}

char *pt_doctor_add_to_json(const struct pt_doctor *d, const char *json, struct pt_error *err)
{
	int r = dlopen_json(err);
	if (r < 0)
		return pt_error_prefix(err, "doctor"), NULL;
	struct json_object *root = json_tokener_parse(json);
	if (!root || json_object_get_type(root) != json_type_object) {
		json_object_put(root);
		return pt_error_setx(err, EINVAL, "doctor: the report is not a JSON object"), NULL;
	}
	struct jb b = {0};
	struct json_object *arr = jnew(&b, json_object_new_array());
	for (size_t i = 0; i < pt_doctor_finding_count(d); i++) {
		const struct pt_doctor_finding *f = pt_doctor_finding(d, i);
		struct json_object *o = jnew(&b, json_object_new_object());
		jadd_str(&b, o, "code", f->code);
		jadd_str(&b, o, "severity", pt_doctor_severity_name(f->severity));
		jadd_str(&b, o, "message", f->message);
		jadd_str(&b, o, "hint", f->hint);
		jpush(&b, arr, o);
	}
	jadd(&b, root, "doctor", arr);
	return jb_finish(&b, root, "doctor", err);
}
