/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launch module: one container's life, whatever the backend. */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend.h"
#include "launch-private.h"
#include "netns.h"
#include "passthru/launch.h"
#include "passthru/process.h"
#include "pidfd.h"
#include "state.h"
#include "supervise.h"
#include "util.h"
#include "warnings.h"

/* Every backend, by enum pt_launch_backend. */
static const struct backend *const backends[] = {
	[PT_LAUNCH_BACKEND_NSPAWN] = &backend_nspawn,
	[PT_LAUNCH_BACKEND_NATIVE] = &backend_native,
	[PT_LAUNCH_BACKEND_BWRAP] = &backend_bwrap,
};

#define STATE_PREFIX "passthru-launch-"
#define LOCK_NAME    ".lock"

struct watch {
	int fd;
	char *what;
};

struct owned {
	void *obj;
	void (*free_fn)(void *);
};

struct pt_launch {
	struct pt_plan *plan;
	const struct backend *backend;
	enum pt_launch_console console;
	unsigned kill_after_ms;

	char *state_base; /* opts->state_base, NULL: pt_launch_state_base() */
	char *state_dir;  /* NULL until something needs it */
	int state_fd;
	int lock_fd; /* flock'ed while we live: a state dir without it is stale */
	bool keep_state;
	bool scan_stale; /* a state directory was made: look for dead ones' */
	char *nspawn;	 /* systemd-nspawn, found on PATH (nspawn backend only) */

	struct backend_state *bstate;
	struct pt_display *display;
	struct watch *watches;
	size_t n_watches, a_watches;
	struct warnings warnings;

	enum pt_launch_end end;
	int stop_sig;

	/* The network: what was asked, whether a nested display came, and
	 * the user-mode network made for the run. */
	enum pt_launch_network network;
	bool nested;
	int netns_fd;
	struct usernet *usernet;
	struct owned *owned;
	size_t n_owned, a_owned;
};

struct pt_launch_opts *pt_launch_opts_new(void) { return calloc(1, sizeof(struct pt_launch_opts)); }

void pt_launch_opts_free(struct pt_launch_opts *opts) { free(opts); }

static const char *const backend_names[] = {
	[PT_LAUNCH_BACKEND_AUTO] = "auto",
	[PT_LAUNCH_BACKEND_NSPAWN] = "nspawn",
	[PT_LAUNCH_BACKEND_NATIVE] = "native",
	[PT_LAUNCH_BACKEND_BWRAP] = "bwrap",
};

const char *pt_launch_backend_name(enum pt_launch_backend b)
{
	return (unsigned)b < ELEMENTSOF(backend_names) ? backend_names[b] : NULL;
}

int pt_launch_backend_parse(const char *name, enum pt_launch_backend *ret, struct pt_error *err)
{
	for (size_t i = 0; name && i < ELEMENTSOF(backend_names); i++)
		if (streq(name, backend_names[i])) {
			*ret = (enum pt_launch_backend)i;
			return 0;
		}
	return pt_error_setx(err, EINVAL, "unknown backend '%s' (known: auto, nspawn, native, bwrap)",
			     name ? name : "");
}

static const char *const network_names[] = {
	[PT_LAUNCH_NETWORK_AUTO] = "auto",
	[PT_LAUNCH_NETWORK_HOST] = "host",
	[PT_LAUNCH_NETWORK_NONE] = "none",
	[PT_LAUNCH_NETWORK_USER] = "user",
};

const char *pt_launch_network_name(enum pt_launch_network n)
{
	return (unsigned)n < ELEMENTSOF(network_names) ? network_names[n] : NULL;
}

int pt_launch_network_parse(const char *name, enum pt_launch_network *ret, struct pt_error *err)
{
	for (size_t i = 0; name && i < ELEMENTSOF(network_names); i++)
		if (streq(name, network_names[i])) {
			*ret = (enum pt_launch_network)i;
			return 0;
		}
	return pt_error_setx(err, EINVAL, "unknown network '%s' (known: auto, host, none, user)",
			     name ? name : "");
}

bool pt_launch_usernet_available(const char **ret_why)
{
	const char *why = NULL;
	bool ok = usernet_available(&why);
	if (ret_why)
		*ret_why = why;
	return ok;
}

enum pt_launch_network pt_launch_get_network(const struct pt_launch *l)
{
	if (pt_plan_get_flags(l->plan) & PT_PLAN_PRIVATE_NETWORK && !l->usernet)
		return PT_LAUNCH_NETWORK_NONE;
	if (l->network != PT_LAUNCH_NETWORK_AUTO)
		return l->network;
	return l->nested && usernet_available(&(const char *){NULL}) ? PT_LAUNCH_NETWORK_USER
								       : PT_LAUNCH_NETWORK_HOST;
}

const char *pt_launch_state_base(void) { return state_base_dir(); }

/* ---- state directories -------------------------------------------------- */

/* Removes everything below dirfd without following a symlink or leaving
 * the file system; used on our own state directories only. */
static void remove_tree_at(int dirfd, unsigned depth)
{
	if (depth > 8)
		return; /* we never nest deeper: this is not ours */
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0 || errno != EISDIR)
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			remove_tree_at(sub, depth + 1);
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void remove_state_dir(int parent_fd, const char *name, int dir_fd)
{
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0)
		remove_tree_at(fd, 0);
	unlinkat(parent_fd, name, AT_REMOVEDIR);
}

/* A launcher that was killed (SIGKILL, a crash) could not clean up; its
 * lock died with it. Remove such directories of ours under base. */
static void remove_stale_state(const char *base)
{
	_cleanup_close_ int basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		return;
	int scan = fcntl(basefd, F_DUPFD_CLOEXEC, 3);
	DIR *d = scan >= 0 ? fdopendir(scan) : NULL;
	if (!d) {
		if (scan >= 0)
			close(scan);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!startswith(e->d_name, STATE_PREFIX))
			continue;
		_cleanup_close_ int dfd =
			openat(basefd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (dfd < 0 || fstat(dfd, &st) < 0 || st.st_uid != geteuid())
			continue;
		_cleanup_close_ int lfd = openat(dfd, LOCK_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0)
			continue; /* no lock file: kept by a dry run; locked: alive */
		remove_state_dir(basefd, e->d_name, dfd);
	}
	closedir(d);
}

static int make_state_dir(struct pt_launch *l, const char *base, struct pt_error *err)
{
	/* Made under a name the stale scan ignores and renamed once locked:
	 * a directory with an unlocked lock file is a dead launcher's, and
	 * another launch must never find ours in that state. */
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s/." STATE_PREFIX "XXXXXX", base) < 0)
		return pt_error_set(err, ENOMEM, "state directory");
	if (!mkdtemp(tmp))
		return pt_error_set(err, errno, "create a state directory under %s", base);
	l->state_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->state_fd >= 0)
		l->lock_fd = openat(l->state_fd, LOCK_NAME,
				    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (l->lock_fd < 0 || flock(l->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int r = pt_error_set(err, errno, "lock state directory %s", tmp);
		if (l->state_fd >= 0)
			unlinkat(l->state_fd, LOCK_NAME, 0);
		rmdir(tmp);
		return r;
	}
	const char *suffix = strrchr(tmp, '-') + 1;
	if (asprintf(&l->state_dir, "%s/" STATE_PREFIX "%s", base, suffix) < 0) {
		l->state_dir = NULL;
		unlinkat(l->state_fd, LOCK_NAME, 0);
		rmdir(tmp);
		return pt_error_set(err, ENOMEM, "state directory");
	}
	if (rename(tmp, l->state_dir) < 0) {
		int r = pt_error_set(err, errno, "create state directory %s", l->state_dir);
		unlinkat(l->state_fd, LOCK_NAME, 0);
		rmdir(tmp);
		free(l->state_dir);
		l->state_dir = NULL;
		return r;
	}
	return 0;
}

/* ---- our helpers --------------------------------------------------------- */

#ifndef PT_HELPERDIR
#define PT_HELPERDIR "/usr/local/libexec/passthru"
#endif

/* passthru-init: beside the library in a build tree (the tests' static
 * archive sits one level down), in ../libexec/passthru of an installed
 * lib directory, or where `make install` put it. */
static char *find_init(void)
{
	Dl_info info;
	_cleanup_free_ char *dir = NULL;
	/* Linked statically into a program, the "library" is the program. */
	if (dladdr((void *)find_init, &info) && info.dli_fname && info.dli_fname[0] == '/')
		dir = strdup(info.dli_fname);
	else
		dir = realpath("/proc/self/exe", NULL);
	if (dir)
		*strrchr(dir, '/') = '\0';
	const char *const rel[] = {"/passthru-init", "/../passthru-init",
				   "/../libexec/passthru/passthru-init"};
	for (size_t i = 0; dir && i < ELEMENTSOF(rel); i++) {
		char *p = NULL;
		if (asprintf(&p, "%s%s", dir, rel[i]) < 0)
			return NULL;
		char *real = realpath(p, NULL);
		free(p);
		if (real && access(real, X_OK) == 0)
			return real;
		free(real);
	}
	return access(PT_HELPERDIR "/passthru-init", X_OK) == 0 ? strdup(PT_HELPERDIR "/passthru-init")
								: NULL;
}

/* ---- the launch --------------------------------------------------------- */

/* The backend, and for nspawn the program found on PATH (kept for its
 * spawn: PATH is searched once per launch). */
static int choose_backend(enum pt_launch_backend want, const struct backend **ret,
			  char **ret_nspawn, struct pt_error *err)
{
	_cleanup_free_ char *nspawn = NULL;
	/* Looked up only where it decides something: PATH is long on some
	 * machines, and a native launch should not pay for it. */
	bool have_nspawn = (want == PT_LAUNCH_BACKEND_NSPAWN ||
			    (want == PT_LAUNCH_BACKEND_AUTO && geteuid() == 0)) &&
			   find_program("systemd-nspawn", &nspawn) == 0;
	if (want == PT_LAUNCH_BACKEND_AUTO)
		want = geteuid() == 0 && have_nspawn ? PT_LAUNCH_BACKEND_NSPAWN
						     : PT_LAUNCH_BACKEND_NATIVE;
	if ((unsigned)want >= ELEMENTSOF(backends) || !backends[want])
		return pt_error_setx(err, EINVAL, "unknown backend %d", (int)want);
	if (want == PT_LAUNCH_BACKEND_NSPAWN && !have_nspawn)
		return pt_error_setx(err, ENOENT,
				     "nspawn backend: systemd-nspawn is not installed "
				     "(Debian: systemd-container)");
	*ret = backends[want];
	*ret_nspawn = want == PT_LAUNCH_BACKEND_NSPAWN ? steal_pointer(&nspawn) : NULL;
	return 0;
}

int pt_launch_new(struct pt_plan *plan, const struct pt_launch_opts *opts, struct pt_launch **ret,
		  struct pt_error *err)
{
	static const struct pt_launch_opts defaults = {0};
	if (!plan || !ret)
		return pt_error_setx(err, EINVAL, "launch: no plan");
	if (!opts)
		opts = &defaults;
	if (!pt_plan_get_command(plan))
		return pt_error_setx(err, EINVAL, "launch: the plan has no command");

	const struct backend *b = NULL;
	_cleanup_free_ char *nspawn = NULL;
	int r = choose_backend(opts->backend, &b, &nspawn, err);
	if (r < 0)
		return r;
	if (b->id == PT_LAUNCH_BACKEND_NSPAWN && !pt_plan_get_root(plan))
		return pt_error_setx(err, EINVAL,
				     "nspawn backend: no root directory (-D ROOT; the native "
				     "backend runs without one, over the host's root read-only)");

	struct pt_launch *l = calloc(1, sizeof(*l));
	if (!l)
		return pt_error_set(err, ENOMEM, "launch");
	l->nspawn = steal_pointer(&nspawn);
	l->plan = plan;
	l->backend = b;
	l->console = opts->console;
	l->kill_after_ms = opts->kill_after_ms ? opts->kill_after_ms : 10000;
	l->state_fd = l->lock_fd = l->netns_fd = -1;
	l->network = opts->network;
	if (l->network == PT_LAUNCH_NETWORK_NONE)
		pt_plan_set_flags(plan, pt_plan_get_flags(plan) | PT_PLAN_PRIVATE_NETWORK);
	const char *why = NULL;
	if (l->network == PT_LAUNCH_NETWORK_USER && !usernet_available(&why)) {
		pt_launch_free(l);
		return pt_error_setx(err, ENOENT, "--network=user: %s", why);
	}
	/* Made when something needs it (a backend's files, a display, a dry
	 * run): a plain native launch neither writes nor scans the base. */
	if (opts->state_base && !(l->state_base = strdup(opts->state_base))) {
		pt_launch_free(l);
		return pt_error_set(err, ENOMEM, "launch");
	}
	*ret = l;
	return 0;
}

/* Makes the state directory on first use. */
static int launch_state(struct pt_launch *l, struct pt_error *err)
{
	if (l->state_dir)
		return 0;
	/* What killed launchers left here is removed once the container
	 * starts (pt_launch_run): the launches that leave something behind
	 * are the ones that make a directory here. */
	l->scan_stale = true;
	return make_state_dir(l, l->state_base ? l->state_base : pt_launch_state_base(), err);
}

enum pt_launch_backend pt_launch_get_backend(const struct pt_launch *l) { return l->backend->id; }

const char *pt_launch_state_dir(struct pt_launch *l)
{
	return launch_state(l, NULL) < 0 ? NULL : l->state_dir;
}

struct pt_display *pt_launch_display(const struct pt_launch *l) { return l->display; }

int pt_launch_watch(struct pt_launch *l, int fd, const char *what, struct pt_error *err)
{
	void *items = l->watches;
	if (grow_array(&items, &l->a_watches, l->n_watches + 1, sizeof(*l->watches)) < 0)
		return pt_error_set(err, ENOMEM, "launch: watch");
	l->watches = items;
	char *w = strdup(what ? what : "a helper");
	if (!w)
		return pt_error_set(err, ENOMEM, "launch: watch");
	l->watches[l->n_watches++] = (struct watch){fd, w};
	return 0;
}

int pt_launch_start_display(struct pt_launch *l, struct pt_display_opts *o, struct pt_error *err)
{
	if (l->display)
		return pt_error_setx(err, EEXIST, "display: the launch has one already");
	/* The container's IPC namespace decides whether MIT-SHM can work. */
	o->private_ipc = pt_plan_get_flags(l->plan) & PT_PLAN_PRIVATE_IPC;
	/* Nothing may outlive a launcher that was killed. */
	o->die_with_caller = true;
	int r = launch_mark_nested(l, err);
	if (r < 0)
		return r;
	const char *saved = o->state_dir;
	if (!o->state_dir && (r = launch_state(l, err)) < 0)
		return r;
	if (!o->state_dir)
		o->state_dir = l->state_dir;
	r = pt_display_start(o, &l->display, err);
	o->state_dir = saved;
	if (r < 0)
		return r;
	r = pt_display_add_to_plan(l->display, l->plan, err);
	if (r == 0)
		r = pt_launch_watch(l, pt_display_pidfd(l->display), NULL, err);
	if (r < 0) {
		pt_display_free(steal_pointer(&l->display));
		return r;
	}

	if (pt_launch_get_network(l) != PT_LAUNCH_NETWORK_HOST)
		return 0;
	/* Why a nested display did not get a network of its own. */
	const char *why = NULL;
	char because[160] = "";
	if (l->network == PT_LAUNCH_NETWORK_AUTO && !usernet_available(&why))
		snprintf(because, sizeof(because), " (no network of its own: %s)", why);
	_cleanup_strv_ char **exposed = NULL;
	if (pt_display_exposed_sockets(l->display, l->plan, &exposed, NULL) > 0)
		for (char **e = exposed; *e; e++)
			if (warnings_add(&l->warnings, "x11-host-reachable",
					 "the container shares the host's network namespace and "
					 "can reach the X server at abstract socket %s%s",
					 *e, because) < 0)
				return pt_error_set(err, ENOMEM, "display");
	return 0;
}

static int prepare(struct pt_launch *l, bool dry_run, struct pt_error *err)
{
	if (l->bstate)
		return 0;
	bool files = l->backend->state_for_files && pt_plan_file_count(l->plan) > 0;
	int r = files || dry_run ? launch_state(l, err) : 0;
	if (r < 0)
		return r;
	/* Only nspawn runs our init: the others need not look for it
	 * (dladdr and realpath on every launch's start-up path). */
	bool nspawn = l->backend->id == PT_LAUNCH_BACKEND_NSPAWN;
	_cleanup_free_ char *init = nspawn ? find_init() : NULL;
	if (nspawn && !init)
		return pt_error_setx(err, ENOENT,
				     "nspawn backend: passthru-init is not installed (looked beside "
				     "libpassthru and in " PT_HELPERDIR ")");
	struct backend_env env = {
		.state_dir = l->state_dir,
		.state_dir_fd = l->state_fd,
		.console = l->console,
		.init = init,
		.nspawn = l->nspawn,
		.netns_fd = l->netns_fd,
	};
	return l->backend->prepare(l->plan, &env, &l->bstate, err);
}

static int forward(void *userdata, int pidfd, int sig)
{
	struct pt_launch *l = userdata;
	return l->backend->forward(l->bstate, pidfd, sig);
}

int pt_launch_dry_run(struct pt_launch *l, char ***ret_argv, struct pt_error *err)
{
	if (!l->backend->command)
		return pt_error_setx(err, EOPNOTSUPP,
				     "the %s backend runs no external command: a dry run has "
				     "nothing to print (use --backend=nspawn)",
				     l->backend->name);
	int r = prepare(l, true, err);
	if (r == 0)
		r = l->backend->command(l->bstate, ret_argv, err);
	if (r < 0)
		return r;
	/* The printed command reads its generated files from here (and needs
	 * nothing else of the state). Without its lock file, no later launch
	 * takes it for stale. */
	l->keep_state = pt_plan_file_count(l->plan) > 0;
	if (l->keep_state)
		unlinkat(l->state_fd, LOCK_NAME, 0);
	return 0;
}

static int usernet_log(struct pt_launch *l, char **ret, struct pt_error *err)
{
	int r = launch_state(l, err);
	if (r < 0)
		return r;
	if (asprintf(ret, "%s/slirp4netns.log", l->state_dir) < 0) {
		*ret = NULL;
		return pt_error_set(err, ENOMEM, "user-mode network");
	}
	return 0;
}

/* The host's resolver as the container sees it with the host's root: a
 * loopback one (systemd-resolved's 127.0.0.53) is not in the container's
 * own network namespace, so it gets slirp4netns's DNS forwarder instead,
 * at the path the host's /etc/resolv.conf leads to. Any other nameserver
 * is reached through the user-mode network as it is. A root directory of
 * the container's own keeps its own resolv.conf. */
static int usernet_dns(struct pt_launch *l, struct pt_error *err)
{
	if (pt_plan_get_root(l->plan))
		return 0;
	_cleanup_free_ char *conf = NULL, *target = NULL;
	if (read_file_max("/etc/resolv.conf", 65536, &conf, NULL) < 0 ||
	    !(target = realpath("/etc/resolv.conf", NULL)))
		return 0;
	bool loopback_only = false;
	for (char *save = NULL, *line = strtok_r(conf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char addr[64];
		if (sscanf(line, " nameserver %63s", addr) != 1)
			continue;
		if (!startswith(addr, "127.") && !streq(addr, "::1"))
			return 0;
		loopback_only = true;
	}
	if (!loopback_only)
		return 0;
	static const char dns[] = "# passthru: slirp4netns's DNS forwarder to the host's resolver\n"
				  "nameserver " USERNET_DNS_ADDR "\n";
	return pt_plan_add_file(l->plan, target, dns, sizeof(dns) - 1, 0644, err);
}

/* As root the namespace is made before the container and configured
 * before its command runs: the backend puts the container into it.
 * slirp4netns is started as soon as the launch knows it will need it (a
 * nested display is about to start), so that it configures the namespace
 * while the display starts; the run waits for it. */
static int begin_usernet(struct pt_launch *l, struct pt_error *err)
{
	if (l->usernet)
		return 0;
	_cleanup_free_ char *log = NULL;
	int r = usernet_log(l, &log, err);
	if (r == 0)
		r = usernet_make_netns(&l->netns_fd, err);
	if (r == 0)
		r = usernet_spawn(l->netns_fd, log, &l->usernet, err);
	return r < 0 ? pt_error_prefix(err, "user-mode network") : 0;
}

static int start_usernet(struct pt_launch *l, struct pt_error *err)
{
	int r = begin_usernet(l, err);
	if (r < 0)
		return r;
	if ((r = usernet_wait(l->usernet, err)) < 0)
		return pt_error_prefix(err, "user-mode network");
	return pt_launch_watch(l, usernet_pidfd(l->usernet), "the user-mode network (slirp4netns)",
			       err);
}

/* A stop request that came before the container started (Ctrl-C while
 * the display started) means it never starts. */
static int pending_stop(int sigfd)
{
	struct pollfd p = {.fd = sigfd, .events = POLLIN};
	struct signalfd_siginfo si;
	while (sigfd >= 0 && poll(&p, 1, 0) == 1 &&
	       read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (is_stop_signal((int)si.ssi_signo))
			return (int)si.ssi_signo;
	return 0;
}

/* Why the container was stopped when a watched helper died. */
static int helper_died(struct pt_launch *l, int watch, struct pt_error *err)
{
	const char *cmd = pt_plan_get_command(l->plan)[0];
	struct pt_display *d = l->display;
	if (!d || l->watches[watch].fd != pt_display_pidfd(d))
		return pt_error_setx(err, ECANCELED, "%s died; stopped %s", l->watches[watch].what,
				     cmd);
	pt_display_alive(d); /* reaps it, for its status */
	int st = pt_display_exit_status(d);
	/* Its last words explain an exit, not a kill from outside. */
	const char *words = st >= 0 && st < 128 ? pt_display_last_words(d) : NULL;
	return pt_error_setx(err, ECANCELED, "the %s display %s died (%s %d%s%s); stopped %s",
			     pt_display_kind_name(d), pt_display_name(d),
			     st > 128 ? "killed by signal" : "exit status", st > 128 ? st - 128 : st,
			     words ? ": " : "", words ? words : "", cmd);
}

int pt_launch_run(struct pt_launch *l, int sigfd, int *ret_status, struct pt_error *err)
{
	if (l->end != PT_LAUNCH_END_NONE)
		return pt_error_setx(err, EALREADY, "launch: already ran");
	bool usernet = pt_launch_get_network(l) == PT_LAUNCH_NETWORK_USER;
	int r = usernet ? usernet_dns(l, err) : 0;
	if (r == 0 && usernet)
		r = start_usernet(l, err);
	if (r == 0)
		r = prepare(l, false, err);
	if (r < 0)
		return r;

	int sig = pending_stop(sigfd);
	if (sig) {
		l->end = PT_LAUNCH_END_STOPPED;
		l->stop_sig = sig;
		*ret_status = 128 + sig;
		return 0;
	}

	pid_t pid;
	int pidfd;
	r = l->backend->spawn(l->bstate, &pid, &pidfd, err);
	if (r < 0)
		return r;
	/* While the container starts (nspawn takes tens of ms), not before:
	 * reading a busy /tmp would only delay it. */
	if (l->scan_stale)
		remove_stale_state(l->state_base ? l->state_base : pt_launch_state_base());

	_cleanup_free_ int *fds = calloc(l->n_watches + 1, sizeof(int));
	if (!fds) {
		pidfd_signal(pidfd, SIGKILL);
		pidfd_reap(pidfd, true, NULL);
		close(pidfd);
		return pt_error_set(err, ENOMEM, "launch");
	}
	for (size_t i = 0; i < l->n_watches; i++)
		fds[i] = l->watches[i].fd;
	struct supervise s = {
		.pidfd = pidfd,
		.sigfd = sigfd,
		.watch_fds = fds,
		.n_watch = l->n_watches,
		.grace_ms = l->kill_after_ms,
		.forward = l->backend->forward ? forward : NULL,
		.userdata = l,
	};
	r = supervise_run(&s, err);
	close(pidfd);
	*ret_status = s.status;
	if (r < 0)
		return r;
	if (l->backend->finish && (r = l->backend->finish(l->bstate, ret_status, err)) < 0)
		return r;
	if (s.watch >= 0) {
		l->end = PT_LAUNCH_END_HELPER;
		return helper_died(l, s.watch, err);
	}
	l->end = s.stop_sig ? PT_LAUNCH_END_STOPPED : PT_LAUNCH_END_EXITED;
	l->stop_sig = s.stop_sig;
	return 0;
}

enum pt_launch_end pt_launch_get_end(const struct pt_launch *l) { return l->end; }

int pt_launch_stop_signal(const struct pt_launch *l) { return l->stop_sig; }

size_t pt_launch_warning_count(const struct pt_launch *l) { return l ? l->warnings.n : 0; }

const struct pt_warning *pt_launch_warning(const struct pt_launch *l, size_t i)
{
	return l ? warnings_get(&l->warnings, i) : NULL;
}

void pt_launch_free(struct pt_launch *l)
{
	if (!l)
		return;
	pt_display_free(l->display); /* stops it: the command is gone */
	for (size_t i = l->n_owned; i > 0; i--)
		l->owned[i - 1].free_fn(l->owned[i - 1].obj);
	free(l->owned);
	usernet_free(l->usernet);
	if (l->netns_fd >= 0)
		close(l->netns_fd);
	l->backend->cleanup(l->bstate, l->keep_state);
	if (l->state_dir && !l->keep_state && l->state_fd >= 0) {
		_cleanup_free_ char *parent = strdup(l->state_dir);
		char *slash = parent ? strrchr(parent, '/') : NULL;
		if (slash) {
			*slash = '\0';
			_cleanup_close_ int pfd =
				open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (pfd >= 0)
				remove_state_dir(pfd, slash + 1, l->state_fd);
		}
	}
	for (size_t i = 0; i < l->n_watches; i++)
		free(l->watches[i].what);
	free(l->watches);
	warnings_done(&l->warnings);
	if (l->state_fd >= 0)
		close(l->state_fd);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	free(l->state_dir);
	free(l->state_base);
	free(l->nspawn);
	free(l);
}

/* ---- for the library's other modules (launch-private.h) ------------------ */

struct pt_plan *launch_plan(struct pt_launch *l) { return l->plan; }

int launch_mark_nested(struct pt_launch *l, struct pt_error *err)
{
	l->nested = true;
	return pt_launch_get_network(l) == PT_LAUNCH_NETWORK_USER ? begin_usernet(l, err) : 0;
}

int launch_own(struct pt_launch *l, void *obj, void (*free_fn)(void *), struct pt_error *err)
{
	void *items = l->owned;
	if (grow_array(&items, &l->a_owned, l->n_owned + 1, sizeof(*l->owned)) < 0) {
		free_fn(obj);
		return pt_error_set(err, ENOMEM, "launch");
	}
	l->owned = items;
	l->owned[l->n_owned++] = (struct owned){obj, free_fn};
	return 0;
}

int launch_warn(struct pt_launch *l, const char *code, const char *message)
{
	return warnings_add(&l->warnings, code, "%s", message);
}
