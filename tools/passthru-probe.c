/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-probe: show what this machine can pass through to a container,
 * and what is wrong. With -D/-u/--gpu/--pulse it also checks a container
 * against the host (the doctor). Thin: ask the library, print a table or
 * JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

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
		"  -D, --directory=ROOT  the container's root directory (default: /)\n"
		"  -u, --user=USER       the user the command would run as\n"
		"      --gpu[=SEL]       the GPUs it would get (as passthru-launch --gpu)\n"
		"      --nvidia-driver   the host's NVIDIA userspace would be passed\n"
		"      --nvidia-driver-root=DIR     look for the NVIDIA userspace driver under DIR\n"
		"      --nvidia-driver-version=V    look for version V, not the kernel module's\n"
		"      --pulse           the host's sound server would be passed\n"
		"      --json            print JSON instead of a table\n"
		"  -h, --help            show this help and exit\n"
		"  -V, --version         show the version and exit\n"
		"\n"
		"Exit status: 0 when the probe ran, whatever it found; %d for bad usage;\n"
		"1 when it could not run (out of memory).\n",
		prog, EXIT_USAGE);
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

int main(int argc, char **argv)
{
	enum { OPT_GPU = 0x100, OPT_PULSE, OPT_NVIDIA_DRIVER };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"directory", required_argument, NULL, 'D'},
		{"user", required_argument, NULL, 'u'},
		{"gpu", optional_argument, NULL, OPT_GPU},
		{"pulse", no_argument, NULL, OPT_PULSE},
		{"nvidia-driver", no_argument, NULL, OPT_NVIDIA_DRIVER},
		{"nvidia-driver-root", required_argument, NULL, 'R'},
		{"nvidia-driver-version", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	bool json = false;
	struct check check = {0};
	struct pt_nvidia_driver_opts *nvopts = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "D:u:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'D':
			check.root = optarg;
			break;
		case 'u':
			check.user = optarg;
			break;
		case OPT_GPU:
			check.gpu = optarg ? optarg : "";
			break;
		case OPT_PULSE:
			check.pulse = true;
			break;
		case OPT_NVIDIA_DRIVER:
			check.nvidia_driver = true;
			break;
		case 'R':
		case 'v':
			if (!nvopts && !(nvopts = pt_nvidia_driver_opts_new())) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return 1;
			}
			if (c == 'R')
				nvopts->root = optarg;
			else
				nvopts->version = optarg;
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
	struct pt_doctor *doctor = NULL;
	if (check.root || check.user || check.gpu || check.pulse || check.nvidia_driver) {
		int r = run_doctor(&check, &doctor);
		if (r >= 0) {
			pt_nvidia_driver_opts_free(nvopts);
			return r;
		}
	}

	struct pt_error err = {0};
	struct pt_probe *probe = NULL;
	if (pt_probe_run(&probe, &err) < 0 ||
	    (nvopts && pt_probe_nvidia_driver(probe, nvopts, &err) < 0)) {
		fprintf(stderr, "%s: %s\n", prog, err.message);
		pt_probe_free(probe);
		pt_nvidia_driver_opts_free(nvopts);
		pt_doctor_free(doctor);
		return 1;
	}
	pt_nvidia_driver_opts_free(nvopts);
	char *out = json ? pt_probe_to_json(probe, &err) : pt_probe_to_table(probe, &err);
	pt_probe_free(probe);
	char *more = NULL;
	if (out && doctor)
		more = json ? pt_doctor_add_to_json(doctor, out, &err) : pt_doctor_to_table(doctor, &err);
	pt_doctor_free(doctor);
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
	if (more) {
		fputs("\n", stdout);
		fputs(more, stdout);
	}
	free(out);
	free(more);
	return 0;
}
