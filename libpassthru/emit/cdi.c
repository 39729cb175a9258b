/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CDI specs from plans. The spec is kept as plain data while plans are
 * added and rendered to JSON (json-c) only at the end, because where the
 * generated files live is known only once the spec's own path is. */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "json-build.h"
#include "engine.h"
#include "passthru/audio.h"
#include "passthru/cdi.h"
#include "util.h"

struct node {
	char *path, *host_path; /* host_path NULL: the same as path */
	char type;
	unsigned major, minor;
	char access[4];
	bool has_gid;
	unsigned gid;
};

struct mount {
	char *host, *target; /* host NULL: generated file number `file` */
	bool ro, device;
	size_t file;
};

struct gen_file {
	char *name; /* file name in the files directory */
	char *data;
	size_t size;
	unsigned mode;
};

struct edits {
	char **env;
	size_t n_env;
	struct node *nodes;
	size_t n_nodes;
	struct mount *mounts;
	size_t n_mounts;
	unsigned *gids;
	size_t n_gids;
};

struct device {
	char *name;
	struct edits edits;
};

struct pt_cdi_spec {
	char *vendor, *class, *kind;
	char *host_root; /* "" for / */
	struct edits common;
	struct device *devices;
	size_t n_devices, a_devices;
	struct gen_file *files;
	size_t n_files;
	char version[8];
};

struct pt_cdi_opts *pt_cdi_opts_new(void) { return calloc(1, sizeof(struct pt_cdi_opts)); }

void pt_cdi_opts_free(struct pt_cdi_opts *opts) { free(opts); }

/* ---- names -------------------------------------------------------------- */

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* CDI's parser: first character checked by first, middle ones from alnum
 * plus extra, last one alphanumeric. */
static bool name_valid(const char *name, bool (*first)(char), const char *extra)
{
	if (!name || !*name || !first(name[0]))
		return false;
	size_t n = strlen(name);
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(name[i]) && !strchr(extra, name[i]))
			return false;
	return n == 1 || is_alnum(name[n - 1]);
}

bool pt_cdi_vendor_valid(const char *name) { return name_valid(name, is_alpha, "_-."); }
bool pt_cdi_class_valid(const char *name) { return name_valid(name, is_alpha, "_-."); }
bool pt_cdi_device_name_valid(const char *name) { return name_valid(name, is_alnum, "_-.:"); }

/* ---- building ----------------------------------------------------------- */

static void edits_done(struct edits *e)
{
	for (size_t i = 0; i < e->n_env; i++)
		free(e->env[i]);
	free(e->env);
	for (size_t i = 0; i < e->n_nodes; i++) {
		free(e->nodes[i].path);
		free(e->nodes[i].host_path);
	}
	free(e->nodes);
	for (size_t i = 0; i < e->n_mounts; i++) {
		free(e->mounts[i].host);
		free(e->mounts[i].target);
	}
	free(e->mounts);
	free(e->gids);
}

void pt_cdi_spec_free(struct pt_cdi_spec *s)
{
	if (!s)
		return;
	edits_done(&s->common);
	for (size_t i = 0; i < s->n_devices; i++) {
		free(s->devices[i].name);
		edits_done(&s->devices[i].edits);
	}
	free(s->devices);
	for (size_t i = 0; i < s->n_files; i++) {
		free(s->files[i].name);
		free(s->files[i].data);
	}
	free(s->files);
	free(s->vendor);
	free(s->class);
	free(s->kind);
	free(s->host_root);
	free(s);
}

int pt_cdi_spec_new(const struct pt_cdi_opts *opts, const char *class, struct pt_cdi_spec **ret,
		    struct pt_error *err)
{
	const char *vendor = opts && opts->vendor ? opts->vendor : PT_CDI_DEFAULT_VENDOR;
	if (!pt_cdi_vendor_valid(vendor))
		return pt_error_setx(err, EINVAL,
				     "cdi: invalid vendor '%s' (a letter, then letters, digits, "
				     "'_', '-', '.', ending in a letter or digit)",
				     vendor);
	if (!pt_cdi_class_valid(class))
		return pt_error_setx(err, EINVAL,
				     "cdi: invalid class '%s' (a letter, then letters, digits, "
				     "'_', '-', '.', ending in a letter or digit)",
				     class ? class : "");
	struct pt_cdi_spec *s = calloc(1, sizeof(*s));
	const char *hr = opts && opts->host_root ? opts->host_root : "";
	if (s && asprintf(&s->kind, "%s/%s", vendor, class) < 0)
		s->kind = NULL;
	if (!s || !s->kind || !(s->vendor = strdup(vendor)) || !(s->class = strdup(class)) ||
	    !(s->host_root = strdup(hr))) {
		pt_cdi_spec_free(s);
		return pt_error_set(err, ENOMEM, "cdi");
	}
	/* A trailing '/' would double in host_root + path. */
	size_t n = strlen(s->host_root);
	while (n > 0 && s->host_root[n - 1] == '/')
		s->host_root[--n] = '\0';
	*ret = s;
	return 0;
}

static int push(void **items, size_t *n, size_t size, const void *item)
{
	size_t alloc = *n; /* exact growth: these arrays stay small */
	if (grow_array(items, &alloc, *n + 1, size) < 0)
		return -ENOMEM;
	memcpy((char *)*items + *n * size, item, size);
	(*n)++;
	return 0;
}

static bool has_node(const struct edits *e, const char *path)
{
	for (size_t i = 0; e && i < e->n_nodes; i++)
		if (streq(e->nodes[i].path, path))
			return true;
	return false;
}

static int add_gid(struct edits *e, unsigned gid)
{
	for (size_t i = 0; i < e->n_gids; i++)
		if (e->gids[i] == gid)
			return 0;
	void *items = e->gids;
	int r = push(&items, &e->n_gids, sizeof(unsigned), &gid);
	e->gids = items;
	return r;
}

/* The node as the host has it: it must be there and be what the plan says. */
static int add_node(struct pt_cdi_spec *s, struct edits *e, const struct pt_device *d,
		    struct pt_error *err)
{
	_cleanup_free_ char *host = NULL;
	if (asprintf(&host, "%s%s", s->host_root, d->path) < 0)
		return pt_error_set(err, ENOMEM, "cdi");
	struct stat st;
	if (stat(host, &st) < 0)
		return pt_error_set(err, errno, "device node %s", host);
	bool chr = S_ISCHR(st.st_mode), blk = S_ISBLK(st.st_mode);
	if ((!chr && !blk) || (d->type == 'c') != chr || major(st.st_rdev) != d->major ||
	    minor(st.st_rdev) != d->minor)
		return pt_error_setx(err, ENODEV, "device node %s: not the device %c %u:%u", host,
				     d->type, d->major, d->minor);
	struct node n = {.type = d->type, .major = d->major, .minor = d->minor};
	snprintf(n.access, sizeof(n.access), "%s", engine_device_access(d));
	/* Not world-accessible: the container user needs the node's group. */
	if ((st.st_mode & 0006) != 0006 && st.st_gid != 0) {
		n.has_gid = true;
		n.gid = (unsigned)st.st_gid;
		if (add_gid(e, n.gid) < 0)
			return pt_error_set(err, ENOMEM, "cdi");
	}
	if (!(n.path = strdup(d->path)) ||
	    (!streq(host, d->path) && !(n.host_path = strdup(host)))) {
		free(n.path);
		return pt_error_set(err, ENOMEM, "cdi");
	}
	void *items = e->nodes;
	if (push(&items, &e->n_nodes, sizeof(n), &n) < 0) {
		free(n.path);
		free(n.host_path);
		return pt_error_set(err, ENOMEM, "cdi");
	}
	e->nodes = items;
	return 0;
}

static int add_mount(struct edits *e, struct mount m, struct pt_error *err)
{
	void *items = e->mounts;
	if (!m.target || (!m.host && m.file == (size_t)-1) ||
	    push(&items, &e->n_mounts, sizeof(m), &m) < 0) {
		free(m.host);
		free(m.target);
		return pt_error_set(err, ENOMEM, "cdi");
	}
	e->mounts = items;
	return 0;
}

/* A generated file becomes "<device>-<index>-<basename>" in the files directory. */
static int add_file(struct pt_cdi_spec *s, struct edits *e, const char *owner,
		    const struct pt_file *f, struct pt_error *err)
{
	const char *base = strrchr(f->target, '/');
	base = base && base[1] ? base + 1 : "file";
	struct gen_file g = {.size = f->size, .mode = f->mode};
	if (asprintf(&g.name, "%s-%zu-%s", owner, s->n_files, base) < 0)
		return pt_error_set(err, ENOMEM, "cdi");
	void *items = s->files;
	if (!(g.data = malloc(f->size ? f->size : 1)) ||
	    push(&items, &s->n_files, sizeof(g), &g) < 0) {
		free(g.name);
		free(g.data);
		return pt_error_set(err, ENOMEM, "cdi");
	}
	s->files = items;
	memcpy(g.data, f->data, f->size);
	struct mount m = {.target = strdup(f->target), .ro = true, .file = s->n_files - 1};
	return add_mount(e, m, err);
}

static int add_plan(struct pt_cdi_spec *s, struct edits *e, const char *owner,
		    const struct pt_plan *plan, const char *skip_file, struct pt_error *err)
{
	int r;
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		const struct pt_device *d = pt_plan_device(plan, i);
		if (e != &s->common && has_node(&s->common, d->path))
			continue;
		if ((r = add_node(s, e, d, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < pt_plan_bind_count(plan); i++) {
		const struct pt_bind *b = pt_plan_bind(plan, i);
		struct mount m = {.host = strdup(b->source),
				  .target = strdup(b->target),
				  .ro = engine_bind_read_only(b),
				  .device = b->flags & PT_BIND_DEVICE,
				  .file = (size_t)-1};
		if ((r = add_mount(e, m, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < pt_plan_file_count(plan); i++) {
		const struct pt_file *f = pt_plan_file(plan, i);
		if (skip_file && streq(f->target, skip_file))
			continue;
		if ((r = add_file(s, e, owner, f, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < pt_plan_env_count(plan); i++) {
		const struct pt_env *v = pt_plan_env(plan, i);
		char *kv = NULL;
		void *items = e->env;
		if (asprintf(&kv, "%s=%s", v->name, v->value) < 0)
			return pt_error_set(err, ENOMEM, "cdi");
		if (push(&items, &e->n_env, sizeof(char *), &kv) < 0) {
			free(kv);
			return pt_error_set(err, ENOMEM, "cdi");
		}
		e->env = items;
	}
	return 0;
}

static bool edits_empty(const struct edits *e)
{
	return !e->n_env && !e->n_nodes && !e->n_mounts;
}

int pt_cdi_spec_set_common(struct pt_cdi_spec *s, const struct pt_plan *plan,
			   struct pt_error *err)
{
	edits_done(&s->common);
	s->common = (struct edits){0};
	/* A generated ld.so.cache is made from one root's own cache; a CDI
	 * spec serves any image (see pt_cdi_opts.nvidia_driver). */
	int r = add_plan(s, &s->common, "common", plan, "/etc/ld.so.cache", err);
	return r < 0 ? pt_error_prefix(err, "cdi: %s", s->kind) : 0;
}

int pt_cdi_spec_add_device(struct pt_cdi_spec *s, const char *name, const struct pt_plan *plan,
			   struct pt_error *err)
{
	if (!pt_cdi_device_name_valid(name))
		return pt_error_setx(err, EINVAL,
				     "cdi: invalid device name '%s' (a letter or digit, then "
				     "letters, digits, '_', '-', '.', ':', ending in a letter or "
				     "digit)",
				     name ? name : "");
	for (size_t i = 0; i < s->n_devices; i++)
		if (streq(s->devices[i].name, name))
			return pt_error_setx(err, EINVAL, "cdi: device '%s' is in %s already", name,
					     s->kind);
	struct device d = {.name = strdup(name)};
	if (!d.name)
		return pt_error_set(err, ENOMEM, "cdi");
	int r = add_plan(s, &d.edits, name, plan, NULL, err);
	if (r == 0 && edits_empty(&d.edits))
		r = pt_error_setx(err, EINVAL, "the plan gives it nothing");
	void *items = s->devices;
	if (r == 0 && grow_array(&items, &s->a_devices, s->n_devices + 1, sizeof(d)) < 0)
		r = pt_error_set(err, ENOMEM, "cdi");
	if (r < 0) {
		free(d.name);
		edits_done(&d.edits);
		return pt_error_prefix(err, "cdi: %s=%s", s->kind, name);
	}
	s->devices = items;
	s->devices[s->n_devices++] = d;
	return 0;
}

const char *pt_cdi_spec_kind(const struct pt_cdi_spec *s) { return s->kind; }

/* The CDI version table: 0.4.0 mount "type", 0.5.0 hostPath and device
 * names starting with a digit, 0.6.0 annotations and '.' in the class,
 * 0.7.0 additionalGids (and intelRdt). We use no "type" nor annotations. */
const char *pt_cdi_spec_version(const struct pt_cdi_spec *sc)
{
	struct pt_cdi_spec *s = (struct pt_cdi_spec *)sc; /* a cache of a pure function */
	int v = 3;
	for (size_t i = 0; i <= s->n_devices; i++) {
		const struct edits *e = i < s->n_devices ? &s->devices[i].edits : &s->common;
		if (i < s->n_devices && !is_alpha(s->devices[i].name[0]) && v < 5)
			v = 5;
		for (size_t j = 0; j < e->n_nodes; j++)
			if (e->nodes[j].host_path && v < 5)
				v = 5;
	}
	if (strchr(s->class, '.') && v < 6)
		v = 6;
	for (size_t i = 0; i <= s->n_devices; i++)
		if ((i < s->n_devices ? &s->devices[i].edits : &s->common)->n_gids)
			v = 7;
	snprintf(s->version, sizeof(s->version), "0.%d.0", v);
	return s->version;
}

/* ---- rendering ---------------------------------------------------------- */

static struct json_object *edits_json(struct jb *b, const struct pt_cdi_spec *s,
				      const struct edits *e, const char *files_dir)
{
	struct json_object *o = jnew(b, json_object_new_object());
	if (e->n_env) {
		struct json_object *a = jnew(b, json_object_new_array());
		for (size_t i = 0; i < e->n_env; i++)
			jpush(b, a, jstr(b, e->env[i]));
		jadd(b, o, "env", a);
	}
	if (e->n_nodes) {
		struct json_object *a = jnew(b, json_object_new_array());
		for (size_t i = 0; i < e->n_nodes; i++) {
			const struct node *n = &e->nodes[i];
			struct json_object *d = jnew(b, json_object_new_object());
			char type[2] = {n->type, '\0'};
			jadd(b, d, "path", jstr(b, n->path));
			if (n->host_path)
				jadd(b, d, "hostPath", jstr(b, n->host_path));
			jadd(b, d, "type", jstr(b, type));
			jadd(b, d, "major", jint(b, n->major));
			jadd(b, d, "minor", jint(b, n->minor));
			jadd(b, d, "permissions", jstr(b, n->access));
			if (n->has_gid)
				jadd(b, d, "gid", jint(b, n->gid));
			jpush(b, a, d);
		}
		jadd(b, o, "deviceNodes", a);
	}
	if (e->n_mounts) {
		struct json_object *a = jnew(b, json_object_new_array());
		for (size_t i = 0; i < e->n_mounts; i++) {
			const struct mount *m = &e->mounts[i];
			struct json_object *d = jnew(b, json_object_new_object());
			char *host = NULL;
			if (!m->host && asprintf(&host, "%s/%s", files_dir, s->files[m->file].name) < 0)
				host = NULL, b->failed = true;
			jadd(b, d, "hostPath", jstr(b, m->host ? m->host : host ? host : ""));
			free(host);
			jadd(b, d, "containerPath", jstr(b, m->target));
			struct json_object *opts = jnew(b, json_object_new_array());
			if (m->ro)
				jpush(b, opts, jstr(b, "ro"));
			jpush(b, opts, jstr(b, "nosuid"));
			/* bwrap and nspawn mount every bind nodev but a device's. */
			if (!m->device)
				jpush(b, opts, jstr(b, "nodev"));
			jpush(b, opts, jstr(b, "rbind"));
			jpush(b, opts, jstr(b, "rprivate"));
			jadd(b, d, "options", opts);
			jpush(b, a, d);
		}
		jadd(b, o, "mounts", a);
	}
	if (e->n_gids) {
		struct json_object *a = jnew(b, json_object_new_array());
		for (size_t i = 0; i < e->n_gids; i++)
			jpush(b, a, jint(b, e->gids[i]));
		jadd(b, o, "additionalGids", a);
	}
	return o;
}

char *pt_cdi_spec_to_json(const struct pt_cdi_spec *s, const char *files_dir,
			  struct pt_error *err)
{
	if (s->n_devices == 0) {
		pt_error_setx(err, EINVAL, "cdi: %s has no device", s->kind);
		return NULL;
	}
	if (s->n_files > 0 && !files_dir) {
		pt_error_setx(err, EINVAL,
			      "cdi: %s mounts generated files (%s …), and CDI cannot carry a "
			      "file's content: write the spec to a file (--output) so that they "
			      "are written beside it",
			      s->kind, s->files[0].name);
		return NULL;
	}
	if (dlopen_json(err) < 0)
		return NULL;
	struct jb b = {0};
	struct json_object *root = jnew(&b, json_object_new_object());
	jadd(&b, root, "cdiVersion", jstr(&b, pt_cdi_spec_version(s)));
	jadd(&b, root, "kind", jstr(&b, s->kind));
	struct json_object *devs = jnew(&b, json_object_new_array());
	for (size_t i = 0; i < s->n_devices; i++) {
		struct json_object *d = jnew(&b, json_object_new_object());
		jadd(&b, d, "name", jstr(&b, s->devices[i].name));
		jadd(&b, d, "containerEdits", edits_json(&b, s, &s->devices[i].edits, files_dir));
		jpush(&b, devs, d);
	}
	jadd(&b, root, "devices", devs);
	if (!edits_empty(&s->common))
		jadd(&b, root, "containerEdits", edits_json(&b, s, &s->common, files_dir));
	return jb_finish(&b, root, "cdi", err);
}

int pt_cdi_spec_write(const struct pt_cdi_spec *s, const char *path, struct pt_error *err)
{
	if (!path || !*path)
		return pt_error_setx(err, EINVAL, "cdi: no output file");
	_cleanup_free_ char *dir = strdup(path), *files_dir = NULL;
	if (!dir)
		return pt_error_set(err, ENOMEM, "cdi");
	char *slash = strrchr(dir, '/');
	const char *name = slash ? slash + 1 : dir;
	if (!*name)
		return pt_error_setx(err, EINVAL, "cdi: output %s names a directory", path);
	if (slash)
		*slash = '\0';
	const char *d = slash ? (*dir ? dir : "/") : ".";
	size_t n = strlen(path);
	int base = n > 5 && streq(path + n - 5, ".json") ? (int)(n - 5) : (int)n;
	if (asprintf(&files_dir, "%.*s.files", base, path) < 0)
		return pt_error_set(err, ENOMEM, "cdi");
	if (s->n_files > 0) {
		if (mkdir(files_dir, 0755) < 0 && errno != EEXIST)
			return pt_error_set(err, errno, "cdi: create %s", files_dir);
		for (size_t i = 0; i < s->n_files; i++) {
			const struct gen_file *f = &s->files[i];
			if (engine_write_atomic(files_dir, f->name, f->data, f->size, f->mode, err) <
			    0)
				return pt_error_prefix(err, "cdi");
		}
	}
	_cleanup_free_ char *json = pt_cdi_spec_to_json(s, files_dir, err);
	if (!json)
		return -(err && err->code ? err->code : ENOMEM);
	int r = engine_write_atomic(d, name, json, strlen(json), 0644, err);
	return r < 0 ? pt_error_prefix(err, "cdi") : 0;
}

/* ---- the GPU and audio specs --------------------------------------------- */

/* The plan of the GPUs a selector string chooses; -ENODEV when none has a node. */
static int gpu_plan(const struct pt_gpu_list *list, const char *sel, struct pt_plan **ret,
		    struct pt_error *err)
{
	struct pt_gpu_selection *gs = NULL;
	struct pt_plan *plan = pt_plan_new();
	if (!plan)
		return pt_error_set(err, ENOMEM, "cdi");
	int r = pt_gpu_select(list, sel, &gs, err);
	if (r == 0)
		r = pt_gpu_add_to_plan(list, gs, plan, err);
	pt_gpu_selection_free(gs);
	if (r < 0) {
		pt_plan_free(plan);
		return r;
	}
	*ret = plan;
	return 0;
}

/* The driver's plan, without its ld.so.cache (see pt_cdi_opts), so the
 * loader finds the libraries by LD_LIBRARY_PATH, by SONAME: each library
 * is bound a second time under its SONAME, since CDI cannot make links. */
static int add_driver(const struct pt_nvidia_driver *d, struct pt_plan *plan,
		      struct pt_error *err)
{
	int r = pt_nvidia_driver_add_to_plan(d, plan, err);
	if (r < 0)
		return pt_error_prefix(err, "cdi");
	static const struct {
		const char *arch, *dir;
	} dirs[] = {{"x86_64", "/run/passthru/nvidia/lib64"}, {"i386", "/run/passthru/nvidia/lib32"}};
	struct strbuf path = {0};
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		bool used = false;
		for (size_t j = 0; j < pt_nvidia_driver_library_count(d); j++) {
			const struct pt_nvidia_library *lib = pt_nvidia_driver_library(d, j);
			if (!lib->soname || !lib->arch || !streq(lib->arch, dirs[i].arch))
				continue;
			used = true;
			_cleanup_free_ char *target = NULL;
			if (asprintf(&target, "%s/%s", dirs[i].dir, lib->soname) < 0)
				return pt_error_set(err, ENOMEM, "cdi");
			if ((r = pt_plan_add_bind(plan, lib->path, target, PT_BIND_RO, err)) < 0)
				return pt_error_prefix(err, "cdi");
		}
		if (used) {
			if (path.len)
				strbuf_puts(&path, ":");
			strbuf_puts(&path, dirs[i].dir);
		}
	}
	_cleanup_free_ char *value = strbuf_steal(&path);
	if (!value)
		return pt_error_set(err, ENOMEM, "cdi");
	return *value ? pt_plan_set_env(plan, "LD_LIBRARY_PATH", value, err) : 0;
}

int pt_cdi_gpu_spec(const struct pt_gpu_list *list, const char *sel,
		    const struct pt_cdi_opts *opts, struct pt_cdi_spec **ret, struct pt_error *err)
{
	struct pt_gpu_selection *chosen = NULL;
	struct pt_cdi_spec *s = NULL;
	struct pt_plan *common = NULL, *plan = NULL;
	int r = pt_cdi_spec_new(opts, "gpu", &s, err);
	if (r == 0)
		r = pt_gpu_select(list, sel, &chosen, err);
	if (r < 0)
		goto out;
	bool render = pt_gpu_selection_render_only(chosen);

	/* NVIDIA's shared nodes serve every NVIDIA GPU: spec-level edits. */
	const struct pt_nvidia *nv = pt_gpu_list_nvidia(list);
	if (!(common = pt_plan_new())) {
		r = pt_error_set(err, ENOMEM, "cdi");
		goto out;
	}
	for (size_t i = 0; nv && i < pt_nvidia_node_count(nv); i++) {
		const struct pt_gpu_node *n = pt_nvidia_node(nv, i);
		if (n->exists && n->matches &&
		    (r = pt_plan_add_device(common, n->path, 'c', n->major, n->minor, NULL, err)) < 0)
			goto out;
	}
	if (opts && opts->nvidia_driver && (r = add_driver(opts->nvidia_driver, common, err)) < 0)
		goto out;
	if ((r = pt_cdi_spec_set_common(s, common, err)) < 0)
		goto out;

	size_t added = 0;
	for (size_t i = 0; i < pt_gpu_list_count(list); i++) {
		if (!pt_gpu_selection_has(chosen, i))
			continue;
		char one[64], name[32];
		snprintf(one, sizeof(one), "%zu%s", i, render ? ",render" : "");
		snprintf(name, sizeof(name), "%zu", i);
		r = gpu_plan(list, one, &plan, err);
		if (r == -ENODEV)
			continue; /* a GPU without a usable node: the probe says why */
		if (r < 0 || (r = pt_cdi_spec_add_device(s, name, plan, err)) < 0)
			goto out;
		pt_plan_free(plan);
		plan = NULL;
		added++;
	}
	if (added == 0) {
		r = pt_error_setx(err, ENODEV, "cdi: no chosen GPU has a usable device node");
		goto out;
	}
	if ((r = gpu_plan(list, sel, &plan, err)) < 0 ||
	    (r = pt_cdi_spec_add_device(s, "all", plan, err)) < 0)
		goto out;
	*ret = steal_pointer(&s);
out:
	pt_plan_free(plan);
	pt_plan_free(common);
	pt_gpu_selection_free(chosen);
	pt_cdi_spec_free(s);
	return r;
}

int pt_cdi_audio_spec(const struct pt_cdi_opts *opts, unsigned flags, struct pt_cdi_spec **ret,
		      struct pt_error *err)
{
	struct pt_cdi_spec *s = NULL;
	struct pt_plan *plan = pt_plan_new();
	if (!plan)
		return pt_error_set(err, ENOMEM, "cdi");
	int r = pt_cdi_spec_new(opts, "audio", &s, err);
	if (r == 0)
		r = pt_pulse_add_to_plan(plan, flags, err);
	if (r == 0)
		r = pt_cdi_spec_add_device(s, "pulse", plan, err);
	pt_plan_free(plan);
	if (r < 0) {
		pt_cdi_spec_free(s);
		return r;
	}
	*ret = s;
	return 0;
}
