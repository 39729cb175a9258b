/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libpassthru: hand a container the host's GPUs, a nested X display and the
 * PulseAudio server. Include this one header for the whole API. */
#pragma once

#include "passthru/version.h"
#include "passthru/error.h"
#include "passthru/plan.h"
#include "passthru/process.h"
#include "passthru/warning.h"
#include "passthru/gpu.h"
#include "passthru/probe.h"
#include "passthru/display.h"
#include "passthru/audio.h"
#include "passthru/launch.h"
#include "passthru/nvidia-driver.h"
#include "passthru/wayland.h"
#include "passthru/cdi.h"
#include "passthru/nspawn-settings.h"
#include "passthru/doctor.h"
