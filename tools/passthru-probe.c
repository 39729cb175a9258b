/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-probe: show what this machine can pass through to a container,
 * and what is wrong. With -D/-u/--gpu/--pulse/--nvidia-driver it also
 * checks a container against the host (the doctor); with --cdi it writes a
 * CDI spec instead. Thin: ask the library, print a table or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <passthru/passthru.h>

enum { EXIT_USAGE = 2 };

static const char *prog = "passthru-probe";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"Show what this machine can pass through to a container, and what is wrong.\n"
		"With any of -D, -u, --gpu, --pulse, --nvidia-driver: also check that container\n"
		"against the host, as passthru-launch does before it starts.\n"
		"\n"
		"  -D, --directory=ROOT   the container's root directory (default: /)\n"
		"  -u, --user=USER        the user the command would run as\n"
		"      --gpu[=SEL]        the GPUs it would get (as passthru-launch --gpu)\n"
		"      --nvidia-driver[=CAPS]  the host's NVIDIA userspace would be passed\n"
		"      --nvidia-driver-root=DIR     look for the NVIDIA userspace driver under DIR\n"
		"      --nvidia-driver-version=V    look for version V, not the kernel module's\n"
		"      --pulse            the host's sound server would be passed\n"
		"      --json             print JSON instead of a table\n"
		"      --list-selectors   print the values --gpu=SEL accepts here, one a\n"
		"                         line (for shell completion)\n"
		"      --cdi=gpu|audio    print a CDI spec instead (podman, Docker, containerd,\n"
		"                         CRI-O, Kubernetes): kind DOMAIN/gpu with one device per\n"
		"                         GPU (by index) and 'all', or DOMAIN/audio with 'pulse';\n"
		"                         --gpu and --nvidia-driver choose what goes in\n"
		"      --cdi-vendor=DOMAIN    the kind's vendor (default " PT_CDI_DEFAULT_VENDOR ")\n"
		"      --cdi-host-root=DIR    the host's device nodes are under DIR (a chroot)\n"
		"      --output=FILE      write the spec to FILE atomically (for /etc/cdi or\n"
		"                         /var/run/cdi); generated files go to FILE's .files dir\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Exit status: 0 when the probe ran, whatever it found; %d for bad usage;\n"
		"1 when it could not run (out of memory).\n",
		prog, EXIT_USAGE);
}

/* --cdi: what the spec is made of, and where it goes. */
struct cdi_args {
	const char *what; /* "gpu", "audio"; NULL: no --cdi */
	const char *gpu;
	const char *output;
	bool nvidia_driver;
	struct pt_cdi_opts *opts;
};

/* Builds the spec, prints or writes it; the exit code. */
static int cdi(struct cdi_args *a, const struct pt_nvidia_driver_opts *nvopts)
{
	struct pt_error err = {0};
	struct pt_cdi_spec *spec = NULL;
	struct pt_nvidia_driver *driver = NULL;
	int r = 0;
	if (strcmp(a->what, "gpu") == 0) {
		struct pt_gpu_list *list = NULL;
		if (a->nvidia_driver) {
			r = pt_nvidia_driver_probe(nvopts, &driver, &err);
			for (size_t i = 0; i < pt_nvidia_driver_warning_count(driver); i++)
				fprintf(stderr, "%s: warning: %s\n", prog,
					pt_nvidia_driver_warning(driver, i)->message);
			a->opts->nvidia_driver = driver;
		}
		if (r == 0)
			r = pt_gpu_probe(&list, &err);
		if (r == 0)
			r = pt_cdi_gpu_spec(list, a->gpu, a->opts, &spec, &err);
		pt_gpu_list_free(list);
	} else if (strcmp(a->what, "audio") == 0) {
		r = pt_cdi_audio_spec(a->opts, 0, &spec, &err);
	} else {
		r = pt_error_setx(&err, EINVAL, "--cdi: unknown value '%s' (known: gpu, audio)",
				  a->what);
	}
	char *text = NULL;
	if (r == 0 && a->output)
		r = pt_cdi_spec_write(spec, a->output, &err);
	else if (r == 0 && !(text = pt_cdi_spec_to_json(spec, NULL, &err)))
		r = -1;
	pt_cdi_spec_free(spec);
	pt_nvidia_driver_free(driver);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		return err.code == EINVAL ? EXIT_USAGE : 1;
	}
	if (text)
		fputs(text, stdout);
	free(text);
	return 0;
}

struct check {
	const char *root, *user, *gpu;
	bool pulse, nvidia_driver;
};

/* The container the doctor looks at, built as passthru-launch builds it.
 * Returns -1 to go on, or an exit code. */
static int run_doctor(struct check *c, struct pt_doctor **ret)
{
	struct pt_error err = {0};
	struct pt_plan *plan = pt_plan_new();
	struct pt_audio *audio = NULL;
	struct pt_doctor_opts *opts = pt_doctor_opts_new();
	int r = -1;
	if (!plan || !opts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		r = 1;
		goto out;
	}
	if ((c->root && pt_plan_set_root(plan, c->root, &err) < 0) ||
	    (c->user && pt_plan_set_user(plan, c->user, &err) < 0)) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		r = EXIT_USAGE;
		goto out;
	}
	if (c->gpu && pt_gpu_add_selected(plan, c->gpu, NULL, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		if (err.code == EINVAL) {
			r = EXIT_USAGE;
			goto out;
		}
	}
	/* A server that is not there is the doctor's finding, not a failure. */
	if (c->pulse && pt_audio_find(NULL, &audio, NULL) == 0)
		pt_audio_add_to_plan(audio, plan, 0, NULL);
	opts->audio = audio;
	opts->nvidia_driver = c->nvidia_driver;
	if (pt_doctor_run(plan, opts, ret, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		r = 1;
	}
out:
	pt_doctor_opts_free(opts);
	pt_audio_free(audio);
	pt_plan_free(plan);
	return r;
}

/* The machine's report, with the doctor's findings when there are any. */
static int report(bool json, const struct pt_nvidia_driver_opts *nvopts, struct pt_doctor *doctor)
{
	struct pt_error err = {0};
	struct pt_probe *probe = NULL;
	if (pt_probe_run(&probe, &err) < 0 ||
	    (nvopts && pt_probe_nvidia_driver(probe, nvopts, &err) < 0)) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		pt_probe_free(probe);
		return 1;
	}
	char *out = json ? pt_probe_to_json(probe, &err) : pt_probe_to_table(probe, &err);
	pt_probe_free(probe);
	char *more = NULL;
	if (out && doctor)
		more = json ? pt_doctor_add_to_json(doctor, out, &err) : pt_doctor_to_table(doctor, &err);
	if (!out || (doctor && !more)) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		free(out);
		return 1;
	}
	if (json && more) {
		free(out);
		out = more;
		more = NULL;
	}
	fputs(out, stdout);
	if (more)
		printf("\n%s", more);
	free(out);
	free(more);
	return 0;
}

enum {
	OPT_GPU = 0x100,
	OPT_PULSE,
	OPT_NVIDIA_DRIVER,
	OPT_CDI,
	OPT_VENDOR,
	OPT_HOST_ROOT,
	OPT_OUTPUT,
	OPT_LIST_SELECTORS,
};

/* One --gpu selector a line, for shell completion: cheap (GPUs only, no
 * driver userspace, no audio or display probe) and no JSON parser needed
 * on the completing side. Duplicates (two Intel GPUs) are printed once. */
static void put_unique(const char **seen, size_t *n, const char *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(seen[i], s) == 0)
			return;
	seen[(*n)++] = s;
	puts(s);
}

static int list_selectors(void)
{
	struct pt_error err = {0};
	struct pt_gpu_list *l = NULL;
	if (pt_gpu_probe(&l, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		return 1;
	}
	size_t n = pt_gpu_list_count(l), k = 0;
	const char **seen = calloc(5 * n + 2, sizeof(*seen));
	char(*idx)[24] = calloc(n + 1, sizeof(*idx));
	if (!seen || !idx) {
		fprintf(stderr, "%s: out of memory\n", prog);
		pt_gpu_list_free(l);
		free(seen);
		free(idx);
		return 1;
	}
	put_unique(seen, &k, "all");
	put_unique(seen, &k, "render");
	for (size_t i = 0; i < n; i++) {
		const struct pt_gpu *g = pt_gpu_list_get(l, i);
		snprintf(idx[i], sizeof(idx[i]), "%zu", g->index);
		put_unique(seen, &k, idx[i]);
		put_unique(seen, &k, g->pci);
		put_unique(seen, &k, g->vendor);
		put_unique(seen, &k, g->driver);
		put_unique(seen, &k, g->uuid);
	}
	pt_gpu_list_free(l);
	free(seen);
	free(idx);
	return fflush(stdout) == 0 ? 0 : 1;
}

static const struct option longopts[] = {
	{"json", no_argument, NULL, 'j'},
	{"directory", required_argument, NULL, 'D'},
	{"user", required_argument, NULL, 'u'},
	{"gpu", optional_argument, NULL, OPT_GPU},
	{"pulse", no_argument, NULL, OPT_PULSE},
	{"nvidia-driver", optional_argument, NULL, OPT_NVIDIA_DRIVER},
	{"nvidia-driver-root", required_argument, NULL, 'R'},
	{"nvidia-driver-version", required_argument, NULL, 'v'},
	{"cdi", required_argument, NULL, OPT_CDI},
	{"cdi-vendor", required_argument, NULL, OPT_VENDOR},
	{"cdi-host-root", required_argument, NULL, OPT_HOST_ROOT},
	{"output", required_argument, NULL, OPT_OUTPUT},
	{"list-selectors", no_argument, NULL, OPT_LIST_SELECTORS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

struct args {
	bool json, selectors;
	struct check check;
	struct cdi_args cdi;
	struct pt_nvidia_driver_opts *nvopts;
};

/* One option; -1 to go on, or an exit code. */
static int parse_one(struct args *a, int c, const char *arg)
{
	struct pt_error e = {0};
	switch (c) {
	case 'j':
		a->json = true;
		return -1;
	case OPT_LIST_SELECTORS:
		a->selectors = true;
		return -1;
	case 'D':
		a->check.root = arg;
		return -1;
	case 'u':
		a->check.user = arg;
		return -1;
	case OPT_GPU:
		a->check.gpu = a->cdi.gpu = arg ? arg : "";
		return -1;
	case OPT_PULSE:
		a->check.pulse = true;
		return -1;
	case OPT_CDI:
		a->cdi.what = arg;
		return -1;
	case OPT_VENDOR:
		a->cdi.opts->vendor = arg;
		return -1;
	case OPT_HOST_ROOT:
		a->cdi.opts->host_root = arg;
		return -1;
	case OPT_OUTPUT:
		a->cdi.output = arg;
		return -1;
	case OPT_NVIDIA_DRIVER:
	case 'R':
	case 'v':
		if (!a->nvopts && !(a->nvopts = pt_nvidia_driver_opts_new())) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		if (c == 'R') {
			a->nvopts->root = arg;
		} else if (c == 'v') {
			a->nvopts->version = arg;
		} else {
			a->check.nvidia_driver = a->cdi.nvidia_driver = true;
			if (arg && pt_nvidia_driver_parse_caps(arg, &a->nvopts->caps, &e) < 0) {
				fprintf(stderr, "%s: --nvidia-driver: %s\n", prog, e.message);
				return EXIT_USAGE;
			}
		}
		return -1;
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
}

static int run(int argc, char **argv, struct args *a)
{
	int c;
	while ((c = getopt_long(argc, argv, "D:u:hV", longopts, NULL)) != -1) {
		int r = parse_one(a, c, optarg);
		if (r >= 0)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s --help'.\n", prog,
			argv[optind], prog);
		return EXIT_USAGE;
	}
	if (a->selectors)
		return list_selectors();
	if (a->cdi.what)
		return cdi(&a->cdi, a->nvopts);
	if (a->cdi.output || a->cdi.opts->vendor || a->cdi.opts->host_root) {
		fprintf(stderr, "%s: --cdi-vendor, --cdi-host-root and --output need --cdi\n"
			"Try '%s --help'.\n", prog, prog);
		return EXIT_USAGE;
	}
	struct check *k = &a->check;
	struct pt_doctor *doctor = NULL;
	if (k->root || k->user || k->gpu || k->pulse || k->nvidia_driver) {
		int r = run_doctor(k, &doctor);
		if (r >= 0)
			return r;
	}
	int r = report(a->json, a->nvopts, doctor);
	pt_doctor_free(doctor);
	return r;
}

int main(int argc, char **argv)
{
	struct args a = {.cdi.opts = pt_cdi_opts_new()};
	if (!a.cdi.opts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	int r = run(argc, argv, &a);
	pt_cdi_opts_free(a.cdi.opts);
	pt_nvidia_driver_opts_free(a.nvopts);
	return r;
}
