/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dlopen-pulse.h"
#include "util.h"

DLOPEN_PULSE_SYMS(DLOPEN_DEFINE)

DLOPEN_NOTE(note_pulse,
	    "[{\"soname\":[\"libpulse.so.0\"],\"feature\":\"pulseaudio\","
	    "\"description\":\"Pass the host's PulseAudio or PipeWire-pulse server to a container\","
	    "\"priority\":\"recommended\"}]");

static const struct dlopen_sym pulse_syms[] = {DLOPEN_PULSE_SYMS(DLOPEN_SYM)};

static struct dlopen_lib pulse = {
	.soname = "libpulse.so.0",
	.feature = "PulseAudio passthrough",
	.syms = pulse_syms,
	.n_syms = ELEMENTSOF(pulse_syms),
};

int dlopen_pulse(struct pt_error *err) { return dlopen_lib_load(&pulse, err); }
