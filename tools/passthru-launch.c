/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-launch: run a command in a container that gets the host's GPUs,
 * a nested display and the audio server. Thin: parse every option, build
 * the plan, hand it to the library's launch module, map the result to an
 * exit code. */
#include <errno.h>
#include <fcntl.h>
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
	EXIT_SETUP = 125 /* the host lacks what was asked, or the container could not start */
};

static const char *prog = "passthru-launch";

struct options {
	struct pt_plan *plan;
	struct pt_launch_opts *launch;
	bool dry_run;
	const char *gpu;                 /* --gpu[=SEL]: "" for all; NULL: none */
	struct pt_display_opts *display; /* --xephyr / --xvfb, NULL: none */
	const char **display_args;       /* --xephyr-arg, NULL-terminated */
	size_t n_display_args;
	int pulse; /* 0: no; 1: --pulse; 2: --pulse=keep-tcp */
	bool alsa;
	const char *emit_machine; /* --emit-nspawn-settings=MACHINE */
	const char *output_dir;   /* --output-dir=DIR */
	/* --nvidia-driver*: the host's NVIDIA userspace (NULL: not asked) */
	struct pt_nvidia_driver_opts *nvidia;
	/* Wayland, Weston, PipeWire, network */
	int wayland;                   /* -1: no; else PT_WAYLAND_* flags */
	struct pt_weston_opts *weston; /* --weston, NULL: none */
	bool pipewire;
	bool no_doctor;
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
		"                           vendor or driver, GPU-UUID (or a unique prefix), 'render'\n"
		"                           (render nodes only), comma-separated\n"
		"      --xephyr[=WxH]       give COMMAND a nested X display of its own: an\n"
		"                           Xephyr window on $DISPLAY, stopped when COMMAND ends\n"
		"      --xvfb[=WxH]         the same with a headless Xvfb (no host display needed)\n"
		"      --xephyr-arg=ARG     pass ARG to that X server (repeatable)\n"
		"      --pulse[=keep-tcp]   pass the host's PulseAudio server (keep-tcp: a TCP\n"
		"                           server is kept in PULSE_SERVER instead of refused)\n"
		"      --alsa               pass the ALSA device nodes (/dev/snd/*)\n"
		"      --nvidia-driver[=CAPS]  pass the host's NVIDIA userspace driver of the\n"
		"                           kernel module's version; CAPS: all (default) or\n"
		"                           utility,compute,video,graphics,display\n"
		"      --nvidia-driver-root=DIR     look for the driver under DIR (default /)\n"
		"      --nvidia-driver-version=V    use version V, not the kernel module's\n"
		"      --wayland[=hints]    pass the host's Wayland compositor (hints: also set\n"
		"                           GDK_BACKEND, QT_QPA_PLATFORM, SDL_VIDEODRIVER,\n"
		"                           MOZ_ENABLE_WAYLAND for Wayland)\n"
		"      --weston[=WxH|headless] give COMMAND a nested Weston compositor of its\n"
		"                           own: a window in the host's Wayland or X session,\n"
		"                           or headless (both: headless,WxH); --wayland=hints\n"
		"                           adds the toolkit hints\n"
		"      --pipewire           pass the host's PipeWire socket (PIPEWIRE_REMOTE)\n"
		"      --network=MODE       host: the host's network (and its X servers' abstract\n"
		"                           sockets); none: only lo; user: a network of its own\n"
		"                           with user-mode networking (slirp4netns), the host's\n"
		"                           127.0.0.1 at 10.0.2.2; auto (default): user with a\n"
		"                           nested display (--xephyr, --xvfb, --weston), else host\n"
		"      --private-network    the same as --network=none\n"
		"      --backend=BACKEND    'nspawn' (systemd-nspawn), 'native' (own namespaces,\n"
		"                           works without root) or 'bwrap' (bubblewrap, works\n"
		"                           without root); default: nspawn\n"
		"                           for root where systemd-nspawn is installed,\n"
		"                           native otherwise\n"
		"      --emit-nspawn-settings=MACHINE\n"
		"                           run nothing: write the plan as DIR/MACHINE.nspawn and\n"
		"                           DIR/systemd-nspawn@MACHINE.service.d/passthru.conf\n"
		"                           (DeviceAllow=) for machinectl; COMMAND is optional\n"
		"      --output-dir=DIR     where --emit-nspawn-settings writes\n"
		"      --kill-after=SECONDS after SIGTERM, SIGINT or SIGHUP (passed on to\n"
		"                           COMMAND), kill COMMAND if it still runs (default 10)\n"
		"      --no-doctor          start even when the pre-launch check finds errors\n"
		"      --dry-run            print the nspawn or bwrap command, run nothing; with a\n"
		"                           display, start none: print its server command and\n"
		"                           what the container would get from it\n"
		"  -h, --help               show this help and exit\n"
		"  -V, --version            show the version and exit\n"
		"\n"
		"Exit status: COMMAND's status (128+N when signal N ended it);\n"
		"%d for bad usage (nothing was started); %d when the host lacks what was\n"
		"asked, the container could not be set up, or its display died, or the\n"
		"pre-launch check (see passthru-probe -D) found an error.\n",
		prog, EXIT_USAGE, EXIT_SETUP);
}

static int fail(int code, const struct pt_error *err)
{
	fprintf(stderr, "%s: %s\n", prog, err->message);
	return code;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "%s: ", prog);
	fputs(msg, stderr);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
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
	const char **v = realloc(o->display_args, (o->n_display_args + 2) * sizeof(char *));
	if (!v)
		return pt_error_set(err, ENOMEM, "--xephyr-arg");
	o->display_args = v;
	v[o->n_display_args++] = arg;
	v[o->n_display_args] = NULL;
	return 0;
}

static int parse_seconds(const char *arg, unsigned *ret_ms, struct pt_error *err)
{
	char *end;
	errno = 0;
	unsigned long s = arg[0] >= '0' && arg[0] <= '9' ? strtoul(arg, &end, 10) : 0;
	if (arg[0] < '0' || arg[0] > '9' || errno || *end || s == 0 || s > 86400)
		return pt_error_setx(err, EINVAL,
				     "--kill-after '%s': expected whole seconds, 1 to 86400", arg);
	*ret_ms = (unsigned)s * 1000;
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
	OPT_KILL_AFTER,
	OPT_EMIT_NSPAWN,
	OPT_OUTPUT_DIR,
	OPT_NVIDIA_DRIVER,
	OPT_NVIDIA_DRIVER_ROOT,
	OPT_NVIDIA_DRIVER_VERSION,
	OPT_WAYLAND,
	OPT_WESTON,
	OPT_PIPEWIRE,
	OPT_NETWORK,
	OPT_NO_DOCTOR,
};

/* --nvidia-driver, --nvidia-driver-root, --nvidia-driver-version: the
 * options are collected while parsing, the driver is added in
 * build_plan(). */
static int nvidia_option(struct options *o, int c, const char *arg, struct pt_error *err)
{
	if (!o->nvidia && !(o->nvidia = pt_nvidia_driver_opts_new()))
		return pt_error_set(err, ENOMEM, "--nvidia-driver");
	if (c == OPT_NVIDIA_DRIVER_ROOT)
		o->nvidia->root = arg;
	else if (c == OPT_NVIDIA_DRIVER_VERSION)
		o->nvidia->version = arg;
	else if (arg)
		return pt_nvidia_driver_parse_caps(arg, &o->nvidia->caps, err);
	return 0;
}

static int add_nvidia_driver(struct options *o, struct pt_error *err)
{
	struct pt_nvidia_driver *d = NULL;
	int r = pt_nvidia_driver_probe(o->nvidia, &d, err);
	for (size_t i = 0; i < pt_nvidia_driver_warning_count(d); i++)
		fprintf(stderr, "%s: warning: %s\n", prog, pt_nvidia_driver_warning(d, i)->message);
	if (r == 0)
		r = pt_nvidia_driver_add_to_plan(d, o->plan, err);
	pt_nvidia_driver_free(d);
	return r;
}

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
	{"kill-after", required_argument, NULL, OPT_KILL_AFTER},
	{"emit-nspawn-settings", required_argument, NULL, OPT_EMIT_NSPAWN},
	{"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	{"nvidia-driver", optional_argument, NULL, OPT_NVIDIA_DRIVER},
	{"nvidia-driver-root", required_argument, NULL, OPT_NVIDIA_DRIVER_ROOT},
	{"nvidia-driver-version", required_argument, NULL, OPT_NVIDIA_DRIVER_VERSION},
	{"wayland", optional_argument, NULL, OPT_WAYLAND},
	{"weston", optional_argument, NULL, OPT_WESTON},
	{"pipewire", no_argument, NULL, OPT_PIPEWIRE},
	{"network", required_argument, NULL, OPT_NETWORK},
	{"no-doctor", no_argument, NULL, OPT_NO_DOCTOR},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

/* Wayland, Weston, PipeWire and the network: one block. */
static int parse_desktop(struct options *o, int c, const char *arg, struct pt_error *err)
{
	switch (c) {
	case OPT_WAYLAND:
		if (arg && strcmp(arg, "hints") != 0)
			return pt_error_setx(err, EINVAL, "--wayland: unknown value '%s' (known: hints)",
					     arg);
		o->wayland = arg ? PT_WAYLAND_HINTS : 0;
		return 0;
	case OPT_WESTON:
		if (!o->weston && !(o->weston = pt_weston_opts_new()))
			return pt_error_set(err, ENOMEM, "--weston");
		return pt_weston_opts_parse(o->weston, arg, err) < 0
			       ? pt_error_prefix(err, "--weston")
			       : 0;
	case OPT_PIPEWIRE:
		o->pipewire = true;
		return 0;
	case OPT_NETWORK:
		return pt_launch_network_parse(arg, &o->launch->network, err) < 0
			       ? pt_error_prefix(err, "--network")
			       : 0;
	}
	return 0;
}

/* One option; 0, or -1 after printing the error. */
static int parse_one(struct options *o, int c, const char *arg)
{
	struct pt_error err = {0};
	int r = 0;
	switch (c) {
	case 'D':
		r = pt_plan_set_root(o->plan, arg, &err);
		break;
	case 'u':
		r = pt_plan_set_user(o->plan, arg, &err);
		break;
	case OPT_BIND:
	case OPT_BIND_RO:
		r = add_bind(o->plan, arg, c == OPT_BIND_RO ? PT_BIND_RO : 0, &err);
		break;
	case OPT_SETENV:
		r = add_setenv(o->plan, arg, &err);
		break;
	case OPT_BACKEND:
		if ((r = pt_launch_backend_parse(arg, &o->launch->backend, &err)) < 0)
			pt_error_prefix(&err, "--backend");
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case OPT_GPU:
		o->gpu = arg ? arg : "";
		break;
	case OPT_XEPHYR:
	case OPT_XVFB:
		r = set_display(o, c == OPT_XVFB ? PT_DISPLAY_XVFB : PT_DISPLAY_XEPHYR, arg, &err);
		break;
	case OPT_XEPHYR_ARG:
		r = add_display_arg(o, arg, &err);
		break;
	case OPT_PULSE:
		if (arg && strcmp(arg, "keep-tcp") != 0)
			r = pt_error_setx(&err, EINVAL, "--pulse: unknown value '%s' (known: keep-tcp)",
					  arg);
		o->pulse = arg ? 2 : 1;
		break;
	case OPT_ALSA:
		o->alsa = true;
		break;
	case OPT_PRIVATE_NETWORK:
		o->launch->network = PT_LAUNCH_NETWORK_NONE;
		break;
	case OPT_WAYLAND:
	case OPT_WESTON:
	case OPT_PIPEWIRE:
	case OPT_NETWORK:
		r = parse_desktop(o, c, arg, &err);
		break;
	case OPT_KILL_AFTER:
		r = parse_seconds(arg, &o->launch->kill_after_ms, &err);
		break;
	case OPT_EMIT_NSPAWN:
		o->emit_machine = arg;
		break;
	case OPT_OUTPUT_DIR:
		o->output_dir = arg;
		break;
	case OPT_NVIDIA_DRIVER:
	case OPT_NVIDIA_DRIVER_ROOT:
	case OPT_NVIDIA_DRIVER_VERSION:
		r = nvidia_option(o, c, arg, &err);
		break;
	case OPT_NO_DOCTOR:
		o->no_doctor = true;
		break;
	}
	if (r < 0) {
		fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, err.message, prog);
		return -1;
	}
	return 0;
}

/* Only the command line: nothing of the host is looked at yet. Returns -1
 * to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int c;
	/* '+': stop at the first non-option, so COMMAND's own options stay its own. */
	while ((c = getopt_long(argc, argv, "+D:u:hV", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == 'V') {
			printf("%s %s\n", prog, pt_version());
			return 0;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_USAGE;
		}
		if (parse_one(o, c, optarg) < 0)
			return EXIT_USAGE;
	}

	struct pt_error err = {0};
	if (!o->emit_machine != !o->output_dir)
		return usage_error("--emit-nspawn-settings and --output-dir go together");
	if (o->emit_machine && (o->display || o->dry_run))
		return usage_error("--emit-nspawn-settings writes settings: no display, no --dry-run");
	if (optind >= argc && !o->emit_machine)
		return usage_error("no command given (put it after --)");
	if (optind < argc && pt_plan_set_command(o->plan, argc - optind, argv + optind, &err) < 0)
		return fail(EXIT_USAGE, &err);
	if (o->display_args && !o->display)
		return usage_error("--xephyr-arg needs --xephyr or --xvfb");
	if (o->display)
		o->display->extra_args = o->display_args;
	return -1;
}

/* The producers: what the host has. A selector that names no GPU of this
 * machine is bad usage; a host without what was asked is a setup failure. */
static int build_plan(struct options *o)
{
	struct pt_error err = {0};
	if (o->gpu) {
		struct pt_gpu_list *gpus = NULL;
		int r = pt_gpu_add_selected(o->plan, o->gpu, &gpus, &err);
		/* A missing nvidia-uvm is a CUDA program that fails inside. */
		for (size_t i = 0; i < pt_gpu_list_warning_count(gpus); i++)
			fprintf(stderr, "%s: warning: %s\n", prog,
				pt_gpu_list_warning(gpus, i)->message);
		pt_gpu_list_free(gpus);
		if (r < 0)
			return fail(r == -EINVAL ? EXIT_USAGE : EXIT_SETUP, &err);
	}
	if (o->pulse &&
	    pt_pulse_add_to_plan(o->plan, o->pulse == 2 ? PT_AUDIO_KEEP_REMOTE : 0, &err) < 0)
		return fail(EXIT_SETUP, &err);
	if (o->alsa && pt_alsa_add_to_plan(o->plan, &err) < 0)
		return fail(EXIT_SETUP, &err);
	/* After -D: the container's own ld.so.cache is read from its root. */
	if (o->nvidia && add_nvidia_driver(o, &err) < 0)
		return fail(EXIT_SETUP, &err);
	if (o->pipewire && pt_pipewire_add_to_plan(o->plan, &err) < 0)
		return fail(EXIT_SETUP, &err);
	return -1;
}

/* The doctor checks the finished plan against its root and the host
 * before anything starts, dry runs included: an error finding is a
 * container that cannot work (a node its user cannot open), so nothing
 * starts unless --no-doctor; warnings are printed once, notes not at all.
 * Here rather than inside the launch module: refusing is this tool's
 * policy, another program calls pt_doctor_run() and decides itself. */
static int doctor(const struct options *o)
{
	struct pt_error err = {0};
	struct pt_doctor_opts *opts = pt_doctor_opts_new();
	struct pt_doctor *d = NULL;
	if (!opts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_SETUP;
	}
	opts->display = o->display;
	opts->nvidia_driver = o->nvidia != NULL;
	opts->min_severity = PT_DOCTOR_WARNING; /* notes are not printed */
	int r = pt_doctor_run(o->plan, opts, &d, &err);
	pt_doctor_opts_free(opts);
	if (r < 0)
		return fail(EXIT_SETUP, &err);
	for (size_t i = 0; i < pt_doctor_finding_count(d); i++) {
		const struct pt_doctor_finding *f = pt_doctor_finding(d, i);
		fprintf(stderr, "%s: %s: %s: %s\n", prog, pt_doctor_severity_name(f->severity),
			f->code, f->message);
		if (f->hint)
			fprintf(stderr, "%s:   hint: %s\n", prog, f->hint);
	}
	size_t errors = pt_doctor_count_severity(d, PT_DOCTOR_ERROR);
	pt_doctor_free(d);
	if (errors == 0)
		return -1;
	fprintf(stderr, "%s: %zu error%s found before launch, nothing was started "
			"(--no-doctor starts anyway)\n",
		prog, errors, errors == 1 ? "" : "s");
	return EXIT_SETUP;
}

/* The display's part of a dry run: nothing is started, so say what would be. */
static int describe_display(const struct options *o)
{
	struct pt_error err = {0};
	char **argv = NULL;
	if (pt_display_server_argv(o->display, 3, "COOKIE_FILE", &argv, &err) < 0)
		return fail(EXIT_SETUP, &err);
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
	return -1;
}

static int dry_run(const struct options *o, struct pt_launch *l)
{
	struct pt_error err = {0};
	char **argv = NULL;
	if (pt_launch_dry_run(l, &argv, &err) < 0)
		return fail(err.code == EOPNOTSUPP ? EXIT_USAGE : EXIT_SETUP, &err);
	char *line = pt_argv_to_shell(argv);
	pt_argv_free(argv);
	int r = o->display ? describe_display(o) : -1;
	if (r >= 0) {
		free(line);
		return r;
	}
	if (!line) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_SETUP;
	}
	puts(line);
	free(line);
	if (pt_launch_get_network(l) == PT_LAUNCH_NETWORK_USER)
		fprintf(stderr,
			"%s: dry run: the container would get a network namespace of its own with "
			"slirp4netns (host loopback at %s), made when it starts\n",
			prog, PT_LAUNCH_HOST_ADDRESS);
	if (pt_plan_file_count(o->plan) > 0)
		fprintf(stderr, "%s: generated files kept in %s\n", prog, pt_launch_state_dir(l));
	return 0;
}

static void print_warnings(const struct pt_launch *l)
{
	for (size_t i = 0; i < pt_launch_warning_count(l); i++)
		fprintf(stderr, "%s: warning: %s\n", prog, pt_launch_warning(l, i)->message);
}

static int run(struct options *o, struct pt_launch *l)
{
	/* Stop signals are read from a signalfd and passed on to the
	 * container; blocked before the display starts, so that an early
	 * Ctrl-C cannot leave the display running. */
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
	int status = EXIT_SETUP, r = 0;
	if (o->display && (r = pt_launch_start_display(l, o->display, &err)) < 0)
		fprintf(stderr, "%s: %s%s\n", prog, err.message,
			err.code == ENXIO ? "; use --xvfb for a headless display" : "");
	if (r == 0 && o->weston && (r = pt_launch_start_weston(l, o->weston, o->wayland > 0 ? PT_WAYLAND_HINTS : 0,
						       &err)) < 0)
		fprintf(stderr, "%s: %s%s\n", prog, err.message,
			err.code == ENXIO ? "; use --weston=headless for a headless one" : "");
	if (r == 0 && !o->weston && o->wayland >= 0 &&
	    (r = pt_launch_add_wayland(l, NULL, (unsigned)o->wayland, &err)) < 0)
		fail(EXIT_SETUP, &err);
	print_warnings(l);
	if (r == 0 && pt_launch_run(l, sigfd, &status, &err) < 0) {
		fail(EXIT_SETUP, &err);
		status = EXIT_SETUP;
	}
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

int main(int argc, char **argv)
{
	/* A closed stdin, stdout or stderr becomes /dev/null before anything
	 * opens a descriptor that would take its number (and reach the
	 * container as its stdio). */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return EXIT_SETUP;
	struct options o = {.plan = pt_plan_new(), .launch = pt_launch_opts_new(), .wayland = -1};
	struct pt_launch *l = NULL;
	struct pt_error err = {0};
	int r = EXIT_SETUP;
	if (!o.plan || !o.launch) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	if ((r = parse_args(argc, argv, &o)) >= 0)
		goto out;
	/* --emit-nspawn-settings: the plan as files for machinectl; nothing runs. */
	if (o.emit_machine) {
		if ((r = build_plan(&o)) >= 0)
			goto out;
		r = pt_nspawn_settings_write(o.plan, o.emit_machine, o.output_dir, &err) < 0
			? fail(err.code == EINVAL ? EXIT_USAGE : EXIT_SETUP, &err)
			: 0;
		goto out;
	}
	/* The launch checks the options against the backend before any
	 * producer looks at the host. */
	if (pt_launch_new(o.plan, o.launch, &l, &err) < 0) {
		r = fail(err.code == EINVAL ? EXIT_USAGE : EXIT_SETUP, &err);
		goto out;
	}
	if ((r = build_plan(&o)) >= 0)
		goto out;
	if (!o.no_doctor && (r = doctor(&o)) >= 0)
		goto out;
	r = o.dry_run ? dry_run(&o, l) : run(&o, l);
out:
	pt_launch_free(l);
	pt_launch_opts_free(o.launch);
	pt_plan_free(o.plan);
	pt_display_opts_free(o.display);
	pt_weston_opts_free(o.weston);
	free(o.display_args);
	pt_nvidia_driver_opts_free(o.nvidia);
	return r;
}
