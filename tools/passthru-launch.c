/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-launch: run a command in a container that gets the host's GPUs,
 * a nested X display and the PulseAudio server. Thin: parse the arguments
 * into a plan, hand the plan to a backend, return the command's status. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <passthru/passthru.h>

/* Exit codes of passthru-launch itself; anything else is the command's. */
enum {
	EXIT_USAGE = 2,  /* bad arguments: nothing was started */
	EXIT_SETUP = 125 /* the container could not be set up or started */
};

static const char *prog = "passthru-launch";

struct options {
	struct pt_plan *plan;
	const char *backend;
	bool dry_run;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] [-D ROOT] -- COMMAND [ARG...]\n"
		"Run COMMAND in a container that gets the host's GPUs, display and audio.\n"
		"\n"
		"  -D, --directory=ROOT     root directory of the container (native backend\n"
		"                           without -D: the host's / read-only)\n"
		"  -u, --user=USER          run COMMAND as USER (resolved inside the container)\n"
		"      --bind=SRC[:DST]     bind host path SRC at DST (\\: is a colon in a path)\n"
		"      --bind-ro=SRC[:DST]  the same, read-only\n"
		"      --setenv=NAME=VALUE  set an environment variable for COMMAND\n"
		"      --private-network    give the container its own network namespace\n"
		"      --backend=BACKEND    'nspawn' (systemd-nspawn) or 'native' (own\n"
		"                           namespaces, works without root); default: nspawn\n"
		"                           for root where systemd-nspawn is installed,\n"
		"                           native otherwise\n"
		"      --dry-run            print the command that would run, run nothing\n"
		"  -h, --help               show this help and exit\n"
		"  -V, --version            show the version and exit\n"
		"\n"
		"Exit status: COMMAND's status (128+N when signal N ended it);\n"
		"%d for bad usage; %d when the container could not be set up.\n",
		prog, EXIT_USAGE, EXIT_SETUP);
}

static int fail(int code, const struct pt_error *err)
{
	fprintf(stderr, "%s: %s\n", prog, err->message);
	return code;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, msg, prog);
	return EXIT_USAGE;
}

static int add_bind(struct pt_plan *plan, const char *spec, unsigned flags, struct pt_error *err)
{
	char *src = NULL, *dst = NULL;
	int r = pt_bind_parse(spec, &src, &dst, err);
	if (r == 0)
		r = pt_plan_add_bind(plan, src, dst, flags, err);
	free(src);
	free(dst);
	return r;
}

static int add_setenv(struct pt_plan *plan, const char *arg, struct pt_error *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return pt_error_setx(err, EINVAL, "--setenv '%s': expected NAME=VALUE", arg);
	char *name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		return pt_error_set(err, ENOMEM, "--setenv");
	int r = pt_plan_set_env(plan, name, eq + 1, err);
	free(name);
	return r;
}

enum {
	OPT_BIND = 0x100,
	OPT_BIND_RO,
	OPT_SETENV,
	OPT_BACKEND,
	OPT_DRY_RUN,
	OPT_PRIVATE_NETWORK,
};

static bool have_nspawn(void)
{
	const char *path = getenv("PATH");
	char *copy = strdup(path ? path : "/usr/bin:/bin"), *save = NULL;
	bool found = false;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/systemd-nspawn", d);
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"directory", required_argument, NULL, 'D'},
		{"user", required_argument, NULL, 'u'},
		{"bind", required_argument, NULL, OPT_BIND},
		{"bind-ro", required_argument, NULL, OPT_BIND_RO},
		{"setenv", required_argument, NULL, OPT_SETENV},
		{"backend", required_argument, NULL, OPT_BACKEND},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"private-network", no_argument, NULL, OPT_PRIVATE_NETWORK},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct pt_error err = {0};
	int c;

	/* '+': stop at the first non-option, so COMMAND's own options stay its own. */
	while ((c = getopt_long(argc, argv, "+D:u:hV", longopts, NULL)) != -1) {
		int r = 0;
		switch (c) {
		case 'D':
			r = pt_plan_set_root(o->plan, optarg, &err);
			break;
		case 'u':
			r = pt_plan_set_user(o->plan, optarg, &err);
			break;
		case OPT_BIND:
			r = add_bind(o->plan, optarg, 0, &err);
			break;
		case OPT_BIND_RO:
			r = add_bind(o->plan, optarg, PT_BIND_RO, &err);
			break;
		case OPT_SETENV:
			r = add_setenv(o->plan, optarg, &err);
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "nspawn") != 0 && strcmp(optarg, "native") != 0) {
				fprintf(stderr,
					"%s: --backend: unknown backend '%s' (known: nspawn, native)\n",
					prog, optarg);
				return EXIT_USAGE;
			}
			o->backend = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_PRIVATE_NETWORK:
			pt_plan_set_flags(o->plan,
					  pt_plan_get_flags(o->plan) | PT_PLAN_PRIVATE_NETWORK);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", prog, pt_version());
			return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_USAGE;
		}
		if (r < 0)
			return fail(EXIT_USAGE, &err);
	}

	if (optind >= argc)
		return usage_error("no command given (put it after --)");
	if (!o->backend)
		o->backend = geteuid() == 0 && have_nspawn() ? "nspawn" : "native";
	bool native = strcmp(o->backend, "native") == 0;
	if (!native && !pt_plan_get_root(o->plan))
		return usage_error("no root directory given (-D ROOT; --backend=native runs "
				   "without one, over the host's root read-only)");
	if (native && o->dry_run)
		return usage_error("--dry-run prints a systemd-nspawn command: use --backend=nspawn");
	if (pt_plan_set_command(o->plan, argc - optind, argv + optind, &err) < 0)
		return fail(EXIT_USAGE, &err);
	return -1;
}

/* Generated files live in a private directory for the container's lifetime. */
static char *make_state_dir(struct pt_error *err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	if (!base || base[0] != '/' || access(base, W_OK) != 0)
		base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	char *dir = NULL;
	if (asprintf(&dir, "%s/passthru-XXXXXX", base) < 0)
		return pt_error_set(err, ENOMEM, "state directory"), NULL;
	if (!mkdtemp(dir)) {
		pt_error_set(err, errno, "create state directory under %s", base);
		free(dir);
		return NULL;
	}
	return dir;
}

/* Spawns the container with the chosen backend and supervises it: both
 * backends hand back the container's pid and pidfd. The nspawn backend
 * turns the plan into a systemd-nspawn command line (generated files go to
 * a state directory it binds them from); the native one applies the plan
 * itself and needs neither. */
static int run_container(struct options *o, int sigfd)
{
	struct pt_error err = {0};
	char *state = NULL;
	char **argv = NULL;
	int status = EXIT_SETUP;
	bool native = strcmp(o->backend, "native") == 0;
	unsigned flags = pt_nspawn_need_keep_unit() ? PT_NSPAWN_KEEP_UNIT : 0;

	if (!native && pt_plan_file_count(o->plan) > 0) {
		if (!(state = make_state_dir(&err)) || pt_plan_write_files(o->plan, state, &err) < 0)
			goto out;
	}
	if (!native && pt_nspawn_argv(o->plan, flags, &argv, &err) < 0)
		goto out;

	if (o->dry_run) {
		char *line = pt_argv_to_shell(argv);
		if (!line) {
			pt_error_set(&err, ENOMEM, "dry run");
			goto out;
		}
		puts(line);
		free(line);
		if (state)
			fprintf(stderr, "%s: generated files kept in %s\n", prog, state);
		free(state);
		state = NULL; /* kept: the printed command refers to them */
		status = 0;
		goto out;
	}

	pid_t pid;
	int pidfd, r;
	if (native)
		r = pt_native_spawn(o->plan, 0, &pid, &pidfd, &err);
	else if ((r = pt_spawn(argv, &pid, &pidfd, &err)) < 0)
		pt_error_prefix(&err, "nspawn backend");
	if (r == 0) {
		struct pt_supervise s = {.pidfd = pidfd, .sigfd = sigfd};
		if (pt_supervise(&s, &status, NULL, &err) < 0)
			status = EXIT_SETUP;
		close(pidfd);
	}

out:
	if (err.code)
		fprintf(stderr, "%s: %s\n", prog, err.message);
	pt_argv_free(argv);
	if (state) {
		pt_plan_remove_files(o->plan);
		rmdir(state);
		free(state);
	}
	return status;
}

static int run(struct options *o)
{
	if (o->dry_run)
		return run_container(o, -1);

	/* Signals are read from a signalfd and forwarded to the container;
	 * blocked before the spawn, so that none is lost in between. */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		fprintf(stderr, "%s: signalfd: %s\n", prog, strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		return EXIT_SETUP;
	}
	int status = run_container(o, sigfd);
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	o.plan = pt_plan_new();
	if (!o.plan) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_SETUP;
	}
	int r = parse_args(argc, argv, &o);
	if (r < 0)
		r = run(&o);
	pt_plan_free(o.plan);
	return r;
}
