/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/devices: the majors of NVIDIA's character device groups. */
#include "fuzz.h"
#include "gpu-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	if (!text)
		return 0;
	static const char *const names[] = {"nvidia", "nvidia-frontend", "nvidia-uvm",
					    "nvidia-caps", ""};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int major = proc_devices_char_major(text, names[i]);
		if (major != -ENOENT && (major < 0 || major >= 4096))
			abort();
	}
	free(text);
	return 0;
}
