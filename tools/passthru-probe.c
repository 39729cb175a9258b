/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthru-probe: show what this machine can pass through to a container,
 * and what is wrong. Thin: ask the library, print a table or JSON. */
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
		"\n"
		"      --json      print JSON instead of a table\n"
		"      --nvidia-driver-root=DIR     look for the NVIDIA userspace driver under DIR\n"
		"      --nvidia-driver-version=V    look for version V, not the kernel module's\n"
		"  -h, --help      show this help and exit\n"
		"  -V, --version   show the version and exit\n"
		"\n"
		"Exit status: 0 when the probe ran, whatever it found; %d for bad usage;\n"
		"1 when it could not run (out of memory).\n",
		prog, EXIT_USAGE);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"nvidia-driver-root", required_argument, NULL, 'R'},
		{"nvidia-driver-version", required_argument, NULL, 'v'},
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
