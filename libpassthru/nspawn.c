/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/stat.h>

#include "passthru/nspawn.h"
#include "passthru/process.h"
#include "util.h"

bool pt_nspawn_need_keep_unit(void)
{
	/* sd_booted()'s test: systemd creates this directory when it is init.
	 * Without it nspawn cannot register with machined nor make a scope. */
	struct stat st;
	return lstat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode);
}

/* nspawn splits --bind at ':' and unescapes "\:" and "\\". */
static void put_escaped(struct strbuf *b, const char *path)
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
	put_escaped(&b, src);
	if (!streq(src, dst)) {
		strbuf_puts(&b, ":");
		put_escaped(&b, dst);
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

int pt_nspawn_argv(const struct pt_plan *plan, unsigned flags, char ***ret_argv,
		   struct pt_error *err)
{
	const char *root = pt_plan_get_root(plan);
	char *const *cmd = pt_plan_get_command(plan);
	if (!root)
		return pt_error_setx(err, EINVAL, "nspawn: the plan has no root directory");
	if (!cmd)
		return pt_error_setx(err, EINVAL, "nspawn: the plan has no command");
	for (size_t i = 0; i < pt_plan_file_count(plan); i++)
		if (!pt_plan_file(plan, i)->host_path)
			return pt_error_setx(err, EINVAL,
					     "nspawn: generated file %s was not written out",
					     pt_plan_file(plan, i)->target);

	struct argv_builder a = {0};
	push(&a, "systemd-nspawn");
	push(&a, "--quiet");
	if (flags & PT_NSPAWN_KEEP_UNIT) {
		push(&a, "--register=no");
		push(&a, "--keep-unit");
	}
	if (flags & PT_NSPAWN_PIPE)
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
		push_owned(&a, bind_arg("--bind-ro=", f->host_path, f->target));
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
