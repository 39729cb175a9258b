/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

char *tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = NULL;
	cr_assert(asprintf(&dir, "%s/pt-test-XXXXXX", base && *base ? base : "/tmp") > 0);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	chmod(dir, 0755);
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? 0 : 0;
	unlink(path);
	return 0;
}

void tu_rm_rf(const char *path)
{
	if (path)
		nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void tu_reexec_with_umockdev(char **argv, const char *marker)
{
	const char *pre = getenv("LD_PRELOAD");
	if ((pre && strstr(pre, "libumockdev-preload")) || getenv(marker))
		return;
	char *value = NULL, *asan = NULL;
	const char *a = getenv("ASAN_OPTIONS");
	if (asprintf(&value, "libumockdev-preload.so.0%s%s", pre && *pre ? ":" : "",
		     pre ? pre : "") < 0 ||
	    asprintf(&asan, "%s%sverify_asan_link_order=0", a ? a : "", a && *a ? ":" : "") < 0)
		return;
	setenv("LD_PRELOAD", value, 1);
	setenv("ASAN_OPTIONS", asan, 1);
	setenv(marker, "1", 1);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "%s: re-exec with umockdev: %s\n", argv[0], strerror(errno));
}

unsigned tu_free_char_major(void)
{
	FILE *f = fopen("/proc/devices", "re");
	cr_assert_not_null(f);
	bool used[256] = {0}, chars = false;
	char line[256];
	unsigned m;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Character", 9) == 0)
			chars = true;
		else if (strncmp(line, "Block", 5) == 0)
			chars = false;
		else if (chars && sscanf(line, "%u", &m) == 1 && m < 256)
			used[m] = true;
	}
	fclose(f);
	for (m = 240; m <= 254; m++)
		if (!used[m])
			return m;
	cr_skip_test("no free character major in 240-254");
	return 0;
}

void tu_die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
}

void tu_write(const char *path, const char *content, unsigned mode)
{
	char *copy = strdup(path);
	for (char *p = copy + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(copy, 0755);
		*p = '/';
	}
	free(copy);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert(fd >= 0, "create %s: %s", path, strerror(errno));
	size_t n = strlen(content);
	cr_assert_eq(write(fd, content, n), (ssize_t)n);
	fchmod(fd, mode);
	close(fd);
}

static const char getent_sh[] =
	"#!/bin/sh\n"
	"# Minimal getent: systemd-nspawn -u asks for passwd, group and initgroups.\n"
	"db=$1; key=$2\n"
	"if [ \"$db\" = initgroups ]; then\n"
	"  line=$(getent passwd \"$key\") || exit 2\n"
	"  rest=${line#*:*:*:}; gid=${rest%%:*}; out=\"$key $gid\"\n"
	"  while IFS=: read -r g x id members; do\n"
	"    case \",$members,\" in *\",$key,\"*) out=\"$out $id\";; esac\n"
	"  done < /etc/group\n"
	"  echo \"$out\"; exit 0\n"
	"fi\n"
	"while IFS= read -r line; do\n"
	"  name=${line%%:*}; rest=${line#*:*:}; id=${rest%%:*}\n"
	"  if [ \"$name\" = \"$key\" ] || [ \"$id\" = \"$key\" ]; then echo \"$line\"; exit 0; fi\n"
	"done < /etc/$db\n"
	"exit 2\n";

char *tu_busybox_root(const char *dir)
{
	char *root = NULL, path[4096];
	cr_assert(asprintf(&root, "%s/root", dir) > 0);
	const char *dirs[] = {"", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/tmp",
			      "/run", "/usr", "/root", "/home", "/home/tester", "/var"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
	}
	snprintf(path, sizeof(path), "%s/tmp", root);
	chmod(path, 01777);
	snprintf(path, sizeof(path), "%s/home/tester", root);
	chown(path, 1000, 1000);

	snprintf(path, sizeof(path), "%s/bin/busybox", root);
	char *cp[] = {"cp", "/bin/busybox", path, NULL};
	cr_assert_eq(tu_run(cp, NULL, NULL, 10), 0, "copy busybox");
	const char *applets[] = {"sh",    "env",  "id",   "cat",   "ls",    "echo",  "true",
				 "false", "sleep", "kill", "ps",    "grep",  "stat",  "test",
				 "mkdir", "touch", "head", "readlink", "mount", "wc", "printf",
				 "dd", "tr", "sed", "awk", "hostname", "rm", "ln"};
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		snprintf(path, sizeof(path), "%s/bin/%s", root, applets[i]);
		symlink("busybox", path);
	}
	snprintf(path, sizeof(path), "%s/bin/getent", root);
	tu_write(path, getent_sh, 0755);
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	tu_write(path,
		 "root:x:0:0:root:/root:/bin/sh\n"
		 "tester:x:1000:1000:tester:/home/tester:/bin/sh\n"
		 "nobody:x:65534:65534:nobody:/:/bin/sh\n",
		 0644);
	snprintf(path, sizeof(path), "%s/etc/group", root);
	tu_write(path, "root:x:0:\nvideo:x:44:tester\ntester:x:1000:\nnogroup:x:65534:\n", 0644);
	/* nspawn wants to see an OS tree: /etc/os-release or /usr/lib/os-release. */
	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	tu_write(path, "ID=busybox\n", 0644);
	return root;
}

const char *tu_tool(const char *name)
{
	static char buf[4][4096];
	static int slot;
	const char *b = getenv("PT_BUILD");
	char *p = buf[slot++ % 4];
	snprintf(p, 4096, "%s/%s", b && *b ? b : "build", name);
	return p;
}

bool tu_have(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char *copy = strdup(path), *save = NULL;
	bool found = false;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", d, prog);
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

bool tu_can_nspawn(void) { return geteuid() == 0 && tu_have("systemd-nspawn"); }

static void drain(int fd, char **buf, size_t *len, size_t *alloc, bool *open_)
{
	if (*len + 4096 + 1 > *alloc) {
		*alloc = (*len + 4096 + 1) * 2;
		*buf = realloc(*buf, *alloc);
	}
	ssize_t n = read(fd, *buf + *len, *alloc - *len - 1);
	if (n <= 0) {
		if (n == 0 || errno != EINTR)
			*open_ = false;
		return;
	}
	*len += (size_t)n;
	(*buf)[*len] = '\0';
}

int tu_run(char *const argv[], char **out, char **err, unsigned timeout_s)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		return -1;
	/* Opened here, not in the child: with umockdev's preload an open()
	 * takes the preload's lock, which another thread of a testbed suite
	 * may have held at the fork, and the child would wait for ever. */
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		close(null);
		return -1;
	}
	if (pid == 0) {
		tu_die_with_parent(parent);
		dup2(null, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(null);
	close(po[1]);
	close(pe[1]);
	char *b[2] = {calloc(1, 1), calloc(1, 1)};
	size_t len[2] = {0, 0}, alloc[2] = {1, 1};
	bool open_[2] = {true, true};
	time_t deadline = time(NULL) + timeout_s;
	bool killed = false;
	while (open_[0] || open_[1]) {
		struct pollfd p[2] = {{open_[0] ? po[0] : -1, POLLIN, 0},
				      {open_[1] ? pe[0] : -1, POLLIN, 0}};
		int r = poll(p, 2, 200);
		if (r > 0) {
			for (int i = 0; i < 2; i++)
				if (p[i].revents)
					drain(i ? pe[0] : po[0], &b[i], &len[i], &alloc[i], &open_[i]);
		}
		if (!killed && time(NULL) > deadline) {
			kill(pid, SIGKILL);
			killed = true;
		}
	}
	close(po[0]);
	close(pe[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = b[0];
	else
		free(b[0]);
	if (err)
		*err = b[1];
	else
		free(b[1]);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int tu_mounts_under(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	char line[8192];
	int n = 0;
	size_t plen = strlen(path);
	while (fgets(line, sizeof(line), f)) {
		char mp[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strncmp(mp, path, plen) == 0 &&
		    (mp[plen] == '\0' || mp[plen] == '/'))
			n++;
	}
	fclose(f);
	return n;
}
