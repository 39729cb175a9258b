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

/* Finds user (a name, or a number matched against the uid field) in the
 * text of a passwd file. -ENOENT when absent; -EINVAL for a malformed
 * matching line. */
int userdb_parse_passwd(const char *text, const char *user, struct userdb_user *ret,
			struct pt_error *err);

/* Fills u->groups from the text of a group file: u->gid first, then every
 * group that lists u->name as a member. */
int userdb_parse_groups(const char *text, struct userdb_user *u, struct pt_error *err);

/* Looks user up in ROOT/etc/passwd and ROOT/etc/group, resolving both paths
 * inside rootfd (a hostile root's symlinks cannot lead to the host's files).
 * A number that is not in passwd is accepted as uid=gid=N with home "/",
 * as setpriv does; a name that is not there is -ENOENT. */
int userdb_lookup(int rootfd, const char *user, struct userdb_user *ret, struct pt_error *err);
