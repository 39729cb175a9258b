/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plan as a .nspawn file and a systemd-nspawn@.service drop-in. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "engine.h"
#include "nspawn.h"
#include "passthru/nspawn-settings.h"
#include "util.h"

static bool machine_valid(const char *m)
{
	size_t n = m ? strlen(m) : 0;
	if (n == 0 || n > 64 || m[0] == '.' || m[0] == '-')
		return false;
	for (const char *p = m; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-_.", *p)))
			return false;
	return true;
}

/* Environment= and Parameters= are split into words as a shell would,
 * without expansions: inside single quotes everything is literal (also
 * '\\', '"', '$' and '%%', checked with systemd-nspawn 252), and an
 * apostrophe is written as '"'"'. Only a line break cannot be carried: it
 * ends the setting. */
static int put_word(struct strbuf *b, const char *what, const char *w, struct pt_error *err)
{
	if (strpbrk(w, "\n\r"))
		return pt_error_setx(err, EINVAL,
				     "nspawn settings: %s '%s' holds a line break, which a .nspawn "
				     "file cannot carry",
				     what, w);
	strbuf_puts(b, "'");
	for (const char *p = w; *p; p++) {
		if (*p == '\'')
			strbuf_puts(b, "'\"'\"'");
		else
			strbuf_append(b, p, 1);
	}
	strbuf_puts(b, "'");
	return 0;
}

static void put_bind(struct strbuf *b, const char *key, const char *src, const char *dst)
{
	strbuf_puts(b, key);
	nspawn_put_escaped(b, src);
	if (!streq(src, dst)) {
		strbuf_puts(b, ":");
		nspawn_put_escaped(b, dst);
	}
	strbuf_puts(b, "\n");
}

/* [Exec]: the user, the environment and the command. */
static int put_exec(struct strbuf *s, const struct pt_plan *plan, struct pt_error *err)
{
	strbuf_puts(s, "[Exec]\nProcessTwo=yes\n");
	if (pt_plan_get_user(plan))
		strbuf_printf(s, "User=%s\n", pt_plan_get_user(plan));
	int r = 0;
	for (size_t i = 0; r == 0 && i < pt_plan_env_count(plan); i++) {
		const struct pt_env *e = pt_plan_env(plan, i);
		_cleanup_free_ char *kv = NULL;
		if (asprintf(&kv, "%s=%s", e->name, e->value) < 0)
			r = pt_error_set(err, ENOMEM, "nspawn settings");
		strbuf_puts(s, "Environment=");
		if (r == 0)
			r = put_word(s, "environment variable", kv, err);
		strbuf_puts(s, "\n");
	}
	char *const *cmd = pt_plan_get_command(plan);
	if (r == 0 && cmd) {
		strbuf_puts(s, "Parameters=");
		for (size_t i = 0; r == 0 && cmd[i]; i++) {
			if (i)
				strbuf_puts(s, " ");
			r = put_word(s, "argument", cmd[i], err);
		}
		strbuf_puts(s, "\n");
	}
	return r;
}

/* [Files]: binds and devices, and the plan's generated files written under
 * files_dir and bound read-only from there. */
static int put_files(struct strbuf *s, const struct pt_plan *plan, const char *files_dir,
		     struct pt_error *err)
{
	strbuf_puts(s, "\n[Files]\n");
	for (size_t i = 0; i < pt_plan_bind_count(plan); i++) {
		const struct pt_bind *b = pt_plan_bind(plan, i);
		put_bind(s, engine_bind_read_only(b) ? "BindReadOnly=" : "Bind=", b->source,
			 b->target);
	}
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		const struct pt_device *d = pt_plan_device(plan, i);
		put_bind(s, "Bind=", d->path, d->path);
	}
	size_t nfiles = pt_plan_file_count(plan);
	if (nfiles > 0 && mkdir(files_dir, 0755) < 0 && errno != EEXIST)
		return pt_error_set(err, errno, "nspawn settings: create %s", files_dir);
	for (size_t i = 0; i < nfiles; i++) {
		const struct pt_file *f = pt_plan_file(plan, i);
		const char *base = strrchr(f->target, '/');
		base = base && base[1] ? base + 1 : "file";
		_cleanup_free_ char *name = NULL, *path = NULL;
		if (asprintf(&name, "%zu-%s", i, base) < 0 ||
		    asprintf(&path, "%s/%s", files_dir, name) < 0)
			return pt_error_set(err, ENOMEM, "nspawn settings");
		if (engine_write_atomic(files_dir, name, f->data, f->size, f->mode, err) < 0)
			return pt_error_prefix(err, "nspawn settings");
		put_bind(s, "BindReadOnly=", path, f->target);
	}
	return 0;
}

/* MACHINE.nspawn's text in *ret (NULL when out of memory). */
static int settings_text(const struct pt_plan *plan, const char *machine, const char *files_dir,
			 char **ret, struct pt_error *err)
{
	struct strbuf s = {0};
	strbuf_printf(&s, "# %s: written by libpassthru from a plan\n", machine);
	int r = put_exec(&s, plan, err);
	if (r == 0)
		r = put_files(&s, plan, files_dir, err);
	if (r < 0) {
		free(strbuf_steal(&s));
		return r;
	}
	if (pt_plan_get_flags(plan) & PT_PLAN_PRIVATE_NETWORK)
		strbuf_puts(&s, "\n[Network]\nPrivate=yes\n");
	*ret = strbuf_steal(&s);
	return 0;
}

/* The systemd-nspawn@MACHINE.service drop-in's text; NULL when out of memory. */
static char *dropin_text(const struct pt_plan *plan, const char *machine)
{
	struct strbuf d = {0};
	strbuf_printf(&d,
		      "# %s: written by libpassthru from a plan. The template unit runs\n"
		      "# with DevicePolicy=closed and --keep-unit: nspawn allows no device\n"
		      "# itself, so every node the machine binds is allowed here.\n[Service]\n",
		      machine);
	for (size_t i = 0; i < pt_plan_device_count(plan); i++) {
		const struct pt_device *dev = pt_plan_device(plan, i);
		strbuf_printf(&d, "DeviceAllow=%s %s\n", dev->path, engine_device_access(dev));
	}
	for (size_t i = 0; i < pt_plan_bind_count(plan); i++) {
		const struct pt_bind *b = pt_plan_bind(plan, i);
		if (b->flags & PT_BIND_DEVICE)
			strbuf_printf(&d, "DeviceAllow=%s rw\n", b->source);
	}
	return strbuf_steal(&d);
}

int pt_nspawn_settings_write(const struct pt_plan *plan, const char *machine, const char *dir,
			     struct pt_error *err)
{
	if (!machine_valid(machine))
		return pt_error_setx(err, EINVAL,
				     "nspawn settings: invalid machine name '%s' (letters, digits, "
				     "'-', '_', '.', at most 64, not starting with '.' or '-')",
				     machine ? machine : "");
	_cleanup_free_ char *absdir = realpath(dir, NULL);
	if (!absdir)
		return pt_error_set(err, errno, "nspawn settings: output directory %s", dir);
	_cleanup_free_ char *files_dir = NULL, *dropin_dir = NULL, *nspawn_name = NULL;
	if (asprintf(&files_dir, "%s/%s.files", absdir, machine) < 0 ||
	    asprintf(&dropin_dir, "%s/systemd-nspawn@%s.service.d", absdir, machine) < 0 ||
	    asprintf(&nspawn_name, "%s.nspawn", machine) < 0)
		return pt_error_set(err, ENOMEM, "nspawn settings");

	_cleanup_free_ char *settings = NULL;
	int r = settings_text(plan, machine, files_dir, &settings, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *dropin = dropin_text(plan, machine);
	if (!settings || !dropin)
		return pt_error_set(err, ENOMEM, "nspawn settings");

	if (mkdir(dropin_dir, 0755) < 0 && errno != EEXIST)
		return pt_error_set(err, errno, "nspawn settings: create %s", dropin_dir);
	if ((r = engine_write_atomic(dropin_dir, "passthru.conf", dropin, strlen(dropin), 0644,
				     err)) < 0 ||
	    (r = engine_write_atomic(absdir, nspawn_name, settings, strlen(settings), 0644, err)) <
		0)
		return pt_error_prefix(err, "nspawn settings");
	return 0;
}
