/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Input a container's root or a careless user controls, fed where a small
 * text file or a short argument is expected: a FIFO, a device node, a
 * directory, a huge file, CRLF line ends, NUL bytes, spaces and signs in
 * numbers. Each is a clear one-line error in bounded time (the tools run
 * under timeout(1) here, and a hang shows as its exit status 124), never a
 * blocking read or a silently different value. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio-private.h"
#include "gpu-private.h"
#include "passthru/passthru.h"
#include "testutil.h"
#include "userdb.h"

static char *tmp, *root;

static void teardown(void)
{
	if (tmp)
		tu_rm_rf(tmp);
	free(root);
	free(tmp);
	root = tmp = NULL;
}

TestSuite(hostile, .fini = teardown);

static char *tpath(const char *rel)
{
	static char buf[4][4096];
	static int slot;
	char *p = buf[slot++ % 4];
	snprintf(p, 4096, "%s/%s", tmp, rel);
	return p;
}

/* ---- the bounded reader ------------------------------------------------ */

enum kind { FIFO, DIRECTORY, HUGE, DEVICE, NUL_BYTE, GOOD };

/* Makes path one of the hostile kinds; false when this machine cannot (a
 * device node needs CAP_MKNOD). */
static bool make_kind(const char *path, enum kind k)
{
	unlink(path);
	rmdir(path);
	switch (k) {
	case FIFO:
		cr_assert_eq(mkfifo(path, 0644), 0, "mkfifo %s: %s", path, strerror(errno));
		return true;
	case DIRECTORY:
		cr_assert_eq(mkdir(path, 0755), 0);
		return true;
	case HUGE: {
		/* Sparse: 64 MiB of nothing, larger than any limit here. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		cr_assert(fd >= 0);
		cr_assert_eq(ftruncate(fd, 64 << 20), 0);
		close(fd);
		return true;
	}
	case DEVICE:
		/* /dev/zero's numbers: a read of it never ends. */
		return mknod(path, S_IFCHR | 0644, makedev(1, 5)) == 0;
	case NUL_BYTE: {
		static const char text[] = "root:x:0:0::/root:/bin/sh\n\0tester:x:1000:1000::/:/bin/sh\n";
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		cr_assert(fd >= 0);
		cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
		close(fd);
		return true;
	}
	case GOOD:
		tu_write(path, "root:x:0:0::/root:/bin/sh\ntester:x:1000:1000::/:/bin/sh\n", 0644);
		return true;
	}
	return false;
}

Test(hostile, read_file_at_refuses_what_is_no_small_regular_file)
{
	tmp = tu_tmpdir();
	const struct {
		enum kind kind;
		unsigned flags;
		int r;
		const char *says;
	} cases[] = {
	    {FIFO, 0, -EINVAL, "is a FIFO, not a regular file"},
	    {DIRECTORY, 0, -EISDIR, "is a directory, not a regular file"},
	    {HUGE, 0, -EFBIG, "is larger than 4096 bytes"},
	    {DEVICE, 0, -EINVAL, "is a character device, not a regular file"},
	    {NUL_BYTE, READ_TEXT, -EBADMSG, "contains a NUL byte"},
	    {NUL_BYTE, 0, 0, NULL},
	    {GOOD, READ_TEXT, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = tpath("f");
		if (!make_kind(path, cases[i].kind))
			continue; /* no CAP_MKNOD: the other cases still count */
		char *data = NULL;
		size_t len = 0;
		struct pt_error err = {0};
		int r = read_file_at(AT_FDCWD, path, 4096, cases[i].flags, &data, &len, &err);
		cr_expect_eq(r, cases[i].r, "case %zu: %d (%s)", i, r, err.message);
		if (cases[i].says)
			cr_expect(strstr(err.message, cases[i].says) && strstr(err.message, path),
				  "case %zu: %s", i, err.message);
		else
			cr_expect(data && len > 0, "case %zu", i);
		free(data);
	}
	/* /proc files say 0 bytes in stat(): the limit holds on what is read. */
	char *data = NULL;
	cr_expect_eq(read_file_at(AT_FDCWD, "/proc/self/maps", 16, 0, &data, NULL, NULL), -EFBIG);
	cr_expect_eq(read_file_max("/proc/self/stat", 4096, &data, NULL), 0);
	free(data);
}

/* ---- the container's /etc/passwd and /etc/group --------------------------- */

static int lookup(const char *user, struct userdb_user *u, struct pt_error *err)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert(fd >= 0);
	int r = userdb_lookup(fd, user, u, err);
	close(fd);
	return r;
}

Test(hostile, userdb_refuses_fifo_device_directory_huge_nul)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	const struct {
		const char *file;
		enum kind kind;
		int r;
	} cases[] = {
	    {"etc/passwd", FIFO, -EINVAL},   {"etc/passwd", DEVICE, -EINVAL},
	    {"etc/passwd", DIRECTORY, -EISDIR}, {"etc/passwd", HUGE, -EFBIG},
	    {"etc/passwd", NUL_BYTE, -EBADMSG}, {"etc/group", FIFO, -EINVAL},
	    {"etc/group", HUGE, -EFBIG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", root, cases[i].file);
		make_kind(tpath("root/etc/passwd"), GOOD);
		if (!make_kind(path, cases[i].kind))
			continue;
		/* A FIFO nobody writes to: a blocking open would never return.
		 * A child does the lookup so that today's hang ends the test
		 * (as a failure) instead of the whole run. */
		pid_t pid = fork();
		cr_assert(pid >= 0);
		if (pid == 0) {
			alarm(10);
			struct userdb_user u = {0};
			struct pt_error err = {0};
			int r = lookup("tester", &u, &err);
			bool ok = r == cases[i].r && strstr(err.message, "the container's root: /etc/");
			if (!ok)
				fprintf(stderr, "case %zu: %d (%s)\n", i, r, err.message);
			_exit(ok ? 0 : 1);
		}
		int st;
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "case %zu (%s): status 0x%x%s", i,
			  cases[i].file, st,
			  WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM ? " (it hung)" : "");
	}
}

/* passthru-launch -D ROOT with a FIFO for /etc/passwd: setup failure (125)
 * and one line that names the file, not a hang. --no-doctor: the doctor's
 * pre-launch check says so too; this is about the library's own read. */
Test(hostile, launch_with_fifo_passwd_fails_at_once)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	make_kind(tpath("root/etc/passwd"), FIFO);
	char *out = NULL, *err = NULL;
	/* SIGKILL: the launcher blocks SIGTERM (it forwards it to the
	 * container), so a plain timeout(1) would not end a hung one. */
	char *argv[] = {"timeout", "-s", "KILL", "10", (char *)tu_tool("passthru-launch"),
			"--backend=native", "--no-doctor", "-D", root, "-u", "tester", "--", "true",
			NULL};
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_neq(rc, 137, "passthru-launch hung on a FIFO /etc/passwd");
	cr_expect_eq(rc, 125, "rc %d, stderr: %s", rc, err);
	cr_expect(strstr(err, "/etc/passwd is a FIFO, not a regular file"), "stderr: %s", err);
	free(out);
	free(err);
}

struct id_case {
	const char *passwd;
	const char *user;
	int r;
	unsigned uid, gid;
	const char *name;
};

/* A numeric user is a uid: never a line whose name is those digits. */
Test(hostile, numeric_user_is_a_uid_never_a_name)
{
	const struct id_case cases[] = {
	    /* The attack: a line named "1234" that carries uid 0. */
	    {"1234:x:0:0::/root:/bin/sh\n", "1234", -ENOENT, 0, 0, NULL},
	    {"1234:x:0:0::/root:/bin/sh\nreal:x:1234:99::/home/real:/bin/sh\n", "1234", 0, 1234,
	     99, "real"},
	    {"real:x:1234:99::/home/real:/bin/sh\n1234:x:0:0::/root:/bin/sh\n", "1234", 0, 1234,
	     99, "real"},
	    /* A name is still a name, even when another line's uid looks alike. */
	    {"real:x:1234:99::/home/real:/bin/sh\n", "real", 0, 1234, 99, "real"},
	    /* Leading zeros are the same uid, as for getpwuid(strtoul()). */
	    {"real:x:1234:99::/home/real:/bin/sh\n", "01234", 0, 1234, 99, "real"},
	    /* "+1234", " 1234", "1234 " are no numbers and no names here. */
	    {"real:x:1234:99::/home/real:/bin/sh\n", "+1234", -ENOENT, 0, 0, NULL},
	    {"real:x:1234:99::/home/real:/bin/sh\n", " 1234", -ENOENT, 0, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct userdb_user u = {0};
		struct pt_error err = {0};
		int r = userdb_parse_passwd(cases[i].passwd, cases[i].user, &u, &err);
		cr_expect_eq(r, cases[i].r, "case %zu (%s): %d (%s)", i, cases[i].user, r,
			     err.message);
		if (r == 0 && cases[i].r == 0) {
			cr_expect_eq(u.uid, cases[i].uid, "case %zu", i);
			cr_expect_eq(u.gid, cases[i].gid, "case %zu", i);
			cr_expect_str_eq(u.name, cases[i].name, "case %zu", i);
		}
		userdb_user_done(&u);
	}
}

/* Through the tool: -u 1234 in a root whose line "1234" is uid 0 runs as
 * uid 1234 (not in passwd: uid = gid = 1234), never as root. */
Test(hostile, launch_numeric_user_never_becomes_root)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	tu_write(tpath("root/etc/passwd"),
		 "root:x:0:0:root:/root:/bin/sh\n1234:x:0:0:trap:/root:/bin/sh\n", 0644);
	char *out = NULL, *err = NULL;
	char *argv[] = {"timeout", "-s", "KILL", "20", (char *)tu_tool("passthru-launch"),
			"--backend=native", "-D", root, "-u", "1234", "--", "id", NULL};
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_eq(rc, 0, "rc %d, stderr: %s", rc, err);
	cr_expect(out && strstr(out, "uid=1234") && strstr(out, "gid=1234"), "id says: %s", out);
	cr_expect_str_eq(err, "", "a successful run prints nothing on stderr");
	free(out);
	free(err);
}

/* Numbers in passwd and group: digits only, no CRLF. */
Test(hostile, passwd_and_group_fields_are_strict)
{
	const struct id_case cases[] = {
	    {"u:x: 1000:1000::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:+1000:1000::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:1000 :1000::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:1000:\t1000::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:1000:-0::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:0x10:1000::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:99999999999:1000::/:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:1000:1000::/:/bin/sh\r\n", "u", -EINVAL, 0, 0, NULL},
	    {"u:x:1000:1000::/home/u\r:/bin/sh\n", "u", -EINVAL, 0, 0, NULL},
	    /* A uid that only strtoul() reads as 1000 is not uid 1000. */
	    {"u:x: 1000:1000::/:/bin/sh\nv:x:1000:7::/:/bin/sh\n", "1000", 0, 1000, 7, "v"},
	    {"u:x:1000:1000::/:/bin/sh\n", "u", 0, 1000, 1000, "u"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct userdb_user u = {0};
		struct pt_error err = {0};
		int r = userdb_parse_passwd(cases[i].passwd, cases[i].user, &u, &err);
		cr_expect_eq(r, cases[i].r, "case %zu: %d (%s)", i, r, err.message);
		if (r == 0 && cases[i].r == 0) {
			cr_expect_eq(u.uid, cases[i].uid, "case %zu", i);
			cr_expect_eq(u.gid, cases[i].gid, "case %zu", i);
			cr_expect_str_eq(u.name, cases[i].name, "case %zu", i);
		}
		userdb_user_done(&u);
	}

	/* A group whose gid is not plain digits gives nobody a group. */
	struct userdb_user u = {0};
	cr_assert_eq(userdb_parse_passwd("u:x:1000:1000::/:/bin/sh\n", "u", &u, NULL), 0);
	cr_assert_eq(userdb_parse_groups("a:x: 44:u\nb:x:+45:u\nc:x:46\r:u\nd:x:47:u\r\n"
					 "e:x:48:u\n",
					 &u, NULL),
		     0);
	cr_expect_eq(u.n_groups, 2, "groups: %zu", u.n_groups);
	cr_expect_eq(u.groups[0], 1000);
	cr_expect_eq(u.n_groups > 1 ? u.groups[1] : 0, 48);
	userdb_user_done(&u);
}

/* ---- a successful run prints nothing on stderr -------------------------- */

Test(hostile, unprivileged_run_is_quiet_on_stderr)
{
	if (geteuid() != 0)
		cr_skip_test("becoming nobody needs root");
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	/* The caller's uid (65534) is not in this root's passwd: it is still
	 * the user, and that is no error worth a line. */
	tu_write(tpath("root/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n", 0644);
	char *out = NULL, *err = NULL;
	char *argv[] = {"setpriv",     "--reuid=65534", "--regid=65534",
			"--clear-groups", (char *)tu_tool("passthru-launch"),
			"--backend=native", "-D", root, "--", "id", "-u", NULL};
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_eq(rc, 0, "rc %d, stderr: %s", rc, err);
	cr_expect_str_eq(out, "65534\n");
	cr_expect_str_eq(err, "", "stderr of a successful run: %s", err);
	free(out);
	free(err);
}

/* ---- PulseAudio's client configuration and cookie ----------------------- */

/* passthru-probe with env set, under timeout(1): it must end by itself,
 * print the whole report and say in one line what it refused. */
static void probe_says(const char *env1, const char *env2, const char *says)
{
	char *out = NULL, *err = NULL;
	char *argv[] = {"env",
			"-u",
			"PULSE_SERVER",
			(char *)env1,
			(char *)(env2 ? env2 : "PT_UNUSED=1"),
			"timeout",
			"10",
			(char *)tu_tool("passthru-probe"),
			NULL};
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_neq(rc, 124, "passthru-probe hung (%s)", env1);
	cr_expect_eq(rc, 0, "%s: rc %d, stderr: %s", env1, rc, err);
	cr_expect(out && strstr(out, says), "%s: expected '%s' in:\n%s", env1, says, out);
	cr_expect(out && strstr(out, "GPUs") && strstr(out, "Audio (PulseAudio)") &&
		      strstr(out, "state:    failed"),
		  "%s: the rest of the report: %s", env1, out);
	free(out);
	free(err);
}

Test(hostile, probe_refuses_client_conf_it_would_hang_on)
{
	tmp = tu_tmpdir();
	probe_says("PULSE_CLIENTCONFIG=/dev/zero", NULL,
		   "client configuration: /dev/zero is a character device, not a regular file");

	make_kind(tpath("fifo"), FIFO);
	char env[4200];
	snprintf(env, sizeof(env), "PULSE_CLIENTCONFIG=%s", tpath("fifo"));
	probe_says(env, NULL, "is a FIFO, not a regular file");

	/* An .include libpulse would follow, and its .d directory. */
	snprintf(env, sizeof(env), ".include %s\n", tpath("fifo"));
	tu_write(tpath("inc.conf"), env, 0644);
	snprintf(env, sizeof(env), "PULSE_CLIENTCONFIG=%s", tpath("inc.conf"));
	probe_says(env, NULL, "is a FIFO, not a regular file");

	tu_write(tpath("plain.conf"), "autospawn = no\n", 0644);
	cr_assert_eq(mkdir(tpath("plain.conf.d"), 0755), 0);
	cr_assert_eq(mkfifo(tpath("plain.conf.d/50-x.conf"), 0644), 0);
	snprintf(env, sizeof(env), "PULSE_CLIENTCONFIG=%s", tpath("plain.conf"));
	probe_says(env, NULL, "50-x.conf is a FIFO, not a regular file");

	/* A huge one: larger than the 1 MiB any client.conf stays under. */
	make_kind(tpath("huge.conf"), HUGE);
	snprintf(env, sizeof(env), "PULSE_CLIENTCONFIG=%s", tpath("huge.conf"));
	probe_says(env, NULL, "huge.conf is larger than");
}

Test(hostile, probe_refuses_cookie_it_would_hang_on)
{
	tmp = tu_tmpdir();
	tu_write(tpath("empty.conf"), "", 0644);
	char conf[4200], cookie[4200];
	snprintf(conf, sizeof(conf), "PULSE_CLIENTCONFIG=%s", tpath("empty.conf"));
	make_kind(tpath("cookie"), FIFO);
	snprintf(cookie, sizeof(cookie), "PULSE_COOKIE=%s", tpath("cookie"));
	probe_says(conf, cookie, "cookie: ");
	probe_says(conf, "PULSE_COOKIE=/dev/zero", "cookie: /dev/zero is a character device");
}

Test(hostile, client_conf_text_parser)
{
	struct client_conf c = {0};
	char text[] = "; comment\n# comment\n[section]\n"
		      "default-server = unix:/a\r\n"
		      "cookie-file=/c\n"
		      "=\n= x\nnoequals\n"
		      "default-server   =  unix:/b  \n";
	cr_assert_eq(client_conf_parse_text(text, &c, 8, NULL), 0);
	cr_expect_str_eq(c.default_server, "unix:/b");
	cr_expect_str_eq(c.cookie_file, "/c");
	client_conf_done(&c);

	/* Found by fuzz-client-conf (corpus/fuzz-client-conf/regress-leading-cr):
	 * a '\r' after the blanks that lead a value stayed in it, where
	 * libpulse strips it. */
	char cr[] = "default-server =\t\t\r\t\tunix:/x\n";
	cr_assert_eq(client_conf_parse_text(cr, &c, 8, NULL), 0);
	cr_expect_str_eq(c.default_server, "unix:/x");
	client_conf_done(&c);
}

/* ---- arguments: numbers, names, paths ------------------------------------ */

Test(hostile, setenv_names_are_portable)
{
	struct pt_plan *p = pt_plan_new();
	cr_assert_not_null(p);
	const struct {
		const char *name;
		int r;
	} cases[] = {
	    {"A", 0},		{"_", 0},	  {"a1_B", 0},	   {"PULSE_SERVER", 0},
	    {"A B", -EINVAL},	{" A", -EINVAL},  {"A ", -EINVAL}, {"1A", -EINVAL},
	    {"A-B", -EINVAL},	{"A.B", -EINVAL}, {"A\r", -EINVAL}, {"A\n", -EINVAL},
	    {"A=B", -EINVAL},	{"", -EINVAL},	  {"Ä", -EINVAL},  {"A\tB", -EINVAL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_error err = {0};
		int r = pt_plan_set_env(p, cases[i].name, "v", &err);
		cr_expect_eq(r, cases[i].r, "'%s': %d (%s)", cases[i].name, r, err.message);
		if (r < 0)
			cr_expect(strstr(err.message, "environment"), "%s", err.message);
	}
	pt_plan_free(p);
}

/* The same through the tool, under both backends' common parser: a name
 * with a space is a usage error (2) before anything starts. */
Test(hostile, launch_setenv_with_space_is_usage_error)
{
	char *out = NULL, *err = NULL;
	char *argv[] = {(char *)tu_tool("passthru-launch"), "--backend=native", "--setenv=A B=1",
			"--", "true", NULL};
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_eq(rc, 2, "rc %d, stderr: %s", rc, err);
	cr_expect(strstr(err, "'A B' is not a variable name"), "stderr: %s", err);
	free(out);
	free(err);
}

Test(hostile, bind_specs_reject_control_characters)
{
	const struct {
		const char *spec;
		int r;
	} cases[] = {
	    {"/a", 0},		     {"/a:/b", 0},	     {"/a b:/c d", 0}, {"/a\\:b:/c", 0},
	    {"/a\r", -EINVAL},	     {"/a:/b\r", -EINVAL}, {"/a\n:/b", -EINVAL},
	    {"/a:/b\n", -EINVAL},   {"/a\t", -EINVAL},	   {"/a\x1b[2J", -EINVAL},
	    {"a:/b", -EINVAL},	     {"/a:b", -EINVAL},	   {"/a:/b:/c", -EINVAL},
	    {"", -EINVAL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *src = NULL, *dst = NULL;
		struct pt_error err = {0};
		int r = pt_bind_parse(cases[i].spec, &src, &dst, &err);
		cr_expect_eq(r, cases[i].r, "case %zu: %d (%s)", i, r, err.message);
		free(src);
		free(dst);
	}
}

/* These parsers were strict already; the table keeps them so. */
Test(hostile, numbers_in_proc_files_sizes_and_selectors)
{
	const struct {
		const char *text;
		int r;
		unsigned minor;
	} minors[] = {
	    {"Device Minor: \t 3\n", 0, 3},   {"Device Minor: 3", 0, 3},
	    {"Device Minor: 3\r\n", -EBADMSG, 0}, {"Device Minor: +3\n", -EBADMSG, 0},
	    {"Device Minor: -3\n", -EBADMSG, 0},  {"Device Minor: 3 4\n", -EBADMSG, 0},
	    {"Device Minor: 0x3\n", -EBADMSG, 0}, {"Device Minor: 254\n", -EBADMSG, 0},
	    {"Device Minor:\n", -EBADMSG, 0},
	};
	for (size_t i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		unsigned m = 99;
		cr_expect_eq(nvidia_parse_device_minor(minors[i].text, &m), minors[i].r, "minor %zu",
			     i);
		if (minors[i].r == 0)
			cr_expect_eq(m, minors[i].minor, "minor %zu", i);
	}

	const struct {
		const char *text;
		int r;
	} majors[] = {
	    {"Character devices:\n195 nvidia\n", 195},
	    {"Character devices:\n 195 nvidia\n", 195},
	    {"Character devices:\n195 nvidia\r\n", -ENOENT},
	    {"Character devices:\n+195 nvidia\n", -ENOENT},
	    {"Character devices:\n-195 nvidia\n", -ENOENT},
	    {"Character devices:\n195  nvidia\n", -ENOENT},
	    {"Character devices:\n195\tnvidia\n", -ENOENT},
	    {"Character devices:\n99999 nvidia\n", -ENOENT},
	    {"Block devices:\n195 nvidia\n", -ENOENT},
	};
	for (size_t i = 0; i < sizeof(majors) / sizeof(majors[0]); i++)
		cr_expect_eq(proc_devices_char_major(majors[i].text, "nvidia"), majors[i].r,
			     "major %zu", i);

	const char *bad_sizes[] = {" 1280x720", "+1280x720", "1280x720\r", "1280 x720",
				   "1280x-720", "1280x720 ", "0x720",	  "1280X720",
				   "1280x",	"x720",	     "99999x1",	  "1280x720x1"};
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		unsigned w = 0, h = 0;
		cr_expect_eq(pt_display_parse_size(bad_sizes[i], &w, &h, NULL), -EINVAL, "'%s'",
			     bad_sizes[i]);
	}
	unsigned w = 0, h = 0;
	cr_expect_eq(pt_display_parse_size("1280x720", &w, &h, NULL), 0);
	cr_expect(w == 1280 && h == 720);
}

/* Two GPUs, built by hand: selectors are parsed against a fixed list. */
Test(hostile, gpu_selectors_are_strict)
{
	struct gpu_entry gpus[2] = {
	    {.pub = {.index = 0, .name = "0000:00:02.0", .pci = "0000:00:02.0",
		     .vendor = "intel", .driver = "i915"}},
	    {.pub = {.index = 1, .name = "0000:01:00.0", .pci = "0000:01:00.0",
		     .vendor = "nvidia", .driver = "nvidia"}},
	};
	struct pt_gpu_list l = {.gpus = gpus, .n_gpus = 2};
	const struct {
		const char *sel;
		int r;
		bool g0, g1;
	} cases[] = {
	    {"0", 0, true, false},	 {"1", 0, false, true},	   {"0,1", 0, true, true},
	    {"nvidia", 0, false, true}, {"01:00.0", 0, false, true}, {"", 0, true, true},
	    {" 0", -1, 0, 0},	 {"0 ", -1, 0, 0},	   {"+0", -1, 0, 0},
	    {"-0", -1, 0, 0},	 {"0\r", -1, 0, 0},   {"2", -1, 0, 0},
	    {"0,,1", -1, 0, 0},	 {"0x1", -1, 0, 0},
	    {"99999999999999999999999", -1, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_gpu_selection *s = NULL;
		struct pt_error err = {0};
		int r = pt_gpu_select(&l, cases[i].sel, &s, &err);
		/* Which errno a miss gets is gpu.c's business: a refusal. */
		cr_expect_eq(r < 0 ? -1 : 0, cases[i].r, "'%s': %d (%s)", cases[i].sel, r,
			     err.message);
		if (r == 0) {
			cr_expect_eq(pt_gpu_selection_has(s, 0), cases[i].g0, "'%s'", cases[i].sel);
			cr_expect_eq(pt_gpu_selection_has(s, 1), cases[i].g1, "'%s'", cases[i].sel);
		}
		pt_gpu_selection_free(s);
	}
}

/* -u "" must not pick a passwd line with an empty name (here: uid 0). */
Test(hostile, empty_user_is_refused)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	tu_write(tpath("root/etc/passwd"), "::0:0::/root:/bin/sh\ntester:x:1000:1000::/:/bin/sh\n",
		 0644);
	struct userdb_user u = {0};
	struct pt_error err = {0};
	cr_expect_eq(lookup("", &u, &err), -EINVAL, "%s", err.message);
	userdb_user_done(&u);
}

/* Without PULSE_CLIENTCONFIG: a FIFO as ~/.pulse/client.conf (the legacy
 * place some libpulse versions try first) is refused too. */
Test(hostile, probe_refuses_user_client_conf_fifo)
{
	tmp = tu_tmpdir();
	cr_assert_eq(mkdir(tpath("home"), 0755), 0);
	cr_assert_eq(mkdir(tpath("home/.pulse"), 0755), 0);
	make_kind(tpath("home/.pulse/client.conf"), FIFO);
	char home[4200];
	snprintf(home, sizeof(home), "HOME=%s", tpath("home"));
	char *out = NULL, *err = NULL;
	char *argv[] = {"env", "-u", "PULSE_CLIENTCONFIG", "-u", "XDG_CONFIG_HOME", "-u",
			"PULSE_SERVER", home, "timeout", "10", (char *)tu_tool("passthru-probe"),
			NULL};
	int rc = tu_run(argv, &out, &err, 30);
	cr_expect_neq(rc, 124, "passthru-probe hung");
	cr_expect_eq(rc, 0, "rc %d, stderr: %s", rc, err);
	cr_expect(out && strstr(out, ".pulse/client.conf is a FIFO, not a regular file"), "%s",
		  out);
	free(out);
	free(err);
}
