/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-launch: run a command in a container that gets the host's GPUs,
 * a nested X display and the PulseAudio server. Thin: parse the arguments
 * into a plan, hand the plan to a backend, return the command's status. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
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
	struct pt_display_opts *display; /* --xephyr / --xvfb, NULL: none */
	char **display_args;              /* --xephyr-arg, NULL-terminated */
	size_t n_display_args;
	int pulse; /* 0: no; 1: --pulse; 2: --pulse=keep-tcp */
	bool alsa;
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
		"      --gpu[=SEL]          pass GPUs node by node: all, or SEL: index, PCI address,\n"
		"                           vendor or driver, 'render' (render nodes only), comma-separated\n"
		"      --xephyr[=WxH]       give COMMAND a nested X display of its own: an\n"
		"                           Xephyr window on $DISPLAY, stopped when COMMAND ends\n"
		"      --xvfb[=WxH]         the same with a headless Xvfb (no host display needed)\n"
		"      --xephyr-arg=ARG     pass ARG to that X server (repeatable)\n"
		"      --pulse[=keep-tcp]   pass the host's PulseAudio server (keep-tcp: a TCP\n"
		"                           server is kept in PULSE_SERVER instead of refused)\n"
		"      --alsa               pass the ALSA device nodes (/dev/snd/*)\n"
		"      --private-network    give the container its own network namespace\n"
		"      --backend=BACKEND    'nspawn' (systemd-nspawn) or 'native' (own\n"
		"                           namespaces, works without root); default: nspawn\n"
		"                           for root where systemd-nspawn is installed,\n"
		"                           native otherwise\n"
		"      --dry-run            print the systemd-nspawn command, run nothing; with a\n"
		"                           display, start none: print its server command and\n"
		"                           what the container would get from it\n"
		"  -h, --help               show this help and exit\n"
		"  -V, --version            show the version and exit\n"
		"\n"
		"Exit status: COMMAND's status (128+N when signal N ended it);\n"
		"%d for bad usage; %d when the container could not be set up\n"
		"or its display died while COMMAND ran.\n",
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

/* The probe's warnings matter here too: a missing nvidia-uvm is a CUDA
 * program that fails inside the container. */
static int add_gpus(struct pt_plan *plan, const char *sel, struct pt_error *err)
{
	struct pt_gpu_list *gpus = NULL;
	int r = pt_gpu_add_selected(plan, sel, &gpus, err);
	for (size_t i = 0; i < pt_gpu_list_warning_count(gpus); i++)
		fprintf(stderr, "%s: warning: %s\n", prog, pt_gpu_list_warning(gpus, i)->message);
	pt_gpu_list_free(gpus);
	return r;
}

static int set_display(struct options *o, enum pt_display_kind kind, const char *size,
		       struct pt_error *err)
{
	if (o->display && o->display->kind != kind)
		return pt_error_setx(err, EINVAL, "--xephyr and --xvfb exclude each other");
	if (!o->display && !(o->display = pt_display_opts_new(kind)))
		return pt_error_set(err, ENOMEM, "display");
	if (size && pt_display_parse_size(size, &o->display->width, &o->display->height, err) < 0)
		return pt_error_prefix(err, "--%s", kind == PT_DISPLAY_XVFB ? "xvfb" : "xephyr");
	return 0;
}

static int add_display_arg(struct options *o, const char *arg, struct pt_error *err)
{
	char **v = realloc(o->display_args, (o->n_display_args + 2) * sizeof(char *));
	if (!v)
		return pt_error_set(err, ENOMEM, "--xephyr-arg");
	o->display_args = v;
	v[o->n_display_args++] = (char *)arg;
	v[o->n_display_args] = NULL;
	return 0;
}

enum {
	OPT_BIND = 0x100,
	OPT_BIND_RO,
	OPT_SETENV,
	OPT_BACKEND,
	OPT_DRY_RUN,
	OPT_GPU,
	OPT_XEPHYR,
	OPT_XEPHYR_ARG,
	OPT_XVFB,
	OPT_PULSE,
	OPT_ALSA,
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
		{"gpu", optional_argument, NULL, OPT_GPU},
		{"xephyr", optional_argument, NULL, OPT_XEPHYR},
		{"xephyr-arg", required_argument, NULL, OPT_XEPHYR_ARG},
		{"xvfb", optional_argument, NULL, OPT_XVFB},
		{"pulse", optional_argument, NULL, OPT_PULSE},
		{"alsa", no_argument, NULL, OPT_ALSA},
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
		case OPT_GPU:
			/* A selector that matches nothing is bad usage; a probe that
			 * could not run is a setup failure. */
			r = add_gpus(o->plan, optarg, &err);
			if (r < 0 && r != -ENODEV && r != -EINVAL)
				return fail(EXIT_SETUP, &err);
			break;
		case OPT_XEPHYR:
		case OPT_XVFB:
			r = set_display(o, c == OPT_XVFB ? PT_DISPLAY_XVFB : PT_DISPLAY_XEPHYR, optarg,
					&err);
			break;
		case OPT_XEPHYR_ARG:
			r = add_display_arg(o, optarg, &err);
			break;
		case OPT_PULSE:
			if (optarg && strcmp(optarg, "keep-tcp") != 0) {
				fprintf(stderr, "%s: --pulse: unknown value '%s' (known: keep-tcp)\n",
					prog, optarg);
				return EXIT_USAGE;
			}
			o->pulse = optarg ? 2 : 1;
			break;
		case OPT_ALSA:
			o->alsa = true;
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
	if (o->display_args && !o->display)
		return usage_error("--xephyr-arg needs --xephyr or --xvfb");
	if (o->display) {
		o->display->extra_args = (const char *const *)o->display_args;
		o->display->private_ipc = pt_plan_get_flags(o->plan) & PT_PLAN_PRIVATE_IPC;
	}

	/* What the host lacks is a setup failure, not bad usage. */
	if (o->pulse &&
	    pt_plan_add_pulse(o->plan, o->pulse == 2 ? PT_AUDIO_KEEP_REMOTE : 0, &err) < 0)
		return fail(EXIT_SETUP, &err);
	if (o->alsa && pt_plan_add_alsa(o->plan, &err) < 0)
		return fail(EXIT_SETUP, &err);
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

/* Xephyr without a host display (-ENXIO): the headless choice helps. */
static int display_error(const struct pt_error *err)
{
	fprintf(stderr, "%s: %s%s\n", prog, err->message,
		err->code == ENXIO ? "; use --xvfb for a headless display" : "");
	return EXIT_SETUP;
}

/* The display's part of a dry run: nothing is started, so say what would be. */
static int describe_display(const struct options *o)
{
	struct pt_error err = {0};
	char **argv = NULL;
	if (pt_display_server_argv(o->display, 3, "COOKIE_FILE", &argv, &err) < 0)
		return display_error(&err);
	char *line = pt_argv_to_shell(argv);
	pt_argv_free(argv);
	if (!line) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_SETUP;
	}
	fprintf(stderr,
		"%s: dry run: no display started. It would run\n  %s\n"
		"and add to the command below the display's socket /tmp/.X11-unix/XN\n"
		"(read-only), an Xauthority with only its cookie, DISPLAY=:N and XAUTHORITY,\n"
		"N being the number the server picks.\n",
		prog, line);
	free(line);
	return 0;
}

/* Spawns the container with the chosen backend and supervises it: both
 * backends hand back the container's pid and pidfd. The nspawn backend
 * turns the plan into a systemd-nspawn command line (generated files go to
 * a state directory it binds them from); the native one applies the plan
 * itself and needs neither. */
static int run_container(struct options *o, int sigfd, struct pt_display *display)
{
	struct pt_error err = {0};
	char *state = NULL;
	char **argv = NULL;
	int status = EXIT_SETUP;
	bool native = strcmp(o->backend, "native") == 0;
	unsigned flags = pt_nspawn_need_keep_unit() ? PT_NSPAWN_KEEP_UNIT : 0;
	/* In a pipe or a script, pass stdio through as they are; at a
	 * terminal nspawn's interactive console is what a user wants. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		flags |= PT_NSPAWN_PIPE;

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
		/* The display's death stops the container: its clients are lost. */
		int watch_fd = display ? pt_display_pidfd(display) : -1;
		struct pt_supervise s = {.pidfd = pidfd, .sigfd = sigfd, .watch_fds = &watch_fd,
					 .n_watch = display ? 1 : 0};
		int watch = -1;
		if (pt_supervise(&s, &status, &watch, &err) < 0)
			status = EXIT_SETUP;
		close(pidfd);
		if (watch == 0) {
			pt_display_alive(display); /* reaps it, for its status */
			int st = pt_display_exit_status(display);
			/* Its last words explain an exit, not a kill from outside. */
			const char *words = st < 128 ? pt_display_last_words(display) : NULL;
			fprintf(stderr, "%s: the %s display %s died (%s %d%s%s); stopped %s\n", prog,
				pt_display_kind_name(display), pt_display_name(display),
				st > 128 ? "killed by signal" : "exit status", st > 128 ? st - 128 : st,
				words ? ": " : "", words ? words : "", pt_plan_get_command(o->plan)[0]);
			status = EXIT_SETUP;
		}
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

/* A signal already waiting on sigfd (e.g. Ctrl-C while the display started). */
static int pending_signal(int sigfd)
{
	struct pollfd p = {.fd = sigfd, .events = POLLIN};
	struct signalfd_siginfo si;
	if (poll(&p, 1, 0) == 1 && read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return 0;
}

static int run(struct options *o)
{
	if (o->dry_run) {
		int r = o->display ? describe_display(o) : 0;
		return r ? r : run_container(o, -1, NULL);
	}

	/* Signals are read from a signalfd and forwarded to the container;
	 * blocked already while the display starts, so that an early Ctrl-C
	 * cannot leave the display running. */
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

	struct pt_error err = {0};
	struct pt_display *display = NULL;
	int status = EXIT_SETUP, r = 0;
	if (o->display) {
		if ((r = pt_display_start(o->display, &display, &err)) < 0)
			display_error(&err);
		if (r == 0 && (r = pt_display_add_to_plan(display, o->plan, &err)) < 0)
			fail(EXIT_SETUP, &err);
		char **exposed = NULL;
		if (r == 0 && pt_display_exposed_sockets(display, o->plan, &exposed, NULL) > 0)
			for (char **e = exposed; *e; e++)
				fprintf(stderr,
					"%s: warning: the container shares the host's network "
					"namespace and can reach the X server at abstract socket %s\n",
					prog, *e);
		pt_argv_free(exposed);
	}
	int sig = r == 0 ? pending_signal(sigfd) : 0;
	if (r == 0 && sig)
		status = 128 + sig;
	else if (r == 0)
		status = run_container(o, sigfd, display);
	pt_display_free(display); /* stops it: the command is gone */

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
	pt_display_opts_free(o.display);
	free(o.display_args);
	return r;
}
