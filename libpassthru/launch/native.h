/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "passthru/error.h"
#include "passthru/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Starts the plan's command in namespaces of our own, without
 * systemd-nspawn and, for an ordinary user, without root.
 *
 * Namespaces: new mount and PID namespaces for the container's PID 1; the
 * command also gets a user namespace of its own, for root callers too, with
 * a new mount namespace and UTS, IPC unless the plan clears
 * PT_PLAN_PRIVATE_IPC (then IPC and /dev/shm are the host's), and network
 * with PT_PLAN_PRIVATE_NETWORK. That user namespace maps ids to themselves:
 * for a root caller the whole range (0 0 4294967295), so files keep their
 * owners while the command's capabilities stop at the namespace's edge
 * (they act on its own mounts, hostname, network, never on the host's or
 * PID 1's). A caller that is not root maps the container user to itself
 * (PID 1 then runs in such a user namespace too): one uid and one gid, so no
 * supplementary groups.
 *
 * File system:
 *  - the plan's root, or the host's "/" read-only when it has none (a
 *    convenience, not isolation: a read-only mount does not stop connect()
 *    to the host's sockets), then with a fresh /tmp and the host's
 *    /run/systemd/resolve for name resolution;
 *  - a fresh /dev (null, zero, full, random, urandom, tty, pts, ptmx, shm)
 *    plus exactly the plan's device nodes; /proc of the new PID namespace;
 *    /run as a fresh tmpfs (as systemd-nspawn makes it); the host's /sys
 *    read-only where the root has a /sys;
 *  - /proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus and /proc/fs
 *    read-only; /proc/kcore, /proc/keys, /proc/timer_list,
 *    /proc/timer_stats, /proc/sched_debug, /proc/latency_stats, /proc/acpi,
 *    /proc/scsi, /sys/firmware and /sys/devices/virtual/powercap hidden by
 *    an empty read-only file or directory, where they exist (as runc);
 *  - the plan's binds: nosuid, and nodev except device nodes; read-only
 *    where asked. Its generated files are held in memory, owned by the
 *    container user, read-only unless their mode lets the owner write.
 * Every path in the root is resolved inside it: a symlink there never leads
 * a mount or a created file onto the host; one whose target is missing
 * inside the root is an error naming it. Missing mount points are created
 * in the root and stay, as with systemd-nspawn; without root, only where the
 * caller may write. A device's access string is not enforced (no device
 * cgroup here): the node's own permissions apply. The command's mounts
 * are a copy made for its less privileged user namespace, so the kernel
 * locks them: no remount (also after a further unshare) lifts ro, nosuid,
 * nodev or noexec, and no unmount uncovers what a mask hides.
 *
 * The command runs as the plan's user (resolved in the root's /etc/passwd
 * and /etc/group; default: root, or the caller without root), with
 * PR_SET_NO_NEW_PRIVS and, as root, systemd-nspawn's default capability
 * set (CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, IPC_OWNER,
 * KILL, LEASE, LINUX_IMMUTABLE, MKNOD, NET_BIND_SERVICE, NET_BROADCAST,
 * NET_RAW, SETGID, SETFCAP, SETPCAP, SETUID, SYS_ADMIN, SYS_BOOT,
 * SYS_CHROOT, SYS_NICE, SYS_PTRACE, SYS_RESOURCE, SYS_TTY_CONFIG,
 * AUDIT_WRITE, AUDIT_CONTROL; plus NET_ADMIN with a network of its own) in
 * its bounding, permitted and effective sets, none inheritable or ambient;
 * any other user has no capability in any set. A seccomp filter (libseccomp,
 * also for the i386 and x32 entries) answers EPERM to what nspawn's denies:
 * open_by_handle_at, kexec, module loading, keyrings, bpf, perf_event_open,
 * fanotify, quotactl, swapon/swapoff, reboot, iopl/ioperm, setting the
 * clock, acct, syslog, userfaultfd, obsolete calls, and TIOCSTI/TIOCLINUX.
 * PID 1 runs no code of the container and stays unfiltered, out of the
 * command's reach (not dumpable, in a more privileged user namespace).
 * It starts in its home directory.
 * Its environment is PATH, HOME, USER, LOGNAME, SHELL, TERM (the caller's),
 * container=passthru, then the plan's variables, which win; nothing else of
 * the caller's passes, as with systemd-nspawn.
 *
 * *ret_pid and *ret_pidfd (O_CLOEXEC) are the container's PID 1, a small
 * init that reaps orphans, forwards signals to the command and exits with
 * its status (128+N for signal N): pass the pidfd to pt_supervise(). This
 * returns once the command was executed; a setup failure in the child (a
 * mount, the user, exec) is returned here, the child already reaped.
 * flags: 0. User namespaces must be allowed, also for a root caller
 * (sysctl user.max_user_namespaces): without them this fails, it never runs
 * the command less confined.
 *
 * The child allocates no memory, so a multi-threaded caller is safe. The
 * container is killed when the calling thread ends (PR_SET_PDEATHSIG): no
 * container outlives a launcher that crashed.
 */
int native_spawn(const struct pt_plan *plan, unsigned flags, pid_t *ret_pid, int *ret_pidfd,
		    struct pt_error *err);

#ifdef __cplusplus
}
#endif
