/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GPU discovery through udev: DRI nodes grouped per GPU, NVIDIA GPUs by PCI
 * vendor (their nodes: nvidia.c), the checks on every node, selection and
 * the plan.
 *
 * libudev rather than libdrm's drmGetDevices2(): both only read sysfs and
 * /dev, but udev also gives DEVTYPE (to keep minors, not connectors),
 * ID_PATH (by-path names), the bound driver and the platform, USB and
 * virtio parents in one walk, and NVIDIA's GPUs without DRM nodes need
 * udev anyway. */
#include <grp.h>
#include <libudev.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "gpu-private.h"
#include "udev-util.h"


const char *pt_gpu_node_kind_name(enum pt_gpu_node_kind kind)
{
	switch (kind) {
	case PT_GPU_NODE_CARD:
		return "card";
	case PT_GPU_NODE_RENDER:
		return "render";
	case PT_GPU_NODE_DRM_OTHER:
		return "drm";
	case PT_GPU_NODE_NVIDIA:
		return "nvidia";
	case PT_GPU_NODE_NVIDIACTL:
		return "nvidiactl";
	case PT_GPU_NODE_NVIDIA_MODESET:
		return "nvidia-modeset";
	case PT_GPU_NODE_NVIDIA_UVM:
		return "nvidia-uvm";
	case PT_GPU_NODE_NVIDIA_UVM_TOOLS:
		return "nvidia-uvm-tools";
	case PT_GPU_NODE_NVIDIA_CAP:
		return "nvidia-cap";
	}
	return "unknown";
}

/* What a missing node breaks, per kind; NULL: optional, no warning. */
static int warn_missing(struct pt_gpu_list *l, const struct pt_gpu_node *n)
{
	switch (n->kind) {
	case PT_GPU_NODE_NVIDIA:
		return gpu_list_warn(l, "nvidia-no-device-node",
				     "%s is missing: this NVIDIA GPU cannot be used "
				     "(nvidia-modprobe -c %u creates it)",
				     n->path, n->minor);
	case PT_GPU_NODE_NVIDIACTL:
		return gpu_list_warn(l, "nvidia-no-device-node",
				     "%s is missing: no NVIDIA GPU can be used "
				     "(nvidia-modprobe -c 0 creates it)",
				     n->path);
	case PT_GPU_NODE_NVIDIA_MODESET:
		return gpu_list_warn(l, "nvidia-modeset-missing",
				     "%s is missing: Vulkan and X fail in the container "
				     "(nvidia-modprobe -m creates it)",
				     n->path);
	case PT_GPU_NODE_NVIDIA_UVM:
		return gpu_list_warn(l, "nvidia-uvm-missing",
				     "%s is missing: CUDA fails in the container "
				     "(nvidia-modprobe -u -c 0 creates it)",
				     n->path);
	case PT_GPU_NODE_NVIDIA_UVM_TOOLS:
		return 0; /* only profilers need it */
	default:
		return gpu_list_warn(l, "node-missing",
				     "%s is missing although sysfs lists it (%u:%u)", n->path,
				     n->major, n->minor);
	}
}

/* The group's name, or NULL when it has none: 0 or -ENOMEM. */
static int group_name(gid_t gid, const char **ret)
{
	char buf[4096];
	struct group gr, *res = NULL;
	*ret = NULL;
	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return 0;
	return (*ret = strdup(res->gr_name)) ? 0 : -ENOMEM;
}

static int node_check(struct pt_gpu_list *l, struct pt_gpu_node *n, unsigned check)
{
	struct stat st;
	if (stat(n->path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return warn_missing(l, n);
		return gpu_list_warn(l, "node-missing", "cannot stat %s: %s", n->path,
				     strerror(errno));
	}
	if (!S_ISCHR(st.st_mode))
		return gpu_list_warn(l, "node-mismatch",
				     "%s is not a character device: not passed to containers",
				     n->path);
	n->exists = true;
	n->actual_major = major(st.st_rdev);
	n->actual_minor = minor(st.st_rdev);
	if (!(check & NODE_CHECK_MAJOR))
		n->major = n->actual_major;
	if (!(check & NODE_CHECK_MINOR))
		n->minor = n->actual_minor;
	n->gid = st.st_gid;
	if (group_name(st.st_gid, &n->group) < 0)
		return -ENOMEM;
	n->matches = n->actual_major == n->major && n->actual_minor == n->minor;
	if (!n->matches)
		return gpu_list_warn(l, "node-mismatch",
				     "%s is %u:%u but %s says %u:%u: not passed to containers",
				     n->path, n->actual_major, n->actual_minor,
				     n->kind <= PT_GPU_NODE_DRM_OTHER ? "sysfs" : "/proc", n->major,
				     n->minor);
	/* GPUs are opened read-write, NVIDIA's capability nodes read-only;
	 * access() asks with the real ids, the user's also in a set-id tool. */
	int mode = n->kind == PT_GPU_NODE_NVIDIA_CAP ? R_OK : R_OK | W_OK;
	n->accessible = access(n->path, mode) == 0;
	if (!n->accessible) {
		if (n->group)
			return gpu_list_warn(l, "node-no-access",
					     "you cannot open %s (group %s, mode %04o): "
					     "join group %s",
					     n->path, n->group, st.st_mode & 07777, n->group);
		return gpu_list_warn(l, "node-no-access", "you cannot open %s (gid %u, mode %04o)",
				     n->path, (unsigned)st.st_gid, st.st_mode & 07777);
	}
	return 0;
}

int gpu_node_add(struct pt_gpu_list *l, struct node_vec *v, const char *path,
		 enum pt_gpu_node_kind kind, unsigned major, unsigned minor, unsigned check,
		 const char *by_path)
{
	void *p = v->v;
	if (grow_array(&p, &v->alloc, v->n + 1, sizeof(*v->v)) < 0)
		return -ENOMEM;
	v->v = p;
	struct pt_gpu_node *n = &v->v[v->n];
	*n = (struct pt_gpu_node){.kind = kind, .major = major, .minor = minor};
	if (!(n->path = strdup(path)) || (by_path && !(n->by_path = strdup(by_path)))) {
		free((char *)n->path);
		return -ENOMEM;
	}
	v->n++;
	return node_check(l, n, check);
}

static void node_vec_done(struct node_vec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free((char *)v->v[i].path);
		free((char *)v->v[i].group);
		free((char *)v->v[i].by_path);
	}
	free(v->v);
}

static void gpu_entry_done(struct gpu_entry *g)
{
	free((char *)g->pub.syspath);
	free((char *)g->pub.bus);
	free((char *)g->pub.name);
	free((char *)g->pub.pci);
	free((char *)g->pub.driver);
	free((char *)g->pub.id_path);
	free((char *)g->pub.uuid);
	free((char *)g->pub.model);
	node_vec_done(&g->nodes);
}

void pt_gpu_list_free(struct pt_gpu_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_gpus; i++)
		gpu_entry_done(&l->gpus[i]);
	free(l->gpus);
	node_vec_done(&l->nvidia_nodes);
	free((char *)l->nvidia.driver_version);
	warnings_done(&l->warnings);
	free(l);
}

static const char *vendor_name(unsigned id)
{
	static const struct {
		unsigned id;
		const char *name;
	} vendors[] = {
		{0x10de, "nvidia"}, {0x1002, "amd"},    {0x8086, "intel"},  {0x1af4, "virtio"},
		{0x1234, "qemu"},   {0x15ad, "vmware"}, {0x1a03, "aspeed"}, {0x102b, "matrox"},
		{0x5143, "qualcomm"},
	};
	for (size_t i = 0; i < ELEMENTSOF(vendors); i++)
		if (vendors[i].id == id)
			return vendors[i].name;
	return NULL;
}

static unsigned hex_attr(struct udev_device *d, const char *name)
{
	const char *v = udev_device_get_sysattr_value(d, name);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long x = strtoul(v, &end, 16);
	if (errno || end == v || x > 0xffff)
		return 0;
	return (unsigned)x;
}

static int dup_or_null(const char *s, const char **ret)
{
	*ret = NULL;
	if (s && !(*ret = strdup(s)))
		return -ENOMEM;
	return 0;
}

/* The GPU whose nodes hang below device dev, added on first sight. */
static int gpu_get(struct pt_gpu_list *l, struct udev_device *dev, struct gpu_entry **ret)
{
	const char *syspath = udev_device_get_syspath(dev);
	for (size_t i = 0; i < l->n_gpus; i++)
		if (streq(l->gpus[i].pub.syspath, syspath)) {
			*ret = &l->gpus[i];
			return 0;
		}
	void *p = l->gpus;
	if (grow_array(&p, &l->a_gpus, l->n_gpus + 1, sizeof(*l->gpus)) < 0)
		return -ENOMEM;
	l->gpus = p;
	struct gpu_entry *g = &l->gpus[l->n_gpus++];
	*g = (struct gpu_entry){0};

	const char *bus = udev_device_get_subsystem(dev);
	/* virtio-gpu's DRM nodes hang below virtioN, whose parent is the PCI
	 * device; a USB GPU's PCI ancestor is the USB controller, not it. */
	struct udev_device *pci = NULL;
	if (bus && streq(bus, "pci"))
		pci = dev;
	else if (bus && streq(bus, "virtio")) {
		struct udev_device *up = udev_device_get_parent(dev);
		const char *s = up ? udev_device_get_subsystem(up) : NULL;
		if (s && streq(s, "pci"))
			pci = up;
	}
	if (dup_or_null(syspath, &g->pub.syspath) < 0 || dup_or_null(bus, &g->pub.bus) < 0 ||
	    dup_or_null(udev_device_get_sysname(dev), &g->pub.name) < 0 ||
	    dup_or_null(udev_device_get_driver(dev), &g->pub.driver) < 0 ||
	    dup_or_null(pci ? udev_device_get_sysname(pci) : NULL, &g->pub.pci) < 0)
		return -ENOMEM;
	if (pci) {
		g->pub.vendor_id = hex_attr(pci, "vendor");
		g->pub.device_id = hex_attr(pci, "device");
		g->pub.vendor = vendor_name(g->pub.vendor_id);
		const char *boot = udev_device_get_sysattr_value(pci, "boot_vga");
		g->pub.boot_vga = boot && boot[0] == '1';
	}
	*ret = g;
	return 0;
}

static enum pt_gpu_node_kind drm_kind(const char *sysname, const char **suffix)
{
	if (startswith(sysname, "card")) {
		*suffix = "card";
		return PT_GPU_NODE_CARD;
	}
	if (startswith(sysname, "renderD")) {
		*suffix = "render";
		return PT_GPU_NODE_RENDER;
	}
	*suffix = NULL;
	return PT_GPU_NODE_DRM_OTHER;
}

/* One device of subsystem drm: a minor's node, added to its GPU. */
static int drm_minor_add(struct udev_device *d, void *data)
{
	struct pt_gpu_list *l = data;
	/* Connectors (card0-DP-1) share the subsystem; only minors have nodes. */
	const char *type = udev_device_get_devtype(d);
	const char *node = udev_device_get_devnode(d);
	struct udev_device *parent = udev_device_get_parent(d);
	if (!type || !streq(type, "drm_minor") || !node || !parent)
		return 0;
	struct gpu_entry *g;
	int r = gpu_get(l, parent, &g);
	if (r < 0)
		return r;
	const char *id_path = udev_device_get_property_value(d, "ID_PATH");
	if (id_path && !g->pub.id_path && !(g->pub.id_path = strdup(id_path)))
		return -ENOMEM;
	const char *suffix;
	enum pt_gpu_node_kind kind = drm_kind(udev_device_get_sysname(d), &suffix);
	_cleanup_free_ char *by_path = NULL;
	if (id_path && suffix && asprintf(&by_path, "/dev/dri/by-path/%s-%s", id_path, suffix) < 0)
		return -ENOMEM;
	dev_t devnum = udev_device_get_devnum(d);
	return gpu_node_add(l, &g->nodes, node, kind, major(devnum), minor(devnum), NODE_CHECK_ALL,
			    by_path);
}

static int probe_drm(struct pt_gpu_list *l, struct udev *udev)
{
	/* Not UDEV_FOREACH_SCAN_STRICT: no /sys/class/drm is zero GPUs, not an
	 * error. */
	return udev_foreach_device(udev, "drm", NULL, NULL, 0, drm_minor_add, l);
}

/* NVIDIA GPUs whose DRM nodes are absent (nvidia-drm not loaded) are still
 * GPUs: CUDA needs only /dev/nvidiaN. */
static int nvidia_pci_add(struct udev_device *d, void *data)
{
	/* Display controllers: 0x0300 VGA, 0x0302 3D (data-centre GPUs). */
	const char *class = udev_device_get_sysattr_value(d, "class");
	if (!class || !startswith(class, "0x03"))
		return 0;
	struct gpu_entry *g;
	return gpu_get(data, d, &g);
}

static int probe_nvidia_pci(struct pt_gpu_list *l, struct udev *udev)
{
	return udev_foreach_device(udev, "pci", "vendor", "0x10de", 0, nvidia_pci_add, l);
}

/* PCI GPUs first, in address order, then the others by sysfs path: the
 * order of "--gpu=N" must not depend on the order udev walked in. */
static int cmp_gpu(const void *a, const void *b)
{
	const struct pt_gpu *x = &((const struct gpu_entry *)a)->pub;
	const struct pt_gpu *y = &((const struct gpu_entry *)b)->pub;
	if (!x->pci != !y->pci)
		return x->pci ? -1 : 1;
	if (x->pci)
		return strcmp(x->pci, y->pci);
	return strcmp(x->syspath, y->syspath);
}

static int probe(struct pt_gpu_list *l)
{
	_cleanup_(udev_unrefp) struct udev *udev = udev_new();
	if (!udev)
		return -ENOMEM;
	int r = probe_drm(l, udev);
	if (r < 0)
		return r;
	r = probe_nvidia_pci(l, udev);
	if (r < 0)
		return r;
	if (l->n_gpus > 1)
		qsort(l->gpus, l->n_gpus, sizeof(*l->gpus), cmp_gpu);
	r = nvidia_probe(l);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n_gpus; i++) {
		struct gpu_entry *g = &l->gpus[i];
		g->pub.index = i;
		g->pub.nodes = g->nodes.v;
		g->pub.n_nodes = g->nodes.n;
	}
	l->nvidia.nodes = l->nvidia_nodes.v;
	l->nvidia.n_nodes = l->nvidia_nodes.n;
	return 0;
}

int pt_gpu_probe(struct pt_gpu_list **ret, struct pt_error *err)
{
	struct pt_gpu_list *l = calloc(1, sizeof(*l));
	if (!l)
		return pt_error_set(err, ENOMEM, "gpu probe");
	int r = probe(l);
	if (r < 0) {
		pt_gpu_list_free(l);
		return pt_error_set(err, -r, "gpu probe");
	}
	*ret = l;
	return 0;
}

size_t pt_gpu_list_count(const struct pt_gpu_list *l) { return l ? l->n_gpus : 0; }

const struct pt_gpu *pt_gpu_list_get(const struct pt_gpu_list *l, size_t i)
{
	return l && i < l->n_gpus ? &l->gpus[i].pub : NULL;
}

size_t pt_gpu_node_count(const struct pt_gpu *g) { return g ? g->n_nodes : 0; }

const struct pt_gpu_node *pt_gpu_node(const struct pt_gpu *g, size_t i)
{
	return g && i < g->n_nodes ? &g->nodes[i] : NULL;
}

size_t pt_nvidia_node_count(const struct pt_nvidia *n) { return n ? n->n_nodes : 0; }

const struct pt_gpu_node *pt_nvidia_node(const struct pt_nvidia *n, size_t i)
{
	return n && i < n->n_nodes ? &n->nodes[i] : NULL;
}

const struct pt_nvidia *pt_gpu_list_nvidia(const struct pt_gpu_list *l)
{
	return l && l->has_nvidia ? &l->nvidia : NULL;
}

size_t pt_gpu_list_warning_count(const struct pt_gpu_list *l) { return l ? l->warnings.n : 0; }

const struct pt_warning *pt_gpu_list_warning(const struct pt_gpu_list *l, size_t i)
{
	return l ? warnings_get(&l->warnings, i) : NULL;
}

struct pt_gpu_selection {
	size_t n;
	bool render_only;
	bool chosen[];
};

void pt_gpu_selection_free(struct pt_gpu_selection *s) { free(s); }

bool pt_gpu_selection_has(const struct pt_gpu_selection *s, size_t i)
{
	return s && i < s->n && s->chosen[i];
}

bool pt_gpu_selection_render_only(const struct pt_gpu_selection *s)
{
	return s && s->render_only;
}

/* "here: 0 (0000:00:02.0 intel i915), 1 (...)" for an error message. */
static char *describe_gpus(const struct pt_gpu_list *l)
{
	struct strbuf b = {0};
	if (l->n_gpus == 0)
		strbuf_puts(&b, "this machine has no GPU");
	else
		strbuf_puts(&b, "GPUs here:");
	for (size_t i = 0; i < l->n_gpus; i++) {
		const struct pt_gpu *g = &l->gpus[i].pub;
		strbuf_printf(&b, "%s %zu (%s %s %s)", i ? "," : "", i, g->pci ? g->pci : g->name,
			      g->vendor ? g->vendor : "unknown-vendor",
			      g->driver ? g->driver : "no-driver");
	}
	return strbuf_steal(&b);
}

static bool term_matches(const struct pt_gpu *g, const char *term)
{
	if (strchr(term, ':')) {
		/* A PCI address, with its domain or without ("01:00.0"). */
		if (!g->pci)
			return false;
		if (strcasecmp(g->pci, term) == 0)
			return true;
		size_t n = strlen(g->pci), t = strlen(term);
		return t < n && g->pci[n - t - 1] == ':' && strcasecmp(g->pci + n - t, term) == 0;
	}
	return (g->vendor && strcasecmp(g->vendor, term) == 0) ||
	       (g->driver && strcasecmp(g->driver, term) == 0);
}

/* "GPU-<uuid>" or a prefix of it that names one GPU, as CUDA and
 * NVIDIA_VISIBLE_DEVICES take it. */
static int select_uuid(const struct pt_gpu_list *l, struct pt_gpu_selection *s, const char *term,
		       bool *any, struct pt_error *err)
{
	size_t n = 0, hit = 0, t = strlen(term);
	for (size_t i = 0; i < l->n_gpus; i++) {
		const char *u = l->gpus[i].pub.uuid;
		if (u && strcasecmp(u, term) == 0) {
			n = 1, hit = i;
			break;
		}
		if (u && strncasecmp(u, term, t) == 0)
			n++, hit = i;
	}
	if (n == 1) {
		s->chosen[hit] = *any = true;
		return 0;
	}
	if (n == 0)
		return 0;
	struct strbuf b = {0};
	for (size_t i = 0; i < l->n_gpus; i++) {
		const char *u = l->gpus[i].pub.uuid;
		if (u && strncasecmp(u, term, t) == 0)
			strbuf_printf(&b, "%s%zu (%s)", b.len ? ", " : "", i, u);
	}
	_cleanup_free_ char *list = strbuf_steal(&b);
	if (!list)
		return pt_error_set(err, ENOMEM, "GPU selector");
	return pt_error_setx(err, EINVAL, "GPU selector '%s' is ambiguous: it matches %s", term,
			     list);
}

static int select_term(const struct pt_gpu_list *l, struct pt_gpu_selection *s, const char *term,
		       struct pt_error *err)
{
	bool any = false;
	if (strncasecmp(term, "GPU-", 4) == 0) {
		int r = select_uuid(l, s, term, &any, err);
		if (r < 0)
			return r;
	} else if (streq(term, "all")) {
		for (size_t i = 0; i < l->n_gpus; i++)
			s->chosen[i] = any = true;
	} else if (term[strspn(term, "0123456789")] == '\0') {
		char *end;
		errno = 0;
		unsigned long i = strtoul(term, &end, 10);
		if (!errno && i < l->n_gpus)
			s->chosen[i] = any = true;
	} else {
		for (size_t i = 0; i < l->n_gpus; i++)
			if (term_matches(&l->gpus[i].pub, term))
				s->chosen[i] = any = true;
	}
	if (any)
		return 0;
	if (l->n_gpus == 0 && streq(term, "all"))
		return pt_error_setx(err, ENODEV, "this machine has no GPU (passthru-probe says why)");
	if (l->n_gpus == 0)
		return pt_error_setx(err, ENODEV,
				     "GPU selector '%s': this machine has no GPU (passthru-probe says why)",
				     term);
	_cleanup_free_ char *here = describe_gpus(l);
	if (!here)
		return pt_error_set(err, ENOMEM, "GPU selector");
	return pt_error_setx(err, EINVAL, "GPU selector '%s' matches no GPU; %s", term, here);
}

int pt_gpu_select(const struct pt_gpu_list *l, const char *sel, struct pt_gpu_selection **ret,
		  struct pt_error *err)
{
	_cleanup_free_ struct pt_gpu_selection *s =
		calloc(1, sizeof(*s) + l->n_gpus * sizeof(s->chosen[0]));
	if (!s)
		return pt_error_set(err, ENOMEM, "GPU selector");
	s->n = l->n_gpus;
	_cleanup_free_ char *copy = strdup(sel ? sel : "");
	if (!copy)
		return pt_error_set(err, ENOMEM, "GPU selector");

	bool any_term = false;
	/* strtok_r would silently skip empty terms ("0,,1"): a typo to report. */
	for (char *p = copy, *next; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!*p) {
			if (!next && !any_term && p == copy)
				break; /* "" as a whole: every GPU */
			return pt_error_setx(err, EINVAL, "GPU selector '%s': empty term", sel);
		}
		if (streq(p, "render")) {
			s->render_only = true;
			continue;
		}
		any_term = true;
		int r = select_term(l, s, p, err);
		if (r < 0)
			return r;
	}
	if (!any_term) {
		int r = select_term(l, s, "all", err);
		if (r < 0)
			return r;
	}
	*ret = steal_pointer(&s);
	return 0;
}

static bool node_wanted(const struct pt_gpu_node *n, bool render_only)
{
	if (!n->exists || !n->matches)
		return false; /* a warning of the probe already says why */
	if (render_only && (n->kind == PT_GPU_NODE_CARD || n->kind == PT_GPU_NODE_DRM_OTHER ||
			    n->kind == PT_GPU_NODE_NVIDIA_MODESET))
		return false;
	return true;
}

static int add_node(struct pt_plan *plan, const struct pt_gpu_node *n, size_t *added,
		    struct pt_error *err)
{
	int r = pt_plan_add_device(plan, n->path, 'c', n->actual_major, n->actual_minor, "rw", err);
	if (r < 0)
		return pt_error_prefix(err, "gpu");
	(*added)++;
	return 0;
}

int pt_gpu_add_to_plan(const struct pt_gpu_list *l, const struct pt_gpu_selection *s,
		       struct pt_plan *plan, struct pt_error *err)
{
	size_t added = 0;
	bool nvidia = false;
	for (size_t i = 0; i < l->n_gpus; i++) {
		if (!pt_gpu_selection_has(s, i))
			continue;
		const struct gpu_entry *g = &l->gpus[i];
		for (size_t j = 0; j < g->nodes.n; j++) {
			const struct pt_gpu_node *n = &g->nodes.v[j];
			if (n->kind == PT_GPU_NODE_NVIDIA)
				nvidia = true;
			if (!node_wanted(n, s->render_only))
				continue;
			int r = add_node(plan, n, &added, err);
			if (r < 0)
				return r;
		}
	}
	/* The shared nodes belong to every NVIDIA GPU: CUDA opens nvidiactl and
	 * nvidia-uvm besides /dev/nvidiaN. */
	for (size_t j = 0; nvidia && j < l->nvidia_nodes.n; j++) {
		const struct pt_gpu_node *n = &l->nvidia_nodes.v[j];
		if (!node_wanted(n, s->render_only))
			continue;
		int r = add_node(plan, n, &added, err);
		if (r < 0)
			return r;
	}
	if (added == 0)
		return pt_error_setx(err, ENODEV,
				     "gpu: the chosen GPUs have no usable device node (see "
				     "passthru-probe)");
	return 0;
}

int pt_gpu_add_selected(struct pt_plan *plan, const char *sel, struct pt_gpu_list **ret_list,
			struct pt_error *err)
{
	struct pt_gpu_list *l = NULL;
	struct pt_gpu_selection *s = NULL;
	if (ret_list)
		*ret_list = NULL;
	int r = pt_gpu_probe(&l, err);
	if (r < 0)
		return r;
	r = pt_gpu_select(l, sel, &s, err);
	if (r == 0)
		r = pt_gpu_add_to_plan(l, s, plan, err);
	pt_gpu_selection_free(s);
	if (ret_list)
		*ret_list = l;
	else
		pt_gpu_list_free(l);
	return r;
}
