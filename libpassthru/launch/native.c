/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The native backend: the plan applied to namespaces we create ourselves.
 *
 * Shape (as bubblewrap): the parent resolves everything that needs memory
 * (the user, the environment) and clone3()s one child into new namespaces.
 * That child is the container's PID 1: it builds the mounts on a private
 * tmpfs ("/" after a first pivot_root, with the host at /oldroot and the
 * container at /newroot), pivots into /newroot, forks the command and then
 * only reaps and forwards signals. A setup error travels back over a
 * close-on-exec pipe as a whole struct pt_error; EOF means exec succeeded.
 *
 * Confinement (as bubblewrap, at least as systemd-nspawn): a command that
 * runs as root is forked into a user namespace of its own, nested in PID
 * 1's, with a new mount namespace. Its ids map to themselves, so files keep
 * their owners, but its capabilities end at that namespace: they act on
 * nothing the host (or PID 1) owns. And since its mounts were copied from a
 * more privileged mount namespace, the kernel locks them: no remount lifts
 * ro, nosuid or nodev, no unmount uncovers what a mask hides. Any other
 * user has no capability at all, so it stays in PID 1's user and mount
 * namespaces (one namespace less to make and tear down): it cannot mount
 * there, and a user namespace it makes itself gets the same locked copy.
 * The command runs with nspawn's capability set (none unless root),
 * no_new_privs and a seccomp filter, in a UTS namespace of its own (and
 * IPC and network ones where the plan keeps those private). */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "mount.h"
#include "pidfd.h"
#include "native.h"
#include "passthru/process.h"
#include "seccomp-filter.h"
#include "userdb.h"

/* Where the child builds the container before the final pivot_root. Only
 * in its own mount namespace: the host's /tmp is not touched. */
#define BASE	"/tmp"
#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Signals PID 1 passes on to the command. */
static const int forwarded[] = {SIGHUP,	 SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2,
				SIGALRM, SIGTERM, SIGCONT, SIGWINCH};

/* Everything the child needs, prepared by the parent. */
struct ctx {
	const struct pt_plan *plan;
	const char *root; /* host path of the root; NULL: host "/" read-only */
	/* Host paths with every symlink resolved: after the first pivot_root an
	 * absolute symlink on the host would resolve against our setup tmpfs. */
	char *root_real;
	char **bind_src; /* per plan bind */
	char **dev_src;	 /* per plan device */
	bool userns;	 /* PID 1 too: the caller is not root */
	char uid_map[64], gid_map[64];
	/* The command's own user namespace: every id PID 1 has, to itself. */
	char *cmd_uid_map, *cmd_gid_map;
	unsigned long long cmd_ns; /* namespaces the command is forked into */
	uint64_t caps;		   /* the command's capabilities (all its sets) */
	struct sock_fprog filter;
	struct userdb_user user;
	char **envp;
	int errfd;
};

/* ---- in the child: no malloc from here to the exec ---------------------- */

static int write_at(const char *path, const char *data, struct pt_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_error_set(err, errno, "open %s", path);
	size_t n = strlen(data);
	if (write(fd, data, n) != (ssize_t)n)
		return pt_error_set(err, errno, "write %s", path);
	return 0;
}

static int map_user(const struct ctx *c, struct pt_error *err)
{
	int r;
	/* A caller that changed its uid without exec is not dumpable, which
	 * makes its /proc/self files root's: the maps could not be written.
	 * PID 1 is made undumpable again before the command starts. */
	if (prctl(PR_GET_DUMPABLE) != 1 && prctl(PR_SET_DUMPABLE, 1) < 0)
		return pt_error_set(err, errno, "user namespace: set dumpable");
	/* An unprivileged user namespace may map only the caller itself, and
	 * only after setgroups() is denied for good (else a process could drop
	 * a group that denies it access). */
	if ((r = write_at("/proc/self/setgroups", "deny", err)) < 0 ||
	    (r = write_at("/proc/self/uid_map", c->uid_map, err)) < 0 ||
	    (r = write_at("/proc/self/gid_map", c->gid_map, err)) < 0)
		return pt_error_prefix(err, "user namespace");
	return 0;
}

static int map_command(const struct ctx *c, pid_t cmd, struct pt_error *err)
{
	char path[64];
	int r;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)cmd);
	if ((r = write_at(path, c->cmd_uid_map, err)) < 0)
		return pt_error_prefix(err, "the command's user namespace");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)cmd);
	if ((r = write_at(path, c->cmd_gid_map, err)) < 0)
		return pt_error_prefix(err, "the command's user namespace");
	return 0;
}

/* "/oldroot" + host path: the host stays reachable there until the end. */
static const char *host_path(char buf[PATH_MAX], const char *path)
{
	snprintf(buf, PATH_MAX, OLDROOT "%s", streq(path, "/") ? "" : path);
	return buf;
}

static int make_base(struct pt_error *err)
{
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return pt_error_set(err, errno, "make / private");
	if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return pt_error_set(err, errno, "mount tmpfs on " BASE);
	if (chdir(BASE) < 0 || mkdir("." NEWROOT, 0755) < 0 || mkdir("." OLDROOT, 0755) < 0 ||
	    mkdir("./files", 0755) < 0 || mkdir("./mask-dir", 0555) < 0)
		return pt_error_set(err, errno, "prepare " BASE);
	int fd = open("./mask-file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return pt_error_set(err, errno, "prepare " BASE);
	close(fd);
	if (syscall(SYS_pivot_root, BASE, "." OLDROOT) < 0)
		return pt_error_set(err, errno, "pivot_root to " BASE);
	if (chdir("/") < 0)
		return pt_error_set(err, errno, "chdir /");
	return 0;
}

static int mount_root(const struct ctx *c, int *ret_rootfd, struct pt_error *err)
{
	char buf[PATH_MAX];
	const char *src = host_path(buf, c->root_real);
	_cleanup_close_ int mfd =
	    open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (mfd < 0)
		return pt_error_set(err, errno, "root %s", c->root ? c->root : "/");
	if (!c->root) {
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
		if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
			return pt_error_set(err, errno, "make the host root read-only");
	}
	if (move_mount(mfd, "", AT_FDCWD, NEWROOT, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return pt_error_set(err, errno, "mount the root");
	int fd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return pt_error_set(err, errno, "open the root");
	*ret_rootfd = fd;
	return 0;
}

/* Device nodes are bound read-only: reading and writing the device is
 * not the mount's business, but chmod, chown and utimes are, and on a
 * writable bind container root (the host's uid 0 behind an identity map)
 * would change the host's own node: chmod 0666 on a render node opens the
 * GPU to every host user. A device needs a mount without nodev; nosuid and
 * noexec still hold. */
#define DEVICE_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)

/* Binds the host node host (resolved) at path inside rootfd. */
static int bind_node(int rootfd, const char *host, const char *path, struct pt_error *err)
{
	char buf[PATH_MAX];
	const char *src = host_path(buf, host);
	struct stat st;
	if (stat(src, &st) < 0)
		return pt_error_set(err, errno, "device %s", path);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return pt_error_setx(err, ENODEV, "device %s: not a device node on the host", path);
	int r = root_bind(rootfd, src, path, DEVICE_ATTRS, err);
	return r < 0 ? pt_error_prefix(err, "device %s", path) : 0;
}

/* A copy of the mount at src with attrs, attached over the inode tfd (an
 * O_PATH fd already resolved inside the root): half the syscalls of
 * root_bind, which resolves source and target again by path. */
static int bind_over(int srcdir, const char *src, unsigned attrs, int tfd, struct pt_error *err)
{
	struct stat st;
	if (fstatat(srcdir, src, &st, AT_EMPTY_PATH) < 0)
		return pt_error_set(err, errno, "stat");
	_cleanup_close_ int mfd =
	    open_tree(srcdir, src,
		      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (*src ? 0 : AT_EMPTY_PATH) |
			  (S_ISDIR(st.st_mode) ? AT_RECURSIVE : 0));
	if (mfd < 0)
		return pt_error_set(err, errno, "clone");
	struct mount_attr a = {.attr_set = attrs};
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return pt_error_set(err, errno, "set mount flags");
	if (move_mount(mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pt_error_set(err, errno, "mount");
	return 0;
}

/* The standard nodes, by the numbers Linux fixed for them. */
static const struct {
	const char *name;
	unsigned major, minor;
} std_nodes[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

/* One of the standard nodes in our fresh /dev tmpfs (devfd): nothing of
 * the root's can be in the way there, so it is made and used by name, not
 * resolved in the root. PID 1 in the host's user namespace makes it, as
 * nspawn does: a node of the container's own, one syscall. In a user
 * namespace mknod is denied, and the host's node is bound read-only. */
static int make_std_node(const struct ctx *c, int devfd, size_t i, struct pt_error *err)
{
	const char *name = std_nodes[i].name;
	if (!c->userns) {
		if (mknodat(devfd, name, S_IFCHR | 0666,
			    makedev(std_nodes[i].major, std_nodes[i].minor)) < 0 ||
		    fchmodat(devfd, name, 0666, 0) < 0) /* whatever the umask */
			return pt_error_set(err, errno, "device /dev/%s", name);
		return 0;
	}
	char src[64];
	snprintf(src, sizeof(src), OLDROOT "/dev/%s", name);
	struct stat st;
	if (stat(src, &st) < 0)
		return pt_error_set(err, errno, "device /dev/%s", name);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return pt_error_setx(err, ENODEV, "device /dev/%s: not a device node on the host",
				     name);
	_cleanup_close_ int mfd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct mount_attr a = {.attr_set = DEVICE_ATTRS};
	if (mfd < 0 || mount_setattr(mfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return pt_error_set(err, errno, "device /dev/%s", name);
	int fd = openat(devfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return pt_error_set(err, errno, "device /dev/%s: mount point", name);
	close(fd);
	if (move_mount(mfd, "", devfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return pt_error_set(err, errno, "device /dev/%s: mount", name);
	return 0;
}

static int make_dev(const struct ctx *c, int rootfd, struct pt_error *err)
{
	static const char *const dev_opts[] = {"mode=0755", "size=64k", NULL};
	static const char *const pts_opts[] = {"newinstance", "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm_opts[] = {"mode=01777", NULL};
	static const char *const links[][2] = {
	    {"fd", "/proc/self/fd"},	   {"stdin", "/proc/self/fd/0"},
	    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
	    {"ptmx", "pts/ptmx"},	   {"core", "/proc/kcore"},
	};
	_cleanup_close_ int dev = -1, pts = -1, shm = -1;
	int r;
	if ((r = fs_new("tmpfs", dev_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &dev, err)) < 0 ||
	    (r = root_attach(rootfd, dev, "/dev", true, err)) < 0)
		return pt_error_prefix(err, "/dev");
	/* From here on /dev is our fresh tmpfs: whatever the root had there,
	 * symlink or not, is covered. */
	for (size_t i = 0; i < ELEMENTSOF(std_nodes); i++)
		if ((r = make_std_node(c, dev, i, err)) < 0)
			return r;
	for (size_t i = 0; i < ELEMENTSOF(links); i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0)
			return pt_error_set(err, errno, "/dev/%s", links[i][0]);
	if ((r = fs_new("devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &pts, err)) <
		0 ||
	    (r = root_attach(rootfd, pts, "/dev/pts", true, err)) < 0)
		return pt_error_prefix(err, "/dev/pts");
	/* POSIX shared memory lives in /dev/shm: shared with the host exactly
	 * when the IPC namespace is (e.g. for MIT-SHM with the host's X). */
	if (pt_plan_get_flags(c->plan) & PT_PLAN_PRIVATE_IPC) {
		if ((r = fs_new("tmpfs", shm_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &shm,
				err)) < 0 ||
		    (r = root_attach(rootfd, shm, "/dev/shm", true, err)) < 0)
			return pt_error_prefix(err, "/dev/shm");
	} else if ((r = root_bind(rootfd, OLDROOT "/dev/shm", "/dev/shm",
				  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err)) < 0) {
		return pt_error_prefix(err, "/dev/shm");
	}

	for (size_t i = 0; i < pt_plan_device_count(c->plan); i++)
		if ((r = bind_node(rootfd, c->dev_src[i], pt_plan_device(c->plan, i)->path, err)) <
		    0)
			return r;
	return 0;
}

static int make_api_fs(const struct ctx *c, int rootfd, struct pt_error *err)
{
	const unsigned safe = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	_cleanup_close_ int proc = -1;
	int r;
	/* This process is PID 1 of the new PID namespace: its proc shows only
	 * the container's processes. */
	if ((r = fs_new("proc", NULL, safe, &proc, err)) < 0 ||
	    (r = root_attach(rootfd, proc, "/proc", true, err)) < 0)
		return pt_error_prefix(err, "/proc");

	/* sysfs can only be mounted by the owner of the network namespace; the
	 * host's, read-only, is what GPU libraries look at (/sys/dev/char). Only
	 * where the root has a /sys: we do not add one. */
	_cleanup_close_ int sys = root_open(rootfd, "/sys", O_PATH | O_DIRECTORY);
	if (sys >= 0 &&
	    (r = root_bind(rootfd, OLDROOT "/sys", "/sys", safe | MOUNT_ATTR_RDONLY, err)) < 0)
		return pt_error_prefix(err, "/sys");

	/* /run is a fresh tmpfs, as systemd-nspawn makes it: producers put
	 * their sockets and files under /run/passthru, and an ordinary user
	 * could not create that in a root owned by root, nor anything in the
	 * read-only host root. It also hides the host's daemons' sockets. */
	static const char *const run_opts[] = {"mode=0755", NULL};
	static const char *const tmp_opts[] = {"mode=01777", NULL};
	_cleanup_close_ int run = -1, tmp = -1;
	if ((r = fs_new("tmpfs", run_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &run, err)) < 0 ||
	    (r = root_attach(rootfd, run, "/run", true, err)) < 0)
		return pt_error_prefix(err, "/run");
	if (!c->root) {
		/* The host's /etc/resolv.conf often points to systemd-resolved's
		 * stub under /run: keep name resolution working. */
		struct stat st;
		if (stat(OLDROOT "/run/systemd/resolve", &st) == 0 &&
		    (r = root_bind(rootfd, OLDROOT "/run/systemd/resolve", "/run/systemd/resolve",
				   safe | MOUNT_ATTR_RDONLY, err)) < 0)
			return pt_error_prefix(err, "/run/systemd/resolve");
		/* The host root is read-only: a fresh /tmp gives the command (and
		 * mount points such as /tmp/.X11-unix/X1) a writable place. */
		if ((r = fs_new("tmpfs", tmp_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &tmp,
				err)) < 0 ||
		    (r = root_attach(rootfd, tmp, "/tmp", true, err)) < 0)
			return pt_error_prefix(err, "/tmp");
	}
	return 0;
}

/* As runc's defaults and systemd-nspawn: what in /proc and /sys acts on
 * or shows the whole machine is read-only or hidden. /proc/asound stays
 * (runc hides it): ALSA clients look their cards up there. */
static const char *const ro_paths[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
				       "/proc/fs"};
static const char *const masked_paths[] = {
    "/proc/kcore",	 "/proc/keys",
    "/proc/timer_list",	 "/proc/timer_stats",
    "/proc/sched_debug", "/proc/latency_stats",
    "/proc/acpi",	 "/proc/scsi",
    "/sys/firmware",	 "/sys/devices/virtual/powercap",
};

static int protect_api_fs(int rootfd, struct pt_error *err)
{
	const unsigned ro =
	    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	struct stat st;
	int r;
	/* Only what this kernel has, and /sys only where the root has one.
	 * Each is bound over itself: the fd resolved in the root is both the
	 * source and the mount point. */
	for (size_t i = 0; i < ELEMENTSOF(ro_paths); i++) {
		_cleanup_close_ int fd = root_open(rootfd, ro_paths[i], O_PATH);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return pt_error_set(err, errno, "%s", ro_paths[i]);
		if ((r = bind_over(fd, "", ro, fd, err)) < 0)
			return pt_error_prefix(err, "make %s read-only", ro_paths[i]);
	}
	/* An empty file or directory of our own, read-only, over each. */
	for (size_t i = 0; i < ELEMENTSOF(masked_paths); i++) {
		_cleanup_close_ int fd = root_open(rootfd, masked_paths[i], O_PATH);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0)
			return pt_error_set(err, errno, "%s", masked_paths[i]);
		const char *mask = S_ISDIR(st.st_mode) ? "/mask-dir" : "/mask-file";
		if ((r = bind_over(AT_FDCWD, mask, ro, fd, err)) < 0)
			return pt_error_prefix(err, "hide %s", masked_paths[i]);
	}
	return 0;
}

static int make_binds(const struct ctx *c, int rootfd, struct pt_error *err)
{
	char buf[PATH_MAX];
	int r;
	for (size_t i = 0; i < pt_plan_bind_count(c->plan); i++) {
		const struct pt_bind *b = pt_plan_bind(c->plan, i);
		unsigned attrs = MOUNT_ATTR_NOSUID;
		if (b->flags & PT_BIND_DEVICE)
			attrs = DEVICE_ATTRS;
		else
			attrs |= MOUNT_ATTR_NODEV;
		if (b->flags & PT_BIND_RO)
			attrs |= MOUNT_ATTR_RDONLY;
		if ((r = root_bind(rootfd, host_path(buf, c->bind_src[i]), b->target, attrs, err)) <
		    0)
			return pt_error_prefix(err, "bind %s:%s", b->source, b->target);
	}
	return 0;
}

/* Generated files are written on the private base tmpfs, then bound one by
 * one: the base vanishes with the final pivot, the binds stay. No state
 * directory on the host, nothing to clean up. */
static int make_files(const struct ctx *c, int rootfd, struct pt_error *err)
{
	char path[64];
	int r;
	for (size_t i = 0; i < pt_plan_file_count(c->plan); i++) {
		const struct pt_file *f = pt_plan_file(c->plan, i);
		snprintf(path, sizeof(path), "/files/%zu", i);
		_cleanup_close_ int fd =
		    open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return pt_error_set(err, errno, "generated file %s", f->target);
		const char *p = f->data;
		for (size_t left = f->size; left > 0;) {
			ssize_t n = write(fd, p, left);
			if (n <= 0)
				return pt_error_set(err, n < 0 ? errno : EIO, "generated file %s",
						    f->target);
			p += n;
			left -= (size_t)n;
		}
		/* The container user must be able to read its Xauthority (0600). */
		if (fchown(fd, c->user.uid, c->user.gid) < 0 || fchmod(fd, f->mode & 07777) < 0)
			return pt_error_set(err, errno, "generated file %s", f->target);
		_cleanup_close_ int mfd =
		    open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		/* A private copy in our tmpfs: writing it harms nobody, and a
		 * client may insist on opening it read-write (see plan.h). */
		struct mount_attr a = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
						   MOUNT_ATTR_NOEXEC |
						   (f->mode & 0200 ? 0 : MOUNT_ATTR_RDONLY)};
		if (mfd < 0 || mount_setattr(mfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
			return pt_error_set(err, errno, "generated file %s", f->target);
		if ((r = root_attach(rootfd, mfd, f->target, false, err)) < 0)
			return pt_error_prefix(err, "generated file %s", f->target);
	}
	return 0;
}

static int enter_root(struct pt_error *err)
{
	/* pivot_root(".", "."): the old root (the setup tmpfs, with the host
	 * below it at /oldroot) ends up on top of the new one; no directory in
	 * the root is needed for it. One lazy unmount then detaches the setup
	 * tmpfs and the whole host tree together: the host is not reachable
	 * from the container, and the kernel waits for one RCU grace period,
	 * not two. */
	if (chdir(NEWROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return pt_error_set(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return pt_error_set(err, errno, "detach the host and the setup root");
	return 0;
}

static int setup(const struct ctx *c, struct pt_error *err)
{
	int r;
	if (c->userns && (r = map_user(c, err)) < 0)
		return r;
	if ((r = make_base(err)) < 0)
		return r;
	_cleanup_close_ int rootfd = -1;
	if ((r = mount_root(c, &rootfd, err)) < 0 || (r = make_dev(c, rootfd, err)) < 0 ||
	    (r = make_api_fs(c, rootfd, err)) < 0 || (r = protect_api_fs(rootfd, err)) < 0 ||
	    (r = make_binds(c, rootfd, err)) < 0 || (r = make_files(c, rootfd, err)) < 0)
		return r;
	return enter_root(err);
}

/* execvpe() would search the caller's PATH; the command's is in envp. */
static void exec_command(char *const argv[], char **envp)
{
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		return;
	}
	const char *path = DEFAULT_PATH;
	for (char **e = envp; *e; e++)
		if (startswith(*e, "PATH="))
			path = *e + 5;
	int saved = ENOENT;
	char buf[PATH_MAX];
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? p : ".", argv[0]) <
		    (int)sizeof(buf)) {
			execve(buf, argv, envp);
			/* Keep the first reason that is not plain absence. */
			if (errno != ENOENT && errno != ENOTDIR && saved == ENOENT)
				saved = errno;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	errno = saved;
}

/* The _exit() calls in this file run only in the cloned child (the
 * container's setup process and its PID 1), never in the caller's process:
 * the library still never ends the program that called it. */
static _Noreturn void report(int fd, const struct pt_error *err, int status)
{
	/* One write below PIPE_BUF: the parent reads it whole or not at all. */
	ssize_t n = write(fd, err, sizeof(*err));
	(void)n;
	_exit(status);
}

/* The caller may ignore signals (SIGPIPE often); the command starts with
 * the defaults, as pt_spawn() gives them. */
static void reset_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(SIGCHLD, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
		sigaction(forwarded[i], &dfl, NULL);
}

/* systemd-nspawn's default bounding set for a root command (nspawn.c,
 * arg_caps_retain). In the command's user namespace each acts only on what
 * that namespace owns: its mounts, its hostname, files of mapped ids. */
static const int retained_caps[] = {
    CAP_AUDIT_CONTROL,
    CAP_AUDIT_WRITE,
    CAP_CHOWN,
    CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH,
    CAP_FOWNER,
    CAP_FSETID,
    CAP_IPC_OWNER,
    CAP_KILL,
    CAP_LEASE,
    CAP_LINUX_IMMUTABLE,
    CAP_MKNOD,
    CAP_NET_BIND_SERVICE,
    CAP_NET_BROADCAST,
    CAP_NET_RAW,
    CAP_SETFCAP,
    CAP_SETGID,
    CAP_SETPCAP,
    CAP_SETUID,
    CAP_SYS_ADMIN,
    CAP_SYS_BOOT,
    CAP_SYS_CHROOT,
    CAP_SYS_NICE,
    CAP_SYS_PTRACE,
    CAP_SYS_RESOURCE,
    CAP_SYS_TTY_CONFIG,
};

/* Everything not kept leaves the bounding set, so no later exec (of a file
 * with capabilities, or as root) brings it back; ambient ones would
 * survive exec even for an ordinary user. */
static int limit_bounding(uint64_t keep, struct pt_error *err)
{
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL) /* past this kernel's last capability */
				break;
			return pt_error_set(err, errno, "drop capability %d", cap);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return pt_error_set(err, errno, "clear ambient capabilities");
	return 0;
}

/* After the user change: keep is the effective and permitted set. The
 * inheritable set stays empty (as runc since CVE-2022-24769): with it, a
 * program carrying inheritable file capabilities would gain them. */
static int set_caps(uint64_t keep, struct pt_error *err)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {
	    {.effective = (uint32_t)keep, .permitted = (uint32_t)keep},
	    {.effective = (uint32_t)(keep >> 32), .permitted = (uint32_t)(keep >> 32)},
	};
	if (syscall(SYS_capset, &h, d) < 0)
		return pt_error_set(err, errno, "set capabilities");
	return 0;
}

static _Noreturn void run_command(const struct ctx *c)
{
	struct pt_error err = {0};
	char *const *argv = pt_plan_get_command(c->plan);
	const struct userdb_user *u = &c->user;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (limit_bounding(c->caps, &err) < 0)
		report(c->errfd, &err, 127);
	/* Under an unprivileged caller setgroups() is denied for good: its
	 * mapping has the one group. */
	if (!c->userns && setgroups(u->n_groups, u->groups) < 0)
		report(c->errfd, (pt_error_set(&err, errno, "setgroups"), &err), 127);
	if (setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0)
		report(c->errfd, (pt_error_set(&err, errno, "become user %s", u->name), &err), 127);
	/* The creator of a user namespace holds every capability in it, whatever
	 * its uid: an ordinary user's are cleared here, not by the exec. */
	if (set_caps(c->caps, &err) < 0)
		report(c->errfd, &err, 127);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		report(c->errfd, (pt_error_set(&err, errno, "no_new_privs"), &err), 127);
	/* Last, so that the setup above needs nothing the filter denies. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &c->filter, 0, 0) < 0)
		report(c->errfd, (pt_error_set(&err, errno, "install the seccomp filter"), &err),
		       127);
	if (chdir(u->home) < 0 && chdir("/") < 0)
		report(c->errfd, (pt_error_set(&err, errno, "chdir /"), &err), 127);
	/* Only stdin, stdout and stderr pass, as with systemd-nspawn: whatever
	 * else the caller has open (a library's caller may not mark its fds
	 * close-on-exec) stays out of the container. */
	if (close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		report(c->errfd, (pt_error_set(&err, errno, "close_range"), &err), 127);
	exec_command(argv, c->envp);
	report(c->errfd, (pt_error_set(&err, errno, "exec %s", argv[0]), &err), 127);
}

/* PID 1: reap everything, forward signals, leave with the command's status.
 * When PID 1 exits the kernel kills whatever else is left in the namespace. */
static _Noreturn void init_loop(pid_t cmd, int sigfd)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sigfd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si)) {
			if (n < 0 && errno == EINTR)
				continue;
			_exit(255);
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(cmd, (int)si.ssi_signo);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == cmd)
				_exit(pt_exit_status(status));
	}
}

static _Noreturn void child_main(const struct ctx *c)
{
	struct pt_error err = {0};
	/* Should the launcher die, the container goes with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Dispositions are the caller's: with SIGCHLD ignored the kernel would
	 * reap the command itself and its status would be lost. */
	reset_signals();
	if (setup(c, &err) < 0)
		report(c->errfd, &err, 125);

	/* Blocked since the clone (see native_spawn): PID 1 ignores signals it
	 * has no handler for, unless they are blocked and read here. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0)
		report(c->errfd, (pt_error_set(&err, errno, "signalfd"), &err), 125);

	/* The command waits on this until PID 1 has written its id maps (or,
	 * without a user namespace, has set itself up to be left alone). */
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		report(c->errfd, (pt_error_set(&err, errno, "pipe"), &err), 125);

	/* A raw clone: glibc's fork() would run atfork handlers and take locks
	 * some thread of the caller may have held when we were cloned. A root
	 * command's user namespace owns its mount namespace (a locked copy of
	 * ours), and its UTS, IPC and network namespaces: root inside may set
	 * its hostname or configure its own network, nothing of PID 1's. */
	pid_t cmd = (pid_t)syscall(SYS_clone, c->cmd_ns | SIGCHLD, NULL, NULL, NULL, NULL);
	if (cmd < 0 && (c->cmd_ns & CLONE_NEWUSER) &&
	    (errno == EPERM || errno == ENOSPC || errno == EUSERS))
		report(c->errfd,
		       (pt_error_set(&err, errno,
				     "create the command's user namespace (are user namespaces "
				     "disabled here? see sysctl user.max_user_namespaces)"),
			&err),
		       125);
	if (cmd < 0)
		report(c->errfd,
		       (pt_error_set(&err, errno, "fork the command into its namespaces"), &err),
		       125);
	if (cmd == 0) {
		close(sigfd);
		close(sync[1]);
		char go;
		ssize_t n;
		while ((n = read(sync[0], &go, 1)) < 0 && errno == EINTR)
			;
		if (n != 1) /* PID 1 failed and reports why */
			_exit(127);
		run_command(c);
	}
	close(sync[0]);
	/* Only a process with CAP_SETUID in the parent namespace may map more
	 * than its own id: PID 1 writes the command's maps. */
	if ((c->cmd_ns & CLONE_NEWUSER) && map_command(c, cmd, &err) < 0) {
		kill(cmd, SIGKILL);
		report(c->errfd, &err, 125);
	}
	/* Nothing of the command's may ptrace or core-dump PID 1, which keeps
	 * its capabilities; the command's own flag is reset by its exec. Only
	 * now: the command's /proc files (its maps) must stay ours until
	 * written, and it runs nothing before the go below. */
	prctl(PR_SET_DUMPABLE, 0);
	if (write(sync[1], "1", 1) != 1)
		report(c->errfd, (pt_error_set(&err, errno, "start the command"), &err), 125);
	close(sync[1]);
	/* The command holds the other copy until its exec closes it. */
	/* PID 1 keeps only its signalfd: an fd of the caller held here could
	 * keep a pipe from ever reaching EOF while the container runs. */
	if (sigfd > 3)
		close_range(3, (unsigned)sigfd - 1, 0);
	close_range((unsigned)sigfd + 1, ~0u, 0);
	init_loop(cmd, sigfd);
}

/* ---- in the parent ------------------------------------------------------ */

static char *env_entry(const char *name, const char *value)
{
	char *s = NULL;
	return asprintf(&s, "%s=%s", name, value) < 0 ? NULL : s;
}

/* The command's environment: a login-like base, then the plan's variables,
 * which replace a base entry of the same name. */
static int build_env(const struct ctx *c, char ***ret, struct pt_error *err)
{
	const struct userdb_user *u = &c->user;
	const char *term = getenv("TERM");
	const char *base[][2] = {
	    {"PATH", DEFAULT_PATH}, {"HOME", u->home},	 {"USER", u->name},
	    {"LOGNAME", u->name},   {"SHELL", u->shell}, {"container", "passthru"},
	    {"TERM", term},
	};
	size_t nplan = pt_plan_env_count(c->plan), n = 0;
	_cleanup_strv_ char **env = calloc(ELEMENTSOF(base) + nplan + 1, sizeof(char *));
	if (!env)
		return pt_error_set(err, ENOMEM, "environment");
	for (size_t i = 0; i < ELEMENTSOF(base); i++)
		if (base[i][1] && !pt_plan_get_env(c->plan, base[i][0]))
			if (!(env[n++] = env_entry(base[i][0], base[i][1])))
				return pt_error_set(err, ENOMEM, "environment");
	for (size_t i = 0; i < nplan; i++) {
		const struct pt_env *e = pt_plan_env(c->plan, i);
		if (!(env[n++] = env_entry(e->name, e->value)))
			return pt_error_set(err, ENOMEM, "environment");
	}
	*ret = steal_pointer(&env);
	return 0;
}

/* realpath() of each path, as a vector of n strings. */
static int resolve_all(size_t n, const char *(*get)(const struct pt_plan *, size_t),
		       const struct pt_plan *plan, const char *what, char ***ret,
		       struct pt_error *err)
{
	_cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return pt_error_set(err, ENOMEM, "%s", what);
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = realpath(get(plan, i), NULL)))
			return pt_error_set(err, errno, "%s %s", what, get(plan, i));
	*ret = steal_pointer(&v);
	return 0;
}

static const char *bind_source(const struct pt_plan *plan, size_t i)
{
	return pt_plan_bind(plan, i)->source;
}

static const char *device_path(const struct pt_plan *plan, size_t i)
{
	return pt_plan_device(plan, i)->path;
}

/* A map of each range of ids in file (a /proc/self/[ug]id_map) to itself. */
static int identity_map(const char *file, char **ret, struct pt_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	if (!f)
		return pt_error_set(err, errno, "open %s", file);
	struct strbuf b = {0};
	unsigned long inside, outside, count;
	while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		strbuf_printf(&b, "%lu %lu %lu\n", inside, inside, count);
	if (b.failed) {
		free(b.s);
		return pt_error_set(err, ENOMEM, "%s", file);
	}
	if (!b.len)
		return pt_error_setx(err, EINVAL, "%s: no ids mapped", file);
	*ret = b.s;
	return 0;
}

/* The command's namespaces and its id maps, written by PID 1. */
static int command_ns(struct ctx *c, struct pt_error *err)
{
	unsigned flags = pt_plan_get_flags(c->plan);
	int r;
	c->cmd_ns = CLONE_NEWUTS;
	if (flags & PT_PLAN_PRIVATE_IPC)
		c->cmd_ns |= CLONE_NEWIPC;
	if (flags & PT_PLAN_PRIVATE_NETWORK)
		c->cmd_ns |= CLONE_NEWNET;
	c->caps = 0;
	if (c->user.uid != 0)
		/* Without a capability the command can neither mount nor
		 * unmount here, and any user namespace it makes gets a locked
		 * copy of these mounts: PID 1's namespaces are enough. One
		 * thing is shared that a nested namespace would have kept
		 * apart: under a root caller, the uid's kernel keyrings are the
		 * host user's. The seccomp filter denies keyctl, add_key and
		 * request_key, as nspawn's does (for every user). */
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(retained_caps); i++)
		c->caps |= 1ull << retained_caps[i];
	/* Its own network is its to configure, as with nspawn. */
	if (flags & PT_PLAN_PRIVATE_NETWORK)
		c->caps |= 1ull << CAP_NET_ADMIN;
	c->cmd_ns |= CLONE_NEWUSER | CLONE_NEWNS;
	if (c->userns) {
		/* PID 1's namespace has the container user's ids alone. */
		if (asprintf(&c->cmd_uid_map, "%u %u 1\n", (unsigned)c->user.uid,
			     (unsigned)c->user.uid) < 0 ||
		    asprintf(&c->cmd_gid_map, "%u %u 1\n", (unsigned)c->user.gid,
			     (unsigned)c->user.gid) < 0) {
			c->cmd_uid_map = c->cmd_gid_map = NULL;
			return pt_error_set(err, ENOMEM, "id maps");
		}
	} else if ((r = identity_map("/proc/self/uid_map", &c->cmd_uid_map, err)) < 0 ||
		   (r = identity_map("/proc/self/gid_map", &c->cmd_gid_map, err)) < 0) {
		return r;
	}
	return 0;
}

static void ctx_done(struct ctx *c)
{
	userdb_user_done(&c->user);
	strv_free(c->envp);
	free(c->root_real);
	strv_free(c->bind_src);
	strv_free(c->dev_src);
	free(c->cmd_uid_map);
	free(c->cmd_gid_map);
}

static int prepare(const struct pt_plan *plan, struct ctx *c, struct pt_error *err)
{
	c->plan = plan;
	c->root = pt_plan_get_root(plan);
	c->userns = geteuid() != 0;
	_cleanup_close_ int rootfd =
	    open(c->root ? c->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return pt_error_set(err, errno, "root %s", c->root ? c->root : "/");

	/* Without -u: root, or the caller itself when it is not root. */
	char self[32];
	const char *user = pt_plan_get_user(plan);
	if (!user) {
		snprintf(self, sizeof(self), "%u", (unsigned)geteuid());
		user = self;
	}
	int r = userdb_lookup(rootfd, user, &c->user, err);
	if (r < 0)
		return r;
	if (!(c->root_real = realpath(c->root ? c->root : "/", NULL)))
		return pt_error_set(err, errno, "root %s", c->root ? c->root : "/");
	if ((r = resolve_all(pt_plan_bind_count(plan), bind_source, plan, "bind source",
			     &c->bind_src, err)) < 0 ||
	    (r = resolve_all(pt_plan_device_count(plan), device_path, plan, "device", &c->dev_src,
			     err)) < 0)
		return r;
	if (c->userns) {
		snprintf(c->uid_map, sizeof(c->uid_map), "%u %u 1\n", (unsigned)c->user.uid,
			 (unsigned)geteuid());
		snprintf(c->gid_map, sizeof(c->gid_map), "%u %u 1\n", (unsigned)c->user.gid,
			 (unsigned)getegid());
	}
	if ((r = command_ns(c, err)) < 0)
		return r;
	seccomp_filter_get(&c->filter);
	return build_env(c, &c->envp, err);
}

/* Clones PID 1 into its namespaces; the child runs child_main and never
 * returns here. The command's own namespaces are made by PID 1. */
static int clone_pid1(struct ctx *c, int readfd, pid_t *ret_pid, int *ret_pidfd,
		      struct pt_error *err)
{
	unsigned long long ns = CLONE_NEWNS | CLONE_NEWPID;
	if (c->userns)
		ns |= CLONE_NEWUSER;

	/* The child starts with the forwarded signals blocked, so none sent
	 * before its signalfd exists is lost (PID 1 drops unhandled ones). */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
		sigaddset(&block, forwarded[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int pidfd = -1;
	pid_t pid = clone_pidfd(ns, &pidfd);
	if (pid == 0) {
		close(readfd);
		child_main(c);
	}
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		if (c->userns && (e == EPERM || e == ENOSPC || e == EUSERS))
			return pt_error_set(
			    err, e,
			    "native: create namespaces (are user namespaces disabled "
			    "here? see sysctl user.max_user_namespaces)");
		return pt_error_set(err, e, "native: create namespaces");
	}
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}

/* What the child wrote on the error pipe: nothing (EOF at the command's
 * exec) is success, else the whole pt_error of the step that failed. */
static int read_setup_result(int readfd, struct pt_error *err)
{
	struct pt_error child_err = {0};
	ssize_t n;
	while ((n = read(readfd, &child_err, sizeof(child_err))) < 0 && errno == EINTR)
		;
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(child_err))
		return pt_error_setx(err, EIO, "native: the container's setup failed");
	child_err.message[sizeof(child_err.message) - 1] = '\0';
	if (child_err.code <= 0)
		child_err.code = EIO;
	if (err)
		*err = child_err;
	return err ? pt_error_prefix(err, "native") : -child_err.code;
}

int native_spawn(const struct pt_plan *plan, unsigned flags, pid_t *ret_pid, int *ret_pidfd,
		    struct pt_error *err)
{
	if (flags)
		return pt_error_setx(err, EINVAL, "native: unknown flags 0x%x", flags);
	if (!pt_plan_get_command(plan))
		return pt_error_setx(err, EINVAL, "native: the plan has no command");

	struct ctx c = {0};
	int r = prepare(plan, &c, err);
	if (r < 0) {
		ctx_done(&c);
		return pt_error_prefix(err, "native");
	}

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = pt_error_set(err, errno, "native: pipe");
		goto out;
	}
	c.errfd = pipefd[1];
	pid_t pid = -1;
	int pidfd = -1;
	r = clone_pid1(&c, pipefd[0], &pid, &pidfd, err);
	close(pipefd[1]);
	if (r < 0) {
		close(pipefd[0]);
		goto out;
	}
	r = read_setup_result(pipefd[0], err);
	close(pipefd[0]);
	if (r < 0) {
		pidfd_reap(pidfd, true, NULL);
		close(pidfd);
		goto out;
	}
	*ret_pid = pid;
	*ret_pidfd = pidfd;
out:
	ctx_done(&c);
	return r;
}
