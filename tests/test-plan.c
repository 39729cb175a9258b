/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passthru/passthru.h"
#include "testutil.h"

static struct pt_plan *plan;
static char *tmp;

static void setup(void)
{
	plan = pt_plan_new();
	cr_assert_not_null(plan);
	tmp = tu_tmpdir();
}

static void teardown(void)
{
	pt_plan_free(plan);
	tu_rm_rf(tmp);
	free(tmp);
}

TestSuite(plan, .init = setup, .fini = teardown);

Test(plan, bind_normalises_target_and_keeps_order)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, "/usr", "//opt/./usr/", PT_BIND_RO, &err), 0, "%s",
		     err.message);
	cr_assert_eq(pt_plan_add_bind(plan, "/etc", NULL, 0, &err), 0);
	cr_assert_eq(pt_plan_bind_count(plan), 2);
	cr_assert_str_eq(pt_plan_bind(plan, 0)->target, "/opt/usr");
	cr_assert_eq(pt_plan_bind(plan, 0)->flags, PT_BIND_RO);
	cr_assert_str_eq(pt_plan_bind(plan, 1)->source, "/etc");
	cr_assert_str_eq(pt_plan_bind(plan, 1)->target, "/etc");
	cr_assert_null(pt_plan_bind(plan, 2));
}

Test(plan, bind_rejects_bad_paths_with_a_message)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, "relative", NULL, 0, &err), -EINVAL);
	cr_assert(strstr(err.message, "'relative' is not an absolute path"), "%s", err.message);
	cr_assert_eq(pt_plan_add_bind(plan, "", NULL, 0, &err), -EINVAL);
	cr_assert(strstr(err.message, "empty"), "%s", err.message);
	cr_assert_eq(pt_plan_add_bind(plan, "/usr", "/a/../etc", 0, &err), -EINVAL);
	cr_assert(strstr(err.message, ".."), "%s", err.message);
	cr_assert_eq(pt_plan_add_bind(plan, "/does/not/exist", NULL, 0, &err), -ENOENT);
	cr_assert_str_eq(err.message, "bind source /does/not/exist: No such file or directory");
	cr_assert_eq(pt_plan_bind_count(plan), 0, "nothing is added on error");
}

Test(plan, device_source_is_detected)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, "/dev/null", "/dev/null", PT_BIND_RO, &err), 0);
	cr_assert_eq(pt_plan_bind(plan, 0)->flags, PT_BIND_RO | PT_BIND_DEVICE);
}

Test(plan, same_target_last_wins_in_place)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, "/usr", "/x", 0, &err), 0);
	cr_assert_eq(pt_plan_add_bind(plan, "/etc", "/y", 0, &err), 0);
	cr_assert_eq(pt_plan_add_bind(plan, "/var", "/x/", PT_BIND_RO, &err), 0);
	cr_assert_eq(pt_plan_bind_count(plan), 2);
	cr_assert_str_eq(pt_plan_bind(plan, 0)->source, "/var");
	cr_assert_eq(pt_plan_bind(plan, 0)->flags, PT_BIND_RO);
	cr_assert_str_eq(pt_plan_bind(plan, 1)->source, "/etc");
}

Test(plan, same_target_other_kind_moves_entry)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_bind(plan, "/usr", "/dev/nvidia0", 0, &err), 0);
	cr_assert_eq(pt_plan_add_device(plan, "/dev/nvidia0", 'c', 195, 0, NULL, &err), 0);
	cr_assert_eq(pt_plan_bind_count(plan), 0);
	cr_assert_eq(pt_plan_device_count(plan), 1);
	const struct pt_device *d = pt_plan_device(plan, 0);
	cr_assert_eq(d->major, 195);
	cr_assert_str_eq(d->access, "rw");
	cr_assert_eq(pt_plan_add_file(plan, "/dev/nvidia0", "x", 1, 0644, &err), 0);
	cr_assert_eq(pt_plan_device_count(plan), 0);
	cr_assert_eq(pt_plan_file_count(plan), 1);
}

Test(plan, device_validation)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_add_device(plan, "/dev/x", 'x', 1, 2, NULL, &err), -EINVAL);
	cr_assert(strstr(err.message, "type"), "%s", err.message);
	cr_assert_eq(pt_plan_add_device(plan, "/dev/x", 'c', 1, 2, "rwx", &err), -EINVAL);
	cr_assert(strstr(err.message, "rwx"), "%s", err.message);
	cr_assert_eq(pt_plan_add_device(plan, "dev/x", 'c', 1, 2, "r", &err), -EINVAL);
	cr_assert_eq(pt_plan_device_count(plan), 0);
}

Test(plan, env_set_replace_and_reject)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_set_env(plan, "A", "1", &err), 0);
	cr_assert_eq(pt_plan_set_env(plan, "B", "2", &err), 0);
	cr_assert_eq(pt_plan_set_env(plan, "A", "3 4", &err), 0);
	cr_assert_eq(pt_plan_env_count(plan), 2);
	cr_assert_str_eq(pt_plan_env(plan, 0)->name, "A");
	cr_assert_str_eq(pt_plan_get_env(plan, "A"), "3 4");
	cr_assert_null(pt_plan_get_env(plan, "C"));
	cr_assert_eq(pt_plan_set_env(plan, "", "x", &err), -EINVAL);
	cr_assert_eq(pt_plan_set_env(plan, "X=Y", "x", &err), -EINVAL);
	cr_assert(strstr(err.message, "'X=Y'"), "%s", err.message);
	cr_assert_eq(pt_plan_set_env(plan, "EMPTY", "", &err), 0);
}

Test(plan, root_user_command)
{
	struct pt_error err = {0};
	cr_assert_eq(pt_plan_set_root(plan, "/nonexistent-root", &err), -ENOENT);
	cr_assert(strstr(err.message, "/nonexistent-root"), "%s", err.message);
	cr_assert_eq(pt_plan_set_root(plan, "/etc/passwd", &err), -ENOTDIR);
	cr_assert_eq(pt_plan_set_root(plan, tmp, &err), 0);
	cr_assert_str_eq(pt_plan_get_root(plan), tmp);
	cr_assert_eq(pt_plan_set_user(plan, "a:b", &err), -EINVAL);
	cr_assert_eq(pt_plan_set_user(plan, "steam", &err), 0);
	cr_assert_str_eq(pt_plan_get_user(plan), "steam");
	char *argv[] = {"echo", "hi", NULL};
	cr_assert_eq(pt_plan_set_command(plan, 0, argv, &err), -EINVAL);
	cr_assert_eq(pt_plan_set_command(plan, 2, argv, &err), 0);
	cr_assert_str_eq(pt_plan_get_command(plan)[1], "hi");
	cr_assert_null(pt_plan_get_command(plan)[2]);
}

struct bind_case {
	const char *spec, *src, *dst, *error;
};

Test(plan, bind_parse_table)
{
	const struct bind_case cases[] = {
		{"/a", "/a", "/a", NULL},
		{"/a:/b", "/a", "/b", NULL},
		{"/a\\:b:/c", "/a:b", "/c", NULL},
		{"/a\\\\b", "/a\\b", "/a\\b", NULL},
		{"/a\\:b", "/a:b", "/a:b", NULL},
		{"", NULL, NULL, "empty argument"},
		{":/b", NULL, NULL, "empty source"},
		{"/a:", NULL, NULL, "empty target"},
		{"a:/b", NULL, NULL, "source 'a' is not an absolute path"},
		{"/a:b", NULL, NULL, "target 'b' is not an absolute path"},
		{"/a:/b:/c", NULL, NULL, "too many ':'"},
		{"/a\\x", NULL, NULL, "backslash"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_error err = {0};
		char *s = NULL, *d = NULL;
		int r = pt_bind_parse(cases[i].spec, &s, &d, &err);
		if (cases[i].error) {
			cr_expect_eq(r, -EINVAL, "%s", cases[i].spec);
			cr_expect(strstr(err.message, cases[i].error), "%s: %s", cases[i].spec,
				  err.message);
		} else {
			cr_expect_eq(r, 0, "%s: %s", cases[i].spec, err.message);
			cr_expect_str_eq(s, cases[i].src);
			cr_expect_str_eq(d, cases[i].dst);
		}
		free(s);
		free(d);
	}
}

Test(plan, error_prefix_keeps_context)
{
	struct pt_error err = {0};
	pt_error_set(&err, ENOENT, "exec %s", "Xephyr");
	cr_assert_eq(pt_error_prefix(&err, "start"), -ENOENT);
	cr_assert_eq(pt_error_prefix(&err, "xephyr"), -ENOENT);
	cr_assert_str_eq(err.message, "xephyr: start: exec Xephyr: No such file or directory");
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pt_error_setx(&err, EINVAL, "%s", big);
	pt_error_prefix(&err, "ctx");
	cr_assert_eq(strncmp(err.message, "ctx: xxx", 8), 0);
	cr_assert_eq(strlen(err.message), PT_ERROR_MESSAGE_MAX - 1);
	cr_assert_eq(pt_error_set(NULL, EPERM, "x"), -EPERM);
}
