/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>

#include "userdb.h"

/* passwd and group files of real systems are kilobytes; a huge one is hostile. */
#define USERDB_MAX (4u << 20)

void userdb_user_done(struct userdb_user *u)
{
	free(u->name);
	free(u->home);
	free(u->shell);
	free(u->groups);
	*u = (struct userdb_user){0};
}

/* Splits line (modified in place) at ':' into at most n fields; returns the count. */
static size_t split_fields(char *line, char **fields, size_t n)
{
	size_t i = 0;
	fields[i++] = line;
	for (char *p = line; *p && i < n; p++)
		if (*p == ':') {
			*p = '\0';
			fields[i++] = p + 1;
		}
	return i;
}

/* A uid or gid as passwd, group and -u write it: decimal digits only. No
 * sign, space, '\r' or "0x": strtoul() would take " 5", "+5" and "-5"
 * (as a huge number), and a field a container's root wrote with one of
 * them must not name some other id than the one it shows. */
static int parse_id(const char *s, unsigned *ret)
{
	size_t n = strspn(s, "0123456789");
	if (n == 0 || s[n] || n > 10)
		return -EINVAL;
	unsigned long long v = strtoull(s, NULL, 10);
	/* (uid_t)-1 means "no change" to setresuid(): never a real user. */
	if (v >= UINT_MAX)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* A control character ('\r' of a CRLF file, a tab, an escape) in an entry
 * that is to become a name, a home or a shell: the file is broken. */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Calls fn for every line of text (copied, NUL-terminated, without '\n');
 * stops when fn returns non-zero and returns that. */
static int for_each_line(const char *text, int (*fn)(char *line, void *data), void *data)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		_cleanup_free_ char *line = strndup(text, len);
		if (!line)
			return -ENOMEM;
		int r = fn(line, data);
		if (r)
			return r;
		text += len;
		if (*text == '\n')
			text++;
	}
	return 0;
}

struct passwd_match {
	const char *user;
	bool numeric;
	unsigned id;
	struct userdb_user *ret;
	struct pt_error *err;
};

static int passwd_line(char *line, void *data)
{
	struct passwd_match *m = data;
	char *f[7];
	if (line[0] == '#' || split_fields(line, f, 7) < 7)
		return 0;
	unsigned uid, gid;
	/* A number is a uid, as for getpwuid() and systemd: a line whose
	 * *name* is those digits never matches it (it could carry uid 0). */
	if (m->numeric ? parse_id(f[2], &uid) < 0 || uid != m->id : !streq(f[0], m->user))
		return 0;
	if (parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0)
		return pt_error_setx(m->err, EINVAL, "passwd entry of '%s': bad uid or gid", f[0]);
	for (size_t i = 0; i < 7; i++)
		if (has_control(f[i]))
			return pt_error_setx(m->err, EINVAL,
					     "passwd entry of '%s': control character (CRLF line end?)",
					     f[0]);
	m->ret->uid = uid;
	m->ret->gid = gid;
	m->ret->name = strdup(f[0]);
	m->ret->home = strdup(f[5][0] ? f[5] : "/");
	m->ret->shell = strdup(f[6][0] ? f[6] : "/bin/sh");
	if (!m->ret->name || !m->ret->home || !m->ret->shell)
		return pt_error_set(m->err, ENOMEM, "passwd");
	return 1;
}

int userdb_parse_passwd(const char *text, const char *user, struct userdb_user *ret,
			struct pt_error *err)
{
	struct userdb_user u = {0};
	struct passwd_match m = {.user = user, .ret = &u, .err = err};
	m.numeric = parse_id(user, &m.id) == 0;
	int r = for_each_line(text, passwd_line, &m);
	if (r == 1) {
		*ret = u;
		return 0;
	}
	userdb_user_done(&u);
	if (r < 0)
		return r == -ENOMEM ? pt_error_set(err, ENOMEM, "passwd") : r;
	return pt_error_setx(err, ENOENT, "user '%s' not found", user);
}

struct group_acc {
	struct userdb_user *u;
	size_t alloc;
};

static int add_group(struct group_acc *a, gid_t gid)
{
	for (size_t i = 0; i < a->u->n_groups; i++)
		if (a->u->groups[i] == gid)
			return 0;
	void *items = a->u->groups;
	if (grow_array(&items, &a->alloc, a->u->n_groups + 1, sizeof(gid_t)) < 0)
		return -ENOMEM;
	a->u->groups = items;
	a->u->groups[a->u->n_groups++] = gid;
	return 0;
}

static int group_line(char *line, void *data)
{
	struct group_acc *a = data;
	char *f[4];
	unsigned gid;
	if (line[0] == '#' || split_fields(line, f, 4) < 4 || parse_id(f[2], &gid) < 0)
		return 0;
	char *save = NULL;
	for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (streq(m, a->u->name))
			return add_group(a, gid);
	return 0;
}

int userdb_parse_groups(const char *text, struct userdb_user *u, struct pt_error *err)
{
	struct group_acc a = {.u = u, .alloc = 0};
	free(u->groups);
	u->groups = NULL;
	u->n_groups = 0;
	int r = add_group(&a, u->gid);
	if (r == 0)
		r = for_each_line(text, group_line, &a);
	if (r < 0)
		return pt_error_set(err, -r, "group");
	return 0;
}

/* Reads ROOT/path with every symlink resolved as if rootfd were "/". A
 * missing file is an empty one: a root without /etc/group has no groups.
 * A FIFO, a device or a huge file there is an error, not a read that
 * blocks or never ends. */
static int read_in_root(int rootfd, const char *path, char **ret, struct pt_error *err)
{
	int r = read_file_at(rootfd, path, USERDB_MAX, READ_IN_ROOT | READ_TEXT, ret, NULL, err);
	if (r == -ENOENT) {
		*ret = strdup("");
		return *ret ? 0 : pt_error_set(err, ENOMEM, "%s", path);
	}
	if (r < 0)
		return pt_error_prefix(err, "the container's root");
	return 0;
}

int userdb_lookup(int rootfd, const char *user, struct userdb_user *ret, struct pt_error *err)
{
	/* "" would match a passwd line with an empty name field. */
	if (!user || !*user)
		return pt_error_setx(err, EINVAL, "user: empty name");
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	int r = read_in_root(rootfd, "/etc/passwd", &passwd, err);
	if (r < 0)
		return r;
	struct userdb_user u = {0};
	/* Our own error: a number missing from passwd is no failure, and a
	 * message left in err would reach the user's terminal all the same. */
	struct pt_error e = {0};
	r = userdb_parse_passwd(passwd, user, &u, &e);
	unsigned id;
	if (r == -ENOENT && parse_id(user, &id) == 0) {
		u = (struct userdb_user){.uid = id, .gid = id};
		u.name = strdup(user);
		u.home = strdup("/");
		u.shell = strdup("/bin/sh");
		if (!u.name || !u.home || !u.shell) {
			userdb_user_done(&u);
			return pt_error_set(err, ENOMEM, "user");
		}
		r = 0;
	}
	if (r == -ENOENT)
		return pt_error_setx(err, ENOENT, "user '%s' not found in the container's /etc/passwd",
				     user);
	if (r < 0) {
		if (err)
			*err = e;
		return r;
	}
	if ((r = read_in_root(rootfd, "/etc/group", &group, err)) < 0 ||
	    (r = userdb_parse_groups(group, &u, err)) < 0) {
		userdb_user_done(&u);
		return r;
	}
	*ret = u;
	return 0;
}
