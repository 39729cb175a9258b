/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe report: each section's probe, and the report as JSON (json-c)
 * and as a table. Each section has one place in pt_probe_run(), one in
 * to_json() and one in pt_probe_to_table(); new sections go beside "gpus". */
#include <stdarg.h>

#include "audio-report.h"
#include "desktop-report.h"
#include "dlopen-drm.h"
#include "json-build.h"
#include "passthru/audio.h"
#include "passthru/probe.h"
#include "util.h"
#include "warnings.h"

struct pt_probe {
	struct pt_gpu_list *gpus;
	/* The kernel DRM driver of each GPU node, GPU after GPU in list order
	 * (n_drm_drivers = all their nodes); NULL where unknown. */
	char **drm_drivers;
	size_t n_drm_drivers;
	/* Section: audio: one lookup, shown by both views. */
	struct pt_audio *audio;
	struct pt_error audio_why;
	/* Section: desktop (Wayland, PipeWire, the host X protection). */
	struct desktop_info *desktop;
	/* Section: NVIDIA userspace, when the module is loaded or asked for. */
	struct pt_nvidia_driver *nvdriver;
	struct pt_error nvdriver_why;
	bool nvdriver_probed;
	/* Warnings of the report itself (a section that could not run); the
	 * sections' own warnings stay in their objects. */
	struct warnings warnings;
};

void pt_probe_free(struct pt_probe *p)
{
	if (!p)
		return;
	pt_gpu_list_free(p->gpus);
	for (size_t i = 0; i < p->n_drm_drivers; i++)
		free(p->drm_drivers[i]);
	free(p->drm_drivers);
	pt_audio_free(p->audio);
	desktop_info_free(p->desktop);
	pt_nvidia_driver_free(p->nvdriver);
	warnings_done(&p->warnings);
	free(p);
}

static bool is_drm(const struct pt_gpu_node *nd)
{
	return nd->kind == PT_GPU_NODE_CARD || nd->kind == PT_GPU_NODE_RENDER ||
	       nd->kind == PT_GPU_NODE_DRM_OTHER;
}

/* A GPU the kernel has put to sleep (runtime PM): opening one of its
 * nodes would wake it, which a probe must not do to a laptop's dGPU. */
static bool runtime_suspended(const struct pt_gpu *g)
{
	_cleanup_free_ char *path = NULL;
	if (!g->syspath || asprintf(&path, "%s/power/runtime_status", g->syspath) < 0)
		return false;
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char buf[32] = "";
	return f && fgets(buf, sizeof(buf), f) && startswith(buf, "suspended");
}

/* Asks each GPU once (its render node, else another DRM node: every minor
 * of a device has the same driver) and gives the answer to all its DRM
 * nodes. Only a node the caller may open is asked (the others are already
 * a warning). Without libdrm the names stay unknown, with one warning. */
static int probe_drm_drivers(struct pt_probe *p)
{
	size_t n = pt_gpu_list_count(p->gpus), total = 0;
	for (size_t i = 0; i < n; i++)
		total += pt_gpu_list_get(p->gpus, i)->n_nodes;
	if (total == 0)
		return 0;
	if (!(p->drm_drivers = calloc(total, sizeof(char *))))
		return -ENOMEM;
	p->n_drm_drivers = total;
	bool warned = false;
	for (size_t i = 0, k = 0; i < n; k += pt_gpu_list_get(p->gpus, i)->n_nodes, i++) {
		const struct pt_gpu *g = pt_gpu_list_get(p->gpus, i);
		const struct pt_gpu_node *ask = NULL;
		for (size_t j = 0; j < g->n_nodes; j++)
			if (is_drm(&g->nodes[j]) && g->nodes[j].accessible && g->nodes[j].matches &&
			    (!ask || g->nodes[j].kind == PT_GPU_NODE_RENDER))
				ask = &g->nodes[j];
		if (!ask || runtime_suspended(g))
			continue;
		_cleanup_free_ char *name = NULL;
		struct pt_error e = {0};
		int r = drm_node_driver(ask->path, &name, &e);
		if (r == -ENOMEM || (r < 0 && !warned && warnings_add(&p->warnings, "drm-driver-unknown", "%s", e.message) < 0))
			return -ENOMEM;
		warned |= r < 0;
		for (size_t j = 0; name && j < g->n_nodes; j++)
			if (is_drm(&g->nodes[j]) && !(p->drm_drivers[k + j] = strdup(name)))
				return -ENOMEM;
	}
	return 0;
}

int pt_probe_run(struct pt_probe **ret, struct pt_error *err)
{
	struct pt_probe *p = calloc(1, sizeof(*p));
	if (!p)
		return pt_error_set(err, ENOMEM, "probe");

	/* Section: GPUs. */
	struct pt_error e = {0};
	int r = pt_gpu_probe(&p->gpus, &e);
	if (r == -ENOMEM || (r < 0 && warnings_add(&p->warnings, "gpu-probe-failed", "%s", e.message) < 0) ||
	    probe_drm_drivers(p) < 0) {
		pt_probe_free(p);
		return pt_error_set(err, ENOMEM, "probe");
	}

	/* Section: audio. */
	pt_audio_find(NULL, &p->audio, &p->audio_why);
	if (!p->audio) {
		pt_probe_free(p);
		return pt_error_set(err, ENOMEM, "probe");
	}

	/* Section: NVIDIA userspace, for a loaded module. */
	if (pt_gpu_list_nvidia(p->gpus) && pt_probe_nvidia_driver(p, NULL, err) < 0) {
		pt_probe_free(p);
		return -ENOMEM;
	}

	/* Section: desktop. */
	if (!(p->desktop = desktop_info_new())) {
		pt_probe_free(p);
		return pt_error_set(err, ENOMEM, "probe");
	}

	*ret = p;
	return 0;
}

int pt_probe_nvidia_driver(struct pt_probe *p, const struct pt_nvidia_driver_opts *opts,
			   struct pt_error *err)
{
	pt_nvidia_driver_free(p->nvdriver);
	p->nvdriver = NULL;
	pt_error_clear(&p->nvdriver_why);
	p->nvdriver_probed = true;
	if (pt_nvidia_driver_probe(opts, &p->nvdriver, &p->nvdriver_why) == -ENOMEM)
		return pt_error_set(err, ENOMEM, "probe");
	return 0;
}

const struct pt_gpu_list *pt_probe_gpus(const struct pt_probe *p) { return p ? p->gpus : NULL; }

size_t pt_probe_warning_count(const struct pt_probe *p)
{
	return p ? p->warnings.n + pt_gpu_list_warning_count(p->gpus) +
			   pt_nvidia_driver_warning_count(p->nvdriver)
		 : 0;
}

const struct pt_warning *pt_probe_warning(const struct pt_probe *p, size_t i)
{
	if (!p)
		return NULL;
	if (i < p->warnings.n)
		return warnings_get(&p->warnings, i);
	i -= p->warnings.n;
	if (i < pt_gpu_list_warning_count(p->gpus))
		return pt_gpu_list_warning(p->gpus, i);
	return pt_nvidia_driver_warning(p->nvdriver, i - pt_gpu_list_warning_count(p->gpus));
}

static void jadd_hex(struct jb *b, struct json_object *o, const char *key, unsigned v)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "0x%04x", v);
	jadd_str(b, o, key, v ? buf : NULL);
}

/* drivers: each node's DRM driver (NULL: all unknown). */
static struct json_object *nodes_json(struct jb *b, const struct pt_gpu_node *nodes, size_t n,
				      char *const *drivers)
{
	struct json_object *arr = jnew(b, json_object_new_array());
	for (size_t i = 0; i < n; i++) {
		const struct pt_gpu_node *nd = &nodes[i];
		struct json_object *o = jnew(b, json_object_new_object());
		jadd_str(b, o, "path", nd->path);
		jadd_str(b, o, "kind", pt_gpu_node_kind_name(nd->kind));
		jadd_int(b, o, "major", nd->major);
		jadd_int(b, o, "minor", nd->minor);
		jadd_bool(b, o, "exists", nd->exists);
		jadd_bool(b, o, "matches", nd->matches);
		jadd_str(b, o, "group", nd->group);
		jadd_bool(b, o, "accessible", nd->accessible);
		jadd_str(b, o, "by_path", nd->by_path);
		jadd_str(b, o, "drm_driver", drivers ? drivers[i] : NULL);
		jpush(b, arr, o);
	}
	return arr;
}

/* nvidia.userspace: {version, libraries [{path, soname, arch}], files,
 * missing}; a probe that found no driver: its error alone in missing. */
static void nvdriver_json(struct jb *b, struct json_object *nv, const struct pt_probe *p)
{
	if (!p->nvdriver_probed)
		return;
	const struct pt_nvidia_driver *d = p->nvdriver;
	struct json_object *o = jnew(b, json_object_new_object());
	jadd_str(b, o, "version", d ? pt_nvidia_driver_version(d) : NULL);
	struct json_object *libs = jnew(b, json_object_new_array());
	for (size_t i = 0; i < pt_nvidia_driver_library_count(d); i++) {
		const struct pt_nvidia_library *l = pt_nvidia_driver_library(d, i);
		struct json_object *lo = jnew(b, json_object_new_object());
		jadd_str(b, lo, "path", l->path);
		jadd_str(b, lo, "soname", l->soname);
		jadd_str(b, lo, "arch", l->arch);
		jpush(b, libs, lo);
	}
	jadd(b, o, "libraries", libs);
	struct json_object *files = jnew(b, json_object_new_array());
	for (size_t i = 0; i < pt_nvidia_driver_file_count(d); i++)
		jpush(b, files, jnew(b, json_object_new_string(pt_nvidia_driver_file(d, i))));
	jadd(b, o, "files", files);
	struct json_object *missing = jnew(b, json_object_new_array());
	for (size_t i = 0; i < pt_nvidia_driver_warning_count(d); i++)
		jpush(b, missing,
		      jnew(b, json_object_new_string(pt_nvidia_driver_warning(d, i)->message)));
	if (!d)
		jpush(b, missing, jnew(b, json_object_new_string(p->nvdriver_why.message)));
	jadd(b, o, "missing", missing);
	jadd(b, nv, "userspace", o);
}

static void gpus_json(struct jb *b, struct json_object *root, const struct pt_probe *p)
{
	const struct pt_gpu_list *l = p->gpus;
	struct json_object *arr = jnew(b, json_object_new_array());
	for (size_t i = 0, k = 0; i < pt_gpu_list_count(l); i++) {
		const struct pt_gpu *g = pt_gpu_list_get(l, i);
		struct json_object *o = jnew(b, json_object_new_object());
		jadd_int(b, o, "index", (int64_t)g->index);
		jadd_str(b, o, "pci", g->pci);
		jadd_hex(b, o, "vendor_id", g->vendor_id);
		jadd_hex(b, o, "device_id", g->device_id);
		jadd_str(b, o, "vendor", g->vendor);
		jadd_str(b, o, "driver", g->driver);
		jadd_bool(b, o, "boot_vga", g->boot_vga);
		jadd_str(b, o, "bus", g->bus);
		jadd_str(b, o, "name", g->name);
		jadd_str(b, o, "id_path", g->id_path);
		jadd_str(b, o, "uuid", g->uuid);
		jadd_str(b, o, "model", g->model);
		jadd(b, o, "nodes",
		     nodes_json(b, g->nodes, g->n_nodes, p->drm_drivers ? p->drm_drivers + k : NULL));
		k += g->n_nodes;
		jpush(b, arr, o);
	}
	jadd(b, root, "gpus", arr);

	const struct pt_nvidia *nv = pt_gpu_list_nvidia(l);
	struct json_object *o = NULL;
	if (nv || p->nvdriver_probed)
		o = jnew(b, json_object_new_object());
	if (nv) {
		jadd_str(b, o, "driver_version", nv->driver_version);
		jadd_int(b, o, "major", nv->major);
		jadd(b, o, "nodes", nodes_json(b, nv->nodes, nv->n_nodes, NULL));
	}
	/* Section: NVIDIA userspace, inside "nvidia". */
	nvdriver_json(b, o, p);
	jadd(b, root, "nvidia", o);
}

static struct json_object *to_json(struct jb *b, const struct pt_probe *p)
{
	struct json_object *root = jnew(b, json_object_new_object());
	/* Section: GPUs. */
	gpus_json(b, root, p);
	/* Section: audio (a new reference: the probe keeps its own). */
	struct json_object *audio = NULL;
	if (audio_report_json(p->audio, &p->audio_why, &audio, NULL) < 0)
		b->failed = true;
	jadd(b, root, "audio", audio);
	/* Section: desktop. */
	struct json_object *desktop = NULL;
	if (desktop_report_json(p->desktop, &desktop) < 0)
		b->failed = true;
	jadd(b, root, "desktop", desktop);

	struct json_object *warnings = jnew(b, json_object_new_array());
	for (size_t i = 0; i < pt_probe_warning_count(p); i++) {
		const struct pt_warning *w = pt_probe_warning(p, i);
		struct json_object *o = jnew(b, json_object_new_object());
		jadd_str(b, o, "code", w->code);
		jadd_str(b, o, "message", w->message);
		jpush(b, warnings, o);
	}
	jadd(b, root, "warnings", warnings);
	return root;
}

char *pt_probe_to_json(const struct pt_probe *p, struct pt_error *err)
{
	if (dlopen_json(err) < 0) {
		pt_error_prefix(err, "probe");
		return NULL;
	}
	struct jb b = {0};
	struct json_object *root = to_json(&b, p);
	return jb_finish(&b, root, "probe", err);
}

/* A table: rows of cells, printed with each column as wide as its widest
 * cell, two spaces apart. */
struct table {
	char **cells;
	size_t ncols, n, alloc;
	bool failed;
};

static void table_cell(struct table *t, const char *fmt, ...) _printf_(2, 3);
static void table_cell(struct table *t, const char *fmt, ...)
{
	void *p = t->cells;
	if (t->failed || grow_array(&p, &t->alloc, t->n + 1, sizeof(char *)) < 0) {
		t->failed = true;
		return;
	}
	t->cells = p;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&t->cells[t->n], fmt, ap) < 0)
		t->failed = true;
	else
		t->n++;
	va_end(ap);
}

/* Renders the table into b (NULL: only frees it). */
static void table_render(struct table *t, struct strbuf *b, const char *indent)
{
	if (b && t->failed) {
		b->failed = true;
	} else if (b) {
		size_t w[16] = {0};
		for (size_t i = 0; i < t->n; i++)
			if (strlen(t->cells[i]) > w[i % t->ncols])
				w[i % t->ncols] = strlen(t->cells[i]);
		for (size_t i = 0; i < t->n; i++) {
			size_t c = i % t->ncols;
			if (c == 0)
				strbuf_puts(b, indent);
			if (c + 1 == t->ncols)
				strbuf_printf(b, "%s\n", t->cells[i]);
			else
				strbuf_printf(b, "%-*s  ", (int)w[c], t->cells[i]);
		}
	}
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	*t = (struct table){0};
}

static void node_rows(struct table *t, const char *owner, const struct pt_gpu_node *nodes,
		      size_t n, char *const *drivers)
{
	for (size_t i = 0; i < n; i++) {
		const struct pt_gpu_node *nd = &nodes[i];
		table_cell(t, "%s", nd->path);
		table_cell(t, "%s", owner);
		table_cell(t, "%s", pt_gpu_node_kind_name(nd->kind));
		table_cell(t, "%u:%u", nd->major, nd->minor);
		if (!nd->exists)
			table_cell(t, "-");
		else if (nd->group)
			table_cell(t, "%s", nd->group);
		else
			table_cell(t, "%u", nd->gid);
		if (!nd->exists)
			table_cell(t, "MISSING");
		else if (!nd->matches)
			table_cell(t, "WRONG (is %u:%u)", nd->actual_major, nd->actual_minor);
		else if (!nd->accessible)
			table_cell(t, "no access");
		else
			table_cell(t, "ok");
		table_cell(t, "%s", drivers && drivers[i] ? drivers[i] : "-");
	}
}

static void gpus_table(struct strbuf *b, const struct pt_probe *p)
{
	const struct pt_gpu_list *l = p->gpus;
	size_t n = pt_gpu_list_count(l);
	const struct pt_nvidia *nv = pt_gpu_list_nvidia(l);
	if (n == 0) {
		strbuf_puts(b, "GPUs: none. This machine has no GPU a container could use "
			       "(no DRM device, no NVIDIA GPU).\n");
	} else {
		struct table t = {.ncols = 7};
		const char *head[] = {"GPU",    "ADDRESS",  "VENDOR", "ID",
				      "DRIVER", "BOOT_VGA", "NODES"};
		for (size_t i = 0; i < ELEMENTSOF(head); i++)
			table_cell(&t, "%s", head[i]);
		for (size_t i = 0; i < n; i++) {
			const struct pt_gpu *g = pt_gpu_list_get(l, i);
			table_cell(&t, "%zu", i);
			table_cell(&t, "%s", g->pci ? g->pci : g->name);
			table_cell(&t, "%s", g->vendor ? g->vendor : "-");
			if (g->vendor_id)
				table_cell(&t, "%04x:%04x", g->vendor_id, g->device_id);
			else
				table_cell(&t, "-");
			table_cell(&t, "%s", g->driver ? g->driver : "(none)");
			table_cell(&t, "%s", g->boot_vga ? "yes" : "no");
			table_cell(&t, "%zu", g->n_nodes);
		}
		strbuf_puts(b, "GPUs:\n");
		table_render(&t, b, "  ");
		/* What --gpu=GPU-<uuid> selects. */
		for (size_t i = 0; i < n; i++) {
			const struct pt_gpu *g = pt_gpu_list_get(l, i);
			if (g->uuid)
				strbuf_printf(b, "  GPU %zu: %s, %s\n", i,
					      g->model ? g->model : "unknown model", g->uuid);
		}
	}
	if (nv)
		strbuf_printf(b, "NVIDIA driver: %s\n",
			      nv->driver_version ? nv->driver_version : "loaded, version unknown");

	struct table t = {.ncols = 7};
	const char *head[] = {"NODE", "FOR", "KIND", "DEVICE", "GROUP", "STATE", "DRIVER"};
	for (size_t i = 0; i < ELEMENTSOF(head); i++)
		table_cell(&t, "%s", head[i]);
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pt_gpu *g = pt_gpu_list_get(l, i);
		char owner[32];
		snprintf(owner, sizeof(owner), "GPU %zu", i);
		node_rows(&t, owner, g->nodes, g->n_nodes,
			  p->drm_drivers ? p->drm_drivers + rows : NULL);
		rows += g->n_nodes;
	}
	if (nv) {
		node_rows(&t, "nvidia", nv->nodes, nv->n_nodes, NULL);
		rows += nv->n_nodes;
	}
	if (rows > 0) {
		strbuf_puts(b, "Device nodes:\n");
		table_render(&t, b, "  ");
	} else {
		table_render(&t, NULL, "");
	}
}

static void nvdriver_table(struct strbuf *b, const struct pt_probe *p)
{
	const struct pt_nvidia_driver *d = p->nvdriver;
	if (!p->nvdriver_probed)
		return;
	if (!d) {
		strbuf_printf(b, "NVIDIA userspace: none usable: %s\n", p->nvdriver_why.message);
		return;
	}
	strbuf_printf(b, "NVIDIA userspace %s (passed by --nvidia-driver):\n",
		      pt_nvidia_driver_version(d));
	struct table t = {.ncols = 3};
	table_cell(&t, "ARCH");
	table_cell(&t, "SONAME");
	table_cell(&t, "FILE");
	for (size_t i = 0; i < pt_nvidia_driver_library_count(d); i++) {
		const struct pt_nvidia_library *l = pt_nvidia_driver_library(d, i);
		table_cell(&t, "%s", l->arch);
		table_cell(&t, "%s", l->soname);
		table_cell(&t, "%s", l->path);
	}
	for (size_t i = 0; i < pt_nvidia_driver_file_count(d); i++) {
		table_cell(&t, "-");
		table_cell(&t, "-");
		table_cell(&t, "%s", pt_nvidia_driver_file(d, i));
	}
	table_render(&t, b, "  ");
}

char *pt_probe_to_table(const struct pt_probe *p, struct pt_error *err)
{
	struct strbuf b = {0};
	/* Section: GPUs. */
	if (p->gpus)
		gpus_table(&b, p);
	else
		strbuf_puts(&b, "GPUs: unknown (the GPU probe failed, see the warnings).\n");
	/* Section: NVIDIA userspace. */
	nvdriver_table(&b, p);
	/* Section: audio. */
	audio_report_table(p->audio, &p->audio_why, &b);
	/* Section: desktop. */
	desktop_report_table(p->desktop, &b);

	size_t nw = pt_probe_warning_count(p);
	if (nw > 0) {
		strbuf_printf(&b, "Warnings (%zu):\n", nw);
		for (size_t i = 0; i < nw; i++) {
			const struct pt_warning *w = pt_probe_warning(p, i);
			strbuf_printf(&b, "  %s: %s\n", w->code, w->message);
		}
	} else {
		strbuf_puts(&b, "Warnings: none.\n");
	}
	char *s = strbuf_steal(&b);
	if (!s)
		pt_error_set(err, ENOMEM, "probe: table");
	return s;
}
