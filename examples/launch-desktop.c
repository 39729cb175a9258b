/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What another container tool does with libpassthru, through the public
 * API alone: a container with the chosen GPUs, a headless X display of its
 * own and the host's sound server, run to its end and cleaned up.
 *
 *     launch-desktop GPU-SELECTOR ROOT COMMAND [ARG...]
 *
 * Build: cc launch-desktop.c $(pkg-config --cflags --libs libpassthru) */
#include <passthru/passthru.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s GPU-SELECTOR ROOT COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	struct pt_error err = {0};
	struct pt_plan *plan = pt_plan_new();
	struct pt_launch_opts *opts = pt_launch_opts_new();
	struct pt_display_opts *display = pt_display_opts_new(PT_DISPLAY_XVFB);
	struct pt_launch *launch = NULL;
	int status = 125;
	if (!plan || !opts || !display) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}

	/* The plan: root, command, and what the producers find on the host. */
	if (pt_plan_set_root(plan, argv[2], &err) < 0 ||
	    pt_plan_set_command(plan, argc - 3, argv + 3, &err) < 0 ||
	    pt_gpu_add_selected(plan, argv[1], NULL, &err) < 0 ||
	    pt_pulse_add_to_plan(plan, 0, &err) < 0)
		goto fail;

	/* The launch: our own namespaces, a display it starts and watches. */
	opts->backend = PT_LAUNCH_BACKEND_NATIVE;
	if (pt_launch_new(plan, opts, &launch, &err) < 0 ||
	    pt_launch_start_display(launch, display, &err) < 0)
		goto fail;
	for (size_t i = 0; i < pt_plan_device_count(plan); i++)
		printf("device %s\n", pt_plan_device(plan, i)->path);
	fflush(stdout);

	/* Ctrl-C and SIGTERM reach the command; the launch passes them on. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (pt_launch_run(launch, sigfd, &status, &err) < 0)
		goto fail;
	goto out;
fail:
	fprintf(stderr, "launch-desktop: %s\n", err.message);
	status = 125;
out:
	pt_launch_free(launch); /* stops the display, removes the state */
	pt_launch_opts_free(opts);
	pt_display_opts_free(display);
	pt_plan_free(plan);
	return status;
}
