/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Confinement of the native backend. tests/escape-probe (static) tries,
 * inside passthru-launch --backend native, each way out a root command has
 * been known to take: a file handle of a host file the container cannot
 * see, a host-global sysctl, remounting /sys or the read-only host root,
 * a fresh proc past the masks, kernel modules, kexec, keyrings, BPF, perf,
 * ptrace of PID 1 or its root, cwd and fds, the i386 syscall entry, TIOCSTI;
 * and, in a user namespace of its own (which any user may make, and where
 * it has every capability), unmounting a mask, a fresh proc or sysfs, a
 * bind of /proc without its masks. Each test runs it in one
 * mode (root caller or nobody via setpriv, with -D or over the host's root,
 * container root or not) and asserts that nothing got out, and that what
 * the seccomp filter denies is denied by it (EPERM). The capability test
 * reads the sets from /proc/self/status inside. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char *tmp, *root;
static char probe[4096];  /* the probe, copied where nobody may read it */
static char handle[600];  /* TYPE:HEX of tmp/secret, for --handle */
static char host_pid[32]; /* this test's pid, for --host-pid */
static char sysctl_before[64];

#define SYSCTL "/proc/sys/vm/stat_interval"

static void copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	cr_assert(in >= 0, "open %s: %s (make tests builds it)", from, strerror(errno));
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert(out >= 0, "create %s: %s", to, strerror(errno));
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n);
	fchmod(out, mode);
	close(in);
	close(out);
}

static void read_sysctl(char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(SYSCTL, "re");
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
}

static void setup(void)
{
	tmp = tu_tmpdir();
	root = tu_busybox_root(tmp);
	char path[4096];
	snprintf(probe, sizeof(probe), "%s/escape-probe", tmp);
	copy_file(tu_tool("tests/escape-probe"), probe, 0755);
	snprintf(path, sizeof(path), "%s/probe", root);
	copy_file(probe, path, 0755);

	/* A host file on the file system of both roots (the busybox root is in
	 * tmp; the host's / holds /tmp here or the test would not say so), out
	 * of the container's sight: tmp/secret is outside the -D root, and the
	 * host's /tmp is covered by a fresh one without -D. */
	snprintf(path, sizeof(path), "%s/secret", tmp);
	tu_write(path, "host secret\n", 0600);
	static union {
		struct file_handle h;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} fh;
	const unsigned char *bytes = fh.raw + sizeof(struct file_handle);
	fh.h.handle_bytes = MAX_HANDLE_SZ;
	int mount_id;
	cr_assert(name_to_handle_at(AT_FDCWD, path, &fh.h, &mount_id, 0) == 0,
		  "name_to_handle_at: %s", strerror(errno));
	int n = snprintf(handle, sizeof(handle), "%d:", fh.h.handle_type);
	for (unsigned i = 0; i < fh.h.handle_bytes; i++)
		n += snprintf(handle + n, sizeof(handle) - (size_t)n, "%02x", bytes[i]);
	snprintf(host_pid, sizeof(host_pid), "%d", (int)getpid());
	read_sysctl(sysctl_before, sizeof(sysctl_before));
}

static void teardown(void)
{
	if (tmp)
		tu_rm_rf(tmp);
	free(root);
	free(tmp);
	root = tmp = NULL;
}

/* Each test calls setup() itself once it knows it will not be skipped. */
TestSuite(confine, .fini = teardown);

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("runs root and nobody (setpriv): needs root");
}

/* passthru-launch --backend=native ARGS... (NULL-terminated), as nobody
 * when asked; returns the exit status, stdout and stderr. */
static int launch(bool nobody, char **out, char **err, ...)
{
	char *argv[64];
	size_t n = 0;
	if (nobody) {
		argv[n++] = "setpriv";
		argv[n++] = "--reuid=65534";
		argv[n++] = "--regid=65534";
		argv[n++] = "--clear-groups";
	}
	argv[n++] = (char *)tu_tool("passthru-launch");
	argv[n++] = "--backend=native";
	va_list ap;
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *)) && n + 1 < 64;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return tu_run(argv, out, err, 60);
}

/* The line of probe name, or "" when it printed none. */
static const char *line_of(const char *out, const char *name)
{
	static char line[512];
	char key[128];
	snprintf(key, sizeof(key), "%s: ", name);
	line[0] = '\0';
	for (const char *p = out; p && *p;) {
		const char *end = strchrnul(p, '\n');
		if (!strncmp(p, key, strlen(key))) {
			snprintf(line, sizeof(line), "%.*s", (int)(end - p), p);
			break;
		}
		p = *end ? end + 1 : end;
	}
	return line;
}

static bool line_is(const char *out, const char *name, const char *verdict)
{
	char want[256];
	snprintf(want, sizeof(want), "%s: %s", name, verdict);
	return strncmp(line_of(out, name), want, strlen(want)) == 0;
}

/* What the seccomp filter denies: each must be refused with its EPERM
 * (without it, most would pass, or fail with another error). */
static const char *const filtered[] = {
    "open_by_handle_at",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "keyctl",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "swapon",
    "clock_settime",
    "acct",
    "iopl",
    "ioperm",
    "tiocsti",
};

static void expect_confined(const char *out, bool host_root)
{
	cr_expect_null(strstr(out, "ESCAPED"), "something escaped:\n%s", out);
	for (size_t i = 0; i < sizeof(filtered) / sizeof(filtered[0]); i++)
		cr_expect(line_is(out, filtered[i], "blocked (EPERM)"),
			  "%s not denied by the filter: '%s'", filtered[i],
			  line_of(out, filtered[i]));
	cr_expect(line_is(out, "int80_keyctl", "blocked (EPERM)") ||
		      line_is(out, "int80_keyctl", "blocked (no i386 entry"),
		  "the i386 entry: '%s'", line_of(out, "int80_keyctl"));
	/* Blocked, not skipped: each applies in every mode. */
	static const char *const always[] = {
	    "sysctl_write",	  "remount_sys_rw",
	    "mount_proc",	  "unshare_userns_remount",
	    "mask:/proc/keys",	  "mask:/proc/timer_list",
	    "ptrace_pid1",	  "ptrace_host_pid",
	    "userns_umount_mask", "userns_open_tree_proc",
	    "userns_mount_sysfs", "userns_mount_proc",
	    "pid1_files",
	};
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		cr_expect(line_is(out, always[i], "blocked ("), "'%s'\n%s", line_of(out, always[i]),
			  out);
	if (host_root)
		cr_expect(line_is(out, "remount_root_rw", "blocked ("), "'%s'",
			  line_of(out, "remount_root_rw"));
	char after[64];
	read_sysctl(after, sizeof(after));
	cr_expect_str_eq(after, sysctl_before, "the host's " SYSCTL " changed");
}

/* Runs the probe in the busybox root (-D) or over the host's root. */
static void run_probe(bool nobody, bool host_root, const char *user)
{
	char bind[4200], *out = NULL, *err = NULL;
	snprintf(bind, sizeof(bind), "--bind-ro=%s:/run/escape-probe", probe);
	const char *prog = host_root ? "/run/escape-probe" : "/probe";
	int rc;
	if (host_root)
		rc = launch(nobody, &out, &err, bind, "-u", user, "--", prog, "--handle", handle,
			    "--host-pid", host_pid, NULL);
	else
		rc = launch(nobody, &out, &err, "-D", root, "-u", user, "--", prog, "--handle",
			    handle, "--host-pid", host_pid, NULL);
	cr_expect_eq(rc, 0, "rc %d (1: something escaped)\n%s\n%s", rc, out, err);
	cr_assert_not_null(out);
	expect_confined(out, host_root);
	free(out);
	free(err);
}

Test(confine, root_caller_in_a_root_dir)
{
	need_root();
	setup();
	run_probe(false, false, "root");
}

Test(confine, root_caller_over_the_read_only_host_root)
{
	need_root();
	setup();
	run_probe(false, true, "root");
}

Test(confine, root_caller_as_an_ordinary_container_user)
{
	need_root();
	setup();
	run_probe(false, false, "tester");
}

Test(confine, unprivileged_caller_in_a_root_dir)
{
	need_root();
	setup();
	run_probe(true, false, "nobody");
}

Test(confine, unprivileged_caller_over_the_host_root)
{
	need_root();
	setup();
	run_probe(true, true, "nobody");
}

Test(confine, unprivileged_caller_as_container_root)
{
	need_root();
	setup();
	run_probe(true, false, "root");
}

/* systemd-nspawn's default bounding set: CHOWN, DAC_OVERRIDE,
 * DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
 * LINUX_IMMUTABLE, NET_BIND_SERVICE, NET_BROADCAST, NET_RAW, IPC_OWNER,
 * SYS_CHROOT, SYS_PTRACE, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE,
 * SYS_TTY_CONFIG, MKNOD, LEASE, AUDIT_WRITE, AUDIT_CONTROL, SETFCAP. */
#define NSPAWN_CAPS	  0xfdecafffull
#define CAP_NET_ADMIN_BIT (1ull << 12)

struct caps {
	unsigned long long inh, prm, eff, bnd, amb;
	int seccomp, nnp;
};

static struct caps caps_inside(bool nobody, const char *user, bool private_net)
{
	char *out = NULL, *err = NULL;
	int rc = launch(nobody, &out, &err, "-D", root, "-u", user,
			private_net ? "--private-network" : "--setenv=X=1", "--", "sh", "-c",
			"grep -E '^(Cap|Seccomp:|NoNewPrivs)' /proc/self/status", NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	struct caps c = {.seccomp = -1, .nnp = -1};
	const char *p;
	cr_assert((p = strstr(out, "CapInh:")) && sscanf(p, "CapInh: %llx", &c.inh) == 1, "%s",
		  out);
	cr_assert((p = strstr(out, "CapPrm:")) && sscanf(p, "CapPrm: %llx", &c.prm) == 1, "%s",
		  out);
	cr_assert((p = strstr(out, "CapEff:")) && sscanf(p, "CapEff: %llx", &c.eff) == 1, "%s",
		  out);
	cr_assert((p = strstr(out, "CapBnd:")) && sscanf(p, "CapBnd: %llx", &c.bnd) == 1, "%s",
		  out);
	cr_assert((p = strstr(out, "CapAmb:")) && sscanf(p, "CapAmb: %llx", &c.amb) == 1, "%s",
		  out);
	if ((p = strstr(out, "Seccomp:")))
		sscanf(p, "Seccomp: %d", &c.seccomp);
	if ((p = strstr(out, "NoNewPrivs:")))
		sscanf(p, "NoNewPrivs: %d", &c.nnp);
	free(out);
	free(err);
	return c;
}

Test(confine, capability_sets_per_mode)
{
	need_root();
	setup();
	static const struct {
		bool nobody;
		const char *user;
		bool private_net;
		unsigned long long want;
	} table[] = {
	    {false, "root", false, NSPAWN_CAPS},
	    {false, "root", true, NSPAWN_CAPS | CAP_NET_ADMIN_BIT},
	    {false, "tester", false, 0},
	    {true, "root", false, NSPAWN_CAPS},
	    {true, "nobody", false, 0},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct caps c = caps_inside(table[i].nobody, table[i].user, table[i].private_net);
		const char *who = table[i].nobody ? "nobody" : "root";
		cr_expect_eq(c.bnd, table[i].want, "%s caller, user %s%s: CapBnd %llx, want %llx",
			     who, table[i].user, table[i].private_net ? ", own network" : "", c.bnd,
			     table[i].want);
		cr_expect_eq(c.eff, table[i].want, "%s caller, user %s: CapEff %llx", who,
			     table[i].user, c.eff);
		cr_expect_eq(c.prm, table[i].want, "%s caller, user %s: CapPrm %llx", who,
			     table[i].user, c.prm);
		cr_expect_eq(c.inh, 0, "%s caller, user %s: CapInh %llx", who, table[i].user,
			     c.inh);
		cr_expect_eq(c.amb, 0, "%s caller, user %s: CapAmb %llx", who, table[i].user,
			     c.amb);
		cr_expect_eq(c.seccomp, 2, "%s caller, user %s: no seccomp filter", who,
			     table[i].user);
		cr_expect_eq(c.nnp, 1, "%s caller, user %s: no no_new_privs", who, table[i].user);
	}
}

/* A root caller's command gets a user namespace of its own (where its
 * capabilities end), mapping the whole id range to itself: files made
 * inside keep their owners on the host. */
Test(confine, root_caller_gets_an_identity_mapped_user_namespace)
{
	need_root();
	setup();
	char *out = NULL, *err = NULL, bind[4200], host_ns[128] = "";
	cr_assert_gt(readlink("/proc/self/ns/user", host_ns, sizeof(host_ns) - 1), 0);
	snprintf(bind, sizeof(bind), "--bind=%s:/data", tmp);
	int rc = launch(false, &out, &err, "-D", root, bind, "--", "sh", "-c",
			"readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; "
			"touch /data/f1; chown 1000:44 /data/f1",
			NULL);
	cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
	char want[512];
	snprintf(want, sizeof(want), "%10u %10u %10u\n%10u %10u %10u\n", 0u, 0u, 4294967295u, 0u,
		 0u, 4294967295u);
	const char *maps = strchr(out, '\n');
	cr_assert_not_null(maps, "%s", out);
	cr_expect(strncmp(out, host_ns, strlen(host_ns)) != 0,
		  "the command runs in the host's user namespace %s", host_ns);
	cr_expect_str_eq(maps + 1, want);
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/f1", tmp);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect(st.st_uid == 1000 && st.st_gid == 44, "owner %u:%u", (unsigned)st.st_uid,
		  (unsigned)st.st_gid);
	free(out);
	free(err);
}
