/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-probe: show what this machine can pass through to a container,
 * and what is wrong. Thin: ask the library, print a table or JSON. */
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
		"\n"
		"      --json      print JSON instead of a table\n"
		"      --nvidia-driver-root=DIR     look for the NVIDIA userspace driver under DIR\n"
		"      --nvidia-driver-version=V    look for version V, not the kernel module's\n"
		"      --cdi=gpu|audio        print a CDI spec instead (podman, Docker, containerd,\n"
		"                             CRI-O, Kubernetes): kind DOMAIN/gpu with one device per\n"
		"                             GPU (by index) and 'all', or DOMAIN/audio with 'pulse'\n"
		"      --gpu=SEL              with --cdi=gpu: only these GPUs (as passthru-launch --gpu)\n"
		"      --nvidia-driver[=CAPS] with --cdi=gpu: the NVIDIA userspace driver as well\n"
		"      --cdi-vendor=DOMAIN    the kind's vendor (default " PT_CDI_DEFAULT_VENDOR ")\n"
		"      --cdi-host-root=DIR    the host's device nodes are under DIR (a chroot)\n"
		"      --output=FILE          write the spec to FILE atomically (for /etc/cdi or\n"
		"                             /var/run/cdi); generated files go to FILE's .files dir\n"
		"  -h, --help      show this help and exit\n"
		"  -V, --version   show the version and exit\n"
		"\n"
		"Exit status: 0 when the probe ran, whatever it found; %d for bad usage;\n"
		"1 when it could not run (out of memory).\n",
		prog, EXIT_USAGE);
}

enum { OPT_CDI = 0x100, OPT_GPU, OPT_NVIDIA_DRIVER, OPT_VENDOR, OPT_HOST_ROOT, OPT_OUTPUT };

struct cdi_args;
static int probe_main(int argc, char **argv, struct cdi_args *ca);

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

int main(int argc, char **argv)
{
	struct cdi_args ca = {.opts = pt_cdi_opts_new()};
	if (!ca.opts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	int rc = probe_main(argc, argv, &ca);
	pt_cdi_opts_free(ca.opts);
	return rc;
}

static int probe_main(int argc, char **argv, struct cdi_args *ca)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"nvidia-driver-root", required_argument, NULL, 'R'},
		{"nvidia-driver-version", required_argument, NULL, 'v'},
		{"cdi", required_argument, NULL, OPT_CDI},
		{"gpu", required_argument, NULL, OPT_GPU},
		{"nvidia-driver", optional_argument, NULL, OPT_NVIDIA_DRIVER},
		{"cdi-vendor", required_argument, NULL, OPT_VENDOR},
		{"cdi-host-root", required_argument, NULL, OPT_HOST_ROOT},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	bool json = false;
	struct pt_nvidia_driver_opts *nvopts = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case OPT_CDI:
			ca->what = optarg;
			break;
		case OPT_GPU:
			ca->gpu = optarg;
			break;
		case OPT_VENDOR:
			ca->opts->vendor = optarg;
			break;
		case OPT_HOST_ROOT:
			ca->opts->host_root = optarg;
			break;
		case OPT_OUTPUT:
			ca->output = optarg;
			break;
		case OPT_NVIDIA_DRIVER:
		case 'R':
		case 'v':
			if (!nvopts && !(nvopts = pt_nvidia_driver_opts_new())) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return 1;
			}
			if (c == 'R') {
				nvopts->root = optarg;
			} else if (c == 'v') {
				nvopts->version = optarg;
			} else {
				struct pt_error e = {0};
				ca->nvidia_driver = true;
				if (optarg && pt_nvidia_driver_parse_caps(optarg, &nvopts->caps, &e) < 0) {
					fprintf(stderr, "%s: --nvidia-driver: %s\n", prog, e.message);
					pt_nvidia_driver_opts_free(nvopts);
					return EXIT_USAGE;
				}
			}
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
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s --help'.\n", prog,
			argv[optind], prog);
		return EXIT_USAGE;
	}
	if (ca->what) {
		int r = cdi(ca, nvopts);
		pt_nvidia_driver_opts_free(nvopts);
		return r;
	}
	if (ca->gpu || ca->nvidia_driver || ca->output || ca->opts->vendor || ca->opts->host_root) {
		fprintf(stderr, "%s: --gpu, --nvidia-driver, --cdi-vendor, --cdi-host-root and --output "
			"need --cdi\nTry '%s --help'.\n", prog, prog);
		pt_nvidia_driver_opts_free(nvopts);
		return EXIT_USAGE;
	}
	struct pt_error err = {0};
	struct pt_probe *probe = NULL;
	if (pt_probe_run(&probe, &err) < 0 ||
	    (nvopts && pt_probe_nvidia_driver(probe, nvopts, &err) < 0)) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		pt_probe_free(probe);
		pt_nvidia_driver_opts_free(nvopts);
		return 1;
	}
	pt_nvidia_driver_opts_free(nvopts);
	char *out = json ? pt_probe_to_json(probe, &err) : pt_probe_to_table(probe, &err);
	pt_probe_free(probe);
	if (!out) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		return 1;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}
