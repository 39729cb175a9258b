/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "userdb.h"

static const char passwd[] = "# comment\n"
			     "root:x:0:0:root:/root:/bin/bash\n"
			     "broken line without colons\n"
			     "steam:x:1001:1002:Steam:/home/steam:\n"
			     "nohome:x:1003:1003:::/bin/sh\n"
			     "bad:x:-1:5:::\n"
			     "big:x:4294967295:5:::\n"
			     "last:x:1004:1004::/home/last:/bin/zsh"; /* no final newline */

static const char group[] = "root:x:0:\n"
			    "video:x:44:steam,other\n"
			    "audio:x:29:other,steam\n"
			    "steam:x:1002:\n"
			    "dup:x:1002:steam\n"
			    "notmember:x:50:steamy\n";

struct passwd_case {
	const char *user;
	int r;
	unsigned uid, gid;
	const char *name, *home, *shell;
};

Test(userdb, passwd_table)
{
	const struct passwd_case cases[] = {
	    {"root", 0, 0, 0, "root", "/root", "/bin/bash"},
	    {"0", 0, 0, 0, "root", "/root", "/bin/bash"},
	    {"steam", 0, 1001, 1002, "steam", "/home/steam", "/bin/sh"},
	    {"1001", 0, 1001, 1002, "steam", "/home/steam", "/bin/sh"},
	    {"nohome", 0, 1003, 1003, "nohome", "/", "/bin/sh"},
	    {"last", 0, 1004, 1004, "last", "/home/last", "/bin/zsh"},
	    {"bad", -EINVAL, 0, 0, NULL, NULL, NULL},
	    {"big", -EINVAL, 0, 0, NULL, NULL, NULL},
	    {"nobody", -ENOENT, 0, 0, NULL, NULL, NULL},
	    {"broken line without colons", -ENOENT, 0, 0, NULL, NULL, NULL},
	    {"999", -ENOENT, 0, 0, NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct passwd_case *c = &cases[i];
		struct userdb_user u = {0};
		struct pt_error err = {0};
		int r = userdb_parse_passwd(passwd, c->user, &u, &err);
		cr_expect_eq(r, c->r, "%s: %d (%s)", c->user, r, err.message);
		if (r == 0) {
			cr_expect_eq(u.uid, c->uid, "%s", c->user);
			cr_expect_eq(u.gid, c->gid, "%s", c->user);
			cr_expect_str_eq(u.name, c->name);
			cr_expect_str_eq(u.home, c->home);
			cr_expect_str_eq(u.shell, c->shell);
		} else {
			cr_expect(strstr(err.message, "'"), "%s: message names the user: %s",
				  c->user, err.message);
		}
		userdb_user_done(&u);
	}
}

Test(userdb, groups_primary_first_members_no_duplicates)
{
	struct userdb_user u = {0};
	struct pt_error err = {0};
	cr_assert_eq(userdb_parse_passwd(passwd, "steam", &u, &err), 0);
	cr_assert_eq(userdb_parse_groups(group, &u, &err), 0, "%s", err.message);
	cr_assert_eq(u.n_groups, 3);
	cr_expect_eq(u.groups[0], 1002);
	cr_expect_eq(u.groups[1], 44);
	cr_expect_eq(u.groups[2], 29);
	userdb_user_done(&u);
}

static char *tmp;

static void setup(void)
{
	tmp = tu_tmpdir();
}

static void teardown(void)
{
	tu_rm_rf(tmp);
	free(tmp);
}

Test(userdb, lookup_reads_inside_the_root_only, .init = setup, .fini = teardown)
{
	/* The root's /etc is an absolute symlink to a host directory that has
	 * a user "evil": resolved inside the root, it points nowhere. */
	char path[8192], root[2048], hostetc[2048];
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(hostetc, sizeof(hostetc), "%s/hostetc", tmp);
	snprintf(path, sizeof(path), "%s/passwd", hostetc);
	tu_write(path, "evil:x:0:0::/:/bin/sh\n", 0644);
	cr_assert_eq(mkdir(root, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc", root);
	cr_assert_eq(symlink(hostetc, path), 0);

	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert(rootfd >= 0);
	struct userdb_user u = {0};
	struct pt_error err = {0};
	cr_expect_eq(userdb_lookup(rootfd, "evil", &u, &err), -ENOENT, "%s", err.message);
	cr_expect(strstr(err.message, "user 'evil' not found in the container's /etc/passwd"), "%s",
		  err.message);

	/* A number that is not in passwd is still a user: uid = gid = N. */
	cr_expect_eq(userdb_lookup(rootfd, "4242", &u, &err), 0, "%s", err.message);
	cr_expect_eq(u.uid, 4242);
	cr_expect_eq(u.gid, 4242);
	cr_expect_str_eq(u.home, "/");
	userdb_user_done(&u);

	/* The real file inside the root is found through a relative path. */
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	tu_write(path, "steam:x:1001:1002::/home/steam:/bin/sh\n", 0644);
	snprintf(path, sizeof(path), "%s/etc/group", root);
	tu_write(path, "video:x:44:steam\n", 0644);
	cr_expect_eq(userdb_lookup(rootfd, "steam", &u, &err), 0, "%s", err.message);
	cr_expect_eq(u.n_groups, 2);
	userdb_user_done(&u);
	close(rootfd);
}
