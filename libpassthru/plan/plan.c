/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "passthru/plan.h"
#include "util.h"

/* Each list is an array of the public entry structs; the strings they point
 * to are owned by the plan (const only towards callers). */
struct pt_plan {
	struct pt_bind *binds;
	size_t n_binds, a_binds;
	struct pt_device *devices;
	size_t n_devices, a_devices;
	struct pt_env *env;
	size_t n_env, a_env;
	struct pt_file *files;
	size_t n_files, a_files;

	char *root;
	char *user;
	char **command;
	unsigned flags;
};

struct pt_plan *pt_plan_new(void)
{
	struct pt_plan *p = calloc(1, sizeof(*p));
	if (p)
		p->flags = PT_PLAN_PRIVATE_IPC;
	return p;
}

static void bind_done(struct pt_bind *b)
{
	free((char *)b->source);
	free((char *)b->target);
}

static void device_done(struct pt_device *d)
{
	free((char *)d->path);
	free((char *)d->access);
}

static void file_done(struct pt_file *f)
{
	free((char *)f->target);
	free((char *)f->data);
}

void pt_plan_free(struct pt_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_binds; i++)
		bind_done(&p->binds[i]);
	for (size_t i = 0; i < p->n_devices; i++)
		device_done(&p->devices[i]);
	for (size_t i = 0; i < p->n_env; i++) {
		free((char *)p->env[i].name);
		free((char *)p->env[i].value);
	}
	for (size_t i = 0; i < p->n_files; i++)
		file_done(&p->files[i]);
	free(p->binds);
	free(p->devices);
	free(p->env);
	free(p->files);
	free(p->root);
	free(p->user);
	strv_free(p->command);
	free(p);
}

enum kind { KIND_BIND, KIND_DEVICE, KIND_FILE };

/* Where target is taken: which list and index, or -1. */
static ssize_t find_target(const struct pt_plan *p, const char *target, enum kind *ret_kind)
{
	for (size_t i = 0; i < p->n_binds; i++)
		if (streq(p->binds[i].target, target))
			return *ret_kind = KIND_BIND, (ssize_t)i;
	for (size_t i = 0; i < p->n_devices; i++)
		if (streq(p->devices[i].path, target))
			return *ret_kind = KIND_DEVICE, (ssize_t)i;
	for (size_t i = 0; i < p->n_files; i++)
		if (streq(p->files[i].target, target))
			return *ret_kind = KIND_FILE, (ssize_t)i;
	return -1;
}

/* Makes room for an entry of kind `want` at target: returns the index to
 * fill in that list (the old position when the same kind held the target,
 * the end otherwise) after freeing whatever held it. *ret_append says
 * whether the caller must grow the list. */
static size_t claim_target(struct pt_plan *p, const char *target, enum kind want, bool *ret_append)
{
	enum kind k;
	ssize_t i = find_target(p, target, &k);
	if (i >= 0 && k == want) {
		if (k == KIND_BIND)
			bind_done(&p->binds[i]);
		else if (k == KIND_DEVICE)
			device_done(&p->devices[i]);
		else
			file_done(&p->files[i]);
		*ret_append = false;
		return (size_t)i;
	}
	if (i >= 0) {
		/* Different kind: drop the old entry, keep the others' order. */
		if (k == KIND_BIND) {
			bind_done(&p->binds[i]);
			memmove(&p->binds[i], &p->binds[i + 1],
				(p->n_binds - (size_t)i - 1) * sizeof(*p->binds));
			p->n_binds--;
		} else if (k == KIND_DEVICE) {
			device_done(&p->devices[i]);
			memmove(&p->devices[i], &p->devices[i + 1],
				(p->n_devices - (size_t)i - 1) * sizeof(*p->devices));
			p->n_devices--;
		} else {
			file_done(&p->files[i]);
			memmove(&p->files[i], &p->files[i + 1],
				(p->n_files - (size_t)i - 1) * sizeof(*p->files));
			p->n_files--;
		}
	}
	*ret_append = true;
	switch (want) {
	case KIND_BIND:
		return p->n_binds;
	case KIND_DEVICE:
		return p->n_devices;
	default:
		return p->n_files;
	}
}

int pt_plan_add_bind(struct pt_plan *p, const char *source, const char *target, unsigned flags,
		     struct pt_error *err)
{
	if (flags & ~(unsigned)(PT_BIND_RO | PT_BIND_DEVICE))
		return pt_error_setx(err, EINVAL, "bind: unknown flags 0x%x", flags);

	_cleanup_free_ char *src = NULL, *dst = NULL;
	int r = path_normalize(source, "bind source", &src, err);
	if (r < 0)
		return r;
	r = path_normalize(target ? target : source, "bind target", &dst, err);
	if (r < 0)
		return r;

	struct stat st;
	if (stat(src, &st) < 0)
		return pt_error_set(err, errno, "bind source %s", source);
	flags &= ~(unsigned)PT_BIND_DEVICE;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		flags |= PT_BIND_DEVICE;

	void *items = p->binds;
	if (grow_array(&items, &p->a_binds, p->n_binds + 1, sizeof(*p->binds)) < 0)
		return pt_error_set(err, ENOMEM, "bind %s", source);
	p->binds = items;

	bool append;
	size_t i = claim_target(p, dst, KIND_BIND, &append);
	p->binds[i] = (struct pt_bind){steal_pointer(&src), steal_pointer(&dst), flags};
	if (append)
		p->n_binds++;
	return 0;
}

int pt_plan_add_device(struct pt_plan *p, const char *path, char type, unsigned major,
		       unsigned minor, const char *access, struct pt_error *err)
{
	if (type != 'c' && type != 'b')
		return pt_error_setx(err, EINVAL, "device %s: type must be 'c' or 'b'",
				     path ? path : "(null)");
	if (!access)
		access = "rw";
	if (!*access || strspn(access, "rwm") != strlen(access))
		return pt_error_setx(err, EINVAL, "device %s: access '%s' is not a subset of \"rwm\"",
				     path ? path : "(null)", access);

	_cleanup_free_ char *dst = NULL;
	int r = path_normalize(path, "device path", &dst, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *acc = strdup(access);
	if (!acc)
		return pt_error_set(err, ENOMEM, "device %s", path);

	void *items = p->devices;
	if (grow_array(&items, &p->a_devices, p->n_devices + 1, sizeof(*p->devices)) < 0)
		return pt_error_set(err, ENOMEM, "device %s", path);
	p->devices = items;

	bool append;
	size_t i = claim_target(p, dst, KIND_DEVICE, &append);
	p->devices[i] = (struct pt_device){steal_pointer(&dst), type, major, minor,
					   steal_pointer(&acc)};
	if (append)
		p->n_devices++;
	return 0;
}

int pt_plan_set_env(struct pt_plan *p, const char *name, const char *value, struct pt_error *err)
{
	if (!name || !*name)
		return pt_error_setx(err, EINVAL, "environment: empty variable name");
	/* POSIX's portable names only: a shell cannot read "A B" or "1X", and
	 * the backends differ on them (nspawn refuses what native passes). */
	if (!(name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= 'a' && name[0] <= 'z')) ||
	    name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")])
		return pt_error_setx(err, EINVAL,
				     "environment: '%s' is not a variable name "
				     "(letters, digits and '_', not starting with a digit)",
				     name);
	if (!value)
		return pt_error_setx(err, EINVAL, "environment: %s has no value", name);

	_cleanup_free_ char *v = strdup(value);
	if (!v)
		return pt_error_set(err, ENOMEM, "environment %s", name);
	for (size_t i = 0; i < p->n_env; i++)
		if (streq(p->env[i].name, name)) {
			free((char *)p->env[i].value);
			p->env[i].value = steal_pointer(&v);
			return 0;
		}

	_cleanup_free_ char *n = strdup(name);
	void *items = p->env;
	if (!n || grow_array(&items, &p->a_env, p->n_env + 1, sizeof(*p->env)) < 0)
		return pt_error_set(err, ENOMEM, "environment %s", name);
	p->env = items;
	p->env[p->n_env++] = (struct pt_env){steal_pointer(&n), steal_pointer(&v)};
	return 0;
}

const char *pt_plan_get_env(const struct pt_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (streq(p->env[i].name, name))
			return p->env[i].value;
	return NULL;
}

int pt_plan_add_file(struct pt_plan *p, const char *target, const void *data, size_t size,
		     unsigned mode, struct pt_error *err)
{
	if (mode & ~07777u)
		return pt_error_setx(err, EINVAL, "file %s: mode %o is not permission bits",
				     target ? target : "(null)", mode);
	if (!data && size > 0)
		return pt_error_setx(err, EINVAL, "file %s: no data", target ? target : "(null)");

	_cleanup_free_ char *dst = NULL;
	int r = path_normalize(target, "file target", &dst, err);
	if (r < 0)
		return r;
	/* One spare byte so the content is also a C string for readers. */
	_cleanup_free_ char *copy = malloc(size + 1);
	if (!copy)
		return pt_error_set(err, ENOMEM, "file %s", target);
	if (size)
		memcpy(copy, data, size);
	copy[size] = '\0';

	void *items = p->files;
	if (grow_array(&items, &p->a_files, p->n_files + 1, sizeof(*p->files)) < 0)
		return pt_error_set(err, ENOMEM, "file %s", target);
	p->files = items;

	bool append;
	size_t i = claim_target(p, dst, KIND_FILE, &append);
	p->files[i] = (struct pt_file){steal_pointer(&dst), steal_pointer(&copy), size, mode};
	if (append)
		p->n_files++;
	return 0;
}

size_t pt_plan_bind_count(const struct pt_plan *p) { return p->n_binds; }
const struct pt_bind *pt_plan_bind(const struct pt_plan *p, size_t i)
{
	return i < p->n_binds ? &p->binds[i] : NULL;
}
size_t pt_plan_device_count(const struct pt_plan *p) { return p->n_devices; }
const struct pt_device *pt_plan_device(const struct pt_plan *p, size_t i)
{
	return i < p->n_devices ? &p->devices[i] : NULL;
}
size_t pt_plan_env_count(const struct pt_plan *p) { return p->n_env; }
const struct pt_env *pt_plan_env(const struct pt_plan *p, size_t i)
{
	return i < p->n_env ? &p->env[i] : NULL;
}
size_t pt_plan_file_count(const struct pt_plan *p) { return p->n_files; }
const struct pt_file *pt_plan_file(const struct pt_plan *p, size_t i)
{
	return i < p->n_files ? &p->files[i] : NULL;
}

int pt_plan_set_root(struct pt_plan *p, const char *dir, struct pt_error *err)
{
	if (!dir || !*dir)
		return pt_error_setx(err, EINVAL, "root directory: empty path");
	struct stat st;
	if (stat(dir, &st) < 0)
		return pt_error_set(err, errno, "root directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		return pt_error_set(err, ENOTDIR, "root directory %s", dir);
	/* Backends run with other working directories: keep it absolute. */
	_cleanup_free_ char *abs = realpath(dir, NULL);
	if (!abs)
		return pt_error_set(err, errno, "root directory %s", dir);
	free(p->root);
	p->root = steal_pointer(&abs);
	return 0;
}

const char *pt_plan_get_root(const struct pt_plan *p) { return p->root; }

int pt_plan_set_user(struct pt_plan *p, const char *user, struct pt_error *err)
{
	if (!user || !*user)
		return pt_error_setx(err, EINVAL, "user: empty name");
	if (strchr(user, ':') || strchr(user, '/') || strchr(user, '\n'))
		return pt_error_setx(err, EINVAL, "user: '%s' is not a valid user name", user);
	char *u = strdup(user);
	if (!u)
		return pt_error_set(err, ENOMEM, "user %s", user);
	free(p->user);
	p->user = u;
	return 0;
}

const char *pt_plan_get_user(const struct pt_plan *p) { return p->user; }

int pt_plan_set_command(struct pt_plan *p, int argc, char *const argv[], struct pt_error *err)
{
	if (argc < 1 || !argv || !argv[0] || !*argv[0])
		return pt_error_setx(err, EINVAL, "command: empty");
	_cleanup_strv_ char **v = calloc((size_t)argc + 1, sizeof(char *));
	if (!v)
		return pt_error_set(err, ENOMEM, "command");
	for (int i = 0; i < argc; i++)
		if (!(v[i] = strdup(argv[i])))
			return pt_error_set(err, ENOMEM, "command");
	strv_free(p->command);
	p->command = steal_pointer(&v);
	return 0;
}

char *const *pt_plan_get_command(const struct pt_plan *p) { return p->command; }

void pt_plan_set_flags(struct pt_plan *p, unsigned flags) { p->flags = flags; }
unsigned pt_plan_get_flags(const struct pt_plan *p) { return p->flags; }

/* Copies the next ':'-separated part of spec, undoing "\:" and "\\". */
static int bind_part(const char **spec, char **ret)
{
	const char *s = *spec;
	_cleanup_free_ char *out = malloc(strlen(s) + 1);
	if (!out)
		return -ENOMEM;
	size_t o = 0;
	for (; *s && *s != ':'; s++) {
		if (*s == '\\') {
			if (s[1] != ':' && s[1] != '\\')
				return -EINVAL;
			s++;
		}
		out[o++] = *s;
	}
	out[o] = '\0';
	*spec = s;
	*ret = steal_pointer(&out);
	return 0;
}

int pt_bind_parse(const char *spec, char **ret_source, char **ret_target, struct pt_error *err)
{
	if (!spec || !*spec)
		return pt_error_setx(err, EINVAL, "bind: empty argument");
	/* A '\r' or '\n' in a path is a pasted CRLF line or a crafted spec;
	 * nspawn's --bind and mountinfo cannot carry it faithfully either. */
	for (const char *c = spec; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return pt_error_setx(err, EINVAL,
					     "bind: control character 0x%02x in the argument",
					     (unsigned char)*c);
	const char *s = spec;
	_cleanup_free_ char *src = NULL, *dst = NULL;
	int r = bind_part(&s, &src);
	if (r == 0 && *s == ':') {
		s++;
		r = bind_part(&s, &dst);
	}
	if (r == -EINVAL)
		return pt_error_setx(err, EINVAL,
				     "bind '%s': a backslash must escape ':' or '\\'", spec);
	if (r < 0)
		return pt_error_set(err, -r, "bind '%s'", spec);
	if (*s == ':')
		return pt_error_setx(err, EINVAL,
				     "bind '%s': too many ':' (write a colon in a path as '\\:')",
				     spec);
	if (!*src)
		return pt_error_setx(err, EINVAL, "bind '%s': empty source", spec);
	if (src[0] != '/')
		return pt_error_setx(err, EINVAL, "bind '%s': source '%s' is not an absolute path",
				     spec, src);
	if (dst && !*dst)
		return pt_error_setx(err, EINVAL, "bind '%s': empty target", spec);
	if (dst && dst[0] != '/')
		return pt_error_setx(err, EINVAL, "bind '%s': target '%s' is not an absolute path",
				     spec, dst);
	if (!dst && !(dst = strdup(src)))
		return pt_error_set(err, ENOMEM, "bind '%s'", spec);
	*ret_source = steal_pointer(&src);
	*ret_target = steal_pointer(&dst);
	return 0;
}
