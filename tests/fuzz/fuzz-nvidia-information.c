/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/driver/nvidia/gpus/ADDR/information: the "Device Minor:" line. */
#include "fuzz.h"
#include "gpu-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	if (!text)
		return 0;
	unsigned minor = 0;
	if (nvidia_parse_device_minor(text, &minor) == 0 && minor >= NVIDIA_MINOR_MODESET)
		abort(); /* the parser promises GPU minors only */
	free(text);
	return 0;
}
