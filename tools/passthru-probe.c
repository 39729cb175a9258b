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
		"      --cdi=gpu|audio        print a CDI spec instead (podman, Docker, containerd,\n"
		"                             CRI-O, Kubernetes): kind DOMAIN/gpu with one device per\n"
		"                             GPU (by index) and 'all', or DOMAIN/audio with 'pulse'\n"
		"      --gpu=SEL              with --cdi=gpu: only these GPUs (as passthru-launch --gpu)\n"
		"      --nvidia-driver        with --cdi=gpu: the NVIDIA driver files as well\n"
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

/* --cdi: build the spec, print or write it. */
static int cdi(const char *what, const char *gpu, const struct pt_cdi_opts *opts,
	       const char *output)
{
	struct pt_error err = {0};
	struct pt_cdi_spec *spec = NULL;
	int r;
	if (strcmp(what, "gpu") == 0) {
		struct pt_gpu_list *list = NULL;
		r = pt_gpu_probe(&list, &err);
		if (r == 0)
			r = pt_cdi_gpu_spec(list, gpu, opts, &spec, &err);
		pt_gpu_list_free(list);
	} else {
		r = pt_cdi_audio_spec(opts, 0, &spec, &err);
	}
	char *text = NULL;
	if (r == 0 && output)
		r = pt_cdi_spec_write(spec, output, &err);
	else if (r == 0 && !(text = pt_cdi_spec_to_json(spec, NULL, &err)))
		r = -1;
	pt_cdi_spec_free(spec);
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
	enum { OPT_CDI = 0x100, OPT_GPU, OPT_NVIDIA_DRIVER, OPT_VENDOR, OPT_HOST_ROOT, OPT_OUTPUT };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"cdi", required_argument, NULL, OPT_CDI},
		{"gpu", required_argument, NULL, OPT_GPU},
		{"nvidia-driver", no_argument, NULL, OPT_NVIDIA_DRIVER},
		{"cdi-vendor", required_argument, NULL, OPT_VENDOR},
		{"cdi-host-root", required_argument, NULL, OPT_HOST_ROOT},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	bool json = false, nvidia_driver = false;
	const char *cdi_what = NULL, *gpu = NULL, *output = NULL;
	struct pt_cdi_opts *cdi_opts = pt_cdi_opts_new();
	if (!cdi_opts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	int c;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case OPT_CDI:
			cdi_what = optarg;
			break;
		case OPT_GPU:
			gpu = optarg;
			break;
		case OPT_NVIDIA_DRIVER:
			nvidia_driver = true;
			break;
		case OPT_VENDOR:
			cdi_opts->vendor = optarg;
			break;
		case OPT_HOST_ROOT:
			cdi_opts->host_root = optarg;
			break;
		case OPT_OUTPUT:
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			pt_cdi_opts_free(cdi_opts);
			return 0;
		case 'V':
			printf("%s %s\n", prog, pt_version());
			pt_cdi_opts_free(cdi_opts);
			return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			pt_cdi_opts_free(cdi_opts);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s --help'.\n", prog,
			argv[optind], prog);
		pt_cdi_opts_free(cdi_opts);
		return EXIT_USAGE;
	}
	if (cdi_what && strcmp(cdi_what, "gpu") != 0 && strcmp(cdi_what, "audio") != 0) {
		fprintf(stderr, "%s: --cdi: unknown value '%s' (known: gpu, audio)\nTry '%s --help'.\n",
			prog, cdi_what, prog);
		pt_cdi_opts_free(cdi_opts);
		return EXIT_USAGE;
	}
	if (!cdi_what && (gpu || nvidia_driver || output || cdi_opts->vendor || cdi_opts->host_root)) {
		fprintf(stderr, "%s: --gpu, --nvidia-driver, --cdi-vendor, --cdi-host-root and --output "
			"need --cdi\nTry '%s --help'.\n", prog, prog);
		pt_cdi_opts_free(cdi_opts);
		return EXIT_USAGE;
	}
	if (nvidia_driver) {
		/* HOOK(nvdriver): once pt_nvidia_driver_add_to_plan() is in the
		 * library, pt_cdi_gpu_spec() takes the driver's plan as spec-level
		 * edits (its read-only binds become mounts with
		 * ro,nosuid,nodev,rbind,rprivate, its env the loader's). */
		fprintf(stderr, "%s: --nvidia-driver: the NVIDIA driver files are not supported by "
			"this build yet\n", prog);
		pt_cdi_opts_free(cdi_opts);
		return 1;
	}
	if (cdi_what) {
		int r = cdi(cdi_what, gpu, cdi_opts, output);
		pt_cdi_opts_free(cdi_opts);
		return r;
	}
	pt_cdi_opts_free(cdi_opts);
	struct pt_error err = {0};
	struct pt_probe *probe = NULL;
	if (pt_probe_run(&probe, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		return 1;
	}
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
