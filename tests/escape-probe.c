/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tries each way out of a container that a root (or any) command has been
 * known to take, and prints one line per probe:
 *   NAME: blocked (ERRNO or why)    NAME: ESCAPED (what worked)
 *   NAME: skipped (why it does not apply here)
 * Built static: it runs in roots without a C library. Exit status 0 when
 * nothing escaped, 1 otherwise.
 *
 *   escape-probe [--handle TYPE:HEX] [--host-pid PID]
 * --handle: a file handle (from name_to_handle_at on the host) of a file on
 * the file system of the container's "/", which the container cannot see. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __x86_64__
#include <sys/io.h>
#endif

static int escaped;

static void blocked(const char *name, int e)
{
	printf("%s: blocked (%s)\n", name, strerrorname_np(e) ? strerrorname_np(e) : "?");
}

static void escape(const char *name, const char *what)
{
	printf("%s: ESCAPED (%s)\n", name, what);
	escaped = 1;
}

static void skipped(const char *name, const char *why)
{
	printf("%s: skipped (%s)\n", name, why);
}

/* A call that does nothing harmful when it passes the kernel's permission
 * check, but then fails for a reason of its own (bad fd, bad flags): the
 * permission errors are "blocked", any other answer means it got past. */
static void perm_probe(const char *name, long r)
{
	int e = errno;
	if (r >= 0)
		escape(name, "the call succeeded");
	else if (e == EPERM || e == EACCES || e == ENOSYS)
		blocked(name, e);
	else {
		char what[64];
		snprintf(what, sizeof(what), "past the permission check: %s", strerrorname_np(e));
		escape(name, what);
	}
}

/* A call that succeeds when not blocked; any failure counts as blocked. */
static void call_probe(const char *name, long r)
{
	if (r >= 0)
		escape(name, "the call succeeded");
	else
		blocked(name, errno);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void probe_handle(const char *spec)
{
	const char *name = "open_by_handle_at";
	if (!spec) {
		skipped(name, "no --handle given");
		return;
	}
	static union {
		struct file_handle h;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} fh;
	unsigned char *bytes = fh.raw + sizeof(struct file_handle);
	char *colon;
	fh.h.handle_type = (int)strtol(spec, &colon, 10);
	const char *hex = colon + 1;
	size_t n = strlen(hex) / 2;
	if (*colon != ':' || n > MAX_HANDLE_SZ) {
		skipped(name, "bad --handle");
		return;
	}
	for (size_t i = 0; i < n; i++)
		bytes[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	fh.h.handle_bytes = (unsigned)n;
	int mfd = open("/", O_RDONLY | O_DIRECTORY);
	int fd = open_by_handle_at(mfd, &fh.h, O_RDONLY);
	if (fd < 0) {
		blocked(name, errno);
	} else {
		char buf[64];
		ssize_t got = read(fd, buf, sizeof(buf));
		snprintf(buf, sizeof(buf), "opened a hidden host file, read %zd bytes", got);
		escape(name, buf);
		close(fd);
	}
	close(mfd);
}

/* A global (not per-namespace) sysctl: the value read is written back, so
 * an escape changes nothing on the host. */
static void probe_sysctl(void)
{
	const char *name = "sysctl_write", *path = "/proc/sys/vm/stat_interval";
	char val[64] = "";
	int rfd = open(path, O_RDONLY);
	ssize_t n = rfd >= 0 ? read(rfd, val, sizeof(val) - 1) : -1;
	if (rfd >= 0)
		close(rfd);
	if (n <= 0) {
		skipped(name, "cannot read /proc/sys/vm/stat_interval");
		return;
	}
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		blocked(name, errno);
		return;
	}
	if (write(fd, val, (size_t)n) == n)
		escape(name, "wrote /proc/sys/vm/stat_interval");
	else
		blocked(name, errno);
	close(fd);
}

static unsigned long ms_flags(const struct statvfs *sv)
{
	unsigned long f = 0;
	f |= sv->f_flag & ST_NOSUID ? MS_NOSUID : 0;
	f |= sv->f_flag & ST_NODEV ? MS_NODEV : 0;
	f |= sv->f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	f |= sv->f_flag & ST_NOATIME ? MS_NOATIME : 0;
	f |= sv->f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0;
	f |= sv->f_flag & ST_RELATIME ? MS_RELATIME : 0;
	return f;
}

/* Makes the read-only mount at path writable, with mount(2) and with
 * mount_setattr(2), each keeping every other flag. */
static void probe_remount(const char *name, const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0) {
		skipped(name, "absent");
		return;
	}
	if (!(sv.f_flag & ST_RDONLY)) {
		skipped(name, "not read-only here");
		return;
	}
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | ms_flags(&sv), NULL) == 0) {
		escape(name, "mount -o remount,bind,rw");
		return;
	}
	int e = errno;
	struct mount_attr a = {.attr_clr = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, path, 0, &a, sizeof(a)) == 0) {
		escape(name, "mount_setattr clearing MOUNT_ATTR_RDONLY");
		return;
	}
	blocked(name, e);
}

static const char *const masked[] = {"/proc/kcore",	  "/proc/keys",		 "/proc/timer_list",
				     "/proc/sched_debug", "/proc/latency_stats", "/proc/acpi",
				     "/proc/scsi",	  "/sys/firmware"};

/* Whether path shows anything: bytes of a file, entries of a directory. */
static bool shows_something(const char *path, int *ret_errno)
{
	struct stat st;
	*ret_errno = 0;
	if (stat(path, &st) < 0) {
		*ret_errno = errno;
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			*ret_errno = errno;
			return false;
		}
		char buf[4096];
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		close(fd);
		/* "." and ".." take 48 bytes at most. */
		return n > 48;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		*ret_errno = errno;
		return false;
	}
	char c;
	ssize_t n = read(fd, &c, 1);
	if (n < 0)
		*ret_errno = errno;
	close(fd);
	return n > 0;
}

static void probe_masks(void)
{
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		char name[128];
		snprintf(name, sizeof(name), "mask:%s", masked[i]);
		/* An unmount would uncover what the mask hides. */
		umount2(masked[i], MNT_DETACH);
		int e;
		if (shows_something(masked[i], &e))
			escape(name, "readable");
		else if (e == ENOENT)
			skipped(name, "absent");
		else if (e)
			blocked(name, e);
		else
			printf("%s: blocked (empty)\n", name);
	}
}

/* A fresh proc shows what the masks and the read-only /proc/sys hide. */
static void probe_mount_proc(void)
{
	const char *name = "mount_proc";
	char dir[] = "/run/probe-XXXXXX";
	if (!mkdtemp(dir)) {
		char alt[] = "/tmp/probe-XXXXXX";
		if (!mkdtemp(alt)) {
			skipped(name, "no writable /run or /tmp");
			return;
		}
		strcpy(dir, alt);
	}
	if (mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
		escape(name, "mounted a new proc");
		umount2(dir, MNT_DETACH);
	} else {
		blocked(name, errno);
	}
	rmdir(dir);
}

/* In a user namespace of its own, the command is all-powerful again: the
 * locks must hold there too. Runs in a child; reports through its status. */
static void probe_unshare_remount(void)
{
	const char *name = "unshare_userns_remount";
	const char *target = NULL;
	struct statvfs sv;
	if (statvfs("/", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		target = "/";
	else if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		target = "/sys";
	if (!target) {
		skipped(name, "no read-only mount here");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(100 + (errno & 0x7f));
		struct mount_attr a = {.attr_clr = MOUNT_ATTR_RDONLY};
		if (mount_setattr(AT_FDCWD, target, 0, &a, sizeof(a)) == 0)
			_exit(0);
		_exit(errno & 0x7f);
	}
	int status;
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	if (code == 0)
		escape(name, target);
	else if (code >= 100)
		printf("%s: blocked (unshare: %s)\n", name, strerrorname_np(code - 100));
	else
		blocked(name, code);
}

/* What any user may do: make a user namespace, where it has every
 * capability, with mount, pid and network namespaces of its own. The masks
 * were copied into it locked: no unmount there, no fresh proc or sysfs and
 * no bind of /proc without what covers it may show what they hide. Runs in
 * a child, which prints its own lines. */
static void userns_uncover(void)
{
	const char *name = "userns_umount_mask";
	int e = 0;
	bool out = false;
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]) && !out; i++) {
		int se;
		if ((out = umount2(masked[i], MNT_DETACH) == 0 && shows_something(masked[i], &se)))
			escape(name, masked[i]);
		else if (!e || e == ENOENT)
			e = errno;
	}
	if (!out)
		blocked(name, e);

	name = "userns_open_tree_proc";
	long fd = syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	call_probe(name, fd);

	name = "userns_mount_sysfs";
	if (mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ==
	    0)
		escape(name, "mounted a new sysfs");
	else
		blocked(name, errno);

	/* Only a process of the pid namespace may mount its proc. */
	name = "userns_mount_proc";
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0
			  ? 0
			  : (errno & 0x7f) + 100);
	int status;
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	if (pid < 0)
		blocked(name, errno);
	else if (code == 0)
		escape(name, "mounted a new proc");
	else
		blocked(name, code >= 100 ? code - 100 : EINVAL);
}

static void probe_userns_uncover(void)
{
	static const char *const names[] = {"userns_umount_mask", "userns_open_tree_proc",
					    "userns_mount_sysfs", "userns_mount_proc"};
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) < 0) {
			int e = errno;
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				printf("%s: blocked (unshare: %s)\n", names[i], strerrorname_np(e));
			_exit(0);
		}
		userns_uncover();
		fflush(stdout);
		_exit(escaped);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		escaped = 1;
}

/* PID 1 keeps its capabilities: its root, working directory and open
 * files must stay out of the command's reach (a listing of its fd numbers,
 * which container root gets, reaches nothing). */
static void probe_pid1_files(void)
{
	const char *name = "pid1_files";
	if (getpid() == 1) {
		skipped(name, "the probe is PID 1");
		return;
	}
	int e = 0;
	for (int i = -2; i < 16; i++) {
		char path[32] = "/proc/1/root/";
		if (i == -1)
			strcpy(path, "/proc/1/cwd/");
		else if (i >= 0)
			snprintf(path, sizeof(path), "/proc/1/fd/%d", i);
		int fd = open(path, O_PATH);
		if (fd >= 0) {
			escape(name, path);
			close(fd);
			return;
		}
		if (!e || e == ENOENT)
			e = errno;
	}
	blocked(name, e);
}

static void probe_bpf(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	call_probe("bpf", fd);
	if (fd >= 0)
		close((int)fd);
}

static void probe_perf(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	/* Every process on CPU 0: the host's too. */
	long fd = syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);
	call_probe("perf_event_open", fd);
	if (fd >= 0)
		close((int)fd);
}

static void probe_ptrace(const char *name, pid_t pid)
{
	if (pid <= 0) {
		skipped(name, "no pid");
		return;
	}
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
		escape(name, "attached");
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	} else {
		blocked(name, errno);
	}
}

/* The i386 entry from a 64-bit program: a filter written for x86-64 alone
 * does not see it. keyctl(KEYCTL_GET_KEYRING_ID, session) is 288 there. */
static void probe_int80(void)
{
	const char *name = "int80_keyctl";
#ifdef __x86_64__
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		long r;
		__asm__ volatile("int $0x80"
				 : "=a"(r)
				 : "a"(288L), "b"((long)KEYCTL_GET_KEYRING_ID),
				   "c"((long)KEY_SPEC_SESSION_KEYRING), "d"(0L)
				 : "memory");
		_exit(r >= 0 ? 0 : (int)(-r & 0x7f) + 100);
	}
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("%s: blocked (no i386 entry: signal %d)\n", name, WTERMSIG(status));
	else if (WEXITSTATUS(status) == 0)
		escape(name, "keyctl through int 0x80");
	else
		blocked(name, WEXITSTATUS(status) - 100);
#else
	skipped(name, "not x86-64");
#endif
}

/* Typing into the input of the command's own controlling terminal: with a
 * terminal shared with the caller, that is the caller's shell. */
static void probe_tiocsti(void)
{
	const char *name = "tiocsti";
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
		if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
			_exit(99);
		setsid();
		int s = open(ptsname(m), O_RDWR);
		if (s < 0)
			_exit(99);
		ioctl(s, TIOCSCTTY, 0);
		char c = 'x';
		_exit(ioctl(s, TIOCSTI, &c) == 0 ? 0 : (errno & 0x7f) + 100);
	}
	int status;
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	if (code == 0)
		escape(name, "pushed input into its terminal");
	else if (code == 99)
		skipped(name, "no pseudo-terminal");
	else
		blocked(name, code - 100);
}

int main(int argc, char **argv)
{
	const char *handle = NULL;
	pid_t host_pid = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--handle"))
			handle = argv[i + 1];
		else if (!strcmp(argv[i], "--host-pid"))
			host_pid = atoi(argv[i + 1]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	probe_handle(handle);
	probe_sysctl();
	probe_remount("remount_root_rw", "/");
	probe_remount("remount_sys_rw", "/sys");
	probe_masks();
	probe_mount_proc();
	probe_unshare_remount();
	probe_userns_uncover();
	probe_pid1_files();

	perm_probe("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xdead0000UL));
	perm_probe("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0xdead0000UL));
	perm_probe("init_module", syscall(SYS_init_module, NULL, 0UL, ""));
	perm_probe("finit_module", syscall(SYS_finit_module, -1, "", 0));
	perm_probe("delete_module", syscall(SYS_delete_module, "pt_no_such_module", 0));
	call_probe("keyctl",
		   syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
	probe_bpf();
	probe_perf();
	call_probe("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
	perm_probe("swapon", syscall(SYS_swapon, "/pt-no-such-swap", 0));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	perm_probe("clock_settime", syscall(SYS_clock_settime, CLOCK_REALTIME, &now));
	/* Accounting would write a file for every process of the machine. */
	perm_probe("acct", syscall(SYS_acct, "/pt-no-such-file"));
#ifdef __x86_64__
	call_probe("iopl", iopl(3));
	call_probe("ioperm", ioperm(0x80, 1, 1));
#endif
	probe_ptrace("ptrace_pid1", getpid() == 1 ? 0 : 1);
	probe_ptrace("ptrace_host_pid", host_pid);
	probe_int80();
	probe_tiocsti();
	return escaped;
}
