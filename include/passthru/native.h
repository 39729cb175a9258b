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
 * The child gets new mount, PID, UTS and IPC namespaces (IPC and /dev/shm
 * are the host's when the plan clears PT_PLAN_PRIVATE_IPC; a network
 * namespace with PT_PLAN_PRIVATE_NETWORK); when the caller is not root, a
 * user namespace that maps the container user to the caller (one uid, one
 * gid: supplementary groups need root). Its root is the plan's root, or the
 * host's "/" read-only when the plan has none (with a fresh /tmp and the
 * host's /run/systemd/resolve for name resolution; a
 * convenience, not isolation: the host's sockets, e.g. in /run, stay
 * reachable, as a read-only mount does not stop connect()). It has a
 * fresh /dev (null, zero, full, random, urandom, tty, pts, ptmx, shm) plus
 * exactly the plan's devices, /proc of its PID namespace, a fresh /run
 * (tmpfs, as systemd-nspawn makes it), the host's /sys
 * read-only where the root has a /sys, the plan's binds (nosuid and nodev
 * except device nodes; read-only where asked) and generated files (held in
 * memory, read-only: pt_plan_write_files() is not needed). Every path in the
 * root is resolved inside it: a symlink there never leads a mount or a
 * created file onto the host; one whose target is missing inside the root
 * is an error naming it. Missing mount points are created in the root and
 * stay there, as with systemd-nspawn; without root they can only be created
 * where the caller may write. A device's access string is not enforced
 * (there is no device cgroup here): the node's own permissions apply.
 *
 * The command runs as the plan's user (resolved in the root's /etc/passwd
 * and /etc/group; default: root, or the caller without root) with
 * PR_SET_NO_NEW_PRIVS and without the capabilities that act on the whole
 * machine (as systemd-nspawn drops them: module loading, raw I/O, the
 * clock, NET_ADMIN without a network namespace of its own …), in its home
 * directory, with the environment PATH,
 * HOME, USER, LOGNAME, SHELL, TERM (from the caller), container=passthru
 * and then the plan's variables, which win. Nothing else of the caller's
 * environment passes, as with systemd-nspawn.
 *
 * *ret_pid and *ret_pidfd (O_CLOEXEC) are the container's PID 1, a small
 * init that reaps orphans, forwards signals to the command and exits with
 * its status (128+N for signal N): pass the pidfd to pt_supervise(). This
 * returns only once the command was executed; a setup failure in the child
 * (a mount, the user, exec) comes back here as the error, with the child
 * already reaped. flags: 0.
 *
 * The child allocates no memory, so a multi-threaded caller is safe. The
 * container is killed when the calling thread ends (PR_SET_PDEATHSIG), so
 * that no container outlives a launcher that crashed.
 */
int pt_native_spawn(const struct pt_plan *plan, unsigned flags, pid_t *ret_pid, int *ret_pidfd,
		    struct pt_error *err);

#ifdef __cplusplus
}
#endif
