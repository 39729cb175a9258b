/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's users: /etc/passwd and /etc/group read from inside a root
 * directory, never through NSS (the host's NSS modules describe the host). */
#pragma once

#include <sys/types.h>

#include "util.h"

struct userdb_user {
	uid_t uid;
	gid_t gid;
	char *name, *home, *shell;
	gid_t *groups; /* primary gid first, then supplementary groups, no duplicates */
	size_t n_groups;
};

void userdb_user_done(struct userdb_user *u);

/* Finds user in the text of a passwd file. A user that is all digits is a
 * uid, matched against the uid field only, as getpwuid() and systemd do: a
 * line whose name is those digits never matches. The first matching line
 * wins. -ENOENT when absent; -EINVAL for a malformed matching line (an id
 * that is not plain digits, a control character such as a CRLF's '\r'). */
int userdb_parse_passwd(const char *text, const char *user, struct userdb_user *ret,
			struct pt_error *err);

/* Fills u->groups from the text of a group file: u->gid first, then every
 * group that lists u->name as a member. */
int userdb_parse_groups(const char *text, struct userdb_user *u, struct pt_error *err);

/* Looks user up in ROOT/etc/passwd and ROOT/etc/group, resolving both paths
 * inside rootfd (a hostile root's symlinks cannot lead to the host's files)
 * and reading them only if they are regular files of at most 4 MiB: a FIFO
 * or /dev/zero there is an error, never a read that blocks. A number that
 * is not a uid in passwd is still that uid, as setpriv and an unprivileged
 * launch without -u need: uid=gid=N, name N, home "/", shell /bin/sh, plus
 * the groups that list "N" as a member. A name that is not there is
 * -ENOENT. err is untouched on success. */
int userdb_lookup(int rootfd, const char *user, struct userdb_user *ret, struct pt_error *err);
