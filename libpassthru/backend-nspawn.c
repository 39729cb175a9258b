/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The nspawn backend: the plan as a systemd-nspawn command line. nspawn
 * reads generated files from the host, so they are written into the
 * launch's state directory and bound from there read-only. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "nspawn.h"
#include "passthru/process.h"
#include "util.h"

bool nspawn_need_keep_unit(void)
{
	/* sd_booted()'s test: systemd creates this directory when it is init.
	 * Without it nspawn cannot register with machined nor make a scope. */
	struct stat st;
	return lstat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode);
}

void nspawn_put_escaped(struct strbuf *b, const char *path)
{
	for (const char *p = path; *p; p++) {
		if (*p == ':' || *p == '\\')
			strbuf_append(b, "\\", 1);
		strbuf_append(b, p, 1);
	}
}

static char *bind_arg(const char *opt, const char *src, const char *dst)
{
	struct strbuf b = {0};
	strbuf_puts(&b, opt);
	nspawn_put_escaped(&b, src);
	if (!streq(src, dst)) {
		strbuf_puts(&b, ":");
		nspawn_put_escaped(&b, dst);
	}
	return strbuf_steal(&b);
}

struct argv_builder {
	char **v;
	size_t n, alloc;
	bool failed;
};

static void push_owned(struct argv_builder *a, char *s)
{
	void *items = a->v;
	if (!s || a->failed || grow_array(&items, &a->alloc, a->n + 2, sizeof(char *)) < 0) {
		free(s);
		a->failed = true;
		return;
	}
	a->v = items;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void push(struct argv_builder *a, const char *s) { push_owned(a, strdup(s)); }

int nspawn_argv(const struct pt_plan *plan, unsigned flags, char *const *file_paths,
		char ***ret_argv, struct pt_error *err)
{
	const char *root = pt_plan_get_root(plan);
	char *const *cmd = pt_plan_get_command(plan);
	if (!root)
		return pt_error_setx(err, EINVAL, "nspawn: the plan has no root directory");
	if (!cmd)
		return pt_error_setx(err, EINVAL, "nspawn: the plan has no command");
	for (size_t i = 0; i < pt_plan_file_count(plan); i++)
		if (!file_paths || !file_paths[i])
			return pt_error_setx(err, EINVAL,
					     "nspawn: generated file %s was not written out",
					     pt_plan_file(plan, i)->target);

	struct argv_builder a = {0};
	push(&a, "systemd-nspawn");
	push(&a, "--quiet");
	if (flags & NSPAWN_KEEP_UNIT) {
		push(&a, "--register=no");
		push(&a, "--keep-unit");
	}
	if (flags & NSPAWN_PIPE)
		push(&a, "--console=pipe");
	push(&a, "--as-pid2");
	push(&a, "-D");
	push(&a, root);
	if (pt_plan_get_user(plan)) {
		push(&a, "-u");
		push(&a, pt_plan_get_user(plan));
	}
	if (pt_plan_get_flags(plan) & PT_PLAN_PRIVATE_NETWORK)
		push(&a, "--private-network");

	for (size_t i = 0; i < pt_plan_bind_count(plan); i++) {
		const struct pt_bind *b = pt_plan_bind(plan, i);
		/* A read-only bind of a device node would only allow reading it. */
		bool ro = (b->flags & PT_BIND_RO) && !(b->flags & PT_BIND_DEVICE);
		push_owned(&a, bind_arg(ro ? "--bind-ro=" : "--bind=", b->source, b->target));
	}
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		const struct pt_device *d = pt_plan_device(plan, i);
		push_owned(&a, bind_arg("--bind=", d->path, d->path));
	}
	for (size_t i = 0; i < pt_plan_file_count(plan); i++) {
		const struct pt_file *f = pt_plan_file(plan, i);
		push_owned(&a, bind_arg("--bind-ro=", file_paths[i], f->target));
	}
	for (size_t i = 0; i < pt_plan_env_count(plan); i++) {
		const struct pt_env *e = pt_plan_env(plan, i);
		char *s = NULL;
		if (asprintf(&s, "--setenv=%s=%s", e->name, e->value) < 0)
			s = NULL;
		push_owned(&a, s);
	}
	push(&a, "--");
	for (char *const *p = cmd; *p; p++)
		push(&a, *p);

	if (a.failed) {
		pt_argv_free(a.v);
		return pt_error_set(err, ENOMEM, "nspawn: argv");
	}
	*ret_argv = a.v;
	return 0;
}

/* ---- the backend -------------------------------------------------------- */

struct backend_state {
	const struct pt_plan *plan;
	char **files; /* host copies of the plan's generated files, in plan order */
	size_t n_files;
	char **argv;
};

static void nspawn_cleanup(struct backend_state *s, bool keep)
{
	if (!s)
		return;
	for (size_t i = 0; !keep && i < s->n_files; i++)
		if (s->files[i])
			unlink(s->files[i]);
	strv_free(s->files);
	strv_free(s->argv);
	free(s);
}

/* Each generated file becomes STATE/files/<index>-<basename>: the index
 * keeps names unique, the basename helps a human reading the directory. */
static int write_files(struct backend_state *s, const struct backend_env *env,
		       struct pt_error *err)
{
	size_t n = pt_plan_file_count(s->plan);
	if (!(s->files = calloc(n + 1, sizeof(char *))))
		return pt_error_set(err, ENOMEM, "nspawn: generated files");
	for (size_t i = 0; i < n; i++, s->n_files++) {
		const struct pt_file *f = pt_plan_file(s->plan, i);
		const char *base = strrchr(f->target, '/');
		base = base && base[1] ? base + 1 : "file";
		if (asprintf(&s->files[i], "%s/%zu-%s", env->state_dir, i, base) < 0) {
			s->files[i] = NULL;
			return pt_error_set(err, ENOMEM, "nspawn: generated file %s", f->target);
		}
		int r = write_file_excl(s->files[i], f->data, f->size, f->mode, err);
		if (r < 0) {
			free(s->files[i]);
			s->files[i] = NULL;
			return pt_error_prefix(err, "nspawn: generated file %s", f->target);
		}
	}
	return 0;
}

static int nspawn_prepare(const struct pt_plan *plan, const struct backend_env *env,
			  struct backend_state **ret, struct pt_error *err)
{
	struct backend_state *s = calloc(1, sizeof(*s));
	if (!s)
		return pt_error_set(err, ENOMEM, "nspawn");
	s->plan = plan;
	unsigned flags = nspawn_need_keep_unit() ? NSPAWN_KEEP_UNIT : 0;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (env->console == PT_LAUNCH_CONSOLE_PIPE ||
	    (env->console == PT_LAUNCH_CONSOLE_AUTO && !tty))
		flags |= NSPAWN_PIPE;
	int r = write_files(s, env, err);
	if (r == 0)
		r = nspawn_argv(plan, flags, s->files, &s->argv, err);
	if (r < 0) {
		nspawn_cleanup(s, false);
		return r;
	}
	*ret = s;
	return 0;
}

static int nspawn_command(const struct backend_state *s, char ***ret_argv, struct pt_error *err)
{
	size_t n = 0;
	while (s->argv[n])
		n++;
	_cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return pt_error_set(err, ENOMEM, "nspawn");
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(s->argv[i])))
			return pt_error_set(err, ENOMEM, "nspawn");
	*ret_argv = steal_pointer(&v);
	return 0;
}

static int nspawn_spawn(struct backend_state *s, pid_t *ret_pid, int *ret_pidfd,
			struct pt_error *err)
{
	int r = pt_spawn(s->argv, ret_pid, ret_pidfd, err);
	return r < 0 ? pt_error_prefix(err, "nspawn backend") : 0;
}

const struct backend backend_nspawn = {
	.id = PT_LAUNCH_BACKEND_NSPAWN,
	.name = "nspawn",
	.prepare = nspawn_prepare,
	.command = nspawn_command,
	.spawn = nspawn_spawn,
	.cleanup = nspawn_cleanup,
};
