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
 * Namespaces: new mount, PID and UTS; IPC unless the plan clears
 * PT_PLAN_PRIVATE_IPC (then IPC and /dev/shm are the host's); network with
 * PT_PLAN_PRIVATE_NETWORK. A caller that is not root also gets a user
 * namespace mapping the container user to itself: one uid and one gid, so
 * no supplementary groups.
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
 *  - the plan's binds: nosuid, and nodev except device nodes; read-only
 *    where asked. Its generated files are held in memory, read-only, owned
 *    by the container user: pt_plan_write_files() is not needed.
 * Every path in the root is resolved inside it: a symlink there never leads
 * a mount or a created file onto the host; one whose target is missing
 * inside the root is an error naming it. Missing mount points are created
 * in the root and stay, as with systemd-nspawn; without root, only where the
 * caller may write. A device's access string is not enforced (no device
 * cgroup here): the node's own permissions apply.
 *
 * The command runs as the plan's user (resolved in the root's /etc/passwd
 * and /etc/group; default: root, or the caller without root), with
 * PR_SET_NO_NEW_PRIVS, without the capabilities that act on the whole
 * machine (as systemd-nspawn drops them: module loading, raw I/O, the
 * clock, NET_ADMIN without a network of its own …), in its home directory.
 * Its environment is PATH, HOME, USER, LOGNAME, SHELL, TERM (the caller's),
 * container=passthru, then the plan's variables, which win; nothing else of
 * the caller's passes, as with systemd-nspawn.
 *
 * *ret_pid and *ret_pidfd (O_CLOEXEC) are the container's PID 1, a small
 * init that reaps orphans, forwards signals to the command and exits with
 * its status (128+N for signal N): pass the pidfd to pt_supervise(). This
 * returns once the command was executed; a setup failure in the child (a
 * mount, the user, exec) is returned here, the child already reaped.
 * flags: 0.
 *
 * The child allocates no memory, so a multi-threaded caller is safe. The
 * container is killed when the calling thread ends (PR_SET_PDEATHSIG): no
 * container outlives a launcher that crashed.
 */
int pt_native_spawn(const struct pt_plan *plan, unsigned flags, pid_t *ret_pid, int *ret_pidfd,
		    struct pt_error *err);

#ifdef __cplusplus
}
#endif
